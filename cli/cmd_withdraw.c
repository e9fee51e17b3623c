/*
 * cmd_withdraw.c — `whatworks withdraw STUDY --reason TEXT`: take a study
 * out of every synthesis, keeping it visible as withdrawn (ww_study_withdraw).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int usage_withdraw(void)
{
    puts("usage: whatworks [--db PATH] withdraw STUDY --reason TEXT [--who NAME]\n\n"
         "Take a study (the number `whatworks show` prints) out of every pooled result:\n"
         "it stays in the database and in `show`, marked withdrawn with the time and the\n"
         "reason, and the audit log records who and why. To supersede a submission with\n"
         "a corrected file instead, use `whatworks import --replace FILE`.");
    return 0;
}

int cmd_withdraw(const cli_global *g, int argc, char **argv)
{
    const char *reason = NULL, *who = NULL, *id_text = NULL;
    char *end = NULL;
    long long id;
    ww_db *db = NULL;
    int error;

    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) return usage_withdraw();
        if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc) reason = argv[++i];
        else if (strcmp(argv[i], "--who") == 0 && i + 1 < argc) who = argv[++i];
        else if (argv[i][0] == '-') return cli_usage_error("withdraw", "unknown option '%s'", argv[i]);
        else if (!id_text) id_text = argv[i];
        else return cli_usage_error("withdraw", "unexpected argument '%s'", argv[i]);
    }
    if (!id_text) return cli_usage_error("withdraw", "which study? (the number `show` prints)");
    id = strtoll(id_text, &end, 10);
    if (!*id_text || *end || id <= 0) return cli_usage_error("withdraw", "'%s' is not a study number", id_text);
    if (!reason || !*reason) return cli_usage_error("withdraw", "--reason TEXT is required");
    if ((error = cli_open_db(&db, g, 0)) < 0) return cli_fail(error);
    error = ww_study_withdraw(db, (int64_t)id, reason, who);
    ww_db_close(db);
    if (error < 0) return cli_fail(error);
    printf("study %lld withdrawn: %s\n", id, reason);
    return 0;
}
