"""The rest of the ELB API and its eulb-* tools: instances and their health,
zones, subnets and security groups, attributes, tags and account limits.
The real eulbd, driven by the real eulb-* tools, by Debian's awscli and by
hand-signed HTTP requests; botocore's ELB model and the euca2ools reference
drive the catalogue checks.

Instances and subnets come from eulbd's inventory (`eulbd instance add`,
`eulbd subnet add`), which stands in for EC2. One server per TestCase
class. Run from this folder:
    EULB_BIN_DIR=<build>/bin python3 -m unittest -v test_api
"""

import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import contextlib  # noqa: E402
import glob  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import unittest  # noqa: E402

from eulbtest import (RUN_TIMEOUT, ServerTestCase, bin_path,  # noqa: E402
                      members,
                      check_sanitizers, clean_env, http_listener,
                      listener_params, parse_error, parse_xml, split_fields,
                      without_request_id)

BOTOCORE_DATA = "/usr/lib/python3/dist-packages/botocore/data"
ELB_MODEL = os.path.join(BOTOCORE_DATA, "elb", "2012-06-01", "service-2.json")

NEW_STATE = ("OutOfService", "ELB",
             "Instance registration is still in progress.")

# The inventory every class gets (admin account).
# id -> (address, zone or None)
INSTANCES = {
    "i-12345678": ("10.0.0.1", "one"),
    "i-87654321": ("10.0.0.2", "two"),
    "i-0123456789abcdef0": ("10.0.0.3", "one"),
    "i-abcdef01": ("10.0.0.4", None),
    "i-33333333": ("10.0.0.5", "three"),
    "i-44444444": ("10.0.0.6", "one"),
}
# id -> (zone, VPC)
SUBNETS = {
    "subnet-1a2b3c4d": ("one", "vpc-11111111"),
    "subnet-2a2b3c4d": ("two", "vpc-11111111"),
    "subnet-3a2b3c4d": ("three", "vpc-11111111"),
    "subnet-4a2b3c4d": ("one", "vpc-11111111"),   # a 2nd subnet in "one"
    "subnet-5a2b3c4d": ("two", "vpc-22222222"),   # another VPC
}

# DescribeLoadBalancerAttributes of a new load balancer, flattened.
DEFAULT_ATTRS = {
    "CrossZoneLoadBalancing.Enabled": "false",
    "AccessLog.Enabled": "false",
    "ConnectionDraining.Enabled": "false",
    "ConnectionDraining.Timeout": "300",
    "ConnectionSettings.IdleTimeout": "60",
    "AdditionalAttributes.elb.http.desyncmitigationmode": "defensive",
}
# The eulb-describe-lb-attributes lines of the fixed attributes, sorted.
DEFAULT_ATTR_LINES = [
    "AccessLog.Enabled\tfalse",
    "ConnectionDraining.Enabled\tfalse",
    "ConnectionDraining.Timeout\t300",
    "ConnectionSettings.IdleTimeout\t60",
    "CrossZoneLoadBalancing.Enabled\tfalse",
]
DEFAULT_ATTRS_JSON = {
    "CrossZoneLoadBalancing": {"Enabled": False},
    "AccessLog": {"Enabled": False},  # AWS: EmitInterval once configured
    "ConnectionDraining": {"Enabled": False, "Timeout": 300},
    "ConnectionSettings": {"IdleTimeout": 60},
    "AdditionalAttributes": [{"Key": "elb.http.desyncmitigationmode",
                              "Value": "defensive"}],
}

# euca2ools-cli.md section 2.1: the options every command has. (--debugger
# starts Python's pdb in euca2ools; it is accepted but hidden here.)
COMMON_OPTIONS = ["-U", "--url", "--region", "-I", "--access-key-id", "-S",
                  "--secret-key", "--security-token", "--debug", "--version",
                  "-h", "--help"]
SHOW_EMPTY = ["--show-empty-fields"]
# euca2ools-cli.md sections 1.3, 2.4, 3.1, 4 and 5: each of the 28 commands
# with the options the reference lists for it (hidden ones such as
# delete-lb's --force left out), and the Action it sends.
COMMANDS = {
    "apply-security-groups-to-lb": (
        "ApplySecurityGroupsToLoadBalancer",
        ["-g", "--security-groups"] + SHOW_EMPTY),
    "attach-lb-to-subnets": (
        "AttachLoadBalancerToSubnets", ["-s", "--subnets"] + SHOW_EMPTY),
    "configure-healthcheck": (
        "ConfigureHealthCheck",
        ["--healthy-threshold", "--unhealthy-threshold", "--interval",
         "--timeout", "-t", "--target"] + SHOW_EMPTY),
    "create-app-cookie-stickiness-policy": (
        "CreateAppCookieStickinessPolicy",
        ["-c", "--cookie-name", "-p", "--policy-name"]),
    "create-lb": (
        "CreateLoadBalancer",
        ["-l", "--listener", "-z", "--availability-zones", "-s", "--subnets",
         "-i", "--scheme", "-g", "--security-groups", "-t", "--tag"]
        + SHOW_EMPTY),
    "create-lb-cookie-stickiness-policy": (
        "CreateLBCookieStickinessPolicy",
        ["-e", "--expiration-period", "-p", "--policy-name"]),
    "create-lb-listeners": (
        "CreateLoadBalancerListeners", ["-l", "--listener"]),
    "create-lb-policy": (
        "CreateLoadBalancerPolicy",
        ["-n", "--policy-name", "-t", "--policy-type", "-a", "--attribute",
         "-A", "--attributes", "--attributes-from-file"]),
    "create-tags": ("AddTags", ["-t", "--tag"]),
    "delete-lb": ("DeleteLoadBalancer", []),
    "delete-lb-listeners": (
        "DeleteLoadBalancerListeners", ["-l", "--lb-ports"]),
    "delete-lb-policy": ("DeleteLoadBalancerPolicy", ["-p", "--policy-name"]),
    "delete-tags": ("RemoveTags", ["-t", "--tag"]),
    "deregister-instances-from-lb": (
        "DeregisterInstancesFromLoadBalancer", ["--instances"] + SHOW_EMPTY),
    "describe-instance-health": (
        "DescribeInstanceHealth",
        ["--instances", "--show-long"] + SHOW_EMPTY),
    "describe-lb-attributes": ("DescribeLoadBalancerAttributes", SHOW_EMPTY),
    "describe-lb-policies": (
        "DescribeLoadBalancerPolicies",
        ["-p", "--policy-names", "--show-long"] + SHOW_EMPTY),
    "describe-lb-policy-types": (
        "DescribeLoadBalancerPolicyTypes", ["--show-long"] + SHOW_EMPTY),
    "describe-lbs": ("DescribeLoadBalancers", ["--show-long"] + SHOW_EMPTY),
    "describe-tags": ("DescribeTags", ["--show-headers"] + SHOW_EMPTY),
    "detach-lb-from-subnets": (
        "DetachLoadBalancerFromSubnets", ["-s", "--subnets"] + SHOW_EMPTY),
    "disable-zones-for-lb": (
        "DisableAvailabilityZonesForLoadBalancer",
        ["-z", "--availability-zones"] + SHOW_EMPTY),
    "enable-zones-for-lb": (
        "EnableAvailabilityZonesForLoadBalancer",
        ["-z", "--availability-zones"] + SHOW_EMPTY),
    "modify-lb-attributes": ("ModifyLoadBalancerAttributes", []),
    "register-instances-with-lb": (
        "RegisterInstancesWithLoadBalancer", ["--instances"] + SHOW_EMPTY),
    "set-lb-listener-ssl-cert": (
        "SetLoadBalancerListenerSSLCertificate",
        ["-l", "--lb-port", "-c", "--cert-id"]),
    "set-lb-policies-for-backend-server": (
        "SetLoadBalancerPoliciesForBackendServer",
        ["-i", "--instance-port", "-p", "--policy-names"]),
    "set-lb-policies-of-listener": (
        "SetLoadBalancerPoliciesOfListener",
        ["-l", "--lb-port", "-p", "--policy-names"]),
}


def run_eulbd(server, *args):
    """`eulbd ARGS --db <the server's database>` (account, instance and
    subnet commands, which may run beside the server); returns stdout."""
    r = subprocess.run([bin_path("eulbd")] + [str(a) for a in args] +
                       ["--db", server.db], capture_output=True,
                       timeout=RUN_TIMEOUT, cwd=server.dir,
                       env=clean_env(server.home), stdin=subprocess.DEVNULL)
    out = r.stdout.decode("utf-8", "replace")
    err = r.stderr.decode("utf-8", "replace")
    check_sanitizers("eulbd " + " ".join(map(str, args)), err)
    if r.returncode != 0:
        raise AssertionError("eulbd %s: exit %d\n%s%s"
                             % (" ".join(map(str, args)), r.returncode,
                                out, err))
    return out


def add_inventory(server, account="admin"):
    for iid, (address, zone) in INSTANCES.items():
        run_eulbd(server, "instance", "add", account, iid, address,
                  *([zone] if zone else []))
    for sid, (zone, vpc) in SUBNETS.items():
        run_eulbd(server, "subnet", "add", account, sid, zone, vpc)



def instance_params(ids):
    return [("Instances.member.%d.InstanceId" % i, v)
            for i, v in enumerate(ids, 1)]


def tag_params(*pairs, key_only=False):
    out = []
    for i, pair in enumerate(pairs, 1):
        k, v = (pair, None) if key_only else pair
        out.append(("Tags.member.%d.Key" % i, k))
        if v is not None:
            out.append(("Tags.member.%d.Value" % i, v))
    return out


def attr_params(**attrs):
    """ModifyLoadBalancerAttributes parameters; keyword names use __ for
    dots: ConnectionDraining__Enabled="true"."""
    return [("LoadBalancerAttributes." + k.replace("__", "."), v)
            for k, v in attrs.items()]


def cli_lines(out):
    """stdout split into lines; asserts it ends with a newline if any."""
    if out and not out.endswith("\n"):
        raise AssertionError("output does not end with a newline: %r" % out)
    return out.splitlines()


class ApiTestCase(ServerTestCase):
    """Inventory, shorthands and state readers shared by the classes."""

    @classmethod
    def setUpServer(cls):
        cls.acct = cls.server.admin.account_id
        add_inventory(cls.server)

    # -- requests that must succeed (usable from setUpServer too)

    @classmethod
    def ok(cls, resp):
        status, _, body = resp
        if status != 200:
            raise AssertionError("expected 200, got %d: %r"
                                 % (status, body[:1000]))
        return body

    @classmethod
    def create_lb(cls, name, zones=("one",), subnets=None, groups=None,
                  tags=(), creds=None, listeners=None):
        p = [("LoadBalancerName", name)]
        p += listener_params(*(listeners or [http_listener()]))
        if subnets is not None:
            p += members("Subnets", subnets)
        else:
            p += members("AvailabilityZones", zones)
        if groups:
            p += members("SecurityGroups", groups)
        p += tag_params(*tags)
        return cls.ok(cls.server.call("CreateLoadBalancer", p, creds=creds))

    @classmethod
    def register(cls, name, *ids):
        return cls.ok(cls.server.call(
            "RegisterInstancesWithLoadBalancer",
            [("LoadBalancerName", name)] + instance_params(ids)))

    @classmethod
    def add_tags(cls, name, *pairs):
        return cls.ok(cls.server.call(
            "AddTags", [("LoadBalancerNames.member.1", name)] +
            tag_params(*pairs)))

    # -- state readers (raw requests)

    def lb_xml(self, name, creds=None):
        body = self.ok(self.server.describe(name, creds=creds))
        found = parse_xml(body).findall(".//LoadBalancerDescriptions/member")
        self.assertEqual(len(found), 1, body)
        return found[0]

    def lb_list(self, name, element, creds=None):
        """The texts of <element><member> of DescribeLoadBalancers."""
        return [m.text or "" for m in
                self.lb_xml(name, creds).findall(element + "/member")]

    def registered(self, name):
        return [m.findtext("InstanceId") for m in
                self.lb_xml(name).findall("Instances/member")]

    def attributes(self, name):
        """{dotted path: text} of DescribeLoadBalancerAttributes, with
        AdditionalAttributes as AdditionalAttributes.<Key>."""
        body = self.ok(self.server.call("DescribeLoadBalancerAttributes",
                                        [("LoadBalancerName", name)]))
        root = parse_xml(body).find(".//LoadBalancerAttributes")
        self.assertIsNotNone(root, body)
        return flatten_attributes(root)

    def tags(self, *names):
        """{lb name: [(key, value), ...]} from DescribeTags."""
        body = self.ok(self.server.call(
            "DescribeTags", members("LoadBalancerNames", names)))
        out = {}
        for d in parse_xml(body).findall(".//TagDescriptions/member"):
            out[d.findtext("LoadBalancerName")] = sorted(
                (t.findtext("Key"), t.findtext("Value") or "")
                for t in d.findall("Tags/member"))
        return out

    def health(self, name, *ids):
        body = self.ok(self.server.call(
            "DescribeInstanceHealth",
            [("LoadBalancerName", name)] + instance_params(ids)))
        return sorted((m.findtext("InstanceId"), m.findtext("State"),
                       m.findtext("ReasonCode"), m.findtext("Description"))
                      for m in parse_xml(body).findall(
                          ".//InstanceStates/member"))

    # -- the CLI

    def cli_ok(self, *args, out=None):
        """Runs an eulb command that must succeed with nothing on stderr;
        returns its stdout lines (asserting them if out is given)."""
        rc, stdout, stderr = self.server.cli(*args)
        self.assertEqual((rc, stderr), (0, ""), "eulb-%s printed %r"
                         % (args[0], stdout))
        lines = cli_lines(stdout)
        if out is not None:
            self.assertEqual(lines, out)
        return lines

    def cli_fails(self, code, *args):
        """Runs an eulb command the server must refuse with code: exit 1,
        nothing on stdout, `eulb-CMD: error (Code): Message` on stderr."""
        rc, out, err = self.server.cli(*args)
        self.assertEqual((rc, out), (1, ""), err)
        prefix = "eulb-%s: error (%s): " % (args[0], code)
        self.assertTrue(err.startswith(prefix), "%r does not start with %r"
                        % (err, prefix))
        self.assertGreater(len(err.strip()), len(prefix.strip()), err)
        return err

    def long_fields(self, name):
        """The 19 fields of `eulb-describe-lbs --show-long NAME`."""
        lines = self.cli_ok("describe-lbs", "--show-long", name)
        self.assertEqual(len(lines), 1, lines)
        f = split_fields(lines[0])
        self.assertEqual(len(f), 19, f)
        self.assertEqual(f[1], name)
        return f

    # -- refusals

    def refused(self, status, code, action, params, message_part=None):
        return self.assertError(self.server.call(action, params), status,
                                code, message_part)

    @contextlib.contextmanager
    def assertNothingChanges(self, *names, accounts=()):
        """assertUnchanged, and the attributes, tags and instance health
        of each named load balancer (which DescribeLoadBalancers does not
        show) the same afterwards."""
        def extra():
            out = []
            for n in names:
                for action, key in (("DescribeLoadBalancerAttributes",
                                     "LoadBalancerName"),
                                    ("DescribeTags",
                                     "LoadBalancerNames.member.1"),
                                    ("DescribeInstanceHealth",
                                     "LoadBalancerName")):
                    body = self.ok(self.server.call(action, [(key, n)]))
                    out.append(without_request_id(body).decode())
            return out
        before = extra()
        with self.assertUnchanged(*accounts):
            yield
        self.assertEqual(before, extra(),
                         "attributes, tags or instance health changed")


def flatten_attributes(el, prefix=""):
    out = {}
    for child in el:
        path = prefix + child.tag
        if child.tag == "AdditionalAttributes":
            for m in child.findall("member"):
                out["AdditionalAttributes." + (m.findtext("Key") or "")] = \
                    m.findtext("Value") or ""
        elif len(child):
            out.update(flatten_attributes(child, path + "."))
        else:
            out[path] = child.text or ""
    return out


# ---------------------------------------------------------------------------
class CliTest(ApiTestCase):
    """One test per eulb command of this part: its output lines and exit
    codes (euca2ools-cli.md sections 4.10, 4.11 and 5), then the state the
    server keeps, seen through a describe call."""

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

    def drop_lb_after(self, *names):
        """This class shares one account and its 20-LB quota."""
        for n in names:
            self.addCleanup(self.server.call, "DeleteLoadBalancer",
                            [("LoadBalancerName", n)])

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

    def test_create_tags(self):
        self.create_lb("c-tag")
        self.cli_ok("create-tags", "-t", "env=prod", "--tag", "flag",
                    "c-tag", out=[])
        self.assertEqual(self.tags("c-tag"),
                         {"c-tag": [("env", "prod"), ("flag", "")]})
        # An existing key gets the new value.
        self.cli_ok("create-tags", "-t", "env=dev", "c-tag", out=[])
        self.assertEqual(self.tags("c-tag"),
                         {"c-tag": [("env", "dev"), ("flag", "")]})
        # Every character the model's pattern allows, spaces included.
        self.cli_ok("create-tags", "-t", "a b_.:/+-@=x y_.:/=+-@", "c-tag",
                    out=[])
        self.assertEqual(self.tags("c-tag"),
                         {"c-tag": [("a b_.:/+-@", "x y_.:/=+-@"),
                                    ("env", "dev"), ("flag", "")]})
        self.server.call("RemoveTags", [("LoadBalancerNames.member.1",
                                         "c-tag")] +
                         tag_params("a b_.:/+-@", key_only=True))
        self.cli_fails("ValidationError", "create-tags", "-t", "aws:x=1",
                       "c-tag")
        self.cli_fails("LoadBalancerNotFound", "create-tags", "-t", "a=b",
                       "c-tag-nowhere")
        self.assertEqual(self.tags("c-tag"),
                         {"c-tag": [("env", "dev"), ("flag", "")]})

    def test_delete_tags(self):
        self.create_lb("c-untag", tags=[("env", "prod"), ("team", "web"),
                                        ("owner", "me")])
        self.cli_ok("delete-tags", "-t", "env", "c-untag", out=[])
        self.assertEqual(self.tags("c-untag"),
                         {"c-untag": [("owner", "me"), ("team", "web")]})
        self.cli_ok("delete-tags", "-t", "team", "--tag", "owner", "c-untag",
                    out=[])
        self.assertEqual(self.tags("c-untag"), {"c-untag": []})

    def test_describe_tags(self):
        self.create_lb("c-dtag-a", tags=[("env", "prod")])
        self.create_lb("c-dtag-b", tags=[("empty", "")])
        self.cli_ok("describe-tags", "c-dtag-a",
                    out=["TAG\tload-balancer\tc-dtag-a\tenv\tprod"])
        lines = self.cli_ok("describe-tags", "c-dtag-a", "c-dtag-b")
        self.assertEqual(sorted(lines), [
            "TAG\tload-balancer\tc-dtag-a\tenv\tprod",
            "TAG\tload-balancer\tc-dtag-b\tempty\t"])
        lines = self.cli_ok("describe-tags", "--show-headers",
                            "--show-empty-fields", "c-dtag-b", "c-dtag-a")
        self.assertEqual(lines[0], "TAG\tTYPE\tNAME\tKEY\tVALUE")
        self.assertEqual(sorted(lines[1:]), [
            "TAG\tload-balancer\tc-dtag-a\tenv\tprod",
            "TAG\tload-balancer\tc-dtag-b\tempty\t(nil)"])
        self.cli_fails("LoadBalancerNotFound", "describe-tags", "c-dtag-a",
                       "c-dtag-nowhere")

    def test_create_lb_with_tags(self):
        # CreateLoadBalancer takes tags too (eulb-create-lb -t).
        rc, out, err = self.server.cli(
            "create-lb", "-l", "protocol=HTTP,lb-port=80,instance-port=8080",
            "-z", "one", "-t", "env=prod", "-t", "flag", "c-create-tags")
        self.assertEqual((rc, err), (0, ""), out)
        self.assertEqual(self.tags("c-create-tags"),
                         {"c-create-tags": [("env", "prod"), ("flag", "")]})


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


# ---------------------------------------------------------------------------
class AwsCliTest(ApiTestCase):
    """The same operations through Debian's awscli, asserting its JSON."""

    def aws_ok(self, *args):
        rc, doc, err = self.server.aws(*args)
        self.assertEqual(rc, 0, err)
        return doc

    def aws_fails(self, code, *args):
        rc, doc, err = self.server.aws(*args)
        self.assertNotEqual(rc, 0, doc)
        self.assertIn("(%s)" % code, err)

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

    def test_tags(self):
        self.create_lb("a-tags")
        self.create_lb("a-tags-2", tags=[("team", "web")])
        doc = self.aws_ok("add-tags", "--load-balancer-names", "a-tags",
                          "--tags", "Key=env,Value=prod", "Key=tier,Value=")
        self.assertIsNone(doc)  # AddTags answers an empty result
        doc = self.aws_ok("describe-tags", "--load-balancer-names", "a-tags",
                          "a-tags-2")
        got = {d["LoadBalancerName"]: sorted(d["Tags"],
                                             key=lambda t: t["Key"])
               for d in doc["TagDescriptions"]}
        self.assertEqual(got, {
            "a-tags": [{"Key": "env", "Value": "prod"},
                       {"Key": "tier", "Value": ""}],
            "a-tags-2": [{"Key": "team", "Value": "web"}]})
        self.assertEqual(len(doc["TagDescriptions"]), 2)
        # A one-member structure list takes the bare key in shorthand.
        self.aws_ok("remove-tags", "--load-balancer-names", "a-tags",
                    "--tags", "env")
        doc = self.aws_ok("describe-tags", "--load-balancer-names", "a-tags")
        self.assertEqual(doc, {"TagDescriptions": [{
            "LoadBalancerName": "a-tags",
            "Tags": [{"Key": "tier", "Value": ""}]}]})
        self.aws_fails("DuplicateTagKeys", "add-tags",
                       "--load-balancer-names", "a-tags", "--tags",
                       "Key=k,Value=1", "Key=k,Value=2")

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


# ---------------------------------------------------------------------------
def elb_model_path():
    if os.path.exists(ELB_MODEL):
        return ELB_MODEL
    found = sorted(glob.glob(os.path.join(BOTOCORE_DATA, "elb", "*",
                                          "service-2.json")))
    return found[-1] if found else None


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


# ---------------------------------------------------------------------------
class BadInputTest(ApiTestCase):
    """Refusals: the right error, and nothing changed."""

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

    def test_public_key_of_padding_only(self):
        """Found by fuzzing: base64 of only '=' underflowed a length."""
        for value in ("====", "========", "AA==A==="):
            with self.subTest(value=value):
                with self.assertUnchanged():
                    self.assertError(self.server.call(
                        "CreateLoadBalancerPolicy",
                        {"LoadBalancerName": "zoned", "PolicyName": "pk",
                         "PolicyTypeName": "PublicKeyPolicyType",
                         "PolicyAttributes.member.1.AttributeName":
                             "PublicKey",
                         "PolicyAttributes.member.1.AttributeValue": value}),
                        409, "InvalidConfigurationRequest", "PublicKey")

    @classmethod
    def setUpServer(cls):
        super().setUpServer()
        cls.create_lb("zoned", zones=("one", "two"))
        cls.register("zoned", "i-12345678")
        cls.create_lb("single")
        cls.create_lb("vpc", subnets=["subnet-1a2b3c4d"])
        cls.create_lb("tagged", tags=[("k%d" % i, "v") for i in range(10)])
        cls.ok(cls.server.call("ModifyLoadBalancerAttributes",
                               [("LoadBalancerName", "zoned")] + attr_params(
                                   ConnectionSettings__IdleTimeout="90")))

    # -- attributes

    def modify_refused(self, code, params, message_part=None):
        with self.assertNothingChanges("zoned"):
            self.refused(400, code, "ModifyLoadBalancerAttributes",
                         [("LoadBalancerName", "zoned")] + params,
                         message_part)

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

    def test_tag_length_bounds_accepted(self):
        self.create_lb("tag-bounds")
        self.add_tags("tag-bounds", ("k" * 128, "v" * 256))
        self.assertEqual(self.tags("tag-bounds"),
                         {"tag-bounds": [("k" * 128, "v" * 256)]})

    def test_group_without_enabled(self):
        self.modify_refused("MissingParameter", attr_params(
            ConnectionDraining__Timeout="60"))

    def test_no_attributes(self):
        self.modify_refused("MissingParameter", [])

    # -- tags

    def test_eleventh_tag(self):
        with self.assertNothingChanges("tagged"):
            self.refused(400, "TooManyTags", "AddTags",
                         [("LoadBalancerNames.member.1", "tagged")] +
                         tag_params(("k10", "v")))
        # An existing key only changes a value: still 10 tags.
        self.add_tags("tagged", ("k0", "new"))
        self.assertEqual(len(self.tags("tagged")["tagged"]), 10)

    def test_eleven_tags_at_create(self):
        with self.assertNothingChanges():
            self.refused(400, "TooManyTags", "CreateLoadBalancer",
                         [("LoadBalancerName", "too-many-tags")] +
                         listener_params(http_listener()) +
                         members("AvailabilityZones", ["one"]) +
                         tag_params(*[("k%d" % i, "") for i in range(11)]))

    def test_duplicate_tag_key(self):
        with self.assertNothingChanges("single"):
            self.refused(400, "DuplicateTagKeys", "AddTags",
                         [("LoadBalancerNames.member.1", "single")] +
                         tag_params(("env", "a"), ("team", "b"),
                                    ("env", "c")))

    def test_bad_tags(self):
        cases = [("aws:name", "x"), ("", "x"), ("k" * 129, "x"),
                 ("bad*key", "x"), ("ok", "bad#value"), ("ok", "v" * 257)]
        for key, value in cases:
            with self.subTest(key=key[:20], value=value[:20]):
                with self.assertNothingChanges("single"):
                    self.refused(400, "ValidationError", "AddTags",
                                 [("LoadBalancerNames.member.1", "single")] +
                                 tag_params(("fine", "1"), (key, value)))

    def test_tags_on_two_load_balancers(self):
        for action in ("AddTags", "RemoveTags"):
            with self.subTest(action=action), \
                    self.assertNothingChanges("single", "tagged"):
                self.refused(400, "ValidationError", action,
                             members("LoadBalancerNames",
                                     ["single", "tagged"]) +
                             tag_params(("k0", "v")))

    def test_describe_tags_names(self):
        self.refused(400, "LoadBalancerNotFound", "DescribeTags",
                     members("LoadBalancerNames", ["single", "nowhere"]))
        self.refused(400, "ValidationError", "DescribeTags",
                     members("LoadBalancerNames", ["single"] * 21))
        self.assertEqual(set(self.tags(*["single"] * 20)), {"single"})

    # -- instances

    def register_refused(self, status, code, ids, lb="zoned",
                         message_part=None):
        with self.assertNothingChanges(lb):
            self.refused(status, code, "RegisterInstancesWithLoadBalancer",
                         [("LoadBalancerName", lb)] + instance_params(ids),
                         message_part)

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

    def test_subnet_of_another_account(self):
        run_eulbd(self.server, "account", "create", "other-subnet")
        run_eulbd(self.server, "subnet", "add", "other-subnet",
                  "subnet-6a2b3c4d", "two", "vpc-11111111")
        with self.assertNothingChanges("vpc"):
            self.refused(400, "SubnetNotFound", "AttachLoadBalancerToSubnets",
                         [("LoadBalancerName", "vpc")] +
                         members("Subnets", ["subnet-6a2b3c4d"]))

    def test_health_of_unregistered_instance(self):
        self.refused(400, "InvalidInstance", "DescribeInstanceHealth",
                     [("LoadBalancerName", "zoned")] +
                     instance_params(["i-87654321"]))

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


class LimitsTest(ApiTestCase):
    """eulbd --max-load-balancers 2 --max-listeners 2
    --max-registered-instances 1: reported and enforced."""

    server_args = ("--max-load-balancers", "2", "--max-listeners", "2",
                   "--max-registered-instances", "1")

    @classmethod
    def setUpServer(cls):
        super().setUpServer()
        cls.create_lb("first")
        cls.create_lb("second")

    def test_limits_reported(self):
        body = self.ok(self.server.call("DescribeAccountLimits"))
        limits = [(m.findtext("Name"), m.findtext("Max")) for m in
                  parse_xml(body).findall(".//Limits/member")]
        self.assertEqual(limits, [("classic-load-balancers", "2"),
                                  ("classic-listeners", "2"),
                                  ("classic-registered-instances", "1")])

    def test_third_load_balancer(self):
        with self.assertNothingChanges():
            self.refused(400, "TooManyLoadBalancers", "CreateLoadBalancer",
                         [("LoadBalancerName", "third")] +
                         listener_params(http_listener()) +
                         members("AvailabilityZones", ["one"]))
        rc, out, err = self.server.cli(
            "create-lb", "-l", "protocol=HTTP,lb-port=80,instance-port=8080",
            "-z", "one", "third")
        self.assertEqual((rc, out), (1, ""), err)
        self.assertTrue(err.startswith(
            "eulb-create-lb: error (TooManyLoadBalancers): "), err)

    def test_listener_limit(self):
        self.ok(self.server.call(
            "CreateLoadBalancerListeners", [("LoadBalancerName", "first")] +
            listener_params(http_listener(81, 8081))))
        with self.assertNothingChanges("first"):
            self.refused(400, "ValidationError",
                         "CreateLoadBalancerListeners",
                         [("LoadBalancerName", "first")] +
                         listener_params(http_listener(82, 8082)))

    def test_registered_instance_limit(self):
        self.register("second", "i-12345678")
        with self.assertNothingChanges("second"):
            self.refused(400, "ValidationError",
                         "RegisterInstancesWithLoadBalancer",
                         [("LoadBalancerName", "second")] +
                         instance_params(["i-44444444"]))


if __name__ == "__main__":
    unittest.main()
