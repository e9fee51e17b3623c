/*
 * meta_int.h — private to queries/: the meta-analysis handle behind
 * ww_meta_run() (meta.c) and its writers (meta_write.c).
 */
#ifndef WW_QUERIES_META_INT_H
#define WW_QUERIES_META_INT_H

#include "../evidence/meta.h"
#include "../importers/meta_csv.h"
#include "../util/util.h"

struct ww_meta_analysis {
    ww_diags *diags;
    int have_result;
    char *path; /* the file as the caller named it */
    char *subgroup_column;
    ww_meta_measure measure;
    ww_meta_pool_opts pool;
    ww_meta_studies *studies;

    ww_meta_result res;
    ww_meta_pooled pooled;
    ww_meta_study *rows; /* k: what each study contributes, as reported */

    int have_egger;
    ww_meta_egger_result egger;
    ww_meta_test egger_test;

    ww_meta_result *groups; /* studies->n_groups, or NULL */
    ww_meta_pooled *groups_pooled;
    ww_meta_subgroup_test sub_test;
    ww_meta_test q_between;

    int have_trimfill;
    ww_meta_trimfill_result tf;
    ww_meta_pooled tf_pooled;
    double *fill_yi, *fill_vi;

    ww_meta_result *l1o; /* k, or NULL */
    ww_meta_pooled *l1o_pooled;
};

/* The writers (meta_write.c). */
int ww_meta__write_json(const ww_meta_analysis *a, FILE *fp);
int ww_meta__write_csv(const ww_meta_analysis *a, FILE *fp);
int ww_meta__write_table(const ww_meta_analysis *a, FILE *fp);

#endif
