/*
 * wwc_rating.c — WWC's rating of effectiveness for one intervention in one
 * outcome domain, reproduced from the published vote-counting procedure so
 * that whatworks can say, beside its own pooled estimate, what the What
 * Works Clearinghouse's rules give for the same findings (and check itself
 * against WWC's published ratings: tests/test_wwc_rating.c).
 *
 * Two steps, as the handbooks lay them out. First each study's findings in
 * the domain are characterised (study_character()): significant positive,
 * substantively important positive, indeterminate, substantively important
 * negative, significant negative. Then the number of studies in each
 * characterisation decides the rating (rate_counts()). The rules' sources
 * are named next to them here and at length in docs/wwc-rating.md.
 *
 * Findings are grouped by study by comparing their study text; the grouping
 * walks the array once per study (n is one domain's findings, tens at most),
 * so nothing is allocated. GSL gives the normal quantile for a variance
 * recovered from a p-value.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_cdf.h>

#include "../util/util.h"
#include "wwc_rating.h"

/* "Substantively important": a student-level effect size of at least 0.25
 * (Handbook v2.0, appendix E part A, "suggested default value"; the same
 * default in v1.0's rating scheme, v2.1 appendix F and v3.0). */
#define SUBSTANTIVE_G 0.25
/* Two-tailed test at alpha = .05 (Handbook v2.0, appendix E part A,
 * "Statistical significance"). */
#define ALPHA 0.05
#define Z_CRIT 1.959963984540054

/* Handbook 0 means the latest implemented version. */
static int handbook_resolve(int handbook)
{
    if (handbook == 0) return WW_WWC_HANDBOOK_MAX;
    if (handbook < WW_WWC_HANDBOOK_MIN || handbook > WW_WWC_HANDBOOK_MAX) return -1;
    return handbook;
}

static int handbook_refuse(int handbook)
{
    if (handbook == 5)
        return ww__error(WW_EUSAGE,
                         "handbook 5: WWC Handbook v5.0 rates effectiveness from a "
                         "meta-analysis of the studies, not by this vote-counting procedure");
    return ww__error(WW_EUSAGE, "handbook %d: not a supported WWC handbook version (0, %d-%d)",
                     handbook, WW_WWC_HANDBOOK_MIN, WW_WWC_HANDBOOK_MAX);
}

/* Where each version states the rating rules, for the reason line. */
static const char *handbook_source(int handbook)
{
    switch (handbook) {
    case 1: return "WWC Intervention Rating Scheme, Standards v1.0";
    case 2: return "WWC Handbook v2.0 appendix E / v2.1 appendix F";
    case 3: return "WWC Handbook v3.0, rating of effectiveness";
    default: return "WWC Procedures Handbook v4.0/v4.1, effectiveness rating";
    }
}

/* ---- names ---------------------------------------------------------------- */

static const char *const eff_names[] = {
    "Not rated",        "Positive Effects",       "Potentially Positive Effects",
    "Mixed Effects",    "No Discernible Effects", "Potentially Negative Effects",
    "Negative Effects",
};

const char *ww_wwc_effectiveness_name(ww_wwc_effectiveness rating)
{
    if ((int)rating < 0 || (size_t)rating >= sizeof eff_names / sizeof eff_names[0])
        return "unknown";
    return eff_names[rating];
}

int ww_wwc_effectiveness_parse(ww_wwc_effectiveness *out, const char *text)
{
    size_t len, i;
    if (!out || !text) return ww__error(WW_EUSAGE, "ww_wwc_effectiveness_parse: NULL argument");
    while (*text == ' ' || *text == '\t' || *text == '\r' || *text == '\n') text++;
    len = strlen(text);
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r' ||
                       text[len - 1] == '\n'))
        len--;
    if (len == 0 || (len == 3 && strncasecmp(text, "N/A", 3) == 0)) {
        *out = WW_WWC_EFF_NOT_RATED;
        return 0;
    }
    for (i = 0; i < sizeof eff_names / sizeof eff_names[0]; i++) {
        if (strlen(eff_names[i]) == len && strncasecmp(text, eff_names[i], len) == 0) {
            *out = (ww_wwc_effectiveness)i;
            return 0;
        }
    }
    return ww__error(WW_EDATA, "not a WWC effectiveness rating: \"%.*s\"", len > 80 ? 80 : (int)len,
                     text);
}

const char *ww_wwc_character_name(ww_wwc_character c)
{
    switch (c) {
    case WW_WWC_SIGNIFICANT_POSITIVE: return "significant positive";
    case WW_WWC_SUBSTANTIVE_POSITIVE: return "substantively important positive";
    case WW_WWC_INDETERMINATE: return "indeterminate";
    case WW_WWC_SUBSTANTIVE_NEGATIVE: return "substantively important negative";
    case WW_WWC_SIGNIFICANT_NEGATIVE: return "significant negative";
    default: return "unknown";
    }
}

const char *ww_wwc_basis_name(ww_wwc_basis b)
{
    switch (b) {
    case WW_WWC_BASIS_ONE_FINDING: return "one finding";
    case WW_WWC_BASIS_ANY_FINDING: return "significant finding(s) in one direction only";
    case WW_WWC_BASIS_DOMAIN_AVERAGE_TEST: return "domain-average test";
    case WW_WWC_BASIS_AVERAGE_SIZE: return "domain-average size";
    case WW_WWC_BASIS_NONE: return "nothing significant or large";
    default: return "unknown";
    }
}

/* ---- one study ------------------------------------------------------------ */

/* A finding counts towards the rating when it is a main finding (not a
 * subgroup: Handbook v3.0 counts only the main findings; subgroup and
 * supplementary findings are reported apart) and meets standards (a finding
 * rated 3 "does not meet" has no place in the rating). Unknowns count. */
static int finding_counts(const ww_wwc_finding *f)
{
    return f->is_subgroup != 1 && f->rating != 3;
}

/* WWC's flag already reflects its clustering correction and, for several
 * findings in a domain, its Benjamini-Hochberg correction (Handbook v2.0
 * appendix E part A, "Accounting for clustering" and "multiple
 * comparisons"), so it is used as it is; only when it is missing does the
 * p-value decide. */
static int finding_significant(const ww_wwc_finding *f)
{
    if (f->significant == 1) return 1;
    if (f->significant == 0) return 0;
    return isfinite(f->p) && f->p >= 0 && f->p < ALPHA;
}

/* The sampling variance of g: given; else from WWC's p and g (the p is
 * clustering-corrected, so the variance is too); else the large-sample
 * formula from the sample sizes (Hedges 1982; as evidence/effect.h). */
static double finding_variance(const ww_wwc_finding *f)
{
    double n1 = f->n_intervention, n2 = f->n_comparison;
    if (isfinite(f->variance) && f->variance > 0) return f->variance;
    if (!isfinite(f->g)) return NAN;
    if (f->g != 0 && isfinite(f->p) && f->p > 0 && f->p < 1) {
        double z = gsl_cdf_ugaussian_Qinv(f->p / 2);
        if (z > 0) return (f->g / z) * (f->g / z);
    }
    if (!(isfinite(n1) && isfinite(n2) && n1 > 0 && n2 > 0) && isfinite(f->n) && f->n > 1)
        n1 = n2 = f->n / 2;
    if (isfinite(n1) && isfinite(n2) && n1 > 0 && n2 > 0)
        return (n1 + n2) / (n1 * n2) + f->g * f->g / (2 * (n1 + n2));
    return NAN;
}

/* Does finding f belong to the study being characterised? key NULL: every
 * finding passed belongs (ww_wwc_characterise_study's contract). */
static int in_study(const ww_wwc_finding *f, const char *key)
{
    if (!key) return 1;
    return finding_counts(f) && f->study && strcmp(f->study, key) == 0;
}

/*
 * Characterise one study's findings in one domain: Handbook v2.0 appendix E
 * part B "Characterizing study effects" (v2.1 appendix F; the same
 * characterisations in v1.0's rating scheme and in v3.0):
 *   - significant positive: the one finding is positive and significant; or,
 *     with several, at least one is positive and significant and none is
 *     negative and significant (univariate tests, after WWC's
 *     multiple-comparison correction); or the domain-average effect is
 *     positive and significant;
 *   - substantively important positive: not significant, average g >= 0.25;
 *   - indeterminate: neither;
 *   - and the mirror images for negative.
 * The domain-average test (part A: "a two-tailed t-test ... for a single
 * measure or mean effect within each domain") needs a variance for the
 * mean; the handbook does not say how outcomes in one sample correlate, and
 * whatworks takes them as independent: Var(mean) = sum(v_i) / m^2, tested
 * against the normal. It is run only when every finding has g and a
 * variance.
 */
static void study_character(ww_wwc_study *out, const ww_wwc_finding *f, size_t n, const char *key,
                            int handbook)
{
    size_t i, m = 0, with_g = 0, with_v = 0;
    int sig_pos = 0, sig_neg = 0, best = 0;
    double sum_g = 0, sum_v = 0;
    (void)handbook; /* v1.0 to v4.x characterise alike; see docs/wwc-rating.md */

    memset(out, 0, sizeof *out);
    out->mean_g = NAN;
    out->z = NAN;
    for (i = 0; i < n; i++) {
        double v;
        if (!in_study(&f[i], key)) continue;
        if (m == 0) out->study = f[i].study;
        m++;
        if (f[i].rating > 0 && (best == 0 || f[i].rating < best)) best = f[i].rating;
        if (!isfinite(f[i].g)) continue;
        with_g++;
        sum_g += f[i].g;
        if (finding_significant(&f[i])) {
            if (f[i].g > 0) sig_pos = 1;
            if (f[i].g < 0) sig_neg = 1;
        }
        v = finding_variance(&f[i]);
        if (isfinite(v)) {
            with_v++;
            sum_v += v;
        }
    }
    out->n_findings = m;
    out->n_with_g = with_g;
    out->rating = best;
    if (with_g > 0) out->mean_g = sum_g / (double)with_g;

    if (m == 1 && (sig_pos || sig_neg)) {
        out->character = sig_pos ? WW_WWC_SIGNIFICANT_POSITIVE : WW_WWC_SIGNIFICANT_NEGATIVE;
        out->basis = WW_WWC_BASIS_ONE_FINDING;
        return;
    }
    if (m > 1 && sig_pos != sig_neg) {
        out->character = sig_pos ? WW_WWC_SIGNIFICANT_POSITIVE : WW_WWC_SIGNIFICANT_NEGATIVE;
        out->basis = WW_WWC_BASIS_ANY_FINDING;
        return;
    }
    if (m > 1 && with_g == m && with_v == m && sum_v > 0) {
        out->z = out->mean_g / (sqrt(sum_v) / (double)m);
        if (fabs(out->z) >= Z_CRIT) {
            out->character = out->z > 0 ? WW_WWC_SIGNIFICANT_POSITIVE : WW_WWC_SIGNIFICANT_NEGATIVE;
            out->basis = WW_WWC_BASIS_DOMAIN_AVERAGE_TEST;
            return;
        }
    }
    if (with_g > 0 && out->mean_g >= SUBSTANTIVE_G) {
        out->character = WW_WWC_SUBSTANTIVE_POSITIVE;
        out->basis = m == 1 ? WW_WWC_BASIS_ONE_FINDING : WW_WWC_BASIS_AVERAGE_SIZE;
        return;
    }
    if (with_g > 0 && out->mean_g <= -SUBSTANTIVE_G) {
        out->character = WW_WWC_SUBSTANTIVE_NEGATIVE;
        out->basis = m == 1 ? WW_WWC_BASIS_ONE_FINDING : WW_WWC_BASIS_AVERAGE_SIZE;
        return;
    }
    out->character = WW_WWC_INDETERMINATE;
    out->basis = WW_WWC_BASIS_NONE;
}

int ww_wwc_characterise_study(ww_wwc_study *out, const ww_wwc_finding *f, size_t n, int handbook)
{
    int hb;
    if (!out || !f || n == 0)
        return ww__error(WW_EUSAGE, "ww_wwc_characterise_study: NULL argument or no findings");
    if ((hb = handbook_resolve(handbook)) < 0) return handbook_refuse(handbook);
    study_character(out, f, n, NULL, hb);
    return 0;
}

/* ---- the rating ----------------------------------------------------------- */

/*
 * The rating from the counts of studies, in the handbooks' order (v1.0
 * "Intervention Rating Scheme"; v2.0 appendix E; v2.1 appendix F; v3.0; the
 * criteria are the same in each):
 *   Positive: >= 2 studies significant positive, at least one meeting
 *     standards without reservations ("strong design"); no study significant
 *     or substantively important negative.
 *   Negative: the mirror image.
 *   Potentially Positive: >= 1 study significant or substantively important
 *     positive; none negative; no more indeterminate than positive.
 *   Potentially Negative: >= 1 negative, none positive, no more
 *     indeterminate than negative (whatworks reads the indeterminate clause
 *     as Potentially Positive states it); or >= 2 negative, >= 1 positive
 *     and more negative than positive.
 *   Mixed: >= 1 positive and >= 1 negative with no more negative than
 *     positive; or >= 1 significant or substantively important study and
 *     more indeterminate studies than such studies.
 *   No Discernible: no study significant or substantively important.
 * "Positive"/"negative" below mean significant or substantively important.
 */
static void rate_counts(ww_wwc_domain_rating *out, int handbook)
{
    const size_t *c = out->by_character;
    size_t sig_pos = c[WW_WWC_SIGNIFICANT_POSITIVE], sig_neg = c[WW_WWC_SIGNIFICANT_NEGATIVE];
    size_t pos = sig_pos + c[WW_WWC_SUBSTANTIVE_POSITIVE];
    size_t neg = sig_neg + c[WW_WWC_SUBSTANTIVE_NEGATIVE];
    size_t ind = c[WW_WWC_INDETERMINATE];
    const char *src = handbook_source(handbook);
    char *r = out->reason;
    size_t rn = sizeof out->reason;

    if (out->n_studies == 0) {
        out->rating = WW_WWC_EFF_NOT_RATED;
        snprintf(r, rn, "Not rated: no main finding that meets WWC standards");
        return;
    }
    if (sig_pos >= 2 && out->n_strong_significant_positive >= 1 && neg == 0) {
        out->rating = WW_WWC_EFF_POSITIVE;
        snprintf(r, rn,
                 "Positive Effects: %zu studies with statistically significant positive effects, "
                 "%zu not known to be rated with reservations, none negative (%s)",
                 sig_pos, out->n_strong_significant_positive, src);
        return;
    }
    if (sig_neg >= 2 && out->n_strong_significant_negative >= 1 && pos == 0) {
        out->rating = WW_WWC_EFF_NEGATIVE;
        snprintf(r, rn,
                 "Negative Effects: %zu studies with statistically significant negative effects, "
                 "%zu not known to be rated with reservations, none positive (%s)",
                 sig_neg, out->n_strong_significant_negative, src);
        return;
    }
    if (pos >= 1 && neg == 0 && ind <= pos) {
        out->rating = WW_WWC_EFF_POTENTIALLY_POSITIVE;
        snprintf(r, rn,
                 "Potentially Positive Effects: %zu %s with a significant or substantively "
                 "important positive effect (%zu significant), none negative, %zu indeterminate "
                 "(%s)",
                 pos, pos == 1 ? "study" : "studies", sig_pos, ind, src);
        return;
    }
    if (neg >= 1 && pos == 0 && ind <= neg) {
        out->rating = WW_WWC_EFF_POTENTIALLY_NEGATIVE;
        snprintf(r, rn,
                 "Potentially Negative Effects: %zu %s with a significant or substantively "
                 "important negative effect (%zu significant), none positive, %zu indeterminate "
                 "(%s)",
                 neg, neg == 1 ? "study" : "studies", sig_neg, ind, src);
        return;
    }
    if (neg >= 2 && pos >= 1 && neg > pos) {
        out->rating = WW_WWC_EFF_POTENTIALLY_NEGATIVE;
        snprintf(r, rn,
                 "Potentially Negative Effects: %zu studies with negative effects outnumber "
                 "%zu with positive (%s)",
                 neg, pos, src);
        return;
    }
    if (pos >= 1 && neg >= 1) {
        out->rating = WW_WWC_EFF_MIXED;
        snprintf(r, rn,
                 "Mixed Effects: %zu %s with positive and %zu with negative effects, negative "
                 "not outnumbering positive (%s)",
                 pos, pos == 1 ? "study" : "studies", neg, src);
        return;
    }
    if (pos + neg >= 1) {
        out->rating = WW_WWC_EFF_MIXED;
        snprintf(r, rn,
                 "Mixed Effects: %zu %s with indeterminate effects outnumber %zu with a "
                 "significant or substantively important effect (%s)",
                 ind, ind == 1 ? "study" : "studies", pos + neg, src);
        return;
    }
    out->rating = WW_WWC_EFF_NO_DISCERNIBLE;
    snprintf(r, rn,
             "No Discernible Effects: none of %zu %s shows a significant or substantively "
             "important effect (%s)",
             ind, ind == 1 ? "study" : "studies", src);
}

int ww_wwc_rate_domain(ww_wwc_domain_rating *out, const ww_wwc_finding *f, size_t n, int handbook)
{
    size_t i, j;
    int hb;

    if (!out) return ww__error(WW_EUSAGE, "ww_wwc_rate_domain: NULL out");
    memset(out, 0, sizeof *out);
    if (!f && n > 0) return ww__error(WW_EUSAGE, "ww_wwc_rate_domain: NULL findings");
    if ((hb = handbook_resolve(handbook)) < 0) return handbook_refuse(handbook);
    out->handbook = hb;
    for (i = 0; i < n; i++) {
        if (!f[i].study) return ww__error(WW_EDATA, "finding %zu: study is NULL", i);
        if (f[i].rating < 0 || f[i].rating > 3)
            return ww__error(WW_EDATA, "finding %zu: rating must be 0-3, got %d", i, f[i].rating);
    }

    for (i = 0; i < n; i++) {
        ww_wwc_study s;
        int seen = 0;
        if (f[i].is_subgroup == 1) {
            out->n_subgroup_excluded++;
            continue;
        }
        if (f[i].rating == 3) {
            out->n_not_meeting_excluded++;
            continue;
        }
        out->n_findings++;
        for (j = 0; j < i && !seen; j++)
            seen = finding_counts(&f[j]) && strcmp(f[j].study, f[i].study) == 0;
        if (seen) continue;

        study_character(&s, f, n, f[i].study, hb);
        out->n_studies++;
        out->by_character[s.character]++;
        if (s.rating == 0) out->n_rating_unknown++;
        /* "At least one of which met WWC evidence standards for a strong
         * design", i.e. without reservations (v2.0 appendix E part A). A
         * study whose rating is unknown is not known to fall short:
         * whatworks counts it, and says how many such studies there are. */
        if (s.rating == 0 || s.rating == 1) {
            if (s.character == WW_WWC_SIGNIFICANT_POSITIVE) out->n_strong_significant_positive++;
            if (s.character == WW_WWC_SIGNIFICANT_NEGATIVE) out->n_strong_significant_negative++;
        }
    }
    rate_counts(out, hb);
    return 0;
}
