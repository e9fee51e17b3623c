/*
 * fuzz_flows.c — libFuzzer harness for the business-case flows CSV
 * (`whatworks case --flows FILE.csv`, ww_case_run_flows()). The function
 * takes a path, so each input is written to a file in a private directory
 * first. Any bytes must give a case or WW_EDATA with diagnostics; never a
 * crash, a leak or another error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "whatworks.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/ww-fuzz-flows-XXXXXX";
static char path[300];
static FILE *devnull;

static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!mkdtemp(dir)) abort();
    snprintf(path, sizeof path, "%s/flows.csv", dir);
    atexit(cleanup);
    if (!(devnull = fopen("/dev/null", "w"))) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ww_case_opts opts;
    ww_case_result *res = NULL;
    FILE *fp = fopen(path, "wb");
    int error;
    if (!fp) abort();
    if (size && fwrite(data, 1, size, fp) != size) abort();
    if (fclose(fp) != 0) abort();
    memset(&opts, 0, sizeof opts);
    opts.draws = 50; /* the simulation is not what is fuzzed */
    opts.seed = 1;
    error = ww_case_run_flows(&res, path, &opts);
    if (error == 0) {
        if (ww_case_result_write(res, devnull, WW_FORMAT_JSON) < 0) abort();
    } else if (error != WW_EDATA) {
        fprintf(stderr, "fuzz_flows: error %d: %s\n", error, ww_error_last());
        abort();
    }
    ww_case_result_free(res);
    return 0;
}
