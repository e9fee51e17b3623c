/*
 * pcheck.h — is a reported p-value consistent with its test statistic?
 * The statcheck rules (Nuijten, Hartgerink, van Assen, Epskamp & Wicherts
 * 2016, "The prevalence of statistical reporting errors in psychology
 * (1985-2013)", Behavior Research Methods 48(4):1205-1226,
 * doi:10.3758/s13428-015-0664-2; the R package statcheck 1.x, functions
 * compute_p, error_test and decision_error_test), restated for plain C
 * structs. Pure: no I/O, no allocation, no global state; the distribution
 * functions come from GSL.
 *
 * The rules, as statcheck applies them with its default options
 * (two-tailed tests, alpha .05, pEqualAlphaSig = TRUE, pZeroError = TRUE,
 * no one-tailed correction):
 *  1. p is recomputed from the statistic as reported: two-tailed for t, r
 *     and z, the upper tail for F, chi-square and Q (Q follows a chi-square
 *     distribution with its df). r becomes t = r / sqrt((1 - r^2) / df).
 *  2. The statistic was rounded when printed, so its true value lies within
 *     half a unit of its last decimal: t = 2.1 stands for [2.05, 2.15]. The
 *     p-values at the two ends are the range of correct p-values.
 *  3. The reported p is consistent when it fits that range: "p = x" is
 *     consistent when x lies between the range's ends each rounded to as
 *     many decimals as x was printed with; "p < x" when x is above the
 *     range's lower end; "p > x" when x is below its upper end. "ns" reads
 *     as "p > alpha". A statistic reported as "<" or ">" (e.g. "F < 1")
 *     bounds p from one side only, as statcheck's table of cases says.
 *     A reported p of 0 or less ("p = .000") is always inconsistent.
 *  4. A decision error is an inconsistency that flips significance at
 *     alpha: the reported p says significant and the recomputed one (from
 *     the statistic as printed) does not, or the other way round; p = alpha
 *     counts as significant.
 */
#ifndef WW_EVIDENCE_PCHECK_H
#define WW_EVIDENCE_PCHECK_H

/* Test statistics whose p-value can be recomputed. */
typedef enum ww_ptest {
    WW_PTEST_T = 1, /* Student's t with df */
    WW_PTEST_F,     /* F with df1, df2 */
    WW_PTEST_R,     /* Pearson's r with df (n - 2) */
    WW_PTEST_Z,     /* standard normal z, no df */
    WW_PTEST_CHI2,  /* chi-square with df */
    WW_PTEST_Q      /* meta-analytic Q (Q, Q-within, Q-between): chi-square with df */
} ww_ptest;

/* "t", "F", "r", "z", "chi2", "Q"; NULL when out of range. */
const char *ww_ptest_name(ww_ptest test);

/* How a value was reported: "=", "<", ">", or "ns" (p only). */
typedef enum ww_pcmp { WW_PCMP_EQ = 0, WW_PCMP_LT, WW_PCMP_GT, WW_PCMP_NS } ww_pcmp;

/* "=", "<", ">", "ns"; NULL when out of range. */
const char *ww_pcmp_name(ww_pcmp cmp);

/* p from a statistic, as in rule 1: two-tailed for t, r and z, the upper
 * tail for F, chi-square and Q. df1 is the df of t, r, chi-square and Q
 * (df2 unused); F uses df1 and df2; z uses neither. Returns NAN when the
 * inputs are outside the test's domain (df <= 0 or not finite, |r| > 1,
 * F or chi-square < 0). Degrees of freedom above 1e7 are refused (NAN):
 * no report has them and GSL's series are not meant for them. */
double ww_pcheck_pvalue(ww_ptest test, double stat, double df1, double df2);

/* A reported result. */
typedef struct ww_pcheck_in {
    ww_ptest test;
    double df1, df2;   /* as for ww_pcheck_pvalue() */
    ww_pcmp stat_cmp;  /* WW_PCMP_EQ, _LT or _GT */
    double stat;       /* as printed, sign kept */
    int stat_decimals; /* digits printed after its decimal point (0..15) */
    ww_pcmp p_cmp;     /* WW_PCMP_EQ, _LT, _GT or _NS */
    double p;          /* as printed; ignored for WW_PCMP_NS */
    int p_decimals;    /* digits printed after its decimal point (0..15) */
} ww_pcheck_in;

typedef struct ww_pcheck_out {
    double p;             /* recomputed from the statistic as printed */
    double p_low, p_high; /* the range rule 2 allows */
    int inconsistent;     /* 1: the reported p is outside it (statcheck "Error") */
    int decision_error;   /* 1: and significance at alpha flips ("DecisionError") */
} ww_pcheck_out;

/* Check one result by the rules above at significance level alpha (0.05 as
 * statcheck's default; 0 < alpha < 1). Returns 0, or WW_EDATA when the
 * result cannot be checked (the message says why: a missing or invalid df,
 * |r| > 1, a reported p above 1, an unknown test or comparison), or
 * WW_EUSAGE when out or in is NULL. On failure *out holds NANs and zeros. */
int ww_pcheck_consistency(ww_pcheck_out *out, const ww_pcheck_in *in, double alpha);

#endif
