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
    return metric && (strcmp(metric, "OR") == 0 || strcmp(metric, "RR") == 0);
}

static const char *direction_word(int higher_is_better)
{
    return higher_is_better < 0 ? "direction unknown"
           : higher_is_better   ? "higher is better"
                                : "lower is better";
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
    ww_queries__set(o, "higher_is_better",
                    e->higher_is_better < 0 ? json_null() : json_boolean(e->higher_is_better));
    ww_queries__set(o, "direction_rule", ww_queries__str(e->direction_rule));
    ww_queries__set(o, "pooled", json_boolean(e->metric && e->higher_is_better >= 0 && !e->extracted &&
                                              !e->flag && !e->withdrawn_at));
    ww_queries__set(o, "metric", ww_queries__str(e->metric));
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
    ww_queries__set(o, "flag", ww_queries__str(e->flag));
    ww_queries__set(o, "flag_reason", ww_queries__str(e->flag_reason));
    ww_queries__set(o, "design_effect", ww_queries__num(e->design_effect));
    ww_queries__set(o, "vi_uncorrected", ww_queries__num(e->vi_uncorrected));
    ww_queries__set(o, "clustering", ww_queries__str(e->clustering));
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
        ww_queries__set(o, "scope", json_string(syn[i].scope));
        ww_queries__set(o, "flagged_effects", json_integer(syn[i].n_flagged));
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

static json_t *wwc_json(const ww_wwc_effectiveness_row *w, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        ww_queries__set(o, "domain", json_string(w[i].domain));
        ww_queries__set(o, "protocol", w[i].protocol && *w[i].protocol ? json_string(w[i].protocol)
                                                                       : json_null());
        ww_queries__set(o, "handbook", json_integer(w[i].handbook));
        ww_queries__set(o, "rating", json_string(w[i].rating));
        ww_queries__set(o, "reason", json_string(w[i].reason));
        ww_queries__set(o, "studies", json_integer(w[i].n_studies));
        ww_queries__set(o, "findings", json_integer(w[i].n_findings));
        ww_queries__set(o, "published", ww_queries__str(w[i].published));
        ww_queries__set(o, "published_studies",
                        w[i].published_n_studies >= 0 ? json_integer(w[i].published_n_studies)
                                                      : json_null());
        ww_queries__set(o, "published_location", ww_queries__str(w[i].published_location));
        ww_queries__set(o, "agrees", w[i].agrees < 0 ? json_null() : json_boolean(w[i].agrees));
        ww_queries__append(a, o);
    }
    return a;
}

static int write_json(const ww_intervention_row *iv, const ww_effect_row *effects, size_t n,
                      const ww_synthesis_row *syn, size_t n_syn, const ww_published_rating *pub,
                      size_t n_pub, const ww_wwc_effectiveness_row *wwc, size_t n_wwc, FILE *fp)
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
    ww_queries__set(doc, "placeholder", ww_queries__str(iv->placeholder));
    ww_queries__set(doc, "syntheses", syntheses_json(syn, n_syn));
    {
        json_t *pub_a = json_array();
        for (size_t i = 0; i < n_pub; i++) {
            json_t *o = json_object();
            ww_queries__set(o, "body", json_string(pub[i].body));
            ww_queries__set(o, "domain", json_string(pub[i].domain));
            ww_queries__set(o, "rating", ww_queries__str(pub[i].rating));
            ww_queries__set(o, "studies_meeting_standards",
                            pub[i].n_studies >= 0 ? json_integer(pub[i].n_studies) : json_null());
            ww_queries__set(o, "protocol", ww_queries__str(pub[i].protocol));
            ww_queries__set(o, "url", ww_queries__str(pub[i].url));
            ww_queries__set(o, "source", ww_queries__str(pub[i].source_name));
            ww_queries__set(o, "location", json_string(pub[i].location));
            ww_queries__append(pub_a, o);
        }
        ww_queries__set(doc, "published_ratings", pub_a);
    }
    ww_queries__set(doc, "wwc_effectiveness", wwc_json(wwc, n_wwc));
    for (size_t i = 0; i < n; i++) {
        const ww_effect_row *e = &effects[i];
        if (i == 0 || effects[i - 1].study_id != e->study_id) {
            study = json_object();
            list = json_array();
            ww_queries__set(study, "id", json_integer(e->study_id));
            ww_queries__set(study, "title", ww_queries__str(e->study_title));
            ww_queries__set(study, "year", e->year >= 0 ? json_integer(e->year) : json_null());
            ww_queries__set(study, "design", ww_queries__str(e->design));
            ww_queries__set(study, "design_basis", ww_queries__str(e->design_basis));
            ww_queries__set(study, "rigour_level",
                            e->rigour_level >= 0 ? json_integer(e->rigour_level) : json_null());
            ww_queries__set(study, "wwc_rating", ww_queries__str(e->wwc_rating));
            ww_queries__set(study, "source_key", ww_queries__str(e->study_key));
            ww_queries__set(study, "withdrawn_at", ww_queries__str(e->withdrawn_at));
            ww_queries__set(study, "withdrawn_reason", ww_queries__str(e->withdrawn_reason));
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
        fputs(e->higher_is_better < 0 ? "," : e->higher_is_better ? "true," : "false,", fp);
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
                       const ww_synthesis_row *syn, size_t n_syn, const ww_published_rating *pub,
                       size_t n_pub, const ww_wwc_effectiveness_row *wwc, size_t n_wwc, FILE *fp)
{
    size_t unknown = 0, unweighed = 0, flagged = 0;
    fprintf(fp, "%s (%s)%s\n", iv->name, iv->slug,
            iv->is_example ? "  [illustrative example, not real evidence]" : "");
    if (iv->placeholder)
        fprintf(fp, "  not one intervention: %s; its studies are kept and shown, never ranked or "
                    "pooled together\n",
                iv->placeholder);
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
        fprintf(fp, "; certainty %s, EIF %s, Blueprints %s",
                syn[i].certainty ? syn[i].certainty : "-",
                syn[i].eif_level ? syn[i].eif_level : "-",
                syn[i].blueprints_tier ? syn[i].blueprints_tier : "-");
        if (syn[i].n_flagged)
            fprintf(fp, "; %d flagged effect%s %s", syn[i].n_flagged,
                    syn[i].n_flagged == 1 ? "" : "s",
                    strstr(syn[i].scope, "+flagged") ? "included" : "left out");
        fputc('\n', fp);
    }
    if (n_wwc)
        fputs("\nWWC effectiveness rating, by WWC's own procedure (docs/wwc-rating.md), beside "
              "WWC's published rating:\n",
              fp);
    for (size_t i = 0; i < n_wwc; i++) {
        const ww_wwc_effectiveness_row *w = &wwc[i];
        if (!w->protocol || !*w->protocol) {
            fprintf(fp, "  %s: %s from all %ld %s (%ld %s)\n", w->domain, w->rating, w->n_studies,
                    w->n_studies == 1 ? "study" : "studies", w->n_findings,
                    w->n_findings == 1 ? "finding" : "findings");
            continue;
        }
        fprintf(fp, "    %s report: WWC published %s", w->protocol, w->published ? w->published : "-");
        if (w->published_n_studies >= 0) fprintf(fp, " (%ld %s)", w->published_n_studies,
                                                 w->published_n_studies == 1 ? "study" : "studies");
        fprintf(fp, "; ours from its findings %s (%ld %s) — %s\n      %s\n", w->rating, w->n_studies,
                w->n_studies == 1 ? "study" : "studies",
                w->agrees == 1 ? "agree" : w->agrees == 0 ? "differ" : "not comparable", w->reason);
    }
    if (n_pub && !n_wwc) fputs("\npublished ratings of this intervention (beside ours):\n", fp);
    for (size_t i = 0; i < n_pub && !n_wwc; i++) {
        fprintf(fp, "  %s, %s: %s", pub[i].body, pub[i].domain, pub[i].rating ? pub[i].rating : "-");
        if (pub[i].n_studies >= 0)
            fprintf(fp, " (%ld %s meeting standards)", pub[i].n_studies,
                    pub[i].n_studies == 1 ? "study" : "studies");
        fprintf(fp, "; %s %s\n", pub[i].source_name ? pub[i].source_name : "", pub[i].location);
    }
    for (size_t i = 0; i < n; i++) {
        const ww_effect_row *e = &effects[i];
        double est, lo, hi;
        if (i == 0 || effects[i - 1].study_id != e->study_id) {
            fprintf(fp, "\nstudy %lld: %s", (long long)e->study_id, e->study_title ? e->study_title : "(untitled)");
            if (e->year >= 0) fprintf(fp, " (%d)", e->year);
            fprintf(fp, "\n  design: %s%s%s%s; source sha256 %.12s\n", e->design ? e->design : "unknown",
                    e->design_basis ? " (" : "", e->design_basis ? e->design_basis : "",
                    e->design_basis ? ")" : "", e->source_sha256);
            if (e->withdrawn_at)
                fprintf(fp, "  WITHDRAWN %s: %s (left out of every pooled result)\n", e->withdrawn_at,
                        e->withdrawn_reason ? e->withdrawn_reason : "");
            if (e->rigour_level >= 0)
                fprintf(fp, "  grade: level %d of 5; WWC: %s%s (whatworks grade --explain %lld)\n",
                        e->rigour_level, e->wwc_rating ? e->wwc_rating : "-",
                        e->provisional ? "; provisional" : "", (long long)e->study_id);
        }
        fprintf(fp, "  - %s", e->outcome);
        if (e->timepoint) fprintf(fp, " at %s", e->timepoint);
        fprintf(fp, " [%s, %s]", e->domain ? e->domain : "no domain", direction_word(e->higher_is_better));
        if (e->metric) {
            natural(e, &est, &lo, &hi);
            fprintf(fp, ": %s %.3f [%.3f, %.3f]", e->metric, est, lo, hi);
        } else {
            fputs(": no effect that can be weighed", fp);
            unweighed++;
        }
        if (e->n_participants >= 0) fprintf(fp, ", N = %ld", e->n_participants);
        if (e->extracted) fprintf(fp, ", machine-extracted (confidence %.2f)", e->confidence);
        if (e->higher_is_better < 0) {
            fputs(", not pooled", fp);
            unknown++;
        }
        fprintf(fp, " (%s)\n", e->location);
        if (e->clustering) fprintf(fp, "      %s\n", e->clustering);
        if (isfinite(e->vi_uncorrected) && e->metric) {
            ww_effect_row u = *e;
            u.vi = e->vi_uncorrected;
            natural(&u, &est, &lo, &hi);
            fprintf(fp, "      before the correction: %s %.3f [%.3f, %.3f]\n", e->metric, est, lo,
                    hi);
        }
        if (e->flag) {
            fprintf(fp, "      flagged (%s): %s; not pooled by default\n", e->flag,
                    e->flag_reason ? e->flag_reason : "");
            flagged++;
        }
    }
    if (!n) fputs("\nno outcomes stored\n", fp);
    if (flagged)
        fprintf(fp,
                "\n%zu %s flagged as implausible (docs/rigour.md 3): shown, left out of the "
                "pooled results unless asked for (--include-flagged)\n",
                flagged, flagged == 1 ? "effect" : "effects");
    if (unknown)
        fprintf(fp, "\n%zu %s of unknown direction (neither the source nor the direction lexicon "
                    "says whether higher is better): shown, not pooled (docs/direction.md)\n",
                unknown, unknown == 1 ? "outcome" : "outcomes");
    if (unweighed)
        fprintf(fp, "%s%zu %s reported without statistics an effect can be weighed from: shown, "
                    "not pooled\n",
                unknown ? "" : "\n", unweighed, unweighed == 1 ? "outcome" : "outcomes");
    return ww_queries__flush(fp);
}

int ww_show_write(ww_db *db, const char *intervention, FILE *fp, ww_format fmt)
{
    return ww_show_write_opts(db, intervention, fp, fmt, NULL);
}

int ww_show_write_opts(ww_db *db, const char *intervention, FILE *fp, ww_format fmt,
                       const ww_show_opts *opts)
{
    ww_arena *arena = NULL;
    ww_intervention_row iv;
    ww_effect_row *effects = NULL;
    ww_synthesis_row *syn = NULL;
    ww_published_rating *pub = NULL;
    ww_wwc_effectiveness_row *wwc = NULL;
    size_t n = 0, n_syn = 0, n_pub = 0, n_wwc = 0;
    int error;

    if (!intervention || !*intervention) return ww__error(WW_EUSAGE, "no intervention named");
    if ((error = ww_arena__new(&arena)) < 0) return error;
    if ((error = ww_repo__intervention(&iv, db, arena, intervention)) < 0 ||
        (error = ww_repo__effects(&effects, &n, db, arena, iv.id)) < 0 ||
        (error = ww_repo__syntheses(&syn, &n_syn, db, arena, iv.id, 0,
                                    opts && opts->include_flagged, 1)) < 0 ||
        (error = ww_repo__published_ratings(&pub, &n_pub, db, arena, iv.id)) < 0 ||
        (error = ww_repo__wwc_effectiveness_rows(&wwc, &n_wwc, db, arena, iv.id)) < 0)
        goto done;
    switch (fmt) {
    case WW_FORMAT_JSON: error = write_json(&iv, effects, n, syn, n_syn, pub, n_pub, wwc, n_wwc, fp); break;
    case WW_FORMAT_CSV: error = write_csv(&iv, effects, n, fp); break;
    default: error = write_table(&iv, effects, n, syn, n_syn, pub, n_pub, wwc, n_wwc, fp); break;
    }
done:
    ww_arena__free(arena);
    return error;
}
