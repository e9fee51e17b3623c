/*
 * submission.c — the importer for the evaluators' own format, version 1
 * (namespace urn:whatworks:submission:1, schema data/schema/submission-1.xsd,
 * documented in docs/submission.md). One file is one evaluation of one
 * intervention and becomes one provisional ww_record.
 *
 * The file is treated as hostile until proven otherwise. In order:
 *  1. size (at most 16 MiB) and emptiness are checked on the raw bytes;
 *  2. the bytes must be UTF-8 (line of the first bad byte reported);
 *  3. libxml2 parses from memory with no network, no DTD loading and no
 *     entity substitution; a DOCTYPE stops the parser the moment it is seen,
 *     so no entity is ever declared (which rules out XXE and "billion
 *     laughs"), and our own SAX hook bounds nesting depth;
 *  4. the root's namespace and version are checked, so a wrong one gets one
 *     clear message instead of a page of schema noise;
 *  5. the document is validated against the XSD compiled into the library,
 *     every schema error turned into a short plain-English diagnostic;
 *  6. the checks XSD cannot express (one value against another, years in the
 *     future) run over the same tree, so every problem is reported at once.
 * Only when no error was found is the record handed to the sink.
 *
 * Nothing libxml2 leaks out of this file: the sink sees a ww_record whose
 * strings live in an arena freed after the call.
 */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "importers.h"

/* The XSD text, generated into the library by scripts/embed.sh. */
extern const unsigned char ww__embedded_submission_1_xsd[];
extern const size_t ww__embedded_submission_1_xsd_len;

/* A real submission is a few kilobytes; 16 MiB leaves room for very long
 * outcome lists while keeping a hostile file from exhausting memory. */
#define SUBMISSION_MAX_BYTES ((size_t)16 * 1024 * 1024)
/* The schema nests five levels deep; anything far deeper is not ours. This
 * bound holds whatever libxml2's own (global, 256 by default) is set to. */
#define SUBMISSION_MAX_DEPTH 64
/* How far into the file sniffing looks for the namespace. */
#define SNIFF_WINDOW 4096
/* Longest user value quoted back in a message, in bytes. */
#define QUOTE_MAX 60

#define NS_PREFIX "urn:whatworks:submission:"

/* libxml2 2.12 made the error argument of structured handlers const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *sub_error_ptr;
#else
typedef xmlErrorPtr sub_error_ptr;
#endif

/* ---- the compiled schema, shared by every parse ---------------------- */

/* The schema is compiled once per process: libxml2's compiled schemas are
 * read-only during validation, so validation contexts on different threads
 * may share one. It lives until the process exits. */
static pthread_once_t schema_once = PTHREAD_ONCE_INIT;
static xmlSchemaPtr schema;
static char schema_error[512];

/* libxml2 reports some errors (running out of memory, mostly) through its
 * generic handler, which prints to stderr; a library must not. The handler
 * is per thread in libxml2 2.9-2.11, so it is set at the start of each
 * parse. Every error that matters also reaches the structured handlers. */
static void discard_generic_error(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void schema_compile_error(void *ctx, sub_error_ptr err)
{
    (void)ctx;
    if (!schema_error[0] && err && err->message)
        snprintf(schema_error, sizeof schema_error, "line %d: %s", err->line, err->message);
}

static void schema_compile(void)
{
    xmlSchemaParserCtxtPtr pctxt;
    xmlInitParser();
    pctxt = xmlSchemaNewMemParserCtxt((const char *)ww__embedded_submission_1_xsd,
                                      (int)ww__embedded_submission_1_xsd_len);
    if (!pctxt) {
        snprintf(schema_error, sizeof schema_error, "out of memory");
        return;
    }
    xmlSchemaSetParserStructuredErrors(pctxt, schema_compile_error, NULL);
    schema = xmlSchemaParse(pctxt);
    xmlSchemaFreeParserCtxt(pctxt);
}

static int schema_get(xmlSchemaPtr *out)
{
    pthread_once(&schema_once, schema_compile);
    if (!schema)
        return ww__error(WW_ERROR, "the built-in submission schema does not compile: %s",
                         schema_error[0] ? schema_error : "unknown error");
    *out = schema;
    return 0;
}

/* ---- parse state and diagnostics -------------------------------------- */

/* One diagnostic held back until the end of the parse. */
typedef struct pending {
    long line;
    size_t seq; /* order found, to keep the sort stable */
    int is_warning;
    char *text; /* "field\0message\0" */
} pending;

/* The diagnostics list keeps 1000; holding more would only use memory. */
#define PENDING_MAX 1000

typedef struct sub_ctx {
    const ww_input *in;
    ww_diags *diags;
    ww_arena *arena;
    int rc; /* sticky: the first WW_ENOMEM; later work is skipped */
    int current_year;
    size_t schema_errors;    /* how many the schema reported */
    int design_schema_error; /* one of them was inside <design> */
    /* parser guards */
    int doctype_seen;
    long doctype_line;
    int depth, too_deep;
    long too_deep_line;
    xmlParserCtxtPtr pctxt;
    startElementNsSAX2Func start_element; /* libxml2's tree builder */
    endElementNsSAX2Func end_element;
    char last_parse_msg[256]; /* to drop exact repeats */
    long last_parse_line;
    pending *pending;
    size_t n_pending, alloc_pending, pending_dropped;
} sub_ctx;

/* Diagnostics are held back and handed over sorted by line, so a file with
 * many problems reads top to bottom whichever check found each one. */
static int pending_cmp(const void *a, const void *b)
{
    const pending *x = a, *y = b;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void diag(sub_ctx *c, int is_warning, long line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void diag(sub_ctx *c, int is_warning, long line, const char *field, const char *fmt, ...)
{
    char msg[1024];
    size_t flen = field ? strlen(field) : 0, mlen;
    pending *p;
    va_list ap;
    if (c->rc < 0) return;
    if (c->n_pending == PENDING_MAX) {
        c->pending_dropped++;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mlen = strlen(msg);
    if (c->n_pending == c->alloc_pending) {
        size_t n = c->alloc_pending ? c->alloc_pending * 2 : 16;
        pending *grown = realloc(c->pending, n * sizeof *grown);
        if (!grown) {
            c->rc = ww__error_oom();
            return;
        }
        c->pending = grown;
        c->alloc_pending = n;
    }
    p = &c->pending[c->n_pending];
    if (!(p->text = malloc(flen + mlen + 2))) {
        c->rc = ww__error_oom();
        return;
    }
    if (flen) memcpy(p->text, field, flen);
    p->text[flen] = '\0';
    memcpy(p->text + flen + 1, msg, mlen + 1);
    p->line = line > 0 ? line : 0;
    p->seq = c->n_pending;
    p->is_warning = is_warning;
    c->n_pending++;
}

/* Hand the held diagnostics to the list, sorted, and free them. */
static int flush_diags(sub_ctx *c)
{
    int error = c->rc;
    if (c->n_pending) qsort(c->pending, c->n_pending, sizeof *c->pending, pending_cmp);
    for (size_t i = 0; i < c->n_pending; i++) {
        pending *p = &c->pending[i];
        if (error == 0)
            error = ww_diags__add(c->diags, p->is_warning, c->in->name, p->line,
                                  p->text[0] ? p->text : NULL, "%s", p->text + strlen(p->text) + 1);
        free(p->text);
    }
    /* Past the cap the list only counts; keep its error count honest. */
    for (size_t i = 0; i < c->pending_dropped && error == 0; i++)
        error = ww_diags__add(c->diags, 0, c->in->name, 0, NULL, "more problems not shown");
    free(c->pending);
    c->pending = NULL;
    c->n_pending = c->alloc_pending = 0;
    return error;
}

#define ERR(c, line, field, ...) diag((c), 0, (line), (field), __VA_ARGS__)

/* Copy at most QUOTE_MAX bytes of s into buf for a message, cut on a
 * character boundary, with "..." when cut. */
static const char *quote(char *buf, size_t n, const char *s)
{
    size_t len = strlen(s);
    if (n < QUOTE_MAX + 4) return "";
    if (len <= QUOTE_MAX) {
        memcpy(buf, s, len + 1);
        return buf;
    }
    len = QUOTE_MAX;
    while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) len--;
    memcpy(buf, s, len);
    memcpy(buf + len, "...", 4);
    return buf;
}

/* ---- step 1 and 2: raw bytes ------------------------------------------ */

static int all_space(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isspace(p[i])) return 0;
    return 1;
}

/* Line (1-based) of the first byte that is not UTF-8, or 0 when all are.
 * Checking line by line is exact: a newline is ASCII, so it can never sit
 * inside a multi-byte sequence. */
static long first_bad_utf8_line(const unsigned char *p, size_t n)
{
    size_t start = 0;
    long line = 1;
    while (start < n) {
        const unsigned char *nl = memchr(p + start, '\n', n - start);
        size_t end = nl ? (size_t)(nl - p) : n;
        if (!ww__utf8_valid((const char *)p + start, end - start)) return line;
        start = end + 1;
        line++;
    }
    return 0;
}

/* ---- step 3: parsing with guards ---------------------------------------- */

static sub_ctx *ctx_of(void *user_data)
{
    /* libxml2 passes ctxt->userData, which is the parser context itself
     * unless a SAX user pointer was given (none is). */
    xmlParserCtxtPtr pctxt = user_data;
    return pctxt->_private;
}

static void on_doctype(void *user_data, const xmlChar *name, const xmlChar *external_id,
                       const xmlChar *system_id)
{
    sub_ctx *c = ctx_of(user_data);
    (void)name;
    (void)external_id;
    (void)system_id;
    /* Stop before the internal subset is read: no entity is ever declared,
     * no external DTD is ever opened. */
    c->doctype_seen = 1;
    c->doctype_line = xmlSAX2GetLineNumber(c->pctxt);
    xmlStopParser(c->pctxt);
}

static void on_start_element(void *user_data, const xmlChar *localname, const xmlChar *prefix,
                             const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                             int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    sub_ctx *c = ctx_of(user_data);
    if (++c->depth > SUBMISSION_MAX_DEPTH) {
        c->too_deep = 1;
        c->too_deep_line = xmlSAX2GetLineNumber(c->pctxt);
        xmlStopParser(c->pctxt);
        return;
    }
    c->start_element(user_data, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                     nb_defaulted, attributes);
}

static void on_end_element(void *user_data, const xmlChar *localname, const xmlChar *prefix,
                           const xmlChar *uri)
{
    sub_ctx *c = ctx_of(user_data);
    c->depth--;
    c->end_element(user_data, localname, prefix, uri);
}

/* Trim libxml2's trailing newline (and period) into buf. */
static const char *clean_message(char *buf, size_t n, const char *msg)
{
    size_t len;
    snprintf(buf, n, "%s", msg ? msg : "unknown error");
    len = strlen(buf);
    while (len > 0 && (isspace((unsigned char)buf[len - 1]) || buf[len - 1] == '.'))
        buf[--len] = '\0';
    return buf;
}

static void on_parse_error(void *user_data, sub_error_ptr err)
{
    sub_ctx *c = ctx_of(user_data);
    char msg[256];
    long line = err->line;
    /* Running out of memory is not a fault in the file. */
    if (err->code == XML_ERR_NO_MEMORY || err->domain == XML_FROM_MEMORY) {
        if (!c->rc) c->rc = ww__error_oom();
        return;
    }
    if (c->doctype_seen || c->too_deep) return; /* already said why we stopped */
    clean_message(msg, sizeof msg, err->message);
    if (line == c->last_parse_line && !strcmp(msg, c->last_parse_msg)) return;
    c->last_parse_line = line;
    memcpy(c->last_parse_msg, msg, sizeof msg);
    if (strstr(msg, "Huge input lookup")) {
        ERR(c, line, NULL, "one piece of text or markup is longer than libxml2's 10 MB limit");
        return;
    }
    if (strstr(msg, "Excessive depth")) {
        ERR(c, line, NULL, "elements are nested too deeply (libxml2 limit reached)");
        return;
    }
    diag(c, err->level == XML_ERR_WARNING, line, NULL, "%s: %s",
         err->level == XML_ERR_WARNING ? "XML" : "not well-formed XML", msg);
}

/* Parse the bytes into a tree, or return NULL with diagnostics added. */
static xmlDocPtr parse_guarded(sub_ctx *c)
{
    xmlParserCtxtPtr pctxt;
    xmlDocPtr doc = NULL;

    pctxt = xmlCreateMemoryParserCtxt((const char *)c->in->data, (int)c->in->size);
    if (!pctxt) {
        c->rc = ww__error_oom();
        return NULL;
    }
    /* NONET: never fetch anything. No NOENT (entities are not substituted),
     * no DTDLOAD/DTDATTR/DTDVALID (no DTD is read). BIG_LINES: true line
     * numbers past 65535. NOCDATA: CDATA sections become plain text. */
    xmlCtxtUseOptions(pctxt, XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA);
    pctxt->_private = c;
    c->pctxt = pctxt;
    c->start_element = pctxt->sax->startElementNs;
    c->end_element = pctxt->sax->endElementNs;
    pctxt->sax->startElementNs = on_start_element;
    pctxt->sax->endElementNs = on_end_element;
    pctxt->sax->internalSubset = on_doctype;
    pctxt->sax->externalSubset = on_doctype;
    pctxt->sax->serror = on_parse_error;

    xmlParseDocument(pctxt);
    doc = pctxt->myDoc;
    pctxt->myDoc = NULL;

    if (c->doctype_seen) {
        ERR(c, c->doctype_line, "DOCTYPE",
            "a submission may not contain a DOCTYPE (DTDs and entities are refused "
            "for safety)");
    } else if (c->too_deep) {
        ERR(c, c->too_deep_line, NULL,
            "elements are nested more than %d deep; a submission nests five deep",
            SUBMISSION_MAX_DEPTH);
    } else if (!pctxt->wellFormed && c->last_parse_line == 0 && !c->last_parse_msg[0]) {
        ERR(c, 0, NULL, "not well-formed XML");
    }
    if (c->doctype_seen || c->too_deep || !pctxt->wellFormed) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(pctxt);
    c->pctxt = NULL;
    return doc;
}

/* ---- step 4: root, namespace, version ------------------------------------ */

static int names_equal(const xmlChar *a, const char *b)
{
    return a && !strcmp((const char *)a, b);
}

/* Returns 1 when the root is a version-1 submission worth validating. */
static int check_root(sub_ctx *c, xmlNodePtr root)
{
    const char *ns;
    xmlChar *version;
    int ok = 1;
    char q[QUOTE_MAX + 4];

    if (!root) {
        ERR(c, 0, NULL, "the document has no root element");
        return 0;
    }
    if (!names_equal(root->name, "submission")) {
        ERR(c, xmlGetLineNo(root), (const char *)root->name,
            "the root element is <%s>; a submission starts with <submission xmlns=\"%s\" "
            "version=\"1\">",
            quote(q, sizeof q, (const char *)root->name), WW_SUBMISSION_NS);
        return 0;
    }
    ns = root->ns && root->ns->href ? (const char *)root->ns->href : NULL;
    if (!ns || strcmp(ns, WW_SUBMISSION_NS) != 0) {
        if (ns && !strncmp(ns, NS_PREFIX, strlen(NS_PREFIX)))
            ERR(c, xmlGetLineNo(root), "xmlns",
                "namespace %s is submission format version %s; this whatworks reads "
                "version 1 (%s)",
                quote(q, sizeof q, ns), ns + strlen(NS_PREFIX), WW_SUBMISSION_NS);
        else if (ns)
            ERR(c, xmlGetLineNo(root), "xmlns", "wrong namespace '%s'; expected %s",
                quote(q, sizeof q, ns), WW_SUBMISSION_NS);
        else
            ERR(c, xmlGetLineNo(root), "xmlns",
                "<submission> has no namespace; expected xmlns=\"%s\"", WW_SUBMISSION_NS);
        ok = 0;
    }
    /* A present but different version is reported here, once, with both
     * numbers; a missing one is left to the schema ("required"). */
    version = xmlGetNoNsProp(root, (const xmlChar *)"version");
    if (version) {
        char *v = (char *)version, *e;
        while (isspace((unsigned char)*v)) v++;
        e = v + strlen(v);
        while (e > v && isspace((unsigned char)e[-1])) *--e = '\0';
        if (strcmp(v, "1") != 0) {
            ERR(c, xmlGetLineNo(root), "version",
                "this file is version '%s' of the submission format; this whatworks "
                "supports version 1",
                quote(q, sizeof q, v));
            ok = 0;
        }
        xmlFree(version);
    }
    return ok;
}

/* ---- step 5: schema validation -------------------------------------------- */

/* The attribute a libxml2 schema message is about: its messages begin
 * "Element 'NAME', attribute 'ATTR': ", and names cannot hold quotes, so
 * only that header is looked at (the user's value comes later). */
static const char *attribute_of(char *buf, size_t n, const char *msg)
{
    static const char head[] = "Element '", mid[] = "', attribute '";
    const char *p, *e;
    size_t len;
    if (strncmp(msg, head, strlen(head)) != 0) return NULL;
    p = strchr(msg + strlen(head), '\'');
    if (!p || strncmp(p, mid, strlen(mid)) != 0) return NULL;
    p += strlen(mid);
    if (!(e = strchr(p, '\''))) return NULL;
    len = (size_t)(e - p) < n - 1 ? (size_t)(e - p) : n - 1;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return buf;
}

/* The type named at the end of "... is not a valid value of the atomic type
 * 'T'." (the last occurrence, as the user's value comes before it). */
static const char *atomic_type_of(char *buf, size_t n, const char *msg)
{
    static const char key[] = "atomic type '";
    const char *p = NULL, *q, *e;
    size_t len;
    for (q = strstr(msg, key); q; q = strstr(q + 1, key)) p = q;
    if (!p) return NULL;
    p += strlen(key);
    if (!(e = strchr(p, '\''))) return NULL;
    len = (size_t)(e - p) < n - 1 ? (size_t)(e - p) : n - 1;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return buf;
}

/* "{urn:...}name" -> "name" (in place). */
static char *local_name(char *s)
{
    char *b = strchr(s, '}');
    return b ? b + 1 : s;
}

/* What a value of a named schema type must be, in plain words. */
static const char *type_phrase(const char *type)
{
    static const struct {
        const char *type, *phrase;
    } phrases[] = {
        {"number", "must be a decimal number such as 12.5"},
        {"positiveNumber", "must be a decimal number greater than 0"},
        {"money", "must be an amount in pounds such as 420.00, not negative"},
        {"signedMoney", "must be an amount in pounds such as 85.00"},
        {"count", "must be a whole number of at least 1"},
        {"eventCount", "must be a whole number of at least 0"},
        {"year", "must be a four-digit year"},
        {"relativeYear", "must be a whole number of years from the start of delivery (0 = first)"},
        {"confidence", "must be a whole number from 1 to 6"},
        {"xs:boolean", "must be true or false"},
    };
    for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
        if (!strcmp(type, phrases[i].type)) return phrases[i].phrase;
    return NULL;
}

/* What the value of an element with a pattern facet must look like. */
static const char *pattern_phrase(const char *field)
{
    if (!strcmp(field, "country")) return "must be a two-letter ISO 3166 country code such as GB";
    if (!strcmp(field, "report_url")) return "must be a web address starting http:// or https://";
    if (!strcmp(field, "doi"))
        return "must be a DOI such as 10.1000/xyz123 (without https://doi.org/)";
    if (!strcmp(field, "description") || !strcmp(field, "notes")) return "must not be blank";
    return "is not in the expected form";
}

static xmlNodePtr element_sibling(xmlNodePtr n, int forward)
{
    for (n = forward ? n->next : n->prev; n; n = forward ? n->next : n->prev)
        if (n->type == XML_ELEMENT_NODE) return n;
    return NULL;
}

/* The element names after "Expected is ( " or "Expected is one of ( " in a
 * libxml2 content-model message, namespaces dropped, joined with ", " into
 * buf. Returns how many names there were (0 when the message has none). */
static int expected_names(char *buf, size_t n, const char *msg)
{
    const char *p = msg ? strstr(msg, "Expected is ") : NULL;
    size_t j = 0;
    int count = 0, in_name = 0;
    buf[0] = '\0';
    if (!p || !(p = strchr(p, '('))) return 0;
    for (p++; *p && *p != ')' && j + 3 < n; p++) {
        if (*p == '{') { /* skip "{namespace}" */
            while (*p && *p != '}') p++;
            if (!*p) break;
            continue;
        }
        if (*p == ' ' || *p == ',') {
            in_name = 0;
            continue;
        }
        if (!in_name) {
            if (count++) {
                buf[j++] = ',';
                buf[j++] = ' ';
            }
            in_name = 1;
        }
        buf[j++] = *p;
    }
    buf[j] = '\0';
    return count;
}

/* libxml2 says "This element is not expected. Expected is ( X )" at the
 * element it found. That is either a stray element or one where a required
 * X is missing; say which the siblings suggest. */
static void explain_unexpected(sub_ctx *c, xmlNodePtr found, long line, const char *msg)
{
    char expected[256], q[QUOTE_MAX + 4];
    const char *found_name = (const char *)found->name;
    const char *found_ns = found->ns && found->ns->href ? (const char *)found->ns->href : "";
    xmlNodePtr s;
    int names = expected_names(expected, sizeof expected, msg);
    int expected_later = 0, repeated = 0;

    if (names == 0) {
        ERR(c, line, found_name, "not expected here (nothing more is allowed inside <%s>)",
            found->parent ? (const char *)found->parent->name : "?");
        return;
    }
    if (names > 1) {
        ERR(c, line, found_name, "not expected here; expected one of: %s", expected);
        return;
    }
    if (!strcmp(found_name, expected) && strcmp(found_ns, WW_SUBMISSION_NS) != 0) {
        ERR(c, line, expected, "is in namespace '%s'; expected %s",
            quote(q, sizeof q, found_ns[0] ? found_ns : "(none)"), WW_SUBMISSION_NS);
        return;
    }
    for (s = element_sibling(found, 0); s; s = element_sibling(s, 0))
        if (names_equal(s->name, found_name)) repeated = 1;
    for (s = found; s; s = element_sibling(s, 1))
        if (names_equal(s->name, expected)) expected_later = 1;
    if (repeated)
        ERR(c, line, found_name, "appears more than once; <%s> was expected here", expected);
    else if (!expected_later)
        ERR(c, line, expected, "missing (found <%s> where <%s> was expected)", found_name,
            expected);
    else
        ERR(c, line, found_name, "not expected here; <%s> was expected", expected);
}

static void on_schema_error(void *user, sub_error_ptr err)
{
    sub_ctx *c = user;
    xmlNodePtr node = err->node;
    char attr[128], type[128], set[512], msgbuf[1024], q[QUOTE_MAX + 4];
    const char *field = NULL, *msg = err->message ? err->message : "";
    const char *value = err->str1 ? err->str1 : "";
    const char *limit = err->str2 ? err->str2 : "";
    long line = err->line;

    if (err->code == XML_ERR_NO_MEMORY || err->domain == XML_FROM_MEMORY) {
        if (!c->rc) c->rc = ww__error_oom();
        return;
    }
    c->schema_errors++;
    if (node && node->type == XML_ATTRIBUTE_NODE) node = node->parent;
    if (node && node->type == XML_ELEMENT_NODE) {
        line = xmlGetLineNo(node);
        field = (const char *)node->name;
    }
    if (attribute_of(attr, sizeof attr, msg)) field = attr;
    /* Remember a problem inside <design>, so the C check for the control
     * arm does not report the same missing element twice. */
    for (xmlNodePtr up = node; up; up = up->parent)
        if (up->type == XML_ELEMENT_NODE && names_equal(up->name, "design"))
            c->design_schema_error = 1;

    switch (err->code) {
    case XML_SCHEMAV_CVC_DATATYPE_VALID_1_2_1: {
        const char *phrase = NULL;
        if (atomic_type_of(type, sizeof type, msg)) phrase = type_phrase(local_name(type));
        ERR(c, line, field, "%s, got '%s'", phrase ? phrase : "has the wrong kind of value",
            quote(q, sizeof q, value));
        break;
    }
    case XML_SCHEMAV_CVC_MINLENGTH_VALID: ERR(c, line, field, "must not be empty"); break;
    case XML_SCHEMAV_CVC_MAXLENGTH_VALID:
        ERR(c, line, field, "is too long: %s characters, at most %s allowed", value, limit);
        break;
    case XML_SCHEMAV_CVC_MININCLUSIVE_VALID:
        if (!strcmp(limit, "0"))
            ERR(c, line, field, "must not be negative, got %s", quote(q, sizeof q, value));
        else
            ERR(c, line, field, "must be at least %s, got %s", limit, quote(q, sizeof q, value));
        break;
    case XML_SCHEMAV_CVC_MAXINCLUSIVE_VALID:
        ERR(c, line, field, "must be at most %s, got %s", limit, quote(q, sizeof q, value));
        break;
    case XML_SCHEMAV_CVC_MINEXCLUSIVE_VALID:
        ERR(c, line, field, "must be > %s, got %s", limit, quote(q, sizeof q, value));
        break;
    case XML_SCHEMAV_CVC_MAXEXCLUSIVE_VALID:
        ERR(c, line, field, "must be < %s, got %s", limit, quote(q, sizeof q, value));
        break;
    case XML_SCHEMAV_CVC_PATTERN_VALID:
        ERR(c, line, field, "%s, got '%s'", pattern_phrase(field ? field : ""),
            quote(q, sizeof q, value));
        break;
    case XML_SCHEMAV_CVC_ENUMERATION_VALID: {
        /* libxml2 gives the set as "'a', 'b'"; drop the quotes. */
        size_t j = 0;
        for (const char *p = limit; *p && j < sizeof set - 1; p++)
            if (*p != '\'') set[j++] = *p;
        set[j] = '\0';
        ERR(c, line, field, "must be one of: %s; got '%s'", set, quote(q, sizeof q, value));
        break;
    }
    case XML_SCHEMAV_CVC_TYPE_3_1_2:
        ERR(c, line, field, "must hold plain text, not other elements");
        break;
    case XML_SCHEMAV_CVC_COMPLEX_TYPE_3_2_1:
    case XML_SCHEMAV_CVC_COMPLEX_TYPE_3_2_2:
        ERR(c, line, value[0] ? value : field, "attribute not allowed here");
        break;
    case XML_SCHEMAV_CVC_COMPLEX_TYPE_4:
        ERR(c, line, value[0] ? value : field, "required attribute is missing");
        break;
    case XML_SCHEMAV_ELEMENT_CONTENT:
        if (strstr(msg, "Missing child element")) {
            char expected[256];
            int names = expected_names(expected, sizeof expected, msg);
            if (names == 1)
                ERR(c, line, expected, "missing (required in <%s>)", field ? field : "?");
            else if (names > 1)
                ERR(c, line, field, "a child element is missing: one of %s", expected);
            else
                ERR(c, line, field, "a required child element is missing");
        } else if (node && node->type == XML_ELEMENT_NODE) {
            explain_unexpected(c, node, line, msg);
        } else {
            ERR(c, line, field, "%s", clean_message(msgbuf, sizeof msgbuf, msg));
        }
        break;
    default: {
        /* Anything else: libxml2's own words, less the "Element '...': "
         * prefix and the namespace noise. */
        static const char noise[] = "{" WW_SUBMISSION_NS "}";
        const char *p = strstr(msg, "': ");
        char *ns;
        clean_message(msgbuf, sizeof msgbuf, p ? p + 3 : msg);
        while ((ns = strstr(msgbuf, noise)))
            memmove(ns, ns + strlen(noise), strlen(ns + strlen(noise)) + 1);
        ERR(c, line, field, "%s", msgbuf);
        break;
    }
    }
}

static int validate(sub_ctx *c, xmlDocPtr doc)
{
    xmlSchemaPtr s = NULL;
    xmlSchemaValidCtxtPtr vctxt;
    int error;
    if ((error = schema_get(&s)) < 0) return error;
    if (!(vctxt = xmlSchemaNewValidCtxt(s))) return ww__error_oom();
    xmlSchemaSetValidStructuredErrors(vctxt, on_schema_error, c);
    error = xmlSchemaValidateDoc(vctxt, doc);
    xmlSchemaFreeValidCtxt(vctxt);
    if (error < 0 && c->schema_errors == 0)
        return ww__error(WW_ERROR, "%s: libxml2 could not validate the document (%d)", c->in->name,
                         error);
    return c->rc;
}

/* ---- step 6: reading the tree into a record, with the checks XSD can't do */

/* The first child element of parent called name in our namespace. */
static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
    if (!parent) return NULL;
    for (xmlNodePtr n = parent->children; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && names_equal(n->name, name) && n->ns &&
            names_equal(n->ns->href, WW_SUBMISSION_NS))
            return n;
    return NULL;
}

static xmlNodePtr next_named(xmlNodePtr n, const char *name)
{
    for (n = n ? n->next : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && names_equal(n->name, name) && n->ns &&
            names_equal(n->ns->href, WW_SUBMISSION_NS))
            return n;
    return NULL;
}

static long line_of(xmlNodePtr n)
{
    return n ? xmlGetLineNo(n) : 0;
}

/* The text of n in the arena with whitespace collapsed as xs:token does
 * (keep_lines: only trimmed, for descriptions). NULL when n is NULL or the
 * text is blank. */
static const char *text_of(sub_ctx *c, xmlNodePtr n, int keep_lines)
{
    xmlChar *raw;
    const char *s;
    char *out, *w;
    if (!n || c->rc < 0) return NULL;
    if (!(raw = xmlNodeGetContent(n))) {
        c->rc = ww__error_oom();
        return NULL;
    }
    s = (const char *)raw;
    if (!(out = ww_arena__alloc(c->arena, strlen(s) + 1))) {
        xmlFree(raw);
        c->rc = ww__error_oom();
        return NULL;
    }
    w = out;
    while (*s && isspace((unsigned char)*s)) s++;
    for (; *s; s++) {
        if (!keep_lines && isspace((unsigned char)*s)) {
            while (s[1] && isspace((unsigned char)s[1])) s++;
            if (s[1]) *w++ = ' ';
            continue;
        }
        *w++ = *s;
    }
    while (w > out && isspace((unsigned char)w[-1])) w--;
    *w = '\0';
    xmlFree(raw);
    return out[0] ? out : NULL;
}

/* Numbers: 1 when read. A value the schema let through but C cannot read
 * (e.g. a decimal too long for a double) is reported here. */
static int number_of(sub_ctx *c, xmlNodePtr n, double *out)
{
    char buf[128], q[QUOTE_MAX + 4];
    xmlChar *raw;
    int ok;
    if (!n || c->rc < 0) return 0;
    if (!(raw = xmlNodeGetContent(n))) {
        c->rc = ww__error_oom();
        return 0;
    }
    snprintf(buf, sizeof buf, "%s", (const char *)raw);
    ok = strlen((const char *)raw) < sizeof buf && ww__parse_double(out, buf) == 0;
    if (!ok && c->schema_errors == 0)
        ERR(c, line_of(n), (const char *)n->name, "is not a usable number: '%s'",
            quote(q, sizeof q, (const char *)raw));
    xmlFree(raw);
    return ok;
}

static int long_of(sub_ctx *c, xmlNodePtr n, long *out)
{
    char buf[64], q[QUOTE_MAX + 4];
    xmlChar *raw;
    int ok;
    if (!n || c->rc < 0) return 0;
    if (!(raw = xmlNodeGetContent(n))) {
        c->rc = ww__error_oom();
        return 0;
    }
    snprintf(buf, sizeof buf, "%s", (const char *)raw);
    ok = strlen((const char *)raw) < sizeof buf && ww__parse_long(out, buf) == 0;
    if (!ok && c->schema_errors == 0)
        ERR(c, line_of(n), (const char *)n->name, "is not a usable whole number: '%s'",
            quote(q, sizeof q, (const char *)raw));
    xmlFree(raw);
    return ok;
}

/* xs:boolean: "true"/"1" or "false"/"0"; -1 when absent or unreadable. */
static int bool_text(const char *s)
{
    if (!s) return -1;
    if (!strcmp(s, "true") || !strcmp(s, "1")) return 1;
    if (!strcmp(s, "false") || !strcmp(s, "0")) return 0;
    return -1;
}

/* A calendar year, checked against the current one. */
static int year_of(sub_ctx *c, xmlNodePtr n)
{
    long y;
    if (!long_of(c, n, &y) || y < 1900 || y > 2100) return -1;
    if (y > c->current_year) {
        ERR(c, line_of(n), (const char *)n->name, "%ld is in the future (this is %d)", y,
            c->current_year);
        return -1;
    }
    return (int)y;
}

static const char *where_of(sub_ctx *c, xmlNodePtr n)
{
    char buf[48];
    const char *s;
    if (c->rc < 0) return NULL;
    snprintf(buf, sizeof buf, "line %ld", line_of(n));
    if (!(s = ww_arena__strdup(c->arena, buf))) c->rc = ww__error_oom();
    return s;
}

/* count_node must not exceed limit_node's value. */
static void check_not_above(sub_ctx *c, xmlNodePtr count_node, long count, xmlNodePtr limit_node,
                            long limit, const char *why)
{
    if (count_node && limit_node && count >= 0 && limit >= 0 && count > limit)
        ERR(c, line_of(count_node), (const char *)count_node->name,
            "must not exceed %s (%ld), got %ld%s", (const char *)limit_node->name, limit, count,
            why);
}

static void read_evaluation(sub_ctx *c, xmlNodePtr ev, ww_record *rec)
{
    xmlNodePtr authors = child(ev, "authors"), a;
    xmlChar *example = NULL;
    size_t len = 0;
    char *joined, *w;

    rec->title = text_of(c, child(ev, "title"), 0);
    rec->organisation = text_of(c, child(ev, "organisation"), 0);
    /* ww_record carries one string: authors joined with "; ". */
    for (a = child(authors, "author"); a; a = next_named(a, "author")) {
        const char *t = text_of(c, a, 0);
        if (t) len += strlen(t) + 2;
    }
    if (len && c->rc == 0 && (joined = ww_arena__alloc(c->arena, len + 1))) {
        w = joined;
        for (a = child(authors, "author"); a; a = next_named(a, "author")) {
            const char *t = text_of(c, a, 0);
            size_t n;
            if (!t) continue;
            if (w > joined) {
                memcpy(w, "; ", 2);
                w += 2;
            }
            n = strlen(t);
            memcpy(w, t, n);
            w += n;
        }
        *w = '\0';
        rec->authors = joined;
    } else if (len && c->rc == 0) {
        c->rc = ww__error_oom();
    }
    rec->year = year_of(c, child(ev, "year"));
    rec->report_url = text_of(c, child(ev, "report_url"), 0);
    rec->doi = text_of(c, child(ev, "doi"), 0);
    rec->country = text_of(c, child(ev, "country"), 0);
    rec->region = text_of(c, child(ev, "region"), 0);
    rec->notes = text_of(c, child(ev, "notes"), 1);
    /* xmlGetNoNsProp() gives NULL both for "absent" and for "out of
     * memory"; an example taken for real evidence would be worse than a
     * failed import. */
    if (ev && xmlHasProp(ev, (const xmlChar *)"example") &&
        !(example = xmlGetNoNsProp(ev, (const xmlChar *)"example")) && c->rc == 0)
        c->rc = ww__error_oom();
    if (example) {
        char *s = (char *)example, *e;
        while (isspace((unsigned char)*s)) s++;
        e = s + strlen(s);
        while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
        rec->is_example = bool_text(s) == 1;
        xmlFree(example);
    }
}

static void read_intervention(sub_ctx *c, xmlNodePtr iv, ww_record *rec)
{
    xmlNodePtr issues = child(iv, "presenting_issues"), n, cost;
    size_t count = 0;
    double v;

    rec->intervention_name = text_of(c, child(iv, "name"), 0);
    rec->intervention_description = text_of(c, child(iv, "description"), 1);
    for (n = child(issues, "issue"); n; n = next_named(n, "issue")) count++;
    if (count && c->rc == 0) {
        const char **list = ww_arena__alloc(c->arena, count * sizeof *list);
        if (!list) {
            c->rc = ww__error_oom();
            return;
        }
        rec->issues = list;
        for (n = child(issues, "issue"); n; n = next_named(n, "issue")) {
            const char *t = text_of(c, n, 0);
            if (t) list[rec->n_issues++] = t;
        }
    }
    rec->population = text_of(c, child(iv, "population"), 0);
    rec->setting = text_of(c, child(iv, "setting"), 0);
    rec->delivery = text_of(c, child(iv, "delivery"), 0);
    /* Negative costs are refused by the schema (type "money"). */
    if ((cost = child(iv, "cost_per_participant")) && number_of(c, cost, &v) && v >= 0)
        rec->cost_per_participant = v;
    rec->cost_price_year = year_of(c, child(iv, "cost_price_year"));
    rec->cost_payer = text_of(c, child(iv, "cost_payer"), 0);
}

/* Counts from the design, kept with their nodes for the outcome checks. */
typedef struct arms {
    xmlNodePtr treatment_node, control_node; /* assigned_*, NULL when not given */
    long treatment, control;
} arms;

static void read_design(sub_ctx *c, xmlNodePtr de, ww_record *rec, arms *arm)
{
    xmlNodePtr at = child(de, "assigned_treatment"), ac = child(de, "assigned_control");
    xmlNodePtr nt = child(de, "analysed_treatment"), nc = child(de, "analysed_control");
    xmlNodePtr kind = child(de, "kind");
    const char *kind_text = text_of(c, kind, 0);
    long v;
    double d;

    rec->design = kind_text ? ww_design_parse(kind_text) : WW_DESIGN_UNKNOWN;
    rec->allocation_unit = text_of(c, child(de, "allocation_unit"), 0);
    rec->comparison = text_of(c, child(de, "comparison_condition"), 0);
    if (long_of(c, at, &v) && v > 0) rec->assigned_treatment = v;
    if (long_of(c, ac, &v) && v > 0) rec->assigned_control = v;
    if (long_of(c, nt, &v) && v > 0) rec->analysed_treatment = v;
    if (long_of(c, nc, &v) && v > 0) rec->analysed_control = v;
    arm->treatment_node = rec->assigned_treatment > 0 ? at : NULL;
    arm->treatment = rec->assigned_treatment;
    arm->control_node = rec->assigned_control > 0 ? ac : NULL;
    arm->control = rec->assigned_control;

    /* Only a design without a comparison group may leave out its counts
     * (DESIGN.md 6.3: before-after and descriptive have none). */
    if (de && !c->design_schema_error && rec->design != WW_DESIGN_UNKNOWN &&
        rec->design != WW_DESIGN_BEFORE_AFTER && rec->design != WW_DESIGN_DESCRIPTIVE) {
        if (!ac)
            ERR(c, line_of(kind), "assigned_control",
                "missing: a %s design has a comparison group, so give its count", kind_text);
        if (!nc)
            ERR(c, line_of(kind), "analysed_control",
                "missing: a %s design has a comparison group, so give its count", kind_text);
    }
    check_not_above(c, nt, rec->analysed_treatment, at, rec->assigned_treatment,
                    "; more people cannot be analysed than were assigned");
    check_not_above(c, nc, rec->analysed_control, ac, rec->assigned_control,
                    "; more people cannot be analysed than were assigned");

    /* Clusters (optional): each arm's, never more than the people in it. */
    {
        xmlNodePtr ct = child(de, "clusters_treatment"), cc = child(de, "clusters_control");
        xmlNodePtr icc = child(de, "icc");
        if (long_of(c, ct, &v) && v > 0) rec->clusters_treatment = v;
        if (long_of(c, cc, &v) && v > 0) rec->clusters_control = v;
        if (!c->design_schema_error && (ct != NULL) != (cc != NULL))
            ERR(c, line_of(ct ? ct : cc), ct ? "clusters_control" : "clusters_treatment",
                "missing: give the clusters of both arms, or of neither");
        check_not_above(c, ct, rec->clusters_treatment, at, rec->assigned_treatment,
                        "; an arm cannot have more clusters than people");
        check_not_above(c, cc, rec->clusters_control, ac, rec->assigned_control,
                        "; an arm cannot have more clusters than people");
        if (number_of(c, icc, &d)) rec->icc = d;
    }

    /* The record keeps the size of the baseline gap; its sign (which arm
     * started ahead) does not change the equivalence test (WWC Handbook
     * v5.0, baseline equivalence). */
    if (number_of(c, child(de, "baseline_diff_sd"), &d)) rec->baseline_diff_sd = fabs(d);
    rec->baseline_adjusted = bool_text(text_of(c, child(de, "baseline_adjusted"), 0));
    rec->independent = bool_text(text_of(c, child(de, "independent_evaluator"), 0));
}

static void read_continuous(sub_ctx *c, xmlNodePtr x, ww_outcome_rec *o, const arms *arm)
{
    xmlNodePtr nt = child(x, "n_treatment"), nc = child(x, "n_control");
    double v;
    long n;
    o->kind = WW_OUTCOME_CONTINUOUS;
    if (number_of(c, child(x, "mean_treatment"), &v)) o->mean_treatment = v;
    if (number_of(c, child(x, "sd_treatment"), &v) && v > 0) o->sd_treatment = v;
    if (long_of(c, nt, &n) && n > 0) o->n_treatment = n;
    if (number_of(c, child(x, "mean_control"), &v)) o->mean_control = v;
    if (number_of(c, child(x, "sd_control"), &v) && v > 0) o->sd_control = v;
    if (long_of(c, nc, &n) && n > 0) o->n_control = n;
    /* Counts are people (docs/submission.md), so an outcome cannot have
     * more than were assigned to its arm. */
    check_not_above(c, nt, o->n_treatment, arm->treatment_node, arm->treatment, "");
    check_not_above(c, nc, o->n_control, arm->control_node, arm->control, "");
}

static long long_value(sub_ctx *c, xmlNodePtr n)
{
    long v;
    return long_of(c, n, &v) && v >= 0 ? v : -1;
}

static void read_binary(sub_ctx *c, xmlNodePtr x, ww_outcome_rec *o, const arms *arm)
{
    xmlNodePtr et = child(x, "events_treatment"), tt = child(x, "total_treatment");
    xmlNodePtr ec = child(x, "events_control"), tc = child(x, "total_control");
    o->kind = WW_OUTCOME_BINARY;
    o->events_treatment = long_value(c, et);
    o->total_treatment = long_value(c, tt);
    o->events_control = long_value(c, ec);
    o->total_control = long_value(c, tc);
    check_not_above(c, et, o->events_treatment, tt, o->total_treatment, "");
    check_not_above(c, ec, o->events_control, tc, o->total_control, "");
    check_not_above(c, tt, o->total_treatment, arm->treatment_node, arm->treatment, "");
    check_not_above(c, tc, o->total_control, arm->control_node, arm->control, "");
}

static void read_reported(sub_ctx *c, xmlNodePtr x, ww_outcome_rec *o)
{
    xmlNodePtr mn = child(x, "metric"), en = child(x, "estimate");
    xmlNodePtr lo = child(x, "ci_low"), hi = child(x, "ci_high");
    const char *metric = text_of(c, mn, 0);
    double est, low, high;
    int have_est, have_low, have_high, ratio, risk_diff;

    o->kind = WW_OUTCOME_REPORTED;
    o->reported_metric = metric;
    have_est = number_of(c, en, &est);
    have_low = number_of(c, lo, &low);
    have_high = number_of(c, hi, &high);
    ratio = metric && (!strcmp(metric, "OR") || !strcmp(metric, "RR"));
    risk_diff = metric && !strcmp(metric, "RD");
    if (have_est) o->reported_estimate = est;
    if (have_low) o->reported_ci_low = low;
    if (have_high) o->reported_ci_high = high;

    /* Ratios are reported on their natural scale, so they are positive; a
     * risk difference is a difference of two proportions. */
    if (ratio) {
        const char *what = !strcmp(metric, "OR") ? "an odds ratio" : "a risk ratio";
        if (have_est && est <= 0)
            ERR(c, line_of(en), "estimate", "%s must be > 0, got %g", what, est);
        if (have_low && low <= 0)
            ERR(c, line_of(lo), "ci_low", "%s's confidence limit must be > 0, got %g", what, low);
        if (have_high && high <= 0)
            ERR(c, line_of(hi), "ci_high", "%s's confidence limit must be > 0, got %g", what, high);
    } else if (risk_diff) {
        if (have_est && (est < -1 || est > 1))
            ERR(c, line_of(en), "estimate", "a risk difference must be between -1 and 1, got %g",
                est);
        if (have_low && (low < -1 || low > 1))
            ERR(c, line_of(lo), "ci_low", "a risk difference must be between -1 and 1, got %g",
                low);
        if (have_high && (high < -1 || high > 1))
            ERR(c, line_of(hi), "ci_high", "a risk difference must be between -1 and 1, got %g",
                high);
    }
    if (have_est && have_low && low > est)
        ERR(c, line_of(lo), "ci_low", "must not be above the estimate (%g), got %g", est, low);
    if (have_est && have_high && high < est)
        ERR(c, line_of(hi), "ci_high", "must not be below the estimate (%g), got %g", est, high);
    if (have_low && have_high && !(low < high) && !(have_est && (low > est || high < est)))
        ERR(c, line_of(hi), "ci_high", "must be greater than ci_low (%g), got %g", low, high);
}

static int read_outcomes(sub_ctx *c, xmlNodePtr outs, ww_record *rec, const arms *arm)
{
    size_t count = 0, i = 0;
    xmlNodePtr n, x;
    for (n = child(outs, "outcome"); n; n = next_named(n, "outcome")) count++;
    if (!count || c->rc < 0) return c->rc;
    if (!(rec->outcomes = ww_arena__alloc(c->arena, count * sizeof *rec->outcomes)))
        return c->rc = ww__error_oom();
    for (n = child(outs, "outcome"); n; n = next_named(n, "outcome")) {
        ww_outcome_rec *o = &rec->outcomes[i++];
        const char *direction;
        ww_outcome_rec_init(o);
        o->name = text_of(c, child(n, "name"), 0);
        o->domain = text_of(c, child(n, "domain"), 0);
        o->timepoint = text_of(c, child(n, "timepoint"), 0);
        direction = text_of(c, child(n, "direction"), 0);
        o->higher_is_better = direction ? !strcmp(direction, "higher-is-better") : 1;
        o->where = where_of(c, n);
        o->line = line_of(n);
        if ((x = child(n, "continuous")))
            read_continuous(c, x, o, arm);
        else if ((x = child(n, "binary")))
            read_binary(c, x, o, arm);
        else if ((x = child(n, "reported")))
            read_reported(c, x, o);
        else
            o->kind = 0; /* the schema has reported the missing result */
    }
    rec->n_outcomes = count;
    return c->rc;
}

static int read_benefits(sub_ctx *c, xmlNodePtr bens, ww_record *rec)
{
    size_t count = 0, i = 0;
    xmlNodePtr n;
    for (n = child(bens, "benefit"); n; n = next_named(n, "benefit")) count++;
    if (!count || c->rc < 0) return c->rc;
    if (!(rec->benefits = ww_arena__alloc(c->arena, count * sizeof *rec->benefits)))
        return c->rc = ww__error_oom();
    for (n = child(bens, "benefit"); n; n = next_named(n, "benefit")) {
        ww_benefit_rec *b = &rec->benefits[i++];
        xmlNodePtr first = child(n, "first_year"), last = child(n, "last_year");
        double v;
        long y;
        ww_benefit_rec_init(b);
        b->agency = text_of(c, child(n, "agency"), 0);
        if (number_of(c, child(n, "amount_per_participant_year"), &v))
            b->amount_per_participant_year = v;
        if (long_of(c, first, &y) && y >= 0 && y <= 100) b->first_year = (int)y;
        if (long_of(c, last, &y) && y >= 0 && y <= 100) b->last_year = (int)y;
        if (first && last && b->first_year >= 0 && b->last_year >= 0 &&
            b->last_year < b->first_year)
            ERR(c, line_of(last), "last_year", "must not be before first_year (%d), got %d",
                b->first_year, b->last_year);
        b->price_year = year_of(c, child(n, "price_year"));
        if (long_of(c, child(n, "confidence"), &y) && y >= 1 && y <= 6) b->confidence = (int)y;
        b->source = text_of(c, child(n, "source"), 0);
        b->line = line_of(n);
    }
    rec->n_benefits = count;
    return c->rc;
}

static void read_record(sub_ctx *c, xmlNodePtr root, ww_record *rec)
{
    arms arm = {NULL, NULL, -1, -1};
    ww_record_init(rec);
    rec->provisional = 1; /* a submission is the evaluator's word until reviewed */
    rec->is_example = 0;
    rec->where = where_of(c, root);
    rec->line = line_of(root);
    read_evaluation(c, child(root, "evaluation"), rec);
    read_intervention(c, child(root, "intervention"), rec);
    read_design(c, child(root, "design"), rec, &arm);
    read_outcomes(c, child(root, "outcomes"), rec, &arm);
    read_benefits(c, child(root, "benefits"), rec);
}

/* ---- the importer ----------------------------------------------------------- */

/* The current year in the earliest time zone (UTC+14), so an evaluation
 * dated this year is never "in the future" anywhere it could be written. */
static int current_year(void)
{
    time_t now = time(NULL) + 14 * 3600;
    struct tm tm;
    if (!gmtime_r(&now, &tm)) return 2100;
    return tm.tm_year + 1900;
}

static int submission_parse(const ww_input *in, ww_diags *diags, const ww_sink *sink)
{
    sub_ctx c;
    xmlDocPtr doc = NULL;
    xmlNodePtr root;
    ww_record rec;
    size_t errors_before = ww_diags__errors(diags);
    long bad_line;
    int error = 0, flushed;

    memset(&c, 0, sizeof c);
    xmlSetGenericErrorFunc(NULL, discard_generic_error);
    c.in = in;
    c.diags = diags;
    c.current_year = current_year();

    if (in->size > SUBMISSION_MAX_BYTES) {
        ERR(&c, 0, NULL, "the file is %zu bytes, over the %zu MiB limit for a submission", in->size,
            SUBMISSION_MAX_BYTES / (1024 * 1024));
        goto done;
    }
    if (in->size == 0 || all_space(in->data, in->size)) {
        ERR(&c, 0, NULL, "the file is empty");
        goto done;
    }
    if ((bad_line = first_bad_utf8_line(in->data, in->size)) > 0) {
        ERR(&c, bad_line, "encoding",
            "this line is not valid UTF-8 (a submission must be saved as UTF-8, "
            "not Latin-1 or Windows-1252)");
        goto done;
    }

    /* The schema is compiled first so that a broken build is reported as
     * such, not as a fault in the user's file. */
    {
        xmlSchemaPtr s = NULL;
        if ((error = schema_get(&s)) < 0) goto done;
    }
    doc = parse_guarded(&c);
    if ((error = c.rc) < 0 || !doc) goto done;

    /* The bytes are UTF-8; a declaration claiming otherwise would make
     * libxml2 decode them as something else. */
    if (doc->encoding && strcasecmp((const char *)doc->encoding, "UTF-8") != 0 &&
        strcasecmp((const char *)doc->encoding, "US-ASCII") != 0) {
        char q[QUOTE_MAX + 4];
        ERR(&c, 1, "encoding", "the XML declaration says encoding=\"%s\"; submissions are UTF-8",
            quote(q, sizeof q, (const char *)doc->encoding));
    }
    root = xmlDocGetRootElement(doc);
    if (!check_root(&c, root)) goto done;
    if ((error = validate(&c, doc)) < 0) goto done;

    if ((error = ww_arena__new(&c.arena)) < 0) goto done;
    read_record(&c, root, &rec);
    if ((error = c.rc) < 0) goto done;

    {
        int any_error = 0;
        for (size_t i = 0; i < c.n_pending; i++)
            if (!c.pending[i].is_warning) any_error = 1;
        if ((error = flush_diags(&c)) < 0) goto done;
        if (!any_error && !c.pending_dropped && ww_diags__errors(diags) == errors_before && sink &&
            sink->record)
            error = sink->record(sink->ctx, &rec);
    }

done:
    flushed = flush_diags(&c);
    if (error == 0) error = flushed;
    ww_arena__free(c.arena);
    xmlFreeDoc(doc);
    return error;
}

/* 1 when the n bytes at p contain needle (memmem is a GNU extension). */
static int contains(const unsigned char *p, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; m <= n && i <= n - m; i++)
        if (p[i] == (unsigned char)needle[0] && !memcmp(p + i, needle, m)) return 1;
    return 0;
}

static int submission_sniff(const ww_input *in)
{
    size_t n = in->size < SNIFF_WINDOW ? in->size : SNIFF_WINDOW;
    const unsigned char *p = in->data;
    size_t i = 0;
    if (!p || n == 0) return 0;
    if (contains(p, n, WW_SUBMISSION_NS)) return 95;
    /* Another version of the format: ours to read, so we can say which
     * version it is and which one is supported. */
    if (contains(p, n, NS_PREFIX)) return 80;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) i = 3;
    while (i < n && isspace(p[i])) i++;
    if (i < n && p[i] == '<' && contains(p, n, "<submission")) return 20;
    return 0;
}

const ww_importer ww_importer_submission = {
    "submission",
    "whatworks submission XML, version 1 (urn:whatworks:submission:1)",
    submission_sniff,
    submission_parse,
};
