/*
 * queries_int.h — private to queries/: the query result and output helpers.
 */
#ifndef WW_QUERIES_INT_H
#define WW_QUERIES_INT_H

#include <jansson.h>

#include "../repo/repo.h"
#include "../util/util.h"

typedef struct ww_query_row_int {
    ww_query_row row;
    double relevance;        /* bm25, lower is better */
    const char *pool_method;
    const ww_synthesis_row *synthesis; /* the stored result ranked on; NULL if none */
    int64_t intervention_id;
    const char *matched;     /* what matched (comma-joined kinds), for JSON */
    int verdict_class;       /* 0 beneficial .. 3 nothing on the issue */
    int off_issue;           /* pooled results on other outcome domains */
    const char *verdict_rule; /* why the verdict, for JSON */
    int left_out;            /* 0 shown; else a LEFT_OUT_* reason */
} ww_query_row_int;

/* Why a candidate is not listed (counted in the JSON's `left_out`). */
enum { LEFT_OUT_NONE = 0, LEFT_OUT_PROVISIONAL = 1, LEFT_OUT_FILTER = 2 };

struct ww_query_result {
    ww_arena *arena;
    const char *text;
    const char *fts;          /* the quoted FTS5 expression on all text; NULL if none */
    const char *fts_outcomes; /* the one on outcome names (issue patterns); NULL if none */
    ww_issue_expansion expansion;
    /* the expansion's domains, terms and patterns as the index sees them */
    const char **norm_domains, **norm_terms, **norm_patterns;
    const char *norm_text; /* the text as the index sees it, words joined by ' ' */
    ww_query_row_int *rows;
    size_t n_rows;
    ww_query_opts opts;       /* as given (strings copied), for the JSON */
    int include_provisional;  /* asked for, or implied by include_extracted */
    size_t n_candidates;      /* interventions that matched the issue */
    size_t n_left_provisional, n_left_filtered;
    size_t n_listed;          /* rows that passed the filters, before the limit */
};

/* The ranking rule's name and version (docs/ranking.md), in query.c. */
extern const char ww_queries__ranking_rule[];
/* Plain names of a certainty level and a sort, for the JSON. */
const char *ww_queries__certainty_name(ww_query_certainty c);
const char *ww_queries__sort_name(ww_query_sort s);

/* Output helpers (output.c). */
/* A JSON number, or null for NAN. */
json_t *ww_queries__num(double v);
/* A JSON string, or null for NULL. */
json_t *ww_queries__str(const char *s);
/* Set a key / append a value, as json_object_set_new and json_array_append_new
 * (the value is always taken), remembering on this thread when jansson
 * failed (out of memory), so an incomplete document is never written. */
void ww_queries__set(json_t *obj, const char *key, json_t *value);
void ww_queries__append(json_t *arr, json_t *value);
/* Write a JSON document (pretty, full double precision) and a newline; an
 * out-of-memory error instead when building it failed anywhere. */
int ww_queries__write_json(json_t *doc, FILE *fp);
/* One CSV field, quoted per RFC 4180 when it needs to be. */
void ww_queries__csv_field(FILE *fp, const char *s, int last);
/* A number for CSV / table: "" (CSV) or "-" (table) for NAN, else %.*g. */
void ww_queries__csv_num(FILE *fp, double v, int last);
/* Check fp for a write error. */
int ww_queries__flush(FILE *fp);

/* 1 when normalised text hay holds the normalised words needle whole
 * (query.c; gaps.c matches domains to an issue the same way). */
int ww_queries__contains_words(const char *hay, const char *needle);

#endif
