#include "listener.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "util.h"

struct pair {
	char *key;
	char *value;
};

struct pairs {
	struct pair *v;
	size_t n;
};

static const char *const listener_keys[] = {
    "protocol", "lb-port", "instance-port", "instance-protocol", "cert-id",
};

static const char *const protocols[] = {"HTTP", "HTTPS", "SSL", "TCP"};

static void
pairs_set(struct pairs *p, char *key, char *value)
{
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->v[i].key, key) == 0) {
			/* A repeated key silently keeps the last value. */
			free(key);
			free(p->v[i].value);
			p->v[i].value = value;
			return;
		}
	}
	p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
	p->v[p->n].key = key;
	p->v[p->n].value = value;
	p->n++;
}

static const char *
pairs_get(const struct pairs *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].key, key) == 0)
			return p->v[i].value;
	return NULL;
}

static void
pairs_free(struct pairs *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].key);
		free(p->v[i].value);
	}
	free(p->v);
}

static int
is_listener_key(const char *key)
{
	for (size_t i = 0; i < sizeof listener_keys / sizeof *listener_keys;
	     i++)
		if (strcmp(key, listener_keys[i]) == 0)
			return 1;
	return 0;
}

/* The canonical upper-case protocol name, or NULL. */
static const char *
protocol_name(const char *s)
{
	for (size_t i = 0; i < sizeof protocols / sizeof *protocols; i++)
		if (strcasecmp(s, protocols[i]) == 0)
			return protocols[i];
	return NULL;
}

static int
is_http_family(const char *protocol)
{
	return strcmp(protocol, "HTTP") == 0 || strcmp(protocol, "HTTPS") == 0;
}

/* Splits on every ',' and every piece on '=' (no limit, as Python does). */
static int
split_pairs(const char *s, struct pairs *p, struct buf *err)
{
	char *t = cli_strip(s, strlen(s));
	int rc = 0;
	const char *piece = t;
	for (;;) {
		size_t len = strcspn(piece, ",");
		const char *eq = memchr(piece, '=', len);
		if (len && (!eq || memchr(eq + 1, '=',
		                          len - (size_t)(eq - piece) - 1))) {
			buf_printf(err,
			           "element '%.*s' must have format KEY=VALUE",
			           (int)len, piece);
			rc = -1;
			break;
		}
		if (len)
			pairs_set(
			    p, cli_strip(piece, (size_t)(eq - piece)),
			    cli_strip(eq + 1, len - (size_t)(eq - piece) - 1));
		if (!piece[len])
			break;
		piece += len + 1;
	}
	free(t);
	return rc;
}

static int
check_keys(const struct pairs *p, struct buf *err)
{
	int bad = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (is_listener_key(p->v[i].key))
			continue;
		buf_printf(err, "%s'%s'",
		           bad ? ", " : "invalid element(s): ", p->v[i].key);
		bad = 1;
	}
	return bad ? -1 : 0;
}

static int
parse_port(const struct pairs *p, const char *key, long long *out,
           struct buf *err)
{
	const char *v = pairs_get(p, key);
	if (!v) {
		buf_printf(err, "%s is required", key);
		return -1;
	}
	if (cli_parse_int(v, out) < 0) {
		buf_printf(err, "%s must be an integer", key);
		return -1;
	}
	return 0;
}

static int
parse_protocols(const struct pairs *p, struct cli_listener *out,
                struct buf *err)
{
	const char *v = pairs_get(p, "protocol");
	if (!v) {
		buf_puts(err, "protocol is required");
		return -1;
	}
	const char *proto = protocol_name(v);
	if (!proto) {
		buf_printf(err,
		           "protocol '%s' is invalid (choose from 'HTTP', "
		           "'HTTPS', 'SSL', 'TCP')",
		           v);
		return -1;
	}
	strcpy(out->protocol, proto);
	return 0;
}

static int
parse_instance_protocol(const struct pairs *p, struct cli_listener *out,
                        struct buf *err)
{
	const char *v = pairs_get(p, "instance-protocol");
	if (!v)
		return 0;
	const char *proto = protocol_name(v);
	if (!proto) {
		buf_printf(err,
		           "instance-protocol '%s' is invalid (choose from "
		           "'HTTP', 'HTTPS', 'SSL', 'TCP')",
		           v);
		return -1;
	}
	if (is_http_family(out->protocol) != is_http_family(proto)) {
		buf_puts(err,
		         is_http_family(out->protocol)
		             ? "instance-protocol must be 'HTTP' or 'HTTPS' "
		               "when protocol is 'HTTP' or 'HTTPS'"
		             : "instance-protocol must be 'SSL' or 'TCP' "
		               "when protocol is 'SSL' or 'TCP'");
		return -1;
	}
	strcpy(out->instance_protocol, proto);
	return 0;
}

int
cli_listener_parse(const char *s, struct cli_listener *out, char **err)
{
	struct pairs p = {NULL, 0};
	struct buf msg = BUF_INIT;
	int rc = -1;

	memset(out, 0, sizeof *out);
	*err = NULL;
	if (split_pairs(s, &p, &msg) < 0 || check_keys(&p, &msg) < 0 ||
	    parse_protocols(&p, out, &msg) < 0 ||
	    parse_port(&p, "lb-port", &out->lb_port, &msg) < 0 ||
	    parse_port(&p, "instance-port", &out->instance_port, &msg) < 0 ||
	    parse_instance_protocol(&p, out, &msg) < 0)
		goto out;
	const char *cert = pairs_get(&p, "cert-id");
	if (cert)
		out->cert_id = xstrdup(cert);
	rc = 0;
out:
	if (rc < 0) {
		struct buf full = BUF_INIT;
		buf_printf(&full, "listener '%s': %s", s, buf_str(&msg));
		*err = buf_steal(&full);
		cli_listener_free(out);
	}
	buf_free(&msg);
	pairs_free(&p);
	return rc;
}

void
cli_listener_free(struct cli_listener *l)
{
	free(l->cert_id);
	memset(l, 0, sizeof *l);
}
