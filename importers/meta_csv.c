/*
 * meta_csv.c — reading the studies of a meta-analysis CSV (meta_csv.h).
 * The bytes are split by the one CSV reader (csv_util.h: RFC 4180, a BOM and
 * CRLF are fine, each record knows its line, a quote inside an unquoted field
 * is kept as text as spreadsheets write it); this file maps the header onto
 * the columns the measure needs and turns each row into an effect
 * (evidence/effect.h) or a 2x2 table for evidence/meta.h to pool. A file is
 * untrusted input: every bad cell is reported with its line and column, and
 * nothing is pooled unless the whole file is clean.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_util.h"
#include "meta_csv.h"

/* A study label or a number is short; a longer field is refused. */
#define META_FIELD_MAX ((size_t)1024 * 1024)

typedef struct reader {
    const char *name;
    ww_diags *diags;
    int rc; /* sticky: WW_ENOMEM once adding a diagnostic failed */
} reader;

static void problem(reader *rd, long line, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(reader *rd, long line, const char *column, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    if (rd->rc < 0) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rd->rc = ww_diags__add(rd->diags, 0, rd->name, line, column, "%s", msg);
}

/* A whole cell as a finite number; "", "NA", "inf", "1e999", "12abc" are not. */
static int parse_number(double *out, const char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    if (!*s || strpbrk(s, "nNiIxX")) return -1;
    return ww__parse_double(out, s) == 0 ? 0 : -1;
}

/* Read column `name` of a row into *out; report and return -1 if it is not
 * a number. */
static int number(double *out, reader *rd, const ww_csv_record *row, long col, const char *name)
{
    const char *s = ww_csv__cell(row, col);
    if (parse_number(out, s) == 0) return 0;
    if (!*s)
        problem(rd, row->line, name, "empty; a number is needed");
    else
        problem(rd, row->line, name, "not a number: '%s'", s);
    return -1;
}

enum {
    COL_STUDY,
    COL_YI,
    COL_VI,
    COL_M1,
    COL_SD1,
    COL_N1,
    COL_M2,
    COL_SD2,
    COL_N2,
    COL_AI,
    COL_BI,
    COL_CI,
    COL_DI,
    COL_E1,
    COL_E2,
    COL_R,
    COL_N,
    N_COLS
};

static const char *const col_names[N_COLS] = {"study", "yi",  "vi", "m1", "sd1", "n1",
                                              "m2",    "sd2", "n2", "ai", "bi",  "ci",
                                              "di",    "e1",  "e2", "r",  "n"};

/* Report every column of `need` (a list ending in -1) that is missing. */
static int require(reader *rd, const long *cols, const int *need)
{
    int missing = 0;
    for (const int *c = need; *c >= 0; c++) {
        if (cols[*c] < 0) {
            problem(rd, 1, col_names[*c], "missing column");
            missing = 1;
        }
    }
    return missing ? -1 : 0;
}

/* 2x2 tables from events and totals (e1,n1,e2,n2). */
static int read_totals(ww_meta_table *t, reader *rd, const ww_csv_record *row, const long *cols)
{
    static const int c[4] = {COL_E1, COL_N1, COL_E2, COL_N2};
    double v[4];
    int bad = 0;
    for (int j = 0; j < 4; j++) bad |= number(&v[j], rd, row, cols[c[j]], col_names[c[j]]);
    if (bad) return -1;
    for (int j = 0; j < 4; j += 2) {
        const char *events = ww_csv__cell(row, cols[c[j]]);
        const char *total = ww_csv__cell(row, cols[c[j + 1]]);
        if (!(v[j] >= 0)) {
            problem(rd, row->line, col_names[c[j]], "must be >= 0, got %s", events);
            bad = -1;
        }
        if (!(v[j + 1] > 0)) {
            problem(rd, row->line, col_names[c[j + 1]], "must be > 0, got %s", total);
            bad = -1;
        } else if (v[j] > v[j + 1]) {
            problem(rd, row->line, col_names[c[j]], "%s events exceed the total %s = %s", events,
                    col_names[c[j + 1]], total);
            bad = -1;
        }
    }
    if (bad) return -1;
    t->ai = v[0];
    t->bi = v[1] - v[0];
    t->ci = v[2];
    t->di = v[3] - v[2];
    return 0;
}

/* 2x2 tables from the cells (ai,bi,ci,di). */
static int read_cells(ww_meta_table *t, reader *rd, const ww_csv_record *row, const long *cols)
{
    static const int c[4] = {COL_AI, COL_BI, COL_CI, COL_DI};
    double v[4];
    int bad = 0;
    for (int j = 0; j < 4; j++) {
        if (number(&v[j], rd, row, cols[c[j]], col_names[c[j]]) < 0) {
            bad = -1;
        } else if (!(v[j] >= 0)) {
            problem(rd, row->line, col_names[c[j]], "must be >= 0, got %s",
                    ww_csv__cell(row, cols[c[j]]));
            bad = -1;
        }
    }
    if (bad) return -1;
    if (v[0] + v[1] <= 0 || v[2] + v[3] <= 0) {
        problem(rd, row->line, v[0] + v[1] <= 0 ? "bi" : "di", "group %d has no participants",
                v[0] + v[1] <= 0 ? 1 : 2);
        return -1;
    }
    t->ai = v[0];
    t->bi = v[1];
    t->ci = v[2];
    t->di = v[3];
    return 0;
}

/* One row into study i. Returns 0, or -1 after reporting its problems. */
static int read_row(ww_meta_studies *s, size_t i, reader *rd, const ww_csv_record *row,
                    const long *cols, ww_meta_measure measure, int counts_as_totals)
{
    double v[6];
    ww_effect e;
    int bad = 0, rc = 0;

    switch (measure) {
    case WW_META_GEN:
        bad |= number(&v[0], rd, row, cols[COL_YI], "yi");
        bad |= number(&v[1], rd, row, cols[COL_VI], "vi");
        if (bad) return -1;
        if (!(v[1] > 0)) {
            problem(rd, row->line, "vi", "must be > 0, got %s", ww_csv__cell(row, cols[COL_VI]));
            return -1;
        }
        s->yi[i] = v[0];
        s->vi[i] = v[1];
        return 0;
    case WW_META_SMD:
    case WW_META_MD: {
        static const int c[6] = {COL_M1, COL_SD1, COL_N1, COL_M2, COL_SD2, COL_N2};
        for (int j = 0; j < 6; j++) bad |= number(&v[j], rd, row, cols[c[j]], col_names[c[j]]);
        if (bad) return -1;
        for (int j = 1; j < 6; j += 3) {
            if (!(v[j] > 0)) {
                problem(rd, row->line, col_names[c[j]], "must be > 0, got %s",
                        ww_csv__cell(row, cols[c[j]]));
                bad = -1;
            }
            if (!(v[j + 1] >= 2)) {
                problem(rd, row->line, col_names[c[j + 1]], "must be >= 2, got %s",
                        ww_csv__cell(row, cols[c[j + 1]]));
                bad = -1;
            }
        }
        if (bad) return -1;
        rc = measure == WW_META_SMD
                 ? ww_effect_smd(&e, v[0], v[1], v[2], v[3], v[4], v[5], WW_SMD_EXACT)
                 : ww_effect_md(&e, v[0], v[1], v[2], v[3], v[4], v[5]);
        break;
    }
    case WW_META_OR:
    case WW_META_RR:
    case WW_META_RD: {
        ww_meta_table *t = &s->tables[i];
        if ((counts_as_totals ? read_totals(t, rd, row, cols) : read_cells(t, rd, row, cols)) < 0)
            return -1;
        rc = measure == WW_META_OR   ? ww_effect_log_or(&e, t->ai, t->bi, t->ci, t->di)
             : measure == WW_META_RR ? ww_effect_log_rr(&e, t->ai, t->bi, t->ci, t->di)
                                     : ww_effect_rd(&e, t->ai, t->bi, t->ci, t->di);
        break;
    }
    case WW_META_ZCOR:
        bad |= number(&v[0], rd, row, cols[COL_R], "r");
        bad |= number(&v[1], rd, row, cols[COL_N], "n");
        if (bad) return -1;
        if (!(v[0] > -1 && v[0] < 1)) {
            problem(rd, row->line, "r", "must be > -1 and < 1, got %s",
                    ww_csv__cell(row, cols[COL_R]));
            bad = -1;
        }
        if (!(v[1] > 3)) {
            problem(rd, row->line, "n", "must be > 3, got %s", ww_csv__cell(row, cols[COL_N]));
            bad = -1;
        }
        if (bad) return -1;
        rc = ww_effect_zcor(&e, v[0], v[1]);
        break;
    default: return -1;
    }
    if (rc < 0) {
        problem(rd, row->line, ww_meta_measure_name(measure), "%s", ww_error_last());
        return -1;
    }
    s->yi[i] = e.yi;
    s->vi[i] = e.vi;
    return 0;
}

static int all_empty(const ww_csv_record *row)
{
    for (size_t f = 0; f < row->n_fields; f++)
        if (!ww_csv__is_blank(row->fields[f])) return 0;
    return 1;
}

/* Find the columns the measure needs; report those missing. */
static int map_columns(long *cols, int *counts_as_totals, reader *rd, const ww_csv_record *header,
                       ww_meta_measure measure)
{
    static const int base[] = {COL_STUDY, -1};
    static const int gen[] = {COL_YI, COL_VI, -1};
    static const int cont[] = {COL_M1, COL_SD1, COL_N1, COL_M2, COL_SD2, COL_N2, -1};
    static const int cells[] = {COL_AI, COL_BI, COL_CI, COL_DI, -1};
    static const int totals[] = {COL_E1, COL_N1, COL_E2, COL_N2, -1};
    static const int zcor[] = {COL_R, COL_N, -1};
    int bad = 0;

    *counts_as_totals = 0;
    for (int c = 0; c < N_COLS; c++) cols[c] = ww_csv__find_column(header, col_names[c]);
    bad |= require(rd, cols, base);
    switch (measure) {
    case WW_META_GEN: bad |= require(rd, cols, gen); break;
    case WW_META_SMD:
    case WW_META_MD: bad |= require(rd, cols, cont); break;
    case WW_META_ZCOR: bad |= require(rd, cols, zcor); break;
    default: {
        int have_cells = 0, have_totals = 0;
        for (const int *c = cells; *c >= 0; c++) have_cells += cols[*c] >= 0;
        for (const int *c = totals; *c >= 0; c++) have_totals += cols[*c] >= 0;
        if (have_cells == 4) break;
        if (have_totals == 4) {
            *counts_as_totals = 1;
            break;
        }
        bad |= require(rd, cols, have_totals > have_cells ? totals : cells);
        if (have_totals == have_cells)
            problem(rd, 1, "ai", "%s needs columns ai,bi,ci,di or e1,n1,e2,n2",
                    ww_meta_measure_name(measure));
    }
    }
    return bad;
}

void ww_meta_csv__free(ww_meta_studies *s)
{
    if (!s) return;
    free(s->name);
    free(s->yi);
    free(s->vi);
    free(s->tables);
    free(s->group);
    free(s->group_name);
    ww_csv__doc_free(s->doc);
    free(s);
}

int ww_meta_csv__parse(ww_meta_studies **out, const char *name, const unsigned char *data,
                       size_t size, ww_meta_measure measure, const char *subgroup_column,
                       ww_diags *diags)
{
    ww_meta_studies *s = NULL;
    ww_csv_doc *doc = NULL;
    const ww_csv_record *header;
    long cols[N_COLS], gcol = -1;
    int counts_as_totals = 0, bad = 0, error;
    size_t n_rows;
    reader rd = {name, diags, 0};

    *out = NULL;
    if ((error = ww_csv__read_doc(&doc, data, size, META_FIELD_MAX, 1, name, diags)) < 0)
        return error;
    if (!(s = calloc(1, sizeof *s))) {
        ww_csv__doc_free(doc);
        return ww__error_oom();
    }
    s->doc = doc;
    if (doc->n == 0) {
        problem(&rd, 1, "study", "empty file: a header row and one row per study are needed");
        bad = 1;
        goto done;
    }
    header = &doc->records[0];
    bad |= map_columns(cols, &counts_as_totals, &rd, header, measure);
    if (subgroup_column && (gcol = ww_csv__find_column(header, subgroup_column)) < 0) {
        problem(&rd, 1, subgroup_column, "missing column (named as the subgroup column)");
        bad = 1;
    }
    if (bad) goto done;

    n_rows = doc->n - 1 ? doc->n - 1 : 1;
    s->name = calloc(n_rows, sizeof *s->name);
    s->yi = calloc(n_rows, sizeof *s->yi);
    s->vi = calloc(n_rows, sizeof *s->vi);
    s->tables = calloc(n_rows, sizeof *s->tables);
    s->group = calloc(n_rows, sizeof *s->group);
    s->group_name = calloc(n_rows, sizeof *s->group_name);
    if (!s->name || !s->yi || !s->vi || !s->tables || !s->group || !s->group_name) {
        rd.rc = ww__error_oom();
        goto done;
    }
    for (size_t r = 1; r < doc->n && rd.rc == 0; r++) {
        const ww_csv_record *row = &doc->records[r];
        const char *study;
        size_t i = s->k;
        if (all_empty(row)) continue;
        study = ww_csv__cell(row, cols[COL_STUDY]);
        while (*study == ' ' || *study == '\t') study++;
        if (!*study) {
            problem(&rd, row->line, "study", "empty; every row needs a study label");
            bad = 1;
        }
        s->name[i] = study;
        if (read_row(s, i, &rd, row, cols, measure, counts_as_totals) < 0) bad = 1;
        if (gcol >= 0) {
            const char *gname = ww_csv__cell(row, gcol);
            size_t gi;
            if (!*gname) {
                problem(&rd, row->line, subgroup_column, "empty; every study needs a subgroup");
                bad = 1;
            }
            for (gi = 0; gi < s->n_groups; gi++)
                if (strcmp(s->group_name[gi], gname) == 0) break;
            if (gi == s->n_groups) s->group_name[s->n_groups++] = gname;
            s->group[i] = gi;
        }
        s->k++;
    }
    if (!bad && rd.rc == 0 && s->k == 0) {
        problem(&rd, 1, "study", "no studies: the file has only a header row");
        bad = 1;
    }
done:
    if (rd.rc < 0 || bad) {
        ww_meta_csv__free(s);
        return rd.rc < 0 ? rd.rc : WW_EDATA;
    }
    *out = s;
    return 0;
}
