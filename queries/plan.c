/*
 * plan.c — `whatworks plan`: a pilot designed to find out. Reads what the
 * repository holds for an intervention and outcome domain (its pooled
 * effect, the attrition and ICCs of its studies), chooses the effect to
 * detect (the conservative end of the pooled result's interval, by
 * default), and asks evidence/plan.c for the MDES of the planned pilot and
 * the sample needed to detect that effect. The formulas and defaults are in
 * docs/plan.md; rendering is in plan_write.c.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../evidence/plan.h"
#include "../repo/costs.h"
#include "plan_int.h"

#define DEFAULT_TOP 3
#define MAX_TOP 50

/* What the repository said, for one plan (NULL without an intervention). */
typedef struct evidence_in {
    const ww_intervention_row *iv;
    const ww_synthesis_row *syn;
    const ww_design_evidence_row *dev;
} evidence_in;

static int add_text(ww_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int add_text(ww_buf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return ww__error(WW_ERROR, "formatting a plan failed");
    if (b->size) {
        int error = ww_buf__puts(b, " ");
        if (error < 0) return error;
    }
    return ww_buf__puts(b, tmp);
}

/* Recruits needed for a number analysed after attrition. */
static long recruits(double analysed, double attrition)
{
    return (long)ceil(analysed / (1 - attrition) - 1e-9);
}

/* Keep the last error's text as part of a plan's explanation. */
static int keep_reason(ww_buf *why)
{
    int error = add_text(why, "%s.", ww_error_last());
    ww_error_clear();
    return error;
}

/* How many clusters of `size` recruits detect target. */
static int clusters_for(const ww_plan_row *r, const ww_plan_design *d, long size, double target,
                        long *n_out, long *n_analysed_out, long *clusters_out, long *size_out)
{
    long j;
    int error = ww_plan_clusters_needed(&j, d, (double)size * (1 - r->attrition), target);
    if (error < 0) return error;
    *clusters_out = j;
    *size_out = size;
    *n_out = j * size;
    *n_analysed_out = (long)floor((double)*n_out * (1 - r->attrition) + 1e-9);
    return 0;
}

/* The sample that detects target: fills the *_required fields, or leaves
 * them -1 and explains why in b. With the clusters fixed, the people per
 * cluster are worked out; when no cluster size is enough, the clusters
 * needed at the planned cluster size instead. */
static int size_for(ww_plan_row *r, const ww_plan_design *d, const ww_plan_opts *o, double target,
                    long *n_out, long *n_analysed_out, long *clusters_out, long *size_out,
                    ww_buf *why)
{
    long n_a = -1, m = -1, size;
    int error;
    *n_out = *n_analysed_out = *clusters_out = *size_out = -1;
    if (!d->clustered) {
        if ((error = ww_plan_n_individual(&n_a, d, target)) < 0) goto fail;
        *n_analysed_out = n_a;
        *n_out = recruits((double)n_a, r->attrition);
        return 0;
    }
    if (r->clusters <= 0) {
        error = clusters_for(r, d, o->cluster_size, target, n_out, n_analysed_out, clusters_out,
                             size_out);
        goto fail;
    }
    if ((error = ww_plan_cluster_size_needed(&m, d, r->clusters, target)) == 0) {
        *clusters_out = r->clusters;
        *size_out = recruits((double)m, r->attrition);
        *n_out = r->clusters * *size_out;
        *n_analysed_out = r->clusters * m;
        return 0;
    }
    if (error != WW_EDATA || (error = keep_reason(why)) < 0) return error;
    size = r->n > 0 ? r->n / r->clusters : o->cluster_size;
    if (size < 1) return 0;
    error = clusters_for(r, d, size, target, n_out, n_analysed_out, clusters_out, size_out);
fail:
    if (error == WW_EDATA) return keep_reason(why);
    return error;
}

static int verdict(const ww_plan_row_int *ri, const ww_plan_design *d, const evidence_in *ev,
                   ww_buf *b, ww_buf *why)
{
    const ww_plan_row *r = &ri->row;
    int error = 0;
    char sample[160] = "", needs[200] = "", pooled[200] = "";

    if (r->n > 0 && r->clusters > 0)
        snprintf(sample, sizeof sample, "%ld people in %ld clusters (%.0f analysed)", r->n,
                 r->clusters, r->n_analysed);
    else if (r->n > 0)
        snprintf(sample, sizeof sample, "%ld people (%.0f analysed)", r->n, r->n_analysed);
    if (r->n_required > 0 && r->clusters_required > 0)
        snprintf(needs, sizeof needs, "%ld people in %ld clusters of %ld", r->n_required,
                 r->clusters_required, r->cluster_size_required);
    else if (r->n_required > 0)
        snprintf(needs, sizeof needs, "%ld people (%ld analysed)", r->n_required,
                 r->n_required_analysed);
    if (r->n_required_pooled > 0 && ri->pooled_clusters > 0)
        snprintf(pooled, sizeof pooled, "%ld people in %ld clusters of %ld", r->n_required_pooled,
                 ri->pooled_clusters, ri->pooled_cluster_size);
    else if (r->n_required_pooled > 0)
        snprintf(pooled, sizeof pooled, "%ld people", r->n_required_pooled);

    if (isfinite(r->target) && r->target == 0) {
        int pi = isfinite(r->pi_low);
        error = add_text(b,
                         "The evidence's 95%% %s (%.2f to %.2f) includes no effect: no pilot can "
                         "be sized to detect its conservative end, and a pilot that finds "
                         "nothing will not show that the intervention does not work.",
                         pi ? "prediction interval" : "confidence interval",
                         pi ? r->pi_low : r->ci_low, pi ? r->pi_high : r->ci_high);
        if (!error && r->n_required_pooled > 0)
            error = add_text(b, "Detecting the pooled estimate (%.2f) would need %s.",
                             fabs(r->estimate), pooled);
        if (!error && r->n > 0)
            error = add_text(b, "A pilot of %s can detect effects of %.2f SD or more.", sample,
                             r->mdes);
    } else if (r->n > 0) {
        error = add_text(b,
                         "A pilot of %s can detect effects of %.2f SD or more (%.0f%% power, "
                         "two-sided alpha %g).",
                         sample, r->mdes, d->power * 100, d->alpha);
        if (!error && isfinite(r->target) && r->detectable)
            error = add_text(b, "The effect to detect is %.2f, %s: this pilot can find it.",
                             r->target, r->target_basis);
        else if (!error && isfinite(r->target)) {
            error = add_text(b, "The effect to detect is %.2f, %s: this pilot cannot find it.",
                             r->target, r->target_basis);
            if (!error && why->size) error = add_text(b, "%s", why->data);
            if (!error && needs[0]) error = add_text(b, "It would need %s.", needs);
        }
    } else if (isfinite(r->target)) {
        if (why->size) error = add_text(b, "%s", why->data);
        if (!error && needs[0])
            error = add_text(b,
                             "Detecting %.2f, %s, with %.0f%% power at two-sided alpha %g "
                             "needs %s.",
                             r->target, r->target_basis, d->power * 100, d->alpha, needs);
        else if (!error)
            error = add_text(b, "Detecting %.2f, %s, is beyond reach of this design.", r->target,
                             r->target_basis);
    }
    if (!error && r->attrition > 0 && r->n_required > 0)
        error = add_text(b, "That allows for %.0f%% attrition (%s).", r->attrition * 100,
                         r->attrition_source);
    if (!error && r->n_required_pooled > 0 && r->n > 0 && r->detectable == 0 && r->target > 0)
        error = add_text(b, "Even the pooled estimate (%.2f) would need %s.", fabs(r->estimate),
                         pooled);
    /* The evidence came from randomising clusters: a pilot that randomises
     * people instead may not be delivering the same thing. */
    if (!error && ev && !d->clustered && ev->dev->n_cluster_studies > 0)
        error = add_text(b,
                         "%d of the %d studies randomised by %s: a pilot that does the same "
                         "should be planned as a cluster design (the ICC then matters).",
                         ev->dev->n_cluster_studies, ev->dev->n_studies,
                         ev->dev->cluster_unit ? ev->dev->cluster_unit : "cluster");
    if (!error && r->is_example)
        error = add_text(b, "The evidence is an illustrative example, not real evidence.");
    return error;
}

/* One plan, from options and (optionally) evidence. */
static int plan_one(ww_plan_row_int *ri, ww_arena *arena, const ww_plan_opts *o,
                    const evidence_in *ev)
{
    ww_plan_row *r = &ri->row;
    ww_plan_design d;
    ww_buf text = WW_BUF_INIT, why = WW_BUF_INIT;
    int error = 0;
    long ignored;

    memset(&d, 0, sizeof d);
    r->k = 0;
    r->estimate = r->ci_low = r->ci_high = r->pi_low = r->pi_high = NAN;
    r->target = r->icc = r->n_analysed = r->mdes = r->multiplier = r->df = NAN;
    r->n = r->clusters = -1;
    r->n_required = r->n_required_analysed = r->clusters_required = -1;
    r->cluster_size_required = r->n_required_pooled = -1;
    r->detectable = -1;
    ri->pooled_clusters = ri->pooled_cluster_size = -1;

    d.alpha = o->alpha > 0 ? o->alpha : 0.05;
    d.power = o->power > 0 ? o->power : 0.80;
    d.treated_share = o->treated_share > 0 ? o->treated_share : 0.5;
    d.r2_individual = o->have_r2 ? o->r2 : 0;
    d.r2_cluster = o->have_r2_cluster ? o->r2_cluster : d.r2_individual;
    d.clustered = o->clusters > 0 || o->cluster_size > 0;
    if (!d.clustered && (o->have_icc || o->have_r2_cluster))
        return ww__error(WW_EUSAGE,
                         "%s is for cluster designs: give --clusters or "
                         "--cluster-size too",
                         o->have_icc ? "--icc" : "--r2-cluster");
    /* One baseline covariate (the pre-test) when any R-squared is claimed;
     * in a cluster design it is counted at the cluster level (PowerUp!'s
     * g*), which is where the degrees of freedom are. */
    d.covariates = d.clustered ? (d.r2_cluster > 0) : (d.r2_individual > 0);

    if (ev) {
        r->slug = ev->iv->slug;
        r->name = ev->iv->name;
        r->is_example = ev->iv->is_example;
        r->domain = ev->syn->domain;
        r->k = ev->syn->k;
        r->estimate = ev->syn->estimate;
        r->ci_low = ev->syn->ci_low;
        r->ci_high = ev->syn->ci_high;
        r->pi_low = ev->syn->pi_low;
        r->pi_high = ev->syn->pi_high;
        r->certainty = ev->syn->certainty;
        ri->syn = ev->syn;
        ri->dev = ev->dev;
    }

    /* The ICC: given, else the evidence's, else the domain's default. */
    if (d.clustered) {
        if (o->have_icc) {
            d.icc = o->icc;
            r->icc_source = "given";
        } else if (ev || o->domain) {
            ww_plan_choose_icc(&d.icc, &r->icc_source, ev ? ev->dev->iccs : NULL,
                               ev ? ev->dev->n_iccs : 0, ev ? r->domain : o->domain);
            ri->n_iccs = ev ? ev->dev->n_iccs : 0;
        } else {
            return ww__error(WW_EUSAGE,
                             "a cluster design needs --icc (or --domain, for its default ICC)");
        }
        r->icc = d.icc;
    }
    if ((error = ww_plan_check(&d)) < 0) return error;

    /* Attrition: given, else what the evidence shows, else none. */
    if (o->have_attrition) {
        r->attrition = o->attrition;
        r->attrition_source = "given";
    } else if (ev && ev->dev->n_attrition_studies > 0) {
        r->attrition = ev->dev->attrition;
        r->attrition_source = "the evidence: assigned vs analysed in its studies";
    } else {
        r->attrition = 0;
        r->attrition_source = ev ? "none reported in the evidence" : "none given";
    }
    if (!(r->attrition >= 0 && r->attrition < 1))
        return ww__error(WW_EUSAGE, "attrition %g must be in [0, 1)", r->attrition);

    /* The effect to detect. */
    if (o->have_mdes) {
        if (!(o->mdes > 0 && isfinite(o->mdes)))
            return ww__error(WW_EUSAGE, "the effect to detect must be > 0, got %g", o->mdes);
        r->target = o->mdes;
        r->target_basis = "as given";
    } else if (ev && o->use_pooled) {
        r->target = fabs(r->estimate);
        r->target_basis = "the pooled estimate";
    } else if (ev) {
        const char *basis;
        ww_plan_conservative_effect(&r->target, &basis, r->estimate, r->ci_low, r->ci_high,
                                    r->pi_low, r->pi_high);
        r->target_basis = strcmp(basis, "prediction interval") == 0
                              ? "the conservative end of the 95% prediction interval"
                              : "the conservative end of the 95% CI (one study pooled)";
    }

    r->design = d.clustered ? "cluster" : "individual";
    r->alpha = d.alpha;
    r->power = d.power;
    r->treated_share = d.treated_share;
    r->r2 = d.r2_individual;
    r->r2_cluster = d.clustered ? d.r2_cluster : NAN;
    r->covariates = d.covariates;

    /* The planned pilot's MDES. */
    if (o->n > 0) {
        ww_plan_mdes m;
        r->n = o->n;
        r->n_analysed = (double)o->n * (1 - r->attrition);
        if (d.clustered) {
            if (o->clusters <= 0)
                return ww__error(WW_EUSAGE, "--n with a cluster design needs --clusters");
            if (o->n < o->clusters)
                return ww__error(WW_EUSAGE, "%ld people cannot fill %ld clusters", o->n,
                                 o->clusters);
            r->clusters = o->clusters;
            error = ww_plan_mdes_cluster(&m, &d, (double)o->clusters,
                                         r->n_analysed / (double)o->clusters);
        } else {
            error = ww_plan_mdes_individual(&m, &d, r->n_analysed);
        }
        if (error < 0) return error;
        r->mdes = m.mdes;
        r->multiplier = m.multiplier;
        r->df = m.df;
    } else if (d.clustered && o->clusters > 0 && o->cluster_size > 0) {
        return ww__error(WW_EUSAGE, "give --n and --clusters, or --cluster-size (not both)");
    } else if (d.clustered && o->clusters > 0) {
        r->clusters = o->clusters;
    }
    if (r->n <= 0 && !isfinite(r->target))
        return ww__error(WW_EUSAGE, "nothing to plan: give --n (for the MDES) or --mdes (for "
                                    "the sample), or name an intervention");

    /* The sample that detects the target. */
    if (isfinite(r->target) && r->target > 0) {
        if (d.clustered && r->clusters <= 0 && o->cluster_size <= 0)
            return ww__error(WW_EUSAGE, "a cluster design needs --clusters or --cluster-size");
        if ((error = size_for(r, &d, o, r->target, &r->n_required, &r->n_required_analysed,
                              &r->clusters_required, &r->cluster_size_required, &why)) < 0)
            goto done;
        if (isfinite(r->mdes)) r->detectable = r->mdes <= r->target * (1 + 1e-12);
    } else if (isfinite(r->target)) {
        r->detectable = 0;
    }
    if (ev && !o->have_mdes && !o->use_pooled && fabs(r->estimate) > r->target &&
        !(d.clustered && r->clusters <= 0 && o->cluster_size <= 0)) {
        ww_buf none = WW_BUF_INIT;
        error = size_for(r, &d, o, fabs(r->estimate), &r->n_required_pooled, &ignored,
                         &ri->pooled_clusters, &ri->pooled_cluster_size, &none);
        ww_buf__free(&none);
        if (error < 0) goto done;
    }
    if ((error = verdict(ri, &d, ev, &text, &why)) < 0) goto done;
    if (!(r->verdict = ww_arena__strdup(arena, text.data ? text.data : "")))
        error = ww__error_oom();
done:
    ww_buf__free(&text);
    ww_buf__free(&why);
    return error;
}

static int new_result(ww_plan_result **out, size_t n_rows)
{
    ww_plan_result *res = calloc(1, sizeof *res);
    int error;
    *out = NULL;
    if (!res) return ww__error_oom();
    if ((error = ww_arena__new(&res->arena)) < 0) {
        free(res);
        return error;
    }
    if (n_rows && !(res->rows = ww_arena__alloc(res->arena, n_rows * sizeof *res->rows))) {
        ww_plan_result_free(res);
        return ww__error_oom();
    }
    *out = res;
    return 0;
}

/* A plan of one stored intervention into res->rows[res->n_rows]. */
static int plan_intervention(ww_plan_result *res, ww_db *db, const char *intervention,
                             const char *domain, const ww_plan_opts *o)
{
    ww_intervention_row *iv = ww_arena__alloc(res->arena, sizeof *iv);
    ww_synthesis_row *syn = ww_arena__alloc(res->arena, sizeof *syn);
    ww_design_evidence_row *dev = ww_arena__alloc(res->arena, sizeof *dev);
    evidence_in ev = {iv, syn, dev};
    int error;

    if (!iv || !syn || !dev) return ww__error_oom();
    if ((error = ww_repo__intervention(iv, db, res->arena, intervention)) < 0 ||
        (error = ww_repo__pooled_effect(syn, db, res->arena, iv->id, domain)) < 0)
        return error;
    if (!isfinite(syn->estimate))
        return ww__error(WW_ENOTFOUND, "%s: no pooled estimate on '%s'", iv->slug, syn->domain);
    if ((error = ww_repo__design_evidence(dev, db, res->arena, iv->id, syn->domain)) < 0 ||
        (error = plan_one(&res->rows[res->n_rows], res->arena, o, &ev)) < 0)
        return error;
    res->n_rows++;
    return 0;
}

int ww_plan_run(ww_plan_result **out, ww_db *db, const char *intervention, const ww_plan_opts *opts)
{
    ww_plan_result *res = NULL;
    ww_plan_opts none;
    int error;

    *out = NULL;
    if (!opts) {
        memset(&none, 0, sizeof none);
        opts = &none;
    }
    if (intervention && !db) return ww__error(WW_EUSAGE, "no database");
    if ((error = new_result(&res, 1)) < 0) return error;
    if (intervention) {
        error = plan_intervention(res, db, intervention, opts->domain, opts);
    } else if ((error = plan_one(&res->rows[0], res->arena, opts, NULL)) == 0) {
        res->n_rows = 1;
    }
    if (error < 0) {
        ww_plan_result_free(res);
        return error;
    }
    *out = res;
    return 0;
}

int ww_plan_issue(ww_plan_result **out, ww_db *db, const char *issue, int top,
                  const ww_plan_opts *opts)
{
    ww_plan_result *res = NULL;
    ww_query_result *q = NULL;
    ww_query_opts qo;
    ww_plan_opts none;
    int error;

    *out = NULL;
    if (!opts) {
        memset(&none, 0, sizeof none);
        opts = &none;
    }
    if (top == 0) top = DEFAULT_TOP;
    if (top < 1 || top > MAX_TOP)
        return ww__error(WW_EUSAGE, "top %d must be from 1 to %d", top, MAX_TOP);
    if (!db) return ww__error(WW_EUSAGE, "no database");
    memset(&qo, 0, sizeof qo);
    qo.limit = 100;
    /* a pilot may be planned from evidence not yet reviewed, as from one
     * intervention's (ww_plan_run) */
    qo.include_provisional = 1;
    if ((error = ww_query_run(&q, db, issue, &qo)) < 0) return error;
    if ((error = new_result(&res, (size_t)top)) < 0) goto done;
    if (!(res->issue = ww_arena__strdup(res->arena, issue))) {
        error = ww__error_oom();
        goto done;
    }
    /* The best-ranked interventions with a pooled effect, in rank order. */
    for (size_t i = 0; i < ww_query_result_count(q) && res->n_rows < (size_t)top; i++) {
        const ww_query_row *row = ww_query_result_row(q, i);
        if (!row->certainty || !row->certainty[0] || !isfinite(row->estimate)) continue;
        error = plan_intervention(res, db, row->slug,
                                  opts->domain ? opts->domain : row->outcome_domain, opts);
        if (error == WW_ENOTFOUND) {
            ww_error_clear();
            error = 0;
            continue;
        }
        if (error < 0) goto done;
    }
done:
    ww_query_result_free(q);
    if (error < 0) {
        ww_plan_result_free(res);
        return error;
    }
    *out = res;
    return 0;
}

void ww_plan_result_free(ww_plan_result *res)
{
    if (!res) return;
    ww_arena__free(res->arena);
    free(res);
}

size_t ww_plan_result_count(const ww_plan_result *res)
{
    return res ? res->n_rows : 0;
}

const ww_plan_row *ww_plan_result_row(const ww_plan_result *res, size_t i)
{
    return res && i < res->n_rows ? &res->rows[i].row : NULL;
}
