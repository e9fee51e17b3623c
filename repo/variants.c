/*
 * variants.c — one normalisation of English spelling for the index and the
 * query: the FTS5 tokenizer `wwvariants`, registered on every connection,
 * maps each token through the variant table compiled in from
 * data/variants.tsv ("behavior" -> "behaviour", "programme" -> "program",
 * "anti social" -> "antisocial") before the Porter stemmer sees it. The
 * index is built with `porter wwvariants unicode61 remove_diacritics 2`,
 * and every MATCH string is tokenized by the same chain, so UK and US
 * spellings, and hyphenated, spaced and joined compounds, index and match
 * identically. The same chain, run from C (ww_repo__normalise), gives the
 * keys that match a user's text to the taxonomy's terms. docs/taxonomy.md
 * says what the table holds and why each canonical spelling was chosen.
 */
#include <stdlib.h>
#include <string.h>

#include "repo_int.h"

extern const unsigned char ww__embedded_variants_tsv[];
extern const size_t ww__embedded_variants_tsv_len;

/* The chain the index is built with (repo/schema.c, migration 2). */
static const char *chain_args[] = {"wwvariants", "unicode61", "remove_diacritics", "2"};

/* Tokens longer than this are passed on unchanged: no variant is that long. */
#define TOKEN_MAX 128
/* A suffix rule needs at least this many bytes before the ending, so that
 * "size" and "prize" are left alone while "realize" becomes "realise". */
#define SUFFIX_MIN_STEM 3

typedef enum { RULE_WORD, RULE_STEM, RULE_SUFFIX, RULE_JOIN } rule_kind;

typedef struct rule {
    rule_kind kind;
    const char *from;   /* word, stem or suffix; for a join, the first token */
    size_t from_len;
    const char *second; /* a join's second token (its start when open) */
    size_t second_len;
    int open;           /* join: the second token may go on ("offend*") */
    const char *to;     /* canonical spelling (for an open join, its start) */
    size_t to_len;
} rule;

struct ww_variants {
    char *text; /* the table's bytes, cut in place; rules point into it */
    rule *rules;
    size_t n_rules;
    int version;
    fts5_api *api;
};

/* Split s at the first c: returns the rest (after c) or NULL. */
static char *cut(char *s, char c)
{
    char *p = strchr(s, c);
    if (!p) return NULL;
    *p = '\0';
    return p + 1;
}

static int add_rule(ww_variants *v, size_t *alloc, const rule *r)
{
    if (v->n_rules == *alloc) {
        size_t na = *alloc ? *alloc * 2 : 64;
        rule *p = realloc(v->rules, na * sizeof *p);
        if (!p) return ww__error_oom();
        v->rules = p;
        *alloc = na;
    }
    v->rules[v->n_rules++] = *r;
    return 0;
}

/* One variant of a rule line: a word, or for a join "first second[*]". */
static int parse_variant(rule *r, char *variant, int lineno)
{
    r->from = variant;
    if (r->kind == RULE_JOIN) {
        char *second = cut(variant, ' ');
        size_t n;
        if (!second || !*second || strchr(second, ' '))
            return ww__error(WW_ERROR, "data/variants.tsv:%d: a join joins exactly two words", lineno);
        n = strlen(second);
        if ((second[n - 1] == '*') != r->open)
            return ww__error(WW_ERROR, "data/variants.tsv:%d: '*' on both sides of a join or neither",
                             lineno);
        r->second = second;
        r->second_len = n - (size_t)r->open;
    }
    r->from_len = strlen(r->from);
    if (!r->from_len) return ww__error(WW_ERROR, "data/variants.tsv:%d: empty variant", lineno);
    if (r->kind == RULE_STEM && strncmp(r->to, r->from, r->from_len) == 0)
        return ww__error(WW_ERROR, "data/variants.tsv:%d: the canonical stem '%s' starts with its variant",
                         lineno, r->to);
    return 0;
}

int ww_repo__variants_new(ww_variants **out)
{
    ww_variants *v;
    char *line, *next;
    size_t alloc = 0;
    int error = 0, lineno = 0;

    *out = NULL;
    if (!(v = calloc(1, sizeof *v)) || !(v->text = malloc(ww__embedded_variants_tsv_len + 1))) {
        free(v);
        return ww__error_oom();
    }
    memcpy(v->text, ww__embedded_variants_tsv, ww__embedded_variants_tsv_len + 1);
    for (line = v->text; line && *line; line = next) {
        char *kind, *to, *variants, *variant, *more;
        rule r;
        next = cut(line, '\n');
        lineno++;
        if (lineno == 1) v->version = ww_repo__version_line(line);
        if (line[0] == '#' || line[0] == '\0') continue;
        memset(&r, 0, sizeof r);
        kind = line;
        if (!(to = cut(kind, '\t')) || !(variants = cut(to, '\t')) || strchr(variants, '\t')) {
            error = ww__error(WW_ERROR, "data/variants.tsv:%d: expected 3 tab-separated columns", lineno);
            goto done;
        }
        if (strcmp(kind, "word") == 0) r.kind = RULE_WORD;
        else if (strcmp(kind, "stem") == 0) r.kind = RULE_STEM;
        else if (strcmp(kind, "suffix") == 0) r.kind = RULE_SUFFIX;
        else if (strcmp(kind, "join") == 0) r.kind = RULE_JOIN;
        else {
            error = ww__error(WW_ERROR, "data/variants.tsv:%d: unknown kind '%s'", lineno, kind);
            goto done;
        }
        r.to_len = strlen(to);
        if (r.kind == RULE_JOIN && r.to_len && to[r.to_len - 1] == '*') {
            r.open = 1;
            r.to_len--;
        }
        r.to = to;
        if (!r.to_len) {
            error = ww__error(WW_ERROR, "data/variants.tsv:%d: empty canonical spelling", lineno);
            goto done;
        }
        for (variant = variants; variant; variant = more) {
            more = cut(variant, '|');
            if ((error = parse_variant(&r, variant, lineno)) < 0 || (error = add_rule(v, &alloc, &r)) < 0)
                goto done;
        }
    }
    if (v->version <= 0)
        error = ww__error(WW_ERROR, "data/variants.tsv:1: no \"version N\" on the first line");
done:
    if (error < 0) {
        ww_repo__variants_free(v);
        return error;
    }
    *out = v;
    return 0;
}

void ww_repo__variants_free(ww_variants *v)
{
    if (!v) return;
    free(v->rules);
    free(v->text);
    free(v);
}

int ww_repo__variants_version(void)
{
    char first[128];
    size_t n = strcspn((const char *)ww__embedded_variants_tsv, "\n");
    if (n >= sizeof first) n = sizeof first - 1;
    memcpy(first, ww__embedded_variants_tsv, n);
    first[n] = '\0';
    return ww_repo__version_line(first);
}

/* Map one token: the first word, stem or suffix rule that applies, in table
 * order. Writes the canonical spelling to buf and returns its length, or
 * returns 0 when the token stays as it is. */
static size_t map_token(const ww_variants *v, const char *t, size_t n, char *buf)
{
    if (n > TOKEN_MAX) return 0;
    for (size_t i = 0; i < v->n_rules; i++) {
        const rule *r = &v->rules[i];
        switch (r->kind) {
        case RULE_WORD:
            if (n == r->from_len && memcmp(t, r->from, n) == 0) {
                memcpy(buf, r->to, r->to_len);
                return r->to_len;
            }
            break;
        case RULE_STEM:
            if (n >= r->from_len && memcmp(t, r->from, r->from_len) == 0) {
                memcpy(buf, r->to, r->to_len);
                memcpy(buf + r->to_len, t + r->from_len, n - r->from_len);
                return r->to_len + n - r->from_len;
            }
            break;
        case RULE_SUFFIX:
            if (n >= r->from_len + SUFFIX_MIN_STEM && memcmp(t + n - r->from_len, r->from, r->from_len) == 0) {
                memcpy(buf, t, n - r->from_len);
                memcpy(buf + n - r->from_len, r->to, r->to_len);
                return n - r->from_len + r->to_len;
            }
            break;
        case RULE_JOIN: break;
        }
    }
    return 0;
}

static int is_join_first(const ww_variants *v, const char *t, size_t n)
{
    for (size_t i = 0; i < v->n_rules; i++)
        if (v->rules[i].kind == RULE_JOIN && v->rules[i].from_len == n && memcmp(v->rules[i].from, t, n) == 0)
            return 1;
    return 0;
}

/* The joined token of "first second", in buf; 0 when no join applies. */
static size_t join_tokens(const ww_variants *v, const char *a, size_t na, const char *b, size_t nb, char *buf)
{
    for (size_t i = 0; i < v->n_rules; i++) {
        const rule *r = &v->rules[i];
        if (r->kind != RULE_JOIN || r->from_len != na || memcmp(r->from, a, na) != 0) continue;
        if (r->open ? nb >= r->second_len && memcmp(b, r->second, r->second_len) == 0 && nb <= TOKEN_MAX
                    : nb == r->second_len && memcmp(b, r->second, nb) == 0) {
            size_t rest = r->open ? nb - r->second_len : 0;
            memcpy(buf, r->to, r->to_len);
            memcpy(buf + r->to_len, b + r->second_len, rest);
            return r->to_len + rest;
        }
    }
    return 0;
}

/* ---- the FTS5 tokenizer ------------------------------------------------ */

typedef int (*token_fn)(void *ctx, int tflags, const char *token, int n, int start, int end);

typedef struct vtok {
    fts5_tokenizer parent;
    Fts5Tokenizer *parent_tok;
    const ww_variants *table;
} vtok;

/* One xTokenize call: a token that may start a join waits for the next. */
typedef struct vstate {
    const ww_variants *table;
    void *ctx;
    token_fn emit;
    int have;
    char pending[TOKEN_MAX];
    int n_pending, pending_flags, pending_start, pending_end;
} vstate;

static int emit_mapped(vstate *s, int tflags, const char *t, int n, int start, int end)
{
    char buf[2 * TOKEN_MAX + 64];
    size_t m = map_token(s->table, t, (size_t)n, buf);
    return m ? s->emit(s->ctx, tflags, buf, (int)m, start, end) : s->emit(s->ctx, tflags, t, n, start, end);
}

static int flush_pending(vstate *s)
{
    if (!s->have) return SQLITE_OK;
    s->have = 0;
    return emit_mapped(s, s->pending_flags, s->pending, s->n_pending, s->pending_start, s->pending_end);
}

static int on_token(void *p, int tflags, const char *t, int n, int start, int end)
{
    vstate *s = p;
    int rc;
    if (s->have && !(tflags & FTS5_TOKEN_COLOCATED)) {
        char buf[2 * TOKEN_MAX + 64];
        size_t m = join_tokens(s->table, s->pending, (size_t)s->n_pending, t, (size_t)n, buf);
        if (m) {
            s->have = 0;
            return s->emit(s->ctx, s->pending_flags, buf, (int)m, s->pending_start, end);
        }
    }
    if ((rc = flush_pending(s)) != SQLITE_OK) return rc;
    if (!(tflags & FTS5_TOKEN_COLOCATED) && n > 0 && n <= TOKEN_MAX && is_join_first(s->table, t, (size_t)n)) {
        memcpy(s->pending, t, (size_t)n);
        s->n_pending = n;
        s->pending_flags = tflags;
        s->pending_start = start;
        s->pending_end = end;
        s->have = 1;
        return SQLITE_OK;
    }
    return emit_mapped(s, tflags, t, n, start, end);
}

/* xCreate(table, {parent, parent args...}): the parent defaults to
 * unicode61 with its defaults. */
static int vtok_create(void *ctx, const char **args, int n_args, Fts5Tokenizer **out)
{
    const ww_variants *table = ctx;
    const char *parent = n_args > 0 ? args[0] : "unicode61";
    void *parent_ctx = NULL;
    vtok *t;
    int rc;
    *out = NULL;
    if (!(t = sqlite3_malloc(sizeof *t))) return SQLITE_NOMEM;
    memset(t, 0, sizeof *t);
    t->table = table;
    rc = table->api->xFindTokenizer(table->api, parent, &parent_ctx, &t->parent);
    if (rc == SQLITE_OK)
        rc = t->parent.xCreate(parent_ctx, n_args > 1 ? &args[1] : NULL, n_args > 1 ? n_args - 1 : 0,
                               &t->parent_tok);
    if (rc != SQLITE_OK) {
        sqlite3_free(t);
        return rc;
    }
    *out = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static void vtok_delete(Fts5Tokenizer *p)
{
    vtok *t = (vtok *)p;
    if (!t) return;
    if (t->parent_tok) t->parent.xDelete(t->parent_tok);
    sqlite3_free(t);
}

static int vtok_tokenize(Fts5Tokenizer *p, void *ctx, int flags, const char *text, int n, token_fn emit)
{
    vtok *t = (vtok *)p;
    vstate s;
    int rc;
    memset(&s, 0, sizeof s);
    s.table = t->table;
    s.ctx = ctx;
    s.emit = emit;
    rc = t->parent.xTokenize(t->parent_tok, &s, flags, text, n, on_token);
    if (rc == SQLITE_OK) rc = flush_pending(&s);
    return rc;
}

static void destroy_table(void *p)
{
    ww_repo__variants_free(p);
}

static int fts5_api_of(fts5_api **out, sqlite3 *sql)
{
    sqlite3_stmt *st = NULL;
    int rc;
    *out = NULL;
    rc = sqlite3_prepare_v2(sql, "SELECT fts5(?1)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)out, "fts5_api_ptr", NULL);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_OK && !*out) rc = SQLITE_ERROR;
    return rc;
}

int ww_repo__register_tokenizer(sqlite3 *sql, const char *what)
{
    static fts5_tokenizer methods = {vtok_create, vtok_delete, vtok_tokenize};
    ww_variants *table = NULL;
    fts5_api *api = NULL;
    int error, rc;
    if ((error = ww_repo__variants_new(&table)) < 0) return error;
    if ((rc = fts5_api_of(&api, sql)) != SQLITE_OK) {
        ww_repo__variants_free(table);
        if ((rc & 0xff) == SQLITE_NOMEM) return ww__error_oom();
        return ww__error(WW_ERROR, "%s: this SQLite has no FTS5 (%s)", what, sqlite3_errstr(rc));
    }
    table->api = api;
    /* On success SQLite owns the table and frees it with the connection;
     * on failure (it could not allocate) the table is still ours. */
    rc = api->xCreateTokenizer(api, "wwvariants", table, &methods, destroy_table);
    if (rc != SQLITE_OK) {
        ww_repo__variants_free(table);
        return ww_repo__sqlite_error(sql, rc, what);
    }
    return 0;
}

/* ---- the chain from C ---------------------------------------------------- */

struct ww_chain {
    fts5_tokenizer methods;
    Fts5Tokenizer *tok;
};

static int chain_open(ww_db *db)
{
    fts5_api *api = NULL;
    void *ctx = NULL;
    ww_chain *c;
    int rc;
    if (db->chain) return 0;
    if ((rc = fts5_api_of(&api, db->sql)) != SQLITE_OK) return ww_repo__sqlite_error(db->sql, rc, db->path);
    if (!(c = calloc(1, sizeof *c))) return ww__error_oom();
    rc = api->xFindTokenizer(api, "porter", &ctx, &c->methods);
    if (rc == SQLITE_OK)
        rc = c->methods.xCreate(ctx, chain_args, (int)(sizeof chain_args / sizeof chain_args[0]), &c->tok);
    if (rc != SQLITE_OK) {
        free(c);
        return (rc & 0xff) == SQLITE_NOMEM ? ww__error_oom()
                                          : ww__error(WW_ERROR, "%s: the tokenizer: %s", db->path,
                                                      sqlite3_errstr(rc));
    }
    db->chain = c;
    return 0;
}

void ww_repo__chain_free(ww_chain *c)
{
    if (!c) return;
    if (c->tok) c->methods.xDelete(c->tok);
    free(c);
}

typedef struct tokens_ctx {
    ww_repo_token_fn fn;
    void *ctx;
    int error;
} tokens_ctx;

static int on_chain_token(void *p, int tflags, const char *t, int n, int start, int end)
{
    tokens_ctx *c = p;
    if (tflags & FTS5_TOKEN_COLOCATED) return SQLITE_OK;
    if ((c->error = c->fn(c->ctx, t, (size_t)n, (size_t)start, (size_t)end)) < 0) return SQLITE_ABORT;
    return SQLITE_OK;
}

int ww_repo__tokens(ww_db *db, const char *text, size_t n, ww_repo_token_fn fn, void *ctx)
{
    tokens_ctx c = {fn, ctx, 0};
    int error, rc;
    if ((error = chain_open(db)) < 0) return error;
    if (n > (size_t)0x7fffffff) return ww__error(WW_EUSAGE, "text too long to tokenize");
    rc = db->chain->methods.xTokenize(db->chain->tok, &c, FTS5_TOKENIZE_QUERY, text, (int)n, on_chain_token);
    if (c.error < 0) return c.error;
    if (rc != SQLITE_OK)
        return (rc & 0xff) == SQLITE_NOMEM ? ww__error_oom()
                                          : ww__error(WW_ERROR, "tokenizer: %s", sqlite3_errstr(rc));
    return 0;
}

static int append_token(void *ctx, const char *t, size_t n, size_t start, size_t end)
{
    ww_buf *b = ctx;
    int error = 0;
    (void)start;
    (void)end;
    if (b->size) error = ww_buf__put(b, " ", 1);
    return error < 0 ? error : ww_buf__put(b, t, n);
}

int ww_repo__normalise(ww_buf *out, ww_db *db, const char *text)
{
    out->size = 0;
    if (out->data) out->data[0] = '\0';
    return ww_repo__tokens(db, text, strlen(text), append_token, out);
}
