/*
 * strmap.c — an index from strings to numbers (util.h, "string index"): open
 * addressing with linear probing, FNV-1a hashes, kept at most half full.
 * The keys are the caller's, so an index over strings already held in an
 * arena or a table costs one word a slot.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct ww_strmap_slot {
    const char *key; /* NULL: empty */
    size_t value;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The slot holding key, or the empty slot where it would go (cap > 0). */
static struct ww_strmap_slot *slot_of(struct ww_strmap_slot *slots, size_t cap, const char *key)
{
    size_t i = (size_t)hash_str(key) & (cap - 1);
    while (slots[i].key && strcmp(slots[i].key, key) != 0) i = (i + 1) & (cap - 1);
    return &slots[i];
}

int ww_strmap__get(const ww_strmap *m, const char *key, size_t *value)
{
    const struct ww_strmap_slot *s;
    if (!m->cap) return 0;
    s = slot_of(m->slots, m->cap, key);
    if (!s->key) return 0;
    if (value) *value = s->value;
    return 1;
}

int ww_strmap__put(ww_strmap *m, const char *key, size_t value)
{
    struct ww_strmap_slot *s;
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 64;
        struct ww_strmap_slot *grown = calloc(cap, sizeof *grown);
        if (!grown) return ww__error_oom();
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].key) *slot_of(grown, cap, m->slots[i].key) = m->slots[i];
        free(m->slots);
        m->slots = grown;
        m->cap = cap;
    }
    s = slot_of(m->slots, m->cap, key);
    if (!s->key) m->n++;
    s->key = key;
    s->value = value;
    return 0;
}

void ww_strmap__free(ww_strmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->n = m->cap = 0;
}
