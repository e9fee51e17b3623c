/*
 * withdraw.c — an evaluator takes back a submission, or a reviewer retracts
 * a record: the study stays in the database and is shown as withdrawn, with
 * when and why, but leaves every synthesis (repo/synth.c pools only studies
 * that are not withdrawn). One transaction: the mark, the audit row and the
 * intervention's recomputed pooled results land together or not at all.
 */
#include <string.h>

#include "repo_int.h"

WW_EXTERN int ww_study_withdraw(ww_db *db, int64_t study_id, const char *reason, const char *who)
{
    sqlite3_stmt *st = NULL;
    sqlite3_int64 intervention_id = 0, version = 0;
    int error, rc, withdrawn = 0;

    if (!db) return ww__error(WW_EUSAGE, "no database");
    if (!reason || !*reason) return ww__error(WW_EUSAGE, "withdraw: a reason is required (--reason TEXT)");
    if ((error = ww_repo__exec(db, "BEGIN IMMEDIATE")) < 0) return error;
    if ((error = ww_repo__prepare(&st, db,
                                  "SELECT intervention_id, withdrawn_at IS NOT NULL,"
                                  "  (SELECT coalesce(max(id), 0) FROM source) FROM study WHERE id = ?1")) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, study_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        intervention_id = sqlite3_column_int64(st, 0);
        withdrawn = sqlite3_column_int(st, 1);
        version = sqlite3_column_int64(st, 2);
    }
    ww_repo__release(db, st);
    st = NULL;
    if (rc == SQLITE_DONE) {
        error = ww__error(WW_ENOTFOUND, "no study %lld (study ids are the numbers `show` prints)",
                          (long long)study_id);
        goto done;
    }
    if (rc != SQLITE_ROW) {
        error = ww_repo__sqlite_error(db->sql, rc, db->path);
        goto done;
    }
    if (withdrawn) {
        error = ww__error(WW_EUSAGE, "study %lld is already withdrawn", (long long)study_id);
        goto done;
    }
    if ((error = ww_repo__prepare(&st, db,
                                  "UPDATE study SET withdrawn_at = strftime('%Y-%m-%dT%H:%M:%SZ','now'),"
                                  " withdrawn_reason = ?2 WHERE id = ?1")) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, study_id);
    sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    ww_repo__release(db, st);
    st = NULL;
    if (rc != SQLITE_DONE) {
        error = ww_repo__sqlite_error(db->sql, rc, db->path);
        goto done;
    }
    if ((error = ww_repo__prepare(&st, db,
                                  "INSERT INTO audit(action, detail) VALUES ('withdraw',"
                                  " json_object('study', ?1, 'reason', ?2, 'who', ?3))")) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, study_id);
    sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
    if (who) sqlite3_bind_text(st, 3, who, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, 3);
    rc = sqlite3_step(st);
    ww_repo__release(db, st);
    st = NULL;
    if (rc != SQLITE_DONE) {
        error = ww_repo__sqlite_error(db->sql, rc, db->path);
        goto done;
    }
    if ((error = ww_repo__resynthesise(db, intervention_id, version)) < 0) goto done;
    error = ww_repo__exec(db, "COMMIT");
done:
    if (error < 0) ww_repo__rollback(db);
    return error;
}
