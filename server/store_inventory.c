/* The store: the instance and subnet inventory, registered instances. */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db_internal.h"

void
store_inventory_instance_free(struct inventory_instance *i)
{
	free(i->account_name);
	free(i->instance_id);
	free(i->address);
	free(i->zone);
	memset(i, 0, sizeof *i);
}

static int
store_insert_rc(struct db *db, sqlite3_stmt *st)
{
	if (db_exec_stmt(db, st) == 0)
		return STORE_OK;
	return db_last_error_is_constraint(db) ? STORE_CONFLICT : STORE_ERROR;
}

int
store_inventory_instance_add(struct db *db, const char *account_id,
                             const char *instance_id, const char *address,
                             const char *zone)
{
	sqlite3_stmt *st = db_stmt(db, STMT_INV_INSTANCE_ADD);
	db_bind_text(st, ":account", account_id);
	db_bind_text(st, ":id", instance_id);
	db_bind_text(st, ":address", address);
	db_bind_text(st, ":zone", zone);
	return store_insert_rc(db, st);
}

int
store_inventory_instance_get(struct db *db, const char *account_id,
                             const char *instance_id,
                             struct inventory_instance *out)
{
	sqlite3_stmt *st = db_stmt(db, STMT_INV_INSTANCE_GET);
	db_bind_text(st, ":account", account_id);
	db_bind_text(st, ":id", instance_id);
	int rc = db_step(db, st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof *out);
		out->instance_id = xstrdup(instance_id);
		out->address = db_col_dup(st, 0);
		out->zone = db_col_dup(st, 1);
	}
	sqlite3_reset(st);
	return db_row_rc(rc);
}

int
store_inventory_instance_remove(struct db *db, const char *account_id,
                                const char *instance_id)
{
	sqlite3_stmt *st = db_stmt(db, STMT_INV_INSTANCE_REMOVE);
	db_bind_text(st, ":account", account_id);
	db_bind_text(st, ":id", instance_id);
	if (db_exec_stmt(db, st) < 0)
		return STORE_ERROR;
	return db_changes(db) ? STORE_OK : STORE_NOT_FOUND;
}

int
store_inventory_instance_each(struct db *db,
                              int (*fn)(void *ctx,
                                        const struct inventory_instance *i),
                              void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, STMT_INV_INSTANCE_EACH);
	int rc;
	while ((rc = db_step(db, st)) == SQLITE_ROW) {
		struct inventory_instance i = {
		    db_col_dup(st, 0), db_col_dup(st, 1), db_col_dup(st, 2),
		    db_col_dup(st, 3)};
		int stop = fn(ctx, &i);
		store_inventory_instance_free(&i);
		if (stop)
			break;
	}
	sqlite3_reset(st);
	return rc < 0 ? STORE_ERROR : STORE_OK;
}

int
store_inventory_subnet_add(struct db *db, const char *account_id,
                           const char *subnet_id, const char *zone,
                           const char *vpc_id)
{
	sqlite3_stmt *st = db_stmt(db, STMT_INV_SUBNET_ADD);
	db_bind_text(st, ":account", account_id);
	db_bind_text(st, ":id", subnet_id);
	db_bind_text(st, ":zone", zone);
	db_bind_text(st, ":vpc", vpc_id);
	return store_insert_rc(db, st);
}

int
store_inventory_subnet_get(struct db *db, const char *account_id,
                           const char *subnet_id, char **zone, char **vpc_id)
{
	sqlite3_stmt *st = db_stmt(db, STMT_INV_SUBNET_GET);
	db_bind_text(st, ":account", account_id);
	db_bind_text(st, ":id", subnet_id);
	int rc = db_step(db, st);
	if (rc == SQLITE_ROW) {
		*zone = db_col_dup(st, 0);
		*vpc_id = db_col_dup(st, 1);
	}
	sqlite3_reset(st);
	return db_row_rc(rc);
}

void
store_instance_free(struct lb_instance *i)
{
	free(i->instance_id);
	free(i->state);
	free(i->reason_code);
	free(i->description);
	memset(i, 0, sizeof *i);
}

static void
store_instance_row(sqlite3_stmt *st, struct lb_instance *i)
{
	i->instance_id = db_col_dup(st, 0);
	i->state = db_col_dup(st, 1);
	i->reason_code = db_col_dup(st, 2);
	i->description = db_col_dup(st, 3);
}

int
store_instance_add(struct db *db, int64_t lb_id, const struct lb_instance *i)
{
	sqlite3_stmt *st = db_stmt(db, STMT_INSTANCE_ADD);
	db_bind_int(st, ":lb", lb_id);
	db_bind_text(st, ":id", i->instance_id);
	db_bind_text(st, ":state", i->state);
	db_bind_text(st, ":reason", i->reason_code);
	db_bind_text(st, ":description", i->description);
	return store_insert_rc(db, st);
}

int
store_instance_remove(struct db *db, int64_t lb_id, const char *instance_id)
{
	sqlite3_stmt *st = db_stmt(db, STMT_INSTANCE_REMOVE);
	db_bind_int(st, ":lb", lb_id);
	db_bind_text(st, ":id", instance_id);
	if (db_exec_stmt(db, st) < 0)
		return STORE_ERROR;
	return db_changes(db) ? STORE_OK : STORE_NOT_FOUND;
}

int
store_instance_get(struct db *db, int64_t lb_id, const char *instance_id,
                   struct lb_instance *out)
{
	sqlite3_stmt *st = db_stmt(db, STMT_INSTANCE_GET);
	db_bind_int(st, ":lb", lb_id);
	db_bind_text(st, ":id", instance_id);
	int rc = db_step(db, st);
	if (rc == SQLITE_ROW)
		store_instance_row(st, out);
	sqlite3_reset(st);
	return db_row_rc(rc);
}

int
store_instance_each(struct db *db, int64_t lb_id,
                    int (*fn)(void *ctx, const struct lb_instance *i),
                    void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, STMT_INSTANCE_EACH);
	db_bind_int(st, ":lb", lb_id);
	int rc;
	while ((rc = db_step(db, st)) == SQLITE_ROW) {
		struct lb_instance i;
		store_instance_row(st, &i);
		int stop = fn(ctx, &i);
		store_instance_free(&i);
		if (stop)
			break;
	}
	sqlite3_reset(st);
	return rc < 0 ? STORE_ERROR : STORE_OK;
}

int
store_instance_count(struct db *db, const char *account_id, const char *region,
                     long *count)
{
	sqlite3_stmt *st = db_stmt(db, STMT_INSTANCE_COUNT);
	db_bind_text(st, ":account", account_id);
	db_bind_text(st, ":region", region);
	return db_scalar(db, st, count);
}

int
store_instance_set_state(struct db *db, int64_t lb_id,
                         const struct lb_instance *i)
{
	sqlite3_stmt *st = db_stmt(db, STMT_INSTANCE_SET_STATE);
	db_bind_int(st, ":lb", lb_id);
	db_bind_text(st, ":id", i->instance_id);
	db_bind_text(st, ":state", i->state);
	db_bind_text(st, ":reason", i->reason_code);
	db_bind_text(st, ":description", i->description);
	if (db_exec_stmt(db, st) < 0)
		return STORE_ERROR;
	return db_changes(db) ? STORE_OK : STORE_NOT_FOUND;
}
