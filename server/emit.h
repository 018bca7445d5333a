/*
 * Streamed rendering: a response written while its rows are read, with no
 * tree in between, byte for byte what resp.c renders from the jansson tree
 * of the same shape (AWS XML, or JSON on Accept: application/json); or,
 * for callers that extend it, that tree itself. Used where building the
 * tree cost more than reading the rows (DescribeLoadBalancers).
 *
 * A text emitter writes the contents of the Result element (resp_stream
 * hands them to resp_render); names are keys of the enclosing object and
 * ignored inside lists, whose items are <member>s. It keeps
 * resp_size_bound() of what it wrote, so that answers can be held to
 * --max-response-bytes as the tree was.
 */
#ifndef EULB_EMIT_H
#define EULB_EMIT_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"

#define EMIT_MAX_DEPTH 8

enum emit_kind { EMIT_XML, EMIT_JSON, EMIT_TREE };

struct emit_level {
	const char *name; /* the element, for XML's closing tag */
	int list;
	size_t items;
	size_t at;    /* XML: where the element began (an empty list) */
	json_t *node; /* EMIT_TREE */
};

struct emit {
	enum emit_kind kind;
	struct buf *b;
	size_t bound; /* resp_size_bound of what was written */
	int depth;
	struct emit_level lv[EMIT_MAX_DEPTH];
};

/* Writes into b the children of a Result element (an object). */
void emit_text(struct emit *e, struct buf *b, int json);
/* Adds the children to the object root. */
void emit_tree(struct emit *e, json_t *root);

void emit_object(struct emit *e, const char *name);
void emit_list(struct emit *e, const char *name);
/* Ends the innermost object or list. */
void emit_end(struct emit *e);
void emit_string(struct emit *e, const char *name, const char *value);
void emit_int(struct emit *e, const char *name, long long value);

/* XML: an item of the innermost list written before (lb_describe's
 * stored descriptions), and its resp_size_bound. */
void emit_xml_item(struct emit *e, const char *xml, size_t bound);

/* A point to come back to: the last item of the innermost container,
 * written since the mark, is taken back. */
struct emit_mark {
	size_t len, bound, items;
};
void emit_mark(const struct emit *e, struct emit_mark *m);
void emit_rollback(struct emit *e, const struct emit_mark *m);

#endif
