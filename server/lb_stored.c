/*
 * Stored descriptions (schema/0011): each load balancer's
 * DescribeLoadBalancers <member>, rendered by the write that changes it
 * and copied by describes (lb_describe_lbs) instead of rendered again.
 * The schema's triggers clear a description whenever a row it is rendered
 * from changes; this renders cleared ones, in the writer's transaction.
 */
#include "lb_stored.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "emit.h"
#include "lb_describe.h"
#include "log.h"

/* A description stored is written again by every write to its load
 * balancer, in the single writer: one larger than this (a few hundred
 * instances or policies) is marked '' and read from its rows instead, so
 * that writes to it cost no more than before (a description may reach
 * --max-response-bytes). */
#define LB_STORED_MAX ((size_t)32 * 1024)

static int
lb_stored_render(struct db *db, const struct server_config *c,
                 const struct lb *lb)
{
	struct buf b = BUF_INIT;
	struct emit e;
	emit_text(&e, &b, 0);
	emit_list(&e, "LoadBalancerDescriptions");
	size_t at = b.len, bound = e.bound;
	int rc = lb_describe_render(c, db, lb, &e);
	size_t size = e.bound - bound;
	if (rc == 0)
		rc = store_lb_set_described(
		         db, lb->id, size > LB_STORED_MAX ? "" : b.data + at,
		         size) == STORE_OK
		         ? 0
		         : -1;
	buf_free(&b);
	return rc;
}

int
lb_stored_refresh(struct db *db, const struct server_config *c,
                  int64_t *below, long limit)
{
	struct lb *rows;
	size_t n;
	if (store_lb_undescribed(db, *below, limit, &rows, &n) != STORE_OK)
		return -1;
	/* One that fails stays NULL (read from its rows); the rest go on. */
	for (size_t i = 0; i < n; i++) {
		if (lb_stored_render(db, c, &rows[i]) < 0)
			log_warn(
			    "cannot store the description of load balancer "
			    "%lld; it is read from its rows",
			    (long long)rows[i].id);
		*below = rows[i].id;
	}
	store_lb_rows_free(rows, n);
	return (int)n;
}

/* What the stored descriptions depend on besides their rows. */
static char *
lb_stored_config(const struct server_config *c)
{
	struct buf b = BUF_INIT;
	/* The format's version: a change to describe_one changes it. */
	buf_printf(&b, "1 %s %s", c->dns_domain, c->system_account_id);
	for (size_t i = 0; i < c->nregions; i++)
		buf_printf(&b, " %s:%s", c->regions[i].name,
		           c->regions[i].hosted_zone_id);
	return buf_steal(&b);
}

int
lb_stored_check_config(struct db *db, const struct server_config *c)
{
	char *want = lb_stored_config(c), *had = NULL;
	int rc = store_setting_get(db, "described_config", &had);
	int same = rc == STORE_OK && strcmp(had, want) == 0;
	/* Those too large may have shrunk since: looked at again. */
	if (rc == STORE_OK || rc == STORE_NOT_FOUND)
		rc = store_lb_forget_described(db, !same);
	if (rc == STORE_OK && !same)
		rc = store_setting_set(db, "described_config", want);
	free(had);
	free(want);
	return rc == STORE_OK ? 0 : -1;
}
