/* The store: IAM server certificates. Private keys go in, never out. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db_internal.h"

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

int
store_cert_insert(struct db *db, struct server_cert *c)
{
	sqlite3_stmt *st = db_stmt(db, STMT_CERT_INSERT);
	db_bind_text(st, ":account", c->account_id);
	db_bind_text(st, ":name", c->name);
	db_bind_text(st, ":path", c->path);
	db_bind_text(st, ":certificate_id", c->certificate_id);
	db_bind_text(st, ":arn", c->arn);
	db_bind_text(st, ":body", c->body);
	db_bind_text(st, ":chain", c->chain);
	db_bind_text(st, ":key", c->private_key);
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
store_cert_delete(struct db *db, int64_t id)
{
	sqlite3_stmt *st = db_stmt(db, STMT_CERT_DELETE);
	db_bind_int(st, ":id", id);
	return db_exec_stmt(db, st) == 0 ? STORE_OK : STORE_ERROR;
}

int
store_cert_in_use(struct db *db, const char *account_id, const char *arn,
		  long *listeners)
{
	sqlite3_stmt *st = db_stmt(db, STMT_CERT_IN_USE);
	db_bind_text(st, ":account", account_id);
	db_bind_text(st, ":arn", arn);
	int rc = db_step(db, st);
	if (rc == SQLITE_ROW)
		*listeners = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? STORE_OK : STORE_ERROR;
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
	if (rc == SQLITE_ROW)
		*key = db_col_dup(st, 0);
	sqlite3_reset(st);
	return db_row_rc(rc);
}
