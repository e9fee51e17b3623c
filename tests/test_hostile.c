/*
 * test_hostile.c — the hostile-input catalogue (tests/hostile/): external
 * entities, entity expansion, 100,000-deep nesting, invalid and overlong
 * UTF-8, NUL bytes, a 2 GiB file, 10 MB fields, unbalanced quotes, 1e309,
 * NaN, -0, FTS5 syntax of every kind, regular-expression worst cases for the
 * report extractor, SQL metacharacters in every text field. Each input gets
 * exactly the clear outcome CATALOGUE.tsv gives it (tests/hostile/README.md),
 * in bounded time, and a refused input leaves the database exactly as it
 * was, row for row.
 */
#include "helpers.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[256], base_db[320], work_db[320];
static double max_seconds = 10;

#define MIB ((size_t)1 << 20)

/* ---- files ------------------------------------------------------------------------ */

static unsigned char *slurp(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *data;
    long len;
    if (!fp) {
        print_error("cannot open %s\n", path);
        fail();
    }
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    rewind(fp);
    data = malloc((size_t)len + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)len, fp), (size_t)len);
    data[len] = '\0';
    fclose(fp);
    *size = (size_t)len;
    return data;
}

static void spill(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

static void remove_db(const char *path)
{
    char p[400];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static void copy_file(const char *from, const char *to)
{
    size_t n;
    unsigned char *data = slurp(from, &n);
    remove_db(to);
    spill(to, data, n);
    free(data);
}

/* Write base with the first `old` replaced by `repl` (lengths given, so NUL
 * bytes can be in either). */
static void write_replaced(const char *out, const char *base, const char *old, size_t old_n,
                           const char *repl, size_t repl_n)
{
    size_t n, at;
    unsigned char *data = slurp(base, &n);
    FILE *fp;
    for (at = 0; at + old_n <= n; at++)
        if (memcmp(data + at, old, old_n) == 0) break;
    if (at + old_n > n) {
        print_error("%s: '%s' not found\n", base, old);
        fail();
    }
    fp = fopen(out, "wb");
    assert_non_null(fp);
    fwrite(data, 1, at, fp);
    fwrite(repl, 1, repl_n, fp);
    fwrite(data + at + old_n, 1, n - at - old_n, fp);
    assert_int_equal(fclose(fp), 0);
    free(data);
}

static const char *hostile(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/tests/hostile/%s", test_env("WW_TOP", "."), name);
    return buf;
}

static char *repeat(const char *unit, size_t times, size_t *len)
{
    size_t u = strlen(unit);
    char *s = malloc(u * times + 1);
    assert_non_null(s);
    for (size_t i = 0; i < times; i++) memcpy(s + i * u, unit, u);
    s[u * times] = '\0';
    *len = u * times;
    return s;
}

/* Build input `gen:NAME` into path: the inputs too large to keep, and those
 * derived from ../shared/data (never copied into the project). */
static void generate(const char *name, const char *path)
{
    char base[700], shared[700];
    const char *example;
    char ex_buf[700];
    size_t n;
    example = TOP_PATH(ex_buf, "data/examples/attendance-mentoring.xml");
    SHARED_PATH(shared, "revman/Fleiss1993.rm5");

    if (strcmp(name, "submission-deep") == 0 || strcmp(name, "revman-deep") == 0) {
        int sub = name[0] == 's';
        const char *open = sub ? "<submission xmlns=\"urn:whatworks:submission:1\" version=\"1\">"
                               : "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<COCHRANE_REVIEW>";
        const char *close = sub ? "</submission>" : "</COCHRANE_REVIEW>\n";
        char *down = repeat(sub ? "<a>" : "<A>", 100000, &n), *up;
        size_t n_up;
        FILE *fp = fopen(path, "wb");
        up = repeat(sub ? "</a>" : "</A>", 100000, &n_up);
        assert_non_null(fp);
        fputs(open, fp);
        fwrite(down, 1, n, fp);
        fwrite(up, 1, n_up, fp);
        fputs(close, fp);
        fclose(fp);
        free(down);
        free(up);
    } else if (strcmp(name, "submission-quadratic-blowup") == 0) {
        /* one 50 kB entity referenced 2,000 times: 100 MB if expanded */
        size_t n_refs;
        char *value = repeat("x", 50000, &n), *refs = repeat("&a;", 2000, &n_refs);
        unsigned char *ex = slurp(example, &n);
        const char *body = strstr((char *)ex, "<submission");
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        fprintf(fp, "<?xml version=\"1.0\"?>\n<!DOCTYPE submission [\n  <!ENTITY a \"%s\">\n]>\n",
                value);
        fputs(body, fp);
        fclose(fp);
        write_replaced(path, path, "North West England", 18, refs, n_refs);
        free(value);
        free(refs);
        free(ex);
    } else if (strcmp(name, "submission-nul") == 0) {
        write_replaced(path, hostile(base, sizeof base, "invalid-utf8.xml"), "\xff\xfe", 2, "\0\0",
                       2);
    } else if (strcmp(name, "wwc-nul") == 0) {
        write_replaced(path, hostile(base, sizeof base, "wwc-overlong-utf8.csv"), "\xc0\xaf", 2,
                       "\0 ", 2);
    } else if (strcmp(name, "pilot-nul") == 0) {
        write_replaced(path, hostile(base, sizeof base, "pilot-invalid-utf8.csv"), "\xff", 1, "\0",
                       1);
    } else if (strcmp(name, "flows-nul") == 0) {
        write_replaced(path, hostile(base, sizeof base, "flows-invalid-utf8.csv"), "\xff", 1, "\0",
                       1);
    } else if (strcmp(name, "revman-overlong-utf8") == 0 || strcmp(name, "revman-nul") == 0) {
        /* a real review, declared UTF-8, with a bad byte inside its title */
        unsigned char *rm = slurp(shared, &n);
        char *title = strstr((char *)rm, "<TITLE"), *end;
        FILE *fp;
        assert_non_null(title);
        end = strchr(title, '>') + 1;
        fp = fopen(path, "wb");
        assert_non_null(fp);
        fwrite(rm, 1, (size_t)(end - (char *)rm), fp);
        if (name[7] == 'o')
            fwrite("\xc0\xaf", 1, 2, fp);
        else
            fwrite("\0", 1, 1, fp);
        fwrite(end, 1, n - (size_t)(end - (char *)rm), fp);
        fclose(fp);
        free(rm);
        if (name[7] == 'o')
            write_replaced(path, path, "encoding=\"ISO-8859-1\"", 21, "encoding=\"UTF-8\"", 16);
    } else if (strcmp(name, "sparse-2gib") == 0) {
        /* 2 GiB + 1 bytes that take no disk: refused on its size alone */
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, ((off_t)2 << 30) + 1), 0);
        close(fd);
    } else if (strcmp(name, "submission-16mib") == 0) {
        size_t limit = 16 * MIB, pos;
        unsigned char *ex = slurp(example, &n);
        char *doc = malloc(limit + 2);
        assert_non_null(doc);
        memcpy(doc, ex, n);
        for (pos = n; pos < limit + 1; pos++) doc[pos] = '\n';
        spill(path, doc, limit + 1);
        free(doc);
        free(ex);
    } else if (strcmp(name, "submission-text-10mb") == 0) {
        char *text = repeat("N", 10 * MIB + 10, &n);
        write_replaced(path, example, "North West England", 18, text, n);
        free(text);
    } else if (strcmp(name, "wwc-field-10mb") == 0) {
        char *text = repeat("x", 10 * MIB, &n);
        write_replaced(path, hostile(base, sizeof base, "wwc-overlong-utf8.csv"),
                       "Business \xc0\xaf as usual", 20, text, n);
        free(text);
    } else if (strcmp(name, "pilot-field-10mb") == 0) {
        char *text = repeat("y", 10 * MIB, &n);
        write_replaced(path, hostile(base, sizeof base, "pilot-invalid-utf8.csv"),
                       "North West \xff England", 20, text, n);
        free(text);
    } else if (strcmp(name, "wwc-many-columns") == 0) {
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        for (int i = 0; i < 100000; i++) fprintf(fp, "%sc%d", i ? "," : "", i);
        fputc('\n', fp);
        for (int i = 0; i < 100000; i++) fputs(i ? ",1" : "1", fp);
        fputc('\n', fp);
        fclose(fp);
    } else if (strncmp(name, "report-", 7) == 0) {
        /* regular-expression worst cases for the statistics extractor */
        static const struct {
            const char *name, *head, *unit, *tail;
            size_t times;
        } texts[] = {
            {"report-digits", "t(", "1", "", 200000},
            {"report-zeros", "p = 0.", "0", "", 200000},
            {"report-dots", "d = ", "1.", "", 100000},
            {"report-ci", "", "95% CI [", "", 20000},
            {"report-spaces", "t", " ", "(1) = 2.0", 200000},
            {"report-parens", "", "(", "t(1) = 2.1, p < .05", 100000},
            {"report-equals", "F(1, 2) ", "= ", "", 100000},
            {"report-chi", "", "\xcf\x87\x32(", "", 30000},
            {"report-stats", "", "t(12) = 99999999999999999999, ", "", 5000},
        };
        size_t i;
        for (i = 0; i < sizeof texts / sizeof texts[0]; i++)
            if (strcmp(texts[i].name, name) == 0) break;
        assert_true(i < sizeof texts / sizeof texts[0]);
        {
            char *mid = repeat(texts[i].unit, texts[i].times, &n);
            FILE *fp = fopen(path, "wb");
            assert_non_null(fp);
            fprintf(fp, "Hostile report\n\n%s%s%s\n", texts[i].head, mid, texts[i].tail);
            fclose(fp);
            free(mid);
        }
    } else {
        print_error("no generator for gen:%s\n", name);
        fail();
    }
}

/* ---- the database ------------------------------------------------------------------- */

static uint64_t digest(const char *path)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    sqlite3 *sql = NULL;
    sqlite3_stmt *tables = NULL, *rows = NULL;
    assert_int_equal(sqlite3_open_v2(path, &sql, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(sql, "SELECT name, sql FROM sqlite_schema ORDER BY name",
                                        -1, &tables, NULL),
                     SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        char q[200];
        const char *name = (const char *)sqlite3_column_text(tables, 0);
        const char *ddl = (const char *)sqlite3_column_text(tables, 1);
        for (const char *p = name; *p; p++) h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
        for (const char *p = ddl ? ddl : ""; *p; p++)
            h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
        if (!ddl || strncmp(ddl, "CREATE TABLE", 12) != 0) continue;
        snprintf(q, sizeof q, "SELECT * FROM \"%s\"", name);
        assert_int_equal(sqlite3_prepare_v2(sql, q, -1, &rows, NULL), SQLITE_OK);
        while (sqlite3_step(rows) == SQLITE_ROW)
            for (int c = 0; c < sqlite3_column_count(rows); c++) {
                const unsigned char *b = sqlite3_column_blob(rows, c);
                int len = sqlite3_column_bytes(rows, c);
                h = (h ^ (unsigned)sqlite3_column_type(rows, c)) * 0x100000001b3ULL;
                for (int i = 0; i < len; i++) h = (h ^ b[i]) * 0x100000001b3ULL;
            }
        sqlite3_finalize(rows);
    }
    sqlite3_finalize(tables);
    sqlite3_close(sql);
    return h;
}

/* Cells of every table but `source` (which archives the raw file) whose
 * text ends with the whole of s, byte for byte. */
static long cells_ending_with(const char *path, const char *s)
{
    sqlite3 *sql = NULL;
    sqlite3_stmt *tables = NULL, *rows = NULL;
    size_t n = strlen(s);
    long count = 0;
    assert_int_equal(sqlite3_open_v2(path, &sql, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(sql,
                                        "SELECT name FROM sqlite_schema WHERE type = 'table'"
                                        " AND name <> 'source' AND name NOT LIKE 'search_fts%'"
                                        " AND sql NOT LIKE 'CREATE VIRTUAL%'",
                                        -1, &tables, NULL),
                     SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        char q[200];
        snprintf(q, sizeof q, "SELECT * FROM \"%s\"", sqlite3_column_text(tables, 0));
        assert_int_equal(sqlite3_prepare_v2(sql, q, -1, &rows, NULL), SQLITE_OK);
        while (sqlite3_step(rows) == SQLITE_ROW)
            for (int c = 0; c < sqlite3_column_count(rows); c++) {
                const char *t = (const char *)sqlite3_column_text(rows, c);
                size_t len = (size_t)sqlite3_column_bytes(rows, c);
                if (sqlite3_column_type(rows, c) == SQLITE_TEXT && len >= n &&
                    memcmp(t + len - n, s, n) == 0)
                    count++;
            }
        sqlite3_finalize(rows);
    }
    sqlite3_finalize(tables);
    sqlite3_close(sql);
    return count;
}

static int setup(void **state)
{
    ww_db *db = NULL;
    ww_import_report *rep = NULL;
    char path[700];
    const char *s = getenv("WW_HOSTILE_SECONDS");
    (void)state;
    if (s && *s) max_seconds = strtod(s, NULL);
    snprintf(tmpdir, sizeof tmpdir, "%s/ww-test-hostile-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(tmpdir)) return -1;
    snprintf(base_db, sizeof base_db, "%s/base.db", tmpdir);
    snprintf(work_db, sizeof work_db, "%s/work.db", tmpdir);
    if (ww_db_open(&db, base_db, WW_DB_CREATE) < 0) return -1;
    if (ww_import_file(&rep, db, TOP_PATH(path, "data/examples/attendance-mentoring.xml"), NULL) <
        0)
        return -1;
    ww_import_report_free(rep);
    ww_db_close(db);
    {
        sqlite3 *sql = NULL;
        if (sqlite3_open(base_db, &sql) != SQLITE_OK) return -1;
        sqlite3_exec(sql, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
        sqlite3_close(sql);
    }
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the catalogue -------------------------------------------------------------------- */

typedef struct entry {
    char input[200], format[40], expect[20], field[60], line[20], message[300];
    long count;
    long lineno; /* in CATALOGUE.tsv */
} entry;

static int diag_matches(const ww_diag *d, const entry *e, int warning)
{
    const char *field = strcmp(e->field, "-") == 0 ? "" : e->field;
    long line = strcmp(e->line, "-") == 0 ? 0 : strtol(e->line, NULL, 10);
    if (!d || d->is_warning != warning || strcmp(d->field, field) != 0) return 0;
    if (strcmp(e->line, "*") != 0 && d->line != line) return 0;
    return strstr(d->message, e->message) != NULL;
}

static void print_diags(const char *what, const ww_import_report *rep, const ww_case_result *cr)
{
    size_t n = rep ? ww_import_report_diag_count(rep) : cr ? ww_case_result_diag_count(cr) : 0;
    print_error("%s: got %s\n", what, n ? "these diagnostics:" : "no diagnostic");
    for (size_t i = 0; i < n && i < 10; i++) {
        const ww_diag *d = rep ? ww_import_report_diag(rep, i) : ww_case_result_diag(cr, i);
        print_error("    %ld: %s: %s%s\n", d->line, d->field, d->is_warning ? "warning: " : "",
                    d->message);
    }
}

/* Run one entry; returns 1 when it held. */
static int run_entry(const entry *e, double *seconds)
{
    char path[700], what[400];
    uint64_t before, after;
    int error, ok = 1;
    ww_import_report *rep = NULL;
    ww_case_result *cr = NULL;
    double t0;

    snprintf(what, sizeof what, "CATALOGUE.tsv:%ld %s (%s)", e->lineno, e->input, e->format);
    if (strncmp(e->input, "gen:", 4) == 0) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, e->input + 4);
        generate(e->input + 4, path);
    } else {
        hostile(path, sizeof path, e->input);
    }
    copy_file(base_db, work_db);
    before = digest(work_db);

    t0 = now_s();
    if (strcmp(e->format, "flows") == 0) {
        ww_case_opts opts;
        memset(&opts, 0, sizeof opts);
        opts.draws = 100;
        opts.seed = 1;
        error = ww_case_run_flows(&cr, path, &opts);
    } else {
        ww_db *db = NULL;
        ww_import_opts opts;
        memset(&opts, 0, sizeof opts);
        opts.format = strcmp(e->format, "sniff") == 0 ? NULL : e->format;
        assert_ww_ok(ww_db_open(&db, work_db, 0));
        error = ww_import_file(&rep, db, path, &opts);
        ww_db_close(db);
    }
    *seconds = now_s() - t0;
    after = digest(work_db);

    if (strcmp(e->expect, "rejected") == 0) {
        size_t n = rep ? ww_import_report_diag_count(rep) : cr ? ww_case_result_diag_count(cr) : 0;
        int found = 0;
        for (size_t i = 0; i < n && !found; i++)
            found = diag_matches(rep ? ww_import_report_diag(rep, i) : ww_case_result_diag(cr, i),
                                 e, 0);
        if (error != WW_EDATA || (!rep && !cr) ||
            (rep && ww_import_report_status(rep) != WW_IMPORT_REJECTED) || !found) {
            print_error("%s: want rejected with %s:%s: %s; returned %d (%s)\n", what, e->line,
                        e->field, e->message, error, ww_error_last());
            print_diags(what, rep, cr);
            ok = 0;
        }
    } else if (strcmp(e->expect, "refused") == 0) {
        if (error >= 0 || rep || !strstr(ww_error_last(), e->message)) {
            print_error("%s: want refused with '%s'; returned %d (%s)\n", what, e->message, error,
                        ww_error_last());
            ok = 0;
        }
    } else if (strcmp(e->expect, "warned") == 0) {
        int found = 0;
        for (size_t i = 0; rep && i < ww_import_report_diag_count(rep) && !found; i++)
            found = diag_matches(ww_import_report_diag(rep, i), e, 1);
        if (error != 0 || !rep || ww_import_report_status(rep) != WW_IMPORT_IMPORTED || !found ||
            (long)ww_import_report_effects(rep) != e->count) {
            print_error(
                "%s: want imported, %ld effects, with the warning %s:%s: %s; returned %d (%s)%s\n",
                what, e->count, e->line, e->field, e->message, error, ww_error_last(),
                rep ? "" : ", no report");
            if (rep) print_error("    %zu effects stored\n", ww_import_report_effects(rep));
            print_diags(what, rep, NULL);
            ok = 0;
        }
    } else if (strcmp(e->expect, "verbatim") == 0) {
        long cells = cells_ending_with(work_db, e->message);
        if (error != 0 || !rep || ww_import_report_status(rep) != WW_IMPORT_IMPORTED ||
            cells != e->count) {
            print_error("%s: want imported with %ld cells ending with the hostile text verbatim; "
                        "returned %d (%s), %ld cells\n",
                        what, e->count, error, ww_error_last(), cells);
            ok = 0;
        }
    } else {
        print_error("%s: unknown expectation '%s'\n", what, e->expect);
        ok = 0;
    }
    /* Nothing written by a refused input. */
    if ((strcmp(e->expect, "rejected") == 0 || strcmp(e->expect, "refused") == 0) &&
        before != after) {
        print_error("%s: the database changed\n", what);
        ok = 0;
    }
    if (*seconds > max_seconds) {
        print_error("%s: took %.1f s (bound %.0f s)\n", what, *seconds, max_seconds);
        ok = 0;
    }
    ww_import_report_free(rep);
    ww_case_result_free(cr);
    if (strncmp(e->input, "gen:", 4) == 0) unlink(path);
    return ok;
}

/* Split a catalogue line at tabs into the entry; 0 when it is not one. */
static int parse_entry(entry *e, char *line, long lineno)
{
    char *col[7];
    size_t n = 0;
    char *p = line;
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '#' || line[0] == '\0') return 0;
    while (n < 7) {
        col[n++] = p;
        p = strchr(p, '\t');
        if (!p) break;
        *p++ = '\0';
    }
    if (n != 7) {
        print_error("CATALOGUE.tsv:%ld: want 7 tab-separated columns, got %zu\n", lineno, n);
        fail();
    }
    memset(e, 0, sizeof *e);
    snprintf(e->input, sizeof e->input, "%s", col[0]);
    snprintf(e->format, sizeof e->format, "%s", col[1]);
    snprintf(e->expect, sizeof e->expect, "%s", col[2]);
    snprintf(e->field, sizeof e->field, "%s", col[3]);
    snprintf(e->line, sizeof e->line, "%s", col[4]);
    snprintf(e->message, sizeof e->message, "%s", col[5]);
    e->count = strtol(col[6], NULL, 10);
    e->lineno = lineno;
    return 1;
}

static void test_hostile__catalogue(void **state)
{
    char path[700], line[1024];
    FILE *fp = fopen(hostile(path, sizeof path, "CATALOGUE.tsv"), "r");
    long lineno = 0, tried = 0, held = 0;
    double slowest = 0;
    char slowest_name[200] = "";
    (void)state;
    assert_non_null(fp);
    while (fgets(line, sizeof line, fp)) {
        entry e;
        double seconds = 0;
        lineno++;
        if (!parse_entry(&e, line, lineno)) continue;
        tried++;
        held += run_entry(&e, &seconds);
        if (seconds > slowest) {
            slowest = seconds;
            snprintf(slowest_name, sizeof slowest_name, "%s", e.input);
        }
    }
    fclose(fp);
    printf("    %ld hostile inputs, %ld with exactly the expected outcome, nothing written by any "
           "refused one; slowest %s in %.2f s\n",
           tried, held, slowest_name, slowest);
    assert_true(tried >= 40);
    assert_int_equal(held, tried);
}

/* Regular-expression worst cases for the report extractor: each is read (its
 * text indexed, whatever statistics found) in bounded time, PCRE2's limits
 * reporting where a pattern gave up. Only when the report importer is in
 * this build. */
static void test_hostile__report_regex(void **state)
{
    static const char *const names[] = {"report-digits", "report-zeros",  "report-dots",
                                        "report-ci",     "report-spaces", "report-parens",
                                        "report-equals", "report-chi",    "report-stats"};
    ww_import_opts opts;
    long done = 0;
    double slowest = 0;
    (void)state;
    memset(&opts, 0, sizeof opts);
    opts.format = "report";
    opts.dry_run = 1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[400];
        ww_import_report *rep = NULL;
        double t0, seconds;
        int error;
        snprintf(path, sizeof path, "%s/%s.txt", tmpdir, names[i]);
        generate(names[i], path);
        t0 = now_s();
        error = ww_import_file(&rep, NULL, path, &opts);
        seconds = now_s() - t0;
        if (error == WW_EUSAGE && i == 0) {
            /* No report importer in this build: nothing to test. */
            print_message("    report importer not in this build (%s)\n", ww_error_last());
            unlink(path);
            return;
        }
        if (error != 0 || !rep || ww_import_report_status(rep) != WW_IMPORT_VALID) {
            print_error("%s: returned %d (%s)\n", names[i], error, ww_error_last());
            fail();
        }
        if (seconds > max_seconds) {
            print_error("%s: took %.1f s (bound %.0f s)\n", names[i], seconds, max_seconds);
            fail();
        }
        if (seconds > slowest) slowest = seconds;
        ww_import_report_free(rep);
        unlink(path);
        done++;
    }
    printf(
        "    %ld regular-expression worst cases read by the report importer, slowest in %.2f s\n",
        done, slowest);
}

/* Decode \xNN, \t, \n and \\ in place. */
static size_t unescape(char *s)
{
    size_t j = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '\\' && s[i + 1] == 'x' && s[i + 2] && s[i + 3]) {
            char hex[3] = {s[i + 2], s[i + 3], 0};
            s[j++] = (char)strtol(hex, NULL, 16);
            i += 3;
        } else if (s[i] == '\\' && s[i + 1] == 't') {
            s[j++] = '\t';
            i++;
        } else if (s[i] == '\\' && s[i + 1] == 'n') {
            s[j++] = '\n';
            i++;
        } else if (s[i] == '\\' && s[i + 1] == '\\') {
            s[j++] = '\\';
            i++;
        } else {
            s[j++] = s[i];
        }
    }
    s[j] = '\0';
    return j;
}

static void test_hostile__queries(void **state)
{
    char path[700], line[1024];
    FILE *fp = fopen(hostile(path, sizeof path, "queries.txt"), "r"),
         *devnull = fopen("/dev/null", "w");
    ww_db *db = NULL;
    uint64_t before;
    long tried = 0, answered = 0, refused = 0;
    (void)state;
    assert_non_null(fp);
    copy_file(base_db, work_db);
    before = digest(work_db);
    assert_ww_ok(ww_db_open(&db, work_db, 0));
    while (fgets(line, sizeof line, fp)) {
        char *text = strchr(line, '\t');
        ww_query_result *res = NULL;
        int error, want_ok;
        if (line[0] == '#' || !text) continue;
        *text++ = '\0';
        text[strcspn(text, "\n")] = '\0';
        unescape(text);
        want_ok = strcmp(line, "ok") == 0;
        tried++;
        error = ww_query_run(&res, db, text, NULL);
        if (error == 0) {
            assert_ww_ok(ww_query_result_write(res, devnull, WW_FORMAT_JSON));
            assert_ww_ok(ww_query_result_write(res, devnull, WW_FORMAT_CSV));
            answered++;
        } else {
            refused++;
        }
        ww_query_result_free(res);
        if (want_ok ? error != 0 : error != WW_EUSAGE) {
            print_error("query '%s': want %s, returned %d (%s)\n", text, line, error,
                        ww_error_last());
            fail();
        }
        error = ww_show_write(db, text, devnull, WW_FORMAT_JSON);
        if (error < 0 && error != WW_ENOTFOUND && error != WW_EUSAGE) {
            print_error("show '%s': returned %d (%s)\n", text, error, ww_error_last());
            fail();
        }
    }
    fclose(fp);
    fclose(devnull);
    ww_db_close(db);
    assert_true(digest(work_db) == before);
    printf("    %ld hostile query texts: %ld answered as ordinary queries, %ld refused as empty or "
           "not UTF-8; the database unchanged\n",
           tried, answered, refused);
    assert_true(tried >= 50);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile__catalogue),
        cmocka_unit_test(test_hostile__report_regex),
        cmocka_unit_test(test_hostile__queries),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, setup, teardown);
}
