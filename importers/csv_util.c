/*
 * csv_util.c — line-aware CSV reading on top of libcsv, shared by the CSV
 * importers (wwc.c, pilot_csv.c, ...), and the one loop the WWC importers
 * read their tables with (ww_csv__read_table). See csv_util.h for the
 * contract.
 *
 * How a record is read: scan() walks the bytes from the start of a line,
 * tracking only whether it is inside a quoted field, to find where the
 * record ends and how many lines it covers; the record's bytes then go to a
 * fresh pass of libcsv in strict mode (CSV_STRICT | CSV_STRICT_FINI), which
 * splits and unquotes the fields or says where the record breaks the rules.
 * The scan follows libcsv's own notion of a quoted field (a quote that
 * opens a field, after optional spaces), so both agree on every well-formed
 * record; on a malformed one the scan's only job is to stop somewhere
 * sensible, since the reader then restarts at the following line anyway.
 *
 * The scan also enforces the field cap before libcsv copies anything, so a
 * hostile file cannot make either grow a buffer past it.
 */
#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "csv_util.h"

struct ww_csv {
    const unsigned char *data;
    size_t size, pos; /* pos: start of the next record, always at a line start */
    long line;        /* line number at pos */
    size_t field_max;
    /* the record just read, for ww_csv__resync */
    size_t row_start;
    long row_line, row_last_line;
    /* field storage: text back to back, NUL-terminated, offsets per field */
    char *text;
    size_t text_len, text_alloc;
    size_t *offsets, *lengths;
    char **fields;
    size_t n_fields, fields_alloc;
    int oom;
    int ended; /* libcsv reported the end of the record */
    struct csv_parser parser;
    int parser_ready;
    int literal_quotes; /* ww_csv__literal_quotes() */
};

/* ---- small helpers ---------------------------------------------------- */

static size_t bom_length(const unsigned char *p, size_t n)
{
    return n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF ? 3 : 0;
}

/* Length of the line terminator at p[i] (LF, CRLF, lone CR), 0 if none. */
static size_t eol_length(const unsigned char *p, size_t n, size_t i)
{
    if (p[i] == '\n') return 1;
    if (p[i] == '\r') return i + 1 < n && p[i + 1] == '\n' ? 2 : 1;
    return 0;
}

static int is_blank_byte(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int ww_csv__blank(const unsigned char *data, size_t size)
{
    for (size_t i = bom_length(data, size); i < size; i++)
        if (!is_blank_byte(data[i])) return 0;
    return 1;
}

long ww_csv__bad_utf8_line(const unsigned char *data, size_t size)
{
    size_t start = bom_length(data, size);
    long line = 1;
    /* Line by line is exact: CR and LF are ASCII, so they never sit inside
     * a multi-byte sequence. */
    while (start < size) {
        size_t end = start, eol;
        while (end < size && data[end] != '\n' && data[end] != '\r') end++;
        if (!ww__utf8_valid((const char *)data + start, end - start)) return line;
        if (end == size) break;
        eol = eol_length(data, size, end);
        start = end + eol;
        line++;
    }
    return 0;
}

char *ww_csv__trim(char *s)
{
    size_t len = strlen(s), skip = 0;
    for (;;) {
        if (len > skip && is_blank_byte((unsigned char)s[len - 1])) {
            len--;
        } else if (len >= skip + 2 && (unsigned char)s[len - 2] == 0xC2 &&
                   (unsigned char)s[len - 1] == 0xA0) {
            len -= 2;
        } else {
            break;
        }
    }
    for (;;) {
        if (skip < len && is_blank_byte((unsigned char)s[skip])) {
            skip++;
        } else if (skip + 2 <= len && (unsigned char)s[skip] == 0xC2 &&
                   (unsigned char)s[skip + 1] == 0xA0) {
            skip += 2;
        } else {
            break;
        }
    }
    if (skip) memmove(s, s + skip, len - skip);
    s[len - skip] = '\0';
    return s;
}

/* ---- the reader ------------------------------------------------------- */

int ww_csv__open(ww_csv **out, const unsigned char *data, size_t size, size_t field_max)
{
    ww_csv *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r) return ww__error_oom();
    r->data = data;
    r->size = size;
    r->pos = bom_length(data, size);
    r->line = 1;
    r->field_max = field_max;
    *out = r;
    return 0;
}

void ww_csv__free(ww_csv *r)
{
    if (!r) return;
    if (r->parser_ready) csv_free(&r->parser);
    free(r->text);
    free(r->offsets);
    free(r->lengths);
    free(r->fields);
    free(r);
}

/* Where scan() found a record to end. */
typedef struct extent {
    size_t end;       /* first byte after the record's text (its terminator or EOF) */
    size_t next;      /* first byte of the next record */
    long last_line;   /* line of the record's last byte */
    int unterminated; /* EOF inside a quoted field */
    int too_long;     /* a field passed field_max */
    int too_many;     /* more than WW_CSV_MAX_FIELDS fields */
    size_t bad_field; /* the field at fault */
} extent;

static void scan(const ww_csv *r, extent *x)
{
    const unsigned char *p = r->data;
    size_t n = r->size, i = r->pos, field_len = 0, field = 0, quoted_field = 0;
    int quoted = 0, at_start = 1;
    long line = r->line;

    memset(x, 0, sizeof *x);
    while (i < n) {
        unsigned char c = p[i];
        size_t eol;
        if (quoted) {
            if (c == '"') {
                if (i + 1 < n && p[i + 1] == '"') {
                    i += 2;
                    field_len += 2;
                } else {
                    quoted = 0;
                    i++;
                    field_len++;
                }
            } else if ((eol = eol_length(p, n, i))) {
                line++;
                i += eol;
                field_len += eol;
            } else {
                i++;
                field_len++;
            }
        } else if (c == ',') {
            if (++field >= WW_CSV_MAX_FIELDS) {
                x->too_many = 1;
                x->bad_field = field;
                break;
            }
            field_len = 0;
            at_start = 1;
            i++;
            continue;
        } else if ((eol = eol_length(p, n, i))) {
            x->end = i;
            x->next = i + eol;
            x->last_line = line;
            return;
        } else {
            if (c == '"' && at_start) {
                quoted = 1;
                quoted_field = field;
            }
            if (c != ' ' && c != '\t') at_start = 0;
            i++;
            field_len++;
        }
        if (field_len > r->field_max) {
            x->too_long = 1;
            x->bad_field = field;
            break;
        }
    }
    x->end = x->next = i;
    x->last_line = line;
    if (quoted && i == n) {
        x->unterminated = 1;
        x->bad_field = quoted_field;
    }
}

/* The byte after the terminator of the line that starts at `from`. */
static size_t after_line(const ww_csv *r, size_t from)
{
    for (size_t i = from; i < r->size; i++) {
        size_t eol = eol_length(r->data, r->size, i);
        if (eol) return i + eol;
    }
    return r->size;
}

/* Continue with the line after the one the last record started on. */
static void restart_at_next_line(ww_csv *r)
{
    r->pos = after_line(r, r->row_start);
    r->line = r->row_line + 1;
    r->row_last_line = r->row_line;
}

/* Room for `need` fields and `text_need` bytes of text. -1 when out of
 * memory (what was grown stays valid). */
static int reserve(ww_csv *r, size_t need, size_t text_need)
{
    if (need > r->fields_alloc) {
        size_t n = r->fields_alloc ? r->fields_alloc * 2 : 32;
        size_t *offsets, *lengths;
        char **fields;
        while (n < need) n *= 2;
        if (!(offsets = realloc(r->offsets, n * sizeof *offsets))) return -1;
        r->offsets = offsets;
        if (!(lengths = realloc(r->lengths, n * sizeof *lengths))) return -1;
        r->lengths = lengths;
        if (!(fields = realloc(r->fields, n * sizeof *fields))) return -1;
        r->fields = fields;
        r->fields_alloc = n;
    }
    if (text_need > r->text_alloc) {
        size_t n = r->text_alloc ? r->text_alloc * 2 : 1024;
        char *text;
        while (n < text_need) n *= 2;
        if (!(text = realloc(r->text, n))) return -1;
        r->text = text;
        r->text_alloc = n;
    }
    return 0;
}

/* libcsv's field callback: append the field, CRLF and lone CR made LF. */
static void on_field(void *s, size_t len, void *data)
{
    ww_csv *r = data;
    const char *src = s ? (const char *)s : "";
    size_t j;
    if (r->oom || r->ended) return;
    if (!s) len = 0;
    if (reserve(r, r->n_fields + 1, r->text_len + len + 1) < 0) {
        r->oom = 1;
        return;
    }
    r->offsets[r->n_fields] = r->text_len;
    for (j = 0; j < len; j++) {
        char c = src[j];
        if (c == '\r') {
            if (j + 1 < len && src[j + 1] == '\n') continue;
            c = '\n';
        }
        r->text[r->text_len++] = c;
    }
    r->text[r->text_len++] = '\0';
    r->lengths[r->n_fields] = r->text_len - 1 - r->offsets[r->n_fields];
    r->n_fields++;
}

static void on_record(int c, void *data)
{
    ww_csv *r = data;
    (void)c;
    r->ended = 1;
}

/* Why libcsv stopped at byte `at` of the record. */
static const char *strict_problem(const unsigned char *p, size_t at, size_t end)
{
    if (at < end && p[at] == '"')
        return "a quote inside an unquoted field (a field that holds quotes must be enclosed "
               "in quotes, each inner quote doubled)";
    return "text after the closing quote of a quoted field (a quote inside a quoted field "
           "must be doubled)";
}

/* 1 when the record's bytes hold no line break but at their end: a stray
 * quote that runs a record on over later lines is never read leniently. */
static int one_line(const unsigned char *p, size_t n)
{
    while (n && (p[n - 1] == '\n' || p[n - 1] == '\r')) n--;
    return !memchr(p, '\n', n) && !memchr(p, '\r', n);
}

/* Split bytes [start, end) with libcsv. 0, 1 when malformed (row filled
 * in), or WW_ENOMEM. */
static int split(ww_csv *r, size_t start, size_t end, ww_csv_row *row)
{
    size_t len = end - start, done;
    int malformed = 0;

    r->n_fields = 0;
    r->text_len = 0;
    r->ended = 0;
    r->oom = 0;
    if (!r->parser_ready) {
        if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
            return ww__error_oom();
        /* libcsv's buffers through our allocator, so fault injection
         * reaches them too. */
        csv_set_realloc_func(&r->parser, realloc);
        csv_set_free_func(&r->parser, free);
        r->parser_ready = 1;
    }
    done = csv_parse(&r->parser, r->data + start, len, on_field, on_record, r);
    if (done < len || csv_error(&r->parser) != CSV_SUCCESS) {
        if (csv_error(&r->parser) == CSV_ENOMEM) r->oom = 1;
        malformed = 1;
        row->problem = strict_problem(r->data + start, done, len);
        row->bad_field = r->n_fields;
    } else if (csv_fini(&r->parser, on_field, on_record, r) != 0) {
        if (csv_error(&r->parser) == CSV_ENOMEM) r->oom = 1;
        malformed = 1;
        row->problem = "a quoted field is not closed";
        row->bad_field = r->n_fields;
    }
    if (malformed) {
        /* libcsv keeps its error state: start the next record afresh. */
        csv_free(&r->parser);
        r->parser_ready = 0;
    }
    if (malformed && !r->oom && r->literal_quotes && done < len && one_line(r->data + start, len)) {
        /* A quote inside a field that does not start with one can only be
         * text: read the record again with libcsv's non-strict rule, which
         * keeps such quotes as they are. Anything else still fails. */
        struct csv_parser lenient;
        size_t again;
        int ok;
        if (csv_init(&lenient, CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) return ww__error_oom();
        csv_set_realloc_func(&lenient, realloc);
        csv_set_free_func(&lenient, free);
        r->n_fields = 0;
        r->text_len = 0;
        r->ended = 0;
        again = csv_parse(&lenient, r->data + start, len, on_field, on_record, r);
        ok = again == len && csv_error(&lenient) == CSV_SUCCESS &&
             csv_fini(&lenient, on_field, on_record, r) == 0;
        if (!ok && csv_error(&lenient) == CSV_ENOMEM) r->oom = 1;
        csv_free(&lenient);
        if (r->oom) return ww__error_oom();
        if (ok) {
            row->literal_quote = 1;
            row->problem = NULL;
            return 0;
        }
        row->problem = strict_problem(r->data + start, done, len);
    }
    if (r->oom) return ww__error_oom();
    return malformed;
}

void ww_csv__literal_quotes(ww_csv *r, int on)
{
    r->literal_quotes = on;
}

int ww_csv__next(ww_csv *r, ww_csv_row *row)
{
    extent x;
    int rc;

    for (;;) {
        memset(row, 0, sizeof *row);
        if (r->pos >= r->size) return 0;
        scan(r, &x);
        row->line = r->line;
        row->last_line = x.last_line;
        r->row_start = r->pos;
        r->row_line = r->line;
        r->row_last_line = x.last_line;

        if (x.too_long || x.too_many || x.unterminated) {
            row->status = x.too_long ? WW_CSV_TOO_LONG : WW_CSV_MALFORMED;
            row->bad_field = x.bad_field;
            if (x.too_many)
                row->problem = "more than 4096 fields";
            else if (x.unterminated)
                row->problem = "a quoted field is not closed before the end of the file";
            /* Resume at the next line: with a missing closing quote, the
             * lines after this one are most likely rows of their own. */
            restart_at_next_line(r);
            return 1;
        }

        if ((rc = split(r, r->pos, x.end, row)) < 0) return rc;
        if (rc == 1) {
            row->status = WW_CSV_MALFORMED;
            if (x.last_line > r->line)
                row->problem = "a quoted field that starts on this line does not end properly "
                               "(a closing quote may be missing, or a quote inside it not doubled)";
            restart_at_next_line(r);
            return 1;
        }
        r->pos = x.next;
        r->line = x.last_line + 1;
        if (!r->ended) continue; /* a line of nothing but spaces */
        {
            int literal = row->literal_quote;
            memset(row, 0, sizeof *row);
            row->line = r->row_line;
            row->last_line = x.last_line;
            row->literal_quote = literal;
        }
        for (size_t i = 0; i < r->n_fields; i++) r->fields[i] = r->text + r->offsets[i];
        row->status = WW_CSV_ROW;
        row->n_fields = r->n_fields;
        row->fields = r->fields;
        row->lengths = r->lengths;
        return 1;
    }
}

void ww_csv__resync(ww_csv *r)
{
    if (r->row_last_line == r->row_line) return;
    restart_at_next_line(r);
}

/* ---- header ------------------------------------------------------------ */

static int names_equal(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen) return 0;
    for (size_t i = 0; i < alen; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z') x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (unsigned char)(y - 'A' + 'a');
        if (x != y) return 0;
    }
    return 1;
}

void ww_csv__map_header(const ww_csv_row *header, const ww_csv_column *table, size_t n, int *column,
                        int *field_entry)
{
    size_t f, e, k;
    /* rank[e]: index in names[] of the spelling chosen so far */
    for (e = 0; e < n; e++) column[e] = -1;
    for (f = 0; f < header->n_fields; f++) {
        const char *name = header->fields[f];
        size_t len = strlen(name);
        int dup = 0;
        field_entry[f] = WW_CSV_UNKNOWN;
        for (size_t g = 0; g < f && !dup; g++)
            if (names_equal(name, len, header->fields[g])) dup = 1;
        if (dup) {
            field_entry[f] = WW_CSV_DUPLICATE;
            continue;
        }
        for (e = 0; e < n && field_entry[f] == WW_CSV_UNKNOWN; e++) {
            for (k = 0; k < 4 && table[e].names[k]; k++) {
                if (!names_equal(name, len, table[e].names[k])) continue;
                field_entry[f] = (int)e;
                break;
            }
        }
    }
    /* Among the fields giving one entry, keep the preferred spelling. */
    for (e = 0; e < n; e++) {
        for (k = 0; k < 4 && table[e].names[k] && column[e] < 0; k++)
            for (f = 0; f < header->n_fields; f++)
                if (field_entry[f] == (int)e &&
                    names_equal(header->fields[f], strlen(header->fields[f]), table[e].names[k])) {
                    column[e] = (int)f;
                    break;
                }
        for (f = 0; f < header->n_fields; f++)
            if (field_entry[f] == (int)e && (int)f != column[e]) field_entry[f] = WW_CSV_SHADOWED;
    }
}

/* ---- sniffing ---------------------------------------------------------- */

size_t ww_csv__sniff_header(const unsigned char *data, size_t size, size_t window,
                            void (*fn)(void *ctx, const char *name, size_t len), void *ctx)
{
    size_t i = bom_length(data, size), end = size < window ? size : window, count = 0;
    char name[256];
    if (!data) return 0;
    while (i < end) {
        size_t len = 0;
        int quoted = 0;
        while (i < end && (data[i] == ' ' || data[i] == '\t')) i++;
        if (i < end && data[i] == '"') {
            quoted = 1;
            i++;
        }
        while (i < end) {
            unsigned char c = data[i];
            if (quoted && c == '"') {
                if (i + 1 < end && data[i + 1] == '"') {
                    i++;
                } else {
                    quoted = 0;
                    i++;
                    continue;
                }
            } else if (!quoted && (c == ',' || c == '\n' || c == '\r')) {
                break;
            }
            if (len + 1 < sizeof name) name[len++] = (char)c;
            i++;
        }
        while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t')) len--;
        name[len] = '\0';
        fn(ctx, name, len);
        count++;
        if (i >= end || data[i] != ',') break;
        i++;
    }
    return count;
}

/* ---- whole documents ---------------------------------------------------- */

int ww_csv__read_file(unsigned char **out, size_t *size, const char *path, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t len = 0, alloc = 0;
    int error = 0;

    *out = NULL;
    *size = 0;
    if (!fp) {
        int e = errno;
        return ww__error(e == ENOENT ? WW_ENOTFOUND : WW_EIO, "%s: %s", path, strerror(e));
    }
    for (;;) {
        size_t got;
        if (len == alloc) {
            size_t na = alloc ? 2 * alloc : 65536;
            unsigned char *nb;
            if (alloc > cap) break;
            if (!(nb = realloc(buf, na + 1))) {
                error = ww__error_oom();
                goto done;
            }
            buf = nb;
            alloc = na;
        }
        errno = 0;
        got = fread(buf + len, 1, alloc - len, fp);
        len += got;
        if (got == 0) break;
    }
    if (ferror(fp)) {
        /* A directory opens but cannot be read: there is no such file. */
        int e = errno;
        error = ww__error(e == EISDIR ? WW_ENOTFOUND : WW_EIO, "%s: %s", path,
                          e ? strerror(e) : "read error");
        goto done;
    }
    if (len > cap) {
        error = ww__error(WW_EDATA, "%s: larger than %zu MiB", path, cap >> 20);
        goto done;
    }
    if (!buf && !(buf = malloc(1))) {
        error = ww__error_oom();
        goto done;
    }
    buf[len] = '\0';
    *out = buf;
    *size = len;
    buf = NULL;
done:
    free(buf);
    fclose(fp);
    return error;
}

void ww_csv__doc_free(ww_csv_doc *doc)
{
    if (!doc) return;
    ww_arena__free(doc->arena);
    free(doc->records);
    free(doc);
}

/* Keep a well-formed record: its fields into the arena. */
static int keep_record(ww_csv_doc *doc, const ww_csv_row *row)
{
    ww_csv_record *rec;
    if (doc->n == doc->alloc) {
        size_t na = doc->alloc ? 2 * doc->alloc : 64;
        ww_csv_record *grown = realloc(doc->records, na * sizeof *grown);
        if (!grown) return ww__error_oom();
        doc->records = grown;
        doc->alloc = na;
    }
    rec = &doc->records[doc->n];
    rec->line = row->line;
    rec->n_fields = row->n_fields;
    rec->fields =
        ww_arena__alloc(doc->arena, (row->n_fields ? row->n_fields : 1) * sizeof *rec->fields);
    if (!rec->fields) return ww__error_oom();
    for (size_t i = 0; i < row->n_fields; i++)
        if (!(rec->fields[i] = ww_arena__strndup(doc->arena, row->fields[i], row->lengths[i])))
            return ww__error_oom();
    doc->n++;
    return 0;
}

int ww_csv__read_doc(ww_csv_doc **out, const unsigned char *data, size_t size, size_t field_max,
                     int literal_quotes, const char *name, ww_diags *diags)
{
    ww_csv_doc *doc = NULL;
    ww_csv *r = NULL;
    ww_csv_row row;
    long bad_line;
    int error = 0, bad = 0, more;

    *out = NULL;
    if ((bad_line = ww_csv__bad_utf8_line(data, size)) > 0) {
        if ((error = ww_diags__add(diags, 0, name, bad_line, "file", "not valid UTF-8 text")) < 0)
            return error;
        return WW_EDATA;
    }
    if (!(doc = calloc(1, sizeof *doc))) return ww__error_oom();
    if ((error = ww_arena__new(&doc->arena)) < 0 ||
        (error = ww_csv__open(&r, data, size, field_max)) < 0)
        goto done;
    ww_csv__literal_quotes(r, literal_quotes);
    while ((more = ww_csv__next(r, &row)) == 1) {
        if (row.status == WW_CSV_ROW) {
            if ((error = keep_record(doc, &row)) < 0) goto done;
            continue;
        }
        bad = 1;
        if (row.status == WW_CSV_TOO_LONG)
            error =
                ww_diags__add(diags, 0, name, row.line, "file",
                              "field %zu is longer than %zu bytes", row.bad_field + 1, field_max);
        else
            error = ww_diags__add(diags, 0, name, row.line, "file",
                                  "not well-formed CSV, e.g. a stray or unclosed quote (%s)",
                                  row.problem);
        if (error < 0) goto done;
    }
    if (more < 0) {
        error = more;
        goto done;
    }
    if (bad) error = WW_EDATA;
done:
    ww_csv__free(r);
    if (error < 0) {
        ww_csv__doc_free(doc);
        return error;
    }
    *out = doc;
    return 0;
}

long ww_csv__find_column(const ww_csv_record *header, const char *name)
{
    size_t want = strlen(name);
    for (size_t i = 0; i < header->n_fields; i++) {
        const char *h = header->fields[i];
        size_t hl;
        while (*h == ' ' || *h == '\t') h++;
        hl = strlen(h);
        while (hl && (h[hl - 1] == ' ' || h[hl - 1] == '\t')) hl--;
        if (hl == want && names_equal(h, hl, name)) return (long)i;
    }
    return -1;
}

const char *ww_csv__cell(const ww_csv_record *record, long col)
{
    return col >= 0 && (size_t)col < record->n_fields ? record->fields[col] : "";
}

int ww_csv__is_blank(const char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    return *s == '\0';
}

/* ---- an importer's table ---------------------------------------------------- */

static const char *table_field(const ww_csv_table *t, size_t f)
{
    return f < t->n_header ? t->header[f] : NULL;
}

const char *ww_csv__column_name(const ww_csv_table *t, int e)
{
    return t->column[e] >= 0 ? t->header[t->column[e]] : t->columns[e].names[0];
}

/* Keep the header's names and map them. Returns 0 or a negative code. */
static int table_header(ww_csv_table *t, ww_csv_row *row, ww_diag_ctx *d)
{
    int *entry = NULL;
    t->n_header = row->n_fields;
    if (!(t->header = ww_arena__alloc(t->arena, row->n_fields * sizeof *t->header)) ||
        !(entry = malloc(row->n_fields * sizeof *entry)))
        return d->rc = ww__error_oom();
    for (size_t f = 0; f < row->n_fields; f++) {
        ww_csv__trim(row->fields[f]);
        if (!(t->header[f] = ww_arena__strdup(t->arena, row->fields[f]))) {
            free(entry);
            return d->rc = ww__error_oom();
        }
    }
    ww_csv__map_header(row, t->columns, t->n_columns, t->column, entry);
    for (size_t f = 0; f < row->n_fields; f++)
        if (entry[f] == WW_CSV_DUPLICATE)
            ww_diag__add(d, 1, row->line, t->header[f],
                         "appears more than once in the header; the first is used");
    free(entry);
    return 0;
}

int ww_csv__read_table(ww_csv_table *t, const unsigned char *data, size_t size, ww_diag_ctx *d)
{
    ww_csv *r = NULL;
    ww_csv_row row;
    size_t malformed = 0;
    long bad_line;
    int error = 0, got;

    if (!data || ww_csv__blank(data, size)) {
        ww_diag__add(d, 0, 0, NULL, "the file is empty");
        goto done;
    }
    if ((bad_line = ww_csv__bad_utf8_line(data, size)) > 0) {
        ww_diag__add(d, 0, bad_line, "encoding",
                     "this line is not valid UTF-8 (%s are UTF-8; a file re-saved by Excel as "
                     "Latin-1 or Windows-1252 must be exported again as UTF-8)",
                     t->exports);
        goto done;
    }
    if ((!t->arena && (error = ww_arena__new(&t->arena)) < 0) ||
        (error = ww_csv__open(&r, data, size, t->field_max)) < 0)
        goto done;
    if (t->literal_quotes) ww_csv__literal_quotes(r, 1);

    if ((got = ww_csv__next(r, &row)) < 0) {
        error = got;
        goto done;
    }
    if (got == 0 || row.status != WW_CSV_ROW) {
        ww_diag__add(d, 0, got ? row.line : 0, NULL, "the header row is not valid CSV: %s%s",
                     !got                            ? "there is none"
                     : row.status == WW_CSV_TOO_LONG ? "a field is longer than "
                                                     : row.problem,
                     got && row.status == WW_CSV_TOO_LONG ? t->field_max_text : "");
        goto done;
    }
    if ((error = table_header(t, &row, d)) < 0) goto done;
    if ((got = t->on_header(t->ctx, &row)) <= 0) {
        error = got;
        goto done;
    }

    while (d->rc == 0 && (got = ww_csv__next(r, &row)) == 1) {
        if (row.status == WW_CSV_ROW && row.n_fields != t->n_header) {
            malformed++;
            ww_diag__note(d, t->malformed_kind, row.line, NULL,
                          "row skipped: it has %zu fields, the header %zu", row.n_fields,
                          t->n_header);
            ww_csv__resync(r);
        } else if (row.status == WW_CSV_MALFORMED) {
            malformed++;
            ww_diag__note(d, t->malformed_kind, row.line, table_field(t, row.bad_field),
                          "row skipped: %s", row.problem);
        } else if (row.status == WW_CSV_TOO_LONG) {
            ww_diag__add(d, 0, row.line, table_field(t, row.bad_field),
                         "a field longer than %s (the limit for one field); the file is refused",
                         t->field_max_text);
        } else if ((error = t->on_row(t->ctx, &row)) < 0) {
            goto done;
        }
        if (malformed > t->malformed_max) {
            ww_diag__add(d, 0, row.line, NULL,
                         "more than %zu malformed rows: reading stopped here (is this %s?)",
                         t->malformed_max, t->what);
            break;
        }
    }
    if (got < 0) {
        error = got;
        goto done;
    }
    if (t->on_end) t->on_end(t->ctx);

done:
    ww_csv__free(r);
    if (error == 0 && d->rc < 0) error = d->rc;
    return error;
}
