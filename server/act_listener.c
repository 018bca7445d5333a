/* CreateLoadBalancerListeners, DeleteLoadBalancerListeners,
 * ConfigureHealthCheck (the listener rules are in lb_listeners.c). */
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "lb_describe.h"
#include "lb_listeners.h"
#include "params.h"
#include "validate.h"

int
act_create_load_balancer_listeners(struct request *rq)
{
	struct lb lb;
	struct listener_set set;
	if (lb_lookup(rq, &lb) < 0)
		return -1;
	int rc = listener_set_read(rq, &set);
	if (rc == 0)
		rc = listener_set_apply(rq, &lb, &set);
	listener_set_free(&set);
	store_lb_free(&lb);
	return rc;
}

int
act_delete_load_balancer_listeners(struct request *rq)
{
	struct lb lb;
	if (lb_lookup(rq, &lb) < 0)
		return -1;
	unsigned *idx = NULL;
	int n = param_list(rq, "LoadBalancerPorts", &idx);
	int rc = n < 0 ? -1 : 0;
	for (int i = 0; i < n && rc == 0; i++) {
		long port;
		rc = param_member(rq, "LoadBalancerPorts", idx[i])
		         ? param_int(rq, &port, 1, 65535,
		                     "LoadBalancerPorts.member.%u", idx[i])
		         : -1;
		/* A port without a listener is already in the wanted state. */
		if (rc == 0 &&
		    store_listener_delete(rq->db, lb.id, port) != STORE_OK)
			rc = resp_error(rq, ERR_INTERNAL, NULL);
	}
	free(idx);
	store_lb_free(&lb);
	return rc;
}

static int
health_check_read(struct request *rq, struct lb *lb)
{
	const char *target = param_get(rq, "HealthCheck.Target");
	char *canon = NULL;
	if (validate_health_target(rq, target, &canon) < 0 ||
	    param_int(rq, &lb->hc_interval, 5, 300, "HealthCheck.Interval") ||
	    param_int(rq, &lb->hc_timeout, 2, 60, "HealthCheck.Timeout") ||
	    param_int(rq, &lb->hc_unhealthy, 2, 10,
	              "HealthCheck.UnhealthyThreshold") ||
	    param_int(rq, &lb->hc_healthy, 2, 10,
	              "HealthCheck.HealthyThreshold")) {
		free(canon);
		return -1;
	}
	free(lb->hc_target);
	lb->hc_target = canon;
	if (lb->hc_timeout >= lb->hc_interval)
		return resp_error(rq, ERR_VALIDATION,
		                  "Health check interval must be greater than "
		                  "the timeout (interval %ld, timeout %ld)",
		                  lb->hc_interval, lb->hc_timeout);
	return 0;
}

int
act_configure_health_check(struct request *rq)
{
	struct lb lb;
	if (lb_lookup(rq, &lb) < 0)
		return -1;
	int rc = health_check_read(rq, &lb);
	if (rc == 0 && store_lb_set_health_check(rq->db, &lb) != STORE_OK)
		rc = resp_error(rq, ERR_INTERNAL, NULL);
	if (rc == 0)
		json_object_set_new(rq->result, "HealthCheck",
		                    lb_health_check_json(&lb));
	store_lb_free(&lb);
	return rc;
}
