/*
 * effect_table.c — the importer for coded effect-size tables: the CSV (or
 * R-style whitespace-delimited text) that systematic reviewers keep, one
 * row per effect size, each review with columns of its own. What the
 * columns mean comes from a mapping file kept beside the data
 * (docs/effect-tables.md): which column is the study, the intervention, the
 * outcome and its domain, the design and how its codes map to ww_design,
 * the statistics (an effect with its SE, variance or CI; events per arm;
 * means, SDs and Ns per arm) and their metric, the direction, the
 * risk-of-bias items and the sample sizes. The repository reads the
 * mapping and hands it in with the data (ww_input.mapping); this file
 * never opens a file itself.
 *
 * One row becomes one ww_record with one outcome. Records carry the
 * mapping's identity namespace and the row's study key, so rows of one
 * study are one study, and a newer version of the same table updates the
 * study in place; each outcome carries a key (outcome.key's columns, or
 * the outcome's name and timepoint, numbered when a study has several
 * alike) and a digest of its row and of the mapping, so an update can tell
 * changed rows from unchanged ones.
 *
 * Problems are reported as FILE:LINE: field: problem: those of the mapping
 * against the mapping file and its line, those of the data against the
 * data file, its line and the column. Any error rejects the whole input;
 * no record is handed on after the first error. Statistics that are all
 * missing (empty, or a token of `missing`) give an outcome that is stored
 * and shown but never pooled (one summary warning says how many).
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nettle/sha2.h>

#include "../evidence/direction.h"
#include "csv_util.h"
#include "importers.h"

#define ET_FORMAT_LINE "# whatworks-mapping/1"
#define ET_FIELD_MAX ((size_t)1024 * 1024)
#define ET_MAPPING_MAX ((size_t)256 * 1024)
#define ET_MAX_CODES 256
#define ET_MAX_ROB 32
#define ET_MAX_MISSING 8
#define ET_QUOTE_MAX 60
/* Two-sided 95% normal quantile, for a standard error from a CI. */
#define ET_Z975 1.959963984540054

/* ---- the mapping ---------------------------------------------------------- */

enum key_kind {
    K_LITERAL, /* plain text, read as written (identity, delimiter, ...) */
    K_VALUE,   /* one column, or a "quoted template" */
    K_KEY,     /* one or more columns (comma-separated), or a template */
    K_NUMBER   /* one column holding a number */
};

enum key {
    KY_IDENTITY,
    KY_DELIMITER,
    KY_MISSING,
    KY_STUDY_KEY,
    KY_STUDY_TITLE,
    KY_STUDY_AUTHORS,
    KY_STUDY_YEAR,
    KY_STUDY_COUNTRY,
    KY_STUDY_DOI,
    KY_STUDY_URL,
    KY_STUDY_NOTES,
    KY_INTERVENTION,
    KY_INTERVENTION_DESCRIPTION,
    KY_ISSUES,
    KY_POPULATION,
    KY_SETTING,
    KY_COMPARISON,
    KY_ALLOCATION,
    KY_DESIGN,
    KY_DESIGN_BASIS,
    KY_OUTCOME,
    KY_OUTCOME_DOMAIN,
    KY_OUTCOME_TIMEPOINT,
    KY_OUTCOME_KEY,
    KY_DIRECTION,
    KY_METRIC,
    KY_ESTIMATE,
    KY_SE,
    KY_VARIANCE,
    KY_CI_LOW,
    KY_CI_HIGH,
    KY_EVENTS_T,
    KY_NONEVENTS_T,
    KY_TOTAL_T,
    KY_EVENTS_C,
    KY_NONEVENTS_C,
    KY_TOTAL_C,
    KY_MEAN_T,
    KY_SD_T,
    KY_MEAN_C,
    KY_SD_C,
    KY_N_T,
    KY_N_C,
    KY_N_TOTAL,
    KY_ROB_TOOL,
    KY_ROB_JUDGEMENT, /* codes only: rob.judgement[CODE] = low */
    KY_SKIP,
    N_KEYS
};

static const struct key_def {
    const char *name;
    enum key_kind kind;
    int codes_allowed;
} key_defs[N_KEYS] = {
    [KY_IDENTITY] = {"identity", K_LITERAL, 0},
    [KY_DELIMITER] = {"delimiter", K_LITERAL, 0},
    [KY_MISSING] = {"missing", K_LITERAL, 0},
    [KY_STUDY_KEY] = {"study.key", K_KEY, 0},
    [KY_STUDY_TITLE] = {"study.title", K_VALUE, 1},
    [KY_STUDY_AUTHORS] = {"study.authors", K_VALUE, 1},
    [KY_STUDY_YEAR] = {"study.year", K_VALUE, 0},
    [KY_STUDY_COUNTRY] = {"study.country", K_VALUE, 1},
    [KY_STUDY_DOI] = {"study.doi", K_VALUE, 0},
    [KY_STUDY_URL] = {"study.url", K_VALUE, 0},
    [KY_STUDY_NOTES] = {"study.notes", K_VALUE, 1},
    [KY_INTERVENTION] = {"intervention", K_VALUE, 1},
    [KY_INTERVENTION_DESCRIPTION] = {"intervention.description", K_VALUE, 1},
    [KY_ISSUES] = {"issues", K_VALUE, 1},
    [KY_POPULATION] = {"population", K_VALUE, 1},
    [KY_SETTING] = {"setting", K_VALUE, 1},
    [KY_COMPARISON] = {"comparison", K_VALUE, 1},
    [KY_ALLOCATION] = {"allocation", K_VALUE, 1},
    [KY_DESIGN] = {"design", K_VALUE, 1},
    [KY_DESIGN_BASIS] = {"design.basis", K_VALUE, 1},
    [KY_OUTCOME] = {"outcome", K_VALUE, 1},
    [KY_OUTCOME_DOMAIN] = {"outcome.domain", K_VALUE, 1},
    [KY_OUTCOME_TIMEPOINT] = {"outcome.timepoint", K_VALUE, 1},
    [KY_OUTCOME_KEY] = {"outcome.key", K_KEY, 0},
    [KY_DIRECTION] = {"direction", K_VALUE, 1},
    [KY_METRIC] = {"effect.metric", K_VALUE, 1},
    [KY_ESTIMATE] = {"effect.estimate", K_NUMBER, 0},
    [KY_SE] = {"effect.se", K_NUMBER, 0},
    [KY_VARIANCE] = {"effect.variance", K_NUMBER, 0},
    [KY_CI_LOW] = {"effect.ci_low", K_NUMBER, 0},
    [KY_CI_HIGH] = {"effect.ci_high", K_NUMBER, 0},
    [KY_EVENTS_T] = {"events.treatment", K_NUMBER, 0},
    [KY_NONEVENTS_T] = {"nonevents.treatment", K_NUMBER, 0},
    [KY_TOTAL_T] = {"total.treatment", K_NUMBER, 0},
    [KY_EVENTS_C] = {"events.control", K_NUMBER, 0},
    [KY_NONEVENTS_C] = {"nonevents.control", K_NUMBER, 0},
    [KY_TOTAL_C] = {"total.control", K_NUMBER, 0},
    [KY_MEAN_T] = {"mean.treatment", K_NUMBER, 0},
    [KY_SD_T] = {"sd.treatment", K_NUMBER, 0},
    [KY_MEAN_C] = {"mean.control", K_NUMBER, 0},
    [KY_SD_C] = {"sd.control", K_NUMBER, 0},
    [KY_N_T] = {"n.treatment", K_NUMBER, 0},
    [KY_N_C] = {"n.control", K_NUMBER, 0},
    [KY_N_TOTAL] = {"n.total", K_NUMBER, 0},
    [KY_ROB_TOOL] = {"rob.tool", K_LITERAL, 0},
    [KY_ROB_JUDGEMENT] = {"rob.judgement", K_LITERAL, 1},
    [KY_SKIP] = {"skip", K_VALUE, 1},
};

typedef struct code {
    char *code;  /* as written in the data */
    char *value; /* what it means: literal text, or a template when quoted */
    int is_template;
    char **names; /* a template's column references */
    int *cols;    /* ... and their header fields, once the header is read */
    size_t n_cols;
} code;

/* What a key names: a literal, column(s) or a template. */
typedef struct value {
    int given;
    long line;       /* in the mapping */
    int is_template; /* "quoted": text with {Column} references */
    char *text;      /* the value as written, quotes removed */
    char **names;    /* column names: the template's references, or the column list */
    size_t n_names;
    int *cols; /* the header field of each name, once the header is read */
    code *codes;
    size_t n_codes;
} value;

typedef struct rob_item {
    char *column;
    char *domain; /* the risk-of-bias domain's name */
    long line;
    int col;
} rob_item;

typedef struct mapping {
    const char *file; /* the mapping's name, for messages */
    value v[N_KEYS];
    rob_item rob[ET_MAX_ROB];
    size_t n_rob;
    int whitespace; /* delimiter = whitespace */
    char *missing[ET_MAX_MISSING];
    size_t n_missing;
    char digest[2 * SHA256_DIGEST_SIZE + 1];
    enum { S_GENERIC = 1, S_BINARY, S_CONTINUOUS } stats;
} mapping;

typedef struct et_ctx {
    const ww_input *in;
    ww_diags *diags;
    int rc;          /* sticky: WW_ENOMEM or a sink's stop */
    ww_arena *arena; /* the mapping and the header */
    mapping m;
    char **header;
    size_t n_header;
    /* outcome keys seen, per study, to number outcomes that look alike */
    struct seen {
        char *key;
        unsigned count;
    } * seen;
    size_t n_seen, alloc_seen;
    size_t rows, records, unweighable, skipped, fractional;
    long first_unweighable, first_fractional;
} et_ctx;

static void diag(et_ctx *c, int is_warning, const char *file, long line, const char *field,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void diag(et_ctx *c, int is_warning, const char *file, long line, const char *field,
                 const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    if (c->rc < 0) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (ww_diags__add(c->diags, is_warning, file, line, field, "%s", msg) < 0) c->rc = WW_ENOMEM;
}

#define MAP_ERROR(c, line, field, ...) diag((c), 0, (c)->m.file, (line), (field), __VA_ARGS__)
#define DATA_ERROR(c, line, field, ...) diag((c), 0, (c)->in->name, (line), (field), __VA_ARGS__)

/* At most ET_QUOTE_MAX bytes of s, cut on a character boundary. */
static const char *quote(char *buf, size_t n, const char *s)
{
    size_t len = strlen(s);
    if (n < ET_QUOTE_MAX + 4) return "";
    if (len <= ET_QUOTE_MAX) {
        memcpy(buf, s, len + 1);
        return buf;
    }
    len = ET_QUOTE_MAX;
    while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) len--;
    memcpy(buf, s, len);
    memcpy(buf + len, "...", 4);
    return buf;
}

static char *adup(et_ctx *c, const char *s, size_t n)
{
    char *p;
    if (c->rc < 0) return NULL;
    if (!(p = ww_arena__strndup(c->arena, s, n))) c->rc = ww__error_oom();
    return p;
}

static char *trim_span(const char *s, const char *e, size_t *len)
{
    while (s < e && (*s == ' ' || *s == '\t')) s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) e--;
    *len = (size_t)(e - s);
    return (char *)s;
}

/* The column names a template refers to ({Name}); "{{" and "}}" are braces. */
static int template_names(et_ctx *c, value *v, long line, const char *key)
{
    const char *p = v->text;
    size_t n = 0;
    for (const char *q = p; *q; q++)
        if (*q == '{' && q[1] != '{')
            n++;
        else if (*q == '{')
            q++;
    if (n && !(v->names = ww_arena__alloc(c->arena, n * sizeof *v->names)))
        return c->rc = ww__error_oom();
    v->n_names = 0;
    while (*p) {
        if (p[0] == '{' && p[1] == '{') {
            p += 2;
        } else if (p[0] == '}' && p[1] == '}') {
            p += 2;
        } else if (*p == '{') {
            const char *end = strchr(p + 1, '}');
            size_t len;
            char *name;
            if (!end) {
                MAP_ERROR(c, line, key, "'{' without a closing '}' in \"%s\"", v->text);
                return 0;
            }
            name = trim_span(p + 1, end, &len);
            if (!len) {
                MAP_ERROR(c, line, key, "empty column reference {} in \"%s\"", v->text);
                return 0;
            }
            if (!(v->names[v->n_names++] = adup(c, name, len))) return c->rc;
            p = end + 1;
        } else if (*p == '}') {
            MAP_ERROR(c, line, key, "'}' without an opening '{' in \"%s\"", v->text);
            return 0;
        } else {
            p++;
        }
    }
    return 0;
}

/* Split a column list "a, b, c" (or alternatives "a | b") into names. */
static int column_list(et_ctx *c, value *v, long line, const char *key, int many, char sep)
{
    size_t n = 1;
    const char *p = v->text;
    for (const char *q = p; *q; q++) n += *q == sep;
    if (sep == '|' && strchr(p, ',')) {
        MAP_ERROR(c, line, key, "one column, or alternatives 'a | b', expected; got '%s'", v->text);
        return 0;
    }
    if (n > 1 && !many) {
        MAP_ERROR(c, line, key,
                  "one column expected, got '%s' (a \"quoted template\" combines columns)",
                  v->text);
        return 0;
    }
    if (!(v->names = ww_arena__alloc(c->arena, n * sizeof *v->names)))
        return c->rc = ww__error_oom();
    while (1) {
        const char *end = strchr(p, sep);
        size_t len;
        char *name;
        if (!end) end = p + strlen(p);
        name = trim_span(p, end, &len);
        if (!len) {
            MAP_ERROR(c, line, key, "empty column name in '%s'", v->text);
            return 0;
        }
        if (!(v->names[v->n_names++] = adup(c, name, len))) return c->rc;
        if (!*end) break;
        p = end + 1;
    }
    return 0;
}

static const char *const metric_names[] = {"SMD", "MD", "logOR", "logRR", "RD", NULL};
static const char *const direction_names[] = {"higher", "lower", "unknown", "lexicon", NULL};
static const char *const judgement_names[] = {"low", "high", "unclear", "some concerns", NULL};
static const char *const yes_no[] = {"yes", "no", NULL};

static int in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0) return 1;
    return 0;
}

static void list_text(char *buf, size_t n, const char *const *list)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; list[i] && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", list[i]);
}

/* A code's value must be one the key understands (design, metric, ...). */
static void check_code_value(et_ctx *c, enum key k, const char *val, long line, const char *field)
{
    char names[160];
    if (k == KY_DESIGN && ww_design_parse(val) == WW_DESIGN_UNKNOWN && strcmp(val, "unknown") != 0)
        MAP_ERROR(c, line, field,
                  "'%s' is not a design (randomised, regression-discontinuity, instrument,"
                  " difference-in-differences, matched-pretest, comparison, before-after,"
                  " descriptive, unknown)",
                  val);
    else if (k == KY_METRIC && !in_list(val, metric_names))
        list_text(names, sizeof names, metric_names),
            MAP_ERROR(c, line, field, "'%s' is not a metric (%s)", val, names);
    else if (k == KY_DIRECTION && (!in_list(val, direction_names)))
        list_text(names, sizeof names, direction_names),
            MAP_ERROR(c, line, field, "'%s' is not a direction (%s)", val, names);
    else if (k == KY_SKIP && !in_list(val, yes_no))
        MAP_ERROR(c, line, field, "'%s' is not yes or no", val);
    else if (k == KY_ROB_JUDGEMENT && !in_list(val, judgement_names))
        list_text(names, sizeof names, judgement_names),
            MAP_ERROR(c, line, field, "'%s' is not a judgement (%s)", val, names);
}

/* One "key = value" line of the mapping. */
static int mapping_line(et_ctx *c, long line, const char *s, size_t n)
{
    mapping *m = &c->m;
    const char *eq = memchr(s, '=', n), *end = s + n, *br;
    char *kname, *val, *code_text = NULL;
    size_t klen, vlen, base_len;
    int is_template = 0, k = -1;
    char field[128];

    /* A code may hold '=' (KEY[a=b] = value): the '=' that ends the key
     * comes after the code's ']'. */
    br = memchr(s, '[', n);
    if (br && eq && br < eq) {
        const char *close = memchr(br, ']', (size_t)(end - br));
        eq = close ? memchr(close, '=', (size_t)(end - close)) : eq;
    }

    if (!eq) {
        snprintf(field, sizeof field, "%.*s", (int)(n > 60 ? 60 : n), s);
        MAP_ERROR(c, line, "", "expected 'key = value', got '%s'", field);
        return 0;
    }
    kname = trim_span(s, eq, &klen);
    val = trim_span(eq + 1, end, &vlen);
    snprintf(field, sizeof field, "%.*s", (int)(klen > 100 ? 100 : klen), kname);
    if (!klen) {
        MAP_ERROR(c, line, "", "a line with no key before '='");
        return 0;
    }
    base_len = klen;
    if ((br = memchr(kname, '[', klen))) {
        const char *code_start = br + 1, *code_end = kname + klen - 1;
        if (*code_end != ']' || code_end < code_start) {
            MAP_ERROR(c, line, field, "a code is written KEY[CODE]");
            return 0;
        }
        base_len = (size_t)(br - kname);
        code_text = adup(c, code_start, (size_t)(code_end - code_start));
        if (!code_text) return c->rc;
    }
    if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
        is_template = 1;
        val++;
        vlen -= 2;
    } else if (vlen && (val[0] == '"' || val[vlen - 1] == '"')) {
        MAP_ERROR(c, line, field, "a quoted value must start and end with '\"'");
        return 0;
    }
    if (!(val = adup(c, val, vlen))) return c->rc;

    if (code_text && base_len == 3 && strncmp(kname, "rob", 3) == 0) {
        /* rob[COLUMN] = domain name */
        if (m->n_rob == ET_MAX_ROB) {
            MAP_ERROR(c, line, field, "more than %d risk-of-bias items", ET_MAX_ROB);
            return 0;
        }
        for (size_t i = 0; i < m->n_rob; i++)
            if (strcmp(m->rob[i].column, code_text) == 0) {
                MAP_ERROR(c, line, field, "given twice (first on line %ld)", m->rob[i].line);
                return 0;
            }
        if (!vlen) {
            MAP_ERROR(c, line, field, "needs the risk-of-bias domain's name");
            return 0;
        }
        m->rob[m->n_rob].column = code_text;
        m->rob[m->n_rob].domain = val;
        m->rob[m->n_rob].line = line;
        m->rob[m->n_rob++].col = -1;
        return 0;
    }
    for (int i = 0; i < N_KEYS; i++)
        if (strlen(key_defs[i].name) == base_len && strncmp(key_defs[i].name, kname, base_len) == 0)
            k = i;
    if (k < 0) {
        MAP_ERROR(c, line, field, "unknown key (docs/effect-tables.md lists the keys)");
        return 0;
    }
    if (code_text) {
        value *v = &m->v[k];
        code *cd;
        if (!key_defs[k].codes_allowed) {
            MAP_ERROR(c, line, field, "%s takes no codes", key_defs[k].name);
            return 0;
        }
        for (size_t i = 0; i < v->n_codes; i++)
            if (strcmp(v->codes[i].code, code_text) == 0) {
                MAP_ERROR(c, line, field, "code given twice");
                return 0;
            }
        if (v->n_codes == ET_MAX_CODES) {
            MAP_ERROR(c, line, field, "more than %d codes", ET_MAX_CODES);
            return 0;
        }
        if (!v->codes && !(v->codes = ww_arena__alloc(c->arena, ET_MAX_CODES * sizeof *v->codes)))
            return c->rc = ww__error_oom();
        cd = &v->codes[v->n_codes++];
        cd->code = code_text;
        cd->value = val;
        cd->is_template = is_template;
        if (is_template && k == KY_ROB_JUDGEMENT) {
            MAP_ERROR(c, line, field, "takes plain text, not a quoted template");
            return 0;
        }
        if (is_template) {
            value tmp;
            memset(&tmp, 0, sizeof tmp);
            tmp.text = val;
            if (template_names(c, &tmp, line, field) < 0) return c->rc;
            cd->n_cols = tmp.n_names;
            cd->names = tmp.names;
        } else {
            check_code_value(c, (enum key)k, val, line, field);
        }
        return 0;
    }
    if (m->v[k].given) {
        MAP_ERROR(c, line, field, "given twice (first on line %ld)", m->v[k].line);
        return 0;
    }
    if (k == KY_ROB_JUDGEMENT) {
        MAP_ERROR(c, line, field, "rob.judgement takes codes: rob.judgement[CODE] = low");
        return 0;
    }
    if (!vlen && !is_template) {
        MAP_ERROR(c, line, field, "no value");
        return 0;
    }
    m->v[k].given = 1;
    m->v[k].line = line;
    m->v[k].text = val;
    m->v[k].is_template = is_template;
    switch (key_defs[k].kind) {
    case K_LITERAL:
        if (is_template) MAP_ERROR(c, line, field, "takes plain text, not a quoted template");
        break;
    case K_VALUE:
    case K_KEY:
        if (is_template) return template_names(c, &m->v[k], line, field);
        /* a bare word for direction / metric / design may be a fixed value */
        if ((k == KY_DIRECTION && in_list(val, direction_names)) ||
            (k == KY_METRIC && in_list(val, metric_names))) {
            m->v[k].is_template = 1; /* fixed text, no references */
            return 0;
        }
        return column_list(c, &m->v[k], line, field, key_defs[k].kind == K_KEY, ',');
    case K_NUMBER:
        if (is_template) {
            MAP_ERROR(c, line, field, "names a column holding a number, not a template");
            return 0;
        }
        return column_list(c, &m->v[k], line, field, 1, '|');
    }
    return 0;
}

static void mapping_digest(mapping *m, const unsigned char *data, size_t size)
{
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    static const char hex[] = "0123456789abcdef";
    sha256_init(&ctx);
    sha256_update(&ctx, size, data);
    sha256_digest(&ctx, sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++) {
        m->digest[2 * i] = hex[d[i] >> 4];
        m->digest[2 * i + 1] = hex[d[i] & 15];
    }
    m->digest[2 * SHA256_DIGEST_SIZE] = '\0';
}

/* Parse the whole mapping and check it on its own (not yet against a header). */
static int parse_mapping(et_ctx *c)
{
    mapping *m = &c->m;
    const unsigned char *data = c->in->mapping;
    size_t size = c->in->mapping_size, pos = 0;
    long line = 0;
    int seen_format = 0;
    static const enum key required[] = {KY_IDENTITY, KY_STUDY_KEY, KY_INTERVENTION,
                                        KY_OUTCOME,  KY_METRIC,    KY_DIRECTION};

    m->file = c->in->mapping_name ? c->in->mapping_name : "mapping";
    if (!data) {
        DATA_ERROR(c, 0, "",
                   "no mapping: an effect table is read through a mapping file (--mapping FILE,"
                   " or FILE.mapping beside it; docs/effect-tables.md)");
        return c->rc;
    }
    if (size > ET_MAPPING_MAX) {
        MAP_ERROR(c, 0, "", "%zu bytes is larger than a mapping may be (%zu)", size,
                  ET_MAPPING_MAX);
        return c->rc;
    }
    if (ww_csv__bad_utf8_line(data, size)) {
        MAP_ERROR(c, ww_csv__bad_utf8_line(data, size), "", "not UTF-8 text");
        return c->rc;
    }
    mapping_digest(m, data, size);
    if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) pos = 3;
    while (pos < size && c->rc == 0) {
        const char *s = (const char *)data + pos;
        const char *nl = memchr(s, '\n', size - pos);
        size_t n = nl ? (size_t)(nl - s) : size - pos, len;
        char *t;
        pos += n + (nl ? 1 : 0);
        line++;
        t = trim_span(s, s + n, &len);
        if (!seen_format) {
            if (len != strlen(ET_FORMAT_LINE) || memcmp(t, ET_FORMAT_LINE, len) != 0) {
                MAP_ERROR(c, line, "", "the first line must be '%s'", ET_FORMAT_LINE);
                return c->rc;
            }
            seen_format = 1;
            continue;
        }
        if (!len || t[0] == '#') continue;
        if (mapping_line(c, line, t, len) < 0) return c->rc;
    }
    if (!seen_format) {
        MAP_ERROR(c, 1, "", "the first line must be '%s'", ET_FORMAT_LINE);
        return c->rc;
    }
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!m->v[required[i]].given)
            MAP_ERROR(c, 0, key_defs[required[i]].name, "required, not given");

    if (m->v[KY_DELIMITER].given) {
        if (strcmp(m->v[KY_DELIMITER].text, "whitespace") == 0)
            m->whitespace = 1;
        else if (strcmp(m->v[KY_DELIMITER].text, "comma") != 0)
            MAP_ERROR(c, m->v[KY_DELIMITER].line, "delimiter",
                      "'%s' is not a delimiter (comma, whitespace)", m->v[KY_DELIMITER].text);
    }
    if (m->v[KY_MISSING].given) {
        value tmp = m->v[KY_MISSING];
        tmp.names = NULL;
        tmp.n_names = 0;
        if (column_list(c, &tmp, tmp.line, "missing", 1, ',') < 0) return c->rc;
        if (tmp.n_names > ET_MAX_MISSING)
            MAP_ERROR(c, tmp.line, "missing", "at most %d missing-value tokens", ET_MAX_MISSING);
        for (size_t i = 0; i < tmp.n_names && i < ET_MAX_MISSING; i++)
            m->missing[m->n_missing++] = tmp.names[i];
    } else {
        m->missing[m->n_missing++] = "NA";
    }
    if (m->v[KY_IDENTITY].given) {
        for (const char *p = m->v[KY_IDENTITY].text; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.')) {
                MAP_ERROR(c, m->v[KY_IDENTITY].line, "identity",
                          "'%s': lower-case letters, digits, '-' and '.' only",
                          m->v[KY_IDENTITY].text);
                break;
            }
    }
    if (m->v[KY_ROB_TOOL].given && strcmp(m->v[KY_ROB_TOOL].text, "RoB1") != 0 &&
        strcmp(m->v[KY_ROB_TOOL].text, "RoB2") != 0)
        MAP_ERROR(c, m->v[KY_ROB_TOOL].line, "rob.tool", "'%s' is not RoB1 or RoB2",
                  m->v[KY_ROB_TOOL].text);
    if (m->n_rob && !m->v[KY_ROB_JUDGEMENT].n_codes)
        MAP_ERROR(c, m->rob[0].line, "rob.judgement",
                  "risk-of-bias items need their codes: rob.judgement[CODE] = "
                  "low|high|unclear|some concerns");
    if (m->v[KY_DESIGN].given && !m->v[KY_DESIGN].is_template && !m->v[KY_DESIGN].n_codes)
        MAP_ERROR(
            c, m->v[KY_DESIGN].line, "design",
            "a design column needs its codes: design[CODE] = randomised (or a fixed \"design\")");
    if (m->v[KY_DESIGN].given && m->v[KY_DESIGN].is_template && !m->v[KY_DESIGN].n_names)
        check_code_value(c, KY_DESIGN, m->v[KY_DESIGN].text, m->v[KY_DESIGN].line, "design");
    if (m->v[KY_DIRECTION].given && m->v[KY_DIRECTION].is_template && !m->v[KY_DIRECTION].n_names)
        check_code_value(c, KY_DIRECTION, m->v[KY_DIRECTION].text, m->v[KY_DIRECTION].line,
                         "direction");
    if (m->v[KY_METRIC].given && m->v[KY_METRIC].is_template && !m->v[KY_METRIC].n_names)
        check_code_value(c, KY_METRIC, m->v[KY_METRIC].text, m->v[KY_METRIC].line, "effect.metric");

    /* Which statistics the rows carry: exactly one complete set. */
    {
        const value *v = m->v;
        int generic = v[KY_ESTIMATE].given, binary = v[KY_EVENTS_T].given || v[KY_EVENTS_C].given,
            continuous = v[KY_MEAN_T].given || v[KY_MEAN_C].given;
        if (generic + binary + continuous != 1) {
            MAP_ERROR(
                c, 0, "effect",
                generic + binary + continuous
                    ? "give one set of statistics: effect.estimate with its effect.se,"
                      " effect.variance or CI; or events per arm; or means per arm"
                    : "no statistics: give effect.estimate with its effect.se, effect.variance"
                      " or effect.ci_low and effect.ci_high; or events.treatment and"
                      " events.control with nonevents.* or total.*; or mean.*, sd.* and n.*");
        } else if (generic) {
            m->stats = S_GENERIC;
            if (!v[KY_SE].given && !v[KY_VARIANCE].given &&
                !(v[KY_CI_LOW].given && v[KY_CI_HIGH].given))
                MAP_ERROR(c, v[KY_ESTIMATE].line, "effect.estimate",
                          "needs effect.se, effect.variance, or effect.ci_low and effect.ci_high");
        } else if (binary) {
            m->stats = S_BINARY;
            if (!v[KY_EVENTS_T].given || !v[KY_EVENTS_C].given)
                MAP_ERROR(c, 0, v[KY_EVENTS_T].given ? "events.control" : "events.treatment",
                          "required with events of the other arm");
            if (!(v[KY_NONEVENTS_T].given ^ v[KY_TOTAL_T].given) ||
                !(v[KY_NONEVENTS_C].given ^ v[KY_TOTAL_C].given))
                MAP_ERROR(c, 0, "events",
                          "each arm needs either nonevents.ARM or total.ARM, not both");
        } else {
            m->stats = S_CONTINUOUS;
            static const enum key need[] = {KY_MEAN_T, KY_SD_T, KY_N_T, KY_MEAN_C, KY_SD_C, KY_N_C};
            for (size_t i = 0; i < 6; i++)
                if (!v[need[i]].given)
                    MAP_ERROR(c, 0, key_defs[need[i]].name, "required with means per arm");
        }
    }
    return c->rc;
}

/* ---- the header -------------------------------------------------------------- */

static int find_column(const et_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->n_header; i++)
        if (strcmp(c->header[i], name) == 0) return (int)i;
    return -1;
}

static int resolve(et_ctx *c, long line, const char *name, const char *key, long map_line)
{
    int col = find_column(c, name);
    if (col < 0)
        DATA_ERROR(c, line, name, "no such column (named by %s on line %ld of %s)", key, map_line,
                   c->m.file);
    return col;
}

/* Find every column the mapping names in the header. */
static int resolve_header(et_ctx *c, long line)
{
    mapping *m = &c->m;
    for (int k = 0; k < N_KEYS; k++) {
        value *v = &m->v[k];
        if (v->n_names) {
            if (!(v->cols = ww_arena__alloc(c->arena, v->n_names * sizeof *v->cols)))
                return c->rc = ww__error_oom();
            for (size_t i = 0; i < v->n_names; i++)
                v->cols[i] = resolve(c, line, v->names[i], key_defs[k].name, v->line);
        }
        for (size_t j = 0; j < v->n_codes; j++) {
            code *cd = &v->codes[j];
            if (!cd->is_template || !cd->n_cols) continue;
            if (!(cd->cols = ww_arena__alloc(c->arena, cd->n_cols * sizeof *cd->cols)))
                return c->rc = ww__error_oom();
            for (size_t i = 0; i < cd->n_cols; i++)
                cd->cols[i] = resolve(c, line, cd->names[i], key_defs[k].name, v->line);
        }
    }
    for (size_t i = 0; i < m->n_rob; i++)
        m->rob[i].col = resolve(c, line, m->rob[i].column, "rob", m->rob[i].line);
    return c->rc;
}

/* ---- rows ------------------------------------------------------------------- */

typedef struct row {
    long line;
    size_t n;
    char **f;
} row;

static int is_missing(const et_ctx *c, const char *s)
{
    if (!*s) return 1;
    for (size_t i = 0; i < c->m.n_missing; i++)
        if (strcmp(s, c->m.missing[i]) == 0) return 1;
    return 0;
}

/* Render a template against a row into the arena; NULL when a referenced
 * column is missing in this row. */
static char *render(et_ctx *c, ww_arena *a, const char *text, const int *cols, const row *r)
{
    ww_buf b = WW_BUF_INIT;
    size_t ref = 0;
    char *out = NULL;
    const char *p = text;
    int miss = 0;
    while (*p && !miss) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            if (ww_buf__put(&b, p, 1) < 0) goto oom;
            p += 2;
        } else if (*p == '{') {
            const char *end = strchr(p, '}');
            const char *val = cols[ref] >= 0 && (size_t)cols[ref] < r->n ? r->f[cols[ref]] : "";
            ref++;
            if (is_missing(c, val))
                miss = 1;
            else if (ww_buf__puts(&b, val) < 0)
                goto oom;
            p = end ? end + 1 : p + strlen(p);
        } else {
            if (ww_buf__put(&b, p, 1) < 0) goto oom;
            p++;
        }
    }
    if (!miss) out = ww_arena__strdup(a, b.data ? b.data : "");
    if (!miss && !out) goto oom;
    ww_buf__free(&b);
    return out;
oom:
    ww_buf__free(&b);
    c->rc = ww__error_oom();
    return NULL;
}

/* The text a key gives for this row (codes applied); NULL when missing. */
static char *text_of(et_ctx *c, ww_arena *a, enum key k, const row *r, const char *sep)
{
    value *v = &c->m.v[k];
    char *raw;
    if (!v->given) return NULL;
    if (v->is_template) {
        raw = render(c, a, v->text, v->cols, r);
    } else {
        ww_buf b = WW_BUF_INIT;
        size_t present = 0;
        raw = NULL;
        /* A key of several columns may miss some (they count as empty);
         * a value of one column is missing when it is. */
        for (size_t i = 0; i < v->n_names; i++) {
            const char *val = v->cols[i] >= 0 && (size_t)v->cols[i] < r->n ? r->f[v->cols[i]] : "";
            if (is_missing(c, val))
                val = "";
            else
                present++;
            if (!present && i + 1 == v->n_names) {
                ww_buf__free(&b);
                return NULL;
            }
            if ((i && ww_buf__puts(&b, sep) < 0) || ww_buf__puts(&b, val) < 0) {
                ww_buf__free(&b);
                c->rc = ww__error_oom();
                return NULL;
            }
        }
        raw = ww_arena__strdup(a, b.data ? b.data : "");
        ww_buf__free(&b);
        if (!raw) c->rc = ww__error_oom();
    }
    if (!raw) return NULL;
    for (int pass = 0; pass < 2; pass++) /* the code itself, then the default [*] */
        for (size_t i = 0; i < v->n_codes; i++)
            if (strcmp(v->codes[i].code, pass ? "*" : raw) == 0)
                return v->codes[i].is_template
                           ? render(c, a, v->codes[i].value, v->codes[i].cols, r)
                           : v->codes[i].value;
    return raw;
}

static const char *column_name(const et_ctx *c, enum key k)
{
    const value *v = &c->m.v[k];
    return v->n_names ? v->names[0] : key_defs[k].name;
}

/* A number from a numeric key: 1 read, 0 missing (or not mapped), -1 bad.
 * A key with alternatives ("a | b | c") reads the first one present; with
 * *which >= 0 and as many alternatives as the key that chose it, the
 * alternative in that place (an SE goes with its estimate). *which receives
 * the place read. */
static int number_at(et_ctx *c, enum key k, const row *r, double *out, int *which)
{
    const value *v = &c->m.v[k];
    char q[ET_QUOTE_MAX + 4];
    size_t from = 0, to;
    *out = NAN;
    if (!v->given || !v->n_names) return 0;
    to = v->n_names;
    if (which && *which >= 0 && (size_t)*which < v->n_names && v->n_names > 1) {
        from = (size_t)*which;
        to = from + 1;
    }
    for (size_t i = from; i < to; i++) {
        const char *s = v->cols[i] >= 0 && (size_t)v->cols[i] < r->n ? r->f[v->cols[i]] : "";
        if (v->cols[i] < 0 || is_missing(c, s)) continue;
        if (ww__parse_double(out, s) < 0) {
            DATA_ERROR(c, r->line, v->names[i], "not a number: '%s'", quote(q, sizeof q, s));
            *out = NAN;
            return -1;
        }
        if (which) *which = (int)i;
        return 1;
    }
    return 0;
}

static int number_of(et_ctx *c, enum key k, const row *r, double *out)
{
    return number_at(c, k, r, out, NULL);
}

static int count_of(et_ctx *c, enum key k, const row *r, long *out)
{
    double d;
    int got = number_of(c, k, r, &d);
    *out = -1;
    if (got <= 0) return got;
    /* Arm sizes may be effective sample sizes (a review's cluster-adjusted
     * N, 241.4): rounded to the nearest whole participant. Counts of events
     * must be whole. */
    if ((k == KY_N_T || k == KY_N_C) && d >= 0 && d <= 1e12 && d != floor(d)) {
        if (!c->fractional++) c->first_fractional = r->line;
        d = floor(d + 0.5);
    }
    if (d < 0 || d != floor(d) || d > 1e12) {
        DATA_ERROR(c, r->line, c->m.v[k].names[0], "not a count (a whole number >= 0): %g", d);
        return -1;
    }
    *out = (long)d;
    return 1;
}

/* Number outcomes of one study that look alike: "#2", "#3", ... */
static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* How many times key has been seen, this one included: an open-addressing
 * hash table, so a table of many rows stays linear. 0 on OOM (c->rc set). */
static unsigned seen_count(et_ctx *c, const char *key)
{
    size_t mask, i;
    if (2 * (c->n_seen + 1) > c->alloc_seen) {
        size_t na = c->alloc_seen ? 2 * c->alloc_seen : 256;
        struct seen *p = calloc(na, sizeof *p);
        if (!p) {
            c->rc = ww__error_oom();
            return 0;
        }
        for (size_t k = 0; k < c->alloc_seen; k++) {
            if (!c->seen[k].key) continue;
            for (i = fnv1a(c->seen[k].key) & (na - 1); p[i].key; i = (i + 1) & (na - 1)) {
            }
            p[i] = c->seen[k];
        }
        free(c->seen);
        c->seen = p;
        c->alloc_seen = na;
    }
    mask = c->alloc_seen - 1;
    for (i = fnv1a(key) & mask; c->seen[i].key; i = (i + 1) & mask)
        if (strcmp(c->seen[i].key, key) == 0) return ++c->seen[i].count;
    if (!(c->seen[i].key = strdup(key))) {
        c->rc = ww__error_oom();
        return 0;
    }
    c->seen[i].count = 1;
    c->n_seen++;
    return 1;
}

static void row_digest(char out[2 * SHA256_DIGEST_SIZE + 1], const mapping *m, const row *r)
{
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    static const char hex[] = "0123456789abcdef";
    sha256_init(&ctx);
    sha256_update(&ctx, strlen(m->digest), (const uint8_t *)m->digest);
    for (size_t i = 0; i < r->n; i++) {
        sha256_update(&ctx, 1, (const uint8_t *)"\x1f");
        sha256_update(&ctx, strlen(r->f[i]), (const uint8_t *)r->f[i]);
    }
    sha256_digest(&ctx, sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[2 * SHA256_DIGEST_SIZE] = '\0';
}

static const char *record_metric(const char *m)
{
    if (strcmp(m, "logOR") == 0) return "OR";
    if (strcmp(m, "logRR") == 0) return "RR";
    return m; /* SMD, MD, RD */
}

static int data_row(et_ctx *c, const row *r, const ww_sink *sink)
{
    mapping *m = &c->m;
    ww_arena *a = NULL;
    ww_record rec;
    ww_outcome_rec o;
    ww_rob_rec rob[ET_MAX_ROB];
    const char *issues[1];
    char digest[2 * SHA256_DIGEST_SIZE + 1], q[ET_QUOTE_MAX + 4];
    char *s, *metric, *dir;
    int error = 0, bad = 0;

    if ((error = ww_arena__new(&a)) < 0) return c->rc = error;
    if ((s = text_of(c, a, KY_SKIP, r, "")) && strcmp(s, "yes") == 0) {
        c->skipped++;
        goto done;
    }
    if (s && strcmp(s, "no") != 0)
        DATA_ERROR(c, r->line, column_name(c, KY_SKIP),
                   "skip code '%s' has no mapping (add skip[%s] = yes|no, or skip[*] = no)",
                   quote(q, sizeof q, s), s);
    c->rows++;
    ww_record_init(&rec);
    ww_outcome_rec_init(&o);
    rec.identity_ns = m->v[KY_IDENTITY].text;
    rec.line = o.line = r->line;
    rec.where = o.where = NULL;

    if (!(rec.study_key = text_of(c, a, KY_STUDY_KEY, r, " | ")) && c->rc == 0)
        DATA_ERROR(c, r->line, column_name(c, KY_STUDY_KEY), "empty: every row needs its study");
    if (!(rec.intervention_name = text_of(c, a, KY_INTERVENTION, r, "")) && c->rc == 0)
        DATA_ERROR(c, r->line, column_name(c, KY_INTERVENTION),
                   "empty: every row needs its intervention");
    if (!(o.name = text_of(c, a, KY_OUTCOME, r, "")) && c->rc == 0)
        DATA_ERROR(c, r->line, column_name(c, KY_OUTCOME), "empty: every row needs its outcome");
    rec.title = text_of(c, a, KY_STUDY_TITLE, r, "");
    rec.authors = text_of(c, a, KY_STUDY_AUTHORS, r, "");
    if ((s = text_of(c, a, KY_STUDY_YEAR, r, ""))) {
        long y;
        if (ww__parse_long(&y, s) < 0 || y < 1800 || y > 2200)
            DATA_ERROR(c, r->line, column_name(c, KY_STUDY_YEAR), "not a year: '%s'",
                       quote(q, sizeof q, s));
        else
            rec.year = (int)y;
    }
    rec.country = text_of(c, a, KY_STUDY_COUNTRY, r, "");
    rec.doi = text_of(c, a, KY_STUDY_DOI, r, "");
    rec.report_url = text_of(c, a, KY_STUDY_URL, r, "");
    rec.notes = text_of(c, a, KY_STUDY_NOTES, r, "");
    rec.intervention_description = text_of(c, a, KY_INTERVENTION_DESCRIPTION, r, "");
    if ((s = text_of(c, a, KY_ISSUES, r, ""))) {
        issues[0] = s;
        rec.issues = issues;
        rec.n_issues = 1;
    }
    rec.population = text_of(c, a, KY_POPULATION, r, "");
    rec.setting = text_of(c, a, KY_SETTING, r, "");
    rec.comparison = text_of(c, a, KY_COMPARISON, r, "");
    rec.allocation_unit = text_of(c, a, KY_ALLOCATION, r, "");
    rec.is_example = 0;
    rec.provisional = 0; /* coded by the review's team */
    if ((s = text_of(c, a, KY_DESIGN, r, ""))) {
        rec.design = ww_design_parse(s);
        if (rec.design == WW_DESIGN_UNKNOWN && strcmp(s, "unknown") != 0)
            DATA_ERROR(c, r->line, column_name(c, KY_DESIGN),
                       "design code '%s' has no mapping (add design[%s] = ... to %s)",
                       quote(q, sizeof q, s), s, m->file);
    }
    rec.design_basis = text_of(c, a, KY_DESIGN_BASIS, r, "");
    o.domain = text_of(c, a, KY_OUTCOME_DOMAIN, r, "");
    o.timepoint = text_of(c, a, KY_OUTCOME_TIMEPOINT, r, "");

    /* direction: fixed, a coded column, or the lexicon */
    if ((dir = text_of(c, a, KY_DIRECTION, r, "")) && !in_list(dir, direction_names))
        DATA_ERROR(
            c, r->line, column_name(c, KY_DIRECTION),
            "direction code '%s' has no mapping (add direction[%s] = higher|lower|unknown|lexicon)",
            quote(q, sizeof q, dir), dir);
    if (!dir || strcmp(dir, "unknown") == 0) {
        o.higher_is_better = -1;
        o.direction_rule = "unknown";
    } else if (strcmp(dir, "lexicon") == 0) {
        ww_direction_verdict dv;
        if (o.name && (error = ww_direction_classify(&dv, o.name, o.domain)) < 0) {
            c->rc = error;
            goto done;
        }
        o.higher_is_better = o.name ? dv.higher_is_better : -1;
        o.direction_rule = o.name && dv.rule ? dv.rule : "unknown";
    } else {
        const value *dv = &m->v[KY_DIRECTION];
        const char *raw =
            dv->n_names && !dv->is_template && dv->cols[0] >= 0 && (size_t)dv->cols[0] < r->n
                ? r->f[dv->cols[0]]
                : NULL;
        o.higher_is_better = strcmp(dir, "higher") == 0;
        /* "source" when the column itself says higher or lower; "mapping"
         * when the mapping says it (a fixed value, or a code's meaning),
         * from what the source documents */
        o.direction_rule = raw && in_list(raw, direction_names) ? "source" : "mapping";
    }

    /* metric */
    metric = text_of(c, a, KY_METRIC, r, "");
    if (!metric) {
        if (c->rc == 0)
            DATA_ERROR(c, r->line, column_name(c, KY_METRIC), "empty: every row needs its metric");
    } else if (!in_list(metric, metric_names)) {
        DATA_ERROR(
            c, r->line, column_name(c, KY_METRIC),
            "metric code '%s' has no mapping (add effect.metric[%s] = SMD|MD|logOR|logRR|RD)",
            quote(q, sizeof q, metric), metric);
        metric = NULL;
    } else if (m->stats == S_BINARY && strcmp(metric, "logOR") && strcmp(metric, "logRR") &&
               strcmp(metric, "RD")) {
        DATA_ERROR(c, r->line, column_name(c, KY_METRIC),
                   "events per arm give logOR, logRR or RD, not %s", metric);
        metric = NULL;
    } else if (m->stats == S_CONTINUOUS && strcmp(metric, "SMD") && strcmp(metric, "MD")) {
        DATA_ERROR(c, r->line, column_name(c, KY_METRIC), "means per arm give SMD or MD, not %s",
                   metric);
        metric = NULL;
    }

    /* sample sizes */
    {
        double ntot;
        long lt, lc;
        bad |= count_of(c, KY_N_T, r, &lt) < 0;
        bad |= count_of(c, KY_N_C, r, &lc) < 0;
        if (number_of(c, KY_N_TOTAL, r, &ntot) < 0) {
            bad = 1;
        } else if (!isnan(ntot) && (ntot < 0 || ntot > 1e12)) {
            DATA_ERROR(c, r->line, column_name(c, KY_N_TOTAL), "not a sample size: %g", ntot);
            bad = 1;
            ntot = NAN;
        }
        o.n_treatment = lt;
        o.n_control = lc;
        rec.analysed_treatment = lt;
        rec.analysed_control = lc;
        if (!isnan(ntot)) {
            char *attrs = NULL;
            size_t len = 64;
            if ((attrs = ww_arena__alloc(a, len)))
                snprintf(attrs, len, "{\"n_total\": %.0f}", ntot);
            o.attrs_json = attrs;
        }
    }

    /* statistics */
    if (m->stats == S_GENERIC) {
        double est, se, var, lo, hi;
        int which = -1, g_est = number_at(c, KY_ESTIMATE, r, &est, &which);
        int w_se = which, w_var = which, w_lo = which, w_hi = which;
        int g_se = number_at(c, KY_SE, r, &se, &w_se),
            g_var = number_at(c, KY_VARIANCE, r, &var, &w_var),
            g_lo = number_at(c, KY_CI_LOW, r, &lo, &w_lo),
            g_hi = number_at(c, KY_CI_HIGH, r, &hi, &w_hi);
        bad |= g_est < 0 || g_se < 0 || g_var < 0 || g_lo < 0 || g_hi < 0;
        if (!bad && g_est > 0 && g_se > 0 && !(se > 0))
            DATA_ERROR(c, r->line, column_name(c, KY_SE), "a standard error must be > 0, got %g",
                       se),
                bad = 1;
        if (!bad && g_est > 0 && g_se <= 0 && g_var > 0 && !(var > 0))
            DATA_ERROR(c, r->line, column_name(c, KY_VARIANCE), "a variance must be > 0, got %g",
                       var),
                bad = 1;
        if (!bad && g_est > 0 && g_se <= 0 && g_var <= 0 && g_lo > 0 && g_hi > 0 && !(hi > lo))
            DATA_ERROR(c, r->line, column_name(c, KY_CI_HIGH),
                       "the CI's upper limit %g is not above %g", hi, lo),
                bad = 1;
        if (!bad && g_est > 0 && (g_se > 0 || g_var > 0 || (g_lo > 0 && g_hi > 0))) {
            o.kind = WW_OUTCOME_GENERIC;
            o.generic_yi = est;
            o.generic_se = g_se > 0 ? se : g_var > 0 ? sqrt(var) : (hi - lo) / (2 * ET_Z975);
        } else {
            o.kind = WW_OUTCOME_NONE;
        }
        if (metric && g_est > 0 && !strcmp(metric, "SMD")) {
            o.reported_metric = "SMD";
            o.reported_estimate = est;
        }
    } else if (m->stats == S_BINARY) {
        long et, ec, xt, xc;
        int gt = count_of(c, KY_EVENTS_T, r, &et), gc = count_of(c, KY_EVENTS_C, r, &ec);
        int ht = m->v[KY_NONEVENTS_T].given ? count_of(c, KY_NONEVENTS_T, r, &xt)
                                            : count_of(c, KY_TOTAL_T, r, &xt);
        int hc = m->v[KY_NONEVENTS_C].given ? count_of(c, KY_NONEVENTS_C, r, &xc)
                                            : count_of(c, KY_TOTAL_C, r, &xc);
        bad |= gt < 0 || gc < 0 || ht < 0 || hc < 0;
        if (!bad && gt > 0 && gc > 0 && ht > 0 && hc > 0) {
            long tt = m->v[KY_NONEVENTS_T].given ? et + xt : xt,
                 tc = m->v[KY_NONEVENTS_C].given ? ec + xc : xc;
            if (et > tt || ec > tc) {
                DATA_ERROR(c, r->line, column_name(c, et > tt ? KY_EVENTS_T : KY_EVENTS_C),
                           "more events than participants in the arm");
                bad = 1;
            } else {
                o.kind = WW_OUTCOME_BINARY;
                o.events_treatment = et;
                o.total_treatment = tt;
                o.events_control = ec;
                o.total_control = tc;
                if (o.n_treatment < 0) o.n_treatment = tt;
                if (o.n_control < 0) o.n_control = tc;
            }
        } else {
            o.kind = WW_OUTCOME_NONE;
        }
    } else {
        double mt, st, mc, sc;
        int a1 = number_of(c, KY_MEAN_T, r, &mt), a2 = number_of(c, KY_SD_T, r, &st),
            a3 = number_of(c, KY_MEAN_C, r, &mc), a4 = number_of(c, KY_SD_C, r, &sc);
        bad |= a1 < 0 || a2 < 0 || a3 < 0 || a4 < 0;
        if (!bad && a1 > 0 && a2 > 0 && a3 > 0 && a4 > 0 && o.n_treatment > 0 && o.n_control > 0) {
            o.kind = WW_OUTCOME_CONTINUOUS;
            o.mean_treatment = mt;
            o.sd_treatment = st;
            o.mean_control = mc;
            o.sd_control = sc;
        } else {
            o.kind = WW_OUTCOME_NONE;
        }
    }
    if (metric) o.metric = record_metric(metric);
    if (o.kind == WW_OUTCOME_NONE && !bad) {
        if (!c->unweighable++) c->first_unweighable = r->line;
    }

    /* risk of bias */
    for (size_t i = 0; i < m->n_rob; i++) {
        const char *val =
            m->rob[i].col >= 0 && (size_t)m->rob[i].col < r->n ? r->f[m->rob[i].col] : "";
        const char *j = NULL;
        const value *jv = &m->v[KY_ROB_JUDGEMENT];
        if (is_missing(c, val)) continue;
        for (size_t k = 0; k < jv->n_codes; k++)
            if (strcmp(jv->codes[k].code, val) == 0) j = jv->codes[k].value;
        if (!j) {
            DATA_ERROR(c, r->line, m->rob[i].column,
                       "risk-of-bias code '%s' has no mapping (add rob.judgement[%s] = "
                       "low|high|unclear|some concerns)",
                       quote(q, sizeof q, val), val);
            continue;
        }
        ww_rob_rec_init(&rob[rec.n_rob]);
        rob[rec.n_rob].tool = m->v[KY_ROB_TOOL].given ? m->v[KY_ROB_TOOL].text : "RoB1";
        rob[rec.n_rob].domain = m->rob[i].domain;
        rob[rec.n_rob].judgement = j;
        rob[rec.n_rob].line = r->line;
        rec.n_rob++;
    }
    if (rec.n_rob) rec.rob = rob;

    /* nothing more is handed on once the input has an error */
    if (c->rc < 0 || ww_diags__errors(c->diags)) goto done;

    /* identity of the outcome inside its study */
    {
        char *base = m->v[KY_OUTCOME_KEY].given ? text_of(c, a, KY_OUTCOME_KEY, r, " | ") : NULL;
        ww_buf b = WW_BUF_INIT;
        unsigned n;
        if (!base) {
            if (ww_buf__printf(&b, "%s%s%s", o.name, o.timepoint ? " | " : "",
                               o.timepoint ? o.timepoint : "") < 0)
                goto oom;
        } else if (ww_buf__puts(&b, base) < 0) {
            goto oom;
        }
        {
            ww_buf sk = WW_BUF_INIT;
            if (ww_buf__printf(&sk, "%s\x1f%s\x1f%s", rec.study_key, rec.intervention_name,
                               b.data) < 0) {
                ww_buf__free(&sk);
                ww_buf__free(&b);
                goto oom;
            }
            n = seen_count(c, sk.data);
            ww_buf__free(&sk);
        }
        if (c->rc < 0) {
            ww_buf__free(&b);
            goto done;
        }
        if (n > 1 && ww_buf__printf(&b, " #%u", n) < 0) {
            ww_buf__free(&b);
            goto oom;
        }
        o.source_key = ww_arena__strdup(a, b.data);
        ww_buf__free(&b);
        if (!o.source_key) goto oom;
    }
    row_digest(digest, m, r);
    o.digest = digest;
    {
        char *w = ww_arena__alloc(a, 32);
        if (!w) goto oom;
        snprintf(w, 32, "line %ld", r->line);
        rec.where = o.where = w;
    }
    rec.outcomes = &o;
    rec.n_outcomes = 1;
    if (sink && sink->record && (error = sink->record(sink->ctx, &rec)) < 0) c->rc = error;
    c->records++;
done:
    ww_arena__free(a);
    return c->rc;
oom:
    ww_arena__free(a);
    return c->rc = ww__error_oom();
}

/* ---- reading the table --------------------------------------------------------- */

/* One line of R-style whitespace-delimited text (read.table): fields are
 * separated by runs of blanks; a field in double quotes may hold blanks,
 * with "" or \" for a quote. Fields are written into buf. */
static int split_whitespace(et_ctx *c, const char *s, size_t n, long line, char *buf, char **fields,
                            size_t *n_fields)
{
    size_t i = 0, out = 0;
    *n_fields = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) i++;
        if (i >= n) break;
        if (*n_fields == WW_CSV_MAX_FIELDS) {
            DATA_ERROR(c, line, "", "more than %d fields", WW_CSV_MAX_FIELDS);
            return -1;
        }
        fields[(*n_fields)++] = buf + out;
        if (s[i] == '"') {
            i++;
            while (1) {
                if (i >= n) {
                    DATA_ERROR(c, line, "", "a quoted field is not closed on its line");
                    return -1;
                }
                if (s[i] == '\\' && i + 1 < n && s[i + 1] == '"') {
                    buf[out++] = '"';
                    i += 2;
                } else if (s[i] == '"' && i + 1 < n && s[i + 1] == '"') {
                    buf[out++] = '"';
                    i += 2;
                } else if (s[i] == '"') {
                    i++;
                    break;
                } else {
                    buf[out++] = s[i++];
                }
            }
            if (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\r') {
                DATA_ERROR(c, line, "", "text straight after a closing quote");
                return -1;
            }
        } else {
            while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\r') buf[out++] = s[i++];
        }
        buf[out++] = '\0';
    }
    return 0;
}

static int header_row(et_ctx *c, const row *r)
{
    if (!(c->header = ww_arena__alloc(c->arena, (r->n ? r->n : 1) * sizeof *c->header)))
        return c->rc = ww__error_oom();
    for (size_t i = 0; i < r->n; i++) {
        char *t = ww_csv__trim(r->f[i]);
        if (!(c->header[i] = ww_arena__strdup(c->arena, t))) return c->rc = ww__error_oom();
    }
    c->n_header = r->n;
    return resolve_header(c, r->line);
}

static int check_width(et_ctx *c, const row *r)
{
    if (r->n == c->n_header) return 1;
    DATA_ERROR(c, r->line, "", "%zu fields, the header has %zu", r->n, c->n_header);
    return 0;
}

static int read_whitespace(et_ctx *c, const ww_sink *sink)
{
    const char *data = (const char *)c->in->data;
    size_t size = c->in->size, pos = 0;
    long line = 0;
    char *buf = NULL, **fields = NULL;
    int have_header = 0;
    if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) pos = 3;
    if (!(fields = malloc(WW_CSV_MAX_FIELDS * sizeof *fields))) return c->rc = ww__error_oom();
    while (pos < size && c->rc == 0) {
        const char *s = data + pos, *nl = memchr(s, '\n', size - pos);
        size_t n = nl ? (size_t)(nl - s) : size - pos, len;
        row r;
        pos += n + (nl ? 1 : 0);
        line++;
        trim_span(s, s + n, &len);
        if (!len) continue;
        if (n > ET_FIELD_MAX) {
            DATA_ERROR(c, line, "", "line longer than %zu bytes", ET_FIELD_MAX);
            continue;
        }
        free(buf);
        if (!(buf = malloc(n + 1))) {
            c->rc = ww__error_oom();
            break;
        }
        if (split_whitespace(c, s, n, line, buf, fields, &r.n) < 0) {
            if (!have_header) break;
            continue;
        }
        r.line = line;
        r.f = fields;
        if (!have_header) {
            have_header = 1;
            if (header_row(c, &r) < 0 || ww_diags__errors(c->diags)) break;
            continue;
        }
        if (check_width(c, &r)) data_row(c, &r, ww_diags__errors(c->diags) ? NULL : sink);
    }
    free(buf);
    free(fields);
    if (!have_header && c->rc == 0) DATA_ERROR(c, 0, "", "no header line");
    return c->rc;
}

static int read_csv(et_ctx *c, const ww_sink *sink)
{
    ww_csv *rd = NULL;
    ww_csv_row cr;
    int got = 0, have_header = 0;
    if ((c->rc = ww_csv__open(&rd, c->in->data, c->in->size, ET_FIELD_MAX)) < 0) return c->rc;
    while (c->rc == 0 && (got = ww_csv__next(rd, &cr)) == 1) {
        row r;
        if (cr.status == WW_CSV_MALFORMED) {
            DATA_ERROR(c, cr.line, "", "not valid CSV: %s", cr.problem);
            if (!have_header) break;
            continue;
        }
        if (cr.status == WW_CSV_TOO_LONG) {
            DATA_ERROR(c, cr.line, "", "field %zu is longer than %zu bytes", cr.bad_field + 1,
                       ET_FIELD_MAX);
            if (!have_header) break;
            continue;
        }
        r.line = cr.line;
        r.n = cr.n_fields;
        r.f = cr.fields;
        if (!have_header) {
            have_header = 1;
            if (header_row(c, &r) < 0 || ww_diags__errors(c->diags)) break;
            continue;
        }
        if (check_width(c, &r))
            data_row(c, &r, ww_diags__errors(c->diags) ? NULL : sink);
        else
            ww_csv__resync(rd);
    }
    if (got < 0 && c->rc == 0) c->rc = got;
    ww_csv__free(rd);
    if (!have_header && c->rc == 0) DATA_ERROR(c, 0, "", "no header line");
    return c->rc;
}

/* ---- the importer ------------------------------------------------------------ */

static int et_run(const ww_input *in, ww_diags *diags, const ww_sink *sink, int mapping_only)
{
    et_ctx c;
    long bad;
    memset(&c, 0, sizeof c);
    c.in = in;
    c.diags = diags;
    if ((c.rc = ww_arena__new(&c.arena)) < 0) return c.rc;
    if (parse_mapping(&c) < 0 || ww_diags__errors(diags) || mapping_only) goto done;
    if (in->size == 0 || ww_csv__blank(in->data, in->size)) {
        DATA_ERROR(&c, 0, "", "no header line");
        goto done;
    }
    if ((bad = ww_csv__bad_utf8_line(in->data, in->size))) {
        DATA_ERROR(&c, bad, "", "not UTF-8 text");
        goto done;
    }
    if (c.m.whitespace)
        read_whitespace(&c, sink);
    else
        read_csv(&c, sink);
    if (c.rc == 0 && c.unweighable)
        diag(&c, 1, in->name, c.first_unweighable, "",
             "%zu of %zu rows give no effect that can be weighed (statistics missing): stored,"
             " never pooled",
             c.unweighable, c.rows);
    if (c.rc == 0 && c.fractional)
        diag(&c, 1, in->name, c.first_fractional, "",
             "%zu arm sizes are not whole numbers (effective sample sizes): rounded to the nearest"
             " whole participant",
             c.fractional);
    if (c.rc == 0 && c.skipped)
        diag(&c, 1, in->name, 0, "", "%zu rows skipped, as the mapping's skip says", c.skipped);
    if (c.rc == 0 && c.rows == 0 && !c.skipped && !ww_diags__errors(diags))
        DATA_ERROR(&c, 0, "", "no rows after the header");
done:
    for (size_t i = 0; i < c.alloc_seen; i++) free(c.seen[i].key);
    free(c.seen);
    ww_arena__free(c.arena);
    return c.rc;
}

static int et_parse(const ww_input *in, ww_diags *diags, const ww_sink *sink)
{
    return et_run(in, diags, sink, 0);
}

int ww_importer_effect_table__check_mapping(const ww_input *in, ww_diags *diags)
{
    return et_run(in, diags, NULL, 1);
}

/* A table is ours only when a mapping came with it. */
static int et_sniff(const ww_input *in)
{
    return in->mapping ? 95 : 0;
}

const ww_importer ww_importer_effect_table = {
    "effect-table",
    "coded effect-size tables (CSV or whitespace text) read through a mapping file",
    et_sniff,
    et_parse,
};
