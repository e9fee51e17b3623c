/*
 * test_synthesis.c — the pooled effect per intervention and outcome domain:
 * conversions onto the SMD scale with positive = beneficial, one value per
 * study, and pooling (FE for one study, REML for more) against R's metafor.
 * Reference values were produced once with metafor 3.8-1 (R calls beside
 * each); the tests do not need R.
 */
#include "helpers.h"

#include "../evidence/synthesis.h"

static ww_synth_effect effect(int64_t study, const char *metric, double yi, double vi, int hib,
                              long n)
{
    ww_synth_effect e;
    e.study_id = study;
    e.metric = metric;
    e.yi = yi;
    e.vi = vi;
    e.higher_is_better = hib;
    e.n_participants = n;
    return e;
}

/* rma(yi=c(0.2,0.5,-0.1), vi=c(0.04,0.09,0.02), method="REML",
 *     control=list(threshold=1e-12)) and predict(): metafor's default
 *     threshold (1e-5) stops earlier than our 1e-10. */
static void test_synthesis__reml_matches_metafor(void **state)
{
    ww_synth_effect e[3];
    ww_synth_study st[3];
    ww_synth_result r;
    double wsum = 0;
    (void)state;
    e[0] = effect(1, "SMD", 0.2, 0.04, 1, 100);
    e[1] = effect(2, "SMD", 0.5, 0.09, 1, 50);
    e[2] = effect(3, "SMD", -0.1, 0.02, 1, 200);
    assert_ww_ok(ww_synthesise(&r, st, e, 3));
    assert_string_equal(r.method, "REML");
    assert_int_equal(r.k, 3);
    assert_int_equal(r.n_effects, 3);
    assert_int_equal(r.n_participants, 350);
    assert_close(r.estimate, 0.12667244844390058, 1e-9);
    assert_close(r.se, 0.16432381944080302, 1e-9);
    assert_close(r.ci_low, -0.19539631946213604, 1e-9);
    assert_close(r.ci_high, 0.44874121634993719, 1e-9);
    assert_close(r.tau2, 0.039647195225261216, 1e-9);
    assert_close(r.i2, 48.95892374495179, 1e-9);
    assert_close(r.q, 3.9193548387096784, 1e-12);
    assert_close(r.pi_low, -0.379322965640431, 1e-9);
    assert_close(r.pi_high, 0.63266786252823215, 1e-9);
    /* per-study weights 1/(v + tau2), in percent, in study order */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(st[i].study_id, i + 1);
        wsum += st[i].weight_pct;
    }
    assert_close(wsum, 100, 1e-12);
    assert_close(st[0].weight_pct / st[2].weight_pct, (0.02 + r.tau2) / (0.04 + r.tau2), 1e-12);
    assert_true(isfinite(r.egger_p));
}

/* Lower-is-better outcomes are flipped: the same evidence told the other way
 * round gives the same pooled result. */
static void test_synthesis__direction_is_normalised(void **state)
{
    ww_synth_effect up[3], down[3];
    ww_synth_result a, b;
    (void)state;
    up[0] = effect(1, "SMD", 0.2, 0.04, 1, -1);
    up[1] = effect(2, "SMD", 0.5, 0.09, 1, -1);
    up[2] = effect(3, "SMD", -0.1, 0.02, 1, -1);
    for (int i = 0; i < 3; i++) down[i] = effect(up[i].study_id, "SMD", -up[i].yi, up[i].vi, 0, -1);
    assert_ww_ok(ww_synthesise(&a, NULL, up, 3));
    assert_ww_ok(ww_synthesise(&b, NULL, down, 3));
    assert_close(b.estimate, a.estimate, 1e-14);
    assert_close(b.ci_low, a.ci_low, 1e-14);
    assert_int_equal(b.n_participants, -1); /* no study reports its N: unknown, not 0 */
    assert_int_equal(b.k_without_n, 3);
}

/* log OR to SMD: escalc(measure="OR2DL", ai=12, bi=38, ci=20, di=30) gives
 * yi = -0.41196089080431098, vi = 0.058659632635037658 from the log OR
 * escalc(measure="OR", ...) = -0.74721440183022125, vi 0.19298245614035087. */
static void test_synthesis__odds_ratio_converted(void **state)
{
    ww_synth_effect e = effect(1, "OR", -0.74721440183022125, 0.19298245614035087, 1, 100);
    ww_synth_result r;
    double y, v;
    (void)state;
    assert_int_equal(ww_synth_to_smd(&y, &v, &e), 1);
    assert_close(y, -0.41196089080431098, 1e-14);
    assert_close(v, 0.058659632635037658, 1e-14);
    /* fewer events of a bad outcome: beneficial */
    e.higher_is_better = 0;
    assert_ww_ok(ww_synthesise(&r, NULL, &e, 1));
    assert_string_equal(r.method, "FE");
    assert_close(r.estimate, 0.41196089080431098, 1e-14);
    assert_close(r.ci_low, 0.41196089080431098 - 1.959963984540054 * sqrt(0.058659632635037658), 1e-12);
    assert_true(isnan(r.tau2));
}

/* Fisher's z to d by hand: r = 0.3, z = atanh(0.3), d = 2r/sqrt(1-r^2),
 * var(d) = 4 var(z) / (1 - r^2). */
static void test_synthesis__fisher_z_converted(void **state)
{
    ww_synth_effect e = effect(1, "ZCOR", atanh(0.3), 1.0 / 97, 1, 100);
    double y, v;
    (void)state;
    assert_int_equal(ww_synth_to_smd(&y, &v, &e), 1);
    assert_close(y, 0.6 / sqrt(0.91), 1e-14);
    assert_close(v, 4.0 / 97 / 0.91, 1e-14);
}

/* Several effects of one study are averaged (so are their variances), and
 * scales that cannot be converted are counted, not pooled. */
static void test_synthesis__one_value_per_study(void **state)
{
    ww_synth_effect e[5];
    ww_synth_result r;
    (void)state;
    e[0] = effect(7, "SMD", 0.4, 0.05, 1, 300);
    e[1] = effect(7, "SMD", 0.2, 0.03, 1, 280);
    e[2] = effect(7, "MD", 3.0, 1.0, 1, 300);
    e[3] = effect(7, "RR", 0.1, 0.01, 0, 300);
    e[4] = effect(7, "RD", 0.05, 0.001, 0, 300);
    assert_ww_ok(ww_synthesise(&r, NULL, e, 5));
    assert_int_equal(r.k, 1);
    assert_int_equal(r.n_effects, 2);
    assert_int_equal(r.n_other_scale, 3);
    assert_int_equal(r.n_participants, 300); /* the study's largest N, once */
    assert_close(r.estimate, 0.3, 1e-14);
    assert_close(r.se, sqrt(0.04), 1e-14);
}

static void test_synthesis__nothing_poolable_and_bad_variance(void **state)
{
    ww_synth_effect e[2];
    ww_synth_result r;
    (void)state;
    e[0] = effect(1, "MD", 3.0, 1.0, 1, 10);
    assert_ww_ok(ww_synthesise(&r, NULL, e, 1));
    assert_int_equal(r.k, 0);
    assert_true(isnan(r.estimate));
    assert_ww_ok(ww_synthesise(&r, NULL, e, 0));
    assert_int_equal(r.k, 0);
    e[1] = effect(2, "SMD", 0.1, 0.0, 1, 10);
    assert_int_equal(ww_synthesise(&r, NULL, e, 2), WW_EDATA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synthesis__reml_matches_metafor),
        cmocka_unit_test(test_synthesis__direction_is_normalised),
        cmocka_unit_test(test_synthesis__odds_ratio_converted),
        cmocka_unit_test(test_synthesis__fisher_z_converted),
        cmocka_unit_test(test_synthesis__one_value_per_study),
        cmocka_unit_test(test_synthesis__nothing_poolable_and_bad_variance),
    };
    test_filter_from_env();
    return cmocka_run_group_tests_name("synthesis", tests, NULL, NULL);
}
