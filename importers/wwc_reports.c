/*
 * wwc_reports.c — the importer for What Works Clearinghouse (WWC)
 * intervention reports: the effectiveness rating WWC published for an
 * intervention in one outcome domain ("Positive Effects", "No Discernible
 * Effects", ...), with the number of studies that met standards, handed to
 * the sink as WW_JUDGEMENT_INTERVENTION judgements (body "WWC", key the
 * InterventionID, the id the Findings file gives each finding's
 * intervention). It is the Intervention Reports file of the "data from
 * individual studies" download (wwc_InterventionReports.csv), one row per
 * intervention, protocol and outcome domain; columns are found by name, the
 * merged file's i_ spellings too.
 *
 * Rows without a published rating (Effectiveness_Rating empty or "N/A":
 * reports of interventions with no study meeting standards, or domains WWC
 * did not rate) are counted and summarised in one warning, not emitted.
 * One intervention can be rated in one domain by reports under different
 * protocols (Beginning Reading and Adolescent Literacy, say): each such row
 * is a judgement of its own and is emitted, with a warning naming both
 * lines and whether the ratings agree; a row repeating the intervention,
 * domain and protocol version of an earlier row is the same report twice
 * and only the first is emitted.
 *
 * On the April 2020 file (tests/test_wwc_judgements.c): 811 rows, 404 rated
 * and emitted (166 interventions), 407 unrated (405 empty, 2 "N/A"); 23 rows
 * rate an intervention in a domain an earlier row rates under another
 * protocol (7 with the same rating, 16 with a different one), none repeats
 * a report.
 *
 * Refused outright (errors): a non-UTF-8 file, a header without
 * InterventionID, Effectiveness_Rating or Outcome_Domain, a field over
 * 1 MiB, more than 200 malformed rows. Malformed rows are warnings with
 * their line and are skipped.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv_util.h"
#include "importers.h"

#define REPORTS_FIELD_MAX ((size_t)1024 * 1024)
#define REPORTS_MALFORMED_MAX 200
#define REPORTS_LIST_MAX 100
#define REPORTS_SNIFF_WINDOW 65536
/* Where WWC's relative page links ("/intervention/211") live. */
#define WWC_SITE "https://ies.ed.gov/ncee/wwc"

/* ---- the columns ---------------------------------------------------------- */

enum column {
    C_INTERVENTION_ID,
    C_NAME,
    C_PROTOCOL,
    C_PROTOCOL_VERSION,
    C_DOMAIN,
    C_N_STUDIES,
    C_N_ELIGIBLE,
    C_URL,
    C_RATING,
    N_COLUMNS
};

/* Individual-file name first, then the merged file's (wwc_ReviewDictionary
 * .csv, "Intervention Reports"). */
static const ww_csv_column columns[N_COLUMNS] = {
    [C_INTERVENTION_ID] = {{"InterventionID", "i_InterventionID"}},
    [C_NAME] = {{"Intervention_Name", "i_Intervention_Name"}},
    [C_PROTOCOL] = {{"Protocol", "i_Protocol"}},
    [C_PROTOCOL_VERSION] = {{"Protocol_Version", "i_Protocol_Version"}},
    [C_DOMAIN] = {{"Outcome_Domain", "i_Outcome_Domain"}},
    [C_N_STUDIES] = {{"NumStudiesMeetingStandards", "i_NumStudiesMeetingStandards"}},
    [C_N_ELIGIBLE] = {{"NumStudiesEligible", "i_NumStudiesEligible"}},
    [C_URL] = {{"Intervention_Page_URL", "i_Intervention_Page_URL"}},
    [C_RATING] = {{"Effectiveness_Rating", "i_Effectiveness_Rating"}},
};

/* Columns the file must have: they say whose rating it is, and where. */
static const enum column required[] = {C_INTERVENTION_ID, C_RATING, C_DOMAIN};

/* ---- the (intervention, domain) pairs seen so far ------------------------- */

typedef struct rated {
    const char *key;               /* "<InterventionID>\x1f<domain>", in the arena */
    const char *rating, *protocol; /* protocol with its version; may be NULL */
    long line;
} rated;

typedef struct rated_set {
    rated *slot;
    size_t n, cap; /* cap a power of two, or 0 */
} rated_set;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static rated *set_slot(rated_set *set, const char *key)
{
    size_t i = (size_t)hash_str(key) & (set->cap - 1);
    while (set->slot[i].key && strcmp(set->slot[i].key, key) != 0) i = (i + 1) & (set->cap - 1);
    return &set->slot[i];
}

static int set_grow(rated_set *set)
{
    rated_set bigger = {NULL, set->n, set->cap ? 2 * set->cap : 256};
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
    N_SKIPPED,   /* a rating without its intervention or domain */
    N_BAD_COUNT, /* a study count that is not a whole number */
    N_DUPLICATE, /* an intervention and domain rated on an earlier row */
    N_NOTE_KINDS
};

static const char *const note_what[N_NOTE_KINDS] = {
    "malformed rows",
    "rated rows skipped",
    "unusable study counts",
    "repeated intervention and domain pairs",
};

typedef struct reports_ctx {
    ww_diag_ctx d;
    ww_csv_table t; /* t.arena: header names, pairs seen */
    const ww_sink *sink;
    int column[N_COLUMNS];
    size_t emitted, unrated_empty, unrated_na;
    size_t repeated_same, repeated_other, same_report;
    rated_set seen;
} reports_ctx;

/* User text for a message; "(none)" when there is none. */
static const char *quote(char *buf, size_t n, const char *s)
{
    return s ? ww_diag__quote(buf, n, s) : "(none)";
}

static const char *name_of(const reports_ctx *c, enum column e)
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

static const char *other_wwc_file(const ww_csv_row *row)
{
    if (header_has(row, "Study_Rating") || header_has(row, "s_Study_Rating") ||
        header_has(row, "Study_Design"))
        return "; this looks like a WWC study file (--format wwc-studies)";
    if (header_has(row, "FindingID") || header_has(row, "f_FindingID"))
        return "; this looks like the WWC Findings file (--format wwc-findings)";
    return "";
}

static int read_header(void *ctx, const ww_csv_row *row)
{
    reports_ctx *c = ctx;
    int ok = 1;

    if (c->column[C_RATING] < 0) {
        ww_diag__add(
            &c->d, 0, row->line, columns[C_RATING].names[0],
            "not a WWC Intervention Reports file: the header has no Effectiveness_Rating (or "
            "i_Effectiveness_Rating) column%s",
            other_wwc_file(row));
        return c->d.rc < 0 ? c->d.rc : 0;
    }
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        enum column e = required[i];
        if (c->column[e] >= 0) continue;
        ww_diag__add(&c->d, 0, row->line, columns[e].names[0],
                     "missing: a WWC Intervention Reports file needs the column %s (or %s)",
                     columns[e].names[0], columns[e].names[1]);
        ok = 0;
    }
    return c->d.rc < 0 ? c->d.rc : ok;
}

/* ---- one row ---------------------------------------------------------------------- */

/* A study count: a whole number >= 0 ("4", or "4.0" as WWC types it float);
 * -1 when empty or unusable (with a warning). */
static long count_of(reports_ctx *c, const char *s, long line, enum column e)
{
    char q[WW_DIAG_QUOTE_MAX + 4];
    double v;
    if (!s) return -1;
    if (ww__parse_double(&v, s) == 0 && v >= 0 && v <= 1e9 && v == floor(v)) return (long)v;
    ww_diag__note(&c->d, N_BAD_COUNT, line, name_of(c, e),
                  "'%s' is not a whole number of at least 0; treated as not given",
                  quote(q, sizeof q, s));
    return -1;
}

/* s1 + s2 + s3 in one malloc'd string; NULL on OOM. */
static char *concat3(const char *s1, const char *s2, const char *s3)
{
    size_t n1 = strlen(s1), n2 = strlen(s2), n3 = strlen(s3);
    char *s = malloc(n1 + n2 + n3 + 1);
    if (!s) return NULL;
    memcpy(s, s1, n1);
    memcpy(s + n1, s2, n2);
    memcpy(s + n1 + n2, s3, n3 + 1);
    return s;
}

static int report_row(void *ctx, ww_csv_row *row)
{
    reports_ctx *c = ctx;
    const ww_sink *sink = c->sink;
    char *text[N_COLUMNS];
    char q[WW_DIAG_QUOTE_MAX + 4], q2[WW_DIAG_QUOTE_MAX + 4], q3[WW_DIAG_QUOTE_MAX + 4],
        q4[WW_DIAG_QUOTE_MAX + 4], q5[WW_DIAG_QUOTE_MAX + 4], q6[WW_DIAG_QUOTE_MAX + 4], where[48];
    char *protocol = NULL, *url = NULL, *key = NULL;
    long line = row->line, n_studies, n_eligible;
    rated *r;
    ww_judgement j;
    int error = 0;

    for (int e = 0; e < N_COLUMNS; e++) {
        text[e] = NULL;
        if (c->column[e] < 0) continue;
        text[e] = ww_csv__trim(row->fields[c->column[e]]);
        if (!*text[e]) text[e] = NULL;
    }
    if (!text[C_RATING]) {
        c->unrated_empty++;
        return c->d.rc;
    }
    if (!strcasecmp(text[C_RATING], "N/A")) {
        c->unrated_na++;
        return c->d.rc;
    }
    if (!text[C_INTERVENTION_ID] || !text[C_DOMAIN]) {
        enum column e = text[C_INTERVENTION_ID] ? C_DOMAIN : C_INTERVENTION_ID;
        ww_diag__note(&c->d, N_SKIPPED, line, name_of(c, e),
                      "empty beside the rating '%s'; row skipped",
                      quote(q, sizeof q, text[C_RATING]));
        return c->d.rc;
    }
    n_studies = count_of(c, text[C_N_STUDIES], line, C_N_STUDIES);
    n_eligible = count_of(c, text[C_N_ELIGIBLE], line, C_N_ELIGIBLE);

    /* The protocol and its version, as one text: the report's identity
     * beside the intervention and the domain. */
    if (text[C_PROTOCOL] && text[C_PROTOCOL_VERSION]) {
        char *head = concat3(text[C_PROTOCOL], " (version ", text[C_PROTOCOL_VERSION]);
        protocol = head ? concat3(head, ")", "") : NULL;
        free(head);
    } else if (text[C_PROTOCOL] || text[C_PROTOCOL_VERSION]) {
        protocol = text[C_PROTOCOL] ? concat3(text[C_PROTOCOL], "", "")
                                    : concat3("version ", text[C_PROTOCOL_VERSION], "");
    }
    if ((text[C_PROTOCOL] || text[C_PROTOCOL_VERSION]) && !protocol) goto oom;
    if (!(key = concat3(text[C_INTERVENTION_ID], "\x1f", text[C_DOMAIN]))) goto oom;

    if (c->seen.n * 2 >= c->seen.cap && (error = set_grow(&c->seen)) < 0) goto oom;
    r = set_slot(&c->seen, key);
    if (r->key) {
        int same_rating = !strcmp(r->rating, text[C_RATING]);
        int same_report = (!r->protocol && !protocol) ||
                          (r->protocol && protocol && !strcmp(r->protocol, protocol));
        if (same_report) {
            c->same_report++;
            ww_diag__note(
                &c->d, N_DUPLICATE, line, name_of(c, C_DOMAIN),
                "InterventionID %s in '%s' under %s is also rated on line %ld ('%s' there, "
                "'%s' here): the same report twice; this row is not imported",
                quote(q, sizeof q, text[C_INTERVENTION_ID]), quote(q2, sizeof q2, text[C_DOMAIN]),
                quote(q3, sizeof q3, protocol), r->line, quote(q5, sizeof q5, r->rating),
                quote(q6, sizeof q6, text[C_RATING]));
            goto done;
        }
        if (same_rating)
            c->repeated_same++;
        else
            c->repeated_other++;
        ww_diag__note(
            &c->d, N_DUPLICATE, line, name_of(c, C_DOMAIN),
            "InterventionID %s in '%s' is also rated on line %ld: '%s' there under %s, '%s' "
            "here under %s; both are kept, as reports under different protocols",
            quote(q, sizeof q, text[C_INTERVENTION_ID]), quote(q2, sizeof q2, text[C_DOMAIN]),
            r->line, quote(q5, sizeof q5, r->rating), quote(q3, sizeof q3, r->protocol),
            quote(q6, sizeof q6, text[C_RATING]), quote(q4, sizeof q4, protocol));
    } else {
        if (!(r->key = ww_arena__strdup(c->t.arena, key)) ||
            !(r->rating = ww_arena__strdup(c->t.arena, text[C_RATING])) ||
            (protocol && !(r->protocol = ww_arena__strdup(c->t.arena, protocol)))) {
            r->key = NULL;
            goto oom;
        }
        r->line = line;
        c->seen.n++;
    }
    if (c->d.rc < 0) goto done;
    c->emitted++;
    if (!sink || !sink->judgement) goto done;

    memset(&j, 0, sizeof j);
    j.scope = WW_JUDGEMENT_INTERVENTION;
    j.body = "WWC";
    j.identity_ns = "wwc";
    j.key = text[C_INTERVENTION_ID];
    j.intervention_name = text[C_NAME];
    j.domain = text[C_DOMAIN];
    j.design = WW_DESIGN_UNKNOWN;
    j.rating = text[C_RATING];
    j.protocol = protocol;
    j.n_studies = n_studies;
    j.n_eligible = n_eligible;
    if (text[C_URL] && text[C_URL][0] == '/') {
        if (!(url = concat3(WWC_SITE, text[C_URL], ""))) goto oom;
        j.url = url;
    } else {
        j.url = text[C_URL];
    }
    snprintf(where, sizeof where, "line %ld", line);
    j.where = where;
    j.line = line;
    error = sink->judgement(sink->ctx, &j);
    goto done;

oom:
    c->d.rc = ww__error_oom();
done:
    free(url);
    free(key);
    free(protocol);
    return c->d.rc < 0 ? c->d.rc : error;
}

/* ---- the importer --------------------------------------------------------------- */

static void summarise(void *ctx)
{
    reports_ctx *c = ctx;
    size_t unrated = c->unrated_empty + c->unrated_na;
    size_t repeated = c->repeated_same + c->repeated_other;
    ww_diag__summarise(&c->d, note_what, N_NOTE_KINDS);
    if (unrated)
        ww_diag__add(
            &c->d, 1, 0, name_of(c, C_RATING),
            "%zu row%s without a published effectiveness rating (%zu empty, %zu N/A) %s not "
            "imported",
            unrated, unrated == 1 ? "" : "s", c->unrated_empty, c->unrated_na,
            unrated == 1 ? "is" : "are");
    if (repeated)
        ww_diag__add(
            &c->d, 1, 0, name_of(c, C_DOMAIN),
            "%zu row%s rate an intervention in a domain an earlier row rates under another "
            "protocol (%zu with the same rating, %zu with a different one)",
            repeated, repeated == 1 ? "" : "s", c->repeated_same, c->repeated_other);
}

static int reports_parse(const ww_input *in, ww_diags *diags, const ww_sink *sink)
{
    reports_ctx c;
    int error;

    memset(&c, 0, sizeof c);
    c.d.name = in->name;
    c.d.diags = diags;
    c.d.list_max = REPORTS_LIST_MAX;
    c.sink = sink;
    c.t.columns = columns;
    c.t.n_columns = N_COLUMNS;
    c.t.column = c.column;
    c.t.field_max = REPORTS_FIELD_MAX;
    c.t.field_max_text = "1 MiB";
    c.t.malformed_max = REPORTS_MALFORMED_MAX;
    c.t.malformed_kind = N_MALFORMED;
    c.t.exports = "WWC exports";
    c.t.what = "a WWC Intervention Reports CSV file";
    c.t.on_header = read_header;
    c.t.on_row = report_row;
    c.t.on_end = summarise;
    c.t.ctx = &c;
    error = ww_csv__read_table(&c.t, in->data, in->size, &c.d);
    free(c.seen.slot);
    ww_arena__free(c.t.arena);
    return error;
}

/* ---- sniffing --------------------------------------------------------------------- */

typedef struct sniff_state {
    int intervention_id, rating, finding_id;
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
    if (is_one_of(name, C_INTERVENTION_ID)) st->intervention_id = 1;
    if (is_one_of(name, C_RATING)) st->rating = 1;
    if (!strcasecmp(name, "FindingID") || !strcasecmp(name, "f_FindingID")) st->finding_id = 1;
}

/* An Intervention Reports header names InterventionID and
 * Effectiveness_Rating: 90. A merged export has both too, but one row per
 * finding: with a FindingID it is first a findings file, and this scores 40,
 * under the findings importer's 90. */
static int reports_sniff(const ww_input *in)
{
    sniff_state st = {0, 0, 0};
    if (!in->data || in->size == 0) return 0;
    ww_csv__sniff_header(in->data, in->size, REPORTS_SNIFF_WINDOW, sniff_name, &st);
    if (!st.rating) return 0;
    if (!st.intervention_id) return 30;
    return st.finding_id ? 40 : 90;
}

const ww_importer ww_importer_wwc_reports = {
    "wwc-intervention-reports",
    "What Works Clearinghouse intervention reports' effectiveness ratings by outcome domain",
    reports_sniff,
    reports_parse,
};
