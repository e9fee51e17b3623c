/*
 * bench_meta.c — the meta-analysis engine against R's metafor (issue 3's
 * benchmark, DESIGN.md section 10): DerSimonian-Laird and REML random
 * effects (ww_meta_pool, evidence/meta.h) on 1,000 meta-analyses of 20
 * studies, and REML on one meta-analysis of k = 10^3, 10^4 and 10^5 studies
 * (which metafor's dense-matrix REML cannot fit at the top end: it needs a
 * k x k matrix). The data are drawn from a seeded normal random-effects
 * model: y_i = 0.3 + u_i + e_i, u_i ~ N(0, 0.05), e_i ~ N(0, v_i),
 * v_i ~ U(0.005, 0.25).
 *
 * It writes the 1,000 data sets (--data) for bench/metafor.R to fit the same
 * numbers, and its own estimates (--estimates) so the R script can report
 * how far apart the two are. A set on which REML Fisher scoring does not
 * converge is redrawn and counted (see main). Every timing is the median of
 * --reps runs.
 *
 * usage: bench_meta [--reps N] [--sets N] [--k N] [--seed N]
 *                   [--data FILE] [--estimates FILE]
 * prints: key=value pairs on one line (ms per batch of sets, ms per fit).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../evidence/meta.h"
#include "whatworks.h"

#define MAX_REPS 101

static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rng_state;

static double unif(void)
{
    rng_state += 0x9e3779b97f4a7c15ULL;
    return (double)(mix64(rng_state) >> 11) * 0x1.0p-53;
}

static double normal(void)
{
    double u1 = 1.0 - unif(), u2 = unif();
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static void draw(double *yi, double *vi, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        vi[i] = 0.005 + 0.245 * unif();
        yi[i] = 0.3 + sqrt(0.05) * normal() + sqrt(vi[i]) * normal();
    }
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static void pool_or_die(ww_meta_result *res, const double *yi, const double *vi, size_t k,
                        ww_meta_method method)
{
    ww_meta_pool_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.method = method;
    if (ww_meta_pool(res, NULL, yi, vi, k, &opts) < 0) {
        fprintf(stderr, "bench_meta: %s (k = %zu): %s\n", ww_meta_method_name(method), k,
                ww_error_last());
        exit(70);
    }
}

/* Median wall time of fitting every set once with a method. */
static double time_sets(const double *yi, const double *vi, size_t sets, size_t k,
                        ww_meta_method method, int reps, ww_meta_result *last)
{
    double t[MAX_REPS];
    for (int r = 0; r < reps; r++) {
        double t0 = now_ms();
        for (size_t s = 0; s < sets; s++) pool_or_die(&last[s], yi + s * k, vi + s * k, k, method);
        t[r] = now_ms() - t0;
    }
    return median(t, reps);
}

static int usage(void)
{
    fputs("usage: bench_meta [--reps N] [--sets N] [--k N] [--seed N] [--data FILE]\n"
          "                  [--estimates FILE]\n",
          stderr);
    return 64;
}

int main(int argc, char **argv)
{
    static const size_t big_k[] = {1000, 10000, 100000};
    long reps = 7, sets = 1000, k = 20, seed = 1;
    const char *data_path = NULL, *est_path = NULL;
    double *yi, *vi, dl_ms, reml_ms;
    long redrawn = 0;
    ww_meta_result *dl, *reml;

    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        long *target = NULL;
        if (i + 1 >= argc) return usage();
        if (strcmp(argv[i], "--reps") == 0)
            target = &reps;
        else if (strcmp(argv[i], "--sets") == 0)
            target = &sets;
        else if (strcmp(argv[i], "--k") == 0)
            target = &k;
        else if (strcmp(argv[i], "--seed") == 0)
            target = &seed;
        else if (strcmp(argv[i], "--data") == 0)
            data_path = argv[i + 1];
        else if (strcmp(argv[i], "--estimates") == 0)
            est_path = argv[i + 1];
        else
            return usage();
        if (target) {
            *target = strtol(argv[i + 1], &end, 10);
            if (*end || *target < 1) return usage();
        }
        i++;
    }
    if (reps > MAX_REPS || k < 2) return usage();
    rng_state = mix64((uint64_t)seed);

    yi = malloc((size_t)(sets * k) * sizeof *yi);
    vi = malloc((size_t)(sets * k) * sizeof *vi);
    dl = malloc((size_t)sets * sizeof *dl);
    reml = malloc((size_t)sets * sizeof *reml);
    if (!yi || !vi || !dl || !reml) return 70;
    /* About 6 sets in 1,000 of this model make Fisher scoring oscillate
     * without converging, in whatworks and in metafor at its defaults
     * alike (rma() stops with "Fisher scoring algorithm did not
     * converge"); such a set is redrawn, so both sides fit the same
     * convergent sets, and the count is reported. */
    for (long s = 0; s < sets; s++) {
        ww_meta_pool_opts opts;
        ww_meta_result res;
        memset(&opts, 0, sizeof opts);
        opts.method = WW_META_REML;
        draw(yi + s * k, vi + s * k, (size_t)k);
        while (ww_meta_pool(&res, NULL, yi + s * k, vi + s * k, (size_t)k, &opts) < 0) {
            redrawn++;
            draw(yi + s * k, vi + s * k, (size_t)k);
        }
    }

    /* one warm-up pass of each, then the timed ones */
    time_sets(yi, vi, (size_t)sets, (size_t)k, WW_META_DL, 1, dl);
    dl_ms = time_sets(yi, vi, (size_t)sets, (size_t)k, WW_META_DL, (int)reps, dl);
    time_sets(yi, vi, (size_t)sets, (size_t)k, WW_META_REML, 1, reml);
    reml_ms = time_sets(yi, vi, (size_t)sets, (size_t)k, WW_META_REML, (int)reps, reml);

    if (data_path) {
        FILE *fp = fopen(data_path, "w");
        if (!fp) {
            perror(data_path);
            return 73;
        }
        fputs("set,yi,vi\n", fp);
        for (long s = 0; s < sets; s++)
            for (long i = 0; i < k; i++)
                fprintf(fp, "%ld,%.17g,%.17g\n", s + 1, yi[s * k + i], vi[s * k + i]);
        if (fclose(fp) != 0) return 74;
    }
    if (est_path) {
        FILE *fp = fopen(est_path, "w");
        if (!fp) {
            perror(est_path);
            return 73;
        }
        fputs("set,dl_tau2,dl_estimate,reml_tau2,reml_estimate\n", fp);
        for (long s = 0; s < sets; s++)
            fprintf(fp, "%ld,%.17g,%.17g,%.17g,%.17g\n", s + 1, dl[s].tau2, dl[s].estimate,
                    reml[s].tau2, reml[s].estimate);
        if (fclose(fp) != 0) return 74;
    }
    printf("sets=%ld k=%ld reps=%ld redrawn=%ld dl_ms=%.3f reml_ms=%.3f", sets, k, reps, redrawn,
           dl_ms, reml_ms);
    free(yi);
    free(vi);

    for (size_t b = 0; b < sizeof big_k / sizeof big_k[0]; b++) {
        size_t n = big_k[b];
        double t[MAX_REPS];
        ww_meta_result res;
        double *y = malloc(n * sizeof *y), *v = malloc(n * sizeof *v);
        if (!y || !v) return 70;
        draw(y, v, n);
        pool_or_die(&res, y, v, n, WW_META_REML); /* warm-up */
        for (int r = 0; r < (int)reps; r++) {
            double t0 = now_ms();
            pool_or_die(&res, y, v, n, WW_META_REML);
            t[r] = now_ms() - t0;
        }
        printf(" reml_k%zu_ms=%.4f reml_k%zu_iter=%d", n, median(t, (int)reps), n, res.iterations);
        free(y);
        free(v);
    }
    putchar('\n');
    free(dl);
    free(reml);
    return 0;
}
