/*
 * web_int.h — private to web/: one request as the handlers see it, the
 * response they fill in, the HTML builder (libxml2's HTML tree, so every
 * text and attribute is escaped by the serializer, by construction) and
 * the handlers of pages (pages.c) and of the JSON API (api.c).
 */
#ifndef WW_WEB_INT_H
#define WW_WEB_INT_H

#include <libxml/HTMLtree.h>
#include <microhttpd.h>

#include "whatworks.h"
#include "web.h"

typedef struct ww_web_server ww_web_server;

typedef struct ww_web_req {
    struct MHD_Connection *conn;
    ww_web_server *srv;
    const char *method; /* GET, HEAD or POST */
    const char *path;   /* as decoded by libmicrohttpd, without the query */
    ww_db *db;          /* this thread's read-only connection */
    char *body;         /* POST body, NUL-terminated; NULL when none */
    size_t body_len;
    int status; /* the status sent, for the access log */
    size_t sent_bytes;
    double started;                  /* monotonic seconds */
    char who[WW_TOKEN_NAME_MAX + 1]; /* the token's name, for the log */
    size_t body_alloc;
    int body_too_large;
    int responded;
} ww_web_req;

typedef struct ww_web_resp {
    int status;
    const char *content_type;
    char *body; /* malloc'd, or NULL */
    size_t len;
    const char *allow;    /* Allow header for 405 */
    int www_authenticate; /* 401: send WWW-Authenticate: Bearer */
} ww_web_resp;

/* ---- server.c --------------------------------------------------------- */

/* A query-string argument, or NULL. Every argument was checked to be
 * valid UTF-8 before any handler runs. */
const char *ww_web__arg(const ww_web_req *rq, const char *name);
/* A request header, or NULL. */
const char *ww_web__header(const ww_web_req *rq, const char *name);
/* The writer connection, locked; release with ww_web__writer_release. */
ww_db *ww_web__writer_acquire(ww_web_req *rq);
void ww_web__writer_release(ww_web_req *rq);
/* 1 when s is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int ww_web__utf8_valid(const char *s, size_t n);
/* Set the response to a malloc'd body. */
void ww_web__set_body(ww_web_resp *rs, int status, const char *type, char *body, size_t len);
/* The HTTP status for a library error code. */
int ww_web__status_for(int code);

/* ---- html.c ----------------------------------------------------------- */

typedef struct ww_page {
    htmlDocPtr doc;
    xmlNodePtr main;
} ww_page;

/* A page with the shared head, banner, navigation and footer; content goes
 * into page->main. current names the navigation entry to mark. */
int ww_web__page_new(ww_page *page, const char *title, const char *current);
/* Serialize into rs (text/html) and free the tree. */
void ww_web__page_send(ww_page *page, ww_web_resp *rs, int status);
/* An element with optional text (escaped when serialized). */
xmlNodePtr ww_web__el(xmlNodePtr parent, const char *tag, const char *text);
/* An element with a class. */
xmlNodePtr ww_web__elc(xmlNodePtr parent, const char *tag, const char *cls, const char *text);
void ww_web__attr(xmlNodePtr node, const char *name, const char *value);
void ww_web__text(xmlNodePtr node, const char *text);
void ww_web__textf(xmlNodePtr node, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
xmlNodePtr ww_web__link(xmlNodePtr parent, const char *href, const char *text);
/* href = prefix + percent-encoded value (+ suffix may be NULL). */
char *ww_web__href(const char *prefix, const char *value);
/* An error page: heading, message, a way back. */
void ww_web__error_page(ww_web_resp *rs, int status, const char *message);
/* A labelled value in a <dl>; nothing when value is NULL. */
void ww_web__dl_item(xmlNodePtr dl, const char *term, const char *value);

/* ---- pages.c, api.c --------------------------------------------------- */

void ww_web__page_home(ww_web_req *rq, ww_web_resp *rs);
void ww_web__page_search(ww_web_req *rq, ww_web_resp *rs);
void ww_web__page_intervention(ww_web_req *rq, ww_web_resp *rs, const char *slug);
void ww_web__page_case(ww_web_req *rq, ww_web_resp *rs);
void ww_web__page_issues(ww_web_req *rq, ww_web_resp *rs);
void ww_web__page_submit_form(ww_web_req *rq, ww_web_resp *rs);
void ww_web__page_submit(ww_web_req *rq, ww_web_resp *rs);

void ww_web__api_query(ww_web_req *rq, ww_web_resp *rs);
void ww_web__api_intervention(ww_web_req *rq, ww_web_resp *rs, const char *slug);
void ww_web__api_issues(ww_web_req *rq, ww_web_resp *rs);
void ww_web__api_case(ww_web_req *rq, ww_web_resp *rs);
void ww_web__api_submission(ww_web_req *rq, ww_web_resp *rs);
/* A JSON error body {"error": {"status": N, "message": "..."}}. */
void ww_web__api_error(ww_web_resp *rs, int status, const char *message);

/* Shared by the page and the API: parse the business-case parameters
 * (participants, horizon, discount, price_year, draws, seed) into opts;
 * on a bad value writes the reason into why and returns -1. */
int ww_web__case_opts(const ww_web_req *rq, ww_case_opts *opts, char *why, size_t why_size);

/* Shared by the page and the API: import body as a submission with the
 * writer connection. Sets *status to 201, 200 (already stored, or valid in
 * a dry run), 422 (rejected) or 5xx, and *out to the report (NULL on an
 * internal failure, with the reason in why). */
void ww_web__submit(ww_web_req *rq, const char *data, size_t len, const char *format, int dry_run,
                    ww_import_report **out, int *status, char *why, size_t why_size);

/* The embedded stylesheet and OpenAPI document (build/gen/web_embedded.c). */
extern const unsigned char ww__embedded_style_css[];
extern const size_t ww__embedded_style_css_len;
extern const unsigned char ww__embedded_openapi_json[];
extern const size_t ww__embedded_openapi_json_len;

#endif
