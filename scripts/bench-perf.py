#!/usr/bin/env python3
"""Where the time goes, from `perf script -F ip,sym,dso` (with call chains)
on stdin: scripts/bench's profile summary (standard library only).

  perf script -i perf.data -F ip,sym,dso | bench-perf.py [--top N]

Every sample is charged to its innermost frame that is neither libc, the
dynamic loader nor the kernel: a library (SQLite, OpenSSL, jansson,
libmicrohttpd...) or, inside the program itself, the named function. So
printf called by eulbd's buf_vprintf counts as buf_vprintf, malloc called
by SQLite as SQLite, and a sendmsg system call made by libmicrohttpd as
libmicrohttpd. Samples with nothing but libc and kernel frames are
"libc/kernel only".
"""
import argparse
import collections
import os
import re
import sys

FRAME = re.compile(r"^\s*[0-9a-f]+ (.*) \((.*)\)\s*$")
PLUMBING = re.compile(r"^(libc\.so|libc-|ld-linux|libpthread|\[kernel|"
                      r"\[vdso|\[unknown\])")
NAMES = {"libsqlite3": "SQLite", "libcrypto": "OpenSSL libcrypto",
         "libssl": "OpenSSL libssl", "libjansson": "jansson",
         "libmicrohttpd": "libmicrohttpd", "libcurl": "libcurl",
         "libgnutls": "GnuTLS"}


def owner(frames, programs):
    """frames: (symbol, dso) innermost first."""
    for sym, dso in frames:
        if dso == "inlined":
            continue  # the real frame at the same address follows
        base = os.path.basename(dso)
        if PLUMBING.match(base):
            continue
        if base in programs:
            return "%s %s" % (base, re.sub(r"\+0x[0-9a-f]+$", "", sym))
        lib = re.sub(r"\.so.*$", "", base)
        return NAMES.get(lib, lib)
    return "libc/kernel only"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--top", type=int, default=12)
    p.add_argument("--program", action="append", default=[],
                   help="executable names whose functions are listed")
    a = p.parse_args()
    programs = set(a.program) or {"eulbd"}
    counts = collections.Counter()
    frames, total = [], 0
    for line in sys.stdin:
        m = FRAME.match(line)
        if m:
            frames.append((m[1], m[2]))
            continue
        if frames:
            counts[owner(frames, programs)] += 1
            total += 1
            frames = []
    if frames:
        counts[owner(frames, programs)] += 1
        total += 1
    if not total:
        print("    (no samples with call chains)")
        return
    print("    time by innermost owner (library, or the program's own "
          "function), callees in libc/kernel included:")
    for name, n in counts.most_common(a.top):
        print("      %6.2f%%  %s" % (100.0 * n / total, name))


if __name__ == "__main__":
    main()
