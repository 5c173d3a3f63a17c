#!/usr/bin/env python3
"""keylog_templates.py PCAP SCENARIOS KEYLOG OUT_JSON - replay templates with their secrets.

The templates are cut from the capture by ../shared/bench/tls_templates.py (same rules as the
shared bench). Then each template gets "keys": the negotiated version and suite, the key-log
lines of its connection (by client random), and, found by decrypting every protected record of
the template with them, the sequence number each side's next application record takes. A
template whose records do not all decrypt stops the script: a key-log bench whose keys do not
match its handshakes would measure nothing.

A resumed TLS 1.2 connection reuses its session's master secret, which the key log may list
only under the first connection's random: then the master that decrypts the template's records
is found among the file's CLIENT_RANDOM lines and listed under the resumed connection's random.
"""
import json
import os
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("TLSDIAG_SHARED", os.path.join(HERE, "..", "..", "..", "shared"))
sys.path.insert(0, os.path.join(SHARED, "bench"))
sys.path.insert(0, HERE)
import tls_templates  # noqa: E402
from tlscrypt import TLS12_SUITES, TLS13_SUITES, Tls12Dir, Tls13Dir  # noqa: E402

BASE = 24600
LABELS13 = ("CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
            "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET")


def read_keylog(path):
    keys = {}  # client random -> {label: secret}
    for line in open(path):
        f = line.split()
        if len(f) == 3 and not line.startswith("#"):
            keys.setdefault(bytes.fromhex(f[1]), {})[f[0]] = bytes.fromhex(f[2])
    return keys


def hello_facts(flights):
    """Client random, and of the last ServerHello that is not a HelloRetryRequest: random,
    suite, TLS 1.3 or not, encrypt_then_mac."""
    f = {"crand": None, "srand": None, "suite": None, "tls13": False, "etm": False}
    ccs = {"c": False, "s": False}   # after it, a handshake record is ciphertext (TLS 1.2)
    for d, buf in flights:
        for t, o, ln in tls_templates.records(buf):
            body = buf[o + 5:o + 5 + ln]
            ccs[d] |= t == 20 and not f["tls13"]
            if t != 22 or not body or ccs[d]:
                continue
            if body[0] == 1 and f["crand"] is None:
                f["crand"] = bytes(body[6:38])
            elif body[0] == 2 and bytes(body[6:38]) == tls_templates.HRR_RANDOM:
                f["tls13"] = True   # a HelloRetryRequest is TLS 1.3's; its CCS changes nothing
            elif body[0] == 2:
                f["srand"] = bytes(body[6:38])
                sl = body[38]
                p = 39 + sl
                f["suite"] = struct.unpack_from("!H", body, p)[0]
                p += 3
                end = p + 2 + struct.unpack_from("!H", body, p)[0] if p + 2 <= len(body) else p
                p += 2
                while p + 4 <= end:
                    et, el = struct.unpack_from("!HH", body, p)
                    if et == 0x002B and struct.unpack_from("!H", body, p + 4)[0] == 0x0304:
                        f["tls13"] = True
                    f["etm"] |= et == 0x0016
                    p += 4 + el
    return f


def open_all13(flights, suite, sec):
    """Decrypt every protected record: handshake keys first, then application keys."""
    dirs = {d: [Tls13Dir(suite, sec[("CLIENT" if d == "c" else "SERVER") + "_HANDSHAKE_TRAFFIC_SECRET"]),
                Tls13Dir(suite, sec[("CLIENT" if d == "c" else "SERVER") + "_TRAFFIC_SECRET_0"])] for d in "cs"}
    opened = {"c": 0, "s": 0}
    plain = []
    for d, buf in flights:
        for t, o, ln in tls_templates.records(buf):
            if t != 23:
                continue
            hdr, body = bytes(buf[o:o + 5]), bytes(buf[o + 5:o + 5 + ln])
            r = dirs[d][0].open(hdr, body) or dirs[d][1].open(hdr, body)
            if r is None:
                return None
            opened[d] += 1
            plain.append((d,) + r)
    return opened, {d: dirs[d][1].seq for d in "cs"}, plain


def open_all12(flights, f, master):
    dirs = {d: Tls12Dir(f["suite"], master, f["crand"], f["srand"], d, f["etm"]) for d in "cs"}
    after_ccs = {"c": False, "s": False}
    opened = {"c": 0, "s": 0}
    plain = []
    for d, buf in flights:
        for t, o, ln in tls_templates.records(buf):
            if t == 20:
                after_ccs[d] = True
            elif after_ccs[d]:
                r = dirs[d].open(bytes(buf[o:o + 5]), bytes(buf[o + 5:o + 5 + ln]))
                if r is None:
                    return None
                opened[d] += 1
                plain.append((d,) + r)
    return opened, {d: dirs[d].seq for d in "cs"}, plain


def decrypted_facts(plain):
    """What only the key log shows, counted as the shared manifest counts the clear text."""
    f = {"srv_cert_msgs": 0, "cli_cert_msgs": 0, "cli_cert_empty": 0, "cert_request": 0, "alerts": {}}
    hs = {"c": b"", "s": b""}
    for d, ctype, body in plain:
        if ctype == 21 and len(body) == 2:
            f["alerts"][str(body[1])] = f["alerts"].get(str(body[1]), 0) + 1
        elif ctype == 22:
            hs[d] += body
            while len(hs[d]) >= 4 and len(hs[d]) >= 4 + int.from_bytes(hs[d][1:4], "big"):
                mt, ml = hs[d][0], int.from_bytes(hs[d][1:4], "big")
                msg, hs[d] = hs[d][4:4 + ml], hs[d][4 + ml:]
                if mt == 13:
                    f["cert_request"] += 1
                elif mt == 11 and d == "s":
                    f["srv_cert_msgs"] += 1
                elif mt == 11:
                    f["cli_cert_msgs"] += 1
                    ctx = msg[0]   # TLS 1.3: certificate_request_context, then the list
                    f["cli_cert_empty"] += int.from_bytes(msg[1 + ctx:4 + ctx], "big") == 0
    return f


def keys_of(tp, keylog):
    flights = [(d, bytes.fromhex(h)) for d, h in tp["flights"]]
    f = hello_facts(flights)
    if f["srand"] is None:
        return None   # no ServerHello: nothing is protected
    if f["tls13"]:
        if f["suite"] not in TLS13_SUITES:
            sys.exit(f"{tp['name']}: TLS 1.3 suite {f['suite']:#06x} not supported by tlscrypt.py")
        sec = keylog.get(f["crand"], {})
        if not any(lb in sec for lb in LABELS13[:2]):
            sys.exit(f"{tp['name']}: no handshake secrets for client random {f['crand'].hex()}")
        # a handshake cut short: a secret never derived (the client that rejects the server's
        # certificate sends its alert before it has handshake keys) decrypts nothing
        size = len(next(v for v in sec.values()))
        for lb in LABELS13[:4]:
            sec.setdefault(lb, b"\x00" * size)
        res = open_all13(flights, f["suite"], sec)
        lines = [[lb, sec[lb].hex()] for lb in LABELS13 if lb in sec and any(sec[lb])]
    else:
        if f["suite"] not in TLS12_SUITES:
            sys.exit(f"{tp['name']}: TLS 1.2 suite {f['suite']:#06x} not supported by tlscrypt.py")
        own = keylog.get(f["crand"], {}).get("CLIENT_RANDOM")
        candidates = [own] if own else [v["CLIENT_RANDOM"] for v in keylog.values() if "CLIENT_RANDOM" in v]
        res = None
        for master in candidates:
            res = open_all12(flights, f, master)
            if res:
                break
        lines = [["CLIENT_RANDOM", master.hex()]] if res else []
    if res is None:
        sys.exit(f"{tp['name']}: the key log does not decrypt the template's records")
    opened, app_seq, plain = res
    return {"tls13": f["tls13"], "suite": f["suite"], "etm": f["etm"], "client_random": f["crand"].hex(),
            "lines": lines, "opened": opened, "app_seq": app_seq, "decrypted": decrypted_facts(plain)}


def main(pcap, scenarios, keylog_path, out_json):
    with tempfile.TemporaryDirectory() as tmp:
        plain = os.path.join(tmp, "templates.json")
        tls_templates.main(pcap, scenarios, plain, base=BASE)
        doc = json.load(open(plain))
    keylog = read_keylog(keylog_path)
    for tp in doc["templates"]:
        tp["keys"] = keys_of(tp, keylog)
        k = tp["keys"]
        print(f"{tp['name']:24s} " + (f"suite {k['suite']:#06x} etm={k['etm']!s:5s} records opened "
                                      f"c={k['opened']['c']} s={k['opened']['s']}, next application "
                                      f"record c={k['app_seq']['c']} s={k['app_seq']['s']}; decrypted "
                                      f"{json.dumps(k['decrypted'])}"
                                      if k else "nothing protected"))
    json.dump(doc, open(out_json, "w"), indent=0)


if __name__ == "__main__":
    main(*sys.argv[1:5])
