/*
 * plots.c — the forest plot and the funnel plot of one pooled result, as SVG
 * (svg.c writes the document). Every number drawn comes from evidence/: the
 * studies' effects, variances and weights as the synthesis pooled them
 * (repo/synth.c, evidence/synthesis.c), their 95% CIs, the pseudo-95% limits
 * and Egger's line (ww_synth_study_ci, ww_synth_funnel_at). This file only
 * places them. docs/plots.md says what each plot shows and how to read it.
 *
 * Both plots are 800 px wide. The forest plot has one 22 px row per study
 * and draws at most WW_PLOT_MAX_ROWS of them; the funnel plot draws every
 * study as a point.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "plot.h"
#include "svg.h"

#define WIDTH 800.0
#define ROW 22.0
#define LABEL_CHARS 37 /* about 260 px of 12 px sans-serif */
#define TITLE_CHARS 72 /* about 780 px of 16 px bold */
#define LINE_CHARS 118 /* about 780 px of 12 px */
#define RANGE_CAP 4.0  /* the axis never goes past |SMD| 4: wider CIs end in an arrow */

static const char *const CSS =
    ".background{fill:#ffffff}"
    "text{font-family:'DejaVu Sans',Arial,Helvetica,sans-serif;font-size:12px;fill:#222222}"
    ".title{font-size:16px;font-weight:bold}"
    ".sub{fill:#555555}"
    ".head{font-weight:bold}"
    ".note{fill:#a30000}"
    ".ci{stroke:#222222;stroke-width:1.5}"
    ".box{fill:#1f5f99}"
    ".diamond{fill:#c05800;stroke:#c05800}"
    ".pi{stroke:#c05800;stroke-width:3}"
    ".pooled-line{stroke:#c05800;stroke-width:1}"
    ".null{stroke:#666666;stroke-dasharray:4,3}"
    ".axis-line,.tick-line{stroke:#222222;stroke-width:1}"
    ".grid{stroke:#e4e4e4;stroke-width:1}"
    ".sep{stroke:#bbbbbb}"
    ".arrow{fill:#222222}"
    ".point{fill:#1f5f99;fill-opacity:0.75;stroke:#0d2f4f}"
    ".limits{stroke:#555555;stroke-dasharray:6,4;fill:none}"
    ".egger{stroke:#7a1fa2;stroke-width:2}"
    ".legend-text{fill:#333333}";

/* ---- numbers and scales -------------------------------------------------- */

/* v with two decimals, never "-0.00". */
static const char *num2(char *b, size_t n, double v)
{
    if (fabs(v) < 0.005) v = 0;
    snprintf(b, n, "%.2f", v);
    return b;
}

/* "0.25 [0.10, 0.40]" */
static const char *est_ci(char *b, size_t n, double est, double lo, double hi)
{
    char e[24], l[24], h[24];
    snprintf(b, n, "%s [%s, %s]", num2(e, sizeof e, est), num2(l, sizeof l, lo),
             num2(h, sizeof h, hi));
    return b;
}

typedef struct scale {
    double lo, hi, px0, px1;
} scale;

static double px(const scale *s, double v)
{
    return s->px0 + (v - s->lo) / (s->hi - s->lo) * (s->px1 - s->px0);
}

/* Round [*lo, *hi] out to a tick step from 1, 2, 2.5, 5 x 10^n giving at
 * most max_ticks intervals. */
static double nice_range(double *lo, double *hi, int max_ticks)
{
    static const double mult[] = {1, 2, 2.5, 5, 10};
    double span = *hi - *lo, base, step = 1;
    if (!(span > 0)) span = 1;
    base = pow(10, floor(log10(span / max_ticks)));
    for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++) {
        step = base * mult[i];
        if (ceil(*hi / step - 1e-9) - floor(*lo / step + 1e-9) <= max_ticks) break;
    }
    *lo = floor(*lo / step + 1e-9) * step;
    *hi = ceil(*hi / step - 1e-9) * step;
    if (*hi <= *lo) *hi = *lo + step;
    return step;
}

static const char *method_words(const char *method)
{
    if (strcmp(method, "FE") == 0) return "one study (fixed effect)";
    if (strcmp(method, "REML") == 0) return "REML random effects";
    if (strcmp(method, "DL") == 0) return "DerSimonian-Laird random effects";
    return method;
}

static const char *study_label(char *b, size_t n, const ww_plot *p, size_t i)
{
    if (p->labels[i] && *p->labels[i]) return p->labels[i];
    snprintf(b, n, "study %lld", (long long)p->studies[i].study_id);
    return b;
}

/* The label drawn in a row: the title cut to fit, then the year. */
static const char *row_label(char *b, size_t n, const ww_plot *p, size_t i)
{
    char id[40], clipped[256];
    const char *t = ww_svg__clip(clipped, sizeof clipped, study_label(id, sizeof id, p, i),
                                 p->years[i] >= 0 ? LABEL_CHARS - 7 : LABEL_CHARS);
    if (p->years[i] >= 0)
        snprintf(b, n, "%s (%d)", t, p->years[i]);
    else
        snprintf(b, n, "%s", t);
    return b;
}

/* The first two lines of a plot: what it is and of what, then the outcome
 * domain, each cut to the width (the <title> keeps them whole). */
static void heading(ww_svg *s, const char *what, const ww_plot *p)
{
    char b[600], c[600];
    snprintf(c, sizeof c, "%s: %s", what, p->name);
    ww_svg__text(s, 10, 24, "start", "title", 0, ww_svg__clip(b, sizeof b, c, TITLE_CHARS));
    snprintf(c, sizeof c, "Outcome domain: %s", p->domain);
    ww_svg__text(s, 10, 42, "start", "sub", 0, ww_svg__clip(b, sizeof b, c, LINE_CHARS));
}

/* ---- forest plot --------------------------------------------------------- */

typedef struct row_order {
    const ww_plot *p;
    size_t i;
} row_order;

static int by_weight(const void *a, const void *b)
{
    const row_order *x = a, *y = b;
    double wx = x->p->studies[x->i].weight_pct, wy = y->p->studies[y->i].weight_pct;
    if (wx != wy) return wx > wy ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* Oldest first, then the order the synthesis pooled them in. */
static int by_year(const void *a, const void *b)
{
    const row_order *x = a, *y = b;
    int yx = x->p->years[x->i], yy = y->p->years[y->i];
    if (yx != yy) return yx < yy ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* The forest plot's description for screen readers: the pooled result and
 * every study drawn, in words. */
static int forest_desc(ww_buf *d, const ww_plot *p, const row_order *rows, size_t shown)
{
    const ww_synth_result *r = p->pooled;
    char b[96], id[40];
    int error =
        ww_buf__printf(d,
                       "Forest plot of %d %s on %s outcomes, standardised mean difference, "
                       "positive = beneficial, pooled by %s: %s (95%% CI)",
                       r->k, r->k == 1 ? "study" : "studies", p->domain, method_words(r->method),
                       est_ci(b, sizeof b, r->estimate, r->ci_low, r->ci_high));
    if (!error && isfinite(r->pi_low))
        error = ww_buf__printf(d, ", 95%% prediction interval %s to %s", num2(b, 24, r->pi_low),
                               num2(b + 24, 24, r->pi_high));
    if (!error && isfinite(r->i2)) error = ww_buf__printf(d, ", I-squared %.1f%%", r->i2);
    if (!error && p->certainty) error = ww_buf__printf(d, ", certainty %s", p->certainty);
    if (!error) error = ww_buf__puts(d, ". Studies:");
    for (size_t j = 0; j < shown && !error; j++) {
        const ww_synth_study *s = &p->studies[rows[j].i];
        double lo, hi;
        ww_synth_study_ci(&lo, &hi, s);
        error = ww_buf__printf(d, "%s %s", j ? ";" : "", study_label(id, sizeof id, p, rows[j].i));
        if (!error && p->years[rows[j].i] >= 0)
            error = ww_buf__printf(d, " (%d)", p->years[rows[j].i]);
        if (!error)
            error = ww_buf__printf(d, " %s, weight %.1f%%", est_ci(b, sizeof b, s->yi, lo, hi),
                                   s->weight_pct);
    }
    if (!error && shown < (size_t)r->k)
        error = ww_buf__printf(d, "; and %zu more studies not drawn", (size_t)r->k - shown);
    return error ? error : ww_buf__puts(d, ".");
}

/* A horizontal interval from lo to hi at y, cut at the axis with an arrow
 * head where it goes beyond. */
static void interval(ww_svg *s, const scale *sc, double lo, double hi, double y, const char *cls)
{
    double a = px(sc, fmax(lo, sc->lo)), b = px(sc, fmin(hi, sc->hi));
    ww_svg__line(s, a, y, b, y, cls);
    if (lo < sc->lo) {
        double t[] = {a - 1, y, a + 6, y - 4, a + 6, y + 4};
        ww_svg__polygon(s, t, 3, "arrow");
    }
    if (hi > sc->hi) {
        double t[] = {b + 1, y, b - 6, y - 4, b - 6, y + 4};
        ww_svg__polygon(s, t, 3, "arrow");
    }
}

int ww_queries__forest_svg(char **out, size_t *len, const ww_plot *p)
{
    const ww_synth_result *r = p->pooled;
    size_t k = r->k > 0 ? (size_t)r->k : 0, shown;
    row_order *rows = NULL;
    ww_buf desc = WW_BUF_INIT, title = WW_BUF_INIT;
    ww_svg *s = NULL;
    scale sc = {0, 0, 345, 595};
    double wmax = 0, left_out_pct = 0, step, y, top, height, lo = 0, hi = 0;
    char b[256], c[96];
    int error = 0, notes = 0;

    *out = NULL;
    *len = 0;
    if (!k) return ww__error(WW_EDATA, "no pooled study to plot");
    if (!(rows = malloc(k * sizeof *rows))) return ww__error_oom();
    for (size_t i = 0; i < k; i++) rows[i] = (row_order){p, i};
    shown = k;
    if (k > WW_PLOT_MAX_ROWS) {
        qsort(rows, k, sizeof *rows, by_weight);
        shown = WW_PLOT_MAX_ROWS;
        for (size_t i = shown; i < k; i++) left_out_pct += p->studies[rows[i].i].weight_pct;
    }
    qsort(rows, shown, sizeof *rows, by_year);

    /* the axis: every CI drawn, the pooled CI and PI, and no effect */
    lo = fmin(0, r->ci_low);
    hi = fmax(0, r->ci_high);
    if (isfinite(r->pi_low)) {
        lo = fmin(lo, r->pi_low);
        hi = fmax(hi, r->pi_high);
    }
    for (size_t j = 0; j < shown; j++) {
        double l, h;
        ww_synth_study_ci(&l, &h, &p->studies[rows[j].i]);
        lo = fmin(lo, l);
        hi = fmax(hi, h);
        wmax = fmax(wmax, p->studies[rows[j].i].weight_pct);
    }
    sc.lo = fmax(lo, -RANGE_CAP);
    sc.hi = fmin(hi, RANGE_CAP);
    step = nice_range(&sc.lo, &sc.hi, 6);

    notes = (p->is_example != 0) + (shown < k);
    top = 78 + 16 * notes;
    height = top + 26 + ROW * (double)shown + 12 + ROW * 2 + (isfinite(r->pi_low) ? ROW : 0) + 92;

    if ((error = ww_buf__printf(&title, "Forest plot: %s, %s outcomes", p->name, p->domain)) < 0 ||
        (error = forest_desc(&desc, p, rows, shown)) < 0 ||
        (error = ww_svg__new(&s, WIDTH, height, title.data, desc.data, CSS)) < 0)
        goto done;

    heading(s, "Forest plot", p);
    ww_svg__textf(s, 10, 60, "start", "sub",
                  "Standardised mean difference (Hedges' g), positive = beneficial; %s, k = %d%s%s",
                  method_words(r->method), r->k, p->certainty ? "; certainty " : "",
                  p->certainty ? p->certainty : "");
    y = 78;
    if (p->is_example) {
        ww_svg__text(s, 10, y, "start", "note", 0,
                     "Illustrative example data: invented to show the format, not real evidence.");
        y += 16;
    }
    if (shown < k) {
        ww_svg__textf(s, 10, y, "start", "note",
                      "Drawn: the %zu of %zu studies with the most weight. The other %zu (%.1f%% "
                      "of the weight) are pooled, not drawn; `show` lists all.",
                      shown, k, k - shown, left_out_pct);
        y += 16;
    }

    /* column heads */
    y = top + 16;
    ww_svg__group(s, "heads", NULL);
    ww_svg__text(s, 10, y, "start", "head", 0, "Study (year)");
    ww_svg__text(s, 332, y, "end", "head", 0, "N");
    ww_svg__text(s, (sc.px0 + sc.px1) / 2, y, "middle", "head", 0, "SMD and 95% CI");
    ww_svg__text(s, 714, y, "end", "head", 0, "SMD [95% CI]");
    ww_svg__text(s, 790, y, "end", "head", 0, "Weight");
    ww_svg__end(s);
    ww_svg__line(s, 10, y + 6, 790, y + 6, "sep");

    {
        double rows_top = y + 8, rows_end = rows_top + ROW * (double)shown + 4 + ROW * 2 +
                                            (isfinite(r->pi_low) ? ROW : 0);
        double axis_y = rows_end + 8;
        /* grid and the no-effect line under everything */
        for (double t = sc.lo; t <= sc.hi + step / 2; t += step)
            if (fabs(t) > step / 1000)
                ww_svg__line(s, px(&sc, t), rows_top, px(&sc, t), axis_y, "grid");
        ww_svg__line(s, px(&sc, 0), rows_top, px(&sc, 0), axis_y, "null");

        y = rows_top;
        for (size_t j = 0; j < shown; j++) {
            const ww_synth_study *st = &p->studies[rows[j].i];
            double l, h, cy = y + ROW / 2,
                         side = 4 + 10 * sqrt(st->weight_pct / (wmax > 0 ? wmax : 1));
            char lab[300], id[40], tip[512];
            ww_synth_study_ci(&l, &h, st);
            snprintf(tip, sizeof tip, "%s%s: SMD %s, N = %s, weight %.1f%%",
                     study_label(id, sizeof id, p, rows[j].i), "",
                     est_ci(c, sizeof c, st->yi, l, h),
                     st->n_participants > 0 ? (snprintf(b, sizeof b, "%ld", st->n_participants), b)
                                            : "not reported",
                     st->weight_pct);
            ww_svg__group(s, "study", tip);
            ww_svg__text(s, 10, cy + 4, "start", "label", 0,
                         row_label(lab, sizeof lab, p, rows[j].i));
            if (st->n_participants > 0)
                ww_svg__textf(s, 332, cy + 4, "end", "n", "%ld", st->n_participants);
            else
                ww_svg__text(s, 332, cy + 4, "end", "n", 0, "\xE2\x80\x93");
            interval(s, &sc, l, h, cy, "ci");
            if (st->yi >= sc.lo && st->yi <= sc.hi)
                ww_svg__rect(s, px(&sc, st->yi) - side / 2, cy - side / 2, side, side, "box");
            ww_svg__text(s, 714, cy + 4, "end", "estimate", 0, est_ci(c, sizeof c, st->yi, l, h));
            ww_svg__textf(s, 790, cy + 4, "end", "weight", "%.1f%%", st->weight_pct);
            ww_svg__end(s);
            y += ROW;
        }
        ww_svg__line(s, 10, y + 2, 790, y + 2, "sep");
        y += 4;

        /* the pooled estimate: a diamond spanning its 95% CI */
        {
            double cy = y + ROW / 2,
                   d[] = {px(&sc, fmax(r->ci_low, sc.lo)),  cy, px(&sc, r->estimate), cy - 7,
                          px(&sc, fmin(r->ci_high, sc.hi)), cy, px(&sc, r->estimate), cy + 7};
            ww_svg__group(s, "pooled", NULL);
            if (r->n_participants > 0)
                ww_svg__textf(s, 10, cy + 4, "start", "head", "Pooled, %s (N = %ld)",
                              strcmp(r->method, "FE") == 0 ? "one study" : r->method,
                              r->n_participants);
            else
                ww_svg__textf(s, 10, cy + 4, "start", "head", "Pooled, %s",
                              strcmp(r->method, "FE") == 0 ? "one study" : r->method);
            ww_svg__polygon(s, d, 4, "diamond");
            ww_svg__text(s, 714, cy + 4, "end", "estimate head", 0,
                         est_ci(c, sizeof c, r->estimate, r->ci_low, r->ci_high));
            ww_svg__text(s, 790, cy + 4, "end", "weight head", 0, "100%");
            ww_svg__end(s);
            y += ROW;
        }
        /* the prediction interval: where a new study's true effect would lie */
        if (isfinite(r->pi_low)) {
            double cy = y + ROW / 2;
            char l[24], h[24];
            ww_svg__group(s, "prediction", NULL);
            ww_svg__text(s, 10, cy + 4, "start", "label", 0, "95% prediction interval");
            interval(s, &sc, r->pi_low, r->pi_high, cy, "pi");
            ww_svg__textf(s, 714, cy + 4, "end", "estimate", "[%s, %s]",
                          num2(l, sizeof l, r->pi_low), num2(h, sizeof h, r->pi_high));
            ww_svg__end(s);
            y += ROW;
        }
        /* heterogeneity */
        {
            double cy = y + ROW / 2;
            if (isfinite(r->i2))
                ww_svg__textf(
                    s, 10, cy + 4, "start", "sub",
                    "Heterogeneity: tau\xC2\xB2 = %.3f, I\xC2\xB2 = %.1f%%, Q = %.2f (df %d)",
                    r->tau2, r->i2, r->q, r->k - 1);
            else
                ww_svg__text(s, 10, cy + 4, "start", "sub", 0,
                             "Heterogeneity: not estimable from one study");
            y += ROW;
        }

        /* the axis */
        ww_svg__group(s, "axis", NULL);
        ww_svg__line(s, sc.px0, axis_y, sc.px1, axis_y, "axis-line");
        for (double t = sc.lo; t <= sc.hi + step / 2; t += step) {
            double tx = px(&sc, t);
            char tl[24];
            if (fabs(t) < step / 1000) t = 0;
            snprintf(tl, sizeof tl, step < 0.1 ? "%.2f" : step < 1 ? "%.1f" : "%.0f", t);
            ww_svg__group(s, "tick", NULL);
            ww_svg__line(s, tx, axis_y, tx, axis_y + 5, "tick-line");
            ww_svg__text(s, tx, axis_y + 18, "middle", "tick-label", 0, tl);
            ww_svg__end(s);
        }
        ww_svg__text(s, (sc.px0 + sc.px1) / 2, axis_y + 36, "middle", "axis-label", 0,
                     "SMD (Hedges' g), positive = beneficial");
        ww_svg__text(s, px(&sc, 0) - 6, axis_y + 54, "end", "sub", 0,
                     "\xE2\x86\x90 favours comparison");
        ww_svg__text(s, px(&sc, 0) + 6, axis_y + 54, "start", "sub", 0,
                     "favours intervention \xE2\x86\x92");
        ww_svg__end(s);
        ww_svg__text(s, 10, axis_y + 78, "start", "sub", 0,
                     isfinite(r->pi_low)
                         ? "Boxes: study effect, area by weight; lines: 95% CI; "
                           "diamond: pooled 95% CI; orange bar: 95% prediction interval."
                         : "Boxes: study effect, area by weight; lines: 95% CI; "
                           "diamond: pooled 95% CI.");
    }
    error = ww_svg__finish(s, out, len);
done:
    ww_svg__free(s);
    ww_buf__free(&desc);
    ww_buf__free(&title);
    free(rows);
    return error;
}

/* ---- funnel plot --------------------------------------------------------- */

int ww_queries__funnel_svg(char **out, size_t *len, const ww_plot *p)
{
    const ww_synth_result *r = p->pooled;
    size_t k = r->k > 0 ? (size_t)r->k : 0;
    ww_buf desc = WW_BUF_INIT, title = WW_BUF_INIT;
    ww_svg *s = NULL;
    scale sx = {0, 0, 90, 770}, sy = {0, 0, 100, 470}; /* sy maps SE to y, 0 at the top */
    double se_max = 0, xstep, ystep, lo, hi;
    ww_funnel_at at_max;
    int egger = 0, error = 0;
    char b[96], c[96];

    *out = NULL;
    *len = 0;
    if (!k) return ww__error(WW_EDATA, "no pooled study to plot");
    for (size_t i = 0; i < k; i++) se_max = fmax(se_max, sqrt(p->studies[i].vi));
    sy.hi = se_max * 1.05;
    ystep = nice_range(&sy.lo, &sy.hi, 6);
    ww_synth_funnel_at(&at_max, r, sy.hi);
    egger = k >= WW_PLOT_EGGER_MIN_K && isfinite(at_max.egger);
    lo = fmin(0, at_max.lo);
    hi = fmax(0, at_max.hi);
    for (size_t i = 0; i < k; i++) {
        lo = fmin(lo, p->studies[i].yi);
        hi = fmax(hi, p->studies[i].yi);
    }
    if (egger) {
        lo = fmin(lo, fmin(r->egger_intercept, at_max.egger));
        hi = fmax(hi, fmax(r->egger_intercept, at_max.egger));
    }
    sx.lo = fmax(lo, -RANGE_CAP);
    sx.hi = fmin(hi, RANGE_CAP);
    xstep = nice_range(&sx.lo, &sx.hi, 10);

    if ((error = ww_buf__printf(&title, "Funnel plot: %s, %s outcomes", p->name, p->domain)) < 0 ||
        (error = ww_buf__printf(
             &desc,
             "Funnel plot of %zu %s on %s outcomes: each study's standardised mean "
             "difference (positive = beneficial) against its standard error, with "
             "the pooled estimate %s and its pseudo-95%% confidence limits",
             k, k == 1 ? "study" : "studies", p->domain, num2(b, sizeof b, r->estimate))) < 0)
        goto done;
    if (egger)
        error = ww_buf__printf(
            &desc, ", and Egger's regression line (intercept %s, slope %s, p = %.3f).",
            num2(b, sizeof b, r->egger_intercept), num2(c, sizeof c, r->egger_slope), r->egger_p);
    else if (k >= WW_PLOT_EGGER_MIN_K)
        error =
            ww_buf__puts(&desc, "; Egger's regression has no slope here (every study has the same "
                                "standard error), so no line is drawn.");
    else
        error = ww_buf__printf(&desc,
                               "; Egger's line is drawn from %d studies, and this result has %zu.",
                               WW_PLOT_EGGER_MIN_K, k);
    if (error < 0 || (error = ww_svg__new(&s, WIDTH, 600, title.data, desc.data, CSS)) < 0)
        goto done;

    heading(s, "Funnel plot", p);
    ww_svg__textf(s, 10, 60, "start", "sub", "%s, k = %zu; pooled SMD %s", method_words(r->method),
                  k, est_ci(b, sizeof b, r->estimate, r->ci_low, r->ci_high));
    if (p->is_example)
        ww_svg__text(s, 10, 78, "start", "note", 0,
                     "Illustrative example data: invented to show the format, not real evidence.");

    /* grid, axes */
    for (double t = sy.lo; t <= sy.hi + ystep / 2; t += ystep)
        ww_svg__line(s, sx.px0, px(&sy, t), sx.px1, px(&sy, t), "grid");
    ww_svg__group(s, "axis x", NULL);
    ww_svg__line(s, sx.px0, sy.px1, sx.px1, sy.px1, "axis-line");
    for (double t = sx.lo; t <= sx.hi + xstep / 2; t += xstep) {
        char tl[24];
        if (fabs(t) < xstep / 1000) t = 0;
        snprintf(tl, sizeof tl, xstep < 0.1 ? "%.2f" : xstep < 1 ? "%.1f" : "%.0f", t);
        ww_svg__group(s, "tick", NULL);
        ww_svg__line(s, px(&sx, t), sy.px1, px(&sx, t), sy.px1 + 5, "tick-line");
        ww_svg__text(s, px(&sx, t), sy.px1 + 18, "middle", "tick-label", 0, tl);
        ww_svg__end(s);
    }
    ww_svg__text(s, (sx.px0 + sx.px1) / 2, sy.px1 + 38, "middle", "axis-label", 0,
                 "SMD (Hedges' g), positive = beneficial");
    ww_svg__end(s);
    ww_svg__group(s, "axis y", NULL);
    ww_svg__line(s, sx.px0, sy.px0, sx.px0, sy.px1, "axis-line");
    for (double t = sy.lo; t <= sy.hi + ystep / 2; t += ystep) {
        char tl[24];
        snprintf(tl, sizeof tl, ystep < 0.1 ? "%.2f" : "%.1f", t);
        ww_svg__group(s, "tick", NULL);
        ww_svg__line(s, sx.px0 - 5, px(&sy, t), sx.px0, px(&sy, t), "tick-line");
        ww_svg__text(s, sx.px0 - 8, px(&sy, t) + 4, "end", "tick-label", 0, tl);
        ww_svg__end(s);
    }
    ww_svg__text(s, 32, (sy.px0 + sy.px1) / 2, "middle", "axis-label", -90,
                 "Standard error (smaller = more precise)");
    ww_svg__end(s);

    /* the no-effect line, the pooled estimate and its pseudo-95% limits */
    if (0 >= sx.lo && 0 <= sx.hi) ww_svg__line(s, px(&sx, 0), sy.px0, px(&sx, 0), sy.px1, "null");
    {
        ww_funnel_at at0;
        double tri[6];
        ww_synth_funnel_at(&at0, r, 0);
        tri[0] = px(&sx, fmax(at_max.lo, sx.lo));
        tri[1] = px(&sy, at_max.lo < sx.lo ? (r->estimate - sx.lo) / 1.959963984540054 : sy.hi);
        tri[2] = px(&sx, at0.lo);
        tri[3] = sy.px0;
        tri[4] = px(&sx, fmin(at_max.hi, sx.hi));
        tri[5] = px(&sy, at_max.hi > sx.hi ? (sx.hi - r->estimate) / 1.959963984540054 : sy.hi);
        ww_svg__group(s, "pseudo-limits", NULL);
        ww_svg__line(s, tri[0], tri[1], tri[2], tri[3], "limits");
        ww_svg__line(s, tri[2], tri[3], tri[4], tri[5], "limits");
        ww_svg__end(s);
        ww_svg__line(s, px(&sx, r->estimate), sy.px0, px(&sx, r->estimate), sy.px1, "pooled-line");
    }
    if (egger) {
        ww_svg__group(s, "egger-line", NULL);
        ww_svg__line(s, px(&sx, fmin(fmax(r->egger_intercept, sx.lo), sx.hi)), sy.px0,
                     px(&sx, fmin(fmax(at_max.egger, sx.lo), sx.hi)), sy.px1, "egger");
        ww_svg__end(s);
    }

    /* the studies */
    for (size_t i = 0; i < k; i++) {
        const ww_synth_study *st = &p->studies[i];
        double l, h, se = sqrt(st->vi), x = fmin(fmax(st->yi, sx.lo), sx.hi);
        char id[40], tip[512];
        ww_synth_study_ci(&l, &h, st);
        snprintf(tip, sizeof tip, "%s: SMD %s, SE %.3f", study_label(id, sizeof id, p, i),
                 est_ci(c, sizeof c, st->yi, l, h), se);
        ww_svg__group(s, "study", tip);
        ww_svg__circle(s, px(&sx, x), px(&sy, se), 4.5, "point");
        ww_svg__end(s);
    }

    /* legend */
    ww_svg__group(s, "legend", NULL);
    ww_svg__line(s, 90, 530, 120, 530, "pooled-line");
    ww_svg__text(s, 126, 534, "start", "legend-text", 0, "pooled estimate");
    ww_svg__line(s, 250, 530, 280, 530, "limits");
    ww_svg__text(s, 286, 534, "start", "legend-text", 0,
                 "pseudo-95% limits: estimate \xC2\xB1 1.96 SE");
    ww_svg__line(s, 560, 530, 590, 530, "null");
    ww_svg__text(s, 596, 534, "start", "legend-text", 0, "no effect");
    if (egger) {
        ww_svg__line(s, 90, 556, 120, 556, "egger");
        ww_svg__textf(s, 126, 560, "start", "legend-text",
                      "Egger's regression: SMD = %s %s %s \xC3\x97 SE (test of asymmetry p = %.3f)",
                      num2(b, sizeof b, r->egger_intercept),
                      r->egger_slope < 0 ? "\xE2\x88\x92" : "+",
                      num2(c, sizeof c, fabs(r->egger_slope)), r->egger_p);
    } else if (k >= WW_PLOT_EGGER_MIN_K) {
        ww_svg__text(s, 90, 560, "start", "sub", 0,
                     "Egger's regression has no slope: every study has the same standard error.");
    } else {
        ww_svg__textf(
            s, 90, 560, "start", "sub",
            "Egger's line is drawn from %d studies; with %zu it is not drawn (too few to tell "
            "asymmetry from chance).",
            WW_PLOT_EGGER_MIN_K, k);
    }
    ww_svg__end(s);
    error = ww_svg__finish(s, out, len);
done:
    ww_svg__free(s);
    ww_buf__free(&desc);
    ww_buf__free(&title);
    return error;
}
