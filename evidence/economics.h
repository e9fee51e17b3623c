/*
 * economics.h — the business-case engine (DESIGN.md 6.4): cost and benefit
 * flows per agency per year, put on one price base with a GDP deflator
 * series, adjusted (optimism bias, deadweight, attribution, drop-off),
 * discounted on a declining schedule, and summed into PV costs, PV benefits,
 * NPV, BCR, ROI, payback year and the who-pays / who-gains matrix by agency;
 * then a seeded Monte Carlo over the pooled effect's uncertainty and each
 * flow's 90% range gives P(NPV > 0) and BCR percentiles.
 *
 * Pure functions over plain structs: no I/O, no database, no global state.
 * The caller supplies the discount schedule and the deflator series (the
 * query layer reads them from data/discount_schedules.csv and
 * data/deflators.csv, each row with its source id). Random numbers and
 * quantiles come from GSL (gsl_rng_mt19937, gsl_ran_gaussian,
 * gsl_stats_quantile_from_sorted_data).
 *
 * Conventions: functions return 0 or a negative ww_error code and set the
 * thread's last error; out-parameters come first. Years are counted from
 * 0, the first year of delivery; amounts are per participant per year.
 * docs/case.md states every formula and every parameter's source.
 */
#ifndef WW_EVIDENCE_ECONOMICS_H
#define WW_EVIDENCE_ECONOMICS_H

#include <stddef.h>

/* The version of the rules below; printed with every business case so a
 * number can be traced to the method that made it. */
#define WW_ECON_RULES_VERSION "whatworks/economics/1"

/* The longest horizon accepted, in years (the Green Book schedule's last
 * band, 301+, is open-ended; no appraisal needs a millennium). */
#define WW_ECON_MAX_HORIZON 1000
/* The most Monte Carlo draws accepted (each keeps one double for the BCR
 * percentiles: 80 MB at the cap). */
#define WW_ECON_MAX_DRAWS 10000000L
/* Unit costs priced more than this many years before the price base are
 * flagged as dated (the threshold). */
#define WW_ECON_DATED_YEARS 10
/* WSIPP's benefit-cost test: at least a 75% chance of a positive NPV
 * (WSIPP/EBPI, Updated Inventory of Evidence-Based, Research-Based, and
 * Promising Practices, 2017-2019 editions). */
#define WW_ECON_WSIPP_MIN_P 0.75

/* ---- flows --------------------------------------------------------------- */

typedef enum ww_econ_kind {
    WW_ECON_COST = 0,   /* money an agency spends; never negative */
    WW_ECON_BENEFIT = 1 /* a saving or value an agency (or person) gains; a
                         * negative benefit is a dis-benefit */
} ww_econ_kind;

/* The Greater Manchester CBA model's three kinds of value (HM Treasury &
 * PSTN, Supporting public service transformation: CBA guidance for local
 * partnerships, April 2014): fiscal (to public budgets), economic (to
 * individuals and businesses), social (health, wellbeing). Used to spot a
 * benefit counted under two of them. */
typedef enum ww_econ_value {
    WW_ECON_FISCAL = 0,
    WW_ECON_ECONOMIC = 1,
    WW_ECON_SOCIAL = 2
} ww_econ_value;

/* "cost"/"benefit", "fiscal"/"economic"/"social"; NULL when out of range. */
const char *ww_econ_kind_name(ww_econ_kind k);
const char *ww_econ_value_name(ww_econ_value v);
/* Parse those names (case-insensitive). 0, or WW_EDATA for anything else. */
int ww_econ_kind_parse(ww_econ_kind *out, const char *name);
int ww_econ_value_parse(ww_econ_value *out, const char *name);

/* One stream of money per participant per year, years first..last
 * inclusive. Strings are borrowed and must outlive the call. */
typedef struct ww_econ_flow {
    const char *agency; /* who pays (a cost) or gains (a benefit) */
    ww_econ_kind kind;
    ww_econ_value value_type;  /* fiscal unless said otherwise */
    int first_year, last_year; /* 0 = first year of delivery; last >= first */
    double amount;             /* per participant per year, in price_year prices */
    int price_year;            /* a calendar year; -1 when unknown (not deflated) */
    int financial_year;        /* 1: price_year is the first year of a UK
                                  financial year, e.g. 2008 for 2008/09 */
    int confidence;            /* data-confidence grade 1 (best) .. 6; -1 unknown */
    double low, high;          /* a 90% range for amount; NAN when none */
    const char *item;          /* what the flow is, or NULL; two benefits with
                                  the same item are flagged as double counting */
    const char *where;         /* where it came from, for warnings, e.g.
                                  "flows.csv:3"; never NULL */
} ww_econ_flow;

/* ---- price base and discounting -------------------------------------------- */

/* One band of a discount schedule: rate_pct applies to years from_year ..
 * to_year inclusive; to_year -1 means "and every later year". */
typedef struct ww_econ_band {
    int from_year, to_year;
    double rate_pct;
} ww_econ_band;

/* A discount schedule: bands in order, starting at year 0, without gaps. */
typedef struct ww_econ_schedule {
    const char *name;      /* "greenbook", "health", "flat:3.5" */
    const char *source_id; /* the source of the rates, e.g. "GB2003_T6.1" */
    const ww_econ_band *bands;
    size_t n_bands;
} ww_econ_schedule;

/* The discount rate (percent) that applies in year `year` (>= 0).
 * @return 0, or WW_EUSAGE when no band covers the year */
int ww_econ_rate_pct(double *out, const ww_econ_schedule *s, int year);

/*
 * Discount factors for years 0 .. n_years-1: df[0] = 1 (year 0 is not
 * discounted) and df[t] = df[t-1] / (1 + r_t/100), r_t being the rate of
 * the band holding year t — the product over years 1..t, as the Green Book
 * chains its declining long-term rates (2003 edition, Annex 6, Table 6.1).
 * @param[out] df  n_years values
 * @return 0, WW_EUSAGE (a year no band covers, a rate <= -100%)
 */
int ww_econ_discount_factors(double *df, int n_years, const ww_econ_schedule *s);

/* One point of a price index. */
typedef struct ww_econ_index_point {
    int year;
    double index;
} ww_econ_index_point;

/* A calendar-year price index series (a GDP deflator), years ascending and
 * consecutive. */
typedef struct ww_econ_deflator {
    const char *source_id; /* e.g. "HMT_GDPDEF_DEC2025" */
    int base_year;         /* the year whose index is 100 */
    const ww_econ_index_point *points;
    size_t n_points;
    const char *edition; /* the release it is, e.g. "HM Treasury GDP deflators ...,
                            December 2025"; NULL when not known */
} ww_econ_deflator;

/*
 * The factor that turns an amount in price_year prices into price_base
 * prices: index(price_base) / index(price_year). A UK financial year
 * (financial_year = 1, e.g. 2008 for 2008/09: April 2008 to March 2009) has
 * no series of its own here, so its index is taken as 3/4 of calendar year
 * price_year's plus 1/4 of the next year's (nine months fall in the first).
 * @return 0, or WW_EDATA when a year needed is outside the series
 */
int ww_econ_price_factor(double *out, const ww_econ_deflator *d, int price_year, int financial_year,
                         int price_base);

/*
 * As ww_econ_price_factor(), but a price year after the series' last year
 * (or a financial year reaching past it) is carried at the last year's
 * index: no inflation is assumed beyond the series, and *carried is set to
 * 1 so the caller can say so. A newer series replaces the carrying. A price
 * year before the series' first year is still WW_EDATA.
 * @param[out] carried  1 when the last year's index stood in; else 0
 * @return 0, or WW_EDATA (a price year before the series, a price base
 *         outside it)
 */
int ww_econ_price_factor_carried(double *out, int *carried, const ww_econ_deflator *d,
                                 int price_year, int financial_year, int price_base);

/*
 * The optimism-bias adjustment (percent) for a data-confidence grade 1..6:
 * 0, 5, 10, 15, 25, 40. These are the figures the project's research notes
 * recall for the confidence-grading table of the 2014 CBA guidance for
 * local partnerships; they were NOT verified against the document
 * (../shared/data/economics/GAPS.md), so they are this project's choice and
 * the adjustment is off unless asked for. An unknown grade (-1) takes grade
 * 6's figure: unknown confidence is treated as the lowest.
 */
double ww_econ_optimism_bias_pct(int grade);

/* ---- the business case ------------------------------------------------------- */

typedef struct ww_econ_params {
    long participants; /* >= 1: every total is for this many */
    int horizon_years; /* years 0 .. horizon-1; 0: up to the last
                          year of any flow */
    int price_base;    /* the calendar year all amounts are put in */
    const ww_econ_schedule *schedule;
    const ww_econ_deflator *deflator;
    int optimism_bias;      /* 1: costs up, benefits down by the grade's % */
    double deadweight_pct;  /* % of each benefit that would have happened anyway */
    double attribution_pct; /* % of each benefit owed to others (SROI sense) */
    double dropoff_pct;     /* % by which a benefit falls each year after
                               its first */
    long draws;             /* Monte Carlo draws; 0: none */
    unsigned long seed;     /* gsl_rng_set(mt19937, seed): low 32 bits; 0 means 4357 */
    double effect_estimate; /* the pooled effect the benefits assume (SMD,
                               positive = beneficial); NAN when none */
    double effect_se;       /* its standard error; NAN when none */
} ww_econ_params;

/* One year of the case, for all participants: real (price-base, adjusted,
 * undiscounted) money, and the factor that discounts it. */
typedef struct ww_econ_year {
    int year;
    double costs, benefits, discount_factor;
} ww_econ_year;

/* One agency's part: PV costs, PV benefits, net = benefits - costs, and its
 * real undiscounted costs and benefits in each year (n_years values). */
typedef struct ww_econ_agency {
    const char *agency; /* the spelling first met; borrowed from the flows */
    double pv_costs, pv_benefits, net;
    double *costs, *benefits;
} ww_econ_agency;

typedef struct ww_econ_mc {
    long draws; /* 0 when the simulation did not run */
    unsigned long seed;
    double p_npv_positive;           /* share of draws with NPV > 0 */
    double bcr_p5, bcr_p50, bcr_p95; /* NAN when no draw had PV costs > 0 */
    int effect_drawn;                /* 1 when benefits were scaled by effect draws */
    size_t ranged_flows;             /* flows drawn from their 90% range */
} ww_econ_mc;

typedef struct ww_econ_result {
    double pv_costs, pv_benefits, npv;
    double bcr, roi;  /* NAN when PV costs are zero */
    int payback_year; /* first year the cumulative discounted net is
                         >= 0; -1 when none within the horizon */
    ww_econ_year *years;
    int n_years;
    ww_econ_agency *agencies;
    size_t n_agencies;
    ww_econ_mc mc;
    char **warnings; /* plain English, one problem each */
    size_t n_warnings;
} ww_econ_result;

/*
 * Run a business case. Each flow is deflated to p->price_base, adjusted
 * (costs x (1 + OB); benefits x (1 - OB) x (1 - deadweight) x
 * (1 - attribution) x (1 - drop-off)^(t - first_year)), multiplied by the
 * participants and discounted with p->schedule; flows past the horizon are
 * cut there. The Monte Carlo draws, per draw, one effect ratio
 * 1 + se/estimate x Z (the pooled effect relative to its point estimate,
 * normal) that scales every benefit, and for each flow with a range one
 * amount from a two-piece normal whose median is the amount and whose 5th
 * and 95th percentiles are low and high (clipped at 0 when low >= 0).
 * Warnings: BCR on a zero or near-zero denominator (PV costs under 1% of PV
 * benefits), amounts priced more than WW_ECON_DATED_YEARS before the base,
 * the same benefit counted twice, flows cut by the horizon, an unknown price
 * year, a price year after the deflator series (carried at its last year,
 * ww_econ_price_factor_carried()) or before it (not deflated), an effect
 * that cannot scale benefits, and P(NPV > 0) below WSIPP's 75%.
 * @param[out] out  release with ww_econ_result_free(), also after an error
 * @return 0, WW_EUSAGE (bad parameters), WW_EDATA (a bad flow, a price base
 *         outside the deflator series), WW_ENOMEM
 */
int ww_econ_run(ww_econ_result *out, const ww_econ_flow *flows, size_t n_flows,
                const ww_econ_params *p);

/* Free what ww_econ_run() allocated; the struct is zeroed. NULL is a no-op. */
void ww_econ_result_free(ww_econ_result *r);

#endif
