/*
 * Stored descriptions (schema/0011): each load balancer's
 * DescribeLoadBalancers <member>, copied by describes (lb_describe_lbs)
 * instead of rendered again. The schema's triggers clear a description
 * whenever a row it is rendered from changes. A describe that had to
 * render one from its rows asks for it here (lb_stored_want); the writer
 * thread renders and stores those, in the transaction of its next batch
 * or, if none comes, in one of its own. So a load balancer nobody reads
 * costs its writes nothing more, and one read often is stored again
 * after each change.
 */
#include "lb_stored.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "emit.h"
#include "db.h"
#include "lb_describe.h"
#include "log.h"

/* A description read often is rendered and written again, by the single
 * writer, after each change to its load balancer: one larger than this (a
 * few hundred instances or policies; a description may reach
 * --max-response-bytes) is marked '' and read from its rows instead, and
 * the triggers leave the mark alone (schema/0011). */
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

/* The load balancers describes asked for, by id; more are dropped (and
 * asked for again by the next describe that reads them). */
#define LB_STORED_WANTED 256

static struct {
	pthread_mutex_t lock;
	int64_t ids[LB_STORED_WANTED];
	size_t n;
	const struct server_config *config;
	void (*wake)(void *);
	void *wake_arg;
} lb_stored = {.lock = PTHREAD_MUTEX_INITIALIZER};

void
lb_stored_start(const struct server_config *c, void (*wake)(void *), void *arg)
{
	pthread_mutex_lock(&lb_stored.lock);
	lb_stored.config = c;
	lb_stored.wake = wake;
	lb_stored.wake_arg = arg;
	pthread_mutex_unlock(&lb_stored.lock);
}

void
lb_stored_want(const struct lb *lbs, size_t n)
{
	int asked = 0;
	pthread_mutex_lock(&lb_stored.lock);
	for (size_t i = 0; i < n && lb_stored.wake; i++) {
		if (lbs[i].described) /* stored, or marked too large */
			continue;
		asked = 1;
		size_t j = 0;
		while (j < lb_stored.n && lb_stored.ids[j] != lbs[i].id)
			j++;
		if (j < lb_stored.n)
			continue;
		if (j == LB_STORED_WANTED)
			break;
		lb_stored.ids[lb_stored.n++] = lbs[i].id;
	}
	/* Whenever ids wait, not only when this added one: a batch that
	 * failed before storing them has left them there. Under the lock,
	 * so that lb_stored_start(NULL) ends every call to wake; the writer
	 * never takes this lock while it holds its own. */
	if (asked && lb_stored.n && lb_stored.wake)
		lb_stored.wake(lb_stored.wake_arg);
	pthread_mutex_unlock(&lb_stored.lock);
}

int
lb_stored_pending(void)
{
	pthread_mutex_lock(&lb_stored.lock);
	int n = (int)lb_stored.n;
	pthread_mutex_unlock(&lb_stored.lock);
	return n;
}

int
lb_stored_render_wanted(struct db *db)
{
	int64_t ids[LB_STORED_WANTED];
	pthread_mutex_lock(&lb_stored.lock);
	size_t n = lb_stored.n;
	const struct server_config *c = lb_stored.config;
	memcpy(ids, lb_stored.ids, n * sizeof *ids);
	lb_stored.n = 0;
	pthread_mutex_unlock(&lb_stored.lock);
	/* The first failure ends the round: it may have ended the
	 * transaction. The rest are read from their rows, and asked for
	 * again by the next describe that reads them. */
	for (size_t i = 0; i < n && c; i++) {
		struct lb lb = {0};
		/* Gone, or stored since: nothing to do. */
		int got = store_lb_undescribed_get(db, ids[i], &lb);
		if (got == STORE_NOT_FOUND)
			continue;
		int rc = got == STORE_OK ? lb_stored_render(db, c, &lb) : -1;
		store_lb_free(&lb);
		if (rc < 0) {
			log_warn(
			    "cannot store the description of load balancer "
			    "%lld",
			    (long long)ids[i]);
			return -1;
		}
	}
	return 0;
}

void
lb_stored_run(struct db *db)
{
	if (!lb_stored_pending() || db_begin(db, 1) < 0)
		return;
	lb_stored_render_wanted(db);
	if (db_commit(db) < 0)
		db_rollback(db);
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
