/*
 * meta.c — ww_meta_run(): a meta-analysis of a CSV of studies, with no
 * database (`whatworks meta`, DESIGN.md 6.2). The file is read here, capped
 * in size; its rows are read into effects or 2x2 tables by
 * importers/meta_csv.c, which reports every bad cell as FILE:LINE: column:
 * problem; evidence/meta.c pools them. This file holds the analysis policy
 * (which method suits which measure, Egger only with 3 or more effects,
 * random effects only with 2 or more studies) and the handle's accessors.
 * The writers are in meta_write.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../importers/csv_util.h"
#include "meta_int.h"

/* A CSV larger than this is refused: a meta-analysis file is small, and an
 * unbounded read of untrusted input is not. */
#define META_MAX_FILE_BYTES ((size_t)256 << 20)

int ww_meta_opts_init(ww_meta_opts *opts, unsigned int version)
{
    static const ww_meta_opts init = WW_META_OPTS_INIT;
    if (!opts || version != WW_META_OPTS_VERSION)
        return ww__error(WW_EUSAGE, "ww_meta_opts version %u is not known (this library has %u)",
                         version, (unsigned)WW_META_OPTS_VERSION);
    *opts = init;
    return 0;
}

static int check_opts(const ww_meta_opts *o)
{
    if (o->version != WW_META_OPTS_VERSION)
        return ww__error(WW_EUSAGE, "ww_meta_opts version %u is not known (this library has %u)",
                         o->version, (unsigned)WW_META_OPTS_VERSION);
    if (!ww_meta_measure_name(o->measure))
        return ww__error(WW_EUSAGE, "unknown measure %d", (int)o->measure);
    if (!ww_meta_method_name(o->method))
        return ww__error(WW_EUSAGE, "unknown method %d", (int)o->method);
    if (o->method == WW_META_MH && o->measure != WW_META_OR && o->measure != WW_META_RR &&
        o->measure != WW_META_RD)
        return ww__error(WW_EUSAGE, "method MH needs measure OR, RR or RD");
    if (o->method == WW_META_PETO && o->measure != WW_META_OR)
        return ww__error(WW_EUSAGE, "method PETO needs measure OR");
    if (o->knha && !ww_meta_method_is_random(o->method))
        return ww__error(WW_EUSAGE,
                         "Hartung-Knapp needs a random-effects method (DL, REML, PM, HE, SJ)");
    return 0;
}

/* The public view of a pooled result. */
static void publish(ww_meta_pooled *p, const ww_meta_result *r, int ratio)
{
    p->k = r->k;
    p->estimate = r->estimate;
    p->se = r->se;
    p->ci_low = r->ci_low;
    p->ci_high = r->ci_high;
    p->stat = r->stat;
    p->df = r->df;
    p->p = r->p;
    p->tau2 = r->tau2;
    p->tau = r->tau;
    p->i2 = r->i2;
    p->h2 = r->h2;
    p->q = r->q;
    p->q_df = r->q_df;
    p->q_p = r->q_p;
    p->pi_low = r->pi_low;
    p->pi_high = r->pi_high;
    p->exp_estimate = ratio ? exp(r->estimate) : NAN;
    p->exp_ci_low = ratio ? exp(r->ci_low) : NAN;
    p->exp_ci_high = ratio ? exp(r->ci_high) : NAN;
}

/* A pooling step failed on the data: one problem about the whole file. */
static int pool_failed(ww_meta_analysis *a, int error)
{
    int rc;
    if (error != WW_EDATA) return error;
    if ((rc = ww_diags__add(a->diags, 0, a->path, 0, "", "%s", ww_error_last())) < 0) return rc;
    return WW_EDATA;
}

/* Pool, then the diagnostics that were asked for. */
static int analyse(ww_meta_analysis *a, const ww_meta_opts *o)
{
    const ww_meta_studies *s = a->studies;
    int tables = a->pool.method == WW_META_MH || a->pool.method == WW_META_PETO;
    int ratio = ww_meta_measure_is_ratio(a->measure);
    double *weights = NULL, *ey = NULL, *ev = NULL;
    size_t ke = 0, n = s->k ? s->k : 1;
    int error = 0;

    weights = calloc(n, sizeof *weights);
    ey = calloc(n, sizeof *ey);
    ev = calloc(n, sizeof *ev);
    a->rows = calloc(n, sizeof *a->rows);
    if (!weights || !ey || !ev || !a->rows) goto oom;

    if (tables) {
        error = ww_meta_pool_tables(&a->res, weights, s->tables, s->k, a->measure, &a->pool);
        for (size_t i = 0; error == 0 && i < s->k; i++) {
            ww_effect e;
            if ((error = ww_meta_table_effect(&e, &s->tables[i], a->measure, a->pool.method)) < 0)
                break;
            a->rows[i].yi = e.yi;
            a->rows[i].vi = e.vi;
        }
    } else {
        error = ww_meta_pool(&a->res, weights, s->yi, s->vi, s->k, &a->pool);
        for (size_t i = 0; i < s->k; i++) {
            a->rows[i].yi = s->yi[i];
            a->rows[i].vi = s->vi[i];
        }
    }
    if (error < 0) goto done;
    for (size_t i = 0; i < s->k; i++) {
        a->rows[i].study = s->name[i];
        a->rows[i].group = s->n_groups ? s->group_name[s->group[i]] : NULL;
        a->rows[i].weight_pct = weights[i];
    }
    publish(&a->pooled, &a->res, ratio);

    /* Egger and trim and fill work on the effects that exist (a table with
     * no events in either group has none under MH and Peto). */
    for (size_t i = 0; i < s->k; i++) {
        if (isnan(a->rows[i].yi)) continue;
        ey[ke] = a->rows[i].yi;
        ev[ke++] = a->rows[i].vi;
    }
    if (s->k >= 3 && ke >= 3) a->have_egger = ww_meta_egger(&a->egger, ey, ev, ke, &a->pool) == 0;
    a->egger_test.stat = a->egger.stat;
    a->egger_test.df = a->egger.df;
    a->egger_test.p = a->egger.p;

    if (s->n_groups) {
        if (!(a->groups = calloc(s->n_groups, sizeof *a->groups)) ||
            !(a->groups_pooled = calloc(s->n_groups, sizeof *a->groups_pooled)))
            goto oom;
        error = tables ? ww_meta_subgroups_tables(a->groups, &a->sub_test, s->tables, s->group,
                                                  s->k, s->n_groups, a->measure, &a->pool)
                       : ww_meta_subgroups(a->groups, &a->sub_test, s->yi, s->vi, s->group, s->k,
                                           s->n_groups, &a->pool);
        if (error < 0) goto done;
        for (size_t g = 0; g < s->n_groups; g++)
            publish(&a->groups_pooled[g], &a->groups[g], ratio);
        a->q_between.stat = a->sub_test.q_between;
        a->q_between.df = a->sub_test.q_between_df;
        a->q_between.p = a->sub_test.q_between_p;
    }
    if (o->trimfill) {
        a->fill_yi = calloc(ke ? ke : 1, sizeof *a->fill_yi);
        a->fill_vi = calloc(ke ? ke : 1, sizeof *a->fill_vi);
        if (!a->fill_yi || !a->fill_vi) goto oom;
        if ((error = ww_meta_trimfill(&a->tf, a->fill_yi, a->fill_vi, ey, ev, ke, &a->pool)) < 0)
            goto done;
        a->have_trimfill = 1;
        publish(&a->tf_pooled, &a->tf.adjusted, ratio);
    }
    if (o->leave_one_out) {
        if (!(a->l1o = calloc(n, sizeof *a->l1o)) ||
            !(a->l1o_pooled = calloc(n, sizeof *a->l1o_pooled)))
            goto oom;
        error = tables ? ww_meta_leave1out_tables(a->l1o, s->tables, s->k, a->measure, &a->pool)
                       : ww_meta_leave1out(a->l1o, s->yi, s->vi, s->k, &a->pool);
        if (error < 0) goto done;
        for (size_t i = 0; i < s->k; i++) publish(&a->l1o_pooled[i], &a->l1o[i], ratio);
    }
    goto done;
oom:
    error = ww__error_oom();
done:
    free(ev);
    free(ey);
    free(weights);
    return error < 0 ? pool_failed(a, error) : 0;
}

int ww_meta_run(ww_meta_analysis **out, const char *csv_path, const ww_meta_opts *opts)
{
    ww_meta_analysis *a = NULL;
    unsigned char *data = NULL;
    size_t size = 0;
    int error;

    if (!out) return ww__error(WW_EUSAGE, "ww_meta_run: out is NULL");
    *out = NULL;
    if (!csv_path || !*csv_path) return ww__error(WW_EUSAGE, "no CSV file named");
    if (!opts) return ww__error(WW_EUSAGE, "ww_meta_run: options are needed (WW_META_OPTS_INIT)");
    if ((error = check_opts(opts)) < 0) return error;
    if (!(a = calloc(1, sizeof *a))) return ww__error_oom();
    a->measure = opts->measure;
    a->pool.method = opts->method;
    a->pool.knha = opts->knha;
    if ((error = ww_diags__new(&a->diags)) < 0) goto done;
    if (!(a->path = strdup(csv_path)) ||
        (opts->subgroup_column && !(a->subgroup_column = strdup(opts->subgroup_column)))) {
        error = ww__error_oom();
        goto done;
    }

    if ((error = ww_csv__read_file(&data, &size, csv_path, META_MAX_FILE_BYTES)) < 0) {
        /* Too large: a problem in the file, like the rest. */
        if (error == WW_EDATA &&
            (error = ww_diags__add(a->diags, 0, a->path, 1, "file", "larger than %zu MiB",
                                   META_MAX_FILE_BYTES >> 20)) == 0)
            error = WW_EDATA;
        goto done;
    }
    if ((error = ww_meta_csv__parse(&a->studies, a->path, data, size, a->measure,
                                    a->subgroup_column, a->diags)) < 0)
        goto done;
    if (ww_meta_method_is_random(a->pool.method) && a->studies->k < 2) {
        if ((error = ww_diags__add(a->diags, 0, a->path, 1, "study",
                                   "random effects (%s) need at least 2 studies, found %zu",
                                   ww_meta_method_name(a->pool.method), a->studies->k)) == 0)
            error = WW_EDATA;
        goto done;
    }
    if (a->subgroup_column && a->studies->n_groups < 2) {
        if ((error = ww_diags__add(a->diags, 0, a->path, 1, a->subgroup_column,
                                   "at least 2 subgroups are needed, found %zu",
                                   a->studies->n_groups)) == 0)
            error = WW_EDATA;
        goto done;
    }
    if ((error = analyse(a, opts)) < 0) goto done;
    a->have_result = 1;
done:
    free(data);
    if (error == WW_EDATA && ww_diags__count(a->diags) > 0) {
        const ww_diag *first = ww_diags__get(a->diags, 0);
        if (first->line > 0)
            ww__error(WW_EDATA, "%s:%ld: %s: %s", first->file, first->line, first->field,
                      first->message);
        else
            ww__error(WW_EDATA, "%s: %s", first->file, first->message);
        *out = a;
        return error;
    }
    if (error < 0) {
        ww_meta_analysis_free(a);
        return error;
    }
    *out = a;
    return 0;
}

void ww_meta_analysis_free(ww_meta_analysis *a)
{
    if (!a) return;
    ww_diags__free(a->diags);
    ww_meta_csv__free(a->studies);
    free(a->path);
    free(a->subgroup_column);
    free(a->rows);
    free(a->groups);
    free(a->groups_pooled);
    free(a->fill_yi);
    free(a->fill_vi);
    free(a->l1o);
    free(a->l1o_pooled);
    free(a);
}

size_t ww_meta_analysis_diag_count(const ww_meta_analysis *a)
{
    return a ? ww_diags__count(a->diags) : 0;
}

const ww_diag *ww_meta_analysis_diag(const ww_meta_analysis *a, size_t i)
{
    return a && i < ww_diags__count(a->diags) ? ww_diags__get(a->diags, i) : NULL;
}

ww_meta_measure ww_meta_analysis_measure(const ww_meta_analysis *a)
{
    return a->measure;
}

ww_meta_method ww_meta_analysis_method(const ww_meta_analysis *a)
{
    return a->pool.method;
}

int ww_meta_analysis_knha(const ww_meta_analysis *a)
{
    return a->pool.knha;
}

const ww_meta_pooled *ww_meta_analysis_pooled(const ww_meta_analysis *a)
{
    return a && a->have_result ? &a->pooled : NULL;
}

size_t ww_meta_analysis_study_count(const ww_meta_analysis *a)
{
    return a && a->have_result ? a->studies->k : 0;
}

const ww_meta_study *ww_meta_analysis_study(const ww_meta_analysis *a, size_t i)
{
    return i < ww_meta_analysis_study_count(a) ? &a->rows[i] : NULL;
}

const ww_meta_test *ww_meta_analysis_egger(const ww_meta_analysis *a)
{
    return a && a->have_result && a->have_egger ? &a->egger_test : NULL;
}

size_t ww_meta_analysis_subgroup_count(const ww_meta_analysis *a)
{
    return a && a->have_result && a->groups ? a->studies->n_groups : 0;
}

const ww_meta_pooled *ww_meta_analysis_subgroup(const ww_meta_analysis *a, size_t i,
                                                const char **name)
{
    if (i >= ww_meta_analysis_subgroup_count(a)) return NULL;
    if (name) *name = a->studies->group_name[i];
    return &a->groups_pooled[i];
}

const ww_meta_test *ww_meta_analysis_q_between(const ww_meta_analysis *a)
{
    return ww_meta_analysis_subgroup_count(a) ? &a->q_between : NULL;
}

const ww_meta_pooled *ww_meta_analysis_trimfill(const ww_meta_analysis *a, size_t *k0, int *side)
{
    if (!a || !a->have_result || !a->have_trimfill) return NULL;
    if (k0) *k0 = a->tf.k0;
    if (side) *side = a->tf.side;
    return &a->tf_pooled;
}

const ww_meta_pooled *ww_meta_analysis_leave_one_out(const ww_meta_analysis *a, size_t i)
{
    if (!a || !a->have_result || !a->l1o || i >= a->studies->k) return NULL;
    return &a->l1o_pooled[i];
}

int ww_meta_analysis_write(const ww_meta_analysis *a, FILE *fp, ww_format fmt)
{
    if (!a || !a->have_result)
        return ww__error(WW_EUSAGE, "no analysis to write (the file had problems)");
    switch (fmt) {
    case WW_FORMAT_JSON: return ww_meta__write_json(a, fp);
    case WW_FORMAT_CSV: return ww_meta__write_csv(a, fp);
    case WW_FORMAT_TABLE: return ww_meta__write_table(a, fp);
    }
    return ww__error(WW_EUSAGE, "unknown format %d", (int)fmt);
}
