/* The store: load balancers, their zone/subnet/group lists, listeners. */
#include "store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db_internal.h"

char *
store_name_key(const char *region, const char *name)
{
	struct buf b = BUF_INIT;
	if (*region) {
		buf_puts(&b, region);
		buf_putc(&b, '/');
	}
	for (const char *p = name; *p; p++)
		buf_putc(&b, (char)tolower((unsigned char)*p));
	return buf_steal(&b);
}

static void
store_lb_row(sqlite3_stmt *st, struct lb *lb)
{
	lb->id = sqlite3_column_int64(st, 0);
	str_cat(lb->account_id, sizeof lb->account_id,
	        (const char *)sqlite3_column_text(st, 1), NULL);
	lb->name = db_col_dup(st, 2);
	lb->scheme = db_col_dup(st, 3);
	lb->created_at = db_col_dup(st, 4);
	lb->vpc_id = db_col_dup(st, 5);
	lb->hc_target = db_col_dup(st, 6);
	lb->hc_interval = sqlite3_column_int(st, 7);
	lb->hc_timeout = sqlite3_column_int(st, 8);
	lb->hc_unhealthy = sqlite3_column_int(st, 9);
	lb->hc_healthy = sqlite3_column_int(st, 10);
	lb->lists = (unsigned)sqlite3_column_int(st, 11);
	lb->region = db_col_dup(st, 12);
	int described = sqlite3_column_count(st) > 13; /* a describe's */
	lb->described = described ? db_col_dup(st, 13) : NULL;
	lb->described_bound =
	    described ? (size_t)sqlite3_column_int64(st, 14) : 0;
}

void
store_lb_free(struct lb *lb)
{
	free(lb->name);
	free(lb->scheme);
	free(lb->created_at);
	free(lb->vpc_id);
	free(lb->hc_target);
	free(lb->described);
	free(lb->region);
	memset(lb, 0, sizeof *lb);
}

/* The one row st finds, bound, into out. */
static int
store_lb_one(struct db *db, sqlite3_stmt *st, struct lb *out)
{
	int rc = db_step(db, st);
	if (rc == SQLITE_ROW)
		store_lb_row(st, out);
	sqlite3_reset(st);
	return db_row_rc(rc);
}

static int
store_lb_by_name(struct db *db, enum stmt_id id, const char *account_id,
                 const char *region, const char *name, struct lb *out)
{
	char *key = store_name_key(region, name);
	sqlite3_stmt *st = db_stmt(db, id);
	db_bind_text(st, ":account", account_id);
	db_bind_text(st, ":name_key", key);
	free(key);
	return store_lb_one(db, st, out);
}

int
store_lb_get(struct db *db, const char *account_id, const char *region,
             const char *name, struct lb *out)
{
	return store_lb_by_name(db, STMT_LB_GET, account_id, region, name, out);
}

int
store_lb_get_described(struct db *db, const char *account_id,
                       const char *region, const char *name, struct lb *out)
{
	return store_lb_by_name(db, STMT_LB_GET_DESCRIBED, account_id, region,
	                        name, out);
}

int
store_lb_insert(struct db *db, const char *region, struct lb *lb)
{
	char *key = store_name_key(region, lb->name);
	sqlite3_stmt *st = db_stmt(db, STMT_LB_INSERT);
	db_bind_text(st, ":account", lb->account_id);
	db_bind_text(st, ":region", region);
	db_bind_text(st, ":name", lb->name);
	db_bind_text(st, ":name_key", key);
	db_bind_text(st, ":scheme", lb->scheme);
	db_bind_text(st, ":created_at", lb->created_at);
	db_bind_text(st, ":vpc_id", lb->vpc_id);
	free(key);
	if (db_exec_stmt(db, st) < 0)
		return db_last_error_is_constraint(db) ? STORE_CONFLICT
		                                       : STORE_ERROR;
	lb->id = db_last_insert_id(db);
	return STORE_OK;
}

int
store_lb_delete(struct db *db, int64_t lb_id)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LB_DELETE);
	db_bind_int(st, ":id", lb_id);
	return db_exec_stmt(db, st) == 0 ? STORE_OK : STORE_ERROR;
}

int
store_lb_count(struct db *db, const char *account_id, const char *region,
               long *count)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LB_COUNT);
	db_bind_text(st, ":account", account_id);
	db_bind_text(st, ":region", region);
	return db_scalar(db, st, count);
}

int
store_lb_set_health_check(struct db *db, const struct lb *lb)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LB_SET_HEALTH_CHECK);
	db_bind_text(st, ":target", lb->hc_target);
	db_bind_int(st, ":interval", lb->hc_interval);
	db_bind_int(st, ":timeout", lb->hc_timeout);
	db_bind_int(st, ":unhealthy", lb->hc_unhealthy);
	db_bind_int(st, ":healthy", lb->hc_healthy);
	db_bind_int(st, ":id", lb->id);
	return db_exec_stmt(db, st) == 0 ? STORE_OK : STORE_ERROR;
}

/* The rows of st, bound but for :limit, copied out: the caller reads
 * the page's lists meanwhile. Stored descriptions past described_max
 * bytes in all are left out: no answer holds more. */
static int
store_lb_rows(struct db *db, sqlite3_stmt *st, long limit, size_t described_max,
              struct lb **rows, size_t *n)
{
	db_bind_int(st, ":limit", limit);
	int rc;
	size_t described = 0;
	*rows = NULL;
	*n = 0;
	while ((rc = db_step(db, st)) == SQLITE_ROW) {
		*rows = xrealloc(*rows, (*n + 1) * sizeof **rows);
		struct lb *lb = &(*rows)[(*n)++];
		store_lb_row(st, lb);
		/* The bound, kept beside the text: no strlen per row. */
		described += lb->described ? lb->described_bound : 0;
		if (described > described_max) {
			free(lb->described);
			lb->described = NULL;
		}
	}
	sqlite3_reset(st);
	if (rc >= 0)
		return STORE_OK;
	store_lb_rows_free(*rows, *n);
	*rows = NULL;
	*n = 0;
	return STORE_ERROR;
}

int
store_lb_page(struct db *db, const char *account_id, const char *region,
              const char *marker, long limit, size_t described_max,
              struct lb **rows, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LB_PAGE);
	db_bind_text(st, ":account", account_id);
	db_bind_text(st, ":region", region);
	db_bind_text(st, ":marker", marker ? marker : "");
	return store_lb_rows(db, st, limit, described_max, rows, n);
}

int
store_lb_undescribed_get(struct db *db, int64_t id, struct lb *out)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LB_UNDESCRIBED);
	db_bind_int(st, ":id", id);
	return store_lb_one(db, st, out);
}

int
store_lb_set_described(struct db *db, int64_t lb_id, const char *text,
                       size_t bound)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LB_SET_DESCRIBED);
	db_bind_text(st, ":text", text);
	db_bind_int(st, ":bound", (long long)bound);
	db_bind_int(st, ":id", lb_id);
	return db_exec_stmt(db, st) == 0 ? STORE_OK : STORE_ERROR;
}

int
store_lb_forget_described(struct db *db, int all)
{
	sqlite3_stmt *st = db_stmt(db, all ? STMT_LB_FORGET_DESCRIBED
	                                   : STMT_LB_FORGET_TOO_LARGE);
	return db_exec_stmt(db, st) == 0 ? STORE_OK : STORE_ERROR;
}

void
store_lb_rows_free(struct lb *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_lb_free(&rows[i]);
	free(rows);
}

static const enum stmt_id lb_list_add[] = {
    [LB_LIST_ZONES] = STMT_ZONE_ADD,
    [LB_LIST_SUBNETS] = STMT_SUBNET_ADD,
    [LB_LIST_SECURITY_GROUPS] = STMT_GROUP_ADD,
};
static const enum stmt_id lb_list_each[] = {
    [LB_LIST_ZONES] = STMT_ZONE_EACH,
    [LB_LIST_SUBNETS] = STMT_SUBNET_EACH,
    [LB_LIST_SECURITY_GROUPS] = STMT_GROUP_EACH,
};

int
store_lb_list_add(struct db *db, enum lb_list which, int64_t lb_id,
                  const char *value)
{
	sqlite3_stmt *st = db_stmt(db, lb_list_add[which]);
	db_bind_int(st, ":lb", lb_id);
	db_bind_text(st, ":value", value);
	if (db_exec_stmt(db, st) == 0)
		return STORE_OK;
	return db_last_error_is_constraint(db) ? STORE_CONFLICT : STORE_ERROR;
}

int
store_lb_list_each(struct db *db, enum lb_list which, int64_t lb_id,
                   int (*fn)(void *ctx, const char *value), void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, lb_list_each[which]);
	db_bind_int(st, ":lb", lb_id);
	int rc;
	while ((rc = db_step(db, st)) == SQLITE_ROW)
		if (fn(ctx, (const char *)sqlite3_column_text(st, 0)))
			break;
	sqlite3_reset(st);
	return rc < 0 ? STORE_ERROR : STORE_OK;
}

static void
store_listener_row(sqlite3_stmt *st, struct listener *l)
{
	l->lb_port = sqlite3_column_int(st, 0);
	str_cat(l->protocol, sizeof l->protocol,
	        (const char *)sqlite3_column_text(st, 1), NULL);
	l->instance_port = sqlite3_column_int(st, 2);
	str_cat(l->instance_protocol, sizeof l->instance_protocol,
	        (const char *)sqlite3_column_text(st, 3), NULL);
	l->ssl_certificate_id = db_col_dup(st, 4);
}

void
store_listener_free(struct listener *l)
{
	free(l->ssl_certificate_id);
	l->ssl_certificate_id = NULL;
}

int
store_listener_get(struct db *db, int64_t lb_id, long lb_port,
                   struct listener *out)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LISTENER_GET);
	db_bind_int(st, ":lb", lb_id);
	db_bind_int(st, ":port", lb_port);
	int rc = db_step(db, st);
	if (rc == SQLITE_ROW)
		store_listener_row(st, out);
	sqlite3_reset(st);
	return db_row_rc(rc);
}

int
store_listener_insert(struct db *db, int64_t lb_id, const struct listener *l)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LISTENER_INSERT);
	db_bind_int(st, ":lb", lb_id);
	db_bind_int(st, ":port", l->lb_port);
	db_bind_text(st, ":protocol", l->protocol);
	db_bind_int(st, ":instance_port", l->instance_port);
	db_bind_text(st, ":instance_protocol", l->instance_protocol);
	db_bind_text(st, ":cert", l->ssl_certificate_id);
	if (db_exec_stmt(db, st) == 0)
		return STORE_OK;
	return db_last_error_is_constraint(db) ? STORE_CONFLICT : STORE_ERROR;
}

int
store_listener_delete(struct db *db, int64_t lb_id, long lb_port)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LISTENER_DELETE);
	db_bind_int(st, ":lb", lb_id);
	db_bind_int(st, ":port", lb_port);
	return db_exec_stmt(db, st) == 0 ? STORE_OK : STORE_ERROR;
}

int
store_listener_count(struct db *db, int64_t lb_id, long *count)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LISTENER_COUNT);
	db_bind_int(st, ":lb", lb_id);
	return db_scalar(db, st, count);
}

int
store_listener_each(struct db *db, int64_t lb_id,
                    int (*fn)(void *ctx, const struct listener *l), void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LISTENER_EACH);
	db_bind_int(st, ":lb", lb_id);
	int rc;
	while ((rc = db_step(db, st)) == SQLITE_ROW) {
		struct listener l;
		store_listener_row(st, &l);
		int stop = fn(ctx, &l);
		store_listener_free(&l);
		if (stop)
			break;
	}
	sqlite3_reset(st);
	return rc < 0 ? STORE_ERROR : STORE_OK;
}
