/*
 * fuzz_xlsx.c — libFuzzer harness for the .xlsx reader (importers/xlsx.c):
 * any bytes are opened as a workbook and every sheet streamed, with limits
 * lowered so the caps are reached quickly. It must end, never crash, never
 * read past the input, and hand on cells whose references lie inside the
 * sheet and whose text is NUL-terminated. The importers built on it are
 * fuzzed through fuzz_importer.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../importers/xlsx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t touched;

static int on_row(void *ctx, const ww_xlsx_row *row)
{
    (void)ctx;
    if (row->row < 1 || row->row > 1048576) abort();
    for (size_t i = 0; i < row->n_cells; i++) {
        const ww_xlsx_cell *c = &row->cells[i];
        if (c->col < 1 || c->col > 16384 || c->row != row->row || !c->text) abort();
        touched += strlen(c->text);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ww_xlsx *x = NULL;
    ww_xlsx_limits lim;
    ww_xlsx__default_limits(&lim);
    lim.max_part_bytes = (size_t)4 << 20;
    lim.max_total_bytes = (size_t)16 << 20;
    lim.max_strings = 100000;
    lim.max_string_bytes = (size_t)4 << 20;
    if (ww_xlsx__open(&x, data, size, "fuzz.xlsx", &lim) < 0) return 0;
    for (size_t i = 0; i < ww_xlsx__sheet_count(x); i++) {
        if (!ww_xlsx__sheet_name(x, i)) abort();
        (void)ww_xlsx__read_sheet(x, i, on_row, NULL);
    }
    ww_xlsx__free(x);
    return 0;
}
