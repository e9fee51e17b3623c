/*
 * csv_read.h — read a whole CSV file through libcsv's callbacks, strictly
 * (RFC 4180), for tests that check importers or rules against real files.
 */
#ifndef WW_TESTS_CSV_READ_H
#define WW_TESTS_CSV_READ_H

#include <csv.h>
#include <stdio.h>

/* Parse path with libcsv options and field/row callbacks; 0, or -1 after
 * printing why. */
static inline int test_csv_read_opts(const char *path, unsigned char options,
                                     void (*field)(void *, size_t, void *),
                                     void (*row)(int, void *), void *ctx)
{
    char buf[65536];
    struct csv_parser parser;
    FILE *fp = fopen(path, "rb");
    size_t n;
    int failed = 0;
    if (!fp) {
        fprintf(stderr, "cannot open %s (set WW_SHARED_DATA)\n", path);
        return -1;
    }
    if (csv_init(&parser, options) != 0) {
        fclose(fp);
        return -1;
    }
    while (!failed && (n = fread(buf, 1, sizeof buf, fp)) > 0)
        failed = csv_parse(&parser, buf, n, field, row, ctx) != n;
    if (!failed) failed = csv_fini(&parser, field, row, ctx) != 0;
    if (failed) fprintf(stderr, "%s: %s\n", path, csv_strerror(csv_error(&parser)));
    csv_free(&parser);
    fclose(fp);
    return failed ? -1 : 0;
}

/* Strictly (RFC 4180). */
static inline int test_csv_read(const char *path, void (*field)(void *, size_t, void *),
                                void (*row)(int, void *), void *ctx)
{
    return test_csv_read_opts(path, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL, field, row, ctx);
}

#endif
