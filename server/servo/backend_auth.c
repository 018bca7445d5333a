/*
 * Back-end server authentication in eulb-servo.
 *
 * A PublicKey value holding a certificate goes into the port's ca-file
 * (`ssl verify required`), as Eucalyptus did. A value holding only a
 * public key (AWS style) cannot be expressed to HAProxy 2.6, so before each
 * render every instance of the port is probed: when the certificate it
 * presents carries an allowed key, exactly that certificate is pinned.
 * An instance that matches nothing is rendered fail-closed and reported
 * OutOfService with a reason that names the policy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend_auth.h"
#include "buf.h"
#include "log.h"
#include "util.h"

#define POLICY_BACKEND_AUTH "BackendServerAuthenticationPolicyType"
#define POLICY_PROXY "ProxyProtocolPolicyType"

static void
servo_names_add(char **list, const char *name)
{
	struct buf b = BUF_INIT;
	size_t n = name ? strlen(name) : 0;
	if (!n)
		return;
	/* De-duplicate: ", " separated, so look for whole entries. */
	for (const char *p = *list; p && (p = strstr(p, name)); p += n)
		if ((p == *list || p[-1] == ' ') && (p[n] == ',' || !p[n]))
			return;
	if (*list)
		buf_printf(&b, "%s, ", *list);
	buf_puts(&b, name);
	free(*list);
	*list = buf_steal(&b);
}

static const json_t *
servo_backend_desc(const json_t *lb, int port)
{
	size_t i;
	json_t *b;
	json_array_foreach(json_object_get(lb, "BackendServerDescriptions"), i,
	                   b)
	{
		long p;
		if (sj_int(b, "InstancePort", &p) == 0 && p == port)
			return b;
	}
	return NULL;
}

static void
servo_auth_key(struct servo_port_auth *a, const json_t *k)
{
	char fp[65], *pem = NULL;
	const char *name = sj_str(k, "PolicyName");
	if (servo_public_key(sj_str(k, "PublicKey"), fp, &pem) < 0) {
		log_warn("PublicKey of policy %s is not a certificate or a "
		         "public key; it allows nothing",
		         name ? name : "?");
		return;
	}
	servo_names_add(&a->key_names, name);
	if (pem) {
		for (size_t i = 0; i < a->ncerts; i++)
			if (strcmp(a->certs[i], pem) == 0) {
				free(pem);
				return;
			}
		a->certs =
		    xrealloc(a->certs, (a->ncerts + 1) * sizeof *a->certs);
		a->certs[a->ncerts++] = pem;
		return;
	}
	for (size_t i = 0; i < a->nkeys; i++)
		if (strcmp(a->keys[i], fp) == 0)
			return;
	a->keys = xrealloc(a->keys, (a->nkeys + 1) * sizeof *a->keys);
	memcpy(a->keys[a->nkeys++], fp, 65);
}

void
servo_port_auth(const json_t *lb, int port, struct servo_port_auth *a)
{
	const json_t *b = servo_backend_desc(lb, port);
	size_t i;
	json_t *v;
	memset(a, 0, sizeof *a);
	a->port = port;
	if (!b)
		return;
	json_array_foreach(json_object_get(b, "PolicyNames"), i, v)
	{
		const json_t *p = servo_policy(lb, json_string_value(v));
		const char *type = sj_str(p, "PolicyTypeName");
		if (!type)
			continue;
		if (strcmp(type, POLICY_BACKEND_AUTH) == 0) {
			a->enabled = 1;
			servo_names_add(&a->auth_names,
			                sj_str(p, "PolicyName"));
		} else if (strcmp(type, POLICY_PROXY) == 0) {
			const char *on = servo_policy_attr(p, "ProxyProtocol");
			a->proxy_protocol |= on && strcasecmp(on, "true") == 0;
		}
	}
	json_array_foreach(json_object_get(b, "PublicKeys"), i, v)
	    servo_auth_key(a, v);
}

void
servo_port_auth_free(struct servo_port_auth *a)
{
	for (size_t i = 0; i < a->ncerts; i++)
		free(a->certs[i]);
	free(a->certs);
	free(a->keys);
	free(a->auth_names);
	free(a->key_names);
	memset(a, 0, sizeof *a);
}

const struct servo_pin *
servo_pins_find(const struct servo_pins *p, const char *instance_id, int port)
{
	for (size_t i = 0; p && i < p->n; i++)
		if (p->v[i].port == port &&
		    strcmp(p->v[i].instance_id, instance_id) == 0)
			return &p->v[i];
	return NULL;
}

void
servo_pins_add(struct servo_pins *p, const char *instance_id, int port,
               int fail, const char *reason, const char *pem)
{
	p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
	p->v[p->n++] = (struct servo_pin){xstrdup(instance_id), port, fail,
	                                  reason ? xstrdup(reason) : NULL,
	                                  pem ? xstrdup(pem) : NULL};
}

void
servo_pins_free(struct servo_pins *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].instance_id);
		free(p->v[i].reason);
		free(p->v[i].pem);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

/* --- the cache of certificates seen matching a key ---------------------- */

static struct servo_seen_entry *
servo_cache_get(struct servo_seen_cache *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].key, key) == 0)
			return &c->v[i];
	return NULL;
}

static void
servo_cache_put(struct servo_seen_cache *c, const char *key,
                const struct servo_seen_cert *seen)
{
	struct servo_seen_entry *e = servo_cache_get(c, key);
	if (!e) {
		c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
		e = &c->v[c->n++];
		e->key = xstrdup(key);
	} else {
		free(e->pem);
	}
	e->pem = xstrdup(seen->pem);
	memcpy(e->fingerprint, seen->fingerprint, 65);
}

static void
servo_cache_drop(struct servo_seen_cache *c, const char *key)
{
	struct servo_seen_entry *e = servo_cache_get(c, key);
	if (!e)
		return;
	free(e->key);
	free(e->pem);
	*e = c->v[--c->n];
}

void
servo_seen_cache_free(struct servo_seen_cache *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].key);
		free(c->v[i].pem);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

/* --- the plan ------------------------------------------------------------ */

static int
servo_key_allowed(const struct servo_port_auth *a, const char *fp)
{
	for (size_t i = 0; i < a->nkeys; i++)
		if (strcmp(a->keys[i], fp) == 0)
			return 1;
	return 0;
}

/* Which single allowed certificate seen verifies against, or NULL. Needed
 * because OpenSSL picks the first of several self-signed certificates with
 * the same subject and no key identifiers, so the port's whole set can
 * refuse an instance that one of its members accepts. */
static const char *
servo_cert_alone(const struct servo_port_auth *a,
                 const struct servo_seen_cert *seen)
{
	char why[256];
	for (size_t i = 0; i < a->ncerts; i++) {
		const char *one[] = {a->certs[i]};
		if (servo_verify(seen, one, 1, why, sizeof why) == 0)
			return a->certs[i];
	}
	return NULL;
}

void
servo_auth_decide(const struct servo_port_auth *a, const char *id,
                  const char *cache_key, const struct servo_seen_cert *seen,
                  struct servo_seen_cache *cache, struct servo_pins *out)
{
	char why[256], reason[1024];
	const char *certs[] = {seen->pem}, *alone;
	if (a->ncerts && servo_verify(seen, (const char *const *)a->certs,
	                              a->ncerts, why, sizeof why) == 0) {
		servo_pins_add(out, id, a->port, 0, NULL, NULL);
		return;
	}
	if ((alone = servo_cert_alone(a, seen))) {
		servo_pins_add(out, id, a->port, 0, NULL, alone);
		return;
	}
	if (servo_key_allowed(a, seen->fingerprint)) {
		if (servo_verify(seen, certs, 1, why, sizeof why) == 0) {
			servo_cache_put(cache, cache_key, seen);
			servo_pins_add(out, id, a->port, 0, NULL, seen->pem);
			return;
		}
		snprintf(reason, sizeof reason,
		         "Instance presents certificate %s whose key matches "
		         "policy %s (%s) but it cannot be pinned: %s "
		         "(HAProxy 2.6 pins self-signed certificates only)",
		         seen->subject, a->auth_names, a->key_names, why);
	} else {
		snprintf(reason, sizeof reason,
		         "Instance presents certificate %s (key SHA-256 "
		         "%.16s...) that matches no PublicKey of back-end "
		         "authentication policy %s (%s)",
		         seen->subject, seen->fingerprint, a->auth_names,
		         a->key_names ? a->key_names : "no PublicKey policy");
	}
	servo_cache_drop(cache, cache_key);
	servo_pins_add(out, id, a->port, 1, reason, NULL);
}

/* The probe failed: keep a pin seen before, leave it to HAProxy's
 * ca-file, or fail closed when nothing could ever match. */
static void
servo_auth_unseen(const struct servo_port_auth *a, const char *id,
                  const char *cache_key, const char *why,
                  struct servo_seen_cache *cache, struct servo_pins *out)
{
	char reason[1024];
	struct servo_seen_entry *e = servo_cache_get(cache, cache_key);
	if (e && servo_key_allowed(a, e->fingerprint)) {
		servo_pins_add(out, id, a->port, 0, NULL, e->pem);
		return;
	}
	if (a->ncerts) {
		servo_pins_add(out, id, a->port, 0, NULL, NULL);
		return;
	}
	snprintf(reason, sizeof reason,
	         "No certificate of the instance has been seen to match "
	         "back-end authentication policy %s (%s): %s",
	         a->auth_names, a->key_names ? a->key_names : "no PublicKey",
	         why);
	servo_pins_add(out, id, a->port, 1, reason, NULL);
}

static void
servo_auth_instance(const struct servo_port_auth *a, const json_t *inst,
                    struct servo_seen_cache *cache, int timeout_ms,
                    struct servo_pins *out)
{
	const char *id = sj_str(inst, "InstanceId");
	const char *addr = sj_str(inst, "InstanceIpAddress");
	char why[512], reason[1024];
	struct servo_seen_cert seen;
	struct buf key = BUF_INIT;
	if (!id || !addr || servo_pins_find(out, id, a->port))
		return;
	if (!a->ncerts && !a->nkeys) {
		snprintf(reason, sizeof reason,
		         "Back-end authentication policy %s allows no key: "
		         "none of its PublicKey policies holds a usable value",
		         a->auth_names);
		servo_pins_add(out, id, a->port, 1, reason, NULL);
		return;
	}
	buf_printf(&key, "%s %s %d", id, addr, a->port);
	if (servo_probe(addr, a->port, timeout_ms, &seen, why, sizeof why) ==
	    0) {
		log_debug("%s presents %s (key %.16s...)", buf_str(&key),
		          seen.subject, seen.fingerprint);
		servo_auth_decide(a, id, buf_str(&key), &seen, cache, out);
		servo_seen_free(&seen);
	} else {
		log_debug("%s: %s", buf_str(&key), why);
		servo_auth_unseen(a, id, buf_str(&key), why, cache, out);
	}
	buf_free(&key);
}

void
servo_auth_plan(const json_t *lb, struct servo_seen_cache *cache,
                int timeout_ms, struct servo_pins *out)
{
	size_t i, j;
	json_t *ld, *inst;
	memset(out, 0, sizeof *out);
	json_array_foreach(json_object_get(lb, "ListenerDescriptions"), i, ld)
	{
		const json_t *l = json_object_get(ld, "Listener");
		const char *proto = sj_str(l, "InstanceProtocol");
		long port;
		if (!proto)
			proto = sj_str(l, "Protocol");
		if (!proto || sj_int(l, "InstancePort", &port) < 0 ||
		    (strcasecmp(proto, "HTTPS") && strcasecmp(proto, "SSL")))
			continue;
		struct servo_port_auth a;
		servo_port_auth(lb, (int)port, &a);
		if (a.enabled)
			json_array_foreach(
			    json_object_get(lb, "BackendInstances"), j, inst)
			    servo_auth_instance(&a, inst, cache, timeout_ms,
			                        out);
		servo_port_auth_free(&a);
	}
}
