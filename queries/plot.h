/*
 * plot.h — private to queries/: the forest and funnel plots of one pooled
 * result (plots.c), drawn from a plain model so that any front end (the
 * CLI's files, the web's intervention page) and the tests can draw one.
 * The numbers come from evidence/ (synthesis.h); this draws them.
 */
#ifndef WW_QUERIES_PLOT_H
#define WW_QUERIES_PLOT_H

#include <stddef.h>

#include "../evidence/synthesis.h"

/* The most study rows a forest plot draws: at 22 px a row they stay
 * legible and apart; with more, the heaviest are drawn and the plot says
 * how many, and how much weight, it leaves out. */
#define WW_PLOT_MAX_ROWS 40

/* The k of a pooled result from which Egger's line is drawn (Sterne et al.
 * 2011, BMJ 343:d4002: with fewer than 10 studies the test is too weak to
 * tell chance from asymmetry). */
#define WW_PLOT_EGGER_MIN_K 10

typedef struct ww_plot {
    const char *name;      /* the intervention */
    const char *domain;    /* the outcome domain pooled */
    const char *certainty; /* GRADE-style certainty; NULL if not graded */
    int is_example;        /* illustrative data: the plot says so */
    const ww_synth_result *pooled;
    const ww_synth_study *studies; /* pooled->k of them */
    const char *const *labels;     /* per study: its title (NULL: "study ID") */
    const int *years;              /* per study, -1 unknown */
} ww_plot;

/* The plots as SVG 1.1 documents; *out (free() it) holds len bytes.
 * @return 0, WW_EDATA for a model with no study, WW_ENOMEM */
int ww_queries__forest_svg(char **out, size_t *len, const ww_plot *p);
int ww_queries__funnel_svg(char **out, size_t *len, const ww_plot *p);

#endif
