/*
 * repo_int.h — private to repo/: the database handle and SQLite helpers.
 */
#ifndef WW_REPO_INT_H
#define WW_REPO_INT_H

#include <sqlite3.h>

#include "repo.h"


/* Statements the repository prepares are kept per connection, keyed by
 * their SQL text's address (all are string literals): an import runs the
 * same dozen statements for every record, and preparing them again each
 * time was most of its cost. */
#define WW_STMT_CACHE 96

typedef struct ww_stmt_slot {
    const char *sql;
    sqlite3_stmt *st;
    int in_use;
} ww_stmt_slot;

struct ww_db {
    sqlite3 *sql;
    char *path;
    ww_stmt_slot slots[WW_STMT_CACHE];
    /* Prepared when the database is opened, so that rolling back needs no
     * memory: a ROLLBACK that cannot run under memory pressure would leave
     * the handle inside the failed file's transaction. */
    sqlite3_stmt *rollback;
    unsigned flags;    /* as given to ww_db_open() */
    int reconnect;     /* a write failed: start the next on a new connection */
};

/* Replace the connection (and its statements) with a new one to the same
 * file; clears db->reconnect and keeps the last-error message. Used after a
 * write failed for a reason other than the data: SQLite 3.40's FTS5 can keep
 * totals it failed to read, and a fresh connection drops them. */
int ww_repo__reconnect(ww_db *db);

/* Roll back the open transaction, if any; never allocates. */
void ww_repo__rollback(ww_db *db);

/* Translate a SQLite failure into a ww_error with SQLite's text kept:
 * BUSY/LOCKED -> WW_EBUSY, FULL/IOERR -> WW_EIO, others -> WW_ERROR. */
int ww_repo__sqlite_error(sqlite3 *db, int rc, const char *what);

/* Run a statement with no results. */
int ww_repo__exec(ww_db *db, const char *sql);

/* Prepare sql (a string literal), with translation of failures: a cached
 * statement when one for this text is free, else a new one. Give it back
 * with ww_repo__release(), never sqlite3_finalize(). */
int ww_repo__prepare(sqlite3_stmt **out, ww_db *db, const char *sql);
/* Reset a statement from ww_repo__prepare() and return it to the cache (or
 * finalize it when it was not cached). NULL is a no-op. */
void ww_repo__release(ww_db *db, sqlite3_stmt *st);

/* Create or migrate the schema to WW_SCHEMA_VERSION. */
int ww_repo__migrate(ww_db *db);

/* Load the embedded taxonomy into issue/issue_term (replacing it). */
int ww_repo__load_taxonomy(ww_db *db);

/* Recompute the pooled effects per outcome domain of one intervention
 * (synth.c); data_version is the id of the source that changed it. */
int ww_repo__resynthesise(ww_db *db, int64_t intervention_id, int64_t data_version);

/* Rigour grades (grade.c): grade a stored study under the current rules
 * (out's strings: ww_rigour_grade_clear), store a grade, grade every study
 * of one source. */
struct ww_rigour_grade;
int ww_repo__grade_study(struct ww_rigour_grade *out, ww_db *db, int64_t study_id);
int ww_repo__store_grade(ww_db *db, int64_t study_id, const struct ww_rigour_grade *g);
int ww_repo__grade_source(ww_db *db, int64_t source_id);

#define WW_SCHEMA_VERSION 3

/* A column as an arena string ("" never becomes NULL; NULL stays NULL). */
const char *ww_repo__col_text(sqlite3_stmt *st, int col, ww_arena *arena);

#endif
