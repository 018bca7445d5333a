#include "policy.h"

#include <ctype.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hxval.h"
#include "params.h"
#include "pem.h"
#include "policy_types.h"

/* Room for a PEM certificate of an RSA-8192 key with a chain of two. */
#define POLICY_MAX_VALUE 16384

int
policy_lookup(struct request *rq, const struct lb *lb, const char *name,
              struct policy *out)
{
	int rc = store_policy_get(rq->db, lb->id, name, out);
	if (rc == STORE_NOT_FOUND)
		return resp_error(rq, ERR_POLICY_NOT_FOUND,
		                  "There is no policy with name %s for load "
		                  "balancer %s",
		                  name, lb->name);
	return rc == STORE_OK ? 0 : resp_error(rq, ERR_INTERNAL, NULL);
}

static int
policy_is_decimal(const char *v)
{
	if (!*v || strlen(v) > 18)
		return 0;
	for (; *v; v++)
		if (!isdigit((unsigned char)*v))
			return 0;
	return 1;
}

/* A PolicyName attribute names a PublicKeyPolicyType policy of lb. */
static int
policy_check_reference(struct request *rq, const struct lb *lb,
                       const char *attr, const char *value)
{
	struct policy p;
	if (policy_lookup(rq, lb, value, &p) < 0)
		return -1;
	int ok = strcmp(p.type, POLICY_PUBLIC_KEY) == 0;
	if (!ok)
		resp_error(rq, ERR_INVALID_CONFIGURATION,
		           "%s '%s' is a %s; it must name a %s policy", attr,
		           value, p.type, POLICY_PUBLIC_KEY);
	store_policy_free(&p);
	return ok ? 0 : -1;
}

/*
 * Per thread, the verdicts on the PublicKey values last checked, by the
 * SHA-256 of the value. The same certificate is pinned on many load
 * balancers and ports, and OpenSSL 3.0 sets up its provider decoder for
 * every certificate it parses (about 120 us, most of a
 * CreateLoadBalancerPolicy's time); the verdict depends on the value alone.
 */
#define POLICY_PEM_SLOTS 16

struct policy_pem_entry {
	unsigned char hash[SHA256_DIGEST_LENGTH];
	int used, ok;
	pem_fingerprint fp;
	char why[200];
};

static __thread struct policy_pem_entry policy_pem_cache[POLICY_PEM_SLOTS];

/* Parses value once per request (policy_precheck may have done it). */
static void
policy_check_public_key(struct request *rq, const char *value)
{
	if (rq->pem_value == value)
		return;
	rq->pem_value = value;
	unsigned char hash[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)value, strlen(value), hash);
	struct policy_pem_entry *e =
	    &policy_pem_cache[hash[0] % POLICY_PEM_SLOTS];
	if (!e->used || memcmp(e->hash, hash, sizeof hash) != 0) {
		e->fp[0] = e->why[0] = '\0';
		e->ok = pem_public_key_check(value, e->fp, NULL, e->why,
		                             sizeof e->why) == 0;
		memcpy(e->hash, hash, sizeof hash);
		e->used = 1;
	}
	rq->pem_ok = e->ok;
	memcpy(rq->pem_fp, e->fp, sizeof rq->pem_fp);
	snprintf(rq->pem_why, sizeof rq->pem_why, "%s", e->why);
}

void
policy_precheck(struct request *rq)
{
	unsigned *idx = NULL;
	/* A malformed list is the handler's to report. */
	int n = form_member_indexes(&rq->params, "PolicyAttributes", &idx);
	for (int i = 0; i < n; i++) {
		const char *name = param_get(
		    rq, "PolicyAttributes.member.%u.AttributeName", idx[i]);
		const char *value = param_get(
		    rq, "PolicyAttributes.member.%u.AttributeValue", idx[i]);
		if (name && value && strcmp(name, "PublicKey") == 0) {
			policy_check_public_key(rq, value);
			break;
		}
	}
	free(idx);
}

static int
policy_check_value(struct request *rq, const struct lb *lb,
                   const struct policy_attr_type *t, const char *value,
                   char *fp)
{
	if (!*value)
		return resp_error(rq, ERR_INVALID_CONFIGURATION,
		                  "Attribute %s needs a value", t->name);
	if (strcmp(t->type, "Boolean") == 0 && strcmp(value, "true") != 0 &&
	    strcmp(value, "false") != 0)
		return resp_error(rq, ERR_INVALID_CONFIGURATION,
		                  "Attribute %s must be true or false, not "
		                  "'%s'",
		                  t->name, value);
	if ((strcmp(t->type, "Long") == 0 || strcmp(t->type, "Integer") == 0) &&
	    !policy_is_decimal(value))
		return resp_error(rq, ERR_INVALID_CONFIGURATION,
		                  "Attribute %s must be a whole number of 0 or "
		                  "more, not '%s'",
		                  t->name, value);
	if (strcmp(t->type, "PolicyName") == 0)
		return policy_check_reference(rq, lb, t->name, value);
	/* Both become words of haproxy.cfg (common/hxval.h). */
	if (strcmp(t->name, "CookieName") == 0 && !hxval_cookie_name_ok(value))
		return resp_error(rq, ERR_INVALID_CONFIGURATION,
		                  "CookieName must be 1 to %d letters, digits "
		                  "or !$%%&*+-.^_`|~ (an HTTP cookie token "
		                  "without '#' or quotes)",
		                  HXVAL_COOKIE_NAME_MAX);
	if (strcmp(t->name, "CookieExpirationPeriod") == 0 &&
	    strtoll(value, NULL, 10) > HXVAL_COOKIE_PERIOD_MAX)
		return resp_error(rq, ERR_INVALID_CONFIGURATION,
		                  "CookieExpirationPeriod must be at most %ld "
		                  "seconds (about 68 years), the longest "
		                  "cookie lifetime HAProxy takes; not %s",
		                  HXVAL_COOKIE_PERIOD_MAX, value);
	if (strcmp(t->name, "PublicKey") == 0) {
		policy_check_public_key(rq, value);
		if (!rq->pem_ok)
			return resp_error(rq, ERR_INVALID_CONFIGURATION,
			                  "PublicKey is invalid: %s",
			                  rq->pem_why);
		memcpy(fp, rq->pem_fp, sizeof rq->pem_fp);
	}
	return 0;
}

static int
policy_attr_cmp(const void *a, const void *b)
{
	const struct policy_attr *x = *(const struct policy_attr *const *)a;
	const struct policy_attr *y = *(const struct policy_attr *const *)b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->value, y->value);
}

/* A repeated ONE_OR_MORE value adds only size: without this check one
 * BackendServerAuthentication policy could name one key 20,000 times. */
static int
policy_check_distinct(struct request *rq, const struct policy_type *t,
                      const struct policy_attr *attrs, size_t n)
{
	const struct policy_attr **v = xcalloc(n + 1, sizeof *v);
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		v[i] = &attrs[i];
	qsort(v, n, sizeof *v, policy_attr_cmp);
	for (size_t i = 1; rc == 0 && i < n; i++) {
		const struct policy_attr_type *a =
		    policy_attr_find(t, v[i]->name);
		if (a && a->cardinality == CARD_ONE_OR_MORE &&
		    policy_attr_cmp(&v[i - 1], &v[i]) == 0)
			rc = resp_error(rq, ERR_INVALID_CONFIGURATION,
			                "Attribute %s lists '%s' twice; give "
			                "each value once",
			                v[i]->name, v[i]->value);
	}
	free(v);
	return rc;
}

static int
policy_check_cardinality(struct request *rq, const struct policy_type *t,
                         const struct policy_attr *attrs, size_t n)
{
	for (size_t i = 0; i < t->nattrs; i++) {
		const struct policy_attr_type *a = &t->attrs[i];
		size_t count = 0;
		for (size_t j = 0; j < n; j++)
			count += strcmp(attrs[j].name, a->name) == 0;
		int required = a->cardinality == CARD_ONE ||
		               a->cardinality == CARD_ONE_OR_MORE;
		int single = a->cardinality == CARD_ONE ||
		             a->cardinality == CARD_ZERO_OR_ONE;
		if (required && count == 0)
			return resp_error(
			    rq, ERR_INVALID_CONFIGURATION,
			    "There is no attribute %s found "
			    "(Cardinality: %s); %s needs it",
			    a->name, policy_cardinality_name(a->cardinality),
			    t->name);
		if (single && count > 1)
			return resp_error(
			    rq, ERR_INVALID_CONFIGURATION,
			    "More than one attribute(%s) is found "
			    "(Cardinality: %s)",
			    a->name, policy_cardinality_name(a->cardinality));
	}
	return 0;
}

/* Stores the attributes; a Reference-Security-Policy is expanded into the
 * predefined policy's values, which explicit attributes then override. */
static int
policy_store_attrs(struct request *rq, const struct policy *p,
                   const struct policy_type *t,
                   const struct predefined_policy *ref,
                   const struct policy_attr *attrs, size_t n)
{
	int pos = 0;
	if (!ref) {
		for (size_t i = 0; i < n; i++)
			if (store_policy_attr_add(rq->db, p->id, ++pos,
			                          attrs[i].name,
			                          attrs[i].value))
				return -1;
		return 0;
	}
	if (store_policy_attr_add(rq->db, p->id, ++pos, POLICY_REFERENCE_ATTR,
	                          ref->name))
		return -1;
	for (size_t i = 0; i < t->nattrs; i++) {
		const char *name = t->attrs[i].name;
		if (strcmp(name, POLICY_REFERENCE_ATTR) == 0)
			continue;
		const char *v = predefined_policy_value(ref, name);
		for (size_t j = 0; j < n; j++)
			if (strcmp(attrs[j].name, name) == 0)
				v = attrs[j].value;
		if (store_policy_attr_add(rq->db, p->id, ++pos, name, v))
			return -1;
	}
	return 0;
}

/* The value a new policy will hold for attribute name: the request's,
 * else the referenced predefined policy's, else none. */
static const char *
policy_effective(const struct predefined_policy *ref,
                 const struct policy_attr *attrs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(attrs[i].name, name) == 0)
			return attrs[i].value;
	return ref ? predefined_policy_value(ref, name) : NULL;
}

/* The bind options eulb-servo renders from an SSL negotiation policy must
 * load in HAProxy: a protocol its OpenSSL has, a cipher it knows. */
static int
policy_check_tls(struct request *rq, const struct policy_type *t,
                 const struct predefined_policy *ref,
                 const struct policy_attr *attrs, size_t n)
{
	struct buf ciphers = BUF_INIT;
	int min = -1, max = -1;
	char why[300];
	for (int k = 0; k < HXVAL_NPROTO; k++) {
		const char *v =
		    policy_effective(ref, attrs, n, hxval_proto_attr[k]);
		if (v && strcmp(v, "true") == 0) {
			min = min < 0 ? k : min;
			max = k;
		}
	}
	for (size_t i = 0; i < t->nattrs; i++) {
		const char *name = t->attrs[i].name;
		const char *v = policy_effective(ref, attrs, n, name);
		if (hxval_is_cipher_attr(name) && v && strcmp(v, "true") == 0)
			buf_printf(&ciphers, "%s%s", ciphers.len ? ":" : "",
			           name);
	}
	int rc = hxval_tls(min, max, &ciphers, why, sizeof why);
	buf_free(&ciphers);
	if (rc < 0)
		return resp_error(rq, ERR_INVALID_CONFIGURATION,
		                  "This SSL negotiation policy cannot be "
		                  "served: %s",
		                  why);
	return 0;
}

static int
policy_check_attrs(struct request *rq, const struct lb *lb,
                   const struct policy_type *t, const struct policy_attr *attrs,
                   size_t n, char *fp, const struct predefined_policy **ref)
{
	if (policy_check_distinct(rq, t, attrs, n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct policy_attr_type *a =
		    policy_attr_find(t, attrs[i].name);
		size_t len = strlen(attrs[i].value);
		if (len > POLICY_MAX_VALUE)
			return resp_error(rq, ERR_VALIDATION,
			                  "The value of attribute %s is %zu "
			                  "bytes; at most %d are allowed",
			                  attrs[i].name, len, POLICY_MAX_VALUE);
		if (!a)
			return resp_error(rq, ERR_INVALID_CONFIGURATION,
			                  "Attribute %s is not defined in the "
			                  "policy type %s (see "
			                  "DescribeLoadBalancerPolicyTypes)",
			                  attrs[i].name, t->name);
		if (policy_check_value(rq, lb, a, attrs[i].value, fp) < 0)
			return -1;
		if (strcmp(a->name, POLICY_REFERENCE_ATTR) == 0) {
			*ref = predefined_policy_find(attrs[i].value);
			if (!*ref)
				return resp_error(
				    rq, ERR_INVALID_CONFIGURATION,
				    "Referenced security policy "
				    "%s is not found (see "
				    "DescribeLoadBalancerPolicies)",
				    attrs[i].value);
		}
	}
	if (policy_check_cardinality(rq, t, attrs, n) < 0)
		return -1;
	if (strcmp(t->name, POLICY_SSL_NEGOTIATION) == 0)
		return policy_check_tls(rq, t, *ref, attrs, n);
	return 0;
}

int
policy_create(struct request *rq, const struct lb *lb, const char *name,
              const char *type, const struct policy_attr *attrs, size_t n)
{
	const struct policy_type *t = policy_type_find(type);
	if (!t)
		return resp_error(rq, ERR_POLICY_TYPE_NOT_FOUND,
		                  "There is no policy type %s (see "
		                  "DescribeLoadBalancerPolicyTypes)",
		                  type);
	pem_fingerprint fp = "";
	const struct predefined_policy *ref = NULL;
	if (policy_check_attrs(rq, lb, t, attrs, n, fp, &ref) < 0)
		return -1;
	struct policy p = {0, (char *)name, (char *)type};
	int rc = store_policy_insert(rq->db, lb->id, &p, *fp ? fp : NULL);
	if (rc == STORE_CONFLICT)
		return resp_error(rq, ERR_DUPLICATE_POLICY_NAME,
		                  "Policy %s already exists for load balancer "
		                  "%s",
		                  name, lb->name);
	if (rc != STORE_OK || policy_store_attrs(rq, &p, t, ref, attrs, n) < 0)
		return resp_error(rq, ERR_INTERNAL, NULL);
	return 0;
}

int
policy_check_quota(struct request *rq, const struct lb *lb)
{
	long n = 0;
	if (store_policy_count(rq->db, lb->id, &n) != STORE_OK)
		return resp_error(rq, ERR_INTERNAL, NULL);
	if (n >= rq->config->max_policies)
		return resp_error(rq, ERR_TOO_MANY_POLICIES,
		                  "Load balancer %s already has %ld policies, "
		                  "its limit; delete one first",
		                  lb->name, n);
	return 0;
}

int
policy_default_ssl(struct request *rq, const struct lb *lb, int64_t *id)
{
	const char *name = rq->config->default_ssl_policy;
	struct policy p;
	int rc = store_policy_get(rq->db, lb->id, name, &p);
	if (rc == STORE_NOT_FOUND) {
		struct policy_attr ref = {POLICY_REFERENCE_ATTR, name};
		if (policy_create(rq, lb, name, POLICY_SSL_NEGOTIATION, &ref,
		                  1) < 0)
			return -1;
		rc = store_policy_get(rq->db, lb->id, name, &p);
	}
	if (rc != STORE_OK)
		return resp_error(rq, ERR_INTERNAL, NULL);
	*id = p.id;
	store_policy_free(&p);
	return 0;
}

int
policy_check_user_name(struct request *rq, const char *name)
{
	size_t len = strlen(name);
	if (len < 1 || len > 255)
		return resp_error(rq, ERR_VALIDATION,
		                  "PolicyName must be 1 to 255 characters");
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-')
			return resp_error(rq, ERR_VALIDATION,
			                  "PolicyName '%s' may hold only "
			                  "letters, digits and dashes",
			                  name);
	if (strncmp(name, "ELBSecurityPolicy-", 18) == 0 ||
	    strncmp(name, "ELBSample-", 10) == 0)
		return resp_error(rq, ERR_VALIDATION,
		                  "PolicyName '%s' uses a prefix reserved for "
		                  "predefined policies (ELBSecurityPolicy-, "
		                  "ELBSample-); choose another name",
		                  name);
	return 0;
}

int
policy_attr_json(void *ctx, const char *name, const char *value)
{
	json_array_append_new(ctx, json_pack("{s:s,s:s}", "AttributeName", name,
	                                     "AttributeValue", value));
	return 0;
}

json_t *
policy_describe(struct request *rq, const struct policy *p)
{
	json_t *attrs = json_array();
	if (store_policy_attr_each(rq->db, p->id, policy_attr_json, attrs) !=
	    STORE_OK) {
		json_decref(attrs);
		return NULL;
	}
	return json_pack("{s:s,s:s,s:o}", "PolicyName", p->name,
	                 "PolicyTypeName", p->type,
	                 "PolicyAttributeDescriptions", attrs);
}
