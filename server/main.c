/* eulbd: flags, the `account` subcommand, signals, start and stop. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "account.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "inventory.h"
#include "log.h"

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: eulbd [--listen ADDR:PORT] [--db FILE] [--region R]\n"
		"             [--dns-domain D] [--restricted-ports LIST]\n"
		"             [--default-ssl-policy NAME] [--threads N]\n"
		"             [--max-body BYTES] [--max-connections N]\n"
		"             [--connection-timeout SECONDS]\n"
		"             [--max-load-balancers N] [--max-listeners N]\n"
		"             [--max-registered-instances N]\n"
		"             [--tls-cert FILE --tls-key FILE [--client-ca FILE\n"
		"              [--client-ca-root FILE]]]\n"
		"       eulbd account create|create-key NAME [--db FILE]\n"
		"       eulbd account list [--db FILE]\n"
		"       eulbd servo-credentials [--db FILE]\n"
		"       eulbd instance add|remove|list ... [--db FILE]\n"
		"       eulbd subnet add ACCOUNT SUBNET ZONE VPC [--db FILE]\n");
}

static long
parse_number(const char *flag, const char *s, long min, long max)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < min || v > max)
		fatal("%s wants a number from %ld to %ld, not '%s'", flag, min,
		      max, s);
	return v;
}

static void
parse_flags(int argc, char **argv, struct server_config *c)
{
	enum { O_LISTEN = 256, O_DB, O_REGION, O_DNS, O_PORTS, O_SSL, O_THREADS,
	       O_BODY, O_CONNS, O_TIMEOUT, O_MAX_LBS, O_MAX_LISTENERS,
	       O_MAX_INSTANCES, O_TLS_CERT, O_TLS_KEY, O_CLIENT_CA,
	       O_CLIENT_CA_ROOT };
	static const struct option opts[] = {
		{"listen", required_argument, NULL, O_LISTEN},
		{"db", required_argument, NULL, O_DB},
		{"region", required_argument, NULL, O_REGION},
		{"dns-domain", required_argument, NULL, O_DNS},
		{"restricted-ports", required_argument, NULL, O_PORTS},
		{"default-ssl-policy", required_argument, NULL, O_SSL},
		{"threads", required_argument, NULL, O_THREADS},
		{"max-body", required_argument, NULL, O_BODY},
		{"max-connections", required_argument, NULL, O_CONNS},
		{"connection-timeout", required_argument, NULL, O_TIMEOUT},
		{"max-load-balancers", required_argument, NULL, O_MAX_LBS},
		{"max-listeners", required_argument, NULL, O_MAX_LISTENERS},
		{"max-registered-instances", required_argument, NULL,
		 O_MAX_INSTANCES},
		{"tls-cert", required_argument, NULL, O_TLS_CERT},
		{"tls-key", required_argument, NULL, O_TLS_KEY},
		{"client-ca", required_argument, NULL, O_CLIENT_CA},
		{"client-ca-root", required_argument, NULL, O_CLIENT_CA_ROOT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int o;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case O_LISTEN: c->listen = optarg; break;
		case O_DB: c->db_path = optarg; break;
		case O_REGION: c->region = optarg; break;
		case O_DNS: c->dns_domain = optarg; break;
		case O_PORTS:
			if (config_parse_ports(c, optarg) < 0)
				fatal("--restricted-ports wants a list like "
				      "'22' or '22,25,1000-1023', not '%s'",
				      optarg);
			break;
		case O_SSL: c->default_ssl_policy = optarg; break;
		case O_THREADS:
			c->threads = (unsigned)parse_number("--threads", optarg, 1, 64);
			break;
		case O_BODY:
			c->max_body = (size_t)parse_number("--max-body", optarg,
							   1024, 64L << 20);
			break;
		case O_CONNS:
			c->max_connections = (unsigned)parse_number(
				"--max-connections", optarg, 1, 100000);
			break;
		case O_TIMEOUT:
			c->connection_timeout = (unsigned)parse_number(
				"--connection-timeout", optarg, 1, 3600);
			break;
		case O_MAX_LBS:
			c->max_load_balancers = parse_number(
				"--max-load-balancers", optarg, 1, 100000000);
			break;
		case O_MAX_LISTENERS:
			c->max_listeners = parse_number("--max-listeners",
							optarg, 1, 65535);
			break;
		case O_MAX_INSTANCES:
			c->max_registered = parse_number(
				"--max-registered-instances", optarg, 1,
				100000000);
			break;
		case O_TLS_CERT: c->tls_cert = optarg; break;
		case O_TLS_KEY: c->tls_key = optarg; break;
		case O_CLIENT_CA: c->client_ca = optarg; break;
		case O_CLIENT_CA_ROOT: c->client_ca_root = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc) {
		usage(stderr);
		exit(2);
	}
	if (!c->tls_cert != !c->tls_key)
		fatal("--tls-cert and --tls-key go together");
	if ((c->client_ca || c->client_ca_root) && !c->tls_cert)
		fatal("--client-ca needs --tls-cert and --tls-key");
	if (c->client_ca_root && !c->client_ca)
		fatal("--client-ca-root needs --client-ca");
}

/* `account|instance|subnet ...`: pulls --db out of the arguments,
 * wherever it is. */
static int
run_admin(const char *what, int argc, char **argv, const char *db_path)
{
	char **rest = xcalloc((size_t)argc + 1, sizeof *rest);
	int n = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			db_path = argv[++i];
		else if (strncmp(argv[i], "--db=", 5) == 0)
			db_path = argv[i] + 5;
		else
			rest[n++] = argv[i];
	}
	int rc = strcmp(what, "account") == 0
			 ? account_command(n, rest, db_path)
			 : inventory_command(what, n, rest, db_path);
	free(rest);
	db_shutdown();
	return rc;
}

static void
ensure_parent_dir(const char *path)
{
	char *copy = xstrdup(path);
	char *slash = strrchr(copy, '/');
	if (slash && slash != copy) {
		*slash = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST)
			fatal("cannot create %s: %s", copy, strerror(errno));
	}
	free(copy);
}

static int
serve(struct server_config *c)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	/* Blocked before any thread starts, so only sigwait sees them. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	ensure_parent_dir(c->db_path);
	if (db_init(c->db_path) < 0 || account_bootstrap(c) < 0)
		fatal("cannot prepare the database %s", c->db_path);
	char url[300];
	struct http_server *s = http_start(c, url, sizeof url);
	if (!s)
		fatal("cannot listen on %s", c->listen);
	if (account_write_eucarc(c, url) < 0)
		fatal("cannot write eucarc beside %s", c->db_path);
	fprintf(stderr, "eulbd: listening on %s\n", url);
	int sig = 0;
	sigwait(&set, &sig);
	log_info("signal %d: finishing requests in flight", sig);
	http_stop(s);
	db_shutdown();
	log_info("stopped");
	return 0;
}

int
main(int argc, char **argv)
{
	struct server_config c = {
		.listen = "127.0.0.1:8773",
		.db_path = "var/eulb.db",
		.region = "eucalyptus",
		.dns_domain = "localhost",
		.default_ssl_policy = "ELBSecurityPolicy-2016-08",
		.max_body = 1 << 20,
		.threads = 2,
		.connection_timeout = 30,
		.max_connections = 1000,
		.max_load_balancers = 20,
		.max_listeners = 100,
		.max_registered = 1000,
	};
	config_parse_ports(&c, "22");
	setvbuf(stderr, NULL, _IOLBF, 0);
	if (argc > 1 && strcmp(argv[1], "servo-credentials") == 0)
		return run_admin("account", argc - 1, argv + 1, c.db_path);
	if (argc > 1 && (strcmp(argv[1], "account") == 0 ||
			 strcmp(argv[1], "instance") == 0 ||
			 strcmp(argv[1], "subnet") == 0))
		return run_admin(argv[1], argc - 2, argv + 2, c.db_path);
	parse_flags(argc, argv, &c);
	return serve(&c);
}
