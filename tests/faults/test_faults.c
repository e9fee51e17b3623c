/*
 * test_faults.c — fault injection, the way SQLite and curl prove their error
 * paths: run an operation again and again, failing the 1st, 2nd, ... n-th
 * allocation (or disk write, or fsync) until it runs clean, and check after
 * every run that
 *   - nothing crashed and the call returned a clear error (out of memory,
 *     disk I/O error, disk full), or succeeded completely;
 *   - nothing leaked: every allocation made by our code, by SQLite and by
 *     libxml2 during the run was freed (counted here, so the plain build
 *     proves it; `make check-asan` adds LeakSanitizer on top);
 *   - the database passes PRAGMA integrity_check, foreign_key_check and
 *     FTS5's integrity-check, and holds exactly the rows it had before the
 *     failing file, byte for byte (or, when the import succeeded, the whole
 *     file);
 *   - the same handle then imports the same file cleanly: a failure never
 *     leaves a connection stuck in a transaction.
 *
 * How the faults get in:
 *   - our own objects: the binary is linked with
 *     -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,
 *     --wrap=strndup,--wrap=free (see the Makefile's reliability section), so
 *     every allocation in libwhatworks.a comes through __wrap_*;
 *   - SQLite: sqlite3_config(SQLITE_CONFIG_MALLOC) with a wrapper around its
 *     default allocator;
 *   - libxml2: xmlMemSetup() with the same kind of wrapper;
 *   - jansson: json_set_alloc_funcs();
 *   - the disk: the VFS shim in vfs.h, made SQLite's default VFS.
 * One counter runs over all four allocators, so "the n-th allocation" is
 * the n-th anywhere in the import.
 *
 * WW_FAULT_STRIDE=k tests every k-th n only (valgrind runs use it); the
 * default 1 tests every n.
 */
#include "../helpers.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlversion.h>
#include <sqlite3.h>
#include <limits.h>
#include <stdint.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../repo/repo_int.h"
#include "vfs.h"

/* ---- the allocators ----------------------------------------------------- */

enum { DOM_OWN = 0, DOM_SQLITE = 1, DOM_XML = 2, DOM_JSON = 3, N_DOMAINS = 4 };
static const char *const domain_name[N_DOMAINS] = {"whatworks", "SQLite", "libxml2", "jansson"};

static struct {
    int armed;
    unsigned domains; /* bit d set: allocations of domain d count */
    long target;      /* fail the target-th allocation (1-based) */
    int persistent;   /* ... and every one after it */
    long seen;        /* allocations since arming */
    long injected;
    int hit_domain; /* where the first injected failure landed */
} fault;

/* Live allocations per domain, in an open-addressing set of pointers, so a
 * leak shows as a count that does not come back down. */
#define LIVE_SLOTS ((size_t)1 << 20)
static struct live_slot {
    void *p;
    int domain; /* -1: tombstone */
} * live;
static long live_count[N_DOMAINS];

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void __real_free(void *p);

static size_t slot_of(const void *p)
{
    uint64_t h = (uint64_t)(uintptr_t)p;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (size_t)h & (LIVE_SLOTS - 1);
}

static void track(void *p, int domain)
{
    size_t i;
    if (!p || !live) return;
    for (i = slot_of(p);; i = (i + 1) & (LIVE_SLOTS - 1))
        if (!live[i].p || live[i].domain < 0) break;
    live[i].p = p;
    live[i].domain = domain;
    live_count[domain]++;
}

static void untrack(void *p)
{
    size_t i;
    if (!p || !live) return;
    for (i = slot_of(p); live[i].p; i = (i + 1) & (LIVE_SLOTS - 1))
        if (live[i].p == p && live[i].domain >= 0) {
            live_count[live[i].domain]--;
            live[i].domain = -1; /* keep probing chains intact */
            return;
        }
}

/* 1 when this allocation must fail. */
static int should_fail(int domain)
{
    if (!fault.armed || !(fault.domains & (1u << domain))) return 0;
    fault.seen++;
    if (fault.seen == fault.target || (fault.persistent && fault.seen > fault.target)) {
        if (!fault.injected) fault.hit_domain = domain;
        fault.injected++;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
void __wrap_free(void *p);

void *__wrap_malloc(size_t n)
{
    void *p;
    if (should_fail(DOM_OWN)) return NULL;
    p = __real_malloc(n);
    track(p, DOM_OWN);
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    void *p;
    if (should_fail(DOM_OWN)) return NULL;
    p = __real_calloc(n, size);
    track(p, DOM_OWN);
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    void *q;
    if (should_fail(DOM_OWN)) return NULL;
    q = __real_realloc(p, n);
    if (q) {
        untrack(p);
        track(q, DOM_OWN);
    }
    return q;
}

char *__wrap_strdup(const char *s)
{
    char *p;
    if (should_fail(DOM_OWN)) return NULL;
    p = __real_strdup(s);
    track(p, DOM_OWN);
    return p;
}

char *__wrap_strndup(const char *s, size_t n)
{
    char *p;
    if (should_fail(DOM_OWN)) return NULL;
    p = __real_strndup(s, n);
    track(p, DOM_OWN);
    return p;
}

void __wrap_free(void *p)
{
    untrack(p);
    __real_free(p);
}

/* SQLite: its default allocator, wrapped. */
static sqlite3_mem_methods sqlite_real;

static void *sq_malloc(int n)
{
    void *p;
    if (should_fail(DOM_SQLITE)) return NULL;
    p = sqlite_real.xMalloc(n);
    track(p, DOM_SQLITE);
    return p;
}

static void sq_free(void *p)
{
    untrack(p);
    sqlite_real.xFree(p);
}

static void *sq_realloc(void *p, int n)
{
    void *q;
    if (should_fail(DOM_SQLITE)) return NULL;
    q = sqlite_real.xRealloc(p, n);
    if (q) {
        untrack(p);
        track(q, DOM_SQLITE);
    }
    return q;
}

static int sq_size(void *p)
{
    return sqlite_real.xSize(p);
}

static int sq_roundup(int n)
{
    return sqlite_real.xRoundup(n);
}

static int sq_init(void *app)
{
    return sqlite_real.xInit(app);
}

static void sq_shutdown(void *app)
{
    sqlite_real.xShutdown(app);
}

/* libxml2. Its schema validator (xmlschemas.c) in the 2.9 series does not
 * survive failed allocations: xmlSchemaNewValidCtxt() returns a context
 * without its dictionary when one fails and validation then crashes; one
 * failure inside xmlSchemaValidateDoc() ends in a double free in
 * xmlSchemaFreeValidCtxt(). Upstream fuzzed and fixed its allocation-failure
 * paths from 2.11 on. So before 2.12, libxml2's allocations are not failed
 * while a validation context lives: the three calls are wrapped at link time
 * (--wrap=xmlSchemaNewValidCtxt,...) to know when that is. Its parser, and
 * all of ours and SQLite's, are failed. */
static int in_schema_validation;

xmlSchemaValidCtxtPtr __real_xmlSchemaNewValidCtxt(xmlSchemaPtr schema);
xmlSchemaValidCtxtPtr __wrap_xmlSchemaNewValidCtxt(xmlSchemaPtr schema);
int __real_xmlSchemaValidateDoc(xmlSchemaValidCtxtPtr ctxt, xmlDocPtr doc);
int __wrap_xmlSchemaValidateDoc(xmlSchemaValidCtxtPtr ctxt, xmlDocPtr doc);
void __real_xmlSchemaFreeValidCtxt(xmlSchemaValidCtxtPtr ctxt);
void __wrap_xmlSchemaFreeValidCtxt(xmlSchemaValidCtxtPtr ctxt);

xmlSchemaValidCtxtPtr __wrap_xmlSchemaNewValidCtxt(xmlSchemaPtr schema)
{
    xmlSchemaValidCtxtPtr ctxt;
    in_schema_validation++;
    ctxt = __real_xmlSchemaNewValidCtxt(schema);
    in_schema_validation--;
    return ctxt;
}

int __wrap_xmlSchemaValidateDoc(xmlSchemaValidCtxtPtr ctxt, xmlDocPtr doc)
{
    int rc;
    in_schema_validation++;
    rc = __real_xmlSchemaValidateDoc(ctxt, doc);
    in_schema_validation--;
    return rc;
}

void __wrap_xmlSchemaFreeValidCtxt(xmlSchemaValidCtxtPtr ctxt)
{
    in_schema_validation++;
    __real_xmlSchemaFreeValidCtxt(ctxt);
    in_schema_validation--;
}

static int xml_should_fail(void)
{
#if LIBXML_VERSION < 21200
    if (in_schema_validation) return 0;
#endif
    return should_fail(DOM_XML);
}

static void *xml_malloc(size_t n)
{
    void *p;
    if (xml_should_fail()) return NULL;
    p = __real_malloc(n);
    track(p, DOM_XML);
    return p;
}

static void *xml_realloc(void *p, size_t n)
{
    void *q;
    if (xml_should_fail()) return NULL;
    q = __real_realloc(p, n);
    if (q) {
        untrack(p);
        track(q, DOM_XML);
    }
    return q;
}

static char *xml_strdup(const char *s)
{
    char *p;
    if (xml_should_fail()) return NULL;
    p = __real_strdup(s);
    track(p, DOM_XML);
    return p;
}

static void xml_free(void *p)
{
    untrack(p);
    __real_free(p);
}

/* jansson (the JSON writer) */
static void *json_malloc(size_t n)
{
    void *p;
    if (should_fail(DOM_JSON)) return NULL;
    p = __real_malloc(n);
    track(p, DOM_JSON);
    return p;
}

static void json_free(void *p)
{
    untrack(p);
    __real_free(p);
}

static int install_allocators(void)
{
    sqlite3_mem_methods m;
    live = __real_calloc(LIVE_SLOTS, sizeof *live);
    if (!live) return -1;
    if (xmlMemSetup(xml_free, xml_malloc, xml_realloc, xml_strdup) != 0) return -1;
    json_set_alloc_funcs(json_malloc, json_free);
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_real) != SQLITE_OK) return -1;
    m = sqlite_real;
    m.xMalloc = sq_malloc;
    m.xFree = sq_free;
    m.xRealloc = sq_realloc;
    m.xSize = sq_size;
    m.xRoundup = sq_roundup;
    m.xInit = sq_init;
    m.xShutdown = sq_shutdown;
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK) return -1;
    if (sqlite3_initialize() != SQLITE_OK) return -1;
    return fault_vfs_install() == SQLITE_OK ? 0 : -1;
}

static void arm(long target, int persistent, unsigned domains)
{
    fault.domains = domains;
    fault.seen = 0;
    fault.injected = 0;
    fault.hit_domain = -1;
    fault.target = target;
    fault.persistent = persistent;
    fault.armed = 1;
}

/* Stop failing; returns how many allocations were failed. */
static long disarm(void)
{
    fault.armed = 0;
    return fault.injected;
}

typedef struct live_counts {
    long n[N_DOMAINS];
} live_counts;

static live_counts live_now(void)
{
    live_counts c;
    /* libxml2 keeps a copy of the last error (message and file strings) in
     * a global; it is not a leak, so it is let go before counting. */
    xmlResetLastError();
    memcpy(c.n, live_count, sizeof c.n);
    return c;
}

static void assert_no_leak(const live_counts *before, const char *what, long n)
{
    live_counts after = live_now();
    for (int d = 0; d < N_DOMAINS; d++)
        /* When the failure hit libxml2 itself, libxml2 2.9 may keep a block
         * in its own reachable state (the shared compiled schema); that is
         * its business, and LeakSanitizer in check-asan still catches any
         * block lost for good. Ours and SQLite's must always balance. */
        if (after.n[d] != before->n[d] && !(d == DOM_XML && fault.hit_domain == DOM_XML)) {
            print_error("%s, fault at allocation %ld: %ld %s allocation(s) leaked\n", what, n,
                        after.n[d] - before->n[d], domain_name[d]);
            fail();
        }
}

/* ---- the database under test ---------------------------------------------- */

static char tmpdir[256];
static char base_db[300], work_db[300];
/* Every k-th n is tried: k from WW_FAULT_STRIDE, else chosen so that a loop
 * makes about FAULT_BUDGET runs (the fast tier); `make check-faults` sets
 * WW_FAULT_STRIDE=1 and tries every n. */
#define FAULT_BUDGET 300
static long stride_env;

static int setup(void **state)
{
    const char *s = getenv("WW_FAULT_STRIDE");
    (void)state;
    if (s && *s) {
        char *end;
        long v = strtol(s, &end, 10);
        if (*end == '\0' && v > 0) stride_env = v;
    }
    /* tmpfs when there is one: thousands of databases are created and
     * synced here, and what is tested is the process, not the disk. */
    snprintf(tmpdir, sizeof tmpdir, "%s/ww-test-faults-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(tmpdir)) return -1;
    snprintf(base_db, sizeof base_db, "%s/base.db", tmpdir);
    snprintf(work_db, sizeof work_db, "%s/work.db", tmpdir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *example(char *buf, size_t n, const char *file)
{
    snprintf(buf, n, "%s/data/examples/%s", test_env("WW_TOP", "."), file);
    return buf;
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
    FILE *in = fopen(from, "rb"), *out;
    char buf[65536];
    size_t n;
    assert_non_null(in);
    remove_db(to);
    out = fopen(to, "wb");
    assert_non_null(out);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* The baseline: a database holding one imported example, checkpointed into
 * the main file so that copying that one file copies the database. */
static void make_base(void)
{
    ww_db *db = NULL;
    ww_import_report *rep = NULL;
    char path[400];
    remove_db(base_db);
    assert_ww_ok(ww_db_open(&db, base_db, WW_DB_CREATE));
    assert_ww_ok(
        ww_import_file(&rep, db, example(path, sizeof path, "attendance-mentoring.xml"), NULL));
    ww_import_report_free(rep);
    assert_int_equal(sqlite3_exec(db->sql, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
                     SQLITE_OK);
    ww_db_close(db);
}

/* FNV-1a over every row of every table (the FTS5 shadow tables included) and
 * the schema, leaving out only the clock (columns named `at` or `*_at`):
 * equal digests mean exactly the same rows. */
typedef struct digest {
    uint64_t h;
    long rows;
} digest;

static void mix(digest *d, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        d->h ^= b[i];
        d->h *= 0x100000001b3ULL;
    }
}

static digest db_digest(sqlite3 *sql)
{
    digest d = {0xcbf29ce484222325ULL, 0};
    sqlite3_stmt *tables = NULL, *rows = NULL;
    assert_int_equal(sqlite3_prepare_v2(sql,
                                        "SELECT name, sql FROM sqlite_schema WHERE type = 'table'"
                                        " AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
                                        -1, &tables, NULL),
                     SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        char q[200];
        const char *name = (const char *)sqlite3_column_text(tables, 0);
        mix(&d, name, strlen(name) + 1);
        mix(&d, sqlite3_column_text(tables, 1), (size_t)sqlite3_column_bytes(tables, 1));
        snprintf(q, sizeof q, "SELECT * FROM \"%s\"", name);
        assert_int_equal(sqlite3_prepare_v2(sql, q, -1, &rows, NULL), SQLITE_OK);
        while (sqlite3_step(rows) == SQLITE_ROW) {
            int nc = sqlite3_column_count(rows);
            d.rows++;
            for (int c = 0; c < nc; c++) {
                unsigned char type = (unsigned char)sqlite3_column_type(rows, c);
                const char *col = sqlite3_column_name(rows, c);
                size_t len = strlen(col);
                if (strcmp(col, "at") == 0 || (len > 3 && strcmp(col + len - 3, "_at") == 0))
                    continue;
                mix(&d, &type, 1);
                if (type == SQLITE_INTEGER) {
                    sqlite3_int64 v = sqlite3_column_int64(rows, c);
                    mix(&d, &v, sizeof v);
                } else if (type == SQLITE_FLOAT) {
                    double v = sqlite3_column_double(rows, c);
                    mix(&d, &v, sizeof v);
                } else if (type != SQLITE_NULL) {
                    const void *b = sqlite3_column_blob(rows, c);
                    mix(&d, b, (size_t)sqlite3_column_bytes(rows, c));
                }
            }
            mix(&d, "\n", 1);
        }
        sqlite3_finalize(rows);
    }
    sqlite3_finalize(tables);
    return d;
}

/* integrity_check says "ok"; no foreign key points nowhere; the FTS5 index
 * matches its content table. */
static void assert_intact(sqlite3 *sql, const char *what, long n, int with_fts)
{
    sqlite3_stmt *st = NULL;
    const char *res;
    int rc;
    assert_int_equal(sqlite3_prepare_v2(sql, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    res = (const char *)sqlite3_column_text(st, 0);
    if (strcmp(res, "ok") != 0) {
        print_error("%s, fault %ld: integrity_check: %s\n", what, n, res);
        sqlite3_finalize(st);
        fail();
    }
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(sql, "PRAGMA foreign_key_check", -1, &st, NULL), SQLITE_OK);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        print_error("%s, fault %ld: a foreign key points nowhere\n", what, n);
        fail();
    }
    /* FTS5's check is written as an INSERT, so it needs the write lock:
     * only when no other connection is open. */
    if (!with_fts) return;
    rc = sqlite3_exec(sql, "INSERT INTO search_fts(search_fts) VALUES ('integrity-check')", NULL,
                      NULL, NULL);
    if (rc != SQLITE_OK) {
        print_error("%s, fault %ld: FTS5 integrity-check: %s\n", what, n, sqlite3_errmsg(sql));
        fail();
    }
}

/* Open the database with no faults armed, check it, and digest it. */
static digest check_db(const char *path, const char *what, long n, int with_fts)
{
    sqlite3 *sql = NULL;
    digest d;
    assert_int_equal(sqlite3_open_v2(path, &sql, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    /* The index's tokenizer, as every whatworks connection has it. */
    assert_ww_ok(ww_repo__register_tokenizer(sql, path));
    sqlite3_busy_timeout(sql, 5000);
    assert_intact(sql, what, n, with_fts);
    d = db_digest(sql);
    sqlite3_close(sql);
    return d;
}

/* ---- the loops ------------------------------------------------------------------- */

/* One kind of fault: allocations (in some domains) or disk operations. */
typedef struct fault_spec {
    const char *name;
    fault_vfs_action vfs; /* FAULT_VFS_OFF: allocations */
    unsigned mask;        /* allocation domains (1 << DOM_*) or FAULT_VFS_* ops */
    int persistent;       /* every one from the n-th on fails, not just the n-th */
} fault_spec;

#define ALL_DOMAINS ((1u << DOM_OWN) | (1u << DOM_SQLITE) | (1u << DOM_XML) | (1u << DOM_JSON))

typedef struct loop_stats {
    long runs, faulted, failed_cleanly, succeeded, xml_misreported, json_misreported;
} loop_stats;

static long total_faults, total_runs;

static void report(const char *what, const loop_stats *s)
{
    printf("    %s: %ld runs, %ld with faults injected: %ld failed cleanly, %ld succeeded all the "
           "same",
           what, s->runs, s->faulted, s->failed_cleanly, s->succeeded);
    if (s->xml_misreported)
        printf(", %ld rejected as bad XML (libxml2 < 2.12 reports some allocation failures as "
               "XML errors)",
               s->xml_misreported);
    if (s->json_misreported)
        printf(", %ld refused by the CHECK on effect.raw (SQLite's json_valid() answers 0 when it "
               "cannot allocate)",
               s->json_misreported);
    printf("\n");
    total_faults += s->faulted;
    total_runs += s->runs;
}

static long stride_for(long ops)
{
    /* WW_FAULT_STRIDE still leaves a short loop some 20 runs. */
    if (stride_env) return stride_env < ops / 20 + 1 ? stride_env : ops / 20 + 1;
    return ops / FAULT_BUDGET + 1;
}

/* At least `want` runs were faulted (fewer when WW_FAULT_STRIDE thins the
 * loops out). */
static void assert_faulted(const loop_stats *s, long want)
{
    if (stride_env > 1) want = want / stride_env + 1;
    if (s->faulted < want) {
        print_error("only %ld runs had a fault injected, want at least %ld\n", s->faulted, want);
        fail();
    }
}

static void spec_arm(const fault_spec *f, long n)
{
    if (f->vfs == FAULT_VFS_OFF)
        arm(n, f->persistent, f->mask);
    else
        fault_vfs_arm(f->vfs, f->mask, n, f->persistent);
}

static long spec_disarm(const fault_spec *f)
{
    return f->vfs == FAULT_VFS_OFF ? disarm() : fault_vfs_disarm();
}

/* A failed call says what ran out or what failed, in ww_error_last(). */
static int clear_error(const fault_spec *f, int error)
{
    const char *msg = ww_error_last();
    if (f->vfs != FAULT_VFS_OFF)
        return error == WW_EIO && (strstr(msg, "disk I/O error") || strstr(msg, "disk is full"));
    return error == WW_ENOMEM && strcmp(msg, "out of memory") == 0;
}

static void fail_unclear(const fault_spec *f, const ww_import_report *rep, const char *what, long n,
                         int error)
{
    print_error("%s, %s %ld: returned %d (%s) with message '%s'\n", what, f->name, n, error,
                ww_strerror(error), ww_error_last());
    for (size_t i = 0; rep && i < ww_import_report_diag_count(rep); i++)
        print_error("    %s\n", ww_import_report_diag(rep, i)->message);
    fail();
}

/* The library reports through its return value and ww_error_last(), never by
 * writing to the caller's stderr (libxml2 prints "parser error : Memory
 * allocation failed" there unless its generic handler is replaced). While a
 * fault is armed stderr goes to a file, which must stay empty. */
static int saved_stderr = -1;
static char stderr_path[320];

static void capture_stderr(void)
{
    int fd;
    fflush(stderr);
    snprintf(stderr_path, sizeof stderr_path, "%s/stderr", tmpdir);
    fd = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    saved_stderr = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
}

static void assert_stderr_quiet(const char *what, long n)
{
    struct stat sb;
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    saved_stderr = -1;
    if (stat(stderr_path, &sb) == 0 && sb.st_size > 0) {
        char buf[200] = "";
        FILE *fp = fopen(stderr_path, "r");
        if (fp) {
            if (!fgets(buf, sizeof buf, fp)) buf[0] = '\0';
            fclose(fp);
        }
        print_error("%s, fault %ld: the library wrote to stderr: %s\n", what, n, buf);
        fail();
    }
}

/* 1 when a diagnostic says memory ran out (then it is not a data error). */
static int mentions_memory(const ww_import_report *rep)
{
    for (size_t i = 0; rep && i < ww_import_report_diag_count(rep); i++) {
        const char *m = ww_import_report_diag(rep, i)->message;
        if (strstr(m, "emory") || strstr(m, "out of memory")) return 1;
    }
    return 0;
}

/* Import `file` into a copy of the baseline with fault n injected, for n = 1,
 * 2, ... until a run completes without reaching n. */
static void import_loop(const char *file, const fault_spec *f, loop_stats *stats)
{
    char path[400], what[200];
    digest before, full;
    long n, ops, stride;

    example(path, sizeof path, file);
    snprintf(what, sizeof what, "import %s", file);
    make_base();
    before = check_db(base_db, "baseline", 0, 1);
    /* The reference: the file imported with no fault, counting the
     * operations a fault could hit. */
    {
        ww_db *db = NULL;
        ww_import_report *rep = NULL;
        copy_file(base_db, work_db);
        assert_ww_ok(ww_db_open(&db, work_db, 0));
        spec_arm(f, LONG_MAX);
        assert_ww_ok(ww_import_file(&rep, db, path, NULL));
        ww_import_report_free(rep);
        ww_db_close(db);
        ops = f->vfs == FAULT_VFS_OFF ? fault.seen : fault_vfs.seen;
        spec_disarm(f);
        full = check_db(work_db, "reference", 0, 1);
        assert_true(full.rows > before.rows);
    }
    stride = stride_for(ops);

    for (n = 1;; n += stride) {
        ww_db *db = NULL;
        ww_import_report *rep = NULL;
        live_counts live0;
        digest after;
        long injected;
        int error, rejected_by_xml = 0;

        copy_file(base_db, work_db);
        live0 = live_now();
        assert_ww_ok(ww_db_open(&db, work_db, 0));
        ww_error_clear();
        capture_stderr();
        spec_arm(f, n);
        error = ww_import_file(&rep, db, path, NULL);
        if (f->vfs != FAULT_VFS_OFF) {
            /* Closing checkpoints the WAL into the database: those writes
             * are faulted too. */
            ww_db_close(db);
            db = NULL;
        }
        injected = spec_disarm(f);
        assert_stderr_quiet(what, n);
        stats->runs++;
        if (!injected) {
            /* Ran clean: every n up to here has been tried. */
            assert_int_equal(error, 0);
            ww_import_report_free(rep);
            ww_db_close(db);
            assert_no_leak(&live0, what, n);
            break;
        }
        stats->faulted++;
        if (error == 0) {
            /* Some failures are harmless (SQLite falls back when a cache or
             * lookaside allocation fails; a checkpoint on close may fail
             * after the commit): then the file is in, completely. */
            assert_non_null(rep);
            assert_int_equal(ww_import_report_status(rep), WW_IMPORT_IMPORTED);
            stats->succeeded++;
        } else if (clear_error(f, error)) {
            assert_null(rep);
            stats->failed_cleanly++;
        } else if (error == WW_EDATA && f->vfs == FAULT_VFS_OFF && fault.hit_domain == DOM_XML &&
                   !mentions_memory(rep)) {
            /* libxml2 2.9 turns some failed allocations into parse errors
             * it cannot tell from bad input ("xmlns: '...' is not a valid
             * URI"): the file is refused, nothing is written, and it imports
             * when memory is back. One that says memory ran out is ours to
             * report as out of memory, and fails below. */
            assert_non_null(rep);
            assert_int_equal(ww_import_report_status(rep), WW_IMPORT_REJECTED);
            stats->xml_misreported++;
            rejected_by_xml = 1;
        } else if (error == WW_ERROR && f->vfs == FAULT_VFS_OFF && fault.hit_domain == DOM_SQLITE &&
                   strstr(ww_error_last(), "CHECK constraint failed: json_valid(raw)")) {
            /* SQLite (3.40) json_valid() returns 0 instead of raising
             * SQLITE_NOMEM when its own allocation fails, so the CHECK on
             * effect.raw refuses the row: the file is not stored. */
            assert_null(rep);
            stats->json_misreported++;
        } else {
            fail_unclear(f, rep, what, n, error);
        }
        ww_import_report_free(rep);
        rep = NULL;

        /* The handle is not left inside a transaction (it would hold the
         * write lock and refuse the next BEGIN). */
        if (db && !sqlite3_get_autocommit(db->sql)) {
            print_error("%s, %s %ld: the handle is still inside a transaction after the import "
                        "returned %d (%s)\n",
                        what, f->name, n, error, ww_error_last());
            fail();
        }
        /* Exactly the rows of before the file, or all of the file: looked
         * at through a second connection, as the failure left it. */
        after = check_db(work_db, what, n, db == NULL);
        if (error < 0 && after.h != before.h) {
            print_error("%s, %s %ld: the failed import changed the database (%ld rows, had %ld)\n",
                        what, f->name, n, after.rows, before.rows);
            fail();
        }
        if (error == 0 && after.h != full.h) {
            print_error("%s, %s %ld: import succeeded but the rows differ from a clean import "
                        "(%ld rows, want %ld)\n",
                        what, f->name, n, after.rows, full.rows);
            fail();
        }

        /* The same handle (or, after a failed close, a new one) imports the
         * file completely now. */
        if (!db) assert_ww_ok(ww_db_open(&db, work_db, 0));
        if (ww_import_file(&rep, db, path, NULL) < 0) {
            print_error("%s, %s %ld: the import after the fault failed: %s\n", what, f->name, n,
                        ww_error_last());
            fail();
        }
        assert_int_equal(ww_import_report_status(rep),
                         error < 0 || rejected_by_xml ? WW_IMPORT_IMPORTED : WW_IMPORT_ALREADY);
        ww_import_report_free(rep);
        ww_db_close(db);
        assert_no_leak(&live0, what, n);
        after = check_db(work_db, what, n, 1);
        if (after.h != full.h) {
            print_error(
                "%s, %s %ld: after the import that followed the fault, the rows differ from "
                "a clean import (%ld rows, want %ld)\n",
                what, f->name, n, after.rows, full.rows);
            fail();
        }
    }
}

/* Regrade every study with fault n: a clear error and the database as before,
 * or the regrade done; then a regrade with no fault succeeds on the same
 * handle. The baseline holds two examples. */
static void regrade_loop(const fault_spec *f, loop_stats *stats)
{
    digest before, full;
    long n, ops, stride;
    FILE *devnull = fopen("/dev/null", "w");
    char path[400];
    assert_non_null(devnull);

    make_base();
    {
        ww_db *db = NULL;
        ww_import_report *rep = NULL;
        assert_ww_ok(ww_db_open(&db, base_db, 0));
        assert_ww_ok(
            ww_import_file(&rep, db, example(path, sizeof path, "housing-led-support.xml"), NULL));
        ww_import_report_free(rep);
        assert_int_equal(sqlite3_exec(db->sql, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
                         SQLITE_OK);
        ww_db_close(db);
    }
    before = check_db(base_db, "baseline", 0, 1);
    {
        ww_db *db = NULL;
        copy_file(base_db, work_db);
        assert_ww_ok(ww_db_open(&db, work_db, 0));
        spec_arm(f, LONG_MAX);
        assert_ww_ok(ww_regrade(db, devnull, WW_FORMAT_JSON, NULL));
        ww_db_close(db);
        ops = f->vfs == FAULT_VFS_OFF ? fault.seen : fault_vfs.seen;
        spec_disarm(f);
        full = check_db(work_db, "reference", 0, 1);
    }
    stride = stride_for(ops);
    for (n = 1;; n += stride) {
        ww_db *db = NULL;
        live_counts live0;
        digest after;
        long injected;
        int error;

        copy_file(base_db, work_db);
        live0 = live_now();
        assert_ww_ok(ww_db_open(&db, work_db, 0));
        ww_error_clear();
        capture_stderr();
        spec_arm(f, n);
        error = ww_regrade(db, devnull, WW_FORMAT_JSON, NULL);
        if (f->vfs != FAULT_VFS_OFF) {
            ww_db_close(db);
            db = NULL;
        }
        injected = spec_disarm(f);
        assert_stderr_quiet("regrade", n);
        stats->runs++;
        if (!injected) {
            assert_int_equal(error, 0);
            ww_db_close(db);
            assert_no_leak(&live0, "regrade", n);
            break;
        }
        stats->faulted++;
        if (error == 0)
            stats->succeeded++;
        else if (clear_error(f, error))
            stats->failed_cleanly++;
        else
            fail_unclear(f, NULL, "regrade", n, error);
        if (db && !sqlite3_get_autocommit(db->sql)) {
            print_error("regrade, %s %ld: the handle is still inside a transaction\n", f->name, n);
            fail();
        }
        /* All or nothing. A failure after the commit (writing the report
         * of what moved) leaves the regrade done, and says so by failing. */
        after = check_db(work_db, "regrade", n, db == NULL);
        if (error < 0 && after.h != before.h && after.h != full.h) {
            print_error("regrade, %s %ld: the failed regrade left the database half changed\n",
                        f->name, n);
            fail();
        }
        if (error == 0 && after.h != full.h) {
            print_error("regrade, %s %ld: succeeded but the rows differ from a clean regrade\n",
                        f->name, n);
            fail();
        }
        if (!db) assert_ww_ok(ww_db_open(&db, work_db, 0));
        if (ww_regrade(db, devnull, WW_FORMAT_JSON, NULL) < 0) {
            print_error("regrade, %s %ld: the regrade after the fault failed: %s\n", f->name, n,
                        ww_error_last());
            fail();
        }
        ww_db_close(db);
        assert_no_leak(&live0, "regrade", n);
        check_db(work_db, "regrade", n, 1);
    }
    fclose(devnull);
}

/* Create a database (schema, taxonomy) with fault n, for every n: the file
 * is left with no schema at all or the complete one, never half. */
static void open_loop(const fault_spec *f, loop_stats *stats)
{
    char fresh[320];
    long want_tables = -1;
    long n, stride;
    snprintf(fresh, sizeof fresh, "%s/fresh.db", tmpdir);
    {
        ww_db *db = NULL;
        remove_db(fresh);
        spec_arm(f, LONG_MAX);
        assert_ww_ok(ww_db_open(&db, fresh, WW_DB_CREATE));
        ww_db_close(db);
        stride = stride_for(f->vfs == FAULT_VFS_OFF ? fault.seen : fault_vfs.seen);
        spec_disarm(f);
    }
    for (n = 1;; n += stride) {
        ww_db *db = NULL;
        live_counts live0;
        long injected;
        int error;
        sqlite3 *sql = NULL;
        sqlite3_stmt *st = NULL;
        long version = 0, tables = 0;

        remove_db(fresh);
        live0 = live_now();
        ww_error_clear();
        spec_arm(f, n);
        error = ww_db_open(&db, fresh, WW_DB_CREATE);
        if (f->vfs != FAULT_VFS_OFF) {
            ww_db_close(db);
            db = NULL;
        }
        injected = spec_disarm(f);
        ww_db_close(db);
        assert_no_leak(&live0, "create a database", n);
        stats->runs++;
        if (injected) stats->faulted++;
        if (error == 0 && injected) stats->succeeded++;
        if (error < 0) {
            if (!clear_error(f, error)) fail_unclear(f, NULL, "create a database", n, error);
            assert_null(db);
            stats->failed_cleanly++;
        }
        /* All or nothing: version 1 with every table, or version 0 and
         * no table. */
        assert_int_equal(
            sqlite3_open_v2(fresh, &sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
            SQLITE_OK);
        assert_intact(sql, "create a database", n, 0);
        assert_int_equal(sqlite3_prepare_v2(sql,
                                            "SELECT (SELECT user_version FROM pragma_user_version),"
                                            " (SELECT count(*) FROM sqlite_schema)",
                                            -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        version = sqlite3_column_int(st, 0);
        tables = sqlite3_column_int(st, 1);
        sqlite3_finalize(st);
        sqlite3_close(sql);
        if (!injected) {
            assert_int_equal(error, 0);
            want_tables = tables;
            break;
        }
        if (version == 0 && tables != 0) {
            print_error("create a database, %s %ld: version 0 but %ld schema objects\n", f->name, n,
                        tables);
            fail();
        }
    }
    /* Every faulted run that reached version 1 has the whole schema. */
    assert_true(want_tables > 0);
}

/* Rank a query and write it as JSON with fault n: the same JSON as without a
 * fault, or a clear out-of-memory error; never half a document. The
 * database is opened and closed in each run, so SQLite's count balances
 * too (an open connection may keep what it reloaded after a failure). */
static void query_loop(const fault_spec *f, loop_stats *stats)
{
    ww_db *db = NULL;
    char *want = NULL, *got = NULL;
    size_t want_len = 0, got_len = 0;
    long n;
    FILE *mem;
    ww_query_result *res = NULL;
    long stride;
    /* the examples are provisional: asked for, so that every row is written */
    ww_query_opts query_opts = WW_QUERY_OPTS_INIT;
    query_opts.include_provisional = 1;

    make_base();
    mem = open_memstream(&want, &want_len);
    spec_arm(f, LONG_MAX);
    assert_ww_ok(ww_db_open(&db, base_db, WW_DB_READONLY));
    assert_ww_ok(ww_query_run(&res, db, "truancy", &query_opts));
    assert_ww_ok(ww_query_result_write(res, mem, WW_FORMAT_JSON));
    ww_query_result_free(res);
    ww_db_close(db);
    stride = stride_for(f->vfs == FAULT_VFS_OFF ? fault.seen : fault_vfs.seen);
    spec_disarm(f);
    fclose(mem);
    assert_true(want_len > 100);
    for (n = 1;; n += stride) {
        live_counts live0 = live_now();
        long injected;
        int error;
        res = NULL;
        db = NULL;
        mem = open_memstream(&got, &got_len);
        ww_error_clear();
        spec_arm(f, n);
        error = ww_db_open(&db, base_db, WW_DB_READONLY);
        if (error == 0) error = ww_query_run(&res, db, "truancy", &query_opts);
        if (error == 0) error = ww_query_result_write(res, mem, WW_FORMAT_JSON);
        injected = spec_disarm(f);
        ww_query_result_free(res);
        ww_db_close(db);
        fclose(mem);
        stats->runs++;
        if (injected) stats->faulted++;
        if (error == 0) {
            if (strcmp(got, want) != 0) {
                size_t at = 0, line = 1;
                while (got[at] && got[at] == want[at]) line += got[at++] == '\n';
                print_error("query, %s %ld: succeeded, but the JSON differs from line %zu: "
                            "want \"%.60s\", got \"%.60s\"\n",
                            f->name, n, line, want + at, got + at);
                fail();
            }
            if (injected) stats->succeeded++;
        } else if (clear_error(f, error)) {
            stats->failed_cleanly++;
        } else {
            fail_unclear(f, NULL, "query truancy", n, error);
        }
        free(got);
        got = NULL;
        assert_no_leak(&live0, "query truancy", n);
        if (!injected) break;
    }
    free(want);
}

static const fault_spec alloc_once = {"allocation", FAULT_VFS_OFF, ALL_DOMAINS, 0};
static const fault_spec alloc_query = {"allocation", FAULT_VFS_OFF,
                                       (1u << DOM_OWN) | (1u << DOM_SQLITE), 0};
static const fault_spec alloc_json = {"jansson allocation", FAULT_VFS_OFF, 1u << DOM_JSON, 0};
static const fault_spec alloc_from = {"allocations from", FAULT_VFS_OFF, ALL_DOMAINS, 1};
static const fault_spec write_eio = {"write", FAULT_VFS_EIO, FAULT_VFS_WRITE, 0};
static const fault_spec disk_full = {"disk full from write", FAULT_VFS_FULL, FAULT_VFS_WRITE, 1};
static const fault_spec sync_eio = {"fsync or truncate", FAULT_VFS_EIO,
                                    FAULT_VFS_SYNC | FAULT_VFS_TRUNCATE, 0};

static void test_faults__import_allocation(void **state)
{
    loop_stats s = {0};
    (void)state;
    import_loop("housing-led-support.xml", &alloc_once, &s);
    report("import, the n-th allocation fails", &s);
    assert_faulted(&s, 100);
}

static void test_faults__import_allocation_persistent(void **state)
{
    loop_stats s = {0};
    (void)state;
    import_loop("family-intervention-asb.xml", &alloc_from, &s);
    report("import, every allocation from the n-th fails", &s);
    assert_faulted(&s, 100);
}

static void test_faults__import_write(void **state)
{
    loop_stats s = {0};
    (void)state;
    import_loop("housing-led-support.xml", &write_eio, &s);
    report("import, the n-th write fails (EIO)", &s);
    assert_faulted(&s, 10);
}

static void test_faults__import_disk_full(void **state)
{
    loop_stats s = {0};
    (void)state;
    import_loop("housing-led-support.xml", &disk_full, &s);
    report("import, the disk is full from the n-th write", &s);
    assert_faulted(&s, 10);
}

static void test_faults__import_fsync(void **state)
{
    loop_stats s = {0};
    (void)state;
    import_loop("housing-led-support.xml", &sync_eio, &s);
    report("import, the n-th fsync or truncate fails", &s);
    assert_faulted(&s, 1);
}

static void test_faults__regrade(void **state)
{
    loop_stats once = {0}, from = {0}, write = {0};
    (void)state;
    regrade_loop(&alloc_once, &once);
    report("regrade, the n-th allocation fails", &once);
    regrade_loop(&alloc_from, &from);
    report("regrade, every allocation from the n-th fails", &from);
    regrade_loop(&write_eio, &write);
    report("regrade, the n-th write fails", &write);
    assert_faulted(&once, 100);
    assert_faulted(&from, 100);
    assert_faulted(&write, 10);
}

static void test_faults__create_database(void **state)
{
    loop_stats alloc = {0}, write = {0};
    (void)state;
    open_loop(&alloc_once, &alloc);
    report("create a database, the n-th allocation fails", &alloc);
    open_loop(&write_eio, &write);
    report("create a database, the n-th write fails", &write);
    assert_faulted(&alloc, 100);
    assert_faulted(&write, 50);
}

static void test_faults__query(void **state)
{
    loop_stats s = {0};
    (void)state;
    query_loop(&alloc_query, &s);
    report("query truancy as JSON, the n-th allocation (ours, SQLite's) fails", &s);
    assert_faulted(&s, 100);
}

/* jansson's allocations while the JSON is built: a key or row that cannot
 * be added must fail the write, not vanish from a document that says it
 * succeeded. */
static void test_faults__query_json_writer(void **state)
{
    loop_stats s = {0};
    (void)state;
    query_loop(&alloc_json, &s);
    report("query truancy as JSON, the n-th jansson allocation fails", &s);
    assert_faulted(&s, 20);
}

/* Whatever a failed test left armed is disarmed before the next. */
static int reset_faults(void **state)
{
    (void)state;
    disarm();
    fault_vfs_disarm();
    return 0;
}

static int print_totals(void **state)
{
    (void)state;
    printf("    fault injection: %ld runs, %ld faults injected and survived\n", total_runs,
           total_faults);
    return teardown(state);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup(name, reset_faults)
    const struct CMUnitTest tests[] = {
        T(test_faults__import_allocation), T(test_faults__import_allocation_persistent),
        T(test_faults__import_write),      T(test_faults__import_disk_full),
        T(test_faults__import_fsync),      T(test_faults__regrade),
        T(test_faults__create_database),   T(test_faults__query),
        T(test_faults__query_json_writer),
    };
#undef T
    test_filter_from_env();
    if (install_allocators() != 0) {
        fprintf(stderr, "test_faults: cannot install the fault-injecting allocators\n");
        return 1;
    }
    return cmocka_run_group_tests(tests, setup, print_totals);
}
