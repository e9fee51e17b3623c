/*
 * pilot_csv.c — the importer for the pilot results CSV template
 * (data/templates/pilot-results.csv, documented in docs/pilot-csv.md): the
 * content of a version-1 submission (importers/submission.c) laid out for
 * evaluators who work in a spreadsheet, one row per outcome. The
 * evaluation, intervention and design columns are repeated on every row and
 * must agree; the outcome columns vary. One file is one evaluation of one
 * intervention and becomes one provisional ww_record, as a submission does.
 *
 * The checks and their messages are the submission's: what the XSD says of
 * each element is said here of the column of the same name (a column
 * "design" stands for <design><kind>, "intervention_name" for
 * <intervention><name>, "outcome_name" for <outcome><name>), and the checks
 * XSD cannot make (events > total, analysed > assigned, CI order, years in
 * the future) are the same code paths' words. The template has no benefit
 * streams: those are given in XML.
 *
 * Reading goes through csv_util (libcsv, strict): quoted fields with commas,
 * quotes and newlines, a BOM, CRLF. Every problem is an error with its line
 * and column, all of them reported; an unknown column is only a warning.
 * Nothing reaches the sink unless the whole file is clean.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "csv_util.h"
#include "importers.h"

/* As for an XML submission: a real file is a few kilobytes. */
#define PILOT_MAX_BYTES ((size_t)16 * 1024 * 1024)
#define PILOT_FIELD_MAX ((size_t)1024 * 1024)
/* The schema's maxOccurs: outcomes, presenting issues, authors. */
#define PILOT_MAX_OUTCOMES 200
#define PILOT_MAX_ISSUES 50
#define PILOT_MAX_AUTHORS 100
#define PILOT_SNIFF_WINDOW 8192
#define QUOTE_MAX 60

/* ---- the template's columns ------------------------------------------------ */

/* Value types, named after the XSD types they follow. */
enum ptype {
    T_TEXT,      /* ww:text: whitespace collapsed, 1 to 1000 characters */
    T_LONG,      /* ww:longText: line breaks kept, not blank, up to 20000 */
    T_LIST,      /* ';'-separated ww:text items */
    T_YEAR,      /* ww:year, and not in the future */
    T_URL,       /* ww:url */
    T_DOI,       /* ww:doi */
    T_COUNTRY,   /* ww:countryCode */
    T_BOOL,      /* xs:boolean */
    T_MONEY,     /* ww:money */
    T_DESIGN,    /* ww:designKind */
    T_COUNT,     /* ww:count */
    T_EVENTS,    /* ww:eventCount */
    T_NUMBER,    /* ww:number */
    T_POSITIVE,  /* ww:positiveNumber */
    T_DIRECTION, /* ww:direction */
    T_METRIC     /* ww:metric */
};

enum pcol {
    /* the evaluation */
    P_TITLE,
    P_ORGANISATION,
    P_AUTHORS,
    P_YEAR,
    P_REPORT_URL,
    P_DOI,
    P_COUNTRY,
    P_REGION,
    P_NOTES,
    P_EXAMPLE,
    /* the intervention */
    P_INTERVENTION_NAME,
    P_DESCRIPTION,
    P_ISSUES,
    P_POPULATION,
    P_SETTING,
    P_DELIVERY,
    P_COST,
    P_COST_YEAR,
    P_COST_PAYER,
    /* the design */
    P_DESIGN,
    P_UNIT,
    P_COMPARISON,
    P_ASSIGNED_T,
    P_ASSIGNED_C,
    P_ANALYSED_T,
    P_ANALYSED_C,
    P_BASELINE,
    P_INDEPENDENT,
    /* the outcome: one per row */
    P_OUTCOME_NAME,
    P_DOMAIN,
    P_TIMEPOINT,
    P_DIRECTION,
    P_MEAN_T,
    P_SD_T,
    P_N_T,
    P_MEAN_C,
    P_SD_C,
    P_N_C,
    P_EVENTS_T,
    P_TOTAL_T,
    P_EVENTS_C,
    P_TOTAL_C,
    P_METRIC,
    P_ESTIMATE,
    P_CI_LOW,
    P_CI_HIGH,
    P_CLUSTERS_T, /* optional: allocation by cluster (docs/pilot-csv.md) */
    P_CLUSTERS_C,
    P_ICC,
    N_PCOLS
};

/* Columns before this one are the same on every row. */
#define FIRST_OUTCOME_COLUMN P_OUTCOME_NAME

static const struct pcol_spec {
    const char *name;
    unsigned char type;
    unsigned char required; /* the header must have it and every row fill it */
} spec[N_PCOLS] = {
    [P_TITLE] = {"title", T_TEXT, 1},
    [P_ORGANISATION] = {"organisation", T_TEXT, 1},
    [P_AUTHORS] = {"authors", T_LIST, 1},
    [P_YEAR] = {"year", T_YEAR, 1},
    [P_REPORT_URL] = {"report_url", T_URL, 1},
    [P_DOI] = {"doi", T_DOI, 0},
    [P_COUNTRY] = {"country", T_COUNTRY, 1},
    [P_REGION] = {"region", T_TEXT, 1},
    [P_NOTES] = {"notes", T_LONG, 0},
    [P_EXAMPLE] = {"example", T_BOOL, 0},
    [P_INTERVENTION_NAME] = {"intervention_name", T_TEXT, 1},
    [P_DESCRIPTION] = {"description", T_LONG, 1},
    [P_ISSUES] = {"presenting_issues", T_LIST, 1},
    [P_POPULATION] = {"population", T_TEXT, 1},
    [P_SETTING] = {"setting", T_TEXT, 1},
    [P_DELIVERY] = {"delivery", T_TEXT, 1},
    [P_COST] = {"cost_per_participant", T_MONEY, 0},
    [P_COST_YEAR] = {"cost_price_year", T_YEAR, 0},
    [P_COST_PAYER] = {"cost_payer", T_TEXT, 0},
    [P_DESIGN] = {"design", T_DESIGN, 1},
    [P_UNIT] = {"allocation_unit", T_TEXT, 1},
    [P_COMPARISON] = {"comparison_condition", T_TEXT, 1},
    [P_ASSIGNED_T] = {"assigned_treatment", T_COUNT, 1},
    [P_ASSIGNED_C] = {"assigned_control", T_COUNT, 0},
    [P_ANALYSED_T] = {"analysed_treatment", T_COUNT, 1},
    [P_ANALYSED_C] = {"analysed_control", T_COUNT, 0},
    [P_BASELINE] = {"baseline_diff_sd", T_NUMBER, 0},
    [P_INDEPENDENT] = {"independent_evaluator", T_BOOL, 0},
    [P_OUTCOME_NAME] = {"outcome_name", T_TEXT, 1},
    [P_DOMAIN] = {"domain", T_TEXT, 1},
    [P_TIMEPOINT] = {"timepoint", T_TEXT, 1},
    [P_DIRECTION] = {"direction", T_DIRECTION, 1},
    [P_MEAN_T] = {"mean_treatment", T_NUMBER, 0},
    [P_SD_T] = {"sd_treatment", T_POSITIVE, 0},
    [P_N_T] = {"n_treatment", T_COUNT, 0},
    [P_MEAN_C] = {"mean_control", T_NUMBER, 0},
    [P_SD_C] = {"sd_control", T_POSITIVE, 0},
    [P_N_C] = {"n_control", T_COUNT, 0},
    [P_EVENTS_T] = {"events_treatment", T_EVENTS, 0},
    [P_TOTAL_T] = {"total_treatment", T_COUNT, 0},
    [P_EVENTS_C] = {"events_control", T_EVENTS, 0},
    [P_TOTAL_C] = {"total_control", T_COUNT, 0},
    [P_METRIC] = {"metric", T_METRIC, 0},
    [P_ESTIMATE] = {"estimate", T_NUMBER, 0},
    [P_CI_LOW] = {"ci_low", T_NUMBER, 0},
    [P_CI_HIGH] = {"ci_high", T_NUMBER, 0},
    [P_CLUSTERS_T] = {"clusters_treatment", T_COUNT, 0},
    [P_CLUSTERS_C] = {"clusters_control", T_COUNT, 0},
    [P_ICC] = {"icc", T_NUMBER, 0},
};

/* The three ways to give a result; a row fills exactly one. */
static const struct result_group {
    const char *kind;
    enum pcol first, last;
    const char *needs;
} groups[3] = {
    {"continuous", P_MEAN_T, P_N_C, "mean, SD and N for both arms"},
    {"binary", P_EVENTS_T, P_TOTAL_C, "events and totals for both arms"},
    {"reported", P_METRIC, P_CI_HIGH, "metric, estimate, ci_low and ci_high"},
};

/* The enumerations, as the XSD lists them. */
static const char *const design_values[] = {"randomised",
                                            "regression-discontinuity",
                                            "instrument",
                                            "difference-in-differences",
                                            "matched-pretest",
                                            "comparison",
                                            "before-after",
                                            "descriptive",
                                            NULL};
static const char *const direction_values[] = {"higher-is-better", "lower-is-better", NULL};
static const char *const metric_values[] = {"SMD", "MD", "OR", "RR", "RD", NULL};

/* ---- parse state and diagnostics -------------------------------------------- */

/* One column's value in one row, once checked. */
typedef struct pval {
    const char *text; /* normalised (as XSD's whitespace rules would); NULL when empty */
    int ok;           /* present and valid */
    double number;    /* T_NUMBER, T_POSITIVE, T_MONEY */
    long count;       /* T_COUNT, T_EVENTS, T_YEAR; T_BOOL as 0/1 */
} pval;

typedef struct pilot_ctx {
    const ww_input *in;
    ww_diags *diags;
    int rc; /* sticky: the first WW_ENOMEM */
    int current_year;
    ww_arena *arena;
    int column[N_PCOLS]; /* header field of each column, -1 when absent */
    const char **header; /* header names, for messages */
    size_t n_header;
    /* the first outcome row: its line and the values every row repeats */
    long first_line;
    const char *first[FIRST_OUTCOME_COLUMN];
    pval study[FIRST_OUTCOME_COLUMN];
    size_t rows;
    ww_record rec;
} pilot_ctx;

static void diag(pilot_ctx *c, int is_warning, long line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void diag(pilot_ctx *c, int is_warning, long line, const char *field, const char *fmt, ...)
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

#define ERR(c, line, field, ...) diag((c), 0, (line), (field), __VA_ARGS__)

/* At most QUOTE_MAX bytes of s for a message, cut on a character boundary,
 * "..." when cut. */
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

/* ---- values ------------------------------------------------------------------- */

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* xs:token's rule, in place: runs of white space become one space, none at
 * either end. */
static char *collapse(char *s)
{
    char *w = s;
    const char *r = s;
    while (*r && is_space(*r)) r++;
    for (; *r; r++) {
        if (is_space(*r)) {
            while (r[1] && is_space(r[1])) r++;
            if (r[1]) *w++ = ' ';
            continue;
        }
        *w++ = *r;
    }
    *w = '\0';
    return s;
}

/* Characters, not bytes, as XSD lengths count them. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

/* xs:integer / xs:decimal lexical forms (no exponent). */
static int is_integer(const char *s)
{
    if (*s == '+' || *s == '-') s++;
    if (!*s) return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return 0;
    return 1;
}

static int is_decimal(const char *s)
{
    int digits = 0;
    if (*s == '+' || *s == '-') s++;
    for (; *s >= '0' && *s <= '9'; s++) digits++;
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++) digits++;
    return digits > 0 && !*s;
}

static int no_space(const char *s)
{
    for (; *s; s++)
        if (is_space(*s)) return 0;
    return 1;
}

/* The patterns of ww:url, ww:doi and ww:countryCode. */
static int is_url(const char *s)
{
    const char *rest = !strncmp(s, "https://", 8)  ? s + 8
                       : !strncmp(s, "http://", 7) ? s + 7
                                                   : NULL;
    return rest && *rest && no_space(rest);
}

static int is_doi(const char *s)
{
    int digits = 0;
    if (strncmp(s, "10.", 3) != 0) return 0;
    for (s += 3; *s >= '0' && *s <= '9'; s++) digits++;
    return digits >= 4 && digits <= 9 && *s == '/' && s[1] && no_space(s + 1);
}

static int is_country(const char *s)
{
    return s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && !s[2];
}

static int one_of(const char *s, const char *const *values)
{
    for (; *values; values++)
        if (!strcmp(s, *values)) return 1;
    return 0;
}

/* "a, b, c", as the schema messages list an enumeration. */
static const char *joined(char *buf, size_t n, const char *const *values)
{
    size_t len = 0;
    buf[0] = '\0';
    for (; *values && len < n; values++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "", *values);
    return buf;
}

/* A whole number with bounds, the limits as the schema states them. */
static int check_whole(pilot_ctx *c, long line, const char *field, const char *s, long min,
                       long max, const char *type_phrase, pval *v)
{
    char q[QUOTE_MAX + 4];
    long n;
    if (!is_integer(s)) {
        ERR(c, line, field, "%s, got '%s'", type_phrase, quote(q, sizeof q, s));
        return 0;
    }
    /* Too many digits for a long is beyond any bound. */
    if (ww__parse_long(&n, s) < 0) n = s[0] == '-' ? min - 1 : max + 1;
    if (n < min) {
        if (min == 0)
            ERR(c, line, field, "must not be negative, got %s", quote(q, sizeof q, s));
        else
            ERR(c, line, field, "must be at least %ld, got %s", min, quote(q, sizeof q, s));
        return 0;
    }
    if (n > max) {
        ERR(c, line, field, "must be at most %ld, got %s", max, quote(q, sizeof q, s));
        return 0;
    }
    v->count = n;
    return 1;
}

static int check_decimal(pilot_ctx *c, long line, const char *field, const char *s,
                         const char *type_phrase, pval *v)
{
    char q[QUOTE_MAX + 4];
    if (!is_decimal(s) || ww__parse_double(&v->number, s) < 0) {
        ERR(c, line, field, "%s, got '%s'", type_phrase, quote(q, sizeof q, s));
        return 0;
    }
    return 1;
}

/* A ';'-separated list of ww:text items (presenting issues, authors):
 * returns how many there are, each checked. */
static size_t check_list(pilot_ctx *c, long line, const char *field, const char *s, size_t max)
{
    size_t count = 0;
    const char *p = s;
    while (*p) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p), chars = 0;
        while (len && is_space(*p)) p++, len--;
        while (len && is_space(p[len - 1])) len--;
        for (size_t i = 0; i < len; i++)
            if (((unsigned char)p[i] & 0xC0) != 0x80) chars++;
        if (len) count++;
        if (chars > 1000)
            ERR(c, line, field, "item %zu is too long: %zu characters, at most 1000 allowed", count,
                chars);
        if (!end) break;
        p = end + 1;
    }
    if (count == 0) ERR(c, line, field, "must not be empty");
    if (count > max) ERR(c, line, field, "at most %zu items are allowed, got %zu", max, count);
    return count;
}

/* Check one non-empty value s (normalised in place) of column col. */
static int check_value(pilot_ctx *c, long line, enum pcol col, char *s, pval *v)
{
    const char *field = spec[col].name;
    char q[QUOTE_MAX + 4], set[256];
    size_t chars;
    v->text = s;
    switch (spec[col].type) {
    case T_TEXT:
        if ((chars = utf8_chars(s)) > 1000) {
            ERR(c, line, field, "is too long: %zu characters, at most 1000 allowed", chars);
            return 0;
        }
        return 1;
    case T_LONG:
        if ((chars = utf8_chars(s)) > 20000) {
            ERR(c, line, field, "is too long: %zu characters, at most 20000 allowed", chars);
            return 0;
        }
        return 1;
    case T_LIST:
        return check_list(c, line, field, s,
                          col == P_AUTHORS ? PILOT_MAX_AUTHORS : PILOT_MAX_ISSUES) > 0;
    case T_YEAR:
        if (!check_whole(c, line, field, s, 1900, 2100, "must be a four-digit year", v)) return 0;
        if (v->count > c->current_year) {
            ERR(c, line, field, "%ld is in the future (this is %d)", v->count, c->current_year);
            return 0;
        }
        return 1;
    case T_URL:
        if ((chars = utf8_chars(s)) > 2000) {
            ERR(c, line, field, "is too long: %zu characters, at most 2000 allowed", chars);
            return 0;
        }
        if (!is_url(s)) {
            ERR(c, line, field, "must be a web address starting http:// or https://, got '%s'",
                quote(q, sizeof q, s));
            return 0;
        }
        return 1;
    case T_DOI:
        if ((chars = utf8_chars(s)) > 300) {
            ERR(c, line, field, "is too long: %zu characters, at most 300 allowed", chars);
            return 0;
        }
        if (!is_doi(s)) {
            ERR(c, line, field,
                "must be a DOI such as 10.1000/xyz123 (without https://doi.org/), got '%s'",
                quote(q, sizeof q, s));
            return 0;
        }
        return 1;
    case T_COUNTRY:
        if (!is_country(s)) {
            ERR(c, line, field, "must be a two-letter ISO 3166 country code such as GB, got '%s'",
                quote(q, sizeof q, s));
            return 0;
        }
        return 1;
    case T_BOOL:
        /* xs:boolean, and Excel's TRUE/FALSE. */
        if (!strcasecmp(s, "true") || !strcmp(s, "1")) {
            v->count = 1;
            return 1;
        }
        if (!strcasecmp(s, "false") || !strcmp(s, "0")) {
            v->count = 0;
            return 1;
        }
        ERR(c, line, field, "must be true or false, got '%s'", quote(q, sizeof q, s));
        return 0;
    case T_MONEY:
        if (!check_decimal(c, line, field, s,
                           "must be an amount in pounds such as 420.00, not negative", v))
            return 0;
        if (v->number < 0) {
            ERR(c, line, field, "must not be negative, got %s", quote(q, sizeof q, s));
            return 0;
        }
        if (v->number > 1e9) {
            ERR(c, line, field, "must be at most 1000000000, got %s", quote(q, sizeof q, s));
            return 0;
        }
        return 1;
    case T_COUNT:
        return check_whole(c, line, field, s, 1, 100000000, "must be a whole number of at least 1",
                           v);
    case T_EVENTS:
        return check_whole(c, line, field, s, 0, 100000000, "must be a whole number of at least 0",
                           v);
    case T_NUMBER:
        return check_decimal(c, line, field, s, "must be a decimal number such as 12.5", v);
    case T_POSITIVE:
        if (!check_decimal(c, line, field, s, "must be a decimal number greater than 0", v))
            return 0;
        if (!(v->number > 0)) {
            ERR(c, line, field, "must be > 0, got %s", quote(q, sizeof q, s));
            return 0;
        }
        return 1;
    case T_DESIGN:
    case T_DIRECTION:
    case T_METRIC: {
        const char *const *values = spec[col].type == T_DESIGN      ? design_values
                                    : spec[col].type == T_DIRECTION ? direction_values
                                                                    : metric_values;
        if (one_of(s, values)) return 1;
        ERR(c, line, field, "must be one of: %s; got '%s'", joined(set, sizeof set, values),
            quote(q, sizeof q, s));
        return 0;
    }
    }
    return 0;
}

/* The value of col in row: normalised in place, checked when present.
 * Returns 1 when present and valid. */
static int value_of(pilot_ctx *c, ww_csv_row *row, enum pcol col, pval *v)
{
    char *s;
    memset(v, 0, sizeof *v);
    v->count = -1;
    v->number = NAN;
    if (c->column[col] < 0) return 0;
    s = row->fields[c->column[col]];
    s = spec[col].type == T_LONG ? ww_csv__trim(s) : collapse(s);
    if (!*s) {
        if (spec[col].required) ERR(c, row->line, spec[col].name, "must not be empty");
        return 0;
    }
    return v->ok = check_value(c, row->line, col, s, v);
}

static const char *keep(pilot_ctx *c, const char *s)
{
    const char *k;
    if (!s || c->rc < 0) return NULL;
    if (!(k = ww_arena__strdup(c->arena, s))) c->rc = ww__error_oom();
    return k;
}

/* ';'-separated items into an array of strings in the arena. */
static const char **split_list(pilot_ctx *c, const char *s, size_t *n_out)
{
    size_t count = 1, n = 0;
    const char **list;
    *n_out = 0;
    if (!s || c->rc < 0) return NULL;
    for (const char *p = s; *p; p++)
        if (*p == ';') count++;
    if (!(list = ww_arena__alloc(c->arena, count * sizeof *list))) {
        c->rc = ww__error_oom();
        return NULL;
    }
    while (*s) {
        const char *end = strchr(s, ';');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        while (len && is_space(*s)) s++, len--;
        while (len && is_space(s[len - 1])) len--;
        if (len && !(list[n++] = ww_arena__strndup(c->arena, s, len))) {
            c->rc = ww__error_oom();
            return NULL;
        }
        if (!end) break;
        s = end + 1;
    }
    *n_out = n;
    return list;
}

/* ---- the rows -------------------------------------------------------------------- */

/* count must not exceed limit (both given). */
static void check_not_above(pilot_ctx *c, long line, enum pcol count_col, long count,
                            enum pcol limit_col, long limit, const char *why)
{
    if (count >= 0 && limit >= 0 && count > limit)
        ERR(c, line, spec[count_col].name, "must not exceed %s (%ld), got %ld%s",
            spec[limit_col].name, limit, count, why);
}

/* The evaluation, intervention and design, from the first outcome row. */
static void read_study(pilot_ctx *c, ww_csv_row *row)
{
    ww_record *rec = &c->rec;
    pval *v = c->study;
    long line = row->line;
    ww_design design;

    for (int col = 0; col < FIRST_OUTCOME_COLUMN; col++) {
        value_of(c, row, (enum pcol)col, &v[col]);
        c->first[col] = keep(c, v[col].text);
        v[col].text = c->first[col];
    }
    rec->title = v[P_TITLE].text;
    rec->organisation = v[P_ORGANISATION].text;
    if (v[P_AUTHORS].ok) {
        /* ww_record carries one string: authors joined with "; ". */
        size_t n;
        const char **names = split_list(c, v[P_AUTHORS].text, &n);
        ww_buf b = WW_BUF_INIT;
        for (size_t i = 0; names && i < n && c->rc == 0; i++)
            if ((i && ww_buf__puts(&b, "; ") < 0) || ww_buf__puts(&b, names[i]) < 0)
                c->rc = WW_ENOMEM;
        rec->authors = keep(c, b.data);
        ww_buf__free(&b);
    }
    rec->year = v[P_YEAR].ok ? (int)v[P_YEAR].count : -1;
    rec->report_url = v[P_REPORT_URL].ok ? v[P_REPORT_URL].text : NULL;
    rec->doi = v[P_DOI].ok ? v[P_DOI].text : NULL;
    rec->country = v[P_COUNTRY].ok ? v[P_COUNTRY].text : NULL;
    rec->region = v[P_REGION].text;
    rec->notes = v[P_NOTES].text;
    rec->is_example = v[P_EXAMPLE].ok && v[P_EXAMPLE].count == 1;

    rec->intervention_name = v[P_INTERVENTION_NAME].text;
    rec->intervention_description = v[P_DESCRIPTION].text;
    if (v[P_ISSUES].ok) rec->issues = split_list(c, v[P_ISSUES].text, &rec->n_issues);
    rec->population = v[P_POPULATION].text;
    rec->setting = v[P_SETTING].text;
    rec->delivery = v[P_DELIVERY].text;
    /* The cost is optional, but when given it comes with its price year
     * and the agency that pays (the schema's sequence of three). */
    if (v[P_COST].text || v[P_COST_YEAR].text || v[P_COST_PAYER].text) {
        static const enum pcol cost[] = {P_COST, P_COST_YEAR, P_COST_PAYER};
        for (size_t i = 0; i < 3; i++)
            if (!v[cost[i]].text)
                ERR(c, line, spec[cost[i]].name,
                    "missing (a cost is given with cost_per_participant, cost_price_year and "
                    "cost_payer together)");
    }
    if (v[P_COST].ok) rec->cost_per_participant = v[P_COST].number;
    if (v[P_COST_YEAR].ok) rec->cost_price_year = (int)v[P_COST_YEAR].count;
    rec->cost_payer = v[P_COST_PAYER].text;

    design = v[P_DESIGN].ok ? ww_design_parse(v[P_DESIGN].text) : WW_DESIGN_UNKNOWN;
    rec->design = design;
    rec->allocation_unit = v[P_UNIT].text;
    rec->comparison = v[P_COMPARISON].text;
    if (v[P_ASSIGNED_T].ok) rec->assigned_treatment = v[P_ASSIGNED_T].count;
    if (v[P_ASSIGNED_C].ok) rec->assigned_control = v[P_ASSIGNED_C].count;
    if (v[P_ANALYSED_T].ok) rec->analysed_treatment = v[P_ANALYSED_T].count;
    if (v[P_ANALYSED_C].ok) rec->analysed_control = v[P_ANALYSED_C].count;
    /* Only a design without a comparison group may leave out its counts
     * (DESIGN.md 6.3: before-after and descriptive have none). */
    if (design != WW_DESIGN_UNKNOWN && design != WW_DESIGN_BEFORE_AFTER &&
        design != WW_DESIGN_DESCRIPTIVE) {
        if (!v[P_ASSIGNED_C].text)
            ERR(c, line, "assigned_control",
                "missing: a %s design has a comparison group, so give its count", v[P_DESIGN].text);
        if (!v[P_ANALYSED_C].text)
            ERR(c, line, "analysed_control",
                "missing: a %s design has a comparison group, so give its count", v[P_DESIGN].text);
    }
    check_not_above(c, line, P_ANALYSED_T, rec->analysed_treatment, P_ASSIGNED_T,
                    rec->assigned_treatment, "; more people cannot be analysed than were assigned");
    check_not_above(c, line, P_ANALYSED_C, rec->analysed_control, P_ASSIGNED_C,
                    rec->assigned_control, "; more people cannot be analysed than were assigned");
    /* The size of the baseline gap; its sign does not change the
     * equivalence test (WWC Handbook v5.0, baseline equivalence). */
    if (v[P_BASELINE].ok) rec->baseline_diff_sd = fabs(v[P_BASELINE].number);
    rec->independent = v[P_INDEPENDENT].ok ? (int)v[P_INDEPENDENT].count : -1;
}

/* A later row repeats the first row's evaluation, intervention and design. */
static void compare_study(pilot_ctx *c, ww_csv_row *row)
{
    char q1[QUOTE_MAX + 4], q2[QUOTE_MAX + 4];
    for (int col = 0; col < FIRST_OUTCOME_COLUMN; col++) {
        const char *first = c->first[col];
        char *s;
        if (c->column[col] < 0) continue;
        s = row->fields[c->column[col]];
        s = spec[col].type == T_LONG ? ww_csv__trim(s) : collapse(s);
        if (first ? !strcmp(s, first) : !*s) continue;
        ERR(c, row->line, spec[col].name,
            "'%s' differs from line %ld ('%s'): every row repeats the same evaluation, "
            "intervention and design",
            quote(q1, sizeof q1, s), c->first_line, quote(q2, sizeof q2, first ? first : ""));
    }
}

static void read_reported(pilot_ctx *c, long line, const pval *v, ww_outcome_rec *o)
{
    const char *metric = v[P_METRIC].ok ? v[P_METRIC].text : NULL;
    int have_est = v[P_ESTIMATE].ok, have_low = v[P_CI_LOW].ok, have_high = v[P_CI_HIGH].ok;
    double est = v[P_ESTIMATE].number, low = v[P_CI_LOW].number, high = v[P_CI_HIGH].number;
    int ratio = metric && (!strcmp(metric, "OR") || !strcmp(metric, "RR"));
    int risk_diff = metric && !strcmp(metric, "RD");

    o->kind = WW_OUTCOME_REPORTED;
    o->reported_metric = metric;
    if (have_est) o->reported_estimate = est;
    if (have_low) o->reported_ci_low = low;
    if (have_high) o->reported_ci_high = high;
    /* Ratios are on their natural scale, so positive; a risk difference is
     * a difference of two proportions. */
    if (ratio) {
        const char *what = !strcmp(metric, "OR") ? "an odds ratio" : "a risk ratio";
        if (have_est && est <= 0) ERR(c, line, "estimate", "%s must be > 0, got %g", what, est);
        if (have_low && low <= 0)
            ERR(c, line, "ci_low", "%s's confidence limit must be > 0, got %g", what, low);
        if (have_high && high <= 0)
            ERR(c, line, "ci_high", "%s's confidence limit must be > 0, got %g", what, high);
    } else if (risk_diff) {
        if (have_est && (est < -1 || est > 1))
            ERR(c, line, "estimate", "a risk difference must be between -1 and 1, got %g", est);
        if (have_low && (low < -1 || low > 1))
            ERR(c, line, "ci_low", "a risk difference must be between -1 and 1, got %g", low);
        if (have_high && (high < -1 || high > 1))
            ERR(c, line, "ci_high", "a risk difference must be between -1 and 1, got %g", high);
    }
    if (have_est && have_low && low > est)
        ERR(c, line, "ci_low", "must not be above the estimate (%g), got %g", est, low);
    if (have_est && have_high && high < est)
        ERR(c, line, "ci_high", "must not be below the estimate (%g), got %g", est, high);
    if (have_low && have_high && !(low < high) && !(have_est && (low > est || high < est)))
        ERR(c, line, "ci_high", "must be greater than ci_low (%g), got %g", low, high);
}

static void read_outcome(pilot_ctx *c, ww_csv_row *row, ww_outcome_rec *o)
{
    pval v[N_PCOLS];
    long line = row->line;
    const ww_record *rec = &c->rec;
    int filled[3] = {0, 0, 0}, n_groups = 0, g = -1;
    char where[48];

    ww_outcome_rec_init(o);
    for (int col = FIRST_OUTCOME_COLUMN; col < N_PCOLS; col++)
        value_of(c, row, (enum pcol)col, &v[col]);
    o->name = keep(c, v[P_OUTCOME_NAME].text);
    o->domain = keep(c, v[P_DOMAIN].text);
    o->timepoint = keep(c, v[P_TIMEPOINT].text);
    o->higher_is_better = v[P_DIRECTION].ok ? !strcmp(v[P_DIRECTION].text, "higher-is-better") : 1;
    snprintf(where, sizeof where, "line %ld", line);
    o->where = keep(c, where);
    o->line = line;

    for (int k = 0; k < 3; k++) {
        for (int col = (int)groups[k].first; col <= (int)groups[k].last; col++)
            if (v[col].text) filled[k]++;
        if (filled[k]) {
            n_groups++;
            if (g < 0) g = k;
        }
    }
    if (n_groups == 0) {
        ERR(c, line, "outcome_name",
            "has no result: fill the continuous columns (mean_treatment to n_control), the "
            "binary columns (events_treatment to total_control) or the reported columns "
            "(metric, estimate, ci_low, ci_high)");
        return;
    }
    if (n_groups > 1) {
        for (int k = g + 1; k < 3; k++) {
            if (!filled[k]) continue;
            for (int col = (int)groups[k].first; col <= (int)groups[k].last; col++)
                if (v[col].text) {
                    ERR(c, line, spec[col].name,
                        "a row holds one kind of result: the %s columns are filled, so the %s "
                        "columns must be empty",
                        groups[g].kind, groups[k].kind);
                    break;
                }
        }
        return;
    }
    for (int col = (int)groups[g].first; col <= (int)groups[g].last; col++)
        if (!v[col].text)
            ERR(c, line, spec[col].name, "missing (a %s result needs %s)", groups[g].kind,
                groups[g].needs);

    if (g == 0) {
        o->kind = WW_OUTCOME_CONTINUOUS;
        if (v[P_MEAN_T].ok) o->mean_treatment = v[P_MEAN_T].number;
        if (v[P_SD_T].ok) o->sd_treatment = v[P_SD_T].number;
        if (v[P_N_T].ok) o->n_treatment = v[P_N_T].count;
        if (v[P_MEAN_C].ok) o->mean_control = v[P_MEAN_C].number;
        if (v[P_SD_C].ok) o->sd_control = v[P_SD_C].number;
        if (v[P_N_C].ok) o->n_control = v[P_N_C].count;
        /* Counts are people, so an outcome cannot have more than were
         * assigned to its arm. */
        check_not_above(c, line, P_N_T, o->n_treatment, P_ASSIGNED_T, rec->assigned_treatment, "");
        check_not_above(c, line, P_N_C, o->n_control, P_ASSIGNED_C, rec->assigned_control, "");
    } else if (g == 1) {
        o->kind = WW_OUTCOME_BINARY;
        if (v[P_EVENTS_T].ok) o->events_treatment = v[P_EVENTS_T].count;
        if (v[P_TOTAL_T].ok) o->total_treatment = v[P_TOTAL_T].count;
        if (v[P_EVENTS_C].ok) o->events_control = v[P_EVENTS_C].count;
        if (v[P_TOTAL_C].ok) o->total_control = v[P_TOTAL_C].count;
        check_not_above(c, line, P_EVENTS_T, o->events_treatment, P_TOTAL_T, o->total_treatment,
                        "");
        check_not_above(c, line, P_EVENTS_C, o->events_control, P_TOTAL_C, o->total_control, "");
        check_not_above(c, line, P_TOTAL_T, o->total_treatment, P_ASSIGNED_T,
                        rec->assigned_treatment, "");
        check_not_above(c, line, P_TOTAL_C, o->total_control, P_ASSIGNED_C, rec->assigned_control,
                        "");
    } else {
        read_reported(c, line, v, o);
    }

    /* Allocation by cluster: both arms' clusters or neither, never more
     * clusters than people; an ICC is a correlation, 0 to 1. */
    if ((v[P_CLUSTERS_T].text != NULL) != (v[P_CLUSTERS_C].text != NULL))
        ERR(c, line, v[P_CLUSTERS_T].text ? "clusters_control" : "clusters_treatment",
            "missing: give the clusters of both arms, or of neither");
    if (v[P_CLUSTERS_T].ok) o->clusters_treatment = v[P_CLUSTERS_T].count;
    if (v[P_CLUSTERS_C].ok) o->clusters_control = v[P_CLUSTERS_C].count;
    check_not_above(c, line, P_CLUSTERS_T, o->clusters_treatment, P_ASSIGNED_T,
                    rec->assigned_treatment, "; an arm cannot have more clusters than people");
    check_not_above(c, line, P_CLUSTERS_C, o->clusters_control, P_ASSIGNED_C, rec->assigned_control,
                    "; an arm cannot have more clusters than people");
    if (v[P_ICC].ok) {
        if (v[P_ICC].number >= 0 && v[P_ICC].number <= 1)
            o->icc = v[P_ICC].number;
        else
            ERR(c, line, "icc", "must be between 0 and 1 (an intraclass correlation), got %g",
                v[P_ICC].number);
    }
}

/* ---- the header -------------------------------------------------------------------- */

/* Returns 0 or WW_ENOMEM; problems are diagnostics. */
static int read_header(pilot_ctx *c, ww_csv_row *row)
{
    ww_csv_column table[N_PCOLS];
    int *entry;

    memset(table, 0, sizeof table);
    for (int col = 0; col < N_PCOLS; col++) table[col].names[0] = spec[col].name;
    c->n_header = row->n_fields;
    if (!(c->header = ww_arena__alloc(c->arena, row->n_fields * sizeof *c->header)) ||
        !(entry = malloc(row->n_fields * sizeof *entry)))
        return c->rc = ww__error_oom();
    for (size_t f = 0; f < row->n_fields; f++) {
        char q[QUOTE_MAX + 4];
        collapse(row->fields[f]);
        if (!(c->header[f] = keep(c, quote(q, sizeof q, row->fields[f])))) {
            free(entry);
            return c->rc;
        }
    }
    ww_csv__map_header(row, table, N_PCOLS, c->column, entry);
    for (size_t f = 0; f < row->n_fields; f++) {
        const char *name = c->header[f];
        if (entry[f] == WW_CSV_DUPLICATE)
            ERR(c, row->line, name, "appears more than once in the header");
        else if (entry[f] == WW_CSV_UNKNOWN && row->fields[f][0])
            diag(c, 1, row->line, name, "not a column of the pilot results template; ignored");
        else if (entry[f] == WW_CSV_UNKNOWN)
            diag(c, 1, row->line, NULL, "column %zu has no name in the header; ignored", f + 1);
    }
    free(entry);
    for (int col = 0; col < N_PCOLS; col++)
        if (spec[col].required && c->column[col] < 0)
            ERR(c, row->line, spec[col].name, "missing (a required column of the template)");
    return c->rc;
}

/* ---- the importer ---------------------------------------------------------------------- */

/* The current year in the earliest time zone (UTC+14), so an evaluation
 * dated this year is never "in the future" anywhere it could be written. */
static int current_year(void)
{
    time_t now = time(NULL) + 14 * 3600;
    struct tm tm;
    if (!gmtime_r(&now, &tm)) return 2100;
    return tm.tm_year + 1900;
}

static int is_blank_row(const ww_csv_row *row)
{
    for (size_t f = 0; f < row->n_fields; f++)
        for (const char *s = row->fields[f]; *s; s++)
            if (!is_space(*s)) return 0;
    return 1;
}

static int pilot_parse(const ww_input *in, ww_diags *diags, const ww_sink *sink)
{
    pilot_ctx c;
    ww_csv *r = NULL;
    ww_csv_row row;
    ww_outcome_rec *outcomes = NULL;
    size_t errors_before = ww_diags__errors(diags);
    long bad_line, header_line = 0;
    int error = 0, got;

    memset(&c, 0, sizeof c);
    c.in = in;
    c.diags = diags;
    c.current_year = current_year();
    ww_record_init(&c.rec);

    if (in->size > PILOT_MAX_BYTES) {
        ERR(&c, 0, NULL, "the file is %zu bytes, over the %zu MiB limit for a submission", in->size,
            PILOT_MAX_BYTES / (1024 * 1024));
        goto done;
    }
    if (!in->data || ww_csv__blank(in->data, in->size)) {
        ERR(&c, 0, NULL, "the file is empty");
        goto done;
    }
    if ((bad_line = ww_csv__bad_utf8_line(in->data, in->size)) > 0) {
        ERR(&c, bad_line, "encoding",
            "this line is not valid UTF-8 (a submission must be saved as UTF-8, not Latin-1 or "
            "Windows-1252; in Excel, save as \"CSV UTF-8\")");
        goto done;
    }
    if ((error = ww_arena__new(&c.arena)) < 0 ||
        (error = ww_csv__open(&r, in->data, in->size, PILOT_FIELD_MAX)) < 0)
        goto done;
    if (!(outcomes = ww_arena__alloc(c.arena, PILOT_MAX_OUTCOMES * sizeof *outcomes))) {
        error = ww__error_oom();
        goto done;
    }

    if ((got = ww_csv__next(r, &row)) < 0) {
        error = got;
        goto done;
    }
    header_line = got ? row.line : 0;
    if (got == 0 || row.status != WW_CSV_ROW) {
        ERR(&c, header_line, NULL, "the header row is not valid CSV: %s",
            !got                            ? "there is none"
            : row.status == WW_CSV_TOO_LONG ? "a field is longer than 1 MiB"
                                            : row.problem);
        goto done;
    }
    if ((error = read_header(&c, &row)) < 0) goto done;

    while (c.rc == 0 && (got = ww_csv__next(r, &row)) == 1) {
        const char *at = row.bad_field < c.n_header ? c.header[row.bad_field] : NULL;
        if (row.status == WW_CSV_MALFORMED) {
            ERR(&c, row.line, at, "not valid CSV: %s", row.problem);
            continue;
        }
        if (row.status == WW_CSV_TOO_LONG) {
            ERR(&c, row.line, at, "longer than the 1 MiB limit for one field");
            continue;
        }
        if (is_blank_row(&row)) continue;
        if (row.n_fields != c.n_header) {
            ERR(&c, row.line, NULL, "this row has %zu fields, the header has %zu", row.n_fields,
                c.n_header);
            ww_csv__resync(r);
            continue;
        }
        if (++c.rows > PILOT_MAX_OUTCOMES) {
            if (c.rows == PILOT_MAX_OUTCOMES + 1)
                ERR(&c, row.line, NULL, "more than %d outcome rows; a submission has at most %d",
                    PILOT_MAX_OUTCOMES, PILOT_MAX_OUTCOMES);
            continue;
        }
        if (c.rows == 1) {
            c.first_line = row.line;
            read_study(&c, &row);
        } else {
            compare_study(&c, &row);
        }
        read_outcome(&c, &row, &outcomes[c.rows - 1]);
    }
    if (got < 0) {
        error = got;
        goto done;
    }
    if (c.rc < 0) goto done;
    if (c.rows == 0)
        ERR(&c, header_line, "outcome_name",
            "missing: the file has a header but no outcome rows (one row per outcome)");

    c.rec.outcomes = outcomes;
    c.rec.n_outcomes = c.rows < PILOT_MAX_OUTCOMES ? c.rows : PILOT_MAX_OUTCOMES;
    c.rec.provisional = 1; /* the evaluator's word until reviewed */
    c.rec.line = c.first_line;
    {
        char where[48];
        snprintf(where, sizeof where, "line %ld", c.first_line);
        c.rec.where = keep(&c, where);
    }
    if (c.rc == 0 && ww_diags__errors(diags) == errors_before && sink && sink->record)
        error = sink->record(sink->ctx, &c.rec);

done:
    ww_csv__free(r);
    ww_arena__free(c.arena);
    if (error == 0 && c.rc < 0) error = c.rc;
    return error;
}

/* ---- sniffing ------------------------------------------------------------------------------ */

/* Columns no other format has. */
static const char *const distinctive[] = {"intervention_name",  "outcome_name",
                                          "presenting_issues",  "comparison_condition",
                                          "analysed_treatment", "direction"};

static void sniff_name(void *ctx, const char *name, size_t len)
{
    int *hits = ctx;
    (void)len;
    for (size_t i = 0; i < sizeof distinctive / sizeof distinctive[0]; i++)
        if (!strcasecmp(name, distinctive[i])) (*hits)++;
}

static int pilot_sniff(const ww_input *in)
{
    int hits = 0;
    if (!in->data || in->size == 0) return 0;
    ww_csv__sniff_header(in->data, in->size, PILOT_SNIFF_WINDOW, sniff_name, &hits);
    if (hits >= 4) return 90;
    return hits >= 2 ? 40 : 0;
}

const ww_importer ww_importer_pilot_csv = {
    "pilot-csv",
    "pilot results CSV template, one row per outcome (docs/pilot-csv.md)",
    pilot_sniff,
    pilot_parse,
};
