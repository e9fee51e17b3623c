/*
 * test_starter.c — the starter evidence base (data/starter/) and the
 * effect-table importer that reads most of it. The database is built from
 * data/starter/ as `make demo` builds it; the counts per source are those
 * of the source files (rows, and studies as the mappings define them,
 * counted independently of the importer: see data/starter/README.md); a
 * sample of figures is checked against the files: Dietrichson et al.'s
 * Hedges' g and SE, Landenberger & Lipsey's 2x2 tables re-derived here as
 * log odds ratios by metafor's escalc("OR") formula, a care-leaver effect.
 * A second import changes nothing; a newer version of a table updates the
 * outcome that changed in place. The importer's bad-input messages are
 * checked word for word: a bad mapping key, an unknown column, a value that
 * is not a number, a required key or value missing, and nothing stored.
 * The mapping docs/effect-tables.md shows whole reads its table as the one
 * in data/starter/ does.
 */
#include "helpers.h"

#include <sys/stat.h>
#include <unistd.h>

#include "../importers/importers.h"
#include "../repo/repo_int.h"

static char tmpdir[256];

static int setup_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ww-test-starter-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    char cmd[300];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The evidence files of data/starter/ (licences, READMEs and .Rd files are
 * not evidence; mapping files are read with their tables). */
static const char *const starter_files[] = {
    "data/starter/campbell/Dalgaard2025_group_based_interventions_data.csv",
    "data/starter/campbell/Dietrichson2021_data.csv",
    "data/starter/careleavers/careleaver_education_es_data.csv",
    "data/starter/careleavers/careleaver_employment_es_data.csv",
    "data/starter/careleavers/careleaver_exp_violence_es_data.csv",
    "data/starter/careleavers/careleaver_homelessness_es_data.csv",
    "data/starter/careleavers/careleaver_risky_behaviour_es_data.csv",
    "data/starter/metadat/dat.landenberger2005.txt",
    "data/starter/wwc/wolf2021_wp_meta_v2.csv",
    "data/starter/wwc/wwc_Findings_2020-04-25.csv",
    "data/starter/wwc/wwc_InterventionReports.csv",
};
#define N_STARTER (sizeof starter_files / sizeof starter_files[0])

static long long count(ww_db *db, const char *sql, const char *arg)
{
    sqlite3_stmt *st = NULL;
    long long n = -1;
    assert_int_equal(sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL), SQLITE_OK);
    if (arg) sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static ww_import_status import_one(ww_db *db, const char *path, const ww_import_opts *opts)
{
    ww_import_report *rep = NULL;
    ww_import_status status;
    int error = ww_import_file(&rep, db, path, opts);
    if (error < 0 && error != WW_EDATA) {
        print_error("%s: %s\n", path, ww_error_last());
        fail();
    }
    assert_non_null(rep);
    status = ww_import_report_status(rep);
    if (status == WW_IMPORT_REJECTED) ww_import_report_write(rep, stderr);
    ww_import_report_free(rep);
    return status;
}

static ww_db *starter_db(const char *name)
{
    char path[300], file[1024];
    ww_db *db = NULL;
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    unlink(path);
    assert_ww_ok(ww_db_open(&db, path, WW_DB_CREATE));
    for (size_t i = 0; i < N_STARTER; i++)
        assert_int_equal(import_one(db, TOP_PATH(file, starter_files[i]), NULL),
                         WW_IMPORT_IMPORTED);
    return db;
}

/* Studies and outcomes stored in one identity namespace. */
static void assert_counts(ww_db *db, const char *ns, long long studies, long long outcomes,
                          long long effects)
{
    long long s = count(db, "SELECT count(*) FROM study WHERE identity_ns = ?1", ns);
    long long o = count(db,
                        "SELECT count(*) FROM outcome o JOIN study s ON s.id = o.study_id"
                        " WHERE s.identity_ns = ?1",
                        ns);
    long long e = count(db,
                        "SELECT count(*) FROM effect e JOIN outcome o ON o.id = e.outcome_id"
                        " JOIN study s ON s.id = o.study_id WHERE s.identity_ns = ?1",
                        ns);
    if (s != studies || o != outcomes || e != effects) {
        print_error("%s: %lld studies, %lld outcomes, %lld effects; want %lld, %lld, %lld\n", ns, s,
                    o, e, studies, outcomes, effects);
        fail();
    }
}

/* yi, vi of the one outcome of study `key` in namespace ns whose source key
 * is okey. */
static void effect_of(ww_db *db, const char *ns, const char *key, const char *okey, double *yi,
                      double *vi, int *higher)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db->sql,
                                        "SELECT e.yi, e.vi, o.higher_is_better FROM effect e"
                                        " JOIN outcome o ON o.id = e.outcome_id"
                                        " JOIN study s ON s.id = o.study_id"
                                        " WHERE s.identity_ns = ?1 AND s.study_key = ?2"
                                        " AND o.source_key = ?3",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, okey, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        print_error("no effect for %s / %s / %s\n", ns, key, okey);
        sqlite3_finalize(st);
        fail();
    }
    *yi = sqlite3_column_double(st, 0);
    *vi = sqlite3_column_double(st, 1);
    *higher = sqlite3_column_int(st, 2);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE); /* exactly one */
    sqlite3_finalize(st);
}

/* ---- the starter database ---------------------------------------------------- */

static void test_starter__counts_per_source(void **state)
{
    ww_db *db;
    char file[1024];
    (void)state;
    SKIP_UNDER_VALGRIND("imports whole real corpora");
    db = starter_db("counts.db");

    /* Dietrichson 2021: 1,334 rows, one effect each; 224 studies = distinct
     * (Study_ID, intervention) pairs, unnamed programmes named after their
     * study (data/starter/README.md). */
    assert_counts(db, "campbell-dietrichson2021", 224, 1334, 1334);
    /* Dalgaard 2025: 413 rows less 16 the review set aside ("Unused
     * outcomes"); 51 distinct (studyid, trt_name). */
    assert_counts(db, "campbell-dalgaard2025", 51, 397, 397);
    /* Care leavers: 27 + 32 + 23 + 19 + 9 rows; 17 distinct (study, author)
     * across the five files, each one study however many files it is in. */
    assert_counts(db, "careleavers-taylor2023", 17, 110, 110);
    /* Landenberger & Lipsey 2005: 58 studies, one 2x2 table each. */
    assert_counts(db, "metadat-landenberger2005", 58, 58, 58);
    /* WWC: the Findings export's 7,020 rows less 14 malformed ones
     * (tests/test_wwc_evidence.c checks the WWC files in detail). */
    assert_true(count(db,
                      "SELECT count(*) FROM outcome o JOIN study s ON s.id = o.study_id"
                      " WHERE s.identity_ns = 'wwc'",
                      NULL) == 7006);
    assert_true(count(db, "SELECT count(*) FROM judgement", NULL) > 0);

    /* Directions: every Dietrichson and Landenberger outcome is decided by
     * its mapping; care leavers: 11 public-assistance measures (SNAP, TANF,
     * "any financial assistance") left unknown;
     * Dalgaard: the 6 "Drug and alcohol free days" rows. */
    assert_true(count(db,
                      "SELECT count(*) FROM outcome o JOIN study s ON s.id = o.study_id"
                      " WHERE s.identity_ns = ?1 AND o.higher_is_better = -1",
                      "careleavers-taylor2023") == 11);
    assert_true(count(db,
                      "SELECT count(*) FROM outcome o JOIN study s ON s.id = o.study_id"
                      " WHERE s.identity_ns = ?1 AND o.higher_is_better = -1",
                      "campbell-dalgaard2025") == 6);
    assert_true(count(db,
                      "SELECT count(*) FROM outcome o JOIN study s ON s.id = o.study_id"
                      " WHERE s.identity_ns = ?1 AND o.higher_is_better = 0",
                      "metadat-landenberger2005") == 58);

    /* The mapping is archived with its table. */
    assert_true(count(db, "SELECT count(*) FROM source WHERE mapping IS NOT NULL", NULL) == 8);

    /* Again: every file is already there, nothing changes. */
    for (size_t i = 0; i < N_STARTER; i++)
        assert_int_equal(import_one(db, TOP_PATH(file, starter_files[i]), NULL), WW_IMPORT_ALREADY);
    assert_counts(db, "campbell-dietrichson2021", 224, 1334, 1334);
    ww_db_close(db);
}

static void test_starter__figures_match_the_sources(void **state)
{
    ww_db *db;
    double yi, vi;
    int higher;
    (void)state;
    SKIP_UNDER_VALGRIND("imports whole real corpora");
    db = starter_db("figures.db");

    /* Dietrichson2021_data.csv, Hedges' g and SE_g as printed in the file:
     * line 2 (Study_ID 19770510, Al-Hazza 2002, post-test, reading),
     * line 3 (the same study's second reading effect), line 502 (Study_ID
     * 20031479's second maths effect at post-test). */
    effect_of(db, "campbell-dietrichson2021", "19770510", "Reading test | post-test", &yi, &vi,
              &higher);
    assert_close(yi, 0.553454087392307, 1e-12);
    assert_close(vi, 0.347783683392821 * 0.347783683392821, 1e-12);
    assert_int_equal(higher, 1);
    effect_of(db, "campbell-dietrichson2021", "19770510", "Reading test | post-test #2", &yi, &vi,
              &higher);
    assert_close(yi, 0.338914023537142, 1e-12);
    assert_close(vi, 0.296993315606051 * 0.296993315606051, 1e-12);
    effect_of(db, "campbell-dietrichson2021", "20031479", "Math test | post-test #2", &yi, &vi,
              &higher);
    assert_close(yi, 1.38151015816293, 1e-12);
    assert_close(vi, 0.303063972712772 * 0.303063972712772, 1e-12);

    /* dat.landenberger2005.txt: recidivists / non-recidivists per arm, as
     * escalc(measure = "OR", ai = n.cbt.rec, bi = n.cbt.non, ci = n.ctrl.rec,
     * di = n.ctrl.non): yi = log(ai di / (bi ci)), vi = 1/ai + 1/bi + 1/ci +
     * 1/di (no cell is 0 in this file). */
    {
        static const struct {
            const char *key;
            double ai, bi, ci, di;
        } t[] = {
            {"Guerra (1990) | rct | research | juveniles | 50", 10, 19, 23, 29},
            {"Leeman (1993) | rct | demo | juveniles | 100", 3, 17, 15, 22},
            {"Kownacki (1995) | rct | research | adults | 100", 2, 9, 4, 6},
        };
        static const char *const okey[] = {"Recidivism | 12 months", "Recidivism | 12 months",
                                           "Recidivism | 6 months"};
        for (size_t i = 0; i < 3; i++) {
            effect_of(db, "metadat-landenberger2005", t[i].key, okey[i], &yi, &vi, &higher);
            assert_close(yi, log((t[i].ai * t[i].di) / (t[i].bi * t[i].ci)), 1e-12);
            assert_close(vi, 1 / t[i].ai + 1 / t[i].bi + 1 / t[i].ci + 1 / t[i].di, 1e-12);
            assert_int_equal(higher, 0); /* less reoffending is better */
        }
    }

    /* careleaver_homelessness_es_data.csv line 2: Massachusetts Adolescent
     * Outreach Program, "Homelessness", g = -0.20997506439230498 with SE
     * 0.5101877598109139; lower is better. */
    effect_of(db, "careleavers-taylor2023",
              "Massachusetts Adolescent Outreach Program for Youths in Intensive Foster Care"
              " | Greeson, Garcia, Kim & Courtney (2015)",
              "Homelessness | 24 months", &yi, &vi, &higher);
    assert_close(yi, -0.20997506439230498, 1e-12);
    assert_close(vi, 0.5101877598109139 * 0.5101877598109139, 1e-12);
    assert_int_equal(higher, 0);
    ww_db_close(db);
}

/* ---- updates in place ---------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

static const char small_mapping[] = "# whatworks-mapping/1\n"
                                    "identity = test-small\n"
                                    "study.key = id\n"
                                    "intervention = \"Mentoring\"\n"
                                    "outcome = outcome\n"
                                    "outcome.domain = \"attendance\"\n"
                                    "effect.metric = SMD\n"
                                    "effect.estimate = g\n"
                                    "effect.se = se\n"
                                    "direction = higher\n";

static void test_starter__newer_version_updates_in_place(void **state)
{
    char path[512], csv[512], db_path[512];
    ww_db *db = NULL;
    ww_import_report *rep = NULL;
    size_t added, changed, unchanged;
    (void)state;
    SKIP_UNDER_VALGRIND("imports whole real corpora");
    snprintf(db_path, sizeof db_path, "%s/update.db", tmpdir);
    snprintf(csv, sizeof csv, "%s/small.csv", tmpdir);
    snprintf(path, sizeof path, "%s/small.csv.mapping", tmpdir);
    write_file(path, small_mapping);
    write_file(csv,
               "id,outcome,g,se\n1,Attendance,0.2,0.1\n1,Absences,0.1,0.1\n2,Attendance,0.3,0.2\n");
    assert_ww_ok(ww_db_open(&db, db_path, WW_DB_CREATE));
    assert_int_equal(import_one(db, csv, NULL), WW_IMPORT_IMPORTED);

    /* A newer version: one figure corrected, one row added. */
    write_file(csv, "id,outcome,g,se\n1,Attendance,0.25,0.1\n1,Absences,0.1,0.1\n"
                    "2,Attendance,0.3,0.2\n3,Attendance,0.1,0.1\n");
    assert_ww_ok(ww_import_file(&rep, db, csv, NULL));
    assert_int_equal(ww_import_report_status(rep), WW_IMPORT_IMPORTED);
    ww_import_report_updates(rep, &added, &changed, &unchanged);
    ww_import_report_free(rep);
    assert_int_equal(added, 1);
    assert_int_equal(changed, 1);
    assert_int_equal(unchanged, 2);
    assert_true(count(db, "SELECT count(*) FROM study WHERE identity_ns = ?1", "test-small") == 3);
    assert_true(count(db,
                      "SELECT count(*) FROM effect e JOIN outcome o ON o.id = e.outcome_id"
                      " JOIN study s ON s.id = o.study_id WHERE s.identity_ns = ?1",
                      "test-small") == 4);
    assert_true(count(db,
                      "SELECT count(*) FROM effect e JOIN outcome o ON o.id = e.outcome_id"
                      " JOIN study s ON s.id = o.study_id WHERE s.identity_ns = ?1 AND e.yi = 0.25",
                      "test-small") == 1);
    ww_db_close(db);
}

/* ---- bad input ------------------------------------------------------------------ */

/* Every diagnostic of parsing csv through mapping, one per line, as
 * "FILE:LINE: field: message" (the CLI's form); the caller frees it.
 * *records receives how many records reached the sink. */
static int count_record(void *ctx, const ww_record *rec)
{
    (void)rec;
    (*(size_t *)ctx)++;
    return 0;
}

static char *diagnose(const char *mapping, const char *csv, size_t *records)
{
    ww_input in = {.name = "t.csv",
                   .data = (const unsigned char *)csv,
                   .size = strlen(csv),
                   .mapping_name = "t.csv.mapping",
                   .mapping = (const unsigned char *)mapping,
                   .mapping_size = strlen(mapping)};
    ww_sink sink = {.ctx = records, .record = count_record};
    ww_diags *d = NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *fp;
    *records = 0;
    assert_ww_ok(ww_diags__new(&d));
    assert_ww_ok(ww_importer_effect_table.parse(&in, d, &sink));
    assert_non_null(fp = open_memstream(&text, &len));
    for (size_t i = 0; i < ww_diags__count(d); i++) ww_diags__write_one(ww_diags__get(d, i), fp);
    fclose(fp);
    ww_diags__free(d);
    return text;
}

#define GOOD_CSV "id,outcome,g,se\n1,Attendance,0.2,0.1\n2,Attendance,0.3,0.2\n"

static void assert_diagnosis(const char *mapping, const char *csv, const char *want)
{
    size_t records;
    char *got = diagnose(mapping, csv, &records);
    if (strcmp(got, want) != 0) {
        print_error("got:\n%swant:\n%s", got, want);
        free(got);
        fail();
    }
    free(got);
}

static void test_starter__good_table_reads(void **state)
{
    size_t records;
    char *got;
    (void)state;
    got = diagnose(small_mapping, GOOD_CSV, &records);
    assert_string_equal(got, "");
    assert_int_equal(records, 2);
    free(got);
    /* no mapping at all */
    {
        ww_input in = {
            .name = "t.csv", .data = (const unsigned char *)GOOD_CSV, .size = strlen(GOOD_CSV)};
        ww_diags *d = NULL;
        assert_ww_ok(ww_diags__new(&d));
        assert_int_equal(ww_importer_effect_table.sniff(&in), 0);
        assert_ww_ok(ww_importer_effect_table.parse(&in, d, NULL));
        assert_int_equal(ww_diags__errors(d), 1);
        assert_string_equal(ww_diags__get(d, 0)->message,
                            "no mapping: an effect table is read through a mapping file (--mapping"
                            " FILE, or FILE.mapping beside it; docs/effect-tables.md)");
        ww_diags__free(d);
    }
}

static void test_starter__bad_mapping_key(void **state)
{
    (void)state;
    assert_diagnosis(
        "# whatworks-mapping/1\n"
        "identity = test-small\n"
        "study.kee = id\n"
        "study.key = id\n"
        "intervention = \"Mentoring\"\n"
        "outcome = outcome\n"
        "effect.metric = SMD\n"
        "effect.estimate = g\n"
        "effect.se = se\n"
        "direction = sideways\n"
        "design[RCT] = random\n",
        GOOD_CSV,
        "t.csv.mapping:3: study.kee: unknown key (docs/effect-tables.md lists the keys)\n"
        "t.csv.mapping:11: design[RCT]: 'random' is not a design (randomised,"
        " regression-discontinuity, instrument, difference-in-differences, matched-pretest,"
        " comparison, before-after, descriptive, unknown)\n");
}

/* A code may hold '=' and spaces; a judgement is plain text. */
static void test_starter__codes(void **state)
{
    size_t records;
    char *got;
    (void)state;
    got = diagnose("# whatworks-mapping/1\n"
                   "identity = test-small\n"
                   "study.key = id\n"
                   "intervention = \"Mentoring\"\n"
                   "outcome = outcome\n"
                   "effect.metric = SMD\n"
                   "effect.estimate = g\n"
                   "effect.se = se\n"
                   "direction = outcome\n"
                   "direction[Absences = days] = lower\n"
                   "direction[*] = higher\n"
                   "rob[id] = Random sequence generation\n"
                   "rob.judgement[1] = \"low\"\n",
                   GOOD_CSV, &records);
    assert_string_equal(
        got, "t.csv.mapping:13: rob.judgement[1]: takes plain text, not a quoted template\n");
    free(got);
}

static void test_starter__unknown_column(void **state)
{
    size_t records;
    char *got;
    (void)state;
    got = diagnose("# whatworks-mapping/1\n"
                   "identity = test-small\n"
                   "study.key = id\n"
                   "intervention = \"Mentoring\"\n"
                   "outcome = \"{Outcome}\"\n"
                   "effect.metric = SMD\n"
                   "effect.estimate = g\n"
                   "effect.se = SE\n"
                   "direction = higher\n",
                   GOOD_CSV, &records);
    assert_string_equal(
        got, "t.csv:1: Outcome: no such column (named by outcome on line 5 of t.csv.mapping)\n"
             "t.csv:1: SE: no such column (named by effect.se on line 8 of t.csv.mapping)\n");
    assert_int_equal(records, 0);
    free(got);
}

static void test_starter__not_a_number(void **state)
{
    size_t records;
    char *got;
    (void)state;
    got = diagnose(
        small_mapping,
        "id,outcome,g,se\n1,Attendance,0.2,0.1\n2,Attendance,0.3,n/a\n3,Attendance,big,0.1\n",
        &records);
    assert_string_equal(got, "t.csv:3: se: not a number: 'n/a'\n"
                             "t.csv:4: g: not a number: 'big'\n");
    /* the row before the first error was handed on; the store rolls the
     * whole file back (test_starter__nothing_stored) */
    assert_int_equal(records, 1);
    free(got);
}

static void test_starter__missing_required(void **state)
{
    (void)state;
    /* a required key missing from the mapping, and a statistic without its
     * standard error */
    assert_diagnosis("# whatworks-mapping/1\n"
                     "identity = test-small\n"
                     "intervention = \"Mentoring\"\n"
                     "outcome = outcome\n"
                     "effect.metric = SMD\n"
                     "effect.estimate = g\n"
                     "direction = higher\n",
                     GOOD_CSV,
                     "t.csv.mapping: study.key: required, not given\n"
                     "t.csv.mapping:6: effect.estimate: needs effect.se, effect.variance, or"
                     " effect.ci_low and effect.ci_high\n");
    /* a row without its study */
    assert_diagnosis(small_mapping, "id,outcome,g,se\n1,Attendance,0.2,0.1\n,Attendance,0.3,0.2\n",
                     "t.csv:3: id: empty: every row needs its study\n");
    /* the first line of a mapping says what it is */
    assert_diagnosis("identity = x\n", GOOD_CSV,
                     "t.csv.mapping:1: the first line must be '# whatworks-mapping/1'\n");
}

static void test_starter__nothing_stored(void **state)
{
    char csv[512], map[512], db_path[512];
    ww_db *db = NULL;
    (void)state;
    snprintf(db_path, sizeof db_path, "%s/rejected.db", tmpdir);
    snprintf(csv, sizeof csv, "%s/bad.csv", tmpdir);
    snprintf(map, sizeof map, "%s/bad.mapping", tmpdir);
    write_file(csv, "id,outcome,g,se\n1,Attendance,0.2,0.1\n2,Attendance,0.3,n/a\n");
    write_file(map, small_mapping);
    assert_ww_ok(ww_db_open(&db, db_path, WW_DB_CREATE));
    /* --mapping FILE: the mapping need not sit beside the table */
    {
        ww_import_opts opts;
        memset(&opts, 0, sizeof opts);
        opts.mapping = map;
        assert_int_equal(import_one(db, csv, &opts), WW_IMPORT_REJECTED);
    }
    assert_true(count(db, "SELECT count(*) FROM study", NULL) == 0);
    assert_true(count(db, "SELECT count(*) FROM source", NULL) == 0);
    ww_db_close(db);
}

/* ---- the documentation's example -------------------------------------------- */

static void test_starter__doc_mapping_reads_its_table(void **state)
{
    char path[1024], map[512], db_path[512];
    char *doc = test_slurp(TOP_PATH(path, "docs/effect-tables.md"));
    const char *start = strstr(doc, "The Landenberger & Lipsey mapping, whole:");
    const char *open, *close;
    ww_db *db = NULL;
    ww_import_opts opts;
    double yi, vi;
    int higher;
    (void)state;
    assert_non_null(start);
    assert_non_null(open = strstr(start, "```\n"));
    open += 4;
    assert_non_null(close = strstr(open, "```\n"));
    snprintf(map, sizeof map, "%s/doc.mapping", tmpdir);
    {
        FILE *fp = fopen(map, "wb");
        assert_non_null(fp);
        assert_int_equal(fwrite(open, 1, (size_t)(close - open), fp), (size_t)(close - open));
        assert_int_equal(fclose(fp), 0);
    }
    /* on its own: no problem at all */
    {
        ww_input in = {.name = "t.txt",
                       .mapping_name = map,
                       .mapping = (const unsigned char *)open,
                       .mapping_size = (size_t)(close - open)};
        ww_diags *d = NULL;
        assert_ww_ok(ww_diags__new(&d));
        assert_ww_ok(ww_importer_effect_table__check_mapping(&in, d));
        assert_int_equal(ww_diags__count(d), 0);
        ww_diags__free(d);
    }
    snprintf(db_path, sizeof db_path, "%s/doc.db", tmpdir);
    assert_ww_ok(ww_db_open(&db, db_path, WW_DB_CREATE));
    memset(&opts, 0, sizeof opts);
    opts.mapping = map;
    assert_int_equal(
        import_one(db, TOP_PATH(path, "data/starter/metadat/dat.landenberger2005.txt"), &opts),
        WW_IMPORT_IMPORTED);
    assert_counts(db, "metadat-landenberger2005", 58, 58, 58);
    effect_of(db, "metadat-landenberger2005", "Guerra (1990) | rct | research | juveniles | 50",
              "Recidivism | 12 months", &yi, &vi, &higher);
    assert_close(yi, log((10.0 * 29) / (19.0 * 23)), 1e-12);
    ww_db_close(db);
    free(doc);
}

/* Every starter mapping is clean on its own. */
static void test_starter__mappings_are_clean(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_STARTER; i++) {
        char path[1024], mpath[1100];
        char *text;
        ww_diags *d = NULL;
        ww_input in;
        snprintf(mpath, sizeof mpath, "%s.mapping", TOP_PATH(path, starter_files[i]));
        if (access(mpath, R_OK) != 0) continue; /* the WWC files have their own importers */
        text = test_slurp(mpath);
        memset(&in, 0, sizeof in);
        in.name = starter_files[i];
        in.mapping_name = mpath;
        in.mapping = (const unsigned char *)text;
        in.mapping_size = strlen(text);
        assert_ww_ok(ww_diags__new(&d));
        assert_ww_ok(ww_importer_effect_table__check_mapping(&in, d));
        if (ww_diags__count(d)) {
            ww_diags__write_one(ww_diags__get(d, 0), stderr);
            fail();
        }
        ww_diags__free(d);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_starter__counts_per_source),
        cmocka_unit_test(test_starter__figures_match_the_sources),
        cmocka_unit_test(test_starter__newer_version_updates_in_place),
        cmocka_unit_test(test_starter__good_table_reads),
        cmocka_unit_test(test_starter__bad_mapping_key),
        cmocka_unit_test(test_starter__codes),
        cmocka_unit_test(test_starter__unknown_column),
        cmocka_unit_test(test_starter__not_a_number),
        cmocka_unit_test(test_starter__missing_required),
        cmocka_unit_test(test_starter__nothing_stored),
        cmocka_unit_test(test_starter__doc_mapping_reads_its_table),
        cmocka_unit_test(test_starter__mappings_are_clean),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
