/*
 * importers.h — the contract between input formats and the repository.
 * An importer is a parser and nothing more: it reads one input, reports every
 * problem it finds into a diagnostics list (with file, line and field), and
 * hands each complete evidence record to a sink. It never writes SQL; the
 * sink (the repository, or a collector in a test) owns storage and
 * transactions. A new format is one file in importers/ plus one line in the
 * table in importers.c.
 */
#ifndef WW_IMPORTERS_H
#define WW_IMPORTERS_H

#include <stddef.h>

#include "../evidence/record.h"
#include "../util/util.h"

/* One input, fully read into memory (the repository archives the bytes). */
typedef struct ww_input {
    const char *name;          /* as the user named it; used in diagnostics */
    const unsigned char *data;
    size_t size;
} ww_input;

/* A source's own pooled result for one analysis (e.g. a RevMan outcome or
 * subgroup) beside ours, computed from the same rows with the same method,
 * so a reader can see where the two agree. Ratios on their natural scale.
 * Figures the source does not give are NAN. */
typedef struct ww_pooled_check {
    const char *analysis_id; /* e.g. "CMP-001.01" or "CMP-001.01.02" */
    const char *name;        /* the analysis's name */
    const char *metric;      /* "OR", "RR", "RD", "MD", "SMD", ... as the source gives it */
    const char *method;      /* "MH", "IV", "PETO", ... */
    int random;              /* 1 random effects, 0 fixed, -1 not given */
    long k;                  /* studies that entered ours */
    double reported_estimate, reported_ci_low, reported_ci_high;
    double reported_tau2, reported_i2, reported_q, reported_z;
    double estimate, ci_low, ci_high, tau2, i2, q, z; /* ours; NAN if not computed */
    double max_rel_diff;     /* largest relative difference over the figures both give; NAN if none */
    long line;
} ww_pooled_check;

/* A judgement a named review body already published (DESIGN.md 6.3): a
 * study's design and rating (WWC's Finding_Rating or study rating, a study
 * file's s_study_design), or an intervention's effectiveness rating in one
 * outcome domain (WWC intervention reports). Stored beside our own grades as
 * reported values, whatever the order the files arrive in; the repository
 * joins them to studies and interventions by key. Strings are valid only
 * during the call; NULL when not given. */
typedef enum ww_judgement_scope {
    WW_JUDGEMENT_STUDY = 1,       /* key = the study's key in identity_ns */
    WW_JUDGEMENT_INTERVENTION     /* key = the source's intervention id */
} ww_judgement_scope;

typedef struct ww_judgement {
    ww_judgement_scope scope;
    const char *body;        /* the review body: "WWC" */
    const char *identity_ns; /* as ww_record.identity_ns: "wwc" */
    const char *key;         /* study: ReviewID; intervention: InterventionID */
    const char *finding_key; /* study scope, optional: the FindingID it came with */
    const char *intervention_name; /* intervention scope: the name as published */
    const char *domain;      /* intervention scope: the outcome domain as published */
    ww_design design;        /* study scope: WW_DESIGN_UNKNOWN when not given */
    const char *design_text; /* the design as published ("RCT", "QED", "RDD") */
    const char *rating;      /* as published: "Meets WWC standards without
                              * reservations", "Potentially Positive Effects", ... */
    const char *reason;      /* the body's reason, as published */
    const char *standards;   /* standards / handbook version, as published */
    const char *protocol;    /* review protocol and its version, as published */
    long n_studies;          /* intervention scope: studies meeting standards; -1 */
    long n_eligible;         /* intervention scope: studies eligible; -1 */
    const char *url;         /* a link to the published report, if given */
    const char *where;       /* provenance inside the source, e.g. "line 57" */
    long line;
} ww_judgement;

/* One unit cost as a reference dataset publishes it (the Greater Manchester
 * Unit Cost Database: a cost or saving per unit, by the agency that bears it,
 * in fiscal, economic and social values, each with its own price year).
 * Strings are valid only during the call; NULL when not given; values NAN
 * when not given. Price years are as the source writes them ("2008/09"). */
typedef struct ww_unit_cost {
    const char *dataset;       /* the source's own title, e.g. "Unit Cost Database (v.1.4)" */
    const char *licence;       /* the licence the source states, or NULL */
    const char *code;          /* the source's id: "SS15.0" */
    const char *category;      /* e.g. "SOCIAL SERVICES" */
    const char *detail;        /* e.g. "PROGRAMMES" */
    const char *description;   /* what the unit cost is */
    const char *unit;          /* "Per participant", "Per year", ... */
    const char *agency;        /* the agency bearing the cost / making the saving */
    const char *agency_detail; /* its second level ("Social Services", "Acute Trust") */
    double fiscal, economic, social;
    const char *fiscal_price_year, *economic_price_year, *social_price_year;
    const char *confidence;    /* the source's grade as written (GMCA: RAG "G", "A", "R") */
    const char *source_text;   /* the document the figure comes from */
    const char *comment;
    const char *sheet;         /* the sheet it is on */
    const char *cell;          /* the cell of its code, e.g. "C113" */
    long line;                 /* the sheet row, for diagnostics */
} ww_unit_cost;

/* Where records go. `record` returns 0 to continue or a negative ww_error to
 * stop the import (the importer then returns that code). The record and its
 * strings are only valid during the call. */
typedef struct ww_sink {
    void *ctx;
    int (*record)(void *ctx, const ww_record *rec);
    /* optional: full text to index with the records of this input */
    int (*text)(void *ctx, const char *title, const char *body);
    /* optional (may be NULL): the source's own pooled results beside ours */
    int (*pooled)(void *ctx, const ww_pooled_check *check);
    /* optional (may be NULL): a review body's published judgement */
    int (*judgement)(void *ctx, const ww_judgement *j);
    /* optional (may be NULL): a unit cost from a reference dataset */
    int (*unit_cost)(void *ctx, const ww_unit_cost *u);
} ww_sink;

typedef struct ww_importer {
    const char *name;        /* "submission", "wwc-findings", ... */
    const char *description; /* one line for --help */
    /* Confidence 0..100 that this importer reads the input (looks at the
     * first bytes and the file name only). */
    int (*sniff)(const ww_input *in);
    /* Parse and validate. Returns 0 when the input was read (diagnostics may
     * still hold errors: the caller rejects the input when any error-level
     * diagnostic was added), or a negative ww_error for failures that are not
     * about the data (out of memory, sink stop). */
    int (*parse)(const ww_input *in, ww_diags *diags, const ww_sink *sink);
} ww_importer;

/* The table of importers, NULL-terminated. */
extern const ww_importer *const ww_importers__all[];

/* Find an importer by name; NULL if none. */
const ww_importer *ww_importers__find(const char *name);
/* Pick the importer with the highest sniff score; NULL when none scores > 0. */
const ww_importer *ww_importers__sniff(const ww_input *in);

/* The individual importers. */
extern const ww_importer ww_importer_submission;
extern const ww_importer ww_importer_revman;
extern const ww_importer ww_importer_wwc;
extern const ww_importer ww_importer_wwc_studies; /* "wwc-studies": judgements only */
extern const ww_importer ww_importer_wwc_reports; /* "wwc-intervention-reports": judgements only */
extern const ww_importer ww_importer_pilot_csv;
extern const ww_importer ww_importer_report;
extern const ww_importer ww_importer_gmca_unit_costs; /* "gmca-unit-costs": unit costs only */

/* The submission format's XML namespace and the XSD text compiled in. */
#define WW_SUBMISSION_NS "urn:whatworks:submission:1"

/* RevMan 5's own results for one analysis, as the .rm5 file stores them: an
 * outcome (DICH_OUTCOME, CONT_OUTCOME, IV_OUTCOME, IPD_OUTCOME) or one of its
 * subgroups. Numbers RevMan left empty, or could not estimate
 * (ESTIMABLE="NO"), are NAN; counts -1. Ratio measures are on their natural
 * scale (EFFECT_SIZE, not LOG_EFFECT_SIZE). Strings are valid only during
 * the callback. */
typedef struct ww_revman_analysis {
    const char *comparison_id;  /* "CMP-001" */
    const char *outcome_id;     /* "CMP-001.01" */
    const char *subgroup_id;    /* "CMP-001.02.01"; NULL for the whole outcome */
    const char *name;           /* outcome NAME (+ " — " + subgroup NAME) */
    const char *data_type;      /* "DICH", "CONT", "IV", "IPD" or "OTHER" */
    const char *effect_measure; /* EFFECT_MEASURE as written ("OR", "PETO_OR", ...); may be NULL */
    const char *method;         /* METHOD ("MH", "IV", "PETO", ...); "IV" when not given */
    int random;                 /* RANDOM: 1 random effects, 0 fixed, -1 not given */
    long studies;               /* STUDIES */
    long rows;                  /* data rows read inside it */
    double effect_size, ci_start, ci_end; /* EFFECT_SIZE, CI_START, CI_END */
    double z, p_z;                        /* Z, P_Z */
    double chi2, df, p_chi2, i2, tau2;    /* heterogeneity: CHI2, DF, P_CHI2, I2, TAU2 */
    double q, p_q, i2_q;                  /* test for subgroup differences: Q, P_Q, I2_Q */
    long line;                  /* of the element's start tag */
} ww_revman_analysis;

/* Read a RevMan 5 file as ww_importer_revman does (same checks, the same
 * diagnostics added to d) but emit no records: call cb with RevMan's pooled
 * figures for each subgroup when it closes and each outcome when it closes
 * (a subgroup's call comes before its outcome's). Used to check the
 * meta-analysis engine against RevMan. Returns 0, or a negative ww_error for
 * failures that are not about the data (out of memory). */
int ww_importer_revman__analyses(const ww_input *in, ww_diags *d,
                                 void (*cb)(void *ctx, const ww_revman_analysis *a), void *ctx);

#endif
