/*
 * The -l/--listener parser of eulb-create-lb and eulb-create-lb-listeners
 * (euca2ools 3.4, euca2ools/commands/elasticloadbalancing/argtypes.py):
 * every rule and every message. Also
 * the command table's own consistency check, which the CLI build relies
 * on (the eulb-* and euare-* links are made from the same table).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "listener.h"
#include "check_run.h"

/* Parses s, expecting success; the caller frees *l. */
static void
parse_ok(const char *s, struct cli_listener *l)
{
	char *err = NULL;
	int rc = cli_listener_parse(s, l, &err);
	ck_assert_msg(rc == 0, "'%s' failed: %s", s,
	              err ? err : "(no message)");
	ck_assert_ptr_null(err);
}

/* Parses s, expecting exactly the message "listener '<s>': <msg>". */
static void
parse_fails(const char *s, const char *msg)
{
	struct cli_listener l;
	char *err = NULL;
	char want[1024];
	snprintf(want, sizeof want, "listener '%s': %s", s, msg);
	ck_assert_int_eq(cli_listener_parse(s, &l, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(l.cert_id);
	free(err);
	cli_listener_free(&l);
}

START_TEST(test_full_listener)
{
	struct cli_listener l;
	parse_ok("protocol=HTTPS,lb-port=443,instance-protocol=HTTPS,"
	         "instance-port=8443,cert-id=arn:aws:iam::000550595745:"
	         "server-certificate/mycert01",
	         &l);
	ck_assert_str_eq(l.protocol, "HTTPS");
	ck_assert_int_eq(l.lb_port, 443);
	ck_assert_str_eq(l.instance_protocol, "HTTPS");
	ck_assert_int_eq(l.instance_port, 8443);
	ck_assert_str_eq(
	    l.cert_id, "arn:aws:iam::000550595745:server-certificate/mycert01");
	cli_listener_free(&l);
	ck_assert_ptr_null(l.cert_id);
}
END_TEST

START_TEST(test_minimal_has_no_optional_parts)
{
	struct cli_listener l;
	parse_ok("protocol=TCP,lb-port=25,instance-port=25", &l);
	ck_assert_str_eq(l.protocol, "TCP");
	ck_assert_str_eq(l.instance_protocol, "");
	ck_assert_ptr_null(l.cert_id);
	cli_listener_free(&l);
}
END_TEST

START_TEST(test_trimmed)
{
	struct cli_listener l;
	/* The seed run's spacing: blanks after commas and around the string. */
	parse_ok(" lb-port=80, protocol=http, instance-port=8080 ", &l);
	ck_assert_str_eq(l.protocol, "HTTP");
	ck_assert_int_eq(l.lb_port, 80);
	ck_assert_int_eq(l.instance_port, 8080);
	cli_listener_free(&l);

	parse_ok("\t protocol = tcp ,lb-port = 25, instance-port=\t25 ,"
	         " instance-protocol = ssl \n",
	         &l);
	ck_assert_str_eq(l.protocol, "TCP");
	ck_assert_int_eq(l.lb_port, 25);
	ck_assert_int_eq(l.instance_port, 25);
	ck_assert_str_eq(l.instance_protocol, "SSL");
	cli_listener_free(&l);
}
END_TEST

START_TEST(test_empty_pieces_skipped)
{
	struct cli_listener l;
	parse_ok(",protocol=tcp,,lb-port=25,instance-port=25,", &l);
	ck_assert_str_eq(l.protocol, "TCP");
	cli_listener_free(&l);
	/* A piece of blanks is not empty: it has no '='. */
	parse_fails("protocol=tcp, ,lb-port=25,instance-port=25",
	            "element ' ' must have format KEY=VALUE");
}
END_TEST

START_TEST(test_exactly_one_equals)
{
	parse_fails("protocol=tcp,lb-port,instance-port=25",
	            "element 'lb-port' must have format KEY=VALUE");
	parse_fails("protocol=tcp,lb-port=25,instance-port=25,cert-id=arn:x=y",
	            "element 'cert-id=arn:x=y' must have format KEY=VALUE");
	/* The piece is reported as written, before trimming. */
	parse_fails("protocol=tcp, lb-port==25 ,instance-port=25",
	            "element ' lb-port==25 ' must have format KEY=VALUE");
	parse_fails("", "protocol is required");
}
END_TEST

START_TEST(test_unknown_keys)
{
	parse_fails("protocol=tcp,lb-port=25,instance-port=25,foo=1",
	            "invalid element(s): 'foo'");
	parse_fails("foo=1,protocol=tcp,bar=2,lb-port=25,instance-port=25",
	            "invalid element(s): 'foo', 'bar'");
	/* Keys are case-sensitive and checked before anything is missing. */
	parse_fails("Protocol=tcp", "invalid element(s): 'Protocol'");
	parse_fails("=tcp,protocol=tcp,lb-port=1,instance-port=1",
	            "invalid element(s): ''");
}
END_TEST

START_TEST(test_missing_required)
{
	parse_fails("lb-port=80,instance-port=80", "protocol is required");
	parse_fails("protocol=http,instance-port=80", "lb-port is required");
	parse_fails("protocol=http,lb-port=80", "instance-port is required");
	/* The order of the checks: protocol, lb-port, instance-port. */
	parse_fails("cert-id=x", "protocol is required");
	parse_fails("protocol=http", "lb-port is required");
}
END_TEST

START_TEST(test_ports_must_be_integers)
{
	parse_fails("protocol=http,lb-port=http,instance-port=80",
	            "lb-port must be an integer");
	parse_fails("protocol=http,lb-port=80,instance-port=8x",
	            "instance-port must be an integer");
	parse_fails("protocol=http,lb-port=,instance-port=80",
	            "lb-port must be an integer");
	parse_fails("protocol=http,lb-port=8 0,instance-port=80",
	            "lb-port must be an integer");
	parse_fails("protocol=http,lb-port=80.0,instance-port=80",
	            "lb-port must be an integer");
	parse_fails("protocol=http,lb-port=0x50,instance-port=80",
	            "lb-port must be an integer");
	parse_fails(
	    "protocol=http,lb-port=99999999999999999999,instance-port=80",
	    "lb-port must be an integer");
}
END_TEST

START_TEST(test_python_int_forms)
{
	struct cli_listener l;
	/* Python int() takes a sign; the range is the server's business. */
	parse_ok("protocol=http,lb-port=+80,instance-port=-1", &l);
	ck_assert_int_eq(l.lb_port, 80);
	ck_assert_int_eq(l.instance_port, -1);
	cli_listener_free(&l);
	parse_ok("protocol=http,lb-port=0080,instance-port=70000", &l);
	ck_assert_int_eq(l.lb_port, 80);
	ck_assert_int_eq(l.instance_port, 70000);
	cli_listener_free(&l);
}
END_TEST

START_TEST(test_protocol_any_case_upper_cased)
{
	static const char *const in[] = {"http", "Https", "sSl", "TCP"};
	static const char *const out[] = {"HTTP", "HTTPS", "SSL", "TCP"};
	for (size_t i = 0; i < 4; i++) {
		struct cli_listener l;
		char s[128];
		snprintf(s, sizeof s, "protocol=%s,lb-port=1,instance-port=2",
		         in[i]);
		parse_ok(s, &l);
		ck_assert_str_eq(l.protocol, out[i]);
		cli_listener_free(&l);
	}
	parse_fails("protocol=ftp,lb-port=21,instance-port=21",
	            "protocol 'ftp' is invalid (choose from 'HTTP', 'HTTPS', "
	            "'SSL', 'TCP')");
	parse_fails("protocol=,lb-port=21,instance-port=21",
	            "protocol '' is invalid (choose from 'HTTP', 'HTTPS', "
	            "'SSL', 'TCP')");
}
END_TEST

START_TEST(test_instance_protocol_same_family)
{
	struct cli_listener l;
	parse_ok("protocol=https,lb-port=443,instance-port=80,"
	         "instance-protocol=http",
	         &l);
	ck_assert_str_eq(l.instance_protocol, "HTTP");
	cli_listener_free(&l);
	parse_ok("protocol=ssl,lb-port=443,instance-port=25,"
	         "instance-protocol=Tcp",
	         &l);
	ck_assert_str_eq(l.instance_protocol, "TCP");
	cli_listener_free(&l);

	parse_fails("protocol=http,lb-port=80,instance-port=80,"
	            "instance-protocol=tcp",
	            "instance-protocol must be 'HTTP' or 'HTTPS' when protocol "
	            "is 'HTTP' or 'HTTPS'");
	parse_fails("protocol=HTTPS,lb-port=443,instance-port=80,"
	            "instance-protocol=SSL",
	            "instance-protocol must be 'HTTP' or 'HTTPS' when protocol "
	            "is 'HTTP' or 'HTTPS'");
	parse_fails("protocol=tcp,lb-port=25,instance-port=25,"
	            "instance-protocol=http",
	            "instance-protocol must be 'SSL' or 'TCP' when protocol is "
	            "'SSL' or 'TCP'");
	parse_fails("protocol=ssl,lb-port=25,instance-port=25,"
	            "instance-protocol=HTTPS",
	            "instance-protocol must be 'SSL' or 'TCP' when protocol is "
	            "'SSL' or 'TCP'");
	parse_fails("protocol=tcp,lb-port=25,instance-port=25,"
	            "instance-protocol=udp",
	            "instance-protocol 'udp' is invalid (choose from 'HTTP', "
	            "'HTTPS', 'SSL', 'TCP')");
}
END_TEST

START_TEST(test_repeated_key_last_wins)
{
	struct cli_listener l;
	parse_ok("protocol=http,lb-port=80,instance-port=8080,lb-port=81,"
	         "protocol=tcp",
	         &l);
	ck_assert_str_eq(l.protocol, "TCP");
	ck_assert_int_eq(l.lb_port, 81);
	cli_listener_free(&l);
	/* A bad value is forgotten once a later one replaces it. */
	parse_ok("protocol=http,lb-port=x,instance-port=1,lb-port=2", &l);
	ck_assert_int_eq(l.lb_port, 2);
	cli_listener_free(&l);
}
END_TEST

START_TEST(test_cert_id_passed_through)
{
	struct cli_listener l;
	parse_ok(
	    "protocol=https,lb-port=443,instance-port=443,"
	    "cert-id= arn:aws:iam::123456789012:server-certificate/My Cert ",
	    &l);
	ck_assert_str_eq(
	    l.cert_id, "arn:aws:iam::123456789012:server-certificate/My Cert");
	cli_listener_free(&l);
	/* Not checked here: any protocol may name one, the server decides. */
	parse_ok("protocol=tcp,lb-port=1,instance-port=1,cert-id=", &l);
	ck_assert_str_eq(l.cert_id, "");
	cli_listener_free(&l);
}
END_TEST

START_TEST(test_message_names_original_string)
{
	parse_fails("  protocol=http ,lb-port=80 ",
	            "instance-port is required");
}
END_TEST

START_TEST(test_command_table_consistent)
{
	char *err = NULL;
	int rc = cli_commands_check(&err);
	ck_assert_msg(rc == 0, "%s", err ? err : "");
	free(err);
	ck_assert_ptr_nonnull(cli_command_find("eulb-create-lb"));
	ck_assert_str_eq(cli_command_find("eulb-create-lb")->action,
	                 "CreateLoadBalancer");
	ck_assert_str_eq(cli_command_find("euare-servercertupload")->action,
	                 "UploadServerCertificate");
	ck_assert_ptr_null(cli_command_find("create-lb"));
	ck_assert_ptr_null(cli_command_find("eulb-create"));
	/* The 28 eulb-* tools of euca2ools and the five euare-servercert*. */
	size_t eulb = 0, euare = 0;
	for (size_t i = 0; i < cli_ncommands; i++) {
		eulb += strncmp(cli_commands[i].name, "eulb-", 5) == 0;
		euare += strncmp(cli_commands[i].name, "euare-", 6) == 0;
	}
	ck_assert_uint_eq(eulb, 28);
	ck_assert_uint_eq(euare, 5);
	ck_assert_str_eq(cli_command_find("euare-servercertmod")->action,
	                 "UpdateServerCertificate");
	ck_assert_str_eq(cli_command_find("eulb-create-tags")->action,
	                 "AddTags");
	ck_assert_str_eq(cli_command_find("eulb-delete-tags")->action,
	                 "RemoveTags");
	ck_assert_ptr_eq(cli_command_find("euare-servercertdel")->service,
	                 &cli_service_iam);
}
END_TEST

static Suite *
listener_suite(void)
{
	Suite *s = suite_create("listener");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_full_listener);
	tcase_add_test(tc, test_minimal_has_no_optional_parts);
	tcase_add_test(tc, test_trimmed);
	tcase_add_test(tc, test_empty_pieces_skipped);
	tcase_add_test(tc, test_exactly_one_equals);
	tcase_add_test(tc, test_unknown_keys);
	tcase_add_test(tc, test_missing_required);
	tcase_add_test(tc, test_ports_must_be_integers);
	tcase_add_test(tc, test_python_int_forms);
	tcase_add_test(tc, test_protocol_any_case_upper_cased);
	tcase_add_test(tc, test_instance_protocol_same_family);
	tcase_add_test(tc, test_repeated_key_last_wins);
	tcase_add_test(tc, test_cert_id_passed_through);
	tcase_add_test(tc, test_message_names_original_string);
	suite_add_tcase(s, tc);
	TCase *table = tcase_create("command table");
	tcase_add_test(table, test_command_table_consistent);
	suite_add_tcase(s, table);
	return s;
}

int
main(void)
{
	return check_run(listener_suite());
}
