#!/usr/bin/env python3
# make-decrypt-vectors.py - records real openssl TLS exchanges and writes tests/unit/decrypt_vectors.h.
#
#   tests/unit/make-decrypt-vectors.py > tests/unit/decrypt_vectors.h
#
# For each case an `openssl s_server -rev` and an `openssl s_client -msg
# -keylogfile` talk through a relay on loopback that keeps the raw bytes of
# each direction. The vectors are: the key log the client wrote, the two
# hello randoms, every encrypted record as it crossed the wire, and what the
# record must decrypt to. The expected plaintext is never computed here: for
# handshake messages and alerts it is what `s_client -msg` printed (OpenSSL's
# own view of the plaintext), for application data the lines the client sent
# and the reversed lines the server echoed. Nothing in this script does any
# cryptography, so the unit test checks tlsdiag against OpenSSL's libssl.
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time

# name, version option, cipher option, extra client options, lines the client types
CASES = [
    ("tls12_aes128_gcm", "-tls1_2", "-cipher ECDHE-RSA-AES128-GCM-SHA256", [], None),
    ("tls12_aes256_gcm_sha384", "-tls1_2", "-cipher ECDHE-RSA-AES256-GCM-SHA384", [], None),
    ("tls12_chacha20", "-tls1_2", "-cipher ECDHE-RSA-CHACHA20-POLY1305", [], None),
    ("tls12_aes128_ccm", "-tls1_2", "-cipher AES128-CCM", [], None),
    ("tls12_aes256_ccm8", "-tls1_2", "-cipher AES256-CCM8", [], None),
    ("tls12_cbc_sha_etm", "-tls1_2", "-cipher ECDHE-RSA-AES128-SHA", [], None),
    ("tls12_cbc_sha_mte", "-tls1_2", "-cipher ECDHE-RSA-AES128-SHA", ["-no_etm"], None),
    ("tls12_cbc_sha256_etm", "-tls1_2", "-cipher ECDHE-RSA-AES128-SHA256", [], None),
    ("tls12_cbc_sha384_mte", "-tls1_2", "-cipher ECDHE-RSA-AES256-SHA384", ["-no_etm"], None),
    ("tls12_camellia_mte", "-tls1_2", "-cipher CAMELLIA128-SHA256:@SECLEVEL=0", ["-no_etm"], None),
    ("tls12_null_sha256", "-tls1_2", "-cipher NULL-SHA256:@SECLEVEL=0", [], None),
    ("tls11_cbc_mte", "-tls1_1", "-cipher ECDHE-RSA-AES128-SHA:@SECLEVEL=0", ["-no_etm"], None),
    ("tls10_cbc_mte", "-tls1", "-cipher ECDHE-RSA-AES256-SHA:@SECLEVEL=0", ["-no_etm"], None),
    ("tls10_cbc_etm", "-tls1", "-cipher ECDHE-RSA-AES128-SHA:@SECLEVEL=0", [], None),
    ("tls13_aes128_gcm_keyupdate", "-tls1_3", "-ciphersuites TLS_AES_128_GCM_SHA256", [],
     ["hello tlsdiag", "K", "after the key update"]),
    ("tls13_aes256_gcm", "-tls1_3", "-ciphersuites TLS_AES_256_GCM_SHA384", [], None),
    ("tls13_chacha20", "-tls1_3", "-ciphersuites TLS_CHACHA20_POLY1305_SHA256", [], None),
    ("tls13_aes128_ccm", "-tls1_3", "-ciphersuites TLS_AES_128_CCM_SHA256", [], None),
    ("tls13_aes128_ccm8", "-tls1_3", "-ciphersuites TLS_AES_128_CCM_8_SHA256", [], None),
]
LINES = ["hello tlsdiag", "a second line of application data"]

TYPES = """#include <stdbool.h>
#include <stdint.h>

/* One encrypted record: its direction (0 client, 1 server), the content type
 * it must decrypt to, the whole record as hex, and its plaintext as hex
 * (NULL for application data: see dv_case.data). */
struct dv_record {
	uint8_t dir;
	uint8_t type;
	const char *record;
	const char *plain;
};

/* One exchange: the protocol and suite as OpenSSL named them, whether the
 * client offered encrypt_then_mac, the hello randoms, the key log, and all
 * application data each side sent (hex), however it was split in records. */
struct dv_case {
	const char *name;
	const char *protocol;
	const char *suite;
	bool etm;
	const char *client_random;
	const char *server_random;
	const char *keylog;
	const struct dv_record *records;
	unsigned nrecords;
	const char *data[2];
};
"""


def relay(listener, port, log):
    """Accept one client, connect it to the server, copy both ways, keep (dir, bytes)."""
    c, _ = listener.accept()
    s = socket.create_connection(("127.0.0.1", port))
    peer = {c: s, s: c}
    side = {c: 0, s: 1}
    open_ = {c, s}
    while open_:
        ready, _, _ = select.select(list(open_), [], [], 5)
        if not ready:
            break
        for sock in ready:
            data = sock.recv(65536)
            if not data:
                open_.discard(sock)
                try:
                    peer[sock].shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                continue
            log.append((side[sock], data))
            peer[sock].sendall(data)
    c.close()
    s.close()


def records(stream):
    """Split one direction's bytes into TLS records (RFC 5246 §6.2.1)."""
    out, i = [], 0
    while i + 5 <= len(stream):
        n = stream[i + 3] << 8 | stream[i + 4]
        if i + 5 + n > len(stream):
            break
        out.append(stream[i:i + 5 + n])
        i += 5 + n
    return out


def msg_records(text, arrow):
    """What s_client -msg printed per record in one direction: [(header, [(kind, bytes)])]."""
    out, cur, kind = [], None, None
    for line in text.splitlines():
        m = re.match(r"^(>>>|<<<) [^,]+, (\w+)", line)
        if m:
            kind = None
            if m.group(1) != arrow:
                continue
            what = m.group(2)
            if what == "RecordHeader":
                cur = [None, []]
                out.append(cur)
                kind = "header"
            elif cur is not None:
                kind = what
                cur[1].append([what, b""])
            continue
        if kind and re.match(r"^    [0-9a-f]{2}( [0-9a-f]{2})*\s*$", line):
            data = bytes.fromhex(line.strip())
            if kind == "header":
                cur[0] = (cur[0] or b"") + data
            else:
                cur[1][-1][1] += data
        elif not line.startswith("    "):
            kind = None
    return out


def run_case(tmp, port, name, vers, cipher, extra, lines):
    lines = lines or LINES
    srv = subprocess.Popen(["openssl", "s_server", "-accept", str(port), "-cert", tmp + "/c.pem",
                            "-key", tmp + "/k.pem", "-rev", "-naccept", "1", vers] + cipher.split(),
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.4)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    log = []
    t = threading.Thread(target=relay, args=(listener, port, log))
    t.start()
    kl = "%s/%s.keys" % (tmp, name)
    cli = subprocess.Popen(["openssl", "s_client", "-connect", "127.0.0.1:%d" % listener.getsockname()[1],
                            "-msg", "-keylogfile", kl, vers] + cipher.split() + extra,
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    for line in lines:
        time.sleep(0.6)
        cli.stdin.write((line + "\n").encode())
        cli.stdin.flush()
    time.sleep(1.5)
    cli.stdin.close()
    out = cli.stdout.read().decode("latin-1")
    cli.wait()
    t.join()
    listener.close()
    srv.wait(timeout=10)
    stream = [b"".join(d for s, d in log if s == side) for side in (0, 1)]
    with open(kl) as f:
        keylog = "".join(l for l in f if not l.startswith("#"))
    return out, stream, keylog


def case_vectors(name, vers, out, stream, keylog, lines):
    """(client_random, server_random, [(dir, record, type, plaintext)]) of one exchange."""
    recs = [records(stream[0]), records(stream[1])]
    crandom = recs[0][0][11:43]
    srandom = recs[1][0][11:43]
    lines = lines or LINES
    said = [[l.encode() + b"\n" for l in lines if l != "K"],
            [l[::-1].encode() + b"\n" for l in lines if l != "K"]]
    result = []
    for d, arrow in ((0, ">>>"), (1, "<<<")):
        shown = msg_records(out, arrow)
        encrypted = False
        if len(recs[d]) - len(shown) > 1:
            sys.exit("%s: s_client read %d of %d records of direction %d (too little time?)"
                     % (name, len(shown), len(recs[d]), d))
        for i, rec in enumerate(recs[d]):
            if i >= len(shown):
                break          # the server's close_notify after the client left: never read
            hdr, msgs = shown[i]
            if hdr != rec[:5]:
                sys.exit("%s: record %d of direction %d: -msg header %s, wire %s" % (name, i, d, hdr.hex(), rec[:5].hex()))
            if vers == "-tls1_3":
                encrypted = rec[0] == 23
            elif rec[0] == 20:
                encrypted = True
                continue
            if not encrypted:
                continue
            kinds = [k for k, _ in msgs if k != "InnerContent"]
            inner = [b for k, b in msgs if k == "InnerContent"]
            plain = b"".join(b for k, b in msgs if k != "InnerContent")
            if vers == "-tls1_3":
                ctype = inner[0][0]
            else:
                ctype = rec[0]
            if ctype == 23:
                plain = None   # part of the direction's stream (TLS 1.0 sends empty fragments too)
            elif not kinds:
                sys.exit("%s: record %d of direction %d has no -msg content" % (name, i, d))
            result.append((d, rec, ctype, plain))
    return crandom, srandom, result, [b"".join(said[0]), b"".join(said[1])]


def c_hex(b, indent):
    h = b.hex()
    parts = [h[i:i + 96] for i in range(0, len(h), 96)] or [""]
    return ("\n" + indent).join('"%s"' % p for p in parts)


def main():
    tmp = tempfile.mkdtemp(prefix="tlsdiag-vectors.")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", tmp + "/k.pem",
                    "-out", tmp + "/c.pem", "-days", "3650", "-subj", "/CN=localhost"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ver = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
    print("/* decrypt_vectors.h - real TLS exchanges recorded by make-decrypt-vectors.py (%s). */" % ver)
    print("/* Generated: do not edit; rerun tests/unit/make-decrypt-vectors.py to refresh. */")
    print("#ifndef TLSDIAG_DECRYPT_VECTORS_H\n#define TLSDIAG_DECRYPT_VECTORS_H\n")
    print(TYPES)
    port = 24000 + os.getpid() % 20000
    names = []
    for k, (name, vers, cipher, extra, lines) in enumerate(CASES):
        out, stream, keylog = run_case(tmp, port + k, name, vers, cipher, extra, lines)
        cr, sr, recs, data = case_vectors(name, vers, out, stream, keylog, lines)
        proto = re.search(r"Protocol\s*: (\S+)", out).group(1)
        suite = re.search(r"Cipher\s*: (\S+)", out).group(1)
        print("/* %s: %s %s%s */" % (name, proto, suite, " -no_etm" if "-no_etm" in extra else ""))
        print("static const struct dv_record dv_%s_records[] = {" % name)
        for d, rec, ctype, plain in recs:
            print("\t{ %d, %d,\n\t  %s,\n\t  %s },"
                  % (d, ctype, c_hex(rec, "\t  "), "NULL" if plain is None else c_hex(plain, "\t  ")))
        print("};")
        print("static const char dv_%s_keylog[] =\n\t%s;\n" % (name, "\n\t".join(
            '"%s\\n"' % l for l in keylog.splitlines())))
        names.append((name, proto, suite, cr, sr, "-no_etm" not in extra, len(recs), data))
    print("static const struct dv_case dv_cases[] = {")
    for name, proto, suite, cr, sr, etm, n, data in names:
        print("\t{ \"%s\", \"%s\", \"%s\", %s,\n\t  \"%s\",\n\t  \"%s\",\n\t  dv_%s_keylog, dv_%s_records, %d,\n\t  { \"%s\",\n\t    \"%s\" } },"
              % (name, proto, suite, "true" if etm else "false", cr.hex(), sr.hex(), name, name, n,
                 data[0].hex(), data[1].hex()))
    print("};\n\n#endif")


if __name__ == "__main__":
    main()
