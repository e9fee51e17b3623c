/*
 * query.c — answer "what works for ISSUE?": expand the issue through the
 * taxonomy and find the interventions that answer it (both in repo/, which
 * quotes every string before it reaches MATCH), pick each one's pooled
 * result on the outcomes that answer the issue, put its effect in plain
 * terms (WWC improvement index, EEF months' progress), apply the filters
 * and rank. The rule is documented in docs/ranking.md, in one place; each
 * row's `why` says in plain words what the evidence is and says, and the
 * JSON carries the technical detail.
 */
#include <ctype.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../repo/repo.h"
#include "queries_int.h"

#define DEFAULT_LIMIT 20

/* 1 when the normalised text hay contains the normalised words needle as
 * whole words ("school attend" contains "attend", not "tend"). */
int ww_queries__contains_words(const char *hay, const char *needle)
{
    size_t n = strlen(needle), h = strlen(hay);
    if (!n) return 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        if ((p == hay || p[-1] == ' ') && ((size_t)(p - hay) + n == h || p[n] == ' ')) return 1;
    return 0;
}

/* Words that make a domain about the workforce, not the people an issue is
 * about: "Teacher attendance" does not answer truancy. */
static const char *const staff_words[] = {"teacher", "staff", "principal", "school leader", "workforce",
                                          NULL};

static int about_staff(const char *domain)
{
    char low[256];
    size_t i;
    for (i = 0; domain[i] && i + 1 < sizeof low; i++) low[i] = (char)tolower((unsigned char)domain[i]);
    low[i] = 0;
    for (i = 0; staff_words[i]; i++)
        if (strstr(low, staff_words[i])) return 1;
    return 0;
}

/* Does a pooled outcome domain answer the issue? Compared as the index
 * compares words (case, UK/US spelling, stems): the domain is one of the
 * issue's domains, or contains one of its terms or outcome-measure patterns
 * ("Attendance (high school)" contains "attendance"; "External behavior"
 * contains "behaviour") and is not about staff. With no issue matched,
 * every domain counts. */
static int answers_issue(const char *domain, const ww_query_result *res, ww_db *db, ww_arena *arena,
                         int *error)
{
    const ww_issue_expansion *x = &res->expansion;
    const char *d;
    if (!x->n_slugs) return 1;
    if (!(d = ww_repo__normalised(db, arena, domain))) {
        *error = WW_ENOMEM;
        return 0;
    }
    for (size_t i = 0; i < x->n_domains; i++)
        if (strcmp(d, res->norm_domains[i]) == 0) return 1;
    if (about_staff(domain)) return 0;
    for (size_t i = 0; i < x->n_terms; i++)
        if (ww_queries__contains_words(d, res->norm_terms[i])) return 1;
    for (size_t i = 0; i < x->n_patterns; i++)
        if (ww_queries__contains_words(d, res->norm_patterns[i])) return 1;
    return 0;
}

/* The normalised form of each string, for answers_issue(). */
static int normalise_all(const char ***out, ww_db *db, ww_arena *arena, const char *const *s, size_t n)
{
    const char **v = ww_arena__alloc(arena, (n ? n : 1) * sizeof *v);
    if (!v) return ww__error_oom();
    for (size_t i = 0; i < n; i++)
        if (!(v[i] = ww_repo__normalised(db, arena, s[i]))) return WW_ENOMEM;
    *out = v;
    return 0;
}

/* Bump the version whenever the rule in docs/ranking.md changes. */
const char ww_queries__ranking_rule[] = "verdict-certainty-effect/3";

/* The `why` is for a table: at most this many characters (code points). */
#define WHY_MAX_CHARS 160

/* ---- names ---------------------------------------------------------- */

static const char *const certainty_names[] = {NULL, "very low", "low", "moderate", "high"};

const char *ww_queries__certainty_name(ww_query_certainty c)
{
    return c >= WW_QUERY_CERTAINTY_VERY_LOW && c <= WW_QUERY_CERTAINTY_HIGH ? certainty_names[c] : NULL;
}

int ww_query_certainty_parse(ww_query_certainty *out, const char *name)
{
    for (int c = WW_QUERY_CERTAINTY_VERY_LOW; name && c <= WW_QUERY_CERTAINTY_HIGH; c++)
        if (strcasecmp(name, certainty_names[c]) == 0 ||
            (c == WW_QUERY_CERTAINTY_VERY_LOW && strcasecmp(name, "very-low") == 0)) {
            *out = (ww_query_certainty)c;
            return 0;
        }
    return ww__error(WW_EUSAGE, "unknown certainty '%s': use high, moderate, low or very-low",
                     name ? name : "");
}

static const char *const sort_names[] = {"score", "effect", "bcr", "cost", "certainty"};

const char *ww_queries__sort_name(ww_query_sort s)
{
    return s >= WW_QUERY_SORT_SCORE && s <= WW_QUERY_SORT_CERTAINTY ? sort_names[s] : "score";
}

int ww_query_sort_parse(ww_query_sort *out, const char *name)
{
    for (int i = 0; name && i <= WW_QUERY_SORT_CERTAINTY; i++)
        if (strcasecmp(name, sort_names[i]) == 0) {
            *out = (ww_query_sort)i;
            return 0;
        }
    return ww__error(WW_EUSAGE, "unknown sort '%s': use score, effect, bcr, cost or certainty",
                     name ? name : "");
}

/* Level of a stored certainty: 4 high .. 1 very low, 0 none. */
static int certainty_level(const char *c)
{
    for (int i = WW_QUERY_CERTAINTY_VERY_LOW; c && i <= WW_QUERY_CERTAINTY_HIGH; i++)
        if (strcmp(c, certainty_names[i]) == 0) return i;
    return 0;
}

/* ---- the effect in plain terms -------------------------------------- */

/* WWC improvement index: the expected change in percentile rank of an
 * average comparison-group member had they received the intervention,
 * (Phi(g) - 0.5) x 100: g as Cohen's U3, less the comparison group's 50th
 * percentile (WWC Procedures and Standards Handbook v2.0, 2008, appendix F,
 * "Computation of the Improvement Index"). */
static double improvement_index(double g)
{
    return isfinite(g) ? (gsl_cdf_ugaussian_P(g) - 0.5) * 100.0 : NAN;
}

/* EEF Teaching and Learning Toolkit: effect size to months' additional
 * progress, as the Toolkit publishes it ("About the Toolkits: attainment",
 * educationendowmentfoundation.org.uk/evidence-summaries/about-the-toolkits/
 * attainment/). The upper bound of each band in hundredths, effect sizes
 * rounded to two decimals; a negative effect converts as its size, negated.
 * The table ends at 1.00 (12 months): beyond it there is no figure. */
static const int eef_band_upper_hundredths[] = {1, 9, 18, 26, 35, 44, 52, 61, 69, 78, 87, 95, 100};

static double months_progress(double g)
{
    long h;
    if (!isfinite(g)) return NAN;
    h = lround(fabs(g) * 100.0);
    for (int m = 0; m < (int)(sizeof eef_band_upper_hundredths / sizeof eef_band_upper_hundredths[0]); m++)
        if (h <= eef_band_upper_hundredths[m]) return g < 0 && m ? -m : m;
    return NAN;
}

/* The EEF measure is for attainment: test scores in reading, writing,
 * mathematics, science and the like. An outcome domain counts as
 * attainment when its name contains one of these words, and none of the
 * second list (which name progress through education, not learning). */
static const char *const attainment_words[] = {
    "achievement", "attainment", "reading", "literacy", "mathematics", "math", "maths", "numeracy",
    "algebra", "geometry", "number and operations", "comprehension", "alphabetics", "fluency",
    "phonolog", "phonics", "print knowledge", "letter identification", "word reading", "writing",
    "spelling", "vocabulary", "science", "english language arts", "academic performance", NULL};
static const char *const not_attainment_words[] = {"degree", "college", "postsecondary", "teacher",
                                                    "credit", NULL};

static int is_attainment(const char *domain)
{
    char low[256];
    size_t i;
    int hit = 0;
    for (i = 0; domain[i] && i + 1 < sizeof low; i++) low[i] = (char)tolower((unsigned char)domain[i]);
    low[i] = 0;
    for (i = 0; attainment_words[i] && !hit; i++) hit = strstr(low, attainment_words[i]) != NULL;
    for (i = 0; not_attainment_words[i] && hit; i++) hit = strstr(low, not_attainment_words[i]) == NULL;
    return hit;
}

/* ---- the filters ---------------------------------------------------- */

/* Does text, normalised as the index normalises it, contain the words of
 * want? Unknown text never matches. */
static int text_matches(ww_db *db, ww_arena *arena, const char *text, const char *want, int *error)
{
    const char *t, *w;
    if (!text || !*text) return 0;
    if (!(t = ww_repo__normalised(db, arena, text)) || !(w = ww_repo__normalised(db, arena, want))) {
        *error = WW_ENOMEM;
        return 0;
    }
    return *w && ww_queries__contains_words(t, w);
}

/* Countries as sources write them; a user may type the code or the name. */
static const char *const country_aliases[][2] = {
    {"uk", "gb"}, {"united kingdom", "gb"}, {"great britain", "gb"}, {"britain", "gb"},
    {"england", "gb"}, {"scotland", "gb"}, {"wales", "gb"}, {"northern ireland", "gb"},
    {"usa", "us"}, {"united states", "us"}, {"united states of america", "us"}, {"america", "us"},
    {NULL, NULL}};

static void country_key(char *out, size_t n, const char *s, size_t len)
{
    size_t j = 0;
    while (len && isspace((unsigned char)*s)) s++, len--;
    while (len && isspace((unsigned char)s[len - 1])) len--;
    for (size_t i = 0; i < len && j + 1 < n; i++) out[j++] = (char)tolower((unsigned char)s[i]);
    out[j] = 0;
    for (int i = 0; country_aliases[i][0]; i++)
        if (strcmp(out, country_aliases[i][0]) == 0) {
            snprintf(out, n, "%s", country_aliases[i][1]);
            return;
        }
}

static int country_matches(const char *countries, const char *want)
{
    char w[64], c[64];
    if (!countries) return 0;
    country_key(w, sizeof w, want, strlen(want));
    for (const char *p = countries; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        country_key(c, sizeof c, p, len);
        if (*c && strcmp(c, w) == 0) return 1;
        p += len + (comma ? 1 : 0);
    }
    return 0;
}

/* The ages a population description states, as [lo, hi] in years:
 * explicit ages first ("aged 12 to 15", "ages 14-19", "4 year olds",
 * "3-year olds", "under 18"), else US grades ("Grade 4", "Grades 9 - 12",
 * "Grades K-4", "5th graders"; grade g is ages g+5 to g+6, kindergarten 5
 * to 6), else a school stage ("preschool" 3-4, "kindergarten" 5-6,
 * "elementary" or "primary" 5-11, "middle school" 11-14, "high school"
 * 14-18, "secondary" 11-18). 0 when it states none. */
enum { TOK_WORD, TOK_NUM, TOK_ORD, TOK_SEP };
typedef struct {
    int kind, num;
    char word[24];
} age_tok;

static size_t age_tokens(age_tok *t, size_t max, const char *s)
{
    size_t n = 0;
    while (*s && n < max) {
        unsigned char ch = (unsigned char)*s;
        if (isdigit(ch)) {
            long v = 0;
            while (isdigit((unsigned char)*s)) v = v < 1000 ? v * 10 + (*s++ - '0') : v;
            t[n].kind = TOK_NUM;
            t[n].num = (int)v;
            if (isalpha((unsigned char)*s)) { /* 5th, 3rd */
                t[n].kind = TOK_ORD;
                while (isalpha((unsigned char)*s)) s++;
            }
            n++;
        } else if (isalpha(ch)) {
            size_t j = 0;
            while (isalpha((unsigned char)*s)) {
                if (j + 1 < sizeof t[n].word) t[n].word[j++] = (char)tolower((unsigned char)*s);
                s++;
            }
            t[n].word[j] = 0;
            t[n].kind = strcmp(t[n].word, "to") == 0 || strcmp(t[n].word, "and") == 0 ||
                                strcmp(t[n].word, "through") == 0
                            ? TOK_SEP
                            : TOK_WORD;
            n++;
        } else if (ch == '-' || (ch == 0xE2 && (unsigned char)s[1] == 0x80 &&
                                 ((unsigned char)s[2] == 0x93 || (unsigned char)s[2] == 0x94))) {
            t[n].kind = TOK_SEP; /* hyphen, en or em dash */
            t[n].word[0] = 0;
            n++;
            s += ch == '-' ? 1 : 3;
        } else {
            s++;
        }
    }
    return n;
}

static int is_word(const age_tok *t, const char *w)
{
    return t->kind == TOK_WORD && strcmp(t->word, w) == 0;
}

/* A number, or "k"/"kindergarten" as grade 0, at t[i]. */
static int grade_at(const age_tok *t, size_t n, size_t i, int *g)
{
    if (i >= n) return 0;
    if (t[i].kind == TOK_NUM || t[i].kind == TOK_ORD) *g = t[i].num;
    else if (is_word(&t[i], "k") || is_word(&t[i], "kindergarten")) *g = 0;
    else return 0;
    return 1;
}

static void widen(int *lo, int *hi, int a, int b)
{
    if (a > b) {
        int x = a;
        a = b;
        b = x;
    }
    if (a < *lo) *lo = a;
    if (b > *hi) *hi = b;
}

static int stated_ages(const char *text, int *lo_out, int *hi_out)
{
    age_tok t[64];
    size_t n;
    int lo = 1000, hi = -1, glo = 1000, ghi = -1, slo = 1000, shi = -1;
    if (!text) return 0;
    n = age_tokens(t, sizeof t / sizeof t[0], text);
    for (size_t i = 0; i < n; i++) {
        int a, b, g1, g2;
        /* "aged 12 to 15", "ages 14-19", "age 5" */
        if ((is_word(&t[i], "aged") || is_word(&t[i], "ages") || is_word(&t[i], "age")) && i + 1 < n &&
            t[i + 1].kind == TOK_NUM) {
            a = b = t[i + 1].num;
            if (i + 3 < n && t[i + 2].kind == TOK_SEP && t[i + 3].kind == TOK_NUM) b = t[i + 3].num;
            widen(&lo, &hi, a, b);
        } else if (is_word(&t[i], "under") && i + 1 < n && t[i + 1].kind == TOK_NUM && t[i + 1].num > 0) {
            widen(&lo, &hi, 0, t[i + 1].num - 1);
        } else if (t[i].kind == TOK_NUM) {
            /* "4 year olds", "3-year olds", "16 to 24 year olds" */
            size_t j = i + 1;
            a = b = t[i].num;
            if (j + 1 < n && t[j].kind == TOK_SEP && t[j + 1].kind == TOK_NUM) b = t[j + 1].num, j += 2;
            if (j < n && t[j].kind == TOK_SEP) j++;
            if (j + 1 < n && (is_word(&t[j], "year") || is_word(&t[j], "years")) &&
                (is_word(&t[j + 1], "old") || is_word(&t[j + 1], "olds")))
                widen(&lo, &hi, a, b);
        }
        /* "Grade 4", "Grades 9 - 12", "Grades K-4", "Grades 4 and 5" */
        if ((is_word(&t[i], "grade") || is_word(&t[i], "grades")) && grade_at(t, n, i + 1, &g1)) {
            g2 = g1;
            if (i + 3 < n && t[i + 2].kind == TOK_SEP) grade_at(t, n, i + 3, &g2);
            if (g1 <= 13 && g2 <= 13) widen(&glo, &ghi, g1 + 5, g2 + 6);
        } else if (t[i].kind == TOK_ORD && i + 1 < n && strncmp(t[i + 1].word, "grade", 5) == 0 &&
                   t[i].num <= 13) {
            widen(&glo, &ghi, t[i].num + 5, t[i].num + 6); /* "5th graders" */
        }
        if (t[i].kind == TOK_WORD) {
            const char *w = t[i].word, *next = i + 1 < n && t[i + 1].kind == TOK_WORD ? t[i + 1].word : "";
            if (strncmp(w, "preschool", 9) == 0 || strcmp(w, "prek") == 0 ||
                (strcmp(w, "pre") == 0 && i + 2 < n && is_word(&t[i + 2], "k")))
                widen(&slo, &shi, 3, 4);
            else if (strcmp(w, "kindergarten") == 0) widen(&slo, &shi, 5, 6);
            else if ((strcmp(w, "elementary") == 0 || strcmp(w, "primary") == 0) &&
                     strncmp(next, "school", 6) == 0)
                widen(&slo, &shi, 5, 11);
            else if (strcmp(w, "middle") == 0 && strncmp(next, "school", 6) == 0) widen(&slo, &shi, 11, 14);
            else if (strcmp(w, "high") == 0 && strncmp(next, "school", 6) == 0) widen(&slo, &shi, 14, 18);
            else if (strcmp(w, "secondary") == 0) widen(&slo, &shi, 11, 18);
        }
    }
    if (hi < 0) lo = glo, hi = ghi;
    if (hi < 0) lo = slo, hi = shi;
    if (hi < 0) return 0;
    *lo_out = lo;
    *hi_out = hi;
    return 1;
}

/* Does the candidate pass the filters that do not depend on its pooled
 * result? */
static int passes_filters(const ww_candidate *c, const ww_query_opts *o, ww_db *db, ww_arena *arena,
                          int *error)
{
    int lo, hi;
    if (o->population && !text_matches(db, arena, c->population, o->population, error)) return 0;
    if (o->setting && !text_matches(db, arena, c->setting, o->setting, error)) return 0;
    if (o->country && !country_matches(c->countries, o->country)) return 0;
    if (o->by_age && (!stated_ages(c->population, &lo, &hi) || o->age_years < lo || o->age_years > hi))
        return 0;
    if (o->by_max_cost &&
        (!isfinite(c->cost_per_participant) || c->cost_per_participant > o->max_cost_per_participant))
        return 0;
    return 1;
}

/* ---- ranking -------------------------------------------------------- */

/* Verdict classes in rank order: what helps, then what is unclear, then
 * what harms, then what has nothing on the issue. */
static int verdict_class(double lo, double hi)
{
    if (isnan(lo)) return 3;
    if (lo > 0) return 0;
    if (hi < 0) return 2;
    return 1;
}

static const char *verdict_of(int cls)
{
    static const char *const v[] = {"beneficial", "no clear effect", "harmful", "no outcome on this issue"};
    return v[cls];
}

static const char *verdict_rule_of(int cls)
{
    static const char *const v[] = {"95% CI above zero", "95% CI includes zero", "95% CI below zero",
                                    "no pooled result on the issue's outcome domains"};
    return v[cls];
}

/* Larger first, unknown last; 0 when equal. */
static int cmp_desc_nan_last(double a, double b)
{
    if (isnan(a) || isnan(b)) return isnan(a) - isnan(b);
    return a > b ? -1 : a < b ? 1 : 0;
}

/* Rule "verdict-certainty-effect/3" (docs/ranking.md): verdict class, then
 * certainty, then the pooled effect, then full-text relevance, then slug. */
static int cmp_score(const void *pa, const void *pb)
{
    const ww_query_row_int *a = pa, *b = pb;
    int ca = certainty_level(a->row.certainty), cb = certainty_level(b->row.certainty), d;
    if (a->verdict_class != b->verdict_class) return a->verdict_class - b->verdict_class;
    if (ca != cb) return cb - ca;
    if ((d = cmp_desc_nan_last(a->row.estimate, b->row.estimate)) != 0) return d;
    if (a->relevance != b->relevance) return a->relevance < b->relevance ? -1 : 1;
    return strcmp(a->row.slug, b->row.slug);
}

static int cmp_effect(const void *pa, const void *pb)
{
    const ww_query_row_int *a = pa, *b = pb;
    int d = cmp_desc_nan_last(a->row.estimate, b->row.estimate);
    return d ? d : cmp_score(pa, pb);
}

static int cmp_bcr(const void *pa, const void *pb)
{
    const ww_query_row_int *a = pa, *b = pb;
    int d = cmp_desc_nan_last(a->row.bcr, b->row.bcr);
    return d ? d : cmp_score(pa, pb);
}

static int cmp_cost(const void *pa, const void *pb)
{
    const ww_query_row_int *a = pa, *b = pb;
    /* cheapest first: negate, so that unknown still sorts last */
    int d = cmp_desc_nan_last(-a->row.cost_per_participant, -b->row.cost_per_participant);
    return d ? d : cmp_score(pa, pb);
}

static int cmp_certainty(const void *pa, const void *pb)
{
    const ww_query_row_int *a = pa, *b = pb;
    int ca = certainty_level(a->row.certainty), cb = certainty_level(b->row.certainty), d;
    if (ca != cb) return cb - ca;
    if ((d = cmp_desc_nan_last(a->row.estimate, b->row.estimate)) != 0) return d;
    return cmp_score(pa, pb);
}

/* Shown rows first (in order), left-out rows after. */
static int (*const sorters[])(const void *, const void *) = {cmp_score, cmp_effect, cmp_bcr, cmp_cost,
                                                             cmp_certainty};
static _Thread_local ww_query_sort current_sort;
static int cmp_rows(const void *pa, const void *pb)
{
    const ww_query_row_int *a = pa, *b = pb;
    if ((a->left_out != 0) != (b->left_out != 0)) return a->left_out ? 1 : -1;
    return sorters[current_sort](pa, pb);
}

/* ---- the why -------------------------------------------------------- */

/* Characters (code points) in UTF-8 text. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The first max characters of s, with "…" when it was longer. */
static int put_clipped(ww_buf *b, const char *s, size_t max)
{
    size_t n = 0;
    const char *p = s;
    if (chars(s) <= max) return ww_buf__puts(b, s);
    for (; *p && n + 1 < max + 1; p++)
        if (((unsigned char)*p & 0xC0) != 0x80 && ++n == max) break;
    /* p is at the start of character number max: keep max-1 and "…" */
    return ww_buf__put(b, s, (size_t)(p - s)) < 0 ? WW_ENOMEM : ww_buf__puts(b, "\xe2\x80\xa6");
}

static void thousands(char *out, size_t n, long v)
{
    char digits[32];
    size_t len, j = 0;
    snprintf(digits, sizeof digits, "%ld", v < 0 ? -v : v);
    len = strlen(digits);
    if (v < 0 && j + 1 < n) out[j++] = '-';
    for (size_t i = 0; i < len && j + 2 < n; i++) {
        out[j++] = digits[i];
        if ((len - i - 1) % 3 == 0 && i + 1 < len) out[j++] = ',';
    }
    out[j] = 0;
}

/* The parts of a row's why, most important first where it has to be cut. */
typedef struct {
    char evidence[200]; /* "3 studies (1,554 participants) on " */
    char evidence_short[64]; /* "3 studies on " */
    const char *domain;
    char domain_suffix[48]; /* " and 4 other outcomes" */
    char review[96], review_short[64]; /* "WWC reviewers rated 2 of them as meeting standards" */
    char certainty[64];
    char effect[256], effect_short[256]; /* "effect 0.19 SD, about 8 percentile points" */
    char flags[160];
} why_parts;

static int why_compose(ww_buf *out, const why_parts *p, size_t domain_max, int review, int long_effect,
                       int participants)
{
    int error = 0;
    out->size = 0;
    if (out->data) out->data[0] = 0;
    if ((error = ww_buf__puts(out, participants || !p->evidence_short[0] ? p->evidence : p->evidence_short)) < 0)
        return error;
    if (p->domain && (error = put_clipped(out, p->domain, domain_max)) < 0) return error;
    if ((error = ww_buf__puts(out, p->domain_suffix)) < 0) return error;
    if (review == 2 && p->review[0]) error = ww_buf__printf(out, "; %s", p->review);
    if (review == 1 && p->review_short[0]) error = ww_buf__printf(out, "; %s", p->review_short);
    if (!error && p->certainty[0]) error = ww_buf__printf(out, "; %s", p->certainty);
    if (!error && p->effect[0]) error = ww_buf__printf(out, "; %s", long_effect ? p->effect : p->effect_short);
    if (!error && p->flags[0]) error = ww_buf__puts(out, p->flags);
    return error;
}

/* Plain words for one row, at most WHY_MAX_CHARS characters: shorten the
 * domain's name, then the reviewers' part, then the effect's second
 * measure, then leave the reviewers' part out, then the participants. The
 * marks (provisional, example) are never left out. */
static int why_text(ww_buf *out, const why_parts *p)
{
    static const struct { size_t domain_max; int review, long_effect, participants; } tries[] = {
        {1000, 2, 1, 1}, {40, 2, 1, 1}, {40, 1, 1, 1}, {40, 1, 0, 1},
        {28, 0, 0, 1},   {28, 0, 0, 0}, {16, 0, 0, 0}};
    int error = 0;
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
        if ((error = why_compose(out, p, tries[i].domain_max, tries[i].review, tries[i].long_effect,
                                 tries[i].participants)) < 0)
            return error;
        if (chars(out->data) <= WHY_MAX_CHARS) return 0;
    }
    {   /* still too long (long flags): cut */
        ww_buf cut = WW_BUF_INIT;
        if ((error = put_clipped(&cut, out->data, WHY_MAX_CHARS)) == 0) {
            out->size = 0;
            error = ww_buf__puts(out, cut.data);
        }
        ww_buf__free(&cut);
    }
    return error;
}

static void effect_words(why_parts *p, const ww_query_row *r, int cls)
{
    double g = r->estimate, ii = fabs(r->improvement_index), mo = r->months_progress;
    char sd[32], pct[48], months[48];
    const char *worse = g < 0 ? " worse" : "", *unsure = cls == 1 ? ", but could be none" : "";
    snprintf(sd, sizeof sd, "effect %s%.2f SD", g < 0 ? "\xe2\x88\x92" : "", fabs(g)); /* minus sign */
    if (lround(ii) == 0) snprintf(pct, sizeof pct, "under 1 percentile point%s", worse);
    else snprintf(pct, sizeof pct, "about %.0f percentile point%s%s", ii, lround(ii) == 1 ? "" : "s", worse);
    if (isfinite(mo)) {
        if (mo == 0) snprintf(months, sizeof months, "no months' progress");
        else
            snprintf(months, sizeof months, "about %.0f month%s' %s", fabs(mo), fabs(mo) == 1 ? "" : "s",
                     mo < 0 ? "less progress" : "progress");
        /* "about 3 months' progress (8 percentile points)" */
        snprintf(p->effect, sizeof p->effect, "%s, %s (%s)%s", sd, months,
                 strncmp(pct, "about ", 6) == 0 ? pct + 6 : pct, unsure);
        snprintf(p->effect_short, sizeof p->effect_short, "%s, %s%s", sd, months, unsure);
    } else {
        snprintf(p->effect, sizeof p->effect, "%s, %s%s", sd, pct, unsure);
        snprintf(p->effect_short, sizeof p->effect_short, "%s, %s%s", sd, pct, unsure);
    }
}

static void review_words(why_parts *p, const ww_synthesis_row *s)
{
    int k = s->k;
    if (s->n_wwc_rated) {
        if (k == 1)
            snprintf(p->review, sizeof p->review, "WWC reviewers rated it as %smeeting standards",
                     s->n_wwc_meets ? "" : "not ");
        else
            snprintf(p->review, sizeof p->review, "WWC reviewers rated %d of them as meeting standards",
                     s->n_wwc_meets);
        if (k == 1)
            snprintf(p->review_short, sizeof p->review_short, "%s WWC standards",
                     s->n_wwc_meets ? "meets" : "does not meet");
        else
            snprintf(p->review_short, sizeof p->review_short, "%d of %d meet WWC standards", s->n_wwc_meets, k);
    } else if (s->n_randomised) {
        if (k == 1) snprintf(p->review, sizeof p->review, "a randomised trial");
        else snprintf(p->review, sizeof p->review, "%d of them randomised trials", s->n_randomised);
        if (k == 1) snprintf(p->review_short, sizeof p->review_short, "randomised");
        else snprintf(p->review_short, sizeof p->review_short, "%d of %d randomised", s->n_randomised, k);
    }
}

/* Fill row r from the candidate's stored syntheses: the one on the issue's
 * outcome domains (or the --domain asked for) with the most studies (then
 * participants). */
static int score_candidate(ww_query_row_int *r, ww_db *db, ww_query_result *res, const ww_candidate *c)
{
    const ww_query_opts *o = &res->opts;
    ww_synthesis_row *syn = NULL, *best = NULL, *first_other = NULL;
    size_t n = 0, off_issue = 0;
    ww_buf why = WW_BUF_INIT;
    ww_arena *arena = res->arena;
    const ww_issue_expansion *x = &res->expansion;
    why_parts parts;
    int error = 0, provisional = 0;

    memset(r, 0, sizeof *r);
    memset(&parts, 0, sizeof parts);
    r->row.slug = c->slug;
    r->row.name = c->name;
    r->intervention_id = c->id;
    r->matched = c->matched;
    r->row.metric = "SMD";
    r->row.is_example = c->is_example;
    r->relevance = c->relevance;
    r->row.estimate = r->row.ci_low = r->row.ci_high = NAN;
    r->row.improvement_index = r->row.months_progress = NAN;
    r->row.cost_per_participant = c->cost_per_participant;
    r->row.cost_price_year = c->cost_price_year;
    r->row.bcr = c->bcr; /* NAN until benefit-cost ratios are stored */
    r->row.n_participants = -1; /* unknown until a synthesis says */
    r->row.outcome_domain = o->domain ? o->domain : x->n_domains ? x->domains[0] : "";
    r->row.certainty = "";

    if ((error = ww_repo__syntheses(&syn, &n, db, arena, c->id, o->include_extracted, o->include_flagged,
                                    0)) < 0)
        return error;
    /* ordered by k, then participants, descending: the first match is best */
    for (size_t i = 0; i < n && error == 0; i++) {
        int answers = o->domain ? text_matches(db, arena, syn[i].domain, o->domain, &error)
                                : answers_issue(syn[i].domain, res, db, arena, &error);
        if (!answers) {
            off_issue++;
            if (!first_other) first_other = &syn[i];
        } else if (!best) {
            best = &syn[i];
        }
    }
    if (error < 0) return error;
    /* Text that names no issue: every domain answers it, and one that
     * contains a word of the text is preferred ("reading": "Reading
     * achievement" before "Comprehension"). */
    if (!x->n_slugs && !o->domain && best && res->norm_text && *res->norm_text) {
        int found = 0;
        for (size_t i = 0; i < n && !found; i++) {
            const char *d = ww_repo__normalised(db, arena, syn[i].domain), *w = res->norm_text;
            if (!d) return ww__error_oom();
            while (*w && !found) {
                const char *sp = strchr(w, ' ');
                size_t len = sp ? (size_t)(sp - w) : strlen(w);
                char word[128];
                if (len && len < sizeof word) {
                    memcpy(word, w, len);
                    word[len] = 0;
                    if (ww_queries__contains_words(d, word)) best = &syn[i], found = 1;
                }
                w += len + (sp ? 1 : 0);
            }
        }
    }
    /* with nothing pooled on the issue, provisional when all its studies are */
    provisional = c->all_provisional;
    r->off_issue = (int)off_issue;
    if (best) {
        r->row.outcome_domain = best->domain;
        r->row.estimate = best->estimate;
        r->row.ci_low = best->ci_low;
        r->row.ci_high = best->ci_high;
        r->row.n_studies = best->k;
        r->row.n_effects = best->n_effects;
        r->row.n_participants = best->n_participants;
        r->pool_method = best->method;
        r->synthesis = best;
        r->row.certainty = best->certainty ? best->certainty : "";
        r->row.improvement_index = improvement_index(best->estimate);
        if (is_attainment(best->domain)) r->row.months_progress = months_progress(best->estimate);
        provisional = best->n_provisional > 0 || strncmp(best->scope, "all", 3) == 0;
    }
    r->row.provisional = provisional;
    r->verdict_class = verdict_class(r->row.ci_low, r->row.ci_high);
    r->row.verdict = verdict_of(r->verdict_class);
    r->verdict_rule = verdict_rule_of(r->verdict_class);

    /* Gates and filters: a row that fails one is counted, not listed. */
    if (provisional && !res->include_provisional) r->left_out = LEFT_OUT_PROVISIONAL;
    else if (!passes_filters(c, o, db, arena, &error) ||
             (o->min_certainty && certainty_level(r->row.certainty) < (int)o->min_certainty) ||
             (o->domain && !best))
        r->left_out = LEFT_OUT_FILTER;
    if (error < 0) return error;
    if (r->left_out) return 0; /* no why needed */

    if (best) {
        char np[32];
        thousands(np, sizeof np, best->n_participants);
        if (best->n_participants >= 0)
            snprintf(parts.evidence, sizeof parts.evidence, "%d stud%s (%s participants) on ", best->k,
                     best->k == 1 ? "y" : "ies", np);
        else
            snprintf(parts.evidence, sizeof parts.evidence, "%d stud%s on ", best->k, best->k == 1 ? "y" : "ies");
        snprintf(parts.evidence_short, sizeof parts.evidence_short, "%d stud%s on ", best->k,
                 best->k == 1 ? "y" : "ies");
        parts.domain = best->domain;
        review_words(&parts, best);
        snprintf(parts.certainty, sizeof parts.certainty, "%s certainty",
                 best->certainty ? best->certainty : "ungraded");
        if (isfinite(best->estimate)) effect_words(&parts, &r->row, r->verdict_class);
    } else if (first_other) {
        snprintf(parts.evidence, sizeof parts.evidence, "nothing pooled on %s; studied on ",
                 o->domain ? "that domain" : "this issue's outcomes");
        parts.domain = first_other->domain;
        if (off_issue > 1)
            snprintf(parts.domain_suffix, sizeof parts.domain_suffix, " and %zu other outcome%s",
                     off_issue - 1, off_issue == 2 ? "" : "s");
    } else {
        snprintf(parts.evidence, sizeof parts.evidence,
                 "studied, but no study reports an effect that can be pooled");
    }
    if (best && strncmp(best->scope, "all", 3) == 0)
        strncat(parts.flags, "; includes machine-extracted effects, not yet reviewed",
                sizeof parts.flags - strlen(parts.flags) - 1);
    else if (provisional)
        strncat(parts.flags, "; not yet reviewed", sizeof parts.flags - strlen(parts.flags) - 1);
    if (best && best->n_flagged) {
        size_t used = strlen(parts.flags);
        snprintf(parts.flags + used, sizeof parts.flags - used,
                 strstr(best->scope, "+flagged") ? "; includes %d effect%s flagged as implausible"
                                                 : "; %d effect%s flagged as implausible left out",
                 best->n_flagged, best->n_flagged == 1 ? "" : "s");
    }
    if (c->is_example)
        strncat(parts.flags, "; example, not evidence", sizeof parts.flags - strlen(parts.flags) - 1);
    if ((error = why_text(&why, &parts)) < 0) goto done;
    if (!(r->row.why = ww_arena__strdup(arena, why.data))) error = ww__error_oom();
done:
    ww_buf__free(&why);
    return error;
}

/* Copy a string option into the result's arena. */
static int keep(const char **dst, ww_arena *arena, const char *s)
{
    if (!s) return 0;
    while (isspace((unsigned char)*s)) s++;
    if (!*s) return ww__error(WW_EUSAGE, "an empty filter matches nothing: leave it out");
    if (!ww__utf8_valid(s, strlen(s))) return ww__error(WW_EUSAGE, "a filter is not valid UTF-8");
    if (strlen(s) > 1024) return ww__error(WW_EUSAGE, "a filter is longer than 1024 bytes");
    if (!(*dst = ww_arena__strdup(arena, s))) return ww__error_oom();
    return 0;
}

static int check_opts(const ww_query_opts *o)
{
    if (o->version > WW_QUERY_OPTS_VERSION)
        return ww__error(WW_EUSAGE, "ww_query_opts version %u is newer than this library's (%d)", o->version,
                         WW_QUERY_OPTS_VERSION);
    if (o->limit < 0) return ww__error(WW_EUSAGE, "limit must be positive");
    if ((int)o->min_certainty < WW_QUERY_CERTAINTY_ANY || o->min_certainty > WW_QUERY_CERTAINTY_HIGH)
        return ww__error(WW_EUSAGE, "unknown minimum certainty %d", (int)o->min_certainty);
    if ((int)o->sort < WW_QUERY_SORT_SCORE || o->sort > WW_QUERY_SORT_CERTAINTY)
        return ww__error(WW_EUSAGE, "unknown sort %d", (int)o->sort);
    if (o->by_age && (o->age_years < 0 || o->age_years > 120))
        return ww__error(WW_EUSAGE, "age must be from 0 to 120 years, got %d", o->age_years);
    if (o->by_max_cost && (!isfinite(o->max_cost_per_participant) || o->max_cost_per_participant < 0))
        return ww__error(WW_EUSAGE, "the maximum cost must be a number of 0 or more");
    return 0;
}

int ww_query_run(ww_query_result **out, ww_db *db, const char *issue, const ww_query_opts *opts)
{
    static const ww_query_opts defaults = WW_QUERY_OPTS_INIT;
    ww_query_result *res = NULL;
    ww_candidate *cands = NULL;
    size_t n_cands = 0, shown = 0;
    ww_match match;
    int error, limit;
    const char *p;

    *out = NULL;
    if (!opts) opts = &defaults;
    limit = opts->limit > 0 ? opts->limit : DEFAULT_LIMIT;
    if (!db) return ww__error(WW_EUSAGE, "no database");
    if ((error = check_opts(opts)) < 0) return error;
    for (p = issue; p && *p && isspace((unsigned char)*p); p++)
        ;
    if (!p || !*p) return ww__error(WW_EUSAGE, "empty query: name a presenting issue, e.g. truancy");
    if (!ww__utf8_valid(issue, strlen(issue)))
        return ww__error(WW_EUSAGE, "query text is not valid UTF-8");
    if (strlen(issue) > WW_REPO_QUERY_MAX_BYTES)
        return ww__error(WW_EUSAGE, "the query is %zu bytes long; at most %d are matched: name the issue "
                         "in a few words", strlen(issue), WW_REPO_QUERY_MAX_BYTES);

    if (!(res = calloc(1, sizeof *res))) return ww__error_oom();
    if ((error = ww_arena__new(&res->arena)) < 0) goto done;
    res->opts = *opts;
    res->opts.version = WW_QUERY_OPTS_VERSION;
    res->opts.limit = limit;
    res->opts.domain = res->opts.population = res->opts.setting = res->opts.country = NULL;
    if ((error = keep(&res->opts.domain, res->arena, opts->domain)) < 0 ||
        (error = keep(&res->opts.population, res->arena, opts->population)) < 0 ||
        (error = keep(&res->opts.setting, res->arena, opts->setting)) < 0 ||
        (error = keep(&res->opts.country, res->arena, opts->country)) < 0)
        goto done;
    /* machine-extracted effects are provisional: asking for them asks for that */
    res->include_provisional = opts->include_provisional || opts->include_extracted;
    if (!(res->text = ww_arena__strdup(res->arena, issue))) goto oom;
    if ((error = ww_repo__issue_expand(&res->expansion, db, res->arena, issue)) < 0) goto done;
    if (!(res->norm_text = ww_repo__normalised(db, res->arena, issue))) goto oom;
    if ((error = ww_repo__candidates(&cands, &n_cands, &match, db, res->arena, issue, &res->expansion)) < 0)
        goto done;
    res->fts = match.terms;
    res->fts_outcomes = match.outcomes;
    if ((error = normalise_all(&res->norm_domains, db, res->arena, res->expansion.domains,
                               res->expansion.n_domains)) < 0 ||
        (error = normalise_all(&res->norm_terms, db, res->arena, res->expansion.terms, res->expansion.n_terms)) < 0 ||
        (error = normalise_all(&res->norm_patterns, db, res->arena, res->expansion.patterns,
                               res->expansion.n_patterns)) < 0)
        goto done;
    if (n_cands && !(res->rows = ww_arena__alloc(res->arena, n_cands * sizeof *res->rows))) goto oom;
    res->n_candidates = n_cands;
    for (size_t i = 0; i < n_cands; i++) {
        ww_query_row_int *r = &res->rows[i];
        if ((error = score_candidate(r, db, res, &cands[i])) < 0) goto done;
        if (r->left_out == LEFT_OUT_PROVISIONAL) res->n_left_provisional++;
        else if (r->left_out == LEFT_OUT_FILTER) res->n_left_filtered++;
        else shown++;
    }
    current_sort = res->opts.sort;
    if (n_cands) qsort(res->rows, n_cands, sizeof *res->rows, cmp_rows);
    res->n_listed = shown;
    res->n_rows = shown < (size_t)limit ? shown : (size_t)limit;
    for (size_t i = 0; i < res->n_rows; i++) {
        ww_query_row_int *r = &res->rows[i];
        r->row.rank = (int)i + 1;
        /* the certainty trace, for the rows shown only */
        if (r->synthesis &&
            (error = ww_repo__synthesis_trace(&((ww_synthesis_row *)r->synthesis)->certainty_trace, db,
                                              res->arena, r->intervention_id, r->synthesis->domain,
                                              r->synthesis->scope)) < 0)
            goto done;
    }
    goto done;
oom:
    error = ww__error_oom();
done:
    if (error < 0) {
        ww_query_result_free(res);
        return error;
    }
    *out = res;
    return 0;
}

void ww_query_result_free(ww_query_result *res)
{
    if (!res) return;
    ww_arena__free(res->arena);
    free(res);
}

size_t ww_query_result_count(const ww_query_result *res)
{
    return res->n_rows;
}

const ww_query_row *ww_query_result_row(const ww_query_result *res, size_t i)
{
    return i < res->n_rows ? &res->rows[i].row : NULL;
}
