/*
 * AWS Signature Version 4 (HMAC-SHA256, non-S3 canonicalisation), checked
 * against AWS's own aws-sig-v4-test-suite by tests/check_sigv4.c.
 */
#include "sigv4.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>

#include "form.h"
#include "log.h"

static void
sigv4_hex(const unsigned char *d, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * SHA-256 from an implementation fetched once: OpenSSL 3 looks the
 * algorithm up in its provider store on every EVP_Digest(EVP_sha256())
 * and HMAC() call, which cost more than the hashing itself (HMAC() ~11 us
 * against ~3 us here; verifying a request takes one HMAC and two hashes).
 */
static EVP_MD *sigv4_md;
static pthread_once_t sigv4_md_once = PTHREAD_ONCE_INIT;
/* A context per thread, kept: a new one per digest cost four allocations
 * (the context and the provider's state, each made and freed). */
static pthread_key_t sigv4_ctx_key;
static __thread EVP_MD_CTX *sigv4_ctx;

static void
sigv4_ctx_free(void *ctx)
{
	EVP_MD_CTX_free(ctx);
	sigv4_ctx = NULL;
}

static void
sigv4_md_fetch(void)
{
	sigv4_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (pthread_key_create(&sigv4_ctx_key, sigv4_ctx_free) != 0)
		fatal("SHA-256: no thread key");
}

static void
sigv4_digest(const void *a, size_t alen, const void *b, size_t blen,
             unsigned char md[32])
{
	unsigned int mdlen = 0;
	pthread_once(&sigv4_md_once, sigv4_md_fetch);
	if (!sigv4_ctx) {
		sigv4_ctx = EVP_MD_CTX_new();
		if (sigv4_ctx)
			pthread_setspecific(sigv4_ctx_key, sigv4_ctx);
	}
	EVP_MD_CTX *c = sigv4_ctx;
	if (!sigv4_md || !c || !EVP_DigestInit_ex(c, sigv4_md, NULL) ||
	    !EVP_DigestUpdate(c, a, alen) || !EVP_DigestUpdate(c, b, blen) ||
	    !EVP_DigestFinal_ex(c, md, &mdlen) || mdlen != 32)
		fatal("SHA-256 failed");
}

/* HMAC-SHA256 as RFC 2104 defines it, over sigv4_digest. */
static void
sigv4_hmac(const void *key, size_t keylen, const void *data, size_t len,
           unsigned char mac[32])
{
	unsigned char k[64] = {0}, pad[64], inner[32];
	if (keylen > sizeof k)
		sigv4_digest(key, keylen, "", 0, k);
	else
		memcpy(k, key, keylen);
	for (size_t i = 0; i < sizeof pad; i++)
		pad[i] = k[i] ^ 0x36;
	sigv4_digest(pad, sizeof pad, data, len, inner);
	for (size_t i = 0; i < sizeof pad; i++)
		pad[i] = k[i] ^ 0x5c;
	sigv4_digest(pad, sizeof pad, inner, sizeof inner, mac);
	OPENSSL_cleanse(k, sizeof k);
	OPENSSL_cleanse(pad, sizeof pad);
}

void
sigv4_sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[32];
	sigv4_digest(data, len, "", 0, md);
	sigv4_hex(md, sizeof md, hex);
}

static int
sigv4_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Percent-decodes a path segment into out (room for len bytes) and returns
 * the decoded length. '+' is literal in paths; a '%' without two hex
 * digits stays literal, so it is signed as %25 on both sides.
 */
static size_t
sigv4_unescape(const char *s, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int hi = -1, lo = -1;

		if (s[i] == '%' && i + 2 < len) {
			hi = sigv4_hexval((unsigned char)s[i + 1]);
			lo = sigv4_hexval((unsigned char)s[i + 2]);
		}
		if (hi >= 0 && lo >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	return o;
}

struct sigv4_seg {
	char *s;
	size_t len;
};

/* Pushes a decoded segment, dropping "" and "." and popping on "..". */
static void
sigv4_push_seg(struct sigv4_seg *seg, size_t *n, const char *raw, size_t len)
{
	char *d = xmalloc(len + 1);
	size_t dlen = sigv4_unescape(raw, len, d);

	if (dlen == 2 && d[0] == '.' && d[1] == '.') {
		if (*n > 0)
			free(seg[--*n].s);
		free(d);
	} else if (dlen == 0 || (dlen == 1 && d[0] == '.')) {
		free(d);
	} else {
		seg[*n].s = d;
		seg[(*n)++].len = dlen;
	}
}

/*
 * The canonical URI, as botocore builds it: dot-segments resolved, empty
 * segments dropped, a trailing '/' kept only if something is left before
 * it. Each segment is re-encoded on its own, so a decoded "%2F" stays
 * %2F and "/a%2Fb" never signs like "/a/b".
 */
static void
sigv4_put_uri(struct buf *out, const char *path)
{
	const char *p = path ? path : "";
	size_t plen = strlen(p), nmax = 1, n = 0;
	const char *end = p + plen;
	struct sigv4_seg *seg;

	for (size_t i = 0; i < plen; i++)
		nmax += p[i] == '/';
	seg = xcalloc(nmax, sizeof *seg);
	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		const char *stop = slash ? slash : end;

		sigv4_push_seg(seg, &n, p, (size_t)(stop - p));
		p = slash ? slash + 1 : end;
	}
	buf_putc(out, '/');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(out, '/');
		form_uri_encode(out, seg[i].s, seg[i].len, 1);
		free(seg[i].s);
	}
	if (n > 0 && end[-1] == '/')
		buf_putc(out, '/');
	free(seg);
}

static int
sigv4_param_cmp(const void *a, const void *b)
{
	const struct form_param *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->value, y->value);
}

/*
 * The canonical query. It is decoded with the same rules the server uses
 * for its parameters ('+' is a space), so the signature covers what the
 * server acts on; -1 if the query does not decode.
 */
static int
sigv4_put_query(struct buf *out, const char *query)
{
	struct form raw = FORM_INIT, enc = FORM_INIT;
	struct buf k = BUF_INIT, v = BUF_INIT;
	const char *err;

	if (!query)
		return 0;
	if (form_parse(&raw, query, strlen(query), &err) < 0)
		return -1;
	for (size_t i = 0; i < raw.n; i++) {
		const struct form_param *pr = &raw.v[i];

		if (strcmp(pr->key, "X-Amz-Signature") == 0)
			continue;
		buf_reset(&k);
		buf_reset(&v);
		form_uri_encode(&k, pr->key, strlen(pr->key), 1);
		form_uri_encode(&v, pr->value, strlen(pr->value), 1);
		form_add(&enc, buf_str(&k), buf_str(&v));
	}
	if (enc.n > 1)
		qsort(enc.v, enc.n, sizeof *enc.v, sigv4_param_cmp);
	for (size_t i = 0; i < enc.n; i++)
		buf_printf(out, "%s%s=%s", i ? "&" : "", enc.v[i].key,
		           enc.v[i].value);
	buf_free(&k);
	buf_free(&v);
	form_free(&raw);
	form_free(&enc);
	return 0;
}

static int
sigv4_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * A header value: trimmed, inner whitespace runs collapsed to one space.
 * AWS's suite (get-header-value-multiline) signs a folded value's lines
 * as if they were repeated headers, joined with ','.
 */
static void
sigv4_put_value(struct buf *out, const char *v)
{
	int gap = 0, any = 0;

	for (; v && *v; v++) {
		if (*v == '\n') {
			buf_putc(out, ',');
			gap = any = 0;
		} else if (sigv4_is_space(*v)) {
			gap = any;
		} else {
			if (gap)
				buf_putc(out, ' ');
			buf_putc(out, *v);
			gap = 0;
			any = 1;
		}
	}
}

static void
sigv4_put_lower(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_putc(out, (char)tolower((unsigned char)s[i]));
}

/* "name:v1,v2\n" for one signed header; -1 if the request lacks it. */
static int
sigv4_put_header(struct buf *out, const struct sigv4_request *rq,
                 const char *name, size_t n)
{
	size_t found = 0;

	sigv4_put_lower(out, name, n);
	buf_putc(out, ':');
	for (size_t i = 0; n > 0 && i < rq->nheaders; i++) {
		const struct sigv4_header *h = &rq->headers[i];

		if (strncasecmp(h->name, name, n) != 0 || h->name[n] != '\0')
			continue;
		if (found++)
			buf_putc(out, ',');
		sigv4_put_value(out, h->value);
	}
	buf_putc(out, '\n');
	return found ? 0 : -1;
}

static int
sigv4_put_headers(struct buf *out, const struct sigv4_request *rq)
{
	const char *p = rq->signed_headers;

	for (;;) {
		size_t n = strcspn(p, ";");

		if (sigv4_put_header(out, rq, p, n) < 0)
			return -1;
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

int
sigv4_canonical_request(const struct sigv4_request *rq, struct buf *out)
{
	size_t start = out->len;

	buf_cat(out, rq->method, "\n", NULL);
	sigv4_put_uri(out, rq->path);
	buf_putc(out, '\n');
	if (sigv4_put_query(out, rq->query) < 0)
		goto fail;
	buf_putc(out, '\n');
	if (sigv4_put_headers(out, rq) < 0)
		goto fail;
	buf_putc(out, '\n');
	sigv4_put_lower(out, rq->signed_headers, strlen(rq->signed_headers));
	buf_cat(out, "\n", rq->payload_hash ? rq->payload_hash : "", NULL);
	return 0;
fail:
	/* Leave out as the caller handed it over. */
	out->len = start;
	out->data[start] = '\0';
	return -1;
}

void
sigv4_string_to_sign(const char *amz_date, const char *scope,
                     const char *canonical_request, struct buf *out)
{
	char hash[65];

	sigv4_sha256_hex(canonical_request, strlen(canonical_request), hash);
	buf_cat(out, SIGV4_ALGORITHM "\n", amz_date, "\n", scope, "\n", hash,
	        NULL);
}

void
sigv4_signing_key(const char *secret, const char *date, const char *region,
                  const char *service, unsigned char key[32])
{
	struct buf k = BUF_INIT;
	unsigned char kdate[32], kregion[32], kservice[32];

	buf_printf(&k, "AWS4%s", secret);
	sigv4_hmac(k.data, k.len, date, strlen(date), kdate);
	sigv4_hmac(kdate, 32, region, strlen(region), kregion);
	sigv4_hmac(kregion, 32, service, strlen(service), kservice);
	sigv4_hmac(kservice, 32, "aws4_request", 12, key);
	/* The intermediates are as good as the secret for a day. */
	OPENSSL_cleanse(k.data, k.len);
	OPENSSL_cleanse(kdate, sizeof kdate);
	OPENSSL_cleanse(kregion, sizeof kregion);
	OPENSSL_cleanse(kservice, sizeof kservice);
	buf_free(&k);
}

void
sigv4_signature(const unsigned char key[32], const char *string_to_sign,
                char hex[65])
{
	unsigned char mac[32];

	sigv4_hmac(key, 32, string_to_sign, strlen(string_to_sign), mac);
	sigv4_hex(mac, sizeof mac, hex);
}

/* Copies a non-empty s[0..len) into dst[cap]; -1 if empty or too long. */
static int
sigv4_copy(char *dst, size_t cap, const char *s, size_t len)
{
	if (len == 0 || len >= cap)
		return -1;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

static int
sigv4_all(const char *s, size_t len, int (*ok)(int))
{
	for (size_t i = 0; i < len; i++)
		if (!ok((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
sigv4_is_lower_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int
sigv4_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
sigv4_is_graph(int c)
{
	return c > ' ' && c < 0x7f;
}

/* Splits value on '/' into at most 6 parts; returns how many. */
static int
sigv4_split_credential(const char *value, const char *part[6], size_t len[6])
{
	int n = 0;

	for (;;) {
		size_t l = strcspn(value, "/");

		if (n == 6)
			return n + 1;
		part[n] = value;
		len[n++] = l;
		if (value[l] == '\0')
			return n;
		value += l + 1;
	}
}

int
sigv4_parse_credential(const char *value, struct sigv4_credential *out,
                       const char **err)
{
	struct sigv4_credential c;
	const char *part[6];
	size_t len[6];

	if (sigv4_split_credential(value, part, len) != 5) {
		*err = "Credential must have exactly 5 slash-delimited "
		       "elements, e.g. keyid/date/region/service/term";
		return -1;
	}
	if (!sigv4_all(value, strlen(value), sigv4_is_graph))
		*err = "Credential contains invalid characters";
	else if (sigv4_copy(c.akid, sizeof c.akid, part[0], len[0]) < 0)
		*err = "Credential access key ID must be 1 to 128 characters";
	else if (len[1] != 8 || !sigv4_all(part[1], 8, sigv4_is_digit) ||
	         sigv4_copy(c.date, sizeof c.date, part[1], len[1]) < 0)
		*err = "Credential date must be 8 digits (yyyymmdd)";
	else if (sigv4_copy(c.region, sizeof c.region, part[2], len[2]) < 0)
		*err = "Credential region must be 1 to 64 characters";
	else if (sigv4_copy(c.service, sizeof c.service, part[3], len[3]) < 0)
		*err = "Credential service must be 1 to 64 characters";
	else if (len[4] != 12 || memcmp(part[4], "aws4_request", 12) != 0)
		*err = "Credential should be scoped with a valid terminator: "
		       "'aws4_request'";
	else {
		*out = c;
		return 0;
	}
	return -1;
}

enum { SIGV4_CRED, SIGV4_SIGNED, SIGV4_SIG, SIGV4_NPARTS };

struct sigv4_slice {
	const char *p;
	size_t n;
};

static const struct {
	const char *name;
	const char *duplicate;
} sigv4_parts[SIGV4_NPARTS] = {
    {"Credential", "Authorization header has more than one 'Credential' "
                   "parameter"},
    {"SignedHeaders", "Authorization header has more than one "
                      "'SignedHeaders' parameter"},
    {"Signature", "Authorization header has more than one 'Signature' "
                  "parameter"},
};

/* AWS's IncompleteSignature wording, indexed by the missing-parts mask. */
static const char *const sigv4_missing[1 << SIGV4_NPARTS] = {
    NULL,
    "Authorization header requires 'Credential' parameter.",
    "Authorization header requires 'SignedHeaders' parameter.",
    "Authorization header requires 'Credential' parameter. "
    "Authorization header requires 'SignedHeaders' parameter.",
    "Authorization header requires 'Signature' parameter.",
    "Authorization header requires 'Credential' parameter. "
    "Authorization header requires 'Signature' parameter.",
    "Authorization header requires 'SignedHeaders' parameter. "
    "Authorization header requires 'Signature' parameter.",
    "Authorization header requires 'Credential' parameter. "
    "Authorization header requires 'SignedHeaders' parameter. "
    "Authorization header requires 'Signature' parameter.",
};

/* Files one "Name=value" part (already trimmed) into part[]. */
static int
sigv4_auth_part(const char *s, size_t n, struct sigv4_slice part[],
                const char **err)
{
	const char *eq = memchr(s, '=', n);

	if (!eq) {
		*err = "Authorization header has a parameter that is not a "
		       "valid key=value pair (missing equal-sign)";
		return -1;
	}
	for (int i = 0; i < SIGV4_NPARTS; i++) {
		if (strlen(sigv4_parts[i].name) != (size_t)(eq - s) ||
		    memcmp(sigv4_parts[i].name, s, (size_t)(eq - s)) != 0)
			continue;
		if (part[i].p) {
			*err = sigv4_parts[i].duplicate;
			return -1;
		}
		part[i].p = eq + 1;
		part[i].n = n - (size_t)(eq - s) - 1;
		return 0;
	}
	*err = "Authorization header has an unknown parameter";
	return -1;
}

/*
 * Splits the text after the algorithm on ',' with optional blanks around;
 * an empty part (",," or a trailing ',') is refused.
 */
static int
sigv4_auth_split(const char *p, struct sigv4_slice part[], const char **err)
{
	unsigned missing = 0;

	for (int first = 1;; first = 0) {
		size_t n;

		p += strspn(p, " \t");
		n = strcspn(p, ",");
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 0 && first && *p == '\0')
			break;
		if (n == 0) {
			*err = "Authorization header has an empty parameter";
			return -1;
		}
		if (sigv4_auth_part(p, n, part, err) < 0)
			return -1;
		p += strcspn(p, ",");
		if (*p++ != ',')
			break;
	}
	for (int i = 0; i < SIGV4_NPARTS; i++)
		if (!part[i].p)
			missing |= 1u << i;
	if (missing) {
		*err = sigv4_missing[missing];
		return -1;
	}
	return 0;
}

static int
sigv4_is_header_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Lower-case header names joined by single ';'s. */
static int
sigv4_valid_signed_headers(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ';') {
			if (i == 0 || i == n - 1 || s[i - 1] == ';')
				return 0;
		} else if (!sigv4_is_header_char((unsigned char)s[i])) {
			return 0;
		}
	}
	return n > 0;
}

/* Checks SignedHeaders and Signature and copies them into a. */
static int
sigv4_auth_values(const struct sigv4_slice part[], struct sigv4_auth *a,
                  const char **err)
{
	const struct sigv4_slice *sh = &part[SIGV4_SIGNED];
	const struct sigv4_slice *sig = &part[SIGV4_SIG];

	if (sh->n >= sizeof a->signed_headers) {
		*err = "SignedHeaders is longer than 1023 characters";
		return -1;
	}
	if (!sigv4_valid_signed_headers(sh->p, sh->n)) {
		*err = "SignedHeaders must be lower-case header names "
		       "separated by ';'";
		return -1;
	}
	if (sig->n != 64 || !sigv4_all(sig->p, 64, sigv4_is_lower_hex)) {
		*err = "Signature must be 64 lower-case hex digits";
		return -1;
	}
	sigv4_copy(a->signed_headers, sizeof a->signed_headers, sh->p, sh->n);
	sigv4_copy(a->signature, sizeof a->signature, sig->p, sig->n);
	return 0;
}

int
sigv4_parse_authorization(const char *value, struct sigv4_auth *out,
                          const char **err)
{
	static const char unsupported[] =
	    "Unsupported AWS 'algorithm', expected '" SIGV4_ALGORITHM "'";
	size_t alen = strlen(SIGV4_ALGORITHM);
	struct sigv4_slice part[SIGV4_NPARTS] = {{NULL, 0}};
	struct sigv4_auth a;
	char *cred;
	int rc;

	if (strncmp(value, SIGV4_ALGORITHM, alen) != 0 ||
	    (value[alen] != '\0' && value[alen] != ' ')) {
		*err = unsupported;
		return -1;
	}
	if (sigv4_auth_split(value + alen, part, err) < 0)
		return -1;
	cred = xstrndup(part[SIGV4_CRED].p, part[SIGV4_CRED].n);
	rc = sigv4_parse_credential(cred, &a.cred, err);
	free(cred);
	if (rc < 0 || sigv4_auth_values(part, &a, err) < 0)
		return -1;
	/* Only a complete, valid result reaches the caller. */
	*out = a;
	return 0;
}

char *
sigv4_authorization(const struct sigv4_request *rq, const char *akid,
                    const char *secret, const char *amz_date,
                    const char *region, const char *service)
{
	struct buf creq = BUF_INIT, scope = BUF_INIT, sts = BUF_INIT;
	struct buf out = BUF_INIT;
	unsigned char key[32];
	char date[9], sig[65];
	char *ret = NULL;

	if (sigv4_canonical_request(rq, &creq) < 0) {
		log_debug("a signed header is missing from the request");
		goto done;
	}
	snprintf(date, sizeof date, "%.8s", amz_date);
	buf_printf(&scope, "%s/%s/%s/aws4_request", date, region, service);
	sigv4_string_to_sign(amz_date, buf_str(&scope), buf_str(&creq), &sts);
	sigv4_signing_key(secret, date, region, service, key);
	sigv4_signature(key, buf_str(&sts), sig);
	OPENSSL_cleanse(key, sizeof key);
	buf_printf(&out,
	           SIGV4_ALGORITHM " Credential=%s/%s, SignedHeaders=", akid,
	           buf_str(&scope));
	sigv4_put_lower(&out, rq->signed_headers, strlen(rq->signed_headers));
	buf_printf(&out, ", Signature=%s", sig);
	ret = buf_steal(&out);
done:
	buf_free(&creq);
	buf_free(&scope);
	buf_free(&sts);
	return ret;
}
