/*
 * The data plane's side of the API, for the servo credential only:
 * DescribeLoadBalancersByServo hands eulb-servo one load balancer fully
 * resolved (certificates with keys, policies, PublicKey values behind
 * back-end authentication, instance addresses); PutServoStates brings
 * back the health HAProxy sees.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dispatch.h"
#include "lb_describe.h"
#include "params.h"
#include "pem.h"
#include "policy.h"
#include "policy_types.h"
#include "xmltext.h"

static int
servo_lb(struct request *rq, struct lb *lb)
{
	const char *account = param_get(rq, "AccountId");
	const char *name = param_get(rq, "LoadBalancerName");
	int rc =
	    store_lb_get(rq->db, account, request_region_key(rq), name, lb);
	if (rc == STORE_NOT_FOUND)
		return resp_error(
		    rq, ERR_LB_NOT_FOUND,
		    "There is no load balancer '%s' in account %s", name,
		    account);
	return rc == STORE_OK ? 0 : resp_error(rq, ERR_INTERNAL, NULL);
}

static int
servo_certificates(struct request *rq, const struct lb *lb, json_t *listeners)
{
	size_t i;
	json_t *ld;
	json_array_foreach(listeners, i, ld)
	{
		json_t *l = json_object_get(ld, "Listener");
		const char *arn =
		    json_string_value(json_object_get(l, "SSLCertificateId"));
		struct server_cert c;
		char *key = NULL;
		if (!arn)
			continue;
		if (store_cert_by_arn(rq->db, lb->account_id, arn, &c) !=
		    STORE_OK)
			continue; /* deleted under it: the listener can't serve
			           */
		if (store_cert_private_key(rq->db, lb->account_id, arn, &key) ==
		    STORE_OK) {
			json_t *sc = json_pack("{s:s,s:s}", "CertificateBody",
			                       c.body, "PrivateKey", key);
			if (c.chain)
				json_object_set_new(sc, "CertificateChain",
				                    json_string(c.chain));
			json_object_set_new(ld, "ServerCertificate", sc);
		}
		free(key);
		store_cert_free(&c);
	}
	return 0;
}

struct servo_ctx {
	struct request *rq;
	const struct lb *lb;
	json_t *out;
};

static int
servo_policy_row(void *ctx, const struct policy *p)
{
	struct servo_ctx *s = ctx;
	json_t *j = policy_describe(s->rq, p);
	if (!j)
		return -1;
	json_array_append_new(s->out, j);
	return 0;
}

/* The attribute values of attribute `name` of policy `policy`. */
static int
servo_values(void *ctx, const char *name, const char *value)
{
	json_t *out = ctx;
	if (strcmp(name, json_string_value(json_object_get(out, "want"))) == 0)
		json_array_append_new(json_object_get(out, "values"),
		                      json_string(value));
	return 0;
}

static json_t *
servo_policy_values(struct request *rq, const struct lb *lb, const char *policy,
                    const char *attr, const char *type)
{
	struct policy p;
	json_t *acc = json_pack("{s:s,s:[]}", "want", attr, "values");
	if (store_policy_get(rq->db, lb->id, policy, &p) == STORE_OK) {
		if (strcmp(p.type, type) == 0)
			store_policy_attr_each(rq->db, p.id, servo_values, acc);
		store_policy_free(&p);
	}
	json_t *values = json_incref(json_object_get(acc, "values"));
	json_decref(acc);
	return values;
}

/* PublicKeys of a back-end port: every PublicKey reached through its
 * BackendServerAuthentication policies. A key is repeated for every port
 * and policy that reaches it, so a tenant could make this answer grow
 * far past its stored size: *bytes counts what has been inlined, and
 * -1 says it passed --max-response-bytes. */
static int
servo_public_keys(struct request *rq, const struct lb *lb, json_t *backend,
                  size_t *bytes)
{
	json_t *keys = json_array(),
	       *names = json_object_get(backend, "PolicyNames");
	size_t i, j;
	json_t *n, *ref;
	json_array_foreach(names, i, n)
	{
		json_t *refs = servo_policy_values(rq, lb, json_string_value(n),
		                                   "PublicKeyPolicyName",
		                                   POLICY_BACKEND_AUTH);
		json_array_foreach(refs, j, ref)
		{
			json_t *vals =
			    servo_policy_values(rq, lb, json_string_value(ref),
			                        "PublicKey", POLICY_PUBLIC_KEY);
			const char *v =
			    json_string_value(json_array_get(vals, 0));
			pem_fingerprint fp;
			char why[160];
			int is_cert = 0;
			if (v)
				*bytes += strlen(v) + 256;
			if (*bytes > rq->config->max_response) {
				json_decref(vals);
				json_decref(refs);
				json_decref(keys);
				return -1;
			}
			if (v && pem_public_key_check(v, fp, &is_cert, why,
			                              sizeof why) == 0)
				json_array_append_new(
				    keys,
				    json_pack("{s:O,s:s,s:b,s:s}", "PolicyName",
				              ref, "PublicKey", v,
				              "IsCertificate", is_cert,
				              "Fingerprint", fp));
			json_decref(vals);
		}
		json_decref(refs);
	}
	json_object_set_new(backend, "PublicKeys", keys);
	return 0;
}

static int
servo_instance(void *ctx, const struct lb_instance *i)
{
	struct servo_ctx *s = ctx;
	struct inventory_instance inv;
	json_t *j = json_pack("{s:s,s:s}", "InstanceId", i->instance_id,
	                      "State", i->state);
	if (store_inventory_instance_get(s->rq->db, s->lb->account_id,
	                                 i->instance_id, &inv) == STORE_OK) {
		json_object_set_new(j, "InstanceIpAddress",
		                    json_string(inv.address));
		if (inv.zone)
			json_object_set_new(j, "Zone", json_string(inv.zone));
		store_inventory_instance_free(&inv);
	}
	json_array_append_new(s->out, j);
	return 0;
}

static int
servo_extend(struct request *rq, const struct lb *lb, json_t *d)
{
	json_t *policies = json_array(), *instances = json_array();
	struct servo_ctx pc = {rq, lb, policies}, ic = {rq, lb, instances};
	json_object_set_new(d, "AccountId", json_string(lb->account_id));
	json_object_set_new(d, "PolicyDescriptions", policies);
	json_object_set_new(d, "BackendInstances", instances);
	json_t *attrs = lb_attributes_json(rq, lb);
	if (!attrs)
		return -1;
	json_object_set_new(d, "LoadBalancerAttributes", attrs);
	size_t i, bytes = 0;
	json_t *b;
	json_array_foreach(
	    json_object_get(d, "BackendServerDescriptions"), i,
	    b) if (servo_public_keys(rq, lb, b, &bytes) <
	           0) return resp_error(rq, ERR_VALIDATION,
	                                "The back-end authentication of load "
	                                "balancer '%s' inlines more than %zu "
	                                "bytes of PublicKeys; name each key "
	                                "from fewer policies and ports",
	                                lb->name, rq->config->max_response);
	if (servo_certificates(rq, lb,
	                       json_object_get(d, "ListenerDescriptions")) ||
	    store_policy_each(rq->db, lb->id, servo_policy_row, &pc) !=
	        STORE_OK ||
	    store_instance_each(rq->db, lb->id, servo_instance, &ic) !=
	        STORE_OK)
		return -1;
	return 0;
}

int
act_describe_load_balancers_by_servo(struct request *rq)
{
	struct lb lb;
	if (servo_lb(rq, &lb) < 0)
		return -1;
	json_t *d = lb_describe(rq, &lb);
	int rc = d ? 0 : -1;
	if (d && servo_extend(rq, &lb, d) < 0)
		rc =
		    rq->status >= 400 ? -1 : resp_error(rq, ERR_INTERNAL, NULL);
	if (rc == 0)
		json_object_set_new(rq->result, "LoadBalancerDescriptions",
		                    json_pack("[O]", d));
	json_decref(d);
	store_lb_free(&lb);
	return rc;
}

#define SERVO_REASON_MAX 64
#define SERVO_DESCRIPTION_MAX 1024

/* s, or its start cut to max bytes at a character boundary (in buf, of
 * max + 1 bytes). */
static char *
servo_cut(char *s, char *buf, size_t max)
{
	if (!s)
		return s;
	size_t n = xmltext_cut(s, max);
	if (!s[n])
		return s;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

static int
servo_state_one(struct request *rq, const struct lb *lb, unsigned n)
{
	struct lb_instance i = {0};
	const char *state;
	if (param_require(rq, (const char **)&i.instance_id,
	                  "Instances.member.%u.InstanceId", n) < 0 ||
	    param_require(rq, &state, "Instances.member.%u.State", n) < 0)
		return -1;
	if (strcmp(state, "InService") && strcmp(state, "OutOfService") &&
	    strcmp(state, "Unknown"))
		return resp_error(
		    rq, ERR_VALIDATION,
		    "Instances.member.%u.State must be InService, "
		    "OutOfService or Unknown, not '%s'",
		    n, state);
	i.state = (char *)state;
	i.reason_code =
	    (char *)param_get(rq, "Instances.member.%u.ReasonCode", n);
	i.description =
	    (char *)param_get(rq, "Instances.member.%u.Description", n);
	/* Stored, and shown to the tenant by DescribeInstanceHealth: cut to
	 * a bound even from the trusted servo (AWS's are a word and a
	 * sentence), at a character boundary. */
	char reason[SERVO_REASON_MAX + 1], desc[SERVO_DESCRIPTION_MAX + 1];
	i.reason_code = servo_cut(i.reason_code, reason, SERVO_REASON_MAX);
	i.description = servo_cut(i.description, desc, SERVO_DESCRIPTION_MAX);
	int rc = store_instance_set_state(rq->db, lb->id, &i);
	/* Deregistered since the worker looked: nothing to update. */
	if (rc == STORE_NOT_FOUND)
		return 0;
	return rc == STORE_OK ? 0 : resp_error(rq, ERR_INTERNAL, NULL);
}

int
act_put_servo_states(struct request *rq)
{
	struct lb lb;
	unsigned *idx = NULL;
	if (servo_lb(rq, &lb) < 0)
		return -1;
	int n = param_list(rq, "Instances", &idx);
	int rc = n < 0 ? -1 : 0;
	for (int i = 0; rc == 0 && i < n; i++)
		rc = servo_state_one(rq, &lb, idx[i]);
	free(idx);
	store_lb_free(&lb);
	return rc;
}
