/*
 * diag_util.h — the diagnostics context the importers report through
 * (private to importers/).
 *
 * Every importer reports problems the same way: a message formatted into
 * the caller's ww_diags under the input's name, out of memory kept in a
 * sticky rc so later reports do nothing (SQLite fts5_buffer.c); warnings
 * that can repeat on many rows listed a fixed number of times per kind and
 * then only counted, so a large file cannot fill the list and push out the
 * summaries; user text quoted back cut to a readable length.
 */
#ifndef WW_IMPORTERS_DIAG_UTIL_H
#define WW_IMPORTERS_DIAG_UTIL_H

#include <stddef.h>

#include "../util/util.h"

/* Kinds of repeated warning one context can count. */
#define WW_DIAG_KINDS_MAX 16

/* Longest user value quoted back in a message by ww_diag__quote, in bytes;
 * its buffer must hold WW_DIAG_QUOTE_MAX + 4. */
#define WW_DIAG_QUOTE_MAX 60

typedef struct ww_diag_ctx {
    const char *name; /* the input's name, given with every message */
    ww_diags *diags;  /* where messages go */
    int rc;           /* sticky: the first negative code; once set, nothing is added */
    size_t list_max;  /* warnings of one kind listed before only counted */
    size_t noted[WW_DIAG_KINDS_MAX]; /* warnings of each kind so far */
} ww_diag_ctx;

/* Add an error (is_warning 0) or a warning at line (0: the whole file) and
 * field (may be NULL). Does nothing once d->rc is set; sets it to
 * WW_ENOMEM when the message cannot be added. Messages are cut at 1023
 * bytes. */
void ww_diag__add(ww_diag_ctx *d, int is_warning, long line, const char *field, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));

/* Count a warning of kind (0 <= kind < WW_DIAG_KINDS_MAX) and add it while
 * no more than d->list_max of its kind have been seen. */
void ww_diag__note(ww_diag_ctx *d, int kind, long line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* For each kind k < n whose count passed d->list_max and whose what[k] is
 * not NULL, the warning "N <what> in all; the first <list_max> are listed
 * above", in the order of the kinds. */
void ww_diag__summarise(ww_diag_ctx *d, const char *const *what, size_t n);

/* At most max bytes of s (not NULL) into buf (n bytes, at least max + 4),
 * cut on a UTF-8 character boundary and ended with "..." when cut; returns
 * buf, or "" when buf is too small. */
const char *ww_diag__quote_max(char *buf, size_t n, const char *s, size_t max);

/* ww_diag__quote_max with WW_DIAG_QUOTE_MAX. */
const char *ww_diag__quote(char *buf, size_t n, const char *s);

/* A string formatted into arena a; NULL (and d->rc set to WW_ENOMEM) when
 * memory runs out, NULL without allocating once d->rc is set. */
char *ww_diag__arena_printf(ww_diag_ctx *d, ww_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
