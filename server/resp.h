/* The response to a request: AWS XML or JSON, or an error (resp.c). */
#ifndef EULB_RESP_H
#define EULB_RESP_H

#include <jansson.h>
#include <stddef.h>

#include "errors.h"

struct request;

/* Set rq's error response. Returns -1 so handlers can `return resp_error()`. */
int resp_error(struct request *rq, enum err_id err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A handler that streams its Result (emit.h) calls this first: rq->stream
 * then holds the answer's opening, and the handler writes the Result's
 * contents after it. */
void resp_stream_open(struct request *rq);
/* Render rq->result (or the error) into rq->response_body as XML or JSON,
 * then free rq->result. */
void resp_render(struct request *rq);

/* No less than the bytes v takes rendered as element `name` in XML or as
 * a member in JSON (each string byte counted at its longest escape): what
 * describes weigh against --max-response-bytes. */
size_t resp_size_bound(const char *name, json_t *v);
/* Its share for one string's bytes. */
size_t resp_string_bound(const char *s);
/* s as XML character data (and attribute-safe). */
struct buf;
void resp_xml_escape(struct buf *b, const char *s);

#endif
