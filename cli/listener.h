/*
 * The -l/--listener value of eulb-create-lb and eulb-create-lb-listeners:
 * "protocol=P,lb-port=N,instance-port=N[,instance-protocol=P][,cert-id=ARN]"
 * parsed exactly as euca2ools 3.4 does (reference/euca2ools-cli.md 4.1.1).
 */
#ifndef EULB_CLI_LISTENER_H
#define EULB_CLI_LISTENER_H

struct cli_listener {
	char protocol[8];  /* HTTP, HTTPS, SSL or TCP, upper case */
	long long lb_port; /* any integer; the server checks the range */
	long long instance_port;
	char instance_protocol[8]; /* upper case, or "" when not given */
	char *cert_id;             /* malloc'd, verbatim; NULL when not given */
};

/*
 * Parses s into *out. The string is trimmed and split on every ','; empty
 * pieces are skipped; each piece must be exactly KEY=VALUE (so a value
 * cannot contain '='); keys and values are trimmed; a repeated key keeps
 * its last value. Keys: protocol, lb-port, instance-port (required),
 * instance-protocol, cert-id. Protocols match in any case; the
 * instance protocol must be in the protocol's family (HTTP/HTTPS or
 * SSL/TCP).
 *
 * Returns 0, or -1 with *err set to a malloc'd message that starts with
 * "listener '<s>': " (the caller prefixes "argument -l/--listener: ") and
 * *out left empty. Either way the caller frees with cli_listener_free().
 */
int cli_listener_parse(const char *s, struct cli_listener *out, char **err);
void cli_listener_free(struct cli_listener *l);

#endif
