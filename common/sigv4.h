/*
 * AWS Signature Version 4: the canonical request, string to sign and
 * signature, shared by the server (verifying) and the CLI (signing).
 */
#ifndef EULB_SIGV4_H
#define EULB_SIGV4_H

#include <stddef.h>

#include "buf.h"

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"

struct sigv4_header {
	const char *name; /* any case, as received */
	const char *value;
};

struct sigv4_request {
	const char *method;
	const char *path;  /* raw path as sent, still percent-encoded */
	const char *query; /* raw query without '?', or NULL */
	const struct sigv4_header *headers; /* repeated names allowed */
	size_t nheaders;
	/* "host;x-amz-date": lower case, ';'-separated; only these headers
	 * enter the canonical request. */
	const char *signed_headers;
	const char *payload_hash; /* lower-case hex SHA-256 of the body */
};

/*
 * The canonical request (non-S3 rules: path normalised and encoded, query
 * parameters sorted by encoded key then value, X-Amz-Signature left out;
 * header values trimmed with inner runs of spaces collapsed, repeated
 * headers joined with ','). Returns 0, or -1 if a signed header is
 * missing from the request.
 * Appends to out, which is left as it was on -1. The query is decoded as
 * form_parse does ('+' is a space), so one that does not decode is -1 too.
 */
int sigv4_canonical_request(const struct sigv4_request *rq, struct buf *out);
void sigv4_string_to_sign(const char *amz_date, const char *scope,
                          const char *canonical_request, struct buf *out);
void sigv4_signing_key(const char *secret, const char *date, const char *region,
                       const char *service, unsigned char key[32]);
void sigv4_signature(const unsigned char key[32], const char *string_to_sign,
                     char hex[65]);
void sigv4_sha256_hex(const void *data, size_t len, char hex[65]);

struct sigv4_credential {
	char akid[129];
	char date[9]; /* yyyymmdd */
	char region[65];
	char service[65];
};

struct sigv4_auth {
	struct sigv4_credential cred;
	char signed_headers[1024];
	char signature[65];
};

/* "AKID/20150830/us-east-1/service/aws4_request" */
int sigv4_parse_credential(const char *value, struct sigv4_credential *out,
                           const char **err);
/*
 * "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."
 * (separators ',' with optional spaces, parts in any order). Returns 0, or
 * -1 with *err naming what is missing or malformed.
 */
int sigv4_parse_authorization(const char *value, struct sigv4_auth *out,
                              const char **err);

/*
 * Client side: signs rq (its signed_headers must list headers present in
 * rq) and returns the malloc'd Authorization header value.
 */
char *sigv4_authorization(const struct sigv4_request *rq, const char *akid,
                          const char *secret, const char *amz_date,
                          const char *region, const char *service);

#endif
