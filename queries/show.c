/*
 * show.c — the evidence behind one intervention: what it is, and every
 * study and effect stored for it, each with its provenance (source sha256
 * and location inside the source), "whatworks/intervention/1" in JSON.
 * Effects are shown on their own metric; ratios (OR, RR) are stored as logs
 * and shown exponentiated with their 95% CI.
 */
#include <math.h>
#include <string.h>

#include "queries_int.h"

#define Z975 1.959963984540054 /* the normal 97.5% point */

static int is_ratio(const char *metric)
{
    return strcmp(metric, "OR") == 0 || strcmp(metric, "RR") == 0;
}

/* Estimate and CI on the natural scale of the metric. */
static void natural(const ww_effect_row *e, double *est, double *lo, double *hi)
{
    double se = sqrt(e->vi);
    *est = e->yi;
    *lo = e->yi - Z975 * se;
    *hi = e->yi + Z975 * se;
    if (is_ratio(e->metric)) {
        *est = exp(*est);
        *lo = exp(*lo);
        *hi = exp(*hi);
    }
}

static json_t *effect_json(const ww_effect_row *e)
{
    double est, lo, hi;
    json_t *o = json_object();
    natural(e, &est, &lo, &hi);
    ww_queries__set(o, "outcome", json_string(e->outcome));
    ww_queries__set(o, "domain", ww_queries__str(e->domain));
    ww_queries__set(o, "timepoint", ww_queries__str(e->timepoint));
    ww_queries__set(o, "higher_is_better", json_boolean(e->higher_is_better));
    ww_queries__set(o, "metric", json_string(e->metric));
    ww_queries__set(o, "yi", ww_queries__num(e->yi));
    ww_queries__set(o, "vi", ww_queries__num(e->vi));
    ww_queries__set(o, "log_scale", json_boolean(is_ratio(e->metric)));
    ww_queries__set(o, "estimate", ww_queries__num(est));
    ww_queries__set(o, "ci_low", ww_queries__num(lo));
    ww_queries__set(o, "ci_high", ww_queries__num(hi));
    ww_queries__set(o, "smd_correction", ww_queries__str(e->smd_correction));
    ww_queries__set(o, "n_participants",
                        e->n_participants >= 0 ? json_integer(e->n_participants) : json_null());
    ww_queries__set(o, "reported_estimate", ww_queries__num(e->reported_estimate));
    ww_queries__set(o, "extracted", json_boolean(e->extracted));
    ww_queries__set(o, "confidence", ww_queries__num(e->confidence));
    ww_queries__set(o, "location", json_string(e->location));
    return o;
}

static json_t *syntheses_json(const ww_synthesis_row *syn, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        ww_queries__set(o, "domain", json_string(syn[i].domain));
        ww_queries__set(o, "metric", json_string(syn[i].metric));
        ww_queries__set(o, "method", json_string(syn[i].method));
        ww_queries__set(o, "k", json_integer(syn[i].k));
        ww_queries__set(o, "n_effects", json_integer(syn[i].n_effects));
        ww_queries__set(o, "n_participants", syn[i].n_participants >= 0
                                                 ? json_integer(syn[i].n_participants)
                                                 : json_null());
        ww_queries__set(o, "estimate", ww_queries__num(syn[i].estimate));
        ww_queries__set(o, "se", ww_queries__num(syn[i].se));
        ww_queries__set(o, "ci_low", ww_queries__num(syn[i].ci_low));
        ww_queries__set(o, "ci_high", ww_queries__num(syn[i].ci_high));
        ww_queries__set(o, "tau2", ww_queries__num(syn[i].tau2));
        ww_queries__set(o, "i2", ww_queries__num(syn[i].i2));
        ww_queries__set(o, "pi_low", ww_queries__num(syn[i].pi_low));
        ww_queries__set(o, "pi_high", ww_queries__num(syn[i].pi_high));
        ww_queries__set(o, "effects_left_out", json_integer(syn[i].n_other_scale));
        ww_queries__set(o, "data_version", json_integer(syn[i].data_version));
        ww_queries__set(o, "egger_p", ww_queries__num(syn[i].egger_p));
        ww_queries__set(o, "certainty", ww_queries__str(syn[i].certainty));
        ww_queries__set(o, "certainty_trace", ww_queries__str(syn[i].certainty_trace));
        ww_queries__set(o, "eif_level", ww_queries__str(syn[i].eif_level));
        ww_queries__set(o, "blueprints_tier", ww_queries__str(syn[i].blueprints_tier));
        ww_queries__set(o, "rules_version", ww_queries__str(syn[i].rules_version));
        ww_queries__append(a, o);
    }
    return a;
}

static int write_json(const ww_intervention_row *iv, const ww_effect_row *effects, size_t n,
                      const ww_synthesis_row *syn, size_t n_syn, FILE *fp)
{
    json_t *doc = json_object(), *studies = json_array(), *issues = json_array(), *study = NULL,
           *list = NULL, *cost = json_object();
    int error;
    for (size_t i = 0; i < iv->n_issues; i++) ww_queries__append(issues, json_string(iv->issues[i]));
    ww_queries__set(doc, "schema", json_string("whatworks/intervention/1"));
    ww_queries__set(doc, "slug", json_string(iv->slug));
    ww_queries__set(doc, "name", json_string(iv->name));
    ww_queries__set(doc, "example", json_boolean(iv->is_example));
    ww_queries__set(doc, "description", ww_queries__str(iv->description));
    ww_queries__set(doc, "population", ww_queries__str(iv->population));
    ww_queries__set(doc, "setting", ww_queries__str(iv->setting));
    ww_queries__set(doc, "delivery", ww_queries__str(iv->delivery));
    ww_queries__set(doc, "issues", issues);
    ww_queries__set(cost, "per_participant", ww_queries__num(iv->cost_per_participant));
    ww_queries__set(cost, "price_year",
                        iv->cost_price_year >= 0 ? json_integer(iv->cost_price_year) : json_null());
    ww_queries__set(cost, "payer", ww_queries__str(iv->cost_payer));
    ww_queries__set(doc, "cost", cost);
    ww_queries__set(doc, "syntheses", syntheses_json(syn, n_syn));
    for (size_t i = 0; i < n; i++) {
        const ww_effect_row *e = &effects[i];
        if (i == 0 || effects[i - 1].study_id != e->study_id) {
            study = json_object();
            list = json_array();
            ww_queries__set(study, "id", json_integer(e->study_id));
            ww_queries__set(study, "title", ww_queries__str(e->study_title));
            ww_queries__set(study, "year", e->year >= 0 ? json_integer(e->year) : json_null());
            ww_queries__set(study, "design", ww_queries__str(e->design));
            ww_queries__set(study, "provisional", json_boolean(e->provisional));
            ww_queries__set(study, "source_sha256", json_string(e->source_sha256));
            ww_queries__set(study, "effects", list);
            ww_queries__append(studies, study);
        }
        ww_queries__append(list, effect_json(e));
    }
    ww_queries__set(doc, "studies", studies);
    error = ww_queries__write_json(doc, fp);
    json_decref(doc);
    return error;
}

static int write_csv(const ww_intervention_row *iv, const ww_effect_row *effects, size_t n, FILE *fp)
{
    fputs("slug,study_id,study_title,year,design,provisional,outcome,domain,timepoint,"
          "higher_is_better,metric,yi,vi,estimate,ci_low,ci_high,n_participants,source_sha256,location\r\n",
          fp);
    for (size_t i = 0; i < n; i++) {
        const ww_effect_row *e = &effects[i];
        double est, lo, hi;
        natural(e, &est, &lo, &hi);
        ww_queries__csv_field(fp, iv->slug, 0);
        fprintf(fp, "%lld,", (long long)e->study_id);
        ww_queries__csv_field(fp, e->study_title, 0);
        if (e->year >= 0) fprintf(fp, "%d", e->year);
        fputc(',', fp);
        ww_queries__csv_field(fp, e->design, 0);
        fputs(e->provisional ? "true," : "false,", fp);
        ww_queries__csv_field(fp, e->outcome, 0);
        ww_queries__csv_field(fp, e->domain, 0);
        ww_queries__csv_field(fp, e->timepoint, 0);
        fputs(e->higher_is_better ? "true," : "false,", fp);
        ww_queries__csv_field(fp, e->metric, 0);
        ww_queries__csv_num(fp, e->yi, 0);
        ww_queries__csv_num(fp, e->vi, 0);
        ww_queries__csv_num(fp, est, 0);
        ww_queries__csv_num(fp, lo, 0);
        ww_queries__csv_num(fp, hi, 0);
        if (e->n_participants >= 0) fprintf(fp, "%ld", e->n_participants);
        fputc(',', fp);
        ww_queries__csv_field(fp, e->source_sha256, 0);
        ww_queries__csv_field(fp, e->location, 1);
    }
    return ww_queries__flush(fp);
}

static int write_table(const ww_intervention_row *iv, const ww_effect_row *effects, size_t n,
                       const ww_synthesis_row *syn, size_t n_syn, FILE *fp)
{
    fprintf(fp, "%s (%s)%s\n", iv->name, iv->slug,
            iv->is_example ? "  [illustrative example, not real evidence]" : "");
    if (iv->description) fprintf(fp, "  %s\n", iv->description);
    if (iv->population) fprintf(fp, "  population: %s\n", iv->population);
    if (iv->setting) fprintf(fp, "  setting: %s\n", iv->setting);
    if (iv->delivery) fprintf(fp, "  delivery: %s\n", iv->delivery);
    if (iv->n_issues) {
        fputs("  presenting issues:", fp);
        for (size_t i = 0; i < iv->n_issues; i++) fprintf(fp, " %s", iv->issues[i]);
        fputc('\n', fp);
    }
    if (isfinite(iv->cost_per_participant)) {
        fprintf(fp, "  cost per participant: %.2f", iv->cost_per_participant);
        if (iv->cost_price_year >= 0) fprintf(fp, " (%d prices)", iv->cost_price_year);
        if (iv->cost_payer) fprintf(fp, ", paid by %s", iv->cost_payer);
        fputc('\n', fp);
    }
    if (n_syn) fputs("\npooled (SMD, positive = beneficial):\n", fp);
    for (size_t i = 0; i < n_syn; i++) {
        char nbuf[24];
        if (syn[i].n_participants >= 0) snprintf(nbuf, sizeof nbuf, "%ld", syn[i].n_participants);
        else snprintf(nbuf, sizeof nbuf, "–");
        fprintf(fp, "  %-28s %6.3f [%.3f, %.3f]  k = %d, N = %s, %s", syn[i].domain,
                syn[i].estimate, syn[i].ci_low, syn[i].ci_high, syn[i].k, nbuf, syn[i].method);
        if (isfinite(syn[i].i2)) fprintf(fp, ", I2 = %.1f%%, tau2 = %.4f", syn[i].i2, syn[i].tau2);
        fprintf(fp, "; certainty %s, EIF %s, Blueprints %s\n", syn[i].certainty ? syn[i].certainty : "-",
                syn[i].eif_level ? syn[i].eif_level : "-",
                syn[i].blueprints_tier ? syn[i].blueprints_tier : "-");
    }
    for (size_t i = 0; i < n; i++) {
        const ww_effect_row *e = &effects[i];
        double est, lo, hi;
        if (i == 0 || effects[i - 1].study_id != e->study_id) {
            fprintf(fp, "\nstudy %lld: %s", (long long)e->study_id, e->study_title ? e->study_title : "(untitled)");
            if (e->year >= 0) fprintf(fp, " (%d)", e->year);
            fprintf(fp, "\n  design: %s%s; source sha256 %.12s\n", e->design ? e->design : "unknown",
                    e->provisional ? ", provisional" : "", e->source_sha256);
        }
        natural(e, &est, &lo, &hi);
        fprintf(fp, "  - %s", e->outcome);
        if (e->timepoint) fprintf(fp, " at %s", e->timepoint);
        fprintf(fp, " [%s, %s is better]: %s %.3f [%.3f, %.3f]", e->domain ? e->domain : "no domain",
                e->higher_is_better ? "higher" : "lower", e->metric, est, lo, hi);
        if (e->n_participants >= 0) fprintf(fp, ", N = %ld", e->n_participants);
        if (e->extracted) fprintf(fp, ", machine-extracted (confidence %.2f)", e->confidence);
        fprintf(fp, " (%s)\n", e->location);
    }
    if (!n) fputs("\nno effects stored\n", fp);
    return ww_queries__flush(fp);
}

int ww_show_write(ww_db *db, const char *intervention, FILE *fp, ww_format fmt)
{
    ww_arena *arena = NULL;
    ww_intervention_row iv;
    ww_effect_row *effects = NULL;
    ww_synthesis_row *syn = NULL;
    size_t n = 0, n_syn = 0;
    int error;

    if (!intervention || !*intervention) return ww__error(WW_EUSAGE, "no intervention named");
    if ((error = ww_arena__new(&arena)) < 0) return error;
    if ((error = ww_repo__intervention(&iv, db, arena, intervention)) < 0 ||
        (error = ww_repo__effects(&effects, &n, db, arena, iv.id)) < 0 ||
        (error = ww_repo__syntheses(&syn, &n_syn, db, arena, iv.id, 0, 1)) < 0)
        goto done;
    switch (fmt) {
    case WW_FORMAT_JSON: error = write_json(&iv, effects, n, syn, n_syn, fp); break;
    case WW_FORMAT_CSV: error = write_csv(&iv, effects, n, fp); break;
    default: error = write_table(&iv, effects, n, syn, n_syn, fp); break;
    }
done:
    ww_arena__free(arena);
    return error;
}
