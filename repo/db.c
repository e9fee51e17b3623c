/*
 * db.c — opening and closing the database, SQLite error translation, and
 * loading the presenting-issue taxonomy that is compiled into the library.
 * Every connection runs in WAL mode (readers keep reading while an import
 * writes), with foreign keys on and a bounded busy timeout, and has the
 * `wwvariants` tokenizer the full-text index is built with (variants.c).
 *
 * Reading never writes. A read-only open (WW_DB_READONLY) is a
 * SQLITE_OPEN_READONLY connection, and when this user may not write the
 * database file or its folder it is also `immutable=1` unless the -wal file
 * holds commits not yet checkpointed: a read-only reader in WAL mode would
 * otherwise make -wal and -shm files (and, when they cannot be made, fail
 * with "attempt to write a readonly database"), and files a reader leaves
 * behind, owned by the reader, can stop the owner's next import. A write
 * open checks first that the file and its folder are writable, so the
 * refusal names the cause instead of SQLite's "readonly database".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "repo_int.h"

#define BUSY_TIMEOUT_MS 5000

extern const unsigned char ww__embedded_issues_tsv[];
extern const size_t ww__embedded_issues_tsv_len;

int ww_repo__sqlite_error(sqlite3 *sql, int rc, const char *what)
{
    const char *msg = sql ? sqlite3_errmsg(sql) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ww__error(WW_EBUSY, "%s: database is busy (gave up after %d ms): %s", what,
                         BUSY_TIMEOUT_MS, msg);
    case SQLITE_NOMEM: return ww__error_oom();
    case SQLITE_READONLY:
        return ww__error(WW_ECANTCREATE, "%s: cannot write the database (%s)", what, msg);
    case SQLITE_FULL:
    case SQLITE_IOERR:
        return ww__error(WW_EIO, "%s: %s", what, msg);
    case SQLITE_CANTOPEN: return ww__error(WW_ECANTCREATE, "%s: %s", what, msg);
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        return ww__error(WW_EDATA, "%s: not a whatworks database (%s)", what, msg);
    default: return ww__error(WW_ERROR, "%s: %s", what, msg);
    }
}

int ww_repo__exec(ww_db *db, const char *sql)
{
    int rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : ww_repo__sqlite_error(db->sql, rc, db->path);
}

int ww_repo__prepare(sqlite3_stmt **out, ww_db *db, const char *sql)
{
    ww_stmt_slot *free_slot = NULL;
    int rc;
    for (int i = 0; i < WW_STMT_CACHE; i++) {
        ww_stmt_slot *sl = &db->slots[i];
        if (sl->sql == sql && !sl->in_use) {
            sl->in_use = 1;
            *out = sl->st;
            return 0;
        }
        if (!sl->sql && !free_slot) free_slot = sl;
    }
    rc = sqlite3_prepare_v3(db->sql, sql, -1, free_slot ? SQLITE_PREPARE_PERSISTENT : 0, out, NULL);
    if (rc != SQLITE_OK) {
        *out = NULL;
        return ww_repo__sqlite_error(db->sql, rc, db->path);
    }
    if (free_slot) {
        free_slot->sql = sql;
        free_slot->st = *out;
        free_slot->in_use = 1;
    }
    return 0;
}

void ww_repo__release(ww_db *db, sqlite3_stmt *st)
{
    if (!st) return;
    for (int i = 0; i < WW_STMT_CACHE; i++) {
        if (db->slots[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            db->slots[i].in_use = 0;
            return;
        }
    }
    sqlite3_finalize(st);
}

const char *ww_repo__col_text(sqlite3_stmt *st, int col, ww_arena *arena)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    if (!t) return NULL;
    return ww_arena__strndup(arena, (const char *)t, (size_t)sqlite3_column_bytes(st, col));
}

/* A database we did not create has tables but no user_version. */
static int check_ours(ww_db *db)
{
    sqlite3_stmt *st = NULL;
    int error, version, foreign = 0;
    if ((error = ww_repo__prepare(&st, db, "PRAGMA user_version")) < 0) return error;
    if (sqlite3_step(st) != SQLITE_ROW) {
        error = ww_repo__sqlite_error(db->sql, sqlite3_errcode(db->sql), db->path);
        ww_repo__release(db, st);
        return error;
    }
    version = sqlite3_column_int(st, 0);
    ww_repo__release(db, st);
    if (version != 0) return 0;
    if ((error = ww_repo__prepare(&st, db,
                                  "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'")) < 0)
        return error;
    if (sqlite3_step(st) == SQLITE_ROW) foreign = sqlite3_column_int(st, 0) > 0;
    ww_repo__release(db, st);
    if (foreign)
        return ww__error(WW_EDATA, "%s: not a whatworks database (it has other tables)", db->path);
    return 0;
}

/* Why this user may not write path: "" when they may (effective ids, as
 * the kernel checks them on open). */
static const char *cannot_write(const char *path)
{
    if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0) return "";
    switch (errno) {
    case EACCES:
    case EPERM: return "permission denied";
    case EROFS: return "read-only file system";
    default: return strerror(errno);
    }
}

/* The folder that holds path, into dir ("." for a bare name). */
static void folder_of(char *dir, size_t size, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(dir, size, ".");
    else if (slash == path) snprintf(dir, size, "/");
    else snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

/* 1 when path's -wal file holds frames: commits that may not be in the main
 * file yet, which an immutable reader would not see. */
static int wal_has_frames(const char *path)
{
    char wal[PATH_MAX + 8];
    struct stat sb;
    snprintf(wal, sizeof wal, "%s-wal", path);
    return stat(wal, &sb) == 0 && sb.st_size > 0;
}

/* "file:" URI for path (as realpath() gives it, so never "//authority")
 * with immutable=1, or NULL on OOM. The characters a URI gives meaning to
 * are escaped. */
static char *immutable_uri(const char *src)
{
    char *uri, *p;
    size_t n = strlen(src);
    if (!(uri = malloc(5 + 3 * n + sizeof "?immutable=1"))) return NULL;
    p = uri + snprintf(uri, 6, "file:");
    for (const char *c = src; *c; c++) {
        if (*c == '%' || *c == '?' || *c == '#')
            p += snprintf(p, 4, "%%%02X", (unsigned)(unsigned char)*c);
        else
            *p++ = *c;
    }
    memcpy(p, "?immutable=1", sizeof "?immutable=1");
    return uri;
}

int ww_db_open(ww_db **out, const char *path, unsigned flags)
{
    ww_db *db = NULL;
    struct stat sb;
    char real[PATH_MAX], dir[PATH_MAX], *uri = NULL;
    const char *why;
    int rc, error = 0, oflags, exists;

    *out = NULL;
    if (!path || !*path) return ww__error(WW_EUSAGE, "no database path given");
    if (strlen(path) >= PATH_MAX) return ww__error(WW_EUSAGE, "the database path is too long");
    /* SQLite keeps the -wal and -shm beside the file a symbolic link names,
     * so that is the folder that counts. */
    exists = stat(path, &sb) == 0;
    if (!exists || !realpath(path, real)) snprintf(real, sizeof real, "%s", path);
    folder_of(dir, sizeof dir, real);
    if (!exists) {
        if (!(flags & WW_DB_CREATE) || (flags & WW_DB_READONLY))
            return ww__error(WW_ENOTFOUND, "no database at %s (run `whatworks init`)", path);
        if (*(why = cannot_write(dir)))
            return ww__error(WW_ECANTCREATE, "%s: cannot create the database (%s)", path, why);
    } else if (S_ISDIR(sb.st_mode)) {
        return ww__error(WW_ECANTCREATE, "%s: is a directory, not a database file", path);
    } else if (!(flags & WW_DB_READONLY)) {
        /* A writer needs the file, and the folder for the -wal and -shm
         * files (and the journal while the schema is migrated). */
        if (*(why = cannot_write(path)))
            return ww__error(WW_ECANTCREATE, "%s: cannot write the database (%s)", path, why);
        if (*(why = cannot_write(dir)))
            return ww__error(WW_ECANTCREATE,
                             "%s: cannot write the database (%s on its folder %s, which holds "
                             "its -wal and -shm files)",
                             path, why, dir);
    }

    if (!(db = calloc(1, sizeof *db)) || !(db->path = strdup(path))) {
        free(db);
        return ww__error_oom();
    }
    db->flags = flags;
    oflags = (flags & WW_DB_READONLY) ? SQLITE_OPEN_READONLY
                                      : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if ((flags & WW_DB_READONLY) && !wal_has_frames(real) &&
        (*cannot_write(real) || *cannot_write(dir))) {
        /* Nothing this reader could make or lock: read the file as it is. */
        if (!(uri = immutable_uri(real))) {
            ww_db_close(db);
            return ww__error_oom();
        }
        oflags |= SQLITE_OPEN_URI;
    }
    rc = sqlite3_open_v2(uri ? uri : path, &db->sql, oflags | SQLITE_OPEN_NOMUTEX, NULL);
    free(uri);
    if (rc != SQLITE_OK) {
        error = ww_repo__sqlite_error(db->sql, rc, path);
        goto done;
    }
    sqlite3_extended_result_codes(db->sql, 1);
    sqlite3_busy_timeout(db->sql, BUSY_TIMEOUT_MS);
    /* Before anything reads or writes the index. */
    if ((error = ww_repo__register_tokenizer(db->sql, path)) < 0) goto done;
    if ((error = check_ours(db)) < 0) goto done;
    if (!(flags & WW_DB_READONLY)) {
        /* WAL so readers never block on an import; NORMAL sync is still
         * atomic in WAL mode (a crash loses at most the last commit, never
         * consistency). */
        if ((error = ww_repo__exec(db, "PRAGMA journal_mode=WAL")) < 0) goto done;
        if ((error = ww_repo__exec(db, "PRAGMA synchronous=NORMAL")) < 0) goto done;
    }
    if ((error = ww_repo__exec(db, "PRAGMA foreign_keys=ON")) < 0) goto done;
    if (flags & WW_DB_READONLY) {
        int version = ww_db_schema_version(db);
        if (version < 0)
            error = ww_repo__sqlite_error(db->sql, sqlite3_errcode(db->sql), path);
        else if (version != WW_SCHEMA_VERSION)
            error = ww__error(WW_EDATA, "%s: schema version %d, this whatworks needs %d (run `whatworks init`)",
                              path, version, WW_SCHEMA_VERSION);
        else if ((error = ww_repo__vocabulary_current(db)) == 0)
            /* An index tokenized with another variant table would match
             * some spellings and not others. */
            error = ww__error(WW_EDATA,
                              "%s: built with an older taxonomy or variant table (run `whatworks init` "
                              "to re-index)",
                              path);
        else if (error > 0)
            error = 0;
    } else {
        error = ww_repo__migrate(db);
    }
    /* Last, after every pragma that expires prepared statements. */
    if (error == 0) {
        rc = sqlite3_prepare_v3(db->sql, "ROLLBACK", -1, SQLITE_PREPARE_PERSISTENT, &db->rollback, NULL);
        if (rc != SQLITE_OK) error = ww_repo__sqlite_error(db->sql, rc, path);
    }
done:
    if (error < 0) {
        ww_db_close(db);
        return error;
    }
    *out = db;
    return 0;
}

int ww_repo__reconnect(ww_db *db)
{
    ww_db *fresh = NULL, old;
    char saved[1024];
    int error;
    snprintf(saved, sizeof saved, "%s", ww_error_last());
    if ((error = ww_db_open(&fresh, db->path, db->flags & ~(unsigned)WW_DB_CREATE)) < 0) return error;
    /* Swap everything that belongs to a connection (its statements too),
     * then close the old one. */
    old = *db;
    *db = *fresh;
    *fresh = old;
    ww_db_close(fresh);
    db->reconnect = 0;
    if (saved[0]) ww__error(WW_OK, "%s", saved);
    return 0;
}

void ww_repo__rollback(ww_db *db)
{
    if (sqlite3_get_autocommit(db->sql)) return;
    if (db->rollback) {
        sqlite3_step(db->rollback);
        sqlite3_reset(db->rollback);
    } else {
        sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
    }
}

void ww_db_close(ww_db *db)
{
    if (!db) return;
    sqlite3_finalize(db->rollback);
    for (int i = 0; i < WW_STMT_CACHE; i++) sqlite3_finalize(db->slots[i].st);
    ww_repo__chain_free(db->chain);
    sqlite3_close_v2(db->sql);
    free(db->path);
    free(db);
}

int ww_db_schema_version(ww_db *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (ww_repo__prepare(&st, db, "PRAGMA user_version") < 0) return -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
    ww_repo__release(db, st);
    return v;
}

/* Split s at the first c: returns the rest (after c) or NULL. */
static char *cut(char *s, char c)
{
    char *p = strchr(s, c);
    if (!p) return NULL;
    *p = '\0';
    return p + 1;
}

int ww_repo__version_line(const char *line)
{
    const char *p = strstr(line, "version ");
    long v = 0;
    if (!p || line[0] != '#') return 0;
    for (p += 8; *p >= '0' && *p <= '9' && v < 1000000; p++) v = v * 10 + (*p - '0');
    return (int)v;
}

int ww_repo__taxonomy_version(void)
{
    char first[128];
    size_t n = strcspn((const char *)ww__embedded_issues_tsv, "\n");
    if (n >= sizeof first) n = sizeof first - 1;
    memcpy(first, ww__embedded_issues_tsv, n);
    first[n] = '\0';
    return ww_repo__version_line(first);
}

static int step_done(ww_db *db, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ww_repo__sqlite_error(db->sql, rc, "taxonomy");
}

/* A search term, with its normalised key (the index's tokens of it). */
static int insert_term(ww_db *db, sqlite3_stmt *ins_term, ww_buf *norm, sqlite3_int64 id, const char *term,
                       int lineno)
{
    int error;
    if ((error = ww_repo__normalise(norm, db, term)) < 0) return error;
    if (!norm->size)
        return ww__error(WW_ERROR, "data/issues.tsv:%d: term '%s' has no searchable word", lineno, term);
    sqlite3_bind_int64(ins_term, 1, id);
    sqlite3_bind_text(ins_term, 2, term, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins_term, 3, norm->data, (int)norm->size, SQLITE_STATIC);
    return step_done(db, ins_term);
}

/* data/issues.tsv: slug, parent, label, domains, terms, outcome-measure
 * patterns (see the file and docs/taxonomy.md). */
int ww_repo__load_taxonomy(ww_db *db)
{
    char *text = NULL, *line, *next;
    sqlite3_stmt *ins_issue = NULL, *ins_term = NULL, *ins_pattern = NULL, *set_parent = NULL;
    ww_buf norm = WW_BUF_INIT;
    int error, lineno = 0;

    if (!(text = malloc(ww__embedded_issues_tsv_len + 1))) return ww__error_oom();
    memcpy(text, ww__embedded_issues_tsv, ww__embedded_issues_tsv_len + 1);

    if ((error = ww_repo__exec(db, "DELETE FROM issue_term; DELETE FROM issue_pattern;"
                                   " UPDATE issue SET parent_id = NULL")) < 0)
        goto done;
    if ((error = ww_repo__prepare(&ins_issue, db,
                                  "INSERT INTO issue(slug, label, domains) VALUES (?1, ?2, ?3) "
                                  "ON CONFLICT(slug) DO UPDATE SET label = ?2, domains = ?3 "
                                  "RETURNING id")) < 0 ||
        (error = ww_repo__prepare(&ins_term, db,
                                  "INSERT OR IGNORE INTO issue_term(issue_id, term, norm) VALUES (?1, ?2, ?3)")) < 0 ||
        (error = ww_repo__prepare(&ins_pattern, db,
                                  "INSERT OR IGNORE INTO issue_pattern(issue_id, pattern) VALUES (?1, ?2)")) < 0 ||
        (error = ww_repo__prepare(&set_parent, db,
                                  "UPDATE issue SET parent_id = (SELECT id FROM issue WHERE slug = ?2) "
                                  "WHERE slug = ?1 AND EXISTS (SELECT 1 FROM issue WHERE slug = ?2)")) < 0)
        goto done;

    for (line = text; line && *line; line = next) {
        char *slug, *parent, *label, *domains, *terms, *patterns, *term, *more;
        sqlite3_int64 id;
        next = cut(line, '\n');
        lineno++;
        if (line[0] == '#' || line[0] == '\0') continue;
        slug = line;
        if (!(parent = cut(slug, '\t')) || !(label = cut(parent, '\t')) || !(domains = cut(label, '\t')) ||
            !(terms = cut(domains, '\t')) || !(patterns = cut(terms, '\t')) || strchr(patterns, '\t')) {
            error = ww__error(WW_ERROR, "data/issues.tsv:%d: expected 6 tab-separated columns", lineno);
            goto done;
        }
        if (!*domains || !*patterns) {
            error = ww__error(WW_ERROR, "data/issues.tsv:%d: %s has no outcome %s", lineno, slug,
                              *domains ? "patterns" : "domains");
            goto done;
        }
        sqlite3_bind_text(ins_issue, 1, slug, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_issue, 2, label, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_issue, 3, domains, -1, SQLITE_STATIC);
        if (sqlite3_step(ins_issue) != SQLITE_ROW) {
            error = ww_repo__sqlite_error(db->sql, sqlite3_errcode(db->sql), "taxonomy");
            goto done;
        }
        id = sqlite3_column_int64(ins_issue, 0);
        sqlite3_reset(ins_issue);
        /* The label is a term too. */
        for (term = terms; term; term = more) {
            more = cut(term, '|');
            if ((error = insert_term(db, ins_term, &norm, id, term, lineno)) < 0) goto done;
        }
        if ((error = insert_term(db, ins_term, &norm, id, label, lineno)) < 0) goto done;
        for (term = patterns; term; term = more) {
            more = cut(term, '|');
            if ((error = ww_repo__normalise(&norm, db, term)) < 0) goto done;
            if (!norm.size) {
                error = ww__error(WW_ERROR, "data/issues.tsv:%d: pattern '%s' has no searchable word", lineno,
                                  term);
                goto done;
            }
            sqlite3_bind_int64(ins_pattern, 1, id);
            sqlite3_bind_text(ins_pattern, 2, term, -1, SQLITE_STATIC);
            if ((error = step_done(db, ins_pattern)) < 0) goto done;
        }
        if (strcmp(parent, "-") != 0) {
            sqlite3_bind_text(set_parent, 1, slug, -1, SQLITE_STATIC);
            sqlite3_bind_text(set_parent, 2, parent, -1, SQLITE_STATIC);
            if ((error = step_done(db, set_parent)) < 0) goto done;
            if (sqlite3_changes(db->sql) != 1) {
                error = ww__error(WW_ERROR, "data/issues.tsv:%d: parent '%s' of %s is not an issue above it",
                                  lineno, parent, slug);
                goto done;
            }
        }
    }
done:
    ww_repo__release(db, ins_issue);
    ww_repo__release(db, ins_term);
    ww_repo__release(db, ins_pattern);
    ww_repo__release(db, set_parent);
    ww_buf__free(&norm);
    free(text);
    return error;
}

/* The stored version of one vocabulary ("issues", "variants"); 0 none. */
static int stored_version(ww_db *db, const char *name, int *out)
{
    sqlite3_stmt *st = NULL;
    int error, rc;
    *out = 0;
    if ((error = ww_repo__prepare(&st, db, "SELECT version FROM vocabulary WHERE name = ?1")) < 0) return error;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *out = sqlite3_column_int(st, 0);
    else if (rc != SQLITE_DONE) error = ww_repo__sqlite_error(db->sql, rc, db->path);
    ww_repo__release(db, st);
    return error;
}

int ww_repo__vocabulary_current(ww_db *db)
{
    int issues, variants, error;
    if ((error = stored_version(db, "issues", &issues)) < 0 ||
        (error = stored_version(db, "variants", &variants)) < 0)
        return error;
    return issues == ww_repo__taxonomy_version() && variants == ww_repo__variants_version();
}

int ww_repo__refresh_vocabulary(ww_db *db)
{
    sqlite3_stmt *st = NULL;
    int issues, variants, reload, error;
    if ((error = stored_version(db, "issues", &issues)) < 0 ||
        (error = stored_version(db, "variants", &variants)) < 0)
        return error;
    reload = issues != ww_repo__taxonomy_version();
    if (variants != ww_repo__variants_version()) {
        /* Every stored text, tokenized again by the new table. */
        if ((error = ww_repo__exec(db, "INSERT INTO search_fts(search_fts) VALUES ('rebuild')")) < 0) return error;
        reload = 1; /* the terms' keys come from the same table */
    }
    if (reload && (error = ww_repo__load_taxonomy(db)) < 0) return error;
    if ((error = ww_repo__prepare(&st, db, "INSERT INTO vocabulary(name, version) VALUES (?1, ?2)"
                                           " ON CONFLICT(name) DO UPDATE SET version = ?2")) < 0)
        return error;
    sqlite3_bind_text(st, 1, "issues", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, ww_repo__taxonomy_version());
    if ((error = step_done(db, st)) == 0) {
        sqlite3_bind_text(st, 1, "variants", -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, ww_repo__variants_version());
        error = step_done(db, st);
    }
    ww_repo__release(db, st);
    return error;
}
