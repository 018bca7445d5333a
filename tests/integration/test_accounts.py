"""Accounts: signatures, isolation between tenants, delegation,
regions, the servo credential and secrets at rest.

One server per TestCase class. Run from this folder:
    EULB_BIN_DIR=<build>/bin python3 -m unittest -v test_accounts
"""

import datetime
import os
import shutil
import subprocess
import tempfile
import unittest

import eulbtest as et
from eulbtest import (REPO, RUN_TIMEOUT, Creds, ServerTestCase, bin_path,
                      check_sanitizers, clean_env,
                      http_listener, lb_names, listener_params, make_pki,
                      parse_error, parse_xml)
from lbcase import (LbBadInputCase, create_params, health_check_params,
                    instance_params, key_body, run_eulbd)


# Prints a DescribeLoadBalancers URL presigned by botocore for 300 s.
PRESIGN = """
import os
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
e = os.environ
r = AWSRequest(method="GET", url=e["ELB_URL"],
               params={"Action": "DescribeLoadBalancers",
                       "Version": "2012-06-01"})
SigV4QueryAuth(Credentials(e["ACCESS_KEY"], e["SECRET_KEY"]),
               "elasticloadbalancing", e["REGION"], expires=300).add_auth(r)
print(r.prepare().url)
"""


class SignatureAndIsolationTest(LbBadInputCase):
    def test_wrong_signature(self):
        wrong = Creds(self.server.admin.access_key, "x" * 40, self.acct)
        self.refused(self.probe(), 403, "SignatureDoesNotMatch", creds=wrong)

    def test_unknown_access_key(self):
        ghost = Creds("AKIANOSUCHKEY0000000", "y" * 40, "")
        self.refused(self.probe(), 403, "InvalidClientTokenId", creds=ghost)

    def test_date_out_of_range(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        for minutes in (-20, 20):
            with self.subTest(minutes=minutes):
                self.refused(self.probe(), 400, "RequestExpired",
                             date=now + datetime.timedelta(minutes=minutes))

    def test_presigned_query(self):
        rc, url, err = self.server.botocore(PRESIGN)
        self.assertEqual(rc, 0, err)
        target = url.strip().split("/", 3)[3]
        self.assertIn("X-Amz-Expires=300&", target)

        def get(t):
            return et.raw_exchange(self.server.port, (
                "GET /%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: "
                "close\r\n\r\n" % (t, self.server.port)).encode())
        status, got = get(target)
        self.assertEqual(status, 200, got[:400])
        # Expires is a whole number of seconds: "300x" was read as 300.
        status, got = get(target.replace("X-Amz-Expires=300&",
                                         "X-Amz-Expires=300x&"))
        self.assertEqual(status, 400, got[:400])
        self.assertIn(b"X-Amz-Expires", got)

    def test_missing_authentication(self):
        self.refused(self.probe(), 403, "MissingAuthenticationToken",
                     sign=False)

    def test_content_sha256_must_match_body(self):
        with self.assertUnchanged(self.other):
            status, _, body = self.server.raw(self.probe(),
                                              content_sha256="0" * 64)
        self.assertIn(status, (400, 403), body)
        parse_error(body)

    # -- tenancy

    def test_other_account_cannot_touch_lb(self):
        o = self.other
        s = self.server
        with self.assertUnchanged(o):
            self.assertError(s.describe("keep", creds=o), 400,
                             "LoadBalancerNotFound")
            self.assertError(s.call("CreateLoadBalancerListeners",
                                    [("LoadBalancerName", "keep")] +
                                    listener_params(http_listener(81, 81)),
                                    creds=o),
                             400, "LoadBalancerNotFound")
            self.assertError(s.call("DeleteLoadBalancerListeners",
                                    [("LoadBalancerName", "keep"),
                                     ("LoadBalancerPorts.member.1", "80")],
                                    creds=o),
                             400, "LoadBalancerNotFound")
            self.assertError(s.call("ConfigureHealthCheck",
                                    health_check_params("keep", interval=20),
                                    creds=o),
                             400, "LoadBalancerNotFound")
            # Deleting an unknown name succeeds, and must not touch the
            # owner's load balancer.
            self.assertOk(s.call("DeleteLoadBalancer",
                                 [("LoadBalancerName", "keep")], creds=o))
        self.assertEqual(lb_names(self.assertOk(s.describe("keep"))),
                         ["keep"])

    def test_other_account_lists_nothing(self):
        self.assertEqual(self.server.cli("describe-lbs", creds=self.other),
                         (0, "", ""))
        body = self.assertOk(self.server.describe(creds=self.other))
        self.assertEqual(lb_names(body), [])

    def test_same_name_in_two_accounts(self):
        s, o = self.server, self.other
        admin_before = s.snapshot()
        body = self.assertOk(s.call("CreateLoadBalancer",
                                    create_params("keep"), creds=o))
        self.assertEqual(parse_xml(body).findtext(".//DNSName"),
                         "keep-%s.lb.localhost" % o.account_id)
        self.assertOk(s.call("DeleteLoadBalancer",
                             [("LoadBalancerName", "keep")], creds=o))
        self.assertEqual(lb_names(self.assertOk(s.describe(creds=o))), [])
        self.assertEqual(s.snapshot().decode(), admin_before.decode())


# ---------------------------------------------------------------------------
class AdminUsageTest(unittest.TestCase):
    """`eulbd account|instance|subnet|rotate-master-key` print their usage
    before opening anything: asking for it, or a mistyped command, leaves
    no database or master key behind (in var/, the default)."""

    def run_in_empty_dir(self, *args):
        d = tempfile.mkdtemp(prefix="eulb-usage-")
        self.addCleanup(shutil.rmtree, d, ignore_errors=True)
        r = subprocess.run([bin_path("eulbd")] + list(args),
                           capture_output=True, timeout=RUN_TIMEOUT, cwd=d,
                           env=clean_env(d), stdin=subprocess.DEVNULL)
        err = r.stderr.decode()
        check_sanitizers("eulbd " + " ".join(args), err)
        return r.returncode, r.stdout.decode(), err, os.listdir(d)

    def test_help_and_mistakes_open_nothing(self):
        for args, want in ((("instance", "--help"), "eulbd instance add"),
                           (("subnet", "-h"), "eulbd subnet add"),
                           (("account", "--help"), "eulbd account create"),
                           (("servo-credentials", "--help"),
                            "eulbd servo-credentials"),
                           (("rotate-master-key", "--help"),
                            "eulbd rotate-master-key")):
            with self.subTest(args=args):
                rc, out, err, files = self.run_in_empty_dir(*args)
                self.assertEqual((rc, err, files), (0, "", []))
                self.assertIn(want, out)
        for args in (("instance",), ("instance", "add", "a"),
                     ("account", "bogus"), ("account", "list", "extra"),
                     ("subnet", "list"), ("rotate-master-key", "now")):
            with self.subTest(args=args):
                rc, out, err, files = self.run_in_empty_dir(*args)
                self.assertEqual((rc, out, files), (2, "", []))
                self.assertTrue(err.startswith("usage: eulbd "), err)


class DelegationTest(ServerTestCase):
    """DelegateAccount (euca2ools' --as-account): the cloud administrator
    acts as another account; nobody else may."""

    @classmethod
    def setUpServer(cls):
        cls.alice = cls.server.create_account("alice")
        cls.bob = cls.server.create_account("bob")
        st, _, body = cls.server.call("CreateLoadBalancer", [
            ("LoadBalancerName", "alices"),
            ("AvailabilityZones.member.1", "one")] +
            listener_params(http_listener()), creds=cls.alice)
        assert st == 200, body

    def test_admin_acts_as_another_account_by_name_or_id(self):
        for who in ("alice", self.alice.account_id):
            body = self.assertOk(self.server.call(
                "DescribeLoadBalancers", [("DelegateAccount", who)]))
            self.assertEqual(lb_names(body), ["alices"])
        body = self.assertOk(self.server.call(
            "CreateLoadBalancer", [("DelegateAccount", "bob"),
                                   ("LoadBalancerName", "made-for-bob"),
                                   ("AvailabilityZones.member.1", "one")] +
            listener_params(http_listener())))
        self.assertEqual(lb_names(self.assertOk(self.server.describe(
            creds=self.bob))), ["made-for-bob"])
        self.assertNotIn("made-for-bob", lb_names(self.assertOk(
            self.server.describe())))

    def test_other_accounts_may_not_delegate(self):
        with self.assertUnchanged(self.alice, self.bob):
            self.assertError(self.server.call(
                "DescribeLoadBalancers", [("DelegateAccount", "alice")],
                creds=self.bob), 403, "AccessDenied", "DelegateAccount")
            self.assertError(self.server.call(
                "DeleteLoadBalancer", [("DelegateAccount", "alice"),
                                       ("LoadBalancerName", "alices")],
                creds=self.bob), 403, "AccessDenied")

    def test_unknown_account_is_refused(self):
        self.assertError(self.server.call(
            "DescribeLoadBalancers", [("DelegateAccount", "nobody")]),
            400, "ValidationError", "nobody")
        self.assertError(self.server.call(
            "DescribeLoadBalancers", [("DelegateAccount", "eulb-system")]),
            400, "ValidationError")

    def test_delegation_is_granted_by_eulbd_account(self):
        run = lambda *a: subprocess.run(
            [bin_path("eulbd"), "account"] + list(a) + ["--db",
                                                        self.server.db],
            capture_output=True, timeout=60, stdin=subprocess.DEVNULL,
            env=clean_env(self.server.home))
        r = run("delegation", "bob", "on")
        self.assertEqual(r.returncode, 0, r.stderr)
        try:
            body = self.assertOk(self.server.call(
                "DescribeLoadBalancers", [("DelegateAccount", "alice")],
                creds=self.bob))
            self.assertEqual(lb_names(body), ["alices"])
            listing = run("list").stdout.decode()
            self.assertIn("\tbob\tmay-delegate", listing)
            self.assertIn("\tadmin\tmay-delegate", listing)
            self.assertNotIn("\talice\tmay-delegate", listing)
        finally:
            run("delegation", "bob", "off")
        self.assertError(self.server.call(
            "DescribeLoadBalancers", [("DelegateAccount", "alice")],
            creds=self.bob), 403, "AccessDenied")


class RegionsTest(ServerTestCase):
    """One eulbd serving two regions: state is kept apart by the region
    each request is signed for, as two AWS endpoints would keep it."""

    server_args = ("--region", "east-1", "--region", "west-1",
                   "--max-load-balancers", "2")

    def setUp(self):
        super().setUp()
        self.me = self.server.create_account(self.id().rsplit(".", 1)[1][:30])

    def create(self, name, region):
        return self.server.call("CreateLoadBalancer", [
            ("LoadBalancerName", name), ("AvailabilityZones.member.1", "one")]
            + listener_params(http_listener()), region=region, creds=self.me)

    def describe(self, *names, region):
        return self.server.describe(*names, region=region, creds=self.me)

    def test_regions_keep_their_own_load_balancers(self):
        self.assertOk(self.create("web", "east-1"))
        self.assertOk(self.create("web", "west-1"))
        self.assertOk(self.create("only-west", "west-1"))
        east = parse_xml(self.assertOk(self.describe(region="east-1")))
        west = parse_xml(self.assertOk(self.describe(region="west-1")))
        names = lambda root: [m.findtext("LoadBalancerName") for m in
                              root.find(".//LoadBalancerDescriptions")]
        self.assertEqual(names(east), ["web"])
        self.assertEqual(names(west), ["only-west", "web"])
        dns = lambda root, i: root.find(".//LoadBalancerDescriptions")[i]
        self.assertNotIn(".west-1.", dns(east, 0).findtext("DNSName"))
        self.assertIn("-%s.west-1.lb." % self.me.account_id,
                      dns(west, 1).findtext("DNSName"))
        self.assertNotEqual(dns(east, 0).findtext("CanonicalHostedZoneNameID"),
                            dns(west, 1).findtext("CanonicalHostedZoneNameID"))
        # Quotas count per region: west-1 is full, east-1 is not.
        self.assertError(self.create("third", "west-1"), 400,
                         "TooManyLoadBalancers")
        # Deleting in one region leaves the other's namesake alone.
        self.assertOk(self.server.call("DeleteLoadBalancer", [
            ("LoadBalancerName", "web")], region="west-1", creds=self.me))
        self.assertEqual(lb_names(self.assertOk(
            self.describe("web", region="east-1"))), ["web"])
        self.assertError(self.describe("web", region="west-1"), 400,
                         "LoadBalancerNotFound")

    def test_clients_pick_the_region(self):
        self.assertOk(self.create("picked", "west-1"))
        rc, out, err = self.server.cli("describe-lbs", creds=self.me,
                                       env={"AWS_DEFAULT_REGION": "west-1"})
        self.assertEqual(rc, 0, err)
        self.assertIn("\tpicked\t", out)
        rc, out, err = self.server.cli("describe-lbs", creds=self.me,
                                       env={"AWS_DEFAULT_REGION": "east-1"})
        self.assertEqual(rc, 0, err)
        self.assertNotIn("picked", out)
        self.assertEqual(self.server.region, "east-1")  # eucarc: home

    def test_a_region_not_served_is_refused(self):
        err = self.assertError(self.server.describe(region="north-1"), 403,
                               "SignatureDoesNotMatch")
        self.assertIn("'east-1', 'west-1'", err["Message"])


class RegionTest(ServerTestCase):
    def test_another_region_is_refused(self):
        for region in ("us-west-2", "undefined-4242"):
            err = self.assertError(self.server.describe(region=region), 403,
                                   "SignatureDoesNotMatch")
            self.assertIn("Credential should be scoped to a valid region",
                          err["Message"])
            self.assertIn(region, err["Message"])

    def test_the_servers_region_is_accepted(self):
        self.assertOk(self.server.describe(region=self.server.region))

    def test_cached_signing_keys_never_pass_a_wrong_secret(self):
        """eulbd caches derived signing keys per thread (issue 11): a
        wrong secret for an access key just used must still fail, and a
        second key of the same account must work beside the first."""
        admin = self.server.admin
        wrong = et.Creds(admin.access_key, admin.secret_key[:-1] + (
            "A" if admin.secret_key[-1] != "A" else "B"), admin.account_id)
        for _ in range(4):  # both of eulbd's threads see each
            self.assertOk(self.server.describe())
            self.assertError(self.server.describe(creds=wrong), 403,
                             "SignatureDoesNotMatch")
        r = subprocess.run([et.bin_path("eulbd"), "account", "create-key",
                            "admin", "--db", self.server.db],
                           capture_output=True, timeout=et.RUN_TIMEOUT,
                           env=et.clean_env(self.server.home),
                           stdin=subprocess.DEVNULL)
        ex = et.parse_exports(r.stdout.decode())
        second = et.Creds(ex["AWS_ACCESS_KEY_ID"],
                          ex["AWS_SECRET_ACCESS_KEY"], admin.account_id)
        for _ in range(4):
            self.assertOk(self.server.describe(creds=second))
            self.assertOk(self.server.describe())


class UndefinedRegionTest(ServerTestCase):
    server_args = ("--accept-undefined-region",)

    def test_euca2ools_unconfigured_region_behind_the_flag(self):
        self.assertOk(self.server.describe(region="undefined-4242"))
        self.assertError(self.server.describe(region="undefined-x"), 403,
                         "SignatureDoesNotMatch")
        self.assertError(self.server.describe(region="us-west-2"), 403,
                         "SignatureDoesNotMatch")

    def test_the_cli_without_a_region_works_behind_the_flag(self):
        rc, out, err = self.server.cli("describe-lbs",
                                       env={"AWS_DEFAULT_REGION": ""})
        self.assertEqual(rc, 0, err)


class ServoCredentialTest(ServerTestCase):
    @classmethod
    def setUpServer(cls):
        r = subprocess.run([et.bin_path("eulbd"), "servo-credentials",
                            "--db", cls.server.db], capture_output=True,
                           timeout=et.RUN_TIMEOUT,
                           env=et.clean_env(cls.server.home),
                           stdin=subprocess.DEVNULL)
        ex = et.parse_exports(r.stdout.decode())
        cls.servo = et.Creds(ex["AWS_ACCESS_KEY_ID"],
                             ex["AWS_SECRET_ACCESS_KEY"], "", "servo")

    def test_servo_credential_cannot_act_as_an_account(self):
        with self.assertUnchanged():
            resp = self.server.call(
                "CreateLoadBalancer", [("LoadBalancerName", "evil"),
                                       ("AvailabilityZones.member.1", "one")]
                + listener_params(http_listener()), creds=self.servo)
            err = self.assertError(resp, 403, "AccessDenied")
            self.assertIn("servo credential", err["Message"])
        self.assertError(self.server.describe(creds=self.servo), 403,
                         "AccessDenied")
        self.assertError(self.server.iam_call("ListServerCertificates",
                                              creds=self.servo),
                         403, "AccessDenied")

    def test_servo_actions_still_work_for_it(self):
        resp = self.server.call("DescribeLoadBalancersByServo", [
            ("LoadBalancerName", "none"),
            ("AccountId", "000000000000")], creds=self.servo)
        self.assertNotEqual(resp[0], 403, resp[2])

    def test_reported_states_are_cut_to_a_bound(self):
        # The servo's words reach the tenant (DescribeInstanceHealth):
        # 900 KB of Description were stored as sent.
        s = self.server
        run_eulbd(s, "instance", "add", "admin", "i-0badc0de", "10.0.0.9",
                  "one")
        self.assertOk(s.call("CreateLoadBalancer", create_params("cut")))
        self.addCleanup(s.call, "DeleteLoadBalancer",
                        [("LoadBalancerName", "cut")])
        self.assertOk(s.call("RegisterInstancesWithLoadBalancer",
                             [("LoadBalancerName", "cut")] +
                             instance_params(["i-0badc0de"])))
        self.assertOk(s.call("PutServoStates", [
            ("LoadBalancerName", "cut"), ("AccountId", s.admin.account_id),
            ("Instances.member.1.InstanceId", "i-0badc0de"),
            ("Instances.member.1.State", "OutOfService"),
            ("Instances.member.1.ReasonCode", "R" * 100),
            ("Instances.member.1.Description", "x" + "\u00e9" * 600)],
            creds=self.servo))
        m = parse_xml(self.assertOk(s.call(
            "DescribeInstanceHealth", [("LoadBalancerName", "cut")]))).find(
                ".//InstanceStates/member")
        self.assertEqual(m.findtext("State"), "OutOfService")
        self.assertEqual(m.findtext("ReasonCode"), "R" * 64)
        # 1,024 bytes would end inside a two-byte character.
        self.assertEqual(m.findtext("Description"), "x" + "\u00e9" * 511)


class ServoResponseBoundTest(ServoCredentialTest):
    """A PublicKey is inlined once for every policy and port that reaches
    it, so DescribeLoadBalancersByServo is bounded on its own (item 4)."""

    server_args = ("--max-response-bytes", "16384")

    def test_inlined_public_keys_are_bounded(self):
        pki = make_pki()
        self.addCleanup(shutil.rmtree, pki, True)
        with open(os.path.join(pki, "backend.crt")) as f:
            pem = f.read()
        ok = self.assertOk
        ok(self.server.call("CreateLoadBalancer", [
            ("LoadBalancerName", "fan"), ("AvailabilityZones.member.1", "one"),
            ("Listeners.member.1.Protocol", "TCP"),
            ("Listeners.member.1.LoadBalancerPort", "443"),
            ("Listeners.member.1.InstanceProtocol", "SSL"),
            ("Listeners.member.1.InstancePort", "8443")]))

        def policy(name, type_name, attr, value):
            ok(self.server.call("CreateLoadBalancerPolicy", [
                ("LoadBalancerName", "fan"), ("PolicyName", name),
                ("PolicyTypeName", type_name),
                ("PolicyAttributes.member.1.AttributeName", attr),
                ("PolicyAttributes.member.1.AttributeValue", value)]))
        policy("pk", "PublicKeyPolicyType", "PublicKey", pem)
        names = ["auth%d" % i for i in range(20)]
        for n in names:
            policy(n, "BackendServerAuthenticationPolicyType",
                   "PublicKeyPolicyName", "pk")
        servo_call = lambda: self.server.call(
            "DescribeLoadBalancersByServo", [
                ("LoadBalancerName", "fan"),
                ("AccountId", self.server.admin.account_id)],
            creds=self.servo)
        ok(self.server.call("SetLoadBalancerPoliciesForBackendServer", [
            ("LoadBalancerName", "fan"), ("InstancePort", "8443"),
            ("PolicyNames.member.1", "auth0")]))
        ok(servo_call())
        ok(self.server.call("SetLoadBalancerPoliciesForBackendServer", [
            ("LoadBalancerName", "fan"), ("InstancePort", "8443")] +
            [("PolicyNames.member.%d" % (i + 1), n)
             for i, n in enumerate(names)]))
        self.assertError(servo_call(), 400, "ValidationError", "PublicKeys")


class SecretsAtRestTest(unittest.TestCase):
    def setUp(self):
        self.pki = tempfile.mkdtemp(prefix="eulb-pki-")
        subprocess.run([os.path.join(REPO, "scripts", "gen-certs"),
                        self.pki], check=True, capture_output=True,
                       timeout=120)
        self.server = et.Server().start()

    def tearDown(self):
        self.server.close()
        shutil.rmtree(self.pki, ignore_errors=True)

    def db_bytes(self):
        data = b""
        for suffix in ("", "-wal"):
            p = self.server.db + suffix
            if os.path.exists(p):
                with open(p, "rb") as f:
                    data += f.read()
        return data

    def upload(self):
        with open(os.path.join(self.pki, "backend.key")) as f:
            key = f.read()
        rc, out, err = self.server.cli(
            "euare-servercertupload", "-s", "c1", "--certificate-file",
            os.path.join(self.pki, "backend.crt"), "--private-key-file",
            os.path.join(self.pki, "backend.key"))
        self.assertEqual(rc, 0, err)
        return key

    def test_the_database_file_holds_no_secret(self):
        other = self.server.create_account("other")
        key = self.upload()
        data = self.db_bytes()
        for secret in (self.server.admin.secret_key, other.secret_key):
            self.assertNotIn(secret.encode(), data)
        self.assertNotIn(key_body(key)[:64].encode(), data)
        self.assertIn(b"v1:", data)
        mode = os.stat(os.path.join(self.server.dir, "master.key")).st_mode
        self.assertEqual(mode & 0o777, 0o600)

    def test_a_copied_database_without_its_key_is_refused(self):
        self.upload()
        self.server.stop()
        copy = tempfile.mkdtemp(prefix="eulb-copy-")
        try:
            shutil.copy(self.server.db, os.path.join(copy, "eulb.db"))
            r = subprocess.run(
                [et.bin_path("eulbd"), "--listen", "127.0.0.1:0", "--db",
                 os.path.join(copy, "eulb.db")], capture_output=True,
                timeout=30, env=et.clean_env(self.server.home))
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(b"master key", r.stderr)
            self.assertFalse(os.path.exists(os.path.join(copy,
                                                         "master.key")))
        finally:
            shutil.rmtree(copy, ignore_errors=True)
        self.server.start()

    def test_rotation_reseals_and_keys_keep_working(self):
        self.upload()
        keyfile = os.path.join(self.server.dir, "master.key")
        with open(keyfile, "rb") as f:
            before = f.read()
        sealed_before = self.db_bytes()
        self.server.stop()
        r = subprocess.run([et.bin_path("eulbd"), "rotate-master-key",
                            "--db", self.server.db], capture_output=True,
                           timeout=60, env=et.clean_env(self.server.home))
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(keyfile, "rb") as f:
            after = f.read()
        self.assertNotEqual(before, after)
        self.assertEqual(len(after), 32)
        self.server.start()
        rc, out, err = self.server.cli("describe-lbs")
        self.assertEqual(rc, 0, err)
        rc, out, err = self.server.cli("euare-servercertgetattributes",
                                       "-s", "c1")
        self.assertEqual(rc, 0, err)
        # The old key no longer opens anything: put it back, start fails.
        self.server.stop()
        with open(keyfile, "wb") as f:
            f.write(before)
        r = subprocess.run([et.bin_path("eulbd"), "--listen", "127.0.0.1:0",
                            "--db", self.server.db], capture_output=True,
                           timeout=30, env=et.clean_env(self.server.home))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"does not open", r.stderr)
        with open(keyfile, "wb") as f:
            f.write(after)
        self.server.start()
        self.assertNotEqual(sealed_before, self.db_bytes())


if __name__ == "__main__":
    unittest.main()
