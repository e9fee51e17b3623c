/*
 * test_repo.c — the repository: creating and migrating the schema, refusing
 * files that are not ours, importing with provenance and archived bytes,
 * idempotent re-import, and the one-transaction-per-file rule (a file that
 * fails half-way leaves the database exactly as it was).
 */
#include "helpers.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../repo/repo_int.h"

static char tmpdir[256];

static int setup_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ww-test-repo-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    char cmd[300];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *tmp_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", tmpdir, name);
    return buf;
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

/* Every table's row count, joined: equal strings mean nothing changed. */
static void snapshot(ww_db *db, char *out, size_t n)
{
    static const char *const tables[] = {"source", "intervention", "intervention_issue", "study",
                                         "outcome", "effect", "benefit_stream", "search_doc",
                                         "audit", "issue", "issue_term"};
    size_t used = 0;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
        used += (size_t)snprintf(out + used, n - used, "%s=%lld ", tables[i], count(db, sql));
    }
    {
        char sql[] = "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'mentor OR example'";
        snprintf(out + used, n - used, "fts=%lld", count(db, sql));
    }
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    fclose(fp);
}

static ww_db *fresh_db(const char *name)
{
    char path[300];
    ww_db *db = NULL;
    tmp_path(path, sizeof path, name);
    unlink(path);
    assert_ww_ok(ww_db_open(&db, path, WW_DB_CREATE));
    return db;
}

static const char *example(char *buf, size_t n, const char *file)
{
    snprintf(buf, n, "%s/data/examples/%s", test_env("WW_TOP", "."), file);
    return buf;
}

static void test_repo__open_creates_schema(void **state)
{
    ww_db *db = fresh_db("create.db");
    sqlite3_stmt *st = NULL;
    (void)state;
    assert_int_equal(ww_db_schema_version(db), ww_db_schema_version_supported());
    assert_int_equal(ww_db_schema_version(db), WW_SCHEMA_VERSION);
    assert_int_equal(count(db, "PRAGMA foreign_keys"), 1);
    assert_int_equal(sqlite3_prepare_v2(db->sql, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    /* The taxonomy is loaded: every issue of data/issues.tsv, with parents. */
    assert_int_equal(count(db, "SELECT count(*) FROM issue"), 25);
    assert_int_equal(count(db, "SELECT count(*) FROM issue i JOIN issue p ON p.id = i.parent_id"
                               " WHERE i.slug = 'persistent-absence' AND p.slug = 'school-absence'"),
                     1);
    assert_int_equal(count(db, "SELECT count(*) FROM issue_term WHERE term = 'anti-social behaviour'"), 1);
    /* Terms carry the index's normalised key: one spelling, stems. */
    assert_int_equal(count(db, "SELECT count(*) FROM issue_term WHERE term = 'anti-social behaviour'"
                               " AND norm = 'antisoci behaviour'"),
                     1);
    assert_int_equal(count(db, "SELECT count(*) FROM issue_pattern p JOIN issue i ON i.id = p.issue_id"
                               " WHERE i.slug = 'school-absence' AND p.pattern = 'days missed'"),
                     1);
    ww_db_close(db);

    /* Opening again does not migrate twice or duplicate the taxonomy. */
    {
        char path[300];
        assert_ww_ok(ww_db_open(&db, tmp_path(path, sizeof path, "create.db"), 0));
        assert_int_equal(count(db, "SELECT count(*) FROM issue"), 25);
        ww_db_close(db);
    }
}

static void test_repo__open_refuses_what_is_not_ours(void **state)
{
    char path[300];
    ww_db *db = NULL;
    sqlite3 *raw = NULL;
    (void)state;

    assert_int_equal(ww_db_open(&db, tmp_path(path, sizeof path, "missing.db"), 0), WW_ENOTFOUND);
    assert_null(db);
    assert_non_null(strstr(ww_error_last(), "missing.db"));

    write_file(tmp_path(path, sizeof path, "text.db"), "hello, I am not a database\n", 27);
    assert_int_equal(ww_db_open(&db, path, WW_DB_CREATE), WW_EDATA);
    assert_null(db);

    tmp_path(path, sizeof path, "foreign.db");
    unlink(path);
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(ww_db_open(&db, path, WW_DB_CREATE), WW_EDATA);
    assert_non_null(strstr(ww_error_last(), "not a whatworks database"));

    /* A database from a newer whatworks is refused, not downgraded. */
    db = fresh_db("newer.db");
    assert_int_equal(sqlite3_exec(db->sql, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    ww_db_close(db);
    db = NULL;
    assert_int_equal(ww_db_open(&db, tmp_path(path, sizeof path, "newer.db"), WW_DB_CREATE), WW_EDATA);
    assert_non_null(strstr(ww_error_last(), "newer"));

    assert_int_equal(ww_db_open(&db, tmpdir, WW_DB_CREATE), WW_ECANTCREATE);
}

static void test_repo__import_stores_with_provenance(void **state)
{
    ww_db *db = fresh_db("import.db");
    ww_import_report *rep = NULL;
    char path[400];
    FILE *fp;
    long size;
    unsigned char *bytes;
    sqlite3_stmt *st = NULL;
    (void)state;

    example(path, sizeof path, "attendance-mentoring.xml");
    assert_ww_ok(ww_import_file(&rep, db, path, NULL));
    assert_int_equal(ww_import_report_status(rep), WW_IMPORT_IMPORTED);
    assert_string_equal(ww_import_report_format(rep), "submission");
    assert_int_equal(ww_import_report_studies(rep), 1);
    assert_int_equal(ww_import_report_outcomes(rep), 2);
    assert_int_equal(ww_import_report_effects(rep), 2);
    assert_int_equal(strlen(ww_import_report_sha256(rep)), 64);

    /* The raw bytes are archived exactly, with their sha256. */
    fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    size = ftell(fp);
    rewind(fp);
    bytes = malloc((size_t)size);
    assert_int_equal(fread(bytes, 1, (size_t)size, fp), (size_t)size);
    fclose(fp);
    assert_int_equal(sqlite3_prepare_v2(db->sql, "SELECT raw, sha256, size, format FROM source", -1,
                                        &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_bytes(st, 0), size);
    assert_memory_equal(sqlite3_column_blob(st, 0), bytes, (size_t)size);
    assert_string_equal((const char *)sqlite3_column_text(st, 1), ww_import_report_sha256(rep));
    assert_int_equal(sqlite3_column_int64(st, 2), size);
    sqlite3_finalize(st);
    free(bytes);

    /* Every study, outcome and effect says where in the source it came from. */
    assert_int_equal(count(db, "SELECT count(*) FROM study WHERE location LIKE 'line %'"), 1);
    assert_int_equal(count(db, "SELECT count(*) FROM outcome WHERE location LIKE 'line %'"), 2);
    assert_int_equal(count(db, "SELECT count(*) FROM effect WHERE location LIKE 'line %'"), 2);
    assert_int_equal(count(db, "SELECT count(*) FROM study WHERE source_id IS NULL"), 0);
    /* Raw statistics kept as JSON; missing ones are null, never 0. */
    assert_int_equal(count(db, "SELECT count(*) FROM effect WHERE metric = 'SMD' AND"
                               " json_extract(raw, '$.sd_treatment') = 18.2 AND"
                               " json_extract(raw, '$.events_treatment') IS NULL"),
                     1);
    assert_int_equal(count(db, "SELECT count(*) FROM effect WHERE metric = 'OR' AND"
                               " json_extract(raw, '$.events_control') = 168"),
                     1);
    /* Linked to the taxonomy through the issues the submission named. */
    assert_int_equal(count(db, "SELECT count(*) FROM intervention_issue ii JOIN issue i"
                               " ON i.id = ii.issue_id WHERE i.slug = 'school-absence'"),
                     1);
    assert_int_equal(count(db, "SELECT count(*) FROM audit WHERE action = 'import'"), 1);
    /* FTS5 index kept in sync by triggers. */
    assert_true(count(db, "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'mentoring'") >= 1);
    /* porter stemming: "mentors" finds "mentor" / "mentoring" */
    assert_true(count(db, "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'mentors'") >= 1);
    assert_int_equal(count(db, "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'mentoring'"),
                     count(db, "SELECT count(*) FROM search_doc WHERE title LIKE '%mentoring%'"
                               " OR body LIKE '%mentoring%'"));
    ww_import_report_free(rep);

    /* Deleting an intervention removes its documents from the index. */
    assert_int_equal(sqlite3_exec(db->sql,
                                  "DELETE FROM effect; DELETE FROM outcome; DELETE FROM study;"
                                  " DELETE FROM benefit_stream; DELETE FROM intervention",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(count(db, "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'mentoring'"), 0);
    ww_db_close(db);
}

static void test_repo__reimport_is_a_noop(void **state)
{
    ww_db *db = fresh_db("again.db");
    ww_import_report *rep = NULL;
    char path[400], before[1024], after[1024];
    char *text = NULL;
    size_t len = 0;
    FILE *mem;
    (void)state;

    example(path, sizeof path, "attendance-mentoring.xml");
    assert_ww_ok(ww_import_file(&rep, db, path, NULL));
    ww_import_report_free(rep);
    snapshot(db, before, sizeof before);

    assert_ww_ok(ww_import_file(&rep, db, path, NULL));
    assert_int_equal(ww_import_report_status(rep), WW_IMPORT_ALREADY);
    mem = open_memstream(&text, &len);
    assert_ww_ok(ww_import_report_write(rep, mem));
    fclose(mem);
    assert_non_null(strstr(text, "already imported (sha256 "));
    assert_non_null(strstr(text, ww_import_report_sha256(rep)));
    free(text);
    ww_import_report_free(rep);

    snapshot(db, after, sizeof after);
    assert_string_equal(before, after);
    ww_db_close(db);
}

/* A file that fails after some of its rows were written leaves nothing: an
 * injected failure on the second outcome's effect (a temporary trigger on
 * this connection) aborts the import half-way. */
static void test_repo__rollback_when_a_file_fails_half_way(void **state)
{
    ww_db *db = fresh_db("halfway.db");
    ww_import_report *rep = NULL;
    char path[400], before[1024], after[1024];
    int error;
    (void)state;

    snapshot(db, before, sizeof before);
    assert_int_equal(sqlite3_exec(db->sql,
                                  "CREATE TEMP TRIGGER fail_second_effect BEFORE INSERT ON effect"
                                  " WHEN (SELECT count(*) FROM effect) >= 1"
                                  " BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    example(path, sizeof path, "attendance-mentoring.xml");
    error = ww_import_file(&rep, db, path, NULL);
    assert_true(error < 0);
    assert_non_null(strstr(ww_error_last(), "injected failure"));
    ww_import_report_free(rep);
    snapshot(db, after, sizeof after);
    assert_string_equal(before, after);
    assert_int_equal(count(db, "PRAGMA integrity_check") , 0 /* "ok" reads as 0 */);

    /* Once the fault is gone the same file imports completely. */
    assert_int_equal(sqlite3_exec(db->sql, "DROP TRIGGER fail_second_effect", NULL, NULL, NULL), SQLITE_OK);
    assert_ww_ok(ww_import_file(&rep, db, path, NULL));
    assert_int_equal(ww_import_report_status(rep), WW_IMPORT_IMPORTED);
    assert_int_equal(count(db, "SELECT count(*) FROM effect"), 2);
    ww_import_report_free(rep);
    ww_db_close(db);
}

static void test_repo__rejected_file_writes_nothing(void **state)
{
    ww_db *db = fresh_db("rejected.db");
    ww_import_report *rep = NULL;
    char path[300], before[1024], after[1024];
    static const char bad[] =
        "<?xml version=\"1.0\"?>\n<submission xmlns=\"urn:whatworks:submission:1\" version=\"1\">\n"
        "<evaluation><title>broken</title></evaluation>\n";
    (void)state;

    snapshot(db, before, sizeof before);
    write_file(tmp_path(path, sizeof path, "bad.xml"), bad, sizeof bad - 1);
    assert_int_equal(ww_import_file(&rep, db, path, NULL), WW_EDATA);
    assert_non_null(rep);
    assert_int_equal(ww_import_report_status(rep), WW_IMPORT_REJECTED);
    assert_true(ww_import_report_diag_count(rep) >= 1);
    assert_string_equal(ww_import_report_diag(rep, 0)->file, path);
    ww_import_report_free(rep);
    snapshot(db, after, sizeof after);
    assert_string_equal(before, after);

    /* Empty file, missing file, directory. */
    write_file(tmp_path(path, sizeof path, "empty.xml"), "", 0);
    assert_int_equal(ww_import_file(&rep, db, path, NULL), WW_EDATA);
    assert_string_equal(ww_import_report_diag(rep, 0)->message, "file is empty");
    ww_import_report_free(rep);
    rep = NULL;
    assert_int_equal(ww_import_file(&rep, db, tmp_path(path, sizeof path, "nope.xml"), NULL), WW_ENOTFOUND);
    assert_null(rep);
    assert_int_equal(ww_import_file(&rep, db, tmpdir, NULL), WW_EUSAGE);
    assert_non_null(strstr(ww_error_last(), "is a directory"));
    /* Not a format we read, an image: skipped, not an error. */
    write_file(tmp_path(path, sizeof path, "picture.png"), "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    assert_ww_ok(ww_import_file(&rep, db, path, NULL));
    assert_int_equal(ww_import_report_status(rep), WW_IMPORT_SKIPPED);
    assert_int_equal(ww_import_report_diag_count(rep), 0);
    {
        char *text = NULL, want[400];
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        assert_non_null(mem);
        assert_ww_ok(ww_import_report_write(rep, mem));
        fclose(mem);
        snprintf(want, sizeof want, "%s: not a recognised evidence format\n", path);
        assert_string_equal(text, want);
        free(text);
    }
    ww_import_report_free(rep);
    rep = NULL;
    /* An unknown --format is a usage error. */
    {
        ww_import_opts opts = {0};
        opts.format = "no-such-format";
        assert_int_equal(ww_import_file(&rep, db, path, &opts), WW_EUSAGE);
    }
    snapshot(db, after, sizeof after);
    assert_string_equal(before, after);
    ww_db_close(db);
}

static void test_repo__dry_run_and_validation_write_nothing(void **state)
{
    ww_db *db = fresh_db("dry.db");
    ww_import_report *rep = NULL;
    ww_import_opts opts = {0};
    char path[400], before[1024], after[1024];
    (void)state;

    snapshot(db, before, sizeof before);
    opts.dry_run = 1;
    example(path, sizeof path, "attendance-mentoring.xml");
    assert_ww_ok(ww_import_file(&rep, db, path, &opts));
    assert_int_equal(ww_import_report_status(rep), WW_IMPORT_VALID);
    assert_int_equal(ww_import_report_effects(rep), 2);
    ww_import_report_free(rep);
    /* Validation needs no database at all. */
    assert_ww_ok(ww_import_file(&rep, NULL, path, &opts));
    assert_int_equal(ww_import_report_status(rep), WW_IMPORT_VALID);
    ww_import_report_free(rep);
    snapshot(db, after, sizeof after);
    assert_string_equal(before, after);
    /* Without dry_run a database is required. */
    assert_int_equal(ww_import_file(&rep, NULL, path, NULL), WW_EUSAGE);
    ww_db_close(db);
}

/* Every example pilot imports; the intervention each names is one row. */
static void test_repo__all_examples_import(void **state)
{
    ww_db *db = fresh_db("examples.db");
    char dir[300];
    struct dirent **names = NULL;
    int n;
    size_t studies = 0;
    (void)state;

    snprintf(dir, sizeof dir, "%s/data/examples", test_env("WW_TOP", "."));
    n = scandir(dir, &names, NULL, alphasort);
    assert_true(n > 2);
    for (int i = 0; i < n; i++) {
        char path[600];
        ww_import_report *rep = NULL;
        if (strstr(names[i]->d_name, ".xml")) {
            snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
            assert_ww_ok(ww_import_file(&rep, db, path, NULL));
            assert_int_equal(ww_import_report_status(rep), WW_IMPORT_IMPORTED);
            studies += ww_import_report_studies(rep);
            ww_import_report_free(rep);
        }
        free(names[i]);
    }
    free(names);
    assert_true(studies >= 5);
    assert_int_equal(count(db, "SELECT count(*) FROM study"), (long long)studies);
    /* Every example is flagged as one, all the way down. */
    assert_int_equal(count(db, "SELECT count(*) FROM study WHERE is_example = 0"), 0);
    assert_int_equal(count(db, "SELECT count(*) FROM intervention WHERE is_example = 0"), 0);
    assert_int_equal(count(db, "PRAGMA foreign_key_check"), -1 /* no rows */);
    ww_db_close(db);
}

/* Syntheses follow the evidence: a second study of the same intervention,
 * in another file, turns the one-study result into a REML pool of two,
 * recomputed inside the second file's transaction and stamped with it. */
static void test_repo__syntheses_recomputed_on_import(void **state)
{
    ww_db *db = fresh_db("synth.db");
    ww_import_report *rep = NULL;
    char path[400], second[300];
    char *text, *p;
    FILE *fp;
    long n;
    (void)state;

    example(path, sizeof path, "attendance-mentoring.xml");
    assert_ww_ok(ww_import_file(&rep, db, path, NULL));
    ww_import_report_free(rep);
    assert_int_equal(count(db, "SELECT count(*) FROM synthesis s JOIN intervention i ON i.id ="
                               " s.intervention_id WHERE i.slug LIKE 'attendance-mentoring%'"
                               " AND s.domain = 'attendance' AND s.k = 1 AND s.method = 'FE'"
                               " AND s.data_version = 1"),
                     1);

    /* The same pilot run again elsewhere: a new title and fewer sessions
     * missed, so it is a different file and a different study. */
    fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    rewind(fp);
    text = calloc(1, (size_t)n + 1);
    assert_int_equal(fread(text, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    p = strstr(text, "<mean_treatment>31.4</mean_treatment>");
    assert_non_null(p);
    memcpy(p, "<mean_treatment>29.9", 20);
    p = strstr(text, "North West England");
    assert_non_null(p);
    memcpy(p, "South West England", 18);
    /* another evaluation (its own title), not a second copy of the first */
    p = strstr(text, "mentoring pilot</title>");
    assert_non_null(p);
    memcpy(p, "mentoring trial", 15);
    write_file(tmp_path(second, sizeof second, "second-site.xml"), text, (size_t)n);
    free(text);
    assert_ww_ok(ww_import_file(&rep, db, second, NULL));
    assert_int_equal(ww_import_report_status(rep), WW_IMPORT_IMPORTED);
    ww_import_report_free(rep);

    assert_int_equal(count(db, "SELECT count(*) FROM intervention"), 1);
    assert_int_equal(count(db, "SELECT count(*) FROM study"), 2);
    assert_int_equal(count(db, "SELECT count(*) FROM synthesis WHERE domain = 'attendance'"
                               " AND k = 2 AND method = 'REML' AND n_effects = 4"
                               " AND n_participants = 1502 AND data_version = 2"
                               " AND ci_low < estimate AND estimate < ci_high"),
                     1);
    ww_db_close(db);
}

/* A report: its full text goes into the index with the intervention it
 * names (words only its body holds are found), and its machine-extracted
 * effects are pooled only in the 'all' scope, so the default query leaves
 * them out and --include-extracted brings them in. */
static void test_repo__report_text_and_extracted_effects(void **state)
{
    ww_db *db = fresh_db("report.db");
    ww_import_report *rep = NULL;
    ww_query_result *res = NULL;
    ww_query_opts opts = {0};
    char path[400];
    (void)state;

    snprintf(path, sizeof path, "%s/tests/fixtures/report/rct.html", test_env("WW_TOP", "."));
    assert_ww_ok(ww_import_file(&rep, db, path, NULL));
    assert_string_equal(ww_import_report_format(rep), "report");
    ww_import_report_free(rep);

    assert_int_equal(count(db, "SELECT count(*) FROM search_doc WHERE kind = 'report'"), 1);
    /* "pairs older and younger pupils" is only in the report's body */
    assert_int_equal(count(db, "SELECT count(*) FROM search_fts JOIN search_doc d ON d.id = search_fts.rowid"
                               " WHERE search_fts MATCH 'younger' AND d.kind = 'report'"),
                     1);
    /* the style and script blocks are not text */
    assert_int_equal(count(db, "SELECT count(*) FROM search_fts WHERE search_fts MATCH '\"9.99\"'"), 0);
    assert_int_equal(count(db, "SELECT count(*) FROM effect WHERE extracted = 0"), 0);
    assert_true(count(db, "SELECT count(*) FROM effect WHERE extracted = 1 AND confidence > 0"
                          " AND text_offset >= 0 AND text_length > 0") >= 3);
    assert_int_equal(count(db, "SELECT count(*) FROM synthesis WHERE scope = 'reviewed'"), 0);
    assert_int_equal(count(db, "SELECT count(*) FROM synthesis WHERE scope = 'all'"), 1);

    /* a report's text is not yet reviewed: left out unless asked for, and
     * then without the machine-extracted effects unless they are asked for */
    assert_ww_ok(ww_query_run(&res, db, "younger pupils", NULL));
    assert_int_equal(ww_query_result_count(res), 0);
    ww_query_result_free(res);
    opts.include_provisional = 1;
    assert_ww_ok(ww_query_run(&res, db, "younger pupils", &opts));
    assert_int_equal(ww_query_result_count(res), 1);
    assert_true(isnan(ww_query_result_row(res, 0)->estimate));
    ww_query_result_free(res);
    opts.include_provisional = 0;
    opts.include_extracted = 1;
    assert_ww_ok(ww_query_run(&res, db, "younger pupils", &opts));
    assert_false(isnan(ww_query_result_row(res, 0)->estimate));
    assert_non_null(strstr(ww_query_result_row(res, 0)->why, "machine-extracted"));
    ww_query_result_free(res);
    ww_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repo__open_creates_schema),
        cmocka_unit_test(test_repo__open_refuses_what_is_not_ours),
        cmocka_unit_test(test_repo__import_stores_with_provenance),
        cmocka_unit_test(test_repo__reimport_is_a_noop),
        cmocka_unit_test(test_repo__rollback_when_a_file_fails_half_way),
        cmocka_unit_test(test_repo__rejected_file_writes_nothing),
        cmocka_unit_test(test_repo__dry_run_and_validation_write_nothing),
        cmocka_unit_test(test_repo__all_examples_import),
        cmocka_unit_test(test_repo__syntheses_recomputed_on_import),
        cmocka_unit_test(test_repo__report_text_and_extracted_effects),
    };
    test_filter_from_env();
    return cmocka_run_group_tests_name("repo", tests, setup_dir, teardown_dir);
}
