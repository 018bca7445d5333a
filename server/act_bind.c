/*
 * Binding policies and certificates to listeners and back-end ports:
 * SetLoadBalancerPoliciesOfListener, SetLoadBalancerPoliciesForBackendServer,
 * SetLoadBalancerListenerSSLCertificate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dispatch.h"
#include "lb_describe.h"
#include "lb_listeners.h"
#include "params.h"
#include "policy.h"
#include "policy_types.h"
#include "validate.h"

/* The policies named by PolicyNames, resolved on lb, in order. */
struct policy_list {
	struct policy *v;
	size_t n;
};

static void
policy_list_free(struct policy_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		store_policy_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
policy_list_read(struct request *rq, const struct lb *lb, struct policy_list *l)
{
	unsigned *idx = NULL;
	int n = param_list(rq, "PolicyNames", &idx);
	memset(l, 0, sizeof *l);
	if (n > 0)
		l->v = xcalloc((size_t)n, sizeof *l->v);
	for (int i = 0; i < n; i++) {
		const char *name;
		if (param_require(rq, &name, "PolicyNames.member.%u", idx[i]) <
		        0 ||
		    policy_lookup(rq, lb, name, &l->v[i]) < 0)
			goto fail;
		l->n++;
		for (int j = 0; j < i; j++)
			if (l->v[j].id == l->v[i].id) {
				resp_error(rq, ERR_VALIDATION,
				           "PolicyNames lists %s twice; give "
				           "each policy once",
				           name);
				goto fail;
			}
	}
	free(idx);
	return n < 0 ? -1 : 0;
fail:
	free(idx);
	policy_list_free(l);
	return -1;
}

static int64_t *
policy_list_ids(const struct policy_list *l)
{
	int64_t *ids = xcalloc(l->n + 1, sizeof *ids);
	for (size_t i = 0; i < l->n; i++)
		ids[i] = l->v[i].id;
	return ids;
}

static int
listener_policy_check(struct request *rq, const struct listener *ls,
                      const struct policy_list *l)
{
	int ssl = 0, cookie = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct policy *p = &l->v[i];
		const struct policy_type *t = policy_type_find(p->type);
		int is_ssl = strcmp(p->type, POLICY_SSL_NEGOTIATION) == 0;
		int is_cookie = strcmp(p->type, POLICY_APP_COOKIE) == 0 ||
		                strcmp(p->type, POLICY_LB_COOKIE) == 0;
		if (!t || !(t->places & PLACE_LISTENER))
			return resp_error(rq, ERR_INVALID_CONFIGURATION,
			                  "%s cannot be enabled: %s policies "
			                  "do not go on listeners%s",
			                  p->name, p->type,
			                  t && (t->places & PLACE_BACKEND)
			                      ? "; set it on the back-end "
			                        "port with SetLoadBalancer"
			                        "PoliciesForBackendServer"
			                      : "");
		if (is_ssl && !protocol_is_secure(ls->protocol))
			return resp_error(rq, ERR_INVALID_CONFIGURATION,
			                  "%s cannot be enabled: the listener "
			                  "on port %ld is %s, and SSL "
			                  "negotiation applies to HTTPS and "
			                  "SSL listeners only",
			                  p->name, ls->lb_port, ls->protocol);
		if (is_cookie && strcmp(ls->protocol, "HTTP") != 0 &&
		    strcmp(ls->protocol, "HTTPS") != 0)
			return resp_error(rq, ERR_INVALID_CONFIGURATION,
			                  "%s cannot be enabled: stickiness "
			                  "applies to HTTP and HTTPS listeners "
			                  "only, and the listener on port %ld "
			                  "is %s",
			                  p->name, ls->lb_port, ls->protocol);
		if ((ssl += is_ssl) > 1 || (cookie += is_cookie) > 1)
			return resp_error(rq, ERR_INVALID_CONFIGURATION,
			                  "A listener takes at most one %s "
			                  "policy",
			                  is_ssl ? "SSL negotiation"
			                         : "cookie stickiness");
	}
	return 0;
}

int
act_set_load_balancer_policies_of_listener(struct request *rq)
{
	struct lb lb;
	struct listener ls = {0};
	struct policy_list l = {0};
	long port;
	if (param_int(rq, &port, 1, 65535, "LoadBalancerPort") < 0 ||
	    lb_lookup(rq, &lb) < 0)
		return -1;
	int rc = store_listener_get(rq->db, lb.id, port, &ls);
	if (rc == STORE_NOT_FOUND)
		rc = resp_error(rq, ERR_LISTENER_NOT_FOUND,
		                "Load balancer %s has no listener on port %ld",
		                lb.name, port);
	else if (rc != STORE_OK)
		rc = resp_error(rq, ERR_INTERNAL, NULL);
	else if ((rc = policy_list_read(rq, &lb, &l)) == 0 &&
	         (rc = listener_policy_check(rq, &ls, &l)) == 0) {
		int64_t *ids = policy_list_ids(&l);
		if (store_listener_policies_set(rq->db, lb.id, port, ids, l.n))
			rc = resp_error(rq, ERR_INTERNAL, NULL);
		free(ids);
	}
	store_listener_free(&ls);
	policy_list_free(&l);
	store_lb_free(&lb);
	return rc;
}

/* Which listeners forward to an instance port, and whether all of them
 * speak TLS to it. */
struct backend_scan {
	long instance_port;
	size_t matches;
	int plain_port; /* lb port of a match whose instance protocol isn't TLS
	                 */
	struct buf ports;
};

static int
backend_scan_row(void *ctx, const struct listener *l)
{
	struct backend_scan *s = ctx;
	buf_printf(&s->ports, "%s%ld", s->ports.len ? ", " : "",
	           l->instance_port);
	if (l->instance_port != s->instance_port)
		return 0;
	s->matches++;
	if (!protocol_is_secure(l->instance_protocol))
		s->plain_port = (int)l->lb_port;
	return 0;
}

static int
backend_policy_check(struct request *rq, const struct lb *lb,
                     const struct backend_scan *s, const struct policy_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct policy *p = &l->v[i];
		const struct policy_type *t = policy_type_find(p->type);
		if (!t || !(t->places & PLACE_BACKEND))
			return resp_error(rq, ERR_INVALID_CONFIGURATION,
			                  "%s cannot be enabled: %s policies "
			                  "do not go on back-end ports",
			                  p->name, p->type);
		if (strcmp(p->type, POLICY_BACKEND_AUTH) == 0 && s->plain_port)
			return resp_error(rq, ERR_INVALID_CONFIGURATION,
			                  "%s cannot be enabled on instance "
			                  "port %ld: the listener on port %d "
			                  "of load balancer '%s' forwards to "
			                  "it without TLS; back-end "
			                  "authentication needs instance "
			                  "protocol HTTPS or SSL",
			                  p->name, s->instance_port,
			                  s->plain_port, lb->name);
	}
	return 0;
}

int
act_set_load_balancer_policies_for_backend_server(struct request *rq)
{
	struct lb lb;
	struct policy_list l = {0};
	long port;
	if (param_int(rq, &port, 1, 65535, "InstancePort") < 0 ||
	    lb_lookup(rq, &lb) < 0)
		return -1;
	struct backend_scan s = {port, 0, 0, BUF_INIT};
	int rc = 0;
	if (store_listener_each(rq->db, lb.id, backend_scan_row, &s) !=
	    STORE_OK)
		rc = resp_error(rq, ERR_INTERNAL, NULL);
	else if (!s.matches)
		rc = resp_error(rq, ERR_INVALID_CONFIGURATION,
		                "There is no listener of load balancer '%s' "
		                "with instance port %ld (its listeners forward "
		                "to: %s)",
		                lb.name, port,
		                s.ports.len ? buf_str(&s.ports) : "none");
	else if ((rc = policy_list_read(rq, &lb, &l)) == 0 &&
	         (rc = backend_policy_check(rq, &lb, &s, &l)) == 0) {
		int64_t *ids = policy_list_ids(&l);
		if (store_backend_policies_set(rq->db, lb.id, port, ids, l.n))
			rc = resp_error(rq, ERR_INTERNAL, NULL);
		free(ids);
	}
	buf_free(&s.ports);
	policy_list_free(&l);
	store_lb_free(&lb);
	return rc;
}

int
act_set_load_balancer_listener_ssl_certificate(struct request *rq)
{
	struct lb lb;
	struct listener ls = {0};
	long port;
	if (param_int(rq, &port, 1, 65535, "LoadBalancerPort") < 0 ||
	    lb_lookup(rq, &lb) < 0)
		return -1;
	const char *arn = param_get(rq, "SSLCertificateId");
	int rc = store_listener_get(rq->db, lb.id, port, &ls);
	if (rc == STORE_NOT_FOUND)
		rc = resp_error(rq, ERR_LISTENER_NOT_FOUND,
		                "Load balancer %s has no listener on port %ld",
		                lb.name, port);
	else if (rc != STORE_OK)
		rc = resp_error(rq, ERR_INTERNAL, NULL);
	else if (!protocol_is_secure(ls.protocol))
		rc = resp_error(rq, ERR_INVALID_CONFIGURATION,
		                "The listener on port %ld is %s; only HTTPS "
		                "and SSL listeners take a certificate",
		                port, ls.protocol);
	else if ((rc = listener_check_certificate(rq, arn)) == 0 &&
	         store_listener_set_certificate(rq->db, lb.id, port, arn))
		rc = resp_error(rq, ERR_INTERNAL, NULL);
	store_listener_free(&ls);
	store_lb_free(&lb);
	return rc;
}
