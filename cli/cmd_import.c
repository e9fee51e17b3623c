/*
 * cmd_import.c — `whatworks import` and `whatworks validate`. Both take
 * files and directories (walked in name order, hidden entries skipped) and
 * handle each file on its own: a bad file is reported as FILE:LINE: field:
 * problem and skipped, the rest go on. import stores each good file in one
 * transaction; validate stores nothing. A file no importer recognises as
 * evidence (a README, a licence, a reference list) is skipped and listed
 * once in the summary; a skip is not a failure. On a terminal a progress
 * line shows files, bytes, rate and time left; a summary table ends the
 * run. Exit 65 when any file was rejected, else the status of the first
 * other failure (66 for a missing path, ...), else 0.
 *
 * import never creates a database unless --init is given, and opens none
 * before the options, the format and the paths have been checked: a usage
 * error, a missing file or a dry run (which needs no database at all)
 * leaves the disk as it was.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define MAX_DEPTH 32

typedef struct file_item {
    char *path;
    long long size; /* -1: could not stat (the import reports why) */
} file_item;

typedef struct run {
    ww_db *db;
    ww_import_opts opts;
    int validate_only;
    int progress; /* show progress on stderr (a terminal) */
    file_item *files;
    size_t n_files, alloc_files;
    int any_rejected;
    int first_failure; /* exit status of the first failure other than a rejection */
    size_t imported, already, rejected, valid, failed, skipped;
    /* the summary's "rejected with reason" and "skipped" rows */
    char **rejections;
    size_t n_rejections;
    char **skips;
    size_t n_skips;
} run;

static void note_failure(run *r, int status)
{
    if (status == 65) r->any_rejected = 1;
    else if (status && !r->first_failure) r->first_failure = status;
}

/* Append a copy of line to the list (a line lost to OOM is only not listed). */
static void keep_line(char ***list, size_t *n, const char *line)
{
    char **p = realloc(*list, (*n + 1) * sizeof *p);
    if (!p) return;
    *list = p;
    if ((p[*n] = strdup(line))) (*n)++;
}

static int add_file(run *r, const char *path, long long size)
{
    if (r->n_files == r->alloc_files) {
        size_t na = r->alloc_files ? r->alloc_files * 2 : 16;
        file_item *p = realloc(r->files, na * sizeof *p);
        if (!p) return -1;
        r->files = p;
        r->alloc_files = na;
    }
    if (!(r->files[r->n_files].path = strdup(path))) return -1;
    r->files[r->n_files++].size = size;
    return 0;
}

/* Hidden entries are skipped, and so are mapping files: each is read with
 * the data file it sits beside (data.csv.mapping with data.csv). */
static int skip_name(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    if (n > 8 && strcmp(d->d_name + n - 8, ".mapping") == 0) return 0;
    return d->d_name[0] != '.';
}

/* Gather the files under path (a missing path is kept: its import says so). */
static int gather(run *r, const char *path, int depth)
{
    struct stat sb;
    struct dirent **names = NULL;
    int n, error = 0;

    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return add_file(r, path, stat(path, &sb) == 0 ? (long long)sb.st_size : -1);
    if (depth > MAX_DEPTH) {
        fprintf(stderr, "%s: directories nested more than %d deep; skipped\n", path, MAX_DEPTH);
        note_failure(r, 66);
        return 0;
    }
    if ((n = scandir(path, &names, skip_name, alphasort)) < 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        note_failure(r, 66);
        return 0;
    }
    if (n == 0 && depth == 0) {
        fprintf(stderr, "%s: directory holds no files to read\n", path);
        note_failure(r, 66);
    }
    for (int i = 0; i < n; i++) {
        size_t len = strlen(path) + strlen(names[i]->d_name) + 2;
        char *child = malloc(len);
        if (!child) error = -1;
        if (!error) {
            snprintf(child, len, "%s/%s", path, names[i]->d_name);
            error = gather(r, child, depth + 1);
        }
        free(child);
        free(names[i]);
    }
    free(names);
    return error;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void show_progress(const run *r, size_t i, long long done_bytes, long long total_bytes,
                          double started)
{
    double elapsed = now_seconds() - started, rate = elapsed > 0 ? done_bytes / elapsed : 0;
    const char *name = strrchr(r->files[i].path, '/');
    fprintf(stderr, "\r\033[K[%zu/%zu files, %.1f/%.1f MB", i + 1, r->n_files, done_bytes / 1e6,
            total_bytes / 1e6);
    if (rate > 0 && done_bytes > 0)
        fprintf(stderr, ", %.1f MB/s, %.0f s left", rate / 1e6, (total_bytes - done_bytes) / rate);
    fprintf(stderr, "] %s", name ? name + 1 : r->files[i].path);
}

static void one_file(run *r, const char *path)
{
    ww_import_report *rep = NULL;
    int error = ww_import_file(&rep, r->validate_only ? NULL : r->db, path, &r->opts);
    if (r->progress) fputs("\r\033[K", stderr); /* the progress line gives way to the report */
    if (rep) {
        if (ww_import_report_status(rep) != WW_IMPORT_SKIPPED)
            ww_import_report_write(rep, error < 0 ? stderr : stdout);
        switch (ww_import_report_status(rep)) {
        case WW_IMPORT_SKIPPED: {
            char line[512];
            snprintf(line, sizeof line, "%s: not a recognised evidence format", path);
            keep_line(&r->skips, &r->n_skips, line);
            r->skipped++;
            break;
        }
        case WW_IMPORT_IMPORTED: r->imported++; break;
        case WW_IMPORT_ALREADY: r->already++; break;
        case WW_IMPORT_VALID: r->valid++; break;
        case WW_IMPORT_REJECTED: {
            const ww_diag *d = NULL;
            char line[512];
            /* the first error-level problem is the reason shown */
            for (size_t k = 0; k < ww_import_report_diag_count(rep) && !d; k++)
                if (!ww_import_report_diag(rep, k)->is_warning) d = ww_import_report_diag(rep, k);
            snprintf(line, sizeof line, "%s: %s%s%s", path, d && d->field[0] ? d->field : "",
                     d && d->field[0] ? ": " : "", d ? d->message : "rejected");
            keep_line(&r->rejections, &r->n_rejections, line);
            r->rejected++;
            break;
        }
        }
        ww_import_report_free(rep);
    } else {
        fprintf(stderr, "%s\n", ww_error_last());
        r->failed++;
    }
    if (error < 0) note_failure(r, ww_error_exit_status(error));
}

static void summary(const run *r)
{
    fprintf(stderr, "\n%-20s %6s\n", r->validate_only ? "validated" : "imported", "files");
    if (r->validate_only) {
        fprintf(stderr, "%-20s %6zu\n", "valid", r->valid);
    } else {
        fprintf(stderr, "%-20s %6zu%s\n", "imported", r->imported + r->valid,
                r->opts.dry_run ? "  (dry run: nothing stored)" : "");
        fprintf(stderr, "%-20s %6zu\n", "already present", r->already);
    }
    fprintf(stderr, "%-20s %6zu\n", "rejected", r->rejected);
    fprintf(stderr, "%-20s %6zu%s\n", "skipped", r->skipped, r->skipped ? "  (not evidence)" : "");
    if (r->failed) fprintf(stderr, "%-20s %6zu\n", "could not be read", r->failed);
    for (size_t i = 0; i < r->n_rejections; i++) fprintf(stderr, "  rejected: %s\n", r->rejections[i]);
    for (size_t i = 0; i < r->n_skips; i++) fprintf(stderr, "  skipped: %s\n", r->skips[i]);
    /* one machine-readable line, stable for scripts */
    if (r->validate_only)
        fprintf(stderr, "%zu valid, %zu rejected, %zu skipped%s\n", r->valid, r->rejected, r->skipped,
                r->failed ? ", some files could not be read" : "");
    else
        fprintf(stderr, "%zu imported, %zu already imported, %zu rejected, %zu skipped%s%s\n",
                r->imported + r->valid, r->already, r->rejected, r->skipped,
                r->opts.dry_run ? " (dry run: nothing stored)" : "",
                r->failed ? ", some files could not be read" : "");
}

static int usage_import(int validate)
{
    if (validate)
        puts("usage: whatworks validate [--format F] [--mapping FILE] PATH...\n\n"
             "Check submissions (or any importable file) without storing anything.\n"
             "Every problem is printed as FILE:LINE: field: problem, and a valid\n"
             "submission's provisional rigour grade with what would raise it.\n"
             "Directories are walked; a file that is not evidence (README, licence,\n"
             "reference list, data table) is skipped as \"not a recognised evidence\n"
             "format\". No database is opened. Exit 0 when all are valid (skips\n"
             "included), 65 when any is not, 66 when a path is missing.\n\n"
             "  --format F   read every file as format F instead of sniffing it\n"
             "               (submission, pilot-csv, revman, wwc-findings, wwc-studies,\n"
             "               wwc-intervention-reports, report, effect-table)\n"
             "  --mapping FILE  read the files through this mapping (effect-table;\n"
             "               default: FILE.mapping beside each FILE; docs/effect-tables.md)");
    else
        puts("usage: whatworks [--db PATH] import [--init] [--format F] [--mapping FILE] [--dry-run]\n"
             "                                [--submitter NAME] PATH...\n\n"
             "Import files or directories into an existing database (`whatworks init`\n"
             "makes one; --init makes it here). Each file is validated and stored in\n"
             "one transaction with its raw bytes and sha256; a file already imported\n"
             "is skipped with a note; a bad file is reported (FILE:LINE: field:\n"
             "problem) and nothing of it is stored, while the other files still\n"
             "import. A file no importer recognises as evidence (README, licence,\n"
             "reference list, data table; docs/reports.md) is skipped and listed once\n"
             "in the summary as \"FILE: not a recognised evidence format\". A coded\n"
             "effect-size table is read through its mapping file: data.csv.mapping\n"
             "beside data.csv (in a directory, mapping files are read with their\n"
             "tables, never on their own), or --mapping FILE (docs/effect-tables.md).\n"
             "On a terminal a progress line shows files, bytes, rate and time left.\n\n"
             "Exit 0 when every file went in or was skipped, 65 when any file was\n"
             "rejected, 64 for a bad option or --format, 66 for a missing path or no\n"
             "database (\"no database at PATH\"), 73 when the database may not be\n"
             "written (\"PATH: cannot write the database (permission denied)\").\n"
             "A usage error, a missing path or a dry run never creates or changes the\n"
             "database.\n\n"
             "  --init           create the database first if there is none\n"
             "  --format F       read every file as format F instead of sniffing\n"
             "                   (submission, pilot-csv, revman, wwc-findings, wwc-studies,\n"
             "                   wwc-intervention-reports, report, effect-table)\n"
             "  --mapping FILE   read the files through this mapping (effect-table)\n"
             "  --dry-run        validate and count, store nothing; needs no database\n"
             "  --replace        a submission of an evaluation already stored supersedes it\n"
             "                   (without it, a second copy is refused: exit 65)\n"
             "  --submitter NAME recorded with each source");
    return 0;
}

static int import_or_validate(const cli_global *g, int argc, char **argv, int validate)
{
    run r;
    int first_path = 0, error, init = 0, any_file = 0;
    const char *cmd = validate ? "validate" : "import";
    long long total = 0, done = 0;
    double started;

    memset(&r, 0, sizeof r);
    r.validate_only = validate;
    r.opts.dry_run = validate;
    r.progress = isatty(STDERR_FILENO);
    for (int i = 1; i < argc && !first_path; i++) {
        if (cli_is_help(argv[i])) return usage_import(validate);
        if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            r.opts.format = argv[++i];
        } else if (!validate && strcmp(argv[i], "--replace") == 0) {
            r.opts.replace = 1;
        } else if (!validate && strcmp(argv[i], "--dry-run") == 0) {
            r.opts.dry_run = 1;
        } else if (!validate && strcmp(argv[i], "--init") == 0) {
            init = 1;
        } else if (strcmp(argv[i], "--mapping") == 0 && i + 1 < argc) {
            r.opts.mapping = argv[++i];
        } else if (!validate && strcmp(argv[i], "--submitter") == 0 && i + 1 < argc) {
            r.opts.submitter = argv[++i];
        } else if (strcmp(argv[i], "--") == 0) {
            first_path = i + 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
        } else {
            first_path = i;
        }
    }
    if (!first_path || first_path >= argc) return cli_usage_error(cmd, "name at least one file or directory");
    if (r.opts.format && ww_import_format_check(r.opts.format) < 0)
        return cli_usage_error(cmd, "%s", ww_error_last());

    for (int i = first_path; i < argc; i++)
        if (gather(&r, argv[i], 0) < 0) return cli_fail(WW_ENOMEM);
    for (size_t i = 0; i < r.n_files; i++) {
        total += r.files[i].size > 0 ? r.files[i].size : 0;
        any_file |= r.files[i].size >= 0;
    }

    /* A dry run reads no database; a run with nothing to read opens none. */
    if (!validate && !r.opts.dry_run && any_file &&
        (error = cli_open_db(&r.db, g, init ? WW_DB_CREATE : 0)) < 0) {
        for (size_t i = 0; i < r.n_files; i++) free(r.files[i].path);
        free(r.files);
        if (error == WW_ENOTFOUND) {
            fprintf(stderr, "whatworks: no database at %s (run `whatworks init`, or pass --init)\n",
                    g->db_path);
            return ww_error_exit_status(error);
        }
        return cli_fail(error);
    }
    started = now_seconds();
    for (size_t i = 0; i < r.n_files; i++) {
        if (r.progress) show_progress(&r, i, done, total, started);
        if (!r.db && !r.opts.dry_run) {
            /* no database was opened: no path could be read; say why for each */
            int missing = errno = 0, status;
            struct stat sb;
            if (stat(r.files[i].path, &sb) != 0) missing = errno == ENOENT || errno == ENOTDIR;
            status = missing ? 66 : 74;
            fprintf(stderr, "%s: %s\n", r.files[i].path, missing ? "no such file" : strerror(errno));
            r.failed++;
            note_failure(&r, status);
            continue;
        }
        one_file(&r, r.files[i].path);
        fflush(stdout);
        done += r.files[i].size > 0 ? r.files[i].size : 0;
    }
    ww_db_close(r.db);

    summary(&r);
    for (size_t i = 0; i < r.n_files; i++) free(r.files[i].path);
    for (size_t i = 0; i < r.n_rejections; i++) free(r.rejections[i]);
    for (size_t i = 0; i < r.n_skips; i++) free(r.skips[i]);
    free(r.rejections);
    free(r.skips);
    free(r.files);
    return r.any_rejected ? 65 : r.first_failure;
}

int cmd_import(const cli_global *g, int argc, char **argv)
{
    return import_or_validate(g, argc, argv, 0);
}

int cmd_validate(const cli_global *g, int argc, char **argv)
{
    return import_or_validate(g, argc, argv, 1);
}
