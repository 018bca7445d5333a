"""Harness for eulb's integration suites (standard library only).

Starts the real eulbd on 127.0.0.1:0 with a temporary database, and drives
it three ways:
  * Server.cli()  - the real eulb-* binaries from $EULB_BIN_DIR;
  * Server.aws()  - Debian's awscli (/usr/bin/aws elb ...), and
    Server.botocore() - a script on Debian's botocore, awscli's engine;
  * Server.raw()  - hand-made HTTP requests signed by the SigV4
                    implementation below, which shares no code with eulb's.
Every subprocess and socket has a timeout. Sanitizer reports (the suites
run against ASan/UBSan builds) in any binary's stderr fail the test.
"""

import contextlib
import datetime
import fcntl
import hashlib
import hmac
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import termios
import threading
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

BIN_DIR = os.environ.get("EULB_BIN_DIR", "")
TEST_DATA = os.environ.get("EULB_TEST_DATA", "")
AWS = "/usr/bin/aws"
DEBIAN_PYTHON = "/usr/bin/python3"  # has python3-botocore
START_TIMEOUT = 10      # seconds for eulbd to print its listening line
STOP_TIMEOUT = 10       # seconds for eulbd to exit after SIGTERM
RUN_TIMEOUT = 60        # seconds for any one subprocess
HTTP_TIMEOUT = 15       # seconds for any one raw request
LISTENING = re.compile(r"eulbd: listening on (https?)://127\.0\.0\.1:(\d+)/")
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|"
                       r"UndefinedBehaviorSanitizer|runtime error:")
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
ONE_MIB = 1024 * 1024
# A load balancer's lists bits (schema/0010), computed from its rows.
LIST_TABLES = ("lb_zones", "lb_subnets", "lb_security_groups", "listeners",
               "policies", "backend_policies", "instances")
LISTS_WANT = " | ".join(
    "(EXISTS (SELECT 1 FROM %s WHERE lb_id = b.id) << %d)" % (t, i)
    for i, t in enumerate(LIST_TABLES))


class Creds:
    """One access key: what eucarc or `eulbd account create` prints."""

    def __init__(self, access_key, secret_key, account_id, name=""):
        self.access_key = access_key
        self.secret_key = secret_key
        self.account_id = account_id
        self.name = name

    def __repr__(self):
        return "Creds(%s, account %s)" % (self.access_key, self.account_id)


def parse_exports(text):
    """{NAME: VALUE} from `export NAME=VALUE` lines (optional quotes)."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^\s*export\s+([A-Za-z_][A-Za-z0-9_]*)=(.*?)\s*$", line)
        if not m:
            continue
        value = m.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        out[m.group(1)] = value
    return out


def check_sanitizers(what, text):
    if SANITIZER.search(text or ""):
        raise AssertionError("%s reported a sanitizer error:\n%s"
                             % (what, text))


def _take_controlling_tty():
    """In the child, after setsid(): stdin, the pty's slave side, becomes
    its controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def bin_path(name):
    if not BIN_DIR:
        raise unittest.SkipTest("EULB_BIN_DIR is not set")
    path = os.path.join(BIN_DIR, name)
    if not os.access(path, os.X_OK):
        raise AssertionError("%s is missing or not executable" % path)
    return path


def clean_env(home):
    """The caller's environment without anything that configures AWS or
    euca2ools clients, with HOME pointing at an empty directory."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "EC2_", "EUCA", "EUARE_", "EULB_",
                                "BOTO"))}
    env["HOME"] = home
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    return env


# --- SigV4, written from the AWS specification --------------------------

def _uri_encode(s, safe=""):
    return urllib.parse.quote(s, safe="-_.~" + safe)


def _hmac(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def sigv4_authorization(method, path, query_pairs, headers, body, creds,
                        amz_date, region, service="elasticloadbalancing"):
    """The Authorization value for a request whose headers (a dict with
    lower-case names) are all signed. path must be normalised already."""
    names = sorted(headers)
    canonical = "\n".join([
        method,
        _uri_encode(path, safe="/"),
        "&".join("%s=%s" % kv for kv in sorted(
            (_uri_encode(k), _uri_encode(v)) for k, v in query_pairs)),
        "".join("%s:%s\n" % (n, " ".join(str(headers[n]).split()))
                for n in names),
        ";".join(names),
        hashlib.sha256(body).hexdigest(),
    ])
    scope = "%s/%s/%s/aws4_request" % (amz_date[:8], region, service)
    to_sign = "\n".join([
        "AWS4-HMAC-SHA256", amz_date, scope,
        hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    key = ("AWS4" + creds.secret_key).encode("utf-8")
    for part in (amz_date[:8], region, service, "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, to_sign.encode("utf-8"),
                         hashlib.sha256).hexdigest()
    return ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, "
            "Signature=%s" % (creds.access_key, scope, ";".join(names),
                              signature))


# --- response helpers ----------------------------------------------------

def parse_xml(body):
    """The body as an ElementTree element with namespaces stripped."""
    root = ET.fromstring(body)
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.rsplit("}", 1)[1]
    return root


def parse_error(body):
    """{Type, Code, Message, RequestId, format} of an XML or JSON error
    body, or raise AssertionError if it is neither."""
    text = body.decode("utf-8", "replace").strip()
    if text.startswith("{"):
        doc = json.loads(text)
        resp = doc.get("ErrorResponse") or {}
        err = resp.get("Error") or {}
        return {"Type": err.get("Type"), "Code": err.get("Code"),
                "Message": err.get("Message"),
                "RequestId": resp.get("RequestId"), "format": "json"}
    try:
        root = parse_xml(body)
    except ET.ParseError as e:
        raise AssertionError("error body is neither XML nor JSON (%s): %r"
                             % (e, body[:500]))
    err = root.find("Error")
    if err is None:
        err = root.find("Errors/Error")
    if err is None:
        raise AssertionError("no <Error> in %r" % body[:500])
    return {"Type": err.findtext("Type"), "Code": err.findtext("Code"),
            "Message": err.findtext("Message"),
            "RequestId": root.findtext("RequestId"), "format": "xml",
            "root": root.tag}


def lb_names(body):
    """LoadBalancerName of each LoadBalancerDescriptions member, in order."""
    root = parse_xml(body)
    return [m.findtext("LoadBalancerName") for m in
            root.findall(".//LoadBalancerDescriptions/member")]


def next_marker(body):
    return parse_xml(body).findtext(".//NextMarker") or ""


def without_request_id(body):
    """The response with its RequestId blanked, for comparisons."""
    body = re.sub(rb"<RequestId>[^<]*</RequestId>", b"<RequestId/>", body)
    return re.sub(rb'"RequestId"\s*:\s*"[^"]*"', b'"RequestId": ""', body)


def split_fields(line):
    return line.split("\t")


def split_braces(field):
    """'{a,b},{c,{d}}' -> ['{a,b}', '{c,{d}}']"""
    return re.findall(r"\{(?:[^{}]|\{[^{}]*\})*\}", field)


# --- the server ------------------------------------------------------------

class Server:
    """One eulbd process on a temporary database (restartable on it)."""

    def __init__(self, *extra_args, tty=False):
        self.extra_args = list(extra_args)
        # tty: eulbd runs in its own session with a pseudo-terminal as
        # its controlling terminal, so /dev/tty opens (as when an operator
        # starts it by hand); what it writes there is in tty_output().
        self.tty = tty
        self._tty_master = None
        self._tty_out = []
        self._tty_reader = None
        self.dir = tempfile.mkdtemp(prefix="eulb-it-")
        self.home = os.path.join(self.dir, "home")
        os.mkdir(self.home)
        self.db = os.path.join(self.dir, "eulb.db")
        self.proc = None
        self.port = None
        self.scheme = "http"
        self.log = []
        self._log_lock = threading.Lock()
        self._reader = None
        self.eucarc = {}
        self.admin = None
        self.accounts = []  # what create_account made

    # -- lifecycle

    def start(self):
        args = [bin_path("eulbd"), "--listen", "127.0.0.1:0",
                "--db", self.db] + self.extra_args
        self._note("$ " + " ".join(args))
        listening = threading.Event()
        stdin, tty_kw = subprocess.DEVNULL, {}
        if self.tty:
            self._close_tty()
            self._tty_master, stdin = os.openpty()
            tty_kw = {"start_new_session": True,
                      "preexec_fn": _take_controlling_tty}
        try:
            self.proc = subprocess.Popen(
                args, stdin=stdin, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, cwd=self.dir,
                env=clean_env(self.home), **tty_kw)
        finally:
            if self.tty:
                os.close(stdin)
        if self.tty:
            self._start_tty_reader()
        self.port = None

        def read(stream, proc):
            for raw in iter(stream.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\n")
                self._note(line)
                m = LISTENING.search(line)
                if m and self.port is None and proc is self.proc:
                    self.scheme = m.group(1)
                    self.port = int(m.group(2))
                    listening.set()
            stream.close()

        self._reader = threading.Thread(target=read, daemon=True,
                                        args=(self.proc.stderr, self.proc))
        self._reader.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not listening.wait(0.05):
            if self.proc.poll() is not None:
                self._reader.join(2)
                raise AssertionError("eulbd exited with %s before listening"
                                     "\n%s" % (self.proc.returncode,
                                               self.log_text()))
            if time.monotonic() > deadline:
                self.proc.kill()
                self.proc.wait(5)
                raise AssertionError("eulbd did not print its listening line "
                                     "within %d s\n%s"
                                     % (START_TIMEOUT, self.log_text()))
        try:
            self.read_eucarc()
        except BaseException:
            self.proc.kill()
            self.proc.wait(5)
            raise
        return self

    def _start_tty_reader(self):
        self._tty_out = []
        master = self._tty_master

        def read():
            while True:
                try:
                    data = os.read(master, 4096)
                except OSError:  # EIO once no process holds the terminal
                    return
                if not data:
                    return
                with self._log_lock:
                    self._tty_out.append(data)

        self._tty_reader = threading.Thread(target=read, daemon=True)
        self._tty_reader.start()

    def _close_tty(self):
        if self._tty_reader is not None:
            self._tty_reader.join(2)
            self._tty_reader = None
        if self._tty_master is not None:
            os.close(self._tty_master)
            self._tty_master = None

    def tty_output(self):
        """What eulbd wrote to its terminal (a passphrase prompt, say)."""
        with self._log_lock:
            return b"".join(self._tty_out).decode("utf-8", "replace")

    def tty_nr(self):
        """The controlling terminal of the running eulbd (0: none), from
        /proc/PID/stat."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[4])

    def read_eucarc(self):
        path = os.path.join(self.dir, "eucarc")
        if not os.path.exists(path):
            raise AssertionError("eulbd did not write %s\n%s"
                                 % (path, self.log_text()))
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode != 0o600:
            raise AssertionError("eucarc has mode %o, not 600" % mode)
        with open(path) as f:
            self.eucarc = parse_exports(f.read())
        for key in ("AWS_ELB_URL", "AWS_ACCESS_KEY_ID",
                    "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
            if not self.eucarc.get(key):
                raise AssertionError("eucarc lacks %s: %r" % (key,
                                                              self.eucarc))
        self.admin = Creds(self.eucarc["AWS_ACCESS_KEY_ID"],
                           self.eucarc["AWS_SECRET_ACCESS_KEY"],
                           self.eucarc.get("EULB_ACCOUNT_ID", ""), "admin")

    def stop(self):
        """SIGTERM; asserts a clean exit (0, no sanitizer report)."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
            self._reader.join(2)
            self._close_tty()
            raise AssertionError("eulbd ignored SIGTERM for %d s\n%s"
                                 % (STOP_TIMEOUT, self.log_text()))
        self._reader.join(5)
        self._close_tty()
        check_sanitizers("eulbd", self.log_text())
        if rc != 0:
            raise AssertionError("eulbd exited with %s after SIGTERM\n%s"
                                 % (rc, self.log_text()))

    def restart(self):
        self.stop()
        return self.start()

    def kill(self):
        """Ends eulbd without checks and removes the directory (for
        clean-up after a failure)."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(5)
        self._close_tty()
        if not os.environ.get("EULB_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def close(self):
        """Stops (asserting a clean exit) and removes the directory."""
        try:
            self.stop()
        finally:
            if not os.environ.get("EULB_KEEP_TMP"):
                shutil.rmtree(self.dir, ignore_errors=True)

    # -- log

    def _note(self, line):
        with self._log_lock:
            self.log.append(line)

    def log_mark(self):
        with self._log_lock:
            return len(self.log)

    def log_text(self, since=0):
        with self._log_lock:
            return "\n".join(self.log[since:])

    def wait_log(self, text, since=0, timeout=5):
        """The log from since, once it holds text: eulbd writes access
        lines in batches, a few milliseconds after the answer."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.log_text(since)
            if text in got:
                return got
            if time.monotonic() > deadline:
                raise AssertionError("no %r in the eulbd log after %.1f s:"
                                     "\n%s" % (text, timeout, got))
            time.sleep(0.02)

    def log_sync(self, since=0):
        """The log from since up to the line of a request of our own sent
        now: it then holds the lines of the requests answered before."""
        self._log_syncs = getattr(self, "_log_syncs", 0) + 1
        path = "/eulb-log-sync-%d" % self._log_syncs
        self.raw(method="GET", path=path, sign=False)
        got = self.wait_log(" %s " % path, since)
        return got[:got.index(" %s " % path)]

    # -- addresses

    @property
    def root_url(self):
        return "%s://127.0.0.1:%d/" % (self.scheme, self.port)

    @property
    def elb_url(self):
        return self.root_url + "services/LoadBalancing/"

    @property
    def iam_url(self):
        """The IAM (server certificate) endpoint that eucarc names."""
        return self.eucarc.get("AWS_IAM_URL") or \
            self.root_url + "services/Euare/"

    @property
    def region(self):
        return self.eucarc.get("AWS_DEFAULT_REGION", "us-east-1")

    # -- accounts

    def create_account(self, name):
        args = [bin_path("eulbd"), "account", "create", name, "--db", self.db]
        r = subprocess.run(args, capture_output=True, timeout=RUN_TIMEOUT,
                           cwd=self.dir, env=clean_env(self.home),
                           stdin=subprocess.DEVNULL)
        out = r.stdout.decode("utf-8", "replace")
        err = r.stderr.decode("utf-8", "replace")
        check_sanitizers("eulbd account create", err)
        if r.returncode != 0:
            raise AssertionError("eulbd account create %s: exit %d\n%s%s"
                                 % (name, r.returncode, out, err))
        ex = parse_exports(out)
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                    "EULB_ACCOUNT_ID"):
            if not ex.get(key):
                raise AssertionError("account create printed no %s:\n%s"
                                     % (key, out))
        creds = Creds(ex["AWS_ACCESS_KEY_ID"], ex["AWS_SECRET_ACCESS_KEY"],
                      ex["EULB_ACCOUNT_ID"], name)
        self.accounts.append(creds)
        return creds

    # -- clients

    def cli(self, cmd, *args, creds=None, env=None, input=None):
        """Runs $EULB_BIN_DIR/eulb-<cmd> (or a euare-* command named in
        full); returns (rc, stdout, stderr)."""
        creds = creds or self.admin
        name = cmd if cmd.startswith(("eulb", "euare-")) else "eulb-" + cmd
        e = clean_env(self.home)
        e.update({"AWS_ELB_URL": self.elb_url,
                  "AWS_IAM_URL": self.iam_url,
                  "AWS_ACCESS_KEY_ID": creds.access_key,
                  "AWS_SECRET_ACCESS_KEY": creds.secret_key,
                  "AWS_DEFAULT_REGION": self.region})
        e.update(env or {})
        r = subprocess.run([bin_path(name)] + [str(a) for a in args],
                           input=(input or "").encode(), capture_output=True,
                           timeout=RUN_TIMEOUT, cwd=self.dir, env=e)
        out = r.stdout.decode("utf-8", "replace")
        err = r.stderr.decode("utf-8", "replace")
        check_sanitizers(name, err)
        return r.returncode, out, err

    def aws(self, *args, creds=None, service="elb"):
        """Runs `aws elb ARGS` (or `aws iam ARGS` with service="iam");
        returns (rc, parsed JSON or None, stderr)."""
        if not os.access(AWS, os.X_OK):
            raise unittest.SkipTest("%s is not installed" % AWS)
        creds = creds or self.admin
        cfg = os.path.join(self.home, "aws-config")
        open(cfg, "a").close()
        e = clean_env(self.home)
        e.update({"AWS_ACCESS_KEY_ID": creds.access_key,
                  "AWS_SECRET_ACCESS_KEY": creds.secret_key,
                  "AWS_DEFAULT_REGION": self.region,
                  "AWS_CONFIG_FILE": cfg,
                  "AWS_SHARED_CREDENTIALS_FILE": cfg,
                  "AWS_PAGER": "",
                  "AWS_MAX_ATTEMPTS": "1",
                  "AWS_EC2_METADATA_DISABLED": "true"})
        url = self.iam_url if service == "iam" else self.elb_url
        r = subprocess.run([AWS, service] + [str(a) for a in args] +
                           ["--endpoint-url", url,
                            "--output", "json"],
                           capture_output=True, timeout=RUN_TIMEOUT,
                           cwd=self.dir, env=e, stdin=subprocess.DEVNULL)
        out = r.stdout.decode("utf-8", "replace")
        err = r.stderr.decode("utf-8", "replace")
        doc = None
        if r.returncode == 0 and out.strip():
            doc = json.loads(out)
        return r.returncode, doc, err

    def botocore(self, script, creds=None):
        """Runs a Python script under Debian's /usr/bin/python3, which has
        botocore (awscli's engine), with ELB_URL, REGION, ACCESS_KEY and
        SECRET_KEY in its environment. Returns (rc, stdout, stderr)."""
        if not os.access(DEBIAN_PYTHON, os.X_OK):
            raise unittest.SkipTest("%s is not installed" % DEBIAN_PYTHON)
        creds = creds or self.admin
        e = clean_env(self.home)
        e.update({"ELB_URL": self.elb_url, "REGION": self.region,
                  "ACCESS_KEY": creds.access_key,
                  "SECRET_KEY": creds.secret_key,
                  "AWS_CONFIG_FILE": os.devnull,
                  "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                  "AWS_MAX_ATTEMPTS": "1",
                  "AWS_EC2_METADATA_DISABLED": "true"})
        r = subprocess.run([DEBIAN_PYTHON, "-c", script],
                           capture_output=True, timeout=RUN_TIMEOUT,
                           cwd=self.dir, env=e, stdin=subprocess.DEVNULL)
        return (r.returncode, r.stdout.decode("utf-8", "replace"),
                r.stderr.decode("utf-8", "replace"))

    def raw(self, params=None, method="POST", path="/", headers=None,
            sign=True, creds=None, date=None, accept_json=False,
            region=None, content_sha256=None, allow_5xx=False,
            service="elasticloadbalancing", conn=None):
        """Sends one request; returns (status, headers, body).

        params: a dict or a list of (key, value) pairs (form-encoded into
        the body for POST, into the query string for GET), or bytes sent
        verbatim as the body. headers: extra headers, not signed.
        content_sha256: True to send and sign X-Amz-Content-SHA256 of the
        body, or a string to send (and sign) that value instead.
        service: the SigV4 scope service ("iam" for the IAM actions).
        conn: an http.client.HTTPConnection to send it on and leave open
        (keep-alive), instead of a connection of its own.
        A 5xx answer fails the test unless allow_5xx."""
        creds = creds or self.admin
        region = region or self.region
        date = date or datetime.datetime.now(datetime.timezone.utc)
        amz_date = date.strftime("%Y%m%dT%H%M%SZ")
        if isinstance(params, dict):
            params = list(params.items())
        query_pairs = []
        if isinstance(params, (bytes, bytearray)):
            body = bytes(params)
        elif method == "GET":
            body = b""
            query_pairs = list(params or [])
        else:
            body = urllib.parse.urlencode(params or []).encode()
        target = path
        if query_pairs:
            target += "?" + "&".join(
                "%s=%s" % (_uri_encode(k), _uri_encode(v))
                for k, v in query_pairs)
        signed = {"host": "127.0.0.1:%d" % self.port, "x-amz-date": amz_date}
        if method != "GET" or body:
            signed["content-type"] = \
                "application/x-www-form-urlencoded; charset=utf-8"
        if content_sha256 is True:
            signed["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
        elif content_sha256:
            signed["x-amz-content-sha256"] = content_sha256
        send = dict(signed)
        if sign:
            send["authorization"] = sigv4_authorization(
                method, path, query_pairs, signed, body, creds, amz_date,
                region, service)
        if accept_json:
            send["accept"] = "application/json"
        if body or method != "GET":
            send["content-length"] = str(len(body))
        for k, v in (headers or {}).items():
            send[k.lower()] = v
        status, resp_headers, resp_body = self._exchange(method, target,
                                                         send, body, conn)
        if status >= 500 and not allow_5xx:
            raise AssertionError("server answered %d to %s %s:\n%r"
                                 % (status, method, target[:200],
                                    resp_body[:1000]))
        return status, resp_headers, resp_body

    def keep_alive(self):
        """A connection for raw(conn=...); the caller closes it."""
        return http.client.HTTPConnection("127.0.0.1", self.port,
                                          timeout=HTTP_TIMEOUT)

    def _exchange(self, method, target, headers, body, kept=None):
        conn = kept or self.keep_alive()
        try:
            conn.putrequest(method, target, skip_host=True,
                            skip_accept_encoding=True)
            for k, v in headers.items():
                conn.putheader(k, v)
            try:
                conn.endheaders(body if body else None)
            except (BrokenPipeError, ConnectionResetError):
                # The server may answer (413) and close before reading all
                # of a large body; its answer is still in our socket.
                pass
            resp = conn.getresponse()
            data = resp.read()
            return (resp.status,
                    {k.lower(): v for k, v in resp.getheaders()}, data)
        finally:
            if not kept:
                conn.close()

    # -- shorthands over raw()

    def call(self, action, params=None, creds=None, **kw):
        """raw() of Action=action&Version=2012-06-01&params."""
        p = [("Action", action), ("Version", "2012-06-01")]
        if isinstance(params, dict):
            params = list(params.items())
        return self.raw(p + list(params or []), creds=creds, **kw)

    def iam_call(self, action, params=None, creds=None, **kw):
        """raw() of an IAM action (Version=2010-05-08, SigV4 service
        "iam") at the IAM path."""
        p = [("Action", action), ("Version", "2010-05-08")]
        if isinstance(params, dict):
            params = list(params.items())
        kw.setdefault("path", "/services/Euare/")
        return self.raw(p + list(params or []), creds=creds, service="iam",
                        **kw)

    def describe(self, *names, creds=None, **kw):
        params = [("LoadBalancerNames.member.%d" % (i + 1), n)
                  for i, n in enumerate(names)]
        return self.call("DescribeLoadBalancers", params, creds=creds, **kw)

    def snapshot(self, creds=None):
        """What DescribeLoadBalancers says of everything creds owns, with
        the RequestId blanked."""
        status, _, body = self.describe(creds=creds)
        if status != 200:
            raise AssertionError("DescribeLoadBalancers: %d %r"
                                 % (status, body[:500]))
        return without_request_id(body)

    def read_db(self, sql, *args):
        """The rows of one query on the database, read-only."""
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True,
                              timeout=10)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def lists_mismatches(self):
        """[(name, lists, want)] of the load balancers whose lists bits
        (schema/0010) do not say which of their lists have rows."""
        return self.read_db(
            "SELECT name, lists, want FROM (SELECT b.name, b.lists, %s AS "
            "want FROM load_balancers b) WHERE lists != want" % LISTS_WANT)

    def stale_descriptions(self):
        """Names of load balancers whose stored description (schema/0011)
        differs from one rendered from their rows now, for every account
        and region this object has credentials for (an account whose
        describe fails, e.g. its key was rotated, is left out). The stored
        ones are cleared to find out: eulbd renders them again with its
        next writes."""
        if self.scheme != "http":
            return []
        creds = {c.account_id: c for c in [self.admin] + self.accounts if c}
        targets = [(creds[a], r or self.region) for a, r in self.read_db(
            "SELECT DISTINCT account_id, region FROM load_balancers WHERE "
            "described != ''") if a in creds]

        def answers():
            out = {}
            for c, region in targets:
                status, _, body = self.describe(creds=c, region=region)
                if status == 200:
                    out[c.account_id, region] = without_request_id(body)
            return out
        stored = answers()
        con = sqlite3.connect(self.db, timeout=10)
        try:
            con.execute("UPDATE load_balancers SET described = NULL")
            con.commit()
        finally:
            con.close()
        live = answers()

        def members(body):
            return dict(re.findall(rb"<member><LoadBalancerName>([^<]*)"
                                   rb"</LoadBalancerName>(.*?)"
                                   rb"<Scheme>", body))
        stale = []
        for key in stored:
            if key in live and stored[key] != live[key]:
                a, b = members(stored[key]), members(live[key])
                stale += sorted(n.decode() for n in set(a) | set(b)
                                if a.get(n) != b.get(n)) or [
                    "(the answers of %s in %s differ)" % key]
        return stale

    def row_counts(self):
        """{table: row count} of the database, read-only."""
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True,
                              timeout=10)
        try:
            tables = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' "
                "ORDER BY name")]
            return {t: con.execute('SELECT count(*) FROM "%s"'
                                   % t.replace('"', '""')).fetchone()[0]
                    for t in tables}
        finally:
            con.close()


def listener_params(*listeners, prefix="Listeners"):
    """[('Listeners.member.1.Protocol', 'HTTP'), ...] from dicts."""
    out = []
    for i, l in enumerate(listeners, 1):
        for k, v in l.items():
            out.append(("%s.member.%d.%s" % (prefix, i, k), str(v)))
    return out


def members(key, values):
    """[('Key.member.1', v1), ...]: an AWS query list."""
    return [("%s.member.%d" % (key, i), v) for i, v in enumerate(values, 1)]


def policy_params(lb, name, type_name, *attrs):
    """CreateLoadBalancerPolicy parameters; attrs are (name, value) pairs."""
    p = [("LoadBalancerName", lb), ("PolicyName", name),
         ("PolicyTypeName", type_name)]
    for i, (k, v) in enumerate(attrs, 1):
        p.append(("PolicyAttributes.member.%d.AttributeName" % i, k))
        p.append(("PolicyAttributes.member.%d.AttributeValue" % i, v))
    return p


def http_listener(lb_port=80, instance_port=8080, **more):
    d = {"Protocol": "HTTP", "LoadBalancerPort": lb_port,
         "InstancePort": instance_port}
    d.update(more)
    return d


class ServerTestCase(unittest.TestCase):
    """One eulbd per class (setUpClass); its log is printed under any
    failing test, and tearDownClass asserts that it exits cleanly."""

    server_args = ()
    server_tty = False  # see Server(tty=...)
    server = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = Server(*cls.server_args, tty=cls.server_tty)
        try:
            cls.server.start()
        except BaseException:
            cls.server.kill()
            raise
        try:
            cls.setUpServer()
        except BaseException:
            sys.stderr.write("\n--- eulbd log ---\n%s\n" %
                             cls.server.log_text())
            with contextlib.suppress(BaseException):
                cls.server.close()
            raise

    @classmethod
    def setUpServer(cls):
        """Per-class fixtures, once the server runs."""

    @classmethod
    def ok(cls, resp):
        """The body of a 200 (usable from setUpServer too)."""
        status, _, body = resp
        if status != 200:
            raise AssertionError("expected 200, got %d: %r"
                                 % (status, body[:1000]))
        return body

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.server is not None:
                cls.server.close()
        finally:
            super().tearDownClass()

    def setUp(self):
        self._log_mark = self.server.log_mark()

    def tearDown(self):
        outcome = getattr(self, "_outcome", None)
        if outcome is not None and outcome.success and \
                os.path.exists(self.server.db):
            # Whatever the test did, describes may trust the bits, and
            # the stored descriptions.
            self.assertEqual(self.server.lists_mismatches(), [])
            if self.server.proc is not None and \
                    self.server.proc.poll() is None:
                self.assertEqual(self.server.stale_descriptions(), [])
        if outcome is not None and not outcome.success:
            sys.stderr.write("\n--- eulbd log during %s ---\n%s\n--- end ---\n"
                             % (self.id(), self.server.log_text(
                                 self._log_mark)))

    # -- assertions

    def assertError(self, resp, status, code, message_part=None):
        """resp is raw()'s answer; asserts the AWS error envelope."""
        got_status, _, body = resp
        try:
            err = parse_error(body)
        except AssertionError as e:
            self.fail("HTTP %d, expected an error %d %s: %s"
                      % (got_status, status, code, e))
        self.assertEqual((got_status, err["Code"]), (status, code),
                         "wrong error; message: %r" % err["Message"])
        self.assertTrue(err["Message"], "empty error Message")
        if message_part is not None:
            self.assertIn(message_part, err["Message"])
        return err

    def assertOk(self, resp):
        status, _, body = resp
        self.assertEqual(status, 200, body[:1000])
        return body

    @contextlib.contextmanager
    def assertUnchanged(self, *accounts):
        """The block must leave the database as it found it: the
        DescribeLoadBalancers answer of the admin and of each account, and
        the row count of every table."""
        accounts = (self.server.admin,) + accounts

        def state():
            return ([self.server.snapshot(c) for c in accounts],
                    self.server.row_counts())
        before = state()
        yield
        after = state()
        self.assertEqual(before[1], after[1],
                         "table row counts changed")
        for c, b, a in zip(accounts, before[0], after[0]):
            self.assertEqual(b.decode(), a.decode(),
                             "DescribeLoadBalancers of %r changed" % (c,))


# --- certificates and sockets shared by the TLS and hardening suites -------

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def make_pki():
    """A fresh scripts/gen-certs directory (the caller removes it)."""
    d = tempfile.mkdtemp(prefix="eulb-pki-")
    subprocess.run([os.path.join(REPO, "scripts", "gen-certs"), d],
                   check=True, capture_output=True, timeout=120)
    return d


class ModulePki:
    """The gen-certs directory a test module shares: make() it in
    setUpModule, remove() it in tearDownModule (kept with EULB_KEEP_TMP)."""

    def __init__(self):
        self.dir = None

    def make(self):
        self.dir = make_pki()
        return self.dir

    def remove(self):
        if self.dir and not os.environ.get("EULB_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def read(self, name):
        with open(self.path(name)) as f:
            return f.read()


def tls_args(pki, client_ca=True):
    """eulbd's options for HTTPS (and client certificates) from pki."""
    a = ["--tls-cert", os.path.join(pki, "server-chain.crt"),
         "--tls-key", os.path.join(pki, "server.key")]
    if client_ca:
        a += ["--client-ca", os.path.join(pki, "intermediate-ca.crt"),
              "--client-ca-root", os.path.join(pki, "root-ca.crt")]
    return a


def wait_closed(sock, deadline):
    """True once the server has closed sock (EOF or reset) before the
    monotonic deadline."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        sock.settimeout(left)
        try:
            if sock.recv(4096) == b"":
                return True
        except socket.timeout:
            return False
        except OSError:
            return True


# --- raw connections, as an attacker makes them -----------------------------

# Attack traffic comes from 127.0.0.2 and normal clients from 127.0.0.1,
# both on loopback, so that a per-address limit can be seen to protect
# the latter.
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
