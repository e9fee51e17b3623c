/*
 * issues.c — the presenting-issue taxonomy, for people and scripts
 * ("whatworks/issues/1").
 */
#include "queries_int.h"

int ww_issues_write(ww_db *db, FILE *fp, ww_format fmt)
{
    ww_arena *arena = NULL;
    ww_issue_row *rows = NULL;
    size_t n = 0;
    int error;

    if ((error = ww_arena__new(&arena)) < 0) return error;
    if ((error = ww_repo__issues(&rows, &n, db, arena)) < 0) goto done;
    if (fmt == WW_FORMAT_JSON) {
        json_t *doc = json_object(), *a = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *o = json_object();
            ww_queries__set(o, "slug", json_string(rows[i].slug));
            ww_queries__set(o, "parent", rows[i].parent[0] ? json_string(rows[i].parent) : json_null());
            ww_queries__set(o, "label", json_string(rows[i].label));
            ww_queries__set(o, "outcome_domains", json_string(rows[i].domains));
            ww_queries__set(o, "terms", json_string(rows[i].terms));
            ww_queries__set(o, "outcome_patterns", json_string(rows[i].patterns));
            ww_queries__append(a, o);
        }
        ww_queries__set(doc, "schema", json_string("whatworks/issues/1"));
        ww_queries__set(doc, "issues", a);
        error = ww_queries__write_json(doc, fp);
        json_decref(doc);
    } else if (fmt == WW_FORMAT_CSV) {
        fputs("slug,parent,label,outcome_domains,terms,outcome_patterns\r\n", fp);
        for (size_t i = 0; i < n; i++) {
            ww_queries__csv_field(fp, rows[i].slug, 0);
            ww_queries__csv_field(fp, rows[i].parent, 0);
            ww_queries__csv_field(fp, rows[i].label, 0);
            ww_queries__csv_field(fp, rows[i].domains, 0);
            ww_queries__csv_field(fp, rows[i].terms, 0);
            ww_queries__csv_field(fp, rows[i].patterns, 1);
        }
        error = ww_queries__flush(fp);
    } else {
        for (size_t i = 0; i < n; i++)
            fprintf(fp, "%s%-24s %s  [outcomes: %s]\n    terms: %s\n    outcome measures: %s\n",
                    rows[i].parent[0] ? "  " : "", rows[i].slug, rows[i].label, rows[i].domains, rows[i].terms,
                    rows[i].patterns);
        error = ww_queries__flush(fp);
    }
done:
    ww_arena__free(arena);
    return error;
}
