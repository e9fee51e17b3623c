/*
 * evidence.c — the evidence behind one intervention and the issue taxonomy
 * as handles with accessors, for front-ends that render them themselves
 * (web/ builds HTML from these, never from show's text or JSON). The
 * handle owns an arena holding everything the repository read; the rows
 * are copied into public structs once, when it is opened. Also the
 * listing of API tokens (`whatworks token list`).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "queries_int.h"

#define Z975 1.959963984540054 /* the normal 97.5% point */

struct ww_evidence {
    ww_arena *arena;
    ww_evidence_about about;
    const char **issues;
    size_t n_issues;
    ww_evidence_pooled *pooled;
    size_t n_pooled;
    ww_evidence_outcome *outcomes;
    size_t n_outcomes;
};

static int is_ratio(const char *metric)
{
    return metric && (strcmp(metric, "OR") == 0 || strcmp(metric, "RR") == 0);
}

int ww_evidence_open(ww_evidence **out, ww_db *db, const char *intervention)
{
    ww_evidence *ev = NULL;
    ww_intervention_row iv;
    ww_effect_row *effects = NULL;
    ww_synthesis_row *syn = NULL;
    size_t n = 0, n_syn = 0;
    int error;

    *out = NULL;
    if (!intervention || !*intervention) return ww__error(WW_EUSAGE, "no intervention named");
    if (!(ev = calloc(1, sizeof *ev))) return ww__error_oom();
    if ((error = ww_arena__new(&ev->arena)) < 0) goto fail;
    if ((error = ww_repo__intervention(&iv, db, ev->arena, intervention)) < 0 ||
        (error = ww_repo__effects(&effects, &n, db, ev->arena, iv.id)) < 0 ||
        (error = ww_repo__syntheses(&syn, &n_syn, db, ev->arena, iv.id, 0, 0, 0)) < 0)
        goto fail;
    ev->about.slug = iv.slug;
    ev->about.name = iv.name;
    ev->about.description = iv.description;
    ev->about.population = iv.population;
    ev->about.setting = iv.setting;
    ev->about.delivery = iv.delivery;
    ev->about.is_example = iv.is_example;
    ev->about.cost_per_participant = iv.cost_per_participant;
    ev->about.cost_price_year = iv.cost_price_year;
    ev->about.cost_payer = iv.cost_payer;
    ev->about.placeholder = iv.placeholder;
    ev->issues = iv.issues;
    ev->n_issues = iv.n_issues;
    if (n_syn && !(ev->pooled = ww_arena__alloc(ev->arena, n_syn * sizeof *ev->pooled))) goto oom;
    for (size_t i = 0; i < n_syn; i++) {
        ww_evidence_pooled *p = &ev->pooled[i];
        p->domain = syn[i].domain;
        p->metric = syn[i].metric;
        p->method = syn[i].method;
        p->k = syn[i].k;
        p->n_participants = syn[i].n_participants;
        p->estimate = syn[i].estimate;
        p->ci_low = syn[i].ci_low;
        p->ci_high = syn[i].ci_high;
        p->i2 = syn[i].i2;
        p->tau2 = syn[i].tau2;
        p->pi_low = syn[i].pi_low;
        p->pi_high = syn[i].pi_high;
        p->certainty = syn[i].certainty;
        p->provisional = syn[i].provisional;
    }
    ev->n_pooled = n_syn;
    if (n && !(ev->outcomes = ww_arena__alloc(ev->arena, n * sizeof *ev->outcomes))) goto oom;
    for (size_t i = 0; i < n; i++) {
        const ww_effect_row *e = &effects[i];
        ww_evidence_outcome *o = &ev->outcomes[i];
        o->study_id = e->study_id;
        o->study_title = e->study_title;
        o->year = e->year;
        o->design = e->design;
        o->rigour_level = e->rigour_level;
        o->wwc_rating = e->wwc_rating;
        o->provisional = e->provisional;
        o->withdrawn_reason =
            e->withdrawn_at ? (e->withdrawn_reason ? e->withdrawn_reason : "") : NULL;
        o->outcome = e->outcome;
        o->domain = e->domain;
        o->timepoint = e->timepoint;
        o->metric = e->metric;
        o->n_participants = e->n_participants;
        o->higher_is_better = e->higher_is_better;
        o->extracted = e->extracted;
        o->pooled = e->metric && e->higher_is_better >= 0 && !e->extracted && !e->withdrawn_at;
        o->location = e->location;
        if (e->metric) {
            double se = sqrt(e->vi);
            o->estimate = e->yi;
            o->ci_low = e->yi - Z975 * se;
            o->ci_high = e->yi + Z975 * se;
            if (is_ratio(e->metric)) {
                o->estimate = exp(o->estimate);
                o->ci_low = exp(o->ci_low);
                o->ci_high = exp(o->ci_high);
            }
        } else {
            o->estimate = o->ci_low = o->ci_high = NAN;
        }
    }
    ev->n_outcomes = n;
    *out = ev;
    return 0;
oom:
    error = ww__error_oom();
fail:
    ww_evidence_free(ev);
    return error;
}

void ww_evidence_free(ww_evidence *ev)
{
    if (!ev) return;
    ww_arena__free(ev->arena);
    free(ev);
}

const ww_evidence_about *ww_evidence_intervention(const ww_evidence *ev)
{
    return &ev->about;
}
size_t ww_evidence_issue_count(const ww_evidence *ev)
{
    return ev->n_issues;
}
const char *ww_evidence_issue(const ww_evidence *ev, size_t i)
{
    return i < ev->n_issues ? ev->issues[i] : NULL;
}
size_t ww_evidence_pooled_count(const ww_evidence *ev)
{
    return ev->n_pooled;
}
const ww_evidence_pooled *ww_evidence_pooled_at(const ww_evidence *ev, size_t i)
{
    return i < ev->n_pooled ? &ev->pooled[i] : NULL;
}
size_t ww_evidence_outcome_count(const ww_evidence *ev)
{
    return ev->n_outcomes;
}
const ww_evidence_outcome *ww_evidence_outcome_at(const ww_evidence *ev, size_t i)
{
    return i < ev->n_outcomes ? &ev->outcomes[i] : NULL;
}

/* ---- the taxonomy ----------------------------------------------------- */

struct ww_issue_list {
    ww_arena *arena;
    ww_issue_item *items;
    size_t n;
};

int ww_issue_list_open(ww_issue_list **out, ww_db *db)
{
    ww_issue_list *list = NULL;
    ww_issue_row *rows = NULL;
    size_t n = 0;
    int error;

    *out = NULL;
    if (!(list = calloc(1, sizeof *list))) return ww__error_oom();
    if ((error = ww_arena__new(&list->arena)) < 0 ||
        (error = ww_repo__issues(&rows, &n, db, list->arena)) < 0)
        goto fail;
    if (n && !(list->items = ww_arena__alloc(list->arena, n * sizeof *list->items))) {
        error = ww__error_oom();
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        list->items[i].slug = rows[i].slug ? rows[i].slug : "";
        list->items[i].label = rows[i].label ? rows[i].label : "";
        list->items[i].parent = rows[i].parent ? rows[i].parent : "";
        list->items[i].domains = rows[i].domains ? rows[i].domains : "";
        list->items[i].terms = rows[i].terms ? rows[i].terms : "";
    }
    list->n = n;
    *out = list;
    return 0;
fail:
    ww_issue_list_free(list);
    return error;
}

void ww_issue_list_free(ww_issue_list *list)
{
    if (!list) return;
    ww_arena__free(list->arena);
    free(list);
}

size_t ww_issue_list_count(const ww_issue_list *list)
{
    return list->n;
}
const ww_issue_item *ww_issue_list_at(const ww_issue_list *list, size_t i)
{
    return i < list->n ? &list->items[i] : NULL;
}

/* ---- API tokens ------------------------------------------------------- */

int ww_token_list_write(ww_db *db, FILE *fp, ww_format fmt)
{
    ww_arena *arena = NULL;
    ww_api_token_row *rows = NULL;
    size_t n = 0;
    int error;

    if ((error = ww_arena__new(&arena)) < 0) return error;
    if ((error = ww_repo__api_tokens(&rows, &n, db, arena)) < 0) goto done;
    if (fmt == WW_FORMAT_JSON) {
        json_t *doc = json_object(), *a = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *o = json_object();
            ww_queries__set(o, "name", ww_queries__str(rows[i].name));
            ww_queries__set(o, "created_at", ww_queries__str(rows[i].created_at));
            ww_queries__set(o, "revoked_at", ww_queries__str(rows[i].revoked_at));
            ww_queries__append(a, o);
        }
        ww_queries__set(doc, "schema", json_string("whatworks/tokens/1"));
        ww_queries__set(doc, "tokens", a);
        error = ww_queries__write_json(doc, fp);
        json_decref(doc);
    } else if (fmt == WW_FORMAT_CSV) {
        fputs("name,created_at,revoked_at\r\n", fp);
        for (size_t i = 0; i < n; i++) {
            ww_queries__csv_field(fp, rows[i].name, 0);
            ww_queries__csv_field(fp, rows[i].created_at, 0);
            ww_queries__csv_field(fp, rows[i].revoked_at ? rows[i].revoked_at : "", 1);
        }
        error = ww_queries__flush(fp);
    } else {
        for (size_t i = 0; i < n; i++)
            fprintf(fp, "%-24s made %s%s%s\n", rows[i].name ? rows[i].name : "",
                    rows[i].created_at ? rows[i].created_at : "",
                    rows[i].revoked_at ? ", revoked " : "",
                    rows[i].revoked_at ? rows[i].revoked_at : "");
        if (!n) fputs("no tokens\n", fp);
        error = ww_queries__flush(fp);
    }
done:
    ww_arena__free(arena);
    return error;
}
