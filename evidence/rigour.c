/*
 * rigour.c — the rules engine behind rigour.h: the versioned rules table
 * (whatworks-rules/2), the study grade with its Maryland SMS and WWC
 * crosswalks, the GRADE-style certainty of a body of evidence with its
 * Foundations/EIF and Blueprints crosswalks, and the one-line comparison of a
 * grade before and after a regrade.
 *
 * Each rule is one step that reads the input, writes one trace line ("step:
 * inputs → verdict → effect") and may lower the level to its cap; the order
 * of steps is the order of DESIGN.md 6.3. The sources of the numbers are
 * named next to them in the table below and, at length, in docs/rigour.md.
 * Nothing here touches files or the database; the only allocations are the
 * trace and advice strings (util's ww_buf), which the grade owns.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "rigour.h"

#define LEVEL_MAX 5

/* ---- the rules table ------------------------------------------------------ */

/* WWC Standards Handbook v4.1 (2020), Table II.1, "Highest differential
 * attrition rate for a sample to maintain low attrition, by overall
 * attrition rate": differential (points) for overall = 0, 1, ..., 57 %
 * (cautious) and 0, 1, ..., 65 % (optimistic). Above the last row every
 * differential is high attrition. Transcribed from a secondary source, not
 * yet checked against the PDF (docs/rigour.md 1.2). */
static const double wwc_cautious[] = {
    5.7, 5.8, 5.9, 5.9, 6.0, 6.1, 6.2, 6.3, 6.3, 6.3, /* 0-9 */
    6.3, 6.2, 6.2, 6.1, 6.0, 5.9, 5.9, 5.8, 5.7, 5.5, /* 10-19 */
    5.4, 5.3, 5.2, 5.1, 4.9, 4.8, 4.7, 4.5, 4.4, 4.3, /* 20-29 */
    4.1, 4.0, 3.8, 3.6, 3.5, 3.3, 3.2, 3.1, 2.9, 2.8, /* 30-39 */
    2.6, 2.5, 2.3, 2.1, 2.0, 1.8, 1.6, 1.5, 1.3, 1.2, /* 40-49 */
    1.0, 0.9, 0.7, 0.6, 0.4, 0.3, 0.2, 0.0            /* 50-57 */
};
static const double wwc_optimistic[] = {
    10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.7, 10.8, 10.9, 10.9, /* 0-9 */
    10.9, 10.9, 10.9, 10.8, 10.8, 10.7, 10.6, 10.5, 10.3, 10.2, /* 10-19 */
    10.0, 9.9,  9.7,  9.5,  9.4,  9.2,  9.0,  8.8,  8.6,  8.4,  /* 20-29 */
    8.2,  8.0,  7.8,  7.6,  7.4,  7.2,  7.0,  6.7,  6.5,  6.3,  /* 30-39 */
    6.0,  5.8,  5.6,  5.3,  5.1,  4.9,  4.6,  4.4,  4.2,  3.9,  /* 40-49 */
    3.7,  3.5,  3.2,  3.0,  2.8,  2.6,  2.3,  2.1,  1.9,  1.6,  /* 50-59 */
    1.4,  1.1,  0.9,  0.7,  0.5,  0.3                           /* 60-65 */
};

static const ww_rules rules_2 = {
    /* rules/2 added the plausibility, clustering and unreviewed-evidence
     * rules at the end of this table; the study grade is as in rules/1. */
    .version = "whatworks-rules/2",
    /* DESIGN.md 6.3; the ladder follows the Maryland SMS (What Works Growth,
     * "Guide to scoring evidence", 2016: RCT 5; IV and RDD 4; DiD, panel and
     * PSM 3; cross-section and before/after 2 and below). */
    .design_level =
        {
            [WW_DESIGN_UNKNOWN] = 0,
            [WW_DESIGN_RANDOMISED] = 5,
            [WW_DESIGN_REGRESSION_DISCONTINUITY] = 4,
            [WW_DESIGN_INSTRUMENT] = 4,
            [WW_DESIGN_DIFF_IN_DIFF] = 3,
            [WW_DESIGN_MATCHED_PRETEST] = 3,
            [WW_DESIGN_COMPARISON] = 2,
            [WW_DESIGN_BEFORE_AFTER] = 1,
            [WW_DESIGN_DESCRIPTIVE] = 0,
        },
    .attrition_cautious = wwc_cautious,
    .n_attrition_cautious = sizeof wwc_cautious / sizeof wwc_cautious[0],
    .attrition_optimistic = wwc_optimistic,
    .n_attrition_optimistic = sizeof wwc_optimistic / sizeof wwc_optimistic[0],
    .default_boundary = WW_BOUNDARY_CAUTIOUS,
    /* WWC: a high-attrition RCT must show baseline equivalence, as a QED, and
     * can at best meet standards with reservations -> the QED level 3. */
    .cap_high_attrition = 3,
    /* whatworks choice: level 5 needs attrition shown to be low. */
    .cap_attrition_unknown = 4,
    /* WWC Handbook v4.1 p. 54; WWC FAQ on equivalence. */
    .baseline_fine_sd = 0.05,
    .baseline_adjust_sd = 0.25,
    /* whatworks choices: equivalence not shown -> a plain comparison (2);
     * shown not to hold -> a comparison with poor matching (1). */
    .cap_baseline_not_shown = 2,
    .cap_baseline_fails = 1,
    /* whatworks choices (RoB 2 overall = worst domain, Sterne et al. 2019). */
    .cap_rob_high = 3,
    .cap_rob_concerns = 4,
    .rob1_unclear_min = 3,
    /* The critical-appraisal item "adequate sample size" used in Campbell
     * Collaboration reviews: high confidence >= 100, medium < 100, low < 30
     * (pmc.ncbi.nlm.nih.gov/articles/PMC8356326, Table 3). */
    .n_small = 100,
    .cap_n_small = 4,
    .n_very_small = 30,
    .cap_n_very_small = 2,
    .cap_not_independent = LEVEL_MAX,
    .start_weight_pct = 50.0,
    /* GRADE: randomised evidence starts high, observational low (Balshem et
     * al. 2011, GRADE guidelines 3); 4 and 0-1 are whatworks choices. */
    .certainty_start =
        {
            [0] = WW_CERTAINTY_VERY_LOW,
            [1] = WW_CERTAINTY_VERY_LOW,
            [2] = WW_CERTAINTY_LOW,
            [3] = WW_CERTAINTY_LOW,
            [4] = WW_CERTAINTY_MODERATE,
            [5] = WW_CERTAINTY_HIGH,
        },
    .rob_weight_pct = 50.0,
    /* Cochrane Handbook v5.0.1 9.5.2 bands: 50-90 "substantial", 75-100
     * "considerable". */
    .i2_serious_pct = 50.0,
    .i2_very_serious_pct = 75.0,
    /* OIS for a standardised difference of 0.2 SD, two-sided alpha 0.05,
     * power 0.80: 2 * ceil(2 (1.959964 + 0.841621)^2 / 0.2^2) = 2 * 393. */
    .ois_participants = 786,
    /* Funnel-asymmetry tests only with at least 10 studies (Cochrane
     * Handbook v5.1 10.4.3.1); Egger et al. 1997 used p < 0.10. Both
     * recalled, not verified: docs/rigour.md 2.5. */
    .egger_min_k = 10,
    .egger_p = 0.10,
    .eif_rigorous_level = 3,
    .eif_preliminary_level = 1,
    .eif_level4_studies = 2,
    .sustained_months = 12.0,
    .blueprints_rct_level = 4,
    .blueprints_qed_level = 3,
    /* WWC reviewers' own study rating (WWC Procedures and Standards Handbook
     * v4.1, ch. II-III; v5.0 ch. 3): "meets without reservations" is earned
     * only by a randomised trial with low attrition (or an RDD meeting its
     * standards), so an unknown design starts at 4 (the RDD level) and a
     * known one keeps its level; "with reservations" is a QED or a
     * high-attrition RCT that showed baseline equivalence, our level 3 (as
     * cap_high_attrition); "does not meet" means the comparison's validity
     * was not established, as a baseline shown not to hold (cap 1). */
    .reviewed_base_level =
        {
            [WW_WWC_NOT_RATED] = 0,
            [WW_WWC_WITHOUT_RESERVATIONS] = 4,
            [WW_WWC_WITH_RESERVATIONS] = 3,
            [WW_WWC_DOES_NOT_MEET] = 1,
        },
    .cap_reviewed =
        {
            [WW_WWC_NOT_RATED] = LEVEL_MAX,
            [WW_WWC_WITHOUT_RESERVATIONS] = LEVEL_MAX,
            [WW_WWC_WITH_RESERVATIONS] = 3,
            [WW_WWC_DOES_NOT_MEET] = 1,
        },
    /* Plausibility (docs/rigour.md 3). |SMD| > 3: DESIGN.md 6.2a, a
     * whatworks choice; three standard deviations is beyond the largest
     * effects in the distributions of education and social-policy RCTs
     * (Kraft 2020, Educational Researcher 49(4); Lipsey et al. 2012, NCSER
     * 2013-3000), and is what SDs typed as SEs produce. */
    .smd_implausible_abs = 3.0,
    /* SDs that look like standard errors. The Cochrane Handbook (v6.4,
     * 6.5.2.2; v5.1, 7.7.3.2) warns that SDs and SEs are confused in
     * reports and that SD = SE x sqrt(n). An SE typed as an SD inflates g by
     * about sqrt(n), so: each arm >= 30 (large enough for that to matter),
     * each SD below the |mean difference|, |g| > 2, and g with the SDs read
     * as SEs (SD x sqrt(n)) at most 1, an ordinary effect. Thresholds are
     * whatworks choices. */
    .se_check_min_n = 30,
    .se_suspect_smd = 2.0,
    .se_plausible_smd = 1.0,
    /* An SMD's sampling variance is at least about 1/n1 + 1/n2 (Hedges 1982;
     * Borenstein et al. 2009, eq. 4.20); covariate adjustment lowers it by
     * (1 - R^2). Below a tenth of it means R^2 > 0.9, more than pre-tests
     * explain (Hedges & Hedberg 2007, EEPA 29(1), tables of R^2): a whatworks
     * choice. */
    .vi_floor_factor = 0.1,
    /* WWC Procedures Handbook v4.1 (2020), appendix F (clustering correction
     * for mismatched analyses, after Hedges 2007): default ICCs 0.20 for
     * achievement outcomes and 0.10 for behavioural and attitudinal ones
     * when a study reports none (also Procedures and Standards Handbook
     * v2.0, 2008, appendix C). */
    .icc_achievement = 0.20,
    .icc_other = 0.10,
    /* Unreviewed evidence (docs/rigour.md 2.6): a whatworks choice by
     * analogy with GRADE's study-limitations downgrade (Guyatt et al. 2011,
     * GRADE guidelines 4, J Clin Epidemiol 64(4):407-415): numbers nobody
     * has checked against a report cannot support "high". The share is the
     * start rule's "most of the weight", so one small submission cannot cap
     * a body of reviewed trials. */
    .provisional_weight_pct = 50.0,
    .cap_provisional = WW_CERTAINTY_MODERATE,
};

const ww_rules *ww_rules_current(void)
{
    return &rules_2;
}

static ww_rigour_boundary resolve_boundary(ww_rigour_boundary b, const ww_rules *rules)
{
    if (b == WW_BOUNDARY_CAUTIOUS || b == WW_BOUNDARY_OPTIMISTIC) return b;
    return rules->default_boundary == WW_BOUNDARY_OPTIMISTIC ? WW_BOUNDARY_OPTIMISTIC
                                                             : WW_BOUNDARY_CAUTIOUS;
}

double ww_rigour_attrition_boundary(double overall_pct, ww_rigour_boundary boundary,
                                    const ww_rules *rules)
{
    const double *table;
    size_t n, i;
    double r;

    if (!rules) rules = &rules_2;
    if (resolve_boundary(boundary, rules) == WW_BOUNDARY_OPTIMISTIC) {
        table = rules->attrition_optimistic;
        n = rules->n_attrition_optimistic;
    } else {
        table = rules->attrition_cautious;
        n = rules->n_attrition_cautious;
    }
    if (!table || n == 0 || !isfinite(overall_pct) || overall_pct < 0) return NAN;
    /* Whole percentages computed from counts can land a hair off the row. */
    r = round(overall_pct);
    if (fabs(overall_pct - r) < 1e-9) overall_pct = r;
    if (overall_pct > (double)(n - 1)) return NAN;
    i = (size_t)floor(overall_pct);
    if (i + 1 >= n) return table[n - 1];
    return table[i] + (overall_pct - (double)i) * (table[i + 1] - table[i]);
}

/* ---- trace building ------------------------------------------------------- */

typedef struct tracer {
    ww_buf trace;
    ww_buf advice;
    int rc; /* sticky: once negative, every later append does nothing */
} tracer;

static void vappend(tracer *t, ww_buf *b, const char *fmt, va_list ap)
{
    va_list aq;
    int n;

    if (t->rc < 0) return;
    va_copy(aq, ap);
    n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0) {
        t->rc = ww__error(WW_ERROR, "rigour: bad trace format");
        return;
    }
    if ((t->rc = ww_buf__grow(b, (size_t)n)) < 0) return;
    vsnprintf(b->data + b->size, (size_t)n + 1, fmt, ap);
    b->size += (size_t)n;
}

/* Append to the current trace line (lines end when a text ends in '\n'). */
static void tr(tracer *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tr(tracer *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vappend(t, &t->trace, fmt, ap);
    va_end(ap);
}

/* One line of advice for evaluators. */
static void advise(tracer *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void advise(tracer *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vappend(t, &t->advice, fmt, ap);
    va_end(ap);
    if (t->rc >= 0) t->rc = ww_buf__puts(&t->advice, "\n");
}

/* Close a step's line with its effect on the level. */
static void cap(tracer *t, int *level, int to)
{
    if (to >= LEVEL_MAX) {
        tr(t, " → no cap\n");
    } else if (to < *level) {
        tr(t, " → level capped at %d\n", to);
        *level = to;
    } else {
        tr(t, " → cap %d (level already %d)\n", to, *level);
    }
}

/* Detach both buffers into the caller's strings, or free them on error. */
static int tracer_finish(tracer *t, char **trace, char **advice)
{
    *trace = *advice = NULL;
    if (t->rc >= 0 && (t->rc = ww_buf__puts(&t->trace, "")) >= 0 &&
        (t->rc = ww_buf__puts(&t->advice, "")) >= 0) {
        *trace = ww_buf__detach(&t->trace);
        *advice = ww_buf__detach(&t->advice);
        if (!*trace || !*advice) {
            free(*trace);
            free(*advice);
            *trace = *advice = NULL;
            t->rc = ww__error_oom();
        }
    }
    ww_buf__free(&t->trace);
    ww_buf__free(&t->advice);
    return t->rc < 0 ? t->rc : 0;
}

/* ---- small helpers -------------------------------------------------------- */

static const char *const design_text[WW_RIGOUR_N_DESIGNS] = {
    [WW_DESIGN_UNKNOWN] = "not reported",
    [WW_DESIGN_RANDOMISED] = "randomised",
    [WW_DESIGN_REGRESSION_DISCONTINUITY] = "regression discontinuity",
    [WW_DESIGN_INSTRUMENT] = "instrumental variable",
    [WW_DESIGN_DIFF_IN_DIFF] = "difference-in-differences",
    [WW_DESIGN_MATCHED_PRETEST] = "matched comparison with pre-test",
    [WW_DESIGN_COMPARISON] = "comparison group",
    [WW_DESIGN_BEFORE_AFTER] = "before/after, no comparison group",
    [WW_DESIGN_DESCRIPTIVE] = "descriptive",
};

static int has_comparison(ww_design d)
{
    return d == WW_DESIGN_RANDOMISED || d == WW_DESIGN_REGRESSION_DISCONTINUITY ||
           d == WW_DESIGN_INSTRUMENT || d == WW_DESIGN_DIFF_IN_DIFF ||
           d == WW_DESIGN_MATCHED_PRETEST || d == WW_DESIGN_COMPARISON;
}

/* Designs WWC reviews as quasi-experiments (they must show equivalence). */
static int is_qed(ww_design d)
{
    return d == WW_DESIGN_DIFF_IN_DIFF || d == WW_DESIGN_MATCHED_PRETEST ||
           d == WW_DESIGN_COMPARISON;
}

static int clamp_level(int v)
{
    return v < 0 ? 0 : v > LEVEL_MAX ? LEVEL_MAX : v;
}

/* Case-insensitive ASCII substring test; NULL never matches. */
static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle), i;
    if (!hay) return 0;
    for (; *hay; hay++) {
        for (i = 0; i < n && hay[i]; i++)
            if (tolower((unsigned char)hay[i]) != tolower((unsigned char)needle[i])) break;
        if (i == n) return 1;
    }
    return 0;
}

/* Case-insensitive equality after trimming surrounding blanks. */
static int equals_ci(const char *s, const char *word)
{
    size_t n, i;
    if (!s) return 0;
    while (isspace((unsigned char)*s)) s++;
    n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    if (n != strlen(word)) return 0;
    for (i = 0; i < n; i++)
        if (tolower((unsigned char)s[i]) != tolower((unsigned char)word[i])) return 0;
    return 1;
}

/* ---- risk of bias --------------------------------------------------------- */

typedef enum judgement { J_UNRECOGNISED = 0, J_LOW, J_UNCLEAR, J_CONCERNS, J_HIGH } judgement;

/* RevMan RoB 1 stores YES (low risk), NO (high risk), UNKNOWN (unclear). */
static judgement parse_judgement(const char *s)
{
    static const struct {
        const char *text;
        judgement j;
    } words[] = {
        {"low", J_LOW},
        {"low risk", J_LOW},
        {"low risk of bias", J_LOW},
        {"yes", J_LOW},
        {"high", J_HIGH},
        {"high risk", J_HIGH},
        {"high risk of bias", J_HIGH},
        {"no", J_HIGH},
        {"unclear", J_UNCLEAR},
        {"unclear risk", J_UNCLEAR},
        {"unclear risk of bias", J_UNCLEAR},
        {"unknown", J_UNCLEAR},
        {"some concerns", J_CONCERNS},
    };
    size_t i;
    for (i = 0; i < sizeof words / sizeof words[0]; i++)
        if (equals_ci(s, words[i].text)) return words[i].j;
    return J_UNRECOGNISED;
}

static int is_rob2(const ww_rob_rec *r)
{
    if (r->tool) return contains_ci(r->tool, "2");
    return parse_judgement(r->judgement) == J_CONCERNS;
}

typedef struct rob_tally {
    size_t items, low, unclear, concerns, high, unrecognised;
    const char *first_high, *first_concern;
    judgement overall; /* RoB 2 reviewers' overall row; J_UNRECOGNISED if none */
} rob_tally;

static void rob_count(rob_tally *t, const ww_rigour_input *in, int rob2)
{
    size_t i;
    memset(t, 0, sizeof *t);
    for (i = 0; i < in->n_rob; i++) {
        const ww_rob_rec *r = &in->rob[i];
        judgement j;
        if (is_rob2(r) != rob2) continue;
        j = parse_judgement(r->judgement);
        if (rob2 && equals_ci(r->domain, "overall")) {
            if (j == J_UNRECOGNISED)
                t->unrecognised++;
            else
                t->overall = j;
            continue;
        }
        t->items++;
        switch (j) {
        case J_LOW: t->low++; break;
        case J_UNCLEAR: t->unclear++; break;
        case J_CONCERNS: t->concerns++; break;
        case J_HIGH: t->high++; break;
        default: t->unrecognised++; break;
        }
        if (j == J_HIGH && !t->first_high) t->first_high = r->domain ? r->domain : "unnamed";
        if ((j == J_CONCERNS || j == J_UNCLEAR) && !t->first_concern)
            t->first_concern = r->domain ? r->domain : "unnamed";
    }
}

static ww_rigour_rob judgement_rob(judgement j)
{
    switch (j) {
    case J_LOW: return WW_ROB_LOW;
    case J_UNCLEAR:
    case J_CONCERNS: return WW_ROB_CONCERNS;
    case J_HIGH: return WW_ROB_HIGH;
    default: return WW_ROB_NOT_ASSESSED;
    }
}

/* One trace line per tool present; returns that tool's verdict. */
static ww_rigour_rob rob_step(tracer *t, int *level, const ww_rigour_input *in,
                              const ww_rules *rules, int rob2)
{
    rob_tally c;
    ww_rigour_rob v;

    rob_count(&c, in, rob2);
    if (c.items == 0 && c.overall == J_UNRECOGNISED) return WW_ROB_NOT_ASSESSED;
    if (rob2) {
        tr(t, "risk of bias: RoB 2, %zu domains (%zu high, %zu some concerns, %zu low", c.items,
           c.high, c.concerns + c.unclear, c.low);
    } else {
        tr(t, "risk of bias: RoB 1, %zu items (%zu high, %zu unclear, %zu low", c.items, c.high,
           c.unclear + c.concerns, c.low);
    }
    if (c.unrecognised) tr(t, ", %zu not recognised", c.unrecognised);
    tr(t, ")");

    if (rob2 && c.overall != J_UNRECOGNISED) {
        v = judgement_rob(c.overall);
        tr(t, " → %s (reviewers' overall judgement)",
           v == WW_ROB_HIGH       ? "high"
           : v == WW_ROB_CONCERNS ? "some concerns"
                                  : "low");
    } else if (c.high) {
        v = WW_ROB_HIGH;
        tr(t, " → high (\"%s\")", c.first_high);
    } else if (rob2 && c.concerns + c.unclear) {
        v = WW_ROB_CONCERNS;
        tr(t, " → some concerns (worst domain: \"%s\")", c.first_concern);
    } else if (!rob2 && c.unclear + c.concerns >= (size_t)rules->rob1_unclear_min) {
        v = WW_ROB_CONCERNS;
        tr(t, " → some concerns (unclear in %d or more items)", rules->rob1_unclear_min);
    } else if (c.low + c.unclear + c.concerns) {
        v = WW_ROB_LOW;
        tr(t, " → low");
    } else {
        tr(t, " → not assessed (no judgement recognised)\n");
        return WW_ROB_NOT_ASSESSED;
    }

    if (v == WW_ROB_HIGH) {
        cap(t, level, rules->cap_rob_high);
        advise(t, "address the risk-of-bias %s judged high%s%s%s", rob2 ? "domains" : "items",
               c.first_high ? " (\"" : "", c.first_high ? c.first_high : "",
               c.first_high ? "\")" : "");
    } else if (v == WW_ROB_CONCERNS) {
        cap(t, level, rules->cap_rob_concerns);
        advise(t, "report enough detail for the unclear risk-of-bias %s to be judged low%s%s%s",
               rob2 ? "domains" : "items", c.first_concern ? " (\"" : "",
               c.first_concern ? c.first_concern : "", c.first_concern ? "\")" : "");
    } else {
        cap(t, level, LEVEL_MAX);
    }
    return v;
}

/* Reviewers judged the risk of bias from missing outcome data low, and no
 * such item high or unclear: attrition is covered by their judgement. */
static int rob_missing_outcome_low(const ww_rigour_input *in)
{
    size_t i;
    int low = 0;
    for (i = 0; i < in->n_rob; i++) {
        const ww_rob_rec *r = &in->rob[i];
        if (!contains_ci(r->domain, "incomplete outcome") &&
            !contains_ci(r->domain, "missing outcome"))
            continue;
        if (parse_judgement(r->judgement) != J_LOW) return 0;
        low = 1;
    }
    return low;
}

/* Randomisation or allocation judged at high risk of bias: the WWC reviews
 * such an RCT as a quasi-experiment (WWC FAQ on equivalence). */
static int rob_randomisation_high(const ww_rigour_input *in)
{
    size_t i;
    for (i = 0; i < in->n_rob; i++) {
        const ww_rob_rec *r = &in->rob[i];
        if ((contains_ci(r->domain, "random") || contains_ci(r->domain, "allocation")) &&
            parse_judgement(r->judgement) == J_HIGH)
            return 1;
    }
    return 0;
}

/* ---- the study grade ------------------------------------------------------ */

void ww_rigour_input_init(ww_rigour_input *in)
{
    memset(in, 0, sizeof *in);
    in->design = WW_DESIGN_UNKNOWN;
    in->assigned_treatment = in->assigned_control = -1;
    in->analysed_treatment = in->analysed_control = -1;
    in->baseline_diff_sd = NAN;
    in->baseline_adjusted = -1;
    in->independent = -1;
    in->boundary = WW_BOUNDARY_DEFAULT;
    in->reviewed_rating = WW_WWC_NOT_RATED;
}

void ww_rigour_input_from_record(ww_rigour_input *in, const ww_record *rec)
{
    size_t i;
    long best = -1;

    ww_rigour_input_init(in);
    in->design = rec->design;
    in->assigned_treatment = rec->assigned_treatment;
    in->assigned_control = rec->assigned_control;
    in->analysed_treatment = rec->analysed_treatment;
    in->analysed_control = rec->analysed_control;
    in->baseline_diff_sd = rec->baseline_diff_sd;
    in->baseline_adjusted = rec->baseline_adjusted;
    in->independent = rec->independent;
    in->rob = rec->rob;
    in->n_rob = rec->n_rob;
    in->design_basis = rec->design_basis;
    if (in->analysed_treatment >= 0 && in->analysed_control >= 0) return;
    for (i = 0; i < rec->n_outcomes; i++) {
        const ww_outcome_rec *o = &rec->outcomes[i];
        long t = -1, c = -1;
        if (o->kind == WW_OUTCOME_CONTINUOUS) {
            t = o->n_treatment;
            c = o->n_control;
        } else if (o->kind == WW_OUTCOME_BINARY) {
            t = o->total_treatment;
            c = o->total_control;
        }
        if (t >= 0 && c >= 0 && t + c > best) {
            best = t + c;
            in->analysed_treatment = t;
            in->analysed_control = c;
        }
    }
}

/* Attrition from the counts; 1 when computed, 0 when a count is missing,
 * -1 when the counts contradict each other (why in *bad). */
static int attrition_counts(const ww_rigour_input *in, double *overall, double *differential,
                            const char **bad)
{
    long gt = in->assigned_treatment, gc = in->assigned_control;
    long at = in->analysed_treatment, ac = in->analysed_control;
    double rt, rc;

    if (gt < 0 || gc < 0 || at < 0 || ac < 0) return 0;
    if (gt == 0 || gc == 0) {
        *bad = "an arm with nobody assigned";
        return -1;
    }
    if (at > gt) {
        *bad = "more analysed than assigned in the treatment arm";
        return -1;
    }
    if (ac > gc) {
        *bad = "more analysed than assigned in the control arm";
        return -1;
    }
    rt = 100.0 * (double)(gt - at) / (double)gt;
    rc = 100.0 * (double)(gc - ac) / (double)gc;
    *overall = 100.0 * (double)(gt + gc - at - ac) / (double)(gt + gc);
    *differential = fabs(rt - rc);
    return 1;
}

static void attrition_step(tracer *t, ww_rigour_grade *g, int *level, const ww_rigour_input *in,
                           const ww_rules *rules)
{
    ww_rigour_boundary b = resolve_boundary(in->boundary, rules);
    const char *bname = b == WW_BOUNDARY_OPTIMISTIC ? "optimistic" : "cautious";
    size_t rows =
        b == WW_BOUNDARY_OPTIMISTIC ? rules->n_attrition_optimistic : rules->n_attrition_cautious;
    const char *bad = NULL;
    double overall = NAN, differential = NAN;
    int got = attrition_counts(in, &overall, &differential, &bad);

    if (got == 1) {
        g->overall_attrition_pct = overall;
        g->differential_attrition_pct = differential;
    }
    if (in->design != WW_DESIGN_RANDOMISED) {
        g->attrition = WW_ATTRITION_NOT_APPLICABLE;
        if (got == 1)
            tr(t, "attrition: overall %.1f%%, differential %.1f%% → ", overall, differential);
        else
            tr(t, "attrition: ");
        tr(t, "not a rule for this design (the WWC attrition standard is for randomised "
              "trials)\n");
        return;
    }
    if (got == 1) {
        double bound = ww_rigour_attrition_boundary(overall, b, rules);
        int whole = fabs(overall - round(overall)) < 1e-9;
        g->attrition_boundary_pct = bound;
        tr(t, "attrition: overall %.1f%%, differential %.1f%%", overall, differential);
        if (isnan(bound)) {
            g->attrition = WW_ATTRITION_HIGH;
            tr(t, " → high (WWC %s boundary: every differential is high above %zu%% overall)",
               bname, rows - 1);
        } else {
            g->attrition = differential <= bound + 1e-9 ? WW_ATTRITION_LOW : WW_ATTRITION_HIGH;
            tr(t, " → %s (WWC %s boundary: at most %.*f points at %.1f%% overall)",
               g->attrition == WW_ATTRITION_LOW ? "low" : "high", bname, whole ? 1 : 2, bound,
               overall);
        }
        if (g->attrition == WW_ATTRITION_HIGH) {
            cap(t, level, rules->cap_high_attrition);
            advise(t,
                   "keep attrition within the WWC %s boundary (at %.1f%% overall, at most "
                   "%.1f points differential); with high attrition a randomised trial "
                   "counts as a quasi-experiment and must show baseline equivalence",
                   bname, overall, isnan(bound) ? 0.0 : bound);
        } else {
            cap(t, level, LEVEL_MAX);
        }
        return;
    }
    g->attrition = WW_ATTRITION_NOT_ASSESSED;
    if (got < 0)
        tr(t, "attrition: counts inconsistent (%s) → not assessed", bad);
    else
        tr(t, "attrition: assigned or analysed counts per arm not reported → not assessed");
    if (rob_missing_outcome_low(in)) {
        tr(t, "; risk of bias from missing outcome data judged low → no cap\n");
    } else {
        cap(t, level, rules->cap_attrition_unknown);
        advise(t, "report assigned and analysed counts per arm so attrition can be checked "
                  "against the WWC boundary");
    }
}

static ww_rigour_baseline baseline_status(const ww_rigour_input *in, const ww_rules *rules)
{
    double d = fabs(in->baseline_diff_sd);
    if (!has_comparison(in->design)) return WW_BASELINE_NOT_APPLICABLE;
    if (!isfinite(d)) return WW_BASELINE_NOT_REPORTED;
    if (d <= rules->baseline_fine_sd + 1e-12) return WW_BASELINE_EQUIVALENT;
    if (d > rules->baseline_adjust_sd + 1e-12) return WW_BASELINE_FAILS;
    if (in->baseline_adjusted == 1) return WW_BASELINE_EQUIVALENT;
    if (in->baseline_adjusted == 0) return WW_BASELINE_NOT_ADJUSTED;
    return WW_BASELINE_ADJUSTMENT_UNKNOWN;
}

static void baseline_inputs(tracer *t, const ww_rigour_input *in, const ww_rules *rules)
{
    double d = fabs(in->baseline_diff_sd);
    if (!isfinite(d)) {
        tr(t, "baseline: not reported");
        return;
    }
    tr(t, "baseline: difference %.2f SD", d);
    if (d > rules->baseline_fine_sd + 1e-12 && d <= rules->baseline_adjust_sd + 1e-12) {
        if (in->baseline_adjusted == 1)
            tr(t, ", adjusted for in the analysis");
        else if (in->baseline_adjusted == 0)
            tr(t, ", not adjusted for");
        else
            tr(t, ", adjustment not reported");
    }
}

static void baseline_step(tracer *t, ww_rigour_grade *g, int *level, const ww_rigour_input *in,
                          const ww_rules *rules)
{
    double fine = rules->baseline_fine_sd, adj = rules->baseline_adjust_sd;
    int required = is_qed(in->design) ||
                   (in->design == WW_DESIGN_RANDOMISED && g->attrition == WW_ATTRITION_HIGH);

    g->baseline = baseline_status(in, rules);
    if (in->design == WW_DESIGN_UNKNOWN) {
        tr(t, "baseline: not assessed (design not reported)\n");
        return;
    }
    if (g->baseline == WW_BASELINE_NOT_APPLICABLE) {
        tr(t, "baseline: no comparison group → not applicable\n");
        return;
    }
    baseline_inputs(t, in, rules);
    if (!required) {
        if (in->design == WW_DESIGN_RANDOMISED)
            tr(t, " → not required (randomised, attrition %s)\n",
               g->attrition == WW_ATTRITION_LOW ? "low" : "not assessed");
        else
            tr(t, " → not a rule for this design\n");
        return;
    }
    switch (g->baseline) {
    case WW_BASELINE_EQUIVALENT:
        if (fabs(in->baseline_diff_sd) <= fine + 1e-12)
            tr(t, " → equivalent (≤ %.2f SD, WWC)", fine);
        else
            tr(t, " → equivalent (%.2f–%.2f SD with adjustment, WWC)", fine, adj);
        cap(t, level, LEVEL_MAX);
        break;
    case WW_BASELINE_NOT_ADJUSTED:
        tr(t, " → not equivalent (%.2f–%.2f SD needs adjustment, WWC)", fine, adj);
        cap(t, level, rules->cap_baseline_not_shown);
        advise(t,
               "adjust for the baseline measure in the impact analysis (the groups differ "
               "by %.2f–%.2f SD)",
               fine, adj);
        break;
    case WW_BASELINE_ADJUSTMENT_UNKNOWN:
        tr(t, " → equivalence not shown (%.2f–%.2f SD needs adjustment, WWC)", fine, adj);
        cap(t, level, rules->cap_baseline_not_shown);
        advise(t, "state whether the impact analysis adjusts for the baseline measure");
        break;
    case WW_BASELINE_FAILS:
        tr(t, " → not equivalent (> %.2f SD, WWC)", adj);
        cap(t, level, rules->cap_baseline_fails);
        advise(t,
               "find a comparison group within %.2f SD of the intervention group at "
               "baseline",
               adj);
        break;
    default: /* WW_BASELINE_NOT_REPORTED */
        tr(t, " → equivalence not shown");
        cap(t, level, rules->cap_baseline_not_shown);
        advise(t, "report the baseline difference between the groups in SD units, and "
                  "whether the analysis adjusts for it");
        break;
    }
}

static void sample_step(tracer *t, ww_rigour_grade *g, int *level, const ww_rigour_input *in,
                        const ww_rules *rules)
{
    const char *what;
    long n;

    if (in->analysed_treatment >= 0 && in->analysed_control >= 0) {
        n = in->analysed_treatment + in->analysed_control;
        what = "analysed";
    } else if (in->assigned_treatment >= 0 && in->assigned_control >= 0) {
        n = in->assigned_treatment + in->assigned_control;
        what = "assigned (analysed not reported)";
    } else {
        g->n_total = -1;
        tr(t, "sample size: not reported → not assessed\n");
        advise(t, "report the number of participants analysed in each arm");
        return;
    }
    g->n_total = n;
    tr(t, "sample size: %ld %s", n, what);
    if (n < rules->n_very_small) {
        tr(t, " → very small (< %ld)", rules->n_very_small);
        cap(t, level, rules->cap_n_very_small);
    } else if (n < rules->n_small) {
        tr(t, " → small (< %ld)", rules->n_small);
        cap(t, level, rules->cap_n_small);
    } else {
        tr(t, " → adequate (≥ %ld)", rules->n_small);
        cap(t, level, LEVEL_MAX);
        return;
    }
    advise(t, "a larger sample (at least %ld analysed) would lift the sample-size cap",
           rules->n_small);
}

static void independence_step(tracer *t, int *level, const ww_rigour_input *in,
                              const ww_rules *rules)
{
    if (in->independent == 1) {
        tr(t, "independence: independent evaluator → no cap\n");
    } else if (in->independent == 0) {
        tr(t, "independence: developer-led (evaluator not independent) → noted");
        if (rules->cap_not_independent < LEVEL_MAX)
            cap(t, level, rules->cap_not_independent);
        else
            tr(t, ", no cap\n");
        advise(t, "an independent evaluation would count as a replication (Blueprints Model "
                  "Plus)");
    } else {
        tr(t, "independence: not reported → noted, no cap\n");
        advise(t, "state whether the evaluator is independent of the developer");
    }
}

/* The review body's rating settles attrition and baseline equivalence: the
 * step records it, with its source, and caps the level as the rules say. */
static void reviewed_step(tracer *t, ww_rigour_grade *g, int *level, const ww_rigour_input *in,
                          const ww_rules *rules)
{
    ww_rigour_wwc r = (ww_rigour_wwc)in->reviewed_rating;
    int randomised = in->design == WW_DESIGN_RANDOMISED;
    tr(t, "reviewers: %s: %s", in->reviewed_by ? in->reviewed_by : "review body",
       in->reviewed_text ? in->reviewed_text : ww_rigour_wwc_name(r));
    if (in->reviewed_reason && *in->reviewed_reason) tr(t, " — %s", in->reviewed_reason);
    if (in->reviewed_where) tr(t, " (%s)", in->reviewed_where);
    tr(t, " → attrition and baseline equivalence judged by the reviewers");
    switch (r) {
    case WW_WWC_WITHOUT_RESERVATIONS:
        g->attrition = randomised ? WW_ATTRITION_LOW : WW_ATTRITION_NOT_APPLICABLE;
        g->baseline = WW_BASELINE_EQUIVALENT;
        break;
    case WW_WWC_WITH_RESERVATIONS:
        g->attrition = randomised ? WW_ATTRITION_HIGH : WW_ATTRITION_NOT_APPLICABLE;
        g->baseline = WW_BASELINE_EQUIVALENT;
        advise(t, "a randomised design with low attrition would meet WWC standards without "
                  "reservations");
        break;
    default:
        g->attrition = randomised ? WW_ATTRITION_HIGH : WW_ATTRITION_NOT_APPLICABLE;
        g->baseline = WW_BASELINE_NOT_REPORTED;
        advise(t, "the reviewers found the study does not meet their standards: low attrition "
                  "or a comparison group shown equivalent at baseline would change that");
        break;
    }
    cap(t, level, rules->cap_reviewed[r]);
}

static void wwc_crosswalk(tracer *t, ww_rigour_grade *g, const ww_rigour_input *in)
{
    const char *why;
    int shown = g->baseline == WW_BASELINE_EQUIVALENT;

    if (in->reviewed_rating > WW_WWC_NOT_RATED && in->reviewed_rating <= WW_WWC_DOES_NOT_MEET) {
        g->wwc = (ww_rigour_wwc)in->reviewed_rating;
        tr(t, "WWC: %s (the WWC reviewers' own rating)\n", ww_rigour_wwc_name(g->wwc));
        return;
    }

    switch (in->design) {
    case WW_DESIGN_RANDOMISED:
        if (rob_randomisation_high(in)) {
            g->wwc = shown ? WW_WWC_WITH_RESERVATIONS : WW_WWC_DOES_NOT_MEET;
            why = shown ? "randomisation at high risk of bias, reviewed as a quasi-experiment; "
                          "baseline equivalence shown"
                        : "randomisation at high risk of bias, reviewed as a quasi-experiment; "
                          "baseline equivalence not shown";
        } else if (g->attrition == WW_ATTRITION_LOW) {
            g->wwc = WW_WWC_WITHOUT_RESERVATIONS;
            why = "randomised, low attrition";
        } else if (g->attrition == WW_ATTRITION_HIGH) {
            g->wwc = shown ? WW_WWC_WITH_RESERVATIONS : WW_WWC_DOES_NOT_MEET;
            why = shown ? "randomised, high attrition; baseline equivalence shown"
                        : "randomised, high attrition; baseline equivalence not shown";
        } else {
            g->wwc = shown ? WW_WWC_WITH_RESERVATIONS : WW_WWC_DOES_NOT_MEET;
            why = shown ? "randomised, attrition not assessed (treated as high); baseline "
                          "equivalence shown"
                        : "randomised, attrition not assessed (treated as high); baseline "
                          "equivalence not shown";
        }
        break;
    case WW_DESIGN_DIFF_IN_DIFF:
    case WW_DESIGN_MATCHED_PRETEST:
    case WW_DESIGN_COMPARISON:
        g->wwc = shown ? WW_WWC_WITH_RESERVATIONS : WW_WWC_DOES_NOT_MEET;
        why = shown ? "quasi-experiment; baseline equivalence shown"
                    : "quasi-experiment; baseline equivalence not shown";
        break;
    case WW_DESIGN_REGRESSION_DISCONTINUITY:
        g->wwc = WW_WWC_NOT_RATED;
        why = "WWC rates regression discontinuity under its own standards, whose inputs are "
              "not held here";
        break;
    case WW_DESIGN_INSTRUMENT:
        g->wwc = WW_WWC_NOT_RATED;
        why = "instrumental variable: outside WWC's group-design standards";
        break;
    case WW_DESIGN_UNKNOWN:
        g->wwc = WW_WWC_NOT_RATED;
        why = "design not reported";
        break;
    default:
        g->wwc = WW_WWC_NOT_RATED;
        why = "no comparison group: not eligible for WWC review";
        break;
    }
    tr(t, "WWC: %s (%s)\n", ww_rigour_wwc_name(g->wwc), why);
}

static void sms_crosswalk(tracer *t, ww_rigour_grade *g, const ww_rigour_input *in)
{
    int shown = g->baseline == WW_BASELINE_EQUIVALENT;
    const char *why;

    switch (in->design) {
    case WW_DESIGN_RANDOMISED:
        if (g->attrition == WW_ATTRITION_LOW) {
            g->sms = 5;
            why = "randomised, low attrition";
        } else if (g->attrition == WW_ATTRITION_NOT_ASSESSED) {
            g->sms = 4;
            why = "randomised, attrition not shown to be negligible";
        } else {
            g->sms = shown ? 3 : 2;
            why = shown ? "randomised with high attrition, comparability shown"
                        : "randomised with high attrition, comparability not shown";
        }
        break;
    case WW_DESIGN_REGRESSION_DISCONTINUITY:
    case WW_DESIGN_INSTRUMENT:
        g->sms = 4;
        why = "quasi-random assignment";
        break;
    case WW_DESIGN_DIFF_IN_DIFF:
    case WW_DESIGN_MATCHED_PRETEST:
        g->sms = shown ? 3 : 2;
        why = shown ? "before/after with a comparison group, comparability shown"
                    : "before/after with a comparison group, comparability not shown";
        break;
    case WW_DESIGN_COMPARISON:
        g->sms = shown ? 2 : 1;
        why = shown ? "comparison with equivalence shown or adjusted for"
                    : "comparison without shown equivalence or adjustment";
        break;
    case WW_DESIGN_BEFORE_AFTER:
        g->sms = 1;
        why = "before/after without a comparison group";
        break;
    case WW_DESIGN_DESCRIPTIVE:
        g->sms = 0;
        why = "descriptive: not SMS-scoreable";
        break;
    default:
        g->sms = 0;
        why = "design not reported: not scoreable";
        break;
    }
    if (g->sms)
        tr(t, "Maryland SMS: %d (%s)\n", g->sms, why);
    else
        tr(t, "Maryland SMS: not scoreable (%s)\n", why);
}

int ww_rigour_grade_study(ww_rigour_grade *out, const ww_rigour_input *in, const ww_rules *rules)
{
    tracer t = {WW_BUF_INIT, WW_BUF_INIT, 0};
    ww_rigour_grade g;
    ww_rigour_rob r1, r2;
    int level, rc;

    if (!out || !in) return ww__error(WW_EUSAGE, "rigour: out and in must not be NULL");
    if ((unsigned)in->design >= WW_RIGOUR_N_DESIGNS)
        return ww__error(WW_EUSAGE, "rigour: design %d out of range", (int)in->design);
    if (in->reviewed_rating < WW_WWC_NOT_RATED || in->reviewed_rating > WW_WWC_DOES_NOT_MEET)
        return ww__error(WW_EUSAGE, "rigour: reviewed rating %d out of range", in->reviewed_rating);
    if (in->n_rob && !in->rob)
        return ww__error(WW_EUSAGE, "rigour: n_rob is %zu but rob is NULL", in->n_rob);
    if (!rules) rules = &rules_2;

    memset(&g, 0, sizeof g);
    g.rules_version = rules->version;
    g.design = in->design;
    g.overall_attrition_pct = g.differential_attrition_pct = g.attrition_boundary_pct = NAN;
    g.independent = in->independent;
    g.n_total = -1;

    /* design */
    level = g.base_level = clamp_level(rules->design_level[in->design]);
    if (in->design == WW_DESIGN_UNKNOWN && in->reviewed_rating != WW_WWC_NOT_RATED) {
        level = g.base_level = clamp_level(rules->reviewed_base_level[in->reviewed_rating]);
        tr(&t, "design: not reported; %s rated it '%s', which %s → base level %d\n",
           in->reviewed_by ? in->reviewed_by : "the reviewers",
           ww_rigour_wwc_name((ww_rigour_wwc)in->reviewed_rating),
           in->reviewed_rating == WW_WWC_WITHOUT_RESERVATIONS
               ? "only a randomised trial with low attrition or a regression discontinuity "
                 "design can earn (WWC Handbook v4.1)"
           : in->reviewed_rating == WW_WWC_WITH_RESERVATIONS
               ? "a quasi-experiment or a high-attrition trial earns by showing baseline "
                 "equivalence (WWC Handbook v4.1)"
               : "says the comparison's validity was not established",
           level);
        advise(&t, "a study file giving the design (WWC's Studies file or the Wolf 2021 "
                   "study file) would tell randomised from regression discontinuity");
    } else if (in->design == WW_DESIGN_UNKNOWN) {
        tr(&t, "design: not reported → base level %d\n", level);
        advise(&t, "report the study design (randomised, regression discontinuity, "
                   "difference-in-differences, matched comparison, ...)");
    } else {
        if (in->design_basis)
            tr(&t, "design: %s (from %s) → base level %d\n", design_text[in->design],
               in->design_basis, level);
        else
            tr(&t, "design: %s → base level %d\n", design_text[in->design], level);
        if (level <= 3)
            advise(&t,
                   "a randomised design (or a regression discontinuity) would raise the "
                   "base level from %d",
                   level);
    }

    if (in->reviewed_rating != WW_WWC_NOT_RATED) {
        reviewed_step(&t, &g, &level, in, rules);
    } else {
        attrition_step(&t, &g, &level, in, rules);
        baseline_step(&t, &g, &level, in, rules);
    }
    r1 = rob_step(&t, &level, in, rules, 0);
    r2 = rob_step(&t, &level, in, rules, 1);
    g.rob = r1 > r2 ? r1 : r2;
    if (g.rob == WW_ROB_NOT_ASSESSED) {
        if (in->n_rob == 0) tr(&t, "risk of bias: not assessed (no judgements)\n");
        advise(&t, "have the risk of bias assessed (%s)",
               in->design == WW_DESIGN_RANDOMISED ? "RoB 2 for a randomised trial"
                                                  : "ROBINS-I for a non-randomised study");
    }
    g.bias_level = level;
    sample_step(&t, &g, &level, in, rules);
    independence_step(&t, &level, in, rules);
    g.level = level;
    tr(&t, "level: %d of %d\n", level, LEVEL_MAX);
    wwc_crosswalk(&t, &g, in);
    sms_crosswalk(&t, &g, in);

    if ((rc = tracer_finish(&t, &g.trace, &g.advice)) < 0) return rc;
    *out = g;
    return 0;
}

void ww_rigour_grade_clear(ww_rigour_grade *grade)
{
    if (!grade) return;
    free(grade->trace);
    free(grade->advice);
    grade->trace = grade->advice = NULL;
}

/* ---- regrade comparison --------------------------------------------------- */

/* The next line of s (without its '\n') into [*line, *len); 0 at the end. */
static int next_line(const char **s, const char **line, size_t *len)
{
    const char *p = *s, *e;
    if (!p || !*p) return 0;
    e = strchr(p, '\n');
    *line = p;
    *len = e ? (size_t)(e - p) : strlen(p);
    *s = e ? e + 1 : p + *len;
    return 1;
}

static int trace_has_line(const char *trace, const char *line, size_t len)
{
    const char *s = trace, *l;
    size_t n;
    while (next_line(&s, &l, &n))
        if (n == len && memcmp(l, line, len) == 0) return 1;
    return 0;
}

static size_t step_name_len(const char *line, size_t len)
{
    const char *c = memchr(line, ':', len);
    return c ? (size_t)(c - line) : len;
}

/* Outcome lines, not rules: they change because a rule did. */
static int is_outcome_step(const char *name, size_t n)
{
    return (n == 5 && memcmp(name, "level", 5) == 0) || (n == 3 && memcmp(name, "WWC", 3) == 0) ||
           (n == 12 && memcmp(name, "Maryland SMS", 12) == 0);
}

/* The rule steps whose lines differ between two traces, each named once. */
#define MAX_CHANGED 32
typedef struct changed {
    const char *name[MAX_CHANGED];
    size_t len[MAX_CHANGED];
    size_t n;
    const char *first; /* the first differing line, as it reads in trace a */
    size_t first_len;
} changed;

/* Record every rule step with a line of a that b lacks. */
static void changed_steps(changed *ch, const char *a, const char *b)
{
    const char *s = a, *l;
    size_t n, k, i;
    while (next_line(&s, &l, &n)) {
        k = step_name_len(l, n);
        if (is_outcome_step(l, k) || trace_has_line(b, l, n)) continue;
        if (!ch->first) {
            ch->first = l;
            ch->first_len = n;
        }
        for (i = 0; i < ch->n; i++)
            if (ch->len[i] == k && memcmp(ch->name[i], l, k) == 0) break;
        if (i == ch->n && ch->n < MAX_CHANGED) {
            ch->name[ch->n] = l;
            ch->len[ch->n++] = k;
        }
    }
}

int ww_rigour_compare(char **reason, int *moved, const ww_rigour_grade *before,
                      const ww_rigour_grade *after)
{
    tracer t = {WW_BUF_INIT, WW_BUF_INIT, 0};
    changed ch;
    const char *va, *vb;
    size_t i;
    int rc;
    char *unused;

    if (!reason || !moved || !before || !after)
        return ww__error(WW_EUSAGE, "rigour: compare needs reason, moved, before and after");
    *reason = NULL;
    memset(&ch, 0, sizeof ch);
    *moved =
        before->level != after->level || before->sms != after->sms || before->wwc != after->wwc;
    va = before->rules_version ? before->rules_version : "unknown rules";
    vb = after->rules_version ? after->rules_version : "unknown rules";

    if (*moved) {
        const char *sep = "";
        tr(&t, "moved: ");
        if (before->level != after->level) {
            tr(&t, "level %d → %d", before->level, after->level);
            sep = ", ";
        }
        if (before->wwc != after->wwc) {
            tr(&t, "%sWWC %s → %s", sep, ww_rigour_wwc_name(before->wwc),
               ww_rigour_wwc_name(after->wwc));
            sep = ", ";
        }
        if (before->sms != after->sms) tr(&t, "%sSMS %d → %d", sep, before->sms, after->sms);
    } else {
        tr(&t, "unchanged: level %d, WWC %s, SMS %d", after->level, ww_rigour_wwc_name(after->wwc),
           after->sms);
    }
    if (strcmp(va, vb) == 0)
        tr(&t, " (%s)", vb);
    else
        tr(&t, " (%s → %s)", va, vb);

    changed_steps(&ch, after->trace, before->trace);
    changed_steps(&ch, before->trace, after->trace);
    for (i = 0; i < ch.n; i++)
        tr(&t, "%s%.*s", i ? ", " : "; changed: ", (int)ch.len[i], ch.name[i]);
    if (ch.first)
        tr(&t, "; %.*s", (int)ch.first_len, ch.first);
    else if (*moved)
        tr(&t, "; no rule step's text changed");

    if ((rc = tracer_finish(&t, reason, &unused)) < 0) return rc;
    free(unused);
    return 0;
}

/* ---- the body of evidence ------------------------------------------------- */

static const char *start_reason(int base)
{
    switch (base) {
    case 5: return "randomised evidence starts high, GRADE";
    case 4: return "quasi-random designs start moderate, whatworks choice";
    case 3:
    case 2: return "non-randomised evidence starts low, GRADE";
    default: return "evidence without a comparison group starts very low, whatworks choice";
    }
}

static const char *down_word(int d)
{
    return d >= 2 ? "very serious" : d == 1 ? "serious" : "not serious";
}

static void down_effect(tracer *t, int d)
{
    if (d)
        tr(t, " → %s → −%d\n", down_word(d), d);
    else
        tr(t, " → not serious\n");
}

/* Significance of the pooled estimate in the favourable direction. */
static int favourable(const ww_meta_result *p, int dir)
{
    return dir > 0 ? p->ci_low > 0 : p->ci_high < 0;
}

static int unfavourable(const ww_meta_result *p, int dir)
{
    return dir > 0 ? p->ci_high < 0 : p->ci_low > 0;
}

static int study_harm(const ww_certainty_study *s, int dir)
{
    double half;
    if (!isfinite(s->yi) || !isfinite(s->vi) || s->vi <= 0) return 0;
    half = 1.959963984540054 * sqrt(s->vi);
    return dir > 0 ? s->yi + half < 0 : s->yi - half > 0;
}

static int sustained(const ww_certainty_study *s, const ww_rules *rules)
{
    return isfinite(s->followup_months) && s->followup_months >= rules->sustained_months;
}

static void eif_crosswalk(tracer *t, ww_certainty *c, const ww_certainty_input *in,
                          const ww_rules *rules)
{
    size_t i, rigorous = 0, preliminary = 0, lasting = 0;

    for (i = 0; i < in->k; i++) {
        const ww_rigour_grade *g = in->studies[i].grade;
        if (g->level >= rules->eif_rigorous_level) {
            rigorous++;
            if (sustained(&in->studies[i], rules)) lasting++;
        }
        if (g->level >= rules->eif_preliminary_level) preliminary++;
    }
    if (favourable(in->pooled, in->direction)) {
        if (rigorous >= (size_t)rules->eif_level4_studies && lasting)
            c->eif = WW_EIF_LEVEL_4;
        else if (rigorous)
            c->eif = WW_EIF_LEVEL_3;
        else if (preliminary)
            c->eif = WW_EIF_LEVEL_2;
        else
            c->eif = WW_EIF_NOT_LEVEL_2;
        tr(t,
           "EIF: %s (significant benefit; %zu rigorous studies at level ≥ %d, %zu with an "
           "outcome ≥ %.0f months after the end; %zu at level ≥ %d)\n",
           ww_eif_name(c->eif), rigorous, rules->eif_rigorous_level, lasting,
           rules->sustained_months, preliminary, rules->eif_preliminary_level);
    } else {
        c->eif = rigorous ? WW_EIF_NOT_EFFECTIVE : WW_EIF_NOT_LEVEL_2;
        tr(t, "EIF: %s (no significant benefit; %zu rigorous studies at level ≥ %d)\n",
           ww_eif_name(c->eif), rigorous, rules->eif_rigorous_level);
    }
    if (c->eif == WW_EIF_LEVEL_3 && !lasting)
        advise(t,
               "measure the outcome at least %.0f months after the intervention ends "
               "(EIF level 4, Blueprints Model)",
               rules->sustained_months);
}

static void blueprints_crosswalk(tracer *t, ww_certainty *c, const ww_certainty_input *in,
                                 const ww_rules *rules)
{
    size_t i, rct = 0, qed = 0;
    int harm = unfavourable(in->pooled, in->direction), lasting = 0, indep = 0;
    const char *why;

    for (i = 0; i < in->k; i++) {
        const ww_certainty_study *s = &in->studies[i];
        const ww_rigour_grade *g = s->grade;
        int hq = 0;
        if (g->design == WW_DESIGN_RANDOMISED && g->level >= rules->blueprints_rct_level) {
            rct++;
            hq = 1;
        } else if (g->design != WW_DESIGN_RANDOMISED && has_comparison(g->design) &&
                   g->level >= rules->blueprints_qed_level) {
            qed++;
            hq = 1;
        }
        if (hq && sustained(s, rules)) lasting = 1;
        if (hq && g->independent == 1) indep = 1;
        if (study_harm(s, in->direction)) harm = 1;
    }
    c->blueprints = WW_BLUEPRINTS_NOT_CERTIFIED;
    if (!favourable(in->pooled, in->direction)) {
        why = "no significant benefit";
    } else if (harm) {
        why = "evidence of harm";
    } else if ((rct >= 2 || (rct >= 1 && qed >= 1)) && lasting) {
        c->blueprints = indep ? WW_BLUEPRINTS_MODEL_PLUS : WW_BLUEPRINTS_MODEL;
        why = indep ? "significant benefit, no harm, sustained, independently evaluated"
                    : "significant benefit, no harm, sustained; no independent evaluation";
    } else if (rct >= 1 || qed >= 2) {
        c->blueprints = WW_BLUEPRINTS_PROMISING;
        why = lasting ? "significant benefit, no harm; too few high-quality studies for Model"
                      : "significant benefit, no harm; no high-quality impact shown sustained";
    } else {
        why = "significant benefit, but fewer high-quality studies than Promising needs";
    }
    tr(t,
       "Blueprints: %s (%s; %zu high-quality RCTs at level ≥ %d, %zu high-quality QEDs at "
       "level ≥ %d; specificity and dissemination readiness not judged)\n",
       ww_blueprints_name(c->blueprints), why, rct, rules->blueprints_rct_level, qed,
       rules->blueprints_qed_level);
    if (c->blueprints == WW_BLUEPRINTS_MODEL)
        advise(t, "an independent replication would reach Blueprints Model Plus");
}

int ww_rigour_certainty(ww_certainty *out, const ww_certainty_input *in, const ww_rules *rules)
{
    tracer t = {WW_BUF_INIT, WW_BUF_INIT, 0};
    ww_certainty c;
    const ww_meta_result *p;
    double sum = 0, share, share2, *w = NULL;
    size_t i, unknown_n = 0;
    long n_total = 0;
    int base, crosses, below, total_down, rc;

    if (!out || !in || !in->pooled || !in->studies)
        return ww__error(WW_EUSAGE, "rigour: out, in, in->pooled and in->studies are required");
    if (in->k == 0) return ww__error(WW_EUSAGE, "rigour: a body of evidence needs k >= 1");
    if (in->direction != 1 && in->direction != -1)
        return ww__error(WW_EUSAGE, "rigour: direction must be +1 or -1, got %d", in->direction);
    p = in->pooled;
    if (!isfinite(p->estimate) || !isfinite(p->ci_low) || !isfinite(p->ci_high))
        return ww__error(WW_EDATA, "rigour: pooled estimate and CI must be finite");
    for (i = 0; i < in->k; i++) {
        const ww_certainty_study *s = &in->studies[i];
        if (!s->grade) return ww__error(WW_EUSAGE, "rigour: study %zu has no grade", i + 1);
        if (!isfinite(s->weight_pct) || s->weight_pct < 0)
            return ww__error(WW_EDATA, "rigour: study %zu: weight must be finite and >= 0, got %g",
                             i + 1, s->weight_pct);
        sum += s->weight_pct;
    }
    if (!(sum > 0)) return ww__error(WW_EDATA, "rigour: the weights sum to 0");
    if (!rules) rules = &rules_2;
    if (!(w = malloc(in->k * sizeof *w))) return ww__error_oom();
    for (i = 0; i < in->k; i++) w[i] = 100.0 * in->studies[i].weight_pct / sum;

    memset(&c, 0, sizeof c);
    c.rules_version = rules->version;

    /* start: the highest design level whose studies reach the weight share */
    for (base = LEVEL_MAX; base > 0; base--) {
        for (share = 0, i = 0; i < in->k; i++)
            if (in->studies[i].grade->base_level >= base) share += w[i];
        if (share >= rules->start_weight_pct - 1e-9) break;
    }
    if (base == 0) share = 100.0;
    c.start_base_level = base;
    c.start = (ww_certainty_level)rules->certainty_start[base];
    tr(&t, "start: studies of design level ≥ %d carry %.1f%% of the weight → %s (%s)\n", base,
       share, ww_certainty_name(c.start), start_reason(base));

    /* risk of bias: weight graded below the start level before sample size */
    for (share = share2 = 0, i = 0; i < in->k; i++) {
        int b = in->studies[i].grade->bias_level;
        if (b < base) share += w[i];
        if (b <= base - 2) share2 += w[i];
    }
    c.down_risk_of_bias = share2 >= rules->rob_weight_pct - 1e-9  ? 2
                          : share >= rules->rob_weight_pct - 1e-9 ? 1
                                                                  : 0;
    tr(&t,
       "risk of bias: %.1f%% of the weight below level %d on design, attrition, baseline and "
       "risk of bias (%.1f%% two or more levels below)",
       share, base, share2);
    down_effect(&t, c.down_risk_of_bias);
    if (c.down_risk_of_bias)
        advise(&t,
               "most of the weight comes from studies graded below level %d: better "
               "reported or better conducted studies would lift the certainty",
               base);

    /* inconsistency */
    if (in->k < 2) {
        tr(&t, "inconsistency: one study → not assessable\n");
    } else if (!isfinite(p->i2)) {
        tr(&t, "inconsistency: I² not available → not assessed\n");
    } else {
        c.down_inconsistency = p->i2 >= rules->i2_very_serious_pct ? 2
                               : p->i2 >= rules->i2_serious_pct    ? 1
                                                                   : 0;
        tr(&t, "inconsistency: I² %.1f%%", p->i2);
        if (c.down_inconsistency == 2)
            tr(&t, " (≥ %.0f%%, Cochrane \"considerable\")", rules->i2_very_serious_pct);
        else if (c.down_inconsistency == 1)
            tr(&t, " (≥ %.0f%%, Cochrane \"substantial\")", rules->i2_serious_pct);
        else
            tr(&t, " (< %.0f%%)", rules->i2_serious_pct);
        down_effect(&t, c.down_inconsistency);
        if (c.down_inconsistency)
            advise(&t,
                   "explain the heterogeneity between studies (I² %.1f%%), e.g. by "
                   "subgroups",
                   p->i2);
    }

    /* imprecision: the CI and the optimal information size */
    crosses = p->ci_low <= 0 && p->ci_high >= 0;
    for (i = 0; i < in->k; i++) {
        long n = in->studies[i].grade->n_total;
        if (n >= 0)
            n_total += n;
        else
            unknown_n++;
    }
    tr(&t, "imprecision: 95%% CI %.2f to %.2f %s no effect; ", p->ci_low, p->ci_high,
       crosses ? "includes" : "excludes");
    below = 0;
    if (unknown_n == in->k) {
        tr(&t, "participants not reported → OIS not assessed");
    } else {
        below = n_total < rules->ois_participants;
        tr(&t, "%ld participants", n_total);
        if (unknown_n) tr(&t, " (%zu studies not reported)", unknown_n);
        tr(&t, " %s OIS %ld", below ? "<" : "≥", rules->ois_participants);
    }
    c.down_imprecision = crosses + below;
    down_effect(&t, c.down_imprecision);
    if (crosses) advise(&t, "more or larger studies: the pooled 95%% CI includes no effect");
    if (below)
        advise(&t,
               "the body has %ld participants, fewer than the optimal information size of "
               "%ld",
               n_total, rules->ois_participants);
    if (unknown_n)
        advise(&t, "report the number analysed for the %zu studies without it", unknown_n);

    /* publication bias */
    if (in->k < rules->egger_min_k) {
        tr(&t,
           "publication bias: %zu studies < %zu → not assessed (Egger's test needs at least "
           "%zu)\n",
           in->k, rules->egger_min_k, rules->egger_min_k);
    } else if (!isfinite(in->egger_p)) {
        tr(&t, "publication bias: Egger's test not run → not assessed\n");
    } else {
        c.down_publication_bias = in->egger_p < rules->egger_p;
        tr(&t, "publication bias: Egger p = %.3g %s %.2f", in->egger_p,
           c.down_publication_bias ? "<" : "≥", rules->egger_p);
        if (c.down_publication_bias)
            tr(&t, " → suspected → −1\n");
        else
            tr(&t, " → not detected\n");
    }

    /* clustering: which variances carry a design effect (trace only: the
     * correction is already in the studies' vi) */
    {
        size_t nd = 0;
        double dmin = INFINITY, dmax = 0;
        for (i = 0; i < in->k; i++) {
            double d = in->studies[i].design_effect;
            if (!(d > 1)) continue;
            nd++;
            if (d < dmin) dmin = d;
            if (d > dmax) dmax = d;
        }
        if (nd == 1)
            tr(&t,
               "clustering: 1 of %zu studies allocated by cluster, its variance multiplied "
               "by the design effect %.2f (1 + (m − 1) ICC, WWC Procedures Handbook v4.1 "
               "appendix F)\n",
               in->k, dmax);
        else if (nd > 1)
            tr(&t,
               "clustering: %zu of %zu studies allocated by cluster, their variances "
               "multiplied by design effects %.2f to %.2f (1 + (m − 1) ICC, WWC Procedures "
               "Handbook v4.1 appendix F)\n",
               nd, in->k, dmin, dmax);
    }

    /* plausibility: flagged effects are shown, and pooled only on request */
    if (in->n_flagged)
        tr(&t, "plausibility: %zu effect%s flagged as implausible %s\n", in->n_flagged,
           in->n_flagged == 1 ? "" : "s",
           in->flagged_included ? "included on request (each with its reason)"
                                : "left out of this pool (each shown with its reason)");

    total_down =
        c.down_risk_of_bias + c.down_inconsistency + c.down_imprecision + c.down_publication_bias;
    c.level = (ww_certainty_level)((int)c.start - total_down < 1 ? 1 : (int)c.start - total_down);

    /* unreviewed evidence: capped */
    int prov_capped = 0;
    {
        size_t np = 0;
        for (share = 0, i = 0; i < in->k; i++)
            if (in->studies[i].provisional) {
                share += w[i];
                np++;
            }
        if (np) {
            int capped = share >= rules->provisional_weight_pct - 1e-9;
            if (in->k == 1)
                tr(&t, "unreviewed: rests on one unreviewed study (self-submitted, not yet "
                       "reviewed)");
            else
                tr(&t, "unreviewed: %zu of %zu studies not yet reviewed carry %.1f%% of the weight",
                   np, in->k, share);
            if (capped) {
                if (in->k > 1) tr(&t, " (≥ %.0f%%)", rules->provisional_weight_pct);
                tr(&t, " → at most %s",
                   ww_certainty_name((ww_certainty_level)rules->cap_provisional));
                if ((int)c.level > rules->cap_provisional) {
                    c.level = (ww_certainty_level)rules->cap_provisional;
                    prov_capped = 1;
                    tr(&t, " → capped\n");
                } else {
                    tr(&t, " → no change\n");
                }
                advise(&t,
                       "a review of the unreviewed stud%s against %s report%s would lift "
                       "the cap on certainty",
                       np == 1 ? "y" : "ies", np == 1 ? "its" : "their", np == 1 ? "" : "s");
            } else {
                tr(&t, " (< %.0f%%) → no cap\n", rules->provisional_weight_pct);
            }
        }
    }

    tr(&t, "certainty: %s (start %s", ww_certainty_name(c.level), ww_certainty_name(c.start));
    if (!total_down) {
        tr(&t, "; no downgrade%s)\n", prov_capped ? "; capped: unreviewed" : "");
    } else {
        const char *sep = "; ";
        if (c.down_risk_of_bias) {
            tr(&t, "%s−%d risk of bias", sep, c.down_risk_of_bias);
            sep = ", ";
        }
        if (c.down_inconsistency) {
            tr(&t, "%s−%d inconsistency", sep, c.down_inconsistency);
            sep = ", ";
        }
        if (c.down_imprecision) {
            tr(&t, "%s−%d imprecision", sep, c.down_imprecision);
            sep = ", ";
        }
        if (c.down_publication_bias) tr(&t, "%s−1 publication bias", sep);
        tr(&t, "%s)\n", prov_capped ? "; capped: unreviewed" : "");
    }

    eif_crosswalk(&t, &c, in, rules);
    blueprints_crosswalk(&t, &c, in, rules);
    free(w);

    if ((rc = tracer_finish(&t, &c.trace, &c.advice)) < 0) return rc;
    *out = c;
    return 0;
}

void ww_rigour_certainty_clear(ww_certainty *c)
{
    if (!c) return;
    free(c->trace);
    free(c->advice);
    c->trace = c->advice = NULL;
}

/* ---- names ---------------------------------------------------------------- */

const char *ww_rigour_wwc_name(ww_rigour_wwc r)
{
    switch (r) {
    case WW_WWC_NOT_RATED: return "not rated";
    case WW_WWC_WITHOUT_RESERVATIONS: return "meets WWC standards without reservations";
    case WW_WWC_WITH_RESERVATIONS: return "meets WWC standards with reservations";
    case WW_WWC_DOES_NOT_MEET: return "does not meet WWC standards";
    }
    return NULL;
}

const char *ww_certainty_name(ww_certainty_level c)
{
    switch (c) {
    case WW_CERTAINTY_VERY_LOW: return "very low";
    case WW_CERTAINTY_LOW: return "low";
    case WW_CERTAINTY_MODERATE: return "moderate";
    case WW_CERTAINTY_HIGH: return "high";
    }
    return NULL;
}

const char *ww_eif_name(ww_eif_level e)
{
    switch (e) {
    case WW_EIF_NOT_LEVEL_2: return "NL2";
    case WW_EIF_LEVEL_2: return "level 2";
    case WW_EIF_LEVEL_3: return "level 3";
    case WW_EIF_LEVEL_4: return "level 4";
    case WW_EIF_NOT_EFFECTIVE: return "NE (found not to be effective)";
    }
    return NULL;
}

const char *ww_blueprints_name(ww_blueprints_tier tier)
{
    switch (tier) {
    case WW_BLUEPRINTS_NOT_CERTIFIED: return "not certified";
    case WW_BLUEPRINTS_PROMISING: return "Promising";
    case WW_BLUEPRINTS_MODEL: return "Model";
    case WW_BLUEPRINTS_MODEL_PLUS: return "Model Plus";
    }
    return NULL;
}

const char *ww_rigour_rob_name(ww_rigour_rob r)
{
    switch (r) {
    case WW_ROB_NOT_ASSESSED: return "not assessed";
    case WW_ROB_LOW: return "low";
    case WW_ROB_CONCERNS: return "some concerns";
    case WW_ROB_HIGH: return "high";
    }
    return NULL;
}
