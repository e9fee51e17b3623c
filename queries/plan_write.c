/*
 * plan_write.c — pilot plans as JSON ("whatworks/plan/1", docs/json.md and
 * docs/plan.md), CSV (one row per plan) or a table for people. The JSON
 * names every parameter that produced a number: the evidence used, the
 * effect sized for and why, alpha, power, R-squared, ICC and attrition with
 * their sources.
 */
#include <math.h>
#include <string.h>

#include "../evidence/plan.h"
#include "plan_int.h"

static json_t *count_or_null(long v)
{
    return v >= 0 ? json_integer(v) : json_null();
}

static json_t *tristate(int v)
{
    return v < 0 ? json_null() : json_boolean(v);
}

static json_t *evidence_json(const ww_plan_row_int *ri)
{
    const ww_plan_row *r = &ri->row;
    json_t *o;
    if (!ri->syn) return json_null();
    o = json_object();
    ww_queries__set(o, "domain", json_string(r->domain));
    ww_queries__set(o, "metric", json_string("SMD"));
    ww_queries__set(o, "method", ww_queries__str(ri->syn->method));
    ww_queries__set(o, "k", json_integer(r->k));
    ww_queries__set(o, "estimate", ww_queries__num(r->estimate));
    ww_queries__set(o, "ci_low", ww_queries__num(r->ci_low));
    ww_queries__set(o, "ci_high", ww_queries__num(r->ci_high));
    ww_queries__set(o, "pi_low", ww_queries__num(r->pi_low));
    ww_queries__set(o, "pi_high", ww_queries__num(r->pi_high));
    ww_queries__set(o, "certainty", ww_queries__str(r->certainty));
    ww_queries__set(o, "studies", json_integer(ri->dev->n_studies));
    ww_queries__set(o, "cluster_randomised_studies", json_integer(ri->dev->n_cluster_studies));
    ww_queries__set(o, "cluster_unit", ww_queries__str(ri->dev->cluster_unit));
    ww_queries__set(o, "attrition_studies", json_integer(ri->dev->n_attrition_studies));
    ww_queries__set(o, "stored_iccs", json_integer((json_int_t)ri->dev->n_iccs));
    ww_queries__set(o, "data_version", json_integer(ri->syn->data_version));
    return o;
}

static json_t *plan_json(const ww_plan_row_int *ri)
{
    const ww_plan_row *r = &ri->row;
    json_t *o = json_object(), *p = json_object(), *x;

    if (r->slug) {
        x = json_object();
        ww_queries__set(x, "slug", json_string(r->slug));
        ww_queries__set(x, "name", json_string(r->name));
        ww_queries__set(x, "is_example", json_boolean(r->is_example));
        ww_queries__set(o, "intervention", x);
    } else {
        ww_queries__set(o, "intervention", json_null());
    }
    ww_queries__set(o, "evidence", evidence_json(ri));
    if (isfinite(r->target)) {
        x = json_object();
        ww_queries__set(x, "effect", json_real(r->target));
        ww_queries__set(x, "basis", json_string(r->target_basis));
        ww_queries__set(o, "target", x);
    } else {
        ww_queries__set(o, "target", json_null());
    }
    ww_queries__set(o, "design", json_string(r->design));
    ww_queries__set(p, "alpha", json_real(r->alpha));
    ww_queries__set(p, "two_sided", json_true());
    ww_queries__set(p, "power", json_real(r->power));
    ww_queries__set(p, "treated_share", json_real(r->treated_share));
    ww_queries__set(p, "r2", json_real(r->r2));
    ww_queries__set(p, "r2_cluster", ww_queries__num(r->r2_cluster));
    ww_queries__set(p, "covariates", json_integer(r->covariates));
    ww_queries__set(p, "icc", ww_queries__num(r->icc));
    ww_queries__set(p, "icc_source", ww_queries__str(r->icc_source));
    ww_queries__set(p, "attrition", json_real(r->attrition));
    ww_queries__set(p, "attrition_source", json_string(r->attrition_source));
    ww_queries__set(o, "parameters", p);
    if (r->n > 0) {
        x = json_object();
        ww_queries__set(x, "n", json_integer(r->n));
        ww_queries__set(x, "clusters", count_or_null(r->clusters));
        ww_queries__set(x, "n_analysed", json_real(r->n_analysed));
        ww_queries__set(o, "planned", x);
    } else {
        ww_queries__set(o, "planned", json_null());
    }
    ww_queries__set(o, "mdes", ww_queries__num(r->mdes));
    ww_queries__set(o, "multiplier", ww_queries__num(r->multiplier));
    ww_queries__set(o, "df", ww_queries__num(r->df));
    ww_queries__set(o, "detectable", tristate(r->detectable));
    if (r->n_required > 0) {
        x = json_object();
        ww_queries__set(x, "n", json_integer(r->n_required));
        ww_queries__set(x, "n_analysed", count_or_null(r->n_required_analysed));
        ww_queries__set(x, "clusters", count_or_null(r->clusters_required));
        ww_queries__set(x, "cluster_size", count_or_null(r->cluster_size_required));
        ww_queries__set(o, "required", x);
    } else {
        ww_queries__set(o, "required", json_null());
    }
    ww_queries__set(o, "n_required_pooled", count_or_null(r->n_required_pooled));
    ww_queries__set(o, "verdict", ww_queries__str(r->verdict));
    return o;
}

static int write_json(const ww_plan_result *res, FILE *fp)
{
    json_t *doc, *plans;
    int error;

    if (!res->issue && res->n_rows == 1) {
        /* One plan: its fields at the top, after the schema. */
        json_t *one = plan_json(&res->rows[0]);
        doc = json_object();
        ww_queries__set(doc, "schema", json_string("whatworks/plan/1"));
        ww_queries__set(doc, "method", json_string(WW_PLAN_RULES_VERSION));
        for (void *it = json_object_iter(one); it; it = json_object_iter_next(one, it))
            ww_queries__set(doc, json_object_iter_key(it), json_incref(json_object_iter_value(it)));
        json_decref(one);
    } else {
        doc = json_object();
        plans = json_array();
        ww_queries__set(doc, "schema", json_string("whatworks/plan/1"));
        ww_queries__set(doc, "method", json_string(WW_PLAN_RULES_VERSION));
        ww_queries__set(doc, "issue", ww_queries__str(res->issue));
        for (size_t i = 0; i < res->n_rows; i++)
            ww_queries__append(plans, plan_json(&res->rows[i]));
        ww_queries__set(doc, "plans", plans);
    }
    error = ww_queries__write_json(doc, fp);
    json_decref(doc);
    return error;
}

static void csv_count(FILE *fp, long v, int last)
{
    if (v >= 0) fprintf(fp, "%ld", v);
    fputs(last ? "\r\n" : ",", fp);
}

static int write_csv(const ww_plan_result *res, FILE *fp)
{
    fputs("slug,domain,design,target,target_basis,alpha,power,treated_share,r2,r2_cluster,"
          "icc,icc_source,attrition,n,clusters,n_analysed,mdes,detectable,n_required,"
          "clusters_required,cluster_size_required,n_required_pooled,verdict\r\n",
          fp);
    for (size_t i = 0; i < res->n_rows; i++) {
        const ww_plan_row *r = &res->rows[i].row;
        ww_queries__csv_field(fp, r->slug, 0);
        ww_queries__csv_field(fp, r->domain, 0);
        ww_queries__csv_field(fp, r->design, 0);
        ww_queries__csv_num(fp, r->target, 0);
        ww_queries__csv_field(fp, r->target_basis, 0);
        ww_queries__csv_num(fp, r->alpha, 0);
        ww_queries__csv_num(fp, r->power, 0);
        ww_queries__csv_num(fp, r->treated_share, 0);
        ww_queries__csv_num(fp, r->r2, 0);
        ww_queries__csv_num(fp, r->r2_cluster, 0);
        ww_queries__csv_num(fp, r->icc, 0);
        ww_queries__csv_field(fp, r->icc_source, 0);
        ww_queries__csv_num(fp, r->attrition, 0);
        csv_count(fp, r->n, 0);
        csv_count(fp, r->clusters, 0);
        ww_queries__csv_num(fp, r->n_analysed, 0);
        ww_queries__csv_num(fp, r->mdes, 0);
        ww_queries__csv_field(fp, r->detectable < 0 ? "" : r->detectable ? "true" : "false", 0);
        csv_count(fp, r->n_required, 0);
        csv_count(fp, r->clusters_required, 0);
        csv_count(fp, r->cluster_size_required, 0);
        csv_count(fp, r->n_required_pooled, 0);
        ww_queries__csv_field(fp, r->verdict, 1);
    }
    return ww_queries__flush(fp);
}

static void table_num(FILE *fp, const char *label, double v, const char *note)
{
    if (!isfinite(v)) return;
    fprintf(fp, "  %-18s %.3f%s%s\n", label, v, note && *note ? "  " : "", note ? note : "");
}

/* Text wrapped at 78 columns, each line indented by two spaces. */
static void wrapped(FILE *fp, const char *s)
{
    const size_t width = 76;
    while (*s) {
        size_t n = strlen(s), cut = n;
        if (n > width) {
            cut = width;
            while (cut > 0 && s[cut] != ' ') cut--;
            if (cut == 0) cut = width;
        }
        fprintf(fp, "  %.*s\n", (int)cut, s);
        s += cut;
        while (*s == ' ') s++;
    }
}

static int write_table(const ww_plan_result *res, FILE *fp)
{
    if (res->issue) fprintf(fp, "Pilot plans for the best candidates for \"%s\"\n", res->issue);
    if (res->issue && res->n_rows == 0)
        fputs("  no ranked intervention has a pooled effect to plan for\n", fp);
    for (size_t i = 0; i < res->n_rows; i++) {
        const ww_plan_row *r = &res->rows[i].row;
        fputc('\n', fp);
        if (r->slug)
            fprintf(fp, "%s (%s)%s\n", r->name, r->slug,
                    r->is_example ? " — illustrative example, not evidence" : "");
        else
            fputs("Pilot design\n", fp);
        if (r->domain) {
            fprintf(fp, "  %-18s %s: SMD %.3f [%.3f, %.3f], k = %d", "evidence", r->domain,
                    r->estimate, r->ci_low, r->ci_high, r->k);
            if (isfinite(r->pi_low)) fprintf(fp, ", 95%% PI [%.3f, %.3f]", r->pi_low, r->pi_high);
            fprintf(fp, ", certainty %s\n", r->certainty ? r->certainty : "-");
        }
        table_num(fp, "effect to detect", r->target, r->target_basis);
        fprintf(fp, "  %-18s %s, two-sided alpha %g, power %g, treated share %g, R2 %g", "design",
                r->design, r->alpha, r->power, r->treated_share, r->r2);
        if (isfinite(r->r2_cluster)) fprintf(fp, " (cluster %g)", r->r2_cluster);
        fputc('\n', fp);
        if (isfinite(r->icc)) fprintf(fp, "  %-18s %.3f  %s\n", "ICC", r->icc, r->icc_source);
        fprintf(fp, "  %-18s %.1f%%  %s\n", "attrition", r->attrition * 100, r->attrition_source);
        if (r->n > 0) {
            fprintf(fp, "  %-18s %ld people", "planned", r->n);
            if (r->clusters > 0) fprintf(fp, " in %ld clusters", r->clusters);
            fprintf(fp, ", %.1f analysed\n", r->n_analysed);
            fprintf(fp, "  %-18s %.3f  (multiplier %.3f, df %.0f)\n", "MDES", r->mdes,
                    r->multiplier, r->df);
        }
        if (r->n_required > 0) {
            fprintf(fp, "  %-18s %ld people", "needed", r->n_required);
            if (r->clusters_required > 0)
                fprintf(fp, " in %ld clusters of %ld", r->clusters_required,
                        r->cluster_size_required);
            fprintf(fp, " (%ld analysed)\n", r->n_required_analysed);
        }
        if (r->verdict && *r->verdict) wrapped(fp, r->verdict);
    }
    return ww_queries__flush(fp);
}

int ww_plan_result_write(const ww_plan_result *res, FILE *fp, ww_format fmt)
{
    if (!res) return ww__error(WW_EUSAGE, "no plan");
    switch (fmt) {
    case WW_FORMAT_JSON: return write_json(res, fp);
    case WW_FORMAT_CSV: return write_csv(res, fp);
    case WW_FORMAT_TABLE: return write_table(res, fp);
    }
    return ww__error(WW_EUSAGE, "unknown format");
}
