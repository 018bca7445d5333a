#include "lb_describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "params.h"
#include "policy_types.h"

char *
lb_dns_name(const struct request *rq, const struct lb *lb)
{
	/* Outside the home region the region is part of the name, as in
	 * AWS's <name>-<id>.<region>.elb.amazonaws.com. */
	const char *region = request_region_key(rq);
	struct buf b = BUF_INIT;
	buf_printf(&b, "%s%s-%s.%s%slb.%s",
	           strcmp(lb->scheme, "internal") == 0 ? "internal-" : "",
	           lb->name, lb->account_id, region, *region ? "." : "",
	           rq->config->dns_domain);
	return buf_steal(&b);
}

const char *
lb_hosted_zone_id(const struct request *rq)
{
	const struct server_config *c = rq->config;
	int i = rq->region ? config_region_index(c, rq->region) : 0;
	return c->regions[i < 0 ? 0 : i].hosted_zone_id;
}

json_t *
lb_health_check_json(const struct lb *lb)
{
	return json_pack("{s:s,s:I,s:I,s:I,s:I}", "Target", lb->hc_target,
	                 "Interval", (json_int_t)lb->hc_interval, "Timeout",
	                 (json_int_t)lb->hc_timeout, "UnhealthyThreshold",
	                 (json_int_t)lb->hc_unhealthy, "HealthyThreshold",
	                 (json_int_t)lb->hc_healthy);
}

static int
describe_string(void *ctx, const char *value)
{
	json_array_append_new(ctx, json_string(value));
	return 0;
}

struct describe_ctx {
	struct request *rq;
	int64_t lb_id;
	json_t *out;
	int failed;
};

static int
describe_name(void *ctx, const char *name, const char *type)
{
	json_array_append_new(ctx, json_string(name));
	return 0;
}

static int
describe_listener(void *ctx, const struct listener *l)
{
	struct describe_ctx *d = ctx;
	json_t *listener = json_pack(
	    "{s:s,s:I,s:s,s:I}", "Protocol", l->protocol, "LoadBalancerPort",
	    (json_int_t)l->lb_port, "InstanceProtocol", l->instance_protocol,
	    "InstancePort", (json_int_t)l->instance_port);
	if (l->ssl_certificate_id)
		json_object_set_new(listener, "SSLCertificateId",
		                    json_string(l->ssl_certificate_id));
	json_t *names = json_array();
	if (store_listener_policy_each(d->rq->db, d->lb_id, l->lb_port,
	                               describe_name, names) != STORE_OK)
		d->failed = 1;
	json_array_append_new(
	    d->out,
	    json_pack("{s:o,s:o}", "Listener", listener, "PolicyNames", names));
	return d->failed;
}

/* Stickiness policies carry their one attribute into DescribeLoadBalancers. */
static int
describe_cookie_attr(void *ctx, const char *name, const char *value)
{
	json_t *j = ctx;
	if (strcmp(name, "CookieExpirationPeriod") == 0)
		json_object_set_new(j, name,
		                    json_integer(strtoll(value, NULL, 10)));
	else
		json_object_set_new(j, name, json_string(value));
	return 0;
}

static int
describe_policy_bucket(void *ctx, const struct policy *p)
{
	struct describe_ctx *d = ctx;
	const char *bucket = strcmp(p->type, POLICY_APP_COOKIE) == 0
	                         ? "AppCookieStickinessPolicies"
	                     : strcmp(p->type, POLICY_LB_COOKIE) == 0
	                         ? "LBCookieStickinessPolicies"
	                         : NULL;
	if (!bucket) {
		json_array_append_new(json_object_get(d->out, "OtherPolicies"),
		                      json_string(p->name));
		return 0;
	}
	json_t *j = json_pack("{s:s}", "PolicyName", p->name);
	json_array_append_new(json_object_get(d->out, bucket), j);
	if (store_policy_attr_each(d->rq->db, p->id, describe_cookie_attr, j) !=
	    STORE_OK)
		return -1;
	return 0;
}

static int
describe_backend(void *ctx, long instance_port, const char *name)
{
	json_t *out = ctx;
	size_t n = json_array_size(out);
	json_t *last = n ? json_array_get(out, n - 1) : NULL;
	if (!last || json_integer_value(json_object_get(
	                 last, "InstancePort")) != instance_port) {
		last = json_pack("{s:I,s:[]}", "InstancePort",
		                 (json_int_t)instance_port, "PolicyNames");
		json_array_append_new(out, last);
	}
	json_array_append_new(json_object_get(last, "PolicyNames"),
	                      json_string(name));
	return 0;
}

static json_t *
describe_policies(struct request *rq, int64_t lb_id)
{
	json_t *buckets =
	    json_pack("{s:[],s:[],s:[]}", "AppCookieStickinessPolicies",
	              "LBCookieStickinessPolicies", "OtherPolicies");
	struct describe_ctx d = {rq, lb_id, buckets, 0};
	if (store_policy_each(rq->db, lb_id, describe_policy_bucket, &d) !=
	    STORE_OK) {
		json_decref(buckets);
		return NULL;
	}
	return buckets;
}

static int
describe_instance(void *ctx, const struct lb_instance *i)
{
	json_array_append_new(ctx,
	                      json_pack("{s:s}", "InstanceId", i->instance_id));
	return 0;
}

static json_t *
describe_list(struct request *rq, enum lb_list which, int64_t lb_id)
{
	json_t *a = json_array();
	if (store_lb_list_each(rq->db, which, lb_id, describe_string, a) !=
	    STORE_OK) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* Every list wrapper is always emitted, empty or not: clients (moto's
 * tests, scripts) index them directly. */
json_t *
lb_describe(struct request *rq, const struct lb *lb)
{
	json_t *listeners = json_array(), *backends = json_array();
	struct describe_ctx d = {rq, lb->id, listeners, 0};
	json_t *zones = describe_list(rq, LB_LIST_ZONES, lb->id);
	json_t *subnets = describe_list(rq, LB_LIST_SUBNETS, lb->id);
	json_t *groups = describe_list(rq, LB_LIST_SECURITY_GROUPS, lb->id);
	json_t *policies = describe_policies(rq, lb->id);
	if (store_listener_each(rq->db, lb->id, describe_listener, &d) !=
	        STORE_OK ||
	    d.failed ||
	    store_backend_policy_each(rq->db, lb->id, describe_backend,
	                              backends) != STORE_OK ||
	    !zones || !subnets || !groups || !policies) {
		json_decref(listeners);
		json_decref(backends);
		json_decref(zones);
		json_decref(subnets);
		json_decref(groups);
		json_decref(policies);
		resp_error(rq, ERR_INTERNAL, NULL);
		return NULL;
	}
	char *dns = lb_dns_name(rq, lb);
	char group_name[128];
	snprintf(group_name, sizeof group_name, "euca-internal-%s-%s",
	         lb->account_id, lb->name);
	json_t *j = json_pack(
	    "{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "LoadBalancerName",
	    lb->name, "DNSName", dns, "CanonicalHostedZoneName", dns,
	    "CanonicalHostedZoneNameID", lb_hosted_zone_id(rq),
	    "ListenerDescriptions", listeners, "Policies", policies,
	    "BackendServerDescriptions", backends, "AvailabilityZones", zones,
	    "Subnets", subnets);
	free(dns);
	if (lb->vpc_id)
		json_object_set_new(j, "VPCId", json_string(lb->vpc_id));
	json_t *instances = json_array();
	json_object_set_new(j, "Instances", instances);
	if (store_instance_each(rq->db, lb->id, describe_instance, instances) !=
	    STORE_OK) {
		json_decref(j);
		resp_error(rq, ERR_INTERNAL, NULL);
		return NULL;
	}
	if (lb->hc_target)
		json_object_set_new(j, "HealthCheck", lb_health_check_json(lb));
	json_object_set_new(j, "SourceSecurityGroup",
	                    json_pack("{s:s,s:s}", "OwnerAlias",
	                              rq->config->system_account_id,
	                              "GroupName", group_name));
	json_object_set_new(j, "SecurityGroups", groups);
	json_object_set_new(j, "CreatedTime", json_string(lb->created_at));
	json_object_set_new(j, "Scheme", json_string(lb->scheme));
	return j;
}

int
lb_lookup(struct request *rq, struct lb *lb)
{
	const char *name = param_get(rq, "LoadBalancerName");
	int rc = store_lb_get(rq->db, rq->account_id, request_region_key(rq),
	                      name, lb);
	if (rc == STORE_NOT_FOUND)
		return resp_error(rq, ERR_LB_NOT_FOUND,
		                  "There is no ACTIVE Load Balancer named '%s'",
		                  name);
	return rc == STORE_OK ? 0 : resp_error(rq, ERR_INTERNAL, NULL);
}
