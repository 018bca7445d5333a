/* Growable byte buffers and allocation helpers that never return NULL. */
#ifndef EULB_BUF_H
#define EULB_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct buf {
	char *data; /* always NUL-terminated once anything was appended */
	size_t len;
	size_t cap;
};

#define BUF_INIT                                                               \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

/* Out of memory is a broken invariant for a control plane: abort loudly. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Makes room for n more bytes now: one allocation where appending
 * would grow a buffer step by step. */
void buf_reserve(struct buf *b, size_t n);
/* Grows b and appends: buf_append's slow path. */
void buf_append_grow(struct buf *b, const void *data, size_t len);

/* Inline while it fits: rendering large answers appends millions of
 * small pieces. */
static inline void
buf_append(struct buf *b, const void *data, size_t len)
{
	if (len < b->cap - b->len) { /* room for it and the NUL */
		if (len)
			memcpy(b->data + b->len, data, len);
		b->len += len;
		b->data[b->len] = '\0';
	} else {
		buf_append_grow(b, data, len);
	}
}

static inline void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

static inline void
buf_putc(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Appends each string up to the NULL: "%s%s%s" without a format to
 * parse, for the pieces every request puts together. */
void buf_cat(struct buf *b, ...) __attribute__((sentinel));
void buf_reset(struct buf *b);
/* The strings up to the NULL, one after another, into dst (cut to fit
 * size, always terminated); returns the length they have whole, as
 * snprintf would, so that len >= size means cut. */
size_t str_cat(char *dst, size_t size, ...) __attribute__((sentinel));
/* Returns the contents (never NULL) and leaves the buffer empty. */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);
const char *buf_str(const struct buf *b);

#endif
