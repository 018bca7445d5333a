"""Listeners and health checks: add, re-add, conflict, delete;
ports, protocol families and certificates.

One server per TestCase class. Run from this folder:
    EULB_BIN_DIR=<build>/bin python3 -m unittest -v test_listeners
"""

import unittest

from eulbtest import http_listener
from lbcase import (L_HTTP, LbAwsCliCase, LbBadInputCase, LbCliCase,
                    create_params)


class CliTest(LbCliCase):
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


class AwsCliTest(LbAwsCliCase):
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


class BadInputTest(LbBadInputCase):
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


if __name__ == "__main__":
    unittest.main()
