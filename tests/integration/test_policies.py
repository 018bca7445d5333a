"""Policies, server certificates and back-end authentication: the real
eulbd, driven by the real eulb-*/euare-* tools, by Debian's awscli (`aws elb`
and `aws iam`) and by hand-signed HTTP requests.

The certificates come from scripts/gen-certs, run once for the module.
One server per TestCase class. Run from this folder:
    EULB_BIN_DIR=<build>/bin python3 -m unittest -v test_policies
"""

import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import unittest  # noqa: E402

from eulbtest import (ACCOUNT_ID, ISO_MS, ServerTestCase,  # noqa: E402
                      http_listener, listener_params, parse_error,
                      policy_params, split_braces, split_fields)
from lbcase import ApiBadInputCase  # noqa: E402
from policycase import (APP_COOKIE, AWS_DEFAULT_SSL,  # noqa: E402,F401
                        BACKEND_AUTH, IN_USE, LB_COOKIE, PREDEFINED, SAMPLES,
                        PROXY_PROTOCOL, PUBLIC_KEY, SSL_NEGOTIATION,
                        PolicyTestCase, cert_arn, cert_path, https_listener,
                        names_params, pem_base64, public_key_base64,
                        read_cert, setUpModule, shell_contents,
                        tcp_listener, tearDownModule)


# ---------------------------------------------------------------------------
class GuideWorkflow:
    """The Eucalyptus guide's back-end server authentication example,
    verbatim, through the eulb-*/euare-* tools."""

    ssl_policy = None  # what the listener gets by default

    def run_guide(self):
        s = self.server
        acct = s.admin.account_id
        dns = "myloadbalancer-%s.lb.localhost" % acct
        arn = cert_arn(acct, "mycert01")
        pol = self.ssl_policy
        # The guide's files sit in the tools' working directory.
        for ext in ("crt", "key"):
            shutil.copy(cert_path("backend." + ext),
                        os.path.join(s.dir, "server." + ext))
        pem = shell_contents("backend.crt")

        self.assertEqual(s.cli("euare-servercertupload", "-s", "mycert01",
                               "--certificate-file", "server.crt",
                               "--private-key-file", "server.key"),
                         (0, "", ""))
        self.assertEqual(
            s.cli("create-lb", "-l",
                  "protocol=HTTPS,lb-port=443,instance-protocol=HTTPS,"
                  "instance-port=8443,cert-id=" + arn,
                  "-z", "one", "myloadbalancer"),
            (0, "DNS_NAME\t%s\n" % dns, ""))
        self.assertEqual(
            s.cli("create-lb-policy", "-n", "webservercert", "-t",
                  "PublicKeyPolicyType", "-a",
                  "name=PublicKey, value=" + pem, "myloadbalancer"),
            (0, "", ""))
        self.assertEqual(
            s.cli("describe-lb-policies", "-p", "webservercert",
                  "myloadbalancer"),
            (0, "POLICY\twebservercert\tPublicKeyPolicyType\n", ""))
        self.assertEqual(
            s.cli("create-lb-policy", "-n", "webserverauthentication", "-t",
                  "BackendServerAuthenticationPolicyType", "-a",
                  "name=PublicKeyPolicyName, value=webservercert",
                  "myloadbalancer"),
            (0, "", ""))
        self.assertEqual(
            s.cli("describe-lb-policies", "-p", "webserverauthentication",
                  "myloadbalancer"),
            (0, "POLICY\twebserverauthentication\t"
                "BackendServerAuthenticationPolicyType\n", ""))

        # The guide itself names the load-balancer port; the server says
        # which instance ports there are, and changes nothing.
        with self.assertUnchanged():
            rc, out, err = s.cli("set-lb-policies-for-backend-server", "-i",
                                 "443", "-p", "webserverauthentication",
                                 "myloadbalancer")
        self.assertEqual((rc, out), (1, ""), err)
        self.assertIn("InvalidConfigurationRequest", err)
        self.assertIn("443", err)
        self.assertIn("8443", err)

        self.assertEqual(
            s.cli("set-lb-policies-for-backend-server", "-i", "8443", "-p",
                  "webserverauthentication", "myloadbalancer"),
            (0, "", ""))

        rc, out, err = s.cli("describe-lbs", "--show-long", "myloadbalancer")
        self.assertEqual((rc, err), (0, ""), out)
        lines = out.splitlines()
        self.assertEqual(len(lines), 1, out)
        f = split_fields(lines[0])
        self.assertEqual(len(f), 19, f)
        # Fields 4 and 5 are empty in the guide's transcript (Eucalyptus
        # returned no CanonicalHostedZoneName/ID); eulb returns them as
        # AWS does (issue 12): the DNS name and a stable zone id.
        self.assertRegex(f[4], r"^Z[A-Z2-7]{13}$")
        expected = [
            "LOAD_BALANCER", "myloadbalancer", dns, dns, None,
            "{interval=30,target=TCP:8443,timeout=5,healthy-threshold=3,"
            "unhealthy-threshold=3}",
            "one", "", "", "",
            "{protocol=HTTPS,lb-port=443,instance-protocol=HTTPS,"
            "instance-port=8443,cert-id=%s,{%s}}" % (arn, pol),
            "{instance-port=8443,policies={webserverauthentication}}",
            "", "",
            "{%s,webservercert,webserverauthentication}" % pol,
            None, "", None, "internet-facing"]
        for i, want in enumerate(expected):
            if want is not None:
                self.assertEqual(f[i], want, "field %d" % (i + 1))
        m = re.match(r"^\{owner-alias=(\d+),group-name=(.*)\}$", f[15])
        self.assertTrue(m, f[15])
        self.assertRegex(m.group(1), ACCOUNT_ID)
        self.assertEqual(m.group(2), "euca-internal-%s-myloadbalancer" % acct)
        self.assertRegex(f[17], ISO_MS)

        # --show-long prints the attribute values as stored: the PEM, raw.
        self.assertEqual(
            s.cli("describe-lb-policies", "--show-long", "-p",
                  "webservercert", "myloadbalancer"),
            (0, "POLICY\twebservercert\tPublicKeyPolicyType\t"
                "{name=PublicKey,value=%s}\n" % pem, ""))
        self.assertEqual(
            s.cli("describe-lb-policies", "--show-long", "-p",
                  "webserverauthentication", "myloadbalancer"),
            (0, "POLICY\twebserverauthentication\t"
                "BackendServerAuthenticationPolicyType\t"
                "{name=PublicKeyPolicyName,value=webservercert}\n", ""))
        # Without -p: every policy of the load balancer, the default SSL
        # policy first (it came with the listener).
        rc, out, err = s.cli("describe-lb-policies", "myloadbalancer")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(out.splitlines(), [
            "POLICY\t%s\tSSLNegotiationPolicyType" % pol,
            "POLICY\twebservercert\tPublicKeyPolicyType",
            "POLICY\twebserverauthentication\t"
            "BackendServerAuthenticationPolicyType"])


class GuideWorkflowTest(GuideWorkflow, ServerTestCase):
    """The guide with the seed transcript's server setting."""

    server_args = ("--default-ssl-policy", "ELBSecurityPolicy-2015-05")
    ssl_policy = "ELBSecurityPolicy-2015-05"

    def test_guide_workflow(self):
        self.run_guide()


class GuideWorkflowDefaultPolicyTest(GuideWorkflow, ServerTestCase):
    """The guide on a server without --default-ssl-policy."""

    ssl_policy = AWS_DEFAULT_SSL

    def test_guide_workflow_default_ssl_policy(self):
        self.run_guide()


# ---------------------------------------------------------------------------
class CliPolicyTest(PolicyTestCase):
    """The other policy and server-certificate tools: output and effect."""

    @classmethod
    def setUpServer(cls):
        super().setUpServer()
        cls.upload("clicert")
        cls.arn = cert_arn(cls.acct, "clicert")

    def cli_ok(self, *args, out=""):
        self.assertEqual(self.server.cli(*args), (0, out, ""))

    def long_fields(self, name):
        rc, out, err = self.server.cli("describe-lbs", "--show-long", name)
        self.assertEqual((rc, err), (0, ""), out)
        f = split_fields(out.rstrip("\n"))
        self.assertEqual(len(f), 19, f)
        return f

    def test_servercert_tools(self):
        s = self.server
        arn = cert_arn(self.acct, "cli2", "/cli/")
        self.cli_ok("euare-servercertupload", "-s", "cli2",
                    "--certificate-file", cert_path("backend2.crt"),
                    "--private-key-file", cert_path("backend2.key"),
                    "-p", "/cli/")
        rc, out, err = s.cli("euare-servercertgetattributes", "-s", "cli2")
        self.assertEqual((rc, err), (0, ""))
        lines = out.splitlines()
        self.assertEqual(len(lines), 2, out)
        self.assertEqual(lines[0], arn)
        self.assertRegex(lines[1], r"^ASCA[A-Z0-9]+$")
        rc, out, err = s.cli("euare-servercertlistbypath")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(sorted(out.splitlines()), sorted([self.arn, arn]))
        self.cli_ok("euare-servercertlistbypath", "-p", "/cli/",
                    out=arn + "\n")
        # A key that is not the certificate's is refused.
        with self.assertUnchanged():
            rc, out, err = s.cli("euare-servercertupload", "-s", "cli3",
                                 "--certificate-file",
                                 cert_path("backend.crt"),
                                 "--private-key-file",
                                 cert_path("backend2.key"))
        self.assertEqual((rc, out), (1, ""), err)
        self.assertIn("error (KeyPairMismatch)", err)
        self.cli_ok("euare-servercertdel", "-s", "cli2")
        rc, out, err = s.cli("euare-servercertgetattributes", "-s", "cli2")
        self.assertEqual((rc, out), (1, ""), err)
        self.assertIn("error (NoSuchEntity)", err)
        self.cli_ok("euare-servercertlistbypath", out=self.arn + "\n")

    def test_describe_policy_types(self):
        rc, out, err = self.server.cli("describe-lb-policy-types")
        self.assertEqual((rc, err), (0, ""))
        lines = [split_fields(l) for l in out.splitlines()]
        self.assertEqual(sorted(l[1] for l in lines), sorted(
            [PUBLIC_KEY, BACKEND_AUTH, SSL_NEGOTIATION, APP_COOKIE,
             LB_COOKIE, PROXY_PROTOCOL]))
        for l in lines:
            self.assertEqual(len(l), 3, l)
            self.assertEqual(l[0], "POLICY_TYPE")
            self.assertTrue(l[2], l)
        self.cli_ok("describe-lb-policy-types", "--show-long",
                    "PublicKeyPolicyType", BACKEND_AUTH, out=(
                        "POLICY_TYPE\tPublicKeyPolicyType\tPolicy containing "
                        "a list of public keys to accept when authenticating "
                        "the back-end server(s). This policy cannot be "
                        "applied directly to back-end servers or listeners "
                        "but must be part of a "
                        "BackendServerAuthenticationPolicyType.\t"
                        "{name=PublicKey,description=,type=String,"
                        "default-value=,cardinality=ONE}\n"
                        "POLICY_TYPE\tBackendServerAuthenticationPolicyType"
                        "\tPolicy that controls authentication to back-end "
                        "server(s) and contains one or more policies, such as "
                        "an instance of a PublicKeyPolicyType. This policy "
                        "can be associated only with back-end servers that "
                        "are using HTTPS/SSL.\t{name=PublicKeyPolicyName,"
                        "description=,type=PolicyName,default-value=,"
                        "cardinality=ONE_OR_MORE}\n"))
        rc, out, err = self.server.cli("describe-lb-policy-types",
                                       "NoSuchType")
        self.assertEqual((rc, out), (1, ""), err)
        self.assertIn("error (PolicyTypeNotFound)", err)

    def test_describe_predefined_policies(self):
        rc, out, err = self.server.cli("describe-lb-policies")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(out.splitlines(),
                         ["POLICY\t%s\t%s" % (n, t) for n, t, _, _ in SAMPLES] +
                         ["POLICY\t%s\tSSLNegotiationPolicyType" % n
                          for n in PREDEFINED])
        rc, out, err = self.server.cli(
            "describe-lb-policies", "--show-long", "-p",
            "ELBSecurityPolicy-TLS-1-2-2017-01")
        self.assertEqual((rc, err), (0, ""))
        f = split_fields(out.rstrip("\n"))
        self.assertEqual(f[:3], ["POLICY", "ELBSecurityPolicy-TLS-1-2-2017-01",
                                 "SSLNegotiationPolicyType"])
        attrs = split_braces(f[3])
        self.assertIn("{name=Protocol-TLSv1.2,value=true}", attrs)
        self.assertIn("{name=Protocol-TLSv1,value=false}", attrs)
        self.assertIn("{name=Protocol-TLSv1.1,value=false}", attrs)

    def test_stickiness_tools(self):
        self.create_lb("cli-sticky", http_listener(80, 8080),
                       tcp_listener(1025, 1025))
        self.cli_ok("create-app-cookie-stickiness-policy", "-c", "SESSIONID",
                    "-p", "app", "cli-sticky")
        self.cli_ok("create-lb-cookie-stickiness-policy", "-e", "60", "-p",
                    "lb60", "cli-sticky")
        f = self.long_fields("cli-sticky")
        self.assertEqual(f[12], "{policy-name=app,cookie-name=SESSIONID}")
        self.assertEqual(f[13], "{policy-name=lb60,expiration-period=60}")
        self.assertEqual(f[14], "")
        self.cli_ok("set-lb-policies-of-listener", "-l", "80", "-p", "lb60",
                    "cli-sticky")
        self.assertIn(
            "{protocol=HTTP,lb-port=80,instance-protocol=HTTP,"
            "instance-port=8080,{lb60}}",
            split_braces(self.long_fields("cli-sticky")[10]))
        with self.assertUnchanged():
            rc, out, err = self.server.cli("set-lb-policies-of-listener",
                                           "-l", "1025", "-p", "app",
                                           "cli-sticky")
        self.assertEqual((rc, out), (1, ""), err)
        self.assertIn("error (InvalidConfigurationRequest)", err)
        # An enabled policy stays; a free one goes.
        with self.assertUnchanged():
            rc, out, err = self.server.cli("delete-lb-policy", "-p", "lb60",
                                           "cli-sticky")
        self.assertEqual((rc, out), (1, ""), err)
        self.assertIn("error (InvalidConfigurationRequest)", err)
        self.cli_ok("delete-lb-policy", "-p", "app", "cli-sticky")
        self.assertEqual(self.long_fields("cli-sticky")[12], "")
        # Clearing the listener's policies with -p ''.
        self.cli_ok("set-lb-policies-of-listener", "-l", "80", "-p", "",
                    "cli-sticky")
        self.assertIn(
            "{protocol=HTTP,lb-port=80,instance-protocol=HTTP,"
            "instance-port=8080}",
            split_braces(self.long_fields("cli-sticky")[10]))
        self.cli_ok("delete-lb-policy", "-p", "lb60", "cli-sticky")
        self.assertEqual(self.lb_policies("cli-sticky"), [])

    def test_clear_policies_with_empty_list(self):
        self.create_lb("cli-clear", https_listener(self.arn))
        self.create_policy("cli-clear", "pk", PUBLIC_KEY,
                           ("PublicKey", shell_contents("backend.crt")))
        self.create_policy("cli-clear", "auth", BACKEND_AUTH,
                           ("PublicKeyPolicyName", "pk"))
        self.set_backend("cli-clear", 8443, "auth")
        f = self.long_fields("cli-clear")
        self.assertEqual(f[11], "{instance-port=8443,policies={auth}}")
        self.assertTrue(f[10].endswith(",{%s}}" % AWS_DEFAULT_SSL), f[10])

        self.cli_ok("set-lb-policies-for-backend-server", "-i", "8443", "-p",
                    "", "cli-clear")
        self.cli_ok("set-lb-policies-of-listener", "-l", "443", "-p", "",
                    "cli-clear")
        f = self.long_fields("cli-clear")
        self.assertEqual(f[11], "")
        self.assertEqual(f[10], "{protocol=HTTPS,lb-port=443,"
                                "instance-protocol=HTTPS,instance-port=8443,"
                                "cert-id=%s}" % self.arn)
        # Nothing is enabled any more, so every policy can go.
        for name in ("auth", "pk", AWS_DEFAULT_SSL):
            self.cli_ok("delete-lb-policy", "-p", name, "cli-clear")
        self.assertEqual(self.long_fields("cli-clear")[14], "")

    def test_set_listener_ssl_certificate(self):
        s = self.server
        self.upload("cli-next", "backend2.crt", "backend2.key")
        new = cert_arn(self.acct, "cli-next")
        self.create_lb("cli-cert", https_listener(self.arn))
        self.cli_ok("set-lb-listener-ssl-cert", "-l", "443", "-c", new,
                    "cli-cert")
        self.assertIn("cert-id=%s," % new, self.long_fields("cli-cert")[10])
        # The certificate no listener uses any more can be deleted; the one
        # in use cannot.
        with self.assertUnchanged():
            rc, out, err = s.cli("euare-servercertdel", "-s", "cli-next")
        self.assertEqual((rc, out), (1, ""), err)
        self.assertIn("error (DeleteConflict)", err)
        rc, out, err = s.cli("set-lb-listener-ssl-cert", "-l", "443", "-c",
                             cert_arn(self.acct, "nosuch"), "cli-cert")
        self.assertEqual((rc, out), (1, ""), err)
        self.assertIn("error (CertificateNotFound)", err)
        self.assertIn("cert-id=%s," % new, self.long_fields("cli-cert")[10])
        self.cli_ok("delete-lb", "cli-cert")
        self.cli_ok("euare-servercertdel", "-s", "cli-next")


# ---------------------------------------------------------------------------
class AwsCliPolicyTest(PolicyTestCase):
    """The same through Debian's awscli (`aws elb`, `aws iam`)."""

    def upload_aws(self, name, crt, key):
        doc = self.aws_ok("upload-server-certificate",
                          "--server-certificate-name", name,
                          "--certificate-body", "file://" + cert_path(crt),
                          "--private-key", "file://" + cert_path(key),
                          service="iam")
        md = doc["ServerCertificateMetadata"]
        self.assertEqual(md["ServerCertificateName"], name)
        self.assertEqual(md["Path"], "/")
        self.assertEqual(md["Arn"], cert_arn(self.acct, name))
        self.assertRegex(md["ServerCertificateId"], r"^ASCA[A-Z0-9]+$")
        self.assertIn("Expiration", md)
        self.assertIn("UploadDate", md)
        return md

    def create_https_lb(self, name, arn):
        doc = self.aws_ok(
            "create-load-balancer", "--load-balancer-name", name,
            "--listeners",
            "Protocol=HTTPS,LoadBalancerPort=443,InstanceProtocol=HTTPS,"
            "InstancePort=8443,SSLCertificateId=" + arn,
            "--availability-zones", "one")
        self.assertEqual(doc, {"DNSName": "%s-%s.lb.localhost"
                                          % (name, self.acct)})

    def create_policy_aws(self, lb, name, type_name, *attrs):
        args = ["create-load-balancer-policy", "--load-balancer-name", lb,
                "--policy-name", name, "--policy-type-name", type_name]
        if attrs:
            args += ["--policy-attributes", json.dumps(
                [{"AttributeName": k, "AttributeValue": v}
                 for k, v in attrs])]
        self.assertEqual(self.aws_ok(*args), None)

    def check_backend_auth(self, lb, arn, key_value):
        self.create_https_lb(lb, arn)
        self.create_policy_aws(lb, "pk", PUBLIC_KEY, ("PublicKey", key_value))
        self.create_policy_aws(lb, "auth", BACKEND_AUTH,
                               ("PublicKeyPolicyName", "pk"))
        self.aws_ok("set-load-balancer-policies-for-backend-server",
                    "--load-balancer-name", lb, "--instance-port", "8443",
                    "--policy-names", "auth")
        d = self.describe_lb(lb)
        self.assertEqual(len(d["ListenerDescriptions"]), 1, d)
        self.assertEqual(d["ListenerDescriptions"][0]["Listener"],
                         {"Protocol": "HTTPS", "LoadBalancerPort": 443,
                          "InstanceProtocol": "HTTPS", "InstancePort": 8443,
                          "SSLCertificateId": arn})
        self.assertEqual(d["ListenerDescriptions"][0]["PolicyNames"],
                         [AWS_DEFAULT_SSL])
        self.assertEqual(d["Policies"],
                         {"AppCookieStickinessPolicies": [],
                          "LBCookieStickinessPolicies": [],
                          "OtherPolicies": [AWS_DEFAULT_SSL, "pk", "auth"]})
        self.assertEqual(d["BackendServerDescriptions"],
                         [{"InstancePort": 8443, "PolicyNames": ["auth"]}])
        doc = self.aws_ok("describe-load-balancer-policies",
                          "--load-balancer-name", lb, "--policy-names",
                          "pk", "auth")
        self.assertEqual(doc["PolicyDescriptions"], [
            {"PolicyName": "pk", "PolicyTypeName": PUBLIC_KEY,
             "PolicyAttributeDescriptions": [
                 {"AttributeName": "PublicKey",
                  "AttributeValue": key_value}]},
            {"PolicyName": "auth", "PolicyTypeName": BACKEND_AUTH,
             "PolicyAttributeDescriptions": [
                 {"AttributeName": "PublicKeyPolicyName",
                  "AttributeValue": "pk"}]}])

    def test_backend_auth_with_certificate_body(self):
        self.upload_aws("awscert", "backend.crt", "backend.key")
        arn = cert_arn(self.acct, "awscert")
        self.check_backend_auth("aws-body", arn,
                                pem_base64(read_cert("backend.crt")))

        # The certificate comes back without its private key.
        doc = self.aws_ok("get-server-certificate",
                          "--server-certificate-name", "awscert",
                          service="iam")
        sc = doc["ServerCertificate"]
        self.assertEqual(sc["CertificateBody"].strip(),
                         read_cert("backend.crt").strip())
        self.assertEqual(sc["ServerCertificateMetadata"]["Arn"], arn)
        self.assertNotIn("PrivateKey", sc)
        text = json.dumps(doc)
        self.assertNotIn("PRIVATE KEY", text)
        key_lines = [l for l in read_cert("backend.key").splitlines()
                     if not l.startswith("-----")]
        for l in key_lines:
            self.assertNotIn(l, text)
        body = self.assertOk(self.server.iam_call(
            "GetServerCertificate", [("ServerCertificateName", "awscert")]))
        self.assertNotIn(b"PRIVATE KEY", body)
        self.assertNotIn(key_lines[1].encode(), body)

        doc = self.aws_ok("list-server-certificates", service="iam")
        mine = [m for m in doc["ServerCertificateMetadataList"]
                if m["ServerCertificateName"] == "awscert"]
        self.assertEqual(len(mine), 1, doc)
        self.assertEqual(mine[0]["Arn"], arn)
        self.assertNotIn("PRIVATE KEY", json.dumps(doc))
        self.assertNotIn("BEGIN CERTIFICATE", json.dumps(doc))

        # Clearing: an empty list removes the port, and empties the
        # listener's policies.
        self.aws_ok("set-load-balancer-policies-for-backend-server",
                    "--load-balancer-name", "aws-body", "--instance-port",
                    "8443", "--policy-names", "[]")
        self.assertEqual(self.describe_lb("aws-body")
                         ["BackendServerDescriptions"], [])
        self.aws_ok("set-load-balancer-policies-of-listener",
                    "--load-balancer-name", "aws-body",
                    "--load-balancer-port", "443", "--policy-names", "[]")
        d = self.describe_lb("aws-body")
        self.assertEqual(d["ListenerDescriptions"][0]["PolicyNames"], [])
        # The policies themselves stay until deleted.
        self.assertEqual(d["Policies"]["OtherPolicies"],
                         [AWS_DEFAULT_SSL, "pk", "auth"])

    def test_backend_auth_with_public_key(self):
        self.upload_aws("awscert2", "backend2.crt", "backend2.key")
        self.check_backend_auth("aws-pubkey", cert_arn(self.acct, "awscert2"),
                                public_key_base64("backend2.crt"))

    def test_public_key_value_is_trimmed(self):
        # DESIGN: the value is stored as given, trimmed, and echoed back.
        # A PEM read from a file ends in a newline; a pasted one may start
        # with one.
        self.upload("awstrim")
        self.create_lb("aws-trim", https_listener(cert_arn(self.acct,
                                                           "awstrim")))
        pem = shell_contents("backend.crt")
        key = public_key_base64("backend.crt")
        self.create_policy_aws("aws-trim", "pk-pem", PUBLIC_KEY,
                               ("PublicKey", "\n" + pem + "\n"))
        self.create_policy_aws("aws-trim", "pk-b64", PUBLIC_KEY,
                               ("PublicKey", " " + key + "\n"))
        doc = self.aws_ok("describe-load-balancer-policies",
                          "--load-balancer-name", "aws-trim",
                          "--policy-names", "pk-pem", "pk-b64")
        self.assertEqual([p["PolicyAttributeDescriptions"]
                          for p in doc["PolicyDescriptions"]],
                         [[{"AttributeName": "PublicKey",
                            "AttributeValue": pem}],
                          [{"AttributeName": "PublicKey",
                            "AttributeValue": key}]])


# ---------------------------------------------------------------------------
class CatalogueTest(PolicyTestCase):
    """Policy types, predefined policies, SSL negotiation and stickiness."""

    @classmethod
    def setUpServer(cls):
        super().setUpServer()
        cls.upload("catcert")
        cls.arn = cert_arn(cls.acct, "catcert")

    def test_policy_types(self):
        doc = self.aws_ok("describe-load-balancer-policy-types")
        types = {t["PolicyTypeName"]: t for t in
                 doc["PolicyTypeDescriptions"]}
        self.assertEqual(len(doc["PolicyTypeDescriptions"]), 6)
        self.assertEqual(set(types), {PUBLIC_KEY, BACKEND_AUTH,
                                      SSL_NEGOTIATION, APP_COOKIE, LB_COOKIE,
                                      PROXY_PROTOCOL})
        for t in types.values():
            self.assertTrue(t.get("Description"), t["PolicyTypeName"])

        def attrs(name):
            return [{k: a[k] for k in ("AttributeName", "AttributeType",
                                       "Cardinality")}
                    for a in types[name]["PolicyAttributeTypeDescriptions"]]
        self.assertEqual(attrs(PUBLIC_KEY), [
            {"AttributeName": "PublicKey", "AttributeType": "String",
             "Cardinality": "ONE"}])
        self.assertEqual(attrs(BACKEND_AUTH), [
            {"AttributeName": "PublicKeyPolicyName",
             "AttributeType": "PolicyName", "Cardinality": "ONE_OR_MORE"}])
        self.assertEqual(attrs(APP_COOKIE), [
            {"AttributeName": "CookieName", "AttributeType": "String",
             "Cardinality": "ONE"}])
        self.assertEqual(attrs(LB_COOKIE), [
            {"AttributeName": "CookieExpirationPeriod",
             "AttributeType": "Long", "Cardinality": "ZERO_OR_ONE"}])
        self.assertEqual(attrs(PROXY_PROTOCOL), [
            {"AttributeName": "ProxyProtocol", "AttributeType": "Boolean",
             "Cardinality": "ONE"}])
        ssl = attrs(SSL_NEGOTIATION)
        self.assertEqual(len(ssl), 95)
        self.assertEqual(len({a["AttributeName"] for a in ssl}), 95)
        by_name = {a["AttributeName"]: a for a in ssl}
        self.assertEqual(by_name["Reference-Security-Policy"],
                         {"AttributeName": "Reference-Security-Policy",
                          "AttributeType": "String",
                          "Cardinality": "ZERO_OR_ONE"})
        for name in ("Protocol-TLSv1.2", "Protocol-SSLv3", "DES-CBC3-SHA",
                     "Server-Defined-Cipher-Order",
                     "ECDHE-ECDSA-AES128-GCM-SHA256"):
            self.assertEqual(by_name[name]["AttributeType"], "Boolean", name)
        for a in ssl:
            self.assertEqual(a["Cardinality"], "ZERO_OR_ONE", a)

        # Named types come back in the order asked for.
        doc = self.aws_ok("describe-load-balancer-policy-types",
                          "--policy-type-names", PROXY_PROTOCOL, PUBLIC_KEY)
        self.assertEqual([t["PolicyTypeName"] for t in
                          doc["PolicyTypeDescriptions"]],
                         [PROXY_PROTOCOL, PUBLIC_KEY])

    def test_unknown_policy_type_name(self):
        self.assertError(self.server.call(
            "DescribeLoadBalancerPolicyTypes",
            [("PolicyTypeNames.member.1", PUBLIC_KEY),
             ("PolicyTypeNames.member.2", "NoSuchPolicyType")]),
            400, "PolicyTypeNotFound", "NoSuchPolicyType")
        rc, _, err = self.server.aws("describe-load-balancer-policy-types",
                                     "--policy-type-names", "NoSuchType")
        self.assertNotEqual(rc, 0)
        self.assertIn("(PolicyTypeNotFound)", err)

    def test_predefined_policies(self):
        doc = self.aws_ok("describe-load-balancer-policies")
        got = [p["PolicyName"] for p in doc["PolicyDescriptions"]]
        self.assertEqual(got, [s[0] for s in SAMPLES] + PREDEFINED)
        for p in doc["PolicyDescriptions"][len(SAMPLES):]:
            self.assertEqual(p["PolicyTypeName"], SSL_NEGOTIATION)
        for name, type_name, attr, value in SAMPLES:
            doc = self.aws_ok("describe-load-balancer-policies",
                              "--policy-names", name)
            self.assertEqual(doc["PolicyDescriptions"], [{
                "PolicyName": name, "PolicyTypeName": type_name,
                "PolicyAttributeDescriptions": [
                    {"AttributeName": attr, "AttributeValue": value}]}])
        doc = self.aws_ok("describe-load-balancer-policies",
                          "--policy-names",
                          "ELBSecurityPolicy-TLS-1-2-2017-01")
        self.assertEqual(len(doc["PolicyDescriptions"]), 1, doc)
        p = doc["PolicyDescriptions"][0]
        self.assertEqual(p["PolicyName"], "ELBSecurityPolicy-TLS-1-2-2017-01")
        values = {a["AttributeName"]: a["AttributeValue"]
                  for a in p["PolicyAttributeDescriptions"]}
        self.assertEqual(values["Protocol-TLSv1.2"], "true")
        self.assertEqual(values["Protocol-TLSv1"], "false")
        self.assertEqual(values["Protocol-TLSv1.1"], "false")
        self.assertEqual(values["Protocol-SSLv3"], "false")
        self.assertEqual(values["ECDHE-RSA-AES128-GCM-SHA256"], "true")
        self.assertEqual(values["ECDHE-RSA-AES128-SHA"], "false")
        self.assertEqual(values["DES-CBC3-SHA"], "false")
        self.assertEqual(set(values.values()), {"true", "false"})
        # 2015-05 is 2016-08 plus DES-CBC3-SHA.
        a, b = (dict(attrs) for _, (_, attrs) in self.lb_policies(
            None, "ELBSecurityPolicy-2015-05", "ELBSecurityPolicy-2016-08"))
        self.assertEqual({k for k in a if a[k] != b.get(k)}, {"DES-CBC3-SHA"})
        self.assertEqual(a["DES-CBC3-SHA"], "true")
        # An unknown predefined name is not found.
        self.assertError(self.server.call(
            "DescribeLoadBalancerPolicies",
            [("PolicyNames.member.1", "ELBSecurityPolicy-1999-01")]),
            400, "PolicyNotFound")

    def test_custom_ssl_negotiation_policy(self):
        self.create_lb("cat-ssl", https_listener(self.arn),
                       http_listener(80, 8080))
        self.create_policy("cat-ssl", "my-ssl", SSL_NEGOTIATION,
                           ("Reference-Security-Policy",
                            "ELBSecurityPolicy-2015-05"))
        [(name, (type_name, attrs))] = self.lb_policies("cat-ssl", "my-ssl")
        self.assertEqual((name, type_name), ("my-ssl", SSL_NEGOTIATION))
        values = dict(attrs)
        self.assertEqual(values["DES-CBC3-SHA"], "true")
        self.assertEqual(values["Protocol-TLSv1.2"], "true")
        self.assertEqual(values["Protocol-SSLv3"], "false")
        self.assertEqual(values["AES128-SHA"], "true")
        self.assertEqual(values["DHE-RSA-AES128-SHA"], "false")

        self.set_listener("cat-ssl", 443, "my-ssl")
        self.assertEqual(self.listener_policy_names("cat-ssl"),
                         {443: ["my-ssl"], 80: []})
        d = self.describe_lb("cat-ssl")
        self.assertEqual(d["Policies"]["OtherPolicies"],
                         [AWS_DEFAULT_SSL, "my-ssl"])
        # SSL negotiation does not go on a plain HTTP listener.
        self.refused(lambda: self.server.call(
            "SetLoadBalancerPoliciesOfListener",
            [("LoadBalancerName", "cat-ssl"), ("LoadBalancerPort", "80"),
             ("PolicyNames.member.1", "my-ssl")]),
            409, "InvalidConfigurationRequest")

    def test_stickiness_policies(self):
        s = self.server
        self.create_lb("cat-sticky", http_listener(80, 8080),
                       tcp_listener(1025, 1025))
        self.aws_ok("create-app-cookie-stickiness-policy",
                    "--load-balancer-name", "cat-sticky", "--policy-name",
                    "app", "--cookie-name", "SESSIONID")
        self.aws_ok("create-lb-cookie-stickiness-policy",
                    "--load-balancer-name", "cat-sticky", "--policy-name",
                    "lb60", "--cookie-expiration-period", "60")
        self.aws_ok("create-lb-cookie-stickiness-policy",
                    "--load-balancer-name", "cat-sticky", "--policy-name",
                    "lbsession")
        d = self.describe_lb("cat-sticky")
        self.assertEqual(d["Policies"], {
            "AppCookieStickinessPolicies": [
                {"PolicyName": "app", "CookieName": "SESSIONID"}],
            "LBCookieStickinessPolicies": [
                {"PolicyName": "lb60", "CookieExpirationPeriod": 60},
                {"PolicyName": "lbsession"}],
            "OtherPolicies": []})
        self.assertEqual(self.lb_policies("cat-sticky"), [
            ("app", (APP_COOKIE, [("CookieName", "SESSIONID")])),
            ("lb60", (LB_COOKIE, [("CookieExpirationPeriod", "60")])),
            ("lbsession", (LB_COOKIE, []))])

        for name in ("app", "lb60", "lbsession"):
            with self.subTest(policy=name):
                self.set_listener("cat-sticky", 80, name)
                self.assertEqual(self.listener_policy_names("cat-sticky"),
                                 {80: [name], 1025: []})
                self.refused(lambda: s.call(
                    "SetLoadBalancerPoliciesOfListener",
                    [("LoadBalancerName", "cat-sticky"),
                     ("LoadBalancerPort", "1025"),
                     ("PolicyNames.member.1", name)]),
                    409, "InvalidConfigurationRequest")
                # Nor on a back-end port.
                self.refused(lambda: s.call(
                    "SetLoadBalancerPoliciesForBackendServer",
                    [("LoadBalancerName", "cat-sticky"),
                     ("InstancePort", "8080"),
                     ("PolicyNames.member.1", name)]),
                    409, "InvalidConfigurationRequest")


# ---------------------------------------------------------------------------
class BadInputTest(PolicyTestCase):
    """Refused requests: the right error, and the database unchanged."""

    @classmethod
    def setUpServer(cls):
        super().setUpServer()
        s = cls.server
        cls.upload("keepcert")
        cls.arn = cert_arn(cls.acct, "keepcert")
        cls.create_lb("keep", https_listener(cls.arn),
                      http_listener(80, 8080), tcp_listener(1025, 1025))
        cls.create_policy("keep", "pk", PUBLIC_KEY,
                          ("PublicKey", shell_contents("backend.crt")))
        cls.create_policy("keep", "auth", BACKEND_AUTH,
                          ("PublicKeyPolicyName", "pk"))
        cls.set_backend("keep", 8443, "auth")
        cls.create_policy("keep", "free-ssl", SSL_NEGOTIATION,
                          ("Reference-Security-Policy",
                           "ELBSecurityPolicy-2016-08"))
        cls.create_policy("keep", "pp", PROXY_PROTOCOL,
                          ("ProxyProtocol", "true"))
        cls.other = s.create_account("other")
        cls.upload("othercert", "backend2.crt", "backend2.key",
                   creds=cls.other)
        cls.other_arn = cert_arn(cls.other.account_id, "othercert")

    def create_refused(self, name, type_name, attrs, status, code,
                       message_part=None, lb="keep"):
        return self.refused(
            lambda: self.server.call("CreateLoadBalancerPolicy",
                                     policy_params(lb, name, type_name,
                                                   *attrs)),
            status, code, message_part, self.other)

    def backend_refused(self, port, names, status, code, message_part=None):
        return self.refused(
            lambda: self.server.call(
                "SetLoadBalancerPoliciesForBackendServer",
                [("LoadBalancerName", "keep"), ("InstancePort", str(port))] +
                names_params("PolicyNames", names)),
            status, code, message_part, self.other)

    def listener_refused(self, port, names, status, code, message_part=None):
        return self.refused(
            lambda: self.server.call(
                "SetLoadBalancerPoliciesOfListener",
                [("LoadBalancerName", "keep"),
                 ("LoadBalancerPort", str(port))] +
                names_params("PolicyNames", names)),
            status, code, message_part, self.other)

    def test_cookie_expiration_period_not_a_number(self):
        for period in ("abc", "60s", "1.5", "99999999999999999999"):
            with self.subTest(period=period):
                self.refused(lambda: self.server.call(
                    "CreateLBCookieStickinessPolicy",
                    [("LoadBalancerName", "keep"), ("PolicyName", "lbc"),
                     ("CookieExpirationPeriod", period)]),
                    400, "ValidationError", "must be an integer",
                    self.other)

    # -- CreateLoadBalancerPolicy

    def test_unknown_policy_type(self):
        self.create_refused("new", "NoSuchPolicyType",
                            [("PublicKey", shell_contents("backend.crt"))],
                            400, "PolicyTypeNotFound", "NoSuchPolicyType")

    def test_unknown_attribute_name(self):
        err = self.create_refused(
            "new", PUBLIC_KEY,
            [("PublicKey", shell_contents("backend.crt")),
             ("Colour", "blue")],
            409, "InvalidConfigurationRequest", "Colour")
        self.assertEqual(err["Type"], "Sender")
        self.create_refused("new", PROXY_PROTOCOL,
                            [("ProxyProtocol", "true"), ("Proxy", "true")],
                            409, "InvalidConfigurationRequest", "Proxy")

    def test_repeated_single_attribute(self):
        pem = shell_contents("backend.crt")
        self.create_refused("new", PUBLIC_KEY,
                            [("PublicKey", pem), ("PublicKey", pem)],
                            409, "InvalidConfigurationRequest", "PublicKey")
        self.create_refused("new", SSL_NEGOTIATION,
                            [("Protocol-TLSv1.2", "true"),
                             ("Protocol-TLSv1.2", "false")],
                            409, "InvalidConfigurationRequest",
                            "Protocol-TLSv1.2")

    def test_missing_required_attribute(self):
        self.create_refused("new", PUBLIC_KEY, [], 409,
                            "InvalidConfigurationRequest", "PublicKey")
        self.create_refused("new", BACKEND_AUTH, [], 409,
                            "InvalidConfigurationRequest",
                            "PublicKeyPolicyName")

    def test_public_key_garbage(self):
        for value in ("not a key", "MIIBIjANBgkqhkiG9w0BAQEFAAOC",
                      "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n"
                      "-----END CERTIFICATE-----"):
            with self.subTest(value=value):
                self.create_refused("new", PUBLIC_KEY, [("PublicKey", value)],
                                    409, "InvalidConfigurationRequest",
                                    "PublicKey is invalid")

    def test_public_key_truncated_pem(self):
        lines = shell_contents("backend.crt").split("\n")
        self.create_refused("new", PUBLIC_KEY,
                            [("PublicKey", "\n".join(lines[:-2]))],
                            409, "InvalidConfigurationRequest",
                            "PublicKey is invalid")

    def test_public_key_private_key(self):
        err = self.create_refused(
            "new", PUBLIC_KEY, [("PublicKey", shell_contents("backend.key"))],
            409, "InvalidConfigurationRequest", "PublicKey is invalid")
        self.assertIn("private key", err["Message"])
        # Nor its bare base64 (a PKCS#8 private key is no public key).
        self.create_refused("new", PUBLIC_KEY,
                            [("PublicKey",
                              pem_base64(read_cert("backend.key")))],
                            409, "InvalidConfigurationRequest",
                            "PublicKey is invalid")

    def test_public_key_policy_name_missing(self):
        self.create_refused("new", BACKEND_AUTH,
                            [("PublicKeyPolicyName", "no-such-key")],
                            400, "PolicyNotFound", "no-such-key")
        # One good name does not carry a bad one.
        self.create_refused("new", BACKEND_AUTH,
                            [("PublicKeyPolicyName", "pk"),
                             ("PublicKeyPolicyName", "no-such-key")],
                            400, "PolicyNotFound", "no-such-key")

    def test_public_key_policy_name_wrong_type(self):
        for target in ("auth", "free-ssl", "pp"):
            with self.subTest(target=target):
                self.create_refused("new", BACKEND_AUTH,
                                    [("PublicKeyPolicyName", target)],
                                    409, "InvalidConfigurationRequest",
                                    target)

    def test_reserved_policy_name_prefix(self):
        for name in ("ELBSecurityPolicy-x", "ELBSample-x"):
            with self.subTest(name=name):
                self.create_refused(name, SSL_NEGOTIATION,
                                    [("Protocol-TLSv1.2", "true")],
                                    400, "ValidationError")
        self.refused(lambda: self.server.call(
            "CreateLBCookieStickinessPolicy",
            [("LoadBalancerName", "keep"),
             ("PolicyName", "ELBSecurityPolicy-x")]),
            400, "ValidationError", None, self.other)

    def test_duplicate_policy_name(self):
        self.create_refused("pk", PUBLIC_KEY,
                            [("PublicKey", shell_contents("backend2.crt"))],
                            400, "DuplicatePolicyName", "pk")
        self.refused(lambda: self.server.call(
            "CreateAppCookieStickinessPolicy",
            [("LoadBalancerName", "keep"), ("PolicyName", "auth"),
             ("CookieName", "C")]),
            400, "DuplicatePolicyName", None, self.other)

    def test_policy_of_other_account(self):
        o = self.other
        with self.assertUnchanged(o):
            self.assertError(self.server.call(
                "CreateLoadBalancerPolicy",
                policy_params("keep", "new", PROXY_PROTOCOL,
                              ("ProxyProtocol", "true")), creds=o),
                400, "LoadBalancerNotFound")
            self.assertError(self.server.call(
                "DeleteLoadBalancerPolicy",
                [("LoadBalancerName", "keep"), ("PolicyName", "free-ssl")],
                creds=o), 400, "LoadBalancerNotFound")
            self.assertError(self.server.call(
                "DescribeLoadBalancerPolicies",
                [("LoadBalancerName", "keep")], creds=o),
                400, "LoadBalancerNotFound")

    # -- attaching

    def test_backend_auth_on_plain_instance_port(self):
        self.backend_refused(8080, ["auth"], 409,
                             "InvalidConfigurationRequest", "8080")

    def test_backend_port_without_listener(self):
        err = self.backend_refused(443, ["auth"], 409,
                                   "InvalidConfigurationRequest", "443")
        self.assertIn("8443", err["Message"])

    def test_proxy_protocol_not_on_listener(self):
        self.listener_refused(1025, ["pp"], 409,
                              "InvalidConfigurationRequest", "pp")

    def test_ssl_negotiation_not_on_backend(self):
        self.backend_refused(8443, ["free-ssl"], 409,
                             "InvalidConfigurationRequest", "free-ssl")
        self.backend_refused(8443, ["auth", AWS_DEFAULT_SSL], 409,
                             "InvalidConfigurationRequest")

    def test_public_key_policy_not_attached_directly(self):
        self.backend_refused(8443, ["pk"], 409, "InvalidConfigurationRequest",
                             "pk")
        self.listener_refused(443, ["pk"], 409, "InvalidConfigurationRequest",
                              "pk")

    def test_backend_auth_not_on_listener(self):
        self.listener_refused(443, ["auth"], 409,
                              "InvalidConfigurationRequest", "auth")

    # -- deleting what is in use

    def test_delete_enabled_policy(self):
        self.refused(lambda: self.server.call(
            "DeleteLoadBalancerPolicy",
            [("LoadBalancerName", "keep"), ("PolicyName", "auth")]),
            409, "InvalidConfigurationRequest", IN_USE % "auth", self.other)
        # The listener's default SSL policy is enabled too.
        self.refused(lambda: self.server.call(
            "DeleteLoadBalancerPolicy",
            [("LoadBalancerName", "keep"), ("PolicyName", AWS_DEFAULT_SSL)]),
            409, "InvalidConfigurationRequest", IN_USE % AWS_DEFAULT_SSL,
            self.other)

    def test_delete_public_key_policy_referred_by_enabled_policy(self):
        self.refused(lambda: self.server.call(
            "DeleteLoadBalancerPolicy",
            [("LoadBalancerName", "keep"), ("PolicyName", "pk")]),
            409, "InvalidConfigurationRequest", IN_USE % "pk", self.other)

    def test_delete_server_certificate_in_use(self):
        self.refused(lambda: self.server.iam_call(
            "DeleteServerCertificate",
            [("ServerCertificateName", "keepcert")]),
            409, "DeleteConflict", "keepcert", self.other)

    # -- server certificates

    def test_upload_key_mismatch(self):
        self.refused(lambda: self.server.iam_call(
            "UploadServerCertificate",
            [("ServerCertificateName", "mismatch"),
             ("CertificateBody", read_cert("backend.crt")),
             ("PrivateKey", read_cert("backend2.key"))]),
            400, "KeyPairMismatch", None, self.other)

    def test_upload_duplicate_name(self):
        self.refused(lambda: self.server.iam_call(
            "UploadServerCertificate",
            [("ServerCertificateName", "keepcert"),
             ("CertificateBody", read_cert("backend2.crt")),
             ("PrivateKey", read_cert("backend2.key"))]),
            409, "EntityAlreadyExists", "keepcert", self.other)

    def test_upload_not_a_certificate(self):
        self.refused(lambda: self.server.iam_call(
            "UploadServerCertificate",
            [("ServerCertificateName", "garbage"),
             ("CertificateBody", "not a certificate"),
             ("PrivateKey", read_cert("backend.key"))]),
            400, "MalformedCertificate", None, self.other)

    def test_certificate_of_other_account(self):
        s = self.server
        listener = https_listener(self.other_arn, 8443, 9443)
        self.refused(lambda: s.call(
            "CreateLoadBalancer",
            [("LoadBalancerName", "fresh"),
             ("AvailabilityZones.member.1", "one")] +
            listener_params(listener)),
            400, "CertificateNotFound", None, self.other)
        self.refused(lambda: s.call(
            "CreateLoadBalancerListeners",
            [("LoadBalancerName", "keep")] + listener_params(listener)),
            400, "CertificateNotFound", None, self.other)
        self.refused(lambda: s.call(
            "SetLoadBalancerListenerSSLCertificate",
            [("LoadBalancerName", "keep"), ("LoadBalancerPort", "443"),
             ("SSLCertificateId", self.other_arn)]),
            400, "CertificateNotFound", None, self.other)
        # Nor can the other account see or delete ours.
        self.refused(lambda: s.iam_call(
            "GetServerCertificate", [("ServerCertificateName", "keepcert")],
            creds=self.other),
            404, "NoSuchEntity", None, self.other)
        self.refused(lambda: s.iam_call(
            "DeleteServerCertificate",
            [("ServerCertificateName", "keepcert")], creds=self.other),
            404, "NoSuchEntity", None, self.other)

    def test_ssl_certificate_on_plain_listener(self):
        self.refused(lambda: self.server.call(
            "SetLoadBalancerListenerSSLCertificate",
            [("LoadBalancerName", "keep"), ("LoadBalancerPort", "80"),
             ("SSLCertificateId", self.arn)]),
            409, "InvalidConfigurationRequest", None, self.other)

    # -- what succeeds beside the refusals

    def test_proxy_protocol_on_tcp_backend(self):
        self.set_backend("keep", 1025, "pp")
        try:
            d = self.describe_lb("keep")
            self.assertEqual(
                sorted(d["BackendServerDescriptions"],
                       key=lambda b: b["InstancePort"]),
                [{"InstancePort": 1025, "PolicyNames": ["pp"]},
                 {"InstancePort": 8443, "PolicyNames": ["auth"]}])
            # Now enabled, it cannot be deleted.
            self.refused(lambda: self.server.call(
                "DeleteLoadBalancerPolicy",
                [("LoadBalancerName", "keep"), ("PolicyName", "pp")]),
                409, "InvalidConfigurationRequest", IN_USE % "pp",
                self.other)
        finally:
            self.set_backend("keep", 1025)
        self.assertEqual(self.describe_lb("keep")["BackendServerDescriptions"],
                         [{"InstancePort": 8443, "PolicyNames": ["auth"]}])

    def test_delete_unknown_policy_succeeds(self):
        with self.assertUnchanged(self.other):
            self.assertOk(self.server.call(
                "DeleteLoadBalancerPolicy",
                [("LoadBalancerName", "keep"), ("PolicyName", "no-such")]))


# ---------------------------------------------------------------------------
class OwnServerFixture:
    """Refusals that each get a server of their own, so that one that
    brings eulbd down does not take the other tests with it: a policy list
    naming a policy the load balancer lacks, a port without a listener."""

    @classmethod
    def setUpServer(cls):
        super().setUpServer()
        cls.upload("listcert")
        cls.create_lb("lists", https_listener(cert_arn(cls.acct, "listcert")),
                      http_listener(80, 8080))
        cls.create_policy("lists", "pk", PUBLIC_KEY,
                          ("PublicKey", shell_contents("backend.crt")))
        cls.create_policy("lists", "auth", BACKEND_AUTH,
                          ("PublicKeyPolicyName", "pk"))
        cls.create_policy("lists", "app", APP_COOKIE, ("CookieName", "C"))

    def set_refused(self, action, port_param, port, names):
        p = [("LoadBalancerName", "lists"), (port_param, str(port))]
        p += names_params("PolicyNames", names)
        err = self.refused(lambda: self.server.call(action, p), 400,
                           "PolicyNotFound", "no-such")
        # Still serving, and the good names still work.
        self.ok(self.server.call(action, [("LoadBalancerName", "lists"),
                                          (port_param, str(port))] +
                                 names_params("PolicyNames", names[:1])))
        return err


class BackendUnknownPolicyTest(OwnServerFixture, PolicyTestCase):
    def test_backend_unknown_policy(self):
        self.set_refused("SetLoadBalancerPoliciesForBackendServer",
                         "InstancePort", 8443, ["auth", "no-such"])
        d = self.describe_lb("lists")
        self.assertEqual(d["BackendServerDescriptions"],
                         [{"InstancePort": 8443, "PolicyNames": ["auth"]}])


class ListenerUnknownPolicyTest(OwnServerFixture, PolicyTestCase):
    def test_listener_unknown_policy(self):
        self.set_refused("SetLoadBalancerPoliciesOfListener",
                         "LoadBalancerPort", 80, ["app", "no-such"])
        self.assertEqual(self.listener_policy_names("lists"),
                         {80: ["app"], 443: [AWS_DEFAULT_SSL]})


class ListenerNotFoundTest(OwnServerFixture, PolicyTestCase):
    def test_listener_not_found(self):
        s = self.server
        self.refused(lambda: s.call(
            "SetLoadBalancerPoliciesOfListener",
            [("LoadBalancerName", "lists"), ("LoadBalancerPort", "8000"),
             ("PolicyNames.member.1", "app")]),
            400, "ListenerNotFound", "8000")
        self.refused(lambda: s.call(
            "SetLoadBalancerListenerSSLCertificate",
            [("LoadBalancerName", "lists"), ("LoadBalancerPort", "8000"),
             ("SSLCertificateId", cert_arn(self.acct, "listcert"))]),
            400, "ListenerNotFound", "8000")
        self.assertEqual(self.listener_policy_names("lists"),
                         {80: [], 443: [AWS_DEFAULT_SSL]})


class DuplicateInListTest(OwnServerFixture, PolicyTestCase):
    def test_policy_listed_twice(self):
        # Whatever the verdict on a repeated name, it is a client error
        # that changes nothing (and eulbd keeps serving).
        for action, port_param, port, name in (
                ("SetLoadBalancerPoliciesOfListener", "LoadBalancerPort",
                 80, "app"),
                ("SetLoadBalancerPoliciesForBackendServer", "InstancePort",
                 8443, "auth")):
            with self.subTest(action=action):
                with self.assertUnchanged():
                    status, _, body = self.server.call(
                        action, [("LoadBalancerName", "lists"),
                                 (port_param, str(port)),
                                 ("PolicyNames.member.1", name),
                                 ("PolicyNames.member.2", name)])
                self.assertIn(status, (400, 409), body)
                self.assertTrue(parse_error(body)["Code"])


# ---------------------------------------------------------------------------
class LifecycleTest(PolicyTestCase):
    """Deleting a load balancer takes its policies and bindings with it."""

    def test_delete_lb_removes_policies(self):
        s = self.server
        self.upload("lifecert")
        arn = cert_arn(self.acct, "lifecert")
        before = s.row_counts()
        self.create_lb("recycle", https_listener(arn),
                       http_listener(80, 8080))
        self.create_policy("recycle", "pk", PUBLIC_KEY,
                           ("PublicKey", shell_contents("backend.crt")))
        self.create_policy("recycle", "auth", BACKEND_AUTH,
                           ("PublicKeyPolicyName", "pk"))
        self.set_backend("recycle", 8443, "auth")
        self.ok(s.call("CreateLBCookieStickinessPolicy",
                       [("LoadBalancerName", "recycle"),
                        ("PolicyName", "sticky"),
                        ("CookieExpirationPeriod", "30")]))
        self.set_listener("recycle", 80, "sticky")
        self.assertEqual(len(self.lb_policies("recycle")), 4)

        self.ok(s.call("DeleteLoadBalancer",
                       [("LoadBalancerName", "recycle")]))
        self.assertEqual(s.row_counts(), before)
        # The certificate is free again (no listener uses it) ...
        self.ok(s.iam_call("GetServerCertificate",
                           [("ServerCertificateName", "lifecert")]))

        # ... and a new load balancer of the same name starts clean.
        self.create_lb("recycle", http_listener(80, 8080))
        self.assertEqual(self.lb_policies("recycle"), [])
        d = self.describe_lb("recycle")
        self.assertEqual(d["Policies"],
                         {"AppCookieStickinessPolicies": [],
                          "LBCookieStickinessPolicies": [],
                          "OtherPolicies": []})
        self.assertEqual(d["BackendServerDescriptions"], [])
        self.assertEqual(d["ListenerDescriptions"][0]["PolicyNames"], [])
        self.assertError(s.call("DescribeLoadBalancerPolicies",
                                [("LoadBalancerName", "recycle"),
                                 ("PolicyNames.member.1", "pk")]),
                         400, "PolicyNotFound", "pk")
        # An HTTPS listener brings only the default SSL policy.
        self.ok(s.call("CreateLoadBalancerListeners",
                       [("LoadBalancerName", "recycle")] +
                       listener_params(https_listener(arn))))
        self.assertEqual([n for n, _ in self.lb_policies("recycle")],
                         [AWS_DEFAULT_SSL])
        self.ok(s.call("DeleteLoadBalancer",
                       [("LoadBalancerName", "recycle")]))
        self.assertEqual(s.row_counts(), before)
        self.ok(s.iam_call("DeleteServerCertificate",
                           [("ServerCertificateName", "lifecert")]))
        self.assertError(s.iam_call("GetServerCertificate",
                                    [("ServerCertificateName", "lifecert")]),
                         404, "NoSuchEntity")


class PublicKeyPaddingTest(ApiBadInputCase):
    def test_public_key_of_padding_only(self):
        """Found by fuzzing: base64 of only '=' underflowed a length."""
        for value in ("====", "========", "AA==A==="):
            with self.subTest(value=value):
                with self.assertUnchanged():
                    self.assertError(self.server.call(
                        "CreateLoadBalancerPolicy",
                        {"LoadBalancerName": "zoned", "PolicyName": "pk",
                         "PolicyTypeName": "PublicKeyPolicyType",
                         "PolicyAttributes.member.1.AttributeName":
                             "PublicKey",
                         "PolicyAttributes.member.1.AttributeValue": value}),
                        409, "InvalidConfigurationRequest", "PublicKey")
if __name__ == "__main__":
    unittest.main()

if __name__ == "__main__":
    unittest.main()
