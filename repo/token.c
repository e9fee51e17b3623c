/*
 * token.c — evaluators' API tokens. A token is 32 random bytes from the
 * kernel (getrandom), written as "wwt_" and 43 base64url characters; it is
 * shown once, when made, and only its SHA-256 is stored. Tokens carry 256
 * bits of entropy, so a plain hash is enough (a slow password hash guards
 * guessable secrets; these are not). Checking a token compares its hash
 * with every live token's in constant time (nettle's memeql_sec), visiting
 * every row whatever matched, so the time taken says nothing about which
 * bytes were right. Making and revoking a token is written to the audit log.
 */
#include <string.h>
#include <sys/random.h>

#include <nettle/memops.h>
#include <nettle/sha2.h>

#include "repo_int.h"

#define TOKEN_BYTES 32
#define TOKEN_PREFIX "wwt_"

static void hash_token(unsigned char out[SHA256_DIGEST_SIZE], const char *token)
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, strlen(token), (const uint8_t *)token);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

static int valid_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > WW_TOKEN_NAME_MAX) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '@'))
            return 0;
    }
    return 1;
}

static void base64url(char *out, const unsigned char *in, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned long acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            *out++ = abc[(acc >> bits) & 63];
        }
    }
    if (bits > 0) *out++ = abc[(acc << (6 - bits)) & 63];
    *out = '\0';
}

static int audit(ww_db *db, const char *action, const char *name)
{
    sqlite3_stmt *st = NULL;
    int error, rc;
    if ((error = ww_repo__prepare(
             &st, db, "INSERT INTO audit(action, detail) VALUES (?1, json_object('name', ?2))")) <
        0)
        return error;
    sqlite3_bind_text(st, 1, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    ww_repo__release(db, st);
    return rc == SQLITE_DONE ? 0 : ww_repo__sqlite_error(db->sql, rc, db->path);
}

WW_EXTERN int ww_token_add(char **token_out, ww_db *db, const char *name)
{
    unsigned char raw[TOKEN_BYTES], hash[SHA256_DIGEST_SIZE];
    char *token = NULL;
    sqlite3_stmt *st = NULL;
    int error, rc;
    size_t got = 0;

    *token_out = NULL;
    if (!db) return ww__error(WW_EUSAGE, "no database");
    if (!valid_name(name))
        return ww__error(WW_EUSAGE, "token name: 1 to %d letters, digits or - _ . @, got '%s'",
                         WW_TOKEN_NAME_MAX, name ? name : "");
    while (got < sizeof raw) {
        ssize_t k = getrandom(raw + got, sizeof raw - got, 0);
        if (k < 0) return ww__error(WW_EIO, "cannot read random bytes for a token");
        got += (size_t)k;
    }
    if (!(token = malloc(sizeof TOKEN_PREFIX + (TOKEN_BYTES * 4 + 2) / 3 + 1)))
        return ww__error_oom();
    memcpy(token, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1);
    base64url(token + sizeof TOKEN_PREFIX - 1, raw, sizeof raw);
    hash_token(hash, token);

    if ((error = ww_repo__exec(db, "BEGIN IMMEDIATE")) < 0) goto fail;
    if ((error = ww_repo__prepare(&st, db, "INSERT INTO token(name, hash) VALUES (?1, ?2)")) < 0)
        goto rollback;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, hash, sizeof hash, SQLITE_STATIC);
    rc = sqlite3_step(st);
    ww_repo__release(db, st);
    if (rc == SQLITE_CONSTRAINT) {
        error = ww__error(WW_EUSAGE, "a live token named '%s' exists (revoke it first)", name);
        goto rollback;
    }
    if (rc != SQLITE_DONE) {
        error = ww_repo__sqlite_error(db->sql, rc, db->path);
        goto rollback;
    }
    if ((error = audit(db, "token add", name)) < 0) goto rollback;
    if ((error = ww_repo__exec(db, "COMMIT")) < 0) goto rollback;
    *token_out = token;
    return 0;
rollback:
    ww_repo__rollback(db);
fail:
    free(token);
    return error;
}

WW_EXTERN void ww_token_free(char *token)
{
    if (token) {
        memset(token, 0, strlen(token));
        free(token);
    }
}

WW_EXTERN int ww_token_revoke(ww_db *db, const char *name)
{
    sqlite3_stmt *st = NULL;
    int error, rc, changed;

    if (!db) return ww__error(WW_EUSAGE, "no database");
    if ((error = ww_repo__exec(db, "BEGIN IMMEDIATE")) < 0) return error;
    if ((error =
             ww_repo__prepare(&st, db,
                              "UPDATE token SET revoked_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')"
                              " WHERE name = ?1 AND revoked_at IS NULL")) < 0)
        goto done;
    sqlite3_bind_text(st, 1, name ? name : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    ww_repo__release(db, st);
    if (rc != SQLITE_DONE) {
        error = ww_repo__sqlite_error(db->sql, rc, db->path);
        goto done;
    }
    changed = sqlite3_changes(db->sql);
    if (!changed) {
        error = ww__error(WW_ENOTFOUND, "no live token named '%s'", name ? name : "");
        goto done;
    }
    if ((error = audit(db, "token revoke", name)) < 0) goto done;
    error = ww_repo__exec(db, "COMMIT");
done:
    if (error < 0) ww_repo__rollback(db);
    return error;
}

WW_EXTERN int ww_token_verify(ww_db *db, const char *token, char *name_out, size_t name_size)
{
    unsigned char hash[SHA256_DIGEST_SIZE];
    sqlite3_stmt *st = NULL;
    int error, rc, found = 0;

    if (name_out && name_size) name_out[0] = '\0';
    if (!db) return ww__error(WW_EUSAGE, "no database");
    if (!token || strncmp(token, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1) != 0 || strlen(token) > 256)
        return ww__error(WW_ENOTFOUND, "unknown token");
    hash_token(hash, token);
    if ((error = ww_repo__prepare(&st, db,
                                  "SELECT name, hash FROM token WHERE revoked_at IS NULL")) < 0)
        return error;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const void *h = sqlite3_column_blob(st, 1);
        int same = sqlite3_column_bytes(st, 1) == SHA256_DIGEST_SIZE && h &&
                   memeql_sec(h, hash, SHA256_DIGEST_SIZE);
        if (same && !found) {
            found = 1;
            if (name_out && name_size)
                snprintf(name_out, name_size, "%s", (const char *)sqlite3_column_text(st, 0));
        }
    }
    error = rc == SQLITE_DONE ? 0 : ww_repo__sqlite_error(db->sql, rc, db->path);
    ww_repo__release(db, st);
    if (error < 0) return error;
    return found ? 0 : ww__error(WW_ENOTFOUND, "unknown token");
}

int ww_repo__api_tokens(ww_api_token_row **out, size_t *n_out, ww_db *db, ww_arena *arena)
{
    sqlite3_stmt *st = NULL;
    ww_api_token_row *rows = NULL;
    size_t n = 0, alloc = 0;
    int error, rc;

    *out = NULL;
    *n_out = 0;
    if ((error = ww_repo__prepare(
             &st, db, "SELECT name, created_at, revoked_at FROM token ORDER BY id")) < 0)
        return error;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == alloc) {
            size_t na = alloc ? alloc * 2 : 16;
            ww_api_token_row *p = ww_arena__alloc(arena, na * sizeof *p);
            if (!p) {
                error = ww__error_oom();
                goto done;
            }
            if (n) memcpy(p, rows, n * sizeof *p);
            rows = p;
            alloc = na;
        }
        rows[n].name = ww_repo__col_text(st, 0, arena);
        rows[n].created_at = ww_repo__col_text(st, 1, arena);
        rows[n].revoked_at = ww_repo__col_text(st, 2, arena);
        n++;
    }
    if (rc != SQLITE_DONE) error = ww_repo__sqlite_error(db->sql, rc, db->path);
done:
    ww_repo__release(db, st);
    if (error < 0) return error;
    *out = rows;
    *n_out = n;
    return 0;
}
