/* The command's signed POST: its configuration put to the shared client. */
#ifndef EULB_CLI_HTTP_H
#define EULB_CLI_HTTP_H

#include "aws_client.h"
#include "buf.h"
#include "cli.h"
#include "config.h"

/*
 * POSTs body to cfg->url exactly as given (path and query kept), signed
 * with SigV4 for svc: aws_post with euca2ools' retries of a 500 or 503
 * (cfg->max_retries) and up to 5 same-origin redirects. Returns what
 * aws_post returns.
 */
int cli_http_post(const struct cli_config *cfg, const struct cli_service *svc,
                  const char *body, struct aws_response *rsp, struct buf *err);

#endif
