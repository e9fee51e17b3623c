/*
 * test_plausibility.c — evidence you can trust: the clustering design
 * effect computed by hand and found in the stored variance and in `show`;
 * implausible effects (|SMD| > 3, SDs typed as standard errors, variances
 * too small for N, values outside a measure's range) flagged with their
 * reason, warned about at validate and import as FILE:LINE: field: problem,
 * kept out of the default pooled results and brought back on request; the
 * real WWC finding with SMD 8.24 flagged after import; and unreviewed
 * evidence capped below "high" certainty.
 */
#include "helpers.h"

#include <jansson.h>
#include <unistd.h>

#include "../evidence/plausibility.h"
#include "../repo/repo_int.h"

#define Z975 1.959963984540054

static char tmpdir[256];
static char db_path[300];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ww-test-plausibility-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    snprintf(db_path, sizeof db_path, "%s/p.db", tmpdir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static ww_db *fresh_db(void)
{
    ww_db *db = NULL;
    unlink(db_path);
    assert_ww_ok(ww_db_open(&db, db_path, WW_DB_CREATE));
    return db;
}

static ww_import_report *import(ww_db *db, const char *path)
{
    ww_import_report *rep = NULL;
    assert_ww_ok(ww_import_file(&rep, db, path, NULL));
    return rep;
}

static double real(ww_db *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    double v = NAN;
    assert_int_equal(sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

static char *text(ww_db *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    char *v = NULL;
    assert_int_equal(sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

static char *show(ww_db *db, const char *slug, ww_format fmt, int include_flagged)
{
    char *buf = NULL;
    size_t len = 0;
    ww_show_opts opts = {include_flagged};
    FILE *mem = open_memstream(&buf, &len);
    assert_ww_ok(ww_show_write_opts(db, slug, mem, fmt, &opts));
    fclose(mem);
    return buf;
}

/* The report's text, as `validate` / `import` print it. */
static char *report_text(const ww_import_report *rep)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    assert_ww_ok(ww_import_report_write(rep, mem));
    fclose(mem);
    return buf;
}

/* Hedges' g (exact correction) and its LS variance, by hand. */
static void hedges(double *g, double *v, double m1, double s1, double n1, double m2, double s2,
                   double n2)
{
    double df = n1 + n2 - 2;
    double sp = sqrt(((n1 - 1) * s1 * s1 + (n2 - 1) * s2 * s2) / df);
    double j = exp(lgamma(df / 2) - lgamma((df - 1) / 2)) / sqrt(df / 2);
    *g = (m1 - m2) / sp * j;
    *v = 1 / n1 + 1 / n2 + *g * *g / (2 * (n1 + n2));
}

/* ---- the design effect, pure --------------------------------------------- */

static void pilot(ww_record *rec, ww_outcome_rec *o)
{
    ww_record_init(rec);
    ww_outcome_rec_init(o);
    rec->allocation_unit = "school";
    rec->analysed_treatment = 380;
    rec->analysed_control = 371;
    rec->clusters_treatment = 12;
    rec->clusters_control = 12;
    o->name = "Half-day sessions missed";
    o->domain = "attendance";
    o->kind = WW_OUTCOME_CONTINUOUS;
    o->mean_treatment = 31.4;
    o->sd_treatment = 18.2;
    o->n_treatment = 380;
    o->mean_control = 35.9;
    o->sd_control = 19.0;
    o->n_control = 371;
}

static void test_plausibility__design_effect(void **state)
{
    ww_record rec;
    ww_outcome_rec o;
    ww_cluster_correction cc;
    /* WWC Procedures Handbook v4.1 appendix F: 1 + (m - 1) ICC, m the
     * average cluster size; default ICC 0.10 outside achievement */
    double m = 751.0 / 24.0, deff = 1 + (m - 1) * 0.10;
    (void)state;

    pilot(&rec, &o);
    assert_ww_ok(ww_plausibility_cluster(&cc, &rec, &o, NULL));
    assert_true(cc.applied);
    assert_true(cc.icc_default);
    assert_close(cc.cluster_size, m, 1e-12);
    assert_close(cc.icc, 0.10, 1e-15);
    assert_close(cc.design_effect, deff, 1e-12);
    assert_close(cc.design_effect, 4.029166666666667, 1e-12);
    assert_non_null(strstr(cc.note, "12 + 12 clusters, 751 analysed, m = 31.29; ICC 0.10"));
    assert_non_null(strstr(cc.note, "design effect 4.03"));

    /* an achievement domain takes WWC's 0.20 */
    o.domain = "Reading achievement";
    assert_ww_ok(ww_plausibility_cluster(&cc, &rec, &o, NULL));
    assert_close(cc.design_effect, 1 + (m - 1) * 0.20, 1e-12);
    /* the study's own ICC wins over the default, the outcome's over the record's */
    rec.icc = 0.05;
    assert_ww_ok(ww_plausibility_cluster(&cc, &rec, &o, NULL));
    assert_false(cc.icc_default);
    assert_close(cc.design_effect, 1 + (m - 1) * 0.05, 1e-12);
    o.icc = 0.02;
    assert_ww_ok(ww_plausibility_cluster(&cc, &rec, &o, NULL));
    assert_close(cc.design_effect, 1 + (m - 1) * 0.02, 1e-12);

    /* analysed by school: nothing to correct */
    o.analysis_unit = "School";
    assert_ww_ok(ww_plausibility_cluster(&cc, &rec, &o, NULL));
    assert_false(cc.applied);
    assert_close(cc.design_effect, 1, 0);
    o.analysis_unit = "Student";
    assert_ww_ok(ww_plausibility_cluster(&cc, &rec, &o, NULL));
    assert_true(cc.applied);

    /* allocated by individual: the clusters are sites */
    rec.allocation_unit = "individual";
    assert_ww_ok(ww_plausibility_cluster(&cc, &rec, &o, NULL));
    assert_false(cc.applied);
    assert_non_null(strstr(cc.note, "not units of allocation"));
    rec.allocation_unit = "school";

    /* a source's own CI is taken as given */
    o.kind = WW_OUTCOME_REPORTED;
    assert_ww_ok(ww_plausibility_cluster(&cc, &rec, &o, NULL));
    assert_false(cc.applied);
    assert_non_null(strstr(cc.note, "used as given"));
    /* ... but a generic SE computed from the arm sizes is not the source's */
    o.kind = WW_OUTCOME_GENERIC;
    o.se_from_arm_sizes = 1;
    assert_ww_ok(ww_plausibility_cluster(&cc, &rec, &o, NULL));
    assert_true(cc.applied);

    /* one person per cluster: individual allocation */
    o.kind = WW_OUTCOME_CONTINUOUS;
    o.clusters_treatment = 380;
    o.clusters_control = 371;
    assert_ww_ok(ww_plausibility_cluster(&cc, &rec, &o, NULL));
    assert_false(cc.applied);

    /* allocated by school, no counts: a warning, no correction */
    pilot(&rec, &o);
    rec.clusters_treatment = rec.clusters_control = -1;
    assert_ww_ok(ww_plausibility_cluster(&cc, &rec, &o, NULL));
    assert_false(cc.applied);
    assert_true(cc.warn);
    assert_non_null(strstr(cc.note, "allocated by school, but the number of clusters"));

    assert_int_equal(ww_plausibility_cluster(NULL, &rec, &o, NULL), WW_EUSAGE);
}

/* ---- the plausibility rules, pure ------------------------------------------ */

static void test_plausibility__rules(void **state)
{
    ww_record rec;
    ww_outcome_rec o;
    ww_plausibility p;
    (void)state;

    /* the pilot as reported: plausible */
    pilot(&rec, &o);
    assert_ww_ok(ww_plausibility_check(&p, &rec, &o, "SMD", -0.24, 0.0054, NULL));
    assert_int_equal(p.rule, WW_PLAUSIBLE);
    assert_string_equal(p.reason, "");

    /* its SDs typed as standard errors (SD / sqrt(n)) */
    o.sd_treatment = 0.93;
    o.sd_control = 0.99;
    assert_ww_ok(ww_plausibility_check(&p, &rec, &o, "SMD", NAN, NAN, NULL));
    assert_int_equal(p.rule, WW_IMPLAUSIBLE_SD_AS_SE);
    assert_string_equal(ww_plausibility_rule_name(p.rule), "sd-as-se");
    assert_string_equal(p.field, "sd_treatment");
    assert_non_null(strstr(p.reason, "SDs look like standard errors: 0.93 and 0.99"));
    assert_non_null(strstr(p.reason, "giving SMD -4.68"));
    assert_non_null(strstr(p.reason, "they give -0.24"));
    /* small arms: no SD-as-SE verdict, the |SMD| rule still fires */
    o.n_treatment = o.n_control = 20;
    assert_ww_ok(ww_plausibility_check(&p, &rec, &o, "SMD", NAN, NAN, NULL));
    assert_int_equal(p.rule, WW_IMPLAUSIBLE_SMD);
    assert_non_null(strstr(p.reason, "> 3"));

    /* |SMD| > 3 on a generic SMD, and just below it */
    ww_outcome_rec_init(&o);
    o.kind = WW_OUTCOME_GENERIC;
    o.name = "Percent of learning trials";
    o.n_treatment = 38;
    o.n_control = 33;
    assert_ww_ok(ww_plausibility_check(&p, &rec, &o, "SMD", 8.24, 0.5, NULL));
    assert_int_equal(p.rule, WW_IMPLAUSIBLE_SMD);
    assert_non_null(strstr(p.reason, "|SMD| 8.24 > 3"));
    assert_ww_ok(ww_plausibility_check(&p, &rec, &o, "SMD", -2.99, 0.5, NULL));
    assert_int_equal(p.rule, WW_PLAUSIBLE);
    /* a log odds ratio on the SMD scale: ln OR x sqrt(3)/pi > 3 means OR > 230 */
    assert_ww_ok(ww_plausibility_check(&p, &rec, &o, "OR", log(300), 0.5, NULL));
    assert_int_equal(p.rule, WW_IMPLAUSIBLE_SMD);
    assert_ww_ok(ww_plausibility_check(&p, &rec, &o, "OR", log(200), 0.5, NULL));
    assert_int_equal(p.rule, WW_PLAUSIBLE);

    /* a variance below a tenth of 1/n1 + 1/n2 */
    o.n_treatment = o.n_control = 100;
    assert_ww_ok(ww_plausibility_check(&p, &rec, &o, "SMD", 0.2, 0.0019, NULL));
    assert_int_equal(p.rule, WW_IMPLAUSIBLE_VARIANCE);
    assert_string_equal(p.field, "generic_se");
    assert_non_null(strstr(p.reason, "below 0.1 × (1/100 + 1/100) = 0.002"));
    assert_ww_ok(ww_plausibility_check(&p, &rec, &o, "SMD", 0.2, 0.0021, NULL));
    assert_int_equal(p.rule, WW_PLAUSIBLE);

    /* outside the measure's range: a percentage above 100, a risk difference above 1 */
    pilot(&rec, &o);
    o.name = "Percent of sessions attended";
    o.mean_treatment = 104;
    o.mean_control = 96;
    assert_ww_ok(ww_plausibility_check(&p, &rec, &o, "SMD", 0.4, 0.005, NULL));
    assert_int_equal(p.rule, WW_IMPLAUSIBLE_RANGE);
    assert_string_equal(p.field, "mean_treatment");
    assert_non_null(strstr(p.reason, "mean 104 outside 0..100"));
    /* a test about proportions is not a proportion */
    o.name = "7th grade test: rate and proportions";
    assert_ww_ok(ww_plausibility_check(&p, &rec, &o, "SMD", 0.4, 0.005, NULL));
    assert_int_equal(p.rule, WW_PLAUSIBLE);
    ww_outcome_rec_init(&o);
    o.kind = WW_OUTCOME_GENERIC;
    assert_ww_ok(ww_plausibility_check(&p, &rec, &o, "RD", 1.2, 0.01, NULL));
    assert_int_equal(p.rule, WW_IMPLAUSIBLE_RANGE);
    assert_non_null(strstr(p.reason, "outside -1..1"));

    assert_int_equal(ww_plausibility_check(NULL, &rec, &o, "SMD", 0, 1, NULL), WW_EUSAGE);
    assert_null(ww_plausibility_rule_name((ww_plausibility_rule)99));
}

/* ---- the example pilot randomised by school -------------------------------- */

static void test_plausibility__example_pilot_clustered(void **state)
{
    char path[400];
    ww_db *db = fresh_db();
    ww_import_report *rep;
    double g, v, deff = 1 + (751.0 / 24.0 - 1) * 0.10, yi, vi, vi0, d;
    char *out, want[160];
    (void)state;

    rep = import(db, TOP_PATH(path, "data/examples/attendance-mentoring.xml"));
    out = report_text(rep);
    assert_non_null(strstr(out, "2 variances from cluster-allocated studies widened"));
    free(out);
    ww_import_report_free(rep);

    /* Half-day sessions missed: g by hand, its variance times the design effect */
    hedges(&g, &v, 31.4, 18.2, 380, 35.9, 19.0, 371);
    yi = real(db, "SELECT e.yi FROM effect e JOIN outcome o ON o.id = e.outcome_id"
                  " WHERE o.name = 'Half-day sessions missed'");
    vi = real(db, "SELECT e.vi FROM effect e JOIN outcome o ON o.id = e.outcome_id"
                  " WHERE o.name = 'Half-day sessions missed'");
    vi0 = real(db, "SELECT e.vi_uncorrected FROM effect e JOIN outcome o ON o.id = e.outcome_id"
                   " WHERE o.name = 'Half-day sessions missed'");
    d = real(db, "SELECT e.design_effect FROM effect e JOIN outcome o ON o.id = e.outcome_id"
                 " WHERE o.name = 'Half-day sessions missed'");
    assert_close(yi, g, 1e-12);
    assert_close(vi0, v, 1e-12);
    assert_close(d, deff, 1e-12);
    assert_close(vi, v * deff, 1e-12);
    /* the CI before and after: about twice as wide (sqrt(4.03) = 2.007) */
    assert_close(g - Z975 * sqrt(v), -0.385, 5e-4);
    assert_close(g + Z975 * sqrt(v), -0.098, 5e-4);
    assert_close(g - Z975 * sqrt(v * deff), -0.530, 5e-4);
    assert_close(g + Z975 * sqrt(v * deff), 0.046, 5e-4);

    out = show(db, "attendance-mentoring-illustrative-example", WW_FORMAT_TABLE, 0);
    snprintf(want, sizeof want, "SMD %.3f [%.3f, %.3f], N = 751", g, g - Z975 * sqrt(v * deff),
             g + Z975 * sqrt(v * deff));
    assert_non_null(strstr(out, want));
    snprintf(want, sizeof want, "before the correction: SMD %.3f [%.3f, %.3f]", g,
             g - Z975 * sqrt(v), g + Z975 * sqrt(v));
    assert_non_null(strstr(out, want));
    assert_non_null(strstr(out,
                           "clustered: 12 + 12 clusters, 751 analysed, m = 31.29; ICC 0.10 (WWC "
                           "default for behavioural and other outcomes"));
    assert_non_null(strstr(out, "design effect 4.03"));
    free(out);

    out = show(db, "attendance-mentoring-illustrative-example", WW_FORMAT_JSON, 0);
    {
        json_t *doc = json_loads(out, 0, NULL), *e;
        assert_non_null(doc);
        e = json_array_get(
            json_object_get(json_array_get(json_object_get(doc, "studies"), 0), "effects"), 0);
        assert_close(json_real_value(json_object_get(e, "design_effect")), deff, 1e-12);
        assert_close(json_real_value(json_object_get(e, "vi_uncorrected")), v, 1e-12);
        assert_close(json_real_value(json_object_get(e, "vi")), v * deff, 1e-12);
        assert_true(json_is_null(json_object_get(e, "flag")));
        json_decref(doc);
    }
    free(out);

    /* the synthesis trace says so */
    out = text(db, "SELECT certainty_trace FROM synthesis WHERE domain = 'attendance'");
    assert_non_null(out);
    assert_non_null(strstr(out, "clustering: 1 of 1 studies allocated by cluster, its variance "
                                "multiplied by the design effect 4.03"));
    free(out);
    ww_db_close(db);
}

/* ---- a pilot whose SDs were typed as standard errors ------------------------ */

static void test_plausibility__pilot_with_se_for_sd(void **state)
{
    static const char *const slug =
        "attendance-mentoring-test-fixture-sds-typed-as-standard-errors";
    char path[400], *out;
    ww_db *db;
    ww_import_report *rep = NULL;
    ww_import_opts dry = {0};
    ww_query_result *res = NULL;
    ww_query_opts qopts = WW_QUERY_OPTS_INIT;
    const ww_query_row *r = NULL;
    (void)state;

    /* validate: valid, with the warning at the outcome's line */
    TOP_PATH(path, "tests/fixtures/submission/attendance-sd-as-se.xml");
    dry.dry_run = 1;
    assert_ww_ok(ww_import_file(&rep, NULL, path, &dry));
    assert_int_equal(ww_import_report_status(rep), WW_IMPORT_VALID);
    out = report_text(rep);
    assert_non_null(strstr(out, "attendance-sd-as-se.xml:53: sd_treatment: warning: Half-day "
                                "sessions missed: SDs look like standard errors"));
    assert_non_null(strstr(out, "1 effect flagged as implausible"));
    free(out);
    ww_import_report_free(rep);

    /* import: stored, flagged with the reason */
    db = fresh_db();
    rep = import(db, path);
    assert_int_equal(ww_import_report_status(rep), WW_IMPORT_IMPORTED);
    out = report_text(rep);
    assert_non_null(strstr(out, ":53: sd_treatment: warning:"));
    free(out);
    ww_import_report_free(rep);
    out = text(db,
               "SELECT e.flag || ': ' || e.flag_reason FROM effect e"
               " JOIN outcome o ON o.id = e.outcome_id WHERE o.name = 'Half-day sessions missed'");
    assert_non_null(out);
    assert_non_null(strstr(out, "sd-as-se: SDs look like standard errors: 0.93 and 0.99"));
    free(out);

    /* out of the default pool: the reviewed result is the binary outcome alone */
    {
        double lor = log((142.0 / 238.0) / (168.0 / 203.0)), k = sqrt(3) / M_PI;
        assert_close(real(db, "SELECT estimate FROM synthesis WHERE scope = 'reviewed'"), -lor * k,
                     1e-12);
        assert_close(real(db, "SELECT n_flagged FROM synthesis WHERE scope = 'reviewed'"), 1, 0);
        /* with it: the SMD of -4.68 (positive = beneficial) dominates */
        assert_true(real(db, "SELECT estimate FROM synthesis WHERE scope = 'reviewed+flagged'") >
                    2);
    }

    /* show: the table and JSON give the flag and its reason */
    out = show(db, slug, WW_FORMAT_TABLE, 0);
    assert_non_null(strstr(out, "flagged (sd-as-se): SDs look like standard errors"));
    assert_non_null(strstr(out, "1 flagged effect left out"));
    free(out);
    out = show(db, slug, WW_FORMAT_TABLE, 1);
    assert_non_null(strstr(out, "1 flagged effect included"));
    free(out);
    out = show(db, slug, WW_FORMAT_JSON, 0);
    {
        json_t *doc = json_loads(out, 0, NULL), *e, *syn;
        assert_non_null(doc);
        e = json_array_get(
            json_object_get(json_array_get(json_object_get(doc, "studies"), 0), "effects"), 0);
        assert_string_equal(json_string_value(json_object_get(e, "flag")), "sd-as-se");
        assert_non_null(
            strstr(json_string_value(json_object_get(e, "flag_reason")), "standard errors"));
        assert_false(json_is_true(json_object_get(e, "pooled")));
        syn = json_array_get(json_object_get(doc, "syntheses"), 0);
        assert_string_equal(json_string_value(json_object_get(syn, "scope")), "reviewed");
        assert_int_equal(json_integer_value(json_object_get(syn, "flagged_effects")), 1);
        json_decref(doc);
    }
    free(out);

    /* query: not ranked on the flagged effect unless asked (the pilot is a
     * submission, provisional: asked for) */
    qopts.include_provisional = 1;
    assert_ww_ok(ww_query_run(&res, db, "truancy", &qopts));
    for (size_t i = 0; i < ww_query_result_count(res); i++)
        if (!strcmp(ww_query_result_row(res, i)->slug, slug)) r = ww_query_result_row(res, i);
    assert_non_null(r);
    assert_true(r->estimate < 1);
    assert_non_null(strstr(r->why, "1 effect flagged as implausible left out"));
    ww_query_result_free(res);
    qopts.include_flagged = 1;
    assert_ww_ok(ww_query_run(&res, db, "truancy", &qopts));
    r = ww_query_result_row(res, 0);
    assert_string_equal(r->slug, slug);
    assert_true(r->estimate > 2);
    assert_non_null(strstr(r->why, "includes 1 effect flagged as implausible"));
    ww_query_result_free(res);
    ww_db_close(db);
}

/* ---- the real WWC finding with SMD 8.24 --------------------------------------- */

static void test_plausibility__wwc_findings(void **state)
{
    char path[400], *out;
    ww_db *db;
    ww_import_report *rep;
    double m, deff;
    (void)state;
    SKIP_UNDER_VALGRIND("imports whole real corpora");
    db = fresh_db();

    rep = import(db, SHARED_PATH(path, "wwc/wwc_Findings.csv"));
    assert_int_equal(ww_import_report_status(rep), WW_IMPORT_IMPORTED);
    out = report_text(rep);
    /* FindingID 12741, line 4732: Effect_Size_WWC 8.24 (38 and 33 students) */
    assert_non_null(strstr(out, "wwc_Findings.csv:4732: effect: warning: Percent of learning "
                                "trials with reinforcing consequence behavior: |SMD| 8.24 > 3"));
    free(out);
    ww_import_report_free(rep);
    out = text(db, "SELECT e.flag FROM effect e JOIN outcome o ON o.id = e.outcome_id"
                   " WHERE o.source_key = '12741'");
    assert_non_null(out);
    assert_string_equal(out, "smd-range");
    free(out);
    assert_close(real(db, "SELECT count(*) FROM effect WHERE flag IS NOT NULL"), 15, 0);
    /* no pooled result of the default scope holds a flagged effect's number:
     * NYC's School retention (SMD 207.7) is out of its pool */
    assert_true(real(db, "SELECT max(abs(estimate)) FROM synthesis WHERE scope = 'reviewed'") < 3);

    /* FindingID 34, Caring School Community: 3 + 3 schools, 175 + 175
     * students analysed individually, no ICC reported, behaviour domain:
     * m = 350 / 6, ICC 0.10 */
    m = 350.0 / 6.0;
    deff = 1 + (m - 1) * 0.10;
    assert_close(real(db,
                      "SELECT e.design_effect FROM effect e JOIN outcome o ON o.id = e.outcome_id"
                      " WHERE o.source_key = '34'"),
                 deff, 1e-12);
    assert_close(real(db, "SELECT e.vi / e.vi_uncorrected FROM effect e JOIN outcome o"
                          " ON o.id = e.outcome_id WHERE o.source_key = '34'"),
                 deff, 1e-9);
    /* a finding analysed at the school level is not corrected */
    assert_close(real(db, "SELECT count(*) FROM effect e JOIN outcome o ON o.id = e.outcome_id"
                          " WHERE e.design_effect IS NOT NULL"
                          "   AND json_extract(o.attrs, '$.unit_of_analysis') IN ('School', "
                          "'school', 'Class', 'Classroom')"),
                 0, 0);
    /* where WWC gives its ICC, it is the one used */
    assert_close(real(db,
                      "SELECT count(*) FROM effect e JOIN outcome o ON o.id = e.outcome_id"
                      " WHERE e.design_effect IS NOT NULL AND json_extract(o.attrs, '$.icc') = 0.2"
                      "   AND e.clustering NOT LIKE '%ICC 0.20 (the study''s)%'"),
                 0, 0);
    ww_db_close(db);
}

/* ---- unreviewed evidence is capped ------------------------------------------------ */

static ww_rigour_grade rct_grade(long n)
{
    ww_rigour_grade g;
    memset(&g, 0, sizeof g);
    g.design = WW_DESIGN_RANDOMISED;
    g.base_level = g.bias_level = g.level = 5;
    g.n_total = n;
    g.independent = 1;
    return g;
}

static ww_certainty certainty(const ww_certainty_study *s, size_t k)
{
    ww_meta_result p;
    ww_certainty_input in;
    ww_certainty c;
    memset(&p, 0, sizeof p);
    p.estimate = 0.3;
    p.ci_low = 0.2;
    p.ci_high = 0.4;
    p.i2 = 0;
    memset(&in, 0, sizeof in);
    in.studies = s;
    in.k = k;
    in.pooled = &p;
    in.direction = 1;
    in.egger_p = NAN;
    assert_ww_ok(ww_rigour_certainty(&c, &in, NULL));
    return c;
}

static void test_plausibility__unreviewed_capped(void **state)
{
    ww_rigour_grade g[2] = {rct_grade(1000), rct_grade(1000)};
    ww_certainty_study s[2];
    ww_certainty c;
    const ww_rules *rules = ww_rules_current();
    (void)state;

    assert_int_equal(rules->cap_provisional, WW_CERTAINTY_MODERATE);
    assert_close(rules->provisional_weight_pct, 50.0, 0);
    memset(s, 0, sizeof s);
    s[0].grade = &g[0];
    s[0].weight_pct = 100;
    /* one large reviewed RCT with a clear effect: high */
    c = certainty(s, 1);
    assert_int_equal(c.level, WW_CERTAINTY_HIGH);
    assert_null(strstr(c.trace, "unreviewed"));
    ww_rigour_certainty_clear(&c);
    /* the same, self-submitted and not yet reviewed: moderate, and the trace says why */
    s[0].provisional = 1;
    c = certainty(s, 1);
    assert_int_equal(c.level, WW_CERTAINTY_MODERATE);
    assert_non_null(strstr(c.trace,
                           "unreviewed: rests on one unreviewed study (self-submitted, not "
                           "yet reviewed) → at most moderate → capped\n"));
    assert_non_null(
        strstr(c.trace, "certainty: moderate (start high; no downgrade; capped: unreviewed)"));
    assert_non_null(strstr(c.advice, "review of the unreviewed study"));
    ww_rigour_certainty_clear(&c);

    /* two studies: the unreviewed one with 30% of the weight does not cap ... */
    s[1].grade = &g[1];
    s[0].weight_pct = 30;
    s[1].weight_pct = 70;
    c = certainty(s, 2);
    assert_int_equal(c.level, WW_CERTAINTY_HIGH);
    assert_non_null(strstr(c.trace,
                           "unreviewed: 1 of 2 studies not yet reviewed carry 30.0% of the "
                           "weight (< 50%) → no cap"));
    ww_rigour_certainty_clear(&c);
    /* ... with 60% it does */
    s[0].weight_pct = 60;
    s[1].weight_pct = 40;
    c = certainty(s, 2);
    assert_int_equal(c.level, WW_CERTAINTY_MODERATE);
    assert_non_null(
        strstr(c.trace, "carry 60.0% of the weight (≥ 50%) → at most moderate → capped"));
    ww_rigour_certainty_clear(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plausibility__design_effect),
        cmocka_unit_test(test_plausibility__rules),
        cmocka_unit_test(test_plausibility__example_pilot_clustered),
        cmocka_unit_test(test_plausibility__pilot_with_se_for_sd),
        cmocka_unit_test(test_plausibility__wwc_findings),
        cmocka_unit_test(test_plausibility__unreviewed_capped),
    };
    test_filter_from_env();
    return cmocka_run_group_tests_name("plausibility", tests, setup, teardown);
}
