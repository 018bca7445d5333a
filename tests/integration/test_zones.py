"""Availability zones, subnets and security groups.

One server per TestCase class. Run from this folder:
    EULB_BIN_DIR=<build>/bin python3 -m unittest -v test_zones
"""

import unittest

from eulbtest import http_listener, listener_params, members
from lbcase import ApiAwsCliCase, ApiBadInputCase, ApiCliCase, run_eulbd


class CliTest(ApiCliCase):
    def test_enable_zones_for_lb(self):
        self.create_lb("c-enable", zones=("one",))
        self.cli_ok("enable-zones-for-lb", "-z", "two", "c-enable",
                    out=["AVAILABILITY_ZONES\tone, two"])
        # A zone already enabled is not added twice.
        self.cli_ok("enable-zones-for-lb", "--availability-zones", "two,one",
                    "c-enable", out=["AVAILABILITY_ZONES\tone, two"])
        self.assertEqual(self.long_fields("c-enable")[6], "one,two")
        self.assertEqual(sorted(self.lb_list("c-enable",
                                             "AvailabilityZones")),
                         ["one", "two"])
        # A VPC load balancer takes subnets, not zones.
        self.create_lb("c-enable-vpc", subnets=["subnet-1a2b3c4d"])
        self.cli_fails("InvalidConfigurationRequest", "enable-zones-for-lb",
                       "-z", "two", "c-enable-vpc")

    def test_disable_zones_for_lb(self):
        self.create_lb("c-disable", zones=("one", "two", "three"))
        self.cli_ok("disable-zones-for-lb", "-z", "two", "c-disable",
                    out=["AVAILABILITY_ZONES\tone, three"])
        self.assertEqual(self.long_fields("c-disable")[6], "one,three")
        # The last zones cannot go.
        self.cli_fails("InvalidConfigurationRequest", "disable-zones-for-lb",
                       "-z", "one,three", "c-disable")
        self.assertEqual(self.long_fields("c-disable")[6], "one,three")
        self.cli_ok("disable-zones-for-lb", "--availability-zones", "one",
                    "c-disable", out=["AVAILABILITY_ZONES\tthree"])
        self.assertEqual(self.lb_list("c-disable", "AvailabilityZones"),
                         ["three"])

    def test_attach_lb_to_subnets(self):
        self.create_lb("c-attach", subnets=["subnet-1a2b3c4d"])
        # Comma and space.
        self.cli_ok("attach-lb-to-subnets", "-s",
                    "subnet-2a2b3c4d,subnet-3a2b3c4d", "c-attach",
                    out=["SUBNETS\tsubnet-1a2b3c4d, subnet-2a2b3c4d, "
                         "subnet-3a2b3c4d"])
        f = self.long_fields("c-attach")
        self.assertEqual(f[7], "subnet-1a2b3c4d,subnet-2a2b3c4d,"
                               "subnet-3a2b3c4d")
        self.assertEqual(f[8], "vpc-11111111")
        self.assertEqual(self.lb_xml("c-attach").findtext("VPCId"),
                         "vpc-11111111")
        # A second subnet in zone "one".
        err = self.cli_fails("InvalidConfigurationRequest",
                             "attach-lb-to-subnets", "--subnets",
                             "subnet-4a2b3c4d", "c-attach")
        self.assertIn("ELB cannot be attached to multiple subnets in the "
                      "same AZ", err)
        # An attached subnet again changes nothing.
        self.cli_ok("attach-lb-to-subnets", "-s", "subnet-1a2b3c4d",
                    "c-attach",
                    out=["SUBNETS\tsubnet-1a2b3c4d, subnet-2a2b3c4d, "
                         "subnet-3a2b3c4d"])
        self.assertEqual(sorted(self.lb_list("c-attach", "Subnets")),
                         ["subnet-1a2b3c4d", "subnet-2a2b3c4d",
                          "subnet-3a2b3c4d"])
        # A load balancer in a VPC shows its subnets' zones, as AWS does.
        self.assertEqual(self.lb_list("c-attach", "AvailabilityZones"),
                         ["one", "two", "three"])

    def test_detach_lb_from_subnets(self):
        self.create_lb("c-detach", subnets=["subnet-1a2b3c4d",
                                            "subnet-2a2b3c4d",
                                            "subnet-3a2b3c4d"])
        # Comma only, unlike attach.
        self.cli_ok("detach-lb-from-subnets", "-s", "subnet-2a2b3c4d",
                    "c-detach",
                    out=["SUBNETS\tsubnet-1a2b3c4d,subnet-3a2b3c4d"])
        self.assertEqual(self.long_fields("c-detach")[7],
                         "subnet-1a2b3c4d,subnet-3a2b3c4d")
        self.cli_fails("InvalidConfigurationRequest",
                       "detach-lb-from-subnets", "--subnets",
                       "subnet-1a2b3c4d,subnet-3a2b3c4d", "c-detach")
        self.assertEqual(self.lb_list("c-detach", "Subnets"),
                         ["subnet-1a2b3c4d", "subnet-3a2b3c4d"])
        self.assertEqual(self.lb_list("c-detach", "AvailabilityZones"),
                         ["one", "three"])

    def test_apply_security_groups_to_lb(self):
        self.create_lb("c-groups", subnets=["subnet-1a2b3c4d"])
        self.cli_ok("apply-security-groups-to-lb", "-g",
                    "sg-12345678,sg-87654321", "c-groups",
                    out=["SECURITY_GROUPS\tsg-12345678, sg-87654321"])
        self.assertEqual(self.long_fields("c-groups")[16],
                         "{sg-12345678,sg-87654321}")
        # The call replaces the set.
        self.cli_ok("apply-security-groups-to-lb", "--security-groups",
                    "sg-0123456789abcdef0", "c-groups",
                    out=["SECURITY_GROUPS\tsg-0123456789abcdef0"])
        self.assertEqual(self.lb_list("c-groups", "SecurityGroups"),
                         ["sg-0123456789abcdef0"])
        # Not on a load balancer in zones.
        self.create_lb("c-groups-zone")
        self.cli_fails("InvalidConfigurationRequest",
                       "apply-security-groups-to-lb", "-g", "sg-12345678",
                       "c-groups-zone")
        self.assertEqual(self.long_fields("c-groups-zone")[16], "")


class AwsCliTest(ApiAwsCliCase):
    def test_zones_and_limits(self):
        self.create_lb("a-zones")
        doc = self.aws_ok("enable-availability-zones-for-load-balancer",
                          "--load-balancer-name", "a-zones",
                          "--availability-zones", "two")
        self.assertEqual(doc, {"AvailabilityZones": ["one", "two"]})
        doc = self.aws_ok("disable-availability-zones-for-load-balancer",
                          "--load-balancer-name", "a-zones",
                          "--availability-zones", "one")
        self.assertEqual(doc, {"AvailabilityZones": ["two"]})
        doc = self.aws_ok("describe-account-limits")
        self.assertEqual(doc, {"Limits": [
            {"Name": "classic-load-balancers", "Max": "20"},
            {"Name": "classic-listeners", "Max": "100"},
            {"Name": "classic-registered-instances", "Max": "1000"}]})


class BadInputTest(ApiBadInputCase):
    def test_subnet_of_another_account(self):
        run_eulbd(self.server, "account", "create", "other-subnet")
        run_eulbd(self.server, "subnet", "add", "other-subnet",
                  "subnet-6a2b3c4d", "two", "vpc-11111111")
        with self.assertNothingChanges("vpc"):
            self.refused(400, "SubnetNotFound", "AttachLoadBalancerToSubnets",
                         [("LoadBalancerName", "vpc")] +
                         members("Subnets", ["subnet-6a2b3c4d"]))

    # -- zones, subnets, security groups

    def test_disable_last_zone(self):
        with self.assertNothingChanges("single", "zoned"):
            self.refused(409, "InvalidConfigurationRequest",
                         "DisableAvailabilityZonesForLoadBalancer",
                         [("LoadBalancerName", "single")] +
                         members("AvailabilityZones", ["one"]))
            self.refused(409, "InvalidConfigurationRequest",
                         "DisableAvailabilityZonesForLoadBalancer",
                         [("LoadBalancerName", "zoned")] +
                         members("AvailabilityZones", ["one", "two"]))

    def test_zones_and_subnets_together(self):
        with self.assertNothingChanges("zoned", "vpc"):
            self.refused(400, "ValidationError", "CreateLoadBalancer",
                         [("LoadBalancerName", "both")] +
                         listener_params(http_listener()) +
                         members("AvailabilityZones", ["one"]) +
                         members("Subnets", ["subnet-1a2b3c4d"]))
            for action in ("EnableAvailabilityZonesForLoadBalancer",
                           "DisableAvailabilityZonesForLoadBalancer"):
                self.refused(409, "InvalidConfigurationRequest", action,
                             [("LoadBalancerName", "vpc")] +
                             members("AvailabilityZones", ["one"]))
            self.refused(409, "InvalidConfigurationRequest",
                         "AttachLoadBalancerToSubnets",
                         [("LoadBalancerName", "zoned")] +
                         members("Subnets", ["subnet-2a2b3c4d"]))
            self.refused(409, "InvalidConfigurationRequest",
                         "DetachLoadBalancerFromSubnets",
                         [("LoadBalancerName", "zoned")] +
                         members("Subnets", ["subnet-2a2b3c4d"]))

    def test_detach_last_subnet(self):
        with self.assertNothingChanges("vpc"):
            self.refused(409, "InvalidConfigurationRequest",
                         "DetachLoadBalancerFromSubnets",
                         [("LoadBalancerName", "vpc")] +
                         members("Subnets", ["subnet-1a2b3c4d"]))

    def test_subnets_of_two_vpcs(self):
        with self.assertNothingChanges("vpc"):
            self.refused(400, "InvalidSubnet", "AttachLoadBalancerToSubnets",
                         [("LoadBalancerName", "vpc")] +
                         members("Subnets", ["subnet-3a2b3c4d",
                                             "subnet-5a2b3c4d"]))
            self.refused(400, "InvalidSubnet", "CreateLoadBalancer",
                         [("LoadBalancerName", "two-vpcs")] +
                         listener_params(http_listener()) +
                         members("Subnets", ["subnet-1a2b3c4d",
                                             "subnet-5a2b3c4d"]))

    def test_two_subnets_in_one_zone(self):
        with self.assertNothingChanges("vpc"):
            self.refused(409, "InvalidConfigurationRequest",
                         "AttachLoadBalancerToSubnets",
                         [("LoadBalancerName", "vpc")] +
                         members("Subnets", ["subnet-2a2b3c4d",
                                             "subnet-4a2b3c4d"]),
                         "ELB cannot be attached to multiple subnets in "
                         "the same AZ")
            self.refused(409, "InvalidConfigurationRequest",
                         "CreateLoadBalancer",
                         [("LoadBalancerName", "one-zone")] +
                         listener_params(http_listener()) +
                         members("Subnets", ["subnet-1a2b3c4d",
                                             "subnet-4a2b3c4d"]),
                         "ELB cannot be attached to multiple subnets in "
                         "the same AZ")

    def test_unknown_subnet(self):
        with self.assertNothingChanges("vpc"):
            self.refused(400, "SubnetNotFound", "AttachLoadBalancerToSubnets",
                         [("LoadBalancerName", "vpc")] +
                         members("Subnets", ["subnet-2a2b3c4d",
                                             "subnet-99999999"]))

    def test_security_groups_on_zone_load_balancer(self):
        with self.assertNothingChanges("single"):
            self.refused(409, "InvalidConfigurationRequest",
                         "ApplySecurityGroupsToLoadBalancer",
                         [("LoadBalancerName", "single")] +
                         members("SecurityGroups", ["sg-12345678"]))
            self.refused(409, "InvalidConfigurationRequest",
                         "CreateLoadBalancer",
                         [("LoadBalancerName", "zone-groups")] +
                         listener_params(http_listener()) +
                         members("AvailabilityZones", ["one"]) +
                         members("SecurityGroups", ["sg-12345678"]))

    def test_bad_security_groups(self):
        for groups, code in (
                (["sg-12345678", "sg-1234567"], "InvalidSecurityGroup"),
                (["sg-1234567z"], "InvalidSecurityGroup"),
                (["default"], "InvalidSecurityGroup"),
                (["sg-%08x" % i for i in range(6)], "ValidationError")):
            with self.subTest(groups=groups), \
                    self.assertNothingChanges("vpc"):
                self.refused(400, code, "ApplySecurityGroupsToLoadBalancer",
                             [("LoadBalancerName", "vpc")] +
                             members("SecurityGroups", groups))


if __name__ == "__main__":
    unittest.main()
