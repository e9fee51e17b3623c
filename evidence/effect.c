/*
 * effect.c — effect sizes and sampling variances from the raw statistics a
 * study reports, computed as R's metafor escalc() computes them (metafor
 * 3.8, defaults add=1/2, to="only0", drop00=FALSE, vtype="LS"), so a
 * meta-analysis here and one in metafor start from the same yi and vi.
 * Pure arithmetic on doubles: no I/O, no allocation. The gamma function and
 * the normal distribution come from GSL.
 *
 * Every input is checked before any arithmetic, so GSL never sees an
 * argument outside its domain (its default error handler would abort) and a
 * caller always receives WW_EDATA with a message naming the offending field.
 */
#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>

#include "../util/util.h"
#include "effect.h"

/* M_PI is not ISO C. */
#define WW_PI 3.14159265358979323846

/* ---- validation ---------------------------------------------------------- */

/* Each check returns 0 or WW_EDATA with "field: must be ..., got x". The
 * field names are the ones the header documents (sd_treatment, ...). */

static int check_finite(const char *field, double x)
{
    if (!isfinite(x))
        return ww__error(WW_EDATA, "%s: must be a finite number, got %g", field, x);
    return 0;
}

static int check_positive(const char *field, double x)
{
    int error;
    if ((error = check_finite(field, x)) < 0)
        return error;
    if (!(x > 0))
        return ww__error(WW_EDATA, "%s: must be > 0, got %g", field, x);
    return 0;
}

static int check_at_least(const char *field, double x, double min)
{
    int error;
    if ((error = check_finite(field, x)) < 0)
        return error;
    if (!(x >= min))
        return ww__error(WW_EDATA, "%s: must be >= %g, got %g", field, min, x);
    return 0;
}

/* A count of non-events goes negative when the caller derived it as
 * "group size - events" with more events than people: say so. */
static int check_nonevents(const char *field, const char *events_field, double x)
{
    int error;
    if ((error = check_finite(field, x)) < 0)
        return error;
    if (!(x >= 0))
        return ww__error(WW_EDATA, "%s: must be >= 0, got %g (%s larger than the group size?)",
                         field, x, events_field);
    return 0;
}

static int check_arm(const char *mean_field, double mean, const char *sd_field, double sd,
                     const char *n_field, double n)
{
    int error;
    if ((error = check_finite(mean_field, mean)) < 0 ||
        (error = check_positive(sd_field, sd)) < 0 || (error = check_at_least(n_field, n, 2)) < 0)
        return error;
    return 0;
}

static int check_result(const ww_effect *e, const char *what)
{
    if (!isfinite(e->yi) || !isfinite(e->vi))
        return ww__error(WW_EDATA, "%s: result overflows (yi %g, vi %g)", what, e->yi, e->vi);
    return 0;
}

/* On failure the output holds NaN, never a stale or half-computed value. */
static void effect_reset(ww_effect *out)
{
    out->yi = NAN;
    out->vi = NAN;
    out->cells_adjusted = 0;
}

#define CHECK_OUT(out)                                                                       \
    do {                                                                                     \
        if (!(out))                                                                          \
            return ww__error(WW_EUSAGE, "%s: out is NULL", __func__);                        \
        effect_reset(out);                                                                   \
    } while (0)

/* ---- continuous outcomes ------------------------------------------------- */

/* Hedges (1981) eq. 6e, as metafor's .cmicalc(): J(m) = Gamma(m/2) /
 * (sqrt(m/2) Gamma((m-1)/2)), on the log scale so that large m does not
 * overflow. The difference of two log-gammas near (m/2) log(m/2) loses a
 * few digits (about 1e-11 relative at m = 1e5, 1e-10 at 1e6), as metafor's
 * lgamma() form does too; far below any reported precision. Needs m > 1. */
static double correction_exact(double m)
{
    return exp(gsl_sf_lngamma(m / 2) - 0.5 * log(m / 2) - gsl_sf_lngamma((m - 1) / 2));
}

/* WWC Procedures and Standards Handbook v4.1, appendix E:
 * omega = 1 - 3/(4N - 9), N = n1 + n2 (Hedges 1981's approximation written
 * with N - 2 degrees of freedom). */
static double correction_wwc(double n_total)
{
    return 1 - 3 / (4 * n_total - 9);
}

int ww_effect_smd(ww_effect *out, double m1, double sd1, double n1, double m2, double sd2,
                  double n2, ww_smd_correction corr)
{
    int error;
    double m, sd_pooled, d, j;

    CHECK_OUT(out);
    if ((error = check_arm("mean_treatment", m1, "sd_treatment", sd1, "n_treatment", n1)) < 0 ||
        (error = check_arm("mean_comparison", m2, "sd_comparison", sd2, "n_comparison", n2)) < 0)
        return error;
    if (corr != WW_SMD_EXACT && corr != WW_SMD_WWC_APPROX)
        return ww__error(WW_EUSAGE, "correction: unknown value %d", (int)corr);

    /* Pooled SD with m = n1 + n2 - 2 degrees of freedom (escalc "SMD"). */
    m = n1 + n2 - 2;
    sd_pooled = sqrt(((n1 - 1) * sd1 * sd1 + (n2 - 1) * sd2 * sd2) / m);
    if (!isfinite(sd_pooled))
        return ww__error(WW_EDATA, "SMD: pooled SD overflows (sd_treatment %g, sd_comparison %g)",
                         sd1, sd2);
    d = (m1 - m2) / sd_pooled;
    j = corr == WW_SMD_EXACT ? correction_exact(m) : correction_wwc(n1 + n2);

    out->yi = j * d;
    /* vtype "LS": the large-sample variance of g, Hedges (1982) eq. 8 /
     * Hedges & Olkin (1985) eq. 15, with g (not d) plugged in. metafor's
     * man/escalc.Rd: 'vtype="LS" (the default) for the usual large-sample
     * approximation to compute the sampling variances (equation 8 in
     * Hedges, 1982)'; R/escalc.r (github.com/wviechtb/metafor):
     * vi <- 1/n1i + 1/n2i + yi^2/(2*npi), npi = n1i + n2i. */
    out->vi = 1 / n1 + 1 / n2 + out->yi * out->yi / (2 * (n1 + n2));
    if ((error = check_result(out, "SMD")) < 0) {
        effect_reset(out);
        return error;
    }
    return 0;
}

int ww_effect_md(ww_effect *out, double m1, double sd1, double n1, double m2, double sd2,
                 double n2)
{
    int error;

    CHECK_OUT(out);
    if ((error = check_arm("mean_treatment", m1, "sd_treatment", sd1, "n_treatment", n1)) < 0 ||
        (error = check_arm("mean_comparison", m2, "sd_comparison", sd2, "n_comparison", n2)) < 0)
        return error;

    /* escalc "MD", vtype "LS": no equal-variance assumption (Borenstein
     * 2009, eq. 12.5). */
    out->yi = m1 - m2;
    out->vi = sd1 * sd1 / n1 + sd2 * sd2 / n2;
    if ((error = check_result(out, "MD")) < 0) {
        effect_reset(out);
        return error;
    }
    return 0;
}

/* ---- 2x2 tables ---------------------------------------------------------- */

typedef struct table2x2 {
    double a, b, c, d; /* events / non-events, arm 1 then arm 2 */
    int adjusted;
} table2x2;

/* Validate the four cells and apply escalc's default zero-cell rule:
 * add = 1/2 to every cell of a table with at least one zero (to="only0").
 * metafor applies it to OR, RR and RD alike (addyi = addvi = TRUE; only
 * AS, PHI, RTET and the single-group transforms default to add = 0), and
 * keeps tables with no events or no non-events in either arm
 * (drop00 = FALSE), so such a table yields a finite, very imprecise effect
 * rather than an error. */
static int table_prepare(table2x2 *t, double ai, double bi, double ci, double di)
{
    int error;

    if ((error = check_at_least("events_treatment", ai, 0)) < 0 ||
        (error = check_nonevents("nonevents_treatment", "events_treatment", bi)) < 0 ||
        (error = check_at_least("events_comparison", ci, 0)) < 0 ||
        (error = check_nonevents("nonevents_comparison", "events_comparison", di)) < 0)
        return error;
    if (!(ai + bi > 0))
        return ww__error(WW_EDATA, "treatment arm: no participants (events and non-events are 0)");
    if (!(ci + di > 0))
        return ww__error(WW_EDATA, "comparison arm: no participants (events and non-events are 0)");

    t->a = ai;
    t->b = bi;
    t->c = ci;
    t->d = di;
    t->adjusted = 0;
    if (ai == 0 || bi == 0 || ci == 0 || di == 0) {
        t->a += 0.5;
        t->b += 0.5;
        t->c += 0.5;
        t->d += 0.5;
        t->adjusted = 1;
    }
    return 0;
}

static int table_finish(ww_effect *out, const table2x2 *t, const char *what)
{
    int error;
    out->cells_adjusted = t->adjusted;
    if ((error = check_result(out, what)) < 0) {
        effect_reset(out);
        return error;
    }
    return 0;
}

int ww_effect_log_or(ww_effect *out, double ai, double bi, double ci, double di)
{
    int error;
    table2x2 t;

    CHECK_OUT(out);
    if ((error = table_prepare(&t, ai, bi, ci, di)) < 0)
        return error;
    /* Woolf's variance; log(a d / (b c)) written as metafor writes it. */
    out->yi = log(t.a / t.b) - log(t.c / t.d);
    out->vi = 1 / t.a + 1 / t.b + 1 / t.c + 1 / t.d;
    return table_finish(out, &t, "log OR");
}

int ww_effect_log_rr(ww_effect *out, double ai, double bi, double ci, double di)
{
    int error;
    table2x2 t;
    double n1, n2;

    CHECK_OUT(out);
    if ((error = table_prepare(&t, ai, bi, ci, di)) < 0)
        return error;
    n1 = t.a + t.b;
    n2 = t.c + t.d;
    out->yi = log(t.a / n1) - log(t.c / n2);
    out->vi = 1 / t.a - 1 / n1 + 1 / t.c - 1 / n2;
    return table_finish(out, &t, "log RR");
}

int ww_effect_rd(ww_effect *out, double ai, double bi, double ci, double di)
{
    int error;
    table2x2 t;
    double n1, n2, p1, p2;

    CHECK_OUT(out);
    if ((error = table_prepare(&t, ai, bi, ci, di)) < 0)
        return error;
    n1 = t.a + t.b;
    n2 = t.c + t.d;
    p1 = t.a / n1;
    p2 = t.c / n2;
    out->yi = p1 - p2;
    out->vi = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2; /* vtype "LS" */
    return table_finish(out, &t, "RD");
}

/* ---- correlations, reported intervals ------------------------------------ */

int ww_effect_zcor(ww_effect *out, double r, double n)
{
    int error;

    CHECK_OUT(out);
    if ((error = check_finite("r", r)) < 0 || (error = check_finite("n_pairs", n)) < 0)
        return error;
    if (!(r > -1 && r < 1))
        return ww__error(WW_EDATA, "r: must be > -1 and < 1, got %g", r);
    if (!(n > 3))
        return ww__error(WW_EDATA, "n_pairs: must be > 3, got %g", n);
    out->yi = atanh(r);
    out->vi = 1 / (n - 3);
    return 0;
}

int ww_effect_from_ci(ww_effect *out, double estimate, double ci_low, double ci_high,
                      int log_scale)
{
    int error;
    double z975;

    CHECK_OUT(out);
    if ((error = check_finite("estimate", estimate)) < 0 ||
        (error = check_finite("ci_low", ci_low)) < 0 ||
        (error = check_finite("ci_high", ci_high)) < 0)
        return error;
    if (log_scale) {
        if ((error = check_positive("estimate", estimate)) < 0 ||
            (error = check_positive("ci_low", ci_low)) < 0 ||
            (error = check_positive("ci_high", ci_high)) < 0)
            return error;
    }
    if (!(ci_low < ci_high))
        return ww__error(WW_EDATA, "ci_low: must be < ci_high (%g), got %g", ci_high, ci_low);
    if (!(ci_low <= estimate && estimate <= ci_high))
        return ww__error(WW_EDATA, "estimate: must lie within [ci_low, ci_high] = [%g, %g], got %g",
                         ci_low, ci_high, estimate);

    if (log_scale) {
        estimate = log(estimate);
        ci_low = log(ci_low);
        ci_high = log(ci_high);
    }
    z975 = gsl_cdf_ugaussian_Pinv(0.975); /* 1.959963984540054, R's qnorm(.975) */
    out->yi = estimate;
    out->vi = pow((ci_high - ci_low) / (2 * z975), 2);
    if ((error = check_result(out, "CI")) < 0) {
        effect_reset(out);
        return error;
    }
    return 0;
}

/* ---- conversions --------------------------------------------------------- */

ww_effect ww_effect_log_or_to_smd(ww_effect e)
{
    /* The logistic-distribution conversion (Hasselblad & Hedges 1995),
     * metafor's escalc measure "OR2DL". */
    ww_effect out = e;
    out.yi = e.yi * sqrt(3) / WW_PI;
    out.vi = e.vi * 3 / (WW_PI * WW_PI);
    return out;
}

double ww_effect_improvement_index(double g)
{
    return (gsl_cdf_ugaussian_P(g) - 0.5) * 100;
}
