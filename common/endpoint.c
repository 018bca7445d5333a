#include "endpoint.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
endpoint_init(struct endpoint *e)
{
	memset(e, 0, sizeof *e);
	e->url = curl_url();
	return e->url ? 0 : -1;
}

static void
endpoint_clear(struct endpoint *e)
{
	free(e->host);
	curl_free(e->path);
	curl_free(e->query);
	e->host = e->path = e->query = NULL;
}

int
endpoint_set(struct endpoint *e, const char *url, struct buf *err)
{
	char *scheme = NULL, *host = NULL, *port = NULL;
	int rc = -1;
	endpoint_clear(e);
	if (curl_url_set(e->url, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(e->url, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(e->url, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(e->url, CURLUPART_PATH, &e->path, 0) != CURLUE_OK) {
		buf_printf(err, "invalid endpoint URL '%s'", url);
		goto out;
	}
	if (strcasecmp(scheme, "http") != 0 &&
	    strcasecmp(scheme, "https") != 0) {
		buf_printf(err, "endpoint URL '%s' is neither http nor https",
		           url);
		goto out;
	}
	e->https = strcasecmp(scheme, "https") == 0;
	if (curl_url_get(e->url, CURLUPART_QUERY, &e->query, 0) != CURLUE_OK)
		e->query = NULL;
	struct buf h = BUF_INIT;
	buf_puts(&h, host);
	/* Only an explicit, non-default port goes into Host (as curl does). */
	int default_port = e->https ? 443 : 80;
	if (curl_url_get(e->url, CURLUPART_PORT, &port, 0) == CURLUE_OK &&
	    atoi(port) != default_port)
		buf_printf(&h, ":%s", port);
	e->host = buf_steal(&h);
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	return rc;
}

int
endpoint_resolve(const struct endpoint *e, const char *url,
                 struct endpoint *next, struct buf *err)
{
	memset(next, 0, sizeof *next);
	next->url = curl_url_dup(e->url);
	if (!next->url) {
		buf_printf(err, "cannot resolve '%s': out of memory", url);
		return -1;
	}
	return endpoint_set(next, url, err);
}

/* host carries the port unless it is the scheme's default one. */
int
endpoint_same_origin(const struct endpoint *a, const struct endpoint *b)
{
	return a->https == b->https && a->host && b->host &&
	       strcasecmp(a->host, b->host) == 0;
}

void
endpoint_free(struct endpoint *e)
{
	endpoint_clear(e);
	curl_url_cleanup(e->url);
	e->url = NULL;
}
