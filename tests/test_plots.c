/*
 * test_plots.c — the forest and funnel plots (queries/plots.c, svg.c): the
 * SVG each writes is parsed back with libxml2 and its structure and numbers
 * checked. The hand-checked case is dat.bcg (Colditz et al. 1994) pooled by
 * REML, with metafor's figures (as in test_meta.c); then the plots of the
 * example pilots through `whatworks show`, valid by xmllint, and a hostile
 * study title that must come out as text.
 */
#include "helpers.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "../queries/plot.h"

/* escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg) */
static const double bcg_yi[13] = {-0.88931133392020545, -1.5853886572014306,  -1.3480731482996933,
                                  -1.4415511900213054,  -0.21754732221129558, -0.78611558581886398,
                                  -1.6208982235983918,  0.011952333523840508, -0.4694176487381494,
                                  -1.3713448034727844,  -0.33935882833839059, 0.44591340057137874,
                                  -0.017313948216879815};
static const double bcg_vi[13] = {
    0.32558476500396133,  0.19458112139814385,   0.41536796536796539, 0.020010031902247573,
    0.051210172169630863, 0.0069056184559087574, 0.22301724757231517, 0.0039615792978177295,
    0.056434210463248966, 0.07302479361302891,   0.01241221397155972, 0.53250584520015276,
    0.071404659683986293};
static const char *const bcg_author[13] = {
    "Aronson",           "Ferguson & Simes",     "Rosenthal et al",
    "Hart & Sutherland", "Frimodt-Moller et al", "Stein & Aronson",
    "Vandiviere et al",  "TPT Madras",           "Coetzee & Berjak",
    "Rosenthal et al",   "Comstock et al",       "Comstock & Webster",
    "Comstock et al"};
static const int bcg_year[13] = {1948, 1949, 1960, 1977, 1973, 1953, 1973,
                                 1980, 1968, 1961, 1974, 1969, 1976};

/* metafor 3.8-1: rma(yi, vi, data=d, method="REML"): estimate, ci.lb, ci.ub,
 * pi.lb, pi.ub, tau2; regtest(...)$est (Egger's limit estimate) */
#define BCG_EST -0.71453234215816797
#define BCG_CI_LOW -1.0668976388105205
#define BCG_CI_HIGH -0.36216704550581547
#define BCG_PI_LOW -1.8666922179034797
#define BCG_PI_HIGH 0.43762753358714379
#define BCG_TAU2 0.31324325813679349
#define BCG_EGGER_B0 -0.51043187410316138

typedef struct bcg_model {
    ww_synth_result r;
    ww_synth_study st[60];
    const char *labels[60];
    int years[60];
    ww_plot plot;
} bcg_model;

/* dat.bcg as an intervention's studies: generic effects on one scale. */
static void bcg(bcg_model *m)
{
    ww_synth_effect e[13];
    for (int i = 0; i < 13; i++) {
        e[i] = (ww_synth_effect){i + 1, "SMD", bcg_yi[i], bcg_vi[i], 1, 100 + i};
        m->labels[i] = bcg_author[i];
        m->years[i] = bcg_year[i];
    }
    assert_ww_ok(ww_synthesise(&m->r, m->st, e, 13));
    m->plot = (ww_plot){"BCG vaccine", "tuberculosis", "low", 0, &m->r, m->st, m->labels, m->years};
}

static xmlDocPtr parse(const char *svg, size_t len)
{
    xmlDocPtr doc = xmlReadMemory(svg, (int)len, "plot.svg", NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    return doc;
}

static xmlXPathObjectPtr xp(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr o;
    xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
    o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    xmlXPathFreeContext(ctx);
    assert_non_null(o);
    return o;
}

static int count(xmlDocPtr doc, const char *expr)
{
    xmlXPathObjectPtr o = xp(doc, expr);
    int n = o->nodesetval ? o->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(o);
    return n;
}

/* The string value of an XPath expression, in buf. */
static const char *str(char *buf, size_t n, xmlDocPtr doc, const char *expr)
{
    char e[512];
    xmlXPathObjectPtr o;
    snprintf(e, sizeof e, "string(%s)", expr);
    o = xp(doc, e);
    snprintf(buf, n, "%s", o->stringval ? (const char *)o->stringval : "");
    xmlXPathFreeObject(o);
    return buf;
}

static void test_plots__bcg_forest(void **state)
{
    bcg_model m;
    char *svg = NULL, b[512], e[256];
    size_t len;
    xmlDocPtr doc;
    double wsum = 0, w8;
    (void)state;
    bcg(&m);
    /* the synthesis is metafor's REML fit */
    assert_string_equal(m.r.method, "REML");
    assert_close(m.r.estimate, BCG_EST, 1e-6);
    assert_close(m.r.tau2, BCG_TAU2, 1e-6);
    assert_ww_ok(ww_queries__forest_svg(&svg, &len, &m.plot));
    doc = parse(svg, len);
    assert_string_equal((const char *)xmlDocGetRootElement(doc)->name, "svg");
    assert_string_equal(str(b, sizeof b, doc, "/s:svg/@role"), "img");
    assert_string_equal(str(b, sizeof b, doc, "/s:svg/s:title"),
                        "Forest plot: BCG vaccine, tuberculosis outcomes");
    assert_non_null(strstr(str(b, sizeof b, doc, "/s:svg/s:desc"), "13 studies"));
    /* one row per study, oldest first, each with its label, CI and weight */
    assert_int_equal(count(doc, "//s:g[@class='study']"), 13);
    assert_string_equal(str(b, sizeof b, doc, "(//s:g[@class='study'])[1]/s:text[@class='label']"),
                        "Aronson (1948)");
    assert_string_equal(str(b, sizeof b, doc, "(//s:g[@class='study'])[13]/s:text[@class='label']"),
                        "TPT Madras (1980)");
    /* TPT Madras: log RR 0.012, 95% CI 0.012 -/+ 1.96 sqrt(0.00396) = [-0.11, 0.14];
     * REML weight 1/(0.00396 + 0.31324) over the sum of all 13 (metafor's
     * weights(): 10.19) */
    assert_string_equal(
        str(b, sizeof b, doc, "(//s:g[@class='study'])[13]/s:text[@class='estimate']"),
        "0.01 [-0.11, 0.14]");
    assert_string_equal(
        str(b, sizeof b, doc, "(//s:g[@class='study'])[13]/s:text[@class='weight']"), "10.2%");
    {
        double sum = 0;
        for (int i = 0; i < 13; i++) sum += 1 / (bcg_vi[i] + BCG_TAU2);
        w8 = 100 / (bcg_vi[7] + BCG_TAU2) / sum;
        assert_close(w8, 10.19, 0.005);
    }
    for (int i = 1; i <= 13; i++) {
        snprintf(e, sizeof e, "(//s:g[@class='study'])[%d]/s:text[@class='weight']", i);
        wsum += strtod(str(b, sizeof b, doc, e), NULL);
    }
    assert_true(fabs(wsum - 100) < 0.5);
    /* the pooled diamond and its numbers: metafor's estimate and CI */
    assert_int_equal(count(doc, "//s:g[@class='pooled']/s:polygon[@class='diamond']"), 1);
    assert_string_equal(
        str(b, sizeof b, doc, "//s:g[@class='pooled']/s:text[contains(@class,'estimate')]"),
        "-0.71 [-1.07, -0.36]");
    /* the prediction interval: metafor's pi.lb, pi.ub */
    assert_int_equal(count(doc, "//s:g[@class='prediction']/s:line[@class='pi']"), 1);
    assert_string_equal(
        str(b, sizeof b, doc, "//s:g[@class='prediction']/s:text[@class='estimate']"),
        "[-1.87, 0.44]");
    /* an axis with labelled ticks, 0 among them, and the no-effect line */
    assert_true(count(doc, "//s:g[@class='axis']/s:g[@class='tick']") >= 4);
    assert_int_equal(count(doc, "//s:g[@class='tick']/s:text[.='0.0' or .='0']"), 1);
    assert_int_equal(count(doc, "//s:line[@class='null']"), 1);
    assert_int_equal(count(doc, "//s:text[contains(., 'positive = beneficial')]"), 2);
    xmlFreeDoc(doc);
    free(svg);
}

static void test_plots__bcg_funnel(void **state)
{
    bcg_model m;
    char *svg = NULL, b[512];
    size_t len;
    xmlDocPtr doc;
    (void)state;
    bcg(&m);
    assert_close(m.r.egger_intercept, BCG_EGGER_B0, 1e-5);
    assert_ww_ok(ww_queries__funnel_svg(&svg, &len, &m.plot));
    doc = parse(svg, len);
    assert_int_equal(count(doc, "//s:g[@class='study']/s:circle"), 13);
    assert_int_equal(count(doc, "//s:g[@class='pseudo-limits']/s:line"), 2);
    /* k = 13 >= 10: Egger's line, with regtest's limit estimate */
    assert_int_equal(count(doc, "//s:g[@class='egger-line']/s:line"), 1);
    assert_non_null(
        strstr(str(b, sizeof b, doc, "//s:g[@class='legend']/s:text[starts-with(., 'Egger')]"),
               "SMD = -0.51"));
    assert_non_null(strstr(str(b, sizeof b, doc, "/s:svg/s:desc"), "p = 0.422"));
    xmlFreeDoc(doc);
    free(svg);

    /* fewer than 10 studies: no line, and the plot says why */
    m.r.k = 9;
    assert_ww_ok(ww_queries__funnel_svg(&svg, &len, &m.plot));
    doc = parse(svg, len);
    assert_int_equal(count(doc, "//s:g[@class='egger-line']"), 0);
    assert_int_equal(count(doc, "//s:text[contains(., 'drawn from 10 studies')]"), 1);
    xmlFreeDoc(doc);
    free(svg);
}

/* More than 40 studies: the 40 heaviest are drawn, and the plot says so. */
static void test_plots__many_studies(void **state)
{
    bcg_model m;
    ww_synth_effect e[57];
    char *svg = NULL, b[16384];
    size_t len;
    xmlDocPtr doc;
    (void)state;
    for (int i = 0; i < 57; i++) {
        e[i] = (ww_synth_effect){i + 1, "SMD", 0.1 + 0.01 * (i % 7), 0.01 + 0.002 * i, 1, 50 + i};
        m.labels[i] = NULL;
        m.years[i] = -1;
    }
    assert_ww_ok(ww_synthesise(&m.r, m.st, e, 57));
    m.plot = (ww_plot){"Many", "attendance", NULL, 1, &m.r, m.st, m.labels, m.years};
    assert_ww_ok(ww_queries__forest_svg(&svg, &len, &m.plot));
    doc = parse(svg, len);
    assert_int_equal(count(doc, "//s:g[@class='study']"), WW_PLOT_MAX_ROWS);
    assert_int_equal(count(doc, "//s:text[@class='note' and contains(., 'the 40 of 57 studies')]"),
                     1);
    assert_int_equal(count(doc, "//s:text[@class='note' and contains(., 'not real evidence')]"), 1);
    /* the smallest variance is the heaviest: study 1 is drawn, study 57 not */
    assert_int_equal(count(doc, "//s:g[@class='study']/s:text[.='study 1']"), 1);
    assert_int_equal(count(doc, "//s:g[@class='study']/s:text[.='study 57']"), 0);
    assert_non_null(strstr(str(b, sizeof b, doc, "/s:svg/s:desc"), "17 more studies not drawn"));
    xmlFreeDoc(doc);
    free(svg);
}

/* Stored text is text: markup in a title is escaped by the writer. */
static void test_plots__hostile_title(void **state)
{
    bcg_model m;
    char *svg = NULL, b[4096];
    size_t len;
    xmlDocPtr doc;
    const char *hostile = "<script>alert(\"x\")</script> & 'q'";
    (void)state;
    bcg(&m);
    m.labels[0] = hostile;
    m.labels[1] = "bad \x01 byte \xff here";
    m.plot.name = "A & B <i>";
    assert_ww_ok(ww_queries__forest_svg(&svg, &len, &m.plot));
    assert_null(strstr(svg, "<script"));
    assert_non_null(strstr(svg, "&lt;script&gt;"));
    doc = parse(svg, len);
    assert_int_equal(count(doc, "//*[local-name()='script' or local-name()='i']"), 0);
    /* cut to the label column in the middle, keeping its end and the year */
    assert_string_equal(str(b, sizeof b, doc, "(//s:g[@class='study'])[1]/s:text[@class='label']"),
                        "<script>alert(\"x\")<\xE2\x80\xA6ipt> & 'q' (1948)");
    /* the tooltip and the description carry it whole, as text */
    assert_non_null(strstr(str(b, sizeof b, doc, "(//s:g[@class='study'])[1]/s:title"), hostile));
    assert_non_null(strstr(str(b, sizeof b, doc, "/s:svg/s:title"), "A & B <i>"));
    /* XML cannot carry a control character or a bad byte: replaced */
    assert_non_null(strstr(str(b, sizeof b, doc, "/s:svg/s:desc"), "bad   byte ? here"));
    xmlFreeDoc(doc);
    free(svg);
}

/* ---- through the command ------------------------------------------------ */

static char tmpdir[256];
static char db_path[300];

static int setup(void **state)
{
    char args[600];
    test_cli_result r;
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ww-test-plots-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    snprintf(db_path, sizeof db_path, "%s/plots.db", tmpdir);
    snprintf(args, sizeof args, "--db '%s'", db_path);
    r = test_cli_run(tmpdir, args, "import --init data/examples");
    test_cli_free(r);
    return r.status == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static test_cli_result run(const char *args)
{
    char prefix[400];
    snprintf(prefix, sizeof prefix, "--db '%s'", db_path);
    return test_cli_run(tmpdir, prefix, args);
}

static int xmllint_ok(const char *path)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "xmllint --noout --nonet '%s'", path);
    return system(cmd) == 0;
}

static void test_plots__show_writes_valid_svg(void **state)
{
    char args[1200], f[400], u[400], b[512];
    char *svg;
    xmlDocPtr doc;
    test_cli_result r;
    (void)state;
    snprintf(f, sizeof f, "%s/forest.svg", tmpdir);
    snprintf(u, sizeof u, "%s/funnel.svg", tmpdir);
    snprintf(
        args, sizeof args,
        "show attendance-mentoring-illustrative-example --format json --forest '%s' --funnel '%s'",
        f, u);
    r = run(args);
    assert_int_equal(r.status, 0);
    assert_non_null(
        strstr(r.out, "\"schema\": \"whatworks/intervention/1\"")); /* stdout stays the listing */
    assert_non_null(
        strstr(r.err, "forest plot of attendance-mentoring-illustrative-example on 'attendance'"));
    test_cli_free(r);
    if (system("command -v xmllint >/dev/null 2>&1") == 0) {
        assert_true(xmllint_ok(f));
        assert_true(xmllint_ok(u));
    }
    svg = test_slurp(f);
    doc = parse(svg, strlen(svg));
    assert_int_equal(count(doc, "//s:g[@class='study']"), 1);
    /* Hedges' g of the half-days missed and the log OR of persistent absence
     * (times sqrt(3)/pi), both lower-is-better, averaged: `show` prints
     * 0.211 [-0.095, 0.517] (the design effect of randomising schools) */
    assert_string_equal(
        str(b, sizeof b, doc, "//s:g[@class='pooled']/s:text[contains(@class,'estimate')]"),
        "0.21 [-0.09, 0.52]");
    assert_int_equal(count(doc, "//s:g[@class='prediction']"), 0); /* one study: no PI */
    assert_int_equal(count(doc, "//s:text[@class='note' and contains(., 'not real evidence')]"), 1);
    xmlFreeDoc(doc);
    free(svg);

    /* an unknown domain names the ones there are; no plot asked for with --domain */
    snprintf(args, sizeof args,
             "show attendance-mentoring-illustrative-example --forest '%s' --domain housing", f);
    r = run(args);
    assert_int_equal(r.status, 66);
    assert_non_null(strstr(r.err, "no pooled result on 'housing'; it has 'attendance'"));
    test_cli_free(r);
    r = run("show attendance-mentoring-illustrative-example --domain attendance");
    assert_int_equal(r.status, 64);
    test_cli_free(r);
    snprintf(args, sizeof args,
             "show attendance-mentoring-illustrative-example --forest '%s/no/such/dir/f.svg'",
             tmpdir);
    r = run(args);
    assert_int_equal(r.status, 73);
    test_cli_free(r);
}

/* A submitted study whose title is markup: imported, pooled, and drawn as text. */
static void test_plots__hostile_title_end_to_end(void **state)
{
    char path[400], args[1200], f[400];
    char *xml, *svg, *at;
    const char *from = "<title>Illustrative example — not real evidence: a school attendance "
                       "mentoring pilot</title>";
    const char *to = "<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 'q'</title>";
    FILE *fp;
    xmlDocPtr doc;
    test_cli_result r;
    (void)state;
    xml = test_slurp("data/examples/attendance-mentoring.xml");
    assert_non_null(at = strstr(xml, from));
    snprintf(path, sizeof path, "%s/hostile.xml", tmpdir);
    assert_non_null(fp = fopen(path, "wb"));
    fwrite(xml, 1, (size_t)(at - xml), fp);
    fputs(to, fp);
    fputs(at + strlen(from), fp);
    fclose(fp);
    free(xml);
    snprintf(args, sizeof args, "import '%s'", path);
    r = run(args);
    assert_int_equal(r.status, 0);
    test_cli_free(r);
    snprintf(f, sizeof f, "%s/hostile.svg", tmpdir);
    snprintf(args, sizeof args, "show attendance-mentoring-illustrative-example --forest '%s'", f);
    r = run(args);
    assert_int_equal(r.status, 0);
    test_cli_free(r);
    if (system("command -v xmllint >/dev/null 2>&1") == 0) assert_true(xmllint_ok(f));
    svg = test_slurp(f);
    assert_null(strstr(svg, "<script"));
    doc = parse(svg, strlen(svg));
    assert_int_equal(count(doc, "//s:g[@class='study']"), 2); /* the pilot and its hostile twin */
    assert_int_equal(count(doc, "//*[local-name()='script']"), 0);
    assert_int_equal(count(doc, "//s:g[@class='study']/s:text[@class='label' and starts-with(., "
                                "'<script>alert(\"x\")')]"),
                     1);
    xmlFreeDoc(doc);
    free(svg);
}

/* The rule CONTRIBUTING.md states: libxml2 parses in importers/ only, and
 * outside them only queries/svg.c includes it, to write. */
static void test_plots__libxml2_stays_where_the_rule_says(void **state)
{
    char cmd[600], out[256] = "";
    FILE *fp;
    size_t n;
    (void)state;
    snprintf(cmd, sizeof cmd,
             "cd '%s' && grep -l 'include <libxml' include/*.h util/* evidence/* repo/* queries/* "
             "cli/* | sort",
             test_env("WW_TOP", "."));
    assert_non_null(fp = popen(cmd, "r"));
    n = fread(out, 1, sizeof out - 1, fp);
    out[n] = 0;
    pclose(fp);
    assert_string_equal(out, "queries/svg.c\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plots__bcg_forest),
        cmocka_unit_test(test_plots__bcg_funnel),
        cmocka_unit_test(test_plots__many_studies),
        cmocka_unit_test(test_plots__hostile_title),
        cmocka_unit_test(test_plots__show_writes_valid_svg),
        cmocka_unit_test(test_plots__hostile_title_end_to_end),
        cmocka_unit_test(test_plots__libxml2_stays_where_the_rule_says),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, setup, teardown);
}
