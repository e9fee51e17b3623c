/*
 * cmd_show.c — `whatworks show INTERVENTION`: the studies and effects
 * behind one intervention, with provenance; with --forest and --funnel, the
 * plots of one pooled result written as SVG files.
 */
#include <string.h>

#include "cli.h"

int cmd_show(const cli_global *g, int argc, char **argv)
{
    ww_db *db = NULL;
    ww_format fmt = cli_default_format();
    const char *name = NULL;
    ww_show_opts opts = {0};
    ww_plot_opts plots = {0};
    int error;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            puts("usage: whatworks show INTERVENTION [--include-flagged] [--format table|json|csv]\n"
                 "                      [--forest FILE.svg] [--funnel FILE.svg] [--domain D]\n\n"
                 "The evidence behind one intervention (its slug, as `query` prints it, or\n"
                 "its name): each study with its design, and each effect with its metric,\n"
                 "95% CI, participants and where in the source it came from. An effect\n"
                 "flagged as implausible is listed with its reason and left out of the\n"
                 "pooled results; a variance widened for clustering says by how much.\n"
                 "Opens the database read-only; writes nothing but the plot files asked for.\n\n"
                 "  --include-flagged  show the pooled results with the flagged effects in\n"
                 "  --forest FILE.svg  also draw the forest plot of one pooled result: each\n"
                 "                     study's SMD (positive = beneficial) and 95% CI, box by\n"
                 "                     weight, the pooled diamond and the prediction interval\n"
                 "  --funnel FILE.svg  also draw its funnel plot: SMD against standard error,\n"
                 "                     pseudo-95% limits, Egger's line from 10 studies\n"
                 "  --domain D         the outcome domain to draw (default: the one with the\n"
                 "                     most studies, listed first under 'pooled')\n"
                 "  --format F         table (default on a terminal), json (default otherwise), csv\n"
                 "The plots are SVG 1.1 for a browser at 800 px; docs/plots.md says how to read\n"
                 "them. The line saying what was written goes to standard error.");
            return 0;
        } else if (strcmp(argv[i], "--include-flagged") == 0) {
            opts.include_flagged = 1;
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            if (ww_format_parse(&fmt, argv[++i]) < 0) return cli_usage_error("show", "%s", ww_error_last());
        } else if (strcmp(argv[i], "--forest") == 0 && i + 1 < argc) {
            plots.forest_path = argv[++i];
        } else if (strcmp(argv[i], "--funnel") == 0 && i + 1 < argc) {
            plots.funnel_path = argv[++i];
        } else if (strcmp(argv[i], "--domain") == 0 && i + 1 < argc) {
            plots.domain = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error("show", "unknown option '%s'", argv[i]);
        } else if (!name) {
            name = argv[i];
        } else {
            return cli_usage_error("show", "one intervention at a time");
        }
    }
    if (!name) return cli_usage_error("show", "name an intervention");
    if (plots.domain && !plots.forest_path && !plots.funnel_path)
        return cli_usage_error("show", "--domain chooses what --forest and --funnel draw");
    if ((error = cli_open_db(&db, g, WW_DB_READONLY)) < 0) return cli_fail(error);
    error = ww_show_write_opts(db, name, stdout, fmt, &opts);
    if (error == 0 && (plots.forest_path || plots.funnel_path))
        error = ww_show_plots(db, name, &plots, stderr);
    ww_db_close(db);
    return error < 0 ? cli_fail(error) : 0;
}
