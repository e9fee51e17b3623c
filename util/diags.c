/*
 * diags.c — the list of problems an importer finds in one input. Every
 * problem carries file, line and field so the user can go straight to it;
 * the list is capped so a hostile file cannot grow it without bound.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define DIAGS_MAX 1000

struct ww_diags {
    ww_diag *items;
    size_t count, alloc, errors, dropped;
};

int ww_diags__new(ww_diags **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : ww__error_oom();
}

void ww_diags__free(ww_diags *d)
{
    size_t i;
    if (!d) return;
    for (i = 0; i < d->count; i++) {
        free((char *)d->items[i].file);
        free((char *)d->items[i].field);
        free((char *)d->items[i].message);
    }
    free(d->items);
    free(d);
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

int ww_diags__add(ww_diags *d, int is_warning, const char *file, long line, const char *field,
                  const char *fmt, ...)
{
    ww_diag *dg;
    va_list ap;
    int n;
    char *msg;

    if (!is_warning) d->errors++;
    if (d->count >= DIAGS_MAX) {
        d->dropped++;
        return 0;
    }
    if (d->count == d->alloc) {
        size_t na = d->alloc ? d->alloc * 2 : 16;
        ww_diag *p = realloc(d->items, na * sizeof *p);
        if (!p) return ww__error_oom();
        d->items = p;
        d->alloc = na;
    }
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !(msg = malloc((size_t)n + 1))) return ww__error_oom();
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);

    dg = &d->items[d->count];
    dg->file = dup_or_empty(file);
    dg->field = dup_or_empty(field);
    dg->message = msg;
    dg->line = line;
    dg->is_warning = is_warning;
    if (!dg->file || !dg->field) {
        free((char *)dg->file);
        free((char *)dg->field);
        free(msg);
        return ww__error_oom();
    }
    d->count++;
    return 0;
}

size_t ww_diags__count(const ww_diags *d) { return d->count; }
size_t ww_diags__errors(const ww_diags *d) { return d->errors; }
size_t ww_diags__dropped(const ww_diags *d) { return d->dropped; }

const ww_diag *ww_diags__get(const ww_diags *d, size_t i)
{
    return i < d->count ? &d->items[i] : NULL;
}

void ww_diags__write_one(const ww_diag *dg, FILE *fp)
{
    fputs(dg->file, fp);
    if (dg->line > 0) fprintf(fp, ":%ld", dg->line);
    fputs(": ", fp);
    if (dg->field[0]) fprintf(fp, "%s: ", dg->field);
    if (dg->is_warning) fputs("warning: ", fp);
    fprintf(fp, "%s\n", dg->message);
}
