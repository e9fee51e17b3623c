/*
 * xlsx.c — the .xlsx reader behind importers that read workbooks (xlsx.h).
 * An .xlsx is an Open Packaging Conventions zip: _rels/.rels names the
 * workbook part, the workbook's own relationships name its worksheets and
 * shared-string table, and each worksheet is <sheetData> of <row>s of <c>
 * cells. libzip reads the zip from memory and checks each entry's CRC as it
 * is inflated; each part is inflated a chunk at a time into libxml2's
 * streaming reader (xmlReaderForIO), so memory stays flat however large a
 * sheet is, and the byte counter in the read callback enforces the caps
 * whatever the zip's central directory claims (a zip bomb lies there).
 *
 * Safety, as in the XML importers (revman.c, submission.c): libxml2 runs
 * with XML_PARSE_NONET only (no entity substitution, no DTD loading, its
 * default size limits); the read callback refuses a part the moment its
 * bytes hold "<!DOCTYPE" or "<!ENTITY", before libxml2 sees them, and a
 * DOCTYPE or entity node is a second line of defence. Depth, entries,
 * strings and sizes are bounded (xlsx.h). Messages name the part and line.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <zip.h>

#include "../util/util.h"
#include "xlsx.h"

#if LIBXML_VERSION >= 21200
typedef const xmlError *xlsx_error_ptr;
#else
typedef xmlErrorPtr xlsx_error_ptr;
#endif

#define XLSX_MAX_ROW 1048576L
#define XLSX_MAX_COL 16384
#define XLSX_NAME_CAP 256
#define XLSX_RATIO_FLOOR ((size_t)1 << 20)
#define REL_NS "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define REL_NS_STRICT "http://purl.oclc.org/ooxml/officeDocument/relationships"

typedef struct xlsx_sheet {
    char *name;
    char *part; /* NULL: not a worksheet */
} xlsx_sheet;

struct ww_xlsx {
    zip_t *zip;
    const char *name;
    ww_xlsx_limits lim;
    ww_arena *arena;
    xlsx_sheet *sheets;
    size_t n_sheets;
    const char **strings;
    size_t n_strings, alloc_strings, string_bytes;
    size_t total_read;
};

void ww_xlsx__default_limits(ww_xlsx_limits *l)
{
    l->max_entries = 10000;
    l->max_part_bytes = (size_t)64 << 20;
    l->max_total_bytes = (size_t)256 << 20;
    l->max_ratio = 200.0;
    l->max_strings = 1000000;
    l->max_string_bytes = (size_t)64 << 20;
    l->max_cell_bytes = (size_t)256 << 10;
    l->max_depth = 64;
}

/* ---- references ----------------------------------------------------------- */

int ww_xlsx__parse_ref(const char *ref, long *row, int *col)
{
    long c = 0, r = 0;
    size_t i = 0, letters = 0, digits = 0;
    if (!ref) return WW_EDATA;
    if (ref[i] == '$') i++;
    for (; ref[i] >= 'A' && ref[i] <= 'Z'; i++, letters++) {
        c = c * 26 + (ref[i] - 'A' + 1);
        if (c > XLSX_MAX_COL) return WW_EDATA;
    }
    if (ref[i] == '$') i++;
    for (; ref[i] >= '0' && ref[i] <= '9'; i++, digits++) {
        r = r * 10 + (ref[i] - '0');
        if (r > XLSX_MAX_ROW) return WW_EDATA;
    }
    if (!letters || !digits || ref[i] || r < 1) return WW_EDATA;
    *row = r;
    *col = (int)c;
    return 0;
}

void ww_xlsx__col_name(char *buf, size_t n, int col)
{
    char tmp[8];
    size_t k = 0, o = 0;
    if (!n) return;
    while (col > 0 && k < sizeof tmp) {
        int d = (col - 1) % 26;
        tmp[k++] = (char)('A' + d);
        col = (col - 1) / 26;
    }
    while (k && o + 1 < n) buf[o++] = tmp[--k];
    buf[o] = '\0';
}

/* ---- reading a part --------------------------------------------------------- */

/* What one streamed part is doing; the callbacks of one reader. */
typedef struct part_reader {
    ww_xlsx *x;
    const char *part;
    zip_file_t *zf;
    zip_uint64_t compressed;
    size_t read;
    char tail[8]; /* the last bytes of the previous chunk, for markers split across two */
    size_t tail_n;
    int refused; /* a DOCTYPE or entity declaration seen */
    int too_big; /* a cap passed */
    int zip_error;
    char xml_msg[256];
    long xml_line;
} part_reader;

static int contains(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0) return 1;
    return 0;
}

static int part_read(void *ctx, char *buf, int len)
{
    part_reader *p = ctx;
    ww_xlsx *x = p->x;
    zip_int64_t got;
    char window[8 + 4096];
    if (p->refused || p->too_big || p->zip_error) return -1;
    if (len > 4096) len = 4096;
    got = zip_fread(p->zf, buf, (zip_uint64_t)len);
    if (got < 0) {
        p->zip_error = 1;
        return -1;
    }
    p->read += (size_t)got;
    x->total_read += (size_t)got;
    if (p->read > x->lim.max_part_bytes || x->total_read > x->lim.max_total_bytes ||
        (p->read > XLSX_RATIO_FLOOR &&
         (double)p->read > x->lim.max_ratio * (double)(p->compressed + 1))) {
        p->too_big = 1;
        return -1;
    }
    /* Refuse markup that declares a DTD or entities, before libxml2 reads it. */
    memcpy(window, p->tail, p->tail_n);
    memcpy(window + p->tail_n, buf, (size_t)got);
    if (contains(window, p->tail_n + (size_t)got, "<!DOCTYPE") ||
        contains(window, p->tail_n + (size_t)got, "<!ENTITY")) {
        p->refused = 1;
        return -1;
    }
    {
        size_t keep =
            p->tail_n + (size_t)got < sizeof p->tail ? p->tail_n + (size_t)got : sizeof p->tail;
        memmove(p->tail, window + p->tail_n + (size_t)got - keep, keep);
        p->tail_n = keep;
    }
    return (int)got;
}

static int part_close(void *ctx)
{
    (void)ctx;
    return 0;
}

static void on_xml_error(void *ctx, xlsx_error_ptr e)
{
    part_reader *p = ctx;
    size_t n;
    if (!e || p->xml_msg[0]) return;
    snprintf(p->xml_msg, sizeof p->xml_msg, "%s", e->message ? e->message : "not well-formed XML");
    n = strlen(p->xml_msg);
    while (n && (p->xml_msg[n - 1] == '\n' || p->xml_msg[n - 1] == ' ')) p->xml_msg[--n] = '\0';
    p->xml_line = e->line;
}

/* Element events of one part. name is the local name; a handler returns 0
 * or a negative code (its error already set). */
typedef struct part_events {
    int (*start)(void *ctx, xmlTextReaderPtr r, const char *name, int depth);
    int (*end)(void *ctx, const char *name, int depth);
    int (*text)(void *ctx, const char *text);
    void *ctx;
} part_events;

static int bad_part(ww_xlsx *x, const char *part, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int bad_part(ww_xlsx *x, const char *part, long line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0) return ww__error(WW_EDATA, "%s: %s:%ld: %s", x->name, part, line, msg);
    return ww__error(WW_EDATA, "%s: %s: %s", x->name, part, msg);
}

/* Stream the part called path through ev. missing_ok: a part that is not
 * in the zip is no error (returns WW_ENOTFOUND quietly). */
static int read_part(ww_xlsx *x, const char *path, const part_events *ev, int missing_ok)
{
    part_reader p;
    xmlTextReaderPtr r = NULL;
    zip_int64_t idx;
    zip_stat_t st;
    int ret = 0, error = 0;

    memset(&p, 0, sizeof p);
    p.x = x;
    p.part = path;
    idx = zip_name_locate(x->zip, path, ZIP_FL_NOCASE);
    if (idx < 0) {
        if (missing_ok) return WW_ENOTFOUND;
        return bad_part(x, path, 0, "the workbook names this part but the zip does not hold it");
    }
    zip_stat_init(&st);
    if (zip_stat_index(x->zip, (zip_uint64_t)idx, 0, &st) < 0)
        return bad_part(x, path, 0, "cannot be read from the zip: %s", zip_strerror(x->zip));
    p.compressed = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
    if (!(p.zf = zip_fopen_index(x->zip, (zip_uint64_t)idx, 0)))
        return bad_part(x, path, 0, "cannot be opened in the zip: %s", zip_strerror(x->zip));
    r = xmlReaderForIO(part_read, part_close, &p, path, NULL, XML_PARSE_NONET | XML_PARSE_COMPACT);
    if (!r) {
        error = ww__error_oom();
        goto done;
    }
    xmlTextReaderSetStructuredErrorHandler(r, on_xml_error, &p);
    while (error == 0 && (ret = xmlTextReaderRead(r)) == 1) {
        int type = xmlTextReaderNodeType(r), depth = xmlTextReaderDepth(r);
        if (depth > x->lim.max_depth) {
            error = bad_part(x, path, xmlTextReaderGetParserLineNumber(r),
                             "elements nest more than %d deep", x->lim.max_depth);
            break;
        }
        switch (type) {
        case XML_READER_TYPE_ELEMENT: {
            const char *name = (const char *)xmlTextReaderConstLocalName(r);
            int empty = xmlTextReaderIsEmptyElement(r);
            if (ev->start && (error = ev->start(ev->ctx, r, name ? name : "", depth)) < 0) break;
            if (empty && ev->end) error = ev->end(ev->ctx, name ? name : "", depth);
            break;
        }
        case XML_READER_TYPE_END_ELEMENT:
            if (ev->end) {
                const char *name = (const char *)xmlTextReaderConstLocalName(r);
                error = ev->end(ev->ctx, name ? name : "", depth);
            }
            break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
            if (ev->text) {
                const char *v = (const char *)xmlTextReaderConstValue(r);
                if (v) error = ev->text(ev->ctx, v);
            }
            break;
        case XML_READER_TYPE_DOCUMENT_TYPE:
        case XML_READER_TYPE_ENTITY_REFERENCE:
        case XML_READER_TYPE_ENTITY:
            error = bad_part(x, path, xmlTextReaderGetParserLineNumber(r),
                             "DTDs and entities are refused for safety");
            break;
        default: break;
        }
    }
    if (error < 0) goto done;
    if (p.refused)
        error = bad_part(x, path, 0,
                         "holds a DOCTYPE or an entity declaration; workbooks have none, and "
                         "DTDs and entities are refused for safety");
    else if (p.too_big)
        error = bad_part(x, path, 0,
                         "inflates past the limits (%zu bytes a part, %zu bytes in all, %g times "
                         "its compressed size): refused as a possible zip bomb",
                         x->lim.max_part_bytes, x->lim.max_total_bytes, x->lim.max_ratio);
    else if (p.zip_error)
        error = bad_part(x, path, 0, "cannot be inflated: %s", zip_file_strerror(p.zf));
    else if (ret < 0)
        error = bad_part(x, path, p.xml_line, "not well-formed XML%s%s", p.xml_msg[0] ? ": " : "",
                         p.xml_msg);
done:
    if (r) xmlFreeTextReader(r);
    if (p.zf) zip_fclose(p.zf);
    return error;
}

/* An attribute's value copied into the arena (NULL when absent). */
static int attr(ww_xlsx *x, xmlTextReaderPtr r, const char *name, const char *ns, char **out)
{
    xmlChar *v = ns ? xmlTextReaderGetAttributeNs(r, (const xmlChar *)name, (const xmlChar *)ns)
                    : xmlTextReaderGetAttribute(r, (const xmlChar *)name);
    *out = NULL;
    if (!v) return 0;
    if (strlen((const char *)v) >= XLSX_NAME_CAP * 4) {
        xmlFree(v);
        return bad_part(x, "attribute", 0, "%s is longer than %d bytes", name, XLSX_NAME_CAP * 4);
    }
    *out = ww_arena__strdup(x->arena, (const char *)v);
    xmlFree(v);
    return *out ? 0 : ww__error_oom();
}

/* ---- relationships ------------------------------------------------------------ */

typedef struct rel {
    char *id, *type, *target; /* target resolved to a zip path */
} rel;

typedef struct rels_reader {
    ww_xlsx *x;
    const char *base; /* the source part's folder, "" or "xl/" */
    rel *rels;
    size_t n, alloc;
} rels_reader;

/* Resolve target against base (an OPC part name is relative to its source
 * part's folder, or absolute from the package root); "." and ".." are
 * folded, and a path that climbs out of the package is refused. */
static int resolve(ww_xlsx *x, const char *base, const char *target, char **out)
{
    char path[1024];
    size_t n = 0;
    const char *s;
    *out = NULL;
    if (target[0] == '/') {
        path[0] = '\0';
        s = target + 1;
    } else {
        if (strlen(base) >= sizeof path) return bad_part(x, base, 0, "part name too long");
        memcpy(path, base, strlen(base) + 1);
        n = strlen(path);
        s = target;
    }
    while (*s) {
        size_t seg = strcspn(s, "/");
        if (seg == 1 && s[0] == '.') {
            /* nothing */
        } else if (seg == 2 && s[0] == '.' && s[1] == '.') {
            if (n == 0) return bad_part(x, target, 0, "a relationship points outside the package");
            n--; /* the '/' ending the last folder */
            while (n && path[n - 1] != '/') n--;
        } else if (seg) {
            if (n + seg + 2 >= sizeof path) return bad_part(x, target, 0, "part name too long");
            memcpy(path + n, s, seg);
            n += seg;
            if (s[seg] == '/') path[n++] = '/';
        }
        s += seg;
        if (*s == '/') s++;
        path[n] = '\0';
    }
    if (!(*out = ww_arena__strdup(x->arena, path))) return ww__error_oom();
    return 0;
}

static int rels_start(void *ctx, xmlTextReaderPtr r, const char *name, int depth)
{
    rels_reader *rr = ctx;
    char *id, *type, *target, *mode;
    int error;
    (void)depth;
    if (strcmp(name, "Relationship") != 0) return 0;
    if ((error = attr(rr->x, r, "Id", NULL, &id)) < 0 ||
        (error = attr(rr->x, r, "Type", NULL, &type)) < 0 ||
        (error = attr(rr->x, r, "Target", NULL, &target)) < 0 ||
        (error = attr(rr->x, r, "TargetMode", NULL, &mode)) < 0)
        return error;
    if (!id || !type || !target) return 0;
    if (mode && strcmp(mode, "External") == 0) return 0; /* never followed */
    if (rr->n == rr->alloc) {
        size_t na = rr->alloc ? 2 * rr->alloc : 16;
        rel *p;
        if (na > rr->x->lim.max_entries + 16)
            return bad_part(rr->x, "relationships", 0, "more relationships than zip entries");
        if (!(p = ww_arena__alloc(rr->x->arena, na * sizeof *p))) return ww__error_oom();
        if (rr->n) memcpy(p, rr->rels, rr->n * sizeof *p);
        rr->rels = p;
        rr->alloc = na;
    }
    rr->rels[rr->n].id = id;
    rr->rels[rr->n].type = type;
    if ((error = resolve(rr->x, rr->base, target, &rr->rels[rr->n].target)) < 0) return error;
    rr->n++;
    return 0;
}

static int ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

/* The relationships of part (e.g. "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels"). */
static int read_rels(ww_xlsx *x, const char *part, rels_reader *rr)
{
    char path[1100], base[1024];
    const char *slash = strrchr(part, '/');
    size_t dir = slash ? (size_t)(slash - part) + 1 : 0;
    part_events ev = {rels_start, NULL, NULL, rr};
    if (dir >= sizeof base) return bad_part(x, part, 0, "part name too long");
    memcpy(base, part, dir);
    base[dir] = '\0';
    snprintf(path, sizeof path, "%s_rels/%s.rels", base, part + dir);
    memset(rr, 0, sizeof *rr);
    rr->x = x;
    rr->base = base;
    return read_part(x, path, &ev, 1);
}

/* ---- workbook.xml --------------------------------------------------------------- */

typedef struct book_reader {
    ww_xlsx *x;
    const rels_reader *rels;
    size_t alloc;
} book_reader;

static int book_start(void *ctx, xmlTextReaderPtr r, const char *name, int depth)
{
    book_reader *b = ctx;
    ww_xlsx *x = b->x;
    char *sheet_name, *rid;
    int error;
    (void)depth;
    if (strcmp(name, "sheet") != 0) return 0;
    if ((error = attr(x, r, "name", NULL, &sheet_name)) < 0) return error;
    if ((error = attr(x, r, "id", REL_NS, &rid)) < 0) return error;
    if (!rid && (error = attr(x, r, "id", REL_NS_STRICT, &rid)) < 0) return error;
    if (!sheet_name || !*sheet_name)
        return bad_part(x, "workbook", xmlTextReaderGetParserLineNumber(r), "a sheet has no name");
    if (strlen(sheet_name) >= XLSX_NAME_CAP)
        return bad_part(x, "workbook", xmlTextReaderGetParserLineNumber(r),
                        "a sheet name is longer than %d bytes", XLSX_NAME_CAP);
    if (x->n_sheets == b->alloc) {
        size_t na = b->alloc ? 2 * b->alloc : 16;
        xlsx_sheet *p;
        if (x->n_sheets >= x->lim.max_entries)
            return bad_part(x, "workbook", 0, "more sheets than zip entries");
        if (!(p = ww_arena__alloc(x->arena, na * sizeof *p))) return ww__error_oom();
        if (x->n_sheets) memcpy(p, x->sheets, x->n_sheets * sizeof *p);
        x->sheets = p;
        b->alloc = na;
    }
    x->sheets[x->n_sheets].name = sheet_name;
    x->sheets[x->n_sheets].part = NULL;
    for (size_t i = 0; rid && i < b->rels->n; i++)
        if (strcmp(b->rels->rels[i].id, rid) == 0 && ends_with(b->rels->rels[i].type, "/worksheet"))
            x->sheets[x->n_sheets].part = b->rels->rels[i].target;
    x->n_sheets++;
    return 0;
}

/* ---- text: _xHHHH_ escapes and a capped buffer --------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* SpreadsheetML writes characters XML cannot carry as _xHHHH_ (ECMA-376
 * Part 1, 22.9.2.19 ST_Xstring); "_x005F_" escapes an underscore. Decoded
 * in place (never longer). Control characters other than tab, CR and LF,
 * and surrogates, are left as written. */
static void unescape_xstring(char *s)
{
    char *o = s;
    for (const char *p = s; *p;) {
        if (p[0] == '_' && p[1] == 'x' && hexval(p[2]) >= 0 && hexval(p[3]) >= 0 &&
            hexval(p[4]) >= 0 && hexval(p[5]) >= 0 && p[6] == '_') {
            unsigned v = (unsigned)(hexval(p[2]) << 12 | hexval(p[3]) << 8 | hexval(p[4]) << 4 |
                                    hexval(p[5]));
            int ok =
                (v >= 0x20 || v == 0x09 || v == 0x0A || v == 0x0D) && !(v >= 0xD800 && v <= 0xDFFF);
            if (ok) {
                if (v < 0x80) {
                    *o++ = (char)v;
                } else if (v < 0x800) {
                    *o++ = (char)(0xC0 | (v >> 6));
                    *o++ = (char)(0x80 | (v & 0x3F));
                } else {
                    *o++ = (char)(0xE0 | (v >> 12));
                    *o++ = (char)(0x80 | ((v >> 6) & 0x3F));
                    *o++ = (char)(0x80 | (v & 0x3F));
                }
                p += 7;
                continue;
            }
        }
        *o++ = *p++;
    }
    *o = '\0';
}

/* ---- sharedStrings.xml --------------------------------------------------------------- */

typedef struct sst_reader {
    ww_xlsx *x;
    ww_buf text;
    int in_si, in_t, in_rph;
} sst_reader;

static int sst_start(void *ctx, xmlTextReaderPtr r, const char *name, int depth)
{
    sst_reader *s = ctx;
    (void)r;
    (void)depth;
    if (strcmp(name, "si") == 0) {
        s->in_si = 1;
        s->text.size = 0;
        if (s->text.data) s->text.data[0] = '\0';
    } else if (strcmp(name, "rPh") == 0) {
        s->in_rph++;
    } else if (strcmp(name, "t") == 0 && s->in_si && !s->in_rph) {
        s->in_t = 1;
    }
    return 0;
}

static int sst_text(void *ctx, const char *text)
{
    sst_reader *s = ctx;
    if (!s->in_t) return 0;
    if (s->text.size + strlen(text) > s->x->lim.max_cell_bytes)
        return bad_part(s->x, "shared strings", 0, "string %zu is longer than %zu bytes",
                        s->x->n_strings, s->x->lim.max_cell_bytes);
    return ww_buf__puts(&s->text, text);
}

static int sst_end(void *ctx, const char *name, int depth)
{
    sst_reader *s = ctx;
    ww_xlsx *x = s->x;
    char *copy;
    (void)depth;
    if (strcmp(name, "t") == 0) {
        s->in_t = 0;
    } else if (strcmp(name, "rPh") == 0) {
        if (s->in_rph) s->in_rph--;
    } else if (strcmp(name, "si") == 0 && s->in_si) {
        s->in_si = 0;
        if (x->n_strings >= x->lim.max_strings)
            return bad_part(x, "shared strings", 0, "more than %zu strings", x->lim.max_strings);
        x->string_bytes += s->text.size + 1;
        if (x->string_bytes > x->lim.max_string_bytes)
            return bad_part(x, "shared strings", 0, "the strings pass %zu bytes",
                            x->lim.max_string_bytes);
        if (x->n_strings == x->alloc_strings) {
            size_t na = x->alloc_strings ? 2 * x->alloc_strings : 1024;
            const char **p = realloc(x->strings, na * sizeof *p);
            if (!p) return ww__error_oom();
            x->strings = p;
            x->alloc_strings = na;
        }
        if (!(copy = ww_arena__strndup(x->arena, s->text.data ? s->text.data : "", s->text.size)))
            return ww__error_oom();
        unescape_xstring(copy);
        x->strings[x->n_strings++] = copy;
    }
    return 0;
}

/* ---- opening ----------------------------------------------------------------------- */

static int check_entries(ww_xlsx *x)
{
    zip_int64_t n = zip_get_num_entries(x->zip, 0);
    zip_uint64_t declared = 0;
    if (n < 0) return ww__error(WW_EDATA, "%s: not a readable zip", x->name);
    if ((zip_uint64_t)n > x->lim.max_entries)
        return ww__error(WW_EDATA, "%s: the zip holds %lld entries, more than the %zu allowed",
                         x->name, (long long)n, x->lim.max_entries);
    for (zip_int64_t i = 0; i < n; i++) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(x->zip, (zip_uint64_t)i, 0, &st) < 0)
            return ww__error(WW_EDATA, "%s: zip entry %lld cannot be read: %s", x->name,
                             (long long)i, zip_strerror(x->zip));
        if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
            return ww__error(WW_EDATA, "%s: %s is encrypted; a protected workbook cannot be read",
                             x->name, st.name ? st.name : "an entry");
        if (!(st.valid & ZIP_STAT_SIZE)) continue;
        if (st.size > x->lim.max_part_bytes)
            return ww__error(
                WW_EDATA,
                "%s: %s declares %llu bytes inflated, more than the %zu allowed a part: "
                "refused as a possible zip bomb",
                x->name, st.name ? st.name : "an entry", (unsigned long long)st.size,
                x->lim.max_part_bytes);
        if ((st.valid & ZIP_STAT_COMP_SIZE) && st.size > XLSX_RATIO_FLOOR &&
            (double)st.size > x->lim.max_ratio * (double)(st.comp_size + 1))
            return ww__error(WW_EDATA,
                             "%s: %s declares %llu bytes from %llu compressed, more than %g times: "
                             "refused as a possible zip bomb",
                             x->name, st.name ? st.name : "an entry", (unsigned long long)st.size,
                             (unsigned long long)st.comp_size, x->lim.max_ratio);
        declared += st.size;
    }
    if (declared > x->lim.max_total_bytes)
        return ww__error(WW_EDATA,
                         "%s: the entries declare %llu bytes inflated, more than the %zu allowed: "
                         "refused as a possible zip bomb",
                         x->name, (unsigned long long)declared, x->lim.max_total_bytes);
    return 0;
}

int ww_xlsx__open(ww_xlsx **out, const unsigned char *data, size_t size, const char *name,
                  const ww_xlsx_limits *limits)
{
    ww_xlsx *x;
    zip_source_t *src;
    zip_error_t zerr;
    rels_reader pkg, wb_rels;
    const char *workbook = "xl/workbook.xml";
    int error;

    *out = NULL;
    if (!(x = calloc(1, sizeof *x))) return ww__error_oom();
    x->name = name ? name : "workbook";
    if (limits)
        x->lim = *limits;
    else
        ww_xlsx__default_limits(&x->lim);
    if ((error = ww_arena__new(&x->arena)) < 0) goto done;
    if (size < 4 || memcmp(data, "PK\003\004", 4) != 0) {
        error = ww__error(WW_EDATA, "%s: not an .xlsx workbook (not a zip file)", x->name);
        goto done;
    }
    zip_error_init(&zerr);
    if (!(src = zip_source_buffer_create(data, size, 0, &zerr))) {
        zip_error_fini(&zerr);
        error = ww__error_oom();
        goto done;
    }
    if (!(x->zip = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &zerr))) {
        error =
            ww__error(WW_EDATA, "%s: not a readable zip: %s", x->name, zip_error_strerror(&zerr));
        zip_source_free(src);
        zip_error_fini(&zerr);
        goto done;
    }
    zip_error_fini(&zerr);
    if ((error = check_entries(x)) < 0) goto done;

    /* _rels/.rels names the workbook part (officeDocument). */
    error = read_rels(x, "", &pkg);
    if (error == WW_ENOTFOUND) {
        ww_error_clear();
        error = 0;
    } else if (error < 0) {
        goto done;
    }
    for (size_t i = 0; i < pkg.n; i++)
        if (ends_with(pkg.rels[i].type, "/officeDocument")) workbook = pkg.rels[i].target;
    error = read_rels(x, workbook, &wb_rels);
    if (error == WW_ENOTFOUND) {
        error = ww__error(WW_EDATA, "%s: not an .xlsx workbook (no relationships for %s)", x->name,
                          workbook);
        goto done;
    }
    if (error < 0) goto done;
    {
        book_reader b = {x, &wb_rels, 0};
        part_events ev = {book_start, NULL, NULL, &b};
        if ((error = read_part(x, workbook, &ev, 1)) == WW_ENOTFOUND) {
            error = ww__error(WW_EDATA, "%s: not an .xlsx workbook (no %s)", x->name, workbook);
            goto done;
        }
        if (error < 0) goto done;
    }
    if (!x->n_sheets) {
        error = ww__error(WW_EDATA, "%s: %s names no sheets", x->name, workbook);
        goto done;
    }
    for (size_t i = 0; i < wb_rels.n; i++) {
        if (!ends_with(wb_rels.rels[i].type, "/sharedStrings")) continue;
        sst_reader s;
        part_events ev = {sst_start, sst_end, sst_text, &s};
        memset(&s, 0, sizeof s);
        s.x = x;
        error = read_part(x, wb_rels.rels[i].target, &ev, 0);
        ww_buf__free(&s.text);
        if (error < 0) goto done;
        break;
    }
done:
    if (error < 0) {
        ww_xlsx__free(x);
        return error;
    }
    *out = x;
    return 0;
}

void ww_xlsx__free(ww_xlsx *x)
{
    if (!x) return;
    if (x->zip) zip_discard(x->zip);
    free(x->strings);
    ww_arena__free(x->arena);
    free(x);
}

size_t ww_xlsx__sheet_count(const ww_xlsx *x)
{
    return x ? x->n_sheets : 0;
}

const char *ww_xlsx__sheet_name(const ww_xlsx *x, size_t i)
{
    return x && i < x->n_sheets ? x->sheets[i].name : NULL;
}

const char *ww_xlsx__sheet_part(const ww_xlsx *x, size_t i)
{
    return x && i < x->n_sheets ? x->sheets[i].part : NULL;
}

long ww_xlsx__sheet_find(const ww_xlsx *x, const char *name)
{
    for (size_t i = 0; x && name && i < x->n_sheets; i++)
        if (strcmp(x->sheets[i].name, name) == 0) return (long)i;
    return -1;
}

/* ---- worksheets ---------------------------------------------------------------------- */

typedef struct cell_acc {
    long row;
    int col;
    char type[12]; /* the t attribute */
} cell_acc;

typedef struct sheet_reader {
    ww_xlsx *x;
    const char *part;
    xmlTextReaderPtr r;
    int (*on_row)(void *ctx, const ww_xlsx_row *row);
    void *ctx;
    int in_data, in_row, in_cell, in_v, in_is_t, in_rph;
    long row, row_line, last_row;
    int last_col;
    cell_acc cur;
    ww_buf v, is;
    ww_arena *row_arena;
    ww_xlsx_cell *cells;
    size_t n_cells, alloc_cells;
} sheet_reader;

static long line_of(sheet_reader *s)
{
    return s->r ? xmlTextReaderGetParserLineNumber(s->r) : 0;
}

static int flush_row(sheet_reader *s)
{
    ww_xlsx_row row;
    int rc = 0;
    if (s->n_cells) {
        row.row = s->row;
        row.line = s->row_line;
        row.n_cells = s->n_cells;
        row.cells = s->cells;
        rc = s->on_row(s->ctx, &row);
    }
    s->n_cells = 0;
    ww_arena__free(s->row_arena);
    s->row_arena = NULL;
    return rc;
}

static int sheet_start(void *ctx, xmlTextReaderPtr r, const char *name, int depth)
{
    sheet_reader *s = ctx;
    ww_xlsx *x = s->x;
    int error;
    (void)depth;
    if (strcmp(name, "sheetData") == 0) {
        s->in_data = 1;
    } else if (s->in_data && strcmp(name, "row") == 0) {
        char *rn;
        long n;
        if ((error = attr(x, r, "r", NULL, &rn)) < 0) return error;
        if (rn) {
            if (ww__parse_long(&n, rn) < 0 || n < 1 || n > XLSX_MAX_ROW)
                return bad_part(x, s->part, line_of(s), "row number '%s' is not 1 to %ld", rn,
                                XLSX_MAX_ROW);
        } else {
            n = s->last_row + 1;
            if (n > XLSX_MAX_ROW)
                return bad_part(x, s->part, line_of(s), "more than %ld rows", XLSX_MAX_ROW);
        }
        s->in_row = 1;
        s->row = n;
        s->last_row = n;
        s->last_col = 0;
        s->row_line = line_of(s);
        if ((error = ww_arena__new(&s->row_arena)) < 0) return error;
    } else if (s->in_row && strcmp(name, "c") == 0) {
        char *ref, *t;
        if ((error = attr(x, r, "r", NULL, &ref)) < 0 || (error = attr(x, r, "t", NULL, &t)) < 0)
            return error;
        memset(&s->cur, 0, sizeof s->cur);
        if (ref) {
            if (ww_xlsx__parse_ref(ref, &s->cur.row, &s->cur.col) < 0)
                return bad_part(x, s->part, line_of(s), "'%s' is not a cell reference", ref);
            if (s->cur.row != s->row)
                return bad_part(x, s->part, line_of(s), "cell %s is inside row %ld", ref, s->row);
        } else {
            s->cur.row = s->row;
            s->cur.col = s->last_col + 1;
            if (s->cur.col > XLSX_MAX_COL)
                return bad_part(x, s->part, line_of(s), "more than %d columns", XLSX_MAX_COL);
        }
        s->last_col = s->cur.col;
        snprintf(s->cur.type, sizeof s->cur.type, "%s", t ? t : "n");
        s->in_cell = 1;
        s->v.size = s->is.size = 0;
    } else if (s->in_cell && strcmp(name, "v") == 0) {
        s->in_v = 1;
    } else if (s->in_cell && strcmp(name, "rPh") == 0) {
        s->in_rph++;
    } else if (s->in_cell && strcmp(name, "t") == 0 && !s->in_rph) {
        s->in_is_t = 1;
    }
    return 0;
}

static int sheet_text(void *ctx, const char *text)
{
    sheet_reader *s = ctx;
    ww_buf *b = s->in_v ? &s->v : s->in_is_t ? &s->is : NULL;
    if (!b) return 0;
    if (b->size + strlen(text) > s->x->lim.max_cell_bytes)
        return bad_part(s->x, s->part, line_of(s), "a cell's text is longer than %zu bytes",
                        s->x->lim.max_cell_bytes);
    return ww_buf__puts(b, text);
}

static int end_cell(sheet_reader *s)
{
    ww_xlsx *x = s->x;
    ww_xlsx_cell c;
    const char *v = s->v.size ? s->v.data : "";
    const char *t = s->cur.type;
    char ref[16], *text = NULL;

    ww_xlsx__col_name(ref, sizeof ref, s->cur.col);
    snprintf(ref + strlen(ref), sizeof ref - strlen(ref), "%ld", s->cur.row);
    memset(&c, 0, sizeof c);
    c.row = s->cur.row;
    c.col = s->cur.col;
    c.number = NAN;
    if (strcmp(t, "s") == 0) {
        long i;
        if (!*v) return 0;
        if (ww__parse_long(&i, v) < 0 || i < 0 || (size_t)i >= x->n_strings)
            return bad_part(x, s->part, line_of(s),
                            "cell %s names shared string '%s', which does not exist", ref, v);
        c.type = WW_XLSX_TEXT;
        c.text = x->strings[i];
    } else if (strcmp(t, "inlineStr") == 0) {
        if (!s->is.size) return 0;
        if (!(text = ww_arena__strndup(s->row_arena, s->is.data, s->is.size)))
            return ww__error_oom();
        unescape_xstring(text);
        c.type = WW_XLSX_TEXT;
        c.text = text;
    } else if (strcmp(t, "str") == 0 || strcmp(t, "d") == 0) {
        if (!*v) return 0;
        if (!(text = ww_arena__strdup(s->row_arena, v))) return ww__error_oom();
        if (t[0] == 's') unescape_xstring(text);
        c.type = WW_XLSX_TEXT;
        c.text = text;
    } else if (strcmp(t, "b") == 0) {
        if (!*v) return 0;
        if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
            return bad_part(x, s->part, line_of(s), "cell %s: a boolean must be 0 or 1, got '%s'",
                            ref, v);
        c.type = WW_XLSX_BOOL;
        c.number = v[0] == '1';
        c.text = v[0] == '1' ? "TRUE" : "FALSE";
    } else if (strcmp(t, "e") == 0) {
        if (!*v) return 0;
        if (!(text = ww_arena__strdup(s->row_arena, v))) return ww__error_oom();
        c.type = WW_XLSX_ERROR;
        c.text = text;
    } else if (strcmp(t, "n") == 0) {
        if (!*v) return 0;
        if (ww__parse_double(&c.number, v) < 0)
            return bad_part(x, s->part, line_of(s), "cell %s: not a number: '%.40s'", ref, v);
        if (!(text = ww_arena__strdup(s->row_arena, v))) return ww__error_oom();
        c.type = WW_XLSX_NUMBER;
        c.text = text;
    } else {
        return bad_part(x, s->part, line_of(s), "cell %s: unknown cell type '%s'", ref, t);
    }
    if (s->n_cells == s->alloc_cells) {
        size_t na = s->alloc_cells ? 2 * s->alloc_cells : 32;
        ww_xlsx_cell *p;
        if (s->n_cells >= XLSX_MAX_COL)
            return bad_part(x, s->part, line_of(s), "row %ld has more than %d cells", s->row,
                            XLSX_MAX_COL);
        if (!(p = realloc(s->cells, na * sizeof *p))) return ww__error_oom();
        s->cells = p;
        s->alloc_cells = na;
    }
    s->cells[s->n_cells++] = c;
    return 0;
}

static int sheet_end(void *ctx, const char *name, int depth)
{
    sheet_reader *s = ctx;
    (void)depth;
    if (strcmp(name, "sheetData") == 0) {
        s->in_data = 0;
    } else if (s->in_row && strcmp(name, "row") == 0) {
        s->in_row = 0;
        return flush_row(s);
    } else if (s->in_cell && strcmp(name, "c") == 0) {
        s->in_cell = s->in_v = s->in_is_t = s->in_rph = 0;
        return end_cell(s);
    } else if (strcmp(name, "v") == 0) {
        s->in_v = 0;
    } else if (strcmp(name, "t") == 0) {
        s->in_is_t = 0;
    } else if (strcmp(name, "rPh") == 0) {
        if (s->in_rph) s->in_rph--;
    }
    return 0;
}

/* The start handler needs the reader for line numbers; read_part passes it. */
static int sheet_start_r(void *ctx, xmlTextReaderPtr r, const char *name, int depth)
{
    sheet_reader *s = ctx;
    s->r = r;
    return sheet_start(ctx, r, name, depth);
}

int ww_xlsx__read_sheet(ww_xlsx *x, size_t i, int (*on_row)(void *ctx, const ww_xlsx_row *row),
                        void *ctx)
{
    sheet_reader s;
    part_events ev = {sheet_start_r, sheet_end, sheet_text, &s};
    int error;
    if (!x || i >= x->n_sheets || !on_row) return ww__error(WW_EUSAGE, "no sheet %zu", i);
    if (!x->sheets[i].part) return 0;
    memset(&s, 0, sizeof s);
    s.x = x;
    s.part = x->sheets[i].part;
    s.on_row = on_row;
    s.ctx = ctx;
    error = read_part(x, s.part, &ev, 0);
    ww_arena__free(s.row_arena);
    ww_buf__free(&s.v);
    ww_buf__free(&s.is);
    free(s.cells);
    return error;
}

const ww_xlsx_cell *ww_xlsx__cell(const ww_xlsx_row *row, int col)
{
    for (size_t i = 0; row && i < row->n_cells; i++)
        if (row->cells[i].col == col) return &row->cells[i];
    return NULL;
}
