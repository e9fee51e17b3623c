/*
 * test_cli.c — the `whatworks` command end to end, as a user runs it: exit
 * statuses (sysexits), the FILE:LINE: field: problem format, a bad file
 * among good ones, re-import, --help everywhere, and the JSON documented in
 * docs/json.md (the documented example's keys are the output's keys).
 */
#include "helpers.h"

#include <jansson.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[256];
static char db_path[300];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ww-test-cli-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    snprintf(db_path, sizeof db_path, "%s/cli.db", tmpdir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

typedef test_cli_result result;

/* Run `whatworks --db DB ARGS` (ARGS is shell text) from the project root. */
static result run(const char *args)
{
    char prefix[400];
    snprintf(prefix, sizeof prefix, "--db '%s'", db_path);
    return test_cli_run(tmpdir, prefix, args);
}

static void done(result r)
{
    test_cli_free(r);
}

static void write_file(const char *name, const char *text)
{
    char path[400];
    FILE *fp;
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_cli__help_and_usage(void **state)
{
    static const char *const cmds[] = {"init",  "import", "validate", "query",  "show",
                                       "issues", "meta",   "grade",    "regrade", "case",
                                       "plan"};
    result r;
    (void)state;
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char args[64];
        snprintf(args, sizeof args, "%s --help", cmds[i]);
        r = run(args);
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.out, "usage: whatworks"));
        done(r);
    }
    r = run("--help");
    assert_int_equal(r.status, 0);
    done(r);
    r = run("frobnicate");
    assert_int_equal(r.status, 64);
    assert_non_null(strstr(r.err, "unknown command"));
    done(r);
    r = run("query");
    assert_int_equal(r.status, 64);
    done(r);
    r = run("query truancy --format yaml");
    assert_int_equal(r.status, 64);
    done(r);
}

/* Hostile option values: exit 64 (EX_USAGE) with a message that names the
 * option and what it accepts, before the database is opened. */
static void test_cli__query_option_values(void **state)
{
    static const char *const bad[][2] = {
        {"query truancy --min-certainty bogus", "--min-certainty: unknown certainty 'bogus': use high, moderate, low or very-low"},
        {"query truancy --min-certainty", "--min-certainty needs a value"},
        {"query truancy --min-certainty ''", "unknown certainty ''"},
        {"query truancy --sort price", "--sort: unknown sort 'price': use score, effect, bcr, cost or certainty"},
        {"query truancy --age old", "--age needs whole years from 0 to 120, got 'old'"},
        {"query truancy --age 12.5", "--age needs whole years"},
        {"query truancy --age 9999999999999999999999", "--age needs whole years"},
        {"query truancy --max-cost -1", "--max-cost needs an amount of 0 or more, got '-1'"},
        {"query truancy --max-cost inf", "--max-cost needs an amount"},
        {"query truancy --max-cost 1e999", "--max-cost needs an amount"},
        {"query truancy --max-cost '£400'", "--max-cost needs an amount"},
        {"query truancy --limit 0", "--limit needs a number from 1 to 100000"},
        {"query truancy --domain", "--domain needs a value"},
        {"query truancy --wide=yes", "unknown option '--wide=yes'"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        result r = run(bad[i][0]);
        if (r.status != 64 || !strstr(r.err, bad[i][1]))
            print_error("%s: exit %d, stderr: %s\n", bad[i][0], r.status, r.err);
        assert_int_equal(r.status, 64);
        assert_non_null(strstr(r.err, bad[i][1]));
        done(r);
    }
    /* an empty filter is refused by the library, also as a usage error */
    unlink(db_path);
    done(run("import --init data/examples"));
    {
        result r = run("query truancy --population '  '");
        assert_int_equal(r.status, 64);
        assert_non_null(strstr(r.err, "an empty filter matches nothing"));
        done(r);
    }
}

static void test_cli__init_import_query(void **state)
{
    result r;
    json_t *doc;
    (void)state;
    unlink(db_path);
    /* No database yet: query says so with EX_NOINPUT. */
    r = run("query truancy");
    assert_int_equal(r.status, 66);
    assert_non_null(strstr(r.err, "whatworks init"));
    done(r);

    r = run("init");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "schema version 8"));
    done(r);
    r = run("init"); /* twice is fine */
    assert_int_equal(r.status, 0);
    done(r);

    r = run("import data/examples"); /* init made the database */
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "attendance-mentoring.xml: imported (submission)"));
    assert_non_null(strstr(r.err, "0 rejected"));
    done(r);

    r = run("import data/examples/attendance-mentoring.xml");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "already imported (sha256 "));
    done(r);

    /* The examples are submissions, not yet reviewed: left out, and counted,
     * unless asked for. */
    r = run("query truancy --format json");
    assert_int_equal(r.status, 0);
    doc = json_loads(r.out, 0, NULL);
    assert_non_null(doc);
    assert_int_equal(json_array_size(json_object_get(doc, "results")), 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "left_out"), "provisional")), 3);
    json_decref(doc);
    done(r);
    r = run("query truancy --format table");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "3 resting on provisional evidence (--include-provisional)"));
    done(r);

    r = run("query truancy --format json --include-provisional");
    assert_int_equal(r.status, 0);
    doc = json_loads(r.out, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "schema")), "whatworks/query/2");
    assert_true(json_array_size(json_object_get(doc, "results")) >= 2);
    assert_true(json_is_real(json_object_get(json_array_get(json_object_get(doc, "results"), 0), "estimate")));
    json_decref(doc);
    done(r);

    /* Not a terminal: JSON by default. */
    r = run("query 'school absence'");
    assert_int_equal(r.status, 0);
    assert_int_equal(r.out[0], '{');
    done(r);

    r = run("query truancy --format csv --limit 1 --include-provisional");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "rank,slug,"));
    done(r);

    r = run("query 'NEAR(' --format json");
    assert_int_equal(r.status, 0);
    done(r);

    r = run("show attendance-mentoring-illustrative-example --format table");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Half-day sessions missed"));
    done(r);
    r = run("show no-such-thing");
    assert_int_equal(r.status, 66);
    done(r);

    r = run("issues --format json");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "whatworks/issues/1"));
    done(r);
}

/* A bad file among good ones: reported FILE:LINE: field: problem, skipped,
 * exit 65, and the good file still imports. */
static void test_cli__bad_file_among_good(void **state)
{
    result r;
    char args[1024], expect[400];
    (void)state;
    unlink(db_path);
    write_file("bad.xml",
               "<?xml version=\"1.0\"?>\n"
               "<submission xmlns=\"urn:whatworks:other:9\" version=\"1\">\n"
               "</submission>\n");
    write_file("empty.xml", "");
    snprintf(args, sizeof args, "import --init '%s/bad.xml' data/examples/attendance-mentoring.xml '%s/empty.xml'",
             tmpdir, tmpdir);
    r = run(args);
    assert_int_equal(r.status, 65);
    /* problems go to stderr, what was stored to stdout */
    snprintf(expect, sizeof expect, "%s/bad.xml:2: xmlns: wrong namespace", tmpdir);
    assert_non_null(strstr(r.err, expect));
    snprintf(expect, sizeof expect, "%s/empty.xml: file is empty", tmpdir);
    assert_non_null(strstr(r.err, expect));
    assert_non_null(strstr(r.out, "attendance-mentoring.xml: imported"));
    assert_non_null(strstr(r.err, "1 imported, 0 already imported, 2 rejected"));
    done(r);

    r = run("query truancy --format csv --include-provisional");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "attendance-mentoring-illustrative-example"));
    done(r);

    /* validate: same messages, nothing stored, exit 65 */
    snprintf(args, sizeof args, "validate '%s/bad.xml'", tmpdir);
    r = run(args);
    assert_int_equal(r.status, 65);
    snprintf(expect, sizeof expect, "%s/bad.xml:2: xmlns: wrong namespace", tmpdir);
    assert_non_null(strstr(r.err, expect));
    done(r);
    r = run("validate data/examples");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "0 rejected"));
    done(r);

    r = run("validate /no/such/file.xml");
    assert_int_equal(r.status, 66);
    assert_non_null(strstr(r.err, "no such file"));
    done(r);
}

/* Collect the key paths of a JSON value ("results[].slug"), sorted. */
static void key_paths(json_t *v, const char *prefix, char **acc, size_t *n)
{
    const char *key;
    json_t *child;
    char path[256];
    if (json_is_object(v)) {
        json_object_foreach(v, key, child)
        {
            snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
            acc[(*n)++] = strdup(path);
            key_paths(child, path, acc, n);
        }
    } else if (json_is_array(v) && json_array_size(v)) {
        snprintf(path, sizeof path, "%s[]", prefix);
        key_paths(json_array_get(v, 0), path, acc, n);
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The example document after a "<!-- example: NAME -->" marker in
 * docs/json.md. */
static json_t *doc_example(const char *name)
{
    char path[300], marker[128];
    char *text, *p, *start, *end;
    json_t *doc;
    json_error_t err;
    snprintf(path, sizeof path, "%s/docs/json.md", test_env("WW_TOP", "."));
    text = test_slurp(path);
    snprintf(marker, sizeof marker, "<!-- example: %s -->", name);
    p = strstr(text, marker);
    assert_non_null(p);
    start = strstr(p, "```json\n");
    assert_non_null(start);
    start += 8;
    end = strstr(start, "\n```");
    assert_non_null(end);
    *end = '\0';
    doc = json_loads(start, 0, &err);
    if (!doc) print_error("docs/json.md example %s: %s (line %d)\n", name, err.text, err.line);
    assert_non_null(doc);
    free(text);
    return doc;
}

static void assert_same_keys(json_t *documented, json_t *actual)
{
    char *a[512], *b[512];
    size_t na = 0, nb = 0;
    key_paths(documented, "", a, &na);
    key_paths(actual, "", b, &nb);
    qsort(a, na, sizeof *a, cmp_str);
    qsort(b, nb, sizeof *b, cmp_str);
    for (size_t i = 0; i < na || i < nb; i++) {
        if (i >= na || i >= nb || strcmp(a[i], b[i]) != 0) {
            print_error("documented key %s, output key %s\n", i < na ? a[i] : "(none)",
                        i < nb ? b[i] : "(none)");
            fail();
        }
    }
    for (size_t i = 0; i < na; i++) free(a[i]);
    for (size_t i = 0; i < nb; i++) free(b[i]);
}

static void test_cli__json_matches_the_docs(void **state)
{
    static const char *const cases[][2] = {
        {"query", "query truancy --format json --limit 1 --include-provisional"},
        {"intervention", "show attendance-mentoring-illustrative-example --format json"},
        {"plan", "plan attendance-mentoring-illustrative-example --n 400 --format json"},
    };
    (void)state;
    unlink(db_path);
    done(run("import --init data/examples"));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        result r = run(cases[i][1]);
        json_t *actual, *documented = doc_example(cases[i][0]);
        assert_int_equal(r.status, 0);
        actual = json_loads(r.out, 0, NULL);
        assert_non_null(actual);
        assert_string_equal(json_string_value(json_object_get(actual, "schema")),
                            json_string_value(json_object_get(documented, "schema")));
        assert_same_keys(documented, actual);
        json_decref(actual);
        json_decref(documented);
        done(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli__help_and_usage),
        cmocka_unit_test(test_cli__query_option_values),
        cmocka_unit_test(test_cli__init_import_query),
        cmocka_unit_test(test_cli__bad_file_among_good),
        cmocka_unit_test(test_cli__json_matches_the_docs),
    };
    test_filter_from_env();
    return cmocka_run_group_tests_name("cli", tests, setup, teardown);
}
