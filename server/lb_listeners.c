/* The listener rules CreateLoadBalancer and CreateLoadBalancerListeners
 * share: reading, checking and adding a set of listeners. */
#include "lb_listeners.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "params.h"
#include "policy.h"
#include "validate.h"

/* Eucalyptus's default when the first listener arrives. */
#define HC_DEFAULT_INTERVAL 30
#define HC_DEFAULT_TIMEOUT 5
#define HC_DEFAULT_THRESHOLD 3

void
listener_set_free(struct listener_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		store_listener_free(&set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

int
listener_set_read(struct request *rq, struct listener_set *set)
{
	unsigned *idx = NULL;
	int n = param_list(rq, "Listeners", &idx);
	memset(set, 0, sizeof *set);
	if (n == 0)
		return resp_error(rq, ERR_VALIDATION,
		                  "Listeners cannot be empty: give at least "
		                  "Listeners.member.1");
	if (n > 0)
		set->v = xcalloc((size_t)n, sizeof *set->v);
	for (int i = 0; i < n; i++) {
		if (validate_listener(rq, idx[i], &set->v[i]) < 0)
			goto fail;
		set->n++;
		for (int j = 0; j < i; j++)
			if (set->v[j].lb_port == set->v[i].lb_port) {
				resp_error(rq, ERR_VALIDATION,
				           "LoadBalancerPort %ld is given "
				           "twice; give each port once",
				           set->v[i].lb_port);
				goto fail;
			}
	}
	free(idx);
	return n < 0 ? -1 : 0;
fail:
	free(idx);
	listener_set_free(set);
	return -1;
}

static int
listener_same(const struct listener *a, const struct listener *b)
{
	const char *ca = a->ssl_certificate_id ? a->ssl_certificate_id : "";
	const char *cb = b->ssl_certificate_id ? b->ssl_certificate_id : "";
	return a->instance_port == b->instance_port &&
	       strcmp(a->protocol, b->protocol) == 0 &&
	       strcmp(a->instance_protocol, b->instance_protocol) == 0 &&
	       strcmp(ca, cb) == 0;
}

int
listener_check_certificate(struct request *rq, const char *arn)
{
	struct server_cert c;
	int rc = store_cert_by_arn(rq->db, rq->account_id, arn, &c);
	if (rc == STORE_OK) {
		store_cert_free(&c);
		return 0;
	}
	if (rc != STORE_NOT_FOUND)
		return resp_error(rq, ERR_INTERNAL, NULL);
	return resp_error(rq, ERR_CERTIFICATE_NOT_FOUND,
	                  "Server certificate '%s' is not one of account %s's "
	                  "certificates; upload it first "
	                  "(euare-servercertupload) and use its ARN",
	                  arn, rq->account_id);
}

struct instance_port_check {
	const struct listener *new;
	const struct listener *conflict;
	struct listener copy;
};

static int
instance_port_row(void *ctx, const struct listener *l)
{
	struct instance_port_check *c = ctx;
	if (l->instance_port == c->new->instance_port &&
	    protocol_is_secure(l->instance_protocol) !=
	        protocol_is_secure(c->new->instance_protocol)) {
		c->copy = *l;
		c->copy.ssl_certificate_id = NULL;
		c->conflict = &c->copy;
		return 1;
	}
	return 0;
}

/* Listeners sharing an instance port must agree on whether the back end
 * speaks TLS: it is one port on the instance. */
static int
listener_check_instance_port(struct request *rq, const struct lb *lb,
                             const struct listener *l)
{
	struct instance_port_check c = {l, NULL, {0}};
	if (store_listener_each(rq->db, lb->id, instance_port_row, &c) !=
	    STORE_OK)
		return resp_error(rq, ERR_INTERNAL, NULL);
	if (!c.conflict)
		return 0;
	return resp_error(rq, ERR_INVALID_CONFIGURATION,
	                  "Listener on port %ld forwards to instance port %ld "
	                  "with %s, but the listener on port %ld forwards to "
	                  "it with %s; listeners sharing an instance port must "
	                  "all use TLS (HTTPS/SSL) or all not",
	                  l->lb_port, l->instance_port, l->instance_protocol,
	                  c.conflict->lb_port, c.conflict->instance_protocol);
}

static int
listener_add(struct request *rq, struct lb *lb, const struct listener *l)
{
	struct listener old;
	int rc = store_listener_get(rq->db, lb->id, l->lb_port, &old);
	if (rc == STORE_OK) {
		int same = listener_same(&old, l);
		store_listener_free(&old);
		if (same)
			return 0;
		return resp_error(rq, ERR_DUPLICATE_LISTENER,
		                  "A listener already exists for %s with "
		                  "LoadBalancerPort %ld, but with a different "
		                  "InstancePort, Protocol, or SSLCertificateId",
		                  lb->name, l->lb_port);
	}
	if (rc != STORE_NOT_FOUND)
		return resp_error(rq, ERR_INTERNAL, NULL);
	if ((l->ssl_certificate_id &&
	     listener_check_certificate(rq, l->ssl_certificate_id) < 0) ||
	    listener_check_instance_port(rq, lb, l) < 0)
		return -1;
	if (store_listener_insert(rq->db, lb->id, l) != STORE_OK)
		return resp_error(rq, ERR_INTERNAL, NULL);
	if (!protocol_is_secure(l->protocol))
		return 0;
	/* Like AWS, a new HTTPS/SSL listener gets the default policy. */
	int64_t id;
	if (policy_default_ssl(rq, lb, &id) < 0)
		return -1;
	if (store_listener_policies_set(rq->db, lb->id, l->lb_port, &id, 1))
		return resp_error(rq, ERR_INTERNAL, NULL);
	return 0;
}

static int
listener_default_health_check(struct request *rq, struct lb *lb,
                              const struct listener *first)
{
	if (lb->hc_target)
		return 0;
	char target[32];
	snprintf(target, sizeof target, "TCP:%ld", first->instance_port);
	lb->hc_target = xstrdup(target);
	lb->hc_interval = HC_DEFAULT_INTERVAL;
	lb->hc_timeout = HC_DEFAULT_TIMEOUT;
	lb->hc_unhealthy = HC_DEFAULT_THRESHOLD;
	lb->hc_healthy = HC_DEFAULT_THRESHOLD;
	if (store_lb_set_health_check(rq->db, lb) != STORE_OK)
		return resp_error(rq, ERR_INTERNAL, NULL);
	return 0;
}

int
listener_set_apply(struct request *rq, struct lb *lb,
                   const struct listener_set *set)
{
	long count = 0;
	for (size_t i = 0; i < set->n; i++)
		if (listener_add(rq, lb, &set->v[i]) < 0)
			return -1;
	if (store_listener_count(rq->db, lb->id, &count) != STORE_OK)
		return resp_error(rq, ERR_INTERNAL, NULL);
	if (count > rq->config->max_listeners)
		return resp_error(rq, ERR_VALIDATION,
		                  "Load balancer %s would have %ld listeners; "
		                  "the limit is %ld (classic-listeners)",
		                  lb->name, count, rq->config->max_listeners);
	return set->n ? listener_default_health_check(rq, lb, &set->v[0]) : 0;
}
