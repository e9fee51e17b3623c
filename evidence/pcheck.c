/*
 * pcheck.c — statcheck's consistency rules for reported p-values (see
 * pcheck.h for the rules and their sources). The importer for evaluation
 * reports (importers/report.c) extracts t, F, r, z, chi-square and Q
 * results from text and asks this file whether each reported p fits its
 * statistic; tests/test_extract.c checks the verdicts against statcheck's
 * hand-coded test sets.
 *
 * Every input is checked before GSL sees it, so GSL's default error handler
 * (which aborts) is never reached.
 *
 * One deliberate difference from statcheck 1.x: for t, r and z a statistic
 * printed as 0 (e.g. "t(19) = 0.0") stands for an interval that contains 0,
 * where the two-tailed p is 1; statcheck takes the p at the interval's
 * outer end (0.96 for 0.0 +- 0.05) as the largest possible p and would call
 * "p = 1.00" inconsistent. Here the largest possible p is 1.
 */
#include <math.h>
#include <stddef.h>

#include <gsl/gsl_cdf.h>

#include "../util/util.h"
#include "pcheck.h"

/* No report has more degrees of freedom; GSL's tail series are not meant
 * for far more. */
#define PCHECK_MAX_DF 1e7
/* Decimals beyond this are not a printed statistic. */
#define PCHECK_MAX_DECIMALS 15

const char *ww_ptest_name(ww_ptest test)
{
    switch (test) {
    case WW_PTEST_T: return "t";
    case WW_PTEST_F: return "F";
    case WW_PTEST_R: return "r";
    case WW_PTEST_Z: return "z";
    case WW_PTEST_CHI2: return "chi2";
    case WW_PTEST_Q: return "Q";
    }
    return NULL;
}

const char *ww_pcmp_name(ww_pcmp cmp)
{
    switch (cmp) {
    case WW_PCMP_EQ: return "=";
    case WW_PCMP_LT: return "<";
    case WW_PCMP_GT: return ">";
    case WW_PCMP_NS: return "ns";
    }
    return NULL;
}

static int df_ok(double df)
{
    return isfinite(df) && df > 0 && df <= PCHECK_MAX_DF;
}

/* Two-tailed p of |t| with df. */
static double t_two_tailed(double t, double df)
{
    return 2 * gsl_cdf_tdist_Q(fabs(t), df);
}

double ww_pcheck_pvalue(ww_ptest test, double stat, double df1, double df2)
{
    if (isnan(stat)) return NAN;
    switch (test) {
    case WW_PTEST_T:
        if (!df_ok(df1)) return NAN;
        if (isinf(stat)) return 0;
        return t_two_tailed(stat, df1);
    case WW_PTEST_R: {
        double r = fabs(stat);
        if (!df_ok(df1) || r > 1) return NAN;
        if (r == 1) return 0;
        /* statcheck's r2t: t = r / sqrt((1 - r^2) / df) */
        return t_two_tailed(r / sqrt((1 - r * r) / df1), df1);
    }
    case WW_PTEST_Z:
        if (isinf(stat)) return 0;
        return 2 * gsl_cdf_ugaussian_Q(fabs(stat));
    case WW_PTEST_F:
        if (!df_ok(df1) || !df_ok(df2) || stat < 0) return NAN;
        if (isinf(stat)) return 0;
        return gsl_cdf_fdist_Q(stat, df1, df2);
    case WW_PTEST_CHI2:
    case WW_PTEST_Q:
        if (!df_ok(df1) || stat < 0) return NAN;
        if (isinf(stat)) return 0;
        return gsl_cdf_chisq_Q(stat, df1);
    }
    return NAN;
}

/* x rounded to d decimals, halves away from zero (R's round() differs only
 * for values exactly halfway, which a computed p practically never is). */
static double round_to(double x, int d)
{
    double f = pow(10, d);
    return round(x * f) / f;
}

/* statcheck's error_test: is the reported p outside the range? */
static int is_inconsistent(ww_pcmp stat_cmp, ww_pcmp p_cmp, double rp, int p_dec, double low_p,
                           double up_p)
{
    if (rp <= 0) return 1; /* pZeroError: p cannot be 0 */
    switch (stat_cmp) {
    case WW_PCMP_EQ:
        if (p_cmp == WW_PCMP_EQ) return rp > round_to(up_p, p_dec) || rp < round_to(low_p, p_dec);
        if (p_cmp == WW_PCMP_LT) return rp < low_p;
        return rp > up_p;
    case WW_PCMP_LT: /* the statistic is at most the value: p at least up_p */
        if (p_cmp == WW_PCMP_EQ) return rp < round_to(up_p, p_dec);
        if (p_cmp == WW_PCMP_LT) return rp < up_p;
        return 0;
    case WW_PCMP_GT: /* the statistic is at least the value: p at most low_p */
        if (p_cmp == WW_PCMP_EQ) return rp > round_to(low_p, p_dec);
        if (p_cmp == WW_PCMP_LT) return 0;
        return rp > low_p;
    case WW_PCMP_NS: break;
    }
    return 0;
}

/* statcheck's decision_error_test with pEqualAlphaSig = TRUE. */
static int is_decision_error(ww_pcmp stat_cmp, ww_pcmp p_cmp, double rp, double cp, double a)
{
    switch (stat_cmp) {
    case WW_PCMP_EQ:
        if (p_cmp == WW_PCMP_EQ) return (rp <= a && cp > a) || (rp > a && cp <= a);
        if (p_cmp == WW_PCMP_LT) return rp <= a && cp > a;
        return rp >= a && cp <= a;
    case WW_PCMP_LT:
        if (p_cmp == WW_PCMP_GT) return 0;
        return rp <= a && cp >= a;
    case WW_PCMP_GT:
        if (p_cmp == WW_PCMP_EQ) return rp > a && cp <= a;
        if (p_cmp == WW_PCMP_LT) return 0;
        return rp >= a && cp <= a;
    case WW_PCMP_NS: break;
    }
    return 0;
}

int ww_pcheck_consistency(ww_pcheck_out *out, const ww_pcheck_in *in, double alpha)
{
    double half, lo_stat, hi_stat, rp;
    ww_pcmp p_cmp;
    int p_dec;

    if (!out || !in) return ww__error(WW_EUSAGE, "ww_pcheck_consistency: NULL argument");
    out->p = out->p_low = out->p_high = NAN;
    out->inconsistent = out->decision_error = 0;

    if (!ww_ptest_name(in->test))
        return ww__error(WW_EDATA, "unknown test statistic %d", (int)in->test);
    if (in->stat_cmp != WW_PCMP_EQ && in->stat_cmp != WW_PCMP_LT && in->stat_cmp != WW_PCMP_GT)
        return ww__error(WW_EDATA, "the statistic must be reported with =, < or >");
    if (!ww_pcmp_name(in->p_cmp))
        return ww__error(WW_EDATA, "unknown p comparison %d", (int)in->p_cmp);
    if (!(alpha > 0 && alpha < 1))
        return ww__error(WW_EDATA, "alpha: must be in (0, 1), got %g", alpha);
    if (!isfinite(in->stat)) return ww__error(WW_EDATA, "statistic: must be a finite number");
    if (in->stat_decimals < 0 || in->stat_decimals > PCHECK_MAX_DECIMALS ||
        (in->p_cmp != WW_PCMP_NS && (in->p_decimals < 0 || in->p_decimals > PCHECK_MAX_DECIMALS)))
        return ww__error(WW_EDATA, "decimals: must be 0..%d", PCHECK_MAX_DECIMALS);
    if (in->p_cmp != WW_PCMP_NS && !(in->p >= 0 && in->p <= 1))
        return ww__error(WW_EDATA, "p: must be between 0 and 1, got %g", in->p);

    switch (in->test) {
    case WW_PTEST_F:
        if (!df_ok(in->df1) || !df_ok(in->df2))
            return ww__error(WW_EDATA, "F needs two degrees of freedom > 0");
        if (in->stat < 0) return ww__error(WW_EDATA, "F cannot be negative, got %g", in->stat);
        break;
    case WW_PTEST_CHI2:
    case WW_PTEST_Q:
        if (!df_ok(in->df1))
            return ww__error(WW_EDATA, "%s needs degrees of freedom > 0", ww_ptest_name(in->test));
        if (in->stat < 0)
            return ww__error(WW_EDATA, "%s cannot be negative, got %g", ww_ptest_name(in->test),
                             in->stat);
        break;
    case WW_PTEST_T:
    case WW_PTEST_R:
        if (!df_ok(in->df1))
            return ww__error(WW_EDATA, "%s needs degrees of freedom > 0", ww_ptest_name(in->test));
        if (in->test == WW_PTEST_R && fabs(in->stat) > 1)
            return ww__error(WW_EDATA, "r must lie between -1 and 1, got %g", in->stat);
        break;
    case WW_PTEST_Z: break;
    }

    /* Rule 2: the interval the printed statistic stands for, by magnitude
     * (the sign does not change a two-tailed p). */
    half = 0.5 * pow(10, -in->stat_decimals);
    lo_stat = fabs(in->stat) - half;
    hi_stat = fabs(in->stat) + half;
    if (lo_stat < 0) lo_stat = 0; /* straddles 0: p reaches 1 (t, r, z), or F/chi2 = 0 */
    if (in->test == WW_PTEST_R && hi_stat > 1) hi_stat = 1;

    out->p = ww_pcheck_pvalue(in->test, fabs(in->stat), in->df1, in->df2);
    out->p_high = ww_pcheck_pvalue(in->test, lo_stat, in->df1, in->df2);
    out->p_low = ww_pcheck_pvalue(in->test, hi_stat, in->df1, in->df2);
    if (isnan(out->p) || isnan(out->p_low) || isnan(out->p_high))
        return ww__error(WW_EDATA, "the p-value cannot be recomputed");

    /* "ns" reads as p > alpha. */
    p_cmp = in->p_cmp;
    rp = in->p;
    p_dec = in->p_decimals;
    if (p_cmp == WW_PCMP_NS) {
        p_cmp = WW_PCMP_GT;
        rp = alpha;
        p_dec = 0;
    }
    out->inconsistent = is_inconsistent(in->stat_cmp, p_cmp, rp, p_dec, out->p_low, out->p_high);
    if (out->inconsistent)
        out->decision_error = is_decision_error(in->stat_cmp, p_cmp, rp, out->p, alpha);
    return 0;
}
