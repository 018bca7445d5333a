/*
 * The generic life of a command: parse, build the request from the option
 * rows, resolve endpoint and credentials, send, report errors the way
 * euca2ools does, print the result.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "errors.h"
#include "http.h"
#include "output.h"

/* What euca2ools 3.4.1 prints for --version, then eulb's own version. */
const char cli_version[] = "euca2ools 3.4.1 (Newton)\neulb " EULB_VERSION;
const char *cli_prog = "eulb";

#define UNVERIFIED_HINT                                                        \
	"the server's TLS certificate could not be verified: give its CA "     \
	"certificate with --ca-bundle FILE or AWS_CA_BUNDLE, or set "          \
	"\"verify-ssl = false\" in the region's section of the euca2ools "     \
	"configuration (unsafe)"

int cli_debug_on;

/*
 * "PROG: <what><text>" on stderr. Every message of a command's run goes
 * out here, and the text may quote the server (a code, a message, a body,
 * a Location), so it goes through out_sanitize; keep says which of TAB
 * and newline stay.
 */
static void cli_vsay(const char *what, unsigned keep, const char *fmt,
                     va_list ap) __attribute__((format(printf, 3, 0)));
static void cli_say(const char *what, unsigned keep, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cli_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void
cli_vsay(const char *what, unsigned keep, const char *fmt, va_list ap)
{
	struct buf text = BUF_INIT, line = BUF_INIT;
	buf_vprintf(&text, fmt, ap);
	buf_printf(&line, "%s: %s", cli_prog, what);
	out_sanitize(&line, text.data, text.len, keep);
	buf_putc(&line, '\n');
	fwrite(line.data, 1, line.len, stderr);
	buf_free(&text);
	buf_free(&line);
}

static void
cli_say(const char *what, unsigned keep, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_vsay(what, keep, fmt, ap);
	va_end(ap);
}

/* Debug output dumps multi-line requests and responses. */
void
cli_debug(const char *fmt, ...)
{
	if (!cli_debug_on)
		return;
	va_list ap;
	va_start(ap, fmt);
	cli_vsay("debug: ", OUT_KEEP_TAB | OUT_KEEP_NL, fmt, ap);
	va_end(ap);
}

/* Errors are one line: a server's code or message cannot add another. */
static void
cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_vsay("error", 0, fmt, ap);
	va_end(ap);
}

/* The element under a single-key root: the root element is discarded. */
static json_t *
unwrap_root(json_t *root)
{
	if (json_is_object(root) && json_object_size(root) == 1) {
		void *it = json_object_iter(root);
		return json_object_iter_value(it);
	}
	return root;
}

/* If exactly one child besides ResponseMetadata remains, it is the result. */
static json_t *
response_result(json_t *root)
{
	json_t *top = unwrap_root(root);
	json_t *only = NULL;
	const char *key;
	json_t *v;
	size_t n = 0;

	if (!json_is_object(top))
		return json_object();
	json_object_foreach(top, key, v)
	{
		if (strcmp(key, "ResponseMetadata") == 0)
			continue;
		only = v;
		n++;
	}
	if (n == 0)
		return json_object();
	if (n > 1)
		return json_incref(top);
	return json_is_object(only) ? json_incref(only) : json_object();
}

static const char *
default_message(const char *code)
{
	for (int id = 0; id < ERR_COUNT; id++)
		if (strcmp(err_info((enum err_id)id)->code, code) == 0)
			return err_info((enum err_id)id)->message;
	return "";
}

/*
 * "PROG: error (Code): Message", or "(status): body" when not JSON; that
 * body (a proxy's HTML page, say) keeps its lines.
 */
static void
report_server_error(const struct aws_response *rsp)
{
	json_t *root = json_loadb(rsp->body.data ? rsp->body.data : "",
	                          rsp->body.len, 0, NULL);
	const char *code, *msg;
	aws_error_of(root, &code, &msg);

	if (code && *code) {
		if (!msg || !*msg)
			msg = rsp->reason[0] ? rsp->reason
			                     : default_message(code);
		cli_error(" (%s): %s", code, msg);
	} else {
		size_t len = rsp->body.len;
		while (len && strchr(" \t\r\n", rsp->body.data[len - 1]))
			len--;
		cli_say("error", OUT_KEEP_TAB | OUT_KEEP_NL, " (%ld): %.*s",
		        rsp->status, (int)len,
		        rsp->body.data ? rsp->body.data : "");
	}
	json_decref(root);
}

static char *
request_body(const struct cli_command *cmd, const struct opt_result *res)
{
	struct form f = FORM_INIT;
	cli_request_form(cmd, res, &f);
	char *body = form_encode(&f);
	form_free(&f);
	return body;
}

/* Sends the request and prints; returns the exit status. */
static int
call(const struct cli_command *cmd, const struct opt_result *res)
{
	struct cli_config cfg = {0};
	struct aws_response rsp = {0};
	struct buf err = BUF_INIT;
	char *body = NULL;
	json_t *root = NULL, *result = NULL;
	int rc = 1;

	if (cli_config_resolve(cmd->service, res, &cfg, &err) < 0) {
		cli_error(": %s", buf_str(&err));
		goto out;
	}
	body = request_body(cmd, res);
	switch (cli_http_post(&cfg, cmd->service, body, &rsp, &err)) {
	case 0: break;
	case AWS_REFUSED: cli_say("", 0, "%s", buf_str(&err)); goto out;
	case AWS_TLS_UNVERIFIED:
		/* euca2ools would not have checked (verify-ssl defaults to
		 * false there); say how to make the check pass, or skip it. */
		cli_error(": %s", buf_str(&err));
		cli_say("", 0, "%s", UNVERIFIED_HINT);
		goto out;
	default: cli_error(": %s", buf_str(&err)); goto out;
	}
	if (rsp.status >= 300) {
		report_server_error(&rsp);
		goto out;
	}
	root = json_loadb(rsp.body.data ? rsp.body.data : "", rsp.body.len, 0,
	                  NULL);
	if (!root) {
		cli_error(": could not parse the response (not JSON)");
		goto out;
	}
	result = response_result(root);
	struct cli_print_ctx ctx = {res,
	                            opt_get_flag(res, "show-empty-fields")};
	rc = cmd->print ? cmd->print(&ctx, result) : 0;
	if (fflush(stdout) != 0)
		rc = 1;
out:
	aws_response_free(&rsp);
	cli_config_free(&cfg);
	json_decref(result);
	json_decref(root);
	free(body);
	buf_free(&err);
	return rc;
}

int
cli_run(const struct cli_command *cmd, int argc, char **argv)
{
	const struct cli_opt *tables[4];
	const char *titles[4];
	struct opt_result res;
	int rc;

	cli_command_tables(cmd, tables, titles);
	struct opt_parser p = {cli_prog, cmd->description, tables, titles,
	                       cli_version};
	switch (opt_parse(&p, argc - 1, argv + 1, &res)) {
	case OPT_OK:
		cli_debug_on = opt_get_flag(&res, "debug");
		rc = call(cmd, &res);
		break;
	case OPT_EXIT_OK: rc = 0; break;
	case OPT_EXIT_USAGE: rc = 2; break;
	default: rc = 1; break;
	}
	opt_result_free(&res);
	return rc;
}
