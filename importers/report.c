/*
 * report.c — the importer for evaluation reports as HTML or plain UTF-8
 * text (DESIGN.md section 5, docs/reports.md). A report becomes one
 * provisional ww_record: its full text goes to the sink's text callback for
 * the full-text index, and the statistics the extractor (extract.h) finds
 * in it become the record's machine-extracted findings.
 *
 * In order:
 *  1. size (at most 32 MiB) and emptiness are checked on the raw bytes;
 *  2. HTML (by name, or an <html> or <!DOCTYPE html> start) is parsed by
 *     libxml2's HTML parser from memory, with no network, and its text
 *     taken as a browser shows it: script, style and the head left out,
 *     entities decoded, runs of white space (and no-break spaces) as one
 *     space, block elements on lines of their own, table cells apart. A
 *     document that declares no charset must be UTF-8; one that does is
 *     decoded by libxml2 as declared. Anything else is plain text, which
 *     must be UTF-8 (the line of the first bad byte is reported); a BOM is
 *     dropped and CR LF or CR become LF;
 *  3. the extractor runs over the text; each reported p that does not fit
 *     its statistic (statcheck's rule, evidence/pcheck.h) is a warning with
 *     its line and span;
 *  4. the record: title from <title>, the first heading or the first line;
 *     the intervention named after the title (there is nothing better to
 *     go on); the design from the strongest design cue that is not negated;
 *     each d, g, SMD, OR or RR with a usable confidence interval as an
 *     outcome (hazard ratios are kept in the notes only: the repository
 *     has no metric for them); the first cost per participant; the rest in
 *     the notes. Everything is provisional and marked as extracted, with
 *     the extractor's confidence and its span in characters of the text.
 *
 * Lines in messages are lines of the input file: for HTML each piece of
 * text keeps the source line libxml2 read it on (libxml2 counts lines in
 * 16 bits, so past line 65,534 of an HTML file the line is not known and
 * is left out). Offsets are in characters (code points) of the text handed
 * to the sink, the text the repository indexes.
 *
 * Nothing libxml2 or PCRE2 leaves this file.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "../evidence/effect.h"
#include "extract.h"
#include "../evidence/direction.h"
#include "importers.h"

/* Reports run to a few megabytes; 32 MiB leaves room for long ones while
 * keeping a hostile file from exhausting memory. */
#define REPORT_MAX_BYTES ((size_t)32 * 1024 * 1024)
/* How far into the file sniffing and the charset search look. */
#define REPORT_SNIFF_WINDOW 1024
#define CHARSET_WINDOW 4096
/* Longest title kept, in bytes (cut on a character boundary). */
#define TITLE_MAX 200
/* Context before a hit in an outcome's name, in bytes. */
#define SNIPPET_BEFORE 60
/* Longest quotation of the text in a message. */
#define QUOTE_MAX 80
/* Warnings about inconsistent p-values listed one by one before a count
 * takes over; findings written into the notes; outcomes kept. */
#define LIST_MAX 100
#define NOTES_MAX 50
#define OUTCOMES_MAX 1000
/* libxml2 stores line numbers in an unsigned short. */
#define LIBXML_LINE_CAP 65535

/* ---- state and diagnostics ---------------------------------------------------- */

/* Where a run of the text came from: text[offset..] was read on line. */
typedef struct segment {
    size_t offset;
    long line;
} segment;

typedef struct report_ctx {
    const ww_input *in;
    ww_diags *diags;
    ww_arena *arena;
    int rc; /* sticky: the first WW_ENOMEM */

    /* the text and where it came from */
    ww_buf text;
    int is_html;
    segment *segs; /* HTML only; NULL means lines of the text are lines of the input */
    size_t n_segs, alloc_segs;
    int seg_due;   /* the next character starts a new segment */
    long seg_line; /* its line */
    int pending;   /* separator owed before the next character: 0, 1 space, 2 tab, 3 newline */
    int in_pre;
    char *title; /* from <title> or the first heading; malloc'd */

    /* what the extractor found */
    size_t tests, checked, inconsistent, decision_errors, listed_inconsistent;
    size_t effects, effects_with_ci, hazard_ratios;
    size_t sample_sizes, p_values, costs, returns, bcrs, cues;
    ww_outcome_rec *outcomes;
    size_t n_outcomes, alloc_outcomes, outcomes_dropped;
    double cost;
    double cost_confidence;
    size_t cost_offset;
    ww_design design;
    double design_confidence;
    size_t design_offset;
    long design_line;
    char design_cue[64];
    ww_buf notes;
    size_t noted;
} report_ctx;

static void diag(report_ctx *c, int is_warning, long line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void diag(report_ctx *c, int is_warning, long line, const char *field, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    if (c->rc < 0) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (ww_diags__add(c->diags, is_warning, c->in->name, line, field, "%s", msg) < 0)
        c->rc = WW_ENOMEM;
}

static char *arena_printf(report_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *arena_printf(report_ctx *c, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *s;
    if (c->rc < 0) return NULL;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !(s = ww_arena__alloc(c->arena, (size_t)n + 1))) {
        c->rc = ww__error_oom();
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* At most `max` bytes of s[0..n) into buf (of `size` bytes), white space
 * runs as one space, cut on a character boundary with "..." when cut. */
static const char *quote_span(char *buf, size_t size, const char *s, size_t n, size_t max)
{
    size_t j = 0;
    int space = 0, cut = 0;
    if (max + 4 > size) max = size > 4 ? size - 4 : 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r') {
            space = j > 0;
            continue;
        }
        if (j + (space ? 2 : 1) > max) {
            cut = 1;
            break;
        }
        if (space) buf[j++] = ' ';
        space = 0;
        buf[j++] = (char)ch;
    }
    if (cut) {
        /* drop a character the cut left incomplete */
        size_t k = j;
        while (k > 0 && ((unsigned char)buf[k - 1] & 0xC0) == 0x80) k--;
        if (k > 0 && ((unsigned char)buf[k - 1] & 0x80)) {
            unsigned char lead = (unsigned char)buf[k - 1];
            size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            if (k - 1 + len > j) j = k - 1;
        }
        memcpy(buf + j, "...", 3);
        j += 3;
    }
    buf[j] = '\0';
    return buf;
}

/* ---- raw bytes ------------------------------------------------------------------- */

static int all_space(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isspace(p[i])) return 0;
    return 1;
}

/* Line (1-based) of the first byte that is not UTF-8 (or is NUL); 0 when
 * all are. Line by line is exact: a newline never sits inside a sequence. */
static long first_bad_utf8_line(const unsigned char *p, size_t n)
{
    size_t start = 0;
    long line = 1;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == '\n') {
            if (!ww__utf8_valid((const char *)p + start, i - start)) return line;
            start = i + 1;
            line++;
        }
    }
    return 0;
}

static int has_bom(const unsigned char *p, size_t n)
{
    return n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF;
}

static int starts_with_ci(const unsigned char *p, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && strncasecmp((const char *)p, prefix, k) == 0;
}

static int name_ends_with(const char *name, const char *ext)
{
    size_t n = name ? strlen(name) : 0, k = strlen(ext);
    return n > k && strcasecmp(name + n - k, ext) == 0;
}

/* The first bytes after a BOM and white space open an HTML document. */
static int html_start(const unsigned char *p, size_t n)
{
    size_t i = has_bom(p, n) ? 3 : 0;
    if (n > REPORT_SNIFF_WINDOW) n = REPORT_SNIFF_WINDOW;
    while (i < n && isspace(p[i])) i++;
    return starts_with_ci(p + i, n - i, "<!doctype html") || starts_with_ci(p + i, n - i, "<html");
}

static int is_html_input(const ww_input *in)
{
    return name_ends_with(in->name, ".html") || name_ends_with(in->name, ".htm") ||
           name_ends_with(in->name, ".xhtml") || html_start(in->data, in->size);
}

/* The charset an HTML document declares ("charset=..." in its first
 * kilobytes, as <meta charset> or http-equiv Content-Type), into buf; 0
 * when none is declared. */
static int declared_charset(const unsigned char *p, size_t n, char *buf, size_t size)
{
    if (n > CHARSET_WINDOW) n = CHARSET_WINDOW;
    for (size_t i = 0; i + 8 <= n; i++) {
        size_t j = i + 7, k = 0;
        if (strncasecmp((const char *)p + i, "charset", 7) != 0) continue;
        while (j < n && (p[j] == ' ' || p[j] == '\t')) j++;
        if (j >= n || p[j] != '=') continue;
        j++;
        while (j < n && (p[j] == ' ' || p[j] == '"' || p[j] == '\'')) j++;
        while (j < n && k + 1 < size &&
               (isalnum(p[j]) || p[j] == '-' || p[j] == '_' || p[j] == '.' || p[j] == ':'))
            buf[k++] = (char)p[j++];
        buf[k] = '\0';
        return k > 0;
    }
    return 0;
}

/* ---- building the text ----------------------------------------------------------- */

static void put(report_ctx *c, const char *s, size_t n)
{
    int error;
    if (c->rc < 0) return;
    /* WW_EDATA: past the text's cap (report_parse says so) */
    if ((error = ww_buf__put(&c->text, s, n)) < 0) c->rc = error;
}

static void add_segment(report_ctx *c)
{
    if (c->rc < 0) return;
    if (c->n_segs && c->segs[c->n_segs - 1].line == c->seg_line) {
        c->seg_due = 0;
        return;
    }
    if (c->n_segs == c->alloc_segs) {
        size_t n = c->alloc_segs ? 2 * c->alloc_segs : 256;
        segment *grown = realloc(c->segs, n * sizeof *grown);
        if (!grown) {
            c->rc = ww__error_oom();
            return;
        }
        c->segs = grown;
        c->alloc_segs = n;
    }
    c->segs[c->n_segs].offset = c->text.size;
    c->segs[c->n_segs].line = c->seg_line;
    c->n_segs++;
    c->seg_due = 0;
}

/* Owe a separator: the strongest owed wins. */
static void owe(report_ctx *c, int sep)
{
    if (sep > c->pending) c->pending = sep;
}

/* Pay what is owed before visible text; nothing at the very start. */
static void pay(report_ctx *c)
{
    if (c->pending && c->text.size) {
        char last = c->text.data[c->text.size - 1];
        if (c->pending == 3 && last != '\n') {
            /* no trailing blanks before a line break */
            while (c->text.size && (c->text.data[c->text.size - 1] == ' ' ||
                                    c->text.data[c->text.size - 1] == '\t'))
                c->text.data[--c->text.size] = '\0';
            put(c, "\n", 1);
        } else if (c->pending == 2 && last != '\n' && last != '\t') {
            put(c, "\t", 1);
        } else if (c->pending == 1 && last != '\n' && last != '\t' && last != ' ') {
            put(c, " ", 1);
        }
    }
    c->pending = 0;
}

/* Append the content of one text node read on source lines ending at
 * end_line (libxml2 records the line a text node ends on). */
static void append_text(report_ctx *c, const char *s, long end_line)
{
    size_t n = strlen(s), i = 0;
    long newlines = 0;
    for (size_t k = 0; k < n; k++)
        if (s[k] == '\n') newlines++;
    c->seg_line = end_line >= LIBXML_LINE_CAP || end_line <= 0 ? 0 : end_line - newlines;
    c->seg_due = 1;
    while (i < n && c->rc == 0) {
        unsigned char ch = (unsigned char)s[i];
        int nbsp = ch == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0;
        if (ch == '\n' && c->seg_line) {
            c->seg_line++;
            c->seg_due = 1;
        }
        if (c->in_pre && (ch == ' ' || ch == '\t' || ch == '\n')) {
            pay(c);
            if (c->seg_due) add_segment(c);
            put(c, s + i, 1);
            i++;
            continue;
        }
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || nbsp) {
            owe(c, 1);
            i += nbsp ? 2 : 1;
            continue;
        }
        {
            size_t j = i;
            while (j < n) {
                unsigned char d = (unsigned char)s[j];
                if (d == ' ' || d == '\t' || d == '\n' || d == '\r' || d == '\f') break;
                if (d == 0xC2 && j + 1 < n && (unsigned char)s[j + 1] == 0xA0) break;
                j++;
            }
            pay(c);
            if (c->seg_due) add_segment(c);
            put(c, s + i, j - i);
            i = j;
        }
    }
}

/* Elements whose text is not shown. */
static int is_hidden(const char *name)
{
    static const char *const hidden[] = {"script", "style",  "head", "template", "noscript",
                                         "object", "iframe", "svg",  "math"};
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        if (!strcasecmp(name, hidden[i])) return 1;
    return 0;
}

/* Elements that start and end a line. */
static int is_block(const char *name)
{
    static const char *const blocks[] = {
        "p",      "div",     "h1",         "h2",      "h3",     "h4",      "h5",
        "h6",     "ul",      "ol",         "li",      "dl",     "dt",      "dd",
        "table",  "tr",      "thead",      "tbody",   "tfoot",  "caption", "blockquote",
        "pre",    "section", "article",    "header",  "footer", "nav",     "aside",
        "main",   "figure",  "figcaption", "address", "hr",     "form",    "fieldset",
        "legend", "details", "summary",    "center",  "body",   "title",   "br"};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (!strcasecmp(name, blocks[i])) return 1;
    return 0;
}

static int is_heading(const char *name)
{
    return (name[0] == 'h' || name[0] == 'H') && name[1] >= '1' && name[1] <= '6' && !name[2];
}

/* Whitespace-collapsed, trimmed copy of s, at most TITLE_MAX bytes, cut on
 * a character boundary; NULL when s has nothing visible (or on OOM, with
 * c->rc set). malloc'd. */
static char *clean_title(report_ctx *c, const char *s, size_t n)
{
    char *out = malloc(TITLE_MAX + 4);
    if (!out) {
        c->rc = ww__error_oom();
        return NULL;
    }
    quote_span(out, TITLE_MAX + 4, s, n, TITLE_MAX);
    /* no-break spaces left by &nbsp; count as space too */
    {
        size_t j = 0, len = strlen(out);
        int space = 0;
        for (size_t i = 0; i < len; i++) {
            if ((unsigned char)out[i] == 0xC2 && (unsigned char)out[i + 1] == 0xA0) {
                space = j > 0;
                i++;
                continue;
            }
            if (out[i] == ' ') {
                space = j > 0;
                continue;
            }
            if (space) out[j++] = ' ';
            space = 0;
            out[j++] = out[i];
        }
        out[j] = '\0';
    }
    if (!out[0]) {
        free(out);
        return NULL;
    }
    return out;
}

static void take_title(report_ctx *c, xmlNode *n)
{
    xmlChar *content;
    if (c->title || c->rc < 0) return;
    if (!(content = xmlNodeGetContent(n))) return;
    c->title = clean_title(c, (const char *)content, strlen((const char *)content));
    xmlFree(content);
}

/* The first element called `name` under (and including) top. */
static xmlNode *find_element(xmlNode *top, const char *name)
{
    xmlNode *cur = top;
    while (cur) {
        if (cur->type == XML_ELEMENT_NODE && !strcasecmp((const char *)cur->name, name)) return cur;
        if (cur->children && cur->type == XML_ELEMENT_NODE) {
            cur = cur->children;
            continue;
        }
        while (cur && cur != top && !cur->next) cur = cur->parent;
        if (!cur || cur == top) return NULL;
        cur = cur->next;
    }
    return NULL;
}

/* Walk the tree without recursion (a hostile document may nest deeply). */
static void walk_html(report_ctx *c, xmlNode *root)
{
    xmlNode *cur = root, *title;
    if ((title = find_element(root, "title"))) take_title(c, title);
    while (cur && c->rc == 0) {
        int descend = 0;
        if (cur->type == XML_ELEMENT_NODE) {
            const char *name = (const char *)cur->name;
            if (!is_hidden(name)) {
                descend = 1;
                if (!strcasecmp(name, "td") || !strcasecmp(name, "th"))
                    owe(c, 2);
                else if (is_block(name))
                    owe(c, 3);
                if (!strcasecmp(name, "pre")) c->in_pre++;
                if (is_heading(name) && !c->title) take_title(c, cur);
            }
        } else if ((cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) &&
                   cur->content) {
            append_text(c, (const char *)cur->content, xmlGetLineNo(cur));
        }
        if (descend && cur->children) {
            cur = cur->children;
            continue;
        }
        /* leave cur, and every parent whose last child it was */
        for (;;) {
            if (cur->type == XML_ELEMENT_NODE && !is_hidden((const char *)cur->name)) {
                const char *name = (const char *)cur->name;
                if (!strcasecmp(name, "td") || !strcasecmp(name, "th"))
                    owe(c, 2);
                else if (is_block(name))
                    owe(c, 3);
                if (!strcasecmp(name, "pre") && c->in_pre) c->in_pre--;
            }
            if (cur == root) {
                cur = NULL;
                break;
            }
            if (cur->next) {
                cur = cur->next;
                break;
            }
            cur = cur->parent;
            if (!cur) break;
        }
    }
}

/* Parse HTML into c->text. 1 when there is a document, 0 when it was
 * refused (an error was added). */
static int read_html(report_ctx *c)
{
    const ww_input *in = c->in;
    char charset[64];
    const char *encoding = NULL;
    htmlDocPtr doc;
    xmlNode *root;
    long bad;

    /* Undeclared means UTF-8 here (our own rule: a guess at Latin-1
     * would put wrong characters into the index without a word). */
    if (!declared_charset(in->data, in->size, charset, sizeof charset) ||
        !strcasecmp(charset, "utf-8") || !strcasecmp(charset, "utf8")) {
        if ((bad = first_bad_utf8_line(in->data, in->size)) > 0) {
            diag(c, 0, bad, "encoding",
                 "this line is not valid UTF-8 (or holds a NUL byte), and the document declares "
                 "no other charset (e.g. <meta charset=\"windows-1252\">)");
            return 0;
        }
        encoding = "UTF-8";
    }
    xmlInitParser();
    /* XML_PARSE_HUGE lifts libxml2's 10 MB limit on one text node, which
     * it enforces by silently dropping the rest of the text; the input is
     * already capped at 32 MiB and the walk below does not recurse. */
    doc = htmlReadMemory((const char *)in->data, (int)in->size, NULL, encoding,
                         HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                             XML_PARSE_HUGE);
    if (!doc) {
        diag(c, 0, 0, NULL, "libxml2 could not read this HTML document%s%s%s",
             encoding ? "" : " (declared charset: ", encoding ? "" : charset, encoding ? "" : ")");
        return 0;
    }
    root = xmlDocGetRootElement(doc);
    if (root) walk_html(c, root);
    xmlFreeDoc(doc);
    return c->rc == 0;
}

/* Plain text into c->text: the BOM dropped, CR LF and CR as LF. */
static int read_plain(report_ctx *c)
{
    const unsigned char *p = c->in->data;
    size_t n = c->in->size, i = has_bom(p, n) ? 3 : 0, run = i;
    long bad;
    if ((bad = first_bad_utf8_line(p, n)) > 0) {
        diag(c, 0, bad, "encoding",
             "this line is not valid UTF-8 (or holds a NUL byte); save the report as UTF-8 text");
        return 0;
    }
    for (; i < n && c->rc == 0; i++) {
        if (p[i] != '\r') continue;
        put(c, (const char *)p + run, i - run);
        put(c, "\n", 1);
        if (i + 1 < n && p[i + 1] == '\n') i++;
        run = i + 1;
    }
    if (run < n) put(c, (const char *)p + run, n - run);
    return c->rc == 0;
}

/* The input line of text byte `offset`. */
static long line_of(const report_ctx *c, size_t offset, long text_line)
{
    size_t lo = 0, hi = c->n_segs;
    if (!c->is_html) return text_line;
    if (!c->n_segs || c->segs[0].offset > offset) return c->n_segs ? c->segs[0].line : 0;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->segs[mid].offset <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return c->segs[lo].line;
}

/* ---- the findings --------------------------------------------------------------- */

static void note(report_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(report_ctx *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    int error = 0;
    if (c->rc < 0) return;
    if (++c->noted > NOTES_MAX) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* the notes have a cap: past it (WW_EDATA) they just stop growing */
    if (((c->notes.size && (error = ww_buf__puts(&c->notes, " ")) < 0) ||
         (error = ww_buf__puts(&c->notes, msg)) < 0) &&
        error != WW_EDATA)
        c->rc = error;
}

/* Name of an outcome: up to SNIPPET_BEFORE bytes of its line before the
 * hit (from a word start), then the hit. */
static char *snippet(report_ctx *c, const ww_extract_hit *h)
{
    const char *t = c->text.data;
    size_t from = h->offset > SNIPPET_BEFORE ? h->offset - SNIPPET_BEFORE : 0, start = h->offset;
    char buf[SNIPPET_BEFORE + QUOTE_MAX + 8];
    while (start > from && t[start - 1] != '\n' && t[start - 1] != '\t') start--;
    if (start == from && start > 0 && t[start - 1] != '\n' && t[start - 1] != '\t') {
        /* cut mid-line: begin at the next word */
        while (start < h->offset && t[start] != ' ') start++;
        while (start < h->offset && t[start] == ' ') start++;
    }
    quote_span(buf, sizeof buf, t + start, h->offset + h->length - start,
               SNIPPET_BEFORE + QUOTE_MAX);
    return ww_arena__strdup(c->arena, buf);
}

static const char *metric_of(ww_extract_effect e)
{
    switch (e) {
    case WW_EFFECT_D:
    case WW_EFFECT_G:
    case WW_EFFECT_SMD: return "SMD";
    case WW_EFFECT_OR: return "OR";
    case WW_EFFECT_RR: return "RR";
    case WW_EFFECT_HR: return NULL;
    }
    return NULL;
}

static void on_effect(report_ctx *c, const ww_extract_hit *h, long line)
{
    char q[QUOTE_MAX + 8];
    const char *metric = metric_of(h->effect);
    ww_effect check;
    ww_outcome_rec *o;
    int ratio = h->effect != WW_EFFECT_D && h->effect != WW_EFFECT_G && h->effect != WW_EFFECT_SMD;

    c->effects++;
    quote_span(q, sizeof q, c->text.data + h->offset, h->length, QUOTE_MAX);
    if (!h->has_ci) return;
    c->effects_with_ci++;
    if (h->effect == WW_EFFECT_HR) {
        c->hazard_ratios++;
        note(c, "Hazard ratio \"%s\" (offset %zu, confidence %.2f).", q, h->char_offset,
             h->confidence);
        return;
    }
    if (!isnan(h->ci_level) && fabs(h->ci_level - 95) > 1e-9) {
        diag(c, 1, line, "effect",
             "\"%s\" (offset %zu): a %g%% interval, not 95%%; kept in the notes, not as an "
             "outcome",
             q, h->char_offset, h->ci_level);
        note(c, "Effect \"%s\" (offset %zu, %g%% interval).", q, h->char_offset, h->ci_level);
        return;
    }
    /* The repository derives the variance from the interval: only an
     * interval it can use becomes an outcome. */
    if (ww_effect_from_ci(&check, h->value, h->ci_low, h->ci_high, ratio) < 0) {
        diag(c, 1, line, "effect", "\"%s\" (offset %zu): not used as an outcome: %s", q,
             h->char_offset, ww_error_last());
        return;
    }
    if (c->n_outcomes == OUTCOMES_MAX) {
        c->outcomes_dropped++;
        return;
    }
    if (c->n_outcomes == c->alloc_outcomes) {
        size_t n = c->alloc_outcomes ? 2 * c->alloc_outcomes : 16;
        ww_outcome_rec *grown = realloc(c->outcomes, n * sizeof *grown);
        if (!grown) {
            c->rc = ww__error_oom();
            return;
        }
        c->outcomes = grown;
        c->alloc_outcomes = n;
    }
    o = &c->outcomes[c->n_outcomes++];
    ww_outcome_rec_init(o);
    o->name = snippet(c, h);
    o->kind = WW_OUTCOME_REPORTED;
    o->reported_metric = metric;
    o->reported_estimate = h->value;
    o->reported_ci_low = h->ci_low;
    o->reported_ci_high = h->ci_high;
    o->extracted = 1;
    o->confidence = h->confidence;
    o->text_offset = (long)h->char_offset;
    o->text_length = (long)h->char_length;
    o->where = arena_printf(c, "offset %zu", h->char_offset);
    o->line = line;
    if (!o->name && c->rc == 0) c->rc = ww__error_oom();
    /* A report's text does not state direction: what the words around the
     * statistic mean decides it (the direction lexicon), else unknown. */
    if (o->name) {
        ww_direction_verdict dv;
        int rc = ww_direction_classify(&dv, o->name, NULL);
        if (rc < 0) {
            if (c->rc == 0) c->rc = rc;
            return;
        }
        o->higher_is_better = dv.higher_is_better;
        o->direction_rule = dv.rule ? dv.rule : "unknown";
    }
}

static void on_test(report_ctx *c, const ww_extract_hit *h, long line)
{
    char q[QUOTE_MAX + 8];
    c->tests++;
    if (!h->checked) return;
    c->checked++;
    quote_span(q, sizeof q, c->text.data + h->offset, h->length, QUOTE_MAX);
    if (!h->check.inconsistent) {
        note(c, "\"%s\" (offset %zu): p consistent.", q, h->char_offset);
        return;
    }
    c->inconsistent++;
    if (h->check.decision_error) c->decision_errors++;
    note(c, "\"%s\" (offset %zu): p inconsistent, recomputed %.4g%s.", q, h->char_offset,
         h->check.p, h->check.decision_error ? ", a decision error at .05" : "");
    if (++c->listed_inconsistent > LIST_MAX) return;
    diag(c, 1, line, "p-value",
         "\"%s\" (offset %zu, %zu characters): the reported p does not fit the statistic: "
         "recomputed p = %.4g (%.4g to %.4g allowing for the statistic's rounding)%s",
         q, h->char_offset, h->char_length, h->check.p, h->check.p_low, h->check.p_high,
         h->check.decision_error ? "; significance at .05 changes (a decision error)" : "");
}

static int on_hit(void *ctx, const ww_extract_hit *h)
{
    report_ctx *c = ctx;
    long line = line_of(c, h->offset, h->line);
    char q[QUOTE_MAX + 8];
    switch (h->kind) {
    case WW_EXTRACT_TEST: on_test(c, h, line); break;
    case WW_EXTRACT_EFFECT: on_effect(c, h, line); break;
    case WW_EXTRACT_N: c->sample_sizes++; break;
    case WW_EXTRACT_P: c->p_values++; break;
    case WW_EXTRACT_COST:
        c->costs++;
        quote_span(q, sizeof q, c->text.data + h->offset, h->length, QUOTE_MAX);
        note(c, "Cost per participant \"%s\" (offset %zu, confidence %.2f).", q, h->char_offset,
             h->confidence);
        if (isnan(c->cost)) {
            c->cost = h->value;
            c->cost_confidence = h->confidence;
            c->cost_offset = h->char_offset;
        }
        break;
    case WW_EXTRACT_RETURN:
        c->returns++;
        quote_span(q, sizeof q, c->text.data + h->offset, h->length, QUOTE_MAX);
        note(c, "Return \"%s\": %g per pound spent (offset %zu, confidence %.2f).", q, h->value,
             h->char_offset, h->confidence);
        break;
    case WW_EXTRACT_BCR:
        c->bcrs++;
        quote_span(q, sizeof q, c->text.data + h->offset, h->length, QUOTE_MAX);
        note(c, "Benefit-cost ratio \"%s\": %g (offset %zu, confidence %.2f).", q, h->value,
             h->char_offset, h->confidence);
        break;
    case WW_EXTRACT_DESIGN:
        c->cues++;
        if (h->negated) break;
        /* the strongest cue wins (ww_design lists designs strongest first);
         * between equals, the first */
        if (c->design == WW_DESIGN_UNKNOWN || h->design < c->design) {
            c->design = h->design;
            c->design_confidence = h->confidence;
            c->design_offset = h->char_offset;
            c->design_line = line;
            quote_span(c->design_cue, sizeof c->design_cue, c->text.data + h->offset, h->length,
                       sizeof c->design_cue - 8);
        }
        break;
    }
    return c->rc;
}

/* ---- the importer ------------------------------------------------------------------ */

static void summarise(report_ctx *c, const ww_extract_info *info)
{
    if (c->listed_inconsistent > LIST_MAX)
        diag(c, 1, 0, "p-value", "%zu inconsistent p-values in all; the first %d are listed above",
             c->listed_inconsistent, LIST_MAX);
    if (c->outcomes_dropped)
        diag(c, 1, 0, "effect",
             "%zu more effect sizes with a 95%% CI not kept (at most %d outcomes)",
             c->outcomes_dropped, OUTCOMES_MAX);
    if (info->limit_hits)
        diag(c, 1, 0, NULL,
             "%zu places in the text took the extractor past its matching limit and were "
             "skipped",
             info->limit_hits);
    diag(c, 1, 0, NULL,
         "extracted (provisional): %zu test statistics (%zu with a checkable p, %zu inconsistent, "
         "%zu decision errors), %zu effect sizes (%zu with a CI, %zu as outcomes), %zu sample "
         "sizes, %zu other p-values, %zu costs per participant, %zu returns per pound, %zu "
         "benefit-cost ratios; design: %s%s%s%s",
         c->tests, c->checked, c->inconsistent, c->decision_errors, c->effects, c->effects_with_ci,
         c->n_outcomes, c->sample_sizes, c->p_values, c->costs, c->returns, c->bcrs,
         c->design == WW_DESIGN_UNKNOWN ? "unknown" : ww_design_name(c->design),
         c->design == WW_DESIGN_UNKNOWN ? "" : " (from \"",
         c->design == WW_DESIGN_UNKNOWN ? "" : c->design_cue,
         c->design == WW_DESIGN_UNKNOWN ? "" : "\")");
}

/* The first non-empty line of the text, as a title. */
static char *first_line_title(report_ctx *c)
{
    const char *t = c->text.data, *end = t + c->text.size;
    while (t < end) {
        const char *nl = memchr(t, '\n', (size_t)(end - t));
        size_t len = nl ? (size_t)(nl - t) : (size_t)(end - t);
        if (!all_space((const unsigned char *)t, len)) return clean_title(c, t, len);
        t += len + 1;
    }
    return NULL;
}

static int emit(report_ctx *c, const ww_sink *sink)
{
    ww_record rec;
    const char *title;
    int error = 0;

    if (!c->title) c->title = first_line_title(c);
    if (c->rc < 0) return c->rc;
    title = c->title ? c->title : c->in->name ? c->in->name : "report";

    if (c->noted > NOTES_MAX) {
        char more[96];
        snprintf(more, sizeof more, "... and %zu more findings.", c->noted - NOTES_MAX);
        /* past the cap the notes end where they are */
        if (ww_buf__puts(&c->notes, " ") == 0 && ww_buf__puts(&c->notes, more) == WW_ENOMEM)
            c->rc = WW_ENOMEM;
    }
    if (c->rc < 0) return c->rc;

    if (sink && sink->text && (error = sink->text(sink->ctx, title, c->text.data)) < 0)
        return error;
    if (!sink || !sink->record) return 0;

    ww_record_init(&rec);
    rec.title = title;
    rec.intervention_name = title;
    rec.design = c->design;
    rec.provisional = 1;
    rec.is_example = 0;
    rec.cost_per_participant = c->cost; /* price year unknown: -1 from init */
    rec.outcomes = c->outcomes;
    rec.n_outcomes = c->n_outcomes;
    rec.where = "report text";
    rec.line = 1;
    if (c->notes.size || c->design != WW_DESIGN_UNKNOWN) {
        /* the design cue first: the notes' cap never cuts it */
        ww_buf n = WW_BUF_INIT;
        if (ww_buf__puts(&n, "Machine-extracted from the report's text (provisional, not "
                             "reviewed).") < 0 ||
            (c->design != WW_DESIGN_UNKNOWN &&
             ww_buf__printf(&n, " Design cue \"%s\" (offset %zu, confidence %.2f).", c->design_cue,
                            c->design_offset, c->design_confidence) < 0) ||
            (c->notes.size &&
             (ww_buf__puts(&n, " ") < 0 || ww_buf__put(&n, c->notes.data, c->notes.size) < 0))) {
            ww_buf__free(&n);
            return c->rc = WW_ENOMEM;
        }
        rec.notes = ww_arena__strdup(c->arena, n.data);
        ww_buf__free(&n);
        if (!rec.notes) return c->rc = ww__error_oom();
    }
    return sink->record(sink->ctx, &rec);
}

static int report_parse(const ww_input *in, ww_diags *diags, const ww_sink *sink)
{
    report_ctx c;
    ww_extract_info info;
    int error = 0;

    memset(&c, 0, sizeof c);
    c.in = in;
    c.diags = diags;
    c.cost = NAN;
    c.design = WW_DESIGN_UNKNOWN;
    c.text.cap = 2 * REPORT_MAX_BYTES;
    c.notes.cap = 64 * 1024;

    if (!in->data || all_space(in->data, in->size) ||
        (has_bom(in->data, in->size) && all_space(in->data + 3, in->size - 3))) {
        diag(&c, 0, 0, NULL, "the file is empty");
        goto done;
    }
    if (in->size > REPORT_MAX_BYTES) {
        diag(&c, 0, 0, NULL, "the file is %zu bytes; reports are limited to %zu MiB", in->size,
             REPORT_MAX_BYTES / (1024 * 1024));
        goto done;
    }
    if ((error = ww_arena__new(&c.arena)) < 0) goto done;
    c.is_html = is_html_input(in);
    if (!(c.is_html ? read_html(&c) : read_plain(&c))) goto done;
    if (!c.text.size || all_space((const unsigned char *)c.text.data, c.text.size)) {
        diag(&c, 0, 0, NULL, "the %s has no text", c.is_html ? "HTML document" : "file");
        goto done;
    }
    error = ww_extract__stats(c.text.data, c.text.size, on_hit, &c, &info);
    if (error == WW_EDATA) {
        /* only after libxml2 decoded a declared charset into something odd */
        diag(&c, 0, 0, "encoding", "the document's text is not valid UTF-8 after decoding");
        error = 0;
        goto done;
    }
    if (error < 0 || c.rc < 0) goto done;
    summarise(&c, &info);
    if (c.rc == 0) error = emit(&c, sink);

done:
    if (c.rc == WW_EDATA) {
        /* the text outgrew its cap */
        c.rc = 0;
        diag(&c, 0, 0, NULL, "the text is longer than %zu MiB",
             2 * REPORT_MAX_BYTES / (1024 * 1024));
    }
    free(c.title);
    free(c.segs);
    free(c.outcomes);
    ww_buf__free(&c.text);
    ww_buf__free(&c.notes);
    ww_arena__free(c.arena);
    if (error == 0 && c.rc < 0) error = c.rc;
    return error;
}

/* ---- sniffing ------------------------------------------------------------------------- */

/* A report is claimed by content, not by its name: a folder of evidence
 * also holds READMEs, licences, reference lists and data tables as .txt,
 * and none of them is a study (docs/reports.md, "What counts as a
 * report"). Without --format report a web page or text file is read only
 * when its first SNIFF_CUE_WINDOW bytes hold two distinct words of an
 * evaluation, or one such word and one statistic. Statistics alone are not
 * enough: statcheck's test papers are all t(37) = ... and no study of
 * anything. A bibliographic export (MEDLINE, RIS, BibTeX, Web of Science)
 * or a table of values is never a report, whatever its abstracts say. */
#define SNIFF_CUE_WINDOW ((size_t)64 * 1024)

/* Words (and phrases) of an evaluation, lower case; each counts once. */
static const char *const evaluation_cues[] = {
    "evaluation",
    "evaluated",
    "intervention",
    "randomised",
    "randomized",
    "randomly assigned",
    "random assignment",
    "control group",
    "comparison group",
    "treatment group",
    "controlled trial",
    "quasi-experimental",
    "effect size",
    "participants",
    "pre/post",
    "pre-post",
    "baseline",
    "follow-up",
    "attrition",
    "difference-in-differences",
    "regression discontinuity",
    "propensity score",
    "matched comparison",
    "cost per participant",
    "benefit-cost",
    "cost-benefit",
    NULL,
};

/* Statistics as reports print them (after white space is made one space). */
static const char *const statistic_cues[] = {
    "t(",  "f(",  "chi2(",  "p <", "p<",   "p =",  "p=",  "p >",
    "d =", "g =", "95% ci", "n =", "or =", "rr =", "smd", NULL,
};

/* Lower-case ASCII copy of the start of the input, markup left out, the
 * entities a statistic needs decoded and white space runs made one space. */
static size_t sniff_text(char *out, size_t cap, const ww_input *in)
{
    size_t n = in->size < SNIFF_CUE_WINDOW ? in->size : SNIFF_CUE_WINDOW, len = 0;
    int in_tag = 0;
    for (size_t i = 0; i < n && len + 1 < cap; i++) {
        unsigned char ch = in->data[i];
        if (ch == '<' && i + 1 < n &&
            (isalpha(in->data[i + 1]) || in->data[i + 1] == '/' || in->data[i + 1] == '!' ||
             in->data[i + 1] == '?')) {
            in_tag = 1;
            continue;
        }
        if (in_tag) {
            if (ch == '>') {
                in_tag = 0;
                ch = ' ';
            } else {
                continue;
            }
        }
        if (ch == '&') {
            static const struct {
                const char *name;
                char ch;
            } ents[] = {
                {"&lt;", '<'}, {"&gt;", '>'}, {"&nbsp;", ' '}, {"&#160;", ' '}, {"&amp;", '&'},
            };
            size_t k;
            for (k = 0; k < sizeof ents / sizeof ents[0]; k++) {
                size_t el = strlen(ents[k].name);
                if (i + el <= n && strncasecmp((const char *)in->data + i, ents[k].name, el) == 0) {
                    ch = (unsigned char)ents[k].ch;
                    i += el - 1;
                    break;
                }
            }
        }
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v') {
            if (len && out[len - 1] != ' ') out[len++] = ' ';
            continue;
        }
        out[len++] = (char)tolower(ch);
    }
    out[len] = '\0';
    return len;
}

/* 1 when cue occurs in text at the start of a word. */
static int has_cue(const char *text, const char *cue)
{
    for (const char *p = strstr(text, cue); p; p = strstr(p + 1, cue))
        if (p == text || !isalnum((unsigned char)p[-1])) return 1;
    return 0;
}

static size_t count_cues(const char *text, const char *const *cues)
{
    size_t n = 0;
    for (size_t i = 0; cues[i]; i++) n += (size_t)has_cue(text, cues[i]);
    return n;
}

/* A line of the first lines of data that starts with prefix. */
static int line_starts_with(const ww_input *in, const char *prefix, size_t lines)
{
    size_t plen = strlen(prefix), n = in->size < SNIFF_CUE_WINDOW ? in->size : SNIFF_CUE_WINDOW;
    const unsigned char *p = in->data, *end = in->data + n;
    for (size_t line = 0; p < end && line < lines; line++) {
        const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
        if ((size_t)(end - p) >= plen && memcmp(p, prefix, plen) == 0) return 1;
        if (!nl) break;
        p = nl + 1;
    }
    return 0;
}

/* Fields of one line: runs of tabs or spaces split it, a "quoted" field
 * may hold spaces; *numeric when half of them or more are numbers (or NA). */
static size_t line_fields(const unsigned char *p, const unsigned char *end, int *numeric)
{
    size_t fields = 0, numbers = 0;
    for (;;) {
        const unsigned char *start;
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) p++;
        if (p >= end) break;
        start = p;
        if (*p == '"') {
            const unsigned char *q = memchr(p + 1, '"', (size_t)(end - p - 1));
            p = q ? q + 1 : end;
        } else {
            while (p < end && *p != ' ' && *p != '\t' && *p != '\r') p++;
        }
        fields++;
        if (isdigit(start[0]) ||
            ((start[0] == '-' || start[0] == '.') && p - start > 1 &&
             (isdigit(start[1]) || start[1] == '.')) ||
            (p - start == 2 && start[0] == 'N' && start[1] == 'A'))
            numbers++;
    }
    *numeric = fields && numbers * 2 >= fields;
    return fields;
}

/* A table of values: its first lines all have the same number (three or
 * more) of tab- or space-separated fields, and the lines after the header
 * are mostly numbers (R's write.table, metadat's .txt datasets). */
static int looks_like_table(const ww_input *in)
{
    const unsigned char *p = in->data, *end = in->data + in->size;
    size_t want = 0, rows = 0;
    for (size_t line = 0; p < end && line < 6; line++) {
        const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
        const unsigned char *stop = nl ? nl : end;
        int numeric;
        size_t f = line_fields(p, stop, &numeric);
        if (line == 0) {
            if (f < 3) return 0;
            want = f;
        } else if (f) {
            if (f != want || !numeric) return 0;
            rows++;
        }
        if (!nl) break;
        p = nl + 1;
    }
    return rows >= 2;
}

/* A bibliographic export: MEDLINE/PubMed (PMID- ), RIS (TY  - ), Web of
 * Science (FN ... / PT ), BibTeX (@type{ first). */
static int looks_like_references(const ww_input *in)
{
    size_t i = 0;
    if (line_starts_with(in, "PMID- ", 20) || line_starts_with(in, "TY  - ", 20) ||
        line_starts_with(in, "FN ", 2) || line_starts_with(in, "PT ", 4))
        return 1;
    while (i < in->size && i < 256 && isspace(in->data[i])) i++;
    if (i < in->size && in->data[i] == '@') {
        size_t j = i + 1;
        while (j < in->size && j < i + 32 && isalpha(in->data[j])) j++;
        return j > i + 1 && j < in->size && (in->data[j] == '{' || in->data[j] == '(');
    }
    return 0;
}

/* 1 when the start of the input reads like an evaluation report. */
static int looks_like_report(const ww_input *in)
{
    char *text;
    size_t evaluation, statistics;
    if (!in->data || !in->size || memchr(in->data, '\0', in->size < 4096 ? in->size : 4096))
        return 0;
    if (looks_like_references(in) || looks_like_table(in)) return 0;
    if (!(text = malloc(SNIFF_CUE_WINDOW + 1)))
        return 0; /* unclaimed; --format report still reads it */
    sniff_text(text, SNIFF_CUE_WINDOW + 1, in);
    evaluation = count_cues(text, evaluation_cues);
    statistics = count_cues(text, statistic_cues);
    free(text);
    return evaluation >= 2 || (evaluation >= 1 && statistics >= 1);
}

/* A modest claim, below every structured format's: a report is a web page
 * or a text file that reads like an evaluation (above). */
static int report_sniff(const ww_input *in)
{
    int named_html = name_ends_with(in->name, ".html") || name_ends_with(in->name, ".htm") ||
                     name_ends_with(in->name, ".xhtml");
    int started = in->data && html_start(in->data, in->size);
    int named_text = name_ends_with(in->name, ".txt") || name_ends_with(in->name, ".text");
    if (!named_html && !started && !named_text) return 0;
    if (!looks_like_report(in)) return 0;
    if (named_html && started) return 35;
    if (named_html || started) return 30;
    return 25;
}

const ww_importer ww_importer_report = {
    "report",
    "evaluation report as HTML or plain UTF-8 text: full text indexed, statistics extracted "
    "(provisional)",
    report_sniff,
    report_parse,
};
