/*
 * One API request, from the bytes libmicrohttpd hands over to the response
 * it sends back. Lives exactly as long as the HTTP request.
 */
#ifndef EULB_REQUEST_H
#define EULB_REQUEST_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "errors.h"
#include "form.h"
#include "resp.h" /* every request ends in one */
#include "sigv4.h"

struct action;
struct db;
struct server_config;

struct request {
	/* transport */
	const char *method;
	char *raw_path;  /* as sent, still percent-encoded */
	char *raw_query; /* after '?', or NULL */
	struct sigv4_header *headers;
	size_t nheaders;
	struct buf body;
	int body_too_large;
	int want_json;
	int close; /* answer with Connection: close */
	struct timespec started;
	char request_id[37];
	char client_subject[192]; /* TLS client certificate, for the log */

	/* parsed */
	struct form params;
	const struct action *action;
	char account_id[13]; /* the caller, once authenticated */
	const char *region;  /* the region it signed for, of config->regions */
	char auth_service[65]; /* the service its signature is scoped to */
	struct db *db;
	int in_read; /* dispatch_prepare left its read transaction open */
	const struct server_config *config;

	/* response: the Result contents a handler builds, or an error */
	json_t *result;
	/* or, when streamed, the answer as text: the envelope's opening
	 * (stream_head bytes), then those contents (emit.h) */
	struct buf stream;
	size_t stream_head;
	int streamed;
	int status;
	enum err_id err;
	char *err_message;
	char *response_body;
	size_t response_len;
	const char *content_type;

	/* PEMs checked before the write queue (ACT_PEM): the value checked
	 * (a policy's PublicKey, an upload's CertificateBody), its verdict
	 * and fingerprint or reason; for an upload, whether the reason is
	 * only that key and certificate differ, and the expiration. */
	const char *pem_value;
	int pem_ok;
	int pem_mismatch;
	char pem_fp[65];
	char pem_why[256];
	char pem_not_after[32];

	/* group commit (writer.c) */
	struct request *queue_next;
	void *queue_token;
	int queued;  /* handed to the writer */
	size_t held; /* bytes of its answer counted by http_hold */
	int ran;     /* the writer has run it: render and send */
};

/* Frees rq and everything it owns. */
void request_free(struct request *rq);

/* The request's region as load balancers are stored: "" for the home
 * region (the first --region), else the region's name (schema/0006). */
const char *request_region_key(const struct request *rq);

/* Header lookup, case-insensitive; NULL if absent. */
const char *request_header(const struct request *rq, const char *name);

#endif
