/*
 * extract.c — the statistics extractor: PCRE2 patterns over UTF-8 text,
 * turning each match into a ww_extract_hit (extract.h). The report importer
 * (report.c) runs it over a report's text; tests/test_extract.c scores it
 * against statcheck's and EffectSizeScraping's hand-coded answer sets.
 *
 * Eight patterns, compiled once per process (pthread_once) with UTF and
 * UCP (so \s takes in no-break and thin spaces), JIT-compiled when PCRE2
 * has a JIT for this machine, and matched with a match limit and a depth
 * limit. PCRE2 counts both per start position, so a long text that never
 * matches is not a problem; a start position that reaches a limit is
 * abandoned and counted, and the scan goes on one character later. Each
 * pattern scans the text on its own; their matches are merged by offset
 * (ties: tests first), so hits reach the caller in order and line and
 * character offsets are counted once, incrementally.
 *
 * The patterns follow APA reporting as statcheck reads it (regex.R in the
 * statcheck R package: "t(28) = 2.20, p = .036", "F(2, 56) = 1.20",
 * "chi2(1, N = 226) = 6.90", "r(46) = .34", "Z = 1.54", "Qb(1) = 3.78",
 * "ns"), and add what evaluation reports and text from PDFs bring:
 *  - the df as a subscript ("t26 = 1.71", "F3,20 = 23.58") and no df at
 *    all ("t = 0.698"), reported with a lower confidence and not checked;
 *  - chi-square spelled chi-square, chi2, X2, x2, G2, and "?2" or "??2"
 *    where an encoding turned chi (or Delta chi) into question marks;
 *  - minus signs as U+2212, en or em dash, "?" (a lost minus) or an ASCII
 *    control character next to the number (what PDF converters leave), and
 *    "?" around "=" as a lost thin space ("F(1, 20)?=?0.55");
 *  - the comparison glyphs PDF conversions mangle, as statcheck's own PDF
 *    reader repairs them, but only in the comparison slot of a result:
 *    "¼" and U+2AFD for "=", "!" and "b" for "<", "N" for ">", "p" for "=";
 *  - decimal commas ("F(1, 59) = 14,22", "p = 0,03");
 *  - an "MSE = ..." between the statistic and its p.
 * Effects, sample sizes, p-values, costs, returns per pound, benefit-cost
 * ratios and design cues have their own patterns below.
 *
 * Nothing here is visible outside importers/: the header shows no PCRE2
 * type.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pcre2.h>

/* Valgrind cannot follow JIT-compiled code and reports PCRE2's JIT reading
 * its own stack as uninitialised; under valgrind the patterns are
 * interpreted instead (same results). The header is optional. */
#if defined(__has_include) && !defined(__CPPCHECK__) /* cppcheck cannot evaluate it */
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define EXTRACT_UNDER_VALGRIND() (RUNNING_ON_VALGRIND != 0)
#endif
#endif
#ifndef EXTRACT_UNDER_VALGRIND
#define EXTRACT_UNDER_VALGRIND() 0
#endif

#include "../util/util.h"
#include "extract.h"

/* Matching work allowed per start position. The patterns are bounded
 * (every repeat has a small upper limit), so a real match needs a few
 * hundred steps; these limits only stop pathological input. */
#define EXTRACT_MATCH_LIMIT 200000
#define EXTRACT_DEPTH_LIMIT 2000
/* Longest number we parse (bytes, spaces removed). */
#define NUMBER_MAX 64

/* ---- pattern fragments ---------------------------------------------------- */

/* The patterns are laid out by hand, one idea to a line. */
/* clang-format off */

/* Minus signs: ASCII hyphen-minus, U+2212 minus, figure/en/em dash, small
 * and full-width hyphen-minus, U+2AFA (a PDF font's minus, per statcheck). */
#define MINUS "[-\\x{2212}\\x{2012}\\x{2013}\\x{2014}\\x{FE63}\\x{FF0D}\\x{2AFA}]"
/* ASCII control characters PDF converters leave where a glyph was. */
#define JUNK "[\\x01-\\x08]"
/* A number as printed: digits with comma groups (thousands or a decimal
 * comma, told apart in C), an optional decimal point; or ".05". */
#define NUM "(?:[0-9]+(?:,[0-9]+)*(?:\\.[0-9]+)?|\\.[0-9]+)"
/* Comparison signs: <=, >=, =, <, >, the Unicode <= and >=, and the PDF
 * substitutes for "=": U+00BC (¼) and U+2AFD (double solidus). */
#define CMP_SIGNS "<=|>=|[=<>\\x{2264}\\x{2265}\\x{00BC}\\x{2AFD}]"
/* Not inside a word or a number. */
#define WORD_START "(?<![\\p{L}\\p{N}_])"
#define WORD_END "(?![\\p{L}\\p{N}_])"

/* 1. Test statistics. */
static const char pat_test[] =
    /* statcheck's PDF reader takes a "B" glued to a test letter for a
     * quotation mark (BRM's fonts): allow it before t, F, r, Q, z */
    "(?:" WORD_START "|(?<=" WORD_START "B)(?=[tFrQzZ]))"
    "(?:"
    /* chi-square: chi, Chi, X, x, G (G-squared), or one or two "?" left by
     * an encoding, then 2, superscript 2 or ^2; or the word. */
    "(?<chi>(?:\\x{0394}\\s?)?(?:\\x{03C7}|\\x{03A7}|X|x|G|\\?{1,2})\\s?(?:2|\\x{00B2}|\\^2)"
    "|(?i:chi)(?:[-\\s]?(?i:squared?)|2|\\x{00B2}))"
    "|(?<q>Q(?:\\s?-?\\s?(?:[wW]ithin|[bB]etween|[eE]rror|[wWbBtTeE](?![\\p{L}])))?)"
    "|(?<t>t)|(?<r>r)|(?<f>F)|(?<z>[zZ])"
    ")"
    /* degrees of freedom: "(df)", "(df1, df2)", "(df, N = n)", or a
     * subscript "26", "3,20" (checked per test in C) */
    "(?:\\s{0,3}\\(\\s{0,3}(?<df1>[0-9]+(?:\\.[0-9]+)?|[lI])\\s{0,3}"
    "(?:,\\s{0,3}(?<df2>[0-9]+(?:\\.[0-9]+)?)\\s{0,3})?"
    "(?:[,;]\\s{0,3}[nN]\\s{0,2}(?:=|p)\\s{0,2}(?<nt>[0-9]+(?:,[0-9]{3})*)\\s{0,3})?\\)"
    "|(?<sdf1>[0-9]{1,4})(?:,(?<sdf2>[0-9]{1,5}))?"
    "(?:\\s{0,2}\\(\\s{0,2}[nN]\\s{0,2}=\\s{0,2}(?<nt2>[0-9]+(?:,[0-9]{3})*)\\s{0,2}\\))?)?"
    /* the comparison, maybe with a lost thin space ("?") or junk before */
    "(?<qpre>\\s{0,3}\\?)?\\s{0,3}" JUNK "{0,2}\\s{0,2}"
    "(?<cmp>" CMP_SIGNS "|!|[pbN](?=\\s{0,2}(?:" MINUS "|" JUNK ")?\\s{0,2}\\.?[0-9]))"
    JUNK "{0,2}\\s{0,3}"
    /* the value with its sign */
    "(?<sign>(?:" MINUS "|" JUNK "|\\?)(?:\\s?(?:" MINUS "|" JUNK ")){0,3})?\\s{0,2}"
    "(?<val>" NUM ")(?![0-9])"
    /* the df given after the value: "chi2 = 126.5 (df = 16, p = .0001)" */
    "(?:\\s{0,3}[,;(]\\s{0,3}(?i:df)(?:\\s|\\?){0,3}[=:](?:\\s|\\?){0,3}"
    "(?<tdf1>[0-9]+(?:\\.[0-9]+)?)(?:\\s{0,2},\\s{0,2}(?<tdf2>[0-9]+(?:\\.[0-9]+)?))?)?"
    /* an optional MSE, then the p-value or "ns" */
    "(?:(?<mse>\\s{0,3}[,;]\\s{0,3}MS[Ee]\\s{0,3}(?:\\?\\s?)?=\\s{0,3}(?:\\?\\s?)?" NUM ")?"
    "\\s{0,3}[,;:]?\\s{0,3}\\(?\\s{0,3}"
    "(?:(?<pl>[pP])s?(?:\\s|" JUNK "|\\?){0,4}"
    "(?<pcmp>" CMP_SIGNS "|!|[pbN](?=\\s{0,2}\\.?[0-9]))"
    "(?:\\s|" JUNK "|\\?){0,4}"
    "(?<pval>[0-9]?[.,]\\s?[0-9]+(?:[eE]\\s?" MINUS "?\\s?[0-9]+)?|[01](?![.,0-9]))"
    "(?<pexp>\\s{0,2}[x\\x{00D7}*]\\s{0,2}10\\s{0,2}\\^?\\s{0,2}" MINUS "\\s{0,2}[0-9]{1,3})?"
    "|(?<ns>(?:n\\.?\\s?s\\.?|NS|N\\.S\\.)(?![\\p{L}\\p{N}])))"
    /* or the df after the p: "t = -96, p < .0001, df = 19" */
    "(?:\\s{0,3}[,;]\\s{0,3}(?i:df)(?:\\s|\\?){0,3}[=:](?:\\s|\\?){0,3}"
    "(?<pdf1>[0-9]+(?:\\.[0-9]+)?)(?:\\s{0,2},\\s{0,2}(?<pdf2>[0-9]+(?:\\.[0-9]+)?))?)?"
    ")?";

/* 2. Effect sizes, with a 95% CI when one follows. */
#define CI_SEP "(?:,|;|(?i:to)|" MINUS "|\\x{2026}|\\.\\.)"
static const char pat_effect[] =
    WORD_START
    "(?:(?<smd>SMD|(?i:standardi[sz]ed\\s+mean\\s+difference))"
    "|(?<or>a?OR|(?i:(?:adjusted\\s+)?odds\\s+ratio))"
    "|(?<rr>a?RR|(?i:(?:adjusted\\s+)?(?:risk\\s+ratio|relative\\s+risk)))"
    "|(?<hr>a?HR|(?i:(?:adjusted\\s+)?hazard\\s+ratio))"
    "|(?<d>(?:Cohen(?:['\\x{2019}]?s)?\\s?)?d)"
    "|(?<g>(?:Hedges(?:['\\x{2019}]s?)?\\s?)?g))"
    WORD_END
    "(?:\\s{0,3}\\(\\s{0,2}(?:a?OR|a?RR|a?HR|SMD)\\s{0,2}\\))?"
    "(?<epre>\\s{0,3}\\?)?\\s{0,3}"
    "(?<sep>[=:]|(?i:of|was|were|is)(?=\\s)|)"
    "\\s{0,3}(?<esign>" MINUS "|\\?)?\\s{0,2}(?<est>" NUM ")(?![0-9])"
    "(?:\\s{0,3}[,;(\\[]?\\s{0,3}"
    "(?:(?<lvl>[0-9]{2}(?:\\.[0-9]+)?)\\s?%\\s{0,2})?"
    "(?:CI|C\\.I\\.|CrI|(?i:confidence\\s+interval|credible\\s+interval))"
    "\\s{0,3}(?:[:=,]\\s{0,3})?[\\[(]?\\s{0,3}"
    "(?<losign>" MINUS "|\\?)?\\s{0,2}(?<lo>" NUM ")"
    "\\s{0,3}" CI_SEP "\\s{0,3}"
    "(?<hisign>" MINUS "|\\?)?\\s{0,2}(?<hi>" NUM ")(?![0-9])\\s{0,3}[\\])]?"
    "|\\s{0,3}[(\\[]\\s{0,2}(?<blosign>" MINUS "|\\?)?\\s{0,2}(?<blo>" NUM ")"
    "\\s{0,2}" CI_SEP "\\s{0,2}(?<bhisign>" MINUS "|\\?)?\\s{0,2}(?<bhi>" NUM ")\\s{0,2}[)\\]])?";

/* 3. Sample sizes: "n = 120", "N1 = 60", "n_control = 58", "(n=585)". */
static const char pat_n[] =
    WORD_START
    "(?<nlab>[nN])\\s?(?<grp>_?(?:[0-9]|[TtCcEeIi](?![\\p{L}])|(?i:treatment|control|"
    "intervention|comparison|experimental)))?\\s{0,2}=\\s{0,2}"
    "(?<nval>[0-9]+(?:,[0-9]{3})*)(?![0-9]|[.,][0-9])";

/* 4. p-values on their own. */
static const char pat_p[] =
    WORD_START "[pP]\\s{0,2}(?<ppcmp>" CMP_SIGNS ")\\s{0,2}"
    "(?<ppval>[0-9]?\\.[0-9]+(?:[eE]" MINUS "?[0-9]+)?|[01](?![.,0-9]))";

/* 5. Costs per participant, in pounds. */
#define UNITS                                                                                      \
    "(?i:participants?|pupils?|child(?:ren)?|young\\s+(?:people|persons?)|persons?|people|"         \
    "famil(?:y|ies)|clients?|learners?|students?|patients?|offenders?|households?|"                \
    "service\\s+users?|cases?|head|individuals?|beneficiar(?:y|ies)|adults?|parents?|referrals?)"
#define POUNDS "(?:\\x{00A3}|(?i:GBP)\\s?)"
#define MULT "(?:\\s?(?:k|m|bn|(?i:million|billion|thousand))(?![\\p{L}]))"
static const char pat_cost[] =
    "(?:" POUNDS "(?<amt>[0-9]+(?:,[0-9]{3})*(?:\\.[0-9]{1,2})?)(?<mult>" MULT ")?\\s{0,3}"
    "(?:(?i:per|a|for\\s+each|each)\\s{1,3}|/\\s{0,2})" UNITS WORD_END
    "|" WORD_START
    "(?i:(?:average\\s+|mean\\s+|unit\\s+|delivery\\s+|total\\s+|programme\\s+|program\\s+|"
    "intervention\\s+)?costs?)\\s+(?i:per|for\\s+each|of\\s+each|of\\s+one|of\\s+a)\\s+" UNITS
    "\\s{0,3}(?:(?i:was|is|were|are|of|came\\s+to|averaged|amounted\\s+to|totall?ed|"
    "(?:is|was)\\s+estimated\\s+at|was\\s+calculated\\s+as)|[=:])?"
    "\\s{0,3}(?:(?i:approximately|around|about|roughly|an\\s+average\\s+of|on\\s+average|"
    "just\\s+under|just\\s+over|nearly|almost)\\s+)?"
    POUNDS "(?<amt2>[0-9]+(?:,[0-9]{3})*(?:\\.[0-9]{1,2})?)(?<mult2>" MULT ")?)";

/* 6. "£X for every £1 spent" and "every £1 invested returns £X". */
static const char pat_return[] =
    "(?:" POUNDS "(?<ret>[0-9]+(?:\\.[0-9]{1,2})?)\\s{0,3}"
    "(?:(?i:in\\s+(?:benefits|savings|returns?)|of\\s+(?:benefits?|savings?|value|social\\s+"
    "value|return)|benefits?|savings?|return)\\s{1,3})?"
    "(?i:for|to)\\s+(?i:every|each)\\s+" POUNDS "1(?:\\.00)?(?![0-9.])"
    "|" WORD_START "(?i:every|each)\\s+" POUNDS "1(?:\\.00)?(?![0-9])\\s+(?i:spent|invested)"
    "(?:\\s+(?i:on|in)\\s+[\\p{L}\\s'\\x{2019}-]{1,60}?)?[\\s,]{1,3}"
    "(?:(?i:could|would|will|is\\s+estimated\\s+to|was\\s+estimated\\s+to)\\s+)?"
    "(?i:returns?|returned|generate[sd]?|save[sd]?|yield(?:s|ed)?|deliver(?:s|ed)?|produce[sd]?|"
    "brings?|creates?|created)\\s+"
    "(?:(?i:back|around|about|up\\s+to|an\\s+estimated|approximately|a\\s+return\\s+of|"
    "savings\\s+of|benefits\\s+of|of)\\s+){0,2}"
    POUNDS "(?<ret2>[0-9]+(?:\\.[0-9]{1,2})?))";

/* 7. Benefit-cost ratios ("cost-benefit ratio" is left out: reports use it
 * both ways round). */
#define BCR_VERB                                                                                   \
    "(?:\\s{1,3}(?i:was|is|of|at|came\\s+to|(?:is\\s+|was\\s+)?estimated\\s+at|would\\s+be|"      \
    "will\\s+be|stands\\s+at)|\\s{0,3}[=:])?\\s{0,3}"                                              \
    "(?:(?i:approximately|around|about|roughly|over|nearly|almost)\\s+)?"
static const char pat_bcr[] =
    WORD_START
    "(?:(?i:benefit[-\\s]to[-\\s]cost|benefit[-\\s]cost|benefit\\s?/\\s?cost)\\s+(?i:ratio)"
    "(?:\\s{0,2}\\((?:BCR|B/C|BC\\s?R)\\))?" BCR_VERB
    "(?:\\x{00A3}\\s?)?(?<bcr>[0-9]+(?:\\.[0-9]+)?)(?![0-9])(?:\\s{0,2}:\\s{0,2}1(?![0-9]))?"
    "|BCR" BCR_VERB "(?<bcr2>[0-9]+(?:\\.[0-9]+)?)(?![0-9])(?:\\s{0,2}:\\s{0,2}1(?![0-9]))?)";

/* 8. Design cues. */
static const char pat_design[] =
    WORD_START
    "(?:(?<rct>(?i:(?:cluster[-\\s]+)?randomi[sz]ed\\s+(?:controlled\\s+|control\\s+|field\\s+|"
    "pilot\\s+)?(?:trials?|experiments?|evaluations?|stud(?:y|ies)|designs?))"
    "|RCTs?|(?i:random(?:ly)?\\s+(?:assigned|allocated|assignment|allocation)))"
    "|(?<rd>(?i:regression[-\\s]discontinuity))"
    "|(?<did>(?i:difference[-\\s]in[-\\s]differences?|diff[-\\s]in[-\\s]diffs?)|DiD)"
    "|(?<matched>(?i:matched[-\\s](?:comparison|control)s?|propensity[-\\s]score[-\\s]"
    "match(?:ed|ing)?))"
    "|(?<qed>(?i:quasi[-\\s]experiment(?:al|s)?)|QEDs?)"
    "|(?<prepost>(?i:pre[-\\s/]?(?:and[-\\s])?post(?:[-\\s]?test)?|before[-\\s]and[-\\s]after|"
    "pre[-\\s]?test[-\\s/]+post[-\\s]?test)))" WORD_END;

/* clang-format on */

/* ---- the compiled patterns ------------------------------------------------ */

enum pattern_id { P_TEST, P_EFFECT, P_N, P_P, P_COST, P_RETURN, P_BCR, P_DESIGN, N_PATTERNS };

static const char *const pattern_text[N_PATTERNS] = {
    pat_test, pat_effect, pat_n, pat_p, pat_cost, pat_return, pat_bcr, pat_design,
};

/* Named groups, across all patterns. */
/* clang-format off */
enum group {
    G_CHI, G_Q, G_T, G_R, G_F, G_Z, G_DF1, G_DF2, G_NT, G_SDF1, G_SDF2, G_NT2, G_QPRE, G_CMP,
    G_SIGN, G_VAL, G_TDF1, G_TDF2, G_PDF1, G_PDF2, G_MSE, G_PL, G_PCMP, G_PVAL, G_PEXP, G_NS,
    G_SMD, G_OR, G_RR, G_HR, G_D, G_G, G_EPRE, G_SEP, G_ESIGN, G_EST, G_LVL, G_LOSIGN, G_LO,
    G_HISIGN, G_HI, G_BLOSIGN, G_BLO, G_BHISIGN, G_BHI,
    G_NLAB, G_GRP, G_NVAL, G_PPCMP, G_PPVAL, G_AMT, G_MULT, G_AMT2, G_MULT2, G_RET, G_RET2,
    G_BCR, G_BCR2, G_RCT, G_RD, G_DID, G_MATCHED, G_QED, G_PREPOST,
    N_GROUPS
};

static const char *const group_name[N_GROUPS] = {
    "chi", "q", "t", "r", "f", "z", "df1", "df2", "nt", "sdf1", "sdf2", "nt2", "qpre", "cmp",
    "sign", "val", "tdf1", "tdf2", "pdf1", "pdf2", "mse", "pl", "pcmp", "pval", "pexp", "ns",
    "smd", "or", "rr", "hr", "d", "g", "epre", "sep", "esign", "est", "lvl", "losign", "lo",
    "hisign", "hi", "blosign", "blo", "bhisign", "bhi",
    "nlab", "grp", "nval", "ppcmp", "ppval", "amt", "mult", "amt2", "mult2", "ret", "ret2",
    "bcr", "bcr2", "rct", "rd", "did", "matched", "qed", "prepost",
};

/* clang-format on */

static pthread_once_t compile_once = PTHREAD_ONCE_INIT;
static pcre2_code *codes[N_PATTERNS];
static int group_number[N_PATTERNS][N_GROUPS]; /* -1 when the pattern has no such group */
static pcre2_match_context *match_context;
static char compile_error[512];

static void compile_patterns(void)
{
    for (int p = 0; p < N_PATTERNS; p++) {
        int err;
        PCRE2_SIZE where;
        codes[p] = pcre2_compile((PCRE2_SPTR)pattern_text[p], PCRE2_ZERO_TERMINATED,
                                 PCRE2_UTF | PCRE2_UCP, &err, &where, NULL);
        if (!codes[p]) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(err, msg, sizeof msg);
            snprintf(compile_error, sizeof compile_error, "pattern %d, offset %zu: %s", p,
                     (size_t)where, (const char *)msg);
            return;
        }
        /* Without a JIT for this machine PCRE2 interprets: slower, same
         * results, so a JIT failure is not an error. */
        if (!EXTRACT_UNDER_VALGRIND()) (void)pcre2_jit_compile(codes[p], PCRE2_JIT_COMPLETE);
        for (int g = 0; g < N_GROUPS; g++) {
            int num = pcre2_substring_number_from_name(codes[p], (PCRE2_SPTR)group_name[g]);
            group_number[p][g] = num > 0 ? num : -1;
        }
    }
    if (!(match_context = pcre2_match_context_create(NULL))) {
        snprintf(compile_error, sizeof compile_error, "out of memory");
        return;
    }
    pcre2_set_match_limit(match_context, EXTRACT_MATCH_LIMIT);
    pcre2_set_depth_limit(match_context, EXTRACT_DEPTH_LIMIT);
}

static int patterns_get(void)
{
    pthread_once(&compile_once, compile_patterns);
    if (compile_error[0] || !match_context)
        return ww__error(WW_ERROR, "the statistics patterns do not compile: %s",
                         compile_error[0] ? compile_error : "unknown error");
    return 0;
}

/* ---- names ------------------------------------------------------------------- */

const char *ww_extract_kind_name(ww_extract_kind kind)
{
    switch (kind) {
    case WW_EXTRACT_TEST: return "test";
    case WW_EXTRACT_EFFECT: return "effect";
    case WW_EXTRACT_N: return "n";
    case WW_EXTRACT_P: return "p";
    case WW_EXTRACT_COST: return "cost";
    case WW_EXTRACT_RETURN: return "return";
    case WW_EXTRACT_BCR: return "bcr";
    case WW_EXTRACT_DESIGN: return "design";
    }
    return NULL;
}

const char *ww_extract_effect_name(ww_extract_effect e)
{
    switch (e) {
    case WW_EFFECT_D: return "d";
    case WW_EFFECT_G: return "g";
    case WW_EFFECT_SMD: return "SMD";
    case WW_EFFECT_OR: return "OR";
    case WW_EFFECT_RR: return "RR";
    case WW_EFFECT_HR: return "HR";
    }
    return NULL;
}

/* ---- numbers ----------------------------------------------------------------- */

int ww_extract__number(double *out, int *decimals, int *repaired, const char *s, size_t n)
{
    char buf[NUMBER_MAX + 1], *end;
    size_t len = 0, point = (size_t)-1, comma = (size_t)-1, exp_at = (size_t)-1, commas = 0;
    int dec = 0, rep = 0;
    double v;

    *out = NAN;
    if (decimals) *decimals = 0;
    if (repaired) *repaired = 0;
    /* Copy without spaces, with Unicode minus signs as '-'. */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char put;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
        if (c >= 0x80) {
            /* U+2212 (E2 88 92), U+2013 (E2 80 93), U+2012, U+2014 */
            if (i + 2 < n && c == 0xE2 &&
                (((unsigned char)s[i + 1] == 0x88 && (unsigned char)s[i + 2] == 0x92) ||
                 ((unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] >= 0x92 &&
                  (unsigned char)s[i + 2] <= 0x94))) {
                put = '-';
                i += 2;
            } else {
                return WW_EDATA;
            }
        } else {
            put = (char)c;
        }
        if (len == NUMBER_MAX) return WW_EDATA;
        buf[len++] = put;
    }
    buf[len] = '\0';
    if (!len) return WW_EDATA;
    for (size_t i = 0; i < len; i++) {
        if ((buf[i] == 'e' || buf[i] == 'E') && exp_at == (size_t)-1)
            exp_at = i;
        else if (exp_at != (size_t)-1)
            continue;
        else if (buf[i] == '.')
            point = i;
        else if (buf[i] == ',') {
            if (comma == (size_t)-1) comma = i;
            commas++;
        }
    }
    {
        size_t mant_end = exp_at == (size_t)-1 ? len : exp_at;
        if (point != (size_t)-1) {
            dec = (int)(mant_end - point - 1);
        } else if (commas == 1 && (mant_end - comma - 1 != 3 || (comma == 1 && buf[0] == '0'))) {
            /* a decimal comma: "14,22", "0,672" */
            buf[comma] = '.';
            dec = (int)(mant_end - comma - 1);
            rep = 1;
            commas = 0;
        }
        /* remaining commas separate thousands */
        if (commas) {
            size_t j = 0;
            for (size_t i = 0; i < len; i++)
                if (buf[i] != ',' || i >= mant_end) buf[j++] = buf[i];
            if (exp_at != (size_t)-1) exp_at -= len - j;
            len = j;
            buf[len] = '\0';
        }
    }
    if (!isdigit((unsigned char)buf[0]) && buf[0] != '.') return WW_EDATA;
    v = strtod(buf, &end);
    if (end != buf + len || !isfinite(v)) return WW_EDATA;
    if (exp_at != (size_t)-1) {
        /* "2e-5" has as many decimals as 0.00002 */
        long e = strtol(buf + exp_at + 1, NULL, 10);
        if (e < 0)
            dec += (int)(-e);
        else
            dec = dec > e ? dec - (int)e : 0;
    }
    if (dec > 15) dec = 15;
    *out = v;
    if (decimals) *decimals = dec;
    if (repaired) *repaired = rep;
    return 0;
}

/* ---- one scan ---------------------------------------------------------------- */

typedef struct scan {
    const char *text;
    size_t n;
    pcre2_match_data *md[N_PATTERNS];
    size_t next[N_PATTERNS]; /* where each pattern searches next */
    int pending[N_PATTERNS]; /* md holds a match not yet emitted */
    int done[N_PATTERNS];
    /* incremental position counters */
    size_t pos;       /* byte up to which chars and lines are counted */
    size_t chars;     /* characters before pos */
    long line;        /* line at pos */
    size_t cover_end; /* end of the last test or effect emitted */
    ww_extract_info info;
} scan;

/* Group g of pattern p in the pending match: 1 and its span, or 0. */
static int grp(const scan *sc, int p, enum group g, size_t *s, size_t *e)
{
    int num = group_number[p][g];
    PCRE2_SIZE *ov;
    if (num < 0) return 0;
    if ((uint32_t)num >= pcre2_get_ovector_count(sc->md[p])) return 0;
    ov = pcre2_get_ovector_pointer(sc->md[p]);
    if (ov[2 * num] == PCRE2_UNSET) return 0;
    *s = ov[2 * num];
    *e = ov[2 * num + 1];
    return 1;
}

static int has(const scan *sc, int p, enum group g)
{
    size_t s, e;
    return grp(sc, p, g, &s, &e) && e > s;
}

/* Parse group g as a number; NAN when absent or unreadable. */
static double grp_number(const scan *sc, int p, enum group g, int *decimals, unsigned *repairs)
{
    size_t s, e;
    double v;
    int dec, rep;
    if (decimals) *decimals = 0;
    if (!grp(sc, p, g, &s, &e) || e == s) return NAN;
    if (ww_extract__number(&v, &dec, &rep, sc->text + s, e - s) < 0) return NAN;
    if (decimals) *decimals = dec;
    if (rep && repairs) *repairs |= WW_EXTRACT_REPAIR_DECIMAL;
    return v;
}

/* The code point at text[i] (valid UTF-8) and its length in *len. */
static unsigned decode(const char *text, size_t i, size_t *len)
{
    const unsigned char *c = (const unsigned char *)text + i;
    if (c[0] < 0x80) {
        *len = 1;
        return c[0];
    }
    if (c[0] < 0xE0) {
        *len = 2;
        return ((c[0] & 0x1Fu) << 6) | (c[1] & 0x3Fu);
    }
    if (c[0] < 0xF0) {
        *len = 3;
        return ((c[0] & 0x0Fu) << 12) | ((c[1] & 0x3Fu) << 6) | (c[2] & 0x3Fu);
    }
    *len = 4;
    return ((c[0] & 0x07u) << 18) | ((c[1] & 0x3Fu) << 12) | ((c[2] & 0x3Fu) << 6) | (c[3] & 0x3Fu);
}

static int is_minus(unsigned cp)
{
    return cp == '-' || cp == 0x2212 || cp == 0x2012 || cp == 0x2013 || cp == 0x2014 ||
           cp == 0xFE63 || cp == 0xFF0D || cp == 0x2AFA;
}

/* A sign group: -1 when it holds a minus (or a glyph standing for one), +1
 * when it is empty. *glyph is set when the minus was a "?" or a control
 * character. A "?" is a lost thin space, not a minus, when question_is_space
 * (the comparison had one before it too: "?=?0.55"). */
static int sign_of(const scan *sc, int p, enum group g, int question_is_space, int *glyph)
{
    size_t s, e, len;
    int minus = 0;
    if (!grp(sc, p, g, &s, &e)) return 1;
    for (size_t i = s; i < e; i += len) {
        unsigned cp = decode(sc->text, i, &len);
        if (cp == '?') {
            if (!question_is_space) {
                minus = 1;
                *glyph = 1;
            }
        } else if (cp >= 0x01 && cp <= 0x08) {
            minus = 1;
            *glyph = 1;
        } else if (is_minus(cp)) {
            minus = 1;
        }
    }
    return minus ? -1 : 1;
}

/* A comparison group as =, < or >; *glyph set for PDF substitutes. */
static ww_pcmp cmp_of(const scan *sc, int p, enum group g, int *glyph)
{
    size_t s, e;
    const unsigned char *c;
    if (!grp(sc, p, g, &s, &e) || e == s) return WW_PCMP_EQ;
    c = (const unsigned char *)sc->text + s;
    switch (c[0]) {
    case '=': return WW_PCMP_EQ;
    case '<': return WW_PCMP_LT; /* "<=" reads as "<", as statcheck does */
    case '>': return WW_PCMP_GT;
    case '!':
    case 'b': *glyph = 1; return WW_PCMP_LT;
    case 'N': *glyph = 1; return WW_PCMP_GT;
    case 'p': *glyph = 1; return WW_PCMP_EQ;
    case 0xE2: /* U+2264, U+2265 (E2 89 A4/A5), U+2AFD (E2 AB BD) */
        if (e - s >= 3 && c[1] == 0x89) return c[2] == 0xA4 ? WW_PCMP_LT : WW_PCMP_GT;
        *glyph = 1;
        return WW_PCMP_EQ;
    case 0xC2: /* U+00BC */ *glyph = 1; return WW_PCMP_EQ;
    }
    return WW_PCMP_EQ;
}

/* A sample size as a count; -1 when it is not a plausible one. */
static long count_of(double v)
{
    return v >= 1 && v <= 1e9 && v == floor(v) ? (long)v : -1;
}

static double clamp01(double x)
{
    x = x < 0 ? 0 : x > 1 ? 1 : x;
    return round(x * 100) / 100;
}

/* ---- reading a match into a hit ------------------------------------------------ */

/* Test statistics. Returns 1 when the match is a hit, 0 when it is not one
 * after all (the scan then tries again one character later). */
static int read_test(const scan *sc, ww_extract_hit *h)
{
    const int p = P_TEST;
    int glyph = 0, qspace, subscript = 0, dec, has_df;
    size_t s, e;
    double v, c;

    if (has(sc, p, G_CHI)) {
        h->test = WW_PTEST_CHI2;
        h->label = "chi2";
        if (grp(sc, p, G_CHI, &s, &e) && memchr(sc->text + s, '?', e - s)) glyph = 1;
    } else if (has(sc, p, G_Q)) {
        h->test = WW_PTEST_Q;
        h->label = "Q";
        if (grp(sc, p, G_Q, &s, &e) && e - s > 1) {
            size_t k = s + 1;
            while (k < e && (sc->text[k] == ' ' || sc->text[k] == '-')) k++;
            if (k < e && (sc->text[k] == 'w' || sc->text[k] == 'W')) h->label = "Qw";
            if (k < e && (sc->text[k] == 'b' || sc->text[k] == 'B')) h->label = "Qb";
        }
    } else if (has(sc, p, G_T)) {
        h->test = WW_PTEST_T;
        h->label = "t";
    } else if (has(sc, p, G_R)) {
        h->test = WW_PTEST_R;
        h->label = "r";
    } else if (has(sc, p, G_F)) {
        h->test = WW_PTEST_F;
        h->label = "F";
    } else if (has(sc, p, G_Z)) {
        h->test = WW_PTEST_Z;
        h->label = "z";
    } else {
        return 0;
    }

    /* degrees of freedom */
    if (has(sc, p, G_DF1)) {
        grp(sc, p, G_DF1, &s, &e);
        if (sc->text[s] == 'l' || sc->text[s] == 'I') {
            /* "F(l, 76)": a typeset 1, only ever the first df of an F test
             * (statcheck accepts it there too) */
            if (h->test != WW_PTEST_F) return 0;
            h->df1 = 1;
            glyph = 1;
        } else {
            h->df1 = grp_number(sc, p, G_DF1, NULL, NULL);
        }
        h->df2 = grp_number(sc, p, G_DF2, NULL, NULL);
        if (has(sc, p, G_NT)) h->n_total = count_of(grp_number(sc, p, G_NT, NULL, NULL));
    } else if (has(sc, p, G_SDF1)) {
        subscript = 1;
        h->df1 = grp_number(sc, p, G_SDF1, NULL, NULL);
        h->df2 = grp_number(sc, p, G_SDF2, NULL, NULL);
        if (has(sc, p, G_NT2)) h->n_total = count_of(grp_number(sc, p, G_NT2, NULL, NULL));
    }
    /* "= 3.18, df = 4" or "p < .0001, df = 19": a df after the value or
     * the p, where none came before it (an F with only one is left
     * without) */
    for (int after_p = 0; after_p < 2; after_p++) {
        enum group g1 = after_p ? G_PDF1 : G_TDF1, g2 = after_p ? G_PDF2 : G_TDF2;
        double d1, d2;
        if (!isnan(h->df1) || h->test == WW_PTEST_Z || !has(sc, p, g1)) continue;
        d1 = grp_number(sc, p, g1, NULL, NULL);
        d2 = grp_number(sc, p, g2, NULL, NULL);
        if (h->test == WW_PTEST_F ? !isnan(d2) : isnan(d2)) {
            h->df1 = d1;
            h->df2 = d2;
        }
    }
    /* The right number of df for the test: F two (or none), z none, the
     * others one. Only t, F and chi-square take a subscript df: "r2 = .42"
     * is R squared, not r with 2 df. */
    switch (h->test) {
    case WW_PTEST_F:
        if (!isnan(h->df1) && isnan(h->df2)) return 0;
        break;
    case WW_PTEST_Z:
        if (!isnan(h->df1)) return 0;
        break;
    default:
        if (!isnan(h->df2)) return 0;
        if (subscript && h->test != WW_PTEST_T && h->test != WW_PTEST_CHI2) return 0;
        break;
    }
    if ((!isnan(h->df1) && !(h->df1 > 0)) || (!isnan(h->df2) && !(h->df2 > 0))) return 0;

    /* the value */
    h->stat_cmp = cmp_of(sc, p, G_CMP, &glyph);
    qspace = has(sc, p, G_QPRE);
    v = grp_number(sc, p, G_VAL, &dec, &h->repairs);
    if (isnan(v)) return 0;
    h->value = v * sign_of(sc, p, G_SIGN, qspace, &glyph);
    h->value_decimals = dec;
    if (h->test == WW_PTEST_R && fabs(h->value) > 1) return 0;
    if ((h->test == WW_PTEST_F || h->test == WW_PTEST_CHI2 || h->test == WW_PTEST_Q) &&
        h->value < 0)
        return 0;

    /* the p-value, or "ns" */
    if (has(sc, p, G_NS)) {
        h->has_p = 1;
        h->p_cmp = WW_PCMP_NS;
    } else if (has(sc, p, G_PVAL)) {
        double pv = grp_number(sc, p, G_PVAL, &dec, &h->repairs);
        if (!isnan(pv) && grp(sc, p, G_PEXP, &s, &e) && e > s) {
            /* "2.3 x 10-4": the exponent is the last run of digits */
            size_t k = e;
            long ex = 0, scale = 1;
            while (k > s && isdigit((unsigned char)sc->text[k - 1])) {
                ex += (sc->text[k - 1] - '0') * scale;
                scale *= 10;
                k--;
            }
            pv *= pow(10, -(double)ex);
            dec += (int)ex;
            if (dec > 15) dec = 15;
        }
        if (!isnan(pv) && pv <= 1) {
            h->has_p = 1;
            h->p_cmp = cmp_of(sc, p, G_PCMP, &glyph);
            h->p = pv;
            h->p_decimals = dec;
        }
    }
    /* "?2" with neither df nor p is as likely a mangled eta squared */
    if (h->test == WW_PTEST_CHI2 && glyph && isnan(h->df1) && !h->has_p) return 0;
    {
        /* a "B" standing for a quotation mark before the test letter */
        PCRE2_SIZE at = pcre2_get_ovector_pointer(sc->md[p])[0];
        if (at > 0 && sc->text[at - 1] == 'B') glyph = 1;
    }
    if (glyph) h->repairs |= WW_EXTRACT_REPAIR_GLYPH;

    /* statcheck's check, where there is a p and enough to recompute it */
    has_df = h->test == WW_PTEST_Z || !isnan(h->df1);
    if (h->has_p && has_df) {
        ww_pcheck_in in;
        in.test = h->test;
        in.df1 = h->df1;
        in.df2 = h->df2;
        in.stat_cmp = h->stat_cmp;
        in.stat = h->value;
        in.stat_decimals = h->value_decimals;
        in.p_cmp = h->p_cmp;
        in.p = h->p;
        in.p_decimals = h->p_decimals;
        if (ww_pcheck_consistency(&h->check, &in, 0.05) == 0) h->checked = 1;
    }

    /* confidence: complete APA results are what the patterns are made for */
    if (h->test == WW_PTEST_Z) has_df = h->has_p;
    if (has_df && h->has_p)
        c = 0.95;
    else if (h->has_p)
        c = 0.7;
    else if (has_df)
        c = 0.75;
    else
        c = 0.5;
    if (h->repairs & WW_EXTRACT_REPAIR_GLYPH) c -= 0.15;
    if (h->repairs & WW_EXTRACT_REPAIR_DECIMAL) c -= 0.05;
    h->confidence = clamp01(c);
    return 1;
}

/* Is x within [lo, hi] once the printed rounding of all three is allowed
 * for? (an estimate of 0.50 with a CI of 0.50 to 0.90 is fine) */
static int within(double x, double lo, double hi)
{
    return x >= lo - 1e-9 && x <= hi + 1e-9;
}

static int read_effect(const scan *sc, ww_extract_hit *h)
{
    const int p = P_EFFECT;
    int glyph = 0, qspace, dec, ratio, bare = 0;
    size_t s, e;
    double v, c;

    if (has(sc, p, G_SMD))
        h->effect = WW_EFFECT_SMD;
    else if (has(sc, p, G_OR))
        h->effect = WW_EFFECT_OR;
    else if (has(sc, p, G_RR))
        h->effect = WW_EFFECT_RR;
    else if (has(sc, p, G_HR))
        h->effect = WW_EFFECT_HR;
    else if (has(sc, p, G_D))
        h->effect = WW_EFFECT_D;
    else if (has(sc, p, G_G))
        h->effect = WW_EFFECT_G;
    else
        return 0;
    ratio = h->effect == WW_EFFECT_OR || h->effect == WW_EFFECT_RR || h->effect == WW_EFFECT_HR;

    /* "d" and "g" alone are letters of every sentence: only with = or : */
    if (h->effect == WW_EFFECT_D || h->effect == WW_EFFECT_G) {
        if (!grp(sc, p, G_SEP, &s, &e) || e == s || (sc->text[s] != '=' && sc->text[s] != ':'))
            return 0;
    }
    qspace = has(sc, p, G_EPRE);
    v = grp_number(sc, p, G_EST, &dec, &h->repairs);
    if (isnan(v)) return 0;
    h->value = v * sign_of(sc, p, G_ESIGN, qspace, &glyph);
    h->value_decimals = dec;
    if (ratio && !(h->value > 0)) return 0;

    if (has(sc, p, G_LO)) {
        h->ci_low =
            grp_number(sc, p, G_LO, NULL, &h->repairs) * sign_of(sc, p, G_LOSIGN, 0, &glyph);
        h->ci_high =
            grp_number(sc, p, G_HI, NULL, &h->repairs) * sign_of(sc, p, G_HISIGN, 0, &glyph);
        h->ci_level = grp_number(sc, p, G_LVL, NULL, NULL);
        h->has_ci = !isnan(h->ci_low) && !isnan(h->ci_high);
    } else if (has(sc, p, G_BLO)) {
        h->ci_low =
            grp_number(sc, p, G_BLO, NULL, &h->repairs) * sign_of(sc, p, G_BLOSIGN, 0, &glyph);
        h->ci_high =
            grp_number(sc, p, G_BHI, NULL, &h->repairs) * sign_of(sc, p, G_BHISIGN, 0, &glyph);
        h->has_ci = !isnan(h->ci_low) && !isnan(h->ci_high);
        bare = 1;
    }
    if (glyph) h->repairs |= WW_EXTRACT_REPAIR_GLYPH;

    /* confidence: a stated 95% CI that holds the estimate and is symmetric
     * around it on the analysis scale (log for ratios), as a Wald interval
     * is, marks a real effect size */
    if (!h->has_ci) {
        c = 0.5;
    } else if (!(h->ci_low < h->ci_high) || !within(h->value, h->ci_low, h->ci_high) ||
               (ratio && !(h->ci_low > 0))) {
        c = 0.3;
    } else {
        double lo = h->ci_low, hi = h->ci_high, x = h->value, asym;
        if (ratio) {
            lo = log(lo);
            hi = log(hi);
            x = log(x);
        }
        asym = fabs(2 * x - lo - hi) / (hi - lo);
        c = bare ? 0.7 : isnan(h->ci_level) ? 0.8 : 0.9;
        if (asym > 0.25) c -= 0.2;
    }
    if (h->repairs & WW_EXTRACT_REPAIR_GLYPH) c -= 0.15;
    if (h->repairs & WW_EXTRACT_REPAIR_DECIMAL) c -= 0.05;
    h->confidence = clamp01(c);
    return 1;
}

static int read_n(const scan *sc, ww_extract_hit *h)
{
    size_t s, e;
    double v = grp_number(sc, P_N, G_NVAL, NULL, NULL);
    if (isnan(v) || v < 1 || v > 1e9) return 0;
    h->value = v;
    if (grp(sc, P_N, G_GRP, &s, &e) && e > s) {
        if (sc->text[s] == '_') s++;
        snprintf(h->group, sizeof h->group, "%.*s", (int)(e - s), sc->text + s);
    }
    h->confidence = 0.6;
    return 1;
}

static int read_p(const scan *sc, ww_extract_hit *h)
{
    int glyph = 0, dec;
    double v = grp_number(sc, P_P, G_PPVAL, &dec, NULL);
    if (isnan(v) || v > 1) return 0;
    h->has_p = 1;
    h->p = v;
    h->p_decimals = dec;
    h->p_cmp = cmp_of(sc, P_P, G_PPCMP, &glyph);
    h->confidence = 0.6;
    return 1;
}

static double multiplier(const scan *sc, int p, enum group g)
{
    size_t s, e;
    if (!grp(sc, p, g, &s, &e) || e == s) return 1;
    while (s < e && (sc->text[s] == ' ' || sc->text[s] == '\t')) s++;
    switch (sc->text[s]) {
    case 'k':
    case 'K':
    case 't':
    case 'T': return 1e3;
    case 'm':
    case 'M': return 1e6;
    case 'b':
    case 'B': return 1e9;
    }
    return 1;
}

static int read_cost(const scan *sc, ww_extract_hit *h)
{
    int second = !has(sc, P_COST, G_AMT);
    enum group amt = second ? G_AMT2 : G_AMT, mult = second ? G_MULT2 : G_MULT;
    double v = grp_number(sc, P_COST, amt, NULL, NULL), m;
    if (isnan(v)) return 0;
    m = multiplier(sc, P_COST, mult);
    h->value = v * m;
    /* "£1.2 million per family" is more likely a total than a unit cost */
    h->confidence = m > 1 ? 0.5 : second ? 0.75 : 0.8;
    return 1;
}

static int read_return(const scan *sc, ww_extract_hit *h)
{
    int second = !has(sc, P_RETURN, G_RET);
    double v = grp_number(sc, P_RETURN, second ? G_RET2 : G_RET, NULL, NULL);
    if (isnan(v)) return 0;
    h->value = v;
    h->confidence = second ? 0.75 : 0.8;
    return 1;
}

static int read_bcr(const scan *sc, ww_extract_hit *h)
{
    int second = !has(sc, P_BCR, G_BCR);
    double v = grp_number(sc, P_BCR, second ? G_BCR2 : G_BCR, NULL, NULL);
    if (isnan(v)) return 0;
    h->value = v;
    h->confidence = 0.8;
    return 1;
}

/* "not a randomised trial", "non-randomised", "without a matched
 * comparison": a negation in the same clause, up to 40 bytes back and not
 * before a "but". */
static int negated(const char *text, size_t start, int is_rct)
{
    char window[48];
    size_t from = start > 40 ? start - 40 : 0, n = 0;
    static const char *const words[] = {"not", "no",          "non",        "without",
                                        "nor", "rather than", "instead of", "unlike"};
    for (size_t i = start; i > from; i--) {
        char c = text[i - 1];
        if (c == '.' || c == '\n' || c == ';' || c == ':') {
            from = i;
            break;
        }
    }
    for (size_t i = from; i < start && n < sizeof window - 1; i++)
        window[n++] = (char)tolower((unsigned char)text[i]);
    window[n] = '\0';
    /* "not an RCT but a quasi-experiment": "but" ends the negation */
    {
        size_t cut = 0;
        for (size_t pos = 0; pos + 3 <= n; pos++)
            if (!strncmp(window + pos, "but", 3) &&
                (pos == 0 || !isalpha((unsigned char)window[pos - 1])) &&
                !isalpha((unsigned char)window[pos + 3]))
                cut = pos + 3;
        if (cut) {
            memmove(window, window + cut, n - cut + 1);
            n -= cut;
        }
    }
    /* a prefix glued to the cue */
    if (n >= 4 && (!strcmp(window + n - 4, "non-") || !strcmp(window + n - 4, "non "))) return 1;
    if (is_rct && ((n >= 6 && !strcmp(window + n - 6, "quasi-")) ||
                   (n >= 7 && !strcmp(window + n - 7, "pseudo-"))))
        return 1;
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        size_t len = strlen(words[w]);
        for (const char *at = strstr(window, words[w]); at; at = strstr(at + 1, words[w])) {
            size_t pos = (size_t)(at - window);
            int left = pos == 0 || !isalpha((unsigned char)window[pos - 1]);
            int right = !isalpha((unsigned char)window[pos + len]);
            if (left && right) return 1;
        }
    }
    return 0;
}

static int read_design(const scan *sc, ww_extract_hit *h, size_t start)
{
    const int p = P_DESIGN;
    size_t s, e;
    int is_rct = 0;
    if (grp(sc, p, G_RCT, &s, &e) && e > s) {
        is_rct = 1;
        h->design = WW_DESIGN_RANDOMISED;
        if (e - s >= 3 && !strncmp(sc->text + s, "RCT", 3))
            h->confidence = 0.85;
        else if (e - s > 7 && !strncasecmp(sc->text + s, "random", 6) &&
                 tolower((unsigned char)sc->text[s + 6]) != 'i')
            h->confidence = 0.8; /* "randomly assigned": maybe only part of the sample */
        else
            h->confidence = 0.9;
    } else if (has(sc, p, G_RD)) {
        h->design = WW_DESIGN_REGRESSION_DISCONTINUITY;
        h->confidence = 0.85;
    } else if (has(sc, p, G_DID)) {
        h->design = WW_DESIGN_DIFF_IN_DIFF;
        h->confidence = 0.85;
    } else if (has(sc, p, G_MATCHED)) {
        /* a matched comparison; text cannot tell whether a pre-test was
         * matched on (docs/reports.md) */
        h->design = WW_DESIGN_MATCHED_PRETEST;
        h->confidence = 0.75;
    } else if (has(sc, p, G_QED)) {
        h->design = WW_DESIGN_COMPARISON;
        h->confidence = 0.8;
    } else if (has(sc, p, G_PREPOST)) {
        h->design = WW_DESIGN_BEFORE_AFTER;
        h->confidence = 0.6;
    } else {
        return 0;
    }
    h->negated = negated(sc->text, start, is_rct);
    return 1;
}

/* ---- the scan ------------------------------------------------------------------- */

static const ww_extract_kind kind_of[N_PATTERNS] = {
    WW_EXTRACT_TEST, WW_EXTRACT_EFFECT, WW_EXTRACT_N,   WW_EXTRACT_P,
    WW_EXTRACT_COST, WW_EXTRACT_RETURN, WW_EXTRACT_BCR, WW_EXTRACT_DESIGN,
};

static void hit_init(ww_extract_hit *h, ww_extract_kind kind)
{
    memset(h, 0, sizeof *h);
    h->kind = kind;
    h->confidence = NAN;
    h->df1 = h->df2 = NAN;
    h->n_total = -1;
    h->stat_cmp = WW_PCMP_EQ;
    h->value = NAN;
    h->p_cmp = WW_PCMP_EQ;
    h->p = NAN;
    h->check.p = h->check.p_low = h->check.p_high = NAN;
    h->ci_low = h->ci_high = h->ci_level = NAN;
    h->design = WW_DESIGN_UNKNOWN;
}

/* The start of the character after the one at `at`; n + 1 past the end. */
static size_t next_char(const char *text, size_t n, size_t at)
{
    if (at >= n) return n + 1;
    at++;
    while (at < n && ((unsigned char)text[at] & 0xC0) == 0x80) at++;
    return at;
}

static int is_limit(int rc)
{
    return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
           rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

/* Make sure pattern p has its next match pending, or is done.
 *
 * A search that reaches a limit does not say at which start position it
 * did. So the scan then steps through the positions one at a time with
 * anchored matches until it finds the one that reaches the limit (counted
 * and skipped) or a match, and goes back to ordinary searching after it:
 * each position is tried a bounded number of times, so the scan stays
 * linear in the text. */
static int find(scan *sc, int p, int *anchored)
{
    while (!sc->pending[p] && !sc->done[p]) {
        size_t from = sc->next[p];
        int rc;
        if (from > sc->n) {
            sc->done[p] = 1;
            break;
        }
        rc = pcre2_match(codes[p], (PCRE2_SPTR)sc->text, sc->n, from,
                         PCRE2_NO_UTF_CHECK | (anchored[p] ? PCRE2_ANCHORED : 0), sc->md[p],
                         match_context);
        if (rc > 0) {
            sc->pending[p] = 1;
            anchored[p] = 0;
        } else if (rc == PCRE2_ERROR_NOMATCH) {
            if (anchored[p])
                sc->next[p] = next_char(sc->text, sc->n, from);
            else
                sc->done[p] = 1;
        } else if (is_limit(rc)) {
            if (anchored[p]) {
                sc->info.limit_hits++;
                sc->next[p] = next_char(sc->text, sc->n, from);
                anchored[p] = 0;
            } else {
                anchored[p] = 1;
            }
        } else {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(rc, msg, sizeof msg);
            return ww__error(WW_ERROR, "PCRE2 matching failed: %s", (const char *)msg);
        }
    }
    return 0;
}

/* Count characters and lines up to byte `to` (never backwards). */
static void advance(scan *sc, size_t to)
{
    for (; sc->pos < to; sc->pos++) {
        unsigned char c = (unsigned char)sc->text[sc->pos];
        if ((c & 0xC0) != 0x80) sc->chars++;
        if (c == '\n') sc->line++;
    }
}

static size_t count_chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) k++;
    return k;
}

/* Does text[0..n) contain w, ignoring ASCII case? (bytes above 0x7F
 * compare exactly) */
static int contains_ci(const char *text, size_t n, const char *w)
{
    size_t k = strlen(w);
    for (size_t i = 0; i + k <= n; i++)
        if (!strncasecmp(text + i, w, k)) return 1;
    return 0;
}

static int read_hit(const scan *sc, int p, ww_extract_hit *h, size_t start)
{
    switch (p) {
    case P_TEST: return read_test(sc, h);
    case P_EFFECT: return read_effect(sc, h);
    case P_N: return read_n(sc, h);
    case P_P: return read_p(sc, h);
    case P_COST: return read_cost(sc, h);
    case P_RETURN: return read_return(sc, h);
    case P_BCR: return read_bcr(sc, h);
    case P_DESIGN: return read_design(sc, h, start);
    }
    return 0;
}

int ww_extract__stats(const char *text, size_t n, ww_extract_cb cb, void *ctx,
                      ww_extract_info *info)
{
    scan sc;
    int anchored[N_PATTERNS] = {0};
    int error = 0;

    if (info) memset(info, 0, sizeof *info);
    if (!cb || (!text && n)) return ww__error(WW_EUSAGE, "ww_extract__stats: NULL argument");
    if ((error = patterns_get()) < 0) return error;
    if (!text) text = "";
    if (!ww__utf8_valid(text, n)) return ww__error(WW_EDATA, "the text is not valid UTF-8");

    memset(&sc, 0, sizeof sc);
    sc.text = text;
    sc.n = n;
    sc.line = 1;
    for (int p = 0; p < N_PATTERNS; p++) {
        if (!(sc.md[p] = pcre2_match_data_create_from_pattern(codes[p], NULL))) {
            error = ww__error_oom();
            goto done;
        }
    }

    /* Costs and returns cannot match without a pound sign (or "GBP"), nor
     * ratios without "ratio" or "BCR": skip those scans when the text has
     * none (PCRE2's interpreter pays for every start position). */
    if (!contains_ci(text, n, "\xc2\xa3") && !contains_ci(text, n, "gbp"))
        sc.done[P_COST] = sc.done[P_RETURN] = 1;
    if (!contains_ci(text, n, "ratio") && !contains_ci(text, n, "bcr")) sc.done[P_BCR] = 1;

    for (;;) {
        int best = -1;
        size_t start = 0, end, best_start = 0;
        PCRE2_SIZE *ov;
        ww_extract_hit h;

        for (int p = 0; p < N_PATTERNS; p++) {
            if ((error = find(&sc, p, anchored)) < 0) goto done;
            if (!sc.pending[p]) continue;
            start = pcre2_get_ovector_pointer(sc.md[p])[0];
            if (best < 0 || start < best_start) {
                best = p;
                best_start = start;
            }
        }
        if (best < 0) break;

        ov = pcre2_get_ovector_pointer(sc.md[best]);
        start = ov[0];
        end = ov[1];
        while (end > start && (sc.text[end - 1] == ' ' || sc.text[end - 1] == '\n' ||
                               sc.text[end - 1] == '\t' || sc.text[end - 1] == '\r'))
            end--;
        hit_init(&h, kind_of[best]);
        /* a test's own p and N are not hits of their own */
        if ((best == P_P || best == P_N) && start < sc.cover_end) {
            sc.pending[best] = 0;
            sc.next[best] = ov[1] > start ? ov[1] : next_char(sc.text, sc.n, start);
            continue;
        }
        if (!read_hit(&sc, best, &h, start)) {
            sc.pending[best] = 0;
            sc.next[best] = next_char(sc.text, sc.n, start);
            continue;
        }
        sc.pending[best] = 0;
        sc.next[best] = ov[1] > start ? ov[1] : next_char(sc.text, sc.n, start);
        if ((best == P_TEST || best == P_EFFECT) && end > sc.cover_end) sc.cover_end = end;

        advance(&sc, start);
        h.offset = start;
        h.length = end - start;
        h.char_offset = sc.chars;
        h.char_length = count_chars(sc.text + start, end - start);
        h.line = sc.line;
        sc.info.hits++;
        if ((error = cb(ctx, &h)) < 0) goto done;
    }

done:
    for (int p = 0; p < N_PATTERNS; p++) pcre2_match_data_free(sc.md[p]);
    if (info) *info = sc.info;
    return error;
}
