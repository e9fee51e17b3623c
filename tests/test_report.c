/*
 * test_report.c — importers/report.c, evaluation reports as HTML or plain
 * text. Outside truth: statcheck's four HTML test papers
 * (../shared/data/stat-extraction/statcheck_Paper*.htm, Word-generated,
 * windows-1252 declared) and the results hand-coded from them in
 * statcheck_manually_extracted_stats_testpapers.csv, with statcheck's
 * verdict on each p-value: the importer's text is scored against them and
 * the figures are asserted and printed. Then our own fixtures
 * (tests/fixtures/report/) field by field, and bad input: empty, not
 * UTF-8, a 10 MB line, deep nesting, a file over the size limit, inputs
 * built to make regular expressions backtrack.
 */
#include "helpers.h"

#include <csv.h>

#include "../importers/extract.h"
#include "../importers/importers.h"

/* ---- a sink that keeps what it is given ------------------------------------ */

typedef struct kept_outcome {
    char name[256], metric[8], where[32];
    int kind, extracted;
    double estimate, lo, hi, confidence;
    long offset, length, line;
} kept_outcome;

typedef struct kept {
    size_t records, texts;
    char title[256], name[256], text_title[256];
    char *notes, *body;
    int design, provisional;
    double cost;
    int cost_year;
    size_t n_outcomes;
    kept_outcome o[16];
    int fail_record, fail_text; /* return WW_EIO from that callback */
} kept;

static char *dup_or_null(const char *s)
{
    char *d;
    if (!s) return NULL;
    d = strdup(s);
    assert_non_null(d);
    return d;
}

static int keep_record(void *ctx, const ww_record *r)
{
    kept *k = ctx;
    if (k->fail_record) return WW_EIO;
    k->records++;
    snprintf(k->title, sizeof k->title, "%s", r->title ? r->title : "(null)");
    snprintf(k->name, sizeof k->name, "%s", r->intervention_name ? r->intervention_name : "(null)");
    free(k->notes);
    k->notes = dup_or_null(r->notes);
    k->design = (int)r->design;
    k->provisional = r->provisional;
    k->cost = r->cost_per_participant;
    k->cost_year = r->cost_price_year;
    k->n_outcomes = r->n_outcomes;
    for (size_t i = 0; i < r->n_outcomes && i < 16; i++) {
        const ww_outcome_rec *o = &r->outcomes[i];
        kept_outcome *ko = &k->o[i];
        snprintf(ko->name, sizeof ko->name, "%s", o->name ? o->name : "(null)");
        snprintf(ko->metric, sizeof ko->metric, "%s", o->reported_metric ? o->reported_metric : "");
        snprintf(ko->where, sizeof ko->where, "%s", o->where ? o->where : "");
        ko->kind = (int)o->kind;
        ko->extracted = o->extracted;
        ko->estimate = o->reported_estimate;
        ko->lo = o->reported_ci_low;
        ko->hi = o->reported_ci_high;
        ko->confidence = o->confidence;
        ko->offset = o->text_offset;
        ko->length = o->text_length;
        ko->line = o->line;
    }
    return 0;
}

static int keep_text(void *ctx, const char *title, const char *body)
{
    kept *k = ctx;
    if (k->fail_text) return WW_EIO;
    k->texts++;
    snprintf(k->text_title, sizeof k->text_title, "%s", title ? title : "(null)");
    free(k->body);
    k->body = dup_or_null(body);
    return 0;
}

static void kept_free(kept *k)
{
    free(k->notes);
    free(k->body);
    memset(k, 0, sizeof *k);
}

static unsigned char *slurp(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *data;
    long len;
    if (!fp) {
        print_error("cannot open %s\n", path);
        fail();
    }
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    len = ftell(fp);
    assert_true(len >= 0);
    rewind(fp);
    data = malloc((size_t)len + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)len, fp), (size_t)len);
    data[len] = '\0';
    fclose(fp);
    *size = (size_t)len;
    return data;
}

/* Import bytes into k with a fresh diagnostics list (the caller frees). */
static int import(const char *name, const void *data, size_t size, kept *k, ww_diags **d)
{
    ww_input in = {name, data, size};
    ww_sink sink = {.ctx = k, .record = keep_record, .text = keep_text, .unit_cost = NULL};
    assert_ww_ok(ww_diags__new(d));
    return ww_importer_report.parse(&in, *d, &sink);
}

static int import_file(const char *path, const char *name, kept *k, ww_diags **d)
{
    size_t size;
    unsigned char *data = slurp(path, &size);
    int rc = import(name, data, size, k, d);
    free(data);
    return rc;
}

/* The diagnostic whose message contains `part` (fails when there is none). */
static const ww_diag *find_diag(const ww_diags *d, int is_warning, long line, const char *part)
{
    for (size_t i = 0; i < ww_diags__count(d); i++) {
        const ww_diag *dg = ww_diags__get(d, i);
        if (dg->is_warning == is_warning && (line < 0 || dg->line == line) &&
            strstr(dg->message, part))
            return dg;
    }
    print_error("no %s at line %ld containing \"%s\"; got:\n", is_warning ? "warning" : "error",
                line, part);
    for (size_t i = 0; i < ww_diags__count(d); i++)
        ww_diags__write_one(ww_diags__get(d, i), stderr);
    fail();
    return NULL;
}

static size_t count_diags(const ww_diags *d, const char *part)
{
    size_t n = 0;
    for (size_t i = 0; i < ww_diags__count(d); i++)
        if (strstr(ww_diags__get(d, i)->message, part)) n++;
    return n;
}

/* The characters [offset, offset + length) of UTF-8 text s, into buf. */
static const char *chars(char *buf, size_t size, const char *s, long offset, long length)
{
    const char *p = s, *start;
    long k = 0;
    while (*p && k < offset) {
        p++;
        while ((*p & 0xC0) == 0x80) p++;
        k++;
    }
    start = p;
    for (k = 0; *p && k < length; k++) {
        p++;
        while ((*p & 0xC0) == 0x80) p++;
    }
    snprintf(buf, size, "%.*s", (int)(p - start), start);
    return buf;
}

/* ---- statcheck's test papers ------------------------------------------------ */

typedef struct paper_score {
    size_t gold, tp, fp, cons_compared, cons_agree, warned, errors;
} paper_score;

static paper_score paper_scores[4];
static int papers_done;

static const char *const papers[4] = {
    "stat-extraction/statcheck_Paper1.htm",
    "stat-extraction/statcheck_Paper2.htm",
    "stat-extraction/statcheck_Paper3.htm",
    "stat-extraction/statcheck_Paper4_multiplepages.htm",
};
/* the paper_id of each in the coded file (Paper2 has no results) */
static const char *const paper_ids[4] = {"paper1_html", "paper2_html", "paper3_html",
                                         "paper4_html"};

typedef struct coded {
    char paper[32], type[16];
    double df1, df2, value;
    int error;
} coded;

typedef struct coded_set {
    coded rows[64];
    size_t n, col;
    coded cur;
    int header_done;
} coded_set;

static double num_or_nan(const char *s, size_t len)
{
    char buf[64], *end;
    double v;
    if (!len || len >= sizeof buf) return NAN;
    memcpy(buf, s, len);
    buf[len] = '\0';
    v = strtod(buf, &end);
    return *end ? NAN : v;
}

/* Columns of statcheck_manually_extracted_stats_testpapers.csv: paper_id
 * 0, test_type 10, df1 11, df2 12, test_value 14, error 17. */
static void coded_field(void *s, size_t len, void *data)
{
    coded_set *cs = data;
    const char *f = s;
    if (cs->header_done) {
        switch (cs->col) {
        case 0: snprintf(cs->cur.paper, sizeof cs->cur.paper, "%.*s", (int)len, f); break;
        case 10: snprintf(cs->cur.type, sizeof cs->cur.type, "%.*s", (int)len, f); break;
        case 11: cs->cur.df1 = num_or_nan(f, len); break;
        case 12: cs->cur.df2 = num_or_nan(f, len); break;
        case 14: cs->cur.value = num_or_nan(f, len); break;
        case 17: cs->cur.error = len == 1 ? f[0] - '0' : -1; break;
        }
    } else {
        static const char *const names[] = {[0] = "paper_id", [10] = "test_type",  [11] = "df1",
                                            [12] = "df2",     [14] = "test_value", [17] = "error"};
        if (cs->col < sizeof names / sizeof names[0] && names[cs->col])
            assert_true(len == strlen(names[cs->col]) && !memcmp(f, names[cs->col], len));
    }
    cs->col++;
}

static void coded_row(int c, void *data)
{
    coded_set *cs = data;
    (void)c;
    if (cs->header_done) {
        assert_true(cs->n < 64);
        cs->rows[cs->n++] = cs->cur;
    }
    cs->header_done = 1;
    cs->col = 0;
}

static ww_ptest coded_test(const char *type)
{
    if (!strcmp(type, "t")) return WW_PTEST_T;
    if (!strcmp(type, "F")) return WW_PTEST_F;
    if (!strcmp(type, "r")) return WW_PTEST_R;
    if (!strcmp(type, "Z") || !strcmp(type, "z")) return WW_PTEST_Z;
    if (type[0] == 'Q') return WW_PTEST_Q;
    return WW_PTEST_CHI2;
}

typedef struct paper_hits {
    ww_extract_hit v[32];
    size_t n;
} paper_hits;

static int keep_hit(void *ctx, const ww_extract_hit *h)
{
    paper_hits *ph = ctx;
    if (h->kind == WW_EXTRACT_TEST && ph->n < 32) ph->v[ph->n++] = *h;
    return 0;
}

static int same(double a, double b)
{
    return (isnan(a) && isnan(b)) || fabs(a - b) <= 1e-9 * fmax(1, fabs(b));
}

static void test_report__statcheck_papers(void **state)
{
    char path[1024];
    size_t size;
    unsigned char *data = slurp(
        SHARED_PATH(path, "stat-extraction/statcheck_manually_extracted_stats_testpapers.csv"),
        &size);
    coded_set cs;
    struct csv_parser p;
    (void)state;

    memset(&cs, 0, sizeof cs);
    assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
    csv_set_delim(&p, ';');
    assert_int_equal(csv_parse(&p, data, size, coded_field, coded_row, &cs), size);
    assert_int_equal(csv_fini(&p, coded_field, coded_row, &cs), 0);
    csv_free(&p);
    free(data);
    assert_int_equal(cs.n, 22);
    memset(paper_scores, 0, sizeof paper_scores);

    for (int k = 0; k < 4; k++) {
        kept kp = {0};
        ww_diags *d;
        paper_hits ph = {.n = 0};
        int used[32] = {0};
        paper_score *ps = &paper_scores[k];

        assert_ww_ok(import_file(SHARED_PATH(path, papers[k]), papers[k], &kp, &d));
        assert_int_equal(ww_diags__errors(d), 0);
        assert_int_equal(kp.records, 1);
        assert_int_equal(kp.texts, 1);
        assert_string_equal(kp.title, k == 1 ? "Test paper 2."
                                             : "Test paper to demonstrate statcheck web app.");
        assert_ww_ok(ww_extract__stats(kp.body, strlen(kp.body), keep_hit, &ph, NULL));
        ps->warned = count_diags(d, "the reported p does not fit");

        for (size_t r = 0; r < cs.n; r++) {
            const coded *c = &cs.rows[r];
            const ww_extract_hit *found = NULL;
            /* statcheck keeps t's and r's df in df2, the others' in df1 */
            double df1 = isnan(c->df1) ? c->df2 : c->df1;
            double df2 = coded_test(c->type) == WW_PTEST_F ? c->df2 : NAN;
            if (strcmp(c->paper, paper_ids[k])) continue;
            ps->gold++;
            ps->errors += c->error == 1;
            for (size_t i = 0; i < ph.n && !found; i++) {
                const ww_extract_hit *h = &ph.v[i];
                if (used[i] || h->test != coded_test(c->type) || !same(h->value, c->value) ||
                    !same(h->df1, df1) || !same(h->df2, df2))
                    continue;
                used[i] = 1;
                found = h;
            }
            if (!found) continue;
            ps->tp++;
            if (c->error >= 0 && found->checked) {
                ps->cons_compared++;
                ps->cons_agree += found->check.inconsistent == c->error;
            }
        }
        for (size_t i = 0; i < ph.n; i++) ps->fp += !used[i];
        ww_diags__free(d);
        kept_free(&kp);
    }
    papers_done = 1;

    /* Every coded result found, nothing else, and statcheck's verdict on
     * every p-value matched (a warning for each inconsistent one). */
    {
        static const size_t want[4][3] = {{4, 4, 3}, {0, 0, 0}, {4, 4, 2}, {3, 3, 2}};
        for (int k = 0; k < 4; k++) {
            assert_int_equal(paper_scores[k].gold, want[k][0]);
            assert_int_equal(paper_scores[k].tp, want[k][1]);
            assert_int_equal(paper_scores[k].fp, 0);
            assert_int_equal(paper_scores[k].cons_compared, want[k][1]);
            assert_int_equal(paper_scores[k].cons_agree, want[k][1]);
            assert_int_equal(paper_scores[k].errors, want[k][2]);
            assert_int_equal(paper_scores[k].warned, want[k][2]);
        }
    }
}

/* ---- our fixtures ------------------------------------------------------------- */

static void test_report__html_report(void **state)
{
    kept k = {0};
    ww_diags *d;
    char path[1024], buf[256];
    const ww_diag *dg;
    (void)state;
    assert_ww_ok(import_file(TOP_PATH(path, "tests/fixtures/report/rct.html"), "rct.html", &k, &d));
    assert_int_equal(ww_diags__errors(d), 0);
    assert_int_equal(k.records, 1);
    assert_int_equal(k.texts, 1);

    /* the record */
    assert_string_equal(k.title, "Reading Buddies: an evaluation report");
    assert_string_equal(k.name, k.title);
    assert_string_equal(k.text_title, k.title);
    assert_int_equal(k.design, WW_DESIGN_RANDOMISED);
    assert_int_equal(k.provisional, 1);
    assert_close(k.cost, 420, 1e-12);
    assert_int_equal(k.cost_year, -1);

    /* the text: no script or style, entities decoded, blocks on lines */
    assert_null(strstr(k.body, "9.99"));
    assert_null(strstr(k.body, "9.9 (95%"));
    assert_null(strstr(k.body, "Reading Buddies: an evaluation")); /* the title is not body */
    assert_non_null(strstr(k.body, "Reading Buddies\nReading Buddies pairs older and younger "
                                   "pupils. This was a randomised controlled trial"));
    assert_non_null(strstr(k.body, "p = .04 & p < .05"));
    assert_non_null(strstr(k.body, "Cost\t\xc2\xa3"
                                   "420 per pupil\nReturn\t"));
    assert_non_null(strstr(k.body, "Attainment gap: d = \xe2\x88\x92"
                                   "0.05 (95% CI \xe2\x88\x92"
                                   "0.20 to 0.10)."));

    /* outcomes: d, OR, RR, d (the HR and the 90% interval are not) */
    assert_int_equal(k.n_outcomes, 4);
    {
        static const struct {
            const char *metric;
            double est, lo, hi;
            long line;
            const char *span;
        } want[4] = {
            {"SMD", 0.25, 0.10, 0.40, 15, "d = 0.25 (95% CI 0.10 to 0.40)"},
            {"OR", 0.62, 0.45, 0.85, 16, "OR = 0.62, 95% CI [0.45, 0.85]"},
            {"RR", 0.80, 0.65, 0.98, 16,
             "RR 0.80 (95% CI 0.65\xe2\x80\x93"
             "0.98)"},
            {"SMD", -0.05, -0.20, 0.10, 23,
             "d = \xe2\x88\x92"
             "0.05 (95% CI \xe2\x88\x92"
             "0.20 to 0.10)"},
        };
        for (int i = 0; i < 4; i++) {
            const kept_outcome *o = &k.o[i];
            char where[32];
            assert_string_equal(o->metric, want[i].metric);
            assert_int_equal(o->kind, WW_OUTCOME_REPORTED);
            assert_int_equal(o->extracted, 1);
            assert_close(o->estimate, want[i].est, 1e-12);
            assert_close(o->lo, want[i].lo, 1e-12);
            assert_close(o->hi, want[i].hi, 1e-12);
            assert_close(o->confidence, 0.9, 1e-12);
            assert_int_equal(o->line, want[i].line);
            /* the span, in characters of the indexed text */
            assert_string_equal(chars(buf, sizeof buf, k.body, o->offset, o->length), want[i].span);
            snprintf(where, sizeof where, "offset %ld", o->offset);
            assert_string_equal(o->where, where);
        }
        assert_string_equal(k.o[0].name, "Reading age improved: d = 0.25 (95% CI 0.10 to 0.40)");
    }

    /* t(118) = 2.10 gives p = .038, not .30: a warning with line and span */
    dg = find_diag(d, 1, 15, "\"t(118) = 2.10, p = .30\"");
    assert_string_equal(dg->field, "p-value");
    assert_non_null(strstr(dg->message, "recomputed p = 0.03"));
    assert_non_null(strstr(dg->message, "decision error"));
    assert_int_equal(count_diags(d, "does not fit"), 1); /* F(1, 118) = 4.41, p = .04 fits */
    find_diag(d, 1, 18, "a 90% interval");
    find_diag(d, 1, 0,
              "extracted (provisional): 2 test statistics (2 with a checkable p, 1 "
              "inconsistent, 1 decision errors), 6 effect sizes (6 with a CI, 4 as "
              "outcomes), 1 sample sizes, 1 other p-values, 1 costs per participant, "
              "1 returns per pound, 1 benefit-cost ratios; design: randomised (from "
              "\"randomised controlled trial\")");

    /* the notes keep what has no field of its own */
    assert_non_null(k.notes);
    assert_non_null(strstr(k.notes, "Hazard ratio \"HR = 0.72 (95% CI 0.55 to 0.94)\""));
    assert_non_null(strstr(k.notes, "Return \"\xc2\xa3"
                                    "3.40 for every \xc2\xa3"
                                    "1\": 3.4 per "
                                    "pound spent"));
    assert_non_null(strstr(k.notes, "Benefit-cost ratio \"benefit-cost ratio of 2.4\": 2.4"));
    assert_non_null(strstr(k.notes, "Cost per participant \"\xc2\xa3"
                                    "420 per pupil\" (offset"));
    assert_non_null(strstr(k.notes, "p inconsistent, recomputed 0.03"));
    assert_non_null(strstr(k.notes, "Design cue \"randomised controlled trial\""));
    ww_diags__free(d);
    kept_free(&k);
}

static void test_report__plain_text(void **state)
{
    kept k = {0};
    ww_diags *d;
    char path[1024], buf[128];
    size_t size;
    unsigned char *data = slurp(TOP_PATH(path, "tests/fixtures/report/plain.txt"), &size);
    unsigned char *crlf = malloc(2 * size + 3);
    size_t n = 0;
    (void)state;
    assert_non_null(crlf);

    assert_ww_ok(import("plain.txt", data, size, &k, &d));
    assert_int_equal(ww_diags__errors(d), 0);
    assert_string_equal(k.title, "Mentoring for young people at risk of exclusion");
    assert_int_equal(k.design, WW_DESIGN_BEFORE_AFTER);
    assert_close(k.cost, 650, 1e-12);
    assert_int_equal(k.n_outcomes, 1);
    assert_int_equal(k.o[0].line, 4);
    assert_string_equal(chars(buf, sizeof buf, k.body, k.o[0].offset, k.o[0].length),
                        "d = 0.40 (95% CI 0.15 to 0.65)");
    assert_string_equal(k.body, (const char *)data); /* plain text is indexed as it is */
    ww_diags__free(d);

    /* the same with a BOM and CR LF line ends: same offsets and lines */
    memcpy(crlf, "\xef\xbb\xbf", 3);
    n = 3;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\n') crlf[n++] = '\r';
        crlf[n++] = data[i];
    }
    {
        kept k2 = {0};
        assert_ww_ok(import("plain.txt", crlf, n, &k2, &d));
        assert_int_equal(ww_diags__errors(d), 0);
        assert_string_equal(k2.body, k.body);
        assert_int_equal(k2.o[0].line, 4);
        assert_int_equal(k2.o[0].offset, k.o[0].offset);
        kept_free(&k2);
    }
    ww_diags__free(d);
    kept_free(&k);
    free(crlf);
    free(data);
}

static void test_report__declared_charset(void **state)
{
    kept k = {0};
    ww_diags *d;
    char path[1024];
    (void)state;
    assert_ww_ok(import_file(TOP_PATH(path, "tests/fixtures/report/windows1252.html"),
                             "windows1252.html", &k, &d));
    assert_int_equal(ww_diags__errors(d), 0);
    assert_string_equal(k.title, "Family support \xe2\x80\x93 evaluation");
    assert_close(k.cost, 310, 1e-12);
    assert_non_null(strstr(k.body, "t(40) = \xe2\x80\x93"
                                   "2.50, p = .017"));
    /* t(40) = -2.50 gives p = .0166: consistent, so no warning */
    assert_int_equal(count_diags(d, "does not fit"), 0);
    find_diag(d, 1, 0, "1 test statistics (1 with a checkable p, 0 inconsistent");
    ww_diags__free(d);
    kept_free(&k);
}

static void test_report__no_statistics(void **state)
{
    kept k = {0};
    ww_diags *d;
    const char *text = "Notes from a pilot\n\nStaff said the sessions went well.\n";
    (void)state;
    assert_ww_ok(import("notes.txt", text, strlen(text), &k, &d));
    assert_int_equal(ww_diags__errors(d), 0);
    assert_int_equal(k.records, 1);
    assert_int_equal(k.texts, 1);
    assert_string_equal(k.title, "Notes from a pilot");
    assert_int_equal(k.n_outcomes, 0);
    assert_int_equal(k.design, WW_DESIGN_UNKNOWN);
    assert_true(isnan(k.cost));
    assert_null(k.notes);
    assert_string_equal(k.body, text);
    ww_diags__free(d);
    kept_free(&k);
}

static void test_report__titles(void **state)
{
    kept k = {0};
    ww_diags *d;
    const char *heading = "<html><body><div>\n  </div><h2> The  <em>Family</em>\nNurse "
                          "Partnership </h2><p>Text.</p></body></html>";
    const char *first_line = "<!DOCTYPE html><p>  </p><p>First &amp; foremost</p><p>More</p>";
    const char *no_text = "<html><head><title>T</title><script>t(1) = 2</script></head></html>";
    (void)state;
    assert_ww_ok(import("h.html", heading, strlen(heading), &k, &d));
    assert_string_equal(k.title, "The Family Nurse Partnership");
    assert_string_equal(k.body, "The Family Nurse Partnership\nText.");
    ww_diags__free(d);
    assert_ww_ok(import("f", first_line, strlen(first_line), &k, &d));
    assert_string_equal(k.title, "First & foremost");
    ww_diags__free(d);
    kept_free(&k);
    assert_ww_ok(import("n.html", no_text, strlen(no_text), &k, &d));
    find_diag(d, 0, 0, "the HTML document has no text");
    assert_int_equal(k.records, 0);
    assert_int_equal(k.texts, 0);
    ww_diags__free(d);
    kept_free(&k);
}

static void test_report__negated_design(void **state)
{
    kept k = {0};
    ww_diags *d;
    const char *text = "Pilot\nThis was not a randomised controlled trial but a quasi-experimental "
                       "study; a non-randomised comparison.\nA randomised trial should follow.\n";
    (void)state;
    assert_ww_ok(import("pilot.txt", text, strlen(text), &k, &d));
    /* the last line's cue is still a cue: the strongest un-negated wins */
    assert_int_equal(k.design, WW_DESIGN_RANDOMISED);
    ww_diags__free(d);
    kept_free(&k);
    text = "Pilot\nThis was not a randomised controlled trial but a quasi-experimental study.\n";
    assert_ww_ok(import("pilot.txt", text, strlen(text), &k, &d));
    assert_int_equal(k.design, WW_DESIGN_COMPARISON);
    ww_diags__free(d);
    kept_free(&k);
}

static void test_report__unusable_interval(void **state)
{
    kept k = {0};
    ww_diags *d;
    const char *text = "Trial\nOR = 3.1 (95% CI 1.2 to 2.0) and d = 0.2 (95% CI 0.3 to 0.1).\n";
    (void)state;
    assert_ww_ok(import("t.txt", text, strlen(text), &k, &d));
    assert_int_equal(ww_diags__errors(d), 0);
    assert_int_equal(k.n_outcomes, 0);
    assert_int_equal(count_diags(d, "not used as an outcome"), 2);
    find_diag(d, 1, 2, "\"OR = 3.1 (95% CI 1.2 to 2.0)\" (offset 6): not used as an outcome");
    ww_diags__free(d);
    kept_free(&k);
}

/* ---- bad input ---------------------------------------------------------------- */

static void test_report__empty_and_not_utf8(void **state)
{
    kept k = {0};
    ww_diags *d;
    (void)state;
    assert_ww_ok(import("e.txt", "", 0, &k, &d));
    find_diag(d, 0, 0, "the file is empty");
    ww_diags__free(d);
    assert_ww_ok(import("e.html", "\xef\xbb\xbf \n\t", 6, &k, &d));
    find_diag(d, 0, 0, "the file is empty");
    ww_diags__free(d);
    assert_ww_ok(import("e.txt", "\xef\xbb\xbf \n", 5, &k, &d));
    find_diag(d, 0, 0, "the file is empty");
    ww_diags__free(d);

    assert_ww_ok(import("l.txt",
                        "Report\nline two\nt(20) = \x96"
                        "2.1, p = .05\n",
                        40, &k, &d));
    find_diag(d, 0, 3, "not valid UTF-8");
    assert_int_equal(ww_diags__errors(d), 1);
    ww_diags__free(d);
    assert_ww_ok(import("nul.txt", "Report\n\0 x", 10, &k, &d));
    find_diag(d, 0, 2, "not valid UTF-8");
    ww_diags__free(d);
    /* HTML without a declared charset must be UTF-8 too */
    assert_ww_ok(import("l.html",
                        "<html><body>\n<p>\xa3"
                        "5</p></body></html>",
                        35, &k, &d));
    find_diag(d, 0, 2, "declares no other charset");
    ww_diags__free(d);
    assert_int_equal(k.records, 0);
    kept_free(&k);
}

static void test_report__too_large(void **state)
{
    kept k = {0};
    ww_diags *d;
    size_t size = (size_t)32 * 1024 * 1024 + 1;
    char *big = malloc(size);
    (void)state;
    assert_non_null(big);
    memset(big, 'a', size);
    assert_ww_ok(import("big.txt", big, size, &k, &d));
    find_diag(d, 0, 0, "reports are limited to 32 MiB");
    assert_int_equal(k.records, 0);
    ww_diags__free(d);
    free(big);
}

static char *repeat(const char *head, const char *unit, size_t times, const char *tail, size_t *len)
{
    size_t h = strlen(head), k = strlen(unit), t = strlen(tail);
    char *s = malloc(h + k * times + t + 1);
    assert_non_null(s);
    memcpy(s, head, h);
    for (size_t i = 0; i < times; i++) memcpy(s + h + i * k, unit, k);
    memcpy(s + h + k * times, tail, t + 1);
    *len = h + k * times + t;
    return s;
}

static void test_report__long_line_and_deep_nesting(void **state)
{
    kept k = {0};
    ww_diags *d;
    size_t len;
    char *s;
    (void)state;

    /* a 10 MB line of text with a result at its end */
    s = repeat("Report\n", "pupils read more books and ", 400000, "t(37) = 2.10, p = .40", &len);
    assert_ww_ok(import("long.txt", s, len, &k, &d));
    assert_int_equal(ww_diags__errors(d), 0);
    find_diag(d, 1, 2, "\"t(37) = 2.10, p = .40\"");
    ww_diags__free(d);
    kept_free(&k);
    free(s);

    /* the same as one HTML paragraph */
    s = repeat("<html><body><p>", "pupils read more books and ", 400000,
               "t(37) = 2.10, p = .40</p></body></html>", &len);
    assert_ww_ok(import("long.html", s, len, &k, &d));
    assert_int_equal(ww_diags__errors(d), 0);
    find_diag(d, 1, 1, "\"t(37) = 2.10, p = .40\"");
    ww_diags__free(d);
    kept_free(&k);
    free(s);

    /* 100,000 nested elements: the walk does not recurse */
    s = repeat("<html><body>", "<div>", 100000, "d = 0.2 (95% CI 0.1 to 0.3)", &len);
    assert_ww_ok(import("deep.html", s, len, &k, &d));
    assert_int_equal(ww_diags__errors(d), 0);
    assert_int_equal(k.records, 1);
    ww_diags__free(d);
    kept_free(&k);
    free(s);
}

static void test_report__backtracking_candidates(void **state)
{
    static const char *const units[] = {"t(",
                                        "95% CI [",
                                        "OR = 1.5, 95% CI [",
                                        "F(1, ",
                                        "p = ",
                                        "?2(",
                                        "\xc2\xa3",
                                        "every \xc2\xa3"
                                        "1 spent ",
                                        "d = 0.1 (",
                                        "<p>t(1) = "};
    (void)state;
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        kept k = {0};
        ww_diags *d;
        size_t len;
        char *s = repeat("<html><body>", units[u], 100000, "</body></html>", &len);
        /* it returns: the match limits bound every attempt */
        assert_ww_ok(import("x.html", s, len, &k, &d));
        assert_int_equal(ww_diags__errors(d), 0);
        assert_int_equal(k.records, 1);
        ww_diags__free(d);
        kept_free(&k);
        free(s);
    }
}

static void test_report__sink_stop(void **state)
{
    kept k = {0};
    ww_diags *d;
    const char *text = "Report\nd = 0.2 (95% CI 0.1 to 0.3)\n";
    (void)state;
    k.fail_record = 1;
    assert_int_equal(import("r.txt", text, strlen(text), &k, &d), WW_EIO);
    ww_diags__free(d);
    kept_free(&k);
    k.fail_text = 1;
    assert_int_equal(import("r.txt", text, strlen(text), &k, &d), WW_EIO);
    assert_int_equal(k.records, 0);
    ww_diags__free(d);
    kept_free(&k);
    /* a sink without a text callback still gets the record */
    {
        ww_input in = {"r.txt", (const unsigned char *)text, strlen(text)};
        ww_sink sink = {.ctx = &k, .record = keep_record, .unit_cost = NULL};
        assert_ww_ok(ww_diags__new(&d));
        assert_ww_ok(ww_importer_report.parse(&in, d, &sink));
        assert_int_equal(k.records, 1);
        assert_int_equal(k.n_outcomes, 1);
        ww_diags__free(d);
        kept_free(&k);
    }
}

static int sniff_file(const char *path, const char *name)
{
    size_t size;
    unsigned char *data = slurp(path, &size);
    int score = ww_importer_report.sniff(&(ww_input){name, data, size});
    free(data);
    return score;
}

/* The report importer claims a web page or text file only when it reads
 * like an evaluation (docs/reports.md, "What counts as a report"). */
static void test_report__sniff(void **state)
{
    const char *html = "\n  <!DOCTYPE html><html><body><p>An evaluation of mentoring: "
                       "t(40) = 2.1, p &lt; .05</p></body></html>";
    const char *text = "A randomised trial of coaching with 200 participants.";
    const char *csv = "FindingID,Effect_Size_WWC\n1,0.2\n";
    char path[400];
    /* the shared files that are not evaluation reports */
    static const char *const not_reports[] = {
        "wwc/wwc_ReadMe.txt",
        "references/PubMed_example.txt",
        "campbell/GroupBased_LICENSE_GPL3.txt",
        "careleavers/careleaver_LICENSE_CC-BY-4.0.txt",
        "metadat/dat.bangertdrowns2004.txt",
        "metadat/dat.hasselblad1998.txt",
        "metadat/dat.kalaian1996.txt",
        "metadat/dat.konstantopoulos2011.txt",
        "metadat/dat.landenberger2005.txt",
        "metadat/dat.lopez2019.txt",
        "metadat/dat.raudenbush1985.txt",
        "stat-extraction/statcheck_Paper1.htm",
        "stat-extraction/statcheck_Paper2.htm",
        "stat-extraction/statcheck_Paper3.htm",
        "stat-extraction/statcheck_Paper4_multiplepages.htm",
    };
    (void)state;
    assert_int_equal(
        ww_importer_report.sniff(&(ww_input){"r.html", (const void *)html, strlen(html)}), 35);
    assert_int_equal(ww_importer_report.sniff(&(ww_input){"r", (const void *)html, strlen(html)}),
                     30);
    assert_int_equal(
        ww_importer_report.sniff(&(ww_input){"r.HTM", (const void *)text, strlen(text)}), 30);
    assert_int_equal(
        ww_importer_report.sniff(&(ww_input){"r.txt", (const void *)text, strlen(text)}), 25);
    /* named as a report but with nothing of an evaluation in it */
    assert_int_equal(ww_importer_report.sniff(&(ww_input){"r.txt", (const void *)"x", 1}), 0);
    assert_int_equal(ww_importer_report.sniff(&(ww_input){"r.HTM", (const void *)"x", 1}), 0);
    /* statistics alone are not an evaluation; one word of one with them is */
    assert_int_equal(
        ww_importer_report.sniff(&(ww_input){"s.txt", (const void *)"t(37) = -4.93, p < .001", 23}),
        0);
    assert_int_equal(ww_importer_report.sniff(
                         &(ww_input){"s.txt", (const void *)"Intervention: t(37) = -4.93", 27}),
                     25);
    /* a reference list or a data table is never a report, whatever it says */
    {
        static const char ris[] =
            "TY  - JOUR\nTI  - A randomised evaluation of mentoring\nER  - \n";
        static const char bib[] = "\n@ARTICLE{x,\ntitle={A randomised evaluation}}\n";
        static const char table[] = "id\tintervention\tparticipants\n1\t0.2\t40\n2\t0.3\t50\n";
        assert_int_equal(
            ww_importer_report.sniff(&(ww_input){"r.txt", (const void *)ris, sizeof ris - 1}), 0);
        assert_int_equal(
            ww_importer_report.sniff(&(ww_input){"r.txt", (const void *)bib, sizeof bib - 1}), 0);
        assert_int_equal(
            ww_importer_report.sniff(&(ww_input){"r.txt", (const void *)table, sizeof table - 1}),
            0);
    }
    assert_int_equal(
        ww_importer_report.sniff(&(ww_input){"r.csv", (const void *)text, strlen(text)}), 0);
    assert_int_equal(ww_importer_report.sniff(&(ww_input){"r.xml", (const void *)"<a/>", 4}), 0);
    assert_ptr_equal(ww_importers__find("report"), &ww_importer_report);
    assert_ptr_equal(ww_importers__sniff(&(ww_input){"r.html", (const void *)html, strlen(html)}),
                     &ww_importer_report);
    /* structured formats still win */
    assert_ptr_equal(ww_importers__sniff(&(ww_input){"f.txt", (const void *)csv, strlen(csv)}),
                     &ww_importer_wwc);
    /* our fixtures are reports; the shared files above are not */
    assert_int_equal(sniff_file(TOP_PATH(path, "tests/fixtures/report/rct.html"), "rct.html"), 35);
    assert_int_equal(sniff_file(TOP_PATH(path, "tests/fixtures/report/plain.txt"), "plain.txt"),
                     25);
    assert_int_equal(
        sniff_file(TOP_PATH(path, "tests/fixtures/report/windows1252.html"), "windows1252.html"),
        35);
    for (size_t i = 0; i < sizeof not_reports / sizeof not_reports[0]; i++) {
        int score = sniff_file(SHARED_PATH(path, not_reports[i]), not_reports[i]);
        if (score != 0) {
            print_error("%s: claimed as a report (score %d)\n", not_reports[i], score);
            fail();
        }
    }
}

/* ---- the table at the end -------------------------------------------------------- */

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report__statcheck_papers),
        cmocka_unit_test(test_report__html_report),
        cmocka_unit_test(test_report__plain_text),
        cmocka_unit_test(test_report__declared_charset),
        cmocka_unit_test(test_report__no_statistics),
        cmocka_unit_test(test_report__titles),
        cmocka_unit_test(test_report__negated_design),
        cmocka_unit_test(test_report__unusable_interval),
        cmocka_unit_test(test_report__empty_and_not_utf8),
        cmocka_unit_test(test_report__too_large),
        cmocka_unit_test(test_report__long_line_and_deep_nesting),
        cmocka_unit_test(test_report__backtracking_candidates),
        cmocka_unit_test(test_report__sink_stop),
        cmocka_unit_test(test_report__sniff),
    };
    int failed;
    test_filter_from_env();
    failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (papers_done) {
        size_t gold = 0, tp = 0, fp = 0, cc = 0, ca = 0;
        printf("\nstatcheck's HTML test papers, through the importer "
               "(manually_extracted_stats_testpapers.csv):\n");
        printf("  %-36s %5s %5s %5s  %-12s %s\n", "paper", "coded", "found", "extra", "consistency",
               "warnings (statcheck errors)");
        for (int k = 0; k < 4; k++) {
            const paper_score *ps = &paper_scores[k];
            printf("  %-36s %5zu %5zu %5zu  %5zu/%-6zu %zu (%zu)\n", papers[k] + 16, ps->gold,
                   ps->tp, ps->fp, ps->cons_agree, ps->cons_compared, ps->warned, ps->errors);
            gold += ps->gold;
            tp += ps->tp;
            fp += ps->fp;
            cc += ps->cons_compared;
            ca += ps->cons_agree;
        }
        printf("  %-36s %5zu %5zu %5zu  %5zu/%-6zu precision %.1f%%, recall %.1f%%\n", "all", gold,
               tp, fp, ca, cc, tp + fp ? 100.0 * tp / (tp + fp) : 0, gold ? 100.0 * tp / gold : 0);
    }
    return failed;
}
