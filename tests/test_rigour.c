/*
 * test_rigour.c — evidence/rigour.c: every study rule on both sides of its
 * threshold, the WWC attrition table's corners and an interpolated point,
 * missing inputs, RoB 1 and RoB 2 judgements, the Maryland SMS and WWC
 * crosswalks, the body-of-evidence downgrades one by one and together, the
 * EIF and Blueprints crosswalks, the regrade comparison, the exact trace of a
 * randomised and a quasi-experimental study, and a golden comparison with the
 * What Works Clearinghouse's own finding ratings in wwc/wwc_Findings.csv.
 */
#include "helpers.h"
#include "csv_read.h"
#include "../evidence/rigour.h"

#include <ctype.h>

#include <csv.h>
#include <gsl/gsl_cdf.h>

/* ---- helpers ------------------------------------------------------------- */

static ww_rigour_input rct(long gt, long gc, long at, long ac)
{
    ww_rigour_input in;
    ww_rigour_input_init(&in);
    in.design = WW_DESIGN_RANDOMISED;
    in.assigned_treatment = gt;
    in.assigned_control = gc;
    in.analysed_treatment = at;
    in.analysed_control = ac;
    return in;
}

static ww_rigour_input qed(double baseline, int adjusted, long n)
{
    ww_rigour_input in;
    ww_rigour_input_init(&in);
    in.design = WW_DESIGN_MATCHED_PRETEST;
    in.baseline_diff_sd = baseline;
    in.baseline_adjusted = adjusted;
    in.analysed_treatment = n / 2;
    in.analysed_control = n - n / 2;
    return in;
}

/* Grade, and return the level; the grade is cleared unless out is given. */
static int level_of(const ww_rigour_input *in, ww_rigour_grade *out)
{
    ww_rigour_grade g;
    int level;
    assert_ww_ok(ww_rigour_grade_study(&g, in, NULL));
    level = g.level;
    if (out)
        *out = g;
    else
        ww_rigour_grade_clear(&g);
    return level;
}

/* The trace line that starts with prefix (without its newline), or "". */
static const char *line_of(const char *trace, const char *prefix, char *buf, size_t n)
{
    const char *p = trace;
    size_t plen = strlen(prefix);
    buf[0] = '\0';
    while (p && *p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len >= plen && strncmp(p, prefix, plen) == 0) {
            snprintf(buf, n, "%.*s", (int)len, p);
            return buf;
        }
        p = e ? e + 1 : p + len;
    }
    return buf;
}

#define assert_line(grade, prefix, want)                                                           \
    do {                                                                                           \
        char lb_[1024];                                                                            \
        assert_string_equal(line_of((grade).trace, prefix, lb_, sizeof lb_), want);                \
    } while (0)

static ww_rob_rec rob(const char *tool, const char *domain, const char *judgement)
{
    ww_rob_rec r;
    ww_rob_rec_init(&r);
    r.tool = tool;
    r.domain = domain;
    r.judgement = judgement;
    return r;
}

/* ---- the rules table ----------------------------------------------------- */

static void test_rigour__rules_table(void **state)
{
    const ww_rules *r = ww_rules_current();
    double z;
    long per_arm;
    (void)state;

    assert_non_null(r);
    assert_string_equal(r->version, "whatworks-rules/2");
    assert_int_equal(r->n_attrition_cautious, 58);   /* overall 0..57 % */
    assert_int_equal(r->n_attrition_optimistic, 66); /* overall 0..65 % */
    assert_int_equal(r->design_level[WW_DESIGN_RANDOMISED], 5);
    assert_int_equal(r->design_level[WW_DESIGN_REGRESSION_DISCONTINUITY], 4);
    assert_int_equal(r->design_level[WW_DESIGN_INSTRUMENT], 4);
    assert_int_equal(r->design_level[WW_DESIGN_DIFF_IN_DIFF], 3);
    assert_int_equal(r->design_level[WW_DESIGN_MATCHED_PRETEST], 3);
    assert_int_equal(r->design_level[WW_DESIGN_COMPARISON], 2);
    assert_int_equal(r->design_level[WW_DESIGN_BEFORE_AFTER], 1);
    assert_int_equal(r->design_level[WW_DESIGN_DESCRIPTIVE], 0);
    assert_int_equal(r->design_level[WW_DESIGN_UNKNOWN], 0);

    /* The optimal information size is derived, not looked up: a two-arm
     * trial detecting 0.2 SD with two-sided alpha 0.05 and power 0.80 needs
     * n = 2 (z_0.975 + z_0.80)^2 / 0.2^2 per arm. */
    z = gsl_cdf_ugaussian_Pinv(0.975) + gsl_cdf_ugaussian_Pinv(0.80);
    per_arm = (long)ceil(2 * z * z / (0.2 * 0.2));
    assert_int_equal(per_arm, 393);
    assert_int_equal(r->ois_participants, 2 * per_arm);
}

static void test_rigour__attrition_table_corners(void **state)
{
    (void)state;
    /* First and last rows of both columns (WWC Handbook v4.1 Table II.1). */
    assert_close(ww_rigour_attrition_boundary(0, WW_BOUNDARY_CAUTIOUS, NULL), 5.7, 1e-12);
    assert_close(ww_rigour_attrition_boundary(57, WW_BOUNDARY_CAUTIOUS, NULL), 0.0, 1e-12);
    assert_close(ww_rigour_attrition_boundary(0, WW_BOUNDARY_OPTIMISTIC, NULL), 10.0, 1e-12);
    assert_close(ww_rigour_attrition_boundary(65, WW_BOUNDARY_OPTIMISTIC, NULL), 0.3, 1e-12);
    /* The peaks and a middle row. */
    assert_close(ww_rigour_attrition_boundary(10, WW_BOUNDARY_CAUTIOUS, NULL), 6.3, 1e-12);
    assert_close(ww_rigour_attrition_boundary(10, WW_BOUNDARY_OPTIMISTIC, NULL), 10.9, 1e-12);
    assert_close(ww_rigour_attrition_boundary(31, WW_BOUNDARY_CAUTIOUS, NULL), 4.0, 1e-12);
    /* Beyond the table every differential is high. */
    assert_true(isnan(ww_rigour_attrition_boundary(57.5, WW_BOUNDARY_CAUTIOUS, NULL)));
    assert_true(isnan(ww_rigour_attrition_boundary(58, WW_BOUNDARY_CAUTIOUS, NULL)));
    assert_true(isnan(ww_rigour_attrition_boundary(65.01, WW_BOUNDARY_OPTIMISTIC, NULL)));
    assert_true(isnan(ww_rigour_attrition_boundary(-1, WW_BOUNDARY_CAUTIOUS, NULL)));
    assert_true(isnan(ww_rigour_attrition_boundary(NAN, WW_BOUNDARY_CAUTIOUS, NULL)));
    /* The rules' default is the cautious boundary. */
    assert_close(ww_rigour_attrition_boundary(20, WW_BOUNDARY_DEFAULT, NULL), 5.4, 1e-12);
    /* A value a hair off a whole percent snaps to the row. */
    assert_close(ww_rigour_attrition_boundary(57 + 1e-12, WW_BOUNDARY_CAUTIOUS, NULL), 0.0, 1e-12);
}

/* Linear interpolation between rows: at 30.5% overall the cautious boundary
 * is halfway between 4.1 (30%) and 4.0 (31%). */
static void test_rigour__attrition_interpolated(void **state)
{
    ww_rigour_input in;
    ww_rigour_grade g;
    (void)state;

    assert_close(ww_rigour_attrition_boundary(30.5, WW_BOUNDARY_CAUTIOUS, NULL), 4.05, 1e-12);
    assert_close(ww_rigour_attrition_boundary(12.5, WW_BOUNDARY_OPTIMISTIC, NULL), 10.85, 1e-12);

    /* 100 + 100 assigned, 32 + 29 lost: overall 30.5%, differential 3.0. */
    in = rct(100, 100, 68, 71);
    assert_int_equal(level_of(&in, &g), 5);
    assert_int_equal(g.attrition, WW_ATTRITION_LOW);
    assert_close(g.overall_attrition_pct, 30.5, 1e-12);
    assert_close(g.differential_attrition_pct, 3.0, 1e-12);
    assert_close(g.attrition_boundary_pct, 4.05, 1e-12);
    assert_line(g, "attrition:",
                "attrition: overall 30.5%, differential 3.0% → low (WWC cautious boundary: at "
                "most 4.05 points at 30.5% overall) → no cap");
    ww_rigour_grade_clear(&g);

    /* 33 + 28 lost: differential 5.0 > 4.05 (baseline equivalence shown,
     * so the high-attrition cap is what binds). */
    in = rct(100, 100, 67, 72);
    in.baseline_diff_sd = 0.0;
    assert_int_equal(level_of(&in, &g), 3);
    assert_int_equal(g.attrition, WW_ATTRITION_HIGH);
    ww_rigour_grade_clear(&g);
}

/* Both sides of the boundary, and the boundary itself (inclusive). */
static void test_rigour__attrition_boundary_sides(void **state)
{
    ww_rigour_input in;
    ww_rigour_grade g;
    (void)state;

    /* 10% overall (boundary 6.3): 13 + 7 lost of 100 + 100 → 6 points. */
    in = rct(100, 100, 87, 93);
    assert_int_equal(level_of(&in, NULL), 5);
    /* 14 + 6 lost → 8 points (equivalence shown: the attrition cap binds;
     * without it the baseline rule lowers the level further, to 2). */
    in = rct(100, 100, 86, 94);
    assert_int_equal(level_of(&in, NULL), 2);
    in.baseline_diff_sd = 0.0;
    assert_int_equal(level_of(&in, &g), 3);
    assert_line(g, "attrition:",
                "attrition: overall 10.0%, differential 8.0% → high (WWC cautious boundary: at "
                "most 6.3 points at 10.0% overall) → level capped at 3");
    assert_non_null(strstr(g.advice, "keep attrition within the WWC cautious boundary"));
    ww_rigour_grade_clear(&g);

    /* 20% overall (boundary 5.4): 227 + 173 lost of 1000 + 1000 is exactly
     * 5.4 points → still low; 228 + 172 → 5.6 → high. */
    in = rct(1000, 1000, 773, 827);
    assert_int_equal(level_of(&in, &g), 5);
    assert_int_equal(g.attrition, WW_ATTRITION_LOW);
    ww_rigour_grade_clear(&g);
    in = rct(1000, 1000, 772, 828);
    in.baseline_diff_sd = 0.0;
    assert_int_equal(level_of(&in, NULL), 3);
    /* The same study is low attrition under the optimistic boundary (10.0). */
    in.boundary = WW_BOUNDARY_OPTIMISTIC;
    assert_int_equal(level_of(&in, &g), 5);
    assert_line(g, "attrition:",
                "attrition: overall 20.0%, differential 5.6% → low (WWC optimistic boundary: at "
                "most 10.0 points at 20.0% overall) → no cap");
    ww_rigour_grade_clear(&g);

    /* Zero attrition is the table's first row. */
    in = rct(50, 60, 50, 60);
    assert_int_equal(level_of(&in, &g), 5);
    assert_close(g.overall_attrition_pct, 0.0, 1e-12);
    ww_rigour_grade_clear(&g);
}

static void test_rigour__attrition_beyond_table(void **state)
{
    ww_rigour_input in = rct(100, 100, 40, 40); /* 60% overall, 0 differential */
    ww_rigour_grade g;
    (void)state;

    in.baseline_diff_sd = 0.0;
    assert_int_equal(level_of(&in, &g), 3);
    assert_int_equal(g.attrition, WW_ATTRITION_HIGH);
    assert_true(isnan(g.attrition_boundary_pct));
    assert_line(g, "attrition:",
                "attrition: overall 60.0%, differential 0.0% → high (WWC cautious boundary: "
                "every differential is high above 57% overall) → level capped at 3");
    ww_rigour_grade_clear(&g);
}

static void test_rigour__attrition_missing(void **state)
{
    ww_rigour_input in = rct(-1, -1, 90, 90);
    ww_rigour_grade g;
    ww_rob_rec items[2];
    (void)state;

    /* Not reported: said so, and level 5 is out of reach. */
    assert_int_equal(level_of(&in, &g), 4);
    assert_int_equal(g.attrition, WW_ATTRITION_NOT_ASSESSED);
    assert_true(isnan(g.overall_attrition_pct));
    assert_line(g, "attrition:",
                "attrition: assigned or analysed counts per arm not reported → not assessed → "
                "level capped at 4");
    assert_non_null(strstr(g.advice, "report assigned and analysed counts per arm"));
    /* ... and the WWC crosswalk cannot give "without reservations". */
    assert_int_equal(g.wwc, WW_WWC_DOES_NOT_MEET);
    assert_int_equal(g.sms, 4);
    ww_rigour_grade_clear(&g);

    /* Reviewers judged missing outcome data at low risk: no cap. */
    items[0] = rob("RoB1", "Incomplete outcome data (attrition bias)", "YES");
    items[1] = rob("RoB1", "Random sequence generation (selection bias)", "YES");
    in.rob = items;
    in.n_rob = 2;
    assert_int_equal(level_of(&in, &g), 5);
    assert_line(g, "attrition:",
                "attrition: assigned or analysed counts per arm not reported → not assessed; "
                "risk of bias from missing outcome data judged low → no cap");
    ww_rigour_grade_clear(&g);
    /* ... but not when that judgement is unclear. */
    items[0].judgement = "UNKNOWN";
    assert_int_equal(level_of(&in, NULL), 4);

    /* Counts that contradict each other are not assessed either. */
    in = rct(100, 100, 120, 90);
    assert_int_equal(level_of(&in, &g), 4);
    assert_line(g, "attrition:",
                "attrition: counts inconsistent (more analysed than assigned in the treatment "
                "arm) → not assessed → level capped at 4");
    ww_rigour_grade_clear(&g);
    in = rct(0, 100, 0, 90);
    assert_int_equal(level_of(&in, &g), 4);
    assert_non_null(strstr(g.trace, "an arm with nobody assigned"));
    ww_rigour_grade_clear(&g);
}

static void test_rigour__attrition_not_randomised(void **state)
{
    ww_rigour_input in = qed(0.0, -1, 400);
    ww_rigour_grade g;
    (void)state;

    in.assigned_treatment = 300; /* 50% and 33% lost: irrelevant for a QED */
    in.assigned_control = 300;
    assert_int_equal(level_of(&in, &g), 3);
    assert_int_equal(g.attrition, WW_ATTRITION_NOT_APPLICABLE);
    assert_line(g, "attrition:",
                "attrition: overall 33.3%, differential 0.0% → not a rule for this design (the "
                "WWC attrition standard is for randomised trials)");
    ww_rigour_grade_clear(&g);
}

/* ---- baseline equivalence ------------------------------------------------ */

static void test_rigour__baseline_thresholds(void **state)
{
    ww_rigour_input in;
    ww_rigour_grade g;
    (void)state;

    in = qed(0.05, -1, 400); /* at the first threshold: equivalent as it is */
    assert_int_equal(level_of(&in, &g), 3);
    assert_int_equal(g.baseline, WW_BASELINE_EQUIVALENT);
    assert_line(g,
                "baseline:", "baseline: difference 0.05 SD → equivalent (≤ 0.05 SD, WWC) → no cap");
    ww_rigour_grade_clear(&g);
    in = qed(-0.04, -1, 400); /* the sign does not matter */
    assert_int_equal(level_of(&in, NULL), 3);

    in = qed(0.06, 1, 400); /* just above: needs adjustment, has it */
    assert_int_equal(level_of(&in, &g), 3);
    assert_line(g, "baseline:",
                "baseline: difference 0.06 SD, adjusted for in the analysis → equivalent "
                "(0.05–0.25 SD with adjustment, WWC) → no cap");
    ww_rigour_grade_clear(&g);
    in = qed(0.06, 0, 400); /* ... does not have it */
    assert_int_equal(level_of(&in, &g), 2);
    assert_int_equal(g.baseline, WW_BASELINE_NOT_ADJUSTED);
    ww_rigour_grade_clear(&g);
    in = qed(0.06, -1, 400); /* ... does not say */
    assert_int_equal(level_of(&in, &g), 2);
    assert_int_equal(g.baseline, WW_BASELINE_ADJUSTMENT_UNKNOWN);
    assert_line(g, "baseline:",
                "baseline: difference 0.06 SD, adjustment not reported → equivalence not shown "
                "(0.05–0.25 SD needs adjustment, WWC) → level capped at 2");
    assert_non_null(strstr(g.advice, "state whether the impact analysis adjusts"));
    ww_rigour_grade_clear(&g);

    in = qed(0.25, 1, 400); /* at the second threshold, adjusted: equivalent */
    assert_int_equal(level_of(&in, NULL), 3);
    in = qed(0.26, 1, 400); /* above it: fails even with adjustment */
    assert_int_equal(level_of(&in, &g), 1);
    assert_int_equal(g.baseline, WW_BASELINE_FAILS);
    assert_line(g, "baseline:",
                "baseline: difference 0.26 SD → not equivalent (> 0.25 SD, WWC) → level capped "
                "at 1");
    ww_rigour_grade_clear(&g);

    in = qed(NAN, -1, 400); /* not reported: not shown, never assumed */
    assert_int_equal(level_of(&in, &g), 2);
    assert_int_equal(g.baseline, WW_BASELINE_NOT_REPORTED);
    assert_line(g,
                "baseline:", "baseline: not reported → equivalence not shown → level capped at 2");
    ww_rigour_grade_clear(&g);
}

static void test_rigour__baseline_randomised(void **state)
{
    ww_rigour_input in;
    ww_rigour_grade g;
    (void)state;

    /* Low attrition: equivalence is not required, even when it fails. */
    in = rct(100, 100, 95, 95);
    in.baseline_diff_sd = 0.4;
    assert_int_equal(level_of(&in, &g), 5);
    assert_line(
        g, "baseline:", "baseline: difference 0.40 SD → not required (randomised, attrition low)");
    assert_int_equal(g.wwc, WW_WWC_WITHOUT_RESERVATIONS);
    ww_rigour_grade_clear(&g);

    /* High attrition: it is, and failing it drops below the QED level. */
    in = rct(100, 100, 60, 80);
    in.baseline_diff_sd = 0.4;
    assert_int_equal(level_of(&in, &g), 1);
    assert_int_equal(g.wwc, WW_WWC_DOES_NOT_MEET);
    ww_rigour_grade_clear(&g);
    in.baseline_diff_sd = 0.02;
    assert_int_equal(level_of(&in, &g), 3);
    assert_int_equal(g.wwc, WW_WWC_WITH_RESERVATIONS);
    ww_rigour_grade_clear(&g);

    /* A regression discontinuity has no equivalence rule here. */
    ww_rigour_input_init(&in);
    in.design = WW_DESIGN_REGRESSION_DISCONTINUITY;
    in.analysed_treatment = in.analysed_control = 200;
    assert_int_equal(level_of(&in, &g), 4);
    assert_line(g, "baseline:", "baseline: not reported → not a rule for this design");
    ww_rigour_grade_clear(&g);

    /* Before/after: no comparison group. */
    in.design = WW_DESIGN_BEFORE_AFTER;
    assert_int_equal(level_of(&in, &g), 1);
    assert_int_equal(g.baseline, WW_BASELINE_NOT_APPLICABLE);
    assert_line(g, "baseline:", "baseline: no comparison group → not applicable");
    ww_rigour_grade_clear(&g);
}

/* ---- design -------------------------------------------------------------- */

static void test_rigour__design_levels(void **state)
{
    static const struct {
        ww_design d;
        int level;
    } cases[] = {
        {WW_DESIGN_RANDOMISED, 5},      {WW_DESIGN_REGRESSION_DISCONTINUITY, 4},
        {WW_DESIGN_INSTRUMENT, 4},      {WW_DESIGN_DIFF_IN_DIFF, 3},
        {WW_DESIGN_MATCHED_PRETEST, 3}, {WW_DESIGN_COMPARISON, 2},
        {WW_DESIGN_BEFORE_AFTER, 1},    {WW_DESIGN_DESCRIPTIVE, 0},
        {WW_DESIGN_UNKNOWN, 0},
    };
    ww_rigour_input in;
    ww_rigour_grade g;
    size_t i;
    (void)state;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ww_rigour_input_init(&in);
        in.design = cases[i].d;
        assert_ww_ok(ww_rigour_grade_study(&g, &in, NULL));
        assert_int_equal(g.base_level, cases[i].level);
        assert_true(g.level <= g.base_level);
        assert_string_equal(g.rules_version, "whatworks-rules/2");
        ww_rigour_grade_clear(&g);
    }

    /* Unknown design: base 0, said so, and the advice asks for it. */
    ww_rigour_input_init(&in);
    assert_int_equal(level_of(&in, &g), 0);
    assert_line(g, "design:", "design: not reported → base level 0");
    assert_line(g, "baseline:", "baseline: not assessed (design not reported)");
    assert_non_null(strstr(g.advice, "report the study design"));
    assert_int_equal(g.wwc, WW_WWC_NOT_RATED);
    assert_int_equal(g.sms, 0);
    ww_rigour_grade_clear(&g);

    /* Invalid calls. */
    in.design = (ww_design)42;
    assert_int_equal(ww_rigour_grade_study(&g, &in, NULL), WW_EUSAGE);
    assert_int_equal(ww_rigour_grade_study(NULL, &in, NULL), WW_EUSAGE);
    assert_int_equal(ww_rigour_grade_study(&g, NULL, NULL), WW_EUSAGE);
    ww_rigour_input_init(&in);
    in.n_rob = 2;
    assert_int_equal(ww_rigour_grade_study(&g, &in, NULL), WW_EUSAGE);
    ww_rigour_grade_clear(NULL);
}

/* ---- risk of bias -------------------------------------------------------- */

static const char *const rob1_domains[7] = {
    "Random sequence generation (selection bias)",
    "Allocation concealment (selection bias)",
    "Blinding of participants and personnel (performance bias)",
    "Blinding of outcome assessment (detection bias)",
    "Incomplete outcome data (attrition bias)",
    "Selective reporting (reporting bias)",
    "Other bias",
};

static void test_rigour__rob1(void **state)
{
    ww_rob_rec items[7];
    ww_rigour_input in = rct(100, 100, 95, 95);
    ww_rigour_grade g;
    size_t i;
    (void)state;

    for (i = 0; i < 7; i++) items[i] = rob("RoB1", rob1_domains[i], "YES");
    in.rob = items;
    in.n_rob = 7;
    assert_int_equal(level_of(&in, &g), 5);
    assert_int_equal(g.rob, WW_ROB_LOW);
    assert_line(g, "risk of bias:",
                "risk of bias: RoB 1, 7 items (0 high, 0 unclear, 7 low) → low → no cap");
    ww_rigour_grade_clear(&g);

    /* RevMan's UNKNOWN is unclear: two unclear items are not yet "many". */
    items[1].judgement = "UNKNOWN";
    items[3].judgement = "unclear";
    assert_int_equal(level_of(&in, &g), 5);
    assert_int_equal(g.rob, WW_ROB_LOW);
    ww_rigour_grade_clear(&g);
    /* Three are. */
    items[6].judgement = "Unclear risk";
    assert_int_equal(level_of(&in, &g), 4);
    assert_int_equal(g.rob, WW_ROB_CONCERNS);
    assert_line(g, "risk of bias:",
                "risk of bias: RoB 1, 7 items (0 high, 3 unclear, 4 low) → some concerns "
                "(unclear in 3 or more items) → level capped at 4");
    ww_rigour_grade_clear(&g);

    /* RevMan's NO is high risk: any high caps at 3. */
    items[2].judgement = "NO";
    assert_int_equal(level_of(&in, &g), 3);
    assert_int_equal(g.rob, WW_ROB_HIGH);
    assert_line(g, "risk of bias:",
                "risk of bias: RoB 1, 7 items (1 high, 3 unclear, 3 low) → high (\"Blinding of "
                "participants and personnel (performance bias)\") → level capped at 3");
    assert_non_null(strstr(g.advice, "address the risk-of-bias items judged high"));
    ww_rigour_grade_clear(&g);

    /* Words that are not judgements are counted, not guessed. */
    for (i = 0; i < 7; i++) items[i].judgement = "low";
    items[5].judgement = "probably fine";
    assert_int_equal(level_of(&in, &g), 5);
    assert_line(g, "risk of bias:",
                "risk of bias: RoB 1, 7 items (0 high, 0 unclear, 6 low, 1 not recognised) → low "
                "→ no cap");
    ww_rigour_grade_clear(&g);

    /* Nothing recognisable: not assessed, said once. */
    items[0].judgement = "n/a";
    in.n_rob = 1;
    assert_int_equal(level_of(&in, &g), 5);
    assert_int_equal(g.rob, WW_ROB_NOT_ASSESSED);
    assert_line(g, "risk of bias:",
                "risk of bias: RoB 1, 1 items (0 high, 0 unclear, 0 low, 1 not recognised) → not "
                "assessed (no judgement recognised)");
    ww_rigour_grade_clear(&g);
}

static void test_rigour__rob2(void **state)
{
    static const char *const domains[5] = {
        "Bias arising from the randomisation process",
        "Bias due to deviations from intended interventions",
        "Bias due to missing outcome data",
        "Bias in measurement of the outcome",
        "Bias in selection of the reported result",
    };
    ww_rob_rec items[6];
    ww_rigour_input in = rct(100, 100, 95, 95);
    ww_rigour_grade g;
    size_t i;
    (void)state;

    for (i = 0; i < 5; i++) items[i] = rob("RoB2", domains[i], "low");
    in.rob = items;
    in.n_rob = 5;
    assert_int_equal(level_of(&in, &g), 5);
    assert_int_equal(g.rob, WW_ROB_LOW);
    ww_rigour_grade_clear(&g);

    /* One domain with some concerns: the worst domain decides. */
    items[3].judgement = "Some concerns";
    assert_int_equal(level_of(&in, &g), 4);
    assert_int_equal(g.rob, WW_ROB_CONCERNS);
    assert_line(g, "risk of bias:",
                "risk of bias: RoB 2, 5 domains (0 high, 1 some concerns, 4 low) → some concerns "
                "(worst domain: \"Bias in measurement of the outcome\") → level capped at 4");
    ww_rigour_grade_clear(&g);

    /* One high domain. */
    items[4].judgement = "high";
    assert_int_equal(level_of(&in, &g), 3);
    assert_int_equal(g.rob, WW_ROB_HIGH);
    ww_rigour_grade_clear(&g);

    /* The reviewers' own overall judgement replaces the worst domain. */
    for (i = 0; i < 5; i++) items[i].judgement = "low";
    items[5] = rob("RoB2", "Overall", "high");
    in.n_rob = 6;
    assert_int_equal(level_of(&in, &g), 3);
    assert_line(g, "risk of bias:",
                "risk of bias: RoB 2, 5 domains (0 high, 0 some concerns, 5 low) → high "
                "(reviewers' overall judgement) → level capped at 3");
    ww_rigour_grade_clear(&g);

    /* No tool named: "some concerns" only exists in RoB 2. */
    items[0] = rob(NULL, domains[0], "some concerns");
    in.n_rob = 1;
    assert_int_equal(level_of(&in, &g), 4);
    assert_non_null(strstr(g.trace, "risk of bias: RoB 2, 1 domains"));
    ww_rigour_grade_clear(&g);

    /* Both tools on one study: one line each, the worse verdict counts. */
    items[0] = rob("RoB1", rob1_domains[0], "YES");
    items[1] = rob("RoB 2", domains[1], "some concerns");
    in.n_rob = 2;
    assert_int_equal(level_of(&in, &g), 4);
    assert_int_equal(g.rob, WW_ROB_CONCERNS);
    assert_non_null(strstr(g.trace, "risk of bias: RoB 1, 1 items"));
    assert_non_null(strstr(g.trace, "risk of bias: RoB 2, 1 domains"));
    ww_rigour_grade_clear(&g);

    /* No judgements at all. */
    in.n_rob = 0;
    assert_int_equal(level_of(&in, &g), 5);
    assert_int_equal(g.rob, WW_ROB_NOT_ASSESSED);
    assert_line(g, "risk of bias:", "risk of bias: not assessed (no judgements)");
    assert_non_null(strstr(g.advice, "RoB 2 for a randomised trial"));
    ww_rigour_grade_clear(&g);
}

/* WWC reviews an RCT whose randomisation is compromised as a QED (WWC FAQ
 * on equivalence). */
static void test_rigour__rob_randomisation_wwc(void **state)
{
    ww_rob_rec items[1];
    ww_rigour_input in = rct(100, 100, 95, 95);
    ww_rigour_grade g;
    (void)state;

    items[0] = rob("RoB1", rob1_domains[0], "NO");
    in.rob = items;
    in.n_rob = 1;
    assert_int_equal(level_of(&in, &g), 3);
    assert_int_equal(g.wwc, WW_WWC_DOES_NOT_MEET);
    assert_line(g, "WWC:",
                "WWC: does not meet WWC standards (randomisation at high risk of bias, reviewed "
                "as a quasi-experiment; baseline equivalence not shown)");
    ww_rigour_grade_clear(&g);
    in.baseline_diff_sd = 0.01;
    assert_int_equal(level_of(&in, &g), 3);
    assert_int_equal(g.wwc, WW_WWC_WITH_RESERVATIONS);
    ww_rigour_grade_clear(&g);
}

/* ---- sample size and independence --------------------------------------- */

static void test_rigour__sample_size(void **state)
{
    ww_rigour_input in;
    ww_rigour_grade g;
    (void)state;

    in = rct(15, 14, 15, 14); /* 29: very small */
    assert_int_equal(level_of(&in, &g), 2);
    assert_int_equal(g.bias_level, 5);
    assert_int_equal(g.n_total, 29);
    assert_line(g,
                "sample size:", "sample size: 29 analysed → very small (< 30) → level capped at 2");
    ww_rigour_grade_clear(&g);
    in = rct(15, 15, 15, 15); /* 30: small */
    assert_int_equal(level_of(&in, NULL), 4);
    in = rct(50, 49, 50, 49); /* 99: small */
    assert_int_equal(level_of(&in, &g), 4);
    assert_line(g, "sample size:", "sample size: 99 analysed → small (< 100) → level capped at 4");
    assert_non_null(strstr(g.advice, "at least 100 analysed"));
    ww_rigour_grade_clear(&g);
    in = rct(50, 50, 50, 50); /* 100: adequate */
    assert_int_equal(level_of(&in, &g), 5);
    assert_line(g, "sample size:", "sample size: 100 analysed → adequate (≥ 100) → no cap");
    ww_rigour_grade_clear(&g);

    /* Assigned counts stand in when analysed ones are missing. */
    in = rct(40, 40, -1, -1);
    assert_int_equal(level_of(&in, &g), 4);
    assert_line(g, "sample size:",
                "sample size: 80 assigned (analysed not reported) → small (< 100) → cap 4 (level "
                "already 4)");
    ww_rigour_grade_clear(&g);
    /* Neither: not assessed, said so. */
    in = rct(-1, -1, -1, -1);
    assert_int_equal(level_of(&in, &g), 4);
    assert_int_equal(g.n_total, -1);
    assert_line(g, "sample size:", "sample size: not reported → not assessed");
    ww_rigour_grade_clear(&g);
}

static void test_rigour__independence(void **state)
{
    ww_rules strict = *ww_rules_current();
    ww_rigour_input in = rct(100, 100, 95, 95);
    ww_rigour_grade g;
    (void)state;

    in.independent = 1;
    assert_int_equal(level_of(&in, &g), 5);
    assert_line(g, "independence:", "independence: independent evaluator → no cap");
    ww_rigour_grade_clear(&g);
    in.independent = -1;
    assert_int_equal(level_of(&in, &g), 5);
    assert_line(g, "independence:", "independence: not reported → noted, no cap");
    ww_rigour_grade_clear(&g);
    in.independent = 0;
    assert_int_equal(level_of(&in, &g), 5);
    assert_line(g, "independence:",
                "independence: developer-led (evaluator not independent) → noted, no cap");
    ww_rigour_grade_clear(&g);

    /* The optional cap, as a later rules version might set it. */
    strict.version = "whatworks-rules/test";
    strict.cap_not_independent = 4;
    assert_ww_ok(ww_rigour_grade_study(&g, &in, &strict));
    assert_int_equal(g.level, 4);
    assert_string_equal(g.rules_version, "whatworks-rules/test");
    assert_line(g, "independence:",
                "independence: developer-led (evaluator not independent) → noted → level capped "
                "at 4");
    ww_rigour_grade_clear(&g);
}

/* ---- crosswalks ---------------------------------------------------------- */

static void test_rigour__sms_crosswalk(void **state)
{
    ww_rigour_input in;
    ww_rigour_grade g;
    (void)state;

    in = rct(100, 100, 95, 95);
    level_of(&in, &g);
    assert_int_equal(g.sms, 5);
    ww_rigour_grade_clear(&g);
    in = rct(-1, -1, 95, 95);
    level_of(&in, &g);
    assert_int_equal(g.sms, 4);
    ww_rigour_grade_clear(&g);
    in = rct(100, 100, 60, 80);
    level_of(&in, &g);
    assert_int_equal(g.sms, 2); /* high attrition, comparability not shown */
    ww_rigour_grade_clear(&g);
    in.baseline_diff_sd = 0.0;
    level_of(&in, &g);
    assert_int_equal(g.sms, 3);
    ww_rigour_grade_clear(&g);

    ww_rigour_input_init(&in);
    in.design = WW_DESIGN_INSTRUMENT;
    level_of(&in, &g);
    assert_int_equal(g.sms, 4);
    assert_line(g, "Maryland SMS:", "Maryland SMS: 4 (quasi-random assignment)");
    ww_rigour_grade_clear(&g);

    in = qed(0.01, -1, 400);
    in.design = WW_DESIGN_DIFF_IN_DIFF;
    level_of(&in, &g);
    assert_int_equal(g.sms, 3);
    ww_rigour_grade_clear(&g);
    in.baseline_diff_sd = NAN;
    level_of(&in, &g);
    assert_int_equal(g.sms, 2);
    ww_rigour_grade_clear(&g);

    in = qed(0.1, 1, 400);
    in.design = WW_DESIGN_COMPARISON;
    level_of(&in, &g);
    assert_int_equal(g.sms, 2);
    ww_rigour_grade_clear(&g);
    in.baseline_adjusted = 0;
    level_of(&in, &g);
    assert_int_equal(g.sms, 1);
    ww_rigour_grade_clear(&g);

    ww_rigour_input_init(&in);
    in.design = WW_DESIGN_BEFORE_AFTER;
    level_of(&in, &g);
    assert_int_equal(g.sms, 1);
    ww_rigour_grade_clear(&g);
    in.design = WW_DESIGN_DESCRIPTIVE;
    level_of(&in, &g);
    assert_int_equal(g.sms, 0);
    assert_line(g, "Maryland SMS:", "Maryland SMS: not scoreable (descriptive: not SMS-scoreable)");
    ww_rigour_grade_clear(&g);
}

static void test_rigour__wwc_crosswalk(void **state)
{
    ww_rigour_input in;
    ww_rigour_grade g;
    (void)state;

    in = rct(100, 100, 95, 95); /* low attrition */
    level_of(&in, &g);
    assert_int_equal(g.wwc, WW_WWC_WITHOUT_RESERVATIONS);
    assert_line(
        g, "WWC:", "WWC: meets WWC standards without reservations (randomised, low attrition)");
    ww_rigour_grade_clear(&g);

    in = rct(100, 100, 60, 80); /* high attrition, equivalence not shown */
    level_of(&in, &g);
    assert_int_equal(g.wwc, WW_WWC_DOES_NOT_MEET);
    ww_rigour_grade_clear(&g);
    in.baseline_diff_sd = 0.2;
    in.baseline_adjusted = 1;
    level_of(&in, &g);
    assert_int_equal(g.wwc, WW_WWC_WITH_RESERVATIONS);
    ww_rigour_grade_clear(&g);

    in = rct(-1, -1, 95, 95); /* attrition unknown: needs equivalence */
    in.baseline_diff_sd = 0.03;
    level_of(&in, &g);
    assert_int_equal(g.wwc, WW_WWC_WITH_RESERVATIONS);
    assert_line(g, "WWC:",
                "WWC: meets WWC standards with reservations (randomised, attrition not assessed "
                "(treated as high); baseline equivalence shown)");
    ww_rigour_grade_clear(&g);

    in = qed(0.0, -1, 400); /* QED with equivalence: at best with reservations */
    level_of(&in, &g);
    assert_int_equal(g.wwc, WW_WWC_WITH_RESERVATIONS);
    ww_rigour_grade_clear(&g);
    in = qed(0.3, 1, 400);
    level_of(&in, &g);
    assert_int_equal(g.wwc, WW_WWC_DOES_NOT_MEET);
    ww_rigour_grade_clear(&g);

    ww_rigour_input_init(&in);
    in.design = WW_DESIGN_REGRESSION_DISCONTINUITY;
    level_of(&in, &g);
    assert_int_equal(g.wwc, WW_WWC_NOT_RATED);
    ww_rigour_grade_clear(&g);
    in.design = WW_DESIGN_INSTRUMENT;
    level_of(&in, &g);
    assert_int_equal(g.wwc, WW_WWC_NOT_RATED);
    ww_rigour_grade_clear(&g);
    in.design = WW_DESIGN_BEFORE_AFTER;
    level_of(&in, &g);
    assert_int_equal(g.wwc, WW_WWC_NOT_RATED);
    assert_line(g, "WWC:", "WWC: not rated (no comparison group: not eligible for WWC review)");
    ww_rigour_grade_clear(&g);
}

/* ---- the two traces quoted in docs/rigour.md ---------------------------- */

static const char *const rob2_domains[5] = {
    "Bias arising from the randomisation process",
    "Bias due to deviations from intended interventions",
    "Bias due to missing outcome data",
    "Bias in measurement of the outcome",
    "Bias in selection of the reported result",
};

static void test_rigour__trace_randomised(void **state)
{
    ww_rob_rec items[5];
    ww_rigour_input in = rct(200, 200, 147, 129);
    ww_rigour_grade g;
    size_t i;
    (void)state;

    for (i = 0; i < 5; i++)
        items[i] = rob("RoB2", rob2_domains[i], i == 1 ? "some concerns" : "low");
    in.baseline_diff_sd = 0.12;
    in.baseline_adjusted = 1;
    in.independent = 0;
    in.rob = items;
    in.n_rob = 5;
    assert_ww_ok(ww_rigour_grade_study(&g, &in, NULL));
    assert_string_equal(
        g.trace,
        "design: randomised → base level 5\n"
        "attrition: overall 31.0%, differential 9.0% → high (WWC cautious boundary: at most 4.0 "
        "points at 31.0% overall) → level capped at 3\n"
        "baseline: difference 0.12 SD, adjusted for in the analysis → equivalent (0.05–0.25 SD "
        "with adjustment, WWC) → no cap\n"
        "risk of bias: RoB 2, 5 domains (0 high, 1 some concerns, 4 low) → some concerns (worst "
        "domain: \"Bias due to deviations from intended interventions\") → cap 4 (level already "
        "3)\n"
        "sample size: 276 analysed → adequate (≥ 100) → no cap\n"
        "independence: developer-led (evaluator not independent) → noted, no cap\n"
        "level: 3 of 5\n"
        "WWC: meets WWC standards with reservations (randomised, high attrition; baseline "
        "equivalence shown)\n"
        "Maryland SMS: 3 (randomised with high attrition, comparability shown)\n");
    assert_string_equal(
        g.advice,
        "keep attrition within the WWC cautious boundary (at 31.0% overall, at most 4.0 points "
        "differential); with high attrition a randomised trial counts as a quasi-experiment and "
        "must show baseline equivalence\n"
        "report enough detail for the unclear risk-of-bias domains to be judged low (\"Bias due "
        "to deviations from intended interventions\")\n"
        "an independent evaluation would count as a replication (Blueprints Model Plus)\n");
    assert_int_equal(g.level, 3);
    assert_int_equal(g.bias_level, 3);
    assert_int_equal(g.base_level, 5);
    ww_rigour_grade_clear(&g);
    assert_null(g.trace);
}

static void test_rigour__trace_quasi_experimental(void **state)
{
    ww_rigour_input in = qed(0.08, 0, 90);
    ww_rigour_grade g;
    (void)state;

    in.independent = 1;
    assert_ww_ok(ww_rigour_grade_study(&g, &in, NULL));
    assert_string_equal(
        g.trace,
        "design: matched comparison with pre-test → base level 3\n"
        "attrition: not a rule for this design (the WWC attrition standard is for randomised "
        "trials)\n"
        "baseline: difference 0.08 SD, not adjusted for → not equivalent (0.05–0.25 SD needs "
        "adjustment, WWC) → level capped at 2\n"
        "risk of bias: not assessed (no judgements)\n"
        "sample size: 90 analysed → small (< 100) → cap 4 (level already 2)\n"
        "independence: independent evaluator → no cap\n"
        "level: 2 of 5\n"
        "WWC: does not meet WWC standards (quasi-experiment; baseline equivalence not shown)\n"
        "Maryland SMS: 2 (before/after with a comparison group, comparability not shown)\n");
    assert_string_equal(
        g.advice,
        "a randomised design (or a regression discontinuity) would raise the base level from 3\n"
        "adjust for the baseline measure in the impact analysis (the groups differ by 0.05–0.25 "
        "SD)\n"
        "have the risk of bias assessed (ROBINS-I for a non-randomised study)\n"
        "a larger sample (at least 100 analysed) would lift the sample-size cap\n");
    ww_rigour_grade_clear(&g);
}

/* ---- record helper and regrade ------------------------------------------- */

static void test_rigour__from_record(void **state)
{
    ww_record rec;
    ww_outcome_rec o[2];
    ww_rob_rec items[1];
    ww_rigour_input in;
    (void)state;

    ww_record_init(&rec);
    ww_outcome_rec_init(&o[0]);
    ww_outcome_rec_init(&o[1]);
    o[0].kind = WW_OUTCOME_CONTINUOUS;
    o[0].n_treatment = 40;
    o[0].n_control = 38;
    o[1].kind = WW_OUTCOME_BINARY;
    o[1].total_treatment = 51;
    o[1].total_control = 49;
    items[0] = rob("RoB1", rob1_domains[0], "YES");
    rec.design = WW_DESIGN_RANDOMISED;
    rec.assigned_treatment = 60;
    rec.assigned_control = 60;
    rec.baseline_diff_sd = 0.03;
    rec.independent = 1;
    rec.outcomes = o;
    rec.n_outcomes = 2;
    rec.rob = items;
    rec.n_rob = 1;

    ww_rigour_input_from_record(&in, &rec);
    assert_int_equal(in.design, WW_DESIGN_RANDOMISED);
    assert_int_equal(in.assigned_treatment, 60);
    assert_int_equal(in.analysed_treatment, 51); /* the outcome with most people */
    assert_int_equal(in.analysed_control, 49);
    assert_close(in.baseline_diff_sd, 0.03, 0);
    assert_int_equal(in.baseline_adjusted, -1);
    assert_int_equal(in.independent, 1);
    assert_ptr_equal(in.rob, items);
    assert_int_equal(in.n_rob, 1);
    assert_int_equal(in.boundary, WW_BOUNDARY_DEFAULT);

    /* Record-level counts win over outcome Ns. */
    rec.analysed_treatment = 55;
    rec.analysed_control = 57;
    ww_rigour_input_from_record(&in, &rec);
    assert_int_equal(in.analysed_treatment, 55);
    assert_int_equal(in.analysed_control, 57);
}

static void test_rigour__compare(void **state)
{
    ww_rules next = *ww_rules_current();
    ww_rigour_input in = rct(200, 200, 147, 129);
    ww_rigour_grade before, after, stored;
    char *reason;
    int moved;
    (void)state;

    in.baseline_diff_sd = 0.12;
    in.baseline_adjusted = 1;
    in.independent = 1;
    assert_ww_ok(ww_rigour_grade_study(&before, &in, NULL));

    /* The same rules: nothing moves. */
    assert_ww_ok(ww_rigour_grade_study(&after, &in, NULL));
    assert_ww_ok(ww_rigour_compare(&reason, &moved, &before, &after));
    assert_int_equal(moved, 0);
    assert_string_equal(reason, "unchanged: level 3, WWC meets WWC standards with reservations, "
                                "SMS 3 (whatworks-rules/2)");
    free(reason);
    ww_rigour_grade_clear(&after);

    /* A stricter rules version caps high attrition at 2. */
    next.version = "whatworks-rules/3";
    next.cap_high_attrition = 2;
    assert_ww_ok(ww_rigour_grade_study(&after, &in, &next));
    assert_ww_ok(ww_rigour_compare(&reason, &moved, &before, &after));
    assert_int_equal(moved, 1);
    assert_string_equal(reason,
                        "moved: level 3 → 2 (whatworks-rules/2 → whatworks-rules/3); changed: "
                        "attrition; attrition: overall 31.0%, differential 9.0% → high (WWC "
                        "cautious boundary: at most 4.0 points at 31.0% overall) → level capped "
                        "at 2");
    free(reason);

    /* A grade read back from storage: only version, level, SMS, WWC and
     * trace; a missing trace is allowed. */
    memset(&stored, 0, sizeof stored);
    stored.rules_version = "whatworks-rules/0";
    stored.level = 5;
    stored.sms = 5;
    stored.wwc = WW_WWC_WITHOUT_RESERVATIONS;
    assert_ww_ok(ww_rigour_compare(&reason, &moved, &stored, &before));
    assert_int_equal(moved, 1);
    assert_non_null(strstr(reason,
                           "moved: level 5 → 3, WWC meets WWC standards without "
                           "reservations → meets WWC standards with reservations, SMS 5 "
                           "→ 3 (whatworks-rules/0 → whatworks-rules/2); changed: design,"));
    free(reason);

    assert_int_equal(ww_rigour_compare(NULL, &moved, &before, &after), WW_EUSAGE);
    assert_int_equal(ww_rigour_compare(&reason, &moved, NULL, &after), WW_EUSAGE);
    ww_rigour_grade_clear(&before);
    ww_rigour_grade_clear(&after);
}

/* ---- body of evidence ---------------------------------------------------- */

/* A grade as the certainty rules read it. */
static ww_rigour_grade study_grade(ww_design design, int bias_level, int level, long n,
                                   int independent)
{
    ww_rigour_grade g;
    memset(&g, 0, sizeof g);
    g.design = design;
    g.base_level = ww_rules_current()->design_level[design];
    g.bias_level = bias_level;
    g.level = level;
    g.n_total = n;
    g.independent = independent;
    g.rules_version = "whatworks-rules/1";
    return g;
}

static ww_certainty_study body_study(const ww_rigour_grade *g, double weight, double followup)
{
    ww_certainty_study s;
    memset(&s, 0, sizeof s);
    s.grade = g;
    s.weight_pct = weight;
    s.yi = NAN;
    s.vi = NAN;
    s.followup_months = followup;
    return s;
}

static ww_meta_result pooled(double est, double lo, double hi, double i2)
{
    ww_meta_result p;
    memset(&p, 0, sizeof p);
    p.estimate = est;
    p.ci_low = lo;
    p.ci_high = hi;
    p.i2 = i2;
    return p;
}

static ww_certainty certainty_of(const ww_certainty_study *s, size_t k, const ww_meta_result *p,
                                 double egger_p)
{
    ww_certainty_input in;
    ww_certainty c;
    memset(&in, 0, sizeof in);
    in.studies = s;
    in.k = k;
    in.pooled = p;
    in.direction = 1;
    in.egger_p = egger_p;
    assert_ww_ok(ww_rigour_certainty(&c, &in, NULL));
    return c;
}

static void test_rigour__certainty_trace(void **state)
{
    ww_rigour_grade g[3];
    ww_certainty_study s[3];
    ww_meta_result p = pooled(0.2, 0.08, 0.32, 55.0);
    ww_certainty c;
    (void)state;

    g[0] = study_grade(WW_DESIGN_RANDOMISED, 5, 5, 300, 0);
    g[1] = study_grade(WW_DESIGN_RANDOMISED, 3, 3, 300, 0);
    g[2] = study_grade(WW_DESIGN_RANDOMISED, 5, 5, 300, 1);
    s[0] = body_study(&g[0], 40, 12);
    s[1] = body_study(&g[1], 35, NAN);
    s[2] = body_study(&g[2], 25, 6);
    c = certainty_of(s, 3, &p, NAN);
    assert_string_equal(
        c.trace,
        "start: studies of design level ≥ 5 carry 100.0% of the weight → high (randomised "
        "evidence starts high, GRADE)\n"
        "risk of bias: 35.0% of the weight below level 5 on design, attrition, baseline and "
        "risk of bias (35.0% two or more levels below) → not serious\n"
        "inconsistency: I² 55.0% (≥ 50%, Cochrane \"substantial\") → serious → −1\n"
        "imprecision: 95% CI 0.08 to 0.32 excludes no effect; 900 participants ≥ OIS 786 → not "
        "serious\n"
        "publication bias: 3 studies < 10 → not assessed (Egger's test needs at least 10)\n"
        "certainty: moderate (start high; −1 inconsistency)\n"
        "EIF: level 4 (significant benefit; 3 rigorous studies at level ≥ 3, 1 with an outcome "
        "≥ 12 months after the end; 3 at level ≥ 1)\n"
        "Blueprints: Model Plus (significant benefit, no harm, sustained, independently "
        "evaluated; 2 high-quality RCTs at level ≥ 4, 0 high-quality QEDs at level ≥ 3; "
        "specificity and dissemination readiness not judged)\n");
    assert_int_equal(c.start, WW_CERTAINTY_HIGH);
    assert_int_equal(c.level, WW_CERTAINTY_MODERATE);
    assert_int_equal(c.eif, WW_EIF_LEVEL_4);
    assert_int_equal(c.blueprints, WW_BLUEPRINTS_MODEL_PLUS);
    assert_string_equal(c.rules_version, "whatworks-rules/2");
    ww_rigour_certainty_clear(&c);
    assert_null(c.trace);
    ww_rigour_certainty_clear(NULL);
}

/* Where the certainty starts: the design level reaching half the weight. */
static void test_rigour__certainty_start(void **state)
{
    ww_rigour_grade g[2];
    ww_certainty_study s[2];
    ww_meta_result p = pooled(0.3, 0.1, 0.5, 0);
    ww_certainty c;
    (void)state;

    g[0] = study_grade(WW_DESIGN_RANDOMISED, 5, 5, 500, 1);
    g[1] = study_grade(WW_DESIGN_MATCHED_PRETEST, 3, 3, 500, 1);
    s[0] = body_study(&g[0], 50, NAN); /* half the weight is randomised */
    s[1] = body_study(&g[1], 50, NAN);
    c = certainty_of(s, 2, &p, NAN);
    assert_int_equal(c.start_base_level, 5);
    assert_int_equal(c.start, WW_CERTAINTY_HIGH);
    /* ... but half the weight then sits two levels below the start. */
    assert_int_equal(c.down_risk_of_bias, 2);
    assert_int_equal(c.level, WW_CERTAINTY_LOW);
    ww_rigour_certainty_clear(&c);

    s[0].weight_pct = 49.9; /* the majority is non-randomised: starts low */
    s[1].weight_pct = 50.1;
    c = certainty_of(s, 2, &p, NAN);
    assert_int_equal(c.start_base_level, 3);
    assert_int_equal(c.start, WW_CERTAINTY_LOW);
    assert_int_equal(c.down_risk_of_bias, 0);
    assert_int_equal(c.level, WW_CERTAINTY_LOW);
    assert_line(c, "start:",
                "start: studies of design level ≥ 3 carry 100.0% of the weight → low "
                "(non-randomised evidence starts low, GRADE)");
    ww_rigour_certainty_clear(&c);

    g[0] = study_grade(WW_DESIGN_REGRESSION_DISCONTINUITY, 4, 4, 1000, 1);
    c = certainty_of(s, 1, &p, NAN);
    assert_int_equal(c.start, WW_CERTAINTY_MODERATE);
    ww_rigour_certainty_clear(&c);
    g[0] = study_grade(WW_DESIGN_BEFORE_AFTER, 1, 1, 1000, 1);
    c = certainty_of(s, 1, &p, NAN);
    assert_int_equal(c.start, WW_CERTAINTY_VERY_LOW);
    assert_line(c, "inconsistency:", "inconsistency: one study → not assessable");
    ww_rigour_certainty_clear(&c);
    g[0] = study_grade(WW_DESIGN_DESCRIPTIVE, 0, 0, 1000, 1);
    c = certainty_of(s, 1, &p, NAN);
    assert_int_equal(c.start_base_level, 0);
    assert_int_equal(c.start, WW_CERTAINTY_VERY_LOW);
    ww_rigour_certainty_clear(&c);
}

/* Each downgrade on its own, both sides of its threshold. */
static void test_rigour__certainty_downgrades(void **state)
{
    ww_rigour_grade g[10];
    ww_certainty_study s[10];
    ww_meta_result p;
    ww_certainty c;
    size_t i;
    (void)state;

    for (i = 0; i < 10; i++) {
        g[i] = study_grade(WW_DESIGN_RANDOMISED, 5, 5, 100, 1);
        s[i] = body_study(&g[i], 10, NAN);
    }
    /* 10 studies x 100 = 1000 participants, CI above 0, I² 0: high. */
    p = pooled(0.2, 0.1, 0.3, 0);
    c = certainty_of(s, 10, &p, 0.5);
    assert_int_equal(c.level, WW_CERTAINTY_HIGH);
    assert_line(c, "certainty:", "certainty: high (start high; no downgrade)");
    assert_line(c, "publication bias:", "publication bias: Egger p = 0.5 ≥ 0.10 → not detected");
    ww_rigour_certainty_clear(&c);

    /* risk of bias: 40% of the weight capped → not serious; 50% → serious;
     * 50% two levels down → very serious. */
    for (i = 0; i < 4; i++) g[i].bias_level = 4;
    c = certainty_of(s, 10, &p, 0.5);
    assert_int_equal(c.down_risk_of_bias, 0);
    ww_rigour_certainty_clear(&c);
    g[4].bias_level = 4;
    c = certainty_of(s, 10, &p, 0.5);
    assert_int_equal(c.down_risk_of_bias, 1);
    assert_int_equal(c.level, WW_CERTAINTY_MODERATE);
    assert_line(c, "risk of bias:",
                "risk of bias: 50.0% of the weight below level 5 on design, attrition, baseline "
                "and risk of bias (0.0% two or more levels below) → serious → −1");
    ww_rigour_certainty_clear(&c);
    for (i = 0; i < 5; i++) g[i].bias_level = 3;
    c = certainty_of(s, 10, &p, 0.5);
    assert_int_equal(c.down_risk_of_bias, 2);
    assert_int_equal(c.level, WW_CERTAINTY_LOW);
    ww_rigour_certainty_clear(&c);
    for (i = 0; i < 5; i++) g[i].bias_level = 5;

    /* inconsistency: 49.9 / 50 / 74.9 / 75. */
    p.i2 = 49.9;
    c = certainty_of(s, 10, &p, 0.5);
    assert_int_equal(c.down_inconsistency, 0);
    assert_line(c, "inconsistency:", "inconsistency: I² 49.9% (< 50%) → not serious");
    ww_rigour_certainty_clear(&c);
    p.i2 = 50;
    c = certainty_of(s, 10, &p, 0.5);
    assert_int_equal(c.down_inconsistency, 1);
    ww_rigour_certainty_clear(&c);
    p.i2 = 74.9;
    c = certainty_of(s, 10, &p, 0.5);
    assert_int_equal(c.down_inconsistency, 1);
    ww_rigour_certainty_clear(&c);
    p.i2 = 75;
    c = certainty_of(s, 10, &p, 0.5);
    assert_int_equal(c.down_inconsistency, 2);
    assert_line(c, "inconsistency:",
                "inconsistency: I² 75.0% (≥ 75%, Cochrane \"considerable\") → very serious → −2");
    ww_rigour_certainty_clear(&c);
    p.i2 = NAN;
    c = certainty_of(s, 10, &p, 0.5);
    assert_int_equal(c.down_inconsistency, 0);
    assert_line(c, "inconsistency:", "inconsistency: I² not available → not assessed");
    ww_rigour_certainty_clear(&c);
    p.i2 = 0;

    /* imprecision: the CI touching 0 includes no effect. */
    p = pooled(0.2, 0.0, 0.4, 0);
    c = certainty_of(s, 10, &p, 0.5);
    assert_int_equal(c.down_imprecision, 1);
    ww_rigour_certainty_clear(&c);
    p = pooled(0.2, 0.001, 0.4, 0);
    c = certainty_of(s, 10, &p, 0.5);
    assert_int_equal(c.down_imprecision, 0);
    ww_rigour_certainty_clear(&c);
    /* ... the OIS: 786 is enough, 785 is not. */
    for (i = 0; i < 10; i++) g[i].n_total = 78;
    g[0].n_total = 84; /* 9 x 78 + 84 = 786 */
    c = certainty_of(s, 10, &p, 0.5);
    assert_int_equal(c.down_imprecision, 0);
    ww_rigour_certainty_clear(&c);
    g[0].n_total = 83; /* 785 */
    c = certainty_of(s, 10, &p, 0.5);
    assert_int_equal(c.down_imprecision, 1);
    assert_line(c, "imprecision:",
                "imprecision: 95% CI 0.00 to 0.40 excludes no effect; 785 participants < OIS 786 "
                "→ serious → −1");
    assert_non_null(strstr(c.advice, "fewer than the optimal information size of 786"));
    ww_rigour_certainty_clear(&c);
    /* ... participants not reported: said so, not counted as enough. */
    for (i = 0; i < 10; i++) g[i].n_total = -1;
    c = certainty_of(s, 10, &p, 0.5);
    assert_int_equal(c.down_imprecision, 0);
    assert_line(c, "imprecision:",
                "imprecision: 95% CI 0.00 to 0.40 excludes no effect; participants not reported → "
                "OIS not assessed → not serious");
    assert_non_null(strstr(c.advice, "report the number analysed for the 10 studies"));
    ww_rigour_certainty_clear(&c);
    for (i = 0; i < 10; i++) g[i].n_total = 100;

    /* publication bias: p just below and at 0.10; k = 9 is not tested. */
    c = certainty_of(s, 10, &p, 0.0999);
    assert_int_equal(c.down_publication_bias, 1);
    assert_line(c,
                "publication bias:", "publication bias: Egger p = 0.0999 < 0.10 → suspected → −1");
    ww_rigour_certainty_clear(&c);
    c = certainty_of(s, 10, &p, 0.10);
    assert_int_equal(c.down_publication_bias, 0);
    ww_rigour_certainty_clear(&c);
    c = certainty_of(s, 9, &p, 0.01);
    assert_int_equal(c.down_publication_bias, 0);
    assert_line(c, "publication bias:",
                "publication bias: 9 studies < 10 → not assessed (Egger's test needs at least "
                "10)");
    ww_rigour_certainty_clear(&c);
    c = certainty_of(s, 10, &p, NAN);
    assert_line(c, "publication bias:", "publication bias: Egger's test not run → not assessed");
    ww_rigour_certainty_clear(&c);
}

/* Downgrades add up, and the floor is very low. */
static void test_rigour__certainty_combined(void **state)
{
    ww_rigour_grade g[10];
    ww_certainty_study s[10];
    ww_meta_result p = pooled(0.1, -0.05, 0.25, 80);
    ww_certainty c;
    size_t i;
    (void)state;

    for (i = 0; i < 10; i++) {
        g[i] = study_grade(WW_DESIGN_RANDOMISED, 3, 3, 40, 1);
        s[i] = body_study(&g[i], 10, NAN);
    }
    c = certainty_of(s, 10, &p, 0.01);
    assert_int_equal(c.down_risk_of_bias, 2);
    assert_int_equal(c.down_inconsistency, 2);
    assert_int_equal(c.down_imprecision, 2);
    assert_int_equal(c.down_publication_bias, 1);
    assert_int_equal(c.level, WW_CERTAINTY_VERY_LOW);
    assert_line(c, "certainty:",
                "certainty: very low (start high; −2 risk of bias, −2 inconsistency, −2 "
                "imprecision, −1 publication bias)");
    assert_line(c, "imprecision:",
                "imprecision: 95% CI -0.05 to 0.25 includes no effect; 400 participants < OIS 786 "
                "→ very serious → −2");
    assert_int_equal(c.eif, WW_EIF_NOT_EFFECTIVE);
    assert_int_equal(c.blueprints, WW_BLUEPRINTS_NOT_CERTIFIED);
    ww_rigour_certainty_clear(&c);

    /* One serious concern from each of two domains: high → low. */
    for (i = 0; i < 10; i++) {
        g[i].bias_level = 5;
        g[i].n_total = 100;
    }
    p = pooled(0.2, 0.05, 0.35, 60);
    c = certainty_of(s, 10, &p, 0.05);
    assert_int_equal(c.level, WW_CERTAINTY_LOW);
    assert_line(c,
                "certainty:", "certainty: low (start high; −1 inconsistency, −1 publication bias)");
    ww_rigour_certainty_clear(&c);
}

static void test_rigour__eif_crosswalk(void **state)
{
    ww_rigour_grade g[2];
    ww_certainty_study s[2];
    ww_meta_result p = pooled(0.3, 0.1, 0.5, 0);
    ww_certainty c;
    (void)state;

    g[0] = study_grade(WW_DESIGN_RANDOMISED, 5, 5, 500, 1);
    g[1] = study_grade(WW_DESIGN_DIFF_IN_DIFF, 3, 3, 500, 1);
    s[0] = body_study(&g[0], 60, 12);
    s[1] = body_study(&g[1], 40, 3);
    c = certainty_of(s, 2, &p, NAN); /* two rigorous, one lasting a year */
    assert_int_equal(c.eif, WW_EIF_LEVEL_4);
    ww_rigour_certainty_clear(&c);
    s[0].followup_months = 11.9; /* nothing lasting a year */
    c = certainty_of(s, 2, &p, NAN);
    assert_int_equal(c.eif, WW_EIF_LEVEL_3);
    assert_non_null(strstr(c.advice, "at least 12 months after the intervention ends"));
    ww_rigour_certainty_clear(&c);
    s[0].followup_months = 24;
    c = certainty_of(s, 1, &p, NAN); /* one rigorous study only */
    assert_int_equal(c.eif, WW_EIF_LEVEL_3);
    ww_rigour_certainty_clear(&c);

    g[0] = study_grade(WW_DESIGN_BEFORE_AFTER, 1, 1, 500, 1); /* preliminary */
    c = certainty_of(s, 1, &p, NAN);
    assert_int_equal(c.eif, WW_EIF_LEVEL_2);
    assert_line(c, "EIF:",
                "EIF: level 2 (significant benefit; 0 rigorous studies at level ≥ 3, 0 with an "
                "outcome ≥ 12 months after the end; 1 at level ≥ 1)");
    ww_rigour_certainty_clear(&c);
    g[0] = study_grade(WW_DESIGN_DESCRIPTIVE, 0, 0, 500, 1);
    c = certainty_of(s, 1, &p, NAN);
    assert_int_equal(c.eif, WW_EIF_NOT_LEVEL_2);
    ww_rigour_certainty_clear(&c);

    /* No significant benefit: NE when a rigorous study says so, else NL2. */
    p = pooled(0.05, -0.1, 0.2, 0);
    g[0] = study_grade(WW_DESIGN_RANDOMISED, 5, 5, 500, 1);
    c = certainty_of(s, 1, &p, NAN);
    assert_int_equal(c.eif, WW_EIF_NOT_EFFECTIVE);
    assert_line(c, "EIF:",
                "EIF: NE (found not to be effective) (no significant benefit; 1 rigorous studies "
                "at level ≥ 3)");
    ww_rigour_certainty_clear(&c);
    g[0] = study_grade(WW_DESIGN_RANDOMISED, 2, 2, 20, 1);
    c = certainty_of(s, 1, &p, NAN);
    assert_int_equal(c.eif, WW_EIF_NOT_LEVEL_2);
    ww_rigour_certainty_clear(&c);
}

static void test_rigour__blueprints_crosswalk(void **state)
{
    ww_rigour_grade g[3];
    ww_certainty_study s[3];
    ww_meta_result p = pooled(0.3, 0.1, 0.5, 0);
    ww_certainty_input in;
    ww_certainty c;
    (void)state;

    g[0] = study_grade(WW_DESIGN_RANDOMISED, 4, 4, 500, 0);
    g[1] = study_grade(WW_DESIGN_MATCHED_PRETEST, 3, 3, 500, 0);
    g[2] = study_grade(WW_DESIGN_COMPARISON, 2, 2, 500, 1);
    s[0] = body_study(&g[0], 50, 12);
    s[1] = body_study(&g[1], 30, NAN);
    s[2] = body_study(&g[2], 20, NAN);
    c = certainty_of(s, 3, &p, NAN); /* RCT + QED, sustained, not independent */
    assert_int_equal(c.blueprints, WW_BLUEPRINTS_MODEL);
    assert_non_null(strstr(c.advice, "independent replication would reach Blueprints Model Plus"));
    ww_rigour_certainty_clear(&c);
    g[1].independent = 1;
    c = certainty_of(s, 3, &p, NAN);
    assert_int_equal(c.blueprints, WW_BLUEPRINTS_MODEL_PLUS);
    ww_rigour_certainty_clear(&c);
    s[0].followup_months = 6; /* not sustained: Promising */
    c = certainty_of(s, 3, &p, NAN);
    assert_int_equal(c.blueprints, WW_BLUEPRINTS_PROMISING);
    ww_rigour_certainty_clear(&c);

    /* QEDs only: two high-quality ones are Promising, one is not. */
    g[0] = study_grade(WW_DESIGN_DIFF_IN_DIFF, 3, 3, 500, 0);
    c = certainty_of(s, 3, &p, NAN);
    assert_int_equal(c.blueprints, WW_BLUEPRINTS_PROMISING);
    ww_rigour_certainty_clear(&c);
    g[0].level = 2;
    c = certainty_of(s, 3, &p, NAN);
    assert_int_equal(c.blueprints, WW_BLUEPRINTS_NOT_CERTIFIED);
    assert_line(c, "Blueprints:",
                "Blueprints: not certified (significant benefit, but fewer high-quality studies "
                "than Promising needs; 0 high-quality RCTs at level ≥ 4, 1 high-quality QEDs at "
                "level ≥ 3; specificity and dissemination readiness not judged)");
    ww_rigour_certainty_clear(&c);

    /* A study with a significant harmful effect blocks certification. */
    g[0] = study_grade(WW_DESIGN_RANDOMISED, 5, 5, 500, 1);
    s[2].yi = -0.4;
    s[2].vi = 0.01; /* 95% CI -0.596 to -0.204 */
    c = certainty_of(s, 3, &p, NAN);
    assert_int_equal(c.blueprints, WW_BLUEPRINTS_NOT_CERTIFIED);
    assert_non_null(strstr(c.trace, "Blueprints: not certified (evidence of harm;"));
    ww_rigour_certainty_clear(&c);

    /* Lower is better: the same numbers read the other way round. */
    s[2].yi = NAN;
    p = pooled(-0.3, -0.5, -0.1, 0);
    memset(&in, 0, sizeof in);
    in.studies = s;
    in.k = 3;
    in.pooled = &p;
    in.direction = -1;
    in.egger_p = NAN;
    assert_ww_ok(ww_rigour_certainty(&c, &in, NULL));
    assert_int_equal(c.blueprints, WW_BLUEPRINTS_PROMISING);
    assert_int_equal(c.eif, WW_EIF_LEVEL_3);
    ww_rigour_certainty_clear(&c);
}

static void test_rigour__certainty_invalid(void **state)
{
    ww_rigour_grade g = study_grade(WW_DESIGN_RANDOMISED, 5, 5, 100, 1);
    ww_certainty_study s = body_study(&g, 100, NAN);
    ww_meta_result p = pooled(0.3, 0.1, 0.5, 0);
    ww_certainty_input in;
    ww_certainty c;
    (void)state;

    memset(&in, 0, sizeof in);
    in.studies = &s;
    in.k = 1;
    in.pooled = &p;
    in.direction = 1;
    in.egger_p = NAN;
    assert_int_equal(ww_rigour_certainty(NULL, &in, NULL), WW_EUSAGE);
    in.k = 0;
    assert_int_equal(ww_rigour_certainty(&c, &in, NULL), WW_EUSAGE);
    in.k = 1;
    in.direction = 0;
    assert_int_equal(ww_rigour_certainty(&c, &in, NULL), WW_EUSAGE);
    in.direction = 1;
    s.weight_pct = NAN;
    assert_int_equal(ww_rigour_certainty(&c, &in, NULL), WW_EDATA);
    assert_non_null(strstr(ww_error_last(), "weight must be finite"));
    s.weight_pct = 0;
    assert_int_equal(ww_rigour_certainty(&c, &in, NULL), WW_EDATA);
    s.weight_pct = 100;
    s.grade = NULL;
    assert_int_equal(ww_rigour_certainty(&c, &in, NULL), WW_EUSAGE);
    s.grade = &g;
    p.ci_low = NAN;
    assert_int_equal(ww_rigour_certainty(&c, &in, NULL), WW_EDATA);
    p.ci_low = 0.1;
    in.pooled = NULL;
    assert_int_equal(ww_rigour_certainty(&c, &in, NULL), WW_EUSAGE);
}

static void test_rigour__names(void **state)
{
    (void)state;
    assert_string_equal(ww_rigour_wwc_name(WW_WWC_WITH_RESERVATIONS),
                        "meets WWC standards with reservations");
    assert_string_equal(ww_rigour_wwc_name(WW_WWC_NOT_RATED), "not rated");
    assert_null(ww_rigour_wwc_name((ww_rigour_wwc)9));
    assert_string_equal(ww_certainty_name(WW_CERTAINTY_VERY_LOW), "very low");
    assert_null(ww_certainty_name((ww_certainty_level)0));
    assert_string_equal(ww_eif_name(WW_EIF_NOT_LEVEL_2), "NL2");
    assert_null(ww_eif_name((ww_eif_level)9));
    assert_string_equal(ww_blueprints_name(WW_BLUEPRINTS_MODEL_PLUS), "Model Plus");
    assert_null(ww_blueprints_name((ww_blueprints_tier)9));
    assert_string_equal(ww_rigour_rob_name(WW_ROB_CONCERNS), "some concerns");
    assert_null(ww_rigour_rob_name((ww_rigour_rob)9));
}

/* ---- golden: the WWC's own finding ratings ------------------------------
 *
 * wwc/wwc_Findings.csv (April 2020 export, 6,972 findings) carries WWC's
 * Finding_Rating as 1/2/3. The data dictionary (wwc_ReviewDictionary.csv)
 * only says "Finding-level WWC rating", type text; it does not define the
 * codes. The file itself decodes two of them: ESSA Tier 1 requires "Meets
 * WWC standards without reservations" and Tier 2 "with or without"
 * (ies.ed.gov, ESSA Tiers of Evidence), and every Tier 1 finding is coded 1
 * while Tier 2 findings are coded 2 or 1. So 1 = without reservations, 2 =
 * with reservations; code 3 (31 findings) is not decodable from these files.
 *
 * What our crosswalk needs — the design, assigned and analysed counts per
 * arm, the baseline difference — is not in the findings file (it has only
 * per-outcome analysed Ns), and the three Studies rows in the shared data
 * have an empty Study_Design and no findings in this file. Only 47 rated
 * findings name their design in Sample_Description ("QED", "matched-student
 * sample", "Propensity score matched sample": 43, all coded 2; "RCT": 4, all
 * coded 1). For those 47 two things are measurable:
 *  - as given (design only, no attrition, no baseline), our crosswalk rates
 *    all 47 "does not meet": agreement 0 of 47, because the file does not
 *    carry what WWC judged on — not a disagreement about the rules;
 *  - the ceiling our crosswalk allows for the design (QED with equivalence
 *    shown: with reservations; RCT with low attrition: without) equals
 *    WWC's rating in 47 of 47.
 * The other 3,986 rated findings cannot be judged from this file. */

enum { F_RATING, F_ESSA, F_SAMPLE, N_WWC_FIELDS };
static const char *const wwc_fields[N_WWC_FIELDS] = {"Finding_Rating", "ESSA_Rating",
                                                     "Sample_Description"};
#define WWC_MAX_COLUMNS 64

typedef struct wwc_golden {
    char *cell[WWC_MAX_COLUMNS];
    int ncell, header_done, oom;
    int column[N_WWC_FIELDS];
    long rows, rated[4], unrated;
    long tier1, tier1_code1, tier2, tier2_code1, tier2_code2;
    long qed_rated, qed_code2, rct_rated, rct_code1;
    long as_given_agree, ceiling_agree, judged;
} wwc_golden;

/* "QED" as a whole word (case-sensitive, as WWC writes it). */
static int has_word(const char *s, const char *w)
{
    size_t n = strlen(w);
    const char *p = s;
    while ((p = strstr(p, w)) != NULL) {
        int left = p == s || !isalnum((unsigned char)p[-1]);
        int right = !isalnum((unsigned char)p[n]);
        if (left && right) return 1;
        p += n;
    }
    return 0;
}

static int has_ci(const char *s, const char *needle)
{
    size_t n = strlen(needle), i;
    for (; *s; s++) {
        for (i = 0; i < n && s[i]; i++)
            if (tolower((unsigned char)s[i]) != tolower((unsigned char)needle[i])) break;
        if (i == n) return 1;
    }
    return 0;
}

static int names_qed(const char *s)
{
    return has_word(s, "QED") || has_ci(s, "matched-student") || has_ci(s, "matched-school") ||
           has_ci(s, "matched comparison") || has_ci(s, "propensity score matched");
}

static int names_rct(const char *s)
{
    return has_word(s, "RCT") || has_ci(s, "random assignment");
}

static ww_rigour_wwc crosswalk(ww_design design, int ceiling)
{
    ww_rigour_input in;
    ww_rigour_grade g;
    ww_rigour_wwc r;
    ww_rigour_input_init(&in);
    in.design = design;
    if (ceiling) {
        in.baseline_diff_sd = 0.0;                           /* equivalence shown */
        in.assigned_treatment = in.analysed_treatment = 100; /* no attrition */
        in.assigned_control = in.analysed_control = 100;
    }
    if (ww_rigour_grade_study(&g, &in, NULL) < 0) return WW_WWC_NOT_RATED;
    r = g.wwc;
    ww_rigour_grade_clear(&g);
    return r;
}

static ww_rigour_wwc wwc_code(const char *code)
{
    if (strcmp(code, "1") == 0) return WW_WWC_WITHOUT_RESERVATIONS;
    if (strcmp(code, "2") == 0) return WW_WWC_WITH_RESERVATIONS;
    return WW_WWC_NOT_RATED;
}

static void golden_row(wwc_golden *st)
{
    const char *rating = st->cell[st->column[F_RATING]];
    const char *essa = st->cell[st->column[F_ESSA]];
    const char *sample = st->cell[st->column[F_SAMPLE]];
    ww_design design;

    if (strcmp(rating, "1") == 0)
        st->rated[1]++;
    else if (strcmp(rating, "2") == 0)
        st->rated[2]++;
    else if (strcmp(rating, "3") == 0)
        st->rated[3]++;
    else
        st->unrated++;
    if (strcmp(essa, "ESSA Tier 1") == 0) {
        st->tier1++;
        st->tier1_code1 += strcmp(rating, "1") == 0;
    } else if (strcmp(essa, "ESSA Tier 2") == 0) {
        st->tier2++;
        st->tier2_code1 += strcmp(rating, "1") == 0;
        st->tier2_code2 += strcmp(rating, "2") == 0;
    }
    if (!*rating) return;
    if (names_qed(sample)) {
        design = WW_DESIGN_MATCHED_PRETEST;
        st->qed_rated++;
        st->qed_code2 += strcmp(rating, "2") == 0;
    } else if (names_rct(sample)) {
        design = WW_DESIGN_RANDOMISED;
        st->rct_rated++;
        st->rct_code1 += strcmp(rating, "1") == 0;
    } else {
        return;
    }
    st->judged++;
    st->as_given_agree += crosswalk(design, 0) == wwc_code(rating);
    st->ceiling_agree += crosswalk(design, 1) == wwc_code(rating);
}

static void golden_field(void *s, size_t len, void *data)
{
    wwc_golden *st = data;
    (void)len;
    if (st->ncell < WWC_MAX_COLUMNS) {
        st->cell[st->ncell] = strdup(s ? (const char *)s : "");
        if (!st->cell[st->ncell]) st->oom = 1;
    }
    st->ncell++;
}

static void golden_clear_row(wwc_golden *st)
{
    int i;
    for (i = 0; i < st->ncell && i < WWC_MAX_COLUMNS; i++) {
        free(st->cell[i]);
        st->cell[i] = NULL;
    }
    st->ncell = 0;
}

static void golden_end_row(int c, void *data)
{
    wwc_golden *st = data;
    int f, i;
    (void)c;
    if (st->oom || st->ncell > WWC_MAX_COLUMNS) {
        st->oom = 1;
    } else if (!st->header_done) {
        for (f = 0; f < N_WWC_FIELDS; f++) {
            st->column[f] = -1;
            for (i = 0; i < st->ncell; i++)
                if (strcmp(st->cell[i], wwc_fields[f]) == 0) st->column[f] = i;
        }
        st->header_done = 1;
    } else {
        st->rows++;
        if (st->column[F_RATING] >= 0 && st->column[F_ESSA] >= 0 && st->column[F_SAMPLE] >= 0 &&
            st->ncell > st->column[F_RATING] && st->ncell > st->column[F_ESSA] &&
            st->ncell > st->column[F_SAMPLE])
            golden_row(st);
    }
    golden_clear_row(st);
}

static void test_rigour__wwc_findings(void **state)
{
    char path[4096];
    wwc_golden st;
    int f;
    (void)state;

    memset(&st, 0, sizeof st);
    SHARED_PATH(path, "wwc/wwc_Findings.csv");
    assert_int_equal(test_csv_read(path, golden_field, golden_end_row, &st), 0);
    golden_clear_row(&st);

    assert_false(st.oom);
    assert_true(st.header_done);
    for (f = 0; f < N_WWC_FIELDS; f++) assert_true(st.column[f] >= 0);
    assert_int_equal(st.rows, 6972);

    /* The codes and how many findings carry each. */
    assert_int_equal(st.rated[1], 2684);
    assert_int_equal(st.rated[2], 1318);
    assert_int_equal(st.rated[3], 31);
    assert_int_equal(st.unrated, 2939);
    /* The decoding: every ESSA Tier 1 finding is code 1 (without
     * reservations); Tier 2 findings are 2, or 1. */
    assert_int_equal(st.tier1, 302);
    assert_int_equal(st.tier1_code1, 302);
    assert_int_equal(st.tier2, 184);
    assert_int_equal(st.tier2_code2, 180);
    assert_int_equal(st.tier2_code1, 4);

    /* The judgeable findings and the agreement that can be measured. */
    assert_int_equal(st.qed_rated, 43);
    assert_int_equal(st.qed_code2, 43);
    assert_int_equal(st.rct_rated, 4);
    assert_int_equal(st.rct_code1, 4);
    assert_int_equal(st.judged, 47);
    assert_int_equal(st.as_given_agree, 0);
    assert_int_equal(st.ceiling_agree, 47);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rigour__rules_table),
        cmocka_unit_test(test_rigour__attrition_table_corners),
        cmocka_unit_test(test_rigour__attrition_interpolated),
        cmocka_unit_test(test_rigour__attrition_boundary_sides),
        cmocka_unit_test(test_rigour__attrition_beyond_table),
        cmocka_unit_test(test_rigour__attrition_missing),
        cmocka_unit_test(test_rigour__attrition_not_randomised),
        cmocka_unit_test(test_rigour__baseline_thresholds),
        cmocka_unit_test(test_rigour__baseline_randomised),
        cmocka_unit_test(test_rigour__design_levels),
        cmocka_unit_test(test_rigour__rob1),
        cmocka_unit_test(test_rigour__rob2),
        cmocka_unit_test(test_rigour__rob_randomisation_wwc),
        cmocka_unit_test(test_rigour__sample_size),
        cmocka_unit_test(test_rigour__independence),
        cmocka_unit_test(test_rigour__sms_crosswalk),
        cmocka_unit_test(test_rigour__wwc_crosswalk),
        cmocka_unit_test(test_rigour__trace_randomised),
        cmocka_unit_test(test_rigour__trace_quasi_experimental),
        cmocka_unit_test(test_rigour__from_record),
        cmocka_unit_test(test_rigour__compare),
        cmocka_unit_test(test_rigour__certainty_trace),
        cmocka_unit_test(test_rigour__certainty_start),
        cmocka_unit_test(test_rigour__certainty_downgrades),
        cmocka_unit_test(test_rigour__certainty_combined),
        cmocka_unit_test(test_rigour__eif_crosswalk),
        cmocka_unit_test(test_rigour__blueprints_crosswalk),
        cmocka_unit_test(test_rigour__certainty_invalid),
        cmocka_unit_test(test_rigour__names),
        cmocka_unit_test(test_rigour__wwc_findings),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
