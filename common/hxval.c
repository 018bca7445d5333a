#include "hxval.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <string.h>

const char *const hxval_proto_attr[HXVAL_NPROTO] = {
    "Protocol-SSLv3", "Protocol-TLSv1", "Protocol-TLSv1.1", "Protocol-TLSv1.2"};
const char *const hxval_proto_word[HXVAL_NPROTO] = {"SSLv3", "TLSv1.0",
                                                    "TLSv1.1", "TLSv1.2"};

int
hxval_cookie_name_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;
	if (len < 1 || len > HXVAL_COOKIE_NAME_MAX)
		return 0;
	for (const char *p = name; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && !strchr("!$%&*+-.^_`|~", *p))
			return 0;
	return 1;
}

int
hxval_is_cipher_attr(const char *name)
{
	return strncmp(name, "Protocol-", 9) != 0 &&
	       strcmp(name, "Server-Defined-Cipher-Order") != 0 &&
	       strcmp(name, "Reference-Security-Policy") != 0;
}

/* SSL_CTX_set_cipher_list, as HAProxy calls it for a bind line. */
static int
hxval_ciphers_ok(const char *list)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	int ok = ctx && SSL_CTX_set_cipher_list(ctx, list) == 1;
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

int
hxval_tls(int min, int max, struct buf *ciphers, char *why, size_t why_size)
{
	int names = (int)ciphers->len;
	/* OpenSSL 3 refuses TLS below 1.2 at its default security level;
	 * a policy that enables them means it. */
	if (ciphers->len && min >= 0 && min < HXVAL_TLSV1_2)
		buf_puts(ciphers, ":@SECLEVEL=0");
#ifdef OPENSSL_NO_SSL3
	/* "all SSL/TLS versions are disabled" */
	if (max == HXVAL_SSLV3) {
		snprintf(why, why_size,
		         "it enables no protocol but SSLv3, which this "
		         "OpenSSL does not have; enable Protocol-TLSv1.2");
		return -1;
	}
#else
	(void)max;
#endif
	if (ciphers->len && !hxval_ciphers_ok(buf_str(ciphers))) {
		snprintf(why, why_size,
		         "OpenSSL knows none of the ciphers it enables (%.*s); "
		         "enable one such as ECDHE-RSA-AES128-GCM-SHA256",
		         names < 120 ? names : 120, buf_str(ciphers));
		return -1;
	}
	return 0;
}
