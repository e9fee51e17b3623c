/*
 * synthesis.h — the pooled effect of one intervention on one outcome domain,
 * from the effects stored for it: every effect put on one scale (SMD,
 * positive = beneficial), one value per study, then pooled. The repository
 * stores the result after each import; queries rank on it. Pure: no I/O.
 */
#ifndef WW_EVIDENCE_SYNTHESIS_H
#define WW_EVIDENCE_SYNTHESIS_H

#include <stddef.h>
#include <stdint.h>

#include "meta.h"

/* One stored effect, as the synthesis needs it. */
typedef struct ww_synth_effect {
    int64_t study_id;
    const char *metric;   /* "SMD", "MD", "OR", "RR", "RD", "ZCOR" */
    double yi, vi;        /* in the source's direction, on the metric's scale */
    int higher_is_better;
    long n_participants;  /* -1 unknown */
} ww_synth_effect;

typedef struct ww_synth_result {
    int k;                  /* studies pooled */
    int n_effects;          /* effects that entered */
    int n_other_scale;      /* effects left out: no conversion to SMD */
    long n_participants;    /* sum over pooled studies of their largest N, over
                             * the studies that report one; -1 when none does */
    int k_without_n;        /* pooled studies that report no N */
    const char *method;     /* "FE" (one study), "REML", or "DL" */
    double estimate, se, ci_low, ci_high;
    double tau2, i2, q, pi_low, pi_high; /* NAN for one study */
    double egger_p;         /* Egger's test p for k >= 3; NAN otherwise or
                             * when the regression has no slope */
    double egger_intercept, egger_slope; /* its fit y = b0 + b1 se (the
                             * funnel plot's line); NAN when egger_p is */
    ww_meta_result meta;    /* the pooled fit itself (for certainty grading) */
} ww_synth_result;

/* One pooled study: its converted effect and its weight in the pool. */
typedef struct ww_synth_study {
    int64_t study_id;
    double yi, vi;       /* SMD scale, positive = beneficial, study mean */
    double weight_pct;
    long n_participants; /* the largest N of its effects; -1 unknown */
} ww_synth_study;

/*
 * Put one effect on the SMD scale with positive = beneficial: an SMD as it
 * is; a log odds ratio times sqrt(3)/pi, its variance times 3/pi^2
 * (Hasselblad & Hedges 1995; Borenstein et al. 2009, Introduction to
 * Meta-Analysis, ch. 7); Fisher's z to d = 2r/sqrt(1-r^2) with the delta
 * method variance (Borenstein et al. 2009, ch. 7). Sign flipped when lower
 * is better. Returns 1 when converted, 0 when the metric cannot be put on
 * the SMD scale without more information (MD, RR, RD).
 */
int ww_synth_to_smd(double *yi_out, double *vi_out, const ww_synth_effect *e);

/*
 * Pool effects (all of one intervention and outcome domain): convert each
 * with ww_synth_to_smd(), average each study's converted effects and their
 * variances (treating them as perfectly correlated: conservative), then pool
 * the studies: fixed effect for one, REML random effects for more
 * (DerSimonian-Laird when REML does not converge).
 * @param[out] studies  optional (NULL, or room for n): the out->k pooled
 *                      studies with their effects and weights
 * @return 0 (out->k may be 0 when nothing was convertible), WW_ENOMEM,
 *         WW_EDATA for a non-finite or non-positive variance
 */
int ww_synthesise(ww_synth_result *out, ww_synth_study *studies, const ww_synth_effect *effects,
                  size_t n);

/* One study's 95% confidence interval on the pooled scale: yi -/+ 1.96
 * sqrt(vi), the normal interval a forest plot draws. */
void ww_synth_study_ci(double *lo, double *hi, const ww_synth_study *study);

/* A funnel plot's lines at standard error se (Sterne & Egger 2001, J Clin
 * Epidemiol 54; Sterne et al. 2011, BMJ 343:d4002): the pseudo-95%
 * confidence limits estimate -/+ 1.96 se about the pooled estimate (where
 * 95% of studies would lie without heterogeneity or small-study effects),
 * and Egger's regression line b0 + b1 se (NAN without a fit). */
typedef struct ww_funnel_at {
    double lo, hi, egger;
} ww_funnel_at;
void ww_synth_funnel_at(ww_funnel_at *out, const ww_synth_result *r, double se);

#endif
