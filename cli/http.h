/* The signed POST of a Query API request, with euca2ools' retries. */
#ifndef EULB_CLI_HTTP_H
#define EULB_CLI_HTTP_H

#include "buf.h"
#include "cli.h"
#include "config.h"

struct cli_response {
	long status;
	char reason[128]; /* HTTP reason phrase, "" if none (HTTP/2) */
	struct buf body;
};

/* cli_http_post would not go on: err says why, as a message of its own. */
#define CLI_HTTP_REFUSED (-2)
/* A connection error because the server's certificate did not verify. */
#define CLI_HTTP_UNVERIFIED (-3)

/*
 * POSTs body to cfg->url exactly as given (path and query kept), signed
 * with SigV4 for svc. A 500 or 503 is retried up to cfg->max_retries
 * times (0.2 s, then 0.4 s...); 301/302/307/308 are followed and re-signed
 * up to 5 times, but only on the same scheme, host and port. Returns 0
 * with *rsp holding the last response whatever its status; -1 with err
 * set ("connection error (...)", "the response is larger than 64 MiB");
 * or CLI_HTTP_REFUSED for a redirect elsewhere ("refusing to follow a
 * redirect to 'URL' (another host)"), which is then never sent; or
 * CLI_HTTP_UNVERIFIED, a connection error (err set) because the server's
 * TLS certificate did not verify.
 */
int cli_http_post(const struct cli_config *cfg, const struct cli_service *svc,
                  const char *body, struct cli_response *rsp, struct buf *err);
void cli_response_free(struct cli_response *rsp);

#endif
