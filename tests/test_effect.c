/*
 * test_effect.c — evidence/effect.c against three kinds of reference:
 * values worked by hand from the published formulas; values from R's
 * metafor 3.8.1 escalc(), produced once and pasted here as constants (the R
 * call is written next to each, so the tests need no R); and the What Works
 * Clearinghouse's own published Hedges' g for every finding in
 * wwc/wwc_Findings.csv that carries the six arm statistics.
 */
#include "helpers.h"
#include "csv_read.h"
#include "../evidence/effect.h"

#include <csv.h>

/* ---- SMD ------------------------------------------------------------------ */

/* With equal SDs the pooled SD is that SD, so g = J(m) * (m1 - m2) / sd, and
 * J has closed forms for small m = n1 + n2 - 2 (Hedges 1981 eq. 6e):
 * J(2) = Gamma(1)/(1 * Gamma(1/2)) = 1/sqrt(pi),
 * J(3) = Gamma(3/2)/(sqrt(3/2) Gamma(1)) = sqrt(pi/6),
 * J(4) = Gamma(2)/(sqrt(2) Gamma(3/2)) = sqrt(2/pi). */
static void test_effect__smd_hand_worked_exact(void **state)
{
    const double pi = 3.14159265358979323846;
    ww_effect e;
    (void)state;

    assert_ww_ok(ww_effect_smd(&e, 5, 2, 2, 3, 2, 2, WW_SMD_EXACT));
    assert_close(e.yi, 1 / sqrt(pi), 1e-14);
    assert_close(e.vi, 1.0 / 2 + 1.0 / 2 + (1 / pi) / (2 * 4), 1e-14);

    assert_ww_ok(ww_effect_smd(&e, 5, 2, 2, 3, 2, 3, WW_SMD_EXACT));
    assert_close(e.yi, sqrt(pi / 6), 1e-14);

    /* d = (10 - 8)/2 = 1; vi = 1/3 + 1/3 + (2/pi)/(2*6) = 2/3 + 1/(6 pi). */
    assert_ww_ok(ww_effect_smd(&e, 10, 2, 3, 8, 2, 3, WW_SMD_EXACT));
    assert_close(e.yi, sqrt(2 / pi), 1e-14);
    assert_close(e.vi, 2.0 / 3 + 1 / (6 * pi), 1e-14);
    assert_int_equal(e.cells_adjusted, 0);
}

/* WWC finding 9 (Too Good for Drugs and Violence): 4.08 (0.58, n 151) vs
 * 3.77 (0.61, n 151). Pooled variance (150*0.58^2 + 150*0.61^2)/300 =
 * 0.35425, d = 0.31/sqrt(0.35425), omega = 1 - 3/(4*302 - 9) = 1196/1199.
 * WWC publishes 0.519539725932417. */
static void test_effect__smd_hand_worked_wwc(void **state)
{
    ww_effect e;
    double g = 0.31 / sqrt(0.35425) * (1196.0 / 1199.0);
    (void)state;

    assert_ww_ok(ww_effect_smd(&e, 4.08, 0.58, 151, 3.77, 0.61, 151, WW_SMD_WWC_APPROX));
    assert_close(e.yi, g, 1e-13);
    assert_close(e.yi, 0.519539725932417, 1e-12);
    assert_close(e.vi, 2.0 / 151 + g * g / 604, 1e-14);
}

/* metafor 3.8.1, printed to 17 significant digits:
 *   escalc("SMD", m1i=4.08, sd1i=0.58, n1i=151, m2i=3.77, sd2i=0.61, n2i=151)
 *   escalc("SMD", m1i=10, sd1i=2, n1i=3, m2i=8, sd2i=2, n2i=3)
 *   escalc("SMD", m1i=20.5, sd1i=4.2, n1i=12, m2i=23.1, sd2i=5.9, n2i=17) */
static void test_effect__smd_metafor(void **state)
{
    ww_effect e;
    (void)state;

    assert_ww_ok(ww_effect_smd(&e, 4.08, 0.58, 151, 3.77, 0.61, 151, WW_SMD_EXACT));
    assert_close(e.yi, 0.51953954463461827, 1e-12);
    assert_close(e.vi, 0.013691922745760176, 1e-12);

    assert_ww_ok(ww_effect_smd(&e, 10, 2, 3, 8, 2, 3, WW_SMD_EXACT));
    assert_close(e.yi, 0.79788456080286529, 1e-12);
    assert_close(e.vi, 0.71971831436396505, 1e-12);

    assert_ww_ok(ww_effect_smd(&e, 20.5, 4.2, 12, 23.1, 5.9, 17, WW_SMD_EXACT));
    assert_close(e.yi, -0.47914302755601235, 1e-12);
    assert_close(e.vi, 0.14611510482881426, 1e-12);
}

/* At N = 300 (m = 298) metafor's exact J is 0.99748075553323901
 * (metafor:::.cmicalc(298)) and WWC's 1 - 3/1191 = 0.9974811083123426: they
 * differ by 3.5367e-7 relative ((cmicalc(298) - (1-3/1191))/cmicalc(298) =
 * -3.5367008500090988e-07), i.e. well under 1e-6. */
static void test_effect__smd_exact_vs_wwc_at_n300(void **state)
{
    ww_effect exact, approx;
    double rel;
    (void)state;

    assert_ww_ok(ww_effect_smd(&exact, 1, 1, 150, 0, 1, 150, WW_SMD_EXACT));
    assert_ww_ok(ww_effect_smd(&approx, 1, 1, 150, 0, 1, 150, WW_SMD_WWC_APPROX));
    assert_close(exact.yi, 0.99748075553323901, 1e-13);
    assert_close(approx.yi, 1 - 3.0 / 1191, 1e-15);
    rel = (exact.yi - approx.yi) / exact.yi;
    assert_close(rel, -3.5367008500090988e-07, 1e-12);
    assert_true(fabs(rel) > 1e-7 && fabs(rel) < 1e-6);
}

/* Arm order sets the sign and nothing else. */
static void test_effect__smd_swap_arms_flips_sign(void **state)
{
    ww_effect ab, ba;
    (void)state;

    assert_ww_ok(ww_effect_smd(&ab, 20.5, 4.2, 12, 23.1, 5.9, 17, WW_SMD_EXACT));
    assert_ww_ok(ww_effect_smd(&ba, 23.1, 5.9, 17, 20.5, 4.2, 12, WW_SMD_EXACT));
    assert_close(ab.yi, -ba.yi, 1e-15);
    assert_close(ab.vi, ba.vi, 1e-15);
}

/* ---- MD ------------------------------------------------------------------- */

/* Hand: -2.6, 4.2^2/12 + 5.9^2/17 = 1.47 + 2.0476470588... metafor:
 *   escalc("MD", m1i=20.5, sd1i=4.2, n1i=12, m2i=23.1, sd2i=5.9, n2i=17)
 *   yi = -2.6000000000000014, vi = 3.5176470588235293 */
static void test_effect__md(void **state)
{
    ww_effect e;
    (void)state;

    assert_ww_ok(ww_effect_md(&e, 20.5, 4.2, 12, 23.1, 5.9, 17));
    assert_close(e.yi, -2.6, 1e-14);
    assert_close(e.vi, 4.2 * 4.2 / 12 + 5.9 * 5.9 / 17, 1e-14);
    assert_close(e.yi, -2.6000000000000014, 1e-14);
    assert_close(e.vi, 3.5176470588235293, 1e-14);
}

/* ---- 2x2 tables ----------------------------------------------------------- */

/* Tables used below (ai, bi, ci, di):
 *   T1 12, 38, 20, 30   no zero cell
 *   T2  0, 25,  6, 19   one zero cell
 *   T3  0, 20,  0, 22   no events in either arm (ai = ci = 0)
 *   T4 15,  0, 12,  0   only events in both arms (bi = di = 0)
 * metafor references: escalc(m, ai=, bi=, ci=, di=) with the defaults
 * add=1/2, to="only0", drop00=FALSE, vtype="LS", for m in "OR", "RR", "RD",
 * "OR2DL", printed to 17 significant digits. */
typedef struct table_case {
    double ai, bi, ci, di;
    int adjusted;
    double or_yi, or_vi, rr_yi, rr_vi, rd_yi, rd_vi, or2dl_yi, or2dl_vi;
} table_case;

static const table_case tables[] = {
    {12, 38, 20, 30, 0, -0.74721440183022125, 0.19298245614035087, -0.51082562376599083,
     0.093333333333333324, -0.16000000000000003, 0.0084480000000000006, -0.41196089080431098,
     0.058659632635037658},
    {0, 25, 6, 19, 1, -2.8332133440562162, 2.2443438914027145, -2.5649493574615363,
     2.0769230769230771, -0.23076923076923078, 0.0079369594902139289, -1.5620323834727954,
     0.68219873873212022},
    {0, 20, 0, 22, 1, 0.093090423066012118, 4.0932249322493224, 0.090971778205726661,
     3.9089026915113871, 0.0020703933747412001, 0.0020314241249759371, 0.05132344012333178,
     1.2441911851494876},
    {15, 0, 12, 0, 1, 0.21511137961694482, 4.1445161290322581, 0.0074720148387009688,
     0.005093052109181137, 0.0072115384615384359, 0.0047368781914969259, 0.11859711931686799,
     1.2597818394549249},
};
#define N_TABLES (sizeof tables / sizeof tables[0])

/* T1 by hand: OR = (12*30)/(38*20) = 360/760; RR = (12/50)/(20/50) = 0.6;
 * RD = 0.24 - 0.40. T2 has 0.5 added to every cell: OR = (0.5*19.5) /
 * (25.5*6.5), RR = (0.5/26)/(6.5/26) = 1/13, RD = (0.5 - 6.5)/26. */
static void test_effect__2x2_hand_worked(void **state)
{
    ww_effect e;
    (void)state;

    assert_ww_ok(ww_effect_log_or(&e, 12, 38, 20, 30));
    assert_close(e.yi, log(360.0 / 760.0), 1e-14);
    assert_close(e.vi, 1.0 / 12 + 1.0 / 38 + 1.0 / 20 + 1.0 / 30, 1e-14);
    assert_ww_ok(ww_effect_log_rr(&e, 12, 38, 20, 30));
    assert_close(e.yi, log(0.6), 1e-14);
    assert_close(e.vi, 1.0 / 12 - 1.0 / 50 + 1.0 / 20 - 1.0 / 50, 1e-14);
    assert_ww_ok(ww_effect_rd(&e, 12, 38, 20, 30));
    assert_close(e.yi, -0.16, 1e-14);
    assert_close(e.vi, 0.24 * 0.76 / 50 + 0.4 * 0.6 / 50, 1e-14);

    assert_ww_ok(ww_effect_log_or(&e, 0, 25, 6, 19));
    assert_int_equal(e.cells_adjusted, 1);
    assert_close(e.yi, log(0.5 * 19.5 / (25.5 * 6.5)), 1e-14);
    assert_close(e.vi, 1 / 0.5 + 1 / 25.5 + 1 / 6.5 + 1 / 19.5, 1e-14);
    assert_ww_ok(ww_effect_log_rr(&e, 0, 25, 6, 19));
    assert_close(e.yi, log(1.0 / 13), 1e-14);
    assert_ww_ok(ww_effect_rd(&e, 0, 25, 6, 19));
    assert_close(e.yi, -6.0 / 26, 1e-14);
}

static void test_effect__2x2_metafor(void **state)
{
    ww_effect e;
    size_t i;
    (void)state;

    for (i = 0; i < N_TABLES; i++) {
        const table_case *t = &tables[i];
        assert_ww_ok(ww_effect_log_or(&e, t->ai, t->bi, t->ci, t->di));
        assert_int_equal(e.cells_adjusted, t->adjusted);
        assert_close(e.yi, t->or_yi, 1e-13);
        assert_close(e.vi, t->or_vi, 1e-13);

        e = ww_effect_log_or_to_smd(e);
        assert_int_equal(e.cells_adjusted, t->adjusted);
        assert_close(e.yi, t->or2dl_yi, 1e-13);
        assert_close(e.vi, t->or2dl_vi, 1e-13);

        assert_ww_ok(ww_effect_log_rr(&e, t->ai, t->bi, t->ci, t->di));
        assert_int_equal(e.cells_adjusted, t->adjusted);
        assert_close(e.yi, t->rr_yi, 1e-13);
        assert_close(e.vi, t->rr_vi, 1e-13);

        assert_ww_ok(ww_effect_rd(&e, t->ai, t->bi, t->ci, t->di));
        assert_int_equal(e.cells_adjusted, t->adjusted);
        assert_close(e.yi, t->rd_yi, 1e-13);
        assert_close(e.vi, t->rd_vi, 1e-13);
    }
}

/* metafor adds 1/2 for RD as well (only AS, PHI, RTET and the single-group
 * transforms default to add=0): T2's RD is -6/26, not the raw
 * 0/25 - 6/25 = -0.24, and T3 (no events anywhere) is not exactly 0. */
static void test_effect__rd_zero_cell_follows_metafor(void **state)
{
    ww_effect e;
    (void)state;

    assert_ww_ok(ww_effect_rd(&e, 0, 25, 6, 19));
    assert_true(fabs(e.yi - -0.24) > 1e-3);
    assert_ww_ok(ww_effect_rd(&e, 0, 20, 0, 22));
    assert_int_equal(e.cells_adjusted, 1);
    assert_close(e.yi, 0.5 / 21 - 0.5 / 23, 1e-15);
    assert_true(e.vi > 0);
}

/* ---- ZCOR, CI, conversions, improvement index ----------------------------- */

/* metafor: escalc("ZCOR", ri=0.35, ni=48) and escalc("ZCOR", ri=-0.8, ni=10). */
static void test_effect__zcor(void **state)
{
    ww_effect e;
    (void)state;

    assert_ww_ok(ww_effect_zcor(&e, 0.35, 48));
    assert_close(e.yi, 0.36544375427139619, 1e-14);
    assert_close(e.vi, 0.022222222222222223, 1e-14);
    assert_ww_ok(ww_effect_zcor(&e, -0.8, 10));
    assert_close(e.yi, -1.0986122886681098, 1e-14); /* atanh(-0.8) = -log(3)/2... */
    assert_close(e.yi, -0.5 * log(9), 1e-14);       /* ...= 0.5 log(0.2/1.8) */
    assert_close(e.vi, 1.0 / 7, 1e-14);
    assert_ww_ok(ww_effect_zcor(&e, 0, 4));
    assert_close(e.yi, 0, 1e-15);
    assert_close(e.vi, 1, 1e-15);
}

/* R: log(1.5) = 0.40546510810816438,
 *    ((log(2.3) - log(1.1)) / (2*qnorm(.975)))^2 = 0.035406614147261373,
 *    ((3.5 - 0.5) / (2*qnorm(.975)))^2 = 0.58571498616076312. */
static void test_effect__from_ci(void **state)
{
    ww_effect e;
    (void)state;

    assert_ww_ok(ww_effect_from_ci(&e, 1.5, 1.1, 2.3, 1));
    assert_close(e.yi, 0.40546510810816438, 1e-14);
    assert_close(e.vi, 0.035406614147261373, 1e-13);
    assert_ww_ok(ww_effect_from_ci(&e, 2.0, 0.5, 3.5, 0));
    assert_close(e.yi, 2.0, 1e-15);
    assert_close(e.vi, 0.58571498616076312, 1e-13);
    /* A bound may equal the estimate (a rounded CI); zero width may not. */
    assert_ww_ok(ww_effect_from_ci(&e, 0.5, 0.5, 3.5, 0));
}

/* Hand: sqrt(3)/pi and 3/pi^2; metafor's OR2DL values are in
 * test_effect__2x2_metafor. */
static void test_effect__log_or_to_smd(void **state)
{
    const double pi = 3.14159265358979323846;
    ww_effect in = {log(2), 0.04, 1}, out;
    (void)state;

    out = ww_effect_log_or_to_smd(in);
    assert_close(out.yi, log(2) * sqrt(3) / pi, 1e-15);
    assert_close(out.vi, 0.04 * 3 / (pi * pi), 1e-15);
    assert_int_equal(out.cells_adjusted, 1);
}

/* R: (pnorm(0.519539725932417) - 0.5) * 100 = 19.830779119528017 (WWC
 * publishes 20 for finding 9), (pnorm(-0.25) - 0.5) * 100 =
 * -9.8706325682923701. */
static void test_effect__improvement_index(void **state)
{
    (void)state;

    assert_close(ww_effect_improvement_index(0), 0, 1e-15);
    assert_close(ww_effect_improvement_index(0.519539725932417), 19.830779119528017, 1e-13);
    assert_int_equal((int)lround(ww_effect_improvement_index(0.519539725932417)), 20);
    assert_close(ww_effect_improvement_index(-0.25), -9.8706325682923701, 1e-13);
    assert_close(ww_effect_improvement_index(-1.3), -ww_effect_improvement_index(1.3), 1e-15);
    assert_close(ww_effect_improvement_index(40), 50, 1e-15);
    assert_true(isnan(ww_effect_improvement_index(NAN)));
}

/* ---- invalid input -------------------------------------------------------- */

/* Expect WW_EDATA and exactly this message, with *out reset to NaN. */
static void expect_edata(int rc, const ww_effect *e, const char *message)
{
    if (rc != WW_EDATA || strcmp(ww_error_last(), message) != 0) {
        print_error("got %d \"%s\", want %d \"%s\"\n", rc, ww_error_last(), WW_EDATA, message);
        fail();
    }
    assert_true(isnan(e->yi) && isnan(e->vi));
    assert_int_equal(e->cells_adjusted, 0);
}

typedef struct arm_case {
    double m1, sd1, n1, m2, sd2, n2;
    const char *message;
} arm_case;

/* Shared by SMD and MD: every field, each way it can be wrong. */
static const arm_case arm_cases[] = {
    {NAN, 1, 10, 0, 1, 10, "mean_treatment: must be a finite number, got nan"},
    {INFINITY, 1, 10, 0, 1, 10, "mean_treatment: must be a finite number, got inf"},
    {0, -1.2, 10, 0, 1, 10, "sd_treatment: must be > 0, got -1.2"},
    {0, 0, 10, 0, 1, 10, "sd_treatment: must be > 0, got 0"},
    {0, NAN, 10, 0, 1, 10, "sd_treatment: must be a finite number, got nan"},
    {0, INFINITY, 10, 0, 1, 10, "sd_treatment: must be a finite number, got inf"},
    {0, 1, 1, 0, 1, 10, "n_treatment: must be >= 2, got 1"},
    {0, 1, 0, 0, 1, 10, "n_treatment: must be >= 2, got 0"},
    {0, 1, -5, 0, 1, 10, "n_treatment: must be >= 2, got -5"},
    {0, 1, 1.5, 0, 1, 10, "n_treatment: must be >= 2, got 1.5"},
    {0, 1, NAN, 0, 1, 10, "n_treatment: must be a finite number, got nan"},
    {0, 1, INFINITY, 0, 1, 10, "n_treatment: must be a finite number, got inf"},
    {0, 1, 10, -INFINITY, 1, 10, "mean_comparison: must be a finite number, got -inf"},
    {0, 1, 10, NAN, 1, 10, "mean_comparison: must be a finite number, got nan"},
    {0, 1, 10, 0, -3, 10, "sd_comparison: must be > 0, got -3"},
    {0, 1, 10, 0, 0, 10, "sd_comparison: must be > 0, got 0"},
    {0, 1, 10, 0, NAN, 10, "sd_comparison: must be a finite number, got nan"},
    {0, 1, 10, 0, 1, 1, "n_comparison: must be >= 2, got 1"},
    {0, 1, 10, 0, 1, -2, "n_comparison: must be >= 2, got -2"},
    {0, 1, 10, 0, 1, INFINITY, "n_comparison: must be a finite number, got inf"},
};
#define N_ARM_CASES (sizeof arm_cases / sizeof arm_cases[0])

static void test_effect__invalid_smd(void **state)
{
    ww_effect e;
    size_t i;
    (void)state;

    for (i = 0; i < N_ARM_CASES; i++) {
        const arm_case *c = &arm_cases[i];
        expect_edata(ww_effect_smd(&e, c->m1, c->sd1, c->n1, c->m2, c->sd2, c->n2, WW_SMD_EXACT),
                     &e, c->message);
        expect_edata(
            ww_effect_smd(&e, c->m1, c->sd1, c->n1, c->m2, c->sd2, c->n2, WW_SMD_WWC_APPROX), &e,
            c->message);
    }
    /* Finite inputs whose difference or pooled SD overflows. */
    expect_edata(ww_effect_smd(&e, 1e308, 1, 10, -1e308, 1, 10, WW_SMD_EXACT), &e,
                 "SMD: result overflows (yi inf, vi inf)");
    expect_edata(ww_effect_smd(&e, 1, 1e200, 10, 0, 1, 10, WW_SMD_EXACT), &e,
                 "SMD: pooled SD overflows (sd_treatment 1e+200, sd_comparison 1)");
    assert_int_equal(ww_effect_smd(&e, 1, 1, 10, 0, 1, 10, (ww_smd_correction)7), WW_EUSAGE);
    assert_non_null(strstr(ww_error_last(), "correction"));
}

static void test_effect__invalid_md(void **state)
{
    ww_effect e;
    size_t i;
    (void)state;

    for (i = 0; i < N_ARM_CASES; i++) {
        const arm_case *c = &arm_cases[i];
        expect_edata(ww_effect_md(&e, c->m1, c->sd1, c->n1, c->m2, c->sd2, c->n2), &e,
                     c->message);
    }
    expect_edata(ww_effect_md(&e, 1e308, 1, 10, -1e308, 1, 10), &e,
                 "MD: result overflows (yi inf, vi 0.2)");
}

typedef struct cells_case {
    double ai, bi, ci, di;
    const char *message;
} cells_case;

static const cells_case cells_cases[] = {
    {-1, 10, 5, 5, "events_treatment: must be >= 0, got -1"},
    {NAN, 10, 5, 5, "events_treatment: must be a finite number, got nan"},
    {INFINITY, 10, 5, 5, "events_treatment: must be a finite number, got inf"},
    /* 12 events among 10 people, passed as bi = 10 - 12 */
    {12, -2, 5, 5,
     "nonevents_treatment: must be >= 0, got -2 (events_treatment larger than the group size?)"},
    {2, NAN, 5, 5, "nonevents_treatment: must be a finite number, got nan"},
    {2, 8, -0.5, 5, "events_comparison: must be >= 0, got -0.5"},
    {2, 8, INFINITY, 5, "events_comparison: must be a finite number, got inf"},
    {2, 8, 7, -2,
     "nonevents_comparison: must be >= 0, got -2 (events_comparison larger than the group size?)"},
    {2, 8, 7, -INFINITY, "nonevents_comparison: must be a finite number, got -inf"},
    {0, 0, 5, 5, "treatment arm: no participants (events and non-events are 0)"},
    {2, 8, 0, 0, "comparison arm: no participants (events and non-events are 0)"},
};
#define N_CELLS_CASES (sizeof cells_cases / sizeof cells_cases[0])

static void test_effect__invalid_2x2(void **state)
{
    ww_effect e;
    size_t i;
    (void)state;

    for (i = 0; i < N_CELLS_CASES; i++) {
        const cells_case *c = &cells_cases[i];
        expect_edata(ww_effect_log_or(&e, c->ai, c->bi, c->ci, c->di), &e, c->message);
        expect_edata(ww_effect_log_rr(&e, c->ai, c->bi, c->ci, c->di), &e, c->message);
        expect_edata(ww_effect_rd(&e, c->ai, c->bi, c->ci, c->di), &e, c->message);
    }
}

static void test_effect__invalid_zcor(void **state)
{
    ww_effect e;
    (void)state;

    expect_edata(ww_effect_zcor(&e, 1, 50), &e, "r: must be > -1 and < 1, got 1");
    expect_edata(ww_effect_zcor(&e, -1, 50), &e, "r: must be > -1 and < 1, got -1");
    expect_edata(ww_effect_zcor(&e, 1.2, 50), &e, "r: must be > -1 and < 1, got 1.2");
    expect_edata(ww_effect_zcor(&e, NAN, 50), &e, "r: must be a finite number, got nan");
    expect_edata(ww_effect_zcor(&e, 0.3, 3), &e, "n_pairs: must be > 3, got 3");
    expect_edata(ww_effect_zcor(&e, 0.3, -10), &e, "n_pairs: must be > 3, got -10");
    expect_edata(ww_effect_zcor(&e, 0.3, INFINITY), &e,
                 "n_pairs: must be a finite number, got inf");
}

static void test_effect__invalid_from_ci(void **state)
{
    ww_effect e;
    (void)state;

    expect_edata(ww_effect_from_ci(&e, NAN, 1, 2, 0), &e,
                 "estimate: must be a finite number, got nan");
    expect_edata(ww_effect_from_ci(&e, 1, -INFINITY, 2, 0), &e,
                 "ci_low: must be a finite number, got -inf");
    expect_edata(ww_effect_from_ci(&e, 1, 0, NAN, 0), &e,
                 "ci_high: must be a finite number, got nan");
    expect_edata(ww_effect_from_ci(&e, 1, 2, 0.5, 0), &e, "ci_low: must be < ci_high (0.5), got 2");
    expect_edata(ww_effect_from_ci(&e, 1, 1, 1, 0), &e, "ci_low: must be < ci_high (1), got 1");
    expect_edata(ww_effect_from_ci(&e, 3, 1, 2, 0), &e,
                 "estimate: must lie within [ci_low, ci_high] = [1, 2], got 3");
    expect_edata(ww_effect_from_ci(&e, 0, 0, 2, 1), &e, "estimate: must be > 0, got 0");
    expect_edata(ww_effect_from_ci(&e, 1, -0.2, 2, 1), &e, "ci_low: must be > 0, got -0.2");
    expect_edata(ww_effect_from_ci(&e, 1, 0.5, 0, 1), &e, "ci_high: must be > 0, got 0");
    /* The same interval is fine on the natural scale. */
    assert_ww_ok(ww_effect_from_ci(&e, 1, -0.2, 2, 0));
}

static void test_effect__null_out(void **state)
{
    (void)state;

    assert_int_equal(ww_effect_smd(NULL, 1, 1, 10, 0, 1, 10, WW_SMD_EXACT), WW_EUSAGE);
    assert_int_equal(ww_effect_md(NULL, 1, 1, 10, 0, 1, 10), WW_EUSAGE);
    assert_int_equal(ww_effect_log_or(NULL, 1, 1, 1, 1), WW_EUSAGE);
    assert_int_equal(ww_effect_log_rr(NULL, 1, 1, 1, 1), WW_EUSAGE);
    assert_int_equal(ww_effect_rd(NULL, 1, 1, 1, 1), WW_EUSAGE);
    assert_int_equal(ww_effect_zcor(NULL, 0.1, 10), WW_EUSAGE);
    assert_int_equal(ww_effect_from_ci(NULL, 1, 0, 2, 0), WW_EUSAGE);
    assert_non_null(strstr(ww_error_last(), "out is NULL"));
}

/* ---- WWC findings --------------------------------------------------------- */

/* The WWC export (April 2020, wwc/wwc_Findings.csv: 6,972 findings) gives,
 * for many findings, both arms' means, SDs and analysed sample sizes next to
 * WWC's own Hedges' g (Effect_Size_WWC, WWC approximate correction). We
 * recompute g for every finding with all seven numbers and sort each into
 * one of these categories (counts measured on this file):
 *
 *   1993 findings carry all seven numbers; of these
 *     18 are rejected with WW_EDATA: 12 with an SD of 0 in one or both
 *        arms (floor effects in small phonological-awareness studies, e.g.
 *        0.4 (1.4) vs 0.0 (0.0); WWC printed a g anyway) and 6 with a
 *        comparison n of 0 (the 16-state charter-school study, up to 1.4
 *        million students, whose comparison count was not entered);
 *   1909 agree with WWC to 1e-12 relative (the largest difference is a few
 *        ulp). So Effect_Size_WWC keeps the raw intervention-minus-
 *        comparison sign even when lower is better: in 89 of these WWC's
 *        Improvement_Index has the opposite sign to g, mostly outcomes where
 *        lower is better (problem behaviour, substance use, absences,
 *        dropping out), because the index follows the direction of
 *        improvement (and is sometimes computed from the study's own
 *        effect size), the g does not;
 *     66 differ. All 66 lie in one block of later reviews (FindingID 5106 to
 *        5629; the 132 other findings of that block compared here agree),
 *        and split into
 *        27 explained by the export's rounding: the published g lies inside
 *           the range g takes when each printed mean and SD moves by half a
 *           unit in its last printed decimal (WWC computed from unrounded
 *           statistics the export does not carry);
 *        39 not explained by rounding: WWC's g was computed from other
 *           statistics than the printed unadjusted means — covariate-adjusted
 *           means or a difference-in-differences baseline adjustment
 *           (Handbook v4.1 appendix E) — which is why 6 of them even have
 *           the opposite sign. Three of those six are "Absences (days)"
 *           outcomes (Early College High School) where WWC signed g by
 *           improvement, the only such rows in the file.
 *   Cluster designs are not a category: 756 of the 1909 agreeing findings
 *   have cluster counts, and WWC's cluster correction changes the p-value,
 *   not g. */

#define WWC_COLUMNS 32

enum wwc_field {
    F_FINDING_ID,
    F_OUTCOME,
    F_MEAN_T,
    F_MEAN_C,
    F_SD_T,
    F_SD_C,
    F_N_T,
    F_N_C,
    F_ES_WWC,
    F_IMPROVEMENT,
    F_CLUSTERS_T,
    N_FIELDS
};

static const char *const wwc_names[N_FIELDS] = {
    "FindingID",
    "Outcome_Measure",
    "Intervention_Mean",
    "Comparison_Mean",
    "Intervention_Standard_Deviation",
    "Comparison_Standard_Deviation",
    "Outcome_Measure_Intervention_Sample_Size",
    "Outcome_Measure_Comparison_Sample_Size",
    "Effect_Size_WWC",
    "Improvement_Index",
    "Intervention_Clusters_Sample_Size",
};

typedef struct wwc_stats {
    /* parsing */
    long rows;        /* data rows */
    long bad_width;   /* rows without WWC_COLUMNS fields */
    long bad_number;  /* a non-empty field of ours that is not a number */
    int header_done;
    int column[N_FIELDS]; /* index of each field by header name; -1 = missing */
    char *cell[WWC_COLUMNS];
    int ncell;
    int oom;
    /* categories */
    long complete;
    long rejected_sd, rejected_n, rejected_other;
    long exact, exact_clustered, exact_ii_opposite, exact_in_block;
    long rounding, adjusted, adjusted_opposite, absences_flipped;
    long differ_outside_block;
    double max_rel_diff;
    int first_seen;
    double first_g;
} wwc_stats;

static int parse_number(const char *s, double *out)
{
    char *end;
    if (!s || !*s)
        return 0;
    *out = strtod(s, &end);
    return *end == '\0' && isfinite(*out) ? 1 : -1;
}

static int decimals(const char *s)
{
    const char *dot = strchr(s, '.');
    return dot ? (int)strlen(dot + 1) : 0;
}

/* Half a unit in the last printed decimal of a pair of statistics. The
 * export drops trailing zeros ("1519" next to "1499.21" is 1519.00), so
 * the pair is taken to the larger of its two decimal counts:
 * ("138.71", "135.3") -> 0.005. */
static double half_unit(const char *a, const char *b)
{
    int da = decimals(a), db = decimals(b);
    return 0.5 * pow(10, -(da > db ? da : db));
}

static double wwc_g(double m1, double sd1, double n1, double m2, double sd2, double n2)
{
    return (m1 - m2) / sqrt(((n1 - 1) * sd1 * sd1 + (n2 - 1) * sd2 * sd2) / (n1 + n2 - 2)) *
           (1 - 3 / (4 * (n1 + n2) - 9));
}

/* Is es reachable by rounding? g is monotone in each mean and, for a fixed
 * numerator sign, in each SD, so the extremes are at the corners. */
static int within_rounding(const char *const *txt, const double *v, double es)
{
    double hm = 2 * half_unit(txt[F_MEAN_T], txt[F_MEAN_C]);
    double hs = half_unit(txt[F_SD_T], txt[F_SD_C]);
    double lo = INFINITY, hi = -INFINITY;
    int i, j, k;

    for (i = -1; i <= 1; i += 2)
        for (j = -1; j <= 1; j += 2)
            for (k = -1; k <= 1; k += 2) {
                double sd1 = v[F_SD_T] + j * hs, sd2 = v[F_SD_C] + k * hs, g;
                if (sd1 <= 0 || sd2 <= 0)
                    continue;
                g = wwc_g(v[F_MEAN_T] - v[F_MEAN_C] + i * hm, sd1, v[F_N_T], 0, sd2, v[F_N_C]);
                lo = fmin(lo, g);
                hi = fmax(hi, g);
            }
    return es >= lo - 1e-12 && es <= hi + 1e-12;
}

static void wwc_row(wwc_stats *st)
{
    const char *txt[N_FIELDS];
    double v[N_FIELDS];
    int have[N_FIELDS], f, rc;
    double finding_id, ii, rel;
    ww_effect e;

    for (f = 0; f < N_FIELDS; f++) {
        txt[f] = st->column[f] >= 0 ? st->cell[st->column[f]] : "";
        have[f] = parse_number(txt[f], &v[f]);
        if (have[f] < 0 && f != F_OUTCOME)
            st->bad_number++;
    }
    for (f = F_MEAN_T; f <= F_ES_WWC; f++)
        if (have[f] != 1)
            return;
    st->complete++;
    finding_id = have[F_FINDING_ID] == 1 ? v[F_FINDING_ID] : -1;

    rc = ww_effect_smd(&e, v[F_MEAN_T], v[F_SD_T], v[F_N_T], v[F_MEAN_C], v[F_SD_C], v[F_N_C],
                       WW_SMD_WWC_APPROX);
    if (rc == WW_EDATA && strncmp(ww_error_last(), "sd_", 3) == 0) {
        st->rejected_sd++;
        return;
    }
    if (rc == WW_EDATA && strncmp(ww_error_last(), "n_", 2) == 0) {
        st->rejected_n++;
        return;
    }
    if (rc < 0) {
        st->rejected_other++;
        return;
    }

    if (finding_id == 9) {
        st->first_seen = 1;
        st->first_g = e.yi;
    }
    rel = fabs(e.yi - v[F_ES_WWC]) / fmax(1, fabs(v[F_ES_WWC]));
    if (rel <= 1e-12) {
        st->exact++;
        st->max_rel_diff = fmax(st->max_rel_diff, rel);
        if (*txt[F_CLUSTERS_T])
            st->exact_clustered++;
        if (finding_id >= 5106 && finding_id <= 5629)
            st->exact_in_block++;
        ii = v[F_IMPROVEMENT];
        if (have[F_IMPROVEMENT] == 1 && fabs(ii) >= 1 && ii * e.yi < 0)
            st->exact_ii_opposite++;
        return;
    }
    if (!(finding_id >= 5106 && finding_id <= 5629))
        st->differ_outside_block++;
    if (within_rounding(txt, v, v[F_ES_WWC])) {
        st->rounding++;
        return;
    }
    st->adjusted++;
    if (e.yi * v[F_ES_WWC] < 0) {
        st->adjusted_opposite++;
        if (strncmp(txt[F_OUTCOME], "Absences", 8) == 0)
            st->absences_flipped++;
    }
}

static void wwc_field(void *s, size_t len, void *data)
{
    wwc_stats *st = data;
    (void)len;
    if (st->ncell < WWC_COLUMNS) {
        st->cell[st->ncell] = strdup(s ? (const char *)s : "");
        if (!st->cell[st->ncell])
            st->oom = 1;
    }
    st->ncell++;
}

static void wwc_clear_row(wwc_stats *st)
{
    int i;
    for (i = 0; i < st->ncell && i < WWC_COLUMNS; i++) {
        free(st->cell[i]);
        st->cell[i] = NULL;
    }
    st->ncell = 0;
}

static void wwc_end_row(int c, void *data)
{
    wwc_stats *st = data;
    int i, f;
    (void)c;

    if (st->ncell != WWC_COLUMNS || st->oom) {
        st->bad_width++;
    } else if (!st->header_done) {
        for (f = 0; f < N_FIELDS; f++) {
            st->column[f] = -1;
            for (i = 0; i < WWC_COLUMNS; i++)
                if (strcmp(st->cell[i], wwc_names[f]) == 0)
                    st->column[f] = i;
        }
        st->header_done = 1;
    } else {
        st->rows++;
        wwc_row(st);
    }
    wwc_clear_row(st);
}

static void test_effect__wwc_findings(void **state)
{
    char path[4096];
    wwc_stats st;
    int f;
    (void)state;

    memset(&st, 0, sizeof st);
    SHARED_PATH(path, "wwc/wwc_Findings.csv");
    assert_int_equal(test_csv_read(path, wwc_field, wwc_end_row, &st), 0);
    wwc_clear_row(&st);

    /* The file as SOURCES.md describes it, every column found by name. */
    assert_true(st.header_done);
    for (f = 0; f < N_FIELDS; f++)
        assert_true(st.column[f] >= 0);
    assert_int_equal(st.rows, 6972);
    assert_int_equal(st.bad_width, 0);
    assert_int_equal(st.bad_number, 0);

    /* The first finding, to WWC's printed precision. */
    assert_true(st.first_seen);
    assert_close(st.first_g, 0.519539725932417, 1e-12);

    /* The categories described above. */
    assert_int_equal(st.complete, 1993);
    assert_int_equal(st.rejected_sd, 12);
    assert_int_equal(st.rejected_n, 6);
    assert_int_equal(st.rejected_other, 0);
    assert_int_equal(st.exact, 1909);
    assert_true(st.max_rel_diff < 1e-14);
    assert_int_equal(st.exact_clustered, 756);
    assert_int_equal(st.exact_ii_opposite, 89);
    assert_int_equal(st.exact_in_block, 132);
    assert_int_equal(st.differ_outside_block, 0);
    assert_int_equal(st.rounding, 27);
    assert_int_equal(st.adjusted, 39);
    assert_int_equal(st.adjusted_opposite, 6);
    assert_int_equal(st.absences_flipped, 3);
    assert_int_equal(st.complete, st.rejected_sd + st.rejected_n + st.exact + st.rounding +
                                      st.adjusted);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_effect__smd_hand_worked_exact),
        cmocka_unit_test(test_effect__smd_hand_worked_wwc),
        cmocka_unit_test(test_effect__smd_metafor),
        cmocka_unit_test(test_effect__smd_exact_vs_wwc_at_n300),
        cmocka_unit_test(test_effect__smd_swap_arms_flips_sign),
        cmocka_unit_test(test_effect__md),
        cmocka_unit_test(test_effect__2x2_hand_worked),
        cmocka_unit_test(test_effect__2x2_metafor),
        cmocka_unit_test(test_effect__rd_zero_cell_follows_metafor),
        cmocka_unit_test(test_effect__zcor),
        cmocka_unit_test(test_effect__from_ci),
        cmocka_unit_test(test_effect__log_or_to_smd),
        cmocka_unit_test(test_effect__improvement_index),
        cmocka_unit_test(test_effect__invalid_smd),
        cmocka_unit_test(test_effect__invalid_md),
        cmocka_unit_test(test_effect__invalid_2x2),
        cmocka_unit_test(test_effect__invalid_zcor),
        cmocka_unit_test(test_effect__invalid_from_ci),
        cmocka_unit_test(test_effect__null_out),
        cmocka_unit_test(test_effect__wwc_findings),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
