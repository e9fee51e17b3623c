/*
 * api.c — the JSON API under /api/v1/, mirroring the CLI: each answer is
 * what the library's own writer prints for `whatworks ... --format json`
 * (ww_query_result_write, ww_show_write, ww_issues_write,
 * ww_case_result_write) into a memory stream, so the API and the CLI can
 * never disagree. Submissions go through the library's import, with its
 * report; they need a bearer token (ww_token_verify). docs/openapi.json
 * describes every route; a test checks the two agree.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "web_int.h"

void ww_web__api_error(ww_web_resp *rs, int status, const char *message)
{
    json_t *doc =
        json_pack("{s:{s:i,s:s}}", "error", "status", status, "message", message ? message : "");
    char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
    json_decref(doc);
    if (text) ww_web__set_body(rs, status, "application/json", text, strlen(text));
}

/* Run a library writer into memory and answer with what it wrote. */
typedef int (*write_fn)(void *ctx, FILE *fp);

static void answer_json(ww_web_resp *rs, write_fn fn, void *ctx)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    int error;
    if (!fp) return;
    error = fn(ctx, fp);
    if (fclose(fp) != 0 && error == 0) error = WW_EIO;
    if (error < 0) {
        free(buf);
        ww_web__api_error(rs, ww_web__status_for(error), ww_error_last());
        return;
    }
    ww_web__set_body(rs, MHD_HTTP_OK, "application/json", buf, len);
}

static int parse_long(long *out, const char *s, long lo, long hi)
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

/* ---- query ------------------------------------------------------------ */

static int write_query(void *ctx, FILE *fp)
{
    return ww_query_result_write(ctx, fp, WW_FORMAT_JSON);
}

void ww_web__api_query(ww_web_req *rq, ww_web_resp *rs)
{
    const char *issue = ww_web__arg(rq, "issue"), *limit = ww_web__arg(rq, "limit"),
               *extracted = ww_web__arg(rq, "include_extracted"),
               *provisional = ww_web__arg(rq, "include_provisional");
    ww_query_opts opts = WW_QUERY_OPTS_INIT;
    ww_query_result *res = NULL;
    long n;
    int error;

    if (!issue || !*issue)
        return ww_web__api_error(rs, 400, "the issue parameter is required, e.g. ?issue=truancy");
    if (limit) {
        if (parse_long(&n, limit, 1, 1000) < 0)
            return ww_web__api_error(rs, 400, "limit must be a whole number from 1 to 1000");
        opts.limit = (int)n;
    }
    if (extracted) {
        if (strcmp(extracted, "0") && strcmp(extracted, "1") && strcmp(extracted, "true") &&
            strcmp(extracted, "false"))
            return ww_web__api_error(rs, 400, "include_extracted must be true or false");
        opts.include_extracted = !strcmp(extracted, "1") || !strcmp(extracted, "true");
    }
    if (provisional) {
        if (strcmp(provisional, "0") && strcmp(provisional, "1") && strcmp(provisional, "true") &&
            strcmp(provisional, "false"))
            return ww_web__api_error(rs, 400, "include_provisional must be true or false");
        opts.include_provisional = !strcmp(provisional, "1") || !strcmp(provisional, "true");
    }
    if ((error = ww_query_run(&res, rq->db, issue, &opts)) < 0)
        return ww_web__api_error(rs, ww_web__status_for(error), ww_error_last());
    answer_json(rs, write_query, res);
    ww_query_result_free(res);
}

/* ---- interventions, issues -------------------------------------------- */

typedef struct show_ctx {
    ww_db *db;
    const char *slug;
} show_ctx;

static int write_show(void *ctx, FILE *fp)
{
    show_ctx *c = ctx;
    return ww_show_write(c->db, c->slug, fp, WW_FORMAT_JSON);
}

void ww_web__api_intervention(ww_web_req *rq, ww_web_resp *rs, const char *slug)
{
    show_ctx c = {rq->db, slug};
    answer_json(rs, write_show, &c);
}

static int write_issues(void *ctx, FILE *fp)
{
    return ww_issues_write(ctx, fp, WW_FORMAT_JSON);
}

void ww_web__api_issues(ww_web_req *rq, ww_web_resp *rs)
{
    answer_json(rs, write_issues, rq->db);
}

/* ---- business case ---------------------------------------------------- */

int ww_web__case_opts(const ww_web_req *rq, ww_case_opts *opts, char *why, size_t why_size)
{
    const char *v;
    long n;
    memset(opts, 0, sizeof *opts);
    if ((v = ww_web__arg(rq, "participants")) && *v) {
        if (parse_long(&n, v, 1, 100000000) < 0) {
            snprintf(why, why_size, "participants must be a whole number from 1 to 100000000");
            return -1;
        }
        opts->participants = n;
    }
    if ((v = ww_web__arg(rq, "horizon")) && *v) {
        if (parse_long(&n, v, 1, 1000) < 0) {
            snprintf(why, why_size, "horizon must be a whole number of years from 1 to 1000");
            return -1;
        }
        opts->horizon_years = (int)n;
    }
    if ((v = ww_web__arg(rq, "price_year")) && *v) {
        if (parse_long(&n, v, 1, 9999) < 0) {
            snprintf(why, why_size, "price_year must be a calendar year");
            return -1;
        }
        opts->price_year = (int)n;
    }
    if ((v = ww_web__arg(rq, "draws")) && *v) {
        /* a public server bounds the work one request may ask for */
        if (parse_long(&n, v, 0, 100000) < 0) {
            snprintf(why, why_size, "draws must be a whole number from 0 to 100000");
            return -1;
        }
        opts->draws = n == 0 ? -1 : n;
    }
    if ((v = ww_web__arg(rq, "seed")) && *v) {
        if (parse_long(&n, v, 0, 4294967295L) < 0) {
            snprintf(why, why_size, "seed must be a whole number from 0 to 4294967295");
            return -1;
        }
        opts->seed = (unsigned long)n;
    }
    if ((v = ww_web__arg(rq, "discount")) && *v) {
        if (strcmp(v, "greenbook") && strcmp(v, "health") && strncmp(v, "flat:", 5)) {
            snprintf(why, why_size, "discount must be greenbook, health or flat:RATE");
            return -1;
        }
        opts->discount_schedule = v;
    }
    if ((v = ww_web__arg(rq, "domain")) && *v) opts->domain = v;
    return 0;
}

static int write_case(void *ctx, FILE *fp)
{
    return ww_case_result_write(ctx, fp, WW_FORMAT_JSON);
}

void ww_web__api_case(ww_web_req *rq, ww_web_resp *rs)
{
    const char *iv = ww_web__arg(rq, "intervention");
    ww_case_opts opts;
    ww_case_result *res = NULL;
    char why[256];
    int error;

    if (!iv || !*iv) return ww_web__api_error(rs, 400, "the intervention parameter is required");
    if (ww_web__case_opts(rq, &opts, why, sizeof why) < 0) return ww_web__api_error(rs, 400, why);
    if ((error = ww_case_run(&res, rq->db, iv, &opts)) < 0) {
        ww_web__api_error(rs, ww_web__status_for(error), ww_error_last());
        ww_case_result_free(res);
        return;
    }
    answer_json(rs, write_case, res);
    ww_case_result_free(res);
}

/* ---- submissions ------------------------------------------------------ */

void ww_web__submit(ww_web_req *rq, const char *data, size_t len, const char *format, int dry_run,
                    ww_import_report **out, int *status, char *why, size_t why_size)
{
    /* a fresh folder (mode 0700) per upload; the name inside is ours */
    char dir[] = "/tmp/whatworks-upload-XXXXXX", path[sizeof dir + 32];
    ww_import_opts opts;
    ww_db *writer;
    FILE *fp;
    int error, wrote;

    *out = NULL;
    *status = 500;
    if (!mkdtemp(dir)) {
        snprintf(why, why_size, "cannot hold the upload (%s)", strerror(errno));
        return;
    }
    snprintf(path, sizeof path, "%s/%s", dir,
             format && strcmp(format, "pilot-csv") == 0 ? "submission.csv" : "submission.xml");
    if (!(fp = fopen(path, "wbx"))) {
        snprintf(why, why_size, "cannot hold the upload (%s)", strerror(errno));
        rmdir(dir);
        return;
    }
    wrote = fwrite(data, 1, len, fp) == len;
    if (fclose(fp) != 0) wrote = 0;
    if (!wrote) {
        snprintf(why, why_size, "cannot hold the upload");
        goto done;
    }
    memset(&opts, 0, sizeof opts);
    opts.format = format;
    opts.dry_run = dry_run;
    opts.submitter = rq->who[0] ? rq->who : NULL;
    writer = ww_web__writer_acquire(rq);
    error = ww_import_file(out, dry_run ? NULL : writer, path, &opts);
    ww_web__writer_release(rq);
    if (!*out) {
        *status = ww_web__status_for(error);
        snprintf(why, why_size, "%s", ww_error_last());
        goto done;
    }
    switch (ww_import_report_status(*out)) {
    case WW_IMPORT_IMPORTED: *status = 201; break;
    case WW_IMPORT_ALREADY:
    case WW_IMPORT_VALID: *status = 200; break;
    default: *status = 422; break;
    }
    if (error < 0 && *status != 422) *status = ww_web__status_for(error);
done:
    unlink(path);
    rmdir(dir);
}

static const char *status_word(ww_import_status s)
{
    switch (s) {
    case WW_IMPORT_IMPORTED: return "imported";
    case WW_IMPORT_ALREADY: return "already";
    case WW_IMPORT_REJECTED: return "rejected";
    case WW_IMPORT_VALID: return "valid";
    default: return "not evidence";
    }
}

void ww_web__api_submission(ww_web_req *rq, ww_web_resp *rs)
{
    const char *auth = ww_web__header(rq, MHD_HTTP_HEADER_AUTHORIZATION),
               *type = ww_web__header(rq, MHD_HTTP_HEADER_CONTENT_TYPE),
               *dry = ww_web__arg(rq, "dry_run"), *format = NULL;
    ww_import_report *rep = NULL;
    json_t *doc, *diags;
    char why[256], *text;
    int status;

    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0) {
        ww_web__api_error(rs, 401, "submissions need Authorization: Bearer TOKEN");
        rs->www_authenticate = 1;
        return;
    }
    if (ww_token_verify(rq->db, auth + 7, rq->who, sizeof rq->who) < 0) {
        ww_web__api_error(rs, 401, "unknown or revoked token");
        rs->www_authenticate = 1;
        return;
    }
    if (type &&
        (strncasecmp(type, "application/xml", 15) == 0 || strncasecmp(type, "text/xml", 8) == 0))
        format = "submission";
    else if (type && strncasecmp(type, "text/csv", 8) == 0)
        format = "pilot-csv";
    else
        return ww_web__api_error(rs, 415, "send the submission as application/xml or text/csv");
    if (!rq->body_len) return ww_web__api_error(rs, 400, "the body is empty");
    if (dry && strcmp(dry, "0") && strcmp(dry, "1") && strcmp(dry, "true") && strcmp(dry, "false"))
        return ww_web__api_error(rs, 400, "dry_run must be true or false");
    ww_web__submit(rq, rq->body, rq->body_len, format,
                   dry && (!strcmp(dry, "1") || !strcmp(dry, "true")), &rep, &status, why,
                   sizeof why);
    if (!rep) return ww_web__api_error(rs, status, why);

    diags = json_array();
    for (size_t i = 0; i < ww_import_report_diag_count(rep); i++) {
        const ww_diag *d = ww_import_report_diag(rep, i);
        json_t *o = json_object();
        json_object_set_new(o, "line", d->line > 0 ? json_integer(d->line) : json_null());
        json_object_set_new(o, "field",
                            d->field && *d->field ? json_string(d->field) : json_null());
        json_object_set_new(o, "message", json_string(d->message ? d->message : ""));
        json_object_set_new(o, "severity", json_string(d->is_warning ? "warning" : "error"));
        json_array_append_new(diags, o);
    }
    doc = json_object();
    json_object_set_new(doc, "schema", json_string("whatworks/submission/1"));
    json_object_set_new(doc, "status", json_string(status_word(ww_import_report_status(rep))));
    json_object_set_new(doc, "stored", json_boolean(status == 201));
    json_object_set_new(doc, "format", json_string(ww_import_report_format(rep)));
    json_object_set_new(doc, "sha256", json_string(ww_import_report_sha256(rep)));
    json_object_set_new(doc, "studies", json_integer((json_int_t)ww_import_report_studies(rep)));
    json_object_set_new(doc, "outcomes", json_integer((json_int_t)ww_import_report_outcomes(rep)));
    json_object_set_new(doc, "effects", json_integer((json_int_t)ww_import_report_effects(rep)));
    json_object_set_new(doc, "provisional_grades", json_string(ww_import_report_grades(rep)));
    json_object_set_new(doc, "rules_version", json_string(ww_rules_version()));
    json_object_set_new(doc, "diagnostics", diags);
    text = json_dumps(doc, JSON_INDENT(2));
    json_decref(doc);
    ww_import_report_free(rep);
    if (!text) return;
    ww_web__set_body(rs, status, "application/json", text, strlen(text));
}
