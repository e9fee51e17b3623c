/*
 * grade_write.c — `whatworks grade` and `whatworks regrade` output: stored
 * rigour grades with their explanation traces, and what a regrade moved.
 */
#include <string.h>

#include "../evidence/rigour.h"
#include "queries_int.h"

const char *ww_rules_version(void)
{
    return ww_rules_current()->version;
}

/* Split a trace ("step: ...\n" lines) into a JSON array of lines. */
static json_t *lines_json(const char *text)
{
    json_t *a = json_array();
    while (text && *text) {
        size_t n = strcspn(text, "\n");
        if (n) ww_queries__append(a, json_stringn(text, n));
        text += n + (text[n] == '\n');
    }
    return a;
}

static json_t *grade_json(const ww_study_grade_row *g, int explain)
{
    json_t *o = json_object();
    ww_queries__set(o, "study", json_integer(g->id));
    ww_queries__set(o, "title", ww_queries__str(g->title));
    ww_queries__set(o, "year", g->year >= 0 ? json_integer(g->year) : json_null());
    ww_queries__set(o, "intervention", json_string(g->intervention_slug));
    ww_queries__set(o, "design", ww_queries__str(g->design));
    ww_queries__set(o, "provisional", json_boolean(g->provisional));
    ww_queries__set(o, "level", g->level >= 0 ? json_integer(g->level) : json_null());
    ww_queries__set(o, "maryland_sms", g->sms > 0 ? json_integer(g->sms) : json_null());
    ww_queries__set(o, "wwc_rating", ww_queries__str(g->wwc_rating));
    ww_queries__set(o, "rules_version", ww_queries__str(g->rules_version));
    if (explain) {
        ww_queries__set(o, "trace", lines_json(g->trace));
        ww_queries__set(o, "advice", lines_json(g->advice));
    }
    return o;
}

static void grade_table(const ww_study_grade_row *g, int explain, FILE *fp)
{
    fprintf(fp, "study %lld: %s", (long long)g->id, g->title ? g->title : "(untitled)");
    if (g->year >= 0) fprintf(fp, " (%d)", g->year);
    fprintf(fp, "\n  intervention: %s; design: %s%s\n", g->intervention_slug,
            g->design ? g->design : "unknown", g->provisional ? "; provisional" : "");
    if (g->level < 0) {
        fputs("  not graded yet (run `whatworks regrade`)\n", fp);
        return;
    }
    fprintf(fp, "  rigour level %d of 5; Maryland SMS %d; %s; rules %s\n", g->level, g->sms,
            g->wwc_rating ? g->wwc_rating : "WWC not rated", g->rules_version);
    if (!explain) return;
    for (const char *t = g->trace; t && *t;) {
        size_t n = strcspn(t, "\n");
        fprintf(fp, "    %.*s\n", (int)n, t);
        t += n + (t[n] == '\n');
    }
    if (g->advice && *g->advice) {
        fputs("  to raise it:\n", fp);
        for (const char *t = g->advice; *t;) {
            size_t n = strcspn(t, "\n");
            if (n) fprintf(fp, "    - %.*s\n", (int)n, t);
            t += n + (t[n] == '\n');
        }
    }
}

int ww_grade_write(ww_db *db, const int64_t *study_ids, size_t n, int explain, FILE *fp,
                   ww_format fmt)
{
    ww_arena *arena = NULL;
    ww_study_grade_row *rows = NULL;
    int error = 0;

    if (!n) return ww__error(WW_EUSAGE, "name at least one study id");
    if ((error = ww_arena__new(&arena)) < 0) return error;
    if (!(rows = ww_arena__alloc(arena, n * sizeof *rows))) {
        error = WW_ENOMEM;
        goto done;
    }
    /* Read them all first: an unknown id writes nothing. */
    for (size_t i = 0; i < n; i++)
        if ((error = ww_repo__study_grade(&rows[i], db, arena, study_ids[i])) < 0) goto done;
    if (fmt == WW_FORMAT_JSON) {
        json_t *doc = json_object(), *a = json_array();
        for (size_t i = 0; i < n; i++) ww_queries__append(a, grade_json(&rows[i], explain));
        ww_queries__set(doc, "schema", json_string("whatworks/grade/1"));
        ww_queries__set(doc, "rules_version", json_string(ww_rules_version()));
        ww_queries__set(doc, "studies", a);
        error = ww_queries__write_json(doc, fp);
        json_decref(doc);
    } else if (fmt == WW_FORMAT_CSV) {
        fputs("study,intervention,design,level,maryland_sms,wwc_rating,rules_version\r\n", fp);
        for (size_t i = 0; i < n; i++) {
            fprintf(fp, "%lld,", (long long)rows[i].id);
            ww_queries__csv_field(fp, rows[i].intervention_slug, 0);
            ww_queries__csv_field(fp, rows[i].design, 0);
            if (rows[i].level >= 0) fprintf(fp, "%d", rows[i].level);
            fprintf(fp, ",%d,", rows[i].sms);
            ww_queries__csv_field(fp, rows[i].wwc_rating, 0);
            ww_queries__csv_field(fp, rows[i].rules_version, 1);
        }
        error = ww_queries__flush(fp);
    } else {
        for (size_t i = 0; i < n; i++) grade_table(&rows[i], explain, fp);
        error = ww_queries__flush(fp);
    }
done:
    ww_arena__free(arena);
    return error;
}

typedef struct regrade_out {
    FILE *fp;
    ww_format fmt;
    json_t *moved;
} regrade_out;

static int on_moved(void *ctx, int64_t study_id, const struct ww_rigour_grade *after,
                    const char *reason)
{
    regrade_out *o = ctx;
    if (o->fmt == WW_FORMAT_JSON) {
        json_t *m = json_object();
        ww_queries__set(m, "study", json_integer(study_id));
        ww_queries__set(m, "level", json_integer(after->level));
        ww_queries__set(m, "maryland_sms", json_integer(after->sms));
        ww_queries__set(m, "wwc_rating", json_string(ww_rigour_wwc_name(after->wwc)));
        ww_queries__set(m, "reason", json_string(reason));
        ww_queries__append(o->moved, m);
    } else if (o->fmt == WW_FORMAT_CSV) {
        fprintf(o->fp, "%lld,%d,", (long long)study_id, after->level);
        ww_queries__csv_field(o->fp, reason, 1);
    } else {
        fprintf(o->fp, "study %lld: %s\n", (long long)study_id, reason);
    }
    return 0;
}

int ww_regrade(ww_db *db, FILE *fp, ww_format fmt, size_t *moved)
{
    regrade_out o;
    size_t studies = 0, n_moved = 0;
    int error;

    o.fp = fp;
    o.fmt = fmt;
    o.moved = fmt == WW_FORMAT_JSON ? json_array() : NULL;
    if (fmt == WW_FORMAT_CSV) fputs("study,level,reason\r\n", fp);
    error = ww_repo__regrade(db, on_moved, &o, &studies, &n_moved);
    if (error == 0) {
        if (fmt == WW_FORMAT_JSON) {
            json_t *doc = json_object();
            ww_queries__set(doc, "schema", json_string("whatworks/regrade/1"));
            ww_queries__set(doc, "rules_version", json_string(ww_rules_version()));
            ww_queries__set(doc, "studies", json_integer((json_int_t)studies));
            ww_queries__set(doc, "moved", o.moved);
            o.moved = NULL;
            error = ww_queries__write_json(doc, fp);
            json_decref(doc);
        } else if (fmt == WW_FORMAT_TABLE) {
            fprintf(fp, "regraded %zu studies under %s: %zu moved\n", studies, ww_rules_version(), n_moved);
            error = ww_queries__flush(fp);
        } else {
            error = ww_queries__flush(fp);
        }
    }
    json_decref(o.moved);
    if (moved) *moved = n_moved;
    return error;
}
