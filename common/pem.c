#include "pem.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"

int
pem_no_passphrase(char *buf, int size, int rwflag, void *userdata)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)userdata;
	return -1;
}

/* One "-----BEGIN label-----" ... "-----END label-----" block of a text. */
struct pem_block {
	char label[64];
	const char *data; /* the lines between BEGIN and END */
	size_t len;
	int headers; /* RFC 1421 headers (Proc-Type, DEK-Info): encrypted */
};

/* The length of the line at p without its end of line and trailing
 * blanks; *next is where the following line starts. */
static size_t
pem_line(const char *p, const char **next)
{
	size_t n = strcspn(p, "\n");
	*next = p[n] ? p + n + 1 : p + n;
	while (n && strchr(" \t\r", p[n - 1]))
		n--;
	return n;
}

static int
pem_block_rest(const char **pos, const char *begin, size_t n,
               struct pem_block *b, const char *what, char *why,
               size_t why_size)
{
	size_t label_len = n - 16; /* "-----BEGIN " and "-----" */
	const char *p, *next;
	if (label_len == 0 || label_len >= sizeof b->label) {
		snprintf(why, why_size, "%s has a malformed BEGIN line", what);
		return -1;
	}
	memcpy(b->label, begin + 11, label_len);
	b->label[label_len] = '\0';
	b->headers = 0;
	pem_line(begin, &b->data);
	for (p = b->data; *p; p = next) {
		n = pem_line(p, &next);
		if (strncmp(p, "-----END ", 9) != 0) {
			b->headers |= memchr(p, ':', n) != NULL;
			continue;
		}
		if (n != label_len + 14 ||
		    strncmp(p + 9, b->label, label_len) ||
		    strncmp(p + n - 5, "-----", 5)) {
			snprintf(why, why_size,
			         "%s: the %s block ends with "
			         "another END line",
			         what, b->label);
			return -1;
		}
		b->len = (size_t)(p - b->data);
		*pos = next;
		return 1;
	}
	snprintf(why, why_size, "%s: the %s block has no END line", what,
	         b->label);
	return -1;
}

/*
 * The next PEM block of the text at *pos: 1 and *b, 0 at the end, -1 with
 * why. strict: anything but blank lines outside the blocks is an error;
 * otherwise it is skipped, as OpenSSL does.
 */
static int
pem_next_block(const char **pos, struct pem_block *b, int strict,
               const char *what, char *why, size_t why_size)
{
	const char *p, *next;
	for (p = *pos; *p; p = next) {
		size_t n = pem_line(p, &next);
		if (n >= 16 && strncmp(p, "-----BEGIN ", 11) == 0 &&
		    strncmp(p + n - 5, "-----", 5) == 0)
			return pem_block_rest(pos, p, n, b, what, why,
			                      why_size);
		if (strict && n > 0) {
			snprintf(why, why_size,
			         "%s holds text outside its PEM "
			         "blocks; give PEM blocks only",
			         what);
			return -1;
		}
	}
	*pos = p;
	return 0;
}

/*
 * 0, or -1 when the key does not parse (a certificate whose key does not
 * parse has none). The SubjectPublicKeyInfo is hashed as it was encoded:
 * i2d_PUBKEY of the decoded key would run OpenSSL 3's provider encoder,
 * whose set-up took a third of a CreateLoadBalancerPolicy's time.
 */
static int
pem_fingerprint_of(X509_PUBKEY *spki, pem_fingerprint fp)
{
	unsigned char *der = NULL;
	int len =
	    spki && X509_PUBKEY_get0(spki) ? i2d_X509_PUBKEY(spki, &der) : -1;
	unsigned char md[32];
	unsigned int mdlen = 0;
	fp[0] = '\0';
	if (len > 0 &&
	    EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) == 1)
		for (unsigned i = 0; i < mdlen; i++)
			snprintf(fp + 2 * i, 3, "%02x", md[i]);
	OPENSSL_free(der);
	return fp[0] ? 0 : -1;
}

/* Bare base64 (whitespace allowed) to DER; -1 if it isn't base64. */
static int
pem_base64_decode(const char *s, struct buf *out)
{
	struct buf clean = BUF_INIT;
	for (const char *p = s; *p; p++) {
		if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
			continue;
		if (!strchr(
		        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		        "0123456789+/=",
		        *p)) {
			buf_free(&clean);
			return -1;
		}
		buf_putc(&clean, *p);
	}
	int rc = -1;
	if (clean.len && clean.len % 4 == 0) {
		unsigned char *der = xmalloc(clean.len);
		int n = EVP_DecodeBlock(der, (const unsigned char *)clean.data,
		                        (int)clean.len);
		/* DecodeBlock counts '=' padding as zero bytes; at most two
		 * may end the text, and nowhere else. */
		size_t pad = 0;
		while (pad < clean.len &&
		       clean.data[clean.len - 1 - pad] == '=')
			pad++;
		if (n > 0 && pad <= 2 &&
		    !memchr(clean.data, '=', clean.len - pad) &&
		    (size_t)n > pad) {
			buf_append(out, der, (size_t)n - pad);
			rc = 0;
		}
		free(der);
	}
	buf_free(&clean);
	return rc;
}

/* A CERTIFICATE block, decoded without OpenSSL's PEM reader: no
 * passphrase callback is ever involved. NULL with why otherwise. */
static X509 *
pem_block_x509(const struct pem_block *b, const char *what, char *why,
               size_t why_size)
{
	if (strcmp(b->label, "CERTIFICATE") != 0) {
		snprintf(why, why_size,
		         "%s holds a %s block; only CERTIFICATE "
		         "blocks are accepted",
		         what, b->label);
		return NULL;
	}
	if (b->headers) {
		snprintf(why, why_size,
		         "%s holds an encrypted CERTIFICATE "
		         "block (Proc-Type header)",
		         what);
		return NULL;
	}
	char *text = xstrndup(b->data, b->len);
	struct buf der = BUF_INIT;
	X509 *x = NULL;
	if (pem_base64_decode(text, &der) == 0) {
		const unsigned char *p = (const unsigned char *)der.data;
		x = d2i_X509(NULL, &p, (long)der.len);
		if (x && p != (const unsigned char *)der.data + der.len) {
			X509_free(x);
			x = NULL;
		}
	}
	if (!x)
		snprintf(why, why_size,
		         "%s: a CERTIFICATE block does not "
		         "parse",
		         what);
	free(text);
	buf_free(&der);
	ERR_clear_error();
	return x;
}

static int
pem_from_der(const struct buf *der, pem_fingerprint fp, int *is_cert)
{
	const unsigned char *p = (const unsigned char *)der->data;
	X509 *x = d2i_X509(NULL, &p, (long)der->len);
	if (x && p == (const unsigned char *)der->data + der->len) {
		int rc = pem_fingerprint_of(X509_get_X509_PUBKEY(x), fp);
		X509_free(x);
		*is_cert = 1;
		return rc;
	}
	X509_free(x);
	p = (const unsigned char *)der->data;
	X509_PUBKEY *k = d2i_X509_PUBKEY(NULL, &p, (long)der->len);
	if (k && p == (const unsigned char *)der->data + der->len) {
		int rc = pem_fingerprint_of(k, fp);
		X509_PUBKEY_free(k);
		*is_cert = 0;
		return rc;
	}
	X509_PUBKEY_free(k);
	return -1;
}

static int
pem_from_text(const char *value, pem_fingerprint fp, int *is_cert, char *why,
              size_t why_size)
{
	const char *pos = value;
	struct pem_block b;
	while (pem_next_block(&pos, &b, 0, "PublicKey", why, why_size) > 0)
		if (b.headers) {
			snprintf(why, why_size,
			         "it is encrypted (a Proc-Type "
			         "header); give it in the clear");
			return -1;
		}
	BIO *bio = BIO_new_mem_buf(value, -1);
	int rc = -1;
	if (strstr(value, "-----BEGIN CERTIFICATE-----")) {
		X509 *x = PEM_read_bio_X509(bio, NULL, pem_no_passphrase, NULL);
		if (x && pem_fingerprint_of(X509_get_X509_PUBKEY(x), fp) == 0) {
			*is_cert = 1;
			rc = 0;
		}
		X509_free(x);
	} else if (strstr(value, "-----BEGIN PUBLIC KEY-----")) {
		X509_PUBKEY *k = PEM_read_bio_X509_PUBKEY(
		    bio, NULL, pem_no_passphrase, NULL);
		if (k && pem_fingerprint_of(k, fp) == 0) {
			*is_cert = 0;
			rc = 0;
		}
		X509_PUBKEY_free(k);
	}
	if (rc < 0)
		snprintf(why, why_size, "the PEM block does not parse (%s)",
		         strstr(value, "-----END") ? "corrupt contents"
		                                   : "truncated: no END line");
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

int
pem_public_key_check(const char *value, pem_fingerprint fp, int *is_certificate,
                     char *why, size_t why_size)
{
	int is_cert = 0;
	if (strstr(value, "PRIVATE KEY-----")) {
		snprintf(why, why_size,
		         "it is a private key; give the "
		         "certificate or its public key, never "
		         "the private key");
		return -1;
	}
	if (strstr(value, "-----BEGIN")) {
		if (!strstr(value, "-----BEGIN CERTIFICATE-----") &&
		    !strstr(value, "-----BEGIN PUBLIC KEY-----")) {
			snprintf(why, why_size,
			         "a PEM value must be a "
			         "CERTIFICATE or a PUBLIC KEY");
			return -1;
		}
		if (pem_from_text(value, fp, &is_cert, why, why_size) < 0)
			return -1;
	} else {
		struct buf der = BUF_INIT;
		int rc = pem_base64_decode(value, &der);
		if (rc == 0)
			rc = pem_from_der(&der, fp, &is_cert);
		buf_free(&der);
		ERR_clear_error();
		if (rc < 0) {
			snprintf(
			    why, why_size,
			    "it is neither a PEM certificate or public key "
			    "nor the base64 DER of one");
			return -1;
		}
	}
	if (is_certificate)
		*is_certificate = is_cert;
	return 0;
}

static void
pem_asn1_time_iso(const ASN1_TIME *t, char out[32])
{
	struct tm tm;
	out[0] = '\0';
	if (ASN1_TIME_to_tm(t, &tm) == 1)
		strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Exactly one certificate and nothing else. */
static X509 *
pem_body_x509(const char *body, char *why, size_t why_size)
{
	const char *pos = body;
	struct pem_block b;
	int r = pem_next_block(&pos, &b, 1, "CertificateBody", why, why_size);
	X509 *x =
	    r > 0 ? pem_block_x509(&b, "CertificateBody", why, why_size) : NULL;
	if (r == 0)
		snprintf(why, why_size,
		         "CertificateBody holds no PEM "
		         "certificate");
	if (x && (r = pem_next_block(&pos, &b, 1, "CertificateBody", why,
	                             why_size)) != 0) {
		if (r > 0 && strcmp(b.label, "CERTIFICATE") != 0)
			snprintf(why, why_size,
			         "CertificateBody also holds a "
			         "%s block; only one CERTIFICATE block is "
			         "accepted",
			         b.label);
		else if (r > 0)
			snprintf(why, why_size,
			         "CertificateBody holds more "
			         "than one certificate; give the chain in "
			         "CertificateChain");
		X509_free(x);
		x = NULL;
	}
	return x;
}

/* One or more certificates and nothing else. */
static int
pem_chain_check(const char *chain, char *why, size_t why_size)
{
	const char *pos = chain;
	struct pem_block b;
	int n = 0, r;
	while ((r = pem_next_block(&pos, &b, 1, "CertificateChain", why,
	                           why_size)) > 0) {
		X509 *x = pem_block_x509(&b, "CertificateChain", why, why_size);
		if (!x)
			return -1;
		X509_free(x);
		n++;
	}
	if (r == 0 && n == 0)
		snprintf(why, why_size,
		         "CertificateChain holds no PEM "
		         "certificate");
	return r < 0 || n == 0 ? -1 : 0;
}

/* Said before OpenSSL reads the key, so that the refusal is clear. */
static int
pem_key_encrypted(const char *key)
{
	const char *pos = key;
	struct pem_block b;
	char ignored[8];
	while (pem_next_block(&pos, &b, 0, "PrivateKey", ignored,
	                      sizeof ignored) > 0)
		if (b.headers || strcmp(b.label, "ENCRYPTED PRIVATE KEY") == 0)
			return 1;
	return 0;
}

/*
 * The private-key blocks of text (the EC PARAMETERS block `openssl ecparam
 * -genkey` writes before one is allowed). -1 if a block is broken or of
 * another kind: HAProxy reads the one file body, chain and key go into by
 * kind (first certificate the leaf, first key the key), so a stray block
 * would be taken for one of them.
 */
static int
pem_count_keys(const char *text)
{
	BIO *bio = BIO_new_mem_buf(text, -1);
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long len;
	int n = 0;
	while (n >= 0 && PEM_read_bio(bio, &name, &header, &data, &len) == 1) {
		size_t l = strlen(name);
		if (l >= 11 && strcmp(name + l - 11, "PRIVATE KEY") == 0)
			n++;
		else if (strcmp(name, "EC PARAMETERS") != 0)
			n = -1;
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
	}
	unsigned long err = ERR_peek_last_error();
	ERR_clear_error();
	BIO_free(bio);
	/* Reading stops with "no start line" after the last block. */
	return err && ERR_GET_REASON(err) != PEM_R_NO_START_LINE ? -1 : n;
}

/* Loads the pair and chain into a TLS server context as HAProxy does for
 * `bind ... ssl crt`: OpenSSL's default security level then refuses short
 * keys and weak signatures ("ee key too small", "ca md too weak") that
 * would stop HAProxy from loading its configuration. */
static int
pem_tls_server_check(X509 *x, EVP_PKEY *k, const char *chain, char *why,
                     size_t why_size)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	BIO *bio = BIO_new_mem_buf(chain ? chain : "", -1);
	X509 *c;
	int ok = ctx && SSL_CTX_use_certificate(ctx, x) == 1 &&
	         SSL_CTX_use_PrivateKey(ctx, k) == 1;
	while (ok && (c = PEM_read_bio_X509(bio, NULL, pem_no_passphrase,
	                                    NULL)) != NULL) {
		ok = SSL_CTX_add1_chain_cert(ctx, c) == 1;
		X509_free(c);
	}
	const char *reason = ERR_reason_error_string(ERR_peek_last_error());
	if (!ok)
		snprintf(why, why_size,
		         "OpenSSL refuses it for a TLS server (%s); use a "
		         "key of at least 2048 bits (RSA) or 256 (EC) and "
		         "SHA-256 signatures",
		         reason ? reason : "unknown reason");
	ERR_clear_error();
	BIO_free(bio);
	SSL_CTX_free(ctx);
	return ok ? 0 : -1;
}

static EVP_PKEY *
pem_private_key(const char *key, char *why, size_t why_size)
{
	if (pem_key_encrypted(key)) {
		snprintf(why, why_size,
		         "the private key is encrypted; upload "
		         "it without a passphrase");
		return NULL;
	}
	BIO *kb = BIO_new_mem_buf(key, -1);
	EVP_PKEY *k =
	    PEM_read_bio_PrivateKey(kb, NULL, pem_no_passphrase, NULL);
	BIO_free(kb);
	if (!k)
		snprintf(why, why_size,
		         "the private key is not a PEM private "
		         "key");
	return k;
}

int
pem_server_certificate_check(const char *body, const char *key,
                             const char *chain, struct pem_cert_info *info,
                             int *mismatch, char *why, size_t why_size)
{
	X509 *x = pem_body_x509(body, why, why_size);
	EVP_PKEY *k = x ? pem_private_key(key, why, why_size) : NULL;
	int rc = -1;
	*mismatch = 0;
	if (!x || !k)
		;
	else if (pem_count_keys(key) != 1)
		snprintf(why, why_size,
		         "the private key must be one PEM "
		         "private key and nothing else");
	else if (X509_check_private_key(x, k) != 1) {
		snprintf(why, why_size,
		         "the private key does not match the "
		         "certificate's public key");
		*mismatch = 1;
	} else if (chain && *chain && pem_chain_check(chain, why, why_size) < 0)
		;
	else if (pem_tls_server_check(x, k, chain, why, why_size) < 0)
		;
	else if (pem_fingerprint_of(X509_get_X509_PUBKEY(x),
	                            info->fingerprint) < 0)
		snprintf(why, why_size,
		         "the certificate's public key does not "
		         "parse");
	else {
		pem_asn1_time_iso(X509_get0_notBefore(x), info->not_before);
		pem_asn1_time_iso(X509_get0_notAfter(x), info->not_after);
		rc = 0;
	}
	X509_free(x);
	EVP_PKEY_free(k);
	ERR_clear_error();
	return rc;
}
