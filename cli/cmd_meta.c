/*
 * cmd_meta.c — `whatworks meta`: a meta-analysis of a CSV of studies, with
 * no database. The CSV (RFC 4180, read with libcsv; a UTF-8 BOM and CRLF
 * line ends are fine) has a header row; columns are found by name, in any
 * order and any case, and other columns are ignored. Each row becomes an
 * effect (evidence/effect.h) or a 2x2 table, which evidence/meta.h pools.
 * Every bad cell is reported as FILE:LINE: column: problem before exiting
 * 65, so a spreadsheet can be fixed in one pass. Output is JSON (schema
 * whatworks/meta/1, documented in docs/meta.md), an aligned table or CSV.
 *
 * This file includes evidence/meta.h and evidence/effect.h directly, the one
 * exception to "the CLI uses only the public header", until the engine has a
 * public API.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>
#include <jansson.h>

#include "cli.h"
#include "../evidence/effect.h"
#include "../evidence/meta.h"

/* A CSV larger than this is refused: a meta-analysis file is small, and an
 * unbounded read of untrusted input is not. */
#define META_MAX_FILE_BYTES (256u << 20)
/* At most this many problems are printed; the rest are counted. */
#define META_MAX_PROBLEMS 100

static const char usage_text[] =
    "usage: whatworks meta --input FILE.csv --measure M [--method X] [--knha]\n"
    "                      [--format json|table|csv] [--subgroup COLUMN]\n"
    "                      [--trimfill] [--leave-one-out]\n"
    "\n"
    "Meta-analysis of the studies in a CSV file, matching R's metafor (and RevMan\n"
    "for Mantel-Haenszel and Peto). Columns are found by their header name; group 1\n"
    "is the intervention, group 2 the comparison:\n"
    "\n"
    "  --measure GEN    study,yi,vi             an effect and its sampling variance\n"
    "  --measure SMD    study,m1,sd1,n1,m2,sd2,n2   Hedges' g\n"
    "  --measure MD     study,m1,sd1,n1,m2,sd2,n2   mean difference\n"
    "  --measure OR|RR|RD  study,ai,bi,ci,di    events / non-events per group, or\n"
    "                   study,e1,n1,e2,n2       events / totals (OR, RR: log scale)\n"
    "  --measure ZCOR   study,r,n               Fisher's z of a correlation\n"
    "\n"
    "  --method X       FE, MH (Mantel-Haenszel: OR, RR, RD), PETO (OR), or a\n"
    "                   random-effects tau^2 estimator: DL, REML (default), PM,\n"
    "                   HE, SJ\n"
    "  --knha           Hartung-Knapp adjustment: t test on k-1 df (random effects)\n"
    "  --format F       json (default when not a terminal), table, csv\n"
    "  --subgroup COL   pool within the groups of column COL and test Q-between\n"
    "  --trimfill       Duval & Tweedie trim and fill (L0)\n"
    "  --leave-one-out  the pooled result without each study in turn\n"
    "\n"
    "JSON schema whatworks/meta/1, described in docs/meta.md. Exit status: 0; 64\n"
    "usage; 65 bad data (each problem as FILE:LINE: column: problem); 66 no input.";

/* ---- reading the CSV ---------------------------------------------------- */

typedef struct csv_row {
    long line; /* where the row starts */
    size_t n;
    char **fields;
} csv_row;

typedef struct csv_doc {
    csv_row *rows;
    size_t n, alloc;
    char **cur; /* the row being built */
    size_t cur_n, cur_alloc;
    long cur_line;
    long line; /* the line being fed to the parser */
    int oom;
} csv_doc;

static void doc_free(csv_doc *d)
{
    for (size_t r = 0; r < d->n; r++) {
        for (size_t f = 0; f < d->rows[r].n; f++) free(d->rows[r].fields[f]);
        free(d->rows[r].fields);
    }
    for (size_t f = 0; f < d->cur_n; f++) free(d->cur[f]);
    free(d->cur);
    free(d->rows);
}

static void on_field(void *s, size_t len, void *data)
{
    csv_doc *d = data;
    char *copy;
    if (d->oom) return;
    if (d->cur_n == 0) d->cur_line = d->line;
    if (d->cur_n == d->cur_alloc) {
        size_t na = d->cur_alloc ? 2 * d->cur_alloc : 16;
        char **p = realloc(d->cur, na * sizeof *p);
        if (!p) {
            d->oom = 1;
            return;
        }
        d->cur = p;
        d->cur_alloc = na;
    }
    if (!(copy = malloc(len + 1))) {
        d->oom = 1;
        return;
    }
    if (len) memcpy(copy, s, len);
    copy[len] = '\0';
    d->cur[d->cur_n++] = copy;
}

static void on_row(int c, void *data)
{
    csv_doc *d = data;
    (void)c;
    if (d->oom) return;
    if (d->n == d->alloc) {
        size_t na = d->alloc ? 2 * d->alloc : 64;
        csv_row *p = realloc(d->rows, na * sizeof *p);
        if (!p) {
            d->oom = 1;
            return;
        }
        d->rows = p;
        d->alloc = na;
    }
    d->rows[d->n].line = d->cur_n ? d->cur_line : d->line;
    d->rows[d->n].n = d->cur_n;
    d->rows[d->n].fields = d->cur;
    d->n++;
    d->cur = NULL;
    d->cur_n = d->cur_alloc = 0;
}

/* Read the whole file (up to the cap) and parse it line by line, so that
 * each row knows the line it starts on. 0, or an exit status. */
static int read_csv(csv_doc *d, const char *path)
{
    FILE *fp = fopen(path, "rb");
    struct csv_parser p;
    char *buf = NULL;
    size_t len = 0, alloc = 0, off = 0;
    int status = 0;

    memset(d, 0, sizeof *d);
    if (!fp) {
        fprintf(stderr, "whatworks meta: %s: %s\n", path, strerror(errno));
        return 66;
    }
    for (;;) {
        size_t got;
        if (len + 65536 > alloc) {
            size_t na = alloc ? 2 * alloc : 131072;
            char *nb;
            if (na > (size_t)META_MAX_FILE_BYTES + 65536) na = (size_t)META_MAX_FILE_BYTES + 65536;
            if (na <= len) {
                fprintf(stderr, "%s:1: file: larger than %u MiB\n", path,
                        META_MAX_FILE_BYTES >> 20);
                status = 65;
                goto done;
            }
            if (!(nb = realloc(buf, na))) {
                fputs("whatworks meta: out of memory\n", stderr);
                status = 70;
                goto done;
            }
            buf = nb;
            alloc = na;
        }
        errno = 0;
        got = fread(buf + len, 1, alloc - len, fp);
        len += got;
        if (got == 0) break;
    }
    if (ferror(fp)) {
        /* A directory opens but cannot be read: that is "no input" (66). */
        int is_dir = errno == EISDIR;
        fprintf(stderr, "whatworks meta: %s: %s\n", path, strerror(errno));
        status = is_dir ? 66 : 74;
        goto done;
    }
    if (csv_init(&p, CSV_APPEND_NULL) != 0) {
        fputs("whatworks meta: out of memory\n", stderr);
        status = 70;
        goto done;
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) off = 3;
    d->line = 1;
    while (off < len && !d->oom) {
        char *nl = memchr(buf + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (buf + off)) + 1 : len - off;
        if (csv_parse(&p, buf + off, n, on_field, on_row, d) != n) break;
        off += n;
        if (nl) d->line++;
    }
    if (!d->oom) csv_fini(&p, on_field, on_row, d);
    if (!d->oom && csv_error(&p) != CSV_SUCCESS) {
        fprintf(stderr, "%s:%ld: file: %s\n", path, d->line, csv_strerror(csv_error(&p)));
        status = 65;
    }
    csv_free(&p);
    if (d->oom) {
        fputs("whatworks meta: out of memory\n", stderr);
        status = 70;
    }
done:
    free(buf);
    fclose(fp);
    return status;
}

/* ---- columns and cells ---------------------------------------------------- */

typedef struct reader {
    const char *path;
    const csv_doc *doc;
    size_t problems;
} reader;

static void problem(reader *rd, long line, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(reader *rd, long line, const char *column, const char *fmt, ...)
{
    va_list ap;
    if (rd->problems++ >= META_MAX_PROBLEMS) return;
    fprintf(stderr, "%s:%ld: %s: ", rd->path, line, column);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* The index of a header column (trimmed, case-insensitive), or -1. */
static long find_column(const csv_row *header, const char *name)
{
    for (size_t i = 0; i < header->n; i++) {
        const char *h = header->fields[i];
        size_t hl;
        while (*h == ' ' || *h == '\t') h++;
        hl = strlen(h);
        while (hl && (h[hl - 1] == ' ' || h[hl - 1] == '\t')) hl--;
        if (hl == strlen(name) && strncasecmp(h, name, hl) == 0) return (long)i;
    }
    return -1;
}

static const char *cell(const csv_row *row, long col)
{
    return col >= 0 && (size_t)col < row->n ? row->fields[col] : "";
}

/* A whole cell as a finite number; "", "NA", "inf", "1e999", "12abc" are not. */
static int parse_number(double *out, const char *s)
{
    char *end;
    double v;
    while (*s == ' ' || *s == '\t') s++;
    if (!*s || strpbrk(s, "nNiIxX")) return -1;
    errno = 0;
    v = strtod(s, &end);
    while (*end == ' ' || *end == '\t') end++;
    if (*end || errno == ERANGE || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

/* Read column `name` of a row into *out; report and return -1 if it is not
 * a number. */
static int number(double *out, reader *rd, const csv_row *row, long col, const char *name)
{
    const char *s = cell(row, col);
    if (parse_number(out, s) == 0) return 0;
    if (!*s)
        problem(rd, row->line, name, "empty; a number is needed");
    else
        problem(rd, row->line, name, "not a number: '%s'", s);
    return -1;
}

/* ---- the studies ------------------------------------------------------------ */

typedef struct studies {
    size_t k;
    char **name; /* borrowed from the CSV document */
    double *yi, *vi;
    ww_meta_table *tables; /* for OR, RR, RD */
    size_t *group;         /* --subgroup */
    char **group_name;
    size_t n_groups;
} studies;

static void studies_free(studies *s)
{
    free(s->name);
    free(s->yi);
    free(s->vi);
    free(s->tables);
    free(s->group);
    free(s->group_name);
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

/* One row into study i. Returns 0, or -1 after reporting its problems. */
static int read_row(studies *s, size_t i, reader *rd, const csv_row *row, const long *cols,
                    ww_meta_measure measure, int counts_as_totals)
{
    double v[6];
    ww_effect e;
    int bad = 0, rc = 0;
    const char *what = ww_meta_measure_name(measure);

    switch (measure) {
    case WW_META_GEN:
        bad |= number(&v[0], rd, row, cols[COL_YI], "yi");
        bad |= number(&v[1], rd, row, cols[COL_VI], "vi");
        if (bad) return -1;
        if (!(v[1] > 0)) {
            problem(rd, row->line, "vi", "must be > 0, got %s", cell(row, cols[COL_VI]));
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
                        cell(row, cols[c[j]]));
                bad = -1;
            }
            if (!(v[j + 1] >= 2)) {
                problem(rd, row->line, col_names[c[j + 1]], "must be >= 2, got %s",
                        cell(row, cols[c[j + 1]]));
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
        if (counts_as_totals) {
            static const int c[4] = {COL_E1, COL_N1, COL_E2, COL_N2};
            for (int j = 0; j < 4; j++) bad |= number(&v[j], rd, row, cols[c[j]], col_names[c[j]]);
            if (bad) return -1;
            for (int j = 0; j < 4; j += 2) {
                if (!(v[j] >= 0)) {
                    problem(rd, row->line, col_names[c[j]], "must be >= 0, got %s",
                            cell(row, cols[c[j]]));
                    bad = -1;
                }
                if (!(v[j + 1] > 0)) {
                    problem(rd, row->line, col_names[c[j + 1]], "must be > 0, got %s",
                            cell(row, cols[c[j + 1]]));
                    bad = -1;
                } else if (v[j] > v[j + 1]) {
                    problem(rd, row->line, col_names[c[j]], "%s events exceed the total %s = %s",
                            cell(row, cols[c[j]]), col_names[c[j + 1]], cell(row, cols[c[j + 1]]));
                    bad = -1;
                }
            }
            if (bad) return -1;
            t->ai = v[0];
            t->bi = v[1] - v[0];
            t->ci = v[2];
            t->di = v[3] - v[2];
        } else {
            static const int c[4] = {COL_AI, COL_BI, COL_CI, COL_DI};
            for (int j = 0; j < 4; j++) {
                if (number(&v[j], rd, row, cols[c[j]], col_names[c[j]]) < 0) {
                    bad = -1;
                } else if (!(v[j] >= 0)) {
                    problem(rd, row->line, col_names[c[j]], "must be >= 0, got %s",
                            cell(row, cols[c[j]]));
                    bad = -1;
                }
            }
            if (bad) return -1;
            if (v[0] + v[1] <= 0 || v[2] + v[3] <= 0) {
                problem(rd, row->line, v[0] + v[1] <= 0 ? "bi" : "di",
                        "group %d has no participants", v[0] + v[1] <= 0 ? 1 : 2);
                return -1;
            }
            t->ai = v[0];
            t->bi = v[1];
            t->ci = v[2];
            t->di = v[3];
        }
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
            problem(rd, row->line, "r", "must be > -1 and < 1, got %s", cell(row, cols[COL_R]));
            bad = -1;
        }
        if (!(v[1] > 3)) {
            problem(rd, row->line, "n", "must be > 3, got %s", cell(row, cols[COL_N]));
            bad = -1;
        }
        if (bad) return -1;
        rc = ww_effect_zcor(&e, v[0], v[1]);
        break;
    }
    if (rc < 0) {
        problem(rd, row->line, what, "%s", ww_error_last());
        return -1;
    }
    s->yi[i] = e.yi;
    s->vi[i] = e.vi;
    return 0;
}

static int all_empty(const csv_row *row)
{
    for (size_t f = 0; f < row->n; f++) {
        const char *c = row->fields[f];
        while (*c == ' ' || *c == '\t') c++;
        if (*c) return 0;
    }
    return 1;
}

/* The CSV into studies. 0, or an exit status after reporting. */
static int load_studies(studies *s, reader *rd, ww_meta_measure measure, const char *subgroup_col)
{
    const csv_doc *doc = rd->doc;
    const csv_row *header;
    long cols[N_COLS], gcol = -1;
    int counts_as_totals = 0, bad = 0;
    size_t n_rows;

    memset(s, 0, sizeof *s);
    if (doc->n == 0) {
        problem(rd, 1, "study", "empty file: a header row and one row per study are needed");
        return 65;
    }
    header = &doc->rows[0];
    for (int c = 0; c < N_COLS; c++) cols[c] = find_column(header, col_names[c]);
    {
        static const int base[] = {COL_STUDY, -1};
        static const int gen[] = {COL_YI, COL_VI, -1};
        static const int cont[] = {COL_M1, COL_SD1, COL_N1, COL_M2, COL_SD2, COL_N2, -1};
        static const int cells[] = {COL_AI, COL_BI, COL_CI, COL_DI, -1};
        static const int totals[] = {COL_E1, COL_N1, COL_E2, COL_N2, -1};
        static const int zcor[] = {COL_R, COL_N, -1};
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
                counts_as_totals = 1;
                break;
            }
            bad |= require(rd, cols, have_totals > have_cells ? totals : cells);
            if (have_totals == have_cells)
                problem(rd, 1, "ai", "%s needs columns ai,bi,ci,di or e1,n1,e2,n2",
                        ww_meta_measure_name(measure));
        }
        }
    }
    if (subgroup_col && (gcol = find_column(header, subgroup_col)) < 0) {
        problem(rd, 1, subgroup_col, "missing column (named by --subgroup)");
        bad = -1;
    }
    if (bad) return 65;

    n_rows = doc->n - 1;
    s->name = calloc(n_rows ? n_rows : 1, sizeof *s->name);
    s->yi = calloc(n_rows ? n_rows : 1, sizeof *s->yi);
    s->vi = calloc(n_rows ? n_rows : 1, sizeof *s->vi);
    s->tables = calloc(n_rows ? n_rows : 1, sizeof *s->tables);
    s->group = calloc(n_rows ? n_rows : 1, sizeof *s->group);
    s->group_name = calloc(n_rows ? n_rows : 1, sizeof *s->group_name);
    if (!s->name || !s->yi || !s->vi || !s->tables || !s->group || !s->group_name) {
        fputs("whatworks meta: out of memory\n", stderr);
        return 70;
    }
    for (size_t r = 1; r < doc->n; r++) {
        const csv_row *row = &doc->rows[r];
        const char *study;
        size_t i = s->k;
        if (all_empty(row)) continue;
        study = cell(row, cols[COL_STUDY]);
        while (*study == ' ' || *study == '\t') study++;
        if (!*study) {
            problem(rd, row->line, "study", "empty; every row needs a study label");
            bad = -1;
        }
        s->name[i] = (char *)study;
        if (read_row(s, i, rd, row, cols, measure, counts_as_totals) < 0) bad = -1;
        if (gcol >= 0) {
            const char *gname = cell(row, gcol);
            size_t gi;
            if (!*gname) {
                problem(rd, row->line, subgroup_col, "empty; every study needs a subgroup");
                bad = -1;
            }
            for (gi = 0; gi < s->n_groups; gi++)
                if (strcmp(s->group_name[gi], gname) == 0) break;
            if (gi == s->n_groups) s->group_name[s->n_groups++] = (char *)gname;
            s->group[i] = gi;
        }
        s->k++;
    }
    if (bad) return 65;
    if (s->k == 0) {
        problem(rd, 1, "study", "no studies: the file has only a header row");
        return 65;
    }
    return 0;
}

/* ---- output ------------------------------------------------------------------ */

static json_t *num(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

/* Add a key whose value may be NULL after an allocation failure; the caller
 * checks the whole tree once (json_object_set_new frees on failure). */
static int put(json_t *obj, const char *key, json_t *value)
{
    return json_object_set_new(obj, key, value);
}

static int put_test(json_t *obj, double stat, double df, const char *z_key)
{
    int rc = 0;
    if (df > 0) {
        rc |= put(obj, "t", num(stat));
        rc |= put(obj, "df", json_integer((json_int_t)df));
    } else {
        rc |= put(obj, z_key, num(stat));
    }
    return rc;
}

typedef struct analysis {
    const char *path;
    ww_meta_measure measure;
    ww_meta_opts opts;
    ww_meta_result res;
    double *weights;
    double *study_yi, *study_vi; /* what each study contributes, as reported */
    int have_egger;
    ww_meta_egger_result egger;
    /* optional parts */
    const char *subgroup_col;
    ww_meta_result *groups;
    ww_meta_subgroup_test sub_test;
    int have_trimfill;
    ww_meta_trimfill_result tf;
    double *fill_yi, *fill_vi;
    ww_meta_result *l1o;
} analysis;

/* The pooled-result keys of a subgroup, a trim-and-fill or a leave-one-out
 * entry, after whatever the caller put first. */
static int put_result(json_t *o, const ww_meta_result *r, int ratio)
{
    int rc = 0;
    rc |= put(o, "k", json_integer((json_int_t)r->k));
    rc |= put(o, "estimate", num(r->estimate));
    rc |= put(o, "se", num(r->se));
    rc |= put(o, "ci_low", num(r->ci_low));
    rc |= put(o, "ci_high", num(r->ci_high));
    rc |= put_test(o, r->stat, r->df, "z");
    rc |= put(o, "p", num(r->p));
    rc |= put(o, "tau2", num(r->tau2));
    rc |= put(o, "i2", num(r->i2));
    rc |= put(o, "q", num(r->q));
    rc |= put(o, "q_p", num(r->q_p));
    if (ratio) {
        rc |= put(o, "exp_estimate", num(exp(r->estimate)));
        rc |= put(o, "exp_ci_low", num(exp(r->ci_low)));
        rc |= put(o, "exp_ci_high", num(exp(r->ci_high)));
    }
    return rc;
}

/* {label_key: label, ...result} */
static json_t *labelled_result(const char *label_key, const char *label, const ww_meta_result *r,
                               int ratio)
{
    json_t *o = json_object();
    if (!o) return NULL;
    if (put(o, label_key, json_string(label)) || put_result(o, r, ratio)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *to_json(const analysis *a, const studies *s)
{
    const ww_meta_result *r = &a->res;
    int ratio = ww_meta_measure_is_ratio(a->measure), rc = 0;
    json_t *root = json_object(), *arr;

    if (!root) return NULL;
    rc |= put(root, "schema", json_string("whatworks/meta/1"));
    rc |= put(root, "k", json_integer((json_int_t)r->k));
    rc |= put(root, "measure", json_string(ww_meta_measure_name(a->measure)));
    rc |= put(root, "method", json_string(ww_meta_method_name(r->method)));
    rc |= put(root, "estimate", num(r->estimate));
    rc |= put(root, "se", num(r->se));
    rc |= put(root, "ci_low", num(r->ci_low));
    rc |= put(root, "ci_high", num(r->ci_high));
    rc |= put_test(root, r->stat, r->df, "z");
    rc |= put(root, "p", num(r->p));
    rc |= put(root, "tau2", num(r->tau2));
    rc |= put(root, "tau", num(r->tau));
    rc |= put(root, "i2", num(r->i2));
    rc |= put(root, "h2", num(r->h2));
    rc |= put(root, "q", num(r->q));
    rc |= put(root, "q_df", json_integer((json_int_t)r->q_df));
    rc |= put(root, "q_p", num(r->q_p));
    rc |= put(root, "pi_low", num(r->pi_low));
    rc |= put(root, "pi_high", num(r->pi_high));
    if (ratio) {
        rc |= put(root, "exp_estimate", num(exp(r->estimate)));
        rc |= put(root, "exp_ci_low", num(exp(r->ci_low)));
        rc |= put(root, "exp_ci_high", num(exp(r->ci_high)));
    }
    rc |= put(root, "studies", arr = json_array());
    for (size_t i = 0; arr && i < s->k; i++) {
        json_t *st = json_object();
        if (!st) {
            rc = -1;
            break;
        }
        rc |= put(st, "study", json_string(s->name[i]));
        rc |= put(st, "yi", num(a->study_yi[i]));
        rc |= put(st, "vi", num(a->study_vi[i]));
        rc |= put(st, "weight_pct", num(a->weights[i]));
        rc |= json_array_append_new(arr, st);
    }
    if (a->have_egger) {
        json_t *eg = json_object();
        if (eg) {
            rc |= put_test(eg, a->egger.stat, a->egger.df, "z");
            rc |= put(eg, "p", num(a->egger.p));
        }
        rc |= put(root, "egger", eg);
    } else if (r->k >= 3) {
        /* Not computable (all variances equal): present, but null. */
        rc |= put(root, "egger", json_null());
    }
    if (a->groups) {
        json_t *sg = json_object(), *list = json_array();
        if (sg && list) {
            rc |= put(sg, "column", json_string(a->subgroup_col));
            for (size_t g = 0; g < s->n_groups; g++)
                rc |= json_array_append_new(
                    list, labelled_result("group", s->group_name[g], &a->groups[g], ratio));
            rc |= put(sg, "groups", list);
            list = NULL;
            rc |= put(sg, "q_between", num(a->sub_test.q_between));
            rc |= put(sg, "q_between_df", json_integer((json_int_t)a->sub_test.q_between_df));
            rc |= put(sg, "q_between_p", num(a->sub_test.q_between_p));
        }
        json_decref(list);
        rc |= put(root, "subgroups", sg);
    }
    if (a->have_trimfill) {
        json_t *tf = json_object(), *filled = json_array();
        if (tf && filled) {
            rc |= put(tf, "k0", json_integer((json_int_t)a->tf.k0));
            rc |= put(tf, "side", json_string(a->tf.side > 0 ? "right" : "left"));
            rc |= put(tf, "se_k0", num(a->tf.se_k0));
            rc |= put_result(tf, &a->tf.adjusted, ratio);
            for (size_t j = 0; j < a->tf.k0; j++) {
                json_t *f = json_object();
                if (f) {
                    rc |= put(f, "yi", num(a->fill_yi[j]));
                    rc |= put(f, "vi", num(a->fill_vi[j]));
                }
                rc |= json_array_append_new(filled, f);
            }
            rc |= put(tf, "filled", filled);
            filled = NULL;
        }
        json_decref(filled);
        rc |= put(root, "trimfill", tf);
    }
    if (a->l1o) {
        json_t *list = json_array();
        for (size_t i = 0; list && i < s->k; i++)
            rc |= json_array_append_new(list,
                                        labelled_result("omitted", s->name[i], &a->l1o[i], ratio));
        rc |= put(root, "leave_one_out", list);
    }
    if (rc) {
        json_decref(root);
        return NULL;
    }
    return root;
}

static void csv_text(const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"') putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static void csv_num(double x)
{
    if (isfinite(x)) printf("%.17g", x);
}

/* One line per study, then the pooled row: a forest plot's numbers. */
static void write_csv(const analysis *a, const studies *s)
{
    const ww_meta_result *r = &a->res;
    double z = 1.959963984540054;
    puts("row,study,estimate,se,ci_low,ci_high,weight_pct");
    for (size_t i = 0; i < s->k; i++) {
        double se = sqrt(a->study_vi[i]);
        fputs("study,", stdout);
        csv_text(s->name[i]);
        putchar(',');
        csv_num(a->study_yi[i]);
        putchar(',');
        csv_num(se);
        putchar(',');
        csv_num(a->study_yi[i] - z * se);
        putchar(',');
        csv_num(a->study_yi[i] + z * se);
        putchar(',');
        csv_num(a->weights[i]);
        putchar('\n');
    }
    printf("pooled,%s,", ww_meta_method_name(r->method));
    csv_num(r->estimate);
    putchar(',');
    csv_num(r->se);
    putchar(',');
    csv_num(r->ci_low);
    putchar(',');
    csv_num(r->ci_high);
    puts(",100");
}

static void write_table(const analysis *a, const studies *s)
{
    const ww_meta_result *r = &a->res;
    int ratio = ww_meta_measure_is_ratio(a->measure);
    int width = 5;
    for (size_t i = 0; i < s->k; i++) {
        int n = (int)strlen(s->name[i]);
        if (n > width) width = n > 40 ? 40 : n;
    }
    printf("%s: %zu studies, %s%s, %s%s\n\n", a->path, r->k, ww_meta_measure_name(a->measure),
           ratio ? " (log scale)" : "", ww_meta_method_name(r->method),
           r->knha ? " with Hartung-Knapp" : "");
    printf("%-*s %12s %12s %9s\n", width, "study", "yi", "vi", "weight%");
    for (size_t i = 0; i < s->k; i++)
        printf("%-*.*s %12.4f %12.4f %9.2f\n", width, width, s->name[i], a->study_yi[i],
               a->study_vi[i], a->weights[i]);
    printf("\nestimate  %.4f  (95%% CI %.4f to %.4f), se %.4f\n", r->estimate, r->ci_low,
           r->ci_high, r->se);
    if (ratio)
        printf("exp       %.4f  (95%% CI %.4f to %.4f)\n", exp(r->estimate), exp(r->ci_low),
               exp(r->ci_high));
    if (r->df > 0)
        printf("test      t(%.0f) = %.4f, p = %.4g\n", r->df, r->stat, r->p);
    else
        printf("test      z = %.4f, p = %.4g\n", r->stat, r->p);
    printf("hetero    Q(%.0f) = %.4f, p = %.4g; I2 = %.2f%%, H2 = %.4f; tau2 = %.4f, tau = %.4f\n",
           r->q_df, r->q, r->q_p, r->i2, r->h2, r->tau2, r->tau);
    printf("predict   95%% PI %.4f to %.4f\n", r->pi_low, r->pi_high);
    if (a->have_egger) {
        if (a->egger.df > 0)
            printf("Egger     t(%.0f) = %.4f, p = %.4g\n", a->egger.df, a->egger.stat, a->egger.p);
        else
            printf("Egger     z = %.4f, p = %.4g\n", a->egger.stat, a->egger.p);
    }
    if (a->groups) {
        printf("\nsubgroups by %s\n", a->subgroup_col);
        for (size_t g = 0; g < s->n_groups; g++)
            printf("  %-*.*s k = %3zu  %.4f  (%.4f to %.4f)  tau2 = %.4f  I2 = %.2f%%\n", width,
                   width, s->group_name[g], a->groups[g].k, a->groups[g].estimate,
                   a->groups[g].ci_low, a->groups[g].ci_high, a->groups[g].tau2, a->groups[g].i2);
        printf("  Q-between(%.0f) = %.4f, p = %.4g\n", a->sub_test.q_between_df,
               a->sub_test.q_between, a->sub_test.q_between_p);
    }
    if (a->have_trimfill)
        printf("\ntrim and fill: %zu filled on the %s; estimate %.4f (%.4f to %.4f), tau2 = %.4f\n",
               a->tf.k0, a->tf.side > 0 ? "right" : "left", a->tf.adjusted.estimate,
               a->tf.adjusted.ci_low, a->tf.adjusted.ci_high, a->tf.adjusted.tau2);
    if (a->l1o) {
        printf("\nleave one out\n");
        for (size_t i = 0; i < s->k; i++)
            printf("  %-*.*s %.4f  (%.4f to %.4f)  tau2 = %.4f  I2 = %.2f%%\n", width, width,
                   s->name[i], a->l1o[i].estimate, a->l1o[i].ci_low, a->l1o[i].ci_high,
                   a->l1o[i].tau2, a->l1o[i].i2);
    }
}

/* ---- the analysis ----------------------------------------------------------- */

/* Library failure: the message carries the detail; data problems are 65. */
static int fail(const char *path, int error)
{
    fprintf(stderr, "%s: %s\n", path, ww_error_last());
    return ww_error_exit_status(error);
}

static int analyse(analysis *a, studies *s, int want_trimfill, int want_l1o)
{
    int tables = a->opts.method == WW_META_MH || a->opts.method == WW_META_PETO;
    double *ey = NULL, *ev = NULL;
    size_t ke = 0;
    int error = 0, status = 0;

    a->weights = calloc(s->k, sizeof *a->weights);
    a->study_yi = calloc(s->k, sizeof *a->study_yi);
    a->study_vi = calloc(s->k, sizeof *a->study_vi);
    ey = calloc(s->k, sizeof *ey);
    ev = calloc(s->k, sizeof *ev);
    if (!a->weights || !a->study_yi || !a->study_vi || !ey || !ev) goto oom;

    if (tables) {
        error = ww_meta_pool_tables(&a->res, a->weights, s->tables, s->k, a->measure, &a->opts);
        for (size_t i = 0; error == 0 && i < s->k; i++) {
            ww_effect e;
            if ((error = ww_meta_table_effect(&e, &s->tables[i], a->measure, a->opts.method)) < 0)
                break;
            a->study_yi[i] = e.yi;
            a->study_vi[i] = e.vi;
        }
    } else {
        error = ww_meta_pool(&a->res, a->weights, s->yi, s->vi, s->k, &a->opts);
        for (size_t i = 0; i < s->k; i++) {
            a->study_yi[i] = s->yi[i];
            a->study_vi[i] = s->vi[i];
        }
    }
    if (error < 0) {
        status = fail(a->path, error);
        goto done;
    }
    /* Egger and trim and fill work on the effects that exist (a table with
     * no events in either group has none under MH and Peto). */
    for (size_t i = 0; i < s->k; i++) {
        if (isnan(a->study_yi[i])) continue;
        ey[ke] = a->study_yi[i];
        ev[ke++] = a->study_vi[i];
    }
    if (s->k >= 3 && ke >= 3) a->have_egger = ww_meta_egger(&a->egger, ey, ev, ke, &a->opts) == 0;

    if (s->n_groups) {
        if (!(a->groups = calloc(s->n_groups, sizeof *a->groups))) goto oom;
        error = tables ? ww_meta_subgroups_tables(a->groups, &a->sub_test, s->tables, s->group,
                                                  s->k, s->n_groups, a->measure, &a->opts)
                       : ww_meta_subgroups(a->groups, &a->sub_test, s->yi, s->vi, s->group, s->k,
                                           s->n_groups, &a->opts);
        if (error < 0) {
            status = fail(a->path, error);
            goto done;
        }
    }
    if (want_trimfill) {
        a->fill_yi = calloc(ke ? ke : 1, sizeof *a->fill_yi);
        a->fill_vi = calloc(ke ? ke : 1, sizeof *a->fill_vi);
        if (!a->fill_yi || !a->fill_vi) goto oom;
        if ((error = ww_meta_trimfill(&a->tf, a->fill_yi, a->fill_vi, ey, ev, ke, &a->opts)) < 0) {
            status = fail(a->path, error);
            goto done;
        }
        a->have_trimfill = 1;
    }
    if (want_l1o) {
        if (!(a->l1o = calloc(s->k, sizeof *a->l1o))) goto oom;
        error = tables ? ww_meta_leave1out_tables(a->l1o, s->tables, s->k, a->measure, &a->opts)
                       : ww_meta_leave1out(a->l1o, s->yi, s->vi, s->k, &a->opts);
        if (error < 0) {
            status = fail(a->path, error);
            goto done;
        }
    }
    goto done;
oom:
    fputs("whatworks meta: out of memory\n", stderr);
    status = 70;
done:
    free(ev);
    free(ey);
    return status;
}

static void analysis_free(analysis *a)
{
    free(a->weights);
    free(a->study_yi);
    free(a->study_vi);
    free(a->groups);
    free(a->fill_yi);
    free(a->fill_vi);
    free(a->l1o);
}

int cmd_meta(const cli_global *g, int argc, char **argv)
{
    const char *input = NULL, *measure_name = NULL, *method_name = "REML";
    const char *subgroup_col = NULL;
    int want_trimfill = 0, want_l1o = 0, status;
    ww_format fmt = cli_default_format();
    analysis a;
    studies s;
    csv_doc doc;
    reader rd;

    (void)g;
    memset(&a, 0, sizeof a);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int has_value = i + 1 < argc;
        if (cli_is_help(arg)) {
            puts(usage_text);
            return 0;
        } else if (strcmp(arg, "--input") == 0 && has_value) {
            input = argv[++i];
        } else if (strcmp(arg, "--measure") == 0 && has_value) {
            measure_name = argv[++i];
        } else if (strcmp(arg, "--method") == 0 && has_value) {
            method_name = argv[++i];
        } else if (strcmp(arg, "--format") == 0 && has_value) {
            if (ww_format_parse(&fmt, argv[++i]) < 0)
                return cli_usage_error("meta", "%s", ww_error_last());
        } else if (strcmp(arg, "--subgroup") == 0 && has_value) {
            subgroup_col = argv[++i];
        } else if (strcmp(arg, "--knha") == 0) {
            a.opts.knha = 1;
        } else if (strcmp(arg, "--trimfill") == 0) {
            want_trimfill = 1;
        } else if (strcmp(arg, "--leave-one-out") == 0) {
            want_l1o = 1;
        } else if (!has_value && (strcmp(arg, "--input") == 0 || strcmp(arg, "--measure") == 0 ||
                                  strcmp(arg, "--method") == 0 || strcmp(arg, "--format") == 0 ||
                                  strcmp(arg, "--subgroup") == 0)) {
            return cli_usage_error("meta", "%s needs a value", arg);
        } else {
            return cli_usage_error("meta", "unexpected argument '%s'", arg);
        }
    }
    if (!input) return cli_usage_error("meta", "--input FILE.csv is required");
    if (!measure_name)
        return cli_usage_error("meta", "--measure is required (GEN, SMD, MD, OR, RR, RD or ZCOR)");
    if (ww_meta_measure_parse(&a.measure, measure_name) < 0)
        return cli_usage_error("meta", "%s", ww_error_last());
    if (ww_meta_method_parse(&a.opts.method, method_name) < 0)
        return cli_usage_error("meta", "%s", ww_error_last());
    if (a.opts.method == WW_META_MH && a.measure != WW_META_OR && a.measure != WW_META_RR &&
        a.measure != WW_META_RD)
        return cli_usage_error("meta", "--method MH needs --measure OR, RR or RD");
    if (a.opts.method == WW_META_PETO && a.measure != WW_META_OR)
        return cli_usage_error("meta", "--method PETO needs --measure OR");
    if (a.opts.knha && !ww_meta_method_is_random(a.opts.method))
        return cli_usage_error("meta",
                               "--knha needs a random-effects method (DL, REML, PM, HE, SJ)");
    a.path = input;
    a.subgroup_col = subgroup_col;

    if ((status = read_csv(&doc, input)) != 0) {
        doc_free(&doc);
        return status;
    }
    rd.path = input;
    rd.doc = &doc;
    rd.problems = 0;
    status = load_studies(&s, &rd, a.measure, subgroup_col);
    if (status == 0 && ww_meta_method_is_random(a.opts.method) && s.k < 2) {
        problem(&rd, 1, "study", "random effects (%s) need at least 2 studies, found %zu",
                ww_meta_method_name(a.opts.method), s.k);
        status = 65;
    }
    if (status == 0 && subgroup_col && s.n_groups < 2) {
        problem(&rd, 1, subgroup_col, "--subgroup needs at least 2 groups, found %zu", s.n_groups);
        status = 65;
    }
    if (rd.problems > META_MAX_PROBLEMS)
        fprintf(stderr, "%s: %zu more problems not shown\n", input,
                rd.problems - META_MAX_PROBLEMS);
    if (status == 0) status = analyse(&a, &s, want_trimfill, want_l1o);
    if (status == 0) {
        if (fmt == WW_FORMAT_JSON) {
            json_t *root = to_json(&a, &s);
            if (!root || json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) != 0) {
                fputs("whatworks meta: could not write JSON\n", stderr);
                status = 70;
            } else {
                putchar('\n');
            }
            json_decref(root);
        } else if (fmt == WW_FORMAT_CSV) {
            write_csv(&a, &s);
        } else {
            write_table(&a, &s);
        }
        if (status == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
            fputs("whatworks meta: write error\n", stderr);
            status = 74;
        }
    }
    analysis_free(&a);
    studies_free(&s);
    doc_free(&doc);
    return status;
}
