/*
 * test_concurrency.c — readers and writers at once (DESIGN.md section 9:
 * "keeps serving reads while an import writes (WAL)").
 *   - While two `whatworks import` commands and a `whatworks regrade` write,
 *     reader threads (each with its own ww_db handle) and reader processes
 *     (`whatworks query`, `whatworks show`) query without pause: no reader
 *     ever fails, and in particular none sees "database is locked"; both
 *     imports and the regrade succeed (writers wait for each other within
 *     the busy timeout) and every file is stored once.
 *   - When another connection holds the write lock for longer than the busy
 *     timeout, `whatworks import` gives up after that timeout, not before
 *     and not never, with exit status 75 (EX_TEMPFAIL) and a message that
 *     says the database is busy; nothing is written, and readers still read
 *     while the lock is held.
 */
#include "helpers.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define N_COPIES 6
#define N_READER_THREADS 3
#define N_READER_PROCS 2

static char tmpdir[256], dir_a[300], dir_b[300], db_path[320];
static size_t files_per_dir;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *data;
    long len;
    if (!fp) return strdup("");
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    rewind(fp);
    data = calloc(1, (size_t)len + 1);
    if (data && fread(data, 1, (size_t)len, fp) != (size_t)len) data[0] = '\0';
    fclose(fp);
    return data;
}

/* Retitled copies of every example pilot into dir (tag keeps the two
 * directories' files distinct). */
static int make_copies(const char *dir, const char *tag)
{
    char src_dir[300];
    struct dirent **names = NULL;
    int n;
    size_t made = 0;
    if (mkdir(dir, 0700) != 0) return -1;
    snprintf(src_dir, sizeof src_dir, "%s/data/examples", test_env("WW_TOP", "."));
    if ((n = scandir(src_dir, &names, NULL, alphasort)) < 0) return -1;
    for (int copy = 0; copy < N_COPIES; copy++)
        for (int i = 0; i < n; i++) {
            char src[700], dst[700];
            char *text, *title;
            FILE *fp;
            if (!strstr(names[i]->d_name, ".xml")) continue;
            snprintf(src, sizeof src, "%s/%s", src_dir, names[i]->d_name);
            text = slurp(src);
            if (!(title = strstr(text, "<title>"))) return -1;
            snprintf(dst, sizeof dst, "%s/%d-%s", dir, copy, names[i]->d_name);
            if (!(fp = fopen(dst, "wb"))) return -1;
            title += strlen("<title>");
            fwrite(text, 1, (size_t)(title - text), fp);
            fprintf(fp, "%s copy %d: ", tag, copy);
            fputs(title, fp);
            fclose(fp);
            free(text);
            made++;
        }
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
    files_per_dir = made;
    return made ? 0 : -1;
}

static int setup(void **state)
{
    ww_db *db = NULL;
    ww_import_report *rep = NULL;
    char path[400];
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ww-test-concurrency-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    snprintf(dir_a, sizeof dir_a, "%s/a", tmpdir);
    snprintf(dir_b, sizeof dir_b, "%s/b", tmpdir);
    snprintf(db_path, sizeof db_path, "%s/c.db", tmpdir);
    if (make_copies(dir_a, "A") != 0 || make_copies(dir_b, "B") != 0) return -1;
    /* Something to read from the start. */
    if (ww_db_open(&db, db_path, WW_DB_CREATE) < 0) return -1;
    snprintf(path, sizeof path, "%s/data/examples/attendance-mentoring.xml",
             test_env("WW_TOP", "."));
    if (ww_import_file(&rep, db, path, NULL) < 0) return -1;
    ww_import_report_free(rep);
    ww_db_close(db);
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    FILE *fp;
    (void)state;
    /* Reader processes stop when they see this, even after a failure. */
    snprintf(cmd, sizeof cmd, "%s/stop", tmpdir);
    if ((fp = fopen(cmd, "w"))) fclose(fp);
    while (wait(NULL) > 0)
        ;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- processes ------------------------------------------------------------------------ */

/* Start `whatworks --db DB args...` with stdout to /dev/null and stderr to
 * err_path. */
static pid_t spawn(const char *err_path, const char *const *args)
{
    pid_t pid;
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        const char *bin = test_env("WW_BIN", "build/whatworks");
        const char *argv[16];
        size_t n = 0;
        FILE *f = freopen("/dev/null", "w", stdout);
        (void)f;
        f = freopen(err_path, "w", stderr);
        (void)f;
        argv[n++] = bin;
        argv[n++] = "--db";
        argv[n++] = db_path;
        for (size_t i = 0; args[i] && n < 15; i++) argv[n++] = args[i];
        argv[n] = NULL;
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static int wait_status(pid_t pid)
{
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* A reader process: runs query and show commands one after another until
 * `stop` exists; writes "N ok" or the first failure to its result file. */
static pid_t spawn_reader_process(int id, const char *stop)
{
    pid_t pid;
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char result[400], err[400];
        long ok = 0;
        FILE *fp;
        /* A deadline too, should the test die before it says stop. */
        double deadline = now_s() + 120;
        snprintf(result, sizeof result, "%s/reader%d.result", tmpdir, id);
        snprintf(err, sizeof err, "%s/reader%d.err", tmpdir, id);
        for (;;) {
            static const char *const query[] = {"query", "truancy", "--format", "json", NULL};
            static const char *const show[] = {"show", "attendance-mentoring-illustrative-example",
                                               "--format", "json", NULL};
            int st = wait_status(spawn(err, ok % 2 ? show : query));
            if (st != 0) {
                char *msg = slurp(err);
                fp = fopen(result, "w");
                if (fp) {
                    fprintf(fp, "exit %d: %s", st, msg);
                    fclose(fp);
                }
                free(msg);
                _exit(1);
            }
            ok++;
            if (access(stop, F_OK) == 0 || now_s() > deadline) break;
        }
        fp = fopen(result, "w");
        if (fp) {
            fprintf(fp, "%ld ok", ok);
            fclose(fp);
        }
        _exit(0);
    }
    return pid;
}

/* ---- threads -------------------------------------------------------------------------- */

typedef struct reader {
    pthread_t thread;
    volatile int *stop;
    long ok, failed;
    char first_error[300];
} reader;

static void *reader_main(void *arg)
{
    reader *r = arg;
    while (!*r->stop) {
        ww_db *db = NULL;
        ww_query_result *res = NULL;
        int error = ww_db_open(&db, db_path, WW_DB_READONLY);
        if (error == 0) error = ww_query_run(&res, db, "truancy", NULL);
        if (error == 0) {
            FILE *devnull = fopen("/dev/null", "w");
            error = ww_query_result_write(res, devnull, WW_FORMAT_JSON);
            fclose(devnull);
        }
        ww_query_result_free(res);
        ww_db_close(db);
        if (error < 0) {
            if (!r->failed)
                snprintf(r->first_error, sizeof r->first_error, "%s: %s", ww_strerror(error),
                         ww_error_last());
            r->failed++;
        } else {
            r->ok++;
        }
    }
    return NULL;
}

static long long count_rows(const char *sql_text)
{
    sqlite3 *sql = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;
    assert_int_equal(sqlite3_open_v2(db_path, &sql, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(sql, 5000);
    assert_int_equal(sqlite3_prepare_v2(sql, sql_text, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(sql);
    return n;
}

static void test_concurrency__readers_while_writers_write(void **state)
{
    volatile int stop = 0;
    reader threads[N_READER_THREADS];
    pid_t procs[N_READER_PROCS], imp_a, imp_b, regrade;
    char stop_path[320], err_a[320], err_b[320], err_r[320];
    static const char *const args_regrade[] = {"regrade", "--format", "json", NULL};
    const char *args_a[] = {"import", dir_a, NULL};
    const char *args_b[] = {"import", dir_b, NULL};
    long long sources_before = count_rows("SELECT count(*) FROM source");
    long thread_reads = 0, proc_reads = 0;
    int st_a = -1, st_b, st_r, regrades = 0, a_done = 0;
    (void)state;

    snprintf(stop_path, sizeof stop_path, "%s/stop", tmpdir);
    snprintf(err_a, sizeof err_a, "%s/import-a.err", tmpdir);
    snprintf(err_b, sizeof err_b, "%s/import-b.err", tmpdir);
    snprintf(err_r, sizeof err_r, "%s/regrade.err", tmpdir);
    unlink(stop_path);
    /* Processes first: forking once threads run would copy a process whose
     * allocator another thread may hold locked. */
    for (int i = 0; i < N_READER_PROCS; i++) procs[i] = spawn_reader_process(i, stop_path);
    for (int i = 0; i < N_READER_THREADS; i++) {
        memset(&threads[i], 0, sizeof threads[i]);
        threads[i].stop = &stop;
        assert_int_equal(pthread_create(&threads[i].thread, NULL, reader_main, &threads[i]), 0);
    }

    /* Two imports and regrades, all writing at once. */
    imp_a = spawn(err_a, args_a);
    imp_b = spawn(err_b, args_b);
    do {
        int raw;
        regrade = spawn(err_r, args_regrade);
        st_r = wait_status(regrade);
        if (st_r != 0) break;
        regrades++;
        if (!a_done && waitpid(imp_a, &raw, WNOHANG) == imp_a) {
            a_done = 1;
            st_a = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128;
        }
    } while (!a_done || regrades < 2);
    if (st_r != 0) {
        char *msg = slurp(err_r);
        print_error("regrade while importing: exit %d: %s\n", st_r, msg);
        free(msg);
        fail();
    }
    if (!a_done) st_a = wait_status(imp_a);
    st_b = wait_status(imp_b);

    /* Let the readers see the final state too, then stop them. */
    usleep(100 * 1000);
    stop = 1;
    {
        FILE *fp = fopen(stop_path, "w");
        assert_non_null(fp);
        fclose(fp);
    }
    for (int i = 0; i < N_READER_THREADS; i++) {
        pthread_join(threads[i].thread, NULL);
        if (threads[i].failed) {
            print_error("reader thread %d: %ld of %ld reads failed, first: %s\n", i,
                        threads[i].failed, threads[i].failed + threads[i].ok,
                        threads[i].first_error);
            fail();
        }
        thread_reads += threads[i].ok;
    }
    for (int i = 0; i < N_READER_PROCS; i++) {
        char result[400];
        char *text;
        char *end;
        long reads;
        /* The result file says how it went (its exit status may be a
         * checker's, e.g. valgrind's, rather than its own). */
        wait_status(procs[i]);
        snprintf(result, sizeof result, "%s/reader%d.result", tmpdir, i);
        text = slurp(result);
        reads = strtol(text, &end, 10);
        if (end == text || strcmp(end, " ok") != 0 || reads <= 0) {
            print_error("reader process %d: %s\n", i, text);
            free(text);
            fail();
        }
        proc_reads += reads;
        free(text);
    }
    if (st_a != 0 || st_b != 0) {
        char *a = slurp(err_a), *b = slurp(err_b);
        print_error("imports while others wrote and read: exit %d (%s) and %d (%s)\n", st_a, a,
                    st_b, b);
        free(a);
        free(b);
        fail();
    }
    /* Every file stored exactly once. */
    assert_int_equal(count_rows("SELECT count(*) FROM source"),
                     sources_before + 2 * (long long)files_per_dir);
    assert_int_equal(
        count_rows(
            "SELECT count(*) FROM (SELECT sha256 FROM source GROUP BY sha256 HAVING count(*) > 1)"),
        0);
    printf(
        "    2 imports of %zu files and %d regrades at once, while %ld reads by %d threads and %ld "
        "`whatworks query`/`show` runs by %d processes all succeeded\n",
        files_per_dir, regrades, thread_reads, N_READER_THREADS, proc_reads, N_READER_PROCS);
    assert_true(thread_reads > 0);
    assert_true(proc_reads > 0);
}

static void test_concurrency__writer_gives_up_clearly(void **state)
{
    sqlite3 *holder = NULL;
    char err_path[320], file[400];
    const char *args[] = {"import", file, NULL};
    static const char *const query[] = {"query", "truancy", "--format", "json", NULL};
    long long sources_before = count_rows("SELECT count(*) FROM source");
    double t0, waited;
    int st;
    char *msg;
    (void)state;

    snprintf(err_path, sizeof err_path, "%s/busy.err", tmpdir);
    snprintf(file, sizeof file, "%s/data/examples/housing-led-support.xml",
             test_env("WW_TOP", "."));
    /* Another connection takes the write lock and keeps it. */
    assert_int_equal(sqlite3_open_v2(db_path, &holder, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(holder, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);

    /* Readers are not held up by it. */
    t0 = now_s();
    st = wait_status(spawn(err_path, query));
    assert_int_equal(st, 0);
    assert_true(now_s() - t0 < 4.0);

    t0 = now_s();
    st = wait_status(spawn(err_path, args));
    waited = now_s() - t0;
    sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(holder);
    msg = slurp(err_path);
    if (st != 75 || !strstr(msg, "database is busy") || !strstr(msg, "gave up after 5000 ms")) {
        print_error("import against a held write lock: exit %d after %.1f s: %s\n", st, waited,
                    msg);
        free(msg);
        fail();
    }
    free(msg);
    /* It waited the busy timeout (5 s), and no longer than it needs to. */
    assert_true(waited >= 4.5);
    assert_true(waited < 15.0);
    assert_int_equal(count_rows("SELECT count(*) FROM source"), sources_before);
    printf("    import against a write lock held elsewhere: exit 75 after %.1f s, "
           "\"database is busy\", nothing written; a query meanwhile succeeded\n",
           waited);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrency__readers_while_writers_write),
        cmocka_unit_test(test_concurrency__writer_gives_up_clearly),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, setup, teardown);
}
