/*
 * xlsx.h — a bounded reader of .xlsx workbooks (ECMA-376 / ISO/IEC 29500
 * SpreadsheetML), private to importers/. A workbook is a zip of XML parts:
 * the reader finds the workbook through the package relationships, names
 * its sheets from workbook.xml and its relationships, loads the shared
 * strings, and streams one worksheet at a time to a callback, a row at a
 * time, each cell with its reference turned into a row and a column.
 * Numbers stay numbers (a date is the serial number Excel stores; styles
 * are not read), strings are shared or inline, formulas give their cached
 * value. Nothing here knows what a workbook means: importers do.
 *
 * Untrusted input: the zip is read from memory with libzip (CRC checked as
 * each part is read), parts are inflated a chunk at a time straight into
 * libxml2's streaming reader, and every size is capped (ww_xlsx_limits):
 * entries, the declared and the actual inflated size of a part and of all
 * parts together, the compression ratio, shared strings, one cell's text and
 * element depth. A part that holds a DOCTYPE or an entity declaration is
 * refused before libxml2 reads it; nothing is fetched from the network.
 */
#ifndef WW_IMPORTERS_XLSX_H
#define WW_IMPORTERS_XLSX_H

#include <stddef.h>

typedef struct ww_xlsx ww_xlsx;

/* The caps. ww_xlsx__default_limits() fills in the defaults given beside
 * each; a test may lower them. */
typedef struct ww_xlsx_limits {
    size_t max_entries;      /* zip entries: 10,000 */
    size_t max_part_bytes;   /* one part, inflated: 64 MiB */
    size_t max_total_bytes;  /* all parts read, inflated: 256 MiB */
    double max_ratio;        /* inflated / compressed, for parts over 1 MiB: 200 */
    size_t max_strings;      /* shared strings: 1,000,000 */
    size_t max_string_bytes; /* the shared-string table, in bytes: 64 MiB */
    size_t max_cell_bytes;   /* one cell's or one string's text: 256 KiB */
    int max_depth;           /* element depth: 64 (SpreadsheetML nests about 6) */
} ww_xlsx_limits;

void ww_xlsx__default_limits(ww_xlsx_limits *l);

/* What a cell holds. Empty cells (no value, or an empty string) are not
 * passed on. */
typedef enum ww_xlsx_type {
    WW_XLSX_NUMBER = 1, /* number holds it; text is the number as written */
    WW_XLSX_TEXT,       /* a shared, inline or formula string; also t="d" dates */
    WW_XLSX_BOOL,       /* number 0 or 1; text "FALSE" or "TRUE" */
    WW_XLSX_ERROR       /* a formula error as written: "#N/A", "#REF!" */
} ww_xlsx_type;

typedef struct ww_xlsx_cell {
    long row; /* 1-based */
    int col;  /* 1-based: A = 1, XFD = 16384 */
    ww_xlsx_type type;
    double number;    /* NUMBER and BOOL */
    const char *text; /* never NULL */
} ww_xlsx_cell;

/* One row's cells in file order; valid only during the callback. */
typedef struct ww_xlsx_row {
    long row;
    long line; /* of the <row> element in its part */
    size_t n_cells;
    const ww_xlsx_cell *cells;
} ww_xlsx_row;

/*
 * Open a workbook held in memory (data must outlive the handle): check the
 * zip against the limits, read the package and workbook relationships, the
 * sheet names and the shared strings. name is used in messages.
 * @param limits  NULL for the defaults
 * @param[out] out  free with ww_xlsx__free()
 * @return 0, WW_EDATA (not a workbook, a limit passed, a malformed part; the
 *         last error says which part and line), WW_ENOMEM
 */
int ww_xlsx__open(ww_xlsx **out, const unsigned char *data, size_t size, const char *name,
                  const ww_xlsx_limits *limits);
void ww_xlsx__free(ww_xlsx *x); /* NULL is a no-op */

size_t ww_xlsx__sheet_count(const ww_xlsx *x);
/* The sheet's name as workbook.xml gives it; NULL past the end. */
const char *ww_xlsx__sheet_name(const ww_xlsx *x, size_t i);
/* The sheet's part ("xl/worksheets/sheet3.xml"); NULL for a chart or
 * dialog sheet, which holds no cells. */
const char *ww_xlsx__sheet_part(const ww_xlsx *x, size_t i);
/* The index of the sheet called name (exact), or -1. */
long ww_xlsx__sheet_find(const ww_xlsx *x, const char *name);

/*
 * Stream sheet i, calling on_row for every row that has a non-empty cell.
 * A non-zero return from on_row stops the read and is returned.
 * @return 0, on_row's return, WW_EDATA, WW_ENOMEM, WW_EUSAGE (no sheet i)
 */
int ww_xlsx__read_sheet(ww_xlsx *x, size_t i, int (*on_row)(void *ctx, const ww_xlsx_row *row),
                        void *ctx);

/* The row's cell in column col, or NULL. */
const ww_xlsx_cell *ww_xlsx__cell(const ww_xlsx_row *row, int col);

/* "A1" -> row 1, col 1. 0, or WW_EDATA when ref is not a cell reference
 * inside the sheet (XFD1048576). */
int ww_xlsx__parse_ref(const char *ref, long *row, int *col);
/* Column 1 -> "A", 28 -> "AB" into buf (at least 4 bytes). */
void ww_xlsx__col_name(char *buf, size_t n, int col);

#endif
