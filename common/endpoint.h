/*
 * An HTTP(S) endpoint as a SigV4 client needs it: the URL libcurl sends
 * to, and the Host, path and query that are signed. Shared by the CLI and
 * eulb-servo (library eulbclient, which links libcurl).
 */
#ifndef EULB_ENDPOINT_H
#define EULB_ENDPOINT_H

#include <curl/curl.h>

#include "buf.h"

struct endpoint {
	CURLU *url;
	char *host;  /* "example.com" or "127.0.0.1:8773" (no default port) */
	char *path;  /* raw, as curl sends it */
	char *query; /* raw, or NULL */
	int https;
};

/* 0, or -1 if libcurl cannot allocate the handle. */
int endpoint_init(struct endpoint *e);
/* Sets url, or resolves it against the current one (a redirect's
 * Location). Only http and https. 0, or -1 with err filled in. */
int endpoint_set(struct endpoint *e, const char *url, struct buf *err);
/* Sets *next to url resolved against e (a redirect's Location), leaving e
 * as it is. 0, or -1 with err filled in; endpoint_free(next) either way. */
int endpoint_resolve(const struct endpoint *e, const char *url,
                     struct endpoint *next, struct buf *err);
/* Whether a and b have the same scheme, host and port. */
int endpoint_same_origin(const struct endpoint *a, const struct endpoint *b);
void endpoint_free(struct endpoint *e);

#endif
