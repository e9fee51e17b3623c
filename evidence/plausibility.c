/*
 * plausibility.c — the clustering correction and the plausibility flags of
 * plausibility.h. The repository (repo/ingest.c) runs both on every outcome
 * it stores, and once more for every file it only validates: the design
 * effect goes into the stored variance, a flag keeps the effect out of the
 * default pooled results, and both are written in words here, once, so the
 * import warnings, `show` and the certainty trace say the same thing.
 *
 * The numbers are the rules table's (rigour.c, docs/rigour.md section 3);
 * the word lists below say which units are individuals, which are clusters,
 * and which outcome domains are academic achievement (for WWC's default
 * ICC). They are matched as lower-case substrings of the source's text.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../util/util.h"
#include "effect.h"
#include "plausibility.h"

/* Allocation units that are one person: no clustering. */
static const char *const individual_words[] = {
    "individual", "person", "participant", "pupil",  "student",  "child",
    "patient",    "adult",  "learner",     "client", "offender", "people",
};

/* Units of analysis (or allocation) that are groups of people. */
static const char *const cluster_words[] = {
    "school", "class",     "district", "area",     "site",      "cluster",
    "centre", "center",    "ward",     "practice", "authority", "setting",
    "team",   "community", "region",   "village",  "college",
};

/* Outcome domains of academic achievement (WWC's 0.20 default ICC); every
 * other domain takes the default for behavioural and attitudinal outcomes. */
static const char *const achievement_words[] = {
    "achievement",
    "academic",
    "alphabetic",
    "comprehension",
    "reading",
    "literacy",
    "phonolog",
    "fluency",
    "vocabulary",
    "spelling",
    "writing",
    "math",
    "algebra",
    "geometry",
    "number",
    "numeracy",
    "science",
    "language",
    "letter",
    "print knowledge",
    "encoding",
    "procedural",
    "conceptual knowledge",
    "statistics",
    "test score",
    "attainment 8",
    "gcse",
};

static int has_word(const char *text, const char *const *words, size_t n)
{
    char low[256];
    size_t i;
    if (!text) return 0;
    for (i = 0; text[i] && i < sizeof low - 1; i++) low[i] = (char)tolower((unsigned char)text[i]);
    low[i] = '\0';
    for (i = 0; i < n; i++)
        if (strstr(low, words[i])) return 1;
    return 0;
}

#define HAS(text, list) has_word((text), (list), sizeof(list) / sizeof(list)[0])

static void put(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

double ww_plausibility_default_icc(const char *domain, const ww_rules *rules, int *achievement)
{
    int a = HAS(domain, achievement_words);
    if (!rules) rules = ww_rules_current();
    if (achievement) *achievement = a;
    return a ? rules->icc_achievement : rules->icc_other;
}

/* The arm sizes the variance was computed from. */
static void arm_sizes(long *nt, long *nc, const ww_record *rec, const ww_outcome_rec *o)
{
    if (o->kind == WW_OUTCOME_BINARY) {
        *nt = o->total_treatment;
        *nc = o->total_control;
    } else {
        *nt = o->n_treatment;
        *nc = o->n_control;
    }
    if (*nt < 1 || *nc < 1) {
        *nt = rec->analysed_treatment;
        *nc = rec->analysed_control;
    }
}

int ww_plausibility_cluster(ww_cluster_correction *out, const ww_record *rec,
                            const ww_outcome_rec *o, const ww_rules *rules)
{
    long ct, cc, nt, nc;
    double icc;
    int achievement = 0;
    const char *unit;

    if (!out || !rec || !o) return ww__error(WW_EUSAGE, "ww_plausibility_cluster: NULL argument");
    memset(out, 0, sizeof *out);
    out->design_effect = 1;
    out->cluster_size = out->icc = NAN;
    out->clusters_treatment = out->clusters_control = -1;
    if (!rules) rules = ww_rules_current();

    ct = o->clusters_treatment >= 0 ? o->clusters_treatment : rec->clusters_treatment;
    cc = o->clusters_control >= 0 ? o->clusters_control : rec->clusters_control;
    unit = rec->allocation_unit;
    if (o->kind == WW_OUTCOME_NONE) return 0;

    if (ct < 1 || cc < 1) {
        /* No counts: nothing can be computed; say so when the study says it
         * allocated groups. */
        if (unit && !HAS(unit, individual_words) && HAS(unit, cluster_words)) {
            out->warn = 1;
            put(out->note, sizeof out->note,
                "allocated by %s, but the number of clusters per arm is not given: the variance "
                "is not corrected for clustering (give clusters_treatment and clusters_control)",
                unit);
        }
        return 0;
    }
    out->clusters_treatment = ct;
    out->clusters_control = cc;
    if (unit && HAS(unit, individual_words) && !HAS(unit, cluster_words)) {
        put(out->note, sizeof out->note,
            "allocated by %s: the %ld + %ld clusters are sites, not units of allocation; no "
            "clustering correction",
            unit, ct, cc);
        return 0;
    }
    if (o->analysis_unit && HAS(o->analysis_unit, cluster_words)) {
        put(out->note, sizeof out->note,
            "analysed by %s (the unit of allocation): no clustering correction", o->analysis_unit);
        return 0;
    }
    arm_sizes(&nt, &nc, rec, o);
    if (nt < 1 || nc < 1) {
        out->warn = 1;
        put(out->note, sizeof out->note,
            "%ld + %ld clusters, but the arm sizes are not known: the variance is not corrected "
            "for clustering",
            ct, cc);
        return 0;
    }
    out->cluster_size = (double)(nt + nc) / (double)(ct + cc);
    if (!(out->cluster_size > 1)) {
        /* One person per cluster: allocation was by individual. */
        out->cluster_size = NAN;
        return 0;
    }
    if (o->kind == WW_OUTCOME_REPORTED ||
        (o->kind == WW_OUTCOME_GENERIC && !o->se_from_arm_sizes)) {
        put(out->note, sizeof out->note,
            "%ld + %ld clusters: the source's own %s is used as given (it may already allow for "
            "clustering)",
            ct, cc, o->kind == WW_OUTCOME_REPORTED ? "confidence interval" : "standard error");
        out->cluster_size = NAN;
        return 0;
    }

    icc = !isnan(o->icc) ? o->icc : rec->icc;
    if (!isnan(icc) && !(icc >= 0 && icc <= 1)) {
        out->warn = 1;
        icc = NAN; /* reported below, with the default that replaced it */
    }
    out->applied = 1;
    if (isnan(icc)) {
        out->icc = ww_plausibility_default_icc(o->domain, rules, &achievement);
        out->icc_default = 1;
    } else {
        out->icc = icc;
    }
    out->design_effect = 1 + (out->cluster_size - 1) * out->icc;
    if (out->icc_default)
        put(out->note, sizeof out->note,
            "clustered: %ld + %ld clusters, %ld analysed, m = %.2f; ICC %.2f (%sWWC default for "
            "%s outcomes, Procedures Handbook v4.1 appendix F) → design effect %.2f, variance "
            "× %.2f",
            ct, cc, nt + nc, out->cluster_size, out->icc,
            out->warn ? "an ICC outside 0..1 was given; " : "",
            achievement ? "achievement" : "behavioural and other", out->design_effect,
            out->design_effect);
    else
        put(out->note, sizeof out->note,
            "clustered: %ld + %ld clusters, %ld analysed, m = %.2f; ICC %.2f (the study's) → "
            "design "
            "effect %.2f, variance × %.2f",
            ct, cc, nt + nc, out->cluster_size, out->icc, out->design_effect, out->design_effect);
    return 0;
}

/* ---- plausibility ------------------------------------------------------- */

const char *ww_plausibility_rule_name(ww_plausibility_rule r)
{
    switch (r) {
    case WW_PLAUSIBLE: return "plausible";
    case WW_IMPLAUSIBLE_RANGE: return "impossible-range";
    case WW_IMPLAUSIBLE_SD_AS_SE: return "sd-as-se";
    case WW_IMPLAUSIBLE_SMD: return "smd-range";
    case WW_IMPLAUSIBLE_VARIANCE: return "variance-floor";
    }
    return NULL;
}

static void flag(ww_plausibility *out, ww_plausibility_rule rule, const char *field,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void flag(ww_plausibility *out, ww_plausibility_rule rule, const char *field,
                 const char *fmt, ...)
{
    va_list ap;
    out->rule = rule;
    out->field = field;
    va_start(ap, fmt);
    vsnprintf(out->reason, sizeof out->reason, fmt, ap);
    va_end(ap);
}

static int is_metric(const char *metric, const char *name)
{
    return metric && strcmp(metric, name) == 0;
}

/* The range a continuous measure's means must lie in, from its name: a
 * percentage ("percent", "%"; not a "percentile") lies in 0..100, a
 * proportion ("proportion of ...", "proportion correct", or a name that
 * starts with "proportion") in 0..1. A test *about* proportions ("rate and
 * proportions") names its topic, not its unit, and is left alone. */
static int mean_range(const char *name, double *lo, double *hi)
{
    static const char *const percent[] = {"percent", "%"};
    static const char *const percentile[] = {"percentile"};
    static const char *const proportion[] = {"proportion of", "proportion correct"};
    if (!name) return 0;
    if (HAS(name, percent) && !HAS(name, percentile)) {
        *lo = 0;
        *hi = 100;
        return 1;
    }
    if (HAS(name, proportion) || strncasecmp(name, "proportion", 10) == 0) {
        *lo = 0;
        *hi = 1;
        return 1;
    }
    return 0;
}

static int range_check(ww_plausibility *out, const ww_outcome_rec *o, const char *metric, double yi)
{
    double lo, hi;
    if (o->kind == WW_OUTCOME_CONTINUOUS && mean_range(o->name, &lo, &hi)) {
        if (!(o->mean_treatment >= lo && o->mean_treatment <= hi)) {
            flag(out, WW_IMPLAUSIBLE_RANGE, "mean_treatment",
                 "mean %g outside %g..%g, the range of a %s", o->mean_treatment, lo, hi,
                 hi == 100 ? "percentage" : "proportion");
            return 1;
        }
        if (!(o->mean_control >= lo && o->mean_control <= hi)) {
            flag(out, WW_IMPLAUSIBLE_RANGE, "mean_control",
                 "mean %g outside %g..%g, the range of a %s", o->mean_control, lo, hi,
                 hi == 100 ? "percentage" : "proportion");
            return 1;
        }
    }
    if ((o->kind == WW_OUTCOME_REPORTED || o->kind == WW_OUTCOME_GENERIC) &&
        is_metric(metric, "RD") && !(fabs(yi) <= 1)) {
        flag(out, WW_IMPLAUSIBLE_RANGE, "estimate",
             "risk difference %g outside -1..1, the range of a difference of proportions", yi);
        return 1;
    }
    if (o->kind == WW_OUTCOME_REPORTED && is_metric(o->reported_metric, "RD") &&
        !(o->reported_ci_low >= -1 && o->reported_ci_high <= 1)) {
        flag(out, WW_IMPLAUSIBLE_RANGE, "ci_low",
             "risk difference CI %g to %g reaches outside -1..1", o->reported_ci_low,
             o->reported_ci_high);
        return 1;
    }
    return 0;
}

/* Hedges' g with SDs multiplied by sqrt(n): what the arms would give if
 * the printed SDs were standard errors. */
static double g_as_if_se(const ww_outcome_rec *o)
{
    ww_effect e;
    double nt = (double)o->n_treatment, nc = (double)o->n_control;
    if (ww_effect_smd(&e, o->mean_treatment, o->sd_treatment * sqrt(nt), nt, o->mean_control,
                      o->sd_control * sqrt(nc), nc, WW_SMD_EXACT) < 0) {
        ww_error_clear();
        return NAN;
    }
    return e.yi;
}

int ww_plausibility_check(ww_plausibility *out, const ww_record *rec, const ww_outcome_rec *o,
                          const char *metric, double yi, double vi, const ww_rules *rules)
{
    ww_effect e;
    double smd = NAN, smd_vi = NAN;
    long nt = -1, nc = -1;

    if (!out || !o) return ww__error(WW_EUSAGE, "ww_plausibility_check: NULL argument");
    memset(out, 0, sizeof *out);
    out->rule = WW_PLAUSIBLE;
    out->smd = NAN;
    if (!rules) rules = ww_rules_current();
    if (o->kind == WW_OUTCOME_NONE) return 0;

    if (range_check(out, o, metric, yi)) return 0;

    /* The effect on the SMD scale. */
    switch (o->kind) {
    case WW_OUTCOME_CONTINUOUS:
        if (ww_effect_smd(&e, o->mean_treatment, o->sd_treatment, (double)o->n_treatment,
                          o->mean_control, o->sd_control, (double)o->n_control, WW_SMD_EXACT) == 0)
            smd = e.yi;
        else
            ww_error_clear();
        break;
    case WW_OUTCOME_BINARY: {
        double a = (double)o->events_treatment, c = (double)o->events_control;
        if (ww_effect_log_or(&e, a, (double)o->total_treatment - a, c,
                             (double)o->total_control - c) == 0)
            smd = ww_effect_log_or_to_smd(e).yi;
        else
            ww_error_clear();
        break;
    }
    case WW_OUTCOME_REPORTED:
    case WW_OUTCOME_GENERIC:
        if (is_metric(metric, "SMD")) {
            smd = yi;
            smd_vi = vi;
        } else if (is_metric(metric, "OR")) {
            e.yi = yi;
            e.vi = vi;
            e.cells_adjusted = 0;
            smd = ww_effect_log_or_to_smd(e).yi;
        }
        break;
    case WW_OUTCOME_NONE: break;
    }
    out->smd = smd;

    /* SDs typed as standard errors (checked before |SMD|: the more precise
     * reason wins). */
    if (o->kind == WW_OUTCOME_CONTINUOUS && isfinite(smd) &&
        o->n_treatment >= rules->se_check_min_n && o->n_control >= rules->se_check_min_n) {
        double md = fabs(o->mean_treatment - o->mean_control);
        double g_se = g_as_if_se(o);
        /* Means of opposite signs point to a sign or scale error, not to
         * SEs: the |SMD| rule below says so instead. */
        if (o->mean_treatment * o->mean_control >= 0 && o->sd_treatment < md &&
            o->sd_control < md && fabs(smd) > rules->se_suspect_smd && isfinite(g_se) &&
            fabs(g_se) <= rules->se_plausible_smd) {
            flag(out, WW_IMPLAUSIBLE_SD_AS_SE, "sd_treatment",
                 "SDs look like standard errors: %g and %g are below the mean difference %g with "
                 "%ld and %ld per arm, giving SMD %.2f; read as standard errors (SD × √n) they "
                 "give %.2f (Cochrane Handbook v6.4, 6.5.2.2)",
                 o->sd_treatment, o->sd_control, md, o->n_treatment, o->n_control, smd, g_se);
            return 0;
        }
    }

    if (isfinite(smd) && fabs(smd) > rules->smd_implausible_abs) {
        flag(out, WW_IMPLAUSIBLE_SMD, "effect",
             "|SMD| %.2f > %g: larger than any credible effect of a social intervention "
             "(check the SDs, the scale and the sign)",
             fabs(smd), rules->smd_implausible_abs);
        return 0;
    }

    /* A variance the arm sizes cannot give (a reported or generic SMD). */
    if (isfinite(smd_vi) && rec) {
        arm_sizes(&nt, &nc, rec, o);
        if (nt >= 1 && nc >= 1) {
            double floor_vi = rules->vi_floor_factor * (1.0 / (double)nt + 1.0 / (double)nc);
            if (smd_vi < floor_vi) {
                flag(out, WW_IMPLAUSIBLE_VARIANCE,
                     o->kind == WW_OUTCOME_GENERIC ? "generic_se" : "ci_low",
                     "variance %.3g is below %g × (1/%ld + 1/%ld) = %.3g, smaller than %ld and %ld "
                     "per arm allow",
                     smd_vi, rules->vi_floor_factor, nt, nc, floor_vi, nt, nc);
                return 0;
            }
        }
    }
    return 0;
}
