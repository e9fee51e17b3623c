/*
 * cmd_issues.c — `whatworks issues`: list the presenting-issue taxonomy.
 */
#include <string.h>

#include "cli.h"

int cmd_issues(const cli_global *g, int argc, char **argv)
{
    ww_db *db = NULL;
    ww_format fmt = cli_default_format();
    int error;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            puts("usage: whatworks issues [--format table|json|csv]\n\n"
                 "List the presenting issues queries understand: slug, parent, label, the\n"
                 "outcome domains that answer each, the search terms (synonyms, everyday\n"
                 "words) it expands to, and the words of outcome names that measure it.\n"
                 "UK and US spellings are one word to every query (docs/taxonomy.md).\n"
                 "Opens the database read-only and writes nothing (docs/database.md).");
            return 0;
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            if (ww_format_parse(&fmt, argv[++i]) < 0) return cli_usage_error("issues", "%s", ww_error_last());
        } else {
            return cli_usage_error("issues", "unexpected argument '%s'", argv[i]);
        }
    }
    if ((error = cli_open_db(&db, g, WW_DB_READONLY)) < 0) return cli_fail(error);
    error = ww_issues_write(db, stdout, fmt);
    ww_db_close(db);
    return error < 0 ? cli_fail(error) : 0;
}
