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
} ww_query_row_int;

struct ww_query_result {
    ww_arena *arena;
    const char *text;
    const char *fts;          /* the quoted FTS5 expression on all text; NULL if none */
    const char *fts_outcomes; /* the one on outcome names (issue patterns); NULL if none */
    ww_issue_expansion expansion;
    /* the expansion's domains, terms and patterns as the index sees them */
    const char **norm_domains, **norm_terms, **norm_patterns;
    ww_query_row_int *rows;
    size_t n_rows;
};

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

#endif
