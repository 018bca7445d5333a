#include "output.h"

#include <stdio.h>
#include <stdlib.h>

int
out_empty(json_t *v)
{
	if (!v || json_is_null(v))
		return 1;
	if (json_is_string(v))
		return json_string_length(v) == 0;
	if (json_is_object(v))
		return json_object_size(v) == 0;
	if (json_is_array(v))
		return json_array_size(v) == 0;
	return 0;
}

void
out_value(struct buf *b, json_t *v)
{
	double d;
	char *text;

	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		buf_append(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		/* Counts are integers even if a server writes 30.0. */
		d = json_real_value(v);
		if (d > -1e15 && d < 1e15 && d == (double)(long long)d)
			buf_printf(b, "%lld", (long long)d);
		else
			buf_printf(b, "%.17g", d);
		break;
	case JSON_TRUE:
		buf_puts(b, "true");
		break;
	case JSON_FALSE:
		buf_puts(b, "false");
		break;
	case JSON_NULL:
		break;
	case JSON_OBJECT:
	case JSON_ARRAY:
		/* An empty element prints "{}" in the Python tools. */
		text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		buf_puts(b, out_empty(v) ? "{}" : text ? text : "");
		free(text);
		break;
	}
}

void
out_value_or_none(struct buf *b, json_t *v)
{
	if (!v || json_is_null(v))
		buf_puts(b, "None");
	else
		out_value(b, v);
}

void
out_field(struct out_line *l, const char *s)
{
	l->fields = xrealloc(l->fields, (l->n + 1) * sizeof *l->fields);
	l->fields[l->n++] = s && *s ? xstrdup(s) : NULL;
}

void
out_field_json(struct out_line *l, json_t *v)
{
	struct buf b = BUF_INIT;
	if (!out_empty(v))
		out_value(&b, v);
	out_field_buf(l, &b);
}

void
out_field_buf(struct out_line *l, struct buf *b)
{
	l->fields = xrealloc(l->fields, (l->n + 1) * sizeof *l->fields);
	l->fields[l->n++] = b->len ? buf_steal(b) : NULL;
	buf_free(b);
}

void
out_print(struct out_line *l, int show_empty)
{
	struct buf line = BUF_INIT;
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			buf_putc(&line, '\t');
		buf_puts(&line, l->fields[i] ? l->fields[i]
		                : show_empty ? "(nil)"
		                             : "");
		free(l->fields[i]);
	}
	buf_putc(&line, '\n');
	fwrite(line.data, 1, line.len, stdout);
	buf_free(&line);
	free(l->fields);
	l->fields = NULL;
	l->n = 0;
}
