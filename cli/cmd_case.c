/*
 * cmd_case.c — `whatworks case`: the business case of a stored intervention,
 * or of the flows in a CSV file (no database needed): PV costs and benefits
 * by agency, NPV, BCR, ROI, payback year and a seeded Monte Carlo of the
 * chance the case pays (docs/case.md). Bad rows in a flows file are all
 * reported as FILE:LINE: column: problem, then the command exits 65.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: whatworks case INTERVENTION|--flows FILE.csv [--participants N] [--horizon Y]\n"
    "                      [--discount-schedule S] [--price-year Y] [--optimism-bias]\n"
    "                      [--no-optimism-bias] [--deadweight PCT] [--attribution PCT]\n"
    "                      [--drop-off PCT] [--draws N] [--seed S] [--domain D]\n"
    "                      [--effect EST --effect-se SE] [--format table|json|csv]\n"
    "\n"
    "A business case: what an intervention costs, what it saves, and whose budget\n"
    "gains. Every amount is put in one price base with HM Treasury's GDP deflators,\n"
    "discounted, and summed per agency (who pays, who gains).\n"
    "\n"
    "  INTERVENTION          a stored intervention (slug or exact name): its cost per\n"
    "                        participant, benefit streams and pooled effect\n"
    "  --flows FILE.csv      flows from a CSV instead, with the columns agency, kind\n"
    "                        (cost or benefit), first_year, last_year (year 0 is the\n"
    "                        first year), amount (per participant per year), price_year\n"
    "                        (2019 or 2008/09), confidence (1-6, or empty); optional\n"
    "                        low, high (a 90% range), value_type (fiscal, economic,\n"
    "                        social), item (what it is), unit_cost (a stored unit\n"
    "                        cost's code, e.g. SS15.0, standing in for amount,\n"
    "                        price_year and an empty agency) and quantity (how many\n"
    "                        of that unit, default 1)\n"
    "  --participants N      totals for N participants (default 1)\n"
    "  --horizon Y           count years 0 to Y-1 (default: to the last flow's end)\n"
    "  --discount-schedule S greenbook (default: 3.5% in years 0-30, 3.0% to 75, ...),\n"
    "                        health (1.5% in years 0-30, ...), or flat:RATE (percent)\n"
    "  --price-year Y        the price base (default: the deflator series' last year)\n"
    "  --optimism-bias       raise costs and cut benefits by the confidence grade's\n"
    "                        0/5/10/15/25/40% (unverified figures: off by default)\n"
    "  --no-optimism-bias    leave it off (the default)\n"
    "  --deadweight PCT      % of benefits that would have happened anyway (default 0)\n"
    "  --attribution PCT     % of benefits owed to others (default 0)\n"
    "  --drop-off PCT        % a benefit falls each year after its first (default 0)\n"
    "  --draws N             Monte Carlo draws (default 10000; 0: none)\n"
    "  --seed S              random seed, 0 to 4294967295 (default 0); same seed, same\n"
    "                        numbers\n"
    "  --domain D            the outcome domain whose pooled effect is used (default:\n"
    "                        the one with most studies)\n"
    "  --effect EST --effect-se SE   the effect (SMD) and its standard error to use\n"
    "                        instead of a stored one\n"
    "  --format F            table (default on a terminal), json (schema\n"
    "                        whatworks/case/1), csv (one row per agency per year)\n"
    "\n"
    "Exit status: 0; 64 usage; 65 bad data (each problem as FILE:LINE: column:\n"
    "problem); 66 no such intervention or file, or no database. The database is\n"
    "opened read-only and nothing is written to it (docs/database.md).";

/* A whole argument as a number, or -1. */
static int parse_long_arg(long *out, const char *s)
{
    char *end;
    long v;
    if (!*s) return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (*end || errno == ERANGE) return -1;
    *out = v;
    return 0;
}

static int parse_double_arg(double *out, const char *s)
{
    char *end;
    double v;
    if (!*s || strpbrk(s, "nNiIxX")) return -1;
    errno = 0;
    v = strtod(s, &end);
    if (*end || errno == ERANGE) return -1;
    *out = v;
    return 0;
}

static int parse_pct(double *out, const char *opt, const char *s)
{
    if (parse_double_arg(out, s) < 0 || *out < 0 || *out > 100)
        return cli_usage_error("case", "%s needs a percentage from 0 to 100, got '%s'", opt, s);
    return 0;
}

int cmd_case(const cli_global *g, int argc, char **argv)
{
    const char *flows = NULL, *intervention = NULL;
    ww_format fmt = cli_default_format();
    ww_case_opts opts;
    ww_case_result *res = NULL;
    ww_db *db = NULL;
    int have_est = 0, have_se = 0, error, status = 0;

    memset(&opts, 0, sizeof opts);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (cli_is_help(arg)) {
            puts(usage_text);
            return 0;
        } else if (strcmp(arg, "--optimism-bias") == 0) {
            opts.optimism_bias = 1;
            continue;
        } else if (strcmp(arg, "--no-optimism-bias") == 0) {
            opts.optimism_bias = 0;
            continue;
        } else if (arg[0] != '-' || arg[1] == '\0') {
            if (intervention) return cli_usage_error("case", "unexpected argument '%s'", arg);
            intervention = arg;
            continue;
        }
        if (!val) return cli_usage_error("case", "%s needs a value (or is unknown)", arg);
        i++;
        if (strcmp(arg, "--flows") == 0) {
            flows = val;
        } else if (strcmp(arg, "--participants") == 0) {
            if (parse_long_arg(&n, val) < 0 || n < 1)
                return cli_usage_error("case", "--participants needs a whole number >= 1, got '%s'",
                                       val);
            opts.participants = n;
        } else if (strcmp(arg, "--horizon") == 0) {
            if (parse_long_arg(&n, val) < 0 || n < 1 || n > 1000)
                return cli_usage_error("case", "--horizon needs 1 to 1000 years, got '%s'", val);
            opts.horizon_years = (int)n;
        } else if (strcmp(arg, "--discount-schedule") == 0) {
            opts.discount_schedule = val;
        } else if (strcmp(arg, "--price-year") == 0) {
            if (parse_long_arg(&n, val) < 0 || n < 1 || n > 9999)
                return cli_usage_error("case", "--price-year needs a calendar year, got '%s'", val);
            opts.price_year = (int)n;
        } else if (strcmp(arg, "--deadweight") == 0) {
            if ((status = parse_pct(&opts.deadweight_pct, arg, val)) != 0) return status;
        } else if (strcmp(arg, "--attribution") == 0) {
            if ((status = parse_pct(&opts.attribution_pct, arg, val)) != 0) return status;
        } else if (strcmp(arg, "--drop-off") == 0) {
            if ((status = parse_pct(&opts.dropoff_pct, arg, val)) != 0) return status;
        } else if (strcmp(arg, "--draws") == 0) {
            if (parse_long_arg(&n, val) < 0 || n < 0 || n > 10000000)
                return cli_usage_error("case", "--draws needs 0 to 10000000, got '%s'", val);
            opts.draws = n == 0 ? -1 : n;
        } else if (strcmp(arg, "--seed") == 0) {
            if (parse_long_arg(&n, val) < 0 || n < 0 || n > 4294967295L)
                return cli_usage_error("case", "--seed needs 0 to 4294967295, got '%s'", val);
            opts.seed = (unsigned long)n;
        } else if (strcmp(arg, "--domain") == 0) {
            opts.domain = val;
        } else if (strcmp(arg, "--effect") == 0) {
            if (parse_double_arg(&opts.effect_estimate, val) < 0)
                return cli_usage_error("case", "--effect needs a number, got '%s'", val);
            have_est = 1;
        } else if (strcmp(arg, "--effect-se") == 0) {
            if (parse_double_arg(&opts.effect_se, val) < 0 || !(opts.effect_se > 0))
                return cli_usage_error("case", "--effect-se needs a number > 0, got '%s'", val);
            have_se = 1;
        } else if (strcmp(arg, "--format") == 0) {
            if (ww_format_parse(&fmt, val) < 0)
                return cli_usage_error("case", "%s", ww_error_last());
        } else {
            return cli_usage_error("case", "unknown option '%s'", arg);
        }
    }
    if (have_est != have_se) return cli_usage_error("case", "--effect and --effect-se go together");
    opts.have_effect = have_est;
    if (!flows == !intervention)
        return cli_usage_error("case",
                               "name an intervention or give --flows FILE.csv (one of them)");
    if (flows && opts.domain)
        return cli_usage_error("case",
                               "--domain needs a stored intervention; with --flows give --effect");

    if (flows) {
        /* A flows file may name stored unit costs; the database is read when
         * there is one, and a flow naming a unit cost without it is a problem. */
        if (cli_open_db(&db, g, WW_DB_READONLY) < 0) {
            ww_error_clear();
            db = NULL;
        }
        opts.db = db;
        error = ww_case_run_flows(&res, flows, &opts);
    } else {
        if ((error = cli_open_db(&db, g, WW_DB_READONLY)) < 0) return cli_fail(error);
        error = ww_case_run(&res, db, intervention, &opts);
    }
    if (error < 0) {
        size_t n = ww_case_result_diag_count(res);
        if (n == 0) {
            status = cli_fail(error);
        } else {
            for (size_t i = 0; i < n; i++) {
                const ww_diag *d = ww_case_result_diag(res, i);
                fprintf(stderr, "%s:%ld: %s: %s\n", d->file, d->line, d->field, d->message);
            }
            status = ww_error_exit_status(error);
        }
        goto done;
    }
    if ((error = ww_case_result_write(res, stdout, fmt)) < 0) status = cli_fail(error);
done:
    ww_case_result_free(res);
    ww_db_close(db);
    return status;
}
