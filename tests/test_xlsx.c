/*
 * test_xlsx.c — the .xlsx reader (importers/xlsx.h) and the Greater
 * Manchester Unit Cost Database importer (importers/gmca_unit_costs.c).
 * Small workbooks are written here with libzip, part by part, so each test
 * says exactly what the reader is given: shared and inline strings, numbers,
 * booleans, errors, formulas' cached values, cells and rows without
 * references; then the limits (entries, declared and actual inflated size,
 * compression ratio, depth) and malformed parts (a DOCTYPE, an entity, a
 * relationship out of the package, a missing part, a bad reference, a shared
 * string that does not exist). The real workbook
 * (../shared/data/economics/GMCA_unit_cost_database_v1.4.xlsx) is read for
 * its counts per sheet and three unit costs whose cells were read by hand
 * with unzip and xmllint, checked again against the existing transcription
 * (data/unit_costs.csv rows SS15.0 and SS15.3), and imported into a database.
 */
#include "helpers.h"

#include <sqlite3.h>
#include <unistd.h>
#include <zip.h>

#include "../importers/importers.h"
#include "../importers/xlsx.h"

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ww-test-xlsx-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[512];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- writing workbooks -------------------------------------------------------- */

typedef struct part {
    const char *name;
    const char *text; /* NULL: `size` bytes of 'x' (for the size limits) */
    size_t size;
} part;

#define CT                                                                                         \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types "                                            \
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"
#define PKG_RELS                                                                                   \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships "                                    \
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship "        \
    "Id=\"rId1\" "                                                                                 \
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" " \
    "Target=\"xl/workbook.xml\"/></Relationships>"
#define WB_RELS_HEAD                                                                               \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships "                                    \
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
#define REL_WS "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
#define REL_SST "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
#define WB_RELS                                                                                    \
    WB_RELS_HEAD                                                                                   \
        "<Relationship Id=\"rId1\" Type=\"" REL_WS                                                 \
        "\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"" REL_WS            \
        "\" Target=\"/xl/worksheets/sheet2.xml\"/><Relationship Id=\"rId3\" Type=\"" REL_SST       \
        "\" Target=\"sharedStrings.xml\"/></Relationships>"
#define WORKBOOK                                                                                   \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook "                                         \
    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "                         \
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"     \
    "<sheet name=\"First\" sheetId=\"7\" r:id=\"rId1\"/><sheet name=\"Second &amp; more\" "        \
    "sheetId=\"3\" r:id=\"rId2\"/></sheets></workbook>"
#define SST                                                                                        \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst "                                              \
    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"3\" "             \
    "uniqueCount=\"3\"><si><t>Cost code</t></si><si><r><t>Rich </t></r><r><rPr><b/></rPr><t>"      \
    "text</t></r><rPh sb=\"0\" eb=\"1\"><t>PHONETIC</t></rPh></si><si><t>a_x000D_b_x005F_x0041_"   \
    "</t></si></sst>"
#define WS_HEAD                                                                                    \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet "                                        \
    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
#define WS_TAIL "</sheetData></worksheet>"
#define SHEET1                                                                                     \
    WS_HEAD                                                                                        \
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\"><v>3.5</v></c>"                  \
        "<c r=\"C1\" t=\"inlineStr\"><is><t>inline</t></is></c><c r=\"D1\" t=\"b\"><v>1</v></c>"   \
        "<c r=\"E1\" t=\"e\"><v>#N/A</v></c><c r=\"F1\" t=\"str\"><f>A1&amp;\"!\"</f><v>Cost "     \
        "code!</v></c><c r=\"G1\" t=\"str\"><f>\"\"</f><v/></c><c r=\"H1\"/></row>"                \
        "<row r=\"3\"><c r=\"A3\" s=\"5\"><v>43831</v></c><c r=\"AB3\" t=\"s\"><v>1</v></c>"       \
        "<c t=\"s\"><v>2</v></c></row><row><c><v>-1e3</v></c></row>" WS_TAIL
#define SHEET2 WS_HEAD "<row r=\"2\"><c r=\"B2\"><v>7</v></c></row>" WS_TAIL

/* Write parts into DIR/NAME as a zip; return its bytes (free()) and size. */
static unsigned char *make_zip(const char *name, const part *parts, size_t n, size_t *size)
{
    char path[512];
    zip_t *z;
    int err = 0;
    unsigned char *data;
    FILE *fp;
    long len;
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(z);
    for (size_t i = 0; i < n; i++) {
        zip_source_t *src;
        void *buf;
        size_t len_i = parts[i].text ? strlen(parts[i].text) : parts[i].size;
        buf = malloc(len_i ? len_i : 1);
        assert_non_null(buf);
        if (parts[i].text)
            memcpy(buf, parts[i].text, len_i);
        else
            memset(buf, 'x', len_i);
        src = zip_source_buffer(z, buf, len_i, 1); /* libzip frees buf */
        assert_non_null(src);
        assert_true(zip_file_add(z, parts[i].name, src, ZIP_FL_OVERWRITE) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
    fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    rewind(fp);
    data = malloc((size_t)len);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    *size = (size_t)len;
    return data;
}

/* The small workbook with one part replaced (or added). */
static unsigned char *book_with(const char *name, const char *text, size_t *size)
{
    part parts[7] = {
        {"[Content_Types].xml", CT, 0},         {"_rels/.rels", PKG_RELS, 0},
        {"xl/workbook.xml", WORKBOOK, 0},       {"xl/_rels/workbook.xml.rels", WB_RELS, 0},
        {"xl/sharedStrings.xml", SST, 0},       {"xl/worksheets/sheet1.xml", SHEET1, 0},
        {"xl/worksheets/sheet2.xml", SHEET2, 0}};
    size_t n = 7;
    int found = 0;
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(parts[i].name, name) == 0) {
            parts[i].text = text;
            found = 1;
        }
    assert_true(!name || found);
    return make_zip("book.xlsx", parts, n, size);
}

/* ---- collecting rows ------------------------------------------------------------ */

typedef struct got {
    size_t rows, cells;
    long row[16];
    ww_xlsx_cell cell[32];
    char text[32][64];
} got;

static int keep_row(void *ctx, const ww_xlsx_row *row)
{
    got *g = ctx;
    if (g->rows < 16) g->row[g->rows] = row->row;
    g->rows++;
    for (size_t i = 0; i < row->n_cells; i++) {
        if (g->cells < 32) {
            g->cell[g->cells] = row->cells[i];
            snprintf(g->text[g->cells], sizeof g->text[0], "%s", row->cells[i].text);
            g->cell[g->cells].text = g->text[g->cells];
        }
        g->cells++;
    }
    return 0;
}

static int open_error(const unsigned char *data, size_t size, const ww_xlsx_limits *lim,
                      const char *needle)
{
    ww_xlsx *x = NULL;
    int rc = ww_xlsx__open(&x, data, size, "t.xlsx", lim);
    if (rc == 0) {
        /* the problem may be in a sheet: read them all */
        got g;
        memset(&g, 0, sizeof g);
        for (size_t i = 0; rc == 0 && i < ww_xlsx__sheet_count(x); i++)
            rc = ww_xlsx__read_sheet(x, i, keep_row, &g);
        ww_xlsx__free(x);
    }
    if (rc == WW_EDATA && needle && !strstr(ww_error_last(), needle)) {
        print_error("error '%s' does not say '%s'\n", ww_error_last(), needle);
        return 0;
    }
    return rc;
}

/* ---- the reader ------------------------------------------------------------------- */

static void test_xlsx__cells(void **state)
{
    size_t size;
    unsigned char *data = book_with(NULL, NULL, &size);
    ww_xlsx *x = NULL;
    got g;
    (void)state;

    assert_ww_ok(ww_xlsx__open(&x, data, size, "book.xlsx", NULL));
    assert_int_equal(ww_xlsx__sheet_count(x), 2);
    assert_string_equal(ww_xlsx__sheet_name(x, 0), "First");
    assert_string_equal(ww_xlsx__sheet_name(x, 1), "Second & more");
    assert_string_equal(ww_xlsx__sheet_part(x, 0), "xl/worksheets/sheet1.xml");
    assert_string_equal(ww_xlsx__sheet_part(x, 1),
                        "xl/worksheets/sheet2.xml"); /* absolute target */
    assert_int_equal(ww_xlsx__sheet_find(x, "Second & more"), 1);
    assert_int_equal(ww_xlsx__sheet_find(x, "second & more"), -1);

    memset(&g, 0, sizeof g);
    assert_ww_ok(ww_xlsx__read_sheet(x, 0, keep_row, &g));
    assert_int_equal(g.rows, 3);
    assert_int_equal(g.row[0], 1);
    assert_int_equal(g.row[1], 3);
    assert_int_equal(g.row[2], 4); /* a row without r follows the last */
    /* row 1: shared string, number, inline string, bool, error, formula
     * string; the empty formula string and the empty cell are not passed on */
    assert_int_equal(g.cells, 10);
    assert_int_equal(g.cell[0].type, WW_XLSX_TEXT);
    assert_string_equal(g.cell[0].text, "Cost code");
    assert_int_equal(g.cell[0].col, 1);
    assert_int_equal(g.cell[1].type, WW_XLSX_NUMBER);
    assert_close(g.cell[1].number, 3.5, 0);
    assert_string_equal(g.cell[1].text, "3.5");
    assert_string_equal(g.cell[2].text, "inline");
    assert_int_equal(g.cell[3].type, WW_XLSX_BOOL);
    assert_string_equal(g.cell[3].text, "TRUE");
    assert_int_equal(g.cell[4].type, WW_XLSX_ERROR);
    assert_string_equal(g.cell[4].text, "#N/A");
    assert_int_equal(g.cell[5].type, WW_XLSX_TEXT);
    assert_string_equal(g.cell[5].text, "Cost code!"); /* the cached value, not the formula */
    /* row 3: a date stays its serial number; rich text without its phonetic
     * run; a cell without r follows AB; _xHHHH_ escapes decoded */
    assert_int_equal(g.cell[6].type, WW_XLSX_NUMBER);
    assert_close(g.cell[6].number, 43831, 0);
    assert_int_equal(g.cell[7].row, 3);
    assert_int_equal(g.cell[7].col, 28);
    assert_string_equal(g.cell[7].text, "Rich text");
    assert_int_equal(g.cell[8].col, 29);
    assert_string_equal(g.cell[8].text, "a\rb_x0041_");
    assert_int_equal(g.cell[9].row, 4);
    assert_int_equal(g.cell[9].col, 1);
    assert_close(g.cell[9].number, -1000, 0);

    memset(&g, 0, sizeof g);
    assert_ww_ok(ww_xlsx__read_sheet(x, 1, keep_row, &g));
    assert_int_equal(g.cells, 1);
    assert_int_equal(g.cell[0].row, 2);
    assert_int_equal(g.cell[0].col, 2);
    assert_int_equal(ww_xlsx__read_sheet(x, 2, keep_row, &g), WW_EUSAGE);
    ww_xlsx__free(x);
    ww_xlsx__free(NULL);
    free(data);
}

static void test_xlsx__refs(void **state)
{
    long row;
    int col;
    char name[8];
    (void)state;
    assert_ww_ok(ww_xlsx__parse_ref("A1", &row, &col));
    assert_int_equal(row, 1);
    assert_int_equal(col, 1);
    assert_ww_ok(ww_xlsx__parse_ref("XFD1048576", &row, &col));
    assert_int_equal(col, 16384);
    assert_int_equal(row, 1048576);
    assert_ww_ok(ww_xlsx__parse_ref("$C$113", &row, &col));
    assert_int_equal(col, 3);
    assert_int_equal(ww_xlsx__parse_ref("XFE1", &row, &col), WW_EDATA);
    assert_int_equal(ww_xlsx__parse_ref("A1048577", &row, &col), WW_EDATA);
    assert_int_equal(ww_xlsx__parse_ref("A0", &row, &col), WW_EDATA);
    assert_int_equal(ww_xlsx__parse_ref("1A", &row, &col), WW_EDATA);
    assert_int_equal(ww_xlsx__parse_ref("a1", &row, &col), WW_EDATA);
    assert_int_equal(ww_xlsx__parse_ref("", &row, &col), WW_EDATA);
    ww_xlsx__col_name(name, sizeof name, 1);
    assert_string_equal(name, "A");
    ww_xlsx__col_name(name, sizeof name, 28);
    assert_string_equal(name, "AB");
    ww_xlsx__col_name(name, sizeof name, 16384);
    assert_string_equal(name, "XFD");
}

static void test_xlsx__limits(void **state)
{
    ww_xlsx_limits lim;
    size_t size;
    unsigned char *data;
    (void)state;

    /* entries */
    data = book_with(NULL, NULL, &size);
    ww_xlsx__default_limits(&lim);
    lim.max_entries = 6;
    assert_int_equal(open_error(data, size, &lim, "7 entries, more than the 6 allowed"), WW_EDATA);
    /* one part's declared inflated size */
    ww_xlsx__default_limits(&lim);
    lim.max_part_bytes = 300;
    assert_int_equal(open_error(data, size, &lim, "possible zip bomb"), WW_EDATA);
    /* all parts together */
    ww_xlsx__default_limits(&lim);
    lim.max_total_bytes = 1000;
    assert_int_equal(open_error(data, size, &lim, "possible zip bomb"), WW_EDATA);
    /* a cell's text */
    ww_xlsx__default_limits(&lim);
    lim.max_cell_bytes = 4;
    assert_int_equal(open_error(data, size, &lim, "longer than 4 bytes"), WW_EDATA);
    /* shared strings */
    ww_xlsx__default_limits(&lim);
    lim.max_strings = 2;
    assert_int_equal(open_error(data, size, &lim, "more than 2 strings"), WW_EDATA);
    /* depth */
    ww_xlsx__default_limits(&lim);
    lim.max_depth = 3;
    assert_int_equal(open_error(data, size, &lim, "nest more than 3 deep"), WW_EDATA);
    free(data);

    /* a highly compressible part: 8 MiB of one byte inflates past 200 times */
    {
        part parts[2] = {{"[Content_Types].xml", CT, 0},
                         {"xl/worksheets/sheet1.xml", NULL, 8u << 20}};
        data = make_zip("bomb.xlsx", parts, 2, &size);
        assert_true(size < (8u << 20) / 200);
        assert_int_equal(open_error(data, size, NULL, "possible zip bomb"), WW_EDATA);
        free(data);
    }
}

/* A zip whose directory lies about a part's size: the counter in the read
 * callback (or libzip's own check) stops the inflation, whatever was declared. */
static void test_xlsx__lying_sizes(void **state)
{
    char big[4096 + 200];
    size_t size, off;
    unsigned char *data;
    ww_xlsx_limits lim;
    (void)state;
    snprintf(big, sizeof big, "%s<row r=\"1\">", WS_HEAD);
    off = strlen(big);
    for (; off + 40 < 4096; off += strlen(big + off))
        snprintf(big + off, sizeof big - off, "<c r=\"A1\"><v>1</v></c>");
    snprintf(big + off, sizeof big - off, "</row>%s", WS_TAIL);
    data = book_with("xl/worksheets/sheet1.xml", big, &size);
    /* patch the sheet's uncompressed size to 10 in its local header and in
     * the central directory */
    for (size_t i = 0; i + 46 < size; i++) {
        const char *nm = "xl/worksheets/sheet1.xml";
        size_t nl = strlen(nm);
        if (memcmp(data + i, "PK\003\004", 4) == 0 && i + 30 + nl <= size &&
            memcmp(data + i + 30, nm, nl) == 0) {
            data[i + 22] = 10;
            data[i + 23] = data[i + 24] = data[i + 25] = 0;
        }
        if (memcmp(data + i, "PK\001\002", 4) == 0 && i + 46 + nl <= size &&
            memcmp(data + i + 46, nm, nl) == 0) {
            data[i + 24] = 10;
            data[i + 25] = data[i + 26] = data[i + 27] = 0;
        }
    }
    ww_xlsx__default_limits(&lim);
    lim.max_part_bytes = 2048;
    assert_int_equal(open_error(data, size, &lim, "inflates past the limits"), WW_EDATA);
    free(data);
}

static void test_xlsx__malformed(void **state)
{
    size_t size;
    unsigned char *data;
    static const char not_zip[] = "Cost code,Fiscal value\r\nSS1.0,10\r\n";
    (void)state;

    assert_int_equal(
        open_error((const unsigned char *)not_zip, sizeof not_zip - 1, NULL, "not a zip file"),
        WW_EDATA);
    assert_int_equal(
        open_error((const unsigned char *)"PK\003\004garbage", 11, NULL, "not a readable zip"),
        WW_EDATA);

    data = book_with("xl/worksheets/sheet1.xml",
                     "<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY a \"aaaaaaaa\">]>"
                     "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&a;</t>"
                     "</is></c></row></sheetData></worksheet>",
                     &size);
    assert_int_equal(open_error(data, size, NULL, "DOCTYPE"), WW_EDATA);
    free(data);
    data = book_with("xl/sharedStrings.xml", "<sst><!ENTITY x SYSTEM \"file:///etc/passwd\"></sst>",
                     &size);
    assert_int_equal(open_error(data, size, NULL, "entity declaration"), WW_EDATA);
    free(data);
    data = book_with("xl/worksheets/sheet1.xml",
                     WS_HEAD "<row r=\"1\"><c r=\"A1\"><v>1</v>" WS_TAIL, &size);
    assert_int_equal(open_error(data, size, NULL, "xl/worksheets/sheet1.xml:1: not well-formed"),
                     WW_EDATA);
    free(data);
    data = book_with("xl/worksheets/sheet1.xml",
                     WS_HEAD "<row r=\"1\"><c r=\"A0\"><v>1</v></c></row>" WS_TAIL, &size);
    assert_int_equal(open_error(data, size, NULL, "'A0' is not a cell reference"), WW_EDATA);
    free(data);
    data = book_with("xl/worksheets/sheet1.xml",
                     WS_HEAD "<row r=\"1\"><c r=\"B2\"><v>1</v></c></row>" WS_TAIL, &size);
    assert_int_equal(open_error(data, size, NULL, "cell B2 is inside row 1"), WW_EDATA);
    free(data);
    data = book_with("xl/worksheets/sheet1.xml",
                     WS_HEAD "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>3</v></c></row>" WS_TAIL, &size);
    assert_int_equal(open_error(data, size, NULL, "shared string '3', which does not exist"),
                     WW_EDATA);
    free(data);
    data = book_with("xl/worksheets/sheet1.xml",
                     WS_HEAD "<row r=\"1\"><c r=\"A1\"><v>12abc</v></c></row>" WS_TAIL, &size);
    assert_int_equal(open_error(data, size, NULL, "not a number"), WW_EDATA);
    free(data);
    data = book_with("xl/worksheets/sheet1.xml",
                     WS_HEAD "<row r=\"1\"><c r=\"A1\" t=\"q\"><v>1</v></c></row>" WS_TAIL, &size);
    assert_int_equal(open_error(data, size, NULL, "unknown cell type 'q'"), WW_EDATA);
    free(data);
    data = book_with("xl/worksheets/sheet1.xml",
                     WS_HEAD "<row r=\"2000000\"><c><v>1</v></c></row>" WS_TAIL, &size);
    assert_int_equal(open_error(data, size, NULL, "row number '2000000'"), WW_EDATA);
    free(data);
    /* a relationship that climbs out of the package */
    data = book_with("xl/_rels/workbook.xml.rels",
                     WB_RELS_HEAD "<Relationship Id=\"rId1\" Type=\"" REL_WS
                                  "\" Target=\"../../../etc/passwd\"/></Relationships>",
                     &size);
    assert_int_equal(open_error(data, size, NULL, "outside the package"), WW_EDATA);
    free(data);
    /* a sheet whose part is not in the zip */
    data = book_with("xl/_rels/workbook.xml.rels",
                     WB_RELS_HEAD "<Relationship Id=\"rId1\" Type=\"" REL_WS
                                  "\" Target=\"worksheets/missing.xml\"/></Relationships>",
                     &size);
    assert_int_equal(open_error(data, size, NULL, "does not hold it"), WW_EDATA);
    free(data);
    /* no sheets */
    data = book_with("xl/workbook.xml", "<workbook><sheets/></workbook>", &size);
    assert_int_equal(open_error(data, size, NULL, "names no sheets"), WW_EDATA);
    free(data);
    /* an external target is never followed: the sheet has no part */
    {
        ww_xlsx *x = NULL;
        data = book_with("xl/_rels/workbook.xml.rels",
                         WB_RELS_HEAD
                         "<Relationship Id=\"rId1\" Type=\"" REL_WS
                         "\" Target=\"http://example.org/s.xml\" TargetMode=\"External\"/>"
                         "</Relationships>",
                         &size);
        assert_ww_ok(ww_xlsx__open(&x, data, size, "t.xlsx", NULL));
        assert_null(ww_xlsx__sheet_part(x, 0));
        ww_xlsx__free(x);
        free(data);
    }
}

/* ---- the GMCA importer -------------------------------------------------------------- */

typedef struct kept {
    char code[32], description[256], agency[64], agency_detail[64], fy[16], ey[16], rag[8],
        sheet[32], cell[16], source[160];
    double fiscal, economic, social;
} kept;

typedef struct tally {
    size_t n;
    char sheet[8][32];
    size_t per_sheet[8];
    size_t n_sheets;
    kept want[4];
    const char *codes[4];
    char dataset[64], licence[256];
    int stop_after; /* return WW_EIO after this many; 0 never */
} tally;

static void copy(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "");
}

static int collect(void *ctx, const ww_unit_cost *u)
{
    tally *t = ctx;
    size_t s;
    if (t->stop_after && t->n == (size_t)t->stop_after) return WW_EIO;
    t->n++;
    for (s = 0; s < t->n_sheets; s++)
        if (strcmp(t->sheet[s], u->sheet) == 0) break;
    if (s == t->n_sheets && s < 8) copy(t->sheet[t->n_sheets++], sizeof t->sheet[0], u->sheet);
    if (s < 8) t->per_sheet[s]++;
    copy(t->dataset, sizeof t->dataset, u->dataset);
    copy(t->licence, sizeof t->licence, u->licence);
    for (int i = 0; i < 4; i++) {
        kept *k = &t->want[i];
        if (!t->codes[i] || strcmp(t->codes[i], u->code) != 0) continue;
        copy(k->code, sizeof k->code, u->code);
        copy(k->description, sizeof k->description, u->description);
        copy(k->agency, sizeof k->agency, u->agency);
        copy(k->agency_detail, sizeof k->agency_detail, u->agency_detail);
        copy(k->fy, sizeof k->fy, u->fiscal_price_year);
        copy(k->ey, sizeof k->ey, u->economic_price_year);
        copy(k->rag, sizeof k->rag, u->confidence);
        copy(k->sheet, sizeof k->sheet, u->sheet);
        copy(k->cell, sizeof k->cell, u->cell);
        copy(k->source, sizeof k->source, u->source_text);
        k->fiscal = u->fiscal;
        k->economic = u->economic;
        k->social = u->social;
    }
    return 0;
}

static unsigned char *workbook(size_t *size)
{
    char path[512];
    FILE *fp;
    unsigned char *data;
    long n;
    fp = fopen(SHARED_PATH(path, "economics/GMCA_unit_cost_database_v1.4.xlsx"), "rb");
    if (!fp) return NULL;
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    rewind(fp);
    data = malloc((size_t)n);
    if (data && fread(data, 1, (size_t)n, fp) != (size_t)n) {
        free(data);
        data = NULL;
    }
    fclose(fp);
    *size = (size_t)n;
    return data;
}

static int gmca_run(const unsigned char *data, size_t size, const char *name, tally *t,
                    ww_diags **d)
{
    ww_input in = {name, data, size};
    ww_sink sink = {t, NULL, NULL, NULL, NULL, collect};
    assert_ww_ok(ww_diags__new(d));
    return ww_importer_gmca_unit_costs.parse(&in, *d, &sink);
}

static void test_xlsx__gmca_counts_and_values(void **state)
{
    /* Rows with a cost code on each cost sheet (the Crime sheet's row 58
     * has a cost but a blank code: warned, not stored). */
    static const char *const sheets[7] = {
        "Crime",   "Education & Skills", "Employment & Economy", "Fire", "Health",
        "Housing", "Social Services"};
    static const size_t counts[7] = {184, 35, 75, 15, 201, 36, 137};
    size_t size = 0, total = 0;
    unsigned char *data = workbook(&size);
    ww_diags *d = NULL;
    tally t;
    int warned58 = 0;
    (void)state;
    if (!data) skip();
    memset(&t, 0, sizeof t);
    t.codes[0] = "SS15.0";
    t.codes[1] = "SS15.3";
    t.codes[2] = "CR1.2";
    assert_ww_ok(gmca_run(data, size, "GMCA_unit_cost_database_v1.4.xlsx", &t, &d));
    assert_int_equal(ww_diags__errors(d), 0);
    for (size_t i = 0; i < ww_diags__count(d); i++) {
        const ww_diag *g = ww_diags__get(d, i);
        if (g->line == 58 && strstr(g->message, "no cost code")) warned58 = 1;
    }
    assert_true(warned58);
    assert_int_equal(t.n_sheets, 7);
    for (int i = 0; i < 7; i++) {
        assert_string_equal(t.sheet[i], sheets[i]);
        assert_int_equal(t.per_sheet[i], counts[i]);
        total += counts[i];
    }
    assert_int_equal(t.n, total);
    assert_int_equal(total, 683);
    assert_string_equal(t.dataset, "Unit Cost Database (v.1.4)");
    /* Introduction!E17 */
    assert_non_null(strstr(t.licence, "Creative Commons Attribution 4.0 International License"));

    /* Read by hand: unzip; xl/worksheets/sheet9.xml is "Social Services"
     * (workbook.xml rId9), row 113: C113 s=505 "SS15.0", F113 = G113 s=712
     * "Multiple", H113 952, I113 s=662 "2008/09", R113 s=621 "G". */
    assert_string_equal(t.want[0].code, "SS15.0");
    assert_close(t.want[0].fiscal, 952, 0);
    assert_string_equal(t.want[0].fy, "2008/09");
    assert_string_equal(t.want[0].agency, "Multiple");
    assert_string_equal(t.want[0].agency_detail, "Multiple");
    assert_string_equal(t.want[0].rag, "G");
    assert_string_equal(t.want[0].sheet, "Social Services");
    assert_string_equal(t.want[0].cell, "C113");
    assert_true(isnan(t.want[0].economic));
    assert_true(isnan(t.want[0].social));
    assert_non_null(strstr(t.want[0].source, "Bonin et al, 2011"));
    /* row 116: C116 "SS15.3", F116 s=614 "Criminal Justice System", G116 s=629
     * "NHS", H116 3368, I116 "2008/09", K116 5919 (economic), L116 "2008/09" */
    assert_string_equal(t.want[1].cell, "C116");
    assert_close(t.want[1].fiscal, 3368, 0);
    assert_string_equal(t.want[1].fy, "2008/09");
    assert_close(t.want[1].economic, 5919, 0);
    assert_string_equal(t.want[1].ey, "2008/09");
    assert_string_equal(t.want[1].agency, "Criminal Justice System");
    assert_string_equal(t.want[1].agency_detail, "NHS");
    /* sheet3.xml is "Crime" (rId3), row 5: C5 s=1485 "CR1.2", F5 s=679 "Local
     * Authority", G5 s=627 "Housing Services", H5 66, I5 s=660 "2006/07", R5 "A" */
    assert_string_equal(t.want[2].sheet, "Crime");
    assert_string_equal(t.want[2].cell, "C5");
    assert_close(t.want[2].fiscal, 66, 0);
    assert_string_equal(t.want[2].fy, "2006/07");
    assert_string_equal(t.want[2].agency, "Local Authority");
    assert_string_equal(t.want[2].agency_detail, "Housing Services");
    assert_string_equal(t.want[2].rag, "A");
    ww_diags__free(d);

    /* The existing transcription (data/unit_costs.csv) agrees on SS15.0 and
     * SS15.3: value, price year, agency (columns F and G joined), row. */
    {
        char path[512], want[512];
        char *units = test_slurp(TOP_PATH(path, "data/unit_costs.csv"));
        snprintf(want, sizeof want,
                 ",%s,Per participant,%.0f,%s,GMCA_UCD_v1.4,\"%s sheet, cost code %s, row 113\"",
                 t.want[0].agency, t.want[0].fiscal, t.want[0].fy, "Social Services", "SS15.0");
        assert_non_null(strstr(units, want));
        snprintf(want, sizeof want,
                 ",%s / %s,Per child over a 25 year period,%.0f,%s,GMCA_UCD_v1.4,\"Social Services "
                 "sheet, cost code SS15.3, row 116\"",
                 t.want[1].agency, t.want[1].agency_detail, t.want[1].fiscal, t.want[1].fy);
        assert_non_null(strstr(units, want));
        free(units);
    }
    free(data);
}

static void test_xlsx__gmca_import(void **state)
{
    char path[512], db_path[512];
    ww_db *db = NULL;
    ww_import_report *rep = NULL;
    sqlite3 *raw = NULL;
    sqlite3_stmt *st = NULL;
    (void)state;
    SHARED_PATH(path, "economics/GMCA_unit_cost_database_v1.4.xlsx");
    if (access(path, R_OK) != 0) skip();
    snprintf(db_path, sizeof db_path, "%s/gmca.db", tmpdir);
    assert_ww_ok(ww_db_open(&db, db_path, WW_DB_CREATE));
    assert_ww_ok(ww_import_file(&rep, db, path, NULL));
    assert_int_equal(ww_import_report_status(rep), WW_IMPORT_IMPORTED);
    assert_string_equal(ww_import_report_format(rep), "gmca-unit-costs");
    ww_import_report_free(rep);
    ww_db_close(db);

    assert_int_equal(sqlite3_open(db_path, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(raw,
                                        "SELECT count(*), count(DISTINCT source_id),"
                                        " sum(location LIKE 'Health!C%') FROM unit_cost",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 683);
    assert_int_equal(sqlite3_column_int(st, 1), 1);
    assert_int_equal(sqlite3_column_int(st, 2), 201);
    sqlite3_finalize(st);
    assert_int_equal(
        sqlite3_prepare_v2(raw,
                           "SELECT fiscal_value, fiscal_price_year, agency, agency_detail,"
                           " confidence, location, dataset FROM unit_cost WHERE code = 'SS15.3'",
                           -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_close(sqlite3_column_double(st, 0), 3368, 0);
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "2008/09");
    assert_string_equal((const char *)sqlite3_column_text(st, 2), "Criminal Justice System");
    assert_string_equal((const char *)sqlite3_column_text(st, 3), "NHS");
    assert_string_equal((const char *)sqlite3_column_text(st, 4), "G");
    assert_string_equal((const char *)sqlite3_column_text(st, 5), "Social Services!C116");
    assert_string_equal((const char *)sqlite3_column_text(st, 6), "Unit Cost Database (v.1.4)");
    sqlite3_finalize(st);
    sqlite3_close(raw);
}

/* A small workbook in the GMCA layout: what is read, what is warned, and
 * what makes a file fail. */
#define GMCA_SST                                                                                   \
    "<sst><si><t>Cost code</t></si><si><t>Cost / saving detail</t></si><si><t>Fiscal value</t>"    \
    "</si><si><t>Year</t></si><si><t>Agency bearing the cost</t></si><si><t>RAG assessment</t>"    \
    "</si><si><t>Economic value</t></si></sst>"
#define GMCA_SHEET(rows)                                                                           \
    WS_HEAD "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"        \
            "<c r=\"C1\" t=\"s\"><v>4</v></c><c r=\"E1\" t=\"s\"><v>2</v></c><c r=\"G1\" "         \
            "t=\"s\"><v>6</v></c><c r=\"I1\" t=\"s\"><v>5</v></c></row><row r=\"2\"><c r=\"F2\" "  \
            "t=\"s\"><v>3</v></c><c r=\"H2\" t=\"s\"><v>3</v></c></row>" rows WS_TAIL

static void test_xlsx__gmca_small(void **state)
{
    part parts[7] = {
        {"[Content_Types].xml", CT, 0},
        {"_rels/.rels", PKG_RELS, 0},
        {"xl/workbook.xml", WORKBOOK, 0},
        {"xl/_rels/workbook.xml.rels", WB_RELS, 0},
        {"xl/sharedStrings.xml", GMCA_SST, 0},
        {"xl/worksheets/sheet1.xml",
         GMCA_SHEET(
             "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t> X1.0 </t></is></c><c r=\"B3\" "
             "t=\"inlineStr\"><is><t>a cost</t></is></c><c r=\"C3\" t=\"inlineStr\"><is><t>"
             "Police</t></is></c><c r=\"E3\"><v>12.5</v></c><c r=\"F3\" t=\"inlineStr\"><is>"
             "<t>2014/15</t></is></c><c r=\"G3\" t=\"inlineStr\"><is><t>n/a</t></is></c>"
             "</row><row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>X1.0</t></is></c><c "
             "r=\"B4\" t=\"inlineStr\"><is><t>again</t></is></c><c r=\"E4\"><v>3</v></c></row>"
             "<row r=\"5\"><c r=\"E5\"><v>9</v></c></row>"),
         0},
        {"xl/worksheets/sheet2.xml", SHEET2, 0},
    };
    size_t size;
    unsigned char *data = make_zip("small.xlsx", parts, 7, &size);
    ww_diags *d = NULL;
    tally t;
    int seen[5] = {0};
    (void)state;
    memset(&t, 0, sizeof t);
    t.codes[0] = "X1.0";
    assert_ww_ok(gmca_run(data, size, "small.xlsx", &t, &d));
    assert_int_equal(ww_diags__errors(d), 0);
    assert_int_equal(t.n, 2); /* "Second & more" is not a cost sheet */
    assert_int_equal(t.n_sheets, 1);
    for (size_t i = 0; i < ww_diags__count(d); i++) {
        const char *m = ww_diags__get(d, i)->message;
        seen[0] |= strstr(m, "G3 (X1.0, economic value): not a number: 'n/a'") != NULL;
        seen[1] |= strstr(m, "X1.0 appears more than once") != NULL;
        seen[2] |= strstr(m, "X1.0 (A4): a fiscal value with no price year") != NULL;
        seen[3] |= strstr(m, "A5: a costed row with no cost code") != NULL;
        seen[4] |= strstr(m, "no licence statement") != NULL;
    }
    for (int i = 0; i < 5; i++) {
        if (!seen[i]) print_error("warning %d missing\n", i);
        assert_true(seen[i]);
    }
    /* trimmed code, the value, its year, and the grade; agency level 2 is the next column */
    assert_close(t.want[0].fiscal, 3, 0); /* the last X1.0 read */
    ww_diags__free(d);

    /* the sink can stop the import */
    memset(&t, 0, sizeof t);
    t.stop_after = 1;
    assert_int_equal(gmca_run(data, size, "small.xlsx", &t, &d), WW_EIO);
    ww_diags__free(d);
    free(data);

    /* no cost sheet at all: an error */
    data = book_with(NULL, NULL, &size);
    memset(&t, 0, sizeof t);
    assert_ww_ok(gmca_run(data, size, "book.xlsx", &t, &d));
    assert_int_equal(ww_diags__errors(d), 1);
    assert_non_null(strstr(ww_diags__get(d, ww_diags__count(d) - 1)->message, "no cost sheet"));
    ww_diags__free(d);
    free(data);

    /* a broken zip: one error, with the reader's message */
    memset(&t, 0, sizeof t);
    assert_ww_ok(gmca_run((const unsigned char *)"PK\003\004xx", 6, "bad.xlsx", &t, &d));
    assert_int_equal(ww_diags__errors(d), 1);
    assert_non_null(strstr(ww_diags__get(d, 0)->message, "not a readable zip"));
    ww_diags__free(d);
}

static void test_xlsx__gmca_sniff(void **state)
{
    ww_input a = {"GMCA_unit_cost_database_v1.4.xlsx", (const unsigned char *)"PK\003\004", 4};
    ww_input b = {"book.xlsx", (const unsigned char *)"PK\003\004", 4};
    ww_input c = {"unit_costs.csv", (const unsigned char *)"item,agency", 11};
    ww_input e = {"cochrane.zip", (const unsigned char *)"PK\003\004", 4};
    (void)state;
    assert_int_equal(ww_importer_gmca_unit_costs.sniff(&a), 80);
    assert_int_equal(ww_importer_gmca_unit_costs.sniff(&b), 30);
    assert_int_equal(ww_importer_gmca_unit_costs.sniff(&c), 0);
    assert_int_equal(ww_importer_gmca_unit_costs.sniff(&e), 0);
    assert_ptr_equal(ww_importers__sniff(&a), &ww_importer_gmca_unit_costs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xlsx__cells),
        cmocka_unit_test(test_xlsx__refs),
        cmocka_unit_test(test_xlsx__limits),
        cmocka_unit_test(test_xlsx__lying_sizes),
        cmocka_unit_test(test_xlsx__malformed),
        cmocka_unit_test(test_xlsx__gmca_counts_and_values),
        cmocka_unit_test(test_xlsx__gmca_import),
        cmocka_unit_test(test_xlsx__gmca_small),
        cmocka_unit_test(test_xlsx__gmca_sniff),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, setup, teardown);
}
