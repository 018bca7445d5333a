"""The eulb-* CLI against hostile or broken servers (security issue 8).

No eulbd here: tiny http.server servers on 127.0.0.1 play the endpoint and
answer what a compromised or misconfigured one could, and the real eulb-*
binaries from $EULB_BIN_DIR talk to them.

  * Redirects: 301/302/307/308 to another port, another host name, or from
    https to http are refused with an error, and the target never sees a
    request (the body may carry a private key); a redirect on the same
    scheme, host and port is still followed and re-signed.
  * Size: a response over 64 MiB is refused, whether its Content-Length
    says so or it comes chunked.
  * Terminal control characters in anything the server says (a load
    balancer name, a policy value, an ARN, an error code, message, reason
    phrase or body, a Location, --debug output) reach the terminal as '?'.

Run from this folder:
    EULB_BIN_DIR=<build>/bin python3 -m unittest -v test_cli
"""

import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import http.server  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import ssl  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import unittest  # noqa: E402

from eulbtest import (ONE_MIB, RUN_TIMEOUT, bin_path,  # noqa: E402
                      check_sanitizers, clean_env)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ELB_PATH = "/services/LoadBalancing/"
CAP = 64 * ONE_MIB
# ESC sequences (set the window title, clear the screen, colour, an OSC 8
# hyperlink), BEL, CR, DEL and the C1 CSI / NEL as JSON escapes.
HOSTILE = ("a\x1b]0;owned\x07b\x1b[2Jc\x1b[31md\x1b]8;;http://x/\x07e"
           "\rf\x7fg\u009bh\u0085i")
HOSTILE_SAFE = "a?]0;owned?b?[2Jc?[31md?]8;;http://x/?e?f?g?h?i"


class Fake:
    """An HTTP(S) server on 127.0.0.1:0 that records every request as
    (method, path, headers, body) and answers with respond(handler, i),
    i counting its requests from 0."""

    def __init__(self, respond, tls=None):
        self.respond = respond
        self.requests = []
        self.lock = threading.Lock()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                fake.handle(self)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     Handler)
        self.httpd.daemon_threads = True
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket,
                                                server_side=True)
        self.port = self.httpd.server_address[1]
        self.scheme = "https" if tls is not None else "http"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def handle(self, h):
        n = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(n) if n else b""
        with self.lock:
            i = len(self.requests)
            self.requests.append((h.command, h.path, dict(h.headers), body))
        h.close_connection = True
        self.respond(h, i)

    def url(self, path=ELB_PATH, host="127.0.0.1"):
        return "%s://%s:%d%s" % (self.scheme, host, self.port, path)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def reply(h, status, body=b"", headers=(), reason=None):
    if isinstance(body, str):
        body = body.encode()
    h.send_response(status, reason)
    for k, v in headers:
        h.send_header(k, v)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(body)))
    h.send_header("Connection", "close")
    h.end_headers()
    h.wfile.write(body)


def redirect(status, location):
    return lambda h, i: reply(h, status, headers=[("Location", location)])


def describe_answer(*descriptions):
    return json.dumps({"DescribeLoadBalancersResponse": {
        "DescribeLoadBalancersResult": {
            "LoadBalancerDescriptions": list(descriptions)},
        "ResponseMetadata": {"RequestId": "r-1"}}})


def lb(name, dns="lb.example.com"):
    return {"LoadBalancerName": name, "DNSName": dns,
            "CreatedTime": "2024-01-01T00:00:00.000Z",
            "Scheme": "internet-facing"}


def error_answer(code, message):
    return json.dumps({"ErrorResponse": {
        "Error": {"Type": "Sender", "Code": code, "Message": message},
        "RequestId": "r-1"}})


class CliCase(unittest.TestCase):
    """Runs eulb-* against Fake servers, each closed after its test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.home = tempfile.mkdtemp(prefix="eulb-cli-safety-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.home, ignore_errors=True)
        super().tearDownClass()

    def fake(self, respond, tls=None):
        f = Fake(respond, tls)
        self.addCleanup(f.close)
        return f

    def cli(self, cmd, url, *args, timeout=RUN_TIMEOUT):
        """Runs eulb-<cmd> (or euare-*) with url as its endpoint; returns
        (rc, stdout bytes, stderr bytes)."""
        name = cmd if cmd.startswith(("eulb", "euare-")) else "eulb-" + cmd
        env = clean_env(self.home)
        env.update({"AWS_ELB_URL": url, "AWS_IAM_URL": url,
                    "AWS_ACCESS_KEY_ID": "AKIATESTTESTTEST",
                    "AWS_SECRET_ACCESS_KEY": "secret/secret/secret",
                    "AWS_DEFAULT_REGION": "eucalyptus"})
        r = subprocess.run([bin_path(name)] + list(args),
                           capture_output=True, timeout=timeout,
                           env=env, stdin=subprocess.DEVNULL)
        check_sanitizers(name, r.stderr.decode("utf-8", "replace"))
        return r.returncode, r.stdout, r.stderr

    def assertTerminalSafe(self, data, allowed=b"\t\n"):
        """No C0 control byte but those allowed, no DEL, no C1 character,
        and valid UTF-8."""
        bad = [b for b in data if (b < 0x20 and b not in allowed) or
               b == 0x7f]
        self.assertEqual(bad, [], data)
        text = data.decode("utf-8")
        self.assertEqual([c for c in text if 0x80 <= ord(c) <= 0x9f], [],
                         data)


class RedirectTest(CliCase):

    def test_a_redirect_to_another_port_is_refused_and_never_sent(self):
        target = self.fake(lambda h, i: reply(h, 200, describe_answer()))
        for status in (301, 302, 307, 308):
            with self.subTest(status=status):
                origin = self.fake(redirect(status, target.url()))
                rc, out, err = self.cli("describe-lbs", origin.url())
                self.assertEqual(
                    (rc, out, err.decode()),
                    (1, b"", "eulb-describe-lbs: refusing to follow a "
                     "redirect to '%s' (another host)\n" % target.url()))
                self.assertEqual(len(origin.requests), 1)
        self.assertEqual(target.requests, [])

    def test_the_private_key_of_an_upload_does_not_follow(self):
        target = self.fake(lambda h, i: reply(h, 200, "{}"))
        origin = self.fake(redirect(307, target.url("/services/Euare/")))
        key = "-----BEGIN PRIVATE KEY-----\nSECRETKEYBYTES\n" \
              "-----END PRIVATE KEY-----\n"
        rc, out, err = self.cli(
            "euare-servercertupload", origin.url("/services/Euare/"),
            "-s", "c1", "--certificate-body", "CERT", "--private-key", key)
        self.assertEqual(rc, 1, err)
        self.assertIn(b"euare-servercertupload: refusing to follow a "
                      b"redirect to '%s' (another host)"
                      % target.url("/services/Euare/").encode(), err)
        self.assertIn(b"SECRETKEYBYTES", origin.requests[0][3])
        self.assertEqual(target.requests, [])

    def test_another_host_name_on_the_same_port_is_refused(self):
        # localhost is the same machine, but not the same origin.
        origin = self.fake(lambda h, i: reply(
            h, 307, headers=[("Location", origin.url(host="localhost"))]))
        rc, out, err = self.cli("describe-lbs", origin.url())
        self.assertEqual(rc, 1, err)
        self.assertIn(b"refusing to follow a redirect to '%s' (another host)"
                      % origin.url(host="localhost").encode(), err)
        self.assertEqual(len(origin.requests), 1)

    def test_a_scheme_relative_location_to_another_port_is_refused(self):
        target = self.fake(lambda h, i: reply(h, 200, describe_answer()))
        origin = self.fake(redirect(
            302, "//127.0.0.1:%d%s" % (target.port, ELB_PATH)))
        rc, out, err = self.cli("describe-lbs", origin.url())
        self.assertEqual(rc, 1, err)
        self.assertIn(b"(another host)", err)
        self.assertEqual(target.requests, [])

    def test_a_redirect_on_the_same_origin_is_followed_and_re_signed(self):
        def respond(h, i):
            if i == 0:
                reply(h, 307, headers=[("Location", ELB_PATH + "moved?x=1")])
            else:
                reply(h, 200, describe_answer(lb("web")))
        origin = self.fake(respond)
        rc, out, err = self.cli("describe-lbs", origin.url())
        self.assertEqual((rc, err), (0, b""))
        self.assertEqual(out, b"LOAD_BALANCER\tweb\tlb.example.com\t"
                         b"2024-01-01T00:00:00.000Z\tinternet-facing\n")
        (m1, p1, h1, b1), (m2, p2, h2, b2) = origin.requests
        self.assertEqual((m2, p2, b2), (m1, ELB_PATH + "moved?x=1", b1))
        self.assertEqual(h2["Host"], h1["Host"])
        self.assertNotEqual(h2["Authorization"], h1["Authorization"])

    def test_a_location_with_control_characters_is_printed_safely(self):
        target = self.fake(lambda h, i: reply(h, 200, describe_answer()))
        origin = self.fake(redirect(
            301, target.url() + "\x1b[2J\x1b]0;owned\x07"))
        rc, out, err = self.cli("describe-lbs", origin.url())
        self.assertEqual((rc, out), (1, b""), err)
        self.assertTerminalSafe(err, b"\n")
        self.assertEqual(err.count(b"\n"), 1, err)
        self.assertEqual(target.requests, [])


class HttpsRedirectTest(CliCase):
    """An https endpoint (scripts/gen-certs material) redirecting."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pki = os.path.join(cls.home, "pki")
        subprocess.run([os.path.join(REPO, "scripts", "gen-certs"), cls.pki],
                       check=True, capture_output=True, timeout=120)
        cls.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cls.tls.load_cert_chain(os.path.join(cls.pki, "server-chain.crt"),
                                os.path.join(cls.pki, "server.key"))

    def https_cli(self, url):
        return self.cli("describe-lbs", url, "--ca-bundle",
                        os.path.join(self.pki, "root-ca.crt"))

    def test_https_itself_works(self):
        origin = self.fake(lambda h, i: reply(h, 200,
                                              describe_answer(lb("web"))),
                           self.tls)
        rc, out, err = self.https_cli(origin.url())
        self.assertEqual((rc, err), (0, b""))
        self.assertTrue(out.startswith(b"LOAD_BALANCER\tweb\t"), out)

    def test_a_redirect_from_https_to_http_is_refused(self):
        target = self.fake(lambda h, i: reply(h, 200, describe_answer()))
        for status in (301, 307):
            with self.subTest(status=status):
                origin = self.fake(redirect(status, target.url()), self.tls)
                rc, out, err = self.https_cli(origin.url())
                self.assertEqual(
                    (rc, out, err.decode()),
                    (1, b"", "eulb-describe-lbs: refusing to follow a "
                     "redirect to '%s' (from https to http)\n"
                     % target.url()))
                self.assertEqual(len(origin.requests), 1)
        self.assertEqual(target.requests, [])

    def test_a_redirect_to_http_on_the_same_port_is_refused(self):
        origin = self.fake(lambda h, i: reply(
            h, 307, headers=[("Location", "http://127.0.0.1:%d%s"
                              % (origin.port, ELB_PATH))]), self.tls)
        rc, out, err = self.https_cli(origin.url())
        self.assertEqual(rc, 1, err)
        self.assertIn(b"(from https to http)", err)
        self.assertEqual(len(origin.requests), 1)

    def test_a_redirect_to_https_on_another_port_is_refused(self):
        target = self.fake(lambda h, i: reply(h, 200, describe_answer()),
                           self.tls)
        origin = self.fake(redirect(307, target.url()), self.tls)
        rc, out, err = self.https_cli(origin.url())
        self.assertEqual(rc, 1, err)
        self.assertIn(b"(another host)", err)
        self.assertEqual(target.requests, [])


class ResponseSizeTest(CliCase):

    def test_a_content_length_over_the_cap_is_refused_at_once(self):
        def respond(h, i):
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(CAP + 1))
            h.end_headers()
            h.wfile.write(b"{")
            # Hold the connection until the client leaves (or 15 s).
            h.connection.settimeout(15)
            try:
                h.connection.recv(1)
            except OSError:
                pass
        origin = self.fake(respond)
        start = time.monotonic()
        rc, out, err = self.cli("describe-lbs", origin.url())
        self.assertLess(time.monotonic() - start, 10)
        self.assertEqual((rc, out, err.decode()),
                         (1, b"", "eulb-describe-lbs: error: the response "
                          "is larger than 64 MiB\n"))

    def test_a_chunked_response_is_cut_at_the_cap(self):
        def respond(h, i):
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            chunk = b"%x\r\n%s\r\n" % (ONE_MIB, b" " * ONE_MIB)
            n = 0
            try:
                while n < CAP + 16 * ONE_MIB:
                    h.wfile.write(chunk)
                    n += ONE_MIB
                h.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass  # the client hung up, as it should
        origin = self.fake(respond)
        rc, out, err = self.cli("describe-lbs", origin.url())
        self.assertEqual((rc, out, err.decode()),
                         (1, b"", "eulb-describe-lbs: error: the response "
                          "is larger than 64 MiB\n"))


class ControlCharacterTest(CliCase):

    def test_a_hostile_load_balancer_name_prints_as_question_marks(self):
        origin = self.fake(lambda h, i: reply(h, 200, describe_answer(
            lb(HOSTILE + "\tfake\nLOAD_BALANCER", dns="d\x1b[1mns"))))
        rc, out, err = self.cli("describe-lbs", origin.url())
        self.assertEqual((rc, err), (0, b""))
        self.assertEqual(out.decode(), "LOAD_BALANCER\t%s?fake?LOAD_BALANCER"
                         "\td?[1mns\t2024-01-01T00:00:00.000Z\t"
                         "internet-facing\n" % HOSTILE_SAFE)

    def test_show_long_fields_are_neutralised_too(self):
        d = lb("web")
        d.update({"AvailabilityZones": ["z\x1b[1", "two"],
                  "Instances": [{"InstanceId": "i-\x9b1"}],
                  "ListenerDescriptions": [{"Listener": {
                      "Protocol": "HTTP\x07", "LoadBalancerPort": 80,
                      "InstancePort": 8080}, "PolicyNames": ["p\x1bx"]}]})
        origin = self.fake(lambda h, i: reply(h, 200, describe_answer(d)))
        rc, out, err = self.cli("describe-lbs", origin.url(), "--show-long")
        self.assertEqual((rc, err), (0, b""))
        self.assertTerminalSafe(out)
        f = out.decode().rstrip("\n").split("\t")
        self.assertEqual(len(f), 19, f)
        self.assertEqual(f[6], "z?[1,two")
        self.assertEqual(f[9], "i-?1")
        self.assertEqual(f[10], "{protocol=HTTP?,lb-port=80,"
                         "instance-port=8080,{p?x}}")

    def test_a_pem_policy_value_keeps_its_newlines_only(self):
        pem = "-----BEGIN PUBLIC KEY-----\nAB\x1b[8mCD\r\n" \
              "-----END PUBLIC KEY-----"
        answer = json.dumps({"DescribeLoadBalancerPoliciesResponse": {
            "DescribeLoadBalancerPoliciesResult": {"PolicyDescriptions": [{
                "PolicyName": "pk\x1b[0m", "PolicyTypeName": "T\tU",
                "PolicyAttributeDescriptions": [{
                    "AttributeName": "PublicKey",
                    "AttributeValue": pem}]}]}}})
        origin = self.fake(lambda h, i: reply(h, 200, answer))
        rc, out, err = self.cli("describe-lb-policies", origin.url(),
                                "--show-long")
        self.assertEqual((rc, err), (0, b""))
        self.assertEqual(out.decode(), "POLICY\tpk?[0m\tT?U\t"
                         "{name=PublicKey,value=-----BEGIN PUBLIC KEY-----\n"
                         "AB?[8mCD?\n-----END PUBLIC KEY-----}\n")

    def test_a_hostile_certificate_arn_prints_safely(self):
        answer = json.dumps({"ListServerCertificatesResponse": {
            "ListServerCertificatesResult": {
                "ServerCertificateMetadataList": [
                    {"Arn": "arn:aws:iam::1:server-certificate/"
                     + HOSTILE + "\nforged"}]}}})
        origin = self.fake(lambda h, i: reply(h, 200, answer))
        rc, out, err = self.cli("euare-servercertlistbypath", origin.url())
        self.assertEqual((rc, err), (0, b""))
        self.assertEqual(out.decode(), "arn:aws:iam::1:server-certificate/"
                         + HOSTILE_SAFE + "?forged\n")

    def test_an_error_code_and_message_print_on_one_safe_line(self):
        origin = self.fake(lambda h, i: reply(h, 400, error_answer(
            "Evil\x1b[31m", HOSTILE + "\r\neulb-describe-lbs: all good")))
        rc, out, err = self.cli("describe-lbs", origin.url())
        self.assertEqual((rc, out), (1, b""))
        self.assertEqual(err.decode(), "eulb-describe-lbs: error "
                         "(Evil?[31m): %s??eulb-describe-lbs: all good\n"
                         % HOSTILE_SAFE)

    def test_a_reason_phrase_standing_in_for_the_message_is_safe(self):
        origin = self.fake(lambda h, i: reply(
            h, 400, error_answer("Throttling", ""),
            reason="Slow\x1b[5m down\x7f"))
        rc, out, err = self.cli("describe-lbs", origin.url())
        self.assertEqual((rc, out), (1, b""))
        self.assertEqual(err.decode(), "eulb-describe-lbs: error "
                         "(Throttling): Slow?[5m down?\n")

    def test_a_raw_error_body_keeps_lines_but_no_escapes(self):
        body = "<html>\n<title>\x1b]0;owned\x07Bad\x1b[2J</title>\r\n</html>\n"
        origin = self.fake(lambda h, i: reply(h, 400, body))
        rc, out, err = self.cli("describe-lbs", origin.url())
        self.assertEqual((rc, out), (1, b""))
        self.assertEqual(err.decode(), "eulb-describe-lbs: error (400): "
                         "<html>\n<title>?]0;owned?Bad?[2J</title>?\n"
                         "</html>\n")

    def test_invalid_utf8_in_a_raw_error_body_is_replaced(self):
        # 0x9b alone is CSI to a terminal in a Latin-1 locale.
        origin = self.fake(lambda h, i: reply(
            h, 400, b"bad \x9b31m \xc2\x9b1m \xc0\x80 \xe2\x82\xac ok"))
        rc, out, err = self.cli("describe-lbs", origin.url())
        self.assertEqual((rc, out), (1, b""))
        self.assertEqual(err.decode(), "eulb-describe-lbs: error (400): "
                         "bad ?31m ?1m ?? \u20ac ok\n")

    def test_debug_output_is_neutralised(self):
        origin = self.fake(lambda h, i: reply(
            h, 200, describe_answer(lb(HOSTILE)), reason="OK\x1b[2J"))
        rc, out, err = self.cli("describe-lbs", origin.url(), "--debug")
        self.assertEqual(rc, 0, err)
        self.assertIn(b"response status: 200 OK?[2J\n", err)
        self.assertTerminalSafe(err)
        self.assertTerminalSafe(out)


if __name__ == "__main__":
    unittest.main()
