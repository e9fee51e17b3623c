/*
 * grade.c — rigour grades in the repository. A study is graded from what is
 * stored about it (design, counts, baseline, risk of bias, outcome Ns), so
 * an import and a later `regrade` under new rules take exactly the same
 * path. The grade, its trace, its advice and the rules version are stored
 * on the study row.
 */
#define _GNU_SOURCE /* strcasestr */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../evidence/rigour.h"
#include "repo_int.h"

/* A review body's rating as published ("Meets WWC standards without
 * reservations", ...) as a rigour enum; WW_WWC_NOT_RATED when unreadable. */
static ww_rigour_wwc parse_rating(const char *s)
{
    if (!s) return WW_WWC_NOT_RATED;
    if (strcasestr(s, "without reservations")) return WW_WWC_WITHOUT_RESERVATIONS;
    if (strcasestr(s, "with reservations")) return WW_WWC_WITH_RESERVATIONS;
    if (strcasestr(s, "not meet")) return WW_WWC_DOES_NOT_MEET;
    return WW_WWC_NOT_RATED;
}

static const char *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path;
}

/* The review bodies' judgements of a study (the judgement table, joined by
 * the study's identity namespace and key, whatever order the files came
 * in). The design comes from a study-level judgement that gives one (a
 * reviewer read the whole report) before the source's own design field;
 * the rating is the study-level one when there is one, else the best of
 * its findings' ratings (WWC rates a study by its highest-rated finding). */
static int load_judgements(ww_rigour_input *in, ww_db *db, ww_arena *arena, const char *ns,
                           const char *key)
{
    sqlite3_stmt *st = NULL;
    int error, rc, best_is_study = 0;
    ww_rigour_wwc best = WW_WWC_NOT_RATED;

    if (!ns || !key) return 0;
    if ((error = ww_repo__prepare(
             &st, db,
             "SELECT j.body, j.design, j.design_text, j.rating, j.reason, j.location, src.name,"
             "  j.finding_key"
             "  FROM judgement j JOIN source src ON src.id = j.source_id"
             " WHERE j.scope = 'study' AND j.identity_ns = ?1 AND j.key = ?2"
             " ORDER BY j.finding_key = '' DESC, j.id")) < 0)
        return error;
    sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *body = (const char *)sqlite3_column_text(st, 0);
        const char *design = (const char *)sqlite3_column_text(st, 1);
        const char *rating = (const char *)sqlite3_column_text(st, 3);
        const char *where = (const char *)sqlite3_column_text(st, 5);
        const char *file = base_name((const char *)sqlite3_column_text(st, 6));
        int study_level = sqlite3_column_bytes(st, 7) == 0;
        ww_rigour_wwc r = parse_rating(rating);
        char *loc = NULL, *by = NULL;
        size_t n = strlen(file ? file : "") + strlen(where ? where : "") + 4;
        if (!(loc = ww_arena__alloc(arena, n))) {
            error = WW_ENOMEM;
            break;
        }
        snprintf(loc, n, "%s %s", file ? file : "", where ? where : "");
        n = strlen(body ? body : "") + 16;
        if (!(by = ww_arena__alloc(arena, n))) {
            error = WW_ENOMEM;
            break;
        }
        snprintf(by, n, "%s reviewers", body ? body : "review body");
        if (design && ww_design_parse(design) != WW_DESIGN_UNKNOWN && study_level &&
            !in->reviewed_design_set) {
            const char *text = (const char *)sqlite3_column_text(st, 2);
            size_t m = strlen(by) + strlen(loc) + strlen(text ? text : design) + 8;
            char *basis = ww_arena__alloc(arena, m);
            if (!basis) {
                error = WW_ENOMEM;
                break;
            }
            snprintf(basis, m, "%s, %s: %s", by, loc, text ? text : design);
            in->design = ww_design_parse(design);
            in->design_basis = basis;
            in->reviewed_design_set = 1;
        }
        if (r == WW_WWC_NOT_RATED || best_is_study) continue;
        if (study_level || best == WW_WWC_NOT_RATED || r < best) {
            best = r;
            best_is_study = study_level;
            in->reviewed_rating = r;
            in->reviewed_by = by;
            in->reviewed_text = ww_repo__col_text(st, 3, arena);
            in->reviewed_reason = ww_repo__col_text(st, 4, arena);
            in->reviewed_where = loc;
            if ((!in->reviewed_text && sqlite3_column_type(st, 3) != SQLITE_NULL) ||
                (!in->reviewed_reason && sqlite3_column_type(st, 4) != SQLITE_NULL)) {
                error = WW_ENOMEM;
                break;
            }
        }
    }
    if (error == 0 && rc != SQLITE_DONE) error = ww_repo__sqlite_error(db->sql, rc, db->path);
    ww_repo__release(db, st);
    return error;
}

static long col_count(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(st, col);
}

/* Fill a rigour input from the stored study (strings live in arena). */
static int load_input(ww_rigour_input *in, ww_db *db, ww_arena *arena, int64_t study_id)
{
    sqlite3_stmt *st = NULL;
    int error, rc;
    size_t n = 0, alloc = 0;
    ww_rob_rec *rob = NULL;

    ww_rigour_input_init(in);
    if ((error = ww_repo__prepare(&st, db,
                                  "SELECT design, assigned_treatment, assigned_control, analysed_treatment,"
                                  " analysed_control, baseline_diff_sd, independent, baseline_adjusted,"
                                  " identity_ns, study_key, design_basis"
                                  " FROM study WHERE id = ?1")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, study_id);
    if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
        error = rc == SQLITE_DONE ? ww__error(WW_ENOTFOUND, "no study %lld", (long long)study_id)
                                  : ww_repo__sqlite_error(db->sql, rc, db->path);
        goto done;
    }
    in->design = ww_design_parse((const char *)sqlite3_column_text(st, 0));
    in->assigned_treatment = col_count(st, 1);
    in->assigned_control = col_count(st, 2);
    in->analysed_treatment = col_count(st, 3);
    in->analysed_control = col_count(st, 4);
    in->baseline_diff_sd = sqlite3_column_type(st, 5) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 5);
    in->independent = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 6);
    in->baseline_adjusted = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 7);
    in->design_basis = ww_repo__col_text(st, 10, arena);
    {
        const char *ns = ww_repo__col_text(st, 8, arena), *key = ww_repo__col_text(st, 9, arena);
        if ((!in->design_basis && sqlite3_column_type(st, 10) != SQLITE_NULL) ||
            (!ns && sqlite3_column_type(st, 8) != SQLITE_NULL) ||
            (!key && sqlite3_column_type(st, 9) != SQLITE_NULL)) {
            ww_repo__release(db, st);
            return WW_ENOMEM;
        }
        ww_repo__release(db, st);
        st = NULL;
        if ((error = load_judgements(in, db, arena, ns, key)) < 0) return error;
    }

    /* As ww_rigour_input_from_record: without record-level analysed counts,
     * the per-arm Ns of the outcome with the largest total. */
    if (in->analysed_treatment < 0 || in->analysed_control < 0) {
        if ((error = ww_repo__prepare(
                 &st, db,
                 "SELECT coalesce(json_extract(e.raw, '$.n_treatment'), json_extract(e.raw, '$.total_treatment')) AS t,"
                 "       coalesce(json_extract(e.raw, '$.n_control'), json_extract(e.raw, '$.total_control')) AS c"
                 "  FROM effect e JOIN outcome o ON o.id = e.outcome_id"
                 " WHERE o.study_id = ?1 AND t IS NOT NULL AND c IS NOT NULL ORDER BY t + c DESC LIMIT 1")) < 0)
            return error;
        sqlite3_bind_int64(st, 1, study_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            in->analysed_treatment = col_count(st, 0);
            in->analysed_control = col_count(st, 1);
        }
        ww_repo__release(db, st);
        st = NULL;
    }

    if ((error = ww_repo__prepare(&st, db,
                                  "SELECT tool, domain, judgement, support FROM risk_of_bias"
                                  " WHERE study_id = ?1 ORDER BY id")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, study_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == alloc) {
            size_t na = alloc ? alloc * 2 : 8;
            ww_rob_rec *p = ww_arena__alloc(arena, na * sizeof *p);
            if (!p) {
                error = WW_ENOMEM;
                goto done;
            }
            if (n) memcpy(p, rob, n * sizeof *p);
            rob = p;
            alloc = na;
        }
        ww_rob_rec_init(&rob[n]);
        rob[n].tool = ww_repo__col_text(st, 0, arena);
        rob[n].domain = ww_repo__col_text(st, 1, arena);
        rob[n].judgement = ww_repo__col_text(st, 2, arena);
        rob[n].support = ww_repo__col_text(st, 3, arena);
        n++;
    }
    if (rc != SQLITE_DONE) error = ww_repo__sqlite_error(db->sql, rc, db->path);
    in->rob = rob;
    in->n_rob = n;
done:
    ww_repo__release(db, st);
    return error;
}

int ww_repo__grade_study(ww_rigour_grade *out, ww_db *db, int64_t study_id)
{
    ww_arena *arena = NULL;
    ww_rigour_input in;
    int error;
    memset(out, 0, sizeof *out);
    if ((error = ww_arena__new(&arena)) < 0) return error;
    if ((error = load_input(&in, db, arena, study_id)) == 0)
        error = ww_rigour_grade_study(out, &in, NULL);
    ww_arena__free(arena);
    return error;
}

int ww_repo__store_grade(ww_db *db, int64_t study_id, const ww_rigour_grade *g)
{
    sqlite3_stmt *st = NULL;
    int error, rc;
    if ((error = ww_repo__prepare(&st, db,
                                  "UPDATE study SET rigour_level = ?2, rigour_trace = ?3, rules_version = ?4,"
                                  " sms_level = ?5, wwc_rating = ?6, rigour_advice = ?7 WHERE id = ?1")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, study_id);
    sqlite3_bind_int(st, 2, g->level);
    sqlite3_bind_text(st, 3, g->trace, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, g->rules_version, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, g->sms);
    sqlite3_bind_text(st, 6, ww_rigour_wwc_name(g->wwc), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, g->advice, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    ww_repo__release(db, st);
    return rc == SQLITE_DONE ? 0 : ww_repo__sqlite_error(db->sql, rc, db->path);
}

int ww_repo__grade_source(ww_db *db, int64_t source_id)
{
    sqlite3_stmt *st = NULL;
    int error, rc;
    if ((error = ww_repo__prepare(&st, db, "SELECT id FROM study WHERE source_id = ?1 ORDER BY id")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, source_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ww_rigour_grade g;
        int64_t id = sqlite3_column_int64(st, 0);
        if ((error = ww_repo__grade_study(&g, db, id)) < 0) break;
        error = ww_repo__store_grade(db, id, &g);
        ww_rigour_grade_clear(&g);
        if (error < 0) break;
    }
    if (error == 0 && rc != SQLITE_DONE) error = ww_repo__sqlite_error(db->sql, rc, db->path);
    ww_repo__release(db, st);
    return error;
}

/* The stored grade of a study, enough for ww_rigour_compare(): rules
 * version, level, SMS, WWC rating and trace (strings in arena). found = 0
 * when the study was never graded. */
static int load_stored(ww_rigour_grade *g, int *found, sqlite3_stmt *st, ww_arena *arena)
{
    const char *wwc;
    memset(g, 0, sizeof *g);
    *found = sqlite3_column_type(st, 1) != SQLITE_NULL;
    if (!*found) return 0;
    g->level = sqlite3_column_int(st, 1);
    g->sms = sqlite3_column_int(st, 2);
    wwc = (const char *)sqlite3_column_text(st, 3);
    for (int r = WW_WWC_NOT_RATED; r <= WW_WWC_DOES_NOT_MEET; r++)
        if (wwc && strcmp(wwc, ww_rigour_wwc_name((ww_rigour_wwc)r)) == 0) g->wwc = (ww_rigour_wwc)r;
    g->rules_version = ww_repo__col_text(st, 4, arena);
    g->trace = (char *)ww_repo__col_text(st, 5, arena);
    if (!g->rules_version) g->rules_version = "(none)";
    return 0;
}

int ww_repo__regrade(ww_db *db, ww_regrade_fn report, void *ctx, size_t *studies_out,
                     size_t *moved_out)
{
    sqlite3_stmt *st = NULL, *iv = NULL;
    ww_arena *arena = NULL;
    int error, rc, in_txn = 0;
    int64_t version = 0;

    *studies_out = *moved_out = 0;
    if ((error = ww_arena__new(&arena)) < 0) return error;
    if ((error = ww_repo__exec(db, "BEGIN IMMEDIATE")) < 0) goto done;
    in_txn = 1;
    if ((error = ww_repo__prepare(&st, db,
                                  "SELECT id, rigour_level, sms_level, wwc_rating, rules_version, rigour_trace"
                                  "  FROM study ORDER BY id")) < 0)
        goto done;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ww_rigour_grade before, after;
        int64_t id = sqlite3_column_int64(st, 0);
        int found, moved = 0;
        char *reason = NULL;
        load_stored(&before, &found, st, arena);
        if ((error = ww_repo__grade_study(&after, db, id)) < 0) goto done;
        if (!found) {
            moved = 1;
            reason = strdup("graded for the first time");
            if (!reason) error = ww__error_oom();
        } else {
            error = ww_rigour_compare(&reason, &moved, &before, &after);
        }
        if (error == 0 && (moved || !before.trace || strcmp(before.trace, after.trace) != 0 ||
                           strcmp(before.rules_version, after.rules_version) != 0))
            error = ww_repo__store_grade(db, id, &after);
        if (error == 0 && moved) {
            (*moved_out)++;
            error = report(ctx, id, &after, reason);
        }
        (*studies_out)++;
        free(reason);
        ww_rigour_grade_clear(&after);
        if (error < 0) goto done;
    }
    if (rc != SQLITE_DONE) {
        error = ww_repo__sqlite_error(db->sql, rc, db->path);
        goto done;
    }
    /* Certainty depends on the grades: recompute every synthesis, stamped
     * with the current data version (the latest source). */
    if ((error = ww_repo__prepare(&iv, db,
                                  "SELECT i.id, (SELECT coalesce(max(id), 0) FROM source) FROM intervention i"
                                  " ORDER BY i.id")) < 0)
        goto done;
    while ((rc = sqlite3_step(iv)) == SQLITE_ROW) {
        version = sqlite3_column_int64(iv, 1);
        if ((error = ww_repo__resynthesise(db, sqlite3_column_int64(iv, 0), version)) < 0) goto done;
    }
    if (rc != SQLITE_DONE) {
        error = ww_repo__sqlite_error(db->sql, rc, db->path);
        goto done;
    }
    ww_repo__release(db, st);
    st = NULL;
    if ((error = ww_repo__prepare(&st, db,
                                  "INSERT INTO audit(action, detail) VALUES ('regrade',"
                                  " json_object('rules_version', ?1, 'studies', ?2, 'moved', ?3))")) < 0)
        goto done;
    sqlite3_bind_text(st, 1, ww_rules_current()->version, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)*studies_out);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)*moved_out);
    if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
        error = ww_repo__sqlite_error(db->sql, rc, db->path);
        goto done;
    }
    error = ww_repo__exec(db, "COMMIT");
    in_txn = error < 0;
done:
    if (in_txn) ww_repo__rollback(db);
    ww_repo__release(db, st);
    ww_repo__release(db, iv);
    ww_arena__free(arena);
    return error;
}
