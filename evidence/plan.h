/*
 * plan.h — the statistical power of a pilot (DESIGN.md section 4, `plan`):
 * the minimum detectable effect size (MDES) of a design, and the smallest
 * sample, number of clusters or cluster size that detects a given effect,
 * for individually and cluster-randomised two-arm trials with baseline
 * covariates. docs/plan.md states each formula with its source:
 *
 *   individual  MDES = M(n - g - 2) * sqrt((1 - R1^2) / (P (1 - P) n))
 *               (Bloom 1995; Dong & Maynard 2013, PowerUp! model 1.0, IRA)
 *   cluster     MDES = M(J - g - 2) * sqrt(rho (1 - R2^2) / (P (1 - P) J)
 *                                     + (1 - rho)(1 - R1^2) / (P (1 - P) J m))
 *               (Bloom, Richburg-Hayes & Black 2007; Dong & Maynard 2013,
 *               model 3.1, CRA2_2r)
 *
 * with the multiplier M(df) = t(1 - alpha/2, df) + t(power, df) for a
 * two-sided test (t quantiles from GSL), n analysed individuals, J clusters
 * of m analysed individuals each, P the share assigned to treatment, g
 * covariates at the randomised level, R1^2 and R2^2 the shares of the
 * individual- and cluster-level variance they explain, and rho the ICC.
 *
 * Pure functions over plain values: no I/O. Each returns 0 or a negative
 * ww_error code (WW_EUSAGE for an invalid design, with a message naming the
 * value) and sets the thread's last error.
 */
#ifndef WW_EVIDENCE_PLAN_H
#define WW_EVIDENCE_PLAN_H

#include <stddef.h>

/* The version of the method below, printed with every plan. */
#define WW_PLAN_RULES_VERSION "bloom-mdes-t/1"

/* Sample sizes are searched up to this many individuals (or clusters);
 * anything larger is reported as beyond reach rather than computed. */
#define WW_PLAN_MAX_N 100000000L

/* A design's parameters other than its size. */
typedef struct ww_plan_design {
    double alpha;         /* two-sided significance level, 0 < alpha < 1 */
    double power;         /* 1 - beta, alpha < power < 1 */
    double treated_share; /* P, 0 < P < 1 */
    double r2_individual; /* R1^2, 0 <= R^2 < 1 */
    double r2_cluster;    /* R2^2, 0 <= R^2 < 1 (cluster designs only) */
    int covariates;       /* g: covariates at the randomised level (they
                             cost degrees of freedom), >= 0 */
    int clustered;        /* 1: clusters are randomised */
    double icc;           /* rho, 0 <= rho < 1 (cluster designs only) */
} ww_plan_design;

/* Check a design; WW_EUSAGE naming the first bad value ("power 0.04 must be
 * greater than alpha 0.05"). */
int ww_plan_check(const ww_plan_design *d);

/* The multiplier M(df) = t(1 - alpha/2, df) + t(power, df) (Bloom 1995).
 * WW_EUSAGE when df < 1. */
int ww_plan_multiplier(double *out, double alpha, double power, double df);

/* One MDES with what produced it. */
typedef struct ww_plan_mdes {
    double mdes;       /* in standard deviations of the outcome */
    double multiplier; /* M(df) */
    double df;         /* n - g - 2, or J - g - 2 */
    double se;         /* the standard error of the impact, in SDs */
} ww_plan_mdes;

/* The MDES of an individually randomised design with n_analysed people
 * analysed. WW_EUSAGE when the design is invalid or n_analysed leaves no
 * degrees of freedom (n <= g + 2; "n 2 leaves no degrees of freedom"). */
int ww_plan_mdes_individual(ww_plan_mdes *out, const ww_plan_design *d, double n_analysed);

/* The MDES of a cluster-randomised design: clusters clusters of
 * cluster_size analysed people each (a mean; it need not be whole).
 * WW_EUSAGE when the design is invalid, clusters <= g + 2, or
 * cluster_size < 1. */
int ww_plan_mdes_cluster(ww_plan_mdes *out, const ww_plan_design *d, double clusters,
                         double cluster_size);

/* The smallest whole number of people analysed whose individual-design
 * MDES is at most mdes. WW_EUSAGE for an invalid design or mdes <= 0;
 * WW_EDATA when more than WW_PLAN_MAX_N would be needed. */
int ww_plan_n_individual(long *out, const ww_plan_design *d, double mdes);

/* The smallest whole number of clusters of cluster_size people analysed
 * whose MDES is at most mdes. WW_EUSAGE / WW_EDATA as above. */
int ww_plan_clusters_needed(long *out, const ww_plan_design *d, double cluster_size, double mdes);

/* The smallest whole cluster size (people analysed per cluster) that, with
 * clusters clusters, gives an MDES of at most mdes. WW_EDATA when no
 * cluster size is enough: with few clusters the between-cluster term alone
 * exceeds mdes ("40 clusters cannot detect 0.1 at any cluster size: the
 * limit is 0.23"), the message giving that limit. */
int ww_plan_cluster_size_needed(long *out, const ww_plan_design *d, long clusters, double mdes);

/* The MDES as the number of clusters grows without bound is 0, but as the
 * cluster size grows with clusters fixed it falls only to this limit:
 * M(J - g - 2) * sqrt(rho (1 - R2^2) / (P (1 - P) J)). */
int ww_plan_cluster_limit(double *out, const ww_plan_design *d, long clusters);

/* ---- what the evidence says ------------------------------------------- */

/* The effect a pilot should be sized to detect, from a pooled result:
 * the conservative end of the 95% prediction interval (the end nearer
 * zero), or of the 95% CI when there is no prediction interval (one study);
 * 0 when that interval includes zero. Sign: positive = beneficial, and the
 * magnitude is what is returned (a harmful pooled effect gives the end
 * nearer zero of its interval, as a positive number). basis_out names the
 * interval used: "prediction interval" or "confidence interval". */
void ww_plan_conservative_effect(double *out, const char **basis_out, double estimate,
                                 double ci_low, double ci_high, double pi_low, double pi_high);

/* The ICC to plan with for an outcome domain: the median of the ICCs the
 * evidence stores (values outside [0, 1) are ignored), else the documented
 * default for the domain (docs/plan.md: WWC Procedures Handbook v4.1's 0.20
 * for achievement outcomes and 0.10 for the others). *source_out (static
 * text) says which. n_values may be 0; values is not changed. */
void ww_plan_choose_icc(double *out, const char **source_out, const double *values, size_t n_values,
                        const char *domain);

#endif
