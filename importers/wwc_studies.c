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
#include <stdarg.h>
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
    const ww_input *in;
    ww_diags *diags;
    int rc;                /* sticky: the first negative code */
    ww_arena *arena;       /* header names, review keys */
    int column[N_COLUMNS]; /* header field of each column, -1 when absent */
    const char **header;
    size_t n_header;
    size_t noted[N_NOTE_KINDS];
    size_t malformed, rows, emitted;
    review_set seen;
} studies_ctx;

static void diag(studies_ctx *c, int is_warning, long line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void diag(studies_ctx *c, int is_warning, long line, const char *field, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    if (c->rc < 0) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (ww_diags__add(c->diags, is_warning, c->in->name, line, field, "%s", msg) < 0)
        c->rc = WW_ENOMEM;
}

static void note(studies_ctx *c, enum note_kind kind, long line, const char *field, const char *fmt,
                 ...) __attribute__((format(printf, 5, 6)));

static void note(studies_ctx *c, enum note_kind kind, long line, const char *field, const char *fmt,
                 ...)
{
    char msg[1024];
    va_list ap;
    if (++c->noted[kind] > STUDIES_LIST_MAX) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag(c, 1, line, field, "%s", msg);
}

/* Longest user value quoted back in a message, in bytes. */
#define QUOTE_MAX 60

/* At most QUOTE_MAX bytes of s, cut on a character boundary, "..." when cut. */
static const char *quote(char *buf, size_t n, const char *s)
{
    size_t len;
    if (!s) return "(empty)";
    len = strlen(s);
    if (n < QUOTE_MAX + 4) return "";
    if (len <= QUOTE_MAX) {
        memcpy(buf, s, len + 1);
        return buf;
    }
    len = QUOTE_MAX;
    while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) len--;
    memcpy(buf, s, len);
    memcpy(buf + len, "...", 4);
    return buf;
}

static const char *name_of(const studies_ctx *c, enum column e)
{
    return c->column[e] >= 0 ? c->header[c->column[e]] : columns[e].names[0];
}

static const char *field_name(const studies_ctx *c, size_t f)
{
    return f < c->n_header ? c->header[f] : NULL;
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
static int read_header(studies_ctx *c, ww_csv_row *row)
{
    int *entry;
    c->n_header = row->n_fields;
    if (!(c->header = ww_arena__alloc(c->arena, row->n_fields * sizeof *c->header)) ||
        !(entry = malloc(row->n_fields * sizeof *entry)))
        return c->rc = ww__error_oom();
    for (size_t f = 0; f < row->n_fields; f++) {
        ww_csv__trim(row->fields[f]);
        if (!(c->header[f] = ww_arena__strdup(c->arena, row->fields[f]))) {
            free(entry);
            return c->rc = ww__error_oom();
        }
    }
    ww_csv__map_header(row, columns, N_COLUMNS, c->column, entry);
    for (size_t f = 0; f < row->n_fields; f++)
        if (entry[f] == WW_CSV_DUPLICATE)
            diag(c, 1, row->line, c->header[f],
                 "appears more than once in the header; the first is used");
    free(entry);

    if (c->column[C_DESIGN] < 0 && c->column[C_RATING] < 0) {
        diag(c, 0, row->line, columns[C_RATING].names[0],
             "not a WWC study file: the header has neither Study_Rating nor Study_Design (or "
             "their s_ spellings)%s",
             other_wwc_file(row));
        return c->rc < 0 ? c->rc : 0;
    }
    if (c->column[C_REVIEW_ID] < 0) {
        diag(c, 0, row->line, columns[C_REVIEW_ID].names[0],
             "missing: a WWC study file needs the column ReviewID (or review_id), the study "
             "review id the Findings file uses%s",
             header_has(row, "s_StudyID") ? " (s_StudyID is the study's page id, not the review's)"
                                          : "");
        return c->rc < 0 ? c->rc : 0;
    }
    return c->rc < 0 ? c->rc : 1;
}

/* ---- one row ---------------------------------------------------------------------- */

static int study_row(studies_ctx *c, ww_csv_row *row, const ww_sink *sink)
{
    char *text[N_COLUMNS];
    char q[QUOTE_MAX + 4], q2[QUOTE_MAX + 4], q3[QUOTE_MAX + 4], sv[32], pv[32], where[48];
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
        note(c, N_SKIPPED, line, name_of(c, C_REVIEW_ID), "empty; row skipped");
        return c->rc;
    }
    if (!text[C_DESIGN] && !text[C_RATING]) {
        note(c, N_SKIPPED, line, name_of(c, C_RATING),
             "ReviewID %s has neither a study rating nor a design; row skipped",
             quote(q, sizeof q, key));
        return c->rc;
    }

    /* Each review once; later rows only checked against the first. */
    if (c->seen.n * 2 >= c->seen.cap && (error = set_grow(&c->seen)) < 0) return c->rc = error;
    r = set_slot(&c->seen, key);
    if (r->key) {
        static const enum column compared[] = {C_DESIGN, C_RATING};
        for (size_t i = 0; i < 2; i++) {
            enum column e = compared[i];
            const char *was = e == C_DESIGN ? r->design : r->rating;
            if ((!was && !text[e]) || (was && text[e] && !strcmp(was, text[e]))) continue;
            note(c, N_DISAGREE, line, name_of(c, e),
                 "ReviewID %s: '%s' here, '%s' on line %ld; the judgement of line %ld is kept",
                 quote(q, sizeof q, key), quote(q2, sizeof q2, text[e]), quote(q3, sizeof q3, was),
                 r->line, r->line);
        }
        return c->rc;
    }
    if (!(r->key = ww_arena__strdup(c->arena, key)) ||
        (text[C_DESIGN] && !(r->design = ww_arena__strdup(c->arena, text[C_DESIGN]))) ||
        (text[C_RATING] && !(r->rating = ww_arena__strdup(c->arena, text[C_RATING])))) {
        r->key = NULL;
        return c->rc = ww__error_oom();
    }
    r->line = line;
    c->seen.n++;

    design = WW_DESIGN_UNKNOWN;
    if (text[C_DESIGN] && (design = design_of(text[C_DESIGN])) < 0) {
        design = WW_DESIGN_UNKNOWN;
        note(c, N_DESIGN, line, name_of(c, C_DESIGN),
             "'%s' is not a WWC design (RCT, QED, RDD, SCD); ReviewID %s's design is left "
             "unknown",
             quote(q, sizeof q, text[C_DESIGN]), quote(q2, sizeof q2, key));
    }
    if (c->rc < 0) return c->rc;
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
        if (!(protocol = malloc(len))) return c->rc = ww__error_oom();
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
            return c->rc = ww__error_oom();
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

static void summarise(studies_ctx *c)
{
    for (int k = 0; k < N_NOTE_KINDS; k++) {
        if (c->noted[k] <= STUDIES_LIST_MAX) continue;
        diag(c, 1, 0, NULL, "%zu %s in all; the first %d are listed above", c->noted[k],
             note_what[k], STUDIES_LIST_MAX);
    }
}

static int studies_parse(const ww_input *in, ww_diags *diags, const ww_sink *sink)
{
    studies_ctx c;
    ww_csv *r = NULL;
    ww_csv_row row;
    long bad_line;
    int error = 0, got;

    memset(&c, 0, sizeof c);
    c.in = in;
    c.diags = diags;

    if (!in->data || ww_csv__blank(in->data, in->size)) {
        diag(&c, 0, 0, NULL, "the file is empty");
        goto done;
    }
    if ((bad_line = ww_csv__bad_utf8_line(in->data, in->size)) > 0) {
        diag(&c, 0, bad_line, "encoding",
             "this line is not valid UTF-8 (WWC exports are UTF-8; a file re-saved by Excel "
             "as Latin-1 or Windows-1252 must be exported again as UTF-8)");
        goto done;
    }
    if ((error = ww_arena__new(&c.arena)) < 0 ||
        (error = ww_csv__open(&r, in->data, in->size, STUDIES_FIELD_MAX)) < 0)
        goto done;
    if ((got = ww_csv__next(r, &row)) < 0) {
        error = got;
        goto done;
    }
    if (got == 0 || row.status != WW_CSV_ROW) {
        diag(&c, 0, got ? row.line : 0, NULL, "the header row is not valid CSV: %s",
             !got                            ? "there is none"
             : row.status == WW_CSV_TOO_LONG ? "a field is longer than 1 MiB"
                                             : row.problem);
        goto done;
    }
    if ((got = read_header(&c, &row)) <= 0) {
        error = got;
        goto done;
    }

    while (c.rc == 0 && (got = ww_csv__next(r, &row)) == 1) {
        if (row.status == WW_CSV_ROW && row.n_fields != c.n_header) {
            c.malformed++;
            note(&c, N_MALFORMED, row.line, NULL, "row skipped: it has %zu fields, the header %zu",
                 row.n_fields, c.n_header);
            ww_csv__resync(r);
        } else if (row.status == WW_CSV_MALFORMED) {
            c.malformed++;
            note(&c, N_MALFORMED, row.line, field_name(&c, row.bad_field), "row skipped: %s",
                 row.problem);
        } else if (row.status == WW_CSV_TOO_LONG) {
            diag(&c, 0, row.line, field_name(&c, row.bad_field),
                 "a field longer than 1 MiB (the limit for one field); the file is refused");
        } else if ((error = study_row(&c, &row, sink)) < 0) {
            goto done;
        }
        if (c.malformed > STUDIES_MALFORMED_MAX) {
            diag(&c, 0, row.line, NULL,
                 "more than %d malformed rows: reading stopped here (is this a WWC study CSV "
                 "file?)",
                 STUDIES_MALFORMED_MAX);
            break;
        }
    }
    if (got < 0) {
        error = got;
        goto done;
    }
    summarise(&c);

done:
    ww_csv__free(r);
    free(c.seen.slot);
    ww_arena__free(c.arena);
    if (error == 0 && c.rc < 0) error = c.rc;
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
