/*
 * THE command table: each command's option rows (which drive parsing, the
 * request and --help) and its row in commands.def. A command that only
 * maps options to parameters needs nothing else.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "action_names.h"

const struct cli_service cli_service_elb = {
    "elasticloadbalancing", "2012-06-01", "AWS_ELB_URL", "eulb-"};

const struct cli_service cli_service_iam = {"iam", "2010-05-08", "AWS_IAM_URL",
                                            "euare-"};

/*
 * Options of every command: euca2ools' own, in
 * requestbuilder's order (the usage line lists them so), then eulb's TLS
 * options after them.
 */
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
    {0, "debug", NULL, OPT_FLAG, .help = "show debugging output"},
    /* Accepted for euca2ools' scripts; eulb has no debugger to start. */
    {0, "debugger", NULL, OPT_FLAG,
     .help = "launch interactive debugger on error (accepted and "
             "ignored)"},
    {0, "version", NULL, OPT_VERSION,
     .help = "show the program's version and exit"},
    {'h', "help", NULL, OPT_HELP, .help = "show this help message and exit"},
    {0, "ca-bundle", "FILE", OPT_STRING,
     .help = "verify the server's TLS certificate against the CA "
             "certificates in FILE (also AWS_CA_BUNDLE)"},
    {0, "insecure", NULL, OPT_FLAG,
     .help = "do not verify the server's TLS certificate (unsafe)"},
    {0, "client-cert", "FILE", OPT_STRING,
     .help = "TLS client certificate (PEM) for servers that require "
             "mutual TLS (also EULB_CLIENT_CERT)"},
    {0, "client-key", "FILE", OPT_STRING,
     .help = "private key (PEM) of --client-cert (also EULB_CLIENT_KEY)"},
    OPT_END,
};

/* Added to the commands that print TAB-separated lines. */
const struct cli_opt cli_opts_tab[] = {
    {0, "show-empty-fields", NULL, OPT_FLAG,
     .help = "show empty values as \"(nil)\""},
    OPT_END,
};

/* Rows that several commands share. */
#define ARG_ELB(text)                                                          \
	{                                                                      \
		.metavar = "ELB", .param = "LoadBalancerName",                 \
		.flags = OPT_REQUIRED, .help = text                            \
	}
#define ARG_ELB_MODIFY ARG_ELB("name of the load balancer to modify (required)")

#define ARG_SHOW_LONG(text)                                                    \
	{                                                                      \
		0, "show-long", NULL, OPT_FLAG, .help = text                   \
	}

#define INSTANCES_METAVAR "INSTANCE1,INSTANCE2,..."
#define ARG_INSTANCES(text)                                                    \
	{                                                                      \
		.longopt = "instances", .metavar = INSTANCES_METAVAR,          \
		.type = OPT_LIST, .param = "Instances.member",                 \
		.flags = OPT_REQUIRED, .subkey = "InstanceId", .help = text    \
	}

/* "-p ''" sends "PolicyNames=": no policies at all. */
#define ARG_POLICY_NAMES(text)                                                 \
	{                                                                      \
		'p', "policy-names", "POLICY1,POLICY2,...", OPT_LIST,          \
		    "PolicyNames.member", OPT_REQUIRED | OPT_EMPTY_BARE,       \
		    .help = text                                               \
	}

#define ARG_POLICY_NAME(text)                                                  \
	{                                                                      \
		'p', "policy-name", "POLICY", OPT_STRING, "PolicyName",        \
		    OPT_REQUIRED, .help = text                                 \
	}

#define ARG_SUBNETS(text)                                                      \
	{                                                                      \
		's', "subnets", "SUBNET1,SUBNET2,...", OPT_LIST,               \
		    "Subnets.member", OPT_REQUIRED, .help = text               \
	}

#define ARG_ZONES(text)                                                        \
	{                                                                      \
		'z', "availability-zones", "ZONE1,ZONE2,...", OPT_LIST,        \
		    "AvailabilityZones.member", OPT_REQUIRED, .help = text     \
	}

/*
 * The euare-servercert* name. euca2ools 2 took it as "-s NAME"; a bare -s
 * is still accepted and ignored, so "-s mycert01" names mycert01.
 */
#define ARG_SERVER_CERT(text)                                                  \
	{.metavar = "CERT",                                                    \
	 .param = "ServerCertificateName",                                     \
	 .flags = OPT_REQUIRED,                                                \
	 .help = text},                                                        \
	{                                                                      \
		's', "server-certificate-name", NULL, OPT_FLAG,                \
		    .flags = OPT_HIDDEN                                        \
	}

/* euca2ools' AS_ACCOUNT, on every euare-* command; eulbd honours it. */
#define ARG_AS_ACCOUNT                                                         \
	{                                                                      \
		0, "as-account", "ACCOUNT", OPT_STRING, "DelegateAccount",     \
		    .help = "[Eucalyptus cloud admin only] run this command "  \
		            "as the administrator of another account"          \
	}

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

/* IAM server certificates (euare-*). */

static const struct cli_opt opts_servercertdel[] = {
    ARG_SERVER_CERT("name of the server certificate to delete (required)"),
    ARG_AS_ACCOUNT,
    OPT_END,
};

static const struct cli_opt opts_servercertgetattributes[] = {
    ARG_SERVER_CERT("name of the server certificate to describe (required)"),
    ARG_AS_ACCOUNT,
    OPT_END,
};

static const struct cli_opt opts_servercertlistbypath[] = {
    {'p', "path-prefix", "PREFIX", OPT_STRING, "PathPrefix",
     .help = "limit results to server certificates that begin with a "
             "given path"},
    ARG_AS_ACCOUNT,
    OPT_END,
};

/* euca2ools 3.4's servercertmod: the name is positional, as for the others. */
static const struct cli_opt opts_servercertmod[] = {
    ARG_SERVER_CERT("name of the server certificate to update"),
    {'n', "new-server-certificate-name", "CERT", OPT_STRING,
     "NewServerCertificateName", .help = "new name for the server certificate"},
    {'p', "new-path", "PATH", OPT_STRING, "NewPath",
     .help = "new path for the server certificate"},
    ARG_AS_ACCOUNT,
    OPT_END,
};

/* One of each of the first two groups is required; the server checks. */
static const struct cli_opt opts_servercertupload[] = {
    ARG_SERVER_CERT("name to give the new server certificate (required)"),
    {'c', "certificate-body", "CERT_CONTENT", OPT_STRING, "CertificateBody",
     OPT_REQUIRED, 1, .help = "PEM-encoded certificate"},
    {0, "certificate-file", "FILE", OPT_FILE, "CertificateBody", OPT_REQUIRED,
     1, .help = "file containing the PEM-encoded certificate"},
    {0, "private-key", "KEY", OPT_STRING, "PrivateKey", OPT_REQUIRED, 2,
     .help = "PEM-encoded private key"},
    {0, "private-key-file", "FILE", OPT_FILE, "PrivateKey", OPT_REQUIRED, 2,
     .help = "file containing the PEM-encoded private key"},
    {0, "certificate-chain", "CHAIN", OPT_STRING, "CertificateChain", 0, 3,
     .help = "PEM-encoded certificate chain.  This is typically the "
             "PEM-encoded certificates of the chain, concatenated "
             "together."},
    {0, "certificate-chain-file", "FILE", OPT_FILE, "CertificateChain", 0, 3,
     .help = "file containing the PEM-encoded certificate chain.  This is "
             "typically the PEM-encoded certificates of the chain, "
             "concatenated together."},
    {'p', "path", "PATH", OPT_STRING, "Path",
     .help = "path for the new server certificate (default: \"/\")"},
    ARG_AS_ACCOUNT,
    OPT_END,
};

/* Load balancers (eulb-*). */

static const struct cli_opt opts_apply_security_groups_to_lb[] = {
    ARG_ELB_MODIFY,
    {'g', "security-groups", "GROUP1,GROUP2,...", OPT_LIST,
     "SecurityGroups.member", OPT_REQUIRED,
     .help = "security groups to associate the load balancer with "
             "(required)"},
    OPT_END,
};

static const struct cli_opt opts_attach_lb_to_subnets[] = {
    ARG_ELB_MODIFY,
    ARG_SUBNETS("IDs of the subnets to add the load balancer to (required)"),
    OPT_END,
};

static const struct cli_opt opts_configure_healthcheck[] = {
    ARG_ELB_MODIFY,
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

static const struct cli_opt opts_create_app_cookie_stickiness_policy[] = {
    ARG_ELB_MODIFY,
    {'c', "cookie-name", "COOKIENAME", OPT_STRING, "CookieName", OPT_REQUIRED,
     .help = "name of the cookie used for stickiness (required)"},
    ARG_POLICY_NAME("name of the new policy (required)"),
    OPT_END,
};

static const struct cli_opt opts_create_lb[] = {
    ARG_ELB("name of the new load balancer (required)"),
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

static const struct cli_opt opts_create_lb_cookie_stickiness_policy[] = {
    ARG_ELB_MODIFY,
    {'e', "expiration-period", "SECONDS", OPT_INT, "CookieExpirationPeriod",
     OPT_REQUIRED,
     .help = "time period after which cookies should be considered stale "
             "(default: user's session length) (required)"},
    ARG_POLICY_NAME("name of the new policy (required)"),
    OPT_END,
};

static const struct cli_opt opts_create_lb_listeners[] = {
    ARG_ELB_MODIFY,
    {'l', "listener", LISTENER_METAVAR, OPT_LISTENER, "Listeners.member",
     OPT_REQUIRED | OPT_APPEND, .help = LISTENER_HELP},
    OPT_END,
};

/* Attributes go out as all -a, then all -A, then the file's (table order). */
static const struct cli_opt opts_create_lb_policy[] = {
    ARG_ELB_MODIFY,
    {'n', "policy-name", "POLICY", OPT_STRING, "PolicyName", OPT_REQUIRED,
     .help = "name of the new policy (required)"},
    {'t', "policy-type", "POLTYPE", OPT_STRING, "PolicyTypeName", OPT_REQUIRED,
     .help = "type of the new policy.  For a list of policy types, use "
             "eulb-describe-lb-policy-types.  (required)"},
    {'a', "attribute", "\"name=NAME, value=VALUE\"", OPT_POLICY_ATTR,
     "PolicyAttributes.member", OPT_APPEND,
     .help = "name and value for each attribute associated with the new "
             "policy.  Use this option multiple times to supply multiple "
             "attributes."},
    {'A', "attributes", "NAME=VALUE,NAME=VALUE,...", OPT_ATTR_LIST,
     "PolicyAttributes.member", OPT_EXTEND,
     .help = "names and values of attributes associated with the new "
             "policy.  This option may be used multiple times."},
    {0, "attributes-from-file", "FILE", OPT_ATTR_FILE,
     "PolicyAttributes.member",
     .help = "file containing the names and values of attributes "
             "associated with the new policy, one NAME=VALUE per line.  "
             "Blank lines and lines that begin with \"#\" are ignored.  "
             "Use \"-\" to read from stdin."},
    OPT_END,
};

static const struct cli_opt opts_create_tags[] = {
    {.metavar = "ELB",
     .param = "LoadBalancerNames.member.1",
     .flags = OPT_REQUIRED,
     .help = "name of the load balancer to tag (required)"},
    {'t', "tag", "KEY=VALUE", OPT_TAG, "Tags.member", OPT_REQUIRED | OPT_APPEND,
     .help = "key and value of each tag to add (required)"},
    OPT_END,
};

/* --force is accepted and ignored, as in euca2ools. */
static const struct cli_opt opts_delete_lb[] = {
    ARG_ELB("name of the load balancer to delete (required)"),
    {0, "force", NULL, OPT_FLAG, .flags = OPT_HIDDEN},
    OPT_END,
};

static const struct cli_opt opts_delete_lb_listeners[] = {
    ARG_ELB_MODIFY,
    {'l', "lb-ports", "PORT1,PORT2,...", OPT_INT_LIST,
     "LoadBalancerPorts.member", OPT_REQUIRED,
     .help = "port numbers of the listeners to remove (required)"},
    {0, "force", NULL, OPT_FLAG, .flags = OPT_HIDDEN},
    OPT_END,
};

static const struct cli_opt opts_delete_lb_policy[] = {
    ARG_ELB_MODIFY,
    ARG_POLICY_NAME("name of the policy to delete (required)"),
    OPT_END,
};

static const struct cli_opt opts_delete_tags[] = {
    {.metavar = "ELB",
     .param = "LoadBalancerNames.member.1",
     .flags = OPT_REQUIRED,
     .help = "name of the load balancer to untag (required)"},
    {'t', "tag", "KEY", OPT_STRING, "Tags.member", OPT_REQUIRED | OPT_APPEND,
     .subkey = "Key", .help = "name of each tag to remove (required)"},
    OPT_END,
};

static const struct cli_opt opts_deregister_instances_from_lb[] = {
    ARG_ELB_MODIFY,
    ARG_INSTANCES("IDs of the instances to remove from the load balancer "
                  "(required)"),
    OPT_END,
};

static const struct cli_opt opts_describe_instance_health[] = {
    ARG_ELB("name of the load balancer to describe instances for "
            "(required)"),
    {0, "instances", INSTANCES_METAVAR, OPT_LIST, "Instances.member",
     .subkey = "InstanceId", .help = "limit results to specific instances"},
    ARG_SHOW_LONG("show all of the instances' info"),
    OPT_END,
};

static const struct cli_opt opts_describe_lb_attributes[] = {
    ARG_ELB("name of the load balancer to describe (required)"),
    OPT_END,
};

static const struct cli_opt opts_describe_lb_policies[] = {
    {.metavar = "ELB",
     .param = "LoadBalancerName",
     .help = "show policies associated with a specific load balancer "
             "(default: only describe sample policies provided by the "
             "service)"},
    {'p', "policy-names", "POLICY1,POLICY2,...", OPT_LIST, "PolicyNames.member",
     .help = "limit results to specific policies"},
    ARG_SHOW_LONG("show all of the policies' info"),
    OPT_END,
};

static const struct cli_opt opts_describe_lb_policy_types[] = {
    {.metavar = "POLTYPE",
     .param = "PolicyTypeNames.member",
     .flags = OPT_APPEND,
     .help = "limit results to specific policy types"},
    ARG_SHOW_LONG("show all of the policy types' info"),
    OPT_END,
};

static const struct cli_opt opts_describe_lbs[] = {
    {.metavar = "ELB",
     .param = "LoadBalancerNames.member",
     .flags = OPT_APPEND,
     .help = "limit results to specific load balancers"},
    ARG_SHOW_LONG("show all of the load balancers' info"),
    OPT_END,
};

static const struct cli_opt opts_describe_tags[] = {
    {.metavar = "ELB",
     .param = "LoadBalancerNames.member",
     .flags = OPT_REQUIRED | OPT_APPEND,
     .help = "load balancer(s) to show tags for (required)"},
    {0, "show-headers", NULL, OPT_FLAG, .help = "show column headers"},
    OPT_END,
};

static const struct cli_opt opts_detach_lb_from_subnets[] = {
    ARG_ELB_MODIFY,
    ARG_SUBNETS("IDs of the subnets to remove the load balancer from "
                "(required)"),
    OPT_END,
};

static const struct cli_opt opts_disable_zones_for_lb[] = {
    ARG_ELB_MODIFY,
    ARG_ZONES("availability zones to remove the load balancer from "
              "(required)"),
    OPT_END,
};

static const struct cli_opt opts_enable_zones_for_lb[] = {
    ARG_ELB_MODIFY,
    ARG_ZONES("availability zones to add the load balancer to (required)"),
    OPT_END,
};

/* "A.B=V" pairs merge into LoadBalancerAttributes.A.B=V. */
static const struct cli_opt opts_modify_lb_attributes[] = {
    ARG_ELB_MODIFY,
    {.metavar = "ATTR=VALUE",
     .type = OPT_KEY_VALUE,
     .param = "LoadBalancerAttributes",
     .flags = OPT_REQUIRED | OPT_EXTEND,
     .help = "name and new value of each attribute to modify (required)"},
    OPT_END,
};

static const struct cli_opt opts_register_instances_with_lb[] = {
    ARG_ELB_MODIFY,
    ARG_INSTANCES("IDs of the instances to register with the load balancer "
                  "(required)"),
    OPT_END,
};

static const struct cli_opt opts_set_lb_listener_ssl_cert[] = {
    ARG_ELB_MODIFY,
    {'l', "lb-port", "PORT", OPT_INT, "LoadBalancerPort", OPT_REQUIRED,
     .help = "port that should use the certificate (required)"},
    {'c', "cert-id", "ARN", OPT_STRING, "SSLCertificateId", OPT_REQUIRED,
     .help = "ARN for the server certificate to use (required)"},
    OPT_END,
};

static const struct cli_opt opts_set_lb_policies_for_backend_server[] = {
    ARG_ELB_MODIFY,
    {'i', "instance-port", "PORT", OPT_INT, "InstancePort", OPT_REQUIRED,
     .help = "port number of the back end server (required)"},
    ARG_POLICY_NAMES("list of policies to associate with the back end "
                     "server (required)"),
    OPT_END,
};

static const struct cli_opt opts_set_lb_policies_of_listener[] = {
    ARG_ELB_MODIFY,
    {'l', "lb-port", "PORT", OPT_INT, "LoadBalancerPort", OPT_REQUIRED,
     .help = "port of the listener to modify (required)"},
    ARG_POLICY_NAMES("list of policies to associate with the listener "
                     "(required)"),
    OPT_END,
};

const struct cli_command cli_commands[] = {
#define X(name, action, service, flags, opts, print, desc)                     \
	{name, ACTION_NAME(action), service, flags, opts, print, desc},
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
	/* euca2ools' --help lists the common options with the others. */
	tables[n] = cli_opts_common;
	titles[n++] = "optional arguments";
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
ends_with(const char *s, const char *suffix)
{
	size_t len = s ? strlen(s) : 0, slen = strlen(suffix);
	return len > slen && strcmp(s + len - slen, suffix) == 0;
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
	/* "Name.member" becomes "Name=" only for a list that is sent. */
	if ((o->flags & OPT_EMPTY_BARE) &&
	    (o->type != OPT_LIST || !ends_with(o->param, ".member")))
		return check_fail(err, cmd->name, "empty-list row not a list",
		                  o->longopt);
	if (o->subkey && (!*o->subkey || !o->param ||
	                  (o->type != OPT_STRING && o->type != OPT_LIST)))
		return check_fail(err, cmd->name, "bad subkey on", o->longopt);
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
	size_t flen = strlen(cmd->service->family);
	if (strncmp(cmd->name, cmd->service->family, flen) != 0 ||
	    !cmd->name[flen])
		return check_fail(err, cmd->name, "name outside its family",
		                  cmd->service->family);
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
	/* A mutually exclusive group needs two members, in adjacent rows
	 * (the usage line brackets them as one run, as argparse does). */
	for (size_t i = 0; i < n; i++) {
		int members = 0;
		for (size_t j = 0; j < n && seen[i]->group; j++)
			members += seen[j]->group == seen[i]->group;
		if (seen[i]->group && members < 2)
			return check_fail(err, cmd->name, "group of one",
			                  seen[i]->longopt);
		for (size_t j = 0; seen[i]->group && i && j + 1 < i; j++)
			if (seen[j]->group == seen[i]->group &&
			    seen[i - 1]->group != seen[i]->group)
				return check_fail(err, cmd->name,
				                  "group rows not adjacent",
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
