/*
 * show_plots.c — `whatworks show INTERVENTION --forest FILE --funnel FILE`:
 * pick one stored pooled result (the domain asked for, else the one with
 * the most studies), pool its studies again from the same effects to get
 * each study's effect and weight (repo/synth.c), check that the result is
 * the stored one, and write the plots (plots.c) to files.
 */
#include <errno.h>
#include <stdlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../repo/repo.h"
#include "plot.h"
#include "queries_int.h"

/* s without surrounding white space, compared case-insensitively with d. */
static int same_domain(const char *d, const char *s)
{
    size_t n;
    while (*s == ' ' || *s == '\t') s++;
    n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    return strlen(d) == n && strncasecmp(d, s, n) == 0;
}

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    if (!fp) return ww__error(WW_ECANTCREATE, "%s: cannot create (%s)", path, strerror(errno));
    if (fwrite(data, 1, len, fp) != len || fflush(fp) != 0 || ferror(fp)) {
        int e = errno;
        fclose(fp);
        return ww__error(WW_EIO, "%s: write failed (%s)", path, strerror(e));
    }
    if (fclose(fp) != 0) return ww__error(WW_EIO, "%s: write failed (%s)", path, strerror(errno));
    return 0;
}

typedef int (*draw_fn)(char **out, size_t *len, const ww_plot *p);

static int draw(const char *path, draw_fn fn, const ww_plot *p)
{
    char *svg = NULL;
    size_t len = 0;
    int error;
    if ((error = fn(&svg, &len, p)) == 0) error = write_file(path, svg, len);
    free(svg);
    return error;
}

int ww_show_plots(ww_db *db, const char *intervention, const ww_plot_opts *opts, FILE *report)
{
    ww_arena *arena = NULL;
    ww_intervention_row iv;
    ww_synthesis_row *syn = NULL, *pick = NULL;
    ww_pooled_studies ps;
    ww_plot plot;
    size_t n_syn = 0;
    int error;

    if (!intervention || !*intervention) return ww__error(WW_EUSAGE, "no intervention named");
    if (!opts || (!opts->forest_path && !opts->funnel_path))
        return ww__error(WW_EUSAGE, "no plot asked for (--forest FILE.svg, --funnel FILE.svg)");
    if ((error = ww_arena__new(&arena)) < 0) return error;
    if ((error = ww_repo__intervention(&iv, db, arena, intervention)) < 0 ||
        (error = ww_repo__syntheses(&syn, &n_syn, db, arena, iv.id, 0, 0, 0)) < 0)
        goto done;
    /* ordered by studies, then participants: the first is the default */
    for (size_t i = 0; i < n_syn && !pick; i++)
        if (!opts->domain || same_domain(syn[i].domain, opts->domain)) pick = &syn[i];
    if (!pick) {
        ww_buf have = WW_BUF_INIT;
        for (size_t i = 0; i < n_syn; i++)
            ww_buf__printf(&have, "%s'%s'", i ? ", " : "", syn[i].domain);
        if (!n_syn)
            error = ww__error(WW_ENOTFOUND, "%s has no pooled result to plot%s", iv.slug,
                              iv.placeholder ? " (it is not one intervention)" : "");
        else
            error = ww__error(WW_ENOTFOUND, "%s has no pooled result on '%s'; it has %s", iv.slug,
                              opts->domain, have.data);
        ww_buf__free(&have);
        goto done;
    }
    if ((error = ww_repo__pooled_studies(&ps, db, arena, iv.id, pick->domain, pick->scope)) < 0)
        goto done;
    /* The same effects give the same fit; a difference means the stored
     * result predates a change to the data or the rules. */
    if (ps.result.k != pick->k || !(fabs(ps.result.estimate - pick->estimate) <= 1e-9)) {
        error = ww__error(WW_EDATA,
                          "%s, '%s': the stored pooled result (k = %d, %.4f) is not what its "
                          "studies give now (k = %d, %.4f); run `whatworks regrade`",
                          iv.slug, pick->domain, pick->k, pick->estimate, ps.result.k,
                          ps.result.estimate);
        goto done;
    }
    plot.name = iv.name;
    plot.domain = pick->domain;
    plot.certainty = pick->certainty;
    plot.is_example = iv.is_example;
    plot.pooled = &ps.result;
    plot.studies = ps.studies;
    plot.labels = ps.titles;
    plot.years = ps.years;
    if (opts->forest_path) {
        if ((error = draw(opts->forest_path, ww_queries__forest_svg, &plot)) < 0) goto done;
        if (report)
            fprintf(report, "forest plot of %s on '%s' (%d %s) written to %s\n", iv.slug,
                    pick->domain, pick->k, pick->k == 1 ? "study" : "studies", opts->forest_path);
    }
    if (opts->funnel_path) {
        if ((error = draw(opts->funnel_path, ww_queries__funnel_svg, &plot)) < 0) goto done;
        if (report)
            fprintf(report, "funnel plot of %s on '%s' (%d %s%s) written to %s\n", iv.slug,
                    pick->domain, pick->k, pick->k == 1 ? "study" : "studies",
                    pick->k >= WW_PLOT_EGGER_MIN_K ? ", with Egger's line" : "", opts->funnel_path);
    }
done:
    ww_arena__free(arena);
    return error;
}
