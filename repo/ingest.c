/*
 * ingest.c — import one file: read it, hash it, pick its importer, and store
 * what the importer emits through a sink, all in one transaction. The source
 * row keeps the raw bytes and sha256, so every stored number can be traced
 * to (and rebuilt from) the file it came from; a second import of the same
 * bytes is a no-op that says so. Any error-level diagnostic, or any failure
 * while storing, rolls the whole file back: the database is exactly as it
 * was before the file.
 */
#include <errno.h>
#include <math.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../evidence/direction.h"
#include "../evidence/effect.h"
#include "../evidence/placeholder.h"
#include "../evidence/plausibility.h"
#include "../evidence/rigour.h"
#include "../importers/importers.h"
#include "repo_int.h"

/* Larger inputs are refused before reading: 1 GiB (so every offset fits the
 * int that SQLite's blob I/O takes). */
#define MAX_INPUT_BYTES ((size_t)1 << 30)
#define RAW_CHUNK ((size_t)1 << 20)

struct ww_import_report {
    ww_import_status status;
    char format[32];
    char sha256[2 * SHA256_DIGEST_SIZE + 1];
    char *name;
    size_t studies, outcomes, effects;
    /* outcomes with an identity of their own, against earlier versions of
     * their source: new, changed (the old version logged in record_change),
     * unchanged (kept as they were); outcomes of unknown direction */
    size_t added, changed, unchanged, unknown_direction;
    /* effects flagged as implausible; variances corrected for clustering */
    size_t flagged, clustered;
    size_t judgements;
    int update; /* some record updated a study an earlier source stored */
    ww_diags *diags;
    ww_buf grades;   /* the evaluators' fast lane: provisional grades */
    size_t n_graded;
};

/* Grade the first few studies of a file straight from their records, so an
 * evaluator sees the provisional grade, why, and what would raise it, the
 * moment they validate or import (a review with hundreds of studies is
 * graded in the database instead, and read with `whatworks grade`). */
#define FAST_LANE_STUDIES 3

static int fast_lane_grade(ww_import_report *rep, const ww_record *rec)
{
    ww_rigour_input in;
    ww_rigour_grade g;
    int error;
    /* Reviewed sources (a WWC export, a Cochrane review) are graded in the
     * database, where the reviewers' own judgements can be joined. */
    if (rep->n_graded >= FAST_LANE_STUDIES || !rec->provisional) return 0;
    ww_rigour_input_from_record(&in, rec);
    if ((error = ww_rigour_grade_study(&g, &in, NULL)) < 0) return error;
    error = ww_buf__printf(&rep->grades, "  provisional grade%s%s: level %d of 5, Maryland SMS %d, %s (%s)\n",
                           rec->title ? " of " : "", rec->title ? rec->title : "", g.level, g.sms,
                           ww_rigour_wwc_name(g.wwc), g.rules_version);
    for (const char *t = g.trace; error == 0 && t && *t;) {
        size_t n = strcspn(t, "\n");
        error = ww_buf__printf(&rep->grades, "    %.*s\n", (int)n, t);
        t += n + (t[n] == '\n');
    }
    if (error == 0 && g.advice && *g.advice) error = ww_buf__puts(&rep->grades, "  to raise it:\n");
    for (const char *t = g.advice; error == 0 && t && *t;) {
        size_t n = strcspn(t, "\n");
        if (n) error = ww_buf__printf(&rep->grades, "    - %.*s\n", (int)n, t);
        t += n + (t[n] == '\n');
    }
    rep->n_graded++;
    ww_rigour_grade_clear(&g);
    return error;
}

const char *ww_import_report_grades(const ww_import_report *r)
{
    return r->grades.data ? r->grades.data : "";
}

/* ---- the report --------------------------------------------------------- */

void ww_import_report_free(ww_import_report *r)
{
    if (!r) return;
    ww_buf__free(&r->grades);
    ww_diags__free(r->diags);
    free(r->name);
    free(r);
}

ww_import_status ww_import_report_status(const ww_import_report *r) { return r->status; }
const char *ww_import_report_format(const ww_import_report *r) { return r->format; }
const char *ww_import_report_sha256(const ww_import_report *r) { return r->sha256; }
size_t ww_import_report_studies(const ww_import_report *r) { return r->studies; }
size_t ww_import_report_outcomes(const ww_import_report *r) { return r->outcomes; }
size_t ww_import_report_effects(const ww_import_report *r) { return r->effects; }
void ww_import_report_updates(const ww_import_report *r, size_t *added, size_t *changed,
                              size_t *unchanged)
{
    if (added) *added = r->added;
    if (changed) *changed = r->changed;
    if (unchanged) *unchanged = r->unchanged;
}
size_t ww_import_report_diag_count(const ww_import_report *r) { return ww_diags__count(r->diags); }

const ww_diag *ww_import_report_diag(const ww_import_report *r, size_t i)
{
    return ww_diags__get(r->diags, i);
}

int ww_import_report_write(const ww_import_report *r, FILE *fp)
{
    size_t i, n = ww_diags__count(r->diags);
    switch (r->status) {
    case WW_IMPORT_IMPORTED:
        fprintf(fp, "%s: imported (%s): %zu %s, %zu outcomes, %zu effects\n", r->name, r->format,
                r->studies, r->studies == 1 ? "study" : "studies", r->outcomes, r->effects);
        break;
    case WW_IMPORT_VALID:
        fprintf(fp, "%s: valid (%s): %zu %s, %zu outcomes, %zu effects\n", r->name, r->format,
                r->studies, r->studies == 1 ? "study" : "studies", r->outcomes, r->effects);
        break;
    case WW_IMPORT_ALREADY:
        fprintf(fp, "%s: already imported (sha256 %s)\n", r->name, r->sha256);
        break;
    case WW_IMPORT_REJECTED:
        fprintf(fp, "%s: rejected: %zu %s, nothing stored\n", r->name, ww_diags__errors(r->diags),
                ww_diags__errors(r->diags) == 1 ? "problem" : "problems");
        break;
    case WW_IMPORT_SKIPPED:
        fprintf(fp, "%s: not a recognised evidence format\n", r->name);
        break;
    }
    if (r->status == WW_IMPORT_IMPORTED && r->update)
        fprintf(fp, "%s: an update of evidence already stored: %zu %s added, %zu changed (the "
                    "versions they replace are kept in the archive), %zu unchanged\n",
                r->name, r->added, r->added == 1 ? "outcome" : "outcomes", r->changed, r->unchanged);
    if ((r->status == WW_IMPORT_IMPORTED || r->status == WW_IMPORT_VALID) && r->judgements)
        fprintf(fp, "%s: %zu published %s by a review body stored beside our grades\n", r->name,
                r->judgements, r->judgements == 1 ? "judgement" : "judgements");
    if ((r->status == WW_IMPORT_IMPORTED || r->status == WW_IMPORT_VALID) && r->unknown_direction)
        fprintf(fp, "%s: %zu %s whose direction (is higher better?) neither the source nor the "
                    "direction lexicon decides: stored, kept out of pooling (whatworks show lists them)\n",
                r->name, r->unknown_direction, r->unknown_direction == 1 ? "outcome" : "outcomes");
    if ((r->status == WW_IMPORT_IMPORTED || r->status == WW_IMPORT_VALID) && r->flagged)
        fprintf(fp, "%s: %zu %s flagged as implausible (each warning below says why): stored, "
                    "kept out of the pooled results unless asked for (--include-flagged)\n",
                r->name, r->flagged, r->flagged == 1 ? "effect" : "effects");
    if ((r->status == WW_IMPORT_IMPORTED || r->status == WW_IMPORT_VALID) && r->clustered)
        fprintf(fp, "%s: %zu %s from cluster-allocated studies widened by the design effect "
                    "1 + (m - 1) ICC (whatworks show gives each one)\n",
                r->name, r->clustered, r->clustered == 1 ? "variance" : "variances");
    if (r->status == WW_IMPORT_IMPORTED || r->status == WW_IMPORT_VALID)
        fputs(ww_import_report_grades(r), fp);
    for (i = 0; i < n; i++) ww_diags__write_one(ww_diags__get(r->diags, i), fp);
    if (ww_diags__dropped(r->diags))
        fprintf(fp, "%s: ... and %zu more problems not shown\n", r->name, ww_diags__dropped(r->diags));
    return ferror(fp) ? ww__error(WW_EIO, "writing the import report failed") : 0;
}

/* ---- reading ------------------------------------------------------------ */

static int read_file(unsigned char **out, size_t *size_out, const char *path)
{
    struct stat sb;
    FILE *fp;
    unsigned char *data;
    size_t size, got;

    if (stat(path, &sb) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return ww__error(WW_ENOTFOUND, "%s: no such file", path);
        return ww__error(WW_EIO, "%s: %s", path, strerror(errno));
    }
    if (S_ISDIR(sb.st_mode)) return ww__error(WW_EUSAGE, "%s: is a directory, not a file", path);
    if (!S_ISREG(sb.st_mode)) return ww__error(WW_EUSAGE, "%s: not a regular file", path);
    if ((size_t)sb.st_size > MAX_INPUT_BYTES)
        return ww__error(WW_EDATA, "%s: %lld bytes is larger than the limit of %zu", path,
                         (long long)sb.st_size, MAX_INPUT_BYTES);
    size = (size_t)sb.st_size;
    if (!(fp = fopen(path, "rb"))) return ww__error(WW_EIO, "%s: %s", path, strerror(errno));
    if (!(data = malloc(size + 1))) {
        fclose(fp);
        return ww__error_oom();
    }
    got = fread(data, 1, size, fp);
    if (got != size || ferror(fp)) {
        fclose(fp);
        free(data);
        return ww__error(WW_EIO, "%s: read failed", path);
    }
    fclose(fp);
    data[size] = '\0';
    *out = data;
    *size_out = size;
    return 0;
}

static void sha256_hex(char *out, const unsigned char *data, size_t size)
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    static const char hex[] = "0123456789abcdef";
    sha256_init(&ctx);
    sha256_update(&ctx, size, data);
    sha256_digest(&ctx, sizeof digest, digest);
    for (size_t i = 0; i < sizeof digest; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[2 * SHA256_DIGEST_SIZE] = '\0';
}

/* ---- the storing sink --------------------------------------------------- */

typedef struct store {
    ww_db *db;            /* NULL in a dry run: compute and count only */
    sqlite3_int64 source_id;
    ww_import_report *rep;
    const char *file;
    char *last_key; /* dry run: the previous record's study key */
    sqlite3_int64 *touched; /* interventions this source added evidence to */
    size_t n_touched, alloc_touched;
    int replace;            /* ww_import_opts.replace */
    const char *submitter;
    sqlite3_int64 *regrade; /* earlier sources' studies this source changed */
    size_t n_regrade, alloc_regrade;
    ww_buf text_title, text_body; /* a report's full text, indexed at the end */
    int has_text;
} store;

static int touch(store *s, sqlite3_int64 intervention_id)
{
    for (size_t i = 0; i < s->n_touched; i++)
        if (s->touched[i] == intervention_id) return 0;
    if (s->n_touched == s->alloc_touched) {
        size_t na = s->alloc_touched ? s->alloc_touched * 2 : 8;
        sqlite3_int64 *p = realloc(s->touched, na * sizeof *p);
        if (!p) return ww__error_oom();
        s->touched = p;
        s->alloc_touched = na;
    }
    s->touched[s->n_touched++] = intervention_id;
    return 0;
}

/* Remember a study of an earlier source whose evidence this file changed,
 * so its grade is recomputed with the file's own studies. */
static int regrade_later(store *s, sqlite3_int64 study_id)
{
    for (size_t i = 0; i < s->n_regrade; i++)
        if (s->regrade[i] == study_id) return 0;
    if (s->n_regrade == s->alloc_regrade) {
        size_t na = s->alloc_regrade ? s->alloc_regrade * 2 : 8;
        sqlite3_int64 *p = realloc(s->regrade, na * sizeof *p);
        if (!p) return ww__error_oom();
        s->regrade = p;
        s->alloc_regrade = na;
    }
    s->regrade[s->n_regrade++] = study_id;
    return 0;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    /* every bound string outlives the step; STATIC cannot fail to copy */
    if (s) sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, i);
}

static void bind_double(sqlite3_stmt *st, int i, double v)
{
    if (isnan(v)) sqlite3_bind_null(st, i);
    else sqlite3_bind_double(st, i, v);
}

static void bind_count(sqlite3_stmt *st, int i, long v)
{
    if (v < 0) sqlite3_bind_null(st, i);
    else sqlite3_bind_int64(st, i, v);
}

/* Step a prepared statement to completion, optionally reading one id. */
static int step(store *s, sqlite3_stmt *st, sqlite3_int64 *id_out)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (id_out) *id_out = sqlite3_column_int64(st, 0);
        rc = sqlite3_step(st);
    }
    if (rc != SQLITE_DONE) return ww_repo__sqlite_error(s->db->sql, rc, s->file);
    return 0;
}

static int is_ratio_metric(const char *m)
{
    return m && (strcmp(m, "OR") == 0 || strcmp(m, "RR") == 0);
}

/* Compute an outcome's effect from whatever the source reported, on the
 * metric the source asked for (default SMD for means, OR for events). */
static int outcome_effect(ww_effect *e, const char **metric, const ww_outcome_rec *o)
{
    const char *m = o->metric;
    memset(e, 0, sizeof *e);
    switch (o->kind) {
    case WW_OUTCOME_CONTINUOUS:
        if (m && strcmp(m, "MD") == 0) {
            *metric = "MD";
            return ww_effect_md(e, o->mean_treatment, o->sd_treatment, (double)o->n_treatment,
                                o->mean_control, o->sd_control, (double)o->n_control);
        }
        *metric = "SMD";
        return ww_effect_smd(e, o->mean_treatment, o->sd_treatment, (double)o->n_treatment,
                             o->mean_control, o->sd_control, (double)o->n_control, WW_SMD_EXACT);
    case WW_OUTCOME_BINARY: {
        double a = (double)o->events_treatment, b = (double)(o->total_treatment - o->events_treatment);
        double c = (double)o->events_control, d = (double)(o->total_control - o->events_control);
        if (m && strcmp(m, "RR") == 0) {
            *metric = "RR";
            return ww_effect_log_rr(e, a, b, c, d);
        }
        if (m && strcmp(m, "RD") == 0) {
            *metric = "RD";
            return ww_effect_rd(e, a, b, c, d);
        }
        *metric = "OR";
        return ww_effect_log_or(e, a, b, c, d);
    }
    case WW_OUTCOME_REPORTED:
        *metric = o->reported_metric;
        if (!*metric) return ww__error(WW_EDATA, "reported effect has no metric");
        return ww_effect_from_ci(e, o->reported_estimate, o->reported_ci_low, o->reported_ci_high,
                                 is_ratio_metric(*metric));
    case WW_OUTCOME_NONE:
        *metric = NULL;
        return 0;
    case WW_OUTCOME_GENERIC:
        *metric = m;
        if (!m) return ww__error(WW_EDATA, "generic effect has no metric");
        if (!isfinite(o->generic_yi) || !isfinite(o->generic_se) || o->generic_se <= 0)
            return ww__error(WW_EDATA, "generic effect needs a finite estimate and a standard error > 0");
        e->yi = o->generic_yi;
        e->vi = o->generic_se * o->generic_se;
        return 0;
    }
    return ww__error(WW_EDATA, "outcome has no result (continuous, binary, reported or generic)");
}

static long outcome_n(const ww_outcome_rec *o, const ww_record *rec)
{
    /* Arm sizes count whatever the result's kind (a generic effect may come
     * with them, as WWC's g does). */
    if (o->kind != WW_OUTCOME_BINARY && o->n_treatment >= 0 && o->n_control >= 0)
        return o->n_treatment + o->n_control;
    if (o->kind == WW_OUTCOME_BINARY && o->total_treatment >= 0 && o->total_control >= 0)
        return o->total_treatment + o->total_control;
    if (rec->analysed_treatment >= 0 && rec->analysed_control >= 0)
        return rec->analysed_treatment + rec->analysed_control;
    return -1;
}

/* What the trust checks (evidence/plausibility.h) made of one outcome's
 * effect: the clustering correction already applied to the effect's vi, and
 * the plausibility flag. */
typedef struct outcome_check {
    ww_cluster_correction cluster;
    ww_plausibility plaus;
    double vi_uncorrected; /* vi before the design effect */
} outcome_check;

/* Run the checks on a computed effect: multiply its variance by the design
 * effect when the study was allocated by cluster, flag it when implausible,
 * and warn (FILE:LINE: field: problem) for each flag and each clustering
 * problem, in validate and import alike. */
static int check_outcome(store *s, const ww_record *rec, const ww_outcome_rec *o, ww_effect *e,
                         const char *metric, outcome_check *chk)
{
    int error;
    const char *name = o->name ? o->name : "";
    if ((error = ww_plausibility_cluster(&chk->cluster, rec, o, NULL)) < 0 ||
        (error = ww_plausibility_check(&chk->plaus, rec, o, metric, e->yi, e->vi, NULL)) < 0)
        return error;
    chk->vi_uncorrected = e->vi;
    if (o->kind == WW_OUTCOME_NONE) return 0;
    if (chk->cluster.applied) {
        e->vi *= chk->cluster.design_effect;
        s->rep->clustered++;
    }
    if (chk->plaus.rule != WW_PLAUSIBLE) {
        s->rep->flagged++;
        if ((error = ww_diags__add(s->rep->diags, 1, s->file, o->line, chk->plaus.field,
                                   "%s: %s; flagged: stored and shown, not pooled by default",
                                   name, chk->plaus.reason)) < 0)
            return error;
    }
    if (chk->cluster.warn &&
        (error = ww_diags__add(s->rep->diags, 1, s->file, o->line, "clusters", "%s: %s", name,
                               chk->cluster.note)) < 0)
        return error;
    return 0;
}

static int add_search_doc(store *s, sqlite3_int64 intervention_id, const char *kind,
                          const char *title, const char *body)
{
    sqlite3_stmt *st = NULL;
    int error;
    if ((error = ww_repo__prepare(&st, s->db,
                                  "INSERT INTO search_doc(intervention_id, source_id, kind, title, body) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5)")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, intervention_id);
    sqlite3_bind_int64(st, 2, s->source_id);
    bind_text(st, 3, kind);
    bind_text(st, 4, title ? title : "");
    bind_text(st, 5, body ? body : "");
    error = step(s, st, NULL);
    ww_repo__release(s->db, st);
    return error;
}

/* Join non-NULL strings with ". " into an arena-free buffer. */
static int join_text(ww_buf *b, const char *const *parts, size_t n)
{
    int error = 0;
    for (size_t i = 0; i < n && error == 0; i++) {
        if (!parts[i] || !*parts[i]) continue;
        if (b->size) error = ww_buf__puts(b, ". ");
        if (!error) error = ww_buf__puts(b, parts[i]);
    }
    return error;
}

static int store_intervention(store *s, const ww_record *rec, sqlite3_int64 *id_out)
{
    sqlite3_stmt *st = NULL;
    char *slug = NULL;
    int error;

    const char *ph_rule = NULL, *ph_reason = NULL;
    char *placeholder = NULL;

    if ((error = ww_placeholder_match(&ph_rule, &ph_reason, rec->intervention_name)) < 0)
        return error;
    if (error == 1) {
        size_t n = strlen(ph_reason) + strlen(ph_rule) + strlen(ww_placeholder_rules_version()) + 8;
        if (!(placeholder = malloc(n))) return ww__error_oom();
        snprintf(placeholder, n, "%s (%s, %s)", ph_reason, ph_rule, ww_placeholder_rules_version());
    }
    error = 0;
    if (!(slug = ww__slugify(rec->intervention_name))) {
        free(placeholder);
        return WW_ENOMEM;
    }
    if (!*slug) {
        error = ww__error(WW_EDATA, "intervention name '%s' has no letters or digits",
                          rec->intervention_name);
        goto done;
    }
    /* The first source to describe an intervention sets its fields; later
     * sources fill only what is still missing. */
    if ((error = ww_repo__prepare(
             &st, s->db,
             "INSERT INTO intervention(slug, name, description, population, setting, delivery,"
             "  cost_per_participant, cost_price_year, cost_payer, is_example, placeholder)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
             " ON CONFLICT(slug) DO UPDATE SET"
             "  description = coalesce(description, excluded.description),"
             "  population = coalesce(population, excluded.population),"
             "  setting = coalesce(setting, excluded.setting),"
             "  delivery = coalesce(delivery, excluded.delivery),"
             "  cost_per_participant = coalesce(cost_per_participant, excluded.cost_per_participant),"
             "  cost_price_year = coalesce(cost_price_year, excluded.cost_price_year),"
             "  cost_payer = coalesce(cost_payer, excluded.cost_payer),"
             "  is_example = max(is_example, excluded.is_example),"
             "  placeholder = coalesce(placeholder, excluded.placeholder)"
             " RETURNING id")) < 0)
        goto done;
    bind_text(st, 1, slug);
    bind_text(st, 2, rec->intervention_name);
    bind_text(st, 3, rec->intervention_description);
    bind_text(st, 4, rec->population);
    bind_text(st, 5, rec->setting);
    bind_text(st, 6, rec->delivery);
    bind_double(st, 7, rec->cost_per_participant);
    bind_count(st, 8, rec->cost_price_year);
    bind_text(st, 9, rec->cost_payer);
    sqlite3_bind_int(st, 10, rec->is_example ? 1 : 0);
    bind_text(st, 11, placeholder);
    error = step(s, st, id_out);
    ww_repo__release(s->db, st);
    st = NULL;
    if (error == 0 && rec->intervention_key && rec->identity_ns) {
        if ((error = ww_repo__prepare(&st, s->db,
                                      "INSERT OR IGNORE INTO intervention_key(intervention_id, identity_ns, key)"
                                      " VALUES (?1, ?2, ?3)")) < 0)
            goto done;
        sqlite3_bind_int64(st, 1, *id_out);
        bind_text(st, 2, rec->identity_ns);
        bind_text(st, 3, rec->intervention_key);
        error = step(s, st, NULL);
    }
done:
    ww_repo__release(s->db, st);
    free(slug);
    free(placeholder);
    return error;
}

/* Link the presenting issues the source named to the taxonomy. An issue the
 * taxonomy does not know is kept as searchable text and reported. */
static int store_issues(store *s, const ww_record *rec, sqlite3_int64 intervention_id)
{
    sqlite3_stmt *find = NULL, *link = NULL;
    int error;
    if ((error = ww_repo__prepare(&find, s->db,
                                  "SELECT issue_id FROM issue_term WHERE term = ?1 COLLATE NOCASE "
                                  "UNION SELECT id FROM issue WHERE slug = ?1 COLLATE NOCASE")) < 0 ||
        (error = ww_repo__prepare(&link, s->db,
                                  "INSERT OR IGNORE INTO intervention_issue(intervention_id, issue_id, source_id) "
                                  "VALUES (?1, ?2, ?3)")) < 0)
        goto done;
    for (size_t i = 0; i < rec->n_issues; i++) {
        int found = 0, rc;
        sqlite3_bind_text(find, 1, rec->issues[i], -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(find)) == SQLITE_ROW) {
            found = 1;
            sqlite3_bind_int64(link, 1, intervention_id);
            sqlite3_bind_int64(link, 2, sqlite3_column_int64(find, 0));
            sqlite3_bind_int64(link, 3, s->source_id);
            if ((error = step(s, link, NULL)) < 0) goto done;
            sqlite3_reset(link);
        }
        if (rc != SQLITE_DONE) {
            error = ww_repo__sqlite_error(s->db->sql, rc, s->file);
            goto done;
        }
        sqlite3_reset(find);
        if (!found &&
            (error = ww_diags__add(s->rep->diags, 1, s->file, rec->line, "issue",
                                   "'%s' is not in the presenting-issue taxonomy (whatworks issues); "
                                   "kept as searchable text",
                                   rec->issues[i])) < 0)
            goto done;
    }
done:
    ww_repo__release(s->db, find);
    ww_repo__release(s->db, link);
    return error;
}

/* The study this record belongs to: with a study key, an earlier record of
 * the same source, key and intervention may have created it already; with
 * an identity namespace too, so may an earlier source (an older export of
 * the same data): *earlier_out then says so. */
static int find_study(store *s, const ww_record *rec, sqlite3_int64 intervention_id,
                      sqlite3_int64 *id_out, int *earlier_out)
{
    sqlite3_stmt *st = NULL;
    int error, rc;
    *id_out = 0;
    *earlier_out = 0;
    if (!rec->study_key) return 0;
    if (rec->identity_ns)
        error = ww_repo__prepare(&st, s->db,
                                 "SELECT id, source_id != ?1 FROM study WHERE identity_ns = ?4"
                                 " AND study_key = ?2 AND intervention_id = ?3 ORDER BY id LIMIT 1");
    else
        error = ww_repo__prepare(&st, s->db,
                                 "SELECT id, 0 FROM study WHERE source_id = ?1 AND study_key = ?2"
                                 " AND intervention_id = ?3 AND identity_ns IS NULL");
    if (error < 0) return error;
    sqlite3_bind_int64(st, 1, s->source_id);
    sqlite3_bind_text(st, 2, rec->study_key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, intervention_id);
    if (rec->identity_ns) sqlite3_bind_text(st, 4, rec->identity_ns, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id_out = sqlite3_column_int64(st, 0);
        *earlier_out = sqlite3_column_int(st, 1);
    }
    else if (rc != SQLITE_DONE) error = ww_repo__sqlite_error(s->db->sql, rc, s->file);
    ww_repo__release(s->db, st);
    return error;
}

static int store_rob(store *s, const ww_record *rec, sqlite3_int64 study_id)
{
    sqlite3_stmt *st = NULL;
    int error = 0;
    if (!rec->n_rob) return 0;
    if ((error = ww_repo__prepare(&st, s->db,
                                  "INSERT INTO risk_of_bias(study_id, tool, domain, judgement, support, location)"
                                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6)")) < 0)
        return error;
    for (size_t i = 0; i < rec->n_rob && error == 0; i++) {
        const ww_rob_rec *r = &rec->rob[i];
        char where[32];
        snprintf(where, sizeof where, "line %ld", r->line);
        sqlite3_bind_int64(st, 1, study_id);
        bind_text(st, 2, r->tool ? r->tool : "RoB1");
        bind_text(st, 3, r->domain);
        bind_text(st, 4, r->judgement);
        bind_text(st, 5, r->support);
        bind_text(st, 6, where);
        error = step(s, st, NULL);
        sqlite3_reset(st);
    }
    ww_repo__release(s->db, st);
    return error;
}

static int store_study(store *s, const ww_record *rec, sqlite3_int64 intervention_id,
                       sqlite3_int64 *id_out)
{
    sqlite3_stmt *st = NULL;
    int error;
    if ((error = ww_repo__prepare(
             &st, s->db,
             "INSERT INTO study(source_id, intervention_id, title, organisation, authors, year,"
             "  report_url, doi, country, region, design, allocation_unit, comparison,"
             "  assigned_treatment, assigned_control, analysed_treatment, analysed_control,"
             "  baseline_diff_sd, independent, provisional, is_example, location, study_key,"
             "  baseline_adjusted, identity_ns, design_basis)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
             "  ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26) RETURNING id")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, s->source_id);
    sqlite3_bind_int64(st, 2, intervention_id);
    bind_text(st, 3, rec->title);
    bind_text(st, 4, rec->organisation);
    bind_text(st, 5, rec->authors);
    bind_count(st, 6, rec->year);
    bind_text(st, 7, rec->report_url);
    bind_text(st, 8, rec->doi);
    bind_text(st, 9, rec->country);
    bind_text(st, 10, rec->region);
    bind_text(st, 11, ww_design_name(rec->design));
    bind_text(st, 12, rec->allocation_unit);
    bind_text(st, 13, rec->comparison);
    bind_count(st, 14, rec->assigned_treatment);
    bind_count(st, 15, rec->assigned_control);
    bind_count(st, 16, rec->analysed_treatment);
    bind_count(st, 17, rec->analysed_control);
    bind_double(st, 18, rec->baseline_diff_sd);
    if (rec->independent < 0) sqlite3_bind_null(st, 19);
    else sqlite3_bind_int(st, 19, rec->independent);
    sqlite3_bind_int(st, 20, rec->provisional ? 1 : 0);
    sqlite3_bind_int(st, 21, rec->is_example ? 1 : 0);
    bind_text(st, 22, rec->where ? rec->where : "");
    bind_text(st, 23, rec->study_key);
    if (rec->baseline_adjusted < 0) sqlite3_bind_null(st, 24);
    else sqlite3_bind_int(st, 24, rec->baseline_adjusted);
    bind_text(st, 25, rec->study_key ? rec->identity_ns : NULL);
    bind_text(st, 26, rec->design_basis);
    error = step(s, st, id_out);
    ww_repo__release(s->db, st);
    return error;
}

static int store_outcome(store *s, const ww_record *rec, const ww_outcome_rec *o,
                         sqlite3_int64 study_id, const ww_effect *e, const char *metric,
                         const outcome_check *chk)
{
    sqlite3_stmt *st = NULL;
    sqlite3_int64 outcome_id;
    int error;
    const char *where = o->where ? o->where : "";

    if ((error = ww_repo__prepare(&st, s->db,
                                  "INSERT INTO outcome(study_id, name, domain, timepoint, higher_is_better, location,"
                                  "  direction_rule, source_key, digest, attrs, source_id)"
                                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, study_id);
    bind_text(st, 2, o->name);
    bind_text(st, 3, o->domain);
    bind_text(st, 4, o->timepoint);
    sqlite3_bind_int(st, 5, o->higher_is_better < 0 ? -1 : o->higher_is_better ? 1 : 0);
    bind_text(st, 6, where);
    /* a lexicon rule is stored with the lexicon's version that decided it */
    if (!o->direction_rule || !strcmp(o->direction_rule, "source")) {
        bind_text(st, 7, "source");
    } else {
        char rule[160];
        snprintf(rule, sizeof rule, "%s (%s)", o->direction_rule,
                 ww_direction_lexicon_version() ? ww_direction_lexicon_version() : "lexicon");
        sqlite3_bind_text(st, 7, rule, -1, SQLITE_TRANSIENT);
    }
    bind_text(st, 8, o->source_key);
    bind_text(st, 9, o->digest);
    bind_text(st, 10, o->attrs_json);
    sqlite3_bind_int64(st, 11, s->source_id);
    error = step(s, st, &outcome_id);
    ww_repo__release(s->db, st);
    if (error < 0 || o->kind == WW_OUTCOME_NONE) return error;

    /* The raw statistics go in as JSON built by SQLite itself; missing
     * values are JSON null, never 0. */
    if ((error = ww_repo__prepare(
             &st, s->db,
             "INSERT INTO effect(outcome_id, metric, yi, vi, smd_correction, cells_adjusted,"
             "  n_participants, raw, reported_estimate, reported_ci_low, reported_ci_high, location,"
             "  extracted, confidence, text_offset, text_length, flag, flag_reason,"
             "  design_effect, clustering, vi_uncorrected)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
             "  json_object('kind', ?8, 'mean_treatment', ?9, 'sd_treatment', ?10, 'n_treatment', ?11,"
             "   'mean_control', ?12, 'sd_control', ?13, 'n_control', ?14,"
             "   'events_treatment', ?15, 'total_treatment', ?16, 'events_control', ?17,"
             "   'total_control', ?18, 'reported_metric', ?19, 'generic_yi', ?24,"
             "   'generic_se', ?25),"
             "  ?20, ?21, ?22, ?23, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34)")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, outcome_id);
    bind_text(st, 2, metric);
    sqlite3_bind_double(st, 3, e->yi);
    sqlite3_bind_double(st, 4, e->vi);
    bind_text(st, 5, o->kind == WW_OUTCOME_CONTINUOUS ? "exact" : NULL);
    sqlite3_bind_int(st, 6, e->cells_adjusted);
    bind_count(st, 7, outcome_n(o, rec));
    bind_text(st, 8, o->kind == WW_OUTCOME_CONTINUOUS ? "continuous"
                     : o->kind == WW_OUTCOME_BINARY   ? "binary"
                     : o->kind == WW_OUTCOME_GENERIC  ? "generic"
                                                      : "reported");
    bind_double(st, 9, o->mean_treatment);
    bind_double(st, 10, o->sd_treatment);
    bind_count(st, 11, o->n_treatment);
    bind_double(st, 12, o->mean_control);
    bind_double(st, 13, o->sd_control);
    bind_count(st, 14, o->n_control);
    bind_count(st, 15, o->events_treatment);
    bind_count(st, 16, o->total_treatment);
    bind_count(st, 17, o->events_control);
    bind_count(st, 18, o->total_control);
    bind_text(st, 19, o->reported_metric);
    bind_double(st, 20, o->reported_estimate);
    bind_double(st, 21, o->reported_ci_low);
    bind_double(st, 22, o->reported_ci_high);
    bind_text(st, 23, where);
    bind_double(st, 24, o->generic_yi);
    bind_double(st, 25, o->generic_se);
    sqlite3_bind_int(st, 26, o->extracted ? 1 : 0);
    bind_double(st, 27, o->confidence);
    bind_count(st, 28, o->text_offset);
    bind_count(st, 29, o->text_length);
    bind_text(st, 30, chk->plaus.rule != WW_PLAUSIBLE ? ww_plausibility_rule_name(chk->plaus.rule) : NULL);
    bind_text(st, 31, chk->plaus.rule != WW_PLAUSIBLE ? chk->plaus.reason : NULL);
    bind_double(st, 32, chk->cluster.applied ? chk->cluster.design_effect : NAN);
    bind_text(st, 33, chk->cluster.note[0] ? chk->cluster.note : NULL);
    bind_double(st, 34, chk->cluster.applied ? chk->vi_uncorrected : NAN);
    error = step(s, st, NULL);
    ww_repo__release(s->db, st);
    return error;
}

/* Changed outcomes and moved grades listed one by one in an update. */
#define CHANGES_LISTED 20

/* What becomes of an outcome with an identity of its own (source_key) in a
 * study an earlier source or record already holds. */
enum outcome_fate { FATE_NEW, FATE_UNCHANGED, FATE_CHANGED };

/* Compare the outcome with the stored one of the same key: unchanged when
 * their digests agree; changed otherwise, after the old version (outcome,
 * effects, where it came from) is copied into record_change and removed, so
 * the new one takes its place and nothing is counted twice. The source
 * file of the old version stays in `source`, byte for byte. */
static int outcome_fate(store *s, const ww_record *rec, const ww_outcome_rec *o,
                        sqlite3_int64 study_id, enum outcome_fate *fate)
{
    sqlite3_stmt *st = NULL;
    sqlite3_int64 old_id = 0;
    int error, rc, same = 0;

    *fate = FATE_NEW;
    if (!o->source_key) return 0;
    if ((error = ww_repo__prepare(&st, s->db,
                                  "SELECT o.id, o.digest IS ?3, o.location, src.name FROM outcome o"
                                  "  JOIN study st ON st.id = o.study_id"
                                  "  JOIN source src ON src.id = coalesce(o.source_id, st.source_id)"
                                  " WHERE o.study_id = ?1 AND o.source_key = ?2 ORDER BY o.id LIMIT 1")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, study_id);
    sqlite3_bind_text(st, 2, o->source_key, -1, SQLITE_STATIC);
    bind_text(st, 3, o->digest);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        old_id = sqlite3_column_int64(st, 0);
        same = sqlite3_column_int(st, 1);
        /* A change is never silent: the first ones are listed, all counted. */
        if (!same && s->rep->changed < CHANGES_LISTED)
            error = ww_diags__add(s->rep->diags, 1, s->file, o->line, "update",
                                  "outcome %s: changed since %s (%s); the earlier version is kept "
                                  "in the archive",
                                  o->source_key, (const char *)sqlite3_column_text(st, 3),
                                  (const char *)sqlite3_column_text(st, 2));
    } else if (rc != SQLITE_DONE) {
        error = ww_repo__sqlite_error(s->db->sql, rc, s->file);
    }
    ww_repo__release(s->db, st);
    st = NULL;
    if (error < 0 || !old_id) return error;
    if (same && o->digest) {
        *fate = FATE_UNCHANGED;
        return 0;
    }
    *fate = FATE_CHANGED;
    if ((error = ww_repo__prepare(
             &st, s->db,
             "INSERT INTO record_change(source_id, identity_ns, study_key, source_key, action,"
             "  old_source_id, old_location, old_record, new_location)"
             " SELECT ?1, ?2, ?3, o.source_key, 'changed', coalesce(o.source_id, st.source_id), o.location,"
             "  json_object('name', o.name, 'domain', o.domain, 'timepoint', o.timepoint,"
             "   'higher_is_better', o.higher_is_better, 'direction_rule', o.direction_rule,"
             "   'digest', o.digest, 'attrs', json(o.attrs),"
             "   'effects', (SELECT json_group_array(json_object('metric', e.metric, 'yi', e.yi,"
             "      'vi', e.vi, 'raw', json(e.raw), 'reported_estimate', e.reported_estimate,"
             "      'location', e.location)) FROM effect e WHERE e.outcome_id = o.id)),"
             "  ?4"
             " FROM outcome o JOIN study st ON st.id = o.study_id WHERE o.id = ?5")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, s->source_id);
    bind_text(st, 2, rec->identity_ns);
    bind_text(st, 3, rec->study_key);
    bind_text(st, 4, o->where ? o->where : "");
    sqlite3_bind_int64(st, 5, old_id);
    error = step(s, st, NULL);
    ww_repo__release(s->db, st);
    st = NULL;
    if (error < 0) return error;
    if ((error = ww_repo__prepare(&st, s->db, "DELETE FROM outcome WHERE id = ?1")) < 0) return error;
    sqlite3_bind_int64(st, 1, old_id);
    error = step(s, st, NULL);
    ww_repo__release(s->db, st);
    return error;
}

/* Log an outcome added to a study an earlier source stored. */
static int log_added(store *s, const ww_record *rec, const ww_outcome_rec *o)
{
    sqlite3_stmt *st = NULL;
    int error;
    if ((error = ww_repo__prepare(&st, s->db,
                                  "INSERT INTO record_change(source_id, identity_ns, study_key, source_key,"
                                  "  action, new_location) VALUES (?1, ?2, ?3, ?4, 'added', ?5)")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, s->source_id);
    bind_text(st, 2, rec->identity_ns);
    bind_text(st, 3, rec->study_key);
    bind_text(st, 4, o->source_key);
    bind_text(st, 5, o->where ? o->where : "");
    error = step(s, st, NULL);
    ww_repo__release(s->db, st);
    return error;
}

static int store_benefits(store *s, const ww_record *rec, sqlite3_int64 intervention_id)
{
    sqlite3_stmt *st = NULL;
    int error = 0;
    if (!rec->n_benefits) return 0;
    if ((error = ww_repo__prepare(
             &st, s->db,
             "INSERT INTO benefit_stream(intervention_id, source_id, agency, amount_per_participant_year,"
             "  first_year, last_year, price_year, confidence, source_text, location)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")) < 0)
        return error;
    for (size_t i = 0; i < rec->n_benefits && error == 0; i++) {
        const ww_benefit_rec *b = &rec->benefits[i];
        char where[32];
        snprintf(where, sizeof where, "line %ld", b->line);
        sqlite3_bind_int64(st, 1, intervention_id);
        sqlite3_bind_int64(st, 2, s->source_id);
        bind_text(st, 3, b->agency);
        bind_double(st, 4, b->amount_per_participant_year);
        sqlite3_bind_int(st, 5, b->first_year);
        sqlite3_bind_int(st, 6, b->last_year);
        bind_count(st, 7, b->price_year);
        bind_count(st, 8, b->confidence);
        bind_text(st, 9, b->source);
        bind_text(st, 10, where);
        error = step(s, st, NULL);
        sqlite3_reset(st);
    }
    ww_repo__release(s->db, st);
    return error;
}

static int index_record(store *s, const ww_record *rec, sqlite3_int64 intervention_id,
                        int new_study, const unsigned char *skip)
{
    ww_buf body = WW_BUF_INIT;
    int error = 0;
    const char *iparts[] = {rec->intervention_description, rec->population, rec->setting,
                            rec->delivery};
    const char *sparts[] = {rec->organisation, rec->authors, rec->comparison, rec->country,
                            rec->region, rec->notes};

    /* The intervention and study text once per study; outcomes always. */
    if (!new_study) goto outcomes;
    if ((error = join_text(&body, iparts, sizeof iparts / sizeof iparts[0])) < 0) goto done;
    for (size_t i = 0; i < rec->n_issues && error == 0; i++) {
        const char *one[] = {rec->issues[i]};
        error = join_text(&body, one, 1);
    }
    if (error < 0 ||
        (error = add_search_doc(s, intervention_id, "intervention", rec->intervention_name,
                                body.data)) < 0)
        goto done;
    ww_buf__free(&body);
    if ((error = join_text(&body, sparts, sizeof sparts / sizeof sparts[0])) < 0 ||
        (error = add_search_doc(s, intervention_id, "study", rec->title, body.data)) < 0)
        goto done;
outcomes:
    for (size_t i = 0; i < rec->n_outcomes && error == 0; i++) {
        const ww_outcome_rec *o = &rec->outcomes[i];
        if (skip && skip[i]) continue; /* unchanged: indexed when first stored */
        ww_buf__free(&body);
        const char *oparts[] = {o->domain, o->timepoint};
        if ((error = join_text(&body, oparts, 2)) == 0)
            error = add_search_doc(s, intervention_id, "outcome", o->name, body.data);
    }
done:
    ww_buf__free(&body);
    return error;
}

/* An evaluation's identity, the same whether it came as XML or as the
 * pilot CSV, with or without a byte-order mark or CRLF line ends: its
 * title, organisation, year and intervention, each lower-cased with every
 * run of characters other than letters and digits made one space
 * (docs/submission.md, "One evaluation, one study"). */
static void norm_part(ww_buf *b, const char *s, int *error)
{
    int space = 0;
    if (*error < 0) return;
    for (; s && *s && *error == 0; s++) {
        unsigned char c = (unsigned char)*s;
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
        if (c >= 'A' && c <= 'Z') {
            c = (unsigned char)(c - 'A' + 'a');
            alnum = 1;
        }
        if (!alnum) {
            space = b->size > 0;
            continue;
        }
        if (space && b->data && b->data[b->size - 1] != '|') *error = ww_buf__puts(b, " ");
        space = 0;
        if (*error == 0) *error = ww_buf__printf(b, "%c", c);
    }
    if (*error == 0) *error = ww_buf__puts(b, "|");
}

static int evaluation_identity(ww_buf *key, const ww_record *rec)
{
    int error = 0;
    char year[16];
    snprintf(year, sizeof year, "%d", rec->year);
    norm_part(key, rec->title, &error);
    norm_part(key, rec->organisation, &error);
    norm_part(key, rec->year >= 0 ? year : "", &error);
    norm_part(key, rec->intervention_name, &error);
    return error;
}

/* A second copy of an evaluation already stored is refused, unless the
 * import replaces it: then the stored study (its outcomes, effects and
 * risk-of-bias rows) is removed from the evidence — its source file stays
 * in the archive — and the audit log records the replacement. */
static int replace_or_refuse(store *s, const ww_record *rec, sqlite3_int64 study_id,
                             sqlite3_int64 *supersede)
{
    sqlite3_stmt *st = NULL;
    int error, rc;
    sqlite3_int64 old_source = 0;
    char *old_name = NULL;

    if ((error = ww_repo__prepare(&st, s->db,
                                  "SELECT s.source_id, src.name FROM study s JOIN source src"
                                  " ON src.id = s.source_id WHERE s.id = ?1")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, study_id);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        old_source = sqlite3_column_int64(st, 0);
        if (sqlite3_column_text(st, 1)) old_name = strdup((const char *)sqlite3_column_text(st, 1));
    }
    ww_repo__release(s->db, st);
    st = NULL;
    if (!s->replace) {
        error = ww_diags__add(s->rep->diags, 0, s->file, 0, NULL,
                              "already imported as study %lld (same evaluation: '%s', %s, %d, "
                              "intervention '%s'; from %s); `whatworks import --replace` "
                              "supersedes it, `whatworks withdraw %lld --reason TEXT` takes it out",
                              (long long)study_id, rec->title ? rec->title : "",
                              rec->organisation ? rec->organisation : "", rec->year,
                              rec->intervention_name, old_name ? old_name : "an earlier file",
                              (long long)study_id);
        free(old_name);
        return error;
    }
    free(old_name);
    if ((error = ww_repo__prepare(&st, s->db,
                                  "INSERT INTO audit(action, source_id, detail) VALUES ('replace', ?1,"
                                  " json_object('study', ?2, 'old_source', ?3, 'submitter', ?4,"
                                  "  'evaluation', ?5))")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, s->source_id);
    sqlite3_bind_int64(st, 2, study_id);
    sqlite3_bind_int64(st, 3, old_source);
    bind_text(st, 4, s->submitter);
    bind_text(st, 5, rec->study_key);
    error = step(s, st, NULL);
    ww_repo__release(s->db, st);
    st = NULL;
    if (error < 0) return error;
    /* removed once the new version is stored, so ids are never reused */
    *supersede = study_id;
    error = ww_diags__add(s->rep->diags, 1, s->file, 0, NULL,
                              "replaces study %lld (same evaluation; the earlier file stays in the "
                              "archive, the audit log records the replacement)",
                              (long long)study_id);
    return error;
}

static int store_record(void *ctx, const ww_record *rec_in)
{
    store *s = ctx;
    sqlite3_int64 intervention_id = 0, study_id = 0;
    int new_study = 0, earlier = 0;
    ww_effect *effects = NULL;
    const char **metrics = NULL;
    outcome_check *checks = NULL;
    unsigned char *skip = NULL;
    ww_record local;
    const ww_record *rec = rec_in;
    sqlite3_int64 supersede = 0;
    ww_buf identity = WW_BUF_INIT;
    int error = 0;

    if (!rec->intervention_name || !*rec->intervention_name)
        return ww_diags__add(s->rep->diags, 0, s->file, rec->line, "intervention",
                             "record has no intervention name");
    /* A submission (provisional, with no identity of its own in a source)
     * is one evaluation: its identity is its normalised title,
     * organisation, year and intervention. */
    if (rec->provisional && !rec->identity_ns && !rec->study_key && rec->title) {
        if ((error = evaluation_identity(&identity, rec)) < 0) {
            ww_buf__free(&identity);
            return error;
        }
        local = *rec;
        local.identity_ns = "submission";
        local.study_key = identity.data;
        rec = &local;
    }

    /* Compute every effect before writing anything: a record whose numbers
     * cannot give an effect is reported, with its outcome's line. */
    if (rec->n_outcomes &&
        (!(effects = calloc(rec->n_outcomes, sizeof *effects)) ||
         !(metrics = calloc(rec->n_outcomes, sizeof *metrics)) ||
         !(checks = calloc(rec->n_outcomes, sizeof *checks)))) {
        error = ww__error_oom();
        goto done;
    }
    for (size_t i = 0; i < rec->n_outcomes; i++) {
        if (outcome_effect(&effects[i], &metrics[i], &rec->outcomes[i]) < 0) {
            if ((error = ww_diags__add(s->rep->diags, 0, s->file, rec->outcomes[i].line, "outcome",
                                       "%s: %s", rec->outcomes[i].name ? rec->outcomes[i].name : "",
                                       ww_error_last())) < 0)
                goto done;
        } else if ((error = check_outcome(s, rec, &rec->outcomes[i], &effects[i], metrics[i],
                                          &checks[i])) < 0) {
            goto done;
        }
    }
    if (ww_diags__errors(s->rep->diags)) goto done;
    if ((error = fast_lane_grade(s->rep, rec)) < 0) goto done;

    for (size_t i = 0; i < rec->n_outcomes; i++)
        if (rec->outcomes[i].higher_is_better < 0) s->rep->unknown_direction++;
    if (!s->db) {
        s->rep->outcomes += rec->n_outcomes;
        for (size_t i = 0; i < rec->n_outcomes; i++)
            if (rec->outcomes[i].kind != WW_OUTCOME_NONE) s->rep->effects++;
        /* A dry run cannot look up earlier studies: count a keyed record as
         * a new study when its key differs from the previous record's. */
        if (!rec->study_key || !s->last_key || strcmp(rec->study_key, s->last_key) != 0)
            s->rep->studies++;
        free(s->last_key);
        s->last_key = rec->study_key ? strdup(rec->study_key) : NULL;
        goto done;
    }

    if ((error = store_intervention(s, rec, &intervention_id)) < 0 ||
        (error = touch(s, intervention_id)) < 0 ||
        (error = store_issues(s, rec, intervention_id)) < 0 ||
        (error = find_study(s, rec, intervention_id, &study_id, &earlier)) < 0)
        goto done;
    if (study_id && earlier && rec->identity_ns && !strcmp(rec->identity_ns, "submission")) {
        if ((error = replace_or_refuse(s, rec, study_id, &supersede)) < 0 ||
            ww_diags__errors(s->rep->diags))
            goto done;
        study_id = 0;
        earlier = 0;
    }
    if (!study_id) {
        if ((error = store_study(s, rec, intervention_id, &study_id)) < 0 ||
            (error = store_rob(s, rec, study_id)) < 0)
            goto done;
        if (supersede) {
            sqlite3_stmt *del = NULL;
            if ((error = ww_repo__prepare(&del, s->db, "DELETE FROM study WHERE id = ?1")) < 0) goto done;
            sqlite3_bind_int64(del, 1, supersede);
            error = step(s, del, NULL);
            ww_repo__release(s->db, del);
            if (error < 0) goto done;
        }
        new_study = 1;
        s->rep->studies++;
    } else if (earlier) {
        s->rep->update = 1;
        if ((error = regrade_later(s, study_id)) < 0) goto done;
    }
    if (rec->n_outcomes && !(skip = calloc(rec->n_outcomes, 1))) {
        error = ww__error_oom();
        goto done;
    }
    for (size_t i = 0; i < rec->n_outcomes; i++) {
        const ww_outcome_rec *o = &rec->outcomes[i];
        enum outcome_fate fate = FATE_NEW;
        if (!new_study && (error = outcome_fate(s, rec, o, study_id, &fate)) < 0) goto done;
        if (fate == FATE_UNCHANGED) {
            skip[i] = 1;
            s->rep->unchanged++;
            continue;
        }
        if (o->source_key) {
            if (fate == FATE_CHANGED) s->rep->changed++;
            else s->rep->added++;
            if (fate == FATE_NEW && earlier && (error = log_added(s, rec, o)) < 0) goto done;
        }
        s->rep->outcomes++;
        if (o->kind != WW_OUTCOME_NONE) s->rep->effects++;
        if ((error = store_outcome(s, rec, o, study_id, &effects[i], metrics[i], &checks[i])) < 0)
            goto done;
    }
    if ((error = store_benefits(s, rec, intervention_id)) < 0) goto done;
    error = index_record(s, rec, intervention_id, new_study, skip);
done:
    free(effects);
    free(metrics);
    free(checks);
    free(skip);
    ww_buf__free(&identity);
    return error;
}

/* A source's own pooled figures beside ours (reported_pooled). */
static int store_pooled(void *ctx, const ww_pooled_check *c)
{
    store *s = ctx;
    sqlite3_stmt *st = NULL;
    char where[32];
    int error;
    if (!s->db) return 0;
    if ((error = ww_repo__prepare(
             &st, s->db,
             "INSERT INTO reported_pooled(source_id, analysis_id, name, metric, method, random, k,"
             "  reported_estimate, reported_ci_low, reported_ci_high, reported_tau2, reported_i2,"
             "  reported_q, reported_z, estimate, ci_low, ci_high, tau2, i2, q, z, max_rel_diff, location)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
             "  ?18, ?19, ?20, ?21, ?22, ?23)")) < 0)
        return error;
    snprintf(where, sizeof where, "line %ld", c->line);
    sqlite3_bind_int64(st, 1, s->source_id);
    bind_text(st, 2, c->analysis_id ? c->analysis_id : "");
    bind_text(st, 3, c->name);
    bind_text(st, 4, c->metric);
    bind_text(st, 5, c->method);
    if (c->random < 0) sqlite3_bind_null(st, 6);
    else sqlite3_bind_int(st, 6, c->random);
    bind_count(st, 7, c->k);
    bind_double(st, 8, c->reported_estimate);
    bind_double(st, 9, c->reported_ci_low);
    bind_double(st, 10, c->reported_ci_high);
    bind_double(st, 11, c->reported_tau2);
    bind_double(st, 12, c->reported_i2);
    bind_double(st, 13, c->reported_q);
    bind_double(st, 14, c->reported_z);
    bind_double(st, 15, c->estimate);
    bind_double(st, 16, c->ci_low);
    bind_double(st, 17, c->ci_high);
    bind_double(st, 18, c->tau2);
    bind_double(st, 19, c->i2);
    bind_double(st, 20, c->q);
    bind_double(st, 21, c->z);
    bind_double(st, 22, c->max_rel_diff);
    bind_text(st, 23, where);
    error = step(s, st, NULL);
    ww_repo__release(s->db, st);
    return error;
}

/* A unit cost from a reference dataset (importers.h), with where it was
 * read (sheet!cell) and the file it came from. The same dataset and code
 * from a later file replaces the row: the newer file wins. */
static int store_unit_cost(void *ctx, const ww_unit_cost *u)
{
    store *s = ctx;
    sqlite3_stmt *st = NULL;
    char where[512];
    int error;
    if (!u->code || !*u->code)
        return ww_diags__add(s->rep->diags, 0, s->file, u->line, "unit cost", "a unit cost needs a code");
    if (!s->db) return 0;
    if ((error = ww_repo__prepare(
             &st, s->db,
             "INSERT OR REPLACE INTO unit_cost(source_id, dataset, code, category, detail, description,"
             "  unit, agency, agency_detail, fiscal_value, fiscal_price_year, economic_value,"
             "  economic_price_year, social_value, social_price_year, confidence, source_text, comment,"
             "  licence, location)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
             "  ?19, ?20)")) < 0)
        return error;
    snprintf(where, sizeof where, "%s!%s", u->sheet ? u->sheet : "", u->cell ? u->cell : "");
    sqlite3_bind_int64(st, 1, s->source_id);
    bind_text(st, 2, u->dataset ? u->dataset : s->file);
    bind_text(st, 3, u->code);
    bind_text(st, 4, u->category);
    bind_text(st, 5, u->detail);
    bind_text(st, 6, u->description);
    bind_text(st, 7, u->unit);
    bind_text(st, 8, u->agency);
    bind_text(st, 9, u->agency_detail);
    bind_double(st, 10, u->fiscal);
    bind_text(st, 11, u->fiscal_price_year);
    bind_double(st, 12, u->economic);
    bind_text(st, 13, u->economic_price_year);
    bind_double(st, 14, u->social);
    bind_text(st, 15, u->social_price_year);
    bind_text(st, 16, u->confidence);
    bind_text(st, 17, u->source_text);
    bind_text(st, 18, u->comment);
    bind_text(st, 19, u->licence);
    bind_text(st, 20, where);
    error = step(s, st, NULL);
    ww_repo__release(s->db, st);
    return error;
}

/* A report's full text: kept until the file's records are in, then indexed
 * with the intervention they named (a report's text may come first). */
/* A review body's published judgement (importers.h), stored beside our own
 * grades. A later file with the same judgement (same body, scope, key,
 * finding and domain) replaces it: the newer publication wins. Studies and
 * interventions it names are joined by key when graded and shown, so the
 * files may arrive in any order. */
static int store_judgement(void *ctx, const ww_judgement *j)
{
    store *s = ctx;
    sqlite3_stmt *st = NULL;
    int error;
    if (!j->key || !*j->key || !j->body || !j->identity_ns)
        return ww_diags__add(s->rep->diags, 0, s->file, j->line, "judgement",
                             "a published judgement needs a body, a namespace and a key");
    s->rep->judgements++;
    if (!s->db) return 0;
    if ((error = ww_repo__prepare(
             &st, s->db,
             "INSERT INTO judgement(source_id, scope, body, identity_ns, key, finding_key, domain,"
             "  intervention_name, design, design_text, rating, reason, standards, protocol,"
             "  n_studies, n_eligible, url, location)"
             " VALUES (?1, ?2, ?3, ?4, ?5, coalesce(?6, ''), coalesce(?7, ''), ?8, ?9, ?10, ?11,"
             "  ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
             " ON CONFLICT(scope, body, identity_ns, key, finding_key, domain) DO UPDATE SET"
             "  source_id = excluded.source_id, intervention_name = excluded.intervention_name,"
             "  design = excluded.design, design_text = excluded.design_text,"
             "  rating = excluded.rating, reason = excluded.reason, standards = excluded.standards,"
             "  protocol = excluded.protocol, n_studies = excluded.n_studies,"
             "  n_eligible = excluded.n_eligible, url = excluded.url, location = excluded.location")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, s->source_id);
    bind_text(st, 2, j->scope == WW_JUDGEMENT_INTERVENTION ? "intervention" : "study");
    bind_text(st, 3, j->body);
    bind_text(st, 4, j->identity_ns);
    bind_text(st, 5, j->key);
    bind_text(st, 6, j->finding_key);
    bind_text(st, 7, j->domain);
    bind_text(st, 8, j->intervention_name);
    bind_text(st, 9, j->design == WW_DESIGN_UNKNOWN ? NULL : ww_design_name(j->design));
    bind_text(st, 10, j->design_text);
    bind_text(st, 11, j->rating);
    bind_text(st, 12, j->reason);
    bind_text(st, 13, j->standards);
    bind_text(st, 14, j->protocol);
    bind_count(st, 15, j->n_studies);
    bind_count(st, 16, j->n_eligible);
    bind_text(st, 17, j->url);
    bind_text(st, 18, j->where ? j->where : "");
    error = step(s, st, NULL);
    ww_repo__release(s->db, st);
    return error;
}

/* Studies of earlier sources that this file's judgements are about: they are
 * regraded, and their interventions resynthesised, with the file's own. */
static int judged_studies(store *s)
{
    sqlite3_stmt *st = NULL;
    int error, rc;
    if (!s->rep->judgements) return 0;
    if ((error = ww_repo__prepare(
             &st, s->db,
             "SELECT DISTINCT st.id, st.intervention_id FROM judgement j"
             "  JOIN study st ON st.identity_ns = j.identity_ns AND st.study_key = j.key"
             " WHERE j.source_id = ?1 AND j.scope = 'study'"
             " UNION"
             " SELECT DISTINCT NULL, k.intervention_id FROM judgement j"
             "  JOIN intervention_key k ON k.identity_ns = j.identity_ns AND k.key = j.key"
             " WHERE j.source_id = ?1 AND j.scope = 'intervention'")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, s->source_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) != SQLITE_NULL &&
            (error = regrade_later(s, sqlite3_column_int64(st, 0))) < 0)
            break;
        if ((error = touch(s, sqlite3_column_int64(st, 1))) < 0) break;
    }
    if (error == 0 && rc != SQLITE_DONE) error = ww_repo__sqlite_error(s->db->sql, rc, s->file);
    ww_repo__release(s->db, st);
    return error;
}

static int store_text(void *ctx, const char *title, const char *body)
{
    store *s = ctx;
    int error;
    s->has_text = 1;
    if (s->text_body.size && (error = ww_buf__puts(&s->text_body, "\n\n")) < 0) return error;
    if (!s->text_title.size && title && (error = ww_buf__puts(&s->text_title, title)) < 0) return error;
    return ww_buf__puts(&s->text_body, body ? body : "");
}

static int index_text(store *s)
{
    if (!s->has_text || !s->db) return 0;
    if (!s->n_touched)
        return ww_diags__add(s->rep->diags, 1, s->file, 0, NULL,
                             "the text names no intervention, so it is archived but not indexed");
    return add_search_doc(s, s->touched[0], "report", s->text_title.data, s->text_body.data);
}

/* ---- the transaction ---------------------------------------------------- */

static int source_exists(ww_db *db, const char *sha256, int *exists)
{
    sqlite3_stmt *st = NULL;
    int error, rc;
    if ((error = ww_repo__prepare(&st, db, "SELECT 1 FROM source WHERE sha256 = ?1")) < 0) return error;
    sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    *exists = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) error = ww_repo__sqlite_error(db->sql, rc, db->path);
    ww_repo__release(db, st);
    return error;
}

static int insert_source(store *s, const ww_input *in, const char *format, const char *sha256,
                         const char *submitter)
{
    sqlite3_stmt *st = NULL;
    int error;
    if ((error = ww_repo__prepare(&st, s->db,
                                  "INSERT INTO source(sha256, format, name, size, submitter, raw)"
                                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id")) < 0)
        return error;
    sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, format, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, in->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)in->size);
    bind_text(st, 5, submitter);
    /* The raw bytes go in through incremental blob I/O: binding them whole
     * would make SQLite assemble a second in-memory copy of a large file. */
    sqlite3_bind_zeroblob64(st, 6, in->size);
    error = step(s, st, &s->source_id);
    ww_repo__release(s->db, st);
    if (error == 0 && in->size) {
        sqlite3_blob *blob = NULL;
        int rc = sqlite3_blob_open(s->db->sql, "main", "source", "raw", s->source_id, 1, &blob);
        for (size_t off = 0; rc == SQLITE_OK && off < in->size; off += RAW_CHUNK) {
            size_t n = in->size - off < RAW_CHUNK ? in->size - off : RAW_CHUNK;
            rc = sqlite3_blob_write(blob, in->data + off, (int)n, (int)off);
        }
        sqlite3_blob_close(blob);
        if (rc != SQLITE_OK) error = ww_repo__sqlite_error(s->db->sql, rc, s->file);
    }
    return error;
}

static int audit_import(store *s)
{
    sqlite3_stmt *st = NULL;
    int error;
    if ((error = ww_repo__prepare(&st, s->db,
                                  "INSERT INTO audit(action, source_id, detail) VALUES ('import', ?1,"
                                  " json_object('studies', ?2, 'outcomes', ?3, 'effects', ?4,"
                                  "  'added', ?5, 'changed', ?6, 'unchanged', ?7, 'judgements', ?8))")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, s->source_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)s->rep->studies);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)s->rep->outcomes);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)s->rep->effects);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)s->rep->added);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)s->rep->changed);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)s->rep->unchanged);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)s->rep->judgements);
    error = step(s, st, NULL);
    ww_repo__release(s->db, st);
    return error;
}

int ww_import_file(ww_import_report **out, ww_db *db, const char *path, const ww_import_opts *opts)
{
    static const ww_import_opts no_opts;
    ww_import_report *rep = NULL;
    unsigned char *data = NULL;
    size_t size = 0;
    const ww_importer *imp;
    ww_input in;
    store s;
    ww_sink sink;
    int error, exists = 0, in_txn = 0, s_ready = 0;

    *out = NULL;
    if (!opts) opts = &no_opts;
    if (!path) return ww__error(WW_EUSAGE, "no file given");
    if (!db && !opts->dry_run) return ww__error(WW_EUSAGE, "no database to import into");
    if ((error = read_file(&data, &size, path)) < 0) return error;

    if (!(rep = calloc(1, sizeof *rep)) || !(rep->name = strdup(path)) ||
        ww_diags__new(&rep->diags) < 0) {
        error = ww__error_oom();
        goto done;
    }
    sha256_hex(rep->sha256, data, size);
    in.name = path;
    in.data = data;
    in.size = size;
    rep->status = WW_IMPORT_REJECTED;

    if (size == 0) {
        error = ww_diags__add(rep->diags, 0, path, 0, NULL, "file is empty");
        goto verdict;
    }
    if (opts->format) {
        if (!(imp = ww_importers__find(opts->format))) {
            error = ww__error(WW_EUSAGE, "unknown format '%s'", opts->format);
            goto done;
        }
    } else if (!(imp = ww_importers__sniff(&in))) {
        /* Not evidence (a README, a licence, a reference list, ...): left
         * alone, and not a failure of the batch. */
        rep->status = WW_IMPORT_SKIPPED;
        goto done;
    }
    snprintf(rep->format, sizeof rep->format, "%s", imp->name);

    if (db && !opts->dry_run) {
        if ((error = source_exists(db, rep->sha256, &exists)) < 0) goto done;
        if (exists) {
            rep->status = WW_IMPORT_ALREADY;
            goto done;
        }
    }

    s.db = opts->dry_run ? NULL : db;
    s.source_id = 0;
    s.rep = rep;
    s.file = path;
    s.last_key = NULL;
    s.touched = NULL;
    s.n_touched = s.alloc_touched = 0;
    s.regrade = NULL;
    s.n_regrade = s.alloc_regrade = 0;
    s.replace = opts->replace;
    s.submitter = opts->submitter;
    memset(&s.text_title, 0, sizeof s.text_title);
    memset(&s.text_body, 0, sizeof s.text_body);
    s.has_text = 0;
    s_ready = 1;
    sink.ctx = &s;
    sink.record = store_record;
    sink.text = store_text;
    sink.pooled = store_pooled;
    sink.judgement = store_judgement;
    sink.unit_cost = store_unit_cost;

    if (s.db) {
        /* IMMEDIATE takes the write lock now, so a busy database is found
         * before any work, and readers go on reading (WAL). */
        if (db->reconnect && (error = ww_repo__reconnect(db)) < 0) goto done;
        if ((error = ww_repo__exec(db, "BEGIN IMMEDIATE")) < 0) goto done;
        in_txn = 1;
        if ((error = insert_source(&s, &in, imp->name, rep->sha256, opts->submitter)) < 0) goto done;
    }
    if ((error = imp->parse(&in, rep->diags, &sink)) < 0) goto done;

verdict:
    if (error < 0) goto done;
    if (ww_diags__errors(rep->diags)) {
        rep->studies = rep->outcomes = rep->effects = 0;
        rep->status = WW_IMPORT_REJECTED;
        error = ww__error(WW_EDATA, "%s: rejected, %zu problems", path, ww_diags__errors(rep->diags));
        goto done;
    }
    if (in_txn) {
        /* Grades of this file's studies, then syntheses of what it touched,
         * in the same transaction: stored results never lag the evidence. */
        if ((error = index_text(&s)) < 0) goto done;
        if ((error = ww_repo__grade_source(db, s.source_id)) < 0) goto done;
        if ((error = judged_studies(&s)) < 0) goto done;
        for (size_t i = 0, listed = 0; i < s.n_regrade; i++) {
            ww_rigour_grade g;
            int before = -1;
            char *key = NULL;
            sqlite3_stmt *old = NULL;
            if ((error = ww_repo__prepare(&old, db, "SELECT coalesce(rigour_level, -1), study_key FROM study"
                                                    " WHERE id = ?1")) < 0)
                goto done;
            sqlite3_bind_int64(old, 1, s.regrade[i]);
            if (sqlite3_step(old) == SQLITE_ROW) {
                before = sqlite3_column_int(old, 0);
                if (sqlite3_column_text(old, 1)) key = strdup((const char *)sqlite3_column_text(old, 1));
            }
            ww_repo__release(db, old);
            if ((error = ww_repo__grade_study(&g, db, s.regrade[i])) < 0) {
                free(key);
                goto done;
            }
            /* A grade this file moves is said, as `regrade` says it. */
            if (before >= 0 && before != g.level && listed++ < CHANGES_LISTED)
                error = ww_diags__add(rep->diags, 1, path, 0, "grade",
                                      "study %lld (%s): level %d → %d under %s (whatworks grade "
                                      "--explain %lld)",
                                      (long long)s.regrade[i], key ? key : "no key", before, g.level,
                                      g.rules_version, (long long)s.regrade[i]);
            free(key);
            if (error == 0) error = ww_repo__store_grade(db, s.regrade[i], &g);
            ww_rigour_grade_clear(&g);
            if (error < 0) goto done;
            if (i + 1 == s.n_regrade && listed > CHANGES_LISTED &&
                (error = ww_diags__add(rep->diags, 1, path, 0, "grade",
                                       "%zu grades of studies already stored moved in all; the "
                                       "first %d are listed above",
                                       listed, CHANGES_LISTED)) < 0)
                goto done;
        }
        for (size_t i = 0; i < s.n_touched; i++)
            if ((error = ww_repo__resynthesise(db, s.touched[i], s.source_id)) < 0) goto done;
        if ((error = audit_import(&s)) < 0 || (error = ww_repo__exec(db, "COMMIT")) < 0) goto done;
        in_txn = 0;
        rep->status = WW_IMPORT_IMPORTED;
    } else {
        rep->status = WW_IMPORT_VALID;
    }
done:
    if (in_txn) {
        ww_repo__rollback(db);
        if (error != WW_EDATA) db->reconnect = 1;
    }
    if (s_ready) {
        free(s.last_key);
        free(s.touched);
        free(s.regrade);
        ww_buf__free(&s.text_title);
        ww_buf__free(&s.text_body);
    }
    free(data);
    if (error < 0 && error != WW_EDATA) {
        ww_import_report_free(rep);
        return error;
    }
    *out = rep;
    return error;
}
