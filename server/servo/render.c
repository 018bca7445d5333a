/*
 * haproxy.cfg from DescribeLoadBalancersByServo (HAProxy 2.6 Configuration
 * Manual: frontend, backend, server ... ssl verify required ca-file):
 * one frontend/backend pair per listener, servers named by instance id,
 * certificate files named by their content hash so that a render never
 * changes a file the running HAProxy still reads.
 *
 * Pure: JSON and probe decisions in, text and files out. Every value is
 * checked against what HAProxy takes (common/hxval.h) even though eulbd
 * checks them too: rows stored before those checks must not stop HAProxy
 * from loading the whole configuration.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend_auth.h"
#include "buf.h"
#include "hxval.h"
#include "log.h"
#include "render.h"
#include "servo.h"
#include "util.h"

#define DEFAULT_IDLE 60
#define HARD_STOP_MIN 30

struct health {
	int ok;
	char proto[8]; /* HTTP HTTPS TCP SSL */
	long port;
	struct buf path; /* HTTP(S) only, made safe */
	long interval, timeout, unhealthy, healthy;
};

struct listener {
	const json_t *desc;
	char proto[8];
	char iproto[8];
	long port;
	long iport;
};

struct rctx {
	const json_t *lb;
	const struct servo_render_in *in;
	struct servo_render *out;
	const char *name;
	long idle;
	struct health hc;
};

void
servo_proxy_name(const char *lb, const char *proto, long port, char *out,
                 size_t size)
{
	char lower[8];
	size_t i;
	for (i = 0; proto[i] && i < sizeof lower - 1; i++)
		lower[i] = (char)(proto[i] | 0x20);
	lower[i] = '\0';
	snprintf(out, size, "%s-%s-%ld", lb, lower, port);
}

static const char *
render_file(struct rctx *r, const char *kind, long port, const char *data)
{
	char hash[17];
	struct buf path = BUF_INIT;
	servo_short_hash(data, hash);
	buf_printf(&path, "%s-%ld-%s.pem", kind, port, hash);
	for (size_t i = 0; i < r->out->nfiles; i++)
		if (strcmp(r->out->files[i].path, buf_str(&path)) == 0) {
			buf_free(&path);
			return r->out->files[i].path;
		}
	r->out->files = xrealloc(r->out->files,
	                         (r->out->nfiles + 1) * sizeof *r->out->files);
	struct servo_file *f = &r->out->files[r->out->nfiles++];
	f->path = buf_steal(&path);
	f->data = xstrdup(data);
	return f->path;
}

static long
clamp(long v, long lo, long hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void
put_pem(struct buf *b, const char *pem)
{
	if (!pem || !*pem)
		return;
	buf_puts(b, pem);
	if (pem[strlen(pem) - 1] != '\n')
		buf_putc(b, '\n');
}

/* --- health check ------------------------------------------------------- */

/* Path characters HAProxy takes as one plain word; others become %XX. */
static void
safe_path(struct buf *b, const char *p)
{
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/?=&:@!*+,%;", c))
			buf_putc(b, (char)c);
		else
			buf_printf(b, "%%%02X", c);
	}
}

static void
parse_health(const json_t *lb, struct health *hc)
{
	const json_t *h = json_object_get(lb, "HealthCheck");
	const char *t = sj_str(h, "Target");
	const char *colon = t ? strchr(t, ':') : NULL;
	char *end;
	memset(hc, 0, sizeof *hc);
	if (!colon || colon - t >= (long)sizeof hc->proto ||
	    sj_int(h, "Interval", &hc->interval) < 0 ||
	    sj_int(h, "Timeout", &hc->timeout) < 0 ||
	    sj_int(h, "UnhealthyThreshold", &hc->unhealthy) < 0 ||
	    sj_int(h, "HealthyThreshold", &hc->healthy) < 0)
		return;
	for (long i = 0; i < colon - t; i++)
		hc->proto[i] = (char)(t[i] & ~0x20);
	hc->port = strtol(colon + 1, &end, 10);
	if (hc->port < 1 || hc->port > 65535 || hc->interval < 1 ||
	    hc->timeout < 1 || hc->unhealthy < 1 || hc->healthy < 1)
		return;
	hc->interval = clamp(hc->interval, 1, HXVAL_TIMER_S_MAX);
	hc->timeout = clamp(hc->timeout, 1, HXVAL_TIMER_S_MAX);
	hc->unhealthy = clamp(hc->unhealthy, 1, HXVAL_COUNT_MAX);
	hc->healthy = clamp(hc->healthy, 1, HXVAL_COUNT_MAX);
	int http = !strcmp(hc->proto, "HTTP") || !strcmp(hc->proto, "HTTPS");
	if (!http && strcmp(hc->proto, "TCP") && strcmp(hc->proto, "SSL"))
		return;
	if (http)
		safe_path(&hc->path, *end == '/' ? end : "/");
	hc->ok = 1;
}

static void
render_health(struct rctx *r, struct buf *b)
{
	const struct health *hc = &r->hc;
	const char *dns = sj_str(r->lb, "DNSName");
	if (!hc->ok)
		return;
	if (hc->path.len) {
		buf_puts(b, "    option httpchk\n");
		if (servo_word_ok(dns, NULL))
			buf_printf(b,
			           "    http-check send meth GET uri %s ver "
			           "HTTP/1.1 hdr Host %s\n",
			           buf_str(&hc->path), dns);
		else
			buf_printf(b,
			           "    http-check send meth GET uri %s ver "
			           "HTTP/1.0\n",
			           buf_str(&hc->path));
		buf_puts(b, "    http-check expect status 200\n");
	}
	buf_printf(b, "    timeout check %lds\n", hc->timeout);
	buf_printf(b, "    default-server inter %lds fall %ld rise %ld\n",
	           hc->interval, hc->unhealthy, hc->healthy);
}

/* The check part of a server line. An `ssl` server checked on its own port
 * is checked over TLS with the same verification, so an instance that fails
 * back-end authentication is also seen as down. */
static void
render_check(struct rctx *r, struct buf *b, const struct listener *l,
             int server_ssl)
{
	const struct health *hc = &r->hc;
	if (!hc->ok)
		return;
	int tls = !strcmp(hc->proto, "HTTPS") || !strcmp(hc->proto, "SSL");
	if (server_ssl && hc->port == l->iport) {
		buf_puts(b, " check");
		return;
	}
	buf_puts(b, " check");
	if (hc->port != l->iport)
		buf_printf(b, " port %ld", hc->port);
	if (tls)
		buf_puts(b, " check-ssl");
	if (tls && !server_ssl)
		buf_puts(b, " verify none");
}

/* --- TLS on the front --------------------------------------------------- */

/* -1 if HAProxy could not load the policy (no protocol or cipher its
 * OpenSSL has): the listener is then left out, not the whole file. */
static int
render_ssl_policy(struct rctx *r, struct buf *b, const json_t *names, long port)
{
	const json_t *p =
	    servo_policy_of_type(r->lb, names, "SSLNegotiationPolicyType");
	int min = -1, max = -1;
	struct buf ciphers = BUF_INIT;
	char why[300];
	size_t i;
	json_t *a;
	if (!p)
		return 0;
	for (int k = 0; k < HXVAL_NPROTO; k++) {
		const char *v = servo_policy_attr(p, hxval_proto_attr[k]);
		if (v && strcasecmp(v, "true") == 0) {
			if (min < 0)
				min = k;
			max = k;
		}
	}
	json_array_foreach(json_object_get(p, "PolicyAttributeDescriptions"), i,
	                   a)
	{
		const char *n = sj_str(a, "AttributeName");
		const char *v = sj_str(a, "AttributeValue");
		if (!n || !v || strcasecmp(v, "true") ||
		    !hxval_is_cipher_attr(n) || !servo_word_ok(n, "+"))
			continue;
		buf_printf(&ciphers, "%s%s", ciphers.len ? ":" : "", n);
	}
	if (hxval_tls(min, max, &ciphers, why, sizeof why) < 0) {
		log_warn("listener %ld of load balancer %s: SSL policy %s "
		         "cannot be served: %s; not serving the listener",
		         port, r->name, sj_str(p, "PolicyName"), why);
		buf_free(&ciphers);
		return -1;
	}
	if (min >= 0)
		buf_printf(b, " ssl-min-ver %s ssl-max-ver %s",
		           hxval_proto_word[min], hxval_proto_word[max]);
	if (ciphers.len)
		buf_printf(b, " ciphers %s", buf_str(&ciphers));
	const char *order = servo_policy_attr(p, "Server-Defined-Cipher-Order");
	if (order && strcasecmp(order, "false") == 0)
		buf_puts(b, " prefer-client-ciphers");
	buf_free(&ciphers);
	return 0;
}

/* " ssl crt <file> ..." or -1 if the listener has no certificate or an SSL
 * policy HAProxy cannot serve. */
static int
render_bind_tls(struct rctx *r, struct buf *b, const struct listener *l)
{
	const json_t *sc = json_object_get(l->desc, "ServerCertificate");
	const char *body = sj_str(sc, "CertificateBody");
	const char *key = sj_str(sc, "PrivateKey");
	struct buf pem = BUF_INIT;
	if (!body || !key) {
		log_warn("listener %ld of load balancer %s has no server "
		         "certificate (deleted?); not serving it",
		         l->port, r->name);
		return -1;
	}
	put_pem(&pem, body);
	put_pem(&pem, sj_str(sc, "CertificateChain"));
	put_pem(&pem, key);
	buf_printf(b, " ssl crt %s/%s", r->in->state_dir,
	           render_file(r, "certs/listener", l->port, buf_str(&pem)));
	buf_free(&pem);
	return render_ssl_policy(r, b, json_object_get(l->desc, "PolicyNames"),
	                         l->port);
}

/* --- frontend, backend, servers ----------------------------------------- */

static int
render_frontend(struct rctx *r, struct buf *b, const struct listener *l,
                const char *px)
{
	int http = !strcmp(l->proto, "HTTP") || !strcmp(l->proto, "HTTPS");
	int tls = !strcmp(l->proto, "HTTPS") || !strcmp(l->proto, "SSL");
	struct buf bind = BUF_INIT;
	buf_printf(&bind, "    bind %s:%ld", r->in->bind, l->port);
	if (tls && render_bind_tls(r, &bind, l) < 0) {
		buf_free(&bind);
		return -1;
	}
	buf_printf(b, "\nfrontend %s\n    mode %s\n%s\n", px,
	           http ? "http" : "tcp", buf_str(&bind));
	buf_printf(b, "    timeout client %lds\n", r->idle);
	if (http)
		buf_printf(b,
		           "    option forwardfor\n"
		           "    http-request set-header X-Forwarded-Proto %s\n"
		           "    http-request set-header X-Forwarded-Port "
		           "%%[dst_port]\n",
		           tls ? "https" : "http");
	buf_printf(b, "    default_backend %s\n", px);
	buf_free(&bind);
	return 0;
}

/* An LB cookie policy's period in seconds: 0 (a session cookie) when
 * absent or not a number, at most what HAProxy takes. */
static long
render_cookie_period(const json_t *p)
{
	const char *v = servo_policy_attr(p, "CookieExpirationPeriod");
	char *end;
	if (!v)
		return 0;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno == ERANGE && n > 0)
		n = HXVAL_COOKIE_PERIOD_MAX + 1LL;
	else if (!*v || *end || errno || n < 0) {
		log_warn("cookie expiration period of policy %s is not a "
		         "number; using a session cookie",
		         sj_str(p, "PolicyName"));
		return 0;
	}
	if (n > HXVAL_COOKIE_PERIOD_MAX) {
		log_warn("cookie expiration period of policy %s is more than "
		         "HAProxy takes; using %ld s",
		         sj_str(p, "PolicyName"), HXVAL_COOKIE_PERIOD_MAX);
		n = HXVAL_COOKIE_PERIOD_MAX;
	}
	return (long)n;
}

/* LB cookie wins over app cookie, as in servo. Returns 1 when servers
 * carry `cookie <instance-id>`. */
static int
render_stickiness(struct rctx *r, struct buf *b, const struct listener *l)
{
	const json_t *names = json_object_get(l->desc, "PolicyNames");
	const json_t *p =
	    servo_policy_of_type(r->lb, names, "LBCookieStickinessPolicyType");
	if (p) {
		long n = render_cookie_period(p);
		buf_puts(b, "    cookie AWSELB insert indirect nocache");
		if (n > 0)
			buf_printf(b, " maxidle %lds maxlife %lds", n, n);
		buf_putc(b, '\n');
		return 1;
	}
	p = servo_policy_of_type(r->lb, names, "AppCookieStickinessPolicyType");
	const char *cookie = servo_policy_attr(p, "CookieName");
	if (p && hxval_cookie_name_ok(cookie)) {
		buf_printf(b,
		           "    stick-table type string len 64 size 100k "
		           "expire 24h\n"
		           "    stick on req.cook(%s)\n"
		           "    stick store-response res.cook(%s)\n",
		           cookie, cookie);
	} else if (p) {
		log_warn("app cookie name of policy %s is not usable",
		         sj_str(p, "PolicyName"));
	}
	return 0;
}

static int
address_ok(const char *a)
{
	unsigned char buf[16];
	return a && (inet_pton(AF_INET, a, buf) == 1 ||
	             inet_pton(AF_INET6, a, buf) == 1);
}

/* " ssl ..." of a server line. Never `verify none` under back-end
 * authentication: the pinned certificate, the port's certificates, or,
 * when there is nothing to trust, one that nothing can present. */
static void
render_server_tls(struct rctx *r, struct buf *line, const struct listener *l,
                  const struct servo_port_auth *auth,
                  const struct servo_pin *pin)
{
	struct buf ca = BUF_INIT;
	if (!auth->enabled) {
		buf_puts(line, " ssl verify none");
		return;
	}
	if (pin && !pin->fail && pin->pem)
		put_pem(&ca, pin->pem);
	else
		for (size_t i = 0; i < auth->ncerts; i++)
			put_pem(&ca, auth->certs[i]);
	if (!ca.len)
		put_pem(&ca, r->in->never_pem);
	buf_printf(line, " ssl verify required ca-file %s/%s", r->in->state_dir,
	           render_file(r, "backend-auth/port", l->iport, buf_str(&ca)));
	buf_free(&ca);
}

/* Adds "<backend> <server line>" to the render's list; 0 if the backend
 * already has a server of that name (HAProxy would refuse the file). */
static int
render_server_record(struct rctx *r, const char *px, const char *id,
                     const char *line)
{
	struct servo_render *o = r->out;
	struct buf rec = BUF_INIT;
	size_t n = strlen(px) + strlen(" server ") + strlen(id);
	buf_printf(&rec, "%s server %s ", px, id);
	for (size_t i = 0; i < o->nservers; i++)
		if (!strncmp(o->servers[i], buf_str(&rec), n + 1)) {
			buf_free(&rec);
			return 0;
		}
	buf_reset(&rec);
	buf_printf(&rec, "%s %s", px, line);
	o->servers =
	    xrealloc(o->servers, (o->nservers + 1) * sizeof *o->servers);
	o->servers[o->nservers++] = buf_steal(&rec);
	return 1;
}

static void
render_server(struct rctx *r, struct buf *b, const struct listener *l,
              const struct servo_port_auth *auth, const json_t *inst,
              int cookie, const char *px)
{
	const char *id = sj_str(inst, "InstanceId");
	const char *addr = sj_str(inst, "InstanceIpAddress");
	int tls = !strcmp(l->iproto, "HTTPS") || !strcmp(l->iproto, "SSL");
	struct buf line = BUF_INIT;
	if (!servo_word_ok(id, NULL) || !address_ok(addr))
		return;
	const struct servo_pin *pin =
	    servo_pins_find(r->in->pins, id, l->iport);
	int v6 = strchr(addr, ':') != NULL;
	buf_printf(&line, "server %s %s%s%s:%ld", id, v6 ? "[" : "", addr,
	           v6 ? "]" : "", l->iport);
	if (tls)
		render_server_tls(r, &line, l, auth, pin);
	if (auth->proxy_protocol)
		buf_puts(&line, " send-proxy");
	render_check(r, &line, l, tls);
	/* Checks on the traffic port speak the protocol the port expects. */
	if (auth->proxy_protocol && r->hc.ok && r->hc.port == l->iport)
		buf_puts(&line, " check-send-proxy");
	if (cookie)
		buf_printf(&line, " cookie %s", id);
	/* Fail closed: the probe found no match, or nothing could match. */
	if (tls && auth->enabled &&
	    ((pin && pin->fail) || (!pin && !auth->ncerts)))
		buf_puts(&line, " disabled");
	if (render_server_record(r, px, id, buf_str(&line)))
		buf_printf(b, "    %s\n", buf_str(&line));
	buf_free(&line);
}

static void
render_backend(struct rctx *r, struct buf *b, const struct listener *l,
               const char *px)
{
	int http = !strcmp(l->proto, "HTTP") || !strcmp(l->proto, "HTTPS");
	struct servo_port_auth auth;
	size_t i;
	json_t *inst;
	buf_printf(b,
	           "backend %s\n    mode %s\n    balance roundrobin\n"
	           "    timeout server %lds\n",
	           px, http ? "http" : "tcp", r->idle);
	int cookie = http ? render_stickiness(r, b, l) : 0;
	render_health(r, b);
	servo_port_auth(r->lb, (int)l->iport, &auth);
	json_array_foreach(json_object_get(r->lb, "BackendInstances"), i, inst)
	    render_server(r, b, l, &auth, inst, cookie, px);
	servo_port_auth_free(&auth);
}

static int
listener_read(const json_t *desc, struct listener *l)
{
	const json_t *j = json_object_get(desc, "Listener");
	const char *p = sj_str(j, "Protocol");
	const char *ip = sj_str(j, "InstanceProtocol");
	static const char *const known[] = {"HTTP", "HTTPS", "TCP", "SSL"};
	int ok = 0, iok = 0;
	memset(l, 0, sizeof *l);
	l->desc = desc;
	if (!ip)
		ip = p;
	for (int k = 0; p && ip && k < 4; k++) {
		ok |= strcasecmp(p, known[k]) == 0;
		iok |= strcasecmp(ip, known[k]) == 0;
	}
	if (!ok || !iok || sj_int(j, "LoadBalancerPort", &l->port) < 0 ||
	    sj_int(j, "InstancePort", &l->iport) < 0 || l->port < 1 ||
	    l->port > 65535 || l->iport < 1 || l->iport > 65535)
		return -1;
	for (size_t k = 0; k < 8 && p[k]; k++)
		l->proto[k] = (char)(p[k] & ~0x20);
	for (size_t k = 0; k < 8 && ip[k]; k++)
		l->iproto[k] = (char)(ip[k] & ~0x20);
	return 0;
}

static int
listener_cmp(const void *a, const void *b)
{
	const struct listener *x = a, *y = b;
	return (x->port > y->port) - (x->port < y->port);
}

static void
render_global(struct rctx *r, struct buf *b)
{
	const json_t *attrs = json_object_get(r->lb, "LoadBalancerAttributes");
	const json_t *drain = json_object_get(attrs, "ConnectionDraining");
	const char *account = r->lb ? sj_str(r->lb, "AccountId") : NULL;
	long idle = DEFAULT_IDLE, stop = HARD_STOP_MIN, t;
	if (sj_int(json_object_get(attrs, "ConnectionSettings"), "IdleTimeout",
	           &t) == 0)
		idle = t < 1 ? 1 : t > 3600 ? 3600 : t;
	if (sj_true(drain, "Enabled") && sj_int(drain, "Timeout", &t) == 0 &&
	    t > stop)
		stop = t > 3600 ? 3600 : t;
	r->idle = idle;
	buf_printf(b,
	           "# Rendered by " SERVO_PROG " for load balancer %s "
	           "(account %s). Do not edit: the next cycle replaces it.\n"
	           "global\n"
	           "    stats socket %s/haproxy.sock mode 600 level admin\n"
	           "    server-state-file %s/server-state\n"
	           "    hard-stop-after %lds\n"
	           "    ssl-server-verify required\n"
	           "\n"
	           "defaults\n"
	           "    timeout connect 5s\n"
	           "    timeout client %lds\n"
	           "    timeout server %lds\n"
	           "    timeout check 5s\n"
	           "    retries 2\n"
	           "    option redispatch 1\n"
	           "    load-server-state-from-file global\n",
	           r->name ? r->name : "(none)",
	           servo_word_ok(account, NULL) ? account : "?",
	           r->in->state_dir, r->in->state_dir, stop, idle, idle);
}

int
servo_render(const json_t *lb, const struct servo_render_in *in,
             struct servo_render *out)
{
	struct rctx r = {lb, in, out, sj_str(lb, "LoadBalancerName"), 0, {0}};
	struct listener *ls = NULL;
	size_t n = 0, i;
	json_t *d;
	memset(out, 0, sizeof *out);
	if (r.name && !servo_word_ok(r.name, NULL)) {
		log_error(
		    "load balancer name '%s' is not usable in haproxy.cfg",
		    r.name);
		return -1;
	}
	render_global(&r, &out->cfg);
	if (!lb)
		return 0;
	parse_health(lb, &r.hc);
	json_array_foreach(json_object_get(lb, "ListenerDescriptions"), i, d)
	{
		ls = xrealloc(ls, (n + 1) * sizeof *ls);
		if (listener_read(d, &ls[n]) == 0)
			n++;
		else
			log_warn("skipping a listener of %s that is not "
			         "HTTP/HTTPS/TCP/SSL with ports 1-65535",
			         r.name);
	}
	qsort(ls, n, sizeof *ls, listener_cmp);
	for (i = 0; i < n; i++) {
		char px[96];
		servo_proxy_name(r.name, ls[i].proto, ls[i].port, px,
		                 sizeof px);
		if (render_frontend(&r, &out->cfg, &ls[i], px) == 0)
			render_backend(&r, &out->cfg, &ls[i], px);
	}
	free(ls);
	buf_free(&r.hc.path);
	return 0;
}

void
servo_render_free(struct servo_render *r)
{
	buf_free(&r->cfg);
	for (size_t i = 0; i < r->nfiles; i++) {
		free(r->files[i].path);
		free(r->files[i].data);
	}
	free(r->files);
	for (size_t i = 0; i < r->nservers; i++)
		free(r->servers[i]);
	free(r->servers);
	memset(r, 0, sizeof *r);
}
