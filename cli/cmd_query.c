/*
 * cmd_query.c — `whatworks query ISSUE`: ranked interventions for a
 * presenting issue, with filters and sorts (docs/ranking.md).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: whatworks query ISSUE [filters] [--sort KEY] [--limit N] [--wide]\n"
    "                       [--format table|json|csv]\n\n"
    "Rank the interventions that answer a presenting issue, e.g. `truancy`,\n"
    "`anti-social behaviour`, `homelessness`. The text is expanded through the\n"
    "issue taxonomy (`whatworks issues`) and matched in the full-text index;\n"
    "any text is safe to type. Each result gives the pooled effect (SMD,\n"
    "positive = beneficial) with its 95% CI and in plain terms (WWC improvement\n"
    "index; EEF months' progress for attainment), the number of studies, the\n"
    "certainty, a verdict and, in plain words, why. Harmful and ineffective\n"
    "interventions stay in the list, marked. The rule: docs/ranking.md.\n"
    "JSON schema: whatworks/query/2. Opens the database read-only.\n\n"
    "Filters (an intervention whose evidence does not state the field is left out):\n"
    "  --min-certainty C      high, moderate, low or very-low\n"
    "  --domain TEXT          rank on the pooled result in this outcome domain\n"
    "  --population TEXT      the population described contains these words\n"
    "  --age YEARS            the population's stated ages (or US grades) include it\n"
    "  --setting TEXT         the setting contains these words\n"
    "  --country C            a study ran there (GB, UK, US, United States, ...)\n"
    "  --max-cost AMOUNT      cost per participant at most this, as the source gave it\n"
    "  --include-provisional  also rank evidence submitted but not yet reviewed\n"
    "  --include-extracted    also pool effects machine-extracted from reports' text\n"
    "                         (provisional; implies --include-provisional)\n"
    "  --include-flagged      also pool effects flagged as implausible (|SMD| > 3, SDs\n"
    "                         that look like SEs, ...; `whatworks show` gives each reason)\n\n"
    "  --sort KEY   score (default), effect, bcr, cost (cheapest first) or certainty;\n"
    "               rows without the figure sort last\n"
    "  --limit N    at most N interventions (default 20)\n"
    "  --wide       the table with every column and the full names, however wide\n"
    "  --format F   table (default on a terminal), json (default otherwise), csv";

/* The value after option argv[*i], or NULL (with the usage error printed). */
static const char *value_of(int argc, char **argv, int *i, int *rc)
{
    if (*i + 1 >= argc) {
        *rc = cli_usage_error("query", "%s needs a value", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

static int parse_number(double *out, const char *s)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return end != s && !*end && errno == 0 && isfinite(*out) ? 0 : -1;
}

int cmd_query(const cli_global *g, int argc, char **argv)
{
    ww_db *db = NULL;
    ww_query_result *res = NULL;
    ww_query_opts opts = WW_QUERY_OPTS_INIT;
    ww_format fmt = cli_default_format();
    const char *text = NULL, *v;
    unsigned flags = 0;
    int error, rc = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            puts(usage);
            return 0;
        } else if (strcmp(a, "--limit") == 0) {
            char *end;
            long n;
            if (!(v = value_of(argc, argv, &i, &rc))) return rc;
            n = strtol(v, &end, 10);
            if (end == v || *end || n < 1 || n > 100000)
                return cli_usage_error("query", "--limit needs a number from 1 to 100000, got '%s'",
                                       v);
            opts.limit = (int)n;
        } else if (strcmp(a, "--min-certainty") == 0) {
            if (!(v = value_of(argc, argv, &i, &rc))) return rc;
            if (ww_query_certainty_parse(&opts.min_certainty, v) < 0)
                return cli_usage_error("query", "--min-certainty: %s", ww_error_last());
        } else if (strcmp(a, "--sort") == 0) {
            if (!(v = value_of(argc, argv, &i, &rc))) return rc;
            if (ww_query_sort_parse(&opts.sort, v) < 0)
                return cli_usage_error("query", "--sort: %s", ww_error_last());
        } else if (strcmp(a, "--domain") == 0) {
            if (!(opts.domain = value_of(argc, argv, &i, &rc))) return rc;
        } else if (strcmp(a, "--population") == 0) {
            if (!(opts.population = value_of(argc, argv, &i, &rc))) return rc;
        } else if (strcmp(a, "--setting") == 0) {
            if (!(opts.setting = value_of(argc, argv, &i, &rc))) return rc;
        } else if (strcmp(a, "--country") == 0) {
            if (!(opts.country = value_of(argc, argv, &i, &rc))) return rc;
        } else if (strcmp(a, "--age") == 0) {
            char *end;
            long n;
            if (!(v = value_of(argc, argv, &i, &rc))) return rc;
            n = strtol(v, &end, 10);
            if (end == v || *end || n < 0 || n > 120)
                return cli_usage_error("query", "--age needs whole years from 0 to 120, got '%s'",
                                       v);
            opts.by_age = 1;
            opts.age_years = (int)n;
        } else if (strcmp(a, "--max-cost") == 0) {
            if (!(v = value_of(argc, argv, &i, &rc))) return rc;
            if (parse_number(&opts.max_cost_per_participant, v) < 0 ||
                opts.max_cost_per_participant < 0)
                return cli_usage_error("query", "--max-cost needs an amount of 0 or more, got '%s'",
                                       v);
            opts.by_max_cost = 1;
        } else if (strcmp(a, "--include-provisional") == 0) {
            opts.include_provisional = 1;
        } else if (strcmp(a, "--include-extracted") == 0) {
            opts.include_extracted = 1;
        } else if (strcmp(a, "--include-flagged") == 0) {
            opts.include_flagged = 1;
        } else if (strcmp(a, "--wide") == 0) {
            flags |= WW_QUERY_PRINT_WIDE;
        } else if (strcmp(a, "--format") == 0) {
            if (!(v = value_of(argc, argv, &i, &rc))) return rc;
            if (ww_format_parse(&fmt, v) < 0)
                return cli_usage_error("query", "%s", ww_error_last());
        } else if (strcmp(a, "--") == 0 && i + 1 < argc && !text) {
            text = argv[++i];
        } else if (a[0] == '-' && a[1] == '-') {
            return cli_usage_error("query", "unknown option '%s'", a);
        } else if (!text) {
            text = a;
        } else {
            return cli_usage_error("query",
                                   "one issue at a time (quote a phrase: \"school absence\")");
        }
    }
    if (!text) return cli_usage_error("query", "name a presenting issue, e.g. truancy");
    if ((error = cli_open_db(&db, g, WW_DB_READONLY)) < 0) return cli_fail(error);
    if ((error = ww_query_run(&res, db, text, &opts)) < 0 ||
        (error = ww_query_result_print(res, stdout, fmt, flags)) < 0) {
        ww_query_result_free(res);
        ww_db_close(db);
        return cli_fail(error);
    }
    ww_query_result_free(res);
    ww_db_close(db);
    return 0;
}
