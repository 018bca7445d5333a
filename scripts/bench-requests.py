#!/usr/bin/env python3
"""Pre-signed ELB requests for scripts/bench (standard library only).

  bench-requests.py write  --endpoint HOST:PORT --access-key AK --secret SK
                           --region R --action describe|create
                           [--count N] [--prefix P] --out FILE
  bench-requests.py create --endpoint HOST:PORT --access-key AK --secret SK
                           --region R --count N --prefix P
  bench-requests.py count  --endpoint HOST:PORT --access-key AK --secret SK
                           --region R

`write` makes a request file for scripts/bench.lua: every request is a
POST / signed with SigV4 (service elasticloadbalancing, signed headers
content-type;host;x-amz-date) at one X-Amz-Date, so the whole file stays
valid for the server's 15-minute clock window. Lines:

  H <header line>       sent with every request
  A <Authorization value up to and including "Signature=">
  R <signature> <body>  one request (the body is form-encoded: no spaces)

For `--action create` the file holds COUNT CreateLoadBalancer requests with
the distinct names PREFIX0 .. PREFIX<COUNT-1>; for `describe` it holds one
DescribeLoadBalancers request, which wrk replays.

`create` sends COUNT CreateLoadBalancer requests over one keep-alive
connection (the bench's fixture: an account with 100 load balancers) and
fails unless every answer is 200. `count` sends one DescribeLoadBalancers
and prints how many load balancers it lists (the fixture check).
"""
import argparse
import datetime
import hashlib
import hmac
import http.client
import re
import sys
import time
import xml.etree.ElementTree as ET

SERVICE = "elasticloadbalancing"
VERSION = "2012-06-01"
CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
SIGNED_HEADERS = "content-type;host;x-amz-date"
NAME_RE = re.compile(r"^[A-Za-z0-9-]{1,32}$")


def create_body(name):
    # Names are letters, digits and '-', so nothing needs escaping.
    return ("Action=CreateLoadBalancer&Version=" + VERSION +
            "&LoadBalancerName=" + name +
            "&Listeners.member.1.Protocol=HTTP"
            "&Listeners.member.1.LoadBalancerPort=80"
            "&Listeners.member.1.InstancePort=8080"
            "&AvailabilityZones.member.1=one")


def describe_body():
    return "Action=DescribeLoadBalancers&Version=" + VERSION


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


def names(prefix, count):
    for i in range(count):
        n = "%s%d" % (prefix, i)
        if not NAME_RE.match(n):
            sys.exit("bench-requests: '%s' is not a valid load balancer "
                     "name (1-32 letters, digits, '-')" % n)
        yield n


def cmd_write(a, s):
    t0 = time.monotonic()
    with open(a.out, "w") as f:
        w = f.write
        w("H Host: %s\n" % s.host)
        w("H Content-Type: %s\n" % CONTENT_TYPE)
        w("H X-Amz-Date: %s\n" % s.amz_date)
        w("A %s\n" % s.auth_prefix)
        if a.action == "describe":
            b = describe_body()
            w("R %s %s\n" % (s.sign(b), b))
            n = 1
        else:
            n = 0
            for name in names(a.prefix, a.count):
                b = create_body(name)
                w("R %s %s\n" % (s.sign(b), b))
                n += 1
    print("bench-requests: %d %s request(s) signed at %s in %.2fs -> %s" %
          (n, a.action, s.amz_date, time.monotonic() - t0, a.out),
          file=sys.stderr)


def cmd_create(a, s):
    host, _, port = a.endpoint.rpartition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    t0 = time.monotonic()
    for name in names(a.prefix, a.count):
        b = create_body(name)
        conn.request("POST", "/", body=b.encode(), headers=s.headers(b))
        r = conn.getresponse()
        data = r.read()
        if r.status != 200:
            sys.exit("bench-requests: CreateLoadBalancer %s -> HTTP %d: %s" %
                     (name, r.status, data[:500].decode(errors="replace")))
    conn.close()
    print("bench-requests: created %d load balancers in %.2fs" %
          (a.count, time.monotonic() - t0), file=sys.stderr)


def cmd_count(a, s):
    host, _, port = a.endpoint.rpartition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    b = describe_body()
    conn.request("POST", "/", body=b.encode(), headers=s.headers(b))
    r = conn.getresponse()
    data = r.read()
    conn.close()
    if r.status != 200:
        sys.exit("bench-requests: DescribeLoadBalancers -> HTTP %d: %s" %
                 (r.status, data[:500].decode(errors="replace")))
    root = ET.fromstring(data)
    n = sum(len(el) for el in root.iter()
            if el.tag.rsplit("}", 1)[-1] == "LoadBalancerDescriptions")
    more = any(el.tag.rsplit("}", 1)[-1] == "NextMarker" and el.text
               for el in root.iter())
    print("%d%s" % (n, "+" if more else ""))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("command", choices=("write", "create", "count"))
    p.add_argument("--endpoint", required=True, help="HOST:PORT (loopback)")
    p.add_argument("--access-key", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--region", required=True)
    p.add_argument("--action", choices=("describe", "create"),
                   default="create")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--prefix", default="bench-")
    p.add_argument("--out")
    a = p.parse_args()
    if a.count < 1:
        p.error("--count must be at least 1")
    if a.command == "write" and not a.out:
        p.error("write needs --out")
    s = Signer(a.endpoint, a.access_key, a.secret, a.region)
    {"write": cmd_write, "create": cmd_create, "count": cmd_count}[
        a.command](a, s)


if __name__ == "__main__":
    main()
