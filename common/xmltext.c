#include "xmltext.h"

#include <string.h>

/* Length of the allowed character at s, or 0 if it is not one. */
static int
xmltext_char(const unsigned char *s)
{
	unsigned c = s[0];
	if (c < 0x80)
		return (c >= 0x20 && c != 0x7f) || c == '\t' || c == '\n' ||
		       c == '\r';
	int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
	if (!len || c > 0xf4)
		return 0;
	unsigned cp = c & (0xffu >> (len + 1));
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff) ||
	                 cp == 0xfffe || cp == 0xffff))
		return 0;
	if (len == 4 && (cp < 0x10000 || cp > 0x10ffff))
		return 0;
	return len;
}

int
xmltext_valid(const char *s, size_t *bad_at)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int n = xmltext_char(p);
		if (!n) {
			if (bad_at)
				*bad_at =
				    (size_t)(p - (const unsigned char *)s);
			return 0;
		}
		p += n;
	}
	return 1;
}

void
xmltext_sanitize(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int n = xmltext_char(p);
		if (n)
			buf_append(b, p, (size_t)n);
		else
			buf_putc(b, '?');
		p += n ? n : 1;
	}
}

static int
xmltext_continues(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

size_t
xmltext_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += !xmltext_continues((unsigned char)*s);
	return n;
}

size_t
xmltext_cut(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return n;
	/* s[max] would start the next character unless it continues one
	 * that straddles the cut: then cut before that one. */
	n = max;
	while (n > 0 && xmltext_continues((unsigned char)s[n]))
		n--;
	return n;
}
