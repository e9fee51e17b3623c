/*
 * helpers.h — what every cmocka test file shares: assert_ww_ok() (prints the
 * library's last error when a call fails, like libgit2's clar helpers), a
 * tolerance assert for doubles, and where the project and shared data are.
 * Tests run from the project root; `make test` sets WW_TOP, WW_BIN and
 * WW_SHARED_DATA.
 */
#ifndef WW_TESTS_HELPERS_H
#define WW_TESTS_HELPERS_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "whatworks.h"

#define assert_ww_ok(call)                                                                   \
    do {                                                                                     \
        int ww_rc_ = (call);                                                                 \
        if (ww_rc_ < 0) {                                                                    \
            print_error("%s failed: %d (%s): %s\n", #call, ww_rc_, ww_strerror(ww_rc_),      \
                        ww_error_last());                                                    \
            fail();                                                                          \
        }                                                                                    \
    } while (0)

/* |got - want| <= tol * max(1, |want|): relative for large values, absolute
 * near zero. */
#define assert_close(got, want, tol)                                                         \
    do {                                                                                     \
        double g_ = (got), w_ = (want), t_ = (tol);                                          \
        double s_ = fabs(w_) > 1 ? fabs(w_) : 1;                                             \
        if (!(fabs(g_ - w_) <= t_ * s_)) {                                                   \
            print_error("%s = %.17g, want %.17g (tol %g)\n", #got, g_, w_, t_);              \
            fail();                                                                          \
        }                                                                                    \
    } while (0)

static inline const char *test_env(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

/* Path under the project root / the shared data folder, in a static buffer
 * (one per call site is enough for tests). */
static inline const char *test_path(char *buf, size_t n, const char *root_env,
                                    const char *fallback, const char *rel)
{
    snprintf(buf, n, "%s/%s", test_env(root_env, fallback), rel);
    return buf;
}
#define TOP_PATH(buf, rel) test_path(buf, sizeof buf, "WW_TOP", ".", rel)
#define SHARED_PATH(buf, rel) test_path(buf, sizeof buf, "WW_SHARED_DATA", "../shared/data", rel)

/* Run only the tests whose names match $CMOCKA_TEST_FILTER (a glob):
 * cmocka 1.1.5 does not read that variable itself. */
static inline void test_filter_from_env(void)
{
    const char *f = getenv("CMOCKA_TEST_FILTER");
    if (f && *f) cmocka_set_test_filter(f);
}

/* The slow tier runs every suite under valgrind (WW_UNDER_VALGRIND=1). A
 * test that imports whole real corpora several times is skipped there, with
 * a message: its code paths run in the other suites under valgrind, and the
 * test itself runs natively and under ASan/UBSan. */
#define SKIP_UNDER_VALGRIND(why)                                                             \
    do {                                                                                     \
        if (getenv("WW_UNDER_VALGRIND")) {                                                   \
            print_message("    skipped under valgrind: %s\n", why);                          \
            skip();                                                                          \
        }                                                                                    \
    } while (0)

/* A whole file as a NUL-terminated string (free() it); "" when unreadable. */
static inline char *test_slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *buf;
    long n;
    if (!fp) return strdup("");
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    rewind(fp);
    buf = calloc(1, (size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) buf[0] = '\0';
    fclose(fp);
    return buf ? buf : strdup("");
}

/* What a run of the `whatworks` binary gave. */
typedef struct test_cli_result {
    int status; /* exit status, -1 when it did not exit normally */
    char *out, *err;
} test_cli_result;

/* Run `$WW_BIN PREFIX ARGS` (shell text) from the project root, stdin from
 * /dev/null, stdout and stderr captured through files in scratch_dir.
 * Release with test_cli_free(). */
static inline test_cli_result test_cli_run(const char *scratch_dir, const char *prefix,
                                           const char *args)
{
    char cmd[8192], outp[512], errp[512];
    test_cli_result r;
    int st;
    snprintf(outp, sizeof outp, "%s/cli-out", scratch_dir);
    snprintf(errp, sizeof errp, "%s/cli-err", scratch_dir);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s %s >'%s' 2>'%s' </dev/null",
             test_env("WW_TOP", "."), test_env("WW_BIN", "build/whatworks"), prefix, args, outp,
             errp);
    st = system(cmd);
    r.status = st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = test_slurp(outp);
    r.err = test_slurp(errp);
    return r;
}

static inline void test_cli_free(test_cli_result r)
{
    free(r.out);
    free(r.err);
}

#endif
