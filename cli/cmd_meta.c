/*
 * cmd_meta.c — `whatworks meta`: a meta-analysis of a CSV of studies, with
 * no database. The work is the library's (ww_meta_run(), whatworks.h): this
 * file turns the arguments into options, prints every problem the library
 * found as FILE:LINE: column: problem (exit 65) and writes the result as
 * JSON (schema whatworks/meta/1, docs/meta.md), a table or CSV.
 */
#include <string.h>

#include "cli.h"

/* At most this many problems are printed; the rest are counted. */
#define META_MAX_PROBLEMS 100

static const char usage_text[] =
    "usage: whatworks meta --input FILE.csv --measure M [--method X] [--knha]\n"
    "                      [--format json|table|csv] [--subgroup COLUMN]\n"
    "                      [--trimfill] [--leave-one-out]\n"
    "\n"
    "Meta-analysis of the studies in a CSV file, matching R's metafor (and RevMan\n"
    "for Mantel-Haenszel and Peto). Columns are found by their header name; group 1\n"
    "is the intervention, group 2 the comparison:\n"
    "\n"
    "  --measure GEN    study,yi,vi             an effect and its sampling variance\n"
    "  --measure SMD    study,m1,sd1,n1,m2,sd2,n2   Hedges' g\n"
    "  --measure MD     study,m1,sd1,n1,m2,sd2,n2   mean difference\n"
    "  --measure OR|RR|RD  study,ai,bi,ci,di    events / non-events per group, or\n"
    "                   study,e1,n1,e2,n2       events / totals (OR, RR: log scale)\n"
    "  --measure ZCOR   study,r,n               Fisher's z of a correlation\n"
    "\n"
    "  --method X       FE, MH (Mantel-Haenszel: OR, RR, RD), PETO (OR), or a\n"
    "                   random-effects tau^2 estimator: DL, REML (default), PM,\n"
    "                   HE, SJ\n"
    "  --knha           Hartung-Knapp adjustment: t test on k-1 df (random effects)\n"
    "  --format F       json (default when not a terminal), table, csv\n"
    "  --subgroup COL   pool within the groups of column COL and test Q-between\n"
    "  --trimfill       Duval & Tweedie trim and fill (L0)\n"
    "  --leave-one-out  the pooled result without each study in turn\n"
    "\n"
    "JSON schema whatworks/meta/1, described in docs/meta.md. Exit status: 0; 64\n"
    "usage; 65 bad data (each problem as FILE:LINE: column: problem); 66 no input.";

/* Print the problems ww_meta_run() found, or its error; the exit status. */
static int report(const ww_meta_analysis *a, const char *input, int error)
{
    size_t n = ww_meta_analysis_diag_count(a);
    if (n == 0) {
        /* A pooling failure names the file already; the rest do not. */
        fprintf(stderr, error == WW_EDATA ? "%s\n" : "whatworks meta: %s\n", ww_error_last());
        return ww_error_exit_status(error);
    }
    for (size_t i = 0; i < n && i < META_MAX_PROBLEMS; i++) {
        const ww_diag *d = ww_meta_analysis_diag(a, i);
        if (d->line > 0)
            fprintf(stderr, "%s:%ld: %s: %s\n", d->file, d->line, d->field, d->message);
        else
            fprintf(stderr, "%s: %s\n", d->file, d->message);
    }
    if (n > META_MAX_PROBLEMS)
        fprintf(stderr, "%s: %zu more problems not shown\n", input, n - META_MAX_PROBLEMS);
    return ww_error_exit_status(error);
}

int cmd_meta(const cli_global *g, int argc, char **argv)
{
    const char *input = NULL, *measure_name = NULL, *method_name = "REML";
    ww_meta_opts opts = WW_META_OPTS_INIT;
    ww_format fmt = cli_default_format();
    ww_meta_analysis *a = NULL;
    int error, status = 0;

    (void)g;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int has_value = i + 1 < argc;
        if (cli_is_help(arg)) {
            puts(usage_text);
            return 0;
        } else if (strcmp(arg, "--input") == 0 && has_value) {
            input = argv[++i];
        } else if (strcmp(arg, "--measure") == 0 && has_value) {
            measure_name = argv[++i];
        } else if (strcmp(arg, "--method") == 0 && has_value) {
            method_name = argv[++i];
        } else if (strcmp(arg, "--format") == 0 && has_value) {
            if (ww_format_parse(&fmt, argv[++i]) < 0)
                return cli_usage_error("meta", "%s", ww_error_last());
        } else if (strcmp(arg, "--subgroup") == 0 && has_value) {
            opts.subgroup_column = argv[++i];
        } else if (strcmp(arg, "--knha") == 0) {
            opts.knha = 1;
        } else if (strcmp(arg, "--trimfill") == 0) {
            opts.trimfill = 1;
        } else if (strcmp(arg, "--leave-one-out") == 0) {
            opts.leave_one_out = 1;
        } else if (!has_value && (strcmp(arg, "--input") == 0 || strcmp(arg, "--measure") == 0 ||
                                  strcmp(arg, "--method") == 0 || strcmp(arg, "--format") == 0 ||
                                  strcmp(arg, "--subgroup") == 0)) {
            return cli_usage_error("meta", "%s needs a value", arg);
        } else {
            return cli_usage_error("meta", "unexpected argument '%s'", arg);
        }
    }
    if (!input) return cli_usage_error("meta", "--input FILE.csv is required");
    if (!measure_name)
        return cli_usage_error("meta", "--measure is required (GEN, SMD, MD, OR, RR, RD or ZCOR)");
    if (ww_meta_measure_parse(&opts.measure, measure_name) < 0 ||
        ww_meta_method_parse(&opts.method, method_name) < 0)
        return cli_usage_error("meta", "%s", ww_error_last());

    if ((error = ww_meta_run(&a, input, &opts)) == WW_EUSAGE) {
        status = cli_usage_error("meta", "%s", ww_error_last());
    } else if (error < 0) {
        status = report(a, input, error);
    } else if ((error = ww_meta_analysis_write(a, stdout, fmt)) < 0) {
        fprintf(stderr, "whatworks meta: %s\n", ww_error_last());
        status = ww_error_exit_status(error);
    }
    ww_meta_analysis_free(a);
    return status;
}
