/*
 * test_grade.c — rigour grades in the repository: every imported study is
 * graded under the current rules with its trace stored, each pooled result
 * carries a certainty, `grade --explain` shows the trace, the evaluators'
 * fast lane prints the provisional grade at validate/import time, and
 * `regrade` reports exactly what moved, from what to what, and why.
 */
#include "helpers.h"

#include <jansson.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../repo/repo_int.h"

static char tmpdir[256];
static char db_path[300];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ww-test-grade-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    snprintf(db_path, sizeof db_path, "%s/g.db", tmpdir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *example(char *buf, size_t n, const char *file)
{
    snprintf(buf, n, "%s/data/examples/%s", test_env("WW_TOP", "."), file);
    return buf;
}

static ww_db *db_with(const char *const *files, size_t n)
{
    ww_db *db = NULL;
    unlink(db_path);
    assert_ww_ok(ww_db_open(&db, db_path, WW_DB_CREATE));
    for (size_t i = 0; i < n; i++) {
        char path[400];
        ww_import_report *rep = NULL;
        assert_ww_ok(ww_import_file(&rep, db, example(path, sizeof path, files[i]), NULL));
        ww_import_report_free(rep);
    }
    return db;
}

static long long count(ww_db *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long n = -1;
    assert_int_equal(sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static char *capture_grade(ww_db *db, int64_t id, int explain, ww_format fmt, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    *rc = ww_grade_write(db, &id, 1, explain, mem, fmt);
    fclose(mem);
    return buf;
}

static void test_grade__imported_studies_are_graded(void **state)
{
    static const char *const files[] = {"attendance-mentoring.xml", "family-intervention-asb.xml"};
    ww_db *db = db_with(files, 2);
    char *out;
    json_t *doc, *study, *trace;
    int rc;
    (void)state;

    assert_int_equal(count(db, "SELECT count(*) FROM study WHERE rigour_level IS NULL"
                               " OR rigour_trace IS NULL OR rules_version IS NULL"),
                     0);
    assert_int_equal(
        count(db, "SELECT count(*) FROM study WHERE rules_version = 'whatworks-rules/2'"), 2);
    /* The randomised pilot: low attrition, so level 5 and WWC's top rating. */
    assert_int_equal(count(db, "SELECT rigour_level FROM study WHERE design = 'randomised'"), 5);
    assert_int_equal(count(db, "SELECT count(*) FROM study WHERE design = 'randomised' AND"
                               " wwc_rating = 'meets WWC standards without reservations'"),
                     1);
    /* The matched comparison: 0.12 SD at baseline, adjustment not stated. */
    assert_int_equal(count(db, "SELECT rigour_level FROM study WHERE design = 'matched-pretest'"), 2);
    /* Every pooled result carries a certainty with its trace. */
    assert_int_equal(count(db, "SELECT count(*) FROM synthesis WHERE certainty IS NULL"
                               " OR certainty_trace IS NULL OR eif_level IS NULL"),
                     0);
    /* The pilot was allocated by school: its CI, widened by the design
     * effect, includes no effect, and the trace says why. */
    assert_int_equal(count(db, "SELECT count(*) FROM synthesis WHERE certainty = 'low'"
                               " AND domain = 'attendance' AND k = 1 AND"
                               " certainty_trace LIKE '%imprecision%includes no effect%OIS 786%"
                               "clustering: 1 of 1 studies allocated by cluster%design effect 4.03%"
                               "unreviewed: rests on one unreviewed study%'"),
                     1);

    out = capture_grade(db, 1, 1, WW_FORMAT_JSON, &rc);
    assert_int_equal(rc, 0);
    doc = json_loads(out, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "schema")), "whatworks/grade/1");
    study = json_array_get(json_object_get(doc, "studies"), 0);
    assert_int_equal(json_integer_value(json_object_get(study, "level")), 5);
    assert_int_equal(json_integer_value(json_object_get(study, "maryland_sms")), 5);
    trace = json_object_get(study, "trace");
    assert_string_equal(json_string_value(json_array_get(trace, 0)), "design: randomised → base level 5");
    assert_non_null(strstr(json_string_value(json_array_get(trace, 1)), "attrition: overall 8.1%, differential 0.6%"));
    json_decref(doc);
    free(out);

    /* Without --explain, no trace. */
    out = capture_grade(db, 2, 0, WW_FORMAT_TABLE, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "rigour level 2 of 5"));
    assert_null(strstr(out, "baseline:"));
    free(out);
    out = capture_grade(db, 2, 1, WW_FORMAT_TABLE, &rc);
    assert_non_null(strstr(out, "baseline: difference 0.12 SD"));
    assert_non_null(strstr(out, "to raise it:"));
    free(out);

    out = capture_grade(db, 99, 1, WW_FORMAT_JSON, &rc);
    assert_int_equal(rc, WW_ENOTFOUND);
    assert_string_equal(out, "");
    free(out);
    ww_db_close(db);
}

/* Regrading under unchanged rules moves nothing; a study graded under other
 * rules (or tampered with) is regraded and reported with the reason. */
static void test_grade__regrade_reports_what_moved(void **state)
{
    static const char *const files[] = {"attendance-mentoring.xml", "family-intervention-asb.xml",
                                        "housing-led-support.xml"};
    ww_db *db = db_with(files, 3);
    char *buf = NULL;
    size_t len = 0, moved = 99;
    FILE *mem;
    json_t *doc, *m;
    (void)state;

    mem = open_memstream(&buf, &len);
    assert_ww_ok(ww_regrade(db, mem, WW_FORMAT_TABLE, &moved));
    fclose(mem);
    assert_int_equal(moved, 0);
    assert_non_null(strstr(buf, "regraded 3 studies under whatworks-rules/2: 0 moved"));
    free(buf);

    assert_int_equal(sqlite3_exec(db->sql,
                                  "UPDATE study SET rigour_level = 1, sms_level = 1,"
                                  " rules_version = 'whatworks-rules/0' WHERE design = 'randomised';"
                                  "UPDATE synthesis SET certainty = 'very low'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    mem = open_memstream(&buf, &len);
    assert_ww_ok(ww_regrade(db, mem, WW_FORMAT_JSON, &moved));
    fclose(mem);
    assert_int_equal(moved, 1);
    doc = json_loads(buf, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "schema")), "whatworks/regrade/1");
    assert_int_equal(json_integer_value(json_object_get(doc, "studies")), 3);
    m = json_array_get(json_object_get(doc, "moved"), 0);
    assert_int_equal(json_integer_value(json_object_get(m, "level")), 5);
    assert_non_null(strstr(json_string_value(json_object_get(m, "reason")), "level 1 → 5"));
    assert_non_null(strstr(json_string_value(json_object_get(m, "reason")),
                           "whatworks-rules/0 → whatworks-rules/2"));
    json_decref(doc);
    free(buf);
    /* stored again under the current rules; certainties recomputed */
    assert_int_equal(
        count(db, "SELECT count(*) FROM study WHERE rules_version <> 'whatworks-rules/2'"), 0);
    assert_int_equal(count(db, "SELECT count(*) FROM synthesis WHERE certainty = 'low'"
                               " AND certainty_trace LIKE '%design effect 4.03%'"),
                     1);
    assert_int_equal(count(db, "SELECT count(*) FROM audit WHERE action = 'regrade'"), 2);
    ww_db_close(db);
}

/* The evaluators' fast lane: validation (no database) already gives the
 * provisional grade, its trace and what would raise it. */
static void test_grade__fast_lane_on_validate(void **state)
{
    ww_import_report *rep = NULL;
    ww_import_opts opts = {0};
    char path[400];
    const char *g;
    (void)state;
    opts.dry_run = 1;
    assert_ww_ok(ww_import_file(&rep, NULL, example(path, sizeof path, "family-intervention-asb.xml"), &opts));
    g = ww_import_report_grades(rep);
    assert_non_null(strstr(g, "provisional grade of "));
    assert_non_null(strstr(g, "level 2 of 5"));
    assert_non_null(strstr(g, "baseline: difference 0.12 SD, adjustment not reported"));
    assert_non_null(strstr(g, "to raise it:"));
    assert_non_null(strstr(g, "state whether the impact analysis adjusts for the baseline measure"));
    ww_import_report_free(rep);
}

/* Run `whatworks --db DB ARGS`; *out gets stdout then stderr (free() it). */
static int run(const char *args, char **out)
{
    char prefix[400];
    test_cli_result r;
    size_t n;
    snprintf(prefix, sizeof prefix, "--db '%s'", db_path);
    r = test_cli_run(tmpdir, prefix, args);
    n = strlen(r.out) + strlen(r.err) + 1;
    *out = malloc(n);
    snprintf(*out, n, "%s%s", r.out, r.err);
    test_cli_free(r);
    return r.status;
}

static void test_grade__cli(void **state)
{
    static const char *const files[] = {"attendance-mentoring.xml"};
    char *out;
    (void)state;
    ww_db_close(db_with(files, 1));
    assert_int_equal(run("grade --explain 1 --format table", &out), 0);
    assert_non_null(strstr(out, "design: randomised → base level 5"));
    free(out);
    assert_int_equal(run("grade 42", &out), 66);
    free(out);
    assert_int_equal(run("grade one", &out), 64);
    free(out);
    assert_int_equal(run("regrade --format table", &out), 0);
    assert_non_null(strstr(out, "0 moved"));
    free(out);
    assert_int_equal(run("validate data/examples/family-intervention-asb.xml", &out), 0);
    assert_non_null(strstr(out, "provisional grade"));
    free(out);
}

/* Golden: the real Cochrane review CD000023 (antibiotics for sore throat).
 * Its RoB 1 items feed the grades; a study's design comes from its methods
 * text, else from the review's types of studies ("RCTs or quasi-RCTs": a
 * comparison group, level 2), so none is "design not reported". The
 * counts below were measured on import and are asserted so any change to
 * the rules or the importer shows up here. Its outcomes are risk ratios:
 * pooled on the SMD scale from the 2x2 tables' log odds ratios. */
static void test_grade__cochrane_review_golden(void **state)
{
    ww_db *db = NULL;
    ww_import_report *rep = NULL;
    char path[400];
    (void)state;
    unlink(db_path);
    assert_ww_ok(ww_db_open(&db, db_path, WW_DB_CREATE));
    assert_ww_ok(ww_import_file(&rep, db, SHARED_PATH(path, "revman/antibiotics-for-sore-throat_CD000023.rm5"), NULL));
    ww_import_report_free(rep);
    assert_int_equal(count(db, "SELECT count(*) FROM study"), 48);
    assert_int_equal(count(db, "SELECT count(*) FROM study WHERE design = 'randomised' AND rigour_level = 5"), 10);
    assert_int_equal(count(db, "SELECT count(*) FROM study WHERE design = 'randomised' AND rigour_level = 4"), 12);
    assert_int_equal(count(db, "SELECT count(*) FROM study WHERE design = 'randomised' AND rigour_level = 3"), 3);
    /* the 23 whose methods say "quasi-randomised" or name no design: the
     * review admits "Randomised controlled trials (RCTs) or quasi-RCTs", so
     * a comparison group at least, and none is left unreported */
    assert_int_equal(count(db, "SELECT count(*) FROM study WHERE design = 'comparison'"
                               " AND rigour_level = 2 AND rigour_trace LIKE 'design: comparison group%'"),
                     23);
    assert_int_equal(count(db, "SELECT count(*) FROM study WHERE design = 'unknown'"), 0);
    /* a study with RoB 1 items judged high is capped at 3 */
    assert_int_equal(count(db, "SELECT max(rigour_level) FROM study s WHERE EXISTS (SELECT 1 FROM"
                               " risk_of_bias r WHERE r.study_id = s.id AND r.judgement = 'high')"),
                     3);
    assert_int_equal(count(db, "SELECT count(*) FROM study WHERE rigour_trace LIKE '%risk of bias: RoB 1,%'"), 48);
    /* RR outcomes pooled from their tables: 13 studies at one week */
    assert_int_equal(count(db, "SELECT k FROM synthesis WHERE domain ="
                               " 'symptom of sore throat at one week (6 to 8 days)'"),
                     13);
    assert_int_equal(count(db, "SELECT count(*) FROM synthesis WHERE certainty IS NULL"), 0);
    ww_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grade__imported_studies_are_graded),
        cmocka_unit_test(test_grade__regrade_reports_what_moved),
        cmocka_unit_test(test_grade__fast_lane_on_validate),
        cmocka_unit_test(test_grade__cli),
        cmocka_unit_test(test_grade__cochrane_review_golden),
    };
    test_filter_from_env();
    return cmocka_run_group_tests_name("grade", tests, setup, teardown);
}
