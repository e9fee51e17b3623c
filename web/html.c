/*
 * html.c — pages as libxml2 HTML trees. Text goes in as text nodes and
 * attribute values as attributes, and the serializer escapes both, so no
 * handler ever pastes markup together or has to remember to escape: a
 * study title of "<script>" is shown as those characters. Every page has
 * the same frame: a skip link, a banner with the site navigation, one
 * <main>, a footer; one stylesheet from this server, no script.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "web_int.h"

static const xmlChar *X(const char *s)
{
    return (const xmlChar *)s;
}

xmlNodePtr ww_web__el(xmlNodePtr parent, const char *tag, const char *text)
{
    return xmlNewTextChild(parent, NULL, X(tag), text ? X(text) : NULL);
}

xmlNodePtr ww_web__elc(xmlNodePtr parent, const char *tag, const char *cls, const char *text)
{
    xmlNodePtr n = ww_web__el(parent, tag, text);
    if (n && cls) xmlSetProp(n, X("class"), X(cls));
    return n;
}

void ww_web__attr(xmlNodePtr node, const char *name, const char *value)
{
    if (node && value) xmlSetProp(node, X(name), X(value));
}

void ww_web__text(xmlNodePtr node, const char *text)
{
    if (node && text) xmlNodeAddContent(node, X(text));
}

void ww_web__textf(xmlNodePtr node, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ww_web__text(node, buf);
}

xmlNodePtr ww_web__link(xmlNodePtr parent, const char *href, const char *text)
{
    xmlNodePtr a = ww_web__el(parent, "a", text);
    ww_web__attr(a, "href", href);
    return a;
}

char *ww_web__href(const char *prefix, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(prefix), m = strlen(value);
    char *out = malloc(n + 3 * m + 1), *p;
    if (!out) return NULL;
    memcpy(out, prefix, n);
    p = out + n;
    for (const unsigned char *s = (const unsigned char *)value; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            *s == '-' || *s == '_' || *s == '.' || *s == '~') {
            *p++ = (char)*s;
        } else {
            *p++ = '%';
            *p++ = hex[*s >> 4];
            *p++ = hex[*s & 15];
        }
    }
    *p = '\0';
    return out;
}

void ww_web__dl_item(xmlNodePtr dl, const char *term, const char *value)
{
    if (!value || !*value) return;
    ww_web__el(dl, "dt", term);
    ww_web__el(dl, "dd", value);
}

static void nav_item(xmlNodePtr ul, const char *href, const char *label, const char *current,
                     const char *key)
{
    xmlNodePtr li = ww_web__el(ul, "li", NULL), a = ww_web__link(li, href, label);
    if (current && strcmp(current, key) == 0) ww_web__attr(a, "aria-current", "page");
}

int ww_web__page_new(ww_page *page, const char *title, const char *current)
{
    xmlNodePtr html, head, body, n, header, nav, ul, footer;
    char full[512];

    memset(page, 0, sizeof *page);
    if (!(page->doc = htmlNewDocNoDtD(NULL, NULL))) return -1;
    xmlCreateIntSubset(page->doc, X("html"), NULL, NULL);
    html = xmlNewNode(NULL, X("html"));
    xmlDocSetRootElement(page->doc, html);
    xmlSetProp(html, X("lang"), X("en-GB"));
    head = ww_web__el(html, "head", NULL);
    n = ww_web__el(head, "meta", NULL);
    ww_web__attr(n, "charset", "utf-8");
    n = ww_web__el(head, "meta", NULL);
    ww_web__attr(n, "name", "viewport");
    ww_web__attr(n, "content", "width=device-width, initial-scale=1");
    snprintf(full, sizeof full, "%s — whatworks", title);
    ww_web__el(head, "title", full);
    n = ww_web__el(head, "link", NULL);
    ww_web__attr(n, "rel", "stylesheet");
    ww_web__attr(n, "href", "/style.css");

    body = ww_web__el(html, "body", NULL);
    ww_web__attr(ww_web__elc(body, "a", "skip", "Skip to main content"), "href", "#main");
    header = ww_web__elc(body, "header", "banner", NULL);
    ww_web__attr(ww_web__elc(header, "a", "brand", "whatworks"), "href", "/");
    ww_web__elc(header, "span", "tagline", "the evidence on what works, with its costs");
    nav = ww_web__el(header, "nav", NULL);
    ww_web__attr(nav, "aria-label", "Site");
    ul = ww_web__el(nav, "ul", NULL);
    nav_item(ul, "/", "Search", current, "search");
    nav_item(ul, "/issues", "Presenting issues", current, "issues");
    nav_item(ul, "/submit", "Submit evidence", current, "submit");
    nav_item(ul, "/api/v1/openapi.json", "API", current, "api");
    page->main = ww_web__el(body, "main", NULL);
    ww_web__attr(page->main, "id", "main");
    ww_web__attr(page->main, "tabindex", "-1");
    footer = ww_web__el(body, "footer", NULL);
    n = ww_web__el(footer, "p", NULL);
    ww_web__textf(n,
                  "whatworks %s. Effects are standardised mean differences (SMD); positive "
                  "means better. Grades follow rules %s. ",
                  WW_VERSION, ww_rules_version());
    ww_web__link(n, "/api/v1/openapi.json", "The same answers as JSON.");
    return 0;
}

void ww_web__page_send(ww_page *page, ww_web_resp *rs, int status)
{
    /* A buffer with no encoder receives UTF-8 as it is: the serializer
     * escapes only markup (<, &, quotes), not every non-ASCII letter. */
    xmlOutputBufferPtr out = xmlAllocOutputBuffer(NULL);
    if (out) {
        htmlDocContentDumpFormatOutput(out, page->doc, "UTF-8", 0);
        xmlOutputBufferFlush(out);
        if (!out->error) {
            const xmlChar *mem = xmlOutputBufferGetContent(out);
            size_t size = xmlOutputBufferGetSize(out);
            char *body = malloc(size + 1);
            if (body) {
                memcpy(body, mem, size);
                body[size] = '\0';
                ww_web__set_body(rs, status, "text/html; charset=utf-8", body, size);
            }
        }
        xmlOutputBufferClose(out);
    }
    xmlFreeDoc(page->doc);
    page->doc = NULL;
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 400: return "Bad request";
    case 401: return "Not authorised";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 413: return "Too large";
    case 415: return "Unsupported media type";
    case 422: return "Rejected";
    case 503: return "Unavailable";
    default: return status >= 500 ? "Server error" : "Error";
    }
}

void ww_web__error_page(ww_web_resp *rs, int status, const char *message)
{
    ww_page page;
    xmlNodePtr p;
    char title[64];
    snprintf(title, sizeof title, "%s (%d)", reason_phrase(status), status);
    if (ww_web__page_new(&page, title, NULL) < 0) return;
    ww_web__el(page.main, "h1", title);
    ww_web__elc(page.main, "p", "error", message);
    p = ww_web__el(page.main, "p", NULL);
    ww_web__link(p, "/", "Search the evidence");
    ww_web__text(p, " or ");
    ww_web__link(p, "/issues", "browse the presenting issues");
    ww_web__text(p, ".");
    ww_web__page_send(&page, rs, status);
}
