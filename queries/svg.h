/*
 * svg.h — private to queries/: writing an SVG 1.1 document. The document is
 * built with libxml2's xmlTextWriter (svg.c is the one file outside
 * importers/ that includes a libxml2 header, and it only writes), so every
 * string, in text or in an attribute, is escaped by the writer: no caller
 * ever puts markup together by hand. No libxml2 type appears here.
 *
 * Errors are sticky: once a call fails (out of memory), later calls do
 * nothing and ww_svg__finish() returns the error.
 */
#ifndef WW_QUERIES_SVG_H
#define WW_QUERIES_SVG_H

#include <stddef.h>

typedef struct ww_svg ww_svg;

/* Start a document width x height px with its accessible name and
 * description (<title>, <desc>, role="img", aria-labelledby), and a style
 * sheet (css, may be NULL). */
int ww_svg__new(ww_svg **out, double width, double height, const char *title, const char *desc,
                const char *css);
/* End the document; *out (free() it) holds its bytes, NUL-terminated. */
int ww_svg__finish(ww_svg *s, char **out, size_t *len);
/* NULL is a no-op. */
void ww_svg__free(ww_svg *s);

/* <g class="cls"> with, when tooltip is not NULL, a <title> child (shown
 * by browsers on hover and read by screen readers). cls may be NULL. */
void ww_svg__group(ww_svg *s, const char *cls, const char *tooltip);
/* Close the innermost open group. */
void ww_svg__end(ww_svg *s);

void ww_svg__line(ww_svg *s, double x1, double y1, double x2, double y2, const char *cls);
void ww_svg__rect(ww_svg *s, double x, double y, double w, double h, const char *cls);
void ww_svg__circle(ww_svg *s, double cx, double cy, double r, const char *cls);
/* A closed polygon through n points xy[0..2n). */
void ww_svg__polygon(ww_svg *s, const double *xy, size_t n, const char *cls);
/* Text at (x, y) (the baseline), anchored "start", "middle" or "end";
 * rotate_deg turns it about (x, y) (0: none). Invalid UTF-8 and control
 * characters XML cannot carry become "?" and spaces. */
void ww_svg__text(ww_svg *s, double x, double y, const char *anchor, const char *cls,
                  double rotate_deg, const char *text);
void ww_svg__textf(ww_svg *s, double x, double y, const char *anchor, const char *cls,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* s cut to at most max_chars characters (UTF-8 code points) by an ellipsis
 * in the middle, keeping its start and its last third, in buf (size n). */
const char *ww_svg__clip(char *buf, size_t n, const char *s, size_t max_chars);

#endif
