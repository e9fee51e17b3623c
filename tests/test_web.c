/*
 * test_web.c — `whatworks serve` over a loopback socket: every status code
 * the server gives (200, 201, 400, 401, 404, 405, 413, 415, 422), the
 * security headers on every page, the JSON API against the library's own
 * writers, the OpenAPI document against the routes, the token lifecycle,
 * hostile requests (path traversal, a 1 MB query string, invalid UTF-8, a
 * header flood, half-sent bodies, idle connections) answered with the
 * server still serving, reads while submissions write, and a graceful
 * stop on SIGTERM with one log line per request. The client is a few lines
 * of sockets, so what is sent is exactly what the test says.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define SLUG "attendance-mentoring-illustrative-example"

static char dir[] = "/tmp/ww-test-web-XXXXXX";
static char db_path[256], log_path[256], token[128];
static pid_t server_pid;
static int port;

/* ---- a tiny HTTP client ----------------------------------------------- */

typedef struct http_resp {
    int status; /* 0 when the connection closed without a status line */
    char *raw;  /* headers and body */
    size_t len;
    const char *body;
} http_resp;

static int connect_server(void)
{
    struct sockaddr_in sa;
    struct timeval tv = {10, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

static void send_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t k = send(fd, data, len, MSG_NOSIGNAL);
        if (k <= 0) return; /* the server may close early (413, 431) */
        data += k;
        len -= (size_t)k;
    }
}

static void read_resp(int fd, http_resp *r)
{
    size_t alloc = 65536;
    memset(r, 0, sizeof *r);
    r->raw = malloc(alloc);
    for (;;) {
        ssize_t k;
        if (r->len + 1 >= alloc) r->raw = realloc(r->raw, alloc *= 2);
        k = recv(fd, r->raw + r->len, alloc - r->len - 1, 0);
        if (k <= 0) break;
        r->len += (size_t)k;
    }
    r->raw[r->len] = '\0';
    if (strncmp(r->raw, "HTTP/1.", 7) == 0) r->status = (int)strtol(r->raw + 9, NULL, 10);
    r->body = strstr(r->raw, "\r\n\r\n");
    r->body = r->body ? r->body + 4 : r->raw + r->len;
}

/* Send raw bytes on a new connection and read the answer until close. */
static void http_raw(http_resp *r, const char *req, size_t len)
{
    int fd = connect_server();
    send_all(fd, req, len);
    read_resp(fd, r);
    close(fd);
}

static void http(http_resp *r, const char *method, const char *target, const char *headers,
                 const char *body, size_t body_len)
{
    size_t n = strlen(target) + (headers ? strlen(headers) : 0) + body_len + 256;
    char *req = malloc(n);
    int k = snprintf(req, n, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s", method,
                     target, headers ? headers : "");
    if (body) k += snprintf(req + k, n - (size_t)k, "Content-Length: %zu\r\n", body_len);
    k += snprintf(req + k, n - (size_t)k, "\r\n");
    if (body) {
        memcpy(req + k, body, body_len);
        k += (int)body_len;
    }
    http_raw(r, req, (size_t)k);
    free(req);
}

static void get(http_resp *r, const char *target)
{
    http(r, "GET", target, NULL, NULL, 0);
}

static void resp_free(http_resp *r)
{
    free(r->raw);
    r->raw = NULL;
}

/* The value of a response header (case-insensitive name), in buf. */
static const char *header(const http_resp *r, const char *name, char *buf, size_t size)
{
    size_t n = strlen(name);
    for (const char *p = r->raw; p && p < r->body; p = strstr(p, "\r\n"), p = p ? p + 2 : NULL) {
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1, *e = strstr(v, "\r\n");
            while (*v == ' ') v++;
            snprintf(buf, size, "%.*s", (int)(e ? e - v : (long)strlen(v)), v);
            return buf;
        }
    }
    return NULL;
}

static void assert_security_headers(const http_resp *r)
{
    char buf[512];
    assert_non_null(header(r, "Content-Security-Policy", buf, sizeof buf));
    assert_non_null(strstr(buf, "frame-ancestors 'none'"));
    assert_non_null(strstr(buf, "default-src 'none'"));
    assert_null(strstr(buf, "unsafe-inline"));
    assert_non_null(header(r, "X-Content-Type-Options", buf, sizeof buf));
    assert_string_equal(buf, "nosniff");
    assert_non_null(header(r, "Referrer-Policy", buf, sizeof buf));
}

static void assert_serving(void)
{
    http_resp r;
    get(&r, "/healthz");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ok\n");
    resp_free(&r);
}

/* ---- the server -------------------------------------------------------- */

static int run_cli(const char *args, char *out, size_t out_size)
{
    char cmd[1024];
    FILE *p;
    size_t n = 0;
    snprintf(cmd, sizeof cmd, "'%s' --db '%s' %s 2>/dev/null",
             test_env("WW_BIN", "build/whatworks"), db_path, args);
    p = popen(cmd, "r");
    assert_non_null(p);
    if (out) {
        n = fread(out, 1, out_size - 1, p);
        out[n] = '\0';
    }
    return WEXITSTATUS(pclose(p));
}

static void start_server(void)
{
    int pipefd[2];
    char line[256] = "";
    FILE *fp;
    assert_int_equal(pipe(pipefd), 0);
    server_pid = fork();
    assert_true(server_pid >= 0);
    if (server_pid == 0) {
        int logfd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
        dup2(pipefd[1], 1);
        dup2(logfd, 2);
        close(pipefd[0]);
        execl(test_env("WW_BIN", "build/whatworks"), "whatworks", "--db", db_path, "serve",
              "--port", "0", "--threads", "3", "--timeout", "2", "--max-body", "65536",
              (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    fp = fdopen(pipefd[0], "r");
    assert_non_null(fgets(line, sizeof line, fp));
    fclose(fp);
    assert_non_null(strstr(line, "listening on http://127.0.0.1:"));
    port = (int)strtol(strrchr(line, ':') + 1, NULL, 10);
    assert_true(port > 0);
}

static int setup(void **state)
{
    ww_db *db = NULL;
    ww_import_report *rep = NULL;
    char path[1024], examples[512];
    const char *names[] = {"attendance-mentoring.xml", "employment-coaching.xml",
                           "family-intervention-asb.xml", NULL};
    char *tok = NULL;

    if (!mkdtemp(dir)) return -1;
    snprintf(db_path, sizeof db_path, "%s/w.db", dir);
    snprintf(log_path, sizeof log_path, "%s/access.log", dir);
    if (ww_db_open(&db, db_path, WW_DB_CREATE) < 0) return -1;
    TOP_PATH(examples, "data/examples");
    for (size_t i = 0; names[i]; i++) {
        ww_import_opts opts = {0};
        snprintf(path, sizeof path, "%s/%s", examples, names[i]);
        if (ww_import_file(&rep, db, path, &opts) < 0) return -1;
        ww_import_report_free(rep);
    }
    if (ww_token_add(&tok, db, "alice") < 0) return -1;
    snprintf(token, sizeof token, "%s", tok);
    ww_token_free(tok);
    ww_db_close(db);
    start_server();
    return 0;
}

static int teardown(void **state)
{
    char cmd[400];
    if (server_pid > 0) {
        kill(server_pid, SIGKILL);
        waitpid(server_pid, NULL, 0);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A submission the store has not seen: the example with a new title. */
static char *new_submission(const char *tag, size_t *len)
{
    char path[512], *xml, *p, *out;
    TOP_PATH(path, "data/examples/attendance-mentoring.xml");
    xml = test_slurp(path);
    p = strstr(xml, "</title>");
    assert_non_null(p);
    *len = strlen(xml) + strlen(tag) + 8;
    out = malloc(*len);
    snprintf(out, *len, "%.*s %s%s", (int)(p - xml), xml, tag, p);
    free(xml);
    *len = strlen(out);
    return out;
}

/* ---- pages ------------------------------------------------------------- */

static void test_web__pages_have_security_headers(void **state)
{
    const char *pages[] = {"/",
                           "/search?q=truancy",
                           "/interventions/" SLUG,
                           "/issues",
                           "/submit",
                           "/case?intervention=" SLUG "&participants=100&horizon=10",
                           "/nope",
                           "/style.css",
                           "/api/v1/issues",
                           "/healthz",
                           NULL};
    for (size_t i = 0; pages[i]; i++) {
        http_resp r;
        get(&r, pages[i]);
        assert_true(r.status == 200 || (r.status == 404 && strcmp(pages[i], "/nope") == 0));
        assert_security_headers(&r);
        assert_null(strstr(r.body, "<script"));
        assert_null(strstr(r.body, " style=\""));
        resp_free(&r);
    }
}

static void test_web__search_shows_ranked_rows(void **state)
{
    http_resp r;
    char buf[128];
    get(&r, "/search?q=truancy&provisional=1");
    assert_int_equal(r.status, 200);
    assert_non_null(header(&r, "Content-Type", buf, sizeof buf));
    assert_string_equal(buf, "text/html; charset=utf-8");
    assert_non_null(strstr(r.body, "<!DOCTYPE html>"));
    assert_non_null(strstr(r.body, "<main"));
    assert_non_null(strstr(r.body, "<label for=\"q\">"));
    assert_non_null(strstr(r.body, "href=\"/interventions/" SLUG "\""));
    assert_non_null(strstr(r.body, "Attendance mentoring"));
    assert_non_null(strstr(r.body, "no clear effect"));
    resp_free(&r);
    /* without the box ticked, the unreviewed examples are left out */
    get(&r, "/search?q=truancy");
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "href=\"/interventions/" SLUG "\""));
    resp_free(&r);
}

static void test_web__text_is_escaped(void **state)
{
    http_resp r;
    get(&r, "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%27");
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "<script"));
    assert_non_null(strstr(r.body, "&lt;script&gt;"));
    resp_free(&r);
}

static void test_web__intervention_page(void **state)
{
    http_resp r;
    get(&r, "/interventions/" SLUG);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<h1>Attendance mentoring"));
    assert_non_null(strstr(r.body, "Pooled results"));
    assert_non_null(strstr(r.body, "action=\"/case\""));
    assert_non_null(strstr(r.body, "<svg")); /* the forest plot, inline */
    assert_non_null(strstr(r.body, "aria-labelledby=\"forest-title\""));
    assert_non_null(strstr(r.body, "<polygon"));
    resp_free(&r);
    get(&r, "/interventions/no-such-thing");
    assert_int_equal(r.status, 404);
    resp_free(&r);
}

/* ---- status codes ------------------------------------------------------ */

static void test_web__bad_parameters_are_400(void **state)
{
    const char *bad[] = {"/search",
                         "/search?q=",
                         "/api/v1/query",
                         "/api/v1/query?issue=truancy&limit=abc",
                         "/api/v1/query?issue=truancy&limit=0",
                         "/api/v1/case",
                         "/api/v1/case?intervention=" SLUG "&participants=-1",
                         "/api/v1/case?intervention=" SLUG "&horizon=x",
                         "/api/v1/case?intervention=" SLUG "&discount=bogus",
                         "/case?intervention=" SLUG "&draws=1000000000",
                         "/search?q=%FF%FE",
                         "/api/v1/query?issue=tru%C0%AFancy",
                         "/api/v1/query?issue=%ED%A0%80",
                         "/interventions/%C3%28",
                         "/api/v1/interventions/%F5%80%80%80",
                         NULL};
    for (size_t i = 0; bad[i]; i++) {
        http_resp r;
        get(&r, bad[i]);
        if (r.status != 400) print_error("%s: %d\n", bad[i], r.status);
        assert_int_equal(r.status, 400);
        assert_security_headers(&r);
        if (strncmp(bad[i], "/api/", 5) == 0) {
            json_t *doc = json_loads(r.body, 0, NULL);
            assert_non_null(doc);
            assert_true(
                json_string_length(json_object_get(json_object_get(doc, "error"), "message")) > 0);
            json_decref(doc);
        }
        resp_free(&r);
    }
}

static void test_web__unknown_routes_are_404(void **state)
{
    const char *paths[] = {"/nope",
                           "/api/v1/nope",
                           "/api/v2/query?issue=truancy",
                           "/interventions/",
                           "/interventions/" SLUG "/extra",
                           "/api/v1/interventions/nope",
                           NULL};
    for (size_t i = 0; paths[i]; i++) {
        http_resp r;
        get(&r, paths[i]);
        assert_int_equal(r.status, 404);
        resp_free(&r);
    }
}

static void test_web__head_answers_and_wrong_methods_are_405(void **state)
{
    http_resp r;
    char buf[64];
    http(&r, "HEAD", "/search?q=truancy", NULL, NULL, 0);
    assert_int_equal(r.status, 200); /* HEAD: the headers, no body */
    assert_security_headers(&r);
    assert_string_equal(r.body, "");
    resp_free(&r);
    http(&r, "DELETE", "/", NULL, NULL, 0);
    assert_int_equal(r.status, 405);
    resp_free(&r);
    get(&r, "/api/v1/submissions");
    assert_int_equal(r.status, 405);
    assert_non_null(header(&r, "Allow", buf, sizeof buf));
    assert_string_equal(buf, "POST");
    resp_free(&r);
    http(&r, "POST", "/search?q=truancy", NULL, "x", 1);
    assert_int_equal(r.status, 405);
    resp_free(&r);
}

/* ---- the JSON API mirrors the library's writers ------------------------ */

static char *library_json(int which)
{
    ww_db *db = NULL;
    ww_query_result *res = NULL;
    ww_query_opts opts = {0};
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_ww_ok(ww_db_open(&db, db_path, WW_DB_READONLY));
    if (which == 0) {
        assert_ww_ok(ww_query_run(&res, db, "truancy", &opts));
        assert_ww_ok(ww_query_result_write(res, fp, WW_FORMAT_JSON));
        ww_query_result_free(res);
    } else if (which == 1) {
        assert_ww_ok(ww_show_write(db, SLUG, fp, WW_FORMAT_JSON));
    } else {
        assert_ww_ok(ww_issues_write(db, fp, WW_FORMAT_JSON));
    }
    fclose(fp);
    ww_db_close(db);
    return buf;
}

static void test_web__api_mirrors_the_library(void **state)
{
    const char *targets[] = {"/api/v1/query?issue=truancy", "/api/v1/interventions/" SLUG,
                             "/api/v1/issues"};
    for (int i = 0; i < 3; i++) {
        http_resp r;
        char *want = library_json(i), buf[64];
        get(&r, targets[i]);
        assert_int_equal(r.status, 200);
        assert_non_null(header(&r, "Content-Type", buf, sizeof buf));
        assert_string_equal(buf, "application/json");
        assert_string_equal(r.body, want);
        free(want);
        resp_free(&r);
    }
}

static void test_web__api_case(void **state)
{
    http_resp r;
    json_t *doc;
    get(&r, "/api/v1/case?intervention=" SLUG "&participants=100&horizon=10&seed=7&draws=500");
    assert_int_equal(r.status, 200);
    doc = json_loads(r.body, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "schema")), "whatworks/case/1");
    json_decref(doc);
    resp_free(&r);
    get(&r, "/api/v1/case?intervention=no-such-thing");
    assert_int_equal(r.status, 404);
    resp_free(&r);
}

/* ---- submissions and tokens -------------------------------------------- */

static void submit(http_resp *r, const char *tok, const char *type, const char *body, size_t len,
                   const char *query)
{
    char headers[512], target[128];
    int k = 0;
    if (tok)
        k += snprintf(headers + k, sizeof headers - (size_t)k, "Authorization: Bearer %s\r\n", tok);
    if (type) k += snprintf(headers + k, sizeof headers - (size_t)k, "Content-Type: %s\r\n", type);
    headers[k] = '\0';
    snprintf(target, sizeof target, "/api/v1/submissions%s", query ? query : "");
    http(r, "POST", target, headers, body, len);
}

static void test_web__submissions(void **state)
{
    http_resp r;
    size_t len;
    char *xml = new_submission("(web cohort)", &len), buf[128];
    json_t *doc;

    submit(&r, NULL, "application/xml", xml, len, NULL);
    assert_int_equal(r.status, 401);
    assert_non_null(header(&r, "WWW-Authenticate", buf, sizeof buf));
    resp_free(&r);
    submit(&r, "wwt_not-a-real-token", "application/xml", xml, len, NULL);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    submit(&r, token, "application/pdf", xml, len, NULL);
    assert_int_equal(r.status, 415);
    resp_free(&r);
    submit(&r, token, "application/xml", "", 0, NULL);
    assert_int_equal(r.status, 400);
    resp_free(&r);

    submit(&r, token, "application/xml", xml, len, "?dry_run=true");
    assert_int_equal(r.status, 200);
    doc = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "valid");
    assert_false(json_is_true(json_object_get(doc, "stored")));
    json_decref(doc);
    resp_free(&r);

    submit(&r, token, "application/xml", xml, len, NULL);
    assert_int_equal(r.status, 201);
    doc = json_loads(r.body, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "schema")),
                        "whatworks/submission/1");
    assert_true(json_is_true(json_object_get(doc, "stored")));
    assert_non_null(strstr(json_string_value(json_object_get(doc, "provisional_grades")), "level"));
    json_decref(doc);
    resp_free(&r);

    submit(&r, token, "application/xml", xml, len, NULL);
    assert_int_equal(r.status, 200); /* the same bytes again: already stored */
    resp_free(&r);

    submit(&r, token, "application/xml", "<submission version=\"1\"><oops/></submission>", 45,
           NULL);
    assert_int_equal(r.status, 422);
    doc = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "rejected");
    assert_true(json_array_size(json_object_get(doc, "diagnostics")) > 0);
    json_decref(doc);
    resp_free(&r);
    free(xml);
}

static void test_web__oversize_bodies_are_413(void **state)
{
    http_resp r;
    const char big[] =
        "POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\n"
        "Authorization: Bearer x\r\nContent-Length: 100000000\r\n\r\n";
    char *chunk = malloc(70000), head[256];
    int fd;
    time_t t0 = time(NULL);
    /* declared too large: answered at once, the body never read */
    http_raw(&r, big, sizeof big - 1);
    assert_int_equal(r.status, 413);
    assert_true(time(NULL) - t0 < 2);
    resp_free(&r);
    /* chunked, growing past the limit */
    fd = connect_server();
    snprintf(head, sizeof head,
             "POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: "
             "application/xml\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n",
             70000);
    send_all(fd, head, strlen(head));
    memset(chunk, 'a', 70000);
    send_all(fd, chunk, 70000);
    send_all(fd, "\r\n0\r\n\r\n", 7);
    read_resp(fd, &r);
    close(fd);
    assert_int_equal(r.status, 413);
    resp_free(&r);
    free(chunk);
    assert_serving();
}

static void test_web__token_lifecycle(void **state)
{
    char out[4096], bob[128], *nl;
    http_resp r;
    size_t len;
    char *xml = new_submission("(bob's cohort)", &len);

    assert_int_equal(run_cli("token add bob", bob, sizeof bob), 0);
    if ((nl = strchr(bob, '\n'))) *nl = '\0';
    assert_int_equal(strncmp(bob, "wwt_", 4), 0);
    assert_int_not_equal(run_cli("token add bob", NULL, 0), 0); /* one live token per name */
    assert_int_not_equal(run_cli("token add 'bad name!'", NULL, 0), 0);
    assert_int_equal(run_cli("token list --format json", out, sizeof out), 0);
    assert_non_null(strstr(out, "\"bob\""));
    assert_null(strstr(out, bob + 4));
    /* only a hash is stored */
    {
        ww_db *db = NULL;
        char name[80];
        assert_ww_ok(ww_db_open(&db, db_path, WW_DB_READONLY));
        assert_ww_ok(ww_token_verify(db, bob, name, sizeof name));
        assert_string_equal(name, "bob");
        assert_int_equal(ww_token_verify(db, "wwt_nope", NULL, 0), WW_ENOTFOUND);
        ww_db_close(db);
    }
    {
        /* the token's text is nowhere in the database file */
        FILE *fp = fopen(db_path, "rb");
        char *all = malloc(64 << 20);
        size_t n = fread(all, 1, 64 << 20, fp);
        fclose(fp);
        for (size_t i = 0; i + strlen(bob) <= n; i++)
            assert_false(memcmp(all + i, bob, strlen(bob)) == 0);
        free(all);
    }
    submit(&r, bob, "application/xml", xml, len, NULL);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    assert_int_equal(run_cli("token revoke bob", NULL, 0), 0);
    assert_int_not_equal(run_cli("token revoke bob", NULL, 0), 0);
    submit(&r, bob, "application/xml", xml, len, "?dry_run=1");
    assert_int_equal(r.status, 401);
    resp_free(&r);
    assert_int_equal(run_cli("token list --format csv", out, sizeof out), 0);
    assert_non_null(strstr(out, "bob,"));
    assert_non_null(strstr(out, "Z\r\n")); /* a revoked_at time */
    free(xml);
}

static void test_web__submit_form(void **state)
{
    const char *boundary = "----wwboundary";
    char body[8192], headers[256];
    http_resp r;
    size_t len;
    char *xml = new_submission("(form cohort)", &len);
    int n;
    for (int with_token = 0; with_token < 2; with_token++) {
        n = snprintf(
            body, sizeof body,
            "--%s\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n%s\r\n"
            "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"pilot.xml\"\r\n"
            "Content-Type: application/xml\r\n\r\n%s\r\n--%s--\r\n",
            boundary, with_token ? token : "wrong", boundary, xml, boundary);
        snprintf(headers, sizeof headers, "Content-Type: multipart/form-data; boundary=%s\r\n",
                 boundary);
        http(&r, "POST", "/submit", headers, body, (size_t)n);
        assert_int_equal(r.status, with_token ? 201 : 401);
        assert_security_headers(&r);
        if (with_token) {
            assert_non_null(strstr(r.body, "Submission stored"));
            assert_non_null(strstr(r.body, "Provisional grade"));
        }
        resp_free(&r);
    }
    free(xml);
}

/* ---- documented JSON ------------------------------------------------- */

/* The example after "<!-- example: NAME -->" in docs/json.md. */
static json_t *doc_example(const char *name)
{
    char path[512], marker[128], *text, *p, *start, *end;
    json_t *doc;
    text = test_slurp(TOP_PATH(path, "docs/json.md"));
    snprintf(marker, sizeof marker, "<!-- example: %s -->", name);
    assert_non_null(p = strstr(text, marker));
    assert_non_null(start = strstr(p, "```json\n"));
    start += 8;
    assert_non_null(end = strstr(start, "\n```"));
    *end = '\0';
    doc = json_loads(start, 0, NULL);
    free(text);
    assert_non_null(doc);
    return doc;
}

/* Same keys at every level (an array's first element stands for all). */
static void assert_same_keys(json_t *documented, json_t *actual)
{
    const char *key;
    json_t *v;
    if (json_is_array(documented) && json_array_size(documented) && json_array_size(actual)) {
        assert_same_keys(json_array_get(documented, 0), json_array_get(actual, 0));
        return;
    }
    if (!json_is_object(documented)) return;
    assert_true(json_is_object(actual));
    assert_int_equal(json_object_size(documented), json_object_size(actual));
    json_object_foreach(documented, key, v)
    {
        json_t *a = json_object_get(actual, key);
        if (!a) print_error("documented key %s is not in the output\n", key);
        assert_non_null(a);
        assert_same_keys(v, a);
    }
}

static void test_web__json_matches_the_docs(void **state)
{
    http_resp r;
    json_t *doc, *want;
    char out[4096];
    submit(&r, token, "application/xml", "<submission version=\"1\"><oops/></submission>", 45,
           NULL);
    assert_int_equal(r.status, 422);
    doc = json_loads(r.body, 0, NULL);
    want = doc_example("submission");
    assert_string_equal(json_string_value(json_object_get(doc, "schema")),
                        json_string_value(json_object_get(want, "schema")));
    assert_same_keys(want, doc);
    json_decref(doc);
    json_decref(want);
    resp_free(&r);
    assert_int_equal(run_cli("token list --format json", out, sizeof out), 0);
    doc = json_loads(out, 0, NULL);
    want = doc_example("tokens");
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "schema")), "whatworks/tokens/1");
    assert_same_keys(want, doc);
    json_decref(doc);
    json_decref(want);
}

/* ---- hostile requests --------------------------------------------------- */

static void test_web__path_traversal(void **state)
{
    const char *paths[] = {"/../../etc/passwd",
                           "/style.css/../../../etc/passwd",
                           "/interventions/..%2F..%2F..%2Fetc%2Fpasswd",
                           "/%2e%2e/%2e%2e/etc/passwd",
                           "/api/v1/interventions/..%2f..%2fetc%2fpasswd",
                           "/static/../../etc/shadow",
                           "//etc/passwd",
                           "/interventions/%00",
                           NULL};
    for (size_t i = 0; paths[i]; i++) {
        http_resp r;
        get(&r, paths[i]);
        assert_true(r.status == 404 || r.status == 400);
        assert_null(strstr(r.body, "root:"));
        resp_free(&r);
    }
    assert_serving();
}

static void test_web__long_query_string(void **state)
{
    size_t n = 1 << 20;
    char *target = malloc(n + 64);
    http_resp r;
    memcpy(target, "/search?q=", 10);
    memset(target + 10, 'a', n);
    target[10 + n] = '\0';
    get(&r, target);
    assert_true(r.status >= 400 && r.status < 500); /* 414: beyond the connection's memory */
    resp_free(&r);
    /* long, but within what a connection holds: the library refuses it */
    target[10 + 8000] = '\0';
    get(&r, target);
    assert_int_equal(r.status, 400);
    resp_free(&r);
    free(target);
    assert_serving();
}

static void test_web__header_flood(void **state)
{
    size_t n = 4000, k = 0;
    char *req = malloc(n * 64 + 256);
    http_resp r;
    size_t size = n * 64 + 256;
    k += (size_t)snprintf(req, size, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(req + k, size - k, "X-Flood-%zu: %040zu\r\n", i, i);
    k += (size_t)snprintf(req + k, size - k, "\r\n");
    http_raw(&r, req, k);
    assert_true(r.status == 0 || (r.status >= 400 && r.status < 500)); /* 431, or closed */
    resp_free(&r);
    free(req);
    assert_serving();
}

static void test_web__half_sent_body_and_idle_clients(void **state)
{
    const char half[] =
        "POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\n"
        "Content-Length: 5000\r\n\r\n<submission";
    int slow = connect_server(), idle = connect_server(), partial = connect_server();
    struct timespec t0, t1;
    http_resp r;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    send_all(slow, half, sizeof half - 1);
    send_all(partial, "GET /search?q=tru", 17); /* a request line never finished */
    /* the server answers others meanwhile */
    assert_serving();
    read_resp(slow, &r); /* returns when the server closes it */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true(r.status == 0 || r.status == 408 || r.status >= 400);
    assert_true(t1.tv_sec - t0.tv_sec <= 6);
    resp_free(&r);
    read_resp(idle, &r);
    assert_true(r.status == 0 || r.status == 408);
    resp_free(&r);
    read_resp(partial, &r);
    resp_free(&r);
    close(slow);
    close(idle);
    close(partial);
    assert_serving();
}

/* ---- reads while a submission writes ----------------------------------- */

static void test_web__reads_while_writing(void **state)
{
    pid_t writer = fork();
    int st, ok = 0;
    assert_true(writer >= 0);
    if (writer == 0) {
        for (int i = 0; i < 15; i++) {
            http_resp r;
            char tag[32];
            size_t len;
            char *xml;
            snprintf(tag, sizeof tag, "(wave %d)", i);
            xml = new_submission(tag, &len);
            submit(&r, token, "application/xml", xml, len, NULL);
            if (r.status != 201) _exit(1);
            resp_free(&r);
            free(xml);
        }
        _exit(0);
    }
    for (int i = 0; i < 60; i++) {
        http_resp r;
        get(&r, "/api/v1/query?issue=truancy");
        if (r.status == 200) ok++;
        resp_free(&r);
    }
    waitpid(writer, &st, 0);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_int_equal(ok, 60);
}

/* A whole WWC findings export (about 10 s of writing in one transaction)
 * imported by another process while the server answers: every read is
 * answered, and once the import commits the server's readers see it. */
static void test_web__reads_while_a_cli_import_writes(void **state)
{
    char findings[1024], cmd[2048];
    pid_t importer;
    int st, answered = 0, asked = 0;
    http_resp r;
    FILE *probe;

    SHARED_PATH(findings, "wwc/wwc_Findings.csv");
    if (!(probe = fopen(findings, "rb"))) {
        print_message("skipped: no %s\n", findings);
        skip();
    }
    fclose(probe);
    snprintf(cmd, sizeof cmd, "%s", test_env("WW_BIN", "build/whatworks"));
    importer = fork();
    assert_true(importer >= 0);
    if (importer == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execl(cmd, "whatworks", "--db", db_path, "import", findings, (char *)NULL);
        _exit(127);
    }
    while (waitpid(importer, &st, WNOHANG) == 0) {
        get(&r, "/api/v1/query?issue=truancy");
        asked++;
        if (r.status == 200) answered++;
        resp_free(&r);
        get(&r, "/search?q=reading");
        asked++;
        if (r.status == 200) answered++;
        resp_free(&r);
    }
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_true(asked > 10);
    assert_int_equal(answered, asked);
    print_message("%d of %d reads answered while the import wrote\n", answered, asked);
    get(&r, "/search?q=truancy");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Early College High School")); /* a WWC intervention */
    resp_free(&r);
}

/* ---- the OpenAPI document against the routes --------------------------- */

static void test_web__openapi_matches_routes(void **state)
{
    char path[512];
    json_t *doc, *paths, *op;
    const char *route;
    /* every route the server has under /api/v1/, and /healthz */
    const char *routes[] = {
        "/api/v1/query",       "/api/v1/interventions/{slug}", "/api/v1/issues", "/api/v1/case",
        "/api/v1/submissions", "/api/v1/openapi.json",         "/healthz",       NULL};
    size_t n_routes = 0;
    http_resp r;
    char *file = test_slurp(TOP_PATH(path, "docs/openapi.json"));

    doc = json_loads(file, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.0.3");
    paths = json_object_get(doc, "paths");
    for (size_t i = 0; routes[i]; i++, n_routes++)
        assert_non_null(json_object_get(paths, routes[i]));
    assert_int_equal(json_object_size(paths), n_routes);
    json_object_foreach(paths, route, op)
    {
        json_t *method;
        const char *name;
        json_object_foreach(op, name, method)
        {
            char target[512];
            size_t k = 0;
            json_t *params = json_object_get(method, "parameters"), *p;
            size_t i;
            int sep = '?';
            /* fill the path template and required query parameters from the examples */
            for (const char *s = route; *s && k < sizeof target - 1; s++) {
                if (*s == '{') {
                    k += (size_t)snprintf(target + k, sizeof target - k, "%s", SLUG);
                    s = strchr(s, '}');
                } else {
                    target[k++] = *s;
                }
            }
            target[k] = '\0';
            json_array_foreach(params, i, p)
            {
                if (strcmp(json_string_value(json_object_get(p, "in")), "query") == 0 &&
                    json_is_true(json_object_get(p, "required"))) {
                    k += (size_t)snprintf(target + k, sizeof target - k, "%c%s=%s", sep,
                                          json_string_value(json_object_get(p, "name")),
                                          json_string_value(json_object_get(p, "example")));
                    sep = '&';
                }
            }
            if (strcmp(name, "get") == 0) {
                char status[8];
                get(&r, target);
                snprintf(status, sizeof status, "%d", r.status);
                if (r.status != 200) print_error("%s: %d\n", target, r.status);
                assert_int_equal(r.status, 200);
                assert_non_null(json_object_get(json_object_get(method, "responses"), status));
            } else {
                assert_string_equal(name, "post");
                http(&r, "POST", target, "Content-Type: application/xml\r\n", "<x/>", 4);
                assert_int_equal(r.status, 401); /* documented as needing a token */
                assert_non_null(json_object_get(json_object_get(method, "responses"), "401"));
                assert_non_null(json_object_get(json_object_get(method, "responses"), "413"));
            }
            resp_free(&r);
        }
    }
    /* the server's copy is this file */
    get(&r, "/api/v1/openapi.json");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, file);
    resp_free(&r);
    json_decref(doc);
    free(file);
}

/* ---- stopping ----------------------------------------------------------- */

static void test_web__sigterm_stops_gracefully_and_every_request_is_logged(void **state)
{
    int st;
    char *log;
    size_t lines = 0;
    assert_serving();
    assert_int_equal(kill(server_pid, SIGTERM), 0);
    assert_int_equal(waitpid(server_pid, &st, 0), server_pid);
    server_pid = 0;
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    log = test_slurp(log_path);
    assert_non_null(strstr(log, "SIGTERM, stopping"));
    assert_non_null(strstr(log, "\"GET /healthz\" 200 3 "));
    assert_non_null(strstr(log, "alice \"POST /api/v1/submissions\" 201"));
    for (const char *p = log; (p = strstr(p, "\"GET /healthz\" 200")); p++) lines++;
    assert_true(lines >= 5);
    /* no line holds raw control bytes or the megabyte of query */
    for (const char *p = log; *p; p++)
        assert_true(*p == '\n' || (*p >= 0x20 && *p < 0x7f) || (*p & 0x80));
    assert_null(strstr(
        log, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_web__pages_have_security_headers),
        cmocka_unit_test(test_web__search_shows_ranked_rows),
        cmocka_unit_test(test_web__text_is_escaped),
        cmocka_unit_test(test_web__intervention_page),
        cmocka_unit_test(test_web__bad_parameters_are_400),
        cmocka_unit_test(test_web__unknown_routes_are_404),
        cmocka_unit_test(test_web__head_answers_and_wrong_methods_are_405),
        cmocka_unit_test(test_web__api_mirrors_the_library),
        cmocka_unit_test(test_web__api_case),
        cmocka_unit_test(test_web__submissions),
        cmocka_unit_test(test_web__oversize_bodies_are_413),
        cmocka_unit_test(test_web__token_lifecycle),
        cmocka_unit_test(test_web__submit_form),
        cmocka_unit_test(test_web__json_matches_the_docs),
        cmocka_unit_test(test_web__path_traversal),
        cmocka_unit_test(test_web__long_query_string),
        cmocka_unit_test(test_web__header_flood),
        cmocka_unit_test(test_web__half_sent_body_and_idle_clients),
        cmocka_unit_test(test_web__reads_while_writing),
        cmocka_unit_test(test_web__reads_while_a_cli_import_writes),
        cmocka_unit_test(test_web__openapi_matches_routes),
        cmocka_unit_test(test_web__sigterm_stops_gracefully_and_every_request_is_logged),
    };
    signal(SIGPIPE, SIG_IGN);
    test_filter_from_env();
    return cmocka_run_group_tests(tests, setup, teardown);
}
