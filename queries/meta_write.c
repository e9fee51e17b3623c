/*
 * meta_write.c — writing a meta-analysis (ww_meta_analysis_write()): the
 * versioned JSON "whatworks/meta/1" (docs/meta.md; tests/test_meta.c checks
 * the documented example), CSV with a row per study and the pooled row (a
 * forest plot's numbers), and an aligned table.
 */
#include <math.h>
#include <string.h>

#include "meta_int.h"
#include "queries_int.h"

#define set ww_queries__set
#define num ww_queries__num

/* {"t": stat, "df": df} or {z_key: stat}. */
static void put_test(json_t *obj, double stat, double df, const char *z_key)
{
    if (df > 0) {
        set(obj, "t", num(stat));
        set(obj, "df", json_integer((json_int_t)df));
    } else {
        set(obj, z_key, num(stat));
    }
}

/* The pooled-result keys of a subgroup, a trim-and-fill or a leave-one-out
 * entry, after whatever the caller put first. */
static void put_result(json_t *o, const ww_meta_result *r, int ratio)
{
    set(o, "k", json_integer((json_int_t)r->k));
    set(o, "estimate", num(r->estimate));
    set(o, "se", num(r->se));
    set(o, "ci_low", num(r->ci_low));
    set(o, "ci_high", num(r->ci_high));
    put_test(o, r->stat, r->df, "z");
    set(o, "p", num(r->p));
    set(o, "tau2", num(r->tau2));
    set(o, "i2", num(r->i2));
    set(o, "q", num(r->q));
    set(o, "q_p", num(r->q_p));
    if (ratio) {
        set(o, "exp_estimate", num(exp(r->estimate)));
        set(o, "exp_ci_low", num(exp(r->ci_low)));
        set(o, "exp_ci_high", num(exp(r->ci_high)));
    }
}

/* {label_key: label, ...result} */
static json_t *labelled_result(const char *label_key, const char *label, const ww_meta_result *r,
                               int ratio)
{
    json_t *o = json_object();
    set(o, label_key, json_string(label));
    put_result(o, r, ratio);
    return o;
}

int ww_meta__write_json(const ww_meta_analysis *a, FILE *fp)
{
    const ww_meta_result *r = &a->res;
    const ww_meta_studies *s = a->studies;
    int ratio = ww_meta_measure_is_ratio(a->measure);
    json_t *root = json_object(), *arr = json_array();
    int error;

    set(root, "schema", json_string("whatworks/meta/1"));
    set(root, "k", json_integer((json_int_t)r->k));
    set(root, "measure", json_string(ww_meta_measure_name(a->measure)));
    set(root, "method", json_string(ww_meta_method_name(r->method)));
    set(root, "estimate", num(r->estimate));
    set(root, "se", num(r->se));
    set(root, "ci_low", num(r->ci_low));
    set(root, "ci_high", num(r->ci_high));
    put_test(root, r->stat, r->df, "z");
    set(root, "p", num(r->p));
    set(root, "tau2", num(r->tau2));
    set(root, "tau", num(r->tau));
    set(root, "i2", num(r->i2));
    set(root, "h2", num(r->h2));
    set(root, "q", num(r->q));
    set(root, "q_df", json_integer((json_int_t)r->q_df));
    set(root, "q_p", num(r->q_p));
    set(root, "pi_low", num(r->pi_low));
    set(root, "pi_high", num(r->pi_high));
    if (ratio) {
        set(root, "exp_estimate", num(exp(r->estimate)));
        set(root, "exp_ci_low", num(exp(r->ci_low)));
        set(root, "exp_ci_high", num(exp(r->ci_high)));
    }
    for (size_t i = 0; i < s->k; i++) {
        json_t *st = json_object();
        set(st, "study", json_string(a->rows[i].study));
        set(st, "yi", num(a->rows[i].yi));
        set(st, "vi", num(a->rows[i].vi));
        set(st, "weight_pct", num(a->rows[i].weight_pct));
        ww_queries__append(arr, st);
    }
    set(root, "studies", arr);
    if (a->have_egger) {
        json_t *eg = json_object();
        put_test(eg, a->egger.stat, a->egger.df, "z");
        set(eg, "p", num(a->egger.p));
        set(root, "egger", eg);
    } else if (r->k >= 3) {
        /* Not computable (all variances equal): present, but null. */
        set(root, "egger", json_null());
    }
    if (a->groups) {
        json_t *sg = json_object(), *list = json_array();
        set(sg, "column", json_string(a->subgroup_column));
        for (size_t g = 0; g < s->n_groups; g++)
            ww_queries__append(list,
                               labelled_result("group", s->group_name[g], &a->groups[g], ratio));
        set(sg, "groups", list);
        set(sg, "q_between", num(a->sub_test.q_between));
        set(sg, "q_between_df", json_integer((json_int_t)a->sub_test.q_between_df));
        set(sg, "q_between_p", num(a->sub_test.q_between_p));
        set(root, "subgroups", sg);
    }
    if (a->have_trimfill) {
        json_t *tf = json_object(), *filled = json_array();
        set(tf, "k0", json_integer((json_int_t)a->tf.k0));
        set(tf, "side", json_string(a->tf.side > 0 ? "right" : "left"));
        set(tf, "se_k0", num(a->tf.se_k0));
        put_result(tf, &a->tf.adjusted, ratio);
        for (size_t j = 0; j < a->tf.k0; j++) {
            json_t *f = json_object();
            set(f, "yi", num(a->fill_yi[j]));
            set(f, "vi", num(a->fill_vi[j]));
            ww_queries__append(filled, f);
        }
        set(tf, "filled", filled);
        set(root, "trimfill", tf);
    }
    if (a->l1o) {
        json_t *list = json_array();
        for (size_t i = 0; i < s->k; i++)
            ww_queries__append(list,
                               labelled_result("omitted", a->rows[i].study, &a->l1o[i], ratio));
        set(root, "leave_one_out", list);
    }
    error = ww_queries__write_json(root, fp);
    json_decref(root);
    return error;
}

static void csv_num(FILE *fp, double x)
{
    if (isfinite(x)) fprintf(fp, "%.17g", x);
}

int ww_meta__write_csv(const ww_meta_analysis *a, FILE *fp)
{
    const ww_meta_result *r = &a->res;
    double z = 1.959963984540054;
    fputs("row,study,estimate,se,ci_low,ci_high,weight_pct\n", fp);
    for (size_t i = 0; i < a->studies->k; i++) {
        const ww_meta_study *st = &a->rows[i];
        double se = sqrt(st->vi);
        fputs("study,", fp);
        ww_queries__csv_field(fp, st->study, 0);
        csv_num(fp, st->yi);
        fputc(',', fp);
        csv_num(fp, se);
        fputc(',', fp);
        csv_num(fp, st->yi - z * se);
        fputc(',', fp);
        csv_num(fp, st->yi + z * se);
        fputc(',', fp);
        csv_num(fp, st->weight_pct);
        fputc('\n', fp);
    }
    fprintf(fp, "pooled,%s,", ww_meta_method_name(r->method));
    csv_num(fp, r->estimate);
    fputc(',', fp);
    csv_num(fp, r->se);
    fputc(',', fp);
    csv_num(fp, r->ci_low);
    fputc(',', fp);
    csv_num(fp, r->ci_high);
    fputs(",100\n", fp);
    return ww_queries__flush(fp);
}

int ww_meta__write_table(const ww_meta_analysis *a, FILE *fp)
{
    const ww_meta_result *r = &a->res;
    const ww_meta_studies *s = a->studies;
    int ratio = ww_meta_measure_is_ratio(a->measure);
    int width = 5;
    for (size_t i = 0; i < s->k; i++) {
        int n = (int)strlen(s->name[i]);
        if (n > width) width = n > 40 ? 40 : n;
    }
    fprintf(fp, "%s: %zu studies, %s%s, %s%s\n\n", a->path, r->k, ww_meta_measure_name(a->measure),
            ratio ? " (log scale)" : "", ww_meta_method_name(r->method),
            r->knha ? " with Hartung-Knapp" : "");
    fprintf(fp, "%-*s %12s %12s %9s\n", width, "study", "yi", "vi", "weight%");
    for (size_t i = 0; i < s->k; i++)
        fprintf(fp, "%-*.*s %12.4f %12.4f %9.2f\n", width, width, a->rows[i].study, a->rows[i].yi,
                a->rows[i].vi, a->rows[i].weight_pct);
    fprintf(fp, "\nestimate  %.4f  (95%% CI %.4f to %.4f), se %.4f\n", r->estimate, r->ci_low,
            r->ci_high, r->se);
    if (ratio)
        fprintf(fp, "exp       %.4f  (95%% CI %.4f to %.4f)\n", exp(r->estimate), exp(r->ci_low),
                exp(r->ci_high));
    if (r->df > 0)
        fprintf(fp, "test      t(%.0f) = %.4f, p = %.4g\n", r->df, r->stat, r->p);
    else
        fprintf(fp, "test      z = %.4f, p = %.4g\n", r->stat, r->p);
    fprintf(fp,
            "hetero    Q(%.0f) = %.4f, p = %.4g; I2 = %.2f%%, H2 = %.4f; tau2 = %.4f, tau = %.4f\n",
            r->q_df, r->q, r->q_p, r->i2, r->h2, r->tau2, r->tau);
    fprintf(fp, "predict   95%% PI %.4f to %.4f\n", r->pi_low, r->pi_high);
    if (a->have_egger) {
        if (a->egger.df > 0)
            fprintf(fp, "Egger     t(%.0f) = %.4f, p = %.4g\n", a->egger.df, a->egger.stat,
                    a->egger.p);
        else
            fprintf(fp, "Egger     z = %.4f, p = %.4g\n", a->egger.stat, a->egger.p);
    }
    if (a->groups) {
        fprintf(fp, "\nsubgroups by %s\n", a->subgroup_column);
        for (size_t g = 0; g < s->n_groups; g++)
            fprintf(fp, "  %-*.*s k = %3zu  %.4f  (%.4f to %.4f)  tau2 = %.4f  I2 = %.2f%%\n",
                    width, width, s->group_name[g], a->groups[g].k, a->groups[g].estimate,
                    a->groups[g].ci_low, a->groups[g].ci_high, a->groups[g].tau2, a->groups[g].i2);
        fprintf(fp, "  Q-between(%.0f) = %.4f, p = %.4g\n", a->sub_test.q_between_df,
                a->sub_test.q_between, a->sub_test.q_between_p);
    }
    if (a->have_trimfill)
        fprintf(
            fp,
            "\ntrim and fill: %zu filled on the %s; estimate %.4f (%.4f to %.4f), tau2 = %.4f\n",
            a->tf.k0, a->tf.side > 0 ? "right" : "left", a->tf.adjusted.estimate,
            a->tf.adjusted.ci_low, a->tf.adjusted.ci_high, a->tf.adjusted.tau2);
    if (a->l1o) {
        fprintf(fp, "\nleave one out\n");
        for (size_t i = 0; i < s->k; i++)
            fprintf(fp, "  %-*.*s %.4f  (%.4f to %.4f)  tau2 = %.4f  I2 = %.2f%%\n", width, width,
                    s->name[i], a->l1o[i].estimate, a->l1o[i].ci_low, a->l1o[i].ci_high,
                    a->l1o[i].tau2, a->l1o[i].i2);
    }
    return ww_queries__flush(fp);
}
