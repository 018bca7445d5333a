"""Limits and PEM handling (items 3, 4 and 7 of the security issue).

* No OpenSSL read may ask for a passphrase: eulbd runs here with a
  controlling terminal (a pty), where OpenSSL's default callback would
  prompt on /dev/tty and hang the worker holding the write lock. Encrypted
  keys and PEM blocks with Proc-Type headers are refused with a 400.
* CertificateBody is exactly one CERTIFICATE block, CertificateChain only
  CERTIFICATE blocks: a private key pasted there would be stored unsealed
  and handed back by GetServerCertificate.
* Policies and zones per load balancer are capped (--max-policies,
  --max-zones), AccessLog bucket names and prefixes are checked, and a
  describe answer is bounded by --max-response-bytes.

Every refused request is shown to change nothing (assertUnchanged).
"""

import json
import subprocess
import unittest

import eulbtest as et
from eulbtest import (RUN_TIMEOUT, ModulePki, ServerTestCase, http_listener,
                      lb_names, members, policy_params,
                      listener_params, next_marker, parse_xml)
from lbcase import ApiTestCase, instance_params

PASSPHRASE = "pass:correct-horse"
DEK = "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF"
PROMPT = "pass phrase"

PKI = ModulePki()  # gen-certs output plus the encrypted keys made from it


def openssl(*args):
    r = subprocess.run(["openssl"] + list(args), capture_output=True,
                       timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise AssertionError("openssl %s: %s" % (args[0], r.stderr.decode()))
    return r.stdout.decode()


def setUpModule():
    PKI.make()
    for name in ("backend", "server"):
        key = cert_path(name + ".key")
        openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout",
                PASSPHRASE, "-in", key, "-out",
                cert_path(name + "-pkcs8.key"))
        openssl("rsa", "-aes128", "-traditional", "-passout", PASSPHRASE,
                "-in", key, "-out", cert_path(name + "-legacy.key"))
    if "ENCRYPTED PRIVATE KEY" not in read("backend-pkcs8.key") or \
            "Proc-Type: 4,ENCRYPTED" not in read("backend-legacy.key"):
        raise AssertionError("openssl did not encrypt the test keys")
    with open(cert_path("backend.pub"), "w") as f:
        f.write(openssl("x509", "-in", cert_path("backend.crt"), "-pubkey",
                        "-noout"))


def tearDownModule():
    PKI.remove()


cert_path = PKI.path
read = PKI.read


def proc_type(pem):
    """pem with RFC 1421 encryption headers in its block: OpenSSL asks for
    the passphrase before it looks at the contents."""
    lines = pem.strip().splitlines()
    return "\n".join([lines[0], "Proc-Type: 4,ENCRYPTED", DEK, ""] +
                     lines[1:]) + "\n"


class LimitsTestCase(ServerTestCase):
    def create_lb(self, name, zones=("one",), subnets=None):
        p = [("LoadBalancerName", name)] + listener_params(http_listener())
        p += members("Subnets", subnets) if subnets else \
            members("AvailabilityZones", zones)
        return self.server.call("CreateLoadBalancer", p)

    def delete_lb(self, name):
        self.ok(self.server.call("DeleteLoadBalancer",
                                 [("LoadBalancerName", name)]))

    def refused(self, fn, status, code, part=None):
        """fn() must answer status/code and change nothing."""
        with self.assertUnchanged():
            resp = fn()
        return self.assertError(resp, status, code, part)

    def upload(self, body, key=None, chain=None, name="c1"):
        p = [("ServerCertificateName", name), ("CertificateBody", body),
             ("PrivateKey", key if key is not None else read("backend.key"))]
        if chain is not None:
            p.append(("CertificateChain", chain))
        return self.server.iam_call("UploadServerCertificate", p)

    def assertNoCertificate(self, name="c1"):
        self.assertError(self.server.iam_call(
            "GetServerCertificate", [("ServerCertificateName", name)]),
            404, "NoSuchEntity")


class PassphraseTest(LimitsTestCase):
    """eulbd with a controlling terminal: nothing may prompt on it."""

    server_tty = True

    @classmethod
    def setUpServer(cls):
        p = [("LoadBalancerName", "pk"), ("AvailabilityZones.member.1",
                                          "one")]
        p += listener_params(http_listener())
        status, _, body = cls.server.call("CreateLoadBalancer", p)
        if status != 200:
            raise AssertionError(body)

    def setUp(self):
        super().setUp()
        # Without a terminal OpenSSL's prompt fails at once, and these
        # tests would prove nothing.
        self.assertNotEqual(self.server.tty_nr(), 0,
                            "eulbd has no controlling terminal")

    def tearDown(self):
        self.assertNotIn(PROMPT, self.server.tty_output())
        super().tearDown()

    def refused_upload(self, part, **kw):
        err = self.refused(lambda: self.upload(**kw), 400,
                           "MalformedCertificate", part)
        self.assertNoCertificate()
        return err

    def test_encrypted_pkcs8_private_key(self):
        self.refused_upload("encrypted", body=read("backend.crt"),
                            key=read("backend-pkcs8.key"))

    def test_legacy_proc_type_private_key(self):
        self.refused_upload("encrypted", body=read("backend.crt"),
                            key=read("backend-legacy.key"))

    def test_proc_type_certificate_body(self):
        self.refused_upload("encrypted", body=proc_type(read("backend.crt")))

    def test_proc_type_certificate_chain(self):
        self.refused_upload(
            "encrypted", body=read("backend.crt"),
            chain=proc_type(read("intermediate-ca.crt")))

    def test_proc_type_public_key_policy(self):
        for value in (proc_type(read("backend.crt")),
                      proc_type(read("backend.pub"))):
            self.refused(lambda: self.server.call(
                "CreateLoadBalancerPolicy",
                policy_params("pk", "key", "PublicKeyPolicyType",
                              ("PublicKey", value))),
                409, "InvalidConfigurationRequest", "encrypted")

    def test_plain_key_still_uploads(self):
        self.ok(self.upload(body=read("backend.crt"), name="plain"))
        self.ok(self.server.iam_call("DeleteServerCertificate",
                                     [("ServerCertificateName", "plain")]))


class TlsKeyAtStartTest(unittest.TestCase):
    """An encrypted --tls-key stops eulbd at start, with a terminal too."""

    def start_refused(self, key):
        s = et.Server("--tls-cert", cert_path("server-chain.crt"),
                      "--tls-key", cert_path(key), tty=True)
        try:
            with self.assertRaises(AssertionError) as cm:
                s.start()
            self.assertIn("exited with", str(cm.exception))
            self.assertIn("--tls-key", s.log_text())
            self.assertNotIn(PROMPT, s.tty_output())
        finally:
            s.kill()

    def test_encrypted_pkcs8_tls_key(self):
        self.start_refused("server-pkcs8.key")

    def test_legacy_encrypted_tls_key(self):
        self.start_refused("server-legacy.key")


class CertificateBlocksTest(LimitsTestCase):
    """Body and chain take CERTIFICATE blocks and whitespace, nothing
    else; what is refused is not stored."""

    def refused_upload(self, part, **kw):
        self.refused(lambda: self.upload(**kw), 400, "MalformedCertificate",
                     part)
        self.assertNoCertificate()

    def test_private_key_in_body(self):
        crt, key = read("backend.crt"), read("backend.key")
        self.refused_upload("PRIVATE KEY", body=crt + key)
        self.refused_upload("PRIVATE KEY", body=key + crt)

    def test_private_key_in_chain(self):
        self.refused_upload("PRIVATE KEY", body=read("backend.crt"),
                            chain=read("intermediate-ca.crt") +
                            read("backend.key"))

    def test_other_blocks(self):
        self.refused_upload("PUBLIC KEY", body=read("backend.pub"))
        self.refused_upload("PUBLIC KEY", body=read("backend.crt"),
                            chain=read("backend.pub"))

    def test_text_outside_the_blocks(self):
        crt = read("backend.crt")
        self.refused_upload("outside", body=crt + "trailing junk\n")
        self.refused_upload("outside", body="subject=/CN=backend\n" + crt)
        self.refused_upload("outside", body=crt,
                            chain=read("intermediate-ca.crt") + "junk")

    def test_body_of_two_certificates(self):
        self.refused_upload("more than one certificate",
                            body=read("backend.crt") +
                            read("intermediate-ca.crt"))

    def test_no_certificate(self):
        self.refused_upload("no PEM", body="\n  \n")
        self.refused_upload("END", body=read("backend.crt")[:-30])

    def test_certificates_with_whitespace_are_accepted(self):
        chain = read("intermediate-ca.crt") + "\n\n" + read("root-ca.crt")
        self.ok(self.upload(body="\n\n" + read("backend.crt") + "  \n",
                            chain=chain, name="good"))
        body = self.ok(self.server.iam_call(
            "GetServerCertificate", [("ServerCertificateName", "good")]))
        self.assertNotIn(b"PRIVATE KEY", body)
        self.assertIn(b"BEGIN CERTIFICATE", body)
        self.ok(self.server.iam_call("DeleteServerCertificate",
                                     [("ServerCertificateName", "good")]))


def run_eulbd(server, *args):
    r = subprocess.run([et.bin_path("eulbd")] + list(args) +
                       ["--db", server.db], capture_output=True,
                       timeout=RUN_TIMEOUT, cwd=server.dir,
                       env=et.clean_env(server.home),
                       stdin=subprocess.DEVNULL)
    et.check_sanitizers("eulbd", r.stderr.decode("utf-8", "replace"))
    if r.returncode != 0:
        raise AssertionError("eulbd %s: %s" % (args, r.stderr.decode()))


SUBNETS = ["subnet-0000000%d" % i for i in range(1, 5)]


class PerLoadBalancerLimitsTest(LimitsTestCase):
    server_args = ("--max-policies", "3", "--max-zones", "3")

    @classmethod
    def setUpServer(cls):
        for i, sid in enumerate(SUBNETS, 1):
            run_eulbd(cls.server, "subnet", "add", "admin", sid,
                      "zone-%d" % i, "vpc-11111111")

    def create_policy(self, action, lb, name):
        extra = {"CreateLBCookieStickinessPolicy":
                 [("CookieExpirationPeriod", "60")],
                 "CreateAppCookieStickinessPolicy":
                 [("CookieName", "session")],
                 "CreateLoadBalancerPolicy":
                 [("PolicyTypeName", "ProxyProtocolPolicyType"),
                  ("PolicyAttributes.member.1.AttributeName",
                   "ProxyProtocol"),
                  ("PolicyAttributes.member.1.AttributeValue", "true")]}
        return self.server.call(action, [("LoadBalancerName", lb),
                                         ("PolicyName", name)] +
                                extra[action])

    ACTIONS = ("CreateLBCookieStickinessPolicy",
               "CreateAppCookieStickinessPolicy", "CreateLoadBalancerPolicy")

    def test_too_many_policies_on_each_create_action(self):
        self.ok(self.create_lb("pol"))
        self.ok(self.create_lb("pol2"))
        try:
            for i, action in enumerate(self.ACTIONS):
                self.ok(self.create_policy(action, "pol", "p%d" % i))
            for action in self.ACTIONS:
                self.refused(lambda: self.create_policy(action, "pol", "x"),
                             400, "TooManyPolicies", "pol")
            # The limit is per load balancer, and a deletion makes room.
            self.ok(self.create_policy(self.ACTIONS[0], "pol2", "p0"))
            self.ok(self.server.call("DeleteLoadBalancerPolicy",
                                     [("LoadBalancerName", "pol"),
                                      ("PolicyName", "p1")]))
            self.ok(self.create_policy(self.ACTIONS[2], "pol", "again"))
        finally:
            self.delete_lb("pol")
            self.delete_lb("pol2")

    def test_zones_over_the_limit(self):
        four = ["a", "b", "c", "d"]
        self.refused(lambda: self.create_lb("zones", zones=four), 400,
                     "ValidationError", "limit is 3")
        self.ok(self.create_lb("zones", zones=four[:3]))
        try:
            self.refused(lambda: self.server.call(
                "EnableAvailabilityZonesForLoadBalancer",
                [("LoadBalancerName", "zones")] +
                members("AvailabilityZones", ["d"])),
                400, "ValidationError", "limit is 3")
            # A zone it already has does not count twice.
            self.ok(self.server.call(
                "EnableAvailabilityZonesForLoadBalancer",
                [("LoadBalancerName", "zones")] +
                members("AvailabilityZones", ["a", "c"])))
        finally:
            self.delete_lb("zones")

    def test_subnets_over_the_limit(self):
        self.refused(lambda: self.create_lb("vpc", subnets=SUBNETS), 400,
                     "ValidationError", "limit is 3")
        self.ok(self.create_lb("vpc", subnets=SUBNETS[:3]))
        try:
            self.refused(lambda: self.server.call(
                "AttachLoadBalancerToSubnets",
                [("LoadBalancerName", "vpc")] +
                members("Subnets", SUBNETS[3:])),
                400, "ValidationError", "limit is 3")
        finally:
            self.delete_lb("vpc")

    def test_account_limits_name_only_what_aws_has(self):
        body = self.ok(self.server.call("DescribeAccountLimits"))
        limits = {m.findtext("Name"): m.findtext("Max") for m in
                  parse_xml(body).findall(".//Limits/member")}
        self.assertEqual(limits, {"classic-load-balancers": "20",
                                  "classic-listeners": "100",
                                  "classic-registered-instances": "1000"})

    def test_account_limits_page_like_describe_load_balancers(self):
        pages, marker = [], None
        for _ in range(4):
            body = self.ok(self.server.call(
                "DescribeAccountLimits", [("PageSize", "2")] +
                ([("Marker", marker)] if marker else [])))
            pages.append([m.findtext("Name") for m in
                          parse_xml(body).findall(".//Limits/member")])
            marker = next_marker(body)
            if not marker:
                break
        self.assertEqual(pages, [["classic-load-balancers",
                                  "classic-listeners"],
                                 ["classic-registered-instances"]])
        status, _, body = self.server.call("DescribeAccountLimits",
                                           [("Marker", "no-such-limit")])
        self.assertEqual(status, 400, body)
        self.assertEqual(parse_xml(body).findtext(".//Code"),
                         "ValidationError")
        # awscli hands NextMarker back (PageSize is the operation's own
        # parameter there), and takes it as --marker.
        rc, doc, err = self.server.aws("describe-account-limits",
                                       "--page-size", "1")
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["NextMarker"], "classic-load-balancers")
        rc, doc, err = self.server.aws("describe-account-limits",
                                       "--marker", doc["NextMarker"])
        self.assertEqual(rc, 0, err)
        self.assertEqual([l["Name"] for l in doc["Limits"]],
                         ["classic-listeners",
                          "classic-registered-instances"])
        self.assertNotIn("NextMarker", doc)

    def test_repeated_public_key_reference(self):
        self.ok(self.create_lb("bsa"))
        try:
            self.ok(self.server.call(
                "CreateLoadBalancerPolicy",
                policy_params("bsa", "key", "PublicKeyPolicyType",
                              ("PublicKey", read("backend.crt")))))
            self.refused(lambda: self.server.call(
                "CreateLoadBalancerPolicy",
                policy_params("bsa", "auth",
                              "BackendServerAuthenticationPolicyType",
                              ("PublicKeyPolicyName", "key"),
                              ("PublicKeyPolicyName", "key"))),
                409, "InvalidConfigurationRequest", "twice")
        finally:
            self.delete_lb("bsa")


class DefaultLimitsTest(LimitsTestCase):
    """The defaults: 100 policies per load balancer; AccessLog checks."""

    @classmethod
    def setUpServer(cls):
        p = [("LoadBalancerName", "logs"), ("AvailabilityZones.member.1",
                                            "one")]
        p += listener_params(http_listener())
        status, _, body = cls.server.call("CreateLoadBalancer", p)
        if status != 200:
            raise AssertionError(body)

    def test_one_hundred_policies(self):
        self.ok(self.create_lb("many"))
        try:
            for i in range(100):
                self.ok(self.server.call(
                    "CreateLBCookieStickinessPolicy",
                    [("LoadBalancerName", "many"),
                     ("PolicyName", "p%d" % i)]))
            self.refused(lambda: self.server.call(
                "CreateLBCookieStickinessPolicy",
                [("LoadBalancerName", "many"), ("PolicyName", "p100")]),
                400, "TooManyPolicies")
        finally:
            self.delete_lb("many")

    def attributes(self):
        return et.without_request_id(self.ok(self.server.call(
            "DescribeLoadBalancerAttributes", [("LoadBalancerName",
                                                "logs")])))

    def modify(self, **access_log):
        p = [("LoadBalancerName", "logs"),
             ("LoadBalancerAttributes.AccessLog.Enabled", "false")]
        p += [("LoadBalancerAttributes.AccessLog." + k, v)
              for k, v in access_log.items()]
        return self.server.call("ModifyLoadBalancerAttributes", p)

    def refused_modify(self, part, **access_log):
        before = self.attributes()
        self.refused(lambda: self.modify(**access_log), 400,
                     "ValidationError", part)
        self.assertEqual(before, self.attributes())

    def test_bucket_names(self):
        for bad, part in (("ab", "3 to 63"), ("a" * 64, "3 to 63"),
                          ("My-Bucket", "lower-case"),
                          ("my_bucket", "lower-case"),
                          ("-bucket", "begin and end"),
                          ("bucket.", "begin and end"),
                          ("my..bucket", "adjacent"),
                          ("192.168.1.1", "IP address"),
                          ("x" * 100000, "3 to 63")):
            with self.subTest(bucket=bad[:20]):
                self.refused_modify(part, S3BucketName=bad)
        for good in ("abc", "my.bucket-1", "a" * 63, "1bucket2"):
            self.ok(self.modify(S3BucketName=good))
            self.assertIn(good.encode(), self.attributes())

    def test_bucket_prefix_length(self):
        self.refused_modify("1024", S3BucketPrefix="p" * 1025)
        self.ok(self.modify(S3BucketPrefix="p" * 1024))
        self.assertIn(b"p" * 1024, self.attributes())


def page_of(body, as_json):
    """(load balancer names, NextMarker) of a DescribeLoadBalancers page."""
    if not as_json:
        return lb_names(body), next_marker(body)
    result = json.loads(body)["DescribeLoadBalancersResponse"][
        "DescribeLoadBalancersResult"]
    return ([d["LoadBalancerName"] for d in
             result["LoadBalancerDescriptions"]],
            result.get("NextMarker") or "")


MAX_RESPONSE = 16384
ENVELOPE = 1024  # the response around the Result's contents


class ResponseBoundTest(LimitsTestCase):
    """With --max-response-bytes: pages end early with a NextMarker;
    answers that cannot page are refused rather than built."""

    server_args = ("--max-response-bytes", str(MAX_RESPONSE))
    NAMES = ["big-%d" % i for i in range(6)]

    @classmethod
    def setUpServer(cls):
        # About 6 KB each: 20 zones of 250 characters.
        zones = ["z%02d-%s" % (i, "x" * 246) for i in range(20)]
        for name in cls.NAMES:
            p = [("LoadBalancerName", name)] + listener_params(
                http_listener()) + members("AvailabilityZones", zones)
            status, _, body = cls.server.call("CreateLoadBalancer", p)
            if status != 200:
                raise AssertionError(body)

    def pages(self, as_json=False):
        """Every page of DescribeLoadBalancers: (names, number of pages)."""
        seen, marker, pages = [], "", 0
        while True:
            p = [("Marker", marker)] if marker else []
            body = self.ok(self.server.call("DescribeLoadBalancers", p,
                                            accept_json=as_json))
            self.assertLessEqual(len(body), MAX_RESPONSE + ENVELOPE)
            names, marker = page_of(body, as_json)
            self.assertTrue(names, "an empty page")
            seen += names
            pages += 1
            if not marker:
                return seen, pages

    def test_pages_end_early_with_a_marker(self):
        seen, pages = self.pages()
        self.assertEqual(seen, self.NAMES)
        self.assertGreater(pages, 1)

    def test_json_pages_too(self):
        seen, pages = self.pages(as_json=True)
        self.assertEqual(seen, self.NAMES)
        self.assertGreater(pages, 1)

    def test_named_load_balancers_over_the_bound(self):
        self.assertError(self.server.describe(*self.NAMES), 400,
                         "ValidationError", str(MAX_RESPONSE))
        self.assertError(self.server.describe(*(["big-0"] * 10)), 400,
                         "ValidationError", "fewer")
        self.assertEqual(lb_names(self.ok(self.server.describe("big-0"))),
                         ["big-0"])

    def test_policy_descriptions_over_the_bound(self):
        # An SSL negotiation policy describes its ~95 attributes: ~10 KB.
        self.ok(self.create_lb("ssl"))
        try:
            for name in ("s1", "s2"):
                self.ok(self.server.call(
                    "CreateLoadBalancerPolicy",
                    policy_params("ssl", name, "SSLNegotiationPolicyType",
                                  ("Reference-Security-Policy",
                                   "ELBSecurityPolicy-2016-08"))))
            self.assertError(self.server.call(
                "DescribeLoadBalancerPolicies",
                [("LoadBalancerName", "ssl")]), 400, "ValidationError",
                "PolicyNames")
            self.ok(self.server.call(
                "DescribeLoadBalancerPolicies",
                [("LoadBalancerName", "ssl"),
                 ("PolicyNames.member.1", "s2")]))
            self.assertError(self.server.call(
                "DescribeLoadBalancerPolicies",
                members("PolicyNames", ["ELBSecurityPolicy-2016-08"] * 3)),
                400, "ValidationError", "PolicyNames")
            # The predefined set, a fixed size, is always listed.
            self.ok(self.server.call("DescribeLoadBalancerPolicies"))
        finally:
            self.delete_lb("ssl")

    def test_policy_type_descriptions_over_the_bound(self):
        # A repeated name is described again each time: 2,000 repeats in
        # a 105 KB request made a 39 MB answer.
        self.assertError(self.server.call(
            "DescribeLoadBalancerPolicyTypes",
            members("PolicyTypeNames", ["SSLNegotiationPolicyType"] * 50)),
            400, "ValidationError", "PolicyTypeNames")
        # One of each is always described, and so is the whole
        # catalogue, a fixed size.
        self.ok(self.server.call(
            "DescribeLoadBalancerPolicyTypes",
            members("PolicyTypeNames", ["SSLNegotiationPolicyType"])))
        self.ok(self.server.call("DescribeLoadBalancerPolicyTypes"))


class LimitsTest(ApiTestCase):
    """eulbd --max-load-balancers 2 --max-listeners 2
    --max-registered-instances 1: reported and enforced."""

    server_args = ("--max-load-balancers", "2", "--max-listeners", "2",
                   "--max-registered-instances", "1")

    @classmethod
    def setUpServer(cls):
        super().setUpServer()
        cls.create_lb("first")
        cls.create_lb("second")

    def test_limits_reported(self):
        body = self.ok(self.server.call("DescribeAccountLimits"))
        limits = [(m.findtext("Name"), m.findtext("Max")) for m in
                  parse_xml(body).findall(".//Limits/member")]
        self.assertEqual(limits, [("classic-load-balancers", "2"),
                                  ("classic-listeners", "2"),
                                  ("classic-registered-instances", "1")])

    def test_third_load_balancer(self):
        with self.assertNothingChanges():
            self.refused(400, "TooManyLoadBalancers", "CreateLoadBalancer",
                         [("LoadBalancerName", "third")] +
                         listener_params(http_listener()) +
                         members("AvailabilityZones", ["one"]))
        rc, out, err = self.server.cli(
            "create-lb", "-l", "protocol=HTTP,lb-port=80,instance-port=8080",
            "-z", "one", "third")
        self.assertEqual((rc, out), (1, ""), err)
        self.assertTrue(err.startswith(
            "eulb-create-lb: error (TooManyLoadBalancers): "), err)

    def test_listener_limit(self):
        self.ok(self.server.call(
            "CreateLoadBalancerListeners", [("LoadBalancerName", "first")] +
            listener_params(http_listener(81, 8081))))
        with self.assertNothingChanges("first"):
            self.refused(400, "ValidationError",
                         "CreateLoadBalancerListeners",
                         [("LoadBalancerName", "first")] +
                         listener_params(http_listener(82, 8082)))

    def test_registered_instance_limit(self):
        self.register("second", "i-12345678")
        with self.assertNothingChanges("second"):
            self.refused(400, "ValidationError",
                         "RegisterInstancesWithLoadBalancer",
                         [("LoadBalancerName", "second")] +
                         instance_params(["i-44444444"]))
if __name__ == "__main__":
    unittest.main()

if __name__ == "__main__":
    unittest.main()
