/* eulbd: flags, the `account` subcommand, signals, start and stop. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "inventory.h"
#include "lb_stored.h"
#include "log.h"
#include "parse.h"
#include "secret.h"
#include "store.h"

static void
usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: eulbd [--listen ADDR:PORT] [--db FILE] [--region "
	    "R[,R]]...\n"
	    "             [--accept-undefined-region]\n"
	    "             [--dns-domain D] [--restricted-ports LIST]\n"
	    "             [--default-ssl-policy NAME] [--threads N]\n"
	    "             [--max-body BYTES] [--max-connections N]\n"
	    "             [--max-connections-per-ip N]\n"
	    "             [--connection-timeout SECONDS]\n"
	    "             [--max-load-balancers N] [--max-listeners N]\n"
	    "             [--max-registered-instances N]\n"
	    "             [--max-policies N] [--max-zones N]\n"
	    "             [--max-server-certificates N]\n"
	    "             [--max-response-bytes BYTES]\n"
	    "             [--max-response-memory BYTES]\n"
	    "             [--tls-cert FILE --tls-key FILE [--client-ca FILE\n"
	    "              [--client-ca-root FILE]]]\n"
	    "       eulbd account create|create-key NAME [--db FILE]\n"
	    "       eulbd account list [--db FILE]\n"
	    "             [--master-key FILE]\n"
	    "       eulbd servo-credentials [--db FILE]\n"
	    "       eulbd rotate-master-key [--db FILE] [--master-key FILE]\n"
	    "       eulbd instance add|remove|list ... [--db FILE]\n"
	    "       eulbd subnet add ACCOUNT SUBNET ZONE VPC [--db FILE]\n");
}

static long
flag_number(const char *flag, const char *s, long min, long max)
{
	long v;
	if (parse_number(s, min, max, &v) < 0)
		fatal("%s wants a number from %ld to %ld, not '%s'", flag, min,
		      max, s);
	return v;
}

static void
parse_flags(int argc, char **argv, struct server_config *c)
{
	enum {
		O_LISTEN = 256,
		O_DB,
		O_REGION,
		O_DNS,
		O_PORTS,
		O_SSL,
		O_THREADS,
		O_BODY,
		O_CONNS,
		O_TIMEOUT,
		O_MAX_LBS,
		O_MAX_LISTENERS,
		O_MAX_INSTANCES,
		O_TLS_CERT,
		O_TLS_KEY,
		O_CLIENT_CA,
		O_CLIENT_CA_ROOT,
		O_MASTER_KEY,
		O_UNDEFINED_REGION,
		O_CONNS_PER_IP,
		O_MAX_POLICIES,
		O_MAX_ZONES,
		O_MAX_RESPONSE,
		O_MAX_RESPONSE_MEMORY,
		O_MAX_CERTS
	};
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
	    {"max-connections-per-ip", required_argument, NULL, O_CONNS_PER_IP},
	    {"connection-timeout", required_argument, NULL, O_TIMEOUT},
	    {"max-load-balancers", required_argument, NULL, O_MAX_LBS},
	    {"max-listeners", required_argument, NULL, O_MAX_LISTENERS},
	    {"max-registered-instances", required_argument, NULL,
	     O_MAX_INSTANCES},
	    {"max-policies", required_argument, NULL, O_MAX_POLICIES},
	    {"max-zones", required_argument, NULL, O_MAX_ZONES},
	    {"max-response-bytes", required_argument, NULL, O_MAX_RESPONSE},
	    {"max-response-memory", required_argument, NULL,
	     O_MAX_RESPONSE_MEMORY},
	    {"max-server-certificates", required_argument, NULL, O_MAX_CERTS},
	    {"tls-cert", required_argument, NULL, O_TLS_CERT},
	    {"tls-key", required_argument, NULL, O_TLS_KEY},
	    {"client-ca", required_argument, NULL, O_CLIENT_CA},
	    {"client-ca-root", required_argument, NULL, O_CLIENT_CA_ROOT},
	    {"master-key", required_argument, NULL, O_MASTER_KEY},
	    {"accept-undefined-region", no_argument, NULL, O_UNDEFINED_REGION},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	long per_ip = -1;
	int o;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case O_LISTEN: c->listen = optarg; break;
		case O_DB: c->db_path = optarg; break;
		case O_REGION:
			if (config_add_regions(c, optarg) < 0)
				fatal("--region wants region names (letters, "
				      "digits, '-'; at most %d), not '%s'",
				      CONFIG_MAX_REGIONS, optarg);
			break;
		case O_DNS: c->dns_domain = optarg; break;
		case O_PORTS:
			if (config_parse_ports(c, optarg) < 0)
				fatal("--restricted-ports wants a list like "
				      "'22' or '22,25,1000-1023', not '%s'",
				      optarg);
			break;
		case O_SSL: c->default_ssl_policy = optarg; break;
		case O_THREADS:
			c->threads =
			    (unsigned)flag_number("--threads", optarg, 1, 64);
			break;
		case O_BODY:
			c->max_body = (size_t)flag_number("--max-body", optarg,
			                                  1024, 64L << 20);
			break;
		case O_CONNS:
			c->max_connections = (unsigned)flag_number(
			    "--max-connections", optarg, 1, 100000);
			break;
		case O_CONNS_PER_IP:
			per_ip = flag_number("--max-connections-per-ip", optarg,
			                     0, 100000);
			break;
		case O_TIMEOUT:
			c->connection_timeout = (unsigned)flag_number(
			    "--connection-timeout", optarg, 1, 3600);
			break;
		case O_MAX_LBS:
			c->max_load_balancers = flag_number(
			    "--max-load-balancers", optarg, 1, 100000000);
			break;
		case O_MAX_LISTENERS:
			c->max_listeners =
			    flag_number("--max-listeners", optarg, 1, 65535);
			break;
		case O_MAX_INSTANCES:
			c->max_registered = flag_number(
			    "--max-registered-instances", optarg, 1, 100000000);
			break;
		case O_MAX_POLICIES:
			c->max_policies =
			    flag_number("--max-policies", optarg, 1, 10000);
			break;
		case O_MAX_ZONES:
			c->max_zones =
			    flag_number("--max-zones", optarg, 1, 1000);
			break;
		case O_MAX_CERTS:
			c->max_server_certificates = flag_number(
			    "--max-server-certificates", optarg, 1, 10000);
			break;
		case O_MAX_RESPONSE:
			c->max_response = (size_t)flag_number(
			    "--max-response-bytes", optarg, 4096, 1L << 30);
			break;
		case O_MAX_RESPONSE_MEMORY:
			c->max_response_memory = (size_t)flag_number(
			    "--max-response-memory", optarg, 4096, 1L << 40);
			break;
		case O_TLS_CERT: c->tls_cert = optarg; break;
		case O_TLS_KEY: c->tls_key = optarg; break;
		case O_CLIENT_CA: c->client_ca = optarg; break;
		case O_CLIENT_CA_ROOT: c->client_ca_root = optarg; break;
		case O_MASTER_KEY: c->master_key = optarg; break;
		case O_UNDEFINED_REGION: c->accept_undefined_region = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc) {
		usage(stderr);
		exit(2);
	}
	/* By default one address may hold a quarter of the connections, so
	 * one client cannot lock out the rest; behind a proxy every client
	 * shares the proxy's address: raise it (0 lifts it). */
	c->max_connections_per_ip =
	    per_ip >= 0 ? (unsigned)per_ip : (c->max_connections + 3) / 4;
	if (!c->max_response_memory)
		c->max_response_memory = 64 * c->max_response;
	if (c->max_response_memory < c->max_response)
		fatal("--max-response-memory must be at least "
		      "--max-response-bytes (%zu)",
		      c->max_response);
	if (!c->tls_cert != !c->tls_key)
		fatal("--tls-cert and --tls-key go together");
	if ((c->client_ca || c->client_ca_root) && !c->tls_cert)
		fatal("--client-ca needs --tls-cert and --tls-key");
	if (c->client_ca_root && !c->client_ca)
		fatal("--client-ca-root needs --client-ca");
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

/* The master key lives beside the database unless --master-key says. */
static char *
master_key_path(const char *db_path, const char *flag)
{
	if (flag)
		return xstrdup(flag);
	struct buf b = BUF_INIT;
	const char *slash = strrchr(db_path, '/');
	if (slash)
		buf_printf(&b, "%.*s/master.key", (int)(slash - db_path),
		           db_path);
	else
		buf_puts(&b, "master.key");
	return buf_steal(&b);
}

/* Finishes a rotation a crash interrupted: every secret re-sealed under
 * the new key in one transaction, then the new key file takes over. */
static int
finish_rotation(void)
{
	struct db *db = db_thread();
	if (!db || db_begin(db, 1) < 0)
		return -1;
	if (store_secrets_reseal(db) != STORE_OK || db_commit(db) < 0) {
		db_rollback(db);
		return -1;
	}
	return secret_rotate_finish();
}

/* Stored descriptions rendered under another DNS domain or set of
 * regions are cleared (schema/0011), and those marked too large looked
 * at again. */
static int
check_descriptions(const struct server_config *c)
{
	struct db *db = db_thread();
	if (!db || db_begin(db, 1) < 0)
		return -1;
	if (lb_stored_check_config(db, c) < 0 || db_commit(db) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

/* A new master key next to a database that already holds sealed secrets
 * means the right key is missing: refuse rather than run with secrets
 * nobody can open. */
static int
check_new_key(const char *key)
{
	long sealed = 0;
	struct db *db = db_thread();
	if (!db || db_begin(db, 0) < 0)
		return -1;
	int rc = store_secrets_sealed(db, &sealed);
	db_rollback(db);
	if (rc != STORE_OK)
		return -1;
	if (sealed == 0)
		return 0;
	unlink(key);
	log_error("the master key %s is missing, and this database holds %ld "
	          "secrets sealed with it; restore the key file (or point "
	          "--master-key at it)",
	          key, sealed);
	return -1;
}

/* The database and its -wal/-shm hold the state of every account: owner
 * only, like eucarc and master.key. The umask covers files created from
 * now on; this covers those an older eulbd left readable. */
static void
restrict_db_files(const char *db_path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		struct buf b = BUF_INIT;
		buf_printf(&b, "%s%s", db_path, suffixes[i]);
		if (chmod(buf_str(&b), 0600) < 0 && errno != ENOENT)
			log_warn("cannot make %s private: %s", buf_str(&b),
			         strerror(errno));
		buf_free(&b);
	}
}

/* One lock per database, held for the life of the process: a serving
 * eulbd holds it, and `rotate-master-key`, which swaps the key under the
 * server's feet, refuses to run without it. */
static int
lock_db(const char *db_path, const char *who)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, "%s.lock", db_path);
	int fd = open(buf_str(&b), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (fd >= 0 && errno == EWOULDBLOCK)
			log_error("%s: another eulbd process is using %s (it "
			          "holds %s); stop it first",
			          who, db_path, buf_str(&b));
		else
			log_error("%s: cannot lock %s: %s", who, buf_str(&b),
			          strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	buf_free(&b);
	return fd; /* left open: the lock lasts until exit */
}

static int
open_store(const char *db_path, const char *key_flag)
{
	char *key = master_key_path(db_path, key_flag);
	ensure_parent_dir(db_path);
	int created = secret_init(key);
	int rc = created < 0 || db_init(db_path) < 0 ? -1 : 0;
	restrict_db_files(db_path);
	if (rc == 0 && created == 1)
		rc = check_new_key(key);
	free(key);
	if (rc == 0 && secret_rotation_pending() && finish_rotation() < 0)
		rc = -1;
	return rc;
}

static int
rotate_master_key(void)
{
	if (secret_rotate_begin() < 0)
		return 1;
	if (finish_rotation() < 0) {
		fprintf(stderr, "eulbd: rotation interrupted; the next start "
		                "finishes it\n");
		return 1;
	}
	fprintf(stderr, "eulbd: every secret is now sealed under the new "
	                "master key\n");
	return 0;
}

/* `account|instance|subnet|rotate-master-key ...`: pulls --db and
 * --master-key out of the arguments, wherever they are. */
static int
run_admin(const char *what, int argc, char **argv, const char *db_path)
{
	char **rest = xcalloc((size_t)argc + 1, sizeof *rest);
	const char *key_flag = NULL;
	int n = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			db_path = argv[++i];
		else if (strncmp(argv[i], "--db=", 5) == 0)
			db_path = argv[i] + 5;
		else if (strcmp(argv[i], "--master-key") == 0 && i + 1 < argc)
			key_flag = argv[++i];
		else
			rest[n++] = argv[i];
	}
	int rotating = strcmp(what, "rotate-master-key") == 0;
	int account = strcmp(what, "account") == 0;
	/* Usage before anything is opened: asking for it, or a mistyped
	 * command, creates no database and no master key. */
	int help = 0;
	for (int i = 0; i < n; i++)
		help |= strcmp(rest[i], "--help") == 0 ||
		        strcmp(rest[i], "-h") == 0;
	int ok = rotating  ? n == 0
	         : account ? account_args_ok(n, rest)
	                   : inventory_args_ok(what, n, rest);
	if (help || !ok) {
		FILE *f = help ? stdout : stderr;
		if (rotating)
			fprintf(f, "usage: eulbd rotate-master-key [--db FILE] "
			           "[--master-key FILE]\n");
		else if (account)
			account_usage(f);
		else
			inventory_usage(f);
		free(rest);
		return help ? 0 : 2;
	}
	if ((rotating && lock_db(db_path, what) < 0) ||
	    open_store(db_path, key_flag) < 0) {
		free(rest);
		return 1;
	}
	if (rotating) {
		free(rest);
		int rc = rotate_master_key();
		db_shutdown();
		secret_shutdown();
		return rc;
	}
	int rc = account ? account_command(n, rest, db_path)
	                 : inventory_command(what, n, rest);
	free(rest);
	db_shutdown();
	secret_shutdown();
	return rc;
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
	log_buffer_access();
	ensure_parent_dir(c->db_path);
	if (lock_db(c->db_path, "eulbd") < 0)
		fatal("cannot serve %s", c->db_path);
	db_defer_checkpoints(); /* the writer runs them (db_maintain) */
	if (open_store(c->db_path, c->master_key) < 0 ||
	    account_bootstrap(c) < 0 || check_descriptions(c) < 0)
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
	secret_shutdown();
	log_info("stopped");
	log_flush();
	return 0;
}

int
main(int argc, char **argv)
{
	struct server_config c;
	config_defaults(&c);
	umask(077); /* every file eulbd writes holds secrets or state */
	setvbuf(stderr, NULL, _IOLBF, 0);
	if (argc > 1 && strcmp(argv[1], "servo-credentials") == 0)
		return run_admin("account", argc - 1, argv + 1, c.db_path);
	if (argc > 1 && (strcmp(argv[1], "account") == 0 ||
	                 strcmp(argv[1], "rotate-master-key") == 0 ||
	                 strcmp(argv[1], "instance") == 0 ||
	                 strcmp(argv[1], "subnet") == 0))
		return run_admin(argv[1], argc - 2, argv + 2, c.db_path);
	parse_flags(argc, argv, &c);
	config_derive(&c);
	/* Answers of a few hundred KB are built and freed on every large
	 * describe: glibc would hand the memory back each time (madvise, a
	 * TLB shoot-down on every core, then page faults to take it again),
	 * a quarter of a 100-load-balancer describe. Keep it. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 16 << 20);
	return serve(&c);
}
