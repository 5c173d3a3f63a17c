#!/usr/bin/env python3
"""make-decrypt-seeds.py - (re)write the named seeds of fuzz/corpus/decrypt (stdlib only).

    python3 fuzz/make-decrypt-seeds.py

Seeds in fuzz_decrypt's input format (see fuzz/fuzz_decrypt.c): the RFC 8448 §3 handshake
and real openssl exchanges (tests/unit/rfc8448_vectors.h, decrypt_vectors.h) with their key
logs, so fuzzing starts from records that decrypt; round trips under the harness's own keys;
and junk key logs.
"""
import os
import re
import struct

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(TOP, "fuzz", "corpus", "decrypt")
UNIT = os.path.join(TOP, "tests", "unit")

# the order of suites[] in tests/unit/suite_table.h
SUITES = ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305",
          "AES128-CCM", "AES256-CCM8", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA", "ECDHE-RSA-AES128-SHA256",
          "ECDHE-RSA-AES256-SHA384", "CAMELLIA128-SHA256", "NULL-SHA256", "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256",
          "TLS_AES_128_CCM_8_SHA256"]
VERSIONS = {"TLSv1": 0, "TLSv1.1": 1, "TLSv1.2": 2, "TLSv1.3": 3}
DECRYPT, TYPED, USE, UPDATE, TRIAL, ROUND, TEXT, EXPORT = range(8)


def op(kind, d, data=b"", length=None):
    """One op; the harness takes len bytes of data whatever the kind, so they are there."""
    n = len(data) if length is None else length
    return struct.pack(">BH", kind << 1 | d, n) + data.ljust(n, b"\0")[:n]


def head(version, suite, own, etm, cr, sr, keylog):
    flags = version | (4 if etm else 0) | (8 if own else 0) | SUITES.index(suite) << 4
    return bytes([flags]) + cr + sr + struct.pack(">H", len(keylog)) + keylog


def unhex(s):
    return bytes.fromhex("".join(re.findall(r"[0-9a-f]{2}", s)))


def c_string(src, name):
    m = re.search(r"static const char %s\[\] =\s*((?:\"[^\"]*\"\s*)+);" % name, src)
    return "".join(re.findall(r"\"([^\"]*)\"", m.group(1)))


def rfc8448():
    src = open(os.path.join(UNIT, "rfc8448_vectors.h")).read()
    get = lambda n: unhex(c_string(src, "rfc8448_" + n))
    cr, sr = get("client_hello")[6:38], get("server_hello")[6:38]
    keylog = "".join("%s %s %s\n" % (label, cr.hex(), get(name).hex()) for label, name in (
        ("CLIENT_HANDSHAKE_TRAFFIC_SECRET", "c_hs_traffic"), ("SERVER_HANDSHAKE_TRAFFIC_SECRET", "s_hs_traffic"),
        ("CLIENT_TRAFFIC_SECRET_0", "c_ap_traffic"), ("SERVER_TRAFFIC_SECRET_0", "s_ap_traffic"))).encode()
    body = lambda n: get(n)[5:]
    ops = (op(USE, 1, length=1) + op(DECRYPT, 1, body("server_flight_record")) + op(USE, 0, length=1) +
           op(DECRYPT, 0, body("client_finished_record")) + op(USE, 1, length=2) +
           op(DECRYPT, 1, body("new_session_ticket_record")) + op(TRIAL, 1, body("server_alert_record")) +
           op(DECRYPT, 1, body("server_app_record")) + op(UPDATE, 1) + op(DECRYPT, 1, body("server_alert_record")) +
           op(EXPORT, 0))
    return head(3, "TLS_AES_128_GCM_SHA256", False, False, cr, sr, keylog) + ops


def openssl_cases():
    src = open(os.path.join(UNIT, "decrypt_vectors.h")).read()
    cases = re.findall(r'\{ "(\w+)", "([\w.]+)", "([\w-]+)", (true|false),\s*"([0-9a-f]+)",\s*"([0-9a-f]+)"', src)
    for name, proto, suite, etm, cr, sr in cases:
        keylog = c_string(src, "dv_%s_keylog" % name).replace("\\n", "\n").encode()
        recs = re.search(r"dv_%s_records\[\] = \{(.*?)\n\};" % name, src, re.S).group(1)
        ops, started = b"", set()
        for d, rec, plain in re.findall(r"\{ (\d), \d+,\n((?:\t  \"[0-9a-f]*\"\n?)+),\n\t  (NULL|\"[0-9a-f]*)", recs):
            d = int(d)
            if d not in started:
                ops += op(USE, d, length=1 if proto == "TLSv1.3" else 2)
                started.add(d)
            raw = unhex(rec)
            ops += op(DECRYPT, d, raw[5:]) if raw[0] == 23 else op(TYPED, d, raw[:1] + raw[5:], length=len(raw) - 4)
            if proto == "TLSv1.3" and plain.startswith('"14'):
                ops += op(USE, d, length=2)        # after a Finished: the traffic keys
            if proto == "TLSv1.3" and plain.startswith('"18'):
                ops += op(UPDATE, d)
        yield name, head(VERSIONS[proto], suite, False, etm == "true", unhex(cr), unhex(sr), keylog) + ops


def round_trips():
    cr, sr = bytes(range(32)), bytes(range(32, 64))
    junk = b"2024-01-01T00:00:00Z CLIENT_RANDOM " + cr.hex().encode() + b" 00\nRSA 0102 03\n\x00\xff\n"
    ops = op(USE, 0, length=2) + op(ROUND, 0, b"\x17hello") + op(ROUND, 0, b"\x16" + b"\x00" * 40, length=41)
    ops += op(UPDATE, 0) + op(ROUND, 0, b"\x15\x02\x28") + op(USE, 1, length=1) + op(ROUND, 1, b"\x16\x08\x00\x00\x00")
    ops += op(DECRYPT, 1, b"\x00" * 17) + op(ROUND, 1, b"\x17after a failure")
    for suite in ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
                  "TLS_AES_128_CCM_8_SHA256"):
        yield "roundtrip-" + suite, head(3, suite, True, False, cr, sr, junk) + ops


def junk_keylogs():
    cr = bytes([0x42] * 32)
    lines = [b"# comment", b"", b"CLIENT_RANDOM " + cr.hex().encode() + b" " + b"ab" * 48,
             b"May  6 10:11:12 lb haproxy[1]: SERVER_TRAFFIC_SECRET_0 " + cr.hex().upper().encode() + b" " + b"cd" * 32,
             b"10.0.0.1:443 CLIENT_TRAFFIC_SECRET_0 " + cr.hex().encode() + b" " + b"ef" * 48 + b"\r",
             b"CLIENT_RANDOM zz 00", b"UNKNOWN_LABEL " + cr.hex().encode() + b" 00", b"x" * 1500, b"\x00\x01binary"]
    text = b"\n".join(lines)
    ops = op(TEXT, 1, text[:200]) + op(TEXT, 0, b"CLIENT_RANDOM " + cr.hex().encode()) + op(EXPORT, 0)
    ops += op(USE, 0, length=2) + op(DECRYPT, 0, b"\x00" * 64) + op(TYPED, 1, b"\x15" + b"\x01" * 40)
    yield "junk-keylog-cbc", head(2, "ECDHE-RSA-AES128-SHA", False, True, cr, cr, text) + ops
    yield "junk-keylog-null", head(2, "NULL-SHA256", True, False, cr, cr, text) + ops


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = [("rfc8448-1rtt", rfc8448())] + list(openssl_cases()) + list(round_trips()) + list(junk_keylogs())
    for name, data in seeds:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(seeds), OUT))


if __name__ == "__main__":
    main()
