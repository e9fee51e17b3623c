/*
 * revman.c — the importer for Cochrane Review Manager 5 files (.rm5), the
 * XML that Cochrane and Campbell reviews are written in (format notes:
 * ../shared/research/data-formats.md section 1). Each data row of an
 * analysis (DICH_DATA, CONT_DATA, IV_DATA, IPD_DATA) becomes one ww_record
 * with one outcome; each COMPARISON becomes one intervention.
 *
 * Streaming. libxml2's xmlTextReader walks the file node by node, so memory
 * stays flat whatever the file size; no tree of the document is built. What
 * a data row needs from earlier in the file (the study's name, reference,
 * characteristics and risk-of-bias judgements, which RevMan always writes
 * before ANALYSES_AND_DATA) is kept in a per-study table: memory grows with
 * the number of studies, not with the file. Every retained text is capped.
 *
 * The review's types of studies are part of MAIN_TEXT, which RevMan writes
 * before the studies; a file that puts them after the first data row still
 * has them applied. Records are not held back for that (memory would grow
 * with the file): at the first row that needs them, a second reader walks
 * the same in-memory bytes up to the end of CRIT_STUDIES, gathers only its
 * text and stops (see look_ahead_criteria()).
 *
 * Records are handed to the sink as their rows are read. A problem found
 * further on (a malformed tag, a bad row) therefore comes after some records
 * were handed over: from the first error on nothing more is emitted, and the
 * repository, which rolls a file back when any error diagnostic exists
 * (repo/ingest.c), discards what was stored. Two problems are found before
 * any record is emitted, because they are checked on the raw bytes first: a
 * truncated file (it does not end with </COCHRANE_REVIEW>) and bytes that are
 * not valid UTF-8 when the file declares UTF-8 or no encoding.
 *
 * Safety. The reader runs with XML_PARSE_NONET only: no entity substitution,
 * no DTD loading, no DTD attribute defaults, libxml2's default size limits
 * (10,000,000 bytes per text node or attribute). RevMan files have no
 * DOCTYPE; one is refused before parsing starts, so no entity is ever
 * declared (no XXE, no "billion laughs"). UTF-16 and UTF-32 files are
 * refused (RevMan writes ISO-8859-1, and the pre-checks read the bytes as an
 * ASCII superset).
 *
 * How RevMan's fields map onto the record, and the rules that need judgement:
 *  - study_key is STUDY/@ID as written ("STD-MRC_x002d_1"); the study's name
 *    is STUDY/@NAME, or when that is absent the ID without "STD-" and with
 *    its .NET XML-name escapes (_xHHHH_) decoded ("MRC-1").
 *  - title, authors, year and DOI come from the study's REFERENCE marked
 *    PRIMARY="YES", else its first REFERENCE; year falls back to STUDY/@YEAR
 *    and title to the study's name.
 *  - design comes from the study's own CHAR_METHODS when it names one, else,
 *    for a study in INCLUDED_STUDIES, from the review's types of studies
 *    (MAIN_TEXT/BODY/METHODS/SELECTION_CRITERIA/CRIT_STUDIES): an included
 *    study meets the review's criteria. Read, in any case and spelling:
 *    randomised/randomized/randomisation, RCT(s), random allocation,
 *    randomly assigned, "Allocation: random" -> randomised (cluster trials
 *    too); quasi-/pseudo-randomised, quasi-RCT, and the negations "not
 *    randomised", "non-randomised" -> not a true RCT: two groups compared,
 *    allocation not random, "comparison group" (WWC reviews a
 *    quasi-randomised trial as a quasi-experiment); controlled before-after
 *    (CBA) and controlled interrupted time series -> difference-in-
 *    differences (SMS 3: a comparison group measured before and after);
 *    interrupted time series (ITS) and uncontrolled before-after ->
 *    before/after. A phrase in a clause that excludes it ("quasi-RCTs were
 *    excluded") or doubts it ("unclear whether randomised") does not count.
 *    When a text names several designs, the least rigorous is all it
 *    vouches for ("RCTs or quasi-RCTs" -> comparison group). Nothing is
 *    guessed from the risk-of-bias items. The record's design_basis says
 *    where the design came from and quotes about 80 bytes of that text, or
 *    says that neither text names one.
 *  - direction: RevMan does not record whether higher is better, but its
 *    forest-plot labels do. GRAPH_LABEL_1 names the side of the plot left of
 *    the line of no effect (ratios below 1, differences below 0) and
 *    GRAPH_LABEL_2 the right. When the left side favours the experimental
 *    arm (its label is "Favours experimental", "Favours [intervention]", or
 *    "Favours " + GROUP_LABEL_1) or the right side favours the control arm,
 *    lower values are better (higher_is_better = 0); when the labels say the
 *    opposite, higher is better. When they say neither, RevMan's default
 *    orientation (left favours experimental) is assumed and a warning says
 *    so. Measures are always arm 1 (experimental) against arm 2 (control).
 *  - SWAP_EVENTS="YES" makes RevMan analyse non-events: the record then
 *    carries TOTAL - EVENTS as its events, so its effect is the one RevMan
 *    shows, and the outcome name says "(non-events)".
 *  - RevMan writes 0.0 into the computed attributes of a row it could not
 *    estimate (ESTIMABLE="NO"); those are read as missing, like empty ones
 *    and like Java's "NaN" and "Infinity", which it writes for values it
 *    could not compute. A CI is kept only at RevMan's usual 95% (CI_STUDY).
 *    A row whose numbers are all empty or all zero (RevMan's placeholder for
 *    "no data entered"), and a continuous row with an SD of 0 or fewer than
 *    2 people in an arm (no effect can be computed), is skipped with a
 *    warning. Impossible numbers (events above the total, a total of 0, a
 *    negative SD or SE, text where a number belongs) are errors.
 *  - IV_DATA is generic inverse-variance data: EFFECT_SIZE and SE, on the log
 *    scale for ratio measures unless the outcome says LOG_DATA="NO".
 *    IPD_DATA (O-E and variance) gives (O-E)/V and 1/sqrt(V) on the log
 *    scale. OTHER_OUTCOME (free text) is skipped with a warning.
 *  - RevMan's per-row EFFECT_SIZE, CI_START and CI_END are kept as the
 *    record's reported values; for OR, RR, RD (no zero cell) and MD a row
 *    whose counts give a different effect is flagged with a warning.
 *  - RevMan's pooled result for each outcome and subgroup is checked: the
 *    rows it pooled are pooled again by its method (see "RevMan's pooled
 *    results, recomputed"), RevMan's figures and ours go to the sink's
 *    `pooled` callback, a difference beyond 1e-6 relative is a warning on the
 *    analysis, and one warning at the end sums up (docs/revman.md).
 *  - Risk of bias: each QUALITY_ITEM_DATA_ENTRY gives one RoB 1 judgement
 *    (YES low, NO high, UNKNOWN unclear) in the domain QUALITY_ITEM/NAME
 *    (with the entry group's NAME for outcome-level items) and the entry's
 *    DESCRIPTION as support; every record of the study carries them all.
 *  - CHAR_METHODS, CHAR_PARTICIPANTS, CHAR_INTERVENTIONS, CHAR_OUTCOMES and
 *    CHAR_NOTES go, capped, into the record's notes for full-text search.
 *  - Files declared ISO-8859-1 are decoded by libxml2; bytes 0x80-0x9F (C1
 *    controls in ISO-8859-1) are read as the Windows-1252 characters they
 *    are in files RevMan saved on Windows (curly quotes, dashes, the euro).
 *  - Line numbers are exact: each element's start tag is found in the raw
 *    bytes (the parser's own line runs ahead of the node it reports).
 */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include "../evidence/effect.h"
#include "../evidence/meta.h"
#include "importers.h"

/* libxml2 2.12 made the error argument of structured handlers const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *rm_error_ptr;
#else
typedef xmlErrorPtr rm_error_ptr;
#endif

#define SNIFF_WINDOW 4096
#define RM_ROOT "COCHRANE_REVIEW"
/* Ids (STUDY/@ID, COMPARISON/@ID, ...) are short in every real file. */
#define RM_ID_MAX 256
/* Bytes kept of one attribute value; longer values are flagged. */
#define RM_ATTR_CAP 1024
/* Caps on retained text, in bytes; longer text is cut and ends in "...". */
#define RM_NAME_CAP 1024
#define RM_REF_CAP 2048
#define RM_CHAR_CAP 1536
/* The review's types of studies (CRIT_STUDIES): a paragraph or two. */
#define RM_CRIT_CAP 4096
/* Bytes of the source text quoted in a design's basis. */
#define RM_BASIS_QUOTE 80
#define RM_SUPPORT_CAP 2048
#define RM_SECTION_CAP ((size_t)1024 * 1024)
/* RevMan nests about 15 deep; libxml2 itself stops at 256. */
#define RM_MAX_DEPTH 128
/* RoB 1 has 7 or 8 items, a few more with outcome groups. */
#define RM_MAX_ROB 64
#define RM_MAX_GROUPS 32
/* libxml2's limit on one text node or attribute is 10,000,000 bytes; a token
 * this long is what its "huge" errors are about. */
#define RM_HUGE_TOKEN ((size_t)1000000)
#define QUOTE_MAX 60
/* Relative difference between RevMan's per-row effect and ours that is
 * flagged; RevMan stores full double precision. */
#define RM_CHECK_TOL 1e-6

#define EM_DASH "\xe2\x80\x94"

/* ---- element and attribute names ------------------------------------------- */

/* In strcmp order: the names are found by binary search. */
/* clang-format off */
#define RM_ELEMENTS(X)                                                                            \
    X(A) X(ABSTRACT) X(ANALYSES_AND_DATA) X(AU) X(AWAITING_STUDIES) X(B) X(BODY) X(BR)            \
    X(CHAR_INTERVENTIONS) X(CHAR_METHODS) X(CHAR_NOTES) X(CHAR_OUTCOMES) X(CHAR_PARTICIPANTS)     \
    X(COCHRANE_REVIEW) X(COMPARISON) X(CONT_DATA) X(CONT_OUTCOME) X(CONT_SUBGROUP)                \
    X(COVER_SHEET) X(CRIT_STUDIES) X(DESCRIPTION) X(DICH_DATA) X(DICH_OUTCOME)                    \
    X(DICH_SUBGROUP)                                                                              \
    X(EXCLUDED_STUDIES) X(GRAPH_LABEL_1) X(GRAPH_LABEL_2) X(GROUP_LABEL_1) X(GROUP_LABEL_2) X(I)  \
    X(IDENTIFIER) X(IDENTIFIERS) X(INCLUDED_CHAR) X(INCLUDED_STUDIES) X(IPD_DATA) X(IPD_OUTCOME)  \
    X(IPD_SUBGROUP) X(IV_DATA) X(IV_OUTCOME) X(IV_SUBGROUP) X(LINK) X(MAIN_TEXT) X(NAME)          \
    X(ONGOING_STUDIES) X(OTHER_DATA) X(OTHER_OUTCOME) X(OTHER_SUBGROUP) X(QUALITY_ITEM)           \
    X(QUALITY_ITEMS) X(QUALITY_ITEM_DATA) X(QUALITY_ITEM_DATA_ENTRY)                              \
    X(QUALITY_ITEM_DATA_ENTRY_GROUP) X(REFERENCE) X(SELECTION_CRITERIA) X(SO) X(STUDIES)          \
    X(STUDY) X(SUB) X(SUMMARY)                                                                    \
    X(SUP) X(TI) X(TITLE) X(U) X(YR)

typedef enum rm_elem {
#define X(n) E_##n,
    RM_ELEMENTS(X)
#undef X
    E_OTHER
} rm_elem;

static const char *const elem_names[] = {
#define X(n) #n,
    RM_ELEMENTS(X)
#undef X
};

#define RM_ATTRS(X)                                                                               \
    X(CHI2) X(CI_END) X(CI_START) X(CI_STUDY) X(CI_TOTAL) X(DF) X(DOI) X(EFFECT_MEASURE)          \
    X(EFFECT_SIZE)                                                                                \
    X(ESTIMABLE) X(EVENTS_1) X(EVENTS_2) X(GROUP_ID) X(I2) X(I2_Q) X(ID) X(LOG_DATA) X(MEAN_1)    \
    X(MEAN_2) X(METHOD) X(NAME) X(O_E) X(PRIMARY) X(P_CHI2) X(P_Q) X(P_Z) X(Q) X(RANDOM)          \
    X(RESULT) X(SD_1) X(SD_2) X(SE) X(STUDIES) X(STUDY_ID) X(SWAP_EVENTS) X(TAU2) X(TOTAL_1)      \
    X(TOTAL_2) X(TYPE) X(VALUE) X(VAR) X(YEAR) X(Z)

typedef enum rm_attr {
#define X(n) A_##n,
    RM_ATTRS(X)
#undef X
    A_COUNT
} rm_attr;
/* clang-format on */

static const char *const attr_names[] = {
#define X(n) #n,
    RM_ATTRS(X)
#undef X
};

static int name_cmp(const void *key, const void *entry)
{
    return strcmp((const char *)key, *(const char *const *)entry);
}

static rm_elem elem_lookup(const char *name)
{
    const char *const *hit = bsearch(name, elem_names, E_OTHER, sizeof elem_names[0], name_cmp);
    return hit ? (rm_elem)(hit - elem_names) : E_OTHER;
}

static rm_attr attr_lookup(const char *name)
{
    const char *const *hit = bsearch(name, attr_names, A_COUNT, sizeof attr_names[0], name_cmp);
    return hit ? (rm_attr)(hit - attr_names) : A_COUNT;
}

/* The data types of RevMan 5 analyses, in the order of the prefixes. */
enum { T_DICH, T_CONT, T_IV, T_IPD, T_OTHER };
static const char *const type_names[] = {"DICH", "CONT", "IV", "IPD", "OTHER"};

static int outcome_type(rm_elem e)
{
    switch (e) {
    case E_DICH_OUTCOME: return T_DICH;
    case E_CONT_OUTCOME: return T_CONT;
    case E_IV_OUTCOME: return T_IV;
    case E_IPD_OUTCOME: return T_IPD;
    case E_OTHER_OUTCOME: return T_OTHER;
    default: return -1;
    }
}

static int subgroup_type(rm_elem e)
{
    switch (e) {
    case E_DICH_SUBGROUP: return T_DICH;
    case E_CONT_SUBGROUP: return T_CONT;
    case E_IV_SUBGROUP: return T_IV;
    case E_IPD_SUBGROUP: return T_IPD;
    case E_OTHER_SUBGROUP: return T_OTHER;
    default: return -1;
    }
}

static int data_type(rm_elem e)
{
    switch (e) {
    case E_DICH_DATA: return T_DICH;
    case E_CONT_DATA: return T_CONT;
    case E_IV_DATA: return T_IV;
    case E_IPD_DATA: return T_IPD;
    case E_OTHER_DATA: return T_OTHER;
    default: return -1;
    }
}

/* Inline markup inside RevMan's text: no word break around it. */
static int is_inline(rm_elem e)
{
    return e == E_A || e == E_B || e == E_I || e == E_U || e == E_SUB || e == E_SUP || e == E_LINK;
}

/* ---- capped text ------------------------------------------------------------ */

/* Text gathered from one element and its descendants, whitespace runs folded
 * to one space, cut at `cap` bytes. */
typedef struct rm_text {
    ww_buf buf;
    size_t cap;
    int space; /* whitespace seen since the last byte kept */
    int truncated;
} rm_text;

/* ---- the per-study table ---------------------------------------------------- */

typedef struct rm_study {
    char *id;    /* STUDY/@ID as written */
    char *name;  /* display name */
    char *where; /* "line N: STUDY[id]" */
    long line;
    int year_attr; /* STUDY/@YEAR, -1 */
    /* the chosen reference */
    int has_ref, ref_primary, ref_year;
    char *title, *authors, *journal, *doi;
    /* characteristics */
    char *notes;
    ww_design design; /* from its own methods */
    char *design_basis;
    int included; /* listed in INCLUDED_STUDIES */
    /* risk of bias */
    ww_rob_rec *rob;
    size_t n_rob, alloc_rob;
    int rob_capped;
} rm_study;

typedef struct rm_group {
    char *id;
    char *domain; /* item NAME + " — " + group NAME */
} rm_group;

/* The characteristics fields, in the order they go into the notes. */
enum { CH_METHODS, CH_PARTICIPANTS, CH_INTERVENTIONS, CH_OUTCOMES, CH_NOTES, CH_COUNT };
static const char *const char_labels[CH_COUNT] = {"Methods", "Participants", "Interventions",
                                                  "Outcomes", "Notes"};

/* ---- the outcome being read --------------------------------------------------- */

/* A data row as it enters the pooled result (see "RevMan's pooled results,
 * recomputed" below): DICH events_1, total_1, events_2, total_2 (after
 * SWAP_EVENTS); CONT mean_1, sd_1, total_1, mean_2, sd_2, total_2; IV and
 * IPD the effect (log scale for ratios) and its SE. */
typedef struct rm_prow {
    double v[6];
} rm_prow;

typedef struct rm_outcome {
    int open, type;
    char id[RM_ID_MAX + 1];
    long line;
    char measure[32], method[32];
    int random, swap, log_data; /* 1 YES, 0 NO, -1 not given */
    int ci_95;                  /* CI_STUDY is 95 (or not given) */
    double ci_total;            /* CI_TOTAL, the pooled CI's level in percent */
    rm_text name, label1, label2, graph1, graph2;
    ww_revman_analysis a;
    long rows;
    /* settled at the first row */
    int prepared, skip, ratio, higher_is_better;
    ww_outcome_kind kind;
    const char *metric;
    ww_buf display, domain, description;
    /* the subgroup being read */
    int in_sub;
    char sub_id[RM_ID_MAX + 1];
    rm_text sub_name;
    ww_revman_analysis sa;
    long sub_rows;
    int sub_prepared;
    ww_buf sub_display;
    /* the rows RevMan pooled, for the cross-check of its pooled results */
    rm_prow *prows;
    size_t n_prows, alloc_prows, sub_first;
    int prows_capped;
} rm_outcome;

/* ---- parse state ---------------------------------------------------------------- */

typedef struct rm_ctx {
    const ww_input *in;
    ww_diags *diags;
    const ww_sink *sink;
    void (*analysis_cb)(void *ctx, const ww_revman_analysis *a);
    void *analysis_ctx;

    int rc;        /* sticky: the first negative ww_error (OOM, sink stop) */
    size_t errors; /* error-level diagnostics added by this parse */
    int stop;      /* read no further */
    int wrong_root, root_seen;
    int truncated; /* the bytes do not end with </COCHRANE_REVIEW> */
    long trunc_line;
    int latin1; /* declared ISO-8859-1 */
    long last_xml_line;
    size_t rows_seen;

    /* exact element lines: a cursor over the raw bytes */
    size_t scan_pos, line_pos;
    long line_no;

    ww_arena *arena; /* strings of the study table */

    int depth;
    rm_elem stack[RM_MAX_DEPTH];

    /* attributes of the current element */
    char attr_val[A_COUNT][RM_ATTR_CAP + 1];
    int attr_len[A_COUNT]; /* -1: absent */
    unsigned char attr_long[A_COUNT];

    /* the text being gathered, if any */
    rm_text *col;
    int col_depth;
    int col_section;

    /* the review */
    rm_text review_title;
    char review_doi[RM_ID_MAX + 1];
    rm_text section;
    char section_label[64];

    /* studies */
    rm_study *studies;
    size_t n_studies, alloc_studies;
    ww_strmap study_index; /* study id -> index in studies */
    long cur_study;
    /* the REFERENCE being read */
    int in_ref, ref_primary;
    rm_text ref_au, ref_ti, ref_so, ref_yr;
    char ref_doi[RM_ID_MAX + 1];
    /* the INCLUDED_CHAR being read */
    long char_study;
    rm_text chars[CH_COUNT];
    /* the review's types of studies (SELECTION_CRITERIA/CRIT_STUDIES) */
    rm_text crit;
    int crit_depth; /* depth of CRIT_STUDIES while its text is gathered, else 0 */
    int crit_read;  /* read, or known to be absent */
    ww_design crit_design;
    char *crit_basis;
    /* the QUALITY_ITEM being read */
    rm_text qi_name;
    char qi_id[RM_ID_MAX + 1];
    char *qi_domain;
    rm_group groups[RM_MAX_GROUPS];
    size_t n_groups;
    int in_qg;
    char qg_id[RM_ID_MAX + 1];
    rm_text qg_name;
    int in_qe;
    char qe_study[RM_ID_MAX + 1];
    char qe_group[RM_ID_MAX + 1];
    char qe_result[16];
    long qe_line;
    rm_text qe_support;

    /* the COMPARISON being read */
    int in_cmp;
    char cmp_id[RM_ID_MAX + 1];
    rm_text cmp_name;
    ww_buf intervention;
    int intervention_ready;

    rm_outcome out;

    /* the cross-check of RevMan's pooled results (see below) */
    long analyses_line; /* of ANALYSES_AND_DATA */
    size_t pooled_agree, pooled_differ;
    size_t pooled_skipped;   /* RevMan stored no pooled result */
    size_t pooled_too_large; /* more than RM_POOL_MAX_ROWS rows */
} rm_ctx;

/* ---- diagnostics ---------------------------------------------------------------- */

static void diag(rm_ctx *c, int is_warning, long line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void diag(rm_ctx *c, int is_warning, long line, const char *field, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    int error;
    if (c->rc < 0) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!is_warning) c->errors++;
    if ((error = ww_diags__add(c->diags, is_warning, c->in->name, line > 0 ? line : 0, field, "%s",
                               msg)) < 0)
        c->rc = error;
}

#define ERR(c, line, field, ...) diag((c), 0, (line), (field), __VA_ARGS__)
#define WARN(c, line, field, ...) diag((c), 1, (line), (field), __VA_ARGS__)

/* At most QUOTE_MAX bytes of s for a message, cut on a character boundary. */
static const char *quote(char *buf, size_t n, const char *s)
{
    size_t len = strlen(s);
    if (n < QUOTE_MAX + 4) return "";
    if (len <= QUOTE_MAX) {
        memcpy(buf, s, len + 1);
        return buf;
    }
    len = QUOTE_MAX;
    while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) len--;
    memcpy(buf, s, len);
    memcpy(buf + len, "...", 4);
    return buf;
}

static void oom(rm_ctx *c)
{
    if (c->rc == 0) c->rc = ww__error_oom();
}

/* ---- small string helpers ------------------------------------------------------ */

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static int blank(const char *s)
{
    for (; *s; s++)
        if (!is_space(*s)) return 0;
    return 1;
}

static int blank_n(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_space(s[i])) return 0;
    return 1;
}

/* Case-insensitive (ASCII) equality of a and b. */
static int same(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

/* Position of needle in p[from, n), or (size_t)-1. */
static size_t find_bytes(const char *p, size_t from, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    while (from + m <= n) {
        const char *hit = memchr(p + from, needle[0], n - from - m + 1);
        if (!hit) break;
        from = (size_t)(hit - p);
        if (!memcmp(hit, needle, m)) return from;
        from++;
    }
    return (size_t)-1;
}

static long count_newlines(const char *p, size_t n)
{
    long lines = 0;
    const char *end = p + n;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
        lines++;
        p++;
    }
    return lines;
}

/* Append the UTF-8 encoding of code point cp to b. */
static int put_utf8(ww_buf *b, unsigned long cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return ww_buf__put(b, u, n);
}

/* Windows-1252's characters for bytes 0x80-0x9F; 0 where it has none. */
static const unsigned short cp1252_c1[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

/* Append n bytes of UTF-8 to b; in a Latin-1 file, a C1 control (UTF-8
 * C2 80 .. C2 9F) becomes the Windows-1252 character it stands for. */
static int put_mapped(const rm_ctx *c, ww_buf *b, const char *s, size_t n)
{
    size_t start = 0;
    int error = 0;
    if (!c->latin1) return ww_buf__put(b, s, n);
    for (size_t i = 0; i + 1 < n && error == 0; i++) {
        unsigned char lead = (unsigned char)s[i], next = (unsigned char)s[i + 1];
        if (lead == 0xC2 && next >= 0x80 && next <= 0x9F && cp1252_c1[next - 0x80]) {
            if ((error = ww_buf__put(b, s + start, i - start)) == 0)
                error = put_utf8(b, cp1252_c1[next - 0x80]);
            start = i + 2;
            i++;
        }
    }
    if (error == 0) error = ww_buf__put(b, s + start, n - start);
    return error;
}

/* ---- capped text ------------------------------------------------------------------ */

static void text_init(rm_text *t, size_t cap)
{
    memset(t, 0, sizeof *t);
    t->cap = cap;
}

static void text_reset(rm_text *t)
{
    t->buf.size = 0;
    if (t->buf.data) t->buf.data[0] = '\0';
    t->space = 0;
    t->truncated = 0;
}

/* The text, or NULL when there is none. */
static const char *text_get(const rm_text *t)
{
    return t->buf.size ? t->buf.data : NULL;
}

static void text_add(rm_ctx *c, rm_text *t, const char *s)
{
    while (*s && !t->truncated && c->rc == 0) {
        size_t run = 0, sep;
        int error;
        if (is_space(*s)) {
            t->space = 1;
            s++;
            continue;
        }
        while (s[run] && !is_space(s[run])) run++;
        sep = t->space && t->buf.size ? 1 : 0;
        if (t->buf.size + sep + run > t->cap) {
            size_t room = t->cap > t->buf.size + sep ? t->cap - t->buf.size - sep : 0;
            while (room > 0 && ((unsigned char)s[room] & 0xC0) == 0x80) room--;
            error = 0;
            if (sep && room) error = ww_buf__put(&t->buf, " ", 1);
            if (error == 0 && room) error = put_mapped(c, &t->buf, s, room);
            if (error == 0) error = ww_buf__put(&t->buf, "...", 3);
            if (error < 0) c->rc = error;
            t->truncated = 1;
            return;
        }
        error = sep ? ww_buf__put(&t->buf, " ", 1) : 0;
        if (error == 0) error = put_mapped(c, &t->buf, s, run);
        if (error < 0) {
            c->rc = error;
            return;
        }
        t->space = 0;
        s += run;
    }
}

/* Copy text into the arena; NULL for none. */
static char *text_dup(rm_ctx *c, const rm_text *t)
{
    const char *s = text_get(t);
    char *p;
    if (!s) return NULL;
    if (!(p = ww_arena__strdup(c->arena, s))) oom(c);
    return p;
}

static char *arena_dup(rm_ctx *c, const char *s)
{
    char *p;
    if (!s) return NULL;
    if (!(p = ww_arena__strdup(c->arena, s))) oom(c);
    return p;
}

/* ---- attributes -------------------------------------------------------------------- */

/* Copy the attributes this importer reads from the current element. */
static void read_attrs(rm_ctx *c, xmlTextReaderPtr r)
{
    for (int i = 0; i < A_COUNT; i++) {
        c->attr_len[i] = -1;
        c->attr_long[i] = 0;
    }
    if (xmlTextReaderMoveToFirstAttribute(r) != 1) return;
    do {
        rm_attr a = attr_lookup((const char *)xmlTextReaderConstLocalName(r));
        const char *v;
        ww_buf b = WW_BUF_INIT;
        size_t len;
        if (a == A_COUNT || !(v = (const char *)xmlTextReaderConstValue(r))) continue;
        len = strlen(v);
        if (c->latin1 && memchr(v, 0xC2, len)) {
            /* a C1 control to read as Windows-1252: the value grows */
            if (put_mapped(c, &b, v, len) < 0) {
                oom(c);
                break;
            }
            v = b.data;
            len = b.size;
        }
        if (len > RM_ATTR_CAP) {
            c->attr_long[a] = 1;
            len = RM_ATTR_CAP;
            while (len > 0 && ((unsigned char)v[len] & 0xC0) == 0x80) len--;
        }
        if (len) memcpy(c->attr_val[a], v, len);
        c->attr_val[a][len] = '\0';
        c->attr_len[a] = (int)len;
        ww_buf__free(&b);
    } while (xmlTextReaderMoveToNextAttribute(r) == 1);
    xmlTextReaderMoveToElement(r);
}

/* The attribute's value ("" when empty), or NULL when absent. */
static const char *attr(const rm_ctx *c, rm_attr a)
{
    return c->attr_len[a] >= 0 ? c->attr_val[a] : NULL;
}

/* The value when it holds more than whitespace, else NULL. */
static const char *attr_given(const rm_ctx *c, rm_attr a)
{
    const char *v = attr(c, a);
    return v && !blank(v) ? v : NULL;
}

/* An id attribute: NULL (with an error when required) when absent, empty or
 * too long to be an id. */
static const char *id_attr(rm_ctx *c, rm_attr a, long line, int required, const char *what)
{
    const char *v = attr_given(c, a);
    if (!v) {
        if (required) ERR(c, line, attr_names[a], "missing: %s", what);
        return NULL;
    }
    if (c->attr_long[a] || strlen(v) > RM_ID_MAX) {
        ERR(c, line, attr_names[a], "longer than %d bytes; not an id RevMan writes", RM_ID_MAX);
        return NULL;
    }
    return v;
}

/* Java's spellings of values that are not finite numbers, which RevMan
 * writes where it could not compute one (TAU2="NaN", LOG_CI_START="-Infinity"). */
static int not_finite_word(const char *v)
{
    while (is_space(*v)) v++;
    if (*v == '-' || *v == '+') v++;
    return !strcmp(v, "NaN") || !strcmp(v, "Infinity");
}

/* A number: 1 read, 0 missing (absent, empty, NaN or infinite), -1 not a
 * number (reported). */
static int num_attr(rm_ctx *c, rm_attr a, long line, double *out)
{
    const char *v = attr_given(c, a);
    char q[QUOTE_MAX + 4];
    if (!v || not_finite_word(v)) return 0;
    if (c->attr_long[a] || ww__parse_double(out, v) < 0) {
        ERR(c, line, attr_names[a], "not a number: '%s'", quote(q, sizeof q, v));
        return -1;
    }
    return 1;
}

/* A count of people or events: as num_attr(), and a whole number >= 0. */
static int count_attr(rm_ctx *c, rm_attr a, long line, long *out)
{
    double v;
    int got = num_attr(c, a, line, &v);
    if (got <= 0) return got;
    if (v < 0) {
        ERR(c, line, attr_names[a], "must not be negative, got %s", attr(c, a));
        return -1;
    }
    if (v != floor(v) || v > 1e9) {
        ERR(c, line, attr_names[a], "must be a whole number, got %s", attr(c, a));
        return -1;
    }
    *out = (long)v;
    return 1;
}

/* YES 1, NO 0, anything else -1. */
static int yes_no(const rm_ctx *c, rm_attr a)
{
    const char *v = attr(c, a);
    if (same(v, "YES")) return 1;
    if (same(v, "NO")) return 0;
    return -1;
}

/* Copy s (NULL: "") into dst of n bytes, cut on a character boundary. */
static void copy_small(char *dst, size_t n, const char *s)
{
    size_t len = s ? strlen(s) : 0;
    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) len--;
    }
    if (len) memcpy(dst, s, len);
    dst[len] = '\0';
}

/* ---- exact line numbers --------------------------------------------------------- */

/* The line of the next start tag in the raw bytes. The reader reports
 * elements in document order, and each element is exactly one start tag, so
 * stepping from one '<' to the next, over end tags, comments, CDATA
 * sections, processing instructions and declarations, meets each element's
 * tag in turn: attribute values and character data cannot hold a raw '<'.
 * The parser's own line number runs ahead of the node it reports (it reads
 * in chunks), so it is not used for elements. */
static long next_element_line(rm_ctx *c)
{
    const char *p = (const char *)c->in->data;
    size_t n = c->in->size, pos = c->scan_pos, at = n;
    while (pos < n) {
        const char *lt = memchr(p + pos, '<', n - pos);
        size_t i, close;
        if (!lt) break;
        i = (size_t)(lt - p);
        if (i + 1 >= n) break;
        if (p[i + 1] == '/') {
            pos = i + 2;
            continue;
        }
        if (p[i + 1] == '?') {
            close = find_bytes(p, i + 2, n, "?>");
            pos = close == (size_t)-1 ? n : close + 2;
            continue;
        }
        if (p[i + 1] == '!') {
            if (i + 4 <= n && !memcmp(p + i, "<!--", 4)) {
                close = find_bytes(p, i + 4, n, "-->");
                pos = close == (size_t)-1 ? n : close + 3;
            } else if (i + 9 <= n && !memcmp(p + i, "<![CDATA[", 9)) {
                close = find_bytes(p, i + 9, n, "]]>");
                pos = close == (size_t)-1 ? n : close + 3;
            } else {
                close = find_bytes(p, i + 2, n, ">");
                pos = close == (size_t)-1 ? n : close + 1;
            }
            continue;
        }
        at = i;
        pos = i + 1;
        break;
    }
    if (at > n) at = n;
    if (at >= c->line_pos) {
        c->line_no += count_newlines(p + c->line_pos, at - c->line_pos);
        c->line_pos = at;
    }
    c->scan_pos = pos < n ? pos : n;
    return c->line_no;
}

/* ---- checks on the raw bytes, before parsing --------------------------------------- */

static long line_at(const rm_ctx *c, size_t offset)
{
    return 1 + count_newlines((const char *)c->in->data, offset);
}

/* Skip XML whitespace from i. */
static size_t skip_ws(const char *p, size_t i, size_t n)
{
    while (i < n && is_space(p[i])) i++;
    return i;
}

/* The encoding named in the XML declaration at p[i..] into enc ("" if none). */
static void declared_encoding(const char *p, size_t i, size_t n, char *enc, size_t enc_n)
{
    size_t end = find_bytes(p, i, n, "?>"), at, len = 0;
    char quote_ch;
    enc[0] = '\0';
    if (end == (size_t)-1) return;
    at = find_bytes(p, i, end, "encoding");
    if (at == (size_t)-1) return;
    at = skip_ws(p, at + 8, end);
    if (at >= end || p[at] != '=') return;
    at = skip_ws(p, at + 1, end);
    if (at >= end || (p[at] != '"' && p[at] != '\'')) return;
    quote_ch = p[at++];
    while (at + len < end && p[at + len] != quote_ch) len++;
    if (len >= enc_n) len = enc_n - 1;
    memcpy(enc, p + at, len);
    enc[len] = '\0';
}

/* 1 when the bytes end with the root's end tag (after any trailing
 * whitespace, comments and processing instructions). */
static int ends_with_root(const char *p, size_t n)
{
    static const char root_end[] = "</" RM_ROOT;
    for (;;) {
        size_t lt;
        while (n > 0 && is_space(p[n - 1])) n--;
        if (n == 0 || p[n - 1] != '>') return 0;
        if (n >= 3 && !memcmp(p + n - 3, "-->", 3)) {
            size_t i = n - 3, open = (size_t)-1;
            while (i >= 4) {
                if (!memcmp(p + i - 4, "<!--", 4)) {
                    open = i - 4;
                    break;
                }
                i--;
            }
            if (open == (size_t)-1) return 0;
            n = open;
            continue;
        }
        if (n >= 2 && p[n - 2] == '?') {
            size_t i = n - 2;
            while (i > 0 && !(p[i - 1] == '<' && p[i] == '?')) i--;
            if (i == 0) return 0;
            n = i - 1;
            continue;
        }
        for (lt = n - 1; lt > 0 && p[lt] != '<'; lt--) continue;
        if (p[lt] != '<') return 0;
        if (n - lt >= sizeof root_end - 1 && !memcmp(p + lt, root_end, sizeof root_end - 1)) {
            size_t i = skip_ws(p, lt + sizeof root_end - 1, n);
            return i == n - 1;
        }
        /* an empty root element */
        return n - lt > sizeof RM_ROOT && !memcmp(p + lt + 1, RM_ROOT, sizeof RM_ROOT - 1) &&
               p[n - 2] == '/';
    }
}

static int names_utf8(const char *enc)
{
    return !*enc || same(enc, "UTF-8") || same(enc, "UTF8");
}

static int names_latin1(const char *enc)
{
    return same(enc, "ISO-8859-1") || same(enc, "ISO_8859-1") || same(enc, "ISO8859-1") ||
           same(enc, "LATIN1") || same(enc, "LATIN-1") || same(enc, "L1");
}

/* Line (1-based) of the first byte that is not UTF-8, or 0 when all are. A
 * newline is ASCII, so it never sits inside a multi-byte sequence. */
static long first_bad_utf8_line(const char *p, size_t n)
{
    size_t start = 0;
    long line = 1;
    while (start < n) {
        const char *nl = memchr(p + start, '\n', n - start);
        size_t end = nl ? (size_t)(nl - p) : n;
        if (!ww__utf8_valid(p + start, end - start)) return line;
        start = end + 1;
        line++;
    }
    return 0;
}

/* Check what can be checked before parsing. Returns 1 to go on parsing. */
static int precheck(rm_ctx *c)
{
    const char *p = (const char *)c->in->data;
    size_t n = c->in->size, i = 0;
    const unsigned char *u = c->in->data;
    char enc[64] = "";

    if (n == 0 || !p || blank_n(p, n)) {
        ERR(c, 0, NULL, "the file is empty");
        return 0;
    }
    if (n > INT_MAX) {
        ERR(c, 0, NULL, "the file is %zu bytes; files over %d bytes cannot be read", n, INT_MAX);
        return 0;
    }
    if ((n >= 2 && ((u[0] == 0xFE && u[1] == 0xFF) || (u[0] == 0xFF && u[1] == 0xFE))) ||
        (n >= 2 && (u[0] == 0 || u[1] == 0))) {
        ERR(c, 1, "encoding",
            "the file is UTF-16 or UTF-32; RevMan 5 files are ISO-8859-1 (or UTF-8)");
        return 0;
    }
    if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) i = 3;

    /* The prolog: the XML declaration, comments, processing instructions and
     * (refused) a DOCTYPE, before the root element. */
    for (;;) {
        size_t close;
        i = skip_ws(p, i, n);
        if (i + 5 <= n && !memcmp(p + i, "<?xml", 5) && i + 5 < n && is_space(p[i + 5]))
            declared_encoding(p, i, n, enc, sizeof enc);
        if (i + 2 <= n && !memcmp(p + i, "<?", 2)) {
            if ((close = find_bytes(p, i + 2, n, "?>")) == (size_t)-1) break;
            i = close + 2;
        } else if (i + 4 <= n && !memcmp(p + i, "<!--", 4)) {
            if ((close = find_bytes(p, i + 4, n, "-->")) == (size_t)-1) break;
            i = close + 3;
        } else if (i + 9 <= n && !memcmp(p + i, "<!DOCTYPE", 9)) {
            ERR(c, line_at(c, i), "DOCTYPE",
                "RevMan files have no DOCTYPE; DTDs and entity declarations are refused for "
                "safety");
            return 0;
        } else {
            break;
        }
    }

    c->latin1 = names_latin1(enc);
    if (names_utf8(enc)) {
        long bad = first_bad_utf8_line(p, n);
        if (bad > 0) {
            ERR(c, bad, "encoding",
                "this line is not valid UTF-8, and the file %s; RevMan 5 saves "
                "encoding=\"ISO-8859-1\" in the XML declaration",
                enc[0] ? "declares UTF-8" : "declares no encoding, so UTF-8 applies");
            return 0;
        }
    }
    if (!ends_with_root(p, n)) {
        size_t last = n;
        while (last > 0 && is_space(p[last - 1])) last--;
        c->truncated = 1;
        c->trunc_line = line_at(c, last > 0 ? last - 1 : 0);
    }
    return 1;
}

/* ---- the study table ------------------------------------------------------------ */

static long find_study(const rm_ctx *c, const char *id)
{
    size_t i;
    return ww_strmap__get(&c->study_index, id, &i) ? (long)i : -1;
}

/* The name a study ID stands for: without "STD-" and with .NET's XML-name
 * escapes decoded (_xHHHH_, or _xHHHHHHHH_ past the BMP): "STD-MRC_x002d_1"
 * is "MRC-1". A sequence that is not a valid escape is kept as written. */
static char *decode_study_id(rm_ctx *c, const char *id)
{
    ww_buf b = WW_BUF_INIT;
    const char *s = id;
    char *out;
    int error = 0;
    if (!strncmp(s, "STD-", 4) && s[4]) s += 4;
    while (*s && error == 0) {
        if (s[0] == '_' && s[1] == 'x') {
            size_t digits = 0;
            unsigned long cp = 0;
            while (digits < 8 && isxdigit((unsigned char)s[2 + digits])) {
                int ch = tolower((unsigned char)s[2 + digits]);
                cp = cp * 16 + (unsigned long)(ch <= '9' ? ch - '0' : ch - 'a' + 10);
                digits++;
            }
            if ((digits == 4 || digits == 8) && s[2 + digits] == '_' && cp > 0 && cp <= 0x10FFFF &&
                !(cp >= 0xD800 && cp <= 0xDFFF)) {
                error = put_utf8(&b, cp);
                s += 3 + digits;
                continue;
            }
        }
        error = ww_buf__put(&b, s, 1);
        s++;
    }
    out = error == 0 ? arena_dup(c, b.data ? b.data : "") : NULL;
    if (error < 0) oom(c);
    ww_buf__free(&b);
    return out;
}

/* A year from text such as "1951" or "1951a"; -1 when there is none. */
static int parse_year(const char *s)
{
    int year = 0, digits = 0;
    if (!s) return -1;
    while (is_space(*s)) s++;
    while (digits < 4 && isdigit((unsigned char)*s)) {
        year = year * 10 + (*s++ - '0');
        digits++;
    }
    if (digits != 4 || isdigit((unsigned char)*s) || year < 1500 || year > 2200) return -1;
    return year;
}

static void start_study(rm_ctx *c, long line, int included)
{
    const char *id = id_attr(c, A_ID, line, 1, "every STUDY has an ID that its data rows name");
    const char *name = attr_given(c, A_NAME);
    char where[RM_ID_MAX + 64];
    rm_study *st;
    long dup;
    c->cur_study = -1;
    if (!id) return;
    if ((dup = find_study(c, id)) >= 0) {
        ERR(c, line, "ID", "study %s is defined twice (first at line %ld)", id,
            c->studies[dup].line);
        return;
    }
    if (c->n_studies == c->alloc_studies) {
        size_t n = c->alloc_studies ? c->alloc_studies * 2 : 32;
        rm_study *grown = realloc(c->studies, n * sizeof *grown);
        if (!grown) {
            oom(c);
            return;
        }
        c->studies = grown;
        c->alloc_studies = n;
    }
    st = &c->studies[c->n_studies];
    memset(st, 0, sizeof *st);
    st->year_attr = parse_year(attr(c, A_YEAR));
    st->ref_year = -1;
    st->design = WW_DESIGN_UNKNOWN;
    st->included = included;
    st->line = line;
    snprintf(where, sizeof where, "line %ld: STUDY[%s]", line, id);
    if (!(st->id = arena_dup(c, id)) || !(st->where = arena_dup(c, where))) return;
    if (name) {
        rm_text t;
        text_init(&t, RM_NAME_CAP);
        text_add(c, &t, name);
        st->name = text_dup(c, &t);
        ww_buf__free(&t.buf);
    } else {
        st->name = decode_study_id(c, id);
    }
    if (!st->name) return;
    if (ww_strmap__put(&c->study_index, st->id, c->n_studies) < 0) oom(c);
    c->n_studies++;
    c->cur_study = (long)c->n_studies - 1;
}

static void start_reference(rm_ctx *c)
{
    c->in_ref = 1;
    c->ref_primary = yes_no(c, A_PRIMARY) == 1;
    c->ref_doi[0] = '\0';
    text_reset(&c->ref_au);
    text_reset(&c->ref_ti);
    text_reset(&c->ref_so);
    text_reset(&c->ref_yr);
}

/* A study's primary reference wins; otherwise its first one. */
static void finish_reference(rm_ctx *c)
{
    rm_study *st;
    c->in_ref = 0;
    if (c->cur_study < 0) return;
    st = &c->studies[c->cur_study];
    if (st->has_ref && !(c->ref_primary && !st->ref_primary)) return;
    st->has_ref = 1;
    st->ref_primary = c->ref_primary;
    st->title = text_dup(c, &c->ref_ti);
    st->authors = text_dup(c, &c->ref_au);
    st->journal = text_dup(c, &c->ref_so);
    st->doi = c->ref_doi[0] ? arena_dup(c, c->ref_doi) : NULL;
    st->ref_year = parse_year(text_get(&c->ref_yr));
}

/* ---- the design ------------------------------------------------------------------ */

/* A phrase that names a design, found in the study's methods or the review's
 * types of studies. */
typedef struct rm_cue {
    ww_design design;
    size_t start, end; /* the phrase, in bytes of the text */
} rm_cue;

/* 1 when low[i..] starts with w. */
static int at_word(const char *low, size_t i, const char *w)
{
    return !strncmp(low + i, w, strlen(w));
}

static int alpha_at(const char *s, size_t i)
{
    return isalpha((unsigned char)s[i]) != 0;
}

/* Where the prefix w ("quasi", "non", ...) glued to position i starts
 * ("quasi-randomised", "quasi randomised", "quasirandomised"), or
 * (size_t)-1. */
static size_t glued(const char *low, size_t i, const char *w)
{
    size_t len = strlen(w);
    for (size_t sep = 0; sep <= 1; sep++) {
        size_t at;
        if (i < len + sep) continue;
        at = i - len - sep;
        if (sep && low[i - 1] != '-' && low[i - 1] != ' ') continue;
        if (memcmp(low + at, w, len) != 0) continue;
        if (at == 0 || !alpha_at(low, at - 1)) return at;
    }
    return (size_t)-1;
}

/* The word that ends before position i (skipping spaces), copied into w;
 * returns its start, or (size_t)-1 when there is none. */
static size_t word_before(const char *low, size_t i, char *w, size_t n)
{
    size_t end = i, start;
    while (end > 0 && low[end - 1] == ' ') end--;
    start = end;
    while (start > 0 && alpha_at(low, start - 1)) start--;
    if (start == end || end - start >= n) return (size_t)-1;
    memcpy(w, low + start, end - start);
    w[end - start] = '\0';
    return start;
}

/* "not randomised", "no randomisation", "without random allocation", "not
 * truly randomised", "has not been randomised": a negation right before the
 * phrase. ("No details of randomisation" is not one.) */
static int negated_before(const char *low, size_t i)
{
    static const char *const neg[] = {"not", "no", "without", "never"};
    static const char *const between[] = {"truly",    "properly", "been",       "be",
                                          "formally", "strictly", "adequately", "really"};
    char w[16];
    size_t at = word_before(low, i, w, sizeof w);
    if (at == (size_t)-1) return 0;
    for (size_t k = 0; k < sizeof between / sizeof between[0]; k++)
        if (!strcmp(w, between[k])) {
            at = word_before(low, at, w, sizeof w);
            if (at == (size_t)-1) return 0;
            break;
        }
    for (size_t k = 0; k < sizeof neg / sizeof neg[0]; k++)
        if (!strcmp(w, neg[k])) return 1;
    return 0;
}

/* The clause around [start, end): bounded by . ; , : and the words "and"
 * and "but". */
static void clause_of(const char *low, size_t n, size_t start, size_t end, size_t *from, size_t *to)
{
    size_t i = start, j = end;
    while (i > 0 && !strchr(".;,:", low[i - 1]) &&
           !(i >= 5 && (!memcmp(low + i - 5, " and ", 5) || !memcmp(low + i - 5, " but ", 5))))
        i--;
    while (j < n && !strchr(".;,:", low[j]) &&
           !(j + 5 <= n && (!memcmp(low + j, " and ", 5) || !memcmp(low + j, " but ", 5))))
        j++;
    *from = i;
    *to = j;
}

/* 1 when low[from, to) holds any of the words. */
static int has_any(const char *low, size_t from, size_t to, const char *const *words, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        size_t len = strlen(words[k]);
        for (size_t i = from; i + len <= to; i++)
            if (!memcmp(low + i, words[k], len) && (i == 0 || !alpha_at(low, i - 1))) return 1;
    }
    return 0;
}

/* A phrase that says nothing for sure: it is excluded ("excluding
 * non-randomised studies", "quasi-randomised trials were excluded") or
 * doubted ("unclear whether randomised", "possibly randomised"). After the
 * phrase only a passive exclusion counts: "a randomised trial excluding
 * children with asthma" is a randomised trial. */
static int discounted(const char *low, size_t n, const rm_cue *cue)
{
    static const char *const excluded_before[] = {"exclud", "not includ", "ineligible",
                                                  "not eligible"};
    static const char *const excluded_after[] = {
        "were excluded", "was excluded",    "are excluded", "is excluded",  "be excluded",
        "not included",  "not be included", "ineligible",   "not eligible", "not considered"};
    static const char *const doubted[] = {"unclear",    "uncertain",   "not clear", "not known",
                                          "unknown",    "possibly",    "probably",  "may have",
                                          "not stated", "not reported"};
    size_t from, to;
    clause_of(low, n, cue->start, cue->end, &from, &to);
    return has_any(low, from, cue->start, excluded_before,
                   sizeof excluded_before / sizeof excluded_before[0]) ||
           has_any(low, cue->end, to, excluded_after,
                   sizeof excluded_after / sizeof excluded_after[0]) ||
           has_any(low, from, cue->start, doubted, sizeof doubted / sizeof doubted[0]);
}

/* "allocated at random", "Allocation: random", "assigned randomly": the
 * allocation named within 24 bytes before i, in the same sentence. */
static int allocation_before(const char *low, size_t i)
{
    size_t from = i > 24 ? i - 24 : 0;
    for (size_t k = i; k > from; k--)
        if (low[k - 1] == '.' || low[k - 1] == ';') {
            from = k;
            break;
        }
    for (size_t k = from; k < i; k++)
        if (at_word(low, k, "allocat") || at_word(low, k, "assign")) return 1;
    return 0;
}

/* The words that may stand between a negation and the phrase. */
static int is_between_word(const char *w)
{
    static const char *const between[] = {"truly",    "properly", "been",       "be",
                                          "formally", "strictly", "adequately", "really"};
    for (size_t k = 0; k < sizeof between / sizeof between[0]; k++)
        if (!strcmp(w, between[k])) return 1;
    return 0;
}

/* The allocation words: 1 randomised (randomised, randomization, RCT(s),
 * random allocation, randomly assigned, allocated at random), 2 a bare
 * "random" that counts only with a prefix ("quasi-random", "non-random"),
 * 0 none. *end is set past the word. */
static int random_word(const char *low, size_t n, size_t i, size_t *end)
{
    int kind = 0;
    *end = i;
    if (at_word(low, i, "randomi") && (low[i + 7] == 's' || low[i + 7] == 'z') &&
        (at_word(low, i + 8, "ed") || at_word(low, i + 8, "ation"))) {
        kind = 1;
    } else if (at_word(low, i, "randomly")) {
        kind = allocation_before(low, i) || at_word(low, i + 8, " allocat") ||
                       at_word(low, i + 8, " assign") || at_word(low, i + 8, " divided")
                   ? 1
                   : 0;
    } else if (at_word(low, i, "random") && !alpha_at(low, i + 6)) {
        kind = at_word(low, i + 6, " allocation") || at_word(low, i + 6, " assignment") ||
                       allocation_before(low, i)
                   ? 1
                   : 2;
    } else if (at_word(low, i, "rct") &&
               (!isalnum((unsigned char)low[i + 3]) ||
                (low[i + 3] == 's' && !isalnum((unsigned char)low[i + 4])))) {
        kind = 1;
    }
    if (kind) {
        *end = i + 3;
        while (*end < n && alpha_at(low, *end)) (*end)++;
    }
    return kind;
}

/* One phrase starting at low[i], or 0. orig is the text as written, for the
 * upper-case acronyms (ITS, CBA: "its" is a word). */
static int cue_at(const char *low, const char *orig, size_t n, size_t i, rm_cue *cue)
{
    size_t end, pre;
    int word_start = i == 0 || !alpha_at(low, i - 1), kind;
    char w[16];

    if ((kind = random_word(low, n, i, &end)) != 0) {
        cue->end = end;
        if ((pre = glued(low, i, "quasi")) != (size_t)-1 ||
            (pre = glued(low, i, "pseudo")) != (size_t)-1) {
            cue->design = WW_DESIGN_COMPARISON; /* quasi-randomised: not a true RCT */
        } else if ((pre = glued(low, i, "non")) != (size_t)-1 ||
                   (pre = glued(low, i, "un")) != (size_t)-1) {
            cue->design = WW_DESIGN_COMPARISON; /* non-randomised */
        } else if (!word_start) {
            return 0;
        } else if (kind == 1 && negated_before(low, i)) {
            cue->design = WW_DESIGN_COMPARISON; /* not randomised */
            pre = word_before(low, i, w, sizeof w);
            if (is_between_word(w)) pre = word_before(low, pre, w, sizeof w);
        } else if (kind == 1) {
            cue->design = WW_DESIGN_RANDOMISED;
            pre = i;
        } else {
            return 0;
        }
        cue->start = pre;
        return 1;
    }
    if (at_word(low, i, "controlled before") &&
        (at_word(low, i + 17, "-after") || at_word(low, i + 17, " and after") ||
         at_word(low, i + 17, "-and-after") || at_word(low, i + 17, " after") ||
         at_word(low, i + 17, "/after"))) {
        end = i + 17 + (low[i + 17] == '-' || low[i + 17] == '/' ? 1 : 0);
        while (end < n && (alpha_at(low, end) || low[end] == '-' || low[end] == '/' ||
                           (low[end] == ' ' &&
                            (at_word(low, end, " and after") || at_word(low, end, " after")))))
            end++;
        if ((pre = glued(low, i, "un")) != (size_t)-1 ||
            (pre = glued(low, i, "non")) != (size_t)-1) {
            cue->design = WW_DESIGN_BEFORE_AFTER; /* uncontrolled before-after */
        } else if (word_start) {
            cue->design = WW_DESIGN_DIFF_IN_DIFF; /* controlled before-after */
            pre = i;
        } else {
            return 0;
        }
        cue->start = pre;
        cue->end = end;
        return 1;
    }
    if (word_start &&
        (at_word(low, i, "interrupted time series") || at_word(low, i, "interrupted time-series") ||
         (!strncmp(orig + i, "ITS", 3) && !isalnum((unsigned char)orig[i + 3])))) {
        size_t before = word_before(low, i, w, sizeof w);
        cue->end = at_word(low, i, "interrupted") ? i + 23 : i + 3;
        if (before != (size_t)-1 && !strcmp(w, "controlled") &&
            glued(low, before, "un") == (size_t)-1 && glued(low, before, "non") == (size_t)-1) {
            cue->design = WW_DESIGN_DIFF_IN_DIFF; /* controlled interrupted time series */
            cue->start = before;
        } else {
            cue->design = WW_DESIGN_BEFORE_AFTER; /* no comparison group */
            cue->start = i;
        }
        return 1;
    }
    if (word_start && !strncmp(orig + i, "CBA", 3) && !isalnum((unsigned char)orig[i + 3])) {
        cue->design = WW_DESIGN_DIFF_IN_DIFF;
        cue->start = i;
        cue->end = i + 3;
        return 1;
    }
    return 0;
}

/* The design text names, and the phrase that says it: of all the phrases
 * that are not excluded or doubted, the least rigorous (ww_design runs from
 * the most rigorous), since that is all the text vouches for: "RCTs or
 * quasi-RCTs" admits a quasi-randomised trial. WW_DESIGN_UNKNOWN when none. */
static ww_design read_design(const char *text, rm_cue *out)
{
    char low[RM_CRIT_CAP + 8];
    size_t n;
    ww_design best = WW_DESIGN_UNKNOWN;
    if (!text) return WW_DESIGN_UNKNOWN;
    n = strlen(text);
    if (n >= sizeof low) n = sizeof low - 1;
    for (size_t i = 0; i < n; i++) low[i] = (char)tolower((unsigned char)text[i]);
    low[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        rm_cue cue;
        if (!cue_at(low, text, n, i, &cue)) continue;
        if (!discounted(low, n, &cue) && cue.design > best) {
            best = cue.design;
            *out = cue;
        }
        i = cue.end > i ? cue.end - 1 : i;
    }
    return best;
}

/* 1 when a sentence ends just before text[i] (". " or "; "). */
static int sentence_start(const char *text, size_t i)
{
    return i == 0 || (i >= 2 && text[i - 1] == ' ' && (text[i - 2] == '.' || text[i - 2] == ';'));
}

/* The basis of a design: "SOURCE: 'QUOTE'", the quote at most about
 * RM_BASIS_QUOTE bytes of the text: the phrase's sentence, or as much of it
 * around the phrase as fits; "..." marks a cut. In the arena. */
static char *design_basis(rm_ctx *c, const char *source, const char *text, const rm_cue *cue)
{
    size_t n = strlen(text), from = cue->start, to = cue->end;
    int lead = 0, trail = 0;
    ww_buf b = WW_BUF_INIT;
    char *p = NULL;
    while (!sentence_start(text, from)) from--;
    while (to < n &&
           !((text[to] == '.' || text[to] == ';') && (to + 1 == n || text[to + 1] == ' ')))
        to++;
    if (to < n && text[to] == '.') to++;
    trail = to < n && text[to] == ';'; /* the sentence goes on */
    if (to - from > RM_BASIS_QUOTE && cue->end - from > RM_BASIS_QUOTE - 20) {
        /* a long sentence: start a few words before the phrase, or early
         * enough to reach the sentence's end */
        size_t start =
            to - RM_BASIS_QUOTE < cue->start - 20 ? to - RM_BASIS_QUOTE : cue->start - 20;
        if (start > from) {
            from = start;
            while (from < cue->start && text[from - 1] != ' ') from++;
            lead = 1;
        }
    }
    if (to - from > RM_BASIS_QUOTE) {
        to = from + RM_BASIS_QUOTE;
        while (to > cue->end && text[to] != ' ') to--;
        while (to > from && ((unsigned char)text[to] & 0xC0) == 0x80) to--;
        trail = 1;
    }
    while (to > from && text[to - 1] == ' ') to--;
    if (ww_buf__printf(&b, "%s: '%s%.*s%s'", source, lead ? "..." : "", (int)(to - from),
                       text + from, trail ? "..." : "") < 0)
        oom(c);
    else
        p = arena_dup(c, b.data);
    ww_buf__free(&b);
    return p;
}

/* ---- the review's types of studies ------------------------------------------- */

/* CRIT_STUDIES (METHODS/SELECTION_CRITERIA) says which designs the review
 * includes; a study whose own methods name none has at least the design the
 * review requires of every included study. Its text is gathered beside any
 * section being gathered for the sink, so the hooks below run for every
 * element, at `depth` after the element is pushed. */
static void crit_start(rm_ctx *c, rm_elem e, rm_elem parent, int depth)
{
    if (c->crit_depth) {
        if (!is_inline(e)) c->crit.space = 1;
    } else if (!c->crit_read && e == E_CRIT_STUDIES && parent == E_SELECTION_CRITERIA) {
        text_reset(&c->crit);
        c->crit_depth = depth;
    }
}

/* After an element is popped, `depth` the depth left. */
static void crit_end(rm_ctx *c, rm_elem e, int depth)
{
    rm_cue cue;
    const char *text;
    if (!c->crit_depth) return;
    if (depth >= c->crit_depth) {
        if (!is_inline(e)) c->crit.space = 1;
        return;
    }
    c->crit_depth = 0;
    c->crit_read = 1;
    text = text_get(&c->crit);
    c->crit_design = read_design(text, &cue);
    if (c->crit_design != WW_DESIGN_UNKNOWN)
        c->crit_basis =
            design_basis(c, "the review's inclusion criteria (types of studies)", text, &cue);
}

static void quiet_xml_error(void *arg, rm_error_ptr err)
{
    (void)arg;
    (void)err;
}

/* The types of studies when a data row is reached before them. RevMan
 * writes MAIN_TEXT, and so the criteria, before the studies and the
 * analyses; a file that puts them later still gets them applied, without
 * holding records back: a second reader walks the same bytes (already in
 * memory) from the start to the end of CRIT_STUDIES, gathering only its
 * text, and stops. Memory stays flat; such a file is parsed once more up
 * to its criteria, and a file without CRIT_STUDIES (checked on the raw
 * bytes) not at all. Errors are left to the main reader to report. */
static void look_ahead_criteria(rm_ctx *c)
{
    xmlTextReaderPtr r;
    rm_elem stack[RM_MAX_DEPTH];
    int depth = 0;
    c->crit_read = 1;
    if (find_bytes((const char *)c->in->data, 0, c->in->size, "<CRIT_STUDIES") == (size_t)-1)
        return;
    r = xmlReaderForMemory((const char *)c->in->data, (int)c->in->size, c->in->name, NULL,
                           XML_PARSE_NONET | XML_PARSE_COMPACT);
    if (!r) {
        oom(c);
        return;
    }
    xmlTextReaderSetStructuredErrorHandler(r, quiet_xml_error, NULL);
    c->crit_read = 0;
    while (!c->crit_read && c->rc == 0 && xmlTextReaderRead(r) == 1) {
        int type = xmlTextReaderNodeType(r);
        if (type == XML_READER_TYPE_ELEMENT) {
            const char *local = (const char *)xmlTextReaderConstLocalName(r);
            rm_elem e = elem_lookup(local ? local : "");
            if (depth == RM_MAX_DEPTH) break;
            stack[depth++] = e;
            crit_start(c, e, depth > 1 ? stack[depth - 2] : E_OTHER, depth);
            if (xmlTextReaderIsEmptyElement(r) == 1) {
                depth--;
                crit_end(c, e, depth);
            }
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            if (depth == 0) break;
            depth--;
            crit_end(c, stack[depth], depth);
        } else if (c->crit_depth &&
                   (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
                    type == XML_READER_TYPE_WHITESPACE ||
                    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE)) {
            const char *v = (const char *)xmlTextReaderConstValue(r);
            if (v) text_add(c, &c->crit, v);
        }
    }
    xmlFreeTextReader(r);
    c->crit_depth = 0;
    c->crit_read = 1;
}

/* A study's design and where it came from: its own methods, else, for an
 * included study, the review's types of studies. */
static ww_design study_design(rm_ctx *c, const rm_study *st, const char **basis)
{
    if (st->design != WW_DESIGN_UNKNOWN) {
        *basis = st->design_basis;
        return st->design;
    }
    if (!st->included) {
        *basis = "not stated in the study's methods; the review's inclusion criteria do not "
                 "apply (the study is not among its included studies)";
        return WW_DESIGN_UNKNOWN;
    }
    if (!c->crit_read) look_ahead_criteria(c);
    if (c->crit_design != WW_DESIGN_UNKNOWN) {
        *basis = c->crit_basis;
        return c->crit_design;
    }
    *basis = "not stated in the study's methods or in the review's inclusion criteria (types "
             "of studies)";
    return WW_DESIGN_UNKNOWN;
}

/* "Study: NAME" and the journal, the start of every study's notes. */
static int notes_header(const rm_study *st, ww_buf *b)
{
    int error = ww_buf__printf(b, "Study: %s", st->name);
    if (error == 0 && st->journal) error = ww_buf__printf(b, "\nJournal: %s", st->journal);
    return error;
}

static void start_char(rm_ctx *c, long line)
{
    const char *id = id_attr(c, A_STUDY_ID, line, 1, "INCLUDED_CHAR names the study it describes");
    char q[QUOTE_MAX + 4];
    c->char_study = -1;
    if (!id) return;
    if ((c->char_study = find_study(c, id)) < 0) {
        WARN(c, line, "STUDY_ID",
             "'%s' names no STUDY in STUDIES_AND_REFERENCES; "
             "these characteristics are not imported",
             quote(q, sizeof q, id));
        return;
    }
    for (int k = 0; k < CH_COUNT; k++) text_reset(&c->chars[k]);
}

static void finish_char(rm_ctx *c)
{
    rm_study *st;
    ww_buf b = WW_BUF_INIT;
    int error;
    if (c->char_study < 0) return;
    st = &c->studies[c->char_study];
    c->char_study = -1;
    {
        rm_cue cue;
        const char *methods = text_get(&c->chars[CH_METHODS]);
        st->design = read_design(methods, &cue);
        if (st->design != WW_DESIGN_UNKNOWN)
            st->design_basis = design_basis(c, "the study's methods", methods, &cue);
    }
    error = notes_header(st, &b);
    for (int k = 0; k < CH_COUNT && error == 0; k++)
        if (text_get(&c->chars[k]))
            error = ww_buf__printf(&b, "\n%s: %s", char_labels[k], text_get(&c->chars[k]));
    if (error < 0)
        oom(c);
    else
        st->notes = arena_dup(c, b.data);
    ww_buf__free(&b);
}

/* ---- risk of bias --------------------------------------------------------------- */

static void start_quality_item(rm_ctx *c, long line)
{
    const char *id = id_attr(c, A_ID, line, 0, NULL);
    copy_small(c->qi_id, sizeof c->qi_id, id);
    text_reset(&c->qi_name);
    c->qi_domain = NULL;
    c->n_groups = 0;
}

/* The item's domain: its NAME, or its ID when it has no name. */
static char *item_domain(rm_ctx *c)
{
    if (!c->qi_domain) {
        if (text_get(&c->qi_name)) {
            c->qi_domain = text_dup(c, &c->qi_name);
        } else {
            char fallback[RM_ID_MAX + 32];
            snprintf(fallback, sizeof fallback, "Quality item %s", c->qi_id);
            c->qi_domain = arena_dup(c, fallback);
        }
    }
    return c->qi_domain;
}

static char *group_domain(rm_ctx *c, const char *group_name)
{
    ww_buf b = WW_BUF_INIT;
    char *out = NULL;
    const char *item = item_domain(c);
    if (!item) return NULL;
    if (ww_buf__printf(&b, "%s " EM_DASH " %s", item, group_name) < 0)
        oom(c);
    else
        out = arena_dup(c, b.data);
    ww_buf__free(&b);
    return out;
}

static void start_group(rm_ctx *c, long line)
{
    const char *id = id_attr(c, A_ID, line, 0, NULL);
    c->in_qg = 1;
    copy_small(c->qg_id, sizeof c->qg_id, id);
    text_reset(&c->qg_name);
}

static void finish_group(rm_ctx *c)
{
    rm_group *g;
    c->in_qg = 0;
    if (!c->qg_id[0] || c->n_groups == RM_MAX_GROUPS) return;
    g = &c->groups[c->n_groups];
    g->id = arena_dup(c, c->qg_id);
    g->domain = group_domain(c, text_get(&c->qg_name) ? text_get(&c->qg_name) : c->qg_id);
    if (g->id && g->domain) c->n_groups++;
}

static void start_entry(rm_ctx *c, long line)
{
    const char *id = id_attr(c, A_STUDY_ID, line, 1, "each judgement names its study");
    c->in_qe = 1;
    c->qe_line = line;
    copy_small(c->qe_study, sizeof c->qe_study, id);
    copy_small(c->qe_group, sizeof c->qe_group, id_attr(c, A_GROUP_ID, line, 0, NULL));
    copy_small(c->qe_result, sizeof c->qe_result, attr(c, A_RESULT));
    text_reset(&c->qe_support);
}

/* RoB 1 in RevMan: the questions are framed so that "Yes" is adequate. */
static const char *judgement_of(const char *result)
{
    if (same(result, "YES")) return "low";
    if (same(result, "NO")) return "high";
    if (same(result, "UNKNOWN")) return "unclear";
    return NULL;
}

static void finish_entry(rm_ctx *c)
{
    const char *judgement = judgement_of(c->qe_result);
    char q[QUOTE_MAX + 4];
    const char *domain = NULL;
    rm_study *st;
    ww_rob_rec *r;
    long i;
    c->in_qe = 0;
    if (!c->qe_study[0]) return; /* reported at the start tag */
    if (!judgement) {
        WARN(c, c->qe_line, "RESULT",
             "'%s' is not YES, NO or UNKNOWN; this judgement is not imported",
             quote(q, sizeof q, c->qe_result));
        return;
    }
    if ((i = find_study(c, c->qe_study)) < 0) {
        WARN(c, c->qe_line, "STUDY_ID",
             "'%s' names no STUDY in STUDIES_AND_REFERENCES; this "
             "judgement is not imported",
             quote(q, sizeof q, c->qe_study));
        return;
    }
    st = &c->studies[i];
    if (c->qe_group[0]) {
        for (size_t g = 0; g < c->n_groups && !domain; g++)
            if (!strcmp(c->groups[g].id, c->qe_group)) domain = c->groups[g].domain;
        if (!domain) domain = group_domain(c, c->qe_group);
    } else {
        domain = item_domain(c);
    }
    if (!domain) return;
    if (st->n_rob == RM_MAX_ROB) {
        if (!st->rob_capped)
            WARN(c, c->qe_line, "QUALITY_ITEM_DATA_ENTRY",
                 "study %s has more than %d risk-of-bias "
                 "judgements; the rest are not imported",
                 st->id, RM_MAX_ROB);
        st->rob_capped = 1;
        return;
    }
    if (st->n_rob == st->alloc_rob) {
        size_t n = st->alloc_rob ? st->alloc_rob * 2 : 8;
        ww_rob_rec *grown = realloc(st->rob, n * sizeof *grown);
        if (!grown) {
            oom(c);
            return;
        }
        st->rob = grown;
        st->alloc_rob = n;
    }
    r = &st->rob[st->n_rob];
    ww_rob_rec_init(r);
    r->tool = "RoB1";
    r->domain = domain;
    r->judgement = judgement;
    r->support = text_dup(c, &c->qe_support);
    r->line = c->qe_line;
    if (c->rc == 0) st->n_rob++;
}

/* ---- comparisons and outcomes ---------------------------------------------------- */

static void start_comparison(rm_ctx *c, long line)
{
    c->in_cmp = 1;
    copy_small(c->cmp_id, sizeof c->cmp_id, id_attr(c, A_ID, line, 0, NULL));
    text_reset(&c->cmp_name);
    c->intervention_ready = 0;
}

/* Each comparison is an intervention: "REVIEW TITLE: COMPARISON NAME". */
static const char *intervention_name(rm_ctx *c)
{
    const char *title = text_get(&c->review_title), *name = text_get(&c->cmp_name);
    int error;
    if (c->intervention_ready) return c->intervention.data;
    c->intervention.size = 0;
    if (title && name)
        error = ww_buf__printf(&c->intervention, "%s: %s", title, name);
    else if (name)
        error = ww_buf__puts(&c->intervention, name);
    else if (title)
        error = ww_buf__printf(&c->intervention, "%s (comparison %s)", title, c->cmp_id);
    else
        error = ww_buf__printf(&c->intervention, "RevMan comparison %s", c->cmp_id);
    if (error < 0) {
        oom(c);
        return NULL;
    }
    c->intervention_ready = 1;
    return c->intervention.data;
}

/* RevMan's own results for an outcome or subgroup, as stored. A value RevMan
 * could not estimate is written as 0.0 with ESTIMABLE="NO": read as missing. */
static void pooled_attrs(rm_ctx *c, ww_revman_analysis *a, long line)
{
    struct {
        rm_attr at;
        double *dst;
    } fields[] = {
        {A_EFFECT_SIZE, &a->effect_size},
        {A_CI_START, &a->ci_start},
        {A_CI_END, &a->ci_end},
        {A_Z, &a->z},
        {A_P_Z, &a->p_z},
        {A_CHI2, &a->chi2},
        {A_DF, &a->df},
        {A_P_CHI2, &a->p_chi2},
        {A_I2, &a->i2},
        {A_TAU2, &a->tau2},
        {A_Q, &a->q},
        {A_P_Q, &a->p_q},
        {A_I2_Q, &a->i2_q},
    };
    int estimable = yes_no(c, A_ESTIMABLE) != 0;
    long studies;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        double v;
        *fields[i].dst = NAN;
        if (num_attr(c, fields[i].at, line, &v) == 1 && estimable) *fields[i].dst = v;
    }
    a->studies = count_attr(c, A_STUDIES, line, &studies) == 1 ? studies : -1;
    a->line = line;
}

static void start_outcome(rm_ctx *c, int type, long line)
{
    rm_outcome *o = &c->out;
    const char *ci = attr_given(c, A_CI_STUDY);
    double level;
    o->open = 1;
    o->type = type;
    o->line = line;
    copy_small(o->id, sizeof o->id, id_attr(c, A_ID, line, 0, NULL));
    copy_small(o->measure, sizeof o->measure, attr_given(c, A_EFFECT_MEASURE));
    copy_small(o->method, sizeof o->method, attr_given(c, A_METHOD));
    o->random = yes_no(c, A_RANDOM);
    o->swap = yes_no(c, A_SWAP_EVENTS) == 1;
    o->log_data = yes_no(c, A_LOG_DATA);
    o->ci_95 = !ci || (num_attr(c, A_CI_STUDY, line, &level) == 1 && level == 95);
    o->ci_total = 95;
    if (attr_given(c, A_CI_TOTAL) && num_attr(c, A_CI_TOTAL, line, &level) == 1)
        o->ci_total = level;
    o->n_prows = o->sub_first = 0;
    o->prows_capped = 0;
    text_reset(&o->name);
    text_reset(&o->label1);
    text_reset(&o->label2);
    text_reset(&o->graph1);
    text_reset(&o->graph2);
    memset(&o->a, 0, sizeof o->a);
    pooled_attrs(c, &o->a, line);
    o->rows = 0;
    o->prepared = o->skip = o->ratio = 0;
    o->higher_is_better = 0;
    o->metric = NULL;
    o->in_sub = 0;
    if (type == T_OTHER) {
        WARN(c, line, "OTHER_OUTCOME",
             "'other data' outcomes hold text, not numbers; not imported");
        o->skip = 1;
    }
}

/* The outcome's name (with "(non-events)" when RevMan swapped events) and
 * its domain, the name in lower case. */
static void outcome_names(rm_ctx *c)
{
    rm_outcome *o = &c->out;
    const char *name = text_get(&o->name);
    int error;
    o->display.size = 0;
    o->domain.size = 0;
    if (name)
        error = ww_buf__puts(&o->display, name);
    else
        error = ww_buf__printf(&o->display, "Outcome %s", o->id);
    if (error == 0 && o->swap) error = ww_buf__puts(&o->display, " (non-events)");
    if (error == 0) error = ww_buf__puts(&o->domain, name ? name : o->display.data);
    if (error < 0) {
        oom(c);
        return;
    }
    for (size_t i = 0; i < o->domain.size; i++)
        o->domain.data[i] = (char)tolower((unsigned char)o->domain.data[i]);
}

/* Lower-case s into dst (n bytes), trimmed; with strip, a leading
 * "Favours"/"Favors" and surrounding [brackets] are removed too. */
static void label_key(char *dst, size_t n, const char *s, int strip)
{
    size_t len = 0;
    const char *end;
    dst[0] = '\0';
    if (!s) return;
    while (is_space(*s)) s++;
    if (strip) {
        static const char *const prefixes[] = {"favours", "favors", "favour", "favor"};
        for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
            size_t m = strlen(prefixes[i]);
            if (!strncasecmp(s, prefixes[i], m) &&
                (s[m] == '\0' || is_space(s[m]) || s[m] == '[')) {
                s += m;
                break;
            }
        }
        while (is_space(*s)) s++;
    }
    end = s + strlen(s);
    while (end > s && is_space(end[-1])) end--;
    if (strip && end - s >= 2 && *s == '[' && end[-1] == ']') {
        s++;
        end--;
    }
    while (s < end && len + 1 < n) dst[len++] = (char)tolower((unsigned char)*s++);
    dst[len] = '\0';
}

static int in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list)) return 1;
    return 0;
}

static int starts_with(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

/* Which arm a forest-plot label favours: +1 the experimental arm (1), -1 the
 * control arm (2), 0 cannot tell. */
static int favours(const char *label, const char *arm1, const char *arm2)
{
    static const char *const experimental[] = {"experimental",
                                               "experiment",
                                               "intervention",
                                               "treatment",
                                               "experimental group",
                                               "intervention group",
                                               "treatment group",
                                               "experimental intervention",
                                               NULL};
    static const char *const control[] = {
        "control",    "controls",   "control group", "placebo",         "comparison",
        "comparator", "usual care", "no treatment",  "no intervention", "control intervention",
        NULL};
    char key[RM_NAME_CAP + 8], a1[RM_NAME_CAP + 8], a2[RM_NAME_CAP + 8];
    int m1, m2;
    label_key(key, sizeof key, label, 1);
    label_key(a1, sizeof a1, arm1, 0);
    label_key(a2, sizeof a2, arm2, 0);
    if (!key[0]) return 0;
    m1 = a1[0] && !strcmp(key, a1);
    m2 = a2[0] && !strcmp(key, a2);
    if (m1 != m2) return m1 ? 1 : -1;
    if (in_list(key, experimental)) return 1;
    if (in_list(key, control)) return -1;
    if (strlen(key) >= 3) {
        m1 = a1[0] && (starts_with(key, a1) || starts_with(a1, key));
        m2 = a2[0] && (starts_with(key, a2) || starts_with(a2, key));
        if (m1 != m2) return m1 ? 1 : -1;
    }
    return 0;
}

/* The direction rule (see the top of this file). */
static void settle_direction(rm_ctx *c)
{
    rm_outcome *o = &c->out;
    const char *arm1 = text_get(&o->label1), *arm2 = text_get(&o->label2);
    const char *left = text_get(&o->graph1), *right = text_get(&o->graph2);
    int l = favours(left, arm1, arm2), r = favours(right, arm1, arm2);
    int lower = l > 0 || r < 0, higher = l < 0 || r > 0;
    char q1[QUOTE_MAX + 4], q2[QUOTE_MAX + 4];
    if (lower && !higher) {
        o->higher_is_better = 0;
    } else if (higher && !lower) {
        o->higher_is_better = 1;
    } else {
        o->higher_is_better = 0;
        WARN(c, o->line, "GRAPH_LABEL_1",
             "cannot tell which arm '%s' and '%s' favour; assumed RevMan's default, where the "
             "left side favours the experimental arm, so lower values are taken as better",
             quote(q1, sizeof q1, left ? left : ""), quote(q2, sizeof q2, right ? right : ""));
    }
}

static void outcome_description(rm_ctx *c)
{
    rm_outcome *o = &c->out;
    const char *arm1 = text_get(&o->label1), *arm2 = text_get(&o->label2);
    const char *title = text_get(&c->review_title);
    int error = 0;
    o->description.size = 0;
    if (arm1 || arm2)
        error = ww_buf__printf(&o->description, "%s versus %s", arm1 ? arm1 : "experimental",
                               arm2 ? arm2 : "control");
    if (error == 0 && title)
        error = ww_buf__printf(&o->description, "%sfrom the Cochrane review \"%s\"",
                               o->description.size ? ", " : "From ", title);
    if (error == 0 && c->review_doi[0])
        error = ww_buf__printf(&o->description, " (doi:%s)", c->review_doi);
    if (error < 0) oom(c);
}

/* Settle what every row of the outcome shares: names, metric, direction. */
static void prepare_outcome(rm_ctx *c)
{
    rm_outcome *o = &c->out;
    const char *m = o->measure, *allowed = NULL;
    char q[QUOTE_MAX + 4];
    o->prepared = 1;
    outcome_names(c);
    outcome_description(c);
    if (!intervention_name(c) || o->skip) return;
    o->ratio = 0;
    o->metric = NULL;
    switch (o->type) {
    case T_DICH:
        o->kind = WW_OUTCOME_BINARY;
        allowed = "OR, PETO_OR, RR or RD";
        if (same(m, "OR") || same(m, "PETO_OR"))
            o->metric = "OR";
        else if (same(m, "RR"))
            o->metric = "RR";
        else if (same(m, "RD"))
            o->metric = "RD";
        break;
    case T_CONT:
        o->kind = WW_OUTCOME_CONTINUOUS;
        allowed = "MD or SMD";
        if (same(m, "MD"))
            o->metric = "MD";
        else if (same(m, "SMD"))
            o->metric = "SMD";
        break;
    case T_IV:
        o->kind = WW_OUTCOME_GENERIC;
        if (same(m, "OR") || same(m, "PETO_OR"))
            o->metric = "OR";
        else if (same(m, "RR"))
            o->metric = "RR";
        else if (same(m, "HR"))
            o->metric = "HR";
        else if (same(m, "RD"))
            o->metric = "RD";
        else if (same(m, "MD"))
            o->metric = "MD";
        else if (same(m, "SMD"))
            o->metric = "SMD";
        break;
    case T_IPD:
        o->kind = WW_OUTCOME_GENERIC;
        if (same(m, "OR") || same(m, "PETO_OR"))
            o->metric = "OR";
        else if (same(m, "HR"))
            o->metric = "HR";
        break;
    }
    if (!o->metric) {
        o->skip = 1;
        if (allowed && m[0])
            ERR(c, o->line, "EFFECT_MEASURE",
                "'%s' is not a measure RevMan 5 uses for %s data (%s)", quote(q, sizeof q, m),
                type_names[o->type], allowed);
        else if (allowed)
            ERR(c, o->line, "EFFECT_MEASURE", "missing: %s data need one of %s",
                type_names[o->type], allowed);
        else
            WARN(c, o->line, "EFFECT_MEASURE",
                 "'%s' has no known scale for %s data; the rows of this outcome are not imported",
                 quote(q, sizeof q, m), type_names[o->type]);
        return;
    }
    o->ratio = !strcmp(o->metric, "OR") || !strcmp(o->metric, "RR") || !strcmp(o->metric, "HR");
    if (o->type == T_IV && o->ratio && o->log_data < 0)
        WARN(c, o->line, "LOG_DATA",
             "not given; EFFECT_SIZE is taken to be on the log scale, "
             "as RevMan enters ratio measures");
    settle_direction(c);
}

static void start_subgroup(rm_ctx *c, long line)
{
    rm_outcome *o = &c->out;
    if (!o->prepared) prepare_outcome(c);
    o->in_sub = 1;
    copy_small(o->sub_id, sizeof o->sub_id, id_attr(c, A_ID, line, 0, NULL));
    text_reset(&o->sub_name);
    memset(&o->sa, 0, sizeof o->sa);
    pooled_attrs(c, &o->sa, line);
    o->sub_rows = 0;
    o->sub_prepared = 0;
    o->sub_first = o->n_prows;
}

/* "OUTCOME NAME — SUBGROUP NAME". */
static void subgroup_names(rm_ctx *c)
{
    rm_outcome *o = &c->out;
    const char *name = text_get(&o->sub_name);
    int error;
    o->sub_prepared = 1;
    o->sub_display.size = 0;
    if (name)
        error = ww_buf__printf(&o->sub_display, "%s " EM_DASH " %s", o->display.data, name);
    else
        error = ww_buf__printf(&o->sub_display, "%s " EM_DASH " subgroup %s", o->display.data,
                               o->sub_id);
    if (error < 0) oom(c);
}

static void analysis_fill(rm_ctx *c, ww_revman_analysis *a, const char *name, const char *sub_id,
                          long rows)
{
    rm_outcome *o = &c->out;
    a->comparison_id = c->cmp_id;
    a->outcome_id = o->id;
    a->subgroup_id = sub_id;
    a->name = name;
    a->data_type = type_names[o->type];
    a->effect_measure = o->measure[0] ? o->measure : NULL;
    a->method = o->method[0] ? o->method : "IV";
    a->random = o->random;
    a->rows = rows;
}

/* ---- RevMan's pooled results, recomputed ----------------------------------------------
 *
 * RevMan 5 stores its own pooled result on each outcome and subgroup
 * (EFFECT_SIZE, CI_START, CI_END, TAU2, I2, CHI2, Z). When one closes, the
 * rows RevMan pooled are pooled again by RevMan's method (evidence/meta.h,
 * "RevMan 5's methods": ww_meta_revman_pool_tables(), ww_meta_revman_pool());
 * both go to the sink's `pooled` callback, a difference beyond RM_POOL_TOL
 * relative is one warning for the analysis, and a summary warning ends the
 * file. Records are not touched. Rows marked ESTIMABLE="NO", and rows this
 * importer skips (no data entered, an SD of 0), are not pooled; RevMan
 * stores |z|, and its CI is at CI_TOTAL percent (90, 95 or 99).
 */

#define RM_POOL_TOL 1e-6
/* Rows of one outcome kept for the check; an outcome with more is not checked. */
#define RM_POOL_MAX_ROWS 100000

enum { POOL_MH, POOL_PETO, POOL_IV };
static const char *const pool_names[] = {"MH", "PETO", "IV"};

/* Ours, on the natural scale for ratios. */
typedef struct rm_ours {
    long k;
    int scheme;
    double estimate, ci_low, ci_high, tau2, i2, q, z;
} rm_ours;

/* Nothing is compared once the file is known to be rejected. */
static int can_compare(const rm_ctx *c)
{
    return c->rc == 0 && !c->stop && !c->truncated && c->errors == 0;
}

/* Keep a row that RevMan pooled (ESTIMABLE is not "NO"). */
static void pool_row(rm_ctx *c, const ww_outcome_rec *r)
{
    rm_outcome *o = &c->out;
    rm_prow *p;
    if (o->prows_capped) return;
    if (o->n_prows == RM_POOL_MAX_ROWS) {
        o->prows_capped = 1;
        return;
    }
    if (o->n_prows == o->alloc_prows) {
        size_t n = o->alloc_prows ? o->alloc_prows * 2 : 64;
        rm_prow *grown = realloc(o->prows, n * sizeof *grown);
        if (!grown) {
            oom(c);
            return;
        }
        o->prows = grown;
        o->alloc_prows = n;
    }
    p = &o->prows[o->n_prows++];
    memset(p, 0, sizeof *p);
    switch (o->type) {
    case T_DICH:
        p->v[0] = (double)r->events_treatment;
        p->v[1] = (double)r->total_treatment;
        p->v[2] = (double)r->events_control;
        p->v[3] = (double)r->total_control;
        break;
    case T_CONT:
        p->v[0] = r->mean_treatment;
        p->v[1] = r->sd_treatment;
        p->v[2] = (double)r->n_treatment;
        p->v[3] = r->mean_control;
        p->v[4] = r->sd_control;
        p->v[5] = (double)r->n_control;
        break;
    default:
        p->v[0] = r->generic_yi;
        p->v[1] = r->generic_se;
        break;
    }
}

/* The normal quantile for a two-sided CI at RevMan's levels; NAN for others. */
static double ci_crit(double level_pct)
{
    if (level_pct == 90 || level_pct == 95 || level_pct == 99)
        return ww_meta_normal_crit(level_pct);
    return NAN;
}

/* Which method pools the open outcome: 0, or 1 with why set. */
static int pool_scheme(const rm_outcome *o, int *scheme, ww_meta_measure *measure, char *why,
                       size_t why_n)
{
    char q[QUOTE_MAX + 4];
    *scheme = POOL_IV;
    *measure = WW_META_GEN;
    if (!o->prepared || o->skip || !o->metric) {
        snprintf(why, why_n, "the rows of this outcome were not imported");
        return 1;
    }
    if (o->type != T_DICH) return 0;
    *measure = !strcmp(o->metric, "OR")   ? WW_META_OR
               : !strcmp(o->metric, "RR") ? WW_META_RR
                                          : WW_META_RD;
    if (same(o->method, "PETO") || same(o->measure, "PETO_OR"))
        *scheme = POOL_PETO;
    else if (same(o->method, "MH"))
        *scheme = POOL_MH;
    else if (o->method[0] && !same(o->method, "IV")) {
        snprintf(why, why_n, "METHOD '%s' is not one RevMan 5 pools dichotomous data with",
                 quote(q, sizeof q, o->method));
        return 1;
    }
    if (*scheme == POOL_PETO && *measure != WW_META_OR) {
        snprintf(why, why_n, "Peto's method pools odds ratios only");
        return 1;
    }
    return 0;
}

/* Pool rows[0..n) as RevMan did for the open outcome. Returns 0 with *out
 * filled, 1 when ours cannot be computed (why says why), or a negative
 * ww_error (out of memory). */
static int pool_ours(rm_ctx *c, const rm_prow *rows, size_t n, rm_ours *out, char *why,
                     size_t why_n)
{
    const rm_outcome *o = &c->out;
    ww_meta_measure measure;
    ww_meta_revman_result res;
    ww_meta_table *t = NULL;
    double *y = NULL, *v = NULL, crit;
    int scheme, random = o->random == 1, ratio, error = 0, result = 1;

    if (pool_scheme(o, &scheme, &measure, why, why_n)) return 1;
    ratio = o->type == T_DICH ? measure != WW_META_RD : o->type == T_CONT ? 0 : o->ratio;
    if (n == 0) {
        snprintf(why, why_n, "none of its rows has an effect RevMan could estimate");
        return 1;
    }
    if (o->type == T_DICH) {
        static const ww_meta_revman_method methods[] = {WW_META_REVMAN_MH, WW_META_REVMAN_PETO,
                                                        WW_META_REVMAN_IV};
        if (!(t = malloc(n * sizeof *t))) {
            error = ww__error_oom();
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            const double *r = rows[i].v;
            ww_meta_table tab = {r[0], r[1] - r[0], r[2], r[3] - r[2]};
            t[i] = tab;
        }
        error = ww_meta_revman_pool_tables(&res, t, n, measure, methods[scheme], random);
    } else {
        y = malloc(n * sizeof *y);
        v = malloc(n * sizeof *v);
        if (!y || !v) {
            error = ww__error_oom();
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            const double *r = rows[i].v;
            if (o->type == T_CONT) {
                ww_effect e;
                ww_meta_revman_continuous(&e, !strcmp(o->metric, "SMD"), r[0], r[1], r[2], r[3],
                                          r[4], r[5]);
                y[i] = e.yi;
                v[i] = e.vi;
            } else {
                y[i] = r[0];
                v[i] = r[1] * r[1];
            }
        }
        error = ww_meta_revman_pool(&res, y, v, n, random);
    }
    if (error == WW_ENOMEM) goto done;
    if (error < 0) {
        snprintf(why, why_n, "%s", ww_error_last());
        error = 0;
        goto done;
    }
    crit = ci_crit(o->ci_total);
    out->k = (long)res.k;
    out->scheme = scheme;
    out->estimate = ratio ? exp(res.estimate) : res.estimate;
    out->ci_low = ratio ? exp(res.estimate - crit * res.se) : res.estimate - crit * res.se;
    out->ci_high = ratio ? exp(res.estimate + crit * res.se) : res.estimate + crit * res.se;
    out->tau2 = res.tau2;
    out->q = res.q;
    out->i2 = res.i2;
    out->z = res.z;
    result = 0;
done:
    free(v);
    free(y);
    free(t);
    return error < 0 ? error : result;
}

/* x as "1.1e-4": one decimal, the exponent without sign padding or zeros. */
static const char *sci(char *buf, size_t n, double x)
{
    char mant[16];
    int exp10 = 0;
    if (!isfinite(x) || x == 0) {
        snprintf(buf, n, "%g", x);
        return buf;
    }
    snprintf(mant, sizeof mant, "%.1e", x);
    if (strchr(mant, 'e')) {
        long e;
        if (ww__parse_long(&e, strchr(mant, 'e') + 1) == 0) exp10 = (int)e;
        *strchr(mant, 'e') = '\0';
    }
    snprintf(buf, n, "%se%d", mant, exp10);
    return buf;
}

/* Compare RevMan's results for analysis a with ours from its rows. */
static void check_pooled(rm_ctx *c, const ww_revman_analysis *a, const rm_prow *rows, size_t n)
{
    rm_outcome *o = &c->out;
    static const char *const figure[] = {NULL, "CI_START", "CI_END", "TAU2", "I2", "CHI2", "Z"};
    const char *id = a->subgroup_id ? a->subgroup_id : a->outcome_id;
    const char *metric = a->effect_measure ? a->effect_measure : o->metric ? o->metric : "effect";
    char why[512] = "", rel[48], label[64], fallback[32];
    const char *field = id && id[0] ? id : fallback;
    double reported[7], ours[7], worst = NAN;
    int rc, worst_i = 0;
    rm_ours us;
    ww_pooled_check chk;

    snprintf(fallback, sizeof fallback, "%s_%s", type_names[o->type],
             a->subgroup_id ? "SUBGROUP" : "OUTCOME");
    if (!can_compare(c)) return;
    if (!isfinite(a->effect_size)) {
        c->pooled_skipped++;
        return;
    }
    if (o->prows_capped) {
        WARN(c, a->line, field,
             "more than %d data rows in this outcome; RevMan's pooled results are not checked",
             RM_POOL_MAX_ROWS);
        c->pooled_too_large++;
        return;
    }
    memset(&us, 0, sizeof us);
    if ((rc = pool_ours(c, rows, n, &us, why, sizeof why)) < 0) {
        c->rc = rc;
        return;
    }
    reported[0] = a->effect_size;
    reported[1] = a->ci_start;
    reported[2] = a->ci_end;
    reported[3] = a->tau2;
    reported[4] = a->i2;
    reported[5] = a->chi2;
    reported[6] = a->z;
    ours[0] = rc ? NAN : us.estimate;
    ours[1] = rc ? NAN : us.ci_low;
    ours[2] = rc ? NAN : us.ci_high;
    ours[3] = rc ? NAN : us.tau2;
    ours[4] = rc ? NAN : us.i2;
    ours[5] = rc ? NAN : us.q;
    ours[6] = rc ? NAN : us.z;
    /* Relative to max(|RevMan's|, 1e-12); I^2 in percent, relative above 1%
     * and absolute (percentage points) below, where it is near 0. A CI at a
     * level other than 90, 95 or 99% is not compared. */
    for (int i = 0; i < 7 && rc == 0; i++) {
        double d;
        if (!isfinite(reported[i]) || ((i == 1 || i == 2) && isnan(ci_crit(o->ci_total))))
            continue;
        d = isfinite(ours[i])
                ? fabs(ours[i] - reported[i]) / fmax(fabs(reported[i]), i == 4 ? 1 : 1e-12)
                : INFINITY;
        if (isnan(worst) || d > worst) {
            worst = d;
            worst_i = i;
        }
    }

    memset(&chk, 0, sizeof chk);
    chk.analysis_id = id;
    chk.name = a->name;
    chk.metric = metric;
    chk.method = a->method;
    chk.random = a->random;
    chk.k = rc ? 0 : us.k;
    chk.reported_estimate = reported[0];
    chk.reported_ci_low = reported[1];
    chk.reported_ci_high = reported[2];
    chk.reported_tau2 = reported[3];
    chk.reported_i2 = reported[4];
    chk.reported_q = reported[5];
    chk.reported_z = reported[6];
    chk.estimate = ours[0];
    chk.ci_low = ours[1];
    chk.ci_high = ours[2];
    chk.tau2 = ours[3];
    chk.i2 = ours[4];
    chk.q = ours[5];
    chk.z = ours[6];
    chk.max_rel_diff = worst;
    chk.line = a->line;

    snprintf(label, sizeof label, "method %s %s", rc ? a->method : pool_names[us.scheme],
             o->random == 1 ? "random" : "fixed");
    if (rc) {
        c->pooled_differ++;
        WARN(c, a->line, field, "RevMan's pooled %s %.4g; ours could not be computed: %s (%s)",
             metric, reported[0], why, label);
    } else if (!(worst <= RM_POOL_TOL)) {
        /* enough digits to show the difference, at least 4 */
        int digits = isfinite(worst) && worst > 0 ? (int)ceil(-log10(worst)) + 2 : 4;
        char name[48];
        if (digits < 4) digits = 4;
        if (digits > 17) digits = 17;
        if (worst_i == 0)
            snprintf(name, sizeof name, "pooled %s", metric);
        else
            snprintf(name, sizeof name, "%s", figure[worst_i]);
        c->pooled_differ++;
        WARN(c, a->line, field, "RevMan's %s %.*g vs ours %.*g (relative difference %s; %s)",
             name, digits, reported[worst_i], digits, ours[worst_i], sci(rel, sizeof rel, worst),
             label);
    } else {
        c->pooled_agree++;
    }
    if (c->rc == 0 && c->sink && c->sink->pooled &&
        (rc = c->sink->pooled(c->sink->ctx, &chk)) < 0) {
        c->rc = rc;
        c->stop = 1;
    }
}

static void finish_subgroup(rm_ctx *c)
{
    rm_outcome *o = &c->out;
    if (!o->prepared) prepare_outcome(c);
    if (!o->sub_prepared) subgroup_names(c);
    o->in_sub = 0;
    analysis_fill(c, &o->sa, o->sub_display.data, o->sub_id, o->sub_rows);
    check_pooled(c, &o->sa, o->prows + o->sub_first, o->n_prows - o->sub_first);
    if (c->analysis_cb && c->rc == 0) c->analysis_cb(c->analysis_ctx, &o->sa);
}

static void finish_outcome(rm_ctx *c)
{
    rm_outcome *o = &c->out;
    if (!o->prepared) outcome_names(c);
    o->open = 0;
    analysis_fill(c, &o->a, o->display.data, NULL, o->rows);
    check_pooled(c, &o->a, o->prows, o->n_prows);
    if (c->analysis_cb && c->rc == 0) c->analysis_cb(c->analysis_ctx, &o->a);
}

/* ---- data rows -------------------------------------------------------------------- */

enum { ROW_BAD = -1, ROW_EMPTY = 0, ROW_OK = 1, ROW_SKIPPED = 2 };

/* RevMan's estimate and CI for the row, natural scale for ratios. */
static int reported_values(rm_ctx *c, long line, ww_outcome_rec *o)
{
    double es, lo, hi;
    int got_es = num_attr(c, A_EFFECT_SIZE, line, &es);
    int got_lo = num_attr(c, A_CI_START, line, &lo);
    int got_hi = num_attr(c, A_CI_END, line, &hi);
    if (got_es < 0 || got_lo < 0 || got_hi < 0) return ROW_BAD;
    if (yes_no(c, A_ESTIMABLE) == 0) return ROW_OK;
    if (got_es) o->reported_estimate = es;
    if (got_lo && c->out.ci_95) o->reported_ci_low = lo;
    if (got_hi && c->out.ci_95) o->reported_ci_high = hi;
    return ROW_OK;
}

static int dich_row(rm_ctx *c, long line, ww_outcome_rec *o)
{
    static const rm_attr at[4] = {A_EVENTS_1, A_TOTAL_1, A_EVENTS_2, A_TOTAL_2};
    long v[4] = {-1, -1, -1, -1};
    int got[4], present = 0, zeros = 0, bad = 0;
    size_t before = c->errors;
    for (int i = 0; i < 4; i++) {
        got[i] = count_attr(c, at[i], line, &v[i]);
        if (got[i] < 0)
            bad = 1;
        else if (got[i])
            present++, zeros += v[i] == 0;
    }
    if (bad) return ROW_BAD;
    if (present == 0 || zeros == 4) return ROW_EMPTY;
    if (present < 4) {
        for (int i = 0; i < 4; i++)
            if (!got[i])
                ERR(c, line, attr_names[at[i]],
                    "missing: a dichotomous row needs EVENTS_1, TOTAL_1, EVENTS_2 and TOTAL_2");
        return ROW_BAD;
    }
    if (v[1] == 0) ERR(c, line, "TOTAL_1", "must be > 0: the experimental arm has no participants");
    if (v[3] == 0) ERR(c, line, "TOTAL_2", "must be > 0: the control arm has no participants");
    if (v[0] > v[1])
        ERR(c, line, "EVENTS_1", "%ld events is more than the %ld participants of TOTAL_1", v[0],
            v[1]);
    if (v[2] > v[3])
        ERR(c, line, "EVENTS_2", "%ld events is more than the %ld participants of TOTAL_2", v[2],
            v[3]);
    if (c->errors != before) return ROW_BAD;
    if (c->out.swap) {
        v[0] = v[1] - v[0];
        v[2] = v[3] - v[2];
    }
    o->events_treatment = v[0];
    o->total_treatment = v[1];
    o->events_control = v[2];
    o->total_control = v[3];
    return reported_values(c, line, o);
}

static int cont_row(rm_ctx *c, long line, ww_outcome_rec *o)
{
    static const rm_attr at[6] = {A_MEAN_1, A_SD_1, A_TOTAL_1, A_MEAN_2, A_SD_2, A_TOTAL_2};
    double v[6];
    long n1 = -1, n2 = -1;
    int got[6], present = 0, bad = 0;
    size_t before = c->errors;
    for (int i = 0; i < 6; i++) {
        v[i] = NAN;
        if (at[i] == A_TOTAL_1 || at[i] == A_TOTAL_2) {
            got[i] = count_attr(c, at[i], line, at[i] == A_TOTAL_1 ? &n1 : &n2);
            if (got[i] > 0) v[i] = (double)(at[i] == A_TOTAL_1 ? n1 : n2);
        } else {
            got[i] = num_attr(c, at[i], line, &v[i]);
        }
        if (got[i] < 0)
            bad = 1;
        else
            present += got[i];
    }
    if (bad) return ROW_BAD;
    /* RevMan writes zero means and SDs for data not entered (R meta's
     * read.rm5 reads them as missing too). */
    if (present == 0 ||
        (got[0] && got[1] && got[3] && got[4] && v[0] == 0 && v[1] == 0 && v[3] == 0 && v[4] == 0))
        return ROW_EMPTY;
    if (present < 6) {
        for (int i = 0; i < 6; i++)
            if (!got[i])
                ERR(c, line, attr_names[at[i]],
                    "missing: a continuous row needs MEAN, SD and TOTAL for both arms");
        return ROW_BAD;
    }
    if (v[1] < 0) ERR(c, line, "SD_1", "must not be negative, got %s", attr(c, A_SD_1));
    if (v[4] < 0) ERR(c, line, "SD_2", "must not be negative, got %s", attr(c, A_SD_2));
    if (n1 == 0) ERR(c, line, "TOTAL_1", "must be > 0: the experimental arm has no participants");
    if (n2 == 0) ERR(c, line, "TOTAL_2", "must be > 0: the control arm has no participants");
    if (c->errors != before) return ROW_BAD;
    if (v[1] == 0 || v[4] == 0 || n1 < 2 || n2 < 2) {
        WARN(c, line,
             v[1] == 0   ? "SD_1"
             : v[4] == 0 ? "SD_2"
             : n1 < 2    ? "TOTAL_1"
                         : "TOTAL_2",
             "an effect needs an SD > 0 and at least 2 participants in each arm; row not imported");
        return ROW_SKIPPED;
    }
    o->mean_treatment = v[0];
    o->sd_treatment = v[1];
    o->n_treatment = n1;
    o->mean_control = v[3];
    o->sd_control = v[4];
    o->n_control = n2;
    return reported_values(c, line, o);
}

/* 1 when got and want agree to 1% (a CI written to a few digits). */
static int near(double got, double want)
{
    return isfinite(got) && isfinite(want) && fabs(got - want) <= 0.01 * fabs(want);
}

static int iv_row(rm_ctx *c, long line, ww_outcome_rec *o)
{
    rm_outcome *out = &c->out;
    double es, se, lo, hi, yi;
    int got_es = num_attr(c, A_EFFECT_SIZE, line, &es), got_se = num_attr(c, A_SE, line, &se);
    int got_lo = num_attr(c, A_CI_START, line, &lo), got_hi = num_attr(c, A_CI_END, line, &hi);
    if (got_es < 0 || got_se < 0 || got_lo < 0 || got_hi < 0) return ROW_BAD;
    if ((!got_es && !got_se) || (got_es && got_se && es == 0 && se == 0)) return ROW_EMPTY;
    if (!got_es || !got_se) {
        ERR(c, line, got_es ? "SE" : "EFFECT_SIZE",
            "missing: a generic inverse-variance row needs EFFECT_SIZE and SE");
        return ROW_BAD;
    }
    if (se <= 0) {
        ERR(c, line, "SE",
            se < 0 ? "must not be negative, got %s"
                   : "must be > 0 (an estimate with no uncertainty cannot be "
                     "weighted), got %s",
            attr(c, A_SE));
        return ROW_BAD;
    }
    if (out->ratio && out->log_data == 0) {
        if (es <= 0) {
            ERR(c, line, "EFFECT_SIZE",
                "a ratio on its natural scale (LOG_DATA=\"NO\") must be "
                "> 0, got %s",
                attr(c, A_EFFECT_SIZE));
            return ROW_BAD;
        }
        yi = log(es);
    } else {
        yi = es;
    }
    o->generic_yi = yi;
    o->generic_se = se;
    if (yes_no(c, A_ESTIMABLE) == 0) return ROW_OK;
    if (!out->ratio) {
        o->reported_estimate = es;
        if (got_lo && out->ci_95) o->reported_ci_low = lo;
        if (got_hi && out->ci_95) o->reported_ci_high = hi;
        return ROW_OK;
    }
    /* Which scale RevMan wrote the CI on is not documented: keep it only
     * when it matches yi -/+ 1.96 se on exactly one of the two scales. */
    o->reported_estimate = exp(yi);
    if (got_lo && got_hi && out->ci_95) {
        double want_lo = exp(yi - 1.959963984540054 * se),
               want_hi = exp(yi + 1.959963984540054 * se);
        int natural = near(lo, want_lo) && near(hi, want_hi);
        int logged = near(exp(lo), want_lo) && near(exp(hi), want_hi);
        if (natural && !logged) {
            o->reported_ci_low = lo;
            o->reported_ci_high = hi;
        } else if (logged && !natural) {
            o->reported_ci_low = exp(lo);
            o->reported_ci_high = exp(hi);
        }
    }
    return ROW_OK;
}

static int ipd_row(rm_ctx *c, long line, ww_outcome_rec *o)
{
    double oe, var;
    int got_oe = num_attr(c, A_O_E, line, &oe), got_var = num_attr(c, A_VAR, line, &var);
    if (got_oe < 0 || got_var < 0) return ROW_BAD;
    if ((!got_oe && !got_var) || (got_oe && got_var && oe == 0 && var == 0)) return ROW_EMPTY;
    if (!got_oe || !got_var) {
        ERR(c, line, got_oe ? "VAR" : "O_E", "missing: an O-E and variance row needs O_E and VAR");
        return ROW_BAD;
    }
    if (var <= 0) {
        ERR(c, line, "VAR", var < 0 ? "must not be negative, got %s" : "must be > 0, got %s",
            attr(c, A_VAR));
        return ROW_BAD;
    }
    /* Peto's one-step estimate: log ratio (O-E)/V with variance 1/V. */
    o->generic_yi = oe / var;
    o->generic_se = 1 / sqrt(var);
    return reported_values(c, line, o);
}

/* Flag a row whose RevMan effect differs from what its numbers give. */
static void cross_check(rm_ctx *c, long line, const ww_outcome_rec *o)
{
    ww_effect e;
    double ours, theirs = o->reported_estimate;
    int error;
    if (!isfinite(theirs)) return;
    if (o->kind == WW_OUTCOME_BINARY && !same(c->out.measure, "PETO_OR")) {
        double a = (double)o->events_treatment,
               b = (double)(o->total_treatment - o->events_treatment);
        double cc = (double)o->events_control, d = (double)(o->total_control - o->events_control);
        /* RevMan adds 0.5 to the cells only where a zero stops the
         * computation (never for RD; for RR only a zero event count), while
         * effect.h, as metafor, adds it whenever a cell is zero. */
        if (!strcmp(o->metric, "OR"))
            error = ww_effect_log_or(&e, a, b, cc, d);
        else if (!strcmp(o->metric, "RR") && !(b * d == 0 && a * cc > 0))
            error = ww_effect_log_rr(&e, a, b, cc, d);
        else if (!strcmp(o->metric, "RD") && a * b * cc * d > 0)
            error = ww_effect_rd(&e, a, b, cc, d);
        else
            return;
        if (error < 0) return;
        ours = strcmp(o->metric, "RD") ? exp(e.yi) : e.yi;
    } else if (o->kind == WW_OUTCOME_CONTINUOUS && !strcmp(o->metric, "MD")) {
        if (ww_effect_md(&e, o->mean_treatment, o->sd_treatment, (double)o->n_treatment,
                         o->mean_control, o->sd_control, (double)o->n_control) < 0)
            return;
        ours = e.yi;
    } else {
        return;
    }
    if (fabs(ours - theirs) > RM_CHECK_TOL * fmax(1, fabs(theirs)))
        WARN(c, line, "EFFECT_SIZE", "RevMan gives %.10g for this row, but its numbers give %.10g",
             theirs, ours);
}

static int can_emit(const rm_ctx *c)
{
    return c->rc == 0 && !c->stop && !c->truncated && c->errors == 0 && c->sink && c->sink->record;
}

static void data_row(rm_ctx *c, rm_elem e, rm_elem parent, long line)
{
    rm_outcome *o = &c->out;
    int type = data_type(e), result;
    const char *id;
    char q[QUOTE_MAX + 4], where[4 * RM_ID_MAX + 128];
    long i;
    size_t errors_before;
    rm_study *st;
    ww_outcome_rec rec_o;
    ww_record rec;

    if (!o->open || (outcome_type(parent) < 0 && subgroup_type(parent) < 0)) {
        ERR(c, line, elem_names[e], "a data row outside any outcome");
        return;
    }
    if (!o->prepared) prepare_outcome(c);
    if (o->in_sub && !o->sub_prepared) subgroup_names(c);
    o->rows++;
    if (o->in_sub) o->sub_rows++;
    c->rows_seen++;
    if (type != o->type) {
        ERR(c, line, elem_names[e], "a %s row inside %s_OUTCOME %s", type_names[type],
            type_names[o->type], o->id);
        return;
    }
    if (o->skip || c->rc < 0) return;
    if (!(id = id_attr(c, A_STUDY_ID, line, 1, "every data row names its study (STUDY/@ID)")))
        return;
    if ((i = find_study(c, id)) < 0) {
        ERR(c, line, "STUDY_ID", "'%s' names no STUDY in STUDIES_AND_REFERENCES",
            quote(q, sizeof q, id));
        return;
    }
    st = &c->studies[i];

    ww_outcome_rec_init(&rec_o);
    rec_o.name = o->in_sub ? o->sub_display.data : o->display.data;
    rec_o.domain = o->domain.data;
    rec_o.higher_is_better = o->higher_is_better;
    rec_o.kind = o->kind;
    rec_o.metric = o->metric;
    rec_o.reported_metric = o->metric;
    rec_o.line = line;
    errors_before = c->errors;
    switch (type) {
    case T_DICH: result = dich_row(c, line, &rec_o); break;
    case T_CONT: result = cont_row(c, line, &rec_o); break;
    case T_IV: result = iv_row(c, line, &rec_o); break;
    default: result = ipd_row(c, line, &rec_o); break;
    }
    if (result == ROW_EMPTY)
        WARN(c, line, elem_names[e],
             "no data entered for study %s (values empty or zero); row "
             "not imported",
             st->id);
    if (result != ROW_OK || c->errors != errors_before) return;
    cross_check(c, line, &rec_o);
    if (yes_no(c, A_ESTIMABLE) != 0) pool_row(c, &rec_o);

    if (o->in_sub)
        snprintf(where, sizeof where,
                 "line %ld: COMPARISON[%s]/%s_OUTCOME[%s]/%s_SUBGROUP[%s]/%s[%s]", line, c->cmp_id,
                 type_names[o->type], o->id, type_names[o->type], o->sub_id, elem_names[e], id);
    else
        snprintf(where, sizeof where, "line %ld: COMPARISON[%s]/%s_OUTCOME[%s]/%s[%s]", line,
                 c->cmp_id, type_names[o->type], o->id, elem_names[e], id);
    rec_o.where = where;

    if (!st->notes) {
        ww_buf b = WW_BUF_INIT;
        if (notes_header(st, &b) < 0)
            oom(c);
        else
            st->notes = arena_dup(c, b.data);
        ww_buf__free(&b);
    }
    if (!can_emit(c)) return;

    ww_record_init(&rec);
    rec.study_key = st->id;
    rec.title = st->title ? st->title : st->name;
    rec.authors = st->authors;
    rec.year = st->ref_year >= 0 ? st->ref_year : st->year_attr;
    rec.doi = st->doi;
    rec.notes = st->notes;
    rec.intervention_name = c->intervention.data;
    rec.intervention_description = o->description.size ? o->description.data : NULL;
    rec.comparison = text_get(&o->label2);
    rec.design = study_design(c, st, &rec.design_basis);
    rec.rob = st->rob;
    rec.n_rob = st->n_rob;
    rec.outcomes = &rec_o;
    rec.n_outcomes = 1;
    rec.where = st->where;
    rec.line = st->line;
    if ((result = c->sink->record(c->sink->ctx, &rec)) < 0) {
        c->rc = result;
        c->stop = 1;
    }
}

/* ---- the review's text ------------------------------------------------------------- */

static void start_section(rm_ctx *c, const char *local)
{
    static const char *const labels[][2] = {
        {"SUMMARY", "Plain language summary"},
        {"ABSTRACT", "Abstract"},
        {"BACKGROUND", "Background"},
        {"OBJECTIVES", "Objectives"},
        {"METHODS", "Methods"},
        {"RESULTS", "Results"},
        {"DISCUSSION", "Discussion"},
        {"CONCLUSIONS", "Authors' conclusions"},
    };
    const char *label = local;
    if (!c->sink || !c->sink->text) return;
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (!strcmp(local, labels[i][0])) label = labels[i][1];
    copy_small(c->section_label, sizeof c->section_label, label);
    text_reset(&c->section);
    c->col = &c->section;
    c->col_depth = c->depth - 1;
    c->col_section = 1;
}

static void emit_section(rm_ctx *c)
{
    const char *body = text_get(&c->section), *title = text_get(&c->review_title);
    ww_buf t = WW_BUF_INIT;
    int error;
    if (!body || c->rc < 0 || c->stop || c->truncated || c->errors) return;
    if (title)
        error = ww_buf__printf(&t, "%s " EM_DASH " %s", title, c->section_label);
    else
        error = ww_buf__puts(&t, c->section_label);
    if (error < 0)
        oom(c);
    else if ((error = c->sink->text(c->sink->ctx, t.data, body)) < 0) {
        c->rc = error;
        c->stop = 1;
    }
    ww_buf__free(&t);
}

/* ---- walking the document ---------------------------------------------------------- */

static void collect(rm_ctx *c, rm_text *t)
{
    text_reset(t);
    c->col = t;
    c->col_depth = c->depth - 1;
    c->col_section = 0;
}

static int is_study_list(rm_elem e)
{
    return e == E_INCLUDED_STUDIES || e == E_EXCLUDED_STUDIES || e == E_AWAITING_STUDIES ||
           e == E_ONGOING_STUDIES;
}

static void handle_start(rm_ctx *c, xmlTextReaderPtr r, rm_elem e, rm_elem parent, rm_elem grand,
                         const char *local, long line)
{
    switch (e) {
    case E_COCHRANE_REVIEW:
        if (c->depth == 1) {
            read_attrs(c, r);
            copy_small(c->review_doi, sizeof c->review_doi, id_attr(c, A_DOI, line, 0, NULL));
        }
        break;
    case E_TITLE:
        if (parent == E_COVER_SHEET && grand == E_COCHRANE_REVIEW) collect(c, &c->review_title);
        break;
    case E_SUMMARY:
    case E_ABSTRACT:
        if (parent == E_MAIN_TEXT) start_section(c, local);
        break;
    case E_STUDY:
        if (is_study_list(parent) && grand == E_STUDIES) {
            read_attrs(c, r);
            start_study(c, line, parent == E_INCLUDED_STUDIES);
        }
        break;
    case E_REFERENCE:
        if (parent == E_STUDY && c->cur_study >= 0) {
            read_attrs(c, r);
            start_reference(c);
        }
        break;
    case E_AU:
    case E_TI:
    case E_SO:
    case E_YR:
        if (parent == E_REFERENCE && c->in_ref)
            collect(c, e == E_AU   ? &c->ref_au
                       : e == E_TI ? &c->ref_ti
                       : e == E_SO ? &c->ref_so
                                   : &c->ref_yr);
        break;
    case E_IDENTIFIER:
        if (parent == E_IDENTIFIERS && grand == E_REFERENCE && c->in_ref) {
            read_attrs(c, r);
            if (same(attr(c, A_TYPE), "DOI"))
                copy_small(c->ref_doi, sizeof c->ref_doi, id_attr(c, A_VALUE, line, 0, NULL));
        }
        break;
    case E_INCLUDED_CHAR:
        read_attrs(c, r);
        start_char(c, line);
        break;
    case E_CHAR_METHODS:
    case E_CHAR_PARTICIPANTS:
    case E_CHAR_INTERVENTIONS:
    case E_CHAR_OUTCOMES:
    case E_CHAR_NOTES:
        if (parent == E_INCLUDED_CHAR && c->char_study >= 0)
            collect(c, &c->chars[e == E_CHAR_METHODS         ? CH_METHODS
                                 : e == E_CHAR_PARTICIPANTS  ? CH_PARTICIPANTS
                                 : e == E_CHAR_INTERVENTIONS ? CH_INTERVENTIONS
                                 : e == E_CHAR_OUTCOMES      ? CH_OUTCOMES
                                                             : CH_NOTES]);
        break;
    case E_QUALITY_ITEM:
        if (parent == E_QUALITY_ITEMS) {
            read_attrs(c, r);
            start_quality_item(c, line);
        }
        break;
    case E_QUALITY_ITEM_DATA_ENTRY_GROUP:
        if (parent == E_QUALITY_ITEM) {
            read_attrs(c, r);
            start_group(c, line);
        }
        break;
    case E_QUALITY_ITEM_DATA_ENTRY:
        if (parent == E_QUALITY_ITEM_DATA) {
            read_attrs(c, r);
            start_entry(c, line);
        }
        break;
    case E_DESCRIPTION:
        if (parent == E_QUALITY_ITEM_DATA_ENTRY && c->in_qe) collect(c, &c->qe_support);
        break;
    case E_NAME:
        if (parent == E_QUALITY_ITEM)
            collect(c, &c->qi_name);
        else if (parent == E_QUALITY_ITEM_DATA_ENTRY_GROUP && c->in_qg)
            collect(c, &c->qg_name);
        else if (parent == E_COMPARISON && c->in_cmp)
            collect(c, &c->cmp_name);
        else if (outcome_type(parent) >= 0 && c->out.open && !c->out.in_sub)
            collect(c, &c->out.name);
        else if (subgroup_type(parent) >= 0 && c->out.in_sub)
            collect(c, &c->out.sub_name);
        break;
    case E_ANALYSES_AND_DATA:
        if (parent == E_COCHRANE_REVIEW && !c->analyses_line) c->analyses_line = line;
        break;
    case E_COMPARISON:
        if (parent == E_ANALYSES_AND_DATA) {
            read_attrs(c, r);
            start_comparison(c, line);
        }
        break;
    case E_GROUP_LABEL_1:
    case E_GROUP_LABEL_2:
    case E_GRAPH_LABEL_1:
    case E_GRAPH_LABEL_2:
        if (outcome_type(parent) >= 0 && c->out.open)
            collect(c, e == E_GROUP_LABEL_1   ? &c->out.label1
                       : e == E_GROUP_LABEL_2 ? &c->out.label2
                       : e == E_GRAPH_LABEL_1 ? &c->out.graph1
                                              : &c->out.graph2);
        break;
    default:
        if (parent == E_BODY && grand == E_MAIN_TEXT) {
            start_section(c, local);
        } else if (outcome_type(e) >= 0) {
            if (parent == E_COMPARISON && c->in_cmp) {
                read_attrs(c, r);
                start_outcome(c, outcome_type(e), line);
            }
        } else if (subgroup_type(e) >= 0) {
            if (outcome_type(parent) >= 0 && c->out.open) {
                read_attrs(c, r);
                start_subgroup(c, line);
            }
        } else if (data_type(e) >= 0) {
            read_attrs(c, r);
            data_row(c, e, parent, line);
        }
        break;
    }
}

static void handle_end(rm_ctx *c, rm_elem e, rm_elem parent)
{
    switch (e) {
    case E_STUDY:
        if (is_study_list(parent)) c->cur_study = -1;
        break;
    case E_REFERENCE:
        if (c->in_ref && parent == E_STUDY) finish_reference(c);
        break;
    case E_INCLUDED_CHAR: finish_char(c); break;
    case E_QUALITY_ITEM_DATA_ENTRY_GROUP:
        if (c->in_qg) finish_group(c);
        break;
    case E_QUALITY_ITEM_DATA_ENTRY:
        if (c->in_qe) finish_entry(c);
        break;
    case E_COMPARISON: c->in_cmp = 0; break;
    default:
        if (subgroup_type(e) >= 0 && c->out.in_sub && outcome_type(parent) >= 0)
            finish_subgroup(c);
        else if (outcome_type(e) >= 0 && c->out.open && parent == E_COMPARISON)
            finish_outcome(c);
        break;
    }
}

static void end_element(rm_ctx *c)
{
    rm_elem e, parent;
    if (c->depth == 0) return;
    e = c->stack[--c->depth];
    parent = c->depth > 0 ? c->stack[c->depth - 1] : E_OTHER;
    crit_end(c, e, c->depth);
    if (c->col) {
        if (c->depth == c->col_depth) {
            int section = c->col_section;
            c->col = NULL;
            if (section) emit_section(c);
        } else if (!is_inline(e)) {
            c->col->space = 1;
        }
        return;
    }
    handle_end(c, e, parent);
}

static void start_element(rm_ctx *c, xmlTextReaderPtr r)
{
    const char *local = (const char *)xmlTextReaderConstLocalName(r);
    int empty = xmlTextReaderIsEmptyElement(r) == 1;
    long line = next_element_line(c);
    rm_elem e, parent, grand;
    char q[QUOTE_MAX + 4];
    if (!local) local = "";
    e = elem_lookup(local);
    parent = c->depth > 0 ? c->stack[c->depth - 1] : E_OTHER;
    grand = c->depth > 1 ? c->stack[c->depth - 2] : E_OTHER;
    if (c->depth == RM_MAX_DEPTH) {
        ERR(c, line, local, "elements are nested more than %d deep; RevMan files nest about 15",
            RM_MAX_DEPTH);
        c->stop = 1;
        return;
    }
    if (c->depth == 0) {
        c->root_seen = 1;
        if (e != E_COCHRANE_REVIEW) {
            ERR(c, line, local,
                "the root element is <%s>; a RevMan 5 review (.rm5) starts with "
                "<" RM_ROOT ">",
                quote(q, sizeof q, local));
            c->wrong_root = 1;
            c->stop = 1;
            return;
        }
    }
    c->stack[c->depth++] = e;
    crit_start(c, e, parent, c->depth);
    if (c->col) {
        if (!is_inline(e)) c->col->space = 1;
    } else {
        handle_start(c, r, e, parent, grand, local, line);
    }
    if (empty && !c->stop) end_element(c);
}

/* ---- libxml2's errors ---------------------------------------------------------------- */

/* For libxml2's "too long" errors: from the tag open at or before `line`,
 * the first attribute value or text run over RM_HUGE_TOKEN bytes; its
 * attribute or element name goes into field. */
static void locate_huge(const rm_ctx *c, long line, char *field, size_t n)
{
    const char *p = (const char *)c->in->data;
    size_t size = c->in->size, i = 0;
    char elem[64] = "";
    for (long l = 1; l < line && i < size; l++) {
        const char *nl = memchr(p + i, '\n', size - i);
        if (!nl) break;
        i = (size_t)(nl - p) + 1;
    }
    if (i >= size) i = size - 1;
    while (i > 0 && p[i] != '<') i--;
    while (i < size) {
        size_t j, start;
        if (p[i] != '<') {
            const char *lt = memchr(p + i, '<', size - i);
            size_t run = lt ? (size_t)(lt - (p + i)) : size - i;
            if (run > RM_HUGE_TOKEN) {
                if (elem[0]) snprintf(field, n, "%s", elem);
                return;
            }
            i += run;
            continue;
        }
        if (i + 1 < size && (p[i + 1] == '/' || p[i + 1] == '!' || p[i + 1] == '?')) {
            const char *gt = memchr(p + i, '>', size - i);
            if (!gt) return;
            i = (size_t)(gt - p) + 1;
            continue;
        }
        for (j = i + 1; j < size && !is_space(p[j]) && p[j] != '>' && p[j] != '/'; j++) continue;
        snprintf(elem, sizeof elem, "%.*s", (int)(j - i - 1 < 63 ? j - i - 1 : 63), p + i + 1);
        for (;;) {
            const char *close;
            char quote_ch;
            j = skip_ws(p, j, size);
            if (j >= size) return;
            if (p[j] == '>' || p[j] == '/') {
                const char *gt = memchr(p + j, '>', size - j);
                if (!gt) return;
                i = (size_t)(gt - p) + 1;
                break;
            }
            for (start = j; j < size && !is_space(p[j]) && p[j] != '='; j++) continue;
            j = skip_ws(p, j, size);
            if (j >= size || p[j] != '=') return;
            j = skip_ws(p, j + 1, size);
            if (j >= size || (p[j] != '"' && p[j] != '\'')) return;
            quote_ch = p[j];
            close = memchr(p + j + 1, quote_ch, size - j - 1);
            if ((close ? (size_t)(close - (p + j + 1)) : size - j - 1) > RM_HUGE_TOKEN) {
                snprintf(field, n, "%.*s", (int)(start + 63 < size ? 63 : size - start), p + start);
                field[strcspn(field, " \t\r\n=")] = '\0';
                return;
            }
            if (!close) return;
            j = (size_t)(close - p) + 1;
        }
    }
}

/* libxml2's text with its trailing newline and period removed. */
static void clean_message(char *buf, size_t n, const char *msg)
{
    size_t len;
    snprintf(buf, n, "%s", msg ? msg : "unknown error");
    for (char *p = buf; *p; p++)
        if (*p == '\n') *p = ' ';
    len = strlen(buf);
    while (len > 0 && (is_space(buf[len - 1]) || buf[len - 1] == '.')) buf[--len] = '\0';
}

static void on_xml_error(void *arg, rm_error_ptr err)
{
    rm_ctx *c = arg;
    char msg[512], field[80] = "XML";
    long line;
    int warning;
    if (!err || c->rc < 0 || c->stop) return;
    line = err->line > 0 ? err->line : 0;
    warning = err->level == XML_ERR_WARNING;
    /* A truncated file is reported once, plainly, at the end; what libxml2
     * says about the cut itself ("Extra content", "Couldn't find end of
     * Start Tag") only confuses. */
    if (c->truncated && line >= c->trunc_line) return;
    if (!warning) {
        if (line == c->last_xml_line) return; /* the first error of a line says it best */
        c->last_xml_line = line;
    }
    clean_message(msg, sizeof msg, err->message);
    if (err->domain == XML_FROM_I18N || err->code == XML_ERR_UNKNOWN_ENCODING ||
        err->code == XML_ERR_UNSUPPORTED_ENCODING || err->code == XML_ERR_INVALID_ENCODING ||
        err->code == XML_ERR_ENCODING_NAME || strstr(msg, "proper UTF-8")) {
        diag(c, warning, line, "encoding",
             "the bytes do not match the encoding the file "
             "declares: %s",
             msg);
    } else if (strstr(msg, "Huge input lookup") || strstr(msg, "huge text node")) {
        locate_huge(c, line, field, sizeof field);
        ERR(c, line, field, "%s is longer than libxml2's limit of 10,000,000 bytes (%s)",
            strstr(msg, "text") ? "the text of this element" : "a value", msg);
    } else {
        diag(c, warning, line, "XML", "%s%s", warning ? "" : "not well-formed XML: ", msg);
    }
}

/* ---- the importer ----------------------------------------------------------------------- */

/* The one warning that sums up the cross-check of RevMan's pooled results. */
static void pooled_summary(rm_ctx *c)
{
    size_t compared = c->pooled_agree + c->pooled_differ;
    char skipped[128] = "", large[96] = "";
    if (!can_compare(c) || compared + c->pooled_too_large == 0) return;
    if (c->pooled_skipped)
        snprintf(skipped, sizeof skipped, "; %zu not compared (RevMan stored no pooled result)",
                 c->pooled_skipped);
    if (c->pooled_too_large)
        snprintf(large, sizeof large, "; %zu not compared (more than %d rows)",
                 c->pooled_too_large, RM_POOL_MAX_ROWS);
    WARN(c, c->analyses_line, "ANALYSES_AND_DATA",
         "%zu %s compared with RevMan's stored results: %zu agree within 1e-6, %zu differ%s%s",
         compared, compared == 1 ? "analysis" : "analyses", c->pooled_agree, c->pooled_differ,
         skipped, large);
}

static void run(rm_ctx *c)
{
    xmlTextReaderPtr r;
    int ret = 0;
    if (!precheck(c) || c->rc < 0) return;
    if (ww_arena__new(&c->arena) < 0) {
        oom(c);
        return;
    }
    /* NONET and nothing else: no entity substitution (NOENT), no DTD
     * loading (DTDLOAD) or defaults (DTDATTR), libxml2's size limits (no
     * HUGE). COMPACT only packs short text nodes. */
    r = xmlReaderForMemory((const char *)c->in->data, (int)c->in->size, c->in->name, NULL,
                           XML_PARSE_NONET | XML_PARSE_COMPACT);
    if (!r) {
        oom(c);
        return;
    }
    xmlTextReaderSetStructuredErrorHandler(r, on_xml_error, c);
    while (!c->stop && c->rc == 0 && (ret = xmlTextReaderRead(r)) == 1) {
        switch (xmlTextReaderNodeType(r)) {
        case XML_READER_TYPE_ELEMENT: start_element(c, r); break;
        case XML_READER_TYPE_END_ELEMENT: end_element(c); break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
            if (c->col || c->crit_depth) {
                const char *v = (const char *)xmlTextReaderConstValue(r);
                if (v && c->col) text_add(c, c->col, v);
                if (v && c->crit_depth) text_add(c, &c->crit, v);
            }
            break;
        case XML_READER_TYPE_DOCUMENT_TYPE:
        case XML_READER_TYPE_ENTITY_REFERENCE:
        case XML_READER_TYPE_ENTITY:
            /* precheck() refuses a DOCTYPE; this is a second line of defence */
            ERR(c, c->line_no, "DOCTYPE", "DTDs and entities are refused for safety");
            c->stop = 1;
            break;
        default: break;
        }
    }
    xmlFreeTextReader(r);
    if (c->rc < 0 || c->wrong_root) return;
    if (c->truncated) {
        ERR(c, c->trunc_line, RM_ROOT,
            "the file ends before </" RM_ROOT ">: it is truncated or "
            "incomplete");
    } else if (ret < 0 && c->errors == 0) {
        ERR(c, c->line_no, "XML", "not well-formed XML");
    } else if (ret == 0 && c->root_seen && c->rows_seen == 0 && !c->analysis_cb) {
        WARN(c, 0, "ANALYSES_AND_DATA",
             "the review has no data rows (DICH_DATA, CONT_DATA, "
             "IV_DATA, IPD_DATA): nothing to import");
    }
    pooled_summary(c);
}

static void text_free(rm_text *t)
{
    ww_buf__free(&t->buf);
}

static int revman_run(const ww_input *in, ww_diags *diags, const ww_sink *sink,
                      void (*cb)(void *ctx, const ww_revman_analysis *a), void *cb_ctx)
{
    rm_ctx *c = calloc(1, sizeof *c);
    rm_text *texts[32];
    size_t n_texts = 0;
    int rc;
    if (!c) return ww__error_oom();
    c->in = in;
    c->diags = diags;
    c->sink = sink;
    c->analysis_cb = cb;
    c->analysis_ctx = cb_ctx;
    c->cur_study = c->char_study = -1;
    c->line_no = 1;
#define TEXT(t, cap) (text_init((t), (cap)), texts[n_texts++] = (t))
    TEXT(&c->review_title, RM_NAME_CAP);
    TEXT(&c->section, RM_SECTION_CAP);
    TEXT(&c->ref_au, RM_REF_CAP);
    TEXT(&c->ref_ti, RM_REF_CAP);
    TEXT(&c->ref_so, RM_REF_CAP);
    TEXT(&c->ref_yr, 64);
    for (int k = 0; k < CH_COUNT; k++) TEXT(&c->chars[k], RM_CHAR_CAP);
    TEXT(&c->crit, RM_CRIT_CAP);
    TEXT(&c->qi_name, RM_NAME_CAP);
    TEXT(&c->qg_name, RM_NAME_CAP);
    TEXT(&c->qe_support, RM_SUPPORT_CAP);
    TEXT(&c->cmp_name, RM_NAME_CAP);
    TEXT(&c->out.name, RM_NAME_CAP);
    TEXT(&c->out.label1, RM_NAME_CAP);
    TEXT(&c->out.label2, RM_NAME_CAP);
    TEXT(&c->out.graph1, RM_NAME_CAP);
    TEXT(&c->out.graph2, RM_NAME_CAP);
    TEXT(&c->out.sub_name, RM_NAME_CAP);
#undef TEXT

    run(c);
    rc = c->rc;

    for (size_t i = 0; i < n_texts; i++) text_free(texts[i]);
    ww_buf__free(&c->intervention);
    ww_buf__free(&c->out.display);
    ww_buf__free(&c->out.domain);
    ww_buf__free(&c->out.description);
    ww_buf__free(&c->out.sub_display);
    free(c->out.prows);
    for (size_t i = 0; i < c->n_studies; i++) free(c->studies[i].rob);
    free(c->studies);
    ww_strmap__free(&c->study_index);
    ww_arena__free(c->arena);
    free(c);
    return rc;
}

static int revman_parse(const ww_input *in, ww_diags *diags, const ww_sink *sink)
{
    return revman_run(in, diags, sink, NULL, NULL);
}

int ww_importer_revman__analyses(const ww_input *in, ww_diags *d,
                                 void (*cb)(void *ctx, const ww_revman_analysis *a), void *ctx)
{
    return revman_run(in, d, NULL, cb, ctx);
}

static int revman_sniff(const ww_input *in)
{
    size_t n = in->size < SNIFF_WINDOW ? in->size : SNIFF_WINDOW, len;
    const char *p = (const char *)in->data;
    int named = 0;
    if (in->name && (len = strlen(in->name)) >= 4 && !strcasecmp(in->name + len - 4, ".rm5"))
        named = 1;
    if (p && n && find_bytes(p, 0, n, "<" RM_ROOT) != (size_t)-1) return 95;
    return named ? 50 : 0;
}

const ww_importer ww_importer_revman = {
    "revman",
    "Cochrane Review Manager 5 review (.rm5): studies, risk of bias and every data row",
    revman_sniff,
    revman_parse,
};
