/*
 * mem.c — a growable byte buffer that refuses to grow past a cap (so untrusted
 * input cannot make it huge; curl's dynbuf idea) and an arena that frees all
 * the strings of one evidence record at once.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"

int ww_buf__grow(ww_buf *b, size_t extra)
{
    size_t need = b->size + extra + 1, n;
    char *p;
    if (need < b->size) return ww__error_oom();
    if (b->cap && need > b->cap + 1)
        return ww__error(WW_EDATA, "text longer than the limit of %zu bytes", b->cap);
    if (need <= b->alloc) return 0;
    n = b->alloc ? b->alloc : 64;
    while (n < need) n *= 2;
    if (!(p = realloc(b->data, n))) return ww__error_oom();
    b->data = p;
    b->alloc = n;
    return 0;
}

int ww_buf__put(ww_buf *b, const char *s, size_t n)
{
    int error;
    if ((error = ww_buf__grow(b, n)) < 0) return error;
    if (n) memcpy(b->data + b->size, s, n);
    b->size += n;
    b->data[b->size] = '\0';
    return 0;
}

int ww_buf__puts(ww_buf *b, const char *s)
{
    return ww_buf__put(b, s, strlen(s));
}

int ww_buf__printf(ww_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n, error;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return ww__error(WW_ERROR, "bad format string");
    if ((error = ww_buf__grow(b, (size_t)n)) < 0) return error;
    va_start(ap, fmt);
    vsnprintf(b->data + b->size, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->size += (size_t)n;
    return 0;
}

char *ww_buf__detach(ww_buf *b)
{
    char *p = b->data;
    if (!p) {
        p = calloc(1, 1);
        if (!p) ww__error_oom();
    }
    b->data = NULL;
    b->size = b->alloc = 0;
    return p;
}

void ww_buf__free(ww_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->size = b->alloc = 0;
}

/* Arena: a chain of blocks; large requests get a block of their own. */
typedef struct block {
    struct block *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
} block;

struct ww_arena {
    block *head;
};

#define BLOCK_SIZE 8192

int ww_arena__new(ww_arena **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : ww__error_oom();
}

void ww_arena__free(ww_arena *a)
{
    block *b, *next;
    if (!a) return;
    for (b = a->head; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

void *ww_arena__alloc(ww_arena *a, size_t n)
{
    block *b = a->head;
    void *p;
    n = (n + 15) & ~(size_t)15;
    if (!b || b->size - b->used < n) {
        size_t size = n > BLOCK_SIZE ? n : BLOCK_SIZE;
        if (!(b = malloc(sizeof *b + size))) {
            ww__error_oom();
            return NULL;
        }
        b->used = 0;
        b->size = size;
        b->next = a->head;
        a->head = b;
    }
    p = b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *ww_arena__strndup(ww_arena *a, const char *s, size_t n)
{
    char *p = ww_arena__alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *ww_arena__strdup(ww_arena *a, const char *s)
{
    return s ? ww_arena__strndup(a, s, strlen(s)) : NULL;
}
