"""Values that reach haproxy.cfg: eulbd refuses at the API what HAProxy
2.6 would refuse or what could change the file's meaning (a '#', a quote,
a space), with AWS's errors; and the largest values it accepts render into
a configuration the real `haproxy -c` loads (eulb-servo --once).

Run from this folder:
    EULB_BIN_DIR=<build>/bin python3 -m unittest -v test_haproxy_values
"""

import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import unittest  # noqa: E402

from eulbtest import (RUN_TIMEOUT, Creds, ServerTestCase,  # noqa: E402
                      bin_path, check_sanitizers, clean_env, http_listener,
                      listener_params, parse_exports, parse_xml)
from policycase import PREDEFINED, SSL_NEGOTIATION  # noqa: E402
from dataplane_util import Servo, have_tools, openssl  # noqa: E402

COOKIE_PERIOD_MAX = 2147483647   # HAProxy: "maximum value is 2147483647 s"
COOKIE_NAME_MAX = 128
TOKEN_PUNCT = "!$%&*+-.^_`|~"    # RFC 6265 token, less '#' and "'"

WORK = None


def setUpModule():
    global WORK
    WORK = tempfile.mkdtemp(prefix="eulb-hv-")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    for name, key in (("good", ec), ("good2", ec),
                      ("weak", ["-newkey", "rsa:1024"])):
        openssl("req", "-x509", "-nodes", "-sha256", "-days", "30",
                "-subj", "/CN=" + name, "-keyout", path(name + ".key"),
                "-out", path(name + ".crt"), *key)


def tearDownModule():
    if WORK and not os.environ.get("EULB_KEEP_TMP"):
        shutil.rmtree(WORK, ignore_errors=True)


def path(name):
    return os.path.join(WORK, name)


def read(name):
    with open(path(name)) as f:
        return f.read()


class HaproxyValuesTest(ServerTestCase):

    @classmethod
    def setUpServer(cls):
        cls.lb = "values"
        cls.ok(cls.server.call("CreateLoadBalancer", [
            ("LoadBalancerName", cls.lb),
            ("AvailabilityZones.member.1", "one")] +
            listener_params(http_listener())))

    def call(self, action, *params):
        return self.server.call(action, [("LoadBalancerName", self.lb)] +
                                list(params))

    def policy(self, name, type_name, *attrs):
        p = [("PolicyName", name), ("PolicyTypeName", type_name)]
        for i, (k, v) in enumerate(attrs, 1):
            p += [("PolicyAttributes.member.%d.AttributeName" % i, k),
                  ("PolicyAttributes.member.%d.AttributeValue" % i, v)]
        return self.call("CreateLoadBalancerPolicy", *p)

    def refused(self, resp_fn, status, code, message_part=None):
        with self.assertUnchanged():
            return self.assertError(resp_fn(), status, code, message_part)

    # -- stickiness

    def test_app_cookie_names_haproxy_cannot_hold(self):
        for i, name in enumerate(["a#b", "#", "a'b", 'a"b', "a b", "a\tb",
                                  "a\nb", "a;b", "a,b", "a(b", "a=b",
                                  "caf\u00e9", "x" * (COOKIE_NAME_MAX + 1)]):
            with self.subTest(name=name):
                self.refused(lambda: self.call(
                    "CreateAppCookieStickinessPolicy",
                    ("PolicyName", "app%d" % i), ("CookieName", name)),
                    409, "InvalidConfigurationRequest", "CookieName")
                self.refused(lambda: self.policy(
                    "gen%d" % i, "AppCookieStickinessPolicyType",
                    ("CookieName", name)),
                    409, "InvalidConfigurationRequest", "CookieName")
        longest = TOKEN_PUNCT + "Z" * (COOKIE_NAME_MAX - len(TOKEN_PUNCT))
        for name in ("JSESSIONID", longest):
            self.ok(self.call("CreateAppCookieStickinessPolicy",
                              ("PolicyName", "ok-%d" % len(name)),
                              ("CookieName", name)))

    def test_cookie_expiration_period_bounded(self):
        for i, period in enumerate(["999999999999999999", "2147483648",
                                    "9999999999"]):
            with self.subTest(period=period):
                self.refused(lambda: self.call(
                    "CreateLBCookieStickinessPolicy",
                    ("PolicyName", "lb%d" % i),
                    ("CookieExpirationPeriod", period)),
                    409, "InvalidConfigurationRequest", "2147483647")
                self.refused(lambda: self.policy(
                    "lbgen%d" % i, "LBCookieStickinessPolicyType",
                    ("CookieExpirationPeriod", period)),
                    409, "InvalidConfigurationRequest", "2147483647")
        for period in ("0", "1", str(COOKIE_PERIOD_MAX)):
            self.ok(self.call("CreateLBCookieStickinessPolicy",
                              ("PolicyName", "lbok-" + period),
                              ("CookieExpirationPeriod", period)))

    # -- SSL negotiation

    def test_ssl_policies_openssl_cannot_serve(self):
        cases = [
            ("unknown-ciphers", [("Protocol-TLSv1.2", "true"),
                                 ("EXP-KRB5-RC4-MD5", "true"),
                                 ("RC4-MD5", "true")], "OpenSSL knows none"),
            ("sslv3-only", [("Protocol-SSLv3", "true"),
                            ("AES128-SHA", "true")], "SSLv3"),
            # A reference whose ciphers are all switched off but one that
            # OpenSSL 3 no longer has.
            ("ref-overridden", [("Reference-Security-Policy",
                                 "ELBSecurityPolicy-TLS-1-2-2017-01")] +
             [(c, "false") for c in (
                 "ECDHE-ECDSA-AES128-GCM-SHA256",
                 "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-SHA256",
                 "ECDHE-RSA-AES128-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                 "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES256-SHA384",
                 "ECDHE-RSA-AES256-SHA384", "AES128-GCM-SHA256",
                 "AES128-SHA256", "AES256-GCM-SHA384", "AES256-SHA256")] +
             [("DES-CBC3-SHA", "true")], "OpenSSL knows none")]
        for name, attrs, why in cases:
            with self.subTest(name=name):
                self.refused(lambda: self.policy(name, SSL_NEGOTIATION,
                                                 *attrs),
                             409, "InvalidConfigurationRequest", why)
        for i, ref in enumerate(PREDEFINED):
            self.ok(self.policy("ref%d" % i, SSL_NEGOTIATION,
                                ("Reference-Security-Policy", ref)))
        self.ok(self.policy("no-ciphers", SSL_NEGOTIATION,
                            ("Protocol-TLSv1.2", "true")))

    # -- plain parameters

    def test_health_check_paths_that_are_not_urls(self):
        for path_ in ["/a b", "/a#b", '/a"b', "/a'b", "/a\tb", "/a\nb",
                      "/%zz", "/%4", "/a\\b", "/<x>", "/caf\u00e9"]:
            with self.subTest(path=path_):
                self.refused(lambda: self.call(
                    "ConfigureHealthCheck",
                    ("HealthCheck.Target", "HTTP:8080" + path_),
                    ("HealthCheck.Interval", "30"),
                    ("HealthCheck.Timeout", "5"),
                    ("HealthCheck.UnhealthyThreshold", "2"),
                    ("HealthCheck.HealthyThreshold", "2")),
                    400, "ValidationError", "HealthCheck.Target path")
        self.ok(self.call("ConfigureHealthCheck",
                          ("HealthCheck.Target",
                           "HTTP:8080/a-._~!$&()*+,;=:@/?x=%41%e9"),
                          ("HealthCheck.Interval", "30"),
                          ("HealthCheck.Timeout", "5"),
                          ("HealthCheck.UnhealthyThreshold", "2"),
                          ("HealthCheck.HealthyThreshold", "2")))

    def test_attribute_numbers_are_digits(self):
        for value in [" 60", "+60", "\n60", "60 ", "0x3c", "3601", "0"]:
            with self.subTest(value=value):
                self.refused(lambda: self.call(
                    "ModifyLoadBalancerAttributes",
                    ("LoadBalancerAttributes.ConnectionSettings.IdleTimeout",
                     value)),
                    400, "ValidationError", "IdleTimeout")

    # -- server certificates

    def upload(self, name, body, key, chain=None):
        p = [("ServerCertificateName", name), ("CertificateBody", body),
             ("PrivateKey", key)]
        if chain is not None:
            p.append(("CertificateChain", chain))
        return self.server.iam_call("UploadServerCertificate", p)

    def test_server_certificates_haproxy_cannot_load(self):
        good, key = read("good.crt"), read("good.key")
        other = read("good2.crt")
        cases = [
            ("weak", read("weak.crt"), read("weak.key"), None,
             "key too small"),
            ("two-bodies", good + other, key, None,
             "more than one certificate"),
            ("key-first", key + good, key, None, "CertificateBody"),
            ("cert-in-key", good, other + key, None, "private key"),
            ("two-keys", good, key + read("good2.key"), None,
             "private key"),
            ("key-in-chain", good, key, other + key, "chain")]
        for name, body, k, chain, why in cases:
            with self.subTest(name=name):
                self.refused(lambda: self.upload(name, body, k, chain),
                             400, "MalformedCertificate", why)
        self.ok(self.upload("good", good, key, other))


class MaxValuesRenderTest(ServerTestCase):
    """The largest values eulbd accepts, rendered by eulb-servo --once,
    which runs the real `haproxy -c` on them."""

    def setUp(self):
        super().setUp()
        if not have_tools():
            self.skipTest("haproxy and openssl are needed")

    def servo_creds(self):
        s = self.server
        r = subprocess.run([bin_path("eulbd"), "servo-credentials", "--db",
                            s.db], capture_output=True, timeout=RUN_TIMEOUT,
                           env=clean_env(s.home), stdin=subprocess.DEVNULL)
        check_sanitizers("eulbd servo-credentials", r.stderr.decode())
        ex = parse_exports(r.stdout.decode())
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        return Creds(ex["AWS_ACCESS_KEY_ID"], ex["AWS_SECRET_ACCESS_KEY"],
                     "", "servo")

    def ssl_attribute_names(self):
        body = self.ok(self.server.call(
            "DescribeLoadBalancerPolicyTypes",
            [("PolicyTypeNames.member.1", SSL_NEGOTIATION)]))
        return [m.findtext("AttributeName") for m in parse_xml(body).findall(
            ".//PolicyAttributeTypeDescriptions/member")]

    def test_largest_values_pass_haproxy_check(self):
        s = self.server
        acct = s.admin.account_id
        lb = "maxvalues"
        self.ok(s.iam_call("UploadServerCertificate", [
            ("ServerCertificateName", "maxcert"),
            ("CertificateBody", read("good.crt")),
            ("PrivateKey", read("good.key"))]))
        arn = "arn:aws:iam::%s:server-certificate/maxcert" % acct
        self.ok(s.call("CreateLoadBalancer", [
            ("LoadBalancerName", lb), ("AvailabilityZones.member.1", "one")]
            + listener_params(
                http_listener(18080, 18081),
                {"Protocol": "HTTPS", "LoadBalancerPort": 18443,
                 "InstanceProtocol": "HTTP", "InstancePort": 18081,
                 "SSLCertificateId": arn})))

        def call(action, *params):
            return self.ok(s.call(action, [("LoadBalancerName", lb)] +
                                  list(params)))

        cookie = TOKEN_PUNCT + "Z" * (COOKIE_NAME_MAX - len(TOKEN_PUNCT))
        call("CreateLBCookieStickinessPolicy", ("PolicyName", "lbmax"),
             ("CookieExpirationPeriod", str(COOKIE_PERIOD_MAX)))
        call("CreateAppCookieStickinessPolicy", ("PolicyName", "appmax"),
             ("CookieName", cookie))
        # Every protocol and every cipher the catalogue has.
        attrs = [(n, "true") for n in self.ssl_attribute_names()
                 if n != "Reference-Security-Policy"]
        params = [("PolicyName", "everything"),
                  ("PolicyTypeName", SSL_NEGOTIATION)]
        for i, (k, v) in enumerate(attrs, 1):
            params += [("PolicyAttributes.member.%d.AttributeName" % i, k),
                       ("PolicyAttributes.member.%d.AttributeValue" % i, v)]
        call("CreateLoadBalancerPolicy", *params)
        call("SetLoadBalancerPoliciesOfListener", ("LoadBalancerPort",
                                                   "18080"),
             ("PolicyNames.member.1", "lbmax"))
        call("SetLoadBalancerPoliciesOfListener", ("LoadBalancerPort",
                                                   "18443"),
             ("PolicyNames.member.1", "appmax"),
             ("PolicyNames.member.2", "everything"))
        # A 1024-character path of every character a path may hold.
        ping = "/a-._~!$&()*+,;=:@/?%41%e9"
        ping += "x" * (1024 - len(ping))
        call("ConfigureHealthCheck", ("HealthCheck.Target",
                                      "HTTP:18081" + ping),
             ("HealthCheck.Interval", "300"), ("HealthCheck.Timeout", "60"),
             ("HealthCheck.UnhealthyThreshold", "10"),
             ("HealthCheck.HealthyThreshold", "10"))
        call("ModifyLoadBalancerAttributes",
             ("LoadBalancerAttributes.ConnectionSettings.IdleTimeout",
              "3600"),
             ("LoadBalancerAttributes.ConnectionDraining.Enabled", "true"),
             ("LoadBalancerAttributes.ConnectionDraining.Timeout", "3600"))
        r = subprocess.run([bin_path("eulbd"), "instance", "add", acct,
                            "i-0000000a", "127.0.0.2", "one", "--db", s.db],
                           capture_output=True, timeout=RUN_TIMEOUT,
                           env=clean_env(s.home), stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        call("RegisterInstancesWithLoadBalancer",
             ("Instances.member.1.InstanceId", "i-0000000a"))

        servo = Servo(s, self.servo_creds(), lb, acct, "127.0.0.1", WORK)
        rc, log = servo.once()
        self.assertEqual(rc, 0, log)  # --once fails if haproxy -c refuses
        cfg = servo.config()
        for want in ["maxidle %ds maxlife %ds" % ((COOKIE_PERIOD_MAX,) * 2),
                     "stick on req.cook(%s)" % cookie,
                     "ssl-min-ver SSLv3 ssl-max-ver TLSv1.2 ciphers ",
                     ":@SECLEVEL=0", "default-server inter 300s fall 10 "
                     "rise 10", "timeout check 60s", "timeout client 3600s",
                     "hard-stop-after 3600s",
                     "uri /a-._~!%24&%28%29*+,;=:@/?%41%e9x"]:
            self.assertIn(want, cfg)


if __name__ == "__main__":
    unittest.main()
