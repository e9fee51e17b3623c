/*
 * cmd_grade.c — `whatworks grade [--explain] STUDY...` shows stored rigour
 * grades with their traces; `whatworks regrade` recomputes every grade under
 * the current rules and reports what moved, from what to what, and why.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_grade(const cli_global *g, int argc, char **argv)
{
    ww_db *db = NULL;
    ww_format fmt = cli_default_format();
    int64_t *ids = NULL;
    size_t n = 0;
    int explain = 0, error;

    if (!(ids = calloc((size_t)argc, sizeof *ids))) return cli_fail(WW_ENOMEM);
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            printf("usage: whatworks grade [--explain] [--format table|json|csv] STUDY...\n\n"
                   "Show the rigour grade of studies (their ids are printed by `whatworks show`):\n"
                   "level 0-5, Maryland SMS level, WWC rating and the rules version (%s).\n"
                   "--explain adds every step of the grade's trace and what would raise it.\n"
                   "The rules are documented in docs/rigour.md. Opens the database read-only\n"
                   "and writes nothing (docs/database.md).\n",
                   ww_rules_version());
            free(ids);
            return 0;
        } else if (strcmp(argv[i], "--explain") == 0) {
            explain = 1;
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            if (ww_format_parse(&fmt, argv[++i]) < 0) {
                free(ids);
                return cli_usage_error("grade", "%s", ww_error_last());
            }
        } else {
            char *end;
            long long v = strtoll(argv[i], &end, 10);
            if (*end || v <= 0 || end == argv[i]) {
                free(ids);
                return cli_usage_error("grade", "'%s' is not a study id (a positive number)", argv[i]);
            }
            ids[n++] = v;
        }
    }
    if (!n) {
        free(ids);
        return cli_usage_error("grade", "name at least one study id");
    }
    if ((error = cli_open_db(&db, g, WW_DB_READONLY)) < 0 || (error = ww_grade_write(db, ids, n, explain, stdout, fmt)) < 0) {
        free(ids);
        ww_db_close(db);
        return cli_fail(error);
    }
    free(ids);
    ww_db_close(db);
    return 0;
}

int cmd_regrade(const cli_global *g, int argc, char **argv)
{
    ww_db *db = NULL;
    ww_format fmt = cli_default_format();
    int error;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            printf("usage: whatworks regrade [--format table|json|csv]\n\n"
                   "Recompute every study's rigour grade under the current rules (%s) and\n"
                   "every pooled result's certainty, in one transaction. Prints each study\n"
                   "whose grade moved: from what to what, and which step of the rules moved it.\n"
                   "Needs write access to the database and its folder (exit 73 without).\n",
                   ww_rules_version());
            return 0;
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            if (ww_format_parse(&fmt, argv[++i]) < 0) return cli_usage_error("regrade", "%s", ww_error_last());
        } else {
            return cli_usage_error("regrade", "unexpected argument '%s'", argv[i]);
        }
    }
    if ((error = cli_open_db(&db, g, 0)) < 0 || (error = ww_regrade(db, stdout, fmt, NULL)) < 0) {
        ww_db_close(db);
        return cli_fail(error);
    }
    ww_db_close(db);
    return 0;
}
