/*
 * cli.h — what the subcommands of the `whatworks` command share. The CLI is a
 * thin front end: it includes only the public header whatworks.h and this
 * file. One file per subcommand, cmd_<verb>.c, each with its own --help.
 */
#ifndef WW_CLI_H
#define WW_CLI_H

#include <stdio.h>

#include "whatworks.h"

/* Global options parsed before the subcommand. */
typedef struct cli_global {
    const char *db_path; /* --db, else $WHATWORKS_DB, else ./whatworks.db */
} cli_global;

/* A subcommand: returns the process exit status (sysexits). argv[0] is the
 * subcommand's own name. */
typedef int (*cli_cmd_fn)(const cli_global *g, int argc, char **argv);

int cmd_init(const cli_global *g, int argc, char **argv);
int cmd_import(const cli_global *g, int argc, char **argv);
int cmd_validate(const cli_global *g, int argc, char **argv);
int cmd_query(const cli_global *g, int argc, char **argv);
int cmd_show(const cli_global *g, int argc, char **argv);
int cmd_issues(const cli_global *g, int argc, char **argv);
int cmd_meta(const cli_global *g, int argc, char **argv);
int cmd_grade(const cli_global *g, int argc, char **argv);
int cmd_regrade(const cli_global *g, int argc, char **argv);
int cmd_case(const cli_global *g, int argc, char **argv);
int cmd_withdraw(const cli_global *g, int argc, char **argv);
int cmd_plan(const cli_global *g, int argc, char **argv);

/* Print "whatworks: <msg>" for a failed library call and return the exit
 * status for its code. */
int cli_fail(int code);
/* Print a usage error and return 64. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 when arg is -h or --help. */
int cli_is_help(const char *arg);
/* The default output format: table on a terminal, JSON otherwise. */
ww_format cli_default_format(void);
/* Open the database named by the global options. */
int cli_open_db(ww_db **out, const cli_global *g, unsigned flags);

#endif
