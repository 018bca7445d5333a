/* The store: settings, accounts and access keys. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#include "buf.h"
#include "db_internal.h"
#include "secret.h"

int
store_setting_get(struct db *db, const char *key, char **value)
{
	sqlite3_stmt *st = db_stmt(db, STMT_SETTING_GET);
	db_bind_text(st, ":key", key);
	int rc = db_step(db, st);
	if (rc == SQLITE_ROW)
		*value = db_col_dup(st, 0);
	sqlite3_reset(st);
	return db_row_rc(rc);
}

int
store_setting_set(struct db *db, const char *key, const char *value)
{
	sqlite3_stmt *st = db_stmt(db, STMT_SETTING_SET);
	db_bind_text(st, ":key", key);
	db_bind_text(st, ":value", value);
	return db_exec_stmt(db, st) == 0 ? STORE_OK : STORE_ERROR;
}

int
store_account_insert(struct db *db, const char *id, const char *name)
{
	char now[32];
	store_now(now);
	sqlite3_stmt *st = db_stmt(db, STMT_ACCOUNT_INSERT);
	db_bind_text(st, ":id", id);
	db_bind_text(st, ":name", name);
	db_bind_text(st, ":now", now);
	if (db_exec_stmt(db, st) == 0)
		return STORE_OK;
	return db_last_error_is_constraint(db) ? STORE_CONFLICT : STORE_ERROR;
}

static void
store_account_row(sqlite3_stmt *st, struct account *a)
{
	str_cat(a->id, sizeof a->id, (const char *)sqlite3_column_text(st, 0),
	        NULL);
	a->name = db_col_dup(st, 1);
	a->may_delegate = sqlite3_column_int(st, 2);
}

int
store_account_set_delegate(struct db *db, const char *id, int may)
{
	sqlite3_stmt *st = db_stmt(db, STMT_ACCOUNT_SET_DELEGATE);
	db_bind_text(st, ":id", id);
	db_bind_int(st, ":may", may);
	return db_exec_stmt(db, st) == 0 ? STORE_OK : STORE_ERROR;
}

int
store_account_by_name(struct db *db, const char *name, struct account *out)
{
	sqlite3_stmt *st = db_stmt(db, STMT_ACCOUNT_BY_NAME);
	db_bind_text(st, ":name", name);
	int rc = db_step(db, st);
	if (rc == SQLITE_ROW)
		store_account_row(st, out);
	sqlite3_reset(st);
	return db_row_rc(rc);
}

int
store_account_by_id(struct db *db, const char *id, struct account *out)
{
	sqlite3_stmt *st = db_stmt(db, STMT_ACCOUNT_BY_ID);
	db_bind_text(st, ":id", id);
	int rc = db_step(db, st);
	if (rc == SQLITE_ROW)
		store_account_row(st, out);
	sqlite3_reset(st);
	return db_row_rc(rc);
}

int
store_account_each(struct db *db, int (*fn)(void *ctx, const struct account *a),
                   void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, STMT_ACCOUNT_ALL);
	int rc;
	while ((rc = db_step(db, st)) == SQLITE_ROW) {
		struct account a;
		store_account_row(st, &a);
		int stop = fn(ctx, &a);
		store_account_free(&a);
		if (stop)
			break;
	}
	sqlite3_reset(st);
	return rc < 0 ? STORE_ERROR : STORE_OK;
}

void
store_account_free(struct account *a)
{
	free(a->name);
	a->name = NULL;
}

/* Sealed secrets are bound to their row. */
static void
store_key_aad(char *out, size_t size, const char *akid)
{
	snprintf(out, size, "access-key:%s", akid);
}

int
store_key_insert(struct db *db, const char *akid, const char *account_id,
                 const char *secret)
{
	char now[32];
	store_now(now);
	char aad[160];
	store_key_aad(aad, sizeof aad, akid);
	char *sealed = secret_seal(secret, aad);
	if (!sealed)
		return STORE_ERROR;
	sqlite3_stmt *st = db_stmt(db, STMT_KEY_INSERT);
	db_bind_text(st, ":akid", akid);
	db_bind_text(st, ":account", account_id);
	db_bind_text(st, ":secret", sealed);
	db_bind_text(st, ":now", now);
	free(sealed);
	if (db_exec_stmt(db, st) == 0)
		return STORE_OK;
	return db_last_error_is_constraint(db) ? STORE_CONFLICT : STORE_ERROR;
}

int
store_key_lookup_sealed(struct db *db, const char *akid, char account_id[13],
                        char **sealed)
{
	sqlite3_stmt *st = db_stmt(db, STMT_KEY_LOOKUP);
	db_bind_text(st, ":akid", akid);
	int rc = db_step(db, st);
	if (rc == SQLITE_ROW) {
		str_cat(account_id, 13,
		        (const char *)sqlite3_column_text(st, 0), NULL);
		*sealed = db_col_dup(st, 1);
	}
	sqlite3_reset(st);
	return db_row_rc(rc);
}

char *
store_key_unseal(const char *akid, const char *sealed)
{
	char aad[160];
	store_key_aad(aad, sizeof aad, akid);
	char *plain = secret_open(sealed, aad);
	if (!plain)
		log_error("the secret of access key %s does not open with the "
		          "master key",
		          akid);
	return plain;
}

int
store_key_first(struct db *db, const char *account_id, char **akid,
                char **secret)
{
	sqlite3_stmt *st = db_stmt(db, STMT_KEY_FIRST);
	db_bind_text(st, ":account", account_id);
	int rc = db_step(db, st);
	if (rc == SQLITE_ROW) {
		*akid = db_col_dup(st, 0);
		*secret = store_key_unseal(
		    *akid, (const char *)sqlite3_column_text(st, 1));
		if (!*secret)
			rc = -1;
	}
	sqlite3_reset(st);
	return db_row_rc(rc);
}
