"""HTTPS and mutual TLS on the API: natively in eulbd, and with HAProxy in
front (scripts/haproxy-front) as in HAProxy's mTLS guide. Real
certificates from scripts/gen-certs, real curl, haproxy and eulb-* tools;
loopback only."""

import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

import eulbtest as et
from eulbtest import (ATTACKER, REPO, Trickler, connect, cpu_seconds,
                      healthz_latencies, make_pki, thread_count, tls_args,
                      wait_closed)

CURL = shutil.which("curl")
HAPROXY = shutil.which("haproxy")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MutualTlsMixin:
    """The four client cases, against whatever self.url() names."""

    def curl(self, *args):
        r = subprocess.run([CURL, "-sS", "--max-time", "10", "--cacert",
                            os.path.join(self.pki, "root-ca.crt")] +
                           list(args), capture_output=True, timeout=30)
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    def client(self, name):
        return ["--cert", os.path.join(self.pki, name + ".crt"),
                "--key", os.path.join(self.pki, name + ".key")]

    def eulb(self, *args, creds=None, env=None):
        tls = ["--ca-bundle", os.path.join(self.pki, "root-ca.crt")]
        return self.server.cli("describe-lbs", "-U", self.url(), *tls,
                               *args, creds=creds, env=env)

    def test_without_client_certificate_the_handshake_fails(self):
        rc, out, err = self.curl(self.url() + "healthz")
        self.assertNotEqual(rc, 0, out)
        self.assertIn("certificate required", err)
        rc, out, err = self.eulb()
        self.assertEqual(rc, 1, err)
        self.assertIn("eulb-describe-lbs: error:", err)
        self.assertEqual(out, "")

    def test_with_the_client_certificate_requests_succeed(self):
        rc, out, err = self.curl(*self.client("client"),
                                 self.url() + "healthz")
        self.assertEqual((rc, out), (0, "ok\n"), err)
        cert = ["--client-cert", os.path.join(self.pki, "client.crt"),
                "--client-key", os.path.join(self.pki, "client.key")]
        rc, out, err = self.server.cli(
            "create-lb", "-U", self.url(), "--ca-bundle",
            os.path.join(self.pki, "root-ca.crt"), *cert, "-l",
            "protocol=HTTP,lb-port=80,instance-port=8080", "-z", "one", "web")
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith("DNS_NAME\tweb-"), out)
        rc, out, err = self.eulb(
            "--client-cert", os.path.join(self.pki, "client.crt"),
            "--client-key", os.path.join(self.pki, "client.key"))
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith("LOAD_BALANCER\tweb\t"), out)

    def test_a_certificate_from_an_unrelated_ca_fails(self):
        rc, out, err = self.curl(*self.client("other-client"),
                                 self.url() + "healthz")
        self.assertNotEqual(rc, 0, out)
        self.assertRegex(err, "unknown ca|certificate verify failed|"
                              "alert|handshake")
        self.assertNotIn("ok", out)

    def test_an_expired_client_certificate_fails(self):
        rc, out, err = self.curl(*self.client("client-expired"),
                                 self.url() + "healthz")
        self.assertNotEqual(rc, 0, out)
        self.assertNotIn("ok", out)
        self.assertIn("expired", err)

    def test_a_wrong_secret_is_still_refused_after_the_handshake(self):
        wrong = et.Creds(self.server.admin.access_key, "x" * 40,
                         self.server.admin.account_id)
        rc, out, err = self.eulb(
            "--client-cert", os.path.join(self.pki, "client.crt"),
            "--client-key", os.path.join(self.pki, "client.key"),
            creds=wrong)
        self.assertEqual(rc, 1, err)
        self.assertIn("error (SignatureDoesNotMatch)", err)


class NativeTlsCase(unittest.TestCase):
    """eulbd itself on HTTPS, asking for client certificates (the pki's
    intermediate CA), one server per class."""

    @classmethod
    def setUpClass(cls):
        cls.pki = make_pki()
        cls.server = et.Server(*tls_args(cls.pki)).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.pki, ignore_errors=True)


@unittest.skipUnless(CURL, "curl is not installed")
class NativeMutualTlsTest(MutualTlsMixin, NativeTlsCase):
    def url(self):
        return self.server.root_url

    def test_server_announces_https_and_logs_the_client_subject(self):
        self.assertEqual(self.server.scheme, "https")
        self.assertTrue(self.server.eucarc["AWS_ELB_URL"].startswith(
            "https://127.0.0.1:"))
        mark = self.server.log_mark()
        rc, _, err = self.curl(*self.client("client"), "-d",
                               "Action=DescribeLoadBalancers", self.url())
        self.assertEqual(rc, 0, err)
        self.server.wait_log("client=/CN=scanner", mark)

    def test_the_cli_verifies_the_server_certificate(self):
        cert = ["--client-cert", os.path.join(self.pki, "client.crt"),
                "--client-key", os.path.join(self.pki, "client.key")]
        # Trusting only an unrelated CA, the CLI must refuse eulbd...
        rc, out, err = self.server.cli(
            "describe-lbs", "-U", self.url(), "--ca-bundle",
            os.path.join(self.pki, "other-ca.crt"), *cert)
        self.assertEqual(rc, 1, err)
        self.assertIn("certificate", err)
        # ...and by default (system CAs only) as well.
        rc, out, err = self.server.cli("describe-lbs", "-U", self.url(),
                                       *cert)
        self.assertEqual(rc, 1, err)
        # --insecure skips the check, loudly.
        rc, out, err = self.server.cli("describe-lbs", "-U", self.url(),
                                       "--insecure", *cert)
        self.assertEqual(rc, 0, err)
        self.assertIn("warning: the server's TLS certificate is not "
                      "verified", err)

    def test_client_certificate_from_a_euca_ini_region(self):
        euca = os.path.join(self.server.home, ".euca")
        os.makedirs(euca, exist_ok=True)
        ini = os.path.join(euca, "tls.ini")
        with open(ini, "w") as f:
            # The region the harness selects (AWS_DEFAULT_REGION).
            f.write("[region %s]\n"
                    "ca-bundle = %s\nclient-cert = %s\nclient-key = %s\n"
                    % (self.server.region,
                       os.path.join(self.pki, "root-ca.crt"),
                       os.path.join(self.pki, "client.crt"),
                       os.path.join(self.pki, "client.key")))
        try:
            rc, out, err = self.server.cli("describe-lbs")
            self.assertEqual(rc, 0, err)
        finally:
            os.unlink(ini)

    def test_client_certificate_from_the_environment(self):
        rc, out, err = self.server.cli(
            "describe-lbs", env={
                "AWS_CA_BUNDLE": os.path.join(self.pki, "root-ca.crt"),
                "EULB_CLIENT_CERT": os.path.join(self.pki, "client.crt"),
                "EULB_CLIENT_KEY": os.path.join(self.pki, "client.key")})
        self.assertEqual(rc, 0, err)


@unittest.skipUnless(CURL, "curl is not installed")
class HttpsWithoutClientCaTest(unittest.TestCase):
    """--tls-cert alone: HTTPS, no client certificate needed, SigV4 still
    checked."""

    @classmethod
    def setUpClass(cls):
        cls.pki = make_pki()
        cls.server = et.Server(*tls_args(cls.pki, client_ca=False)).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.pki, ignore_errors=True)

    def test_https_without_client_certificates(self):
        rc, out, err = self.server.cli(
            "describe-lbs", "--ca-bundle",
            os.path.join(self.pki, "root-ca.crt"))
        self.assertEqual((rc, out), (0, ""), err)
        r = subprocess.run([CURL, "-sS", "--cacert",
                            os.path.join(self.pki, "root-ca.crt"), "-d",
                            "Action=DescribeLoadBalancers&Version=2012-06-01",
                            self.server.root_url], capture_output=True,
                           timeout=30)
        self.assertIn(b"MissingAuthenticationToken", r.stdout)


@unittest.skipUnless(CURL and HAPROXY, "curl or haproxy is not installed")
class HaproxyFrontTest(MutualTlsMixin, unittest.TestCase):
    """Clients reach eulbd only through HAProxy, which itself presents
    its own client certificate to eulbd."""

    @classmethod
    def setUpClass(cls):
        cls.pki = make_pki()
        cls.server = et.Server(*tls_args(cls.pki)).start()
        cls.port = free_port()
        cls.state = tempfile.mkdtemp(prefix="eulb-front-")
        cls.front = subprocess.Popen(
            [os.path.join(REPO, "scripts", "haproxy-front"), "--listen",
             "127.0.0.1:%d" % cls.port, "--pki", cls.pki, "--state-dir",
             cls.state, "--backend", "127.0.0.1:%d" % cls.server.port],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", cls.port), 1).close()
                break
            except OSError:
                if cls.front.poll() is not None or \
                        time.monotonic() > deadline:
                    cls.tearDownClass()
                    raise AssertionError("haproxy-front did not start")
                time.sleep(0.1)

    @classmethod
    def tearDownClass(cls):
        if cls.front.poll() is None:
            cls.front.terminate()
            try:
                cls.front.wait(10)
            except subprocess.TimeoutExpired:
                cls.front.kill()
                cls.front.wait(5)
        cls.server.close()
        shutil.rmtree(cls.pki, ignore_errors=True)
        shutil.rmtree(cls.state, ignore_errors=True)

    def url(self):
        return "https://127.0.0.1:%d/" % self.port

    def test_eulbd_sees_haproxys_certificate(self):
        mark = self.server.log_mark()
        rc, out, err = self.eulb(
            "--client-cert", os.path.join(self.pki, "client.crt"),
            "--client-key", os.path.join(self.pki, "client.key"))
        self.assertEqual(rc, 0, err)
        self.server.wait_log("client=/CN=haproxy-front", mark)

    def test_eulbd_refuses_a_client_that_bypasses_haproxy_without_cert(self):
        r = subprocess.run([CURL, "-sS", "--max-time", "10", "--cacert",
                            os.path.join(self.pki, "root-ca.crt"),
                            self.server.root_url + "healthz"],
                           capture_output=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"certificate required", r.stderr)


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


class ClientAuthUsageTest(NativeTlsCase):
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
if __name__ == "__main__":
    unittest.main()

if __name__ == "__main__":
    unittest.main()
