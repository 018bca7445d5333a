/*
 * The store: the lists of a page of load balancers (zones, listeners,
 * policies...), each read by one statement over the whole page and walked
 * in step with the page's rows, instead of a statement per list per load
 * balancer (DescribeLoadBalancers of 100 load balancers ran 1,000).
 */
#include "store.h"

#include <stdlib.h>

#include "buf.h"
#include "db_internal.h"

static const enum stmt_id page_stmt[LB_PART_COUNT] = {
    [LB_PART_ZONES] = STMT_PAGE_ZONES,
    [LB_PART_SUBNETS] = STMT_PAGE_SUBNETS,
    [LB_PART_GROUPS] = STMT_PAGE_GROUPS,
    [LB_PART_LISTENERS] = STMT_PAGE_LISTENERS,
    [LB_PART_POLICIES] = STMT_PAGE_POLICIES,
    [LB_PART_BACKENDS] = STMT_PAGE_BACKENDS,
    [LB_PART_INSTANCES] = STMT_PAGE_INSTANCES,
};

static const enum stmt_id one_stmt[LB_PART_COUNT] = {
    [LB_PART_ZONES] = STMT_ONE_ZONES,
    [LB_PART_SUBNETS] = STMT_ONE_SUBNETS,
    [LB_PART_GROUPS] = STMT_ONE_GROUPS,
    [LB_PART_LISTENERS] = STMT_ONE_LISTENERS,
    [LB_PART_POLICIES] = STMT_ONE_POLICIES,
    [LB_PART_BACKENDS] = STMT_ONE_BACKENDS,
    [LB_PART_INSTANCES] = STMT_ONE_INSTANCES,
};

enum page_state { PAGE_STEP, PAGE_ROW, PAGE_DONE };

struct store_page {
	struct db *db;
	sqlite3_stmt *st[LB_PART_COUNT];
	enum page_state state[LB_PART_COUNT];
};

/* A page with the statements of the parts in lists; the caller binds
 * them. */
static struct store_page *
store_page_new(struct db *db, const enum stmt_id stmt[LB_PART_COUNT],
               unsigned lists)
{
	struct store_page *p = xcalloc(1, sizeof *p);
	p->db = db;
	for (int i = 0; i < LB_PART_COUNT; i++) {
		/* Empty for every load balancer of the page: a step through
		 * SQLite saved (schema/0010). */
		p->state[i] = lists & LB_PART_BIT(i) ? PAGE_STEP : PAGE_DONE;
		if (p->state[i] == PAGE_STEP)
			p->st[i] = db_stmt(db, stmt[i]);
	}
	return p;
}

struct store_page *
store_page_open(struct db *db, const char *account_id, const char *region,
                const char *first_key, const char *last_key, unsigned lists)
{
	struct store_page *p = store_page_new(db, page_stmt, lists);
	for (int i = 0; i < LB_PART_COUNT; i++) {
		sqlite3_stmt *st = p->st[i];
		if (!st)
			continue;
		db_bind_text(st, ":account", account_id);
		db_bind_text(st, ":region", region);
		db_bind_text(st, ":first", first_key);
		db_bind_text(st, ":last", last_key);
	}
	return p;
}

struct store_page *
store_page_open_one(struct db *db, int64_t lb_id, unsigned lists)
{
	struct store_page *p = store_page_new(db, one_stmt, lists);
	for (int i = 0; i < LB_PART_COUNT; i++)
		if (p->st[i])
			db_bind_int(p->st[i], ":id", lb_id);
	return p;
}

int
store_page_peek(struct store_page *p, enum lb_part part, int64_t lb_id)
{
	sqlite3_stmt *st = p->st[part];
	if (p->state[part] == PAGE_STEP) {
		int rc = db_step(p->db, st);
		if (rc < 0)
			return -1;
		p->state[part] = rc == SQLITE_ROW ? PAGE_ROW : PAGE_DONE;
	}
	/* A row of a later load balancer waits for its turn. */
	return p->state[part] == PAGE_ROW &&
	       sqlite3_column_int64(st, 0) == lb_id;
}

void
store_page_next(struct store_page *p, enum lb_part part)
{
	p->state[part] = PAGE_STEP;
}

const char *
store_page_text(struct store_page *p, enum lb_part part, int col)
{
	return (const char *)sqlite3_column_text(p->st[part], col);
}

long
store_page_int(struct store_page *p, enum lb_part part, int col)
{
	return (long)sqlite3_column_int64(p->st[part], col);
}

void
store_page_close(struct store_page *p)
{
	if (!p)
		return;
	for (int i = 0; i < LB_PART_COUNT; i++)
		if (p->st[i])
			sqlite3_reset(p->st[i]);
	free(p);
}
