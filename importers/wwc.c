/*
 * wwc.c — the importer for What Works Clearinghouse (WWC) study findings:
 * the Findings CSV of the WWC "data from individual studies" download
 * (ies.ed.gov/ncee/wwc/StudyFindings), or the merged
 * Interventions-Studies-and-Findings file, whose columns carry f_/s_/i_
 * prefixes. One row is one finding (an outcome measure in one sample of one
 * study review) and becomes one ww_record; findings of one review share its
 * ReviewID as study_key, so the repository files them under one study.
 *
 * Columns are found by name through one table (both spellings, from WWC's
 * ReviewDictionary.csv), never by position: newer exports add columns.
 *
 * The effect of a finding, in order of preference:
 *  - both arms' mean, SD and N: a CONTINUOUS outcome (metric SMD), from
 *    which the repository computes Hedges' g and its variance itself;
 *  - otherwise WWC's own g (Effect_Size_WWC) with both arms' N: a GENERIC
 *    outcome, g with its large-sample standard error
 *        SE = sqrt((n1 + n2) / (n1 n2) + g^2 / (2 (n1 + n2)))
 *    (Hedges & Olkin 1985, Statistical Methods for Meta-Analysis, ch. 5;
 *    Borenstein et al. 2009, Introduction to Meta-Analysis, eq. 4.20, with
 *    g in place of d as metafor's escalc vtype "LS" does; the same variance
 *    evidence/effect.c gives continuous outcomes). WWC publishes no
 *    confidence interval, so a REPORTED outcome cannot be formed;
 *  - otherwise nothing can be weighed: the finding is skipped, with a
 *    warning.
 * Effect_Size_WWC is kept as the reported estimate (metric SMD) on every
 * outcome that has it, beside our own computation.
 *
 * Direction. WWC's g keeps the raw intervention-minus-comparison sign, even
 * where lower is better, and this export does not say which outcomes those
 * are; its Improvement_Index is signed by favourability for some findings
 * and not for others (of 53 whose names say lower is better and whose index
 * is nonzero, 13 are flipped and 40 are not; docs/direction.md). So the
 * direction comes from what the measure means, through the direction
 * lexicon (evidence/direction.h, data/direction.tsv): on this export 6,217
 * findings higher is better, 534 lower, 221 unknown. An unknown direction
 * is stored as such and kept out of pooling. A later export's favourable /
 * unfavourable designation, when a file carries one, is the source's own
 * statement and will win over the lexicon.
 *
 * A finding without an effect that can be weighed (1,782 here: no g, or no
 * arm sizes) is still a finding of a reviewed study: it is emitted as an
 * outcome of kind WW_OUTCOME_NONE, stored and shown, never pooled.
 *
 * Identity. Every record carries identity_ns "wwc", the ReviewID as study
 * key and the InterventionID; every outcome its FindingID as source key and
 * a digest of the columns read, so a newer export of the same data updates
 * the findings that changed and adds the new ones (repo/ingest.c). WWC's
 * Finding_Rating (1/2/3 in this export, text in later ones) is emitted as
 * the reviewers' judgement of the study (importers.h, ww_judgement).
 *
 * Every finding with all six arm statistics and Effect_Size_WWC is also an
 * outside check of evidence/effect.c: g is recomputed with WWC's small-sample
 * correction and one summary warning at the end says how many agree.
 *
 * On the April 2020 export (6,972 findings, tests/test_wwc.c): 1,975
 * CONTINUOUS, 3,215 GENERIC (12 of them because an arm's SD is 0), 1,782
 * skipped (1,748 with neither Effect_Size_WWC nor usable arm statistics,
 * 34 with Effect_Size_WWC but not both arm sizes); 818 study reviews; 233
 * outcomes lower-is-better. Of 1,993 findings with arm statistics and
 * Effect_Size_WWC, 1,909 agree to 1e-9, 66 differ (WWC worked from adjusted
 * statistics or from unrounded ones; tests/test_effect.c sorts them) and 18
 * give no g (an SD or a sample size of 0).
 *
 * Malformed rows (a stray quote, the wrong number of fields), as real WWC
 * exports have, are reported with their line as warnings and skipped; the
 * reader resumes at the next line (csv_util.h). A value that is not a
 * number in a numeric column is a warning and counts as missing. Refused
 * outright (errors): a non-UTF-8 file, a header without the findings
 * columns, a field over 1 MiB, more than 200 malformed rows.
 */
#define _GNU_SOURCE /* strcasestr */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <nettle/sha2.h>

#include "../evidence/direction.h"
#include "../evidence/effect.h"
#include "csv_util.h"
#include "importers.h"

/* The longest WWC field is a citation of a few kilobytes. */
#define WWC_FIELD_MAX ((size_t)1024 * 1024)
/* Past this many malformed rows the input is not a WWC export at all. */
#define WWC_MALFORMED_MAX 200
/* Warnings of one kind listed one by one before a count takes over. */
#define WWC_LIST_MAX 100
/* How far into the file sniffing reads the header. */
#define WWC_SNIFF_WINDOW 65536
/* Our g and WWC's agree when |ours - wwc| <= tol * max(1, |wwc|). WWC
 * prints 15 significant digits, so agreement is to rounding error. */
#define WWC_AGREE_TOL 1e-9

/* ---- the columns ---------------------------------------------------------- */

enum column {
    C_FINDING_ID,
    C_REVIEW_ID,
    C_PROTOCOL,
    C_INTERVENTION_ID,
    C_INTERVENTION_NAME,
    C_COMPARISON,
    C_OUTCOME_MEASURE_ID,
    C_OUTCOME_MEASURE,
    C_OUTCOME_DOMAIN,
    C_PERIOD,
    C_SAMPLE_DESCRIPTION,
    C_IS_SUBGROUP,
    C_OUTCOME_SAMPLE_SIZE,
    C_N_T,
    C_N_C,
    C_CLUSTERS_T,
    C_CLUSTERS_C,
    C_MEAN_T,
    C_MEAN_C,
    C_SD_T,
    C_SD_C,
    C_ES_STUDY,
    C_ES_WWC,
    C_IMPROVEMENT,
    C_P_STUDY,
    C_P_WWC,
    C_ICC,
    C_CLUSTERS_TOTAL,
    C_IS_SIGNIFICANT,
    C_FINDING_RATING,
    C_ESSA_RATING,
    C_L1_UNIT,
    N_COLUMNS
};

/* Individual-file name first, then the merged file's (wwc_ReviewDictionary
 * .csv, "Merged File Variable Names"). In the merged file a finding's own
 * f_ column is preferred to the intervention report's i_ or the study's s_
 * one. The review id is "ReviewID" in the individual files and "s_StudyID"
 * ("WWC study review identifier") in the merged one. */
static const ww_csv_column columns[N_COLUMNS] = {
    [C_FINDING_ID] = {{"FindingID", "f_FindingID"}},
    [C_REVIEW_ID] = {{"ReviewID", "s_StudyID"}},
    [C_PROTOCOL] = {{"Protocol", "f_Protocol", "s_Protocol", "i_Protocol"}},
    [C_INTERVENTION_ID] = {{"InterventionID", "f_InterventionID", "i_InterventionID",
                            "s_interventionID"}},
    [C_INTERVENTION_NAME] = {{"Intervention_Name", "f_Intervention_Name", "i_Intervention_Name",
                              "s_Intervention_Name"}},
    [C_COMPARISON] = {{"Comparison", "f_Comparison"}},
    [C_OUTCOME_MEASURE_ID] = {{"OutcomeMeasureID", "f_Outcome_MeasureID"}},
    [C_OUTCOME_MEASURE] = {{"Outcome_Measure", "f_Outcome_Measure"}},
    [C_OUTCOME_DOMAIN] = {{"Outcome_Domain", "f_Outcome_Domain"}},
    [C_PERIOD] = {{"Period", "f_Period"}},
    [C_SAMPLE_DESCRIPTION] = {{"Sample_Description", "f_Sample_Description"}},
    [C_IS_SUBGROUP] = {{"Is_Subgroup", "f_Is_Subgroup"}},
    [C_OUTCOME_SAMPLE_SIZE] = {{"Outcome_Sample_Size", "f_Outcome_Sample_Size"}},
    [C_N_T] = {{"Outcome_Measure_Intervention_Sample_Size", "f_Outcome_Intervention_SS"}},
    [C_N_C] = {{"Outcome_Measure_Comparison_Sample_Size", "f_Outcome_Comparison_SS"}},
    [C_CLUSTERS_T] = {{"Intervention_Clusters_Sample_Size", "f_Intervention_Clusters_SS"}},
    [C_CLUSTERS_C] = {{"Comparison_Clusters_Sample_Size", "f_Comparison_Clusters_SS"}},
    [C_MEAN_T] = {{"Intervention_Mean", "f_Intervention_Mean"}},
    [C_MEAN_C] = {{"Comparison_Mean", "f_Comparison_Mean"}},
    [C_SD_T] = {{"Intervention_Standard_Deviation", "f_Intervention_Standard_Deviation"}},
    [C_SD_C] = {{"Comparison_Standard_Deviation", "f_Comparison_Standard_Deviation"}},
    [C_ES_STUDY] = {{"Effect_Size_Study", "f_Effect_Size_Study"}},
    [C_ES_WWC] = {{"Effect_Size_WWC", "f_Effect_Size_WWC"}},
    [C_IMPROVEMENT] = {{"Improvement_Index", "f_Improvement_Index"}},
    [C_P_STUDY] = {{"p_Value_Study", "f_p_Value_Study"}},
    [C_P_WWC] = {{"p_Value_WWC", "f_p_Value_WWC"}},
    [C_ICC] = {{"ICC", "f_ICC"}},
    [C_CLUSTERS_TOTAL] = {{"Clusters_Total", "f_Clusters_Total"}},
    [C_IS_SIGNIFICANT] = {{"Is_Statistically_Significant", "f_Is_Statistically_Significant"}},
    [C_FINDING_RATING] = {{"Finding_Rating", "f_Finding_Rating"}},
    [C_ESSA_RATING] = {{"ESSA_Rating", "f_ESSA_Rating"}},
    [C_L1_UNIT] = {{"L1_Unit_of_Analysis", "f_L1_Unit_of_Analysis"}},
};

/* How a column's text is read. */
enum value_kind {
    V_TEXT,   /* kept as text */
    V_NUMBER, /* a finite decimal, exponent allowed ("8.97592977211481E-06") */
    V_COUNT,  /* a whole number >= 0 (sample sizes are typed float by WWC) */
    V_BOOL    /* True, False or empty */
};

static const unsigned char value_kinds[N_COLUMNS] = {
    [C_FINDING_ID] = V_COUNT,
    [C_INTERVENTION_ID] = V_COUNT,
    [C_OUTCOME_MEASURE_ID] = V_COUNT,
    [C_IS_SUBGROUP] = V_BOOL,
    [C_OUTCOME_SAMPLE_SIZE] = V_COUNT,
    [C_N_T] = V_COUNT,
    [C_N_C] = V_COUNT,
    [C_CLUSTERS_T] = V_COUNT,
    [C_CLUSTERS_C] = V_COUNT,
    [C_MEAN_T] = V_NUMBER,
    [C_MEAN_C] = V_NUMBER,
    [C_SD_T] = V_NUMBER,
    [C_SD_C] = V_NUMBER,
    [C_ES_STUDY] = V_NUMBER,
    [C_ES_WWC] = V_NUMBER,
    [C_IMPROVEMENT] = V_NUMBER,
    [C_P_STUDY] = V_NUMBER,
    [C_P_WWC] = V_NUMBER,
    [C_ICC] = V_NUMBER,
    [C_CLUSTERS_TOTAL] = V_COUNT,
    [C_IS_SIGNIFICANT] = V_BOOL,
};

/* Columns a findings file must have besides FindingID and Effect_Size_WWC
 * (which make it one): they name the study, the intervention and the
 * outcome. */
static const enum column required[] = {C_REVIEW_ID, C_INTERVENTION_NAME, C_OUTCOME_MEASURE};

/* ---- parse state and diagnostics ------------------------------------------ */

/* Warnings that can repeat on many rows: each kind is listed WWC_LIST_MAX
 * times, then only counted, so a large file cannot fill the diagnostics
 * list and push out the summaries. */
enum note_kind {
    N_MALFORMED,     /* not valid CSV, or the wrong number of fields */
    N_ROW_SKIPPED,   /* no FindingID, review, intervention or outcome */
    N_NO_EFFECT,     /* no effect size can be formed */
    N_BAD_VALUE,     /* a value that is not what its column holds */
    N_ARMS_UNUSABLE, /* arm statistics present but no g from them */
    N_SIGN,          /* our g and WWC's have opposite signs */
    N_NOTE_KINDS
};

static const char *const note_what[N_NOTE_KINDS] = {
    "malformed rows",
    "rows without a FindingID, review, intervention or outcome",
    "findings without an effect size",
    "unusable values",
    "findings whose arm statistics give no g",
    "findings where g and Effect_Size_WWC differ in sign",
};

typedef struct wwc_ctx {
    ww_diag_ctx d;  /* d.rc sticky: the first WW_ENOMEM */
    ww_csv_table t; /* t.header: header names as written, for messages */
    const ww_sink *sink;
    int column[N_COLUMNS]; /* header field of each column, -1 when absent */
    /* what became of the rows */
    size_t skipped_rows, skipped_no_g, skipped_no_n, literal_quotes;
    /* the check of our g against Effect_Size_WWC */
    size_t compared, agree, differ, no_g;
    double max_diff;
    long max_diff_line, max_diff_finding;
} wwc_ctx;

/* The header's own spelling of column e, for messages. */
static const char *name_of(const wwc_ctx *c, enum column e)
{
    return ww_csv__column_name(&c->t, (int)e);
}

/* ---- the header ------------------------------------------------------------- */

static int header_has(const ww_csv_row *row, const char *name)
{
    for (size_t f = 0; f < row->n_fields; f++)
        if (!strcasecmp(row->fields[f], name)) return 1;
    return 0;
}

/* What a header without the findings columns most likely is. */
static const char *other_wwc_file(const ww_csv_row *row)
{
    if (header_has(row, "Study_Rating") || header_has(row, "Citation") ||
        header_has(row, "Study_Design"))
        return "; this looks like the WWC Studies file (one row per study review, no "
               "findings): import it with --format wwc-studies";
    if (header_has(row, "Effectiveness_Rating") || header_has(row, "NumStudiesMeetingStandards"))
        return "; this looks like the WWC Intervention Reports file: import it with --format "
               "wwc-intervention-reports";
    return "";
}

/* Check the mapped header. Returns 1 when the file has the columns it
 * needs, 0 when it was refused (errors added), or WW_ENOMEM. */
static int read_header(void *ctx, const ww_csv_row *row)
{
    wwc_ctx *c = ctx;
    int ok = 1;

    /* Without FindingID and Effect_Size_WWC the file is something else:
     * say so, and what it looks like, without listing every other column
     * it lacks. */
    if (c->column[C_FINDING_ID] < 0 || c->column[C_ES_WWC] < 0) {
        static const enum column identifying[] = {C_FINDING_ID, C_ES_WWC};
        const char *hint = other_wwc_file(row);
        for (size_t i = 0; i < 2; i++) {
            enum column e = identifying[i];
            if (c->column[e] >= 0) continue;
            ww_diag__add(&c->d, 0, row->line, columns[e].names[0],
                         "not a WWC findings file: the header has no %s (or %s) column%s",
                         columns[e].names[0], columns[e].names[1], hint);
            hint = "";
        }
        return c->d.rc < 0 ? c->d.rc : 0;
    }
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        enum column e = required[i];
        if (c->column[e] >= 0) continue;
        ww_diag__add(&c->d, 0, row->line, columns[e].names[0],
                     "missing: a WWC findings file needs the column %s (or %s)",
                     columns[e].names[0], columns[e].names[1]);
        ok = 0;
    }
    return c->d.rc < 0 ? c->d.rc : ok;
}

/* ---- one finding -------------------------------------------------------------- */

typedef struct finding {
    char *text[N_COLUMNS]; /* trimmed, in the row's buffer; NULL when empty */
    double num[N_COLUMNS]; /* V_NUMBER, V_COUNT: NAN when missing or unusable */
    int flag[N_COLUMNS];   /* V_BOOL: 1 True, 0 False, -1 missing */
} finding;

static void read_values(wwc_ctx *c, const ww_csv_row *row, finding *f)
{
    char q[WW_DIAG_QUOTE_MAX + 4];
    for (int e = 0; e < N_COLUMNS; e++) {
        int idx = c->column[e];
        char *s;
        double v;
        f->text[e] = NULL;
        f->num[e] = NAN;
        f->flag[e] = -1;
        if (idx < 0) continue;
        s = ww_csv__trim(row->fields[idx]);
        if (!*s) continue;
        f->text[e] = s;
        switch (value_kinds[e]) {
        case V_NUMBER:
            if (ww__parse_double(&v, s) == 0)
                f->num[e] = v;
            else
                ww_diag__note(&c->d, N_BAD_VALUE, row->line, name_of(c, (enum column)e),
                              "'%s' is not a finite number; treated as missing",
                              ww_diag__quote(q, sizeof q, s));
            break;
        case V_COUNT:
            /* Typed float in the dictionary, so "151.0" is read too; the
             * bound keeps the value exact in a long. */
            if (ww__parse_double(&v, s) == 0 && v >= 0 && v <= 1e12 && v == floor(v))
                f->num[e] = v;
            else
                ww_diag__note(&c->d, N_BAD_VALUE, row->line, name_of(c, (enum column)e),
                              "'%s' is not a whole number of at least 0; treated as missing",
                              ww_diag__quote(q, sizeof q, s));
            break;
        case V_BOOL:
            if (!strcasecmp(s, "True"))
                f->flag[e] = 1;
            else if (!strcasecmp(s, "False"))
                f->flag[e] = 0;
            else
                ww_diag__note(&c->d, N_BAD_VALUE, row->line, name_of(c, (enum column)e),
                              "'%s' is not True or False; treated as missing",
                              ww_diag__quote(q, sizeof q, s));
            break;
        default: break;
        }
    }
}

/* WWC's Finding_Rating as published text: the April 2020 export codes it
 * 1/2/3 (decoded against the Wolf 2021 study file, whose f_finding_rating
 * gives the text beside the same FindingIDs: 1 = without reservations,
 * 2 = with reservations, 3 = does not meet); later exports give the text. */
static const char *finding_rating_text(const char *s)
{
    if (!s) return NULL;
    if (!strcmp(s, "1")) return "Meets WWC standards without reservations";
    if (!strcmp(s, "2")) return "Meets WWC standards with reservations";
    if (!strcmp(s, "3")) return "Does not meet WWC standards";
    if (strcasestr(s, "meet")) return s;
    return NULL;
}

/* The finding's identity and what WWC said about it, for the store: the
 * digest covers every column this importer maps (a newer export that only
 * adds columns changes nothing), the attributes keep WWC's own judgements
 * of the finding as JSON. */
static void finding_digest(char out[2 * SHA256_DIGEST_SIZE + 1], const finding *f)
{
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    for (int e = 0; e < N_COLUMNS; e++) {
        const char *t = f->text[e] ? f->text[e] : "";
        sha256_update(&ctx, strlen(t), (const uint8_t *)t);
        sha256_update(&ctx, 1, (const uint8_t *)"\x1f");
    }
    sha256_digest(&ctx, sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static int set_num(json_t *o, const char *k, double v)
{
    return isfinite(v) ? json_object_set_new(o, k, json_real(v)) : 0;
}

static int set_text(json_t *o, const char *k, const char *v)
{
    return v ? json_object_set_new(o, k, json_string(v)) : 0;
}

static int set_flag(json_t *o, const char *k, int v)
{
    return v >= 0 ? json_object_set_new(o, k, json_boolean(v)) : 0;
}

static char *finding_attrs(const finding *f, const char *rating)
{
    json_t *o = json_object();
    char *text = NULL;
    if (!o) return NULL;
    if (set_text(o, "finding_id", f->text[C_FINDING_ID]) == 0 &&
        set_text(o, "review_id", f->text[C_REVIEW_ID]) == 0 &&
        set_text(o, "intervention_id", f->text[C_INTERVENTION_ID]) == 0 &&
        set_text(o, "protocol", f->text[C_PROTOCOL]) == 0 &&
        set_text(o, "outcome_domain", f->text[C_OUTCOME_DOMAIN]) == 0 &&
        set_text(o, "period", f->text[C_PERIOD]) == 0 &&
        set_text(o, "finding_rating", rating) == 0 &&
        set_text(o, "essa_rating", f->text[C_ESSA_RATING]) == 0 &&
        set_flag(o, "is_subgroup", f->flag[C_IS_SUBGROUP]) == 0 &&
        set_flag(o, "is_statistically_significant", f->flag[C_IS_SIGNIFICANT]) == 0 &&
        set_num(o, "effect_size_wwc", f->num[C_ES_WWC]) == 0 &&
        set_num(o, "effect_size_study", f->num[C_ES_STUDY]) == 0 &&
        set_num(o, "improvement_index", f->num[C_IMPROVEMENT]) == 0 &&
        set_num(o, "p_value_wwc", f->num[C_P_WWC]) == 0 &&
        set_num(o, "p_value_study", f->num[C_P_STUDY]) == 0 &&
        set_num(o, "outcome_sample_size", f->num[C_OUTCOME_SAMPLE_SIZE]) == 0 &&
        set_num(o, "intervention_clusters", f->num[C_CLUSTERS_T]) == 0 &&
        set_num(o, "comparison_clusters", f->num[C_CLUSTERS_C]) == 0 &&
        set_num(o, "clusters_total", f->num[C_CLUSTERS_TOTAL]) == 0 &&
        set_num(o, "icc", f->num[C_ICC]) == 0 &&
        set_text(o, "unit_of_analysis", f->text[C_L1_UNIT]) == 0)
        text = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(o);
    return text;
}

static void lowercase_ascii(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z') *s = (char)(*s - 'A' + 'a');
}

/* Large-sample standard error of g from the arm sizes (see the top). */
static double g_standard_error(double g, double n1, double n2)
{
    return sqrt((n1 + n2) / (n1 * n2) + g * g / (2 * (n1 + n2)));
}

/* Compare our g with WWC's for the summary. */
static void cross_check(wwc_ctx *c, int have_ours, double ours, double wwc, long line,
                        long finding_id)
{
    double diff;
    c->compared++;
    if (!have_ours) {
        c->no_g++;
        return;
    }
    diff = fabs(ours - wwc);
    if (diff <= WWC_AGREE_TOL * fmax(1, fabs(wwc))) {
        c->agree++;
        return;
    }
    c->differ++;
    if (diff > c->max_diff) {
        c->max_diff = diff;
        c->max_diff_line = line;
        c->max_diff_finding = finding_id;
    }
}

static int finding_row(wwc_ctx *c, ww_csv_row *row, const ww_sink *sink)
{
    finding f;
    ww_record rec;
    ww_outcome_rec o;
    ww_effect e;
    ww_arena *a = NULL;
    char q[WW_DIAG_QUOTE_MAX + 4], why[256] = "", digest[2 * SHA256_DIGEST_SIZE + 1];
    char *attrs = NULL;
    const char *rating;
    ww_direction_verdict dv;
    long line = row->line, id;
    double mt, mc, sdt, sdc, nt, nc, g;
    int six, have_ours = 0, error = 0;
    ww_outcome_kind kind;

    read_values(c, row, &f);

    /* A finding needs its id, its review, its intervention and its outcome. */
    if (!f.text[C_FINDING_ID] || ww__parse_long(&id, f.text[C_FINDING_ID]) < 0 || id < 0) {
        c->skipped_rows++;
        ww_diag__note(&c->d, N_ROW_SKIPPED, line, name_of(c, C_FINDING_ID), "%s; row skipped",
                      f.text[C_FINDING_ID] ? "not a whole number" : "empty");
        return c->d.rc;
    }
    {
        static const enum column needed[] = {C_REVIEW_ID, C_INTERVENTION_NAME, C_OUTCOME_MEASURE};
        for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
            if (f.text[needed[i]]) continue;
            c->skipped_rows++;
            ww_diag__note(&c->d, N_ROW_SKIPPED, line, name_of(c, needed[i]),
                          "empty in FindingID %ld; row skipped", id);
            return c->d.rc;
        }
    }

    /* WWC's rating of the finding is a judgement about its study, whether or
     * not the finding gives an effect that can be weighed. */
    rating = finding_rating_text(f.text[C_FINDING_RATING]);
    if (f.text[C_FINDING_RATING] && !rating)
        ww_diag__note(
            &c->d, N_BAD_VALUE, line, name_of(c, C_FINDING_RATING),
            "'%s' is not a WWC finding rating (1, 2, 3 or the rating's text); treated as missing",
            ww_diag__quote(q, sizeof q, f.text[C_FINDING_RATING]));
    if (rating && sink && sink->judgement) {
        ww_judgement j;
        char where[64], reason[96];
        memset(&j, 0, sizeof j);
        snprintf(where, sizeof where, "line %ld (FindingID %ld)", line, id);
        snprintf(reason, sizeof reason, "%s %s of this finding", name_of(c, C_FINDING_RATING),
                 f.text[C_FINDING_RATING]);
        j.scope = WW_JUDGEMENT_STUDY;
        j.body = "WWC";
        j.identity_ns = "wwc";
        j.key = f.text[C_REVIEW_ID];
        j.finding_key = f.text[C_FINDING_ID];
        j.design = WW_DESIGN_UNKNOWN;
        j.rating = rating;
        j.reason = reason;
        j.protocol = f.text[C_PROTOCOL];
        j.n_studies = j.n_eligible = -1;
        j.where = where;
        j.line = line;
        if ((error = sink->judgement(sink->ctx, &j)) < 0) return error;
    }

    mt = f.num[C_MEAN_T];
    mc = f.num[C_MEAN_C];
    sdt = f.num[C_SD_T];
    sdc = f.num[C_SD_C];
    nt = f.num[C_N_T];
    nc = f.num[C_N_C];
    g = f.num[C_ES_WWC];
    six = !isnan(mt) && !isnan(mc) && !isnan(sdt) && !isnan(sdc) && !isnan(nt) && !isnan(nc);

    /* WWC's g uses the approximate correction 1 - 3/(4N - 9) (Handbook
     * v4.1, appendix E), so that is what we compare with. */
    if (six) {
        if (ww_effect_smd(&e, mt, sdt, nt, mc, sdc, nc, WW_SMD_WWC_APPROX) == 0)
            have_ours = 1;
        else
            snprintf(why, sizeof why, "%s", ww_error_last());
    }
    if (six && !isnan(g)) cross_check(c, have_ours, e.yi, g, line, id);

    if (have_ours) {
        kind = WW_OUTCOME_CONTINUOUS;
        if (!isnan(g) && e.yi * g < 0)
            ww_diag__note(
                &c->d, N_SIGN, line, name_of(c, C_ES_WWC),
                "FindingID %ld: Effect_Size_WWC (%.6g) and g from the arm statistics (%.6g) "
                "have opposite signs (WWC worked from other statistics, such as adjusted "
                "means); the effect is computed from the arm statistics as printed, WWC's g is "
                "kept "
                "as the reported value",
                id, g, e.yi);
    } else if (!isnan(g) && nt >= 1 && nc >= 1) {
        kind = WW_OUTCOME_GENERIC;
        if (six)
            ww_diag__note(
                &c->d, N_ARMS_UNUSABLE, line, name_of(c, C_ES_WWC),
                "FindingID %ld: the arm statistics give no g (%s); Effect_Size_WWC is used with "
                "its large-sample standard error",
                id, why);
    } else {
        if (isnan(g)) {
            c->skipped_no_g++;
            if (six)
                ww_diag__note(&c->d, N_NO_EFFECT, line, name_of(c, C_ES_WWC),
                              "FindingID %ld: no effect size: Effect_Size_WWC is empty and the arm "
                              "statistics give no g (%s); stored without an effect, not pooled",
                              id, why);
            else
                ww_diag__note(
                    &c->d, N_NO_EFFECT, line, name_of(c, C_ES_WWC),
                    "FindingID %ld: no effect size: Effect_Size_WWC is empty and the arms' "
                    "means, SDs and sample sizes are incomplete; stored without an effect, not "
                    "pooled",
                    id);
        } else {
            c->skipped_no_n++;
            ww_diag__note(
                &c->d, N_NO_EFFECT, line, name_of(c, nt >= 1 ? C_N_C : C_N_T),
                "FindingID %ld: Effect_Size_WWC cannot be weighed without both arms' sample "
                "sizes (at least 1 each); stored without an effect, not pooled",
                id);
        }
        /* Still a finding of a reviewed study: stored (shown, searchable,
         * counted in updates), never pooled. */
        kind = WW_OUTCOME_NONE;
    }
    if (c->d.rc < 0) return c->d.rc;
    if (!sink || !sink->record) return 0;

    if ((error = ww_arena__new(&a)) < 0) return c->d.rc = error;
    ww_record_init(&rec);
    ww_outcome_rec_init(&o);
    rec.study_key = f.text[C_REVIEW_ID];
    rec.identity_ns = "wwc";
    rec.intervention_key = f.text[C_INTERVENTION_ID];
    rec.title = ww_diag__arena_printf(&c->d, a, "What Works Clearinghouse study review %s",
                                      ww_diag__quote(q, sizeof q, f.text[C_REVIEW_ID]));
    if (f.text[C_PROTOCOL])
        rec.notes = ww_diag__arena_printf(&c->d, a, "WWC protocol: %s", f.text[C_PROTOCOL]);
    rec.country = "US";
    rec.is_example = 0;
    rec.provisional = 0; /* reviewed by WWC against its standards */
    rec.intervention_name = f.text[C_INTERVENTION_NAME];
    rec.comparison = f.text[C_COMPARISON];
    rec.population = f.text[C_SAMPLE_DESCRIPTION];
    rec.where = ww_diag__arena_printf(&c->d, a, "line %ld", line);
    rec.line = line;

    o.name = f.text[C_OUTCOME_MEASURE];
    if (f.text[C_OUTCOME_DOMAIN]) {
        lowercase_ascii(f.text[C_OUTCOME_DOMAIN]);
        o.domain = f.text[C_OUTCOME_DOMAIN];
    }
    o.timepoint = f.text[C_PERIOD];
    o.kind = kind;
    o.metric = "SMD";
    /* Direction from what the measure means: the direction lexicon
     * (evidence/direction.h), since this export does not state it (see the
     * top). Undecided stays unknown, and out of pooling. */
    if ((error = ww_direction_classify(&dv, o.name, o.domain)) < 0) {
        ww_arena__free(a);
        return c->d.rc = error;
    }
    o.higher_is_better = dv.higher_is_better;
    o.direction_rule = dv.rule ? dv.rule : "unknown";
    finding_digest(digest, &f);
    o.source_key = f.text[C_FINDING_ID];
    o.digest = digest;
    if (!(attrs = finding_attrs(&f, rating))) {
        ww_arena__free(a);
        return c->d.rc = ww__error_oom();
    }
    o.attrs_json = attrs;
    if (kind == WW_OUTCOME_NONE) {
        if (nt >= 0) o.n_treatment = (long)nt;
        if (nc >= 0) o.n_control = (long)nc;
    } else if (kind == WW_OUTCOME_CONTINUOUS) {
        o.mean_treatment = mt;
        o.sd_treatment = sdt;
        o.n_treatment = (long)nt;
        o.mean_control = mc;
        o.sd_control = sdc;
        o.n_control = (long)nc;
    } else {
        o.generic_yi = g;
        o.generic_se = g_standard_error(g, nt, nc);
        o.n_treatment = (long)nt;
        o.n_control = (long)nc;
    }
    if (!isnan(g)) {
        o.reported_metric = "SMD";
        o.reported_estimate = g;
    }
    /* Clustering (docs/wwc.md, "Clustered findings"): WWC gives the clusters
     * and the unit of analysis of each finding, and the ICC where it applied
     * its own clustering correction (to the p-value only, Procedures
     * Handbook v4.1 appendix F). Our variance comes from the arm sizes, so
     * it needs the design effect whenever there are fewer clusters than
     * people and the people are the unit of analysis; the repository
     * decides from these (evidence/plausibility.h). */
    if (kind == WW_OUTCOME_GENERIC) o.se_from_arm_sizes = 1;
    if (f.num[C_CLUSTERS_T] >= 1 && f.num[C_CLUSTERS_T] <= 1e8)
        o.clusters_treatment = (long)f.num[C_CLUSTERS_T];
    if (f.num[C_CLUSTERS_C] >= 1 && f.num[C_CLUSTERS_C] <= 1e8)
        o.clusters_control = (long)f.num[C_CLUSTERS_C];
    if (f.num[C_ICC] >= 0 && f.num[C_ICC] <= 1) o.icc = f.num[C_ICC];
    o.analysis_unit = f.text[C_L1_UNIT];
    o.where = ww_diag__arena_printf(&c->d, a, "line %ld (FindingID %ld)", line, id);
    o.line = line;
    rec.outcomes = &o;
    rec.n_outcomes = 1;

    if (c->d.rc == 0) error = sink->record(sink->ctx, &rec);
    ww_arena__free(a);
    free(attrs);
    return c->d.rc < 0 ? c->d.rc : error;
}

/* ---- the importer --------------------------------------------------------------- */

static void summarise(void *ctx)
{
    wwc_ctx *c = ctx;
    size_t skipped = c->skipped_no_g + c->skipped_no_n;
    const char *what[N_NOTE_KINDS];
    if (c->literal_quotes > 1)
        ww_diag__add(&c->d, 1, 0, NULL,
                     "%zu rows in all had a quote inside an unquoted field, read as text",
                     c->literal_quotes);
    /* Findings without an effect size are counted in the summary below. */
    memcpy(what, note_what, sizeof what);
    what[N_NO_EFFECT] = NULL;
    ww_diag__summarise(&c->d, what, N_NOTE_KINDS);
    if (skipped) {
        char listed[64] = "";
        if (skipped > WWC_LIST_MAX)
            snprintf(listed, sizeof listed, "; the first %d are listed above", WWC_LIST_MAX);
        ww_diag__add(
            &c->d, 1, 0, name_of(c, C_ES_WWC),
            "%zu finding%s stored without an effect that can be weighed (not pooled): %zu "
            "without Effect_Size_WWC or usable arm statistics, %zu with Effect_Size_WWC but "
            "not both sample sizes%s",
            skipped, skipped == 1 ? "" : "s", c->skipped_no_g, c->skipped_no_n, listed);
    }
    if (c->compared) {
        char largest[128] = "";
        char unusable[128] = "";
        if (c->differ)
            snprintf(largest, sizeof largest, " (largest difference %.3g, FindingID %ld, line %ld)",
                     c->max_diff, c->max_diff_finding, c->max_diff_line);
        if (c->no_g)
            snprintf(unusable, sizeof unusable, ", %zu give no g (an SD or a sample size of 0)",
                     c->no_g);
        ww_diag__add(
            &c->d, 1, 0, name_of(c, C_ES_WWC),
            "%zu finding%s with arm statistics: %zu agree with Effect_Size_WWC within 1e-9, %zu "
            "differ%s%s",
            c->compared, c->compared == 1 ? "" : "s", c->agree, c->differ, largest, unusable);
    }
}

/* A well-formed row: a finding. */
static int read_row(void *ctx, ww_csv_row *row)
{
    wwc_ctx *c = ctx;
    if (row->literal_quote && c->literal_quotes++ == 0)
        ww_diag__add(&c->d, 1, row->line, NULL,
                     "a quote inside a field that does not start with one is read as text "
                     "(not valid RFC 4180, as some WWC exports are); later rows like it are "
                     "counted at the end");
    return finding_row(c, row, c->sink);
}

static int wwc_parse(const ww_input *in, ww_diags *diags, const ww_sink *sink)
{
    wwc_ctx c;
    int error;

    memset(&c, 0, sizeof c);
    c.d.name = in->name;
    c.d.diags = diags;
    c.d.list_max = WWC_LIST_MAX;
    c.sink = sink;
    c.t.columns = columns;
    c.t.n_columns = N_COLUMNS;
    c.t.column = c.column;
    c.t.field_max = WWC_FIELD_MAX;
    c.t.field_max_text = "1 MiB";
    c.t.malformed_max = WWC_MALFORMED_MAX;
    c.t.literal_quotes = 1;
    c.t.malformed_kind = N_MALFORMED;
    c.t.exports = "WWC exports";
    c.t.what = "a WWC findings CSV file";
    c.t.on_header = read_header;
    c.t.on_row = read_row;
    c.t.on_end = summarise;
    c.t.ctx = &c;
    error = ww_csv__read_table(&c.t, in->data, in->size, &c.d);
    ww_arena__free(c.t.arena);
    return error;
}

/* ---- sniffing --------------------------------------------------------------------- */

typedef struct sniff_state {
    int finding_id, effect_size;
} sniff_state;

static int is_one_of(const char *name, enum column e)
{
    for (int k = 0; k < 4 && columns[e].names[k]; k++)
        if (!strcasecmp(name, columns[e].names[k])) return 1;
    return 0;
}

static void sniff_name(void *ctx, const char *name, size_t len)
{
    sniff_state *st = ctx;
    (void)len;
    if (is_one_of(name, C_FINDING_ID)) st->finding_id = 1;
    if (is_one_of(name, C_ES_WWC)) st->effect_size = 1;
}

/* A findings header names FindingID and Effect_Size_WWC (either spelling).
 * FindingID alone scores low, so a forced-looking file still gets this
 * importer's clear message about what is missing. */
static int wwc_sniff(const ww_input *in)
{
    sniff_state st = {0, 0};
    if (!in->data || in->size == 0) return 0;
    ww_csv__sniff_header(in->data, in->size, WWC_SNIFF_WINDOW, sniff_name, &st);
    if (st.finding_id && st.effect_size) return 90;
    return st.finding_id ? 20 : 0;
}

const ww_importer ww_importer_wwc = {
    "wwc-findings",
    "What Works Clearinghouse study findings CSV (individual Findings file or merged file)",
    wwc_sniff,
    wwc_parse,
};
