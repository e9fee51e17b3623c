/*
 * cmd_import.c — `whatworks import` and `whatworks validate`. Both take
 * files and directories (walked in name order, hidden entries skipped) and
 * handle each file on its own: a bad file is reported as FILE:LINE: field:
 * problem and skipped, the rest go on. import stores each good file in one
 * transaction; validate stores nothing. Exit 0 when every file was fine, 65
 * when any was rejected, or the status of the first other failure.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

typedef struct run {
    ww_db *db;
    ww_import_opts opts;
    int validate_only;
    int status;          /* exit status so far */
    int progress;        /* show progress on stderr (a terminal) */
    size_t imported, already, rejected, valid, failed;
} run;

static void note_status(run *r, int status)
{
    /* 65 (a rejected file) wins over "no such file" etc. only if nothing
     * worse happened first; keep the first non-zero status otherwise. */
    if (status && (!r->status || status == 65)) r->status = r->status && r->status != 65 ? r->status : status;
}

static void one_file(run *r, const char *path)
{
    ww_import_report *rep = NULL;
    int error = ww_import_file(&rep, r->validate_only ? NULL : r->db, path, &r->opts);
    if (rep) {
        ww_import_report_write(rep, error < 0 ? stderr : stdout);
        switch (ww_import_report_status(rep)) {
        case WW_IMPORT_IMPORTED: r->imported++; break;
        case WW_IMPORT_ALREADY: r->already++; break;
        case WW_IMPORT_VALID: r->valid++; break;
        case WW_IMPORT_REJECTED: r->rejected++; break;
        }
        ww_import_report_free(rep);
    } else {
        fprintf(stderr, "%s\n", ww_error_last());
        r->failed++;
    }
    if (error < 0) note_status(r, ww_error_exit_status(error));
}

static int skip_name(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

static void walk(run *r, const char *path, int depth)
{
    struct stat sb;
    struct dirent **names = NULL;
    int n;

    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        one_file(r, path);
        return;
    }
    if (depth > 32) {
        fprintf(stderr, "%s: directories nested too deeply; skipped\n", path);
        note_status(r, 66);
        return;
    }
    if ((n = scandir(path, &names, skip_name, alphasort)) < 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        note_status(r, 66);
        return;
    }
    if (n == 0 && depth == 0) {
        fprintf(stderr, "%s: directory holds no files to read\n", path);
        note_status(r, 66);
    }
    for (int i = 0; i < n; i++) {
        size_t len = strlen(path) + strlen(names[i]->d_name) + 2;
        char *child = malloc(len);
        if (child) {
            snprintf(child, len, "%s/%s", path, names[i]->d_name);
            if (r->progress) fprintf(stderr, "\r[%d/%d] %s\033[K", i + 1, n, names[i]->d_name);
            walk(r, child, depth + 1);
            free(child);
        }
        free(names[i]);
    }
    if (r->progress) fputs("\r\033[K", stderr);
    free(names);
}

static int usage_import(int validate)
{
    if (validate)
        puts("usage: whatworks validate [--format F] PATH...\n\n"
             "Check submissions (or any importable file) without storing anything.\n"
             "Every problem is printed as FILE:LINE: field: problem. Directories are\n"
             "walked. Exit 0 when all are valid, 65 when any is not.\n\n"
             "  --format F   read every file as format F instead of sniffing it\n"
             "               (submission)");
    else
        puts("usage: whatworks [--db PATH] import [--format F] [--dry-run] [--submitter NAME] PATH...\n\n"
             "Import files or directories. Each file is validated and stored in one\n"
             "transaction with its raw bytes and sha256; a file already imported is\n"
             "skipped with a note; a bad file is reported (FILE:LINE: field: problem)\n"
             "and nothing of it is stored, while the other files still import.\n"
             "Exit 0 when all went in, 65 when any file was rejected.\n\n"
             "  --format F       read every file as format F (submission) instead of sniffing\n"
             "  --dry-run        validate and count, store nothing\n"
             "  --submitter NAME recorded with each source");
    return 0;
}

static int import_or_validate(const cli_global *g, int argc, char **argv, int validate)
{
    run r;
    int first_path = 0, error;
    const char *cmd = validate ? "validate" : "import";

    memset(&r, 0, sizeof r);
    r.validate_only = validate;
    r.opts.dry_run = validate;
    r.progress = isatty(STDERR_FILENO);
    for (int i = 1; i < argc; i++) {
        if (first_path) continue;
        if (cli_is_help(argv[i])) return usage_import(validate);
        if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            r.opts.format = argv[++i];
        } else if (!validate && strcmp(argv[i], "--dry-run") == 0) {
            r.opts.dry_run = 1;
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

    if (!validate && (error = cli_open_db(&r.db, g, WW_DB_CREATE)) < 0) return cli_fail(error);
    for (int i = first_path; i < argc; i++) walk(&r, argv[i], 0);
    ww_db_close(r.db);

    fflush(stdout); /* the per-file reports before the summary */
    if (validate)
        fprintf(stderr, "%zu valid, %zu rejected%s\n", r.valid, r.rejected,
                r.failed ? ", some files could not be read" : "");
    else
        fprintf(stderr, "%zu imported, %zu already imported, %zu rejected%s%s\n", r.imported + r.valid,
                r.already, r.rejected, r.opts.dry_run ? " (dry run: nothing stored)" : "",
                r.failed ? ", some files could not be read" : "");
    return r.status;
}

int cmd_import(const cli_global *g, int argc, char **argv)
{
    return import_or_validate(g, argc, argv, 0);
}

int cmd_validate(const cli_global *g, int argc, char **argv)
{
    return import_or_validate(g, argc, argv, 1);
}
