/*
 * eulb-describe-lbs: LOAD_BALANCER lines, 5 fields or 19 with --show-long
 * (reference/euca2ools-cli.md 3.2). The sub-formats and their rules for
 * missing and empty elements are those of euca2ools 3.4.
 */
#include "cli.h"
#include "output.h"

#include <string.h>

struct key_name {
	const char *name; /* as printed */
	const char *key;  /* response element */
};

static const struct key_name health_check_keys[] = {
    {"interval", "Interval"},
    {"target", "Target"},
    {"timeout", "Timeout"},
    {"healthy-threshold", "HealthyThreshold"},
    {"unhealthy-threshold", "UnhealthyThreshold"},
};

static const struct key_name listener_keys[] = {
    {"protocol", "Protocol"},
    {"lb-port", "LoadBalancerPort"},
    {"instance-protocol", "InstanceProtocol"},
    {"instance-port", "InstancePort"},
    {"cert-id", "SSLCertificateId"},
};

/* "name=value" for every non-empty element, ','-joined. */
static void
keyed_values(struct buf *b, json_t *obj, const struct key_name *keys, size_t n)
{
	size_t start = b->len;
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(obj, keys[i].key);
		if (out_empty(v))
			continue;
		if (b->len > start)
			buf_putc(b, ',');
		buf_printf(b, "%s=", keys[i].name);
		out_value(b, v);
	}
}

/* The items (or each item's subkey element) of a list, ','-joined. */
static void
join_list(struct buf *b, json_t *list, const char *subkey)
{
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item)
	{
		if (i)
			buf_putc(b, ',');
		out_value(b, subkey && json_is_object(item)
		                 ? json_object_get(item, subkey)
		                 : item);
	}
}

/* "{a,b}" for a non-empty list, nothing otherwise. */
static void
braced_list(struct buf *b, json_t *list)
{
	if (out_empty(list))
		return;
	buf_putc(b, '{');
	join_list(b, list, NULL);
	buf_putc(b, '}');
}

static void
health_check(struct buf *b, json_t *desc)
{
	struct buf bits = BUF_INIT;
	keyed_values(&bits, json_object_get(desc, "HealthCheck"),
	             health_check_keys,
	             sizeof health_check_keys / sizeof *health_check_keys);
	if (bits.len)
		buf_printf(b, "{%s}", buf_str(&bits));
	buf_free(&bits);
}

/* {protocol=P,lb-port=N,...[,{policy,...}]} per listener. */
static void
listeners(struct buf *b, json_t *desc)
{
	size_t i;
	json_t *ld;
	json_array_foreach(json_object_get(desc, "ListenerDescriptions"), i, ld)
	{
		json_t *policies = json_object_get(ld, "PolicyNames");
		size_t start = b->len + (i ? 1 : 0);
		buf_puts(b, i ? ",{" : "{");
		keyed_values(b, json_object_get(ld, "Listener"), listener_keys,
		             sizeof listener_keys / sizeof *listener_keys);
		if (!out_empty(policies)) {
			if (b->len > start + 1)
				buf_putc(b, ',');
			braced_list(b, policies);
		}
		buf_putc(b, '}');
	}
}

/* Present but empty PolicyNames still prints "policies={}". */
static void
backends(struct buf *b, json_t *desc)
{
	size_t i;
	json_t *bd;
	json_array_foreach(json_object_get(desc, "BackendServerDescriptions"),
	                   i, bd)
	{
		json_t *port = json_object_get(bd, "InstancePort");
		json_t *policies = json_object_get(bd, "PolicyNames");
		buf_puts(b, i ? ",{" : "{");
		if (port && !json_is_null(port)) {
			buf_puts(b, "instance-port=");
			out_value(b, port);
		}
		if (policies && !json_is_null(policies)) {
			buf_printf(b, "%spolicies={",
			           port && !json_is_null(port) ? "," : "");
			join_list(b, policies, NULL);
			buf_putc(b, '}');
		}
		buf_putc(b, '}');
	}
}

static void
cookie_policies(struct buf *b, json_t *desc, const char *type, const char *name,
                const char *key)
{
	size_t i;
	json_t *p;
	json_t *list = json_object_get(json_object_get(desc, "Policies"), type);
	json_array_foreach(list, i, p)
	{
		buf_puts(b, i ? ",{policy-name=" : "{policy-name=");
		out_value_or_none(b, json_object_get(p, "PolicyName"));
		buf_printf(b, ",%s=", name);
		out_value_or_none(b, json_object_get(p, key));
		buf_putc(b, '}');
	}
}

/* A missing sub-element prints as empty, an empty one as "{}". */
static void
source_group(struct buf *b, json_t *desc)
{
	json_t *g = json_object_get(desc, "SourceSecurityGroup");
	if (out_empty(g))
		return;
	buf_puts(b, "{owner-alias=");
	out_value(b, json_object_get(g, "OwnerAlias"));
	buf_puts(b, ",group-name=");
	out_value(b, json_object_get(g, "GroupName"));
	buf_putc(b, '}');
}

static void
long_fields(struct out_line *l, json_t *desc)
{
	struct buf b = BUF_INIT;

	out_field_json(l, json_object_get(desc, "CanonicalHostedZoneName"));
	out_field_json(l, json_object_get(desc, "CanonicalHostedZoneNameID"));
	health_check(&b, desc);
	out_field_buf(l, &b);
	join_list(&b, json_object_get(desc, "AvailabilityZones"), NULL);
	out_field_buf(l, &b);
	join_list(&b, json_object_get(desc, "Subnets"), NULL);
	out_field_buf(l, &b);
	out_field_json(l, json_object_get(desc, "VPCId"));
	join_list(&b, json_object_get(desc, "Instances"), "InstanceId");
	out_field_buf(l, &b);
	listeners(&b, desc);
	out_field_buf(l, &b);
	backends(&b, desc);
	out_field_buf(l, &b);
	cookie_policies(&b, desc, "AppCookieStickinessPolicies", "cookie-name",
	                "CookieName");
	out_field_buf(l, &b);
	cookie_policies(&b, desc, "LBCookieStickinessPolicies",
	                "expiration-period", "CookieExpirationPeriod");
	out_field_buf(l, &b);
	braced_list(&b, json_object_get(json_object_get(desc, "Policies"),
	                                "OtherPolicies"));
	out_field_buf(l, &b);
	source_group(&b, desc);
	out_field_buf(l, &b);
	braced_list(&b, json_object_get(desc, "SecurityGroups"));
	out_field_buf(l, &b);
}

int
print_load_balancers(const struct cli_print_ctx *ctx, json_t *result)
{
	int show_long = opt_get_flag(ctx->args, "show-long");
	size_t i;
	json_t *desc;

	json_array_foreach(json_object_get(result, "LoadBalancerDescriptions"),
	                   i, desc)
	{
		struct out_line l = OUT_LINE_INIT;
		out_field(&l, "LOAD_BALANCER");
		out_field_json(&l, json_object_get(desc, "LoadBalancerName"));
		out_field_json(&l, json_object_get(desc, "DNSName"));
		if (show_long)
			long_fields(&l, desc);
		out_field_json(&l, json_object_get(desc, "CreatedTime"));
		out_field_json(&l, json_object_get(desc, "Scheme"));
		out_print(&l, ctx->show_empty);
	}
	return 0;
}
