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

/* The tokenizer chain of the index, run from C (variants.c). */
typedef struct ww_chain ww_chain;

struct ww_db {
    sqlite3 *sql;
    ww_chain *chain;   /* made on first use, freed with the connection */
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
/* Recompute WWC's effectiveness rating of one intervention (wwc_eff.c);
 * called by ww_repo__resynthesise. */
int ww_repo__wwc_effectiveness(ww_db *db, int64_t intervention_id);

/* Rigour grades (grade.c): grade a stored study under the current rules
 * (out's strings: ww_rigour_grade_clear), store a grade, grade every study
 * of one source. */
struct ww_rigour_grade;
int ww_repo__grade_study(struct ww_rigour_grade *out, ww_db *db, int64_t study_id);
int ww_repo__store_grade(ww_db *db, int64_t study_id, const struct ww_rigour_grade *g);
int ww_repo__grade_source(ww_db *db, int64_t source_id);

#define WW_SCHEMA_VERSION 6

/* ---- spelling variants and the tokenizer (variants.c) ------------------ */

/* The variant table of data/variants.tsv, parsed. */
typedef struct ww_variants ww_variants;
int ww_repo__variants_new(ww_variants **out);
void ww_repo__variants_free(ww_variants *v);
/* The version on the first line of the compiled-in variant table. */
int ww_repo__variants_version(void);
/* N of a first line "# ... version N." (0 when there is none). */
int ww_repo__version_line(const char *line);

/* Register the FTS5 tokenizer `wwvariants` on a connection (db.c calls it
 * for every connection, before anything touches the index). `what` names
 * the database in messages. */
int ww_repo__register_tokenizer(sqlite3 *sql, const char *what);
void ww_repo__chain_free(ww_chain *c);

/* Run text through the index's tokenizer chain (variants, then Porter):
 * fn gets each token with the byte span of text it came from; a negative
 * return from fn stops and is returned. */
typedef int (*ww_repo_token_fn)(void *ctx, const char *token, size_t n, size_t start, size_t end);
int ww_repo__tokens(ww_db *db, const char *text, size_t n, ww_repo_token_fn fn, void *ctx);
/* The tokens of text joined by single spaces, into out (reset first). */
int ww_repo__normalise(ww_buf *out, ww_db *db, const char *text);

/* Bring the stored vocabulary up to the compiled-in one: reload the
 * taxonomy when data/issues.tsv's version changed, re-index the full text
 * and reload the taxonomy when data/variants.tsv's did. Inside the caller's
 * transaction. */
int ww_repo__refresh_vocabulary(ww_db *db);
/* 1 when the stored vocabulary versions are the compiled-in ones, 0 when
 * not, or a negative error. */
int ww_repo__vocabulary_current(ww_db *db);

/* A column as an arena string ("" never becomes NULL; NULL stays NULL). */
const char *ww_repo__col_text(sqlite3_stmt *st, int col, ww_arena *arena);

#endif
