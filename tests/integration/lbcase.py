"""Fixtures of the load-balancer suites (test_lb, test_listeners,
test_zones, test_instances, test_attributes, test_tags, test_wire,
test_accounts, test_limits): the inventory each server gets, request
builders, state readers and the CLI/awscli drivers, as base classes."""

import contextlib
import glob
import os
import subprocess

from eulbtest import (RUN_TIMEOUT, ServerTestCase, bin_path, check_sanitizers,
                      clean_env, http_listener, listener_params, members,
                      parse_xml, split_braces, split_fields,
                      without_request_id)

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
def elb_model_path():
    if os.path.exists(ELB_MODEL):
        return ELB_MODEL
    found = sorted(glob.glob(os.path.join(BOTOCORE_DATA, "elb", "*",
                                          "service-2.json")))
    return found[-1] if found else None


def key_body(pem):
    """The base64 lines of a PEM, joined: what a leak would contain."""
    return "".join(l for l in pem.splitlines() if not l.startswith("-----"))


class LbCliCase(ServerTestCase):
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


class LbAwsCliCase(ServerTestCase):
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


class LbBadInputCase(ServerTestCase):
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

    # -- authentication (each probe would create "fresh" if let through)

    def probe(self):
        return [("Action", "CreateLoadBalancer"),
                ("Version", "2012-06-01")] + create_params("fresh")


class ApiCliCase(ApiTestCase):
    """One test per eulb command of this part: its output lines and exit
    codes (euca2ools-cli.md sections 4.10, 4.11 and 5), then the state the
    server keeps, seen through a describe call."""

    def drop_lb_after(self, *names):
        """This class shares one account and its 20-LB quota."""
        for n in names:
            self.addCleanup(self.server.call, "DeleteLoadBalancer",
                            [("LoadBalancerName", n)])


class ApiAwsCliCase(ApiTestCase):
    """The same operations through Debian's awscli, asserting its JSON."""

    def aws_ok(self, *args):
        rc, doc, err = self.server.aws(*args)
        self.assertEqual(rc, 0, err)
        return doc

    def aws_fails(self, code, *args):
        rc, doc, err = self.server.aws(*args)
        self.assertNotEqual(rc, 0, doc)
        self.assertIn("(%s)" % code, err)


class ApiBadInputCase(ApiTestCase):
    """Refusals: the right error, and nothing changed."""

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

    # -- instances

    def register_refused(self, status, code, ids, lb="zoned",
                         message_part=None):
        with self.assertNothingChanges(lb):
            self.refused(status, code, "RegisterInstancesWithLoadBalancer",
                         [("LoadBalancerName", lb)] + instance_params(ids),
                         message_part)
