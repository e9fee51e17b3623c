/*
 * plan.c — MDES and sample sizes for pilots (plan.h; docs/plan.md states
 * the formulas and their sources). The multiplier uses central t quantiles
 * (Bloom 1995): the MDES is the true effect at which a two-sided t test of
 * level alpha rejects with probability `power`, approximating the
 * noncentral t by a shifted central t. R's pwr.t.test solves the
 * noncentral t exactly: at alpha 0.05 the two agree within 0.07% from 10
 * people per arm; at alpha 0.01 the shift understates the MDES by up to 1.2%
 * at 10 per arm, under 0.1% from 100 (tests/fixtures/plan/reference.tsv,
 * tests/test_plan.c). Sample sizes are the smallest whole
 * numbers whose MDES is at most the target, found by doubling then
 * bisection (the MDES falls monotonically in n, J and m).
 */
#include <math.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "../util/util.h"
#include "plan.h"

/* A target MDES is met when the design's MDES is no larger, allowing for
 * rounding in the last bits (a sample solved from an MDES gives it back). */
#define MET(mdes, target) ((mdes) <= (target) * (1 + 1e-12))

int ww_plan_check(const ww_plan_design *d)
{
    if (!d) return ww__error(WW_EUSAGE, "no design given");
    if (!(d->alpha > 0 && d->alpha < 1))
        return ww__error(WW_EUSAGE, "alpha %g must be between 0 and 1", d->alpha);
    if (!(d->power > 0 && d->power < 1))
        return ww__error(WW_EUSAGE, "power %g must be between 0 and 1", d->power);
    /* A two-sided test of level alpha rejects with probability alpha when
     * the effect is nil; power at or below it asks for no effect at all. */
    if (!(d->power > d->alpha))
        return ww__error(WW_EUSAGE, "power %g must be greater than alpha %g", d->power, d->alpha);
    if (!(d->treated_share > 0 && d->treated_share < 1))
        return ww__error(WW_EUSAGE, "treated share %g must be between 0 and 1", d->treated_share);
    if (!(d->r2_individual >= 0 && d->r2_individual < 1))
        return ww__error(WW_EUSAGE, "R-squared %g must be in [0, 1)", d->r2_individual);
    if (d->covariates < 0)
        return ww__error(WW_EUSAGE, "covariates %d must not be negative", d->covariates);
    if (d->clustered) {
        if (!(d->r2_cluster >= 0 && d->r2_cluster < 1))
            return ww__error(WW_EUSAGE, "cluster-level R-squared %g must be in [0, 1)",
                             d->r2_cluster);
        /* rho = 1 would make every member of a cluster the same person. */
        if (!(d->icc >= 0 && d->icc < 1))
            return ww__error(WW_EUSAGE, "ICC %g must be in [0, 1)", d->icc);
    }
    return 0;
}

int ww_plan_multiplier(double *out, double alpha, double power, double df)
{
    if (!(df >= 1)) return ww__error(WW_EUSAGE, "%g degrees of freedom: at least 1 is needed", df);
    *out = gsl_cdf_tdist_Pinv(1 - alpha / 2, df) + gsl_cdf_tdist_Pinv(power, df);
    return 0;
}

static double share_term(const ww_plan_design *d)
{
    return d->treated_share * (1 - d->treated_share);
}

int ww_plan_mdes_individual(ww_plan_mdes *out, const ww_plan_design *d, double n_analysed)
{
    int error;
    if ((error = ww_plan_check(d)) < 0) return error;
    memset(out, 0, sizeof *out);
    out->df = n_analysed - d->covariates - 2;
    if (!(out->df >= 1))
        return ww__error(WW_EUSAGE,
                         "n %g leaves no degrees of freedom: at least %d people are needed "
                         "(2 plus one per covariate, plus 1)",
                         n_analysed, d->covariates + 3);
    if ((error = ww_plan_multiplier(&out->multiplier, d->alpha, d->power, out->df)) < 0)
        return error;
    out->se = sqrt((1 - d->r2_individual) / (share_term(d) * n_analysed));
    out->mdes = out->multiplier * out->se;
    return 0;
}

int ww_plan_mdes_cluster(ww_plan_mdes *out, const ww_plan_design *d, double clusters,
                         double cluster_size)
{
    double pq, between, within;
    int error;
    if ((error = ww_plan_check(d)) < 0) return error;
    if (!d->clustered) return ww__error(WW_EUSAGE, "not a cluster design");
    memset(out, 0, sizeof *out);
    out->df = clusters - d->covariates - 2;
    if (!(out->df >= 1))
        return ww__error(WW_EUSAGE,
                         "%g clusters leave no degrees of freedom: at least %d are needed "
                         "(2 plus one per cluster-level covariate, plus 1)",
                         clusters, d->covariates + 3);
    if (!(cluster_size >= 1))
        return ww__error(WW_EUSAGE, "cluster size %g must be at least 1", cluster_size);
    if ((error = ww_plan_multiplier(&out->multiplier, d->alpha, d->power, out->df)) < 0)
        return error;
    pq = share_term(d);
    between = d->icc * (1 - d->r2_cluster) / (pq * clusters);
    within = (1 - d->icc) * (1 - d->r2_individual) / (pq * clusters * cluster_size);
    out->se = sqrt(between + within);
    out->mdes = out->multiplier * out->se;
    return 0;
}

/* The MDES at size x of the quantity being searched for. */
typedef int (*mdes_at_fn)(double *out, const ww_plan_design *d, double x, double fixed);

static int at_n(double *out, const ww_plan_design *d, double n, double unused)
{
    ww_plan_mdes m = {NAN, NAN, NAN, NAN};
    int error = ww_plan_mdes_individual(&m, d, n);
    *out = m.mdes;
    return error;
}

static int at_clusters(double *out, const ww_plan_design *d, double j, double size)
{
    ww_plan_mdes m = {NAN, NAN, NAN, NAN};
    int error = ww_plan_mdes_cluster(&m, d, j, size);
    *out = m.mdes;
    return error;
}

static int at_size(double *out, const ww_plan_design *d, double size, double j)
{
    ww_plan_mdes m = {NAN, NAN, NAN, NAN};
    int error = ww_plan_mdes_cluster(&m, d, j, size);
    *out = m.mdes;
    return error;
}

/* The smallest whole x >= lo with mdes(x) <= target: double until met,
 * then bisect. */
static int smallest(long *out, mdes_at_fn f, const ww_plan_design *d, double fixed, long lo,
                    double target, const char *what)
{
    long hi = lo, bad;
    double m = NAN;
    int error;
    if (!(target > 0 && isfinite(target)))
        return ww__error(WW_EUSAGE, "the effect to detect must be a number > 0, got %g", target);
    if ((error = f(&m, d, (double)lo, fixed)) < 0) return error;
    if (MET(m, target)) {
        *out = lo;
        return 0;
    }
    for (;;) {
        bad = hi;
        if (hi >= WW_PLAN_MAX_N)
            return ww__error(WW_EDATA, "detecting %g needs more than %ld %s", target, WW_PLAN_MAX_N,
                             what);
        hi = hi > WW_PLAN_MAX_N / 2 ? WW_PLAN_MAX_N : 2 * hi;
        if ((error = f(&m, d, (double)hi, fixed)) < 0) return error;
        if (MET(m, target)) break;
    }
    /* mdes(bad) > target >= mdes(hi) */
    while (hi - bad > 1) {
        long mid = bad + (hi - bad) / 2;
        if ((error = f(&m, d, (double)mid, fixed)) < 0) return error;
        if (MET(m, target))
            hi = mid;
        else
            bad = mid;
    }
    *out = hi;
    return 0;
}

int ww_plan_n_individual(long *out, const ww_plan_design *d, double mdes)
{
    int error;
    if ((error = ww_plan_check(d)) < 0) return error;
    return smallest(out, at_n, d, 0, d->covariates + 3, mdes, "people");
}

int ww_plan_clusters_needed(long *out, const ww_plan_design *d, double cluster_size, double mdes)
{
    int error;
    if ((error = ww_plan_check(d)) < 0) return error;
    if (!d->clustered) return ww__error(WW_EUSAGE, "not a cluster design");
    if (!(cluster_size >= 1))
        return ww__error(WW_EUSAGE, "cluster size %g must be at least 1", cluster_size);
    return smallest(out, at_clusters, d, cluster_size, d->covariates + 3, mdes, "clusters");
}

int ww_plan_cluster_limit(double *out, const ww_plan_design *d, long clusters)
{
    double m = NAN;
    int error;
    if ((error = ww_plan_check(d)) < 0) return error;
    if (!d->clustered) return ww__error(WW_EUSAGE, "not a cluster design");
    if ((error = ww_plan_multiplier(&m, d->alpha, d->power, (double)clusters - d->covariates - 2)) <
        0)
        return ww__error(error, "%ld clusters leave no degrees of freedom: at least %d are needed",
                         clusters, d->covariates + 3);
    *out = m * sqrt(d->icc * (1 - d->r2_cluster) / (share_term(d) * (double)clusters));
    return 0;
}

int ww_plan_cluster_size_needed(long *out, const ww_plan_design *d, long clusters, double mdes)
{
    double limit;
    int error;
    if ((error = ww_plan_cluster_limit(&limit, d, clusters)) < 0) return error;
    if (!(mdes > 0 && isfinite(mdes)))
        return ww__error(WW_EUSAGE, "the effect to detect must be a number > 0, got %g", mdes);
    if (!(limit < mdes))
        return ww__error(WW_EDATA,
                         "%ld clusters cannot detect %.3g at any cluster size: with ICC %g "
                         "the limit is %.3g; more clusters are needed",
                         clusters, mdes, d->icc, limit);
    return smallest(out, at_size, d, (double)clusters, 1, mdes, "people per cluster");
}

void ww_plan_conservative_effect(double *out, const char **basis_out, double estimate,
                                 double ci_low, double ci_high, double pi_low, double pi_high)
{
    double lo = ci_low, hi = ci_high;
    *basis_out = "confidence interval";
    if (isfinite(pi_low) && isfinite(pi_high)) {
        lo = pi_low;
        hi = pi_high;
        *basis_out = "prediction interval";
    }
    if (!isfinite(lo) || !isfinite(hi) || !isfinite(estimate))
        *out = NAN;
    else if (lo <= 0 && hi >= 0)
        *out = 0;
    else
        *out = estimate > 0 ? lo : -hi;
}

/* WWC Procedures Handbook v4.1 (2020), the clustering correction's default
 * ICCs: 0.20 for achievement outcomes, 0.10 for behavioural, attitudinal and
 * other outcomes (the values in wwc_Findings.csv's ICC column). */
static const char *const achievement_words[] = {
    "achievement", "attainment",  "literacy",      "reading",    "math",    "numeracy",
    "science",     "alphabetics", "comprehension", "vocabulary", "writing", "language",
    "phonics",     "algebra",     "spelling",      "knowledge"};

static int is_achievement(const char *domain)
{
    if (!domain) return 0;
    for (size_t i = 0; i < sizeof achievement_words / sizeof achievement_words[0]; i++) {
        size_t n = strlen(achievement_words[i]);
        for (const char *p = domain; *p; p++)
            if (strncasecmp(p, achievement_words[i], n) == 0) return 1;
    }
    return 0;
}

void ww_plan_choose_icc(double *out, const char **source_out, const double *values, size_t n_values,
                        const char *domain)
{
    double kept[256];
    size_t n = 0;
    for (size_t i = 0; i < n_values && n < sizeof kept / sizeof kept[0]; i++)
        if (values[i] >= 0 && values[i] < 1) kept[n++] = values[i];
    if (n > 0) {
        gsl_sort(kept, 1, n);
        *out = gsl_stats_median_from_sorted_data(kept, 1, n);
        *source_out = "median of the ICCs stored with the evidence (WWC's clustering "
                      "correction)";
    } else if (is_achievement(domain)) {
        *out = 0.20;
        *source_out = "default for achievement outcomes (WWC Procedures Handbook v4.1)";
    } else {
        *out = 0.10;
        *source_out = "default for behavioural and other outcomes (WWC Procedures Handbook v4.1)";
    }
}
