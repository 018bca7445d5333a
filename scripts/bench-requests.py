#!/usr/bin/env python3
"""Pre-signed ELB requests for scripts/bench (standard library only).

  bench-requests.py write   COMMON --action ACTION [--lb NAME] [--pem FILE]
                            [--count N] [--prefix P] --out FILE
  bench-requests.py create  COMMON --count N --prefix P
  bench-requests.py count   COMMON
  bench-requests.py policy-fixture COMMON --lb NAME --pem FILE
  bench-requests.py count-policies COMMON --lb NAME

  COMMON: --endpoint HOST:PORT --access-key AK --secret SK --region R

`write` makes a request file for scripts/bench.lua: every request is a
POST / signed with SigV4 (service elasticloadbalancing, signed headers
content-type;host;x-amz-date) at one X-Amz-Date, so the whole file stays
valid for the server's 15-minute clock window. Lines:

  H <header line>       sent with every request
  A <Authorization value up to and including "Signature=">
  R <signature> <body>  one request (the body is form-encoded: no spaces)

ACTION is one of
  describe           one DescribeLoadBalancers request (wrk replays it)
  describe-policies  one DescribeLoadBalancerPolicies for load balancer --lb
  create             COUNT CreateLoadBalancer requests, names PREFIX0 ..
                     PREFIX<COUNT-1>
  create-policy      COUNT CreateLoadBalancerPolicy requests on load
                     balancer --lb, each a PublicKeyPolicyType policy named
                     PREFIX<i> whose PublicKey is the PEM certificate in
                     --pem

`create` sends COUNT CreateLoadBalancer requests over one keep-alive
connection and fails unless every answer is 200. `count` sends one
DescribeLoadBalancers and prints how many load balancers it lists.
`policy-fixture` creates load balancer --lb with an HTTP listener (80 ->
8080) and a TCP listener to an SSL back end (443 -> 8443), then three
policies on it: bench-public-key (PublicKeyPolicyType, the --pem
certificate), bench-backend-auth (BackendServerAuthenticationPolicyType
naming bench-public-key, enabled for instance port 8443) and
bench-lb-cookie (CreateLBCookieStickinessPolicy, 300 s, enabled on
listener 80). `count-policies` prints how many policies
DescribeLoadBalancerPolicies lists for --lb.
"""
import argparse
import datetime
import hashlib
import hmac
import http.client
import re
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET

SERVICE = "elasticloadbalancing"
VERSION = "2012-06-01"
CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
SIGNED_HEADERS = "content-type;host;x-amz-date"
NAME_RE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
POLICY_NAME_RE = re.compile(r"^[A-Za-z0-9-]{1,128}$")


def form(params):
    """Form-encodes (name, value) pairs; the result has no spaces or
    newlines, so it fits on one line of a request file."""
    return "&".join("%s=%s" % (k, urllib.parse.quote(str(v), safe="-_.~"))
                    for k, v in params)


def action_body(action, params=()):
    return form([("Action", action), ("Version", VERSION)] + list(params))


def create_body(name):
    return action_body("CreateLoadBalancer", [
        ("LoadBalancerName", name),
        ("Listeners.member.1.Protocol", "HTTP"),
        ("Listeners.member.1.LoadBalancerPort", "80"),
        ("Listeners.member.1.InstancePort", "8080"),
        ("AvailabilityZones.member.1", "one")])


def describe_body():
    return action_body("DescribeLoadBalancers")


def describe_policies_body(lb):
    return action_body("DescribeLoadBalancerPolicies",
                       [("LoadBalancerName", lb)])


def public_key_policy_bodies(lb, policies, pem):
    """CreateLoadBalancerPolicy bodies, one per name in policies (names
    need no escaping), the certificate encoded once."""
    head = action_body("CreateLoadBalancerPolicy",
                       [("LoadBalancerName", lb)]) + "&PolicyName="
    tail = "&" + form([("PolicyTypeName", "PublicKeyPolicyType"),
                       ("PolicyAttributes.member.1.AttributeName",
                        "PublicKey"),
                       ("PolicyAttributes.member.1.AttributeValue", pem)])
    for name in policies:
        yield head + name + tail


class Signer:
    """SigV4 for POST / with a fixed date, host and content type."""

    def __init__(self, host, access_key, secret, region, when=None):
        when = when or datetime.datetime.now(datetime.timezone.utc)
        self.amz_date = when.strftime("%Y%m%dT%H%M%SZ")
        day = self.amz_date[:8]
        self.scope = "%s/%s/%s/aws4_request" % (day, region, SERVICE)
        key = ("AWS4" + secret).encode()
        for part in (day, region, SERVICE, "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        self.key = key
        self.host = host
        self.auth_prefix = ("AWS4-HMAC-SHA256 Credential=%s/%s, "
                            "SignedHeaders=%s, Signature=" %
                            (access_key, self.scope, SIGNED_HEADERS))
        # Everything in the canonical request before the payload hash.
        self.creq_head = ("POST\n/\n\n"
                          "content-type:%s\nhost:%s\nx-amz-date:%s\n\n%s\n" %
                          (CONTENT_TYPE, host, self.amz_date, SIGNED_HEADERS))
        self.sts_head = "AWS4-HMAC-SHA256\n%s\n%s\n" % (self.amz_date,
                                                        self.scope)

    def sign(self, body):
        sha = hashlib.sha256
        creq = self.creq_head + sha(body.encode()).hexdigest()
        sts = self.sts_head + sha(creq.encode()).hexdigest()
        return hmac.new(self.key, sts.encode(), sha).hexdigest()

    def headers(self, body):
        return {
            "Host": self.host,
            "Content-Type": CONTENT_TYPE,
            "X-Amz-Date": self.amz_date,
            "Authorization": self.auth_prefix + self.sign(body),
        }


def checked_names(prefix, count, pattern=NAME_RE, what="load balancer"):
    for i in range(count):
        n = "%s%d" % (prefix, i)
        if not pattern.match(n):
            sys.exit("bench-requests: '%s' is not a valid %s name" %
                     (n, what))
        yield n


def read_pem(path):
    if not path:
        sys.exit("bench-requests: this action needs --pem FILE")
    with open(path) as f:
        pem = f.read().strip() + "\n"
    if "-----BEGIN CERTIFICATE-----" not in pem:
        sys.exit("bench-requests: %s holds no PEM certificate" % path)
    return pem


def need_lb(a):
    if not a.lb or not NAME_RE.match(a.lb):
        sys.exit("bench-requests: this action needs --lb NAME")
    return a.lb


def cmd_write(a, s):
    t0 = time.monotonic()
    if a.action == "create":
        bodies = (create_body(n) for n in checked_names(a.prefix, a.count))
    elif a.action == "create-policy":
        lb, pem = need_lb(a), read_pem(a.pem)
        bodies = public_key_policy_bodies(
            lb, checked_names(a.prefix, a.count, POLICY_NAME_RE, "policy"),
            pem)
    elif a.action == "describe-policies":
        bodies = [describe_policies_body(need_lb(a))]
    else:
        bodies = [describe_body()]
    n = 0
    with open(a.out, "w") as f:
        w = f.write
        w("H Host: %s\n" % s.host)
        w("H Content-Type: %s\n" % CONTENT_TYPE)
        w("H X-Amz-Date: %s\n" % s.amz_date)
        w("A %s\n" % s.auth_prefix)
        for b in bodies:
            w("R %s %s\n" % (s.sign(b), b))
            n += 1
    print("bench-requests: %d %s request(s) signed at %s in %.2fs -> %s" %
          (n, a.action, s.amz_date, time.monotonic() - t0, a.out),
          file=sys.stderr)


class Client:
    """One keep-alive connection; call() fails the script unless 200."""

    def __init__(self, a, s):
        host, _, port = a.endpoint.rpartition(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=10)
        self.s = s

    def call(self, body, what):
        self.conn.request("POST", "/", body=body.encode(),
                          headers=self.s.headers(body))
        r = self.conn.getresponse()
        data = r.read()
        if r.status != 200:
            sys.exit("bench-requests: %s -> HTTP %d: %s" %
                     (what, r.status, data[:500].decode(errors="replace")))
        return data

    def close(self):
        self.conn.close()


def members(data, wrapper):
    root = ET.fromstring(data)
    return sum(len(el) for el in root.iter()
               if el.tag.rsplit("}", 1)[-1] == wrapper)


def cmd_create(a, s):
    c = Client(a, s)
    t0 = time.monotonic()
    for name in checked_names(a.prefix, a.count):
        c.call(create_body(name), "CreateLoadBalancer " + name)
    c.close()
    print("bench-requests: created %d load balancers in %.2fs" %
          (a.count, time.monotonic() - t0), file=sys.stderr)


def cmd_count(a, s):
    c = Client(a, s)
    data = c.call(describe_body(), "DescribeLoadBalancers")
    c.close()
    root = ET.fromstring(data)
    more = any(el.tag.rsplit("}", 1)[-1] == "NextMarker" and el.text
               for el in root.iter())
    print("%d%s" % (members(data, "LoadBalancerDescriptions"),
                    "+" if more else ""))


def cmd_policy_fixture(a, s):
    lb, pem = need_lb(a), read_pem(a.pem)
    c = Client(a, s)
    c.call(action_body("CreateLoadBalancer", [
        ("LoadBalancerName", lb),
        ("Listeners.member.1.Protocol", "HTTP"),
        ("Listeners.member.1.LoadBalancerPort", "80"),
        ("Listeners.member.1.InstancePort", "8080"),
        ("Listeners.member.2.Protocol", "TCP"),
        ("Listeners.member.2.LoadBalancerPort", "443"),
        ("Listeners.member.2.InstancePort", "8443"),
        ("Listeners.member.2.InstanceProtocol", "SSL"),
        ("AvailabilityZones.member.1", "one")]), "CreateLoadBalancer " + lb)
    c.call(next(public_key_policy_bodies(lb, ["bench-public-key"], pem)),
           "CreateLoadBalancerPolicy bench-public-key")
    c.call(action_body("CreateLoadBalancerPolicy", [
        ("LoadBalancerName", lb), ("PolicyName", "bench-backend-auth"),
        ("PolicyTypeName", "BackendServerAuthenticationPolicyType"),
        ("PolicyAttributes.member.1.AttributeName", "PublicKeyPolicyName"),
        ("PolicyAttributes.member.1.AttributeValue", "bench-public-key")]),
        "CreateLoadBalancerPolicy bench-backend-auth")
    c.call(action_body("CreateLBCookieStickinessPolicy", [
        ("LoadBalancerName", lb), ("PolicyName", "bench-lb-cookie"),
        ("CookieExpirationPeriod", "300")]),
        "CreateLBCookieStickinessPolicy bench-lb-cookie")
    c.call(action_body("SetLoadBalancerPoliciesOfListener", [
        ("LoadBalancerName", lb), ("LoadBalancerPort", "80"),
        ("PolicyNames.member.1", "bench-lb-cookie")]),
        "SetLoadBalancerPoliciesOfListener 80")
    c.call(action_body("SetLoadBalancerPoliciesForBackendServer", [
        ("LoadBalancerName", lb), ("InstancePort", "8443"),
        ("PolicyNames.member.1", "bench-backend-auth")]),
        "SetLoadBalancerPoliciesForBackendServer 8443")
    c.close()


def cmd_count_policies(a, s):
    c = Client(a, s)
    data = c.call(describe_policies_body(need_lb(a)),
                  "DescribeLoadBalancerPolicies")
    c.close()
    print(members(data, "PolicyDescriptions"))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("command", choices=("write", "create", "count",
                                       "policy-fixture", "count-policies"))
    p.add_argument("--endpoint", required=True, help="HOST:PORT (loopback)")
    p.add_argument("--access-key", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--region", required=True)
    p.add_argument("--action", choices=("describe", "describe-policies",
                                        "create", "create-policy"),
                   default="create")
    p.add_argument("--lb", help="load balancer name")
    p.add_argument("--pem", help="file with a PEM certificate")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--prefix", default="bench-")
    p.add_argument("--out")
    a = p.parse_args()
    if a.count < 1:
        p.error("--count must be at least 1")
    if a.command == "write" and not a.out:
        p.error("write needs --out")
    s = Signer(a.endpoint, a.access_key, a.secret, a.region)
    {"write": cmd_write, "create": cmd_create, "count": cmd_count,
     "policy-fixture": cmd_policy_fixture,
     "count-policies": cmd_count_policies}[a.command](a, s)


if __name__ == "__main__":
    main()
