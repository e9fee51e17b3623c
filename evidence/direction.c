/*
 * direction.c — whether higher is better for an outcome, from what its name
 * means. WWC findings, text extracted from reports and coded effect-size
 * tables give an outcome's name and domain but not its direction, and an
 * effect that halved arrests must not pool as harm. The rules are data:
 * data/direction.tsv, compiled into the library (scripts/embed.sh) and parsed
 * once per process under pthread_once, so concurrent callers share one
 * read-only table. docs/direction.md describes the format and precedence.
 *
 * A name is split into lower-cased words; every rule is matched at every
 * word; matches are kept longest first where they overlap. The content
 * rules kept then decide by the most words; instrument defaults, then the
 * domain's default, apply only when the content says nothing. No I/O.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "direction.h"

extern const unsigned char ww__embedded_direction_tsv[];
extern const size_t ww__embedded_direction_tsv_len;

#define VERSION_PREFIX "# whatworks-direction/"
#define MAX_PATTERN_WORDS 16

typedef enum dir { DIR_HIGHER, DIR_LOWER, DIR_UNKNOWN, DIR_NEUTRAL, DIR_REVERSE } dir;
typedef enum kind { KIND_CONTENT, KIND_INSTRUMENT, KIND_MARKER, KIND_DOMAIN } kind;

typedef struct word {
    const char *text; /* lower-case, not NUL-terminated */
    size_t len;
    int stem; /* 1: matches any word beginning with text */
} word;

typedef struct rule {
    const char *id, *reason;
    dir direction;
    kind kind;
    size_t n_words;
    word words[MAX_PATTERN_WORDS];
} rule;

typedef struct lexicon {
    char *text; /* the parsed copy of the embedded file; rules point into it */
    rule *rules;
    size_t n_rules;
    char version[64];
    int rc;            /* 0, or why the lexicon could not be loaded */
    char message[256]; /* the load error, re-raised in every thread */
} lexicon;

static lexicon lex;
static pthread_once_t lex_once = PTHREAD_ONCE_INIT;

/* ---- words -------------------------------------------------------------- */

/* A name's words: spans of a lower-cased copy of the name. */
typedef struct words {
    char *buf;
    word *w;
    size_t n;
} words;

/* Decode one UTF-8 sequence at s (n bytes left): its code point, or -1 for
 * an invalid byte; *len is the bytes consumed. */
static long utf8_decode(const unsigned char *s, size_t n, size_t *len)
{
    size_t need, i;
    long cp;
    *len = 1;
    if (s[0] < 0x80) return s[0];
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        need = 1, cp = s[0] & 0x1F;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        need = 2, cp = s[0] & 0x0F;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        need = 3, cp = s[0] & 0x07;
    else
        return -1;
    if (n < need + 1) return -1;
    for (i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80) return -1;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *len = need + 1;
    return cp;
}

static int is_apostrophe(long cp)
{
    return cp == '\'' || cp == 0x2019 || cp == 0x02BC;
}

/* Letters and digits make words; apostrophes inside a word are dropped
 * ("children's" -> childrens); other punctuation, symbols (U+00AE), spaces
 * (U+00A0) and dashes separate. Letters beyond ASCII stay as they are. */
static int is_word_cp(long cp)
{
    if (cp < 0) return 0;
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    if (cp >= 0x2000 && cp <= 0x2BFF) return 0; /* general punctuation, symbols */
    if (cp >= 0x3000 && cp <= 0x303F) return 0; /* CJK punctuation */
    if (cp == 0xFEFF) return 0;
    return cp >= 0xC0 && cp != 0xD7 && cp != 0xF7; /* Latin-1 letters and beyond */
}

static int split_words(words *out, const char *text)
{
    size_t n = strlen(text), i = 0, len;
    const unsigned char *s = (const unsigned char *)text;
    char *o;
    int in_word = 0;
    out->n = 0;
    out->buf = malloc(n + 1);
    out->w = malloc((n / 2 + 1) * sizeof *out->w);
    if (!out->buf || !out->w) {
        free(out->buf);
        free(out->w);
        out->buf = NULL;
        out->w = NULL;
        return ww__error_oom();
    }
    o = out->buf;
    while (i < n) {
        long cp = utf8_decode(s + i, n - i, &len);
        if (is_word_cp(cp)) {
            if (!in_word) {
                out->w[out->n].text = o;
                out->w[out->n].len = 0;
                out->w[out->n].stem = 0;
                out->n++;
                in_word = 1;
            }
            for (size_t k = 0; k < len; k++) {
                unsigned char c = s[i + k];
                *o++ = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
            }
            out->w[out->n - 1].len += len;
        } else if (!(in_word && is_apostrophe(cp))) {
            in_word = 0;
        }
        i += len;
    }
    *o = '\0';
    return 0;
}

static void words_free(words *w)
{
    free(w->buf);
    free(w->w);
}

static int word_matches(const word *pattern, const word *w)
{
    if (pattern->stem)
        return w->len >= pattern->len && memcmp(w->text, pattern->text, pattern->len) == 0;
    return w->len == pattern->len && memcmp(w->text, pattern->text, pattern->len) == 0;
}

static int rule_matches_at(const rule *r, const words *ws, size_t at)
{
    if (at + r->n_words > ws->n) return 0;
    for (size_t k = 0; k < r->n_words; k++)
        if (!word_matches(&r->words[k], &ws->w[at + k])) return 0;
    return 1;
}

/* ---- loading the lexicon ------------------------------------------------ */

static int load_error(long line, const char *fmt, const char *what)
{
    snprintf(lex.message, sizeof lex.message, "data/direction.tsv:%ld: %s%s", line, fmt, what);
    return WW_EDATA;
}

/* Split a pattern ("drop* out") into r->words, in place. */
static int parse_pattern(rule *r, char *pattern, long line)
{
    char *p = pattern;
    r->n_words = 0;
    for (;;) {
        char *start = p;
        word *w;
        while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) p++;
        if (p == start) return load_error(line, "pattern words are [a-z0-9]+, got ", pattern);
        if (r->n_words == MAX_PATTERN_WORDS) return load_error(line, "pattern too long: ", pattern);
        w = &r->words[r->n_words++];
        w->text = start;
        w->len = (size_t)(p - start);
        w->stem = 0;
        if (*p == '*') w->stem = 1, p++;
        if (*p == '\0') return 0;
        if (*p != ' ' || p[1] == '\0')
            return load_error(line, "words are separated by one space: ", pattern);
        p++;
    }
}

static int same_pattern(const rule *a, const rule *b)
{
    if (a->kind == KIND_DOMAIN) {
        if (b->kind != KIND_DOMAIN) return 0;
    } else if (b->kind == KIND_DOMAIN) {
        return 0;
    }
    if (a->n_words != b->n_words) return 0;
    for (size_t k = 0; k < a->n_words; k++)
        if (a->words[k].len != b->words[k].len || a->words[k].stem != b->words[k].stem ||
            memcmp(a->words[k].text, b->words[k].text, a->words[k].len) != 0)
            return 0;
    return 1;
}

static int parse_rule(rule *r, char *line_text, long line)
{
    char *field[5];
    size_t nf = 0;
    char *p = line_text;
    field[nf++] = p;
    for (; *p; p++)
        if (*p == '\t') {
            *p = '\0';
            if (nf == 5) return load_error(line, "more than 5 columns", "");
            field[nf++] = p + 1;
        }
    if (nf != 5) return load_error(line, "want 5 tab-separated columns", "");
    for (size_t i = 0; i < 5; i++)
        if (!*field[i]) return load_error(line, "empty column", "");
    r->id = field[0];
    r->reason = field[4];
    if (!strcmp(field[1], "higher"))
        r->direction = DIR_HIGHER;
    else if (!strcmp(field[1], "lower"))
        r->direction = DIR_LOWER;
    else if (!strcmp(field[1], "unknown"))
        r->direction = DIR_UNKNOWN;
    else if (!strcmp(field[1], "neutral"))
        r->direction = DIR_NEUTRAL;
    else if (!strcmp(field[1], "reverse"))
        r->direction = DIR_REVERSE;
    else
        return load_error(line, "direction is higher, lower, unknown, neutral or reverse, got ",
                          field[1]);
    if (!strcmp(field[2], "word") || !strcmp(field[2], "phrase"))
        r->kind = KIND_CONTENT;
    else if (!strcmp(field[2], "instrument"))
        r->kind = KIND_INSTRUMENT;
    else if (!strcmp(field[2], "marker"))
        r->kind = KIND_MARKER;
    else if (!strcmp(field[2], "domain"))
        r->kind = KIND_DOMAIN;
    else
        return load_error(line, "match is word, phrase, instrument, marker or domain, got ",
                          field[2]);
    if ((r->kind == KIND_MARKER) != (r->direction == DIR_REVERSE))
        return load_error(line, "reverse goes with marker, and only with it: ", r->id);
    if (r->direction == DIR_UNKNOWN && r->kind != KIND_CONTENT)
        return load_error(line, "unknown goes with word or phrase: ", r->id);
    if (r->kind == KIND_DOMAIN && r->direction == DIR_NEUTRAL)
        return load_error(line, "a domain default is higher or lower: ", r->id);
    if (parse_pattern(r, field[3], line) < 0) return WW_EDATA;
    if (!strcmp(field[2], "word") && r->n_words != 1)
        return load_error(line, "a word rule has one word: ", r->id);
    if (!strcmp(field[2], "phrase") && r->n_words < 2)
        return load_error(line, "a phrase rule has two or more words: ", r->id);
    return 0;
}

static int load(void)
{
    size_t n = ww__embedded_direction_tsv_len, cap = 0, ver_len;
    char *p, *eol, *next;
    rule *r;
    long line = 1;
    if (!(lex.text = malloc(n + 1))) return WW_ENOMEM;
    memcpy(lex.text, ww__embedded_direction_tsv, n);
    lex.text[n] = '\0';
    for (p = lex.text; *p; p++) cap += *p == '\n';
    if (!(lex.rules = calloc(cap + 1, sizeof *lex.rules))) return WW_ENOMEM;

    /* The first line names the rule set's version: "# whatworks-direction/N". */
    eol = strchr(lex.text, '\n');
    if (!eol || strncmp(lex.text, VERSION_PREFIX, strlen(VERSION_PREFIX)) != 0)
        return load_error(1, "the first line is \"" VERSION_PREFIX "N\"", "");
    *eol = '\0';
    if (eol > lex.text && eol[-1] == '\r') eol[-1] = '\0';
    ver_len = strlen(lex.text + 2);
    if (ver_len >= sizeof lex.version || !lex.text[strlen(VERSION_PREFIX)])
        return load_error(1, "bad version line", "");
    memcpy(lex.version, lex.text + 2, ver_len + 1);

    for (p = eol + 1; *p; p = next) {
        line++;
        eol = strchr(p, '\n');
        if (eol) {
            *eol = '\0';
            next = eol + 1;
        } else {
            eol = p + strlen(p);
            next = eol;
        }
        if (eol > p && eol[-1] == '\r') eol[-1] = '\0';
        if (*p == '#' || *p == '\0') continue;
        r = &lex.rules[lex.n_rules];
        if (parse_rule(r, p, line) < 0) return WW_EDATA;
        for (size_t i = 0; i < lex.n_rules; i++) {
            if (!strcmp(lex.rules[i].id, r->id))
                return load_error(line, "duplicate rule id ", r->id);
            if (same_pattern(&lex.rules[i], r))
                return load_error(line, "duplicate pattern in ", r->id);
        }
        lex.n_rules++;
    }
    return 0;
}

static void load_once(void)
{
    lex.rc = load();
    if (lex.rc == WW_ENOMEM) snprintf(lex.message, sizeof lex.message, "out of memory");
    if (lex.rc < 0) {
        free(lex.rules);
        free(lex.text);
        lex.rules = NULL;
        lex.text = NULL;
        lex.n_rules = 0;
    }
}

static int lexicon_get(void)
{
    if (pthread_once(&lex_once, load_once) != 0)
        return ww__error(WW_ENOMEM, "direction lexicon: pthread_once failed");
    if (lex.rc == WW_ENOMEM) return ww__error_oom();
    if (lex.rc < 0) return ww__error(lex.rc, "%s", lex.message);
    return 0;
}

const char *ww_direction_lexicon_version(void)
{
    return lexicon_get() < 0 ? NULL : lex.version;
}

/* ---- classifying -------------------------------------------------------- */

typedef struct match {
    size_t rule, at;
} match;

static int match_cmp(const void *a, const void *b)
{
    const match *x = a, *y = b;
    size_t lx = lex.rules[x->rule].n_words, ly = lex.rules[y->rule].n_words;
    if (lx != ly) return lx > ly ? -1 : 1;
    if (x->at != y->at) return x->at < y->at ? -1 : 1;
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static void set_verdict(ww_direction_verdict *out, const rule *r, dir d)
{
    out->higher_is_better = d == DIR_HIGHER ? 1 : d == DIR_LOWER ? 0 : -1;
    out->rule = r->id;
    out->reason = r->reason;
}

/* The domain's default, if the whole domain matches a domain rule. */
static int domain_default(ww_direction_verdict *out, const char *domain)
{
    words ws;
    int rc;
    if (!domain) return 0;
    if ((rc = split_words(&ws, domain)) < 0) return rc;
    for (size_t i = 0; i < lex.n_rules; i++) {
        const rule *r = &lex.rules[i];
        if (r->kind == KIND_DOMAIN && r->n_words == ws.n && rule_matches_at(r, &ws, 0)) {
            set_verdict(out, r, r->direction);
            break;
        }
    }
    words_free(&ws);
    return 0;
}

int ww_direction_classify(ww_direction_verdict *out, const char *name, const char *domain)
{
    words ws = {NULL, NULL, 0};
    match *m = NULL;
    unsigned char *covered = NULL;
    size_t n_m = 0, cap_m = 0;
    const rule *best = NULL, *instrument = NULL, *marker = NULL;
    int rc, contradiction = 0, instrument_conflict = 0, flips = 0;

    if (!out) return ww__error(WW_EUSAGE, "ww_direction_classify: out is NULL");
    out->higher_is_better = -1;
    out->rule = NULL;
    out->reason = NULL;
    if (!name) return ww__error(WW_EUSAGE, "ww_direction_classify: name is NULL");
    if ((rc = lexicon_get()) < 0) return rc;
    if ((rc = split_words(&ws, name)) < 0) return rc;

    /* Every match of every content, instrument and marker rule. */
    for (size_t at = 0; at < ws.n; at++)
        for (size_t i = 0; i < lex.n_rules; i++) {
            if (lex.rules[i].kind == KIND_DOMAIN || !rule_matches_at(&lex.rules[i], &ws, at))
                continue;
            if (n_m == cap_m) {
                size_t nc = cap_m ? 2 * cap_m : 16;
                match *g = realloc(m, nc * sizeof *m);
                if (!g) {
                    rc = ww__error_oom();
                    goto done;
                }
                m = g;
                cap_m = nc;
            }
            m[n_m].rule = i;
            m[n_m].at = at;
            n_m++;
        }

    /* Longest first; a match is kept only if none of its words is taken. */
    if (n_m) {
        qsort(m, n_m, sizeof *m, match_cmp);
        if (!(covered = calloc(ws.n, 1))) {
            rc = ww__error_oom();
            goto done;
        }
    }
    for (size_t j = 0; j < n_m; j++) {
        const rule *r = &lex.rules[m[j].rule];
        size_t k;
        for (k = 0; k < r->n_words; k++)
            if (covered[m[j].at + k]) break;
        if (k < r->n_words) continue;
        memset(covered + m[j].at, 1, r->n_words);
        switch (r->kind) {
        case KIND_MARKER:
            flips++;
            if (!marker) marker = r;
            break;
        case KIND_INSTRUMENT:
            if (r->direction == DIR_NEUTRAL) break;
            if (!instrument)
                instrument = r;
            else if (instrument->direction != r->direction)
                instrument_conflict = 1;
            break;
        case KIND_CONTENT:
            if (r->direction == DIR_NEUTRAL) break;
            /* m is sorted longest first, so the first content rule kept has
             * the most words; a rule as long that disagrees is a contradiction. */
            if (!best)
                best = r;
            else if (r->n_words == best->n_words && r->direction != best->direction)
                contradiction = 1;
            break;
        case KIND_DOMAIN: break;
        }
    }

    if (contradiction) goto done; /* unknown: equally specific cues disagree */
    if (best) {
        if (best->direction == DIR_UNKNOWN)
            set_verdict(out, best, DIR_UNKNOWN);
        else if (flips % 2)
            set_verdict(out, marker, best->direction == DIR_HIGHER ? DIR_LOWER : DIR_HIGHER);
        else
            set_verdict(out, best, best->direction);
        goto done;
    }
    if (flips) goto done; /* "not ..." of nothing the lexicon knows: unknown */
    if (instrument) {
        if (!instrument_conflict) set_verdict(out, instrument, instrument->direction);
        goto done;
    }
    rc = domain_default(out, domain);

done:
    free(covered);
    free(m);
    words_free(&ws);
    return rc < 0 ? rc : 0;
}
