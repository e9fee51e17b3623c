/*
 * repo.h — what other modules may ask of the repository, in plain structs.
 * Nothing above repo/ writes SQL: the query layer reads through these
 * functions. Results are allocated from an arena the caller owns.
 */
#ifndef WW_REPO_H
#define WW_REPO_H

#include <stdint.h>

#include "../evidence/synthesis.h"
#include "../util/util.h"
#include "whatworks.h"

/* The presenting issues a text names, with their narrower issues. */
typedef struct ww_issue_expansion {
    const char **slugs;    /* matched issues then narrower ones */
    size_t n_slugs;
    const char **terms;    /* every search term of those issues */
    size_t n_terms;
    const char **domains;  /* outcome domains that answer them */
    size_t n_domains;
    const char **patterns; /* outcome-measure patterns: words of outcome names that answer them */
    size_t n_patterns;
    int64_t *issue_ids;
    size_t n_issue_ids;
} ww_issue_expansion;

/* Expand text, matched against slugs, and against labels and terms after
 * both went through the index's normalisation (case, diacritics, UK/US
 * spellings, hyphens and spaces in compounds, Porter stems): "Anti social
 * behavior" names anti-social-behaviour. An unknown text gives an expansion
 * with no issues. */
int ww_repo__issue_expand(ww_issue_expansion *out, ww_db *db, ww_arena *arena, const char *text);

/* text after the index's normalisation (its tokens, stemmed, joined by
 * single spaces), in the arena; NULL on failure with the error set. Lets
 * the query layer compare outcome domains with the issue's words the way
 * the index does. */
char *ww_repo__normalised(ww_db *db, ww_arena *arena, const char *text);

/* The longest query text and the most words the full-text match takes;
 * longer text is refused (WW_EUSAGE), not cut. */
#define WW_REPO_QUERY_MAX_BYTES 4096
#define WW_REPO_QUERY_MAX_WORDS 32

/* An intervention that matched a query. */
typedef struct ww_candidate {
    int64_t id;
    const char *slug, *name;
    double relevance;   /* best bm25 (lower is better, FTS5 convention); 0 if linked only */
    int linked;         /* 1 when a source tagged it with one of the issues */
    int is_example;
    const char *matched; /* what matched, for the `why` */
    /* what the query's filters look at; NULL / NAN / 0 when not stated */
    const char *population, *setting;
    const char *countries;       /* its studies' countries, comma-joined */
    double cost_per_participant; /* NAN unknown */
    int cost_price_year;
    double bcr; /* benefit-cost ratio; NAN unknown (none is stored yet) */
    int all_provisional; /* every study (not withdrawn) is provisional */
} ww_candidate;

/* The FTS5 expressions a query matched, for the `why` and the JSON; built
 * and quoted in repo/ next to the MATCH (every string of user or taxonomy
 * text is one quoted FTS5 string, so no text is ever query syntax). */
typedef struct ww_match {
    const char *terms;    /* against all indexed text; NULL when none */
    const char *outcomes; /* the issue's outcome-measure patterns, against
                           * outcome names only; NULL when none */
} ww_match;

/* The interventions that answer text: with issues named (x->n_slugs), any
 * indexed text matching one of their terms, any outcome name matching one
 * of their patterns, and any intervention a source tagged with one of the
 * issues; with none, indexed text with every word of text (a compound in
 * the variant table, "anti social", counts as one word). WW_EUSAGE when
 * text has more than WW_REPO_QUERY_MAX_WORDS words. */
int ww_repo__candidates(ww_candidate **out, size_t *n_out, ww_match *match, ww_db *db, ww_arena *arena,
                        const char *text, const ww_issue_expansion *x);

/* One stored effect with what is needed to pool and explain it. */
typedef struct ww_effect_row {
    int64_t effect_id, study_id;
    const char *metric;      /* "SMD", "MD", "OR", "RR", "RD", "ZCOR" */
    double yi, vi;           /* source direction, metric's own scale */
    int higher_is_better;
    const char *outcome, *domain, *timepoint;
    long n_participants;     /* -1 unknown */
    int provisional;
    const char *study_title;
    int year;
    const char *design;
    const char *location;    /* provenance in the source */
    const char *source_sha256;
    const char *smd_correction;
    double reported_estimate, reported_ci_low, reported_ci_high;
    int extracted;       /* machine-extracted from a report's text */
    double confidence;   /* the extractor's confidence; NAN otherwise */
    /* An outcome stored without an effect (WW_OUTCOME_NONE) has effect_id 0
     * and metric NULL. higher_is_better is -1 when unknown. */
    const char *direction_rule; /* "source", a lexicon rule id, "unknown" */
    int rigour_level;            /* the study's grade; -1 not graded */
    const char *wwc_rating;      /* the study's WWC rating (ours or the reviewers') */
    const char *design_basis;
    const char *study_key;
    const char *withdrawn_at, *withdrawn_reason; /* NULL unless withdrawn */
    /* The trust checks (evidence/plausibility.h): the plausibility rule that
     * flagged the effect and why (NULL: not flagged; a flagged effect is
     * pooled only on request); the clustering design effect vi carries
     * (NAN: none), what was decided about clustering (NULL: nothing to say)
     * and vi before the correction (NAN: none). */
    const char *flag, *flag_reason;
    double design_effect;
    const char *clustering;
    double vi_uncorrected;
} ww_effect_row;

int ww_repo__effects(ww_effect_row **out, size_t *n_out, ww_db *db, ww_arena *arena,
                     int64_t intervention_id);

/* A stored pooled result of one intervention on one outcome domain. */
typedef struct ww_synthesis_row {
    const char *domain, *metric, *method;
    int k, n_effects, n_other_scale;
    long n_participants;
    double estimate, se, ci_low, ci_high, tau2, i2, q, pi_low, pi_high;
    int64_t data_version;
    int provisional; /* any study of the intervention is provisional */
    /* GRADE-style certainty ("high" ... "very low"), its trace, crosswalks */
    const char *certainty, *certainty_trace, *eif_level, *blueprints_tier, *rules_version;
    double egger_p;
    /* "reviewed"; "all" (with machine-extracted effects); "reviewed+flagged",
     * "all+flagged" (with effects flagged as implausible) */
    const char *scope;
    /* effects flagged as implausible: left out of this result, or included
     * in it when the scope ends in "+flagged" */
    int n_flagged;
    /* The studies behind it (not withdrawn, with a pooled effect in the
     * domain): how many WWC's reviewers rated, how many of those they
     * rated as meeting WWC standards (with or without reservations), how
     * many were randomised, and how many are provisional. */
    int n_wwc_rated, n_wwc_meets, n_randomised, n_provisional;
} ww_synthesis_row;

/* The stored results of one intervention. With include_extracted, a
 * domain's result that includes machine-extracted effects replaces the
 * reviewed-only one; with include_flagged, one that includes effects flagged
 * as implausible; with both, the result with both when there is one. */
int ww_repo__syntheses(ww_synthesis_row **out, size_t *n_out, ww_db *db, ww_arena *arena,
                       int64_t intervention_id, int include_extracted, int include_flagged,
                       int with_traces);

/* The studies of one stored synthesis, pooled again from the same effects
 * (repo/synth.c: each study's effects on the SMD scale, averaged, then
 * REML), for a plot: result is the fit the stored row was made from,
 * studies[i] (result.k of them) its effect, variance, weight and N, with
 * the study's title (NULL if none) and year (-1) in titles[i] and years[i].
 * domain is the stored (lower-cased) domain; scope "reviewed" or "all". */
typedef struct ww_pooled_studies {
    ww_synth_result result;
    ww_synth_study *studies;
    const char **titles;
    int *years;
} ww_pooled_studies;

int ww_repo__pooled_studies(ww_pooled_studies *out, ww_db *db, ww_arena *arena, int64_t intervention_id,
                            const char *domain, const char *scope);

/* One stored result's certainty trace (read after ranking, for the rows
 * shown); *out is NULL when there is none. */
int ww_repo__synthesis_trace(const char **out, ww_db *db, ww_arena *arena, int64_t intervention_id,
                             const char *domain, const char *scope);

/* What the stored studies of one intervention on one outcome domain say
 * about the design of the next one (for `whatworks plan`): attrition from
 * their assigned and analysed counts, the ICCs stored with their findings
 * (WWC's clustering correction) and how they were randomised. */
typedef struct ww_design_evidence_row {
    int n_studies;              /* studies with an outcome in the domain */
    int n_cluster_studies;      /* of those, allocated by a unit that is not
                                   an individual (school, class, area, ...) */
    const char *cluster_unit;   /* the commonest such unit; NULL when none */
    int n_attrition_studies;    /* studies reporting all four arm counts */
    long assigned, analysed;    /* summed over those studies */
    double attrition;           /* 1 - analysed / assigned; NAN when none */
    double *iccs;               /* stored ICCs in the domain, in the arena */
    size_t n_iccs;
} ww_design_evidence_row;

/* The domain is compared as the synthesis stores it (trimmed, any case).
 * @return 0 (counts may be 0), WW_EIO, WW_EBUSY, WW_ENOMEM */
int ww_repo__design_evidence(ww_design_evidence_row *out, ww_db *db, ww_arena *arena,
                             int64_t intervention_id, const char *domain);

/* One intervention's descriptive fields. */
typedef struct ww_intervention_row {
    int64_t id;
    const char *slug, *name, *description, *population, *setting, *delivery;
    double cost_per_participant; /* NAN unknown */
    int cost_price_year;
    const char *cost_payer;
    int is_example;
    const char **issues; /* linked issue slugs */
    size_t n_issues;
    const char *placeholder; /* why the name is not one intervention; NULL */
} ww_intervention_row;

/* A review body's published judgement of an intervention in one outcome
 * domain (e.g. a WWC intervention report's effectiveness rating). */
typedef struct ww_published_rating {
    const char *body, *domain, *rating, *protocol, *url, *location, *source_name;
    long n_studies; /* studies meeting standards; -1 */
} ww_published_rating;

/* WWC's effectiveness rating reproduced by WWC's procedure (wwc_eff.c):
 * protocol "" for the rating from all the intervention's WWC findings in
 * the domain, else the published report's protocol with its rating beside. */
typedef struct ww_wwc_effectiveness_row {
    const char *domain, *protocol, *rating, *reason, *published, *published_location;
    int handbook;
    long n_studies, n_findings, published_n_studies; /* -1 unknown */
    int agrees; /* 1, 0, -1 nothing published */
} ww_wwc_effectiveness_row;

int ww_repo__wwc_effectiveness_rows(ww_wwc_effectiveness_row **out, size_t *n_out, ww_db *db,
                                    ww_arena *arena, int64_t intervention_id);

/* The published intervention-level ratings joined to an intervention by
 * its source ids (intervention_key), in domain order. */
int ww_repo__published_ratings(ww_published_rating **out, size_t *n_out, ww_db *db,
                               ww_arena *arena, int64_t intervention_id);

/* By slug, else by exact (case-insensitive) name. WW_ENOTFOUND if neither. */
int ww_repo__intervention(ww_intervention_row *out, ww_db *db, ww_arena *arena,
                          const char *slug_or_name);

/* The whole taxonomy, in file order: issue i has slug, parent ("" none),
 * label, domains and terms and outcome-measure patterns joined with "|". */
typedef struct ww_issue_row {
    const char *slug, *parent, *label, *domains, *terms, *patterns;
} ww_issue_row;

/* The version of the taxonomy compiled in (data/issues.tsv's first line). */
int ww_repo__taxonomy_version(void);

int ww_repo__issues(ww_issue_row **out, size_t *n_out, ww_db *db, ww_arena *arena);

/* A study's stored rigour grade, for `whatworks grade`. */
typedef struct ww_study_grade_row {
    int64_t id;
    const char *title, *intervention_slug, *design, *rules_version, *wwc_rating, *trace, *advice;
    int year, level, sms, provisional;
} ww_study_grade_row;

/* WW_ENOTFOUND when there is no such study. */
int ww_repo__study_grade(ww_study_grade_row *out, ww_db *db, ww_arena *arena, int64_t study_id);

/* Regrade every study under the current rules, in one transaction, then
 * recompute every synthesis (certainty depends on the grades). report() is
 * called for each study whose level, SMS level or WWC rating moved, with a
 * one-line reason; a negative return stops and rolls back. */
struct ww_rigour_grade;
typedef int (*ww_regrade_fn)(void *ctx, int64_t study_id, const struct ww_rigour_grade *after,
                             const char *reason);
int ww_repo__regrade(ww_db *db, ww_regrade_fn report, void *ctx, size_t *studies_out,
                     size_t *moved_out);

/* Every API token ever made, live or revoked, in the order made (token.c);
 * revoked_at is NULL for a live one. Hashes are never read out. */
typedef struct ww_api_token_row {
    const char *name, *created_at, *revoked_at;
} ww_api_token_row;

int ww_repo__api_tokens(ww_api_token_row **out, size_t *n_out, ww_db *db, ww_arena *arena);

#endif
