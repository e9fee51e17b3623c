/*
 * fuzz_csv.c — libFuzzer harness for the CSV reader every CSV importer is
 * built on (importers/csv_util.c): any bytes are read record by record, as
 * the importers read them, stepping over malformed and over-long records.
 * It must end, never crash, never read past the input, and give fields that
 * are NUL-terminated and as long as their lengths say.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../importers/csv_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ww_csv *r = NULL;
    ww_csv_row row;
    long last_line = 0;
    int rc;
    /* A small cap, so the over-long path is reached. */
    if (ww_csv__open(&r, data, size, 256) < 0) return 0;
    while ((rc = ww_csv__next(r, &row)) == 1) {
        if (row.line < last_line) abort(); /* lines only go forward */
        last_line = row.line;
        if (row.status == WW_CSV_ROW) {
            for (size_t i = 0; i < row.n_fields; i++)
                if (strlen(row.fields[i]) > row.lengths[i]) abort();
        } else {
            ww_csv__resync(r);
        }
    }
    (void)ww_csv__bad_utf8_line(data, size);
    (void)ww_csv__blank(data, size);
    ww_csv__free(r);
    return 0;
}
