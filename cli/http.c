#include "http.h"

#include <stdio.h>
#include <string.h>

#define MAX_REDIRECTS 5

int
cli_http_post(const struct cli_config *cfg, const struct cli_service *svc,
              const char *body, struct aws_response *rsp, struct buf *err)
{
	static int warned;
	if (!cfg->verify_tls && !warned++ &&
	    strncmp(cfg->url, "https:", 6) == 0)
		fprintf(stderr,
		        "%s: warning: the server's TLS certificate is "
		        "not verified (--insecure or verify-ssl = "
		        "false)\n",
		        cli_prog);
	const struct aws_client client = {
	    .url = cfg->url,
	    .service = svc->name,
	    .region = cfg->region,
	    .akid = cfg->akid,
	    .secret = cfg->secret,
	    .token = cfg->token,
	    .verify_tls = cfg->verify_tls,
	    .ca_bundle = cfg->ca_bundle,
	    .client_cert = cfg->client_cert,
	    .client_key = cfg->client_key,
	    .user_agent = "eulb/" EULB_VERSION,
	    .timeout = cfg->timeout,
	    .max_retries = cfg->max_retries,
	    .max_redirects = MAX_REDIRECTS,
	    .debug = cli_debug_on ? cli_debug : NULL,
	};
	return aws_post(&client, body, rsp, err);
}
