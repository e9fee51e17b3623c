/*
 * meta.c — the meta-analysis engine behind meta.h: inverse-variance fixed and
 * random effects, Mantel-Haenszel and Peto pooling of 2x2 tables, Egger's
 * regression test, trim and fill, leave-one-out and subgroups.
 *
 * Everything rests on one small weighted least-squares routine (wls) for an
 * intercept, optionally with one moderator (Egger's sqrt(v_i)). metafor
 * builds the k x k projection matrix P = W - W X (X'WX)^-1 X'W explicitly;
 * here every quantity it needs (y'Py, y'PPy, tr P, tr PP, det X'WX) is a sum
 * over studies with the moderator centred, so a fit is O(k) in time and O(1)
 * in memory and REML on 100,000 studies takes milliseconds. The formulas and
 * the order of decisions (starting values, truncation at zero, step-halving,
 * the REML likelihood check) follow metafor's rma.uni line by line so that
 * results agree to rounding; comments name the exceptions.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <strings.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include "../util/util.h"
#include "meta.h"

/* Two-sided 95%. */
#define META_ALPHA_HALF 0.025
/* REML: Fisher scoring stops when the step is at most this (the issue asks
 * for 1e-10; metafor's default threshold is 1e-5). */
#define META_REML_THRESHOLD 1e-10
#define META_REML_MAXITER 1000
/* metafor's tol = .Machine$double.eps^0.25, used by its REML check of
 * tau^2 = 0 against the converged value. */
#define META_LL_TOL 1.220703125e-4
#define META_PM_MAXITER 1000
#define META_TRIMFILL_MAXITER 100

/* ---- names --------------------------------------------------------------- */

static const char *const method_names[] = {"FE", "MH", "PETO", "DL", "REML", "PM", "HE", "SJ"};
static const char *const measure_names[] = {"GEN", "SMD", "MD", "OR", "RR", "RD", "ZCOR"};

#define N_METHODS (sizeof method_names / sizeof method_names[0])
#define N_MEASURES (sizeof measure_names / sizeof measure_names[0])

const char *ww_meta_method_name(ww_meta_method method)
{
    return (unsigned)method < N_METHODS ? method_names[method] : NULL;
}

int ww_meta_method_parse(ww_meta_method *out, const char *name)
{
    for (size_t i = 0; name && i < N_METHODS; i++) {
        if (strcasecmp(name, method_names[i]) == 0) {
            *out = (ww_meta_method)i;
            return 0;
        }
    }
    return ww__error(WW_EUSAGE, "unknown method '%s' (FE, MH, PETO, DL, REML, PM, HE or SJ)",
                     name ? name : "");
}

int ww_meta_method_is_random(ww_meta_method method)
{
    return method == WW_META_DL || method == WW_META_REML || method == WW_META_PM ||
           method == WW_META_HE || method == WW_META_SJ;
}

const char *ww_meta_measure_name(ww_meta_measure measure)
{
    return (unsigned)measure < N_MEASURES ? measure_names[measure] : NULL;
}

int ww_meta_measure_parse(ww_meta_measure *out, const char *name)
{
    for (size_t i = 0; name && i < N_MEASURES; i++) {
        if (strcasecmp(name, measure_names[i]) == 0) {
            *out = (ww_meta_measure)i;
            return 0;
        }
    }
    return ww__error(WW_EUSAGE, "unknown measure '%s' (GEN, SMD, MD, OR, RR, RD or ZCOR)",
                     name ? name : "");
}

int ww_meta_measure_is_ratio(ww_meta_measure measure)
{
    return measure == WW_META_OR || measure == WW_META_RR;
}

/* ---- weighted least squares ---------------------------------------------- */

/*
 * The weighted regression of y on an intercept and, when x is given, one
 * moderator, with weights w_i = 1 / (v_i + tau2) (or 1 when unit is set).
 * With the moderator centred at its weighted mean the two columns are
 * orthogonal under W, so (X'WX)^-1 is diagonal in that basis and traces are
 * sums; traces, determinants and P are unchanged by the change of basis.
 */
typedef struct wls {
    int p;          /* 1 or 2 parameters */
    double b[2];    /* intercept (in the original, uncentred basis), slope */
    double a[2][2]; /* (X'WX)^-1 in the original basis */
    double rss;     /* y'Py = sum w e^2 */
    double ypp;     /* y'PPy = sum w^2 e^2 */
    double tr_p;    /* tr P */
    double tr_pp;   /* tr PP */
    double logdet;  /* log det X'WX */
    double sum_w;
} wls;

static void wls_fit(wls *o, const double *y, const double *v, const double *x, size_t k,
                    double tau2, int unit)
{
    double s0 = 0, swx = 0, swy = 0, xbar = 0, ybar, s2c = 0, sxy = 0, b1 = 0;
    double sw2 = 0, sw2x = 0, sw2xx = 0, sw3 = 0, sw3xx = 0, a0, a1 = 0;

    o->p = x ? 2 : 1;
    for (size_t i = 0; i < k; i++) {
        double w = unit ? 1.0 : 1.0 / (v[i] + tau2);
        s0 += w;
        swy += w * y[i];
        if (x) swx += w * x[i];
    }
    ybar = swy / s0;
    if (x) {
        xbar = swx / s0;
        for (size_t i = 0; i < k; i++) {
            double w = unit ? 1.0 : 1.0 / (v[i] + tau2), xc = x[i] - xbar;
            s2c += w * xc * xc;
            sxy += w * xc * (y[i] - ybar);
        }
        b1 = sxy / s2c;
    }
    o->rss = o->ypp = 0;
    for (size_t i = 0; i < k; i++) {
        double w = unit ? 1.0 : 1.0 / (v[i] + tau2);
        double xc = x ? x[i] - xbar : 0, e = (y[i] - ybar) - b1 * xc, w2 = w * w;
        o->rss += w * e * e;
        o->ypp += w2 * e * e;
        sw2 += w2;
        sw3 += w2 * w;
        sw2x += w2 * xc;
        sw2xx += w2 * xc * xc;
        sw3xx += w2 * w * xc * xc;
    }
    a0 = 1.0 / s0;
    o->sum_w = s0;
    o->logdet = log(s0);
    o->tr_p = s0 - sw2 * a0;
    if (x) {
        a1 = 1.0 / s2c;
        o->logdet += log(s2c);
        o->tr_p -= sw2xx * a1;
    }
    /* tr PP = tr W^2 - 2 tr(A X'W^3 X) + tr((A X'W^2 X)^2), A diagonal. */
    o->tr_pp = sw2 - 2 * (a0 * sw3 + a1 * sw3xx) + a0 * a0 * sw2 * sw2 + 2 * a0 * a1 * sw2x * sw2x +
               a1 * a1 * sw2xx * sw2xx;
    o->b[0] = ybar - b1 * xbar;
    o->b[1] = b1;
    o->a[0][0] = a0 + xbar * xbar * a1;
    o->a[0][1] = o->a[1][0] = -xbar * a1;
    o->a[1][1] = a1;
}

/* Sum of v_i over studies, and tr(P V) for the unweighted projection (HE). */
static double he_tr_pv(const double *v, const double *x, size_t k)
{
    double sv = 0, sx = 0, xbar = 0, sxx = 0, svxx = 0, tr;
    for (size_t i = 0; i < k; i++) {
        sv += v[i];
        if (x) sx += x[i];
    }
    tr = sv - sv / (double)k;
    if (x) {
        xbar = sx / (double)k;
        for (size_t i = 0; i < k; i++) {
            double xc = x[i] - xbar;
            sxx += xc * xc;
            svxx += v[i] * xc * xc;
        }
        tr -= svxx / sxx;
    }
    return tr;
}

/* ---- tau^2 estimators ------------------------------------------------------ */

typedef struct pm_params {
    const double *y, *v, *x;
    size_t k;
    double target;
} pm_params;

static double pm_objective(double tau2, void *params)
{
    const pm_params *pp = params;
    wls o;
    wls_fit(&o, pp->y, pp->v, pp->x, pp->k, tau2, 0);
    return o.rss - pp->target;
}

/* Paule-Mandel: the tau^2 at which the generalised Q equals k - p. Q falls
 * monotonically in tau^2 from Q(0) towards 0, so the root is bracketed by
 * doubling an upper bound, then found by GSL's Brent solver until the
 * bracket is as narrow as doubles allow. */
static int tau2_pm(double *tau2, int *iterations, const double *y, const double *v, const double *x,
                   size_t k, int p)
{
    pm_params pp = {y, v, x, k, ((double)k - p)};
    gsl_function fn = {pm_objective, &pp};
    gsl_root_fsolver *s;
    double lo = 0, hi = 1, root;
    int it = 0, status;

    if (pm_objective(0, &pp) <= 0) {
        *tau2 = 0;
        return 0;
    }
    for (int d = 0; pm_objective(hi, &pp) > 0; d++) {
        if (d > 2000 || !isfinite(hi))
            return ww__error(WW_EDATA, "Paule-Mandel: no tau^2 brings Q down to k - %d", p);
        lo = hi;
        hi *= 2;
    }
    if (pm_objective(hi, &pp) == 0) {
        *tau2 = hi;
        return 0;
    }
    s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s) return ww__error_oom();
    gsl_root_fsolver_set(s, &fn, lo, hi);
    root = lo;
    do {
        it++;
        status = gsl_root_fsolver_iterate(s);
        root = gsl_root_fsolver_root(s);
        lo = gsl_root_fsolver_x_lower(s);
        hi = gsl_root_fsolver_x_upper(s);
        if (status != GSL_SUCCESS) break;
        status = gsl_root_test_interval(lo, hi, 0, 4 * DBL_EPSILON);
    } while (status == GSL_CONTINUE && it < META_PM_MAXITER);
    gsl_root_fsolver_free(s);
    if (status != GSL_SUCCESS && !(hi - lo <= 8 * DBL_EPSILON * hi))
        return ww__error(WW_EDATA, "Paule-Mandel: root search did not converge");
    *tau2 = root;
    if (iterations) *iterations = it;
    return 0;
}

/* sum_i log(1 + t / v_i), as the logarithm of the product, kept in range by
 * frexp(): one log() for all k studies instead of k (on 100,000 studies the
 * logs would cost more than the whole Fisher scoring). The product's
 * rounding error, about k ulp, is far below the tolerance it is used with. */
static double sum_log1p_ratio(const double *v, size_t k, double t)
{
    double m = 1;
    long e2 = 0;
    for (size_t i = 0; i < k; i++) {
        int e;
        m = frexp(m * (1 + t / v[i]), &e);
        e2 += e;
    }
    if (isfinite(m) && m > 0) return log(m) + (double)e2 * 0.69314718055994530942;
    /* a ratio too large for a double: sum the logs */
    m = 0;
    for (size_t i = 0; i < k; i++) m += log1p(t / v[i]);
    return m;
}

/* How much higher the REML log-likelihood is at tau^2 = 0 than at t:
 * ll(0) - ll(t), with ll = -1/2 (sum log(v_i + tau^2) + log det X'WX + y'Py)
 * as in rma.uni's check (constants cancel). */
static double reml_ll_gain_at_zero(const double *y, const double *v, const double *x, size_t k,
                                   double t)
{
    wls o0, ot;
    wls_fit(&o0, y, v, x, k, 0, 0);
    wls_fit(&ot, y, v, x, k, t, 0);
    return 0.5 * sum_log1p_ratio(v, k, t) + 0.5 * (ot.logdet - o0.logdet) + 0.5 * (ot.rss - o0.rss);
}

static int estimate_tau2(double *tau2, int *iterations, const double *y, const double *v,
                         const double *x, size_t k, ww_meta_method method)
{
    int p = x ? 2 : 1;
    double df = ((double)k - p);
    wls o;

    *iterations = 0;
    if (!ww_meta_method_is_random(method) || k <= (size_t)p) {
        /* metafor fits a single study (k = 1) with tau^2 = 0. */
        *tau2 = 0;
        return 0;
    }
    switch (method) {
    case WW_META_DL:
        wls_fit(&o, y, v, x, k, 0, 0);
        *tau2 = fmax(0, (o.rss - df) / o.tr_p);
        return 0;
    case WW_META_HE:
        wls_fit(&o, y, v, x, k, 0, 1);
        *tau2 = fmax(0, (o.rss - he_tr_pv(v, x, k)) / df);
        return 0;
    case WW_META_SJ: {
        double mean = 0, tau0 = 0;
        for (size_t i = 0; i < k; i++) mean += y[i];
        mean /= (double)k;
        for (size_t i = 0; i < k; i++) tau0 += (y[i] - mean) * (y[i] - mean);
        tau0 /= (double)k;
        if (tau0 <= 0) {
            *tau2 = 0;
            return 0;
        }
        wls_fit(&o, y, v, x, k, tau0, 0);
        *tau2 = fmax(0, tau0 * o.rss / df);
        return 0;
    }
    case WW_META_PM: return tau2_pm(tau2, iterations, y, v, x, k, p);
    case WW_META_REML: {
        double t, change = META_REML_THRESHOLD + 1;
        int iter = 0;
        /* Start at the Hedges estimate, as rma.uni does. */
        wls_fit(&o, y, v, x, k, 0, 1);
        t = fmax(0, (o.rss - he_tr_pv(v, x, k)) / df);
        while (change > META_REML_THRESHOLD) {
            double adj;
            if (++iter > META_REML_MAXITER)
                return ww__error(WW_EDATA, "REML: Fisher scoring did not converge in %d steps",
                                 META_REML_MAXITER);
            wls_fit(&o, y, v, x, k, t, 0);
            adj = (o.ypp - o.tr_p) / o.tr_pp;
            if (!isfinite(adj)) adj = 0;
            /* Step-halving keeps tau^2 >= 0. */
            while (t + adj < 0) adj /= 2;
            t += adj;
            change = fabs(adj);
        }
        /* metafor's ll0check: Fisher scoring can stop at a local maximum;
         * prefer tau^2 = 0 when its restricted likelihood is clearly higher. */
        if (t > META_REML_THRESHOLD && reml_ll_gain_at_zero(y, v, x, k, t) > META_LL_TOL) t = 0;
        *tau2 = fmax(0, t);
        *iterations = iter;
        return 0;
    }
    default: return ww__error(WW_EUSAGE, "not a random-effects method");
    }
}

/* ---- fitting ---------------------------------------------------------------- */

/* A fitted (meta-)regression: what result_from_fit and Egger need. */
typedef struct fit {
    size_t k;
    int p;
    int knha;
    int iterations;
    double tau2;
    double b[2];
    double se[2];
    double df;   /* k - p with knha, else 0 */
    double crit; /* the 97.5% quantile of the test's distribution */
    double qe, qe_df, qe_p, i2, h2;
} fit;

static double two_sided_p(double stat, double df)
{
    if (!isfinite(stat)) return isnan(stat) ? NAN : 0;
    if (df > 0) return 2 * gsl_cdf_tdist_Q(fabs(stat), df);
    return 2 * gsl_cdf_ugaussian_Q(fabs(stat));
}

static int check_yv(const double *y, const double *v, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        if (!isfinite(y[i]))
            return ww__error(WW_EDATA, "study %zu: yi is not a finite number", i + 1);
        if (!isfinite(v[i]))
            return ww__error(WW_EDATA, "study %zu: vi is not a finite number", i + 1);
        if (!(v[i] > 0))
            return ww__error(WW_EDATA, "study %zu: vi must be > 0, got %g", i + 1, v[i]);
    }
    return 0;
}

/* Fit y on an intercept (and x) by method; knha as metafor's test="knha".
 * A fit with no residual degrees of freedom has tau^2 = 0 and a z test. */
static int fit_model(fit *f, const double *y, const double *v, const double *x, size_t k,
                     ww_meta_method method, int knha)
{
    int p = x ? 2 : 1, error;
    double s2w = 1;
    wls o, fe;

    if (method == WW_META_MH || method == WW_META_PETO) method = WW_META_FE;
    f->k = k;
    f->p = p;
    if ((error = estimate_tau2(&f->tau2, &f->iterations, y, v, x, k, method)) < 0) return error;
    wls_fit(&o, y, v, x, k, f->tau2, 0);
    f->knha = knha && k > (size_t)p;
    if (f->knha) s2w = o.rss <= DBL_EPSILON ? 0 : o.rss / ((double)k - p);
    for (int j = 0; j < 2; j++) {
        f->b[j] = j < p ? o.b[j] : 0;
        f->se[j] = j < p ? sqrt(s2w * o.a[j][j]) : 0;
    }
    f->df = f->knha ? ((double)k - p) : 0;
    f->crit = f->knha ? gsl_cdf_tdist_Qinv(META_ALPHA_HALF, f->df)
                      : gsl_cdf_ugaussian_Qinv(META_ALPHA_HALF);

    /* Heterogeneity about the fixed-effect fit (rma.uni, i2def "1"). */
    if (k > (size_t)p) {
        double vt;
        wls_fit(&fe, y, v, x, k, 0, 0);
        f->qe = fmax(0, fe.rss);
        f->qe_df = ((double)k - p);
        f->qe_p = gsl_cdf_chisq_Q(f->qe, f->qe_df);
        vt = f->qe_df / fe.tr_p;
        if (!ww_meta_method_is_random(method)) {
            f->i2 = f->qe > 0 ? fmax(0, 100 * (f->qe - f->qe_df) / f->qe) : 0;
            f->h2 = f->qe / f->qe_df;
        } else {
            f->i2 = 100 * f->tau2 / (vt + f->tau2);
            f->h2 = f->tau2 / vt + 1;
        }
    } else {
        f->qe = 0;
        f->qe_df = 0;
        f->qe_p = 1;
        f->i2 = 0;
        f->h2 = 1;
    }
    return 0;
}

static void result_from_fit(ww_meta_result *r, const fit *f, ww_meta_method method)
{
    double spred;
    r->method = method;
    r->knha = f->knha;
    r->k = f->k;
    r->estimate = f->b[0];
    r->se = f->se[0];
    r->ci_low = r->estimate - f->crit * r->se;
    r->ci_high = r->estimate + f->crit * r->se;
    r->stat = r->estimate / r->se;
    r->df = f->df;
    r->p = two_sided_p(r->stat, r->df);
    r->tau2 = f->tau2;
    r->tau = sqrt(f->tau2);
    r->i2 = f->i2;
    r->h2 = f->h2;
    r->q = f->qe;
    r->q_df = f->qe_df;
    r->q_p = f->qe_p;
    spred = sqrt(r->se * r->se + r->tau2);
    r->pi_low = r->estimate - f->crit * spred;
    r->pi_high = r->estimate + f->crit * spred;
    r->iterations = f->iterations;
}

static const ww_meta_pool_opts default_opts = {WW_META_FE, 0, WW_META_RD_VAR_SGR};

static int check_opts(const ww_meta_pool_opts *opts)
{
    if ((unsigned)opts->method >= N_METHODS)
        return ww__error(WW_EUSAGE, "unknown meta-analysis method %d", (int)opts->method);
    if (opts->knha && !ww_meta_method_is_random(opts->method))
        return ww__error(WW_EUSAGE, "Hartung-Knapp needs a random-effects method, not %s",
                         ww_meta_method_name(opts->method));
    return 0;
}

/* Pool without the public k checks: k = 1 is allowed (tau^2 = 0, z test). */
static int pool_iv(ww_meta_result *out, double *weights_pct, const double *y, const double *v,
                   size_t k, const ww_meta_pool_opts *opts)
{
    fit f;
    int error;
    if ((error = fit_model(&f, y, v, NULL, k, opts->method, opts->knha)) < 0) return error;
    result_from_fit(out, &f, opts->method);
    if (weights_pct) {
        double sw = 0;
        for (size_t i = 0; i < k; i++) sw += 1.0 / (v[i] + f.tau2);
        for (size_t i = 0; i < k; i++) weights_pct[i] = 100.0 / (v[i] + f.tau2) / sw;
    }
    return 0;
}

int ww_meta_tau2(double *tau2, int *iterations, const double *yi, const double *vi, size_t k,
                 ww_meta_method method)
{
    int it = 0, error;
    if (method == WW_META_MH || method == WW_META_PETO)
        return ww__error(WW_EUSAGE, "%s does not estimate tau^2", ww_meta_method_name(method));
    if ((unsigned)method >= N_METHODS) return ww__error(WW_EUSAGE, "unknown method");
    if (k < 2) return ww__error(WW_EDATA, "need at least 2 studies to estimate tau^2, got %zu", k);
    if ((error = check_yv(yi, vi, k)) < 0) return error;
    if ((error = estimate_tau2(tau2, &it, yi, vi, NULL, k, method)) < 0) return error;
    if (iterations) *iterations = it;
    return 0;
}

int ww_meta_pool(ww_meta_result *out, double *weights_pct, const double *yi, const double *vi,
                 size_t k, const ww_meta_pool_opts *opts)
{
    int error;
    if (!opts) opts = &default_opts;
    if ((error = check_opts(opts)) < 0) return error;
    if (opts->method == WW_META_MH || opts->method == WW_META_PETO)
        return ww__error(WW_EUSAGE, "%s pools 2x2 tables, not effects",
                         ww_meta_method_name(opts->method));
    if (k < 1) return ww__error(WW_EDATA, "no studies to pool");
    if (k < 2 && ww_meta_method_is_random(opts->method))
        return ww__error(WW_EDATA, "random effects (%s) need at least 2 studies, got %zu",
                         ww_meta_method_name(opts->method), k);
    if ((error = check_yv(yi, vi, k)) < 0) return error;
    return pool_iv(out, weights_pct, yi, vi, k, opts);
}

/* ---- 2x2 tables -------------------------------------------------------------- */

static int check_table(const ww_meta_table *t, size_t i)
{
    const double cells[4] = {t->ai, t->bi, t->ci, t->di};
    static const char *const names[4] = {"ai", "bi", "ci", "di"};
    for (int c = 0; c < 4; c++) {
        if (!isfinite(cells[c]) || cells[c] < 0)
            return ww__error(WW_EDATA, "table %zu: %s must be a count >= 0, got %g", i + 1,
                             names[c], cells[c]);
    }
    if (t->ai + t->bi <= 0 || t->ci + t->di <= 0)
        return ww__error(WW_EDATA, "table %zu: an arm has no participants", i + 1);
    return 0;
}

static int double_zero(const ww_meta_table *t)
{
    return (t->ai == 0 && t->ci == 0) || (t->bi == 0 && t->di == 0);
}

int ww_meta_table_effect(ww_effect *out, const ww_meta_table *table, ww_meta_measure measure,
                         ww_meta_method method)
{
    int error;
    if ((error = check_table(table, 0)) < 0) return error;
    if (method == WW_META_PETO && measure != WW_META_OR)
        return ww__error(WW_EUSAGE, "Peto's method pools odds ratios only");
    if ((method == WW_META_MH || method == WW_META_PETO) && double_zero(table)) {
        out->yi = out->vi = NAN;
        out->cells_adjusted = 0;
        return 0;
    }
    if (method == WW_META_PETO) {
        /* escalc(measure = "PETO"): 0.5 added to each cell of a table with a
         * zero, then (O - E) / V and 1 / V. */
        double a = table->ai, b = table->bi, c = table->ci, d = table->di, n1, n2, n, e, var;
        int adj = a == 0 || b == 0 || c == 0 || d == 0;
        if (adj) {
            a += 0.5;
            b += 0.5;
            c += 0.5;
            d += 0.5;
        }
        n1 = a + b;
        n2 = c + d;
        n = n1 + n2;
        e = (a + c) * n1 / n;
        var = (a + c) * (b + d) * (n1 / n) * (n2 / n) / (n - 1);
        out->yi = (a - e) / var;
        out->vi = 1 / var;
        out->cells_adjusted = adj;
        return 0;
    }
    switch (measure) {
    case WW_META_OR: return ww_effect_log_or(out, table->ai, table->bi, table->ci, table->di);
    case WW_META_RR: return ww_effect_log_rr(out, table->ai, table->bi, table->ci, table->di);
    case WW_META_RD: return ww_effect_rd(out, table->ai, table->bi, table->ci, table->di);
    default:
        return ww__error(WW_EUSAGE, "a 2x2 table gives OR, RR or RD, not %s",
                         ww_meta_measure_name(measure) ? ww_meta_measure_name(measure) : "?");
    }
}

/* Fill r as a fixed-effect result from an estimate, its SE and Q. */
static void fixed_result(ww_meta_result *r, ww_meta_method method, size_t k, double est, double se,
                         double q, int q_k)
{
    double crit = gsl_cdf_ugaussian_Qinv(META_ALPHA_HALF);
    r->method = method;
    r->knha = 0;
    r->k = k;
    r->estimate = est;
    r->se = se;
    r->ci_low = r->pi_low = est - crit * se;
    r->ci_high = r->pi_high = est + crit * se;
    r->stat = est / se;
    r->df = 0;
    r->p = two_sided_p(r->stat, 0);
    r->tau2 = r->tau = 0;
    r->iterations = 0;
    if (q_k > 1) {
        r->q = fmax(0, q);
        r->q_df = q_k - 1;
        r->q_p = gsl_cdf_chisq_Q(r->q, r->q_df);
        r->i2 = r->q > 0 ? fmax(0, 100 * (r->q - r->q_df) / r->q) : 0;
        r->h2 = r->q / r->q_df;
    } else {
        r->q = 0;
        r->q_df = 0;
        r->q_p = 1;
        r->i2 = 0;
        r->h2 = 1;
    }
}

/* Mantel-Haenszel, as metafor's rma.mh (and RevMan) compute it. */
static int pool_mh(ww_meta_result *out, double *weights_pct, const ww_meta_table *t, size_t k,
                   ww_meta_measure measure, ww_meta_rd_variance rd_var)
{
    double est, se, q = 0, sumw = 0;
    int q_k = 0, error;

    if (measure == WW_META_OR) {
        /* Robins, Breslow & Greenland (1986) variance of log OR_MH. */
        double r = 0, s = 0, pr = 0, ps_qr = 0, qs = 0;
        for (size_t i = 0; i < k; i++) {
            double a = t[i].ai, b = t[i].bi, c = t[i].ci, d = t[i].di, n = a + b + c + d;
            double pi = (a + d) / n, qi = (b + c) / n, ri = a / n * d, si = b / n * c;
            r += ri;
            s += si;
            pr += pi * ri;
            ps_qr += pi * si + qi * ri;
            qs += qi * si;
        }
        if (r == 0 || s == 0)
            return ww__error(WW_EDATA, "Mantel-Haenszel odds ratio does not exist: %s",
                             r == 0 ? "no table has a*d > 0" : "no table has b*c > 0");
        est = log(r / s);
        se = sqrt(0.5 * (pr / (r * r) + ps_qr / (r * s) + qs / (s * s)));
    } else if (measure == WW_META_RR) {
        /* Greenland & Robins (1985) variance of log RR_MH. */
        double r = 0, s = 0, sa = 0, sc = 0, num = 0;
        for (size_t i = 0; i < k; i++) {
            double a = t[i].ai, b = t[i].bi, c = t[i].ci, d = t[i].di;
            double n1 = a + b, n2 = c + d, n = n1 + n2;
            r += a * (n2 / n);
            s += c * (n1 / n);
            sa += a;
            sc += c;
            num += (n1 / n) * (n2 / n) * (a + c) - (a / n) * c;
        }
        if (sa == 0 || sc == 0)
            return ww__error(WW_EDATA,
                             "Mantel-Haenszel risk ratio does not exist: no events in arm %d",
                             sa == 0 ? 1 : 2);
        est = log(r / s);
        se = sqrt(num / (r * s));
    } else if (measure == WW_META_RD) {
        double num = 0, den = 0, v1 = 0, v2 = 0;
        for (size_t i = 0; i < k; i++) {
            double a = t[i].ai, b = t[i].bi, c = t[i].ci, d = t[i].di;
            double n1 = a + b, n2 = c + d, n = n1 + n2;
            num += a * (n2 / n) - c * (n1 / n);
            den += n1 * (n2 / n);
        }
        est = num / den;
        for (size_t i = 0; i < k; i++) {
            double a = t[i].ai, b = t[i].bi, c = t[i].ci, d = t[i].di;
            double n1 = a + b, n2 = c + d, n = n1 + n2;
            if (rd_var == WW_META_RD_VAR_GR) {
                v1 += (a * b * n2 * n2 * n2 + c * d * n1 * n1 * n1) / (n1 * n2 * n * n);
            } else {
                v1 += c * (n1 / n) * (n1 / n) - a * (n2 / n) * (n2 / n) +
                      (n1 / n) * (n2 / n) * (n2 - n1) / 2;
                v2 += a * (n2 - c) / n + c * (n1 - a) / n;
            }
        }
        se = rd_var == WW_META_RD_VAR_GR ? sqrt(v1 / (den * den))
                                         : sqrt((est * v1 + v2 / 2) / (den * den));
    } else {
        return ww__error(WW_EUSAGE, "Mantel-Haenszel pools OR, RR or RD, not %s",
                         ww_meta_measure_name(measure) ? ww_meta_measure_name(measure) : "?");
    }
    if (!(se > 0) || !isfinite(se))
        return ww__error(WW_EDATA, "Mantel-Haenszel %s: the standard error is not positive",
                         ww_meta_measure_name(measure));

    /* Q about the MH estimate with each table's escalc effect and 1/v. */
    for (size_t i = 0; i < k; i++) {
        ww_effect e;
        if ((error = ww_meta_table_effect(&e, &t[i], measure, WW_META_MH)) < 0) return error;
        if (isnan(e.yi)) continue;
        q += (e.yi - est) * (e.yi - est) / e.vi;
        q_k++;
    }
    fixed_result(out, WW_META_MH, k, est, se, q, q_k);

    if (weights_pct) {
        for (size_t i = 0; i < k; i++) {
            double a = t[i].ai, b = t[i].bi, c = t[i].ci, d = t[i].di;
            double n1 = a + b, n2 = c + d, n = n1 + n2;
            weights_pct[i] = measure == WW_META_OR   ? b * c / n
                             : measure == WW_META_RR ? c * n1 / n
                                                     : n1 * n2 / n;
            sumw += weights_pct[i];
        }
        for (size_t i = 0; i < k; i++) weights_pct[i] = sumw > 0 ? 100 * weights_pct[i] / sumw : 0;
    }
    return 0;
}

/* Peto's odds ratio (Yusuf et al. 1985), as metafor's rma.peto. */
static int pool_peto(ww_meta_result *out, double *weights_pct, const ww_meta_table *t, size_t k)
{
    double som = 0, sv = 0, sq = 0;
    int k_pos = 0, k_yi = 0;

    for (size_t i = 0; i < k; i++) {
        double a = t[i].ai, b = t[i].bi, c = t[i].ci, d = t[i].di;
        double n1 = a + b, n2 = c + d, n = n1 + n2, xt = a + c, yt = b + d;
        double e = xt * n1 / n, v = n > 1 ? xt * yt * (n1 / n) * (n2 / n) / (n - 1) : 0;
        som += a - e;
        sv += v;
        if (v > 0) {
            sq += (a - e) * (a - e) / v;
            k_pos++;
        }
        if (!double_zero(&t[i])) k_yi++;
        if (weights_pct) weights_pct[i] = v;
    }
    if (sv == 0)
        return ww__error(WW_EDATA,
                         "Peto's method: one of the two outcomes never occurred in any table");
    fixed_result(out, WW_META_PETO, k, som / sv, sqrt(1 / sv), sq - som * som / sv,
                 k_pos > 1 ? k_yi : 0);
    if (weights_pct)
        for (size_t i = 0; i < k; i++) weights_pct[i] = 100 * weights_pct[i] / sv;
    return 0;
}

/* Pool tables without the public k checks (k = 1 allowed). */
static int pool_tables(ww_meta_result *out, double *weights_pct, const ww_meta_table *t, size_t k,
                       ww_meta_measure measure, const ww_meta_pool_opts *opts)
{
    double *y = NULL, *v = NULL;
    int error = 0;

    for (size_t i = 0; i < k; i++)
        if ((error = check_table(&t[i], i)) < 0) return error;
    if (opts->method == WW_META_MH)
        return pool_mh(out, weights_pct, t, k, measure, opts->rd_variance);
    if (opts->method == WW_META_PETO) {
        if (measure != WW_META_OR)
            return ww__error(WW_EUSAGE, "Peto's method pools odds ratios only");
        return pool_peto(out, weights_pct, t, k);
    }
    y = malloc(k * sizeof *y);
    v = malloc(k * sizeof *v);
    if (!y || !v) {
        error = ww__error_oom();
        goto done;
    }
    for (size_t i = 0; i < k; i++) {
        ww_effect e;
        if ((error = ww_meta_table_effect(&e, &t[i], measure, opts->method)) < 0) goto done;
        y[i] = e.yi;
        v[i] = e.vi;
    }
    if ((error = check_yv(y, v, k)) < 0) goto done;
    error = pool_iv(out, weights_pct, y, v, k, opts);
done:
    free(v);
    free(y);
    return error;
}

int ww_meta_pool_tables(ww_meta_result *out, double *weights_pct, const ww_meta_table *tables,
                        size_t k, ww_meta_measure measure, const ww_meta_pool_opts *opts)
{
    int error;
    if (!opts) opts = &default_opts;
    if ((error = check_opts(opts)) < 0) return error;
    if (k < 1) return ww__error(WW_EDATA, "no studies to pool");
    if (k < 2 && ww_meta_method_is_random(opts->method))
        return ww__error(WW_EDATA, "random effects (%s) need at least 2 studies, got %zu",
                         ww_meta_method_name(opts->method), k);
    return pool_tables(out, weights_pct, tables, k, measure, opts);
}

/* ---- Egger's test and trim and fill ----------------------------------------- */

/* sqrt(v_i) into a new array; WW_EDATA when all are equal (no slope). */
static int sei_of(double **out, const double *v, size_t k)
{
    double *x = malloc(k * sizeof *x), mean = 0, ss = 0, s2 = 0;
    if (!x) return ww__error_oom();
    for (size_t i = 0; i < k; i++) {
        x[i] = sqrt(v[i]);
        mean += x[i];
    }
    mean /= (double)k;
    for (size_t i = 0; i < k; i++) {
        ss += (x[i] - mean) * (x[i] - mean);
        s2 += x[i] * x[i];
    }
    /* metafor refuses a model matrix whose X'X has an eigenvalue <= 1e-7;
     * equal standard errors are the case that matters. */
    if (!(ss > 1e-12 * s2)) {
        free(x);
        return ww__error(WW_EDATA, "all studies have the same variance: no regression on sqrt(vi)");
    }
    *out = x;
    return 0;
}

int ww_meta_egger(ww_meta_egger_result *out, const double *yi, const double *vi, size_t k,
                  const ww_meta_pool_opts *opts)
{
    double *x = NULL;
    fit f;
    int error;

    if (!opts) opts = &default_opts;
    if ((error = check_opts(opts)) < 0) return error;
    if (k < 3) return ww__error(WW_EDATA, "Egger's test needs at least 3 studies, got %zu", k);
    if ((error = check_yv(yi, vi, k)) < 0) return error;
    if ((error = sei_of(&x, vi, k)) < 0) return error;
    error = fit_model(&f, yi, vi, x, k, opts->method, opts->knha);
    free(x);
    if (error < 0) return error;
    out->intercept = f.b[0];
    out->slope = f.b[1];
    out->slope_se = f.se[1];
    out->stat = f.b[1] / f.se[1];
    out->df = f.df;
    out->p = two_sided_p(out->stat, f.df);
    out->tau2 = f.tau2;
    return 0;
}

typedef struct ranked {
    double value;
    size_t index;
} ranked;

static int cmp_ranked(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->value < b->value) return -1;
    if (a->value > b->value) return 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

int ww_meta_trimfill(ww_meta_trimfill_result *out, double *fill_yi, double *fill_vi,
                     const double *yi, const double *vi, size_t k, const ww_meta_pool_opts *opts)
{
    ww_meta_pool_opts o;
    ww_meta_result res;
    ranked *order = NULL, *abs_order = NULL;
    double *x = NULL, *ys = NULL, *vs = NULL, *yc = NULL, *yall = NULL, *vall = NULL;
    double beta = 0, sign;
    long k0 = 0, k0_prev = -1;
    int iter = 0, error;
    fit f;

    if (!opts) opts = &default_opts;
    if ((error = check_opts(opts)) < 0) return error;
    o = *opts;
    if (o.method == WW_META_MH || o.method == WW_META_PETO) o.method = WW_META_FE;
    if (k < 3) return ww__error(WW_EDATA, "trim and fill needs at least 3 studies, got %zu", k);
    if ((error = check_yv(yi, vi, k)) < 0) return error;

    /* The side: metafor regresses y on sqrt(v) with the model's method (and
     * its default z test) and fills on the left unless the slope is < 0. */
    if ((error = sei_of(&x, vi, k)) < 0) goto done;
    if ((error = fit_model(&f, yi, vi, x, k, o.method, 0)) < 0) goto done;
    out->side = f.b[1] < 0 ? 1 : -1;
    sign = out->side > 0 ? -1 : 1;

    order = malloc(k * sizeof *order);
    abs_order = malloc(k * sizeof *abs_order);
    ys = malloc(k * sizeof *ys);
    vs = malloc(k * sizeof *vs);
    yc = malloc(k * sizeof *yc);
    yall = malloc(2 * k * sizeof *yall);
    vall = malloc(2 * k * sizeof *vall);
    if (!order || !abs_order || !ys || !vs || !yc || !yall || !vall) {
        error = ww__error_oom();
        goto done;
    }
    for (size_t i = 0; i < k; i++) {
        order[i].value = sign * yi[i];
        order[i].index = i;
    }
    qsort(order, k, sizeof *order, cmp_ranked);
    for (size_t i = 0; i < k; i++) {
        ys[i] = order[i].value;
        vs[i] = vi[order[i].index];
    }

    while (k0 != k0_prev) {
        double sr = 0, kk = (double)k, l0, var_sr;
        k0_prev = k0;
        if (++iter > META_TRIMFILL_MAXITER) {
            error = ww__error(WW_EDATA, "trim and fill did not converge in %d rounds",
                              META_TRIMFILL_MAXITER);
            goto done;
        }
        if ((size_t)k0 >= k) {
            error = ww__error(WW_EDATA, "trim and fill: no studies left after trimming %ld", k0);
            goto done;
        }
        if ((error = fit_model(&f, ys, vs, NULL, k - (size_t)k0, o.method, 0)) < 0) goto done;
        beta = f.b[0];
        for (size_t i = 0; i < k; i++) {
            yc[i] = ys[i] - beta;
            abs_order[i].value = fabs(yc[i]);
            abs_order[i].index = i;
        }
        /* rank(abs(yc), ties.method = "first") */
        qsort(abs_order, k, sizeof *abs_order, cmp_ranked);
        for (size_t r = 0; r < k; r++)
            if (yc[abs_order[r].index] > 0) sr += (double)(r + 1);
        l0 = (4 * sr - kk * (kk + 1)) / (2 * kk - 1);
        var_sr = (kk * (kk + 1) * (2 * kk + 1) + 10 * l0 * l0 * l0 + 27 * l0 * l0 + 17 * l0 -
                  18 * kk * l0 * l0 - 18 * kk * l0 + 6 * kk * kk * l0) /
                 24;
        out->se_k0 = fmax(0, 4 * sqrt(var_sr) / (2 * kk - 1));
        /* R's round() halves to even, as nearbyint() does by default. */
        k0 = (long)fmax(0, nearbyint(l0));
    }
    out->k0 = (size_t)k0;

    if (k0 > 0) {
        size_t n = k + (size_t)k0;
        for (size_t i = 0; i < k; i++) {
            yall[i] = yi[i];
            vall[i] = vi[i];
        }
        for (size_t j = 0; j < (size_t)k0; j++) {
            size_t i = k - (size_t)k0 + j;
            /* the mirror image about the last trimmed estimate */
            double filled = sign * (2 * beta - ys[i]);
            yall[k + j] = filled;
            vall[k + j] = vs[i];
            if (fill_yi) fill_yi[j] = filled;
            if (fill_vi) fill_vi[j] = vs[i];
        }
        o.knha = 0;
        if ((error = pool_iv(&res, NULL, yall, vall, n, &o)) < 0) goto done;
        out->adjusted = res;
    } else {
        /* trimfill() returns the original fit unchanged. */
        ww_meta_pool_opts orig = *opts;
        if (orig.method == WW_META_MH || orig.method == WW_META_PETO) orig.method = WW_META_FE;
        if ((error = pool_iv(&res, NULL, yi, vi, k, &orig)) < 0) goto done;
        out->adjusted = res;
    }
    error = 0;
done:
    free(vall);
    free(yall);
    free(yc);
    free(vs);
    free(ys);
    free(abs_order);
    free(order);
    free(x);
    return error;
}

/* ---- leave-one-out and subgroups --------------------------------------------- */

int ww_meta_leave1out(ww_meta_result *out, const double *yi, const double *vi, size_t k,
                      const ww_meta_pool_opts *opts)
{
    double *y = NULL, *v = NULL;
    int error;

    if (!opts) opts = &default_opts;
    if ((error = check_opts(opts)) < 0) return error;
    if (opts->method == WW_META_MH || opts->method == WW_META_PETO)
        return ww__error(WW_EUSAGE, "%s pools 2x2 tables: use ww_meta_leave1out_tables",
                         ww_meta_method_name(opts->method));
    if (k < 2) return ww__error(WW_EDATA, "leave-one-out needs at least 2 studies, got %zu", k);
    if ((error = check_yv(yi, vi, k)) < 0) return error;
    y = malloc((k - 1) * sizeof *y);
    v = malloc((k - 1) * sizeof *v);
    if (!y || !v) {
        error = ww__error_oom();
        goto done;
    }
    for (size_t i = 0; i < k; i++) {
        size_t n = 0;
        for (size_t j = 0; j < k; j++) {
            if (j == i) continue;
            y[n] = yi[j];
            v[n++] = vi[j];
        }
        if ((error = pool_iv(&out[i], NULL, y, v, n, opts)) < 0) goto done;
    }
done:
    free(v);
    free(y);
    return error;
}

int ww_meta_leave1out_tables(ww_meta_result *out, const ww_meta_table *tables, size_t k,
                             ww_meta_measure measure, const ww_meta_pool_opts *opts)
{
    ww_meta_table *sub;
    int error = 0;

    if (!opts) opts = &default_opts;
    if ((error = check_opts(opts)) < 0) return error;
    if (k < 2) return ww__error(WW_EDATA, "leave-one-out needs at least 2 studies, got %zu", k);
    if (!(sub = malloc((k - 1) * sizeof *sub))) return ww__error_oom();
    for (size_t i = 0; i < k && error == 0; i++) {
        size_t n = 0;
        for (size_t j = 0; j < k; j++)
            if (j != i) sub[n++] = tables[j];
        error = pool_tables(&out[i], NULL, sub, n, measure, opts);
    }
    free(sub);
    return error;
}

static int subgroup_test(ww_meta_subgroup_test *test, const ww_meta_result *g, size_t n_groups)
{
    double sw = 0, swy = 0, q = 0, mean;
    for (size_t j = 0; j < n_groups; j++) {
        if (!(g[j].se > 0))
            return ww__error(WW_EDATA, "subgroup %zu: standard error is 0; no test of differences",
                             j + 1);
        sw += 1 / (g[j].se * g[j].se);
        swy += g[j].estimate / (g[j].se * g[j].se);
    }
    mean = swy / sw;
    for (size_t j = 0; j < n_groups; j++)
        q += (g[j].estimate - mean) * (g[j].estimate - mean) / (g[j].se * g[j].se);
    test->n_groups = n_groups;
    test->q_between = q;
    test->q_between_df = (double)(n_groups - 1);
    test->q_between_p = gsl_cdf_chisq_Q(q, test->q_between_df);
    return 0;
}

static int check_groups(size_t *counts, const size_t *group, size_t k, size_t n_groups)
{
    if (n_groups < 2) return ww__error(WW_EDATA, "subgroup analysis needs at least 2 groups");
    for (size_t j = 0; j < n_groups; j++) counts[j] = 0;
    for (size_t i = 0; i < k; i++) {
        if (group[i] >= n_groups)
            return ww__error(WW_EDATA, "study %zu: subgroup %zu out of range", i + 1, group[i]);
        counts[group[i]]++;
    }
    for (size_t j = 0; j < n_groups; j++)
        if (counts[j] == 0) return ww__error(WW_EDATA, "subgroup %zu has no studies", j + 1);
    return 0;
}

int ww_meta_subgroups(ww_meta_result *per_group, ww_meta_subgroup_test *test, const double *yi,
                      const double *vi, const size_t *group, size_t k, size_t n_groups,
                      const ww_meta_pool_opts *opts)
{
    double *y = NULL, *v = NULL;
    size_t *counts = NULL;
    int error;

    if (!opts) opts = &default_opts;
    if ((error = check_opts(opts)) < 0) return error;
    if (opts->method == WW_META_MH || opts->method == WW_META_PETO)
        return ww__error(WW_EUSAGE, "%s pools 2x2 tables: use ww_meta_subgroups_tables",
                         ww_meta_method_name(opts->method));
    if ((error = check_yv(yi, vi, k)) < 0) return error;
    counts = malloc((n_groups ? n_groups : 1) * sizeof *counts);
    y = malloc((k ? k : 1) * sizeof *y);
    v = malloc((k ? k : 1) * sizeof *v);
    if (!counts || !y || !v) {
        error = ww__error_oom();
        goto done;
    }
    if ((error = check_groups(counts, group, k, n_groups)) < 0) goto done;
    for (size_t g = 0; g < n_groups; g++) {
        size_t n = 0;
        for (size_t i = 0; i < k; i++) {
            if (group[i] != g) continue;
            y[n] = yi[i];
            v[n++] = vi[i];
        }
        if ((error = pool_iv(&per_group[g], NULL, y, v, n, opts)) < 0) goto done;
    }
    error = subgroup_test(test, per_group, n_groups);
done:
    free(v);
    free(y);
    free(counts);
    return error;
}

int ww_meta_subgroups_tables(ww_meta_result *per_group, ww_meta_subgroup_test *test,
                             const ww_meta_table *tables, const size_t *group, size_t k,
                             size_t n_groups, ww_meta_measure measure, const ww_meta_pool_opts *opts)
{
    ww_meta_table *sub = NULL;
    size_t *counts = NULL;
    int error;

    if (!opts) opts = &default_opts;
    if ((error = check_opts(opts)) < 0) return error;
    counts = malloc((n_groups ? n_groups : 1) * sizeof *counts);
    sub = malloc((k ? k : 1) * sizeof *sub);
    if (!counts || !sub) {
        error = ww__error_oom();
        goto done;
    }
    if ((error = check_groups(counts, group, k, n_groups)) < 0) goto done;
    for (size_t g = 0; g < n_groups; g++) {
        size_t n = 0;
        for (size_t i = 0; i < k; i++)
            if (group[i] == g) sub[n++] = tables[i];
        if ((error = pool_tables(&per_group[g], NULL, sub, n, measure, opts)) < 0) goto done;
    }
    error = subgroup_test(test, per_group, n_groups);
done:
    free(sub);
    free(counts);
    return error;
}
