/*
 * util.h — small building blocks shared by every module: the thread-local
 * error message, a growable byte buffer with a cap, an arena for the strings
 * of one evidence record, and the list of diagnostics an importer fills.
 * Nothing here knows about SQLite, XML or the evidence model.
 */
#ifndef WW_UTIL_H
#define WW_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#include "whatworks.h"

/* ---- errors ----------------------------------------------------------- */

/* Set the thread's last error to a formatted message and return code, so a
 * caller can write `return ww__error(WW_EDATA, "...", ...);`. Never
 * allocates on the heap; messages longer than 1 KiB are cut. */
int ww__error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record an out-of-memory error (static text) and return WW_ENOMEM. */
int ww__error_oom(void);

/* ---- buffer ----------------------------------------------------------- */

typedef struct ww_buf {
    char *data;    /* NUL-terminated when size > 0 */
    size_t size;   /* bytes used, excluding the NUL */
    size_t alloc;
    size_t cap;    /* refuse to grow past this many bytes; 0 = no cap */
} ww_buf;

#define WW_BUF_INIT {NULL, 0, 0, 0}

int ww_buf__grow(ww_buf *b, size_t extra);
int ww_buf__put(ww_buf *b, const char *s, size_t n);
int ww_buf__puts(ww_buf *b, const char *s);
int ww_buf__printf(ww_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Give the buffer's string to the caller (free() it); the buffer is reset. */
char *ww_buf__detach(ww_buf *b);
void ww_buf__free(ww_buf *b);

/* ---- arena ------------------------------------------------------------ */

/* A bump allocator: everything allocated from it is freed at once. */
typedef struct ww_arena ww_arena;

int ww_arena__new(ww_arena **out);
void ww_arena__free(ww_arena *a);
void *ww_arena__alloc(ww_arena *a, size_t n); /* zeroed; NULL on OOM */
char *ww_arena__strndup(ww_arena *a, const char *s, size_t n);
char *ww_arena__strdup(ww_arena *a, const char *s); /* NULL in, NULL out */

/* ---- string index ----------------------------------------------------- */

/* Strings to numbers (e.g. an id to its row). The keys are borrowed: they
 * must stay unchanged while in the index. Zero-initialise (WW_STRMAP_INIT). */
typedef struct ww_strmap {
    struct ww_strmap_slot *slots;
    size_t n, cap;
} ww_strmap;

/* clang-format off */
#define WW_STRMAP_INIT {NULL, 0, 0}
/* clang-format on */

/* 1 and *value (value may be NULL) when key is in the index, else 0. */
int ww_strmap__get(const ww_strmap *m, const char *key, size_t *value);
/* Add key, or give it a new value. 0 or WW_ENOMEM. */
int ww_strmap__put(ww_strmap *m, const char *key, size_t value);
void ww_strmap__free(ww_strmap *m);

/* ---- diagnostics ------------------------------------------------------ */

typedef struct ww_diags ww_diags;

int ww_diags__new(ww_diags **out);
void ww_diags__free(ww_diags *d);
/* Add a problem. file and field may be NULL. Returns 0 or WW_ENOMEM. At most
 * 1000 diagnostics are kept; later ones are counted, not stored. */
int ww_diags__add(ww_diags *d, int is_warning, const char *file, long line, const char *field,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
size_t ww_diags__count(const ww_diags *d);
size_t ww_diags__errors(const ww_diags *d); /* error-level, including dropped ones */
size_t ww_diags__dropped(const ww_diags *d);
const ww_diag *ww_diags__get(const ww_diags *d, size_t i);
/* "FILE:LINE: field: message" (LINE and field left out when unknown). */
void ww_diags__write_one(const ww_diag *dg, FILE *fp);

/* ---- text ------------------------------------------------------------- */

/* Parse a whole string as a finite double / long. 0 or WW_EDATA. */
int ww__parse_double(double *out, const char *s);
int ww__parse_long(long *out, const char *s);
/* 1 when s (n bytes) is valid UTF-8 with no NUL and no overlong forms. */
int ww__utf8_valid(const char *s, size_t n);
/* Lower-case ASCII slug of text: "Check & Connect" -> "check-connect". */
char *ww__slugify(const char *text);

#endif
