/*
 * Where a load balancer runs: Enable/DisableAvailabilityZones,
 * Attach/DetachLoadBalancerFromSubnets, ApplySecurityGroups. A load
 * balancer lives in zones or in subnets of one VPC, never both.
 */
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "lb_describe.h"
#include "lb_placement.h"
#include "params.h"

static int
zone_collect(void *ctx, const char *value)
{
	json_array_append_new(ctx, json_string(value));
	return 0;
}

/* Sets result[key] to the load balancer's list after the change. */
static int
zone_result(struct request *rq, const struct lb *lb, enum lb_list which,
            const char *key)
{
	json_t *out = json_array();
	json_object_set_new(rq->result, key, out);
	if (store_lb_list_each(rq->db, which, lb->id, zone_collect, out) !=
	    STORE_OK)
		return resp_error(rq, ERR_INTERNAL, NULL);
	return 0;
}

/* Adds (remove=0) or removes each member of list `name`; unknown removals
 * and repeated additions are no-ops, so a retried call changes nothing. */
static int
zone_change(struct request *rq, const struct lb *lb, const char *name,
            enum lb_list which, int remove)
{
	unsigned *idx = NULL;
	int n = param_list(rq, name, &idx);
	int rc = n < 0 ? -1 : 0;
	if (n == 0)
		rc = resp_error(rq, ERR_VALIDATION,
		                "%s cannot be empty: give %s.member.1", name,
		                name);
	for (int i = 0; rc == 0 && i < n; i++) {
		const char *v = param_member(rq, name, idx[i]);
		if (!v) {
			rc = -1;
			break;
		}
		if (strlen(v) > 255) {
			rc = resp_error(rq, ERR_VALIDATION,
			                "%s.member.%u must be 1 to 255 "
			                "characters",
			                name, idx[i]);
			break;
		}
		int s = remove ? store_lb_list_remove(rq->db, which, lb->id, v)
		               : store_lb_list_add(rq->db, which, lb->id, v);
		if (s == STORE_ERROR)
			rc = resp_error(rq, ERR_INTERNAL, NULL);
	}
	free(idx);
	return rc;
}

static int
zone_count(void *ctx, const char *value)
{
	++*(long *)ctx;
	return 0;
}

static int
zone_require_one_left(struct request *rq, const struct lb *lb,
                      enum lb_list which)
{
	long n = 0;
	if (store_lb_list_each(rq->db, which, lb->id, zone_count, &n) !=
	    STORE_OK)
		return resp_error(rq, ERR_INTERNAL, NULL);
	if (n == 0)
		return resp_error(rq, ERR_INVALID_CONFIGURATION,
		                  which == LB_LIST_ZONES
		                      ? "There must be at least one "
		                        "availability zone; enable another "
		                        "before disabling the last"
		                      : "Loadbalancer must be attached to "
		                        "at least one subnet; attach "
		                        "another before detaching the last");
	return 0;
}

static int
zone_action(struct request *rq, int subnets, int remove)
{
	struct lb lb;
	if (lb_lookup(rq, &lb) < 0)
		return -1;
	enum lb_list which = subnets ? LB_LIST_SUBNETS : LB_LIST_ZONES;
	const char *name = subnets ? "Subnets" : "AvailabilityZones";
	int rc = 0;
	if (!!lb.vpc_id != subnets)
		rc = resp_error(
		    rq, ERR_INVALID_CONFIGURATION,
		    "Load balancer %s runs in %s; it cannot %s", lb.name,
		    lb.vpc_id ? "VPC subnets" : "availability zones",
		    subnets ? "take subnets" : "take zones");
	else if (subnets && !remove)
		rc = subnet_attach(rq, &lb);
	else
		rc = zone_change(rq, &lb, name, which, remove);
	if (rc == 0 && remove)
		rc = zone_require_one_left(rq, &lb, which);
	else if (rc == 0)
		rc = lb_check_zone_limit(rq, &lb);
	if (rc == 0)
		rc = zone_result(rq, &lb, which, name);
	store_lb_free(&lb);
	return rc;
}

int
act_enable_availability_zones_for_load_balancer(struct request *rq)
{
	return zone_action(rq, 0, 0);
}

int
act_disable_availability_zones_for_load_balancer(struct request *rq)
{
	return zone_action(rq, 0, 1);
}

int
act_attach_load_balancer_to_subnets(struct request *rq)
{
	return zone_action(rq, 1, 0);
}

int
act_detach_load_balancer_from_subnets(struct request *rq)
{
	return zone_action(rq, 1, 1);
}

int
act_apply_security_groups_to_load_balancer(struct request *rq)
{
	struct lb lb;
	if (lb_lookup(rq, &lb) < 0)
		return -1;
	int rc = 0;
	if (!lb.vpc_id)
		rc = resp_error(rq, ERR_INVALID_CONFIGURATION,
		                "Security groups can only be applied to a load "
		                "balancer in a VPC; %s runs in availability "
		                "zones",
		                lb.name);
	if (rc == 0)
		rc = lb_set_security_groups(rq, &lb);
	if (rc == 0)
		rc = zone_result(rq, &lb, LB_LIST_SECURITY_GROUPS,
		                 "SecurityGroups");
	store_lb_free(&lb);
	return rc;
}
