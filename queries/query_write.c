/*
 * query_write.c — a ranked query result as a table for people, CSV for
 * spreadsheets, or JSON ("whatworks/query/1", docs/json.md) for scripts.
 * The JSON names everything that produced a number: the taxonomy issues the
 * text expanded to, the FTS5 expression, the pooling and the ranking rule.
 */
#include <math.h>
#include <string.h>

#include "queries_int.h"

/* Version of the rule in docs/ranking.md; bump it when the rule changes. */
#define RANKING_RULE "verdict-certainty-ci-low/2"

static json_t *string_array(const char **items, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) ww_queries__append(a, json_string(items[i]));
    return a;
}

/* The stored synthesis a row was ranked on: every parameter that produced
 * its numbers. null when the intervention had none on the issue. */
static json_t *pooling_json(const ww_synthesis_row *syn)
{
    json_t *o;
    if (!syn) return json_null();
    o = json_object();
    ww_queries__set(o, "method", json_string(syn->method));
    ww_queries__set(o, "k", json_integer(syn->k));
    ww_queries__set(o, "se", ww_queries__num(syn->se));
    ww_queries__set(o, "tau2", ww_queries__num(syn->tau2));
    ww_queries__set(o, "i2", ww_queries__num(syn->i2));
    ww_queries__set(o, "q", ww_queries__num(syn->q));
    ww_queries__set(o, "pi_low", ww_queries__num(syn->pi_low));
    ww_queries__set(o, "pi_high", ww_queries__num(syn->pi_high));
    ww_queries__set(o, "effects_left_out", json_integer(syn->n_other_scale));
    ww_queries__set(o, "scope", json_string(syn->scope));
    ww_queries__set(o, "flagged_effects", json_integer(syn->n_flagged));
    ww_queries__set(o, "egger_p", ww_queries__num(syn->egger_p));
    ww_queries__set(o, "certainty_trace", ww_queries__str(syn->certainty_trace));
    ww_queries__set(o, "eif_level", ww_queries__str(syn->eif_level));
    ww_queries__set(o, "blueprints_tier", ww_queries__str(syn->blueprints_tier));
    ww_queries__set(o, "rules_version", ww_queries__str(syn->rules_version));
    ww_queries__set(o, "data_version", json_integer(syn->data_version));
    return o;
}

static int write_json(const ww_query_result *res, FILE *fp)
{
    json_t *doc = json_object(), *rows = json_array();
    int error;
    if (!doc || !rows) {
        json_decref(doc);
        json_decref(rows);
        return ww__error_oom();
    }
    ww_queries__set(doc, "schema", json_string("whatworks/query/1"));
    ww_queries__set(doc, "query", json_string(res->text));
    ww_queries__set(doc, "issues", string_array(res->expansion.slugs, res->expansion.n_slugs));
    ww_queries__set(doc, "outcome_domains",
                        string_array(res->expansion.domains, res->expansion.n_domains));
    ww_queries__set(doc, "fts_expression", ww_queries__str(res->fts));
    ww_queries__set(doc, "outcome_expression", ww_queries__str(res->fts_outcomes));
    ww_queries__set(doc, "ranking", json_string(RANKING_RULE));
    ww_queries__set(doc, "metric", json_string("SMD"));
    for (size_t i = 0; i < res->n_rows; i++) {
        const ww_query_row_int *ri = &res->rows[i];
        const ww_query_row *r = &ri->row;
        json_t *o = json_object();

        ww_queries__set(o, "rank", json_integer(r->rank));
        ww_queries__set(o, "slug", json_string(r->slug));
        ww_queries__set(o, "name", json_string(r->name));
        ww_queries__set(o, "outcome_domain", json_string(r->outcome_domain));
        ww_queries__set(o, "metric", json_string(r->metric));
        ww_queries__set(o, "estimate", ww_queries__num(r->estimate));
        ww_queries__set(o, "ci_low", ww_queries__num(r->ci_low));
        ww_queries__set(o, "ci_high", ww_queries__num(r->ci_high));
        ww_queries__set(o, "pooling", pooling_json(ri->synthesis));
        ww_queries__set(o, "n_studies", json_integer(r->n_studies));
        ww_queries__set(o, "n_effects", json_integer(r->n_effects));
        ww_queries__set(o, "n_participants",
                        r->n_participants >= 0 ? json_integer(r->n_participants) : json_null());
        ww_queries__set(o, "provisional", json_boolean(r->provisional));
        ww_queries__set(o, "example", json_boolean(r->is_example));
        ww_queries__set(o, "verdict", json_string(r->verdict));
        ww_queries__set(o, "certainty", r->certainty[0] ? json_string(r->certainty) : json_null());
        ww_queries__set(o, "why", json_string(r->why));
        ww_queries__append(rows, o);
    }
    ww_queries__set(doc, "results", rows);
    error = ww_queries__write_json(doc, fp);
    json_decref(doc);
    return error;
}

static int write_csv(const ww_query_result *res, FILE *fp)
{
    fputs("rank,slug,name,outcome_domain,metric,estimate,ci_low,ci_high,n_studies,n_effects,"
          "n_participants,provisional,example,verdict,certainty,why\r\n",
          fp);
    for (size_t i = 0; i < res->n_rows; i++) {
        const ww_query_row *r = &res->rows[i].row;
        fprintf(fp, "%d,", r->rank);
        ww_queries__csv_field(fp, r->slug, 0);
        ww_queries__csv_field(fp, r->name, 0);
        ww_queries__csv_field(fp, r->outcome_domain, 0);
        ww_queries__csv_field(fp, r->metric, 0);
        ww_queries__csv_num(fp, r->estimate, 0);
        ww_queries__csv_num(fp, r->ci_low, 0);
        ww_queries__csv_num(fp, r->ci_high, 0);
        fprintf(fp, "%d,%d,", r->n_studies, r->n_effects);
        if (r->n_participants >= 0) fprintf(fp, "%ld", r->n_participants);
        fprintf(fp, ",%s,%s,", r->provisional ? "true" : "false", r->is_example ? "true" : "false");
        ww_queries__csv_field(fp, r->verdict, 0);
        ww_queries__csv_field(fp, r->certainty, 0);
        ww_queries__csv_field(fp, r->why, 1);
    }
    return ww_queries__flush(fp);
}

static int write_table(const ww_query_result *res, FILE *fp)
{
    const ww_issue_expansion *x = &res->expansion;
    fprintf(fp, "What works for \"%s\"", res->text);
    if (x->n_slugs) {
        fputs(" (issues: ", fp);
        for (size_t i = 0; i < x->n_slugs; i++) fprintf(fp, "%s%s", i ? ", " : "", x->slugs[i]);
        fputs("; outcome domains: ", fp);
        for (size_t i = 0; i < x->n_domains; i++) fprintf(fp, "%s%s", i ? ", " : "", x->domains[i]);
        fputs(")", fp);
    } else {
        fputs(" (not in the issue taxonomy: full-text match only)", fp);
    }
    fputs("\n", fp);
    if (!res->n_rows) {
        fputs("No interventions found. `whatworks issues` lists the presenting issues.\n", fp);
        return ww_queries__flush(fp);
    }
    fprintf(fp, "\n%-4s %-42s %6s  %-15s %7s %6s  %-9s %s\n", "rank", "intervention", "SMD",
            "95% CI", "studies", "N", "certainty", "verdict");
    for (size_t i = 0; i < res->n_rows; i++) {
        const ww_query_row *r = &res->rows[i].row;
        char ci[40], est[16];
        if (isfinite(r->estimate)) {
            snprintf(est, sizeof est, "%.2f", r->estimate);
            snprintf(ci, sizeof ci, "[%.2f, %.2f]", r->ci_low, r->ci_high);
        } else {
            snprintf(est, sizeof est, "-");
            snprintf(ci, sizeof ci, "-");
        }
        char nbuf[24];
        if (r->n_participants >= 0) snprintf(nbuf, sizeof nbuf, "%ld", r->n_participants);
        else snprintf(nbuf, sizeof nbuf, "-");
        fprintf(fp, "%-4d %-42.42s %6s  %-15s %7d %6s  %-9s %s\n", r->rank, r->name, est, ci,
                r->n_studies, nbuf, r->certainty[0] ? r->certainty : "-", r->verdict);
        fprintf(fp, "     id: %s%s%s\n     why: %s\n", r->slug, r->is_example ? "  [example]" : "",
                r->provisional ? "  [provisional]" : "", r->why);
    }
    fputs("\nSMD: standardised mean difference, positive = beneficial (odds ratios converted).\n"
          "[provisional]: submitted, not yet reviewed. [example]: illustrative data, not evidence.\n"
          "Ranked by verdict, then certainty, then the lower bound of the 95% CI (docs/ranking.md).\n",
          fp);
    return ww_queries__flush(fp);
}

int ww_query_result_write(const ww_query_result *res, FILE *fp, ww_format fmt)
{
    switch (fmt) {
    case WW_FORMAT_JSON: return write_json(res, fp);
    case WW_FORMAT_CSV: return write_csv(res, fp);
    case WW_FORMAT_TABLE: return write_table(res, fp);
    }
    return ww__error(WW_EUSAGE, "unknown output format");
}
