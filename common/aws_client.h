/*
 * The one signed-request client of eulb, used by the CLI and eulb-servo:
 * a Query API form POSTed with SigV4 (libcurl), the TLS options, a cap on
 * the answer's size, 500/503 retries, same-origin redirects re-signed, and
 * the code and message of an AWS error document (library eulbclient).
 */
#ifndef EULB_AWS_CLIENT_H
#define EULB_AWS_CLIENT_H

#include <jansson.h>

#include "buf.h"

struct aws_client {
	const char *url;     /* endpoint exactly as given: path, query kept */
	const char *service; /* SigV4 service name */
	const char *region;
	const char *akid;
	const char *secret;
	const char *token; /* X-Amz-Security-Token (signed), or NULL */
	int verify_tls;    /* 0 only when the user asked for it */
	const char *ca_bundle;
	const char *client_cert;
	const char *client_key;
	const char *user_agent;
	long timeout;      /* s: to connect, and at most without data */
	long deadline;     /* s: the whole exchange; 0 for none */
	int max_retries;   /* of a 500 or 503 (0.2 s, 0.4 s... apart) */
	int max_redirects; /* 0: a 3xx is the answer */
	/* Traces headers, signing and bodies when set (--debug). */
	void (*debug)(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
};

struct aws_response {
	long status;
	char reason[128]; /* HTTP reason phrase, "" if none (HTTP/2) */
	struct buf body;
};

/* aws_post would not go on: err says why, as a message of its own. */
#define AWS_REFUSED (-2)
/* The server's TLS certificate did not verify; err holds curl's reason. */
#define AWS_TLS_UNVERIFIED (-3)
/* Largest answer held in memory, whole. Real answers stay far below; past
 * it a broken or hostile server would only make the client eat memory. */
#define AWS_MAX_RESPONSE_MIB 64

/*
 * POSTs the form-encoded body to c->url, signed. Returns 0 with *rsp
 * holding the last response whatever its status; -1 with err set
 * ("connection error (...)", "the response is larger than 64 MiB");
 * AWS_TLS_UNVERIFIED; or AWS_REFUSED for a redirect elsewhere ("refusing
 * to follow a redirect to 'URL' (another host)"), which is never sent.
 * A redirect is only followed on the same scheme, host and port: the
 * body, which may hold a private key, is sent again.
 */
int aws_post(const struct aws_client *c, const char *body,
             struct aws_response *rsp, struct buf *err);
void aws_response_free(struct aws_response *rsp);

/*
 * Code and Message of an AWS error answer in JSON: {"Error": ...},
 * {"ErrorResponse": {"Error": ...}} or {"Errors": {"Error": [...]}}; NULL
 * where absent. They point into doc.
 */
void aws_error_of(json_t *doc, const char **code, const char **msg);

#endif
