"""The data plane end to end: eulbd, eulb-servo, the HAProxy it runs, and
real TLS instances (`openssl s_server -WWW`), all on loopback.

The load balancer listens on 127.0.0.1; instances sit on 127.0.0.N so that
they share one instance port. Health checks use the shortest interval
eulbd allows (5 s) with thresholds of 2; eulb-servo cycles every second.
Certificates come from scripts/gen-certs. Run from this folder:
    EULB_BIN_DIR=<build>/bin python3 -m unittest -v test_dataplane
EULB_DP_VERBOSE=1 prints every eulb-servo log (HAProxy's included);
EULB_KEEP_TMP=1 keeps the state directories.
"""

import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import os  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import sqlite3  # noqa: E402
import ssl  # noqa: E402
import stat  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import unittest  # noqa: E402

from eulbtest import (RUN_TIMEOUT, Creds, ModulePki,  # noqa: E402
                      ServerTestCase,
                      bin_path, check_sanitizers, clean_env, parse_exports)
from dataplane_util import (OPENSSL, Client, Instance, Load,  # noqa: E402
                            Servo, describe_health, free_port, have_tools,
                            port_open, public_key_base64, reissue, wait_for)

INTERVAL = 5        # health-check interval (eulbd's minimum)
THRESHOLD = 2       # healthy and unhealthy thresholds
CYCLE = 1           # eulb-servo --interval
SLACK = 4           # seconds of scheduling slack on top of the bounds
CONVERGE = 10       # a change made through the API is served by then

PKI = ModulePki()
_next_host = [2]    # instances on 127.0.0.2, 127.0.0.3, ...
_next_instance = [1]


def setUpModule():
    if not have_tools():
        raise unittest.SkipTest("haproxy and openssl are needed")
    PKI.make()
    # backend.key again, in a new certificate (a renewal).
    reissue(PKI.dir, "backend.key", "backend-renewed.crt", "backend")


def tearDownModule():
    PKI.remove()


cert = PKI.path
read = PKI.read


def der(pem):
    return ssl.PEM_cert_to_DER_cert(pem)


def new_hosts(n):
    out = []
    for _ in range(n):
        out.append("127.0.0.%d" % _next_host[0])
        _next_host[0] += 1
    return out


def new_instance_id():
    n = _next_instance[0]
    _next_instance[0] += 1
    return "i-%08x" % (0xd0000000 + n)


class DataPlaneCase(ServerTestCase):
    """One eulbd per class; each test builds its own load balancer, its
    instances and its eulb-servo, and stops them cleanly."""

    @classmethod
    def setUpServer(cls):
        s = cls.server
        cls.acct = s.admin.account_id
        r = subprocess.run([bin_path("eulbd"), "servo-credentials", "--db",
                            s.db], capture_output=True, timeout=RUN_TIMEOUT,
                           env=clean_env(s.home), stdin=subprocess.DEVNULL)
        check_sanitizers("eulbd servo-credentials", r.stderr.decode())
        ex = parse_exports(r.stdout.decode())
        if r.returncode != 0 or not ex.get("AWS_ACCESS_KEY_ID"):
            raise AssertionError("eulbd servo-credentials: %r %r"
                                 % (r.stdout, r.stderr))
        cls.servo_creds = Creds(ex["AWS_ACCESS_KEY_ID"],
                                ex["AWS_SECRET_ACCESS_KEY"], "", "servo")
        cls.work = tempfile.mkdtemp(prefix="eulb-dp-")
        cls.arn = "arn:aws:iam::%s:server-certificate/mycert01" % cls.acct
        cls.cli_ok_cls("euare-servercertupload", "-s", "mycert01",
                       "--certificate-file", cert("backend.crt"),
                       "--private-key-file", cert("backend.key"))

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            if getattr(cls, "work", None) and \
                    not os.environ.get("EULB_KEEP_TMP"):
                shutil.rmtree(cls.work, ignore_errors=True)

    @classmethod
    def cli_ok_cls(cls, *args):
        rc, out, err = cls.server.cli(*args)
        if rc != 0:
            raise AssertionError("%s: exit %d\n%s%s" % (args[0], rc, out,
                                                       err))
        return out

    def cli_ok(self, *args):
        return self.cli_ok_cls(*args)

    def setUp(self):
        super().setUp()
        self.instances = []
        self.servos = []

    def tearDown(self):
        outcome = getattr(self, "_outcome", None)
        failed = outcome is not None and not outcome.success
        errors = []
        for servo in self.servos:
            if failed or os.environ.get("EULB_DP_VERBOSE"):
                sys.stderr.write("\n--- eulb-servo %s ---\n%s\n"
                                 % (servo.lb, servo.log_text()))
            try:
                if failed:
                    servo.kill()
                else:
                    servo.stop()
            except AssertionError as e:  # stop the others all the same
                servo.kill()
                errors.append(e)
        for i in self.instances:
            i.stop()
        super().tearDown()
        if errors:
            raise errors[0]

    # -- building blocks

    def https_lb(self, name, lb_port, instance_port):
        self.cli_ok("create-lb", "-l",
                    "protocol=HTTPS,lb-port=%d,instance-protocol=HTTPS,"
                    "instance-port=%d,cert-id=%s"
                    % (lb_port, instance_port, self.arn), "-z", "one", name)

    def health_check(self, lb, target):
        self.cli_ok("configure-healthcheck", "--target", target,
                    "--interval", str(INTERVAL), "--timeout", "2",
                    "--healthy-threshold", str(THRESHOLD),
                    "--unhealthy-threshold", str(THRESHOLD), lb)

    def public_key_policy(self, lb, name, value, auth):
        """A PublicKey policy and a BackendServerAuthentication policy
        naming it, as in the guide."""
        self.cli_ok("create-lb-policy", "-n", name, "-t",
                    "PublicKeyPolicyType", "-a",
                    "name=PublicKey, value=" + value, lb)
        self.cli_ok("create-lb-policy", "-n", auth, "-t",
                    "BackendServerAuthenticationPolicyType", "-a",
                    "name=PublicKeyPolicyName, value=" + name, lb)

    def instance(self, lb, addr, port, crt, key):
        """A registered instance at addr:port presenting crt."""
        iid = new_instance_id()
        r = subprocess.run([bin_path("eulbd"), "instance", "add", self.acct,
                            iid, addr, "one", "--db", self.server.db],
                           capture_output=True, timeout=RUN_TIMEOUT,
                           env=clean_env(self.server.home),
                           stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.cli_ok("register-instances-with-lb", "--instances", iid, lb)
        inst = Instance(self.work, iid, addr, port, cert(crt), cert(key))
        self.instances.append(inst)
        return inst.start()

    def servo(self, lb):
        s = Servo(self.server, self.servo_creds, lb, self.acct, "127.0.0.1",
                  self.work, interval=CYCLE)
        self.servos.append(s)
        return s.start()

    def wait_health(self, lb, iid, state, timeout):
        """Waits for DescribeInstanceHealth to say state; returns
        (state, description, reason code) and the seconds it took."""
        t0 = time.monotonic()
        got = wait_for(lambda: (lambda h: h if h[0] == state else None)(
            describe_health(self.server, self.server.admin, lb).get(
                iid, ("?", "", ""))), timeout,
            "%s of %s to be %s" % (iid, lb, state), step=0.25)
        return got, time.monotonic() - t0

    def wait_served_by(self, client, iid, timeout=CONVERGE):
        return wait_for(lambda: client.get() == (200, iid), timeout,
                        "%s to answer through the load balancer" % iid,
                        step=0.1)

    def ca_file_of(self, servo, iid):
        """The ca-file on iid's server line, read."""
        for line in servo.config().splitlines():
            words = line.split()
            if words[:2] == ["server", iid] and "ca-file" in words:
                path = words[words.index("ca-file") + 1]
                mode = stat.S_IMODE(os.stat(path).st_mode)
                self.assertEqual(mode, 0o600, path)
                with open(path) as f:
                    return f.read()
        self.fail("no ca-file for %s in\n%s" % (iid, servo.config()))


# ---------------------------------------------------------------------------
class BackendAuthenticationTest(DataPlaneCase):

    def test_guide_workflow_with_two_instances(self):
        """The Eucalyptus guide's policies; the instance with the pinned
        certificate gets the traffic, the other gets none and is
        OutOfService."""
        lb = "myloadbalancer"
        good_host, bad_host = new_hosts(2)
        port = free_port((good_host, bad_host))
        lb_port = free_port()
        self.https_lb(lb, lb_port, port)
        self.public_key_policy(lb, "webservercert",
                               read("backend.crt").rstrip("\n"),
                               "webserverauthentication")
        self.cli_ok("set-lb-policies-for-backend-server", "-i", str(port),
                    "-p", "webserverauthentication", lb)
        self.health_check(lb, "TCP:%d" % port)
        good = self.instance(lb, good_host, port, "backend.crt",
                             "backend.key")
        bad = self.instance(lb, bad_host, port, "backend2.crt",
                            "backend2.key")
        servo = self.servo(lb)
        # The listener presents the uploaded certificate (verified).
        client = Client("127.0.0.1", lb_port, cafile=cert("backend.crt"))
        self.wait_served_by(client, good.id)
        answers = [client.get() for _ in range(20)]
        self.assertEqual(answers, [(200, good.id)] * 20)
        self.assertEqual(bad.requests(), 0)

        (state, desc, reason), _ = self.wait_health(
            lb, bad.id, "OutOfService", CONVERGE)
        self.assertIn("webserverauthentication", desc)
        self.assertIn("webservercert", desc)
        self.assertEqual(reason, "Instance")
        self.wait_health(lb, good.id, "InService",
                         INTERVAL * THRESHOLD + CYCLE + SLACK)

        cfg = servo.config()
        self.assertNotIn("verify none", cfg)
        self.assertEqual(cfg.count("ssl verify required ca-file"), 2, cfg)
        self.assertEqual(der(self.ca_file_of(servo, bad.id)),
                         der(read("backend.crt")))
        self.assertEqual(bad.requests(), 0)


class PublicKeyOnlyTest(DataPlaneCase):

    def test_key_only_public_key(self):
        """An AWS-style PublicKey (the key alone): the matching instance is
        pinned to the certificate it shows, a renewed certificate with the
        same key is followed, a different key is refused."""
        lb = "keyonly"
        (host,) = new_hosts(1)
        port = free_port((host,))
        lb_port = free_port()
        self.https_lb(lb, lb_port, port)
        self.public_key_policy(lb, "pk", public_key_base64(
            cert("backend.crt")), "auth")
        self.cli_ok("set-lb-policies-for-backend-server", "-i", str(port),
                    "-p", "auth", lb)
        self.health_check(lb, "HTTPS:%d/id.txt" % port)
        inst = self.instance(lb, host, port, "backend.crt", "backend.key")
        servo = self.servo(lb)
        client = Client("127.0.0.1", lb_port)
        self.wait_served_by(client, inst.id)
        self.assertEqual(der(self.ca_file_of(servo, inst.id)),
                         der(read("backend.crt")))

        # Renewed: same key, new certificate. After the next cycle the pin
        # follows it.
        inst.restart(cert("backend-renewed.crt"))
        self.wait_served_by(client, inst.id)
        self.assertEqual(der(self.ca_file_of(servo, inst.id)),
                         der(read("backend-renewed.crt")))
        self.assertEqual([client.get() for _ in range(5)],
                         [(200, inst.id)] * 5)

        # Another key: fail closed, 503, OutOfService naming the policy.
        inst.restart(cert("backend2.crt"), cert("backend2.key"))
        wait_for(lambda: client.get()[0] == 503, CONVERGE,
                 "503 for a back end with another key", step=0.2)
        served = inst.requests()
        self.assertEqual([client.get()[0] for _ in range(5)], [503] * 5)
        self.assertEqual(inst.requests(), served)
        (state, desc, reason), _ = self.wait_health(
            lb, inst.id, "OutOfService", CONVERGE)
        self.assertIn("auth", desc)
        self.assertIn("pk", desc)
        self.assertNotIn("verify none", servo.config())


class PolicySwapTest(DataPlaneCase):

    def test_swap_under_load(self):
        """Switching the allowed certificate under load: traffic moves to
        the other instance and no request fails across the reload."""
        lb = "swap"
        host_a, host_b = new_hosts(2)
        port = free_port((host_a, host_b))
        lb_port = free_port()
        self.https_lb(lb, lb_port, port)
        self.public_key_policy(lb, "pk-a", read("backend.crt"), "auth-a")
        self.public_key_policy(lb, "pk-b", read("backend2.crt"), "auth-b")
        self.cli_ok("set-lb-policies-for-backend-server", "-i", str(port),
                    "-p", "auth-a", lb)
        self.health_check(lb, "TCP:%d" % port)
        a = self.instance(lb, host_a, port, "backend.crt", "backend.key")
        b = self.instance(lb, host_b, port, "backend2.crt", "backend2.key")
        servo = self.servo(lb)
        client = Client("127.0.0.1", lb_port, cafile=cert("backend.crt"))
        self.wait_served_by(client, a.id)

        load = Load(client, threads=4).start()
        try:
            wait_for(lambda: load.count() >= 20, CONVERGE, "some load")
            mark = servo.mark()
            self.cli_ok("set-lb-policies-for-backend-server", "-i",
                        str(port), "-p", "auth-b", lb)
            servo.wait_log(r"reloaded configuration", since=mark,
                           timeout=CONVERGE)
            wait_for(lambda: [r for _, r in load.results[-8:]] ==
                     [(200, b.id)] * 8, CONVERGE, "traffic on %s" % b.id)
        finally:
            results = load.stop()
        codes = {}
        for _, r in results:
            codes[r[0]] = codes.get(r[0], 0) + 1
        self.assertEqual(codes, {200: len(results)},
                         "failures across the reload: %s"
                         % [r for _, r in results if r[0] != 200][:5])
        bodies = [r[1] for _, r in results]
        self.assertEqual(set(bodies), {a.id, b.id})
        self.assertEqual(bodies[0], a.id)
        self.wait_health(lb, a.id, "OutOfService", CONVERGE)
        self.assertEqual(der(self.ca_file_of(servo, b.id)),
                         der(read("backend2.crt")))


class ListenerTlsTest(DataPlaneCase):

    def s_client(self, port, *args):
        r = subprocess.run([OPENSSL, "s_client", "-connect",
                            "127.0.0.1:%d" % port] + list(args),
                           capture_output=True, timeout=RUN_TIMEOUT,
                           stdin=subprocess.DEVNULL)
        return r.returncode, r.stdout.decode("utf-8", "replace")

    def test_listener_certificate_and_security_policy(self):
        lb = "tls"
        lb_port = free_port()
        self.https_lb(lb, lb_port, free_port())
        servo = self.servo(lb)
        wait_for(lambda: port_open("127.0.0.1", lb_port), CONVERGE,
                 "the HTTPS listener")
        pem = ssl.get_server_certificate(("127.0.0.1", lb_port))
        self.assertEqual(der(pem), der(read("backend.crt")))
        # No instance: HAProxy answers 503 over the verified TLS.
        client = Client("127.0.0.1", lb_port, cafile=cert("backend.crt"))
        self.assertEqual(client.get()[0], 503)

        # The default policy (ELBSecurityPolicy-2016-08) takes TLS 1.1.
        tls11 = ("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")
        rc, out = self.s_client(lb_port, *tls11)
        self.assertEqual(rc, 0, out)
        self.assertIn("TLSv1.1", out)

        mark = servo.mark()
        self.cli_ok("create-lb-policy", "-n", "tls12", "-t",
                    "SSLNegotiationPolicyType", "-a",
                    "name=Reference-Security-Policy,"
                    "value=ELBSecurityPolicy-TLS-1-2-2017-01", lb)
        self.cli_ok("set-lb-policies-of-listener", "-l", str(lb_port), "-p",
                    "tls12", lb)
        servo.wait_log(r"reloaded configuration", since=mark,
                       timeout=CONVERGE)
        rc, out = self.s_client(lb_port, *tls11)
        self.assertNotEqual(rc, 0, out)
        rc, out = self.s_client(lb_port, "-tls1_2")
        self.assertEqual(rc, 0, out)
        self.assertIn("ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2",
                      servo.config())

        # A deleted load balancer closes its listeners.
        mark = servo.mark()
        self.cli_ok("delete-lb", lb)
        servo.wait_log(r"no longer exists", since=mark, timeout=CONVERGE)
        wait_for(lambda: not port_open("127.0.0.1", lb_port), CONVERGE,
                 "the listener to close")
        self.assertNotIn("frontend", servo.config())


class HealthTest(DataPlaneCase):

    def test_instance_down_and_back(self):
        lb = "health"
        (host,) = new_hosts(1)
        port = free_port((host,))
        lb_port = free_port()
        self.https_lb(lb, lb_port, port)
        self.health_check(lb, "HTTPS:%d/id.txt" % port)
        inst = self.instance(lb, host, port, "backend2.crt", "backend2.key")
        self.servo(lb)
        client = Client("127.0.0.1", lb_port)
        self.wait_served_by(client, inst.id)
        self.wait_health(lb, inst.id, "InService",
                         INTERVAL * THRESHOLD + CYCLE + SLACK)

        bound = INTERVAL * THRESHOLD + CYCLE + SLACK
        inst.stop()
        (state, desc, reason), took = self.wait_health(
            lb, inst.id, "OutOfService", bound)
        self.assertLessEqual(took, bound)
        self.assertEqual(reason, "Instance")
        self.assertIn("UnhealthyThreshold", desc)
        self.assertRegex(desc, r"L4CON|L6RSP|L7|Connection refused")
        self.assertEqual(client.get()[0], 503)

        inst.start()
        _, took = self.wait_health(lb, inst.id, "InService", bound)
        self.assertLessEqual(took, bound)
        self.wait_served_by(client, inst.id)


class RenderTest(DataPlaneCase):

    def test_every_listener_kind_and_policy_passes_haproxy_check(self):
        """eulb-servo --once renders HTTP, HTTPS, TCP and SSL listeners
        with stickiness, ProxyProtocol, back-end authentication, an HTTP
        health check and the attributes; HAProxy accepts it (-c)."""
        lb = "everything"
        s = self.server
        (host,) = new_hosts(1)
        p_http, p_https, p_tcp, p_ssl = (free_port() for _ in range(4))
        i_http, i_tcp, i_ssl = (free_port() for _ in range(3))
        listeners = [
            ("HTTP", p_http, "HTTP", i_http, None),
            ("HTTPS", p_https, "HTTP", i_http, self.arn),
            ("TCP", p_tcp, "TCP", i_tcp, None),
            ("SSL", p_ssl, "SSL", i_ssl, self.arn)]
        params = [("LoadBalancerName", lb), ("AvailabilityZones.member.1",
                                             "one")]
        for n, (proto, port, iproto, iport, arn) in enumerate(listeners, 1):
            k = "Listeners.member.%d." % n
            params += [(k + "Protocol", proto),
                       (k + "LoadBalancerPort", str(port)),
                       (k + "InstanceProtocol", iproto),
                       (k + "InstancePort", str(iport))]
            if arn:
                params.append((k + "SSLCertificateId", arn))
        self.assertOk(s.call("CreateLoadBalancer", params))
        self.cli_ok("create-lb-cookie-stickiness-policy", "-e", "60", "-p",
                    "lbcookie", lb)
        self.cli_ok("set-lb-policies-of-listener", "-l", str(p_http), "-p",
                    "lbcookie", lb)
        self.cli_ok("create-app-cookie-stickiness-policy", "-c",
                    "SESSIONID", "-p", "appcookie", lb)
        self.cli_ok("set-lb-policies-of-listener", "-l", str(p_https), "-p",
                    "appcookie,ELBSecurityPolicy-2016-08", lb)
        self.cli_ok("create-lb-policy", "-n", "proxy", "-t",
                    "ProxyProtocolPolicyType", "-a",
                    "name=ProxyProtocol,value=true", lb)
        self.cli_ok("set-lb-policies-for-backend-server", "-i", str(i_tcp),
                    "-p", "proxy", lb)
        self.public_key_policy(lb, "pk", read("backend.crt"), "auth")
        self.cli_ok("set-lb-policies-for-backend-server", "-i", str(i_ssl),
                    "-p", "auth", lb)
        self.health_check(lb, "HTTP:%d/health?probe=1" % i_http)
        self.assertOk(s.call("ModifyLoadBalancerAttributes", [
            ("LoadBalancerName", lb),
            ("LoadBalancerAttributes.ConnectionSettings.IdleTimeout", "120"),
            ("LoadBalancerAttributes.ConnectionDraining.Enabled", "true"),
            ("LoadBalancerAttributes.ConnectionDraining.Timeout", "45")]))
        iid = new_instance_id()
        r = subprocess.run([bin_path("eulbd"), "instance", "add", self.acct,
                            iid, host, "one", "--db", s.db],
                           capture_output=True, timeout=RUN_TIMEOUT,
                           env=clean_env(s.home), stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.cli_ok("register-instances-with-lb", "--instances", iid, lb)

        servo = Servo(s, self.servo_creds, lb, self.acct, "127.0.0.1",
                      self.work)
        rc, log = servo.once()
        self.assertEqual(rc, 0, log)
        cfg = servo.config()
        sections = {}
        name = None
        for line in cfg.splitlines():
            if line and not line.startswith(" "):
                name = line
                sections[name] = []
            elif name:
                sections[name].append(line.strip())

        def section(kind, proto, port):
            return sections["%s %s-%s-%d" % (kind, lb, proto, port)]

        fe = section("frontend", "http", p_http)
        self.assertIn("mode http", fe)
        self.assertIn("bind 127.0.0.1:%d" % p_http, fe)
        self.assertIn("timeout client 120s", fe)
        self.assertIn("option forwardfor", fe)
        be = section("backend", "http", p_http)
        self.assertIn("cookie AWSELB insert indirect nocache maxidle 60s "
                      "maxlife 60s", be)
        self.assertIn("option httpchk", be)
        self.assertIn("http-check send meth GET uri /health?probe=1 ver "
                      "HTTP/1.1 hdr Host %s-%s.lb.localhost"
                      % (lb, self.acct), be)
        self.assertIn("default-server inter 5s fall 2 rise 2", be)
        self.assertIn("server %s %s:%d check cookie %s"
                      % (iid, host, i_http, iid), be)

        fe = section("frontend", "https", p_https)
        bind = [w for w in fe if w.startswith("bind ")][0]
        self.assertRegex(bind, r"^bind 127\.0\.0\.1:%d ssl crt \S+\.pem "
                         r"ssl-min-ver TLSv1\.0 ssl-max-ver TLSv1\.2 "
                         r"ciphers ECDHE-ECDSA-AES128-GCM-SHA256:" % p_https)
        crt = bind.split()[4]
        self.assertEqual(stat.S_IMODE(os.stat(crt).st_mode), 0o600)
        with open(crt) as f:
            self.assertIn("PRIVATE KEY", f.read())
        be = section("backend", "https", p_https)
        self.assertIn("stick on req.cook(SESSIONID)", be)
        self.assertIn("stick store-response res.cook(SESSIONID)", be)

        self.assertIn("mode tcp", section("frontend", "tcp", p_tcp))
        be = section("backend", "tcp", p_tcp)
        self.assertIn("server %s %s:%d send-proxy check port %d"
                      % (iid, host, i_tcp, i_http), be)

        be = section("backend", "ssl", p_ssl)
        self.assertIn("mode tcp", be)
        srv = [w for w in be if w.startswith("server ")][0]
        self.assertRegex(srv, r"^server %s %s:%d ssl verify required "
                         r"ca-file \S+ check port %d$"
                         % (iid, host, i_ssl, i_http))
        self.assertNotIn("verify none", cfg)
        self.assertIn("hard-stop-after 45s", sections["global"])


class RefusedRenderTest(DataPlaneCase):

    def test_refused_render_is_reported(self):
        """A stored value HAProxy refuses (here a listener certificate
        with a 1024-bit key, as a row from before eulbd checked keys):
        the last good configuration keeps serving, DescribeInstanceHealth
        says OutOfService with HAProxy's reason, and the fix is picked up
        by itself."""
        lb = "refused"
        (host,) = new_hosts(1)
        port = free_port((host,))
        lb_port = free_port()
        self.cli_ok("euare-servercertupload", "-s", "refusedcert",
                    "--certificate-file", cert("backend2.crt"),
                    "--private-key-file", cert("backend2.key"))
        self.cli_ok("create-lb", "-l",
                    "protocol=HTTPS,lb-port=%d,instance-protocol=HTTPS,"
                    "instance-port=%d,cert-id=arn:aws:iam::%s:"
                    "server-certificate/refusedcert"
                    % (lb_port, port, self.acct), "-z", "one", lb)
        self.health_check(lb, "TCP:%d" % port)
        inst = self.instance(lb, host, port, "backend.crt", "backend.key")
        servo = self.servo(lb)
        client = Client("127.0.0.1", lb_port)
        self.wait_served_by(client, inst.id)
        self.wait_health(lb, inst.id, "InService",
                         INTERVAL * THRESHOLD + CYCLE + SLACK)

        weak_key = os.path.join(self.work, "weak.key")
        weak_crt = os.path.join(self.work, "weak.crt")
        subprocess.run([OPENSSL, "req", "-x509", "-nodes", "-newkey",
                        "rsa:1024", "-days", "2", "-subj", "/CN=weak",
                        "-keyout", weak_key, "-out", weak_crt],
                       check=True, capture_output=True, timeout=RUN_TIMEOUT)
        with open(weak_crt) as f, open(weak_key) as g:
            weak = (f.read(), g.read())
        # eulbd refuses such a certificate now; the row stands for one
        # stored before (a key without the "v1:" seal is read as is).
        db = sqlite3.connect(self.server.db, timeout=10)
        try:
            old = db.execute("SELECT body, private_key FROM "
                             "server_certificates WHERE name = ?",
                             ("refusedcert",)).fetchone()
            with db:
                db.execute("UPDATE server_certificates SET body = ?, "
                           "private_key = ? WHERE name = ?",
                           weak + ("refusedcert",))
            (state, desc, reason), _ = self.wait_health(
                lb, inst.id, "OutOfService", CONVERGE)
            self.assertEqual(reason, "ELB")
            self.assertIn("HAProxy refused the configuration: ", desc)
            self.assertIn("unable to load SSL certificate", desc)
            self.assertIn("the last good one keeps serving", desc)
            self.assertIn("haproxy -c refused", servo.log_text())
            self.assertEqual(client.get(), (200, inst.id))
            with db:
                db.execute("UPDATE server_certificates SET body = ?, "
                           "private_key = ? WHERE name = ?",
                           old + ("refusedcert",))
        finally:
            db.close()
        (state, desc, reason), _ = self.wait_health(
            lb, inst.id, "InService", CONVERGE)
        self.assertEqual(client.get(), (200, inst.id))


class ResilienceTest(DataPlaneCase):

    def test_refused_reload_and_lost_api_keep_serving(self):
        """A configuration HAProxy cannot load (its new port is taken)
        leaves the running one serving, and so does losing eulbd."""
        lb = "resilient"
        (host,) = new_hosts(1)
        port = free_port((host,))
        lb_port = free_port()
        self.https_lb(lb, lb_port, port)
        self.health_check(lb, "TCP:%d" % port)
        inst = self.instance(lb, host, port, "backend.crt", "backend.key")
        servo = self.servo(lb)
        client = Client("127.0.0.1", lb_port)
        self.wait_served_by(client, inst.id)
        good = servo.config()

        taken = socket.socket()
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        busy = taken.getsockname()[1]
        try:
            mark = servo.mark()
            self.cli_ok("create-lb-listeners", "-l",
                        "protocol=HTTPS,lb-port=%d,instance-protocol=HTTPS,"
                        "instance-port=%d,cert-id=%s"
                        % (busy, port, self.arn), lb)
            servo.wait_log(r"refused the new configuration", since=mark,
                           timeout=CONVERGE)
            self.assertEqual(client.get(), (200, inst.id))
            self.assertEqual(servo.config(), good)
        finally:
            taken.close()
        # The refused render is tried again after a pause (5 s).
        servo.wait_log(r"reloaded configuration", since=mark,
                       timeout=CONVERGE + 5)
        self.assertEqual(Client("127.0.0.1", busy).get(), (200, inst.id))

        # An eulb-servo that dies leaves HAProxy serving; the next one
        # takes over the state directory.
        dead = servo
        self.assertTrue(dead.running(), dead.log_text())
        dead.proc.kill()
        dead.proc.wait(5)
        self.servos.remove(dead)
        check_sanitizers("eulb-servo", dead.log_text())
        self.assertEqual(client.get(), (200, inst.id))
        servo = self.servo(lb)
        servo.wait_log(r"stopping HAProxy master %d" % dead.master_pid(),
                       timeout=CONVERGE)
        servo.wait_log(r"started configuration", timeout=CONVERGE)
        self.wait_served_by(client, inst.id)

        mark = servo.mark()
        self.server.stop()
        servo.wait_log(r"cannot fetch load balancer", since=mark,
                       timeout=CONVERGE)
        self.assertEqual([client.get() for _ in range(5)],
                         [(200, inst.id)] * 5)
        self.server.start()  # for the class's clean stop


if __name__ == "__main__":
    unittest.main()
