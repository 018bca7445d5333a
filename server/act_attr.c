/* ModifyLoadBalancerAttributes and DescribeLoadBalancerAttributes. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "lb_describe.h"
#include "params.h"
#include "parse.h"

#define ATTR_PREFIX "LoadBalancerAttributes."
#define ATTR_DESYNC "elb.http.desyncmitigationmode"

enum attr_kind { ATTR_BOOL, ATTR_INT, ATTR_TEXT };

/* Every attribute by its dotted path, with AWS's default. */
static const struct attr_def {
	const char *name;
	enum attr_kind kind;
	long min, max;
	const char *default_value; /* NULL: absent until set */
} attr_defs[] = {
    {"CrossZoneLoadBalancing.Enabled", ATTR_BOOL, 0, 0, "false"},
    {"AccessLog.Enabled", ATTR_BOOL, 0, 0, "false"},
    {"AccessLog.S3BucketName", ATTR_TEXT, 3, 63, NULL},
    {"AccessLog.EmitInterval", ATTR_INT, 5, 60, "60"},
    /* AWS states no limit; an S3 key is at most 1024 bytes. */
    {"AccessLog.S3BucketPrefix", ATTR_TEXT, 0, 1024, NULL},
    {"ConnectionDraining.Enabled", ATTR_BOOL, 0, 0, "false"},
    {"ConnectionDraining.Timeout", ATTR_INT, 1, 3600, "300"},
    {"ConnectionSettings.IdleTimeout", ATTR_INT, 1, 3600, "60"},
    {"AdditionalAttributes." ATTR_DESYNC, ATTR_TEXT, 0, 0, "defensive"},
};
#define ATTR_COUNT (sizeof attr_defs / sizeof attr_defs[0])

static const struct attr_def *
attr_find(const char *name)
{
	for (size_t i = 0; i < ATTR_COUNT; i++)
		if (strcmp(attr_defs[i].name, name) == 0)
			return &attr_defs[i];
	return NULL;
}

/* S3's naming rules. Empty is no bucket: DescribeLoadBalancerAttributes
 * shows an unset name so, and clients send back what they read. */
static int
attr_check_bucket(struct request *rq, const struct attr_def *d, const char *v)
{
	size_t n = strlen(v);
	struct in_addr ip;
	if (n == 0)
		return 0;
	if (n < (size_t)d->min || n > (size_t)d->max)
		return resp_error(rq, ERR_VALIDATION,
		                  "%s must be %ld to %ld characters, not %zu",
		                  d->name, d->min, d->max, n);
	const char *why =
	    strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789.-") != n
	        ? "may hold only lower-case letters, digits, . and -"
	    : !isalnum((unsigned char)v[0]) || !isalnum((unsigned char)v[n - 1])
	        ? "must begin and end with a letter or digit"
	    : strstr(v, "..") ? "must not hold two adjacent periods"
	    : inet_pton(AF_INET, v, &ip) == 1
	        ? "must not be formatted as an IP address"
	        : NULL;
	if (why)
		return resp_error(rq, ERR_VALIDATION,
		                  "%s '%s' %s (S3 bucket naming rules)",
		                  d->name, v, why);
	return 0;
}

static int
attr_check_value(struct request *rq, const struct attr_def *d, const char *v)
{
	long n;
	switch (d->kind) {
	case ATTR_BOOL:
		if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0)
			return 0;
		return resp_error(rq, ERR_VALIDATION,
		                  "%s must be true or false, not '%s'", d->name,
		                  v);
	case ATTR_INT:
		/* Digits only: parse_number takes spaces and a sign. */
		if (*v < '0' || *v > '9' ||
		    parse_number(v, d->min, d->max, &n) < 0 ||
		    (strcmp(d->name, "AccessLog.EmitInterval") == 0 && n != 5 &&
		     n != 60))
			return resp_error(
			    rq, ERR_VALIDATION, "%s must be %s, not '%s'",
			    d->name,
			    strcmp(d->name, "AccessLog.EmitInterval") == 0
			        ? "5 or 60"
			    : d->max == 3600 ? "a whole number from 1 to 3600"
			                     : "a whole number",
			    v);
		return 0;
	case ATTR_TEXT:
		if (strcmp(d->name, "AccessLog.S3BucketName") == 0)
			return attr_check_bucket(rq, d, v);
		if (d->max && strlen(v) > (size_t)d->max)
			return resp_error(rq, ERR_VALIDATION,
			                  "%s is %zu bytes; at most %ld are "
			                  "allowed",
			                  d->name, strlen(v), d->max);
		if (strcmp(d->name, "AdditionalAttributes." ATTR_DESYNC) == 0 &&
		    strcmp(v, "monitor") && strcmp(v, "defensive") &&
		    strcmp(v, "strictest"))
			return resp_error(rq, ERR_VALIDATION,
			                  "%s must be monitor, defensive or "
			                  "strictest, not '%s'",
			                  ATTR_DESYNC, v);
		return 0;
	}
	return 0;
}

/* AdditionalAttributes.member.N.{Key,Value} → "AdditionalAttributes.<key>" */
static int
attr_read_additional(struct request *rq, const struct lb *lb)
{
	unsigned *idx = NULL;
	int n = param_list(rq, ATTR_PREFIX "AdditionalAttributes", &idx);
	int rc = n < 0 ? -1 : 0;
	if (n > 10)
		rc = resp_error(rq, ERR_VALIDATION,
		                "At most 10 AdditionalAttributes, not %d", n);
	for (int i = 0; rc == 0 && i < n; i++) {
		const char *k = param_get(rq,
		                          ATTR_PREFIX "AdditionalAttributes"
		                                      ".member.%u.Key",
		                          idx[i]);
		const char *v = param_get(rq,
		                          ATTR_PREFIX "AdditionalAttributes"
		                                      ".member.%u.Value",
		                          idx[i]);
		char name[300];
		snprintf(name, sizeof name, "AdditionalAttributes.%s",
		         k ? k : "");
		const struct attr_def *d = attr_find(name);
		if (!d)
			rc =
			    resp_error(rq, ERR_ATTRIBUTE_NOT_FOUND,
			               "There is no additional attribute '%s'; "
			               "the one supported is %s",
			               k ? k : "", ATTR_DESYNC);
		else if (attr_check_value(rq, d, v ? v : "") < 0)
			rc = -1;
		else if (store_attr_set(rq->db, lb->id, d->name, v) != STORE_OK)
			rc = resp_error(rq, ERR_INTERNAL, NULL);
	}
	free(idx);
	return rc;
}

static int
attr_is_additional(const char *key)
{
	return strncmp(key, ATTR_PREFIX "AdditionalAttributes.member.",
	               strlen(ATTR_PREFIX "AdditionalAttributes.member.")) == 0;
}

/* Every LoadBalancerAttributes.* parameter must be known; a group's
 * Enabled is required whenever any of its fields is given. */
static int
attr_read_fixed(struct request *rq, const struct lb *lb, int *given)
{
	for (size_t i = 0; i < rq->params.n; i++) {
		const char *key = rq->params.v[i].key;
		if (strncmp(key, ATTR_PREFIX, strlen(ATTR_PREFIX)) != 0)
			continue;
		++*given;
		if (attr_is_additional(key))
			continue;
		const struct attr_def *d = attr_find(key + strlen(ATTR_PREFIX));
		if (!d || strncmp(d->name, "AdditionalAttributes.", 21) == 0)
			return resp_error(rq, ERR_ATTRIBUTE_NOT_FOUND,
			                  "There is no load balancer attribute "
			                  "%s",
			                  key);
		const char *dot = strchr(d->name, '.');
		char group[64];
		snprintf(group, sizeof group, ATTR_PREFIX "%.*sEnabled",
		         (int)(dot - d->name + 1), d->name);
		if (strcmp(d->name, "ConnectionSettings.IdleTimeout") != 0 &&
		    !form_get(&rq->params, group))
			return resp_error(rq, ERR_MISSING_PARAMETER,
			                  "%s is required when %s is given",
			                  group, key);
		if (attr_check_value(rq, d, rq->params.v[i].value) < 0)
			return -1;
		if (store_attr_set(rq->db, lb->id, d->name,
		                   rq->params.v[i].value) != STORE_OK)
			return resp_error(rq, ERR_INTERNAL, NULL);
	}
	return 0;
}

struct attr_values {
	const char *values[ATTR_COUNT];
	char *owned[ATTR_COUNT];
};

static int
attr_collect(void *ctx, const char *name, const char *value)
{
	struct attr_values *a = ctx;
	for (size_t i = 0; i < ATTR_COUNT; i++)
		if (strcmp(attr_defs[i].name, name) == 0) {
			a->owned[i] = xstrdup(value);
			a->values[i] = a->owned[i];
		}
	return 0;
}

static json_t *
attr_json_value(const struct attr_def *d, const char *v)
{
	if (d->kind == ATTR_BOOL)
		return json_boolean(strcmp(v, "true") == 0);
	if (d->kind == ATTR_INT)
		return json_integer(strtol(v, NULL, 10));
	return json_string(v);
}

json_t *
lb_attributes_json(struct request *rq, const struct lb *lb)
{
	struct attr_values a = {{0}, {0}};
	for (size_t i = 0; i < ATTR_COUNT; i++)
		a.values[i] = attr_defs[i].default_value;
	if (store_attr_each(rq->db, lb->id, attr_collect, &a) != STORE_OK)
		return NULL;
	/* AWS shows an access log never configured as Enabled=false alone;
	 * the EmitInterval default appears once any of it has been set. */
	int access_log_set = 0;
	for (size_t i = 0; i < ATTR_COUNT; i++)
		if (a.owned[i] &&
		    strncmp(attr_defs[i].name, "AccessLog.", 10) == 0)
			access_log_set = 1;
	json_t *tree = json_object();
	json_t *additional = json_array();
	for (size_t i = 0; i < ATTR_COUNT; i++) {
		const struct attr_def *d = &attr_defs[i];
		const char *dot = strchr(d->name, '.');
		char group[64];
		snprintf(group, sizeof group, "%.*s", (int)(dot - d->name),
		         d->name);
		if (!a.values[i])
			continue; /* unset and without a default */
		if (!access_log_set && !a.owned[i] &&
		    strcmp(d->name, "AccessLog.EmitInterval") == 0)
			continue;
		if (strcmp(group, "AdditionalAttributes") == 0) {
			json_array_append_new(
			    additional, json_pack("{s:s,s:s}", "Key", dot + 1,
			                          "Value", a.values[i]));
		} else {
			json_t *g = json_object_get(tree, group);
			if (!g)
				json_object_set_new(tree, group,
				                    g = json_object());
			json_object_set_new(g, dot + 1,
			                    attr_json_value(d, a.values[i]));
		}
	}
	for (size_t i = 0; i < ATTR_COUNT; i++)
		free(a.owned[i]);
	json_object_set_new(tree, "AdditionalAttributes", additional);
	return tree;
}

int
act_modify_load_balancer_attributes(struct request *rq)
{
	struct lb lb;
	int given = 0;
	if (lb_lookup(rq, &lb) < 0)
		return -1;
	int rc = attr_read_fixed(rq, &lb, &given);
	if (rc == 0)
		rc = attr_read_additional(rq, &lb);
	if (rc == 0 && given == 0)
		rc = resp_error(rq, ERR_MISSING_PARAMETER,
		                "The request must contain the parameter "
		                "LoadBalancerAttributes");
	json_t *tree = rc == 0 ? lb_attributes_json(rq, &lb) : NULL;
	if (rc == 0 && !tree)
		rc = resp_error(rq, ERR_INTERNAL, NULL);
	if (rc == 0) {
		json_object_set_new(rq->result, "LoadBalancerName",
		                    json_string(lb.name));
		json_object_set_new(rq->result, "LoadBalancerAttributes", tree);
	}
	store_lb_free(&lb);
	return rc;
}

int
act_describe_load_balancer_attributes(struct request *rq)
{
	struct lb lb;
	if (lb_lookup(rq, &lb) < 0)
		return -1;
	json_t *tree = lb_attributes_json(rq, &lb);
	store_lb_free(&lb);
	if (!tree)
		return resp_error(rq, ERR_INTERNAL, NULL);
	json_object_set_new(rq->result, "LoadBalancerAttributes", tree);
	return 0;
}
