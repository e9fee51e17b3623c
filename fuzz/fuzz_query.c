/*
 * fuzz_query.c — libFuzzer harness for the query text: any bytes, as the
 * presenting issue of `whatworks query` and as the intervention of `whatworks
 * show`, against a small database built once in LLVMFuzzerInitialize from
 * the example pilots. The text goes through taxonomy expansion and into an
 * FTS5 MATCH (quoted by repo/read.c); no input may crash, leak, or make
 * SQLite report a syntax error: every text is an ordinary query.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "whatworks.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ww_db *db;
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const examples[] = {"attendance-mentoring.xml", "employment-coaching.xml",
                                           "family-intervention-asb.xml", "housing-led-support.xml",
                                           "substance-brief-intervention.xml"};
    char dir[] = "/tmp/ww-fuzz-query-XXXXXX", path[512];
    const char *top = getenv("WW_TOP");
    (void)argc;
    (void)argv;
    if (!mkdtemp(dir)) abort();
    snprintf(path, sizeof path, "%s/q.db", dir);
    if (ww_db_open(&db, path, WW_DB_CREATE) < 0) abort();
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
        ww_import_report *rep = NULL;
        snprintf(path, sizeof path, "%s/data/examples/%s", top && *top ? top : ".", examples[i]);
        if (ww_import_file(&rep, db, path, NULL) < 0) {
            fprintf(stderr, "fuzz_query: %s: %s\n", path, ww_error_last());
            abort();
        }
        ww_import_report_free(rep);
    }
    /* The database file is unlinked; the open handle keeps it. */
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    if (system(path) != 0) abort();
    if (!(devnull = fopen("/dev/null", "w"))) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    ww_query_result *res = NULL;
    int error;
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    error = ww_query_run(&res, db, text, NULL);
    if (error == 0) {
        if (ww_query_result_write(res, devnull, WW_FORMAT_JSON) < 0 ||
            ww_query_result_write(res, devnull, WW_FORMAT_CSV) < 0)
            abort();
    } else if (error != WW_EUSAGE) {
        /* Only an empty or non-UTF-8 text may be refused. */
        fprintf(stderr, "fuzz_query: error %d: %s\n", error, ww_error_last());
        abort();
    }
    ww_query_result_free(res);
    error = ww_show_write(db, text, devnull, WW_FORMAT_JSON);
    if (error < 0 && error != WW_ENOTFOUND && error != WW_EUSAGE) {
        fprintf(stderr, "fuzz_query: show: error %d: %s\n", error, ww_error_last());
        abort();
    }
    free(text);
    return 0;
}
