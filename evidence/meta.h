/*
 * meta.h — meta-analysis: pooling a set of study effects into one estimate,
 * with its heterogeneity, prediction interval and small-study diagnostics.
 * Pure functions over plain arrays: no I/O, no database, no global state.
 *
 * Every number is meant to agree with R's metafor (Viechtbauer 2010, J Stat
 * Softw 36(3); rma.uni, rma.mh, rma.peto, predict, regtest, trimfill and
 * leave1out in metafor 3.8) and, for Mantel-Haenszel and Peto, with RevMan 5
 * (Deeks & Higgins 2010, "Statistical algorithms in Review Manager 5").
 * Where the two differ the comment says which one is followed and why.
 * Confidence and prediction intervals are 95%. Distribution functions come
 * from GSL (gsl_cdf_*), root finding from GSL (gsl_root_fsolver_brent).
 *
 * Conventions: functions return 0 or a negative ww_error code and set the
 * thread's last error (ww_error_last()); out-parameters come first; arrays
 * the caller passes for output must hold the number of elements the comment
 * names; nothing returned needs freeing. Effects of ratio measures (OR, RR)
 * are on the log scale throughout.
 */
#ifndef WW_EVIDENCE_META_H
#define WW_EVIDENCE_META_H

#include <stddef.h>

#include "whatworks.h"

#include "effect.h"

/* ---- methods and measures ------------------------------------------------ */

/* ww_meta_method and ww_meta_measure, their names and predicates, are public
 * (include/whatworks.h). */

/* Which variance the Mantel-Haenszel risk difference uses. */
typedef enum ww_meta_rd_variance {
    /* Sato, Greenland & Robins (1989, Biometrics 45), consistent under both
     * large-strata and sparse-data limits; metafor's rma.mh. The default. */
    WW_META_RD_VAR_SGR = 0,
    /* Greenland & Robins (1985, Biometrics 41): sum (a b n2^3 + c d n1^3) /
     * (n1 n2 N^2) / (sum n1 n2 / N)^2; RevMan 5 (Deeks & Higgins 2010). */
    WW_META_RD_VAR_GR = 1
} ww_meta_rd_variance;

/* ---- options and results ------------------------------------------------- */

/* Options; zero-initialised means inverse-variance fixed effect, z test. */
typedef struct ww_meta_pool_opts {
    ww_meta_method method;
    /* Hartung & Knapp (2001, Stat Med 20) adjustment, also called
     * Hartung-Knapp-Sidik-Jonkman: the variance of the estimate is scaled by
     * sum w_i e_i^2 / (k - p) (w_i the random-effects weights, e_i the
     * residuals) and tested against t on k - p degrees of freedom, as
     * metafor's test="knha" does (no truncation of the scale at 1). Only for
     * random-effects methods. */
    int knha;
    /* Mantel-Haenszel risk difference only. */
    ww_meta_rd_variance rd_variance;
} ww_meta_pool_opts;

/* A pooled result. For ratio measures every location is a logarithm. */
typedef struct ww_meta_result {
    ww_meta_method method;
    int knha;               /* 1 when the test and intervals use Hartung-Knapp */
    size_t k;               /* studies that entered the pooled estimate */
    double estimate;        /* pooled effect */
    double se;              /* its standard error (Hartung-Knapp scaled when knha) */
    double ci_low, ci_high; /* 95% confidence interval */
    double stat;            /* z, or t when knha */
    double df;              /* t's degrees of freedom, k - 1; 0 for a z test */
    double p;               /* two-sided p for stat */
    double tau2, tau;       /* between-study variance and its root; 0 for FE/MH/PETO */
    /* Heterogeneity. q is Cochran's Q about the fixed-effect estimate with
     * weights 1/v_i (for MH about the MH estimate, as rma.mh and RevMan do;
     * for Peto the Yusuf et al. statistic), on q_df = k - 1 degrees of
     * freedom, q_p its upper chi-square tail. i2 is in percent. For
     * fixed-effect methods i2 = max(0, 100 (Q - df) / Q) and h2 = Q / df
     * (Higgins & Thompson 2002); for random effects, as metafor computes
     * them, i2 = 100 tau^2 / (tau^2 + s^2) and h2 = tau^2 / s^2 + 1 with
     * s^2 = df / tr(P) the typical within-study variance. */
    double i2, h2, q, q_df, q_p;
    /* 95% prediction interval for the effect in a new study, as metafor's
     * predict(): estimate -/+ crit * sqrt(se^2 + tau^2), crit from the normal
     * or, with knha, from t on k - 1 df. Equal to the CI for fixed effect. */
    double pi_low, pi_high;
    int iterations; /* REML Fisher scoring steps, PM root iterations; else 0 */
} ww_meta_result;

/* One study's 2x2 table. Arm 1 (a, b) is the intervention, arm 2 (c, d) the
 * comparison; a and c are the events. */
typedef struct ww_meta_table {
    double ai, bi, ci, di;
} ww_meta_table;

/* ---- pooling ------------------------------------------------------------- */

/*
 * Estimate tau^2 with a random-effects method (DL, REML, PM, HE, SJ; FE gives
 * 0) for effects yi with sampling variances vi (each > 0), k >= 2.
 * @param[out] tau2        the estimate, >= 0
 * @param[out] iterations  REML or PM iterations used; may be NULL
 * @return 0; WW_EDATA for k < 2, a non-finite value, vi <= 0, or (REML, PM)
 *         no convergence; WW_EUSAGE for MH or PETO
 */
int ww_meta_tau2(double *tau2, int *iterations, const double *yi, const double *vi, size_t k,
                 ww_meta_method method);

/*
 * Pool k effects yi with sampling variances vi by inverse variance: fixed
 * effect (FE) or a random-effects model (DL, REML, PM, HE, SJ). This is the
 * function the repository calls to store a synthesis.
 * @param[out] out          the pooled result
 * @param[out] weights_pct  k weights in percent (1/(v_i + tau^2) normalised),
 *                          or NULL
 * @param opts              NULL means FE with a z test
 * @return 0; WW_EDATA for k < 1 (k < 2 for random effects), non-finite yi or
 *         vi, vi <= 0, or no convergence; WW_EUSAGE for MH or PETO (use
 *         ww_meta_pool_tables) or knha with a fixed-effect method
 */
int ww_meta_pool(ww_meta_result *out, double *weights_pct, const double *yi, const double *vi,
                 size_t k, const ww_meta_pool_opts *opts);

/*
 * The effect and variance a method uses for one 2x2 table: for PETO Peto's
 * (O - E) / V and 1 / V; otherwise the log OR, log RR or RD from effect.h
 * (escalc's conventions, 0.5 added to every cell of a table with a zero).
 * For MH and PETO, as metafor's drop00, a table with no events, or no
 * non-events, in both arms is not estimable: yi and vi are NAN and the table
 * is left out of Q (it still enters the MH estimate).
 * @return 0; WW_EDATA for a negative or non-finite cell, an empty arm, or a
 *         measure other than OR, RR, RD (PETO: OR only)
 */
int ww_meta_table_effect(ww_effect *out, const ww_meta_table *table, ww_meta_measure measure,
                         ww_meta_method method);

/*
 * Pool k 2x2 tables. MH pools OR, RR or RD by Mantel-Haenszel; PETO pools the
 * OR by Peto's method; any other method computes each table's effect with
 * ww_meta_table_effect() and calls ww_meta_pool().
 * @param[out] weights_pct  k weights in percent, or NULL: MH weights
 *                          (OR b c / N, RR c n1 / N, RD n1 n2 / N, as RevMan),
 *                          Peto's V_i, or the inverse-variance weights
 * @return 0; WW_EDATA for invalid tables, an estimate that does not exist
 *         (for example no events in either arm of any table), or k too
 *         small; WW_EUSAGE for a measure the method cannot pool, or knha
 *         with a fixed-effect method
 */
int ww_meta_pool_tables(ww_meta_result *out, double *weights_pct, const ww_meta_table *tables,
                        size_t k, ww_meta_measure measure, const ww_meta_pool_opts *opts);

/* ---- small-study effects ------------------------------------------------- */

/* Egger's regression test (Egger, Davey Smith, Schneider & Minder 1997, BMJ
 * 315) in metafor's regtest() default form: the meta-regression
 * y_i = b0 + b1 sqrt(v_i) fitted with the same method as the meta-analysis
 * (a weighted fixed-effect regression for FE, MH and PETO; a mixed-effects
 * model with tau^2 re-estimated otherwise), testing b1 = 0 with z, or t on
 * k - 2 df with knha. b0 is the "limit estimate" for a study of infinite
 * precision. */
typedef struct ww_meta_egger_result {
    double intercept; /* b0 */
    double slope;     /* b1, the coefficient of sqrt(v_i) */
    double slope_se;
    double stat; /* z, or t with knha */
    double df;   /* t's degrees of freedom, k - 2; 0 for z */
    double p;
    double tau2; /* residual tau^2 of the regression; 0 for fixed effect */
} ww_meta_egger_result;

/*
 * Egger's test on k >= 3 effects. For MH and PETO pass the per-study effects
 * of ww_meta_table_effect(); the regression is then fixed-effect, as metafor
 * runs regtest() on rma.mh and rma.peto fits.
 * @return 0; WW_EDATA for k < 3, invalid yi/vi, all variances equal (the
 *         regression has no slope), or no convergence
 */
int ww_meta_egger(ww_meta_egger_result *out, const double *yi, const double *vi, size_t k,
                  const ww_meta_pool_opts *opts);

/* The result of trim and fill. */
typedef struct ww_meta_trimfill_result {
    size_t k0;               /* studies estimated missing and filled in */
    double se_k0;            /* standard error of the L0 estimate of k0 */
    int side;                /* -1: missing on the left; +1: on the right */
    ww_meta_result adjusted; /* the model refitted on observed + filled */
} ww_meta_trimfill_result;

/*
 * Trim and fill (Duval & Tweedie 2000, Biometrics 56 and JASA 95) with the L0
 * estimator, as metafor's trimfill(): the side is the one the Egger-type
 * regression of y on sqrt(v) (same method) points away from (slope < 0:
 * studies missing on the right); the pooled estimate is iterated on the
 * trimmed studies until k0 repeats, k0 rounded half to even as R's round();
 * the k0 most extreme studies are mirrored about the last trimmed estimate
 * and the model refitted on all k + k0. As trimfill() does, every fit uses
 * the method of opts but a z test (its refits do not carry knha).
 * MH and PETO are treated as FE on the per-study effects.
 * @param[out] fill_yi, fill_vi  the filled effects, room for k each (only the
 *                               first out->k0 are written); may be NULL
 * @return 0; WW_EDATA for k < 3, invalid yi/vi, equal variances, no
 *         convergence within 100 rounds, or too few studies left after trimming
 */
int ww_meta_trimfill(ww_meta_trimfill_result *out, double *fill_yi, double *fill_vi,
                     const double *yi, const double *vi, size_t k, const ww_meta_pool_opts *opts);

/* ---- sensitivity and subgroups ------------------------------------------- */

/*
 * Leave-one-out: out[i] is the model fitted without study i (metafor's
 * leave1out()), for k >= 2 studies. A random-effects fit of a single study
 * has tau^2 = 0, as in metafor.
 * @param[out] out  k results
 * @return 0; WW_EDATA, WW_EUSAGE as ww_meta_pool(); WW_ENOMEM
 */
int ww_meta_leave1out(ww_meta_result *out, const double *yi, const double *vi, size_t k,
                      const ww_meta_pool_opts *opts);

/* The same for 2x2 tables and any method of ww_meta_pool_tables(). */
int ww_meta_leave1out_tables(ww_meta_result *out, const ww_meta_table *tables, size_t k,
                             ww_meta_measure measure, const ww_meta_pool_opts *opts);

/* The test for subgroup differences. */
typedef struct ww_meta_subgroup_test {
    size_t n_groups;
    /* Q-between: Cochran's Q of the subgroup estimates about their
     * inverse-variance mean, with weights 1/se_j^2 of each subgroup's own
     * model (tau^2 estimated separately in each subgroup), on n_groups - 1
     * df. This is RevMan's test for subgroup differences (Deeks, Altman &
     * Bradburn 2001) and metafor's rma(est, sei = se, mods = ~ group,
     * method = "FE") on the subgroup results; for FE it equals
     * Q_total - sum Q_within. */
    double q_between, q_between_df, q_between_p;
} ww_meta_subgroup_test;

/*
 * Pool within subgroups and test the difference. group[i] in [0, n_groups)
 * names study i's subgroup; every subgroup needs at least one study (a
 * subgroup of one is pooled with tau^2 = 0 and a z test).
 * @param[out] per_group  n_groups results
 * @return 0; WW_EDATA for an empty or out-of-range group, fewer than two
 *         groups, or as ww_meta_pool(); WW_ENOMEM
 */
int ww_meta_subgroups(ww_meta_result *per_group, ww_meta_subgroup_test *test, const double *yi,
                      const double *vi, const size_t *group, size_t k, size_t n_groups,
                      const ww_meta_pool_opts *opts);

/* The same for 2x2 tables and any method of ww_meta_pool_tables(). */
int ww_meta_subgroups_tables(ww_meta_result *per_group, ww_meta_subgroup_test *test,
                             const ww_meta_table *tables, const size_t *group, size_t k,
                             size_t n_groups, ww_meta_measure measure,
                             const ww_meta_pool_opts *opts);

/* ---- RevMan 5's methods ---------------------------------------------------
 *
 * RevMan 5 pools as Deeks & Higgins (2010), "Statistical algorithms in Review
 * Manager 5", describe, which differs from metafor in places; these functions
 * (meta_revman.c) reproduce RevMan's stored results (on Cochrane's CD000023,
 * all 41 analyses to about 1e-13; docs/revman.md):
 *  - Rows: 2x2 tables with no events in both arms are left out (for OR and
 *    Peto also those with only events in both); RD keeps every table.
 *  - A row's inverse-variance effect: OR and RR with 0.5 added to every cell
 *    of a table with a zero cell; RD from the raw counts, its variance from
 *    the corrected cells; Peto (O - E) / V and 1 / V, uncorrected.
 *  - Fixed effect: Mantel-Haenszel with 0.5 added to every cell of a table
 *    with a zero cell for OR and RR (RD: raw counts, the Greenland & Robins
 *    variance); Peto's method on the raw tables; else inverse variance.
 *  - Heterogeneity: Q about the fixed-effect estimate (for MH about the MH
 *    estimate) with the rows' inverse-variance weights, on k - 1 df;
 *    I^2 = 100 (Q - df) / Q, 0 when Q <= df or k = 1.
 *  - Random effects: DerSimonian & Laird with tau^2 from that Q, then
 *    weights 1 / (v_i + tau^2) and a z test; a single study has tau^2 = 0.
 */

/* How RevMan pools a dichotomous outcome (its METHOD attribute). */
typedef enum ww_meta_revman_method {
    WW_META_REVMAN_MH = 0, /* Mantel-Haenszel */
    WW_META_REVMAN_PETO,   /* Peto's odds ratio */
    WW_META_REVMAN_IV      /* inverse variance */
} ww_meta_revman_method;

/* A pooled result as RevMan reports it. Ratios on the log scale. */
typedef struct ww_meta_revman_result {
    size_t k;        /* rows pooled, after RevMan's exclusions */
    double estimate; /* pooled effect */
    double se;       /* its standard error */
    double tau2;     /* DerSimonian-Laird tau^2; 0 for fixed effect */
    double q;        /* heterogeneity Q (RevMan's CHI2); 0 for one row */
    double i2;       /* percent */
    double z;        /* |estimate / se|, as RevMan stores Z */
} ww_meta_revman_result;

/* The two-sided normal critical value of a confidence level in percent
 * (95 gives 1.959963984540054), from GSL; NAN outside (0, 100). */
double ww_meta_normal_crit(double level_pct);

/* RevMan's effect of a continuous row: MD m1 - m2 with sd1^2/n1 + sd2^2/n2;
 * with smd, Hedges' adjusted g with J = 1 - 3 / (4N - 9) and RevMan's
 * variance N / (n1 n2) + g^2 / (2 (N - 3.94)), not metafor's. No checks:
 * the caller has validated the row. */
void ww_meta_revman_continuous(ww_effect *out, int smd, double m1, double sd1, double n1, double m2,
                               double sd2, double n2);

/*
 * Pool n 2x2 tables as RevMan does, by method, fixed or random effects.
 * @return 0; WW_EDATA when every table is left out ("every row has no
 *         events, or only events, in both arms"), for PETO with a measure
 *         other than OR, or when pooling fails; WW_EUSAGE for a measure
 *         other than OR, RR, RD; WW_ENOMEM
 */
int ww_meta_revman_pool_tables(ww_meta_revman_result *out, const ww_meta_table *tables, size_t n,
                               ww_meta_measure measure, ww_meta_revman_method method, int random);

/* Pool k effects with their variances (continuous and generic rows) by
 * inverse variance as RevMan does: fixed, or DerSimonian-Laird random
 * effects (k = 1: tau^2 = 0). Returns as ww_meta_pool(). */
int ww_meta_revman_pool(ww_meta_revman_result *out, const double *yi, const double *vi, size_t k,
                        int random);

#endif
