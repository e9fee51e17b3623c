/*
 * fuzz_importer.c — a libFuzzer harness for one importer, chosen at build
 * time: -DWW_FUZZ_IMPORTER=ww_importer_<name> (the Makefile builds one
 * binary per entry of the table in importers/importers.c). The input is
 * handed to the importer's parse exactly as ww_import_file() would hand a
 * file, with a sink that accepts every record and touches every field the
 * repository would read, so ASan sees any bad pointer in what the importer
 * emits. The importer must never crash, hang, leak or read out of bounds,
 * whatever the bytes; its diagnostics are its own business.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../importers/importers.h"

#ifndef WW_FUZZ_IMPORTER
#error "build with -DWW_FUZZ_IMPORTER=ww_importer_<name>"
#endif

extern const ww_importer WW_FUZZ_IMPORTER;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink_bytes;

/* Read a string the way the repository would bind it. */
static void touch_str(const char *s)
{
    if (s) sink_bytes += strlen(s);
}

static void touch_num(double v)
{
    if (!isnan(v)) sink_bytes++;
}

static int sink_record(void *ctx, const ww_record *r)
{
    (void)ctx;
    touch_str(r->title);
    touch_str(r->organisation);
    touch_str(r->authors);
    touch_str(r->report_url);
    touch_str(r->doi);
    touch_str(r->country);
    touch_str(r->region);
    touch_str(r->notes);
    touch_str(r->intervention_name);
    touch_str(r->intervention_description);
    touch_str(r->population);
    touch_str(r->setting);
    touch_str(r->delivery);
    touch_str(r->cost_payer);
    touch_str(r->allocation_unit);
    touch_str(r->comparison);
    touch_str(r->where);
    touch_str(r->study_key);
    touch_num(r->cost_per_participant);
    touch_num(r->baseline_diff_sd);
    for (size_t i = 0; i < r->n_issues; i++) touch_str(r->issues[i]);
    for (size_t i = 0; i < r->n_outcomes; i++) {
        const ww_outcome_rec *o = &r->outcomes[i];
        touch_str(o->name);
        touch_str(o->domain);
        touch_str(o->timepoint);
        touch_str(o->metric);
        touch_str(o->reported_metric);
        touch_str(o->where);
        touch_num(o->mean_treatment);
        touch_num(o->sd_treatment);
        touch_num(o->mean_control);
        touch_num(o->sd_control);
        touch_num(o->reported_estimate);
        touch_num(o->reported_ci_low);
        touch_num(o->reported_ci_high);
        touch_num(o->generic_yi);
        touch_num(o->generic_se);
    }
    for (size_t i = 0; i < r->n_benefits; i++) {
        touch_str(r->benefits[i].agency);
        touch_str(r->benefits[i].source);
        touch_num(r->benefits[i].amount_per_participant_year);
    }
    for (size_t i = 0; i < r->n_rob; i++) {
        touch_str(r->rob[i].tool);
        touch_str(r->rob[i].domain);
        touch_str(r->rob[i].judgement);
        touch_str(r->rob[i].support);
    }
    return 0;
}

static int sink_pooled(void *ctx, const ww_pooled_check *c)
{
    (void)ctx;
    touch_str(c->analysis_id);
    touch_str(c->name);
    touch_str(c->metric);
    touch_str(c->method);
    touch_num(c->reported_estimate);
    touch_num(c->estimate);
    return 0;
}

static int sink_judgement(void *ctx, const ww_judgement *j)
{
    (void)ctx;
    touch_str(j->body);
    touch_str(j->identity_ns);
    touch_str(j->key);
    touch_str(j->finding_key);
    touch_str(j->intervention_name);
    touch_str(j->domain);
    touch_str(j->design_text);
    touch_str(j->rating);
    touch_str(j->reason);
    touch_str(j->standards);
    touch_str(j->protocol);
    touch_str(j->url);
    touch_str(j->where);
    if (j->n_studies >= 0 || j->n_eligible >= 0 || j->design) sink_bytes++;
    return 0;
}

static int sink_unit_cost(void *ctx, const ww_unit_cost *u)
{
    (void)ctx;
    touch_str(u->dataset);
    touch_str(u->licence);
    touch_str(u->code);
    touch_str(u->description);
    touch_str(u->agency);
    touch_str(u->agency_detail);
    touch_str(u->fiscal_price_year);
    touch_str(u->economic_price_year);
    touch_str(u->social_price_year);
    touch_str(u->confidence);
    touch_str(u->source_text);
    touch_str(u->comment);
    touch_str(u->sheet);
    touch_str(u->cell);
    if (u->fiscal == u->fiscal || u->economic == u->economic || u->social == u->social) sink_bytes++;
    return 0;
}

static int sink_text(void *ctx, const char *title, const char *body)
{
    (void)ctx;
    touch_str(title);
    touch_str(body);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ww_input in = {"fuzz.in", data, size};
    ww_sink sink;
    ww_diags *diags = NULL;

    memset(&sink, 0, sizeof sink);
    sink.record = sink_record;
    sink.text = sink_text;
    sink.pooled = sink_pooled;
    sink.judgement = sink_judgement;
    sink.unit_cost = sink_unit_cost;
    if (ww_diags__new(&diags) < 0) return 0;
    (void)WW_FUZZ_IMPORTER.sniff(&in);
    (void)WW_FUZZ_IMPORTER.parse(&in, diags, &sink);
    for (size_t i = 0; i < ww_diags__count(diags); i++) touch_str(ww_diags__get(diags, i)->message);
    ww_diags__free(diags);
    return 0;
}
