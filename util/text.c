/*
 * text.c — strict parsing of numbers and UTF-8 checks for untrusted input.
 * "12abc", "", "1e309" (overflow), "nan" and "inf" are all refused: a value
 * that is not exactly a finite number is reported, never guessed.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int ww__parse_double(double *out, const char *s)
{
    char *end;
    double v;
    while (*s && isspace((unsigned char)*s)) s++;
    if (!*s) return WW_EDATA;
    /* strtod accepts "nan", "inf" and hex floats; evidence never uses them. */
    if (strpbrk(s, "nNiIxX")) return WW_EDATA;
    errno = 0;
    v = strtod(s, &end);
    while (*end && isspace((unsigned char)*end)) end++;
    if (*end || errno == ERANGE || !isfinite(v)) return WW_EDATA;
    *out = v == 0 ? 0.0 : v; /* fold -0 to 0 */
    return 0;
}

int ww__parse_long(long *out, const char *s)
{
    char *end;
    long v;
    while (*s && isspace((unsigned char)*s)) s++;
    if (!*s) return WW_EDATA;
    errno = 0;
    v = strtol(s, &end, 10);
    while (*end && isspace((unsigned char)*end)) end++;
    if (*end || errno == ERANGE) return WW_EDATA;
    *out = v;
    return 0;
}

int ww__utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str, *e = s + n;
    while (s < e) {
        unsigned c = *s;
        size_t len;
        unsigned cp, min;
        if (c == 0) return 0;
        if (c < 0x80) { s++; continue; }
        if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min = 0x10000; }
        else return 0;
        if ((size_t)(e - s) < len) return 0;
        for (size_t i = 1; i < len; i++) {
            if ((s[i] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        s += len;
    }
    return 1;
}

char *ww__slugify(const char *text)
{
    size_t n = strlen(text), j = 0;
    char *out = malloc(n + 1);
    int dash = 0;
    if (!out) {
        ww__error_oom();
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (isalnum(c)) {
            if (dash && j > 0) out[j++] = '-';
            out[j++] = (char)tolower(c);
            dash = 0;
        } else if (c >= 0x80) {
            /* keep non-ASCII letters out of ids: ids stay ASCII and stable */
            dash = 1;
        } else {
            dash = 1;
        }
    }
    out[j] = '\0';
    return out;
}
