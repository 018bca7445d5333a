/*
 * Certificate and key checks with OpenSSL: PublicKey policy values and
 * uploaded server certificates.
 */
#ifndef EULB_PEM_H
#define EULB_PEM_H

#include <stddef.h>

/*
 * The password callback for every OpenSSL PEM read: it refuses, so an
 * encrypted PEM fails to load. With a NULL callback OpenSSL asks for a
 * passphrase on /dev/tty, which hangs a server that has a terminal.
 */
int pem_no_passphrase(char *buf, int size, int rwflag, void *userdata);

/* SHA-256 of the DER SubjectPublicKeyInfo, lower-case hex. */
typedef char pem_fingerprint[65];

/*
 * A PublicKey policy value: a PEM certificate, a PEM public key, or the
 * bare base64 DER of either (whitespace allowed). Returns 0 and the key's
 * fingerprint; or -1 with why (what is wrong, for the user) filled in.
 * *is_certificate tells which of the two it was.
 */
int pem_public_key_check(const char *value, pem_fingerprint fp,
                         int *is_certificate, char *why, size_t why_size);

struct pem_cert_info {
	char not_before[32]; /* ISO-8601 UTC */
	char not_after[32];
	pem_fingerprint fingerprint;
};

/*
 * An uploaded server certificate: body (exactly one PEM certificate),
 * private key (PEM, not encrypted) matching it, optional chain (one or
 * more PEM certificates). Body and chain hold CERTIFICATE blocks and
 * whitespace only: anything else there would be stored unsealed and
 * returned by GetServerCertificate.
 * Returns 0, or -1 with why filled in and *mismatch set when the failure
 * is only that key and certificate do not belong together.
 */
int pem_server_certificate_check(const char *body, const char *key,
                                 const char *chain, struct pem_cert_info *info,
                                 int *mismatch, char *why, size_t why_size);

#endif
