/*
 * record.c — initialisers for the evidence record and the names of study
 * designs. "Not given" is NAN or -1, never 0: a missing count must not look
 * like a study of nobody.
 */
#include <math.h>
#include <string.h>

#include "record.h"

static const char *const design_names[] = {
    [WW_DESIGN_UNKNOWN] = "unknown",
    [WW_DESIGN_RANDOMISED] = "randomised",
    [WW_DESIGN_REGRESSION_DISCONTINUITY] = "regression-discontinuity",
    [WW_DESIGN_INSTRUMENT] = "instrument",
    [WW_DESIGN_DIFF_IN_DIFF] = "difference-in-differences",
    [WW_DESIGN_MATCHED_PRETEST] = "matched-pretest",
    [WW_DESIGN_COMPARISON] = "comparison",
    [WW_DESIGN_BEFORE_AFTER] = "before-after",
    [WW_DESIGN_DESCRIPTIVE] = "descriptive",
};

const char *ww_design_name(ww_design d)
{
    if ((unsigned)d >= sizeof design_names / sizeof design_names[0]) return NULL;
    return design_names[d];
}

ww_design ww_design_parse(const char *name)
{
    if (!name) return WW_DESIGN_UNKNOWN;
    for (size_t i = 0; i < sizeof design_names / sizeof design_names[0]; i++)
        if (strcmp(name, design_names[i]) == 0) return (ww_design)i;
    return WW_DESIGN_UNKNOWN;
}

void ww_record_init(ww_record *rec)
{
    memset(rec, 0, sizeof *rec);
    rec->year = -1;
    rec->cost_per_participant = NAN;
    rec->cost_price_year = -1;
    rec->design = WW_DESIGN_UNKNOWN;
    rec->assigned_treatment = rec->assigned_control = -1;
    rec->analysed_treatment = rec->analysed_control = -1;
    rec->baseline_diff_sd = NAN;
    rec->clusters_treatment = rec->clusters_control = -1;
    rec->icc = NAN;
    rec->baseline_adjusted = -1;
    rec->independent = -1;
}

void ww_outcome_rec_init(ww_outcome_rec *o)
{
    memset(o, 0, sizeof *o);
    o->higher_is_better = 1;
    o->mean_treatment = o->sd_treatment = o->mean_control = o->sd_control = NAN;
    o->n_treatment = o->n_control = -1;
    o->events_treatment = o->total_treatment = o->events_control = o->total_control = -1;
    o->reported_estimate = o->reported_ci_low = o->reported_ci_high = NAN;
    o->generic_yi = o->generic_se = NAN;
    o->clusters_treatment = o->clusters_control = -1;
    o->icc = NAN;
    o->confidence = NAN;
    o->text_offset = o->text_length = -1;
}

void ww_rob_rec_init(ww_rob_rec *r)
{
    memset(r, 0, sizeof *r);
}

void ww_benefit_rec_init(ww_benefit_rec *b)
{
    memset(b, 0, sizeof *b);
    b->amount_per_participant_year = NAN;
    b->first_year = b->last_year = b->price_year = -1;
    b->confidence = -1;
}
