/* RegisterInstancesWithLoadBalancer, DeregisterInstancesFromLoadBalancer,
 * DescribeInstanceHealth. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dispatch.h"
#include "lb_describe.h"
#include "params.h"

#define STATE_OUT "OutOfService"
#define REASON_ELB "ELB"
#define DESCRIPTION_NEW "Instance registration is still in progress."

/* i- followed by 8 or 17 lower-case hex digits. */
static int
instance_id_ok(const char *id)
{
	size_t n = strlen(id);
	if (strncmp(id, "i-", 2) != 0 || (n != 10 && n != 19))
		return 0;
	for (const char *p = id + 2; *p; p++)
		if (!isxdigit((unsigned char)*p) || isupper((unsigned char)*p))
			return 0;
	return 1;
}

/* Reads Instances.member.N.InstanceId into a NULL-terminated array. */
static int
instance_read(struct request *rq, int required, const char ***ids, int *n)
{
	unsigned *idx = NULL;
	*n = param_list(rq, "Instances", &idx);
	*ids = NULL;
	if (*n < 0)
		return -1;
	if (*n == 0 && required) {
		free(idx);
		return resp_error(rq, ERR_VALIDATION,
		                  "Instances cannot be empty: give "
		                  "Instances.member.1.InstanceId");
	}
	*ids = xcalloc((size_t)*n + 1, sizeof **ids);
	for (int i = 0; i < *n; i++) {
		const char *id;
		if (param_require(rq, &id, "Instances.member.%u.InstanceId",
		                  idx[i]) < 0)
			goto fail;
		if (!instance_id_ok(id)) {
			resp_error(rq, ERR_INVALID_INSTANCE,
			           "The instance ID '%s' is not valid: it must "
			           "be i- and 8 or 17 hex digits",
			           id);
			goto fail;
		}
		(*ids)[i] = id;
	}
	free(idx);
	return 0;
fail:
	free(idx);
	free(*ids);
	*ids = NULL;
	return -1;
}

static int
instance_list_one(void *ctx, const struct lb_instance *i)
{
	json_array_append_new(ctx,
	                      json_pack("{s:s}", "InstanceId", i->instance_id));
	return 0;
}

static int
instance_result(struct request *rq, const struct lb *lb)
{
	json_t *out = json_array();
	json_object_set_new(rq->result, "Instances", out);
	if (store_instance_each(rq->db, lb->id, instance_list_one, out) !=
	    STORE_OK)
		return resp_error(rq, ERR_INTERNAL, NULL);
	return 0;
}

struct zone_find {
	const char *zone;
	int found;
};

static int
zone_match(void *ctx, const char *zone)
{
	struct zone_find *f = ctx;
	f->found = strcmp(f->zone, zone) == 0;
	return f->found;
}

/* The instance must be the caller's and, if its zone is known, in a zone
 * the load balancer is enabled in. Registering twice is a no-op. */
static int
instance_register_one(struct request *rq, const struct lb *lb, const char *id)
{
	struct inventory_instance inv;
	int rc = store_inventory_instance_get(rq->db, rq->account_id, id, &inv);
	if (rc == STORE_NOT_FOUND)
		return resp_error(rq, ERR_INVALID_INSTANCE,
		                  "There is no instance %s in account %s (add "
		                  "it with: eulbd instance add)",
		                  id, rq->account_id);
	if (rc != STORE_OK)
		return resp_error(rq, ERR_INTERNAL, NULL);
	struct zone_find f = {inv.zone, 0};
	if (inv.zone && *inv.zone && !lb->vpc_id) {
		if (store_lb_list_each(rq->db, LB_LIST_ZONES, lb->id,
		                       zone_match, &f) != STORE_OK)
			rc = resp_error(rq, ERR_INTERNAL, NULL);
		else if (!f.found)
			rc = resp_error(rq, ERR_INVALID_CONFIGURATION,
			                "Instance %s is in zone %s, which is "
			                "not enabled for load balancer %s; "
			                "enable the zone first",
			                id, inv.zone, lb->name);
	}
	struct lb_instance reg = {(char *)id, STATE_OUT, REASON_ELB,
	                          DESCRIPTION_NEW};
	if (rc == STORE_OK) {
		int s = store_instance_add(rq->db, lb->id, &reg);
		if (s != STORE_OK && s != STORE_CONFLICT)
			rc = resp_error(rq, ERR_INTERNAL, NULL);
	}
	store_inventory_instance_free(&inv);
	return rc;
}

static int
instance_check_limit(struct request *rq)
{
	long n = 0;
	if (store_instance_count(rq->db, rq->account_id, request_region_key(rq),
	                         &n) != STORE_OK)
		return resp_error(rq, ERR_INTERNAL, NULL);
	if (n > rq->config->max_registered)
		return resp_error(rq, ERR_VALIDATION,
		                  "Account %s would have %ld registered "
		                  "instances; the limit is %ld "
		                  "(classic-registered-instances)",
		                  rq->account_id, n,
		                  rq->config->max_registered);
	return 0;
}

static int
instance_deregister_one(struct request *rq, const struct lb *lb, const char *id)
{
	int s = store_instance_remove(rq->db, lb->id, id);
	if (s == STORE_NOT_FOUND)
		return resp_error(rq, ERR_INVALID_INSTANCE,
		                  "Instance %s is not registered with load "
		                  "balancer %s",
		                  id, lb->name);
	return s == STORE_OK ? 0 : resp_error(rq, ERR_INTERNAL, NULL);
}

/* Register and deregister: apply one to each instance, then answer with
 * every instance still registered. */
static int
instance_change(struct request *rq,
                int (*one)(struct request *, const struct lb *, const char *))
{
	struct lb lb;
	const char **ids;
	int n;
	if (lb_lookup(rq, &lb) < 0)
		return -1;
	int rc = instance_read(rq, 1, &ids, &n);
	for (int i = 0; rc == 0 && i < n; i++)
		rc = one(rq, &lb, ids[i]);
	if (rc == 0 && one == instance_register_one)
		rc = instance_check_limit(rq);
	if (rc == 0)
		rc = instance_result(rq, &lb);
	free(ids);
	store_lb_free(&lb);
	return rc;
}

int
act_register_instances_with_load_balancer(struct request *rq)
{
	return instance_change(rq, instance_register_one);
}

int
act_deregister_instances_from_load_balancer(struct request *rq)
{
	return instance_change(rq, instance_deregister_one);
}

static json_t *
instance_state_json(const struct lb_instance *i)
{
	return json_pack("{s:s,s:s,s:s,s:s}", "InstanceId", i->instance_id,
	                 "State", i->state, "ReasonCode",
	                 i->reason_code ? i->reason_code : "N/A", "Description",
	                 i->description ? i->description : "N/A");
}

static int
instance_state_one(void *ctx, const struct lb_instance *i)
{
	json_array_append_new(ctx, instance_state_json(i));
	return 0;
}

int
act_describe_instance_health(struct request *rq)
{
	struct lb lb;
	const char **ids;
	int n;
	if (lb_lookup(rq, &lb) < 0)
		return -1;
	json_t *out = json_array();
	json_object_set_new(rq->result, "InstanceStates", out);
	int rc = instance_read(rq, 0, &ids, &n);
	if (rc == 0 && n == 0 &&
	    store_instance_each(rq->db, lb.id, instance_state_one, out) !=
	        STORE_OK)
		rc = resp_error(rq, ERR_INTERNAL, NULL);
	for (int i = 0; rc == 0 && i < n; i++) {
		struct lb_instance st;
		int s = store_instance_get(rq->db, lb.id, ids[i], &st);
		if (s == STORE_NOT_FOUND)
			rc = resp_error(rq, ERR_INVALID_INSTANCE,
			                "Instance %s is not registered with "
			                "load balancer %s",
			                ids[i], lb.name);
		else if (s != STORE_OK)
			rc = resp_error(rq, ERR_INTERNAL, NULL);
		else {
			json_array_append_new(out, instance_state_json(&st));
			store_instance_free(&st);
		}
	}
	free(ids);
	store_lb_free(&lb);
	return rc;
}
