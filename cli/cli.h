/*
 * The eulb command table and the generic run of a command: parse the
 * options, resolve endpoint and credentials, send the signed request,
 * print the result.
 */
#ifndef EULB_CLI_H
#define EULB_CLI_H

#include <jansson.h>
#include <stddef.h>

#include "form.h"
#include "opt.h"

/* A Query API the commands talk to. */
struct cli_service {
	const char *name;    /* SigV4 service and "<name>-url" config key */
	const char *version; /* the Version parameter */
	const char *url_env; /* environment variable holding the endpoint */
	const char *family;  /* "eulb-": how its commands' names begin */
};

extern const struct cli_service cli_service_elb;
extern const struct cli_service cli_service_iam;

struct cli_print_ctx {
	const struct opt_result *args;
	int show_empty; /* --show-empty-fields */
};

/* Prints the result element of the response; returns the exit status. */
typedef int (*cli_print_fn)(const struct cli_print_ctx *ctx, json_t *result);

/* Command flags. */
#define CMD_TAB                                                                \
	0x01 /* prints TAB-separated lines: adds --show-empty-fields           \
	      */

struct cli_command {
	const char *name;   /* the program: "eulb-create-lb" */
	const char *action; /* "CreateLoadBalancer" */
	const struct cli_service *service;
	unsigned flags;
	const struct cli_opt *opts;
	cli_print_fn print; /* NULL: prints nothing on success */
	const char *description;
};

/* The table (commands.def), sorted by name. */
extern const struct cli_command cli_commands[];
extern const size_t cli_ncommands;
/* The command named exactly name ("eulb-create-lb"), or NULL. */
const struct cli_command *cli_command_find(const char *name);

/* Rows every command has, and those of CMD_TAB commands. */
extern const struct cli_opt cli_opts_common[];
extern const struct cli_opt cli_opts_tab[];
/* The NULL-terminated option tables of cmd and their --help titles. */
size_t cli_command_tables(const struct cli_command *cmd,
                          const struct cli_opt *tables[4],
                          const char *titles[4]);
/*
 * Checks the table: names sorted and unique and starting with their
 * service's family, every command with an action, a service and a
 * description, and option rows that make sense (no option letter or name
 * used twice, metavars, choices, groups, subkeys, empty-list rows).
 * Returns 0, or -1 with *err (malloc'd) naming the first problem.
 */
int cli_commands_check(char **err);

/* Runs cmd with argv[1..argc) and returns the exit status (0, 1 or 2). */
int cli_run(const struct cli_command *cmd, int argc, char **argv);

/* "euca2ools 3.4.1 (Newton)\neulb 0.1.0": two lines, no final newline. */
extern const char cli_version[];

/* The program name for messages ("eulb-create-lb") and --debug state. */
extern const char *cli_prog;
extern int cli_debug_on;
/* With --debug, writes "PROG: debug: <text>" to stderr. */
void cli_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * requestbuilder's flatten_params: params (dotted names to values) into
 * form parameters. Arrays give Name.1, Name.2...; objects Name.Sub; null
 * gives "Name="; empty strings and empty arrays are left out.
 */
void cli_flatten(json_t *params, struct form *out);
/* The request parameters of cmd run with res: Action, Version, options. */
void cli_request_form(const struct cli_command *cmd,
                      const struct opt_result *res, struct form *out);

/* Printers (print.c, print_lbs.c, print_policies.c, print_iam.c). */
int print_dns_name(const struct cli_print_ctx *ctx, json_t *result);
int print_health_check(const struct cli_print_ctx *ctx, json_t *result);
int print_security_groups(const struct cli_print_ctx *ctx, json_t *result);
int print_subnets_attached(const struct cli_print_ctx *ctx, json_t *result);
int print_subnets_detached(const struct cli_print_ctx *ctx, json_t *result);
int print_zones(const struct cli_print_ctx *ctx, json_t *result);
int print_instances(const struct cli_print_ctx *ctx, json_t *result);
int print_instance_health(const struct cli_print_ctx *ctx, json_t *result);
int print_lb_attributes(const struct cli_print_ctx *ctx, json_t *result);
int print_tags(const struct cli_print_ctx *ctx, json_t *result);
int print_load_balancers(const struct cli_print_ctx *ctx, json_t *result);
int print_policies(const struct cli_print_ctx *ctx, json_t *result);
int print_policy_types(const struct cli_print_ctx *ctx, json_t *result);
int print_cert_attributes(const struct cli_print_ctx *ctx, json_t *result);
int print_cert_arns(const struct cli_print_ctx *ctx, json_t *result);

#endif
