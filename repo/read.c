/*
 * read.c — the read side of the repository for the query layer: expand a
 * presenting issue through the taxonomy, build the FTS5 expressions (every
 * string quoted, here, next to the MATCH that uses them), find candidate
 * interventions, and fetch the effects and descriptions behind them.
 * Results are plain structs in the caller's arena; no SQLite type leaves
 * this file.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "repo_int.h"

/* A growable array of pointers or structs, moved into the arena at the end. */
typedef struct vec {
    void *items;
    size_t n, alloc, size;
} vec;

static void *vec_push(vec *v)
{
    if (v->n == v->alloc) {
        size_t na = v->alloc ? v->alloc * 2 : 8;
        void *p = realloc(v->items, na * v->size);
        if (!p) {
            ww__error_oom();
            return NULL;
        }
        v->items = p;
        v->alloc = na;
    }
    return memset((char *)v->items + v->n++ * v->size, 0, v->size);
}

static void *vec_to_arena(vec *v, ww_arena *arena)
{
    void *p = ww_arena__alloc(arena, v->n ? v->n * v->size : 1);
    if (p && v->n) memcpy(p, v->items, v->n * v->size);
    free(v->items);
    v->items = NULL;
    return p;
}

static int step_error(ww_db *db, int rc)
{
    return ww_repo__sqlite_error(db->sql, rc, db->path);
}

int ww_repo__issue_expand(ww_issue_expansion *out, ww_db *db, ww_arena *arena, const char *text)
{
    sqlite3_stmt *st = NULL;
    vec slugs = {NULL, 0, 0, sizeof(char *)}, terms = {NULL, 0, 0, sizeof(char *)},
        domains = {NULL, 0, 0, sizeof(char *)}, ids = {NULL, 0, 0, sizeof(int64_t)},
        patterns = {NULL, 0, 0, sizeof(char *)};
    ww_buf norm = WW_BUF_INIT;
    int error = 0, rc;

    memset(out, 0, sizeof *out);
    /* The text as the index sees it: "Anti social behavior" and the term
     * "anti-social behaviour" have one key. */
    if ((error = ww_repo__normalise(&norm, db, text)) < 0) return error;
    /* The matched issues, then every narrower issue below them. */
    if ((error = ww_repo__prepare(
             &st, db,
             "WITH RECURSIVE matched(id) AS ("
             "  SELECT issue_id FROM issue_term WHERE ?2 <> '' AND norm = ?2"
             "  UNION SELECT id FROM issue WHERE slug = trim(?1) COLLATE NOCASE"
             "), sub(id, depth) AS ("
             "  SELECT id, 0 FROM matched"
             "  UNION SELECT i.id, sub.depth + 1 FROM issue i JOIN sub ON i.parent_id = sub.id"
             ") SELECT i.id, i.slug, i.domains, min(sub.depth) AS d FROM sub JOIN issue i ON i.id = sub.id"
             "  GROUP BY i.id ORDER BY d, i.id")) < 0)
        goto done;
    sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, norm.data ? norm.data : "", (int)norm.size, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t *id = vec_push(&ids);
        const char **slug = vec_push(&slugs);
        const char *dl = (const char *)sqlite3_column_text(st, 2);
        if (!id || !slug) goto oom;
        *id = sqlite3_column_int64(st, 0);
        if (!(*slug = ww_repo__col_text(st, 1, arena))) goto oom;
        /* domains are comma-separated; keep each once */
        while (dl && *dl) {
            size_t len = strcspn(dl, ",");
            int seen = 0;
            for (size_t k = 0; k < domains.n; k++) {
                const char *d = ((const char **)domains.items)[k];
                if (strlen(d) == len && strncmp(d, dl, len) == 0) seen = 1;
            }
            if (len && !seen) {
                const char **d = vec_push(&domains);
                if (!d || !(*d = ww_arena__strndup(arena, dl, len))) goto oom;
            }
            dl += len + (dl[len] == ',');
        }
    }
    if (rc != SQLITE_DONE) {
        error = step_error(db, rc);
        goto done;
    }
    ww_repo__release(db, st);
    st = NULL;

    /* Their terms, then their outcome-measure patterns, each once. */
    for (int pass = 0; pass < 2 && ids.n; pass++) {
        vec *into = pass ? &patterns : &terms;
        if ((error = ww_repo__prepare(&st, db,
                                      pass ? "SELECT pattern FROM issue_pattern WHERE issue_id = ?1 ORDER BY rowid"
                                           : "SELECT term FROM issue_term WHERE issue_id = ?1 ORDER BY term")) < 0)
            goto done;
        for (size_t k = 0; k < ids.n; k++) {
            sqlite3_bind_int64(st, 1, ((int64_t *)ids.items)[k]);
            while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *v = (const char *)sqlite3_column_text(st, 0);
                const char **t;
                int seen = 0;
                for (size_t j = 0; j < into->n && !seen; j++)
                    seen = strcasecmp(((const char **)into->items)[j], v) == 0;
                if (seen) continue;
                if (!(t = vec_push(into)) || !(*t = ww_repo__col_text(st, 0, arena))) goto oom;
            }
            if (rc != SQLITE_DONE) {
                error = step_error(db, rc);
                goto done;
            }
            sqlite3_reset(st);
        }
        ww_repo__release(db, st);
        st = NULL;
    }
    out->n_slugs = slugs.n;
    out->n_terms = terms.n;
    out->n_domains = domains.n;
    out->n_issue_ids = ids.n;
    out->n_patterns = patterns.n;
    if (!(out->slugs = vec_to_arena(&slugs, arena)) || !(out->terms = vec_to_arena(&terms, arena)) ||
        !(out->domains = vec_to_arena(&domains, arena)) ||
        !(out->issue_ids = vec_to_arena(&ids, arena)) || !(out->patterns = vec_to_arena(&patterns, arena)))
        goto oom;
    goto done;
oom:
    error = ww__error_oom();
done:
    ww_repo__release(db, st);
    free(slugs.items);
    free(terms.items);
    free(domains.items);
    free(ids.items);
    free(patterns.items);
    ww_buf__free(&norm);
    return error;
}

char *ww_repo__normalised(ww_db *db, ww_arena *arena, const char *text)
{
    ww_buf b = WW_BUF_INIT;
    char *s = NULL;
    if (ww_repo__normalise(&b, db, text) == 0 && !(s = ww_arena__strndup(arena, b.data ? b.data : "", b.size)))
        ww__error_oom();
    ww_buf__free(&b);
    return s;
}

/* Append s to b as one FTS5 string: wrapped in double quotes, with every
 * double quote inside doubled (FTS5 query syntax, "FTS5 Strings"). Inside a
 * string, operators such as NEAR, AND, * and ^ and column filters are
 * ordinary text, which the tokenizer splits into words like any other. */
static int fts_quote(ww_buf *b, const char *s, size_t n)
{
    int error;
    if ((error = ww_buf__put(b, "\"", 1)) < 0) return error;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' && (error = ww_buf__put(b, "\"", 1)) < 0) return error;
        if ((error = ww_buf__put(b, &s[i], 1)) < 0) return error;
    }
    return ww_buf__put(b, "\"", 1);
}

typedef struct words_ctx {
    ww_buf *b;
    const char *text;
    size_t n_words;
    int n_tokens; /* of the current string, to skip those with none */
} words_ctx;

static int count_token(void *ctx, const char *t, size_t n, size_t start, size_t end)
{
    (void)t;
    (void)n;
    (void)start;
    (void)end;
    ((words_ctx *)ctx)->n_tokens++;
    return 0;
}

/* Each word of the user's text as its own quoted string, AND-ed. The words
 * are the tokenizer's, so a compound of the variant table ("anti social")
 * is one string and stays one word; the span quoted is the user's own
 * text, which FTS5 tokenizes again with the same chain. */
static int add_word(void *ctx, const char *t, size_t n, size_t start, size_t end)
{
    words_ctx *w = ctx;
    int error = 0;
    (void)t;
    (void)n;
    if (++w->n_words > WW_REPO_QUERY_MAX_WORDS)
        return ww__error(WW_EUSAGE, "the query has more than %d words; name the issue in fewer",
                         WW_REPO_QUERY_MAX_WORDS);
    if (w->b->size) error = ww_buf__puts(w->b, " AND ");
    return error < 0 ? error : fts_quote(w->b, w->text + start, end - start);
}

/* The taxonomy's strings OR-ed, each quoted; those the tokenizer finds no
 * word in are left out (FTS5 would match nothing with them). With column,
 * the whole is restricted to that column ("title : (...)"). */
static int or_strings(char **out, ww_db *db, const char *const *s, size_t n, const char *column)
{
    ww_buf b = WW_BUF_INIT;
    int error = 0;
    *out = NULL;
    for (size_t i = 0; i < n && error == 0; i++) {
        words_ctx probe = {NULL, NULL, 0, 0};
        if ((error = ww_repo__tokens(db, s[i], strlen(s[i]), count_token, &probe)) < 0) break;
        if (!probe.n_tokens) continue;
        if (b.size) error = ww_buf__puts(&b, " OR ");
        else if (column) error = ww_buf__printf(&b, "%s : (", column);
        if (!error) error = fts_quote(&b, s[i], strlen(s[i]));
    }
    if (!error && b.size && column) error = ww_buf__puts(&b, ")");
    if (error < 0) {
        ww_buf__free(&b);
        return error;
    }
    if (b.size) *out = ww_buf__detach(&b);
    return 0;
}

static int build_match(ww_match *m, ww_db *db, ww_arena *arena, const char *text, const ww_issue_expansion *x)
{
    char *terms = NULL, *outcomes = NULL;
    int error = 0;
    memset(m, 0, sizeof *m);
    if (strlen(text) > WW_REPO_QUERY_MAX_BYTES)
        return ww__error(WW_EUSAGE, "the query is %zu bytes long; at most %d are matched", strlen(text),
                         WW_REPO_QUERY_MAX_BYTES);
    if (x->n_slugs) {
        if ((error = or_strings(&terms, db, x->terms, x->n_terms, NULL)) == 0)
            error = or_strings(&outcomes, db, x->patterns, x->n_patterns, "title");
    } else {
        ww_buf b = WW_BUF_INIT;
        words_ctx w = {&b, text, 0, 0};
        if ((error = ww_repo__tokens(db, text, strlen(text), add_word, &w)) == 0 && b.size)
            terms = ww_buf__detach(&b);
        ww_buf__free(&b);
    }
    if (error == 0 && ((terms && !(m->terms = ww_arena__strdup(arena, terms))) ||
                       (outcomes && !(m->outcomes = ww_arena__strdup(arena, outcomes)))))
        error = ww__error_oom();
    free(terms);
    free(outcomes);
    return error;
}

int ww_repo__candidates(ww_candidate **out, size_t *n_out, ww_match *match, ww_db *db, ww_arena *arena,
                        const char *text, const ww_issue_expansion *x)
{
    sqlite3_stmt *st = NULL;
    vec v = {NULL, 0, 0, sizeof(ww_candidate)};
    ww_buf ids = WW_BUF_INIT;
    int error, rc;

    *out = NULL;
    *n_out = 0;
    if ((error = build_match(match, db, arena, text, x)) < 0) return error;
    if ((error = ww_buf__puts(&ids, "[")) < 0) return error;
    for (size_t i = 0; i < x->n_issue_ids; i++)
        if ((error = ww_buf__printf(&ids, "%s%lld", i ? "," : "", (long long)x->issue_ids[i])) < 0)
            goto done;
    if ((error = ww_buf__puts(&ids, "]")) < 0) goto done;

    /* bm25() is negative, lower is better; an intervention only linked by
     * an issue tag scores 0. ?1 and ?3 were quoted by build_match(). */
    if ((error = ww_repo__prepare(
             &st, db,
             "SELECT i.id, i.slug, i.name, min(m.score), max(m.linked),"
             "       group_concat(DISTINCT m.matched), i.is_example, i.population, i.setting,"
             "       i.cost_per_participant, coalesce(i.cost_price_year, 0),"
             "       (SELECT group_concat(DISTINCT s.country) FROM study s"
             "         WHERE s.intervention_id = i.id AND s.withdrawn_at IS NULL),"
             /* the benefit-cost ratio: no table holds one yet, so NULL; the
              * query sorts and writes whatever this column gives */
             "       NULL,"
             "       (SELECT coalesce(min(s.provisional), 0) FROM study s"
             "         WHERE s.intervention_id = i.id AND s.withdrawn_at IS NULL)"
             " FROM (SELECT d.intervention_id AS iid, bm25(search_fts, 10.0, 1.0) AS score,"
             "              0 AS linked, d.kind AS matched"
             "         FROM search_fts JOIN search_doc d ON d.id = search_fts.rowid"
             "        WHERE ?1 IS NOT NULL AND search_fts MATCH ?1"
             "       UNION ALL"
             "       SELECT d.intervention_id, bm25(search_fts, 10.0, 1.0), 0, 'outcome measure'"
             "         FROM search_fts JOIN search_doc d ON d.id = search_fts.rowid"
             "        WHERE ?3 IS NOT NULL AND search_fts MATCH ?3 AND d.kind = 'outcome'"
             "       UNION ALL"
             "       SELECT intervention_id, 0.0, 1, 'issue tag' FROM intervention_issue"
             "        WHERE issue_id IN (SELECT value FROM json_each(?2))) m"
             " JOIN intervention i ON i.id = m.iid"
             " WHERE i.placeholder IS NULL" /* placeholders and umbrellas are never ranked */
             " GROUP BY i.id ORDER BY min(m.score), i.slug")) < 0)
        goto done;
    if (match->terms) sqlite3_bind_text(st, 1, match->terms, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, 1);
    sqlite3_bind_text(st, 2, ids.data, -1, SQLITE_STATIC);
    if (match->outcomes) sqlite3_bind_text(st, 3, match->outcomes, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, 3);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ww_candidate *c = vec_push(&v);
        if (!c) goto oom;
        c->id = sqlite3_column_int64(st, 0);
        c->relevance = sqlite3_column_double(st, 3);
        c->linked = sqlite3_column_int(st, 4);
        c->is_example = sqlite3_column_int(st, 6);
        if (!(c->slug = ww_repo__col_text(st, 1, arena)) || !(c->name = ww_repo__col_text(st, 2, arena)) ||
            !(c->matched = ww_repo__col_text(st, 5, arena)))
            goto oom;
        c->population = ww_repo__col_text(st, 7, arena);
        c->setting = ww_repo__col_text(st, 8, arena);
        c->countries = ww_repo__col_text(st, 11, arena);
        c->cost_per_participant =
            sqlite3_column_type(st, 9) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 9);
        c->cost_price_year = sqlite3_column_int(st, 10);
        c->bcr = sqlite3_column_type(st, 12) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 12);
        c->all_provisional = sqlite3_column_int(st, 13);
    }
    if (rc != SQLITE_DONE) {
        error = step_error(db, rc);
        goto done;
    }
    *n_out = v.n;
    if (!(*out = vec_to_arena(&v, arena))) goto oom;
    goto done;
oom:
    error = ww__error_oom();
done:
    ww_repo__release(db, st);
    free(v.items);
    ww_buf__free(&ids);
    return error;
}

static double col_double_or_nan(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col);
}

int ww_repo__effects(ww_effect_row **out, size_t *n_out, ww_db *db, ww_arena *arena,
                     int64_t intervention_id)
{
    sqlite3_stmt *st = NULL;
    vec v = {NULL, 0, 0, sizeof(ww_effect_row)};
    int error, rc;

    *out = NULL;
    *n_out = 0;
    if ((error = ww_repo__prepare(
             &st, db,
             "SELECT coalesce(e.id, 0), s.id, e.metric, e.yi, e.vi, o.higher_is_better, o.name, o.domain,"
             "       o.timepoint, coalesce(e.n_participants, -1), s.provisional, s.title,"
             "       coalesce(s.year, -1), s.design, coalesce(e.location, o.location), src.sha256,"
             "       e.smd_correction, e.reported_estimate, e.reported_ci_low, e.reported_ci_high,"
             "       coalesce(e.extracted, 0), e.confidence, o.direction_rule,"
             "       coalesce(s.rigour_level, -1), s.wwc_rating, s.design_basis, s.study_key,"
             "       s.withdrawn_at, s.withdrawn_reason,"
             "       e.flag, e.flag_reason, e.design_effect, e.clustering, e.vi_uncorrected"
             "  FROM outcome o JOIN study s ON s.id = o.study_id"
             "  JOIN source src ON src.id = coalesce(o.source_id, s.source_id)"
             "  LEFT JOIN effect e ON e.outcome_id = o.id"
             " WHERE s.intervention_id = ?1 ORDER BY s.year, s.id, o.id, e.id")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, intervention_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ww_effect_row *r = vec_push(&v);
        if (!r) goto oom;
        r->effect_id = sqlite3_column_int64(st, 0);
        r->study_id = sqlite3_column_int64(st, 1);
        r->yi = col_double_or_nan(st, 3);
        r->vi = col_double_or_nan(st, 4);
        r->higher_is_better = sqlite3_column_int(st, 5);
        r->n_participants = (long)sqlite3_column_int64(st, 9);
        r->provisional = sqlite3_column_int(st, 10);
        r->year = sqlite3_column_int(st, 12);
        r->reported_estimate = col_double_or_nan(st, 17);
        r->reported_ci_low = col_double_or_nan(st, 18);
        r->reported_ci_high = col_double_or_nan(st, 19);
        r->extracted = sqlite3_column_int(st, 20);
        r->confidence = col_double_or_nan(st, 21);
        r->metric = ww_repo__col_text(st, 2, arena);
        r->outcome = ww_repo__col_text(st, 6, arena);
        r->domain = ww_repo__col_text(st, 7, arena);
        r->timepoint = ww_repo__col_text(st, 8, arena);
        r->study_title = ww_repo__col_text(st, 11, arena);
        r->design = ww_repo__col_text(st, 13, arena);
        r->location = ww_repo__col_text(st, 14, arena);
        r->source_sha256 = ww_repo__col_text(st, 15, arena);
        r->smd_correction = ww_repo__col_text(st, 16, arena);
        r->direction_rule = ww_repo__col_text(st, 22, arena);
        r->rigour_level = sqlite3_column_int(st, 23);
        r->wwc_rating = ww_repo__col_text(st, 24, arena);
        r->design_basis = ww_repo__col_text(st, 25, arena);
        r->study_key = ww_repo__col_text(st, 26, arena);
        r->withdrawn_at = ww_repo__col_text(st, 27, arena);
        r->withdrawn_reason = ww_repo__col_text(st, 28, arena);
        r->flag = ww_repo__col_text(st, 29, arena);
        r->flag_reason = ww_repo__col_text(st, 30, arena);
        r->design_effect = col_double_or_nan(st, 31);
        r->clustering = ww_repo__col_text(st, 32, arena);
        r->vi_uncorrected = col_double_or_nan(st, 33);
        if ((sqlite3_column_type(st, 2) != SQLITE_NULL && !r->metric) || !r->outcome ||
            !r->location || !r->source_sha256)
            goto oom;
    }
    if (rc != SQLITE_DONE) {
        error = step_error(db, rc);
        goto done;
    }
    *n_out = v.n;
    if (!(*out = vec_to_arena(&v, arena))) goto oom;
    goto done;
oom:
    error = ww__error_oom();
done:
    ww_repo__release(db, st);
    free(v.items);
    return error;
}

int ww_repo__intervention(ww_intervention_row *out, ww_db *db, ww_arena *arena,
                          const char *slug_or_name)
{
    sqlite3_stmt *st = NULL;
    vec issues = {NULL, 0, 0, sizeof(char *)};
    int error, rc;

    memset(out, 0, sizeof *out);
    if ((error = ww_repo__prepare(
             &st, db,
             "SELECT id, slug, name, description, population, setting, delivery,"
             "       cost_per_participant, coalesce(cost_price_year, -1), cost_payer, is_example,"
             "       placeholder"
             "  FROM intervention WHERE slug = ?1 OR name = ?1 COLLATE NOCASE"
             " ORDER BY slug = ?1 DESC LIMIT 1")) < 0)
        return error;
    sqlite3_bind_text(st, 1, slug_or_name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        error = ww__error(WW_ENOTFOUND, "no intervention '%s' (try `whatworks query`)", slug_or_name);
        goto done;
    }
    if (rc != SQLITE_ROW) {
        error = step_error(db, rc);
        goto done;
    }
    out->id = sqlite3_column_int64(st, 0);
    out->slug = ww_repo__col_text(st, 1, arena);
    out->name = ww_repo__col_text(st, 2, arena);
    out->description = ww_repo__col_text(st, 3, arena);
    out->population = ww_repo__col_text(st, 4, arena);
    out->setting = ww_repo__col_text(st, 5, arena);
    out->delivery = ww_repo__col_text(st, 6, arena);
    out->cost_per_participant = col_double_or_nan(st, 7);
    out->cost_price_year = sqlite3_column_int(st, 8);
    out->cost_payer = ww_repo__col_text(st, 9, arena);
    out->is_example = sqlite3_column_int(st, 10);
    out->placeholder = ww_repo__col_text(st, 11, arena);
    if (!out->slug || !out->name) goto oom;
    ww_repo__release(db, st);
    st = NULL;

    if ((error = ww_repo__prepare(&st, db,
                                  "SELECT DISTINCT i.slug FROM intervention_issue ii JOIN issue i"
                                  " ON i.id = ii.issue_id WHERE ii.intervention_id = ?1 ORDER BY i.id")) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, out->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char **s = vec_push(&issues);
        if (!s || !(*s = ww_repo__col_text(st, 0, arena))) goto oom;
    }
    if (rc != SQLITE_DONE) {
        error = step_error(db, rc);
        goto done;
    }
    out->n_issues = issues.n;
    if (!(out->issues = vec_to_arena(&issues, arena))) goto oom;
    goto done;
oom:
    error = ww__error_oom();
done:
    ww_repo__release(db, st);
    free(issues.items);
    return error;
}

int ww_repo__published_ratings(ww_published_rating **out, size_t *n_out, ww_db *db,
                               ww_arena *arena, int64_t intervention_id)
{
    sqlite3_stmt *st = NULL;
    vec v = {NULL, 0, 0, sizeof(ww_published_rating)};
    int error, rc;

    *out = NULL;
    *n_out = 0;
    if ((error = ww_repo__prepare(
             &st, db,
             "SELECT j.body, j.domain, j.rating, j.protocol, j.url, j.location, src.name,"
             "       coalesce(j.n_studies, -1)"
             "  FROM intervention_key k JOIN judgement j ON j.scope = 'intervention'"
             "   AND j.identity_ns = k.identity_ns AND j.key = k.key"
             "  JOIN source src ON src.id = j.source_id"
             " WHERE k.intervention_id = ?1 ORDER BY j.domain, j.id")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, intervention_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ww_published_rating *r = vec_push(&v);
        if (!r) goto oom;
        r->body = ww_repo__col_text(st, 0, arena);
        r->domain = ww_repo__col_text(st, 1, arena);
        r->rating = ww_repo__col_text(st, 2, arena);
        r->protocol = ww_repo__col_text(st, 3, arena);
        r->url = ww_repo__col_text(st, 4, arena);
        r->location = ww_repo__col_text(st, 5, arena);
        r->source_name = ww_repo__col_text(st, 6, arena);
        r->n_studies = (long)sqlite3_column_int64(st, 7);
        if (!r->body || !r->domain || !r->location) goto oom;
    }
    if (rc != SQLITE_DONE) {
        error = step_error(db, rc);
        goto done;
    }
    *n_out = v.n;
    if (!(*out = vec_to_arena(&v, arena))) goto oom;
    goto done;
oom:
    error = ww__error_oom();
done:
    ww_repo__release(db, st);
    free(v.items);
    return error;
}

int ww_repo__issues(ww_issue_row **out, size_t *n_out, ww_db *db, ww_arena *arena)
{
    sqlite3_stmt *st = NULL;
    vec v = {NULL, 0, 0, sizeof(ww_issue_row)};
    int error, rc;

    *out = NULL;
    *n_out = 0;
    if ((error = ww_repo__prepare(
             &st, db,
             "SELECT i.slug, coalesce(p.slug, ''), i.label, i.domains,"
             "       (SELECT group_concat(term, '|') FROM (SELECT term FROM issue_term t"
             "          WHERE t.issue_id = i.id AND t.term <> i.label ORDER BY rowid)),"
             "       (SELECT group_concat(pattern, '|') FROM (SELECT pattern FROM issue_pattern q"
             "          WHERE q.issue_id = i.id ORDER BY rowid))"
             "  FROM issue i LEFT JOIN issue p ON p.id = i.parent_id ORDER BY i.id")) < 0)
        return error;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ww_issue_row *r = vec_push(&v);
        if (!r) goto oom;
        r->slug = ww_repo__col_text(st, 0, arena);
        r->parent = ww_repo__col_text(st, 1, arena);
        r->label = ww_repo__col_text(st, 2, arena);
        r->domains = ww_repo__col_text(st, 3, arena);
        r->terms = ww_repo__col_text(st, 4, arena);
        r->patterns = ww_repo__col_text(st, 5, arena);
        if (!r->slug || !r->parent || !r->label || !r->domains) goto oom;
        if (!r->terms) r->terms = "";
        if (!r->patterns) r->patterns = "";
    }
    if (rc != SQLITE_DONE) {
        error = step_error(db, rc);
        goto done;
    }
    *n_out = v.n;
    if (!(*out = vec_to_arena(&v, arena))) goto oom;
    goto done;
oom:
    error = ww__error_oom();
done:
    ww_repo__release(db, st);
    free(v.items);
    return error;
}

/* The scopes a request admits (?2 machine-extracted, ?3 flagged), and of
 * those the most inclusive stored for a domain (synth.c stores a scope only
 * when it differs from the smaller ones, so the choice is unique). */
#define SCOPE_ADMITTED(t)                                                                          \
    "(" t ".scope = 'reviewed' OR (" t ".scope = 'all' AND ?2) OR"                                  \
    " (" t ".scope = 'reviewed+flagged' AND ?3) OR (" t ".scope = 'all+flagged' AND ?2 AND ?3))"
#define SCOPE_RANK(t)                                                                              \
    "(CASE " t ".scope WHEN 'reviewed' THEN 0 WHEN 'all+flagged' THEN 2 ELSE 1 END)"

#define SYNTHESES_SQL(trace)                                                                       \
    "SELECT domain, metric, method, k, n_effects, n_other_scale,"                                  \
    "       coalesce(n_participants, -1), estimate, se, ci_low, ci_high, tau2, i2, q,"              \
    "       pi_low, pi_high, data_version,"                                                        \
    "       (SELECT coalesce(max(provisional), 0) FROM study s"                                   \
    "         WHERE s.intervention_id = synthesis.intervention_id),"                               \
    "       certainty, " trace ", eif_level, blueprints_tier, rules_version, egger_p, scope,"     \
    "       n_flagged, coalesce(st.rated, 0), coalesce(st.meets, 0), coalesce(st.rand, 0),"        \
    "       coalesce(st.prov, 0)"                                                                  \
    "  FROM synthesis LEFT JOIN ("                                                                 \
    /* the studies behind each domain's result, as synth.c pools them */                          \
    "    SELECT d, sum(rated) AS rated, sum(meets) AS meets, sum(rand) AS rand, sum(prov) AS prov"  \
    "      FROM (SELECT DISTINCT lower(trim(coalesce(o.domain, ''))) AS d, s.id,"                  \
    "              EXISTS (SELECT 1 FROM judgement j WHERE j.scope = 'study' AND j.body = 'WWC'"   \
    "                       AND j.identity_ns = s.identity_ns AND j.key = s.study_key) AS rated,"  \
    "              EXISTS (SELECT 1 FROM judgement j WHERE j.scope = 'study' AND j.body = 'WWC'"   \
    "                       AND j.identity_ns = s.identity_ns AND j.key = s.study_key"             \
    "                       AND j.rating LIKE 'meets%') AS meets,"                                  \
    "              s.design = 'randomised' AS rand, s.provisional AS prov"                          \
    "         FROM study s JOIN outcome o ON o.study_id = s.id JOIN effect e ON e.outcome_id = o.id" \
    "        WHERE s.intervention_id = ?1 AND s.withdrawn_at IS NULL AND o.higher_is_better >= 0"   \
    "          AND (?2 OR e.extracted = 0) AND (?3 OR e.flag IS NULL))"                             \
    "     GROUP BY d) st ON st.d = synthesis.domain"                                                \
    " WHERE intervention_id = ?1 AND " SCOPE_ADMITTED("synthesis")                                 \
    "   AND NOT EXISTS (SELECT 1 FROM synthesis a WHERE a.intervention_id = synthesis.intervention_id" \
    "                AND a.domain = synthesis.domain AND a.metric = synthesis.metric"              \
    "                AND " SCOPE_ADMITTED("a") " AND " SCOPE_RANK("a") " > " SCOPE_RANK("synthesis") ")" \
    " ORDER BY k DESC, n_participants DESC, domain"

int ww_repo__syntheses(ww_synthesis_row **out, size_t *n_out, ww_db *db, ww_arena *arena,
                       int64_t intervention_id, int include_extracted, int include_flagged,
                       int with_traces)
{
    sqlite3_stmt *st = NULL;
    vec v = {NULL, 0, 0, sizeof(ww_synthesis_row)};
    int error, rc;

    *out = NULL;
    *n_out = 0;
    /* A query reads this once per candidate: the long certainty trace is
     * only read when asked for. */
    if ((error = ww_repo__prepare(&st, db,
                                  with_traces ? SYNTHESES_SQL("certainty_trace")
                                              : SYNTHESES_SQL("NULL"))) < 0)
        return error;
    sqlite3_bind_int64(st, 1, intervention_id);
    sqlite3_bind_int(st, 2, include_extracted ? 1 : 0);
    sqlite3_bind_int(st, 3, include_flagged ? 1 : 0);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ww_synthesis_row *r = vec_push(&v);
        if (!r) goto oom;
        r->domain = ww_repo__col_text(st, 0, arena);
        r->metric = ww_repo__col_text(st, 1, arena);
        r->method = ww_repo__col_text(st, 2, arena);
        if (!r->domain || !r->metric || !r->method) goto oom;
        r->k = sqlite3_column_int(st, 3);
        r->n_effects = sqlite3_column_int(st, 4);
        r->n_other_scale = sqlite3_column_int(st, 5);
        r->n_participants = (long)sqlite3_column_int64(st, 6);
        r->estimate = col_double_or_nan(st, 7);
        r->se = col_double_or_nan(st, 8);
        r->ci_low = col_double_or_nan(st, 9);
        r->ci_high = col_double_or_nan(st, 10);
        r->tau2 = col_double_or_nan(st, 11);
        r->i2 = col_double_or_nan(st, 12);
        r->q = col_double_or_nan(st, 13);
        r->pi_low = col_double_or_nan(st, 14);
        r->pi_high = col_double_or_nan(st, 15);
        r->data_version = sqlite3_column_int64(st, 16);
        r->provisional = sqlite3_column_int(st, 17);
        r->certainty = ww_repo__col_text(st, 18, arena);
        r->certainty_trace = ww_repo__col_text(st, 19, arena);
        r->eif_level = ww_repo__col_text(st, 20, arena);
        r->blueprints_tier = ww_repo__col_text(st, 21, arena);
        r->rules_version = ww_repo__col_text(st, 22, arena);
        r->egger_p = col_double_or_nan(st, 23);
        r->scope = ww_repo__col_text(st, 24, arena);
        r->n_flagged = sqlite3_column_int(st, 25);
        r->n_wwc_rated = sqlite3_column_int(st, 26);
        r->n_wwc_meets = sqlite3_column_int(st, 27);
        r->n_randomised = sqlite3_column_int(st, 28);
        r->n_provisional = sqlite3_column_int(st, 29);
    }
    if (rc != SQLITE_DONE) {
        error = step_error(db, rc);
        goto done;
    }
    *n_out = v.n;
    if (!(*out = vec_to_arena(&v, arena))) goto oom;
    goto done;
oom:
    error = ww__error_oom();
done:
    ww_repo__release(db, st);
    free(v.items);
    return error;
}

int ww_repo__study_grade(ww_study_grade_row *out, ww_db *db, ww_arena *arena, int64_t study_id)
{
    sqlite3_stmt *st = NULL;
    int error, rc;
    memset(out, 0, sizeof *out);
    if ((error = ww_repo__prepare(
             &st, db,
             "SELECT s.id, s.title, i.slug, s.design, s.rules_version, s.wwc_rating, s.rigour_trace,"
             "       s.rigour_advice, coalesce(s.year, -1), coalesce(s.rigour_level, -1),"
             "       coalesce(s.sms_level, 0), s.provisional"
             "  FROM study s JOIN intervention i ON i.id = s.intervention_id WHERE s.id = ?1")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, study_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        error = ww__error(WW_ENOTFOUND, "no study %lld (study ids are shown by `whatworks show`)",
                          (long long)study_id);
    } else if (rc != SQLITE_ROW) {
        error = step_error(db, rc);
    } else {
        out->id = sqlite3_column_int64(st, 0);
        out->title = ww_repo__col_text(st, 1, arena);
        out->intervention_slug = ww_repo__col_text(st, 2, arena);
        out->design = ww_repo__col_text(st, 3, arena);
        out->rules_version = ww_repo__col_text(st, 4, arena);
        out->wwc_rating = ww_repo__col_text(st, 5, arena);
        out->trace = ww_repo__col_text(st, 6, arena);
        out->advice = ww_repo__col_text(st, 7, arena);
        out->year = sqlite3_column_int(st, 8);
        out->level = sqlite3_column_int(st, 9);
        out->sms = sqlite3_column_int(st, 10);
        out->provisional = sqlite3_column_int(st, 11);
    }
    ww_repo__release(db, st);
    return error;
}

int ww_repo__synthesis_trace(const char **out, ww_db *db, ww_arena *arena, int64_t intervention_id,
                             const char *domain, const char *scope)
{
    sqlite3_stmt *st = NULL;
    int error = 0, rc;
    *out = NULL;
    if ((error = ww_repo__prepare(&st, db,
                                  "SELECT certainty_trace FROM synthesis WHERE intervention_id = ?1"
                                  " AND domain = ?2 AND scope = ?3")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, intervention_id);
    sqlite3_bind_text(st, 2, domain, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, scope, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL &&
        !(*out = ww_repo__col_text(st, 0, arena)))
        error = ww__error_oom();
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        error = step_error(db, rc);
    ww_repo__release(db, st);
    return error;
}
