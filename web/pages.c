/*
 * pages.c — the HTML pages, each built from the library's result handles
 * (ww_query_result rows, ww_evidence, ww_issue_list, ww_case_result,
 * ww_import_report): search, the ranked answer, the evidence behind an
 * intervention with a business-case form, the business case, the issue
 * taxonomy, and the evaluators' submission form with its answer. Every page
 * works without script; forms are plain GET or POST.
 */
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "web_int.h"

#define MAX_QUERY_BYTES 4096

static void fmt_num(char *buf, size_t size, double v, int decimals)
{
    if (isfinite(v))
        snprintf(buf, size, "%.*f", decimals, v);
    else
        snprintf(buf, size, "–");
}

/* Whole pounds with thousands separators: £109,090 and −£65,681. */
static void fmt_money(char *buf, size_t size, double v)
{
    char digits[64], *p = buf, *end = buf + size - 1;
    size_t n;
    if (!isfinite(v) || fabs(v) >= 1e18) {
        snprintf(buf, size, "–");
        return;
    }
    snprintf(digits, sizeof digits, "%.0f", fabs(v));
    n = strlen(digits);
    if (v <= -0.5 && p + 3 <= end) {
        memcpy(p, "\xe2\x88\x92", 3); /* U+2212 minus sign */
        p += 3;
    }
    if (p + 2 <= end) {
        memcpy(p, "\xc2\xa3", 2); /* £ */
        p += 2;
    }
    for (size_t i = 0; i < n && p < end; i++) {
        *p++ = digits[i];
        if ((n - i - 1) % 3 == 0 && i + 1 < n && p < end) *p++ = ',';
    }
    *p = '\0';
}

static void fmt_ci(char *buf, size_t size, double lo, double hi)
{
    if (isfinite(lo) && isfinite(hi))
        snprintf(buf, size, "%.2f to %.2f", lo, hi);
    else
        snprintf(buf, size, "–");
}

static xmlNodePtr th(xmlNodePtr tr, const char *text, const char *scope)
{
    xmlNodePtr n = ww_web__el(tr, "th", text);
    ww_web__attr(n, "scope", scope);
    return n;
}

static xmlNodePtr table_with_head(xmlNodePtr parent, const char *caption, const char *const *cols)
{
    xmlNodePtr wrap = ww_web__elc(parent, "div", "table-wrap", NULL), table, tr;
    table = ww_web__el(wrap, "table", NULL);
    ww_web__el(table, "caption", caption);
    tr = ww_web__el(ww_web__el(table, "thead", NULL), "tr", NULL);
    for (size_t i = 0; cols[i]; i++) th(tr, cols[i], "col");
    return ww_web__el(table, "tbody", NULL);
}

static void search_form(xmlNodePtr parent, const char *value, int provisional)
{
    xmlNodePtr form = ww_web__el(parent, "form", NULL), label, input, button, box, boxlabel, opt;
    ww_web__attr(form, "method", "get");
    ww_web__attr(form, "action", "/search");
    ww_web__attr(form, "role", "search");
    ww_web__attr(form, "class", "search");
    label = ww_web__el(form, "label", "Presenting issue");
    ww_web__attr(label, "for", "q");
    input = ww_web__el(form, "input", NULL);
    ww_web__attr(input, "type", "search");
    ww_web__attr(input, "id", "q");
    ww_web__attr(input, "name", "q");
    ww_web__attr(input, "required", "required");
    ww_web__attr(input, "maxlength", "200");
    ww_web__attr(input, "placeholder", "e.g. truancy, reoffending, homelessness");
    ww_web__attr(input, "value", value);
    /* Unreviewed evidence (submissions, machine-extracted effects) is left
     * out of the answer unless asked for, as `query --include-provisional`. */
    opt = ww_web__el(form, "p", NULL);
    ww_web__attr(opt, "class", "option");
    box = ww_web__el(opt, "input", NULL);
    ww_web__attr(box, "type", "checkbox");
    ww_web__attr(box, "id", "provisional");
    ww_web__attr(box, "name", "provisional");
    ww_web__attr(box, "value", "1");
    if (provisional) ww_web__attr(box, "checked", "checked");
    boxlabel = ww_web__el(opt, "label", " include evidence not yet reviewed (submissions)");
    ww_web__attr(boxlabel, "for", "provisional");
    button = ww_web__el(form, "button", "Search");
    ww_web__attr(button, "type", "submit");
}

void ww_web__page_home(ww_web_req *rq, ww_web_resp *rs)
{
    ww_page page;
    xmlNodePtr p, ul;
    static const char *const examples[] = {
        "truancy",          "anti-social behaviour", "reoffending", "homelessness",
        "substance misuse", "worklessness",          NULL};
    if (ww_web__page_new(&page, "What works?", "search") < 0) return;
    ww_web__el(page.main, "h1", "What works for a presenting issue?");
    ww_web__el(
        page.main, "p",
        "Type the problem you are commissioning for. You get the interventions with evidence, "
        "ranked by their pooled effect and how certain it is, each with the studies behind it "
        "and a business case.");
    search_form(page.main, NULL, 0);
    ww_web__el(page.main, "h2", "Try");
    ul = ww_web__elc(page.main, "ul", "inline", NULL);
    for (size_t i = 0; examples[i]; i++) {
        char *href = ww_web__href("/search?q=", examples[i]);
        if (href) ww_web__link(ww_web__el(ul, "li", NULL), href, examples[i]);
        free(href);
    }
    p = ww_web__el(page.main, "p", "Or browse ");
    ww_web__link(p, "/issues", "every presenting issue");
    ww_web__text(p, ".");
    ww_web__page_send(&page, rs, MHD_HTTP_OK);
}

void ww_web__page_search(ww_web_req *rq, ww_web_resp *rs)
{
    const char *q = ww_web__arg(rq, "q");
    ww_query_result *res = NULL;
    ww_query_opts opts = WW_QUERY_OPTS_INIT;
    ww_page page;
    xmlNodePtr tbody, p;
    size_t n;
    int error;
    char title[300];
    static const char *const cols[] = {
        "Rank",         "Intervention", "Outcome", "Effect (SMD)", "95% CI", "Studies",
        "Participants", "Certainty",    "Verdict", "Why",          NULL};

    if (!q || !*q)
        return ww_web__error_page(rs, MHD_HTTP_BAD_REQUEST,
                                  "name a presenting issue: /search?q=truancy");
    if (strlen(q) > MAX_QUERY_BYTES)
        return ww_web__error_page(rs, MHD_HTTP_BAD_REQUEST,
                                  "the search text is too long (at most 4096 bytes)");
    opts.limit = 50;
    {
        const char *pv = ww_web__arg(rq, "provisional");
        opts.include_provisional = pv && (!strcmp(pv, "1") || !strcmp(pv, "true"));
    }
    if ((error = ww_query_run(&res, rq->db, q, &opts)) < 0)
        return ww_web__error_page(rs, ww_web__status_for(error), ww_error_last());
    snprintf(title, sizeof title, "What works for %.200s", q);
    if (ww_web__page_new(&page, title, "search") < 0) goto done;
    search_form(page.main, q, opts.include_provisional);
    ww_web__el(page.main, "h1", title);
    n = ww_query_result_count(res);
    if (n == 0) {
        ww_web__el(page.main, "p", "No intervention in the store answers this issue yet.");
        p = ww_web__el(page.main, "p", "Check the spelling, or ");
        ww_web__link(p, "/issues", "browse the presenting issues");
        ww_web__text(p, ".");
        ww_web__page_send(&page, rs, MHD_HTTP_OK);
        goto done;
    }
    p = ww_web__el(page.main, "p", NULL);
    ww_web__textf(p,
                  "%zu %s, best first. Effects are pooled standardised mean differences; positive "
                  "is beneficial.",
                  n, n == 1 ? "intervention" : "interventions");
    tbody = table_with_head(page.main, "Ranked interventions", cols);
    for (size_t i = 0; i < n; i++) {
        const ww_query_row *r = ww_query_result_row(res, i);
        xmlNodePtr tr = ww_web__el(tbody, "tr", NULL), cell;
        char buf[64], *href = ww_web__href("/interventions/", r->slug);
        snprintf(buf, sizeof buf, "%d", r->rank);
        ww_web__elc(tr, "td", "num", buf);
        cell = ww_web__el(tr, "th", NULL);
        ww_web__attr(cell, "scope", "row");
        if (href) ww_web__link(cell, href, r->name);
        free(href);
        if (r->is_example) ww_web__elc(cell, "span", "badge", "example");
        if (r->provisional) ww_web__elc(cell, "span", "badge", "provisional");
        ww_web__el(tr, "td", r->outcome_domain);
        fmt_num(buf, sizeof buf, r->estimate, 2);
        ww_web__elc(tr, "td", "num", buf);
        fmt_ci(buf, sizeof buf, r->ci_low, r->ci_high);
        ww_web__elc(tr, "td", "num", buf);
        snprintf(buf, sizeof buf, "%d", r->n_studies);
        ww_web__elc(tr, "td", "num", buf);
        if (r->n_participants >= 0)
            snprintf(buf, sizeof buf, "%ld", r->n_participants);
        else
            snprintf(buf, sizeof buf, "–");
        ww_web__elc(tr, "td", "num", buf);
        ww_web__el(tr, "td", r->certainty && *r->certainty ? r->certainty : "not rated");
        ww_web__elc(tr, "td", "verdict", r->verdict);
        ww_web__elc(tr, "td", "why", r->why);
    }
    ww_web__page_send(&page, rs, MHD_HTTP_OK);
done:
    ww_query_result_free(res);
}

static void case_form(xmlNodePtr parent, const char *slug)
{
    xmlNodePtr form = ww_web__el(parent, "form", NULL), fs, div, label, input, sel, opt, button;
    ww_web__attr(form, "method", "get");
    ww_web__attr(form, "action", "/case");
    ww_web__attr(form, "class", "case-form");
    input = ww_web__el(form, "input", NULL);
    ww_web__attr(input, "type", "hidden");
    ww_web__attr(input, "name", "intervention");
    ww_web__attr(input, "value", slug);
    fs = ww_web__el(form, "fieldset", NULL);
    ww_web__el(fs, "legend", "Make a business case");

    div = ww_web__elc(fs, "div", "field", NULL);
    label = ww_web__el(div, "label", "Participants");
    ww_web__attr(label, "for", "participants");
    input = ww_web__el(div, "input", NULL);
    ww_web__attr(input, "type", "number");
    ww_web__attr(input, "id", "participants");
    ww_web__attr(input, "name", "participants");
    ww_web__attr(input, "min", "1");
    ww_web__attr(input, "value", "100");

    div = ww_web__elc(fs, "div", "field", NULL);
    label = ww_web__el(div, "label", "Horizon (years)");
    ww_web__attr(label, "for", "horizon");
    input = ww_web__el(div, "input", NULL);
    ww_web__attr(input, "type", "number");
    ww_web__attr(input, "id", "horizon");
    ww_web__attr(input, "name", "horizon");
    ww_web__attr(input, "min", "1");
    ww_web__attr(input, "max", "1000");
    ww_web__attr(input, "value", "10");

    div = ww_web__elc(fs, "div", "field", NULL);
    label = ww_web__el(div, "label", "Discount schedule");
    ww_web__attr(label, "for", "discount");
    sel = ww_web__el(div, "select", NULL);
    ww_web__attr(sel, "id", "discount");
    ww_web__attr(sel, "name", "discount");
    opt = ww_web__el(sel, "option", "HM Treasury Green Book (3.5%, declining)");
    ww_web__attr(opt, "value", "greenbook");
    opt = ww_web__el(sel, "option", "Health (1.5%)");
    ww_web__attr(opt, "value", "health");
    button = ww_web__el(fs, "button", "Make the case");
    ww_web__attr(button, "type", "submit");
}

/* ---- the forest plot ------------------------------------------------- */

#define FOREST_WIDTH 760
#define FOREST_LABEL_W 330
#define FOREST_PLOT_W 260
#define FOREST_ROW_H 24

static xmlNodePtr svg_el(xmlNodePtr parent, const char *tag)
{
    return ww_web__el(parent, tag, NULL);
}

static void svg_num(xmlNodePtr n, const char *name, double v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.1f", v);
    ww_web__attr(n, name, buf);
}

static void svg_text(xmlNodePtr svg, double x, double y, const char *anchor, const char *cls,
                     const char *text)
{
    xmlNodePtr t = ww_web__el(svg, "text", text);
    svg_num(t, "x", x);
    svg_num(t, "y", y);
    ww_web__attr(t, "text-anchor", anchor);
    ww_web__attr(t, "class", cls);
}

/* Every SMD outcome (signed so that positive is beneficial, as pooled
 * results are) and every pooled result, as an inline SVG built like the
 * rest of the page: a tree, text escaped by the serializer. Outcomes on
 * other scales (odds ratios, ...) are in the table below it. */
static void forest_plot(xmlNodePtr parent, const ww_evidence *ev)
{
    size_t n_out = ww_evidence_outcome_count(ev), n_pool = ww_evidence_pooled_count(ev), rows = 0;
    double lo = -0.25, hi = 0.25, x0, height;
    xmlNodePtr fig, svg, title, axis;
    int row = 0;
    char buf[96];

    for (size_t i = 0; i < n_out; i++) {
        const ww_evidence_outcome *o = ww_evidence_outcome_at(ev, i);
        if (!o->metric || strcmp(o->metric, "SMD") != 0 || o->higher_is_better < 0) continue;
        if (!isfinite(o->ci_low) || !isfinite(o->ci_high)) continue;
        double sign = o->higher_is_better ? 1 : -1, a = sign * o->ci_low, b = sign * o->ci_high;
        lo = fmin(lo, fmin(a, b));
        hi = fmax(hi, fmax(a, b));
        rows++;
    }
    for (size_t i = 0; i < n_pool; i++) {
        const ww_evidence_pooled *p = ww_evidence_pooled_at(ev, i);
        if (!isfinite(p->ci_low) || !isfinite(p->ci_high)) continue;
        lo = fmin(lo, p->ci_low);
        hi = fmax(hi, p->ci_high);
        rows++;
    }
    if (!rows) return;
    lo = fmax(lo, -3);
    hi = fmin(hi, 3);
    height = (double)(rows + 2) * FOREST_ROW_H + 10;
#define XPOS(v) (FOREST_LABEL_W + (fmin(fmax((v), lo), hi) - lo) / (hi - lo) * FOREST_PLOT_W)
    fig = ww_web__elc(parent, "figure", "forest", NULL);
    svg = svg_el(fig, "svg");
    ww_web__attr(svg, "xmlns", "http://www.w3.org/2000/svg");
    snprintf(buf, sizeof buf, "0 0 %d %.0f", FOREST_WIDTH, height);
    ww_web__attr(svg, "viewBox", buf);
    ww_web__attr(svg, "role", "img");
    ww_web__attr(svg, "aria-labelledby", "forest-title");
    title = ww_web__el(svg, "title",
                       "Forest plot: each study's standardised mean difference with "
                       "its 95% CI, and the pooled effect per outcome domain "
                       "(diamonds); right of the line is beneficial");
    ww_web__attr(title, "id", "forest-title");
    x0 = XPOS(0);
    axis = svg_el(svg, "line");
    svg_num(axis, "x1", x0);
    svg_num(axis, "x2", x0);
    svg_num(axis, "y1", 4);
    svg_num(axis, "y2", height - FOREST_ROW_H - 4);
    ww_web__attr(axis, "class", "zero");
    for (size_t i = 0; i < n_out; i++) {
        const ww_evidence_outcome *o = ww_evidence_outcome_at(ev, i);
        xmlNodePtr l, r;
        double sign, est, a, b, y;
        char label[128];
        if (!o->metric || strcmp(o->metric, "SMD") != 0 || o->higher_is_better < 0) continue;
        if (!isfinite(o->ci_low) || !isfinite(o->ci_high)) continue;
        sign = o->higher_is_better ? 1 : -1;
        est = sign * o->estimate;
        a = fmin(sign * o->ci_low, sign * o->ci_high);
        b = fmax(sign * o->ci_low, sign * o->ci_high);
        y = (row + 1) * FOREST_ROW_H;
        snprintf(label, sizeof label, "%.40s%s: %.28s%s", o->study_title ? o->study_title : "study",
                 o->study_title && strlen(o->study_title) > 40 ? "…" : "", o->outcome,
                 strlen(o->outcome) > 28 ? "…" : "");
        svg_text(svg, 4, y + 4, "start", "label", label);
        l = svg_el(svg, "line");
        svg_num(l, "x1", XPOS(a));
        svg_num(l, "x2", XPOS(b));
        svg_num(l, "y1", y);
        svg_num(l, "y2", y);
        ww_web__attr(l, "class", "ci");
        r = svg_el(svg, "rect");
        svg_num(r, "x", XPOS(est) - 4);
        svg_num(r, "y", y - 4);
        svg_num(r, "width", 8);
        svg_num(r, "height", 8);
        ww_web__attr(r, "class", "est");
        snprintf(label, sizeof label, "%.2f [%.2f, %.2f]", est, a, b);
        svg_text(svg, FOREST_WIDTH - 4, y + 4, "end", "value", label);
        row++;
    }
    for (size_t i = 0; i < n_pool; i++) {
        const ww_evidence_pooled *p = ww_evidence_pooled_at(ev, i);
        xmlNodePtr d;
        double y = (row + 1) * FOREST_ROW_H;
        char label[160];
        if (!isfinite(p->ci_low) || !isfinite(p->ci_high)) continue;
        snprintf(label, sizeof label, "Pooled, %.40s (k = %d)", p->domain, p->k);
        svg_text(svg, 4, y + 4, "start", "label pooled", label);
        d = svg_el(svg, "polygon");
        snprintf(label, sizeof label, "%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f", XPOS(p->ci_low), y,
                 XPOS(p->estimate), y - 7, XPOS(p->ci_high), y, XPOS(p->estimate), y + 7);
        ww_web__attr(d, "points", label);
        ww_web__attr(d, "class", "pooled");
        snprintf(label, sizeof label, "%.2f [%.2f, %.2f]", p->estimate, p->ci_low, p->ci_high);
        svg_text(svg, FOREST_WIDTH - 4, y + 4, "end", "value pooled", label);
        row++;
    }
    snprintf(buf, sizeof buf, "%.2f", lo);
    svg_text(svg, XPOS(lo), height - 10, "start", "tick", buf);
    svg_text(svg, x0, height - 10, "middle", "tick", "0");
    snprintf(buf, sizeof buf, "%.2f", hi);
    svg_text(svg, XPOS(hi), height - 10, "end", "tick", buf);
#undef XPOS
    ww_web__el(fig, "figcaption",
               "Standardised mean differences, positive = beneficial (an outcome where lower is "
               "better is shown with its sign turned). Outcomes on other scales are in the table.");
}

void ww_web__page_intervention(ww_web_req *rq, ww_web_resp *rs, const char *slug)
{
    ww_evidence *ev = NULL;
    const ww_evidence_about *a;
    ww_page page;
    xmlNodePtr dl, tbody, p;
    size_t n;
    int error;
    char buf[128];
    static const char *const pooled_cols[] = {"Outcome domain", "Effect (SMD)", "95% CI",
                                              "Studies",        "Participants", "I²",
                                              "Certainty",      "Method",       NULL};
    static const char *const outcome_cols[] = {"Study",  "Design", "Grade (0–5)", "Outcome",
                                               "Effect", "95% CI", "N",           "Pooled",
                                               "Source", NULL};

    if ((error = ww_evidence_open(&ev, rq->db, slug)) < 0)
        return ww_web__error_page(rs, ww_web__status_for(error), ww_error_last());
    a = ww_evidence_intervention(ev);
    if (ww_web__page_new(&page, a->name, NULL) < 0) goto done;
    ww_web__el(page.main, "h1", a->name);
    if (a->is_example)
        ww_web__elc(page.main, "p", "notice", "An illustrative example, not real evidence.");
    if (a->placeholder) ww_web__elc(page.main, "p", "notice", a->placeholder);
    dl = ww_web__elc(page.main, "dl", "about", NULL);
    ww_web__dl_item(dl, "What it is", a->description);
    ww_web__dl_item(dl, "Population", a->population);
    ww_web__dl_item(dl, "Setting", a->setting);
    ww_web__dl_item(dl, "Delivery", a->delivery);
    if (isfinite(a->cost_per_participant)) {
        char cost[160], money[48];
        fmt_money(money, sizeof money, a->cost_per_participant);
        snprintf(cost, sizeof cost, "%s per participant%s%.0d%s%s%s", money,
                 a->cost_price_year >= 0 ? " (" : "",
                 a->cost_price_year >= 0 ? a->cost_price_year : 0,
                 a->cost_price_year >= 0 ? " prices)" : "", a->cost_payer ? ", paid by " : "",
                 a->cost_payer ? a->cost_payer : "");
        ww_web__dl_item(dl, "Cost", cost);
    }
    if (ww_evidence_issue_count(ev)) {
        xmlNodePtr dd;
        ww_web__el(dl, "dt", "Presenting issues");
        dd = ww_web__el(dl, "dd", NULL);
        for (size_t i = 0; i < ww_evidence_issue_count(ev); i++) {
            char *href = ww_web__href("/search?q=", ww_evidence_issue(ev, i));
            if (i) ww_web__text(dd, ", ");
            if (href) ww_web__link(dd, href, ww_evidence_issue(ev, i));
            free(href);
        }
    }

    ww_web__el(page.main, "h2", "Pooled results");
    n = ww_evidence_pooled_count(ev);
    if (!n)
        ww_web__el(page.main, "p", "Nothing has been pooled for this intervention.");
    else {
        tbody = table_with_head(
            page.main, "Pooled effect by outcome domain (positive = beneficial)", pooled_cols);
        for (size_t i = 0; i < n; i++) {
            const ww_evidence_pooled *s = ww_evidence_pooled_at(ev, i);
            xmlNodePtr tr = ww_web__el(tbody, "tr", NULL);
            th(tr, s->domain, "row");
            fmt_num(buf, sizeof buf, s->estimate, 2);
            ww_web__elc(tr, "td", "num", buf);
            fmt_ci(buf, sizeof buf, s->ci_low, s->ci_high);
            ww_web__elc(tr, "td", "num", buf);
            snprintf(buf, sizeof buf, "%d", s->k);
            ww_web__elc(tr, "td", "num", buf);
            if (s->n_participants >= 0)
                snprintf(buf, sizeof buf, "%ld", s->n_participants);
            else
                snprintf(buf, sizeof buf, "–");
            ww_web__elc(tr, "td", "num", buf);
            if (isfinite(s->i2))
                snprintf(buf, sizeof buf, "%.0f%%", s->i2);
            else
                snprintf(buf, sizeof buf, "–");
            ww_web__elc(tr, "td", "num", buf);
            ww_web__el(tr, "td", s->certainty ? s->certainty : "not rated");
            ww_web__el(tr, "td", s->method);
        }
    }

    forest_plot(page.main, ev);

    ww_web__el(page.main, "h2", "Studies and outcomes");
    n = ww_evidence_outcome_count(ev);
    if (!n)
        ww_web__el(page.main, "p", "No outcomes are stored.");
    else {
        tbody = table_with_head(page.main, "Every stored outcome, by study", outcome_cols);
        for (size_t i = 0; i < n; i++) {
            const ww_evidence_outcome *o = ww_evidence_outcome_at(ev, i);
            xmlNodePtr tr = ww_web__el(tbody, "tr", NULL), cell;
            char title[600];
            snprintf(title, sizeof title, "%s%s%.0d%s",
                     o->study_title ? o->study_title : "(untitled)", o->year >= 0 ? " (" : "",
                     o->year >= 0 ? o->year : 0, o->year >= 0 ? ")" : "");
            cell = th(tr, title, "row");
            if (o->provisional) ww_web__elc(cell, "span", "badge", "provisional");
            if (o->withdrawn_reason) ww_web__elc(cell, "span", "badge", "withdrawn");
            ww_web__el(tr, "td", o->design);
            if (o->rigour_level >= 0)
                snprintf(buf, sizeof buf, "%d", o->rigour_level);
            else
                snprintf(buf, sizeof buf, "not graded");
            ww_web__elc(tr, "td", "num", buf);
            cell = ww_web__el(tr, "td", o->outcome);
            if (o->timepoint) ww_web__textf(cell, " at %s", o->timepoint);
            ww_web__elc(cell, "span", "dir",
                        o->higher_is_better < 0 ? "direction unknown"
                        : o->higher_is_better   ? "higher is better"
                                                : "lower is better");
            if (o->metric) {
                snprintf(buf, sizeof buf, "%s %.2f", o->metric, o->estimate);
                ww_web__elc(tr, "td", "num", buf);
                fmt_ci(buf, sizeof buf, o->ci_low, o->ci_high);
                ww_web__elc(tr, "td", "num", buf);
            } else {
                ww_web__el(tr, "td", "none that can be weighed");
                ww_web__elc(tr, "td", "num", "–");
            }
            if (o->n_participants >= 0)
                snprintf(buf, sizeof buf, "%ld", o->n_participants);
            else
                snprintf(buf, sizeof buf, "–");
            ww_web__elc(tr, "td", "num", buf);
            ww_web__el(tr, "td", o->pooled ? "yes" : "no");
            ww_web__elc(tr, "td", "loc", o->location);
        }
    }
    ww_web__el(page.main, "h2", "Business case");
    ww_web__el(page.main, "p",
               "What it costs, what it saves, and whose budget gains: present values in one price "
               "base, by agency, with a Monte Carlo of the chance the case pays.");
    case_form(page.main, a->slug);
    p = ww_web__el(page.main, "p", NULL);
    {
        char *href = ww_web__href("/api/v1/interventions/", a->slug);
        if (href) ww_web__link(p, href, "This evidence as JSON");
        free(href);
    }
    ww_web__page_send(&page, rs, MHD_HTTP_OK);
done:
    ww_evidence_free(ev);
}

void ww_web__page_case(ww_web_req *rq, ww_web_resp *rs)
{
    const char *iv = ww_web__arg(rq, "intervention");
    ww_case_opts opts;
    ww_case_result *res = NULL;
    const ww_case_summary *s;
    ww_page page;
    xmlNodePtr dl, tbody, p;
    char why[256], buf[64], title[300];
    int error;
    static const char *const cols[] = {"Agency", "PV costs", "PV benefits", "Net", NULL};

    if (!iv || !*iv) return ww_web__error_page(rs, MHD_HTTP_BAD_REQUEST, "name an intervention");
    if (ww_web__case_opts(rq, &opts, why, sizeof why) < 0)
        return ww_web__error_page(rs, MHD_HTTP_BAD_REQUEST, why);
    if ((error = ww_case_run(&res, rq->db, iv, &opts)) < 0) {
        ww_web__error_page(rs, ww_web__status_for(error), ww_error_last());
        goto done;
    }
    s = ww_case_result_summary(res);
    {
        /* the intervention's name for the heading; its slug if it cannot be read */
        ww_evidence *ev = NULL;
        if (ww_evidence_open(&ev, rq->db, iv) == 0)
            snprintf(title, sizeof title, "Business case: %.200s",
                     ww_evidence_intervention(ev)->name);
        else
            snprintf(title, sizeof title, "Business case: %.200s", iv);
        ww_evidence_free(ev);
    }
    if (!s || ww_web__page_new(&page, title, NULL) < 0) goto done;
    ww_web__el(page.main, "h1", title);
    p = ww_web__el(page.main, "p", NULL);
    ww_web__textf(p, "For %ld participants over %d years, in %d prices, discounted to year 0. ",
                  s->participants, s->horizon_years, s->price_year);
    {
        char *href = ww_web__href("/interventions/", iv);
        if (href) ww_web__link(p, href, "The evidence behind it");
        free(href);
    }
    dl = ww_web__elc(page.main, "dl", "summary", NULL);
    fmt_money(buf, sizeof buf, s->pv_costs);
    ww_web__dl_item(dl, "Present value of costs", buf);
    fmt_money(buf, sizeof buf, s->pv_benefits);
    ww_web__dl_item(dl, "Present value of benefits", buf);
    fmt_money(buf, sizeof buf, s->npv);
    ww_web__dl_item(dl, "Net present value", buf);
    fmt_num(buf, sizeof buf, s->bcr, 2);
    ww_web__dl_item(dl, "Benefit-cost ratio", buf);
    if (isfinite(s->bcr_p5) && isfinite(s->bcr_p95)) {
        snprintf(buf, sizeof buf, "%.2f to %.2f", s->bcr_p5, s->bcr_p95);
        ww_web__dl_item(dl, "Benefit-cost ratio, 90% range", buf);
    }
    if (isfinite(s->p_npv_positive)) {
        snprintf(buf, sizeof buf, "%.0f%% (%ld draws, seed %lu)", 100 * s->p_npv_positive, s->draws,
                 s->seed);
        ww_web__dl_item(dl, "Chance the case pays", buf);
    }
    if (s->payback_year >= 0)
        snprintf(buf, sizeof buf, "year %d", s->payback_year);
    else
        snprintf(buf, sizeof buf, "not within the horizon");
    ww_web__dl_item(dl, "Payback", buf);
    tbody = table_with_head(page.main, "Who pays, who gains", cols);
    for (size_t i = 0; i < ww_case_result_agency_count(res); i++) {
        const ww_case_agency *ag = ww_case_result_agency(res, i);
        xmlNodePtr tr = ww_web__el(tbody, "tr", NULL);
        th(tr, ag->agency, "row");
        fmt_money(buf, sizeof buf, ag->pv_costs);
        ww_web__elc(tr, "td", "num", buf);
        fmt_money(buf, sizeof buf, ag->pv_benefits);
        ww_web__elc(tr, "td", "num", buf);
        fmt_money(buf, sizeof buf, ag->net);
        ww_web__elc(tr, "td", "num", buf);
    }
    if (ww_case_result_warning_count(res)) {
        xmlNodePtr ul;
        ww_web__el(page.main, "h2", "Warnings");
        ul = ww_web__el(page.main, "ul", NULL);
        for (size_t i = 0; i < ww_case_result_warning_count(res); i++)
            ww_web__el(ul, "li", ww_case_result_warning(res, i));
    }
    ww_web__page_send(&page, rs, MHD_HTTP_OK);
done:
    ww_case_result_free(res);
}

void ww_web__page_issues(ww_web_req *rq, ww_web_resp *rs)
{
    ww_issue_list *list = NULL;
    ww_page page;
    xmlNodePtr tbody;
    int error;
    static const char *const cols[] = {"Issue", "Broader issue", "Outcome domains", NULL};

    if ((error = ww_issue_list_open(&list, rq->db)) < 0)
        return ww_web__error_page(rs, ww_web__status_for(error), ww_error_last());
    if (ww_web__page_new(&page, "Presenting issues", "issues") < 0) goto done;
    ww_web__el(page.main, "h1", "Presenting issues");
    ww_web__el(page.main, "p",
               "The taxonomy a search is matched against: each issue with its synonyms, narrower "
               "issues and the outcome domains that answer it.");
    tbody = table_with_head(page.main, "The presenting-issue taxonomy", cols);
    for (size_t i = 0; i < ww_issue_list_count(list); i++) {
        const ww_issue_item *it = ww_issue_list_at(list, i);
        xmlNodePtr tr = ww_web__el(tbody, "tr", NULL), cell = ww_web__el(tr, "th", NULL);
        char *href = ww_web__href("/search?q=", it->slug);
        ww_web__attr(cell, "scope", "row");
        if (href) ww_web__link(cell, href, it->label);
        free(href);
        ww_web__el(tr, "td", it->parent[0] ? it->parent : "–");
        {
            /* "a,b,c" shown as "a, b, c" */
            xmlNodePtr td = ww_web__el(tr, "td", NULL);
            for (const char *d = it->domains; *d;) {
                size_t len = strcspn(d, ",");
                char part[256];
                snprintf(part, sizeof part, "%s%.*s", d == it->domains ? "" : ", ", (int)len, d);
                ww_web__text(td, part);
                d += len;
                if (*d == ',') d++;
            }
        }
    }
    ww_web__page_send(&page, rs, MHD_HTTP_OK);
done:
    ww_issue_list_free(list);
}

static void submit_form(xmlNodePtr parent)
{
    xmlNodePtr form = ww_web__el(parent, "form", NULL), fs, div, label, input, hint, button;
    ww_web__attr(form, "method", "post");
    ww_web__attr(form, "action", "/submit");
    ww_web__attr(form, "enctype", "multipart/form-data");
    fs = ww_web__el(form, "fieldset", NULL);
    ww_web__el(fs, "legend", "Submit pilot results");

    div = ww_web__elc(fs, "div", "field", NULL);
    label = ww_web__el(div, "label", "API token");
    ww_web__attr(label, "for", "token");
    hint = ww_web__elc(div, "p", "hint",
                       "Given to you by the repository's maintainers (whatworks token add).");
    ww_web__attr(hint, "id", "token-hint");
    input = ww_web__el(div, "input", NULL);
    ww_web__attr(input, "type", "password");
    ww_web__attr(input, "id", "token");
    ww_web__attr(input, "name", "token");
    ww_web__attr(input, "autocomplete", "off");
    ww_web__attr(input, "aria-describedby", "token-hint");

    div = ww_web__elc(fs, "div", "field", NULL);
    label = ww_web__el(div, "label", "Submission file (XML or pilot CSV)");
    ww_web__attr(label, "for", "file");
    input = ww_web__el(div, "input", NULL);
    ww_web__attr(input, "type", "file");
    ww_web__attr(input, "id", "file");
    ww_web__attr(input, "name", "file");
    ww_web__attr(input, "accept", ".xml,.csv,application/xml,text/xml,text/csv");
    ww_web__attr(input, "required", "required");

    div = ww_web__elc(fs, "div", "field check", NULL);
    input = ww_web__el(div, "input", NULL);
    ww_web__attr(input, "type", "checkbox");
    ww_web__attr(input, "id", "dry_run");
    ww_web__attr(input, "name", "dry_run");
    ww_web__attr(input, "value", "1");
    label = ww_web__el(div, "label", "Only check it; store nothing");
    ww_web__attr(label, "for", "dry_run");

    button = ww_web__el(fs, "button", "Submit");
    ww_web__attr(button, "type", "submit");
}

void ww_web__page_submit_form(ww_web_req *rq, ww_web_resp *rs)
{
    ww_page page;
    xmlNodePtr p;
    if (ww_web__page_new(&page, "Submit evidence", "submit") < 0) return;
    ww_web__el(page.main, "h1", "Submit evidence");
    p = ww_web__el(
        page.main, "p",
        "Evaluators: upload a pilot's results in the submission format (XML) or the pilot "
        "CSV template. It is checked at once; you get every problem with its line and "
        "field, and the provisional rigour grade your study would get. ");
    ww_web__link(p, "/api/v1/openapi.json", "Scripts can POST to /api/v1/submissions.");
    submit_form(page.main);
    ww_web__page_send(&page, rs, MHD_HTTP_OK);
}

/* ---- the multipart form of /submit ------------------------------------ */

typedef struct form_data {
    char token[300];
    size_t token_len;
    char *file;
    size_t file_len, file_alloc, cap;
    char filename[128];
    int dry_run;
    int too_large;
} form_data;

static enum MHD_Result form_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *filename, const char *content_type,
                                  const char *transfer_encoding, const char *data, uint64_t off,
                                  size_t size)
{
    form_data *f = cls;
    if (strcmp(key, "token") == 0) {
        if (f->token_len + size >= sizeof f->token) return MHD_YES; /* too long: no such token */
        memcpy(f->token + f->token_len, data, size);
        f->token_len += size;
        f->token[f->token_len] = '\0';
    } else if (strcmp(key, "dry_run") == 0) {
        f->dry_run = size > 0 && data[0] == '1';
    } else if (strcmp(key, "file") == 0) {
        if (filename && !f->filename[0]) snprintf(f->filename, sizeof f->filename, "%s", filename);
        if (f->file_len + size > f->cap) {
            f->too_large = 1;
            return MHD_NO;
        }
        if (f->file_len + size + 1 > f->file_alloc) {
            size_t na = f->file_alloc ? f->file_alloc : 8192;
            char *p;
            while (na < f->file_len + size + 1) na *= 2;
            if (!(p = realloc(f->file, na))) return MHD_NO;
            f->file = p;
            f->file_alloc = na;
        }
        memcpy(f->file + f->file_len, data, size);
        f->file_len += size;
        f->file[f->file_len] = '\0';
    }
    return MHD_YES;
}

static void report_section(xmlNodePtr main, ww_import_report *rep)
{
    size_t nd = ww_import_report_diag_count(rep);
    const char *grades = ww_import_report_grades(rep);
    xmlNodePtr dl = ww_web__elc(main, "dl", "summary", NULL);
    char buf[64];
    ww_web__dl_item(dl, "Format", ww_import_report_format(rep));
    ww_web__dl_item(dl, "SHA-256", ww_import_report_sha256(rep));
    snprintf(
        buf, sizeof buf, "%zu %s, %zu %s, %zu %s", ww_import_report_studies(rep),
        ww_import_report_studies(rep) == 1 ? "study" : "studies", ww_import_report_outcomes(rep),
        ww_import_report_outcomes(rep) == 1 ? "outcome" : "outcomes", ww_import_report_effects(rep),
        ww_import_report_effects(rep) == 1 ? "effect" : "effects");
    ww_web__dl_item(dl, "Read", buf);
    ww_web__el(main, "h2", "Provisional grade");
    if (grades && *grades)
        ww_web__elc(main, "pre", "grade", grades);
    else
        ww_web__el(main, "p", "No study could be graded.");
    ww_web__el(main, "h2", "Validation report");
    if (!nd)
        ww_web__el(main, "p", "No problems found.");
    else {
        static const char *const cols[] = {"Line", "Field", "Problem", "Severity", NULL};
        xmlNodePtr tbody = table_with_head(main, "Every problem found", cols);
        for (size_t i = 0; i < nd; i++) {
            const ww_diag *d = ww_import_report_diag(rep, i);
            xmlNodePtr tr = ww_web__el(tbody, "tr", NULL);
            if (d->line > 0)
                snprintf(buf, sizeof buf, "%ld", d->line);
            else
                snprintf(buf, sizeof buf, "–");
            ww_web__elc(tr, "td", "num", buf);
            ww_web__el(tr, "td", d->field && *d->field ? d->field : "–");
            ww_web__el(tr, "td", d->message);
            ww_web__elc(tr, "td", d->is_warning ? "warn" : "err",
                        d->is_warning ? "warning" : "error");
        }
    }
}

void ww_web__page_submit(ww_web_req *rq, ww_web_resp *rs)
{
    form_data f;
    struct MHD_PostProcessor *pp;
    ww_import_report *rep = NULL;
    ww_page page;
    const char *format = NULL, *dot;
    int status = 0;
    char why[256];

    memset(&f, 0, sizeof f);
    f.cap = SIZE_MAX; /* the body was already held to the server's limit */
    if (!(pp = MHD_create_post_processor(rq->conn, 64 * 1024, form_field, &f)))
        return ww_web__error_page(rs, MHD_HTTP_BAD_REQUEST,
                                  "send the form as multipart/form-data (the form on /submit)");
    if (rq->body_len && MHD_post_process(pp, rq->body, rq->body_len) != MHD_YES && !f.too_large) {
        MHD_destroy_post_processor(pp);
        free(f.file);
        return ww_web__error_page(rs, MHD_HTTP_BAD_REQUEST, "the form could not be read");
    }
    MHD_destroy_post_processor(pp);
    if (!f.token[0] || ww_token_verify(rq->db, f.token, rq->who, sizeof rq->who) < 0) {
        memset(f.token, 0, sizeof f.token);
        free(f.file);
        ww_web__error_page(rs, MHD_HTTP_UNAUTHORIZED,
                           "Submissions need a valid API token. Nothing was stored. Go back to the "
                           "form at /submit and enter the token you were given.");
        return;
    }
    memset(f.token, 0, sizeof f.token);
    if (!f.file_len) {
        free(f.file);
        return ww_web__error_page(rs, MHD_HTTP_BAD_REQUEST, "choose a file to submit");
    }
    dot = strrchr(f.filename, '.');
    if (dot && strcasecmp(dot, ".csv") == 0)
        format = "pilot-csv";
    else if (dot && strcasecmp(dot, ".xml") == 0)
        format = "submission";
    ww_web__submit(rq, f.file, f.file_len, format, f.dry_run, &rep, &status, why, sizeof why);
    free(f.file);
    if (!rep) return ww_web__error_page(rs, status, why);
    if (ww_web__page_new(&page, status == 201 ? "Submission stored" : "Submission checked",
                         "submit") == 0) {
        const char *head = status == 201   ? "Submission stored"
                           : status == 422 ? "Submission rejected"
                           : ww_import_report_status(rep) == WW_IMPORT_ALREADY ? "Already stored"
                                                                               : "Submission valid";
        ww_web__el(page.main, "h1", head);
        ww_web__elc(page.main, "p", status == 422 ? "error" : "ok",
                    status == 201   ? "Your submission passed validation and is stored."
                    : status == 422 ? "Nothing was stored: fix the problems below and submit again."
                    : ww_import_report_status(rep) == WW_IMPORT_ALREADY
                        ? "This exact file is already stored; nothing was changed."
                        : "It would be accepted (a check only: nothing was stored).");
        report_section(page.main, rep);
        ww_web__page_send(&page, rs, status);
    }
    ww_import_report_free(rep);
}
