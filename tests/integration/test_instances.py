"""Instances: register, deregister, health, and the
inventory that stands in for EC2.

One server per TestCase class. Run from this folder:
    EULB_BIN_DIR=<build>/bin python3 -m unittest -v test_instances
"""

import unittest

from lbcase import (ApiAwsCliCase, ApiBadInputCase, ApiCliCase, NEW_STATE,
                    instance_params, run_eulbd)


class CliTest(ApiCliCase):
    def test_register_instances_with_lb(self):
        self.create_lb("c-reg", zones=("one", "two"))
        self.cli_ok("register-instances-with-lb", "--instances",
                    "i-12345678", "c-reg", out=["INSTANCE\ti-12345678"])
        # The output lists every registered instance, not just the new.
        # i-abcdef01 has no zone in the inventory: any load balancer
        # takes it.
        lines = self.cli_ok("register-instances-with-lb", "--instances",
                            "i-0123456789abcdef0,i-87654321,i-abcdef01",
                            "c-reg")
        everyone = ["INSTANCE\ti-0123456789abcdef0", "INSTANCE\ti-12345678",
                    "INSTANCE\ti-87654321", "INSTANCE\ti-abcdef01"]
        self.assertEqual(sorted(lines), everyone)
        # Registering again is a no-op.
        lines = self.cli_ok("register-instances-with-lb", "--instances",
                            "i-12345678", "c-reg")
        self.assertEqual(sorted(lines), everyone)
        ids = ["i-0123456789abcdef0", "i-12345678", "i-87654321",
               "i-abcdef01"]
        self.assertEqual(sorted(self.long_fields("c-reg")[9].split(",")),
                         ids)
        self.assertEqual(sorted(self.registered("c-reg")), ids)
        # An instance the account does not have.
        self.cli_fails("InvalidInstance", "register-instances-with-lb",
                       "--instances", "i-99999999", "c-reg")
        self.assertEqual(sorted(self.registered("c-reg")), ids)

    def test_deregister_instances_from_lb(self):
        self.create_lb("c-dereg")
        self.register("c-dereg", "i-12345678", "i-0123456789abcdef0")
        # Prints the instances still registered.
        self.cli_ok("deregister-instances-from-lb", "--instances",
                    "i-12345678", "c-dereg",
                    out=["INSTANCE\ti-0123456789abcdef0"])
        self.assertEqual(self.registered("c-dereg"), ["i-0123456789abcdef0"])
        self.assertEqual(self.long_fields("c-dereg")[9], "i-0123456789abcdef0")
        self.cli_ok("deregister-instances-from-lb", "--instances",
                    "i-0123456789abcdef0", "c-dereg", out=[])
        self.assertEqual(self.registered("c-dereg"), [])
        self.assertEqual(self.long_fields("c-dereg")[9], "")
        # Not registered (any more).
        self.cli_fails("InvalidInstance", "deregister-instances-from-lb",
                       "--instances", "i-12345678", "c-dereg")

    def test_describe_instance_health(self):
        self.create_lb("c-health")
        self.cli_ok("describe-instance-health", "c-health", out=[])
        self.register("c-health", "i-12345678", "i-0123456789abcdef0")
        lines = self.cli_ok("describe-instance-health", "c-health")
        self.assertEqual(sorted(lines), [
            "INSTANCE\ti-0123456789abcdef0\tOutOfService",
            "INSTANCE\ti-12345678\tOutOfService"])
        lines = self.cli_ok("describe-instance-health", "--show-long",
                            "c-health")
        self.assertEqual(sorted(lines), [
            "INSTANCE\ti-0123456789abcdef0\tOutOfService\t"
            "Instance registration is still in progress.\tELB",
            "INSTANCE\ti-12345678\tOutOfService\t"
            "Instance registration is still in progress.\tELB"])
        self.cli_ok("describe-instance-health", "--instances", "i-12345678",
                    "c-health", out=["INSTANCE\ti-12345678\tOutOfService"])
        self.cli_fails("InvalidInstance", "describe-instance-health",
                       "--instances", "i-87654321", "c-health")
        self.assertEqual(self.health("c-health", "i-12345678"),
                         [("i-12345678", NEW_STATE[0], NEW_STATE[1],
                           NEW_STATE[2])])


class AwsCliTest(ApiAwsCliCase):
    def test_instances(self):
        self.create_lb("a-inst", zones=("one", "two"))
        doc = self.aws_ok("register-instances-with-load-balancer",
                          "--load-balancer-name", "a-inst", "--instances",
                          "i-12345678", "i-87654321")
        self.assertEqual(sorted(doc["Instances"],
                                key=lambda i: i["InstanceId"]),
                         [{"InstanceId": "i-12345678"},
                          {"InstanceId": "i-87654321"}])
        doc = self.aws_ok("describe-instance-health", "--load-balancer-name",
                          "a-inst")
        self.assertEqual(sorted(doc["InstanceStates"],
                                key=lambda i: i["InstanceId"]), [
            {"InstanceId": iid, "State": "OutOfService", "ReasonCode": "ELB",
             "Description": "Instance registration is still in progress."}
            for iid in ("i-12345678", "i-87654321")])
        doc = self.aws_ok("deregister-instances-from-load-balancer",
                          "--load-balancer-name", "a-inst", "--instances",
                          "i-12345678")
        self.assertEqual(doc, {"Instances": [{"InstanceId": "i-87654321"}]})
        doc = self.aws_ok("describe-instance-health", "--load-balancer-name",
                          "a-inst", "--instances", "i-87654321")
        self.assertEqual([s["InstanceId"] for s in doc["InstanceStates"]],
                         ["i-87654321"])
        self.aws_fails("InvalidInstance", "describe-instance-health",
                       "--load-balancer-name", "a-inst", "--instances",
                       "i-12345678")


class BadInputTest(ApiBadInputCase):
    def test_unknown_instance(self):
        self.register_refused(400, "InvalidInstance",
                              ["i-87654321", "i-99999999"])

    def test_malformed_instance_ids(self):
        for bad in ("i-1234567", "i-123456789", "i-1234567g", "i-ABCDEF01",
                    "I-12345678", "12345678", "i-0123456789abcdef",
                    "i-12345678 "):
            with self.subTest(instance=bad):
                self.register_refused(400, "InvalidInstance",
                                      ["i-87654321", bad])

    def test_instance_zone_not_enabled(self):
        # i-33333333 is in zone "three"; zoned runs in one and two.
        self.register_refused(409, "InvalidConfigurationRequest",
                              ["i-87654321", "i-33333333"])

    def test_deregister_not_registered(self):
        with self.assertNothingChanges("zoned"):
            self.refused(400, "InvalidInstance",
                         "DeregisterInstancesFromLoadBalancer",
                         [("LoadBalancerName", "zoned")] +
                         instance_params(["i-12345678", "i-87654321"]))

    def test_instance_of_another_account(self):
        other = self.server.create_account("other-inst")
        run_eulbd(self.server, "instance", "add", "other-inst",
                  "i-55555555", "10.1.0.1", "one")
        self.register_refused(400, "InvalidInstance", ["i-55555555"])
        # Nor can the other account touch admin's load balancer.
        with self.assertNothingChanges("zoned", accounts=(other,)):
            self.assertError(self.server.call(
                "RegisterInstancesWithLoadBalancer",
                [("LoadBalancerName", "zoned")] +
                instance_params(["i-55555555"]), creds=other),
                400, "LoadBalancerNotFound")

    def test_health_of_unregistered_instance(self):
        self.refused(400, "InvalidInstance", "DescribeInstanceHealth",
                     [("LoadBalancerName", "zoned")] +
                     instance_params(["i-87654321"]))


if __name__ == "__main__":
    unittest.main()
