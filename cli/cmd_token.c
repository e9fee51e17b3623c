/*
 * cmd_token.c — `whatworks token add|revoke|list`: evaluators' API tokens
 * for submissions over HTTP. A token is printed once, when made; the
 * database keeps only its SHA-256.
 */
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: whatworks token add NAME\n"
    "       whatworks token revoke NAME\n"
    "       whatworks token list [--format table|json|csv]\n"
    "\n"
    "API tokens let evaluators submit pilot results to `whatworks serve`\n"
    "(Authorization: Bearer TOKEN, or the token field of the /submit form).\n"
    "add prints a new token once, on stdout: keep it, as only its hash is\n"
    "stored. revoke ends a name's live token (it stays listed). list shows\n"
    "every token's name, when it was made and revoked; never a token.\n"
    "NAME: 1 to 64 letters, digits or - _ . @\n"
    "\n"
    "Exit status: 0; 64 usage (bad name, or a live token of that name exists);\n"
    "66 no such token, or no database.";

int cmd_token(const cli_global *g, int argc, char **argv)
{
    ww_db *db = NULL;
    ww_format fmt = cli_default_format();
    const char *verb = argc > 1 ? argv[1] : NULL;
    int error = 0;

    if (!verb) return cli_usage_error("token", "say add NAME, revoke NAME or list");
    if (cli_is_help(verb)) {
        puts(usage_text);
        return 0;
    }
    if (strcmp(verb, "list") == 0) {
        for (int i = 2; i < argc; i++) {
            if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
                if (ww_format_parse(&fmt, argv[++i]) < 0)
                    return cli_usage_error("token", "%s", ww_error_last());
            } else {
                return cli_usage_error("token", "unexpected argument '%s'", argv[i]);
            }
        }
        if ((error = cli_open_db(&db, g, WW_DB_READONLY)) < 0) return cli_fail(error);
        error = ww_token_list_write(db, stdout, fmt);
    } else if (strcmp(verb, "add") == 0 || strcmp(verb, "revoke") == 0) {
        if (argc != 3) return cli_usage_error("token", "%s takes one NAME", verb);
        if ((error = cli_open_db(&db, g, 0)) < 0) return cli_fail(error);
        if (verb[0] == 'a') {
            char *token = NULL;
            if ((error = ww_token_add(&token, db, argv[2])) == 0) {
                puts(token);
                fprintf(stderr, "token '%s' made; it is shown only now\n", argv[2]);
            }
            ww_token_free(token);
        } else if ((error = ww_token_revoke(db, argv[2])) == 0) {
            fprintf(stderr, "token '%s' revoked\n", argv[2]);
        }
    } else {
        return cli_usage_error("token", "unknown action '%s' (add, revoke or list)", verb);
    }
    ww_db_close(db);
    return error < 0 ? cli_fail(error) : 0;
}
