#!/usr/bin/env python3
"""Run FoxIO's reference JA4 implementation over tlsdiag's own captures.

Usage: make-reference.py FOXIO_CHECKOUT CAPTURE... > reference.txt

FOXIO_CHECKOUT is a checkout of https://github.com/FoxIO-LLC/ja4 (its
python/ja4.py is run, with the tshark on PATH, as `python3 ja4.py CAPTURE -J`).
For every ClientHello it fingerprints over TCP, one line:

    CAPTURE STREAM HELLO CLIENT SERVER JA4 JA4_R JA4_O JA4_RO

STREAM is tshark's tcp.stream, HELLO the ClientHello's number in that stream
as ja4.py counts it (JA4.1, JA4.2 ...: 2 is the ClientHello after a
HelloRetryRequest). Only JA4 (BSD 3-Clause) is kept; the JA4+ values ja4.py
also prints (JA4S, JA4X, JA4L: FoxIO License 1.1) are dropped.
"""

import json
import os
import re
import subprocess
import sys


def objects(text):
    dec, i = json.JSONDecoder(), 0
    while True:
        j = text.find("{", i)
        if j < 0:
            return
        obj, i = dec.raw_decode(text, j)
        yield obj


def endpoint(addr, port):
    return "[%s]:%s" % (addr, port) if ":" in addr else "%s:%s" % (addr, port)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    ja4py = os.path.join(sys.argv[1], "python", "ja4.py")
    for cap in sys.argv[2:]:
        p = subprocess.run([sys.executable, ja4py, os.path.abspath(cap), "-J"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, cwd=os.path.dirname(ja4py), timeout=600)
        name = os.path.basename(cap)
        for o in objects(p.stdout.decode("utf-8", "replace")):
            hellos = sorted(int(m.group(1)) for k in o for m in [re.fullmatch(r"JA4\.(\d+)", k)] if m)
            for n in hellos:
                if o["JA4.%d" % n].startswith("q"):
                    continue   # QUIC: tlsdiag reads TLS over TCP
                print(name, o["stream"], n, endpoint(o["src"], o["srcport"]), endpoint(o["dst"], o["dstport"]),
                      *(o.get("%s.%d" % (k, n), "-") for k in ("JA4", "JA4_r", "JA4_o", "JA4_ro")))


if __name__ == "__main__":
    main()
