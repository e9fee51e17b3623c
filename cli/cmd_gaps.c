/*
 * cmd_gaps.c — `whatworks gaps ISSUE`: the outcome domains and populations
 * of a presenting issue with no or only weak evidence, and the
 * interventions with effects but no cost data: where a pilot would add most.
 */
#include <string.h>

#include "cli.h"

int cmd_gaps(const cli_global *g, int argc, char **argv)
{
    ww_db *db = NULL;
    ww_format fmt = cli_default_format();
    const char *text = NULL;
    int error;

    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            puts("usage: whatworks gaps ISSUE [--format table|json|csv]\n\n"
                 "Where the evidence on a presenting issue (e.g. `truancy`) is missing or\n"
                 "weak, so a commissioner can see where to fund a pilot:\n"
                 "  - the issue's outcome domains, and the pooled domains that answer it,\n"
                 "    with no pooled effect or none above low certainty;\n"
                 "  - the populations the matching interventions were studied with, the same;\n"
                 "  - interventions with effects on the issue but no cost data (no business\n"
                 "    case can be made for them).\n"
                 "The issue is expanded and matched as `whatworks query` does; only reviewed\n"
                 "evidence counts. JSON schema: whatworks/gaps/1 (docs/json.md).\n"
                 "Opens the database read-only and writes nothing (docs/database.md).\n\n"
                 "  --format F   table (default on a terminal), json (default otherwise), csv");
            return 0;
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            if (ww_format_parse(&fmt, argv[++i]) < 0)
                return cli_usage_error("gaps", "%s", ww_error_last());
        } else if (strcmp(argv[i], "--") == 0 && i + 1 < argc && !text) {
            text = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            return cli_usage_error("gaps", "unknown option '%s'", argv[i]);
        } else if (!text) {
            text = argv[i];
        } else {
            return cli_usage_error("gaps",
                                   "one issue at a time (quote a phrase: \"school absence\")");
        }
    }
    if (!text) return cli_usage_error("gaps", "name a presenting issue, e.g. truancy");
    if ((error = cli_open_db(&db, g, WW_DB_READONLY)) < 0) return cli_fail(error);
    error = ww_gaps_write(db, text, stdout, fmt);
    ww_db_close(db);
    return error < 0 ? cli_fail(error) : 0;
}
