/*
 * test_query.c — the first ranked query: taxonomy expansion (synonyms, UK and
 * US spellings, narrower issues), FTS5 safety (any text is an ordinary query,
 * never syntax), pooling worked by hand from an example's own numbers, the
 * ranking order, and the three output formats.
 */
#include "helpers.h"

#include <dirent.h>
#include <jansson.h>
#include <unistd.h>

static char tmpdir[256];
static ww_db *db;
/* The examples are submissions, provisional until reviewed: a query leaves
 * them out unless asked. */
static ww_query_opts with_provisional = {.version = WW_QUERY_OPTS_VERSION, .include_provisional = 1};

/* Import every example pilot into a fresh database once for the group. */
static int setup(void **state)
{
    char path[300], dir[300];
    struct dirent **names = NULL;
    int n;
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ww-test-query-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    snprintf(path, sizeof path, "%s/q.db", tmpdir);
    if (ww_db_open(&db, path, WW_DB_CREATE) < 0) return -1;
    snprintf(dir, sizeof dir, "%s/data/examples", test_env("WW_TOP", "."));
    if ((n = scandir(dir, &names, NULL, alphasort)) < 0) return -1;
    for (int i = 0; i < n; i++) {
        char file[700];
        ww_import_report *rep = NULL;
        if (strstr(names[i]->d_name, ".xml")) {
            snprintf(file, sizeof file, "%s/%s", dir, names[i]->d_name);
            if (ww_import_file(&rep, db, file, NULL) < 0) {
                fprintf(stderr, "%s: %s\n", file, ww_error_last());
                return -1;
            }
            ww_import_report_free(rep);
        }
        free(names[i]);
    }
    free(names);
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    ww_db_close(db);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static const ww_query_row *find_row(const ww_query_result *res, const char *slug)
{
    for (size_t i = 0; i < ww_query_result_count(res); i++)
        if (strcmp(ww_query_result_row(res, i)->slug, slug) == 0) return ww_query_result_row(res, i);
    return NULL;
}

static json_t *query_json(const char *text)
{
    ww_query_result *res = NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    json_error_t err;
    json_t *doc;
    assert_ww_ok(ww_query_run(&res, db, text, &with_provisional));
    assert_ww_ok(ww_query_result_write(res, mem, WW_FORMAT_JSON));
    fclose(mem);
    doc = json_loads(buf, 0, &err);
    if (!doc) print_error("bad JSON (%s): %s\n", err.text, buf);
    assert_non_null(doc);
    free(buf);
    ww_query_result_free(res);
    return doc;
}

static const char *const verdicts[] = {"beneficial", "no clear effect", "harmful",
                                       "no outcome on this issue", NULL};
static const char *const certainties[] = {"high", "moderate", "low", "very low", "", NULL};

static int order_of(const char *s, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0) return i;
    fail_msg("unexpected value '%s'", s);
    return -1;
}

/* The attendance mentoring example's pooled effect, worked by hand from the
 * numbers in data/examples/attendance-mentoring.xml with the published
 * formulas (Hedges' g with the exact correction, variance as metafor's
 * escalc "LS"; log OR x sqrt(3)/pi; both outcomes lower-is-better, so signs
 * flip; the study's two effects averaged; one study, so fixed effect). */
static void test_query__truancy_pools_the_examples_numbers(void **state)
{
    ww_query_result *res = NULL;
    const ww_query_row *r;
    double m1 = 31.4, s1 = 18.2, n1 = 380, m2 = 35.9, s2 = 19.0, n2 = 371;
    double df = n1 + n2 - 2;
    double sp = sqrt(((n1 - 1) * s1 * s1 + (n2 - 1) * s2 * s2) / df);
    double j = exp(lgamma(df / 2) - lgamma((df - 1) / 2)) / sqrt(df / 2);
    double g = (m1 - m2) / sp * j;
    double vg = 1 / n1 + 1 / n2 + g * g / (2 * (n1 + n2));
    double lor = log((142.0 / 238.0) / (168.0 / 203.0));
    double vlor = 1 / 142.0 + 1 / 238.0 + 1 / 168.0 + 1 / 203.0;
    double k = sqrt(3) / M_PI;
    /* allocated by school, 12 + 12 schools, no ICC reported: both variances
     * carry the design effect 1 + (m - 1) ICC, m = 751 / 24, ICC 0.10 (the
     * WWC default for non-achievement outcomes) */
    double deff = 1 + ((n1 + n2) / 24.0 - 1) * 0.10;
    double y = (-g + -lor * k) / 2, v = (vg + vlor * k * k) * deff / 2;
    (void)state;

    assert_ww_ok(ww_query_run(&res, db, "truancy", &with_provisional));
    assert_true(ww_query_result_count(res) >= 2);
    r = find_row(res, "attendance-mentoring-illustrative-example");
    assert_non_null(r);
    assert_string_equal(r->metric, "SMD");
    assert_string_equal(r->outcome_domain, "attendance");
    assert_int_equal(r->n_studies, 1);
    assert_int_equal(r->n_effects, 2);
    assert_int_equal(r->n_participants, 751);
    assert_true(r->is_example);
    assert_true(r->provisional);
    assert_close(r->estimate, y, 1e-12);
    assert_close(r->ci_low, y - 1.959963984540054 * sqrt(v), 1e-12);
    assert_close(r->ci_high, y + 1.959963984540054 * sqrt(v), 1e-12);
    assert_string_equal(r->verdict, r->ci_low > 0 ? "beneficial" : "no clear effect");
    assert_non_null(strstr(r->why, "example, not evidence"));
    assert_non_null(strstr(r->why, "not yet reviewed"));

    /* Ranked by verdict, then certainty, then the pooled effect; ranks 1..n. */
    for (size_t i = 0; i < ww_query_result_count(res); i++) {
        const ww_query_row *a = ww_query_result_row(res, i);
        assert_int_equal(a->rank, (int)i + 1);
        if (i + 1 < ww_query_result_count(res)) {
            const ww_query_row *b = ww_query_result_row(res, i + 1);
            int va = order_of(a->verdict, verdicts), vb = order_of(b->verdict, verdicts);
            int ca = order_of(a->certainty, certainties), cb = order_of(b->certainty, certainties);
            assert_true(va <= vb);
            if (va == vb) assert_true(ca <= cb);
            if (va == vb && ca == cb && !isnan(b->estimate)) assert_true(a->estimate >= b->estimate);
        }
    }
    /* The randomised pilot's result is graded: low (one study below the
     * optimal information size, and its CI, widened for allocation by
     * school, includes no effect). */
    assert_string_equal(r->certainty, "low");
    assert_null(ww_query_result_row(res, ww_query_result_count(res)));
    ww_query_result_free(res);
}

/* Synonyms and spellings of one issue give the same answer. */
static void test_query__synonyms_and_spellings_agree(void **state)
{
    static const char *const same[][3] = {
        {"truancy", "School Absence", "absenteeism"},
        {"anti-social behaviour", "antisocial behavior", "ASB"},
        {"homelessness", "rough sleeping", "Homeless"},
        {"worklessness", "unemployment", "out of work"},
        {"substance misuse", "drug abuse", "substance abuse"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        json_t *a = query_json(same[i][0]);
        for (size_t k = 1; k < 3; k++) {
            json_t *b = query_json(same[i][k]);
            json_t *ra = json_object_get(a, "results"), *rb = json_object_get(b, "results");
            assert_true(json_array_size(ra) >= 1);
            assert_int_equal(json_array_size(ra), json_array_size(rb));
            for (size_t r = 0; r < json_array_size(ra); r++)
                assert_string_equal(json_string_value(json_object_get(json_array_get(ra, r), "slug")),
                                    json_string_value(json_object_get(json_array_get(rb, r), "slug")));
            assert_true(json_equal(json_object_get(a, "issues"), json_object_get(b, "issues")));
            json_decref(b);
        }
        json_decref(a);
    }
}

/* The text names an issue; its narrower issues come along. */
static void test_query__expands_to_narrower_issues(void **state)
{
    json_t *doc = query_json("truancy");
    json_t *issues = json_object_get(doc, "issues");
    (void)state;
    assert_string_equal(json_string_value(json_object_get(doc, "schema")), "whatworks/query/2");
    assert_int_equal(json_array_size(issues), 2);
    assert_string_equal(json_string_value(json_array_get(issues, 0)), "school-absence");
    assert_string_equal(json_string_value(json_array_get(issues, 1)), "persistent-absence");
    assert_non_null(strstr(json_string_value(json_object_get(doc, "fts_expression")),
                           "\"chronic absenteeism\""));
    json_decref(doc);
}

/* Whatever the user types is quoted before FTS5 sees it: operators, column
 * filters, stray quotes and SQL are all just text. */
static void test_query__fts_syntax_is_ordinary_text(void **state)
{
    static const char *const hostile[] = {
        "truancy\"", "NEAR(", "\"", "\"\"", "*", "mentor*", "AND", "OR OR", "NOT", "a NOT b",
        "title:mentoring", "{title body}: x", "-", "^truancy", "(((", ")", "+", "NEAR(a b, 3)",
        "'); DROP TABLE study; --", "truancy' OR '1'='1", "\\", "%", "_", ":", "\x01\x02",
        "caf\xc3\xa9", "mentoring \"attendance",
    };
    (void)state;
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        ww_query_result *res = NULL;
        int rc = ww_query_run(&res, db, hostile[i], &with_provisional);
        if (rc < 0) print_error("query %zu '%s': %s\n", i, hostile[i], ww_error_last());
        assert_int_equal(rc, 0);
        ww_query_result_free(res);
    }
    /* A stray quote does not change what "truancy" finds. */
    {
        json_t *a = query_json("truancy"), *b = query_json("truancy\"");
        assert_int_equal(json_array_size(json_object_get(a, "results")),
                         json_array_size(json_object_get(b, "results")));
        json_decref(a);
        json_decref(b);
    }
    /* The database is intact afterwards. */
    {
        ww_query_result *res = NULL;
        assert_ww_ok(ww_query_run(&res, db, "truancy", &with_provisional));
        assert_true(ww_query_result_count(res) >= 2);
        ww_query_result_free(res);
    }
}

/* Text outside the taxonomy still finds interventions by full text. */
static void test_query__free_text_matches_the_index(void **state)
{
    ww_query_result *res = NULL;
    (void)state;
    assert_ww_ok(ww_query_run(&res, db, "mentors", &with_provisional)); /* porter: mentor, mentoring */
    assert_non_null(find_row(res, "attendance-mentoring-illustrative-example"));
    ww_query_result_free(res);
    assert_ww_ok(ww_query_run(&res, db, "zzzz-no-such-thing", &with_provisional));
    assert_int_equal(ww_query_result_count(res), 0);
    ww_query_result_free(res);
}

static void test_query__limit_and_bad_input(void **state)
{
    ww_query_result *res = NULL;
    ww_query_opts opts = WW_QUERY_OPTS_INIT;
    (void)state;
    opts.limit = 1;
    opts.include_provisional = 1;
    assert_ww_ok(ww_query_run(&res, db, "truancy", &opts));
    assert_int_equal(ww_query_result_count(res), 1);
    ww_query_result_free(res);
    res = NULL;
    assert_int_equal(ww_query_run(&res, db, "", &with_provisional), WW_EUSAGE);
    assert_int_equal(ww_query_run(&res, db, "   \t", &with_provisional), WW_EUSAGE);
    assert_int_equal(ww_query_run(&res, db, "\xff\xfe", &with_provisional), WW_EUSAGE);
    assert_null(res);
}

static void test_query__csv_and_table_output(void **state)
{
    ww_query_result *res = NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *mem;
    size_t lines = 0;
    (void)state;
    assert_ww_ok(ww_query_run(&res, db, "truancy", &with_provisional));

    mem = open_memstream(&buf, &len);
    assert_ww_ok(ww_query_result_write(res, mem, WW_FORMAT_CSV));
    fclose(mem);
    {
        static const char header[] = "rank,slug,name,outcome_domain,metric,estimate,ci_low,ci_high,";
        assert_true(strncmp(buf, header, sizeof header - 1) == 0);
    }
    for (char *p = buf; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, ww_query_result_count(res) + 1);
    assert_non_null(strstr(buf, "\r\n"));
    free(buf);

    mem = open_memstream(&buf, &len);
    assert_ww_ok(ww_query_result_write(res, mem, WW_FORMAT_TABLE));
    fclose(mem);
    assert_non_null(strstr(buf, "What works for \"truancy\""));
    assert_non_null(strstr(buf, "[example]"));
    free(buf);
    ww_query_result_free(res);
}

static void test_query__show_and_issues(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    json_t *doc;
    (void)state;
    assert_ww_ok(ww_show_write(db, "attendance-mentoring-illustrative-example", mem, WW_FORMAT_JSON));
    fclose(mem);
    doc = json_loads(buf, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "schema")), "whatworks/intervention/1");
    assert_int_equal(json_array_size(json_object_get(doc, "studies")), 1);
    {
        json_t *effects = json_object_get(json_array_get(json_object_get(doc, "studies"), 0), "effects");
        json_t *or_effect = json_array_get(effects, 1);
        assert_int_equal(json_array_size(effects), 2);
        assert_string_equal(json_string_value(json_object_get(or_effect, "metric")), "OR");
        /* ratio shown exponentiated: the odds ratio itself */
        assert_close(json_real_value(json_object_get(or_effect, "estimate")),
                     (142.0 / 238.0) / (168.0 / 203.0), 1e-12);
        assert_non_null(strstr(json_string_value(json_object_get(or_effect, "location")), "line "));
    }
    json_decref(doc);
    free(buf);

    /* By name too, case-insensitively; unknown is ENOTFOUND. */
    mem = open_memstream(&buf, &len);
    assert_ww_ok(ww_show_write(db, "ATTENDANCE MENTORING (ILLUSTRATIVE EXAMPLE)", mem, WW_FORMAT_TABLE));
    fclose(mem);
    assert_non_null(strstr(buf, "illustrative example, not real evidence"));
    free(buf);
    mem = open_memstream(&buf, &len);
    assert_int_equal(ww_show_write(db, "no-such-intervention", mem, WW_FORMAT_TABLE), WW_ENOTFOUND);
    fclose(mem);
    free(buf);

    mem = open_memstream(&buf, &len);
    assert_ww_ok(ww_issues_write(db, mem, WW_FORMAT_CSV));
    fclose(mem);
    assert_non_null(strstr(buf, "persistent-absence,school-absence,"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query__truancy_pools_the_examples_numbers),
        cmocka_unit_test(test_query__synonyms_and_spellings_agree),
        cmocka_unit_test(test_query__expands_to_narrower_issues),
        cmocka_unit_test(test_query__fts_syntax_is_ordinary_text),
        cmocka_unit_test(test_query__free_text_matches_the_index),
        cmocka_unit_test(test_query__limit_and_bad_input),
        cmocka_unit_test(test_query__csv_and_table_output),
        cmocka_unit_test(test_query__show_and_issues),
    };
    test_filter_from_env();
    return cmocka_run_group_tests_name("query", tests, setup, teardown);
}
