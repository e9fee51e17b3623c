/*
 * test_pilot_csv.c — importers/pilot_csv.c, the pilot results CSV template.
 * The template and the documented columns agree; the attendance-mentoring
 * pilot as CSV gives the same record as data/examples/attendance-mentoring
 * .xml; the same mistakes made in both formats get the same messages (the
 * XML importer is run beside this one); each problem is reported with its
 * line and column; and files that are empty, not UTF-8, malformed or
 * inconsistent between rows are refused without calling the sink.
 */
#include "helpers.h"
#include "../importers/csv_util.h"
#include "../importers/importers.h"
#include "record_copy.h"

#define TEMPLATE "data/templates/pilot-results.csv"
#define PILOT "tests/fixtures/pilot_csv/attendance-mentoring.csv"
#define PILOT_XML "data/examples/attendance-mentoring.xml"

/* ---- a sink that copies what it is given ------------------------------------ */

/* ---- running the importers ---------------------------------------------------- */

static unsigned char *slurp(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *data;
    long len;
    if (!fp) {
        print_error("cannot open %s\n", path);
        fail();
    }
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    len = ftell(fp);
    assert_true(len >= 0);
    rewind(fp);
    data = malloc((size_t)len + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)len, fp), (size_t)len);
    data[len] = '\0';
    fclose(fp);
    *size = (size_t)len;
    return data;
}

static unsigned char *top_file(const char *rel, size_t *size)
{
    char path[1024];
    return slurp(TOP_PATH(path, rel), size);
}

static int run_with(const ww_importer *imp, const char *name, const void *data, size_t size,
                    ww_diags **out, got *g)
{
    ww_input in = {name, data, size};
    ww_sink sink = {g, collect, NULL, NULL, NULL, NULL};
    memset(g, 0, sizeof *g);
    assert_ww_ok(ww_diags__new(out));
    return imp->parse(&in, *out, &sink);
}

static int run(const char *name, const void *data, size_t size, ww_diags **out, got *g)
{
    return run_with(&ww_importer_pilot_csv, name, data, size, out, g);
}

static int run_file(const char *rel, ww_diags **out, got *g)
{
    size_t size;
    unsigned char *data = top_file(rel, &size);
    int rc = run(rel, data, size, out, g);
    free(data);
    return rc;
}

static void dump(const ww_diags *d)
{
    for (size_t i = 0; i < ww_diags__count(d); i++)
        ww_diags__write_one(ww_diags__get(d, i), stderr);
}

/* There is an error (or warning) with exactly this field and line whose
 * message contains part. */
static void assert_diag_level(const ww_diags *d, int is_warning, const char *field, long line,
                              const char *part)
{
    for (size_t i = 0; i < ww_diags__count(d); i++) {
        const ww_diag *dg = ww_diags__get(d, i);
        if (dg->is_warning == is_warning && !strcmp(dg->field, field) && dg->line == line &&
            strstr(dg->message, part))
            return;
    }
    print_error("no %s %ld: %s: ...%s... among:\n", is_warning ? "warning" : "error", line, field,
                part);
    dump(d);
    fail();
}
#define assert_diag(d, field, line, part) assert_diag_level(d, 0, field, line, part)

/* Rejected with exactly one error, at field and line; the sink not called. */
static void assert_only(const ww_diags *d, const got *g, const char *field, long line,
                        const char *part)
{
    if (ww_diags__errors(d) != 1) dump(d);
    assert_int_equal(ww_diags__errors(d), 1);
    assert_diag(d, field, line, part);
    assert_int_equal(g->calls, 0);
}

static void assert_clean(const ww_diags *d, const got *g)
{
    if (ww_diags__count(d) != 0) dump(d);
    assert_int_equal(ww_diags__count(d), 0);
    assert_int_equal(g->calls, 1);
}

/* ---- building variants of a CSV file ---------------------------------------------- */

/* A file read into cells with the reader under test. */
typedef struct table {
    char **header;
    size_t n_cols;
    char ***rows;
    size_t n_rows;
} table;

static void table_read(table *t, const char *rel)
{
    size_t size;
    unsigned char *data = top_file(rel, &size);
    ww_csv *r;
    ww_csv_row row;
    memset(t, 0, sizeof *t);
    assert_ww_ok(ww_csv__open(&r, data, size, 1 << 20));
    while (ww_csv__next(r, &row) == 1) {
        char **cells;
        assert_int_equal(row.status, WW_CSV_ROW);
        cells = calloc(row.n_fields, sizeof *cells);
        assert_non_null(cells);
        for (size_t i = 0; i < row.n_fields; i++) assert_non_null(cells[i] = strdup(row.fields[i]));
        if (!t->header) {
            t->header = cells;
            t->n_cols = row.n_fields;
            continue;
        }
        assert_int_equal(row.n_fields, t->n_cols);
        t->rows = realloc(t->rows, (t->n_rows + 1) * sizeof *t->rows);
        assert_non_null(t->rows);
        t->rows[t->n_rows++] = cells;
    }
    ww_csv__free(r);
    free(data);
}

static void table_free(table *t)
{
    for (size_t i = 0; i < t->n_cols; i++) free(t->header[i]);
    free(t->header);
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t i = 0; i < t->n_cols; i++) free(t->rows[r][i]);
        free(t->rows[r]);
    }
    free(t->rows);
}

/* One change to a file: in row `row` (0-based; -1 every row) set `column`
 * to `value`. A column not in the header is added at the end (empty where
 * not set); a NULL value deletes the column. */
typedef struct change {
    int row;
    const char *column;
    const char *value;
} change;

#define ALL (-1)

static void put_field(ww_buf *b, const char *s)
{
    assert_ww_ok(ww_buf__puts(b, "\""));
    for (; *s; s++) {
        assert_ww_ok(ww_buf__put(b, s, 1));
        if (*s == '"') assert_ww_ok(ww_buf__puts(b, "\""));
    }
    assert_ww_ok(ww_buf__puts(b, "\""));
}

/* base's header and n_rows rows (the last base row repeated as needed),
 * every field quoted, CRLF line ends; malloc'd, NUL-terminated. */
static char *make_csv(const char *base, size_t n_rows, const change *ch, size_t n_changes)
{
    table t;
    ww_buf b = WW_BUF_INIT;
    const char *names[128];
    size_t n_names = 0;

    table_read(&t, base);
    for (size_t i = 0; i < t.n_cols; i++) names[n_names++] = t.header[i];
    for (size_t k = 0; k < n_changes; k++) {
        int known = 0;
        for (size_t i = 0; i < n_names; i++)
            if (!strcmp(names[i], ch[k].column)) known = 1;
        if (!known) {
            assert_true(n_names < 128);
            names[n_names++] = ch[k].column;
        }
    }
    for (size_t r = 0; r <= n_rows; r++) {
        int first = 1;
        for (size_t i = 0; i < n_names; i++) {
            const char *value = "";
            int deleted = 0;
            if (r == 0) {
                value = names[i];
            } else if (i < t.n_cols) {
                value = t.rows[r - 1 < t.n_rows ? r - 1 : t.n_rows - 1][i];
            }
            for (size_t k = 0; k < n_changes; k++) {
                if (strcmp(ch[k].column, names[i])) continue;
                if (!ch[k].value)
                    deleted = 1;
                else if (r > 0 && (ch[k].row == ALL || (size_t)ch[k].row == r - 1))
                    value = ch[k].value;
            }
            if (deleted) continue;
            if (!first) assert_ww_ok(ww_buf__puts(&b, ","));
            first = 0;
            put_field(&b, value);
        }
        assert_ww_ok(ww_buf__puts(&b, "\r\n"));
    }
    table_free(&t);
    return ww_buf__detach(&b);
}

/* ---- the template and the documentation ---------------------------------------- */

static void test_pilot_csv__template(void **state)
{
    ww_diags *d;
    got g;
    (void)state;
    assert_ww_ok(run_file(TEMPLATE, &d, &g));
    assert_clean(d, &g);
    /* the one example row says what it is */
    assert_int_equal(g.is_example, 1);
    assert_non_null(strstr(g.title, "Illustrative example — not real evidence"));
    assert_non_null(strstr(g.description, "Illustrative example — not real evidence"));
    assert_int_equal(g.provisional, 1);
    assert_string_equal(g.key, "(null)");
    assert_string_equal(g.authors, "A. Example; B. Illustration");
    assert_int_equal(g.n_issues, 2);
    assert_string_equal(g.issues[0], "truancy");
    assert_string_equal(g.issues[1], "school absence");
    assert_close(g.cost, 420.0, 1e-12);
    assert_int_equal(g.cost_price_year, 2023);
    assert_int_equal(g.design, WW_DESIGN_RANDOMISED);
    assert_int_equal(g.assigned_c, 405);
    assert_int_equal(g.analysed_t, 380);
    assert_close(g.baseline, 0.04, 1e-12);
    assert_int_equal(g.independent, 1);
    assert_string_equal(g.where, "line 2");
    assert_int_equal(g.line, 2);
    assert_int_equal(g.n_out, 1);
    assert_string_equal(g.out[0].name, "Half-day sessions missed");
    assert_int_equal(g.out[0].kind, WW_OUTCOME_CONTINUOUS);
    assert_int_equal(g.out[0].higher_is_better, 0);
    assert_close(g.out[0].mean_t, 31.4, 1e-12);
    assert_close(g.out[0].sd_c, 19.0, 1e-12);
    assert_int_equal(g.out[0].n_c, 371);
    assert_int_equal(g.out[0].events_t, -1);
    assert_true(isnan(g.out[0].estimate));
    assert_string_equal(g.out[0].where, "line 2");
    ww_diags__free(d);
}

/* docs/pilot-csv.md has a table row for every column of the template, and
 * the template has exactly the importer's columns (a clean parse has no
 * "unknown column" warning). */
static void test_pilot_csv__doc_lists_every_column(void **state)
{
    size_t size;
    char *doc = (char *)top_file("docs/pilot-csv.md", &size);
    table t;
    (void)state;
    table_read(&t, TEMPLATE);
    assert_int_equal(t.n_cols, 49);
    assert_int_equal(t.n_rows, 1);
    for (size_t i = 0; i < t.n_cols; i++) {
        char needle[96];
        snprintf(needle, sizeof needle, "\n| `%s` |", t.header[i]);
        if (!strstr(doc, needle)) {
            print_error("docs/pilot-csv.md has no row for column %s\n", t.header[i]);
            fail();
        }
    }
    assert_non_null(strstr(doc, "data/templates/pilot-results.csv"));
    assert_non_null(strstr(doc, "not real evidence"));
    table_free(&t);
    free(doc);
}

/* The XML example pilot, laid out as CSV, is the same record. */
static void test_pilot_csv__same_record_as_xml(void **state)
{
    size_t size;
    unsigned char *xml = top_file(PILOT_XML, &size);
    ww_diags *dx, *dc;
    got gx, gc;
    (void)state;
    assert_ww_ok(run_with(&ww_importer_submission, PILOT_XML, xml, size, &dx, &gx));
    assert_clean(dx, &gx);
    assert_ww_ok(run_file(PILOT, &dc, &gc));
    assert_clean(dc, &gc);

    assert_string_equal(gc.title, gx.title);
    assert_string_equal(gc.organisation, gx.organisation);
    assert_string_equal(gc.authors, gx.authors);
    assert_int_equal(gc.year, gx.year);
    assert_string_equal(gc.url, gx.url);
    assert_string_equal(gc.doi, gx.doi);
    assert_string_equal(gc.country, gx.country);
    assert_string_equal(gc.region, gx.region);
    assert_string_equal(gc.notes, gx.notes); /* line breaks kept inside quotes */
    assert_non_null(strchr(gc.notes, '\n'));
    assert_int_equal(gc.is_example, gx.is_example);
    assert_int_equal(gc.provisional, gx.provisional);
    assert_string_equal(gc.name, gx.name);
    assert_string_equal(gc.description, gx.description);
    assert_non_null(strstr(gc.description, "years 8 to 10\nwith"));
    assert_int_equal(gc.n_issues, gx.n_issues);
    for (size_t i = 0; i < gx.n_issues; i++) assert_string_equal(gc.issues[i], gx.issues[i]);
    assert_string_equal(gc.population, gx.population);
    assert_string_equal(gc.setting, gx.setting);
    assert_string_equal(gc.delivery, gx.delivery);
    assert_true(gc.cost == gx.cost);
    assert_int_equal(gc.cost_price_year, gx.cost_price_year);
    assert_string_equal(gc.payer, gx.payer);
    assert_int_equal(gc.design, gx.design);
    assert_string_equal(gc.unit, gx.unit);
    assert_string_equal(gc.comparison, gx.comparison);
    assert_int_equal(gc.assigned_t, gx.assigned_t);
    assert_int_equal(gc.assigned_c, gx.assigned_c);
    assert_int_equal(gc.analysed_t, gx.analysed_t);
    assert_int_equal(gc.analysed_c, gx.analysed_c);
    assert_true(gc.baseline == gx.baseline);
    assert_int_equal(gc.independent, gx.independent);
    assert_int_equal(gc.n_out, gx.n_out);
    assert_int_equal(gc.n_out, 2);
    for (size_t i = 0; i < gx.n_out; i++) {
        got_outcome *c = &gc.out[i], *x = &gx.out[i];
        assert_string_equal(c->name, x->name);
        assert_string_equal(c->domain, x->domain);
        assert_string_equal(c->timepoint, x->timepoint);
        assert_int_equal(c->kind, x->kind);
        assert_int_equal(c->higher_is_better, x->higher_is_better);
        assert_int_equal(c->clusters_t, x->clusters_t);
        assert_int_equal(c->clusters_c, x->clusters_c);
        assert_int_equal(c->clusters_t, 12);
        assert_memory_equal(&c->icc, &x->icc, sizeof c->icc);
        assert_memory_equal(&c->mean_t, &x->mean_t, sizeof c->mean_t);
        assert_memory_equal(&c->sd_t, &x->sd_t, sizeof c->sd_t);
        assert_memory_equal(&c->mean_c, &x->mean_c, sizeof c->mean_c);
        assert_memory_equal(&c->sd_c, &x->sd_c, sizeof c->sd_c);
        assert_int_equal(c->n_t, x->n_t);
        assert_int_equal(c->n_c, x->n_c);
        assert_int_equal(c->events_t, x->events_t);
        assert_int_equal(c->total_t, x->total_t);
        assert_int_equal(c->events_c, x->events_c);
        assert_int_equal(c->total_c, x->total_c);
        assert_string_equal(c->metric, x->metric);
    }
    /* provenance is the row's own line: the quoted line breaks of row 2
     * put row 3 on line 7 */
    assert_string_equal(gc.out[0].where, "line 2");
    assert_string_equal(gc.out[1].where, "line 7");
    assert_int_equal(gc.out[1].line, 7);
    assert_int_equal(gx.n_benefits, 1); /* benefits are XML only */
    assert_int_equal(gc.n_benefits, 0);
    ww_diags__free(dx);
    ww_diags__free(dc);
    free(xml);
}

/* ---- the same mistakes, the same messages ------------------------------------------- */

/* The XML example with `from` replaced by `to` (malloc'd). */
static char *mutate_xml(const char *from, const char *to)
{
    size_t size, lf = strlen(from), lt = strlen(to);
    char *base = (char *)top_file(PILOT_XML, &size);
    char *p = strstr(base, from), *out;
    if (!p) {
        print_error("'%s' not in %s\n", from, PILOT_XML);
        fail();
    }
    out = malloc(size - lf + lt + 1);
    assert_non_null(out);
    memcpy(out, base, (size_t)(p - base));
    memcpy(out + (p - base), to, lt);
    memcpy(out + (p - base) + lt, p + lf, size - (size_t)(p - base) - lf + 1);
    free(base);
    return out;
}

/* "field\tmessage" of every error, sorted, the XML names mapped onto the
 * template's column names. */
static size_t error_lines(const ww_diags *d, char out[][512], size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < ww_diags__count(d) && n < max; i++) {
        const ww_diag *dg = ww_diags__get(d, i);
        const char *field = dg->field;
        if (dg->is_warning) continue;
        if (!strcmp(field, "kind")) field = "design";
        snprintf(out[n++], 512, "%s\t%s", field, dg->message);
    }
    qsort(out, n, 512, (int (*)(const void *, const void *))strcmp);
    return n;
}

#define BINARY_XML                                                                                 \
    "<binary>\n        <events_treatment>142</events_treatment>\n"                                 \
    "        <total_treatment>380</total_treatment>\n"                                             \
    "        <events_control>168</events_control>\n"                                               \
    "        <total_control>371</total_control>\n      </binary>"

typedef struct case_ {
    const char *from, *to; /* in the XML */
    change csv[6];         /* in the CSV (row 0: continuous, row 1: binary) */
} case_;

static const case_ cases[] = {
    {"<sd_control>19.0</sd_control>", "<sd_control>-1.2</sd_control>", {{0, "sd_control", "-1.2"}}},
    {"<sd_treatment>18.2</sd_treatment>",
     "<sd_treatment>0</sd_treatment>",
     {{0, "sd_treatment", "0"}}},
    {"<events_treatment>142</events_treatment>",
     "<events_treatment>381</events_treatment>",
     {{1, "events_treatment", "381"}}},
    {"<events_control>168</events_control>",
     "<events_control>-1</events_control>",
     {{1, "events_control", "-1"}}},
    {"<n_treatment>380</n_treatment>", "<n_treatment>0</n_treatment>", {{0, "n_treatment", "0"}}},
    {"<n_control>371</n_control>", "<n_control>-4</n_control>", {{0, "n_control", "-4"}}},
    {"<n_control>371</n_control>", "<n_control>500</n_control>", {{0, "n_control", "500"}}},
    {"<assigned_treatment>412</assigned_treatment>",
     "<assigned_treatment>12.5</assigned_treatment>",
     {{ALL, "assigned_treatment", "12.5"}}},
    {"<analysed_control>371</analysed_control>",
     "<analysed_control>406</analysed_control>",
     {{ALL, "analysed_control", "406"}}},
    {"<assigned_control>405</assigned_control>", "", {{ALL, "assigned_control", ""}}},
    {"<cost_per_participant>420.00</cost_per_participant>",
     "<cost_per_participant>-420.00</cost_per_participant>",
     {{ALL, "cost_per_participant", "-420.00"}}},
    {"<year>2024</year>", "<year>2099</year>", {{ALL, "year", "2099"}}},
    {"<year>2024</year>", "<year>24</year>", {{ALL, "year", "24"}}},
    {"<cost_price_year>2023</cost_price_year>",
     "<cost_price_year>2098</cost_price_year>",
     {{ALL, "cost_price_year", "2098"}}},
    {"example=\"true\"", "example=\"yes\"", {{ALL, "example", "yes"}}},
    {"<kind>randomised</kind>", "<kind>rct</kind>", {{ALL, "design", "rct"}}},
    {"<direction>lower-is-better</direction>",
     "<direction>down</direction>",
     {{0, "direction", "down"}}},
    {"<mean_control>35.9</mean_control>",
     "<mean_control>35,9</mean_control>",
     {{0, "mean_control", "35,9"}}},
    {"<country>GB</country>",
     "<country>United Kingdom</country>",
     {{ALL, "country", "United Kingdom"}}},
    {"<doi>10.5555/ww-example-attendance</doi>",
     "<doi>https://doi.org/10.5555/x</doi>",
     {{ALL, "doi", "https://doi.org/10.5555/x"}}},
    {"<report_url>https://example.org/whatworks/examples/attendance-mentoring</report_url>",
     "<report_url>example.org</report_url>",
     {{ALL, "report_url", "example.org"}}},
    {"<region>North West England</region>", "<region>  </region>", {{ALL, "region", "  "}}},
    {BINARY_XML,
     "<reported><metric>SMD</metric><estimate>-0.2</estimate>"
     "<ci_low>-0.1</ci_low><ci_high>0.3</ci_high></reported>",
     {{1, "events_treatment", ""},
      {1, "total_treatment", ""},
      {1, "events_control", ""},
      {1, "total_control", ""},
      {1, "metric", "SMD"},
      {1, "estimate", "-0.2"}}},
    {BINARY_XML,
     "<reported><metric>OR</metric><estimate>0</estimate>"
     "<ci_low>0</ci_low><ci_high>0</ci_high></reported>",
     {{1, "events_treatment", ""},
      {1, "total_treatment", ""},
      {1, "events_control", ""},
      {1, "total_control", ""},
      {1, "metric", "OR"},
      {1, "estimate", "0"}}},
    {BINARY_XML,
     "<reported><metric>RD</metric><estimate>0.1</estimate>"
     "<ci_low>0.05</ci_low><ci_high>1.5</ci_high></reported>",
     {{1, "events_treatment", ""},
      {1, "total_treatment", ""},
      {1, "events_control", ""},
      {1, "total_control", ""},
      {1, "metric", "RD"},
      {1, "estimate", "0.1"}}},
    {BINARY_XML,
     "<reported><metric>RR</metric><estimate>1.3</estimate>"
     "<ci_low>1.5</ci_low><ci_high>1.2</ci_high></reported>",
     {{1, "events_treatment", ""},
      {1, "total_treatment", ""},
      {1, "events_control", ""},
      {1, "total_control", ""},
      {1, "metric", "RR"},
      {1, "estimate", "1.3"}}},
};

/* The CI limits of the reported cases, which need a seventh and eighth
 * change. */
static const change reported_ci[][2] = {
    {{1, "ci_low", "-0.1"}, {1, "ci_high", "0.3"}},
    {{1, "ci_low", "0"}, {1, "ci_high", "0"}},
    {{1, "ci_low", "0.05"}, {1, "ci_high", "1.5"}},
    {{1, "ci_low", "1.5"}, {1, "ci_high", "1.2"}},
};

static void test_pilot_csv__same_messages_as_xml(void **state)
{
    size_t n_cases = sizeof cases / sizeof cases[0], reported = 0;
    (void)state;
    for (size_t k = 0; k < n_cases; k++) {
        change ch[8];
        size_t n_ch = 0;
        char *xml = mutate_xml(cases[k].from, cases[k].to), *csv;
        char ex[8][512], ec[8][512];
        size_t nx, nc;
        ww_diags *dx, *dc;
        got gx, gc;

        for (size_t i = 0; i < 6 && cases[k].csv[i].column; i++) ch[n_ch++] = cases[k].csv[i];
        if (!strcmp(cases[k].from, BINARY_XML)) {
            ch[n_ch++] = reported_ci[reported][0];
            ch[n_ch++] = reported_ci[reported][1];
            reported++;
        }
        csv = make_csv(PILOT, 2, ch, n_ch);
        assert_ww_ok(run_with(&ww_importer_submission, "pilot.xml", xml, strlen(xml), &dx, &gx));
        assert_ww_ok(run("pilot.csv", csv, strlen(csv), &dc, &gc));
        nx = error_lines(dx, ex, 8);
        nc = error_lines(dc, ec, 8);
        if (nx == 0 || nx != nc) {
            print_error("case %zu (%s): %zu XML errors, %zu CSV errors\n", k, cases[k].to, nx, nc);
            dump(dx);
            dump(dc);
            fail();
        }
        for (size_t i = 0; i < nx; i++) assert_string_equal(ec[i], ex[i]);
        assert_int_equal(gx.calls, 0);
        assert_int_equal(gc.calls, 0);
        ww_diags__free(dx);
        ww_diags__free(dc);
        free(xml);
        free(csv);
    }
    assert_int_equal(reported, 4);
}

/* ---- lines, columns and rows ------------------------------------------------------------ */

static void expect_one(size_t n_rows, const change *ch, size_t n_ch, const char *field, long line,
                       const char *part)
{
    char *csv = make_csv(TEMPLATE, n_rows, ch, n_ch);
    ww_diags *d;
    got g;
    assert_ww_ok(run("pilot.csv", csv, strlen(csv), &d, &g));
    assert_only(d, &g, field, line, part);
    ww_diags__free(d);
    free(csv);
}

static void test_pilot_csv__line_of_each_row(void **state)
{
    static const change sd[] = {{2, "sd_control", "-1.2"}};
    static const change n[] = {{1, "n_treatment", "0"}};
    static const change events[] = {{2, "mean_treatment", ""},      {2, "sd_treatment", ""},
                                    {2, "n_treatment", ""},         {2, "mean_control", ""},
                                    {2, "sd_control", ""},          {2, "n_control", ""},
                                    {2, "events_treatment", "381"}, {2, "total_treatment", "380"},
                                    {2, "events_control", "10"},    {2, "total_control", "300"}};
    char *csv;
    ww_diags *d;
    got g;
    (void)state;
    expect_one(3, sd, 1, "sd_control", 4, "must be > 0, got -1.2");
    expect_one(3, n, 1, "n_treatment", 3, "must be at least 1, got 0");
    expect_one(3, events, sizeof events / sizeof events[0], "events_treatment", 4,
               "must not exceed total_treatment (380), got 381");

    /* three good rows: three outcomes, each with its line */
    csv = make_csv(TEMPLATE, 3, events + 6, 0);
    assert_ww_ok(run("pilot.csv", csv, strlen(csv), &d, &g));
    assert_clean(d, &g);
    assert_int_equal(g.n_out, 3);
    assert_string_equal(g.out[2].where, "line 4");
    ww_diags__free(d);
    free(csv);
}

static void test_pilot_csv__rows_disagree(void **state)
{
    static const change title[] = {{1, "title", "Another title"}};
    static const change cost[] = {{2, "cost_per_participant", "420"}};
    static const change blank[] = {{1, "region", ""}};
    static const change spaces[] = {{1, "setting", "  Secondary   schools "}};
    char *csv;
    ww_diags *d;
    got g;
    (void)state;
    /* values quoted back are cut at 60 bytes, on a character boundary */
    expect_one(2, title, 1, "title", 3,
               "'Another title' differs from line 2 ('Illustrative example — not real evidence: "
               "a school attenda...'): every row repeats the same evaluation, intervention and "
               "design");
    /* the same amount written differently is still a different cell */
    expect_one(3, cost, 1, "cost_per_participant", 4, "'420' differs from line 2 ('420.00')");
    /* a blank on a later row is not "the same as above" */
    expect_one(2, blank, 1, "region", 3, "'' differs from line 2 ('North West England')");
    /* white space is collapsed before comparing, as for XML text */
    csv = make_csv(TEMPLATE, 2, spaces, 1);
    assert_ww_ok(run("pilot.csv", csv, strlen(csv), &d, &g));
    assert_clean(d, &g);
    ww_diags__free(d);
    free(csv);
}

static void test_pilot_csv__missing_required_column(void **state)
{
    static const change no_region[] = {{ALL, "region", NULL}};
    static const change no_results[] = {{ALL, "events_treatment", NULL},
                                        {ALL, "total_treatment", NULL},
                                        {ALL, "events_control", NULL},
                                        {ALL, "total_control", NULL},
                                        {ALL, "metric", NULL},
                                        {ALL, "estimate", NULL},
                                        {ALL, "ci_low", NULL},
                                        {ALL, "ci_high", NULL},
                                        {ALL, "doi", NULL},
                                        {ALL, "notes", NULL}};
    static const change empty[] = {{0, "timepoint", " "}};
    char *csv;
    ww_diags *d;
    got g;
    (void)state;
    expect_one(1, no_region, 1, "region", 1, "missing (a required column of the template)");
    expect_one(1, empty, 1, "timepoint", 2, "must not be empty");
    /* optional columns may go */
    csv = make_csv(TEMPLATE, 1, no_results, sizeof no_results / sizeof no_results[0]);
    assert_ww_ok(run("pilot.csv", csv, strlen(csv), &d, &g));
    assert_clean(d, &g);
    assert_string_equal(g.doi, "(null)");
    ww_diags__free(d);
    free(csv);
}

static void test_pilot_csv__unknown_column(void **state)
{
    static const change colour[] = {{ALL, "colour", "red"}};
    static const change twice[] = {{ALL, "Title", "x"}};
    char *csv = make_csv(TEMPLATE, 1, colour, 1);
    ww_diags *d;
    got g;
    (void)state;
    assert_ww_ok(run("pilot.csv", csv, strlen(csv), &d, &g));
    assert_int_equal(ww_diags__errors(d), 0);
    assert_int_equal(ww_diags__count(d), 1);
    assert_diag_level(d, 1, "colour", 1, "not a column of the pilot results template; ignored");
    assert_int_equal(g.calls, 1);
    ww_diags__free(d);
    free(csv);
    /* names compare without regard to case, so "Title" is "title" again */
    expect_one(1, twice, 1, "Title", 1, "appears more than once in the header");
}

static void test_pilot_csv__result_groups(void **state)
{
    static const change none[] = {{0, "mean_treatment", ""}, {0, "sd_treatment", ""},
                                  {0, "n_treatment", ""},    {0, "mean_control", ""},
                                  {0, "sd_control", ""},     {0, "n_control", ""}};
    static const change two[] = {{0, "events_treatment", "3"}};
    static const change part[] = {{0, "sd_control", ""}};
    static const change cost[] = {{ALL, "cost_payer", ""}};
    static const change control[] = {{ALL, "design", "before-after"},
                                     {ALL, "assigned_control", ""},
                                     {ALL, "analysed_control", ""}};
    char *csv;
    ww_diags *d;
    got g;
    (void)state;
    expect_one(1, none, 6, "outcome_name", 2, "has no result");
    expect_one(1, two, 1, "events_treatment", 2,
               "a row holds one kind of result: the continuous columns are filled, so the binary "
               "columns must be empty");
    expect_one(1, part, 1, "sd_control", 2,
               "missing (a continuous result needs mean, SD and N for both arms)");
    expect_one(1, cost, 1, "cost_payer", 2, "missing (a cost is given with");
    /* a design with no comparison group needs no control counts */
    csv = make_csv(TEMPLATE, 1, control, 3);
    assert_ww_ok(run("pilot.csv", csv, strlen(csv), &d, &g));
    assert_clean(d, &g);
    assert_int_equal(g.design, WW_DESIGN_BEFORE_AFTER);
    assert_int_equal(g.assigned_c, -1);
    ww_diags__free(d);
    free(csv);
}

/* Clustering columns: both arms or neither, never more clusters than
 * people, an ICC within 0..1; a file without them (an older template) is
 * still valid. */
static void test_pilot_csv__clusters(void **state)
{
    static const change one_arm[] = {{0, "clusters_control", ""}};
    static const change too_many[] = {{0, "clusters_treatment", "413"}};
    static const change bad_icc[] = {{0, "icc", "1.5"}};
    static const change icc[] = {{0, "icc", "0.05"}};
    char *csv;
    ww_diags *d;
    got g;
    (void)state;
    expect_one(1, one_arm, 1, "clusters_control", 2,
               "give the clusters of both arms, or of neither");
    expect_one(1, too_many, 1, "clusters_treatment", 2,
               "must not exceed assigned_treatment (412), got 413; an arm cannot have more "
               "clusters than people");
    expect_one(1, bad_icc, 1, "icc", 2, "must be between 0 and 1");
    csv = make_csv(TEMPLATE, 1, icc, 1);
    assert_ww_ok(run("pilot.csv", csv, strlen(csv), &d, &g));
    assert_clean(d, &g);
    assert_int_equal(g.out[0].clusters_t, 12);
    assert_int_equal(g.out[0].clusters_c, 12);
    assert_close(g.out[0].icc, 0.05, 1e-15);
    ww_diags__free(d);
    free(csv);

    /* the template before these columns: valid, no clusters */
    {
        size_t size;
        char *old = (char *)top_file(TEMPLATE, &size), *p;
        assert_non_null(p = strstr(old, ",clusters_treatment,clusters_control,icc\r\n"));
        memmove(p, p + strlen(",clusters_treatment,clusters_control,icc"),
                strlen(p + strlen(",clusters_treatment,clusters_control,icc")) + 1);
        assert_non_null(p = strstr(old, ",12,12,\r\n"));
        memmove(p, p + strlen(",12,12,"), strlen(p + strlen(",12,12,")) + 1);
        assert_ww_ok(run("pilot.csv", old, strlen(old), &d, &g));
        assert_clean(d, &g);
        assert_int_equal(g.out[0].clusters_t, -1);
        assert_true(isnan(g.out[0].icc));
        ww_diags__free(d);
        free(old);
    }
}

/* Malformed rows are errors with their lines; the rows after them are
 * still read (and checked). */
static void test_pilot_csv__malformed_rows(void **state)
{
    size_t size, head;
    char *base = (char *)top_file(TEMPLATE, &size);
    char *row = strstr(base, "\r\n") + 2, *doc;
    size_t row_len = size - (size_t)(row - base);
    ww_buf b = WW_BUF_INIT;
    ww_diags *d;
    got g;
    (void)state;
    head = (size_t)(row - base);
    assert_ww_ok(ww_buf__put(&b, base, head + row_len));                 /* line 2: good */
    assert_ww_ok(ww_buf__puts(&b, "Bad \"quote\" here,x\r\n"));          /* line 3 */
    assert_ww_ok(ww_buf__puts(&b, "\"only\",\"three\",\"fields\"\r\n")); /* line 4 */
    assert_ww_ok(ww_buf__put(&b, row, row_len));                         /* line 5: good */
    assert_ww_ok(ww_buf__puts(&b, ",,,,\r\n"));                          /* blank: skipped */
    doc = ww_buf__detach(&b);
    assert_ww_ok(run("pilot.csv", doc, strlen(doc), &d, &g));
    if (ww_diags__errors(d) != 2) dump(d);
    assert_int_equal(ww_diags__errors(d), 2);
    assert_diag(d, "title", 3, "not valid CSV: a quote inside an unquoted field");
    assert_diag(d, "", 4, "this row has 3 fields, the header has 49");
    assert_int_equal(g.calls, 0);
    ww_diags__free(d);
    free(doc);
    free(base);
}

static void test_pilot_csv__non_utf8(void **state)
{
    static const change latin1[] = {{1, "region", "North West \xE9ngland"}};
    static const change overlong[] = {{0, "setting", "Secondary \xC0\xAF schools"}};
    char *csv;
    ww_diags *d;
    got g;
    (void)state;
    expect_one(2, latin1, 1, "encoding", 3,
               "this line is not valid UTF-8 (a submission must be "
               "saved as UTF-8, not Latin-1 or Windows-1252");
    expect_one(1, overlong, 1, "encoding", 2, "not valid UTF-8");
    /* a NUL byte */
    csv = make_csv(TEMPLATE, 1, latin1, 0);
    *strstr(csv, "Secondary schools") = '\0';
    {
        size_t len = strlen(csv) + 1 + strlen(csv + strlen(csv) + 1);
        assert_ww_ok(run("pilot.csv", csv, len, &d, &g));
        assert_only(d, &g, "encoding", 2, "not valid UTF-8");
        ww_diags__free(d);
    }
    free(csv);
}

static void test_pilot_csv__empty_file(void **state)
{
    static const char header_only[] = "\xEF\xBB\xBFtitle,organisation,outcome_name\r\n";
    ww_diags *d;
    got g;
    (void)state;
    assert_ww_ok(run("empty.csv", "", 0, &d, &g));
    assert_only(d, &g, "", 0, "the file is empty");
    ww_diags__free(d);
    assert_ww_ok(run("blank.csv", "\xEF\xBB\xBF\r\n \r\n", 7, &d, &g));
    assert_only(d, &g, "", 0, "the file is empty");
    ww_diags__free(d);
    assert_ww_ok(run("header.csv", header_only, strlen(header_only), &d, &g));
    assert_diag(d, "outcome_name", 1, "the file has a header but no outcome rows");
    assert_diag(d, "region", 1, "missing (a required column of the template)");
    assert_int_equal(g.calls, 0);
    ww_diags__free(d);
}

static void test_pilot_csv__too_many_rows(void **state)
{
    static const change none[] = {{0, "title", "x"}};
    char *csv = make_csv(TEMPLATE, 201, none, 0);
    ww_diags *d;
    got g;
    (void)state;
    assert_ww_ok(run("pilot.csv", csv, strlen(csv), &d, &g));
    assert_only(d, &g, "", 202, "more than 200 outcome rows; a submission has at most 200");
    ww_diags__free(d);
    free(csv);
}

/* Every problem of one file at once, top to bottom. */
static void test_pilot_csv__several_problems(void **state)
{
    ww_diags *d;
    got g;
    (void)state;
    assert_ww_ok(run_file("tests/fixtures/pilot_csv/several-problems.csv", &d, &g));
    if (ww_diags__errors(d) != 8) dump(d);
    assert_int_equal(ww_diags__errors(d), 8);
    assert_diag(d, "year", 2, "2099 is in the future");
    assert_diag(d, "cost_per_participant", 2, "must not be negative, got -250");
    assert_diag(d, "analysed_treatment", 2, "must not exceed assigned_treatment (412), got 420");
    assert_diag(d, "sd_treatment", 3, "must be > 0, got 0");
    assert_diag(d, "events_control", 4, "must not exceed total_control (85), got 95");
    assert_diag(d, "region", 5, "'Somewhere else' differs from line 2");
    assert_diag(d, "ci_low", 5, "a risk ratio's confidence limit must be > 0, got -0.1");
    assert_diag(d, "direction", 6, "must be one of: higher-is-better, lower-is-better; got 'down'");
    for (size_t i = 1; i < ww_diags__count(d); i++)
        assert_true(ww_diags__get(d, i - 1)->line <= ww_diags__get(d, i)->line);
    assert_int_equal(g.calls, 0);
    ww_diags__free(d);
}

static void test_pilot_csv__sniff(void **state)
{
    size_t size;
    unsigned char *data = top_file(TEMPLATE, &size);
    ww_input in = {TEMPLATE, data, size};
    static const char wwc[] = "FindingID,ReviewID,Effect_Size_WWC\n";
    static const char xml[] = "<?xml version=\"1.0\"?>\n<submission "
                              "xmlns=\"urn:whatworks:submission:1\"/>";
    (void)state;
    assert_true(ww_importer_pilot_csv.sniff(&in) >= 90);
    assert_ptr_equal(ww_importers__sniff(&in), &ww_importer_pilot_csv);
    assert_int_equal(ww_importer_wwc.sniff(&in), 0);
    assert_int_equal(ww_importer_submission.sniff(&in), 0);
    in.data = (const unsigned char *)wwc;
    in.size = strlen(wwc);
    assert_int_equal(ww_importer_pilot_csv.sniff(&in), 0);
    in.data = (const unsigned char *)xml;
    in.size = strlen(xml);
    assert_int_equal(ww_importer_pilot_csv.sniff(&in), 0);
    in.size = 0;
    assert_int_equal(ww_importer_pilot_csv.sniff(&in), 0);
    assert_ptr_equal(ww_importers__find("pilot-csv"), &ww_importer_pilot_csv);
    free(data);
}

static int refuse(void *ctx, const ww_record *rec)
{
    (void)ctx;
    (void)rec;
    return WW_EIO;
}

static void test_pilot_csv__sink_stop(void **state)
{
    size_t size;
    unsigned char *data = top_file(TEMPLATE, &size);
    ww_input in = {TEMPLATE, data, size};
    ww_sink sink = {NULL, refuse, NULL, NULL, NULL, NULL};
    ww_diags *d;
    (void)state;
    assert_ww_ok(ww_diags__new(&d));
    assert_int_equal(ww_importer_pilot_csv.parse(&in, d, &sink), WW_EIO);
    assert_int_equal(ww_diags__count(d), 0);
    ww_diags__free(d);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pilot_csv__template),
        cmocka_unit_test(test_pilot_csv__doc_lists_every_column),
        cmocka_unit_test(test_pilot_csv__same_record_as_xml),
        cmocka_unit_test(test_pilot_csv__same_messages_as_xml),
        cmocka_unit_test(test_pilot_csv__line_of_each_row),
        cmocka_unit_test(test_pilot_csv__rows_disagree),
        cmocka_unit_test(test_pilot_csv__missing_required_column),
        cmocka_unit_test(test_pilot_csv__unknown_column),
        cmocka_unit_test(test_pilot_csv__result_groups),
        cmocka_unit_test(test_pilot_csv__clusters),
        cmocka_unit_test(test_pilot_csv__malformed_rows),
        cmocka_unit_test(test_pilot_csv__non_utf8),
        cmocka_unit_test(test_pilot_csv__empty_file),
        cmocka_unit_test(test_pilot_csv__too_many_rows),
        cmocka_unit_test(test_pilot_csv__several_problems),
        cmocka_unit_test(test_pilot_csv__sniff),
        cmocka_unit_test(test_pilot_csv__sink_stop),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
