/*
 * gaps.c — `whatworks gaps ISSUE`: where the evidence on a presenting issue
 * is missing or weak, so a commissioner can see where a pilot would add
 * most: the issue's outcome domains and the populations studied with no
 * pooled effect, or only low or very low certainty ones; and the
 * interventions with effects on the issue but no cost data, for which no
 * business case can be made. "whatworks/gaps/1" in JSON (docs/json.md).
 *
 * The issue is expanded and matched exactly as `query` does (repo/read.c's
 * ww_repo__issue_expand and ww_repo__candidates), and a pooled domain
 * answers the issue by the same test query.c applies; only reviewed
 * results count (machine-extracted effects stay out, as in `query`).
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../repo/repo.h"
#include "queries_int.h"

/* Certainty at or below this rank is a gap: low, very low, none. */
#define GAP_RANK 2

static int certainty_rank(const char *c)
{
    static const char *const order[] = {"high", "moderate", "low", "very low"};
    for (int i = 0; i < 4; i++)
        if (c && strcmp(c, order[i]) == 0) return i;
    return 4;
}

typedef struct norms {
    const char **domains, **terms, **patterns;
} norms;

/* Does a normalised pooled domain answer the issue? As query.c's
 * answers_issue(): one of the issue's domains, or containing one of its
 * terms or outcome-measure patterns. */
static int answers(const char *d, const ww_issue_expansion *x, const norms *nm)
{
    for (size_t i = 0; i < x->n_domains; i++)
        if (strcmp(d, nm->domains[i]) == 0) return 1;
    for (size_t i = 0; i < x->n_terms; i++)
        if (ww_queries__contains_words(d, nm->terms[i])) return 1;
    for (size_t i = 0; i < x->n_patterns; i++)
        if (ww_queries__contains_words(d, nm->patterns[i])) return 1;
    return 0;
}

static int normalise_all(const char ***out, ww_db *db, ww_arena *arena, const char *const *s,
                         size_t n)
{
    const char **v = ww_arena__alloc(arena, (n ? n : 1) * sizeof *v);
    if (!v) return ww__error_oom();
    for (size_t i = 0; i < n; i++)
        if (!(v[i] = ww_repo__normalised(db, arena, s[i]))) return WW_ENOMEM;
    *out = v;
    return 0;
}

/* One outcome domain or population, with the best evidence on it. */
typedef struct gap_row {
    const char *name, *key;
    int from_issue;      /* domains: named by the taxonomy */
    int n_interventions; /* interventions with a pooled effect on it */
    int n_matched;       /* populations: interventions that answer the issue */
    int n_studies;       /* studies behind those pooled effects */
    int best_rank;
    const ww_synthesis_row *best;
    const char *best_slug;
} gap_row;

/* An intervention with effects on the issue and no cost. */
typedef struct nocost_row {
    const char *slug, *name;
    int is_example;
    const ww_synthesis_row *best;
} nocost_row;

typedef struct gaps {
    ww_arena *arena;
    const char *text;
    ww_issue_expansion x;
    gap_row *domains, *pops;
    size_t n_domains, n_pops;
    nocost_row *nocost;
    size_t n_nocost;
} gaps;

static void consider(gap_row *r, const ww_synthesis_row *s, const char *slug)
{
    int rank = certainty_rank(s->certainty);
    r->n_interventions++;
    r->n_studies += s->k;
    if (!r->best || rank < r->best_rank || (rank == r->best_rank && s->k > r->best->k)) {
        r->best = s;
        r->best_rank = rank;
        r->best_slug = slug;
    }
}

static gap_row *find(gap_row *rows, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].key, key) == 0) return &rows[i];
    return NULL;
}

/* population text as a key: trimmed, lower-cased ASCII */
static char *pop_key(ww_arena *a, const char *p)
{
    size_t n;
    char *k;
    while (p && isspace((unsigned char)*p)) p++;
    if (!p || !*p) return ww_arena__strdup(a, "");
    n = strlen(p);
    while (n && isspace((unsigned char)p[n - 1])) n--;
    if (!(k = ww_arena__strndup(a, p, n))) return NULL;
    for (char *c = k; *c; c++) *c = (char)tolower((unsigned char)*c);
    return k;
}

static int cmp_pops(const void *a, const void *b)
{
    const gap_row *x = a, *y = b;
    int gx = x->best_rank >= GAP_RANK, gy = y->best_rank >= GAP_RANK;
    if (gx != gy) return gy - gx;
    return strcmp(x->key, y->key);
}

static int collect(gaps *g, ww_db *db)
{
    ww_candidate *cands = NULL;
    size_t n_cands = 0;
    ww_match match;
    norms nm;
    int error;
    ww_arena *a = g->arena;
    const ww_issue_expansion *x = &g->x;

    if ((error = ww_repo__issue_expand(&g->x, db, a, g->text)) < 0) return error;
    if (!x->n_slugs)
        return ww__error(
            WW_ENOTFOUND,
            "no presenting issue matches '%s' (`whatworks issues` lists them); gaps are "
            "found against an issue's outcome domains",
            g->text);
    if ((error = ww_repo__candidates(&cands, &n_cands, &match, db, a, g->text, x)) < 0 ||
        (error = normalise_all(&nm.domains, db, a, x->domains, x->n_domains)) < 0 ||
        (error = normalise_all(&nm.terms, db, a, x->terms, x->n_terms)) < 0 ||
        (error = normalise_all(&nm.patterns, db, a, x->patterns, x->n_patterns)) < 0)
        return error;

    /* every domain the issue names, then room for each pooled one */
    {
        size_t cap = x->n_domains + 1;
        ww_synthesis_row **syns = ww_arena__alloc(a, (n_cands ? n_cands : 1) * sizeof *syns);
        size_t *n_syn = ww_arena__alloc(a, (n_cands ? n_cands : 1) * sizeof *n_syn);
        ww_intervention_row *ivs = ww_arena__alloc(a, (n_cands ? n_cands : 1) * sizeof *ivs);
        if (!syns || !n_syn || !ivs) return ww__error_oom();
        for (size_t c = 0; c < n_cands; c++) {
            if ((error = ww_repo__intervention(&ivs[c], db, a, cands[c].slug)) < 0 ||
                (error = ww_repo__syntheses(&syns[c], &n_syn[c], db, a, cands[c].id, 0, 0, 0)) < 0)
                return error;
            cap += n_syn[c];
        }
        if (!(g->domains = ww_arena__alloc(a, cap * sizeof *g->domains)) ||
            !(g->pops = ww_arena__alloc(a, (n_cands ? n_cands : 1) * sizeof *g->pops)) ||
            !(g->nocost = ww_arena__alloc(a, (n_cands ? n_cands : 1) * sizeof *g->nocost)))
            return ww__error_oom();
        for (size_t i = 0; i < x->n_domains; i++)
            g->domains[g->n_domains++] =
                (gap_row){x->domains[i], nm.domains[i], 1, 0, 0, 0, 4, NULL, NULL};
        for (size_t c = 0; c < n_cands; c++) {
            const ww_synthesis_row *best = NULL;
            int best_rank = 5;
            const char *pk;
            gap_row *p;
            for (size_t i = 0; i < n_syn[c]; i++) {
                const ww_synthesis_row *s = &syns[c][i];
                const char *d = ww_repo__normalised(db, a, s->domain);
                gap_row *r;
                if (!d) return WW_ENOMEM;
                if (!answers(d, x, &nm)) continue;
                if (!(r = find(g->domains, g->n_domains, d))) {
                    r = &g->domains[g->n_domains++];
                    *r = (gap_row){s->domain, d, 0, 0, 0, 0, 4, NULL, NULL};
                }
                consider(r, s, cands[c].slug);
                if (certainty_rank(s->certainty) < best_rank ||
                    (certainty_rank(s->certainty) == best_rank && s->k > best->k)) {
                    best = s;
                    best_rank = certainty_rank(s->certainty);
                }
            }
            /* the population this intervention was studied with */
            if (!(pk = pop_key(a, ivs[c].population))) return ww__error_oom();
            if (!(p = find(g->pops, g->n_pops, pk))) {
                p = &g->pops[g->n_pops++];
                *p = (gap_row){
                    *pk ? ivs[c].population : "(not stated)", pk, 0, 0, 0, 0, 4, NULL, NULL};
            }
            p->n_matched++;
            if (best) consider(p, best, cands[c].slug);
            if (best && !isfinite(ivs[c].cost_per_participant))
                g->nocost[g->n_nocost++] =
                    (nocost_row){cands[c].slug, cands[c].name, cands[c].is_example, best};
        }
    }
    qsort(g->pops, g->n_pops, sizeof *g->pops, cmp_pops);
    return 0;
}

/* ---- output ---------------------------------------------------------------- */

static const char *status_of(const gap_row *r)
{
    if (!r->best) return "no evidence";
    if (r->best_rank >= GAP_RANK) return "low certainty only";
    return NULL;
}

/* What a pilot would add, for a gap. */
static void advice(ww_buf *b, const gap_row *r, int population)
{
    b->size = 0;
    if (b->data) b->data[0] = 0;
    if (!r->best)
        ww_buf__puts(b, population
                            ? "no pooled effect on the issue's outcomes with this population: a "
                              "pilot with it would be the first"
                            : "no intervention has a pooled effect on this outcome: a pilot "
                              "that measures it would be the first");
    else if (r->best_rank >= GAP_RANK)
        ww_buf__printf(
            b, "the best evidence is %s certainty: a randomised pilot of %s%s would raise it",
            r->best->certainty ? r->best->certainty : "ungraded", r->best_slug,
            population ? " with this population" : " measuring this outcome");
}

static const char *nocost_advice =
    "effects without a cost: a pilot that records the cost per participant, its price year and "
    "payer would let a business case be made";

static json_t *row_json(const gap_row *r, int population, ww_buf *b)
{
    json_t *o = json_object();
    const char *st = status_of(r);
    ww_queries__set(o, population ? "population" : "domain", json_string(r->name));
    if (!population)
        ww_queries__set(o, "named_by_issue", json_boolean(r->from_issue));
    else
        ww_queries__set(o, "interventions_matched", json_integer(r->n_matched));
    ww_queries__set(o, "interventions", json_integer(r->n_interventions));
    ww_queries__set(o, "studies", json_integer(r->n_studies));
    ww_queries__set(o, "gap", json_boolean(st != NULL));
    ww_queries__set(o, "status", json_string(st ? st : "moderate or high certainty"));
    ww_queries__set(o, "best_certainty", ww_queries__str(r->best ? r->best->certainty : NULL));
    ww_queries__set(o, "best_intervention", ww_queries__str(r->best_slug));
    ww_queries__set(o, "best_domain", ww_queries__str(r->best ? r->best->domain : NULL));
    ww_queries__set(o, "best_estimate", ww_queries__num(r->best ? r->best->estimate : NAN));
    ww_queries__set(o, "best_ci_low", ww_queries__num(r->best ? r->best->ci_low : NAN));
    ww_queries__set(o, "best_ci_high", ww_queries__num(r->best ? r->best->ci_high : NAN));
    ww_queries__set(o, "best_k", r->best ? json_integer(r->best->k) : json_null());
    advice(b, r, population);
    ww_queries__set(o, "pilot", st ? json_string(b->data) : json_null());
    return o;
}

static int write_json(const gaps *g, FILE *fp)
{
    json_t *doc = json_object(), *issues = json_array(), *d = json_array(), *p = json_array(),
           *nc = json_array();
    ww_buf b = WW_BUF_INIT;
    int error;
    for (size_t i = 0; i < g->x.n_slugs; i++)
        ww_queries__append(issues, json_string(g->x.slugs[i]));
    ww_queries__set(doc, "schema", json_string("whatworks/gaps/1"));
    ww_queries__set(doc, "issue", json_string(g->text));
    ww_queries__set(doc, "issues", issues);
    ww_queries__set(doc, "taxonomy_version", json_integer(ww_repo__taxonomy_version()));
    ww_queries__set(doc, "gap_rule", json_string("no pooled effect, or none above low certainty"));
    ww_queries__set(doc, "scope", json_string("reviewed"));
    for (size_t i = 0; i < g->n_domains; i++)
        ww_queries__append(d, row_json(&g->domains[i], 0, &b));
    for (size_t i = 0; i < g->n_pops; i++) ww_queries__append(p, row_json(&g->pops[i], 1, &b));
    for (size_t i = 0; i < g->n_nocost; i++) {
        const nocost_row *r = &g->nocost[i];
        json_t *o = json_object();
        ww_queries__set(o, "slug", json_string(r->slug));
        ww_queries__set(o, "name", json_string(r->name));
        ww_queries__set(o, "example", json_boolean(r->is_example));
        ww_queries__set(o, "domain", json_string(r->best->domain));
        ww_queries__set(o, "estimate", ww_queries__num(r->best->estimate));
        ww_queries__set(o, "ci_low", ww_queries__num(r->best->ci_low));
        ww_queries__set(o, "ci_high", ww_queries__num(r->best->ci_high));
        ww_queries__set(o, "k", json_integer(r->best->k));
        ww_queries__set(o, "certainty", ww_queries__str(r->best->certainty));
        ww_queries__set(o, "pilot", json_string(nocost_advice));
        ww_queries__append(nc, o);
    }
    ww_queries__set(doc, "domains", d);
    ww_queries__set(doc, "populations", p);
    ww_queries__set(doc, "without_costs", nc);
    ww_buf__free(&b);
    error = ww_queries__write_json(doc, fp);
    json_decref(doc);
    return error;
}

static void csv_row(FILE *fp, const char *kind, const gap_row *r, int population, ww_buf *b)
{
    const char *st = status_of(r);
    char n[24];
    ww_queries__csv_field(fp, kind, 0);
    ww_queries__csv_field(fp, r->name, 0);
    fputs(st ? "true," : "false,", fp);
    ww_queries__csv_field(fp, st ? st : "moderate or high certainty", 0);
    fprintf(fp, "%d,%d,", r->n_interventions, r->n_studies);
    ww_queries__csv_field(fp, r->best ? r->best->certainty : NULL, 0);
    ww_queries__csv_field(fp, r->best_slug, 0);
    ww_queries__csv_field(fp, r->best ? r->best->domain : NULL, 0);
    ww_queries__csv_num(fp, r->best ? r->best->estimate : NAN, 0);
    ww_queries__csv_num(fp, r->best ? r->best->ci_low : NAN, 0);
    ww_queries__csv_num(fp, r->best ? r->best->ci_high : NAN, 0);
    if (r->best)
        snprintf(n, sizeof n, "%d", r->best->k);
    else
        n[0] = 0;
    ww_queries__csv_field(fp, n, 0);
    advice(b, r, population);
    ww_queries__csv_field(fp, st ? b->data : "", 1);
}

static int write_csv(const gaps *g, FILE *fp)
{
    ww_buf b = WW_BUF_INIT;
    fputs("kind,name,gap,status,interventions,studies,best_certainty,best_intervention,best_domain,"
          "best_estimate,best_ci_low,best_ci_high,best_k,pilot\r\n",
          fp);
    for (size_t i = 0; i < g->n_domains; i++) csv_row(fp, "domain", &g->domains[i], 0, &b);
    for (size_t i = 0; i < g->n_pops; i++) csv_row(fp, "population", &g->pops[i], 1, &b);
    for (size_t i = 0; i < g->n_nocost; i++) {
        const nocost_row *r = &g->nocost[i];
        fputs("no cost,", fp);
        ww_queries__csv_field(fp, r->slug, 0);
        fputs("true,no cost data,1,", fp);
        fprintf(fp, "%d,", r->best->k);
        ww_queries__csv_field(fp, r->best->certainty, 0);
        ww_queries__csv_field(fp, r->slug, 0);
        ww_queries__csv_field(fp, r->best->domain, 0);
        ww_queries__csv_num(fp, r->best->estimate, 0);
        ww_queries__csv_num(fp, r->best->ci_low, 0);
        ww_queries__csv_num(fp, r->best->ci_high, 0);
        fprintf(fp, "%d,", r->best->k);
        ww_queries__csv_field(fp, nocost_advice, 1);
    }
    ww_buf__free(&b);
    return ww_queries__flush(fp);
}

/* s cut to width bytes at a character boundary, for a table column. */
static void cell(FILE *fp, const char *s, int width)
{
    size_t n = strlen(s), cut = n, chars = 0;
    for (size_t i = 0; i < n; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80) continue;
        if (chars == (size_t)width - 1 && n - i > 1) {
            size_t rest = 0;
            for (size_t j = i; j < n; j++) rest += ((unsigned char)s[j] & 0xC0) != 0x80;
            if (rest > 1) {
                cut = i;
                break;
            }
        }
        chars++;
    }
    fwrite(s, 1, cut, fp);
    if (cut < n) {
        fputs("\xE2\x80\xA6", fp);
        chars = (size_t)width;
    }
    for (size_t i = chars; i < (size_t)width; i++) fputc(' ', fp);
}

static void table_rows(FILE *fp, const gap_row *rows, size_t n, int population)
{
    ww_buf b = WW_BUF_INIT;
    fprintf(fp, "  %-34s %-19s %-10s %s\n", population ? "population" : "outcome domain", "status",
            "certainty", "best evidence");
    for (size_t i = 0; i < n; i++) {
        const gap_row *r = &rows[i];
        const char *st = status_of(r);
        char nbuf[32];
        snprintf(nbuf, sizeof nbuf, "%d interventions", r->n_interventions);
        fputs("  ", fp);
        cell(fp, r->name, 34);
        fputc(' ', fp);
        cell(fp, st ? st : "evidence", 19);
        fputc(' ', fp);
        cell(fp, r->best && r->best->certainty ? r->best->certainty : "-", 10);
        if (r->best)
            fprintf(fp, " %s: %.2f [%.2f, %.2f], k = %d%s%s\n", r->best_slug, r->best->estimate,
                    r->best->ci_low, r->best->ci_high, r->best->k,
                    r->n_interventions > 1 ? "; best of " : "", r->n_interventions > 1 ? nbuf : "");
        else
            fputs(" -\n", fp);
        /* the advice for "no evidence" is the same on every row: said once below */
        if (st && r->best) {
            advice(&b, r, population);
            fprintf(fp, "      pilot: %s\n", b.data ? b.data : "");
        }
    }
    for (size_t i = 0; i < n; i++)
        if (!rows[i].best) {
            advice(&b, &rows[i], population);
            fprintf(fp, "  no evidence: %s\n", b.data ? b.data : "");
            break;
        }
    ww_buf__free(&b);
}

static int write_table(const gaps *g, FILE *fp)
{
    size_t nd = 0, np = 0;
    for (size_t i = 0; i < g->n_domains; i++) nd += status_of(&g->domains[i]) != NULL;
    for (size_t i = 0; i < g->n_pops; i++) np += status_of(&g->pops[i]) != NULL;
    fprintf(fp, "Evidence gaps for \"%s\" (issues:", g->text);
    for (size_t i = 0; i < g->x.n_slugs; i++) fprintf(fp, "%s %s", i ? "," : "", g->x.slugs[i]);
    fputs(")\nA gap: no pooled effect, or none above low certainty (reviewed evidence only).\n\n",
          fp);
    fprintf(fp, "outcome domains: %zu of %zu are gaps\n", nd, g->n_domains);
    table_rows(fp, g->domains, g->n_domains, 0);
    fprintf(fp,
            "\npopulations of the interventions matched, as their sources describe them: %zu of "
            "%zu are "
            "gaps\n",
            np, g->n_pops);
    if (g->n_pops)
        table_rows(fp, g->pops, g->n_pops, 1);
    else
        fputs("  no intervention matched the issue\n", fp);
    fprintf(fp, "\ninterventions with effects on the issue but no cost data: %zu\n", g->n_nocost);
    for (size_t i = 0; i < g->n_nocost; i++) {
        const nocost_row *r = &g->nocost[i];
        fprintf(fp, "  %s%s: '%s' %.2f [%.2f, %.2f], k = %d, certainty %s\n", r->slug,
                r->is_example ? " [example]" : "", r->best->domain, r->best->estimate,
                r->best->ci_low, r->best->ci_high, r->best->k,
                r->best->certainty ? r->best->certainty : "-");
    }
    if (g->n_nocost) fprintf(fp, "  pilot: %s\n", nocost_advice);
    fputs("\nSMD, positive = beneficial. Certainty is GRADE-style (docs/rigour.md); the issue is "
          "expanded\n"
          "and matched as `whatworks query` does (docs/ranking.md).\n",
          fp);
    return ww_queries__flush(fp);
}

int ww_gaps_write(ww_db *db, const char *issue, FILE *fp, ww_format fmt)
{
    gaps g;
    const char *p;
    int error;
    memset(&g, 0, sizeof g);
    if (!db) return ww__error(WW_EUSAGE, "no database");
    for (p = issue; p && *p && isspace((unsigned char)*p); p++)
        ;
    if (!p || !*p) return ww__error(WW_EUSAGE, "name a presenting issue, e.g. truancy");
    if (!ww__utf8_valid(issue, strlen(issue)))
        return ww__error(WW_EUSAGE, "issue text is not valid UTF-8");
    if (strlen(issue) > WW_REPO_QUERY_MAX_BYTES)
        return ww__error(WW_EUSAGE, "the issue is %zu bytes long; at most %d are matched",
                         strlen(issue), WW_REPO_QUERY_MAX_BYTES);
    if ((error = ww_arena__new(&g.arena)) < 0) return error;
    g.text = issue;
    if ((error = collect(&g, db)) == 0) {
        switch (fmt) {
        case WW_FORMAT_JSON: error = write_json(&g, fp); break;
        case WW_FORMAT_CSV: error = write_csv(&g, fp); break;
        default: error = write_table(&g, fp); break;
        }
    }
    ww_arena__free(g.arena);
    return error;
}
