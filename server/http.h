/* libmicrohttpd glue: the listening socket, body cap, request lifecycle. */
#ifndef EULB_HTTP_H
#define EULB_HTTP_H

#include <stddef.h>

#include "config.h"

struct http_server;

/* Binds c->listen (port 0: a free port) and starts serving. The base URL
 * actually bound (http://HOST:PORT/) is written to url. NULL on failure. */
struct http_server *http_start(const struct server_config *c, char *url,
                               size_t url_size);
/* Stops accepting, finishes requests in flight, frees everything. */
void http_stop(struct http_server *s);

#endif
