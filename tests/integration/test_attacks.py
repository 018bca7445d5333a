"""eulbd attacked as an outsider and as a tenant would (issue 10): slow
bodies, TLS exhaustion, characters XML cannot carry, signatures scoped to
another region, the servo credential used as an account, client
certificates without clientAuth, huge query strings, file modes, a key
rotation under a running server, and ambiguous request framing.

Attack traffic comes from 127.0.0.2 and normal clients from 127.0.0.1, both
on loopback, so the per-address connection limit can be seen to protect the
latter. Every loop is bounded in count and time."""

import json
import os
import shutil
import socket
import ssl
import stat
import subprocess
import threading
import time
import unittest
import xml.etree.ElementTree as ET

import eulbtest as et
from eulbtest import ServerTestCase, http_listener, listener_params
from test_hardening import wait_closed
from test_tls import make_pki, tls_args

ATTACKER = "127.0.0.2"


def connect(port, source=None, timeout=5):
    return socket.create_connection(
        ("127.0.0.1", port), timeout=timeout,
        source_address=(source, 0) if source else None)


def raw_exchange(port, data, timeout=5.0):
    """Sends bytes; reads until close or timeout. (status, bytes)."""
    s = connect(port, timeout=timeout)
    got = b""
    try:
        s.sendall(data)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            got += chunk
            if b"\r\n\r\n" in got:
                head, _, body = got.partition(b"\r\n\r\n")
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        if len(body) >= int(line.split(b":")[1]):
                            deadline = 0
    finally:
        s.close()
    status = int(got.split(b" ", 2)[1]) if got.startswith(b"HTTP/1.") else None
    return status, got


class Trickler:
    """Keeps sockets alive by sending one byte of `data` per socket every
    `every` seconds until stopped; counts the sockets the server closed."""

    def __init__(self, socks, data, every):
        self.socks, self.data, self.every = list(socks), data, every
        self.closed = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        pos = {s: 0 for s in self.socks}
        while pos and not self._stop.is_set():
            for s in list(pos):
                try:
                    s.send(self.data[pos[s] % len(self.data):][:1])
                    pos[s] += 1
                except (BlockingIOError, InterruptedError, socket.timeout):
                    pass
                except OSError:
                    self.closed += 1
                    del pos[s]
            self._stop.wait(self.every)

    def __enter__(self):
        for s in self.socks:
            s.setblocking(False)
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join(10)
        for s in self.socks:
            s.close()


def healthz_latencies(get, seconds, every=0.5):
    """Calls get() (which returns True on a good answer) every `every` s
    for `seconds`; returns the list of (ok, latency)."""
    out = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.monotonic()
        try:
            ok = get()
        except OSError:
            ok = False
        out.append((ok, time.monotonic() - t0))
        time.sleep(every)
    return out


# --- 1: slow request bodies -------------------------------------------------

class SlowBodyTest(ServerTestCase):
    LIMIT, TIMEOUT = 40, 3
    server_args = ("--max-connections", str(LIMIT),
                   "--connection-timeout", str(TIMEOUT))

    HEAD = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
            b"application/x-www-form-urlencoded\r\nContent-Length: 100000"
            b"\r\n\r\n")

    def healthz(self):
        st, _ = raw_exchange(self.server.port, b"GET /healthz HTTP/1.1\r\n"
                             b"Host: x\r\nConnection: close\r\n\r\n",
                             timeout=2)
        return st == 200

    def test_a_trickled_body_is_cut_at_the_request_deadline(self):
        s = connect(self.server.port)
        s.sendall(self.HEAD)
        t0 = time.monotonic()
        with Trickler([s], b"Action=x&", 0.5) as t:
            closed = wait_closed(s, t0 + self.TIMEOUT + 3) or t.closed
        self.assertTrue(closed, "a body trickled at 2 bytes/s still holds "
                        "its connection after %d s" % (self.TIMEOUT + 3))

    def test_healthz_answers_while_an_address_trickles_bodies(self):
        socks = []
        for _ in range(self.LIMIT + 10):
            try:
                s = connect(self.server.port, ATTACKER, timeout=2)
                s.sendall(self.HEAD)
                socks.append(s)
            except OSError:
                pass
        with Trickler(socks, b"a", 1.0):
            got = healthz_latencies(self.healthz, 2 * self.TIMEOUT + 2)
        bad = [lat for ok, lat in got if not ok or lat > 1.0]
        self.assertFalse(bad, "healthz failed or took > 1 s %d of %d times "
                         "while %s trickled bodies" % (len(bad), len(got),
                                                        ATTACKER))


# --- 2: TLS front exhaustion --------------------------------------------------

def thread_count(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    raise AssertionError("no Threads line for %d" % pid)


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class TlsExhaustionTest(unittest.TestCase):
    LIMIT = 20

    @classmethod
    def setUpClass(cls):
        cls.pki = make_pki()
        cls.server = et.Server(*tls_args(cls.pki, client_ca=False),
                               "--max-connections", str(cls.LIMIT)).start()
        cls.ctx = ssl.create_default_context(
            cafile=os.path.join(cls.pki, "root-ca.crt"))

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.pki, ignore_errors=True)

    def healthz(self):
        with socket.create_connection(("127.0.0.1", self.server.port),
                                      timeout=3) as raw:
            with self.ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n"
                          b"Connection: close\r\n\r\n")
                return s.recv(100).startswith(b"HTTP/1.1 200")

    def test_silent_connections_are_capped_and_healthz_answers(self):
        base = thread_count(self.server.proc.pid)
        socks = []
        try:
            for _ in range(10 * self.LIMIT):
                try:
                    socks.append(connect(self.server.port, ATTACKER, 2))
                except OSError:
                    pass
            time.sleep(1.0)
            threads = thread_count(self.server.proc.pid)
            got = healthz_latencies(self.healthz, 3)
        finally:
            for s in socks:
                s.close()
        self.assertLessEqual(threads - base, self.LIMIT,
                             "%d silent TLS connections made %d threads"
                             % (len(socks), threads - base))
        bad = [lat for ok, lat in got if not ok or lat > 1.0]
        self.assertFalse(bad, "healthz over TLS failed %d of %d times"
                         % (len(bad), len(got)))

    def test_a_trickled_handshake_is_cut_at_its_deadline(self):
        hello = bytes.fromhex("16030100c8010000c40303") + b"\x00" * 200
        s = connect(self.server.port)
        t0 = time.monotonic()
        with Trickler([s], hello, 1.0) as t:
            closed = wait_closed(s, t0 + 14) or t.closed
        self.assertTrue(closed, "a handshake trickled at 1 byte/s was not "
                        "cut within 14 s (the deadline is 10 s)")


class TlsDescriptorExhaustionTest(unittest.TestCase):
    """With descriptors exhausted, accept() fails: the front must back off,
    not spin."""

    def test_accept_backs_off_on_emfile(self):
        import resource
        pki = make_pki()
        server = et.Server(*tls_args(pki, client_ca=False))
        real_popen = subprocess.Popen

        def limited(*a, **kw):
            kw["preexec_fn"] = lambda: resource.setrlimit(
                resource.RLIMIT_NOFILE, (48, 48))
            return real_popen(*a, **kw)
        subprocess.Popen = limited
        try:
            server.start()
        finally:
            subprocess.Popen = real_popen
        socks = []
        try:
            for _ in range(60):
                try:
                    socks.append(connect(server.port, ATTACKER, 2))
                except OSError:
                    pass
            time.sleep(0.5)
            before = cpu_seconds(server.proc.pid)
            time.sleep(2.0)
            used = cpu_seconds(server.proc.pid) - before
        finally:
            for s in socks:
                s.close()
            server.close()
            shutil.rmtree(pki, ignore_errors=True)
        self.assertLess(used, 0.5, "eulbd used %.2f s of CPU in 2 s with "
                        "its descriptors exhausted" % used)


# --- 5: characters XML 1.0 forbids, raw bytes echoed into errors --------------

class XmlCharacterTest(ServerTestCase):
    def test_noncharacters_are_refused_and_nothing_is_stored(self):
        for bad in ("\ufffe", "\uffff", "a\x01b", "\x1b[31m"):
            with self.assertUnchanged():
                resp = self.server.call("CreateLoadBalancer", [
                    ("LoadBalancerName", "x1"),
                    ("AvailabilityZones.member.1", "one"),
                    ("Tags.member.1.Key", "k"),
                    ("Tags.member.1.Value", bad)] +
                    listener_params(http_listener()))
                err = self.assertError(resp, 400, "MalformedQueryString")
                self.assertIn("Tags.member.1.Value", err["Message"])

    def test_errors_echoing_header_bytes_stay_well_formed(self):
        for accept_json in (False, True):
            status, _, body = self.server.call(
                "DescribeLoadBalancers", headers={
                    "X-Amz-Date": "\udcff\x01<&>".encode(
                        "utf-8", "surrogateescape").decode("latin-1")},
                accept_json=accept_json)
            self.assertEqual(status, 400, body)
            if accept_json:
                msg = json.loads(body)["ErrorResponse"]["Error"]["Message"]
            else:
                msg = ET.fromstring(body).find(".//{*}Message").text
            self.assertIn("X-Amz-Date", msg)
            self.assertNotIn("\x01", msg)

    def test_an_odd_method_gets_a_well_formed_error(self):
        for accept in (b"text/xml", b"application/json"):
            st, got = raw_exchange(
                self.server.port, b"PATCH\xc3 / HTTP/1.1\r\nHost: x\r\n"
                b"Accept: " + accept + b"\r\nContent-Length: 0\r\n"
                b"Connection: close\r\n\r\n")
            if st is None or st != 400 or b"\r\n\r\n" not in got:
                continue  # libmicrohttpd refused it before eulbd saw it
            body = got.partition(b"\r\n\r\n")[2]
            if accept == b"application/json":
                doc = json.loads(body)
                self.assertIn("PATCH", doc["ErrorResponse"]["Error"]
                              ["Message"])
            else:
                ET.fromstring(body)


# --- 9: the signed region ------------------------------------------------------

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


# --- 10: the servo credential ------------------------------------------------

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


# --- 11: client certificates must carry clientAuth ---------------------------

class ClientAuthUsageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = make_pki()
        cls.server = et.Server(*tls_args(cls.pki)).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.pki, ignore_errors=True)

    def handshake(self, name):
        ctx = ssl.create_default_context(
            cafile=os.path.join(self.pki, "root-ca.crt"))
        ctx.load_cert_chain(os.path.join(self.pki, name + ".crt"),
                            os.path.join(self.pki, name + ".key"))
        try:
            with socket.create_connection(("127.0.0.1", self.server.port),
                                          timeout=5) as raw:
                with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n"
                              b"Connection: close\r\n\r\n")
                    return s.recv(100)
        except (ssl.SSLError, OSError) as e:
            return repr(e)

    def test_a_certificate_without_extended_key_usage_is_refused(self):
        got = self.handshake("client-noeku")
        # TLS 1.3 clients learn of the refusal after their side of the
        # handshake: as an alert, or as the connection closing unanswered.
        self.assertFalse(isinstance(got, bytes) and got.startswith(b"HTTP/"),
                         "answered: %r" % (got,))
        deadline = time.monotonic() + 5  # the log line may trail the close
        while ("clientAuth" not in self.server.log_text() and
               time.monotonic() < deadline):
            time.sleep(0.1)
        self.assertIn("clientAuth", self.server.log_text())

    def test_a_client_auth_certificate_passes(self):
        self.assertTrue(self.handshake("client").startswith(b"HTTP/1.1 200"))


# --- 12: huge query strings ---------------------------------------------------

class QueryStringTest(ServerTestCase):
    def get(self, nparams):
        q = "&".join("p%d=v" % i for i in range(nparams))
        return raw_exchange(self.server.port, (
            "GET /?Action=DescribeLoadBalancers&Version=2012-06-01&%s "
            "HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % q).encode(),
            timeout=8)

    def test_4000_parameters_are_answered(self):
        t0 = time.monotonic()
        st, got = self.get(4000)
        self.assertLess(time.monotonic() - t0, 5, "no answer within 5 s")
        self.assertEqual(st, 400, got[:300])
        self.assertIn(b"at most 2000", got)

    def test_a_query_over_64k_is_414(self):
        st, got = self.get(10000)
        self.assertEqual(st, 414, got[:300])
        self.assertIn(b"RequestURITooLong", got)
        self.assertEqual(self.server.describe()[0], 200)


# --- 13 and 14: files and the master-key rotation ---------------------------

class FilesTest(ServerTestCase):
    def test_database_files_are_private(self):
        self.assertOk(self.server.call("CreateLoadBalancer", [
            ("LoadBalancerName", "files"),
            ("AvailabilityZones.member.1", "one")] +
            listener_params(http_listener())))
        for suffix in ("", "-wal", "-shm"):
            path = self.server.db + suffix
            self.assertTrue(os.path.exists(path), path)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600,
                             path)

    def test_an_older_world_readable_database_is_made_private(self):
        self.server.stop()
        os.chmod(self.server.db, 0o644)
        self.server.start()
        self.assertEqual(stat.S_IMODE(os.stat(self.server.db).st_mode),
                         0o600)

    def test_rotation_refuses_while_the_server_runs(self):
        key = os.path.join(self.server.dir, "master.key")
        with open(key, "rb") as f:
            before = f.read()
        r = subprocess.run([et.bin_path("eulbd"), "rotate-master-key",
                            "--db", self.server.db], capture_output=True,
                           timeout=60, env=et.clean_env(self.server.home),
                           stdin=subprocess.DEVNULL)
        et.check_sanitizers("eulbd rotate-master-key", r.stderr.decode())
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"stop it first", r.stderr)
        with open(key, "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertOk(self.server.describe())

    def test_a_second_server_on_the_same_database_refuses(self):
        r = subprocess.run([et.bin_path("eulbd"), "--listen", "127.0.0.1:0",
                            "--db", self.server.db], capture_output=True,
                           timeout=30, env=et.clean_env(self.server.home),
                           stdin=subprocess.DEVNULL)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"another eulbd", r.stderr)


# --- 15: request framing -----------------------------------------------------

class FramingTest(ServerTestCase):
    def post(self, headers, body=b"Action=DescribeLoadBalancers"):
        return raw_exchange(self.server.port, b"POST / HTTP/1.1\r\nHost: x\r\n"
                            + headers + b"\r\n" + body)

    def test_two_different_content_lengths_are_400(self):
        st, got = self.post(b"Content-Length: 28\r\nContent-Length: 5\r\n")
        self.assertEqual(st, 400, got[:300])
        self.assertIn(b"BadRequest", got)
        self.assertIn(b"Connection: close", got)

    def test_content_length_with_transfer_encoding_is_400(self):
        st, got = self.post(b"Content-Length: 28\r\nTransfer-Encoding: "
                            b"chunked\r\n")
        self.assertEqual(st, 400, got[:300])
        self.assertIn(b"BadRequest", got)

    def test_a_repeated_equal_content_length_is_read(self):
        st, got = self.post(b"Content-Length: 28\r\nContent-Length: 28\r\n")
        self.assertEqual(st, 403, got[:300])  # parsed, then unsigned


if __name__ == "__main__":
    unittest.main()
