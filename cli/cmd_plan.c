/*
 * cmd_plan.c — `whatworks plan`: the minimum detectable effect of a pilot,
 * or the sample it needs, for a stored intervention (or an issue's best
 * candidates) from its pooled evidence, or for a design alone
 * (docs/plan.md). The library does the work; this file parses options.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: whatworks plan [INTERVENTION | --issue TEXT [--top K]] [--domain D]\n"
    "                      [--n N] [--clusters J] [--cluster-size M] [--icc R]\n"
    "                      [--alpha A] [--power P] [--r2 R2] [--r2-cluster R2]\n"
    "                      [--treated-share P] [--attrition A] [--mdes D] [--pooled]\n"
    "                      [--format table|json|csv]\n"
    "\n"
    "A pilot designed to find out: the smallest effect a pilot of N people can\n"
    "detect (MDES, in SDs), or the people and clusters it needs to detect the effect\n"
    "the evidence suggests, by Bloom's MDES formulas with a t multiplier.\n"
    "\n"
    "  INTERVENTION       a stored intervention (slug or exact name): its pooled\n"
    "                     effect sets the effect to detect (the end nearer zero of\n"
    "                     the 95% prediction interval, or of the CI for one study);\n"
    "                     its studies' ICCs and attrition are the defaults\n"
    "  --issue TEXT       plan for the best-ranked interventions for an issue\n"
    "  --top K            how many (1-50, default 3)\n"
    "  --domain D         the outcome domain (default: the one with most studies)\n"
    "  --n N              people recruited; without it the sample needed is given\n"
    "  --clusters J       randomise J clusters (schools, areas, ...)\n"
    "  --cluster-size M   people recruited per cluster, to work out J\n"
    "  --icc R            intraclass correlation, 0 <= R < 1 (default: the evidence's,\n"
    "                     else the domain's default: docs/plan.md)\n"
    "  --alpha A          two-sided significance level (default 0.05)\n"
    "  --power P          default 0.80\n"
    "  --r2 R2            variance explained by baseline covariates (default 0)\n"
    "  --r2-cluster R2    the same at the cluster level (default: --r2)\n"
    "  --treated-share P  share assigned to treatment (default 0.5)\n"
    "  --attrition A      share of recruits not analysed, 0 <= A < 1 (default: the\n"
    "                     evidence's, else 0)\n"
    "  --mdes D           the effect to detect (SMD), instead of the evidence's\n"
    "  --pooled           size for the pooled estimate, not its conservative end\n"
    "  --format F         table (default on a terminal), json (whatworks/plan/1), csv\n"
    "\n"
    "Exit status: 0; 64 usage or an impossible design; 65 a sample beyond reach;\n"
    "66 no such intervention, no pooled effect, or no database.";

static int number(double *out, const char *s)
{
    char *end;
    if (!*s || strpbrk(s, "nNiIxX")) return -1;
    errno = 0;
    *out = strtod(s, &end);
    return *end || errno == ERANGE ? -1 : 0;
}

static int whole(long *out, const char *s, long min)
{
    char *end;
    if (!*s) return -1;
    errno = 0;
    *out = strtol(s, &end, 10);
    return *end || errno == ERANGE || *out < min ? -1 : 0;
}

int cmd_plan(const cli_global *g, int argc, char **argv)
{
    const char *intervention = NULL, *issue = NULL;
    ww_format fmt = cli_default_format();
    ww_plan_opts o;
    ww_plan_result *res = NULL;
    ww_db *db = NULL;
    long top = 0;
    int error, status = 0, bad = 0;

    memset(&o, 0, sizeof o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(a)) {
            puts(usage_text);
            return 0;
        } else if (strcmp(a, "--pooled") == 0) {
            o.use_pooled = 1;
            continue;
        } else if (a[0] != '-' || a[1] == '\0') {
            if (intervention) return cli_usage_error("plan", "unexpected argument '%s'", a);
            intervention = a;
            continue;
        }
        if (!v) return cli_usage_error("plan", "%s needs a value (or is unknown)", a);
        i++;
        if (strcmp(a, "--issue") == 0)
            issue = v;
        else if (strcmp(a, "--domain") == 0)
            o.domain = v;
        else if (strcmp(a, "--top") == 0)
            bad = whole(&top, v, 1) < 0 || top > 50;
        else if (strcmp(a, "--n") == 0)
            bad = whole(&o.n, v, 1) < 0;
        else if (strcmp(a, "--clusters") == 0)
            bad = whole(&o.clusters, v, 1) < 0;
        else if (strcmp(a, "--cluster-size") == 0)
            bad = whole(&o.cluster_size, v, 1) < 0;
        else if (strcmp(a, "--icc") == 0)
            bad = number(&o.icc, v) < 0 || !(o.have_icc = 1);
        else if (strcmp(a, "--alpha") == 0)
            bad = number(&o.alpha, v) < 0 || !(o.alpha > 0);
        else if (strcmp(a, "--power") == 0)
            bad = number(&o.power, v) < 0 || !(o.power > 0);
        else if (strcmp(a, "--r2") == 0)
            bad = number(&o.r2, v) < 0 || !(o.have_r2 = 1);
        else if (strcmp(a, "--r2-cluster") == 0)
            bad = number(&o.r2_cluster, v) < 0 || !(o.have_r2_cluster = 1);
        else if (strcmp(a, "--treated-share") == 0)
            bad = number(&o.treated_share, v) < 0 || !(o.treated_share > 0);
        else if (strcmp(a, "--attrition") == 0)
            bad = number(&o.attrition, v) < 0 || !(o.have_attrition = 1);
        else if (strcmp(a, "--mdes") == 0)
            bad = number(&o.mdes, v) < 0 || !(o.have_mdes = 1);
        else if (strcmp(a, "--format") == 0) {
            if (ww_format_parse(&fmt, v) < 0) return cli_usage_error("plan", "%s", ww_error_last());
        } else
            return cli_usage_error("plan", "unknown option '%s'", a);
        if (bad) return cli_usage_error("plan", "%s: '%s' is not a usable value", a, v);
    }
    if (intervention && issue)
        return cli_usage_error("plan", "name an intervention or give --issue, not both");
    if (top && !issue) return cli_usage_error("plan", "--top goes with --issue");

    if (intervention || issue) {
        if ((error = cli_open_db(&db, g, WW_DB_READONLY)) < 0) return cli_fail(error);
        error = issue ? ww_plan_issue(&res, db, issue, (int)top, &o)
                      : ww_plan_run(&res, db, intervention, &o);
    } else {
        error = ww_plan_run(&res, NULL, NULL, &o);
    }
    if (error == WW_EUSAGE) {
        status = cli_usage_error("plan", "%s", ww_error_last());
        goto done;
    }
    if (error < 0 || (error = ww_plan_result_write(res, stdout, fmt)) < 0) status = cli_fail(error);
done:
    ww_plan_result_free(res);
    ww_db_close(db);
    return status;
}
