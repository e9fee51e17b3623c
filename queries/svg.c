/*
 * svg.c — SVG 1.1 documents written with libxml2's xmlTextWriter (DESIGN.md
 * section 8 names libxml2 for XML and SVG writing). The writer escapes every
 * string it is given, in text and in attributes, so study titles and other
 * stored text can hold "<script>", "&" or quotes and still come out as text.
 * The one rule kept by hand is XML's own character set: text is made valid
 * UTF-8 without C0 control characters before it reaches the writer.
 *
 * This is the only file outside importers/ that includes libxml2, and it
 * only writes; parsing untrusted input stays in importers/ (CONTRIBUTING.md).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "../util/util.h"
#include "svg.h"

struct ww_svg {
    xmlBufferPtr buf;
    xmlTextWriterPtr w;
    int error; /* sticky: the first failure */
};

static void check(ww_svg *s, int rc)
{
    if (rc < 0 && !s->error) s->error = ww__error_oom();
}

static const xmlChar *X(const char *s)
{
    return (const xmlChar *)s;
}

static void attr(ww_svg *s, const char *name, const char *value)
{
    if (!s->error) check(s, xmlTextWriterWriteAttribute(s->w, X(name), X(value)));
}

static void attr_num(ww_svg *s, const char *name, double v)
{
    char b[32];
    snprintf(b, sizeof b, "%.2f", v);
    attr(s, name, b);
}

static void start(ww_svg *s, const char *name, const char *cls)
{
    if (!s->error) check(s, xmlTextWriterStartElement(s->w, X(name)));
    if (cls) attr(s, "class", cls);
}

static void end(ww_svg *s)
{
    if (!s->error) check(s, xmlTextWriterEndElement(s->w));
}

/* text as XML can carry it: each invalid UTF-8 byte becomes '?', each C0
 * control character other than tab and newline a space (XML 1.0 section
 * 2.2 allows neither). The result is the caller's to free(). */
static char *xml_text(const char *text)
{
    size_t n = strlen(text), o = 0;
    unsigned char *out = malloc(n + 1);
    const unsigned char *p = (const unsigned char *)text;
    if (!out) return NULL;
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
        if (len == 1) {
            out[o++] = c < 0x20 && c != '\t' && c != '\n' ? ' ' : (unsigned char)c;
            i++;
        } else if (len && i + len <= n && ww__utf8_valid(text + i, len)) {
            memcpy(out + o, p + i, len);
            o += len;
            i += len;
        } else {
            out[o++] = '?';
            i++;
        }
    }
    out[o] = 0;
    return (char *)out;
}

static void write_text(ww_svg *s, const char *text)
{
    char *t;
    if (s->error) return;
    if (!(t = xml_text(text))) {
        s->error = ww__error_oom();
        return;
    }
    check(s, xmlTextWriterWriteString(s->w, X(t)));
    free(t);
}

static void text_element(ww_svg *s, const char *name, const char *id, const char *text)
{
    start(s, name, NULL);
    if (id) attr(s, "id", id);
    write_text(s, text);
    end(s);
}

int ww_svg__new(ww_svg **out, double width, double height, const char *title, const char *desc,
                const char *css)
{
    ww_svg *s = calloc(1, sizeof *s);
    char vb[80];
    *out = NULL;
    if (!s || !(s->buf = xmlBufferCreate()) || !(s->w = xmlNewTextWriterMemory(s->buf, 0))) {
        ww_svg__free(s);
        return ww__error_oom();
    }
    check(s, xmlTextWriterSetIndent(s->w, 1));
    check(s, xmlTextWriterSetIndentString(s->w, X("  ")));
    check(s, xmlTextWriterStartDocument(s->w, "1.0", "UTF-8", NULL));
    start(s, "svg", NULL);
    attr(s, "xmlns", "http://www.w3.org/2000/svg");
    attr(s, "version", "1.1");
    attr_num(s, "width", width);
    attr_num(s, "height", height);
    snprintf(vb, sizeof vb, "0 0 %.0f %.0f", width, height);
    attr(s, "viewBox", vb);
    attr(s, "role", "img");
    attr(s, "aria-labelledby", "plot-title plot-desc");
    text_element(s, "title", "plot-title", title);
    text_element(s, "desc", "plot-desc", desc);
    if (css) {
        start(s, "style", NULL);
        attr(s, "type", "text/css");
        write_text(s, css);
        end(s);
    }
    ww_svg__rect(s, 0, 0, width, height, "background");
    if (s->error) {
        int error = s->error;
        ww_svg__free(s);
        return error;
    }
    *out = s;
    return 0;
}

int ww_svg__finish(ww_svg *s, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (!s->error) check(s, xmlTextWriterEndDocument(s->w)); /* closes every open element */
    if (!s->error) check(s, xmlTextWriterFlush(s->w));
    if (s->error) return s->error;
    *len = (size_t)xmlBufferLength(s->buf);
    if (!(*out = malloc(*len + 1))) return ww__error_oom();
    memcpy(*out, xmlBufferContent(s->buf), *len);
    (*out)[*len] = 0;
    return 0;
}

void ww_svg__free(ww_svg *s)
{
    if (!s) return;
    if (s->w) xmlFreeTextWriter(s->w);
    if (s->buf) xmlBufferFree(s->buf);
    free(s);
}

void ww_svg__group(ww_svg *s, const char *cls, const char *tooltip)
{
    start(s, "g", cls);
    if (tooltip) text_element(s, "title", NULL, tooltip);
}

void ww_svg__end(ww_svg *s)
{
    end(s);
}

void ww_svg__line(ww_svg *s, double x1, double y1, double x2, double y2, const char *cls)
{
    start(s, "line", cls);
    attr_num(s, "x1", x1);
    attr_num(s, "y1", y1);
    attr_num(s, "x2", x2);
    attr_num(s, "y2", y2);
    end(s);
}

void ww_svg__rect(ww_svg *s, double x, double y, double w, double h, const char *cls)
{
    start(s, "rect", cls);
    attr_num(s, "x", x);
    attr_num(s, "y", y);
    attr_num(s, "width", w);
    attr_num(s, "height", h);
    end(s);
}

void ww_svg__circle(ww_svg *s, double cx, double cy, double r, const char *cls)
{
    start(s, "circle", cls);
    attr_num(s, "cx", cx);
    attr_num(s, "cy", cy);
    attr_num(s, "r", r);
    end(s);
}

void ww_svg__polygon(ww_svg *s, const double *xy, size_t n, const char *cls)
{
    ww_buf b = WW_BUF_INIT;
    for (size_t i = 0; i < n && !s->error; i++)
        if (ww_buf__printf(&b, "%s%.2f,%.2f", i ? " " : "", xy[2 * i], xy[2 * i + 1]) < 0)
            s->error = WW_ENOMEM;
    start(s, "polygon", cls);
    attr(s, "points", b.data ? b.data : "");
    end(s);
    ww_buf__free(&b);
}

void ww_svg__text(ww_svg *s, double x, double y, const char *anchor, const char *cls,
                  double rotate_deg, const char *text)
{
    start(s, "text", cls);
    attr_num(s, "x", x);
    attr_num(s, "y", y);
    if (anchor && strcmp(anchor, "start") != 0) attr(s, "text-anchor", anchor);
    if (rotate_deg != 0) {
        char t[96];
        snprintf(t, sizeof t, "rotate(%.1f %.2f %.2f)", rotate_deg, x, y);
        attr(s, "transform", t);
    }
    write_text(s, text);
    end(s);
}

void ww_svg__textf(ww_svg *s, double x, double y, const char *anchor, const char *cls,
                   const char *fmt, ...)
{
    char b[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    ww_svg__text(s, x, y, anchor, cls, 0, b);
}

const char *ww_svg__clip(char *buf, size_t n, const char *s, size_t max_chars)
{
    /* Cut in the middle, keeping the end: titles that share a start ("What
     * Works Clearinghouse study review 1903203") differ at their end. */
    size_t len = strlen(s), chars = 0, tail = max_chars / 3, head, hb = 0, tb = len, c = 0;
    for (size_t i = 0; i < len; i++) chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    if (chars <= max_chars || max_chars < 8) {
        snprintf(buf, n, "%s", s);
        return buf;
    }
    head = max_chars - 1 - tail;
    /* hb: the byte where character `head` starts; tb: where the last `tail` start */
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80) continue;
        if (c == head) hb = i;
        if (c == chars - tail) tb = i;
        c++;
    }
    while (hb && (s[hb - 1] == ' ' || s[hb - 1] == ',')) hb--;
    while (tb < len && s[tb] == ' ') tb++;
    if (hb + 3 + (len - tb) + 1 > n) {
        snprintf(buf, n, "%s", s); /* never happens with the sizes used; stay whole */
        return buf;
    }
    memcpy(buf, s, hb);
    memcpy(buf + hb, "\xE2\x80\xA6", 3);
    memcpy(buf + hb + 3, s + tb, len - tb + 1);
    return buf;
}
