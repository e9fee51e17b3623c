/*
 * record_copy.h — a test sink that copies what an importer emits into plain
 * fixed-size fields (records are only valid during the sink call), shared by
 * the submission and pilot-CSV tests, which compare the two formats' records.
 */
#ifndef WW_TESTS_RECORD_COPY_H
#define WW_TESTS_RECORD_COPY_H

#include <math.h>

#include "../importers/importers.h"

#define MAX_ITEMS 8

typedef struct got_outcome {
    char name[160], domain[64], timepoint[64], metric[8], where[32];
    int kind, higher_is_better;
    double mean_t, sd_t, mean_c, sd_c, estimate, ci_low, ci_high;
    long n_t, n_c, events_t, total_t, events_c, total_c, line;
    /* clustering as it applies to the outcome: its own, else the record's */
    long clusters_t, clusters_c;
    double icc;
} got_outcome;

typedef struct got_benefit {
    char agency[96], source[256];
    double amount;
    int first_year, last_year, price_year, confidence;
    long line;
} got_benefit;

typedef struct got {
    int calls;
    char title[256], organisation[128], authors[160], url[128], doi[64], country[8], region[64],
        notes[512];
    char name[128], description[1024], population[160], setting[96], delivery[160], payer[96];
    char issues[MAX_ITEMS][64];
    size_t n_issues;
    char unit[64], comparison[256], where[32], key[32];
    int year, is_example, provisional, independent, cost_price_year;
    ww_design design;
    double cost, baseline;
    long assigned_t, assigned_c, analysed_t, analysed_c, line;
    got_outcome out[MAX_ITEMS];
    size_t n_out;
    got_benefit ben[MAX_ITEMS];
    size_t n_ben, n_benefits;
} got;

static void cp(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "(null)");
}
#define CP(dst, s) cp(dst, sizeof dst, s)

static int collect(void *ctx, const ww_record *r)
{
    got *g = ctx;
    g->calls++;
    CP(g->key, r->study_key);
    CP(g->title, r->title);
    CP(g->organisation, r->organisation);
    CP(g->authors, r->authors);
    CP(g->url, r->report_url);
    CP(g->doi, r->doi);
    CP(g->country, r->country);
    CP(g->region, r->region);
    CP(g->notes, r->notes);
    CP(g->name, r->intervention_name);
    CP(g->description, r->intervention_description);
    CP(g->population, r->population);
    CP(g->setting, r->setting);
    CP(g->delivery, r->delivery);
    CP(g->payer, r->cost_payer);
    g->n_issues = r->n_issues;
    for (size_t i = 0; i < r->n_issues && i < MAX_ITEMS; i++) CP(g->issues[i], r->issues[i]);
    CP(g->unit, r->allocation_unit);
    CP(g->comparison, r->comparison);
    CP(g->where, r->where);
    g->line = r->line;
    g->year = r->year;
    g->is_example = r->is_example;
    g->provisional = r->provisional;
    g->independent = r->independent;
    g->cost_price_year = r->cost_price_year;
    g->design = r->design;
    g->cost = r->cost_per_participant;
    g->baseline = r->baseline_diff_sd;
    g->assigned_t = r->assigned_treatment;
    g->assigned_c = r->assigned_control;
    g->analysed_t = r->analysed_treatment;
    g->analysed_c = r->analysed_control;
    g->n_out = r->n_outcomes;
    for (size_t i = 0; i < r->n_outcomes && i < MAX_ITEMS; i++) {
        const ww_outcome_rec *o = &r->outcomes[i];
        got_outcome *d = &g->out[i];
        CP(d->name, o->name);
        CP(d->domain, o->domain);
        CP(d->timepoint, o->timepoint);
        CP(d->metric, o->reported_metric);
        CP(d->where, o->where);
        d->kind = (int)o->kind;
        d->higher_is_better = o->higher_is_better;
        d->clusters_t = o->clusters_treatment >= 0 ? o->clusters_treatment : r->clusters_treatment;
        d->clusters_c = o->clusters_control >= 0 ? o->clusters_control : r->clusters_control;
        d->icc = !isnan(o->icc) ? o->icc : r->icc;
        d->mean_t = o->mean_treatment;
        d->sd_t = o->sd_treatment;
        d->n_t = o->n_treatment;
        d->mean_c = o->mean_control;
        d->sd_c = o->sd_control;
        d->n_c = o->n_control;
        d->events_t = o->events_treatment;
        d->total_t = o->total_treatment;
        d->events_c = o->events_control;
        d->total_c = o->total_control;
        d->estimate = o->reported_estimate;
        d->ci_low = o->reported_ci_low;
        d->ci_high = o->reported_ci_high;
        d->line = o->line;
    }
    g->n_ben = g->n_benefits = r->n_benefits;
    for (size_t i = 0; i < r->n_benefits && i < MAX_ITEMS; i++) {
        const ww_benefit_rec *b = &r->benefits[i];
        got_benefit *d = &g->ben[i];
        CP(d->agency, b->agency);
        CP(d->source, b->source);
        d->amount = b->amount_per_participant_year;
        d->first_year = b->first_year;
        d->last_year = b->last_year;
        d->price_year = b->price_year;
        d->confidence = b->confidence;
        d->line = b->line;
    }
    return 0;
}

#endif
