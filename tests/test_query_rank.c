/*
 * test_query_rank.c — the ranking rule, the filters and the sorts of
 * `whatworks query` (docs/ranking.md) on a small corpus written here as
 * submissions, whose order is worked out by hand below; the plain `why`
 * and the plain-language effect (WWC improvement index, EEF months'
 * progress) on it and on the real WWC data; the table's width in
 * characters with UTF-8 names.
 */
#include "helpers.h"

#include <gsl/gsl_cdf.h>
#include <jansson.h>
#include <unistd.h>

static char tmpdir[256];
static ww_db *db;

/* One submission: every intervention answers "truancy" (tagged with it)
 * and reports one SMD with its 95% CI on `domain`, higher is better, from
 * an individually randomised (or other `design`) evaluation of n_each
 * pupils per arm. cost < 0: no cost given. */
typedef struct {
    const char *name, *design, *domain, *population, *setting, *country;
    int n_each;
    double estimate, ci_low, ci_high, cost;
} fixture;

/* The corpus, worked by hand (docs/ranking.md, rule verdict-certainty-effect/3):
 *
 *   name              verdict          certainty  SMD    cost  country  ages
 *   Alpha mentoring   beneficial       moderate   0.30   300   GB       11-14
 *   Bravo tutoring    beneficial       moderate   0.15   150   US       8-11 (grades 3-5)
 *   Charlie clubs     beneficial       low        0.60   -     GB       16-18
 *   Delta letters     no clear effect  moderate   0.02    20   GB       5-11 (primary school)
 *   Golf phone calls  no clear effect  very low   0.10    90   GB       0-10 (under 11)
 *   Echo fines        harmful          moderate  -0.25    50   GB       -
 *   Foxtrot reading   no outcome on this issue (its result is on reading) 80 US 7-8 (grade 2)
 *
 * Echo also reports a reading result (0.05, CI includes zero: no clear
 * effect, moderate), off the truancy issue.
 *
 * The certainties follow from the rules (docs/rigour.md): randomised
 * evidence starts high, a comparison group design low; a submission not
 * yet reviewed is capped at moderate; 1,000 per arm is past the optimal
 * information size, so only a CI that includes zero is imprecise (−1).
 *
 * Score: verdict (beneficial, unclear, harmful, nothing), then certainty,
 * then effect: Alpha (moderate, 0.30) before Bravo (moderate, 0.15) before
 * Charlie (low, though its effect is the largest); Delta (moderate, 0.02)
 * before Golf (very low, 0.10); then Echo, then Foxtrot. */
static const fixture corpus[] = {
    {"Alpha mentoring", "randomised", "attendance", "Pupils aged 11 to 14", "Secondary schools",
     "GB", 1000, 0.30, 0.21, 0.39, 300},
    {"Bravo tutoring", "randomised", "attendance", "Grades 3-5", "Elementary schools", "US", 1000,
     0.15, 0.06, 0.24, 150},
    {"Charlie clubs", "comparison", "attendance", "Young people aged 16 to 18", "Community centres",
     "GB", 1000, 0.60, 0.51, 0.69, -1},
    {"Delta letters", "randomised", "attendance", "Families of primary school pupils",
     "Primary schools", "GB", 1000, 0.02, -0.07, 0.11, 20},
    {"Golf phone calls", "comparison", "attendance", "Children under 11", "Family homes", "GB",
     1000, 0.10, -0.05, 0.25, 90},
    {"Echo fines", "randomised", "attendance", "Parents", "Magistrates' courts", "GB", 1000, -0.25,
     -0.34, -0.16, 50},
    {"Foxtrot reading", "randomised", "reading", "Grade 2", "Elementary schools", "US", 1000, 0.20,
     0.11, 0.29, 80},
};
#define N_CORPUS (sizeof corpus / sizeof corpus[0])

static void write_fixture(const char *path, const fixture *f)
{
    FILE *fp = fopen(path, "w");
    char cost[200] = "";
    assert_non_null(fp);
    if (f->cost >= 0)
        snprintf(cost, sizeof cost,
                 "    <cost_per_participant>%.2f</cost_per_participant>\n"
                 "    <cost_price_year>2023</cost_price_year>\n"
                 "    <cost_payer>Local authority</cost_payer>\n",
                 f->cost);
    fprintf(fp,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<submission xmlns=\"urn:whatworks:submission:1\" version=\"1\">\n"
            "  <evaluation example=\"true\">\n"
            "    <title>Test fixture: %s</title>\n"
            "    <organisation>Test Unit</organisation>\n"
            "    <authors><author>A. Tester</author></authors>\n"
            "    <year>2024</year>\n"
            "    <report_url>https://example.org/%zu</report_url>\n"
            "    <country>%s</country>\n"
            "    <region>Nowhere</region>\n"
            "  </evaluation>\n"
            "  <intervention>\n"
            "    <name>%s</name>\n"
            "    <description>A test fixture, not evidence.</description>\n"
            "    <presenting_issues><issue>truancy</issue></presenting_issues>\n"
            "    <population>%s</population>\n"
            "    <setting>%s</setting>\n"
            "    <delivery>Weekly</delivery>\n"
            "%s"
            "  </intervention>\n"
            "  <design>\n"
            "    <kind>%s</kind>\n"
            "    <allocation_unit>pupil</allocation_unit>\n"
            "    <comparison_condition>Usual practice</comparison_condition>\n"
            "    <assigned_treatment>%d</assigned_treatment>\n"
            "    <assigned_control>%d</assigned_control>\n"
            "    <analysed_treatment>%d</analysed_treatment>\n"
            "    <analysed_control>%d</analysed_control>\n"
            "    <baseline_diff_sd>0.01</baseline_diff_sd>\n"
            "    <independent_evaluator>true</independent_evaluator>\n"
            "  </design>\n"
            "  <outcomes>\n"
            "    <outcome>\n"
            "      <name>Sessions attended</name>\n"
            "      <domain>%s</domain>\n"
            "      <timepoint>end of year</timepoint>\n"
            "      <direction>higher-is-better</direction>\n"
            "      <reported><metric>SMD</metric><estimate>%.2f</estimate>"
            "<ci_low>%.2f</ci_low><ci_high>%.2f</ci_high></reported>\n"
            "    </outcome>\n"
            "%s"
            "  </outcomes>\n"
            "</submission>\n",
            f->name, (size_t)(f - corpus), f->country, f->name, f->population, f->setting, cost,
            f->design, f->n_each, f->n_each, f->n_each, f->n_each, f->domain, f->estimate,
            f->ci_low, f->ci_high,
            /* Echo also measured reading, off the issue, in the same study:
             * its attendance result comes first (same studies and
             * participants, then the domain's name) */
            strcmp(f->name, "Echo fines") == 0
                ? "    <outcome>\n"
                  "      <name>Reading test</name>\n"
                  "      <domain>reading</domain>\n"
                  "      <timepoint>end of year</timepoint>\n"
                  "      <direction>higher-is-better</direction>\n"
                  "      <reported><metric>SMD</metric><estimate>0.05</estimate>"
                  "<ci_low>-0.04</ci_low><ci_high>0.14</ci_high></reported>\n"
                  "    </outcome>\n"
                : "");
    assert_int_equal(fclose(fp), 0);
}

static int setup(void **state)
{
    char path[400];
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ww-test-rank-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    snprintf(path, sizeof path, "%s/q.db", tmpdir);
    if (ww_db_open(&db, path, WW_DB_CREATE) < 0) return -1;
    for (size_t i = 0; i < N_CORPUS; i++) {
        ww_import_report *rep = NULL;
        snprintf(path, sizeof path, "%s/f%zu.xml", tmpdir, i);
        write_fixture(path, &corpus[i]);
        if (ww_import_file(&rep, db, path, NULL) < 0 ||
            ww_import_report_status(rep) != WW_IMPORT_IMPORTED) {
            fprintf(stderr, "%s: %s\n", path, ww_error_last());
            if (rep) ww_import_report_write(rep, stderr);
            ww_import_report_free(rep);
            return -1;
        }
        ww_import_report_free(rep);
    }
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    ww_db_close(db);
    if (getenv("WW_KEEP")) return 0;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The names of a query's rows, in order, joined by ", ". */
static char *order(const ww_query_opts *opts, const char *text)
{
    ww_query_result *res = NULL;
    char *out = calloc(1, 1024);
    assert_non_null(out);
    assert_ww_ok(ww_query_run(&res, db, text ? text : "truancy", opts));
    for (size_t i = 0; i < ww_query_result_count(res); i++) {
        const ww_query_row *r = ww_query_result_row(res, i);
        assert_int_equal(r->rank, (int)i + 1);
        if (i) strcat(out, ", ");
        strncat(out, r->name, 1024 - strlen(out) - 1);
    }
    ww_query_result_free(res);
    return out;
}

#define assert_order(opts, want)                                                                   \
    do {                                                                                           \
        char *got_ = order(opts, NULL);                                                            \
        if (strcmp(got_, want) != 0) print_error("order: %s\n  want: %s\n", got_, want);           \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static ww_query_opts base(void)
{
    ww_query_opts o = WW_QUERY_OPTS_INIT;
    o.include_provisional = 1; /* the corpus is submissions, not yet reviewed */
    return o;
}

static const ww_query_row *row_named(const ww_query_result *res, const char *name)
{
    for (size_t i = 0; i < ww_query_result_count(res); i++)
        if (strcmp(ww_query_result_row(res, i)->name, name) == 0)
            return ww_query_result_row(res, i);
    fail_msg("no row '%s'", name);
    return NULL;
}

/* The certainties the hand-worked order rests on, then the order. */
static void test_query_rank__score(void **state)
{
    static const char *const certainty[] = {"moderate", "moderate", "low", "moderate",
                                            "very low", "moderate", ""};
    static const char *const verdict[] = {"beneficial",
                                          "beneficial",
                                          "beneficial",
                                          "no clear effect",
                                          "no clear effect",
                                          "harmful",
                                          "no outcome on this issue"};
    ww_query_opts o = base();
    ww_query_result *res = NULL;
    (void)state;
    assert_ww_ok(ww_query_run(&res, db, "truancy", &o));
    assert_int_equal(ww_query_result_count(res), N_CORPUS);
    for (size_t i = 0; i < N_CORPUS; i++) {
        const ww_query_row *r = row_named(res, corpus[i].name);
        assert_string_equal(r->certainty, certainty[i]);
        assert_string_equal(r->verdict, verdict[i]);
    }
    ww_query_result_free(res);
    assert_order(&o, "Alpha mentoring, Bravo tutoring, Charlie clubs, Delta letters, Golf phone "
                     "calls, Echo fines, Foxtrot reading");
    /* zero-initialised options are the defaults too */
    {
        ww_query_opts z;
        memset(&z, 0, sizeof z);
        z.include_provisional = 1;
        assert_order(&z, "Alpha mentoring, Bravo tutoring, Charlie clubs, Delta letters, Golf "
                         "phone calls, Echo fines, Foxtrot reading");
    }
}

/* Provisional evidence is out unless asked for, and counted. */
static void test_query_rank__provisional_gate(void **state)
{
    ww_query_opts o = WW_QUERY_OPTS_INIT;
    ww_query_result *res = NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *mem;
    json_t *doc;
    (void)state;
    assert_ww_ok(ww_query_run(&res, db, "truancy", NULL));
    assert_int_equal(ww_query_result_count(res), 0);
    ww_query_result_free(res);
    assert_ww_ok(ww_query_run(&res, db, "truancy", &o));
    assert_int_equal(ww_query_result_count(res), 0);
    mem = open_memstream(&buf, &len);
    assert_ww_ok(ww_query_result_write(res, mem, WW_FORMAT_JSON));
    fclose(mem);
    doc = json_loads(buf, 0, NULL);
    assert_non_null(doc);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(doc, "left_out"), "provisional")),
        N_CORPUS);
    assert_int_equal(json_integer_value(json_object_get(doc, "matched")), N_CORPUS);
    json_decref(doc);
    free(buf);
    ww_query_result_free(res);
    /* asked for: every row says so */
    o = base();
    assert_ww_ok(ww_query_run(&res, db, "truancy", &o));
    for (size_t i = 0; i < ww_query_result_count(res); i++) {
        assert_true(ww_query_result_row(res, i)->provisional);
        assert_non_null(strstr(ww_query_result_row(res, i)->why, "not yet reviewed"));
    }
    ww_query_result_free(res);
}

static void test_query_rank__sorts(void **state)
{
    ww_query_opts o = base();
    (void)state;
    /* effect, largest first; nothing pooled last */
    o.sort = WW_QUERY_SORT_EFFECT;
    assert_order(&o, "Charlie clubs, Alpha mentoring, Bravo tutoring, Golf phone calls, Delta "
                     "letters, Echo fines, "
                     "Foxtrot reading");
    /* cost, cheapest first; Foxtrot (80) has nothing on the issue but a cost;
     * Charlie has no cost: last, not free */
    o.sort = WW_QUERY_SORT_COST;
    assert_order(&o,
                 "Delta letters, Echo fines, Foxtrot reading, Golf phone calls, Bravo tutoring, "
                 "Alpha mentoring, Charlie clubs");
    /* certainty, then effect: harmful Echo (moderate) before beneficial
     * Charlie (low) */
    o.sort = WW_QUERY_SORT_CERTAINTY;
    assert_order(&o, "Alpha mentoring, Bravo tutoring, Delta letters, Echo fines, Charlie clubs, "
                     "Golf phone calls, "
                     "Foxtrot reading");
    /* bcr: no ratio is stored yet, so every row ties and the formula decides */
    o.sort = WW_QUERY_SORT_BCR;
    assert_order(&o, "Alpha mentoring, Bravo tutoring, Charlie clubs, Delta letters, Golf phone "
                     "calls, Echo fines, Foxtrot reading");
    /* an unknown sort is refused */
    o.sort = (ww_query_sort)99;
    {
        ww_query_result *res = NULL;
        assert_int_equal(ww_query_run(&res, db, "truancy", &o), WW_EUSAGE);
        assert_null(res);
    }
}

static void test_query_rank__filters(void **state)
{
    ww_query_opts o;
    (void)state;
    o = base();
    o.min_certainty = WW_QUERY_CERTAINTY_HIGH; /* a submission is at most moderate */
    assert_order(&o, "");
    o.min_certainty = WW_QUERY_CERTAINTY_MODERATE;
    assert_order(&o, "Alpha mentoring, Bravo tutoring, Delta letters, Echo fines");
    o.min_certainty = WW_QUERY_CERTAINTY_LOW;
    assert_order(&o, "Alpha mentoring, Bravo tutoring, Charlie clubs, Delta letters, Echo fines");
    o.min_certainty = WW_QUERY_CERTAINTY_VERY_LOW; /* anything pooled */
    assert_order(&o, "Alpha mentoring, Bravo tutoring, Charlie clubs, Delta letters, Golf phone "
                     "calls, Echo fines");

    /* the domain asked for replaces the issue's: Foxtrot is ranked on reading */
    o = base();
    o.domain = "reading"; /* Echo's reading result: no clear effect */
    assert_order(&o, "Foxtrot reading, Echo fines");
    o.domain = "ATTENDANCE";
    assert_order(&o, "Alpha mentoring, Bravo tutoring, Charlie clubs, Delta letters, Golf phone "
                     "calls, Echo fines");

    o = base();
    o.country = "GB";
    assert_order(&o, "Alpha mentoring, Charlie clubs, Delta letters, Golf phone calls, Echo fines");
    o.country = "United Kingdom";
    assert_order(&o, "Alpha mentoring, Charlie clubs, Delta letters, Golf phone calls, Echo fines");
    o.country = "usa";
    assert_order(&o, "Bravo tutoring, Foxtrot reading");
    o.country = "FR";
    assert_order(&o, "");

    o = base();
    o.setting = "primary school"; /* compared as the index compares words: "schools" */
    assert_order(&o, "Delta letters");
    o.setting = "elementary";
    assert_order(&o, "Bravo tutoring, Foxtrot reading");

    o = base();
    o.population = "pupils";
    assert_order(&o, "Alpha mentoring, Delta letters");

    /* ages: Alpha 11-14; Bravo grades 3-5 = 8-11; Charlie 16-18; Delta
     * primary school 5-11; Golf under 11 = 0-10; Echo states none;
     * Foxtrot grade 2 = 7-8 */
    o = base();
    o.by_age = 1;
    o.age_years = 11;
    assert_order(&o, "Alpha mentoring, Bravo tutoring, Delta letters");
    o.age_years = 17;
    assert_order(&o, "Charlie clubs");
    o.age_years = 7;
    assert_order(&o, "Delta letters, Golf phone calls, Foxtrot reading");
    o.age_years = 0; /* a real age, not "no filter" */
    assert_order(&o, "Golf phone calls");
    o.age_years = 30;
    assert_order(&o, "");

    /* cost: unknown is not cheap */
    o = base();
    o.by_max_cost = 1;
    o.max_cost_per_participant = 150;
    assert_order(&o,
                 "Bravo tutoring, Delta letters, Golf phone calls, Echo fines, Foxtrot reading");
    o.max_cost_per_participant = 0;
    assert_order(&o, "");

    /* filters combine */
    o = base();
    o.country = "GB";
    o.min_certainty = WW_QUERY_CERTAINTY_MODERATE;
    o.sort = WW_QUERY_SORT_COST;
    assert_order(&o, "Delta letters, Echo fines, Alpha mentoring");

    /* hostile values are usage errors */
    {
        ww_query_result *res = NULL;
        o = base();
        o.min_certainty = (ww_query_certainty)7;
        assert_int_equal(ww_query_run(&res, db, "truancy", &o), WW_EUSAGE);
        o = base();
        o.by_age = 1;
        o.age_years = -1;
        assert_int_equal(ww_query_run(&res, db, "truancy", &o), WW_EUSAGE);
        o = base();
        o.by_max_cost = 1;
        o.max_cost_per_participant = NAN;
        assert_int_equal(ww_query_run(&res, db, "truancy", &o), WW_EUSAGE);
        o = base();
        o.domain = "  ";
        assert_int_equal(ww_query_run(&res, db, "truancy", &o), WW_EUSAGE);
        o = base();
        o.country = "\xff";
        assert_int_equal(ww_query_run(&res, db, "truancy", &o), WW_EUSAGE);
        o = base();
        o.version = WW_QUERY_OPTS_VERSION + 1;
        assert_int_equal(ww_query_run(&res, db, "truancy", &o), WW_EUSAGE);
        assert_null(res);
    }
    {
        ww_query_certainty c;
        ww_query_sort s;
        assert_ww_ok(ww_query_certainty_parse(&c, "Very Low"));
        assert_int_equal(c, WW_QUERY_CERTAINTY_VERY_LOW);
        assert_ww_ok(ww_query_certainty_parse(&c, "very-low"));
        assert_int_equal(ww_query_certainty_parse(&c, "bogus"), WW_EUSAGE);
        assert_non_null(strstr(ww_error_last(), "use high, moderate, low or very-low"));
        assert_int_equal(ww_query_certainty_parse(&c, NULL), WW_EUSAGE);
        assert_ww_ok(ww_query_sort_parse(&s, "COST"));
        assert_int_equal(s, WW_QUERY_SORT_COST);
        assert_int_equal(ww_query_sort_parse(&s, "price"), WW_EUSAGE);
    }
}

/* Text that names no issue: every domain answers it, and the one that
 * contains its words is preferred. */
static void test_query_rank__free_text_prefers_its_domain(void **state)
{
    ww_query_opts o = base();
    ww_query_result *res = NULL;
    (void)state;
    assert_ww_ok(ww_query_run(&res, db, "reading", &o));
    assert_string_equal(row_named(res, "Echo fines")->outcome_domain, "reading");
    assert_string_equal(row_named(res, "Foxtrot reading")->outcome_domain, "reading");
    ww_query_result_free(res);
    assert_ww_ok(ww_query_run(&res, db, "fines", &o));
    assert_string_equal(row_named(res, "Echo fines")->outcome_domain, "attendance");
    ww_query_result_free(res);
    /* with the issue, Echo's reading result is off the issue */
    assert_ww_ok(ww_query_run(&res, db, "truancy", &o));
    assert_string_equal(row_named(res, "Echo fines")->outcome_domain, "attendance");
    ww_query_result_free(res);
}

/* The plain-language effect: the WWC improvement index of every row, and
 * EEF months' progress only on attainment (Foxtrot, on reading: 0.20 is
 * in the Toolkit's 0.19-0.26 band, 3 months). */
static void test_query_rank__plain_effect(void **state)
{
    ww_query_opts o = base();
    ww_query_result *res = NULL;
    const ww_query_row *r;
    (void)state;
    assert_ww_ok(ww_query_run(&res, db, "truancy", &o));
    r = row_named(res, "Alpha mentoring");
    assert_close(r->improvement_index, (gsl_cdf_ugaussian_P(0.30) - 0.5) * 100, 1e-9);
    assert_close(r->improvement_index, 11.791, 1e-3); /* Φ(0.30) = 0.617911 */
    assert_true(isnan(r->months_progress));           /* attendance is not attainment */
    assert_non_null(strstr(r->why, "effect 0.30 SD, about 12 percentile points"));
    r = row_named(res, "Echo fines");
    assert_close(r->improvement_index, -9.871, 1e-3);
    assert_non_null(strstr(r->why, "effect \xe2\x88\x92"
                                   "0.25 SD, about 10 percentile points worse"));
    r = row_named(res, "Delta letters");
    assert_non_null(strstr(r->why, "but could be none"));
    r = row_named(res, "Foxtrot reading");
    assert_true(isnan(r->improvement_index)); /* nothing pooled on the issue */
    assert_non_null(strstr(r->why, "nothing pooled on this issue's outcomes; studied on reading"));
    r = row_named(res, "Charlie clubs");
    assert_true(isnan(r->cost_per_participant)); /* missing stays missing */
    assert_true(isnan(r->bcr));
    ww_query_result_free(res);

    o.domain = "reading";
    assert_ww_ok(ww_query_run(&res, db, "truancy", &o));
    r = row_named(res, "Foxtrot reading");
    assert_close(r->months_progress, 3, 0);
    assert_non_null(strstr(r->why, "effect 0.20 SD, about 3 months' progress"));
    ww_query_result_free(res);
}

/* Columns a test string takes: code points (the fixtures are all narrow). */
static size_t columns(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* The table fits 100 columns counted in characters, and a name with ’ or ®
 * is cut, with "…", at the same column as any other. */
static void test_query_rank__table_width(void **state)
{
    ww_query_opts o = base();
    ww_query_result *res = NULL;
    char *buf = NULL, *line, *save = NULL;
    size_t len = 0, verdict_col = 0;
    FILE *mem;
    int rows = 0;
    (void)state;
    assert_ww_ok(ww_query_run(&res, db, "truancy", &o));
    /* the row's name as a source may write it */
    ((ww_query_row *)ww_query_result_row(res, 0))->name =
        "Alpha’s Mentoring® Programme for Pupils Who Miss School";
    ((ww_query_row *)ww_query_result_row(res, 1))->name =
        "Bravo tutoring in primary schools, all year round";
    mem = open_memstream(&buf, &len);
    assert_ww_ok(ww_query_result_write(res, mem, WW_FORMAT_TABLE));
    fclose(mem);
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t w = columns(line, strlen(line));
        if (w > 100) print_error("%zu columns: %s\n", w, line);
        assert_true(w <= 100);
        if (line[0] >= '1' && line[0] <= '9') { /* a row: the verdict starts at one column */
            const char *v = strstr(line, "beneficial");
            if (!v) v = strstr(line, "no clear effect");
            if (!v) v = strstr(line, "harmful");
            if (!v) v = strstr(line, "not measured");
            assert_non_null(v);
            if (!verdict_col) verdict_col = columns(line, (size_t)(v - line));
            assert_int_equal(columns(line, (size_t)(v - line)), verdict_col);
            rows++;
        }
        if (strncmp(line, "1 ", 2) == 0)
            assert_non_null(strstr(line, "Alpha’s Mentoring® Programme fo… "));
        if (strncmp(line, "2 ", 2) == 0)
            assert_non_null(strstr(line, "Bravo tutoring in primary schoo… "));
    }
    assert_int_equal(rows, (int)N_CORPUS);
    free(buf);
    /* a missing number is "–", never 0 */
    mem = open_memstream(&buf, &len);
    assert_ww_ok(ww_query_result_write(res, mem, WW_FORMAT_TABLE));
    fclose(mem);
    assert_non_null(strstr(buf, "\xe2\x80\x93 \xe2\x80\x93 "));
    free(buf);
    /* --wide: the whole name */
    mem = open_memstream(&buf, &len);
    assert_ww_ok(ww_query_result_print(res, mem, WW_FORMAT_TABLE, WW_QUERY_PRINT_WIDE));
    fclose(mem);
    assert_non_null(strstr(buf, "Alpha’s Mentoring® Programme for Pupils Who Miss School"));
    assert_non_null(strstr(buf, "300 (2023)"));
    free(buf);
    /* CSV: missing is empty */
    mem = open_memstream(&buf, &len);
    assert_ww_ok(ww_query_result_write(res, mem, WW_FORMAT_CSV));
    fclose(mem);
    assert_non_null(strstr(
        buf, ",improvement_index,months_progress,cost_per_participant,cost_price_year,bcr\r\n"));
    { /* Charlie: an improvement index, then no months (attendance), no
       * cost, no price year, no bcr: empty, not 0 */
        char *charlie = strstr(buf, ",charlie-clubs,"), *eol;
        assert_non_null(charlie);
        eol = strstr(charlie, "\r\n");
        assert_non_null(eol);
        assert_true(eol - charlie > 5 && strncmp(eol - 4, ",,,,", 4) == 0 && eol[-5] != ',');
    }
    free(buf);
    ww_query_result_free(res);
}

/* The why on the real WWC data: at most 160 characters, plain words (no
 * rule ids, no crosswalk codes, no method names), the technical detail in
 * JSON's explain. */
static void test_query_rank__why_on_wwc(void **state)
{
    char path[3][400];
    static const char *const files[] = {"wwc_Findings.csv", "wwc_InterventionReports.csv",
                                        "wolf2021_wp_meta_v2.csv"};
    static const char *const jargon[] = {"matched",   "EIF",        "NL2", "whatworks-rules",
                                         "REML",      "FE)",        "SMD", "lower 95%",
                                         "issue tag", "Blueprints", NULL};
    static const char *const issues[] = {"truancy", "reading", "behaviour", "dropout", "maths"};
    const char *shared = test_env("WW_SHARED_DATA", NULL);
    ww_db *wdb = NULL;
    char dbpath[300];
    ww_query_opts o = WW_QUERY_OPTS_INIT;
    (void)state;
    if (!shared || access(shared, R_OK) != 0) skip();
    for (int i = 0; i < 3; i++) {
        snprintf(path[i], sizeof path[i], "%s/wwc/%s", shared, files[i]);
        if (access(path[i], R_OK) != 0) skip();
    }
    snprintf(dbpath, sizeof dbpath, "%s/wwc.db", tmpdir);
    assert_ww_ok(ww_db_open(&wdb, dbpath, WW_DB_CREATE));
    for (int i = 0; i < 3; i++) {
        ww_import_report *rep = NULL;
        assert_ww_ok(ww_import_file(&rep, wdb, path[i], NULL));
        ww_import_report_free(rep);
    }
    o.limit = 100;
    for (size_t q = 0; q < sizeof issues / sizeof issues[0]; q++) {
        ww_query_result *res = NULL;
        char *buf = NULL;
        size_t len = 0;
        FILE *mem;
        json_t *doc, *rows;
        assert_ww_ok(ww_query_run(&res, wdb, issues[q], &o));
        assert_true(ww_query_result_count(res) > 0);
        for (size_t i = 0; i < ww_query_result_count(res); i++) {
            const ww_query_row *r = ww_query_result_row(res, i);
            size_t chars = columns(r->why, strlen(r->why));
            if (chars > 160) print_error("%s: %zu characters: %s\n", r->slug, chars, r->why);
            assert_true(chars <= 160);
            for (int j = 0; jargon[j]; j++)
                if (strstr(r->why, jargon[j]))
                    fail_msg("%s: jargon '%s' in: %s", r->slug, jargon[j], r->why);
            assert_false(r->provisional); /* WWC's studies are reviewed */
            /* a domain about staff answers no issue about pupils ("maths"
             * names no issue: any domain answers it) */
            if (strcmp(issues[q], "maths") != 0) assert_null(strstr(r->outcome_domain, "teacher"));
        }
        if (strcmp(issues[q], "truancy") == 0) {
            /* worked from the WWC file: Early College High School, one study
             * of 1,554 pupils on "Attendance (high school)", g = 0.19 */
            const ww_query_row *r = ww_query_result_row(res, 0);
            assert_string_equal(r->slug, "early-college-high-school");
            assert_string_equal(
                r->why, "1 study (1,554 participants) on attendance (high school); meets WWC "
                        "standards; moderate certainty; effect 0.19 SD, about 8 percentile "
                        "points");
            /* the table: "U.S. Department of Education’s Student Mentoring
             * Program (SMP)" is cut after 31 characters, its ’ one column */
            mem = open_memstream(&buf, &len);
            assert_ww_ok(ww_query_result_write(res, mem, WW_FORMAT_TABLE));
            fclose(mem);
            assert_non_null(strstr(
                buf, "U.S. Department of Education\xe2\x80\x99s \xe2\x80\xa6     \xe2\x80\x93"));
            for (char *line = buf, *eol; *line; line = eol + 1) {
                eol = strchr(line, '\n');
                assert_non_null(eol);
                assert_true(columns(line, (size_t)(eol - line)) <= 100);
            }
            free(buf);
            buf = NULL;
        }
        mem = open_memstream(&buf, &len);
        assert_ww_ok(ww_query_result_write(res, mem, WW_FORMAT_JSON));
        fclose(mem);
        doc = json_loads(buf, 0, NULL);
        assert_non_null(doc);
        rows = json_object_get(doc, "results");
        for (size_t i = 0; i < json_array_size(rows); i++) {
            json_t *ex = json_object_get(json_array_get(rows, i), "explain");
            assert_string_equal(json_string_value(json_object_get(ex, "ranking_rule")),
                                "verdict-certainty-effect/3");
            assert_true(json_array_size(json_object_get(ex, "matched")) >= 1);
            if (!json_is_null(json_object_get(json_array_get(rows, i), "pooling"))) {
                assert_non_null(
                    strstr(json_string_value(json_object_get(ex, "certainty_step")), "certainty:"));
                assert_true(json_is_string(json_object_get(ex, "eif_level")));
                assert_true(json_is_string(json_object_get(ex, "synthesis")));
            }
        }
        json_decref(doc);
        free(buf);
        ww_query_result_free(res);
    }
    ww_db_close(wdb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_rank__score),
        cmocka_unit_test(test_query_rank__provisional_gate),
        cmocka_unit_test(test_query_rank__sorts),
        cmocka_unit_test(test_query_rank__filters),
        cmocka_unit_test(test_query_rank__free_text_prefers_its_domain),
        cmocka_unit_test(test_query_rank__plain_effect),
        cmocka_unit_test(test_query_rank__table_width),
        cmocka_unit_test(test_query_rank__why_on_wwc),
    };
    test_filter_from_env();
    return cmocka_run_group_tests_name("query_rank", tests, setup, teardown);
}
