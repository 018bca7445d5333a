"""Load balancers: create, describe (short, long, pages), delete,
names, VPC placement, hosted zone, persistence across restarts.

One server per TestCase class. Run from this folder:
    EULB_BIN_DIR=<build>/bin python3 -m unittest -v test_lb
"""

import json
import re
import struct
import time
import sqlite3
import subprocess
import unittest

from eulbtest import (ACCOUNT_ID, ISO_MS, ServerTestCase, http_listener,
                      lb_names, listener_params, members, next_marker,
                      parse_xml, policy_params, split_braces,
                      split_fields)
from lbcase import (ApiBadInputCase, ApiCliCase, BOTOCORE_PAGES,
                    DEFAULT_ATTRS, DEFAULT_HC, EMPTY_LONG_FIELDS, L_HTTP,
                    L_TCP, LbAwsCliCase, LbBadInputCase, LbCliCase,
                    attr_params, create_params, instance_params, tag_params)


class CliTest(LbCliCase):
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


class AwsCliTest(LbAwsCliCase):
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


class BadInputTest(LbBadInputCase):
    def test_missing_load_balancer_name(self):
        self.create_refused(create_params(None), 400, "MissingParameter",
                            "LoadBalancerName")

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


class VpcAndHostedZoneTest(ApiCliCase):
    def test_canonical_hosted_zone(self):
        self.create_lb("c-zone1")
        self.create_lb("c-zone2")
        self.drop_lb_after("c-zone1", "c-zone2")
        body = self.ok(self.server.describe("c-zone1", "c-zone2"))
        got = [(m.findtext("DNSName"), m.findtext("CanonicalHostedZoneName"),
                m.findtext("CanonicalHostedZoneNameID"))
               for m in parse_xml(body).find(".//LoadBalancerDescriptions")]
        self.assertEqual([g[0] for g in got], [g[1] for g in got])
        self.assertRegex(got[0][2], r"^Z[A-Z2-7]{13}$")
        self.assertEqual(got[0][2], got[1][2])
        rc, out, err = self.server.cli("describe-lbs", "--show-long",
                                       "c-zone1")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.split("\t")[3:5], [got[0][1], got[0][2]])
        rc, doc, err = self.server.aws("describe-load-balancers",
                                       "--load-balancer-names", "c-zone1")
        self.assertEqual(rc, 0, err)
        d = doc["LoadBalancerDescriptions"][0]
        self.assertEqual((d["CanonicalHostedZoneName"],
                          d["CanonicalHostedZoneNameID"]), got[0][1:])


    def test_create_vpc_lb(self):
        rc, out, err = self.server.cli(
            "create-lb", "-l", "protocol=HTTP,lb-port=80,instance-port=8080",
            "-s", "subnet-1a2b3c4d,subnet-2a2b3c4d", "-g", "sg-12345678",
            "c-vpc")
        self.assertEqual((rc, err), (0, ""), out)
        f = self.long_fields("c-vpc")
        self.assertEqual(f[7], "subnet-1a2b3c4d,subnet-2a2b3c4d")
        self.assertEqual(f[8], "vpc-11111111")
        self.assertEqual(f[16], "{sg-12345678}")

    def test_internal_scheme_is_for_a_vpc(self):
        status, _, body = self.server.call(
            "CreateLoadBalancer",
            create_params("c-internal-zoned") + [("Scheme", "internal")])
        self.assertEqual(status, 400, body)
        self.assertEqual(parse_xml(body).findtext(".//Code"), "InvalidScheme")
        self.assertEqual(self.server.describe("c-internal-zoned")[0], 400)
        rc, out, err = self.server.cli(
            "create-lb", "-l", "protocol=HTTP,lb-port=80,instance-port=8080",
            "-s", "subnet-1a2b3c4d", "-g", "sg-12345678", "-i", "internal",
            "c-internal")
        self.assertEqual((rc, err), (0, ""), out)
        self.drop_lb_after("c-internal")
        self.assertRegex(out, r"^DNS_NAME\tinternal-c-internal-\d{12}\.")
        self.assertEqual(self.long_fields("c-internal")[-1], "internal")

    def test_recreated_lb_starts_clean(self):
        self.create_lb("c-again", zones=("one", "two"), tags=[("a", "b")])
        self.register("c-again", "i-12345678")
        self.ok(self.server.call(
            "ModifyLoadBalancerAttributes", [("LoadBalancerName", "c-again")]
            + attr_params(CrossZoneLoadBalancing__Enabled="true")))
        self.cli_ok("delete-lb", "c-again", out=[])
        self.create_lb("c-again")
        self.assertEqual(self.tags("c-again"), {"c-again": []})
        self.assertEqual(self.registered("c-again"), [])
        self.assertEqual(self.health("c-again"), [])
        self.assertEqual(self.attributes("c-again"), DEFAULT_ATTRS)
        self.assertEqual(self.lb_list("c-again", "AvailabilityZones"),
                         ["one"])


class UnknownAndTooManyTest(ApiBadInputCase):
    # -- every action of this part on a load balancer that does not exist

    def test_unknown_load_balancer(self):
        cases = {
            "RegisterInstancesWithLoadBalancer": instance_params(
                ["i-12345678"]),
            "DeregisterInstancesFromLoadBalancer": instance_params(
                ["i-12345678"]),
            "DescribeInstanceHealth": [],
            "EnableAvailabilityZonesForLoadBalancer": members(
                "AvailabilityZones", ["one"]),
            "DisableAvailabilityZonesForLoadBalancer": members(
                "AvailabilityZones", ["one"]),
            "AttachLoadBalancerToSubnets": members(
                "Subnets", ["subnet-1a2b3c4d"]),
            "DetachLoadBalancerFromSubnets": members(
                "Subnets", ["subnet-1a2b3c4d"]),
            "ApplySecurityGroupsToLoadBalancer": members(
                "SecurityGroups", ["sg-12345678"]),
            "ModifyLoadBalancerAttributes": attr_params(
                CrossZoneLoadBalancing__Enabled="true"),
            "DescribeLoadBalancerAttributes": [],
        }
        for action, params in sorted(cases.items()):
            with self.subTest(action=action), self.assertNothingChanges():
                self.refused(400, "LoadBalancerNotFound", action,
                             [("LoadBalancerName", "nowhere")] + params)
        for action, params in (("AddTags", tag_params(("k", "v"))),
                               ("RemoveTags", tag_params(("k", "v"))),
                               ("DescribeTags", [])):
            with self.subTest(action=action), self.assertNothingChanges():
                self.refused(400, "LoadBalancerNotFound", action,
                             [("LoadBalancerNames.member.1", "nowhere")] +
                             params)

    # -- limits

    def test_twenty_first_load_balancer(self):
        acct = self.server.create_account("twenty")
        for i in range(20):
            self.create_lb("lb%02d" % i, creds=acct)
        with self.assertNothingChanges(accounts=(acct,)):
            self.assertError(self.server.call(
                "CreateLoadBalancer", [("LoadBalancerName", "lb20")] +
                listener_params(http_listener()) +
                members("AvailabilityZones", ["one"]), creds=acct),
                400, "TooManyLoadBalancers")
        # The limit is per account: admin can still create.
        self.create_lb("after-twenty")


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


class StoredDescriptionTest(ServerTestCase):
    """A describe that reads a load balancer from its rows has its
    description stored (schema/0011), and later describes copy it. Every
    ServerTestCase compares the stored ones with the rows after each test;
    this one when they are stored, what is not written through eulbd's
    API (another process's rows), and the flags descriptions depend on."""

    server_args = ("--max-policies", "200")

    def stored(self, name):
        rows = self.server.read_db("SELECT described FROM load_balancers "
                                   "WHERE name = ?", name)
        return rows[0][0] if rows else None

    def stored_soon(self, name):
        """Its stored description once the writer has had the time to
        store what describes asked for (it is woken at once)."""
        deadline = time.monotonic() + 10
        while self.stored(name) is None and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.stored(name)

    def sql(self, statement):
        con = sqlite3.connect(self.server.db, timeout=10)
        try:
            con.execute(statement)
            con.commit()
        finally:
            con.close()

    def test_stored_once_read_and_cleared_by_a_change(self):
        s = self.server
        self.assertOk(s.call("CreateLoadBalancer", create_params("sd-read")))
        # Writes alone store nothing: nobody has read it.
        self.assertOk(s.call("CreateLoadBalancer", create_params("sd-w1")))
        self.assertIsNone(self.stored("sd-read"))
        body = self.assertOk(s.describe("sd-read"))
        member = self.stored_soon("sd-read")
        self.assertIsNotNone(member, "not stored after a describe")
        self.assertIn(member.encode(), body)
        self.assertOk(s.call("ConfigureHealthCheck", [
            ("LoadBalancerName", "sd-read"),
            ("HealthCheck.Target", "TCP:81"),
            ("HealthCheck.Interval", "10"), ("HealthCheck.Timeout", "5"),
            ("HealthCheck.UnhealthyThreshold", "2"),
            ("HealthCheck.HealthyThreshold", "2")]))
        self.assertIsNone(self.stored("sd-read"))
        self.assertIn(b"<Target>TCP:81</Target>",
                      self.assertOk(s.describe("sd-read")))
        self.assertIn("<Target>TCP:81</Target>", self.stored_soon("sd-read"))

    def test_every_change_to_its_rows_clears_it(self):
        """The triggers, row by row: any insert, update or delete in a
        table a description is rendered from clears it, whoever writes
        (here another process)."""
        s = self.server
        self.assertOk(s.call("CreateLoadBalancer", create_params("sd-t")))
        lb = s.read_db("SELECT id FROM load_balancers WHERE name = 'sd-t'"
                       )[0][0]
        self.sql("INSERT INTO policies (lb_id, name, type) VALUES (%d, "
                 "'sd-p', 'LBCookieStickinessPolicyType')" % lb)
        pol = s.read_db("SELECT id FROM policies WHERE name = 'sd-p'")[0][0]
        changes = []
        for table, cols, values, update in (
                ("lb_zones", "lb_id, zone, position", "%d, 'z9', 99",
                 "position = 98"),
                ("lb_subnets", "lb_id, subnet, position", "%d, 's9', 99",
                 "position = 98"),
                ("lb_security_groups", "lb_id, group_id, position",
                 "%d, 'g9', 99", "position = 98"),
                ("listeners", "lb_id, lb_port, protocol, instance_port, "
                 "instance_protocol", "%d, 9999, 'TCP', 9, 'TCP'",
                 "instance_port = 10"),
                ("policies", "lb_id, name, type", "%d, 'sd-q', 'X'",
                 "name = 'sd-r'"),
                ("listener_policies", "lb_id, lb_port, position, policy_id",
                 "%d, 80, 99, " + str(pol), "position = 98"),
                ("backend_policies", "lb_id, instance_port, position, "
                 "policy_id", "%d, 9, 99, " + str(pol), "position = 98"),
                ("instances", "lb_id, instance_id, state, position",
                 "%d, 'i-sd', 'InService', 99", "instance_id = 'i-sd2'")):
            where = "lb_id = %d AND rowid = (SELECT max(rowid) FROM %s)" % (
                lb, table)
            changes += [
                "INSERT INTO %s (%s) VALUES (%s)" % (table, cols,
                                                     values % lb),
                "UPDATE %s SET %s WHERE %s" % (table, update, where),
                "DELETE FROM %s WHERE %s" % (table, where)]
        changes += [
            "INSERT INTO policy_attributes (policy_id, position, name, "
            "value) VALUES (%d, 1, 'CookieExpirationPeriod', '5')" % pol,
            "UPDATE policy_attributes SET value = '6' WHERE policy_id = %d"
            % pol,
            "DELETE FROM policy_attributes WHERE policy_id = %d" % pol,
            "UPDATE load_balancers SET hc_interval = 11 WHERE id = %d" % lb]
        for change in changes:
            self.assertOk(s.describe("sd-t"))
            self.assertIsNotNone(self.stored_soon("sd-t"), change)
            self.sql(change)
            self.assertTrue(self.stored("sd-t") is None,
                            "not cleared by: " + change)

    def test_a_large_description_is_read_from_its_rows(self):
        """Past 32 KiB a description is not stored (each change would
        rewrite it): marked '', until eulbd starts again."""
        s = self.server
        self.assertOk(s.call("CreateLoadBalancer", create_params("sd-big")))

        def cookie(i):
            name = "%03d-" % i + "p" * 200
            self.assertOk(s.call("CreateLBCookieStickinessPolicy", [
                ("LoadBalancerName", "sd-big"), ("PolicyName", name),
                ("CookieExpirationPeriod", "60")]))
            return name
        names = [cookie(i) for i in range(120)]
        self.assertOk(s.describe("sd-big"))
        self.assertEqual(self.stored_soon("sd-big"), "")
        names.append(cookie(120))
        self.assertEqual(self.stored("sd-big"), "")  # not cleared
        body = self.assertOk(s.describe("sd-big"))
        self.assertEqual(len(re.findall(rb"<PolicyName>", body)), 121)
        self.assertIn(names[-1].encode(), body)
        for name in names[:115]:
            self.assertOk(s.call("DeleteLoadBalancerPolicy", [
                ("LoadBalancerName", "sd-big"), ("PolicyName", name)]))
        self.assertEqual(self.stored("sd-big"), "")
        s.restart()
        self.assertIsNone(self.stored("sd-big"))
        self.assertOk(s.describe("sd-big"))
        self.assertIn("<PolicyName>%s</PolicyName>" % names[-1],
                      self.stored_soon("sd-big"))

    def test_a_change_by_another_process_is_described(self):
        s = self.server
        self.assertOk(s.call("CreateLoadBalancer", create_params("sd-other")))
        self.assertOk(s.describe("sd-other"))
        self.assertIsNotNone(self.stored_soon("sd-other"))
        self.sql("INSERT INTO lb_zones (lb_id, zone, position) SELECT id, "
                 "'sd-zone', 99 FROM load_balancers WHERE name = 'sd-other'")
        self.assertIsNone(self.stored("sd-other"))
        body = self.assertOk(s.describe("sd-other"))
        self.assertIn(b"<member>sd-zone</member>", body)
        self.assertIn("<member>sd-zone</member>",
                      self.stored_soon("sd-other"))

    def test_a_row_moved_between_load_balancers_leaves_both_described(self):
        s = self.server
        for name in ("sd-from", "sd-to"):
            self.assertOk(s.call("CreateLoadBalancer", create_params(name)))
        self.sql("INSERT INTO lb_zones (lb_id, zone, position) SELECT id, "
                 "'sd-move', 99 FROM load_balancers WHERE name = 'sd-from'")
        self.assertOk(s.describe("sd-from"))
        self.assertOk(s.describe("sd-to"))
        self.assertIn("sd-move", self.stored_soon("sd-from"))
        self.assertIsNotNone(self.stored_soon("sd-to"))
        self.sql("UPDATE lb_zones SET lb_id = (SELECT id FROM load_balancers "
                 "WHERE name = 'sd-to') WHERE zone = 'sd-move'")
        self.assertNotIn(b"sd-move", self.assertOk(s.describe("sd-from")))
        self.assertIn(b"sd-move", self.assertOk(s.describe("sd-to")))

    def test_a_new_dns_domain_renders_them_again(self):
        s = self.server
        self.assertOk(s.call("CreateLoadBalancer", create_params("sd-dns")))

        def dns():
            body = self.assertOk(s.describe("sd-dns"))
            return parse_xml(body).findtext(".//DNSName")
        self.assertTrue(dns().endswith(".lb.localhost"), dns())
        self.assertIsNotNone(self.stored_soon("sd-dns"))
        s.extra_args = s.extra_args + ["--dns-domain", "elb.example"]
        try:
            s.restart()
            self.assertIsNone(self.stored("sd-dns"))
            self.assertTrue(dns().endswith(".lb.elb.example"), dns())
            self.assertIn(".lb.elb.example<", self.stored_soon("sd-dns"))
            self.assertTrue(dns().endswith(".lb.elb.example"), dns())
        finally:
            s.extra_args = s.extra_args[:-2]
            s.restart()
        self.assertTrue(dns().endswith(".lb.localhost"), dns())


class KeptReadTest(ServerTestCase):
    """A worker thread leaves its read transaction open from one read to
    the next (server/db_keep.c). What another connection or another
    process commits is still seen at once, and the WAL is still
    checkpointed and started over."""

    server_args = ("--threads", "4")

    def kept_readers(self, n=8):
        """n keep-alive connections that each had a read answered: with
        more connections than threads, every worker thread keeps one."""
        conns = []
        for _ in range(n):
            c = self.server.keep_alive()
            self.addCleanup(c.close)
            self.ok(self.server.describe(conn=c))
            conns.append(c)
        return conns

    def names_on(self, conn, creds=None):
        return lb_names(self.ok(self.server.describe(conn=conn,
                                                     creds=creds)))

    def test_what_others_commit_is_seen_at_once(self):
        s = self.server
        readers = self.kept_readers()
        for name in ("kept-1", "kept-2"):
            self.ok(s.call("CreateLoadBalancer", create_params(name)))
            for c in readers:
                self.assertIn(name, self.names_on(c))
        for name in ("kept-1", "kept-2"):
            self.ok(s.call("DeleteLoadBalancer",
                           [("LoadBalancerName", name)]))
            for c in readers:
                self.assertNotIn(name, self.names_on(c))
        # Another process commits: the new account's key works on every
        # thread's next request.
        other = s.create_account("kept-other")
        for c in readers:
            self.assertEqual(self.names_on(c, creds=other), [])

    def test_wal_starts_over_while_reads_are_kept(self):
        s = self.server
        self.kept_readers()
        writer = s.keep_alive()
        self.addCleanup(writer.close)
        peak = 0
        for i in range(300):
            name = "wal-%d" % (i % 7)
            self.ok(s.raw([("Action", "CreateLoadBalancer"),
                           ("Version", "2012-06-01")] + create_params(name),
                          conn=writer))
            self.ok(s.raw([("Action", "DeleteLoadBalancer"),
                           ("Version", "2012-06-01"),
                           ("LoadBalancerName", name)], conn=writer))
            peak = max(peak, self.wal_index()[0])
        # A checkpoint at 1,000 frames, and the next commit starts the WAL
        # over; a read pinned at an old snapshot would stop both, and these
        # 600 commits would take it past 6,000 frames (the file does not
        # shrink: frames in use are the measure).
        self.assertLess(peak, 1500)

    def wal_index(self):
        """mxFrame and nBackfill from the -shm file (native u32 at 16 and
        96: sqlite.org/walformat.html, the WAL-index header)."""
        with open(self.server.db + "-shm", "rb") as f:
            head = f.read(100)
        return (struct.unpack_from("=I", head, 16)[0],
                struct.unpack_from("=I", head, 96)[0])

    def test_another_process_commit_is_checkpointed_when_idle(self):
        s = self.server
        self.kept_readers()
        # Another process writes ~1,500 pages in one transaction; its own
        # checkpoint stops at the snapshots this server keeps.
        con = sqlite3.connect(s.db, timeout=30, isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        con.executemany(
            "INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)",
            [("%012d" % (900000000000 + i), "bulk-%d-%s" % (i, "x" * 3000),
              "2026-01-01T00:00:00.000Z") for i in range(1500)])
        con.execute("COMMIT")
        con.close()
        frames, _ = self.wal_index()
        self.assertGreater(frames, 1000)
        # The idle writer thread ends the stale reads and checkpoints
        # within about a second.
        deadline = time.monotonic() + 5
        while self.wal_index()[1] < frames and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.wal_index()[1], frames)


class ListsBitsTest(ApiCliCase):
    """load_balancers.lists (schema/0010) says which lists have rows, so
    that describes skip the others; every ServerTestCase checks the bits
    after each test, this one the values and the migration that sets them
    for load balancers made before it."""

    def lists(self):
        return dict(self.server.read_db(
            "SELECT name, lists FROM load_balancers"))

    @staticmethod
    def public_key():
        """A fresh EC public key: the body of its PEM on one line."""
        key = subprocess.run(["openssl", "genpkey", "-algorithm", "EC",
                              "-pkeyopt", "ec_paramgen_curve:P-256"],
                             capture_output=True, check=True).stdout
        pem = subprocess.run(["openssl", "pkey", "-pubout"], input=key,
                             capture_output=True, check=True).stdout
        return "".join(l for l in pem.decode().splitlines()
                       if l and not l.startswith("-----"))

    def test_bits_follow_the_rows_and_the_migration_sets_them(self):
        s = self.server
        self.create_lb("bits-zoned", listeners=[{
            "Protocol": "TCP", "LoadBalancerPort": 443,
            "InstancePort": 8443, "InstanceProtocol": "SSL"}])
        self.create_lb("bits-vpc", subnets=["subnet-1a2b3c4d"],
                       groups=["sg-12345678"])
        self.drop_lb_after("bits-zoned", "bits-vpc")
        self.register("bits-zoned", "i-12345678")
        self.ok(s.call("CreateLoadBalancerPolicy", policy_params(
            "bits-zoned", "bits-key", "PublicKeyPolicyType",
            ("PublicKey", self.public_key()))))
        self.ok(s.call("CreateLoadBalancerPolicy", policy_params(
            "bits-zoned", "bits-auth", "BackendServerAuthenticationPolicyType",
            ("PublicKeyPolicyName", "bits-key"))))
        self.ok(s.call("SetLoadBalancerPoliciesForBackendServer", [
            ("LoadBalancerName", "bits-zoned"), ("InstancePort", "8443"),
            ("PolicyNames.member.1", "bits-auth")]))
        # zones 1, subnets 2, groups 4, listeners 8, policies 16,
        # backend-port policies 32, instances 64
        self.assertEqual(self.lists(), {"bits-zoned": 121, "bits-vpc": 14})
        self.ok(s.call("DeregisterInstancesFromLoadBalancer", [
            ("LoadBalancerName", "bits-zoned")] +
            instance_params(["i-12345678"])))
        self.ok(s.call("SetLoadBalancerPoliciesForBackendServer", [
            ("LoadBalancerName", "bits-zoned"), ("InstancePort", "8443"),
            ("PolicyNames", "")]))
        self.assertEqual(self.lists()["bits-zoned"], 1 | 8 | 16)
        self.register("bits-zoned", "i-12345678")
        before = s.snapshot()

        # The database as schema 0009 left it, then eulbd migrates it
        # (and renders the descriptions with its next write).
        s.stop()
        con = sqlite3.connect(s.db)
        for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND "
                "(name LIKE 'lists\\_%' ESCAPE '\\' OR name LIKE "
                "'described\\_%' ESCAPE '\\')").fetchall():
            con.execute('DROP TRIGGER "%s"' % name)
        # and what schema 0011 added on top
        for column in ("lists", "described", "described_bound"):
            con.execute("ALTER TABLE load_balancers DROP COLUMN " + column)
        con.execute("PRAGMA user_version = 9")
        con.commit()
        con.close()
        s.start()
        self.assertEqual(self.lists(), {"bits-zoned": 1 | 8 | 16 | 64,
                                        "bits-vpc": 14})
        self.assertEqual(s.snapshot(), before)


if __name__ == "__main__":
    unittest.main()
