/*
 * eulb-servo: the data-plane agent. It asks eulbd for one load balancer's
 * resolved configuration (DescribeLoadBalancersByServo), probes back ends
 * that need back-end authentication, renders haproxy.cfg, checks it with
 * `haproxy -c`, reloads a master-worker HAProxy through its master socket,
 * and reports what HAProxy sees back to eulbd (PutServoStates).
 *
 * servo_main.c    flags, environment, signals, the loop
 * servo_cycle.c   one cycle: fetch, probe, render, install, report
 * servo_fetch.c   the signed HTTP client (SigV4 + libcurl + jansson)
 * servo_auth.c    back-end authentication: PublicKey values per port,
 *                 the probe-and-pin decisions
 * servo_probe.c   OpenSSL: TLS probe of an instance, verification, keys
 * servo_render.c  haproxy.cfg and its certificate files from the JSON
 * servo_haproxy.c the HAProxy process, its master and stats sockets
 * servo_report.c  `show stat` to InService/OutOfService
 * servo_util.c    JSON accessors, files, small helpers
 */
#ifndef EULB_SERVO_H
#define EULB_SERVO_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

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

/* --- servo_util.c: JSON accessors (numbers may arrive as strings) ------ */
const char *sj_str(const json_t *o, const char *key);
int sj_int(const json_t *o, const char *key, long *out);
int sj_true(const json_t *o, const char *key);
/* The PolicyDescriptions member named name, or NULL. */
const json_t *servo_policy(const json_t *lb, const char *name);
/* The first value of attribute attr of a policy, or NULL. */
const char *servo_policy_attr(const json_t *policy, const char *attr);
/* The policy of that type among the names in a PolicyNames array. */
const json_t *servo_policy_of_type(const json_t *lb, const json_t *names,
                                   const char *type);
/* First 16 hex digits of the SHA-256 of s. */
void servo_short_hash(const char *s, char out[17]);
/* Writes path (0600) through a temporary file and rename(2). */
int servo_write_file(const char *path, const char *data, size_t len);
/* Reads a whole file; NULL if it can't. */
char *servo_read_file(const char *path);
int servo_mkdir(const char *path);
/* Safe to put into haproxy.cfg as one word: [A-Za-z0-9._:-]+ and the like */
int servo_word_ok(const char *s, const char *extra);
/* malloc'd "dir/name" */
char *servo_path(const char *dir, const char *name);
/* Monotonic milliseconds. */
long long servo_now_ms(void);

/* --- servo_fetch.c ----------------------------------------------------- */
enum servo_fetch_rc {
	SERVO_FETCH_OK,
	SERVO_FETCH_NOT_FOUND, /* LoadBalancerNotFound: nothing to serve */
	SERVO_FETCH_ERROR,
};

/* *lb is the LoadBalancerDescriptions member (a new reference). */
int servo_fetch(const struct servo_config *c, json_t **lb, struct buf *err);

struct servo_state {
	const char *instance_id;
	const char *state;       /* InService | OutOfService */
	const char *reason_code; /* Instance | ELB, or NULL */
	const char *description; /* or NULL */
};

int servo_put_states(const struct servo_config *c, const struct servo_state *v,
                     size_t n, struct buf *err);

/* --- servo_probe.c ----------------------------------------------------- */
struct stack_st_X509;

struct servo_seen_cert {
	char *pem;            /* the leaf the instance presented */
	char fingerprint[65]; /* SHA-256 of its DER SubjectPublicKeyInfo */
	char subject[256];    /* one line, for messages */
	struct stack_st_X509 *chain; /* STACK_OF(X509), leaf first */
};

/* TLS handshake to host:port without verification (no SNI, as HAProxy
 * connects); fills *seen. Returns 0, or -1 with why. */
int servo_probe(const char *host, int port, int timeout_ms,
                struct servo_seen_cert *seen, char *why, size_t why_size);
void servo_seen_free(struct servo_seen_cert *seen);
/* Verifies the seen chain as HAProxy's `ssl verify required ca-file`
 * would with the given PEM certificates as the ca-file. 0 when it
 * passes; -1 with OpenSSL's reason. */
int servo_verify(const struct servo_seen_cert *seen, const char *const *pems,
                 size_t npems, char *why, size_t why_size);
/* A PublicKey value (PEM or bare base64 of a certificate or public key):
 * 0 with the SPKI fingerprint and, for certificates, *pem set to the
 * normalised PEM (malloc'd; NULL for a bare key). -1 if unusable. */
int servo_public_key(const char *value, char fp[65], char **pem);
/* A self-signed certificate whose private key is thrown away: a ca-file
 * that nothing can match (fail closed). malloc'd PEM. */
char *servo_never_cert(void);

/* --- servo_auth.c ------------------------------------------------------ */

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

/* --- servo_render.c ---------------------------------------------------- */
struct servo_file {
	char *path; /* relative to the state directory */
	char *data;
};

struct servo_render {
	struct buf cfg;
	struct servo_file *files;
	size_t nfiles;
	/* "backend server-line" of every server, to carry health across a
	 * reload only for servers whose line did not change. */
	char **servers;
	size_t nservers;
};

struct servo_render_in {
	const char *bind;
	const char *state_dir;
	const char *never_pem; /* servo_never_cert() */
	const struct servo_pins *pins;
};

/* lb may be NULL (the load balancer is gone): a configuration without
 * listeners. Returns 0; render errors in one listener skip it, logged. */
int servo_render(const json_t *lb, const struct servo_render_in *in,
                 struct servo_render *out);
void servo_render_free(struct servo_render *r);
/* frontend/backend name of a listener: <lb>-<proto>-<port> */
void servo_proxy_name(const char *lb, const char *proto, long port, char *out,
                      size_t size);

/* --- servo_haproxy.c --------------------------------------------------- */
struct servo_haproxy {
	const char *bin;
	char *cfg;         /* <state>/haproxy.cfg */
	char *master_sock; /* <state>/master.sock */
	char *stats_sock;  /* <state>/haproxy.sock */
	pid_t pid;         /* the master, or 0 */
};

/* Sends one command line to a Unix CLI socket and reads the answer to EOF. */
int servo_unix_cmd(const char *path, const char *cmd, struct buf *out,
                   int timeout_ms);
/* `haproxy -c -q -f cfg`: 0 when valid; HAProxy's words in out. */
int servo_haproxy_check(const char *bin, const char *cfg, struct buf *out);
int servo_haproxy_start(struct servo_haproxy *h);
/* Reload through the master socket; 0 once the master confirms success. */
int servo_haproxy_reload(struct servo_haproxy *h);
int servo_haproxy_running(struct servo_haproxy *h);
/* Soft stop (SIGUSR1), then SIGTERM, then SIGKILL, each bounded. */
void servo_haproxy_stop(struct servo_haproxy *h);

/* --- servo_report.c ---------------------------------------------------- */
struct servo_health {
	char *instance_id;
	char *state;       /* InService | OutOfService */
	char *reason_code; /* NULL for InService */
	char *description; /* NULL for InService */
};

/* The health of each registered instance from `show stat` CSV; instances
 * HAProxy has not checked yet are left out. */
void servo_health(const json_t *lb, const char *csv,
                  const struct servo_pins *pins, struct servo_health **out,
                  size_t *n);
void servo_health_free(struct servo_health *v, size_t n);

/* --- servo_cycle.c ----------------------------------------------------- */
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
