/*
 * main.c — the `whatworks` command: global options, then one subcommand.
 * Each subcommand lives in its own cmd_<verb>.c and uses only the public
 * API. Exit statuses follow sysexits(3).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct command {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
} commands[] = {
    {"init", cmd_init, "create or migrate the database"},
    {"import", cmd_import, "import files or directories of evidence"},
    {"validate", cmd_validate, "check files without storing them"},
    {"query", cmd_query, "ranked interventions for a presenting issue"},
    {"show", cmd_show, "the evidence behind one intervention"},
    {"issues", cmd_issues, "the presenting-issue taxonomy"},
    {"meta", cmd_meta, "meta-analysis of a CSV of studies"},
    {"grade", cmd_grade, "rigour grades of studies, with their explanation"},
    {"regrade", cmd_regrade, "recompute every grade under the current rules"},
    {"case", cmd_case, "a business case: costs, savings by agency, NPV, BCR"},
    {"withdraw", cmd_withdraw, "take a study out of every pooled result, keeping it shown"},
    {"plan", cmd_plan, "a pilot's minimum detectable effect, or the sample it needs"},
};

static void usage(FILE *fp)
{
    fputs("usage: whatworks [--db PATH] COMMAND [ARGS...]\n\n"
          "An evaluation and what-works evidence repository.\n\ncommands:\n",
          fp);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\nglobal options:\n"
          "  --db PATH   the database (default: $WHATWORKS_DB, else ./whatworks.db)\n"
          "  --version   print the version\n\n"
          "`whatworks COMMAND --help` describes each command.\n",
          fp);
}

int cli_fail(int code)
{
    const char *msg = ww_error_last();
    fprintf(stderr, "whatworks: %s\n", msg[0] ? msg : ww_strerror(code));
    return ww_error_exit_status(code);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "whatworks %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see `whatworks %s --help`)\n", cmd);
    return 64;
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

ww_format cli_default_format(void)
{
    return isatty(STDOUT_FILENO) ? WW_FORMAT_TABLE : WW_FORMAT_JSON;
}

int cli_open_db(ww_db **out, const cli_global *g, unsigned flags)
{
    return ww_db_open(out, g->db_path, flags);
}

int main(int argc, char **argv)
{
    cli_global g;
    int i = 1;
    const char *env = getenv("WHATWORKS_DB");

    g.db_path = env && *env ? env : "whatworks.db";
    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--db") == 0) {
            if (i + 1 >= argc) return cli_usage_error("", "--db needs a path");
            g.db_path = argv[i + 1];
            i += 2;
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            g.db_path = argv[i] + 5;
            i++;
        } else if (cli_is_help(argv[i])) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("whatworks %s\n", WW_VERSION);
            return 0;
        } else {
            fprintf(stderr, "whatworks: unknown option %s\n", argv[i]);
            usage(stderr);
            return 64;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 64;
    }
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
        if (strcmp(argv[i], commands[c].name) == 0) return commands[c].fn(&g, argc - i, argv + i);
    fprintf(stderr, "whatworks: unknown command '%s'\n", argv[i]);
    usage(stderr);
    return 64;
}
