/*
 * fuzz_extract.c — libFuzzer harness for the statistics extractor
 * (importers/extract.c): PCRE2 patterns over any text. Beyond not crashing,
 * each hit must lie inside the text, and the extractor must finish quickly
 * on any input: PCRE2 runs with match and depth limits (DESIGN.md section
 * 9), so a pathological text costs bounded time (libFuzzer's -timeout
 * catches one that does not).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../importers/extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct span_ctx {
    size_t size;
} span_ctx;

static int on_hit(void *ctx, const ww_extract_hit *hit)
{
    const span_ctx *c = ctx;
    if (hit->offset > c->size || hit->length > c->size - hit->offset) abort();
    if (!(hit->confidence >= 0 && hit->confidence <= 1)) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    span_ctx c = {size};
    ww_extract_info info;
    double v;
    int decimals, repaired;
    memset(&info, 0, sizeof info);
    (void)ww_extract__stats((const char *)data, size, on_hit, &c, &info);
    (void)ww_extract__number(&v, &decimals, &repaired, (const char *)data, size);
    return 0;
}
