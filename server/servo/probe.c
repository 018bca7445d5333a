/*
 * eulb-servo's OpenSSL side: the TLS probe of an instance (what
 * certificate does it present?), verification as HAProxy would do it,
 * PublicKey values, and the fail-closed certificate.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "pem.h"
#include "probe.h"

static void
servo_spki_fingerprint(X509 *x, char fp[65])
{
	unsigned char *der = NULL, md[32];
	unsigned int mdlen = 0;
	int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	fp[0] = '\0';
	if (len > 0 &&
	    EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) == 1)
		for (unsigned i = 0; i < mdlen; i++)
			snprintf(fp + 2 * i, 3, "%02x", md[i]);
	OPENSSL_free(der);
}

static char *
servo_x509_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	if (b && PEM_write_bio_X509(b, x)) {
		long n = BIO_get_mem_data(b, &data);
		out = xstrndup(data, (size_t)n);
	}
	BIO_free(b);
	return out;
}

/* Non-blocking connect bounded by timeout_ms; then blocking with socket
 * timeouts for the handshake. */
static int
servo_connect(const char *host, int port, int timeout_ms, char *why,
              size_t why_size)
{
	struct addrinfo hints = {0}, *ai = NULL;
	char service[16];
	int fd = -1;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof service, "%d", port);
	int g = getaddrinfo(host, service, &hints, &ai);
	if (g != 0) {
		snprintf(why, why_size, "address %s: %s", host,
		         gai_strerror(g));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	            0);
	if (fd < 0)
		goto fail;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		struct pollfd p = {fd, POLLOUT, 0};
		int err = 0;
		socklen_t len = sizeof err;
		if (errno != EINPROGRESS)
			goto fail;
		int r = poll(&p, 1, timeout_ms);
		if (r == 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		if (r < 0 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			goto fail;
		if (err) {
			errno = err;
			goto fail;
		}
	}
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	freeaddrinfo(ai);
	return fd;
fail:
	snprintf(why, why_size, "connect to %s port %d: %s", host, port,
	         strerror(errno));
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return -1;
}

static void
servo_ssl_error(const char *what, char *why, size_t why_size)
{
	unsigned long e = ERR_get_error();
	char msg[256] = "handshake failed";
	if (e)
		ERR_error_string_n(e, msg, sizeof msg);
	ERR_clear_error();
	snprintf(why, why_size, "%s: %s", what, msg);
}

int
servo_probe(const char *host, int port, int timeout_ms,
            struct servo_seen_cert *seen, char *why, size_t why_size)
{
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	X509 *leaf = NULL;
	int rc = -1;
	memset(seen, 0, sizeof *seen);
	int fd = servo_connect(host, port, timeout_ms, why, why_size);
	if (fd < 0)
		return -1;
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx)
		goto ssl_fail;
	/* See whatever the instance presents: any protocol, any cipher. */
	SSL_CTX_set_min_proto_version(ctx, 0);
	SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_fd(ssl, fd))
		goto ssl_fail;
	if (SSL_connect(ssl) != 1)
		goto ssl_fail;
	leaf = SSL_get1_peer_certificate(ssl);
	if (!leaf) {
		snprintf(why, why_size, "%s port %d presented no certificate",
		         host, port);
		goto out;
	}
	seen->pem = servo_x509_pem(leaf);
	servo_spki_fingerprint(leaf, seen->fingerprint);
	X509_NAME_oneline(X509_get_subject_name(leaf), seen->subject,
	                  sizeof seen->subject);
	seen->chain = sk_X509_new_null();
	STACK_OF(X509) *peer = SSL_get_peer_cert_chain(ssl);
	for (int i = 0; peer && i < sk_X509_num(peer); i++) {
		X509 *x = sk_X509_value(peer, i);
		X509_up_ref(x);
		sk_X509_push(seen->chain, x);
	}
	if (sk_X509_num(seen->chain) == 0) {
		X509_up_ref(leaf);
		sk_X509_push(seen->chain, leaf);
	}
	SSL_shutdown(ssl);
	rc = seen->pem ? 0 : -1;
	goto out;
ssl_fail : {
	char what[300];
	snprintf(what, sizeof what, "TLS handshake with %s port %d", host,
	         port);
	servo_ssl_error(what, why, why_size);
}
out:
	X509_free(leaf);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	if (rc < 0)
		servo_seen_free(seen);
	return rc;
}

void
servo_seen_free(struct servo_seen_cert *seen)
{
	free(seen->pem);
	if (seen->chain)
		sk_X509_pop_free(seen->chain, X509_free);
	memset(seen, 0, sizeof *seen);
}

static X509 *
servo_pem_x509(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x =
	    b ? PEM_read_bio_X509(b, NULL, pem_no_passphrase, NULL) : NULL;
	BIO_free(b);
	return x;
}

int
servo_verify(const struct servo_seen_cert *seen, const char *const *pems,
             size_t npems, char *why, size_t why_size)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int rc = -1;
	if (!store || !ctx || !seen->chain || sk_X509_num(seen->chain) < 1) {
		snprintf(why, why_size, "nothing to verify");
		goto out;
	}
	for (size_t i = 0; i < npems; i++) {
		X509 *x = servo_pem_x509(pems[i]);
		if (x)
			X509_STORE_add_cert(store, x);
		X509_free(x);
	}
	/* As OpenSSL verifies a server for a TLS client such as HAProxy's
	 * server side: purpose sslserver, no name checks. */
	if (X509_STORE_CTX_init(ctx, store, sk_X509_value(seen->chain, 0),
	                        seen->chain) != 1 ||
	    X509_STORE_CTX_set_default(ctx, "ssl_server") != 1) {
		snprintf(why, why_size, "cannot set up verification");
		goto out;
	}
	if (X509_verify_cert(ctx) == 1) {
		rc = 0;
		goto out;
	}
	snprintf(why, why_size, "%s",
	         X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return rc;
}

int
servo_public_key(const char *value, char fp[65], char **pem)
{
	int is_cert = 0;
	char why[128];
	*pem = NULL;
	if (!value ||
	    pem_public_key_check(value, fp, &is_cert, why, sizeof why) < 0)
		return -1;
	if (!is_cert)
		return 0;
	/* The certificate as PEM: parse whichever form was given. */
	X509 *x = NULL;
	if (strstr(value, "-----BEGIN")) {
		x = servo_pem_x509(value);
	} else {
		/* Bare base64 DER: wrap it in 64-column PEM lines. */
		struct buf b = BUF_INIT;
		size_t col = 0;
		buf_puts(&b, "-----BEGIN CERTIFICATE-----\n");
		for (const char *p = value; *p; p++) {
			if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
				continue;
			buf_putc(&b, *p);
			if (++col % 64 == 0)
				buf_putc(&b, '\n');
		}
		if (col % 64)
			buf_putc(&b, '\n');
		buf_puts(&b, "-----END CERTIFICATE-----\n");
		x = servo_pem_x509(buf_str(&b));
		buf_free(&b);
	}
	if (x)
		*pem = servo_x509_pem(x);
	X509_free(x);
	ERR_clear_error();
	return *pem ? 0 : -1;
}

char *
servo_never_cert(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	char *pem = NULL;
	unsigned char serial[16];
	if (!key || !x)
		goto out;
	RAND_bytes(serial, sizeof serial);
	serial[0] &= 0x7f;
	BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
	BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	X509_set_version(x, 2);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 60L * 60 * 24 * 365 * 10);
	X509_set_pubkey(x, key);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(
	    n, "CN", MBSTRING_ASC,
	    (const unsigned char *)"eulb-servo fail-closed "
	                           "(matches nothing)",
	    -1, -1, 0);
	X509_set_issuer_name(x, n);
	if (X509_sign(x, key, EVP_sha256()) > 0)
		pem = servo_x509_pem(x);
out:
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(key); /* the key is gone: nothing can present x */
	return pem;
}
