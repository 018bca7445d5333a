"""Fixtures of the policy and certificate suites (test_policies,
test_certificates): policy type names, the module's gen-certs directory
(import setUpModule and tearDownModule into the suite), PEM helpers and
PolicyTestCase, whose requests and readers the suites share."""

import subprocess

from eulbtest import (RUN_TIMEOUT, ModulePki, ServerTestCase, http_listener,
                      listener_params, parse_xml, policy_params)

PUBLIC_KEY = "PublicKeyPolicyType"
BACKEND_AUTH = "BackendServerAuthenticationPolicyType"
SSL_NEGOTIATION = "SSLNegotiationPolicyType"
APP_COOKIE = "AppCookieStickinessPolicyType"
LB_COOKIE = "LBCookieStickinessPolicyType"
PROXY_PROTOCOL = "ProxyProtocolPolicyType"
AWS_DEFAULT_SSL = "ELBSecurityPolicy-2016-08"
PREDEFINED = ["ELBSecurityPolicy-2016-08",
              "ELBSecurityPolicy-TLS-1-2-2017-01",
              "ELBSecurityPolicy-TLS-1-1-2017-01",
              "ELBSecurityPolicy-2015-05", "ELBSecurityPolicy-2015-03",
              "ELBSecurityPolicy-2015-02", "ELBSecurityPolicy-2014-10",
              "ELBSecurityPolicy-2014-01", "ELBSecurityPolicy-2011-08"]
# Eucalyptus's sample stickiness policies, listed first without a load
# balancer: (name, type, attribute, value).
SAMPLES = [("ELBSample-AppCookieStickinessPolicy", APP_COOKIE, "CookieName",
            "ELBSampleCookie"),
           ("ELBSample-LBCookieStickinessPolicy", LB_COOKIE,
            "CookieExpirationPeriod", "100")]
IN_USE = ("You cannot delete policy [%s] since it is enabled or referred "
          "by other enabled policy.")

PKI = ModulePki()  # the gen-certs directory, made by setUpModule


def setUpModule():
    PKI.make()


def tearDownModule():
    PKI.remove()


cert_path = PKI.path
read_cert = PKI.read


def shell_contents(name):
    """What bash's $(<file) gives: the contents without trailing newlines."""
    return read_cert(name).rstrip("\n")


def pem_base64(pem):
    """The base64 body of a one-block PEM, on one line."""
    lines = [l.strip() for l in pem.strip().splitlines()]
    return "".join(l for l in lines if l and not l.startswith("-----"))


def public_key_base64(crt_name):
    """`openssl x509 -pubkey -noout` with the BEGIN/END lines stripped, as
    the AWS walkthrough has it (joined on one line for the CLI)."""
    r = subprocess.run(["openssl", "x509", "-in", cert_path(crt_name),
                        "-pubkey", "-noout"], capture_output=True,
                       timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL)
    out = r.stdout.decode()
    if r.returncode != 0 or "BEGIN PUBLIC KEY" not in out:
        raise AssertionError("openssl x509 -pubkey: %s" % r.stderr.decode())
    return pem_base64(out)


def cert_arn(account, name, path="/"):
    return "arn:aws:iam::%s:server-certificate%s%s" % (account, path, name)


def names_params(key, names):
    if not names:
        return [(key, "")]  # how clients clear a list
    return [("%s.member.%d" % (key, i), n) for i, n in enumerate(names, 1)]


def https_listener(arn, lb_port=443, instance_port=8443,
                   instance_protocol="HTTPS"):
    return {"Protocol": "HTTPS", "LoadBalancerPort": lb_port,
            "InstanceProtocol": instance_protocol,
            "InstancePort": instance_port, "SSLCertificateId": arn}


def tcp_listener(lb_port=1025, instance_port=1025):
    return {"Protocol": "TCP", "LoadBalancerPort": lb_port,
            "InstanceProtocol": "TCP", "InstancePort": instance_port}


class PolicyTestCase(ServerTestCase):
    """Shorthands over raw() shared by the classes below."""

    @classmethod
    def setUpServer(cls):
        cls.acct = cls.server.admin.account_id

    # -- raw requests that must succeed (usable from setUpServer too)

    @classmethod
    def upload(cls, name, crt="backend.crt", key="backend.key", creds=None,
               path=None):
        p = [("ServerCertificateName", name),
             ("CertificateBody", read_cert(crt)),
             ("PrivateKey", read_cert(key))]
        if path:
            p.append(("Path", path))
        return cls.ok(cls.server.iam_call("UploadServerCertificate", p,
                                          creds=creds))

    @classmethod
    def create_lb(cls, name, *listeners, creds=None):
        p = [("LoadBalancerName", name), ("AvailabilityZones.member.1", "one")]
        p += listener_params(*(listeners or (http_listener(),)))
        return cls.ok(cls.server.call("CreateLoadBalancer", p, creds=creds))

    @classmethod
    def create_policy(cls, lb, name, type_name, *attrs):
        return cls.ok(cls.server.call("CreateLoadBalancerPolicy",
                                      policy_params(lb, name, type_name,
                                                    *attrs)))

    @classmethod
    def set_backend(cls, lb, port, *names):
        return cls.ok(cls.server.call(
            "SetLoadBalancerPoliciesForBackendServer",
            [("LoadBalancerName", lb), ("InstancePort", str(port))] +
            names_params("PolicyNames", names)))

    @classmethod
    def set_listener(cls, lb, port, *names):
        return cls.ok(cls.server.call(
            "SetLoadBalancerPoliciesOfListener",
            [("LoadBalancerName", lb), ("LoadBalancerPort", str(port))] +
            names_params("PolicyNames", names)))

    # -- reading back (JSON through awscli, or parsed XML)

    def aws_ok(self, *args, service="elb"):
        rc, doc, err = self.server.aws(*args, service=service)
        self.assertEqual(rc, 0, "aws %s %s: %s" % (service, " ".join(
            str(a) for a in args)[:300], err))
        return doc

    def describe_lb(self, name):
        doc = self.aws_ok("describe-load-balancers", "--load-balancer-names",
                          name)
        self.assertEqual(len(doc["LoadBalancerDescriptions"]), 1, doc)
        return doc["LoadBalancerDescriptions"][0]

    def lb_policies(self, lb, *names):
        """{PolicyName: (PolicyTypeName, [(AttributeName, Value)...])} from
        a raw DescribeLoadBalancerPolicies, in answer order (a list of
        pairs, since order matters)."""
        p = [("LoadBalancerName", lb)] if lb else []
        p += [("PolicyNames.member.%d" % i, n)
              for i, n in enumerate(names, 1)]
        root = parse_xml(self.assertOk(self.server.call(
            "DescribeLoadBalancerPolicies", p)))
        out = []
        for m in root.findall(".//PolicyDescriptions/member"):
            attrs = [(a.findtext("AttributeName"),
                      a.findtext("AttributeValue"))
                     for a in m.findall("PolicyAttributeDescriptions/member")]
            out.append((m.findtext("PolicyName"),
                        (m.findtext("PolicyTypeName"), attrs)))
        return out

    def listener_policy_names(self, lb):
        """{lb port: [policy names]} from DescribeLoadBalancers."""
        d = self.describe_lb(lb)
        return {l["Listener"]["LoadBalancerPort"]: l["PolicyNames"]
                for l in d["ListenerDescriptions"]}

    def refused(self, resp_fn, status, code, message_part=None, *accounts):
        """Runs resp_fn() (one request) and asserts its error and that the
        database is as it was."""
        with self.assertUnchanged(*accounts):
            return self.assertError(resp_fn(), status, code, message_part)
