/*
 * test_wwc.c — importers/wwc.c, What Works Clearinghouse findings CSV.
 * Golden tests over the whole April 2020 export (../shared/data/wwc/
 * wwc_Findings.csv, 6,972 findings): exact counts of what is emitted and
 * skipped, the first finding field by field, a generic and a lower-is-better
 * finding to full precision, and the summary of our g against WWC's. Then
 * the merged file's spellings, BOM and line ends, quoting, recovery from
 * malformed rows, oversize fields, bad numbers, and files that are not
 * findings at all.
 */
#include "helpers.h"
#include "../evidence/effect.h"
#include "../importers/importers.h"

#define FINDINGS "wwc/wwc_Findings.csv"

/* ---- a sink that counts, and keeps a few records ------------------------ */

typedef struct seen {
    long finding_id;
    char key[32], title[96], name[160], comparison[96], population[96], country[8], notes[96],
        where[32];
    long line;
    int provisional, is_example, design;
    size_t n_outcomes, n_issues;
    char o_name[256], domain[96], timepoint[64], metric[16], reported_metric[16], o_where[64];
    int kind, higher_is_better;
    double mean_t, sd_t, mean_c, sd_c, estimate, ci_low, ci_high, yi, se;
    long n_t, n_c, o_line;
} seen;

#define WATCH_MAX 8

typedef struct tally {
    size_t records, continuous, generic, none, other, lower, unknown;
    char **keys;
    size_t n_keys, alloc_keys;
    seen first;
    long watch_id[WATCH_MAX];
    seen watch[WATCH_MAX];
    size_t n_watch;
} tally;

static void cp(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "(null)");
}
#define CP(dst, s) cp(dst, sizeof dst, s)

static void keep(seen *s, const ww_record *r)
{
    const ww_outcome_rec *o = r->outcomes;
    const char *id = o && o->where ? strstr(o->where, "(FindingID ") : NULL;
    s->finding_id = id ? strtol(id + 11, NULL, 10) : -1;
    CP(s->key, r->study_key);
    CP(s->title, r->title);
    CP(s->name, r->intervention_name);
    CP(s->comparison, r->comparison);
    CP(s->population, r->population);
    CP(s->country, r->country);
    CP(s->notes, r->notes);
    CP(s->where, r->where);
    s->line = r->line;
    s->provisional = r->provisional;
    s->is_example = r->is_example;
    s->design = (int)r->design;
    s->n_outcomes = r->n_outcomes;
    s->n_issues = r->n_issues;
    if (!o) return;
    CP(s->o_name, o->name);
    CP(s->domain, o->domain);
    CP(s->timepoint, o->timepoint);
    CP(s->metric, o->metric);
    CP(s->reported_metric, o->reported_metric);
    CP(s->o_where, o->where);
    s->kind = (int)o->kind;
    s->higher_is_better = o->higher_is_better;
    s->mean_t = o->mean_treatment;
    s->sd_t = o->sd_treatment;
    s->n_t = o->n_treatment;
    s->mean_c = o->mean_control;
    s->sd_c = o->sd_control;
    s->n_c = o->n_control;
    s->estimate = o->reported_estimate;
    s->ci_low = o->reported_ci_low;
    s->ci_high = o->reported_ci_high;
    s->yi = o->generic_yi;
    s->se = o->generic_se;
    s->o_line = o->line;
}

static int count(void *ctx, const ww_record *r)
{
    tally *t = ctx;
    seen s;
    assert_int_equal(r->n_outcomes, 1);
    keep(&s, r);
    if (t->records == 0) t->first = s;
    t->records++;
    if (r->outcomes[0].kind == WW_OUTCOME_CONTINUOUS)
        t->continuous++;
    else if (r->outcomes[0].kind == WW_OUTCOME_GENERIC)
        t->generic++;
    else if (r->outcomes[0].kind == WW_OUTCOME_NONE)
        t->none++;
    else
        t->other++;
    if (r->outcomes[0].higher_is_better == 0) t->lower++;
    if (r->outcomes[0].higher_is_better < 0) t->unknown++;
    for (size_t i = 0; i < t->n_watch; i++)
        if (t->watch_id[i] == s.finding_id) t->watch[i] = s;
    if (t->n_keys == t->alloc_keys) {
        size_t n = t->alloc_keys ? 2 * t->alloc_keys : 256;
        char **grown = realloc(t->keys, n * sizeof *grown);
        assert_non_null(grown);
        t->keys = grown;
        t->alloc_keys = n;
    }
    t->keys[t->n_keys] = strdup(r->study_key ? r->study_key : "");
    assert_non_null(t->keys[t->n_keys]);
    t->n_keys++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t distinct_keys(tally *t)
{
    size_t n = 0;
    qsort(t->keys, t->n_keys, sizeof *t->keys, cmp_str);
    for (size_t i = 0; i < t->n_keys; i++)
        if (i == 0 || strcmp(t->keys[i], t->keys[i - 1]) != 0) n++;
    return n;
}

static void tally_free(tally *t)
{
    for (size_t i = 0; i < t->n_keys; i++) free(t->keys[i]);
    free(t->keys);
}

static void watch(tally *t, long finding_id)
{
    assert_true(t->n_watch < WATCH_MAX);
    t->watch_id[t->n_watch++] = finding_id;
}

static const seen *watched(const tally *t, long finding_id)
{
    for (size_t i = 0; i < t->n_watch; i++)
        if (t->watch_id[i] == finding_id) {
            if (t->watch[i].finding_id != finding_id) {
                print_error("FindingID %ld was not emitted\n", finding_id);
                fail();
            }
            return &t->watch[i];
        }
    print_error("FindingID %ld is not watched\n", finding_id);
    fail();
    return NULL;
}

/* ---- running the importer ------------------------------------------------ */

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

static unsigned char *shared(const char *rel, size_t *size)
{
    char path[1024];
    return slurp(SHARED_PATH(path, rel), size);
}

static unsigned char *fixture(const char *rel, size_t *size)
{
    char path[1024];
    return slurp(TOP_PATH(path, rel), size);
}

/* Parse bytes; the tally is reset first (watches are kept). */
static int run(const char *name, const unsigned char *data, size_t size, ww_diags **out, tally *t)
{
    ww_input in = {name, data, size};
    ww_sink sink = {t, count, NULL, NULL, NULL, NULL};
    long ids[WATCH_MAX];
    size_t n_watch = t->n_watch;
    memcpy(ids, t->watch_id, sizeof ids);
    memset(t, 0, sizeof *t);
    memcpy(t->watch_id, ids, sizeof ids);
    t->n_watch = n_watch;
    for (size_t i = 0; i < n_watch; i++) t->watch[i].finding_id = -1;
    assert_ww_ok(ww_diags__new(out));
    return ww_importer_wwc.parse(&in, *out, &sink);
}

static void dump(const ww_diags *d)
{
    for (size_t i = 0; i < ww_diags__count(d); i++)
        ww_diags__write_one(ww_diags__get(d, i), stderr);
}

/* There is a diagnostic of this level, field and line containing part. */
static const ww_diag *find_diag(const ww_diags *d, int is_warning, const char *field, long line,
                                const char *part)
{
    for (size_t i = 0; i < ww_diags__count(d); i++) {
        const ww_diag *dg = ww_diags__get(d, i);
        if (dg->is_warning == is_warning && !strcmp(dg->field, field) && dg->line == line &&
            strstr(dg->message, part))
            return dg;
    }
    print_error("no %s %ld: %s: ...%s... among:\n", is_warning ? "warning" : "error", line, field,
                part);
    dump(d);
    fail();
    return NULL;
}

/* The first `lines` lines of text (with their line ends): a byte count. */
static size_t prefix_lines(const unsigned char *p, size_t size, int lines)
{
    size_t i = 0;
    for (int n = 0; n < lines && i < size; i++)
        if (p[i] == '\n') n++;
    return i;
}

/* ---- the whole export ------------------------------------------------------ */

static void test_wwc__real_file(void **state)
{
    size_t size;
    unsigned char *data = shared(FINDINGS, &size);
    ww_diags *d;
    tally t;
    const ww_diag *last;
    (void)state;
    memset(&t, 0, sizeof t);
    assert_ww_ok(run(FINDINGS, data, size, &d, &t));
    if (ww_diags__errors(d)) dump(d);
    assert_int_equal(ww_diags__errors(d), 0);

    /* 6,972 findings, every one a record: 1,975 with usable arm statistics,
     * 3,215 with WWC's g and both arm sizes only, 1,782 with no effect size
     * that can be weighed (stored, never pooled). One study per review:
     * 1,063 ReviewIDs. Direction from the lexicon (docs/direction.md's census
     * of this file: 534 lower, 221 unknown). */
    assert_int_equal(t.records, 6972);
    assert_int_equal(t.continuous, 1975);
    assert_int_equal(t.generic, 3215);
    assert_int_equal(t.none, 1782);
    assert_int_equal(t.other, 0);
    assert_int_equal(distinct_keys(&t), 1063);
    assert_int_equal(t.lower, 534);
    assert_int_equal(t.unknown, 221);

    find_diag(d, 1, "Effect_Size_WWC", 0,
              "1782 findings stored without an effect that can be weighed (not pooled): 1748 "
              "without Effect_Size_WWC or usable arm statistics, 34 with Effect_Size_WWC but "
              "not both sample sizes; the first 100 are listed above");
    /* The agreement summary comes last, once. */
    last = ww_diags__get(d, ww_diags__count(d) - 1);
    assert_int_equal(last->is_warning, 1);
    assert_int_equal(last->line, 0);
    assert_string_equal(last->field, "Effect_Size_WWC");
    assert_string_equal(last->message,
                        "1993 findings with arm statistics: 1909 agree with Effect_Size_WWC "
                        "within 1e-9, 66 differ (largest difference 0.436, FindingID 5336, line "
                        "2550), 18 give no g (an SD or a sample size of 0)");
    /* 100 skipped findings listed one by one, 12 whose SDs of 0 send them
     * to Effect_Size_WWC, 6 sign disagreements, 2 summaries. */
    assert_int_equal(ww_diags__count(d), 120);
    find_diag(d, 1, "Effect_Size_WWC", 9, "FindingID 64: no effect size");
    find_diag(d, 1, "Effect_Size_WWC", 2550, "FindingID 5336: Effect_Size_WWC (0.195578) and g");
    find_diag(d, 1, "Effect_Size_WWC", 5807,
              "FindingID 679: the arm statistics give no g (sd_treatment: must be > 0, got 0)");
    ww_diags__free(d);
    tally_free(&t);
    free(data);
}

static void test_wwc__first_finding(void **state)
{
    size_t size;
    unsigned char *data = shared(FINDINGS, &size);
    ww_diags *d;
    tally t;
    ww_effect e;
    const seen *s = &t.first;
    (void)state;
    memset(&t, 0, sizeof t);
    assert_ww_ok(run(FINDINGS, data, size, &d, &t));

    /* 9,50932,Character Education,252,Too Good for Drugs and Violence
     * (TGFD & V),Business as usual,596,Perceptions of social and
     * resistance skills,"Knowledge, attitudes, & values",,Grades 9 - 12,
     * False,302,151,151,,,4.08,3.77,0.58,0.61,0.52,0.519539725932417,20,,
     * 8.97592977211481E-06,,,True,,,Student */
    assert_int_equal(s->finding_id, 9);
    assert_string_equal(s->key, "50932");
    assert_string_equal(s->title, "What Works Clearinghouse study review 50932");
    assert_string_equal(s->name, "Too Good for Drugs and Violence (TGFD & V)");
    assert_string_equal(s->comparison, "Business as usual");
    assert_string_equal(s->population, "Grades 9 - 12");
    assert_string_equal(s->country, "US");
    assert_string_equal(s->notes, "WWC protocol: Character Education");
    assert_int_equal(s->provisional, 0);
    assert_int_equal(s->is_example, 0);
    assert_int_equal(s->design, WW_DESIGN_UNKNOWN);
    assert_int_equal(s->n_issues, 0);
    assert_string_equal(s->where, "line 2");
    assert_int_equal(s->line, 2);

    assert_string_equal(s->o_name, "Perceptions of social and resistance skills");
    assert_string_equal(s->domain, "knowledge, attitudes, & values");
    assert_string_equal(s->timepoint, "(null)"); /* Period is empty */
    assert_int_equal(s->kind, WW_OUTCOME_CONTINUOUS);
    assert_string_equal(s->metric, "SMD");
    assert_int_equal(s->higher_is_better, 1);
    assert_close(s->mean_t, 4.08, 1e-15);
    assert_close(s->sd_t, 0.58, 1e-15);
    assert_int_equal(s->n_t, 151);
    assert_close(s->mean_c, 3.77, 1e-15);
    assert_close(s->sd_c, 0.61, 1e-15);
    assert_int_equal(s->n_c, 151);
    assert_string_equal(s->reported_metric, "SMD");
    assert_true(s->estimate == 0.519539725932417); /* exactly as printed */
    assert_true(isnan(s->ci_low) && isnan(s->ci_high));
    assert_true(isnan(s->yi) && isnan(s->se));
    assert_string_equal(s->o_where, "line 2 (FindingID 9)");
    assert_int_equal(s->o_line, 2);
    /* The arm statistics give WWC's own g. */
    assert_ww_ok(ww_effect_smd(&e, s->mean_t, s->sd_t, (double)s->n_t, s->mean_c, s->sd_c,
                               (double)s->n_c, WW_SMD_WWC_APPROX));
    assert_close(e.yi, s->estimate, 1e-12);
    ww_diags__free(d);
    tally_free(&t);
    free(data);
}

/* Generic outcomes and the direction rule, on real findings. */
static void test_wwc__generic_and_direction(void **state)
{
    size_t size;
    unsigned char *data = shared(FINDINGS, &size);
    ww_diags *d;
    tally t;
    const seen *s;
    double g, n1, n2;
    (void)state;
    memset(&t, 0, sizeof t);
    watch(&t, 2168);
    watch(&t, 5482);
    watch(&t, 48);
    watch(&t, 5336);
    watch(&t, 21);
    assert_ww_ok(run(FINDINGS, data, size, &d, &t));

    /* 2168 (line 1283): means but no SDs; g 0.0112102608518666 with arms of
     * 3717 and 3944: SE = sqrt((n1 + n2)/(n1 n2) + g^2/(2(n1 + n2))).
     * Improvement index 0: higher is better by default. */
    s = watched(&t, 2168);
    g = 0.0112102608518666;
    n1 = 3717;
    n2 = 3944;
    assert_int_equal(s->kind, WW_OUTCOME_GENERIC);
    assert_string_equal(s->metric, "SMD");
    assert_true(s->yi == g);
    assert_close(s->se, sqrt((n1 + n2) / (n1 * n2) + g * g / (2 * (n1 + n2))), 1e-15);
    assert_close(s->se, 0.022860272636346882, 1e-12);
    assert_true(s->estimate == g);
    assert_string_equal(s->reported_metric, "SMD");
    assert_true(isnan(s->mean_t));
    assert_int_equal(s->n_t, 3717); /* the arm sizes come with WWC's g */
    assert_int_equal(s->higher_is_better, 1);
    assert_string_equal(s->timepoint, "1 Year");
    assert_string_equal(s->domain, "english language arts achievement");
    assert_string_equal(s->o_where, "line 1283 (FindingID 2168)");
    assert_string_equal(s->key, "63194");

    /* 5482 (line 2898): problem severity, g -0.821230208058432, index +29. */
    s = watched(&t, 5482);
    assert_int_equal(s->kind, WW_OUTCOME_GENERIC);
    assert_true(s->yi == -0.821230208058432);
    assert_int_equal(s->higher_is_better, 0);

    /* 48 (line 5): "Stolen money or property", g +0.023, index -1. */
    s = watched(&t, 48);
    assert_int_equal(s->kind, WW_OUTCOME_CONTINUOUS);
    assert_int_equal(s->higher_is_better, 0);
    assert_string_equal(s->o_name, "Stolen money or property");

    /* 5336 (line 2550): "Absences (days)": WWC signed its adjusted g by
     * improvement (+0.196, index +8); the arm means give -0.241. The
     * stored effect is ours, so lower is better. */
    s = watched(&t, 5336);
    assert_int_equal(s->kind, WW_OUTCOME_CONTINUOUS);
    assert_string_equal(s->o_name, "Absences (days)");
    assert_int_equal(s->higher_is_better, 0);
    assert_true(s->mean_t < s->mean_c);

    /* 21 (line 31): Period "Follow-up" is the timepoint. */
    s = watched(&t, 21);
    assert_string_equal(s->timepoint, "Follow-up");
    assert_int_equal(s->line, 31);
    ww_diags__free(d);
    tally_free(&t);
    free(data);
}

/* ---- other files ---------------------------------------------------------------- */

static void test_wwc__studies_file_is_not_findings(void **state)
{
    size_t size;
    unsigned char *data = shared("wwc/wwc_Studies_3rows.csv", &size);
    ww_input in = {"studies.csv", data, size};
    ww_diags *d;
    tally t;
    (void)state;
    memset(&t, 0, sizeof t);
    assert_int_equal(ww_importer_wwc.sniff(&in), 0);
    assert_ptr_equal(ww_importers__sniff(&in), &ww_importer_wwc_studies);
    assert_ww_ok(run("studies.csv", data, size, &d, &t));
    assert_int_equal(ww_diags__errors(d), 2);
    find_diag(d, 0, "FindingID", 1,
              "not a WWC findings file: the header has no FindingID (or f_FindingID) column; "
              "this looks like the WWC Studies file");
    find_diag(d, 0, "Effect_Size_WWC", 1, "no Effect_Size_WWC (or f_Effect_Size_WWC) column");
    assert_int_equal(t.records, 0);
    ww_diags__free(d);
    free(data);

    data = shared("wwc/wwc_InterventionReports.csv", &size);
    assert_ww_ok(run("reports.csv", data, size, &d, &t));
    find_diag(d, 0, "FindingID", 1, "Intervention Reports file");
    assert_int_equal(t.records, 0);
    ww_diags__free(d);
    free(data);
}

static void test_wwc__merged_spelling(void **state)
{
    size_t size;
    unsigned char *data = fixture("tests/fixtures/wwc/merged.csv", &size);
    ww_input in = {"merged.csv", data, size};
    ww_diags *d;
    tally t;
    const seen *s;
    (void)state;
    memset(&t, 0, sizeof t);
    watch(&t, 9);
    watch(&t, 2168);
    watch(&t, 5482);
    assert_true(ww_importer_wwc.sniff(&in) >= 90);
    assert_ww_ok(run("merged.csv", data, size, &d, &t));
    assert_int_equal(ww_diags__errors(d), 0);
    /* 9, 48, 2168 and 5482 with an effect; 64 has no g: stored without one */
    assert_int_equal(t.records, 5);
    assert_int_equal(t.continuous, 2);
    assert_int_equal(t.generic, 2);
    assert_int_equal(t.none, 1);
    assert_int_equal(ww_diags__count(d), 3);
    find_diag(d, 1, "f_Effect_Size_WWC", 6, "FindingID 64: no effect size");
    find_diag(d, 1, "f_Effect_Size_WWC", 0, "1 finding stored without an effect");
    find_diag(d, 1, "f_Effect_Size_WWC", 0,
              "2 findings with arm statistics: 2 agree with Effect_Size_WWC within 1e-9, 0 "
              "differ");

    s = watched(&t, 9);
    assert_string_equal(s->key, "50932"); /* from s_StudyID */
    assert_string_equal(s->name, "Too Good for Drugs and Violence (TGFD & V)");
    assert_string_equal(s->o_name, "Perceptions of social and resistance skills");
    assert_string_equal(s->domain, "knowledge, attitudes, & values");
    assert_int_equal(s->kind, WW_OUTCOME_CONTINUOUS);
    assert_close(s->mean_t, 4.08, 1e-15);
    assert_int_equal(s->n_c, 151);
    assert_true(s->estimate == 0.519539725932417);
    assert_string_equal(s->o_where, "line 2 (FindingID 9)");
    s = watched(&t, 2168);
    assert_int_equal(s->kind, WW_OUTCOME_GENERIC);
    assert_close(s->se, 0.022860272636346882, 1e-12);
    assert_string_equal(s->timepoint, "1 Year");
    s = watched(&t, 5482);
    assert_int_equal(s->higher_is_better, 0);
    ww_diags__free(d);
    tally_free(&t);
    free(data);
}

/* The header and first four findings with a BOM, then with LF and lone
 * CR line ends instead of CRLF: the same records on the same lines. */
static void test_wwc__bom_and_line_ends(void **state)
{
    size_t size, n, m;
    unsigned char *data = shared(FINDINGS, &size);
    unsigned char *buf;
    ww_diags *d;
    tally t;
    (void)state;
    memset(&t, 0, sizeof t);
    watch(&t, 48);
    n = prefix_lines(data, size, 5);
    buf = malloc(n + 3);
    assert_non_null(buf);

    memcpy(buf, "\xEF\xBB\xBF", 3);
    memcpy(buf + 3, data, n);
    assert_true(ww_importer_wwc.sniff(&(ww_input){"bom.csv", buf, n + 3}) >= 90);
    assert_ww_ok(run("bom.csv", buf, n + 3, &d, &t));
    assert_int_equal(ww_diags__errors(d), 0);
    assert_int_equal(t.records, 4); /* findings 9, 34, 37 and 48 */
    assert_string_equal(watched(&t, 48)->o_where, "line 5 (FindingID 48)");
    ww_diags__free(d);
    tally_free(&t);
    free(buf);

    /* LF only */
    buf = malloc(n);
    assert_non_null(buf);
    m = 0;
    for (size_t i = 0; i < n; i++)
        if (data[i] != '\r') buf[m++] = data[i];
    assert_ww_ok(run("lf.csv", buf, m, &d, &t));
    assert_int_equal(ww_diags__errors(d), 0);
    assert_int_equal(t.records, 4);
    assert_string_equal(watched(&t, 48)->o_where, "line 5 (FindingID 48)");
    ww_diags__free(d);
    tally_free(&t);

    /* lone CR */
    m = 0;
    for (size_t i = 0; i < n; i++)
        if (data[i] != '\n') buf[m++] = data[i];
    assert_ww_ok(run("cr.csv", buf, m, &d, &t));
    assert_int_equal(ww_diags__errors(d), 0);
    assert_int_equal(t.records, 4);
    assert_string_equal(watched(&t, 48)->o_where, "line 5 (FindingID 48)");
    ww_diags__free(d);
    tally_free(&t);
    free(buf);
    free(data);
}

static void test_wwc__quoted_field(void **state)
{
    size_t size;
    unsigned char *data = fixture("tests/fixtures/wwc/quoted.csv", &size);
    ww_diags *d;
    tally t;
    (void)state;
    memset(&t, 0, sizeof t);
    watch(&t, 9);
    watch(&t, 34);
    watch(&t, 48);
    assert_ww_ok(run("quoted.csv", data, size, &d, &t));
    assert_int_equal(ww_diags__count(d), 1); /* the agreement summary */
    assert_int_equal(t.records, 3);
    /* comma, doubled quote and CRLF inside quotes (CRLF kept as LF) */
    assert_string_equal(watched(&t, 9)->o_name, "Perceptions of social, \"resistance\"\nskills");
    assert_string_equal(watched(&t, 9)->o_where, "line 2 (FindingID 9)");
    /* the quoted line break moves the next rows down a line */
    assert_string_equal(watched(&t, 34)->o_where, "line 4 (FindingID 34)");
    assert_int_equal(watched(&t, 34)->line, 4);
    assert_string_equal(watched(&t, 48)->o_where, "line 5 (FindingID 48)");
    find_diag(d, 1, "Effect_Size_WWC", 0, "3 findings with arm statistics: 3 agree");
    ww_diags__free(d);
    tally_free(&t);
    free(data);
}

static void test_wwc__malformed_rows(void **state)
{
    size_t size;
    unsigned char *data = fixture("tests/fixtures/wwc/malformed.csv", &size);
    ww_diags *d;
    tally t;
    (void)state;
    memset(&t, 0, sizeof t);
    watch(&t, 9);
    watch(&t, 34);
    watch(&t, 48);
    watch(&t, 5482);
    watch(&t, 1034);
    assert_ww_ok(run("malformed.csv", data, size, &d, &t));
    if (ww_diags__errors(d)) dump(d);
    assert_int_equal(ww_diags__errors(d), 0);
    /* A quote inside a field that does not start with one (Caring School
     * "Community") is read as text, as WWC's own later exports need; the
     * row is kept, with a warning. */
    find_diag(d, 1, "", 3, "a quote inside a field that does not start with one is read as text");
    find_diag(d, 1, "", 5, "row skipped: it has 20 fields, the header 32");
    find_diag(d, 1, "Outcome_Measure", 6, "row skipped: a quoted field is not closed");
    /* the rows around them import, on their own lines */
    assert_int_equal(t.records, 5);
    assert_string_equal(watched(&t, 1034)->name, "Caring School \"Community\" (CSC)");
    assert_string_equal(watched(&t, 9)->o_where, "line 2 (FindingID 9)");
    assert_string_equal(watched(&t, 34)->o_where, "line 4 (FindingID 34)");
    assert_string_equal(watched(&t, 48)->o_where, "line 7 (FindingID 48)");
    assert_string_equal(watched(&t, 5482)->o_where, "line 8 (FindingID 5482)");
    ww_diags__free(d);
    tally_free(&t);
    free(data);
}

/* A stray quote that swallows the lines after it until another quote: the
 * row is reported, and the lines it swallowed are read again as rows. */
static void test_wwc__unbalanced_quote_resync(void **state)
{
    static const char csv[] =
        "FindingID,ReviewID,Intervention_Name,Outcome_Measure,Effect_Size_WWC,"
        "Outcome_Measure_Intervention_Sample_Size,Outcome_Measure_Comparison_Sample_Size\n"
        "1,10,A,\"Reading,0.2,50,50\n"
        "2,20,B,Maths,0.3,40,40\n"
        "3,30,C,\"Writing, essays\",0.1,30,30\n"
        "4,40,D,Spelling,0.4,20,20\n";
    ww_diags *d;
    tally t;
    (void)state;
    memset(&t, 0, sizeof t);
    watch(&t, 2);
    watch(&t, 3);
    watch(&t, 4);
    assert_ww_ok(run("resync.csv", (const unsigned char *)csv, strlen(csv), &d, &t));
    assert_int_equal(ww_diags__errors(d), 0);
    find_diag(d, 1, "Outcome_Measure", 2, "does not end properly");
    assert_int_equal(t.records, 3);
    assert_int_equal(watched(&t, 2)->line, 3);
    assert_string_equal(watched(&t, 3)->o_name, "Writing, essays");
    assert_int_equal(watched(&t, 3)->line, 4);
    assert_int_equal(watched(&t, 4)->line, 5);
    assert_int_equal(watched(&t, 4)->kind, WW_OUTCOME_GENERIC);
    ww_diags__free(d);
    tally_free(&t);
}

/* A 10 MB field, bare and quoted: refused with a clear error, nothing
 * read past the 1 MiB cap. */
static void test_wwc__field_too_long(void **state)
{
    static const char head[] = "FindingID,ReviewID,Intervention_Name,Outcome_Measure,"
                               "Effect_Size_WWC\n1,10,A,";
    static const char tail[] = ",0.2\n2,20,B,Maths,0.3\n";
    const size_t big = (size_t)10 * 1024 * 1024;
    size_t size = strlen(head) + big + 2 + strlen(tail);
    unsigned char *buf = malloc(size);
    ww_diags *d;
    tally t;
    (void)state;
    assert_non_null(buf);
    memset(&t, 0, sizeof t);
    for (int quoted = 0; quoted < 2; quoted++) {
        size_t pos = strlen(head), n = size - (quoted ? 0 : 2);
        memcpy(buf, head, pos);
        if (quoted) buf[pos++] = '"';
        memset(buf + pos, 'x', big);
        pos += big;
        if (quoted) buf[pos++] = '"';
        memcpy(buf + pos, tail, strlen(tail));
        assert_int_equal(pos + strlen(tail), n);
        assert_ww_ok(run("big.csv", buf, n, &d, &t));
        assert_int_equal(ww_diags__errors(d), 1);
        find_diag(d, 0, "Outcome_Measure", 2, "longer than 1 MiB");
        find_diag(d, 0, "Outcome_Measure", 2, "the file is refused");
        ww_diags__free(d);
        tally_free(&t);
    }
    free(buf);
}

/* 1e309, NaN and text in numeric columns: a warning each, the value
 * treated as missing; here that leaves WWC's g with the arm sizes. */
static void test_wwc__bad_numbers(void **state)
{
    size_t size, n;
    unsigned char *data = shared(FINDINGS, &size);
    char *doc, *p;
    ww_diags *d;
    tally t;
    (void)state;
    memset(&t, 0, sizeof t);
    watch(&t, 9);
    n = prefix_lines(data, size, 2);
    doc = malloc(n + 1);
    assert_non_null(doc);
    memcpy(doc, data, n);
    doc[n] = '\0';
    /* finding 9: ...,4.08,3.77,0.58,0.61,... and Is_Subgroup False */
    p = strstr(doc, ",4.08,3.77,0.58,");
    assert_non_null(p);
    memcpy(p, ",1e309,NaN,", 11);
    p = strstr(doc, ",False,");
    assert_non_null(p);
    memcpy(p, ",Falsy,", 7);
    assert_ww_ok(run("numbers.csv", (const unsigned char *)doc, strlen(doc), &d, &t));
    assert_int_equal(ww_diags__errors(d), 0);
    find_diag(d, 1, "Intervention_Mean", 2, "'1e309' is not a finite number; treated as missing");
    find_diag(d, 1, "Comparison_Mean", 2, "'NaN' is not a finite number; treated as missing");
    find_diag(d, 1, "Is_Subgroup", 2, "'Falsy' is not True or False");
    assert_int_equal(t.records, 1);
    assert_int_equal(watched(&t, 9)->kind, WW_OUTCOME_GENERIC);
    assert_true(watched(&t, 9)->yi == 0.519539725932417);
    /* the exponent form of p_Value_WWC is read without complaint */
    assert_int_equal(ww_diags__count(d), 3);
    ww_diags__free(d);
    tally_free(&t);
    free(doc);
    free(data);
}

static void test_wwc__empty_and_not_utf8(void **state)
{
    static const char latin1[] = "FindingID,ReviewID,Intervention_Name,Outcome_Measure,"
                                 "Effect_Size_WWC\n1,10,Caf\xE9,Reading,0.2\n";
    static const char header_only[] = "\xEF\xBB\xBF"
                                      "FindingID,ReviewID,Intervention_Name,Outcome_Measure,"
                                      "Effect_Size_WWC\r\n";
    static const char missing[] = "FindingID,Effect_Size_WWC,Outcome_Measure\n1,0.2,Reading\n";
    ww_diags *d;
    tally t;
    (void)state;
    memset(&t, 0, sizeof t);
    assert_ww_ok(run("empty.csv", (const unsigned char *)"", 0, &d, &t));
    find_diag(d, 0, "", 0, "the file is empty");
    ww_diags__free(d);
    assert_ww_ok(run("blank.csv", (const unsigned char *)"\xEF\xBB\xBF \r\n", 5, &d, &t));
    find_diag(d, 0, "", 0, "the file is empty");
    ww_diags__free(d);
    assert_ww_ok(run("latin1.csv", (const unsigned char *)latin1, strlen(latin1), &d, &t));
    assert_int_equal(ww_diags__errors(d), 1);
    find_diag(d, 0, "encoding", 2, "not valid UTF-8");
    assert_int_equal(t.records, 0);
    ww_diags__free(d);
    assert_ww_ok(
        run("header.csv", (const unsigned char *)header_only, strlen(header_only), &d, &t));
    assert_int_equal(ww_diags__count(d), 0);
    assert_int_equal(t.records, 0);
    ww_diags__free(d);
    assert_ww_ok(run("missing.csv", (const unsigned char *)missing, strlen(missing), &d, &t));
    assert_int_equal(ww_diags__errors(d), 2);
    find_diag(d, 0, "ReviewID", 1, "needs the column ReviewID (or s_StudyID)");
    find_diag(d, 0, "Intervention_Name", 1, "needs the column Intervention_Name");
    assert_int_equal(t.records, 0);
    ww_diags__free(d);
}

static void test_wwc__sniff(void **state)
{
    size_t size;
    unsigned char *data = shared(FINDINGS, &size);
    ww_input in = {FINDINGS, data, size};
    static const char lower[] = "f_findingid,f_effect_size_wwc\n";
    static const char only_id[] = "FindingID,Outcome\n";
    static const char xml[] = "<?xml version=\"1.0\"?>\n<submission "
                              "xmlns=\"urn:whatworks:submission:1\"/>";
    (void)state;
    assert_true(ww_importer_wwc.sniff(&in) >= 90);
    assert_ptr_equal(ww_importers__sniff(&in), &ww_importer_wwc);
    assert_int_equal(ww_importer_submission.sniff(&in), 0);
    in.data = (const unsigned char *)lower;
    in.size = strlen(lower);
    assert_true(ww_importer_wwc.sniff(&in) >= 90);
    in.data = (const unsigned char *)only_id;
    in.size = strlen(only_id);
    assert_in_range(ww_importer_wwc.sniff(&in), 1, 49);
    in.data = (const unsigned char *)xml;
    in.size = strlen(xml);
    assert_int_equal(ww_importer_wwc.sniff(&in), 0);
    in.size = 0;
    assert_int_equal(ww_importer_wwc.sniff(&in), 0);
    assert_ptr_equal(ww_importers__find("wwc-findings"), &ww_importer_wwc);
    free(data);
}

/* A sink that stops the import: its code comes back unchanged. */
static int refuse(void *ctx, const ww_record *rec)
{
    int *calls = ctx;
    (void)rec;
    (*calls)++;
    return WW_EIO;
}

static void test_wwc__sink_stop(void **state)
{
    size_t size;
    unsigned char *data = shared(FINDINGS, &size);
    ww_input in = {FINDINGS, data, size};
    int calls = 0;
    ww_sink sink = {&calls, refuse, NULL, NULL, NULL, NULL};
    ww_diags *d;
    (void)state;
    assert_ww_ok(ww_diags__new(&d));
    assert_int_equal(ww_importer_wwc.parse(&in, d, &sink), WW_EIO);
    assert_int_equal(calls, 1);
    ww_diags__free(d);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wwc__real_file),
        cmocka_unit_test(test_wwc__first_finding),
        cmocka_unit_test(test_wwc__generic_and_direction),
        cmocka_unit_test(test_wwc__studies_file_is_not_findings),
        cmocka_unit_test(test_wwc__merged_spelling),
        cmocka_unit_test(test_wwc__bom_and_line_ends),
        cmocka_unit_test(test_wwc__quoted_field),
        cmocka_unit_test(test_wwc__malformed_rows),
        cmocka_unit_test(test_wwc__unbalanced_quote_resync),
        cmocka_unit_test(test_wwc__field_too_long),
        cmocka_unit_test(test_wwc__bad_numbers),
        cmocka_unit_test(test_wwc__empty_and_not_utf8),
        cmocka_unit_test(test_wwc__sniff),
        cmocka_unit_test(test_wwc__sink_stop),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
