/*
 * cmd_init.c — `whatworks init`: create the database, or migrate an older
 * one forward. Safe to run twice.
 */
#include "cli.h"

int cmd_init(const cli_global *g, int argc, char **argv)
{
    ww_db *db = NULL;
    int error, before;
    if (argc > 1 && cli_is_help(argv[1])) {
        puts("usage: whatworks [--db PATH] init\n\n"
             "Create the database (with the presenting-issue taxonomy) or migrate an\n"
             "existing one to this version's schema. Running it again changes nothing.\n"
             "`import` never creates a database: this does (or `import --init`).\n"
             "Needs write access to the file and its folder: otherwise \"PATH: cannot\n"
             "write the database (permission denied)\", exit 73 (docs/database.md).");
        return 0;
    }
    if (argc > 1) return cli_usage_error("init", "unexpected argument '%s'", argv[1]);
    if ((error = cli_open_db(&db, g, WW_DB_CREATE)) < 0) return cli_fail(error);
    before = ww_db_schema_version(db);
    printf("%s: whatworks database, schema version %d\n", g->db_path, before);
    ww_db_close(db);
    return 0;
}
