/*
 * plausibility.h — can an effect be trusted as the source gave it? Two
 * judgements on one outcome, both pure (no I/O, no allocation, no global
 * state), with every threshold in the rules table (rigour.h, ww_rules) and
 * its source in docs/rigour.md section 3:
 *
 *  - clustering: when allocation was by cluster (school, class, area) and
 *    the variance comes from the individuals' numbers, that variance is too
 *    small; it is multiplied by the design effect 1 + (m - 1) ICC, m the
 *    average cluster size, with the study's ICC or the rules' default for the
 *    outcome's domain (WWC Procedures Handbook v4.1, appendix F);
 *  - plausibility: an effect outside its measure's possible range, SDs that
 *    look like standard errors, |SMD| above the rules' limit, or a variance
 *    smaller than the arm sizes allow, is flagged with its reason. A flagged
 *    effect is stored and shown, and left out of the default pooled results.
 *
 * Reasons and notes are written into fixed buffers inside the results, so
 * nothing here can fail for want of memory.
 */
#ifndef WW_EVIDENCE_PLAUSIBILITY_H
#define WW_EVIDENCE_PLAUSIBILITY_H

#include "record.h"
#include "rigour.h"

/* ---- clustering --------------------------------------------------------- */

typedef struct ww_cluster_correction {
    int applied;          /* 1: the variance is to be multiplied by design_effect */
    int warn;             /* 1: the note is worth a warning (e.g. allocated by
                           * cluster, but no cluster counts given) */
    double design_effect; /* 1 + (m - 1) ICC when applied, else 1 */
    double cluster_size;  /* m = arm sizes / clusters; NAN when not known */
    double icc;           /* the ICC used; NAN when not applied */
    int icc_default;      /* 1: the rules' default for the domain, not the study's */
    long clusters_treatment, clusters_control; /* as used; -1 not known */
    char note[320]; /* what was done, or why not; "" when nothing to say */
} ww_cluster_correction;

/*
 * Decide whether an outcome's variance needs the clustering correction, and
 * compute it. Clusters and ICC are the outcome's own when given, else the
 * record's. The correction applies when each arm has at least one cluster,
 * the average cluster size m is above 1, the allocation unit (when named)
 * is not an individual, the unit of analysis (when named) is not a cluster,
 * and the variance was computed from the arm sizes (continuous and binary
 * statistics, or a generic SE marked se_from_arm_sizes); a source's own CI
 * or SE is taken as it is (it may already allow for clustering).
 * An ICC outside 0..1 is ignored in favour of the default (said in the note).
 * @param[out] out  the decision (always filled)
 * @param rules     NULL means ww_rules_current()
 * @return 0; WW_EUSAGE for a NULL out, rec or o
 */
int ww_plausibility_cluster(ww_cluster_correction *out, const ww_record *rec,
                            const ww_outcome_rec *o, const ww_rules *rules);

/* The rules' default ICC for an outcome domain: rules->icc_achievement when
 * the domain names academic achievement (reading, mathematics, literacy,
 * science, writing, language, ... ; docs/rigour.md 3.5), else icc_other.
 * NULL domain: icc_other. rules NULL: ww_rules_current(). */
double ww_plausibility_default_icc(const char *domain, const ww_rules *rules, int *achievement);

/* ---- plausibility ------------------------------------------------------- */

typedef enum ww_plausibility_rule {
    WW_PLAUSIBLE = 0,
    WW_IMPLAUSIBLE_RANGE,    /* outside the measure's possible range */
    WW_IMPLAUSIBLE_SD_AS_SE, /* SDs that look like standard errors */
    WW_IMPLAUSIBLE_SMD,      /* |SMD| above rules->smd_implausible_abs */
    WW_IMPLAUSIBLE_VARIANCE  /* variance smaller than the arm sizes allow */
} ww_plausibility_rule;

/* "plausible", "impossible-range", "sd-as-se", "smd-range", "variance-floor";
 * NULL out of range. */
const char *ww_plausibility_rule_name(ww_plausibility_rule r);

typedef struct ww_plausibility {
    ww_plausibility_rule rule; /* the first rule that fired, in the order above */
    const char *field;         /* the input field the reason is about, static;
                                * NULL when plausible */
    double smd;                /* the effect on the SMD scale that was checked; NAN */
    char reason[320];          /* "" when plausible */
} ww_plausibility;

/*
 * Check one outcome's effect. yi and vi are its effect and sampling
 * variance on metric's scale (log for OR and RR) before any clustering
 * correction. Continuous statistics are checked as Hedges' g (whatever the
 * metric), a 2x2 table as its log odds ratio on the SMD scale (x sqrt(3)/pi),
 * a reported or generic SMD or OR as given; other metrics only against their
 * range (a risk difference within -1..1).
 * @param rules  NULL means ww_rules_current()
 * @return 0; WW_EUSAGE for a NULL out or o
 */
int ww_plausibility_check(ww_plausibility *out, const ww_record *rec, const ww_outcome_rec *o,
                          const char *metric, double yi, double vi, const ww_rules *rules);

#endif
