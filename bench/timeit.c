/*
 * timeit.c — run a command several times and report its median wall time
 * and peak memory, for bench/run.sh. The command is started with fork and
 * execvp (no shell in between, so the shell's own start-up and memory are
 * not counted); wall time is CLOCK_MONOTONIC around fork to wait4, and peak
 * memory is the child's ru_maxrss from wait4. An optional setup command runs
 * through /bin/sh before every run and is not timed (for example: remove the
 * database and create an empty one).
 *
 * usage: timeit [-n RUNS] [--warmup N] [--setup SHELL-CMD] [--stdout FILE]
 *               -- PROGRAM [ARGS...]
 *
 * Prints one line of key=value pairs:
 *   runs=5 median_ms=12.3 min_ms=11.9 max_ms=13.0 rss_kb=8120 status=0
 * rss_kb is the largest peak over the runs; status is the first non-zero
 * exit status (128+N for a signal), else 0. Standard output of the command
 * goes to /dev/null or --stdout FILE (the last run's), standard error to
 * /dev/null unless --stderr FILE is given.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 1000

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

static int run_setup(const char *cmd)
{
    int status = system(cmd);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "timeit: setup failed: %s\n", cmd);
        return -1;
    }
    return 0;
}

static int redirect(int fd, const char *path, int flags)
{
    int f = open(path, flags, 0666);
    if (f < 0) return -1;
    if (dup2(f, fd) < 0) return -1;
    close(f);
    return 0;
}

/* One timed run: 0 and the child's status, wall time and peak RSS; -1 when
 * the child could not be started. */
static int run_once(char **argv, const char *out_path, const char *err_path, double *ms,
                    long *rss_kb, int *status)
{
    struct rusage ru;
    int st;
    pid_t pid;
    double t0 = now_ms();

    pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (redirect(STDIN_FILENO, "/dev/null", O_RDONLY) < 0 ||
            redirect(STDOUT_FILENO, out_path, O_WRONLY | O_CREAT | O_TRUNC) < 0 ||
            redirect(STDERR_FILENO, err_path, O_WRONLY | O_CREAT | O_TRUNC) < 0)
            _exit(126);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (wait4(pid, &st, 0, &ru) < 0) return -1;
    *ms = now_ms() - t0;
    *rss_kb = ru.ru_maxrss;
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return 0;
}

static int usage(void)
{
    fputs("usage: timeit [-n RUNS] [--warmup N] [--setup SHELL-CMD] [--stdout FILE]\n"
          "              [--stderr FILE] -- PROGRAM [ARGS...]\n",
          stderr);
    return 64;
}

int main(int argc, char **argv)
{
    static double times[MAX_RUNS];
    long runs = 5, warmup = 0, rss_max = 0;
    const char *setup = NULL, *out_path = "/dev/null", *err_path = "/dev/null";
    int i, first_status = 0;

    for (i = 1; i < argc; i++) {
        char *end;
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (i + 1 >= argc) return usage();
        if (strcmp(argv[i], "-n") == 0) {
            runs = strtol(argv[++i], &end, 10);
            if (*end || runs < 1 || runs > MAX_RUNS) return usage();
        } else if (strcmp(argv[i], "--warmup") == 0) {
            warmup = strtol(argv[++i], &end, 10);
            if (*end || warmup < 0 || warmup > MAX_RUNS) return usage();
        } else if (strcmp(argv[i], "--setup") == 0) {
            setup = argv[++i];
        } else if (strcmp(argv[i], "--stdout") == 0) {
            out_path = argv[++i];
        } else if (strcmp(argv[i], "--stderr") == 0) {
            err_path = argv[++i];
        } else {
            return usage();
        }
    }
    if (i >= argc) return usage();

    for (long r = 0; r < warmup + runs; r++) {
        double ms;
        long rss;
        int status;
        if (setup && run_setup(setup) < 0) return 70;
        if (run_once(argv + i, out_path, err_path, &ms, &rss, &status) < 0) {
            fprintf(stderr, "timeit: %s: %s\n", argv[i], strerror(errno));
            return 70;
        }
        if (status == 127 || status == 126) {
            fprintf(stderr, "timeit: %s: could not be run\n", argv[i]);
            return 70;
        }
        if (r < warmup) continue;
        times[r - warmup] = ms;
        if (rss > rss_max) rss_max = rss;
        if (status && !first_status) first_status = status;
    }
    qsort(times, (size_t)runs, sizeof times[0], cmp_double);
    printf("runs=%ld median_ms=%.3f min_ms=%.3f max_ms=%.3f rss_kb=%ld status=%d\n", runs,
           runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2, times[0],
           times[runs - 1], rss_max, first_status);
    return 0;
}
