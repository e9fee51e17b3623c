/*
 * plan_int.h — private to queries/: a pilot plan result, shared by plan.c
 * (which computes it) and plan_write.c (which renders it).
 */
#ifndef WW_QUERIES_PLAN_INT_H
#define WW_QUERIES_PLAN_INT_H

#include "queries_int.h"

typedef struct ww_plan_row_int {
    ww_plan_row row;
    const ww_synthesis_row *syn;               /* the pooled result used; NULL without */
    const ww_design_evidence_row *dev;         /* what its studies say; NULL without */
    size_t n_iccs;                             /* stored ICCs the ICC came from */
    long pooled_clusters, pooled_cluster_size; /* with row.n_required_pooled */
} ww_plan_row_int;

struct ww_plan_result {
    ww_arena *arena;
    const char *issue; /* ww_plan_issue()'s text; NULL for ww_plan_run() */
    ww_plan_row_int *rows;
    size_t n_rows;
};

#endif
