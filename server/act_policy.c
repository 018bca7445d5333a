/* Policy actions: create, delete, describe, and attach to listeners and
 * back-end ports. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dispatch.h"
#include "lb_describe.h"
#include "params.h"
#include "policy.h"
#include "policy_types.h"
#include "validate.h"

/* A PublicKey is stored trimmed: a PEM pasted with its final newline or a
 * stray indent is the same key. The value is the request's own copy. */
static const char *
policy_trim_key(const struct policy_attr *a, const char *value)
{
	if (strcmp(a->name, "PublicKey") != 0)
		return value;
	char *v = (char *)value;
	while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
		v++;
	size_t n = strlen(v);
	while (n && strchr(" \t\n\r", v[n - 1]))
		v[--n] = '\0';
	return v;
}

/* Reads PolicyAttributes.member.N.{AttributeName,AttributeValue}. An
 * absent value is empty (euca2ools drops empty values). */
static int
policy_read_attrs(struct request *rq, struct policy_attr **out, size_t *n)
{
	unsigned *idx = NULL;
	int count = param_list(rq, "PolicyAttributes", &idx);
	*out = NULL;
	*n = 0;
	if (count <= 0)
		return count;
	*out = xcalloc((size_t)count, sizeof **out);
	for (int i = 0; i < count; i++) {
		const char *v;
		if (param_require(rq, &(*out)[i].name,
		                  "PolicyAttributes.member.%u.AttributeName",
		                  idx[i]) < 0) {
			free(idx);
			free(*out);
			*out = NULL;
			return -1;
		}
		v = param_get(rq, "PolicyAttributes.member.%u.AttributeValue",
		              idx[i]);
		(*out)[i].value = v ? policy_trim_key(&(*out)[i], v) : "";
	}
	*n = (size_t)count;
	free(idx);
	return 0;
}

int
act_create_load_balancer_policy(struct request *rq)
{
	struct lb lb;
	const char *name = param_get(rq, "PolicyName");
	if (policy_check_user_name(rq, name) < 0 || lb_lookup(rq, &lb) < 0)
		return -1;
	if (policy_check_quota(rq, &lb) < 0) {
		store_lb_free(&lb);
		return -1;
	}
	struct policy_attr *attrs;
	size_t n;
	int rc = policy_read_attrs(rq, &attrs, &n);
	if (rc == 0)
		rc = policy_create(rq, &lb, name,
		                   param_get(rq, "PolicyTypeName"), attrs, n);
	free(attrs);
	store_lb_free(&lb);
	return rc;
}

static int
policy_create_one(struct request *rq, const char *type, const char *attr,
                  const char *value)
{
	struct lb lb;
	const char *name = param_get(rq, "PolicyName");
	if (policy_check_user_name(rq, name) < 0 || lb_lookup(rq, &lb) < 0)
		return -1;
	struct policy_attr a = {attr, value};
	int rc = policy_check_quota(rq, &lb);
	if (rc == 0)
		rc = policy_create(rq, &lb, name, type, &a, value ? 1 : 0);
	store_lb_free(&lb);
	return rc;
}

int
act_create_app_cookie_stickiness_policy(struct request *rq)
{
	return policy_create_one(rq, POLICY_APP_COOKIE, "CookieName",
	                         param_get(rq, "CookieName"));
}

int
act_create_lb_cookie_stickiness_policy(struct request *rq)
{
	const char *period = param_get(rq, "CookieExpirationPeriod");
	long n;
	/* The operation's own Long parameter: not a number is a 400, as for
	 * any other; a number HAProxy cannot take is the policy's 409. */
	if (period && *period &&
	    param_int(rq, &n, LONG_MIN, LONG_MAX, "CookieExpirationPeriod") < 0)
		return -1;
	return policy_create_one(rq, POLICY_LB_COOKIE, "CookieExpirationPeriod",
	                         period && *period ? period : NULL);
}

int
act_delete_load_balancer_policy(struct request *rq)
{
	struct lb lb;
	struct policy p;
	if (lb_lookup(rq, &lb) < 0)
		return -1;
	int in_use = 0, rc = store_policy_get(rq->db, lb.id,
	                                      param_get(rq, "PolicyName"), &p);
	if (rc == STORE_NOT_FOUND) {
		store_lb_free(&lb);
		return 0; /* already gone: the wanted state */
	}
	if (rc != STORE_OK || store_policy_in_use(rq->db, lb.id, &p, &in_use))
		rc = resp_error(rq, ERR_INTERNAL, NULL);
	else if (in_use)
		rc = resp_error(rq, ERR_INVALID_CONFIGURATION,
		                "You cannot delete policy [%s] since it is "
		                "enabled or referred by other enabled policy.",
		                p.name);
	else if (store_policy_delete(rq->db, p.id) != STORE_OK)
		rc = resp_error(rq, ERR_INTERNAL, NULL);
	store_policy_free(&p);
	store_lb_free(&lb);
	return rc;
}

/* --- describing ------------------------------------------------------ */

/* Eucalyptus's two sample stickiness policies, listed before the security
 * policies when no load balancer is named (elb-api.md, "Sample
 * policies"). AWS's two ELBSample cipher policies are not here: no
 * source gives their attributes. */
static const struct {
	const char *name, *type, *attr, *value;
} sample_policies[] = {
    {"ELBSample-AppCookieStickinessPolicy", POLICY_APP_COOKIE, "CookieName",
     "ELBSampleCookie"},
    {"ELBSample-LBCookieStickinessPolicy", POLICY_LB_COOKIE,
     "CookieExpirationPeriod", "100"},
};
#define SAMPLE_POLICY_COUNT (sizeof sample_policies / sizeof sample_policies[0])

static json_t *
describe_sample(size_t i)
{
	json_t *attrs = json_array();
	policy_attr_json(attrs, sample_policies[i].attr,
	                 sample_policies[i].value);
	return json_pack("{s:s,s:s,s:o}", "PolicyName", sample_policies[i].name,
	                 "PolicyTypeName", sample_policies[i].type,
	                 "PolicyAttributeDescriptions", attrs);
}

static json_t *
describe_predefined(const struct predefined_policy *pp)
{
	const struct policy_type *t = policy_type_find(POLICY_SSL_NEGOTIATION);
	json_t *attrs = json_array();
	for (size_t i = 0; i < t->nattrs; i++)
		if (strcmp(t->attrs[i].name, POLICY_REFERENCE_ATTR) != 0)
			policy_attr_json(
			    attrs, t->attrs[i].name,
			    predefined_policy_value(pp, t->attrs[i].name));
	return json_pack("{s:s,s:s,s:o}", "PolicyName", pp->name,
	                 "PolicyTypeName", POLICY_SSL_NEGOTIATION,
	                 "PolicyAttributeDescriptions", attrs);
}

/* An answer's policies; their size is bounded: DescribeLoadBalancerPolicies
 * has no pages, and PolicyNames may repeat a name. */
struct describe_all {
	struct request *rq;
	json_t *out;
	size_t bytes;
};

static int
describe_add(struct describe_all *d, json_t *j)
{
	if (!j)
		return resp_error(d->rq, ERR_INTERNAL, NULL);
	size_t size = resp_size_bound("member", j);
	if (d->bytes && d->bytes + size > d->rq->config->max_response) {
		json_decref(j);
		return resp_error(
		    d->rq, ERR_VALIDATION,
		    "The descriptions would exceed %zu bytes, the "
		    "most one answer holds; name fewer in "
		    "PolicyNames or PolicyTypeNames",
		    d->rq->config->max_response);
	}
	d->bytes += size;
	json_array_append_new(d->out, j);
	return 0;
}

static int
describe_all_row(void *ctx, const struct policy *p)
{
	struct describe_all *d = ctx;
	return describe_add(d, policy_describe(d->rq, p));
}

static int
describe_named_policy(struct describe_all *d, const struct lb *lb,
                      const char *name)
{
	if (!lb) {
		for (size_t i = 0; i < SAMPLE_POLICY_COUNT; i++)
			if (strcmp(sample_policies[i].name, name) == 0)
				return describe_add(d, describe_sample(i));
		const struct predefined_policy *pp =
		    predefined_policy_find(name);
		if (!pp)
			return resp_error(d->rq, ERR_POLICY_NOT_FOUND,
			                  "There is no predefined policy with "
			                  "name %s",
			                  name);
		return describe_add(d, describe_predefined(pp));
	}
	struct policy p;
	if (policy_lookup(d->rq, lb, name, &p) < 0)
		return -1;
	json_t *j = policy_describe(d->rq, &p);
	store_policy_free(&p);
	return describe_add(d, j);
}

static int
describe_policies(struct request *rq, const struct lb *lb, json_t *out)
{
	struct describe_all d = {rq, out, 0};
	unsigned *idx = NULL;
	int n = param_list(rq, "PolicyNames", &idx);
	int rc = n < 0 ? -1 : 0;
	for (int i = 0; i < n && rc == 0; i++) {
		const char *name = param_member(rq, "PolicyNames", idx[i]);
		rc = name ? describe_named_policy(&d, lb, name) : -1;
	}
	free(idx);
	if (n != 0)
		return rc;
	if (!lb) {
		/* A fixed set of about 90 KB: never over the bound. */
		for (size_t i = 0; i < SAMPLE_POLICY_COUNT; i++)
			json_array_append_new(out, describe_sample(i));
		for (size_t i = 0; i < predefined_policy_count; i++)
			json_array_append_new(
			    out, describe_predefined(&predefined_policies[i]));
		return 0;
	}
	if (store_policy_each(rq->db, lb->id, describe_all_row, &d) != STORE_OK)
		return rq->status ? -1 : resp_error(rq, ERR_INTERNAL, NULL);
	return 0;
}

/* With a load balancer: its policies; without: the predefined ones. */
int
act_describe_load_balancer_policies(struct request *rq)
{
	json_t *out = json_array();
	json_object_set_new(rq->result, "PolicyDescriptions", out);
	const char *name = param_get(rq, "LoadBalancerName");
	if (!name || !*name)
		return describe_policies(rq, NULL, out);
	struct lb lb;
	if (lb_lookup(rq, &lb) < 0)
		return -1;
	int rc = describe_policies(rq, &lb, out);
	store_lb_free(&lb);
	return rc;
}

static json_t *
describe_type(const struct policy_type *t)
{
	json_t *attrs = json_array();
	for (size_t i = 0; i < t->nattrs; i++) {
		const struct policy_attr_type *a = &t->attrs[i];
		json_t *j = json_pack("{s:s,s:s}", "AttributeName", a->name,
		                      "AttributeType", a->type);
		if (a->description)
			json_object_set_new(j, "Description",
			                    json_string(a->description));
		json_object_set_new(
		    j, "Cardinality",
		    json_string(policy_cardinality_name(a->cardinality)));
		json_array_append_new(attrs, j);
	}
	return json_pack("{s:s,s:s,s:o}", "PolicyTypeName", t->name,
	                 "Description", t->description,
	                 "PolicyAttributeTypeDescriptions", attrs);
}

int
act_describe_load_balancer_policy_types(struct request *rq)
{
	json_t *out = json_array();
	json_object_set_new(rq->result, "PolicyTypeDescriptions", out);
	/* PolicyTypeNames may repeat a name: bounded like the policies. */
	struct describe_all d = {rq, out, 0};
	unsigned *idx = NULL;
	int n = param_list(rq, "PolicyTypeNames", &idx);
	int rc = n < 0 ? -1 : 0;
	for (int i = 0; i < n && rc == 0; i++) {
		const char *name = param_member(rq, "PolicyTypeNames", idx[i]);
		const struct policy_type *t =
		    name ? policy_type_find(name) : NULL;
		if (!name)
			rc = -1;
		else if (t)
			rc = describe_add(&d, describe_type(t));
		else
			rc = resp_error(rq, ERR_POLICY_TYPE_NOT_FOUND,
			                "There is no policy type %s", name);
	}
	free(idx);
	for (size_t i = 0; n == 0 && i < policy_type_count; i++)
		json_array_append_new(out, describe_type(&policy_types[i]));
	return rc;
}
