"""Hardening: crash safety, concurrency and limits (issue 7, "Reliability
and security" items 2-4), against the real eulbd on loopback.

  * Crash safety: concurrent writers, eulbd killed with SIGKILL at random
    moments and restarted on the same database; every answered write must
    be there, every refused one must have left nothing, nothing may be
    half-written, and SQLite's own checks must pass.
  * Concurrency: many clients writing one load balancer at once; no 5xx
    (SQLITE_BUSY must never reach a client) and no lost update.
  * Limits: body size, parameter count, attribute value size, connection
    limit, idle and slow connections, huge headers, garbage bytes.

Every test gets its own eulbd (limits differ per test, and a sanitizer
report at shutdown is then pinned on the test that caused it); after each
test the server must still answer /healthz and then exit cleanly (exit
code 0, no sanitizer output). Everything is bounded in count and time.
Set EULB_SEED to replay the crash test's random kill moments. Run from this
folder:
    EULB_BIN_DIR=<build>/bin python3 -m unittest -v test_hardening
"""

import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import collections  # noqa: E402
import http.client  # noqa: E402
import itertools  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import select  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import stat  # noqa: E402
import socket  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import unittest  # noqa: E402
import urllib.parse  # noqa: E402

import eulbtest as et  # noqa: E402
from eulbtest import (ATTACKER, RUN_TIMEOUT, Server,  # noqa: E402
                      ServerTestCase, Trickler, connect, healthz_latencies,
                      http_listener, lb_names, listener_params, members,
                      next_marker, parse_error, parse_xml, policy_params,
                      raw_exchange, wait_closed)
from lbcase import flatten_attributes  # noqa: E402


def report(fmt, *args):
    """A measurement worth seeing in the run's output (not a failure)."""
    sys.stderr.write("\n  [hardening] %s\n" % (fmt % args if args else fmt))
    sys.stderr.flush()


# --- certificates (openssl, generated once per module) --------------------

CERT_DIR = None
_cert_cache = {}


def setUpModule():
    global CERT_DIR
    if not shutil.which("openssl"):
        raise unittest.SkipTest("openssl is not installed")
    CERT_DIR = tempfile.mkdtemp(prefix="eulb-it-hard-certs-")


def tearDownModule():
    if CERT_DIR and not os.environ.get("EULB_KEEP_TMP"):
        shutil.rmtree(CERT_DIR, ignore_errors=True)


def _make_cert(pad):
    """A real self-signed P-256 certificate whose size is set by a private
    extension holding pad bytes; returns the PEM text, stripped."""
    cfg = os.path.join(CERT_DIR, "pad%d.cnf" % pad)
    crt = os.path.join(CERT_DIR, "pad%d.crt" % pad)
    key = os.path.join(CERT_DIR, "pad%d.key" % pad)
    with open(cfg, "w") as f:
        f.write("[req]\ndistinguished_name=dn\nx509_extensions=ext\n"
                "prompt=no\n[dn]\nCN=eulb-hardening\n[ext]\n"
                "basicConstraints=CA:FALSE\n"
                "1.3.6.1.4.1.55555.1=ASN1:UTF8String:%s\n" % ("A" * pad))
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                        "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-keyout", key, "-out", crt, "-days", "30",
                        "-config", cfg], capture_output=True,
                       timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise AssertionError("openssl req: %s" % r.stderr.decode())
    with open(crt) as f:
        return f.read().strip()


def cert_pem(lo, hi):
    """A valid certificate PEM (stripped) of lo..hi bytes."""
    if (lo, hi) in _cert_cache:
        return _cert_cache[lo, hi]
    target = (lo + hi) // 2
    pad = max(0, int((target - 600) / 1.356))
    for _ in range(8):
        pem = _make_cert(pad)
        if lo <= len(pem) <= hi:
            _cert_cache[lo, hi] = pem
            return pem
        pad = max(0, pad + int((target - len(pem)) / 1.356))
    raise AssertionError("could not make a %d..%d byte certificate (last "
                         "%d)" % (lo, hi, len(pem)))


def small_cert():
    return cert_pem(0, 2000)


# --- request helpers ---------------------------------------------------------


def backend_params(lb, port, names):
    return ([("LoadBalancerName", lb), ("InstancePort", str(port))] +
            members("PolicyNames", names))


def error_code(body):
    try:
        return parse_error(body)["Code"]
    except AssertionError:
        return "(no AWS error body: %r)" % body[:200]


def exchange_raw(port, data, timeout=5.0, half_close=False):
    """Sends bytes on a fresh connection and reads until the server closes
    it or timeout seconds pass. Returns (status or None, received bytes,
    closed_by_server, seconds)."""
    t0 = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    got = b""
    closed = False
    try:
        try:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading it all
        deadline = t0 + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            got += chunk
    finally:
        s.close()
    status = None
    if got.startswith(b"HTTP/1."):
        try:
            status = int(got.split(b" ", 2)[1])
        except (IndexError, ValueError):
            pass
    return status, got, closed, time.monotonic() - t0


def http_body(raw):
    """The body of a raw HTTP/1.1 response (Content-Length framed)."""
    head, _, body = raw.partition(b"\r\n\r\n")
    return body


CONN_ERRORS = (OSError, http.client.HTTPException)


# --- the per-test server -----------------------------------------------------

class HardeningCase(unittest.TestCase):
    """One eulbd per test, started with server_args. tearDown asserts that
    it still answers /healthz and then exits cleanly; the log since start
    is printed under any failing test."""

    server_args = ()

    def setUp(self):
        self.server = Server(*self.server_args)
        try:
            self.server.start()
        except BaseException:
            self.server.kill()
            raise

    def _has_failed(self):
        # _outcome.success reads True inside tearDown (Python 3.11 resets
        # it per test part), so look for this test in the result instead.
        result = getattr(getattr(self, "_outcome", None), "result", None)
        if result is None:
            return False
        return any(getattr(t, "test_case", t) is self
                   for t, _ in list(result.failures) + list(result.errors))

    def tearDown(self):
        failed = self._has_failed()
        try:
            if self.server.proc is None:  # a test that stopped it
                self.server.start()
            status, _, _, secs = exchange_raw(
                self.server.port,
                b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Connection: close\r\n\r\n", timeout=10)
            self.assertEqual(status, 200, "/healthz after the test "
                             "(%.1f s)" % secs)
            self.server.close()  # asserts exit code 0, no sanitizer report
        except BaseException:
            failed = True
            raise
        finally:
            if failed:
                sys.stderr.write("\n--- eulbd log of %s ---\n%s\n--- end ---\n"
                                 % (self.id(), self.server.log_text()))
            self.server.kill()

    def ok(self, resp):
        status, _, body = resp
        self.assertEqual(status, 200, body[:1000])
        return body

    def create_lb(self, name, *listeners, zones=("one",)):
        p = [("LoadBalancerName", name)]
        p += listener_params(*(listeners or (http_listener(),)))
        p += members("AvailabilityZones", zones)
        return self.ok(self.server.call("CreateLoadBalancer", p))

    def assertAwsError(self, resp, statuses, codes=None, what=""):
        """resp is raw()'s answer: a 4xx in statuses with an AWS error
        envelope (and a Code in codes, if given)."""
        status, _, body = resp
        self.assertIn(status, statuses, "%s: HTTP %d %r"
                      % (what, status, body[:500]))
        err = parse_error(body)
        if codes is not None:
            self.assertIn(err["Code"], codes, "%s: %r" % (what, err))
        self.assertTrue(err["Message"], "%s: empty Message" % what)
        return err


# =============================================================================
# 2. Crash safety
# =============================================================================

CRASH_LISTENERS = [
    {"Protocol": "HTTP", "LoadBalancerPort": 80,
     "InstanceProtocol": "HTTP", "InstancePort": 8080},
    {"Protocol": "TCP", "LoadBalancerPort": 1025,
     "InstanceProtocol": "TCP", "InstancePort": 1025},
    {"Protocol": "TCP", "LoadBalancerPort": 1443,
     "InstanceProtocol": "SSL", "InstancePort": 8443},
]
CRASH_LISTENER_ROWS = {(80, "HTTP", 8080, "HTTP"), (1025, "TCP", 1025, "TCP"),
                       (1443, "TCP", 8443, "SSL")}
CRASH_ZONES = {"one", "two"}

# The good policies each load balancer gets: name -> (type, attributes).
# The PublicKey value is filled in by the test (a real certificate).
CRASH_POLICIES = collections.OrderedDict([
    ("pp", ("ProxyProtocolPolicyType", [("ProxyProtocol", "true")])),
    ("ck", ("LBCookieStickinessPolicyType",
            [("CookieExpirationPeriod", "60")])),
    ("pk", ("PublicKeyPolicyType", [("PublicKey", None)])),
    ("ba", ("BackendServerAuthenticationPolicyType",
            [("PublicKeyPolicyName", "pk")])),
])
# Requests that must be refused (4xx); op -> (request kind, arguments).
CRASH_BAD_POLICIES = collections.OrderedDict([
    # an invalid Boolean
    ("badp", ("ProxyProtocolPolicyType", [("ProxyProtocol", "maybe")])),
    # the second reference names a missing policy
    ("badb", ("BackendServerAuthenticationPolicyType",
              [("PublicKeyPolicyName", "pk"),
               ("PublicKeyPolicyName", "nosuch")])),
])
# Back-end port -> the policies the good request sets there.
CRASH_BACKENDS = {1025: ("pp",), 8443: ("ba",)}

ORPHAN_QUERIES = {
    "listeners without a load balancer":
        "SELECT count(*) FROM listeners WHERE lb_id NOT IN "
        "(SELECT id FROM load_balancers)",
    "zones without a load balancer":
        "SELECT count(*) FROM lb_zones WHERE lb_id NOT IN "
        "(SELECT id FROM load_balancers)",
    "subnets without a load balancer":
        "SELECT count(*) FROM lb_subnets WHERE lb_id NOT IN "
        "(SELECT id FROM load_balancers)",
    "security groups without a load balancer":
        "SELECT count(*) FROM lb_security_groups WHERE lb_id NOT IN "
        "(SELECT id FROM load_balancers)",
    "tags without a load balancer":
        "SELECT count(*) FROM tags WHERE lb_id NOT IN "
        "(SELECT id FROM load_balancers)",
    "attributes without a load balancer":
        "SELECT count(*) FROM lb_attributes WHERE lb_id NOT IN "
        "(SELECT id FROM load_balancers)",
    "instances without a load balancer":
        "SELECT count(*) FROM instances WHERE lb_id NOT IN "
        "(SELECT id FROM load_balancers)",
    "policies without a load balancer":
        "SELECT count(*) FROM policies WHERE lb_id NOT IN "
        "(SELECT id FROM load_balancers)",
    "policy attributes without a policy":
        "SELECT count(*) FROM policy_attributes WHERE policy_id NOT IN "
        "(SELECT id FROM policies)",
    "listener policies without a listener":
        "SELECT count(*) FROM listener_policies lp WHERE NOT EXISTS "
        "(SELECT 1 FROM listeners l WHERE l.lb_id = lp.lb_id "
        "AND l.lb_port = lp.lb_port)",
    "listener policies naming a missing policy or another load "
    "balancer's":
        "SELECT count(*) FROM listener_policies lp WHERE NOT EXISTS "
        "(SELECT 1 FROM policies p WHERE p.id = lp.policy_id "
        "AND p.lb_id = lp.lb_id)",
    "backend policies without a load balancer":
        "SELECT count(*) FROM backend_policies WHERE lb_id NOT IN "
        "(SELECT id FROM load_balancers)",
    "backend policies naming a missing policy or another load "
    "balancer's":
        "SELECT count(*) FROM backend_policies bp WHERE NOT EXISTS "
        "(SELECT 1 FROM policies p WHERE p.id = bp.policy_id "
        "AND p.lb_id = bp.lb_id)",
    "PublicKeyPolicyName attributes naming no PublicKeyPolicyType policy "
    "of their load balancer":
        "SELECT count(*) FROM policy_attributes a "
        "JOIN policies p ON p.id = a.policy_id "
        "WHERE p.type = 'BackendServerAuthenticationPolicyType' "
        "AND a.name = 'PublicKeyPolicyName' AND NOT EXISTS "
        "(SELECT 1 FROM policies k WHERE k.lb_id = p.lb_id "
        "AND k.name = a.value AND k.type = 'PublicKeyPolicyType')",
    "load balancers without a listener":
        "SELECT count(*) FROM load_balancers b WHERE NOT EXISTS "
        "(SELECT 1 FROM listeners l WHERE l.lb_id = b.id)",
    "load balancers without a zone or subnet":
        "SELECT count(*) FROM load_balancers b WHERE NOT EXISTS "
        "(SELECT 1 FROM lb_zones z WHERE z.lb_id = b.id) AND NOT EXISTS "
        "(SELECT 1 FROM lb_subnets s WHERE s.lb_id = b.id)",
}

CONN = "no answer"  # an outcome: the connection failed (eulbd killed)


class CrashRecord:
    """One load balancer's requests, in order, and what each got: an HTTP
    status, CONN, or None (never sent)."""

    def __init__(self, name, kind, ops):
        self.name = name
        self.kind = kind  # "good" or "bad"
        self.ops = collections.OrderedDict((op, None) for op in ops)
        self.detail = {}

    def __repr__(self):
        return "%s %s" % (self.name, ", ".join(
            "%s=%s%s" % (op, o, " " + self.detail[op]
                         if op in self.detail else "")
            for op, o in self.ops.items()))


def maybe(o):
    return o == 200 or o == CONN


class CrashSafetyTest(HardeningCase):
    server_args = ("--max-load-balancers", "100000")
    WRITERS = 8
    ROUNDS = 4
    KILL_AFTER = (0.4, 2.0)   # seconds of writing before each SIGKILL

    def setUp(self):
        super().setUp()
        self.pem = small_cert()
        self.policies = collections.OrderedDict(
            (n, (t, [(k, self.pem if v is None else v) for k, v in a]))
            for n, (t, a) in CRASH_POLICIES.items())

    # -- the writers

    def good_ops(self, i):
        ops = ["create"] + ["policy " + n for n in self.policies]
        ops += ["policy " + n for n in CRASH_BAD_POLICIES]
        ops += ["backend %d" % p for p in CRASH_BACKENDS]
        ops += ["backend 1025 bad", "backend 8443 bad"]
        if i % 3 == 2:
            ops.append("delete")
        return ops

    def request(self, name, op):
        s = self.server
        if op == "create":
            return s.call("CreateLoadBalancer", [
                ("LoadBalancerName", name)] +
                listener_params(*CRASH_LISTENERS) +
                members("AvailabilityZones", sorted(CRASH_ZONES)) +
                [("Tags.member.1.Key", "owner"),
                 ("Tags.member.1.Value", name)], allow_5xx=True)
        if op == "create bad":
            # valid first listener, invalid second: nothing may be left
            return s.call("CreateLoadBalancer", [
                ("LoadBalancerName", name)] + listener_params(
                    http_listener(80, 8080),
                    {"Protocol": "BOGUS", "LoadBalancerPort": 81,
                     "InstancePort": 81}) +
                members("AvailabilityZones", sorted(CRASH_ZONES)),
                allow_5xx=True)
        if op.startswith("policy "):
            pname = op.split()[1]
            t, attrs = (self.policies.get(pname) or
                        CRASH_BAD_POLICIES[pname])
            return s.call("CreateLoadBalancerPolicy",
                          policy_params(name, pname, t, *attrs),
                          allow_5xx=True)
        if op == "backend 1025 bad":
            # a listener-only policy on a back-end port: 409, and the
            # port's policies must stay as they were
            return s.call("SetLoadBalancerPoliciesForBackendServer",
                          backend_params(name, 1025, ["ck"]),
                          allow_5xx=True)
        if op == "backend 8443 bad":
            # the second name does not exist: 400 PolicyNotFound
            return s.call("SetLoadBalancerPoliciesForBackendServer",
                          backend_params(name, 8443, ["ba", "nosuch"]),
                          allow_5xx=True)
        if op.startswith("backend "):
            port = int(op.split()[1])
            return s.call("SetLoadBalancerPoliciesForBackendServer",
                          backend_params(name, port, CRASH_BACKENDS[port]),
                          allow_5xx=True)
        if op == "delete":
            return s.call("DeleteLoadBalancer", [("LoadBalancerName", name)],
                          allow_5xx=True)
        raise AssertionError(op)

    def writer(self, tid, round_no, stop, counter, records, lock, early):
        while not stop.is_set():
            i = next(counter)
            if i % 5 == 4:
                rec = CrashRecord("cb-r%d-t%d-%d" % (round_no, tid, i), "bad",
                                  ["create bad"])
            else:
                rec = CrashRecord("cs-r%d-t%d-%d" % (round_no, tid, i),
                                  "good", self.good_ops(i))
            with lock:
                records.append(rec)
            for op in rec.ops:
                if stop.is_set():
                    break
                try:
                    status, _, body = self.request(rec.name, op)
                except CONN_ERRORS as e:
                    rec.ops[op] = CONN
                    rec.detail[op] = "(%s)" % type(e).__name__
                    if not stop.is_set():
                        # failed before SIGKILL: note it (checked later)
                        early.append((rec.name, op, repr(e),
                                      time.monotonic()))
                    break
                rec.ops[op] = status
                if status != 200:
                    rec.detail[op] = error_code(body)

    # -- checking the database against the records

    def read_db(self):
        con = sqlite3.connect("file:%s?mode=ro" % self.server.db, uri=True,
                              timeout=10)
        try:
            acct = self.server.admin.account_id
            db = {"lbs": {}, "listeners": collections.defaultdict(set),
                  "zones": collections.defaultdict(set),
                  "tags": collections.defaultdict(dict),
                  "policies": collections.defaultdict(dict),
                  "attrs": collections.defaultdict(list),
                  "backend": collections.defaultdict(list)}
            for lb_id, name in con.execute(
                    "SELECT id, name FROM load_balancers "
                    "WHERE account_id = ?", (acct,)):
                db["lbs"][name] = lb_id
            for row in con.execute(
                    "SELECT lb_id, lb_port, protocol, instance_port, "
                    "instance_protocol FROM listeners"):
                db["listeners"][row[0]].add(tuple(row[1:]))
            for lb_id, zone in con.execute("SELECT lb_id, zone FROM lb_zones"):
                db["zones"][lb_id].add(zone)
            for lb_id, k, v in con.execute(
                    "SELECT lb_id, key, value FROM tags"):
                db["tags"][lb_id][k] = v
            for pid, lb_id, name, typ in con.execute(
                    "SELECT id, lb_id, name, type FROM policies"):
                db["policies"][lb_id][name] = (pid, typ)
            for pid, name, value in con.execute(
                    "SELECT policy_id, name, value FROM policy_attributes "
                    "ORDER BY policy_id, position"):
                db["attrs"][pid].append((name, value))
            for lb_id, port, pname in con.execute(
                    "SELECT b.lb_id, b.instance_port, p.name "
                    "FROM backend_policies b JOIN policies p "
                    "ON p.id = b.policy_id ORDER BY b.lb_id, "
                    "b.instance_port, b.position"):
                db["backend"][lb_id, port].append(pname)
            orphans = {what: con.execute(sql).fetchone()[0]
                       for what, sql in ORPHAN_QUERIES.items()}
            return db, orphans
        finally:
            con.close()

    def check_record(self, rec, db):
        """Problems (strings) of one record against the database."""
        problems = []
        o = rec.ops
        exists = rec.name in db["lbs"]
        if rec.kind == "bad":
            if o["create bad"] not in (None, CONN) and \
                    not 400 <= o["create bad"] < 500:
                problems.append("the invalid CreateLoadBalancer got %s, "
                                "not a 4xx" % o["create bad"])
            if exists:
                problems.append("exists although its CreateLoadBalancer "
                                "was invalid")
            return problems

        later = [op for op in o if op not in ("create", "delete")]
        # Requests that must succeed once their load balancer exists.
        expected_ok = [op for op in later if "bad" not in op]
        expected_4xx = [op for op in later if "bad" in op]
        created = o["create"] == 200 or any(o[op] == 200 for op in later)
        for op in expected_4xx:
            if o[op] not in (None, CONN) and not 400 <= o[op] < 500:
                problems.append("%s should be refused with a 4xx, got %s"
                                % (op, o[op]))
        if o["create"] not in (None, CONN, 200):
            problems.append("CreateLoadBalancer got %s" % o["create"])
        if o["create"] == 200:
            # every later request was made in order (a writer stops at
            # its first unanswered request) against a load balancer that
            # existed, after the requests it depends on got 200
            for op in expected_ok:
                if o[op] not in (None, CONN, 200):
                    problems.append("%s got %s" % (op, o[op]))
        if o.get("delete") == 200:
            if exists:
                problems.append("exists after DeleteLoadBalancer got 200")
            return problems
        if created and not exists and o.get("delete") != CONN:
            problems.append("missing although a request on it got 200")
        if not created and o["create"] in (None,) + tuple(
                range(400, 600)) and exists:
            problems.append("exists although CreateLoadBalancer got %s"
                            % o["create"])
        if not exists:
            return problems

        lb_id = db["lbs"][rec.name]
        if db["listeners"][lb_id] != CRASH_LISTENER_ROWS:
            problems.append("half-written listeners: %r"
                            % sorted(db["listeners"][lb_id]))
        if db["zones"][lb_id] != CRASH_ZONES:
            problems.append("half-written zones: %r"
                            % sorted(db["zones"][lb_id]))
        if db["tags"][lb_id] != {"owner": rec.name}:
            problems.append("half-written tags: %r" % db["tags"][lb_id])
        pols = db["policies"][lb_id]
        for pname in list(self.policies) + list(CRASH_BAD_POLICIES):
            oc = o["policy " + pname]
            present = pname in pols
            if oc == 200 and not present:
                problems.append("policy %s is missing after a 200" % pname)
            if not maybe(oc) and present:
                problems.append("policy %s exists after %s" % (pname, oc))
            if present and pname in self.policies:
                pid, typ = pols[pname]
                want_type, want_attrs = self.policies[pname]
                got = [(k, v.strip() if k == "PublicKey" else v)
                       for k, v in db["attrs"][pid]]
                if typ != want_type or got != want_attrs:
                    problems.append("policy %s is half-written or wrong: "
                                    "%s %r" % (pname, typ, [
                                        (k, v[:40]) for k, v in got]))
        extra = set(pols) - set(self.policies) - set(CRASH_BAD_POLICIES)
        if extra:
            problems.append("unexpected policies %r" % sorted(extra))
        for port, names in CRASH_BACKENDS.items():
            oc = o["backend %d" % port]
            got = tuple(db["backend"].get((lb_id, port), ()))
            allowed = {names} if oc == 200 else \
                {(), names} if oc == CONN else {()}
            if got not in allowed:
                problems.append("back-end port %d has %r; allowed: %r "
                                "(its request got %s)"
                                % (port, got, sorted(allowed), oc))
        return problems

    def verify(self, records, label):
        db, orphans = self.read_db()
        problems = ["%s: %s" % (what, n) for what, n in orphans.items() if n]
        by_name = set()
        for rec in records:
            by_name.add(rec.name)
            for p in self.check_record(rec, db):
                problems.append("%s: %s\n      requests: %r" % (rec.name, p,
                                                                rec))
        stray = set(db["lbs"]) - by_name
        if stray:
            problems.append("load balancers no request created: %r"
                            % sorted(stray)[:10])
        if problems:
            self.fail("%s: %d problem(s):\n  %s" % (
                label, len(problems), "\n  ".join(problems[:25])))
        return db

    # -- the test

    def test_sigkill_during_concurrent_writes(self):
        seed = int(os.environ.get("EULB_SEED") or time.time())
        rnd = random.Random(seed)
        report("crash test seed %d (EULB_SEED=%d to replay)", seed, seed)
        records, lock = [], threading.Lock()
        counter = itertools.count()
        stats = collections.Counter()
        for round_no in range(self.ROUNDS):
            stop = threading.Event()
            early = []
            threads = [threading.Thread(
                target=self.writer, daemon=True,
                args=(t, round_no, stop, counter, records, lock, early))
                for t in range(self.WRITERS)]
            round_start = time.monotonic()
            for t in threads:
                t.start()
            time.sleep(rnd.uniform(*self.KILL_AFTER))
            proc = self.server.proc
            kill_time = time.monotonic()
            os.kill(proc.pid, signal.SIGKILL)
            stop.set()
            proc.wait(10)
            self.server.proc = None
            for t in threads:
                t.join(30)
                self.assertFalse(t.is_alive(), "a writer hangs")
            before_kill = [e for e in early if e[3] < kill_time]
            self.assertFalse(before_kill, "requests failed without an "
                             "answer before eulbd was killed: %r"
                             % before_kill[:5])
            self.server.start()  # the same database
            db = self.verify(records, "after SIGKILL %d" % (round_no + 1))
            cut = [r for r in records if CONN in r.ops.values() and
                   "r%d-" % round_no in r.name]
            cut_creates = [r for r in cut if r.ops.get("create") == CONN]
            report("SIGKILL %d after %.2f s of writing: %d requests cut off "
                   "(%d CreateLoadBalancer, of which %d had committed)",
                   round_no + 1, kill_time - round_start, len(cut),
                   len(cut_creates),
                   sum(r.name in db["lbs"] for r in cut_creates))
        for rec in records:
            for o in rec.ops.values():
                stats[o] += 1
        report("crash test: %d load balancers attempted over %d SIGKILLs; "
               "request outcomes %s", len(records), self.ROUNDS,
               dict(sorted(stats.items(), key=str)))
        fivexx = [(r.name, op, o, r.detail.get(op)) for r in records
                  for op, o in r.ops.items()
                  if isinstance(o, int) and o >= 500]
        self.assertFalse(fivexx, "5xx answers during the crash test: %r"
                         % fivexx[:10])
        self.assertGreater(stats[200], 50, "too few writes got through to "
                           "test anything")

        # The API agrees with the database after the last restart.
        names, marker = set(), ""
        for _ in range(1000):
            status, _, body = self.server.call(
                "DescribeLoadBalancers", [("Marker", marker)] if marker
                else [])
            self.assertEqual(status, 200, body[:500])
            names.update(lb_names(body))
            marker = next_marker(body)
            if not marker:
                break
        db = self.verify(records, "after the last restart")
        self.assertEqual(names, set(db["lbs"]),
                         "DescribeLoadBalancers disagrees with the database")

        # With eulbd stopped: SQLite's own checks on the file.
        self.server.stop()
        con = sqlite3.connect("file:%s?mode=ro" % self.server.db, uri=True,
                              timeout=10)
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchall(),
                             [("ok",)])
            self.assertEqual(con.execute(
                "PRAGMA foreign_key_check").fetchall(), [])
        finally:
            con.close()
        self.verify(records, "with eulbd stopped")
        # tearDown starts it once more: it must come up on this database.


# =============================================================================
# 3. Concurrency
# =============================================================================

class ConcurrencyTest(HardeningCase):
    server_args = ("--max-listeners", "1000")

    def run_parallel(self, n, fn):
        """Runs fn(i) for i in range(n), one thread each, released at once;
        returns [(result or exception, seconds)]."""
        barrier = threading.Barrier(n)
        out = [None] * n

        def run(i):
            barrier.wait(30)
            t0 = time.monotonic()
            try:
                r = fn(i)
            except CONN_ERRORS as e:
                r = e
            out[i] = (r, time.monotonic() - t0)

        threads = [threading.Thread(target=run, args=(i,), daemon=True)
                   for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
            self.assertFalse(t.is_alive(), "a client hangs")
        return out

    def test_50_parallel_create_listeners_on_one_lb(self):
        self.create_lb("conc")

        def add(i):
            return self.server.call("CreateLoadBalancerListeners", [
                ("LoadBalancerName", "conc")] + listener_params(
                    {"Protocol": "TCP", "LoadBalancerPort": 10000 + i,
                     "InstanceProtocol": "TCP", "InstancePort": 20000 + i}),
                allow_5xx=True)

        out = self.run_parallel(50, add)
        bad = [(10000 + i, r if isinstance(r, Exception) else
                (r[0], error_code(r[2])))
               for i, (r, _) in enumerate(out)
               if isinstance(r, Exception) or r[0] != 200]
        report("50 parallel CreateLoadBalancerListeners: slowest %.2f s; "
               "failures %r", max(s for _, s in out), bad)
        self.assertFalse(bad, "requests that did not get 200 "
                         "(port, status/code or exception)")
        root = parse_xml(self.ok(self.server.describe("conc")))
        got = {(int(m.findtext("Listener/LoadBalancerPort")),
                int(m.findtext("Listener/InstancePort")))
               for m in root.findall(".//ListenerDescriptions/member")}
        want = {(80, 8080)} | {(10000 + i, 20000 + i) for i in range(50)}
        self.assertEqual(got, want, "lost or extra listeners")

    def test_writes_wait_for_another_writer_of_the_database(self):
        """`eulbd account create` and friends write the database beside
        the server. While another process holds SQLite's write lock for
        1.5 s, writes must wait for it and succeed (never 500/503), and
        reads must still be answered."""
        self.create_lb("locked")
        hold = 1.5
        con = sqlite3.connect(self.server.db, timeout=10,
                              isolation_level=None)
        reads = []

        def add(i):
            return self.server.call("CreateLoadBalancerListeners", [
                ("LoadBalancerName", "locked")] + listener_params(
                    {"Protocol": "TCP", "LoadBalancerPort": 3000 + i,
                     "InstanceProtocol": "TCP", "InstancePort": 3000 + i}),
                allow_5xx=True)

        def read():
            time.sleep(0.3)
            t0 = time.monotonic()
            try:
                st = self.server.describe("locked", allow_5xx=True)[0]
            except CONN_ERRORS as e:
                st = repr(e)
            reads.append((st, time.monotonic() - t0))

        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO settings (key, value) VALUES "
                        "('hardening-test-lock', 'x')")
            t_lock = time.monotonic()
            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            out = {}
            writers = [threading.Thread(target=lambda i=i: out.__setitem__(
                i, add(i)), daemon=True) for i in range(8)]
            for t in writers:
                t.start()
            time.sleep(max(0, hold - (time.monotonic() - t_lock)))
            con.execute("ROLLBACK")
        finally:
            con.close()
        for t in writers + [reader]:
            t.join(30)
        statuses = {i: (r[0], error_code(r[2]) if r[0] != 200 else "")
                    for i, r in out.items()}
        report("with the write lock held elsewhere for %.1f s: writes got "
               "%r; a read got %s after %.2f s", hold,
               sorted(set(statuses.values())), reads[0][0] if reads else
               None, reads[0][1] if reads else -1)
        self.assertEqual(len(statuses), 8, "writers that never finished")
        self.assertEqual({st for st, _ in statuses.values()}, {200},
                         statuses)
        self.assertEqual(reads and reads[0][0], 200)
        root = parse_xml(self.ok(self.server.describe("locked")))
        ports = {int(m.findtext("Listener/LoadBalancerPort"))
                 for m in root.findall(".//ListenerDescriptions/member")}
        self.assertEqual(ports, {80} | {3000 + i for i in range(8)})

    def test_many_clients_write_one_lbs_tags_and_attributes(self):
        self.create_lb("shared")
        writers, iters = 8, 12
        stop = threading.Event()
        reads = collections.Counter()
        torn = []

        def write(t):
            statuses = []
            for i in range(iters):
                v = 1 + t * 100 + i
                r = self.server.call("AddTags", [
                    ("LoadBalancerNames.member.1", "shared"),
                    ("Tags.member.1.Key", "own-%d" % t),
                    ("Tags.member.1.Value", "v%d" % v),
                    ("Tags.member.2.Key", "shared"),
                    ("Tags.member.2.Value", "v%d" % v)], allow_5xx=True)
                statuses.append(("AddTags", r[0], error_code(r[2])
                                 if r[0] != 200 else ""))
                r = self.server.call("ModifyLoadBalancerAttributes", [
                    ("LoadBalancerName", "shared"),
                    ("LoadBalancerAttributes.ConnectionSettings.IdleTimeout",
                     str(v)),
                    ("LoadBalancerAttributes.ConnectionDraining.Enabled",
                     "true"),
                    ("LoadBalancerAttributes.ConnectionDraining.Timeout",
                     str(v))], allow_5xx=True)
                statuses.append(("ModifyLoadBalancerAttributes", r[0],
                                 error_code(r[2]) if r[0] != 200 else ""))
            return statuses

        def read():
            # Every read sees one whole write: both attributes from the
            # same request, and the shared tag equal to one writer's own.
            while not stop.is_set():
                r = self.server.call("DescribeLoadBalancerAttributes",
                                     [("LoadBalancerName", "shared")],
                                     allow_5xx=True)
                reads[r[0]] += 1
                if r[0] == 200:
                    a = flatten_attributes(parse_xml(r[2]).find(
                        ".//LoadBalancerAttributes"))
                    if a.get("ConnectionDraining.Enabled") == "true" and \
                            a.get("ConnectionSettings.IdleTimeout") != \
                            a.get("ConnectionDraining.Timeout"):
                        torn.append(a)

        readers = [threading.Thread(target=read, daemon=True)
                   for _ in range(2)]
        for t in readers:
            t.start()
        try:
            out = self.run_parallel(writers, write)
        finally:
            stop.set()
            for t in readers:
                t.join(30)
        errors = []
        for t, (r, _) in enumerate(out):
            if isinstance(r, Exception):
                errors.append((t, repr(r)))
            else:
                errors += [(t,) + s for s in r if s[1] != 200]
        report("tags/attributes: %d writers x %d x 2 requests, slowest "
               "writer %.2f s, reads %r", writers, iters,
               max(s for _, s in out), dict(reads))
        self.assertFalse(errors, "writes that did not get 200")
        self.assertEqual(set(reads), {200}, "reads that did not get 200")
        self.assertFalse(torn, "a read saw half of a "
                         "ModifyLoadBalancerAttributes: %r" % torn[:3])

        last = {t: "v%d" % (1 + t * 100 + iters - 1) for t in range(writers)}
        body = self.ok(self.server.call(
            "DescribeTags", [("LoadBalancerNames.member.1", "shared")]))
        tags = {m.findtext("Key"): m.findtext("Value") or "" for m in
                parse_xml(body).findall(".//TagDescriptions/member/Tags/"
                                        "member")}
        self.assertEqual({k: v for k, v in tags.items() if k != "shared"},
                         {"own-%d" % t: v for t, v in last.items()},
                         "lost tag updates")
        self.assertIn(tags.get("shared"), set(last.values()),
                      "the shared tag is not any writer's last value")
        body = self.ok(self.server.call("DescribeLoadBalancerAttributes",
                                        [("LoadBalancerName", "shared")]))
        a = flatten_attributes(parse_xml(body).find(
            ".//LoadBalancerAttributes"))
        self.assertIn(a["ConnectionSettings.IdleTimeout"],
                      {v[1:] for v in last.values()})
        self.assertEqual(a["ConnectionDraining.Timeout"],
                         a["ConnectionSettings.IdleTimeout"])
        self.assertEqual(a["ConnectionDraining.Enabled"], "true")


# =============================================================================
# 4. Limits
# =============================================================================

class BodyLimitTest(HardeningCase):
    MAX = 4096
    server_args = ("--max-body", str(MAX))

    def padded_body(self, size):
        base = urllib.parse.urlencode([("Action", "DescribeLoadBalancers"),
                                       ("Version", "2012-06-01")]).encode()
        pad = size - len(base) - len(b"&Pad=")
        self.assertGreater(pad, 0)
        body = base + b"&Pad=" + b"a" * pad
        self.assertEqual(len(body), size)
        return body

    def test_body_of_exactly_the_maximum_is_served(self):
        status, _, body = self.server.raw(self.padded_body(self.MAX),
                                          allow_5xx=True)
        self.assertEqual(status, 200, body[:500])
        self.assertEqual(lb_names(body), [])

    def test_body_one_byte_over_the_maximum_is_413(self):
        for accept_json in (False, True):
            with self.subTest(accept_json=accept_json):
                resp = self.server.raw(self.padded_body(self.MAX + 1),
                                       accept_json=accept_json,
                                       allow_5xx=True)
                err = self.assertAwsError(resp, (413,),
                                          ("RequestEntityTooLarge",))
                self.assertEqual(err["format"],
                                 "json" if accept_json else "xml")

    def test_chunked_body_over_the_maximum_is_413(self):
        # No Content-Length: the limit must hold while reading.
        chunk = b"a" * 1024
        prefix = b"Action=DescribeLoadBalancers&Pad="
        req = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Content-Type: application/x-www-form-urlencoded\r\n"
               b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
               b"%x\r\n%s\r\n" % (len(prefix), prefix) +
               b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk)
                        for _ in range(8)) + b"0\r\n\r\n")
        status, raw, closed, secs = exchange_raw(self.server.port, req,
                                                 timeout=10)
        self.assertEqual(status, 413, raw[:500])
        self.assertEqual(parse_error(http_body(raw))["Code"],
                         "RequestEntityTooLarge")

    def test_huge_content_length_is_refused_before_reading(self):
        req = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Content-Type: application/x-www-form-urlencoded\r\n"
               b"Content-Length: 1099511627776\r\n\r\nAction=x")
        status, raw, closed, secs = exchange_raw(self.server.port, req,
                                                 timeout=10)
        self.assertEqual(status, 413, raw[:500])
        self.assertEqual(parse_error(http_body(raw))["Code"],
                         "RequestEntityTooLarge")
        self.assertTrue(closed, "the connection stays open after 413")
        self.assertLess(secs, 3)


class ParameterLimitTest(HardeningCase):
    # A short timeout so that a server which neither answers nor closes
    # is caught quickly (the default is 30 s).
    server_args = ("--connection-timeout", "8")

    def test_post_with_3000_parameters_is_400(self):
        params = [("Param%d" % i, "v") for i in range(3000)]
        resp = self.server.call("DescribeLoadBalancers", params,
                                allow_5xx=True)
        self.assertAwsError(resp, (400,), ("ValidationError",))

    def test_get_with_3000_parameters_is_answered(self):
        """The query protocol allows GET: 3000 parameters in the query
        string (~27 KB) must get a clean 4xx promptly (or at least a
        prompt close), not a hang until --connection-timeout."""
        q = "&".join(["Action=DescribeLoadBalancers", "Version=2012-06-01"] +
                     ["Param%d=v" % i for i in range(3000)])
        req = ("GET /?%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               "Connection: close\r\n\r\n" % q).encode()
        status, raw, closed, secs = exchange_raw(self.server.port, req,
                                                 timeout=5)
        report("GET with 3000 query parameters: status %s, closed %s after "
               "%.2f s, %r", status, closed, secs, raw[:80])
        self.assertTrue(status is not None or closed,
                        "no answer and no close within 5 s (%.2f s)" % secs)
        if status is not None:
            self.assertTrue(400 <= status < 500, raw[:300])


class AttributeSizeTest(HardeningCase):
    """PublicKey values up to 16 KiB are accepted; larger attribute values
    are refused with a clean AWS error and leave nothing behind."""

    def setUp(self):
        super().setUp()
        self.create_lb("big", {"Protocol": "TCP", "LoadBalancerPort": 1443,
                               "InstanceProtocol": "SSL",
                               "InstancePort": 8443})

    def refused(self, params, what):
        before = self.server.row_counts()
        resp = self.server.call("CreateLoadBalancerPolicy", params,
                                allow_5xx=True)
        err = self.assertAwsError(
            resp, (400, 409),
            ("ValidationError", "InvalidConfigurationRequest"), what)
        self.assertEqual(self.server.row_counts(), before,
                         "%s left rows behind" % what)
        return err

    def test_public_key_of_16k_is_accepted(self):
        pem = cert_pem(16384 - 400, 16384)
        self.ok(self.server.call("CreateLoadBalancerPolicy", policy_params(
            "big", "pk16", "PublicKeyPolicyType", ("PublicKey", pem))))
        body = self.ok(self.server.call("DescribeLoadBalancerPolicies", [
            ("LoadBalancerName", "big"), ("PolicyNames.member.1", "pk16")]))
        values = [m.findtext("AttributeValue") for m in parse_xml(
            body).findall(".//PolicyAttributeDescriptions/member")]
        self.assertEqual(values, [pem])
        self.ok(self.server.call("CreateLoadBalancerPolicy", policy_params(
            "big", "ba16", "BackendServerAuthenticationPolicyType",
            ("PublicKeyPolicyName", "pk16"))))
        self.ok(self.server.call("SetLoadBalancerPoliciesForBackendServer",
                                 backend_params("big", 8443, ["ba16"])))

    def test_public_key_garbage_of_16k_is_409(self):
        rnd = random.Random(7)
        alphabet = ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789+/")
        b64 = "".join(rnd.choice(alphabet) for _ in range(16384))
        head, end = ("-----BEGIN CERTIFICATE-----\n",
                     "\n-----END CERTIFICATE-----")
        lines = "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64))
        pem = head + lines[:16384 - len(head) - len(end)] + end
        for what, value in (("PEM-framed", pem), ("bare base64", b64)):
            with self.subTest(what):
                self.assertEqual(len(value), 16384)
                err = self.refused(policy_params(
                    "big", "junk", "PublicKeyPolicyType",
                    ("PublicKey", value)), what)
                self.assertEqual(err["Code"], "InvalidConfigurationRequest")

    def test_public_key_of_64k_is_refused(self):
        """A real, valid certificate of just over 64 KiB: only its size is
        wrong."""
        pem = cert_pem(65536, 66500)
        self.refused(policy_params("big", "pk64", "PublicKeyPolicyType",
                                   ("PublicKey", pem)), "64 KiB certificate")

    def test_public_key_garbage_of_64k_is_refused(self):
        self.refused(policy_params("big", "junk64", "PublicKeyPolicyType",
                                   ("PublicKey", "A" * 65536)),
                     "64 KiB garbage")

    def test_cookie_name_of_64k_is_refused(self):
        self.refused(policy_params("big", "cookie64",
                                   "AppCookieStickinessPolicyType",
                                   ("CookieName", "c" * 65536)),
                     "64 KiB CookieName")


class ResponseMemoryTest(HardeningCase):
    """Clients that ask for large answers and never read them hold those
    answers in eulbd's memory, beyond what the kernel's send buffer takes
    (up to 4 MB here): past --max-response-memory, large answers are
    refused with 503 ServiceUnavailable until the holders read or go;
    small answers are always served."""

    POLICIES = 700  # 16 KiB PublicKeys: an 11 MB answer
    server_args = ("--max-policies", str(POLICIES),
                   "--max-response-bytes", str(16 << 20),
                   "--max-response-memory", str(24 << 20))

    def setUp(self):
        super().setUp()
        self.create_lb("big", {"Protocol": "TCP", "LoadBalancerPort": 1443,
                               "InstanceProtocol": "SSL",
                               "InstancePort": 8443})
        pem = cert_pem(16384 - 400, 16384)
        conn = self.server.keep_alive()
        try:
            for i in range(self.POLICIES):
                self.ok(self.server.call(
                    "CreateLoadBalancerPolicy",
                    policy_params("big", "pk%d" % i, "PublicKeyPolicyType",
                                  ("PublicKey", pem)), conn=conn))
        finally:
            conn.close()
        self.big = [("Action", "DescribeLoadBalancerPolicies"),
                    ("Version", "2012-06-01"), ("LoadBalancerName", "big")]

    def unread(self):
        """A connection that asks for the big answer and reads nothing
        (a small receive buffer, so the kernel takes little of it)."""
        body = urllib.parse.urlencode(self.big).encode()
        date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        h = {"host": "127.0.0.1:%d" % self.server.port, "x-amz-date": date,
             "content-type": "application/x-www-form-urlencoded"}
        h["authorization"] = et.sigv4_authorization(
            "POST", "/", [], h, body, self.server.admin, date,
            self.server.region)
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", self.server.port))
        s.sendall(("POST / HTTP/1.1\r\n" + "".join(
            "%s: %s\r\n" % kv for kv in h.items()) +
            "content-length: %d\r\n\r\n" % len(body)).encode() + body)
        # Its answer has started: eulbd has queued (and counted) it.
        ready, _, _ = select.select([s], [], [], 30)
        self.assertTrue(ready, "no answer to a big request in 30 s")
        return s

    def test_unread_answers_are_bounded(self):
        status, _, body = self.server.raw(self.big)
        self.assertEqual(status, 200)
        self.assertGreater(len(body), 10 << 20)
        holders = [self.unread(), self.unread()]
        try:
            # Two answers of 11 MB, most of each still in eulbd, leave
            # less than one more under the 24 MiB budget.
            status, _, body = self.server.raw(self.big, allow_5xx=True)
            self.assertEqual(status, 503, body[:300])
            self.assertEqual(error_code(body), "ServiceUnavailable")
            report("a third 11 MB answer beside two unread ones: %d %s",
                   status, error_code(body))
            # Small answers need no room.
            self.ok(self.server.describe("big"))
        finally:
            for s in holders:
                s.close()
        deadline = time.monotonic() + 10
        while True:
            status, _, body = self.server.raw(self.big, allow_5xx=True)
            if status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(status, 200, "the budget was not given back once "
                         "the holders went: %r" % body[:300])

    def test_budget_below_one_answer_is_refused(self):
        r = subprocess.run([et.bin_path("eulbd"), "--max-response-bytes",
                            "1000000", "--max-response-memory", "999999"],
                           capture_output=True, text=True,
                           timeout=RUN_TIMEOUT)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--max-response-memory", r.stderr)


class ConnectionLimitTest(HardeningCase):
    LIMIT, TIMEOUT = 20, 2
    # Every connection here comes from 127.0.0.1: the per-address limit
    # is lifted so that these tests see the global limit and the
    # deadlines alone (SlowBodyTest below covers the per-address limit).
    server_args = ("--max-connections", str(LIMIT),
                   "--connection-timeout", str(TIMEOUT),
                   "--max-connections-per-ip", "0")

    def test_idle_connection_is_closed_after_the_timeout(self):
        idle = socket.create_connection(("127.0.0.1", self.server.port),
                                        timeout=5)
        partial = socket.create_connection(("127.0.0.1", self.server.port),
                                           timeout=5)
        try:
            partial.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ")
            t0 = time.monotonic()
            deadline = t0 + self.TIMEOUT + 3
            self.assertTrue(wait_closed(idle, deadline),
                            "an idle connection is still open after %d s"
                            % (self.TIMEOUT + 3))
            self.assertTrue(wait_closed(partial, deadline),
                            "a half-sent request is still open after %d s"
                            % (self.TIMEOUT + 3))
            report("idle and half-sent connections closed after %.2f s "
                   "(--connection-timeout %d)", time.monotonic() - t0,
                   self.TIMEOUT)
        finally:
            idle.close()
            partial.close()

    def test_idle_connections_beyond_the_limit(self):
        """Twice --max-connections idle connections, then a normal client:
        it must be served, at worst once the idle ones time out, and the
        server must serve promptly afterwards."""
        n = 2 * self.LIMIT
        t_open = time.monotonic()
        idle = [socket.create_connection(("127.0.0.1", self.server.port),
                                         timeout=5) for _ in range(n)]
        try:
            t0 = time.monotonic()
            try:
                first = self.server.describe(allow_5xx=True)[0]
            except CONN_ERRORS as e:
                first = repr(e)
            wait = time.monotonic() - t0
            report("with %d idle connections open (limit %d, timeout %d s) "
                   "a normal request got %s after %.2f s", n, self.LIMIT,
                   self.TIMEOUT, first, wait)
            # Waiting its turn (the kernel's backlog) until idle
            # connections time out is acceptable; a hang beyond that is
            # not. A refusal must be clean: an HTTP 503, or a closed
            # connection.
            if first == 200:
                self.assertLess(wait, (n // self.LIMIT + 1) * self.TIMEOUT
                                + 3)
            elif isinstance(first, int):
                self.assertEqual(first, 503)
            deadline = t_open + (n // self.LIMIT + 1) * self.TIMEOUT + 5
            still_open = [i for i, s in enumerate(idle)
                          if not wait_closed(s, deadline)]
            self.assertFalse(still_open, "idle connections the server never "
                             "closed: %d of %d" % (len(still_open), n))
        finally:
            for s in idle:
                s.close()
        t0 = time.monotonic()
        self.assertEqual(self.server.describe()[0], 200)
        self.assertLess(time.monotonic() - t0, 1.5,
                        "slow once the idle connections are gone")

    def test_slowloris_beyond_the_limit(self):
        """More trickling connections (one header byte a second, never
        finishing) than --max-connections: a normal client must still be
        served within a couple of --connection-timeouts. This needs a
        deadline for the whole request head, as the idle timeout restarts
        with every byte."""
        n, budget = self.LIMIT + 10, 2 * self.TIMEOUT + 2
        trickle = Trickle(self.server.port, n)
        result = {}
        try:
            trickle.start()
            time.sleep(1.0)
            t0 = time.monotonic()

            def client():
                try:
                    result["status"] = self.server.describe(
                        allow_5xx=True)[0]
                except CONN_ERRORS as e:
                    result["status"] = repr(e)
                result["secs"] = time.monotonic() - t0

            c = threading.Thread(target=client, daemon=True)
            c.start()
            c.join(budget)
            served_while_trickling = not c.is_alive()
        finally:
            trickle.stop()
        c.join(20)
        report("slowloris beyond the limit: %d trickling connections (limit "
               "%d, timeout %d s); a normal request got %s after %.2f s%s; "
               "the server closed %d of the trickling connections", n,
               self.LIMIT, self.TIMEOUT, result.get("status"),
               result.get("secs", -1), "" if served_while_trickling else
               " (only once the trickling stopped at %.1f s)" % budget,
               trickle.closed_by_server)
        self.assertTrue(served_while_trickling, "a normal client was not "
                        "served within %d s while slowloris connections "
                        "trickled" % budget)
        self.assertEqual(result.get("status"), 200)


class Trickle:
    """n connections each sending a never-ending request head, one byte a
    second per connection."""

    HEAD = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
            b"".join(b"X-Slow-%d: %s\r\n" % (i, b"z" * 20)
                     for i in range(500)))

    def __init__(self, port, n):
        self.port, self.n = port, n
        self.socks = []
        self.closed_by_server = 0
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        for _ in range(self.n):
            s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            s.setblocking(False)
            self.socks.append(s)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        alive = {s: 0 for s in self.socks}
        while not self._stop.is_set():
            for s, pos in list(alive.items()):
                try:
                    s.send(self.HEAD[pos:pos + 1])
                    alive[s] = pos + 1
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    self.closed_by_server += 1
                    del alive[s]
            self._stop.wait(1.0)

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join(10)
        for s in self.socks:
            s.close()


class SlowlorisTest(HardeningCase):
    """Default limits: 30 trickling connections must not slow anyone."""

    def test_slowloris_does_not_block_normal_clients(self):
        trickle = Trickle(self.server.port, 30)
        latencies = []
        try:
            trickle.start()
            for _ in range(5):
                time.sleep(1.0)
                t0 = time.monotonic()
                status = self.server.describe()[0]
                latencies.append(time.monotonic() - t0)
                self.assertEqual(status, 200)
                st, _, _, secs = exchange_raw(
                    self.server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                    b"Connection: close\r\n\r\n")
                self.assertEqual(st, 200)
                latencies.append(secs)
        finally:
            trickle.stop()
        report("30 trickling connections: normal request latencies %s",
               ", ".join("%.3f" % x for x in latencies))
        self.assertLess(max(latencies), 2.0)

    def test_shutdown_with_slow_and_idle_connections_open(self):
        """SIGTERM must not wait for clients that never finish."""
        trickle = Trickle(self.server.port, 30)
        idle = [socket.create_connection(("127.0.0.1", self.server.port),
                                         timeout=5) for _ in range(10)]
        try:
            trickle.start()
            time.sleep(1.5)
            t0 = time.monotonic()
            self.server.stop()  # asserts exit 0 within its time limit
            secs = time.monotonic() - t0
            report("shutdown with 40 slow/idle connections open: %.2f s",
                   secs)
            self.assertLess(secs, 5)
        finally:
            trickle.stop()
            for s in idle:
                s.close()


class HostileInputTest(HardeningCase):
    server_args = ("--connection-timeout", "5")

    def assertAlive(self):
        status, _, _ = self.server.describe()
        self.assertEqual(status, 200)

    def test_header_block_of_100k(self):
        cases = {
            "one 100 KB header":
                b"X-Big: " + b"a" * 100000 + b"\r\n",
            "2000 headers of 50 bytes":
                b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 40)
                         for i in range(2000)),
        }
        for what, headers in cases.items():
            for target in (b"/", b"/healthz"):
                with self.subTest(what=what, target=target):
                    status, raw, closed, secs = exchange_raw(
                        self.server.port,
                        b"POST " + target + b" HTTP/1.1\r\nHost: x\r\n" +
                        headers + b"Content-Length: 0\r\n\r\n", timeout=4)
                    report("%s to %s: status %s, closed %s after %.2f s",
                           what, target.decode(), status, closed, secs)
                    self.assertTrue(closed, "no close within 4 s")
                    if status is not None:
                        self.assertTrue(400 <= status < 500, raw[:300])
                    self.assertAlive()

    def test_a_request_path_cannot_forge_log_lines(self):
        # The path went into the access line byte for byte: a CR and an
        # escape sequence showed a terminal tailing the log a forged line.
        forged = (b"/x\r2026-12-06T00:00:00.000Z info POST / "
                  b"CreateLoadBalancer account=000000000000 status=200 "
                  b"0.1ms\x1b[K")
        mark = self.server.log_mark()
        exchange_raw(self.server.port, b"GET " + forged + b" HTTP/1.1\r\n"
                     b"Host: x\r\nConnection: close\r\n\r\n", timeout=4)
        got = self.server.wait_log("/x\\x0d2026-12-06T00:00:00.000Z", mark)
        self.assertIn("0.1ms\\x1b[K", got)
        self.assertNotIn("\r", got)
        self.assertNotIn("\x1b", got)
        self.assertAlive()

    def test_garbage_bytes(self):
        rnd = random.Random(11)
        cases = {
            "random bytes": bytes(rnd.getrandbits(8) for _ in range(65536)),
            "NUL bytes": b"\0" * 4096,
            "TLS ClientHello": bytes.fromhex(
                "16030100a5010000a10303") + bytes(rnd.getrandbits(8)
                                                  for _ in range(160)),
            "bad request line": b"GET\r\n\r\n",
            "HTTP/2 preface": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            "bad chunk size": b"POST / HTTP/1.1\r\nHost: x\r\n"
                              b"Transfer-Encoding: chunked\r\n\r\n"
                              b"zzzz\r\nabc\r\n0\r\n\r\n",
            "negative length": b"POST / HTTP/1.1\r\nHost: x\r\n"
                               b"Content-Length: -1\r\n\r\n",
            "two lengths": b"POST / HTTP/1.1\r\nHost: x\r\n"
                           b"Content-Length: 3\r\nContent-Length: 5\r\n\r\n"
                           b"abcde",
        }
        for what, data in cases.items():
            with self.subTest(what):
                status, raw, closed, secs = exchange_raw(
                    self.server.port, data, timeout=7, half_close=True)
                report("%s: status %s, closed %s after %.2f s", what, status,
                       closed, secs)
                self.assertTrue(closed or status is not None,
                                "neither an answer nor a close")
                if status is not None:
                    # 505 is the right answer to another HTTP version
                    self.assertTrue(status < 500 or status == 505,
                                    raw[:300])
                self.assertAlive()

    def test_clients_that_vanish_mid_request(self):
        """Connections dropped half-way (in the head, in the body, after
        the head with a body promised) must free everything."""
        port = self.server.port
        pieces = [
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Le",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
            b"Action=Desc",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n",
            b"GET /?Action=DescribeLoadBalancers HTTP/1.1\r\n",
        ]
        for _ in range(10):
            for data in pieces:
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.sendall(data)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             b"\1\0\0\0\0\0\0\0")  # close with a reset
                s.close()
        time.sleep(0.5)
        self.assertAlive()


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
if __name__ == "__main__":
    unittest.main()

if __name__ == "__main__":
    unittest.main()
