/*
 * plan.c — the read side of the repository for `whatworks plan`: what the
 * stored studies of one intervention on one outcome domain say about the
 * next study's design (repo.h, ww_repo__design_evidence): their attrition,
 * the ICCs stored with their findings (outcome.attrs, from WWC's ICC
 * column) and their units of allocation. The pooled effect itself comes
 * from ww_repo__pooled_effect (costs.c). Plain structs in the caller's
 * arena; no SQLite type leaves this file.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "repo_int.h"

/* Units of allocation that are one person: anything else (school, class,
 * family, area) randomises clusters. */
static int is_individual_unit(const char *unit)
{
    static const char *const words[] = {
        "individual",   "individuals", "participant", "participants", "person", "people",
        "pupil",        "pupils",      "student",     "students",     "child",  "children",
        "young person", "patient",     "patients",    "client",       "clients"};
    if (!unit || !*unit) return 1;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcasecmp(unit, words[i]) == 0) return 1;
    return 0;
}

int ww_repo__design_evidence(ww_design_evidence_row *out, ww_db *db, ww_arena *arena,
                             int64_t intervention_id, const char *domain)
{
    sqlite3_stmt *st = NULL;
    double *iccs = NULL;
    size_t n_iccs = 0, alloc = 0;
    int error = 0, rc, best_count = 0;

    memset(out, 0, sizeof *out);
    out->attrition = NAN;
    /* One row per study with an outcome in the domain. */
    if ((error = ww_repo__prepare(
             &st, db,
             "SELECT s.id, s.allocation_unit, s.assigned_treatment, s.assigned_control,"
             "       s.analysed_treatment, s.analysed_control,"
             "       (SELECT count(*) FROM study s2 WHERE s2.intervention_id = ?1"
             "         AND s2.allocation_unit = s.allocation_unit AND EXISTS (SELECT 1"
             "         FROM outcome o2 WHERE o2.study_id = s2.id"
             "          AND lower(trim(coalesce(o2.domain, ''))) = lower(trim(?2))))"
             "  FROM study s"
             " WHERE s.intervention_id = ?1 AND EXISTS (SELECT 1 FROM outcome o"
             "   WHERE o.study_id = s.id AND lower(trim(coalesce(o.domain, ''))) = lower(trim(?2)))"
             " ORDER BY s.id")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, intervention_id);
    sqlite3_bind_text(st, 2, domain, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *unit = (const char *)sqlite3_column_text(st, 1);
        int have_counts = 1;
        out->n_studies++;
        if (!is_individual_unit(unit)) {
            out->n_cluster_studies++;
            if (sqlite3_column_int(st, 6) > best_count) {
                best_count = sqlite3_column_int(st, 6);
                if (!(out->cluster_unit = ww_repo__col_text(st, 1, arena))) goto oom;
            }
        }
        for (int c = 2; c <= 5; c++)
            if (sqlite3_column_type(st, c) == SQLITE_NULL || sqlite3_column_int64(st, c) < 0)
                have_counts = 0;
        if (have_counts && sqlite3_column_int64(st, 2) + sqlite3_column_int64(st, 3) > 0) {
            out->n_attrition_studies++;
            out->assigned += (long)(sqlite3_column_int64(st, 2) + sqlite3_column_int64(st, 3));
            out->analysed += (long)(sqlite3_column_int64(st, 4) + sqlite3_column_int64(st, 5));
        }
    }
    if (rc != SQLITE_DONE) {
        error = ww_repo__sqlite_error(db->sql, rc, db->path);
        goto done;
    }
    if (out->assigned > 0) {
        out->attrition = 1 - (double)out->analysed / (double)out->assigned;
        if (out->attrition < 0) out->attrition = 0; /* more analysed than assigned */
    }
    ww_repo__release(db, st);
    st = NULL;

    if ((error = ww_repo__prepare(
             &st, db,
             "SELECT json_extract(o.attrs, '$.icc') FROM outcome o JOIN study s ON s.id = "
             "o.study_id"
             " WHERE s.intervention_id = ?1 AND lower(trim(coalesce(o.domain, ''))) = "
             "lower(trim(?2))"
             "   AND o.attrs IS NOT NULL AND json_type(o.attrs, '$.icc') IN ('real', 'integer')"
             " ORDER BY o.id")) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, intervention_id);
    sqlite3_bind_text(st, 2, domain, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n_iccs == alloc) {
            size_t grow = alloc ? 2 * alloc : 16;
            double *p = realloc(iccs, grow * sizeof *p);
            if (!p) goto oom;
            iccs = p;
            alloc = grow;
        }
        iccs[n_iccs++] = sqlite3_column_double(st, 0);
    }
    if (rc != SQLITE_DONE) {
        error = ww_repo__sqlite_error(db->sql, rc, db->path);
        goto done;
    }
    if (n_iccs) {
        if (!(out->iccs = ww_arena__alloc(arena, n_iccs * sizeof *out->iccs))) goto oom;
        memcpy(out->iccs, iccs, n_iccs * sizeof *iccs);
        out->n_iccs = n_iccs;
    }
    goto done;
oom:
    error = ww__error_oom();
done:
    ww_repo__release(db, st);
    free(iccs);
    return error;
}
