/* eulb-servo: back-end server authentication, per port and per instance. */
#ifndef EULB_SERVO_BACKEND_AUTH_H
#define EULB_SERVO_BACKEND_AUTH_H

#include <jansson.h>
#include <stddef.h>

#include "probe.h"

/* What back-end authentication asks of one instance port. */
struct servo_port_auth {
	int port;
	int enabled;      /* a BackendServerAuthentication policy applies */
	char *auth_names; /* "a, b": the BackendServerAuthentication ones */
	char *key_names;  /* "pk1, pk2": the PublicKey policies reached */
	char **certs;     /* normalised PEM certificates */
	size_t ncerts;
	char (*keys)[65]; /* SPKI fingerprints of key-only values */
	size_t nkeys;
	int proxy_protocol; /* ProxyProtocolPolicyType ProxyProtocol=true */
};

void servo_port_auth(const json_t *lb, int port, struct servo_port_auth *a);
void servo_port_auth_free(struct servo_port_auth *a);

/* The decision for one (instance, instance port) under authentication. */
struct servo_pin {
	char *instance_id;
	int port;
	int fail;     /* render fail-closed (disabled, unmatched ca-file) */
	char *reason; /* why, naming the policy (for the report) */
	char *pem;    /* the server's whole ca-file, or NULL for the port's */
};

struct servo_pins {
	struct servo_pin *v;
	size_t n;
};

const struct servo_pin *servo_pins_find(const struct servo_pins *p,
                                        const char *instance_id, int port);
void servo_pins_add(struct servo_pins *p, const char *instance_id, int port,
                    int fail, const char *reason, const char *pem);
void servo_pins_free(struct servo_pins *p);

/* Certificates seen matching a key, kept across cycles so that an instance
 * that is briefly unreachable keeps its pin. */
struct servo_seen_cache {
	struct servo_seen_entry {
		char *key; /* "instance address port" */
		char *pem;
		char fingerprint[65];
	} * v;
	size_t n;
};

void servo_seen_cache_free(struct servo_seen_cache *c);

/* The decision for an instance that presented seen on a's port. */
void servo_auth_decide(const struct servo_port_auth *a, const char *id,
                       const char *cache_key,
                       const struct servo_seen_cert *seen,
                       struct servo_seen_cache *cache, struct servo_pins *out);

/* Probes every instance on every authenticated HTTPS/SSL instance port of
 * lb and decides, per instance, to pin, to leave to HAProxy, or to fail
 * closed. */
void servo_auth_plan(const json_t *lb, struct servo_seen_cache *cache,
                     int timeout_ms, struct servo_pins *out);

#endif
