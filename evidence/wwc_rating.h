/*
 * wwc_rating.h — the What Works Clearinghouse's intervention "rating of
 * effectiveness" for one outcome domain, by WWC's own published vote-counting
 * procedure (Procedures and Standards Handbooks v1.0 to v4.x): each study's
 * findings in the domain are characterised (statistically significant
 * positive, substantively important positive, indeterminate, substantively
 * important negative, statistically significant negative), and the counts of
 * studies in each characterisation decide among Positive, Potentially
 * Positive, Mixed, No Discernible, Potentially Negative and Negative Effects.
 * docs/wwc-rating.md gives each rule with its source.
 *
 * The caller signs each effect so that positive favours the intervention
 * (for WWC's findings file: the sign of WWC's improvement index); this
 * module never guesses direction. Pure: no I/O; no allocation.
 */
#ifndef WW_EVIDENCE_WWC_RATING_H
#define WW_EVIDENCE_WWC_RATING_H

#include <stddef.h>

/* The handbook versions whose procedure is implemented (major version). */
#define WW_WWC_HANDBOOK_MIN 1
#define WW_WWC_HANDBOOK_MAX 4

/* One WWC finding: one outcome measure of one study, as WWC reported it. */
typedef struct ww_wwc_finding {
    const char *study;     /* the study (WWC ReviewID); findings with equal
                            * text are one study; must not be NULL */
    int rating;            /* WWC finding rating: 1 meets standards without
                            * reservations, 2 with reservations, 3 does not
                            * meet, 0 unknown */
    int is_subgroup;       /* 1 subgroup finding, 0 main finding, -1 unknown
                            * (counted as main) */
    double g;              /* Hedges' g signed so positive favours the
                            * intervention; NAN unknown */
    int significant;       /* WWC's significance flag after its clustering
                            * and multiple-comparison corrections: 1, 0, or
                            * -1 unknown (then p < .05 decides, when known) */
    double p;              /* WWC's p-value (clustering-corrected); NAN */
    double variance;       /* sampling variance of g; NAN = derive it from p
                            * and g, else from the sample sizes */
    double n_intervention; /* analysed sample sizes; NAN unknown */
    double n_comparison;
    double n;            /* total analysed sample when the arms are
                          * unknown (split equally); NAN unknown */
    const char *outcome; /* outcome measure name (for the caller's
                          * records; not used by the rules); may be NULL */
    const char *period;  /* timing of the measure; may be NULL */
} ww_wwc_finding;

/* WWC's published effectiveness ratings. */
typedef enum ww_wwc_effectiveness {
    WW_WWC_EFF_NOT_RATED = 0, /* no main finding that meets standards */
    WW_WWC_EFF_POSITIVE,
    WW_WWC_EFF_POTENTIALLY_POSITIVE,
    WW_WWC_EFF_MIXED,
    WW_WWC_EFF_NO_DISCERNIBLE,
    WW_WWC_EFF_POTENTIALLY_NEGATIVE,
    WW_WWC_EFF_NEGATIVE
} ww_wwc_effectiveness;

/* How one study's findings in one domain are characterised. */
typedef enum ww_wwc_character {
    WW_WWC_SIGNIFICANT_POSITIVE = 0,
    WW_WWC_SUBSTANTIVE_POSITIVE, /* not significant, average g >= 0.25 */
    WW_WWC_INDETERMINATE,
    WW_WWC_SUBSTANTIVE_NEGATIVE, /* not significant, average g <= -0.25 */
    WW_WWC_SIGNIFICANT_NEGATIVE,
    WW_WWC_CHARACTER_COUNT
} ww_wwc_character;

/* Why a study received its characterisation. */
typedef enum ww_wwc_basis {
    WW_WWC_BASIS_ONE_FINDING = 0,     /* one finding: its flag and its g */
    WW_WWC_BASIS_ANY_FINDING,         /* one or more findings significant in one
                                       * direction, none in the other */
    WW_WWC_BASIS_DOMAIN_AVERAGE_TEST, /* the average g tested against 0 */
    WW_WWC_BASIS_AVERAGE_SIZE,        /* the average g against +-0.25 */
    WW_WWC_BASIS_NONE                 /* nothing significant or large, or no
                                       * effect size at all */
} ww_wwc_basis;

/* One study's characterisation in a domain. */
typedef struct ww_wwc_study {
    const char *study; /* points into the findings */
    ww_wwc_character character;
    ww_wwc_basis basis;
    int rating;        /* the best (lowest nonzero) rating among its
                        * counted findings; 0 unknown */
    size_t n_findings; /* main findings that meet standards */
    size_t n_with_g;   /* of which with an effect size */
    double mean_g;     /* average favourable g; NAN when none */
    double z;          /* domain-average test statistic; NAN when
                        * the test was not run */
} ww_wwc_study;

/* The rating of one domain, with what decided it. */
typedef struct ww_wwc_domain_rating {
    ww_wwc_effectiveness rating;
    int handbook;      /* the handbook version applied */
    size_t n_studies;  /* studies counted */
    size_t n_findings; /* findings counted */
    size_t n_subgroup_excluded;
    size_t n_not_meeting_excluded;
    size_t by_character[WW_WWC_CHARACTER_COUNT]; /* studies in each */
    size_t n_strong_significant_positive;        /* significant positive studies
                                                  * not known to be rated with
                                                  * reservations (see docs) */
    size_t n_strong_significant_negative;
    size_t n_rating_unknown; /* counted studies whose rating is unknown */
    char reason[320];        /* one line naming the deciding rule */
} ww_wwc_domain_rating;

/*
 * Characterise one study's findings in one domain (Handbook v2.0 appendix E
 * part B; see docs/wwc-rating.md). Every finding passed is used: the caller
 * (or ww_wwc_rate_domain()) has already left out subgroups and findings
 * that do not meet standards.
 * @param[out] out  the characterisation; out->study is f[0].study
 * @param f         n >= 1 findings of one study
 * @param handbook  major handbook version 1..4, or 0 for the latest
 *                  implemented (4)
 * @return 0; WW_EUSAGE for NULL out/f, n == 0 or an unsupported handbook
 *         (5: v5.0 rates by meta-analysis, not by this procedure)
 */
int ww_wwc_characterise_study(ww_wwc_study *out, const ww_wwc_finding *f, size_t n, int handbook);

/*
 * Rate one intervention in one outcome domain from all of its findings
 * there: subgroup findings and findings that do not meet standards are left
 * out; the rest are grouped by study, each study characterised, and the
 * counts rated (Handbook v1.0 "Intervention Rating Scheme", v2.0 appendix E,
 * v2.1 appendix F, v3.0 and v4.x intervention-report ratings). With no
 * finding left the rating is WW_WWC_EFF_NOT_RATED (not an error).
 * @param[out] out  the rating; zeroed first
 * @param f         the findings (NULL only when n == 0)
 * @param handbook  as for ww_wwc_characterise_study()
 * @return 0; WW_EUSAGE (NULL out, NULL f with n > 0, unsupported handbook);
 *         WW_EDATA when a finding has a NULL study or a rating outside 0..3
 *         (the message names the finding's index)
 */
int ww_wwc_rate_domain(ww_wwc_domain_rating *out, const ww_wwc_finding *f, size_t n, int handbook);

/* WWC's published text for a rating ("Positive Effects", "Potentially
 * Positive Effects", "Mixed Effects", "No Discernible Effects", "Potentially
 * Negative Effects", "Negative Effects"); "Not rated" for NOT_RATED and
 * "unknown" for a value outside the enum. Static. */
const char *ww_wwc_effectiveness_name(ww_wwc_effectiveness rating);

/* The rating named by WWC's published text, compared without regard to
 * case or surrounding white space; "N/A" and "" parse as NOT_RATED.
 * @return 0; WW_EUSAGE for NULL arguments; WW_EDATA for any other text */
int ww_wwc_effectiveness_parse(ww_wwc_effectiveness *out, const char *text);

/* Short names of a characterisation ("significant positive", ...) and of a
 * basis ("one finding", ...). Static. */
const char *ww_wwc_character_name(ww_wwc_character c);
const char *ww_wwc_basis_name(ww_wwc_basis b);

#endif
