#include "http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "endpoint.h"
#include "sigv4.h"

#define MAX_REDIRECTS 5
#define CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"
/*
 * The largest response body accepted, held in memory whole. Real answers
 * (a describe of every load balancer with its policies) stay far below;
 * past it a broken or hostile server would only make the CLI eat memory.
 */
#define MAX_RESPONSE_MIB 64
#define MAX_RESPONSE_BYTES ((size_t)MAX_RESPONSE_MIB * 1024 * 1024)

struct exchange {
	struct cli_response *rsp;
	char location[2048];
	int too_big; /* the body passed MAX_RESPONSE_BYTES */
};

/* CURLOPT_MAXFILESIZE_LARGE only sees a Content-Length; this sees chunks. */
static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct exchange *x = arg;
	if (size * n > MAX_RESPONSE_BYTES - x->rsp->body.len) {
		x->too_big = 1;
		return 0; /* curl fails the transfer */
	}
	buf_append(&x->rsp->body, data, size * n);
	return size * n;
}

/* Keeps the reason phrase of the last status line and any Location. */
static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
	struct exchange *x = arg;
	size_t len = size * n;
	while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (len > 5 && strncmp(data, "HTTP/", 5) == 0) {
		const char *sp = memchr(data, ' ', len);
		const char *reason =
		    sp ? memchr(sp + 1, ' ', len - (size_t)(sp + 1 - data))
		       : NULL;
		size_t rlen = reason ? len - (size_t)(reason + 1 - data) : 0;
		if (rlen >= sizeof x->rsp->reason)
			rlen = sizeof x->rsp->reason - 1;
		memcpy(x->rsp->reason, reason ? reason + 1 : "", rlen);
		x->rsp->reason[rlen] = '\0';
		x->location[0] = '\0';
	} else if (len > 9 && strncasecmp(data, "location:", 9) == 0) {
		const char *v = data + 9;
		while (v < data + len && (*v == ' ' || *v == '\t'))
			v++;
		size_t vlen = (size_t)(data + len - v);
		if (vlen < sizeof x->location) {
			memcpy(x->location, v, vlen);
			x->location[vlen] = '\0';
		}
	}
	return size * n;
}

static void
add_header(struct curl_slist **list, struct sigv4_header *h, size_t *n,
           const char *name, const char *value)
{
	struct buf line = BUF_INIT;
	buf_printf(&line, "%s: %s", name, value);
	*list = curl_slist_append(*list, buf_str(&line));
	cli_debug("request header: %s", buf_str(&line));
	buf_free(&line);
	h[*n].name = name;
	h[*n].value = value;
	(*n)++;
}

static void
debug_signing(const struct sigv4_request *rq, const char *amz_date,
              const char *scope)
{
	struct buf canon = BUF_INIT, sts = BUF_INIT;
	if (!cli_debug_on || sigv4_canonical_request(rq, &canon) < 0)
		return;
	sigv4_string_to_sign(amz_date, scope, buf_str(&canon), &sts);
	cli_debug("canonical request:\n%s", buf_str(&canon));
	cli_debug("string to sign:\n%s", buf_str(&sts));
	buf_free(&canon);
	buf_free(&sts);
}

/* Builds the signed header list for one attempt. */
static struct curl_slist *
signed_headers(const struct cli_config *cfg, const struct cli_service *svc,
               const struct endpoint *t, const char *body)
{
	struct sigv4_header h[8];
	size_t n = 0;
	struct curl_slist *list = NULL;
	char amz_date[17], hash[65];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
	sigv4_sha256_hex(body, strlen(body), hash);
	add_header(&list, h, &n, "Host", t->host);
	add_header(&list, h, &n, "Content-Type", CONTENT_TYPE);
	add_header(&list, h, &n, "Accept", "application/json");
	add_header(&list, h, &n, "X-Amz-Date", amz_date);
	add_header(&list, h, &n, "X-Amz-Content-SHA256", hash);
	if (cfg->token)
		add_header(&list, h, &n, "X-Amz-Security-Token", cfg->token);
	struct sigv4_request rq = {
	    "POST",
	    t->path,
	    t->query,
	    h,
	    n,
	    cfg->token ? "content-type;host;x-amz-content-sha256;x-amz-date;"
	                 "x-amz-security-token"
	               : "content-type;host;x-amz-content-sha256;x-amz-date",
	    hash,
	};
	char *auth = sigv4_authorization(&rq, cfg->akid, cfg->secret, amz_date,
	                                 cfg->region, svc->name);
	if (cli_debug_on) {
		struct buf scope = BUF_INIT;
		buf_printf(&scope, "%.8s/%s/%s/aws4_request", amz_date,
		           cfg->region, svc->name);
		debug_signing(&rq, amz_date, buf_str(&scope));
		buf_free(&scope);
	}
	struct buf line = BUF_INIT;
	buf_printf(&line, "Authorization: %s", auth ? auth : "");
	cli_debug("request header: %s", buf_str(&line));
	list = curl_slist_append(list, buf_str(&line));
	/* No "Expect: 100-continue" round trip for larger bodies. */
	list = curl_slist_append(list, "Expect:");
	buf_free(&line);
	free(auth);
	return list;
}

static void
set_tls(CURL *c, const struct cli_config *cfg)
{
	static int warned;
	if (!cfg->verify_tls && !warned++ && strncmp(cfg->url, "https:", 6) == 0)
		fprintf(stderr, "%s: warning: the server's TLS certificate is "
				"not verified (--insecure or verify-ssl = "
				"false)\n",
			cli_prog);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, cfg->verify_tls ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, cfg->verify_tls ? 2L : 0L);
	if (cfg->ca_bundle)
		curl_easy_setopt(c, CURLOPT_CAINFO, cfg->ca_bundle);
	if (cfg->client_cert)
		curl_easy_setopt(c, CURLOPT_SSLCERT, cfg->client_cert);
	if (cfg->client_key)
		curl_easy_setopt(c, CURLOPT_SSLKEY, cfg->client_key);
}

/* One attempt; returns the curl result. */
static CURLcode
attempt(CURL *c, const struct cli_config *cfg, const struct cli_service *svc,
        const struct endpoint *t, const char *body, struct exchange *x,
        char *errbuf)
{
	struct curl_slist *headers = signed_headers(cfg, svc, t, body);

	buf_reset(&x->rsp->body);
	x->rsp->reason[0] = '\0';
	x->location[0] = '\0';
	x->too_big = 0;
	errbuf[0] = '\0';
	/* Also leaves CURLOPT_FOLLOWLOCATION off: cli_http_post follows. */
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_CURLU, t->url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "eulb/" EULB_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	                 (curl_off_t)MAX_RESPONSE_BYTES);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, cfg->timeout);
	/* Like a socket timeout: give up after this long without data. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, cfg->timeout);
	set_tls(c, cfg);
	cli_debug("request body: %s", body);

	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->rsp->status);
		cli_debug("response status: %ld %s", x->rsp->status,
		          x->rsp->reason);
		cli_debug("response body: %s", buf_str(&x->rsp->body));
	}
	curl_slist_free_all(headers);
	return rc;
}

static void
backoff(int retry)
{
	/* 0.2 s, 0.4 s, ...: short, since the server answered quickly. */
	long ms = 200L << (retry < 5 ? retry : 5);
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	cli_debug("retrying after %ld ms", ms);
	nanosleep(&ts, NULL);
}

static int
is_redirect(long status)
{
	return status == 301 || status == 302 || status == 307 || status == 308;
}

/*
 * Moves t to a redirect's Location only on t's own scheme, host and port:
 * the request is re-signed and its body, which may hold a private key,
 * sent again. Going to http from https is the downgrade; any other move
 * (host, port, or http to https) is "another host". Returns 0, -1 (a bad
 * Location) or CLI_HTTP_REFUSED, with err filled in.
 */
static int
follow_redirect(struct endpoint *t, const char *location, struct buf *err)
{
	struct endpoint next;
	const char *why = NULL;
	char *url = NULL;
	int rc = -1;

	if (endpoint_resolve(t, location, &next, err) < 0)
		goto out;
	if (t->https && !next.https)
		why = "from https to http";
	else if (!endpoint_same_origin(t, &next))
		why = "another host";
	if (why) {
		curl_url_get(next.url, CURLUPART_URL, &url, 0);
		buf_printf(err, "refusing to follow a redirect to '%s' (%s)",
		           url ? url : location, why);
		rc = CLI_HTTP_REFUSED;
		goto out;
	}
	endpoint_free(t);
	*t = next;
	return 0;
out:
	curl_free(url);
	endpoint_free(&next);
	return rc;
}

int
cli_http_post(const struct cli_config *cfg, const struct cli_service *svc,
              const char *body, struct cli_response *rsp, struct buf *err)
{
	struct endpoint t;
	struct exchange x = {rsp, "", 0};
	char errbuf[CURL_ERROR_SIZE];
	CURL *c = curl_easy_init();
	int retries = 0, redirects = 0, rc = -1;

	memset(rsp, 0, sizeof *rsp);
	if (endpoint_init(&t) < 0 || !c || endpoint_set(&t, cfg->url, err) < 0)
		goto out;
	cli_debug("request: POST %s", cfg->url);
	for (;;) {
		CURLcode cc = attempt(c, cfg, svc, &t, body, &x, errbuf);
		if (cc == CURLE_FILESIZE_EXCEEDED || x.too_big) {
			buf_printf(err, "the response is larger than %d MiB",
			           MAX_RESPONSE_MIB);
			goto out;
		}
		if (cc != CURLE_OK) {
			long os_errno = 0;
			curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
			buf_printf(err, "connection error (%s",
			           errbuf[0] ? errbuf : curl_easy_strerror(cc));
			/* "Connection refused" as euca2ools says it. */
			if (os_errno)
				buf_printf(err, ": [Errno %ld] %s", os_errno,
				           strerror((int)os_errno));
			buf_putc(err, ')');
			if (cc == CURLE_PEER_FAILED_VERIFICATION)
				rc = CLI_HTTP_UNVERIFIED;
			goto out;
		}
		if ((rsp->status == 500 || rsp->status == 503) &&
		    retries < cfg->max_retries) {
			backoff(retries++);
			continue;
		}
		if (is_redirect(rsp->status) && x.location[0] &&
		    redirects < MAX_REDIRECTS) {
			redirects++;
			cli_debug("redirected to %s", x.location);
			int moved = follow_redirect(&t, x.location, err);
			if (moved < 0) {
				rc = moved;
				goto out;
			}
			continue;
		}
		break;
	}
	rc = 0;
out:
	endpoint_free(&t);
	if (c)
		curl_easy_cleanup(c);
	return rc;
}

void
cli_response_free(struct cli_response *rsp)
{
	buf_free(&rsp->body);
}
