/*
 * costs.h — the economics the repository holds for one intervention, read
 * for a business case (queries/case.c): its cost per participant, its
 * benefit streams and its pooled effect per outcome domain. Plain structs
 * in an arena the caller owns; no SQLite type leaves repo/.
 */
#ifndef WW_REPO_COSTS_H
#define WW_REPO_COSTS_H

#include <stdint.h>

#include "repo.h"

/* What an intervention costs per participant, as stored. */
typedef struct ww_cost_row {
    int64_t intervention_id;
    const char *slug, *name;
    int is_example;
    double per_participant; /* NAN when not stored */
    int price_year;         /* -1 when not stored */
    const char *payer;      /* NULL when not stored */
} ww_cost_row;

/* By slug, else by exact (case-insensitive) name.
 * @return 0, WW_ENOTFOUND, WW_EIO, WW_EBUSY, WW_ENOMEM */
int ww_repo__intervention_cost(ww_cost_row *out, ww_db *db, ww_arena *arena,
                               const char *slug_or_name);

/* One stored benefit stream (table benefit_stream). */
typedef struct ww_benefit_row {
    int64_t id;
    const char *agency;
    double amount_per_participant_year;
    int first_year, last_year;
    int price_year;          /* -1 when not stored */
    int confidence;          /* 1..6; -1 when not stored */
    const char *source_text; /* where the figure came from; NULL when not stored */
    const char *source_name; /* the imported file it came from */
    const char *location;    /* where inside that file, e.g. "line 77" */
} ww_benefit_row;

/* Every benefit stream of an intervention, in the order stored. */
int ww_repo__benefit_streams(ww_benefit_row **out, size_t *n_out, ww_db *db, ww_arena *arena,
                             int64_t intervention_id);

/* The stored pooled effect of an intervention on one outcome domain
 * (compared trimmed and case-insensitively), or, with domain NULL, the one
 * with most studies (then most participants, then domain name): the same
 * order `whatworks show` lists them in.
 * @return 0, WW_ENOTFOUND (no synthesis, or none for that domain), WW_EIO */
int ww_repo__pooled_effect(ww_synthesis_row *out, ww_db *db, ww_arena *arena,
                           int64_t intervention_id, const char *domain);

/* One stored unit cost (table unit_cost), as a reference dataset gives it.
 * Strings NULL when not stored; values NAN. */
typedef struct ww_unit_cost_row {
    const char *dataset, *code, *description, *unit;
    const char *agency, *agency_detail;
    double value[3];           /* fiscal, economic, social (ww_econ_value order) */
    const char *price_year[3]; /* as the source writes it: "2008/09" */
    const char *confidence;    /* the source's grade (GMCA: RAG) */
    const char *source_text;   /* the document behind the figure */
    const char *licence;       /* as the dataset states it */
    const char *location;      /* "Social Services!C113" */
    const char *source_name;   /* the imported file */
    const char *source_sha256;
} ww_unit_cost_row;

/* The unit cost with this code (exact), from the most recently imported
 * file that holds it.
 * @return 0, WW_ENOTFOUND (none stored, or a database from before unit
 *         costs), WW_EIO, WW_EBUSY, WW_ENOMEM */
int ww_repo__unit_cost(ww_unit_cost_row *out, ww_db *db, ww_arena *arena, const char *code);

#endif
