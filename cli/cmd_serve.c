/*
 * cmd_serve.c — `whatworks serve`: the web front door (web/): HTML pages
 * and the JSON API over the database, on loopback unless told otherwise,
 * until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../web/web.h"
#include "cli.h"

static const char usage_text[] =
    "usage: whatworks serve [--bind ADDR] [--port P] [--threads N] [--max-body BYTES]\n"
    "                       [--timeout SECONDS] [--quiet]\n"
    "\n"
    "Serve the evidence over HTTP: search pages, the evidence behind each\n"
    "intervention, business cases, the issue taxonomy, a submission form for\n"
    "evaluators, and the JSON API under /api/v1/ (docs/openapi.json). Reads are\n"
    "open; submissions need a token (`whatworks token add NAME`). One line per\n"
    "request is logged on stderr. SIGINT or SIGTERM stops it gracefully.\n"
    "\n"
    "  --bind ADDR       the address to listen on (default 127.0.0.1)\n"
    "  --port P          the port (default 8080; 0 picks a free one, printed)\n"
    "  --threads N       request threads, each with its own read-only database\n"
    "                    connection (default 4)\n"
    "  --max-body BYTES  larger request bodies get 413 unread (default 10485760)\n"
    "  --timeout S       idle or stalled connections are closed after S seconds\n"
    "                    (default 15)\n"
    "  --quiet           no access log\n"
    "\n"
    "Exit status: 0 after a signal; 64 usage; 66 no database (run `whatworks init`);\n"
    "69 cannot listen.";

static int parse_num(long *out, const char *s, long lo, long hi)
{
    char *end;
    long v;
    if (!s || !*s) return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (*end || errno || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int cmd_serve(const cli_global *g, int argc, char **argv)
{
    ww_web_opts opts;
    long n;

    memset(&opts, 0, sizeof opts);
    opts.db_path = g->db_path;
    opts.port = 8080;
    opts.log = stderr;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(arg)) {
            puts(usage_text);
            return 0;
        } else if (strcmp(arg, "--quiet") == 0) {
            opts.log = NULL;
        } else if (strcmp(arg, "--bind") == 0 && val) {
            opts.bind = val;
            i++;
        } else if (strcmp(arg, "--port") == 0 && val) {
            if (parse_num(&n, val, 0, 65535) < 0)
                return cli_usage_error("serve", "--port needs 0 to 65535, got '%s'", val);
            opts.port = (int)n;
            i++;
        } else if (strcmp(arg, "--threads") == 0 && val) {
            if (parse_num(&n, val, 1, 256) < 0)
                return cli_usage_error("serve", "--threads needs 1 to 256, got '%s'", val);
            opts.threads = (int)n;
            i++;
        } else if (strcmp(arg, "--max-body") == 0 && val) {
            if (parse_num(&n, val, 1, 1L << 30) < 0)
                return cli_usage_error("serve", "--max-body needs 1 to 1073741824 bytes, got '%s'",
                                       val);
            opts.max_body_bytes = (size_t)n;
            i++;
        } else if (strcmp(arg, "--timeout") == 0 && val) {
            if (parse_num(&n, val, 1, 3600) < 0)
                return cli_usage_error("serve", "--timeout needs 1 to 3600 seconds, got '%s'", val);
            opts.timeout_seconds = (unsigned)n;
            i++;
        } else {
            return cli_usage_error("serve", "unknown option '%s' (or it needs a value)", arg);
        }
    }
    return ww_web_serve(&opts);
}
