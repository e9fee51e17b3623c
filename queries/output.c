/*
 * output.c — writing results as JSON (jansson, full double precision,
 * missing numbers as null), RFC 4180 CSV and aligned tables.
 */
#include <math.h>
#include <string.h>

#include "queries_int.h"

json_t *ww_queries__num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

json_t *ww_queries__str(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Set when a jansson call failed since the last document was written. */
static _Thread_local int json_failed;

void ww_queries__set(json_t *obj, const char *key, json_t *value)
{
    if (!value || json_object_set_new(obj, key, value) < 0) json_failed = 1;
}

void ww_queries__append(json_t *arr, json_t *value)
{
    if (!value || json_array_append_new(arr, value) < 0) json_failed = 1;
}

int ww_queries__write_json(json_t *doc, FILE *fp)
{
    int failed = json_failed;
    json_failed = 0;
    if (!doc || failed) return ww__error_oom();
    if (json_dumpf(doc, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) < 0)
        return ferror(fp) ? ww__error(WW_EIO, "writing JSON failed") : ww__error_oom();
    fputc('\n', fp);
    return ww_queries__flush(fp);
}

void ww_queries__csv_field(FILE *fp, const char *s, int last)
{
    if (!s) s = "";
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', fp);
        for (; *s; s++) {
            if (*s == '"') fputc('"', fp);
            fputc(*s, fp);
        }
        fputc('"', fp);
    } else {
        fputs(s, fp);
    }
    fputs(last ? "\r\n" : ",", fp);
}

void ww_queries__csv_num(FILE *fp, double v, int last)
{
    if (isfinite(v)) fprintf(fp, "%.17g", v);
    fputs(last ? "\r\n" : ",", fp);
}

int ww_queries__flush(FILE *fp)
{
    if (fflush(fp) != 0 || ferror(fp)) return ww__error(WW_EIO, "write failed");
    return 0;
}
