"""Foundation integration tests: the real eulbd, driven by the real eulb-*
tools, by Debian's awscli and by hand-signed HTTP requests.

One server per TestCase class. Run from this folder:
    EULB_BIN_DIR=<build>/bin python3 -m unittest -v test_foundation
"""

import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import datetime  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import unittest  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402

from eulbtest import (ACCOUNT_ID, ISO_MS, ONE_MIB, Creds,  # noqa: E402
                      ServerTestCase, http_listener, lb_names,
                      listener_params, next_marker, parse_error, parse_xml,
                      split_braces, split_fields, without_request_id,
                      bin_path, clean_env)

NS = "http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/"
DEFAULT_HC = ("{interval=30,target=TCP:8080,timeout=5,"
              "healthy-threshold=3,unhealthy-threshold=3}")
L_HTTP = "{protocol=HTTP,lb-port=80,instance-protocol=HTTP,instance-port=8080}"
L_TCP = ("{protocol=TCP,lb-port=1025,instance-protocol=TCP,"
         "instance-port=1025}")

# Prints, as JSON, the names on each page botocore's paginator fetched.
BOTOCORE_PAGES = """
import json, os, botocore.session
e = os.environ
c = botocore.session.get_session().create_client(
    "elb", endpoint_url=e["ELB_URL"], region_name=e["REGION"],
    aws_access_key_id=e["ACCESS_KEY"], aws_secret_access_key=e["SECRET_KEY"])
pages = c.get_paginator("describe_load_balancers").paginate(
    PaginationConfig={"PageSize": 3})
print(json.dumps([[d["LoadBalancerName"]
                   for d in p["LoadBalancerDescriptions"]] for p in pages]))
"""
# --show-long columns (0-based) that a zone-based load balancer with plain
# listeners and no instances or policies leaves empty.
EMPTY_LONG_FIELDS = {7, 8, 9, 11, 12, 13, 14, 16}


def create_params(name, *listeners, zones=("one",)):
    p = [] if name is None else [("LoadBalancerName", name)]
    p += listener_params(*(listeners or (http_listener(),)))
    p += [("AvailabilityZones.member.%d" % i, z)
          for i, z in enumerate(zones, 1)]
    return p


def health_check_params(name, target="HTTP:8080/ping", interval=10,
                        timeout=3, healthy=2, unhealthy=4):
    return [("LoadBalancerName", name), ("HealthCheck.Target", target),
            ("HealthCheck.Interval", str(interval)),
            ("HealthCheck.Timeout", str(timeout)),
            ("HealthCheck.HealthyThreshold", str(healthy)),
            ("HealthCheck.UnhealthyThreshold", str(unhealthy))]


# ---------------------------------------------------------------------------
class CliTest(ServerTestCase):
    """The eulb-* tools: options, output lines, errors and exit codes."""

    @classmethod
    def setUpServer(cls):
        cls.acct = cls.server.admin.account_id

    def dns(self, name):
        return "%s-%s.lb.localhost" % (name, self.acct)

    def create(self, name, *listeners):
        args = []
        for l in listeners or ("protocol=HTTP,lb-port=80,instance-port=8080",):
            args += ["-l", l]
        rc, out, err = self.server.cli("create-lb", *args, "-z", "one", name)
        self.assertEqual((rc, out, err),
                         (0, "DNS_NAME\t%s\n" % self.dns(name), ""))

    def describe_line(self, name, *flags):
        rc, out, err = self.server.cli("describe-lbs", *flags, name)
        self.assertEqual((rc, err), (0, ""), out)
        lines = out.splitlines()
        self.assertEqual(len(lines), 1, out)
        self.assertTrue(out.endswith("\n"), repr(out))
        return split_fields(lines[0])

    def listeners_of(self, name):
        return set(split_braces(self.describe_line(name, "--show-long")[10]))

    def test_create_lb_one_listener(self):
        self.create("cli-one")
        self.assertEqual(self.listeners_of("cli-one"), {L_HTTP})

    def test_create_lb_two_listeners(self):
        self.create("cli-two", "protocol=HTTP,lb-port=80,instance-port=8080",
                    "protocol=TCP,lb-port=1025,instance-port=1025")
        f = self.describe_line("cli-two", "--show-long")
        # InstanceProtocol was omitted: the server fills it from the family.
        self.assertEqual(set(split_braces(f[10])), {L_HTTP, L_TCP})
        self.assertEqual(f[5], DEFAULT_HC)

    def test_describe_short(self):
        self.create("cli-short")
        f = self.describe_line("cli-short")
        self.assertEqual(len(f), 5, f)
        self.assertEqual(f[:3], ["LOAD_BALANCER", "cli-short",
                                 self.dns("cli-short")])
        self.assertRegex(f[3], ISO_MS)
        self.assertEqual(f[4], "internet-facing")
        # Nothing is empty in the short form, so --show-empty-fields
        # changes nothing.
        self.assertEqual(self.describe_line("cli-short",
                                            "--show-empty-fields"), f)
        # Without names: every load balancer of the account, one line each.
        rc, out, err = self.server.cli("describe-lbs")
        self.assertEqual((rc, err), (0, ""))
        lines = [split_fields(l) for l in out.splitlines()]
        self.assertIn(f, lines)
        for l in lines:
            self.assertEqual(len(l), 5, l)
            self.assertEqual(l[0], "LOAD_BALANCER")

    def test_describe_long(self):
        self.create("cli-long")
        f = self.describe_line("cli-long", "--show-long")
        self.assertEqual(len(f), 19, f)
        self.assertEqual(f[:3], ["LOAD_BALANCER", "cli-long",
                                 self.dns("cli-long")])
        self.assertEqual(f[5], DEFAULT_HC)
        self.assertEqual(f[6], "one")
        self.assertEqual(f[10], L_HTTP)
        m = re.match(r"^\{owner-alias=(\d+),group-name=(.*)\}$", f[15])
        self.assertTrue(m, f[15])
        self.assertRegex(m.group(1), ACCOUNT_ID)
        self.assertEqual(m.group(2), "euca-internal-%s-cli-long" % self.acct)
        self.assertRegex(f[17], ISO_MS)
        self.assertEqual(f[18], "internet-facing")
        for i in sorted(EMPTY_LONG_FIELDS):
            self.assertEqual(f[i], "", "field %d" % (i + 1))

        g = self.describe_line("cli-long", "--show-long",
                               "--show-empty-fields")
        self.assertEqual(len(g), 19, g)
        for i, (plain, shown) in enumerate(zip(f, g)):
            self.assertEqual(shown, plain or "(nil)", "field %d" % (i + 1))

    def test_listener_add_readd_conflict_delete(self):
        self.create("cli-lis")
        extra = "{protocol=TCP,lb-port=2000,instance-protocol=TCP," \
                "instance-port=2001}"
        add = ("create-lb-listeners", "-l",
               "protocol=TCP,lb-port=2000,instance-port=2001", "cli-lis")
        self.assertEqual(self.server.cli(*add), (0, "", ""))
        self.assertEqual(self.listeners_of("cli-lis"), {L_HTTP, extra})

        # The identical listener again is a no-op.
        self.assertEqual(self.server.cli(*add), (0, "", ""))
        self.assertEqual(self.listeners_of("cli-lis"), {L_HTTP, extra})

        # Another listener on the same port is refused.
        rc, out, err = self.server.cli(
            "create-lb-listeners", "-l",
            "protocol=TCP,lb-port=2000,instance-port=2002", "cli-lis")
        self.assertEqual((rc, out), (1, ""), err)
        self.assertTrue(err.startswith(
            "eulb-create-lb-listeners: error (DuplicateListener): "), err)
        self.assertEqual(self.listeners_of("cli-lis"), {L_HTTP, extra})

        self.assertEqual(self.server.cli("delete-lb-listeners", "-l", "2000",
                                         "cli-lis"), (0, "", ""))
        self.assertEqual(self.listeners_of("cli-lis"), {L_HTTP})

    def test_configure_healthcheck(self):
        self.create("cli-hc")
        rc, out, err = self.server.cli(
            "configure-healthcheck", "-t", "http:8080/ping", "--interval",
            "10", "--timeout", "3", "--healthy-threshold", "2",
            "--unhealthy-threshold", "4", "cli-hc")
        self.assertEqual(
            (rc, out, err),
            (0, "HEALTH_CHECK\tHTTP:8080/ping\t10\t3\t2\t4\n", ""))
        self.assertEqual(self.describe_line("cli-hc", "--show-long")[5],
                         "{interval=10,target=HTTP:8080/ping,timeout=3,"
                         "healthy-threshold=2,unhealthy-threshold=4}")

    def test_delete_lb(self):
        self.create("cli-del")
        self.assertEqual(self.server.cli("delete-lb", "cli-del"),
                         (0, "", ""))
        rc, out, err = self.server.cli("describe-lbs", "cli-del")
        self.assertEqual((rc, out), (1, ""), err)
        self.assertIn("error (LoadBalancerNotFound)", err)
        # Deleting a name that does not exist succeeds, as in AWS.
        self.assertEqual(self.server.cli("delete-lb", "cli-del"),
                         (0, "", ""))

    def test_usage_error_exits_2(self):
        rc, out, err = self.server.cli("create-lb", "-z", "one", "cli-nol")
        self.assertEqual((rc, out), (2, ""), err)
        self.assertIn("eulb-create-lb: error: ", err)
        rc, _, err = self.server.cli("describe-lbs", "cli-nol")
        self.assertEqual(rc, 1, "a usage error must send nothing: " + err)

    def test_unknown_lb_error(self):
        rc, out, err = self.server.cli("describe-lbs", "cli-nosuch")
        self.assertEqual((rc, out), (1, ""), err)
        self.assertRegex(err, r"^eulb-describe-lbs: error "
                              r"\(LoadBalancerNotFound\): .*cli-nosuch.*\n$")


# ---------------------------------------------------------------------------
class AwsCliTest(ServerTestCase):
    """Debian's awscli (botocore) against eulbd."""

    @classmethod
    def setUpServer(cls):
        cls.acct = cls.server.admin.account_id

    def aws_ok(self, *args):
        rc, doc, err = self.server.aws(*args)
        self.assertEqual(rc, 0, "aws elb %s: %s" % (" ".join(args), err))
        return doc

    def create(self, name):
        doc = self.aws_ok(
            "create-load-balancer", "--load-balancer-name", name,
            "--listeners",
            "Protocol=HTTP,LoadBalancerPort=80,InstancePort=8080",
            "--availability-zones", "one")
        self.assertEqual(doc, {"DNSName": "%s-%s.lb.localhost"
                                          % (name, self.acct)})

    def describe_one(self, name):
        doc = self.aws_ok("describe-load-balancers", "--load-balancer-names",
                          name)
        self.assertEqual(len(doc["LoadBalancerDescriptions"]), 1, doc)
        return doc["LoadBalancerDescriptions"][0]

    def test_create_and_describe(self):
        self.create("aws-one")
        d = self.describe_one("aws-one")
        self.assertEqual(d["LoadBalancerName"], "aws-one")
        self.assertEqual(d["DNSName"], "aws-one-%s.lb.localhost" % self.acct)
        self.assertEqual(len(d["ListenerDescriptions"]), 1, d)
        self.assertEqual(d["ListenerDescriptions"][0]["Listener"],
                         {"Protocol": "HTTP", "LoadBalancerPort": 80,
                          "InstanceProtocol": "HTTP", "InstancePort": 8080})
        self.assertEqual(d["ListenerDescriptions"][0]["PolicyNames"], [])
        self.assertEqual(d["Policies"],
                         {"AppCookieStickinessPolicies": [],
                          "LBCookieStickinessPolicies": [],
                          "OtherPolicies": []})
        self.assertEqual(d["BackendServerDescriptions"], [])
        self.assertEqual(d["HealthCheck"],
                         {"Target": "TCP:8080", "Interval": 30, "Timeout": 5,
                          "UnhealthyThreshold": 3, "HealthyThreshold": 3})
        self.assertRegex(d["SourceSecurityGroup"]["OwnerAlias"], ACCOUNT_ID)
        self.assertEqual(d["SourceSecurityGroup"]["GroupName"],
                         "euca-internal-%s-aws-one" % self.acct)
        self.assertEqual(d["Scheme"], "internet-facing")
        self.assertEqual(d["AvailabilityZones"], ["one"])
        self.assertIn("CreatedTime", d)

    def test_listeners_and_health_check(self):
        self.create("aws-lis")
        self.aws_ok("create-load-balancer-listeners", "--load-balancer-name",
                    "aws-lis", "--listeners",
                    "Protocol=TCP,LoadBalancerPort=1025,InstancePort=1025")
        got = sorted((l["Listener"]["LoadBalancerPort"],
                      l["Listener"]["Protocol"],
                      l["Listener"]["InstanceProtocol"])
                     for l in self.describe_one("aws-lis")
                     ["ListenerDescriptions"])
        self.assertEqual(got, [(80, "HTTP", "HTTP"), (1025, "TCP", "TCP")])

        self.aws_ok("delete-load-balancer-listeners", "--load-balancer-name",
                    "aws-lis", "--load-balancer-ports", "1025")
        got = [l["Listener"]["LoadBalancerPort"] for l in
               self.describe_one("aws-lis")["ListenerDescriptions"]]
        self.assertEqual(got, [80])

        hc = {"Target": "HTTP:8080/ping", "Interval": 10, "Timeout": 3,
              "UnhealthyThreshold": 4, "HealthyThreshold": 2}
        doc = self.aws_ok("configure-health-check", "--load-balancer-name",
                          "aws-lis", "--health-check",
                          "Target=HTTP:8080/ping,Interval=10,Timeout=3,"
                          "UnhealthyThreshold=4,HealthyThreshold=2")
        self.assertEqual(doc, {"HealthCheck": hc})
        self.assertEqual(self.describe_one("aws-lis")["HealthCheck"], hc)

    def test_delete(self):
        self.create("aws-del")
        self.assertIsNone(self.aws_ok("delete-load-balancer",
                                      "--load-balancer-name", "aws-del"))
        rc, _, err = self.server.aws("describe-load-balancers",
                                     "--load-balancer-names", "aws-del")
        self.assertNotEqual(rc, 0)
        self.assertIn("(LoadBalancerNotFound)", err)
        self.aws_ok("delete-load-balancer", "--load-balancer-name", "aws-del")

    def test_duplicate_name_error(self):
        self.create("aws-dup")
        rc, _, err = self.server.aws(
            "create-load-balancer", "--load-balancer-name", "aws-dup",
            "--listeners", "Protocol=TCP,LoadBalancerPort=25,InstancePort=25",
            "--availability-zones", "one")
        self.assertNotEqual(rc, 0)
        self.assertIn("(DuplicateLoadBalancerName)", err)


# ---------------------------------------------------------------------------
class PaginationTest(ServerTestCase):
    """DescribeLoadBalancers Marker/PageSize, raw and through awscli."""

    NAMES = ["page-%d" % i for i in range(1, 8)]

    @classmethod
    def setUpServer(cls):
        for n in cls.NAMES:
            status, _, body = cls.server.call("CreateLoadBalancer",
                                              create_params(n))
            assert status == 200, body

    def names(self, doc):
        return [d["LoadBalancerName"] for d in doc["LoadBalancerDescriptions"]]

    def test_botocore_paginator(self):
        # awscli's own --page-size turns its paginator off for this
        # operation (the limit key is also called PageSize), so the
        # paginator is driven through botocore, which awscli runs on.
        rc, out, err = self.server.botocore(BOTOCORE_PAGES)
        self.assertEqual(rc, 0, err)
        pages = json.loads(out)
        self.assertEqual([len(p) for p in pages], [3, 3, 1])
        self.assertEqual(sorted(sum(pages, [])), self.NAMES)

    def test_awscli_page_size_and_marker(self):
        seen, args = [], []
        for _ in range(3):
            rc, doc, err = self.server.aws("describe-load-balancers",
                                           "--page-size", "3", *args)
            self.assertEqual(rc, 0, err)
            seen += self.names(doc)
            args = ["--marker", doc.get("NextMarker")]
        self.assertEqual(sorted(seen), self.NAMES)
        self.assertFalse(doc.get("NextMarker"), doc)

    def test_awscli_max_items_then_starting_token(self):
        rc, doc, err = self.server.aws("describe-load-balancers",
                                       "--max-items", "5")
        self.assertEqual(rc, 0, err)
        first = self.names(doc)
        self.assertEqual(len(first), 5, first)
        self.assertTrue(doc.get("NextToken"), doc)
        rc, doc, err = self.server.aws("describe-load-balancers",
                                       "--starting-token", doc["NextToken"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(sorted(first + self.names(doc)), self.NAMES)

    def test_raw_markers(self):
        seen, marker, pages = [], None, []
        while True:
            params = [("PageSize", "3")]
            if marker:
                params.append(("Marker", marker))
            body = self.assertOk(self.server.call("DescribeLoadBalancers",
                                                  params))
            pages.append(len(lb_names(body)))
            seen += lb_names(body)
            marker = next_marker(body)
            if not marker or len(pages) > 5:
                break
        self.assertEqual(pages, [3, 3, 1])
        self.assertEqual(sorted(seen), self.NAMES)

    def test_whole_list_in_one_page(self):
        body = self.assertOk(self.server.call("DescribeLoadBalancers",
                                              [("PageSize", "400")]))
        self.assertEqual(sorted(lb_names(body)), self.NAMES)
        self.assertEqual(next_marker(body), "")

    def test_bad_page_size(self):
        for size in ("0", "401"):
            with self.subTest(PageSize=size):
                self.assertError(self.server.call("DescribeLoadBalancers",
                                                  [("PageSize", size)]),
                                 400, "ValidationError")

    def test_garbage_marker_is_not_a_server_fault(self):
        status, _, _ = self.server.call("DescribeLoadBalancers",
                                        [("Marker", "%%not-a-marker\x01")])
        self.assertIn(status, (200, 400))


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
        status, _, _ = self.server.raw(method="GET", path="/healthz",
                                       sign=False)
        self.assertEqual(status, 200)

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


# ---------------------------------------------------------------------------
class BadInputTest(ServerTestCase):
    """Refused requests: the right error, and the database unchanged."""

    @classmethod
    def setUpServer(cls):
        s = cls.server
        cls.acct = s.admin.account_id
        status, _, body = s.call("CreateLoadBalancer", create_params(
            "keep", http_listener(80, 8080),
            {"Protocol": "TCP", "LoadBalancerPort": 1025,
             "InstancePort": 1025}))
        assert status == 200, body
        status, _, body = s.call("ConfigureHealthCheck",
                                 health_check_params("keep"))
        assert status == 200, body
        cls.other = s.create_account("other")

    def refused(self, params, status, code, message_part=None, **kw):
        """Sends CreateLoadBalancer-style params (Action included by the
        caller) and asserts the error and that nothing changed."""
        with self.assertUnchanged(self.other):
            return self.assertError(self.server.raw(params, **kw), status,
                                    code, message_part)

    def create_refused(self, params, status, code, message_part=None, **kw):
        return self.refused([("Action", "CreateLoadBalancer"),
                             ("Version", "2012-06-01")] + params,
                            status, code, message_part, **kw)

    def add_refused(self, listener, status, code, message_part=None):
        return self.refused([("Action", "CreateLoadBalancerListeners"),
                             ("Version", "2012-06-01"),
                             ("LoadBalancerName", "keep")] +
                            listener_params(listener),
                            status, code, message_part)

    # -- request syntax

    def test_missing_action(self):
        self.refused([("Version", "2012-06-01")] + create_params("fresh"),
                     400, "MissingAction")

    def test_unknown_action(self):
        self.refused([("Action", "MakeLoadBalancer"),
                      ("Version", "2012-06-01")] + create_params("fresh"),
                     400, "InvalidAction")

    def test_missing_load_balancer_name(self):
        self.create_refused(create_params(None), 400, "MissingParameter",
                            "LoadBalancerName")

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

    # -- validation

    def test_duplicate_name(self):
        for name in ("keep", "KEEP"):
            with self.subTest(name=name):
                self.create_refused(create_params(
                    name, {"Protocol": "TCP", "LoadBalancerPort": 25,
                           "InstancePort": 25}),
                    400, "DuplicateLoadBalancerName")

    def test_invalid_names(self):
        for name in ("-bad", "bad-", "a_b", "a" * 33):
            with self.subTest(name=name):
                self.create_refused(create_params(name), 400,
                                    "ValidationError")

    def test_name_of_32_characters_is_fine(self):
        name = "b" * 32
        self.assertOk(self.server.call("CreateLoadBalancer",
                                       create_params(name)))
        self.assertEqual(lb_names(self.assertOk(self.server.describe(name))),
                         [name])
        self.assertOk(self.server.call("DeleteLoadBalancer",
                                       [("LoadBalancerName", name)]))

    def test_bad_ports(self):
        cases = [http_listener(22, 8080), http_listener(0, 8080),
                 http_listener(65536, 8080), http_listener(8000, 0),
                 http_listener(8000, 65536)]
        for l in cases:
            with self.subTest(action="CreateLoadBalancer", listener=l):
                self.create_refused(create_params("fresh", l), 400,
                                    "ValidationError")
            with self.subTest(action="CreateLoadBalancerListeners",
                              listener=l):
                self.add_refused(l, 400, "ValidationError")

    def test_protocol_families_must_match(self):
        cases = [http_listener(8000, 8000, InstanceProtocol="SSL"),
                 {"Protocol": "TCP", "LoadBalancerPort": 8000,
                  "InstancePort": 8000, "InstanceProtocol": "HTTP"}]
        for l in cases:
            with self.subTest(action="CreateLoadBalancer", listener=l):
                self.create_refused(create_params("fresh", l), 400,
                                    "ValidationError")
            with self.subTest(action="CreateLoadBalancerListeners",
                              listener=l):
                self.add_refused(l, 400, "ValidationError")

    def test_secure_listener_needs_certificate(self):
        for proto in ("HTTPS", "SSL"):
            l = {"Protocol": proto, "LoadBalancerPort": 443,
                 "InstancePort": 8443}
            msg = "Secure Listeners need to specify a SSLCertificateId"
            with self.subTest(action="CreateLoadBalancer", protocol=proto):
                self.create_refused(create_params("fresh", l), 400,
                                    "ValidationError", msg)
            with self.subTest(action="CreateLoadBalancerListeners",
                              protocol=proto):
                self.add_refused(l, 400, "ValidationError", msg)

    def test_unknown_certificate(self):
        l = {"Protocol": "HTTPS", "LoadBalancerPort": 443,
             "InstancePort": 8443,
             "SSLCertificateId": "arn:aws:iam::%s:server-certificate/nosuch"
                                 % self.acct}
        with self.subTest(action="CreateLoadBalancer"):
            self.create_refused(create_params("fresh", l), 400,
                                "CertificateNotFound")
        with self.subTest(action="CreateLoadBalancerListeners"):
            self.add_refused(l, 400, "CertificateNotFound")

    # -- authentication (each probe would create "fresh" if let through)

    def probe(self):
        return [("Action", "CreateLoadBalancer"),
                ("Version", "2012-06-01")] + create_params("fresh")

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


class PersistenceTest(ServerTestCase):
    """Stop (SIGTERM, exit 0) and restart on the same database."""

    def test_restart_keeps_everything(self):
        s = self.server
        for args in (
                ("create-lb", "-l", "protocol=HTTP,lb-port=80,"
                 "instance-port=8080", "-l", "protocol=TCP,lb-port=1025,"
                 "instance-port=1025", "-z", "one", "p-one"),
                ("create-lb", "-l", "protocol=TCP,lb-port=25,"
                 "instance-port=2525", "-z", "one,two", "p-two"),
                ("create-lb-listeners", "-l", "protocol=HTTP,lb-port=8000,"
                 "instance-port=8001", "p-two"),
                ("configure-healthcheck", "-t", "http:8080/ping",
                 "--interval", "10", "--timeout", "3", "--healthy-threshold",
                 "2", "--unhealthy-threshold", "4", "p-one")):
            rc, _, err = s.cli(*args)
            self.assertEqual(rc, 0, "%s: %s" % (args[0], err))
        tenant = s.create_account("tenant")
        rc, _, err = s.cli("create-lb", "-l", "protocol=TCP,lb-port=25,"
                           "instance-port=25", "-z", "one", "t-one",
                           creds=tenant)
        self.assertEqual(rc, 0, err)

        def state():
            rc, out, err = s.cli("describe-lbs", "--show-long")
            self.assertEqual(rc, 0, err)
            return (sorted(out.splitlines()), s.snapshot(),
                    s.snapshot(tenant), s.admin.account_id)

        before = state()
        self.assertEqual(len(before[0]), 2, before[0])
        s.restart()
        after = state()
        self.assertEqual(after[0], before[0])
        self.assertEqual(after[1].decode(), before[1].decode())
        self.assertEqual(after[2].decode(), before[2].decode())
        self.assertEqual(after[3], before[3])
        # Still writable after the restart.
        self.assertOk(s.call("CreateLoadBalancer", create_params("p-three")))


if __name__ == "__main__":
    unittest.main()
