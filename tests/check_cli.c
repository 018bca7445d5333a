/*
 * The eulb-* and euare-* commands without a server: the command line as
 * each command's option rows parse it, the request parameters it becomes
 * (reference/euca2ools-cli.md 4 and 5), and the printers' lines for
 * given results.
 */
#include <check.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "form.h"
#include "output.h"
#include "check_run.h"

#define MAX_ARGS 32

/* One command line: the parse and, when it parsed, the parameters. */
struct run {
	const struct cli_command *cmd;
	struct opt_result res;
	struct form form;
	enum opt_status status;
};

static void
run_free(struct run *r)
{
	opt_result_free(&r->res);
	form_free(&r->form);
}

static enum opt_status
vparse(struct run *r, const char *name, va_list ap)
{
	char *argv[MAX_ARGS];
	const struct cli_opt *tables[4];
	const char *titles[4];
	int argc = 0;

	for (const char *a; (a = va_arg(ap, const char *)) != NULL;) {
		ck_assert_int_lt(argc, MAX_ARGS);
		argv[argc++] = (char *)a;
	}
	memset(r, 0, sizeof *r);
	r->cmd = cli_command_find(name);
	ck_assert_msg(r->cmd != NULL, "no command %s", name);
	cli_command_tables(r->cmd, tables, titles);
	struct opt_parser p = {name, r->cmd->description, tables, titles,
	                       "test"};
	r->status = opt_parse(&p, argc, argv, &r->res);
	if (r->status == OPT_OK)
		cli_request_form(r->cmd, &r->res, &r->form);
	return r->status;
}

/* Parses the NULL-terminated arguments of command name into *r. */
static enum opt_status
parse(struct run *r, const char *name, ...)
{
	va_list ap;
	va_start(ap, name);
	enum opt_status st = vparse(r, name, ap);
	va_end(ap);
	return st;
}

/* A command line whose exit status is all there is to check. */
static void
assert_status(enum opt_status want, const char *name, ...)
{
	struct run r;
	va_list ap;
	va_start(ap, name);
	enum opt_status st = vparse(&r, name, ap);
	va_end(ap);
	ck_assert_msg(st == want, "%s: status %d, not %d", name, st, want);
	run_free(&r);
}

static void
expect(const struct run *r, const char *key, const char *value)
{
	const char *got = form_get(&r->form, key);
	ck_assert_msg(got != NULL, "%s not sent", key);
	ck_assert_str_eq(got, value);
	ck_assert_uint_eq(form_count(&r->form, key), 1);
}

/* No parameter is key or starts with "key.". */
static void
absent(const struct run *r, const char *key)
{
	size_t len = strlen(key);
	for (size_t i = 0; i < r->form.n; i++) {
		const char *k = r->form.v[i].key;
		ck_assert_msg(strncmp(k, key, len) != 0 ||
		                  (k[len] != '\0' && k[len] != '.'),
		              "%s was sent", k);
	}
}

static char *
temp_file(const char *text)
{
	char *path = xstrdup("/tmp/check_cli.XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/*
 * Points fd at path until unredirect(fd, saved), so that the suite also
 * runs unforked (CK_FORK=no). Returns the saved descriptor.
 */
static int
redirect(int fd, const char *path, int flags)
{
	fflush(NULL);
	int saved = dup(fd);
	int to = open(path, flags);
	ck_assert_int_ge(to, 0);
	dup2(to, fd);
	close(to);
	return saved;
}

static void
unredirect(int fd, int saved)
{
	fflush(NULL);
	clearerr(stdin);
	dup2(saved, fd);
	close(saved);
}

/* What fn prints for the result element json after the command line r. */
static char *
capture(cli_print_fn fn, const struct run *r, int show_empty, const char *json)
{
	json_error_t jerr;
	json_t *result = json_loads(json, 0, &jerr);
	ck_assert_msg(result != NULL, "%s", jerr.text);
	struct cli_print_ctx ctx = {&r->res, show_empty};
	char *path = temp_file("");
	int saved = redirect(STDOUT_FILENO, path, O_WRONLY);
	int rc = fn(&ctx, result);
	unredirect(STDOUT_FILENO, saved);
	ck_assert_int_eq(rc, 0);
	json_decref(result);

	struct buf out = BUF_INIT;
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_append(&out, chunk, (size_t)n);
	close(fd);
	unlink(path);
	free(path);
	return buf_steal(&out);
}

/* What parsing the NULL-terminated arguments of name writes to stderr. */
static char *
parse_stderr(enum opt_status want, const char *name, ...)
{
	struct run r;
	va_list ap;
	char *path = temp_file("");
	int saved = redirect(STDERR_FILENO, path, O_WRONLY);
	va_start(ap, name);
	enum opt_status st = vparse(&r, name, ap);
	va_end(ap);
	unredirect(STDERR_FILENO, saved);
	run_free(&r);
	ck_assert_msg(st == want, "%s: status %d, not %d", name, st, want);

	struct buf out = BUF_INIT;
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_append(&out, chunk, (size_t)n);
	close(fd);
	unlink(path);
	free(path);
	return buf_steal(&out);
}

static void
assert_prints(cli_print_fn fn, const struct run *r, int show_empty,
              const char *json, const char *want)
{
	char *got = capture(fn, r, show_empty, json);
	ck_assert_str_eq(got, want);
	free(got);
}

/* ---- every command ---- */

START_TEST(test_every_command_has_help_and_version)
{
	int saved_out = redirect(STDOUT_FILENO, "/dev/null", O_WRONLY);
	int saved_err = redirect(STDERR_FILENO, "/dev/null", O_WRONLY);
	for (size_t i = 0; i < cli_ncommands; i++) {
		const char *name = cli_commands[i].name;
		assert_status(OPT_EXIT_OK, name, "--help", NULL);
		assert_status(OPT_EXIT_OK, name, "--version", NULL);
		assert_status(OPT_EXIT_OK, name, "--debugger", "--version",
		              NULL);
	}
	unredirect(STDERR_FILENO, saved_err);
	unredirect(STDOUT_FILENO, saved_out);
}
END_TEST

/*
 * Usage errors as Python 2.7's argparse prints them under euca2ools
 * 3.4.1; the texts come from argparse 2.7.18 itself, with eulb's TLS
 * options added after -h.
 */
START_TEST(test_usage_errors_python27)
{
	setenv("COLUMNS", "80", 1);
	char *got = parse_stderr(OPT_EXIT_USAGE, "eulb-delete-lb", NULL);
	ck_assert_str_eq(
	    got,
	    "usage: eulb-delete-lb [-U URL] [--region USER@REGION] [-I KEY_ID] "
	    "[-S KEY]\n"
	    "                      [--security-token TOKEN] [--debug] "
	    "[--debugger]\n"
	    "                      [--version] [-h] [--ca-bundle FILE] "
	    "[--insecure]\n"
	    "                      [--client-cert FILE] [--client-key FILE]\n"
	    "                      ELB\n"
	    "eulb-delete-lb: error: too few arguments\n");
	free(got);
	got = parse_stderr(OPT_EXIT_USAGE, "euare-servercertmod", "c",
	                   "--new-path", NULL);
	ck_assert_str_eq(
	    got,
	    "usage: euare-servercertmod [-n CERT] [-p PATH] [--as-account "
	    "ACCOUNT] [-U URL]\n"
	    "                           [--region USER@REGION] [-I KEY_ID] "
	    "[-S KEY]\n"
	    "                           [--security-token TOKEN] [--debug] "
	    "[--debugger]\n"
	    "                           [--version] [-h] [--ca-bundle FILE] "
	    "[--insecure]\n"
	    "                           [--client-cert FILE] [--client-key "
	    "FILE]\n"
	    "                           CERT\n"
	    "euare-servercertmod: error: argument -p/--new-path: expected one "
	    "argument\n");
	free(got);
	/* One missing option at a time, the first in table order. */
	got = parse_stderr(OPT_EXIT_USAGE, "eulb-create-lb", "x", "-z", "a",
	                   NULL);
	ck_assert_ptr_nonnull(
	    strstr(got, "\neulb-create-lb: error: argument -l/--listener is "
	                "required\n"));
	free(got);
	got = parse_stderr(OPT_EXIT_USAGE, "eulb-configure-healthcheck", "x",
	                   "--interval", "a'b", NULL);
	ck_assert_ptr_nonnull(strstr(
	    got, "error: argument --interval: invalid int value: \"a'b\"\n"));
	free(got);
	got = parse_stderr(OPT_EXIT_USAGE, "eulb-delete-lb", "-hx", NULL);
	ck_assert_ptr_nonnull(
	    strstr(got, "error: argument -h/--help: ignored explicit argument "
	                "'x'\n"));
	free(got);
	/* Positionals a run at a time: one filled before an option takes no
	 * more after it. */
	got = parse_stderr(OPT_EXIT_USAGE, "eulb-describe-lbs", "a",
	                   "--show-long", "b", NULL);
	ck_assert_ptr_nonnull(
	    strstr(got, "\neulb-describe-lbs: error: unrecognized arguments: "
	                "b\n"));
	free(got);
	got = parse_stderr(OPT_EXIT_USAGE, "eulb-modify-lb-attributes", "lb",
	                   "a=1", "--debug", "b=2", NULL);
	ck_assert_ptr_nonnull(strstr(got, "error: unrecognized arguments: "
	                                  "b=2\n"));
	free(got);
	assert_status(OPT_OK, "eulb-modify-lb-attributes", "lb", "--debug",
	              "a=1", "b=2", NULL);
	/* Candidates in 2.7's dict order; found before any other error. */
	got = parse_stderr(OPT_EXIT_USAGE, "eulb-configure-healthcheck", "x",
	                   "--interval", "y", "--t", NULL);
	ck_assert_ptr_nonnull(
	    strstr(got, "\neulb-configure-healthcheck: error: ambiguous "
	                "option: --t could match --timeout, --target\n"));
	free(got);
	got = parse_stderr(OPT_EXIT_USAGE, "euare-servercertmod", "--new=x",
	                   NULL);
	ck_assert_ptr_nonnull(
	    strstr(got, "error: ambiguous option: --new=x could match "
	                "--new-path, --new-server-certificate-name\n"));
	free(got);
	/* An empty argument is one too many all the same. */
	got =
	    parse_stderr(OPT_EXIT_USAGE, "eulb-delete-lb", "a", "", "b", NULL);
	ck_assert_ptr_nonnull(
	    strstr(got, "error: unrecognized arguments:  b\n"));
	free(got);
	/* "--" where no positional is left to swallow it. */
	got = parse_stderr(OPT_EXIT_USAGE, "eulb-describe-tags", "a",
	                   "--show-headers", "--", NULL);
	ck_assert_ptr_nonnull(
	    strstr(got, "error: unrecognized arguments: --\n"));
	free(got);
	assert_status(OPT_OK, "eulb-delete-lb", "--", "a", NULL);
	assert_status(OPT_OK, "eulb-describe-lbs", "--show-long", "--", NULL);
	got = parse_stderr(OPT_EXIT_OK, "eulb-delete-lb", "--version", NULL);
	ck_assert_str_eq(got, "test\n");
	free(got);
	unsetenv("COLUMNS");
}
END_TEST

/* The order Python 2.7.18 iterates {k: 1 for k in keys} (keys added in
 * this order): describe-lbs' option strings. */
START_TEST(test_py2_dict_order)
{
	static const char *const keys[] = {"--show-long",
	                                   "--show-empty-fields",
	                                   "-U",
	                                   "--url",
	                                   "--region",
	                                   "-I",
	                                   "--access-key-id",
	                                   "-S",
	                                   "--secret-key",
	                                   "--security-token",
	                                   "--debug",
	                                   "--debugger",
	                                   "--version",
	                                   "-h",
	                                   "--help",
	                                   "--ca-bundle",
	                                   "--insecure",
	                                   "--client-cert",
	                                   "--client-key"};
	static const size_t want[] = {3, 16, 8, 11, 4, 18, 5,  13, 12, 2,
	                              1, 6,  9, 7,  0, 10, 17, 14, 15};
	size_t n = sizeof keys / sizeof *keys, got[sizeof keys / sizeof *keys];
	opt_py2_dict_order(keys, n, got);
	for (size_t i = 0; i < n; i++)
		ck_assert_uint_eq(got[i], want[i]);
}
END_TEST

START_TEST(test_repr)
{
	static const char *const cases[][2] = {
	    {"abc", "'abc'"},
	    {"a'b", "\"a'b\""},
	    {"a\"b'", "'a\"b\\''"},
	    {"t\tn\n\\", "'t\\tn\\n\\\\'"},
	    {"\xc3\xa9", "'\\xc3\\xa9'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct buf b = BUF_INIT;
		opt_repr(&b, cases[i][0]);
		ck_assert_str_eq(buf_str(&b), cases[i][1]);
		buf_free(&b);
	}
}
END_TEST

/* ---- create-lb-policy attributes (4.3) ---- */

/* All -a, then all -A in order, then the file's. */
START_TEST(test_attribute_order)
{
	static const char *const want[][2] = {
	    {"Protocol-TLSv1.2", "true"},
	    {"Protocol-SSLv3", "false"},
	    {"Reference-Security-Policy", "ELBSecurityPolicy-2015-05"},
	    {"x", "a=b"},
	    {"k", "v w"},
	    {"file", "1"},
	};
	struct run r;
	char *file = temp_file("k = v w \n# comment\n\nfile=1\n");
	ck_assert_int_eq(parse(&r, "eulb-create-lb-policy", "-n", "p", "-t",
	                       "SSLNegotiationPolicyType", "-A",
	                       "Protocol-SSLv3=false, Reference-Security-"
	                       "Policy=ELBSecurityPolicy-2015-05",
	                       "-a", "value=true,name=Protocol-TLSv1.2", "-A",
	                       "x=a=b", "--attributes-from-file", file, "lb",
	                       NULL),
	                 OPT_OK);
	expect(&r, "Action", "CreateLoadBalancerPolicy");
	expect(&r, "LoadBalancerName", "lb");
	expect(&r, "PolicyName", "p");
	expect(&r, "PolicyTypeName", "SSLNegotiationPolicyType");
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		char key[64];
		snprintf(key, sizeof key,
		         "PolicyAttributes.member.%zu.AttributeName", i + 1);
		expect(&r, key, want[i][0]);
		snprintf(key, sizeof key,
		         "PolicyAttributes.member.%zu.AttributeValue", i + 1);
		expect(&r, key, want[i][1]);
	}
	absent(&r, "PolicyAttributes.member.7");
	run_free(&r);
	unlink(file);
	free(file);
}
END_TEST

START_TEST(test_attribute_pem_value)
{
	struct run r;
	const char *pem = "-----BEGIN CERTIFICATE-----\nMIIC+/A=\n"
	                  "-----END CERTIFICATE-----";
	char arg[256];
	snprintf(arg, sizeof arg, "name=PublicKey, value=%s\n", pem);
	ck_assert_int_eq(parse(&r, "eulb-create-lb-policy", "-n",
	                       "webservercert", "-t", "PublicKeyPolicyType",
	                       "-a", arg, "myloadbalancer", NULL),
	                 OPT_OK);
	/* Inner newlines and '=' kept, the final newline stripped. */
	expect(&r, "PolicyAttributes.member.1.AttributeName", "PublicKey");
	expect(&r, "PolicyAttributes.member.1.AttributeValue", pem);
	run_free(&r);
}
END_TEST

START_TEST(test_attribute_errors)
{
	static const char *const bad[] = {
	    "name=N, value=a,b",    "name=N", "value=V",
	    "name=N, value=V, x=1", "",
	};
	int saved_err = redirect(STDERR_FILENO, "/dev/null", O_WRONLY);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_status(OPT_EXIT_USAGE, "eulb-create-lb-policy", "-n",
		              "p", "-t", "T", "-a", bad[i], "lb", NULL);
	assert_status(OPT_EXIT_USAGE, "eulb-create-lb-policy", "-n", "p", "-t",
	              "T", "-A", "a=1,b", "lb", NULL);
	unredirect(STDERR_FILENO, saved_err);
}
END_TEST

START_TEST(test_attribute_empty_value_not_sent)
{
	struct run r;
	ck_assert_int_eq(parse(&r, "eulb-create-lb-policy", "-n", "p", "-t",
	                       "T", "-a", "name=X, value=", "lb", NULL),
	                 OPT_OK);
	expect(&r, "PolicyAttributes.member.1.AttributeName", "X");
	absent(&r, "PolicyAttributes.member.1.AttributeValue");
	run_free(&r);
	ck_assert_int_eq(parse(&r, "eulb-create-lb-policy", "-n", "p", "-t",
	                       "T", "lb", NULL),
	                 OPT_OK);
	absent(&r, "PolicyAttributes");
	run_free(&r);
}
END_TEST

START_TEST(test_attribute_file_errors_and_stdin)
{
	struct run r;
	char *file = temp_file("a=1\n  # indented comment\n");
	int saved_err = redirect(STDERR_FILENO, "/dev/null", O_WRONLY);
	/* Not usage errors: exit 1, no usage text. */
	assert_status(OPT_EXIT_FAIL, "eulb-create-lb-policy", "-n", "p", "-t",
	              "T", "--attributes-from-file", file, "lb", NULL);
	assert_status(OPT_EXIT_FAIL, "eulb-create-lb-policy", "-n", "p", "-t",
	              "T", "--attributes-from-file", "/nonexistent/attrs", "lb",
	              NULL);
	unredirect(STDERR_FILENO, saved_err);
	unlink(file);
	free(file);

	file = temp_file("from=stdin\n");
	int saved_in = redirect(STDIN_FILENO, file, O_RDONLY);
	ck_assert_int_eq(parse(&r, "eulb-create-lb-policy", "-n", "p", "-t",
	                       "T", "--attributes-from-file", "-", "lb", NULL),
	                 OPT_OK);
	unredirect(STDIN_FILENO, saved_in);
	expect(&r, "PolicyAttributes.member.1.AttributeName", "from");
	expect(&r, "PolicyAttributes.member.1.AttributeValue", "stdin");
	run_free(&r);
	unlink(file);
	free(file);
}
END_TEST

/* ---- modify-lb-attributes ATTR=VALUE (5) ---- */

START_TEST(test_modify_attributes)
{
	struct run r;
	ck_assert_int_eq(parse(&r, "eulb-modify-lb-attributes", "lb",
	                       "CrossZoneLoadBalancing.Enabled=true",
	                       "AccessLog.S3BucketPrefix=a=b",
	                       "ConnectionDraining.Timeout=1",
	                       "ConnectionDraining.Timeout=120", NULL),
	                 OPT_OK);
	expect(&r, "Action", "ModifyLoadBalancerAttributes");
	expect(&r, "LoadBalancerName", "lb");
	expect(&r, "LoadBalancerAttributes.CrossZoneLoadBalancing.Enabled",
	       "true");
	/* Split on the first '='; a later pair for the same key wins. */
	expect(&r, "LoadBalancerAttributes.AccessLog.S3BucketPrefix", "a=b");
	expect(&r, "LoadBalancerAttributes.ConnectionDraining.Timeout", "120");
	run_free(&r);

	int saved_err = redirect(STDERR_FILENO, "/dev/null", O_WRONLY);
	assert_status(OPT_EXIT_USAGE, "eulb-modify-lb-attributes", "lb",
	              "novalue", NULL);
	assert_status(OPT_EXIT_USAGE, "eulb-modify-lb-attributes", "lb", NULL);
	unredirect(STDERR_FILENO, saved_err);
}
END_TEST

/* ---- tags (5) ---- */

START_TEST(test_create_tags)
{
	struct run r;
	ck_assert_int_eq(parse(&r, "eulb-create-tags", "-t", "env=prod", "-t",
	                       "flag", "-t", "empty=", "-t", "k=a=b", "lb",
	                       NULL),
	                 OPT_OK);
	expect(&r, "Action", "AddTags");
	expect(&r, "LoadBalancerNames.member.1", "lb");
	expect(&r, "Tags.member.1.Key", "env");
	expect(&r, "Tags.member.1.Value", "prod");
	expect(&r, "Tags.member.2.Key", "flag");
	expect(&r, "Tags.member.2.Value", "");
	expect(&r, "Tags.member.3.Key", "empty");
	expect(&r, "Tags.member.3.Value", "");
	expect(&r, "Tags.member.4.Key", "k");
	expect(&r, "Tags.member.4.Value", "a=b");
	run_free(&r);

	int saved_err = redirect(STDERR_FILENO, "/dev/null", O_WRONLY);
	assert_status(OPT_EXIT_USAGE, "eulb-create-tags", "-t", "", "lb", NULL);
	assert_status(OPT_EXIT_USAGE, "eulb-create-tags", "-t", "=v", "lb",
	              NULL);
	assert_status(OPT_EXIT_USAGE, "eulb-create-tags", "lb", NULL);
	unredirect(STDERR_FILENO, saved_err);
}
END_TEST

START_TEST(test_delete_and_describe_tags)
{
	struct run r;
	ck_assert_int_eq(
	    parse(&r, "eulb-delete-tags", "-t", "env", "-t", "k=v", "lb", NULL),
	    OPT_OK);
	expect(&r, "Action", "RemoveTags");
	expect(&r, "LoadBalancerNames.member.1", "lb");
	expect(&r, "Tags.member.1.Key", "env");
	/* Only keys: "k=v" is the key itself. */
	expect(&r, "Tags.member.2.Key", "k=v");
	absent(&r, "Tags.member.1.Value");
	run_free(&r);

	ck_assert_int_eq(
	    parse(&r, "eulb-describe-tags", "--show-headers", "a", "b", NULL),
	    OPT_OK);
	expect(&r, "LoadBalancerNames.member.1", "a");
	expect(&r, "LoadBalancerNames.member.2", "b");
	run_free(&r);
}
END_TEST

/* ---- lists: -p '' (4.6, 4.7), --instances (4.10, 4.11) ---- */

START_TEST(test_empty_policy_list_is_bare)
{
	static const char *const cmds[][3] = {
	    {"eulb-set-lb-policies-for-backend-server", "-i", "8443"},
	    {"eulb-set-lb-policies-of-listener", "-l", "443"},
	};
	struct run r;
	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(parse(&r, cmds[i][0], cmds[i][1], cmds[i][2],
		                       "-p", "", "lb", NULL),
		                 OPT_OK);
		expect(&r, "PolicyNames", "");
		absent(&r, "PolicyNames.member");
		run_free(&r);

		ck_assert_int_eq(parse(&r, cmds[i][0], cmds[i][1], cmds[i][2],
		                       "-p", "a, b,,", "lb", NULL),
		                 OPT_OK);
		expect(&r, "PolicyNames.member.1", "a");
		expect(&r, "PolicyNames.member.2", "b");
		ck_assert_ptr_null(form_get(&r.form, "PolicyNames"));
		absent(&r, "PolicyNames.member.3");
		run_free(&r);
	}
	/* describe-lb-policies has no such case: an empty list is dropped. */
	ck_assert_int_eq(parse(&r, "eulb-describe-lb-policies", "-p", "", NULL),
	                 OPT_OK);
	absent(&r, "PolicyNames");
	absent(&r, "LoadBalancerName");
	run_free(&r);
}
END_TEST

START_TEST(test_instances)
{
	struct run r;
	ck_assert_int_eq(parse(&r, "eulb-register-instances-with-lb",
	                       "--instances", "i-1, i-2", "lb", NULL),
	                 OPT_OK);
	expect(&r, "Instances.member.1.InstanceId", "i-1");
	expect(&r, "Instances.member.2.InstanceId", "i-2");
	run_free(&r);
	/* Given but empty: nothing sent at all. */
	ck_assert_int_eq(parse(&r, "eulb-deregister-instances-from-lb",
	                       "--instances", "", "lb", NULL),
	                 OPT_OK);
	absent(&r, "Instances");
	run_free(&r);
	ck_assert_int_eq(parse(&r, "eulb-describe-instance-health", "lb", NULL),
	                 OPT_OK);
	absent(&r, "Instances");
	run_free(&r);
}
END_TEST

START_TEST(test_other_rows)
{
	struct run r;
	ck_assert_int_eq(parse(&r, "eulb-set-lb-listener-ssl-cert", "-l", "443",
	                       "-c", "arn:x", "lb", NULL),
	                 OPT_OK);
	expect(&r, "LoadBalancerPort", "443");
	expect(&r, "SSLCertificateId", "arn:x");
	run_free(&r);
	ck_assert_int_eq(parse(&r, "eulb-create-lb-cookie-stickiness-policy",
	                       "-e", "0", "-p", "p", "lb", NULL),
	                 OPT_OK);
	expect(&r, "CookieExpirationPeriod", "0");
	run_free(&r);
	ck_assert_int_eq(
	    parse(&r, "eulb-describe-lb-policy-types", "A", "B", NULL), OPT_OK);
	expect(&r, "PolicyTypeNames.member.1", "A");
	expect(&r, "PolicyTypeNames.member.2", "B");
	run_free(&r);
}
END_TEST

/* ---- euare-servercert* ---- */

START_TEST(test_servercert_upload)
{
	struct run r;
	const char *pem = "-----BEGIN CERTIFICATE-----\nAA==\n"
	                  "-----END CERTIFICATE-----\n";
	char *crt = temp_file(pem);
	/* The leading -s is the ignored euca2ools 2 flag, not "-s NAME". */
	ck_assert_int_eq(parse(&r, "euare-servercertupload", "-s", "mycert01",
	                       "--certificate-file", crt, "--private-key",
	                       "KEY", NULL),
	                 OPT_OK);
	expect(&r, "Action", "UploadServerCertificate");
	expect(&r, "Version", "2010-05-08");
	expect(&r, "ServerCertificateName", "mycert01");
	/* The file as it is, final newline included. */
	expect(&r, "CertificateBody", pem);
	expect(&r, "PrivateKey", "KEY");
	absent(&r, "Path");
	absent(&r, "CertificateChain");
	run_free(&r);

	ck_assert_int_eq(parse(&r, "euare-servercertupload", "c", "-c", "BODY",
	                       "--private-key-file", crt, "--certificate-chain",
	                       "CHAIN", "-p", "/x/", NULL),
	                 OPT_OK);
	expect(&r, "CertificateBody", "BODY");
	expect(&r, "PrivateKey", pem);
	expect(&r, "CertificateChain", "CHAIN");
	expect(&r, "Path", "/x/");
	run_free(&r);
	unlink(crt);
	free(crt);
}
END_TEST

START_TEST(test_servercert_upload_errors)
{
	int saved_err = redirect(STDERR_FILENO, "/dev/null", O_WRONLY);
	/* Both of a group, none of a required group, an unreadable file. */
	assert_status(OPT_EXIT_USAGE, "euare-servercertupload", "c", "-c", "B",
	              "--certificate-file", "/dev/null", "--private-key", "K",
	              NULL);
	assert_status(OPT_EXIT_USAGE, "euare-servercertupload", "c", "-c", "B",
	              NULL);
	assert_status(OPT_EXIT_FAIL, "euare-servercertupload", "c",
	              "--certificate-file", "/nonexistent", "--private-key",
	              "K", NULL);
	unredirect(STDERR_FILENO, saved_err);
}
END_TEST

START_TEST(test_servercert_others)
{
	struct run r;
	ck_assert_int_eq(
	    parse(&r, "euare-servercertdel", "-s", "mycert01", NULL), OPT_OK);
	expect(&r, "Action", "DeleteServerCertificate");
	expect(&r, "ServerCertificateName", "mycert01");
	run_free(&r);
	ck_assert_int_eq(
	    parse(&r, "euare-servercertgetattributes", "mycert01", NULL),
	    OPT_OK);
	expect(&r, "Action", "GetServerCertificate");
	run_free(&r);
	ck_assert_int_eq(
	    parse(&r, "euare-servercertlistbypath", "-p", "/a/", NULL), OPT_OK);
	expect(&r, "Action", "ListServerCertificates");
	expect(&r, "PathPrefix", "/a/");
	absent(&r, "DelegateAccount");
	run_free(&r);
	ck_assert_int_eq(parse(&r, "euare-servercertmod", "-s", "old", "-n",
	                       "new", "-p", "/p/", "--as-account", "tenant",
	                       NULL),
	                 OPT_OK);
	expect(&r, "Action", "UpdateServerCertificate");
	expect(&r, "ServerCertificateName", "old");
	expect(&r, "NewServerCertificateName", "new");
	expect(&r, "NewPath", "/p/");
	expect(&r, "DelegateAccount", "tenant");
	run_free(&r);
}
END_TEST

/* ---- printers ---- */

START_TEST(test_print_policies)
{
	struct run r;
	const char *json =
	    "{\"PolicyDescriptions\":["
	    "{\"PolicyName\":\"ssl-neg\",\"PolicyTypeName\":"
	    "\"SSLNegotiationPolicyType\",\"PolicyAttributeDescriptions\":["
	    "{\"AttributeName\":\"Protocol-TLSv1.2\",\"AttributeValue\":"
	    "\"true\"},{\"AttributeName\":\"Reference-Security-Policy\","
	    "\"AttributeValue\":\"ELBSecurityPolicy-2015-05\"}]},"
	    "{\"PolicyName\":\"empty-pol\",\"PolicyTypeName\":"
	    "\"ProxyProtocolPolicyType\",\"PolicyAttributeDescriptions\":[]},"
	    "{\"PolicyName\":\"odd\",\"PolicyTypeName\":\"T\","
	    "\"PolicyAttributeDescriptions\":[{\"AttributeName\":\"a\"},"
	    "{\"AttributeName\":\"b\",\"AttributeValue\":{}}]}]}";

	ck_assert_int_eq(parse(&r, "eulb-describe-lb-policies", NULL), OPT_OK);
	assert_prints(print_policies, &r, 0, json,
	              "POLICY\tssl-neg\tSSLNegotiationPolicyType\n"
	              "POLICY\tempty-pol\tProxyProtocolPolicyType\n"
	              "POLICY\todd\tT\n");
	run_free(&r);
	ck_assert_int_eq(
	    parse(&r, "eulb-describe-lb-policies", "--show-long", NULL),
	    OPT_OK);
	assert_prints(
	    print_policies, &r, 0, json,
	    "POLICY\tssl-neg\tSSLNegotiationPolicyType\t"
	    "{name=Protocol-TLSv1.2,value=true},"
	    "{name=Reference-Security-Policy,value=ELBSecurityPolicy-2015-05}\n"
	    "POLICY\tempty-pol\tProxyProtocolPolicyType\t\n"
	    "POLICY\todd\tT\t{name=a,value=None},{name=b,value={}}\n");
	assert_prints(print_policies, &r, 1,
	              "{\"PolicyDescriptions\":[{\"PolicyName\":\"e\","
	              "\"PolicyTypeName\":\"T\"}]}",
	              "POLICY\te\tT\t(nil)\n");
	run_free(&r);
}
END_TEST

START_TEST(test_print_policy_types)
{
	struct run r;
	const char *json =
	    "{\"PolicyTypeDescriptions\":[{\"PolicyTypeName\":"
	    "\"LBCookieStickinessPolicyType\",\"Description\":\"Sticky, "
	    "cookies\",\"PolicyAttributeTypeDescriptions\":[{"
	    "\"AttributeName\":\"CookieExpirationPeriod\",\"AttributeType\":"
	    "\"Long\",\"Description\":\"The time period, in seconds\","
	    "\"DefaultValue\":\"0\",\"Cardinality\":\"ZERO_OR_ONE\"},"
	    "{\"AttributeName\":\"PublicKey\",\"AttributeType\":\"String\","
	    "\"Cardinality\":\"ONE\"}]},"
	    "{\"PolicyTypeName\":\"ProxyProtocolPolicyType\",\"Description\":"
	    "\"Proxy\",\"PolicyAttributeTypeDescriptions\":[]}]}";

	ck_assert_int_eq(parse(&r, "eulb-describe-lb-policy-types", NULL),
	                 OPT_OK);
	assert_prints(print_policy_types, &r, 0, json,
	              "POLICY_TYPE\tLBCookieStickinessPolicyType\tSticky, "
	              "cookies\n"
	              "POLICY_TYPE\tProxyProtocolPolicyType\tProxy\n");
	run_free(&r);
	ck_assert_int_eq(
	    parse(&r, "eulb-describe-lb-policy-types", "--show-long", NULL),
	    OPT_OK);
	assert_prints(print_policy_types, &r, 0, json,
	              "POLICY_TYPE\tLBCookieStickinessPolicyType\tSticky, "
	              "cookies\t{name=CookieExpirationPeriod,description=The "
	              "time period, in seconds,type=Long,default-value=0,"
	              "cardinality=ZERO_OR_ONE},{name=PublicKey,description=,"
	              "type=String,default-value=,cardinality=ONE}\n"
	              "POLICY_TYPE\tProxyProtocolPolicyType\tProxy\t\n");
	run_free(&r);
}
END_TEST

START_TEST(test_print_instances)
{
	struct run r;
	ck_assert_int_eq(parse(&r, "eulb-register-instances-with-lb",
	                       "--instances", "i-1", "lb", NULL),
	                 OPT_OK);
	assert_prints(print_instances, &r, 0,
	              "{\"Instances\":[{\"InstanceId\":\"i-1\"},"
	              "{\"InstanceId\":\"i-2\"}]}",
	              "INSTANCE\ti-1\nINSTANCE\ti-2\n");
	assert_prints(print_instances, &r, 0, "{\"Instances\":[]}", "");
	run_free(&r);
}
END_TEST

START_TEST(test_print_instance_health)
{
	struct run r;
	const char *health =
	    "{\"InstanceStates\":[{\"InstanceId\":\"i-1\",\"State\":"
	    "\"InService\",\"ReasonCode\":\"N/A\",\"Description\":\"N/A\"},"
	    "{\"InstanceId\":\"i-33333333\",\"State\":\"OutOfService\","
	    "\"ReasonCode\":\"\",\"Description\":\"\"}]}";

	ck_assert_int_eq(parse(&r, "eulb-describe-instance-health", "lb", NULL),
	                 OPT_OK);
	assert_prints(print_instance_health, &r, 0, health,
	              "INSTANCE\ti-1\tInService\n"
	              "INSTANCE\ti-33333333\tOutOfService\n");
	run_free(&r);
	ck_assert_int_eq(parse(&r, "eulb-describe-instance-health",
	                       "--show-long", "lb", NULL),
	                 OPT_OK);
	/* Description before ReasonCode. */
	assert_prints(print_instance_health, &r, 0,
	              "{\"InstanceStates\":[{\"InstanceId\":\"i-1\",\"State\":"
	              "\"OutOfService\",\"ReasonCode\":\"Instance\","
	              "\"Description\":\"Instance has failed\"}]}",
	              "INSTANCE\ti-1\tOutOfService\tInstance has failed\t"
	              "Instance\n");
	assert_prints(print_instance_health, &r, 0, health,
	              "INSTANCE\ti-1\tInService\tN/A\tN/A\n"
	              "INSTANCE\ti-33333333\tOutOfService\t\t\n");
	assert_prints(print_instance_health, &r, 1, health,
	              "INSTANCE\ti-1\tInService\tN/A\tN/A\n"
	              "INSTANCE\ti-33333333\tOutOfService\t(nil)\t(nil)\n");
	run_free(&r);
}
END_TEST

/* ", " except for detach-lb-from-subnets (reference 8.13). */
START_TEST(test_print_joined_lists)
{
	struct run r;
	ck_assert_int_eq(parse(&r, "eulb-describe-lbs", NULL), OPT_OK);
	assert_prints(print_security_groups, &r, 0,
	              "{\"SecurityGroups\":[\"sg-1\",\"sg-2\"]}",
	              "SECURITY_GROUPS\tsg-1, sg-2\n");
	assert_prints(print_subnets_attached, &r, 0,
	              "{\"Subnets\":[\"subnet-1\",\"subnet-2\"]}",
	              "SUBNETS\tsubnet-1, subnet-2\n");
	assert_prints(print_subnets_detached, &r, 0,
	              "{\"Subnets\":[\"subnet-1\",\"subnet-2\"]}",
	              "SUBNETS\tsubnet-1,subnet-2\n");
	assert_prints(print_zones, &r, 0,
	              "{\"AvailabilityZones\":[\"one\",\"two\"]}",
	              "AVAILABILITY_ZONES\tone, two\n");
	assert_prints(print_zones, &r, 0, "{\"AvailabilityZones\":[]}",
	              "AVAILABILITY_ZONES\t\n");
	assert_prints(print_subnets_detached, &r, 1, "{}", "SUBNETS\t(nil)\n");
	run_free(&r);
}
END_TEST

START_TEST(test_print_lb_attributes)
{
	struct run r;
	ck_assert_int_eq(parse(&r, "eulb-describe-lb-attributes", "lb", NULL),
	                 OPT_OK);
	/* euca2ools 3.4.1 sees the XML: a list is {"member": the last}, an
	 * empty element {} (no line). */
	assert_prints(
	    print_lb_attributes, &r, 0,
	    "{\"LoadBalancerAttributes\":{"
	    "\"CrossZoneLoadBalancing\":{\"Enabled\":false},"
	    "\"AccessLog\":{\"Enabled\":false,\"EmitInterval\":60,"
	    "\"S3BucketName\":\"\"},"
	    "\"ConnectionDraining\":{\"Enabled\":true,\"Timeout\":300},"
	    "\"ConnectionSettings\":{\"IdleTimeout\":60},"
	    "\"AdditionalAttributes\":[{\"Key\":\"elb.http."
	    "desyncmitigationmode\","
	    "\"Value\":\"defensive\"}]}}",
	    "AccessLog.EmitInterval\t60\n"
	    "AccessLog.Enabled\tfalse\n"
	    "AdditionalAttributes.member.Key\telb.http.desyncmitigationmode\n"
	    "AdditionalAttributes.member.Value\tdefensive\n"
	    "ConnectionDraining.Enabled\ttrue\n"
	    "ConnectionDraining.Timeout\t300\n"
	    "ConnectionSettings.IdleTimeout\t60\n"
	    "CrossZoneLoadBalancing.Enabled\tfalse\n");
	assert_prints(print_lb_attributes, &r, 0,
	              "{\"LoadBalancerAttributes\":{\"AdditionalAttributes\":["
	              "{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\","
	              "\"Value\":\"2\"}]}}",
	              "AdditionalAttributes.member.Key\tb\n"
	              "AdditionalAttributes.member.Value\t2\n");
	assert_prints(
	    print_lb_attributes, &r, 0,
	    "{\"LoadBalancerAttributes\":{\"AdditionalAttributes\":[],"
	    "\"ConnectionSettings\":{}}}",
	    "");
	assert_prints(print_lb_attributes, &r, 0, "{}", "");
	run_free(&r);
}
END_TEST

START_TEST(test_print_tags)
{
	struct run r;
	const char *json =
	    "{\"TagDescriptions\":[{\"LoadBalancerName\":\"a\",\"Tags\":["
	    "{\"Key\":\"env\",\"Value\":\"prod\"},{\"Key\":\"flag\","
	    "\"Value\":\"\"}]},{\"LoadBalancerName\":\"b\",\"Tags\":[]}]}";

	ck_assert_int_eq(parse(&r, "eulb-describe-tags", "a", "b", NULL),
	                 OPT_OK);
	assert_prints(print_tags, &r, 0, json,
	              "TAG\tload-balancer\ta\tenv\tprod\n"
	              "TAG\tload-balancer\ta\tflag\t\n");
	run_free(&r);
	ck_assert_int_eq(
	    parse(&r, "eulb-describe-tags", "--show-headers", "a", NULL),
	    OPT_OK);
	assert_prints(print_tags, &r, 1, json,
	              "TAG\tTYPE\tNAME\tKEY\tVALUE\n"
	              "TAG\tload-balancer\ta\tenv\tprod\n"
	              "TAG\tload-balancer\ta\tflag\t(nil)\n");
	run_free(&r);
}
END_TEST

START_TEST(test_print_server_certificates)
{
	struct run r;
	ck_assert_int_eq(
	    parse(&r, "euare-servercertgetattributes", "mycert01", NULL),
	    OPT_OK);
	assert_prints(print_cert_attributes, &r, 0,
	              "{\"ServerCertificate\":{\"ServerCertificateMetadata\":{"
	              "\"Path\":\"/\",\"ServerCertificateName\":\"mycert01\","
	              "\"ServerCertificateId\":\"ASCA0123\",\"Arn\":"
	              "\"arn:aws:iam::1:server-certificate/mycert01\"},"
	              "\"CertificateBody\":\"-----BEGIN\"}}",
	              "arn:aws:iam::1:server-certificate/mycert01\nASCA0123\n");
	assert_prints(print_cert_attributes, &r, 0, "{}", "None\nNone\n");
	run_free(&r);
	ck_assert_int_eq(parse(&r, "euare-servercertlistbypath", NULL), OPT_OK);
	assert_prints(print_cert_arns, &r, 0,
	              "{\"ServerCertificateMetadataList\":[{\"Arn\":\"arn:1\"},"
	              "{\"Arn\":\"arn:2\"}],\"IsTruncated\":false}",
	              "arn:1\narn:2\n");
	assert_prints(print_cert_arns, &r, 0,
	              "{\"ServerCertificateMetadataList\":[]}", "");
	run_free(&r);
}
END_TEST

/* ---- control characters in server text ---- */

static void
assert_sanitized(const char *in, size_t len, unsigned keep, const char *want)
{
	struct buf b = BUF_INIT;
	out_sanitize(&b, in, len, keep);
	ck_assert_msg(strcmp(buf_str(&b), want) == 0, "'%s': got '%s'", want,
	              buf_str(&b));
	buf_free(&b);
}

#define SANITIZED(in, keep, want)                                              \
	assert_sanitized(in, sizeof in - 1, keep, want)

START_TEST(test_sanitize)
{
	SANITIZED("", 0, "");
	SANITIZED("plain text, ~!", 0, "plain text, ~!");
	SANITIZED("\x1b]0;owned\x07\x1b[2J", 0, "?]0;owned??[2J");
	SANITIZED("a\tb\nc\rd\x7f\x01", 0, "a?b?c?d??");
	SANITIZED("a\0b", 0, "a?b");
	SANITIZED("a\tb\nc\r", OUT_KEEP_NL, "a?b\nc?");
	SANITIZED("a\tb\nc", OUT_KEEP_TAB | OUT_KEEP_NL, "a\tb\nc");
	/* C1 (U+0085 NEL, U+009B CSI) but not U+00A0 and beyond. */
	SANITIZED("x\xc2\x85y\xc2\x9bz\xc2\xa0", 0, "x?y?z\xc2\xa0");
	SANITIZED("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0,
	          "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* Not UTF-8: each bad byte is one '?'. */
	SANITIZED("\x9b[31m", 0, "?[31m");
	SANITIZED("\xc0\x9b", 0, "??");           /* overlong U+001B */
	SANITIZED("\xe0\x80\x9b", 0, "???");      /* overlong */
	SANITIZED("\xed\xa0\x80", 0, "???");      /* surrogate */
	SANITIZED("\xf4\x90\x80\x80", 0, "????"); /* past U+10FFFF */
	SANITIZED("\xe2\x82", 0, "??");           /* cut short */
	SANITIZED("\xe2\x82x", 0, "??x");
}
END_TEST

/* Every printer's fields go through it; a PEM attribute keeps lines. */
START_TEST(test_print_neutralises_control_characters)
{
	struct run r;
	ck_assert_int_eq(parse(&r, "eulb-describe-lbs", NULL), OPT_OK);
	assert_prints(print_load_balancers, &r, 0,
	              "{\"LoadBalancerDescriptions\":[{\"LoadBalancerName\":"
	              "\"a\\u001b[31m\\tb\\nc\\u009b\",\"DNSName\":\"d\\r\"}]}",
	              "LOAD_BALANCER\ta?[31m?b?c?\td?\t\t\n");
	run_free(&r);
	ck_assert_int_eq(
	    parse(&r, "eulb-describe-lb-policies", "--show-long", NULL),
	    OPT_OK);
	assert_prints(
	    print_policies, &r, 0,
	    "{\"PolicyDescriptions\":[{\"PolicyName\":\"p\\n\","
	    "\"PolicyTypeName\":\"T\",\"PolicyAttributeDescriptions\":"
	    "[{\"AttributeName\":\"PublicKey\",\"AttributeValue\":"
	    "\"-----BEGIN\\nAB\\u001bC\\t\\n-----END\"}]}]}",
	    "POLICY\tp?\tT\t{name=PublicKey,value=-----BEGIN\nAB?C?\n"
	    "-----END}\n");
	run_free(&r);
	ck_assert_int_eq(parse(&r, "euare-servercertlistbypath", NULL), OPT_OK);
	assert_prints(print_cert_arns, &r, 0,
	              "{\"ServerCertificateMetadataList\":[{\"Arn\":"
	              "\"arn:\\u001b]0;x\\u0007\\nforged\"}]}",
	              "arn:?]0;x??forged\n");
	run_free(&r);
}
END_TEST

static Suite *
cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *table = tcase_create("table");
	tcase_add_test(table, test_every_command_has_help_and_version);
	tcase_add_test(table, test_usage_errors_python27);
	tcase_add_test(table, test_repr);
	tcase_add_test(table, test_py2_dict_order);
	suite_add_tcase(s, table);

	TCase *req = tcase_create("requests");
	tcase_add_test(req, test_attribute_order);
	tcase_add_test(req, test_attribute_pem_value);
	tcase_add_test(req, test_attribute_errors);
	tcase_add_test(req, test_attribute_empty_value_not_sent);
	tcase_add_test(req, test_attribute_file_errors_and_stdin);
	tcase_add_test(req, test_modify_attributes);
	tcase_add_test(req, test_create_tags);
	tcase_add_test(req, test_delete_and_describe_tags);
	tcase_add_test(req, test_empty_policy_list_is_bare);
	tcase_add_test(req, test_instances);
	tcase_add_test(req, test_other_rows);
	tcase_add_test(req, test_servercert_upload);
	tcase_add_test(req, test_servercert_upload_errors);
	tcase_add_test(req, test_servercert_others);
	suite_add_tcase(s, req);

	TCase *out = tcase_create("printers");
	tcase_add_test(out, test_print_policies);
	tcase_add_test(out, test_print_policy_types);
	tcase_add_test(out, test_print_instances);
	tcase_add_test(out, test_print_instance_health);
	tcase_add_test(out, test_print_joined_lists);
	tcase_add_test(out, test_print_lb_attributes);
	tcase_add_test(out, test_print_tags);
	tcase_add_test(out, test_print_server_certificates);
	tcase_add_test(out, test_sanitize);
	tcase_add_test(out, test_print_neutralises_control_characters);
	suite_add_tcase(s, out);
	return s;
}

int
main(void)
{
	return check_run(cli_suite());
}
