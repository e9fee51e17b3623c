/*
 * meta_csv.h — the studies of a meta-analysis CSV (`whatworks meta`,
 * ww_meta_run(); DESIGN.md 6.2): a header row with a `study` column and one
 * of the column sets yi,vi (GEN) · m1,sd1,n1,m2,sd2,n2 (SMD, MD) ·
 * ai,bi,ci,di or e1,n1,e2,n2 (OR, RR, RD) · r,n (ZCOR), found by name in any
 * order and case; other columns are ignored. Private to the library.
 */
#ifndef WW_IMPORTERS_META_CSV_H
#define WW_IMPORTERS_META_CSV_H

#include <stddef.h>

#include "../evidence/meta.h"
#include "../util/util.h"

/* The studies of one file, in file order; strings live as long as it does. */
typedef struct ww_meta_studies {
    size_t k;
    const char **name;     /* the study labels */
    double *yi, *vi;       /* each study's effect (effect.h), for GEN and the rest */
    ww_meta_table *tables; /* OR, RR, RD: the 2x2 tables */
    size_t *group;         /* with a subgroup column: each study's group index */
    const char **group_name;
    size_t n_groups; /* 0 without a subgroup column */
    void *doc;       /* the document the strings point into */
} ww_meta_studies;

/*
 * Read the studies of data[0..size), an untrusted CSV named name in
 * diagnostics. Every problem goes to diags as name:LINE: column: problem (a
 * missing column, an empty cell, a cell that is not a finite number, a value
 * out of range, more events than the total, a row whose effect cannot be
 * computed, ...), all of them, so a spreadsheet can be fixed in one pass.
 * subgroup_column (NULL for none) names a column whose values group the
 * studies.
 * @param[out] out  release with ww_meta_csv__free(); NULL unless 0 is returned
 * @return 0; WW_EDATA when a problem was reported; WW_ENOMEM
 */
int ww_meta_csv__parse(ww_meta_studies **out, const char *name, const unsigned char *data,
                       size_t size, ww_meta_measure measure, const char *subgroup_column,
                       ww_diags *diags);
void ww_meta_csv__free(ww_meta_studies *s);

#endif
