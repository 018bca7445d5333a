"""Harness for the data-plane suite (standard library only).

Real processes on loopback: `openssl s_server -WWW` as the instances (each
serves its own id.txt and logs every file it hands out), eulb-servo as the
worker, and the HAProxy it runs. Ports come from the OS; instances sit on
distinct loopback addresses (127.0.0.2, 127.0.0.3, ...) so that they can
share an instance port, as ELB instances do. Every wait is bounded.
"""

import contextlib
import http.client
import os
import re
import signal
import shutil
import socket
import ssl
import subprocess
import threading
import time

from eulbtest import RUN_TIMEOUT, bin_path, check_sanitizers, clean_env

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
STOP_TIMEOUT = 20        # eulb-servo: SIGTERM to exit, HAProxy included
READY_TIMEOUT = 10       # a process starts listening
REQUEST_TIMEOUT = 5      # one request through the load balancer
MASTER_PID = re.compile(r"HAProxy started \(master pid (\d+)\)")


def have_tools():
    return os.access(HAPROXY, os.X_OK) and os.access(OPENSSL, os.X_OK)


def wait_for(cond, timeout, what, step=0.2):
    """Polls cond() until it returns something true; returns that."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = cond()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1f s waiting for %s "
                                 "(last: %r)" % (timeout, what, last))
        time.sleep(step)


def free_port(hosts=("127.0.0.1",)):
    """A TCP port the OS hands out that is also free on the other hosts."""
    for _ in range(100):
        with socket.socket() as s:
            s.bind((hosts[0], 0))
            port = s.getsockname()[1]
            ok = True
            for h in hosts[1:]:
                with socket.socket() as t:
                    try:
                        t.bind((h, port))
                    except OSError:
                        ok = False
            if ok:
                return port
    raise AssertionError("no port free on all of %s" % (hosts,))


def port_open(host, port):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def openssl(*args, input=None):
    r = subprocess.run([OPENSSL] + [str(a) for a in args], input=input,
                       capture_output=True, timeout=RUN_TIMEOUT)
    if r.returncode != 0:
        raise AssertionError("openssl %s: %s" % (" ".join(map(str, args)),
                                                 r.stderr.decode()))
    return r.stdout.decode()


def reissue(certs, key, out, cn):
    """A new self-signed certificate for an existing key."""
    openssl("req", "-x509", "-new", "-key", os.path.join(certs, key),
            "-out", os.path.join(certs, out), "-days", "30", "-subj",
            "/CN=" + cn, "-addext",
            "subjectAltName=DNS:%s,IP:127.0.0.1" % cn)


def public_key_base64(crt):
    """`openssl x509 -pubkey -noout` without its BEGIN/END lines."""
    out = openssl("x509", "-in", crt, "-pubkey", "-noout")
    return "".join(l.strip() for l in out.splitlines()
                   if l.strip() and not l.startswith("-----"))


class Instance:
    """One back end: `openssl s_server -WWW` on addr:port presenting
    crt/key, serving id.txt = its instance id. requests() counts the files
    it served (s_server prints FILE:<name> for each)."""

    def __init__(self, workdir, instance_id, addr, port, crt, key):
        self.id = instance_id
        self.addr = addr
        self.port = port
        self.crt = crt
        self.key = key
        self.dir = os.path.join(workdir, instance_id)
        os.makedirs(self.dir, exist_ok=True)
        with open(os.path.join(self.dir, "id.txt"), "w") as f:
            f.write(instance_id + "\n")
        self.proc = None
        self.served = []
        self._lock = threading.Lock()

    def start(self, crt=None, key=None):
        self.crt = crt or self.crt
        self.key = key or self.key
        self.proc = subprocess.Popen(
            [OPENSSL, "s_server", "-accept", "%s:%d" % (self.addr, self.port),
             "-cert", self.crt, "-key", self.key, "-WWW", "-naccept",
             "1000000"],
            cwd=self.dir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        proc = self.proc

        def read():
            for raw in iter(proc.stdout.readline, b""):
                line = raw.decode("utf-8", "replace").strip()
                if line.startswith("FILE:"):
                    with self._lock:
                        self.served.append(line[5:])
            proc.stdout.close()

        threading.Thread(target=read, daemon=True).start()
        wait_for(lambda: proc.poll() is not None or
                 port_open(self.addr, self.port), READY_TIMEOUT,
                 "instance %s on %s:%d" % (self.id, self.addr, self.port),
                 step=0.05)
        if proc.poll() is not None:
            raise AssertionError("s_server for %s exited with %s"
                                 % (self.id, proc.returncode))
        return self

    def requests(self, name="id.txt"):
        """How many times it served name."""
        with self._lock:
            return sum(1 for f in self.served if f == name)

    def stop(self):
        proc, self.proc = self.proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def restart(self, crt=None, key=None):
        self.stop()
        wait_for(lambda: not port_open(self.addr, self.port), READY_TIMEOUT,
                 "%s to close its port" % self.id, step=0.05)
        return self.start(crt, key)


class Servo:
    """eulb-servo for one load balancer, with its log."""

    def __init__(self, server, creds, lb, account, bind, workdir,
                 interval=1, extra=()):
        self.server = server
        self.creds = creds
        self.lb = lb
        self.account = account
        self.bind = bind
        self.state_dir = os.path.join(workdir, "servo-" + lb)
        self.interval = interval
        self.extra = list(extra)
        self.proc = None
        self.log = []
        self._lock = threading.Lock()
        self._reader = None

    def env(self):
        e = clean_env(self.server.home)
        e.update({"AWS_ELB_URL": self.server.elb_url,
                  "AWS_ACCESS_KEY_ID": self.creds.access_key,
                  "AWS_SECRET_ACCESS_KEY": self.creds.secret_key,
                  "AWS_DEFAULT_REGION": self.server.region})
        return e

    def args(self):
        return [bin_path("eulb-servo"), "--lb", self.lb, "--account",
                self.account, "--bind", self.bind, "--state-dir",
                self.state_dir, "--haproxy", HAPROXY, "--interval",
                str(self.interval)] + self.extra

    def start(self):
        self.proc = subprocess.Popen(
            self.args(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, env=self.env())
        proc = self.proc

        def read():
            for raw in iter(proc.stderr.readline, b""):
                with self._lock:
                    self.log.append(raw.decode("utf-8", "replace").rstrip())
            proc.stderr.close()

        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()
        return self

    def once(self):
        """eulb-servo --once: (rc, log)."""
        r = subprocess.run(self.args() + ["--once"], capture_output=True,
                           timeout=RUN_TIMEOUT, env=self.env(),
                           stdin=subprocess.DEVNULL)
        err = r.stderr.decode("utf-8", "replace")
        check_sanitizers("eulb-servo --once", err)
        return r.returncode, err

    def log_text(self, since=0):
        with self._lock:
            return "\n".join(self.log[since:])

    def mark(self):
        with self._lock:
            return len(self.log)

    def wait_log(self, pattern, since=0, timeout=15):
        rx = re.compile(pattern)
        return wait_for(lambda: rx.search(self.log_text(since)), timeout,
                        "eulb-servo to log /%s/" % pattern)

    def master_pid(self):
        m = MASTER_PID.findall(self.log_text())
        return int(m[-1]) if m else None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM; asserts a clean exit with HAProxy gone and no
        sanitizer report."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        pid = self.master_pid()
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
            raise AssertionError("eulb-servo ignored SIGTERM for %d s\n%s"
                                 % (STOP_TIMEOUT, self.log_text()))
        self._reader.join(5)
        check_sanitizers("eulb-servo", self.log_text())
        if rc != 0:
            raise AssertionError("eulb-servo exited with %s\n%s"
                                 % (rc, self.log_text()))
        if pid and os.path.exists("/proc/%d" % pid):
            with open("/proc/%d/stat" % pid) as f:
                state = f.read().split()[2]
            if state != "Z":
                raise AssertionError("HAProxy master %d outlived eulb-servo"
                                     % pid)

    def kill(self):
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(5)
        pid = self.master_pid()
        if pid:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)

    def stats_cmd(self, cmd):
        """A command on HAProxy's stats socket; its answer."""
        path = os.path.join(self.state_dir, "haproxy.sock")
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(3)
            s.connect(path)
            s.sendall((cmd + "\n").encode())
            s.shutdown(socket.SHUT_WR)
            out = b""
            while True:
                d = s.recv(65536)
                if not d:
                    return out.decode()
                out += d

    def config(self):
        with open(os.path.join(self.state_dir, "haproxy.cfg")) as f:
            return f.read()


class Client:
    """HTTPS requests to the load balancer's listener, verifying that it
    presents the expected certificate (cafile) for 127.0.0.1."""

    def __init__(self, host, port, cafile=None):
        self.host = host
        self.port = port
        if cafile:
            self.ctx = ssl.create_default_context(cafile=cafile)
        else:
            self.ctx = ssl._create_unverified_context()

    def get(self, path="/id.txt", timeout=REQUEST_TIMEOUT):
        """(status, body) or (None, error text)."""
        conn = http.client.HTTPSConnection(self.host, self.port,
                                           context=self.ctx, timeout=timeout)
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            return r.status, r.read().decode("utf-8", "replace").strip()
        except (OSError, http.client.HTTPException) as e:
            return None, "%s: %s" % (type(e).__name__, e)
        finally:
            conn.close()


class Load:
    """Bounded background load: `threads` clients, each doing requests
    back to back until stopped (at most `limit` in all)."""

    def __init__(self, client, threads=4, limit=5000):
        self.client = client
        self.threads = threads
        self.limit = limit
        self.results = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers = []

    def _run(self):
        while not self._stop.is_set():
            with self._lock:
                if len(self.results) >= self.limit:
                    return
            r = self.client.get()
            with self._lock:
                self.results.append((time.monotonic(), r))

    def start(self):
        for _ in range(self.threads):
            t = threading.Thread(target=self._run, daemon=True)
            t.start()
            self._workers.append(t)
        return self

    def stop(self):
        self._stop.set()
        for t in self._workers:
            t.join(REQUEST_TIMEOUT + 5)
        return self.results

    def count(self):
        with self._lock:
            return len(self.results)


def describe_health(server, creds, lb):
    """{instance: (state, description, reason)} through the real
    eulb-describe-instance-health --show-long."""
    rc, out, err = server.cli("describe-instance-health", "--show-long", lb,
                              creds=creds)
    if rc != 0:
        raise AssertionError("eulb-describe-instance-health: %s" % err)
    states = {}
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] == "INSTANCE":
            states[f[1]] = (f[2], f[3] if len(f) > 3 else "",
                            f[4] if len(f) > 4 else "")
    return states


__all__ = ["HAPROXY", "OPENSSL", "Client", "Instance", "Load",
           "Servo", "describe_health", "free_port", "have_tools",
           "port_open", "public_key_base64", "reissue", "wait_for"]
