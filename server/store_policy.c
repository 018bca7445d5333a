/* The store: policies, their attributes, listener and back-end bindings. */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db_internal.h"

void
store_policy_free(struct policy *p)
{
	free(p->name);
	free(p->type);
	p->name = p->type = NULL;
}

static void
store_policy_row(sqlite3_stmt *st, struct policy *p)
{
	p->id = sqlite3_column_int64(st, 0);
	p->name = db_col_dup(st, 1);
	p->type = db_col_dup(st, 2);
}

int
store_policy_get(struct db *db, int64_t lb_id, const char *name,
                 struct policy *out)
{
	sqlite3_stmt *st = db_stmt(db, STMT_POLICY_GET);
	db_bind_int(st, ":lb", lb_id);
	db_bind_text(st, ":name", name);
	int rc = db_step(db, st);
	if (rc == SQLITE_ROW)
		store_policy_row(st, out);
	sqlite3_reset(st);
	return db_row_rc(rc);
}

int
store_policy_insert(struct db *db, int64_t lb_id, struct policy *p,
                    const char *fingerprint)
{
	sqlite3_stmt *st = db_stmt(db, STMT_POLICY_INSERT);
	db_bind_int(st, ":lb", lb_id);
	db_bind_text(st, ":name", p->name);
	db_bind_text(st, ":type", p->type);
	db_bind_text(st, ":fp", fingerprint);
	if (db_exec_stmt(db, st) < 0)
		return db_last_error_is_constraint(db) ? STORE_CONFLICT
		                                       : STORE_ERROR;
	p->id = db_last_insert_id(db);
	return STORE_OK;
}

int
store_policy_attr_add(struct db *db, int64_t policy_id, int position,
                      const char *name, const char *value)
{
	sqlite3_stmt *st = db_stmt(db, STMT_POLICY_ATTR_ADD);
	db_bind_int(st, ":policy", policy_id);
	db_bind_int(st, ":position", position);
	db_bind_text(st, ":name", name);
	db_bind_text(st, ":value", value);
	return db_exec_stmt(db, st) == 0 ? STORE_OK : STORE_ERROR;
}

int
store_policy_delete(struct db *db, int64_t policy_id)
{
	sqlite3_stmt *st = db_stmt(db, STMT_POLICY_DELETE);
	db_bind_int(st, ":id", policy_id);
	return db_exec_stmt(db, st) == 0 ? STORE_OK : STORE_ERROR;
}

int
store_policy_count(struct db *db, int64_t lb_id, long *count)
{
	sqlite3_stmt *st = db_stmt(db, STMT_POLICY_COUNT);
	db_bind_int(st, ":lb", lb_id);
	return db_scalar(db, st, count);
}

int
store_policy_each(struct db *db, int64_t lb_id,
                  int (*fn)(void *ctx, const struct policy *p), void *ctx)
{
	/* Copied out first: fn reads attributes with other statements. */
	sqlite3_stmt *st = db_stmt(db, STMT_POLICY_EACH);
	db_bind_int(st, ":lb", lb_id);
	struct policy *rows = NULL;
	size_t n = 0;
	int rc;
	while ((rc = db_step(db, st)) == SQLITE_ROW) {
		rows = xrealloc(rows, (n + 1) * sizeof *rows);
		store_policy_row(st, &rows[n++]);
	}
	sqlite3_reset(st);
	int stop = 0;
	for (size_t i = 0; i < n; i++) {
		if (rc >= 0 && !stop)
			stop = fn(ctx, &rows[i]);
		store_policy_free(&rows[i]);
	}
	free(rows);
	return rc < 0 || stop < 0 ? STORE_ERROR : STORE_OK;
}

int
store_policy_attr_each(struct db *db, int64_t policy_id,
                       int (*fn)(void *ctx, const char *name,
                                 const char *value),
                       void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, STMT_POLICY_ATTR_EACH);
	db_bind_int(st, ":policy", policy_id);
	return db_each_pair(db, st, fn, ctx);
}

int
store_policy_in_use(struct db *db, int64_t lb_id, const struct policy *p,
                    int *in_use)
{
	long enabled = 0, referrers = 0;
	sqlite3_stmt *st = db_stmt(db, STMT_POLICY_ENABLED);
	db_bind_int(st, ":policy", p->id);
	if (db_scalar(db, st, &enabled) != STORE_OK)
		return STORE_ERROR;
	st = db_stmt(db, STMT_POLICY_REFERRERS);
	db_bind_int(st, ":lb", lb_id);
	db_bind_text(st, ":name", p->name);
	if (db_scalar(db, st, &referrers) != STORE_OK)
		return STORE_ERROR;
	*in_use = enabled + referrers > 0;
	return STORE_OK;
}

static int
store_bindings_set(struct db *db, enum stmt_id clear, enum stmt_id add,
                   int64_t lb_id, long port, const int64_t *ids, size_t n)
{
	sqlite3_stmt *st = db_stmt(db, clear);
	db_bind_int(st, ":lb", lb_id);
	db_bind_int(st, ":port", port);
	if (db_exec_stmt(db, st) < 0)
		return STORE_ERROR;
	for (size_t i = 0; i < n; i++) {
		st = db_stmt(db, add);
		db_bind_int(st, ":lb", lb_id);
		db_bind_int(st, ":port", port);
		db_bind_int(st, ":position", (int64_t)i + 1);
		db_bind_int(st, ":policy", ids[i]);
		if (db_exec_stmt(db, st) < 0)
			return STORE_ERROR;
	}
	return STORE_OK;
}

int
store_listener_policies_set(struct db *db, int64_t lb_id, long lb_port,
                            const int64_t *ids, size_t n)
{
	return store_bindings_set(db, STMT_LISTENER_POLICIES_CLEAR,
	                          STMT_LISTENER_POLICY_ADD, lb_id, lb_port, ids,
	                          n);
}

int
store_backend_policies_set(struct db *db, int64_t lb_id, long instance_port,
                           const int64_t *ids, size_t n)
{
	return store_bindings_set(db, STMT_BACKEND_POLICIES_CLEAR,
	                          STMT_BACKEND_POLICY_ADD, lb_id, instance_port,
	                          ids, n);
}

int
store_listener_policy_each(struct db *db, int64_t lb_id, long lb_port,
                           int (*fn)(void *ctx, const char *name,
                                     const char *type),
                           void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LISTENER_POLICY_EACH);
	db_bind_int(st, ":lb", lb_id);
	db_bind_int(st, ":port", lb_port);
	return db_each_pair(db, st, fn, ctx);
}

int
store_backend_policy_each(struct db *db, int64_t lb_id,
                          int (*fn)(void *ctx, long instance_port,
                                    const char *name),
                          void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, STMT_BACKEND_POLICY_EACH);
	db_bind_int(st, ":lb", lb_id);
	int rc;
	while ((rc = db_step(db, st)) == SQLITE_ROW)
		if (fn(ctx, sqlite3_column_int(st, 0),
		       (const char *)sqlite3_column_text(st, 1)))
			break;
	sqlite3_reset(st);
	return rc < 0 ? STORE_ERROR : STORE_OK;
}
