"""The Query API on the wire: envelopes (XML and JSON), encodings,
framing, query strings, characters XML cannot carry, and the
catalogue of operations and commands.

One server per TestCase class. Run from this folder:
    EULB_BIN_DIR=<build>/bin python3 -m unittest -v test_wire
"""

import json
import re
import time
import unittest
import xml.etree.ElementTree as ET

from eulbtest import (ACCOUNT_ID, ONE_MIB, ServerTestCase, http_listener,
                      lb_names, listener_params, parse_error, parse_xml,
                      raw_exchange, without_request_id)
from lbcase import (ApiBadInputCase, ApiTestCase, BOTOCORE_DATA, COMMANDS,
                    COMMON_OPTIONS, ELB_MODEL, LbBadInputCase, NS,
                    create_params, elb_model_path)


# ---------------------------------------------------------------------------
class WireTest(ServerTestCase):
    """Envelopes, GET vs POST, paths, encoding, eucarc and /healthz."""

    @classmethod
    def setUpServer(cls):
        status, _, body = cls.server.call("CreateLoadBalancer",
                                          create_params("wire"))
        assert status == 200, body

    def test_eucarc(self):
        s = self.server
        for key in ("AWS_ELB_URL", "AWS_IAM_URL", "AWS_ACCESS_KEY_ID",
                    "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION",
                    "EULB_ACCOUNT_ID"):
            self.assertTrue(s.eucarc.get(key), key)
        self.assertEqual(s.eucarc["AWS_ELB_URL"], s.elb_url)
        self.assertRegex(s.eucarc["EULB_ACCOUNT_ID"], ACCOUNT_ID)
        self.assertEqual(len(s.eucarc["AWS_SECRET_ACCESS_KEY"]), 40)

    def test_healthz_needs_no_authentication(self):
        status, _, body = self.server.raw(method="GET", path="/healthz",
                                          sign=False)
        self.assertEqual((status, body), (200, b"ok\n"))
        # Health checkers often ask with HEAD: the status, no body.
        status, got = raw_exchange(self.server.port, b"HEAD /healthz "
                                   b"HTTP/1.1\r\nHost: x\r\nConnection: "
                                   b"close\r\n\r\n")
        self.assertEqual(status, 200, got[:300])
        self.assertTrue(got.endswith(b"\r\n\r\n"), got[-100:])

    def test_server_timing_header(self):
        for status, headers, body in (self.server.describe("wire"),
                                      self.server.call("NoSuchAction")):
            self.assertIn(status, (200, 400), body)
            self.assertRegex(headers.get("server-timing", ""),
                             r"^app;dur=[0-9]+\.[0-9]{3}$")
        # Refused authentication is not timed for the caller.
        status, headers, _ = self.server.describe("wire", sign=False)
        self.assertEqual(status, 403)
        self.assertNotIn("server-timing", headers)

    def test_error_envelope_xml(self):
        status, _, body = self.server.call("NoSuchAction")
        self.assertEqual(status, 400, body)
        root = parse_xml(body)
        self.assertEqual(root.tag, "ErrorResponse")
        err = root.find("Error")
        self.assertIsNotNone(err, body)
        self.assertEqual(err.findtext("Type"), "Sender")
        self.assertEqual(err.findtext("Code"), "InvalidAction")
        self.assertTrue(err.findtext("Message"))
        self.assertTrue(root.findtext("RequestId"), body)

    def test_error_envelope_json(self):
        status, _, body = self.server.call("NoSuchAction", accept_json=True)
        self.assertEqual(status, 400, body)
        doc = json.loads(body)
        err = doc["ErrorResponse"]["Error"]
        self.assertEqual(err["Type"], "Sender")
        self.assertEqual(err["Code"], "InvalidAction")
        self.assertTrue(err["Message"])
        self.assertTrue(doc["ErrorResponse"].get("RequestId"), doc)

    def test_success_envelope_xml(self):
        body = self.assertOk(self.server.describe("wire"))
        root = ET.fromstring(body)
        self.assertEqual(root.tag, "{%s}DescribeLoadBalancersResponse" % NS)
        root = parse_xml(body)
        self.assertIsNotNone(root.find("DescribeLoadBalancersResult"))
        self.assertTrue(root.findtext("ResponseMetadata/RequestId"))
        self.assertEqual(lb_names(body), ["wire"])
        member = root.find(".//LoadBalancerDescriptions/member")
        for empty in ("BackendServerDescriptions",
                      "ListenerDescriptions/member/PolicyNames",
                      "Policies/AppCookieStickinessPolicies",
                      "Policies/LBCookieStickinessPolicies",
                      "Policies/OtherPolicies"):
            el = member.find(empty)
            self.assertIsNotNone(el, "no <%s> wrapper" % empty)
            self.assertEqual(len(el), 0, empty)
        # An action with an empty result still has its Result element.
        body = self.assertOk(self.server.call(
            "DeleteLoadBalancer", [("LoadBalancerName", "wire-nosuch")]))
        self.assertIsNotNone(parse_xml(body).find("DeleteLoadBalancerResult"),
                             body)

    def test_success_json(self):
        body = self.assertOk(self.server.describe("wire", accept_json=True))
        doc = json.loads(body)["DescribeLoadBalancersResponse"]
        self.assertTrue(doc["ResponseMetadata"]["RequestId"])
        lbs = doc["DescribeLoadBalancersResult"]["LoadBalancerDescriptions"]
        self.assertIsInstance(lbs, list)
        self.assertEqual([lb["LoadBalancerName"] for lb in lbs], ["wire"])
        self.assertEqual(lbs[0]["ListenerDescriptions"][0]["PolicyNames"], [])
        self.assertEqual(lbs[0]["BackendServerDescriptions"], [])

    def test_get_works_like_post(self):
        post = self.assertOk(self.server.describe("wire"))
        get = self.assertOk(self.server.describe("wire", method="GET"))
        self.assertEqual(without_request_id(get), without_request_id(post))
        self.assertOk(self.server.call("CreateLoadBalancer",
                                       create_params("wire-get"),
                                       method="GET"))
        self.assertEqual(lb_names(self.assertOk(
            self.server.describe("wire-get"))), ["wire-get"])

    def test_eucalyptus_path_works_like_root(self):
        root = self.assertOk(self.server.describe("wire"))
        euca = self.assertOk(self.server.describe(
            "wire", path="/services/LoadBalancing/"))
        self.assertEqual(without_request_id(euca), without_request_id(root))

    def test_action_and_version_anywhere(self):
        body = (b"LoadBalancerNames.member.1=wire&Version=2012-06-01"
                b"&Action=DescribeLoadBalancers")
        self.assertEqual(lb_names(self.assertOk(self.server.raw(body))),
                         ["wire"])

    def test_plus_is_a_space(self):
        body = (b"Action=DescribeLoadBalancers&Version=2012-06-01"
                b"&LoadBalancerNames.member.1=no+such+lb")
        status, _, resp = self.server.raw(body)
        self.assertEqual(status, 400, resp)
        msg = parse_error(resp)["Message"]
        self.assertIn("no such lb", msg)
        self.assertNotIn("no+such", msg)

    def test_members_need_not_be_contiguous(self):
        p = [("LoadBalancerName", "wire-gaps"),
             ("AvailabilityZones.member.4", "one")]
        p += [("Listeners.member.7.%s" % k, str(v))
              for k, v in http_listener(80, 8080).items()]
        p += [("Listeners.member.2.%s" % k, str(v))
              for k, v in http_listener(81, 8081).items()]
        self.assertOk(self.server.call("CreateLoadBalancer", p))
        root = parse_xml(self.assertOk(self.server.describe("wire-gaps")))
        ports = sorted(int(x.text) for x in root.findall(
            ".//ListenerDescriptions/member/Listener/LoadBalancerPort"))
        self.assertEqual(ports, [80, 81])
        self.assertEqual([z.text for z in root.findall(
            ".//AvailabilityZones/member")], ["one"])

    def test_only_the_servers_signing_region(self):
        self.assertError(self.server.describe("wire",
                                              region="undefined-4242"),
                         403, "SignatureDoesNotMatch")

    def test_content_sha256_header(self):
        body = self.assertOk(self.server.describe("wire",
                                                  content_sha256=True))
        self.assertEqual(lb_names(body), ["wire"])


class BadInputTest(LbBadInputCase):
    # -- request syntax

    def test_missing_action(self):
        self.refused([("Version", "2012-06-01")] + create_params("fresh"),
                     400, "MissingAction")

    def test_unknown_action(self):
        self.refused([("Action", "MakeLoadBalancer"),
                      ("Version", "2012-06-01")] + create_params("fresh"),
                     400, "InvalidAction")

    def test_bad_percent_encoding(self):
        tail = (b"&Listeners.member.1.Protocol=HTTP"
                b"&Listeners.member.1.LoadBalancerPort=80"
                b"&Listeners.member.1.InstancePort=8080"
                b"&AvailabilityZones.member.1=one")
        for bad in (b"%G1", b"fresh%4", b"fresh%"):
            with self.subTest(name=bad):
                self.refused(b"Action=CreateLoadBalancer&Version=2012-06-01"
                             b"&LoadBalancerName=" + bad + tail,
                             400, "MalformedQueryString")

    def test_body_over_one_mib(self):
        head = b"Action=DescribeLoadBalancers&Version=2012-06-01&Pad="
        body = head + b"x" * (ONE_MIB + 1 - len(head))
        self.assertEqual(len(body), ONE_MIB + 1)
        err = self.refused(body, 413, "RequestEntityTooLarge")
        self.assertEqual(err["format"], "xml")

    def test_body_of_exactly_one_mib_is_not_too_large(self):
        head = (b"Action=DescribeLoadBalancers&Version=2012-06-01"
                b"&LoadBalancerNames.member.1=keep&Pad=")
        body = head + b"x" * (ONE_MIB - len(head))
        with self.assertUnchanged(self.other):
            status, _, resp = self.server.raw(body)
        self.assertNotEqual(status, 413, resp[:300])


class StructuredListTest(ApiBadInputCase):
    def test_string_lists_given_as_structures(self):
        """Found by fuzzing: a list of names sent as members with
        sub-fields named no load balancer and crashed the server."""
        for action, params in [
                ("DescribeLoadBalancers",
                 {"LoadBalancerNames.member.1.x": "zoned"}),
                ("DescribeTags", {"LoadBalancerNames.member.1.x": "zoned"}),
                ("AddTags", {"LoadBalancerNames.member.1.x": "zoned",
                             "Tags.member.1.Key": "a"}),
                ("DescribeLoadBalancerPolicies",
                 {"PolicyNames.member.1.x": "p"}),
                ("DescribeLoadBalancerPolicyTypes",
                 {"PolicyTypeNames.member.1.x": "p"}),
                ("DeleteLoadBalancerListeners",
                 {"LoadBalancerName": "zoned",
                  "LoadBalancerPorts.member.1.x": "80"})]:
            with self.subTest(action=action):
                with self.assertUnchanged():
                    self.assertError(self.server.call(action, params), 400,
                                     "ValidationError", ".member.1")


class CatalogueTest(ApiTestCase):
    """Every operation of botocore's ELB model is answered; every eulb
    command of the reference exists with the options it lists."""

    def test_every_model_operation_is_answered(self):
        path = elb_model_path()
        if path is None:
            self.skipTest("botocore's ELB model is not installed (no %s "
                          "and nothing under %s/elb/*/); install "
                          "python3-botocore" % (ELB_MODEL, BOTOCORE_DATA))
        with open(path) as f:
            model = json.load(f)
        ops = model["operations"]
        self.assertGreaterEqual(len(ops), 29, sorted(ops))
        shapes = model["shapes"]
        for name, op in sorted(ops.items()):
            with self.subTest(operation=name):
                wire = op["http"]["method"], op["name"]
                self.assertEqual(wire, ("POST", name))
                required = []
                if "input" in op:
                    required = shapes[op["input"]["shape"]].get("required",
                                                                [])
                status, _, body = self.server.call(name)
                if status == 200:
                    self.assertEqual(required, [], "answered 200 without "
                                     "the required %s" % required)
                    root = parse_xml(body)
                    self.assertEqual(root.tag, name + "Response")
                    self.assertIsNotNone(root.find(name + "Result"), body)
                    continue
                err = parse_error(body)
                self.assertNotIn(err["Code"], ("InvalidAction",
                                               "MissingAction"), err)
                self.assertEqual(status, 400, err)
                self.assertTrue(required, "refused %r although nothing is "
                                "required" % (err,))
                self.assertIn(err["Code"], ("MissingParameter",
                                            "ValidationError"), err)
                self.assertTrue(any(r in (err["Message"] or "")
                                    for r in required),
                                "the message names none of %s: %r"
                                % (required, err["Message"]))

    def test_every_command_and_its_options(self):
        self.assertEqual(len(COMMANDS), 28)
        for cmd, (action, options) in sorted(COMMANDS.items()):
            with self.subTest(command=cmd):
                rc, out, err = self.server.cli(cmd, "--help")
                self.assertEqual((rc, err), (0, ""), out)
                self.assertRegex(out, r"^usage: eulb-%s\s"
                                 % re.escape(cmd))
                for opt in options + COMMON_OPTIONS:
                    self.assertRegex(out, r"(?<![\w-])%s(?![\w-])"
                                     % re.escape(opt),
                                     "eulb-%s --help does not mention %s"
                                     % (cmd, opt))


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

    def test_transfer_codings_other_than_chunked_are_400(self):
        # MHD decodes chunked alone: these hung, unanswered, for the 30 s
        # connection timeout.
        for te in (b"gzip", b"identity", b"chunked, chunked",
                   b"gzip, chunked", b"chunked;q=1", b"chunked\r\n"
                   b"Transfer-Encoding: gzip", b"gzip\r\n"
                   b"Transfer-Encoding: chunked"):
            with self.subTest(te=te):
                t0 = time.monotonic()
                st, got = self.post(b"Transfer-Encoding: " + te + b"\r\n")
                self.assertLess(time.monotonic() - t0, 3)
                self.assertEqual(st, 400, got[:300])
                self.assertIn(b"Transfer-Encoding", got)
                self.assertIn(b"Connection: close", got)
        # chunked alone is read (then refused as unsigned).
        st, got = self.post(b"Transfer-Encoding: chunked\r\n",
                            b"1c\r\nAction=DescribeLoadBalancers\r\n0\r\n\r\n")
        self.assertEqual(st, 403, got[:300])

    def test_a_repeated_equal_content_length_is_read(self):
        st, got = self.post(b"Content-Length: 28\r\nContent-Length: 28\r\n")
        self.assertEqual(st, 403, got[:300])  # parsed, then unsigned


if __name__ == "__main__":
    unittest.main()
