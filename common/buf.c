#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fputs("eulb: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p) {
		fputs("eulb: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fputs("eulb: out of memory\n", stderr);
		abort();
	}
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void
buf_grow(struct buf *b, size_t extra)
{
	if (extra > SIZE_MAX / 2 - b->len) {
		fputs("eulb: buffer size overflow\n", stderr);
		abort();
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void
buf_reserve(struct buf *b, size_t n)
{
	buf_grow(b, n);
	if (b->len == 0)
		b->data[0] = '\0';
}

void
buf_append_grow(struct buf *b, const void *data, size_t len)
{
	buf_grow(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	if (!fmt) /* lets the sanitizer build prove fmt is not NULL */
		return;
	/* Straight into the room left, formatting a second time only when
	 * it did not fit. */
	size_t room = b->cap - b->len;
	va_copy(ap2, ap);
	n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		if (room)
			b->data[b->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
buf_cat(struct buf *b, ...)
{
	va_list ap;
	va_start(ap, b);
	for (const char *s; (s = va_arg(ap, const char *));)
		buf_puts(b, s);
	va_end(ap);
}

size_t
str_cat(char *dst, size_t size, ...)
{
	size_t len = 0;
	va_list ap;
	va_start(ap, size);
	for (const char *s; (s = va_arg(ap, const char *));) {
		size_t n = strlen(s);
		if (len < size) {
			size_t fit = size - 1 - len;
			memcpy(dst + len, s, n < fit ? n : fit);
		}
		len += n;
	}
	va_end(ap);
	if (size)
		dst[len < size ? len : size - 1] = '\0';
	return len;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *
buf_steal(struct buf *b)
{
	char *s = b->data ? b->data : xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

const char *
buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}
