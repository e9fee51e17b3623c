/*
 * bench_query.c — a ranked query against the physical limit it is built on,
 * in one process, so process start-up (which dominates small queries) is
 * left out of both sides. For each presenting issue it times
 *
 *   whatworks: ww_query_run() with the given limit, then freeing the result;
 *   reference: sqlite3_prepare_v2 + step + finalize of
 *              SELECT rowid FROM search_fts WHERE search_fts MATCH ?1
 *              ORDER BY rank LIMIT 50
 *              on the same database file, with the FTS5 expression the
 *              query itself used (the "fts_expression" of its JSON output).
 *
 * The two are interleaved run by run, after one warm-up each, so both see
 * the same page cache. It prints each query's medians, then one line of
 * key=value pairs for bench/run.sh with p50 and p90 over every run.
 *
 * The index is tokenized by `wwvariants` (repo/variants.c), which a plain
 * sqlite3 shell does not have, so the raw side registers it on its own
 * connection, and `--match` stands in for the shell in bench/run.sh: one
 * process that opens the file, runs the MATCH and exits.
 *
 * usage: bench_query DB [--reps N] [--limit N] QUERY...
 *        bench_query DB --fts QUERY      print QUERY's FTS5 expression
 *        bench_query DB --match EXPR N   run the raw MATCH once, LIMIT N
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "whatworks.h"
#include "../repo/repo_int.h"

#define RAW_SQL "SELECT rowid FROM search_fts WHERE search_fts MATCH ?1 ORDER BY rank LIMIT 50"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The q-quantile of n sorted values (nearest rank). */
static double quantile(const double *sorted, size_t n, double q)
{
    size_t i = (size_t)ceil(q * (double)n);
    return sorted[i ? i - 1 : 0];
}

/* Run the query once and return the FTS5 expression its JSON names (the
 * caller frees it), or NULL when the query used none. *n_rows gets the
 * number of ranked rows. */
static int fts_expression(char **out, size_t *n_rows, ww_db *db, const char *text,
                          const ww_query_opts *opts)
{
    ww_query_result *res = NULL;
    char *json = NULL;
    size_t json_len = 0;
    FILE *mem;
    json_t *doc;
    json_error_t jerr;
    int error;

    *out = NULL;
    if ((error = ww_query_run(&res, db, text, opts)) < 0) return error;
    *n_rows = ww_query_result_count(res);
    if (!(mem = open_memstream(&json, &json_len))) {
        ww_query_result_free(res);
        return WW_ENOMEM;
    }
    error = ww_query_result_write(res, mem, WW_FORMAT_JSON);
    fclose(mem);
    ww_query_result_free(res);
    if (error < 0) {
        free(json);
        return error;
    }
    if (!(doc = json_loadb(json, json_len, 0, &jerr))) {
        fprintf(stderr, "bench_query: query JSON does not parse: %s\n", jerr.text);
        free(json);
        return WW_ERROR;
    }
    free(json);
    {
        const char *expr = json_string_value(json_object_get(doc, "fts_expression"));
        if (expr && !(*out = strdup(expr))) error = WW_ENOMEM;
    }
    json_decref(doc);
    return error;
}

static double time_ww(ww_db *db, const char *text, const ww_query_opts *opts)
{
    ww_query_result *res = NULL;
    double t0 = now_ms();
    if (ww_query_run(&res, db, text, opts) < 0) {
        fprintf(stderr, "bench_query: %s: %s\n", text, ww_error_last());
        exit(70);
    }
    ww_query_result_free(res);
    return now_ms() - t0;
}

static double time_raw(sqlite3 *raw, const char *expr, int *n_rows)
{
    sqlite3_stmt *st = NULL;
    double t0 = now_ms();
    int rc;
    *n_rows = 0;
    if (sqlite3_prepare_v2(raw, RAW_SQL, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_query: %s\n", sqlite3_errmsg(raw));
        exit(70);
    }
    sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) (*n_rows)++;
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "bench_query: %s: %s\n", expr, sqlite3_errmsg(raw));
        exit(70);
    }
    sqlite3_finalize(st);
    return now_ms() - t0;
}

static int usage(void)
{
    fputs("usage: bench_query DB [--reps N] [--limit N] QUERY...\n"
          "       bench_query DB --fts QUERY\n"
          "       bench_query DB --match EXPR N\n",
          stderr);
    return 64;
}

int main(int argc, char **argv)
{
    ww_db *db = NULL;
    sqlite3 *raw = NULL;
    ww_query_opts opts;
    long reps = 20;
    int first_query = 0, print_fts = 0, error;
    double *ww_all, *raw_all;
    size_t n_all = 0, n_queries;
    struct rusage ru;

    memset(&opts, 0, sizeof opts);
    opts.limit = 50;
    if (argc < 3) return usage();
    if (strcmp(argv[2], "--match") == 0) {
        sqlite3_stmt *st = NULL;
        char *end;
        long limit, rows = 0;
        if (argc != 5 || (limit = strtol(argv[4], &end, 10)) < 1 || *end) return usage();
        if (sqlite3_open_v2(argv[1], &raw, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
            ww_repo__register_tokenizer(raw, argv[1]) < 0 ||
            sqlite3_prepare_v2(raw, "SELECT rowid FROM search_fts WHERE search_fts MATCH ?1 ORDER BY rank LIMIT ?2",
                               -1, &st, NULL) != SQLITE_OK) {
            fprintf(stderr, "bench_query: %s: %s\n", argv[1], sqlite3_errmsg(raw));
            return 66;
        }
        sqlite3_bind_text(st, 1, argv[3], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, limit);
        while (sqlite3_step(st) == SQLITE_ROW) rows++;
        sqlite3_finalize(st);
        sqlite3_close(raw);
        printf("%ld\n", rows);
        return 0;
    }
    for (int i = 2; i < argc; i++) {
        char *end;
        if (first_query) break;
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            reps = strtol(argv[++i], &end, 10);
            if (*end || reps < 1 || reps > 100000) return usage();
        } else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
            long l = strtol(argv[++i], &end, 10);
            if (*end || l < 1 || l > 100000) return usage();
            opts.limit = (int)l;
        } else if (strcmp(argv[i], "--fts") == 0) {
            print_fts = 1;
        } else {
            first_query = i;
        }
    }
    if (!first_query) return usage();
    n_queries = (size_t)(argc - first_query);

    if ((error = ww_db_open(&db, argv[1], 0)) < 0) {
        fprintf(stderr, "bench_query: %s\n", ww_error_last());
        return 66;
    }
    if (print_fts) {
        char *expr = NULL;
        size_t n_rows;
        if ((error = fts_expression(&expr, &n_rows, db, argv[first_query], &opts)) < 0) {
            fprintf(stderr, "bench_query: %s\n", ww_error_last());
            return 70;
        }
        if (expr) puts(expr);
        free(expr);
        ww_db_close(db);
        return 0;
    }
    if (sqlite3_open_v2(argv[1], &raw, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        ww_repo__register_tokenizer(raw, argv[1]) < 0) {
        fprintf(stderr, "bench_query: %s: %s\n", argv[1], sqlite3_errmsg(raw));
        return 66;
    }
    ww_all = calloc(n_queries * (size_t)reps, sizeof *ww_all);
    raw_all = calloc(n_queries * (size_t)reps, sizeof *raw_all);
    if (!ww_all || !raw_all) return 70;

    for (size_t q = 0; q < n_queries; q++) {
        const char *text = argv[first_query + (int)q];
        char *expr = NULL;
        size_t n_rows = 0;
        int raw_rows = 0;
        double *w = ww_all + n_all, *r = raw_all + n_all;
        if ((error = fts_expression(&expr, &n_rows, db, text, &opts)) < 0) {
            fprintf(stderr, "bench_query: %s: %s\n", text, ww_error_last());
            return 70;
        }
        if (!expr) {
            fprintf(stderr, "bench_query: %s: the query used no full-text expression\n", text);
            return 70;
        }
        time_raw(raw, expr, &raw_rows); /* warm-up, both sides */
        time_ww(db, text, &opts);
        for (long k = 0; k < reps; k++) {
            w[k] = time_ww(db, text, &opts);
            r[k] = time_raw(raw, expr, &raw_rows);
        }
        qsort(w, (size_t)reps, sizeof *w, cmp_double);
        qsort(r, (size_t)reps, sizeof *r, cmp_double);
        printf("query %-24s whatworks %8.3f ms (%zu rows)   raw FTS5 %8.3f ms (%d rows)   "
               "ratio %.1f\n",
               text, quantile(w, (size_t)reps, 0.5), n_rows, quantile(r, (size_t)reps, 0.5),
               raw_rows, quantile(w, (size_t)reps, 0.5) / quantile(r, (size_t)reps, 0.5));
        n_all += (size_t)reps;
        free(expr);
    }
    qsort(ww_all, n_all, sizeof *ww_all, cmp_double);
    qsort(raw_all, n_all, sizeof *raw_all, cmp_double);
    getrusage(RUSAGE_SELF, &ru);
    printf("queries=%zu reps=%ld ww_p50_ms=%.3f ww_p90_ms=%.3f raw_p50_ms=%.3f raw_p90_ms=%.3f "
           "rss_kb=%ld\n",
           n_queries, reps, quantile(ww_all, n_all, 0.5), quantile(ww_all, n_all, 0.9),
           quantile(raw_all, n_all, 0.5), quantile(raw_all, n_all, 0.9), ru.ru_maxrss);
    free(ww_all);
    free(raw_all);
    sqlite3_close(raw);
    ww_db_close(db);
    return 0;
}
