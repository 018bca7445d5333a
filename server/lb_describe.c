#include "lb_describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "emit.h"
#include "lb_stored.h"
#include "params.h"

char *
lb_dns_name(const struct request *rq, const struct lb *lb)
{
	/* Outside the home region the region is part of the name, as in
	 * AWS's <name>-<id>.<region>.elb.amazonaws.com. */
	const char *region = request_region_key(rq);
	struct buf b = BUF_INIT;
	/* "%s%s-%s.%s%slb.%s" without printf: a page names 400 of them. */
	if (strcmp(lb->scheme, "internal") == 0)
		buf_puts(&b, "internal-");
	buf_puts(&b, lb->name);
	buf_putc(&b, '-');
	buf_puts(&b, lb->account_id);
	buf_putc(&b, '.');
	if (*region) {
		buf_puts(&b, region);
		buf_putc(&b, '.');
	}
	buf_puts(&b, "lb.");
	buf_puts(&b, rq->config->dns_domain);
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

/* A list of strings: zones, subnets or security groups. */
static int
describe_strings(struct emit *e, struct store_page *pg, enum lb_part part,
                 const char *name, int64_t id)
{
	int rc;
	emit_list(e, name);
	while ((rc = store_page_peek(pg, part, id)) == 1) {
		emit_string(e, "member", store_page_text(pg, part, 1));
		store_page_next(pg, part);
	}
	emit_end(e);
	return rc;
}

static void
describe_listener(struct emit *e, struct store_page *pg)
{
	const enum lb_part L = LB_PART_LISTENERS;
	const char *cert = store_page_text(pg, L, 5);
	emit_object(e, "Listener");
	emit_string(e, "Protocol", store_page_text(pg, L, 2));
	emit_int(e, "LoadBalancerPort", store_page_int(pg, L, 1));
	emit_string(e, "InstanceProtocol", store_page_text(pg, L, 4));
	emit_int(e, "InstancePort", store_page_int(pg, L, 3));
	if (cert)
		emit_string(e, "SSLCertificateId", cert);
	emit_end(e);
}

/* A row per policy of each listener (or one without a policy). */
static int
describe_listeners(struct emit *e, struct store_page *pg, int64_t id)
{
	const enum lb_part L = LB_PART_LISTENERS;
	long port = -1;
	int rc;
	emit_list(e, "ListenerDescriptions");
	while ((rc = store_page_peek(pg, L, id)) == 1) {
		if (store_page_int(pg, L, 1) != port) {
			if (port >= 0) {
				emit_end(e); /* PolicyNames */
				emit_end(e); /* member */
			}
			port = store_page_int(pg, L, 1);
			emit_object(e, "member");
			describe_listener(e, pg);
			emit_list(e, "PolicyNames");
		}
		const char *policy = store_page_text(pg, L, 6);
		if (policy)
			emit_string(e, "member", policy);
		store_page_next(pg, L);
	}
	if (port >= 0) {
		emit_end(e);
		emit_end(e);
	}
	emit_end(e);
	return rc;
}

/* One bucket of the policies: stickiness policies as objects carrying
 * their attribute (CookieExpirationPeriod a number), the others as names.
 * A stickiness policy has a row per attribute. */
static int
describe_bucket(struct emit *e, struct store_page *pg, int64_t id, long bucket,
                const char *name)
{
	const enum lb_part P = LB_PART_POLICIES;
	long policy = -1;
	int rc;
	emit_list(e, name);
	while ((rc = store_page_peek(pg, P, id)) == 1 &&
	       store_page_int(pg, P, 1) == bucket) {
		if (bucket == 2) {
			emit_string(e, "member", store_page_text(pg, P, 3));
			store_page_next(pg, P);
			continue;
		}
		if (store_page_int(pg, P, 2) != policy) {
			if (policy >= 0)
				emit_end(e);
			policy = store_page_int(pg, P, 2);
			emit_object(e, "member");
			emit_string(e, "PolicyName", store_page_text(pg, P, 3));
		}
		const char *attr = store_page_text(pg, P, 4);
		const char *value = store_page_text(pg, P, 5);
		if (attr && strcmp(attr, "CookieExpirationPeriod") == 0)
			emit_int(e, attr, strtoll(value, NULL, 10));
		else if (attr)
			emit_string(e, attr, value);
		store_page_next(pg, P);
	}
	if (policy >= 0)
		emit_end(e);
	emit_end(e);
	return rc < 0 ? -1 : 0;
}

static int
describe_policies(struct emit *e, struct store_page *pg, int64_t id)
{
	emit_object(e, "Policies");
	int rc = describe_bucket(e, pg, id, 0, "AppCookieStickinessPolicies");
	if (rc == 0)
		rc =
		    describe_bucket(e, pg, id, 1, "LBCookieStickinessPolicies");
	if (rc == 0)
		rc = describe_bucket(e, pg, id, 2, "OtherPolicies");
	emit_end(e);
	return rc;
}

/* Back-end policies, grouped by instance port. */
static int
describe_backends(struct emit *e, struct store_page *pg, int64_t id)
{
	const enum lb_part B = LB_PART_BACKENDS;
	long port = -1;
	int rc;
	emit_list(e, "BackendServerDescriptions");
	while ((rc = store_page_peek(pg, B, id)) == 1) {
		if (store_page_int(pg, B, 1) != port) {
			if (port >= 0) {
				emit_end(e);
				emit_end(e);
			}
			port = store_page_int(pg, B, 1);
			emit_object(e, "member");
			emit_int(e, "InstancePort", port);
			emit_list(e, "PolicyNames");
		}
		emit_string(e, "member", store_page_text(pg, B, 2));
		store_page_next(pg, B);
	}
	if (port >= 0) {
		emit_end(e);
		emit_end(e);
	}
	emit_end(e);
	return rc;
}

static int
describe_instances(struct emit *e, struct store_page *pg, int64_t id)
{
	int rc;
	emit_list(e, "Instances");
	while ((rc = store_page_peek(pg, LB_PART_INSTANCES, id)) == 1) {
		emit_object(e, "member");
		emit_string(e, "InstanceId",
		            store_page_text(pg, LB_PART_INSTANCES, 1));
		emit_end(e);
		store_page_next(pg, LB_PART_INSTANCES);
	}
	emit_end(e);
	return rc;
}

static void
describe_health_check(struct emit *e, const struct lb *lb)
{
	emit_object(e, "HealthCheck");
	emit_string(e, "Target", lb->hc_target);
	emit_int(e, "Interval", lb->hc_interval);
	emit_int(e, "Timeout", lb->hc_timeout);
	emit_int(e, "UnhealthyThreshold", lb->hc_unhealthy);
	emit_int(e, "HealthyThreshold", lb->hc_healthy);
	emit_end(e);
}

/* One member of LoadBalancerDescriptions. Every list wrapper is always
 * emitted, empty or not: clients (moto's tests, scripts) index them
 * directly. */
static int
describe_one(struct request *rq, struct emit *e, struct store_page *pg,
             const struct lb *lb)
{
	char *dns = lb_dns_name(rq, lb);
	char group_name[128];
	str_cat(group_name, sizeof group_name, "euca-internal-", lb->account_id,
	        "-", lb->name, NULL);
	emit_object(e, "member");
	emit_string(e, "LoadBalancerName", lb->name);
	emit_string(e, "DNSName", dns);
	emit_string(e, "CanonicalHostedZoneName", dns);
	emit_string(e, "CanonicalHostedZoneNameID", lb_hosted_zone_id(rq));
	free(dns);
	int rc = describe_listeners(e, pg, lb->id);
	if (rc >= 0)
		rc = describe_policies(e, pg, lb->id);
	if (rc >= 0)
		rc = describe_backends(e, pg, lb->id);
	if (rc >= 0)
		rc = describe_strings(e, pg, LB_PART_ZONES, "AvailabilityZones",
		                      lb->id);
	if (rc >= 0)
		rc =
		    describe_strings(e, pg, LB_PART_SUBNETS, "Subnets", lb->id);
	if (rc >= 0 && lb->vpc_id)
		emit_string(e, "VPCId", lb->vpc_id);
	if (rc >= 0)
		rc = describe_instances(e, pg, lb->id);
	if (rc >= 0 && lb->hc_target)
		describe_health_check(e, lb);
	emit_object(e, "SourceSecurityGroup");
	emit_string(e, "OwnerAlias", rq->config->system_account_id);
	emit_string(e, "GroupName", group_name);
	emit_end(e);
	if (rc >= 0)
		rc = describe_strings(e, pg, LB_PART_GROUPS, "SecurityGroups",
		                      lb->id);
	emit_string(e, "CreatedTime", lb->created_at);
	emit_string(e, "Scheme", lb->scheme);
	emit_end(e);
	return rc < 0 ? -1 : 0;
}

/* The lists lb's description reads: its subnets' zones are its zones. */
static unsigned
lb_describe_lists(const struct lb *lb)
{
	unsigned lists = lb->lists;
	if (lists & LB_PART_BIT(LB_PART_SUBNETS))
		lists |= LB_PART_BIT(LB_PART_ZONES);
	return lists;
}

/* Whether every one of lbs has its stored description, and e wants XML. */
static int
lb_described(const struct emit *e, const struct lb *lbs, size_t n)
{
	if (e->kind != EMIT_XML)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!lbs[i].described || !*lbs[i].described)
			return 0;
	return 1;
}

int
lb_describe_lbs(struct request *rq, struct emit *e, const struct lb *lbs,
                size_t n, size_t *bytes)
{
	if (n == 0)
		return 0;
	/* Stored descriptions are used only when all of the page has
	 * one: the page's statements walk every load balancer in it. */
	struct store_page *pg = NULL;
	if (!lb_described(e, lbs, n)) {
		if (e->kind == EMIT_XML)
			lb_stored_want(lbs, n);
		unsigned lists = 0;
		for (size_t i = 0; i < n; i++)
			lists |= lb_describe_lists(&lbs[i]);
		if (n == 1) {
			pg = store_page_open_one(rq->db, lbs[0].id, lists);
		} else {
			const char *region = request_region_key(rq);
			char *first = store_name_key(region, lbs[0].name);
			char *last = store_name_key(region, lbs[n - 1].name);
			/* The load balancers' account: the data plane's is
			 * not. */
			pg = store_page_open(rq->db, lbs[0].account_id, region,
			                     first, last, lists);
			free(first);
			free(last);
		}
	}
	size_t done = 0;
	int rc = 0;
	while (done < n) {
		struct emit_mark m;
		emit_mark(e, &m);
		if (pg)
			rc = describe_one(rq, e, pg, &lbs[done]);
		else
			emit_xml_item(e, lbs[done].described,
			              lbs[done].described_bound);
		size_t size = e->bound - m.bound;
		if (rc < 0)
			break;
		if (*bytes && *bytes + size > rq->config->max_response) {
			emit_rollback(e, &m);
			break;
		}
		*bytes += size;
		done++;
	}
	store_page_close(pg);
	if (rc < 0)
		return resp_error(rq, ERR_INTERNAL, NULL);
	return (int)done;
}

int
lb_describe_render(const struct server_config *c, struct db *db,
                   const struct lb *lb, struct emit *e)
{
	struct request rq = {.config = c, .db = db};
	/* request_region_key tells the home region by its pointer. A
	 * region no longer served keeps its key; the hosted zone then is
	 * the home region's (lb_stored.c renders every description again
	 * when the configuration changes). */
	if (*lb->region) {
		int i = config_region_index(c, lb->region);
		rq.region = i >= 0 ? c->regions[i].name : lb->region;
	}
	struct store_page *pg =
	    store_page_open_one(db, lb->id, lb_describe_lists(lb));
	int rc = describe_one(&rq, e, pg, lb);
	store_page_close(pg);
	return rc;
}

json_t *
lb_describe(struct request *rq, const struct lb *lb)
{
	json_t *root = json_object();
	struct emit e;
	size_t bytes = 0;
	emit_tree(&e, root);
	emit_list(&e, "LoadBalancerDescriptions");
	int rc = lb_describe_lbs(rq, &e, lb, 1, &bytes);
	emit_end(&e);
	json_t *list = json_object_get(root, "LoadBalancerDescriptions");
	json_t *d = rc == 1 ? json_array_get(list, 0) : NULL;
	json_incref(d);
	json_decref(root);
	return d;
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
