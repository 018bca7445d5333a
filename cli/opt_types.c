/*
 * Argument value types (argparse "type=" functions of euca2ools). Error
 * texts are euca2ools' own; argparse's generic ones read
 * "invalid <type> value: '<arg>'".
 */
#include "opt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "listener.h"
#include "util.h"

typedef json_t *(*convert_fn)(const struct cli_opt *o, const char *arg,
                              struct buf *err, int *usage);

static json_t *
str(const char *s)
{
	/* Arguments are bytes; the request carries them unchanged. */
	return json_string_nocheck(s);
}

static json_t *
strn(const char *s, size_t len)
{
	return json_stringn_nocheck(s, len);
}

void
opt_repr(struct buf *out, const char *s)
{
	char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
	buf_putc(out, q);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == q || *p == '\\')
			buf_printf(out, "\\%c", *p);
		else if (*p == '\t')
			buf_puts(out, "\\t");
		else if (*p == '\n')
			buf_puts(out, "\\n");
		else if (*p == '\r')
			buf_puts(out, "\\r");
		else if (*p < 0x20 || *p >= 0x7f)
			buf_printf(out, "\\x%02x", *p);
		else
			buf_putc(out, (char)*p);
	}
	buf_putc(out, q);
}

/* argparse's message for a type function that refused arg. */
static void
invalid(struct buf *err, const char *type, const char *arg)
{
	buf_printf(err, "invalid %s value: ", type);
	opt_repr(err, arg);
}

static json_t *
conv_string(const struct cli_opt *o, const char *arg, struct buf *err,
            int *usage)
{
	return str(arg);
}

static json_t *
conv_int(const struct cli_opt *o, const char *arg, struct buf *err, int *usage)
{
	long long v;
	if (cli_parse_int(arg, &v) < 0) {
		invalid(err, "int", arg);
		return NULL;
	}
	return json_integer(v);
}

static json_t *
conv_choice(const struct cli_opt *o, const char *arg, struct buf *err,
            int *usage)
{
	const char *c = o->choices;
	while (*c) {
		size_t len = strcspn(c, ",");
		if (strlen(arg) == len && strncmp(arg, c, len) == 0)
			return str(arg);
		c += len + (c[len] == ',');
	}
	buf_puts(err, "invalid choice: ");
	opt_repr(err, arg);
	buf_puts(err, " (choose from ");
	for (c = o->choices; *c;) {
		size_t len = strcspn(c, ",");
		buf_printf(err, "%s'%.*s'", c == o->choices ? "" : ", ",
		           (int)len, c);
		c += len + (c[len] == ',');
	}
	buf_putc(err, ')');
	return NULL;
}

/* delimited_list(','): items trimmed, empty items dropped. */
static json_t *
split_list(const char *arg, int ints)
{
	json_t *a = json_array();
	const char *p = arg;
	for (;;) {
		size_t len = strcspn(p, ",");
		char *item = cli_strip(p, len);
		long long v;
		if (*item && !ints) {
			json_array_append_new(a, str(item));
		} else if (*item && cli_parse_int(item, &v) == 0) {
			json_array_append_new(a, json_integer(v));
		} else if (*item) {
			free(item);
			json_decref(a);
			return NULL;
		}
		free(item);
		if (!p[len])
			return a;
		p += len + 1;
	}
}

static json_t *
conv_list(const struct cli_opt *o, const char *arg, struct buf *err, int *usage)
{
	return split_list(arg, 0);
}

static json_t *
conv_int_list(const struct cli_opt *o, const char *arg, struct buf *err,
              int *usage)
{
	json_t *a = split_list(arg, 1);
	if (!a)
		invalid(err, "int list", arg);
	return a;
}

/* binary_tag_def: "KEY" and "KEY=" send an empty Value. */
static json_t *
conv_tag(const struct cli_opt *o, const char *arg, struct buf *err, int *usage)
{
	const char *eq = strchr(arg, '=');
	if (!*arg || eq == arg) {
		invalid(err, "binary_tag_def", arg);
		return NULL;
	}
	json_t *t = json_object();
	json_object_set_new(t, "Key",
	                    eq ? strn(arg, (size_t)(eq - arg)) : str(arg));
	json_object_set_new(t, "Value",
	                    eq && eq[1] ? str(eq + 1) : json_null());
	return t;
}

static json_t *
conv_listener(const struct cli_opt *o, const char *arg, struct buf *err,
              int *usage)
{
	struct cli_listener l;
	char *msg;
	if (cli_listener_parse(arg, &l, &msg) < 0) {
		buf_puts(err, msg);
		free(msg);
		return NULL;
	}
	/* Key order of the Python 3 tool's body. */
	json_t *v = json_object();
	json_object_set_new(v, "Protocol", str(l.protocol));
	json_object_set_new(v, "LoadBalancerPort", json_integer(l.lb_port));
	json_object_set_new(v, "InstancePort", json_integer(l.instance_port));
	if (l.instance_protocol[0])
		json_object_set_new(v, "InstanceProtocol",
		                    str(l.instance_protocol));
	if (l.cert_id)
		json_object_set_new(v, "SSLCertificateId", str(l.cert_id));
	cli_listener_free(&l);
	return v;
}

/* configure-healthcheck -t: PROTOCOL:PORT[/PATH], HTTP(S) need a path. */
static json_t *
conv_hc_target(const struct cli_opt *o, const char *arg, struct buf *err,
               int *usage)
{
	static const char *const known[] = {"HTTP", "HTTPS", "SSL", "TCP"};
	const char *colon = strchr(arg, ':');
	if (!colon || !colon[1]) {
		buf_puts(err, "must have form PROTOCOL:PORT[/PATH]");
		return NULL;
	}
	size_t plen = (size_t)(colon - arg);
	struct buf t = BUF_INIT;
	buf_append(&t, arg, plen);
	for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
		if (strcasecmp(buf_str(&t), known[i]) == 0) {
			buf_reset(&t);
			buf_puts(&t, known[i]);
		}
	}
	if ((strcmp(buf_str(&t), "HTTP") == 0 ||
	     strcmp(buf_str(&t), "HTTPS") == 0) &&
	    !strchr(colon + 1, '/')) {
		buf_printf(err, "path is required for protocol '%s'",
		           buf_str(&t));
		buf_free(&t);
		return NULL;
	}
	buf_puts(&t, colon);
	json_t *v = str(buf_str(&t));
	buf_free(&t);
	return v;
}

static json_t *
attribute(const char *name, size_t nlen, const char *value, size_t vlen)
{
	json_t *a = json_object();
	json_object_set_new(a, "AttributeName", strn(name, nlen));
	json_object_set_new(a, "AttributeValue", strn(value, vlen));
	return a;
}

/* -a "name=N, value=V": every ',' splits, so V cannot hold a comma. */
static json_t *
conv_policy_attr(const struct cli_opt *o, const char *arg, struct buf *err,
                 int *usage)
{
	char *name = NULL, *value = NULL;
	const char *p = arg;
	int ok = 1;
	for (;;) {
		size_t len = strcspn(p, ",");
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;
		char *key = cli_strip(p, klen);
		char *val =
		    eq ? cli_strip(eq + 1, len - klen - 1) : xstrdup("");
		char **slot = strcmp(key, "name") == 0    ? &name
		              : strcmp(key, "value") == 0 ? &value
		                                          : NULL;
		free(key);
		if (slot) {
			free(*slot);
			*slot = val;
		} else {
			free(val);
			ok = 0;
		}
		if (!p[len])
			break;
		p += len + 1;
	}
	json_t *v = NULL;
	if (ok && name && value)
		v = attribute(name, strlen(name), value, strlen(value));
	else
		invalid(err, "attribute", arg);
	free(name);
	free(value);
	return v;
}

/* "N=V" trimmed on both sides of the first '='; NULL without '='. */
static json_t *
name_value(const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);
	if (!eq)
		return NULL;
	char *n = cli_strip(s, (size_t)(eq - s));
	char *v = cli_strip(eq + 1, len - (size_t)(eq - s) - 1);
	json_t *a = attribute(n, strlen(n), v, strlen(v));
	free(n);
	free(v);
	return a;
}

static json_t *
conv_attr_list(const struct cli_opt *o, const char *arg, struct buf *err,
               int *usage)
{
	json_t *list = json_array();
	const char *p = arg;
	for (;;) {
		size_t len = strcspn(p, ",");
		char *item = cli_strip(p, len);
		if (*item) {
			json_t *a = name_value(item, strlen(item));
			if (!a) {
				free(item);
				json_decref(list);
				invalid(err, "attribute list", arg);
				return NULL;
			}
			json_array_append_new(list, a);
		}
		free(item);
		if (!p[len])
			return list;
		p += len + 1;
	}
}

static int
read_all(const char *path, struct buf *out)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!f)
		return -1;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(out, chunk, n);
	int rc = ferror(f) ? -1 : 0;
	if (f != stdin)
		fclose(f);
	return rc;
}

/* One NAME=VALUE per line; only a '#' in column 0 starts a comment. */
static json_t *
conv_attr_file(const struct cli_opt *o, const char *arg, struct buf *err,
               int *usage)
{
	struct buf text = BUF_INIT;
	*usage = 0;
	if (read_all(arg, &text) < 0) {
		buf_printf(err, "could not read '%s': %s", arg,
		           strerror(errno));
		buf_free(&text);
		return NULL;
	}
	json_t *list = json_array();
	const char *p = buf_str(&text);
	for (int lineno = 1; *p; lineno++) {
		size_t len = strcspn(p, "\n");
		char *line = cli_strip(p, len);
		json_t *a = NULL;
		if (*line && *p != '#' &&
		    !(a = name_value(line, strlen(line)))) {
			buf_printf(err,
			           "error on %s line %d: attribute '%s' must "
			           "have format NAME=VALUE",
			           arg, lineno, line);
			free(line);
			json_decref(list);
			buf_free(&text);
			return NULL;
		}
		if (a)
			json_array_append_new(list, a);
		free(line);
		p += len + (p[len] == '\n');
	}
	buf_free(&text);
	return list;
}

/* --certificate-file and friends: the bytes, trailing newline and all. */
static json_t *
conv_file(const struct cli_opt *o, const char *arg, struct buf *err, int *usage)
{
	struct buf text = BUF_INIT;
	*usage = 0;
	if (read_all(arg, &text) < 0) {
		buf_printf(err, "could not read '%s': %s", arg,
		           strerror(errno));
		buf_free(&text);
		return NULL;
	}
	json_t *v = strn(text.data ? text.data : "", text.len);
	buf_free(&text);
	return v;
}

/* modify-lb-attributes: "A.B=V" split on the first '=', no trimming. */
static json_t *
conv_key_value(const struct cli_opt *o, const char *arg, struct buf *err,
               int *usage)
{
	const char *eq = strchr(arg, '=');
	if (!eq) {
		buf_printf(err, "invalid ATTR=VALUE pair: %s", arg);
		return NULL;
	}
	json_t *v = json_object();
	char *key = xstrndup(arg, (size_t)(eq - arg));
	json_object_set_new_nocheck(v, key, str(eq + 1));
	free(key);
	return v;
}

static const convert_fn converters[] = {
    [OPT_STRING] = conv_string,
    [OPT_INT] = conv_int,
    [OPT_CHOICE] = conv_choice,
    [OPT_LIST] = conv_list,
    [OPT_INT_LIST] = conv_int_list,
    [OPT_TAG] = conv_tag,
    [OPT_LISTENER] = conv_listener,
    [OPT_HC_TARGET] = conv_hc_target,
    [OPT_POLICY_ATTR] = conv_policy_attr,
    [OPT_ATTR_LIST] = conv_attr_list,
    [OPT_ATTR_FILE] = conv_attr_file,
    [OPT_KEY_VALUE] = conv_key_value,
    [OPT_FILE] = conv_file,
};

/* {subkey: v} for a scalar, or for each item of a list. */
static json_t *
wrap_subkey(const char *subkey, json_t *v)
{
	if (!json_is_array(v)) {
		json_t *o = json_object();
		json_object_set_new(o, subkey, v);
		return o;
	}
	json_t *a = json_array();
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item)
	    json_array_append_new(a, wrap_subkey(subkey, json_incref(item)));
	json_decref(v);
	return a;
}

json_t *
opt_convert(const struct cli_opt *o, const char *arg, struct buf *err,
            int *usage)
{
	*usage = 1;
	if ((size_t)o->type >= sizeof converters / sizeof *converters ||
	    !converters[o->type]) {
		buf_printf(err, "option takes no value");
		return NULL;
	}
	json_t *v = converters[o->type](o, arg, err, usage);
	if (v && o->subkey)
		v = wrap_subkey(o->subkey, v);
	return v;
}
