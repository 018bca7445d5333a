#!/usr/bin/env python3
"""Database helpers for scripts/bench (standard library only).

  bench-db.py others DB --accounts N --per-account M [--prefix P]
  bench-db.py plans  DB STATEMENTS_DEF [STMT_ID ...]

`others` adds N accounts (named PREFIX0 ..) holding M load balancers each,
straight into the database of a running eulbd, in one transaction: every
load balancer named like the bench fixture's (fixture-0 ..) with one zone,
an HTTP listener 80 -> 8080 and an LB-cookie policy enabled on it, i.e.
the rows CreateLoadBalancer, CreateLBCookieStickinessPolicy and
SetLoadBalancerPoliciesOfListener write. Load balancers are plain rows
(no sealed secrets), so this is the fast way to a large database; the
accounts get no access keys and can never sign a request. Account ids are
spread over the whole id range, so other accounts' rows sort both before
and after the measured accounts' in every (account_id, ...) index.

`plans` prints SQLite's EXPLAIN QUERY PLAN for the SELECTs in eulbd's
statements.def (read, never edited): one line per STMT_ID given, and a
line for every parameterised SELECT anywhere in the file that scans a
whole table.
"""
import argparse
import re
import sqlite3
import sys
import time


def cmd_others(a):
    db = sqlite3.connect(a.db, timeout=30, isolation_level=None)
    t0 = time.monotonic()
    now = "2026-01-01T00:00:00.000Z"
    step = (10 ** 12 - 10 ** 9) // a.accounts
    accounts = [("%012d" % (10 ** 9 // 2 + i * step), "%s%d" % (a.prefix, i))
                for i in range(a.accounts)]
    names = ["fixture-%d" % j for j in range(a.per_account)]
    db.execute("BEGIN IMMEDIATE")
    try:
        db.executemany("INSERT INTO accounts (id, name, created_at) "
                       "VALUES (?, ?, ?)", [(i, n, now) for i, n in accounts])
        db.executemany(
            "INSERT INTO load_balancers (account_id, name, name_key, scheme, "
            "created_at) VALUES (?, ?, ?, 'internet-facing', ?)",
            [(i, n, n.lower(), now) for i, _ in accounts for n in names])
        ids = "(SELECT lb.id FROM load_balancers lb JOIN accounts a ON " \
              "a.id = lb.account_id WHERE a.name LIKE ? || '%')"
        like = (a.prefix,)
        db.execute("INSERT INTO lb_zones (lb_id, zone, position) SELECT id, "
                   "'one', 1 FROM load_balancers WHERE id IN " + ids, like)
        db.execute("INSERT INTO listeners (lb_id, lb_port, protocol, "
                   "instance_port, instance_protocol) SELECT id, 80, 'HTTP', "
                   "8080, 'HTTP' FROM load_balancers WHERE id IN " + ids, like)
        db.execute("INSERT INTO policies (lb_id, name, type) SELECT id, "
                   "'bench-lb-cookie', 'LBCookieStickinessPolicyType' FROM "
                   "load_balancers WHERE id IN " + ids, like)
        pol = "(SELECT id FROM policies WHERE name = 'bench-lb-cookie' AND " \
              "lb_id IN " + ids + ")"
        db.execute("INSERT INTO policy_attributes (policy_id, position, name, "
                   "value) SELECT id, 1, 'CookieExpirationPeriod', '300' FROM "
                   "policies WHERE id IN " + pol, like)
        db.execute("INSERT INTO listener_policies (lb_id, lb_port, position, "
                   "policy_id) SELECT lb_id, 80, 1, id FROM policies WHERE "
                   "id IN " + pol, like)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    total = db.execute("SELECT count(*) FROM load_balancers").fetchone()[0]
    print("bench-db: added %d accounts x %d load balancers in %.2fs; the "
          "database now holds %d load balancers" %
          (a.accounts, a.per_account, time.monotonic() - t0, total),
          file=sys.stderr)


def statements(path):
    src = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    for m in re.finditer(r'X\((STMT_\w+),((?:\s*"(?:[^"\\]|\\.)*")+)\s*\)',
                         src):
        sql = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2)))
        yield m.group(1), sql.replace('\\"', '"')


def plan(db, sql):
    params = {p: None for p in re.findall(r":(\w+)", sql)}
    rows = db.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return [r[-1] for r in rows]


def cmd_plans(a):
    db = sqlite3.connect("file:%s?mode=ro" % a.db, uri=True, timeout=30)
    stmts = dict(statements(a.statements_def))
    for sid in a.ids:
        if sid not in stmts:
            print("  %-26s (not in %s)" % (sid, a.statements_def))
            continue
        print("  %-26s %s" % (sid, "; ".join(plan(db, stmts[sid]))))
    scans = []
    for sid, sql in stmts.items():
        # Statements without parameters list everything on purpose.
        if not sql.lstrip().upper().startswith("SELECT") or ":" not in sql:
            continue
        for step in plan(db, sql):
            m = re.match(r"SCAN (\w+)(?: AS \w+)?$", step) or \
                re.match(r"SCAN (\w+) USING (?:COVERING )?INDEX", step)
            if m and m.group(1) != "CONSTANT":
                scans.append("%s (%s)" % (sid, step))
    if scans:
        print("  whole-table scans in other statements with a WHERE on "
              "parameters:")
        for s in scans:
            print("    " + s)
    else:
        print("  no parameterised SELECT in statements.def scans a whole "
              "table")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    o = sub.add_parser("others")
    o.add_argument("db")
    o.add_argument("--accounts", type=int, default=100)
    o.add_argument("--per-account", type=int, default=100)
    o.add_argument("--prefix", default="bench-other-")
    pl = sub.add_parser("plans")
    pl.add_argument("db")
    pl.add_argument("statements_def")
    pl.add_argument("ids", nargs="*")
    a = p.parse_args()
    {"others": cmd_others, "plans": cmd_plans}[a.command](a)


if __name__ == "__main__":
    main()
