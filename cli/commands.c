/*
 * THE command table: each command's option rows (which drive parsing, the
 * request and --help) and its row in commands.def. A command that only
 * maps options to parameters needs nothing else.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

const struct cli_service cli_service_elb = {"elasticloadbalancing",
                                            "2012-06-01", "AWS_ELB_URL"};

const struct cli_service cli_service_iam = {"iam", "2010-05-08", "AWS_IAM_URL"};

/* Options of every command ("standard arguments"). */
const struct cli_opt cli_opts_common[] = {
    {'U', "url", "URL", OPT_STRING,
     .help = "service endpoint URL, optionally prefixed by REGION:: "
             "to set the signing region"},
    {0, "region", "USER@REGION", OPT_STRING,
     .help = "region and/or user names to search when looking up "
             "config file data"},
    {'I', "access-key-id", "KEY_ID", OPT_STRING,
     .help = "access key ID (use with -S)"},
    {'S', "secret-key", "KEY", OPT_STRING, .help = "secret key (use with -I)"},
    {0, "security-token", "TOKEN", OPT_STRING,
     .help = "session token, sent as the X-Amz-Security-Token header"},
    {0, "ca-bundle", "FILE", OPT_STRING,
     .help = "verify the server's TLS certificate against the CA "
             "certificates in FILE"},
    {0, "client-cert", "FILE", OPT_STRING,
     .help = "TLS client certificate (PEM) for servers that require "
             "mutual TLS"},
    {0, "client-key", "FILE", OPT_STRING,
     .help = "private key (PEM) of --client-cert"},
    {0, "debug", NULL, OPT_FLAG, .help = "show debugging output"},
    {0, "debugger", NULL, OPT_FLAG, .flags = OPT_HIDDEN},
    {0, "version", NULL, OPT_VERSION,
     .help = "show the program's version and exit"},
    {'h', "help", NULL, OPT_HELP, .help = "show this help message and exit"},
    OPT_END,
};

/* Added to the commands that print TAB-separated lines. */
const struct cli_opt cli_opts_tab[] = {
    {0, "show-empty-fields", NULL, OPT_FLAG,
     .help = "show empty values as \"(nil)\""},
    OPT_END,
};

#define LISTENER_METAVAR                                                       \
	"\"lb-port=PORT, protocol={HTTP,HTTPS,SSL,TCP}, instance-port=PORT, "  \
	"instance-protocol={HTTP,HTTPS,SSL,TCP}, cert-id=ARN\""

#define LISTENER_HELP                                                          \
	"port/protocol settings for the load balancer, where lb-port is the "  \
	"external port number, protocol is the external protocol, "            \
	"instance-port is the back end server port number, instance-protocol " \
	"is the protocol to use for routing traffic to back end instances, "   \
	"and cert-id is the ARN of the server certificate to use for "         \
	"encrypted connections.  lb-port, protocol, and instance-port are "    \
	"required.  This option may be used multiple times.  (at least 1 "     \
	"required)"

static const struct cli_opt opts_configure_healthcheck[] = {
    {.metavar = "ELB",
     .param = "LoadBalancerName",
     .flags = OPT_REQUIRED,
     .help = "name of the load balancer to modify (required)"},
    {0, "healthy-threshold", "COUNT", OPT_INT, "HealthCheck.HealthyThreshold",
     OPT_REQUIRED,
     .help = "number of consecutive successful health checks that will "
             "mark instances as Healthy (required)"},
    {0, "interval", "SECONDS", OPT_INT, "HealthCheck.Interval", OPT_REQUIRED,
     .help = "approximate interval between health checks (required)"},
    {'t', "target", "PROTOCOL:PORT[/PATH]", OPT_HC_TARGET, "HealthCheck.Target",
     OPT_REQUIRED, .help = "connection target for health checks (required)"},
    {0, "timeout", "SECONDS", OPT_INT, "HealthCheck.Timeout", OPT_REQUIRED,
     .help = "maximum health check duration (required)"},
    {0, "unhealthy-threshold", "COUNT", OPT_INT,
     "HealthCheck.UnhealthyThreshold", OPT_REQUIRED,
     .help = "number of consecutive failed health checks that will mark "
             "instances as Unhealthy (required)"},
    OPT_END,
};

static const struct cli_opt opts_create_lb[] = {
    {.metavar = "ELB",
     .param = "LoadBalancerName",
     .flags = OPT_REQUIRED,
     .help = "name of the new load balancer (required)"},
    {'s', "subnets", "SUBNET1,SUBNET2,...", OPT_LIST, "Subnets.member",
     OPT_REQUIRED, 1,
     .help = "[VPC only] subnets the load balancer should run in "
             "(required)"},
    {'z', "availability-zones", "ZONE1,ZONE2,...", OPT_LIST,
     "AvailabilityZones.member", OPT_REQUIRED, 1,
     .help = "[Non-VPC only] availability zones the load balancer should "
             "run in (required)"},
    {'l', "listener", LISTENER_METAVAR, OPT_LISTENER, "Listeners.member",
     OPT_REQUIRED | OPT_APPEND, .help = LISTENER_HELP},
    {'i', "scheme", "internal", OPT_CHOICE, "Scheme", .choices = "internal",
     .help = "[VPC only] \"internal\" to make the new load balancer "
             "private to a VPC"},
    {'g', "security-groups", "GROUP1,GROUP2,...", OPT_LIST,
     "SecurityGroups.member",
     .help = "[VPC only] IDs of the security groups to assign to the new "
             "load balancer"},
    {'t', "tag", "KEY[=VALUE]", OPT_TAG, "Tags.member", OPT_APPEND,
     .help = "key and optional value of a tag to add, separated by an "
             "\"=\" character.  If no value is given the tag's value is "
             "set to an empty string.  This option may be used multiple "
             "times."},
    OPT_END,
};

static const struct cli_opt opts_create_lb_listeners[] = {
    {.metavar = "ELB",
     .param = "LoadBalancerName",
     .flags = OPT_REQUIRED,
     .help = "name of the load balancer to modify (required)"},
    {'l', "listener", LISTENER_METAVAR, OPT_LISTENER, "Listeners.member",
     OPT_REQUIRED | OPT_APPEND, .help = LISTENER_HELP},
    OPT_END,
};

/* --force is accepted and ignored, as in euca2ools. */
static const struct cli_opt opts_delete_lb[] = {
    {.metavar = "ELB",
     .param = "LoadBalancerName",
     .flags = OPT_REQUIRED,
     .help = "name of the load balancer to delete (required)"},
    {0, "force", NULL, OPT_FLAG, .flags = OPT_HIDDEN},
    OPT_END,
};

static const struct cli_opt opts_delete_lb_listeners[] = {
    {.metavar = "ELB",
     .param = "LoadBalancerName",
     .flags = OPT_REQUIRED,
     .help = "name of the load balancer to modify (required)"},
    {'l', "lb-ports", "PORT1,PORT2,...", OPT_INT_LIST,
     "LoadBalancerPorts.member", OPT_REQUIRED,
     .help = "port numbers of the listeners to remove (required)"},
    {0, "force", NULL, OPT_FLAG, .flags = OPT_HIDDEN},
    OPT_END,
};

static const struct cli_opt opts_describe_lbs[] = {
    {.metavar = "ELB",
     .param = "LoadBalancerNames.member",
     .flags = OPT_APPEND,
     .help = "limit results to specific load balancers"},
    {0, "show-long", NULL, OPT_FLAG,
     .help = "show all of the load balancers' info"},
    OPT_END,
};

const struct cli_command cli_commands[] = {
#define X(name, action, service, flags, opts, print, desc)                     \
	{name, action, service, flags, opts, print, desc},
#include "commands.def"
#undef X
};

const size_t cli_ncommands = sizeof cli_commands / sizeof *cli_commands;

static int
command_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct cli_command *)elem)->name);
}

const struct cli_command *
cli_command_find(const char *name)
{
	return bsearch(name, cli_commands, cli_ncommands, sizeof *cli_commands,
	               command_cmp);
}

size_t
cli_command_tables(const struct cli_command *cmd,
                   const struct cli_opt *tables[4], const char *titles[4])
{
	size_t n = 0;
	tables[n] = cmd->opts;
	titles[n++] = "optional arguments";
	if (cmd->flags & CMD_TAB) {
		tables[n] = cli_opts_tab;
		titles[n++] = "optional arguments";
	}
	tables[n] = cli_opts_common;
	titles[n++] = "standard arguments";
	tables[n] = NULL;
	return n;
}

static int
check_fail(char **err, const char *cmd, const char *what, const char *name)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, "%s: %s '%s'", cmd, what, name ? name : "");
	*err = buf_steal(&b);
	return -1;
}

static int
check_row(const struct cli_command *cmd, const struct cli_opt *o,
          const struct cli_opt *const *seen, size_t nseen, char **err)
{
	int positional = opt_row_positional(o);
	int flag = o->type == OPT_FLAG || o->type == OPT_HELP ||
	           o->type == OPT_VERSION;
	for (size_t i = 0; i < nseen; i++) {
		if (o->shortopt && seen[i]->shortopt == o->shortopt)
			return check_fail(err, cmd->name,
			                  "option letter used twice",
			                  o->longopt);
		if (o->longopt && seen[i]->longopt &&
		    strcmp(o->longopt, seen[i]->longopt) == 0)
			return check_fail(err, cmd->name, "option used twice",
			                  o->longopt);
	}
	if (positional && (!o->metavar || flag || o->group))
		return check_fail(err, cmd->name, "bad positional", o->metavar);
	if (!positional && !flag && !o->metavar)
		return check_fail(err, cmd->name, "option without metavar",
		                  o->longopt);
	if (o->type == OPT_CHOICE && (!o->choices || !*o->choices))
		return check_fail(err, cmd->name, "choice without choices",
		                  o->longopt);
	if (!(o->flags & OPT_HIDDEN) && !o->help)
		return check_fail(err, cmd->name, "no help text for",
		                  o->longopt ? o->longopt : o->metavar);
	return 0;
}

static int
check_command(const struct cli_command *cmd, char **err)
{
	const struct cli_opt *tables[4];
	const char *titles[4];
	const struct cli_opt *seen[64];
	size_t n = 0;

	if (!cmd->action || !*cmd->action || !cmd->service ||
	    !cmd->description || !*cmd->description)
		return check_fail(err, cmd->name, "incomplete command row",
		                  NULL);
	cli_command_tables(cmd, tables, titles);
	for (size_t t = 0; tables[t]; t++) {
		for (const struct cli_opt *o = tables[t]; !opt_row_end(o);
		     o++) {
			if (n == sizeof seen / sizeof *seen)
				return check_fail(err, cmd->name,
				                  "too many options", NULL);
			if (check_row(cmd, o, seen, n, err) < 0)
				return -1;
			seen[n++] = o;
		}
	}
	/* A mutually exclusive group needs two members. */
	for (size_t i = 0; i < n; i++) {
		int members = 0;
		for (size_t j = 0; j < n && seen[i]->group; j++)
			members += seen[j]->group == seen[i]->group;
		if (seen[i]->group && members < 2)
			return check_fail(err, cmd->name, "group of one",
			                  seen[i]->longopt);
	}
	return 0;
}

int
cli_commands_check(char **err)
{
	*err = NULL;
	for (size_t i = 0; i < cli_ncommands; i++) {
		if (i &&
		    strcmp(cli_commands[i - 1].name, cli_commands[i].name) >= 0)
			return check_fail(err, cli_commands[i].name,
			                  "not sorted or duplicate, after",
			                  cli_commands[i - 1].name);
		if (check_command(&cli_commands[i], err) < 0)
			return -1;
	}
	return 0;
}
