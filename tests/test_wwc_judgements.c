/*
 * test_wwc_judgements.c — importers/wwc_studies.c and importers/wwc_reports.c,
 * the judgements WWC's reviewers published. Golden tests over the real
 * files in ../shared/data/wwc: the Wolf & Harbatkin study file (390 study
 * reviews over 1,553 finding rows) checked review by review against the
 * file as a strict CSV reader sees it, its ReviewIDs joined to the April
 * 2020 Findings file, the three real Studies rows, the Intervention Reports
 * file (404 rated rows, 407 unrated, 23 repeated intervention and domain
 * pairs). Then which importer the sniffers pick for each real WWC file, and
 * bad inputs with their exact FILE:LINE: field: problem messages.
 */
#include "helpers.h"
#include "csv_read.h"
#include "../importers/importers.h"

#define WOLF "wwc/wolf2021_wp_meta_v2.csv"
#define REPORTS "wwc/wwc_InterventionReports.csv"
#define STUDIES3 "wwc/wwc_Studies_3rows.csv"
#define FINDINGS "wwc/wwc_Findings.csv"

/* ---- a sink that keeps every judgement ------------------------------------ */

typedef struct kept {
    int scope, design;
    char *body, *identity_ns, *key, *finding_key, *intervention_name, *domain, *design_text,
        *rating, *reason, *standards, *protocol, *url, *where;
    long n_studies, n_eligible, line;
} kept;

typedef struct tally {
    kept *j;
    size_t n, alloc;
    int stop_after; /* > 0: return WW_EIO on that call */
    int calls;
} tally;

static char *dup_or_null(const char *s)
{
    char *d;
    if (!s) return NULL;
    d = strdup(s);
    assert_non_null(d);
    return d;
}

static int collect(void *ctx, const ww_judgement *j)
{
    tally *t = ctx;
    kept *k;
    if (++t->calls == t->stop_after) return WW_EIO;
    if (t->n == t->alloc) {
        size_t n = t->alloc ? 2 * t->alloc : 64;
        kept *grown = realloc(t->j, n * sizeof *grown);
        assert_non_null(grown);
        t->j = grown;
        t->alloc = n;
    }
    k = &t->j[t->n++];
    k->scope = (int)j->scope;
    k->design = (int)j->design;
    k->body = dup_or_null(j->body);
    k->identity_ns = dup_or_null(j->identity_ns);
    k->key = dup_or_null(j->key);
    k->finding_key = dup_or_null(j->finding_key);
    k->intervention_name = dup_or_null(j->intervention_name);
    k->domain = dup_or_null(j->domain);
    k->design_text = dup_or_null(j->design_text);
    k->rating = dup_or_null(j->rating);
    k->reason = dup_or_null(j->reason);
    k->standards = dup_or_null(j->standards);
    k->protocol = dup_or_null(j->protocol);
    k->url = dup_or_null(j->url);
    k->where = dup_or_null(j->where);
    k->n_studies = j->n_studies;
    k->n_eligible = j->n_eligible;
    k->line = j->line;
    return 0;
}

static void tally_free(tally *t)
{
    for (size_t i = 0; i < t->n && t->j; i++) {
        kept *k = &t->j[i];
        free(k->body);
        free(k->identity_ns);
        free(k->key);
        free(k->finding_key);
        free(k->intervention_name);
        free(k->domain);
        free(k->design_text);
        free(k->rating);
        free(k->reason);
        free(k->standards);
        free(k->protocol);
        free(k->url);
        free(k->where);
    }
    free(t->j);
    memset(t, 0, sizeof *t);
}

static const kept *by_key(const tally *t, const char *key, const char *domain_or_null)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->j[i].key && !strcmp(t->j[i].key, key) &&
            (!domain_or_null || (t->j[i].domain && !strcmp(t->j[i].domain, domain_or_null))))
            return &t->j[i];
    print_error("no judgement with key %s\n", key);
    fail();
    return NULL;
}

static const kept *by_line(const tally *t, long line)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->j[i].line == line) return &t->j[i];
    print_error("no judgement from line %ld\n", line);
    fail();
    return NULL;
}

#define assert_str_or_null(got, want)                                                              \
    do {                                                                                           \
        const char *g__ = (got), *w__ = (want);                                                    \
        if (!w__)                                                                                  \
            assert_null(g__);                                                                      \
        else                                                                                       \
            assert_string_equal(g__ ? g__ : "(null)", w__);                                        \
    } while (0)

/* ---- running the importers ------------------------------------------------ */

static unsigned char *slurp(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *data;
    long len;
    if (!fp) {
        print_error("cannot open %s (set WW_SHARED_DATA)\n", path);
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

static unsigned char *shared(const char *rel, size_t *size)
{
    char path[1024];
    return slurp(SHARED_PATH(path, rel), size);
}

static int run(const ww_importer *imp, const char *name, const void *data, size_t size,
               ww_diags **out, tally *t)
{
    ww_input in = {name, data, size};
    ww_sink sink = {t, NULL, NULL, NULL, collect, NULL};
    int stop = t->stop_after;
    tally_free(t);
    t->stop_after = stop;
    assert_ww_ok(ww_diags__new(out));
    return imp->parse(&in, *out, &sink);
}

static int run_text(const ww_importer *imp, const char *name, const char *text, ww_diags **out,
                    tally *t)
{
    return run(imp, name, text, strlen(text), out, t);
}

static void dump(const ww_diags *d)
{
    for (size_t i = 0; i < ww_diags__count(d); i++)
        ww_diags__write_one(ww_diags__get(d, i), stderr);
}

/* Diagnostic i as the CLI prints it, "FILE:LINE: field: ...", without the
 * line end. */
static const char *diag_text(const ww_diags *d, size_t i, char *buf, size_t n)
{
    FILE *fp = fmemopen(buf, n, "w");
    size_t len;
    assert_non_null(fp);
    assert_true(i < ww_diags__count(d));
    ww_diags__write_one(ww_diags__get(d, i), fp);
    fclose(fp);
    buf[n - 1] = '\0';
    len = strlen(buf);
    if (len && buf[len - 1] == '\n') buf[len - 1] = '\0';
    return buf;
}

/* Some diagnostic prints exactly as want. */
static void assert_diag(const ww_diags *d, const char *want)
{
    char buf[2048];
    for (size_t i = 0; i < ww_diags__count(d); i++)
        if (!strcmp(diag_text(d, i, buf, sizeof buf), want)) return;
    print_error("no diagnostic\n  %s\namong:\n", want);
    dump(d);
    fail();
}

/* ---- the Wolf file read independently ------------------------------------- */

/* Each review's first row, as a strict CSV reader gives it: the reference
 * the importer's judgements are checked against. */
#define REF_MAX 1024

typedef struct wolf_ref {
    size_t field, row; /* position while reading */
    int c_review, c_design, c_rating, c_reason, c_finding, c_url;
    char review[32], design[16], rating[96], reason[512], finding[32], url[64];
    /* one per review, first row */
    struct {
        char review[32], design[16], rating[96], reason[512], url[64];
        long line;
    } first[REF_MAX];
    size_t n_first, n_rows;
    /* every row's finding and review */
    char (*row_finding)[32];
    char (*row_review)[32];
} wolf_ref;

static void copy_field(char *dst, size_t n, const char *s, size_t len)
{
    if (len >= n) len = n - 1;
    memcpy(dst, s, len);
    dst[len] = '\0';
}

static void wolf_field(void *s, size_t len, void *ctx)
{
    wolf_ref *w = ctx;
    int f = (int)w->field++;
    if (w->row == 0) {
        if (len == 8 && !memcmp(s, "reviewid", 8)) w->c_review = f;
        if (len == 14 && !memcmp(s, "s_study_design", 14)) w->c_design = f;
        if (len == 14 && !memcmp(s, "s_study_rating", 14)) w->c_rating = f;
        if (len == 15 && !memcmp(s, "s_rating_reason", 15)) w->c_reason = f;
        if (len == 11 && !memcmp(s, "f_findingid", 11)) w->c_finding = f;
        if (len == 16 && !memcmp(s, "s_study_page_url", 16)) w->c_url = f;
        return;
    }
    if (f == w->c_review) copy_field(w->review, sizeof w->review, s, len);
    if (f == w->c_design) copy_field(w->design, sizeof w->design, s, len);
    if (f == w->c_rating) copy_field(w->rating, sizeof w->rating, s, len);
    if (f == w->c_reason) copy_field(w->reason, sizeof w->reason, s, len);
    if (f == w->c_finding) copy_field(w->finding, sizeof w->finding, s, len);
    if (f == w->c_url) copy_field(w->url, sizeof w->url, s, len);
}

/* Trim spaces at both ends, in place. */
static char *trim(char *s)
{
    size_t len;
    while (*s == ' ') s++;
    len = strlen(s);
    while (len && s[len - 1] == ' ') s[--len] = '\0';
    return s;
}

static void wolf_row(int c, void *ctx)
{
    wolf_ref *w = ctx;
    size_t i;
    (void)c;
    if (w->row++ == 0) {
        w->field = 0;
        return;
    }
    /* the file's rows are one line each */
    snprintf(w->row_finding[w->n_rows], 32, "%s", w->finding);
    snprintf(w->row_review[w->n_rows], 32, "%s", w->review);
    w->n_rows++;
    for (i = 0; i < w->n_first; i++)
        if (!strcmp(w->first[i].review, w->review)) break;
    if (i == w->n_first && w->n_first < REF_MAX) {
        snprintf(w->first[i].review, sizeof w->first[i].review, "%s", w->review);
        snprintf(w->first[i].design, sizeof w->first[i].design, "%s", w->design);
        snprintf(w->first[i].rating, sizeof w->first[i].rating, "%s", w->rating);
        snprintf(w->first[i].reason, sizeof w->first[i].reason, "%s", trim(w->reason));
        snprintf(w->first[i].url, sizeof w->first[i].url, "%s", w->url);
        w->first[i].line = (long)w->row; /* header is line 1 */
        w->n_first++;
    }
    w->field = 0;
}

static wolf_ref *read_wolf(void)
{
    char path[1024];
    wolf_ref *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->c_review = w->c_design = w->c_rating = w->c_reason = w->c_finding = w->c_url = -1;
    w->row_finding = calloc(4096, sizeof *w->row_finding);
    w->row_review = calloc(4096, sizeof *w->row_review);
    assert_non_null(w->row_finding);
    assert_non_null(w->row_review);
    assert_int_equal(test_csv_read(SHARED_PATH(path, WOLF), wolf_field, wolf_row, w), 0);
    assert_true(w->c_review >= 0 && w->c_design >= 0 && w->c_rating >= 0 && w->c_reason >= 0 &&
                w->c_finding >= 0 && w->c_url >= 0);
    return w;
}

static void wolf_free(wolf_ref *w)
{
    free(w->row_finding);
    free(w->row_review);
    free(w);
}

/* ---- the Wolf & Harbatkin study file -------------------------------------- */

static void test_wwc_judgements__wolf_counts(void **state)
{
    size_t size, rct = 0, qed = 0, rdd = 0, without = 0, with = 0, reasons = 0;
    unsigned char *data = shared(WOLF, &size);
    ww_diags *d;
    tally t;
    (void)state;
    memset(&t, 0, sizeof t);
    assert_ww_ok(run(&ww_importer_wwc_studies, WOLF, data, size, &d, &t));
    if (ww_diags__count(d)) dump(d);
    /* 1,553 rows, no row that disagrees with its review's first */
    assert_int_equal(ww_diags__count(d), 0);
    assert_int_equal(t.n, 390);
    for (size_t i = 0; i < t.n; i++) {
        const kept *k = &t.j[i];
        assert_int_equal(k->scope, WW_JUDGEMENT_STUDY);
        assert_string_equal(k->body, "WWC");
        assert_string_equal(k->identity_ns, "wwc");
        assert_null(k->finding_key);
        assert_int_equal(k->n_studies, -1);
        assert_int_equal(k->n_eligible, -1);
        assert_non_null(k->design_text);
        if (!strcmp(k->design_text, "RCT")) {
            rct++;
            assert_int_equal(k->design, WW_DESIGN_RANDOMISED);
        } else if (!strcmp(k->design_text, "QED")) {
            qed++;
            assert_int_equal(k->design, WW_DESIGN_MATCHED_PRETEST);
            /* a QED meets standards only with reservations */
            assert_string_equal(k->rating, "Meets WWC standards with reservations");
        } else if (!strcmp(k->design_text, "RDD")) {
            rdd++;
            assert_int_equal(k->design, WW_DESIGN_REGRESSION_DISCONTINUITY);
        }
        if (!strcmp(k->rating, "Meets WWC standards without reservations"))
            without++;
        else if (!strcmp(k->rating, "Meets WWC standards with reservations"))
            with++;
        if (k->reason) reasons++;
        /* Stata's float renderings are gone */
        assert_non_null(k->standards);
        assert_non_null(k->protocol);
        assert_null(strstr(k->standards, "99999"));
        assert_null(strstr(k->protocol, "99999"));
    }
    assert_int_equal(rct, 300);
    assert_int_equal(qed, 89);
    assert_int_equal(rdd, 1);
    assert_int_equal(without, 252);
    assert_int_equal(with, 138);
    assert_int_equal(reasons, 125); /* 265 reviews give no reason */
    ww_diags__free(d);
    tally_free(&t);
    free(data);
}

static void test_wwc_judgements__wolf_values(void **state)
{
    size_t size;
    unsigned char *data = shared(WOLF, &size);
    ww_diags *d;
    tally t;
    const kept *k;
    wolf_ref *w = read_wolf();
    (void)state;
    memset(&t, 0, sizeof t);
    assert_ww_ok(run(&ww_importer_wwc_studies, WOLF, data, size, &d, &t));

    /* Every judgement against its review's first row in the file. */
    assert_int_equal(w->n_rows, 1553);
    assert_int_equal(w->n_first, 390);
    assert_int_equal(t.n, w->n_first);
    for (size_t i = 0; i < t.n; i++) {
        char url[128], where[32];
        k = &t.j[i];
        assert_string_equal(k->key, w->first[i].review);
        assert_string_equal(k->design_text, w->first[i].design);
        assert_string_equal(k->rating, w->first[i].rating);
        assert_str_or_null(k->reason, w->first[i].reason[0] ? w->first[i].reason : NULL);
        snprintf(url, sizeof url, "https://ies.ed.gov/ncee/wwc%s", w->first[i].url);
        assert_string_equal(k->url, url);
        assert_int_equal(k->line, w->first[i].line);
        snprintf(where, sizeof where, "line %ld", w->first[i].line);
        assert_string_equal(k->where, where);
    }

    /* 5975,131,,1901417,1062,Building Assets Reducing Risks (BARR),...,
     * /Study/131,Review of Individual Studies,3,3,RCT,Meets WWC standards
     * without reservations, it is a randomized controlled trial with low
     * attrition.,... */
    k = by_key(&t, "1901417", NULL);
    assert_int_equal(k->line, 2);
    assert_int_equal(k->design, WW_DESIGN_RANDOMISED);
    assert_string_equal(k->design_text, "RCT");
    assert_string_equal(k->rating, "Meets WWC standards without reservations");
    assert_string_equal(k->reason, "it is a randomized controlled trial with low attrition.");
    assert_string_equal(k->standards, "3");
    assert_string_equal(k->protocol, "Review of Individual Studies (version 3)");
    assert_string_equal(k->url, "https://ies.ed.gov/ncee/wwc/Study/131");
    assert_string_equal(k->where, "line 2");
    assert_null(k->intervention_name);
    assert_null(k->domain);

    /* line 20: the first QED */
    k = by_key(&t, "1900659", NULL);
    assert_int_equal(k->line, 20);
    assert_int_equal(k->design, WW_DESIGN_MATCHED_PRETEST);
    assert_string_equal(k->design_text, "QED");
    assert_string_equal(k->rating, "Meets WWC standards with reservations");
    assert_string_equal(k->reason, "it uses a quasi-experimental design in which the analytic "
                                   "intervention and comparison groups satisfy the baseline "
                                   "equivalence requirement.");
    assert_string_equal(k->protocol, "Adolescent Literacy (version 3)");
    assert_string_equal(k->url, "https://ies.ed.gov/ncee/wwc/Study/9443");

    /* line 39: standards and protocol version "2.0999999", Stata's 2.1 */
    k = by_key(&t, "25244", NULL);
    assert_int_equal(k->line, 39);
    assert_string_equal(k->standards, "2.1");
    assert_string_equal(k->protocol, "Beginning Reading (version 2.1)");
    assert_null(k->reason);

    /* line 881: the one regression discontinuity design */
    k = by_key(&t, "68761", NULL);
    assert_int_equal(k->line, 881);
    assert_int_equal(k->design, WW_DESIGN_REGRESSION_DISCONTINUITY);
    assert_string_equal(k->design_text, "RDD");
    assert_string_equal(k->rating, "Meets WWC standards with reservations");
    assert_string_equal(k->protocol, "Single Study Review (version 2)");
    assert_string_equal(k->url, "https://ies.ed.gov/ncee/wwc/Study/78571");

    ww_diags__free(d);
    tally_free(&t);
    wolf_free(w);
    free(data);
}

/* The Findings file's FindingID -> ReviewID. */
typedef struct findings_ref {
    size_t field, row;
    int c_finding, c_review;
    char finding[32], review[32];
    char (*finding_of)[32]; /* per row */
    char (*review_of)[32];
    size_t n;
} findings_ref;

static void findings_field(void *s, size_t len, void *ctx)
{
    findings_ref *f = ctx;
    int i = (int)f->field++;
    if (f->row == 0) {
        if (len == 9 && !memcmp(s, "FindingID", 9)) f->c_finding = i;
        if (len == 8 && !memcmp(s, "ReviewID", 8)) f->c_review = i;
        return;
    }
    if (i == f->c_finding) copy_field(f->finding, sizeof f->finding, s, len);
    if (i == f->c_review) copy_field(f->review, sizeof f->review, s, len);
}

static void findings_row(int c, void *ctx)
{
    findings_ref *f = ctx;
    (void)c;
    f->field = 0;
    if (f->row++ == 0) return;
    assert_true(f->n < 8192);
    snprintf(f->finding_of[f->n], 32, "%s", f->finding);
    snprintf(f->review_of[f->n], 32, "%s", f->review);
    f->n++;
}

/* The join the judgements are for: a Wolf review id is the ReviewID the
 * Findings file files the same findings under. */
static void test_wwc_judgements__wolf_joins_findings(void **state)
{
    char path[1024];
    size_t size, same = 0, absent = 0, other = 0, reviews_found = 0;
    unsigned char *data = shared(WOLF, &size);
    findings_ref f;
    ww_diags *d;
    tally t;
    wolf_ref *w = read_wolf();
    (void)state;
    memset(&f, 0, sizeof f);
    f.c_finding = f.c_review = -1;
    f.finding_of = calloc(8192, sizeof *f.finding_of);
    f.review_of = calloc(8192, sizeof *f.review_of);
    assert_non_null(f.finding_of);
    assert_non_null(f.review_of);
    assert_int_equal(test_csv_read(SHARED_PATH(path, FINDINGS), findings_field, findings_row, &f),
                     0);
    assert_int_equal(f.n, 6972);

    for (size_t i = 0; i < w->n_rows; i++) {
        size_t k;
        for (k = 0; k < f.n; k++)
            if (!strcmp(f.finding_of[k], w->row_finding[i])) break;
        if (k == f.n) {
            absent++;
            assert_string_equal(w->row_finding[i], "28513");
            assert_string_equal(w->row_review[i], "1905893");
        } else if (!strcmp(f.review_of[k], w->row_review[i])) {
            same++;
        } else {
            other++;
        }
    }
    assert_int_equal(same, 1552);
    assert_int_equal(absent, 1);
    assert_int_equal(other, 0);

    /* The importer's keys: all but review 1905893 are Findings ReviewIDs. */
    memset(&t, 0, sizeof t);
    assert_ww_ok(run(&ww_importer_wwc_studies, WOLF, data, size, &d, &t));
    for (size_t i = 0; i < t.n; i++) {
        size_t k;
        for (k = 0; k < f.n; k++)
            if (!strcmp(f.review_of[k], t.j[i].key)) break;
        if (k < f.n)
            reviews_found++;
        else
            assert_string_equal(t.j[i].key, "1905893");
    }
    assert_int_equal(reviews_found, 389);
    ww_diags__free(d);
    tally_free(&t);
    free(f.finding_of);
    free(f.review_of);
    wolf_free(w);
    free(data);
}

/* ---- the WWC Studies file's own header ------------------------------------ */

static void test_wwc_judgements__studies_rows(void **state)
{
    size_t size;
    unsigned char *data = shared(STUDIES3, &size);
    ww_diags *d;
    tally t;
    const kept *k;
    (void)state;
    memset(&t, 0, sizeof t);
    assert_ww_ok(run(&ww_importer_wwc_studies, "studies.csv", data, size, &d, &t));
    assert_int_equal(ww_diags__errors(d), 0);
    assert_int_equal(ww_diags__count(d), 1);
    /* 1900582: the row the mirror's author re-counted the commas of has no
     * rating and no design left */
    assert_diag(d, "studies.csv:4: Study_Rating: warning: ReviewID 1900582 has neither a study "
                   "rating nor a design; row skipped");
    assert_int_equal(t.n, 2);
    k = by_key(&t, "71910", NULL);
    assert_int_equal(k->line, 2);
    assert_int_equal(k->design, WW_DESIGN_UNKNOWN);
    assert_null(k->design_text);
    assert_string_equal(k->rating, "Meets WWC standards with reservations");
    assert_null(k->reason);
    assert_string_equal(k->standards, "3.0");
    assert_string_equal(k->protocol, "Single Study Review (version 2.0)");
    assert_string_equal(k->url, "https://ies.ed.gov/ncee/wwc/Study/81521");
    k = by_key(&t, "71996", NULL);
    assert_string_equal(k->rating, "Does not meet WWC standards");
    assert_string_equal(k->reason, "equivalence of the analytic intervention and comparison "
                                   "groups is necessary and not demonstrated.");
    ww_diags__free(d);
    tally_free(&t);
    free(data);
}

/* Rows of one review that disagree: both lines named, the first kept. */
static void test_wwc_judgements__studies_disagree(void **state)
{
    static const char csv[] =
        "ReviewID,Study_Design,Study_Rating,Rating_Reason,Protocol\n"
        "10,RCT,Meets WWC standards without reservations,it is an RCT with low attrition.,P\n"
        "20,QED,Meets WWC standards with reservations,,P\n"
        "10,RCT,Meets WWC standards without reservations,,P\n"
        "10,QED,Meets WWC standards with reservations,,P\n"
        "30,Single-case design,Meets WWC pilot SCD standards,,P\n"
        "40,Interrupted time series,Does not meet WWC standards,,P\n"
        ",RCT,Meets WWC standards without reservations,,P\n";
    ww_diags *d;
    tally t;
    (void)state;
    memset(&t, 0, sizeof t);
    assert_ww_ok(run_text(&ww_importer_wwc_studies, "s.csv", csv, &d, &t));
    assert_int_equal(ww_diags__errors(d), 0);
    assert_diag(d, "s.csv:5: Study_Design: warning: ReviewID 10: 'QED' here, 'RCT' on line 2; "
                   "the judgement of line 2 is kept");
    assert_diag(d, "s.csv:5: Study_Rating: warning: ReviewID 10: 'Meets WWC standards with "
                   "reservations' here, 'Meets WWC standards without reservations' on line 2; "
                   "the judgement of line 2 is kept");
    assert_diag(d, "s.csv:7: Study_Design: warning: 'Interrupted time series' is not a WWC "
                   "design (RCT, QED, RDD, SCD); ReviewID 40's design is left unknown");
    assert_diag(d, "s.csv:8: ReviewID: warning: empty; row skipped");
    assert_int_equal(ww_diags__count(d), 4);
    assert_int_equal(t.n, 4);
    assert_int_equal(by_key(&t, "10", NULL)->design, WW_DESIGN_RANDOMISED);
    assert_string_equal(by_key(&t, "10", NULL)->reason, "it is an RCT with low attrition.");
    assert_string_equal(by_key(&t, "10", NULL)->protocol, "P");
    assert_int_equal(by_key(&t, "20", NULL)->design, WW_DESIGN_MATCHED_PRETEST);
    assert_int_equal(by_key(&t, "30", NULL)->design, WW_DESIGN_UNKNOWN);
    assert_string_equal(by_key(&t, "30", NULL)->design_text, "Single-case design");
    assert_int_equal(by_key(&t, "40", NULL)->design, WW_DESIGN_UNKNOWN);
    assert_null(by_key(&t, "40", NULL)->url);
    ww_diags__free(d);
    tally_free(&t);
}

/* ---- the Intervention Reports file ---------------------------------------- */

static void test_wwc_judgements__reports_counts(void **state)
{
    size_t size, positive = 0, potentially_positive = 0, none = 0, mixed = 0,
                 potentially_negative = 0, repeated = 0;
    unsigned char *data = shared(REPORTS, &size);
    ww_diags *d;
    tally t;
    char buf[2048];
    (void)state;
    memset(&t, 0, sizeof t);
    assert_ww_ok(run(&ww_importer_wwc_reports, REPORTS, data, size, &d, &t));
    assert_int_equal(ww_diags__errors(d), 0);
    assert_int_equal(t.n, 404);
    for (size_t i = 0; i < t.n; i++) {
        const kept *k = &t.j[i];
        assert_int_equal(k->scope, WW_JUDGEMENT_INTERVENTION);
        assert_string_equal(k->body, "WWC");
        assert_string_equal(k->identity_ns, "wwc");
        assert_int_equal(k->design, WW_DESIGN_UNKNOWN);
        assert_non_null(k->domain);
        assert_non_null(k->intervention_name);
        assert_true(k->n_studies >= 1 && k->n_eligible >= k->n_studies);
        if (!strcmp(k->rating, "Positive Effects"))
            positive++;
        else if (!strcmp(k->rating, "Potentially Positive Effects"))
            potentially_positive++;
        else if (!strcmp(k->rating, "No Discernible Effects"))
            none++;
        else if (!strcmp(k->rating, "Mixed Effects"))
            mixed++;
        else if (!strcmp(k->rating, "Potentially Negative Effects"))
            potentially_negative++;
        else
            fail_msg("unexpected rating '%s' on line %ld", k->rating, k->line);
    }
    assert_int_equal(positive, 48);
    assert_int_equal(potentially_positive, 158);
    assert_int_equal(none, 163);
    assert_int_equal(mixed, 23);
    assert_int_equal(potentially_negative, 12);

    /* 23 repeated pairs, each a warning of its own, then the summaries */
    for (size_t i = 0; i < ww_diags__count(d); i++)
        if (strstr(diag_text(d, i, buf, sizeof buf), "both are kept, as reports under")) repeated++;
    assert_int_equal(repeated, 23);
    assert_int_equal(ww_diags__count(d), 25);
    assert_diag(d, REPORTS ":123: Outcome_Domain: warning: InterventionID 211 in 'Alphabetics' "
                           "is also rated on line 2: 'Positive Effects' there under Beginning "
                           "Reading (version 1.0), 'Potentially Positive Effects' here under "
                           "Early Childhood Education (version 1.0); both are kept, as reports "
                           "under different protocols");
    assert_diag(d, REPORTS ":205: Outcome_Domain: warning: InterventionID 383 in 'Alphabetics' "
                           "is also rated on line 26: 'No Discernible Effects' there under "
                           "Beginning Reading (version 1.0), 'No Discernible Effects' here under "
                           "Adolescent Literacy (version 2.0); both are kept, as reports under "
                           "different protocols");
    assert_string_equal(diag_text(d, 23, buf, sizeof buf),
                        REPORTS ": Effectiveness_Rating: warning: 407 rows without a published "
                                "effectiveness rating (405 empty, 2 N/A) are not imported");
    assert_string_equal(diag_text(d, 24, buf, sizeof buf),
                        REPORTS ": Outcome_Domain: warning: 23 rows rate an intervention in a "
                                "domain an earlier row rates under another protocol (7 with the "
                                "same rating, 16 with a different one)");
    ww_diags__free(d);
    tally_free(&t);
    free(data);
}

static void test_wwc_judgements__reports_values(void **state)
{
    size_t size;
    unsigned char *data = shared(REPORTS, &size);
    ww_diags *d;
    tally t;
    const kept *k;
    (void)state;
    memset(&t, 0, sizeof t);
    assert_ww_ok(run(&ww_importer_wwc_reports, REPORTS, data, size, &d, &t));

    /* 211,DaisyQuest,Beginning Reading,1.0,Alphabetics,4,4,...,
     * /intervention/211,...,Positive Effects */
    k = by_line(&t, 2);
    assert_string_equal(k->key, "211");
    assert_string_equal(k->intervention_name, "DaisyQuest");
    assert_string_equal(k->domain, "Alphabetics");
    assert_string_equal(k->rating, "Positive Effects");
    assert_int_equal(k->n_studies, 4);
    assert_int_equal(k->n_eligible, 4);
    assert_string_equal(k->protocol, "Beginning Reading (version 1.0)");
    assert_string_equal(k->url, "https://ies.ed.gov/ncee/wwc/intervention/211");
    assert_string_equal(k->where, "line 2");
    assert_null(k->design_text);
    assert_null(k->reason);
    assert_null(k->standards);
    assert_null(k->finding_key);
    /* the same intervention and domain under another protocol, line 123 */
    k = by_line(&t, 123);
    assert_string_equal(k->key, "211");
    assert_string_equal(k->rating, "Potentially Positive Effects");
    assert_string_equal(k->protocol, "Early Childhood Education (version 1.0)");
    assert_int_equal(k->n_studies, 1);
    /* line 3 */
    k = by_key(&t, "215", "Reading achievement");
    assert_int_equal(k->line, 3);
    assert_string_equal(k->intervention_name, "Little Books");
    assert_string_equal(k->rating, "Potentially Positive Effects");
    ww_diags__free(d);
    tally_free(&t);
    free(data);
}

/* The same report twice, "N/A", a bad count, a rating without a domain. */
static void test_wwc_judgements__reports_rows(void **state)
{
    static const char csv[] =
        "InterventionID,Intervention_Name,Protocol,Protocol_Version,Outcome_Domain,"
        "NumStudiesMeetingStandards,NumStudiesEligible,Intervention_Page_URL,"
        "Effectiveness_Rating\n"
        "1,A,Beginning Reading,1.0,Alphabetics,2,3,/intervention/1,Positive Effects\n"
        "1,A,Beginning Reading,1.0,Alphabetics,2,3,/intervention/1,Mixed Effects\n"
        "2,B,Primary Mathematics,1.0,Math,two,3.0,http://example.org/b,No Discernible Effects\n"
        "3,C,Primary Mathematics,1.0,Math,,,,N/A\n"
        "4,D,Primary Mathematics,1.0,Math,,,,\n"
        "5,E,Primary Mathematics,1.0,,1,1,,Positive Effects\n";
    ww_diags *d;
    tally t;
    (void)state;
    memset(&t, 0, sizeof t);
    assert_ww_ok(run_text(&ww_importer_wwc_reports, "r.csv", csv, &d, &t));
    assert_int_equal(ww_diags__errors(d), 0);
    assert_diag(d, "r.csv:3: Outcome_Domain: warning: InterventionID 1 in 'Alphabetics' under "
                   "Beginning Reading (version 1.0) is also rated on line 2 ('Positive Effects' "
                   "there, 'Mixed Effects' here): the same report twice; this row is not "
                   "imported");
    assert_diag(d, "r.csv:4: NumStudiesMeetingStandards: warning: 'two' is not a whole number of "
                   "at least 0; treated as not given");
    assert_diag(d, "r.csv:7: Outcome_Domain: warning: empty beside the rating 'Positive "
                   "Effects'; row skipped");
    assert_diag(d, "r.csv: Effectiveness_Rating: warning: 2 rows without a published "
                   "effectiveness rating (1 empty, 1 N/A) are not imported");
    assert_int_equal(ww_diags__count(d), 4);
    assert_int_equal(t.n, 2);
    assert_string_equal(by_key(&t, "1", NULL)->rating, "Positive Effects");
    assert_int_equal(by_key(&t, "2", NULL)->n_studies, -1);
    assert_int_equal(by_key(&t, "2", NULL)->n_eligible, 3);
    assert_string_equal(by_key(&t, "2", NULL)->url, "http://example.org/b");
    ww_diags__free(d);
    tally_free(&t);
}

/* ---- which importer reads which file -------------------------------------- */

static const ww_importer *sniffed(const char *rel)
{
    size_t size;
    unsigned char *data = shared(rel, &size);
    ww_input in = {rel, data, size};
    const ww_importer *imp = ww_importers__sniff(&in);
    free(data);
    return imp;
}

static void test_wwc_judgements__sniff(void **state)
{
    size_t size;
    unsigned char *data;
    (void)state;
    /* Findings files: the findings importer */
    assert_ptr_equal(sniffed(FINDINGS), &ww_importer_wwc);
    assert_ptr_equal(sniffed("wwc/wwc_Findings_2020-04-25.csv"), &ww_importer_wwc);
    /* The Wolf file has f_findingid and f_effect_size_wwc (90 for the
     * findings importer) but is read for its study ratings (95). */
    data = shared(WOLF, &size);
    assert_int_equal(ww_importer_wwc.sniff(&(ww_input){WOLF, data, size}), 90);
    assert_int_equal(ww_importer_wwc_studies.sniff(&(ww_input){WOLF, data, size}), 95);
    assert_int_equal(ww_importer_wwc_reports.sniff(&(ww_input){WOLF, data, size}), 0);
    free(data);
    assert_ptr_equal(sniffed(WOLF), &ww_importer_wwc_studies);
    assert_ptr_equal(sniffed(STUDIES3), &ww_importer_wwc_studies);
    assert_ptr_equal(sniffed(REPORTS), &ww_importer_wwc_reports);
    /* A merged export keyed by s_StudyID, with the findings and the
     * intervention reports' columns: the findings importer. */
    {
        static const char merged[] = "i_InterventionID,i_Effectiveness_Rating,s_StudyID,"
                                     "s_Study_Rating,s_Study_Design,f_FindingID,"
                                     "f_Effect_Size_WWC\n";
        ww_input in = {"merged.csv", (const unsigned char *)merged, strlen(merged)};
        assert_int_equal(ww_importer_wwc_studies.sniff(&in), 30);
        assert_int_equal(ww_importer_wwc_reports.sniff(&in), 40);
        assert_ptr_equal(ww_importers__sniff(&in), &ww_importer_wwc);
    }
    assert_ptr_equal(ww_importers__find("wwc-studies"), &ww_importer_wwc_studies);
    assert_ptr_equal(ww_importers__find("wwc-intervention-reports"), &ww_importer_wwc_reports);
}

/* ---- bad inputs ------------------------------------------------------------ */

static void test_wwc_judgements__empty_and_not_utf8(void **state)
{
    static const char latin1[] = "ReviewID,Study_Design,Study_Rating\n"
                                 "1,RCT,Meets WWC standards without reservations\n"
                                 "2,QED,Ne r\xE9pond pas\n";
    static const char latin1_reports[] = "InterventionID,Outcome_Domain,Effectiveness_Rating\n"
                                         "1,Lecture,Effets positifs \xE0 confirmer\n";
    const ww_importer *both[] = {&ww_importer_wwc_studies, &ww_importer_wwc_reports};
    ww_diags *d;
    tally t;
    char buf[2048];
    (void)state;
    memset(&t, 0, sizeof t);
    for (int i = 0; i < 2; i++) {
        assert_ww_ok(run(both[i], "empty.csv", "", 0, &d, &t));
        assert_int_equal(ww_diags__errors(d), 1);
        assert_string_equal(diag_text(d, 0, buf, sizeof buf), "empty.csv: the file is empty");
        ww_diags__free(d);
        assert_ww_ok(run_text(both[i], "blank.csv", "\xEF\xBB\xBF \r\n", &d, &t));
        assert_string_equal(diag_text(d, 0, buf, sizeof buf), "blank.csv: the file is empty");
        ww_diags__free(d);
    }
    assert_ww_ok(run_text(&ww_importer_wwc_studies, "latin1.csv", latin1, &d, &t));
    assert_int_equal(ww_diags__count(d), 1);
    assert_string_equal(diag_text(d, 0, buf, sizeof buf),
                        "latin1.csv:3: encoding: this line is not valid UTF-8 (WWC "
                        "exports are UTF-8; a file re-saved by Excel as Latin-1 or "
                        "Windows-1252 must be exported again as UTF-8)");
    assert_int_equal(t.n, 0);
    ww_diags__free(d);
    assert_ww_ok(run_text(&ww_importer_wwc_reports, "latin1.csv", latin1_reports, &d, &t));
    assert_int_equal(ww_diags__count(d), 1);
    assert_string_equal(diag_text(d, 0, buf, sizeof buf),
                        "latin1.csv:2: encoding: this line is not valid UTF-8 (WWC "
                        "exports are UTF-8; a file re-saved by Excel as Latin-1 or "
                        "Windows-1252 must be exported again as UTF-8)");
    assert_int_equal(t.n, 0);
    ww_diags__free(d);
}

static void test_wwc_judgements__wrong_header(void **state)
{
    size_t size;
    unsigned char *data;
    ww_diags *d;
    tally t;
    char buf[2048];
    (void)state;
    memset(&t, 0, sizeof t);

    /* the Findings file given to each */
    data = shared(FINDINGS, &size);
    assert_ww_ok(run(&ww_importer_wwc_studies, "findings.csv", data, size, &d, &t));
    assert_int_equal(ww_diags__count(d), 1);
    assert_string_equal(diag_text(d, 0, buf, sizeof buf),
                        "findings.csv:1: Study_Rating: not a WWC study file: the header "
                        "has neither Study_Rating nor Study_Design (or their s_ spellings); this "
                        "looks like the WWC Findings file (--format wwc-findings)");
    assert_int_equal(t.n, 0);
    ww_diags__free(d);
    assert_ww_ok(run(&ww_importer_wwc_reports, "findings.csv", data, size, &d, &t));
    assert_int_equal(ww_diags__count(d), 1);
    assert_string_equal(diag_text(d, 0, buf, sizeof buf),
                        "findings.csv:1: Effectiveness_Rating: not a WWC Intervention "
                        "Reports file: the header has no Effectiveness_Rating (or "
                        "i_Effectiveness_Rating) column; this looks like the WWC Findings file "
                        "(--format wwc-findings)");
    ww_diags__free(d);
    free(data);

    /* each other's file */
    data = shared(REPORTS, &size);
    assert_ww_ok(run(&ww_importer_wwc_studies, "reports.csv", data, size, &d, &t));
    assert_string_equal(diag_text(d, 0, buf, sizeof buf),
                        "reports.csv:1: Study_Rating: not a WWC study file: the header "
                        "has neither Study_Rating nor Study_Design (or their s_ spellings); this "
                        "looks like the WWC Intervention Reports file (--format "
                        "wwc-intervention-reports)");
    ww_diags__free(d);
    free(data);
    data = shared(WOLF, &size);
    assert_ww_ok(run(&ww_importer_wwc_reports, "wolf.csv", data, size, &d, &t));
    assert_string_equal(diag_text(d, 0, buf, sizeof buf),
                        "wolf.csv:1: Effectiveness_Rating: not a WWC Intervention Reports "
                        "file: the header has no Effectiveness_Rating (or "
                        "i_Effectiveness_Rating) column; this looks like a WWC study file "
                        "(--format wwc-studies)");
    ww_diags__free(d);
    free(data);

    /* a study rating but no review id */
    assert_ww_ok(run_text(&ww_importer_wwc_studies, "merged.csv",
                          "s_StudyID,s_Study_Rating\n131,Meets WWC standards\n", &d, &t));
    assert_int_equal(ww_diags__count(d), 1);
    assert_string_equal(diag_text(d, 0, buf, sizeof buf),
                        "merged.csv:1: ReviewID: missing: a WWC study file needs the "
                        "column ReviewID (or review_id), the study review id the Findings file "
                        "uses (s_StudyID is the study's page id, not the review's)");
    ww_diags__free(d);
    /* a rating but no domain or intervention */
    assert_ww_ok(
        run_text(&ww_importer_wwc_reports, "r.csv", "Effectiveness_Rating\nMixed\n", &d, &t));
    assert_int_equal(ww_diags__errors(d), 2);
    assert_string_equal(diag_text(d, 0, buf, sizeof buf),
                        "r.csv:1: InterventionID: missing: a WWC Intervention Reports file "
                        "needs the column InterventionID (or i_InterventionID)");
    assert_string_equal(diag_text(d, 1, buf, sizeof buf),
                        "r.csv:1: Outcome_Domain: missing: a WWC Intervention Reports "
                        "file needs the column Outcome_Domain (or i_Outcome_Domain)");
    assert_int_equal(t.n, 0);
    ww_diags__free(d);
}

static void test_wwc_judgements__malformed_rows(void **state)
{
    static const char studies[] = "ReviewID,Study_Design,Study_Rating\n"
                                  "1,RCT,Meets WWC standards without reservations\n"
                                  "2,QED,Meets WWC \"standards\" with reservations\n"
                                  "3,RCT\n"
                                  "4,\"RCT,Meets WWC standards without reservations\n"
                                  "5,RDD,Meets WWC standards with reservations\n";
    static const char reports[] = "InterventionID,Outcome_Domain,Effectiveness_Rating\n"
                                  "1,Math,Positive Effects\n"
                                  "2,Math,Positive Effects,extra\n"
                                  "3,\"Math\"x,Mixed Effects\n"
                                  "4,Reading,No Discernible Effects\n";
    ww_diags *d;
    tally t;
    (void)state;
    memset(&t, 0, sizeof t);
    assert_ww_ok(run_text(&ww_importer_wwc_studies, "s.csv", studies, &d, &t));
    assert_int_equal(ww_diags__errors(d), 0);
    assert_diag(d, "s.csv:3: Study_Rating: warning: row skipped: a quote inside an unquoted "
                   "field (a field that holds quotes must be enclosed in quotes, each inner "
                   "quote doubled)");
    assert_diag(d, "s.csv:4: warning: row skipped: it has 2 fields, the header 3");
    /* the open quote runs to the end; reading resumes on line 6 */
    assert_diag(d, "s.csv:5: Study_Design: warning: row skipped: a quoted field is not closed "
                   "before the end of the file");
    if (ww_diags__count(d) != 3) dump(d);
    assert_int_equal(ww_diags__count(d), 3);
    assert_int_equal(t.n, 2);
    assert_int_equal(by_key(&t, "1", NULL)->line, 2);
    assert_int_equal(by_key(&t, "5", NULL)->line, 6);
    ww_diags__free(d);

    assert_ww_ok(run_text(&ww_importer_wwc_reports, "r.csv", reports, &d, &t));
    assert_int_equal(ww_diags__errors(d), 0);
    assert_diag(d, "r.csv:3: warning: row skipped: it has 4 fields, the header 3");
    assert_diag(d, "r.csv:4: Outcome_Domain: warning: row skipped: text after the closing quote "
                   "of a quoted field (a quote inside a quoted field must be doubled)");
    assert_int_equal(ww_diags__count(d), 2);
    assert_int_equal(t.n, 2);
    assert_int_equal(by_key(&t, "4", NULL)->line, 5);
    ww_diags__free(d);
    tally_free(&t);
}

/* A 2 MB rating: refused, nothing read past the 1 MiB cap. */
static void test_wwc_judgements__field_too_long(void **state)
{
    static const char head_s[] = "ReviewID,Study_Design,Study_Rating\n1,RCT,";
    static const char head_r[] = "InterventionID,Outcome_Domain,Effectiveness_Rating\n1,Math,";
    const char *heads[] = {head_s, head_r};
    const ww_importer *both[] = {&ww_importer_wwc_studies, &ww_importer_wwc_reports};
    const char *field[] = {"Study_Rating", "Effectiveness_Rating"};
    const size_t big = (size_t)2 * 1024 * 1024;
    ww_diags *d;
    tally t;
    char want[256], buf[2048];
    (void)state;
    memset(&t, 0, sizeof t);
    for (int i = 0; i < 2; i++) {
        size_t n = strlen(heads[i]);
        char *doc = malloc(n + big + 2);
        assert_non_null(doc);
        memcpy(doc, heads[i], n);
        memset(doc + n, 'x', big);
        doc[n + big] = '\n';
        doc[n + big + 1] = '\0';
        assert_ww_ok(run_text(both[i], "big.csv", doc, &d, &t));
        assert_int_equal(ww_diags__errors(d), 1);
        snprintf(want, sizeof want,
                 "big.csv:2: %s: a field longer than 1 MiB (the limit for one field); "
                 "the file is refused",
                 field[i]);
        assert_string_equal(diag_text(d, 0, buf, sizeof buf), want);
        assert_int_equal(t.n, 0);
        ww_diags__free(d);
        free(doc);
    }
}

/* Without a judgement callback nothing is emitted and nothing breaks; a
 * sink that stops the import has its code returned. */
static void test_wwc_judgements__sink(void **state)
{
    size_t size;
    unsigned char *data = shared(WOLF, &size);
    ww_input in = {WOLF, data, size};
    ww_sink none = {NULL, NULL, NULL, NULL, NULL, NULL};
    ww_diags *d;
    tally t;
    (void)state;
    assert_ww_ok(ww_diags__new(&d));
    assert_ww_ok(ww_importer_wwc_studies.parse(&in, d, &none));
    assert_int_equal(ww_diags__count(d), 0);
    ww_diags__free(d);

    memset(&t, 0, sizeof t);
    t.stop_after = 3;
    assert_int_equal(run(&ww_importer_wwc_studies, WOLF, data, size, &d, &t), WW_EIO);
    assert_int_equal(t.calls, 3);
    assert_int_equal(t.n, 2);
    ww_diags__free(d);
    free(data);

    data = shared(REPORTS, &size);
    assert_int_equal(run(&ww_importer_wwc_reports, REPORTS, data, size, &d, &t), WW_EIO);
    assert_int_equal(t.calls, 3);
    assert_int_equal(t.n, 2);
    ww_diags__free(d);
    t.stop_after = 0;
    tally_free(&t);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wwc_judgements__wolf_counts),
        cmocka_unit_test(test_wwc_judgements__wolf_values),
        cmocka_unit_test(test_wwc_judgements__wolf_joins_findings),
        cmocka_unit_test(test_wwc_judgements__studies_rows),
        cmocka_unit_test(test_wwc_judgements__studies_disagree),
        cmocka_unit_test(test_wwc_judgements__reports_counts),
        cmocka_unit_test(test_wwc_judgements__reports_values),
        cmocka_unit_test(test_wwc_judgements__reports_rows),
        cmocka_unit_test(test_wwc_judgements__sniff),
        cmocka_unit_test(test_wwc_judgements__empty_and_not_utf8),
        cmocka_unit_test(test_wwc_judgements__wrong_header),
        cmocka_unit_test(test_wwc_judgements__malformed_rows),
        cmocka_unit_test(test_wwc_judgements__field_too_long),
        cmocka_unit_test(test_wwc_judgements__sink),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
