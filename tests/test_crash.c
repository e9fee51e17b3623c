/*
 * test_crash.c — crash safety: an import killed with SIGKILL at any point
 * leaves the database intact, holding exactly the files whose transactions
 * committed and nothing of the one it was in, and running the import again
 * completes it (DESIGN.md section 9: one transaction per source file).
 *
 * Two ways of killing:
 *   - at the n-th write, fsync or truncate SQLite makes (the VFS shim in
 *     faults/vfs.h raises SIGKILL just before it), for n across the whole
 *     import: every point where the files on disk change;
 *   - the real `whatworks import` command, SIGKILLed after a random delay
 *     (the seed is printed, WW_CRASH_SEED repeats a run).
 * After every kill:
 *   - PRAGMA integrity_check is "ok", foreign_key_check finds nothing and
 *     FTS5's integrity-check passes;
 *   - the sources stored are the first k input files (they are imported in
 *     name order, one transaction each), and every row of the database,
 *     derived ones included (pooled syntheses, the full-text index), is
 *     exactly what importing those k files alone gives;
 *   - the import run again stores the rest, and the database then equals
 *     the one a clean import of every file gives.
 * WW_CRASH_RUNS sets how many kills of each kind (default 30: `make check`);
 * `make check-crash` runs many more.
 */
#include "helpers.h"

#include <dirent.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "faults/vfs.h"
#include "../repo/repo_int.h"

#define N_COPIES 2 /* each example pilot imported this many times, retitled */
#define MAX_FILES 64

static char tmpdir[256], indir[300], db_path[320];
static char *files[MAX_FILES];
static size_t n_files;
static uint64_t ref_digest[MAX_FILES + 1]; /* the database after the first k files */
static long runs = 30;

/* ---- inputs --------------------------------------------------------------------- */

static char *slurp(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    char *data;
    long len;
    if (!fp) return NULL;
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    rewind(fp);
    data = malloc((size_t)len + 1);
    if (data && fread(data, 1, (size_t)len, fp) != (size_t)len) {
        free(data);
        data = NULL;
    }
    if (data) data[len] = '\0';
    fclose(fp);
    *size = (size_t)len;
    return data;
}

/* Copies of every example pilot, each with its own title (so its own sha256
 * and study), named so that name order is import order. */
static int make_inputs(void)
{
    char dir[300];
    struct dirent **names = NULL;
    int n = 0;
    snprintf(dir, sizeof dir, "%s/data/examples", test_env("WW_TOP", "."));
    if ((n = scandir(dir, &names, NULL, alphasort)) < 0) return -1;
    for (int copy = 0; copy < N_COPIES; copy++) {
        for (int i = 0; i < n; i++) {
            char src[700], dst[700];
            size_t size;
            char *text, *title;
            FILE *fp;
            if (!strstr(names[i]->d_name, ".xml")) continue;
            snprintf(src, sizeof src, "%s/%s", dir, names[i]->d_name);
            if (!(text = slurp(src, &size)) || !(title = strstr(text, "<title>"))) return -1;
            snprintf(dst, sizeof dst, "%s/%02zu-%s", indir, n_files, names[i]->d_name);
            if (!(fp = fopen(dst, "wb"))) return -1;
            title += strlen("<title>");
            fwrite(text, 1, (size_t)(title - text), fp);
            fprintf(fp, "Copy %d of ", copy + 1);
            fwrite(title, 1, size - (size_t)(title - text), fp);
            fclose(fp);
            free(text);
            if (n_files == MAX_FILES) return -1;
            files[n_files++] = strdup(dst);
        }
    }
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
    return n_files ? 0 : -1;
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

/* ---- what the database holds ---------------------------------------------------------- */

static void mix(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        *h ^= b[i];
        *h *= 0x100000001b3ULL;
    }
}

/* Every row of every table (FTS5's shadow tables too), except the clock:
 * columns that record when something happened (imported_at, at,
 * computed_at, ...). */
static uint64_t digest(sqlite3 *sql)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    sqlite3_stmt *tables = NULL, *rows = NULL;
    assert_int_equal(sqlite3_prepare_v2(sql,
                                        "SELECT name FROM sqlite_schema WHERE type = 'table'"
                                        " AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
                                        -1, &tables, NULL),
                     SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        char q[200];
        const char *name = (const char *)sqlite3_column_text(tables, 0);
        mix(&h, name, strlen(name) + 1);
        snprintf(q, sizeof q, "SELECT * FROM \"%s\"", name);
        assert_int_equal(sqlite3_prepare_v2(sql, q, -1, &rows, NULL), SQLITE_OK);
        while (sqlite3_step(rows) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(rows); c++) {
                const char *col = sqlite3_column_name(rows, c);
                size_t len = strlen(col);
                int type = sqlite3_column_type(rows, c);
                if (strcmp(col, "at") == 0 || (len > 3 && strcmp(col + len - 3, "_at") == 0))
                    continue;
                mix(&h, &type, sizeof type);
                if (type == SQLITE_INTEGER) {
                    sqlite3_int64 v = sqlite3_column_int64(rows, c);
                    mix(&h, &v, sizeof v);
                } else if (type == SQLITE_FLOAT) {
                    double v = sqlite3_column_double(rows, c);
                    mix(&h, &v, sizeof v);
                } else if (type != SQLITE_NULL) {
                    mix(&h, sqlite3_column_blob(rows, c), (size_t)sqlite3_column_bytes(rows, c));
                }
            }
            mix(&h, "\n", 1);
        }
        sqlite3_finalize(rows);
    }
    sqlite3_finalize(tables);
    return h;
}

/* Opens the database as a crashed import left it (recovering the WAL),
 * checks it, and returns how many sources it holds. -1 when there is no
 * database yet (the kill came before the schema was committed). */
static long check_after_kill(const char *how, long n)
{
    sqlite3 *sql = NULL;
    sqlite3_stmt *st = NULL;
    long k = 0, version = 0;
    int rc;
    uint64_t h;

    /* The index's tokenizer, as every whatworks connection has it. */
    if (sqlite3_open_v2(db_path, &sql, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        ww_repo__register_tokenizer(sql, db_path) < 0) {
        sqlite3_close(sql);
        return -1;
    }
    assert_int_equal(sqlite3_prepare_v2(sql, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    if (strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
        print_error("%s %ld: integrity_check: %s\n", how, n, sqlite3_column_text(st, 0));
        fail();
    }
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(sql, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version == 0) {
        /* The schema never committed: the file holds no table at all. */
        assert_int_equal(
            sqlite3_prepare_v2(sql, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL),
            SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), 0);
        sqlite3_finalize(st);
        sqlite3_close(sql);
        return -1;
    }
    assert_int_equal(sqlite3_prepare_v2(sql, "PRAGMA foreign_key_check", -1, &st, NULL), SQLITE_OK);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        print_error("%s %ld: a foreign key points nowhere\n", how, n);
        fail();
    }
    if (sqlite3_exec(sql, "INSERT INTO search_fts(search_fts) VALUES ('integrity-check')", NULL,
                     NULL, NULL) != SQLITE_OK) {
        print_error("%s %ld: FTS5 integrity-check: %s\n", how, n, sqlite3_errmsg(sql));
        fail();
    }
    /* The sources are the first k files, in order. */
    assert_int_equal(sqlite3_prepare_v2(sql, "SELECT name FROM source ORDER BY id", -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (k >= (long)n_files || strcmp(name, files[k]) != 0) {
            print_error("%s %ld: source %ld is %s, want %s\n", how, n, k + 1, name,
                        k < (long)n_files ? files[k] : "none");
            fail();
        }
        k++;
    }
    sqlite3_finalize(st);
    /* ... and every row is what those k files alone give. */
    h = digest(sql);
    sqlite3_close(sql);
    if (h != ref_digest[k]) {
        print_error("%s %ld: %ld files committed, but the rows differ from a clean import of them "
                    "(rows of the interrupted file left behind?)\n",
                    how, n, k);
        fail();
    }
    return k;
}

/* Import files[from..to) into the database with the library, no faults. */
static void import_files(size_t from, size_t to)
{
    ww_db *db = NULL;
    assert_ww_ok(ww_db_open(&db, db_path, WW_DB_CREATE));
    for (size_t i = from; i < to; i++) {
        ww_import_report *rep = NULL;
        assert_ww_ok(ww_import_file(&rep, db, files[i], NULL));
        ww_import_report_free(rep);
    }
    ww_db_close(db);
}

/* Run the whole import again and check it completes: every file stored,
 * the rows those of a clean import. */
static void assert_rerun_completes(const char *how, long n)
{
    sqlite3 *sql = NULL;
    import_files(0, n_files);
    assert_int_equal(sqlite3_open_v2(db_path, &sql, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_ww_ok(ww_repo__register_tokenizer(sql, db_path));
    if (digest(sql) != ref_digest[n_files]) {
        print_error(
            "%s %ld: after the import was run again the database differs from a clean import\n",
            how, n);
        fail();
    }
    sqlite3_close(sql);
}

static int setup(void **state)
{
    const char *r = getenv("WW_CRASH_RUNS");
    (void)state;
    if (r && *r) {
        char *end;
        long v = strtol(r, &end, 10);
        if (*end == '\0' && v > 0) runs = v;
    }
    snprintf(tmpdir, sizeof tmpdir, "%s/ww-test-crash-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(tmpdir)) return -1;
    snprintf(indir, sizeof indir, "%s/in", tmpdir);
    snprintf(db_path, sizeof db_path, "%s/crash.db", tmpdir);
    if (mkdir(indir, 0700) != 0 || make_inputs() != 0) return -1;
    if (fault_vfs_install() != SQLITE_OK) return -1;
    /* The reference: the database after each prefix of the files. */
    remove_db(db_path);
    for (size_t k = 0; k <= n_files; k++) {
        sqlite3 *sql = NULL;
        ww_db *db = NULL;
        if (k > 0)
            import_files(k - 1, k);
        else if (ww_db_open(&db, db_path, WW_DB_CREATE) < 0)
            return -1;
        ww_db_close(db);
        if (sqlite3_open_v2(db_path, &sql, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
            ww_repo__register_tokenizer(sql, db_path) < 0)
            return -1;
        ref_digest[k] = digest(sql);
        sqlite3_close(sql);
    }
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    for (size_t i = 0; i < n_files; i++) free(files[i]);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- kills at the n-th write ---------------------------------------------------------- */

/* In a child: create the database and import every file, SIGKILLed at the
 * n-th write/fsync/truncate. Returns 1 when the child was killed, 0 when
 * the import finished before reaching n. */
static int import_killed_at(long n)
{
    pid_t pid;
    int status;
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        ww_db *db = NULL;
        fault_vfs_arm(FAULT_VFS_KILL, FAULT_VFS_ALL, n, 0);
        if (ww_db_open(&db, db_path, WW_DB_CREATE) < 0) _exit(3);
        for (size_t i = 0; i < n_files; i++) {
            ww_import_report *rep = NULL;
            if (ww_import_file(&rep, db, files[i], NULL) < 0) _exit(4);
            ww_import_report_free(rep);
        }
        ww_db_close(db);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) return 1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        print_error("write %ld: the child import failed without being killed (status %d)\n", n,
                    status);
        fail();
    }
    return 0;
}

static void test_crash__kill_at_every_write(void **state)
{
    long total = 0, n, stride, kills = 0, max_k = 0;
    (void)state;
    /* How many writes a whole import makes. */
    remove_db(db_path);
    fault_vfs_arm(FAULT_VFS_OFF, FAULT_VFS_ALL, 0, 0);
    import_files(0, n_files);
    total = fault_vfs.seen;
    fault_vfs_disarm();
    assert_true(total > (long)n_files);
    /* Every write when asked for at least as many runs; else spread out. */
    stride = total <= runs ? 1 : total / runs + 1;
    for (n = 1; n <= total; n += stride) {
        long k;
        remove_db(db_path);
        if (!import_killed_at(n)) break;
        kills++;
        k = check_after_kill("killed at write", n);
        if (k > max_k) max_k = k;
        assert_rerun_completes("killed at write", n);
    }
    printf(
        "    %ld kills at a write, fsync or truncate (1 in %ld of the %ld an import of %zu files "
        "makes), up to %ld files committed before the kill: database intact every time\n",
        kills, stride, total, n_files, max_k);
    assert_true(kills > 0);
}

/* ---- the real command, killed at random ------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Start `whatworks --db DB import --init INDIR` with output to /dev/null
 * (import makes no database unless told to). */
static pid_t spawn_import(void)
{
    pid_t pid;
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        const char *bin = test_env("WW_BIN", "build/whatworks");
        FILE *devnull = freopen("/dev/null", "w", stdout);
        (void)devnull;
        devnull = freopen("/dev/null", "w", stderr);
        (void)devnull;
        execl(bin, bin, "--db", db_path, "import", "--init", indir, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void test_crash__sigkill_the_command(void **state)
{
    const char *seed_env = getenv("WW_CRASH_SEED");
    unsigned seed =
        seed_env && *seed_env ? (unsigned)strtoul(seed_env, NULL, 10) : (unsigned)time(NULL);
    double full_s, measured_s, t0;
    long kills = 0, finished = 0, committed_total = 0;
    int status;
    pid_t pid;
    (void)state;

    /* Under valgrind only this process is traced, not the imports it kills,
     * and its slowed fork skews the timing the random delays are drawn from:
     * the test proves nothing more there, and its kill count is not reliable. */
    if (getenv("WW_UNDER_VALGRIND")) {
        print_message("    skipped under valgrind (the killed imports are not traced)\n");
        skip();
    }

    /* How long an uninterrupted import takes. */
    remove_db(db_path);
    t0 = now_s();
    pid = spawn_import();
    assert_int_equal(waitpid(pid, &status, 0), pid);
    full_s = now_s() - t0;
    measured_s = full_s;
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    srand(seed);
    /* Until most runs were killed mid-way (at most 3 x runs): on a loaded
     * machine an import's time varies, so each import that finishes before
     * its kill shortens the window the next delays are drawn from. */
    for (long i = 0; i < runs || (kills <= runs / 2 && i < 3 * runs); i++) {
        /* Anywhere from the start to a little past the end. */
        double delay = full_s * 1.1 * rand() / RAND_MAX;
        struct timespec ts;
        long k;
        remove_db(db_path);
        pid = spawn_import();
        ts.tv_sec = (time_t)delay;
        ts.tv_nsec = (long)((delay - (double)ts.tv_sec) * 1e9);
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (WIFSIGNALED(status)) {
            kills++;
        } else {
            finished++;
            full_s *= 0.8;
        }
        k = check_after_kill("SIGKILL after a random delay, seed", (long)seed);
        if (k > 0) committed_total += k;
        assert_rerun_completes("SIGKILL after a random delay, seed", (long)seed);
    }
    printf("    %ld SIGKILLs of `whatworks import` at random points (%ld finished first; a full "
           "import "
           "takes %.0f ms; %ld files committed before the kills in all; seed %u): database intact "
           "every time\n",
           kills, finished, measured_s * 1000, committed_total, seed);
    assert_true(kills > runs / 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash__kill_at_every_write),
        cmocka_unit_test(test_crash__sigkill_the_command),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, setup, teardown);
}
