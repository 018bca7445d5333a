/*
 * eulb: one binary for every eulb-* command, chosen by the program name
 * (eulb-create-lb -> create-lb) or by the first argument
 * (eulb create-lb ...), as git and busybox do.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"

#define PREFIX "eulb-"

static void
list_commands(FILE *out)
{
	fprintf(out,
	        "usage: eulb COMMAND [ARGS...]  (or eulb-COMMAND [ARGS...])\n"
	        "\ncommands:\n");
	for (size_t i = 0; i < cli_ncommands; i++) {
		const char *d = cli_commands[i].description;
		fprintf(out, "  %-28s %.*s\n", cli_commands[i].name,
		        (int)strcspn(d, "\n"), d);
	}
	fprintf(out,
	        "\nRun 'eulb COMMAND --help' for the options of a command.\n");
}

static int
run_named(const char *name, int argc, char **argv)
{
	const struct cli_command *cmd = cli_command_find(name);
	if (!cmd) {
		fprintf(stderr,
		        "eulb: '%s' is not an eulb command; see 'eulb "
		        "--help'\n",
		        name);
		return 2;
	}
	struct buf prog = BUF_INIT;
	buf_printf(&prog, PREFIX "%s", cmd->name);
	cli_prog = buf_str(&prog);
	int rc = cli_run(cmd, argc, argv);
	cli_prog = "eulb";
	buf_free(&prog);
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
	if (strncmp(base, PREFIX, strlen(PREFIX)) == 0) {
		rc = run_named(base + strlen(PREFIX), argc, argv);
	} else if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	           strcmp(argv[1], "--help") == 0) {
		list_commands(stdout);
		rc = 0;
	} else if (strcmp(argv[1], "--version") == 0) {
		printf("%s\n", cli_version);
		rc = 0;
	} else {
		const char *name = argv[1];
		if (strncmp(name, PREFIX, strlen(PREFIX)) == 0)
			name += strlen(PREFIX);
		rc = run_named(name, argc - 1, argv + 1);
	}
	curl_global_cleanup();
	return rc;
}
