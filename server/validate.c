#include "validate.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "params.h"

int
validate_lb_name(struct request *rq, const char *name)
{
	size_t len = strlen(name);
	if (len > 32)
		return resp_error(rq, ERR_VALIDATION,
		                  "LoadBalancer name cannot be longer than 32 "
		                  "characters ('%s' has %zu)",
		                  name, len);
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-')
			return resp_error(rq, ERR_VALIDATION,
			                  "LoadBalancer name cannot contain "
			                  "characters that are not letters, or "
			                  "digits or the dash ('%s')",
			                  name);
	if (name[0] == '-' || name[len - 1] == '-')
		return resp_error(rq, ERR_VALIDATION,
		                  "LoadBalancer name cannot begin or end with "
		                  "a dash ('%s')",
		                  name);
	return 0;
}

int
protocol_is_secure(const char *protocol)
{
	return strcmp(protocol, "HTTPS") == 0 || strcmp(protocol, "SSL") == 0;
}

static int
protocol_is_http(const char *protocol)
{
	return strcmp(protocol, "HTTP") == 0 || strcmp(protocol, "HTTPS") == 0;
}

int
validate_protocol(struct request *rq, const char *param, const char *value,
                  char out[8])
{
	static const char *const known[] = {"HTTP", "HTTPS", "TCP", "SSL"};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		if (strcasecmp(value, known[i]) == 0) {
			strcpy(out, known[i]);
			return 0;
		}
	}
	return resp_error(rq, ERR_UNSUPPORTED_PROTOCOL,
	                  "%s '%s' is not supported; use HTTP, HTTPS, TCP or "
	                  "SSL",
	                  param, value);
}

static int
validate_port(struct request *rq, long *port, unsigned n, const char *field)
{
	int rc =
	    param_int(rq, port, 1, 65535, "Listeners.member.%u.%s", n, field);
	if (rc == 1)
		return resp_error(rq, ERR_MISSING_PARAMETER,
		                  "The request must contain the parameter "
		                  "Listeners.member.%u.%s",
		                  n, field);
	return rc;
}

/* The instance protocol defaults to the front end's family. */
static int
validate_listener_protocols(struct request *rq, unsigned n, struct listener *l)
{
	const char *proto, *iproto;
	if (param_require(rq, &proto, "Listeners.member.%u.Protocol", n) < 0 ||
	    validate_protocol(rq, "Protocol", proto, l->protocol) < 0)
		return -1;
	iproto = param_get(rq, "Listeners.member.%u.InstanceProtocol", n);
	if (!iproto || !*iproto) {
		strcpy(l->instance_protocol,
		       protocol_is_http(l->protocol) ? "HTTP" : "TCP");
		return 0;
	}
	if (validate_protocol(rq, "InstanceProtocol", iproto,
	                      l->instance_protocol) < 0)
		return -1;
	if (protocol_is_http(l->protocol) !=
	    protocol_is_http(l->instance_protocol))
		return resp_error(rq, ERR_VALIDATION,
		                  "Listener on port %ld: front-end protocol %s "
		                  "cannot forward to instance protocol %s; "
		                  "HTTP/HTTPS pair with HTTP/HTTPS and TCP/SSL "
		                  "with TCP/SSL",
		                  l->lb_port, l->protocol,
		                  l->instance_protocol);
	return 0;
}

int
validate_listener(struct request *rq, unsigned n, struct listener *l)
{
	memset(l, 0, sizeof *l);
	if (validate_port(rq, &l->lb_port, n, "LoadBalancerPort") < 0 ||
	    validate_port(rq, &l->instance_port, n, "InstancePort") < 0)
		return -1;
	if (config_port_restricted(rq->config, l->lb_port))
		return resp_error(rq, ERR_VALIDATION,
		                  "LoadBalancerPort %ld is reserved on this "
		                  "cloud; choose another port",
		                  l->lb_port);
	if (validate_listener_protocols(rq, n, l) < 0)
		return -1;
	const char *cert =
	    param_get(rq, "Listeners.member.%u.SSLCertificateId", n);
	if (protocol_is_secure(l->protocol)) {
		if (!cert || !*cert)
			return resp_error(rq, ERR_VALIDATION,
			                  "Secure Listeners need to specify a "
			                  "SSLCertificateId (listener on port "
			                  "%ld is %s)",
			                  l->lb_port, l->protocol);
		l->ssl_certificate_id = xstrdup(cert);
	}
	/* Like AWS, a certificate on a plain listener is silently dropped. */
	return 0;
}

static int
validate_target_port(const char *s, size_t len)
{
	if (len == 0 || len > 5)
		return 0;
	long port = 0;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		port = port * 10 + (s[i] - '0');
	}
	return port >= 1 && port <= 65535;
}

/* RFC 3986 path and query characters, others percent-encoded, and no
 * quotes: the path is the check's request target and a word of
 * haproxy.cfg. */
static int
validate_ping_path(const char *p)
{
	for (; *p; p++) {
		if (*p == '%' && isxdigit((unsigned char)p[1]) &&
		    isxdigit((unsigned char)p[2])) {
			p += 2;
			continue;
		}
		if (!isalnum((unsigned char)*p) &&
		    !strchr("-._~!$&()*+,;=:@/?", *p))
			return 0;
	}
	return 1;
}

int
validate_health_target(struct request *rq, const char *target, char **out)
{
	const char *colon = strchr(target, ':');
	char proto[8];
	if (!colon || colon - target > 5)
		goto bad;
	snprintf(proto, sizeof proto, "%.*s", (int)(colon - target), target);
	if (validate_protocol(rq, "HealthCheck.Target protocol", proto, proto) <
	    0)
		return -1;
	const char *port = colon + 1;
	const char *slash = strchr(port, '/');
	size_t port_len = slash ? (size_t)(slash - port) : strlen(port);
	if (!validate_target_port(port, port_len))
		goto bad;
	if (protocol_is_http(proto) ? !slash : slash != NULL)
		goto bad;
	if (slash && strlen(slash) > 1024)
		return resp_error(rq, ERR_VALIDATION,
		                  "HealthCheck.Target path is longer than "
		                  "1024 characters");
	if (slash && !validate_ping_path(slash))
		return resp_error(rq, ERR_VALIDATION,
		                  "HealthCheck.Target path may hold only "
		                  "letters, digits, -._~!$&()*+,;=:@/? and "
		                  "%%XX escapes (no spaces, quotes or '#')");
	struct buf b = BUF_INIT;
	buf_printf(&b, "%s:%s", proto, port);
	*out = buf_steal(&b);
	return 0;
bad:
	return resp_error(rq, ERR_VALIDATION,
	                  "HealthCheck.Target '%s' is not valid; use TCP:PORT, "
	                  "SSL:PORT, HTTP:PORT/PATH or HTTPS:PORT/PATH with "
	                  "PORT from 1 to 65535",
	                  target);
}
