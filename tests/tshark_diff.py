#!/usr/bin/env python3
"""Differential test of tlsdiag against tshark, the project's parsing oracle.

Usage: tshark_diff.py --tlsdiag PATH [--exceptions FILE] [-j N] [-v] CAPTURE...

For every capture, runs `tlsdiag --json` and tshark once (PDML output, TCP
reassembly including out-of-order segments), and compares per TCP stream.
A capture NAME.pcap with a key log NAME.keys beside it is decrypted by both
(tlsdiag --keylog, tshark -o tls.keylog_file), so the decrypted messages,
certificates, CA names and alerts are compared too:

  messages             the ordered (frame, direction, type) list of every
                       handshake message, ChangeCipherSpec, alert, encrypted
                       handshake record, encrypted alert and heartbeat, with
                       the level and description code of every clear alert
  alerts               tlsdiag's alert list against tshark's alerts
  sni                  server_name of the first ClientHello
  cipher_suite         cipher suite of the first ServerHello
  server_certificates  frame, "Certificates Length", count and the SHA-256 of
  client_certificates  every certificate DER, per direction
  certificate_request  frame, number of distinguished names (tshark lists at
                       most 100, then "[Tree view truncated]") and the byte
                       length of the DN list
  stream               tlsdiag's tcp.stream number differs from tshark's for
                       the same connection (same endpoints and frames)
  presence             a stream where tshark shows TLS messages but tlsdiag
                       reports no connection
  capture              tlsdiag or tshark could not read the capture at all

Known, reasoned disagreements are listed in an exceptions file, one per line:

  capture-basename stream field reason...

where stream is Wireshark's tcp.stream number (or "-" for a capture-level
disagreement) and field one of the names above.  An exception that does not
match a disagreement of a capture compared in this run is a failure, so that
the list stays honest.

Exit status: 0 every capture agrees (modulo exceptions), 1 a disagreement, an
unused exception or a tool failure, 77 (automake SKIP) when tshark is missing,
2 for bad usage.

Python 3 standard library only.
"""

import argparse
import concurrent.futures
import difflib
import hashlib
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

SKIP = 77
TSHARK_TIMEOUT = 600      # seconds for one capture

FIELDS = (
    "stream", "messages", "alerts", "sni", "cipher_suite", "server_certificates",
    "client_certificates", "certificate_request", "presence", "capture",
)

# TLS handshake types (IANA "TLS HandshakeType") in tlsdiag's snake_case.
HS_TYPES = {
    0: "hello_request", 1: "client_hello", 2: "server_hello",
    3: "hello_verify_request", 4: "new_session_ticket", 5: "end_of_early_data",
    6: "hello_retry_request", 8: "encrypted_extensions", 11: "certificate",
    12: "server_key_exchange", 13: "certificate_request",
    14: "server_hello_done", 15: "certificate_verify",
    16: "client_key_exchange", 17: "client_certificate_request",
    20: "finished", 21: "certificate_url", 22: "certificate_status",
    23: "supplemental_data", 24: "key_update", 25: "compressed_certificate",
    26: "ekt_key", 67: "next_protocol", 254: "message_hash",
}

# SSL 2.0 message types (draft-hickman-netscape-ssl-00).  Only the ClientHello
# has a TLS meaning (RFC 5246 appendix E.2); the others are SSL 2.0 only.
SSL2_TYPES = {
    0: "sslv2_error", 1: "client_hello", 2: "sslv2_client_master_key",
    3: "sslv2_client_finished", 4: "sslv2_server_hello",
    5: "sslv2_server_verify", 6: "sslv2_server_finished",
    7: "sslv2_request_certificate", 8: "sslv2_client_certificate",
}

ALERT_LEVELS = {1: "warning", 2: "fatal"}

# RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest.
HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"

TSHARK_PREFS = [
    "-o", "tcp.desegment_tcp_streams:TRUE",
    "-o", "tcp.reassemble_out_of_order:TRUE",
    "-o", "tls.desegment_ssl_records:TRUE",
    "-o", "tls.desegment_ssl_application_data:TRUE",
]


def die(msg, code=2):
    print("tshark_diff: " + msg, file=sys.stderr)
    sys.exit(code)


def norm_ip(s):
    try:
        return str(ipaddress.ip_address(s))
    except ValueError:
        return s


# ---------------------------------------------------------------- exceptions

class Exceptions:
    def __init__(self, path, fields=FIELDS):
        self.entries = []          # [basename, stream, field, reason, lineno, used]
        self.path = path
        if not path:
            return
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                parts = line.split(None, 3)
                if len(parts) < 4:
                    die("%s:%d: expected 'capture stream field reason...'"
                        % (path, lineno))
                base, stream, field, reason = parts
                if field not in fields:
                    die("%s:%d: unknown field %r (one of %s)"
                        % (path, lineno, field, ", ".join(fields)))
                if stream != "-":
                    try:
                        stream = int(stream)
                    except ValueError:
                        die("%s:%d: stream must be a number or '-'"
                            % (path, lineno))
                if len(reason.split()) < 3:
                    die("%s:%d: give a reason (who is right and why)"
                        % (path, lineno))
                self.entries.append([base, stream, field, reason, lineno, False])

    def match(self, base, stream, field):
        for e in self.entries:
            if e[0] == base and e[1] == stream and e[2] == field:
                e[5] = True
                return e
        return None


# ---------------------------------------------------------------- tlsdiag

def keylog_of(cap):
    """NAME.keys beside NAME.pcap: the key log both tools decrypt with."""
    base = cap
    for ext in (".gz", ".pcapng", ".pcap"):
        if base.endswith(ext):
            base = base[:-len(ext)]
    k = base + ".keys"
    return k if os.path.isfile(k) else None


def run_tlsdiag(tlsdiag, cap, keylog=None):
    extra = ["--keylog", keylog] if keylog else []
    try:
        p = subprocess.run([tlsdiag, "--json", "--json-full", "-r", cap] + extra,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=600)
    except OSError as e:
        return None, "cannot run %s: %s" % (tlsdiag, e)
    except subprocess.TimeoutExpired:
        return None, "tlsdiag timed out"
    try:
        doc = json.loads(p.stdout.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        err = p.stderr.decode("utf-8", "replace").strip().splitlines()
        return None, "tlsdiag exit %d, no JSON (%s)%s" % (
            p.returncode, e, (": " + err[-1]) if err else "")
    if doc.get("schema") != "tlsdiag/2":
        return None, "tlsdiag JSON schema is %r" % doc.get("schema")
    return doc, None


# ---------------------------------------------------------------- tshark

_TLS_PORTS = None


def tshark_tls_ports(tshark, env):
    """TCP ports that tshark decodes as TLS by itself ('tcp.port' table)."""
    global _TLS_PORTS
    if _TLS_PORTS is None:
        ports = set()
        try:
            out = subprocess.run([tshark, "-G", "decodes"], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, env=env,
                                 timeout=120).stdout.decode("utf-8", "replace")
            for line in out.splitlines():
                f = line.split("\t")
                if len(f) == 3 and f[0] == "tcp.port" and f[2] in ("tls", "ssl"):
                    ports.add(int(f[1]))
        except (OSError, subprocess.TimeoutExpired, ValueError):
            pass
        _TLS_PORTS = ports or {443}
    return _TLS_PORTS


def decode_as_ports(doc, tls_ports):
    """Server ports to hand to tshark with -d tcp.port==P,tls: those of
    connections tlsdiag saw speak TLS from their first byte, on a port tshark
    does not decode as TLS by itself.  A port where tlsdiag saw STARTTLS is
    left to tshark's own dissector for that protocol, which switches to TLS
    itself when it knows the protocol (forcing TLS would break it)."""
    direct, starttls = set(), set()
    for c in doc.get("connections", []):
        port = (c.get("server") or {}).get("port")
        if not isinstance(port, int) or port in tls_ports:
            continue
        if any(e.get("id") == "tls.starttls" for e in c.get("events") or []):
            starttls.add(port)
        elif c.get("messages"):
            direct.add(port)
    return sorted(direct - starttls)


def _children(el, name):
    return [c for c in el if c.get("name") == name]


def _child(el, name):
    for c in el:
        if c.get("name") == name:
            return c
    return None


def _show(el, name, default=None):
    c = _child(el, name)
    return c.get("show") if c is not None else default


def _int(s, default=None):
    if s is None:
        return default
    try:
        return int(s, 0)
    except ValueError:
        return default


class TsStream:
    def __init__(self, stream):
        self.stream = stream
        self.events = []         # (frame, src, type, level, desc)
        self.sni = None
        self.sni_seen = False    # a ClientHello was seen
        self.cipher = None
        self.cipher_seen = False
        self.certs = []          # (frame, src, certificates_length, [sha256])
        self.certreqs = []       # (frame, count, truncated, dnames_len)
        self.endpoints = None    # ((ip, port), (ip, port)) of first packet


def _field_tree(el):
    """All descendant fields (depth first) of a PDML element."""
    return el.iter("field")


def parse_handshake(hs, frame, src, st, sslv2=False):
    """One parsed handshake message (a tls.handshake field with a type)."""
    htype = _int(hs.get("show") if sslv2 else _show(hs, "tls.handshake.type"))
    if sslv2:
        name = SSL2_TYPES.get(htype, "sslv2_type_%s" % htype)
    else:
        name = HS_TYPES.get(htype, "handshake_type_%s" % htype)
        showname = hs.get("showname") or ""
        if htype == 2:
            rnd = _child(hs, "tls.handshake.random")
            if "Hello Retry Request" in showname or (
                    rnd is not None and (rnd.get("value") or "").lower() == HRR_RANDOM):
                name = "hello_retry_request"
    st.events.append((frame, src, name, None, None))
    if sslv2:
        if name == "client_hello" and not st.sni_seen:
            st.sni_seen = True
        return
    if name == "client_hello" and not st.sni_seen:
        st.sni_seen = True
        for f in _field_tree(hs):
            if f.get("name") == "tls.handshake.extensions_server_name":
                st.sni = f.get("show")
                break
    elif name == "server_hello" and not st.cipher_seen:
        st.cipher_seen = True
        st.cipher = _int(_show(hs, "tls.handshake.ciphersuite"))
    elif name == "certificate":
        clen = _int(_show(hs, "tls.handshake.certificates_length"))
        shas = []
        certs = _child(hs, "tls.handshake.certificates")
        if certs is not None:
            for c in _children(certs, "tls.handshake.certificate"):
                shas.append(hashlib.sha256(
                    bytes.fromhex(c.get("value") or "")).hexdigest())
        st.certs.append((frame, src, clen, shas))
    elif name == "certificate_request":
        dlen = _int(_show(hs, "tls.handshake.dnames_len"))
        count, trunc = 0, False
        dn = _child(hs, "tls.handshake.dnames")
        if dn is None and _child(hs, "tls.handshake.certificate_request_context_length") is not None:
            # TLS 1.3 (RFC 8446 4.3.2): the names sit in the
            # certificate_authorities extension; without it the list is empty.
            dlen, dn = 0, None
            for f in _field_tree(hs):
                if f.get("name") == "tls.handshake.dnames_len":
                    dlen = _int(f.get("show"))
                elif f.get("name") == "tls.handshake.dnames":
                    dn = f
                    break
        if dn is not None:
            count = len(_children(dn, "tls.handshake.dname"))
            trunc = _child(dn, "tls.handshake.dnames_truncated") is not None
        st.certreqs.append((frame, count, trunc, dlen))


def parse_record(rec, frame, src, st):
    ctype = _int(_show(rec, "tls.record.content_type"))
    if ctype is None and _show(rec, "tls.record.opaque_type") is None:
        # SSL 2.0 record layer: the message type sits right in the record.
        t = _child(rec, "tls.handshake.type")
        if t is not None:
            parse_handshake(t, frame, src, st, sslv2=True)
        return
    if ctype == 20:
        st.events.append((frame, src, "change_cipher_spec", None, None))
    elif ctype == 21:
        for a in _children(rec, "tls.alert_message"):
            lvl = _show(a, "tls.alert_message.level")
            desc = _show(a, "tls.alert_message.desc")
            if lvl is None and desc is None:
                st.events.append((frame, src, "encrypted_alert", None, None))
            else:
                st.events.append((frame, src, "alert", _int(lvl), _int(desc)))
    elif ctype == 22:
        for hs in _children(rec, "tls.handshake"):
            if _child(hs, "tls.handshake.type") is not None:
                parse_handshake(hs, frame, src, st)
                continue
            sn = hs.get("showname") or ""
            if "fragment)" in sn:
                # part of a message reassembled from several records: tshark
                # shows the message in the record of the last fragment.
                continue
            if "Encrypted Handshake Message" in sn:
                st.events.append((frame, src, "encrypted_handshake", None, None))
            else:
                st.events.append((frame, src, "unparsed_handshake", None, None))
    elif ctype == 24:
        for h in _children(rec, "tls.heartbeat_message"):
            st.events.append((frame, src, "heartbeat", None, None))


class TsharkResult:
    def __init__(self):
        self.streams = {}
        self.frames = 0
        self.error = None
        self.cmd = None


def run_tshark(tshark, cap, ports, env, display_filter=True, keylog=None):
    res = TsharkResult()
    cmd = [tshark, "-n", "-r", cap] + TSHARK_PREFS
    if keylog:
        cmd += ["-o", "tls.keylog_file:" + keylog]
    for p in ports:
        cmd += ["-d", "tcp.port==%d,tls" % p]
    if display_filter:
        # Only frames with TLS are printed; frame numbers and reassembly are
        # those of the whole file (the filter does not renumber, and in one
        # pass every frame is still dissected).
        cmd += ["-Y", "tls"]
    cmd += ["-T", "pdml"]
    res.cmd = cmd
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env)
    except OSError as e:
        res.error = "cannot run tshark: %s" % e
        return res
    parser = ET.XMLPullParser(events=("end",))
    parse_error = None
    stderr_chunks = []

    def drain_stderr():
        stderr_chunks.append(proc.stderr.read())
    t = threading.Thread(target=drain_stderr)
    t.start()
    watchdog = threading.Timer(TSHARK_TIMEOUT, proc.kill)
    watchdog.start()
    while True:
        chunk = proc.stdout.read(1 << 16)
        if not chunk:
            break
        if parse_error:
            continue
        try:
            parser.feed(chunk)
            for _, el in parser.read_events():
                if el.tag == "packet":
                    handle_packet(el, res)
                    el.clear()
        except ET.ParseError as e:
            parse_error = str(e)
    proc.wait()
    watchdog.cancel()
    t.join()
    err = b"".join(stderr_chunks).decode("utf-8", "replace")
    err = "\n".join(l for l in err.splitlines()
                    if "Running as user" not in l and l.strip())
    if parse_error and "no element found" not in parse_error:
        res.error = "cannot parse tshark PDML: %s" % parse_error
    elif proc.returncode != 0 and not res.streams:
        res.error = "tshark exit %d: %s" % (proc.returncode, err[-300:])
    res.stderr = err
    res.returncode = proc.returncode
    return res


def handle_packet(pkt, res):
    protos = [p for p in pkt if p.tag == "proto"]
    frame = None
    src_ip = None
    tcp = None
    for p in protos:
        n = p.get("name")
        if n == "frame":
            frame = _int(_show(p, "frame.number"))
        elif n in ("ip", "ipv6") and tcp is None:
            src_ip = _show(p, "ip.src" if n == "ip" else "ipv6.src")
            dst_ip = _show(p, "ip.dst" if n == "ip" else "ipv6.dst")
        elif n == "tcp":
            tcp = p
        elif n == "tls" and tcp is not None:
            break
    if frame is None or tcp is None:
        return
    stream = _int(_show(tcp, "tcp.stream"))
    if stream is None:
        return
    sport = _int(_show(tcp, "tcp.srcport"))
    dport = _int(_show(tcp, "tcp.dstport"))
    st = res.streams.get(stream)
    if st is None:
        st = res.streams[stream] = TsStream(stream)
    src = (norm_ip(src_ip) if src_ip else None, sport)
    if st.endpoints is None:
        st.endpoints = (src, (norm_ip(dst_ip) if src_ip else None, dport))
    seen_tcp = False
    for p in protos:
        if p is tcp:
            seen_tcp = True
            continue
        if not seen_tcp or p.get("name") != "tls":
            continue
        for rec in _children(p, "tls.record"):
            parse_record(rec, frame, src, st)


# ---------------------------------------------------------------- comparison

def fmt_ev(e):
    frame, frm, typ, lvl, desc = e
    if isinstance(frm, tuple):
        frm = "%s:%s" % frm
    s = "%s %s %s" % (frame, frm, typ)
    if typ == "alert":
        s += "(%s,%s)" % (lvl, desc)
    return s


def list_diff(a, b, limit=3):
    """Short description of where list a (tlsdiag) and b (tshark) differ."""
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    out = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        left = ", ".join(fmt_ev(x) for x in a[i1:i2][:limit]) + (
            " ..." if i2 - i1 > limit else "")
        right = ", ".join(fmt_ev(x) for x in b[j1:j2][:limit]) + (
            " ..." if j2 - j1 > limit else "")
        if op == "delete":
            out.append("tlsdiag only: [%s]" % left)
        elif op == "insert":
            out.append("tshark only: [%s]" % right)
        else:
            out.append("tlsdiag [%s] vs tshark [%s]" % (left, right))
        if len(out) >= limit:
            out.append("...")
            break
    return "; ".join(out)


def alert_code(level):
    for k, v in ALERT_LEVELS.items():
        if v == level:
            return k
    return level


def compare_stream(conn, st):
    """Disagreements [(field, text)] between a tlsdiag connection and the
    tshark view of the same tcp.stream (st may be None)."""
    diffs = []
    if st is None:
        st = TsStream(conn.get("stream"))
    cli = (norm_ip(conn["client"]["ip"]), conn["client"]["port"])
    srv = (norm_ip(conn["server"]["ip"]), conn["server"]["port"])

    def who(src):
        if src == cli:
            return "client"
        if src == srv:
            return "server"
        if src[1] == cli[1] and src[1] != srv[1]:
            return "client"
        if src[1] == srv[1] and src[1] != cli[1]:
            return "server"
        return "?%s:%s" % src

    ts_ev = [(f, who(s), t, ALERT_LEVELS.get(l, l), d)
             for f, s, t, l, d in st.events]
    td_ev = []
    for m in conn.get("messages") or []:
        if m.get("type") == "alert":
            td_ev.append((m.get("frame"), m.get("from"), "alert",
                          m.get("level"), m.get("code")))
        else:
            td_ev.append((m.get("frame"), m.get("from"), m.get("type"),
                          None, None))
    if td_ev != ts_ev:
        diffs.append(("messages", list_diff(td_ev, ts_ev)))

    # alerts: tlsdiag's summary list against tshark's alert records
    td_al = [(a.get("frame"), a.get("from"),
              "encrypted_alert" if a.get("encrypted") else "alert",
              None if a.get("encrypted") else a.get("level"),
              None if a.get("encrypted") else a.get("code"))
             for a in conn.get("alerts") or []]
    ts_al = [e for e in ts_ev if e[2] in ("alert", "encrypted_alert")]
    if td_al != ts_al:
        diffs.append(("alerts", list_diff(td_al, ts_al)))

    if conn.get("sni") != st.sni:
        diffs.append(("sni", "tlsdiag %r vs tshark %r" % (conn.get("sni"), st.sni)))

    cs = conn.get("cipher_suite")
    td_cs = cs.get("id") if isinstance(cs, dict) else None
    if td_cs != st.cipher:
        diffs.append(("cipher_suite", "tlsdiag %s vs tshark %s" % (
            "0x%04x" % td_cs if td_cs is not None else None,
            "0x%04x" % st.cipher if st.cipher is not None else None)))

    for side in ("server", "client"):
        field = side + "_certificates"
        td = conn.get(field)
        ts = [c for c in st.certs if who(c[1]) == side]
        if td is None:
            if ts:
                diffs.append((field, "tlsdiag none vs tshark Certificate in frame(s) %s"
                              % ",".join(str(c[0]) for c in ts)))
            continue
        if not ts:
            diffs.append((field, "tlsdiag Certificate in frame %s vs tshark none"
                          % td.get("frame")))
            continue
        same = [c for c in ts if c[0] == td.get("frame")]
        ref = same[0] if same else ts[0]
        chain = td.get("chain") or []
        td_sha = [c.get("sha256") for c in chain]
        problems = []
        if not same:
            problems.append("frame %s vs %s" % (td.get("frame"), ref[0]))
        if td.get("length") != ref[2]:
            problems.append("Certificates Length %s vs %s" % (td.get("length"), ref[2]))
        if td.get("count") != len(ref[3]):
            problems.append("count %s vs %s" % (td.get("count"), len(ref[3])))
        if td_sha != ref[3]:
            bad = [i for i in range(max(len(td_sha), len(ref[3])))
                   if i >= len(td_sha) or i >= len(ref[3]) or td_sha[i] != ref[3][i]]
            problems.append("sha256 differs at position(s) %s" % bad[:5])
        if problems:
            diffs.append((field, "; ".join(problems)))

    cr = conn.get("certificate_request")
    if cr is None:
        if st.certreqs:
            diffs.append(("certificate_request",
                          "tlsdiag none vs tshark CertificateRequest in frame(s) %s"
                          % ",".join(str(c[0]) for c in st.certreqs)))
    elif not st.certreqs:
        diffs.append(("certificate_request",
                      "tlsdiag CertificateRequest in frame %s vs tshark none"
                      % cr.get("frame")))
    else:
        same = [c for c in st.certreqs if c[0] == cr.get("frame")]
        ref = same[0] if same else st.certreqs[0]
        frame, count, trunc, dlen = ref
        n = len(cr.get("distinguished_names") or [])
        problems = []
        if not same:
            problems.append("frame %s vs %s" % (cr.get("frame"), frame))
        if trunc:
            if n <= count:
                problems.append("%d DNs vs tshark more than %d (truncated)" % (n, count))
        elif n != count:
            problems.append("%d DNs vs %d" % (n, count))
        if cr.get("distinguished_names_length") != dlen:
            problems.append("DN list length %s vs %s" % (
                cr.get("distinguished_names_length"), dlen))
        if problems:
            diffs.append(("certificate_request", "; ".join(problems)))
    return diffs


def _pair(a, b):
    return tuple(sorted([a, b], key=repr))


def _frames(st):
    fr = [e[0] for e in st.events]
    return (min(fr), max(fr)) if fr else (None, None)


def match_stream(conn, ts, taken):
    """The tshark stream showing tlsdiag's connection: the one with the same
    tcp.stream number if its endpoints agree, else the one with the same
    endpoints whose TLS frames fall inside the connection's frame range."""
    s = conn.get("stream")
    try:
        me = _pair((norm_ip(conn["client"]["ip"]), conn["client"]["port"]),
                   (norm_ip(conn["server"]["ip"]), conn["server"]["port"]))
    except (KeyError, TypeError):
        return ts.streams.get(s)
    st = ts.streams.get(s)
    if st is not None and (st.endpoints is None or _pair(*st.endpoints) == me):
        return st
    lo, hi = conn.get("first_frame") or 0, conn.get("last_frame") or float("inf")
    cands = [t for n, t in sorted(ts.streams.items())
             if n not in taken and t.endpoints and _pair(*t.endpoints) == me]
    inside = [t for t in cands if _frames(t)[0] is not None
              and lo <= _frames(t)[0] and _frames(t)[1] <= hi]
    if len(inside) == 1:
        return inside[0]
    if len(cands) == 1 and not inside:
        return cands[0]
    return st


def compare_capture(doc, ts):
    diffs = []   # (stream, field, text)
    conns = {}
    for c in doc.get("connections", []):
        s = c.get("stream")
        if s in conns:
            diffs.append((s, "presence", "tlsdiag reports tcp.stream %s twice" % s))
            continue
        conns[s] = c
    # tshark streams claimed by a tlsdiag connection
    taken = {s for s in conns if s in ts.streams and (
        ts.streams[s].endpoints is None or
        match_stream(conns[s], ts, set()) is ts.streams[s])}
    claimed = set()
    for s in sorted(conns, key=lambda x: (x is None, x)):
        st = match_stream(conns[s], ts, taken - {s})
        if st is not None:
            claimed.add(st.stream)
            if st.stream != s:
                c = conns[s]
                diffs.append((s, "stream", "tlsdiag's tcp.stream %s (%s:%s -> %s:%s, frames "
                              "%s-%s) is tshark's tcp.stream %s" % (
                                  s, c["client"]["ip"], c["client"]["port"],
                                  c["server"]["ip"], c["server"]["port"],
                                  c.get("first_frame"), c.get("last_frame"), st.stream)))
        for field, text in compare_stream(conns[s], st):
            diffs.append((s, field, text))
    for s in sorted(ts.streams):
        if s in claimed:
            continue
        st = ts.streams[s]
        hs = [e for e in st.events if e[2] not in ("unparsed_handshake",)]
        if hs:
            diffs.append((s, "presence", "tshark shows %d TLS messages (%s) but "
                          "tlsdiag reports no connection" % (
                              len(hs), ", ".join(fmt_ev(e) for e in hs[:3]))))
    return diffs


# ---------------------------------------------------------------- driver

def check_capture(cap, args, env):
    t0 = time.time()
    out = {"cap": cap, "diffs": [], "notes": []}
    keylog = keylog_of(cap)
    doc, err = run_tlsdiag(args.tlsdiag, cap, keylog)
    if err:
        out["diffs"].append(("-", "capture", err))
        return out
    for inp in doc.get("inputs") or []:
        if inp.get("error"):
            out["notes"].append("tlsdiag input error: %s" % inp["error"])
    ports = decode_as_ports(doc, tshark_tls_ports(args.tshark, env))
    ts = run_tshark(args.tshark, cap, ports, env, not args.no_display_filter, keylog)
    out["cmd"] = ts.cmd
    if ts.error:
        out["diffs"].append(("-", "capture", ts.error))
        return out
    if ts.returncode != 0:
        out["notes"].append("tshark exit %d: %s" % (
            ts.returncode, ts.stderr.strip().splitlines()[-1] if ts.stderr.strip() else ""))
    out["diffs"] = compare_capture(doc, ts)
    out["doc"] = doc
    out["ts"] = ts
    out["time"] = time.time() - t0
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tlsdiag", required=True, help="path of the tlsdiag binary")
    ap.add_argument("--tshark", default=None, help="tshark binary (default: from PATH)")
    ap.add_argument("--exceptions", help="file of known disagreements")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                    help="captures compared in parallel (default: CPUs)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="show tshark commands, excepted disagreements and full timelines")
    ap.add_argument("--no-display-filter", action="store_true",
                    help="print every frame from tshark (slower; to check that "
                    "the '-Y tls' filter changes nothing)")
    ap.add_argument("captures", nargs="+", metavar="CAPTURE")
    args = ap.parse_args()

    args.tshark = args.tshark or shutil.which("tshark")
    if not args.tshark:
        print("SKIP: tshark is not installed: the Wireshark differential test "
              "cannot run (apt-get install tshark)")
        return SKIP
    if not os.path.exists(args.tlsdiag):
        die("no tlsdiag at %s" % args.tlsdiag)
    exc = Exceptions(args.exceptions)

    # A private, empty Wireshark configuration directory: personal
    # preferences (or a key log file) must not change what tshark shows.
    confdir = tempfile.mkdtemp(prefix="tshark_diff.")
    env = dict(os.environ)
    env["WIRESHARK_CONFIG_DIR"] = confdir
    env.pop("SSLKEYLOGFILE", None)

    t0 = time.time()
    caps = []
    for c in args.captures:
        if c not in caps:
            caps.append(c)
    bases = {}
    for c in caps:
        b = os.path.basename(c)
        if b in bases:
            die("two captures named %s (%s, %s): exceptions are keyed by "
                "basename" % (b, bases[b], c))
        bases[b] = c
    tshark_tls_ports(args.tshark, env)
    n_ok = n_fail = n_exc = 0
    try:
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            futs = [pool.submit(check_capture, c, args, env) for c in caps]
            for cap, fut in zip(caps, futs):
                r = fut.result()
                base = os.path.basename(cap)
                real, excused = [], []
                for s, field, text in r["diffs"]:
                    e = exc.match(base, s, field)
                    (excused if e else real).append((s, field, text, e))
                n_exc += len(excused)
                tag = "OK  " if not real else "FAIL"
                extra = []
                if excused:
                    extra.append("%d excepted" % len(excused))
                nconn = len((r.get("doc") or {}).get("connections", []))
                print("%s %s (%d connection%s%s)" % (
                    tag, cap, nconn, "" if nconn == 1 else "s",
                    (", " + ", ".join(extra)) if extra else ""))
                for s, field, text, _ in real:
                    print("     stream %s %s: %s" % (s, field, text))
                if args.verbose:
                    if r.get("cmd"):
                        print("     tshark: %s" % " ".join(r["cmd"]))
                    for n in r["notes"]:
                        print("     note: %s" % n)
                    for s, field, text, e in excused:
                        print("     excepted stream %s %s: %s [line %d]"
                              % (s, field, text, e[4]))
                    if real and r.get("ts"):
                        dump_timelines(r, real)
                sys.stdout.flush()
                if real:
                    n_fail += 1
                else:
                    n_ok += 1
    finally:
        shutil.rmtree(confdir, ignore_errors=True)

    unused = [e for e in exc.entries if not e[5] and e[0] in bases]
    for e in unused:
        print("UNUSED exception %s:%d: %s %s %s (no such disagreement: remove it)"
              % (exc.path, e[4], e[0], e[1], e[2]))
    if args.verbose:
        for e in exc.entries:
            if e[0] not in bases:
                print("note: exception %s:%d is for %s, not compared in this run"
                      % (exc.path, e[4], e[0]))
    print("tshark_diff: %d capture%s, %d agree, %d disagree, %d excepted "
          "disagreement%s, %d unused exception%s (%.1fs)" % (
              len(caps), "" if len(caps) == 1 else "s", n_ok, n_fail, n_exc,
              "" if n_exc == 1 else "s", len(unused), "" if len(unused) == 1 else "s",
              time.time() - t0))
    return 1 if (n_fail or unused) else 0


def dump_timelines(r, real):
    streams = sorted({s for s, f, t, e in real if f in ("messages", "alerts") and s != "-"})
    conns = {c.get("stream"): c for c in r["doc"].get("connections", [])}
    for s in streams:
        c = conns.get(s)
        st = r["ts"].streams.get(s)
        print("     stream %s tlsdiag:" % s)
        for m in (c or {}).get("messages") or []:
            print("        %s %s %s%s" % (m.get("frame"), m.get("from"), m.get("type"),
                                          " %s/%s" % (m.get("level"), m.get("code"))
                                          if m.get("type") == "alert" else ""))
        print("     stream %s tshark:" % s)
        for e in (st.events if st else []):
            print("        %s %s:%s %s%s" % (e[0], e[1][0], e[1][1], e[2],
                                            " %s/%s" % (e[3], e[4]) if e[2] == "alert" else ""))


if __name__ == "__main__":
    sys.exit(main())
