/*
 * extract.h — reported statistics found in free text (private to
 * importers/). The extractor reads UTF-8 text and reports each statistic it
 * recognises with where it is (byte and character offsets, line), what it
 * is, its numbers, and a confidence. It needs no database and no files:
 * the report importer (report.c) uses it on the text of a report, and the
 * tests run it over hand-coded answer sets. The patterns, the glyph repairs
 * and the confidence heuristic are documented in docs/reports.md.
 *
 * Nothing PCRE2 shows through this header.
 */
#ifndef WW_IMPORTERS_EXTRACT_H
#define WW_IMPORTERS_EXTRACT_H

#include <stddef.h>

#include "../evidence/pcheck.h"
#include "../evidence/record.h"

/* What a hit is. */
typedef enum ww_extract_kind {
    WW_EXTRACT_TEST = 1, /* a test statistic (t, F, r, z, chi-square, Q), maybe with df and p */
    WW_EXTRACT_EFFECT,   /* an effect size (d, g, SMD, OR, RR, HR), maybe with a CI */
    WW_EXTRACT_N,        /* a sample size: "n = 120", "N1 = 60" */
    WW_EXTRACT_P,        /* a p-value that is not part of a test statistic */
    WW_EXTRACT_COST,     /* a cost per participant in pounds */
    WW_EXTRACT_RETURN,   /* "£X for every £1 spent": X */
    WW_EXTRACT_BCR,      /* a benefit-cost ratio */
    WW_EXTRACT_DESIGN    /* a cue to the study design */
} ww_extract_kind;

/* "test", "effect", "n", "p", "cost", "return", "bcr", "design"; NULL when
 * out of range. */
const char *ww_extract_kind_name(ww_extract_kind kind);

/* Effect-size metrics. */
typedef enum ww_extract_effect {
    WW_EFFECT_D = 1, /* Cohen's d */
    WW_EFFECT_G,     /* Hedges' g */
    WW_EFFECT_SMD,   /* "SMD", "standardised mean difference" */
    WW_EFFECT_OR,    /* odds ratio (also adjusted: aOR) */
    WW_EFFECT_RR,    /* risk ratio, relative risk (also aRR) */
    WW_EFFECT_HR     /* hazard ratio (also aHR) */
} ww_extract_effect;

/* "d", "g", "SMD", "OR", "RR", "HR"; NULL when out of range. */
const char *ww_extract_effect_name(ww_extract_effect e);

/* Ways the text was repaired to read a hit (bit flags, in `repairs`). */
#define WW_EXTRACT_REPAIR_GLYPH 1u   /* "?" for chi or minus, control characters for minus, */
                                     /* letters standing for =, <, > in PDF conversions */
#define WW_EXTRACT_REPAIR_DECIMAL 2u /* a decimal comma ("14,22") */

/* One hit. Numbers that were not in the text are NAN, counts -1. */
typedef struct ww_extract_hit {
    ww_extract_kind kind;
    size_t offset, length;           /* bytes into the text */
    size_t char_offset, char_length; /* the same span in characters (code points) */
    long line;                       /* 1-based line of the span's start */
    double confidence;               /* 0..1, as docs/reports.md defines */
    unsigned repairs;                /* WW_EXTRACT_REPAIR_* */

    /* WW_EXTRACT_TEST */
    ww_ptest test;
    const char *label; /* the statistic as named: "t", "F", "r", "z", "chi2", "Q", "Qb", "Qw" */
    double df1, df2;   /* t, r, chi2, Q: df1; F: df1 and df2; NAN when not given */
    long n_total;      /* "chi2(1, N = 226)": 226; else -1 */
    ww_pcmp stat_cmp;  /* =, <, > */
    double value;      /* the statistic (also the estimate, n, amount of other kinds) */
    int value_decimals;
    int has_p; /* a p-value (or "ns") follows */
    ww_pcmp p_cmp;
    double p; /* NAN for "ns" */
    int p_decimals;
    int checked; /* the consistency check ran (has_p and checkable) */
    ww_pcheck_out check;

    /* WW_EXTRACT_EFFECT: value is the estimate */
    ww_extract_effect effect;
    int has_ci;
    double ci_low, ci_high;
    double ci_level; /* 95 for "95% CI"; NAN when the level was not stated */

    /* WW_EXTRACT_N: value is the count; group as written ("1", "T",
     * "control", ...), "" for a total */
    char group[16];

    /* WW_EXTRACT_P: has_p, p_cmp, p and p_decimals as for a test.
     * WW_EXTRACT_COST, _RETURN, _BCR: value is the amount (pounds for a
     * cost, pounds per pound spent for a return, the ratio for a BCR). */

    /* WW_EXTRACT_DESIGN */
    ww_design design;
    int negated; /* "not a randomised controlled trial", "non-randomised" */
} ww_extract_hit;

/* Called once per hit, in order of offset. Return 0 to go on, or a negative
 * ww_error to stop (ww_extract__stats then returns it). The hit is valid
 * only during the call. */
typedef int (*ww_extract_cb)(void *ctx, const ww_extract_hit *hit);

/* What a run saw besides its hits. */
typedef struct ww_extract_info {
    size_t hits;       /* hits passed to the callback */
    size_t limit_hits; /* matches abandoned at PCRE2's match or depth limit */
} ww_extract_info;

/* Find every statistic in text[0..n) (UTF-8; need not be NUL-terminated)
 * and call cb for each, in order of offset. Hits inside a test statistic's
 * span (its p, its N) are not reported again on their own. PCRE2 runs with
 * a match limit and a depth limit: a match that reaches one is abandoned
 * and counted in info->limit_hits, and the scan goes on after it, so any
 * input finishes. info may be NULL.
 * Returns 0; WW_EDATA when the text is not valid UTF-8 (or holds a NUL);
 * WW_ERROR when the patterns do not compile (a bug); WW_ENOMEM; or what
 * cb returned. */
int ww_extract__stats(const char *text, size_t n, ww_extract_cb cb, void *ctx,
                      ww_extract_info *info);

/* Parse a number as reports print it: "1,224.08", ".05", "14,22" (a
 * decimal comma when no point follows and the comma is not followed by
 * exactly three digits, or the integer part is 0), with an optional
 * exponent ("1.2e-5"). *decimals receives the digits after the decimal
 * mark; *repaired is set to 1 when a decimal comma was read. Returns 0 or
 * WW_EDATA. */
int ww_extract__number(double *out, int *decimals, int *repaired, const char *s, size_t n);

#endif
