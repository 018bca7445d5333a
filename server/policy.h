/* Creating and checking policies: shared by the policy actions and by
 * listener creation (the default SSL negotiation policy). */
#ifndef EULB_POLICY_H
#define EULB_POLICY_H

#include <stddef.h>

#include "request.h"
#include "store.h"

struct policy_attr {
	const char *name;
	const char *value;
};

/*
 * Checks attrs against the type's catalogue entry (names, cardinality,
 * value types, PublicKey parsing, PublicKeyPolicyName references,
 * Reference-Security-Policy expansion) and against what HAProxy takes
 * (common/hxval.h: cookie names and periods, SSL protocols and ciphers),
 * and stores the policy on lb.
 * DuplicatePolicyName if lb has one of that name.
 */
int policy_create(struct request *rq, const struct lb *lb, const char *name,
                  const char *type, const struct policy_attr *attrs, size_t n);
/* TooManyPolicies once lb has --max-policies. The Create*Policy actions
 * check it; the default SSL policy a new HTTPS listener brings does not,
 * so a load balancer holds at most one more. */
int policy_check_quota(struct request *rq, const struct lb *lb);
/* Before the write queue (ACT_PEM): parses the request's PublicKey
 * attribute, if any, so the handler finds the verdict ready. */
void policy_precheck(struct request *rq);
/* The id of lb's SSL negotiation policy named after the server's default
 * predefined policy, created (expanded) on first use. */
int policy_default_ssl(struct request *rq, const struct lb *lb, int64_t *id);
/* A name a user may give a policy: letters, digits, dashes, and not a
 * reserved predefined-policy prefix. */
int policy_check_user_name(struct request *rq, const char *name);
/* PolicyNotFound unless lb has a policy of that name. */
int policy_lookup(struct request *rq, const struct lb *lb, const char *name,
                  struct policy *out);

/* {PolicyName, PolicyTypeName, PolicyAttributeDescriptions}, or NULL. */
json_t *policy_describe(struct request *rq, const struct policy *p);
/* Appends {AttributeName, AttributeValue} to the array ctx. */
int policy_attr_json(void *ctx, const char *name, const char *value);

#endif
