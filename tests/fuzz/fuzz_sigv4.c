/*
 * The SigV4 parsers and canonicaliser (common/sigv4.c).
 *
 * Input: NUL-separated fields
 *   AUTHORIZATION \0 CREDENTIAL \0 METHOD \0 PATH \0 QUERY \0
 *   SIGNED-HEADERS \0 NAME \0 VALUE \0 NAME \0 VALUE ...
 * (a QUERY field is used only if it starts with '?'; missing fields are
 * empty). Checks:
 *   - sigv4_parse_authorization and sigv4_parse_credential: a value they
 *     accept, written back in canonical form, parses to the same result;
 *   - sigv4_canonical_request: deterministic, leaves the buffer as it was
 *     on -1, blind to the case of header names;
 *   - sign then verify: sigv4_authorization over the request's own
 *     headers parses back and verifies the way the server does it, and
 *     fails to verify once the payload hash changes.
 */
#include <ctype.h>
#include <openssl/crypto.h>
#include <string.h>

#include "fuzz.h"
#include "sigv4.h"

#define MAX_FIELDS 40
#define AKID "AKIAFUZZFUZZFUZZFUZZ"
#define SECRET "fuzz/secret+key/0123456789abcdefghijklmn"
#define AMZ_DATE "20150830T123600Z"
#define SCOPE_DATE "20150830"
#define REGION "eucalyptus"
#define SERVICE "elasticloadbalancing"
#define EMPTY_HASH                                                             \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct fields {
	char *copy; /* the input with a final NUL */
	const char *f[MAX_FIELDS];
	size_t n;
};

static void
split(const uint8_t *data, size_t size, struct fields *fs)
{
	fs->copy = xmalloc(size + 1);
	memcpy(fs->copy, data, size);
	fs->copy[size] = '\0';
	fs->n = 0;
	const char *p = fs->copy, *end = fs->copy + size;
	while (fs->n < MAX_FIELDS) {
		fs->f[fs->n++] = p;
		p += strlen(p) + 1;
		if (p > end)
			break;
	}
}

static const char *
field(const struct fields *fs, size_t i)
{
	return i < fs->n ? fs->f[i] : "";
}

static void
check_credential_roundtrip(const struct sigv4_credential *c)
{
	char text[512];
	struct sigv4_credential again;
	const char *err = NULL;
	snprintf(text, sizeof text, "%s/%s/%s/%s/aws4_request", c->akid,
	         c->date, c->region, c->service);
	FUZZ_CHECK(sigv4_parse_credential(text, &again, &err) == 0,
	           "'%s' no longer parses: %s", text, err);
	FUZZ_CHECK(strcmp(c->akid, again.akid) == 0 &&
	               strcmp(c->date, again.date) == 0 &&
	               strcmp(c->region, again.region) == 0 &&
	               strcmp(c->service, again.service) == 0,
	           "'%s' parses differently", text);
	FUZZ_CHECK(strlen(c->date) == 8, "date '%s'", c->date);
}

static void
check_parsers(const char *auth_value, const char *cred_value)
{
	struct sigv4_auth a;
	struct sigv4_credential c;
	const char *err = NULL;
	if (sigv4_parse_authorization(auth_value, &a, &err) == 0) {
		check_credential_roundtrip(&a.cred);
		FUZZ_CHECK(strlen(a.signature) == 64, "signature '%s'",
		           a.signature);
		struct buf text = BUF_INIT;
		buf_printf(&text,
		           SIGV4_ALGORITHM
		           " Credential=%s/%s/%s/%s/aws4_request,"
		           " SignedHeaders=%s, Signature=%s",
		           a.cred.akid, a.cred.date, a.cred.region,
		           a.cred.service, a.signed_headers, a.signature);
		struct sigv4_auth b;
		FUZZ_CHECK(
		    sigv4_parse_authorization(buf_str(&text), &b, &err) == 0,
		    "'%s' no longer parses: %s", buf_str(&text), err);
		FUZZ_CHECK(strcmp(a.signed_headers, b.signed_headers) == 0 &&
		               strcmp(a.signature, b.signature) == 0,
		           "'%s' parses differently", buf_str(&text));
		buf_free(&text);
	} else {
		FUZZ_CHECK(err != NULL, "no message for a refused header");
	}
	err = NULL;
	if (sigv4_parse_credential(cred_value, &c, &err) == 0)
		check_credential_roundtrip(&c);
	else
		FUZZ_CHECK(err != NULL, "no message for a refused credential");
}

/* The canonical request, checking the -1 contract and determinism. */
static int
canonical(const struct sigv4_request *rq, struct buf *out)
{
	struct buf again = BUF_INIT;
	buf_puts(out, "prefix");
	int rc = sigv4_canonical_request(rq, out);
	buf_puts(&again, "prefix");
	int rc2 = sigv4_canonical_request(rq, &again);
	FUZZ_CHECK(rc == rc2, "not deterministic: %d then %d", rc, rc2);
	FUZZ_CHECK(strcmp(buf_str(out), buf_str(&again)) == 0,
	           "two canonical requests differ");
	if (rc < 0)
		FUZZ_CHECK(out->len == 6 && strcmp(out->data, "prefix") == 0,
		           "a failure changed the buffer");
	buf_free(&again);
	return rc;
}

/* The same request with every header name in flipped ASCII case. */
static void
check_case_blind(const struct sigv4_request *rq, const struct buf *creq)
{
	struct sigv4_header *h = xcalloc(rq->nheaders, sizeof *h);
	char **names = xcalloc(rq->nheaders, sizeof *names);
	for (size_t i = 0; i < rq->nheaders; i++) {
		names[i] = xstrdup(rq->headers[i].name);
		for (char *p = names[i]; *p; p++)
			*p = (char)(isupper((unsigned char)*p)
			                ? tolower((unsigned char)*p)
			                : toupper((unsigned char)*p));
		h[i].name = names[i];
		h[i].value = rq->headers[i].value;
	}
	struct sigv4_request flipped = *rq;
	flipped.headers = h;
	struct buf out = BUF_INIT;
	buf_puts(&out, "prefix");
	sigv4_canonical_request(&flipped, &out);
	FUZZ_CHECK(strcmp(buf_str(&out), buf_str(creq)) == 0,
	           "header name case changes the canonical request");
	buf_free(&out);
	for (size_t i = 0; i < rq->nheaders; i++)
		free(names[i]);
	free(names);
	free(h);
}

static int
header_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The request's own header names, lower case, deduplicated: what a
 * client would sign. "" if none qualifies. */
static void
signable_headers(const struct sigv4_request *rq, struct buf *out)
{
	for (size_t i = 0; i < rq->nheaders; i++) {
		struct buf name = BUF_INIT;
		int ok = rq->headers[i].name[0] != '\0';
		for (const char *p = rq->headers[i].name; *p && ok; p++) {
			char c = (char)tolower((unsigned char)*p);
			ok = header_char((unsigned char)c);
			buf_putc(&name, c);
		}
		/* Already listed? Compare against each ';'-separated item. */
		for (const char *p = buf_str(out); ok && *p;) {
			size_t n = strcspn(p, ";");
			if (n == name.len && memcmp(p, name.data, n) == 0)
				ok = 0;
			p += n + (p[n] == ';');
		}
		if (ok && out->len + name.len < 1000) {
			if (out->len)
				buf_putc(out, ';');
			buf_puts(out, buf_str(&name));
		}
		buf_free(&name);
	}
}

/* What the server does with a parsed Authorization header. */
static int
verify(const struct sigv4_request *rq, const struct sigv4_auth *a)
{
	struct sigv4_request sr = *rq;
	sr.signed_headers = a->signed_headers;
	struct buf creq = BUF_INIT, sts = BUF_INIT;
	char scope[256], expect[65];
	unsigned char key[32];
	FUZZ_CHECK(sigv4_canonical_request(&sr, &creq) == 0,
	           "a signed header went missing");
	snprintf(scope, sizeof scope, "%s/%s/%s/aws4_request", a->cred.date,
	         a->cred.region, a->cred.service);
	sigv4_string_to_sign(AMZ_DATE, scope, buf_str(&creq), &sts);
	sigv4_signing_key(SECRET, a->cred.date, a->cred.region, a->cred.service,
	                  key);
	sigv4_signature(key, buf_str(&sts), expect);
	buf_free(&creq);
	buf_free(&sts);
	return CRYPTO_memcmp(expect, a->signature, 64) == 0;
}

static void
check_sign_verify(const struct sigv4_request *rq)
{
	struct buf sh = BUF_INIT;
	signable_headers(rq, &sh);
	if (sh.len == 0) {
		buf_free(&sh);
		return;
	}
	struct sigv4_request sr = *rq;
	sr.signed_headers = buf_str(&sh);
	char *auth =
	    sigv4_authorization(&sr, AKID, SECRET, AMZ_DATE, REGION, SERVICE);
	struct buf probe = BUF_INIT;
	int canon_ok = sigv4_canonical_request(&sr, &probe) == 0;
	buf_free(&probe);
	FUZZ_CHECK((auth != NULL) == canon_ok,
	           "signing and canonicalising disagree");
	if (auth) {
		struct sigv4_auth a;
		const char *err = NULL;
		FUZZ_CHECK(sigv4_parse_authorization(auth, &a, &err) == 0,
		           "our own '%s' does not parse: %s", auth, err);
		FUZZ_CHECK(strcmp(a.cred.akid, AKID) == 0 &&
		               strcmp(a.cred.date, SCOPE_DATE) == 0 &&
		               strcmp(a.cred.region, REGION) == 0 &&
		               strcmp(a.cred.service, SERVICE) == 0,
		           "'%s' names another scope", auth);
		FUZZ_CHECK(strcmp(a.signed_headers, buf_str(&sh)) == 0,
		           "SignedHeaders '%s' became '%s'", buf_str(&sh),
		           a.signed_headers);
		FUZZ_CHECK(verify(&sr, &a), "'%s' does not verify", auth);
		struct sigv4_request tampered = sr;
		tampered.payload_hash = EMPTY_HASH "0";
		FUZZ_CHECK(!verify(&tampered, &a),
		           "another payload verifies too");
	}
	free(auth);
	buf_free(&sh);
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
	struct fields fs;
	split(data, size, &fs);
	check_parsers(field(&fs, 0), field(&fs, 1));

	size_t nh = fs.n > 6 ? (fs.n - 6 + 1) / 2 : 0;
	struct sigv4_header *h = xcalloc(nh, sizeof *h);
	for (size_t i = 0; i < nh; i++) {
		h[i].name = field(&fs, 6 + 2 * i);
		h[i].value = field(&fs, 7 + 2 * i);
	}
	const char *q = field(&fs, 4);
	struct sigv4_request rq = {
	    .method = field(&fs, 2),
	    .path = field(&fs, 3),
	    .query = q[0] == '?' ? q + 1 : NULL,
	    .headers = h,
	    .nheaders = nh,
	    .signed_headers = field(&fs, 5),
	    .payload_hash = EMPTY_HASH,
	};
	struct buf creq = BUF_INIT;
	if (canonical(&rq, &creq) == 0)
		check_case_blind(&rq, &creq);
	check_sign_verify(&rq);

	buf_free(&creq);
	free(h);
	free(fs.copy);
	return 0;
}
