/*
 * test_submission.c — importers/submission.c, the evaluators' XML format.
 * Golden tests: every example pilot in data/examples parses into the record
 * its text describes, and the complete example in docs/submission.md is
 * valid and identical to the file it says it is. Bad-input tests: each
 * problem is reported with the exact field and line, and the sink is never
 * called. Hostile inputs (XXE, billion laughs, deep nesting, oversize) are
 * refused quickly without reading anything outside the input.
 */
#include "helpers.h"
#include "../importers/importers.h"
#include "record_copy.h"

#include <dirent.h>

/* ---- a sink that copies what it is given ---------------------------------- */

/* ---- running the importer ----------------------------------------------------- */

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

/* Parse bytes; the diagnostics come back in *out (caller frees). */
static int run(const char *name, const unsigned char *data, size_t size, ww_diags **out, got *g)
{
    ww_input in = {name, data, size};
    ww_sink sink = {g, collect, NULL, NULL, NULL, NULL};
    memset(g, 0, sizeof *g);
    assert_ww_ok(ww_diags__new(out));
    return ww_importer_submission.parse(&in, *out, &sink);
}

static int run_file(const char *rel, ww_diags **out, got *g)
{
    char path[1024];
    size_t size;
    unsigned char *data = slurp(TOP_PATH(path, rel), &size);
    int rc = run(rel, data, size, out, g);
    free(data);
    return rc;
}

static void dump(const ww_diags *d)
{
    for (size_t i = 0; i < ww_diags__count(d); i++)
        ww_diags__write_one(ww_diags__get(d, i), stderr);
}

/* There is an error diagnostic with exactly this field and line whose
 * message contains `part`. */
static void assert_diag(const ww_diags *d, const char *field, long line, const char *part)
{
    for (size_t i = 0; i < ww_diags__count(d); i++) {
        const ww_diag *dg = ww_diags__get(d, i);
        if (!dg->is_warning && !strcmp(dg->field, field) && dg->line == line &&
            strstr(dg->message, part))
            return;
    }
    print_error("no diagnostic %ld: %s: ...%s... among:\n", line, field, part);
    dump(d);
    fail();
}

/* The input was rejected with exactly one error, at field and line. */
static void assert_only(const ww_diags *d, const got *g, const char *field, long line,
                        const char *part)
{
    if (ww_diags__errors(d) != 1) dump(d);
    assert_int_equal(ww_diags__errors(d), 1);
    assert_diag(d, field, line, part);
    assert_int_equal(g->calls, 0);
}

static void assert_clean(const ww_diags *d, const got *g)
{
    if (ww_diags__count(d) != 0) dump(d);
    assert_int_equal(ww_diags__count(d), 0);
    assert_int_equal(g->calls, 1);
}

/* ---- mutating the documented example in memory ---------------------------------- */

#define BASE "data/examples/attendance-mentoring.xml"

/* 1-based line of the first occurrence of needle in text; fails if absent. */
static long line_of(const char *text, const char *needle)
{
    const char *p = strstr(text, needle);
    long line = 1;
    if (!p) {
        print_error("'%s' not found\n", needle);
        fail();
    }
    for (const char *q = text; q < p; q++)
        if (*q == '\n') line++;
    return line;
}

/* The base example with the first `from` replaced by `to` (malloc'd). */
static char *mutate(const char *from, const char *to)
{
    char path[1024];
    size_t size, lf = strlen(from), lt = strlen(to);
    char *base = (char *)slurp(TOP_PATH(path, BASE), &size);
    char *p = strstr(base, from), *out;
    if (!p) {
        print_error("'%s' not in %s\n", from, BASE);
        fail();
    }
    out = malloc(size - lf + lt + 1);
    assert_non_null(out);
    memcpy(out, base, (size_t)(p - base));
    memcpy(out + (p - base), to, lt);
    memcpy(out + (p - base) + lt, p + lf, size - (size_t)(p - base) - lf + 1);
    free(base);
    return out;
}

/* Mutate, parse, and expect exactly one error at field on the line where
 * `to` now stands. */
static void expect_one(const char *from, const char *to, const char *field, const char *part)
{
    char *doc = mutate(from, to);
    ww_diags *d;
    got g;
    assert_ww_ok(run("pilot.xml", (const unsigned char *)doc, strlen(doc), &d, &g));
    assert_only(d, &g, field, line_of(doc, to), part);
    ww_diags__free(d);
    free(doc);
}

/* ---- the example pilots ------------------------------------------------------------ */

static void test_submission__attendance_mentoring(void **state)
{
    ww_diags *d;
    got g;
    (void)state;
    assert_ww_ok(run_file(BASE, &d, &g));
    assert_clean(d, &g);

    assert_string_equal(g.title, "Illustrative example — not real evidence: a school attendance "
                                 "mentoring pilot");
    assert_string_equal(g.organisation, "Example Evaluation Unit (fictional)");
    assert_string_equal(g.authors, "A. Example; B. Illustration");
    assert_int_equal(g.year, 2024);
    assert_string_equal(g.url, "https://example.org/whatworks/examples/attendance-mentoring");
    assert_string_equal(g.doi, "10.5555/ww-example-attendance");
    assert_string_equal(g.country, "GB");
    assert_string_equal(g.region, "North West England");
    assert_non_null(strstr(g.notes, "Invented for the whatworks documentation"));
    assert_int_equal(g.is_example, 1);
    assert_int_equal(g.provisional, 1);
    assert_string_equal(g.where, "line 4");
    assert_int_equal(g.line, 4);

    assert_string_equal(g.name, "Attendance mentoring (illustrative example)");
    assert_true(!strncmp(g.description, "Illustrative example — not real evidence.", 42));
    /* descriptions keep their line breaks */
    assert_non_null(strstr(g.description, "years 8 to 10\nwith"));
    assert_int_equal(g.n_issues, 2);
    assert_string_equal(g.issues[0], "truancy");
    assert_string_equal(g.issues[1], "school absence");
    assert_string_equal(g.setting, "Secondary schools");
    assert_close(g.cost, 420.0, 1e-12);
    assert_int_equal(g.cost_price_year, 2023);
    assert_string_equal(g.payer, "Local authority education services");

    assert_int_equal(g.design, WW_DESIGN_RANDOMISED);
    assert_string_equal(g.unit, "school");
    assert_string_equal(g.comparison, "The school's usual attendance procedures");
    assert_int_equal(g.assigned_t, 412);
    assert_int_equal(g.assigned_c, 405);
    assert_int_equal(g.analysed_t, 380);
    assert_int_equal(g.analysed_c, 371);
    assert_close(g.baseline, 0.04, 1e-12);
    assert_int_equal(g.independent, 1);
    assert_int_equal(g.out[0].clusters_t, 12); /* <clusters_*> of the design */
    assert_int_equal(g.out[0].clusters_c, 12);
    assert_true(isnan(g.out[0].icc)); /* not reported: the rules' default applies */

    assert_int_equal(g.n_out, 2);
    assert_string_equal(g.out[0].name, "Half-day sessions missed");
    assert_string_equal(g.out[0].domain, "attendance");
    assert_string_equal(g.out[0].timepoint, "end of the school year");
    assert_int_equal(g.out[0].kind, WW_OUTCOME_CONTINUOUS);
    assert_int_equal(g.out[0].higher_is_better, 0);
    assert_close(g.out[0].mean_t, 31.4, 1e-12);
    assert_close(g.out[0].sd_t, 18.2, 1e-12);
    assert_int_equal(g.out[0].n_t, 380);
    assert_close(g.out[0].mean_c, 35.9, 1e-12);
    assert_close(g.out[0].sd_c, 19.0, 1e-12);
    assert_int_equal(g.out[0].n_c, 371);
    assert_int_equal(g.out[0].events_t, -1); /* not given: -1, never 0 */
    assert_true(isnan(g.out[0].estimate));
    assert_int_equal(g.out[0].line, 51);
    assert_string_equal(g.out[0].where, "line 51");

    assert_int_equal(g.out[1].kind, WW_OUTCOME_BINARY);
    assert_int_equal(g.out[1].higher_is_better, 0);
    assert_int_equal(g.out[1].events_t, 142);
    assert_int_equal(g.out[1].total_t, 380);
    assert_int_equal(g.out[1].events_c, 168);
    assert_int_equal(g.out[1].total_c, 371);
    assert_true(isnan(g.out[1].mean_t));
    assert_int_equal(g.out[1].line, 65);

    assert_int_equal(g.n_ben, 1);
    assert_string_equal(g.ben[0].agency, "Local authority education services");
    assert_close(g.ben[0].amount, 85.0, 1e-12);
    assert_int_equal(g.ben[0].first_year, 0);
    assert_int_equal(g.ben[0].last_year, 1);
    assert_int_equal(g.ben[0].price_year, 2023);
    assert_int_equal(g.ben[0].confidence, 5);
    assert_non_null(strstr(g.ben[0].source, "Illustrative figure invented for this example"));
    ww_diags__free(d);
}

static void test_submission__family_intervention(void **state)
{
    ww_diags *d;
    got g;
    (void)state;
    assert_ww_ok(run_file("data/examples/family-intervention-asb.xml", &d, &g));
    assert_clean(d, &g);
    assert_int_equal(g.is_example, 1);
    assert_string_equal(g.authors, "C. Sample");
    assert_string_equal(g.doi, "(null)"); /* optional and absent */
    assert_int_equal(g.design, WW_DESIGN_MATCHED_PRETEST);
    assert_int_equal(g.independent, 0);
    assert_int_equal(g.n_issues, 3);
    assert_string_equal(g.issues[0], "anti-social behaviour");
    assert_string_equal(g.issues[1], "truancy");
    assert_string_equal(g.issues[2], "domestic abuse");
    assert_close(g.cost, 6800.0, 1e-12);
    assert_int_equal(g.n_out, 2);
    assert_string_equal(g.out[0].domain, "behaviour");
    assert_int_equal(g.out[0].kind, WW_OUTCOME_BINARY);
    assert_int_equal(g.out[0].events_t, 29);
    assert_int_equal(g.out[0].total_c, 101);
    assert_string_equal(g.out[1].domain, "attendance");
    assert_int_equal(g.n_ben, 2);
    assert_string_equal(g.ben[0].agency, "Police");
    assert_int_equal(g.ben[0].last_year, 2);
    assert_int_equal(g.ben[1].confidence, 6);
    ww_diags__free(d);
}

static void test_submission__substance_brief_intervention(void **state)
{
    ww_diags *d;
    got g;
    (void)state;
    assert_ww_ok(run_file("data/examples/substance-brief-intervention.xml", &d, &g));
    assert_clean(d, &g);
    assert_string_equal(g.authors, "D. Placeholder; E. Demo; F. Mock");
    assert_int_equal(g.design, WW_DESIGN_RANDOMISED);
    assert_string_equal(g.unit, "individual");
    assert_string_equal(g.issues[0], "substance misuse");
    assert_int_equal(g.out[0].kind, WW_OUTCOME_BINARY);
    assert_int_equal(g.out[0].events_c, 205);
    assert_int_equal(g.out[1].kind, WW_OUTCOME_CONTINUOUS);
    assert_close(g.out[1].sd_c, 8.4, 1e-12);
    assert_int_equal(g.n_ben, 0); /* benefits are optional */
    ww_diags__free(d);
}

static void test_submission__housing_led_support(void **state)
{
    ww_diags *d;
    got g;
    (void)state;
    assert_ww_ok(run_file("data/examples/housing-led-support.xml", &d, &g));
    assert_clean(d, &g);
    assert_int_equal(g.design, WW_DESIGN_DIFF_IN_DIFF);
    assert_string_equal(g.issues[0], "homelessness");
    assert_int_equal(g.out[0].kind, WW_OUTCOME_REPORTED);
    assert_string_equal(g.out[0].metric, "OR");
    assert_close(g.out[0].estimate, 0.62, 1e-12);
    assert_close(g.out[0].ci_low, 0.45, 1e-12);
    assert_close(g.out[0].ci_high, 0.86, 1e-12);
    assert_int_equal(g.out[0].higher_is_better, 0);
    assert_int_equal(g.out[0].n_t, -1);
    assert_string_equal(g.out[1].metric, "RR");
    assert_int_equal(g.out[1].higher_is_better, 1);
    ww_diags__free(d);
}

static void test_submission__employment_coaching(void **state)
{
    ww_diags *d;
    got g;
    (void)state;
    assert_ww_ok(run_file("data/examples/employment-coaching.xml", &d, &g));
    assert_clean(d, &g);
    assert_int_equal(g.design, WW_DESIGN_COMPARISON);
    assert_string_equal(g.issues[0], "worklessness");
    /* the record keeps the size of the baseline gap, not its sign */
    assert_close(g.baseline, 0.21, 1e-12);
    assert_int_equal(g.out[0].kind, WW_OUTCOME_CONTINUOUS);
    assert_int_equal(g.out[0].higher_is_better, 1);
    assert_close(g.out[0].mean_t, 14.6, 1e-12);
    assert_int_equal(g.out[1].kind, WW_OUTCOME_BINARY);
    ww_diags__free(d);
}

/* Every file in data/examples is valid, flagged as an example, and says in
 * its own title and description that it is not real evidence; at least two
 * different interventions answer truancy. */
static void test_submission__examples_are_labelled(void **state)
{
    static const char label[] = "Illustrative example — not real evidence";
    char path[1024], rel[1024];
    DIR *dir;
    struct dirent *e;
    int files = 0, truancy = 0;
    (void)state;

    dir = opendir(TOP_PATH(path, "data/examples"));
    assert_non_null(dir);
    while ((e = readdir(dir))) {
        size_t n = strlen(e->d_name);
        ww_diags *d;
        got g;
        if (n < 5 || strcmp(e->d_name + n - 4, ".xml") != 0) continue;
        snprintf(rel, sizeof rel, "data/examples/%s", e->d_name);
        assert_ww_ok(run_file(rel, &d, &g));
        assert_clean(d, &g);
        assert_int_equal(g.is_example, 1);
        assert_non_null(strstr(g.title, label));
        assert_non_null(strstr(g.description, label));
        for (size_t i = 0; i < g.n_issues; i++)
            if (!strcmp(g.issues[i], "truancy")) truancy++;
        for (size_t i = 0; i < g.n_ben; i++)
            assert_non_null(strstr(g.ben[i].source, "Illustrative figure"));
        files++;
        ww_diags__free(d);
    }
    closedir(dir);
    assert_true(files >= 5);
    assert_true(truancy >= 2);
}

/* The complete example in docs/submission.md is valid and is, byte for
 * byte, the file the document says it is. */
static void test_submission__doc_example(void **state)
{
    char path[1024];
    size_t size, base_size;
    char *md = (char *)slurp(TOP_PATH(path, "docs/submission.md"), &size);
    unsigned char *base = slurp(TOP_PATH(path, BASE), &base_size);
    const char *start = strstr(md, "\n```xml\n"), *end;
    ww_diags *d;
    got g;
    (void)state;

    assert_non_null(start);
    start += strlen("\n```xml\n");
    end = strstr(start, "\n```\n");
    assert_non_null(end);
    end++; /* keep the last line's newline */
    assert_non_null(strstr(md, "data/examples/attendance-mentoring.xml"));
    assert_int_equal((size_t)(end - start), base_size);
    assert_memory_equal(start, base, base_size);

    assert_ww_ok(
        run("docs/submission.md", (const unsigned char *)start, (size_t)(end - start), &d, &g));
    assert_clean(d, &g);
    assert_int_equal(g.n_out, 2);
    ww_diags__free(d);
    free(md);
    free(base);
}

static void test_submission__sniff(void **state)
{
    char path[1024];
    size_t size;
    unsigned char *data = slurp(TOP_PATH(path, BASE), &size);
    static const char other_version[] = "<submission xmlns=\"urn:whatworks:submission:2\"/>";
    static const char bare[] = "<?xml version=\"1.0\"?>\n<submission version=\"1\"/>";
    static const char csv[] = "FindingID,Outcome,Effect_Size_WWC\n1,reading,0.2\n";
    ww_input in = {"x", data, size};
    (void)state;

    assert_true(ww_importer_submission.sniff(&in) >= 90);
    in.data = (const unsigned char *)other_version;
    in.size = strlen(other_version);
    assert_true(ww_importer_submission.sniff(&in) >= 50); /* ours, to say "wrong version" */
    in.data = (const unsigned char *)bare;
    in.size = strlen(bare);
    assert_in_range(ww_importer_submission.sniff(&in), 1, 49);
    in.data = (const unsigned char *)csv;
    in.size = strlen(csv);
    assert_int_equal(ww_importer_submission.sniff(&in), 0);
    in.size = 0;
    assert_int_equal(ww_importer_submission.sniff(&in), 0);
    free(data);
}

/* ---- bad input: one problem each ------------------------------------------------------ */

static void test_submission__malformed_xml(void **state)
{
    ww_diags *d;
    got g;
    (void)state;
    assert_ww_ok(run_file("tests/fixtures/submission/malformed.xml", &d, &g));
    assert_diag(d, "", 6, "not well-formed XML");
    assert_diag(d, "", 6, "evaluaton");
    assert_int_equal(g.calls, 0);
    ww_diags__free(d);
}

static void test_submission__wrong_namespace(void **state)
{
    ww_diags *d;
    got g;
    (void)state;
    assert_ww_ok(run_file("tests/fixtures/submission/wrong-namespace.xml", &d, &g));
    assert_only(d, &g, "xmlns", 3, "wrong namespace 'urn:example:not-whatworks'");
    ww_diags__free(d);

    /* no namespace at all, and a future version's namespace */
    expect_one("<submission xmlns=\"urn:whatworks:submission:1\" version=\"1\">",
               "<submission version=\"1\">", "xmlns", "has no namespace");
    expect_one("<submission xmlns=\"urn:whatworks:submission:1\" version=\"1\">",
               "<submission xmlns=\"urn:whatworks:submission:7\" version=\"1\">", "xmlns",
               "version 7");
}

static void test_submission__wrong_version(void **state)
{
    ww_diags *d;
    got g;
    (void)state;
    assert_ww_ok(run_file("tests/fixtures/submission/wrong-version.xml", &d, &g));
    assert_only(d, &g, "version", 3, "version '2'");
    assert_diag(d, "version", 3, "supports version 1");
    ww_diags__free(d);

    expect_one("xmlns=\"urn:whatworks:submission:1\" version=\"1\">",
               "xmlns=\"urn:whatworks:submission:1\">", "version", "required attribute is missing");
}

static void test_submission__missing_required(void **state)
{
    (void)state;
    /* missing in the middle: reported where the next element stands */
    expect_one("<year>2024</year>\n    <report_url>", "<report_url>", "year",
               "missing (found <report_url> where <year> was expected)");
    /* missing at the end of its parent: reported at the parent */
    {
        char *doc = mutate("<cost_payer>Local authority education services</cost_payer>", "");
        ww_diags *d;
        got g;
        assert_ww_ok(run("pilot.xml", (const unsigned char *)doc, strlen(doc), &d, &g));
        assert_only(d, &g, "cost_payer", line_of(doc, "<intervention>"), "missing");
        ww_diags__free(d);
        free(doc);
    }
    /* present but empty */
    expect_one("<region>North West England</region>", "<region>  </region>", "region",
               "must not be empty");
    /* a misspelt element inside <design>: reported once, by the schema */
    expect_one("<assigned_control>405</assigned_control>", "<assigned_contrl>405</assigned_contrl>",
               "assigned_contrl",
               "not expected here; expected one of: assigned_control, analysed_treatment");
    /* a misspelt element */
    expect_one("<setting>Secondary schools</setting>", "<settings>Secondary schools</settings>",
               "setting", "found <settings>");
    /* the control arm of a randomised design (a check XSD cannot make):
     * reported at <kind>, which is what makes it required */
    {
        char *doc = mutate("<assigned_control>405</assigned_control>", "");
        ww_diags *d;
        got g;
        assert_ww_ok(run("pilot.xml", (const unsigned char *)doc, strlen(doc), &d, &g));
        assert_only(d, &g, "assigned_control", line_of(doc, "<kind>"),
                    "a randomised design has a comparison group");
        ww_diags__free(d);
        free(doc);
    }
}

static void test_submission__sd_not_positive(void **state)
{
    (void)state;
    expect_one("<sd_control>19.0</sd_control>", "<sd_control>-1.2</sd_control>", "sd_control",
               "must be > 0, got -1.2");
    expect_one("<sd_treatment>18.2</sd_treatment>", "<sd_treatment>0</sd_treatment>",
               "sd_treatment", "must be > 0, got 0");
}

static void test_submission__events_exceed_total(void **state)
{
    (void)state;
    expect_one("<events_treatment>142</events_treatment>",
               "<events_treatment>381</events_treatment>", "events_treatment",
               "must not exceed total_treatment (380), got 381");
    expect_one("<events_control>168</events_control>", "<events_control>-1</events_control>",
               "events_control", "must not be negative");
}

/* Clusters: both arms or neither, never more than the people in the arm;
 * the ICC is a correlation, 0 to 1 (the schema says so). */
static void test_submission__clusters(void **state)
{
    (void)state;
    expect_one(
        "<clusters_treatment>12</clusters_treatment>\n    <clusters_control>12</clusters_control>",
        "<clusters_treatment>12</clusters_treatment>", "clusters_control",
        "give the clusters of both arms, or of neither");
    expect_one("<clusters_treatment>12</clusters_treatment>",
               "<clusters_treatment>413</clusters_treatment>", "clusters_treatment",
               "must not exceed assigned_treatment (412), got 413");
    expect_one("<clusters_control>12</clusters_control>",
               "<clusters_control>12</clusters_control><icc>1.5</icc>", "icc", "1.5");
}

static void test_submission__n_not_positive(void **state)
{
    (void)state;
    expect_one("<n_treatment>380</n_treatment>", "<n_treatment>0</n_treatment>", "n_treatment",
               "must be at least 1, got 0");
    expect_one("<n_control>371</n_control>", "<n_control>-4</n_control>", "n_control",
               "must be at least 1, got -4");
    expect_one("<assigned_treatment>412</assigned_treatment>",
               "<assigned_treatment>12.5</assigned_treatment>", "assigned_treatment",
               "must be a whole number");
    expect_one("<analysed_control>371</analysed_control>",
               "<analysed_control>406</analysed_control>", "analysed_control",
               "must not exceed assigned_control (405), got 406");
    expect_one("<n_control>371</n_control>", "<n_control>500</n_control>", "n_control",
               "must not exceed assigned_control (405), got 500");
}

static void test_submission__negative_cost(void **state)
{
    (void)state;
    expect_one("<cost_per_participant>420.00</cost_per_participant>",
               "<cost_per_participant>-420.00</cost_per_participant>", "cost_per_participant",
               "must not be negative, got -420.00");
}

static void test_submission__year_in_future(void **state)
{
    (void)state;
    expect_one("<year>2024</year>", "<year>2099</year>", "year", "2099 is in the future");
    expect_one("<cost_price_year>2023</cost_price_year>", "<cost_price_year>2098</cost_price_year>",
               "cost_price_year", "in the future");
    expect_one("<year>2024</year>", "<year>24</year>", "year", "must be at least 1900");
}

/* The example's binary outcome, to be replaced by a reported one. */
#define BINARY                                                                                     \
    "<binary>\n        <events_treatment>142</events_treatment>\n"                                 \
    "        <total_treatment>380</total_treatment>\n"                                             \
    "        <events_control>168</events_control>\n"                                               \
    "        <total_control>371</total_control>\n      </binary>"

static void test_submission__reported_effects(void **state)
{
    (void)state;
    /* the CI must hold the estimate; ratios must be positive */
    expect_one(BINARY,
               "<reported><metric>SMD</metric><estimate>-0.2</estimate>"
               "<ci_low>-0.1</ci_low><ci_high>0.3</ci_high></reported>",
               "ci_low", "must not be above the estimate (-0.2), got -0.1");
    expect_one(BINARY,
               "<reported><metric>OR</metric><estimate>0.8</estimate>"
               "<ci_low>0</ci_low><ci_high>1.2</ci_high></reported>",
               "ci_low", "an odds ratio's confidence limit must be > 0, got 0");
    {
        char *doc = mutate(BINARY, "<reported><metric>RR</metric><estimate>-0.2</estimate>\n"
                                   "<ci_low>-0.5</ci_low><ci_high>0.1</ci_high></reported>");
        ww_diags *d;
        got g;
        assert_ww_ok(run("pilot.xml", (const unsigned char *)doc, strlen(doc), &d, &g));
        assert_int_equal(ww_diags__errors(d), 2);
        assert_diag(d, "estimate", line_of(doc, "<estimate>"),
                    "a risk ratio must be > 0, got -0.2");
        assert_diag(d, "ci_low", line_of(doc, "<ci_low>"),
                    "confidence limit must be > 0, got -0.5");
        assert_int_equal(g.calls, 0);
        ww_diags__free(d);
        free(doc);
    }
    expect_one(BINARY,
               "<reported><metric>RD</metric><estimate>0.1</estimate>"
               "<ci_low>0.05</ci_low><ci_high>1.5</ci_high></reported>",
               "ci_high", "between -1 and 1");
    expect_one("<binary>", "<binary><mean_treatment>1</mean_treatment>", "mean_treatment",
               "not expected here; <events_treatment> was expected");
}

static void test_submission__benefit_years(void **state)
{
    (void)state;
    {
        char *doc = mutate("<first_year>0</first_year>", "<first_year>3</first_year>");
        ww_diags *d;
        got g;
        assert_ww_ok(run("pilot.xml", (const unsigned char *)doc, strlen(doc), &d, &g));
        assert_only(d, &g, "last_year", line_of(doc, "<last_year>"),
                    "must not be before first_year (3), got 1");
        ww_diags__free(d);
        free(doc);
    }
    expect_one("<confidence>5</confidence>", "<confidence>0</confidence>", "confidence",
               "must be at least 1, got 0");
}

static void test_submission__wrong_types(void **state)
{
    (void)state;
    expect_one("example=\"true\"", "example=\"yes\"", "example", "must be true or false");
    expect_one("<kind>randomised</kind>", "<kind>rct</kind>", "kind",
               "must be one of: randomised, regression-discontinuity");
    expect_one("<direction>lower-is-better</direction>", "<direction>down</direction>", "direction",
               "must be one of: higher-is-better, lower-is-better");
    expect_one("<mean_control>35.9</mean_control>", "<mean_control>35,9</mean_control>",
               "mean_control", "must be a decimal number");
    expect_one("<country>GB</country>", "<country>United Kingdom</country>", "country",
               "two-letter ISO 3166");
    expect_one("<doi>10.5555/ww-example-attendance</doi>", "<doi>https://doi.org/10.5555/x</doi>",
               "doi", "must be a DOI");
    expect_one("<setting>Secondary schools</setting>",
               "<setting>Secondary <b>schools</b></setting>", "setting", "plain text");
    expect_one("example=\"true\"", "example=\"true\" colour=\"red\"", "colour",
               "attribute not allowed");
}

static void test_submission__non_utf8(void **state)
{
    (void)state;
    expect_one("North West England", "North West \xE9ngland", "encoding", "not valid UTF-8");
    expect_one("Secondary schools", "Secondary \xC0\xAF schools", "encoding",
               "not valid UTF-8"); /* overlong "/" */
    /* a NUL byte (text cannot carry one, so it is put in by hand) */
    {
        char *doc = mutate("Secondary schools", "Secondary@schools");
        size_t size = strlen(doc);
        ww_diags *d;
        got g;
        long line = line_of(doc, "Secondary@schools");
        *strchr(doc, '@') = '\0';
        assert_ww_ok(run("pilot.xml", (const unsigned char *)doc, size, &d, &g));
        assert_only(d, &g, "encoding", line, "not valid UTF-8");
        ww_diags__free(d);
        free(doc);
    }
    /* valid UTF-8 that claims to be something else */
    {
        char *doc = mutate("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"");
        ww_diags *d;
        got g;
        assert_ww_ok(run("pilot.xml", (const unsigned char *)doc, strlen(doc), &d, &g));
        assert_diag(d, "encoding", 1, "ISO-8859-1");
        assert_int_equal(g.calls, 0);
        ww_diags__free(d);
        free(doc);
    }
}

static void test_submission__empty_file(void **state)
{
    ww_diags *d;
    got g;
    (void)state;
    assert_ww_ok(run("empty.xml", (const unsigned char *)"", 0, &d, &g));
    assert_only(d, &g, "", 0, "the file is empty");
    ww_diags__free(d);
    assert_ww_ok(run("blank.xml", (const unsigned char *)" \n\t\r\n", 5, &d, &g));
    assert_only(d, &g, "", 0, "the file is empty");
    ww_diags__free(d);
}

/* ---- hostile input ---------------------------------------------------------------------- */

static void assert_doctype_refused(const char *rel, long line)
{
    ww_diags *d;
    got g;
    assert_ww_ok(run_file(rel, &d, &g));
    assert_only(d, &g, "DOCTYPE", line, "may not contain a DOCTYPE");
    /* nothing from outside the input reached a message */
    for (size_t i = 0; i < ww_diags__count(d); i++)
        assert_null(strstr(ww_diags__get(d, i)->message, "root:"));
    ww_diags__free(d);
}

static void test_submission__xxe_file(void **state)
{
    (void)state;
    assert_doctype_refused("tests/fixtures/submission/xxe-file.xml", 2);
    /* XInclude is never processed: the element is just not allowed there */
    {
        char *doc = mutate("<region>North West England</region>",
                           "<region><xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" "
                           "href=\"file:///etc/passwd\" parse=\"text\"/></region>");
        long line = line_of(doc, "<xi:include");
        ww_diags *d;
        got g;
        assert_ww_ok(run("pilot.xml", (const unsigned char *)doc, strlen(doc), &d, &g));
        assert_diag(d, "region", line, "must hold plain text");
        assert_diag(d, "region", line, "must not be empty");
        assert_int_equal(g.calls, 0);
        ww_diags__free(d);
        free(doc);
    }
}

static void test_submission__xxe_http(void **state)
{
    (void)state;
    assert_doctype_refused("tests/fixtures/submission/xxe-http.xml", 2);
    assert_doctype_refused("tests/fixtures/submission/external-dtd.xml", 3);
}

static void test_submission__billion_laughs(void **state)
{
    (void)state;
    assert_doctype_refused("tests/fixtures/submission/billion-laughs.xml", 2);
}

static void test_submission__deep_nesting(void **state)
{
    static const char open[] = "<submission xmlns=\"urn:whatworks:submission:1\" version=\"1\">";
    const size_t depth = 100000;
    size_t size = strlen(open) + depth * 7 + strlen("</submission>"), pos = 0;
    char *doc = malloc(size + 1);
    ww_diags *d;
    got g;
    (void)state;
    assert_non_null(doc);
    memcpy(doc, open, strlen(open));
    pos = strlen(open);
    for (size_t i = 0; i < depth; i++, pos += 3) memcpy(doc + pos, "<a>", 3);
    for (size_t i = 0; i < depth; i++, pos += 4) memcpy(doc + pos, "</a>", 4);
    memcpy(doc + pos, "</submission>", strlen("</submission>"));
    pos += strlen("</submission>");
    assert_int_equal(pos, size);

    assert_ww_ok(run("deep.xml", (const unsigned char *)doc, size, &d, &g));
    assert_only(d, &g, "", 1, "nested more than 64 deep");
    ww_diags__free(d);
    free(doc);
}

static void test_submission__oversize(void **state)
{
    char path[1024];
    size_t base_size, limit = (size_t)16 * 1024 * 1024;
    unsigned char *base = slurp(TOP_PATH(path, BASE), &base_size);
    unsigned char *doc = malloc(limit + 1);
    ww_diags *d;
    got g;
    (void)state;
    assert_non_null(doc);
    /* exactly at the limit (the example padded with comments, as libxml2
     * refuses any single text run over 10 MB): accepted */
    memcpy(doc, base, base_size);
    for (size_t pos = base_size; pos <= limit;) {
        size_t left = limit + 1 - pos;
        if (left >= 1024) {
            memcpy(doc + pos, "<!--", 4);
            memset(doc + pos + 4, ' ', 1024 - 8);
            memcpy(doc + pos + 1024 - 4, "-->\n", 4);
            pos += 1024;
        } else {
            memset(doc + pos, '\n', left);
            pos += left;
        }
    }
    assert_ww_ok(run("limit.xml", doc, limit, &d, &g));
    assert_clean(d, &g);
    ww_diags__free(d);
    /* one byte more: refused before parsing */
    assert_ww_ok(run("huge.xml", doc, limit + 1, &d, &g));
    assert_only(d, &g, "", 0, "over the 16 MiB limit");
    ww_diags__free(d);
    free(doc);
    free(base);
}

/* ---- many problems at once --------------------------------------------------------------------
 */

static void test_submission__several_problems(void **state)
{
    ww_diags *d;
    got g;
    (void)state;
    assert_ww_ok(run_file("tests/fixtures/submission/several-problems.xml", &d, &g));
    if (ww_diags__errors(d) != 10) dump(d);
    assert_int_equal(ww_diags__errors(d), 10);
    assert_diag(d, "year", 11, "2099 is in the future");
    assert_diag(d, "cost_per_participant", 25, "must not be negative, got -250");
    assert_diag(d, "assigned_control", 30, "missing");
    assert_diag(d, "analysed_treatment", 34, "must not exceed assigned_treatment (100), got 120");
    assert_diag(d, "sd_treatment", 45, "must be > 0, got 0");
    assert_diag(d, "events_control", 60, "must not exceed total_control (85), got 95");
    assert_diag(d, "ci_low", 72, "must not be above the estimate (1.3), got 1.5");
    assert_diag(d, "ci_low", 84, "a risk ratio's confidence limit must be > 0, got -0.1");
    assert_diag(d, "last_year", 94, "must not be before first_year (3), got 1");
    assert_diag(d, "confidence", 96, "must be at most 6, got 9");
    /* reported top to bottom */
    for (size_t i = 1; i < ww_diags__count(d); i++)
        assert_true(ww_diags__get(d, i - 1)->line <= ww_diags__get(d, i)->line);
    assert_int_equal(g.calls, 0);
    ww_diags__free(d);
}

/* A sink that stops the import: its code comes back unchanged. */
static int refuse(void *ctx, const ww_record *rec)
{
    (void)ctx;
    (void)rec;
    return WW_EIO;
}

static void test_submission__sink_stop(void **state)
{
    char path[1024];
    size_t size;
    unsigned char *data = slurp(TOP_PATH(path, BASE), &size);
    ww_input in = {"pilot.xml", data, size};
    ww_sink sink = {NULL, refuse, NULL, NULL, NULL, NULL};
    ww_diags *d;
    (void)state;
    assert_ww_ok(ww_diags__new(&d));
    assert_int_equal(ww_importer_submission.parse(&in, d, &sink), WW_EIO);
    assert_int_equal(ww_diags__count(d), 0);
    ww_diags__free(d);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_submission__attendance_mentoring),
        cmocka_unit_test(test_submission__family_intervention),
        cmocka_unit_test(test_submission__substance_brief_intervention),
        cmocka_unit_test(test_submission__housing_led_support),
        cmocka_unit_test(test_submission__employment_coaching),
        cmocka_unit_test(test_submission__examples_are_labelled),
        cmocka_unit_test(test_submission__doc_example),
        cmocka_unit_test(test_submission__sniff),
        cmocka_unit_test(test_submission__malformed_xml),
        cmocka_unit_test(test_submission__wrong_namespace),
        cmocka_unit_test(test_submission__wrong_version),
        cmocka_unit_test(test_submission__missing_required),
        cmocka_unit_test(test_submission__sd_not_positive),
        cmocka_unit_test(test_submission__events_exceed_total),
        cmocka_unit_test(test_submission__clusters),
        cmocka_unit_test(test_submission__n_not_positive),
        cmocka_unit_test(test_submission__negative_cost),
        cmocka_unit_test(test_submission__year_in_future),
        cmocka_unit_test(test_submission__reported_effects),
        cmocka_unit_test(test_submission__benefit_years),
        cmocka_unit_test(test_submission__wrong_types),
        cmocka_unit_test(test_submission__non_utf8),
        cmocka_unit_test(test_submission__empty_file),
        cmocka_unit_test(test_submission__xxe_file),
        cmocka_unit_test(test_submission__xxe_http),
        cmocka_unit_test(test_submission__billion_laughs),
        cmocka_unit_test(test_submission__deep_nesting),
        cmocka_unit_test(test_submission__oversize),
        cmocka_unit_test(test_submission__several_problems),
        cmocka_unit_test(test_submission__sink_stop),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
