/*
 * gmca_unit_costs.c — the Greater Manchester Unit Cost Database (New
 * Economy, now GMCA Research; v1.4, March 2015), read from the workbook
 * itself (format "gmca-unit-costs"). It emits unit costs only (the sink's
 * unit_cost callback), no evidence records: the business-case engine
 * prices flows with them (docs/case.md).
 *
 * The workbook's cost sheets (Crime, Education & Skills, Employment &
 * Economy, Fire, Health, Housing, Social Services) share one layout, which
 * the Guidance sheet describes: row 1 names the columns ("Cost code",
 * "Cost / saving detail", "Unit", "Agency bearing the cost / making the
 * fiscal saving", "Fiscal value", "Economic value", "Social value",
 * "Original source", "RAG assessment", "Comment"), row 2 their second level
 * ("Level 1", "Level 2"; "Estimated cost/saving", "Year", "Updated
 * cost/saving" under each value). Columns are found by those names, not by
 * position (Crime says "Fiscal Cost"); a sheet whose first row names no
 * "Cost code" and no fiscal column is not a cost sheet and is passed over
 * (Introduction, Guidance, Lookups, the update log). Every later row with a
 * cost code is a unit cost. The "Updated cost/saving" columns are the
 * workbook's own uprating to its chosen year (a formula over Lookups); they
 * are not read: the engine deflates from the stated price year with the
 * project's own series. The Introduction sheet's title and licence
 * statement are kept with every row.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "importers.h"
#include "xlsx.h"

#define GMCA_MAX_TEXT 65536

enum {
    C_CATEGORY,
    C_DETAIL,
    C_CODE,
    C_DESCRIPTION,
    C_UNIT,
    C_AGENCY,
    C_FISCAL,
    C_ECONOMIC,
    C_SOCIAL,
    C_SOURCE,
    C_RAG,
    C_COMMENT,
    N_COLS
};

/* Header prefixes in row 1 (case-insensitive). */
static const char *const header_prefix[N_COLS] = {"Outcome category",
                                                  "Outcome detail",
                                                  "Cost code",
                                                  "Cost / saving detail",
                                                  "Unit",
                                                  "Agency",
                                                  "Fiscal",
                                                  "Economic",
                                                  "Social",
                                                  "Original source",
                                                  "RAG assessment",
                                                  "Comment"};

typedef struct gmca_ctx {
    const ww_input *in;
    ww_diags *diags;
    const ww_sink *sink;
    ww_xlsx *x;
    const char *sheet;
    const char *dataset, *licence;
    int cols[N_COLS];
    int year_col[3]; /* the price-year columns of fiscal, economic, social; 0 none */
    int is_cost_sheet;
    size_t sheet_count; /* unit costs on this sheet */
    size_t total, cost_sheets;
    char **codes; /* every code seen, for duplicates */
    size_t n_codes, alloc_codes;
    int rc; /* sticky: a failure that is not about the data */
    /* one row's short fields */
    char code[256], category[1024], detail[1024], unit[1024], agency[1024], agency2[1024],
        year[3][64], rag[64];
} gmca_ctx;

#define STOP_SHEET 1

static void diag(gmca_ctx *c, int warning, long row, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void diag(gmca_ctx *c, int warning, long row, const char *field, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    if (c->rc < 0) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->rc = ww_diags__add(c->diags, warning, c->in->name, row, field, "%s", msg);
}

static int starts_with_ci(const char *s, const char *prefix)
{
    while (*s == ' ') s++;
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int contains_ci(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; *s; s++)
        if (strncasecmp(s, needle, n) == 0) return 1;
    return 0;
}

/* A cell's text with surrounding white space trimmed, in buf; "" if none. */
static const char *cell_text(char *buf, size_t n, const ww_xlsx_row *row, int col)
{
    const ww_xlsx_cell *cell = col ? ww_xlsx__cell(row, col) : NULL;
    const char *s;
    size_t len;
    if (!cell) return "";
    s = cell->text;
    while (*s && isspace((unsigned char)*s)) s++;
    len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1])) len--;
    if (len >= n) len = n - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return buf;
}

/* ---- the Introduction sheet: title and licence -------------------------------------- */

static int intro_row(void *ctx, const ww_xlsx_row *row)
{
    gmca_ctx *c = ctx;
    for (size_t i = 0; i < row->n_cells; i++) {
        const ww_xlsx_cell *cell = &row->cells[i];
        if (cell->type != WW_XLSX_TEXT) continue;
        if (!c->dataset && starts_with_ci(cell->text, "Unit Cost Database")) {
            /* "Unit Cost Database (v.1.4) - Introduction" -> the title */
            const char *dash = strstr(cell->text, " - ");
            size_t n = dash ? (size_t)(dash - cell->text) : strlen(cell->text);
            char *t = malloc(n + 1);
            if (!t) return ww__error_oom();
            memcpy(t, cell->text, n);
            t[n] = '\0';
            c->dataset = t;
        } else if (!c->licence && (contains_ci(cell->text, "licensed under") ||
                                   contains_ci(cell->text, "Creative Commons"))) {
            if (!(c->licence = strdup(cell->text))) return ww__error_oom();
        }
    }
    return 0;
}

/* ---- cost sheets -------------------------------------------------------------------- */

static void read_header(gmca_ctx *c, const ww_xlsx_row *row)
{
    memset(c->cols, 0, sizeof c->cols);
    for (size_t i = 0; i < row->n_cells; i++) {
        const ww_xlsx_cell *cell = &row->cells[i];
        if (cell->type != WW_XLSX_TEXT) continue;
        for (int k = 0; k < N_COLS; k++) {
            if (c->cols[k] || !starts_with_ci(cell->text, header_prefix[k])) continue;
            /* "Unit" must be the whole header, not "Unit cost ..." */
            if (k == C_UNIT && strcasecmp(cell->text, "Unit") != 0) continue;
            c->cols[k] = cell->col;
            break;
        }
    }
    c->is_cost_sheet = c->cols[C_CODE] && c->cols[C_FISCAL] && c->cols[C_DESCRIPTION];
}

/* Row 2: each value's "Year" column is the next one; said so, or warned. */
static void read_subheader(gmca_ctx *c, const ww_xlsx_row *row)
{
    static const int value_cols[3] = {C_FISCAL, C_ECONOMIC, C_SOCIAL};
    char buf[64];
    for (int k = 0; k < 3; k++) {
        int col = c->cols[value_cols[k]];
        c->year_col[k] = 0;
        if (!col) continue;
        if (strcasecmp(cell_text(buf, sizeof buf, row, col + 1), "Year") == 0) {
            c->year_col[k] = col + 1;
        } else {
            char name[8];
            ww_xlsx__col_name(name, sizeof name, col + 1);
            diag(c, 1, row->row, c->sheet,
                 "%s2 is not 'Year': the %s value's price year was not found", name,
                 header_prefix[value_cols[k]]);
        }
    }
}

static double value_of(gmca_ctx *c, const ww_xlsx_row *row, int col, const char *ref_code,
                       const char *what)
{
    const ww_xlsx_cell *cell = col ? ww_xlsx__cell(row, col) : NULL;
    double v;
    char name[8];
    if (!cell) return NAN;
    if (cell->type == WW_XLSX_NUMBER) return cell->number;
    if (cell->type == WW_XLSX_TEXT && ww__parse_double(&v, cell->text) == 0) return v;
    ww_xlsx__col_name(name, sizeof name, col);
    diag(c, 1, row->row, c->sheet, "%s%ld (%s, %s value): not a number: '%.60s'; left out", name,
         row->row, ref_code, what, cell->text);
    return NAN;
}

static int remember_code(gmca_ctx *c, const char *code, long row)
{
    char *copy;
    for (size_t i = 0; i < c->n_codes; i++)
        if (strcmp(c->codes[i], code) == 0) {
            diag(c, 1, row, c->sheet, "cost code %s appears more than once in the workbook", code);
            return 0;
        }
    if (c->n_codes == c->alloc_codes) {
        size_t na = c->alloc_codes ? 2 * c->alloc_codes : 256;
        char **p = realloc(c->codes, na * sizeof *p);
        if (!p) return ww__error_oom();
        c->codes = p;
        c->alloc_codes = na;
    }
    if (!(copy = strdup(code))) return ww__error_oom();
    c->codes[c->n_codes++] = copy;
    return 0;
}

static int cost_row(void *ctx, const ww_xlsx_row *row)
{
    gmca_ctx *c = ctx;
    char *description = NULL, *source = NULL, *comment = NULL, cell[24], colname[8];
    ww_unit_cost u;
    int error = 0;

    if (c->rc < 0) return c->rc;
    if (row->row == 1) {
        read_header(c, row);
        return c->is_cost_sheet ? 0 : STOP_SHEET;
    }
    if (!c->is_cost_sheet) return STOP_SHEET;
    if (row->row == 2) {
        read_subheader(c, row);
        return c->rc;
    }
    if (!*cell_text(c->code, sizeof c->code, row, c->cols[C_CODE])) {
        /* A costed row without a code cannot be named by a flow: said, not stored. */
        if (ww_xlsx__cell(row, c->cols[C_FISCAL]) &&
            ww_xlsx__cell(row, c->cols[C_FISCAL])->type == WW_XLSX_NUMBER) {
            char name[8];
            ww_xlsx__col_name(name, sizeof name, c->cols[C_CODE]);
            diag(c, 1, row->row, c->sheet, "%s%ld: a costed row with no cost code; not stored",
                 name, row->row);
        }
        return c->rc;
    }

    if (!(description = malloc(GMCA_MAX_TEXT)) || !(source = malloc(GMCA_MAX_TEXT)) ||
        !(comment = malloc(GMCA_MAX_TEXT))) {
        error = ww__error_oom();
        goto done;
    }
    memset(&u, 0, sizeof u);
    u.dataset = c->dataset;
    u.licence = c->licence;
    u.code = c->code;
    u.category = cell_text(c->category, sizeof c->category, row, c->cols[C_CATEGORY]);
    u.detail = cell_text(c->detail, sizeof c->detail, row, c->cols[C_DETAIL]);
    u.description = cell_text(description, GMCA_MAX_TEXT, row, c->cols[C_DESCRIPTION]);
    u.unit = cell_text(c->unit, sizeof c->unit, row, c->cols[C_UNIT]);
    u.agency = cell_text(c->agency, sizeof c->agency, row, c->cols[C_AGENCY]);
    u.agency_detail = c->cols[C_AGENCY]
                          ? cell_text(c->agency2, sizeof c->agency2, row, c->cols[C_AGENCY] + 1)
                          : "";
    u.fiscal = value_of(c, row, c->cols[C_FISCAL], c->code, "fiscal");
    u.economic = value_of(c, row, c->cols[C_ECONOMIC], c->code, "economic");
    u.social = value_of(c, row, c->cols[C_SOCIAL], c->code, "social");
    u.fiscal_price_year = cell_text(c->year[0], sizeof c->year[0], row, c->year_col[0]);
    u.economic_price_year = cell_text(c->year[1], sizeof c->year[1], row, c->year_col[1]);
    u.social_price_year = cell_text(c->year[2], sizeof c->year[2], row, c->year_col[2]);
    u.confidence = cell_text(c->rag, sizeof c->rag, row, c->cols[C_RAG]);
    u.source_text = cell_text(source, GMCA_MAX_TEXT, row, c->cols[C_SOURCE]);
    u.comment = cell_text(comment, GMCA_MAX_TEXT, row, c->cols[C_COMMENT]);
    u.sheet = c->sheet;
    ww_xlsx__col_name(colname, sizeof colname, c->cols[C_CODE]);
    snprintf(cell, sizeof cell, "%s%ld", colname, row->row);
    u.cell = cell;
    u.line = row->row;
    /* Empty strings are "not given". */
    {
        const char **fields[] = {&u.category,
                                 &u.detail,
                                 &u.description,
                                 &u.unit,
                                 &u.agency,
                                 &u.agency_detail,
                                 &u.fiscal_price_year,
                                 &u.economic_price_year,
                                 &u.social_price_year,
                                 &u.confidence,
                                 &u.source_text,
                                 &u.comment};
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            if (*fields[i] && !**fields[i]) *fields[i] = NULL;
    }
    if (!isfinite(u.fiscal) && !isfinite(u.economic) && !isfinite(u.social))
        diag(c, 1, row->row, c->sheet, "%s (%s): no fiscal, economic or social value", c->code,
             cell);
    if (isfinite(u.fiscal) && !u.fiscal_price_year)
        diag(c, 1, row->row, c->sheet, "%s (%s): a fiscal value with no price year", c->code, cell);
    if (isfinite(u.economic) && !u.economic_price_year)
        diag(c, 1, row->row, c->sheet, "%s (%s): an economic value with no price year", c->code,
             cell);
    if (isfinite(u.social) && !u.social_price_year)
        diag(c, 1, row->row, c->sheet, "%s (%s): a social value with no price year", c->code, cell);
    if (!u.description)
        diag(c, 1, row->row, c->sheet, "%s (%s): no cost / saving detail", c->code, cell);
    if ((error = remember_code(c, c->code, row->row)) < 0 || (error = c->rc) < 0) goto done;
    c->sheet_count++;
    c->total++;
    if (c->sink->unit_cost) error = c->sink->unit_cost(c->sink->ctx, &u);
done:
    free(description);
    free(source);
    free(comment);
    return error;
}

/* ---- the importer ------------------------------------------------------------------ */

static int gmca_sniff(const ww_input *in)
{
    const char *name = in->name ? in->name : "";
    size_t n = strlen(name);
    int score;
    if (in->size < 4 || memcmp(in->data, "PK\003\004", 4) != 0) return 0;
    if (n < 5 || strcasecmp(name + n - 5, ".xlsx") != 0) return 0;
    /* Only this importer reads workbooks so far; one named as a unit-cost
     * database is surely ours. */
    score = 30;
    if (contains_ci(name, "unit") && contains_ci(name, "cost")) score = 80;
    return score;
}

static int gmca_parse(const ww_input *in, ww_diags *diags, const ww_sink *sink)
{
    gmca_ctx c;
    long intro;
    int error = 0;

    memset(&c, 0, sizeof c);
    c.in = in;
    c.diags = diags;
    c.sink = sink;
    error = ww_xlsx__open(&c.x, in->data, in->size, in->name, NULL);
    if (error == WW_EDATA) {
        error = ww_diags__add(diags, 0, in->name, 0, "workbook", "%s", ww_error_last());
        goto done;
    }
    if (error < 0) goto done;

    if ((intro = ww_xlsx__sheet_find(c.x, "Introduction")) >= 0) {
        c.sheet = "Introduction";
        if ((error = ww_xlsx__read_sheet(c.x, (size_t)intro, intro_row, &c)) < 0) goto data_error;
    }
    if (!c.dataset)
        diag(&c, 1, 0, "Introduction",
             "no 'Unit Cost Database' title found: the workbook's version is not recorded");
    if (!c.licence)
        diag(&c, 1, 0, "Introduction",
             "no licence statement found: check the terms before using the figures");

    for (size_t i = 0; i < ww_xlsx__sheet_count(c.x) && c.rc == 0; i++) {
        c.sheet = ww_xlsx__sheet_name(c.x, i);
        c.is_cost_sheet = 0;
        c.sheet_count = 0;
        memset(c.year_col, 0, sizeof c.year_col);
        error = ww_xlsx__read_sheet(c.x, i, cost_row, &c);
        if (error == STOP_SHEET) error = 0;
        if (error < 0) goto data_error;
        if (c.is_cost_sheet) c.cost_sheets++;
    }
    if ((error = c.rc) < 0) goto done;
    if (!c.cost_sheets)
        error = ww_diags__add(diags, 0, in->name, 0, "workbook",
                              "no cost sheet: no sheet's first row names 'Cost code', 'Cost / "
                              "saving detail' and a fiscal value column");
    else if (!c.total)
        error = ww_diags__add(diags, 0, in->name, 0, "workbook",
                              "the cost sheets hold no row with a cost code");
    goto done;
data_error:
    if (error == WW_EDATA)
        error = ww_diags__add(diags, 0, in->name, 0, c.sheet ? c.sheet : "workbook", "%s",
                              ww_error_last());
done:
    ww_xlsx__free(c.x);
    for (size_t i = 0; i < c.n_codes; i++) free(c.codes[i]);
    free(c.codes);
    free((char *)c.dataset);
    free((char *)c.licence);
    if (error == 0 && c.rc < 0) error = c.rc;
    return error;
}

const ww_importer ww_importer_gmca_unit_costs = {
    "gmca-unit-costs",
    "Greater Manchester Unit Cost Database workbook (.xlsx): unit costs by agency",
    gmca_sniff,
    gmca_parse,
};
