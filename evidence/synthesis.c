/*
 * synthesis.c — one pooled effect per intervention and outcome domain. The
 * choices (one scale, one value per study, REML) are documented in
 * docs/ranking.md; the pooling itself is meta.c's.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "meta.h"
#include "synthesis.h"

int ww_synth_to_smd(double *yi_out, double *vi_out, const ww_synth_effect *e)
{
    double sign = e->higher_is_better ? 1.0 : -1.0;
    if (strcmp(e->metric, "SMD") == 0) {
        *yi_out = sign * e->yi;
        *vi_out = e->vi;
        return 1;
    }
    if (strcmp(e->metric, "OR") == 0) {
        const double k = sqrt(3.0) / M_PI;
        *yi_out = sign * e->yi * k;
        *vi_out = e->vi * k * k;
        return 1;
    }
    if (strcmp(e->metric, "ZCOR") == 0) {
        /* r = tanh(z); d = 2r / sqrt(1 - r^2); var(d) = 4 var(r) / (1 - r^2)^3
         * with var(r) = (1 - r^2)^2 var(z) by the delta method. */
        double r = tanh(e->yi), one = 1 - r * r;
        *yi_out = sign * 2 * r / sqrt(one);
        *vi_out = 4 * e->vi / one;
        return 1;
    }
    return 0;
}

int ww_synthesise(ww_synth_result *out, ww_synth_study *studies, const ww_synth_effect *effects,
                  size_t n)
{
    double *yi = NULL, *vi = NULL, *weights = NULL;
    long *n_study = NULL;
    int *count = NULL;
    int64_t *ids = NULL;
    size_t k = 0;
    ww_meta_pool_opts opts = {0};
    ww_meta_result res;
    int error = 0;

    memset(out, 0, sizeof *out);
    out->estimate = out->se = out->ci_low = out->ci_high = NAN;
    out->tau2 = out->i2 = out->q = out->pi_low = out->pi_high = out->egger_p = NAN;
    out->method = "none";
    if (!n) return 0;
    if (!(yi = calloc(n, sizeof *yi)) || !(vi = calloc(n, sizeof *vi)) ||
        !(n_study = calloc(n, sizeof *n_study)) || !(count = calloc(n, sizeof *count)) ||
        !(ids = calloc(n, sizeof *ids)) || !(weights = calloc(n, sizeof *weights))) {
        error = ww__error_oom();
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        double y, v;
        size_t s;
        if (!ww_synth_to_smd(&y, &v, &effects[i])) {
            out->n_other_scale++;
            continue;
        }
        if (!isfinite(y) || !isfinite(v) || v <= 0) {
            error = ww__error(WW_EDATA, "effect of study %lld has no usable variance",
                              (long long)effects[i].study_id);
            goto done;
        }
        for (s = 0; s < k && ids[s] != effects[i].study_id; s++)
            ;
        if (s == k) {
            ids[k] = effects[i].study_id;
            n_study[k] = -1;
            k++;
        }
        yi[s] += y;
        vi[s] += v;
        count[s]++;
        if (effects[i].n_participants > n_study[s]) n_study[s] = effects[i].n_participants;
        out->n_effects++;
    }
    for (size_t s = 0; s < k; s++) {
        yi[s] /= count[s];
        vi[s] /= count[s];
        if (n_study[s] > 0) out->n_participants += n_study[s];
        else out->k_without_n++;
    }
    /* Unknown is not zero: with no study reporting its N, N is unknown. */
    if (k && (size_t)out->k_without_n == k) out->n_participants = -1;
    out->k = (int)k;
    if (!k) goto done;

    opts.method = k > 1 ? WW_META_REML : WW_META_FE;
    error = ww_meta_pool(&res, weights, yi, vi, k, &opts);
    if (error == WW_EDATA && opts.method == WW_META_REML) {
        opts.method = WW_META_DL;
        error = ww_meta_pool(&res, weights, yi, vi, k, &opts);
    }
    if (error < 0) goto done;
    out->meta = res;
    if (k >= 3) {
        /* Egger's regression; equal variances give no slope: no test. */
        ww_meta_egger_result eg;
        if (ww_meta_egger(&eg, yi, vi, k, &opts) == 0) out->egger_p = eg.p;
        ww_error_clear();
    }
    for (size_t s = 0; studies && s < k; s++) {
        studies[s].study_id = ids[s];
        studies[s].yi = yi[s];
        studies[s].vi = vi[s];
        studies[s].weight_pct = weights[s];
    }
    out->method = opts.method == WW_META_FE ? "FE" : opts.method == WW_META_REML ? "REML" : "DL";
    out->estimate = res.estimate;
    out->se = res.se;
    out->ci_low = res.ci_low;
    out->ci_high = res.ci_high;
    if (k > 1) {
        out->tau2 = res.tau2;
        out->i2 = res.i2;
        out->q = res.q;
        out->pi_low = res.pi_low;
        out->pi_high = res.pi_high;
    }
done:
    free(yi);
    free(vi);
    free(n_study);
    free(count);
    free(ids);
    free(weights);
    return error;
}
