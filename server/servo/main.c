/* eulb-servo: flags, environment, signals and the loop. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "parse.h"
#include "servo.h"
#include "util.h"

#define DEFAULT_INTERVAL 10
#define DEFAULT_PROBE_MS 2000

static volatile sig_atomic_t servo_stop;
static volatile sig_atomic_t servo_wake;

static void
usage(FILE *f)
{
	fprintf(
	    f, "usage: " SERVO_PROG " --lb NAME --account ID --bind ADDR "
	       "--state-dir DIR\n"
	       "                  [--haproxy PATH] [--interval SECONDS] "
	       "[--once]\n"
	       "                  [--ca-bundle FILE] [--client-cert FILE "
	       "--client-key FILE]\n"
	       "                  [--verbose]\n"
	       "Renders HAProxy for one load balancer of eulbd and keeps it in "
	       "step.\n"
	       "The endpoint and the servo credential come from AWS_ELB_URL, "
	       "AWS_ACCESS_KEY_ID\n"
	       "and AWS_SECRET_ACCESS_KEY (see: eulbd servo-credentials).\n"
	       "SIGHUP starts a cycle at once; SIGTERM stops HAProxy and "
	       "exits.\n");
}

static void __attribute__((noreturn, format(printf, 1, 2)))
servo_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(SERVO_PROG ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static const char *
servo_env(const char *a, const char *b)
{
	const char *v = getenv(a);
	if ((!v || !*v) && b)
		v = getenv(b);
	return v && *v ? v : NULL;
}

static int
servo_address_ok(const char *a)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, a, buf) == 1 ||
	       inet_pton(AF_INET6, a, buf) == 1;
}

static int
servo_account_ok(const char *a)
{
	if (strlen(a) != 12)
		return 0;
	for (const char *p = a; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

/* The state directory, made and resolved to an absolute path that
 * haproxy.cfg can hold unquoted. */
static char *
servo_state_dir(const char *dir)
{
	static char abs[PATH_MAX];
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		servo_usage_error("cannot make state directory %s: %s", dir,
		                  strerror(errno));
	if (!realpath(dir, abs))
		servo_usage_error("state directory %s: %s", dir,
		                  strerror(errno));
	if (!servo_word_ok(abs, "/+@,"))
		servo_usage_error("state directory %s has characters "
		                  "haproxy.cfg cannot hold unquoted",
		                  abs);
	return abs;
}

static long
servo_number(const char *flag, const char *s, long min, long max)
{
	long v;
	if (parse_number(s, min, max, &v) < 0)
		servo_usage_error("%s wants a number from %ld to %ld, not '%s'",
		                  flag, min, max, s);
	return v;
}

static void
servo_flags(int argc, char **argv, struct servo_config *c)
{
	enum {
		O_LB = 256,
		O_ACCOUNT,
		O_BIND,
		O_STATE,
		O_HAPROXY,
		O_INTERVAL,
		O_ONCE,
		O_CA,
		O_CERT,
		O_KEY,
		O_VERBOSE,
		O_HELP
	};
	static const struct option opts[] = {
	    {"lb", required_argument, NULL, O_LB},
	    {"account", required_argument, NULL, O_ACCOUNT},
	    {"bind", required_argument, NULL, O_BIND},
	    {"state-dir", required_argument, NULL, O_STATE},
	    {"haproxy", required_argument, NULL, O_HAPROXY},
	    {"interval", required_argument, NULL, O_INTERVAL},
	    {"once", no_argument, NULL, O_ONCE},
	    {"ca-bundle", required_argument, NULL, O_CA},
	    {"client-cert", required_argument, NULL, O_CERT},
	    {"client-key", required_argument, NULL, O_KEY},
	    {"verbose", no_argument, NULL, O_VERBOSE},
	    {"help", no_argument, NULL, O_HELP},
	    {NULL, 0, NULL, 0}};
	const char *state = NULL;
	int o;
	c->haproxy = "haproxy";
	c->interval = DEFAULT_INTERVAL;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case O_LB: c->lb = optarg; break;
		case O_ACCOUNT: c->account = optarg; break;
		case O_BIND: c->bind = optarg; break;
		case O_STATE: state = optarg; break;
		case O_HAPROXY: c->haproxy = optarg; break;
		case O_INTERVAL:
			c->interval =
			    (int)servo_number("--interval", optarg, 1, 86400);
			break;
		case O_ONCE: c->once = 1; break;
		case O_CA: c->ca_bundle = optarg; break;
		case O_CERT: c->client_cert = optarg; break;
		case O_KEY: c->client_key = optarg; break;
		case O_VERBOSE: log_set_level(LOG_LEVEL_DEBUG); break;
		case 'h':
		case O_HELP: usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc)
		servo_usage_error("unexpected argument '%s'", argv[optind]);
	if (!c->lb || !c->account || !c->bind || !state) {
		usage(stderr);
		exit(2);
	}
	if (!servo_word_ok(c->lb, NULL) || strlen(c->lb) > 32)
		servo_usage_error("'%s' is not a load balancer name", c->lb);
	if (!servo_account_ok(c->account))
		servo_usage_error("'%s' is not a 12-digit account id",
		                  c->account);
	if (!servo_address_ok(c->bind))
		servo_usage_error("--bind wants an IPv4 or IPv6 address, not "
		                  "'%s'",
		                  c->bind);
	c->state_dir = servo_state_dir(state);
}

static void
servo_environment(struct servo_config *c)
{
	c->url = servo_env("AWS_ELB_URL", "EC2_URL");
	c->akid = servo_env("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY");
	c->secret = servo_env("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY");
	c->token = servo_env("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN");
	c->region = servo_env("AWS_DEFAULT_REGION", "AWS_REGION");
	if (!c->region)
		c->region = "us-east-1";
	if (!c->ca_bundle)
		c->ca_bundle = servo_env("AWS_CA_BUNDLE", NULL);
	if (!c->url)
		servo_usage_error(
		    "AWS_ELB_URL is not set (the eulbd endpoint)");
	if (!c->akid || !c->secret)
		servo_usage_error("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
		                  "must hold the servo credential (eulbd "
		                  "servo-credentials)");
	/* Probes must not eat the cycle. */
	c->probe_timeout_ms = DEFAULT_PROBE_MS;
	if (c->probe_timeout_ms > c->interval * 500)
		c->probe_timeout_ms = c->interval * 500;
}

static void
servo_on_signal(int sig)
{
	if (sig == SIGHUP)
		servo_wake = 1;
	else
		servo_stop = 1;
}

static void
servo_signals(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = servo_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* One eulb-servo per state directory. */
static int
servo_lock(const char *dir)
{
	char *path = servo_path(dir, "servo.lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(path);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
		servo_usage_error(
		    "state directory %s is in use by another " SERVO_PROG, dir);
	return fd;
}

static void
servo_wait(int seconds)
{
	for (long ms = 0; ms < seconds * 1000L && !servo_stop && !servo_wake;
	     ms += 100) {
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
	servo_wake = 0;
}

int
main(int argc, char **argv)
{
	struct servo_config cfg = {0};
	struct servo s;
	servo_flags(argc, argv, &cfg);
	servo_environment(&cfg);
	int lock = servo_lock(cfg.state_dir);
	char *dirs[] = {servo_path(cfg.state_dir, "certs"),
	                servo_path(cfg.state_dir, "backend-auth")};
	int rc = servo_mkdir(dirs[0]) | servo_mkdir(dirs[1]);
	free(dirs[0]);
	free(dirs[1]);
	if (rc < 0)
		return 1;
	servo_signals();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	servo_init(&s, &cfg);
	if (!s.never_pem) {
		fprintf(stderr, SERVO_PROG ": cannot make a certificate\n");
		return 1;
	}
	log_info(SERVO_PROG ": load balancer %s of account %s on %s, state "
	                    "in %s, every %d s",
	         cfg.lb, cfg.account, cfg.bind, cfg.state_dir, cfg.interval);
	rc = 0;
	while (!servo_stop) {
		rc = servo_cycle(&s);
		if (cfg.once)
			break;
		servo_wait(cfg.interval);
	}
	servo_shutdown(&s);
	curl_global_cleanup();
	close(lock);
	if (!cfg.once)
		log_info(SERVO_PROG ": stopped");
	return cfg.once && rc < 0 ? 1 : 0;
}
