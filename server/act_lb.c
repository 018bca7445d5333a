/* CreateLoadBalancer, DeleteLoadBalancer, DescribeLoadBalancers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dispatch.h"
#include "emit.h"
#include "lb_describe.h"
#include "lb_listeners.h"
#include "lb_placement.h"
#include "params.h"
#include "store.h"
#include "tags.h"
#include "validate.h"

#define LB_MAX_PAGE_SIZE 400

/* Reads a list of strings "<name>.member.N" into store list `which`. */
static int
lb_store_list(struct request *rq, const char *name, enum lb_list which,
              int64_t lb_id)
{
	unsigned *idx = NULL;
	int n = param_list(rq, name, &idx);
	int rc = n < 0 ? -1 : 0;
	for (int i = 0; i < n && rc == 0; i++) {
		const char *v;
		if (param_require(rq, &v, "%s.member.%u", name, idx[i]) < 0) {
			rc = -1;
			break;
		}
		if (strlen(v) > 255) {
			rc = resp_error(rq, ERR_VALIDATION,
			                "%s.member.%u is longer than 255 "
			                "characters",
			                name, idx[i]);
			break;
		}
		int s = store_lb_list_add(rq->db, which, lb_id, v);
		if (s == STORE_CONFLICT)
			rc = resp_error(rq, ERR_VALIDATION,
			                "%s lists '%s' twice; give each once",
			                name, v);
		else if (s != STORE_OK)
			rc = resp_error(rq, ERR_INTERNAL, NULL);
	}
	free(idx);
	return rc;
}

/* Zones or subnets (a VPC load balancer), exactly one of the two;
 * security groups only with subnets. */
static int
lb_check_placement(struct request *rq, int *in_vpc)
{
	int zones = param_list_present(rq, "AvailabilityZones");
	*in_vpc = param_list_present(rq, "Subnets");
	if (zones && *in_vpc)
		return resp_error(rq, ERR_VALIDATION,
		                  "Only one of SubnetIds or AvailabilityZones "
		                  "may be specified");
	if (!*in_vpc && param_list_present(rq, "SecurityGroups"))
		return resp_error(rq, ERR_INVALID_CONFIGURATION,
		                  "Security groups can only be given for a "
		                  "load balancer in a VPC: give Subnets, not "
		                  "AvailabilityZones");
	if (*in_vpc)
		return 0;
	unsigned *idx = NULL;
	int n = param_list(rq, "AvailabilityZones", &idx);
	free(idx);
	if (n == 0)
		return resp_error(rq, ERR_VALIDATION,
		                  "A load balancer needs at least one "
		                  "availability zone or subnet: give "
		                  "AvailabilityZones.member.1 or "
		                  "Subnets.member.1");
	return n < 0 ? -1 : 0;
}

static int
lb_check_quota(struct request *rq)
{
	long n = 0;
	if (store_lb_count(rq->db, rq->account_id, request_region_key(rq),
	                   &n) != STORE_OK)
		return resp_error(rq, ERR_INTERNAL, NULL);
	if (n >= rq->config->max_load_balancers)
		return resp_error(rq, ERR_TOO_MANY_LBS,
		                  "Account %s already has %ld load balancers, "
		                  "its limit (classic-load-balancers)",
		                  rq->account_id, n);
	return 0;
}

/* Everything a new load balancer gets besides its row. */
static int
lb_create_parts(struct request *rq, struct lb *lb, int in_vpc,
                const struct listener_set *set)
{
	int rc;
	if (in_vpc) {
		rc = subnet_attach(rq, lb);
		if (rc == 0 && param_list_present(rq, "SecurityGroups"))
			rc = lb_set_security_groups(rq, lb);
	} else {
		rc = lb_store_list(rq, "AvailabilityZones", LB_LIST_ZONES,
		                   lb->id);
	}
	if (rc == 0)
		rc = lb_check_zone_limit(rq, lb);
	if (rc == 0)
		rc = listener_set_apply(rq, lb, set);
	if (rc == 0)
		rc = tags_apply(rq, lb);
	return rc;
}

static int
lb_read_scheme(struct request *rq, const char **scheme)
{
	const char *s = param_get(rq, "Scheme");
	if (!s || !*s || strcmp(s, "internet-facing") == 0) {
		*scheme = "internet-facing";
		return 0;
	}
	if (strcmp(s, "internal") == 0) {
		*scheme = "internal";
		return 0;
	}
	return resp_error(rq, ERR_INVALID_SCHEME,
	                  "Scheme '%s' is not valid; use internet-facing or "
	                  "internal",
	                  s);
}

int
act_create_load_balancer(struct request *rq)
{
	const char *name = param_get(rq, "LoadBalancerName");
	const char *scheme = NULL;
	int in_vpc;
	if (validate_lb_name(rq, name) < 0 || lb_read_scheme(rq, &scheme) < 0 ||
	    lb_check_placement(rq, &in_vpc) < 0 || lb_check_quota(rq) < 0)
		return -1;
	/* AWS: internal is for a VPC's load balancers (InvalidScheme);
	 * Eucalyptus refuses it on EC2-Classic too. */
	if (!in_vpc && strcmp(scheme, "internal") == 0)
		return resp_error(rq, ERR_INVALID_SCHEME,
		                  "The internal scheme is only for a load "
		                  "balancer in a VPC; give Subnets instead of "
		                  "AvailabilityZones, or leave Scheme out");
	struct listener_set set;
	if (listener_set_read(rq, &set) < 0)
		return -1;
	char now[32];
	store_now(now);
	struct lb lb = {
	    .name = (char *)name, .scheme = (char *)scheme, .created_at = now};
	memcpy(lb.account_id, rq->account_id, sizeof lb.account_id);
	int rc = store_lb_insert(rq->db, request_region_key(rq), &lb);
	if (rc == STORE_CONFLICT)
		rc = resp_error(rq, ERR_DUPLICATE_LB_NAME,
		                "The specified load balancer name already "
		                "exists for this account: %s",
		                name);
	else if (rc != STORE_OK)
		rc = resp_error(rq, ERR_INTERNAL, NULL);
	if (rc == 0)
		rc = lb_create_parts(rq, &lb, in_vpc, &set);
	if (rc == 0) {
		char *dns = lb_dns_name(rq, &lb);
		json_object_set_new(rq->result, "DNSName", json_string(dns));
		free(dns);
	}
	listener_set_free(&set);
	free(lb.hc_target); /* the fields not borrowed from the request */
	free(lb.vpc_id);
	return rc;
}

int
act_delete_load_balancer(struct request *rq)
{
	const char *name = param_get(rq, "LoadBalancerName");
	struct lb lb;
	int rc = store_lb_get(rq->db, rq->account_id, request_region_key(rq),
	                      name, &lb);
	if (rc == STORE_NOT_FOUND)
		return 0; /* AWS: deleting what isn't there succeeds */
	if (rc != STORE_OK)
		return resp_error(rq, ERR_INTERNAL, NULL);
	rc = store_lb_delete(rq->db, lb.id);
	store_lb_free(&lb);
	return rc == STORE_OK ? 0 : resp_error(rq, ERR_INTERNAL, NULL);
}

/* DescribeLoadBalancers streams its answer (emit.h): each description is
 * written while its rows are read, with no tree in between. */
static int
describe_named(struct request *rq, struct emit *e, unsigned *idx, int n)
{
	size_t bytes = 0;
	for (int i = 0; i < n; i++) {
		const char *name =
		    param_member(rq, "LoadBalancerNames", idx[i]);
		struct lb lb;
		if (!name)
			return -1;
		int rc = store_lb_get_described(
		    rq->db, rq->account_id, request_region_key(rq), name, &lb);
		if (rc == STORE_NOT_FOUND)
			return resp_error(rq, ERR_LB_NOT_FOUND,
			                  "Cannot find Load Balancer %s", name);
		if (rc != STORE_OK)
			return resp_error(rq, ERR_INTERNAL, NULL);
		rc = lb_describe_lbs(rq, e, &lb, 1, &bytes);
		store_lb_free(&lb);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return resp_error(rq, ERR_VALIDATION,
			                  "The descriptions would exceed %zu "
			                  "bytes, the most one answer holds; "
			                  "name fewer load balancers, or page "
			                  "through them without names",
			                  rq->config->max_response);
	}
	return 0;
}

/* A page ends early rather than grow past --max-response-bytes; it
 * always holds one load balancer. *next: the marker of the next page. */
static int
describe_paged(struct request *rq, struct emit *e, char **next)
{
	long page = LB_MAX_PAGE_SIZE;
	if (param_int(rq, &page, 1, LB_MAX_PAGE_SIZE, "PageSize") < 0)
		return -1;
	const char *marker = param_get(rq, "Marker");
	struct lb *rows;
	size_t n, bytes = 0;
	/* The extra row only proves there is a next page. */
	if (store_lb_page(rq->db, rq->account_id, request_region_key(rq),
	                  marker && *marker ? marker : NULL, page + 1,
	                  rq->config->max_response, &rows, &n) != STORE_OK)
		return resp_error(rq, ERR_INTERNAL, NULL);
	int done = lb_describe_lbs(rq, e, rows,
	                           n > (size_t)page ? (size_t)page : n, &bytes);
	if (done > 0 && (size_t)done < n)
		*next =
		    store_name_key(request_region_key(rq), rows[done - 1].name);
	store_lb_rows_free(rows, n);
	return done < 0 ? -1 : 0;
}

int
act_describe_load_balancers(struct request *rq)
{
	unsigned *idx = NULL;
	int n = param_list(rq, "LoadBalancerNames", &idx);
	if (n < 0)
		return -1;
	struct emit e;
	char *next = NULL;
	resp_stream_open(rq);
	emit_text(&e, &rq->stream, rq->want_json);
	emit_list(&e, "LoadBalancerDescriptions");
	int rc = n > 0 ? describe_named(rq, &e, idx, n)
	               : describe_paged(rq, &e, &next);
	emit_end(&e);
	if (next)
		emit_string(&e, "NextMarker", next);
	free(next);
	free(idx);
	return rc;
}

/* The limits are the server's (eulbd --max-*), reported as AWS does:
 * names of the classic limits, Max as a string. */
int
act_describe_account_limits(struct request *rq)
{
	long page = 400;
	if (param_int(rq, &page, 1, 400, "PageSize") < 0)
		return -1;
	const struct {
		const char *name;
		long max;
	} limits[] = {
	    {"classic-load-balancers", rq->config->max_load_balancers},
	    {"classic-listeners", rq->config->max_listeners},
	    {"classic-registered-instances", rq->config->max_registered},
	};
	const size_t count = sizeof limits / sizeof limits[0];
	/* Pages as DescribeLoadBalancers does: the marker is the last name
	 * of the page before. */
	const char *marker = param_get(rq, "Marker");
	size_t first = 0;
	if (marker && *marker) {
		while (first < count && strcmp(limits[first].name, marker) != 0)
			first++;
		if (first == count)
			return resp_error(rq, ERR_VALIDATION,
			                  "Marker '%s' is not a NextMarker of "
			                  "DescribeAccountLimits",
			                  marker);
		first++;
	}
	json_t *out = json_array();
	size_t end =
	    first + (size_t)page < count ? first + (size_t)page : count;
	for (size_t i = first; i < end; i++) {
		char max[32];
		snprintf(max, sizeof max, "%ld", limits[i].max);
		json_array_append_new(
		    out,
		    json_pack("{s:s,s:s}", "Name", limits[i].name, "Max", max));
	}
	json_object_set_new(rq->result, "Limits", out);
	if (end < count)
		json_object_set_new(rq->result, "NextMarker",
		                    json_string(limits[end - 1].name));
	return 0;
}
