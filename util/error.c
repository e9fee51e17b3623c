/*
 * error.c — the thread-local last-error message and the mapping from error
 * codes to text and to sysexits statuses. Reporting an error never
 * allocates, so out-of-memory can always be reported (libgit2's approach).
 */
#include <stdio.h>
#include <string.h>

#include "util.h"

#define WW_ERROR_MAX 1024

static _Thread_local char last_message[WW_ERROR_MAX];

int ww__error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    return code;
}

int ww__error_oom(void)
{
    static const char oom[] = "out of memory";
    memcpy(last_message, oom, sizeof oom);
    return WW_ENOMEM;
}

const char *ww_error_last(void)
{
    return last_message;
}

void ww_error_clear(void)
{
    last_message[0] = '\0';
}

const char *ww_strerror(int code)
{
    switch (code) {
    case WW_OK: return "success";
    case WW_ERROR: return "internal error";
    case WW_ENOMEM: return "out of memory";
    case WW_EUSAGE: return "invalid usage";
    case WW_EDATA: return "invalid input data";
    case WW_ENOTFOUND: return "not found";
    case WW_EIO: return "input/output error";
    case WW_EBUSY: return "database busy";
    case WW_ECANTCREATE: return "cannot create output";
    default: return "unknown error";
    }
}

int ww_error_exit_status(int code)
{
    /* Numbers from <sysexits.h>, spelled out so the mapping is visible. */
    switch (code) {
    case WW_OK: return 0;
    case WW_EUSAGE: return 64;      /* EX_USAGE */
    case WW_EDATA: return 65;       /* EX_DATAERR */
    case WW_ENOTFOUND: return 66;   /* EX_NOINPUT */
    case WW_ECANTCREATE: return 73; /* EX_CANTCREAT */
    case WW_EIO: return 74;         /* EX_IOERR */
    case WW_EBUSY: return 75;       /* EX_TEMPFAIL */
    case WW_ENOMEM:
    case WW_ERROR:
    default: return 70;             /* EX_SOFTWARE */
    }
}

int ww_format_parse(ww_format *out, const char *name)
{
    if (name && strcmp(name, "table") == 0) *out = WW_FORMAT_TABLE;
    else if (name && strcmp(name, "json") == 0) *out = WW_FORMAT_JSON;
    else if (name && strcmp(name, "csv") == 0) *out = WW_FORMAT_CSV;
    else return ww__error(WW_EUSAGE, "unknown format '%s' (table, json or csv)", name ? name : "");
    return 0;
}
