/*
 * csv_util.h — reading CSV for the importers (private to importers/).
 *
 * libcsv does the RFC 4180 work (quoting, doubled quotes, newlines inside
 * quoted fields) in strict mode, but it knows nothing of lines and cannot
 * carry on after an error. So this reader first finds where each record
 * ends with a small quote-aware scan, then hands that record alone to
 * libcsv. Each record thus comes with the line it starts on, and a broken
 * record is reported and stepped over without losing the rest of the file:
 * reading resumes at the line after the one the broken record started on
 * (a stray quote can make a record look as if it runs on over later lines,
 * and those lines are most likely good rows of their own).
 *
 * Lines end with LF, CRLF or a lone CR. A UTF-8 byte-order mark is skipped.
 * Inside quoted fields CRLF and lone CR become LF, so field text never
 * depends on the platform that saved the file. Unquoted fields lose their
 * leading and trailing spaces and tabs (libcsv's default). Lines holding
 * nothing but spaces are skipped.
 */
#ifndef WW_IMPORTERS_CSV_UTIL_H
#define WW_IMPORTERS_CSV_UTIL_H

#include <stddef.h>

#include "../util/util.h"
#include "diag_util.h"

/* A reader over bytes held by the caller (they must outlive it). */
typedef struct ww_csv ww_csv;

/* What ww_csv__next found. */
typedef enum ww_csv_status {
    WW_CSV_ROW = 0,       /* a well-formed record */
    WW_CSV_MALFORMED = 1, /* not valid CSV: `problem` says why; skipped */
    WW_CSV_TOO_LONG = 2   /* field `bad_field` (0-based) passes the cap; skipped */
} ww_csv_status;

/* More fields than this in one record are refused as malformed. */
#define WW_CSV_MAX_FIELDS 4096

typedef struct ww_csv_row {
    ww_csv_status status;
    long line;       /* 1-based line the record starts on */
    long last_line;  /* line it ends on (> line when a quoted field spans lines) */
    size_t n_fields; /* 0 unless status is WW_CSV_ROW */
    char **fields;   /* NUL-terminated, valid until the next call */
    size_t *lengths;
    const char *problem; /* WW_CSV_MALFORMED: a short sentence, static text */
    size_t bad_field;    /* WW_CSV_MALFORMED, WW_CSV_TOO_LONG: the field at fault */
    int literal_quote;   /* WW_CSV_ROW read with ww_csv__literal_quotes(): a quote
                          * inside an unquoted field was kept as text */
} ww_csv_row;

/* Start reading data[0..size). Fields longer than field_max bytes (as
 * written in the file) are refused. Returns 0 or WW_ENOMEM; free with
 * ww_csv__free (NULL is a no-op). */
int ww_csv__open(ww_csv **out, const unsigned char *data, size_t size, size_t field_max);
void ww_csv__free(ww_csv *r);

/* The next record into *row: returns 1 when there is one (whatever its
 * status), 0 at the end of the input, WW_ENOMEM when memory ran out. */
int ww_csv__next(ww_csv *r, ww_csv_row *row);

/* Accept a quote inside a field that does not start with one as a literal
 * quote (Frequency of "being in a group" behaviors) instead of refusing the
 * record, as real exports need (WWC's 2020-04-25 Findings file has 64 such
 * rows); the row says so in literal_quote. Off by default: strict RFC 4180. */
void ww_csv__literal_quotes(ww_csv *r, int on);

/* Give up on the record just read (e.g. it has the wrong number of
 * fields): reading goes on at the line after the one it started on, rather
 * than after its end. A no-op for records on one line. */
void ww_csv__resync(ww_csv *r);

/* 1-based line of the first byte that is not UTF-8 (or is NUL), counted as
 * the reader counts lines; 0 when everything is valid. A BOM is fine. */
long ww_csv__bad_utf8_line(const unsigned char *data, size_t size);

/* 1 when size is 0 or every byte (after a BOM) is white space. */
int ww_csv__blank(const unsigned char *data, size_t size);

/* The first line of the input (after a BOM) split into header names, for
 * sniffing: calls fn once per field, unquoted, up to `window` bytes.
 * Returns how many fields it saw. No allocation. */
size_t ww_csv__sniff_header(const unsigned char *data, size_t size, size_t window,
                            void (*fn)(void *ctx, const char *name, size_t len), void *ctx);

/* ---- mapping a header onto the columns an importer knows -------------- */

/* One column an importer reads: the spellings it may have in a header, the
 * preferred first (e.g. {"FindingID", "f_FindingID"}). Up to 4, the rest
 * NULL. Names compare without regard to ASCII case. */
typedef struct ww_csv_column {
    const char *names[4];
} ww_csv_column;

#define WW_CSV_UNKNOWN (-1)   /* the header field names none of the columns */
#define WW_CSV_DUPLICATE (-2) /* the same name appeared earlier in the header */
#define WW_CSV_SHADOWED (-3)  /* a preferred spelling of its column is present */

/* Map header onto table[0..n). column[i] receives the index of the header
 * field that gives table entry i, or -1 when the header has none of its
 * names; where several spellings are present the earliest in names[] wins.
 * field_entry (header->n_fields long) receives, for each header field, the
 * table entry it gives or one of WW_CSV_UNKNOWN, WW_CSV_DUPLICATE,
 * WW_CSV_SHADOWED. */
void ww_csv__map_header(const ww_csv_row *header, const ww_csv_column *table, size_t n, int *column,
                        int *field_entry);

/* Trim ASCII white space and U+00A0 (no-break space, common in text pasted
 * from the web) from both ends of s, in place; returns s. */
char *ww_csv__trim(char *s);

/* ---- whole documents ---------------------------------------------------- */

/* Read the file at path whole, refusing more than cap bytes. *out is
 * NUL-terminated (the NUL not counted in *size); free() it.
 * @return 0; WW_ENOTFOUND (no such file, or a directory), WW_EIO (another
 *         failure to open or read it: the message says which), WW_EDATA
 *         (larger than cap: the message is "PATH: larger than N MiB"),
 *         WW_ENOMEM */
int ww_csv__read_file(unsigned char **out, size_t *size, const char *path, size_t cap);

/* One well-formed record of a document, with the line it starts on. */
typedef struct ww_csv_record {
    long line;
    size_t n_fields;
    const char **fields; /* NUL-terminated; unquoted fields trimmed, as above */
} ww_csv_record;

/* Every well-formed record of an input, header first, in memory. */
typedef struct ww_csv_doc {
    ww_csv_record *records;
    size_t n;
    size_t alloc;
    ww_arena *arena; /* the fields' text */
} ww_csv_doc;

/* Read data[0..size) into a document. Problems go to diags, each as
 * "name:LINE: file: ...": the first line that is not UTF-8 (or holds a NUL),
 * then nothing else is read; every malformed record ("not well-formed CSV,
 * e.g. a stray or unclosed quote (why)"); every field longer than field_max.
 * With literal_quotes, ww_csv__literal_quotes() is on.
 * @param[out] out  release with ww_csv__doc_free(); NULL unless 0 is returned
 * @return 0; WW_EDATA when a problem was reported; WW_ENOMEM */
int ww_csv__read_doc(ww_csv_doc **out, const unsigned char *data, size_t size, size_t field_max,
                     int literal_quotes, const char *name, ww_diags *diags);
void ww_csv__doc_free(ww_csv_doc *doc);

/* The index of the field of record header named name (ASCII case ignored,
 * spaces and tabs around it too), or -1. */
long ww_csv__find_column(const ww_csv_record *header, const char *name);

/* Field col of record, or "" when col is negative or past its end. */
const char *ww_csv__cell(const ww_csv_record *record, long col);

/* 1 when s holds nothing but spaces and tabs. */
int ww_csv__is_blank(const char *s);

/* ---- an importer's table: header, then one row at a time ---------------- */

/* How ww_csv__read_table reads one kind of file, and what it found. */
typedef struct ww_csv_table {
    /* the kind of file */
    const ww_csv_column *columns; /* the columns it knows, mapped from the header */
    size_t n_columns;
    size_t field_max; /* longest field in bytes, and in words ("1 MiB") */
    const char *field_max_text;
    size_t malformed_max; /* more malformed rows than this stop reading */
    int literal_quotes;   /* ww_csv__literal_quotes() on */
    int malformed_kind;   /* the ww_diag__note kind malformed rows count as */
    const char *exports;  /* whose files they are ("WWC exports"), for the UTF-8 error */
    const char *what;     /* "a WWC findings CSV file": "(is this <what>?)" */
    /* what the importer does, each given ctx */
    int (*on_header)(void *ctx, const ww_csv_row *row); /* 1 read on, 0 refused, or < 0 */
    int (*on_row)(void *ctx, ww_csv_row *row);          /* 0, or < 0 to stop */
    void (*on_end)(void *ctx);                          /* after the last row; may be NULL */
    void *ctx;
    int *column; /* the caller's, n_columns long: header field of each, -1 when absent */
    /* filled in */
    ww_arena *arena;     /* made when NULL; the header names; the caller frees it */
    const char **header; /* header names, trimmed, as written */
    size_t n_header;
} ww_csv_table;

/* Read an importer's CSV data[0..size), reporting through d: "the file is
 * empty"; the first line that is not UTF-8 (naming t->exports); a header row that
 * is not valid CSV. Then the header is trimmed, kept in t->header, mapped
 * onto t->columns into t->column (a name given twice is a warning), and
 * passed to t->on_header. Each later row with as many fields as the header
 * goes to t->on_row; a row with another count or not valid CSV is a
 * t->malformed_kind note and is skipped; a field longer than t->field_max
 * is an error. More than t->malformed_max malformed rows stop reading.
 * t->on_end runs when the rows were read (not after a refusal or an
 * error). Does nothing more once d->rc is set.
 * @return 0 (errors may have been reported), or the first negative code of
 *         a callback, the reader or d->rc */
int ww_csv__read_table(ww_csv_table *t, const unsigned char *data, size_t size, ww_diag_ctx *d);

/* The header's own spelling of column e of t, or its preferred name when
 * the header lacks it: for messages. */
const char *ww_csv__column_name(const ww_csv_table *t, int e);

#endif
