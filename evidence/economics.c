/*
 * economics.c — the business-case engine behind economics.h. A case is a
 * list of flows (an agency's cost or benefit per participant per year over
 * a run of years); each is put on one price base (GDP deflator), adjusted,
 * discounted and added into the year table, the agency matrix and the
 * totals. A flow's present value is linear in its amount, so the engine
 * keeps, per flow, the present value of one pound of it ("pv_unit"); the
 * Monte Carlo then only multiplies drawn amounts by those, which makes
 * 10,000 draws cost microseconds and keeps the simulated numbers exactly
 * consistent with the deterministic ones.
 *
 * Sources: the declining discount schedule is chained year by year as in
 * the Green Book (HM Treasury 2003, Annex 6, Table 6.1); the adjustments and
 * the fiscal / economic / social split follow the Greater Manchester CBA
 * model (HM Treasury & PSTN, CBA guidance for local partnerships, 2014);
 * the 75% test and the 10,000-draw default follow WSIPP (Benefit-Cost
 * Technical Documentation, Dec 2023). docs/case.md has the detail.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "../util/util.h"
#include "economics.h"

/* PV costs below this share of PV benefits make the BCR's denominator
 * "near zero" (a BCR above 100): the project's choice, stated in
 * docs/case.md; the issue asks for the warning, not a threshold. */
#define ECON_NEAR_ZERO_SHARE 0.01
/* At most this many places are listed in one warning. */
#define ECON_MAX_LISTED 10
/* At most this many double-counting warnings are given. */
#define ECON_MAX_DOUBLE_WARNINGS 20

/* ---- names ------------------------------------------------------------------ */

static const char *const kind_names[] = {"cost", "benefit"};
static const char *const value_names[] = {"fiscal", "economic", "social"};

const char *ww_econ_kind_name(ww_econ_kind k)
{
    return (unsigned)k < 2 ? kind_names[k] : NULL;
}

const char *ww_econ_value_name(ww_econ_value v)
{
    return (unsigned)v < 3 ? value_names[v] : NULL;
}

int ww_econ_kind_parse(ww_econ_kind *out, const char *name)
{
    for (unsigned i = 0; name && i < 2; i++)
        if (strcasecmp(name, kind_names[i]) == 0) {
            *out = (ww_econ_kind)i;
            return 0;
        }
    return WW_EDATA;
}

int ww_econ_value_parse(ww_econ_value *out, const char *name)
{
    for (unsigned i = 0; name && i < 3; i++)
        if (strcasecmp(name, value_names[i]) == 0) {
            *out = (ww_econ_value)i;
            return 0;
        }
    return WW_EDATA;
}

/* ---- discounting ------------------------------------------------------------ */

int ww_econ_rate_pct(double *out, const ww_econ_schedule *s, int year)
{
    for (size_t i = 0; i < s->n_bands; i++) {
        const ww_econ_band *b = &s->bands[i];
        if (year >= b->from_year && (b->to_year < 0 || year <= b->to_year)) {
            *out = b->rate_pct;
            return 0;
        }
    }
    return ww__error(WW_EUSAGE, "discount schedule %s has no rate for year %d",
                     s->name ? s->name : "(unnamed)", year);
}

int ww_econ_discount_factors(double *df, int n_years, const ww_econ_schedule *s)
{
    int error;
    if (n_years <= 0) return 0;
    df[0] = 1.0; /* year 0 is not discounted */
    for (int t = 1; t < n_years; t++) {
        double r;
        if ((error = ww_econ_rate_pct(&r, s, t)) < 0) return error;
        if (!(r > -100.0) || !isfinite(r))
            return ww__error(WW_EUSAGE, "discount schedule %s: rate %g%% in year %d is not usable",
                             s->name ? s->name : "(unnamed)", r, t);
        df[t] = df[t - 1] / (1.0 + r / 100.0);
    }
    return 0;
}

/* ---- price base -------------------------------------------------------------- */

static int index_of(double *out, const ww_econ_deflator *d, int year)
{
    for (size_t i = 0; i < d->n_points; i++)
        if (d->points[i].year == year) {
            *out = d->points[i].index;
            return 0;
        }
    return WW_EDATA;
}

static int series_range_error(const ww_econ_deflator *d, const char *what, int year)
{
    if (!d->n_points) return ww__error(WW_EDATA, "%s %d: the deflator series is empty", what, year);
    return ww__error(WW_EDATA, "%s %d is outside the deflator series (%d-%d, %s)", what, year,
                     d->points[0].year, d->points[d->n_points - 1].year,
                     d->source_id ? d->source_id : "no source");
}

int ww_econ_price_factor(double *out, const ww_econ_deflator *d, int price_year, int financial_year,
                         int price_base)
{
    double base, from, next;
    if (index_of(&base, d, price_base) < 0) return series_range_error(d, "price base", price_base);
    if (index_of(&from, d, price_year) < 0) return series_range_error(d, "price year", price_year);
    if (financial_year) {
        /* April..December in price_year, January..March in the next. */
        if (index_of(&next, d, price_year + 1) < 0)
            return ww__error(WW_EDATA,
                             "price year %d/%02d needs calendar year %d, outside the deflator "
                             "series",
                             price_year, (price_year + 1) % 100, price_year + 1);
        from = 0.75 * from + 0.25 * next;
    }
    if (!(from > 0) || !(base > 0))
        return ww__error(WW_EDATA, "deflator index for %d is not positive", price_year);
    *out = base / from;
    return 0;
}

int ww_econ_price_factor_carried(double *out, int *carried, const ww_econ_deflator *d,
                                 int price_year, int financial_year, int price_base)
{
    int last;
    double base, from, next;
    *carried = 0;
    if (!d->n_points) return series_range_error(d, "price year", price_year);
    last = d->points[d->n_points - 1].year;
    if (price_year + (financial_year ? 1 : 0) <= last)
        return ww_econ_price_factor(out, d, price_year, financial_year, price_base);
    /* Past the series: the last year's index stands in for every later year. */
    if (index_of(&base, d, price_base) < 0) return series_range_error(d, "price base", price_base);
    if (index_of(&from, d, price_year <= last ? price_year : last) < 0)
        return series_range_error(d, "price year", price_year);
    if (financial_year) {
        if (index_of(&next, d, last) < 0) return series_range_error(d, "price year", last);
        from = 0.75 * from + 0.25 * next;
    }
    if (!(from > 0) || !(base > 0))
        return ww__error(WW_EDATA, "deflator index for %d is not positive", last);
    *out = base / from;
    *carried = 1;
    return 0;
}

/* ---- optimism bias ------------------------------------------------------------- */

/* Grades 1..6 (1 = best). Unverified: see economics.h and docs/case.md. */
static const double optimism_bias_by_grade[6] = {0, 5, 10, 15, 25, 40};

double ww_econ_optimism_bias_pct(int grade)
{
    if (grade < 1 || grade > 6) grade = 6;
    return optimism_bias_by_grade[grade - 1];
}

/* ---- results ------------------------------------------------------------------- */

void ww_econ_result_free(ww_econ_result *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_agencies; i++) {
        free(r->agencies[i].costs);
        free(r->agencies[i].benefits);
    }
    free(r->agencies);
    free(r->years);
    for (size_t i = 0; i < r->n_warnings; i++) free(r->warnings[i]);
    free(r->warnings);
    memset(r, 0, sizeof *r);
}

static int warn(ww_econ_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int warn(ww_econ_result *r, const char *fmt, ...)
{
    va_list ap;
    char **list, *text;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return ww__error(WW_ERROR, "formatting a warning failed");
    if (!(text = malloc((size_t)n + 1))) return ww__error_oom();
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (!(list = realloc(r->warnings, (r->n_warnings + 1) * sizeof *list))) {
        free(text);
        return ww__error_oom();
    }
    r->warnings = list;
    r->warnings[r->n_warnings++] = text;
    return 0;
}

/* "2008/09" or "2016", for messages. */
static void price_year_text(char *buf, size_t n, const ww_econ_flow *f)
{
    if (f->price_year < 0)
        snprintf(buf, n, "unknown");
    else if (f->financial_year)
        snprintf(buf, n, "%d/%02d", f->price_year, (f->price_year + 1) % 100);
    else
        snprintf(buf, n, "%d", f->price_year);
}

/* A list of places "a, b, c and 4 more" for flows whose mark[i] is set. */
static int list_places(ww_buf *b, const ww_econ_flow *flows, size_t n, const unsigned char *mark,
                       int with_price_year)
{
    size_t shown = 0, total = 0;
    int error = 0;
    for (size_t i = 0; i < n; i++) total += mark[i] != 0;
    for (size_t i = 0; i < n && error == 0; i++) {
        if (!mark[i]) continue;
        if (shown == ECON_MAX_LISTED) break;
        if (shown) error = ww_buf__puts(b, ", ");
        if (error == 0) error = ww_buf__puts(b, flows[i].where);
        if (error == 0 && with_price_year) {
            char py[16];
            price_year_text(py, sizeof py, &flows[i]);
            error = ww_buf__printf(b, " (%s prices)", py);
        }
        shown++;
    }
    if (error == 0 && total > shown) error = ww_buf__printf(b, " and %zu more", total - shown);
    if (error == 0 && !b->data) error = ww_buf__puts(b, "");
    return error;
}

/* ---- checks -------------------------------------------------------------------- */

static int check_params(const ww_econ_params *p)
{
    if (!p || !p->schedule || !p->deflator)
        return ww__error(WW_EUSAGE,
                         "a business case needs a discount schedule and a deflator series");
    if (p->participants < 1)
        return ww__error(WW_EUSAGE, "participants must be at least 1, got %ld", p->participants);
    if (p->horizon_years < 0 || p->horizon_years > WW_ECON_MAX_HORIZON)
        return ww__error(WW_EUSAGE, "horizon must be 1 to %d years, got %d", WW_ECON_MAX_HORIZON,
                         p->horizon_years);
    if (p->draws < 0 || p->draws > WW_ECON_MAX_DRAWS)
        return ww__error(WW_EUSAGE, "draws must be 0 to %ld, got %ld", WW_ECON_MAX_DRAWS, p->draws);
    if (!(p->deadweight_pct >= 0 && p->deadweight_pct <= 100))
        return ww__error(WW_EUSAGE, "deadweight must be 0 to 100%%, got %g", p->deadweight_pct);
    if (!(p->attribution_pct >= 0 && p->attribution_pct <= 100))
        return ww__error(WW_EUSAGE, "attribution must be 0 to 100%%, got %g", p->attribution_pct);
    if (!(p->dropoff_pct >= 0 && p->dropoff_pct <= 100))
        return ww__error(WW_EUSAGE, "drop-off must be 0 to 100%% a year, got %g", p->dropoff_pct);
    if (!p->schedule->n_bands || p->schedule->bands[0].from_year != 0)
        return ww__error(WW_EUSAGE, "discount schedule %s must start at year 0",
                         p->schedule->name ? p->schedule->name : "(unnamed)");
    return 0;
}

static int check_flow(const ww_econ_flow *f)
{
    const char *w = f->where ? f->where : "flow";
    if (!f->agency || !*f->agency) return ww__error(WW_EDATA, "%s: agency: empty", w);
    if (!ww_econ_kind_name(f->kind)) return ww__error(WW_EDATA, "%s: kind: not cost or benefit", w);
    if (!ww_econ_value_name(f->value_type))
        return ww__error(WW_EDATA, "%s: value_type: not fiscal, economic or social", w);
    if (f->first_year < 0)
        return ww__error(WW_EDATA, "%s: first_year: must be >= 0, got %d", w, f->first_year);
    if (f->last_year < f->first_year)
        return ww__error(WW_EDATA, "%s: last_year: %d is before first_year %d", w, f->last_year,
                         f->first_year);
    if (!isfinite(f->amount)) return ww__error(WW_EDATA, "%s: amount: not a finite number", w);
    if (f->kind == WW_ECON_COST && f->amount < 0)
        return ww__error(WW_EDATA, "%s: amount: a cost must not be negative, got %g", w, f->amount);
    if (f->confidence != -1 && (f->confidence < 1 || f->confidence > 6))
        return ww__error(WW_EDATA, "%s: confidence: must be a grade from 1 to 6, got %d", w,
                         f->confidence);
    if (isnan(f->low) != isnan(f->high))
        return ww__error(WW_EDATA, "%s: low, high: give both ends of the range or neither", w);
    if (!isnan(f->low)) {
        if (!isfinite(f->low) || !isfinite(f->high) || f->low > f->amount || f->high < f->amount)
            return ww__error(WW_EDATA,
                             "%s: low, high: need low <= amount <= high, got %g <= %g <= %g", w,
                             f->low, f->amount, f->high);
        if (f->kind == WW_ECON_COST && f->low < 0)
            return ww__error(WW_EDATA, "%s: low: a cost must not be negative, got %g", w, f->low);
    }
    return 0;
}

/* Agencies are the same when equal ignoring case and surrounding spaces. */
static int same_text(const char *a, const char *b)
{
    size_t la, lb;
    while (*a == ' ') a++;
    while (*b == ' ') b++;
    la = strlen(a);
    lb = strlen(b);
    while (la && a[la - 1] == ' ') la--;
    while (lb && b[lb - 1] == ' ') lb--;
    return la == lb && strncasecmp(a, b, la) == 0;
}

/* ---- warnings that look at the inputs ---------------------------------------------- */

static int warn_double_counting(ww_econ_result *r, const ww_econ_flow *flows, size_t n)
{
    int given = 0, error = 0;
    for (size_t i = 0; i < n && error == 0; i++) {
        const ww_econ_flow *a = &flows[i];
        if (a->kind != WW_ECON_BENEFIT) continue;
        for (size_t j = i + 1; j < n && error == 0; j++) {
            const ww_econ_flow *b = &flows[j];
            int overlap;
            if (b->kind != WW_ECON_BENEFIT) continue;
            overlap = a->first_year <= b->last_year && b->first_year <= a->last_year;
            if (!overlap) continue;
            if (given >= ECON_MAX_DOUBLE_WARNINGS) return 0;
            if (a->item && b->item && *a->item && same_text(a->item, b->item)) {
                given++;
                if (a->value_type != b->value_type)
                    error = warn(r,
                                 "benefits counted twice? '%s' is counted as %s at %s and as %s at "
                                 "%s: one gain is either fiscal, economic or social, not two",
                                 a->item, value_names[a->value_type], a->where,
                                 value_names[b->value_type], b->where);
                else
                    error = warn(r,
                                 "benefits counted twice? '%s' appears at %s and at %s in "
                                 "overlapping years",
                                 a->item, a->where, b->where);
            } else if (same_text(a->agency, b->agency) && a->amount == b->amount &&
                       a->first_year == b->first_year && a->last_year == b->last_year &&
                       a->value_type == b->value_type) {
                given++;
                error = warn(r,
                             "benefits counted twice? %s and %s are identical %s benefits to %s "
                             "(%g a year, years %d-%d)",
                             a->where, b->where, value_names[a->value_type], a->agency, a->amount,
                             a->first_year, a->last_year);
            }
        }
    }
    return error;
}

static int warn_marked(ww_econ_result *r, const ww_econ_flow *flows, size_t n, unsigned char *mark,
                       int with_price_year, const char *before, const char *after)
{
    ww_buf b = WW_BUF_INIT;
    int error;
    size_t count = 0;
    for (size_t i = 0; i < n; i++) count += mark[i] != 0;
    if (!count) return 0;
    if ((error = list_places(&b, flows, n, mark, with_price_year)) == 0)
        error = warn(r, "%s%s%s", before, b.data, after);
    ww_buf__free(&b);
    return error;
}

/* ---- Monte Carlo ----------------------------------------------------------------- */

static int monte_carlo(ww_econ_result *r, const ww_econ_flow *flows, size_t n,
                       const double *pv_unit, const ww_econ_params *p)
{
    gsl_rng *rng = NULL;
    double *bcr = NULL, rel_sd = 0, z95 = gsl_cdf_ugaussian_Pinv(0.95);
    long positive = 0;
    size_t n_bcr = 0;
    int error = 0;

    r->mc.draws = p->draws;
    r->mc.seed = p->seed;
    r->mc.p_npv_positive = r->mc.bcr_p5 = r->mc.bcr_p50 = r->mc.bcr_p95 = NAN;
    if (isfinite(p->effect_estimate) && isfinite(p->effect_se)) {
        if (p->effect_estimate <= 0) {
            if ((error =
                     warn(r,
                          "the pooled effect (%.3f) is not beneficial: benefits were not scaled "
                          "by its uncertainty, and the benefit streams claim a gain the pooled "
                          "evidence does not show",
                          p->effect_estimate)) < 0)
                return error;
        } else if (p->effect_se > 0) {
            r->mc.effect_drawn = 1;
            rel_sd = p->effect_se / p->effect_estimate;
        }
    }
    for (size_t i = 0; i < n; i++) r->mc.ranged_flows += !isnan(flows[i].low);
    if (p->draws == 0) return 0;
    if (!r->mc.effect_drawn && r->mc.ranged_flows == 0 &&
        (error = warn(r, "nothing in this case was given as uncertain (no pooled effect with a "
                         "standard error, no 90%% ranges): the Monte Carlo only repeats the point "
                         "estimate")) < 0)
        return error;

    if (!(rng = gsl_rng_alloc(gsl_rng_mt19937)) ||
        !(bcr = malloc((size_t)p->draws * sizeof *bcr))) {
        error = ww__error_oom();
        goto done;
    }
    gsl_rng_set(rng, p->seed);
    for (long d = 0; d < p->draws; d++) {
        double ratio = 1.0, pvc = 0, pvb = 0;
        /* One effect ratio per draw (it moves every benefit together), then
         * one amount per ranged flow, always in this order so a seed gives
         * the same numbers on every machine GSL's mt19937 runs on. */
        if (r->mc.effect_drawn) ratio = 1.0 + gsl_ran_gaussian(rng, rel_sd);
        for (size_t i = 0; i < n; i++) {
            const ww_econ_flow *f = &flows[i];
            double amount = f->amount;
            if (!isnan(f->low)) {
                /* Two-piece normal: median = amount, 5th and 95th
                 * percentiles = low and high exactly. */
                double z = gsl_ran_gaussian(rng, 1.0);
                amount += z * (z < 0 ? f->amount - f->low : f->high - f->amount) / z95;
                if (f->low >= 0 && amount < 0) amount = 0;
            }
            if (f->kind == WW_ECON_COST)
                pvc += amount * pv_unit[i];
            else
                pvb += amount * pv_unit[i];
        }
        pvb *= ratio;
        if (pvb - pvc > 0) positive++;
        if (pvc > 0) bcr[n_bcr++] = pvb / pvc;
    }
    r->mc.p_npv_positive = (double)positive / (double)p->draws;
    if (n_bcr) {
        gsl_sort(bcr, 1, n_bcr);
        r->mc.bcr_p5 = gsl_stats_quantile_from_sorted_data(bcr, 1, n_bcr, 0.05);
        r->mc.bcr_p50 = gsl_stats_quantile_from_sorted_data(bcr, 1, n_bcr, 0.50);
        r->mc.bcr_p95 = gsl_stats_quantile_from_sorted_data(bcr, 1, n_bcr, 0.95);
    }
    if (r->mc.p_npv_positive < WW_ECON_WSIPP_MIN_P)
        error = warn(r,
                     "P(NPV > 0) = %.3f is below 0.75: the case fails WSIPP's benefit-cost test "
                     "(a 75%% chance that benefits exceed costs)",
                     r->mc.p_npv_positive);
done:
    free(bcr);
    gsl_rng_free(rng);
    return error;
}

/* ---- the case -------------------------------------------------------------------- */

int ww_econ_run(ww_econ_result *out, const ww_econ_flow *flows, size_t n, const ww_econ_params *p)
{
    double *df = NULL, *pf = NULL, *pv_unit = NULL;
    size_t *agency_of = NULL;
    unsigned char *mark = NULL, *outside = NULL; /* 1 before the deflator series, 2 after */
    int horizon, error = 0;
    double dw, attr, drop, cum;

    memset(out, 0, sizeof *out);
    out->payback_year = -1;
    if ((error = check_params(p)) < 0) return error;
    for (size_t i = 0; i < n; i++)
        if ((error = check_flow(&flows[i])) < 0) return error;

    horizon = p->horizon_years;
    if (horizon == 0) {
        horizon = 1;
        for (size_t i = 0; i < n; i++)
            if (flows[i].last_year >= horizon) horizon = flows[i].last_year + 1;
        if (horizon > WW_ECON_MAX_HORIZON) horizon = WW_ECON_MAX_HORIZON;
    }

    df = malloc((size_t)horizon * sizeof *df);
    pf = malloc((n ? n : 1) * sizeof *pf);
    pv_unit = calloc(n ? n : 1, sizeof *pv_unit);
    agency_of = malloc((n ? n : 1) * sizeof *agency_of);
    mark = calloc(n ? n : 1, 1);
    outside = calloc(n ? n : 1, 1);
    out->years = calloc((size_t)horizon, sizeof *out->years);
    out->agencies = calloc(n ? n : 1, sizeof *out->agencies);
    if (!df || !pf || !pv_unit || !agency_of || !mark || !outside || !out->years || !out->agencies)
        goto oom;
    out->n_years = horizon;
    if ((error = ww_econ_discount_factors(df, horizon, p->schedule)) < 0) goto done;
    for (int t = 0; t < horizon; t++) {
        out->years[t].year = t;
        out->years[t].discount_factor = df[t];
    }

    /* Price factors. An amount with no price year, or one before the series
     * starts, is used as it stands; one after the series ends is carried at
     * the series' last year (both warned below). */
    for (size_t i = 0; i < n; i++) {
        int carried = 0;
        pf[i] = 1.0;
        if (flows[i].price_year < 0) continue;
        if (p->deflator->n_points && flows[i].price_year < p->deflator->points[0].year) {
            outside[i] = 1;
            continue;
        }
        if ((error =
                 ww_econ_price_factor_carried(&pf[i], &carried, p->deflator, flows[i].price_year,
                                              flows[i].financial_year, p->price_base)) < 0) {
            /* The detail is copied out first: ww__error() formats into the
             * buffer ww_error_last() points to, and reading it while
             * writing it is undefined behaviour (a garbled message). */
            char why[512];
            snprintf(why, sizeof why, "%s", ww_error_last());
            error = ww__error(WW_EDATA, "%s: price_year: %s", flows[i].where, why);
            goto done;
        }
        if (carried) outside[i] = 2;
    }

    /* The agency matrix, in order of first appearance. */
    for (size_t i = 0; i < n; i++) {
        size_t a;
        for (a = 0; a < out->n_agencies; a++)
            if (same_text(out->agencies[a].agency, flows[i].agency)) break;
        if (a == out->n_agencies) {
            ww_econ_agency *ag = &out->agencies[out->n_agencies++];
            ag->agency = flows[i].agency;
            ag->costs = calloc((size_t)horizon, sizeof *ag->costs);
            ag->benefits = calloc((size_t)horizon, sizeof *ag->benefits);
            if (!ag->costs || !ag->benefits) goto oom;
        }
        agency_of[i] = a;
    }

    dw = p->deadweight_pct / 100.0;
    attr = p->attribution_pct / 100.0;
    drop = p->dropoff_pct / 100.0;
    for (size_t i = 0; i < n; i++) {
        const ww_econ_flow *f = &flows[i];
        ww_econ_agency *ag = &out->agencies[agency_of[i]];
        double ob = p->optimism_bias ? ww_econ_optimism_bias_pct(f->confidence) / 100.0 : 0.0;
        double adj = f->kind == WW_ECON_COST ? 1.0 + ob : (1.0 - ob) * (1.0 - dw) * (1.0 - attr);
        int last = f->last_year < horizon ? f->last_year : horizon - 1;
        double pv;
        for (int t = f->first_year; t <= last; t++) {
            double unit = pf[i] * adj * (double)p->participants, real;
            if (f->kind == WW_ECON_BENEFIT && drop > 0) unit *= pow(1.0 - drop, t - f->first_year);
            real = f->amount * unit;
            pv_unit[i] += unit * df[t];
            if (f->kind == WW_ECON_COST) {
                out->years[t].costs += real;
                ag->costs[t] += real;
            } else {
                out->years[t].benefits += real;
                ag->benefits[t] += real;
            }
        }
        pv = f->amount * pv_unit[i];
        if (f->kind == WW_ECON_COST) {
            out->pv_costs += pv;
            ag->pv_costs += pv;
        } else {
            out->pv_benefits += pv;
            ag->pv_benefits += pv;
        }
    }
    for (size_t a = 0; a < out->n_agencies; a++)
        out->agencies[a].net = out->agencies[a].pv_benefits - out->agencies[a].pv_costs;
    out->npv = out->pv_benefits - out->pv_costs;
    out->bcr = out->pv_costs > 0 ? out->pv_benefits / out->pv_costs : NAN;
    out->roi = out->pv_costs > 0 ? out->npv / out->pv_costs : NAN;

    /* Payback: the first year the cumulative discounted net reaches zero.
     * The tolerance absorbs rounding in a case that breaks even exactly. */
    cum = 0;
    for (int t = 0; t < horizon; t++) {
        cum += (out->years[t].benefits - out->years[t].costs) * df[t];
        if (cum >= -1e-9 * fmax(1.0, out->pv_costs + fabs(out->pv_benefits))) {
            out->payback_year = t;
            break;
        }
    }

    /* Warnings about the numbers. */
    if (out->pv_costs <= 0) {
        if ((error = warn(
                 out, "PV of costs is zero: BCR and ROI are undefined (null); read the NPV")) < 0)
            goto done;
    } else if (out->pv_costs < ECON_NEAR_ZERO_SHARE * fabs(out->pv_benefits)) {
        if ((error = warn(out,
                          "the BCR (%.1f) rests on a near-zero denominator: PV costs (%.2f) are "
                          "under 1%% of PV benefits (%.2f); read the NPV",
                          out->bcr, out->pv_costs, out->pv_benefits)) < 0)
            goto done;
    }

    /* Warnings about the inputs. */
    for (size_t i = 0; i < n; i++)
        mark[i] = flows[i].price_year >= 0 && !outside[i] &&
                  p->price_base - flows[i].price_year > WW_ECON_DATED_YEARS;
    {
        char head[200];
        snprintf(head, sizeof head,
                 "dated unit costs, more than %d years older than the %d price base and uprated "
                 "by the GDP deflator alone (look for newer figures): ",
                 WW_ECON_DATED_YEARS, p->price_base);
        if ((error = warn_marked(out, flows, n, mark, 1, head, "")) < 0) goto done;
    }
    for (size_t i = 0; i < n; i++) mark[i] = flows[i].price_year < 0;
    if ((error = warn_marked(out, flows, n, mark, 0, "price year unknown for ",
                             ": amounts taken as already in price-base prices, not deflated")) < 0)
        goto done;
    if (p->deflator->n_points) {
        const ww_econ_deflator *d = p->deflator;
        int first = d->points[0].year, last = d->points[d->n_points - 1].year;
        char head[512], tail[512];
        const char *edition = d->edition ? d->edition : d->source_id ? d->source_id : "no edition";
        for (size_t i = 0; i < n; i++) mark[i] = outside[i] == 2;
        snprintf(head, sizeof head, "priced after the deflator series ends in %d (%s): ", last,
                 edition);
        snprintf(tail, sizeof tail,
                 ": carried at %d prices, i.e. no inflation after %d is assumed; a newer HM "
                 "Treasury series would deflate them",
                 last, last);
        if ((error = warn_marked(out, flows, n, mark, 1, head, tail)) < 0) goto done;
        for (size_t i = 0; i < n; i++) mark[i] = outside[i] == 1;
        snprintf(head, sizeof head, "priced before the deflator series starts in %d (%s): ", first,
                 edition);
        if ((error = warn_marked(out, flows, n, mark, 1, head,
                                 ": used as they stand, not deflated")) < 0)
            goto done;
    }
    for (size_t i = 0; i < n; i++) mark[i] = flows[i].first_year >= horizon;
    if ((error = warn_marked(out, flows, n, mark, 0, "",
                             ": starts after the horizon; not counted")) < 0)
        goto done;
    for (size_t i = 0; i < n; i++)
        mark[i] = flows[i].first_year < horizon && flows[i].last_year >= horizon;
    if ((error = warn_marked(out, flows, n, mark, 0, "",
                             ": runs past the horizon; later years not counted")) < 0)
        goto done;
    if (p->optimism_bias) {
        for (size_t i = 0; i < n; i++) mark[i] = flows[i].confidence < 0;
        if ((error = warn_marked(out, flows, n, mark, 0, "no confidence grade for ",
                                 ": optimism bias used grade 6 (the lowest) for them")) < 0)
            goto done;
    }
    if ((error = warn_double_counting(out, flows, n)) < 0) goto done;

    error = monte_carlo(out, flows, n, pv_unit, p);
    goto done;
oom:
    error = ww__error_oom();
done:
    free(df);
    free(pf);
    free(pv_unit);
    free(agency_of);
    free(mark);
    free(outside);
    return error;
}
