/*
 * query.c — answer "what works for ISSUE?": expand the issue through the
 * taxonomy and find the interventions that answer it (both in repo/, which
 * quotes every string before it reaches MATCH), pick each one's pooled
 * result on the outcomes that answer the issue, and rank. The rule is
 * documented in docs/ranking.md and repeated in every row's `why`.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../repo/repo.h"
#include "queries_int.h"

#define DEFAULT_LIMIT 20

/* 1 when the normalised text hay contains the normalised words needle as
 * whole words ("school attend" contains "attend", not "tend"). */
static int contains_words(const char *hay, const char *needle)
{
    size_t n = strlen(needle), h = strlen(hay);
    if (!n) return 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        if ((p == hay || p[-1] == ' ') && ((size_t)(p - hay) + n == h || p[n] == ' ')) return 1;
    return 0;
}

/* Does a pooled outcome domain answer the issue? Compared as the index
 * compares words (case, UK/US spelling, stems): the domain is one of the
 * issue's domains, or contains one of its terms or outcome-measure patterns
 * ("Attendance (high school)" contains "attendance"; "External behavior"
 * contains "behaviour"). With no issue matched, every domain counts. */
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
    for (size_t i = 0; i < x->n_terms; i++)
        if (contains_words(d, res->norm_terms[i])) return 1;
    for (size_t i = 0; i < x->n_patterns; i++)
        if (contains_words(d, res->norm_patterns[i])) return 1;
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

/* Verdict classes in rank order: what helps, then what is unclear, then
 * what harms, then what has nothing on the issue. */
static int verdict_class(double lo, double hi)
{
    if (isnan(lo)) return 3;
    if (lo > 0) return 0;
    if (hi < 0) return 2;
    return 1;
}

static int certainty_rank(const char *c)
{
    static const char *const order[] = {"high", "moderate", "low", "very low"};
    for (int i = 0; i < 4; i++)
        if (c && strcmp(c, order[i]) == 0) return i;
    return 4;
}

/* Rule "verdict-certainty-ci-low/2" (docs/ranking.md): verdict class, then
 * certainty, then the lower 95% bound, then full-text relevance. */
static int cmp_rows(const void *pa, const void *pb)
{
    const ww_query_row_int *a = pa, *b = pb;
    int va = verdict_class(a->row.ci_low, a->row.ci_high), vb = verdict_class(b->row.ci_low, b->row.ci_high);
    int ca = certainty_rank(a->row.certainty), cb = certainty_rank(b->row.certainty);
    if (va != vb) return va - vb;
    if (ca != cb) return ca - cb;
    if (va != 3 && a->row.ci_low != b->row.ci_low) return a->row.ci_low > b->row.ci_low ? -1 : 1;
    if (a->relevance != b->relevance) return a->relevance < b->relevance ? -1 : 1;
    return strcmp(a->row.slug, b->row.slug);
}

static const char *verdict_of(double lo, double hi)
{
    if (isnan(lo)) return "no outcome on this issue";
    if (lo > 0) return "beneficial";
    if (hi < 0) return "harmful";
    return "no clear effect";
}

static const char *method_words(const char *method)
{
    if (strcmp(method, "FE") == 0) return "one study";
    if (strcmp(method, "REML") == 0) return "REML random effects";
    if (strcmp(method, "DL") == 0) return "DerSimonian-Laird random effects";
    return method;
}

/* Fill row r from the candidate's stored syntheses: the one on the issue's
 * outcome domains with the most studies (then participants). */
static int score_candidate(ww_query_row_int *r, ww_db *db, ww_query_result *res, const ww_candidate *c,
                           int include_extracted, int include_flagged)
{
    ww_synthesis_row *syn = NULL, *best = NULL;
    size_t n = 0, off_issue = 0;
    ww_buf why = WW_BUF_INIT;
    ww_arena *arena = res->arena;
    const ww_issue_expansion *x = &res->expansion;
    int error = 0;

    memset(r, 0, sizeof *r);
    r->row.slug = c->slug;
    r->row.name = c->name;
    r->intervention_id = c->id;
    r->row.metric = "SMD";
    r->row.is_example = c->is_example;
    r->relevance = c->relevance;
    r->row.estimate = r->row.ci_low = r->row.ci_high = NAN;
    r->row.n_participants = -1; /* unknown until a synthesis says */
    r->row.outcome_domain = x->n_domains ? x->domains[0] : "";
    r->row.certainty = "";

    if ((error = ww_repo__syntheses(&syn, &n, db, arena, c->id, include_extracted, include_flagged,
                                    0)) < 0)
        return error;
    /* ordered by k, then participants, descending: the first match is best */
    for (size_t i = 0; i < n && error == 0; i++) {
        if (!answers_issue(syn[i].domain, res, db, arena, &error)) off_issue++;
        else if (!best) best = &syn[i];
    }
    if (error < 0) return error;
    if (n) r->row.provisional = syn[0].provisional;
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
    }
    r->row.verdict = verdict_of(r->row.ci_low, r->row.ci_high);

    if ((error = ww_buf__printf(&why, "matched %s", c->matched)) < 0) goto done;
    if (best) {
        error = ww_buf__printf(&why,
                               "; %d effect%s from %d stud%s on '%s' outcomes pooled as SMD (%s), "
                               "positive = beneficial; %s, certainty %s (%s), lower 95%% bound %.3f",
                               best->n_effects, best->n_effects == 1 ? "" : "s", best->k,
                               best->k == 1 ? "y" : "ies", best->domain, method_words(best->method),
                               verdict_of(best->ci_low, best->ci_high),
                               best->certainty ? best->certainty : "not graded",
                               best->rules_version ? best->rules_version : "no rules", best->ci_low);
        if (!error && strncmp(best->scope, "all", 3) == 0)
            error = ww_buf__puts(&why, "; includes effects machine-extracted from report text");
        if (!error && best->n_flagged && strstr(best->scope, "+flagged"))
            error = ww_buf__printf(&why, "; includes %d effect%s flagged as implausible",
                                   best->n_flagged, best->n_flagged == 1 ? "" : "s");
        else if (!error && best->n_flagged)
            error = ww_buf__printf(&why,
                                   "; %d effect%s flagged as implausible left out (whatworks show "
                                   "gives the reason)",
                                   best->n_flagged, best->n_flagged == 1 ? "" : "s");
        if (!error && best->n_other_scale)
            error = ww_buf__printf(&why, "; %d effect%s on a scale not convertible to SMD left out",
                                   best->n_other_scale, best->n_other_scale == 1 ? "" : "s");
    } else {
        error = ww_buf__puts(&why, "; no pooled effect on the issue's outcomes");
    }
    if (!error && off_issue)
        error = ww_buf__printf(&why, "; %zu other outcome domain%s not counted", off_issue,
                               off_issue == 1 ? "" : "s");
    if (!error && r->row.provisional) error = ww_buf__puts(&why, "; provisional (not yet reviewed)");
    if (!error && c->is_example) error = ww_buf__puts(&why, "; illustrative example, not real evidence");
    if (error < 0) goto done;
    if (!(r->row.why = ww_arena__strdup(arena, why.data))) error = WW_ENOMEM;
done:
    ww_buf__free(&why);
    return error;
}

int ww_query_run(ww_query_result **out, ww_db *db, const char *issue, const ww_query_opts *opts)
{
    ww_query_result *res = NULL;
    ww_candidate *cands = NULL;
    size_t n_cands = 0;
    ww_match match;
    int error, limit = opts && opts->limit > 0 ? opts->limit : DEFAULT_LIMIT;
    const char *p;

    *out = NULL;
    if (!db) return ww__error(WW_EUSAGE, "no database");
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
    if (!(res->text = ww_arena__strdup(res->arena, issue))) goto oom;
    if ((error = ww_repo__issue_expand(&res->expansion, db, res->arena, issue)) < 0) goto done;
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
    for (size_t i = 0; i < n_cands; i++)
        if ((error = score_candidate(&res->rows[i], db, res, &cands[i], opts && opts->include_extracted,
                                     opts && opts->include_flagged)) < 0)
            goto done;
    if (n_cands) qsort(res->rows, n_cands, sizeof *res->rows, cmp_rows);
    res->n_rows = n_cands < (size_t)limit ? n_cands : (size_t)limit;
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
