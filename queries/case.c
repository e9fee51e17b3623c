/*
 * case.c — business cases (`whatworks case`, DESIGN.md 6.4): turning a
 * stored intervention (its cost per participant, benefit streams and pooled
 * effect, read through repo/costs.h) or a flows CSV into the flows the
 * economics engine (evidence/economics.h) computes on, with the bundled
 * reference data (data/deflators.csv and data/discount_schedules.csv,
 * compiled into the library), and writing the result as the versioned JSON
 * "whatworks/case/1", CSV (one row per agency per year) or a table that
 * shows who pays and who gains. docs/case.md describes the method and the
 * JSON.
 *
 * A flow may name a stored unit cost (column unit_cost, e.g. "SS15.0", read
 * through repo/costs.h from the table the unit-cost importers fill) instead
 * of giving its amount, price year and agency: the case then says which
 * rows it used, from which dataset, sheet and cell.
 *
 * A flows CSV is untrusted input: it is read by the one CSV reader
 * (importers/csv_util.h: strict RFC 4180, each row with its line), capped in
 * size, checked for UTF-8, and every bad cell is reported as FILE:LINE:
 * column: problem before anything is computed, so a spreadsheet can be fixed
 * in one pass. The bundled reference data are read once per process.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <pthread.h>

#include "../evidence/economics.h"
#include "../importers/csv_util.h"
#include "../repo/costs.h"
#include "queries_int.h"

/* The bundled reference data (scripts/embed.sh). */
extern const unsigned char ww__embedded_deflators_csv[];
extern const size_t ww__embedded_deflators_csv_len;
extern const unsigned char ww__embedded_discount_schedules_csv[];
extern const size_t ww__embedded_discount_schedules_csv_len;

/* A flows file larger than this is refused: a business case is small, and
 * an unbounded read of untrusted input is not. */
#define CASE_MAX_FILE_BYTES (16u << 20)
#define CASE_MAX_FLOWS 100000
/* WSIPP runs 10,000 draws (Benefit-Cost Technical Documentation, Dec 2023). */
#define CASE_DEFAULT_DRAWS 10000
#define CASE_SCHEMA "whatworks/case/1"

static const char optimism_bias_source[] =
    "unverified: the grade 1-6 percentages the project's research notes recall for the "
    "confidence-grading table of HM Treasury & PSTN (2014) 'Supporting public service "
    "transformation: cost benefit analysis guidance for local partnerships'; not found in "
    "a stored copy (../shared/data/economics/GAPS.md), so this project's choice, off by "
    "default";
static const char range_distribution[] =
    "two-piece normal: median = amount, 5th and 95th percentiles = low and high; clipped at 0 "
    "when low >= 0";
static const char effect_distribution[] =
    "every benefit x (1 + Z x se / estimate), Z standard normal, one Z per draw";
static const char financial_year_rule[] =
    "a UK financial year's index = 3/4 x its first calendar year + 1/4 x the next";

/* A stored unit cost a flow used. */
typedef struct case_unit {
    ww_unit_cost_row row;
    ww_econ_value value_type;
    double value;
    const char *price_year;
    const char *first_where; /* the first flow that used it */
    size_t uses;
} case_unit;

struct ww_case_result {
    ww_arena *arena;
    ww_diags *diags;
    int have_case;

    const char *subject_kind; /* "intervention" or "flows" */
    const char *subject;      /* slug or path */
    const char *name;         /* intervention name; NULL for flows */
    int is_example;

    const ww_econ_index_point *index; /* the shared reference data */
    ww_econ_deflator deflator;
    ww_econ_schedule schedule;
    ww_econ_params params;
    ww_econ_flow *flows;
    size_t n_flows;

    int have_effect;
    const char *effect_source; /* "synthesis" or "option" */
    const char *effect_domain, *effect_method;
    int effect_k;

    ww_econ_result econ;
    ww_case_summary summary;
    ww_case_agency *agencies;
    const char **warnings;
    size_t n_warnings;
    const char **pre_warnings; /* from reading the inputs; before the engine's */
    size_t n_pre_warnings, pre_alloc;

    ww_db *db;              /* where flows' unit costs are looked up; NULL: none */
    const char **flow_unit; /* per flow: the unit cost's code, or NULL */
    case_unit *units;       /* each unit cost used, once per code and value type */
    size_t n_units, units_alloc;
};

/* ---- the bundled reference data ---------------------------------------------- */

/* data/deflators.csv and data/discount_schedules.csv are read once per
 * process, on first use (pthread_once), and never change after: every case
 * on every thread shares them read-only. */
typedef struct case_reference {
    int error; /* 0, or why reading them failed (then for good) */
    char message[256];
    ww_csv_doc *deflators, *schedules; /* the text the strings point into */
    ww_econ_index_point *index;
    ww_econ_deflator deflator;
    /* the "standard" (greenbook) and "health" schedules */
    ww_econ_band *bands[2];
    size_t n_bands[2];
    const char *source_id[2];
} case_reference;

static pthread_once_t reference_once = PTHREAD_ONCE_INIT;
static case_reference reference;
static const char *const schedule_keys[2] = {"standard", "health"};

static int embedded_doc(ww_csv_doc **d, const unsigned char *data, size_t len, const char *name,
                        const char *const *columns, size_t n_columns, long *cols)
{
    ww_diags *diags = NULL;
    int error;
    if ((error = ww_diags__new(&diags)) < 0) return error;
    error = ww_csv__read_doc(d, data, len, 4096, 0, name, diags);
    if (error == WW_EDATA || (error == 0 && (*d)->n < 2))
        error = ww__error(WW_ERROR, "bundled %s cannot be read", name);
    for (size_t c = 0; error == 0 && c < n_columns; c++)
        if ((cols[c] = ww_csv__find_column(&(*d)->records[0], columns[c])) < 0)
            error = ww__error(WW_ERROR, "bundled %s has no column %s", name, columns[c]);
    ww_diags__free(diags);
    return error;
}

static int embedded_int(long *out, const ww_csv_record *row, long col, const char *name)
{
    if (ww__parse_long(out, ww_csv__cell(row, col)) < 0)
        return ww__error(WW_ERROR, "bundled %s, line %ld: not a whole number", name, row->line);
    return 0;
}

static int embedded_double(double *out, const ww_csv_record *row, long col, const char *name)
{
    if (ww__parse_double(out, ww_csv__cell(row, col)) < 0)
        return ww__error(WW_ERROR, "bundled %s, line %ld: not a number", name, row->line);
    return 0;
}

/* data/deflators.csv: "# edition: ..." comment lines naming the release,
 * then year,index,base_year,source_id (HMT_GDPDEF_DEC2025). The edition is
 * what a newer HM Treasury series changes, with the rows. */
static int load_deflator(case_reference *ref)
{
    static const char *const columns[] = {"year", "index", "base_year", "source_id"};
    static const char name[] = "data/deflators.csv";
    const unsigned char *data = ww__embedded_deflators_csv;
    size_t len = ww__embedded_deflators_csv_len;
    ww_csv_doc *d;
    long cols[4];
    int error;

    while (len && data[0] == '#') {
        const unsigned char *nl = memchr(data, '\n', len);
        size_t line = nl ? (size_t)(nl - data) + 1 : len;
        static const char key[] = "# edition:";
        if (line > sizeof key - 1 && memcmp(data, key, sizeof key - 1) == 0) {
            size_t a = sizeof key - 1, b = line;
            while (a < b && (data[a] == ' ' || data[a] == '\t')) a++;
            while (b > a && (data[b - 1] == '\n' || data[b - 1] == '\r' || data[b - 1] == ' ')) b--;
            /* kept for the process, as the rest of the reference data */
            if (!(ref->deflator.edition = strndup((const char *)data + a, b - a)))
                return ww__error_oom();
        }
        data += line;
        len -= line;
    }
    if ((error = embedded_doc(&ref->deflators, data, len, name, columns, 4, cols)) < 0)
        return error;
    d = ref->deflators;
    if (!(ref->index = calloc(d->n - 1, sizeof *ref->index))) return ww__error_oom();
    for (size_t r = 1; r < d->n; r++) {
        long year, base;
        if ((error = embedded_int(&year, &d->records[r], cols[0], name)) < 0 ||
            (error = embedded_double(&ref->index[r - 1].index, &d->records[r], cols[1], name)) <
                0 ||
            (error = embedded_int(&base, &d->records[r], cols[2], name)) < 0)
            return error;
        ref->index[r - 1].year = (int)year;
        ref->deflator.base_year = (int)base;
        ref->deflator.source_id = ww_csv__cell(&d->records[r], cols[3]);
    }
    ref->deflator.points = ref->index;
    ref->deflator.n_points = d->n - 1;
    return 0;
}

/* data/discount_schedules.csv: schedule,from_year,to_year,rate_pct,source_id;
 * its "standard" and "health" schedules. */
static int load_schedules(case_reference *ref)
{
    static const char *const columns[] = {"schedule", "from_year", "to_year", "rate_pct",
                                          "source_id"};
    static const char name[] = "data/discount_schedules.csv";
    ww_csv_doc *d;
    long cols[5];
    int error;

    if ((error = embedded_doc(&ref->schedules, ww__embedded_discount_schedules_csv,
                              ww__embedded_discount_schedules_csv_len, name, columns, 5, cols)) < 0)
        return error;
    d = ref->schedules;
    for (int s = 0; s < 2; s++) {
        size_t n = 0;
        if (!(ref->bands[s] = calloc(d->n, sizeof *ref->bands[s]))) return ww__error_oom();
        for (size_t r = 1; r < d->n; r++) {
            const ww_csv_record *row = &d->records[r];
            long from, to = -1;
            if (strcmp(ww_csv__cell(row, cols[0]), schedule_keys[s]) != 0) continue;
            if ((error = embedded_int(&from, row, cols[1], name)) < 0 ||
                (!ww_csv__is_blank(ww_csv__cell(row, cols[2])) &&
                 (error = embedded_int(&to, row, cols[2], name)) < 0) ||
                (error = embedded_double(&ref->bands[s][n].rate_pct, row, cols[3], name)) < 0)
                return error;
            ref->bands[s][n].from_year = (int)from;
            ref->bands[s][n].to_year = (int)to;
            ref->source_id[s] = ww_csv__cell(row, cols[4]);
            n++;
        }
        if (!n)
            return ww__error(WW_ERROR, "bundled %s has no '%s' schedule", name, schedule_keys[s]);
        ref->n_bands[s] = n;
    }
    return 0;
}

static void reference_load(void)
{
    int error;
    if ((error = load_deflator(&reference)) < 0 || (error = load_schedules(&reference)) < 0) {
        reference.error = error;
        snprintf(reference.message, sizeof reference.message, "%s", ww_error_last());
    }
}

/* The reference data, read on the first call. */
static int reference_get(const case_reference **out)
{
    pthread_once(&reference_once, reference_load);
    if (reference.error) return ww__error(reference.error, "%s", reference.message);
    *out = &reference;
    return 0;
}

/* The deflator into res (shared, read-only). */
static int use_deflator(ww_case_result *res)
{
    const case_reference *ref;
    int error;
    if ((error = reference_get(&ref)) < 0) return error;
    res->index = ref->index;
    res->deflator = ref->deflator;
    return 0;
}

/* "greenbook" is the file's "standard" schedule (GB2003_T6.1), "health" its
 * "health" schedule (GREENBOOK_RPKG); "flat:RATE" is the user's. */
static int load_schedule(ww_case_result *res, const char *spec)
{
    const case_reference *ref;
    int which, error;

    if (!spec || strcasecmp(spec, "greenbook") == 0) {
        spec = "greenbook";
        which = 0;
    } else if (strcasecmp(spec, "health") == 0) {
        spec = "health";
        which = 1;
    } else if (strncasecmp(spec, "flat:", 5) == 0) {
        char num[64];
        size_t len = strlen(spec + 5);
        double rate;
        ww_econ_band *band;
        if (len && spec[5 + len - 1] == '%') len--;
        if (len == 0 || len >= sizeof num)
            return ww__error(WW_EUSAGE,
                             "discount schedule %s: flat:RATE needs a rate in percent, "
                             "e.g. flat:3.5",
                             spec);
        memcpy(num, spec + 5, len);
        num[len] = '\0';
        if (ww__parse_double(&rate, num) < 0 || rate < 0 || rate >= 100)
            return ww__error(WW_EUSAGE,
                             "discount schedule %s: flat:RATE needs a rate in percent "
                             "from 0 to under 100, e.g. flat:3.5",
                             spec);
        if (!(band = ww_arena__alloc(res->arena, sizeof *band))) return ww__error_oom();
        band->from_year = 0;
        band->to_year = -1;
        band->rate_pct = rate;
        res->schedule.name = ww_arena__strdup(res->arena, spec);
        res->schedule.source_id = "user";
        res->schedule.bands = band;
        res->schedule.n_bands = 1;
        return res->schedule.name ? 0 : ww__error_oom();
    } else {
        return ww__error(WW_EUSAGE,
                         "unknown discount schedule '%s' (greenbook, health or flat:RATE)", spec);
    }
    if ((error = reference_get(&ref)) < 0) return error;
    res->schedule.name = spec;
    res->schedule.source_id = ref->source_id[which];
    res->schedule.bands = ref->bands[which];
    res->schedule.n_bands = ref->n_bands[which];
    return 0;
}

/* ---- options ---------------------------------------------------------------- */

static int setup(ww_case_result **out, const ww_case_opts *opts)
{
    ww_case_result *res;
    ww_econ_params *p;
    int error;

    *out = NULL;
    if (!(res = calloc(1, sizeof *res))) return ww__error_oom();
    *out = res;
    if ((error = ww_arena__new(&res->arena)) < 0 || (error = ww_diags__new(&res->diags)) < 0)
        return error;
    if ((error = use_deflator(res)) < 0 ||
        (error = load_schedule(res, opts ? opts->discount_schedule : NULL)) < 0)
        return error;

    p = &res->params;
    p->schedule = &res->schedule;
    p->deflator = &res->deflator;
    p->effect_estimate = p->effect_se = NAN;
    p->participants = 1;
    p->draws = CASE_DEFAULT_DRAWS;
    p->price_base = res->index[res->deflator.n_points - 1].year;
    if (!opts) return 0;
    if (opts->participants < 0)
        return ww__error(WW_EUSAGE, "participants must be at least 1, got %ld", opts->participants);
    if (opts->participants > 0) p->participants = opts->participants;
    if (opts->horizon_years < 0 || opts->horizon_years > WW_ECON_MAX_HORIZON)
        return ww__error(WW_EUSAGE, "horizon must be 1 to %d years, got %d", WW_ECON_MAX_HORIZON,
                         opts->horizon_years);
    p->horizon_years = opts->horizon_years;
    if (opts->price_year) {
        double f;
        if (ww_econ_price_factor(&f, &res->deflator, opts->price_year, 0, opts->price_year) < 0)
            return ww__error(WW_EUSAGE, "--price-year %d is outside the deflator series (%d-%d)",
                             opts->price_year, res->index[0].year,
                             res->index[res->deflator.n_points - 1].year);
        p->price_base = opts->price_year;
    }
    p->optimism_bias = opts->optimism_bias != 0;
    p->deadweight_pct = opts->deadweight_pct;
    p->attribution_pct = opts->attribution_pct;
    p->dropoff_pct = opts->dropoff_pct;
    if (opts->draws < 0)
        p->draws = 0;
    else if (opts->draws > 0)
        p->draws = opts->draws;
    p->seed = opts->seed;
    res->db = opts->db;
    if (opts->have_effect) {
        if (!isfinite(opts->effect_estimate) || !isfinite(opts->effect_se) || opts->effect_se <= 0)
            return ww__error(WW_EUSAGE,
                             "an effect needs a finite estimate and a standard error > 0");
        p->effect_estimate = opts->effect_estimate;
        p->effect_se = opts->effect_se;
        res->have_effect = 1;
        res->effect_source = "option";
    }
    return 0;
}

static int pre_warn(ww_case_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int pre_warn(ww_case_result *res, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *text;
    if (res->n_pre_warnings == res->pre_alloc) {
        size_t na = res->pre_alloc ? 2 * res->pre_alloc : 8;
        const char **p = ww_arena__alloc(res->arena, na * sizeof *p);
        if (!p) return ww__error_oom();
        if (res->n_pre_warnings) memcpy(p, res->pre_warnings, res->n_pre_warnings * sizeof *p);
        res->pre_warnings = p;
        res->pre_alloc = na;
    }
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return ww__error(WW_ERROR, "formatting a warning failed");
    if (!(text = ww_arena__alloc(res->arena, (size_t)n + 1))) return ww__error_oom();
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    res->pre_warnings[res->n_pre_warnings++] = text;
    return 0;
}

/* ---- running the engine ------------------------------------------------------------ */

static int compute(ww_case_result *res)
{
    ww_case_summary *s = &res->summary;
    int error;

    if ((error = ww_econ_run(&res->econ, res->flows, res->n_flows, &res->params)) < 0) return error;
    res->n_warnings = res->n_pre_warnings + res->econ.n_warnings;
    if (!(res->warnings =
              ww_arena__alloc(res->arena, (res->n_warnings + 1) * sizeof *res->warnings)) ||
        !(res->agencies =
              ww_arena__alloc(res->arena, (res->econ.n_agencies + 1) * sizeof *res->agencies)))
        return ww__error_oom();
    for (size_t i = 0; i < res->n_pre_warnings; i++) res->warnings[i] = res->pre_warnings[i];
    for (size_t i = 0; i < res->econ.n_warnings; i++)
        res->warnings[res->n_pre_warnings + i] = res->econ.warnings[i];
    for (size_t a = 0; a < res->econ.n_agencies; a++) {
        res->agencies[a].agency = res->econ.agencies[a].agency;
        res->agencies[a].pv_costs = res->econ.agencies[a].pv_costs;
        res->agencies[a].pv_benefits = res->econ.agencies[a].pv_benefits;
        res->agencies[a].net = res->econ.agencies[a].net;
    }
    s->pv_costs = res->econ.pv_costs;
    s->pv_benefits = res->econ.pv_benefits;
    s->npv = res->econ.npv;
    s->bcr = res->econ.bcr;
    s->roi = res->econ.roi;
    s->payback_year = res->econ.payback_year;
    s->price_year = res->params.price_base;
    s->horizon_years = res->econ.n_years;
    s->participants = res->params.participants;
    s->draws = res->econ.mc.draws;
    s->seed = res->econ.mc.seed;
    s->p_npv_positive = res->econ.mc.p_npv_positive;
    s->bcr_p5 = res->econ.mc.bcr_p5;
    s->bcr_p50 = res->econ.mc.bcr_p50;
    s->bcr_p95 = res->econ.mc.bcr_p95;
    res->have_case = 1;
    return 0;
}

/* ---- a stored intervention ----------------------------------------------------------- */

int ww_case_run(ww_case_result **out, ww_db *db, const char *intervention, const ww_case_opts *opts)
{
    ww_case_result *res = NULL;
    ww_cost_row cost;
    ww_benefit_row *streams = NULL;
    ww_synthesis_row syn;
    size_t n_streams = 0, k = 0;
    int error;

    *out = NULL;
    if (!db) return ww__error(WW_EUSAGE, "no database");
    if (!intervention || !*intervention) return ww__error(WW_EUSAGE, "no intervention named");
    if ((error = setup(&res, opts)) < 0) goto done;
    if ((error = ww_repo__intervention_cost(&cost, db, res->arena, intervention)) < 0 ||
        (error = ww_repo__benefit_streams(&streams, &n_streams, db, res->arena,
                                          cost.intervention_id)) < 0)
        goto done;
    res->subject_kind = "intervention";
    res->subject = cost.slug;
    res->name = cost.name;
    res->is_example = cost.is_example;
    if (cost.is_example &&
        (error = pre_warn(res,
                          "%s is an illustrative example: its costs and benefits are invented, "
                          "not evidence",
                          cost.slug)) < 0)
        goto done;

    if (!res->have_effect) {
        error = ww_repo__pooled_effect(&syn, db, res->arena, cost.intervention_id,
                                       opts ? opts->domain : NULL);
        if (error == 0 && isfinite(syn.estimate) && isfinite(syn.se)) {
            res->have_effect = 1;
            res->effect_source = "synthesis";
            res->effect_domain = syn.domain;
            res->effect_method = syn.method;
            res->effect_k = syn.k;
            res->params.effect_estimate = syn.estimate;
            res->params.effect_se = syn.se;
        } else if (error == WW_ENOTFOUND && !(opts && opts->domain)) {
            ww_error_clear();
            if ((error = pre_warn(res,
                                  "no pooled effect is stored for %s: the simulation does not "
                                  "draw the effect's uncertainty",
                                  cost.slug)) < 0)
                goto done;
        } else if (error < 0) {
            goto done;
        }
    }

    if (!(res->flows = ww_arena__alloc(res->arena, (n_streams + 1) * sizeof *res->flows))) {
        error = ww__error_oom();
        goto done;
    }
    if (isfinite(cost.per_participant)) {
        ww_econ_flow *f = &res->flows[k++];
        f->agency = cost.payer && *cost.payer ? cost.payer : "payer not stored";
        f->kind = WW_ECON_COST;
        f->value_type = WW_ECON_FISCAL;
        f->first_year = f->last_year = 0;
        f->amount = cost.per_participant;
        f->price_year = cost.price_year;
        f->confidence = -1;
        f->low = f->high = NAN;
        f->item = "cost per participant";
        f->where = "intervention cost_per_participant";
    } else if ((error = pre_warn(res, "no cost per participant is stored for %s: costs are zero",
                                 cost.slug)) < 0) {
        goto done;
    }
    for (size_t i = 0; i < n_streams; i++) {
        const ww_benefit_row *b = &streams[i];
        ww_econ_flow *f = &res->flows[k++];
        f->agency = b->agency;
        f->kind = WW_ECON_BENEFIT;
        f->value_type = WW_ECON_FISCAL;
        f->first_year = b->first_year;
        f->last_year = b->last_year;
        f->amount = b->amount_per_participant_year;
        f->price_year = b->price_year;
        f->confidence = b->confidence >= 1 && b->confidence <= 6 ? b->confidence : -1;
        f->low = f->high = NAN;
        f->item = b->source_text;
        {
            size_t len = strlen(b->source_name) + strlen(b->location) + 2;
            char *w = ww_arena__alloc(res->arena, len);
            if (!w) goto oom;
            snprintf(w, len, "%s %s", b->source_name, b->location);
            f->where = w;
        }
    }
    /* Stored data cannot be fixed by the person asking for a case: a price
     * year after the deflator series is carried at its last year, one before
     * it is used as it stands, and the engine warns of each (keeping the
     * year, so the output shows the year the amount is really in). */
    res->n_flows = k;
    error = compute(res);
    goto done;
oom:
    error = ww__error_oom();
done:
    if (error < 0) {
        ww_case_result_free(res);
        return error;
    }
    *out = res;
    return 0;
}

/* ---- a flows CSV ----------------------------------------------------------------------- */

enum {
    COL_AGENCY,
    COL_KIND,
    COL_FIRST,
    COL_LAST,
    COL_AMOUNT,
    COL_PRICE_YEAR,
    COL_CONFIDENCE,
    COL_LOW,
    COL_HIGH,
    COL_VALUE_TYPE,
    COL_ITEM,
    COL_UNIT_COST,
    COL_QUANTITY,
    N_COLS
};
static const char *const col_names[N_COLS] = {
    "agency", "kind", "first_year", "last_year", "amount",    "price_year", "confidence",
    "low",    "high", "value_type", "item",      "unit_cost", "quantity"};
#define N_REQUIRED 7

typedef struct flow_reader {
    ww_case_result *res;
    const char *path;
    const ww_csv_record *row;
    int rc; /* sticky: WW_ENOMEM once adding a diagnostic failed */
    int bad;
} flow_reader;

static void problem(flow_reader *fr, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(flow_reader *fr, const char *column, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    fr->bad = 1;
    if (fr->rc < 0) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fr->rc = ww_diags__add(fr->res->diags, 0, fr->path, fr->row->line, column, "%s", msg);
}

/* The cell without surrounding spaces, in the arena; NULL on OOM. */
static const char *trimmed(flow_reader *fr, const char *s)
{
    size_t n;
    char *t;
    while (*s == ' ' || *s == '\t') s++;
    n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (!(t = ww_arena__strndup(fr->res->arena, s, n))) fr->rc = ww__error_oom();
    return t;
}

static int read_year(flow_reader *fr, int *out, const char *s, const char *column)
{
    long v;
    if (ww_csv__is_blank(s)) {
        problem(fr, column, "empty; a year counted from 0 (the first year) is needed");
        return -1;
    }
    if (ww__parse_long(&v, s) < 0) {
        problem(fr, column, "not a whole number: '%s'", s);
        return -1;
    }
    if (v < 0 || v >= WW_ECON_MAX_HORIZON) {
        problem(fr, column, "must be 0 to %d, got %ld", WW_ECON_MAX_HORIZON - 1, v);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int read_amount(flow_reader *fr, double *out, const char *s, const char *column)
{
    if (ww_csv__is_blank(s)) {
        problem(fr, column, "empty; a number is needed");
        return -1;
    }
    if (ww__parse_double(out, s) < 0) {
        problem(fr, column, "not a number: '%s'", s);
        return -1;
    }
    return 0;
}

/* The calendar year now (UTC). */
static int this_year(void)
{
    time_t now = time(NULL);
    struct tm tm;
    if (now == (time_t)-1 || !gmtime_r(&now, &tm)) return 9999;
    return tm.tm_year + 1900;
}

/* "2019" or "2008/09" (a UK financial year, April 2008 to March 2009). */
static void read_price_year(flow_reader *fr, ww_econ_flow *f, const char *s)
{
    const ww_econ_deflator *d = &fr->res->deflator;
    int first = d->points[0].year, last = d->points[d->n_points - 1].year;
    const char *slash;
    long y, next;
    double factor;

    f->financial_year = 0;
    if (ww_csv__is_blank(s)) {
        problem(fr, "price_year", "empty; the year the amount's prices are in is needed");
        return;
    }
    while (*s == ' ' || *s == '\t') s++;
    if ((slash = strchr(s, '/'))) {
        char head[16];
        size_t hl = (size_t)(slash - s);
        if (hl == 0 || hl >= sizeof head || ww__parse_long(&next, slash + 1) < 0 ||
            strlen(slash + 1) != 2) {
            problem(fr, "price_year", "not a year or a financial year like 2008/09: '%s'", s);
            return;
        }
        memcpy(head, s, hl);
        head[hl] = '\0';
        if (ww__parse_long(&y, head) < 0 || (y + 1) % 100 != next) {
            problem(fr, "price_year", "not a year or a financial year like 2008/09: '%s'", s);
            return;
        }
        f->financial_year = 1;
    } else if (ww__parse_long(&y, s) < 0) {
        problem(fr, "price_year", "not a year: '%s'", s);
        return;
    }
    if (y < first) {
        problem(fr, "price_year", "%s is outside the deflator series (%d-%d)", s, first, last);
        return;
    }
    /* After the series: carried at its last year, with a warning (the
     * engine's); after this year: not a price year anyone has seen. */
    if (y > this_year()) {
        problem(fr, "price_year", "%s is after this year (%d): prices are of a year that has been",
                s, this_year());
        return;
    }
    f->price_year = (int)y;
    {
        int carried;
        if (ww_econ_price_factor_carried(&factor, &carried, d, f->price_year, f->financial_year,
                                         fr->res->params.price_base) < 0)
            problem(fr, "price_year", "%s", ww_error_last());
    }
}

/* The stored unit cost a flow names, kept once per code and value type in
 * the result; NULL (with a problem reported) when it cannot be used. */
static const case_unit *use_unit_cost(flow_reader *fr, const char *code, ww_econ_value vt,
                                      const char *where)
{
    ww_case_result *res = fr->res;
    case_unit *u;
    int error;
    for (size_t i = 0; i < res->n_units; i++)
        if (res->units[i].value_type == vt && strcmp(res->units[i].row.code, code) == 0) {
            res->units[i].uses++;
            return &res->units[i];
        }
    if (!res->db) {
        problem(fr, "unit_cost",
                "names unit cost '%s', but no database is open to read it from (import the "
                "unit-cost workbook, then give --db PATH)",
                code);
        return NULL;
    }
    if (res->n_units == res->units_alloc) {
        size_t na = res->units_alloc ? 2 * res->units_alloc : 8;
        case_unit *p = ww_arena__alloc(res->arena, na * sizeof *p);
        if (!p) {
            fr->rc = ww__error_oom();
            return NULL;
        }
        if (res->n_units) memcpy(p, res->units, res->n_units * sizeof *p);
        res->units = p;
        res->units_alloc = na;
    }
    u = &res->units[res->n_units];
    memset(u, 0, sizeof *u);
    error = ww_repo__unit_cost(&u->row, res->db, res->arena, code);
    if (error == WW_ENOTFOUND) {
        ww_error_clear();
        problem(fr, "unit_cost",
                "no unit cost '%s' is stored (import the workbook that holds it, e.g. "
                "`whatworks import GMCA_unit_cost_database_v1.4.xlsx`)",
                code);
        return NULL;
    }
    if (error < 0) {
        fr->rc = error;
        return NULL;
    }
    u->value_type = vt;
    u->value = u->row.value[vt];
    u->price_year = u->row.price_year[vt];
    if (!isfinite(u->value)) {
        problem(fr, "unit_cost", "unit cost %s (%s) has no %s value", code,
                u->row.location ? u->row.location : "", ww_econ_value_name(vt));
        return NULL;
    }
    if (!u->price_year) {
        problem(fr, "unit_cost", "unit cost %s (%s) gives no price year for its %s value", code,
                u->row.location ? u->row.location : "", ww_econ_value_name(vt));
        return NULL;
    }
    u->first_where = where;
    u->uses = 1;
    res->n_units++;
    return u;
}

static void read_flow(flow_reader *fr, ww_econ_flow *f, const char **unit_code, const long *cols)
{
    const ww_csv_record *row = fr->row;
    const case_unit *unit = NULL;
    const char *s, *code;
    char where[64];
    int have_first, have_last, have_amount;

    memset(f, 0, sizeof *f);
    *unit_code = NULL;
    f->low = f->high = NAN;
    f->confidence = -1;
    f->price_year = -1;

    snprintf(where, sizeof where, ":%ld", row->line);
    {
        size_t len = strlen(fr->path) + strlen(where) + 1;
        char *w = ww_arena__alloc(fr->res->arena, len);
        if (!w) {
            fr->rc = ww__error_oom();
            return;
        }
        snprintf(w, len, "%s%s", fr->path, where);
        f->where = w;
    }

    s = ww_csv__cell(row, cols[COL_VALUE_TYPE]);
    f->value_type = WW_ECON_FISCAL;
    if (!ww_csv__is_blank(s) && ww_econ_value_parse(&f->value_type, trimmed(fr, s)) < 0)
        problem(fr, "value_type", "must be fiscal, economic or social, got '%s'", s);

    /* A stored unit cost stands in for the amount, price year and agency. */
    code = ww_csv__cell(row, cols[COL_UNIT_COST]);
    if (!ww_csv__is_blank(code)) {
        if (!(code = trimmed(fr, code))) return;
        if ((unit = use_unit_cost(fr, code, f->value_type, f->where))) *unit_code = unit->row.code;
        if (fr->rc < 0) return;
    }

    if (!(f->agency = trimmed(fr, ww_csv__cell(row, cols[COL_AGENCY])))) return;
    if (!*f->agency && unit && unit->row.agency) f->agency = unit->row.agency;
    if (!*f->agency) problem(fr, "agency", "empty; name the agency that pays or gains");

    s = ww_csv__cell(row, cols[COL_KIND]);
    if (ww_econ_kind_parse(&f->kind, trimmed(fr, s)) < 0) {
        if (ww_csv__is_blank(s))
            problem(fr, "kind", "empty; cost or benefit is needed");
        else
            problem(fr, "kind", "must be cost or benefit, got '%s'", s);
    }
    have_first =
        read_year(fr, &f->first_year, ww_csv__cell(row, cols[COL_FIRST]), "first_year") == 0;
    have_last = read_year(fr, &f->last_year, ww_csv__cell(row, cols[COL_LAST]), "last_year") == 0;
    if (have_first && have_last && f->last_year < f->first_year)
        problem(fr, "last_year", "%d is before first_year %d", f->last_year, f->first_year);

    if (!ww_csv__is_blank(code)) {
        double quantity = 1;
        const char *q = ww_csv__cell(row, cols[COL_QUANTITY]);
        have_amount = 0;
        if (!ww_csv__is_blank(ww_csv__cell(row, cols[COL_AMOUNT])))
            problem(fr, "amount",
                    "give an amount or a unit_cost, not both (the unit cost %s gives it)", code);
        if (!ww_csv__is_blank(ww_csv__cell(row, cols[COL_PRICE_YEAR])))
            problem(fr, "price_year", "leave it empty: the unit cost %s gives its price year",
                    code);
        if (!ww_csv__is_blank(q) && (read_amount(fr, &quantity, q, "quantity") < 0 || quantity < 0)) {
            if (quantity < 0) problem(fr, "quantity", "must not be negative, got %s", q);
            quantity = NAN;
        }
        if (unit && isfinite(quantity)) {
            f->amount = quantity * unit->value;
            have_amount = 1;
            read_price_year(fr, f, unit->price_year);
        }
    } else {
        if (!ww_csv__is_blank(ww_csv__cell(row, cols[COL_QUANTITY])))
            problem(fr, "quantity", "a quantity multiplies a unit_cost; this row names none");
        have_amount = read_amount(fr, &f->amount, ww_csv__cell(row, cols[COL_AMOUNT]), "amount") == 0;
        read_price_year(fr, f, ww_csv__cell(row, cols[COL_PRICE_YEAR]));
    }
    if (have_amount && f->kind == WW_ECON_COST && f->amount < 0)
        problem(fr, "amount", "a cost must not be negative, got %s (a saving is kind benefit)",
                ww_csv__cell(row, cols[COL_AMOUNT]));

    s = ww_csv__cell(row, cols[COL_CONFIDENCE]);
    if (!ww_csv__is_blank(s)) {
        long grade;
        if (ww__parse_long(&grade, s) < 0 || grade < 1 || grade > 6)
            problem(fr, "confidence", "must be a grade from 1 to 6, got '%s'", s);
        else
            f->confidence = (int)grade;
    }

    if (cols[COL_LOW] >= 0 || cols[COL_HIGH] >= 0) {
        const char *lo = ww_csv__cell(row, cols[COL_LOW]), *hi = ww_csv__cell(row, cols[COL_HIGH]);
        if (ww_csv__is_blank(lo) != ww_csv__is_blank(hi)) {
            problem(fr, ww_csv__is_blank(lo) ? "low" : "high",
                    "empty; give both ends of the 90%% range or neither");
        } else if (!ww_csv__is_blank(lo)) {
            int ok_low = read_amount(fr, &f->low, lo, "low") == 0;
            int ok_high = read_amount(fr, &f->high, hi, "high") == 0;
            char amount[64];
            if (unit)
                snprintf(amount, sizeof amount, "%g", f->amount);
            else
                snprintf(amount, sizeof amount, "%s", ww_csv__cell(row, cols[COL_AMOUNT]));
            if (ok_low && have_amount && f->low > f->amount)
                problem(fr, "low", "%s is above the amount %s", lo, amount);
            if (ok_high && have_amount && f->high < f->amount)
                problem(fr, "high", "%s is below the amount %s", hi, amount);
            if (ok_low && f->kind == WW_ECON_COST && f->low < 0)
                problem(fr, "low", "a cost must not be negative, got %s", lo);
            if (!ok_low || !ok_high) f->low = f->high = NAN;
        }
    }

    s = ww_csv__cell(row, cols[COL_ITEM]);
    f->item = ww_csv__is_blank(s) ? NULL : trimmed(fr, s);
    if (!f->item && unit) {
        /* "SS15.0: Parenting Programme - median cost ..." */
        const char *d = unit->row.description ? unit->row.description : "";
        size_t len = strlen(code) + strlen(d) + 3;
        char *t = ww_arena__alloc(fr->res->arena, len);
        if (!t) {
            fr->rc = ww__error_oom();
            return;
        }
        snprintf(t, len, "%s: %s", code, d);
        f->item = t;
    }
}

int ww_case_run_flows(ww_case_result **out, const char *csv_path, const ww_case_opts *opts)
{
    ww_case_result *res = NULL;
    unsigned char *buf = NULL;
    size_t len = 0;
    ww_csv_doc *doc = NULL;
    long cols[N_COLS];
    flow_reader fr;
    int error, missing = 0;

    *out = NULL;
    if (!csv_path || !*csv_path) return ww__error(WW_EUSAGE, "no flows file named");
    if ((error = setup(&res, opts)) < 0) goto done;
    if (opts && opts->domain) {
        error = ww__error(WW_EUSAGE, "an outcome domain applies to a stored intervention, not to a "
                                     "flows file (give the effect instead)");
        goto done;
    }
    res->subject_kind = "flows";
    if (!(res->subject = ww_arena__strdup(res->arena, csv_path))) goto oom;
    if ((error = ww_csv__read_file(&buf, &len, csv_path, CASE_MAX_FILE_BYTES)) < 0) {
        if (error == WW_EDATA) {
            /* Too large: report it as a problem in the file, like the rest. */
            if ((error = ww_diags__add(res->diags, 0, csv_path, 1, "file", "larger than %u MiB",
                                       CASE_MAX_FILE_BYTES >> 20)) < 0)
                goto done;
            error = WW_EDATA;
        }
        goto done;
    }
    if ((error = ww_csv__read_doc(&doc, buf, len, CASE_MAX_FILE_BYTES, 0, res->subject,
                                  res->diags)) < 0)
        goto done;
    if (doc->n == 0) {
        if ((error = ww_diags__add(res->diags, 0, res->subject, 1, "file",
                                   "empty; a header row and at least one flow are needed")) < 0)
            goto done;
        error = WW_EDATA;
        goto done;
    }
    for (int c = 0; c < N_COLS; c++) {
        cols[c] = ww_csv__find_column(&doc->records[0], col_names[c]);
        if (c < N_REQUIRED && cols[c] < 0) {
            if ((error =
                     ww_diags__add(res->diags, 0, res->subject, doc->records[0].line, col_names[c],
                                   "missing column (the header needs agency, kind, first_year, "
                                   "last_year, amount, price_year, confidence)")) < 0)
                goto done;
            missing = 1;
        }
    }
    if (missing) {
        error = WW_EDATA;
        goto done;
    }
    if (doc->n < 2) {
        if ((error = ww_diags__add(res->diags, 0, res->subject, doc->records[0].line, "file",
                                   "no flows after the header")) < 0)
            goto done;
        error = WW_EDATA;
        goto done;
    }
    if (doc->n - 1 > CASE_MAX_FLOWS) {
        if ((error =
                 ww_diags__add(res->diags, 0, res->subject, doc->records[CASE_MAX_FLOWS + 1].line,
                               "file", "more than %d flows", CASE_MAX_FLOWS)) < 0)
            goto done;
        error = WW_EDATA;
        goto done;
    }
    if (!(res->flows = ww_arena__alloc(res->arena, (doc->n - 1) * sizeof *res->flows))) goto oom;
    memset(&fr, 0, sizeof fr);
    fr.res = res;
    fr.path = res->subject;
    if (!(res->flow_unit = ww_arena__alloc(res->arena, (doc->n - 1) * sizeof *res->flow_unit)))
        goto oom;
    for (size_t r = 1; r < doc->n && fr.rc == 0; r++) {
        fr.row = &doc->records[r];
        read_flow(&fr, &res->flows[r - 1], &res->flow_unit[r - 1], cols);
    }
    if (fr.rc < 0) {
        error = fr.rc;
        goto done;
    }
    if (fr.bad) {
        const ww_diag *first = ww_diags__get(res->diags, 0);
        error = ww__error(WW_EDATA, "%s:%ld: %s: %s", first->file, first->line, first->field,
                          first->message);
        goto done;
    }
    res->n_flows = doc->n - 1;
    error = compute(res);
    goto done;
oom:
    error = ww__error_oom();
done:
    ww_csv__doc_free(doc);
    free(buf);
    if (error == WW_EDATA && res && ww_diags__count(res->diags) > 0) {
        const ww_diag *first = ww_diags__get(res->diags, 0);
        ww__error(WW_EDATA, "%s:%ld: %s: %s", first->file, first->line, first->field,
                  first->message);
        *out = res;
        return error;
    }
    if (error < 0) {
        ww_case_result_free(res);
        return error;
    }
    *out = res;
    return 0;
}

/* ---- accessors ------------------------------------------------------------------------ */

void ww_case_result_free(ww_case_result *res)
{
    if (!res) return;
    ww_econ_result_free(&res->econ);
    ww_diags__free(res->diags);
    ww_arena__free(res->arena);
    free(res);
}

const ww_case_summary *ww_case_result_summary(const ww_case_result *res)
{
    return res && res->have_case ? &res->summary : NULL;
}

size_t ww_case_result_agency_count(const ww_case_result *res)
{
    return res && res->have_case ? res->econ.n_agencies : 0;
}

const ww_case_agency *ww_case_result_agency(const ww_case_result *res, size_t i)
{
    return i < ww_case_result_agency_count(res) ? &res->agencies[i] : NULL;
}

size_t ww_case_result_warning_count(const ww_case_result *res)
{
    return res && res->have_case ? res->n_warnings : 0;
}

const char *ww_case_result_warning(const ww_case_result *res, size_t i)
{
    return i < ww_case_result_warning_count(res) ? res->warnings[i] : NULL;
}

size_t ww_case_result_diag_count(const ww_case_result *res)
{
    return res && res->diags ? ww_diags__count(res->diags) : 0;
}

const ww_diag *ww_case_result_diag(const ww_case_result *res, size_t i)
{
    return i < ww_case_result_diag_count(res) ? ww_diags__get(res->diags, i) : NULL;
}

/* ---- JSON ------------------------------------------------------------------------------ */

static json_t *int_or_null(int v, int missing)
{
    return v == missing ? json_null() : json_integer(v);
}

/* The stored unit costs the flows used, each with where it was read. */
static json_t *units_json(const ww_case_result *res)
{
    json_t *a = json_array();
    for (size_t i = 0; i < res->n_units; i++) {
        const case_unit *u = &res->units[i];
        json_t *o = json_object();
        ww_queries__set(o, "code", json_string(u->row.code));
        ww_queries__set(o, "dataset", ww_queries__str(u->row.dataset));
        ww_queries__set(o, "description", ww_queries__str(u->row.description));
        ww_queries__set(o, "unit", ww_queries__str(u->row.unit));
        ww_queries__set(o, "value_type", json_string(ww_econ_value_name(u->value_type)));
        ww_queries__set(o, "value", ww_queries__num(u->value));
        ww_queries__set(o, "price_year", ww_queries__str(u->price_year));
        ww_queries__set(o, "agency", ww_queries__str(u->row.agency));
        ww_queries__set(o, "agency_detail", ww_queries__str(u->row.agency_detail));
        ww_queries__set(o, "confidence", ww_queries__str(u->row.confidence));
        ww_queries__set(o, "source_text", ww_queries__str(u->row.source_text));
        ww_queries__set(o, "licence", ww_queries__str(u->row.licence));
        ww_queries__set(o, "location", ww_queries__str(u->row.location));
        ww_queries__set(o, "file", ww_queries__str(u->row.source_name));
        ww_queries__set(o, "sha256", ww_queries__str(u->row.source_sha256));
        ww_queries__set(o, "flows", json_integer((json_int_t)u->uses));
        ww_queries__append(a, o);
    }
    return a;
}

static json_t *parameters_json(const ww_case_result *res)
{
    const ww_econ_params *p = &res->params;
    json_t *o = json_object(), *subject = json_object(), *deflator = json_object(),
           *schedule = json_object(), *bands = json_array(), *ob = json_object(),
           *grades = json_array(), *sim = json_object(), *flows = json_array(), *effect;

    ww_queries__set(subject, "kind", json_string(res->subject_kind));
    if (strcmp(res->subject_kind, "flows") == 0) {
        ww_queries__set(subject, "path", json_string(res->subject));
    } else {
        ww_queries__set(subject, "slug", json_string(res->subject));
        ww_queries__set(subject, "name", ww_queries__str(res->name));
        ww_queries__set(subject, "example", json_boolean(res->is_example));
    }
    ww_queries__set(o, "subject", subject);
    ww_queries__set(o, "participants", json_integer(p->participants));
    ww_queries__set(o, "horizon_years", json_integer(res->econ.n_years));
    ww_queries__set(o, "price_year", json_integer(p->price_base));

    ww_queries__set(deflator, "source_id", ww_queries__str(res->deflator.source_id));
    ww_queries__set(deflator, "edition", ww_queries__str(res->deflator.edition));
    ww_queries__set(deflator, "beyond_series",
                    json_string("a price year after last_year is carried at last_year's index "
                                "(no inflation assumed after it), with a warning"));
    ww_queries__set(deflator, "base_year", json_integer(res->deflator.base_year));
    ww_queries__set(deflator, "first_year", json_integer(res->index[0].year));
    ww_queries__set(deflator, "last_year",
                    json_integer(res->index[res->deflator.n_points - 1].year));
    ww_queries__set(deflator, "financial_years", json_string(financial_year_rule));
    ww_queries__set(o, "deflator", deflator);

    ww_queries__set(schedule, "name", json_string(res->schedule.name));
    ww_queries__set(schedule, "source_id", json_string(res->schedule.source_id));
    for (size_t i = 0; i < res->schedule.n_bands; i++) {
        json_t *b = json_object();
        ww_queries__set(b, "from_year", json_integer(res->schedule.bands[i].from_year));
        ww_queries__set(b, "to_year", int_or_null(res->schedule.bands[i].to_year, -1));
        ww_queries__set(b, "rate_pct", json_real(res->schedule.bands[i].rate_pct));
        ww_queries__append(bands, b);
    }
    ww_queries__set(schedule, "bands", bands);
    ww_queries__set(o, "discount_schedule", schedule);

    ww_queries__set(ob, "applied", json_boolean(p->optimism_bias));
    for (int g = 1; g <= 6; g++)
        ww_queries__append(grades, json_real(ww_econ_optimism_bias_pct(g)));
    ww_queries__set(ob, "pct_by_grade", grades);
    ww_queries__set(ob, "source", json_string(optimism_bias_source));
    ww_queries__set(o, "optimism_bias", ob);
    ww_queries__set(o, "deadweight_pct", json_real(p->deadweight_pct));
    ww_queries__set(o, "attribution_pct", json_real(p->attribution_pct));
    ww_queries__set(o, "dropoff_pct", json_real(p->dropoff_pct));

    if (res->have_effect) {
        effect = json_object();
        ww_queries__set(effect, "source", json_string(res->effect_source));
        ww_queries__set(effect, "domain", ww_queries__str(res->effect_domain));
        ww_queries__set(effect, "metric", json_string("SMD"));
        ww_queries__set(effect, "method", ww_queries__str(res->effect_method));
        ww_queries__set(effect, "k", res->effect_k ? json_integer(res->effect_k) : json_null());
        ww_queries__set(effect, "estimate", ww_queries__num(p->effect_estimate));
        ww_queries__set(effect, "se", ww_queries__num(p->effect_se));
    } else {
        effect = json_null();
    }
    ww_queries__set(o, "effect", effect);

    ww_queries__set(sim, "draws", json_integer(p->draws));
    ww_queries__set(sim, "seed", json_integer((json_int_t)p->seed));
    ww_queries__set(sim, "rng", json_string("gsl_rng_mt19937"));
    ww_queries__set(sim, "effect_distribution", json_string(effect_distribution));
    ww_queries__set(sim, "range_distribution", json_string(range_distribution));
    ww_queries__set(o, "simulation", sim);

    ww_queries__set(o, "dated_cost_years", json_integer(WW_ECON_DATED_YEARS));
    ww_queries__set(o, "wsipp_min_p_npv_positive", json_real(WW_ECON_WSIPP_MIN_P));
    ww_queries__set(o, "rules_version", json_string(WW_ECON_RULES_VERSION));

    for (size_t i = 0; i < res->n_flows; i++) {
        const ww_econ_flow *f = &res->flows[i];
        json_t *fj = json_object();
        ww_queries__set(fj, "agency", json_string(f->agency));
        ww_queries__set(fj, "kind", json_string(ww_econ_kind_name(f->kind)));
        ww_queries__set(fj, "value_type", json_string(ww_econ_value_name(f->value_type)));
        ww_queries__set(fj, "first_year", json_integer(f->first_year));
        ww_queries__set(fj, "last_year", json_integer(f->last_year));
        ww_queries__set(fj, "amount", ww_queries__num(f->amount));
        ww_queries__set(fj, "price_year", int_or_null(f->price_year, -1));
        ww_queries__set(fj, "financial_year", json_boolean(f->financial_year));
        ww_queries__set(fj, "confidence", int_or_null(f->confidence, -1));
        ww_queries__set(fj, "low", ww_queries__num(f->low));
        ww_queries__set(fj, "high", ww_queries__num(f->high));
        ww_queries__set(fj, "item", ww_queries__str(f->item));
        ww_queries__set(fj, "where", json_string(f->where));
        ww_queries__set(fj, "unit_cost",
                        ww_queries__str(res->flow_unit ? res->flow_unit[i] : NULL));
        ww_queries__append(flows, fj);
    }
    ww_queries__set(o, "flows", flows);
    ww_queries__set(o, "unit_costs", units_json(res));
    return o;
}

static int write_json(const ww_case_result *res, FILE *fp)
{
    const ww_econ_result *e = &res->econ;
    json_t *doc = json_object(), *agencies = json_array(), *years = json_array(),
           *mc = json_object(), *warnings = json_array();
    int error;

    ww_queries__set(doc, "schema", json_string(CASE_SCHEMA));
    ww_queries__set(doc, "parameters", parameters_json(res));
    ww_queries__set(doc, "pv_costs", ww_queries__num(e->pv_costs));
    ww_queries__set(doc, "pv_benefits", ww_queries__num(e->pv_benefits));
    ww_queries__set(doc, "npv", ww_queries__num(e->npv));
    ww_queries__set(doc, "bcr", ww_queries__num(e->bcr));
    ww_queries__set(doc, "roi", ww_queries__num(e->roi));
    ww_queries__set(doc, "payback_year", int_or_null(e->payback_year, -1));
    for (size_t a = 0; a < e->n_agencies; a++) {
        json_t *o = json_object();
        ww_queries__set(o, "agency", json_string(e->agencies[a].agency));
        ww_queries__set(o, "pv_costs", ww_queries__num(e->agencies[a].pv_costs));
        ww_queries__set(o, "pv_benefits", ww_queries__num(e->agencies[a].pv_benefits));
        ww_queries__set(o, "net", ww_queries__num(e->agencies[a].net));
        ww_queries__append(agencies, o);
    }
    ww_queries__set(doc, "by_agency", agencies);
    for (int t = 0; t < e->n_years; t++) {
        json_t *o = json_object();
        ww_queries__set(o, "year", json_integer(e->years[t].year));
        ww_queries__set(o, "costs", ww_queries__num(e->years[t].costs));
        ww_queries__set(o, "benefits", ww_queries__num(e->years[t].benefits));
        ww_queries__set(o, "discount_factor", ww_queries__num(e->years[t].discount_factor));
        ww_queries__append(years, o);
    }
    ww_queries__set(doc, "years", years);
    ww_queries__set(mc, "draws", json_integer(e->mc.draws));
    ww_queries__set(mc, "seed", json_integer((json_int_t)e->mc.seed));
    ww_queries__set(mc, "p_npv_positive", ww_queries__num(e->mc.p_npv_positive));
    ww_queries__set(mc, "bcr_p5", ww_queries__num(e->mc.bcr_p5));
    ww_queries__set(mc, "bcr_p50", ww_queries__num(e->mc.bcr_p50));
    ww_queries__set(mc, "bcr_p95", ww_queries__num(e->mc.bcr_p95));
    ww_queries__set(doc, "monte_carlo", mc);
    for (size_t i = 0; i < res->n_warnings; i++)
        ww_queries__append(warnings, json_string(res->warnings[i]));
    ww_queries__set(doc, "warnings", warnings);
    error = ww_queries__write_json(doc, fp);
    json_decref(doc);
    return error;
}

/* ---- CSV: one row per agency per year, for spreadsheets ------------------------------------ */

static int write_csv(const ww_case_result *res, FILE *fp)
{
    const ww_econ_result *e = &res->econ;
    fputs("agency,year,costs,benefits,discount_factor,pv_costs,pv_benefits,net\r\n", fp);
    for (size_t a = 0; a < e->n_agencies; a++) {
        const ww_econ_agency *ag = &e->agencies[a];
        for (int t = 0; t < e->n_years; t++) {
            double df = e->years[t].discount_factor;
            ww_queries__csv_field(fp, ag->agency, 0);
            fprintf(fp, "%d,", t);
            ww_queries__csv_num(fp, ag->costs[t], 0);
            ww_queries__csv_num(fp, ag->benefits[t], 0);
            ww_queries__csv_num(fp, df, 0);
            ww_queries__csv_num(fp, ag->costs[t] * df, 0);
            ww_queries__csv_num(fp, ag->benefits[t] * df, 0);
            ww_queries__csv_num(fp, (ag->benefits[t] - ag->costs[t]) * df, 1);
        }
    }
    return ww_queries__flush(fp);
}

/* ---- table: the who-pays / who-gains matrix ------------------------------------------------ */

/* Money with thousands separators and pence: "-1,234.56"; "-" for NAN. */
static const char *money(char *buf, size_t n, double v)
{
    char digits[64];
    size_t len, head, o = 0;
    int neg;
    if (!isfinite(v)) {
        snprintf(buf, n, "-");
        return buf;
    }
    neg = v < 0 && fabs(v) >= 0.005;
    snprintf(digits, sizeof digits, "%.2f", fabs(v));
    len = strlen(digits) - 3; /* digits before ".dd" */
    head = len % 3 ? len % 3 : 3;
    if (neg && o + 1 < n) buf[o++] = '-';
    for (size_t i = 0; i < len && o + 2 < n; i++) {
        if (i >= head && (i - head) % 3 == 0) buf[o++] = ',';
        buf[o++] = digits[i];
    }
    for (size_t i = len; digits[i] && o + 1 < n; i++) buf[o++] = digits[i];
    buf[o] = '\0';
    return buf;
}

static int write_table(const ww_case_result *res, FILE *fp)
{
    const ww_econ_result *e = &res->econ;
    const ww_econ_params *p = &res->params;
    char m1[64], m2[64], m3[64];
    int width = 6;

    if (strcmp(res->subject_kind, "flows") == 0)
        fprintf(fp, "Business case: %s\n", res->subject);
    else
        fprintf(fp, "Business case: %s (%s)%s\n", res->name, res->subject,
                res->is_example ? "  [illustrative example, not real evidence]" : "");
    fprintf(fp, "  %ld participant%s, years 0-%d, %d prices, discounted on %s (%s)\n",
            p->participants, p->participants == 1 ? "" : "s", e->n_years - 1, p->price_base,
            res->schedule.name, res->schedule.source_id);
    fprintf(fp, "  deflator: %s (%s)\n\n",
            res->deflator.edition ? res->deflator.edition : "edition not recorded",
            res->deflator.source_id ? res->deflator.source_id : "no source id");
    for (size_t a = 0; a < e->n_agencies; a++) {
        int w = (int)strlen(e->agencies[a].agency);
        if (w > width) width = w > 40 ? 40 : w;
    }
    fprintf(fp, "  %-*s %15s %15s %15s\n", width, "who", "PV costs", "PV benefits", "net");
    for (size_t a = 0; a < e->n_agencies; a++) {
        const ww_econ_agency *ag = &e->agencies[a];
        fprintf(fp, "  %-*.*s %15s %15s %15s\n", width, width, ag->agency,
                money(m1, sizeof m1, ag->pv_costs), money(m2, sizeof m2, ag->pv_benefits),
                money(m3, sizeof m3, ag->net));
    }
    fprintf(fp, "  %-*s %15s %15s %15s\n\n", width, "total", money(m1, sizeof m1, e->pv_costs),
            money(m2, sizeof m2, e->pv_benefits), money(m3, sizeof m3, e->npv));
    fprintf(fp, "  NPV %s", money(m1, sizeof m1, e->npv));
    if (isfinite(e->bcr))
        fprintf(fp, "   BCR %.2f   ROI %.1f%%", e->bcr, 100.0 * e->roi);
    else
        fputs("   BCR -   ROI -", fp);
    if (e->payback_year >= 0)
        fprintf(fp, "   payback in year %d\n", e->payback_year);
    else
        fputs("   no payback within the horizon\n", fp);
    if (e->mc.draws > 0) {
        fprintf(fp, "  Monte Carlo: %ld draws, seed %lu: P(NPV > 0) = %.3f", e->mc.draws,
                e->mc.seed, e->mc.p_npv_positive);
        if (isfinite(e->mc.bcr_p50))
            fprintf(fp, "; BCR 5%% %.2f, median %.2f, 95%% %.2f", e->mc.bcr_p5, e->mc.bcr_p50,
                    e->mc.bcr_p95);
        fputc('\n', fp);
    }
    fprintf(fp,
            "  adjustments: optimism bias %s; deadweight %g%%; attribution %g%%; drop-off %g%% a "
            "year\n",
            p->optimism_bias ? "on" : "off", p->deadweight_pct, p->attribution_pct, p->dropoff_pct);
    if (res->have_effect)
        fprintf(fp, "  effect: SMD %.3f (se %.3f)%s%s\n", p->effect_estimate, p->effect_se,
                res->effect_domain ? " on " : "", res->effect_domain ? res->effect_domain : "");
    if (res->n_units) fputs("\nunit costs used:\n", fp);
    for (size_t i = 0; i < res->n_units; i++) {
        const case_unit *u = &res->units[i];
        fprintf(fp, "  - %s (%s %s, %s): %s %.2f, %s prices, %s%s%s; grade %s\n", u->row.code,
                u->row.dataset ? u->row.dataset : "", u->row.location ? u->row.location : "",
                u->row.unit ? u->row.unit : "unit not given", ww_econ_value_name(u->value_type),
                u->value, u->price_year, u->row.agency ? u->row.agency : "agency not given",
                u->row.agency_detail ? " / " : "", u->row.agency_detail ? u->row.agency_detail : "",
                u->row.confidence ? u->row.confidence : "not given");
    }
    if (res->n_warnings) fputs("\nwarnings:\n", fp);
    for (size_t i = 0; i < res->n_warnings; i++) fprintf(fp, "  - %s\n", res->warnings[i]);
    return ww_queries__flush(fp);
}

int ww_case_result_write(const ww_case_result *res, FILE *fp, ww_format fmt)
{
    if (!res || !res->have_case) return ww__error(WW_EUSAGE, "no business case to write");
    switch (fmt) {
    case WW_FORMAT_JSON: return write_json(res, fp);
    case WW_FORMAT_CSV: return write_csv(res, fp);
    default: return write_table(res, fp);
    }
}
