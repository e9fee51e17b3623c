/*
 * test_revman.c — importers/revman.c, Cochrane RevMan 5 reviews (.rm5).
 * Golden tests over the two real reviews in ../shared/data/revman (counts of
 * studies, records and risk-of-bias judgements, values checked to full
 * precision against the file), a cross-check of the meta-analysis engine
 * against RevMan's own pooled figures for Fleiss 1993, small in-memory
 * reviews for the rules that need judgement (direction, Latin-1, _xHHHH_
 * escapes, swapped events, generic inverse-variance and O-E data), and one
 * bad-input fixture per problem: each gives a FILE:LINE: field: problem
 * diagnostic and nothing reaches the sink.
 */
#include "helpers.h"
#include "../importers/importers.h"

#include <unistd.h>

#include "../evidence/meta.h"

#define FLEISS "revman/Fleiss1993.rm5"
#define CD000023 "revman/antibiotics-for-sore-throat_CD000023.rm5"

/* ---- a sink that copies what it is given ---------------------------------- */

typedef struct got_rob {
    char *domain, *judgement, *support, *tool;
    long line;
} got_rob;

typedef struct got_rec {
    char *key, *title, *authors, *doi, *notes, *intervention, *description, *comparison, *where;
    int year, provisional;
    ww_design design;
    char *basis; /* design_basis */
    long line;
    got_rob *rob;
    size_t n_rob;
    /* its one outcome */
    char *name, *domain, *metric, *reported_metric, *owhere;
    int kind, higher_is_better;
    long oline, events_t, total_t, events_c, total_c, n_t, n_c;
    double mean_t, sd_t, mean_c, sd_c, estimate, ci_low, ci_high, yi, se;
} got_rec;

/* One ww_pooled_check as the sink's `pooled` callback received it. */
typedef struct got_pool {
    char *id, *name, *metric, *method;
    ww_pooled_check c; /* numbers only: its strings are the ones above */
} got_pool;

typedef struct got {
    got_rec *recs;
    size_t n, alloc;
    char *text_title[16], *text_body[16];
    size_t n_text;
    size_t outcomes_per_record_not_one;
    int stop_after; /* > 0: the sink fails on that record */
    int no_pooled;   /* the sink has no `pooled` callback */
    int pooled_fail; /* the `pooled` callback fails */
    got_pool *pools;
    size_t n_pools, alloc_pools;
} got;

static char *copy_str(const char *s)
{
    char *p;
    if (!s) return NULL;
    p = strdup(s);
    assert_non_null(p);
    return p;
}

static int collect(void *ctx, const ww_record *r)
{
    got *g = ctx;
    got_rec *d;
    const ww_outcome_rec *o;
    if (g->stop_after && (int)g->n + 1 == g->stop_after)
        return ww__error(WW_ERROR, "the test sink stops here");
    if (g->n == g->alloc) {
        g->alloc = g->alloc ? g->alloc * 2 : 64;
        g->recs = realloc(g->recs, g->alloc * sizeof *g->recs);
        assert_non_null(g->recs);
    }
    d = &g->recs[g->n++];
    memset(d, 0, sizeof *d);
    d->key = copy_str(r->study_key);
    d->title = copy_str(r->title);
    d->authors = copy_str(r->authors);
    d->doi = copy_str(r->doi);
    d->notes = copy_str(r->notes);
    d->intervention = copy_str(r->intervention_name);
    d->description = copy_str(r->intervention_description);
    d->comparison = copy_str(r->comparison);
    d->where = copy_str(r->where);
    d->year = r->year;
    d->provisional = r->provisional;
    d->design = r->design;
    d->basis = copy_str(r->design_basis);
    d->line = r->line;
    d->n_rob = r->n_rob;
    if (r->n_rob) {
        d->rob = calloc(r->n_rob, sizeof *d->rob);
        assert_non_null(d->rob);
    }
    for (size_t i = 0; i < r->n_rob; i++) {
        d->rob[i].domain = copy_str(r->rob[i].domain);
        d->rob[i].judgement = copy_str(r->rob[i].judgement);
        d->rob[i].support = copy_str(r->rob[i].support);
        d->rob[i].tool = copy_str(r->rob[i].tool);
        d->rob[i].line = r->rob[i].line;
    }
    if (r->n_outcomes != 1) g->outcomes_per_record_not_one++;
    if (!r->n_outcomes) return 0;
    o = &r->outcomes[0];
    d->name = copy_str(o->name);
    d->domain = copy_str(o->domain);
    d->metric = copy_str(o->metric);
    d->reported_metric = copy_str(o->reported_metric);
    d->owhere = copy_str(o->where);
    d->kind = (int)o->kind;
    d->higher_is_better = o->higher_is_better;
    d->oline = o->line;
    d->events_t = o->events_treatment;
    d->total_t = o->total_treatment;
    d->events_c = o->events_control;
    d->total_c = o->total_control;
    d->n_t = o->n_treatment;
    d->n_c = o->n_control;
    d->mean_t = o->mean_treatment;
    d->sd_t = o->sd_treatment;
    d->mean_c = o->mean_control;
    d->sd_c = o->sd_control;
    d->estimate = o->reported_estimate;
    d->ci_low = o->reported_ci_low;
    d->ci_high = o->reported_ci_high;
    d->yi = o->generic_yi;
    d->se = o->generic_se;
    return 0;
}

static int collect_text(void *ctx, const char *title, const char *body)
{
    got *g = ctx;
    if (g->n_text < 16) {
        g->text_title[g->n_text] = copy_str(title);
        g->text_body[g->n_text] = copy_str(body);
        g->n_text++;
    }
    return 0;
}

static int collect_pooled(void *ctx, const ww_pooled_check *c)
{
    got *g = ctx;
    got_pool *p;
    if (g->pooled_fail) return ww__error(WW_ERROR, "the test sink's pooled callback fails");
    if (g->n_pools == g->alloc_pools) {
        g->alloc_pools = g->alloc_pools ? g->alloc_pools * 2 : 16;
        g->pools = realloc(g->pools, g->alloc_pools * sizeof *g->pools);
        assert_non_null(g->pools);
    }
    p = &g->pools[g->n_pools++];
    p->id = copy_str(c->analysis_id);
    p->name = copy_str(c->name);
    p->metric = copy_str(c->metric);
    p->method = copy_str(c->method);
    p->c = *c;
    p->c.analysis_id = p->id;
    p->c.name = p->name;
    p->c.metric = p->metric;
    p->c.method = p->method;
    return 0;
}

static void got_free(got *g)
{
    for (size_t i = 0; i < g->n; i++) {
        got_rec *d = &g->recs[i];
        char *strs[] = {d->key,          d->title,       d->authors,         d->doi,   d->notes,
                        d->intervention, d->description, d->comparison,      d->where, d->name,
                        d->domain,       d->metric,      d->reported_metric, d->owhere,
                        d->basis};
        for (size_t k = 0; k < sizeof strs / sizeof strs[0]; k++) free(strs[k]);
        for (size_t k = 0; k < d->n_rob; k++) {
            free(d->rob[k].domain);
            free(d->rob[k].judgement);
            free(d->rob[k].support);
            free(d->rob[k].tool);
        }
        free(d->rob);
    }
    free(g->recs);
    for (size_t i = 0; i < g->n_text; i++) {
        free(g->text_title[i]);
        free(g->text_body[i]);
    }
    for (size_t i = 0; i < g->n_pools; i++) {
        free(g->pools[i].id);
        free(g->pools[i].name);
        free(g->pools[i].metric);
        free(g->pools[i].method);
    }
    free(g->pools);
    memset(g, 0, sizeof *g);
}

/* ---- running the importer ----------------------------------------------------- */

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

static int run(const char *name, const unsigned char *data, size_t size, ww_diags **out, got *g)
{
    ww_input in = {name, data, size};
    ww_sink sink = {g, collect, collect_text, g->no_pooled ? NULL : collect_pooled, NULL, NULL};
    assert_ww_ok(ww_diags__new(out));
    return ww_importer_revman.parse(&in, *out, &sink);
}

static int run_text(const char *name, const char *text, ww_diags **out, got *g)
{
    return run(name, (const unsigned char *)text, strlen(text), out, g);
}

/* A real review from the shared data folder. */
static void run_shared(const char *rel, ww_diags **out, got *g)
{
    char path[1024];
    size_t size;
    unsigned char *data = slurp(SHARED_PATH(path, rel), &size);
    assert_ww_ok(run(rel, data, size, out, g));
    free(data);
}

/* A fixture of this test; diagnostics name it "revman/FILE". */
static int run_fixture(const char *file, ww_diags **out, got *g)
{
    char path[1024], rel[256];
    size_t size;
    unsigned char *data;
    int rc;
    snprintf(rel, sizeof rel, "tests/fixtures/revman/%s", file);
    data = slurp(TOP_PATH(path, rel), &size);
    rc = run(file, data, size, out, g);
    free(data);
    return rc;
}

static void dump(const ww_diags *d)
{
    for (size_t i = 0; i < ww_diags__count(d); i++)
        ww_diags__write_one(ww_diags__get(d, i), stderr);
}

/* There is a diagnostic (error or, with warning set, a warning) with
 * exactly this file, field and line whose message contains part. */
static void assert_diag_kind(const ww_diags *d, int warning, const char *file, const char *field,
                             long line, const char *part)
{
    for (size_t i = 0; i < ww_diags__count(d); i++) {
        const ww_diag *dg = ww_diags__get(d, i);
        if (dg->is_warning == warning && !strcmp(dg->file, file) && !strcmp(dg->field, field) &&
            dg->line == line && strstr(dg->message, part))
            return;
    }
    print_error("no %s %s:%ld: %s: ...%s... among:\n", warning ? "warning" : "error", file, line,
                field, part);
    dump(d);
    fail();
}

#define assert_error(d, file, field, line, part) assert_diag_kind(d, 0, file, field, line, part)
#define assert_warning(d, file, field, line, part) assert_diag_kind(d, 1, file, field, line, part)

/* The parse was clean: no diagnostic at all. */
static void assert_clean(const ww_diags *d)
{
    if (ww_diags__count(d)) {
        dump(d);
        fail_msg("expected no diagnostics, got %zu", ww_diags__count(d));
    }
}

/* The only diagnostic is the warning that sums up the cross-check of
 * RevMan's pooled results (line of ANALYSES_AND_DATA). */
static void assert_only_summary(const ww_diags *d, const char *file, long line, const char *text)
{
    assert_warning(d, file, "ANALYSES_AND_DATA", line, text);
    if (ww_diags__count(d) != 1) {
        dump(d);
        fail_msg("expected only the pooled-results summary, got %zu diagnostics",
                 ww_diags__count(d));
    }
}

#define FLEISS_SUMMARY                                                                             \
    "1 analysis compared with RevMan's stored results: 1 agree within 1e-6, 0 differ; 1 not "      \
    "compared (RevMan stored no pooled result)"
#define CD000023_SUMMARY                                                                           \
    "41 analyses compared with RevMan's stored results: 41 agree within 1e-6, 0 differ; 2 not "    \
    "compared (RevMan stored no pooled result)"

static const got_rec *find_rec(const got *g, const char *key, const char *where_part)
{
    for (size_t i = 0; i < g->n; i++)
        if (!strcmp(g->recs[i].key, key) && strstr(g->recs[i].owhere, where_part))
            return &g->recs[i];
    print_error("no record of %s at ...%s...\n", key, where_part);
    fail();
    return NULL;
}

/* Distinct study keys among the records. */
static size_t distinct_keys(const got *g)
{
    size_t n = 0;
    for (size_t i = 0; i < g->n; i++) {
        size_t j;
        for (j = 0; j < i; j++)
            if (!strcmp(g->recs[i].key, g->recs[j].key)) break;
        n += j == i;
    }
    return n;
}

/* Distinct (study key, intervention) pairs: the studies the repository stores. */
static size_t distinct_study_rows(const got *g)
{
    size_t n = 0;
    for (size_t i = 0; i < g->n; i++) {
        size_t j;
        for (j = 0; j < i; j++)
            if (!strcmp(g->recs[i].key, g->recs[j].key) &&
                !strcmp(g->recs[i].intervention, g->recs[j].intervention))
                break;
        n += j == i;
    }
    return n;
}

/* ---- sniffing ---------------------------------------------------------------------- */

static void test_revman__sniff(void **state)
{
    char path[1024];
    size_t size;
    unsigned char *data = slurp(SHARED_PATH(path, FLEISS), &size);
    ww_input in = {"Fleiss1993.rm5", data, size};
    ww_input unnamed = {"review.xml", data, size};
    ww_input just_named = {"REVIEW.RM5", (const unsigned char *)"junk", 4};
    ww_input other = {"x.xml", (const unsigned char *)"<?xml version=\"1.0\"?><submission/>", 34};
    (void)state;
    assert_int_equal(ww_importer_revman.sniff(&in), 95);
    assert_int_equal(ww_importer_revman.sniff(&unnamed), 95);
    assert_int_equal(ww_importer_revman.sniff(&just_named), 50);
    assert_int_equal(ww_importer_revman.sniff(&other), 0);
    assert_ptr_equal(ww_importers__sniff(&in), &ww_importer_revman);
    assert_ptr_equal(ww_importers__find("revman"), &ww_importer_revman);
    free(data);
}

/* ---- Fleiss 1993 ----------------------------------------------------------------------- */

static void test_revman__fleiss_golden(void **state)
{
    ww_diags *d;
    got g = {0};
    const got_rec *r;
    size_t binary = 0, continuous = 0;
    (void)state;
    run_shared(FLEISS, &d, &g);
    assert_only_summary(d, FLEISS, 438, FLEISS_SUMMARY);

    /* 12 data rows (7 DICH_DATA, 5 CONT_DATA), each one record of one
     * outcome, from 12 distinct studies, all in one comparison. */
    assert_int_equal(g.n, 12);
    assert_int_equal(g.outcomes_per_record_not_one, 0);
    assert_int_equal(distinct_keys(&g), 12);
    for (size_t i = 0; i < g.n; i++) {
        binary += g.recs[i].kind == WW_OUTCOME_BINARY;
        continuous += g.recs[i].kind == WW_OUTCOME_CONTINUOUS;
        assert_string_equal(g.recs[i].intervention,
                            "Examples from Fleiss 1993: Examples from Fleiss (1993)");
        assert_int_equal(g.recs[i].provisional, 0);
        /* All 12 trials' CHAR_METHODS are empty, and so is the review's
         * CRIT_STUDIES (line 112): no design, and the basis says why. */
        assert_int_equal(g.recs[i].design, WW_DESIGN_UNKNOWN);
        assert_string_equal(g.recs[i].basis, "not stated in the study's methods or in the "
                                             "review's inclusion criteria (types of studies)");
    }
    assert_int_equal(binary, 7);
    assert_int_equal(continuous, 5);

    /* The first DICH_DATA row (line 447), every number as the file has it. */
    r = &g.recs[0];
    assert_string_equal(r->key, "STD-MRC_x002d_1");
    assert_string_equal(r->title, "MRC-1"); /* no reference: the study's NAME */
    assert_int_equal(r->year, 1974);
    assert_null(r->authors);
    assert_string_equal(r->where, "line 222: STUDY[STD-MRC_x002d_1]");
    assert_int_equal(r->line, 222);
    assert_string_equal(r->name, "Aspirin for Preventing Death after Myocardial Infarction");
    assert_string_equal(r->domain, "aspirin for preventing death after myocardial infarction");
    assert_string_equal(r->metric, "OR");
    assert_string_equal(r->reported_metric, "OR");
    assert_int_equal(r->events_t, 49);
    assert_int_equal(r->total_t, 615);
    assert_int_equal(r->events_c, 67);
    assert_int_equal(r->total_c, 624);
    assert_true(r->estimate == 0.7197141500975687);
    assert_true(r->ci_low == 0.4889745274989256);
    assert_true(r->ci_high == 1.0593362817898602);
    assert_string_equal(r->owhere, "line 447: COMPARISON[CMP-001]/DICH_OUTCOME[CMP-001.01]/"
                                   "DICH_DATA[STD-MRC_x002d_1]");
    assert_int_equal(r->oline, 447);
    /* "Favours experimental" is the left side: fewer deaths is better. */
    assert_int_equal(r->higher_is_better, 0);
    assert_string_equal(r->comparison, "Control");
    assert_non_null(strstr(r->description, "Aspirin versus Control"));
    /* CHAR_METHODS and CRIT_STUDIES are empty: nothing says the design */
    assert_int_equal(r->design, WW_DESIGN_UNKNOWN);
    assert_string_equal(r->basis, "not stated in the study's methods or in the review's "
                                  "inclusion criteria (types of studies)");
    assert_string_equal(r->notes, "Study: MRC-1");
    /* One RoB item has entries (QIT-02, all UNKNOWN). */
    assert_int_equal(r->n_rob, 1);
    assert_string_equal(r->rob[0].domain, "Allocation concealment?");
    assert_string_equal(r->rob[0].judgement, "unclear");
    assert_string_equal(r->rob[0].tool, "RoB1");
    assert_null(r->rob[0].support);

    /* A CONT_DATA row (line 461): SMD with RevMan's results left empty. */
    r = find_rec(&g, "STD-Davis", "CONT_DATA");
    assert_int_equal(r->kind, WW_OUTCOME_CONTINUOUS);
    assert_string_equal(r->metric, "SMD");
    assert_true(r->mean_t == 5.0);
    assert_true(r->sd_t == 4.7);
    assert_int_equal(r->n_t, 13);
    assert_true(r->mean_c == 6.5);
    assert_true(r->sd_c == 3.8);
    assert_int_equal(r->n_c, 13);
    assert_true(isnan(r->estimate)); /* EFFECT_SIZE="" is missing, not 0 */
    assert_true(isnan(r->ci_low));
    assert_true(isnan(r->ci_high));
    assert_int_equal(r->events_t, -1);
    assert_int_equal(r->oline, 461);
    assert_string_equal(r->name, "Mental Health Treatment versus Control");

    /* Only the placeholder plain-language summary has text. */
    assert_int_equal(g.n_text, 1);
    assert_string_equal(g.text_title[0], "Examples from Fleiss 1993 "
                                         "\xe2\x80\x94"
                                         " Plain language summary");
    assert_string_equal(g.text_body[0], "[Plain language title] [Summary text]");

    got_free(&g);
    ww_diags__free(d);
}

/* RevMan's figures for each analysis, gathered by ww_importer_revman__analyses. */
typedef struct analyses {
    size_t n, subgroups;
    ww_revman_analysis first; /* the first outcome-level one, numbers only */
    char first_name[256], first_measure[16], first_method[16];
} analyses;

static void on_analysis(void *ctx, const ww_revman_analysis *a)
{
    analyses *s = ctx;
    if (a->subgroup_id) {
        s->subgroups++;
        return;
    }
    if (s->n++ == 0) {
        s->first = *a;
        snprintf(s->first_name, sizeof s->first_name, "%s", a->name);
        snprintf(s->first_measure, sizeof s->first_measure, "%s", a->effect_measure);
        snprintf(s->first_method, sizeof s->first_method, "%s", a->method);
    }
}

/* Equal, or both NAN. */
static int same_number(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

/* |got - want| <= 1e-6 |want|. */
#define assert_rel(got_, want_) assert_true(fabs((got_) - (want_)) <= 1e-6 * fabs(want_))

static void test_revman__fleiss_pooled_mh(void **state)
{
    char path[1024];
    size_t size;
    unsigned char *data = slurp(SHARED_PATH(path, FLEISS), &size);
    ww_input in = {FLEISS, data, size};
    ww_diags *d;
    analyses a = {0};
    got g = {0};
    ww_meta_table tables[16];
    size_t k = 0;
    ww_meta_pool_opts opts = {0};
    ww_meta_result res;
    (void)state;

    /* RevMan's own pooled figures, as stored on DICH_OUTCOME CMP-001.01. */
    assert_ww_ok(ww_diags__new(&d));
    assert_ww_ok(ww_importer_revman__analyses(&in, d, on_analysis, &a));
    assert_only_summary(d, FLEISS, 438, FLEISS_SUMMARY);
    ww_diags__free(d);
    assert_int_equal(a.n, 2);
    assert_int_equal(a.subgroups, 0);
    assert_string_equal(a.first_name, "Aspirin for Preventing Death after Myocardial Infarction");
    assert_string_equal(a.first_measure, "OR");
    assert_string_equal(a.first_method, "MH");
    assert_int_equal(a.first.random, 0);
    assert_int_equal(a.first.studies, 7);
    assert_int_equal(a.first.rows, 7);
    assert_int_equal(a.first.line, 441);
    assert_true(a.first.effect_size == 0.8968655609130709);
    assert_true(a.first.ci_start == 0.8405144008917793);
    assert_true(a.first.ci_end == 0.9569947088336491);
    assert_true(a.first.chi2 == 9.946055983220074);
    assert_true(a.first.df == 6);
    assert_true(a.first.i2 == 39.67458045558399);
    assert_true(a.first.tau2 == 0);
    assert_true(a.first.z == 3.287633061337987);

    /* Our rows, pooled by Mantel-Haenszel, reproduce them. */
    run_shared(FLEISS, &d, &g);
    for (size_t i = 0; i < g.n; i++) {
        const got_rec *r = &g.recs[i];
        if (!strstr(r->owhere, "DICH_OUTCOME[CMP-001.01]")) continue;
        assert_true(k < 16);
        tables[k].ai = (double)r->events_t;
        tables[k].bi = (double)(r->total_t - r->events_t);
        tables[k].ci = (double)r->events_c;
        tables[k].di = (double)(r->total_c - r->events_c);
        k++;
    }
    assert_int_equal(k, 7);
    opts.method = WW_META_MH;
    assert_ww_ok(ww_meta_pool_tables(&res, NULL, tables, k, WW_META_OR, &opts));
    assert_rel(exp(res.estimate), a.first.effect_size);
    assert_rel(exp(res.ci_low), a.first.ci_start);
    assert_rel(exp(res.ci_high), a.first.ci_end);
    assert_rel(res.q, a.first.chi2);
    assert_rel(res.q_df, a.first.df);
    assert_rel(res.i2, a.first.i2);
    assert_rel(fabs(res.stat), a.first.z);
    assert_true(res.tau2 == 0);
    print_message("Fleiss 1993 MH OR: ours %.10f [%.10f, %.10f] Q %.10f I2 %.10f; RevMan %.10f "
                  "[%.10f, %.10f] Q %.10f I2 %.10f\n",
                  exp(res.estimate), exp(res.ci_low), exp(res.ci_high), res.q, res.i2,
                  a.first.effect_size, a.first.ci_start, a.first.ci_end, a.first.chi2, a.first.i2);
    got_free(&g);
    ww_diags__free(d);
    free(data);
}

/* The importer pools the rows of each RevMan analysis again, with RevMan's
 * method, and hands RevMan's figures and ours to the sink: for Fleiss 1993's
 * Mantel-Haenszel odds ratio (fixed effect) they agree within 1e-6 (in fact
 * to about 1e-15); its SMD outcome has no stored result and is not
 * compared. The records are the same with and without the callback. */
static void test_revman__fleiss_pooled_check(void **state)
{
    ww_diags *d, *d_plain;
    got g = {0}, plain = {0};
    const ww_pooled_check *c;
    (void)state;
    run_shared(FLEISS, &d, &g);
    assert_only_summary(d, FLEISS, 438, FLEISS_SUMMARY);
    assert_int_equal(g.n_pools, 1);
    c = &g.pools[0].c;
    assert_string_equal(c->analysis_id, "CMP-001.01");
    assert_string_equal(c->name, "Aspirin for Preventing Death after Myocardial Infarction");
    assert_string_equal(c->metric, "OR");
    assert_string_equal(c->method, "MH");
    assert_int_equal(c->random, 0);
    assert_int_equal(c->k, 7);
    assert_int_equal(c->line, 441);
    /* RevMan's, exactly as the file has them */
    assert_true(c->reported_estimate == 0.8968655609130709);
    assert_true(c->reported_ci_low == 0.8405144008917793);
    assert_true(c->reported_ci_high == 0.9569947088336491);
    assert_true(c->reported_tau2 == 0);
    assert_true(c->reported_i2 == 39.67458045558399);
    assert_true(c->reported_q == 9.946055983220074);
    assert_true(c->reported_z == 3.287633061337987);
    /* ours */
    assert_rel(c->estimate, c->reported_estimate);
    assert_rel(c->ci_low, c->reported_ci_low);
    assert_rel(c->ci_high, c->reported_ci_high);
    assert_true(c->tau2 == 0);
    assert_rel(c->i2, c->reported_i2);
    assert_rel(c->q, c->reported_q);
    assert_rel(c->z, c->reported_z);
    assert_true(c->max_rel_diff <= 1e-6);
    print_message("Fleiss 1993 MH OR: largest relative difference from RevMan %.2g\n",
                  c->max_rel_diff);

    plain.no_pooled = 1;
    run_shared(FLEISS, &d_plain, &plain);
    assert_int_equal(plain.n, g.n);
    for (size_t i = 0; i < g.n; i++) {
        assert_string_equal(plain.recs[i].owhere, g.recs[i].owhere);
        assert_true(plain.recs[i].events_t == g.recs[i].events_t);
        assert_true(same_number(plain.recs[i].mean_t, g.recs[i].mean_t));
        assert_true(same_number(plain.recs[i].estimate, g.recs[i].estimate));
    }
    assert_only_summary(d_plain, FLEISS, 438, FLEISS_SUMMARY);
    got_free(&plain);
    got_free(&g);
    ww_diags__free(d_plain);
    ww_diags__free(d);
}

/* ---- Antibiotics for sore throat (CD000023) ------------------------------------- */

static void test_revman__cd000023_golden(void **state)
{
    ww_diags *d;
    got g = {0};
    const got_rec *r;
    size_t low = 0, high = 0, unclear = 0, seen = 0, nbsp = 0, not_estimable = 0;
    /* studies and records by design and basis: [methods, criteria] */
    size_t randomised[2] = {0}, comparison[2] = {0}, other = 0, rec_randomised = 0;
    size_t rec_comparison[2] = {0};
    (void)state;
    run_shared(CD000023, &d, &g);
    assert_only_summary(d, CD000023, 3064, CD000023_SUMMARY);

    /* 217 DICH_DATA rows in 21 outcomes and 22 subgroups, from the 27
     * included studies, in 4 comparisons. */
    assert_int_equal(g.n, 217);
    assert_int_equal(g.outcomes_per_record_not_one, 0);
    assert_int_equal(distinct_keys(&g), 27);
    for (size_t i = 0; i < g.n; i++) {
        assert_int_equal(g.recs[i].kind, WW_OUTCOME_BINARY);
        assert_string_equal(g.recs[i].metric, "RR");
        /* "Favours antibiotics" (= GROUP_LABEL_1) is the left side */
        assert_int_equal(g.recs[i].higher_is_better, 0);
        not_estimable += isnan(g.recs[i].estimate);
    }
    /* ESTIMABLE="NO" rows carry EFFECT_SIZE="0.0": read as missing */
    assert_int_equal(not_estimable, 55);

    /* Risk of bias, counted once per study: YES 87, UNKNOWN 58, NO 17 (the
     * 162 QUALITY_ITEM_DATA_ENTRY elements), and the design: from the
     * study's CHAR_METHODS, else from the review's CRIT_STUDIES. */
    for (size_t i = 0; i < g.n; i++) {
        size_t j;
        int from_criteria = !strncmp(g.recs[i].basis, "the review's inclusion criteria", 31);
        assert_true(from_criteria || !strncmp(g.recs[i].basis, "the study's methods: '", 22));
        if (g.recs[i].design == WW_DESIGN_RANDOMISED) rec_randomised += !from_criteria;
        if (g.recs[i].design == WW_DESIGN_COMPARISON) rec_comparison[from_criteria]++;
        for (j = 0; j < i; j++)
            if (!strcmp(g.recs[i].key, g.recs[j].key)) break;
        if (j < i) continue;
        seen++;
        if (g.recs[i].design == WW_DESIGN_RANDOMISED)
            randomised[from_criteria]++;
        else if (g.recs[i].design == WW_DESIGN_COMPARISON)
            comparison[from_criteria]++;
        else
            other++;
        for (size_t k = 0; k < g.recs[i].n_rob; k++) {
            const char *jd = g.recs[i].rob[k].judgement;
            low += !strcmp(jd, "low");
            high += !strcmp(jd, "high");
            unclear += !strcmp(jd, "unclear");
        }
    }
    assert_int_equal(seen, 27);
    assert_int_equal(low, 87);
    assert_int_equal(unclear, 58);
    assert_int_equal(high, 17);
    /* 14 studies' methods say randomised; Bennike 1951's say
     * "quasi-randomised"; the other 12 say no design ("Open study",
     * "Double-blind, placebo-controlled trial", "22 GPs in one region of
     * the UK recruited", ...) and get what CRIT_STUDIES vouches for,
     * "Randomised controlled trials (RCTs) or quasi-RCTs.": at least a
     * quasi-randomised comparison, not a randomised trial. */
    assert_int_equal(randomised[0], 14);
    assert_int_equal(randomised[1], 0);
    assert_int_equal(comparison[0], 1);
    assert_int_equal(comparison[1], 12);
    assert_int_equal(other, 0);
    /* the 217 records: 117 + 10 + 90 */
    assert_int_equal(rec_randomised, 117);
    assert_int_equal(rec_comparison[0], 10);
    assert_int_equal(rec_comparison[1], 90);

    /* The first DICH_DATA row (line 3073). */
    r = &g.recs[0];
    assert_string_equal(r->key, "STD-Brink-1951");
    assert_string_equal(r->title, "Effect of penicillin and aureomycin on the natural course of "
                                  "streptococcal tonsillitis and pharyngitis");
    assert_string_equal(r->authors, "Brink WRR, Denny FW, Wannamaker LW");
    assert_int_equal(r->year, 1951);
    assert_string_equal(r->intervention,
                        "Antibiotics for sore throat: Antibiotics versus placebo "
                        "for the treatment of sore throats: symptom of sore throat");
    assert_string_equal(r->comparison, "Placebo");
    assert_string_equal(r->description, "Antibiotics versus Placebo, from the Cochrane review "
                                        "\"Antibiotics for sore throat\" "
                                        "(doi:10.1002/14651858.CD000023.pub4)");
    assert_string_equal(r->name, "Symptom of sore throat on day 3");
    assert_int_equal(r->events_t, 119);
    assert_int_equal(r->total_t, 277);
    assert_int_equal(r->events_c, 129);
    assert_int_equal(r->total_c, 198);
    assert_true(r->estimate == 0.6593904793888002);
    assert_true(r->ci_low == 0.5564838644124426);
    assert_true(r->ci_high == 0.781326884954097);
    assert_int_equal(r->oline, 3073);
    /* "Open study": the review's criteria give the design */
    assert_int_equal(r->design, WW_DESIGN_COMPARISON);
    assert_string_equal(r->basis, "the review's inclusion criteria (types of studies): "
                                  "'Randomised controlled trials (RCTs) or quasi-RCTs.'");
    assert_non_null(strstr(r->notes, "Methods: Open study\nParticipants: 395 young adult males"));
    assert_int_equal(r->n_rob, 6);
    assert_string_equal(r->rob[0].domain, "Random sequence generation (selection bias)");
    assert_string_equal(r->rob[0].judgement, "unclear");
    assert_string_equal(r->rob[0].support, "Participants randomised by Air Force serial number");
    assert_int_equal(r->rob[0].line, 2151);
    /* an outcome-level item, with its group's name */
    assert_string_equal(r->rob[2].domain,
                        "Blinding (performance bias and detection bias) \xe2\x80\x94 All outcomes");
    assert_string_equal(r->rob[2].judgement, "high");

    /* A row in a subgroup: name and provenance say so. */
    r = find_rec(&g, "STD-Chapple-1956", "DICH_SUBGROUP[CMP-001.02.01]");
    assert_string_equal(r->name, "Symptom of sore throat on day 3: blind versus unblinded studies "
                                 "\xe2\x80\x94 Symptom of sore throat on day 3: blinded studies");
    assert_string_equal(r->domain,
                        "symptom of sore throat on day 3: blind versus unblinded studies");
    assert_string_equal(r->owhere, "line 3097: COMPARISON[CMP-001]/DICH_OUTCOME[CMP-001.02]/"
                                   "DICH_SUBGROUP[CMP-001.02.01]/DICH_DATA[STD-Chapple-1956]");
    /* "Double-blind, placebo-controlled trial": no allocation named */
    assert_int_equal(r->design, WW_DESIGN_COMPARISON);
    assert_non_null(strstr(r->basis, "inclusion criteria"));

    /* "Open study, quasi-randomised" is not a true RCT; a plain
     * "Double-blind, randomised, placebo-controlled trial" is one. */
    r = find_rec(&g, "STD-Bennike-1951", "DICH_DATA");
    assert_int_equal(r->design, WW_DESIGN_COMPARISON);
    assert_string_equal(r->basis, "the study's methods: 'Open study, quasi-randomised'");
    r = find_rec(&g, "STD-Landsman-1951", "DICH_DATA");
    assert_int_equal(r->design, WW_DESIGN_RANDOMISED);
    assert_string_equal(r->basis, "the study's methods: 'Double-blind, randomised, "
                                  "placebo-controlled trial'");
    /* a sentence longer than the quote is cut */
    r = find_rec(&g, "STD-Dagnelie-1996", "DICH_DATA");
    assert_string_equal(r->basis, "the study's methods: 'Randomised, double-blind, "
                                  "placebo-controlled trial of penicillin V on the course...'");

    /* An ID with an _xHHHH_ escape keeps it as the key; NAME is the name. */
    r = find_rec(&g, "STD-El_x002d_Daher-1991", "DICH_DATA");
    assert_non_null(strstr(r->notes, "Study: El-Daher 1991"));

    /* Eight sections of the review's text; the ISO-8859-1 no-break space
     * (byte 0xA0) in the heading "Authors' conclusions \xA0" (line 433)
     * arrives as UTF-8. */
    assert_int_equal(g.n_text, 8);
    assert_string_equal(g.text_title[1], "Antibiotics for sore throat \xe2\x80\x94 Abstract");
    for (size_t i = 0; i < g.n_text; i++)
        nbsp += strstr(g.text_body[i], "Authors' conclusions \xc2\xa0 Antibiotics confer") != NULL;
    assert_int_equal(nbsp, 1);
    got_free(&g);
    ww_diags__free(d);
}

static void test_revman__cd000023_analyses(void **state)
{
    char path[1024];
    size_t size;
    unsigned char *data = slurp(SHARED_PATH(path, CD000023), &size);
    ww_input in = {CD000023, data, size};
    ww_diags *d;
    analyses a = {0};
    (void)state;
    assert_ww_ok(ww_diags__new(&d));
    assert_ww_ok(ww_importer_revman__analyses(&in, d, on_analysis, &a));
    assert_only_summary(d, CD000023, 3064, CD000023_SUMMARY);
    assert_int_equal(a.n, 21);
    assert_int_equal(a.subgroups, 22);
    assert_string_equal(a.first_measure, "RR");
    assert_int_equal(a.first.random, 1);
    assert_true(a.first.effect_size == 0.6837765472337998);
    assert_true(a.first.tau2 == 0.059731301081404224);
    assert_true(a.first.i2 == 83.70074514272594);
    assert_true(a.first.p_chi2 == 2.250977182427505E-12);
    ww_diags__free(d);
    free(data);
}

/* Every one of the review's 43 analyses (21 outcomes, 22 subgroups; risk
 * ratios, Mantel-Haenszel, random effects) is pooled again: the 41 RevMan
 * could estimate agree with its stored figures within 1e-6 (in fact to about
 * 1e-13), and the 2 it could not (every row with no events in either arm:
 * CMP-002.04 and CMP-004.03.02, ESTIMABLE="NO") are not compared. What it
 * takes to agree (see docs/revman.md): 0.5 added to every cell of a table
 * with a zero cell in the Mantel-Haenszel estimate too (with the raw counts,
 * as metafor's rma.mh, 20 analyses differ, by up to 0.57 relative, and
 * CMP-004.08 has no MH estimate at all); tau^2 from the Q about the MH
 * estimate (from the inverse-variance fit's Q, as metafor's DL, 32 differ);
 * tables with no events in both arms left out (kept with 0.5 added, as
 * escalc's default, 21 differ); and I^2 = 0 for a single study
 * (CMP-002.03.01 has two rows, one of them with no events). */
static void test_revman__cd000023_pooled_check(void **state)
{
    ww_diags *d, *d_plain;
    got g = {0}, plain = {0};
    double worst = 0;
    size_t random = 0, subgroups = 0;
    const ww_pooled_check *c = NULL;
    (void)state;
    run_shared(CD000023, &d, &g);
    assert_only_summary(d, CD000023, 3064, CD000023_SUMMARY);
    assert_int_equal(g.n_pools, 41);
    for (size_t i = 0; i < g.n_pools; i++) {
        const ww_pooled_check *p = &g.pools[i].c;
        assert_string_equal(p->metric, "RR");
        assert_string_equal(p->method, "MH");
        assert_true(p->max_rel_diff <= 1e-6);
        if (p->max_rel_diff > worst) worst = p->max_rel_diff;
        random += p->random == 1;
        subgroups += strlen(p->analysis_id) > strlen("CMP-001.01");
        assert_true(strcmp(p->analysis_id, "CMP-002.04") != 0);
        assert_true(strcmp(p->analysis_id, "CMP-004.03.02") != 0);
    }
    assert_int_equal(random, 41);
    assert_int_equal(subgroups, 21);
    print_message("CD000023: largest relative difference from RevMan over 41 analyses %.2g\n",
                  worst);

    /* The first outcome, and a subgroup's call before its outcome's. */
    c = &g.pools[0].c;
    assert_string_equal(c->analysis_id, "CMP-001.01");
    assert_int_equal(c->k, 15);
    assert_int_equal(c->line, 3067);
    assert_true(c->reported_tau2 == 0.059731301081404224);
    assert_rel(c->tau2, c->reported_tau2);
    assert_rel(c->i2, 83.70074514272594);
    assert_string_equal(g.pools[1].c.analysis_id, "CMP-001.02.01");
    assert_string_equal(g.pools[2].c.analysis_id, "CMP-001.02.02");
    assert_string_equal(g.pools[3].c.analysis_id, "CMP-001.02");
    /* CMP-004.01: 16 rows, 9 of them with no events in either arm */
    for (size_t i = 0; i < g.n_pools; i++)
        if (!strcmp(g.pools[i].c.analysis_id, "CMP-004.01")) c = &g.pools[i].c;
    assert_string_equal(c->analysis_id, "CMP-004.01");
    assert_int_equal(c->k, 7);
    /* CMP-002.03.01: one study left after the double-zero one */
    for (size_t i = 0; i < g.n_pools; i++)
        if (!strcmp(g.pools[i].c.analysis_id, "CMP-002.03.01")) c = &g.pools[i].c;
    assert_int_equal(c->k, 1);
    assert_true(c->q == 0 && c->i2 == 0 && c->tau2 == 0);
    assert_true(c->reported_q == 0 && c->reported_i2 == 0);

    /* The records are the same with and without the callback. */
    plain.no_pooled = 1;
    run_shared(CD000023, &d_plain, &plain);
    assert_int_equal(plain.n, g.n);
    for (size_t i = 0; i < g.n; i++) {
        assert_string_equal(plain.recs[i].owhere, g.recs[i].owhere);
        assert_true(plain.recs[i].events_t == g.recs[i].events_t);
        assert_true(plain.recs[i].events_c == g.recs[i].events_c);
        assert_true(same_number(plain.recs[i].estimate, g.recs[i].estimate));
    }
    got_free(&plain);
    got_free(&g);
    ww_diags__free(d_plain);
    ww_diags__free(d);
}

/* ---- small reviews for the rules ----------------------------------------------------- */



#define HEAD(encoding)                                                                             \
    "<?xml version=\"1.0\" encoding=\"" encoding "\"?>\n"                                          \
    "<COCHRANE_REVIEW DOI=\"10.0000/test\">\n"                                                     \
    "<COVER_SHEET><TITLE>Tutoring for reading</TITLE></COVER_SHEET>\n"                             \
    "<STUDIES_AND_REFERENCES><STUDIES><INCLUDED_STUDIES>\n"
#define STUDIES_END                                                                                \
    "</INCLUDED_STUDIES></STUDIES></STUDIES_AND_REFERENCES>\n"                                     \
    "<ANALYSES_AND_DATA><COMPARISON ID=\"CMP-001\"><NAME>Tutoring versus none</NAME>\n"
#define TAIL "</COMPARISON></ANALYSES_AND_DATA>\n</COCHRANE_REVIEW>\n"
#define LABELS(g1, g2)                                                                             \
    "<NAME>Reading</NAME><GROUP_LABEL_1>Tutoring</GROUP_LABEL_1>"                                  \
    "<GROUP_LABEL_2>No tutoring</GROUP_LABEL_2><GRAPH_LABEL_1>" g1 "</GRAPH_LABEL_1>"              \
    "<GRAPH_LABEL_2>" g2 "</GRAPH_LABEL_2>\n"

/* ---- RevMan's pooled results, method by method ------------------------------------ */

/* A review with studies S1..S<n> and one outcome, CMP-001.01, of type elem
 * ("DICH", "CONT", "IV") with the attributes attrs (RevMan's pooled figures
 * among them) and the data rows rows. ANALYSES_AND_DATA is on line n + 6,
 * the outcome on line n + 7. The caller frees the text. */
static char *one_outcome(const char *elem, const char *attrs, size_t n_studies, const char *rows)
{
    size_t size = 4096 + strlen(attrs) + strlen(rows) + 64 * n_studies, at;
    char *doc = malloc(size);
    assert_non_null(doc);
    at = (size_t)snprintf(doc, size, "%s", HEAD("UTF-8"));
    for (size_t i = 1; i <= n_studies; i++)
        at += (size_t)snprintf(doc + at, size - at, "<STUDY ID=\"STD-S%zu\" NAME=\"S%zu\"/>\n", i,
                               i);
    snprintf(doc + at, size - at,
             "%s<%s_OUTCOME ID=\"CMP-001.01\" %s>%s%s</%s_OUTCOME>\n%s", STUDIES_END, elem, attrs,
             LABELS("Favours experimental", "Favours control"), rows, elem, TAIL);
    return doc;
}

/* Append a formatted piece to buf (n bytes). */
static void append(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t n, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    assert_true((size_t)vsnprintf(buf + len, n - len, fmt, ap) < n - len);
    va_end(ap);
}

/* RevMan's figures as outcome attributes; ratios given as logs. */
static void pooled_attrs(char *buf, size_t n, const char *head, int log_scale, double est,
                         double lo, double hi, double tau2, double i2, double q, double z)
{
    if (log_scale) {
        est = exp(est);
        lo = exp(lo);
        hi = exp(hi);
    }
    snprintf(buf, n,
             "%s EFFECT_SIZE=\"%.17g\" CI_START=\"%.17g\" CI_END=\"%.17g\" TAU2=\"%.17g\" "
             "I2=\"%.17g\" CHI2=\"%.17g\" Z=\"%.17g\"",
             head, est, lo, hi, tau2, i2, q, fabs(z));
}

/* Run one review; it must give exactly one pooled check, which is returned
 * in *out (g keeps its strings). */
static const ww_pooled_check *run_one_check(const char *file, const char *doc, ww_diags **d,
                                            got *g)
{
    assert_ww_ok(run_text(file, doc, d, g));
    assert_int_equal(ww_diags__errors(*d), 0);
    assert_int_equal(g->n_pools, 1);
    return &g->pools[0].c;
}

/* Fleiss 1993's aspirin trials (the DICH rows of Fleiss1993.rm5). */
static const long aspirin[7][4] = {{49, 615, 67, 624},     {44, 758, 64, 771},
                                   {102, 832, 126, 850},   {32, 317, 38, 309},
                                   {85, 810, 52, 406},     {246, 2267, 219, 2257},
                                   {1570, 8587, 1720, 8600}};
/* Its mental health trials (the CONT rows): mean, SD and N of each arm. */
static const double mental[5][6] = {{5.0, 4.7, 13, 6.5, 3.8, 13},
                                    {4.9, 1.71, 30, 6.1, 2.3, 50},
                                    {22.5, 3.44, 35, 24.9, 10.65, 35},
                                    {12.5, 1.47, 20, 12.3, 1.66, 20},
                                    {6.5, 0.76, 8, 7.38, 1.41, 8}};
/* metafor's dat.bcg (Colditz et al. 1994): tpos, tneg, cpos, cneg. */
static const long bcg[13][4] = {{4, 119, 11, 128},       {6, 300, 29, 274},
                                {3, 228, 11, 209},       {62, 13536, 248, 12619},
                                {33, 5036, 47, 5761},    {180, 1361, 372, 1079},
                                {8, 2537, 10, 619},      {505, 87886, 499, 87892},
                                {29, 7470, 45, 7232},    {17, 1699, 65, 1600},
                                {186, 50448, 141, 27197}, {5, 2493, 3, 2338},
                                {27, 16886, 29, 17825}};

static void mental_rows(char *rows, size_t n)
{
    rows[0] = '\0';
    for (int i = 0; i < 5; i++)
        append(rows, n,
               "<CONT_DATA MEAN_1=\"%g\" SD_1=\"%g\" TOTAL_1=\"%g\" MEAN_2=\"%g\" SD_2=\"%g\" "
               "TOTAL_2=\"%g\" STUDY_ID=\"STD-S%d\"/>\n",
               mental[i][0], mental[i][1], mental[i][2], mental[i][3], mental[i][4],
               mental[i][5], i + 1);
}

/* The methods RevMan 5 has besides MH: each reproduces figures that RevMan,
 * or metafor where its method is the same as RevMan's, gives. */
static void test_revman__pooled_methods(void **state)
{
    char rows[8192], attrs[1024], *doc;
    const ww_pooled_check *c;
    ww_diags *d;
    got g = {0};
    (void)state;

    /* Peto's odds ratio on the aspirin trials (no zero cells, where Peto
     * needs no correction): metafor's rma.peto (tests/test_meta.c). */
    rows[0] = '\0';
    for (int i = 0; i < 7; i++)
        append(rows, sizeof rows,
               "<DICH_DATA EVENTS_1=\"%ld\" TOTAL_1=\"%ld\" EVENTS_2=\"%ld\" TOTAL_2=\"%ld\" "
               "STUDY_ID=\"STD-S%d\"/>\n",
               aspirin[i][0], aspirin[i][1], aspirin[i][2], aspirin[i][3], i + 1);
    pooled_attrs(attrs, sizeof attrs, "EFFECT_MEASURE=\"PETO_OR\" METHOD=\"PETO\" RANDOM=\"NO\"",
                 1, -0.10887405939554064, -0.17374829090474148, -0.043999827886339798, 0,
                 39.806315766359887, 9.9678231634919818, -3.2892757309297798);
    doc = one_outcome("DICH", attrs, 7, rows);
    c = run_one_check("peto.rm5", doc, &d, &g);
    assert_string_equal(c->metric, "PETO_OR");
    assert_string_equal(c->method, "PETO");
    assert_int_equal(c->k, 7);
    assert_true(c->max_rel_diff <= 1e-12);
    assert_only_summary(d, "peto.rm5", 13,
                        "1 analysis compared with RevMan's stored results: 1 agree within 1e-6, "
                        "0 differ");
    free(doc);
    got_free(&g);
    ww_diags__free(d);

    /* Inverse variance on the BCG trials' risk ratios, fixed and random
     * (DerSimonian-Laird): metafor's rma(method = "FE" / "DL"). */
    rows[0] = '\0';
    for (int i = 0; i < 13; i++)
        append(rows, sizeof rows,
               "<DICH_DATA EVENTS_1=\"%ld\" TOTAL_1=\"%ld\" EVENTS_2=\"%ld\" TOTAL_2=\"%ld\" "
               "STUDY_ID=\"STD-S%d\"/>\n",
               bcg[i][0], bcg[i][0] + bcg[i][1], bcg[i][2], bcg[i][2] + bcg[i][3], i + 1);
    pooled_attrs(attrs, sizeof attrs, "EFFECT_MEASURE=\"RR\" METHOD=\"IV\" RANDOM=\"NO\"", 1,
                 -0.43028516365409092, -0.5096612584262139, -0.35090906888196793, 0,
                 92.117346854562058, 152.23300808237329, -10.624652501046512);
    doc = one_outcome("DICH", attrs, 13, rows);
    c = run_one_check("bcg-fixed.rm5", doc, &d, &g);
    assert_int_equal(c->k, 13);
    assert_true(c->max_rel_diff <= 1e-12);
    free(doc);
    got_free(&g);
    ww_diags__free(d);
    pooled_attrs(attrs, sizeof attrs, "EFFECT_MEASURE=\"RR\" METHOD=\"IV\" RANDOM=\"YES\"", 1,
                 -0.71411722207322692, -1.0644452800840507, -0.36378916406240319,
                 0.30876026286237618, 92.117346854562058, 152.23300808237329,
                 -3.9952381888865807);
    doc = one_outcome("DICH", attrs, 13, rows);
    c = run_one_check("bcg-random.rm5", doc, &d, &g);
    assert_int_equal(c->random, 1);
    assert_true(c->max_rel_diff <= 1e-12);
    free(doc);
    got_free(&g);
    ww_diags__free(d);

    /* The same as generic inverse-variance data (log RR and its SE). */
    rows[0] = '\0';
    for (int i = 0; i < 13; i++) {
        ww_effect e;
        assert_ww_ok(ww_effect_log_rr(&e, (double)bcg[i][0], (double)bcg[i][1],
                                      (double)bcg[i][2], (double)bcg[i][3]));
        append(rows, sizeof rows,
               "<IV_DATA EFFECT_SIZE=\"%.17g\" SE=\"%.17g\" STUDY_ID=\"STD-S%d\"/>\n", e.yi,
               sqrt(e.vi), i + 1);
    }
    pooled_attrs(attrs, sizeof attrs,
                 "EFFECT_MEASURE=\"RR\" METHOD=\"IV\" RANDOM=\"YES\" LOG_DATA=\"YES\"", 1,
                 -0.71411722207322692, -1.0644452800840507, -0.36378916406240319,
                 0.30876026286237618, 92.117346854562058, 152.23300808237329,
                 -3.9952381888865807);
    doc = one_outcome("IV", attrs, 13, rows);
    c = run_one_check("bcg-generic.rm5", doc, &d, &g);
    assert_true(c->max_rel_diff <= 1e-12);
    free(doc);
    got_free(&g);
    ww_diags__free(d);

    /* Mean difference on the mental health trials: RevMan 5's own figures
     * in Fleiss1993_CR.csv, its export of the same review analysed as MD.
     * They have 8 significant digits, so they agree to half a unit in the
     * 8th digit, 5e-8 relative (1.7e-8 here, in CI_END). */
    mental_rows(rows, sizeof rows);
    doc = one_outcome("CONT",
                      "EFFECT_MEASURE=\"MD\" METHOD=\"IV\" RANDOM=\"NO\" "
                      "EFFECT_SIZE=\"-0.70938839\" CI_START=\"-1.25848502\" "
                      "CI_END=\"-0.16029176\" TAU2=\"0\" "
                      "I2=\"29.33016758\" CHI2=\"5.66012379\" Z=\"2.53211477\"",
                      5, rows);
    c = run_one_check("md.rm5", doc, &d, &g);
    assert_true(c->max_rel_diff <= 5e-8);
    assert_int_equal(c->k, 5);
    free(doc);
    got_free(&g);
    ww_diags__free(d);

    /* The same at CI_TOTAL="90": RevMan's estimate -/+ 1.6449 SE, the SE
     * being |estimate| / Z from the same export. */
    {
        double est = -0.70938839, se = 0.70938839 / 2.53211477, z90 = 1.6448536269514722;
        snprintf(attrs, sizeof attrs,
                 "EFFECT_MEASURE=\"MD\" METHOD=\"IV\" RANDOM=\"NO\" CI_TOTAL=\"90\" "
                 "EFFECT_SIZE=\"%.17g\" CI_START=\"%.17g\" CI_END=\"%.17g\" Z=\"2.53211477\"",
                 est, est - z90 * se, est + z90 * se);
    }
    doc = one_outcome("CONT", attrs, 5, rows);
    c = run_one_check("md90.rm5", doc, &d, &g);
    assert_true(c->max_rel_diff <= 5e-8);
    assert_true(isnan(c->reported_tau2) && isnan(c->reported_i2));
    free(doc);
    got_free(&g);
    ww_diags__free(d);

    /* A CI at a level RevMan does not offer (80%) is passed on, not compared. */
    doc = one_outcome("CONT",
                      "EFFECT_MEASURE=\"MD\" METHOD=\"IV\" RANDOM=\"NO\" CI_TOTAL=\"80\" "
                      "EFFECT_SIZE=\"-0.70938839\" CI_START=\"-1\" CI_END=\"-0.4\"",
                      5, rows);
    c = run_one_check("md80.rm5", doc, &d, &g);
    assert_true(c->max_rel_diff <= 5e-8);
    assert_true(c->reported_ci_low == -1 && isnan(c->ci_low));
    free(doc);
    got_free(&g);
    ww_diags__free(d);
}

/* RevMan's SMD is Hedges' g with the approximate correction and its own
 * variance (Deeks & Higgins 2010), written out here; metafor's exact J and
 * large-sample variance give a different pooled SMD, which would be flagged. */
static void test_revman__pooled_smd(void **state)
{
    char rows[4096], attrs[1024], *doc;
    double y[5], v[5], w_sum = 0, wy = 0, q = 0, est, se, crit = 1.959963984540054;
    double y_metafor[5], v_metafor[5];
    const ww_pooled_check *c;
    ww_meta_result metafor;
    ww_meta_pool_opts fe = {0};
    ww_diags *d;
    got g = {0};
    (void)state;
    for (int i = 0; i < 5; i++) {
        const double *m = mental[i];
        double n = m[2] + m[5];
        double s = sqrt(((m[2] - 1) * m[1] * m[1] + (m[5] - 1) * m[4] * m[4]) / (n - 2));
        ww_effect e;
        y[i] = (m[0] - m[3]) / s * (1 - 3 / (4 * n - 9));
        v[i] = n / (m[2] * m[5]) + y[i] * y[i] / (2 * (n - 3.94));
        w_sum += 1 / v[i];
        wy += y[i] / v[i];
        assert_ww_ok(ww_effect_smd(&e, m[0], m[1], m[2], m[3], m[4], m[5], WW_SMD_EXACT));
        y_metafor[i] = e.yi;
        v_metafor[i] = e.vi;
    }
    est = wy / w_sum;
    se = sqrt(1 / w_sum);
    for (int i = 0; i < 5; i++) q += (y[i] - est) * (y[i] - est) / v[i];
    assert_ww_ok(ww_meta_pool(&metafor, NULL, y_metafor, v_metafor, 5, &fe));
    assert_true(fabs(metafor.estimate - est) > 1e-4 * fabs(est));

    mental_rows(rows, sizeof rows);
    pooled_attrs(attrs, sizeof attrs, "EFFECT_MEASURE=\"SMD\" METHOD=\"IV\" RANDOM=\"NO\"", 0,
                 est, est - crit * se, est + crit * se, 0, q > 4 ? 100 * (q - 4) / q : 0, q,
                 est / se);
    doc = one_outcome("CONT", attrs, 5, rows);
    c = run_one_check("smd.rm5", doc, &d, &g);
    assert_true(c->max_rel_diff <= 1e-12);
    print_message("Fleiss 1993 mental health, RevMan's SMD %.10f, metafor's %.10f\n", c->estimate,
                  metafor.estimate);
    free(doc);
    got_free(&g);
    ww_diags__free(d);
}

/* A difference is one warning for its analysis, and the summary counts it;
 * an analysis we cannot pool counts as a difference too. */
static void test_revman__pooled_differences(void **state)
{
    char rows[4096], *doc;
    const ww_pooled_check *c;
    ww_diags *d;
    got g = {0};
    (void)state;
    mental_rows(rows, sizeof rows);
    doc = one_outcome("CONT",
                      "EFFECT_MEASURE=\"MD\" METHOD=\"IV\" RANDOM=\"NO\" EFFECT_SIZE=\"-0.70945\" "
                      "CI_START=\"-1.25848502\" CI_END=\"-0.16029176\" TAU2=\"0\" "
                      "I2=\"29.33016758\" CHI2=\"5.66012379\" Z=\"2.53211477\"",
                      5, rows);
    c = run_one_check("md-off.rm5", doc, &d, &g);
    assert_warning(d, "md-off.rm5", "CMP-001.01", 12,
                   "RevMan's pooled MD -0.70945 vs ours -0.7093884 (relative difference 8.7e-5; "
                   "method IV fixed)");
    assert_warning(d, "md-off.rm5", "ANALYSES_AND_DATA", 11,
                   "1 analysis compared with RevMan's stored results: 0 agree within 1e-6, 1 "
                   "differ");
    assert_int_equal(ww_diags__count(d), 2);
    assert_true(c->max_rel_diff > 8.6e-5 && c->max_rel_diff < 8.7e-5);
    assert_int_equal(g.n, 5); /* the records are all there */
    free(doc);
    got_free(&g);
    ww_diags__free(d);

    /* Peto's method with a risk ratio is not something RevMan does. */
    doc = one_outcome("DICH",
                      "EFFECT_MEASURE=\"RR\" METHOD=\"PETO\" RANDOM=\"NO\" EFFECT_SIZE=\"0.5\"",
                      1,
                      "<DICH_DATA EVENTS_1=\"5\" TOTAL_1=\"20\" EVENTS_2=\"9\" TOTAL_2=\"20\" "
                      "STUDY_ID=\"STD-S1\"/>\n");
    c = run_one_check("peto-rr.rm5", doc, &d, &g);
    assert_warning(d, "peto-rr.rm5", "CMP-001.01", 8,
                   "RevMan's pooled RR 0.5; ours could not be computed: Peto's method pools "
                   "odds ratios only (method PETO fixed)");
    assert_true(isnan(c->estimate) && isnan(c->max_rel_diff));
    assert_int_equal(c->k, 0);
    free(doc);
    got_free(&g);
    ww_diags__free(d);
}

/* A sink whose `pooled` callback fails stops the import with its error. */
static void test_revman__pooled_sink_stop(void **state)
{
    char path[1024];
    size_t size;
    unsigned char *data = slurp(SHARED_PATH(path, FLEISS), &size);
    ww_diags *d;
    got g = {0};
    (void)state;
    g.pooled_fail = 1;
    assert_int_equal(run(FLEISS, data, size, &d, &g), WW_ERROR);
    assert_int_equal(g.n, 7); /* the DICH rows came before their outcome closed */
    assert_int_equal(g.n_pools, 0);
    got_free(&g);
    ww_diags__free(d);
    free(data);
}

static void test_revman__latin1_names_and_id_escapes(void **state)
{
    static const char doc[] = HEAD(
        "ISO-8859-1") "<STUDY ID=\"STD-M_x00fc_ller_x002d_2001_x0020_b\" YEAR=\"2001\"/>\n"
                      "<STUDY ID=\"STD-Gonzalez-1999\" NAME=\"Gonz\xe1lez 1999\" YEAR=\"1999\">"
                      "<REFERENCE PRIMARY=\"NO\"><TI>First reference</TI><YR>1998</YR></REFERENCE>"
                      "<REFERENCE PRIMARY=\"YES\"><TI>The \x93main\x94 report \x96 final</TI>"
                      "<AU>Gonz\xe1lez J</AU><YR>2000</YR><IDENTIFIERS><IDENTIFIER TYPE=\"DOI\" "
                      "VALUE=\"10.1000/xyz\"/></IDENTIFIERS></REFERENCE></STUDY>\n" STUDIES_END
                      "<CONT_OUTCOME EFFECT_MEASURE=\"MD\" ID=\"CMP-001.01\">" LABELS(
                          "Favours no tutoring",
                          "Favours tutoring") "<CONT_DATA MEAN_1=\"10\" MEAN_2=\"8\" SD_1=\"2\" "
                                              "SD_2=\"2\" "
                                              "STUDY_ID=\"STD-M_x00fc_ller_x002d_2001_x0020_b\" "
                                              "TOTAL_1=\"20\" TOTAL_2=\"20\" EFFECT_SIZE=\"2.0\" "
                                              "CI_START=\"0.760387\" CI_END=\"3.239613\"/>\n"
                                              "<CONT_DATA MEAN_1=\"11\" MEAN_2=\"8\" SD_1=\"3\" "
                                              "SD_2=\"2\" STUDY_ID=\"STD-Gonzalez-1999\" "
                                              "TOTAL_1=\"30\" TOTAL_2=\"30\"/>\n"
                                              "</CONT_OUTCOME>\n" TAIL;
    ww_diags *d;
    got g = {0};
    (void)state;
    assert_ww_ok(run_text("latin1.rm5", doc, &d, &g));
    assert_clean(d);
    assert_int_equal(g.n, 2);
    /* no NAME: the ID without "STD-", escapes decoded (U+00FC, '-', ' ') */
    assert_string_equal(g.recs[0].title, "M\xc3\xbcller-2001 b");
    assert_string_equal(g.recs[0].key, "STD-M_x00fc_ller_x002d_2001_x0020_b");
    assert_int_equal(g.recs[0].year, 2001);
    /* ISO-8859-1 decoded; Windows-1252 quotes and dash (0x93 0x94 0x96) too;
     * the PRIMARY="YES" reference wins over the first one */
    assert_string_equal(g.recs[1].title,
                        "The \xe2\x80\x9cmain\xe2\x80\x9d report \xe2\x80\x93 final");
    assert_string_equal(g.recs[1].authors, "Gonz\xc3\xa1lez J");
    assert_string_equal(g.recs[1].doi, "10.1000/xyz");
    assert_int_equal(g.recs[1].year, 2000);
    assert_string_equal(g.recs[1].notes, "Study: Gonz\xc3\xa1lez 1999");
    /* MD; the left side favours the control arm, so higher is better */
    assert_string_equal(g.recs[0].metric, "MD");
    assert_int_equal(g.recs[0].higher_is_better, 1);
    assert_true(g.recs[0].estimate == 2.0);
    assert_true(g.recs[0].ci_low == 0.760387);
    assert_string_equal(g.recs[0].intervention, "Tutoring for reading: Tutoring versus none");
    got_free(&g);
    ww_diags__free(d);
}

static void test_revman__direction_rule(void **state)
{
    static const char doc[] = HEAD(
        "ISO-8859-1") "<STUDY ID=\"STD-A\" NAME=\"A\"/>\n" STUDIES_END
                      "<DICH_OUTCOME EFFECT_MEASURE=\"OR\" ID=\"CMP-001.01\">" LABELS(
                          "Favours [experimental]",
                          "Favours [control]") "<DICH_DATA EVENTS_1=\"5\" EVENTS_2=\"9\" "
                                               "STUDY_ID=\"STD-A\" TOTAL_1=\"20\" "
                                               "TOTAL_2=\"20\"/>\n"
                                               "</DICH_OUTCOME>\n"
                                               "<DICH_OUTCOME EFFECT_MEASURE=\"RR\" "
                                               "ID=\"CMP-001.02\">" LABELS(
                                                   "Favours No tutoring",
                                                   "Favours Tutoring") "<DICH_DATA EVENTS_1=\"15\" "
                                                                       "EVENTS_2=\"9\" "
                                                                       "STUDY_ID=\"STD-A\" "
                                                                       "TOTAL_1=\"20\" "
                                                                       "TOTAL_2=\"20\"/>\n"
                                                                       "</DICH_OUTCOME>\n"
                                                                       "<DICH_OUTCOME "
                                                                       "EFFECT_MEASURE=\"RD\" "
                                                                       "ID=\"CMP-001.03\">" LABELS(
                                                                           "Favours red",
                                                                           "Favours blue") "<DICH_"
                                                                                           "DATA "
                                                                                           "EVENTS_"
                                                                                           "1="
                                                                                           "\"15\" "
                                                                                           "EVENTS_"
                                                                                           "2="
                                                                                           "\"9\" "
                                                                                           "STUDY_"
                                                                                           "ID="
                                                                                           "\"STD-"
                                                                                           "A\" "
                                                                                           "TOTAL_"
                                                                                           "1="
                                                                                           "\"20\" "
                                                                                           "TOTAL_"
                                                                                           "2="
                                                                                           "\"20\"/"
                                                                                           ">\n"
                                                                                           "</"
                                                                                           "DICH_"
                                                                                           "OUTCOME"
                                                                                           ">\n"
                                                                                           "<DICH_"
                                                                                           "OUTCOME"
                                                                                           " EFFECT"
                                                                                           "_MEASUR"
                                                                                           "E="
                                                                                           "\"OR\" "
                                                                                           "ID="
                                                                                           "\"CMP-"
                                                                                           "001."
                                                                                           "04\"><"
                                                                                           "NAME>"
                                                                                           "Reading"
                                                                                           "</NAME>"
                                                                                           "<GRAPH_"
                                                                                           "LABEL_"
                                                                                           "2>"
                                                                                           "Favours"
                                                                                           " interv"
                                                                                           "ention<"
                                                                                           "/GRAPH_"
                                                                                           "LABEL_"
                                                                                           "2>\n"
                                                                                           "<DICH_"
                                                                                           "DATA "
                                                                                           "EVENTS_"
                                                                                           "1="
                                                                                           "\"15\" "
                                                                                           "EVENTS_"
                                                                                           "2="
                                                                                           "\"9\" "
                                                                                           "STUDY_"
                                                                                           "ID="
                                                                                           "\"STD-"
                                                                                           "A\" "
                                                                                           "TOTAL_"
                                                                                           "1="
                                                                                           "\"20\" "
                                                                                           "TOTAL_"
                                                                                           "2="
                                                                                           "\"20\"/"
                                                                                           ">\n"
                                                                                           "</"
                                                                                           "DICH_"
                                                                                           "OUTCOME"
                                                                                           ">"
                                                                                           "\n" TAIL;
    ww_diags *d;
    got g = {0};
    (void)state;
    assert_ww_ok(run_text("direction.rm5", doc, &d, &g));
    assert_int_equal(g.n, 4);
    assert_int_equal(g.recs[0].higher_is_better, 0); /* left favours experimental */
    assert_int_equal(g.recs[1].higher_is_better, 1); /* left favours the control arm by name */
    assert_int_equal(g.recs[2].higher_is_better, 0); /* cannot tell: RevMan's default */
    assert_int_equal(g.recs[3].higher_is_better, 1); /* right favours the intervention */
    assert_warning(d, "direction.rm5", "GRAPH_LABEL_1", 14, "cannot tell which arm 'Favours red'");
    assert_int_equal(ww_diags__count(d), 1);
    got_free(&g);
    ww_diags__free(d);
}

/* ---- the design: the study's methods, else the review's types of studies ---------- */

/* A review with one included study, STD-A, whose CHAR_METHODS is methods
 * (NULL: no INCLUDED_CHAR), one data row, and the review's CRIT_STUDIES
 * text crit (NULL: none) in MAIN_TEXT before the studies, as RevMan writes
 * it, or with crit_after at the end of the file, after the data rows. The
 * caller frees the text. */
static char *design_doc(const char *methods, const char *crit, int crit_after)
{
    char main_text[1024] = "", char_part[1024] = "", *doc;
    size_t n = 4096;
    if (crit)
        snprintf(main_text, sizeof main_text,
                 "<MAIN_TEXT><BODY><METHODS><SELECTION_CRITERIA><CRIT_STUDIES><P>%s</P>"
                 "</CRIT_STUDIES><CRIT_PARTICIPANTS><P>Pupils aged 7 to 9.</P>"
                 "</CRIT_PARTICIPANTS></SELECTION_CRITERIA></METHODS></BODY></MAIN_TEXT>\n",
                 crit);
    if (methods)
        snprintf(char_part, sizeof char_part,
                 "<CHARACTERISTICS_OF_STUDIES><CHARACTERISTICS_OF_INCLUDED_STUDIES>"
                 "<INCLUDED_CHAR STUDY_ID=\"STD-A\"><CHAR_METHODS><P>%s</P></CHAR_METHODS>"
                 "</INCLUDED_CHAR></CHARACTERISTICS_OF_INCLUDED_STUDIES>"
                 "</CHARACTERISTICS_OF_STUDIES>\n",
                 methods);
    doc = malloc(n);
    assert_non_null(doc);
    snprintf(
        doc, n,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<COCHRANE_REVIEW DOI=\"10.0000/test\">\n"
        "<COVER_SHEET><TITLE>Tutoring for reading</TITLE></COVER_SHEET>\n"
        "%s"
        "<STUDIES_AND_REFERENCES><STUDIES><INCLUDED_STUDIES>\n"
        "<STUDY ID=\"STD-A\" NAME=\"A\"/>\n"
        "</INCLUDED_STUDIES><EXCLUDED_STUDIES><STUDY ID=\"STD-X\" NAME=\"X\"/>"
        "</EXCLUDED_STUDIES></STUDIES></STUDIES_AND_REFERENCES>\n%s"
        "<ANALYSES_AND_DATA><COMPARISON ID=\"CMP-001\"><NAME>Tutoring versus none</NAME>\n"
        "<DICH_OUTCOME EFFECT_MEASURE=\"RR\" ID=\"CMP-001.01\">" LABELS(
            "Favours tutoring", "Favours no tutoring") "<DICH_DATA EVENTS_1=\"5\" "
                                                       "EVENTS_2=\"9\" STUDY_ID=\"STD-A\" "
                                                       "TOTAL_1=\"20\" TOTAL_2=\"20\"/>\n"
                                                       "</DICH_OUTCOME>\n</COMPARISON></"
                                                       "ANALYSES_AND_DATA>\n%s</COCHRANE_REVIEW>\n",
        crit_after ? "" : main_text, char_part, crit_after ? main_text : "");
    return doc;
}

/* The design and basis the one record of design_doc() gets. */
static ww_design design_of(const char *methods, const char *crit, int crit_after, char *basis,
                           size_t n)
{
    char *doc = design_doc(methods, crit, crit_after);
    ww_diags *d;
    got g = {0};
    ww_design design;
    assert_ww_ok(run_text("design.rm5", doc, &d, &g));
    assert_clean(d);
    assert_int_equal(g.n, 1);
    design = g.recs[0].design;
    assert_non_null(g.recs[0].basis);
    snprintf(basis, n, "%s", g.recs[0].basis);
    got_free(&g);
    ww_diags__free(d);
    free(doc);
    return design;
}

#define METHODS_BASIS "the study's methods: "
#define CRITERIA_BASIS "the review's inclusion criteria (types of studies): "
#define NOT_STATED                                                                                 \
    "not stated in the study's methods or in the review's inclusion criteria (types of studies)"

static void test_revman__design_phrases(void **state)
{
    /* What the study's own CHAR_METHODS says, and the design it gives. */
    static const struct {
        const char *methods;
        ww_design design;
        const char *quote;
    } cases[] = {
        {"Randomised controlled trial", WW_DESIGN_RANDOMISED, "'Randomised controlled trial'"},
        {"RANDOMIZED CONTROLLED TRIAL", WW_DESIGN_RANDOMISED, NULL},
        {"double-blind, randomized, placebo-controlled", WW_DESIGN_RANDOMISED, NULL},
        {"Double-blind RCT in 12 schools", WW_DESIGN_RANDOMISED, NULL},
        {"Cluster randomised trial; schools were the unit", WW_DESIGN_RANDOMISED,
         "'Cluster randomised trial...'"},
        {"cluster-randomized controlled trial", WW_DESIGN_RANDOMISED, NULL},
        {"Random allocation by sealed envelopes", WW_DESIGN_RANDOMISED, NULL},
        {"Pupils were randomly assigned to the two groups", WW_DESIGN_RANDOMISED, NULL},
        {"Allocation: random", WW_DESIGN_RANDOMISED, NULL},
        {"Pupils allocated at random", WW_DESIGN_RANDOMISED, NULL},
        {"Randomisation by computer; no details of concealment", WW_DESIGN_RANDOMISED, NULL},
        {"No details of randomisation given", WW_DESIGN_RANDOMISED, NULL},
        {"A randomised trial excluding children with asthma", WW_DESIGN_RANDOMISED, NULL},
        /* not a true RCT */
        {"Open study, quasi-randomised", WW_DESIGN_COMPARISON, "'Open study, quasi-randomised'"},
        {"quasi-random allocation by date of birth", WW_DESIGN_COMPARISON, NULL},
        {"Quasi-RCT (alternate allocation)", WW_DESIGN_COMPARISON, NULL},
        {"pseudo-randomised by day of the week", WW_DESIGN_COMPARISON, NULL},
        {"Randomised, but some classes quasi-randomised by date", WW_DESIGN_COMPARISON, NULL},
        /* negations: not randomised */
        {"Not randomised; two schools compared", WW_DESIGN_COMPARISON, NULL},
        {"Non-randomised controlled trial", WW_DESIGN_COMPARISON, NULL},
        {"nonrandomized comparison of two cohorts", WW_DESIGN_COMPARISON, NULL},
        {"The study was not truly randomised", WW_DESIGN_COMPARISON, NULL},
        {"Allocation was not random", WW_DESIGN_COMPARISON, NULL},
        /* designs without random allocation */
        {"Controlled before-after study", WW_DESIGN_DIFF_IN_DIFF, NULL},
        {"controlled before and after study in 4 districts", WW_DESIGN_DIFF_IN_DIFF, NULL},
        {"CBA study in 12 practices", WW_DESIGN_DIFF_IN_DIFF, NULL},
        {"Uncontrolled before-after study", WW_DESIGN_BEFORE_AFTER, NULL},
        {"Interrupted time series, 12 monthly points", WW_DESIGN_BEFORE_AFTER, NULL},
        {"ITS with 24 points before and after", WW_DESIGN_BEFORE_AFTER, NULL},
        {"Controlled interrupted time series", WW_DESIGN_DIFF_IN_DIFF, NULL},
    };
    /* Texts that name no design: the record has none either. */
    static const char *const none[] = {
        "Double-blind placebo trial",
        "Open study",
        "Unclear whether randomised",
        "Possibly randomised",
        "A random sample of households was surveyed",
        "Its outcome was reading",
        "Pupils were randomly selected from the roll",
    };
    char basis[512], want[512];
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ww_design got_design = design_of(cases[i].methods, NULL, 0, basis, sizeof basis);
        if (got_design != cases[i].design)
            fail_msg("'%s': design %s, expected %s", cases[i].methods, ww_design_name(got_design),
                     ww_design_name(cases[i].design));
        snprintf(want, sizeof want, METHODS_BASIS "%s", cases[i].quote ? cases[i].quote : "");
        if (cases[i].quote)
            assert_string_equal(basis, want);
        else
            assert_true(!strncmp(basis, want, strlen(want)));
    }
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        ww_design got_design = design_of(none[i], NULL, 0, basis, sizeof basis);
        if (got_design != WW_DESIGN_UNKNOWN)
            fail_msg("'%s': design %s, expected none", none[i], ww_design_name(got_design));
        assert_string_equal(basis, NOT_STATED);
    }
}

static void test_revman__design_from_criteria(void **state)
{
    char basis[512];
    (void)state;
    /* Methods that name no design: the review's types of studies give it,
     * whether they come before the studies (as RevMan writes them) or after
     * the data rows. */
    for (int after = 0; after <= 1; after++) {
        assert_int_equal(design_of("Double-blind placebo trial", "Randomised controlled trials.",
                                   after, basis, sizeof basis),
                         WW_DESIGN_RANDOMISED);
        assert_string_equal(basis, CRITERIA_BASIS "'Randomised controlled trials.'");
        /* no INCLUDED_CHAR at all */
        assert_int_equal(
            design_of(NULL, "randomized controlled trials (RCTs)", after, basis, sizeof basis),
            WW_DESIGN_RANDOMISED);
        assert_string_equal(basis, CRITERIA_BASIS "'randomized controlled trials (RCTs)'");
    }
    /* The study's own methods come first, even against the criteria. */
    assert_int_equal(design_of("Open study, quasi-randomised", "Randomised controlled trials.", 0,
                               basis, sizeof basis),
                     WW_DESIGN_COMPARISON);
    assert_string_equal(basis, METHODS_BASIS "'Open study, quasi-randomised'");
    assert_int_equal(
        design_of("Randomised controlled trial", "RCTs or quasi-RCTs.", 1, basis, sizeof basis),
        WW_DESIGN_RANDOMISED);
    /* Criteria that admit several designs vouch only for the least
     * rigorous; an excluded design does not count. */
    assert_int_equal(design_of("Open study", "Randomised controlled trials (RCTs) or quasi-RCTs.",
                               0, basis, sizeof basis),
                     WW_DESIGN_COMPARISON);
    assert_string_equal(basis,
                        CRITERIA_BASIS "'Randomised controlled trials (RCTs) or quasi-RCTs.'");
    assert_int_equal(design_of("Open study",
                               "Randomised controlled trials. Quasi-randomised trials were "
                               "excluded.",
                               0, basis, sizeof basis),
                     WW_DESIGN_RANDOMISED);
    assert_int_equal(design_of("Open study",
                               "We included RCTs and excluded quasi-randomised or "
                               "non-randomised studies.",
                               1, basis, sizeof basis),
                     WW_DESIGN_RANDOMISED);
    assert_int_equal(design_of(NULL, "Studies were included if they were randomised controlled "
                                     "trials; quasi-RCTs were not included.",
                               0, basis, sizeof basis),
                     WW_DESIGN_RANDOMISED);
    assert_string_equal(basis, CRITERIA_BASIS "'Studies were included if they were randomised "
                                              "controlled trials...'");
    assert_int_equal(design_of(NULL,
                               "Randomised and non-randomised controlled trials, controlled "
                               "before-after studies and interrupted time series studies.",
                               0, basis, sizeof basis),
                     WW_DESIGN_BEFORE_AFTER);
    assert_string_equal(basis, CRITERIA_BASIS "'...trials, controlled before-after studies and "
                                              "interrupted time series studies.'");
    assert_int_equal(design_of(NULL,
                               "Controlled before-and-after studies (CBA) with at least two "
                               "intervention and two control sites.",
                               1, basis, sizeof basis),
                     WW_DESIGN_DIFF_IN_DIFF);
    /* A long sentence is quoted around the phrase, about 80 bytes. */
    assert_int_equal(design_of(NULL,
                               "We considered for inclusion all studies of tutoring in primary "
                               "schools that were randomised controlled trials of any size, "
                               "published or not, in any language.",
                               0, basis, sizeof basis),
                     WW_DESIGN_RANDOMISED);
    assert_string_equal(basis, CRITERIA_BASIS "'...schools that were randomised controlled "
                                              "trials of any size, published or not, in...'");
    /* Criteria that name no design, or none at all: not stated. */
    assert_int_equal(
        design_of("Open study", "Studies of tutoring in primary schools.", 0, basis, sizeof basis),
        WW_DESIGN_UNKNOWN);
    assert_string_equal(basis, NOT_STATED);
    assert_int_equal(design_of("Open study", "", 1, basis, sizeof basis), WW_DESIGN_UNKNOWN);
    assert_int_equal(design_of(NULL, NULL, 0, basis, sizeof basis), WW_DESIGN_UNKNOWN);
    assert_string_equal(basis, NOT_STATED);
}

/* A study the review lists as excluded is not vouched for by its criteria. */
static void test_revman__design_excluded_study(void **state)
{
    char *doc = design_doc(NULL, "Randomised controlled trials.", 0), *at;
    ww_diags *d;
    got g = {0};
    (void)state;
    at = strstr(doc, "STUDY_ID=\"STD-A\" TOTAL_1");
    assert_non_null(at);
    at[14] = 'X'; /* the data row names STD-X */
    assert_ww_ok(run_text("design.rm5", doc, &d, &g));
    assert_int_equal(g.n, 1);
    assert_string_equal(g.recs[0].key, "STD-X");
    assert_int_equal(g.recs[0].design, WW_DESIGN_UNKNOWN);
    assert_string_equal(g.recs[0].basis,
                        "not stated in the study's methods; the review's inclusion criteria do "
                        "not apply (the study is not among its included studies)");
    got_free(&g);
    ww_diags__free(d);
    free(doc);
}

static void test_revman__generic_ipd_swap_and_empty_rows(void **state)
{
    static const char doc[] = HEAD(
        "ISO-8859-1") "<STUDY ID=\"STD-A\" NAME=\"A\"/>\n<STUDY ID=\"STD-B\" "
                      "NAME=\"B\"/>\n" STUDIES_END
                      /* generic inverse variance, log scale (line 8) */
                      "<IV_OUTCOME EFFECT_MEASURE=\"OR\" ID=\"CMP-001.01\" "
                      "LOG_DATA=\"YES\">" LABELS(
                          "Favours tutoring",
                          "Favours no tutoring") "<IV_DATA CI_END=\"2.0\" CI_START=\"0.5\" "
                                                 "EFFECT_SIZE=\"0.0\" SE=\"0.353653\" "
                                                 "STUDY_ID=\"STD-A\"/>\n"
                                                 "<IV_DATA EFFECT_SIZE=\"0\" SE=\"0\" "
                                                 "STUDY_ID=\"STD-B\"/>\n"
                                                 "</IV_OUTCOME>\n"
                                                 /* natural scale (line 12) */
                                                 "<IV_OUTCOME EFFECT_MEASURE=\"RR\" "
                                                 "ID=\"CMP-001.02\" LOG_DATA=\"NO\">" LABELS(
                                                     "Favours tutoring",
                                                     "Favours no tutoring") "<IV_DATA "
                                                                            "EFFECT_SIZE=\"0.5\" "
                                                                            "SE=\"0.2\" "
                                                                            "STUDY_ID=\"STD-A\"/>\n"
                                                                            "</IV_OUTCOME>\n"
                                                                            /* O-E and variance
                                                                               (line 15) */
                                                                            "<IPD_OUTCOME "
                                                                            "EFFECT_MEASURE=\"PETO_"
                                                                            "OR\" "
                                                                            "ID=\"CMP-001."
                                                                            "03\">" LABELS(
                                                                                "Favours tutoring",
                                                                                "Favours no "
                                                                                "tutoring") "<IPD_"
                                                                                            "DATA "
                                                                                            "O_E="
                                                                                            "\"-2."
                                                                                            "5\" "
                                                                                            "STUDY_"
                                                                                            "ID="
                                                                                            "\"STD-"
                                                                                            "A\" "
                                                                                            "VAR="
                                                                                            "\"6."
                                                                                            "25\"/"
                                                                                            ">\n"
                                                                                            "</"
                                                                                            "IPD_"
                                                                                            "OUTCOM"
                                                                                            "E>\n"
                                                                                            /* swapped
                                                                                               events,
                                                                                               an
                                                                                               empty
                                                                                               continuous
                                                                                               row,
                                                                                               free
                                                                                               text
                                                                                               (line
                                                                                               18)
                                                                                             */
                                                                                            "<DICH_"
                                                                                            "OUTCOM"
                                                                                            "E "
                                                                                            "EFFECT"
                                                                                            "_MEASU"
                                                                                            "RE="
                                                                                            "\"RR\""
                                                                                            " ID="
                                                                                            "\"CMP-"
                                                                                            "001."
                                                                                            "04\" "
                                                                                            "SWAP_"
                                                                                            "EVENTS"
                                                                                            "=\"YES"
                                                                                            "\""
                                                                                            ">" LABELS(
                                                                                                "Fa"
                                                                                                "vo"
                                                                                                "ur"
                                                                                                "s "
                                                                                                "tu"
                                                                                                "to"
                                                                                                "ri"
                                                                                                "n"
                                                                                                "g",
                                                                                                "Fa"
                                                                                                "vo"
                                                                                                "ur"
                                                                                                "s "
                                                                                                "no"
                                                                                                " t"
                                                                                                "ut"
                                                                                                "or"
                                                                                                "in"
                                                                                                "g") "<DICH_DATA EVENTS_1=\"5\" EVENTS_2=\"9\" STUDY_ID=\"STD-A\" TOTAL_1=\"20\" TOTAL_2=\"30\"/>\n"
                                                                                                     "</DICH_OUTCOME>\n"
                                                                                                     "<CONT_OUTCOME EFFECT_MEASURE=\"SMD\" ID=\"CMP-001.05\">" LABELS(
                                                                                                         "Favours tutoring",
                                                                                                         "Favours no tutoring") "<CONT_DATA MEAN_1=\"0\" MEAN_2=\"0\" SD_1=\"0\" SD_2=\"0\" STUDY_ID=\"STD-B\" TOTAL_1=\"0\" TOTAL_2=\"0\"/>\n"
                                                                                                                                "</CONT_OUTCOME>\n"
                                                                                                                                "<OTHER_OUTCOME ID=\"CMP-001.06\"><NAME>Notes</NAME></OTHER_OUTCOME>\n" TAIL;
    ww_diags *d;
    got g = {0};
    (void)state;
    assert_ww_ok(run_text("generic.rm5", doc, &d, &g));
    assert_int_equal(g.n, 4);

    assert_int_equal(g.recs[0].kind, WW_OUTCOME_GENERIC);
    assert_string_equal(g.recs[0].metric, "OR");
    assert_true(g.recs[0].yi == 0.0);
    assert_true(g.recs[0].se == 0.353653);
    assert_true(g.recs[0].estimate == 1.0); /* exp(0) */
    assert_true(g.recs[0].ci_low == 0.5);   /* the CI matched the natural scale */
    assert_true(g.recs[0].ci_high == 2.0);
    assert_warning(d, "generic.rm5", "IV_DATA", 11, "no data entered for study STD-B");

    assert_string_equal(g.recs[1].metric, "RR");
    assert_close(g.recs[1].yi, log(0.5), 1e-15); /* LOG_DATA="NO": logged here */
    assert_true(g.recs[1].se == 0.2);

    assert_string_equal(g.recs[2].metric, "OR");
    assert_true(g.recs[2].yi == -0.4); /* (O-E)/V */
    assert_true(g.recs[2].se == 0.4);  /* 1/sqrt(V) */

    /* SWAP_EVENTS: the non-events are analysed */
    assert_int_equal(g.recs[3].events_t, 15);
    assert_int_equal(g.recs[3].events_c, 21);
    assert_string_equal(g.recs[3].name, "Reading (non-events)");

    assert_warning(d, "generic.rm5", "CONT_DATA", 23, "no data entered");
    assert_warning(d, "generic.rm5", "OTHER_OUTCOME", 25, "not imported");
    assert_int_equal(ww_diags__errors(d), 0);
    got_free(&g);
    ww_diags__free(d);
}

/* ---- bad inputs --------------------------------------------------------------------------- */

/* The file was rejected: an error diagnostic, and nothing reached the sink. */
static void assert_rejected(const ww_diags *d, const got *g)
{
    assert_true(ww_diags__errors(d) > 0);
    assert_int_equal(g->n, 0);
    assert_int_equal(g->n_text, 0);
}

static void test_revman__structure_problems(void **state)
{
    static const char doc[] = HEAD(
        "ISO-8859-1") "<STUDY ID=\"STD-A\" NAME=\"A\"/>\n"
                      "<STUDY ID=\"STD-A\" NAME=\"A again\"/>\n"
                      "</INCLUDED_STUDIES></STUDIES></STUDIES_AND_REFERENCES>\n"
                      "<QUALITY_ITEMS><QUALITY_ITEM ID=\"QIT-01\"><NAME>Random sequence "
                      "generation</NAME>\n"
                      "<QUALITY_ITEM_DATA><QUALITY_ITEM_DATA_ENTRY RESULT=\"PERHAPS\" "
                      "STUDY_ID=\"STD-A\"/>\n"
                      "<QUALITY_ITEM_DATA_ENTRY RESULT=\"YES\" STUDY_ID=\"STD-Q\"/>\n"
                      "</QUALITY_ITEM_DATA></QUALITY_ITEM></QUALITY_ITEMS>\n"
                      "<ANALYSES_AND_DATA><COMPARISON ID=\"CMP-001\"><NAME>Tutoring versus "
                      "none</NAME>\n"
                      "<DICH_OUTCOME EFFECT_MEASURE=\"MD\" ID=\"CMP-001.01\">" LABELS(
                          "Favours tutoring",
                          "Favours no tutoring") "<DICH_DATA EVENTS_1=\"5\" EVENTS_2=\"9\" "
                                                 "STUDY_ID=\"STD-A\" TOTAL_1=\"20\" "
                                                 "TOTAL_2=\"20\"/>\n"
                                                 "</DICH_OUTCOME>\n"
                                                 "<DICH_OUTCOME EFFECT_MEASURE=\"RR\" "
                                                 "ID=\"CMP-001.02\">" LABELS(
                                                     "Favours tutoring",
                                                     "Favours no tutoring") "<DICH_DATA "
                                                                            "EVENTS_1=\"5\" "
                                                                            "EVENTS_2=\"9\" "
                                                                            "STUDY_ID=\"STD-Z\" "
                                                                            "TOTAL_1=\"20\" "
                                                                            "TOTAL_2=\"20\"/>\n"
                                                                            "<CONT_DATA "
                                                                            "MEAN_1=\"1\" "
                                                                            "MEAN_2=\"2\" "
                                                                            "SD_1=\"1\" SD_2=\"1\" "
                                                                            "STUDY_ID=\"STD-A\" "
                                                                            "TOTAL_1=\"9\" "
                                                                            "TOTAL_2=\"9\"/>\n"
                                                                            "</DICH_OUTCOME>\n"
                                                                            "<IV_OUTCOME "
                                                                            "EFFECT_MEASURE="
                                                                            "\"OTHER\" "
                                                                            "ID=\"CMP-001."
                                                                            "03\">" LABELS(
                                                                                "Favours tutoring",
                                                                                "Favours no "
                                                                                "tutoring") "<IV_"
                                                                                            "DATA "
                                                                                            "EFFECT"
                                                                                            "_SIZE="
                                                                                            "\"1\" "
                                                                                            "SE="
                                                                                            "\"0."
                                                                                            "5\" "
                                                                                            "STUDY_"
                                                                                            "ID="
                                                                                            "\"STD-"
                                                                                            "A\"/"
                                                                                            ">\n"
                                                                                            "</"
                                                                                            "IV_"
                                                                                            "OUTCOM"
                                                                                            "E>"
                                                                                            "\n" TAIL;
    ww_diags *d;
    got g = {0};
    (void)state;
    assert_ww_ok(run_text("structure.rm5", doc, &d, &g));
    assert_rejected(d, &g);
    assert_error(d, "structure.rm5", "ID", 6, "defined twice (first at line 5)");
    assert_warning(d, "structure.rm5", "RESULT", 9, "'PERHAPS' is not YES, NO or UNKNOWN");
    assert_warning(d, "structure.rm5", "STUDY_ID", 10, "'STD-Q' names no STUDY");
    assert_error(d, "structure.rm5", "EFFECT_MEASURE", 13,
                 "'MD' is not a measure RevMan 5 uses for DICH data");
    assert_error(d, "structure.rm5", "STUDY_ID", 17, "'STD-Z' names no STUDY");
    assert_error(d, "structure.rm5", "CONT_DATA", 18, "a CONT row inside DICH_OUTCOME CMP-001.02");
    assert_warning(d, "structure.rm5", "EFFECT_MEASURE", 20, "'OTHER' has no known scale");
    assert_int_equal(ww_diags__errors(d), 4);
    assert_int_equal(ww_diags__count(d), 7);
    ww_diags__free(d);
}

static void test_revman__not_revman(void **state)
{
    ww_diags *d;
    got g = {0};
    (void)state;
    assert_ww_ok(run_fixture("not-revman.xml", &d, &g));
    assert_rejected(d, &g);
    assert_error(d, "not-revman.xml", "submission", 2,
                 "a RevMan 5 review (.rm5) starts with <COCHRANE_REVIEW>");
    assert_int_equal(ww_diags__errors(d), 1);
    ww_diags__free(d);
}

static void test_revman__truncated(void **state)
{
    ww_diags *d;
    got g = {0};
    (void)state;
    /* cut inside the second data row: the first, complete row is not emitted */
    assert_ww_ok(run_fixture("truncated.rm5", &d, &g));
    assert_rejected(d, &g);
    assert_error(d, "truncated.rm5", "COCHRANE_REVIEW", 32, "truncated");
    assert_int_equal(ww_diags__errors(d), 1);
    ww_diags__free(d);
}

static void test_revman__wrong_encoding(void **state)
{
    static const char unknown[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-99\"?>\n"
                                  "<COCHRANE_REVIEW>\n</COCHRANE_REVIEW>\n";
    static const char utf16[] = "\xff\xfe<\0?\0x\0m\0l\0";
    ww_diags *d;
    got g = {0};
    (void)state;
    /* declares UTF-8, holds a Latin-1 byte on line 9 */
    assert_ww_ok(run_fixture("wrong-encoding.rm5", &d, &g));
    assert_rejected(d, &g);
    assert_error(d, "wrong-encoding.rm5", "encoding", 9, "not valid UTF-8");
    ww_diags__free(d);

    assert_ww_ok(run_text("unknown.rm5", unknown, &d, &g));
    assert_rejected(d, &g);
    assert_error(d, "unknown.rm5", "encoding", 1, "ISO-8859-99");
    ww_diags__free(d);

    assert_ww_ok(run("utf16.rm5", (const unsigned char *)utf16, sizeof utf16 - 1, &d, &g));
    assert_rejected(d, &g);
    assert_error(d, "utf16.rm5", "encoding", 1, "UTF-16");
    ww_diags__free(d);
}

static void test_revman__missing_study_id(void **state)
{
    ww_diags *d;
    got g = {0};
    (void)state;
    assert_ww_ok(run_fixture("missing-study-id.rm5", &d, &g));
    assert_rejected(d, &g);
    assert_error(d, "missing-study-id.rm5", "STUDY_ID", 31, "missing");
    assert_int_equal(ww_diags__errors(d), 1);
    ww_diags__free(d);
}

static void test_revman__absurd_numbers(void **state)
{
    ww_diags *d;
    got g = {0};
    (void)state;
    assert_ww_ok(run_fixture("absurd-numbers.rm5", &d, &g));
    assert_rejected(d, &g);
    assert_error(d, "absurd-numbers.rm5", "EVENTS_1", 31,
                 "60 events is more than the 50 participants");
    assert_error(d, "absurd-numbers.rm5", "TOTAL_2", 32, "must be > 0");
    assert_error(d, "absurd-numbers.rm5", "SD_2", 40, "must not be negative, got -3.5");
    assert_error(d, "absurd-numbers.rm5", "MEAN_1", 41, "not a number: 'ten'");
    assert_int_equal(ww_diags__errors(d), 4);
    ww_diags__free(d);
}

static void test_revman__malformed(void **state)
{
    ww_diags *d;
    got g = {0};
    (void)state;
    assert_ww_ok(run_fixture("malformed.rm5", &d, &g));
    assert_rejected(d, &g);
    assert_error(d, "malformed.rm5", "XML", 26, "Opening and ending tag mismatch");
    ww_diags__free(d);
}

static void test_revman__doctype_and_entities(void **state)
{
    ww_diags *d;
    got g = {0};
    (void)state;
    assert_ww_ok(run_fixture("billion-laughs.rm5", &d, &g));
    assert_rejected(d, &g);
    assert_error(d, "billion-laughs.rm5", "DOCTYPE", 2, "refused");
    assert_int_equal(ww_diags__errors(d), 1);
    ww_diags__free(d);

    assert_ww_ok(run_fixture("xxe.rm5", &d, &g));
    assert_rejected(d, &g);
    assert_error(d, "xxe.rm5", "DOCTYPE", 3, "refused");
    assert_int_equal(ww_diags__errors(d), 1);
    ww_diags__free(d);
}

/* Copy s to p; its length. */
static size_t put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return n;
}

/* A review with one 10 MB attribute or text node, built in memory. */
static char *huge_review(int in_text)
{
    size_t big = (size_t)10 * 1024 * 1024;
    const char *head = HEAD("ISO-8859-1") "<STUDY ID=\"STD-A\" NAME=\"";
    const char *mid = "\">\n<REFERENCE><AU>";
    const char *end = "</AU></REFERENCE></STUDY>\n" STUDIES_END TAIL;
    size_t n = strlen(head) + strlen(mid) + strlen(end) + big + 2;
    char *doc = malloc(n), *p = doc;
    assert_non_null(doc);
    p += put_str(p, head);
    if (!in_text) {
        memset(p, 'a', big);
        p += big;
    } else {
        *p++ = 'A';
    }
    p += put_str(p, mid);
    if (in_text) {
        memset(p, 'b', big);
        p += big;
    }
    p += put_str(p, end);
    *p = '\0';
    return doc;
}

static void test_revman__huge_values(void **state)
{
    ww_diags *d;
    got g = {0};
    char *doc;
    (void)state;
    doc = huge_review(0);
    assert_ww_ok(run_text("huge-attribute.rm5", doc, &d, &g));
    assert_rejected(d, &g);
    assert_error(d, "huge-attribute.rm5", "NAME", 5, "longer than libxml2's limit");
    ww_diags__free(d);
    free(doc);

    doc = huge_review(1);
    assert_ww_ok(run_text("huge-text.rm5", doc, &d, &g));
    assert_rejected(d, &g);
    assert_error(d, "huge-text.rm5", "AU", 6, "longer than libxml2's limit");
    ww_diags__free(d);
    free(doc);
}

static void test_revman__empty(void **state)
{
    ww_diags *d;
    got g = {0};
    (void)state;
    assert_ww_ok(run_text("empty.rm5", " \n", &d, &g));
    assert_rejected(d, &g);
    assert_error(d, "empty.rm5", "", 0, "empty");
    ww_diags__free(d);
}

/* ---- streaming, the sink, and the repository ------------------------------------------ */

static void test_revman__late_error_stops_emitting(void **state)
{
    ww_diags *d;
    got g = {0};
    (void)state;
    /* Two good rows are streamed before the bad third one is read; nothing
     * after it is emitted, and the error rejects the file (the repository
     * rolls it back: see test_revman__import_into_repository). */
    assert_ww_ok(run_fixture("late-bad-row.rm5", &d, &g));
    assert_int_equal(g.n, 2);
    assert_error(d, "late-bad-row.rm5", "EVENTS_2", 40,
                 "45 events is more than the 40 participants");
    assert_int_equal(ww_diags__errors(d), 1);
    got_free(&g);
    ww_diags__free(d);
}

static void test_revman__sink_stop(void **state)
{
    ww_diags *d;
    got g = {0};
    char path[1024];
    size_t size;
    unsigned char *data = slurp(SHARED_PATH(path, CD000023), &size);
    (void)state;
    g.stop_after = 3;
    assert_int_equal(run(CD000023, data, size, &d, &g), WW_ERROR);
    assert_int_equal(g.n, 2);
    got_free(&g);
    ww_diags__free(d);
    free(data);
}

static char tmpdir[256];

static int setup_tmp(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ww-test-revman-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
    char path[512];
    (void)state;
    snprintf(path, sizeof path, "%s/revman.db", tmpdir);
    unlink(path);
    snprintf(path, sizeof path, "%s/revman.db-wal", tmpdir);
    unlink(path);
    snprintf(path, sizeof path, "%s/revman.db-shm", tmpdir);
    unlink(path);
    return rmdir(tmpdir);
}

static void test_revman__import_into_repository(void **state)
{
    char db_path[512], path[1024];
    ww_db *db = NULL;
    ww_import_report *rep = NULL;
    ww_diags *d;
    got g = {0};
    size_t studies;
    (void)state;
    snprintf(db_path, sizeof db_path, "%s/revman.db", tmpdir);
    assert_ww_ok(ww_db_open(&db, db_path, WW_DB_CREATE));

    /* Every record of both reviews is accepted by the repository's sink. */
    run_shared(CD000023, &d, &g);
    studies = distinct_study_rows(&g);
    got_free(&g);
    ww_diags__free(d);
    assert_ww_ok(ww_import_file(&rep, db, SHARED_PATH(path, CD000023), NULL));
    if (ww_import_report_status(rep) != WW_IMPORT_IMPORTED) ww_import_report_write(rep, stderr);
    assert_int_equal(ww_import_report_status(rep), WW_IMPORT_IMPORTED);
    assert_string_equal(ww_import_report_format(rep), "revman");
    assert_int_equal(ww_import_report_studies(rep), studies);
    assert_int_equal(ww_import_report_outcomes(rep), 217);
    assert_int_equal(ww_import_report_effects(rep), 217);
    ww_import_report_free(rep);

    assert_ww_ok(ww_import_file(&rep, db, SHARED_PATH(path, FLEISS), NULL));
    assert_int_equal(ww_import_report_status(rep), WW_IMPORT_IMPORTED);
    assert_int_equal(ww_import_report_studies(rep), 12);
    assert_int_equal(ww_import_report_outcomes(rep), 12);
    ww_import_report_free(rep);

    /* A review whose error comes after rows were streamed is rolled back. */
    assert_int_equal(
        ww_import_file(&rep, db, TOP_PATH(path, "tests/fixtures/revman/late-bad-row.rm5"), NULL),
        WW_EDATA);
    assert_int_equal(ww_import_report_status(rep), WW_IMPORT_REJECTED);
    assert_int_equal(ww_import_report_studies(rep), 0);
    ww_import_report_free(rep);
    ww_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_revman__sniff),
        cmocka_unit_test(test_revman__fleiss_golden),
        cmocka_unit_test(test_revman__fleiss_pooled_mh),
        cmocka_unit_test(test_revman__fleiss_pooled_check),
        cmocka_unit_test(test_revman__cd000023_golden),
        cmocka_unit_test(test_revman__cd000023_analyses),
        cmocka_unit_test(test_revman__cd000023_pooled_check),
        cmocka_unit_test(test_revman__latin1_names_and_id_escapes),
        cmocka_unit_test(test_revman__direction_rule),
        cmocka_unit_test(test_revman__pooled_methods),
        cmocka_unit_test(test_revman__pooled_smd),
        cmocka_unit_test(test_revman__pooled_differences),
        cmocka_unit_test(test_revman__pooled_sink_stop),
        cmocka_unit_test(test_revman__generic_ipd_swap_and_empty_rows),
        cmocka_unit_test(test_revman__design_phrases),
        cmocka_unit_test(test_revman__design_from_criteria),
        cmocka_unit_test(test_revman__design_excluded_study),
        cmocka_unit_test(test_revman__structure_problems),
        cmocka_unit_test(test_revman__not_revman),
        cmocka_unit_test(test_revman__truncated),
        cmocka_unit_test(test_revman__wrong_encoding),
        cmocka_unit_test(test_revman__missing_study_id),
        cmocka_unit_test(test_revman__absurd_numbers),
        cmocka_unit_test(test_revman__malformed),
        cmocka_unit_test(test_revman__doctype_and_entities),
        cmocka_unit_test(test_revman__huge_values),
        cmocka_unit_test(test_revman__empty),
        cmocka_unit_test(test_revman__late_error_stops_emitting),
        cmocka_unit_test(test_revman__sink_stop),
        cmocka_unit_test_setup_teardown(test_revman__import_into_repository, setup_tmp,
                                        teardown_tmp),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
