/* eulb-servo's OpenSSL side: TLS probes, verification, keys. */
#ifndef EULB_SERVO_PROBE_H
#define EULB_SERVO_PROBE_H

#include <stddef.h>

struct stack_st_X509;

struct servo_seen_cert {
	char *pem;            /* the leaf the instance presented */
	char fingerprint[65]; /* SHA-256 of its DER SubjectPublicKeyInfo */
	char subject[256];    /* one line, for messages */
	struct stack_st_X509 *chain; /* STACK_OF(X509), leaf first */
};

/* TLS handshake to host:port without verification (no SNI, as HAProxy
 * connects); fills *seen. Returns 0, or -1 with why. */
int servo_probe(const char *host, int port, int timeout_ms,
                struct servo_seen_cert *seen, char *why, size_t why_size);
void servo_seen_free(struct servo_seen_cert *seen);
/* Verifies the seen chain as HAProxy's `ssl verify required ca-file`
 * would with the given PEM certificates as the ca-file. 0 when it
 * passes; -1 with OpenSSL's reason. */
int servo_verify(const struct servo_seen_cert *seen, const char *const *pems,
                 size_t npems, char *why, size_t why_size);
/* A PublicKey value (PEM or bare base64 of a certificate or public key):
 * 0 with the SPKI fingerprint and, for certificates, *pem set to the
 * normalised PEM (malloc'd; NULL for a bare key). -1 if unusable. */
int servo_public_key(const char *value, char fp[65], char **pem);
/* A self-signed certificate whose private key is thrown away: a ca-file
 * that nothing can match (fail closed). malloc'd PEM. */
char *servo_never_cert(void);

#endif
