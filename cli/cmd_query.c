/*
 * cmd_query.c — `whatworks query ISSUE`: ranked interventions for a
 * presenting issue.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_query(const cli_global *g, int argc, char **argv)
{
    ww_db *db = NULL;
    ww_query_result *res = NULL;
    ww_query_opts opts = {0};
    ww_format fmt = cli_default_format();
    const char *text = NULL;
    int error;

    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            puts("usage: whatworks query ISSUE [--limit N] [--include-extracted] [--include-flagged]\n"
                 "                      [--format table|json|csv]\n\n"
                 "Rank the interventions that answer a presenting issue, e.g. `truancy`,\n"
                 "`anti-social behaviour`, `homelessness`. The text is expanded through the\n"
                 "issue taxonomy (`whatworks issues`) and matched in the full-text index;\n"
                 "any text is safe to type. Each result gives the pooled effect (SMD,\n"
                 "positive = beneficial) with its 95% CI, the number of studies, a verdict\n"
                 "and why it ranks where it does. JSON schema: whatworks/query/1.\n"
                 "Opens the database read-only and writes nothing (docs/database.md).\n\n"
                 "  --limit N    at most N interventions (default 20)\n"
                 "  --include-extracted  also pool effects machine-extracted from reports'\n"
                 "               text (provisional; left out by default)\n"
                 "  --include-flagged  also pool effects flagged as implausible (|SMD| > 3,\n"
                 "               SDs that look like SEs, ...; left out by default, and\n"
                 "               `whatworks show` gives each one's reason)\n"
                 "  --format F   table (default on a terminal), json (default otherwise), csv");
            return 0;
        } else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > 100000)
                return cli_usage_error("query", "--limit needs a number from 1 to 100000");
            opts.limit = (int)n;
        } else if (strcmp(argv[i], "--include-extracted") == 0) {
            opts.include_extracted = 1;
        } else if (strcmp(argv[i], "--include-flagged") == 0) {
            opts.include_flagged = 1;
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            if (ww_format_parse(&fmt, argv[++i]) < 0) return cli_usage_error("query", "%s", ww_error_last());
        } else if (strcmp(argv[i], "--") == 0 && i + 1 < argc && !text) {
            text = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            return cli_usage_error("query", "unknown option '%s'", argv[i]);
        } else if (!text) {
            text = argv[i];
        } else {
            return cli_usage_error("query", "one issue at a time (quote a phrase: \"school absence\")");
        }
    }
    if (!text) return cli_usage_error("query", "name a presenting issue, e.g. truancy");
    if ((error = cli_open_db(&db, g, WW_DB_READONLY)) < 0) return cli_fail(error);
    if ((error = ww_query_run(&res, db, text, &opts)) < 0 ||
        (error = ww_query_result_write(res, stdout, fmt)) < 0) {
        ww_query_result_free(res);
        ww_db_close(db);
        return cli_fail(error);
    }
    ww_query_result_free(res);
    ww_db_close(db);
    return 0;
}
