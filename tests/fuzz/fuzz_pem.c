/*
 * The certificate and key checks (common/pem.c): a PublicKey policy value
 * and an uploaded server certificate.
 *
 * Input: up to three parts separated by a line "%%" (certificate body,
 * private key, chain). The whole input goes to pem_public_key_check, then
 * each part on its own; the parts go to pem_server_certificate_check.
 *
 * Checks: success gives a 64-digit lower-case fingerprint (and dates for a
 * certificate); failure gives a message; the same value checked twice
 * gives the same answer (no state left in OpenSSL's error queue).
 */
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "pem.h"

#define SEPARATOR "\n%%\n"

static void
check_fingerprint(const char *fp)
{
	FUZZ_CHECK(strlen(fp) == 64 && strspn(fp, "0123456789abcdef") == 64,
	           "fingerprint '%s'", fp);
}

static void
check_public_key(const char *value)
{
	pem_fingerprint fp, fp2;
	char why[256] = "", why2[256] = "";
	int is_cert = -1, is_cert2 = -1;
	int rc = pem_public_key_check(value, fp, &is_cert, why, sizeof why);
	int rc2 =
	    pem_public_key_check(value, fp2, &is_cert2, why2, sizeof why2);
	FUZZ_CHECK(rc == rc2, "%d then %d for the same value", rc, rc2);
	if (rc == 0) {
		check_fingerprint(fp);
		FUZZ_CHECK(strcmp(fp, fp2) == 0 && is_cert == is_cert2,
		           "two answers for the same key");
		FUZZ_CHECK(is_cert == 0 || is_cert == 1, "is_cert %d", is_cert);
	} else {
		FUZZ_CHECK(why[0] != '\0', "refused without a reason");
		FUZZ_CHECK(strcmp(why, why2) == 0, "'%s' then '%s'", why, why2);
	}
}

static void
check_server_certificate(const char *body, const char *key, const char *chain)
{
	struct pem_cert_info info;
	char why[256] = "";
	int mismatch = -1;
	memset(&info, 0x5a, sizeof info);
	int rc = pem_server_certificate_check(body, key, chain, &info,
	                                      &mismatch, why, sizeof why);
	FUZZ_CHECK(mismatch == 0 || mismatch == 1, "mismatch %d", mismatch);
	if (rc == 0) {
		FUZZ_CHECK(mismatch == 0, "accepted yet mismatched");
		check_fingerprint(info.fingerprint);
		FUZZ_CHECK(
		    memchr(info.not_before, '\0', sizeof info.not_before) &&
		        memchr(info.not_after, '\0', sizeof info.not_after),
		    "dates not terminated");
	} else {
		FUZZ_CHECK(why[0] != '\0', "refused without a reason");
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_keep_stderr();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A C string, as the server hands values over (no NUL inside). */
	char *whole = xstrndup((const char *)data, size);
	char *part[3] = {NULL, NULL, NULL};
	size_t n = 0;
	for (char *p = whole; p && n < 3; n++) {
		char *sep = n < 2 ? strstr(p, SEPARATOR) : NULL;
		part[n] = xstrndup(p, sep ? (size_t)(sep - p) : strlen(p));
		p = sep ? sep + strlen(SEPARATOR) : NULL;
	}

	check_public_key(whole);
	for (size_t i = 0; i < n && n > 1; i++)
		check_public_key(part[i]);
	check_server_certificate(part[0], part[1] ? part[1] : "", part[2]);

	for (size_t i = 0; i < 3; i++)
		free(part[i]);
	free(whole);
	return 0;
}
