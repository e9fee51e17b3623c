/*
 * costs.c — the read side of the repository for business cases: an
 * intervention's cost per participant (table intervention), its benefit
 * streams (table benefit_stream, each with the file and place it was
 * imported from) and its pooled effect (table synthesis, through
 * ww_repo__syntheses in read.c). Results are plain structs in the caller's
 * arena, in read.c's style; no SQLite type leaves this file.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "costs.h"
#include "repo_int.h"

static int step_error(ww_db *db, int rc)
{
    return ww_repo__sqlite_error(db->sql, rc, db->path);
}

static double col_double_or_nan(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col);
}

static int col_int_or(sqlite3_stmt *st, int col, int missing)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? missing : sqlite3_column_int(st, col);
}

int ww_repo__intervention_cost(ww_cost_row *out, ww_db *db, ww_arena *arena,
                               const char *slug_or_name)
{
    sqlite3_stmt *st = NULL;
    int error, rc;

    memset(out, 0, sizeof *out);
    if ((error = ww_repo__prepare(
             &st, db,
             "SELECT id, slug, name, is_example, cost_per_participant, cost_price_year, cost_payer"
             "  FROM intervention WHERE slug = ?1 OR name = ?1 COLLATE NOCASE"
             " ORDER BY slug = ?1 DESC LIMIT 1")) < 0)
        return error;
    sqlite3_bind_text(st, 1, slug_or_name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        error =
            ww__error(WW_ENOTFOUND, "no intervention '%s' (try `whatworks query`)", slug_or_name);
        goto done;
    }
    if (rc != SQLITE_ROW) {
        error = step_error(db, rc);
        goto done;
    }
    out->intervention_id = sqlite3_column_int64(st, 0);
    out->slug = ww_repo__col_text(st, 1, arena);
    out->name = ww_repo__col_text(st, 2, arena);
    out->is_example = sqlite3_column_int(st, 3);
    out->per_participant = col_double_or_nan(st, 4);
    out->price_year = col_int_or(st, 5, -1);
    out->payer = ww_repo__col_text(st, 6, arena);
    if (!out->slug || !out->name) error = ww__error_oom();
done:
    ww_repo__release(db, st);
    return error;
}

int ww_repo__benefit_streams(ww_benefit_row **out, size_t *n_out, ww_db *db, ww_arena *arena,
                             int64_t intervention_id)
{
    sqlite3_stmt *st = NULL;
    ww_benefit_row *rows = NULL;
    size_t n = 0, alloc = 0;
    int error, rc;

    *out = NULL;
    *n_out = 0;
    if ((error = ww_repo__prepare(
             &st, db,
             "SELECT b.id, b.agency, b.amount_per_participant_year, b.first_year, b.last_year,"
             "       b.price_year, b.confidence, b.source_text, s.name, b.location"
             "  FROM benefit_stream b JOIN source s ON s.id = b.source_id"
             " WHERE b.intervention_id = ?1 ORDER BY b.id")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, intervention_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ww_benefit_row *r;
        if (n == alloc) {
            size_t na = alloc ? 2 * alloc : 8;
            ww_benefit_row *p = realloc(rows, na * sizeof *p);
            if (!p) goto oom;
            rows = p;
            alloc = na;
        }
        r = &rows[n++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(st, 0);
        r->agency = ww_repo__col_text(st, 1, arena);
        r->amount_per_participant_year = sqlite3_column_double(st, 2);
        r->first_year = sqlite3_column_int(st, 3);
        r->last_year = sqlite3_column_int(st, 4);
        r->price_year = col_int_or(st, 5, -1);
        r->confidence = col_int_or(st, 6, -1);
        r->source_text = ww_repo__col_text(st, 7, arena);
        r->source_name = ww_repo__col_text(st, 8, arena);
        r->location = ww_repo__col_text(st, 9, arena);
        if (!r->agency || !r->source_name || !r->location) goto oom;
    }
    if (rc != SQLITE_DONE) {
        error = step_error(db, rc);
        goto done;
    }
    if (n) {
        if (!(*out = ww_arena__alloc(arena, n * sizeof **out))) goto oom;
        memcpy(*out, rows, n * sizeof **out);
    }
    *n_out = n;
    goto done;
oom:
    error = ww__error_oom();
done:
    ww_repo__release(db, st);
    free(rows);
    return error;
}

/* Domains are stored lower-cased and trimmed (synth.c); compare the same way. */
static int same_domain(const char *stored, const char *asked)
{
    size_t n;
    while (*asked == ' ' || *asked == '\t') asked++;
    n = strlen(asked);
    while (n && (asked[n - 1] == ' ' || asked[n - 1] == '\t')) n--;
    return strlen(stored) == n && strncasecmp(stored, asked, n) == 0;
}

int ww_repo__pooled_effect(ww_synthesis_row *out, ww_db *db, ww_arena *arena,
                           int64_t intervention_id, const char *domain)
{
    ww_synthesis_row *rows = NULL;
    size_t n = 0;
    int error;

    memset(out, 0, sizeof *out);
    if ((error = ww_repo__syntheses(&rows, &n, db, arena, intervention_id, 0, 0, 0)) < 0)
        return error;
    for (size_t i = 0; i < n; i++) {
        if (domain && !same_domain(rows[i].domain, domain)) continue;
        *out = rows[i];
        return 0;
    }
    if (domain)
        return ww__error(WW_ENOTFOUND, "no pooled effect on the outcome domain '%s'", domain);
    return ww__error(WW_ENOTFOUND, "no pooled effect stored");
}

int ww_repo__unit_cost(ww_unit_cost_row *out, ww_db *db, ww_arena *arena, const char *code)
{
    sqlite3_stmt *st = NULL;
    int error, rc;

    memset(out, 0, sizeof *out);
    /* A database made before unit costs has no table: nothing is stored. */
    if ((error = ww_repo__prepare(&st, db,
                                  "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                                  " AND name = 'unit_cost'")) < 0)
        return error;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        error = step_error(db, rc);
        goto done;
    }
    if (sqlite3_column_int(st, 0) == 0) {
        error = ww__error(WW_ENOTFOUND, "no unit costs are stored in %s", db->path);
        goto done;
    }
    ww_repo__release(db, st);
    st = NULL;
    if ((error = ww_repo__prepare(
             &st, db,
             "SELECT u.dataset, u.code, u.description, u.unit, u.agency, u.agency_detail,"
             "  u.fiscal_value, u.economic_value, u.social_value, u.fiscal_price_year,"
             "  u.economic_price_year, u.social_price_year, u.confidence, u.source_text, u.licence,"
             "  u.location, s.name, s.sha256"
             "  FROM unit_cost u JOIN source s ON s.id = u.source_id"
             " WHERE u.code = ?1 ORDER BY u.source_id DESC LIMIT 1")) < 0)
        return error;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        error = ww__error(WW_ENOTFOUND, "no unit cost '%s' is stored", code);
        goto done;
    }
    if (rc != SQLITE_ROW) {
        error = step_error(db, rc);
        goto done;
    }
    {
        const char **text[] = {&out->dataset, &out->code,   &out->description,
                               &out->unit,    &out->agency, &out->agency_detail};
        for (int i = 0; i < 6; i++)
            if (sqlite3_column_type(st, i) != SQLITE_NULL &&
                !(*text[i] = ww_repo__col_text(st, i, arena)))
                goto oom;
        for (int k = 0; k < 3; k++) {
            out->value[k] = col_double_or_nan(st, 6 + k);
            if (sqlite3_column_type(st, 9 + k) != SQLITE_NULL &&
                !(out->price_year[k] = ww_repo__col_text(st, 9 + k, arena)))
                goto oom;
        }
    }
    {
        const char **text[] = {&out->confidence, &out->source_text, &out->licence,
                               &out->location,   &out->source_name, &out->source_sha256};
        for (int i = 0; i < 6; i++)
            if (sqlite3_column_type(st, 12 + i) != SQLITE_NULL &&
                !(*text[i] = ww_repo__col_text(st, 12 + i, arena)))
                goto oom;
    }
    goto done;
oom:
    error = ww__error_oom();
done:
    ww_repo__release(db, st);
    return error;
}
