#include "emit.h"

#include <stdio.h>
#include <string.h>

#include "resp.h"

void
emit_text(struct emit *e, struct buf *b, int json)
{
	memset(e, 0, sizeof *e);
	e->kind = json ? EMIT_JSON : EMIT_XML;
	e->b = b;
}

void
emit_tree(struct emit *e, json_t *root)
{
	memset(e, 0, sizeof *e);
	e->kind = EMIT_TREE;
	e->lv[0].node = root;
}

/* jansson's json_dumps escaping: what resp.c's JSON answers hold. */
static void
emit_json_string(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (;;) {
		const char *start = s;
		while (*s && *s != '"' && *s != '\\' &&
		       (unsigned char)*s >= 0x20)
			s++;
		buf_append(b, start, (size_t)(s - start));
		if (!*s)
			break;
		switch (*s) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\b': buf_puts(b, "\\b"); break;
		case '\f': buf_puts(b, "\\f"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default: buf_printf(b, "\\u%04X", (unsigned)*s); break;
		}
		s++;
	}
	buf_putc(b, '"');
}

/* What comes before a value: its XML start tag, or JSON's separator and
 * key; and the value's share of resp_size_bound. */
static void
emit_begin(struct emit *e, const char *name, const char *xml_close)
{
	struct emit_level *top = &e->lv[e->depth];
	if (top->list)
		name = "member";
	size_t len = strlen(name);
	e->bound += 2 * len + 5;
	if (e->kind == EMIT_XML) {
		buf_putc(e->b, '<');
		buf_append(e->b, name, len);
		buf_puts(e->b, xml_close);
	} else if (e->kind == EMIT_JSON) {
		if (top->items)
			buf_putc(e->b, ',');
		if (!top->list) {
			emit_json_string(e->b, name);
			buf_putc(e->b, ':');
		}
	}
	top->items++;
}

static void
emit_close_tag(struct emit *e, const char *name)
{
	if (e->lv[e->depth].list)
		name = "member";
	buf_puts(e->b, "</");
	buf_puts(e->b, name);
	buf_putc(e->b, '>');
}

/* The tree backend: add a value to the innermost container. */
static void
emit_add(struct emit *e, const char *name, json_t *v)
{
	json_t *top = e->lv[e->depth].node;
	if (json_is_array(top))
		json_array_append_new(top, v);
	else
		json_object_set_new(top, name, v);
}

static void
emit_open(struct emit *e, const char *name, int list)
{
	if (e->depth + 1 >= EMIT_MAX_DEPTH)
		return; /* never: the shapes are fixed and shallow */
	size_t at = e->b ? e->b->len : 0;
	json_t *node = NULL;
	if (e->kind == EMIT_TREE) {
		e->lv[e->depth].items++;
		node = list ? json_array() : json_object();
		emit_add(e, name, node);
		e->bound +=
		    2 * strlen(e->lv[e->depth].list ? "member" : name) + 5;
	} else {
		emit_begin(e, name, ">");
		if (e->kind == EMIT_JSON)
			buf_putc(e->b, list ? '[' : '{');
	}
	struct emit_level *lv = &e->lv[++e->depth];
	lv->name = e->lv[e->depth - 1].list ? "member" : name;
	lv->list = list;
	lv->items = 0;
	lv->at = at;
	lv->node = node;
}

void
emit_object(struct emit *e, const char *name)
{
	emit_open(e, name, 0);
}

void
emit_list(struct emit *e, const char *name)
{
	emit_open(e, name, 1);
}

void
emit_end(struct emit *e)
{
	struct emit_level *lv = &e->lv[e->depth];
	if (e->depth == 0)
		return;
	if (e->kind == EMIT_JSON) {
		buf_putc(e->b, lv->list ? ']' : '}');
	} else if (e->kind == EMIT_XML) {
		if (lv->list && lv->items == 0) {
			/* An empty list is <Name/>, as resp.c writes it. */
			e->b->len = lv->at;
			e->b->data[e->b->len] = '\0';
			buf_putc(e->b, '<');
			buf_puts(e->b, lv->name);
			buf_puts(e->b, "/>");
		} else {
			buf_puts(e->b, "</");
			buf_puts(e->b, lv->name);
			buf_putc(e->b, '>');
		}
	}
	e->depth--;
}

void
emit_string(struct emit *e, const char *name, const char *value)
{
	if (e->kind == EMIT_TREE) {
		e->lv[e->depth].items++;
		e->bound += 2 * strlen(e->lv[e->depth].list ? "member" : name) +
		            5 + resp_string_bound(value);
		emit_add(e, name, json_string(value));
		return;
	}
	emit_begin(e, name, ">");
	e->bound += resp_string_bound(value);
	if (e->kind == EMIT_JSON) {
		emit_json_string(e->b, value);
		return;
	}
	resp_xml_escape(e->b, value);
	emit_close_tag(e, name);
}

void
emit_xml_item(struct emit *e, const char *xml, size_t bound)
{
	buf_puts(e->b, xml);
	e->bound += bound;
	e->lv[e->depth].items++;
}

void
emit_int(struct emit *e, const char *name, long long value)
{
	if (e->kind == EMIT_TREE) {
		e->lv[e->depth].items++;
		e->bound +=
		    2 * strlen(e->lv[e->depth].list ? "member" : name) + 5 + 24;
		emit_add(e, name, json_integer(value));
		return;
	}
	emit_begin(e, name, ">");
	e->bound += 24;
	/* printf's "%lld", without printf: describes write many numbers. */
	char digits[24], *p = digits + sizeof digits;
	unsigned long long v = value < 0 ? 0ULL - (unsigned long long)value
	                                 : (unsigned long long)value;
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	if (value < 0)
		*--p = '-';
	buf_append(e->b, p, (size_t)(digits + sizeof digits - p));
	if (e->kind == EMIT_XML)
		emit_close_tag(e, name);
}

void
emit_mark(const struct emit *e, struct emit_mark *m)
{
	m->len = e->b ? e->b->len : 0;
	m->bound = e->bound;
	m->items = e->lv[e->depth].items;
}

void
emit_rollback(struct emit *e, const struct emit_mark *m)
{
	struct emit_level *top = &e->lv[e->depth];
	if (e->kind == EMIT_TREE) {
		if (top->items > m->items && json_is_array(top->node))
			json_array_remove(top->node,
			                  json_array_size(top->node) - 1);
	} else {
		e->b->len = m->len;
		if (e->b->data)
			e->b->data[m->len] = '\0';
	}
	e->bound = m->bound;
	top->items = m->items;
}
