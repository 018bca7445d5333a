#include "aws_client.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "endpoint.h"
#include "sigv4.h"

#define CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"
#define MAX_RESPONSE_BYTES ((size_t)AWS_MAX_RESPONSE_MIB * 1024 * 1024)

struct exchange {
	const struct aws_client *c;
	struct aws_response *rsp;
	char location[2048];
	int too_big; /* the body passed MAX_RESPONSE_BYTES */
};

#define TRACE(c, ...)                                                          \
	do {                                                                   \
		if ((c)->debug)                                                \
			(c)->debug(__VA_ARGS__);                               \
	} while (0)

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
add_header(const struct aws_client *c, struct curl_slist **list,
           struct sigv4_header *h, size_t *n, const char *name,
           const char *value)
{
	struct buf line = BUF_INIT;
	buf_printf(&line, "%s: %s", name, value);
	*list = curl_slist_append(*list, buf_str(&line));
	TRACE(c, "request header: %s", buf_str(&line));
	buf_free(&line);
	h[*n].name = name;
	h[*n].value = value;
	(*n)++;
}

static void
trace_signing(const struct aws_client *c, const struct sigv4_request *rq,
              const char *amz_date)
{
	struct buf canon = BUF_INIT, sts = BUF_INIT, scope = BUF_INIT;
	if (!c->debug || sigv4_canonical_request(rq, &canon) < 0)
		return;
	buf_printf(&scope, "%.8s/%s/%s/aws4_request", amz_date, c->region,
	           c->service);
	sigv4_string_to_sign(amz_date, buf_str(&scope), buf_str(&canon), &sts);
	c->debug("canonical request:\n%s", buf_str(&canon));
	c->debug("string to sign:\n%s", buf_str(&sts));
	buf_free(&canon);
	buf_free(&sts);
	buf_free(&scope);
}

/* The signed header list of one attempt. */
static struct curl_slist *
signed_headers(const struct aws_client *c, const struct endpoint *t,
               const char *body)
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
	add_header(c, &list, h, &n, "Host", t->host);
	add_header(c, &list, h, &n, "Content-Type", CONTENT_TYPE);
	add_header(c, &list, h, &n, "Accept", "application/json");
	add_header(c, &list, h, &n, "X-Amz-Date", amz_date);
	add_header(c, &list, h, &n, "X-Amz-Content-SHA256", hash);
	if (c->token)
		add_header(c, &list, h, &n, "X-Amz-Security-Token", c->token);
	struct sigv4_request rq = {
	    "POST",
	    t->path,
	    t->query,
	    h,
	    n,
	    c->token ? "content-type;host;x-amz-content-sha256;x-amz-date;"
	               "x-amz-security-token"
	             : "content-type;host;x-amz-content-sha256;x-amz-date",
	    hash,
	};
	char *auth = sigv4_authorization(&rq, c->akid, c->secret, amz_date,
	                                 c->region, c->service);
	trace_signing(c, &rq, amz_date);
	struct buf line = BUF_INIT;
	buf_printf(&line, "Authorization: %s", auth ? auth : "");
	TRACE(c, "request header: %s", buf_str(&line));
	list = curl_slist_append(list, buf_str(&line));
	/* No "Expect: 100-continue" round trip for larger bodies. */
	list = curl_slist_append(list, "Expect:");
	buf_free(&line);
	free(auth);
	return list;
}

static void
set_tls(CURL *h, const struct aws_client *c)
{
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->verify_tls ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->verify_tls ? 2L : 0L);
	if (c->ca_bundle)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_bundle);
	if (c->client_cert)
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->client_cert);
	if (c->client_key)
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->client_key);
}

/* One attempt; returns the curl result. */
static CURLcode
attempt(CURL *h, const struct aws_client *c, const struct endpoint *t,
        const char *body, struct exchange *x, char *errbuf)
{
	struct curl_slist *headers = signed_headers(c, t, body);

	buf_reset(&x->rsp->body);
	x->rsp->reason[0] = '\0';
	x->location[0] = '\0';
	x->too_big = 0;
	errbuf[0] = '\0';
	/* Also leaves CURLOPT_FOLLOWLOCATION off: aws_post follows. */
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_CURLU, t->url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
	                 (curl_off_t)MAX_RESPONSE_BYTES);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->timeout);
	/* Like a socket timeout: give up after this long without data. */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->timeout);
	if (c->deadline > 0)
		curl_easy_setopt(h, CURLOPT_TIMEOUT, c->deadline);
	set_tls(h, c);
	TRACE(c, "request body: %s", body);

	CURLcode rc = curl_easy_perform(h);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &x->rsp->status);
		TRACE(c, "response status: %ld %s", x->rsp->status,
		      x->rsp->reason);
		TRACE(c, "response body: %s", buf_str(&x->rsp->body));
	}
	curl_slist_free_all(headers);
	return rc;
}

static void
backoff(const struct aws_client *c, int retry)
{
	/* 0.2 s, 0.4 s, ...: short, since the server answered quickly. */
	long ms = 200L << (retry < 5 ? retry : 5);
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	TRACE(c, "retrying after %ld ms", ms);
	nanosleep(&ts, NULL);
}

static int
is_redirect(long status)
{
	return status == 301 || status == 302 || status == 307 || status == 308;
}

/*
 * Moves t to a redirect's Location only on t's own scheme, host and port:
 * the request is re-signed and its body sent again. Going to http from
 * https is the downgrade; any other move (host, port, or http to https)
 * is "another host". Returns 0, -1 (a bad Location) or AWS_REFUSED, with
 * err filled in.
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
		rc = AWS_REFUSED;
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

/* "connection error (curl's reason: [Errno N] strerror)", as euca2ools. */
static void
connection_error(CURL *h, CURLcode cc, const char *errbuf, struct buf *err)
{
	long os_errno = 0;
	curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
	buf_printf(err, "connection error (%s",
	           errbuf[0] ? errbuf : curl_easy_strerror(cc));
	if (os_errno)
		buf_printf(err, ": [Errno %ld] %s", os_errno,
		           strerror((int)os_errno));
	buf_putc(err, ')');
}

int
aws_post(const struct aws_client *c, const char *body, struct aws_response *rsp,
         struct buf *err)
{
	struct endpoint t;
	struct exchange x = {c, rsp, "", 0};
	char errbuf[CURL_ERROR_SIZE];
	CURL *h = curl_easy_init();
	int retries = 0, redirects = 0, rc = -1;

	memset(rsp, 0, sizeof *rsp);
	if (endpoint_init(&t) < 0 || !h || endpoint_set(&t, c->url, err) < 0)
		goto out;
	TRACE(c, "request: POST %s", c->url);
	for (;;) {
		CURLcode cc = attempt(h, c, &t, body, &x, errbuf);
		if (cc == CURLE_FILESIZE_EXCEEDED || x.too_big) {
			buf_printf(err, "the response is larger than %d MiB",
			           AWS_MAX_RESPONSE_MIB);
			goto out;
		}
		if (cc != CURLE_OK) {
			connection_error(h, cc, errbuf, err);
			if (cc == CURLE_PEER_FAILED_VERIFICATION)
				rc = AWS_TLS_UNVERIFIED;
			goto out;
		}
		if ((rsp->status == 500 || rsp->status == 503) &&
		    retries < c->max_retries) {
			backoff(c, retries++);
			continue;
		}
		if (is_redirect(rsp->status) && x.location[0] &&
		    redirects < c->max_redirects) {
			redirects++;
			TRACE(c, "redirected to %s", x.location);
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
	if (h)
		curl_easy_cleanup(h);
	return rc;
}

void
aws_response_free(struct aws_response *rsp)
{
	buf_free(&rsp->body);
}

/* The element under a single-key root (ErrorResponse and the like). */
static json_t *
unwrap_root(json_t *root)
{
	if (json_is_object(root) && json_object_size(root) == 1)
		return json_object_iter_value(json_object_iter(root));
	return root;
}

static json_t *
first_if_array(json_t *v)
{
	return json_is_array(v) ? json_array_get(v, 0) : v;
}

void
aws_error_of(json_t *doc, const char **code, const char **msg)
{
	json_t *e = unwrap_root(doc);
	if (json_object_get(e, "Errors"))
		e = first_if_array(json_object_get(e, "Errors"));
	if (json_object_get(e, "Error"))
		e = first_if_array(json_object_get(e, "Error"));
	*code = json_string_value(json_object_get(e, "Code"));
	*msg = json_string_value(json_object_get(e, "Message"));
}
