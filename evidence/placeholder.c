/*
 * placeholder.c — the placeholder-name rules of data/placeholders.tsv
 * (placeholder.h). The embedded table is parsed once per process into a
 * static array (pthread_once); matching compares names case-insensitively
 * with runs of white space collapsed and the ends trimmed, so "IES Funded
 * Studies " and "ies funded  studies (NCER)" meet the same rule.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/util.h"
#include "placeholder.h"

extern const unsigned char ww__embedded_placeholders_tsv[];
extern const size_t ww__embedded_placeholders_tsv_len;

#define MAX_RULES 64
#define NAME_MAX_BYTES 512

enum match { M_EXACT, M_PREFIX, M_PARENTHESISED };

typedef struct rule {
    const char *id, *pattern, *reason;
    enum match match;
} rule;

static char *table_text;
static rule rules[MAX_RULES];
static size_t n_rules;
static int load_failed;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* Copy src into dst (n bytes) lower-cased, white space collapsed, trimmed. */
static void normalise(char *dst, size_t n, const char *src)
{
    size_t k = 0;
    int space = 0;
    for (; *src == ' ' || *src == '\t'; src++) {}
    for (; *src && k + 1 < n; src++) {
        unsigned char c = (unsigned char)*src;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = 1;
            continue;
        }
        if (space && k) dst[k++] = ' ';
        space = 0;
        if (k + 1 < n) dst[k++] = (char)tolower(c);
    }
    dst[k] = '\0';
}

static void load(void)
{
    char *line, *next;
    if (!(table_text = malloc(ww__embedded_placeholders_tsv_len + 1))) {
        load_failed = 1;
        return;
    }
    memcpy(table_text, ww__embedded_placeholders_tsv, ww__embedded_placeholders_tsv_len);
    table_text[ww__embedded_placeholders_tsv_len] = '\0';
    for (line = table_text; line && *line; line = next) {
        char *f[4];
        size_t nf = 0;
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        if (*line == '#' || !*line) continue;
        f[nf++] = line;
        for (char *p = line; *p && nf < 4; p++)
            if (*p == '\t') {
                *p = '\0';
                f[nf++] = p + 1;
            }
        if (nf != 4 || n_rules == MAX_RULES) continue; /* checked by tests/test_placeholder.c */
        rules[n_rules].id = f[0];
        rules[n_rules].match = !strcmp(f[1], "prefix")           ? M_PREFIX
                               : !strcmp(f[1], "parenthesised") ? M_PARENTHESISED
                                                                  : M_EXACT;
        normalise(f[2], strlen(f[2]) + 1, f[2]);
        rules[n_rules].pattern = f[2];
        rules[n_rules].reason = f[3];
        n_rules++;
    }
}

const char *ww_placeholder_rules_version(void)
{
    return "whatworks-placeholders/1";
}

int ww_placeholder_match(const char **rule_out, const char **reason, const char *name)
{
    char norm[NAME_MAX_BYTES];
    size_t len;
    if (rule_out) *rule_out = NULL;
    if (reason) *reason = NULL;
    if (!name) return 0;
    pthread_once(&load_once, load);
    if (load_failed) return ww__error_oom();
    normalise(norm, sizeof norm, name);
    len = strlen(norm);
    for (size_t i = 0; i < n_rules; i++) {
        const rule *r = &rules[i];
        size_t pl = strlen(r->pattern);
        int hit = 0;
        switch (r->match) {
        case M_EXACT: hit = strcmp(norm, r->pattern) == 0; break;
        case M_PREFIX:
            hit = strncmp(norm, r->pattern, pl) == 0 &&
                  (norm[pl] == '\0' || norm[pl] == ' ' || norm[pl] == '(');
            break;
        case M_PARENTHESISED:
            hit = len >= 2 && norm[0] == '(' && norm[len - 1] == ')' &&
                  !memchr(norm + 1, ')', len - 2);
            break;
        }
        if (hit) {
            if (rule_out) *rule_out = r->id;
            if (reason) *reason = r->reason;
            return 1;
        }
    }
    return 0;
}
