/*
 * record.h — the evidence record: what every importer produces and the
 * repository stores. One record is one study of one intervention, with its
 * outcomes (each carrying the raw statistics it was reported with) and the
 * economics the source gave. Plain structs: strings live in the arena the
 * importer allocated them from, numbers that were not given are NAN (doubles)
 * or -1 (counts), never zero.
 */
#ifndef WW_EVIDENCE_RECORD_H
#define WW_EVIDENCE_RECORD_H

#include <stddef.h>

/* Study design, most rigorous first (DESIGN.md 6.3). */
typedef enum ww_design {
    WW_DESIGN_UNKNOWN = 0,
    WW_DESIGN_RANDOMISED,           /* individual or cluster RCT */
    WW_DESIGN_REGRESSION_DISCONTINUITY,
    WW_DESIGN_INSTRUMENT,
    WW_DESIGN_DIFF_IN_DIFF,
    WW_DESIGN_MATCHED_PRETEST,      /* matched comparison with a pre-test */
    WW_DESIGN_COMPARISON,           /* comparison group, no matching */
    WW_DESIGN_BEFORE_AFTER,         /* pre/post, no comparison group */
    WW_DESIGN_DESCRIPTIVE
} ww_design;

/* "randomised", "regression-discontinuity", ... ; NULL when out of range. */
const char *ww_design_name(ww_design d);
/* Parse the names above; returns WW_DESIGN_UNKNOWN for anything else. */
ww_design ww_design_parse(const char *name);

/* How an outcome's result was reported. */
typedef enum ww_outcome_kind {
    WW_OUTCOME_CONTINUOUS = 1, /* means, SDs and Ns per arm */
    WW_OUTCOME_BINARY,         /* events and totals per arm */
    WW_OUTCOME_REPORTED,       /* an effect estimate with its 95% CI only */
    WW_OUTCOME_GENERIC,        /* an effect yi with its standard error (RevMan
                                * "generic inverse variance" data) */
    WW_OUTCOME_NONE            /* measured and reported, but without statistics
                                * an effect can be weighed from: stored and
                                * shown, never pooled */
} ww_outcome_kind;

typedef struct ww_outcome_rec {
    const char *name;
    const char *domain;     /* e.g. "attendance", "offending" */
    const char *timepoint;  /* free text, e.g. "12 months" */
    int higher_is_better;   /* 1 yes, 0 no (lower is better), -1 unknown (kept
                             * out of pooling) */
    /* What decided the direction: "source" when the source states it, else
     * the direction lexicon's rule id (evidence/direction.h); NULL: source. */
    const char *direction_rule;
    ww_outcome_kind kind;
    /* The metric to compute from raw statistics ("SMD", "MD", "OR", "RR",
     * "RD"); NULL means the default: SMD for continuous, OR for binary. For
     * generic data, the metric yi is on (log scale for OR, RR). */
    const char *metric;

    /* continuous: arm 1 = intervention ("treatment"), arm 2 = comparison */
    double mean_treatment, sd_treatment, mean_control, sd_control;
    long n_treatment, n_control;
    /* binary */
    long events_treatment, total_treatment, events_control, total_control;
    /* reported: the effect the source itself gives. For REPORTED outcomes it
     * is the data; for the other kinds it is kept beside our own computation
     * as a cross-check (e.g. RevMan's EFFECT_SIZE, WWC's Effect_Size_WWC).
     * Ratios on their natural scale (an OR of 1.5, not its log). */
    const char *reported_metric; /* "SMD", "MD", "OR", "RR", "RD" */
    double reported_estimate, reported_ci_low, reported_ci_high;
    /* generic: yi on the metric's scale (log for ratios) and its SE */
    double generic_yi, generic_se;
    /* 1 when generic_se was computed by the importer from the arm sizes
     * alone (WWC's g with its large-sample SE), so it ignores clustering as
     * a variance from raw statistics does; 0 when it is the source's own SE. */
    int se_from_arm_sizes;

    /* Clustering, for sources that give it per outcome (WWC's clusters "for
     * outcome measure"): clusters per arm (-1 not given: the record's own
     * clusters_* apply), the intraclass correlation (NAN: the record's, else
     * the rules' default for the domain) and the unit the arm sizes count
     * ("Student", "School"; NULL: individuals). See evidence/plausibility.h. */
    long clusters_treatment, clusters_control;
    double icc;
    const char *analysis_unit;

    const char *where; /* provenance inside the source, e.g. "line 57" */
    long line;

    /* Identity inside the source (WWC FindingID, RevMan outcome id, ...): a
     * newer version of the same source updates the outcome with this key
     * instead of adding a second one. NULL: no identity of its own. */
    const char *source_key;
    /* A digest of everything the source said about this outcome (e.g. the
     * sha256 of its row), so an update can tell changed from unchanged. */
    const char *digest;
    /* Source-specific attributes as a JSON object text (e.g. WWC's finding
     * rating, significance and improvement index), stored verbatim; NULL. */
    const char *attrs_json;

    /* Machine-extracted from a report's text (not entered by a person):
     * provisional, excluded from the default pooled results, with the
     * extractor's confidence (0..1) and the character span it came from. */
    int extracted;
    double confidence;          /* NAN unless extracted */
    long text_offset, text_length; /* -1 unless extracted */
} ww_outcome_rec;

typedef struct ww_benefit_rec {
    const char *agency;
    double amount_per_participant_year;
    int first_year, last_year; /* year 0 = the first year of delivery */
    int price_year;
    int confidence;            /* data-confidence grade 1..6, -1 unknown */
    const char *source;
    long line;
} ww_benefit_rec;

/* One risk-of-bias judgement (RoB 1 item from RevMan, or a RoB 2 domain). */
typedef struct ww_rob_rec {
    const char *tool;      /* "RoB1" or "RoB2" */
    const char *domain;    /* e.g. "Random sequence generation (selection bias)" */
    const char *judgement; /* "low", "high", "unclear", "some concerns" */
    const char *support;   /* the reviewers' reason, free text; may be NULL */
    long line;
} ww_rob_rec;

typedef struct ww_record {
    /* A key naming the study inside its source (e.g. RevMan's STUDY/@ID, WWC's
     * ReviewID). Records of one source with the same key and intervention
     * are one study: their outcomes are added to it. NULL: a study of its own. */
    const char *study_key;
    /* The namespace in which study_key names one study across sources and
     * versions of a source (e.g. "wwc" for WWC ReviewIDs): a later file with
     * the same namespace and key updates that study rather than adding one.
     * NULL: the key is local to the file. */
    const char *identity_ns;

    /* the evaluation */
    const char *title;
    const char *organisation;
    const char *authors;
    int year;                  /* -1 unknown */
    const char *report_url;
    const char *doi;
    const char *country;
    const char *region;
    int is_example;            /* 1: illustrative, not real evidence */
    const char *notes;         /* free text worth indexing */

    /* the intervention */
    const char *intervention_name;
    /* The source's own id for the intervention (WWC InterventionID), in
     * identity_ns; joins published judgements to it. NULL: none. */
    const char *intervention_key;
    const char *intervention_description;
    const char **issues;       /* presenting issues as given by the source */
    size_t n_issues;
    const char *population;
    const char *setting;
    const char *delivery;
    double cost_per_participant; /* NAN unknown */
    int cost_price_year;         /* -1 unknown */
    const char *cost_payer;

    /* the design */
    ww_design design;
    /* Where the design came from, for the grade's trace, e.g. "the study's
     * methods: 'Randomised controlled trial'" or "the review's inclusion
     * criteria: 'randomised controlled trials'". NULL: the source's own
     * design field. */
    const char *design_basis;
    const char *allocation_unit;  /* "individual", "school", ... */
    /* Clusters allocated per arm when allocation was by cluster (-1 not
     * given) and the intraclass correlation of the outcomes (NAN not given);
     * an outcome's own values win (ww_outcome_rec). */
    long clusters_treatment, clusters_control;
    double icc;
    const char *comparison;       /* what the comparison group received */
    long assigned_treatment, assigned_control;
    long analysed_treatment, analysed_control;
    double baseline_diff_sd;      /* |baseline difference| in SD units; NAN */
    int baseline_adjusted;        /* analysis adjusts for baseline: 1, 0, -1 unknown */
    int independent;              /* evaluator independent: 1, 0, -1 unknown */
    int provisional;              /* 1: not yet reviewed (e.g. a submission) */

    ww_outcome_rec *outcomes;
    size_t n_outcomes;
    ww_benefit_rec *benefits;
    size_t n_benefits;
    ww_rob_rec *rob;
    size_t n_rob;

    const char *where; /* provenance of the record as a whole */
    long line;
} ww_record;

/* Set every field to its "not given" value (NAN / -1 / NULL). */
void ww_record_init(ww_record *rec);
void ww_outcome_rec_init(ww_outcome_rec *o);
void ww_benefit_rec_init(ww_benefit_rec *b);
void ww_rob_rec_init(ww_rob_rec *r);

#endif
