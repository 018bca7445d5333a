"""Load balancer attributes: describe, modify, bounds.

One server per TestCase class. Run from this folder:
    EULB_BIN_DIR=<build>/bin python3 -m unittest -v test_attributes
"""

import json
import unittest

from eulbtest import split_fields
from lbcase import (ApiAwsCliCase, ApiBadInputCase, ApiCliCase, DEFAULT_ATTRS,
                    DEFAULT_ATTRS_JSON, DEFAULT_ATTR_LINES, attr_params)


class CliTest(ApiCliCase):
    def test_describe_lb_attributes(self):
        self.create_lb("c-attrs")
        lines = self.cli_ok("describe-lb-attributes", "c-attrs")
        self.assertEqual(lines, sorted(lines), "lines are not sorted")
        for l in lines:
            self.assertEqual(len(split_fields(l)), 2, l)
        fixed = [l for l in lines if not l.startswith("AdditionalAttributes")]
        self.assertEqual(fixed, DEFAULT_ATTR_LINES)
        self.assertEqual(self.attributes("c-attrs"), DEFAULT_ATTRS)
        self.cli_fails("LoadBalancerNotFound", "describe-lb-attributes",
                       "c-attrs-nowhere")

    def test_access_log_shows_emit_interval_once_configured(self):
        self.create_lb("c-alog")
        self.drop_lb_after("c-alog")
        self.assertNotIn("AccessLog.EmitInterval", self.attributes("c-alog"))
        self.cli_ok("modify-lb-attributes", "c-alog",
                    "AccessLog.Enabled=true",
                    "AccessLog.S3BucketName=logs", out=[])
        got = self.attributes("c-alog")
        self.assertEqual((got["AccessLog.Enabled"],
                          got["AccessLog.EmitInterval"]), ("true", "60"))

    def test_modify_lb_attributes(self):
        self.create_lb("c-modify")
        self.cli_ok("modify-lb-attributes", "c-modify",
                    "ConnectionDraining.Enabled=true",
                    "ConnectionDraining.Timeout=60", out=[])
        want = dict(DEFAULT_ATTRS)
        want.update({"ConnectionDraining.Enabled": "true",
                     "ConnectionDraining.Timeout": "60"})
        self.assertEqual(self.attributes("c-modify"), want)
        self.cli_ok("modify-lb-attributes", "c-modify",
                    "CrossZoneLoadBalancing.Enabled=true",
                    "ConnectionSettings.IdleTimeout=3600", out=[])
        want.update({"CrossZoneLoadBalancing.Enabled": "true",
                     "ConnectionSettings.IdleTimeout": "3600"})
        self.assertEqual(self.attributes("c-modify"), want)
        lines = self.cli_ok("describe-lb-attributes", "c-modify")
        for line in ("ConnectionDraining.Enabled\ttrue",
                     "ConnectionDraining.Timeout\t60",
                     "ConnectionSettings.IdleTimeout\t3600",
                     "CrossZoneLoadBalancing.Enabled\ttrue",
                     "AccessLog.Enabled\tfalse"):
            self.assertIn(line, lines)
        # A value the server refuses, and a pair the tool refuses.
        self.cli_fails("ValidationError", "modify-lb-attributes", "c-modify",
                       "ConnectionSettings.IdleTimeout=0")
        rc, out, err = self.server.cli("modify-lb-attributes", "c-modify",
                                       "ConnectionDraining")
        self.assertEqual((rc, out), (2, ""), err)
        self.assertIn("invalid ATTR=VALUE pair: ConnectionDraining", err)
        self.assertEqual(self.attributes("c-modify"), want)


class AwsCliTest(ApiAwsCliCase):
    def test_attributes(self):
        self.create_lb("a-attrs")
        doc = self.aws_ok("describe-load-balancer-attributes",
                          "--load-balancer-name", "a-attrs")
        self.assertEqual(doc, {"LoadBalancerAttributes": DEFAULT_ATTRS_JSON})
        doc = self.aws_ok(
            "modify-load-balancer-attributes", "--load-balancer-name",
            "a-attrs", "--load-balancer-attributes", json.dumps({
                "ConnectionDraining": {"Enabled": True, "Timeout": 60},
                "ConnectionSettings": {"IdleTimeout": 120},
                "AdditionalAttributes": [
                    {"Key": "elb.http.desyncmitigationmode",
                     "Value": "strictest"}]}))
        want = json.loads(json.dumps(DEFAULT_ATTRS_JSON))
        want["ConnectionDraining"] = {"Enabled": True, "Timeout": 60}
        want["ConnectionSettings"] = {"IdleTimeout": 120}
        want["AdditionalAttributes"][0]["Value"] = "strictest"
        self.assertEqual(doc, {"LoadBalancerName": "a-attrs",
                               "LoadBalancerAttributes": want})
        doc = self.aws_ok("describe-load-balancer-attributes",
                          "--load-balancer-name", "a-attrs")
        self.assertEqual(doc, {"LoadBalancerAttributes": want})


class BadInputTest(ApiBadInputCase):
    def test_idle_timeout_zero(self):
        # A valid change in the same request is not kept either.
        self.modify_refused("ValidationError", attr_params(
            CrossZoneLoadBalancing__Enabled="true",
            ConnectionSettings__IdleTimeout="0"))

    def test_idle_timeout_3601(self):
        self.modify_refused("ValidationError", attr_params(
            ConnectionSettings__IdleTimeout="3601"))

    def test_idle_timeout_not_a_number(self):
        self.modify_refused("ValidationError", attr_params(
            ConnectionSettings__IdleTimeout="60s"))

    def test_emit_interval_10(self):
        self.modify_refused("ValidationError", attr_params(
            AccessLog__Enabled="false", AccessLog__EmitInterval="10"))

    def test_draining_timeout_out_of_range(self):
        for t in ("0", "3601"):
            with self.subTest(timeout=t):
                self.modify_refused("ValidationError", attr_params(
                    ConnectionDraining__Enabled="true",
                    ConnectionDraining__Timeout=t))

    def test_boolean_not_true_or_false(self):
        self.modify_refused("ValidationError", attr_params(
            CrossZoneLoadBalancing__Enabled="yes"))

    def test_unknown_attribute(self):
        self.modify_refused("LoadBalancerAttributeNotFound", attr_params(
            CrossZoneLoadBalancing__Enabled="true",
            ConnectionSettings__Color="blue"))

    def test_unknown_additional_attribute(self):
        self.modify_refused("LoadBalancerAttributeNotFound", [
            ("LoadBalancerAttributes.AdditionalAttributes.member.1.Key",
             "elb.nonsense"),
            ("LoadBalancerAttributes.AdditionalAttributes.member.1.Value",
             "1")])

    def test_additional_attribute_not_as_a_list(self):
        # AdditionalAttributes is a list of Key/Value members; anything
        # else under it is an attribute the server does not have.
        for key in ("AdditionalAttributes.elb.http.desyncmitigationmode",
                    "AdditionalAttributesX"):
            with self.subTest(key=key):
                self.modify_refused("LoadBalancerAttributeNotFound", [
                    ("LoadBalancerAttributes." + key, "monitor")])

    def test_desync_mode_value(self):
        self.modify_refused("ValidationError", [
            ("LoadBalancerAttributes.AdditionalAttributes.member.1.Key",
             "elb.http.desyncmitigationmode"),
            ("LoadBalancerAttributes.AdditionalAttributes.member.1.Value",
             "paranoid")])

    def test_attribute_bounds_accepted(self):
        self.create_lb("bounds")
        for params, want in (
                (attr_params(ConnectionSettings__IdleTimeout="1"),
                 {"ConnectionSettings.IdleTimeout": "1"}),
                (attr_params(ConnectionSettings__IdleTimeout="3600"),
                 {"ConnectionSettings.IdleTimeout": "3600"}),
                (attr_params(ConnectionDraining__Enabled="true",
                             ConnectionDraining__Timeout="1"),
                 {"ConnectionDraining.Enabled": "true",
                  "ConnectionDraining.Timeout": "1"}),
                (attr_params(ConnectionDraining__Enabled="false",
                             ConnectionDraining__Timeout="3600"),
                 {"ConnectionDraining.Enabled": "false",
                  "ConnectionDraining.Timeout": "3600"}),
                (attr_params(AccessLog__Enabled="false",
                             AccessLog__EmitInterval="5"),
                 {"AccessLog.Enabled": "false",
                  "AccessLog.EmitInterval": "5"})):
            with self.subTest(params=params):
                self.ok(self.server.call(
                    "ModifyLoadBalancerAttributes",
                    [("LoadBalancerName", "bounds")] + params))
                got = self.attributes("bounds")
                self.assertEqual({k: got.get(k) for k in want}, want)

    def test_group_without_enabled(self):
        self.modify_refused("MissingParameter", attr_params(
            ConnectionDraining__Timeout="60"))

    def test_no_attributes(self):
        self.modify_refused("MissingParameter", [])


if __name__ == "__main__":
    unittest.main()
