/*
 * query_write.c — a ranked query result as a table for people (100
 * columns, widths in characters, UTF-8 aware, long names ending in "…";
 * every column with --wide), CSV for spreadsheets, or JSON
 * ("whatworks/query/2", docs/json.md) for scripts. The JSON names
 * everything that produced a number: the taxonomy issues the text expanded
 * to, the FTS5 expression, the filters, the pooling and the ranking rule.
 * Missing stays missing: "–" in the table, empty in CSV, null in JSON.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "queries_int.h"

#define SCHEMA "whatworks/query/2"
#define TABLE_COLUMNS 100
#define MISSING "\xe2\x80\x93" /* en dash */

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

/* The certainty trace's conclusion ("certainty: moderate (start high; −1
 * imprecision)"), or NULL. */
static json_t *certainty_step(const char *trace)
{
    const char *p, *end;
    if (!trace) return json_null();
    for (p = trace; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, "certainty:", 10) == 0) {
            end = strchr(p, '\n');
            return json_stringn(p, end ? (size_t)(end - p) : strlen(p));
        }
    return json_null();
}

static const char *method_words(const char *method)
{
    if (!method) return NULL;
    if (strcmp(method, "FE") == 0) return "one study: its own estimate and 95% CI";
    if (strcmp(method, "REML") == 0) return "random effects (REML)";
    if (strcmp(method, "DL") == 0) return "random effects (DerSimonian-Laird; REML did not converge)";
    return method;
}

/* The technical detail behind a row's plain `why`. */
static json_t *explain_json(const ww_query_row_int *ri)
{
    const ww_synthesis_row *syn = ri->synthesis;
    json_t *o = json_object(), *matched = json_array();
    for (const char *p = ri->matched; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        ww_queries__append(matched, json_stringn(p, n));
        p += n + (comma ? 1 : 0);
    }
    ww_queries__set(o, "matched", matched);
    ww_queries__set(o, "ranking_rule", json_string(ww_queries__ranking_rule));
    ww_queries__set(o, "verdict_rule", json_string(ri->verdict_rule));
    ww_queries__set(o, "certainty_step", certainty_step(syn ? syn->certainty_trace : NULL));
    ww_queries__set(o, "rules_version", ww_queries__str(syn ? syn->rules_version : NULL));
    ww_queries__set(o, "synthesis", ww_queries__str(syn ? method_words(syn->method) : NULL));
    ww_queries__set(o, "eif_level", ww_queries__str(syn ? syn->eif_level : NULL));
    ww_queries__set(o, "blueprints_tier", ww_queries__str(syn ? syn->blueprints_tier : NULL));
    ww_queries__set(o, "wwc_rated_studies", syn ? json_integer(syn->n_wwc_rated) : json_null());
    ww_queries__set(o, "wwc_meets_standards", syn ? json_integer(syn->n_wwc_meets) : json_null());
    ww_queries__set(o, "randomised_studies", syn ? json_integer(syn->n_randomised) : json_null());
    ww_queries__set(o, "other_outcome_domains", json_integer(ri->off_issue));
    ww_queries__set(o, "effects_left_out", syn ? json_integer(syn->n_other_scale) : json_null());
    ww_queries__set(o, "includes_extracted", json_boolean(syn && strncmp(syn->scope, "all", 3) == 0));
    ww_queries__set(o, "relevance", json_real(ri->relevance));
    return o;
}

static json_t *filters_json(const ww_query_result *res)
{
    const ww_query_opts *f = &res->opts;
    json_t *o = json_object();
    ww_queries__set(o, "min_certainty", ww_queries__str(ww_queries__certainty_name(f->min_certainty)));
    ww_queries__set(o, "domain", ww_queries__str(f->domain));
    ww_queries__set(o, "population", ww_queries__str(f->population));
    ww_queries__set(o, "age", f->by_age ? json_integer(f->age_years) : json_null());
    ww_queries__set(o, "setting", ww_queries__str(f->setting));
    ww_queries__set(o, "country", ww_queries__str(f->country));
    ww_queries__set(o, "max_cost", f->by_max_cost ? json_real(f->max_cost_per_participant) : json_null());
    ww_queries__set(o, "include_provisional", json_boolean(res->include_provisional));
    ww_queries__set(o, "include_extracted", json_boolean(f->include_extracted));
    ww_queries__set(o, "include_flagged", json_boolean(f->include_flagged));
    return o;
}

static int write_json(const ww_query_result *res, FILE *fp)
{
    json_t *doc = json_object(), *rows = json_array(), *left = json_object();
    int error;
    if (!doc || !rows || !left) {
        json_decref(doc);
        json_decref(rows);
        json_decref(left);
        return ww__error_oom();
    }
    ww_queries__set(doc, "schema", json_string(SCHEMA));
    ww_queries__set(doc, "query", json_string(res->text));
    ww_queries__set(doc, "issues", string_array(res->expansion.slugs, res->expansion.n_slugs));
    ww_queries__set(doc, "outcome_domains",
                        string_array(res->expansion.domains, res->expansion.n_domains));
    ww_queries__set(doc, "fts_expression", ww_queries__str(res->fts));
    ww_queries__set(doc, "outcome_expression", ww_queries__str(res->fts_outcomes));
    ww_queries__set(doc, "ranking", json_string(ww_queries__ranking_rule));
    ww_queries__set(doc, "sort", json_string(ww_queries__sort_name(res->opts.sort)));
    ww_queries__set(doc, "filters", filters_json(res));
    ww_queries__set(doc, "metric", json_string("SMD"));
    ww_queries__set(doc, "matched", json_integer((json_int_t)res->n_candidates));
    ww_queries__set(left, "provisional", json_integer((json_int_t)res->n_left_provisional));
    ww_queries__set(left, "filters", json_integer((json_int_t)res->n_left_filtered));
    ww_queries__set(left, "limit", json_integer((json_int_t)(res->n_listed - res->n_rows)));
    ww_queries__set(doc, "left_out", left);
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
        ww_queries__set(o, "improvement_index", ww_queries__num(r->improvement_index));
        ww_queries__set(o, "months_progress", ww_queries__num(r->months_progress));
        ww_queries__set(o, "pooling", pooling_json(ri->synthesis));
        ww_queries__set(o, "n_studies", json_integer(r->n_studies));
        ww_queries__set(o, "n_effects", json_integer(r->n_effects));
        ww_queries__set(o, "n_participants",
                        r->n_participants >= 0 ? json_integer(r->n_participants) : json_null());
        ww_queries__set(o, "cost_per_participant", ww_queries__num(r->cost_per_participant));
        ww_queries__set(o, "cost_price_year", r->cost_price_year ? json_integer(r->cost_price_year) : json_null());
        ww_queries__set(o, "bcr", ww_queries__num(r->bcr));
        ww_queries__set(o, "provisional", json_boolean(r->provisional));
        ww_queries__set(o, "example", json_boolean(r->is_example));
        ww_queries__set(o, "verdict", json_string(r->verdict));
        ww_queries__set(o, "certainty", r->certainty[0] ? json_string(r->certainty) : json_null());
        ww_queries__set(o, "why", json_string(r->why));
        ww_queries__set(o, "explain", explain_json(ri));
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
          "n_participants,provisional,example,verdict,certainty,why,improvement_index,"
          "months_progress,cost_per_participant,cost_price_year,bcr\r\n",
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
        ww_queries__csv_field(fp, r->why, 0);
        ww_queries__csv_num(fp, r->improvement_index, 0);
        ww_queries__csv_num(fp, r->months_progress, 0);
        ww_queries__csv_num(fp, r->cost_per_participant, 0);
        if (r->cost_price_year) fprintf(fp, "%d", r->cost_price_year);
        fputc(',', fp);
        ww_queries__csv_num(fp, r->bcr, 1);
    }
    return ww_queries__flush(fp);
}

/* ---- the table ------------------------------------------------------- */

/* Decode one UTF-8 character at s (valid UTF-8: the importers check it);
 * *len is its length in bytes. */
static unsigned long utf8_decode(const char *s, size_t *len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) return *len = 1, u[0];
    if ((u[0] & 0xE0) == 0xC0 && u[1]) return *len = 2, ((u[0] & 0x1Ful) << 6) | (u[1] & 0x3F);
    if ((u[0] & 0xF0) == 0xE0 && u[1] && u[2])
        return *len = 3, ((u[0] & 0x0Ful) << 12) | ((u[1] & 0x3Ful) << 6) | (u[2] & 0x3F);
    if ((u[0] & 0xF8) == 0xF0 && u[1] && u[2] && u[3])
        return *len = 4, ((u[0] & 0x07ul) << 18) | ((u[1] & 0x3Ful) << 12) | ((u[2] & 0x3Ful) << 6) |
                             (u[3] & 0x3F);
    return *len = 1, 0xFFFD;
}

/* Columns a character takes on a terminal: 0 for combining marks and
 * zero-width characters, 2 for East Asian wide and fullwidth ones and
 * emoji (the ranges of Unicode's EastAsianWidth W and F, abridged), else
 * 1. ’ and ® take one column, like any letter. */
static int char_columns(unsigned long c)
{
    if (c < 0x20 || (c >= 0x7F && c < 0xA0)) return 0;
    if ((c >= 0x0300 && c <= 0x036F) || (c >= 0x200B && c <= 0x200F) || (c >= 0xFE00 && c <= 0xFE0F) ||
        (c >= 0x20D0 && c <= 0x20FF))
        return 0;
    if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) || (c >= 0x3041 && c <= 0x33FF) ||
        (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
        (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
        (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
        (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD))
        return 2;
    return 1;
}

static size_t text_columns(const char *s)
{
    size_t w = 0, len;
    for (; *s; s += len) w += (size_t)char_columns(utf8_decode(s, &len));
    return w;
}

/* Write s in exactly width columns: cut to width-1 columns and "…" when
 * it is wider (never inside a character), padded with spaces on the right
 * (left when right_align). Control characters are written as spaces. */
static void put_cell(FILE *fp, const char *s, size_t width, int right_align)
{
    size_t w = text_columns(s), used = 0, len;
    if (w > width) {
        for (; *s; s += len) {
            unsigned long c = utf8_decode(s, &len);
            size_t cw = (size_t)char_columns(c);
            if (used + cw > width - 1) break;
            if (c < 0x20) fputc(' ', fp);
            else fwrite(s, 1, len, fp);
            used += cw;
        }
        fputs("\xe2\x80\xa6", fp);
        for (used++; used < width; used++) fputc(' ', fp);
        return;
    }
    if (right_align)
        for (; used + w < width; used++) fputc(' ', fp);
    for (; *s; s += len) {
        unsigned long c = utf8_decode(s, &len);
        if (c < 0x20) fputc(' ', fp);
        else fwrite(s, 1, len, fp);
    }
    if (!right_align)
        for (; w < width; w++) fputc(' ', fp);
}

/* Write text as lines of at most width columns, each starting with
 * indent, breaking at spaces (a word wider than a line is cut with "…"). */
static void put_wrapped(FILE *fp, const char *indent, const char *text, size_t width)
{
    size_t avail = width - text_columns(indent);
    const char *p = text;
    while (*p) {
        const char *line = p, *brk = NULL, *q = p;
        size_t w = 0, len;
        while (*q) {
            size_t cw = (size_t)char_columns(utf8_decode(q, &len));
            if (*q == ' ') brk = q;
            if (w + cw > avail) break;
            w += cw;
            q += len;
        }
        fputs(indent, fp);
        if (!*q) {
            put_cell(fp, line, text_columns(line), 0);
            fputc('\n', fp);
            break;
        }
        if (brk && brk > line) {
            char *piece = strndup(line, (size_t)(brk - line));
            if (piece) put_cell(fp, piece, text_columns(piece), 0);
            free(piece);
            p = brk + 1;
        } else { /* one long word: cut it */
            char *piece = strndup(line, (size_t)(q - line));
            if (piece) put_cell(fp, piece, avail, 0);
            free(piece);
            p = q;
            while (*p && *p != ' ') p++;
        }
        fputc('\n', fp);
        while (*p == ' ') p++;
    }
}

static void fmt_num(char *out, size_t n, double v, const char *f)
{
    if (isfinite(v)) snprintf(out, n, f, v);
    else snprintf(out, n, "%s", MISSING);
}

/* "+8 pts" (WWC improvement index) or, for attainment, "+3 mo" (EEF). */
static void fmt_gain(char *out, size_t n, const ww_query_row *r)
{
    double mo = r->months_progress, ii = r->improvement_index;
    if (isfinite(mo)) snprintf(out, n, "%s%.0f mo", mo > 0 ? "+" : mo < 0 ? "-" : "", fabs(mo));
    else if (isfinite(ii))
        snprintf(out, n, "%s%.0f pts", lround(ii) > 0 ? "+" : lround(ii) < 0 ? "-" : "", fabs(ii));
    else snprintf(out, n, "%s", MISSING);
}

static void fmt_ci(char *out, size_t n, const ww_query_row *r)
{
    if (isfinite(r->ci_low) && isfinite(r->ci_high)) snprintf(out, n, "[%.2f, %.2f]", r->ci_low, r->ci_high);
    else snprintf(out, n, "%s", MISSING);
}

static const char *short_verdict(const char *v)
{
    return strcmp(v, "no outcome on this issue") == 0 ? "not measured" : v;
}

static void table_header(const ww_query_result *res, FILE *fp, int wide)
{
    const ww_issue_expansion *x = &res->expansion;
    ww_buf b = WW_BUF_INIT;
    int error = ww_buf__printf(&b, "What works for \"%s\"", res->text);
    if (x->n_slugs) {
        error = error ? error : ww_buf__puts(&b, " (issues: ");
        for (size_t i = 0; i < x->n_slugs && !error; i++) error = ww_buf__printf(&b, "%s%s", i ? ", " : "", x->slugs[i]);
        error = error ? error : ww_buf__puts(&b, "; outcome domains: ");
        for (size_t i = 0; i < x->n_domains && !error; i++)
            error = ww_buf__printf(&b, "%s%s", i ? ", " : "", x->domains[i]);
        error = error ? error : ww_buf__puts(&b, ")");
    } else if (!error) {
        error = ww_buf__puts(&b, " (not in the issue taxonomy: full-text match only)");
    }
    if (!error) {
        if (wide) fprintf(fp, "%s\n", b.data);
        else put_wrapped(fp, "", b.data, TABLE_COLUMNS);
    }
    ww_buf__free(&b);
}

static void table_footer(const ww_query_result *res, FILE *fp, int wide)
{
    ww_buf b = WW_BUF_INIT;
    size_t more = res->n_listed - res->n_rows;
    fputs("\nSMD: standardised mean difference, positive = beneficial (odds ratios converted).\n", fp);
    if (wide)
        fputs("index: WWC improvement index, percentile points; months: EEF months' progress "
              "(attainment outcomes).\n",
              fp);
    else
        fputs("gain: pts = WWC improvement index (percentile points); mo = EEF months' progress.\n", fp);
    fputs("Ranked by verdict, then certainty, then effect; relevance breaks ties (docs/ranking.md).\n", fp);
    if (res->n_left_provisional || res->n_left_filtered || more) {
        int error = ww_buf__puts(&b, "Not listed:");
        const char *sep = " ";
        if (!error && res->n_left_provisional)
            error = ww_buf__printf(&b, "%s%zu resting on provisional evidence (--include-provisional)", sep,
                                   res->n_left_provisional),
            sep = "; ";
        if (!error && res->n_left_filtered)
            error = ww_buf__printf(&b, "%s%zu by the filters", sep, res->n_left_filtered), sep = "; ";
        if (!error && more) error = ww_buf__printf(&b, "%s%zu past the limit (--limit N)", sep, more);
        if (!error) error = ww_buf__puts(&b, ".");
        if (!error) {
            if (wide) fprintf(fp, "%s\n", b.data);
            else put_wrapped(fp, "", b.data, TABLE_COLUMNS);
        }
    }
    ww_buf__free(&b);
}

/* One line of the narrow table: 4 + 32 + 5 + 13 + 8 + 7 + 9 columns and
 * seven spaces leave 15 for the verdict ("no clear effect"): 100. */
static void table_narrow_line(FILE *fp, const char *rank, const char *name, const char *est,
                              const char *ci, const char *gain, const char *k, const char *certainty,
                              const char *verdict)
{
    put_cell(fp, rank, 4, 0);
    fputc(' ', fp);
    put_cell(fp, name, 32, 0);
    fputc(' ', fp);
    put_cell(fp, est, 5, 1);
    fputc(' ', fp);
    put_cell(fp, ci, 13, 0);
    fputc(' ', fp);
    put_cell(fp, gain, 8, 1);
    fputc(' ', fp);
    put_cell(fp, k, 7, 1);
    fputc(' ', fp);
    put_cell(fp, certainty, 9, 0);
    fputc(' ', fp);
    fputs(verdict, fp); /* at most 15 columns, not padded */
    fputc('\n', fp);
}

/* Narrow: 100 columns; the why wrapped under each row. */
static void table_narrow_row(FILE *fp, const ww_query_row *r)
{
    char rank[16], est[32], ci[48], gain[32], k[16];
    snprintf(rank, sizeof rank, "%d", r->rank);
    fmt_num(est, sizeof est, r->estimate, "%.2f");
    fmt_ci(ci, sizeof ci, r);
    fmt_gain(gain, sizeof gain, r);
    if (r->n_studies > 0) snprintf(k, sizeof k, "%d", r->n_studies);
    else snprintf(k, sizeof k, "%s", MISSING);
    table_narrow_line(fp, rank, r->name, est, ci, gain, k, r->certainty[0] ? r->certainty : MISSING,
                      short_verdict(r->verdict));
    fprintf(fp, "     id: %s%s%s\n", r->slug, r->provisional ? "  [provisional]" : "",
            r->is_example ? "  [example]" : "");
    put_wrapped(fp, "     ", r->why, TABLE_COLUMNS);
}

enum { W_RANK, W_NAME, W_DOMAIN, W_SMD, W_CI, W_INDEX, W_MONTHS, W_K, W_N, W_CERT, W_COST, W_BCR, W_VERDICT, W_N_COLS };

static void wide_cells(char cells[W_N_COLS][160], const ww_query_row *r)
{
    snprintf(cells[W_RANK], 160, "%d", r->rank);
    snprintf(cells[W_NAME], 160, "%s", "");
    snprintf(cells[W_DOMAIN], 160, "%s", "");
    fmt_num(cells[W_SMD], 160, r->estimate, "%.2f");
    fmt_ci(cells[W_CI], 160, r);
    fmt_num(cells[W_INDEX], 160, r->improvement_index, "%+.0f");
    fmt_num(cells[W_MONTHS], 160, r->months_progress, "%+.0f");
    if (r->n_studies > 0) snprintf(cells[W_K], 160, "%d", r->n_studies);
    else snprintf(cells[W_K], 160, "%s", MISSING);
    if (r->n_participants >= 0) snprintf(cells[W_N], 160, "%ld", r->n_participants);
    else snprintf(cells[W_N], 160, "%s", MISSING);
    snprintf(cells[W_CERT], 160, "%s", r->certainty[0] ? r->certainty : MISSING);
    if (isfinite(r->cost_per_participant) && r->cost_price_year)
        snprintf(cells[W_COST], 160, "%.0f (%d)", r->cost_per_participant, r->cost_price_year);
    else fmt_num(cells[W_COST], 160, r->cost_per_participant, "%.0f");
    fmt_num(cells[W_BCR], 160, r->bcr, "%.2f");
    snprintf(cells[W_VERDICT], 160, "%s", r->verdict);
}

/* Wide: every column, full names, the why on one line. */
static void table_wide(const ww_query_result *res, FILE *fp)
{
    static const char *const head[W_N_COLS] = {"rank", "intervention", "outcome domain", "SMD", "95% CI",
                                               "index", "months", "studies", "N", "certainty",
                                               "cost", "bcr", "verdict"};
    static const int right[W_N_COLS] = {0, 0, 0, 1, 0, 1, 1, 1, 1, 0, 1, 1, 0};
    size_t width[W_N_COLS];
    char cells[W_N_COLS][160];
    for (int c = 0; c < W_N_COLS; c++) width[c] = text_columns(head[c]);
    for (size_t i = 0; i < res->n_rows; i++) {
        const ww_query_row *r = &res->rows[i].row;
        wide_cells(cells, r);
        for (int c = 0; c < W_N_COLS; c++) {
            size_t w = c == W_NAME ? text_columns(r->name) : c == W_DOMAIN ? text_columns(r->outcome_domain)
                                                                            : text_columns(cells[c]);
            if (w > width[c]) width[c] = w;
        }
    }
    fputc('\n', fp);
    for (int c = 0; c < W_N_COLS; c++) {
        if (c) fputs(c == W_CI ? "  " : " ", fp);
        if (c == W_N_COLS - 1) fputs(head[c], fp);
        else put_cell(fp, head[c], width[c], right[c]);
    }
    fputc('\n', fp);
    for (size_t i = 0; i < res->n_rows; i++) {
        const ww_query_row *r = &res->rows[i].row;
        wide_cells(cells, r);
        for (int c = 0; c < W_N_COLS; c++) {
            const char *s = c == W_NAME ? r->name : c == W_DOMAIN ? r->outcome_domain : cells[c];
            if (c) fputs(c == W_CI ? "  " : " ", fp);
            if (c == W_N_COLS - 1) fputs(s, fp);
            else put_cell(fp, s, width[c], right[c]);
        }
        fprintf(fp, "\n     id: %s%s%s\n     why: %s\n", r->slug, r->provisional ? "  [provisional]" : "",
                r->is_example ? "  [example]" : "", r->why);
    }
}

static int write_table(const ww_query_result *res, FILE *fp, int wide)
{
    table_header(res, fp, wide);
    if (!res->n_rows) {
        fputs(res->n_candidates ? "No interventions pass the filters.\n"
                                : "No interventions found. `whatworks issues` lists the presenting issues.\n",
              fp);
        table_footer(res, fp, wide);
        return ww_queries__flush(fp);
    }
    if (wide) {
        table_wide(res, fp);
    } else {
        fputc('\n', fp);
        table_narrow_line(fp, "rank", "intervention", "SMD", "95% CI", "gain", "studies", "certainty",
                          "verdict");
        for (size_t i = 0; i < res->n_rows; i++) table_narrow_row(fp, &res->rows[i].row);
    }
    table_footer(res, fp, wide);
    return ww_queries__flush(fp);
}

int ww_query_result_print(const ww_query_result *res, FILE *fp, ww_format fmt, unsigned flags)
{
    switch (fmt) {
    case WW_FORMAT_JSON: return write_json(res, fp);
    case WW_FORMAT_CSV: return write_csv(res, fp);
    case WW_FORMAT_TABLE: return write_table(res, fp, (flags & WW_QUERY_PRINT_WIDE) != 0);
    }
    return ww__error(WW_EUSAGE, "unknown output format");
}

int ww_query_result_write(const ww_query_result *res, FILE *fp, ww_format fmt)
{
    return ww_query_result_print(res, fp, fmt, 0);
}
