/*
 * cmd_show.c — `whatworks show INTERVENTION`: the studies and effects
 * behind one intervention, with provenance.
 */
#include <string.h>

#include "cli.h"

int cmd_show(const cli_global *g, int argc, char **argv)
{
    ww_db *db = NULL;
    ww_format fmt = cli_default_format();
    const char *name = NULL;
    ww_show_opts opts = {0};
    int error;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            puts("usage: whatworks show INTERVENTION [--include-flagged] [--format table|json|csv]\n\n"
                 "The evidence behind one intervention (its slug, as `query` prints it, or\n"
                 "its name): each study with its design, and each effect with its metric,\n"
                 "95% CI, participants and where in the source it came from. An effect\n"
                 "flagged as implausible is listed with its reason and left out of the\n"
                 "pooled results; a variance widened for clustering says by how much.\n"
                 "Opens the database read-only and writes nothing (docs/database.md).\n\n"
                 "  --include-flagged  show the pooled results with the flagged effects in");
            return 0;
        } else if (strcmp(argv[i], "--include-flagged") == 0) {
            opts.include_flagged = 1;
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            if (ww_format_parse(&fmt, argv[++i]) < 0) return cli_usage_error("show", "%s", ww_error_last());
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error("show", "unknown option '%s'", argv[i]);
        } else if (!name) {
            name = argv[i];
        } else {
            return cli_usage_error("show", "one intervention at a time");
        }
    }
    if (!name) return cli_usage_error("show", "name an intervention");
    if ((error = cli_open_db(&db, g, WW_DB_READONLY)) < 0) return cli_fail(error);
    error = ww_show_write_opts(db, name, stdout, fmt, &opts);
    ww_db_close(db);
    return error < 0 ? cli_fail(error) : 0;
}
