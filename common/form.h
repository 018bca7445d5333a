/*
 * application/x-www-form-urlencoded and query-string codec, shared by the
 * server (parsing requests) and the CLI (building them).
 */
#ifndef EULB_FORM_H
#define EULB_FORM_H

#include <stddef.h>

#include "buf.h"

struct form_param {
	char *key;
	char *value;
};

/* An ordered list of decoded parameters; keys may repeat. */
struct form {
	struct form_param *v;
	size_t n;
	size_t cap;
};

#define FORM_INIT                                                              \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

/*
 * Appends the parameters of s[0..len) to f. '+' decodes to a space, %XX to
 * its byte; a piece without '=' is a key with an empty value; empty pieces
 * ("a=1&&b=2") are skipped. Returns 0, or -1 with *err set to a static
 * message (bad percent-escape, NUL byte) and f unchanged.
 */
int form_parse(struct form *f, const char *s, size_t len, const char **err);
void form_add(struct form *f, const char *key, const char *value);
/* The value of the first parameter named key, or NULL. */
const char *form_get(const struct form *f, const char *key);
/* How many parameters are named exactly key. */
size_t form_count(const struct form *f, const char *key);
void form_free(struct form *f);

/*
 * The distinct member numbers N, ascending, of keys "<prefix>.member.N" and
 * "<prefix>.member.N.<anything>". Numbers need not be contiguous.
 * Returns how many (0 if none; *out is then NULL), or -1 if some N is not a
 * decimal number in 1..FORM_MAX_MEMBER (the caller reports it). A leading
 * zero ("member.01") counts as malformed: "%u" lookups could never find it.
 * *out is malloc'd; free it.
 */
#define FORM_MAX_MEMBER 100000
int form_member_indexes(const struct form *f, const char *prefix,
                        unsigned **out);

/* SigV4 UriEncode: RFC 3986 unreserved kept, everything else %XX upper. */
void form_uri_encode(struct buf *b, const char *s, size_t len,
                     int encode_slash);
/* key=value&key=value in f's order, both sides form_uri_encode'd. */
char *form_encode(const struct form *f);

#endif
