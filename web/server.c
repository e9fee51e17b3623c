/*
 * server.c — the HTTP server on libmicrohttpd: a thread pool polling with
 * epoll, one read-only database connection per request thread (opened on
 * the thread's first request) and one writer connection, behind a mutex,
 * for submissions; WAL lets reads go on while a submission is stored.
 *
 * What every request meets before a handler runs: only GET, HEAD and POST;
 * the path and every query argument must be valid UTF-8 (400); a body
 * larger than the limit is refused with 413 before it is read (from its
 * Content-Length, or as soon as a chunked body passes the limit); headers
 * and request lines beyond the per-connection memory (64 KiB) are refused
 * by libmicrohttpd itself; idle or stalled connections are closed after
 * the timeout. Every response carries the security headers below, and each
 * request is logged on one line when it completes. Nothing is ever served
 * from a path the client names: the stylesheet and the OpenAPI document
 * are compiled in, and every other response is built by a handler.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "web_int.h"

#define MAX_DB_THREADS 256
#define CONNECTION_MEMORY (64 * 1024)

struct ww_web_server {
    ww_web_opts opts;
    ww_db *writer;
    pthread_mutex_t writer_lock;
    /* every thread's read connection, closed when the daemon has stopped */
    pthread_mutex_t readers_lock;
    ww_db *readers[MAX_DB_THREADS];
    size_t n_readers;
    pthread_mutex_t log_lock;
};

static _Thread_local ww_db *thread_db;

/* Content-Security-Policy: nothing inline, nothing from elsewhere; the
 * only script the pages could run is none at all. */
static const char csp[] =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'";

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int ww_web__utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + len > n) return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

const char *ww_web__arg(const ww_web_req *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *ww_web__header(const ww_web_req *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

ww_db *ww_web__writer_acquire(ww_web_req *rq)
{
    pthread_mutex_lock(&rq->srv->writer_lock);
    return rq->srv->writer;
}

void ww_web__writer_release(ww_web_req *rq)
{
    pthread_mutex_unlock(&rq->srv->writer_lock);
}

void ww_web__set_body(ww_web_resp *rs, int status, const char *type, char *body, size_t len)
{
    free(rs->body);
    rs->status = status;
    rs->content_type = type;
    rs->body = body;
    rs->len = len;
}

int ww_web__status_for(int code)
{
    switch (code) {
    case WW_EUSAGE: return MHD_HTTP_BAD_REQUEST;
    case WW_ENOTFOUND: return MHD_HTTP_NOT_FOUND;
    case WW_EDATA: return MHD_HTTP_UNPROCESSABLE_CONTENT;
    case WW_EBUSY: return MHD_HTTP_SERVICE_UNAVAILABLE;
    default: return MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
}

/* This thread's read-only connection, opened on first use (and tried
 * again on the next request if it could not be opened, e.g. while busy). */
static ww_db *reader(ww_web_server *srv)
{
    ww_db *db = NULL;
    if (thread_db) return thread_db;
    if (ww_db_open(&db, srv->opts.db_path, WW_DB_READONLY) < 0) return NULL;
    pthread_mutex_lock(&srv->readers_lock);
    if (srv->n_readers < MAX_DB_THREADS) {
        srv->readers[srv->n_readers++] = db;
        thread_db = db;
    }
    pthread_mutex_unlock(&srv->readers_lock);
    if (!thread_db) ww_db_close(db); /* more threads than slots: cannot happen (--threads <= 256) */
    return thread_db;
}

static int is_api(const char *path)
{
    return strncmp(path, "/api/", 5) == 0;
}

static void error_response(const ww_web_req *rq, ww_web_resp *rs, int status, const char *message)
{
    if (rq->path && is_api(rq->path))
        ww_web__api_error(rs, status, message);
    else
        ww_web__error_page(rs, status, message);
}

static enum MHD_Result send_response(ww_web_req *rq, ww_web_resp *rs)
{
    struct MHD_Response *r;
    enum MHD_Result ret;

    r = MHD_create_response_from_buffer(rs->len, rs->body ? rs->body : (void *)"",
                                        MHD_RESPMEM_MUST_COPY);
    free(rs->body);
    rs->body = NULL;
    if (!r) return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            rs->content_type ? rs->content_type : "text/plain; charset=utf-8");
    MHD_add_response_header(r, "Content-Security-Policy", csp);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (rs->allow) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, rs->allow);
    if (rs->www_authenticate)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"whatworks\"");
    ret = MHD_queue_response(rq->conn, (unsigned)rs->status, r);
    MHD_destroy_response(r);
    rq->status = rs->status;
    rq->sent_bytes = rs->len;
    rq->responded = 1;
    return ret;
}

static void method_not_allowed(const ww_web_req *rq, ww_web_resp *rs, const char *allow)
{
    error_response(rq, rs, MHD_HTTP_METHOD_NOT_ALLOWED, "this address does not take that method");
    rs->allow = allow;
}

/* The routes. Exact paths, and one segment after /interventions/. */
static void route(ww_web_req *rq, ww_web_resp *rs)
{
    const char *p = rq->path;
    int post = strcmp(rq->method, "POST") == 0;

    if (strcmp(p, "/api/v1/submissions") == 0) {
        if (!post) return method_not_allowed(rq, rs, "POST");
        return ww_web__api_submission(rq, rs);
    }
    if (strcmp(p, "/submit") == 0) {
        if (post) return ww_web__page_submit(rq, rs);
        return ww_web__page_submit_form(rq, rs);
    }
    if (post) return method_not_allowed(rq, rs, "GET, HEAD");
    if (strcmp(p, "/healthz") == 0) {
        char *ok = strdup("ok\n");
        if (ok) ww_web__set_body(rs, MHD_HTTP_OK, "text/plain; charset=utf-8", ok, 3);
        return;
    }
    if (strcmp(p, "/favicon.ico") == 0) {
        rs->status = MHD_HTTP_NO_CONTENT; /* no icon, and no 404 for asking */
        return;
    }
    if (strcmp(p, "/style.css") == 0) {
        char *css = malloc(ww__embedded_style_css_len);
        if (css) memcpy(css, ww__embedded_style_css, ww__embedded_style_css_len);
        if (css)
            ww_web__set_body(rs, MHD_HTTP_OK, "text/css; charset=utf-8", css,
                             ww__embedded_style_css_len);
        return;
    }
    if (strcmp(p, "/api/v1/openapi.json") == 0) {
        char *doc = malloc(ww__embedded_openapi_json_len);
        if (doc) memcpy(doc, ww__embedded_openapi_json, ww__embedded_openapi_json_len);
        if (doc)
            ww_web__set_body(rs, MHD_HTTP_OK, "application/json", doc,
                             ww__embedded_openapi_json_len);
        return;
    }
    if (strcmp(p, "/") == 0) return ww_web__page_home(rq, rs);
    if (strcmp(p, "/search") == 0) return ww_web__page_search(rq, rs);
    if (strcmp(p, "/issues") == 0) return ww_web__page_issues(rq, rs);
    if (strcmp(p, "/case") == 0) return ww_web__page_case(rq, rs);
    if (strcmp(p, "/api/v1/query") == 0) return ww_web__api_query(rq, rs);
    if (strcmp(p, "/api/v1/issues") == 0) return ww_web__api_issues(rq, rs);
    if (strcmp(p, "/api/v1/case") == 0) return ww_web__api_case(rq, rs);
    if (strncmp(p, "/interventions/", 15) == 0 && p[15] && !strchr(p + 15, '/'))
        return ww_web__page_intervention(rq, rs, p + 15);
    if (strncmp(p, "/api/v1/interventions/", 22) == 0 && p[22] && !strchr(p + 22, '/'))
        return ww_web__api_intervention(rq, rs, p + 22);
    error_response(rq, rs, MHD_HTTP_NOT_FOUND, "there is no page at this address");
}

typedef struct arg_check {
    int bad;
} arg_check;

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    arg_check *c = cls;
    if ((key && !ww_web__utf8_valid(key, strlen(key))) ||
        (value && !ww_web__utf8_valid(value, strlen(value))))
        c->bad = 1;
    return c->bad ? MHD_NO : MHD_YES;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
    ww_web_server *srv = cls;
    ww_web_req *rq = *con_cls;
    ww_web_resp rs = {0};

    if (!rq) {
        const char *cl;
        arg_check ac = {0};
        if (!(rq = calloc(1, sizeof *rq))) return MHD_NO;
        *con_cls = rq;
        rq->conn = conn;
        rq->srv = srv;
        rq->method = method;
        rq->path = url;
        rq->started = now_seconds();
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
            strcmp(method, "POST") != 0) {
            method_not_allowed(rq, &rs, "GET, HEAD, POST");
            return send_response(rq, &rs);
        }
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, check_arg, &ac);
        if (ac.bad || !ww_web__utf8_valid(url, strlen(url))) {
            error_response(rq, &rs, MHD_HTTP_BAD_REQUEST,
                           "the address or its query string is not valid UTF-8");
            return send_response(rq, &rs);
        }
        cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            char *end;
            unsigned long long n;
            errno = 0;
            n = strtoull(cl, &end, 10);
            if (*end || errno || n > srv->opts.max_body_bytes) {
                char why[128];
                snprintf(why, sizeof why, "the body is larger than this server takes (%zu bytes)",
                         srv->opts.max_body_bytes);
                error_response(rq, &rs, MHD_HTTP_CONTENT_TOO_LARGE, why);
                return send_response(rq, &rs);
            }
        }
        return MHD_YES;
    }
    if (rq->responded) {
        *upload_data_size = 0; /* an early answer was queued; drop the rest */
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (rq->body_too_large || rq->body_len + n > srv->opts.max_body_bytes) {
            /* A chunked body past the limit: libmicrohttpd cannot answer in
             * the middle of an upload, so the rest is read and dropped and
             * 413 sent at its end; one that runs on to twice the limit is
             * cut off. */
            free(rq->body);
            rq->body = NULL;
            rq->body_alloc = 0;
            rq->body_len += n; /* counted, not kept */
            rq->body_too_large = 1;
            return rq->body_len > 2 * srv->opts.max_body_bytes ? MHD_NO : MHD_YES;
        }
        if (rq->body_len + n + 1 > rq->body_alloc) {
            size_t na = rq->body_alloc ? rq->body_alloc : 8192;
            char *p;
            while (na < rq->body_len + n + 1) na *= 2;
            if (!(p = realloc(rq->body, na))) return MHD_NO;
            rq->body = p;
            rq->body_alloc = na;
        }
        memcpy(rq->body + rq->body_len, upload_data, n);
        rq->body_len += n;
        rq->body[rq->body_len] = '\0';
        return MHD_YES;
    }
    if (rq->body_too_large) {
        char why[128];
        snprintf(why, sizeof why, "the body is larger than this server takes (%zu bytes)",
                 srv->opts.max_body_bytes);
        error_response(rq, &rs, MHD_HTTP_CONTENT_TOO_LARGE, why);
        return send_response(rq, &rs);
    }
    if (!(rq->db = reader(srv))) {
        error_response(rq, &rs, MHD_HTTP_SERVICE_UNAVAILABLE, "the database cannot be read");
        return send_response(rq, &rs);
    }
    route(rq, &rs);
    if (!rs.status) {
        free(rs.body);
        rs.body = NULL;
        error_response(rq, &rs, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    }
    return send_response(rq, &rs);
}

/* Printable ASCII, at most max bytes, others as '?': a log line stays one
 * line, whatever the client sent. */
static void clean(char *out, size_t size, const char *s)
{
    size_t i = 0;
    for (; s && *s && i + 4 < size; s++)
        out[i++] = (*s >= 0x20 && *s < 0x7f && *s != '"') ? *s : '?';
    if (s && *s) {
        out[i++] = '.';
        out[i++] = '.';
        out[i++] = '.';
    }
    out[i] = '\0';
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    ww_web_server *srv = cls;
    ww_web_req *rq = *con_cls;
    if (!rq) return;
    if (srv->opts.log) {
        char path[256], method[16], addr[INET6_ADDRSTRLEN] = "-", when[32];
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        time_t t = time(NULL);
        struct tm tm;
        if (ci && ci->client_addr) {
            const struct sockaddr *sa = ci->client_addr;
            if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr, sizeof addr);
            else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, addr,
                          sizeof addr);
        }
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        clean(path, sizeof path, rq->path);
        clean(method, sizeof method, rq->method);
        pthread_mutex_lock(&srv->log_lock);
        fprintf(srv->opts.log, "%s %s %s \"%s %s\" %d %zu %.1fms%s%s%s\n", when, addr,
                rq->who[0] ? rq->who : "-", method, path, rq->status, rq->sent_bytes,
                (now_seconds() - rq->started) * 1000.0,
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (",
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK      ? ""
                : toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? "timed out"
                : toe == MHD_REQUEST_TERMINATED_CLIENT_ABORT    ? "client went away"
                : toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN ? "server stopping"
                                                                : "closed",
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : ")");
        fflush(srv->opts.log);
        pthread_mutex_unlock(&srv->log_lock);
    }
    free(rq->body);
    free(rq);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    ww_web_server *srv = cls;
    if (!srv->opts.log) return;
    pthread_mutex_lock(&srv->log_lock);
    fputs("whatworks serve: ", srv->opts.log);
    vfprintf(srv->opts.log, fmt, ap);
    fflush(srv->opts.log);
    pthread_mutex_unlock(&srv->log_lock);
}

int ww_web_serve(const ww_web_opts *opts)
{
    ww_web_server *srv;
    struct MHD_Daemon *d = NULL;
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    struct sockaddr *sa;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    const union MHD_DaemonInfo *info;
    sigset_t stop;
    int sig, error, status = 0;

    if (!(srv = calloc(1, sizeof *srv))) {
        fputs("whatworks serve: out of memory\n", stderr);
        return 70;
    }
    srv->opts = *opts;
    if (!srv->opts.bind) srv->opts.bind = "127.0.0.1";
    if (!srv->opts.threads) srv->opts.threads = 4;
    if (!srv->opts.max_body_bytes) srv->opts.max_body_bytes = 10u * 1024 * 1024;
    if (!srv->opts.timeout_seconds) srv->opts.timeout_seconds = 15;
    pthread_mutex_init(&srv->writer_lock, NULL);
    pthread_mutex_init(&srv->readers_lock, NULL);
    pthread_mutex_init(&srv->log_lock, NULL);

    memset(&sin, 0, sizeof sin);
    memset(&sin6, 0, sizeof sin6);
    if (inet_pton(AF_INET, srv->opts.bind, &sin.sin_addr) == 1) {
        sin.sin_family = AF_INET;
        sin.sin_port = htons((unsigned short)srv->opts.port);
        sa = (struct sockaddr *)&sin;
    } else if (inet_pton(AF_INET6, srv->opts.bind, &sin6.sin6_addr) == 1) {
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons((unsigned short)srv->opts.port);
        sa = (struct sockaddr *)&sin6;
        flags |= MHD_USE_IPv6;
    } else {
        fprintf(stderr, "whatworks serve: --bind needs an IPv4 or IPv6 address, got '%s'\n",
                srv->opts.bind);
        status = 64;
        goto done;
    }
    /* The writer migrates the schema if needed, before any reader opens. */
    if ((error = ww_db_open(&srv->writer, srv->opts.db_path, 0)) < 0) {
        fprintf(stderr, "whatworks serve: %s\n", ww_error_last());
        status = ww_error_exit_status(error);
        goto done;
    }
    /* Signals go to sigwait below, not to the server's threads, which
     * inherit this mask. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    d = MHD_start_daemon(flags, 0, NULL, NULL, handle, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
                         srv, MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_THREAD_POOL_SIZE,
                         (unsigned)srv->opts.threads, MHD_OPTION_CONNECTION_TIMEOUT,
                         srv->opts.timeout_seconds, MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
                         MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)256, MHD_OPTION_NOTIFY_COMPLETED,
                         completed, srv, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "whatworks serve: cannot listen on %s port %d (%s)\n", srv->opts.bind,
                srv->opts.port, strerror(errno));
        status = 69;
        goto done;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (strchr(srv->opts.bind, ':'))
        printf("listening on http://[%s]:%u/\n", srv->opts.bind, info ? info->port : 0);
    else
        printf("listening on http://%s:%u/\n", srv->opts.bind, info ? info->port : 0);
    fflush(stdout);

    do {
        if (sigwait(&stop, &sig) != 0) sig = SIGTERM;
    } while (sig != SIGINT && sig != SIGTERM);
    if (srv->opts.log) {
        pthread_mutex_lock(&srv->log_lock);
        fprintf(srv->opts.log, "whatworks serve: %s, stopping\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
        fflush(srv->opts.log);
        pthread_mutex_unlock(&srv->log_lock);
    }
    /* Stop accepting, let the threads finish what they hold, then close. */
    MHD_quiesce_daemon(d);
    MHD_stop_daemon(d);
done:
    for (size_t i = 0; i < srv->n_readers; i++) ww_db_close(srv->readers[i]);
    ww_db_close(srv->writer);
    pthread_mutex_destroy(&srv->writer_lock);
    pthread_mutex_destroy(&srv->readers_lock);
    pthread_mutex_destroy(&srv->log_lock);
    free(srv);
    return status;
}
