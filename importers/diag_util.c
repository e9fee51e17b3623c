/*
 * diag_util.c — the one copy of the diagnostics helpers every importer
 * used to carry: a formatted message into the diagnostics list with a
 * sticky out-of-memory code, repeated warnings listed up to a cap and then
 * counted, user text quoted back at a readable length. See diag_util.h.
 */
#include "diag_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void vadd(ww_diag_ctx *d, int is_warning, long line, const char *field, const char *fmt,
                 va_list ap) __attribute__((format(printf, 5, 0)));

static void vadd(ww_diag_ctx *d, int is_warning, long line, const char *field, const char *fmt,
                 va_list ap)
{
    char msg[1024];
    if (d->rc < 0) return;
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (ww_diags__add(d->diags, is_warning, d->name, line, field, "%s", msg) < 0) d->rc = WW_ENOMEM;
}

void ww_diag__add(ww_diag_ctx *d, int is_warning, long line, const char *field, const char *fmt,
                  ...)
{
    va_list ap;
    va_start(ap, fmt);
    vadd(d, is_warning, line, field, fmt, ap);
    va_end(ap);
}

void ww_diag__note(ww_diag_ctx *d, int kind, long line, const char *field, const char *fmt, ...)
{
    va_list ap;
    if (++d->noted[kind] > d->list_max) return;
    va_start(ap, fmt);
    vadd(d, 1, line, field, fmt, ap);
    va_end(ap);
}

void ww_diag__summarise(ww_diag_ctx *d, const char *const *what, size_t n)
{
    for (size_t k = 0; k < n && k < WW_DIAG_KINDS_MAX; k++) {
        if (d->noted[k] <= d->list_max || !what[k]) continue;
        ww_diag__add(d, 1, 0, NULL, "%zu %s in all; the first %zu are listed above", d->noted[k],
                     what[k], d->list_max);
    }
}

const char *ww_diag__quote_max(char *buf, size_t n, const char *s, size_t max)
{
    size_t len = strlen(s);
    if (n < max + 4) return "";
    if (len <= max) {
        memcpy(buf, s, len + 1);
        return buf;
    }
    len = max;
    while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) len--;
    memcpy(buf, s, len);
    memcpy(buf + len, "...", 4);
    return buf;
}

const char *ww_diag__quote(char *buf, size_t n, const char *s)
{
    return ww_diag__quote_max(buf, n, s, WW_DIAG_QUOTE_MAX);
}

char *ww_diag__arena_printf(ww_diag_ctx *d, ww_arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *s;
    if (d->rc < 0) return NULL;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !(s = ww_arena__alloc(a, (size_t)n + 1))) {
        d->rc = ww__error_oom();
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}
