/*
 * eulb-servo's HTTP client: SigV4-signed form POSTs to eulbd (service
 * elasticloadbalancing), answers read as JSON. DescribeLoadBalancersByServo
 * and PutServoStates.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "endpoint.h"
#include "fetch.h"
#include "form.h"
#include "log.h"
#include "servo.h"
#include "sigv4.h"
#include "util.h"

#define SERVO_VERSION "2012-06-01"
#define SERVO_SERVICE "elasticloadbalancing"
#define SERVO_HTTP_TIMEOUT 10L
/* eulbd's answer for one load balancer is small; this only stops a broken
 * or hostile endpoint from filling the servo's memory. */
#define SERVO_MAX_BODY_MIB 64
#define SERVO_MAX_BODY ((size_t)SERVO_MAX_BODY_MIB * 1024 * 1024)
#define CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"

/* CURLOPT_MAXFILESIZE_LARGE only sees a Content-Length; this sees chunks. */
static size_t
servo_on_body(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	if (size * n > SERVO_MAX_BODY - b->len)
		return 0; /* curl fails the transfer: CURLE_WRITE_ERROR */
	buf_append(b, data, size * n);
	return size * n;
}

static struct curl_slist *
servo_headers(const struct servo_config *c, const struct endpoint *u,
              const char *body)
{
	struct sigv4_header h[6];
	size_t n = 0;
	char amz_date[17], hash[65];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
	sigv4_sha256_hex(body, strlen(body), hash);
	h[n++] = (struct sigv4_header){"Host", u->host};
	h[n++] = (struct sigv4_header){"Content-Type", CONTENT_TYPE};
	h[n++] = (struct sigv4_header){"X-Amz-Date", amz_date};
	h[n++] = (struct sigv4_header){"X-Amz-Content-SHA256", hash};
	if (c->token)
		h[n++] =
		    (struct sigv4_header){"X-Amz-Security-Token", c->token};
	struct sigv4_request rq = {
	    "POST",
	    u->path,
	    u->query,
	    h,
	    n,
	    c->token ? "content-type;host;x-amz-content-sha256;x-amz-date;"
	               "x-amz-security-token"
	             : "content-type;host;x-amz-content-sha256;x-amz-date",
	    hash};
	char *auth = sigv4_authorization(&rq, c->akid, c->secret, amz_date,
	                                 c->region, SERVO_SERVICE);
	struct curl_slist *list = NULL;
	struct buf line = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		buf_reset(&line);
		buf_printf(&line, "%s: %s", h[i].name, h[i].value);
		list = curl_slist_append(list, buf_str(&line));
	}
	buf_reset(&line);
	buf_printf(&line, "Authorization: %s", auth ? auth : "");
	list = curl_slist_append(list, buf_str(&line));
	list = curl_slist_append(list, "Accept: application/json");
	list = curl_slist_append(list, "Expect:");
	buf_free(&line);
	free(auth);
	return list;
}

/* Error code and message of an ErrorResponse body, if it is one. */
static void
servo_error_of(json_t *doc, const char **code, const char **msg)
{
	json_t *e =
	    json_object_get(json_object_get(doc, "ErrorResponse"), "Error");
	*code = sj_str(e, "Code");
	*msg = sj_str(e, "Message");
}

/*
 * POSTs the form; *doc is the parsed answer of a 200. On an API error
 * *code names it (pointing into *doc, which is then set too) and -1.
 */
static int
servo_call(const struct servo_config *c, const struct form *f, json_t **doc,
           const char **code, struct buf *err)
{
	struct endpoint u;
	struct buf body = BUF_INIT;
	char errbuf[CURL_ERROR_SIZE] = "";
	char *form = form_encode(f);
	CURL *h = NULL;
	struct curl_slist *headers = NULL;
	long status = 0;
	int rc = -1;
	*doc = NULL;
	*code = NULL;
	if (endpoint_init(&u) < 0 || endpoint_set(&u, c->url, err) < 0)
		goto out_url;
	h = curl_easy_init();
	headers = servo_headers(c, &u, form);
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(form));
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_USERAGENT, SERVO_PROG);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, servo_on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
	                 (curl_off_t)SERVO_MAX_BODY);
	/* The signed body must go to c->url only: a 3xx is an error. */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, SERVO_HTTP_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, SERVO_HTTP_TIMEOUT);
	if (c->ca_bundle)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_bundle);
	if (c->client_cert)
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->client_cert);
	if (c->client_key)
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->client_key);
	CURLcode cc = curl_easy_perform(h);
	if (cc == CURLE_FILESIZE_EXCEEDED || cc == CURLE_WRITE_ERROR) {
		buf_printf(err, "%s: the answer is larger than %d MiB", c->url,
		           SERVO_MAX_BODY_MIB);
		goto out;
	}
	if (cc != CURLE_OK) {
		buf_printf(err, "%s: %s", c->url,
		           errbuf[0] ? errbuf : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	json_error_t je;
	*doc = json_loadb(body.data ? body.data : "", body.len, 0, &je);
	if (!*doc) {
		buf_printf(err, "%s answered %ld with no JSON (%s)", c->url,
		           status, je.text);
		goto out;
	}
	if (status != 200) {
		const char *msg;
		servo_error_of(*doc, code, &msg);
		buf_printf(err, "%s answered %ld %s: %s", c->url, status,
		           *code ? *code : "(no code)", msg ? msg : "");
		goto out;
	}
	rc = 0;
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(h);
	buf_free(&body);
out_url:
	endpoint_free(&u);
	free(form);
	return rc;
}

static void
servo_form_base(const struct servo_config *c, struct form *f,
                const char *action)
{
	form_add(f, "Action", action);
	form_add(f, "Version", SERVO_VERSION);
	form_add(f, "LoadBalancerName", c->lb);
	form_add(f, "AccountId", c->account);
}

int
servo_fetch(const struct servo_config *c, json_t **lb, struct buf *err)
{
	struct form f = FORM_INIT;
	json_t *doc;
	const char *code;
	int rc = SERVO_FETCH_ERROR;
	*lb = NULL;
	servo_form_base(c, &f, "DescribeLoadBalancersByServo");
	if (servo_call(c, &f, &doc, &code, err) < 0) {
		if (code && strcmp(code, "LoadBalancerNotFound") == 0)
			rc = SERVO_FETCH_NOT_FOUND;
		goto out;
	}
	json_t *d = json_array_get(
	    json_object_get(
	        json_object_get(
	            json_object_get(doc,
	                            "DescribeLoadBalancersByServoResponse"),
	            "DescribeLoadBalancersByServoResult"),
	        "LoadBalancerDescriptions"),
	    0);
	if (!json_is_object(d)) {
		buf_printf(err,
		           "%s: DescribeLoadBalancersByServo answer has no "
		           "LoadBalancerDescriptions member",
		           c->url);
		goto out;
	}
	*lb = json_incref(d);
	rc = SERVO_FETCH_OK;
out:
	json_decref(doc);
	form_free(&f);
	return rc;
}

int
servo_put_states(const struct servo_config *c, const struct servo_state *v,
                 size_t n, struct buf *err)
{
	struct form f = FORM_INIT;
	struct buf key = BUF_INIT;
	json_t *doc;
	const char *code;
	servo_form_base(c, &f, "PutServoStates");
	for (size_t i = 0; i < n; i++) {
		const char *field[] = {"InstanceId", "State", "ReasonCode",
		                       "Description"};
		const char *value[] = {v[i].instance_id, v[i].state,
		                       v[i].reason_code, v[i].description};
		for (size_t k = 0; k < 4; k++) {
			if (!value[k])
				continue;
			buf_reset(&key);
			buf_printf(&key, "Instances.member.%zu.%s", i + 1,
			           field[k]);
			form_add(&f, buf_str(&key), value[k]);
		}
	}
	int rc = servo_call(c, &f, &doc, &code, err);
	json_decref(doc);
	buf_free(&key);
	form_free(&f);
	return rc;
}
