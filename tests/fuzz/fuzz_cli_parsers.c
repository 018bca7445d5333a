/*
 * The CLI's argument parsers (cli/): the -l/--listener parser, every
 * argument type of opt_types.c (the -a "name=N, value=V" and -A "N=V,N=V"
 * policy attributes, tags, health-check targets, lists...) and the
 * argparse-compatible command line parser driven by the real command
 * table, down to the request form it builds.
 *
 * Input: an argv split on NUL bytes, program name first
 * ("eulb-create-lb\0web\0-l\0protocol=HTTP,..."); a name not in the
 * table picks a command by its first byte. The first argument alone also
 * goes through cli_listener_parse and every argument type.
 * File-reading options are turned into their in-line twins (a path into a
 * string, an attribute file into an attribute list), so nothing is read
 * from disk or stdin.
 *
 * Checks: a refusal always says why; a listener that parses has a known
 * protocol and a family-compatible instance protocol; a parsed command
 * line builds a form that encodes and decodes back to itself.
 */
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "form.h"
#include "fuzz.h"
#include "listener.h"

#define MAX_ARGS 64

/* Per command: its option tables with the file rows made in-line. */
struct fuzz_command {
	const struct cli_command *cmd;
	const struct cli_opt *tables[4];
	const char *titles[4];
};

static struct fuzz_command *commands;

static const struct cli_opt *
inline_table(const struct cli_opt *t)
{
	size_t n = 0;
	while (!opt_row_end(&t[n]))
		n++;
	struct cli_opt *copy = xcalloc(n + 1, sizeof *copy);
	memcpy(copy, t, (n + 1) * sizeof *copy);
	for (size_t i = 0; i < n; i++) {
		if (copy[i].type == OPT_FILE)
			copy[i].type = OPT_STRING;
		else if (copy[i].type == OPT_ATTR_FILE)
			copy[i].type = OPT_ATTR_LIST;
	}
	return copy;
}

static void
free_commands(void)
{
	for (size_t i = 0; i < cli_ncommands; i++)
		for (size_t t = 0; commands[i].tables[t]; t++)
			free((void *)commands[i].tables[t]);
	free(commands);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_keep_stderr();
	commands = xcalloc(cli_ncommands, sizeof *commands);
	for (size_t i = 0; i < cli_ncommands; i++) {
		struct fuzz_command *c = &commands[i];
		c->cmd = &cli_commands[i];
		cli_command_tables(c->cmd, c->tables, c->titles);
		for (size_t t = 0; c->tables[t]; t++)
			c->tables[t] = inline_table(c->tables[t]);
	}
	atexit(free_commands);
	return 0;
}

static int
protocol_family(const char *p)
{
	if (strcmp(p, "HTTP") == 0 || strcmp(p, "HTTPS") == 0)
		return 1;
	if (strcmp(p, "SSL") == 0 || strcmp(p, "TCP") == 0)
		return 2;
	return 0;
}

static void
check_listener(const char *s)
{
	struct cli_listener l;
	char *err = NULL;
	if (cli_listener_parse(s, &l, &err) == 0) {
		FUZZ_CHECK(err == NULL, "success with a message: %s", err);
		FUZZ_CHECK(protocol_family(l.protocol) != 0, "protocol '%s'",
		           l.protocol);
		FUZZ_CHECK(!l.instance_protocol[0] ||
		               protocol_family(l.instance_protocol) ==
		                   protocol_family(l.protocol),
		           "'%s' behind '%s'", l.instance_protocol, l.protocol);
	} else {
		FUZZ_CHECK(err && strncmp(err, "listener '", 10) == 0,
		           "message '%s'", err ? err : "(none)");
		FUZZ_CHECK(l.cert_id == NULL, "a failure kept a cert-id");
	}
	free(err);
	cli_listener_free(&l);
}

/* One row per in-line argument type, plain and with a subkey. */
static const struct cli_opt type_rows[] = {
    {'s', "string", "S", OPT_STRING, "S", 0, 0, NULL, NULL, NULL},
    {'i', "int", "I", OPT_INT, "I", 0, 0, NULL, NULL, NULL},
    {'c', "choice", "C", OPT_CHOICE, "C", 0, 0, "HTTP,HTTPS,SSL,TCP", NULL,
     NULL},
    {'l', "list", "L", OPT_LIST, "L", 0, 0, NULL, "InstanceId", NULL},
    {'n', "int-list", "N", OPT_INT_LIST, "N", 0, 0, NULL, NULL, NULL},
    {'t', "tag", "T", OPT_TAG, "T", 0, 0, NULL, NULL, NULL},
    {'L', "listener", "L", OPT_LISTENER, "L", 0, 0, NULL, NULL, NULL},
    {'H', "target", "H", OPT_HC_TARGET, "H", 0, 0, NULL, NULL, NULL},
    {'a', "attribute", "A", OPT_POLICY_ATTR, "A", 0, 0, NULL, NULL, NULL},
    {'A', "attributes", "A", OPT_ATTR_LIST, "A", 0, 0, NULL, NULL, NULL},
    {'k', "key-value", "K", OPT_KEY_VALUE, "K", 0, 0, NULL, NULL, NULL},
    {'f', "flag", NULL, OPT_FLAG, "F", 0, 0, NULL, NULL, NULL},
};

static void
check_types(const char *arg)
{
	for (size_t i = 0; i < sizeof type_rows / sizeof *type_rows; i++) {
		struct buf err = BUF_INIT;
		int usage = -1;
		json_t *v = opt_convert(&type_rows[i], arg, &err, &usage);
		FUZZ_CHECK(v != NULL || err.len > 0,
		           "%s refused '%s' without a message",
		           type_rows[i].longopt, arg);
		FUZZ_CHECK(usage == 0 || usage == 1, "usage %d", usage);
		/* Arguments are bytes: a value need not be UTF-8, so it
		 * may not serialise; it must not crash trying. */
		free(v ? json_dumps(v, JSON_ENCODE_ANY) : NULL);
		json_decref(v);
		buf_free(&err);
	}
}

static void
check_command(const struct fuzz_command *c, int argc, char *const *argv)
{
	struct opt_parser p = {c->cmd->name, c->cmd->description, c->tables,
	                       c->titles, cli_version};
	struct opt_result res;
	cli_prog = c->cmd->name;
	if (opt_parse(&p, argc, argv, &res) == OPT_OK) {
		struct form f = FORM_INIT, again = FORM_INIT;
		const char *err = NULL;
		cli_request_form(c->cmd, &res, &f);
		FUZZ_CHECK(form_get(&f, "Action") &&
		               strcmp(form_get(&f, "Action"), c->cmd->action) ==
		                   0,
		           "%s: no Action %s", c->cmd->name, c->cmd->action);
		char *body = form_encode(&f);
		FUZZ_CHECK(form_parse(&again, body, strlen(body), &err) == 0,
		           "%s: body '%s' does not decode: %s", c->cmd->name,
		           body, err);
		FUZZ_CHECK(again.n == f.n, "%s: %zu parameters became %zu",
		           c->cmd->name, f.n, again.n);
		for (size_t i = 0; i < f.n; i++)
			FUZZ_CHECK(
			    strcmp(f.v[i].key, again.v[i].key) == 0 &&
			        strcmp(f.v[i].value, again.v[i].value) == 0,
			    "%s: parameter %zu changed", c->cmd->name, i);
		free(body);
		form_free(&f);
		form_free(&again);
	}
	opt_result_free(&res);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = xmalloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';

	char *argv[MAX_ARGS + 1];
	int argc = 0;
	for (char *p = copy; argc < MAX_ARGS && p <= copy + size;
	     p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	const struct cli_command *cmd = cli_command_find(argv[0]);
	size_t i = cmd ? (size_t)(cmd - cli_commands)
	               : (unsigned char)argv[0][0] % cli_ncommands;
	const char *first = argc > 1 ? argv[1] : "";
	check_listener(first);
	check_types(first);
	check_command(&commands[i], argc - 1, argv + 1);
	free(copy);
	return 0;
}
