/*
 * fuzz_meta_csv.c — libFuzzer harness for the meta-analysis CSV
 * (importers/meta_csv.c, what `whatworks meta` and ww_meta_run() read).
 * Any bytes are read as each measure, with and without a subgroup column:
 * the parser must give studies or WW_EDATA with at least one diagnostic,
 * never a crash, a leak or another error, and the studies it gives must be
 * ones evidence/meta.c can pool (finite effects, positive variances, every
 * study in a named group).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../importers/meta_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const ww_meta_studies *s, ww_meta_measure measure)
{
    if (s->k == 0) abort();
    for (size_t i = 0; i < s->k; i++) {
        if (!s->name[i] || !s->name[i][0]) abort();
        if (!isfinite(s->yi[i]) || !(s->vi[i] > 0) || !isfinite(s->vi[i])) abort();
        if (measure == WW_META_OR || measure == WW_META_RR || measure == WW_META_RD) {
            const ww_meta_table *t = &s->tables[i];
            if (t->ai < 0 || t->bi < 0 || t->ci < 0 || t->di < 0) abort();
        }
        if (s->n_groups && (s->group[i] >= s->n_groups || !s->group_name[s->group[i]])) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const groups[] = {NULL, "g"};
    for (int m = WW_META_GEN; m <= WW_META_ZCOR; m++) {
        for (size_t g = 0; g < 2; g++) {
            ww_meta_studies *s = NULL;
            ww_diags *diags = NULL;
            int error;
            if (ww_diags__new(&diags) < 0) return 0;
            error = ww_meta_csv__parse(&s, "fuzz.csv", data, size, (ww_meta_measure)m, groups[g],
                                       diags);
            if (error == 0) {
                check(s, (ww_meta_measure)m);
            } else if (error != WW_EDATA || ww_diags__count(diags) == 0) {
                fprintf(stderr, "fuzz_meta_csv: error %d: %s\n", error, ww_error_last());
                abort();
            }
            ww_meta_csv__free(s);
            ww_diags__free(diags);
        }
    }
    return 0;
}
