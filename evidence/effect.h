/*
 * effect.h — effect sizes and their sampling variances from raw statistics,
 * following R metafor's escalc() conventions (Viechtbauer 2010, J Stat Softw
 * 36(3); metafor's escalc documentation), with large-sample variances
 * (vtype "LS"). Pure functions: no I/O, no allocation.
 *
 * Arm 1 is the intervention, arm 2 the comparison: a positive SMD means the
 * intervention group scored higher. Direction (whether higher is better) is
 * applied by the caller, not here. (WWC's published Effect_Size_WWC keeps
 * this raw sign in all but a handful of findings, while its improvement
 * index is flipped where lower is better; see tests/test_effect.c.)
 *
 * Every function that can fail returns 0, WW_EDATA when an input is
 * invalid (the message names the field: "sd_treatment: must be > 0, got
 * -1.2"), or WW_EUSAGE when out is NULL. Field names in messages:
 * mean_/sd_/n_treatment (m1, sd1, n1), mean_/sd_/n_comparison (m2, sd2, n2),
 * events_/nonevents_treatment (ai, bi), events_/nonevents_comparison
 * (ci, di), r, n_pairs, estimate, ci_low, ci_high. Non-finite inputs are
 * always invalid. On failure *out holds yi = vi = NaN.
 */
#ifndef WW_EVIDENCE_EFFECT_H
#define WW_EVIDENCE_EFFECT_H

/* Which small-sample correction turned Cohen's d into Hedges' g. */
typedef enum ww_smd_correction {
    /* exact: J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)), m = n1+n2-2;
     * Hedges 1981, as metafor's escalc computes it. */
    WW_SMD_EXACT = 0,
    /* approximate: 1 - 3/(4N - 9), N = n1+n2; WWC Procedures and
     * Standards Handbook (v4.1, appendix E), as WWC's own g uses it. */
    WW_SMD_WWC_APPROX = 1
} ww_smd_correction;

/* An effect size and its sampling variance on the metric's own scale
 * (log scale for OR and RR). */
typedef struct ww_effect {
    double yi;
    double vi;
    int cells_adjusted; /* 1 when 0.5 was added to each cell of a 2x2 table */
} ww_effect;

/* Metric names as stored: "SMD", "MD", "OR" (log), "RR" (log), "RD", "ZCOR". */

/* Hedges' g: (m1 - m2) / pooled SD (n1 + n2 - 2 df), times the correction
 * corr. Needs n1, n2 >= 2 and sd1, sd2 > 0 (sample sizes need not be whole
 * numbers). vi = 1/n1 + 1/n2 + g^2/(2(n1+n2)) (metafor vtype "LS", Hedges
 * 1982 eq. 8). An unknown corr is WW_EUSAGE. */
int ww_effect_smd(ww_effect *out, double m1, double sd1, double n1, double m2, double sd2,
                  double n2, ww_smd_correction corr);

/* Raw mean difference m1 - m2, vi = sd1^2/n1 + sd2^2/n2 (vtype "LS", no
 * equal-variance assumption). Same checks as ww_effect_smd(). */
int ww_effect_md(ww_effect *out, double m1, double sd1, double n1, double m2, double sd2,
                 double n2);

/* 2x2 table: ai events / bi non-events in arm 1, ci / di in arm 2. Cells
 * must be >= 0 (a negative non-event count is reported as "events larger
 * than the group size") and each arm needs someone in it; cells need not be
 * whole numbers.
 * A table with a zero cell has 0.5 added to every cell (escalc add=1/2,
 * to="only0"), for OR, RR and RD alike, as metafor does (RevMan, by
 * contrast, leaves RD uncorrected); cells_adjusted is then 1. Tables with no
 * events, or only events, in both arms are kept, as with escalc's default
 * drop00=FALSE: they give a finite effect near 0 with a large variance; a
 * caller that wants Cochrane's exclusion tests ai + ci == 0 || bi + di == 0.
 * Log odds ratio, vi = 1/a + 1/b + 1/c + 1/d. */
int ww_effect_log_or(ww_effect *out, double ai, double bi, double ci, double di);
/* Log risk ratio, vi = 1/a - 1/(a+b) + 1/c - 1/(c+d). */
int ww_effect_log_rr(ww_effect *out, double ai, double bi, double ci, double di);
/* Risk difference p1 - p2, vi = p1(1-p1)/n1 + p2(1-p2)/n2 (vtype "LS"),
 * from the adjusted cells when a cell is zero. */
int ww_effect_rd(ww_effect *out, double ai, double bi, double ci, double di);

/* Fisher's z of a correlation r from n pairs: atanh(r), vi = 1/(n-3).
 * Needs -1 < r < 1 and n > 3. */
int ww_effect_zcor(ww_effect *out, double r, double n);

/* From a reported estimate and its 95% CI: the variance is
 * ((high - low) / (2 * z))^2 with z = Phi^-1(0.975) = 1.959964..., on the
 * log scale when log_scale is set (then estimate and bounds must be > 0 and
 * are logged here). Needs ci_low < ci_high and the estimate within them. */
int ww_effect_from_ci(ww_effect *out, double estimate, double ci_low, double ci_high,
                      int log_scale);

/* Conversions onto the SMD scale for ranking (Borenstein et al. 2009,
 * Introduction to Meta-Analysis, ch. 7): d = log OR * sqrt(3)/pi,
 * var(d) = var(log OR) * 3/pi^2 (metafor's measure "OR2DL").
 * cells_adjusted is carried over. */
ww_effect ww_effect_log_or_to_smd(ww_effect e);

/* WWC improvement index: (Phi(g) - 0.5) * 100 (WWC Handbook), unrounded;
 * WWC publishes it rounded to a whole number. NaN in, NaN out. */
double ww_effect_improvement_index(double g);

#endif
