/*
 * eulb-servo: the data-plane agent. It asks eulbd for one load balancer's
 * resolved configuration (DescribeLoadBalancersByServo), probes back ends
 * that need back-end authentication, renders haproxy.cfg, checks it with
 * `haproxy -c`, reloads a master-worker HAProxy through its master socket,
 * and reports what HAProxy sees back to eulbd (PutServoStates).
 *
 * main.c          flags, environment, signals, the loop
 * servo.c         one cycle: fetch, probe, render, install, report
 * fetch.c         the signed HTTP client (SigV4 + libcurl + jansson)
 * backend_auth.c  back-end authentication: PublicKey values per port,
 *                 the probe-and-pin decisions
 * probe.c         OpenSSL: TLS probe of an instance, verification, keys
 * render.c        haproxy.cfg and its certificate files from the JSON
 * haproxy.c       the HAProxy process, its master and stats sockets
 * report.c        `show stat` to InService/OutOfService
 * util.c          JSON accessors, files, small helpers
 *
 * Each .c has the header of its name; this one holds the configuration
 * and the state of the agent across cycles.
 */
#ifndef EULB_SERVO_H
#define EULB_SERVO_H

#include <jansson.h>
#include <stddef.h>

#include "backend_auth.h"
#include "haproxy.h"

#define SERVO_PROG "eulb-servo"

struct servo_config {
	const char *lb;
	const char *account;
	const char *bind;      /* address the listeners bind on */
	const char *state_dir; /* absolute */
	const char *haproxy;   /* HAProxy binary */
	const char *url;       /* eulbd endpoint (AWS_ELB_URL) */
	const char *akid;
	const char *secret;
	const char *token; /* AWS_SESSION_TOKEN, optional */
	const char *region;
	const char *ca_bundle; /* for an https endpoint */
	const char *client_cert;
	const char *client_key;
	int interval;         /* seconds between cycles */
	int once;             /* render, check and install once; no HAProxy */
	int probe_timeout_ms; /* connect + handshake of one probe */
};

struct servo {
	const struct servo_config *cfg;
	struct servo_haproxy hx;
	struct servo_seen_cache seen;
	char *never_pem;
	char *live_cfg;      /* what HAProxy runs, or NULL */
	char **live_servers; /* its servo_render.servers */
	size_t nlive;
	char *failed_cfg;   /* the last render HAProxy refused */
	long long retry_at; /* ... tried again from then (monotonic ms) */
	char *refused;      /* `haproxy -c`'s first complaint about the
	                       render, while it is not what runs; or NULL */
	json_t *reported;   /* {instance: "state\tdescription"} last sent */
};

void servo_init(struct servo *s, const struct servo_config *cfg);
/* One cycle; 0 when the configuration is installed (or unchanged). */
int servo_cycle(struct servo *s);
void servo_shutdown(struct servo *s);

#endif
