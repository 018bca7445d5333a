#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	case JSON_TRUE: buf_puts(b, "true"); break;
	case JSON_FALSE: buf_puts(b, "false"); break;
	case JSON_NULL: break;
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

/* Length of the valid UTF-8 sequence at s[0..n), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	/* No overlong forms, surrogates or code points past U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static int
out_safe(const unsigned char *s, size_t n, unsigned keep)
{
	if (n == 1)
		return (s[0] >= 0x20 && s[0] != 0x7f) ||
		       (s[0] == '\t' && (keep & OUT_KEEP_TAB)) ||
		       (s[0] == '\n' && (keep & OUT_KEEP_NL));
	/* U+0080-U+009F are C2 80-C2 9F. */
	return n > 1 && !(s[0] == 0xc2 && s[1] <= 0x9f);
}

void
out_sanitize(struct buf *b, const char *s, size_t len, unsigned keep)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0, i = 0;

	if (len == 0)
		return; /* s may be NULL (an empty buffer) */
	while (i < len) {
		size_t n = utf8_len(p + i, len - i);
		if (out_safe(p + i, n, keep)) {
			i += n;
			continue;
		}
		buf_append(b, s + run, i - run);
		buf_putc(b, '?');
		i += n ? n : 1;
		run = i;
	}
	buf_append(b, s + run, i - run);
}

static void
out_add(struct out_line *l, const char *s, size_t len, unsigned keep)
{
	struct buf b = BUF_INIT;
	out_sanitize(&b, s, len, keep);
	l->fields = xrealloc(l->fields, (l->n + 1) * sizeof *l->fields);
	l->fields[l->n++] = b.len ? buf_steal(&b) : NULL;
	buf_free(&b);
}

void
out_field(struct out_line *l, const char *s)
{
	out_add(l, s, s ? strlen(s) : 0, 0);
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
	out_add(l, b->data, b->len, 0);
	buf_free(b);
}

void
out_field_lines(struct out_line *l, struct buf *b)
{
	out_add(l, b->data, b->len, OUT_KEEP_NL);
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
