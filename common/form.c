/*
 * application/x-www-form-urlencoded codec. Decoding is strict: a request
 * with a broken escape is rejected rather than guessed at, so the server
 * never acts on parameters the client did not mean to send.
 */
#include "form.h"

#include <stdlib.h>
#include <string.h>

static int
form_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The decoded copy of s[0..len), or NULL with *err set. */
static char *
form_decode(const char *s, size_t len, const char **err)
{
	char *out = xmalloc(len + 1);
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi = i + 2 < len ? form_hexval(s[i + 1]) : -1;
			int lo = hi >= 0 ? form_hexval(s[i + 2]) : -1;

			if (lo < 0) {
				*err = "bad percent-encoding";
				free(out);
				return NULL;
			}
			c = hi << 4 | lo;
			i += 2;
		}
		/* C strings carry the result: a NUL would silently cut it. */
		if (c == 0) {
			*err = "NUL byte in form data";
			free(out);
			return NULL;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

/* Appends a parameter, taking ownership of key and value. */
static void
form_push(struct form *f, char *key, char *value)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->v = xrealloc(f->v, f->cap * sizeof *f->v);
	}
	f->v[f->n].key = key;
	f->v[f->n].value = value;
	f->n++;
}

static int
form_parse_piece(struct form *f, const char *s, size_t len, const char **err)
{
	const char *eq = memchr(s, '=', len);
	size_t klen = eq ? (size_t)(eq - s) : len;
	char *key = form_decode(s, klen, err);
	char *value;

	if (!key)
		return -1;
	value = eq ? form_decode(eq + 1, len - klen - 1, err) : xstrdup("");
	if (!value) {
		free(key);
		return -1;
	}
	form_push(f, key, value);
	return 0;
}

int
form_parse(struct form *f, const char *s, size_t len, const char **err)
{
	struct form tmp = FORM_INIT;
	const char *end;

	if (len == 0)
		return 0;
	end = s + len;
	/* Parse aside so that a failure leaves f exactly as it was. */
	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		const char *stop = amp ? amp : end;

		if (stop > s &&
		    form_parse_piece(&tmp, s, (size_t)(stop - s), err) < 0) {
			form_free(&tmp);
			return -1;
		}
		s = amp ? amp + 1 : end;
	}
	for (size_t i = 0; i < tmp.n; i++)
		form_push(f, tmp.v[i].key, tmp.v[i].value);
	free(tmp.v);
	return 0;
}

void
form_add(struct form *f, const char *key, const char *value)
{
	form_push(f, xstrdup(key), xstrdup(value));
}

const char *
form_get(const struct form *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].key, key) == 0)
			return f->v[i].value;
	return NULL;
}

size_t
form_count(const struct form *f, const char *key)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].key, key) == 0)
			n++;
	return n;
}

void
form_free(struct form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].key);
		free(f->v[i].value);
	}
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}

/*
 * Parses N at the start of s, which must end there or at a '.'. Leading
 * zeros are refused: callers look members up as "<prefix>.member.%u", so
 * "member.01" could never be found and its value would vanish silently.
 */
static int
form_member_number(const char *s, unsigned *num)
{
	unsigned n = 0;

	if (*s < '1' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		n = n * 10 + (unsigned)(*s - '0');
		if (n > FORM_MAX_MEMBER)
			return -1;
	}
	if (*s != '\0' && *s != '.')
		return -1;
	*num = n;
	return 0;
}

static int
form_cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return (x > y) - (x < y);
}

int
form_member_indexes(const struct form *f, const char *prefix, unsigned **out)
{
	static const char member[] = ".member.";
	size_t plen = strlen(prefix), n = 0, m = 0;
	unsigned *v = NULL;

	*out = NULL;
	for (size_t i = 0; i < f->n; i++) {
		const char *k = f->v[i].key;

		if (strncmp(k, prefix, plen) != 0 ||
		    strncmp(k + plen, member, sizeof member - 1) != 0)
			continue;
		if (!v)
			v = xmalloc(f->n * sizeof *v);
		if (form_member_number(k + plen + sizeof member - 1, &v[n++]) <
		    0) {
			free(v);
			return -1;
		}
	}
	if (n == 0)
		return 0;
	/* Sort then drop repeats: O(n log n) however the keys arrive. */
	qsort(v, n, sizeof *v, form_cmp_unsigned);
	for (size_t i = 0; i < n; i++)
		if (m == 0 || v[m - 1] != v[i])
			v[m++] = v[i];
	*out = v;
	return (int)m;
}

static int
form_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	       c == '~';
}

void
form_uri_encode(struct buf *b, const char *s, size_t len, int encode_slash)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (form_unreserved(c) || (c == '/' && !encode_slash)) {
			buf_putc(b, (char)c);
		} else {
			char esc[3] = {'%', hex[c >> 4], hex[c & 15]};

			buf_append(b, esc, sizeof esc);
		}
	}
}

char *
form_encode(const struct form *f)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < f->n; i++) {
		if (i)
			buf_putc(&b, '&');
		form_uri_encode(&b, f->v[i].key, strlen(f->v[i].key), 1);
		buf_putc(&b, '=');
		form_uri_encode(&b, f->v[i].value, strlen(f->v[i].value), 1);
	}
	return buf_steal(&b);
}
