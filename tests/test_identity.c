/*
 * test_identity.c — one evaluation, one study. The same evaluation saved
 * three ways (as written, with a byte-order mark, with CRLF line ends) and
 * again as the pilot-results CSV is stored once: every other copy is
 * refused with exit 65 and a message naming the study it duplicates; k and
 * N stay those of one study. `import --replace` supersedes it (the earlier
 * file stays in the archive, the audit log records it) and `withdraw`
 * takes a study out of every synthesis while `show` keeps it, marked.
 */
#include "helpers.h"

#include <jansson.h>
#include <unistd.h>

static char tmpdir[256];

static int setup_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ww-test-identity-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    char cmd[300];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static test_cli_result run(const char *args)
{
    char prefix[320];
    snprintf(prefix, sizeof prefix, "--db '%s/id.db'", tmpdir);
    return test_cli_run(tmpdir, prefix, args);
}

/* Write bytes to tmpdir/name: the example as written, BOM-prefixed or
 * with every LF made CRLF. */
static void copy_example(const char *name, int bom, int crlf)
{
    char src[512], dst[512];
    char *text;
    FILE *fp;
    snprintf(src, sizeof src, "%s/data/examples/attendance-mentoring.xml", test_env("WW_TOP", "."));
    snprintf(dst, sizeof dst, "%s/%s", tmpdir, name);
    text = test_slurp(src);
    assert_true(strlen(text) > 100);
    fp = fopen(dst, "wb");
    assert_non_null(fp);
    if (bom) fputs("\xEF\xBB\xBF", fp);
    for (char *p = text; *p; p++) {
        if (crlf && *p == '\n') fputc('\r', fp);
        fputc(*p, fp);
    }
    fclose(fp);
    free(text);
}

/* k, N and the CI of the pooled attendance result, from `show` JSON. */
static void pooled(int *k, long *n, double *lo, double *hi)
{
    test_cli_result r = run("show attendance-mentoring-illustrative-example --format json");
    json_t *doc = json_loads(r.out, 0, NULL), *syn;
    assert_int_equal(r.status, 0);
    assert_non_null(doc);
    *k = 0;
    *n = -1;
    *lo = *hi = NAN;
    syn = json_object_get(doc, "syntheses");
    for (size_t i = 0; i < json_array_size(syn); i++) {
        json_t *s = json_array_get(syn, i);
        if (strcmp(json_string_value(json_object_get(s, "domain")), "attendance") != 0) continue;
        *k = (int)json_integer_value(json_object_get(s, "k"));
        *n = (long)json_integer_value(json_object_get(s, "n_participants"));
        *lo = json_real_value(json_object_get(s, "ci_low"));
        *hi = json_real_value(json_object_get(s, "ci_high"));
    }
    json_decref(doc);
    test_cli_free(r);
}

static void test_identity__three_copies_one_study(void **state)
{
    test_cli_result r;
    char args[700];
    int k;
    long n;
    double lo, hi, lo1, hi1;
    (void)state;
    copy_example("a.xml", 0, 0);
    copy_example("b.xml", 1, 0);
    copy_example("c.xml", 0, 1);

    snprintf(args, sizeof args, "import --init '%s/a.xml'", tmpdir);
    r = run(args);
    assert_int_equal(r.status, 0);
    test_cli_free(r);
    pooled(&k, &n, &lo1, &hi1);
    assert_int_equal(k, 1);
    assert_int_equal(n, 751);

    static const char *const copies[] = {"b.xml", "c.xml"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(args, sizeof args, "import '%s/%s'", tmpdir, copies[i]);
        r = run(args);
        assert_int_equal(r.status, 65);
        assert_non_null(strstr(r.err, "already imported as study 1 (same evaluation: "));
        test_cli_free(r);
    }
    /* the same evaluation as the pilot-results CSV, and an Excel-style
     * copy of it (CRLF, as written: the template has a BOM) */
    snprintf(args, sizeof args, "import '%s/data/templates/pilot-results.csv'", test_env("WW_TOP", "."));
    r = run(args);
    assert_int_equal(r.status, 65);
    assert_non_null(strstr(r.err, "already imported as study 1"));
    test_cli_free(r);

    pooled(&k, &n, &lo, &hi);
    assert_int_equal(k, 1);
    assert_int_equal(n, 751);
    assert_true(lo == lo1 && hi == hi1);
}

static void test_identity__replace_and_withdraw(void **state)
{
    test_cli_result r;
    char args[700], sql[1024];
    int k;
    long n;
    double lo, hi;
    (void)state;
    /* --replace supersedes study 1: still one study, a new id, and the
     * audit log records the replacement */
    snprintf(args, sizeof args, "import --replace --submitter tester '%s/c.xml'", tmpdir);
    r = run(args);
    assert_int_equal(r.status, 0);
    assert_true(strstr(r.err, "replaces study 1") || strstr(r.out, "replaces study 1"));
    test_cli_free(r);
    pooled(&k, &n, &lo, &hi);
    assert_int_equal(k, 1);
    assert_int_equal(n, 751);
    snprintf(sql, sizeof sql,
             "sqlite3 '%s/id.db' \"SELECT count(*) FROM audit WHERE action = 'replace' AND"
             " json_extract(detail, '$.submitter') = 'tester'\" > '%s/n'",
             tmpdir, tmpdir);
    assert_int_equal(system(sql), 0);
    snprintf(sql, sizeof sql, "%s/n", tmpdir);
    {
        char *t = test_slurp(sql);
        assert_int_equal(strtol(t, NULL, 10), 1);
        free(t);
    }

    /* withdraw: out of the synthesis, still shown */
    r = run("withdraw 1 --reason 'no such study'");
    assert_int_equal(r.status, 66);
    test_cli_free(r);
    r = run("withdraw 2");
    assert_int_equal(r.status, 64);
    test_cli_free(r);
    r = run("withdraw 2 --reason 'the evaluator found a coding error'");
    assert_int_equal(r.status, 0);
    test_cli_free(r);
    pooled(&k, &n, &lo, &hi);
    assert_int_equal(k, 0); /* nothing left to pool */
    r = run("show attendance-mentoring-illustrative-example --format table");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "WITHDRAWN"));
    assert_non_null(strstr(r.out, "the evaluator found a coding error"));
    test_cli_free(r);
    r = run("withdraw 2 --reason again");
    assert_int_equal(r.status, 64); /* already withdrawn */
    test_cli_free(r);
}

/* A newer version of a RevMan review (the same COCHRANE_REVIEW/@ID) updates
 * the data rows that changed instead of storing every study again. */
static void test_identity__revman_review_updates_in_place(void **state)
{
    char src[512], dst[512], args[1200], *text, *p, *q;
    test_cli_result r;
    FILE *fp;
    (void)state;
    SHARED_PATH(src, "revman/antibiotics-for-sore-throat_CD000023.rm5");
    text = test_slurp(src);
    assert_true(strlen(text) > 1000);
    /* one data row's events, changed */
    p = strstr(text, "<DICH_DATA ");
    assert_non_null(p);
    q = strstr(p, "EVENTS_1=\"");
    assert_non_null(q);
    q += 10;
    assert_true(*q >= '0' && *q <= '8');
    (*q)++;
    snprintf(dst, sizeof dst, "%s/cd000023-v2.rm5", tmpdir);
    fp = fopen(dst, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    free(text);

    snprintf(args, sizeof args, "--db '%s/rv.db' import --init '%s'", tmpdir, src);
    r = test_cli_run(tmpdir, "", args);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "48 studies"));
    test_cli_free(r);
    snprintf(args, sizeof args, "--db '%s/rv.db' import '%s'", tmpdir, dst);
    r = test_cli_run(tmpdir, "", args);
    assert_int_equal(r.status, 0);
    assert_true(strstr(r.out, "1 changed") || strstr(r.err, "1 changed"));
    assert_true(strstr(r.out, "216 unchanged") || strstr(r.err, "216 unchanged"));
    assert_true(strstr(r.out, "0 studies") != NULL);
    test_cli_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity__three_copies_one_study),
        cmocka_unit_test(test_identity__replace_and_withdraw),
        cmocka_unit_test(test_identity__revman_review_updates_in_place),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
