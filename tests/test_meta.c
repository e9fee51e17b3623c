/*
 * test_meta.c — evidence/meta.c and `whatworks meta` against outside truth:
 *  - R's metafor 3.8-1 on four published data sets that ship with it: the 13
 *    BCG vaccine trials (Colditz et al. 1994, dat.bcg; log RR), passive
 *    smoking and lung cancer (Hackshaw et al. 1998, dat.hackshaw1998; log
 *    OR), specialist stroke care and length of stay (Normand 1999,
 *    dat.normand1999; MD and SMD) and conscientiousness and adherence
 *    (Molloy et al. 2014, dat.molloy2014; Fisher's z). The values were
 *    produced once by tests/fixtures/meta/make_reference.R (which also
 *    wrote the fixture CSVs) and are pasted below with the R call above
 *    each; this file never runs R.
 *  - RevMan 5's own Mantel-Haenszel odds ratio, CI, Q (CHI2), I2, Z and
 *    per-study variances and weights for the aspirin trials, read here
 *    with libxml2 from ../shared/data/revman/Fleiss1993.rm5.
 * Agreement with metafor is asked to 1e-9 relative (REML and PM are run in
 * R to the same convergence as here; see make_reference.R). The largest
 * relative difference seen per data set is printed at the end of the run.
 * The CLI tests run the built binary ($WW_BIN) on the fixtures.
 */
#include "helpers.h"
#include "../evidence/effect.h"
#include "../evidence/meta.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <sys/wait.h>
#include <unistd.h>

/* The tolerance against metafor (relative; absolute where the value is 0). */
#define TOL 1e-9

/* ---- comparing with a reference ------------------------------------------ */

enum {
    SET_BCG,
    SET_REVMAN,
    SET_REVMAN_P,
    SET_ASPIRIN_METAFOR,
    SET_HACKSHAW,
    SET_NORMAND,
    SET_MOLLOY,
    N_SETS
};
static const char *const set_names[N_SETS] = {
    "BCG trials (metafor)",
    "Fleiss 1993 aspirin (RevMan 5, from the .rm5)",
    "Fleiss 1993 aspirin p-values (RevMan 5's own normal and chi-square tails)",
    "Fleiss 1993 aspirin (metafor)",
    "Hackshaw 1998 (metafor)",
    "Normand 1999 (metafor)",
    "Molloy 2014 (metafor)"};
static double max_rel[N_SETS];

/* The relative difference, or the absolute one when want is 0. */
static double rel_diff(double got, double want)
{
    if (want == 0) return fabs(got);
    return fabs(got - want) / fabs(want);
}

static void check_value(int set, const char *what, double got, double want, double tol)
{
    double d = rel_diff(got, want);
    if (isnan(d) || d > max_rel[set]) max_rel[set] = isnan(d) ? INFINITY : d;
    if (!(d <= tol)) {
        print_error("%s: %s = %.17g, want %.17g (relative difference %.3g > %g)\n", set_names[set],
                    what, got, want, d, tol);
        fail();
    }
}

#define CHECK(set, got, want, tol) check_value(set, #got, got, want, tol)

/* A fit as metafor reports it: coef, se, ci.lb, ci.ub, zval (or tval), pval,
 * tau2, I2, H2, QE, QEp and predict()'s pi.lb, pi.ub. */
typedef struct ref_fit {
    double estimate, se, ci_low, ci_high, stat, p, tau2, i2, h2, q, q_p, pi_low, pi_high;
} ref_fit;

static void check_fit(int set, const ww_meta_result *r, const ref_fit *w, double tol)
{
    CHECK(set, r->estimate, w->estimate, tol);
    CHECK(set, r->se, w->se, tol);
    CHECK(set, r->ci_low, w->ci_low, tol);
    CHECK(set, r->ci_high, w->ci_high, tol);
    CHECK(set, r->stat, w->stat, tol);
    CHECK(set, r->p, w->p, tol);
    CHECK(set, r->tau2, w->tau2, tol);
    CHECK(set, r->tau, sqrt(w->tau2), tol);
    CHECK(set, r->i2, w->i2, tol);
    CHECK(set, r->h2, w->h2, tol);
    CHECK(set, r->q, w->q, tol);
    CHECK(set, r->q_p, w->q_p, tol);
    CHECK(set, r->pi_low, w->pi_low, tol);
    CHECK(set, r->pi_high, w->pi_high, tol);
}

static ww_meta_pool_opts opts_of(ww_meta_method method, int knha)
{
    ww_meta_pool_opts o = {method, knha, WW_META_RD_VAR_SGR};
    return o;
}

/* ---- fixtures ---------------------------------------------------------------- */

/* Read a fixture CSV written by make_reference.R: a header, then rows of a
 * quoted study label followed by ncols numbers. Returns the row count. */
static size_t load_fixture(const char *name, size_t ncols, double *out, size_t max_rows)
{
    char path[512], rel[256], line[1024];
    size_t rows = 0;
    FILE *fp;
    snprintf(rel, sizeof rel, "tests/fixtures/meta/%s", name);
    fp = fopen(TOP_PATH(path, rel), "r");
    if (!fp) {
        print_error("cannot open %s\n", path);
        fail();
    }
    if (!fgets(line, sizeof line, fp)) fail();
    while (fgets(line, sizeof line, fp) && rows < max_rows) {
        char *p = line, *end;
        if (*p == '"') p = strchr(p + 1, '"');
        assert_non_null(p);
        p = strchr(p, ',');
        for (size_t c = 0; c < ncols; c++) {
            assert_non_null(p);
            out[rows * ncols + c] = strtod(p + 1, &end);
            assert_true(end != p + 1);
            p = strchr(end, ',');
        }
        rows++;
    }
    fclose(fp);
    return rows;
}

/* dat.bcg (metafor 3.8-1; Colditz et al. 1994, JAMA 271): tpos, tneg, cpos,
 * cneg, and alloc as 0 alternate, 1 random, 2 systematic. */
static const double bcg_tables[13][4] = {
    {4, 119, 11, 128},       {6, 300, 29, 274},        {3, 228, 11, 209},
    {62, 13536, 248, 12619}, {33, 5036, 47, 5761},     {180, 1361, 372, 1079},
    {8, 2537, 10, 619},      {505, 87886, 499, 87892}, {29, 7470, 45, 7232},
    {17, 1699, 65, 1600},    {186, 50448, 141, 27197}, {5, 2493, 3, 2338},
    {27, 16886, 29, 17825}};
static const size_t bcg_alloc[13] = {1, 1, 1, 1, 0, 0, 1, 1, 1, 2, 2, 2, 2};

static void bcg_table_array(ww_meta_table *t)
{
    for (size_t i = 0; i < 13; i++) {
        t[i].ai = bcg_tables[i][0];
        t[i].bi = bcg_tables[i][1];
        t[i].ci = bcg_tables[i][2];
        t[i].di = bcg_tables[i][3];
    }
}

/* ---- reference values (make_reference.R; R 4.2.2, metafor 3.8-1) -------------
 * ctl is list(threshold = 1e-10, tol = 1e-15, maxiter = 1000); d is the
 * escalc() of the data set named in each section. */

/* ---- dat.bcg, measure RR (Colditz et al. 1994) ---- */

/* escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)$yi */
static const double bcg_yi[] = {-0.88931133392020545, -1.5853886572014306,  -1.3480731482996933,
                                -1.4415511900213054,  -0.21754732221129558, -0.78611558581886398,
                                -1.6208982235983918,  0.011952333523840508, -0.4694176487381494,
                                -1.3713448034727844,  -0.33935882833839059, 0.44591340057137874,
                                -0.017313948216879815};

/* ... $vi */
static const double bcg_vi[] = {0.32558476500396133,  0.19458112139814385,   0.41536796536796539,
                                0.020010031902247573, 0.051210172169630863,  0.0069056184559087574,
                                0.22301724757231517,  0.0039615792978177295, 0.056434210463248966,
                                0.07302479361302891,  0.01241221397155972,   0.53250584520015276,
                                0.071404659683986293};

/* rma(yi, vi, data=d, method="FE", control=ctl) */
static const ref_fit bcg_fe = {
    -0.43028516365409092,
    0.040498751710863812,
    -0.5096612584262139,
    -0.35090906888196793,
    -10.624652501046512,
    2.2886293069732448e-26,
    0,
    92.117346854562058,
    12.686084006864441,
    152.23300808237329,
    1.9967645908459738e-26,
    -0.5096612584262139,
    -0.35090906888196793,
};

/* rma(yi, vi, data=d, method="DL", control=ctl) */
static const ref_fit bcg_dl = {
    -0.71411722207322692, 0.1787420895354031,    -1.0644452800840507,    -0.36378916406240319,
    -3.9952381888865807,  6.462924304703998e-05, 0.30876026286237618,    92.117346854562058,
    12.686084006864441,   152.23300808237329,    1.9967645908459738e-26, -1.8581537527321683,
    0.42991930858571437,
};

/* rma(yi, vi, data=d, method="REML", control=ctl) */
static const ref_fit bcg_reml = {
    -0.71453234215816797, 0.17978151610527798,    -1.0668976388105205,    -0.36216704550581547,
    -3.9744483061303479,  7.0542581016842768e-05, 0.31324325813679349,    92.221384521276121,
    12.855758235320996,   152.23300808237329,     1.9967645908459738e-26, -1.8666922179034797,
    0.43762753358714379,
};

/* rma(yi, vi, data=d, method="PM", control=ctl) */
static const ref_fit bcg_pm = {
    -0.71496815349344411, 0.18089219153762351,    -1.0695103339917074,    -0.36042597299518092,
    -3.9524544836129034,  7.7353646079027561e-05, 0.31806845220502394,    92.330337954153251,
    13.03838414290386,    152.23300808237329,     1.9967645908459738e-26, -1.875807082484017,
    0.44587077549712861,
};

/* rma(yi, vi, data=d, method="HE", control=ctl) */
static const ref_fit bcg_he = {
    -0.71587858875873545, 0.18327998598878223,    -1.0751007603837544,    -0.3566564171337166,
    -3.9059288710473345,  9.3864121411667674e-05, 0.32856385799576882,    92.557097406627079,
    13.435618529931977,   152.23300808237329,     1.9967645908459738e-26, -1.8953721661240945,
    0.46361498860662376,
};

/* rma(yi, vi, data=d, method="SJ", control=ctl) */
static const ref_fit bcg_sj = {
    -0.71724859255758366, 0.18705945841642663,    -1.0838783940213477,    -0.3506187910938196,
    -3.8343348079243582,  0.00012590455204642713, 0.34551570159859507,    92.896324095540066,
    14.077218801214796,   152.23300808237329,     1.9967645908459738e-26, -1.926257174378077,
    0.49175998926290976,
};

/* rma(yi, vi, data=d, method="DL", test="knha", control=ctl) */
static const ref_fit bcg_dl_knha = {
    -0.71411722207322692, 0.18069662833554737,   -1.1078213541683284,    -0.3204130899781254,
    -3.9520229494660852,  0.0019207667670473566, 0.30876026286237618,    92.117346854562058,
    12.686084006864441,   152.23300808237329,    1.9967645908459738e-26, -1.9872069634307388,
    0.55897251928428504,
};

/* rma(yi, vi, data=d, method="REML", test="knha", control=ctl) */
static const ref_fit bcg_reml_knha = {
    -0.71453234215816797, 0.18079174409285445,   -1.1084437136855936,    -0.32062097063074224,
    -3.9522398865248234,  0.0019200150960572435, 0.31324325813679349,    92.221384521276121,
    12.855758235320996,   152.23300808237329,    1.9967645908459738e-26, -1.9960168341968147,
    0.56695214988047882,
};

/* weights(rma(yi, vi, data=d, method="REML", control=ctl)) */
static const double bcg_reml_weights[] = {
    5.0594827343682223, 6.3646793725642068, 4.4360274026030311, 9.6987470189194003,
    8.8684563912424181, 10.095738544237355, 6.0271814144457752, 10.189439037093839,
    8.7431332116378293, 8.3676072578858278, 9.9250269998098588, 3.8216290629912129,
    8.4028515522010263};

/* regtest(rma(yi, vi, data=d, method="FE", control=ctl)): zval, pval, est, fit$tau2 */
static const double bcg_egger_fe[] = {-4.8019462450234638, 1.5713087960221449e-06,
                                      -0.19092864235982066, 0};

/* regtest(rma(yi, vi, data=d, method="DL", control=ctl)): zval, pval, est, fit$tau2 */
static const double bcg_egger_dl[] = {-0.83790844048442725, 0.40208212797300769,
                                      -0.50634903874546466, 0.28605802863571889};

/* regtest(rma(yi, vi, data=d, method="REML", control=ctl)): zval, pval, est, fit$tau2 */
static const double bcg_egger_reml[] = {-0.80332919308976369, 0.42178448885592007,
                                        -0.51043187410316138, 0.30824911110759223};

/* regtest(rma(yi, vi, data=d, method="PM", control=ctl)): zval, pval, est, fit$tau2 */
static const double bcg_egger_pm[] = {-0.76773904637196899, 0.44264223364152466,
                                      -0.51474223623786264, 0.33346256113293843};

/* regtest(rma(yi, vi, data=d, method="HE", control=ctl)): zval, pval, est, fit$tau2 */
static const double bcg_egger_he[] = {-0.71478396581017845, 0.4747425444246387,
                                      -0.52136567139949996, 0.3762778662945665};

/* regtest(rma(yi, vi, data=d, method="SJ", control=ctl)): zval, pval, est, fit$tau2 */
static const double bcg_egger_sj[] = {-0.73381113529340691, 0.46306385299684621,
                                      -0.51895635029531462, 0.3600884100892997};

/* regtest(rma(yi, vi, data=d, method="REML", test="knha", control=ctl)): zval, pval, ddf */
static const double bcg_egger_reml_knha[] = {-0.78115413360140651, 0.45119667995398882, 11};

/* leave1out(rma(yi, vi, data=d, method="REML", control=ctl))$estimate */
static const double bcg_l1o_reml_est[] = {
    -0.70708378469931021, -0.65403120029352857, -0.68555441083664326, -0.62840936980909767,
    -0.76417009514025036, -0.71087655556396678, -0.6552475997846624,  -0.79476760451554473,
    -0.74119729930449296, -0.65303291530591412, -0.75785862672350979, -0.75981209933449334,
    -0.77753618489438436};

/* ... $se */
static const double bcg_l1o_reml_se[] = {
    0.18996101452902575, 0.18069538623300349, 0.1857061967396286,  0.17661889178680201,
    0.19178764474372542, 0.20025404840162897, 0.18047336921036927, 0.17987768598067669,
    0.19667491771497969, 0.18426748788598751, 0.19578686613166638, 0.18209098194199208,
    0.18553597736796537};

/* ... $tau2 */
static const double bcg_l1o_reml_tau2[] = {
    0.33615670180430229, 0.29258308399634891, 0.32073792964949788, 0.26275814809878939,
    0.32780326044201785, 0.35955407037631421, 0.29302586976726297, 0.27318292938703653,
    0.34945200980548863, 0.29872450463358419, 0.34048828779311058, 0.30816221479560107,
    0.30373336636732923};

/* ... $I2 */
static const double bcg_l1o_reml_i2[] = {93.225934093987533, 92.253955467439141, 92.9354117977757,
                                         90.412463933715031, 92.76343577214935,  90.911807543415364,
                                         92.277717721550417, 87.031362739589838, 93.213262035663888,
                                         92.232230941980973, 91.810951919214034, 92.678205964874451,
                                         92.344400546108034};

/* trimfill(rma(yi, vi, data=d, method="FE", control=ctl), control=ctl): k0, side (1 right), se.k0,
 * beta, se, tau2 */
static const double bcg_trimfill_fe[] = {
    4, 1, 2.3853255911929505, -0.2910259921063531, 0.038264136604139, 0};

/* ... the filled yi, then their vi */
static const double bcg_trimfill_fe_fill[] = {
    0.78929281926007766, 0.85949920580859862,  1.0033366729887239,  1.038846239385685,
    0.07302479361302891, 0.020010031902247573, 0.19458112139814385, 0.22301724757231517};

/* trimfill(rma(yi, vi, data=d, method="REML", control=ctl), control=ctl): k0, side (1 right),
 * se.k0, beta, se, tau2 */
static const double bcg_trimfill_reml[] = {
    1, 1, 2.4527986431829252, -0.65708278348798421, 0.17852838013296995, 0.33128763344459228};

/* ... the filled yi, then their vi */
static const double bcg_trimfill_reml_fill[] = {0.31040302402906716, 0.22301724757231517};

/* subgroups by alloc, in order alternate, random, systematic */
/* sapply(split(d, d$alloc), rma(yi, vi, method="REML", control=ctl))$beta */
static const double bcg_sub_reml_est[] = {-0.54079296184934578, -0.97096470426168768,
                                          -0.42420739151081077};

/* ... $se */
static const double bcg_sub_reml_se[] = {0.28160161310388798, 0.27595610297030876,
                                         0.35974523243331902};

/* ... $tau2 */
static const double bcg_sub_reml_tau2[] = {0.13257703987809277, 0.39252800689183753,
                                           0.40034588017564132};

/* rma(est, sei=se, mods=~factor(names(sub)), method="FE"): QM, QMp */
static const double bcg_sub_reml_qb[] = {1.8614449461631821, 0.39426875888390012};

/* the same with method="FE" in each subgroup: QM, QMp, and rma(yi, vi, mods=~alloc, method="FE",
 * data=d)$QM */
static const double bcg_sub_fe_qb[] = {19.865369819665684, 4.8561238362811902e-05,
                                       19.86536981966557};

/* rma.mh(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg) */
static const ref_fit bcg_mh_rr = {
    -0.45370960468375388,
    0.039337366871294382,
    -0.53080942699812994,
    -0.37660978236937781,
    -11.533807185626319,
    8.911379670741684e-31,
    0,
    92.134631697306418,
    12.713962798888106,
    152.56755358665728,
    1.7075875315151889e-26,
    -0.53080942699812994,
    -0.37660978236937781,
};

/* rma.mh(measure="OR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg) */
static const ref_fit bcg_mh_or = {
    -0.47341098838858547,
    0.041007778404231442,
    -0.55378475714687847,
    -0.39303721963029248,
    -11.544419298260156,
    7.8771673254443934e-31,
    0,
    92.680364044817708,
    13.661881630766096,
    163.94257956919316,
    8.2494525510016288e-29,
    -0.55378475714687847,
    -0.39303721963029248,
};

/* rma.mh(measure="RD", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg) */
static const ref_fit bcg_mh_rd = {
    -0.0032881818326129996,
    0.00028665674852737364,
    -0.0038500187356520069,
    -0.0027263449295739923,
    -11.470798610202621,
    1.8494453458278087e-30,
    0,
    96.897428536268464,
    32.231328486379986,
    386.77594183655981,
    2.3820625650550986e-75,
    -0.0038500187356520069,
    -0.0027263449295739923,
};

/* rma.peto(ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg) */
static const ref_fit bcg_peto = {
    -0.47444631094063633,
    0.040659080744648281,
    -0.55413664484465297,
    -0.39475597703661969,
    -11.668889267819587,
    1.8380733863216688e-31,
    0,
    92.845651931291371,
    13.977513959290784,
    167.73016751148941,
    1.389754347184333e-29,
    -0.55413664484465297,
    -0.39475597703661969,
};

/* regtest(rma.peto(...)): zval, pval */
static const double bcg_peto_egger[] = {-4.5881843190486435, 4.4711778834978605e-06};

/* sum((a*n2-c*n1)/N)/sum(n1*n2/N); sqrt(sum((a*b*n2^3+c*d*n1^3)/(n1*n2*N^2))/sum(n1*n2/N)^2) */
static const double bcg_mh_rd_gr[] = {-0.0032881818326129988, 0.00028451592189694111};

/* ---- dat.hackshaw1998, generic yi/vi (log OR) ---- */

/* rma(yi, vi, data=dat.hackshaw1998, method="FE", control=ctl) */
static const ref_fit hack_fe = {
    0.18576020364678641,
    0.037303300814672043,
    0.11264707754556556,
    0.25887332974800725,
    4.979725643306173,
    6.3674474766926655e-07,
    0,
    24.207248500755675,
    1.3193873823276758,
    47.497945763796331,
    0.095162318694117856,
    0.11264707754556556,
    0.25887332974800725,
};

/* rma(yi, vi, data=dat.hackshaw1998, method="DL", control=ctl) */
static const ref_fit hack_dl = {
    0.21388893568392225, 0.047122639437498823,   0.12153025952995779,  0.30624761183788674,
    4.5389846204946593,  5.6525758161765185e-06, 0.017036444317852836, 24.207248500755671,
    1.3193873823276758,  47.497945763796331,     0.095162318694117856, -0.058094380640798193,
    0.4858722520086427,
};

/* rma(yi, vi, data=dat.hackshaw1998, method="REML", control=ctl) */
static const ref_fit hack_reml = {
    0.21888923161349433, 0.049395534014907684,   0.1220757639471521,   0.31570269927983657,
    4.4313567203754305,  9.3642026390774408e-06, 0.022394530977419353, 29.569382925659003,
    1.4198370560128404,  47.497945763796331,     0.095162318694117856, -0.089980508050489738,
    0.52775897127747839,
};

/* trimfill(rma(yi, vi, data=dat.hackshaw1998, method="FE", control=ctl), control=ctl): k0, side (1
 * right), se.k0, beta, se, tau2 */
static const double hack_trimfill_fe[] = {
    7, 0, 4.0404958482684217, 0.15559957789970816, 0.036435124278110638, 0};

/* trimfill(rma(yi, vi, data=dat.hackshaw1998, method="DL", control=ctl), control=ctl): k0, side (1
 * right), se.k0, beta, se, tau2 */
static const double hack_trimfill_dl[] = {
    7, 0, 4.0407613563821663, 0.17392352844102052, 0.048701502664134373, 0.025207893125500373};

/* trimfill(rma(yi, vi, data=dat.hackshaw1998, method="REML", control=ctl), control=ctl): k0, side
 * (1 right), se.k0, beta, se, tau2 */
static const double hack_trimfill_reml[] = {
    7, 0, 4.0399372600469157, 0.17447111041427807, 0.048431741720393648, 0.024455760438520251};

/* regtest(rma(yi, vi, data=dat.hackshaw1998, method="FE")): zval, pval, est */
static const double hack_egger_fe[] = {2.5744599784705198, 0.010039670085117917,
                                       0.0050373230754629881};

/* ---- dat.normand1999, length of stay (days) ---- */

/* rma(escalc("MD", ..., data=dat.normand1999), method="REML", control=ctl) */
static const ref_fit norm_md_reml = {
    -15.106027473478301, 8.9465528397550163,   -32.640948825182676,    2.4288938782260754,
    -1.688474627495963,  0.091320155490717939, 684.64615192967653,     98.971274347390604,
    97.207646904056304,  238.91581086200961,   3.8418092854003323e-47, -69.304860174884368,
    39.092805227927769,
};

/* rma(escalc("MD", ...), method="PM", test="knha", control=ctl) */
static const ref_fit norm_md_pm_knha = {
    -15.145680034100414, 9.2142715953001098,  -36.39382843575676,     6.1024683675559306,
    -1.6437197316634031, 0.13885680504428058, 728.25112859449666,     99.032274541310827,
    103.33509271880988,  238.91581086200961,  3.8418092854003323e-47, -80.903357288184282,
    50.611997219983458,
};

/* rma(escalc("SMD", ..., data=dat.normand1999), method="DL") */
static const ref_fit norm_smd_dl = {
    -0.53073731061597662, 0.2592186056768585,   -1.0387964418653093,    -0.022678179366643958,
    -2.0474506805950221,  0.040613854610900675, 0.53971437482021489,    93.534270655510682,
    15.466159294964779,   123.72927435971823,   5.6225132320430431e-23, -2.0576343689189769,
    0.99615974768702353,
};

/* regtest(rma(escalc("SMD", ...), method="DL")): zval, pval */
static const double norm_smd_dl_egger[] = {-0.88334631894107762, 0.37704918495551182};

/* rma(escalc("SMD", ...), method="SJ", test="knha") */
static const ref_fit norm_smd_sj_knha = {
    -0.53713623345546047, 0.30928815332328957, -1.2503559939886264,    0.17608352707770547,
    -1.7366854426331944,  0.12065054426722584, 0.79237098712925469,    95.503234331251221,
    22.238205716382112,   123.72927435971823,  5.6225132320430431e-23, -2.7102073379282756,
    1.6359348710173545,
};

/* ---- dat.molloy2014, ZCOR ---- */

/* rma(escalc("ZCOR", ri=ri, ni=ni, data=dat.molloy2014), method="REML", control=ctl) */
static const ref_fit mol_reml = {
    0.1499171485239813, 0.031559960174272789,   0.0880607632288882,     0.21177353381907441,
    4.7502325001725296, 2.0318290534728727e-06, 0.0081095608315791302,  61.729654710432669,
    2.6129892281703677, 38.159515423615737,     0.00085458497597336693, -0.037108936261537967,
    0.3369432333095006,
};

/* regtest(...REML...): zval, pval */
static const double mol_reml_egger[] = {1.0217274280033435, 0.30690992573544129};

/* rma(escalc("ZCOR", ...), method="REML", test="knha", control=ctl) */
static const ref_fit mol_reml_knha = {
    0.1499171485239813,  0.032769772249509228,   0.080070032354667517,   0.21976426469329507,
    4.5748608620930078,  0.00036472906078124109, 0.0081095608315791302,  61.729654710432669,
    2.6129892281703677,  38.159515423615737,     0.00085458497597336693, -0.054339993998526875,
    0.35417429104648945,
};

/* regtest(...REML, knha...): tval, pval, ddf */
static const double mol_reml_knha_egger[] = {0.96113901874752172, 0.3527895725350807, 14};

/* rma(escalc("ZCOR", ...), method="HE") */
static const ref_fit mol_he = {
    0.15190966075554355, 0.034520976866775029,   0.084249789385524132,   0.21956953212556296,
    4.4005029562691815,  1.0800025613506272e-05, 0.010891948962444987,   68.418446954083095,
    3.1664053966759802,  38.159515423615737,     0.00085458497597336693, -0.063540638873262001,
    0.36735996038434909,
};

/* ---- Fleiss 1993 aspirin after myocardial infarction, rows of Fleiss1993.rm5 ---- */

/* rma.mh(measure="OR", ai=e1, n1i=n1, ci=e2, n2i=n2, data=asp) */
static const ref_fit asp_mh_or = {
    -0.10884930450701499,
    0.033108714529934823,
    -0.17374119256010523,
    -0.043957416453924758,
    -3.2876330613379836,
    0.0010103343129724475,
    0,
    39.674580455583992,
    1.6576759972033457,
    9.9460559832200737,
    0.12694217790629492,
    -0.17374119256010523,
    -0.043957416453924758,
};

/* regtest(rma.mh(measure="OR", ...)): zval, pval */
static const double asp_mh_egger[] = {-1.2013864485331291, 0.22960133035176455};

/* rma.peto(ai=e1, n1i=n1, ci=e2, n2i=n2, data=asp) */
static const ref_fit asp_peto = {
    -0.10887405939554064,
    0.033099705923639672,
    -0.17374829090474148,
    -0.043999827886339798,
    -3.2892757309297798,
    0.0010044556956189867,
    0,
    39.806315766359887,
    1.661303860581997,
    9.9678231634919818,
    0.12601361234621045,
    -0.17374829090474148,
    -0.043999827886339798,
};

/* ---- BCG: fixed effect, DerSimonian-Laird and REML ------------------------- */

static void pool_bcg(ww_meta_result *r, double *w, ww_meta_method method, int knha)
{
    ww_meta_pool_opts o = opts_of(method, knha);
    assert_ww_ok(ww_meta_pool(r, w, bcg_yi, bcg_vi, 13, &o));
}

static void test_meta__bcg_effects_from_tables(void **state)
{
    (void)state;
    for (size_t i = 0; i < 13; i++) {
        ww_effect e;
        assert_ww_ok(ww_effect_log_rr(&e, bcg_tables[i][0], bcg_tables[i][1], bcg_tables[i][2],
                                      bcg_tables[i][3]));
        CHECK(SET_BCG, e.yi, bcg_yi[i], 1e-13);
        CHECK(SET_BCG, e.vi, bcg_vi[i], 1e-13);
    }
}

static void test_meta__bcg_fe(void **state)
{
    ww_meta_result r;
    (void)state;
    pool_bcg(&r, NULL, WW_META_FE, 0);
    check_fit(SET_BCG, &r, &bcg_fe, TOL);
    assert_int_equal(r.k, 13);
    assert_true(r.q_df == 12 && r.df == 0 && r.tau2 == 0);
    /* The prediction interval of a fixed-effect model is its CI. */
    assert_true(r.pi_low == r.ci_low && r.pi_high == r.ci_high);
}

static void test_meta__bcg_dl(void **state)
{
    ww_meta_result r;
    (void)state;
    pool_bcg(&r, NULL, WW_META_DL, 0);
    check_fit(SET_BCG, &r, &bcg_dl, TOL);
}

static void test_meta__bcg_reml(void **state)
{
    ww_meta_result r;
    double w[13], tau2;
    int iterations;
    (void)state;
    pool_bcg(&r, w, WW_META_REML, 0);
    check_fit(SET_BCG, &r, &bcg_reml, TOL);
    for (size_t i = 0; i < 13; i++) CHECK(SET_BCG, w[i], bcg_reml_weights[i], TOL);
    /* Converged to 1e-10: tau^2 agrees with metafor run to the same
     * threshold far inside TOL, within a handful of Fisher steps. */
    assert_ww_ok(ww_meta_tau2(&tau2, &iterations, bcg_yi, bcg_vi, 13, WW_META_REML));
    CHECK(SET_BCG, tau2, bcg_reml.tau2, 1e-10);
    assert_true(iterations > 1 && iterations < 20);
    assert_int_equal(r.iterations, iterations);
}

static void test_meta__bcg_pm_he_sj(void **state)
{
    static const struct {
        ww_meta_method method;
        const ref_fit *ref;
    } cases[] = {{WW_META_PM, &bcg_pm}, {WW_META_HE, &bcg_he}, {WW_META_SJ, &bcg_sj}};
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ww_meta_result r;
        pool_bcg(&r, NULL, cases[c].method, 0);
        check_fit(SET_BCG, &r, cases[c].ref, TOL);
    }
}

static void test_meta__bcg_knha(void **state)
{
    ww_meta_result r;
    (void)state;
    pool_bcg(&r, NULL, WW_META_DL, 1);
    check_fit(SET_BCG, &r, &bcg_dl_knha, TOL);
    assert_true(r.knha && r.df == 12);
    pool_bcg(&r, NULL, WW_META_REML, 1);
    check_fit(SET_BCG, &r, &bcg_reml_knha, TOL);
}

static void test_meta__bcg_egger(void **state)
{
    static const struct {
        ww_meta_method method;
        const double *ref;
    } cases[] = {{WW_META_FE, bcg_egger_fe},     {WW_META_DL, bcg_egger_dl},
                 {WW_META_REML, bcg_egger_reml}, {WW_META_PM, bcg_egger_pm},
                 {WW_META_HE, bcg_egger_he},     {WW_META_SJ, bcg_egger_sj}};
    ww_meta_egger_result e;
    ww_meta_pool_opts o;
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        o = opts_of(cases[c].method, 0);
        assert_ww_ok(ww_meta_egger(&e, bcg_yi, bcg_vi, 13, &o));
        CHECK(SET_BCG, e.stat, cases[c].ref[0], TOL);
        CHECK(SET_BCG, e.p, cases[c].ref[1], TOL);
        CHECK(SET_BCG, e.intercept, cases[c].ref[2], TOL);
        CHECK(SET_BCG, e.tau2, cases[c].ref[3], TOL);
        assert_true(e.df == 0);
    }
    o = opts_of(WW_META_REML, 1);
    assert_ww_ok(ww_meta_egger(&e, bcg_yi, bcg_vi, 13, &o));
    CHECK(SET_BCG, e.stat, bcg_egger_reml_knha[0], TOL);
    CHECK(SET_BCG, e.p, bcg_egger_reml_knha[1], TOL);
    assert_true(e.df == bcg_egger_reml_knha[2]);
}

static void test_meta__bcg_leave1out(void **state)
{
    ww_meta_result r[13];
    ww_meta_pool_opts o = opts_of(WW_META_REML, 0);
    (void)state;
    assert_ww_ok(ww_meta_leave1out(r, bcg_yi, bcg_vi, 13, &o));
    for (size_t i = 0; i < 13; i++) {
        assert_int_equal(r[i].k, 12);
        CHECK(SET_BCG, r[i].estimate, bcg_l1o_reml_est[i], TOL);
        CHECK(SET_BCG, r[i].se, bcg_l1o_reml_se[i], TOL);
        CHECK(SET_BCG, r[i].tau2, bcg_l1o_reml_tau2[i], TOL);
        CHECK(SET_BCG, r[i].i2, bcg_l1o_reml_i2[i], TOL);
    }
}

static void check_trimfill(int set, const ww_meta_trimfill_result *t, const double *ref)
{
    assert_int_equal(t->k0, (size_t)ref[0]);
    assert_int_equal(t->side, ref[1] ? 1 : -1);
    CHECK(set, t->se_k0, ref[2], TOL);
    CHECK(set, t->adjusted.estimate, ref[3], TOL);
    CHECK(set, t->adjusted.se, ref[4], TOL);
    CHECK(set, t->adjusted.tau2, ref[5], TOL);
    assert_int_equal(t->adjusted.k, t->k0 + (size_t)(set == SET_BCG ? 13 : 37));
}

static void test_meta__bcg_trimfill(void **state)
{
    ww_meta_trimfill_result t;
    double fy[13], fv[13];
    ww_meta_pool_opts o = opts_of(WW_META_FE, 0);
    (void)state;
    assert_ww_ok(ww_meta_trimfill(&t, fy, fv, bcg_yi, bcg_vi, 13, &o));
    check_trimfill(SET_BCG, &t, bcg_trimfill_fe);
    for (size_t j = 0; j < t.k0; j++) {
        CHECK(SET_BCG, fy[j], bcg_trimfill_fe_fill[j], TOL);
        CHECK(SET_BCG, fv[j], bcg_trimfill_fe_fill[t.k0 + j], TOL);
    }
    o = opts_of(WW_META_REML, 0);
    assert_ww_ok(ww_meta_trimfill(&t, fy, fv, bcg_yi, bcg_vi, 13, &o));
    check_trimfill(SET_BCG, &t, bcg_trimfill_reml);
    for (size_t j = 0; j < t.k0; j++) {
        CHECK(SET_BCG, fy[j], bcg_trimfill_reml_fill[j], TOL);
        CHECK(SET_BCG, fv[j], bcg_trimfill_reml_fill[t.k0 + j], TOL);
    }
    /* Missing on the right: the filled study mirrors the most negative one
     * (Vandiviere et al, yi -1.62) about the trimmed estimate. */
    assert_true(fy[0] > 0 && fv[0] == bcg_vi[6]);
}

static void test_meta__bcg_subgroups(void **state)
{
    ww_meta_result g[3];
    ww_meta_subgroup_test t;
    ww_meta_pool_opts o = opts_of(WW_META_REML, 0);
    (void)state;
    assert_ww_ok(ww_meta_subgroups(g, &t, bcg_yi, bcg_vi, bcg_alloc, 13, 3, &o));
    for (size_t j = 0; j < 3; j++) {
        CHECK(SET_BCG, g[j].estimate, bcg_sub_reml_est[j], TOL);
        CHECK(SET_BCG, g[j].se, bcg_sub_reml_se[j], TOL);
        CHECK(SET_BCG, g[j].tau2, bcg_sub_reml_tau2[j], TOL);
    }
    assert_int_equal(g[0].k + g[1].k + g[2].k, 13);
    CHECK(SET_BCG, t.q_between, bcg_sub_reml_qb[0], TOL);
    CHECK(SET_BCG, t.q_between_p, bcg_sub_reml_qb[1], TOL);
    assert_true(t.q_between_df == 2 && t.n_groups == 3);

    /* Fixed effect: Q-between equals the moderator test of the
     * meta-regression on alloc (Q_total - sum Q_within). */
    o = opts_of(WW_META_FE, 0);
    assert_ww_ok(ww_meta_subgroups(g, &t, bcg_yi, bcg_vi, bcg_alloc, 13, 3, &o));
    CHECK(SET_BCG, t.q_between, bcg_sub_fe_qb[0], TOL);
    CHECK(SET_BCG, t.q_between_p, bcg_sub_fe_qb[1], TOL);
    CHECK(SET_BCG, t.q_between, bcg_sub_fe_qb[2], TOL);
}

/* ---- BCG: Mantel-Haenszel and Peto -------------------------------------------- */

static void test_meta__bcg_mantel_haenszel(void **state)
{
    ww_meta_table t[13];
    ww_meta_result r;
    ww_meta_pool_opts o = opts_of(WW_META_MH, 0);
    (void)state;
    bcg_table_array(t);
    assert_ww_ok(ww_meta_pool_tables(&r, NULL, t, 13, WW_META_RR, &o));
    check_fit(SET_BCG, &r, &bcg_mh_rr, TOL);
    assert_ww_ok(ww_meta_pool_tables(&r, NULL, t, 13, WW_META_OR, &o));
    check_fit(SET_BCG, &r, &bcg_mh_or, TOL);
    assert_ww_ok(ww_meta_pool_tables(&r, NULL, t, 13, WW_META_RD, &o));
    check_fit(SET_BCG, &r, &bcg_mh_rd, TOL);
    /* RevMan 5's Greenland-Robins variance of the MH risk difference. */
    o.rd_variance = WW_META_RD_VAR_GR;
    assert_ww_ok(ww_meta_pool_tables(&r, NULL, t, 13, WW_META_RD, &o));
    CHECK(SET_BCG, r.estimate, bcg_mh_rd_gr[0], TOL);
    CHECK(SET_BCG, r.se, bcg_mh_rd_gr[1], TOL);
}

static void test_meta__bcg_peto(void **state)
{
    ww_meta_table t[13];
    ww_meta_result r;
    ww_meta_egger_result e;
    double y[13], v[13];
    ww_meta_pool_opts o = opts_of(WW_META_PETO, 0);
    (void)state;
    bcg_table_array(t);
    assert_ww_ok(ww_meta_pool_tables(&r, NULL, t, 13, WW_META_OR, &o));
    check_fit(SET_BCG, &r, &bcg_peto, TOL);
    for (size_t i = 0; i < 13; i++) {
        ww_effect ef;
        assert_ww_ok(ww_meta_table_effect(&ef, &t[i], WW_META_OR, WW_META_PETO));
        y[i] = ef.yi;
        v[i] = ef.vi;
    }
    assert_ww_ok(ww_meta_egger(&e, y, v, 13, &o));
    CHECK(SET_BCG, e.stat, bcg_peto_egger[0], TOL);
    CHECK(SET_BCG, e.p, bcg_peto_egger[1], TOL);
}

/* ---- Fleiss 1993 aspirin trials: RevMan's own numbers ------------------------------ */

static double attr_num(xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    double x;
    char *end;
    assert_non_null(v);
    x = strtod((const char *)v, &end);
    assert_true(end != (char *)v && *end == '\0');
    xmlFree(v);
    return x;
}

static xmlNode *find_element(xmlNode *n, const char *name)
{
    for (; n; n = n->next) {
        xmlNode *hit;
        if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, (const xmlChar *)name) == 0) return n;
        if ((hit = find_element(n->children, name))) return hit;
    }
    return NULL;
}

/* <DICH_OUTCOME ID="CMP-001.01" METHOD="MH" EFFECT_MEASURE="OR" RANDOM="NO">
 * in Fleiss1993.rm5 (RevMan 5.0.23), and its seven <DICH_DATA> rows. */
static void test_meta__fleiss1993_revman_mh_or(void **state)
{
    char path[512];
    xmlDoc *doc;
    xmlNode *out, *row;
    ww_meta_table t[16];
    double revman_var[16], revman_weight[16], w[16], y[16], v[16];
    ww_meta_result r;
    ww_meta_egger_result eg;
    ww_meta_pool_opts o = opts_of(WW_META_MH, 0);
    size_t k = 0;
    (void)state;

    doc = xmlReadFile(SHARED_PATH(path, "revman/Fleiss1993.rm5"), NULL, XML_PARSE_NONET);
    if (!doc) {
        print_error("cannot parse %s\n", path);
        fail();
    }
    out = find_element(xmlDocGetRootElement(doc), "DICH_OUTCOME");
    assert_non_null(out);
    for (row = out->children; row; row = row->next) {
        if (row->type != XML_ELEMENT_NODE || xmlStrcmp(row->name, (const xmlChar *)"DICH_DATA"))
            continue;
        assert_true(k < 16);
        t[k].ai = attr_num(row, "EVENTS_1");
        t[k].bi = attr_num(row, "TOTAL_1") - t[k].ai;
        t[k].ci = attr_num(row, "EVENTS_2");
        t[k].di = attr_num(row, "TOTAL_2") - t[k].ci;
        revman_var[k] = attr_num(row, "VAR");
        revman_weight[k] = attr_num(row, "WEIGHT");
        k++;
    }
    assert_int_equal(k, (size_t)attr_num(out, "STUDIES"));
    assert_ww_ok(ww_meta_pool_tables(&r, w, t, k, WW_META_OR, &o));

    CHECK(SET_REVMAN, exp(r.estimate), attr_num(out, "EFFECT_SIZE"), 1e-12);
    CHECK(SET_REVMAN, exp(r.ci_low), attr_num(out, "CI_START"), 1e-12);
    CHECK(SET_REVMAN, exp(r.ci_high), attr_num(out, "CI_END"), 1e-12);
    CHECK(SET_REVMAN, r.q, attr_num(out, "CHI2"), 1e-12);
    CHECK(SET_REVMAN, r.i2, attr_num(out, "I2"), 1e-12);
    CHECK(SET_REVMAN, fabs(r.stat), attr_num(out, "Z"), 1e-12);
    assert_true(r.q_df == attr_num(out, "DF"));
    /* RevMan's own normal and chi-square tails are less exact than GSL's
     * and R's (its P_CHI2 is 0.12694225, R's pchisq 0.12694218): p is
     * compared with metafor below and with RevMan only to 1e-6. */
    CHECK(SET_REVMAN_P, r.p, attr_num(out, "P_Z"), 1e-6);
    CHECK(SET_REVMAN_P, r.q_p, attr_num(out, "P_CHI2"), 1e-6);
    for (size_t i = 0; i < k; i++) {
        ww_effect e;
        assert_ww_ok(ww_meta_table_effect(&e, &t[i], WW_META_OR, WW_META_MH));
        CHECK(SET_REVMAN, e.vi, revman_var[i], 1e-12);
        CHECK(SET_REVMAN, w[i], revman_weight[i], 1e-12);
        y[i] = e.yi;
        v[i] = e.vi;
    }
    check_fit(SET_ASPIRIN_METAFOR, &r, &asp_mh_or, TOL);
    /* regtest() on an rma.mh fit: a fixed-effect regression */
    assert_ww_ok(ww_meta_egger(&eg, y, v, k, &o));
    CHECK(SET_ASPIRIN_METAFOR, eg.stat, asp_mh_egger[0], TOL);
    CHECK(SET_ASPIRIN_METAFOR, eg.p, asp_mh_egger[1], TOL);
    xmlFreeDoc(doc);
}

static void test_meta__fleiss1993_peto(void **state)
{
    double d[7 * 4];
    ww_meta_table t[7];
    ww_meta_result r;
    ww_meta_pool_opts o = opts_of(WW_META_PETO, 0);
    (void)state;
    assert_int_equal(load_fixture("fleiss1993_aspirin.csv", 4, d, 7), 7);
    for (size_t i = 0; i < 7; i++) {
        t[i].ai = d[4 * i];
        t[i].bi = d[4 * i + 1] - d[4 * i];
        t[i].ci = d[4 * i + 2];
        t[i].di = d[4 * i + 3] - d[4 * i + 2];
    }
    assert_ww_ok(ww_meta_pool_tables(&r, NULL, t, 7, WW_META_OR, &o));
    check_fit(SET_ASPIRIN_METAFOR, &r, &asp_peto, TOL);
}

/* ---- Hackshaw 1998: generic log OR ---------------------------------------------------- */

static void test_meta__hackshaw1998(void **state)
{
    double d[37 * 2], y[37], v[37], fy[37], fv[37];
    ww_meta_result r;
    ww_meta_trimfill_result t;
    ww_meta_egger_result e;
    ww_meta_pool_opts o;
    (void)state;
    assert_int_equal(load_fixture("hackshaw1998.csv", 2, d, 37), 37);
    for (size_t i = 0; i < 37; i++) {
        y[i] = d[2 * i];
        v[i] = d[2 * i + 1];
    }
    o = opts_of(WW_META_FE, 0);
    assert_ww_ok(ww_meta_pool(&r, NULL, y, v, 37, &o));
    check_fit(SET_HACKSHAW, &r, &hack_fe, TOL);
    assert_ww_ok(ww_meta_trimfill(&t, fy, fv, y, v, 37, &o));
    check_trimfill(SET_HACKSHAW, &t, hack_trimfill_fe);
    assert_ww_ok(ww_meta_egger(&e, y, v, 37, &o));
    CHECK(SET_HACKSHAW, e.stat, hack_egger_fe[0], TOL);
    CHECK(SET_HACKSHAW, e.p, hack_egger_fe[1], TOL);
    CHECK(SET_HACKSHAW, e.intercept, hack_egger_fe[2], TOL);

    o = opts_of(WW_META_DL, 0);
    assert_ww_ok(ww_meta_pool(&r, NULL, y, v, 37, &o));
    check_fit(SET_HACKSHAW, &r, &hack_dl, TOL);
    assert_ww_ok(ww_meta_trimfill(&t, fy, fv, y, v, 37, &o));
    check_trimfill(SET_HACKSHAW, &t, hack_trimfill_dl);

    o = opts_of(WW_META_REML, 0);
    assert_ww_ok(ww_meta_pool(&r, NULL, y, v, 37, &o));
    check_fit(SET_HACKSHAW, &r, &hack_reml, TOL);
    assert_ww_ok(ww_meta_trimfill(&t, fy, fv, y, v, 37, &o));
    check_trimfill(SET_HACKSHAW, &t, hack_trimfill_reml);
}

/* ---- Normand 1999: MD and SMD from arm statistics ------------------------------------- */

static void normand_effects(double *y, double *v, int smd)
{
    double d[9 * 6];
    assert_int_equal(load_fixture("normand1999.csv", 6, d, 9), 9);
    for (size_t i = 0; i < 9; i++) {
        const double *a = &d[6 * i];
        ww_effect e;
        if (smd)
            assert_ww_ok(ww_effect_smd(&e, a[0], a[1], a[2], a[3], a[4], a[5], WW_SMD_EXACT));
        else
            assert_ww_ok(ww_effect_md(&e, a[0], a[1], a[2], a[3], a[4], a[5]));
        y[i] = e.yi;
        v[i] = e.vi;
    }
}

static void test_meta__normand1999(void **state)
{
    double y[9], v[9];
    ww_meta_result r;
    ww_meta_egger_result e;
    ww_meta_pool_opts o;
    (void)state;
    normand_effects(y, v, 0);
    o = opts_of(WW_META_REML, 0);
    assert_ww_ok(ww_meta_pool(&r, NULL, y, v, 9, &o));
    check_fit(SET_NORMAND, &r, &norm_md_reml, TOL);
    o = opts_of(WW_META_PM, 1);
    assert_ww_ok(ww_meta_pool(&r, NULL, y, v, 9, &o));
    check_fit(SET_NORMAND, &r, &norm_md_pm_knha, TOL);
    assert_true(r.df == 8);

    normand_effects(y, v, 1);
    o = opts_of(WW_META_DL, 0);
    assert_ww_ok(ww_meta_pool(&r, NULL, y, v, 9, &o));
    check_fit(SET_NORMAND, &r, &norm_smd_dl, TOL);
    assert_ww_ok(ww_meta_egger(&e, y, v, 9, &o));
    CHECK(SET_NORMAND, e.stat, norm_smd_dl_egger[0], TOL);
    CHECK(SET_NORMAND, e.p, norm_smd_dl_egger[1], TOL);
    o = opts_of(WW_META_SJ, 1);
    assert_ww_ok(ww_meta_pool(&r, NULL, y, v, 9, &o));
    check_fit(SET_NORMAND, &r, &norm_smd_sj_knha, TOL);
}

/* ---- Molloy 2014: Fisher's z -------------------------------------------------------------- */

static void test_meta__molloy2014(void **state)
{
    double d[16 * 2], y[16], v[16];
    ww_meta_result r;
    ww_meta_egger_result e;
    ww_meta_pool_opts o;
    (void)state;
    assert_int_equal(load_fixture("molloy2014.csv", 2, d, 16), 16);
    for (size_t i = 0; i < 16; i++) {
        ww_effect ef;
        assert_ww_ok(ww_effect_zcor(&ef, d[2 * i], d[2 * i + 1]));
        y[i] = ef.yi;
        v[i] = ef.vi;
    }
    o = opts_of(WW_META_REML, 0);
    assert_ww_ok(ww_meta_pool(&r, NULL, y, v, 16, &o));
    check_fit(SET_MOLLOY, &r, &mol_reml, TOL);
    assert_ww_ok(ww_meta_egger(&e, y, v, 16, &o));
    CHECK(SET_MOLLOY, e.stat, mol_reml_egger[0], TOL);
    CHECK(SET_MOLLOY, e.p, mol_reml_egger[1], TOL);

    o = opts_of(WW_META_REML, 1);
    assert_ww_ok(ww_meta_pool(&r, NULL, y, v, 16, &o));
    check_fit(SET_MOLLOY, &r, &mol_reml_knha, TOL);
    assert_ww_ok(ww_meta_egger(&e, y, v, 16, &o));
    CHECK(SET_MOLLOY, e.stat, mol_reml_knha_egger[0], TOL);
    CHECK(SET_MOLLOY, e.p, mol_reml_knha_egger[1], TOL);
    assert_true(e.df == mol_reml_knha_egger[2]);

    o = opts_of(WW_META_HE, 0);
    assert_ww_ok(ww_meta_pool(&r, NULL, y, v, 16, &o));
    check_fit(SET_MOLLOY, &r, &mol_he, TOL);
}

/* ---- properties and refusals ---------------------------------------------------------- */

/* Homogeneous studies: every tau^2 estimator truncates at 0 and the random
 * effects result is the fixed-effect one. */
static void test_meta__homogeneous_gives_tau2_zero(void **state)
{
    static const double y[5] = {0.30, 0.31, 0.29, 0.30, 0.305};
    static const double v[5] = {0.04, 0.05, 0.03, 0.06, 0.045};
    static const ww_meta_method re[] = {WW_META_DL, WW_META_REML, WW_META_PM, WW_META_HE};
    ww_meta_result fe, r;
    ww_meta_pool_opts o = opts_of(WW_META_FE, 0);
    (void)state;
    assert_ww_ok(ww_meta_pool(&fe, NULL, y, v, 5, &o));
    for (size_t m = 0; m < sizeof re / sizeof re[0]; m++) {
        o = opts_of(re[m], 0);
        assert_ww_ok(ww_meta_pool(&r, NULL, y, v, 5, &o));
        assert_true(r.tau2 == 0);
        assert_close(r.estimate, fe.estimate, 1e-15);
        assert_close(r.se, fe.se, 1e-15);
        assert_true(r.i2 == 0);
    }
}

/* REML on 100,000 simulated studies (true mean 0.2, tau^2 0.04): the
 * estimate is where it should be; nothing is quadratic in k. */
static void test_meta__reml_large_k(void **state)
{
    const size_t k = 100000;
    double *y = malloc(k * sizeof *y), *v = malloc(k * sizeof *v);
    unsigned long long s = 88172645463325252ULL;
    ww_meta_result r;
    ww_meta_pool_opts o = opts_of(WW_META_REML, 0);
    (void)state;
    assert_non_null(y);
    assert_non_null(v);
    for (size_t i = 0; i < k; i++) {
        double u[4];
        for (int j = 0; j < 4; j++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            u[j] = ((double)(s >> 11) + 0.5) / 9007199254740992.0;
        }
        v[i] = 0.01 + 0.2 * u[0];
        /* Box-Muller: a between-study and a within-study normal draw. */
        y[i] = 0.2 + 0.2 * sqrt(-2 * log(u[1])) * cos(6.283185307179586 * u[2]) +
               sqrt(v[i]) * sqrt(-2 * log(u[3])) * sin(6.283185307179586 * u[2]);
    }
    assert_ww_ok(ww_meta_pool(&r, NULL, y, v, k, &o));
    assert_true(fabs(r.estimate - 0.2) < 0.01);
    assert_true(fabs(r.tau2 - 0.04) < 0.004);
    assert_true(r.i2 > 0 && r.i2 < 100);
    free(y);
    free(v);
}

static void test_meta__refusals(void **state)
{
    static const double y[3] = {0.1, 0.2, 0.3}, v[3] = {0.1, 0.1, 0.1}, vbad[3] = {0.1, 0, 0.1};
    ww_meta_result r;
    ww_meta_egger_result e;
    ww_meta_trimfill_result t;
    ww_meta_table tab[1] = {{5, 10, 3, 12}};
    ww_meta_pool_opts o = opts_of(WW_META_REML, 0);
    (void)state;
    /* random effects need two studies; fixed effect pools one */
    assert_int_equal(ww_meta_pool(&r, NULL, y, v, 1, &o), WW_EDATA);
    assert_non_null(strstr(ww_error_last(), "at least 2 studies"));
    o = opts_of(WW_META_FE, 0);
    assert_ww_ok(ww_meta_pool(&r, NULL, y, v, 1, &o));
    assert_true(r.estimate == 0.1 && r.q == 0 && r.q_p == 1);
    /* vi <= 0 */
    assert_int_equal(ww_meta_pool(&r, NULL, y, vbad, 3, &o), WW_EDATA);
    assert_non_null(strstr(ww_error_last(), "study 2: vi must be > 0"));
    /* Hartung-Knapp is for random effects; MH needs tables; Peto is OR */
    o = opts_of(WW_META_FE, 1);
    assert_int_equal(ww_meta_pool(&r, NULL, y, v, 3, &o), WW_EUSAGE);
    o = opts_of(WW_META_MH, 0);
    assert_int_equal(ww_meta_pool(&r, NULL, y, v, 3, &o), WW_EUSAGE);
    assert_int_equal(ww_meta_pool_tables(&r, NULL, tab, 1, WW_META_SMD, &o), WW_EUSAGE);
    o = opts_of(WW_META_PETO, 0);
    assert_int_equal(ww_meta_pool_tables(&r, NULL, tab, 1, WW_META_RR, &o), WW_EUSAGE);
    /* Egger and trim and fill need a slope: unequal variances, k >= 3 */
    o = opts_of(WW_META_FE, 0);
    assert_int_equal(ww_meta_egger(&e, y, v, 3, &o), WW_EDATA);
    assert_int_equal(ww_meta_egger(&e, y, v, 2, &o), WW_EDATA);
    assert_int_equal(ww_meta_trimfill(&t, NULL, NULL, y, v, 3, &o), WW_EDATA);
    /* a table whose events exceed the group size cannot be pooled */
    tab[0].bi = -1;
    o = opts_of(WW_META_MH, 0);
    assert_int_equal(ww_meta_pool_tables(&r, NULL, tab, 1, WW_META_OR, &o), WW_EDATA);
}

static void test_meta__names(void **state)
{
    ww_meta_method m;
    ww_meta_measure s;
    (void)state;
    assert_ww_ok(ww_meta_method_parse(&m, "reml"));
    assert_int_equal(m, WW_META_REML);
    assert_string_equal(ww_meta_method_name(WW_META_PETO), "PETO");
    assert_int_equal(ww_meta_method_parse(&m, "ML"), WW_EUSAGE);
    assert_ww_ok(ww_meta_measure_parse(&s, "ZCOR"));
    assert_int_equal(s, WW_META_ZCOR);
    assert_int_equal(ww_meta_measure_parse(&s, "HR"), WW_EUSAGE);
    assert_true(ww_meta_measure_is_ratio(WW_META_OR) && !ww_meta_measure_is_ratio(WW_META_RD));
    assert_true(ww_meta_method_is_random(WW_META_SJ) && !ww_meta_method_is_random(WW_META_MH));
}

/* MH and Peto leave a table with no events in either group out of Q (as
 * metafor's drop00) but keep it in the MH risk difference. */
static void test_meta__double_zero_tables(void **state)
{
    ww_meta_table t[3] = {{3, 47, 8, 42}, {0, 30, 0, 31}, {5, 95, 9, 91}};
    ww_meta_result r, r2;
    ww_effect e;
    ww_meta_pool_opts o = opts_of(WW_META_MH, 0);
    (void)state;
    assert_ww_ok(ww_meta_table_effect(&e, &t[1], WW_META_OR, WW_META_MH));
    assert_true(isnan(e.yi) && isnan(e.vi));
    assert_ww_ok(ww_meta_pool_tables(&r, NULL, t, 3, WW_META_OR, &o));
    assert_true(r.k == 3 && r.q_df == 1);
    t[1] = t[2];
    assert_ww_ok(ww_meta_pool_tables(&r2, NULL, t, 2, WW_META_OR, &o));
    assert_close(r.estimate, r2.estimate, 1e-15);
    o = opts_of(WW_META_PETO, 0);
    assert_ww_ok(ww_meta_pool_tables(&r, NULL, t, 2, WW_META_OR, &o));
}

/* ---- the CLI, end to end -------------------------------------------------------------- */

static char tmpdir[256];

static int cli_setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ww-test-meta-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int cli_teardown(void **state)
{
    char cmd[300];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

typedef test_cli_result run_result;

/* Run `whatworks meta ARGS` (shell text) from the project root. */
static run_result run_meta(const char *args)
{
    return test_cli_run(tmpdir, "meta", args);
}

static void run_free(run_result r)
{
    test_cli_free(r);
}

static void skip_without_binary(void)
{
    if (access(test_env("WW_BIN", "build/whatworks"), X_OK) != 0) {
        print_message("no whatworks binary (set WW_BIN): skipped\n");
        skip();
    }
}

static json_t *run_json(const char *args)
{
    run_result r = run_meta(args);
    json_error_t jerr;
    json_t *j;
    if (r.status != 0) print_error("whatworks meta %s: exit %d\n%s", args, r.status, r.err);
    assert_int_equal(r.status, 0);
    j = json_loads(r.out, 0, &jerr);
    if (!j) print_error("not JSON (%s): %s\n", jerr.text, r.out);
    assert_non_null(j);
    run_free(r);
    return j;
}

static double jnum(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_number(v)) {
        print_error("key %s is not a number\n", key);
        fail();
    }
    return json_number_value(v);
}

/* The object's keys are exactly these, in this order. */
static void assert_keys(const json_t *o, const char *const *keys)
{
    const char *key;
    json_t *value;
    size_t i = 0;
    json_object_foreach((json_t *)o, key, value)
    {
        (void)value;
        if (!keys[i] || strcmp(key, keys[i]) != 0) {
            print_error("key %zu is '%s', want '%s'\n", i, key, keys[i] ? keys[i] : "(end)");
            fail();
        }
        i++;
    }
    if (keys[i]) {
        print_error("key '%s' missing\n", keys[i]);
        fail();
    }
}

static void check_json_fit(const json_t *j, const ref_fit *w, const char *stat_key)
{
    CHECK(SET_BCG, jnum(j, "estimate"), w->estimate, TOL);
    CHECK(SET_BCG, jnum(j, "se"), w->se, TOL);
    CHECK(SET_BCG, jnum(j, "ci_low"), w->ci_low, TOL);
    CHECK(SET_BCG, jnum(j, "ci_high"), w->ci_high, TOL);
    CHECK(SET_BCG, jnum(j, stat_key), w->stat, TOL);
    CHECK(SET_BCG, jnum(j, "p"), w->p, TOL);
    CHECK(SET_BCG, jnum(j, "tau2"), w->tau2, TOL);
    CHECK(SET_BCG, jnum(j, "tau"), sqrt(w->tau2), TOL);
    CHECK(SET_BCG, jnum(j, "i2"), w->i2, TOL);
    CHECK(SET_BCG, jnum(j, "h2"), w->h2, TOL);
    CHECK(SET_BCG, jnum(j, "q"), w->q, TOL);
    CHECK(SET_BCG, jnum(j, "q_p"), w->q_p, TOL);
    CHECK(SET_BCG, jnum(j, "pi_low"), w->pi_low, TOL);
    CHECK(SET_BCG, jnum(j, "pi_high"), w->pi_high, TOL);
}

static void test_meta__cli_bcg_json(void **state)
{
    static const char *const keys[] = {
        "schema",      "k",       "measure", "method", "estimate", "se",           "ci_low",
        "ci_high",     "z",       "p",       "tau2",   "tau",      "i2",           "h2",
        "q",           "q_df",    "q_p",     "pi_low", "pi_high",  "exp_estimate", "exp_ci_low",
        "exp_ci_high", "studies", "egger",   NULL};
    static const char *const study_keys[] = {"study", "yi", "vi", "weight_pct", NULL};
    static const char *const egger_keys[] = {"z", "p", NULL};
    json_t *j, *studies, *j2;
    (void)state;
    skip_without_binary();

    j = run_json("--input tests/fixtures/meta/bcg.csv --measure RR --format json");
    assert_keys(j, keys);
    assert_string_equal(json_string_value(json_object_get(j, "schema")), "whatworks/meta/1");
    assert_string_equal(json_string_value(json_object_get(j, "method")), "REML");
    assert_string_equal(json_string_value(json_object_get(j, "measure")), "RR");
    assert_int_equal(json_integer_value(json_object_get(j, "k")), 13);
    assert_int_equal(json_integer_value(json_object_get(j, "q_df")), 12);
    check_json_fit(j, &bcg_reml, "z");
    CHECK(SET_BCG, jnum(j, "exp_estimate"), exp(bcg_reml.estimate), TOL);
    CHECK(SET_BCG, jnum(j, "exp_ci_low"), exp(bcg_reml.ci_low), TOL);
    CHECK(SET_BCG, jnum(j, "exp_ci_high"), exp(bcg_reml.ci_high), TOL);
    studies = json_object_get(j, "studies");
    assert_int_equal(json_array_size(studies), 13);
    for (size_t i = 0; i < 13; i++) {
        json_t *s = json_array_get(studies, i);
        assert_keys(s, study_keys);
        CHECK(SET_BCG, jnum(s, "yi"), bcg_yi[i], 1e-13);
        CHECK(SET_BCG, jnum(s, "vi"), bcg_vi[i], 1e-13);
        CHECK(SET_BCG, jnum(s, "weight_pct"), bcg_reml_weights[i], TOL);
    }
    assert_string_equal(json_string_value(json_object_get(json_array_get(studies, 0), "study")),
                        "Aronson");
    assert_keys(json_object_get(j, "egger"), egger_keys);
    CHECK(SET_BCG, jnum(json_object_get(j, "egger"), "z"), bcg_egger_reml[0], TOL);
    CHECK(SET_BCG, jnum(json_object_get(j, "egger"), "p"), bcg_egger_reml[1], TOL);

    /* events and totals (e1,n1,e2,n2) give the same analysis */
    j2 = run_json(
        "--input tests/fixtures/meta/bcg_events.csv --measure rr --method reml --format json");
    assert_true(jnum(j2, "estimate") == jnum(j, "estimate"));
    assert_true(jnum(j2, "tau2") == jnum(j, "tau2"));
    json_decref(j2);
    json_decref(j);

    j = run_json("--input tests/fixtures/meta/bcg.csv --measure RR --method FE");
    check_json_fit(j, &bcg_fe, "z");
    json_decref(j);
    j = run_json("--input tests/fixtures/meta/bcg.csv --measure RR --method DL");
    check_json_fit(j, &bcg_dl, "z");
    json_decref(j);
}

static void test_meta__cli_knha_t_and_df(void **state)
{
    static const char *const egger_keys[] = {"t", "df", "p", NULL};
    json_t *j;
    (void)state;
    skip_without_binary();
    j = run_json("--input tests/fixtures/meta/bcg.csv --measure RR --method REML --knha");
    assert_null(json_object_get(j, "z"));
    assert_int_equal(json_integer_value(json_object_get(j, "df")), 12);
    check_json_fit(j, &bcg_reml_knha, "t");
    assert_keys(json_object_get(j, "egger"), egger_keys);
    CHECK(SET_BCG, jnum(json_object_get(j, "egger"), "t"), bcg_egger_reml_knha[0], TOL);
    json_decref(j);
}

static void test_meta__cli_mantel_haenszel_fleiss(void **state)
{
    json_t *j;
    (void)state;
    skip_without_binary();
    j = run_json("--input tests/fixtures/meta/fleiss1993_aspirin.csv --measure OR --method MH");
    assert_string_equal(json_string_value(json_object_get(j, "method")), "MH");
    /* RevMan's stored EFFECT_SIZE, CI_START, CI_END, CHI2 and I2 */
    CHECK(SET_REVMAN, jnum(j, "exp_estimate"), 0.8968655609130709, 1e-12);
    CHECK(SET_REVMAN, jnum(j, "exp_ci_low"), 0.8405144008917793, 1e-12);
    CHECK(SET_REVMAN, jnum(j, "exp_ci_high"), 0.9569947088336491, 1e-12);
    CHECK(SET_REVMAN, jnum(j, "q"), 9.946055983220074, 1e-12);
    CHECK(SET_REVMAN, jnum(j, "i2"), 39.67458045558399, 1e-12);
    CHECK(SET_REVMAN, jnum(json_array_get(json_object_get(j, "studies"), 6), "weight_pct"),
          72.87984024392564, 1e-12);
    assert_true(jnum(j, "tau2") == 0 && jnum(j, "pi_low") == jnum(j, "ci_low"));
    json_decref(j);
}

static void test_meta__cli_other_measures(void **state)
{
    json_t *j;
    (void)state;
    skip_without_binary();
    j = run_json("--input tests/fixtures/meta/hackshaw1998.csv --measure GEN --method DL");
    assert_null(json_object_get(j, "exp_estimate"));
    CHECK(SET_HACKSHAW, jnum(j, "estimate"), hack_dl.estimate, TOL);
    CHECK(SET_HACKSHAW, jnum(j, "tau2"), hack_dl.tau2, TOL);
    json_decref(j);
    j = run_json("--input tests/fixtures/meta/normand1999.csv --measure SMD --method DL");
    CHECK(SET_NORMAND, jnum(j, "estimate"), norm_smd_dl.estimate, TOL);
    CHECK(SET_NORMAND, jnum(j, "i2"), norm_smd_dl.i2, TOL);
    json_decref(j);
    j = run_json("--input tests/fixtures/meta/normand1999.csv --measure MD");
    CHECK(SET_NORMAND, jnum(j, "estimate"), norm_md_reml.estimate, TOL);
    json_decref(j);
    j = run_json("--input tests/fixtures/meta/molloy2014.csv --measure ZCOR --method REML --knha");
    CHECK(SET_MOLLOY, jnum(j, "estimate"), mol_reml_knha.estimate, TOL);
    CHECK(SET_MOLLOY, jnum(j, "t"), mol_reml_knha.stat, TOL);
    CHECK(SET_MOLLOY, jnum(j, "pi_high"), mol_reml_knha.pi_high, TOL);
    json_decref(j);
}

static void test_meta__cli_extras(void **state)
{
    json_t *j, *sg, *tf, *l1o;
    (void)state;
    skip_without_binary();
    j = run_json("--input tests/fixtures/meta/bcg.csv --measure RR --subgroup alloc --trimfill "
                 "--leave-one-out");
    sg = json_object_get(j, "subgroups");
    assert_string_equal(json_string_value(json_object_get(sg, "column")), "alloc");
    /* groups in order of first appearance: random, alternate, systematic */
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(sg, "groups"), 0), "group")),
                        "random");
    CHECK(SET_BCG, jnum(json_array_get(json_object_get(sg, "groups"), 1), "estimate"),
          bcg_sub_reml_est[0], TOL);
    CHECK(SET_BCG, jnum(sg, "q_between"), bcg_sub_reml_qb[0], TOL);
    tf = json_object_get(j, "trimfill");
    assert_int_equal(json_integer_value(json_object_get(tf, "k0")), 1);
    assert_string_equal(json_string_value(json_object_get(tf, "side")), "right");
    CHECK(SET_BCG, jnum(tf, "estimate"), bcg_trimfill_reml[3], TOL);
    assert_int_equal(json_array_size(json_object_get(tf, "filled")), 1);
    l1o = json_object_get(j, "leave_one_out");
    assert_int_equal(json_array_size(l1o), 13);
    CHECK(SET_BCG, jnum(json_array_get(l1o, 7), "estimate"), bcg_l1o_reml_est[7], TOL);
    assert_string_equal(json_string_value(json_object_get(json_array_get(l1o, 7), "omitted")),
                        "TPT Madras");
    json_decref(j);
}

static void test_meta__cli_table_and_csv(void **state)
{
    run_result r;
    size_t lines = 0;
    (void)state;
    skip_without_binary();
    r = run_meta("--input tests/fixtures/meta/bcg.csv --measure RR --format table");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Aronson"));
    assert_non_null(strstr(r.out, "I2 = 92.22%"));
    run_free(r);
    r = run_meta("--input tests/fixtures/meta/bcg.csv --measure RR --format csv");
    assert_int_equal(r.status, 0);
    assert_true(strncmp(r.out, "row,study,estimate,se,ci_low,ci_high,weight_pct\n", 48) == 0);
    for (const char *p = r.out; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, 1 + 13 + 1);
    assert_non_null(strstr(r.out, "\nstudy,Ferguson & Simes,"));
    assert_non_null(strstr(r.out, "\npooled,REML,-0.714532342158"));
    run_free(r);
}

static void test_meta__cli_help_and_usage(void **state)
{
    static const char *const usage_errors[] = {
        "--measure RR",                                                  /* no --input */
        "--input tests/fixtures/meta/bcg.csv",                           /* no --measure */
        "--input tests/fixtures/meta/bcg.csv --measure HR",              /* unknown measure */
        "--input tests/fixtures/meta/bcg.csv --measure RR --method ML",  /* unknown method */
        "--input tests/fixtures/meta/bcg.csv --measure RR --format xml", /* unknown format */
        "--input tests/fixtures/meta/bcg.csv --measure RR --method FE --knha",
        "--input tests/fixtures/meta/hackshaw1998.csv --measure GEN --method MH",
        "--input tests/fixtures/meta/bcg.csv --measure RR --method PETO",
        "--input tests/fixtures/meta/bcg.csv --measure RR --frobnicate",
        "--input",
    };
    run_result r;
    (void)state;
    skip_without_binary();
    r = run_meta("--help");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "usage: whatworks meta --input FILE.csv --measure M"));
    run_free(r);
    for (size_t i = 0; i < sizeof usage_errors / sizeof usage_errors[0]; i++) {
        r = run_meta(usage_errors[i]);
        if (r.status != 64) print_error("%s: exit %d, want 64\n", usage_errors[i], r.status);
        assert_int_equal(r.status, 64);
        assert_string_equal(r.out, "");
        run_free(r);
    }
    r = run_meta("--input tests/fixtures/meta/no-such-file.csv --measure RR");
    assert_int_equal(r.status, 66);
    assert_non_null(strstr(r.err, "no-such-file.csv"));
    run_free(r);
}

/* Each bad fixture: exit 65, and stderr names FILE:LINE: column: problem. */
static void test_meta__cli_bad_data(void **state)
{
    static const struct {
        const char *args, *message;
    } cases[] = {
        {"--input tests/fixtures/meta/bad_missing_column.csv --measure GEN",
         "tests/fixtures/meta/bad_missing_column.csv:1: vi: missing column"},
        {"--input tests/fixtures/meta/bad_non_numeric.csv --measure GEN",
         "tests/fixtures/meta/bad_non_numeric.csv:3: yi: not a number: 'n/a'"},
        {"--input tests/fixtures/meta/bad_vi.csv --measure GEN",
         "tests/fixtures/meta/bad_vi.csv:4: vi: must be > 0, got 0"},
        {"--input tests/fixtures/meta/bad_vi.csv --measure GEN",
         "tests/fixtures/meta/bad_vi.csv:5: vi: must be > 0, got -0.02"},
        {"--input tests/fixtures/meta/bad_one_study.csv --measure GEN",
         "tests/fixtures/meta/bad_one_study.csv:1: study: random effects (REML) need at least 2 "
         "studies, found 1"},
        {"--input tests/fixtures/meta/bad_events.csv --measure OR --method MH",
         "tests/fixtures/meta/bad_events.csv:3: e1: 31 events exceed the total n1 = 30"},
        {"--input tests/fixtures/meta/bad_events.csv --measure OR --method MH",
         "tests/fixtures/meta/bad_events.csv:6: n2: empty; a number is needed"},
        {"--input tests/fixtures/meta/bad_smd.csv --measure SMD",
         "tests/fixtures/meta/bad_smd.csv:3: sd2: must be > 0, got 0"},
        {"--input tests/fixtures/meta/bad_smd.csv --measure SMD",
         "tests/fixtures/meta/bad_smd.csv:5: n1: must be >= 2, got 1"},
        {"--input tests/fixtures/meta/bad_zcor.csv --measure ZCOR",
         "tests/fixtures/meta/bad_zcor.csv:2: r: must be > -1 and < 1, got 1.2"},
        {"--input tests/fixtures/meta/bad_zcor.csv --measure ZCOR",
         "tests/fixtures/meta/bad_zcor.csv:3: n: must be > 3, got 3"},
        {"--input tests/fixtures/meta/bcg.csv --measure GEN",
         "tests/fixtures/meta/bcg.csv:1: yi: missing column"},
        {"--input tests/fixtures/meta/bcg.csv --measure MD",
         "tests/fixtures/meta/bcg.csv:1: m1: missing column"},
    };
    run_result r;
    (void)state;
    skip_without_binary();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        r = run_meta(cases[i].args);
        if (r.status != 65 || !strstr(r.err, cases[i].message))
            print_error("%s: exit %d, stderr:\n%swant: %s\n", cases[i].args, r.status, r.err,
                        cases[i].message);
        assert_int_equal(r.status, 65);
        assert_non_null(strstr(r.err, cases[i].message));
        assert_string_equal(r.out, "");
        run_free(r);
    }
    /* one study is fine for a fixed-effect analysis */
    r = run_meta("--input tests/fixtures/meta/bad_one_study.csv --measure GEN --method FE");
    assert_int_equal(r.status, 0);
    run_free(r);
}

/* A spreadsheet export: UTF-8 BOM, CRLF, quoted label with a comma and a
 * line break, columns in another order and case, an extra column, a blank
 * trailing row. Line numbers still count physical lines. */
static void test_meta__cli_csv_dialect(void **state)
{
    static const char text[] = "\xEF\xBB\xBFVI,Notes,Study,YI\r\n"
                               "0.04,x,\"Smith, 2001\",0.30\r\n"
                               "0.05,y,\"Jones\r\n(2003)\",0.10\r\n"
                               "0.06,z,Brown,abc\r\n"
                               ",,,\r\n";
    char path[400], args[600];
    FILE *fp;
    run_result r;
    json_t *j;
    (void)state;
    skip_without_binary();
    snprintf(path, sizeof path, "%s/dialect.csv", tmpdir);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    snprintf(args, sizeof args, "--input '%s' --measure GEN --method FE", path);
    r = run_meta(args);
    assert_int_equal(r.status, 65);
    assert_non_null(strstr(r.err, "dialect.csv:5: yi: not a number: 'abc'"));
    run_free(r);

    fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs("\xEF\xBB\xBFVI,Notes,Study,YI\r\n0.04,x,\"Smith, 2001\",0.30\r\n"
          "0.05,y,\"Jones\r\n(2003)\",0.10\r\n,,,\r\n",
          fp);
    fclose(fp);
    snprintf(args, sizeof args, "--input '%s' --measure GEN --method FE --format json", path);
    j = run_json(args);
    assert_int_equal(json_integer_value(json_object_get(j, "k")), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "studies"), 0), "study")),
                        "Smith, 2001");
    /* FE of two: (0.30/0.04 + 0.10/0.05) / (1/0.04 + 1/0.05) */
    assert_close(jnum(j, "estimate"), (7.5 + 2.0) / 45.0, 1e-15);
    assert_null(json_object_get(j, "egger"));
    json_decref(j);
}

/* ---- the public API: ww_meta_run() and its accessors ------------------------------------ */

/* The BCG trials through whatworks.h: the same numbers as the engine's own
 * calls on metafor's effects (to 1e-12: the CSV's effects are computed from
 * the tables here, metafor's were pasted), every accessor, and the refusals. */
static void test_meta__public_api(void **state)
{
    static const char *const group_names[3] = {"random", "alternate", "systematic"};
    static const size_t group_of[3] = {1, 0, 2}; /* bcg_alloc's numbering */
    ww_meta_opts opts = WW_META_OPTS_INIT;
    ww_meta_analysis *a = NULL;
    const ww_meta_pooled *p;
    const ww_meta_test *t;
    ww_meta_result r, groups[3], l1o[13];
    ww_meta_subgroup_test qb;
    ww_meta_egger_result egger;
    ww_meta_pool_opts o = opts_of(WW_META_REML, 0);
    double w[13];
    char path[512];
    const char *name;
    size_t k0;
    int side;
    (void)state;

    assert_int_equal(opts.version, WW_META_OPTS_VERSION);
    assert_int_equal(opts.method, WW_META_REML);
    opts.measure = WW_META_RR;
    opts.subgroup_column = "alloc";
    opts.trimfill = 1;
    opts.leave_one_out = 1;
    assert_ww_ok(ww_meta_run(&a, TOP_PATH(path, "tests/fixtures/meta/bcg.csv"), &opts));
    assert_int_equal(ww_meta_analysis_diag_count(a), 0);
    assert_int_equal(ww_meta_analysis_measure(a), WW_META_RR);
    assert_int_equal(ww_meta_analysis_method(a), WW_META_REML);
    assert_int_equal(ww_meta_analysis_knha(a), 0);

    pool_bcg(&r, w, WW_META_REML, 0);
    p = ww_meta_analysis_pooled(a);
    assert_non_null(p);
    assert_int_equal(p->k, 13);
    assert_close(p->estimate, r.estimate, 1e-12);
    assert_close(p->se, r.se, 1e-12);
    assert_close(p->ci_low, r.ci_low, 1e-12);
    assert_close(p->ci_high, r.ci_high, 1e-12);
    assert_close(p->stat, r.stat, 1e-12);
    assert_true(p->df == 0);
    assert_close(p->p, r.p, 1e-12);
    assert_close(p->tau2, r.tau2, 1e-12);
    assert_close(p->i2, r.i2, 1e-10);
    assert_close(p->h2, r.h2, 1e-12);
    assert_close(p->q, r.q, 1e-10);
    assert_true(p->q_df == 12);
    assert_close(p->pi_low, r.pi_low, 1e-12);
    assert_close(p->pi_high, r.pi_high, 1e-12);
    assert_true(p->exp_estimate == exp(p->estimate));
    assert_true(p->exp_ci_low == exp(p->ci_low) && p->exp_ci_high == exp(p->ci_high));

    assert_int_equal(ww_meta_analysis_study_count(a), 13);
    assert_string_equal(ww_meta_analysis_study(a, 0)->study, "Aronson");
    assert_string_equal(ww_meta_analysis_study(a, 0)->group, "random");
    for (size_t i = 0; i < 13; i++) {
        const ww_meta_study *st = ww_meta_analysis_study(a, i);
        assert_close(st->yi, bcg_yi[i], 1e-12);
        assert_close(st->vi, bcg_vi[i], 1e-12);
        assert_close(st->weight_pct, w[i], 1e-10);
    }
    assert_null(ww_meta_analysis_study(a, 13));

    assert_ww_ok(ww_meta_egger(&egger, bcg_yi, bcg_vi, 13, &o));
    assert_non_null(t = ww_meta_analysis_egger(a));
    assert_close(t->stat, egger.stat, 1e-10);
    assert_close(t->p, egger.p, 1e-10);

    assert_ww_ok(ww_meta_subgroups(groups, &qb, bcg_yi, bcg_vi, bcg_alloc, 13, 3, &o));
    assert_int_equal(ww_meta_analysis_subgroup_count(a), 3);
    for (size_t g = 0; g < 3; g++) {
        p = ww_meta_analysis_subgroup(a, g, &name);
        assert_non_null(p);
        assert_string_equal(name, group_names[g]);
        assert_int_equal(p->k, groups[group_of[g]].k);
        assert_close(p->estimate, groups[group_of[g]].estimate, 1e-10);
    }
    assert_null(ww_meta_analysis_subgroup(a, 3, &name));
    assert_non_null(t = ww_meta_analysis_q_between(a));
    assert_close(t->stat, qb.q_between, 1e-10);
    assert_true(t->df == 2);

    assert_ww_ok(ww_meta_leave1out(l1o, bcg_yi, bcg_vi, 13, &o));
    for (size_t i = 0; i < 13; i++)
        assert_close(ww_meta_analysis_leave_one_out(a, i)->estimate, l1o[i].estimate, 1e-10);
    assert_null(ww_meta_analysis_leave_one_out(a, 13));
    assert_non_null(p = ww_meta_analysis_trimfill(a, &k0, &side));
    assert_int_equal(p->k, 13 + k0);
    assert_true(side == 1 || side == -1);
    ww_meta_analysis_free(a);

    /* bad rows: every problem as a diagnostic, nothing to write */
    opts = (ww_meta_opts)WW_META_OPTS_INIT;
    assert_int_equal(ww_meta_run(&a, TOP_PATH(path, "tests/fixtures/meta/bad_vi.csv"), &opts),
                     WW_EDATA);
    assert_non_null(a);
    assert_null(ww_meta_analysis_pooled(a));
    assert_int_equal(ww_meta_analysis_study_count(a), 0);
    assert_true(ww_meta_analysis_diag_count(a) >= 2);
    assert_int_equal(ww_meta_analysis_diag(a, 0)->line, 4);
    assert_string_equal(ww_meta_analysis_diag(a, 0)->field, "vi");
    assert_non_null(strstr(ww_error_last(), "bad_vi.csv:4: vi: must be > 0, got 0"));
    assert_int_equal(ww_meta_analysis_write(a, stdout, WW_FORMAT_JSON), WW_EUSAGE);
    ww_meta_analysis_free(a);

    /* refusals: no handle */
    assert_int_equal(ww_meta_run(&a, TOP_PATH(path, "tests/fixtures/meta/none.csv"), &opts),
                     WW_ENOTFOUND);
    assert_null(a);
    opts.version = WW_META_OPTS_VERSION + 1;
    assert_int_equal(ww_meta_run(&a, path, &opts), WW_EUSAGE);
    assert_null(a);
    assert_int_equal(ww_meta_opts_init(&opts, WW_META_OPTS_VERSION + 1), WW_EUSAGE);
    assert_ww_ok(ww_meta_opts_init(&opts, WW_META_OPTS_VERSION));
    opts.method = WW_META_PETO;
    opts.measure = WW_META_RR;
    assert_int_equal(ww_meta_run(&a, path, &opts), WW_EUSAGE);
    opts.method = WW_META_FE;
    opts.knha = 1;
    assert_int_equal(ww_meta_run(&a, path, &opts), WW_EUSAGE);
    assert_null(a);
    ww_meta_analysis_free(NULL);
}

/* ---- docs/meta.md: its example is what the command prints ------------------------------ */

/* Numbers equal to 1e-12 relative, everything else exactly. */
static int json_close(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return rel_diff(json_number_value(a), json_number_value(b)) <= 1e-12;
    if (json_typeof(a) != json_typeof(b)) return 0;
    if (json_is_object(a)) {
        const char *key;
        json_t *va;
        if (json_object_size(a) != json_object_size(b)) return 0;
        json_object_foreach((json_t *)a, key, va)
        {
            json_t *vb = json_object_get(b, key);
            if (!vb || !json_close(va, vb)) return 0;
        }
        return 1;
    }
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b)) return 0;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!json_close(json_array_get(a, i), json_array_get(b, i))) return 0;
        return 1;
    }
    return json_equal((json_t *)a, (json_t *)b);
}

static void test_meta__docs_example(void **state)
{
    char path[512], *doc, *cmd, *cmd_end, *json_start, *json_end, args[512];
    json_t *documented, *actual;
    json_error_t jerr;
    (void)state;
    skip_without_binary();
    doc = test_slurp(TOP_PATH(path, "docs/meta.md"));
    /* The example is the first ```sh block's `whatworks meta ...` line and
     * the ```json block that follows it. */
    cmd = strstr(doc, "```sh\nwhatworks meta ");
    assert_non_null(cmd);
    cmd += strlen("```sh\nwhatworks meta ");
    cmd_end = strchr(cmd, '\n');
    assert_non_null(cmd_end);
    assert_true((size_t)(cmd_end - cmd) < sizeof args);
    memcpy(args, cmd, (size_t)(cmd_end - cmd));
    args[cmd_end - cmd] = '\0';
    json_start = strstr(cmd_end, "```json\n");
    assert_non_null(json_start);
    json_start += strlen("```json\n");
    json_end = strstr(json_start, "```");
    assert_non_null(json_end);
    *json_end = '\0';
    documented = json_loads(json_start, 0, &jerr);
    if (!documented) print_error("docs/meta.md example is not JSON: %s\n", jerr.text);
    assert_non_null(documented);
    actual = run_json(args);
    if (!json_close(documented, actual)) {
        char *s = json_dumps(actual, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
        print_error("docs/meta.md example differs from `whatworks meta %s`:\n%s\n", args, s);
        free(s);
        fail();
    }
    json_decref(actual);
    json_decref(documented);
    free(doc);
}

/* ---- the largest differences seen ------------------------------------------------------ */

static int report_differences(void **state)
{
    (void)state;
    for (int s = 0; s < N_SETS; s++)
        print_message("max relative difference, %s: %.3g\n", set_names[s], max_rel[s]);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meta__bcg_effects_from_tables),
        cmocka_unit_test(test_meta__bcg_fe),
        cmocka_unit_test(test_meta__bcg_dl),
        cmocka_unit_test(test_meta__bcg_reml),
        cmocka_unit_test(test_meta__bcg_pm_he_sj),
        cmocka_unit_test(test_meta__bcg_knha),
        cmocka_unit_test(test_meta__bcg_egger),
        cmocka_unit_test(test_meta__bcg_leave1out),
        cmocka_unit_test(test_meta__bcg_trimfill),
        cmocka_unit_test(test_meta__bcg_subgroups),
        cmocka_unit_test(test_meta__bcg_mantel_haenszel),
        cmocka_unit_test(test_meta__bcg_peto),
        cmocka_unit_test(test_meta__fleiss1993_revman_mh_or),
        cmocka_unit_test(test_meta__fleiss1993_peto),
        cmocka_unit_test(test_meta__hackshaw1998),
        cmocka_unit_test(test_meta__normand1999),
        cmocka_unit_test(test_meta__molloy2014),
        cmocka_unit_test(test_meta__homogeneous_gives_tau2_zero),
        cmocka_unit_test(test_meta__reml_large_k),
        cmocka_unit_test(test_meta__refusals),
        cmocka_unit_test(test_meta__names),
        cmocka_unit_test(test_meta__double_zero_tables),
        cmocka_unit_test(test_meta__cli_bcg_json),
        cmocka_unit_test(test_meta__cli_knha_t_and_df),
        cmocka_unit_test(test_meta__cli_mantel_haenszel_fleiss),
        cmocka_unit_test(test_meta__cli_other_measures),
        cmocka_unit_test(test_meta__cli_extras),
        cmocka_unit_test(test_meta__cli_table_and_csv),
        cmocka_unit_test(test_meta__cli_help_and_usage),
        cmocka_unit_test(test_meta__cli_bad_data),
        cmocka_unit_test(test_meta__cli_csv_dialect),
        cmocka_unit_test(test_meta__public_api),
        cmocka_unit_test(test_meta__docs_example),
    };
    int failed;
    if (cli_setup(NULL) != 0) return 1;
    test_filter_from_env();
    failed = cmocka_run_group_tests_name("meta", tests, NULL, report_differences);
    cli_teardown(NULL);
    return failed;
}
