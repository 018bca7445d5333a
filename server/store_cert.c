/* The store: IAM server certificates. Private keys go in, never out. */
#include "store.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db_internal.h"
#include "log.h"
#include "secret.h"

void
store_cert_free(struct server_cert *c)
{
	free(c->name);
	free(c->path);
	free(c->certificate_id);
	free(c->arn);
	free(c->body);
	free(c->chain);
	free(c->private_key);
	free(c->upload_date);
	free(c->expiration);
	memset(c, 0, sizeof *c);
}

static void
store_cert_row(sqlite3_stmt *st, const char *account_id, struct server_cert *c)
{
	memset(c, 0, sizeof *c);
	c->id = sqlite3_column_int64(st, 0);
	snprintf(c->account_id, sizeof c->account_id, "%s", account_id);
	c->name = db_col_dup(st, 1);
	c->path = db_col_dup(st, 2);
	c->certificate_id = db_col_dup(st, 3);
	c->arn = db_col_dup(st, 4);
	c->body = db_col_dup(st, 5);
	c->chain = db_col_dup(st, 6);
	c->upload_date = db_col_dup(st, 7);
	c->expiration = db_col_dup(st, 8);
}

static void
store_cert_aad(char *out, size_t size, const char *certificate_id)
{
	snprintf(out, size, "server-certificate:%s", certificate_id);
}

int
store_cert_insert(struct db *db, struct server_cert *c)
{
	char aad[160];
	store_cert_aad(aad, sizeof aad, c->certificate_id);
	char *sealed = secret_seal(c->private_key, aad);
	if (!sealed)
		return STORE_ERROR;
	sqlite3_stmt *st = db_stmt(db, STMT_CERT_INSERT);
	db_bind_text(st, ":account", c->account_id);
	db_bind_text(st, ":name", c->name);
	db_bind_text(st, ":path", c->path);
	db_bind_text(st, ":certificate_id", c->certificate_id);
	db_bind_text(st, ":arn", c->arn);
	db_bind_text(st, ":body", c->body);
	db_bind_text(st, ":chain", c->chain);
	db_bind_text(st, ":key", sealed);
	free(sealed);
	db_bind_text(st, ":uploaded", c->upload_date);
	db_bind_text(st, ":expiration", c->expiration);
	if (db_exec_stmt(db, st) < 0)
		return db_last_error_is_constraint(db) ? STORE_CONFLICT
		                                       : STORE_ERROR;
	c->id = db_last_insert_id(db);
	return STORE_OK;
}

static int
store_cert_one(struct db *db, sqlite3_stmt *st, const char *account_id,
               struct server_cert *out)
{
	int rc = db_step(db, st);
	if (rc == SQLITE_ROW)
		store_cert_row(st, account_id, out);
	sqlite3_reset(st);
	return db_row_rc(rc);
}

int
store_cert_by_name(struct db *db, const char *account_id, const char *name,
                   struct server_cert *out)
{
	sqlite3_stmt *st = db_stmt(db, STMT_CERT_BY_NAME);
	db_bind_text(st, ":account", account_id);
	db_bind_text(st, ":name", name);
	return store_cert_one(db, st, account_id, out);
}

int
store_cert_by_arn(struct db *db, const char *account_id, const char *arn,
                  struct server_cert *out)
{
	sqlite3_stmt *st = db_stmt(db, STMT_CERT_BY_ARN);
	db_bind_text(st, ":account", account_id);
	db_bind_text(st, ":arn", arn);
	return store_cert_one(db, st, account_id, out);
}

int
store_cert_each(struct db *db, const char *account_id,
                int (*fn)(void *ctx, const struct server_cert *c), void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, STMT_CERT_EACH);
	db_bind_text(st, ":account", account_id);
	int rc;
	while ((rc = db_step(db, st)) == SQLITE_ROW) {
		struct server_cert c;
		store_cert_row(st, account_id, &c);
		int stop = fn(ctx, &c);
		store_cert_free(&c);
		if (stop)
			break;
	}
	sqlite3_reset(st);
	return rc < 0 ? STORE_ERROR : STORE_OK;
}

int
store_cert_count_others(struct db *db, const char *account_id, const char *name,
                        long *count)
{
	sqlite3_stmt *st = db_stmt(db, STMT_CERT_COUNT_OTHERS);
	db_bind_text(st, ":account", account_id);
	db_bind_text(st, ":name", name);
	return db_scalar(db, st, count);
}

int
store_cert_delete(struct db *db, int64_t id)
{
	sqlite3_stmt *st = db_stmt(db, STMT_CERT_DELETE);
	db_bind_int(st, ":id", id);
	return db_exec_stmt(db, st) == 0 ? STORE_OK : STORE_ERROR;
}

int
store_cert_rename(struct db *db, const struct server_cert *c, const char *name,
                  const char *path, const char *arn)
{
	sqlite3_stmt *st = db_stmt(db, STMT_CERT_RENAME);
	db_bind_int(st, ":id", c->id);
	db_bind_text(st, ":name", name);
	db_bind_text(st, ":path", path);
	db_bind_text(st, ":arn", arn);
	if (db_exec_stmt(db, st) < 0)
		return db_last_error_is_constraint(db) ? STORE_CONFLICT
		                                       : STORE_ERROR;
	/* Listeners name their certificate by ARN: they follow it. */
	st = db_stmt(db, STMT_CERT_REPOINT);
	db_bind_text(st, ":account", c->account_id);
	db_bind_text(st, ":old", c->arn);
	db_bind_text(st, ":new", arn);
	return db_exec_stmt(db, st) == 0 ? STORE_OK : STORE_ERROR;
}

int
store_cert_in_use(struct db *db, const char *account_id, const char *arn,
                  long *listeners)
{
	sqlite3_stmt *st = db_stmt(db, STMT_CERT_IN_USE);
	db_bind_text(st, ":account", account_id);
	db_bind_text(st, ":arn", arn);
	return db_scalar(db, st, listeners);
}

int
store_listener_set_certificate(struct db *db, int64_t lb_id, long lb_port,
                               const char *arn)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LISTENER_SET_CERT);
	db_bind_int(st, ":lb", lb_id);
	db_bind_int(st, ":port", lb_port);
	db_bind_text(st, ":cert", arn);
	return db_exec_stmt(db, st) == 0 ? STORE_OK : STORE_ERROR;
}

int
store_cert_private_key(struct db *db, const char *account_id, const char *arn,
                       char **key)
{
	sqlite3_stmt *st = db_stmt(db, STMT_CERT_PRIVATE_KEY);
	db_bind_text(st, ":account", account_id);
	db_bind_text(st, ":arn", arn);
	int rc = db_step(db, st);
	if (rc == SQLITE_ROW) {
		char aad[160];
		store_cert_aad(aad, sizeof aad,
		               (const char *)sqlite3_column_text(st, 1));
		*key =
		    secret_open((const char *)sqlite3_column_text(st, 0), aad);
		if (!*key) {
			log_error(
			    "the private key of %s does not open with the "
			    "master key",
			    arn);
			rc = -1;
		}
	}
	sqlite3_reset(st);
	return db_row_rc(rc);
}

/* Re-seals every secret: under a rotation's new key, or plaintext from
 * before sealing. */
static int
store_reseal(struct db *db, enum stmt_id all, enum stmt_id set,
             const char *aad_prefix, const char *id_param,
             const char *value_param)
{
	sqlite3_stmt *st = db_stmt(db, all);
	char **ids = NULL, **values = NULL;
	size_t n = 0;
	int rc;
	while ((rc = db_step(db, st)) == SQLITE_ROW) {
		ids = xrealloc(ids, (n + 1) * sizeof *ids);
		values = xrealloc(values, (n + 1) * sizeof *values);
		ids[n] = db_col_dup(st, 0);
		values[n++] = db_col_dup(st, 1);
	}
	sqlite3_reset(st);
	rc = rc < 0 ? STORE_ERROR : STORE_OK;
	for (size_t i = 0; i < n; i++) {
		char aad[200], *plain = NULL, *sealed = NULL;
		snprintf(aad, sizeof aad, "%s:%s", aad_prefix, ids[i]);
		if (rc == STORE_OK && !(plain = secret_open(values[i], aad)))
			log_error("%s %s does not open with the master key",
			          aad_prefix, ids[i]);
		if (plain && (sealed = secret_seal(plain, aad))) {
			st = db_stmt(db, set);
			db_bind_text(st, id_param, ids[i]);
			db_bind_text(st, value_param, sealed);
			if (db_exec_stmt(db, st) < 0)
				rc = STORE_ERROR;
		} else {
			rc = STORE_ERROR;
		}
		if (plain)
			OPENSSL_cleanse(plain, strlen(plain));
		free(plain);
		free(sealed);
		free(ids[i]);
		free(values[i]);
	}
	free(ids);
	free(values);
	return rc;
}

int
store_secrets_reseal(struct db *db)
{
	if (store_reseal(db, STMT_KEY_ALL, STMT_KEY_SET_SECRET, "access-key",
	                 ":akid", ":secret") != STORE_OK)
		return STORE_ERROR;
	return store_reseal(db, STMT_CERT_KEYS_ALL, STMT_CERT_SET_KEY,
	                    "server-certificate", ":certificate_id", ":key");
}

int
store_secrets_sealed(struct db *db, long *count)
{
	return db_scalar(db, db_stmt(db, STMT_SEALED_COUNT), count);
}
