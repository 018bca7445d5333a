#include "policy_types.h"

#include <string.h>

static const struct policy_attr_type attrs_public_key[] = {
    {"PublicKey", "String", NULL, CARD_ONE},
};
static const struct policy_attr_type attrs_backend_auth[] = {
    {"PublicKeyPolicyName", "PolicyName", NULL, CARD_ONE_OR_MORE},
};
static const struct policy_attr_type attrs_app_cookie[] = {
    {"CookieName", "String", NULL, CARD_ONE},
};
static const struct policy_attr_type attrs_lb_cookie[] = {
    {"CookieExpirationPeriod", "Long", NULL, CARD_ZERO_OR_ONE},
};
static const struct policy_attr_type attrs_proxy_protocol[] = {
    {"ProxyProtocol", "Boolean", NULL, CARD_ONE},
};
static const struct policy_attr_type attrs_ssl[] = {
#define A(name, type, description) {name, type, description, CARD_ZERO_OR_ONE},
#include "ssl_attributes.def"
#undef A
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Descriptions are AWS's wording. */
const struct policy_type policy_types[] = {
    {POLICY_SSL_NEGOTIATION,
     "Listener policy that defines the ciphers and protocols that will be "
     "accepted by the load balancer. This policy can be associated only "
     "with HTTPS/SSL listeners.",
     attrs_ssl, N(attrs_ssl), PLACE_LISTENER},
    {POLICY_BACKEND_AUTH,
     "Policy that controls authentication to back-end server(s) and "
     "contains one or more policies, such as an instance of a "
     "PublicKeyPolicyType. This policy can be associated only with "
     "back-end servers that are using HTTPS/SSL.",
     attrs_backend_auth, N(attrs_backend_auth), PLACE_BACKEND},
    {POLICY_PUBLIC_KEY,
     "Policy containing a list of public keys to accept when "
     "authenticating the back-end server(s). This policy cannot be "
     "applied directly to back-end servers or listeners but must be part "
     "of a BackendServerAuthenticationPolicyType.",
     attrs_public_key, N(attrs_public_key), 0},
    {POLICY_APP_COOKIE,
     "Stickiness policy with session lifetimes controlled by the lifetime "
     "of the application-generated cookie. This policy can be associated "
     "only with HTTP/HTTPS listeners.",
     attrs_app_cookie, N(attrs_app_cookie), PLACE_LISTENER},
    {POLICY_LB_COOKIE,
     "Stickiness policy with session lifetimes controlled by the browser "
     "(user-agent) or a specified expiration period. This policy can be "
     "associated only with HTTP/HTTPS listeners.",
     attrs_lb_cookie, N(attrs_lb_cookie), PLACE_LISTENER},
    {POLICY_PROXY_PROTOCOL,
     "Policy that controls whether to include the IP address and port of "
     "the originating request for TCP messages. This policy operates on "
     "TCP/SSL listeners only",
     attrs_proxy_protocol, N(attrs_proxy_protocol), PLACE_BACKEND},
};
const size_t policy_type_count = N(policy_types);

const struct predefined_policy predefined_policies[] = {
#define P(name, enabled) {name, enabled},
#include "ssl_policies.def"
#undef P
};
const size_t predefined_policy_count = N(predefined_policies);

const struct policy_type *
policy_type_find(const char *name)
{
	for (size_t i = 0; i < policy_type_count; i++)
		if (strcmp(policy_types[i].name, name) == 0)
			return &policy_types[i];
	return NULL;
}

const struct policy_attr_type *
policy_attr_find(const struct policy_type *t, const char *name)
{
	for (size_t i = 0; i < t->nattrs; i++)
		if (strcmp(t->attrs[i].name, name) == 0)
			return &t->attrs[i];
	return NULL;
}

const char *
policy_cardinality_name(enum policy_cardinality c)
{
	static const char *const names[] = {
	    [CARD_ONE] = "ONE",
	    [CARD_ZERO_OR_ONE] = "ZERO_OR_ONE",
	    [CARD_ZERO_OR_MORE] = "ZERO_OR_MORE",
	    [CARD_ONE_OR_MORE] = "ONE_OR_MORE",
	};
	return names[c];
}

const struct predefined_policy *
predefined_policy_find(const char *name)
{
	for (size_t i = 0; i < predefined_policy_count; i++)
		if (strcmp(predefined_policies[i].name, name) == 0)
			return &predefined_policies[i];
	return NULL;
}

const char *
predefined_policy_value(const struct predefined_policy *p, const char *attr)
{
	size_t n = strlen(attr);
	for (const char *s = p->enabled; *s;) {
		size_t len = strcspn(s, ",");
		if (len == n && strncmp(s, attr, n) == 0)
			return "true";
		s += len + (s[len] == ',');
	}
	return "false";
}
