/*
 * What HAProxy 2.6 accepts in the values eulb puts into haproxy.cfg, in
 * one place: eulbd refuses other values at the API, and eulb-servo never
 * renders them (rows stored before these checks). Limits were found with
 * `haproxy -c` (see tests/integration/test_haproxy_values.py).
 */
#ifndef EULB_HXVAL_H
#define EULB_HXVAL_H

#include <stddef.h>

#include "buf.h"

/* cookie maxidle/maxlife in seconds: "maximum value is 2147483647 s". */
#define HXVAL_COOKIE_PERIOD_MAX 2147483647L
/* An app cookie name; longer names are not cookies anyone sets. */
#define HXVAL_COOKIE_NAME_MAX 128
/* Timers kept in milliseconds (timeout *, inter, hard-stop-after):
 * "maximum value is 2147483647 ms", so whole seconds up to this. */
#define HXVAL_TIMER_S_MAX 2147483L
/* rise/fall: an int above 0. */
#define HXVAL_COUNT_MAX 2147483647L

/*
 * An app cookie name: an RFC 6265 token (letters, digits and
 * !$%&*+-.^_`|~) without '#' and '\'', which HAProxy's config parser
 * takes as a comment and a quote, and at most HXVAL_COOKIE_NAME_MAX long.
 */
int hxval_cookie_name_ok(const char *name);

/* The protocols of an SSLNegotiation policy that HAProxy can bound, oldest
 * first: attribute name and ssl-min-ver/ssl-max-ver word. */
enum { HXVAL_SSLV3, HXVAL_TLSV1, HXVAL_TLSV1_1, HXVAL_TLSV1_2, HXVAL_NPROTO };
extern const char *const hxval_proto_attr[HXVAL_NPROTO];
extern const char *const hxval_proto_word[HXVAL_NPROTO];

/* Whether an SSLNegotiation attribute names a cipher (not a protocol, the
 * cipher order or the reference). */
int hxval_is_cipher_attr(const char *name);

/*
 * Finishes the `ciphers` list of a bind line (enabled ciphers joined by
 * ':', or empty for OpenSSL's default) for the enabled protocol range
 * min..max (-1: none enabled; ":@SECLEVEL=0" is added below TLS 1.2) and
 * checks that this OpenSSL, as HAProxy uses it, takes protocols and
 * ciphers: 0, or -1 with why (a sentence for the user).
 */
int hxval_tls(int min, int max, struct buf *ciphers, char *why,
              size_t why_size);

#endif
