/*
 * web.h — what the `whatworks serve` command asks of web/: start the HTTP
 * server, serve until SIGINT or SIGTERM, stop gracefully. The server is a
 * thin front end over the public API (whatworks.h), like the CLI.
 */
#ifndef WW_WEB_H
#define WW_WEB_H

#include <stddef.h>
#include <stdio.h>

typedef struct ww_web_opts {
    const char *db_path;
    const char *bind;         /* IPv4 or IPv6 literal; NULL means 127.0.0.1 */
    int port;                 /* 0 picks a free port (printed when listening) */
    int threads;              /* request threads, each with its own read-only
                                 database connection; 0 means 4 */
    size_t max_body_bytes;    /* larger bodies get 413 unread; 0 means 10 MB */
    unsigned timeout_seconds; /* an idle or stalled connection is closed
                                 after this; 0 means 15 */
    FILE *log;                /* access log, one line per request; NULL: none */
} ww_web_opts;

/* Serve until SIGINT or SIGTERM. Prints "listening on http://ADDR:PORT/" on
 * stdout (flushed) once the socket accepts. Returns a sysexits status. */
int ww_web_serve(const ww_web_opts *opts);

#endif
