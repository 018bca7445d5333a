/*
 * eulb: one binary for every eulb-* and euare-* command, chosen by the
 * program name (a link named eulb-create-lb) or by the first argument
 * (eulb create-lb ..., eulb euare-servercertupload ...), as git and
 * busybox do.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"

/* "eulb COMMAND" may leave out this family. */
#define DEFAULT_FAMILY "eulb-"

static void
list_commands(FILE *out)
{
	int width = 0;
	for (size_t i = 0; i < cli_ncommands; i++) {
		int len = (int)strlen(cli_commands[i].name);
		width = len > width ? len : width;
	}
	fprintf(out, "usage: eulb COMMAND [ARGS...]  (or COMMAND [ARGS...] "
	             "through its link)\n"
	             "\ncommands:\n");
	for (size_t i = 0; i < cli_ncommands; i++) {
		const char *d = cli_commands[i].description;
		fprintf(out, "  %-*s  %.*s\n", width, cli_commands[i].name,
		        (int)strcspn(d, "\n"), d);
	}
	fprintf(out, "\nCOMMAND may leave out \"" DEFAULT_FAMILY "\". "
	             "Run 'eulb COMMAND --help' for its options.\n");
}

/* Whether name looks like one of the table's programs ("eulb-x"). */
static int
in_some_family(const char *name)
{
	for (size_t i = 0; i < cli_ncommands; i++) {
		const char *family = cli_commands[i].service->family;
		if (strncmp(name, family, strlen(family)) == 0)
			return 1;
	}
	return 0;
}

static const struct cli_command *
find_loosely(const char *name)
{
	const struct cli_command *cmd = cli_command_find(name);
	if (!cmd && !in_some_family(name)) {
		struct buf full = BUF_INIT;
		buf_printf(&full, DEFAULT_FAMILY "%s", name);
		cmd = cli_command_find(buf_str(&full));
		buf_free(&full);
	}
	return cmd;
}

static int
run(const struct cli_command *cmd, const char *asked, int argc, char **argv)
{
	if (!cmd) {
		fprintf(stderr,
		        "eulb: '%s' is not an eulb command; see 'eulb "
		        "--help'\n",
		        asked);
		return 2;
	}
	cli_prog = cmd->name;
	int rc = cli_run(cmd, argc, argv);
	cli_prog = "eulb";
	return rc;
}

int
main(int argc, char **argv)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	int rc;

	base = base ? base + 1 : argc > 0 ? argv[0] : "eulb";
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fputs("eulb: error: cannot initialise libcurl\n", stderr);
		return 1;
	}
	if (cli_command_find(base) || in_some_family(base)) {
		rc = run(cli_command_find(base), base, argc, argv);
	} else if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	           strcmp(argv[1], "--help") == 0) {
		list_commands(stdout);
		rc = 0;
	} else if (strcmp(argv[1], "--version") == 0) {
		printf("%s\n", cli_version);
		rc = 0;
	} else {
		rc = run(find_loosely(argv[1]), argv[1], argc - 1, argv + 1);
	}
	curl_global_cleanup();
	return rc;
}
