/*
 * test_readonly.c — reading never writes, and import never makes what it
 * was not asked to make, checked with the real `whatworks` command:
 *   - a database queried by a user who may not write it: the database and
 *     its folder writable; the database read-only in a writable folder;
 *     neither writable; the database writable in a read-only folder; and a
 *     read-only database whose -wal holds an import not yet checkpointed.
 *     Every read command succeeds, the file's bytes do not change, and no
 *     -wal or -shm file is left where the reader may not write the file or
 *     its folder. Write commands say "cannot write the database" (73).
 *   - import without a database (66, nothing created), --init, a dry run
 *     (no file created, an existing one byte for byte the same), a bad
 *     --format and a missing file (nothing created), a mistyped --db for a
 *     read command (66), and files that are not evidence skipped.
 * As root the reader is `nobody` (or a system user made for the test); as
 * anyone else it is the user running the test, whom the file modes bind.
 */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[256], bin[300], base_db[300], examples[400];
static uid_t reader_uid;
static gid_t reader_gid;
static int have_reader;

typedef struct run_result {
    int status;
    char *out, *err;
} run_result;

static void run_free(run_result r)
{
    free(r.out);
    free(r.err);
}

/* Run bin with argv (NULL-terminated, argv[0] excluded) in cwd, as the
 * reader when as_reader, with WHATWORKS_DB unset. */
static run_result run_in(const char *cwd, int as_reader, const char *const *args)
{
    char outp[300], errp[300];
    const char *argv[32];
    run_result r;
    size_t n = 0;
    int st;
    pid_t pid;

    argv[n++] = bin;
    for (size_t i = 0; args[i] && n < 31; i++) argv[n++] = args[i];
    argv[n] = NULL;
    snprintf(outp, sizeof outp, "%s/run-out", tmpdir);
    snprintf(errp, sizeof errp, "%s/run-err", tmpdir);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY), out = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644),
            err = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || err < 0) _exit(126);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        unsetenv("WHATWORKS_DB");
        if (chdir(cwd) != 0) _exit(126);
        if (as_reader && reader_uid != getuid()) {
            if (setgroups(0, NULL) != 0 || setgid(reader_gid) != 0 || setuid(reader_uid) != 0)
                _exit(126);
        }
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    assert_int_equal(waitpid(pid, &st, 0), pid);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = test_slurp(outp);
    r.err = test_slurp(errp);
    return r;
}

#define RUN(cwd, as_reader, ...) run_in(cwd, as_reader, (const char *const[]){__VA_ARGS__, NULL})

/* Fail with the command's output when its status is not want. */
static void expect_status(run_result r, int want, const char *what)
{
    if (r.status != want) {
        print_error("%s: exit %d, want %d\nstdout: %.2000s\nstderr: %.2000s\n", what, r.status,
                    want, r.out, r.err);
        fail();
    }
}

static void expect_in(const char *text, const char *part, const char *what)
{
    if (!strstr(text, part)) {
        print_error("%s: no \"%s\" in:\n%.3000s\n", what, part, text);
        fail();
    }
}

static int exists(const char *dir, const char *name)
{
    char path[400];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &sb) == 0;
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
    char buf[65536];
    ssize_t n;
    int in = open(from, O_RDONLY), out;
    assert_true(in >= 0);
    out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(out >= 0);
    while ((n = read(in, buf, sizeof buf)) > 0) assert_int_equal(write(out, buf, (size_t)n), n);
    close(in);
    close(out);
    assert_int_equal(chmod(to, mode), 0);
}

/* The whole file, for byte comparisons (NULL when it does not exist). */
static char *bytes_of(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    char *data;
    long len;
    if (!fp) return NULL;
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    rewind(fp);
    data = malloc((size_t)len + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    *size = (size_t)len;
    return data;
}

static void assert_same_bytes(const char *path, const char *want, size_t want_size)
{
    size_t size = 0;
    char *got = bytes_of(path, &size);
    assert_non_null(got);
    if (size != want_size || memcmp(got, want, size) != 0) {
        print_error("%s changed (%zu bytes, was %zu)\n", path, size, want_size);
        free(got);
        fail();
    }
    free(got);
}

/* The user who reads: nobody (or a made one) as root, else ourselves. */
static void find_reader(void)
{
    struct passwd *pw;
    if (getuid() != 0) {
        reader_uid = getuid();
        reader_gid = getgid();
        have_reader = 1;
        return;
    }
    if (!(pw = getpwnam("nobody"))) {
        if (system("useradd --system --no-create-home --shell /usr/sbin/nologin whatworks-reader "
                   ">/dev/null 2>&1") == 0)
            pw = getpwnam("whatworks-reader");
    }
    if (pw && pw->pw_uid != 0) {
        reader_uid = pw->pw_uid;
        reader_gid = pw->pw_gid;
        have_reader = 1;
    }
}

static int setup(void **state)
{
    char src[512];
    run_result r;
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ww-test-readonly-XXXXXX");
    if (!mkdtemp(tmpdir) || chmod(tmpdir, 0755) != 0) return -1;
    /* a copy of the binary the reader can surely run */
    snprintf(bin, sizeof bin, "%s/whatworks", tmpdir);
    snprintf(src, sizeof src, "%s", test_env("WW_BIN", "build/whatworks"));
    copy_file(src, bin, 0755);
    snprintf(examples, sizeof examples, "%s/data/examples", test_env("WW_TOP", "."));
    find_reader();
    /* the database every permission case starts from: one example pilot */
    snprintf(base_db, sizeof base_db, "%s/base.db", tmpdir);
    snprintf(src, sizeof src, "%s/attendance-mentoring.xml", examples);
    r = RUN(tmpdir, 0, "--db", base_db, "import", "--init", src);
    if (r.status != 0) {
        fprintf(stderr, "setup: import --init exited %d: %s\n", r.status, r.err);
        run_free(r);
        return -1;
    }
    run_free(r);
    return exists(tmpdir, "base.db-wal") ? -1 : 0;
}

static int teardown(void **state)
{
    char cmd[600];
    (void)state;
    snprintf(cmd, sizeof cmd, "chmod -R u+rwX '%s' && rm -rf '%s'", tmpdir, tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void need_reader(void)
{
    if (!have_reader) {
        print_message(
            "    skipped: running as root and no unprivileged user exists or can be made\n");
        skip();
    }
}

/* A folder holding a copy of the base database, with these modes. */
static void make_case(char *dir, size_t dsize, char *db, size_t bsize, const char *name,
                      mode_t db_mode, mode_t dir_mode)
{
    snprintf(dir, dsize, "%s/%s", tmpdir, name);
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(db, bsize, "%s/ww.db", dir);
    copy_file(base_db, db, db_mode);
    assert_int_equal(chmod(dir, dir_mode), 0);
}

/* Every read command, as the reader, succeeds and reads the evidence. */
static void read_commands_work(const char *dir, const char *db, const char *what)
{
    run_result r;
    char label[200];

    snprintf(label, sizeof label, "%s: query", what);
    r = RUN(dir, 1, "--db", db, "query", "truancy", "--format", "json", "--include-provisional");
    expect_status(r, 0, label);
    expect_in(r.out, "attendance-mentoring-illustrative-example", label);
    run_free(r);
    snprintf(label, sizeof label, "%s: show", what);
    r = RUN(dir, 1, "--db", db, "show", "attendance-mentoring-illustrative-example", "--format",
            "json");
    expect_status(r, 0, label);
    expect_in(r.out, "whatworks/intervention/1", label);
    run_free(r);
    snprintf(label, sizeof label, "%s: issues", what);
    r = RUN(dir, 1, "--db", db, "issues", "--format", "json");
    expect_status(r, 0, label);
    expect_in(r.out, "whatworks/issues/1", label);
    run_free(r);
    snprintf(label, sizeof label, "%s: grade", what);
    r = RUN(dir, 1, "--db", db, "grade", "1", "--format", "json");
    expect_status(r, 0, label);
    expect_in(r.out, "whatworks/grade/1", label);
    run_free(r);
    snprintf(label, sizeof label, "%s: case", what);
    r = RUN(dir, 1, "--db", db, "case", "attendance-mentoring-illustrative-example", "--draws",
            "100", "--format", "json");
    expect_status(r, 0, label);
    expect_in(r.out, "whatworks/case/1", label);
    run_free(r);
}

/* Write commands, as the reader, refuse with 73 and the reason. */
static void write_commands_refuse(const char *dir, const char *db, const char *reason,
                                  const char *what)
{
    char file[450], label[200], want[450];
    run_result r;
    snprintf(file, sizeof file, "%s/employment-coaching.xml", examples);
    snprintf(want, sizeof want, "%s: cannot write the database (%s", db, reason);
    snprintf(label, sizeof label, "%s: import", what);
    r = RUN(dir, 1, "--db", db, "import", file);
    expect_status(r, 73, label);
    expect_in(r.err, want, label);
    run_free(r);
    snprintf(label, sizeof label, "%s: regrade", what);
    r = RUN(dir, 1, "--db", db, "regrade", "--format", "json");
    expect_status(r, 73, label);
    expect_in(r.err, want, label);
    run_free(r);
    snprintf(label, sizeof label, "%s: init", what);
    r = RUN(dir, 1, "--db", db, "init");
    expect_status(r, 73, label);
    expect_in(r.err, want, label);
    run_free(r);
}

static void test_readonly__database_and_folder_writable(void **state)
{
    char dir[320], db[340];
    char *before;
    size_t size;
    (void)state;
    need_reader();
    make_case(dir, sizeof dir, db, sizeof db, "writable", 0666, 0777);
    before = bytes_of(db, &size);
    read_commands_work(dir, db, "writable");
    /* the file itself is never written by reading */
    assert_same_bytes(db, before, size);
    free(before);
}

static void test_readonly__database_readonly_folder_writable(void **state)
{
    char dir[320], db[340];
    char *before;
    size_t size;
    (void)state;
    need_reader();
    make_case(dir, sizeof dir, db, sizeof db, "db-readonly", 0444, 0777);
    before = bytes_of(db, &size);
    read_commands_work(dir, db, "database read-only");
    assert_same_bytes(db, before, size);
    /* nothing the reader could leave behind for the owner to trip on */
    assert_false(exists(dir, "ww.db-wal"));
    assert_false(exists(dir, "ww.db-shm"));
    write_commands_refuse(dir, db, "permission denied", "database read-only");
    assert_same_bytes(db, before, size);
    free(before);
}

static void test_readonly__neither_writable(void **state)
{
    char dir[320], db[340];
    char *before;
    size_t size;
    (void)state;
    need_reader();
    make_case(dir, sizeof dir, db, sizeof db, "neither", 0444, 0555);
    before = bytes_of(db, &size);
    read_commands_work(dir, db, "neither writable");
    assert_same_bytes(db, before, size);
    assert_false(exists(dir, "ww.db-wal"));
    assert_false(exists(dir, "ww.db-shm"));
    {
        /* through a symbolic link in a writable folder: the folder that
         * counts is the one SQLite would use, the file's own */
        char links[320], link[340];
        run_result r;
        snprintf(links, sizeof links, "%s/links", tmpdir);
        assert_int_equal(mkdir(links, 0777), 0);
        assert_int_equal(chmod(links, 0777), 0);
        snprintf(link, sizeof link, "%s/link.db", links);
        assert_int_equal(symlink(db, link), 0);
        r = RUN(links, 1, "--db", "link.db", "query", "truancy", "--format", "json", "--include-provisional");
        expect_status(r, 0, "query through a symbolic link");
        run_free(r);
        assert_false(exists(links, "link.db-wal"));
        assert_false(exists(links, "link.db-shm"));
        assert_false(exists(dir, "ww.db-wal"));
    }
    write_commands_refuse(dir, db, "permission denied", "neither writable");
    free(before);
}

static void test_readonly__folder_readonly(void **state)
{
    char dir[320], db[340];
    char *before;
    size_t size;
    (void)state;
    need_reader();
    make_case(dir, sizeof dir, db, sizeof db, "folder-readonly", 0666, 0555);
    before = bytes_of(db, &size);
    read_commands_work(dir, db, "folder read-only");
    assert_same_bytes(db, before, size);
    assert_false(exists(dir, "ww.db-wal"));
    assert_false(exists(dir, "ww.db-shm"));
    /* a writer needs the folder for the -wal and -shm files */
    write_commands_refuse(dir, db, "permission denied on its folder", "folder read-only");
    free(before);
}

/* The owner's import is committed to the -wal but not yet checkpointed
 * into the file: a reader who may write neither still sees it. */
static void test_readonly__commits_still_in_the_wal(void **state)
{
    char dir[320], db[340], file[450];
    ww_db *owner = NULL;
    ww_import_report *rep = NULL;
    run_result r;
    (void)state;
    need_reader();
    make_case(dir, sizeof dir, db, sizeof db, "wal", 0644, 0755);
    snprintf(file, sizeof file, "%s/employment-coaching.xml", examples);
    assert_ww_ok(ww_db_open(&owner, db, 0));
    assert_ww_ok(ww_import_file(&rep, owner, file, NULL));
    assert_int_equal(ww_import_report_status(rep), WW_IMPORT_IMPORTED);
    ww_import_report_free(rep);
    assert_true(exists(dir, "ww.db-wal"));
    /* the owner's connection stays open; now the reader may write nothing */
    assert_int_equal(chmod(db, 0444), 0);
    assert_int_equal(chmod(dir, 0555), 0);
    r = RUN(dir, 1, "--db", db, "show", "intensive-employment-coaching-illustrative-example",
            "--format", "json");
    expect_status(r, 0, "show, with the import in the -wal");
    run_free(r);
    r = RUN(dir, 1, "--db", db, "query", "truancy", "--format", "json", "--include-provisional");
    expect_status(r, 0, "query, with the import in the -wal");
    run_free(r);
    assert_int_equal(chmod(dir, 0755), 0);
    ww_db_close(owner);
}

/* ---- import never makes what it was not asked to ------------------------ */

static void fresh_dir(char *dir, size_t size, const char *name)
{
    snprintf(dir, size, "%s/%s", tmpdir, name);
    assert_int_equal(mkdir(dir, 0755), 0);
}

static void test_readonly__import_needs_a_database(void **state)
{
    char dir[320], file[450];
    run_result r;
    (void)state;
    fresh_dir(dir, sizeof dir, "no-db");
    snprintf(file, sizeof file, "%s/attendance-mentoring.xml", examples);

    /* the default ./whatworks.db, not there: 66, nothing created */
    r = RUN(dir, 0, "import", file);
    expect_status(r, 66, "import without a database");
    expect_in(r.err, "no database at whatworks.db (run `whatworks init`, or pass --init)",
              "import without a database");
    run_free(r);
    assert_false(exists(dir, "whatworks.db"));

    /* a bad --format: 64 before anything is opened */
    r = RUN(dir, 0, "import", "--format", "no-such-format", file);
    expect_status(r, 64, "import --format no-such-format");
    expect_in(r.err, "unknown format 'no-such-format'", "import --format no-such-format");
    run_free(r);
    r = RUN(dir, 0, "import", "--init", "--format", "no-such-format", file);
    expect_status(r, 64, "import --init --format no-such-format");
    run_free(r);
    assert_false(exists(dir, "whatworks.db"));

    /* a missing file: 66, with or without --init */
    r = RUN(dir, 0, "import", "/no/such/file.xml");
    expect_status(r, 66, "import of a missing file");
    expect_in(r.err, "/no/such/file.xml: no such file", "import of a missing file");
    run_free(r);
    r = RUN(dir, 0, "import", "--init", "/no/such/file.xml");
    expect_status(r, 66, "import --init of a missing file");
    run_free(r);
    assert_false(exists(dir, "whatworks.db"));

    /* a dry run needs no database and makes none */
    r = RUN(dir, 0, "import", "--dry-run", examples);
    expect_status(r, 0, "import --dry-run");
    expect_in(r.err,
              "5 imported, 0 already imported, 0 rejected, 0 skipped (dry run: nothing stored)",
              "import --dry-run");
    run_free(r);
    assert_false(exists(dir, "whatworks.db"));
    assert_false(exists(dir, "whatworks.db-wal"));

    /* --init makes it */
    r = RUN(dir, 0, "import", "--init", file);
    expect_status(r, 0, "import --init");
    expect_in(r.out, "attendance-mentoring.xml: imported (submission)", "import --init");
    run_free(r);
    assert_true(exists(dir, "whatworks.db"));
}

static void test_readonly__dry_run_changes_nothing(void **state)
{
    char dir[320], db[340], file[450];
    char *before;
    size_t size;
    run_result r;
    (void)state;
    fresh_dir(dir, sizeof dir, "dry-run");
    snprintf(db, sizeof db, "%s/ww.db", dir);
    copy_file(base_db, db, 0644);
    before = bytes_of(db, &size);
    snprintf(file, sizeof file, "%s/employment-coaching.xml", examples);
    r = RUN(dir, 0, "--db", db, "import", "--dry-run", file, examples);
    expect_status(r, 0, "import --dry-run into a database");
    expect_in(r.err, "(dry run: nothing stored)", "import --dry-run into a database");
    run_free(r);
    assert_same_bytes(db, before, size);
    assert_false(exists(dir, "ww.db-wal"));
    assert_false(exists(dir, "ww.db-shm"));
    free(before);
}

static void test_readonly__mistyped_db(void **state)
{
    static const char *const reads[][6] = {
        {"query", "truancy", NULL},
        {"show", "attendance-mentoring-illustrative-example", NULL},
        {"issues", NULL},
        {"grade", "1", NULL},
        {"case", "attendance-mentoring-illustrative-example", NULL},
    };
    char dir[320];
    (void)state;
    fresh_dir(dir, sizeof dir, "typo");
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        const char *args[10] = {"--db", "wahtworks.db"};
        size_t n = 2;
        run_result r;
        for (size_t k = 0; reads[i][k]; k++) args[n++] = reads[i][k];
        args[n] = NULL;
        r = run_in(dir, 0, args);
        expect_status(r, 66, reads[i][0]);
        expect_in(r.err, "no database at wahtworks.db", reads[i][0]);
        run_free(r);
        assert_false(exists(dir, "wahtworks.db"));
    }
}

/* Reference lists and a README: skipped once each, nothing stored, exit 0. */
static void test_readonly__not_evidence_is_skipped(void **state)
{
    char dir[320], db[340], refs[400], readme[400];
    sqlite3 *sql = NULL;
    sqlite3_stmt *st = NULL;
    run_result r;
    struct stat sb;
    (void)state;
    SHARED_PATH(refs, "references");
    SHARED_PATH(readme, "wwc/wwc_ReadMe.txt");
    if (stat(refs, &sb) != 0 || stat(readme, &sb) != 0) {
        print_message("    skipped: the shared data (WW_SHARED_DATA) is not here\n");
        skip();
    }
    fresh_dir(dir, sizeof dir, "skips");
    snprintf(db, sizeof db, "%s/ww.db", dir);
    copy_file(base_db, db, 0644);
    r = RUN(dir, 0, "--db", db, "import", refs, readme);
    expect_status(r, 0, "import of what is not evidence");
    assert_null(strstr(r.out, ": imported"));
    assert_null(strstr(r.err, "rejected:"));
    expect_in(r.err, "wwc_ReadMe.txt: not a recognised evidence format", "the README");
    expect_in(r.err, "PubMed_example.txt: not a recognised evidence format", "PubMed");
    expect_in(r.err, "Scopus_bib_example.bib: not a recognised evidence format", "BibTeX");
    expect_in(r.err, "0 imported, 0 already imported, 0 rejected, 7 skipped", "the summary");
    {
        /* listed once */
        const char *first = strstr(r.err, "wwc_ReadMe.txt: not a recognised");
        assert_null(strstr(first + 1, "wwc_ReadMe.txt: not a recognised"));
    }
    run_free(r);
    /* nothing stored: still the one source of the base */
    assert_int_equal(sqlite3_open_v2(db, &sql, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(sql, "SELECT count(*) FROM source", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    sqlite3_close(sql);

    /* validate agrees */
    r = RUN(dir, 0, "validate", readme);
    expect_status(r, 0, "validate of a README");
    expect_in(r.err, "0 valid, 0 rejected, 1 skipped", "validate of a README");
    run_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readonly__database_and_folder_writable),
        cmocka_unit_test(test_readonly__database_readonly_folder_writable),
        cmocka_unit_test(test_readonly__neither_writable),
        cmocka_unit_test(test_readonly__folder_readonly),
        cmocka_unit_test(test_readonly__commits_still_in_the_wal),
        cmocka_unit_test(test_readonly__import_needs_a_database),
        cmocka_unit_test(test_readonly__dry_run_changes_nothing),
        cmocka_unit_test(test_readonly__mistyped_db),
        cmocka_unit_test(test_readonly__not_evidence_is_skipped),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, setup, teardown);
}
