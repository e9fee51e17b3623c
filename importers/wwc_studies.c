/*
 * wwc_studies.c — the importer for What Works Clearinghouse (WWC) study
 * reviews: the study design and rating WWC's reviewers gave each study
 * review, handed to the sink as WW_JUDGEMENT_STUDY judgements (body "WWC",
 * identity_ns "wwc", key the ReviewID), so a study WWC already rated can be
 * graded from that judgement. It reads no effect sizes: those come from the
 * Findings file (wwc.c), which shares the ReviewID.
 *
 * Two files carry these columns, found by name, never by position:
 *  - the WWC Studies file of the "data from individual studies" download,
 *    one row per study review (ReviewID, Study_Design, Study_Rating,
 *    Rating_Reason, Standards_Version, Protocol, Protocol_Version,
 *    Study_Page_URL; the merged file's s_ spellings are read too);
 *  - the study-level meta-analysis file of Wolf & Harbatkin, "Making sense
 *    of effect sizes" (wolf2021_wp_meta_v2.csv), one row per finding with
 *    the study's columns repeated on each (reviewid, s_study_design,
 *    s_study_rating, s_rating_reason, ...; Stata lower-cased the names).
 * A review given on several rows is emitted once, from its first row; rows
 * of one review that disagree on the design or the rating are warned about
 * with both lines (the first row's judgement is kept).
 *
 * The key is ReviewID, the id the Findings file files its findings under.
 * s_StudyID is not read as one: WWC's dictionary gives it as the merged
 * name of the Studies file's StudyID, the id of the study's page
 * (/Study/131). In the Wolf file s_studyid and reviewid differ on every row
 * (study 131 is review 1901417, the ReviewID finding 5975 has in the
 * Findings file), and 14 of its 373 studies have more than one review
 * (study 33169: reviews 24969 and 99997). On the Wolf file (tests/test_wwc_judgements.c): 1,553
 * rows, 390 study reviews (RCT 300, QED 89, RDD 1; 252 without reservations, 138 with
 * reservations), no disagreements; all but one of its 1,553 findings
 * (28513, review 1905893) are in the April 2020 Findings file under the
 * same ReviewID.
 *
 * Numbers in the Wolf file are Stata float renderings ("2.0999999" for
 * Standards_Version 2.1); a version written with more than six decimals is
 * given back to seven significant digits. Relative page links ("/Study/131")
 * are made absolute on the WWC site.
 *
 * Refused outright (errors): a non-UTF-8 file, a header without ReviewID or
 * without both Study_Design and Study_Rating, a field over 1 MiB, more than
 * 200 malformed rows. Malformed rows are warnings with their line and are
 * skipped (csv_util.h resumes at the next line).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv_util.h"
#include "importers.h"

#define STUDIES_FIELD_MAX ((size_t)1024 * 1024)
#define STUDIES_MALFORMED_MAX 200
/* Warnings of one kind listed one by one before a count takes over. */
#define STUDIES_LIST_MAX 100
#define STUDIES_SNIFF_WINDOW 65536
/* Where WWC's relative page links ("/Study/131") live. */
#define WWC_SITE "https://ies.ed.gov/ncee/wwc"

/* ---- the columns ---------------------------------------------------------- */

enum column {
    C_REVIEW_ID,
    C_DESIGN,
    C_RATING,
    C_REASON,
    C_STANDARDS,
    C_PROTOCOL,
    C_PROTOCOL_VERSION,
    C_URL,
    N_COLUMNS
};

/* Individual-file name first, then the merged file's (wwc_ReviewDictionary
 * .csv). Names compare without regard to case, so the Wolf file's
 * "reviewid" and "s_study_design" are these too. "review_id" is how newer
 * merged exports name the review. */
static const ww_csv_column columns[N_COLUMNS] = {
    [C_REVIEW_ID] = {{"ReviewID", "review_id"}},
    [C_DESIGN] = {{"Study_Design", "s_Study_Design"}},
    [C_RATING] = {{"Study_Rating", "s_Study_Rating"}},
    [C_REASON] = {{"Rating_Reason", "s_Rating_Reason"}},
    [C_STANDARDS] = {{"Standards_Version", "s_Standards_Version"}},
    [C_PROTOCOL] = {{"Protocol", "s_Protocol"}},
    [C_PROTOCOL_VERSION] = {{"Protocol_Version", "s_Protocol_Version"}},
    [C_URL] = {{"Study_Page_URL", "s_Study_Page_URL"}},
};

/* ---- the reviews seen so far ---------------------------------------------- */

/* An open-addressing table of review ids, for emitting each review once
 * and comparing its later rows with its first. */
typedef struct review {
    const char *key, *design, *rating; /* in the arena; design, rating may be NULL */
    long line;
} review;

typedef struct review_set {
    review *slot;
    size_t n, cap; /* cap a power of two, or 0 */
} review_set;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The slot holding key, or the empty slot where it would go. */
static review *set_slot(review_set *set, const char *key)
{
    size_t i = (size_t)hash_str(key) & (set->cap - 1);
    while (set->slot[i].key && strcmp(set->slot[i].key, key) != 0) i = (i + 1) & (set->cap - 1);
    return &set->slot[i];
}

static int set_grow(review_set *set)
{
    review_set bigger = {NULL, set->n, set->cap ? 2 * set->cap : 256};
    if (!(bigger.slot = calloc(bigger.cap, sizeof *bigger.slot))) return ww__error_oom();
    for (size_t i = 0; i < set->cap; i++)
        if (set->slot[i].key) *set_slot(&bigger, set->slot[i].key) = set->slot[i];
    free(set->slot);
    *set = bigger;
    return 0;
}

/* ---- parse state and diagnostics ------------------------------------------ */

enum note_kind {
    N_MALFORMED, /* not valid CSV, or the wrong number of fields */
    N_SKIPPED,   /* no ReviewID, or neither design nor rating */
    N_DESIGN,    /* a design this importer does not know */
    N_DISAGREE,  /* two rows of one review disagree */
    N_NOTE_KINDS
};

static const char *const note_what[N_NOTE_KINDS] = {
    "malformed rows",
    "rows skipped",
    "designs not recognised",
    "rows that disagree with an earlier row of their review",
};

typedef struct studies_ctx {
    ww_diag_ctx d;  /* d.rc sticky: the first negative code */
    ww_csv_table t; /* t.arena: header names, review keys */
    const ww_sink *sink;
    int column[N_COLUMNS]; /* header field of each column, -1 when absent */
    size_t rows, emitted;
    review_set seen;
} studies_ctx;

/* User text for a message; "(empty)" when there is none. */
static const char *quote(char *buf, size_t n, const char *s)
{
    return s ? ww_diag__quote(buf, n, s) : "(empty)";
}

static const char *name_of(const studies_ctx *c, enum column e)
{
    return ww_csv__column_name(&c->t, (int)e);
}

/* ---- values ------------------------------------------------------------------ */

/* How WWC writes a design, and what it is in our terms. A WWC QED can meet
 * standards only by showing that the analytic groups were equivalent at
 * baseline on the pre-intervention measures its review protocol names,
 * where there is one a pre-test of the outcome (WWC Standards Handbook
 * v4.1, 2020, ch. II.A: a QED must satisfy the baseline equivalence
 * requirement and can at best be rated "Meets WWC Group Design Standards
 * With Reservations"). So a QED that WWC rated is a matched comparison
 * with a pre-test, not a bare comparison group; a QED that did not meet
 * standards is still one by design, the rating saying it failed. Single-
 * case designs have no counterpart here and stay unknown, their text kept. */
static const struct {
    const char *text;
    ww_design design;
} designs[] = {
    {"RCT", WW_DESIGN_RANDOMISED},
    {"Randomized controlled trial", WW_DESIGN_RANDOMISED},
    {"QED", WW_DESIGN_MATCHED_PRETEST},
    {"Quasi-experimental design", WW_DESIGN_MATCHED_PRETEST},
    {"RDD", WW_DESIGN_REGRESSION_DISCONTINUITY},
    {"Regression discontinuity design", WW_DESIGN_REGRESSION_DISCONTINUITY},
    {"SCD", WW_DESIGN_UNKNOWN},
    {"Single-case design", WW_DESIGN_UNKNOWN},
};

/* The design for text (any case); -1 when the text is none WWC uses. */
static int design_of(const char *text)
{
    for (size_t i = 0; i < sizeof designs / sizeof designs[0]; i++)
        if (!strcasecmp(text, designs[i].text)) return (int)designs[i].design;
    return -1;
}

/* A version as WWC meant it: "2.0999999" (a Stata float) is 2.1; other
 * text is kept as written. buf must hold 32 bytes. */
static const char *version_text(char *buf, size_t n, const char *s)
{
    const char *dot;
    double v;
    if (!s || !(dot = strchr(s, '.')) || strspn(dot + 1, "0123456789") != strlen(dot + 1) ||
        strlen(dot + 1) <= 6 || ww__parse_double(&v, s) < 0)
        return s;
    snprintf(buf, n, "%.7g", v);
    return buf;
}

/* ---- the header ------------------------------------------------------------- */

static int header_has(const ww_csv_row *row, const char *name)
{
    for (size_t f = 0; f < row->n_fields; f++)
        if (!strcasecmp(row->fields[f], name)) return 1;
    return 0;
}

/* What a header without the study columns most likely is. */
static const char *other_wwc_file(const ww_csv_row *row)
{
    if (header_has(row, "Effectiveness_Rating") || header_has(row, "NumStudiesMeetingStandards"))
        return "; this looks like the WWC Intervention Reports file (--format "
               "wwc-intervention-reports)";
    if (header_has(row, "FindingID") || header_has(row, "f_FindingID"))
        return "; this looks like the WWC Findings file (--format wwc-findings)";
    return "";
}

/* Returns 1 when the file has the columns it needs, 0 when not (errors
 * added), or a negative code. */
static int read_header(void *ctx, const ww_csv_row *row)
{
    studies_ctx *c = ctx;

    if (c->column[C_DESIGN] < 0 && c->column[C_RATING] < 0) {
        ww_diag__add(
            &c->d, 0, row->line, columns[C_RATING].names[0],
            "not a WWC study file: the header has neither Study_Rating nor Study_Design (or "
            "their s_ spellings)%s",
            other_wwc_file(row));
        return c->d.rc < 0 ? c->d.rc : 0;
    }
    if (c->column[C_REVIEW_ID] < 0) {
        ww_diag__add(
            &c->d, 0, row->line, columns[C_REVIEW_ID].names[0],
            "missing: a WWC study file needs the column ReviewID (or review_id), the study "
            "review id the Findings file uses%s",
            header_has(row, "s_StudyID") ? " (s_StudyID is the study's page id, not the review's)"
                                         : "");
        return c->d.rc < 0 ? c->d.rc : 0;
    }
    return c->d.rc < 0 ? c->d.rc : 1;
}

/* ---- one row ---------------------------------------------------------------------- */

static int study_row(void *ctx, ww_csv_row *row)
{
    studies_ctx *c = ctx;
    const ww_sink *sink = c->sink;
    char *text[N_COLUMNS];
    char q[WW_DIAG_QUOTE_MAX + 4], q2[WW_DIAG_QUOTE_MAX + 4], q3[WW_DIAG_QUOTE_MAX + 4], sv[32],
        pv[32], where[48];
    char *protocol = NULL, *url = NULL;
    const char *key, *pver;
    long line = row->line;
    review *r;
    ww_judgement j;
    int design, error = 0;
    size_t len;

    for (int e = 0; e < N_COLUMNS; e++) {
        text[e] = NULL;
        if (c->column[e] < 0) continue;
        text[e] = ww_csv__trim(row->fields[c->column[e]]);
        if (!*text[e]) text[e] = NULL;
    }
    c->rows++;
    if (!(key = text[C_REVIEW_ID])) {
        ww_diag__note(&c->d, N_SKIPPED, line, name_of(c, C_REVIEW_ID), "empty; row skipped");
        return c->d.rc;
    }
    if (!text[C_DESIGN] && !text[C_RATING]) {
        ww_diag__note(&c->d, N_SKIPPED, line, name_of(c, C_RATING),
                      "ReviewID %s has neither a study rating nor a design; row skipped",
                      quote(q, sizeof q, key));
        return c->d.rc;
    }

    /* Each review once; later rows only checked against the first. */
    if (c->seen.n * 2 >= c->seen.cap && (error = set_grow(&c->seen)) < 0) return c->d.rc = error;
    r = set_slot(&c->seen, key);
    if (r->key) {
        static const enum column compared[] = {C_DESIGN, C_RATING};
        for (size_t i = 0; i < 2; i++) {
            enum column e = compared[i];
            const char *was = e == C_DESIGN ? r->design : r->rating;
            if ((!was && !text[e]) || (was && text[e] && !strcmp(was, text[e]))) continue;
            ww_diag__note(
                &c->d, N_DISAGREE, line, name_of(c, e),
                "ReviewID %s: '%s' here, '%s' on line %ld; the judgement of line %ld is kept",
                quote(q, sizeof q, key), quote(q2, sizeof q2, text[e]), quote(q3, sizeof q3, was),
                r->line, r->line);
        }
        return c->d.rc;
    }
    if (!(r->key = ww_arena__strdup(c->t.arena, key)) ||
        (text[C_DESIGN] && !(r->design = ww_arena__strdup(c->t.arena, text[C_DESIGN]))) ||
        (text[C_RATING] && !(r->rating = ww_arena__strdup(c->t.arena, text[C_RATING])))) {
        r->key = NULL;
        return c->d.rc = ww__error_oom();
    }
    r->line = line;
    c->seen.n++;

    design = WW_DESIGN_UNKNOWN;
    if (text[C_DESIGN] && (design = design_of(text[C_DESIGN])) < 0) {
        design = WW_DESIGN_UNKNOWN;
        ww_diag__note(&c->d, N_DESIGN, line, name_of(c, C_DESIGN),
                      "'%s' is not a WWC design (RCT, QED, RDD, SCD); ReviewID %s's design is left "
                      "unknown",
                      quote(q, sizeof q, text[C_DESIGN]), quote(q2, sizeof q2, key));
    }
    if (c->d.rc < 0) return c->d.rc;
    c->emitted++;
    if (!sink || !sink->judgement) return 0;

    memset(&j, 0, sizeof j);
    j.scope = WW_JUDGEMENT_STUDY;
    j.body = "WWC";
    j.identity_ns = "wwc";
    j.key = key;
    j.design = (ww_design)design;
    j.design_text = text[C_DESIGN];
    j.rating = text[C_RATING];
    j.reason = text[C_REASON];
    j.standards = version_text(sv, sizeof sv, text[C_STANDARDS]);
    pver = version_text(pv, sizeof pv, text[C_PROTOCOL_VERSION]);
    if (text[C_PROTOCOL] || pver) {
        len = (text[C_PROTOCOL] ? strlen(text[C_PROTOCOL]) : 0) + (pver ? strlen(pver) : 0) + 16;
        if (!(protocol = malloc(len))) return c->d.rc = ww__error_oom();
        if (text[C_PROTOCOL] && pver)
            snprintf(protocol, len, "%s (version %s)", text[C_PROTOCOL], pver);
        else if (text[C_PROTOCOL])
            snprintf(protocol, len, "%s", text[C_PROTOCOL]);
        else
            snprintf(protocol, len, "version %s", pver);
    }
    j.protocol = protocol;
    if (text[C_URL] && text[C_URL][0] == '/') {
        len = strlen(WWC_SITE) + strlen(text[C_URL]) + 1;
        if (!(url = malloc(len))) {
            free(protocol);
            return c->d.rc = ww__error_oom();
        }
        snprintf(url, len, "%s%s", WWC_SITE, text[C_URL]);
        j.url = url;
    } else {
        j.url = text[C_URL];
    }
    j.n_studies = -1;
    j.n_eligible = -1;
    snprintf(where, sizeof where, "line %ld", line);
    j.where = where;
    j.line = line;
    error = sink->judgement(sink->ctx, &j);
    free(url);
    free(protocol);
    return error;
}

/* ---- the importer --------------------------------------------------------------- */

static void summarise(void *ctx)
{
    studies_ctx *c = ctx;
    ww_diag__summarise(&c->d, note_what, N_NOTE_KINDS);
}

static int studies_parse(const ww_input *in, ww_diags *diags, const ww_sink *sink)
{
    studies_ctx c;
    int error;

    memset(&c, 0, sizeof c);
    c.d.name = in->name;
    c.d.diags = diags;
    c.d.list_max = STUDIES_LIST_MAX;
    c.sink = sink;
    c.t.columns = columns;
    c.t.n_columns = N_COLUMNS;
    c.t.column = c.column;
    c.t.field_max = STUDIES_FIELD_MAX;
    c.t.field_max_text = "1 MiB";
    c.t.malformed_max = STUDIES_MALFORMED_MAX;
    c.t.malformed_kind = N_MALFORMED;
    c.t.exports = "WWC exports";
    c.t.what = "a WWC study CSV file";
    c.t.on_header = read_header;
    c.t.on_row = study_row;
    c.t.on_end = summarise;
    c.t.ctx = &c;
    error = ww_csv__read_table(&c.t, in->data, in->size, &c.d);
    free(c.seen.slot);
    ww_arena__free(c.t.arena);
    return error;
}

/* ---- sniffing --------------------------------------------------------------------- */

typedef struct sniff_state {
    int review_id, judged;
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
    if (is_one_of(name, C_REVIEW_ID)) st->review_id = 1;
    if (is_one_of(name, C_RATING) || is_one_of(name, C_DESIGN)) st->judged = 1;
}

/* A study file names a review and a study rating or design. That scores
 * 95, above the findings importer's 90: the Wolf file also carries finding
 * columns (f_findingid, f_effect_size_wwc), but they are copies of the
 * Findings file's, rounded by Stata, and what only it gives is the review's
 * rating. A merged export keyed by s_StudyID alone (no ReviewID) is first a
 * findings file; its study columns score 30, so this importer's clear
 * message about ReviewID shows only when nothing else claims the file. */
static int studies_sniff(const ww_input *in)
{
    sniff_state st = {0, 0};
    if (!in->data || in->size == 0) return 0;
    ww_csv__sniff_header(in->data, in->size, STUDIES_SNIFF_WINDOW, sniff_name, &st);
    if (st.judged) return st.review_id ? 95 : 30;
    return 0;
}

const ww_importer ww_importer_wwc_studies = {
    "wwc-studies",
    "What Works Clearinghouse study reviews' design and rating (Studies file, Wolf 2021 file)",
    studies_sniff,
    studies_parse,
};
