/*
 * test_wwc_evidence.c — the real What Works Clearinghouse files read right,
 * end to end through the store: a newer Findings export merges with the
 * older one (in either order) into exactly one study per WWC review; the
 * reviewers' own ratings (Finding_Rating, the Wolf 2021 study file) grade
 * the studies they rate, whatever order the files come in; placeholder
 * names are never ranked. Expected figures are computed here from the files
 * themselves (read with libcsv, independently of the importers), never
 * copied from our own output.
 */
#include "helpers.h"

#include <sys/stat.h>
#include <unistd.h>

#include "../repo/repo_int.h"
#include "csv_read.h"

static char tmpdir[256];

static int setup_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ww-test-wwc-evidence-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    char cmd[300];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
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

static ww_db *fresh_db(const char *name)
{
    char path[300];
    ww_db *db = NULL;
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    unlink(path);
    assert_ww_ok(ww_db_open(&db, path, WW_DB_CREATE));
    return db;
}

static void import_ok(ww_db *db, const char *rel, size_t *added, size_t *changed,
                      size_t *unchanged)
{
    char path[512];
    ww_import_report *rep = NULL;
    SHARED_PATH(path, rel);
    assert_ww_ok(ww_import_file(&rep, db, path, NULL));
    assert_non_null(rep);
    assert_int_equal(ww_import_report_status(rep), WW_IMPORT_IMPORTED);
    ww_import_report_updates(rep, added, changed, unchanged);
    ww_import_report_free(rep);
}

/* ---- what the files say, read independently -------------------------------- */

#define MAX_IDS 16384

typedef struct file_facts {
    /* header positions */
    int col_review, col_finding, col_rating, cols;
    int field, header_done;
    char review[16], finding[16], rating[16];
    /* distinct ReviewIDs and FindingIDs seen */
    char (*reviews)[16];
    size_t n_reviews;
    char (*findings)[16];
    size_t n_findings;
    char (*rated1)[16]; /* ReviewIDs with a finding rated 1 */
    size_t n_rated1;
} file_facts;

static int seen(char (*set)[16], size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(set[i], id)) return 1;
    return 0;
}

static void facts_field(void *s, size_t len, void *ctx)
{
    file_facts *f = ctx;
    char buf[16];
    size_t n = len < sizeof buf - 1 ? len : sizeof buf - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (!f->header_done) {
        const char *name = buf;
        if (f->field == 0 && (unsigned char)name[0] == 0xEF) name += 3; /* BOM */
        if (!strcmp(name, "ReviewID")) f->col_review = f->field;
        if (!strcmp(name, "FindingID")) f->col_finding = f->field;
        if (!strcmp(name, "Finding_Rating")) f->col_rating = f->field;
    } else if (f->field == f->col_review) {
        snprintf(f->review, sizeof f->review, "%s", buf);
    } else if (f->field == f->col_finding) {
        snprintf(f->finding, sizeof f->finding, "%s", buf);
    } else if (f->field == f->col_rating) {
        snprintf(f->rating, sizeof f->rating, "%s", buf);
    }
    f->field++;
}

static void facts_row(int c, void *ctx)
{
    file_facts *f = ctx;
    (void)c;
    if (!f->header_done) {
        f->header_done = 1;
        f->cols = f->field;
    } else if (f->field == f->cols) {
        if (!seen(f->reviews, f->n_reviews, f->review) && f->n_reviews < MAX_IDS)
            snprintf(f->reviews[f->n_reviews++], 16, "%s", f->review);
        if (!seen(f->findings, f->n_findings, f->finding) && f->n_findings < MAX_IDS)
            snprintf(f->findings[f->n_findings++], 16, "%s", f->finding);
        if (!strcmp(f->rating, "1") && !seen(f->rated1, f->n_rated1, f->review))
            snprintf(f->rated1[f->n_rated1++], 16, "%s", f->review);
    }
    f->field = 0;
    f->review[0] = f->finding[0] = f->rating[0] = '\0';
}

/* Distinct reviews and findings over the files given, together. */
static void read_facts(file_facts *f, const char *const *rels, size_t n)
{
    memset(f, 0, sizeof *f);
    f->reviews = calloc(MAX_IDS, sizeof *f->reviews);
    f->findings = calloc(MAX_IDS, sizeof *f->findings);
    f->rated1 = calloc(MAX_IDS, sizeof *f->rated1);
    assert_non_null(f->reviews);
    for (size_t i = 0; i < n; i++) {
        char path[512];
        f->header_done = 0;
        f->field = 0;
        f->col_review = f->col_finding = f->col_rating = -1;
        /* not strict: the newer export has quotes inside unquoted fields */
        assert_int_equal(test_csv_read_opts(SHARED_PATH(path, rels[i]), CSV_APPEND_NULL,
                                            facts_field, facts_row, f),
                         0);
    }
}

static void free_facts(file_facts *f)
{
    free(f->reviews);
    free(f->findings);
    free(f->rated1);
}

/* ---- the tests -------------------------------------------------------------- */

static const char old_export[] = "wwc/wwc_Findings.csv";
static const char new_export[] = "wwc/wwc_Findings_2020-04-25.csv";

/* Both exports, in either order: one study per WWC review, never two; the
 * second file reports what it added, changed and left unchanged. */
static void test_wwc_evidence__newer_export_merges(void **state)
{
    const char *both[] = {old_export, new_export};
    file_facts f;
    size_t added, changed, unchanged;
    ww_db *db;
    (void)state;
    SKIP_UNDER_VALGRIND("imports whole real corpora");
    read_facts(&f, both, 2);
    printf("    files: %zu distinct ReviewIDs, %zu distinct FindingIDs\n", f.n_reviews, f.n_findings);

    db = fresh_db("old-new.db");
    import_ok(db, old_export, NULL, NULL, NULL);
    import_ok(db, new_export, &added, &changed, &unchanged);
    printf("    older then newer: %zu added, %zu changed, %zu unchanged\n", added, changed, unchanged);
    assert_int_equal(count(db, "SELECT count(*) FROM study"), (long long)f.n_reviews);
    assert_int_equal(count(db, "SELECT count(DISTINCT study_key) FROM study"), (long long)f.n_reviews);
    /* SOURCES.md: the newer export adds 48 findings */
    assert_int_equal(added, 48);
    /* every stored finding once, whatever the file it came from */
    assert_int_equal(count(db, "SELECT count(*) - count(DISTINCT source_key) FROM outcome"), 0);
    assert_int_equal(count(db, "SELECT count(*) FROM record_change WHERE action = 'changed'"),
                     (long long)changed);
    assert_true(changed > 0);
    ww_db_close(db);

    db = fresh_db("new-old.db");
    import_ok(db, new_export, NULL, NULL, NULL);
    import_ok(db, old_export, &added, &changed, &unchanged);
    printf("    newer then older: %zu added, %zu changed, %zu unchanged\n", added, changed, unchanged);
    assert_int_equal(count(db, "SELECT count(*) FROM study"), (long long)f.n_reviews);
    assert_int_equal(count(db, "SELECT count(*) - count(DISTINCT source_key) FROM outcome"), 0);
    ww_db_close(db);
    free_facts(&f);
}

/* The reviewers' own ratings grade the studies, joined by ReviewID in
 * whatever order the files arrive. */
static void test_wwc_evidence__reviewer_ratings_grade(void **state)
{
    const char *one[] = {old_export};
    file_facts f;
    ww_db *a, *b;
    sqlite3_stmt *sa = NULL, *sb = NULL;
    (void)state;
    SKIP_UNDER_VALGRIND("imports whole real corpora");
    read_facts(&f, one, 1);

    a = fresh_db("judged-after.db");
    import_ok(a, old_export, NULL, NULL, NULL);
    /* Finding_Rating 1 alone (design unknown): level 4, WWC's own rating */
    assert_int_equal(count(a, "SELECT count(*) FROM study WHERE rigour_level IS NULL"), 0);
    assert_int_equal(count(a, "SELECT count(*) FROM study WHERE wwc_rating ="
                              " 'meets WWC standards without reservations' AND rigour_level > 4"),
                     0);
    assert_int_equal(count(a, "SELECT count(*) FROM study WHERE wwc_rating ="
                              " 'meets WWC standards with reservations' AND rigour_level > 3"),
                     0);
    assert_int_equal(count(a, "SELECT count(*) FROM study WHERE wwc_rating ="
                              " 'does not meet WWC standards' AND rigour_level > 1"),
                     0);
    /* every review with a finding rated 1 carries the reviewers' rating */
    assert_int_equal(count(a, "SELECT count(*) FROM study WHERE wwc_rating ="
                              " 'meets WWC standards without reservations'"),
                     (long long)f.n_rated1);
    import_ok(a, "wwc/wolf2021_wp_meta_v2.csv", NULL, NULL, NULL);
    /* the study file gives designs: its RCTs rated without reservations reach 5 */
    assert_true(count(a, "SELECT count(*) FROM study WHERE rigour_level = 5") > 100);
    assert_int_equal(count(a, "SELECT count(*) FROM study WHERE rigour_level = 5 AND"
                              " rigour_trace NOT LIKE '%WWC reviewers%'"),
                     0);

    b = fresh_db("judged-first.db");
    import_ok(b, "wwc/wolf2021_wp_meta_v2.csv", NULL, NULL, NULL);
    import_ok(b, old_export, NULL, NULL, NULL);
    assert_int_equal(sqlite3_prepare_v2(a->sql, "SELECT study_key, rigour_level, rigour_trace FROM"
                                                " study ORDER BY study_key",
                                        -1, &sa, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(b->sql, "SELECT study_key, rigour_level, rigour_trace FROM"
                                                " study ORDER BY study_key",
                                        -1, &sb, NULL),
                     SQLITE_OK);
    for (;;) {
        int ra = sqlite3_step(sa), rb = sqlite3_step(sb);
        assert_int_equal(ra, rb);
        if (ra != SQLITE_ROW) break;
        assert_string_equal(sqlite3_column_text(sa, 0), sqlite3_column_text(sb, 0));
        assert_int_equal(sqlite3_column_int(sa, 1), sqlite3_column_int(sb, 1));
        assert_string_equal(sqlite3_column_text(sa, 2), sqlite3_column_text(sb, 2));
    }
    sqlite3_finalize(sa);
    sqlite3_finalize(sb);
    ww_db_close(a);
    ww_db_close(b);
    free_facts(&f);
}

/* "(Not applicable)" and "IES Funded Studies" keep their studies but are
 * never ranked and never pooled. */
static void test_wwc_evidence__placeholders_never_rank(void **state)
{
    static const char *const issues[] = {"truancy", "behaviour", "dropout", "reading"};
    ww_db *db;
    (void)state;
    db = fresh_db("placeholders.db");
    import_ok(db, old_export, NULL, NULL, NULL);
    assert_int_equal(count(db, "SELECT count(*) FROM intervention WHERE placeholder IS NOT NULL"), 3);
    assert_true(count(db, "SELECT count(*) FROM study s JOIN intervention i ON i.id ="
                          " s.intervention_id WHERE i.placeholder IS NOT NULL") >= 40);
    assert_int_equal(count(db, "SELECT count(*) FROM synthesis s JOIN intervention i ON i.id ="
                               " s.intervention_id WHERE i.placeholder IS NOT NULL"),
                     0);
    for (size_t q = 0; q < sizeof issues / sizeof issues[0]; q++) {
        ww_query_result *res = NULL;
        ww_query_opts opts = WW_QUERY_OPTS_INIT;
        opts.limit = 50;
        assert_ww_ok(ww_query_run(&res, db, issues[q], &opts));
        for (size_t i = 0; i < ww_query_result_count(res); i++) {
            const ww_query_row *r = ww_query_result_row(res, i);
            if (strstr(r->name, "Not applicable") || strstr(r->name, "IES Funded"))
                fail_msg("%s: placeholder '%s' ranked %d", issues[q], r->name, r->rank);
        }
        ww_query_result_free(res);
    }
    ww_db_close(db);
}

/* WWC's effectiveness ratings reproduced in the store, beside the 381
 * intervention x domain ratings WWC published (wwc_InterventionReports.csv):
 * the agreement, asserted, and the table of disagreements. */
static void test_wwc_evidence__effectiveness_agrees_with_wwc(void **state)
{
    ww_db *db;
    sqlite3_stmt *st = NULL;
    long long pairs, agree;
    (void)state;
    SKIP_UNDER_VALGRIND("imports whole real corpora");
    db = fresh_db("effectiveness.db");
    import_ok(db, old_export, NULL, NULL, NULL);
    import_ok(db, "wwc/wwc_InterventionReports.csv", NULL, NULL, NULL);
    import_ok(db, "wwc/wolf2021_wp_meta_v2.csv", NULL, NULL, NULL);
    /* one comparison per published intervention x domain (the 404 rated
     * report rows hold 381 distinct pairs; a pair agrees when every report
     * of it agrees) */
    pairs = count(db, "SELECT count(*) FROM (SELECT DISTINCT intervention_id, domain FROM"
                      " wwc_effectiveness WHERE published IS NOT NULL)");
    agree = count(db, "SELECT count(*) FROM (SELECT intervention_id, domain FROM wwc_effectiveness"
                      " WHERE published IS NOT NULL GROUP BY 1, 2 HAVING min(agrees) = 1)");
    printf("    WWC's published ratings: %lld intervention x domain pairs, ours agree in %lld (%.1f%%)\n",
           pairs, agree, 100.0 * (double)agree / (double)pairs);
    assert_int_equal(pairs, 381);
    assert_int_equal(agree, 344);
    assert_int_equal(sqlite3_prepare_v2(db->sql,
                                        "SELECT published, rating, count(*) FROM wwc_effectiveness"
                                        " WHERE published IS NOT NULL AND agrees = 0 GROUP BY 1, 2"
                                        " ORDER BY 3 DESC, 1, 2",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        printf("      WWC %-30s ours %-30s %d\n", sqlite3_column_text(st, 0),
               sqlite3_column_text(st, 1), sqlite3_column_int(st, 2));
    sqlite3_finalize(st);
    ww_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wwc_evidence__newer_export_merges),
        cmocka_unit_test(test_wwc_evidence__reviewer_ratings_grade),
        cmocka_unit_test(test_wwc_evidence__placeholders_never_rank),
        cmocka_unit_test(test_wwc_evidence__effectiveness_agrees_with_wwc),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
