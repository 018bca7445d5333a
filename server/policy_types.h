/*
 * The static policy catalogue: policy types with their attributes, and the
 * predefined SSL negotiation policies. Tables in the binary, not rows.
 */
#ifndef EULB_POLICY_TYPES_H
#define EULB_POLICY_TYPES_H

#include <stddef.h>

enum policy_cardinality {
	CARD_ONE,
	CARD_ZERO_OR_ONE,
	CARD_ZERO_OR_MORE,
	CARD_ONE_OR_MORE,
};

enum policy_place {
	PLACE_LISTENER = 1 << 0, /* SetLoadBalancerPoliciesOfListener */
	PLACE_BACKEND = 1 << 1,  /* SetLoadBalancerPoliciesForBackendServer */
};

struct policy_attr_type {
	const char *name;
	const char *type; /* Boolean, String, Long, Integer, PolicyName */
	const char *description; /* NULL: not shown */
	enum policy_cardinality cardinality;
};

struct policy_type {
	const char *name;
	const char *description;
	const struct policy_attr_type *attrs;
	size_t nattrs;
	unsigned places;
};

struct predefined_policy {
	const char *name;
	const char *enabled; /* ','-separated attributes that are true */
};

#define POLICY_PUBLIC_KEY "PublicKeyPolicyType"
#define POLICY_BACKEND_AUTH "BackendServerAuthenticationPolicyType"
#define POLICY_SSL_NEGOTIATION "SSLNegotiationPolicyType"
#define POLICY_APP_COOKIE "AppCookieStickinessPolicyType"
#define POLICY_LB_COOKIE "LBCookieStickinessPolicyType"
#define POLICY_PROXY_PROTOCOL "ProxyProtocolPolicyType"
#define POLICY_REFERENCE_ATTR "Reference-Security-Policy"

extern const struct policy_type policy_types[];
extern const size_t policy_type_count;
extern const struct predefined_policy predefined_policies[];
extern const size_t predefined_policy_count;

const struct policy_type *policy_type_find(const char *name);
const struct policy_attr_type *policy_attr_find(const struct policy_type *t,
                                                const char *name);
const char *policy_cardinality_name(enum policy_cardinality c);
const struct predefined_policy *predefined_policy_find(const char *name);
/* "true" or "false": the value of attribute attr in predefined policy p. */
const char *predefined_policy_value(const struct predefined_policy *p,
                                    const char *attr);

#endif
