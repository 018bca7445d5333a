/*
 * eulb-servo's calls to eulbd (service elasticloadbalancing) through the
 * shared client (aws_client.h), answers read as JSON:
 * DescribeLoadBalancersByServo and PutServoStates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_client.h"
#include "buf.h"
#include "fetch.h"
#include "form.h"
#include "log.h"
#include "servo.h"
#include "util.h"

#define SERVO_VERSION "2012-06-01"
#define SERVO_HTTP_TIMEOUT 10L

/*
 * POSTs the form; *doc is the parsed answer of a 200. On an API error
 * *code names it (pointing into *doc, which is then set too) and -1.
 * Neither retries nor redirects: the next cycle is the retry, and the
 * signed body goes to c->url only.
 */
static int
servo_call(const struct servo_config *c, const struct form *f, json_t **doc,
           const char **code, struct buf *err)
{
	const struct aws_client client = {
	    .url = c->url,
	    .service = "elasticloadbalancing",
	    .region = c->region,
	    .akid = c->akid,
	    .secret = c->secret,
	    .token = c->token,
	    .verify_tls = 1,
	    .ca_bundle = c->ca_bundle,
	    .client_cert = c->client_cert,
	    .client_key = c->client_key,
	    .user_agent = SERVO_PROG,
	    .timeout = SERVO_HTTP_TIMEOUT,
	    .deadline = SERVO_HTTP_TIMEOUT,
	};
	struct aws_response rsp;
	struct buf why = BUF_INIT;
	char *form = form_encode(f);
	int rc = -1;
	*doc = NULL;
	*code = NULL;
	if (aws_post(&client, form, &rsp, &why) != 0) {
		buf_printf(err, "%s: %s", c->url, buf_str(&why));
		goto out;
	}
	json_error_t je;
	*doc = json_loadb(rsp.body.data ? rsp.body.data : "", rsp.body.len, 0,
	                  &je);
	if (!*doc) {
		buf_printf(err, "%s answered %ld with no JSON (%s)", c->url,
		           rsp.status, je.text);
		goto out;
	}
	if (rsp.status != 200) {
		const char *msg;
		aws_error_of(*doc, code, &msg);
		buf_printf(err, "%s answered %ld %s: %s", c->url, rsp.status,
		           *code ? *code : "(no code)", msg ? msg : "");
		goto out;
	}
	rc = 0;
out:
	aws_response_free(&rsp);
	buf_free(&why);
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
