#!/usr/bin/env python3
"""make-expected.py - expected.txt from the JA4 values of FoxIO's snapshot files.

Usage: make-expected.py GIT_DIR_OR_CHECKOUT_OF_FoxIO-LLC/ja4 > expected.txt

Reads rust/ja4/src/snapshots/ja4__insta@CAPTURE.snap (the expected output of
FoxIO's Rust implementation on pcap/CAPTURE) and prints one line per TCP
stream with a JA4 (the client fingerprint, BSD-3-Clause; no JA4+ value):

  CAPTURE STREAM CLIENT SERVER JA4

with tshark's tcp.stream number (FoxIO's tool reads tshark's) and the
endpoints as address:port ([v6]:port), which the test matches on: tshark 4.0
numbers streams differently when its SOCKS dissector runs.

QUIC (UDP) streams are left out: tlsdiag reads TLS over TCP only.
Python 3 standard library only.
"""

import os
import subprocess
import sys

SNAPDIR = "rust/ja4/src/snapshots"
PREFIX = "ja4__insta@"


def read_tree(repo):
    """{name: text} of the snapshot files, from a checkout or a git dir."""
    if os.path.isdir(os.path.join(repo, SNAPDIR)):
        d = os.path.join(repo, SNAPDIR)
        return {n: open(os.path.join(d, n), encoding="utf-8").read() for n in os.listdir(d)}
    git = ["git", "--git-dir", repo]
    names = subprocess.run(git + ["ls-tree", "--name-only", "HEAD", SNAPDIR + "/"], check=True,
                           stdout=subprocess.PIPE, text=True).stdout.split()
    return {os.path.basename(n): subprocess.run(git + ["show", "HEAD:" + n], check=True,
                                                stdout=subprocess.PIPE, text=True).stdout
            for n in names}


def streams(text):
    """The top-level items of the snapshot's YAML list, as dicts of their scalar keys."""
    out, cur = [], None
    for line in text.splitlines():
        if line.startswith("- "):
            cur = {}
            out.append(cur)
            line = "  " + line[2:]
        if cur is None or not line.startswith("  ") or line.startswith("   "):
            continue
        key, sep, value = line.strip().partition(": ")
        if sep:
            cur[key] = value.strip()
    return out


def endpoint(addr, port):
    return ("[%s]:%s" if ":" in addr else "%s:%s") % (addr, port)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for name, text in sorted(read_tree(sys.argv[1]).items()):
        if not (name.startswith(PREFIX) and name.endswith(".snap")):
            continue
        cap = name[len(PREFIX):-len(".snap")]
        for st in streams(text):
            if st.get("transport") == "tcp" and "ja4" in st:
                print("%s %s %s %s %s" % (cap, st["stream"], endpoint(st["src"], st["src_port"]),
                                          endpoint(st["dst"], st["dst_port"]), st["ja4"]))


if __name__ == "__main__":
    main()
