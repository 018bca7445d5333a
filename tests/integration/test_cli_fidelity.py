"""Real-client fidelity of the eulb-*/euare-* tools (issue #12, CLI half):
each changed command, run against a real eulbd, prints what euca2ools 3.4.1
prints under Python 2.7.

  * Usage errors: the usage block exactly as Python 2.7's argparse wraps
    it (at COLUMNS - 2, long metavars split where argparse splits them),
    then "PROG: error: MSG" in 2.7's words, exit 2, nothing sent. The
    expected texts below were generated once with Python 2.7.18's own
    argparse, building each parser the way requestbuilder 0.7.1 builds
    euca2ools' (command options, --show-empty-fields, then -U, --region,
    -I, -S, --security-token, --debug, --debugger, --version, -h), plus
    eulb's TLS options after -h (argparse27_reference.py); no Python 2
    is needed to run them.
  * --debugger is accepted; --as-account sends DelegateAccount on the
    euare-* commands.
  * --version: "euca2ools 3.4.1 (Newton)" then eulb's version, on stderr
    (2.7's version action writes there), exit 0.
  * eulb-describe-lb-attributes flattens the answer as euca2ools does
    (requestbuilder parses the XML with no list tags, so a list is its
    last "member").
  * euare-servercertmod (UpdateServerCertificate).
  * HTTPS: verify-ssl from the region's section and AWS_CA_BUNDLE are
    honoured, verification stays on by default, and a failed verification
    adds one line saying how to fix it.

Run from this folder:
    EULB_BIN_DIR=<build>/bin python3 -m unittest -v test_cli_fidelity
"""

import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import io  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import unittest  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402

from eulbtest import (REPO, RUN_TIMEOUT, ModulePki, Server,  # noqa: E402
                      ServerTestCase, bin_path, clean_env)

PKI = ModulePki()  # the gen-certs directory, made by setUpModule


def setUpModule():
    PKI.make()


def tearDownModule():
    PKI.remove()


cert = PKI.path


def eulb_version():
    """CMake's project version, which eulb prints."""
    with open(os.path.join(REPO, "CMakeLists.txt")) as f:
        m = re.search(r"project\(eulb VERSION ([0-9.]+)", f.read())
    return m.group(1)


def usage(indent, first, *rest):
    """A usage block: its first line, then lines under indent blanks."""
    return "".join([first + "\n"] +
                   [" " * indent + line + "\n" for line in rest])


# COLUMNS=80; argparse 2.7.18 for: -z one fid-nol
CREATE_LB_NO_LISTENER = usage(
    22, 'usage: eulb-create-lb (-s SUBNET1,SUBNET2,... | -z ZONE1,ZONE2,...) -l',
    '"lb-port=PORT, protocol={HTTP,HTTPS,SSL,TCP},',
    'instance-port=PORT,',
    'instance-protocol={HTTP,HTTPS,SSL,TCP}, cert-id=ARN"',
    '[-i internal] [-g GROUP1,GROUP2,...] [-t KEY[=VALUE]]',
    '[--show-empty-fields] [-U URL] [--region USER@REGION]',
    '[-I KEY_ID] [-S KEY] [--security-token TOKEN] [--debug]',
    '[--debugger] [--version] [-h] [--ca-bundle FILE]',
    '[--insecure] [--client-cert FILE] [--client-key FILE]',
    'ELB',
) + 'eulb-create-lb: error: argument -l/--listener is required\n'

# COLUMNS=80; argparse 2.7.18 for: (no arguments)
DELETE_LB_NO_NAME = usage(
    22, 'usage: eulb-delete-lb [-U URL] [--region USER@REGION] [-I KEY_ID] [-S KEY]',
    '[--security-token TOKEN] [--debug] [--debugger]',
    '[--version] [-h] [--ca-bundle FILE] [--insecure]',
    '[--client-cert FILE] [--client-key FILE]',
    'ELB',
) + 'eulb-delete-lb: error: too few arguments\n'

# COLUMNS=80; argparse 2.7.18 for: fid-x extra
DELETE_LB_EXTRA = usage(
    22, 'usage: eulb-delete-lb [-U URL] [--region USER@REGION] [-I KEY_ID] [-S KEY]',
    '[--security-token TOKEN] [--debug] [--debugger]',
    '[--version] [-h] [--ca-bundle FILE] [--insecure]',
    '[--client-cert FILE] [--client-key FILE]',
    'ELB',
) + 'eulb-delete-lb: error: unrecognized arguments: extra\n'

# COLUMNS=60; argparse 2.7.18 for: fid-x --interval abc
HEALTHCHECK_BAD_INT_60 = usage(
    34, 'usage: eulb-configure-healthcheck --healthy-threshold',
    'COUNT --interval SECONDS',
    '-t PROTOCOL:PORT[/PATH]',
    '--timeout SECONDS',
    '--unhealthy-threshold',
    'COUNT',
    '[--show-empty-fields]',
    '[-U URL]',
    '[--region USER@REGION]',
    '[-I KEY_ID] [-S KEY]',
    '[--security-token TOKEN]',
    '[--debug] [--debugger]',
    '[--version] [-h]',
    '[--ca-bundle FILE]',
    '[--insecure]',
    '[--client-cert FILE]',
    '[--client-key FILE]',
    'ELB',
) + "eulb-configure-healthcheck: error: argument --interval: invalid int value: 'abc'\n"

# COLUMNS=120; argparse 2.7.18 for: fid-x -c
SSL_CERT_NO_VALUE_120 = usage(
    37, 'usage: eulb-set-lb-listener-ssl-cert -l PORT -c ARN [-U URL] [--region USER@REGION] [-I KEY_ID] [-S KEY]',
    '[--security-token TOKEN] [--debug] [--debugger] [--version] [-h]',
    '[--ca-bundle FILE] [--insecure] [--client-cert FILE] [--client-key FILE]',
    'ELB',
) + 'eulb-set-lb-listener-ssl-cert: error: argument -c/--cert-id: expected one argument\n'

# COLUMNS=80; argparse 2.7.18 for: fidcert -c x
UPLOAD_NO_KEY = usage(
    30, 'usage: euare-servercertupload (-c CERT_CONTENT | --certificate-file FILE)',
    '(--private-key KEY | --private-key-file FILE)',
    '[--certificate-chain CHAIN | --certificate-chain-file FILE]',
    '[-p PATH] [--as-account ACCOUNT] [-U URL]',
    '[--region USER@REGION] [-I KEY_ID] [-S KEY]',
    '[--security-token TOKEN] [--debug] [--debugger]',
    '[--version] [-h] [--ca-bundle FILE] [--insecure]',
    '[--client-cert FILE] [--client-key FILE]',
    'CERT',
) + 'euare-servercertupload: error: one of the arguments --private-key --private-key-file is required\n'

# COLUMNS=60; argparse 2.7.18 for: fid-x -p p
APP_COOKIE_LONG_PROG_60 = usage(
    7, 'usage: eulb-create-app-cookie-stickiness-policy',
    '-c COOKIENAME -p POLICY [-U URL]',
    '[--region USER@REGION] [-I KEY_ID] [-S KEY]',
    '[--security-token TOKEN] [--debug] [--debugger]',
    '[--version] [-h] [--ca-bundle FILE] [--insecure]',
    '[--client-cert FILE] [--client-key FILE]',
    'ELB',
) + 'eulb-create-app-cookie-stickiness-policy: error: argument -c/--cookie-name is required\n'

# COLUMNS=80; argparse 2.7.18 for: (no arguments)
SERVERCERTMOD_NO_NAME = usage(
    27, 'usage: euare-servercertmod [-n CERT] [-p PATH] [--as-account ACCOUNT] [-U URL]',
    '[--region USER@REGION] [-I KEY_ID] [-S KEY]',
    '[--security-token TOKEN] [--debug] [--debugger]',
    '[--version] [-h] [--ca-bundle FILE] [--insecure]',
    '[--client-cert FILE] [--client-key FILE]',
    'CERT',
) + 'euare-servercertmod: error: too few arguments\n'


# COLUMNS=80; argparse 2.7.18 for: fid-x --sh --bogus (the candidates in
# the order 2.7 walks its option-string dict)
DESCRIBE_LBS_AMBIGUOUS = usage(
    25, 'usage: eulb-describe-lbs [--show-long] [--show-empty-fields] [-U URL]',
    '[--region USER@REGION] [-I KEY_ID] [-S KEY]',
    '[--security-token TOKEN] [--debug] [--debugger]',
    '[--version] [-h] [--ca-bundle FILE] [--insecure]',
    '[--client-cert FILE] [--client-key FILE]',
    '[ELB [ELB ...]]',
) + ('eulb-describe-lbs: error: ambiguous option: --sh could match '
     '--show-empty-fields, --show-long\n')


def euca2ools_attribute_lines(xml_body):
    """What euca2ools 3.4.1's eulb-describe-lb-attributes prints for this
    XML answer, modelled on its code: requestbuilder's list-delimited
    parser with no list tags (an element with children is a dict, so a
    repeated <member> keeps the last; one without text or children is
    {}), the root and the lone result element dropped, then every leaf of
    LoadBalancerAttributes with its dotted path, sorted, TAB-joined."""
    stack = [{}]
    for event, elem in ET.iterparse(io.BytesIO(xml_body),
                                    events=("start", "end")):
        tag = elem.tag.split("}", 1)[-1]
        if event == "start":
            stack.append({})
            continue
        value = stack.pop()
        if value == {} and elem.text is not None:
            value = elem.text
        stack[-1][tag] = value
    root = list(stack[0].values())[0]
    useful = [k for k in root if k != "ResponseMetadata"]
    result = root[useful[0]] if len(useful) == 1 else root

    def flatten(d):
        for key, val in d.items():
            if isinstance(val, dict):
                for sub, subval in flatten(val):
                    yield key + "." + sub, subval
            else:
                yield key, val

    attrs = result.get("LoadBalancerAttributes") or {}
    return "".join("%s\t%s\n" % kv for kv in sorted(flatten(attrs)))


LISTENER = "protocol=HTTP,lb-port=80,instance-port=8080"


class UsageTest(ServerTestCase):
    """Usage errors, byte for byte, and that nothing reaches eulbd."""

    def usage_error(self, want, cmd, *args, columns="80"):
        # The lines of earlier tests' requests may still be on their way
        # (the access log is written in batches): wait for them first.
        self.server.log_sync()
        mark = self.server.log_mark()
        rc, out, err = self.server.cli(cmd, *args, env={"COLUMNS": columns})
        self.assertEqual((rc, out), (2, ""), err)
        self.assertEqual(err, want)
        self.assertNotIn(" account=", self.server.log_sync(mark))

    def test_missing_required_option_one_at_a_time(self):
        # 2.7 names the first missing option only; 3.x would say "the
        # following arguments are required".
        self.usage_error(CREATE_LB_NO_LISTENER, "create-lb", "-z", "one",
                         "fid-nol")
        rc, _, err = self.server.cli("describe-lbs", "fid-nol")
        self.assertEqual(rc, 1, err)

    def test_missing_positional_is_too_few_arguments(self):
        self.usage_error(DELETE_LB_NO_NAME, "delete-lb")
        self.usage_error(SERVERCERTMOD_NO_NAME, "euare-servercertmod")

    def test_unrecognized_arguments(self):
        self.usage_error(DELETE_LB_EXTRA, "delete-lb", "fid-x", "extra")

    def test_invalid_int_at_60_columns(self):
        self.usage_error(HEALTHCHECK_BAD_INT_60, "configure-healthcheck",
                         "fid-x", "--interval", "abc", columns="60")

    def test_expected_one_argument_at_120_columns(self):
        self.usage_error(SSL_CERT_NO_VALUE_120, "set-lb-listener-ssl-cert",
                         "fid-x", "-c", columns="120")

    def test_required_group_and_unbreakable_part(self):
        self.usage_error(UPLOAD_NO_KEY, "euare-servercertupload", "fidcert",
                         "-c", "x")

    def test_long_program_name_goes_on_its_own_line(self):
        self.usage_error(APP_COOKIE_LONG_PROG_60,
                         "create-app-cookie-stickiness-policy", "fid-x",
                         "-p", "p", columns="60")

    def test_ambiguous_option(self):
        self.usage_error(DESCRIBE_LBS_AMBIGUOUS, "describe-lbs", "fid-x",
                         "--sh", "--bogus")

    def test_positionals_one_run_at_a_time(self):
        # 2.7 takes the names before --show-long and leaves the rest.
        rc, out, err = self.server.cli("describe-lbs", "fid-a",
                                       "--show-long", "fid-b",
                                       env={"COLUMNS": "80"})
        self.assertEqual((rc, out), (2, ""), err)
        self.assertEqual(err, DESCRIBE_LBS_AMBIGUOUS.replace(
            "ambiguous option: --sh could match --show-empty-fields, "
            "--show-long", "unrecognized arguments: fid-b"))

    def test_default_width_is_80(self):
        e = clean_env(self.server.home)
        e.pop("COLUMNS", None)
        r = subprocess.run([bin_path("eulb-delete-lb")], env=e,
                           capture_output=True, timeout=RUN_TIMEOUT)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr.decode(), DELETE_LB_NO_NAME)


class OptionsTest(ServerTestCase):
    """--version, --debugger, --as-account."""

    @classmethod
    def setUpServer(cls):
        cls.tenant = cls.server.create_account("fid-tenant")
        cls.other = cls.server.create_account("fid-other")

    def test_version_on_stderr(self):
        want = "euca2ools 3.4.1 (Newton)\neulb %s\n" % eulb_version()
        for cmd in ("describe-lbs", "euare-servercertmod"):
            self.assertEqual(self.server.cli(cmd, "--version"),
                             (0, "", want))

    def test_debugger_is_accepted(self):
        rc, out, err = self.server.cli("describe-lbs", "--debugger")
        self.assertEqual(rc, 0, err)
        self.assertNotIn("error", err)

    def upload(self, name, *extra, creds=None):
        return self.server.cli("euare-servercertupload", name,
                               "--certificate-file", cert("backend.crt"),
                               "--private-key-file", cert("backend.key"),
                               *extra, creds=creds)

    def test_as_account_acts_in_the_other_account(self):
        t = self.tenant
        self.assertEqual(self.upload("fid-delegated", "--as-account",
                                     "fid-tenant"), (0, "", ""))
        arn = "arn:aws:iam::%s:server-certificate/fid-delegated" % \
            t.account_id
        self.assertEqual(self.server.cli("euare-servercertlistbypath",
                                         creds=t), (0, arn + "\n", ""))
        rc, out, _ = self.server.cli("euare-servercertlistbypath")
        self.assertNotIn("fid-delegated", out)
        self.assertEqual(self.server.cli(
            "euare-servercertlistbypath", "--as-account", t.account_id),
            (0, arn + "\n", ""))
        rc, out, err = self.server.cli("euare-servercertgetattributes",
                                       "fid-delegated", "--as-account",
                                       "fid-tenant")
        self.assertEqual((rc, out.split("\n")[0]), (0, arn), err)
        self.assertEqual(self.server.cli(
            "euare-servercertmod", "fid-delegated", "-n", "fid-moved",
            "--as-account", "fid-tenant"), (0, "", ""))
        self.assertEqual(self.server.cli(
            "euare-servercertdel", "fid-moved", "--as-account",
            "fid-tenant"), (0, "", ""))
        self.assertEqual(self.server.cli("euare-servercertlistbypath",
                                         creds=t), (0, "", ""))

    def test_as_account_is_sent_and_refused_for_a_tenant(self):
        rc, out, err = self.server.cli("euare-servercertlistbypath",
                                       "--as-account", "fid-tenant",
                                       creds=self.other)
        self.assertEqual((rc, out), (1, ""), err)
        self.assertIn("euare-servercertlistbypath: error (AccessDenied): ",
                      err)


class ServerCertModTest(ServerTestCase):
    """euare-servercertmod: euca2ools 3.4's servercertmod."""

    def arn(self, path, name):
        return "arn:aws:iam::%s:server-certificate%s%s" % (
            self.server.admin.account_id, path, name)

    def test_rename_and_move(self):
        s = self.server
        self.assertEqual(s.cli("euare-servercertupload", "-s", "fid-mod",
                               "--certificate-file", cert("backend.crt"),
                               "--private-key-file", cert("backend.key")),
                         (0, "", ""))
        self.assertEqual(s.cli("euare-servercertmod", "-s", "fid-mod", "-n",
                               "fid-renamed", "-p", "/fid/"), (0, "", ""))
        self.assertEqual(s.cli("euare-servercertlistbypath", "-p", "/fid/"),
                         (0, self.arn("/fid/", "fid-renamed") + "\n", ""))
        self.assertEqual(s.cli("euare-servercertmod", "fid-renamed",
                               "--new-path", "/"), (0, "", ""))
        rc, out, err = s.cli("euare-servercertgetattributes", "fid-renamed")
        self.assertEqual((rc, out.split("\n")[0]),
                         (0, self.arn("/", "fid-renamed")), err)
        rc, out, err = s.cli("euare-servercertmod", "fid-mod", "-n", "x")
        self.assertEqual((rc, out), (1, ""), err)
        self.assertIn("euare-servercertmod: error (NoSuchEntity): ", err)

    def test_help(self):
        rc, out, err = self.server.cli("euare-servercertmod", "--help",
                                       env={"COLUMNS": "80"})
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith(SERVERCERTMOD_NO_NAME.split(
            "euare-servercertmod: error")[0] + "\nChange the name and/or "
            "path of a server certificate\n"), out)
        for text in ("-n CERT, --new-server-certificate-name CERT",
                     "-p PATH, --new-path PATH",
                     "--as-account ACCOUNT"):
            self.assertIn(text, out)


class DescribeAttributesTest(ServerTestCase):
    """eulb-describe-lb-attributes prints what euca2ools 3.4.1 prints."""

    @classmethod
    def setUpServer(cls):
        rc, _, err = cls.server.cli("create-lb", "-l", LISTENER, "-z",
                                    "one", "fid-attrs")
        if rc != 0:
            raise AssertionError(err)

    # euca2ools' flatten() of eulbd's answer for a new load balancer.
    DEFAULTS = ("AccessLog.Enabled\tfalse\n"
                "AdditionalAttributes.member.Key\t"
                "elb.http.desyncmitigationmode\n"
                "AdditionalAttributes.member.Value\tdefensive\n"
                "ConnectionDraining.Enabled\tfalse\n"
                "ConnectionDraining.Timeout\t300\n"
                "ConnectionSettings.IdleTimeout\t60\n"
                "CrossZoneLoadBalancing.Enabled\tfalse\n")

    def test_defaults(self):
        self.assertEqual(self.server.cli("describe-lb-attributes",
                                         "fid-attrs"),
                         (0, self.DEFAULTS, ""))

    def test_matches_the_euca2ools_model_of_the_xml_answer(self):
        self.assertEqual(self.server.cli(
            "modify-lb-attributes", "fid-attrs",
            "AccessLog.Enabled=true", "AccessLog.S3BucketName=fid-bucket",
            "AccessLog.EmitInterval=5", "ConnectionDraining.Enabled=true"),
            (0, "", ""))
        status, _, body = self.server.call(
            "DescribeLoadBalancerAttributes",
            {"LoadBalancerName": "fid-attrs"})
        self.assertEqual(status, 200, body)
        want = euca2ools_attribute_lines(body)
        self.assertIn("AdditionalAttributes.member.Value\tdefensive\n", want)
        self.assertIn("AccessLog.S3BucketName\tfid-bucket\n", want)
        self.assertEqual(self.server.cli("describe-lb-attributes",
                                         "fid-attrs"), (0, want, ""))


class TlsVerificationTest(unittest.TestCase):
    """HTTPS: verification on by default, verify-ssl and AWS_CA_BUNDLE
    honoured, and a hint when verification fails."""

    HINT = ("eulb-describe-lbs: the server's TLS certificate could not be "
            "verified: give its CA certificate with --ca-bundle FILE or "
            "AWS_CA_BUNDLE, or set \"verify-ssl = false\" in the region's "
            "section of the euca2ools configuration (unsafe)\n")

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--tls-cert", cert("server-chain.crt"),
                            "--tls-key", cert("server.key")).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def ini(self, text):
        euca = os.path.join(self.server.home, ".euca")
        os.makedirs(euca, exist_ok=True)
        path = os.path.join(euca, "fidelity.ini")
        with open(path, "w") as f:
            f.write(text)
        self.addCleanup(lambda: os.path.exists(path) and os.unlink(path))

    def test_unverified_server_gets_a_hint(self):
        rc, out, err = self.server.cli("describe-lbs")
        self.assertEqual((rc, out), (1, ""), err)
        lines = err.splitlines(True)
        self.assertEqual(len(lines), 2, err)
        self.assertTrue(lines[0].startswith(
            "eulb-describe-lbs: error: connection error ("), err)
        self.assertEqual(lines[1], self.HINT)

    def test_no_hint_for_other_errors(self):
        rc, out, err = self.server.cli(
            "describe-lbs", "-U", "https://127.0.0.1:1/",
            env={"AWS_CA_BUNDLE": cert("root-ca.crt")})
        self.assertEqual((rc, out), (1, ""), err)
        self.assertNotIn("could not be verified", err)

    def test_aws_ca_bundle(self):
        self.assertEqual(self.server.cli(
            "describe-lbs", env={"AWS_CA_BUNDLE": cert("root-ca.crt")}),
            (0, "", ""))
        # The option wins over the environment.
        rc, _, err = self.server.cli(
            "describe-lbs", "--ca-bundle", cert("other-ca.crt"),
            env={"AWS_CA_BUNDLE": cert("root-ca.crt")})
        self.assertEqual(rc, 1, err)
        self.assertTrue(err.endswith(self.HINT), err)

    def test_verify_ssl_false_in_the_region(self):
        self.ini("[region %s]\nverify-ssl = false\n" % self.server.region)
        rc, out, err = self.server.cli("describe-lbs")
        self.assertEqual((rc, out), (0, ""), err)
        self.assertEqual(err, "eulb-describe-lbs: warning: the server's TLS "
                         "certificate is not verified (--insecure or "
                         "verify-ssl = false)\n")

    def test_verify_ssl_true_in_the_region_still_verifies(self):
        for value in ("true", "maybe"):  # a typo does not turn it off
            self.ini("[region %s]\nverify-ssl = %s\n"
                     % (self.server.region, value))
            rc, _, err = self.server.cli("describe-lbs")
            self.assertEqual(rc, 1, err)
            self.assertTrue(err.endswith(self.HINT), err)
        self.assertEqual(self.server.cli(
            "describe-lbs", "--ca-bundle", cert("root-ca.crt")),
            (0, "", ""))


if __name__ == "__main__":
    unittest.main()
