/*
 * Endpoint, credentials and signing region, found the way euca2ools 3.4
 * (requestbuilder) finds them: command line, then environment, then the
 * credential file, then the INI configuration (reference/euca2ools-cli.md
 * section 6).
 */
#ifndef EULB_CLI_CONFIG_H
#define EULB_CLI_CONFIG_H

#include "buf.h"
#include "cli.h"

struct cli_config {
	char *url;    /* the endpoint exactly as given, path kept */
	char *region; /* SigV4 scope region */
	char *akid;
	char *secret;
	char *token;       /* X-Amz-Security-Token, or NULL */
	int verify_tls;    /* [region] verify-ssl (euca2ools: off by default) */
	char *ca_bundle;   /* --ca-bundle: verify against these CAs */
	char *client_cert; /* --client-cert/--client-key: mutual TLS */
	char *client_key;
	int max_retries;
	long timeout; /* seconds without progress before giving up */
};

/*
 * Fills *out for svc from the parsed common options. Returns 0, or -1
 * with the message for "PROG: error: <message>" in err (exit 1).
 */
int cli_config_resolve(const struct cli_service *svc,
                       const struct opt_result *args, struct cli_config *out,
                       struct buf *err);
void cli_config_free(struct cli_config *c);

#endif
