/*
 * wwc_eff.c — WWC's own rating of an intervention's effectiveness in an
 * outcome domain, reproduced from the stored WWC findings by WWC's procedure
 * (evidence/wwc_rating.h, docs/wwc-rating.md) and kept beside the rating WWC
 * published in its intervention reports (the judgement table), so every
 * agreement and disagreement can be shown with the rule that decided ours.
 *
 * Recomputed with the intervention's syntheses (after each import that
 * touches it, and after a regrade): one row from all of its WWC findings in
 * a domain (protocol ''), and one row per published report, from the
 * findings of that report's review protocol, under the handbook version its
 * protocol version names.
 *
 * What a finding contributes, from what the store holds: WWC's finding
 * rating (Finding_Rating) or, when the finding has none, its study's rating
 * in a study file (the Wolf 2021 file or WWC's Studies file); whether it is
 * a subgroup finding; WWC's g signed so that positive favours the
 * intervention — by the outcome's direction (the direction lexicon), and
 * where that is unknown by the sign of WWC's improvement index, which WWC
 * signs by favourability when it judged lower to be better (and, where WWC
 * gives no g, g recovered from the improvement index); WWC's significance
 * flag and p-value; the sample sizes.
 *
 * For the comparison with a published report, g is signed as WWC's own
 * improvement index is (its published view of each finding) where the index
 * is nonzero, else by the outcome's direction: reproducing WWC's decision
 * from WWC's numbers. Our pooled results are signed by the direction alone.
 */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../evidence/wwc_rating.h"
#include "repo_int.h"

static double col_num(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* 1/2/3 from WWC's finding rating code or text; 0 unknown. */
static int rating_code(const char *s)
{
    if (!s) return 0;
    if (!strcmp(s, "1") || strstr(s, "without reservations")) return 1;
    if (!strcmp(s, "2") || strstr(s, "with reservations")) return 2;
    if (!strcmp(s, "3") || strstr(s, "not meet")) return 3;
    return 0;
}

/* The handbook major version a report's protocol names ("Beginning
 * Reading (version 2.1)" -> 2); 0 (the latest implemented) when none. */
static int handbook_of(const char *protocol)
{
    const char *v = protocol ? strstr(protocol, "(version ") : NULL;
    int major;
    if (!v) return 0;
    major = (int)strtol(v + 9, NULL, 10);
    if (major < WW_WWC_HANDBOOK_MIN) return 0;
    return major > WW_WWC_HANDBOOK_MAX ? WW_WWC_HANDBOOK_MAX : major;
}

/* The findings' protocol is the topic ("Beginning Reading"); a report's is
 * the topic with its version. */
static int same_protocol(const char *finding, const char *report)
{
    size_t n;
    if (!finding || !report) return 0;
    n = strlen(finding);
    return strncmp(finding, report, n) == 0 && (report[n] == '\0' || report[n] == ' ');
}

typedef struct finding_row {
    char *domain, *protocol, *study;
    ww_wwc_finding f;
} finding_row;

static void free_rows(finding_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].domain);
        free(rows[i].protocol);
        free(rows[i].study);
    }
    free(rows);
}

static char *dup_col(sqlite3_stmt *st, int i, int *oom)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    char *d;
    if (!s) return NULL;
    if (!(d = strdup(s))) *oom = 1;
    return d;
}

static int load_findings(finding_row **out, size_t *n_out, ww_db *db, int64_t intervention_id)
{
    sqlite3_stmt *st = NULL;
    finding_row *rows = NULL;
    size_t n = 0, alloc = 0;
    int error, rc, oom = 0;

    *out = NULL;
    *n_out = 0;
    if ((error = ww_repo__prepare(
             &st, db,
             "SELECT lower(trim(coalesce(o.domain, ''))), json_extract(o.attrs, '$.protocol'),"
             "  s.study_key, json_extract(o.attrs, '$.finding_rating'),"
             "  (SELECT j.rating FROM judgement j WHERE j.scope = 'study'"
             "    AND j.identity_ns = s.identity_ns AND j.key = s.study_key AND j.finding_key = ''"
             "    ORDER BY j.id LIMIT 1),"
             "  json_extract(o.attrs, '$.is_subgroup'), json_extract(o.attrs, '$.effect_size_wwc'),"
             "  json_extract(o.attrs, '$.improvement_index'),"
             "  json_extract(o.attrs, '$.is_statistically_significant'),"
             "  json_extract(o.attrs, '$.p_value_wwc'),"
             "  json_extract(e.raw, '$.n_treatment'), json_extract(e.raw, '$.n_control'),"
             "  json_extract(o.attrs, '$.outcome_sample_size'), o.higher_is_better"
             "  FROM outcome o JOIN study s ON s.id = o.study_id"
             "  LEFT JOIN effect e ON e.outcome_id = o.id"
             " WHERE s.intervention_id = ?1 AND s.identity_ns = 'wwc' AND o.attrs IS NOT NULL"
             "   AND s.withdrawn_at IS NULL"
             " ORDER BY o.id")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, intervention_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        finding_row *r;
        double g = col_num(st, 6), ii = col_num(st, 7);
        /* A g of 0 beside a nonzero improvement index is a filler: the
         * index is 0 exactly when g is (docs/wwc-rating.md). */
        if (g == 0 && isfinite(ii) && ii != 0) g = NAN;
        int hib = sqlite3_column_int(st, 13);
        if (n == alloc) {
            size_t na = alloc ? alloc * 2 : 32;
            finding_row *p = realloc(rows, na * sizeof *p);
            if (!p) {
                oom = 1;
                break;
            }
            rows = p;
            alloc = na;
        }
        r = &rows[n++];
        memset(r, 0, sizeof *r);
        r->domain = dup_col(st, 0, &oom);
        r->protocol = dup_col(st, 1, &oom);
        r->study = dup_col(st, 2, &oom);
        r->f.study = r->study ? r->study : "";
        r->f.rating = rating_code((const char *)sqlite3_column_text(st, 3));
        if (!r->f.rating) r->f.rating = rating_code((const char *)sqlite3_column_text(st, 4));
        r->f.is_subgroup = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 5);
        if (!isnan(g) && isfinite(ii) && ii != 0)
            r->f.g = ii > 0 ? fabs(g) : -fabs(g); /* as WWC presented it */
        else if (!isnan(g) && hib >= 0)
            r->f.g = hib ? g : -g;
        else if (isnan(g) && isfinite(ii) && fabs(ii) < 50)
            /* WWC published no g but its improvement index, 100 (Phi(g) -
             * 0.5) (Handbook v4.1 appendix F), rounded to a whole number: g
             * from its definition, as WWC signed it. */
            r->f.g = gsl_cdf_ugaussian_Pinv(ii / 100 + 0.5);
        else
            r->f.g = NAN;
        r->f.significant =
            sqlite3_column_type(st, 8) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 8);
        r->f.p = col_num(st, 9);
        r->f.variance = NAN;
        r->f.n_intervention = col_num(st, 10);
        r->f.n_comparison = col_num(st, 11);
        r->f.n = col_num(st, 12);
        if (oom || !r->domain) break;
    }
    if (oom) error = ww__error_oom();
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE) error = ww_repo__sqlite_error(db->sql, rc, db->path);
    ww_repo__release(db, st);
    if (error < 0) {
        free_rows(rows, n);
        return error;
    }
    *out = rows;
    *n_out = n;
    return 0;
}

/* Rate the findings of one domain (and, when protocol is set, of that
 * review protocol) and store the row. */
static int rate_and_store(ww_db *db, int64_t intervention_id, const finding_row *rows, size_t n,
                          const char *domain, const char *protocol, const char *published,
                          long published_n, const char *published_location)
{
    ww_wwc_finding *f = NULL;
    ww_wwc_domain_rating r;
    sqlite3_stmt *st = NULL;
    size_t k = 0;
    int error, handbook = handbook_of(protocol), agree = -1;

    if (!(f = malloc((n ? n : 1) * sizeof *f))) return ww__error_oom();
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].domain, domain) != 0) continue;
        if (protocol && !same_protocol(rows[i].protocol, protocol)) continue;
        f[k++] = rows[i].f;
    }
    /* A report that counts fewer studies than the findings hold is taken to
     * have been written before the later reviews: keep the earliest reviews
     * (lowest ReviewIDs, assuming WWC numbers reviews in order), as many as
     * the report counts (docs/wwc-rating.md, "In the store"). */
    if (published && published_n > 0) {
        long cut = -1;
        size_t distinct = 0;
        for (size_t i = 0; i < k; i++) {
            int seen = 0;
            if (f[i].is_subgroup == 1 || f[i].rating == 3) continue;
            for (size_t j = 0; j < i && !seen; j++)
                seen = !(f[j].is_subgroup == 1 || f[j].rating == 3) && !strcmp(f[j].study, f[i].study);
            if (!seen) distinct++;
        }
        if (distinct > (size_t)published_n) {
            /* the published_n-th smallest review id among the counted */
            long *ids = malloc(distinct * sizeof *ids);
            size_t m = 0;
            if (!ids) {
                free(f);
                return ww__error_oom();
            }
            for (size_t i = 0; i < k; i++) {
                long id = strtol(f[i].study, NULL, 10);
                int seen = 0;
                if (f[i].is_subgroup == 1 || f[i].rating == 3) continue;
                for (size_t j = 0; j < m && !seen; j++) seen = ids[j] == id;
                if (!seen && m < distinct) ids[m++] = id;
            }
            for (size_t a = 1; a < m; a++)
                for (size_t b = a; b > 0 && ids[b - 1] > ids[b]; b--) {
                    long t = ids[b];
                    ids[b] = ids[b - 1];
                    ids[b - 1] = t;
                }
            cut = ids[published_n - 1];
            free(ids);
            {
                size_t j = 0;
                for (size_t i = 0; i < k; i++)
                    if (strtol(f[i].study, NULL, 10) <= cut) f[j++] = f[i];
                k = j;
            }
        }
    }
    if (!k && !published) {
        free(f);
        return 0;
    }
    error = ww_wwc_rate_domain(&r, f, k, handbook);
    free(f);
    if (error < 0) return error;
    if (published) {
        ww_wwc_effectiveness pub;
        if (ww_wwc_effectiveness_parse(&pub, published) == 0) agree = pub == r.rating;
        else ww_error_clear();
    }
    if ((error = ww_repo__prepare(
             &st, db,
             "INSERT OR REPLACE INTO wwc_effectiveness(intervention_id, domain, protocol, handbook,"
             "  rating, reason, n_studies, n_findings, published, published_n_studies,"
             "  published_location, agrees)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, intervention_id);
    sqlite3_bind_text(st, 2, domain, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, protocol ? protocol : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, r.handbook);
    sqlite3_bind_text(st, 5, ww_wwc_effectiveness_name(r.rating), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r.reason, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)r.n_studies);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)r.n_findings);
    if (published) sqlite3_bind_text(st, 9, published, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, 9);
    if (published_n >= 0) sqlite3_bind_int64(st, 10, published_n);
    else sqlite3_bind_null(st, 10);
    if (published_location) sqlite3_bind_text(st, 11, published_location, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, 11);
    if (agree >= 0) sqlite3_bind_int(st, 12, agree);
    else sqlite3_bind_null(st, 12);
    error = sqlite3_step(st) == SQLITE_DONE ? 0 : ww_repo__sqlite_error(db->sql, sqlite3_errcode(db->sql), db->path);
    ww_repo__release(db, st);
    return error;
}

int ww_repo__wwc_effectiveness(ww_db *db, int64_t intervention_id)
{
    sqlite3_stmt *st = NULL;
    finding_row *rows = NULL;
    size_t n = 0;
    int error, rc;

    if ((error = ww_repo__prepare(&st, db, "DELETE FROM wwc_effectiveness WHERE intervention_id = ?1")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, intervention_id);
    rc = sqlite3_step(st);
    ww_repo__release(db, st);
    st = NULL;
    if (rc != SQLITE_DONE) return ww_repo__sqlite_error(db->sql, rc, db->path);
    if ((error = load_findings(&rows, &n, db, intervention_id)) < 0) return error;

    /* every domain, from all the intervention's findings there */
    for (size_t i = 0; i < n && error == 0; i++) {
        int first = 1;
        for (size_t j = 0; j < i && first; j++)
            if (!strcmp(rows[j].domain, rows[i].domain)) first = 0;
        if (first) error = rate_and_store(db, intervention_id, rows, n, rows[i].domain, NULL, NULL, -1, NULL);
    }
    if (error < 0) goto done;

    /* each published report, from the findings of its protocol */
    if ((error = ww_repo__prepare(
             &st, db,
             "SELECT lower(trim(j.domain)), j.protocol, j.rating, coalesce(j.n_studies, -1),"
             "  src.name || ' ' || j.location"
             "  FROM intervention_key k JOIN judgement j ON j.scope = 'intervention'"
             "   AND j.identity_ns = k.identity_ns AND j.key = k.key"
             "  JOIN source src ON src.id = j.source_id"
             " WHERE k.intervention_id = ?1 AND j.body = 'WWC' ORDER BY j.id")) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, intervention_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *domain = (const char *)sqlite3_column_text(st, 0);
        const char *protocol = (const char *)sqlite3_column_text(st, 1);
        const char *rating = (const char *)sqlite3_column_text(st, 2);
        if (!domain || !protocol || !rating) continue;
        if ((error = rate_and_store(db, intervention_id, rows, n, domain, protocol, rating,
                                    (long)sqlite3_column_int64(st, 3),
                                    (const char *)sqlite3_column_text(st, 4))) < 0)
            break;
    }
    if (error == 0 && rc != SQLITE_DONE) error = ww_repo__sqlite_error(db->sql, rc, db->path);
done:
    ww_repo__release(db, st);
    free_rows(rows, n);
    return error;
}

int ww_repo__wwc_effectiveness_rows(ww_wwc_effectiveness_row **out, size_t *n_out, ww_db *db,
                                    ww_arena *arena, int64_t intervention_id)
{
    sqlite3_stmt *st = NULL;
    ww_wwc_effectiveness_row *rows = NULL;
    size_t n = 0, alloc = 0;
    int error, rc;

    *out = NULL;
    *n_out = 0;
    if ((error = ww_repo__prepare(
             &st, db,
             "SELECT domain, protocol, rating, reason, published, published_location, handbook,"
             "  n_studies, n_findings, coalesce(published_n_studies, -1), coalesce(agrees, -1)"
             "  FROM wwc_effectiveness WHERE intervention_id = ?1 ORDER BY domain, protocol != '', protocol")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, intervention_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ww_wwc_effectiveness_row *r;
        if (n == alloc) {
            size_t na = alloc ? alloc * 2 : 8;
            ww_wwc_effectiveness_row *p = ww_arena__alloc(arena, na * sizeof *p);
            if (!p) {
                error = ww__error_oom();
                break;
            }
            if (n) memcpy(p, rows, n * sizeof *p);
            rows = p;
            alloc = na;
        }
        r = &rows[n++];
        r->domain = ww_repo__col_text(st, 0, arena);
        r->protocol = ww_repo__col_text(st, 1, arena);
        r->rating = ww_repo__col_text(st, 2, arena);
        r->reason = ww_repo__col_text(st, 3, arena);
        r->published = ww_repo__col_text(st, 4, arena);
        r->published_location = ww_repo__col_text(st, 5, arena);
        r->handbook = sqlite3_column_int(st, 6);
        r->n_studies = (long)sqlite3_column_int64(st, 7);
        r->n_findings = (long)sqlite3_column_int64(st, 8);
        r->published_n_studies = (long)sqlite3_column_int64(st, 9);
        r->agrees = sqlite3_column_int(st, 10);
        if (!r->domain || !r->rating || !r->reason) {
            error = ww__error_oom();
            break;
        }
    }
    if (error == 0 && rc != SQLITE_DONE) error = ww_repo__sqlite_error(db->sql, rc, db->path);
    ww_repo__release(db, st);
    if (error == 0) {
        *out = rows;
        *n_out = n;
    }
    return error;
}
