#include "lb_describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

char *
lb_dns_name(const struct request *rq, const struct lb *lb)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, "%s%s-%s.lb.%s",
		   strcmp(lb->scheme, "internal") == 0 ? "internal-" : "",
		   lb->name, lb->account_id, rq->config->dns_domain);
	return buf_steal(&b);
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

static int
describe_listener(void *ctx, const struct listener *l)
{
	json_t *listener = json_pack(
		"{s:s,s:I,s:s,s:I}", "Protocol", l->protocol,
		"LoadBalancerPort", (json_int_t)l->lb_port, "InstanceProtocol",
		l->instance_protocol, "InstancePort",
		(json_int_t)l->instance_port);
	if (l->ssl_certificate_id)
		json_object_set_new(listener, "SSLCertificateId",
				    json_string(l->ssl_certificate_id));
	json_array_append_new(ctx, json_pack("{s:o,s:[]}", "Listener", listener,
					     "PolicyNames"));
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

/* Policies, backend descriptions and instances are empty until the
 * actions that fill them exist; the wrappers are always emitted because
 * clients index them directly. */
json_t *
lb_describe(struct request *rq, const struct lb *lb)
{
	json_t *listeners = json_array();
	json_t *zones = describe_list(rq, LB_LIST_ZONES, lb->id);
	json_t *subnets = describe_list(rq, LB_LIST_SUBNETS, lb->id);
	json_t *groups = describe_list(rq, LB_LIST_SECURITY_GROUPS, lb->id);
	if (store_listener_each(rq->db, lb->id, describe_listener, listeners) !=
		    STORE_OK ||
	    !zones || !subnets || !groups) {
		json_decref(listeners);
		json_decref(zones);
		json_decref(subnets);
		json_decref(groups);
		resp_error(rq, ERR_INTERNAL, NULL);
		return NULL;
	}
	char *dns = lb_dns_name(rq, lb);
	char group_name[128];
	snprintf(group_name, sizeof group_name, "euca-internal-%s-%s",
		 lb->account_id, lb->name);
	json_t *d = json_pack(
		"{s:s,s:s,s:o,s:{s:[],s:[],s:[]},s:[],s:o,s:o}",
		"LoadBalancerName", lb->name, "DNSName", dns,
		"ListenerDescriptions", listeners, "Policies",
		"AppCookieStickinessPolicies", "LBCookieStickinessPolicies",
		"OtherPolicies", "BackendServerDescriptions",
		"AvailabilityZones", zones, "Subnets", subnets);
	free(dns);
	if (lb->vpc_id)
		json_object_set_new(d, "VPCId", json_string(lb->vpc_id));
	json_object_set_new(d, "Instances", json_array());
	if (lb->hc_target)
		json_object_set_new(d, "HealthCheck", lb_health_check_json(lb));
	json_object_set_new(d, "SourceSecurityGroup",
			    json_pack("{s:s,s:s}", "OwnerAlias",
				      rq->config->system_account_id,
				      "GroupName", group_name));
	json_object_set_new(d, "SecurityGroups", groups);
	json_object_set_new(d, "CreatedTime", json_string(lb->created_at));
	json_object_set_new(d, "Scheme", json_string(lb->scheme));
	return d;
}
