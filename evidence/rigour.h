/*
 * rigour.h — rigour grading as executable, versioned rules (DESIGN.md 6.3).
 *
 * Two levels of judgement, both pure functions over plain structs (no I/O,
 * no database, no global state):
 *
 *  - a study: the project's own 0-5 rigour level, built step by step from the
 *    design, the WWC attrition boundary, WWC baseline equivalence, risk of
 *    bias (RoB 1 items or RoB 2 domains), the sample size and the evaluator's
 *    independence; plus two crosswalks from the same input, the Maryland
 *    Scientific Methods Scale (SMS 1-5) and the WWC study rating;
 *  - a body of evidence (one intervention x outcome domain, pooled by
 *    meta.h): a GRADE-style certainty (high, moderate, low, very low), plus a
 *    Foundations/EIF-style level and a Blueprints-style tier.
 *
 * Every threshold, boundary and cap lives in one versioned rules table
 * (ww_rules, version "whatworks-rules/2"); docs/rigour.md names the source of
 * each rule (document, section, table) and says where whatworks made its own
 * choice. Every grade carries an explanation trace: one line per step, with
 * the step's inputs and its effect, e.g.
 *   attrition: overall 31.0%, differential 9.0% → high (WWC cautious
 *   boundary: at most 4.0 points at 31.0% overall) → level capped at 3
 * and "what would raise it" advice for evaluators. A missing input is said so
 * in the trace ("not reported → not assessed"), never treated as good.
 *
 * Memory: the only allocations are the trace and advice strings inside a
 * grade; ww_rigour_grade_clear() / ww_rigour_certainty_clear() free them.
 * Errors: 0 or a negative ww_error code with the thread's last error set.
 */
#ifndef WW_EVIDENCE_RIGOUR_H
#define WW_EVIDENCE_RIGOUR_H

#include <stddef.h>

#include "meta.h"
#include "record.h"

/* ---- the rules table ------------------------------------------------------ */

/* Which WWC attrition boundary a review uses. The review protocol fixes it
 * before the data are seen (WWC Standards Handbook v4.1, section II.A). */
typedef enum ww_rigour_boundary {
    WW_BOUNDARY_DEFAULT = 0, /* the rules' default (cautious in rules/1) */
    WW_BOUNDARY_CAUTIOUS,    /* the intervention could plausibly affect attrition */
    WW_BOUNDARY_OPTIMISTIC   /* attrition is unlikely to be related to it */
} ww_rigour_boundary;

#define WW_RIGOUR_N_DESIGNS 9 /* WW_DESIGN_UNKNOWN .. WW_DESIGN_DESCRIPTIVE */

/* Every number a grade depends on. Levels run 0-5; a "cap" is the highest
 * level a study may keep once the rule fires (5 means no cap). */
typedef struct ww_rules {
    const char *version; /* "whatworks-rules/2"; stored beside every grade */

    /* Base level by design, indexed by ww_design. */
    int design_level[WW_RIGOUR_N_DESIGNS];

    /* WWC attrition boundary: the highest differential attrition
     * (percentage points) still low, for overall attrition 0, 1, 2, ... %.
     * Between rows the boundary is interpolated linearly; above the last row
     * every differential is high. */
    const double *attrition_cautious;
    size_t n_attrition_cautious;
    const double *attrition_optimistic;
    size_t n_attrition_optimistic;
    ww_rigour_boundary default_boundary;
    int cap_high_attrition;    /* randomised, high attrition */
    int cap_attrition_unknown; /* randomised, attrition not assessable */

    /* WWC baseline equivalence, in SD units of |difference|. */
    double baseline_fine_sd;    /* <= this: equivalent */
    double baseline_adjust_sd;  /* <= this: equivalent only with adjustment */
    int cap_baseline_not_shown; /* not reported, or not (known to be) adjusted */
    int cap_baseline_fails;     /* > baseline_adjust_sd */

    /* Risk of bias. */
    int cap_rob_high;     /* overall high risk */
    int cap_rob_concerns; /* RoB 2 some concerns; RoB 1 many unclear */
    int rob1_unclear_min; /* RoB 1: this many unclear items = concerns */

    /* Sample size (participants analysed, else assigned). */
    long n_small; /* below: small */
    int cap_n_small;
    long n_very_small; /* below: very small */
    int cap_n_very_small;

    /* Developer-led evaluation (independent = 0). 5 = noted, no cap. */
    int cap_not_independent;

    /* Body of evidence (GRADE-style). */
    double start_weight_pct;    /* start from the design reaching this weight */
    int certainty_start[6];     /* ww_certainty_level by design base level 0-5 */
    double rob_weight_pct;      /* weight below the start level that is serious */
    double i2_serious_pct;      /* I^2 at or above: -1 */
    double i2_very_serious_pct; /* I^2 at or above: -2 */
    long ois_participants;      /* optimal information size (total analysed) */
    size_t egger_min_k;         /* Egger's test only with at least this many */
    double egger_p;             /* p below this: publication bias suspected */

    /* Crosswalks of a body of evidence. */
    int eif_rigorous_level;    /* a study at this level can show causality */
    int eif_preliminary_level; /* ... can show preliminary evidence */
    int eif_level4_studies;    /* rigorous studies needed for EIF level 4 */
    double sustained_months;   /* follow-up after the end for "sustained" */
    int blueprints_rct_level;  /* a high-quality RCT: randomised, this level */
    int blueprints_qed_level;  /* a high-quality QED: comparison, this level */

    /* A named review body's own rating of the study (WWC reviewers), which
     * settles attrition and baseline equivalence in place of our steps.
     * Indexed by ww_rigour_wwc. base: the base level when the design is not
     * known but the rating implies one; cap: the level the rating allows. */
    int reviewed_base_level[4];
    int cap_reviewed[4];

    /* Plausibility of one effect (evidence/plausibility.h); each flag keeps
     * the effect out of the default pooled results. */
    double smd_implausible_abs; /* |SMD| above this: implausible */
    long se_check_min_n;        /* arms at least this large for the SD-as-SE rule */
    double se_suspect_smd;      /* |g| above this, each SD < |mean difference| ... */
    double se_plausible_smd;    /* ... and |g| with SD x sqrt(n) at most this */
    double vi_floor_factor;     /* an SMD's vi below this x (1/n1 + 1/n2): too small */

    /* Clustering: variances of individual-level analyses of cluster-allocated
     * studies are multiplied by the design effect 1 + (m - 1) ICC. Default
     * ICCs when none is reported: */
    double icc_achievement; /* outcome domains of academic achievement */
    double icc_other;       /* every other domain (behaviour, attitudes, ...) */

    /* Unreviewed (provisional, self-submitted) evidence: a body of evidence
     * whose unreviewed studies carry at least provisional_weight_pct of the
     * weight can reach at most cap_provisional (a ww_certainty_level). */
    double provisional_weight_pct;
    int cap_provisional;
} ww_rules;

/* The rules this library grades with (whatworks-rules/2). Never NULL; the
 * table is static and read-only. */
const ww_rules *ww_rules_current(void);

/*
 * The WWC attrition boundary at an overall attrition rate: the highest
 * differential attrition (percentage points) that is still low attrition,
 * interpolated linearly between the table's whole-percent rows.
 * @param overall_pct  overall attrition in percent, >= 0
 * @param boundary     CAUTIOUS, OPTIMISTIC or DEFAULT (the rules' default)
 * @param rules        NULL means ww_rules_current()
 * @return the boundary in points; NAN above the table's last row (every
 *         differential is high there) or for a negative or non-finite input
 */
double ww_rigour_attrition_boundary(double overall_pct, ww_rigour_boundary boundary,
                                    const ww_rules *rules);

/* ---- one study ------------------------------------------------------------ */

/* Everything the study rules look at. Unknown counts are -1, unknown doubles
 * NAN, unknown flags -1 (ww_rigour_input_init sets all of them). */
typedef struct ww_rigour_input {
    ww_design design;
    long assigned_treatment, assigned_control; /* randomised / allocated */
    long analysed_treatment, analysed_control; /* in the impact analysis */
    double baseline_diff_sd;                   /* |baseline difference| in SD units */
    int baseline_adjusted;                     /* the analysis adjusts for it: 1, 0, -1 unknown */
    int independent; /* evaluator independent of the developer: 1, 0, -1 */
    ww_rigour_boundary boundary;
    /* Risk-of-bias judgements: RoB 1 items (tool "RoB1", judgement "low",
     * "high", "unclear", or RevMan's "YES", "NO", "UNKNOWN") and/or RoB 2
     * domains (tool "RoB2", judgement "low", "some concerns", "high"; a
     * domain named "Overall" is the reviewers' own overall judgement and
     * replaces the worst-domain rule). Borrowed, not copied. */
    const ww_rob_rec *rob;
    size_t n_rob;
    /* Where the design came from ("WWC reviewers (wolf2021_wp_meta_v2.csv
     * line 12): RCT", "the review's inclusion criteria: ..."); NULL: the
     * source's own design field. Shown in the design step. */
    const char *design_basis;
    /* A named review body's published rating of this study, or
     * WW_WWC_NOT_RATED when there is none (ww_rigour_wwc is defined below). */
    int reviewed_rating;        /* ww_rigour_wwc */
    const char *reviewed_by;    /* "WWC reviewers" */
    const char *reviewed_text;  /* the rating as published */
    const char *reviewed_reason; /* the body's reason, as published; NULL */
    const char *reviewed_where; /* "wwc_Findings.csv line 57 (FindingID 9)" */
    int reviewed_design_set;    /* the design came from the reviewers */
} ww_rigour_input;

/* Set every field to "not given"; boundary DEFAULT; no risk of bias. */
void ww_rigour_input_init(ww_rigour_input *in);

/* Fill an input from a record (it borrows rec->rob). When the record-level analysed counts
 * are missing, the per-arm Ns of the outcome with the largest total
 * (continuous n_*, binary total_*) are used as the analysed counts. */
void ww_rigour_input_from_record(ww_rigour_input *in, const ww_record *rec);

typedef enum ww_rigour_attrition {
    WW_ATTRITION_NOT_ASSESSED = 0, /* counts missing or inconsistent */
    WW_ATTRITION_LOW,
    WW_ATTRITION_HIGH,
    WW_ATTRITION_NOT_APPLICABLE /* not a randomised design */
} ww_rigour_attrition;

typedef enum ww_rigour_baseline {
    WW_BASELINE_NOT_APPLICABLE = 0, /* no comparison group */
    WW_BASELINE_NOT_REPORTED,
    WW_BASELINE_EQUIVALENT,         /* <= 0.05 SD, or <= 0.25 SD and adjusted */
    WW_BASELINE_NOT_ADJUSTED,       /* 0.05-0.25 SD, analysis not adjusted */
    WW_BASELINE_ADJUSTMENT_UNKNOWN, /* 0.05-0.25 SD, adjustment not reported */
    WW_BASELINE_FAILS               /* > 0.25 SD */
} ww_rigour_baseline;

typedef enum ww_rigour_rob {
    WW_ROB_NOT_ASSESSED = 0,
    WW_ROB_LOW,
    WW_ROB_CONCERNS, /* RoB 2 "some concerns"; RoB 1 unclear in many items */
    WW_ROB_HIGH
} ww_rigour_rob;

typedef enum ww_rigour_wwc {
    WW_WWC_NOT_RATED = 0, /* design outside WWC's group-design standards */
    WW_WWC_WITHOUT_RESERVATIONS,
    WW_WWC_WITH_RESERVATIONS,
    WW_WWC_DOES_NOT_MEET
} ww_rigour_wwc;

/* A study's grade. The trace and advice belong to the grade: release them
 * with ww_rigour_grade_clear(). */
typedef struct ww_rigour_grade {
    const char *rules_version; /* the rules' static version string */
    ww_design design;
    int base_level; /* from the design alone */
    int bias_level; /* after attrition, baseline and risk of bias */
    int level;      /* 0-5, after sample size and independence too */
    int sms;        /* Maryland SMS 1-5; 0 = not scoreable */
    ww_rigour_wwc wwc;
    ww_rigour_attrition attrition;
    double overall_attrition_pct;      /* NAN when not computed */
    double differential_attrition_pct; /* NAN when not computed */
    double attrition_boundary_pct;     /* NAN when not computed or beyond */
    ww_rigour_baseline baseline;
    ww_rigour_rob rob;
    long n_total;    /* participants the sample-size rule used; -1 */
    int independent; /* copied from the input */
    char *trace;     /* one "step: ..." line per step, each ending in '\n' */
    char *advice;    /* what would raise the grade, one line each; "" if none */
} ww_rigour_grade;

/*
 * Grade one study.
 * @param[out] out  the grade (its trace and advice are the caller's)
 * @param rules     NULL means ww_rules_current()
 * @return 0; WW_EUSAGE for a NULL out or in, or a design out of range;
 *         WW_ENOMEM (out then holds no strings)
 */
int ww_rigour_grade_study(ww_rigour_grade *out, const ww_rigour_input *in, const ww_rules *rules);

/* Free a grade's trace and advice and set them to NULL. NULL is a no-op. */
void ww_rigour_grade_clear(ww_rigour_grade *grade);

/*
 * Compare a grade before and after a regrade (typically under a new rules
 * version) in one line, e.g. "moved: level 5 → 3, WWC meets without
 * reservations → meets with reservations (whatworks-rules/1 →
 * whatworks-rules/2); changed: attrition; attrition: overall 31.0% ...".
 * Uses rules_version, level, sms, wwc and trace of each grade (a grade read
 * back from storage needs only those). A trace may be NULL.
 * @param[out] reason  the line, no trailing newline; free() it
 * @param[out] moved   1 when level, SMS or WWC rating changed, else 0
 * @return 0; WW_EUSAGE for NULL arguments; WW_ENOMEM
 */
int ww_rigour_compare(char **reason, int *moved, const ww_rigour_grade *before,
                      const ww_rigour_grade *after);

/* ---- a body of evidence --------------------------------------------------- */

typedef enum ww_certainty_level {
    WW_CERTAINTY_VERY_LOW = 1,
    WW_CERTAINTY_LOW = 2,
    WW_CERTAINTY_MODERATE = 3,
    WW_CERTAINTY_HIGH = 4
} ww_certainty_level;

typedef enum ww_eif_level {
    WW_EIF_NOT_LEVEL_2 = 0, /* "NL2" */
    WW_EIF_LEVEL_2,
    WW_EIF_LEVEL_3,
    WW_EIF_LEVEL_4,
    WW_EIF_NOT_EFFECTIVE /* "NE" */
} ww_eif_level;

typedef enum ww_blueprints_tier {
    WW_BLUEPRINTS_NOT_CERTIFIED = 0,
    WW_BLUEPRINTS_PROMISING,
    WW_BLUEPRINTS_MODEL,
    WW_BLUEPRINTS_MODEL_PLUS
} ww_blueprints_tier;

/* One study of the body, in the order of the pooled analysis. */
typedef struct ww_certainty_study {
    const ww_rigour_grade *grade; /* required (design, levels, n_total, independent) */
    double weight_pct;            /* its weight in the pooled estimate (ww_meta_pool) */
    double yi, vi;                /* its effect and variance on the pooled scale; NAN
                                   * when unknown (used only to look for harm) */
    double followup_months;       /* months after the intervention ended at which
                                   * the outcome was measured; NAN unknown */
    int provisional;              /* 1: self-submitted, not yet reviewed */
    double design_effect;         /* the clustering correction its vi carries (> 1);
                                   * 0, 1 or NAN: none */
} ww_certainty_study;

typedef struct ww_certainty_input {
    const ww_certainty_study *studies;
    size_t k;
    const ww_meta_result *pooled; /* estimate, CI and I^2 of the synthesis */
    int direction;                /* +1: larger effects favour the intervention; -1: smaller */
    double egger_p;               /* Egger's test p (ww_meta_egger); NAN when not run */
    /* Effects of this body flagged as implausible (evidence/plausibility.h):
     * how many, and whether they are in the pool (1) or were left out (0). */
    size_t n_flagged;
    int flagged_included;
} ww_certainty_input;

/* A body-of-evidence grade; release its strings with
 * ww_rigour_certainty_clear(). */
typedef struct ww_certainty {
    const char *rules_version;
    int start_base_level; /* the design level the start came from */
    ww_certainty_level start;
    ww_certainty_level level;
    int down_risk_of_bias; /* 0, 1 or 2 levels */
    int down_inconsistency;
    int down_imprecision;
    int down_publication_bias;
    ww_eif_level eif;
    ww_blueprints_tier blueprints;
    char *trace;
    char *advice;
} ww_certainty;

/*
 * Grade a body of evidence.
 * @param[out] out  the certainty (its strings are the caller's)
 * @param rules     NULL means ww_rules_current()
 * @return 0; WW_EUSAGE for NULL pointers, k = 0, a study without a grade or a
 *         direction other than +1 / -1; WW_EDATA for a weight that is not
 *         finite and >= 0, weights summing to 0, or a pooled estimate or CI
 *         that is not finite; WW_ENOMEM
 */
int ww_rigour_certainty(ww_certainty *out, const ww_certainty_input *in, const ww_rules *rules);

/* Free a certainty's trace and advice and set them to NULL. NULL is a no-op. */
void ww_rigour_certainty_clear(ww_certainty *c);

/* ---- names ---------------------------------------------------------------- */

/* Each returns a static string, or NULL for a value out of range. */

/* "meets WWC standards without reservations", "meets WWC standards with
 * reservations", "does not meet WWC standards", "not rated". */
const char *ww_rigour_wwc_name(ww_rigour_wwc r);
/* "high", "moderate", "low", "very low". */
const char *ww_certainty_name(ww_certainty_level c);
/* "NL2", "level 2", "level 3", "level 4", "NE (found not to be effective)". */
const char *ww_eif_name(ww_eif_level e);
/* "not certified", "Promising", "Model", "Model Plus". */
const char *ww_blueprints_name(ww_blueprints_tier t);
/* "not assessed", "low", "some concerns", "high". */
const char *ww_rigour_rob_name(ww_rigour_rob r);

#endif
