/* The store: load-balancer attributes and tags, list removals, the clock. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "db_internal.h"

void
store_now(char out[32])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000));
}

/* Security groups are only ever replaced whole (store_lb_groups_clear). */
int
store_lb_list_remove(struct db *db, enum lb_list which, int64_t lb_id,
                     const char *value)
{
	if (which == LB_LIST_SECURITY_GROUPS)
		return STORE_ERROR;
	sqlite3_stmt *st = db_stmt(
	    db, which == LB_LIST_ZONES ? STMT_ZONE_REMOVE : STMT_SUBNET_REMOVE);
	db_bind_int(st, ":lb", lb_id);
	db_bind_text(st, ":value", value);
	if (db_exec_stmt(db, st) < 0)
		return STORE_ERROR;
	return db_changes(db) ? STORE_OK : STORE_NOT_FOUND;
}

int
store_lb_groups_clear(struct db *db, int64_t lb_id)
{
	sqlite3_stmt *st = db_stmt(db, STMT_GROUP_CLEAR);
	db_bind_int(st, ":lb", lb_id);
	return db_exec_stmt(db, st) == 0 ? STORE_OK : STORE_ERROR;
}

int
store_lb_set_vpc(struct db *db, int64_t lb_id, const char *vpc_id)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LB_SET_VPC);
	db_bind_int(st, ":id", lb_id);
	db_bind_text(st, ":vpc", vpc_id);
	return db_exec_stmt(db, st) == 0 ? STORE_OK : STORE_ERROR;
}

int
store_attr_set(struct db *db, int64_t lb_id, const char *name,
               const char *value)
{
	sqlite3_stmt *st = db_stmt(db, STMT_ATTR_SET);
	db_bind_int(st, ":lb", lb_id);
	db_bind_text(st, ":name", name);
	db_bind_text(st, ":value", value);
	return db_exec_stmt(db, st) == 0 ? STORE_OK : STORE_ERROR;
}

int
store_attr_each(struct db *db, int64_t lb_id,
                int (*fn)(void *ctx, const char *name, const char *value),
                void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, STMT_ATTR_EACH);
	db_bind_int(st, ":lb", lb_id);
	return db_each_pair(db, st, fn, ctx);
}

int
store_tag_set(struct db *db, int64_t lb_id, const char *key, const char *value)
{
	sqlite3_stmt *st = db_stmt(db, STMT_TAG_SET);
	db_bind_int(st, ":lb", lb_id);
	db_bind_text(st, ":key", key);
	db_bind_text(st, ":value", value);
	return db_exec_stmt(db, st) == 0 ? STORE_OK : STORE_ERROR;
}

int
store_tag_remove(struct db *db, int64_t lb_id, const char *key)
{
	sqlite3_stmt *st = db_stmt(db, STMT_TAG_REMOVE);
	db_bind_int(st, ":lb", lb_id);
	db_bind_text(st, ":key", key);
	return db_exec_stmt(db, st) == 0 ? STORE_OK : STORE_ERROR;
}

int
store_tag_count(struct db *db, int64_t lb_id, long *count)
{
	sqlite3_stmt *st = db_stmt(db, STMT_TAG_COUNT);
	db_bind_int(st, ":lb", lb_id);
	return db_scalar(db, st, count);
}

int
store_tag_each(struct db *db, int64_t lb_id,
               int (*fn)(void *ctx, const char *key, const char *value),
               void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, STMT_TAG_EACH);
	db_bind_int(st, ":lb", lb_id);
	return db_each_pair(db, st, fn, ctx);
}
