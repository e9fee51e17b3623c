/*
 * meta_revman.c — RevMan 5's own pooling methods, as a method family beside
 * metafor's in meta.c (meta.h, "RevMan 5's methods"). The RevMan importer
 * re-pools each analysis of a review with these to check the pooled results
 * RevMan stored; anything that wants RevMan's numbers rather than metafor's
 * can call them too. Deeks & Higgins (2010), "Statistical algorithms in
 * Review Manager 5", as R's meta package follows them for RevMan (metabin
 * with RR.Cochrane, Q.Cochrane and MH.exact = FALSE; metacont with
 * exact.smd = FALSE). Pure functions: no I/O, no global state.
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "../util/util.h"
#include "meta.h"

double ww_meta_normal_crit(double level_pct)
{
    if (!(level_pct > 0 && level_pct < 100)) return NAN;
    return gsl_cdf_ugaussian_Pinv(1 - (1 - level_pct / 100) / 2);
}

void ww_meta_revman_continuous(ww_effect *out, int smd, double m1, double sd1, double n1, double m2,
                               double sd2, double n2)
{
    out->cells_adjusted = 0;
    if (smd) {
        double n = n1 + n2;
        double s = sqrt(((n1 - 1) * sd1 * sd1 + (n2 - 1) * sd2 * sd2) / (n - 2));
        double g = (m1 - m2) / s * (1 - 3 / (4 * n - 9));
        out->yi = g;
        out->vi = n / (n1 * n2) + g * g / (2 * (n - 3.94));
    } else {
        out->yi = m1 - m2;
        out->vi = sd1 * sd1 / n1 + sd2 * sd2 / n2;
    }
}

/* 1 for a table RevMan leaves out of a pooled result: no events in both
 * arms (for OR and Peto also only events in both); RD keeps every table. */
static int table_left_out(const ww_meta_table *t, ww_meta_measure m, ww_meta_revman_method method)
{
    if (m == WW_META_RD) return 0;
    if (m == WW_META_RR && method != WW_META_REVMAN_PETO) return t->ai == 0 && t->ci == 0;
    return (t->ai == 0 && t->ci == 0) || (t->bi == 0 && t->di == 0);
}

/* A table's inverse-variance effect and variance as RevMan computes them:
 * Peto (O - E) / V and 1 / V, uncorrected; RD from the raw counts, its
 * variance from the corrected cells; OR and RR as effect.h (0.5 added to
 * every cell of a table with a zero cell). */
static int table_effect(double *y, double *v, const ww_meta_table *t, ww_meta_measure m,
                        ww_meta_revman_method method)
{
    double a = t->ai, b = t->bi, c = t->ci, d = t->di, n1 = a + b, n2 = c + d;
    ww_effect e;
    int error;
    if (method == WW_META_REVMAN_PETO) {
        double n = n1 + n2, var = (a + c) * (b + d) * (n1 / n) * (n2 / n) / (n - 1);
        *y = (a - (a + c) * n1 / n) / var;
        *v = 1 / var;
        return 0;
    }
    if (m == WW_META_RD) {
        *y = a / n1 - c / n2;
        if (a * b * c * d == 0) {
            a += 0.5, b += 0.5, c += 0.5, d += 0.5;
            n1 += 1, n2 += 1;
        }
        *v = a * b / (n1 * n1 * n1) + c * d / (n2 * n2 * n2);
        return 0;
    }
    error = m == WW_META_OR ? ww_effect_log_or(&e, a, b, c, d) : ww_effect_log_rr(&e, a, b, c, d);
    *y = e.yi;
    *v = e.vi;
    return error;
}

/* DerSimonian-Laird random effects from a given Q, as RevMan does after
 * Mantel-Haenszel: tau^2 = max(0, (Q - df) / (sum w - sum w^2 / sum w)),
 * w = 1 / v, then weights 1 / (v + tau^2). */
static void dl_from_q(double *est, double *se, double *tau2, const double *y, const double *v,
                      size_t k, double q)
{
    double sw = 0, sw2 = 0, swy = 0;
    for (size_t i = 0; i < k; i++) {
        sw += 1 / v[i];
        sw2 += 1 / (v[i] * v[i]);
    }
    *tau2 = k > 1 ? fmax(0, (q - ((double)k - 1)) / (sw - sw2 / sw)) : 0;
    sw = 0;
    for (size_t i = 0; i < k; i++) {
        double w = 1 / (v[i] + *tau2);
        sw += w;
        swy += w * y[i];
    }
    *est = swy / sw;
    *se = sqrt(1 / sw);
}

/* Heterogeneity and the test, RevMan's way: Q is 0 for a single study,
 * I^2 = 100 (Q - df) / Q, 0 when Q <= df; RevMan stores |z|. */
static void finish(ww_meta_revman_result *out, size_t k, double est, double se, double tau2,
                   double q)
{
    double df = (double)k - 1;
    out->k = k;
    out->estimate = est;
    out->se = se;
    out->tau2 = tau2;
    out->q = k > 1 ? q : 0;
    out->i2 = k > 1 && out->q > df ? 100 * (out->q - df) / out->q : 0;
    out->z = fabs(est / se);
}

int ww_meta_revman_pool(ww_meta_revman_result *out, const double *yi, const double *vi, size_t k,
                        int random)
{
    ww_meta_pool_opts opts = {random && k > 1 ? WW_META_DL : WW_META_FE, 0, WW_META_RD_VAR_SGR};
    ww_meta_result res;
    int error;
    if ((error = ww_meta_pool(&res, NULL, yi, vi, k, &opts)) < 0) return error;
    finish(out, k, res.estimate, res.se, res.tau2, res.q);
    return 0;
}

int ww_meta_revman_pool_tables(ww_meta_revman_result *out, const ww_meta_table *tables, size_t n,
                               ww_meta_measure measure, ww_meta_revman_method method, int random)
{
    ww_meta_table *t = NULL;
    ww_meta_result res;
    double *y = NULL, *v = NULL, est = 0, se = 0, q = 0, tau2 = 0;
    size_t k = 0;
    int error = 0;

    if (measure != WW_META_OR && measure != WW_META_RR && measure != WW_META_RD)
        return ww__error(WW_EUSAGE, "RevMan pools 2x2 tables as OR, RR or RD");
    if (method == WW_META_REVMAN_PETO && measure != WW_META_OR)
        return ww__error(WW_EDATA, "Peto's method pools odds ratios only");
    t = malloc((n ? n : 1) * sizeof *t);
    y = malloc((n ? n : 1) * sizeof *y);
    v = malloc((n ? n : 1) * sizeof *v);
    if (!t || !y || !v) {
        error = ww__error_oom();
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        ww_meta_table tab = tables[i];
        if (table_left_out(&tab, measure, method)) continue;
        if ((error = table_effect(&y[k], &v[k], &tab, measure, method)) < 0) goto done;
        /* RevMan adds 0.5 to every cell of a table with a zero cell in the
         * Mantel-Haenszel estimate too (metafor's rma.mh does not). */
        if (method == WW_META_REVMAN_MH && measure != WW_META_RD &&
            tab.ai * tab.bi * tab.ci * tab.di == 0) {
            tab.ai += 0.5;
            tab.bi += 0.5;
            tab.ci += 0.5;
            tab.di += 0.5;
        }
        t[k++] = tab;
    }
    if (k == 0) {
        error = ww__error(WW_EDATA, "every row has no events, or only events, in both arms");
        goto done;
    }
    if (method == WW_META_REVMAN_MH) {
        /* Greenland & Robins' RD variance; Q about the MH estimate with the
         * rows' inverse-variance weights, and tau^2 from that Q (no meta.c
         * method does either). */
        ww_meta_pool_opts opts = {WW_META_MH, 0, WW_META_RD_VAR_GR};
        if ((error = ww_meta_pool_tables(&res, NULL, t, k, measure, &opts)) < 0) goto done;
        est = res.estimate;
        se = res.se;
        for (size_t i = 0; i < k && k > 1; i++) q += (y[i] - est) * (y[i] - est) / v[i];
        if (random) dl_from_q(&est, &se, &tau2, y, v, k, q);
    } else if (method == WW_META_REVMAN_PETO && !random) {
        ww_meta_pool_opts opts = {WW_META_PETO, 0, WW_META_RD_VAR_SGR};
        if ((error = ww_meta_pool_tables(&res, NULL, t, k, WW_META_OR, &opts)) < 0) goto done;
        est = res.estimate;
        se = res.se;
        q = res.q;
    } else {
        /* inverse variance; Peto's random effects pool (O - E) / V likewise */
        ww_meta_revman_result iv;
        if ((error = ww_meta_revman_pool(&iv, y, v, k, random)) < 0) goto done;
        *out = iv;
        goto done;
    }
    finish(out, k, est, se, tau2, q);
done:
    free(v);
    free(y);
    free(t);
    return error;
}
