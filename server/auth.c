#include "auth.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "dispatch.h"
#include "log.h"
#include "parse.h"
#include "store.h"

/* Where the signature parts came from: the header or the presigned query. */
struct auth_parts {
	struct sigv4_auth auth;
	const char *amz_date;
	long expires; /* presigned only; 0 otherwise */
};

static int
auth_parse_time(const char *s, time_t *out)
{
	struct tm tm = {0};
	if (strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
		return -1;
	const char *end = strptime(s, "%Y%m%dT%H%M%SZ", &tm);
	if (!end || *end)
		return -1;
	*out = timegm(&tm);
	return 0;
}

static int
auth_from_header(struct request *rq, const char *hdr, struct auth_parts *p)
{
	const char *why = NULL;
	if (sigv4_parse_authorization(hdr, &p->auth, &why) < 0)
		return resp_error(rq, ERR_INCOMPLETE_SIGNATURE, "%s", why);
	p->amz_date = request_header(rq, "X-Amz-Date");
	if (!p->amz_date)
		return resp_error(rq, ERR_INCOMPLETE_SIGNATURE,
		                  "Authorization header requires existence of "
		                  "either a 'X-Amz-Date' or a 'Date' header");
	return 0;
}

static int
auth_from_query(struct request *rq, struct auth_parts *p)
{
	const char *why = NULL;
	const char *alg = form_get(&rq->params, "X-Amz-Algorithm");
	const char *cred = form_get(&rq->params, "X-Amz-Credential");
	const char *sh = form_get(&rq->params, "X-Amz-SignedHeaders");
	const char *sig = form_get(&rq->params, "X-Amz-Signature");
	const char *exp = form_get(&rq->params, "X-Amz-Expires");
	p->amz_date = form_get(&rq->params, "X-Amz-Date");
	if (strcmp(alg, SIGV4_ALGORITHM) != 0)
		return resp_error(rq, ERR_INCOMPLETE_SIGNATURE,
		                  "X-Amz-Algorithm must be %s",
		                  SIGV4_ALGORITHM);
	if (!cred || !sh || !sig || !p->amz_date)
		return resp_error(rq, ERR_INCOMPLETE_SIGNATURE,
		                  "A presigned request needs X-Amz-Credential, "
		                  "X-Amz-Date, X-Amz-SignedHeaders and "
		                  "X-Amz-Signature");
	if (sigv4_parse_credential(cred, &p->auth.cred, &why) < 0)
		return resp_error(rq, ERR_INCOMPLETE_SIGNATURE, "%s", why);
	if (strlen(sh) >= sizeof p->auth.signed_headers || strlen(sig) != 64)
		return resp_error(rq, ERR_INCOMPLETE_SIGNATURE,
		                  "X-Amz-SignedHeaders or X-Amz-Signature is "
		                  "malformed");
	strcpy(p->auth.signed_headers, sh);
	strcpy(p->auth.signature, sig);
	p->expires = 0;
	if (exp && parse_number(exp, 1, 604800, &p->expires) < 0)
		return resp_error(rq, ERR_INCOMPLETE_SIGNATURE,
		                  "X-Amz-Expires must be between 1 and 604800 "
		                  "seconds");
	return 0;
}

static int
auth_check_time(struct request *rq, const struct auth_parts *p)
{
	time_t t;
	if (auth_parse_time(p->amz_date, &t) < 0)
		return resp_error(rq, ERR_INCOMPLETE_SIGNATURE,
		                  "X-Amz-Date '%s' is not in the form "
		                  "YYYYMMDDTHHMMSSZ",
		                  p->amz_date);
	if (strncmp(p->amz_date, p->auth.cred.date, 8) != 0)
		return resp_error(rq, ERR_SIGNATURE_MISMATCH,
		                  "The credential scope date %s does not match "
		                  "X-Amz-Date %s",
		                  p->auth.cred.date, p->amz_date);
	time_t now = time(NULL);
	if (p->expires) {
		if (now > t + p->expires || t > now + AUTH_MAX_SKEW_SECONDS)
			return resp_error(rq, ERR_REQUEST_EXPIRED,
			                  "Request has expired: signed at %s "
			                  "for %ld seconds",
			                  p->amz_date, p->expires);
	} else if (t < now - AUTH_MAX_SKEW_SECONDS ||
	           t > now + AUTH_MAX_SKEW_SECONDS) {
		return resp_error(rq, ERR_REQUEST_EXPIRED,
		                  "Request timestamp %s is more than %d "
		                  "minutes away from the server time; check "
		                  "the client's clock",
		                  p->amz_date, AUTH_MAX_SKEW_SECONDS / 60);
	}
	return 0;
}

static int
auth_signed(const char *list, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ";");
		if (n == len && strncmp(p, name, n) == 0)
			return 1;
		p += n + (p[n] == ';');
	}
	return 0;
}

/* The signature must cover host, so a request can't be replayed against
 * another endpoint, and the date it is judged by. */
static int
auth_signed_headers_check(struct request *rq, const struct auth_parts *p)
{
	if (!auth_signed(p->auth.signed_headers, "host"))
		return resp_error(rq, ERR_INCOMPLETE_SIGNATURE,
		                  "SignedHeaders must include host");
	if (!p->expires && !auth_signed(p->auth.signed_headers, "x-amz-date"))
		return resp_error(rq, ERR_INCOMPLETE_SIGNATURE,
		                  "SignedHeaders must include x-amz-date");
	return 0;
}

static int
auth_verify(struct request *rq, const struct auth_parts *p,
            const unsigned char key[32])
{
	char body_hash[65];
	sigv4_sha256_hex(rq->body.data ? rq->body.data : "", rq->body.len,
	                 body_hash);
	const char *sent_hash = request_header(rq, "X-Amz-Content-SHA256");
	if (sent_hash && strcmp(sent_hash, body_hash) != 0)
		return resp_error(rq, ERR_SIGNATURE_MISMATCH,
		                  "X-Amz-Content-SHA256 does not match the "
		                  "SHA-256 of the request body");
	struct sigv4_request sr = {
	    .method = rq->method,
	    .path = rq->raw_path,
	    .query = rq->raw_query,
	    .headers = rq->headers,
	    .nheaders = rq->nheaders,
	    .signed_headers = p->auth.signed_headers,
	    .payload_hash = body_hash,
	};
	struct buf creq = BUF_INIT, sts = BUF_INIT;
	int rc = 0;
	if (sigv4_canonical_request(&sr, &creq) < 0) {
		rc = resp_error(rq, ERR_INCOMPLETE_SIGNATURE,
		                "A header listed in SignedHeaders is missing "
		                "from the request");
		goto out;
	}
	char scope[256];
	str_cat(scope, sizeof scope, p->auth.cred.date, "/",
	        p->auth.cred.region, "/", p->auth.cred.service, "/aws4_request",
	        NULL);
	sigv4_string_to_sign(p->amz_date, scope, buf_str(&creq), &sts);
	char expect[65];
	sigv4_signature(key, buf_str(&sts), expect);
	if (CRYPTO_memcmp(expect, p->auth.signature, 64) != 0)
		rc = resp_error(rq, ERR_SIGNATURE_MISMATCH,
		                "The request signature we calculated does not "
		                "match the signature you provided. Check your "
		                "AWS Secret Access Key and signing method");
out:
	buf_free(&creq);
	buf_free(&sts);
	return rc;
}

/*
 * Per thread, the signing keys last derived (unsealing the secret and
 * four HMACs, a fifth of a cheap request's time otherwise). An entry is
 * used only while the key's row still holds the very sealed secret it was
 * derived from, which the lookup every request makes returns: a changed,
 * re-sealed or deactivated key is never served from the cache.
 */
#define AUTH_CACHE_SLOTS 16
/* The credential scope and sealed secret an entry was derived from, as
 * "akid/date/region/service/sealed": compared whole, which costs less
 * than hashing them for every request. Longer ones are not cached. */
#define AUTH_CACHE_ID 384

struct auth_cache_entry {
	char id[AUTH_CACHE_ID];
	size_t id_len;
	unsigned char key[32];
};

static __thread struct auth_cache_entry auth_cache[AUTH_CACHE_SLOTS];

/* The signing key for p's credential scope, from the cache or derived
 * now. -1 if the secret does not open. */
static int
auth_signing_key(const struct auth_parts *p, const char *sealed,
                 unsigned char key[32])
{
	const struct sigv4_credential *c = &p->auth.cred;
	char id[AUTH_CACHE_ID];
	size_t len = str_cat(id, sizeof id, c->akid, "/", c->date, "/",
	                     c->region, "/", c->service, "/", sealed, NULL);
	if (len >= sizeof id)
		len = 0;
	unsigned h = 0;
	for (size_t i = 0; i < len; i++)
		h = h * 31 + (unsigned char)id[i];
	struct auth_cache_entry *e = &auth_cache[h % AUTH_CACHE_SLOTS];
	if (len && e->id_len == len && memcmp(e->id, id, len) == 0) {
		memcpy(key, e->key, 32);
		return 0;
	}
	char *secret = store_key_unseal(c->akid, sealed);
	if (!secret)
		return -1;
	sigv4_signing_key(secret, c->date, c->region, c->service, key);
	OPENSSL_cleanse(secret, strlen(secret));
	free(secret);
	if (len) {
		memcpy(e->id, id, len);
		e->id_len = len;
		memcpy(e->key, key, 32);
	}
	return 0;
}

/* euca2ools signs with "undefined-<pid>" when no region is configured. */
static int
auth_undefined_region(const char *region)
{
	if (strncmp(region, "undefined-", 10) != 0 || !region[10])
		return 0;
	return strspn(region + 10, "0123456789") == strlen(region + 10);
}

/* The credential scope picks the region the request acts in; a region
 * this server does not serve was signed for another endpoint: refuse it
 * as AWS does, so a request can't be replayed across regions. */
static int
auth_check_region(struct request *rq, const struct auth_parts *p)
{
	const struct server_config *c = rq->config;
	const char *region = p->auth.cred.region;
	int i = config_region_index(c, region);
	if (i < 0 && c->accept_undefined_region &&
	    auth_undefined_region(region))
		i = 0;
	if (i >= 0) {
		rq->region = c->regions[i].name;
		return 0;
	}
	struct buf served = BUF_INIT;
	for (size_t j = 0; j < c->nregions; j++)
		buf_printf(&served, "%s'%s'", j ? ", " : "",
		           c->regions[j].name);
	resp_error(rq, ERR_SIGNATURE_MISMATCH,
	           "Credential should be scoped to a valid region, not '%s'. "
	           "This endpoint serves %s %s",
	           region, c->nregions > 1 ? "the regions" : "the region",
	           buf_str(&served));
	buf_free(&served);
	return -1;
}

int
auth_check(struct request *rq)
{
	struct auth_parts p = {0};
	const char *hdr = request_header(rq, "Authorization");
	if (hdr) {
		if (auth_from_header(rq, hdr, &p) < 0)
			return -1;
	} else if (form_get(&rq->params, "X-Amz-Algorithm")) {
		if (auth_from_query(rq, &p) < 0)
			return -1;
	} else {
		return resp_error(rq, ERR_MISSING_AUTH,
		                  "Request is missing Authentication Token; "
		                  "sign it with AWS Signature Version 4");
	}
	if (auth_signed_headers_check(rq, &p) < 0 ||
	    auth_check_region(rq, &p) < 0 || auth_check_time(rq, &p) < 0)
		return -1;
	char *sealed = NULL;
	unsigned char key[32];
	int rc = store_key_lookup_sealed(rq->db, p.auth.cred.akid,
	                                 rq->account_id, &sealed);
	if (rc == STORE_NOT_FOUND)
		return resp_error(rq, ERR_INVALID_CLIENT_TOKEN,
		                  "The security token included in the request "
		                  "is invalid: no access key %s",
		                  p.auth.cred.akid);
	if (rc != STORE_OK || auth_signing_key(&p, sealed, key) < 0) {
		free(sealed);
		rq->account_id[0] = '\0';
		return resp_error(rq, ERR_SERVICE_UNAVAILABLE,
		                  "The credential store is unavailable; retry");
	}
	free(sealed);
	rc = auth_verify(rq, &p, key);
	OPENSSL_cleanse(key, sizeof key);
	str_cat(rq->auth_service, sizeof rq->auth_service, p.auth.cred.service,
	        NULL);
	if (rc < 0)
		rq->account_id[0] = '\0';
	return rc;
}

int
auth_check_service(struct request *rq)
{
	if (strcmp(rq->auth_service, rq->action->service) != 0)
		return resp_error(
		    rq, ERR_SIGNATURE_MISMATCH,
		    "The credential scope names the service '%s'; "
		    "%s is signed for '%s'",
		    rq->auth_service, rq->action->name, rq->action->service);
	return 0;
}
