/*
 * synth.c — keeping the `synthesis` table current: after an import, every
 * intervention it touched has its pooled effect per outcome domain
 * recomputed (evidence/synthesis.c) inside the import's transaction, stamped
 * with the method and the data version (the id of the source that caused
 * it). Domains are compared lower-cased and trimmed, so "Behavior" and
 * "behavior" pool together.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../evidence/effect.h"
#include "../evidence/rigour.h"
#include "../evidence/synthesis.h"
#include "repo_int.h"

static void bind_num(sqlite3_stmt *st, int i, double v)
{
    if (isfinite(v)) sqlite3_bind_double(st, i, v);
    else sqlite3_bind_null(st, i);
}

/* What the synthesis needs to know of each effect beyond its numbers. */
typedef struct effect_meta {
    int extracted;     /* machine-extracted from a report's text */
    int flagged;       /* flagged as implausible (evidence/plausibility.h) */
    int provisional;   /* its study is self-submitted, not yet reviewed */
    double design_eff; /* the clustering design effect its vi carries; NAN none */
} effect_meta;

/* GRADE-style certainty of a pooled body of evidence: each pooled study is
 * graded from what is stored about it, then weighted as in the pool; its
 * unreviewed status and clustering correction come from its effects. */
static int grade_body(ww_certainty *out, ww_db *db, const ww_synth_result *r,
                      const ww_synth_study *studies, const ww_synth_effect *effects,
                      const effect_meta *meta, size_t n, size_t n_flagged, int flagged_included)
{
    ww_rigour_grade *grades = NULL;
    ww_certainty_study *cs = NULL;
    ww_certainty_input in;
    size_t graded = 0;
    int error = 0;

    memset(out, 0, sizeof *out);
    if (!(grades = calloc((size_t)r->k, sizeof *grades)) ||
        !(cs = calloc((size_t)r->k, sizeof *cs))) {
        error = ww__error_oom();
        goto done;
    }
    for (int i = 0; i < r->k; i++) {
        if ((error = ww_repo__grade_study(&grades[i], db, studies[i].study_id)) < 0) goto done;
        graded++;
        cs[i].grade = &grades[i];
        cs[i].weight_pct = studies[i].weight_pct;
        cs[i].yi = studies[i].yi;
        cs[i].vi = studies[i].vi;
        cs[i].followup_months = NAN; /* not recorded yet */
        cs[i].design_effect = NAN;
        for (size_t j = 0; j < n; j++) {
            if (effects[j].study_id != studies[i].study_id) continue;
            if (meta[j].provisional) cs[i].provisional = 1;
            if (meta[j].design_eff > 1 && !(cs[i].design_effect >= meta[j].design_eff))
                cs[i].design_effect = meta[j].design_eff;
        }
    }
    memset(&in, 0, sizeof in);
    in.studies = cs;
    in.k = (size_t)r->k;
    in.pooled = &r->meta;
    in.direction = 1; /* pooled on the SMD scale with positive = beneficial */
    in.egger_p = r->egger_p;
    in.n_flagged = n_flagged;
    in.flagged_included = flagged_included;
    error = ww_rigour_certainty(out, &in, NULL);
done:
    for (size_t i = 0; i < graded; i++) ww_rigour_grade_clear(&grades[i]);
    free(grades);
    free(cs);
    return error;
}

/* Which rules set the direction of the domain's effects, for the trace of
 * its pooled result ("direction: 9 effects higher is better: 6 by the
 * source, 3 by lexicon rule ...; 1 of unknown direction left out"). */
static int direction_trace(ww_buf *out, ww_db *db, int64_t intervention_id, const char *domain)
{
    sqlite3_stmt *st = NULL;
    int error, rc, last = 2;
    if ((error = ww_repo__prepare(
             &st, db,
             "SELECT o.higher_is_better, coalesce(o.direction_rule, 'source'), count(*)"
             "  FROM effect e JOIN outcome o ON o.id = e.outcome_id JOIN study s ON s.id = o.study_id"
             " WHERE s.intervention_id = ?1 AND lower(trim(coalesce(o.domain, ''))) = ?2"
             "   AND s.withdrawn_at IS NULL"
             " GROUP BY 1, 2 ORDER BY 1 DESC, 3 DESC, 2")) < 0)
        return error;
    sqlite3_bind_int64(st, 1, intervention_id);
    sqlite3_bind_text(st, 2, domain, -1, SQLITE_STATIC);
    error = ww_buf__puts(out, "direction:");
    while (error == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int hib = sqlite3_column_int(st, 0), k = sqlite3_column_int(st, 2);
        const char *rule = (const char *)sqlite3_column_text(st, 1);
        if (hib != last)
            error = ww_buf__printf(out, "%s %s:", last == 2 ? "" : ";",
                                   hib > 0    ? "higher is better"
                                   : hib == 0 ? "lower is better"
                                              : "unknown, left out of pooling");
        else
            error = ww_buf__puts(out, ",");
        if (error == 0)
            error = ww_buf__printf(out, " %d by %s%s", k, strcmp(rule, "source") ? "lexicon rule " : "",
                                   strcmp(rule, "source") ? rule : "the source");
        last = hib;
    }
    if (error == 0 && rc != SQLITE_DONE) error = ww_repo__sqlite_error(db->sql, rc, db->path);
    if (error == 0) error = ww_buf__puts(out, "\n");
    ww_repo__release(db, st);
    return error;
}

/* Pool and store one domain's effects. */
static int store_domain(ww_db *db, sqlite3_stmt *ins, int64_t intervention_id, const char *domain,
                        const char *scope, const ww_synth_effect *effects, const effect_meta *meta,
                        size_t n, size_t n_flagged, int flagged_included, int64_t data_version)
{
    ww_synth_result r;
    ww_synth_study *studies = NULL;
    ww_certainty c;
    int error, rc;
    if (!(studies = calloc(n, sizeof *studies))) return ww__error_oom();
    if ((error = ww_synthesise(&r, studies, effects, n)) < 0 || r.k == 0) {
        free(studies); /* r.k == 0: nothing on a poolable scale */
        return error;
    }
    error = grade_body(&c, db, &r, studies, effects, meta, n, n_flagged, flagged_included);
    free(studies);
    if (error < 0) return error;
    sqlite3_reset(ins);
    sqlite3_bind_int64(ins, 1, intervention_id);
    sqlite3_bind_text(ins, 2, domain, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, "SMD", -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, r.method, -1, SQLITE_STATIC);
    sqlite3_bind_int(ins, 5, r.k);
    if (r.n_participants < 0) sqlite3_bind_null(ins, 6);
    else sqlite3_bind_int64(ins, 6, r.n_participants);
    bind_num(ins, 7, r.estimate);
    bind_num(ins, 8, r.se);
    bind_num(ins, 9, r.ci_low);
    bind_num(ins, 10, r.ci_high);
    bind_num(ins, 11, r.tau2);
    bind_num(ins, 12, r.i2);
    bind_num(ins, 13, r.q);
    bind_num(ins, 14, r.pi_low);
    bind_num(ins, 15, r.pi_high);
    sqlite3_bind_int64(ins, 16, data_version);
    sqlite3_bind_int(ins, 17, r.n_effects);
    sqlite3_bind_int(ins, 18, r.n_other_scale);
    bind_num(ins, 19, r.egger_p);
    sqlite3_bind_text(ins, 20, ww_certainty_name(c.level), -1, SQLITE_STATIC);
    {
        ww_buf t = WW_BUF_INIT;
        if ((error = direction_trace(&t, db, intervention_id, domain)) < 0 ||
            (error = ww_buf__puts(&t, c.trace ? c.trace : "")) < 0) {
            ww_buf__free(&t);
            ww_rigour_certainty_clear(&c);
            return error;
        }
        sqlite3_bind_text(ins, 21, t.data, -1, SQLITE_TRANSIENT);
        ww_buf__free(&t);
    }
    sqlite3_bind_text(ins, 22, ww_eif_name(c.eif), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 23, ww_blueprints_name(c.blueprints), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 24, c.rules_version, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 25, scope, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 26, (sqlite3_int64)n_flagged);
    rc = sqlite3_step(ins);
    ww_rigour_certainty_clear(&c);
    return rc == SQLITE_DONE ? 0 : ww_repo__sqlite_error(db->sql, rc, db->path);
}

static double col(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* An effect the source gave on a scale that cannot be put on the SMD scale
 * (a raw mean difference, a risk ratio or difference) is recomputed from its
 * raw statistics when they are stored: Hedges' g from the arms' means, SDs
 * and Ns, the log odds ratio from the 2x2 table. The stored effect itself
 * stays as the source gave it. */
static void from_raw(ww_synth_effect *e, sqlite3_stmt *st)
{
    const char *kind = (const char *)sqlite3_column_text(st, 8);
    ww_effect x;
    if (!kind || strcmp(e->metric, "SMD") == 0 || strcmp(e->metric, "OR") == 0 ||
        strcmp(e->metric, "ZCOR") == 0)
        return;
    if (strcmp(kind, "continuous") == 0 &&
        ww_effect_smd(&x, col(st, 9), col(st, 10), col(st, 11), col(st, 12), col(st, 13), col(st, 14),
                      WW_SMD_EXACT) == 0) {
        e->metric = "SMD";
    } else if (strcmp(kind, "binary") == 0 &&
               ww_effect_log_or(&x, col(st, 15), col(st, 16) - col(st, 15), col(st, 17),
                                col(st, 18) - col(st, 17)) == 0) {
        e->metric = "OR";
    } else {
        ww_error_clear();
        return;
    }
    e->yi = x.yi;
    /* the stored vi carries the clustering design effect; so must this one */
    e->vi = sqlite3_column_type(st, 19) == SQLITE_NULL ? x.vi : x.vi * sqlite3_column_double(st, 19);
}

/* Store a domain's pooled results by scope: 'reviewed' leaves out
 * machine-extracted and flagged effects; 'all' adds the machine-extracted
 * ones, 'reviewed+flagged' the flagged ones, 'all+flagged' both. A scope is
 * stored only when it holds effects the smaller scopes do not. */
static int store_scopes(ww_db *db, sqlite3_stmt *ins, int64_t intervention_id, const char *domain,
                        const ww_synth_effect *effects, const effect_meta *meta, size_t n,
                        int64_t data_version)
{
    static const struct {
        const char *scope;
        int extracted, flagged; /* admitted */
    } scopes[] = {{"reviewed", 0, 0}, {"all", 1, 0}, {"reviewed+flagged", 0, 1}, {"all+flagged", 1, 1}};
    ww_synth_effect *sub;
    effect_meta *sub_meta;
    size_t any_x = 0, any_f = 0, x_only = 0, f_only = 0;
    int error = 0;
    for (size_t i = 0; i < n; i++) {
        any_x += meta[i].extracted != 0;
        any_f += meta[i].flagged != 0;
        x_only += meta[i].extracted && !meta[i].flagged;
        f_only += !meta[i].extracted && meta[i].flagged;
    }
    if (!(sub = malloc((n ? n : 1) * sizeof *sub)) ||
        !(sub_meta = malloc((n ? n : 1) * sizeof *sub_meta))) {
        free(sub);
        return ww__error_oom();
    }
    for (size_t k = 0; k < sizeof scopes / sizeof scopes[0] && error == 0; k++) {
        size_t m = 0, flagged_out = 0, flagged_in = 0;
        /* each scope only when it differs from every smaller one */
        if (scopes[k].extracted && scopes[k].flagged ? !(any_x && any_f)
            : scopes[k].extracted                    ? !x_only
            : scopes[k].flagged                      ? !f_only
                                                     : 0)
            continue;
        for (size_t i = 0; i < n; i++) {
            if (meta[i].extracted && !scopes[k].extracted) continue;
            if (meta[i].flagged && !scopes[k].flagged) {
                flagged_out++;
                continue;
            }
            if (meta[i].flagged) flagged_in++;
            sub_meta[m] = meta[i];
            sub[m++] = effects[i];
        }
        if (m)
            error = store_domain(db, ins, intervention_id, domain, scopes[k].scope, sub, sub_meta, m,
                                 scopes[k].flagged ? flagged_in : flagged_out, scopes[k].flagged,
                                 data_version);
    }
    free(sub);
    free(sub_meta);
    return error;
}

int ww_repo__resynthesise(ww_db *db, int64_t intervention_id, int64_t data_version)
{
    sqlite3_stmt *sel = NULL, *ins = NULL, *del = NULL;
    ww_synth_effect *effects = NULL;
    effect_meta *meta = NULL;
    char **metrics = NULL;
    char *domain = NULL;
    size_t n = 0, alloc = 0;
    int error, rc;

    if ((error = ww_repo__prepare(&del, db, "DELETE FROM synthesis WHERE intervention_id = ?1")) < 0 ||
        (error = ww_repo__prepare(
             &sel, db,
             "SELECT lower(trim(coalesce(o.domain, ''))) AS d, s.id, e.metric, e.yi, e.vi,"
             "       o.higher_is_better, coalesce(e.n_participants, -1), e.extracted,"
             "       json_extract(e.raw, '$.kind'),"
             "       json_extract(e.raw, '$.mean_treatment'), json_extract(e.raw, '$.sd_treatment'),"
             "       json_extract(e.raw, '$.n_treatment'), json_extract(e.raw, '$.mean_control'),"
             "       json_extract(e.raw, '$.sd_control'), json_extract(e.raw, '$.n_control'),"
             "       json_extract(e.raw, '$.events_treatment'), json_extract(e.raw, '$.total_treatment'),"
             "       json_extract(e.raw, '$.events_control'), json_extract(e.raw, '$.total_control'),"
             "       e.design_effect, e.flag IS NOT NULL, s.provisional"
             "  FROM effect e JOIN outcome o ON o.id = e.outcome_id JOIN study s ON s.id = o.study_id"
             "  JOIN intervention i ON i.id = s.intervention_id"
             " WHERE s.intervention_id = ?1 AND o.higher_is_better >= 0 AND i.placeholder IS NULL"
             "   AND s.withdrawn_at IS NULL"
             " ORDER BY d, s.id, e.id")) < 0 ||
        (error = ww_repo__prepare(
             &ins, db,
             "INSERT INTO synthesis(intervention_id, domain, metric, method, k, n_participants,"
             "  estimate, se, ci_low, ci_high, tau2, i2, q, pi_low, pi_high, data_version,"
             "  n_effects, n_other_scale, egger_p, certainty, certainty_trace, eif_level,"
             "  blueprints_tier, rules_version, scope, n_flagged)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
             "  ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)")) < 0)
        goto done;
    sqlite3_bind_int64(del, 1, intervention_id);
    if ((rc = sqlite3_step(del)) != SQLITE_DONE) {
        error = ww_repo__sqlite_error(db->sql, rc, db->path);
        goto done;
    }
    sqlite3_bind_int64(sel, 1, intervention_id);
    for (;;) {
        const char *d;
        rc = sqlite3_step(sel);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            error = ww_repo__sqlite_error(db->sql, rc, db->path);
            goto done;
        }
        d = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(sel, 0) : NULL;
        /* A new domain (or the end): pool what was gathered. */
        if (domain && (!d || strcmp(d, domain) != 0)) {
            if ((error = store_scopes(db, ins, intervention_id, domain, effects, meta, n,
                                      data_version)) < 0)
                goto done;
            for (size_t i = 0; i < n; i++) free(metrics[i]);
            n = 0;
            free(domain);
            domain = NULL;
        }
        if (!d) break;
        if (!domain && !(domain = strdup(d))) goto oom;
        if (n == alloc) {
            size_t na = alloc ? alloc * 2 : 16;
            ww_synth_effect *pe = realloc(effects, na * sizeof *pe);
            char **pm;
            effect_meta *px;
            if (!pe) goto oom;
            effects = pe;
            if (!(px = realloc(meta, na * sizeof *px))) goto oom;
            meta = px;
            if (!(pm = realloc(metrics, na * sizeof *pm))) goto oom;
            metrics = pm;
            alloc = na;
        }
        if (!(metrics[n] = strdup((const char *)sqlite3_column_text(sel, 2)))) goto oom;
        effects[n].study_id = sqlite3_column_int64(sel, 1);
        effects[n].metric = metrics[n];
        effects[n].yi = sqlite3_column_double(sel, 3);
        effects[n].vi = sqlite3_column_double(sel, 4);
        from_raw(&effects[n], sel);
        effects[n].higher_is_better = sqlite3_column_int(sel, 5);
        effects[n].n_participants = (long)sqlite3_column_int64(sel, 6);
        meta[n].extracted = sqlite3_column_int(sel, 7);
        meta[n].design_eff = col(sel, 19);
        meta[n].flagged = sqlite3_column_int(sel, 20);
        meta[n].provisional = sqlite3_column_int(sel, 21);
        n++;
    }
    error = ww_repo__wwc_effectiveness(db, intervention_id);
    goto done;
oom:
    error = ww__error_oom();
done:
    for (size_t i = 0; i < n; i++) free(metrics[i]);
    free(metrics);
    free(effects);
    free(meta);
    free(domain);
    ww_repo__release(db, sel);
    ww_repo__release(db, ins);
    ww_repo__release(db, del);
    return error;
}
