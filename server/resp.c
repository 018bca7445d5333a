/*
 * All response rendering. Handlers build a jansson tree of the Result's
 * contents; this file turns it into AWS XML or, on Accept:
 * application/json, into the same tree as JSON. Arrays are lists: in XML a
 * wrapper element holding <member> items, empty lists as <Name/>.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dispatch.h"
#include "log.h"
#include "request.h"
#include "resp.h"
#include "xmltext.h"

#define ELB_XMLNS "http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/"

void
resp_xml_escape(struct buf *b, const char *s)
{
	for (;;) {
		size_t n = strcspn(s, "&<>\"\r");
		buf_append(b, s, n);
		s += n;
		switch (*s) {
		case '\0': return;
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		default: buf_puts(b, "&#13;"); break;
		}
		s++;
	}
}

static void xml_value(struct buf *b, const char *name, json_t *v);

static void
xml_object(struct buf *b, json_t *obj)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) xml_value(b, key, v);
}

static void
xml_scalar(struct buf *b, json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: resp_xml_escape(b, json_string_value(v)); break;
	case JSON_INTEGER:
		buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL: buf_printf(b, "%g", json_real_value(v)); break;
	case JSON_TRUE: buf_puts(b, "true"); break;
	case JSON_FALSE: buf_puts(b, "false"); break;
	default: break;
	}
}

/* Tags without printf: rendering is the hot path of large describes. */
static void
xml_tag(struct buf *b, const char *open, const char *name, const char *close)
{
	buf_puts(b, open);
	buf_puts(b, name);
	buf_puts(b, close);
}

static void
xml_value(struct buf *b, const char *name, json_t *v)
{
	if (json_is_null(v))
		return;
	if (json_is_array(v) && json_array_size(v) == 0) {
		xml_tag(b, "<", name, "/>");
		return;
	}
	xml_tag(b, "<", name, ">");
	if (json_is_object(v)) {
		xml_object(b, v);
	} else if (json_is_array(v)) {
		size_t i;
		json_t *item;
		json_array_foreach(v, i, item) xml_value(b, "member", item);
	} else {
		xml_scalar(b, v);
	}
	xml_tag(b, "</", name, ">");
}

/* An IAM request refused before dispatch (a bad signature, say) still
 * gets IAM's namespace: the action is looked up from its parameters. */
static const char *
resp_namespace(const struct request *rq)
{
	const struct action *a = rq->action;
	if (!a) {
		const char *name = form_get(&rq->params, "Action");
		a = name ? action_find(name) : NULL;
	}
	return a && a->xmlns ? a->xmlns : ELB_XMLNS;
}

#define RESP_XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/* The answer's tail: its request id, and the end of <OpResponse>. */
static void
resp_metadata_xml(const struct request *rq, struct buf *b)
{
	buf_cat(b, "<ResponseMetadata><RequestId>", rq->request_id,
	        "</RequestId></ResponseMetadata></", rq->action->name,
	        "Response>\n", NULL);
}

static void
resp_render_xml(struct request *rq, struct buf *b)
{
	const char *op = rq->action->name;
	buf_cat(b, RESP_XML_DECL "<", op, "Response xmlns=\"",
	        resp_namespace(rq), "\">", NULL);
	if (json_object_size(rq->result) == 0) {
		buf_cat(b, "<", op, "Result/>", NULL);
	} else {
		buf_cat(b, "<", op, "Result>", NULL);
		xml_object(b, rq->result);
		buf_cat(b, "</", op, "Result>", NULL);
	}
	resp_metadata_xml(rq, b);
}

void
resp_stream_open(struct request *rq)
{
	const char *op = rq->action->name;
	buf_reset(&rq->stream);
	/* What one load balancer's description takes, at once. */
	buf_reserve(&rq->stream, 4096);
	if (rq->want_json)
		buf_cat(&rq->stream, "{\"", op, "Response\":{\"", op,
		        "Result\":{", NULL);
	else
		buf_cat(&rq->stream, RESP_XML_DECL "<", op, "Response xmlns=\"",
		        resp_namespace(rq), "\"><", op, "Result>", NULL);
	rq->stream_head = rq->stream.len;
	rq->streamed = 1;
}

/* The streamed Result's envelope is closed around it, in place: the
 * answer is not copied again. */
static void
resp_render_streamed(struct request *rq, struct buf *b)
{
	const char *op = rq->action->name;
	if (rq->want_json) {
		buf_cat(b, "},\"ResponseMetadata\":{\"RequestId\":\"",
		        rq->request_id, "\"}}}\n", NULL);
		return;
	}
	if (b->len == rq->stream_head) { /* nothing in it: <OpResult/> */
		b->len--;                /* its '>' */
		buf_puts(b, "/>");
	} else {
		buf_cat(b, "</", op, "Result>", NULL);
	}
	resp_metadata_xml(rq, b);
}

static void
resp_render_error_xml(struct request *rq, struct buf *b)
{
	const struct err_info *e = err_info(rq->err);
	buf_printf(b,
	           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	           "<ErrorResponse xmlns=\"%s\"><Error><Type>%s</Type>"
	           "<Code>%s</Code><Message>",
	           resp_namespace(rq), e->type, e->code);
	resp_xml_escape(b, rq->err_message ? rq->err_message : e->message);
	buf_printf(b,
	           "</Message></Error><RequestId>%s</RequestId>"
	           "</ErrorResponse>\n",
	           rq->request_id);
}

static json_t *
resp_error_tree(struct request *rq)
{
	const struct err_info *e = err_info(rq->err);
	const char *msg = rq->err_message ? rq->err_message : e->message;
	return json_pack("{s:{s:{s:s,s:s,s:s},s:s}}", "ErrorResponse", "Error",
	                 "Type", e->type, "Code", e->code, "Message", msg,
	                 "RequestId", rq->request_id);
}

static json_t *
resp_success_tree(struct request *rq)
{
	char resp_key[128], result_key[128];
	snprintf(resp_key, sizeof resp_key, "%sResponse", rq->action->name);
	snprintf(result_key, sizeof result_key, "%sResult", rq->action->name);
	json_t *inner = json_object();
	json_object_set(inner, result_key, rq->result);
	json_object_set_new(inner, "ResponseMetadata",
	                    json_pack("{s:s}", "RequestId", rq->request_id));
	json_t *root = json_object();
	json_object_set_new(root, resp_key, inner);
	return root;
}

void
resp_render(struct request *rq)
{
	struct buf b = BUF_INIT;
	int is_error = rq->status >= 300 || !rq->action || !rq->result;
	if (is_error && rq->status < 300) {
		rq->err = ERR_INTERNAL;
		rq->status = 500;
	}
	if (!is_error && rq->streamed) {
		buf_free(&b);
		b = rq->stream;
		rq->stream = (struct buf)BUF_INIT;
		resp_render_streamed(rq, &b);
		rq->content_type =
		    rq->want_json ? "application/json" : "text/xml";
	} else if (rq->want_json) {
		json_t *tree =
		    is_error ? resp_error_tree(rq) : resp_success_tree(rq);
		char *s = tree ? json_dumps(tree, JSON_COMPACT) : NULL;
		buf_puts(&b, s ? s : "{}");
		buf_putc(&b, '\n');
		free(s);
		json_decref(tree);
		rq->content_type = "application/json";
	} else {
		if (is_error)
			resp_render_error_xml(rq, &b);
		else
			resp_render_xml(rq, &b);
		rq->content_type = "text/xml";
	}
	rq->response_len = b.len;
	rq->response_body = buf_steal(&b);
	/* The tree is larger than its text, and a slow reader keeps the
	 * request alive while the text drains. */
	json_decref(rq->result);
	rq->result = NULL;
	buf_free(&rq->stream);
}

size_t
resp_string_bound(const char *s)
{
	size_t n = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		n += c < 0x20 || c == '&' || c == '<' || c == '>' || c == '"' ||
		             c == '\\'
		         ? 6
		         : 1;
	}
	return n;
}

size_t
resp_size_bound(const char *name, json_t *v)
{
	size_t n = 2 * strlen(name) + 5; /* <name></name>; JSON needs less */
	const char *key;
	json_t *item;
	size_t i;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		json_object_foreach(v, key, item) n +=
		    resp_size_bound(key, item);
		break;
	case JSON_ARRAY:
		json_array_foreach(v, i, item) n +=
		    resp_size_bound("member", item);
		break;
	case JSON_STRING: n += resp_string_bound(json_string_value(v)); break;
	default: n += 24; break; /* a number, true, false */
	}
	return n;
}

int
resp_error(struct request *rq, enum err_id err, const char *fmt, ...)
{
	rq->err = err;
	rq->status = err_info(err)->http_status;
	free(rq->err_message);
	rq->err_message = NULL;
	if (fmt) {
		/* Messages may quote what the client sent (a method, a header,
		 * a value): only text that XML and JSON can carry goes out. */
		struct buf raw = BUF_INIT, b = BUF_INIT;
		va_list ap;
		va_start(ap, fmt);
		buf_vprintf(&raw, fmt, ap);
		va_end(ap);
		xmltext_sanitize(&b, buf_str(&raw));
		buf_free(&raw);
		rq->err_message = buf_steal(&b);
	}
	return -1;
}
