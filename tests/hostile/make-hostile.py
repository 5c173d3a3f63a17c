#!/usr/bin/env python3
"""make-hostile.py - the hostile and broken captures of tests/hostile/ (issue 6).

Python 3 standard library only, and deterministic: fixed timestamps, ISNs and random seeds, so a
second run rewrites byte-identical files.

    tests/hostile/make-hostile.py             (re)write every capture and cases.list
    tests/hostile/make-hostile.py NAME ...    only these captures (cases.list is always rewritten)
    tests/hostile/make-hostile.py --list      print the case names

Every case is one small capture.  TLS bytes are built by hand (records, handshake messages,
ClientHello / ServerHello / Certificate / CertificateRequest) and wrapped in Ethernet / IPv4 / TCP
with correct checksums and sequence numbers (3-way handshake, data both ways, FIN).  The hostile
connection(s) come first, from client ports 40001...; then, wherever the file format allows it, a
healthy TLS 1.2 connection from client port 50000 (the certificates of pki/, a copy of the bench's
pcaps/certs, valid at the capture time 2026-01-01), which must still be reported completed.

cases.list (rewritten by every run) is the ordered list that tests/hostile.sh runs:
    name | capture | options | checks (';'-separated, see check.py) | what the case is
"""
import base64
import os
import random
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
PKI = os.path.join(HERE, "pki")
REL = "tests/hostile"           # captures are named relative to the source tree in cases.list
T0 = 1767225600                 # 2026-01-01T00:00:00Z, inside the PKI's validity (2025 .. 2035)
C, S = 0, 1                     # sides
FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16
GOOD = 50000                    # client port of the healthy connection
OPTS = "--ca-file tests/hostile/pki/ca.pem"

# --------------------------------------------------------------------------------------------
# certificates
# --------------------------------------------------------------------------------------------


def pem_certs(path):
    out, b64 = [], None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line == "-----BEGIN CERTIFICATE-----":
                b64 = []
            elif line == "-----END CERTIFICATE-----":
                out.append(base64.b64decode("".join(b64)))
                b64 = None
            elif b64 is not None:
                b64.append(line)
    return out


def load_pki():
    """pki/ is a committed copy of the bench PKI, so a regenerated bench does not change it."""
    os.makedirs(PKI, exist_ok=True)
    for dst, src in (("ca.pem", "ca-bundle.pem"), ("server-chain.pem", "server-chain.pem")):
        if not os.path.exists(os.path.join(PKI, dst)):
            shutil.copyfile(os.path.join(TOP, "pcaps", "certs", src), os.path.join(PKI, dst))
    return pem_certs(os.path.join(PKI, "server-chain.pem"))


CHAIN = load_pki()              # [leaf server.example.test, intermediate]


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, content):
    return bytes([tag]) + der_len(len(content)) + content


def der_items(b):
    """Split concatenated DER TLVs: [(tag, whole, content)]."""
    out, i = [], 0
    while i < len(b):
        tag, n, j = b[i], b[i + 1], i + 2
        if n & 0x80:
            k = n & 0x7F
            n = int.from_bytes(b[j:j + k], "big")
            j += k
        out.append((tag, b[i:j + n], b[j:j + n]))
        i = j + n
    return out


OID_CN, OID_O, OID_OU = b"\x55\x04\x03", b"\x55\x04\x0a", b"\x55\x04\x0b"
UTF8, PRINTABLE, T61, IA5, UNIVERSAL, BMP = 0x0C, 0x13, 0x14, 0x16, 0x1C, 0x1E


def dn(*rdns):
    """A Name: each RDN is (oid, string tag, value bytes)."""
    return tlv(0x30, b"".join(tlv(0x31, tlv(0x30, tlv(0x06, o) + tlv(t, v))) for o, t, v in rdns))


def remake_cert(der, subject=None, issuer=None, san=None, serial=None):
    """The certificate with other names (its signature no longer verifies, but it parses)."""
    (_, _, body), = der_items(der)
    tbs, sigalg, sig = der_items(body)
    parts = [x[1] for x in der_items(tbs[2])]   # version, serial, sigalg, issuer, validity, subject, spki, [3]
    if serial is not None:
        parts[1] = tlv(0x02, serial)
    if issuer is not None:
        parts[3] = issuer
    if subject is not None:
        parts[5] = subject
    if san is not None:
        (_, _, seq), = der_items(parts[7])          # [3] { SEQUENCE OF Extension }
        (_, _, body_), = der_items(seq)
        exts = [x[1] for x in der_items(body_)]
        new = []
        for e in exts:
            if der_items(e)[0][2].startswith(b"\x06\x03\x55\x1d\x11"):
                e = tlv(0x30, tlv(0x06, b"\x55\x1d\x11") + tlv(0x04, tlv(0x30, b"".join(tlv(0x82, n) for n in san))))
            new.append(e)
        parts[7] = tlv(0xA3, tlv(0x30, b"".join(new)))
    return tlv(0x30, tlv(0x30, b"".join(parts)) + sigalg[1] + sig[1])


# --------------------------------------------------------------------------------------------
# capture files, link / IP / TCP
# --------------------------------------------------------------------------------------------


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, proto, payload, total=None, ihl=5, opts=b"", frag=0x4000, ident=0):
    tot = 4 * ihl + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | (ihl & 15), 0, tot & 0xFFFF, ident, frag, 64, proto, 0, src, dst) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", opts=b"", doff=None):
    off = (20 + len(opts)) // 4 if doff is None else doff
    h = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, (off & 15) << 4, flags,
                    64240, 0, 0) + opts
    pseudo = struct.pack("!4s4sBBH", src, dst, 0, 6, len(h) + len(payload))
    h = h[:16] + struct.pack("!H", csum(pseudo + h + payload)) + h[18:]
    return h + payload


def eth(payload, ethertype=0x0800):
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01" + struct.pack("!H", ethertype) + payload


class Capture:
    """Classic pcap, microseconds, little-endian.  Records may lie about their lengths."""

    def __init__(self, linktype=1, snaplen=262144):
        self.linktype, self.snaplen = linktype, snaplen
        self.recs = []                  # [sec, usec, caplen, origlen, data]
        self.usec = T0 * 1000000

    def add(self, data, caplen=None, origlen=None, ts=None, step=1000):
        if ts is None:
            self.usec += step
            ts = (self.usec // 1000000, self.usec % 1000000)
        self.recs.append([ts[0], ts[1], len(data) if caplen is None else caplen,
                          len(data) if origlen is None else origlen, data])
        return len(self.recs)

    @property
    def frames(self):
        return len(self.recs)

    def pcap(self):
        out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, self.snaplen, self.linktype)]
        for sec, usec, caplen, origlen, data in self.recs:
            out.append(struct.pack("<IIII", sec & 0xFFFFFFFF, usec & 0xFFFFFFFF, caplen, origlen) + data)
        return b"".join(out)


def pcapng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def pcapng(blocks):
    """blocks: ('if', linktype), ('pkt', if_id, Capture record), ('dsb', secrets type, bytes) or ('raw', bytes)."""
    out = [pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))]
    for b in blocks:
        if b[0] == "if":
            out.append(pcapng_block(1, struct.pack("<HHI", b[1], 0, 262144)))
        elif b[0] == "dsb":
            out.append(pcapng_block(10, struct.pack("<II", b[1], len(b[2])) + b[2]))
        elif b[0] == "raw":
            out.append(b[1])
        else:
            _, if_id, (sec, usec, caplen, origlen, data) = b
            ts = sec * 1000000 + usec
            out.append(pcapng_block(6, struct.pack("<IIIII", if_id, ts >> 32, ts & 0xFFFFFFFF, caplen, origlen) + data))
    return b"".join(out)


def addr(s):
    return bytes(int(x) for x in s.split("."))


class Conn:
    """One TCP connection in a Capture; tracks both directions' next sequence numbers."""

    def __init__(self, cap, cport, sport=443, cip="10.0.0.1", sip="10.0.0.2", isn=None, opts=b""):
        self.cap = cap
        self.ip = [addr(cip), addr(sip)]
        self.port = [cport, sport]
        base = (cport * 2654435761) & 0xFFFFFFFF if isn is None else isn
        self.isn = [base, (base * 7 + 12345) & 0xFFFFFFFF]
        self.nxt = [(x + 1) & 0xFFFFFFFF for x in self.isn]
        self.opts = opts

    def seg(self, side, flags, payload=b"", seq=None, ack=None, opts=None, doff=None, **rec):
        o = 1 - side
        seq = self.nxt[side] if seq is None else seq
        ack = self.nxt[o] if ack is None else ack
        t = tcp(self.ip[side], self.ip[o], self.port[side], self.port[o], seq, ack, flags, payload,
                self.opts if opts is None else opts, doff)
        return self.cap.add(eth(ip4(self.ip[side], self.ip[o], 6, t)), **rec)

    def open(self):
        self.seg(C, SYN, seq=self.isn[C], ack=0)
        self.seg(S, SYN | ACK, seq=self.isn[S])
        return self.seg(C, ACK)

    def send(self, side, data, mss=1448, **rec):
        frames = []
        for i in range(0, len(data), mss):
            part = data[i:i + mss]
            frames.append(self.seg(side, ACK | PSH, part, **rec))
            self.nxt[side] = (self.nxt[side] + len(part)) & 0xFFFFFFFF
        return frames

    def close(self):
        self.seg(C, FIN | ACK)
        self.nxt[C] += 1
        self.seg(S, FIN | ACK)
        self.nxt[S] += 1
        return self.seg(C, ACK)


# --------------------------------------------------------------------------------------------
# TLS
# --------------------------------------------------------------------------------------------
HANDSHAKE, CCS, ALERT, APPDATA, HEARTBEAT = 22, 20, 21, 23, 24


def u8(n):
    return struct.pack("!B", n & 0xFF)


def u16(n):
    return struct.pack("!H", n & 0xFFFF)


def u24(n):
    return struct.pack("!I", n & 0xFFFFFF)[1:]


def v8(b, n=None):
    return u8(len(b) if n is None else n) + b


def v16(b, n=None):
    return u16(len(b) if n is None else n) + b


def v24(b, n=None):
    return u24(len(b) if n is None else n) + b


def rec(ct, body, ver=0x0303, length=None):
    return u8(ct) + u16(ver) + u16(len(body) if length is None else length) + body


def recs(ct, body, ver=0x0303, size=16384):
    return b"".join(rec(ct, body[i:i + size], ver) for i in range(0, max(len(body), 1), size))


def hs(t, body, length=None):
    return u8(t) + u24(len(body) if length is None else length) + body


def ext(t, data, length=None):
    return u16(t) + v16(data, length)


def sni_ext(name, list_len=None, name_len=None, ext_len=None):
    return ext(0, v16(b"\x00" + v16(name, name_len), list_len), ext_len)


def alpn_ext(protos, list_len=None):
    return ext(16, v16(b"".join(v8(p) for p in protos), list_len))


SUITES = [0xC02F, 0xC030, 0xC02B, 0x009C]


def client_hello(rng, sni=b"server.example.test", suites=None, exts=None, suites_len=None, exts_len=None,
                 extra=b"", sid=b"", sid_len=None, comp=b"\x00", comp_len=None):
    sb = b"".join(u16(s) for s in (SUITES if suites is None else suites))
    if exts is None:
        exts = ((sni_ext(sni) if sni is not None else b"") + ext(10, v16(u16(0x1D) + u16(0x17))) +
                ext(11, v8(b"\x00")) + ext(13, v16(u16(0x0804) + u16(0x0403) + u16(0x0401))) + ext(23, b"") +
                ext(0xFF01, v8(b"")))
    exts += extra
    return (u16(0x0303) + rng.randbytes(32) + v8(sid, sid_len) + v16(sb, suites_len) + v8(comp, comp_len) +
            v16(exts, exts_len))


def server_hello(rng, suite=0xC02F, exts=None, exts_len=None, sid=None, sid_len=None):
    if exts is None:
        exts = ext(0xFF01, v8(b"")) + ext(23, b"")
    sid = rng.randbytes(32) if sid is None else sid
    return u16(0x0303) + rng.randbytes(32) + v8(sid, sid_len) + u16(suite) + b"\x00" + v16(exts, exts_len)


def certificate(ders, list_len=None, entry_lens=None):
    entries = b"".join(v24(d, None if entry_lens is None else entry_lens[i]) for i, d in enumerate(ders))
    return v24(entries, list_len)


def ske(rng):
    return b"\x03" + u16(0x1D) + v8(rng.randbytes(32)) + u16(0x0804) + v16(rng.randbytes(256))


def cert_request(dns, types=b"\x01\x40", sigalgs=(0x0804, 0x0403, 0x0401), list_len=None, dn_lens=None,
                 types_len=None, sigalgs_bytes=None):
    names = b"".join(v16(d, None if dn_lens is None else dn_lens[i]) for i, d in enumerate(dns))
    sa = b"".join(u16(a) for a in sigalgs) if sigalgs_bytes is None else sigalgs_bytes
    return v8(types, types_len) + v16(sa) + v16(names, list_len)


def server_flight(rng, certs=None, cr=None, sh=None):
    m = hs(2, server_hello(rng) if sh is None else sh) + hs(11, certificate(CHAIN if certs is None else certs))
    m += hs(12, ske(rng))
    if cr is not None:
        m += hs(13, cr)
    return recs(HANDSHAKE, m + hs(14, b""))


def finish(c, rng, close=True):
    """Client key exchange, both ChangeCipherSpec + Finished, data both ways, close_notify, FIN."""
    c.send(C, rec(HANDSHAKE, hs(16, v8(rng.randbytes(32)))) + rec(CCS, b"\x01") + rec(HANDSHAKE, rng.randbytes(40)))
    c.send(S, rec(CCS, b"\x01") + rec(HANDSHAKE, rng.randbytes(40)))
    c.send(C, rec(APPDATA, rng.randbytes(80)))
    c.send(S, rec(APPDATA, rng.randbytes(120)))
    c.send(C, rec(ALERT, rng.randbytes(26)))
    if close:
        c.close()


def good(cap, rng, cport=GOOD, conn=None, close=True, **kw):
    """A healthy TLS 1.2 handshake with the PKI's chain: must come out completed, no error."""
    c = conn or Conn(cap, cport, **kw)
    c.open()
    c.send(C, rec(HANDSHAKE, hs(1, client_hello(rng))))
    c.send(S, server_flight(rng))
    finish(c, rng, close)
    return c


def hello_only(cap, rng, cport, ch=None, **kw):
    c = Conn(cap, cport, **kw)
    c.open()
    f = c.send(C, rec(HANDSHAKE, hs(1, client_hello(rng) if ch is None else ch)))
    return c, f


# --------------------------------------------------------------------------------------------
# the cases
# --------------------------------------------------------------------------------------------
CASES = []   # (name, ext, opts, why, fn); fn(rng) -> (bytes, [checks])


def case(name, why, ext="pcap", opts=OPTS):
    def deco(fn):
        CASES.append((name, ext, opts, why, fn))
        return fn
    return deco


OK = "ok=%d" % GOOD
# a finding may not claim that checks found no fault in certificates that could not be analyzed
NO_FAULT_CLAIM = "no-text=found no fault against the trust store given"


# ---- file level ----

@case("file-not-a-capture", "a text file (with an ESC sequence in it) is not a capture: one line, exit 2", "txt")
def _(rng):
    return b"GET / HTTP/1.1\r\nHost: \x1b[2J\x1b]0;owned\x07example\r\n\r\n", ["exit=2", "stderr=not a pcap",
                                                                                 "stderr-max=1"]


@case("file-empty", "an empty file: one line, exit 2")
def _(rng):
    return b"", ["exit=2", "stderr=empty", "stderr-max=1"]


@case("file-header-only", "a pcap file header and no packet: nothing to report, exit 0")
def _(rng):
    return Capture().pcap(), ["exit=0", "no-stderr", "conns=0", "frames=0"]


@case("file-cut-mid-packet", "the file ends in the middle of a packet (and of its TLS record): "
      "what was read before is reported, the damage is named with its frame")
def _(rng):
    cap = Capture()
    good(cap, rng)
    c, _ = hello_only(cap, rng, 40001)
    f = c.send(S, server_flight(rng))[0]
    data = cap.pcap()
    cut = len(data) - sum(16 + len(r[4]) for r in cap.recs[f:]) - len(cap.recs[f - 1][4]) // 2
    return data[:cut], ["exit=0,1", OK, "stderr=frame %d" % f, "input-error", "frames=%d" % (f - 1), "stderr-max=1"]


@case("file-cut-record-header", "the file ends inside a packet record header")
def _(rng):
    cap = Capture()
    good(cap, rng)
    n = cap.frames
    return cap.pcap() + b"\x01\x02\x03\x04\x05\x06\x07", ["exit=0", OK, "stderr=frame %d" % (n + 1), "input-error",
                                                          "frames=%d" % n, "stderr-max=1"]


@case("file-caplen-over-snaplen", "a packet whose caplen (3,000) exceeds the file's snaplen (1,600): libpcap keeps "
      "the first 1,600 bytes, tlsdiag reports capture.snaplen")
def _(rng):
    cap = Capture(snaplen=1600)
    c, _ = hello_only(cap, rng, 40001)
    f = c.send(S, server_flight(rng), mss=3000)[0]
    c.close()
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "event=capture.snaplen@%d" % f, "stderr-max=0"]


@case("file-caplen-huge", "a packet record claiming a caplen of 2 GiB: libpcap refuses it; the packets before are "
      "analyzed and the frame is named")
def _(rng):
    cap = Capture()
    good(cap, rng)
    c, _ = hello_only(cap, rng, 40001)
    f = c.seg(S, ACK | PSH, b"\x16\x03\x03\x00\x10" + b"A" * 16)
    cap.recs[f - 1][2] = 0x7FFFFFFF
    cap.recs[f - 1][3] = 0x7FFFFFFF
    return cap.pcap(), ["exit=0,1", OK, "stderr=frame %d" % f, "input-error", "stderr-max=1"]


@case("file-caplen-over-len", "records whose caplen exceeds the original length (caplen > len, and len 0)")
def _(rng):
    cap = Capture()
    c = good(cap, rng)
    for r in cap.recs[3:8]:
        r[3] = 60          # origlen below caplen
    cap.recs[8][3] = 0
    return cap.pcap(), ["exit=0,1", "stderr-max=12"]


@case("file-zero-length", "zero-length packet records (caplen 0, len 0 and caplen 0, len 1514) among the packets")
def _(rng):
    cap = Capture()
    c = Conn(cap, GOOD)
    c.open()
    for i in range(6):
        cap.add(b"", origlen=0 if i % 2 else 1514)
    c.send(C, rec(HANDSHAKE, hs(1, client_hello(rng))))
    cap.add(b"")
    c.send(S, server_flight(rng))
    finish(c, rng)
    return cap.pcap(), ["exit=0", OK, "summary.truncated_packets=7", "stderr=frame 4", "stderr-max=10"]


@case("file-time-backwards", "timestamps that go backwards: to 1970, to 0xffffffff and 0x80000000 (libpcap reads "
      "them as signed: 1969 and 1901), back to 2026, and a microsecond field of 0xffffffff")
def _(rng):
    cap = Capture()
    good(cap, rng)
    times = [(T0 - 3600, 0), (0, 0), (T0 + 5, 0xFFFFFFFF), (0xFFFFFFFF, 999999), (0x80000000, 1), (T0, 5)]
    for i, r in enumerate(cap.recs[2:]):
        if i + 3 != 6:          # frame 6 carries the certificates: their validity is judged at its time
            r[0], r[1] = times[i % len(times)]
    n = cap.frames
    cap.usec = (T0 - 7200) * 1000000
    good(cap, rng, GOOD + 1)
    return cap.pcap(), ["exit=0", OK, "ok=%d" % (GOOD + 1), "conns=2", "no-stderr"]


def ng_records(cap):
    return [("pkt", 0, r) for r in cap.recs]


@case("file-pcapng-two-links", "a pcapng whose second interface is RAW while the first is EN10MB (libpcap 1.10 "
      "refuses such files): every packet is decoded by its own interface's link type, all three connections are "
      "reported", "pcapng")
def _(rng):
    cap = Capture()
    good(cap, rng)
    raw = Capture()
    raw.usec = cap.usec
    good(raw, rng, 40001)
    blocks = [("if", 1)] + ng_records(cap) + [("if", 101)]
    blocks += [("pkt", 1, [r[0], r[1], r[2] - 14, r[3] - 14, r[4][14:]]) for r in raw.recs]
    cap2 = Capture()
    cap2.usec = raw.usec
    good(cap2, rng, GOOD + 1)
    blocks += ng_records(cap2)
    return pcapng(blocks), ["exit=0", OK, "ok=40001", "ok=%d" % (GOOD + 1), "conns=3", "no-stderr",
                            "text=(EN10MB, RAW, %d frames)" % (cap.frames + raw.frames + cap2.frames)]


@case("file-pcapng-bad-interface", "a pcapng packet block naming an interface that was never described", "pcapng")
def _(rng):
    cap = Capture()
    good(cap, rng)
    n = cap.frames
    extra = Capture()
    extra.usec = cap.usec
    good(extra, rng, GOOD + 1)
    blocks = [("if", 1)] + ng_records(cap) + [("pkt", 7, extra.recs[0])] + ng_records(extra)[1:]
    return pcapng(blocks), ["exit=0,1", OK, "stderr=frame %d" % (n + 1), "input-error", "stderr-max=1"]


@case("file-caplen-huge-first", "the first packet record claims a caplen of 2 GiB: not one frame can be read, so "
      "the input is unusable: exit 2 with the reason, not an empty report")
def _(rng):
    cap = Capture()
    good(cap, rng)
    cap.recs[0][2] = cap.recs[0][3] = 0x7FFFFFFF
    return cap.pcap(), ["exit=2", "stderr=frame 1: invalid packet capture length 2147483647", "input-error",
                        "frames=0", "conns=0", "stderr-max=1"]


@case("file-pcapng-first-block-lies", "a pcapng whose first packet block claims a length of 4,294,967,280 bytes: "
      "not one frame can be read: exit 2 with the reason", "pcapng")
def _(rng):
    cap = Capture()
    good(cap, rng)
    lie = struct.pack("<II", 6, 0xFFFFFFF0) + bytes(20)
    return pcapng([("if", 1), ("raw", lie)] + ng_records(cap)), [
        "exit=2", "stderr=frame 1: enhanced packet block length 4294967280 exceeds the maximum", "input-error",
        "frames=0", "conns=0", "stderr-max=1"]


@case("file-pcapng-cut-mid-packet", "a pcapng that ends in the middle of an enhanced packet block: the connection "
      "before is reported, the damage names its frame and says that the file ended mid-packet", "pcapng")
def _(rng):
    cap = Capture()
    good(cap, rng)
    hello_only(cap, rng, 40001)
    data = pcapng([("if", 1)] + ng_records(cap))
    cut = len(data) - 4 - len(cap.recs[-1][4]) // 2   # half of the last packet's bytes are missing
    return data[:cut], ["exit=0,1", OK, "stderr=frame %d: truncated pcapng dump file" % cap.frames,
                        "stderr=the file ended mid-packet", "input-error", "frames=%d" % (cap.frames - 1),
                        "stderr-max=1"]


@case("file-pcapng-secrets", "a pcapng with Decryption Secrets Blocks (a TLS key log before the packets, another "
      "secrets type between them) and a custom block (no packet, but a frame to Wireshark): frames keep Wireshark's "
      "numbers", "pcapng")
def _(rng):
    cap = Capture()
    good(cap, rng)
    n = cap.frames
    cap2 = Capture()
    cap2.usec = cap.usec
    good(cap2, rng, GOOD + 1)
    keys = b"CLIENT_RANDOM " + rng.randbytes(32).hex().encode() + b" " + rng.randbytes(48).hex().encode() + b"\n"
    blocks = [("dsb", 0x544C534B, keys), ("if", 1)] + ng_records(cap)
    blocks += [("dsb", 0x57474B4C, rng.randbytes(40)), ("raw", pcapng_block(0x40000BAD, rng.randbytes(33)))]
    blocks += ng_records(cap2)
    return pcapng(blocks), ["exit=0", OK, "ok=%d" % (GOOD + 1), "conns=2", "no-stderr",
                            "frames=%d" % (n + 1 + cap2.frames), "text=(frames %d-%d," % (n + 2, n + 1 + cap2.frames)]


@case("file-pcapng-secrets-lie", "a Decryption Secrets Block whose secrets length runs past its block, after a "
      "healthy connection: reading stops there with a precise message", "pcapng")
def _(rng):
    cap = Capture()
    good(cap, rng)
    n = cap.frames
    lie = pcapng_block(10, struct.pack("<II", 0x544C534B, 4000) + b"CLIENT_RANDOM")
    return pcapng([("if", 1)] + ng_records(cap) + [("raw", lie)] + ng_records(cap)[:2]), [
        "exit=0", OK, "stderr=frame %d: decryption secrets block claims 4000 bytes of secrets but holds 16" % (n + 1),
        "input-error", "frames=%d" % n, "stderr-max=1"]


# ---- IP and TCP ----

@case("tcp-options-lying", "every packet of a healthy connection carries TCP options with lying lengths "
      "(0, 1, past the header): options are not data, the handshake completes")
def _(rng):
    cap = Capture()
    lies = [b"\x02\x00\x05\xb4", b"\x08\x01\x00\x00", b"\x03\x28\x07\x00", b"\x05\xff\x00\x00\x00\x00\x00\x00",
            b"\x1e\x02\x00\x00" + b"\x22" * 36]
    c = Conn(cap, GOOD)
    seg = c.seg
    n = [0]

    def lying_seg(side, flags, payload=b"", **kw):
        kw.setdefault("opts", lies[n[0] % len(lies)])
        n[0] += 1
        return seg(side, flags, payload, **kw)
    c.seg = lying_seg
    good(cap, rng, conn=c)
    return cap.pcap(), ["exit=0", OK, "no-stderr", "summary.invalid_packets=0"]


@case("tcp-doff-lies", "TCP data offsets beyond the packet, below 5 words, and beyond the captured bytes")
def _(rng):
    cap = Capture()
    c, _ = hello_only(cap, rng, 40001)
    f1 = c.seg(S, ACK | PSH, b"\x16\x03\x03", doff=15)                 # header longer than the IP payload
    f2 = c.seg(S, ACK | PSH, b"\x16\x03\x03\x00\x00", doff=3)          # below 20 bytes
    f3 = c.seg(S, ACK | PSH, b"\x00" * 40 + b"\x16\x03\x03\x00\x00", doff=15, caplen=54 + 30,
               origlen=54 + 20 + 45)                                    # options cut by the snaplen
    cap.recs[f3 - 1][4] = cap.recs[f3 - 1][4][:54 + 30]
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "summary.invalid_packets=2", "summary.truncated_packets=1",
                        "stderr=frame %d" % f1, "stderr=frame %d" % f2, "stderr-max=3"]


@case("ip-lies", "IPv4 headers with lying lengths (IHL 15 past the packet, total below the header, total past the "
      "frame) and an IPv6 payload length past the frame")
def _(rng):
    cap = Capture()
    c, _ = hello_only(cap, rng, 40001)
    t = tcp(c.ip[S], c.ip[C], 443, 40001, c.nxt[S], c.nxt[C], ACK, b"\x16\x03\x03\x00\x00")
    f1 = cap.add(eth(ip4(c.ip[S], c.ip[C], 6, t, ihl=15)))
    f2 = cap.add(eth(ip4(c.ip[S], c.ip[C], 6, t, total=12)))
    f3 = cap.add(eth(ip4(c.ip[S], c.ip[C], 6, t, total=1400)))
    v6 = struct.pack("!IHBB", 0x60000000, 4000, 6, 64) + b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x01" + \
        b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x02" + t
    f4 = cap.add(eth(v6, 0x86DD))
    v6x = struct.pack("!IHBB", 0x60000000, 16, 0, 64) + b"\0" * 32 + b"\x00\xff" + b"\0" * 14   # hop-by-hop too long
    f5 = cap.add(eth(v6x, 0x86DD))
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "summary.invalid_packets>=4", "stderr=frame %d" % f2, "stderr-max=6"]


@case("tcp-midstream-mid-record", "a connection captured without its SYN, starting in the middle of a TLS record on "
      "both sides: framing is recovered at the next record (tls.resync)")
def _(rng):
    cap = Capture()
    c = Conn(cap, 40001)
    ch = rec(HANDSHAKE, hs(1, client_hello(rng)))
    c.send(C, ch[37:])                         # mid-ClientHello
    fl = server_flight(rng)
    c.send(S, fl[1000:1448])                  # mid-Certificate
    c.send(S, fl[1448:])
    f1 = c.send(C, rec(HANDSHAKE, hs(16, v8(rng.randbytes(32)))) + rec(CCS, b"\x01") + rec(HANDSHAKE, rng.randbytes(40)))[0]
    c.send(S, rec(CCS, b"\x01") + rec(HANDSHAKE, rng.randbytes(40)))
    c.send(C, rec(APPDATA, rng.randbytes(80)))
    c.send(S, rec(APPDATA, rng.randbytes(120)))
    c.close()
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "event=tls.resync@%d" % f1, "stderr-max=0"]


@case("tcp-overlap-conflict", "out-of-order copies of the same bytes that differ (the first copy must win), and a "
      "retransmission of already delivered bytes with other content")
def _(rng):
    cap = Capture()
    c = Conn(cap, 40001)
    c.open()
    ch = rec(HANDSHAKE, hs(1, client_hello(rng)))
    base = c.nxt[C]
    a, b, d = ch[:60], ch[60:120], ch[120:]
    c.seg(C, ACK | PSH, d, seq=base + 120)                                 # ahead of a hole
    f = c.seg(C, ACK | PSH, bytes(x ^ 0x5A for x in d), seq=base + 120)   # same range, other bytes
    c.seg(C, ACK | PSH, b + bytes(x ^ 0xFF for x in d[:20]), seq=base + 60)  # fills, overlaps the queue
    c.seg(C, ACK | PSH, a, seq=base)                                       # fills the hole
    c.nxt[C] = base + len(ch)
    c.seg(C, ACK | PSH, b"\x15\x03\x03\x00\x02\x02\x28", seq=base)      # delivered range, other bytes
    c.send(S, server_flight(rng))
    finish(c, rng)
    good(cap, rng)
    return cap.pcap(), ["exit=0", OK, "ok=40001", "event=tcp.overlap_conflict@%d" % f, "stderr-max=0"]


@case("tcp-tuple-reuse", "one 4-tuple used three times: after a FIN, then again with a new ISN while the previous "
      "connection is still open (Wireshark starts a new tcp.stream each time)")
def _(rng):
    cap = Capture()
    good(cap, rng, GOOD, isn=1000)
    cap.usec += 3000000
    good(cap, rng, GOOD, isn=900000, close=False)
    good(cap, rng, GOOD, isn=77777777)
    return cap.pcap(), ["exit=0", "conns=3", "summary.completed=3", "summary.connections=3", "no-stderr"]


# ---- TLS records ----

@case("rec-too-long", "record lengths above 2^14+2048: in the first record of a side (not TLS), after a good "
      "record (tls.bad_record, then tls.resync), and 0xffff from the server")
def _(rng):
    cap = Capture()
    c = Conn(cap, 40001)
    c.open()
    c.send(C, rec(HANDSHAKE, rng.randbytes(64), length=0x4801))
    c.close()
    c, _ = hello_only(cap, rng, 40002)
    f1 = c.send(C, rec(HANDSHAKE, rng.randbytes(64), length=0x4801))[0]
    c.send(S, server_flight(rng))
    f2 = c.send(C, rec(HANDSHAKE, hs(16, v8(rng.randbytes(32)))) + rec(CCS, b"\x01") + rec(HANDSHAKE, rng.randbytes(40)))[0]
    c.close()
    c, _ = hello_only(cap, rng, 40003)
    f3 = c.send(S, rec(HANDSHAKE, hs(2, server_hello(rng))) + rec(HANDSHAKE, rng.randbytes(100), length=0xFFFF))[0]
    c.close()
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "event=tls.bad_record@%d" % f1, "event=tls.resync@%d" % f2,
                        "event=tls.bad_record@%d" % f3, "any-event=40001", "no-finding=40001:not-tls",
                        "stderr-max=0"]


@case("rec-bad-type-version", "records with content type 99, version 3.5 and version 2.3 after good records")
def _(rng):
    cap = Capture()
    c, _ = hello_only(cap, rng, 40001)
    f1 = c.send(C, rec(99, b"\x01\x02"))[0]
    c.send(S, server_flight(rng))
    f2 = c.send(S, rec(HANDSHAKE, b"\x0e\x00\x00\x00", ver=0x0305))[0]
    c.close()
    c, _ = hello_only(cap, rng, 40002)
    f3 = c.send(C, rec(ALERT, b"\x01\x00", ver=0x0203))[0]
    c.close()
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "event=tls.bad_record@%d" % f1, "event=tls.bad_record@%d" % f2,
                        "event=tls.bad_record@%d" % f3, "stderr-max=0"]


@case("rec-zero-length", "zero-length records of every type: handshake (between the fragments of a message), "
      "ChangeCipherSpec, alert, application data")
def _(rng):
    cap = Capture()
    c = Conn(cap, 40001)
    c.open()
    ch = hs(1, client_hello(rng))
    c.send(C, rec(HANDSHAKE, b"") + rec(HANDSHAKE, ch[:50]) + rec(HANDSHAKE, b"") * 3 + rec(HANDSHAKE, ch[50:]))
    c.send(S, server_flight(rng) + rec(ALERT, b"") + rec(CCS, b""))
    c.send(C, rec(APPDATA, b"") * 100)
    c.close()
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "stderr-max=0", "any-event=40001", "no-finding=40001:alert"]


@case("rec-longer-than-stream", "a record header claiming 16,000 bytes followed by only a 118-byte ClientHello, "
      "then FIN: the connection must still be reported, with an event")
def _(rng):
    cap = Capture()
    c = Conn(cap, 40001)
    c.open()
    c.send(C, rec(HANDSHAKE, hs(1, client_hello(rng)), length=16000))
    c.close()
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "reported=40001", "any-event=40001", "stderr-max=0"]


@case("rec-header-cut-at-end", "the last packet of the capture holds 3 bytes of a record header")
def _(rng):
    cap = Capture()
    good(cap, rng)
    c, _ = hello_only(cap, rng, 40001)
    c.send(S, server_flight(rng) + b"\x16\x03\x03")
    return cap.pcap(), ["exit=0,1", OK, "stderr-max=0"]


@case("rec-flood", "3,000 tiny records (750 each of warning alerts, heartbeats, hello requests, then "
      "ChangeCipherSpec): the timeline, alert and finding caps hold, the connection is still reported")
def _(rng):
    cap = Capture()
    c, _ = hello_only(cap, rng, 40001)
    c.send(S, server_flight(rng))
    c.send(S, (rec(ALERT, b"\x01\x70") + rec(HEARTBEAT, b"\x01\x00\x00") + rec(HANDSHAKE, hs(0, b""))) * 750 +
           rec(CCS, b"\x01") * 750, mss=1400)
    c.close()
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "stderr-max=0", "json=messages_not_listed"]


# ---- handshake message lengths ----

@case("hs-longer-than-record", "a ClientHello header claiming 4,096 bytes in a record of 100, followed by a "
      "ChangeCipherSpec record")
def _(rng):
    cap = Capture()
    c = Conn(cap, 40001)
    c.open()
    f = c.send(C, rec(HANDSHAKE, hs(1, client_hello(rng), length=4096)[:100]) + rec(CCS, b"\x01"))[0]
    c.close()
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "event=tls.malformed@%d" % f, "stderr-max=0"]


@case("hs-longer-than-stream", "a ClientHello of 60,000 bytes claimed, 20,000 sent in complete records, then FIN: "
      "an event must say the message was cut")
def _(rng):
    cap = Capture()
    c = Conn(cap, 40001)
    c.open()
    c.send(C, recs(HANDSHAKE, hs(1, rng.randbytes(20000), length=60000)))
    c.close()
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "reported=40001", "any-event=40001", "stderr-max=0"]


@case("hs-shorter-than-content", "a ClientHello whose length (40) is shorter than its content: the rest of the "
      "record is read as further messages")
def _(rng):
    cap = Capture()
    c = Conn(cap, 40001)
    c.open()
    f = c.send(C, rec(HANDSHAKE, hs(1, client_hello(rng), length=40)))[0]
    c.send(S, server_flight(rng))
    c.close()
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "event=tls.malformed@%d" % f, "stderr-max=0", "no-finding=40001:no-sni",
                        "no-text=offers up to 0x0000"]


@case("hs-16mb", "a Certificate message claiming 2^24-1 bytes: skipped, not stored (tls.handshake_too_long)")
def _(rng):
    cap = Capture()
    c, _ = hello_only(cap, rng, 40001)
    f = c.send(S, rec(HANDSHAKE, hs(2, server_hello(rng)) + hs(11, rng.randbytes(3000), length=0xFFFFFF)))[-1]
    c.send(S, recs(HANDSHAKE, rng.randbytes(20000)))
    c.close()
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "event=tls.handshake_too_long@%d" % f, "too-long-detail", "stderr-max=0",
                        NO_FAULT_CLAIM]


@case("hs-cap-boundary", "Certificate messages claiming exactly LIM_HANDSHAKE_MSG (262,144: kept) and one byte "
      "more (tls.handshake_too_long)")
def _(rng):
    cap = Capture()
    c, _ = hello_only(cap, rng, 40001)
    c.send(S, rec(HANDSHAKE, hs(2, server_hello(rng)) + hs(11, rng.randbytes(1000), length=262144)))
    c.close()
    c, _ = hello_only(cap, rng, 40002)
    f = c.send(S, rec(HANDSHAKE, hs(2, server_hello(rng)) + hs(11, rng.randbytes(1000), length=262145)))[0]
    c.close()
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "events=tls.handshake_too_long:1", "event=tls.handshake_too_long@%d" % f,
                        "too-long-detail", "stderr-max=0"]


@case("hs-total-cap", "70 concurrent connections each holding the start of a 250,000-byte Certificate: the total "
      "cap (LIM_HANDSHAKE_BYTES_TOTAL, 16 MiB) turns away the last 3, and says which cap it was")
def _(rng):
    cap = Capture()
    conns = []
    for i in range(70):
        c, _ = hello_only(cap, rng, 41000 + i)
        conns.append(c)
    frames = []
    for c in conns:
        frames.append(c.send(S, rec(HANDSHAKE, hs(2, server_hello(rng)) + hs(11, rng.randbytes(1000), length=250000)))[0])
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "events=tls.handshake_too_long:3"] + \
        ["event=tls.handshake_too_long@%d" % f for f in frames[67:]] + ["too-long-detail", "stderr-max=0"]


# ---- vectors inside messages ----

def ch_variants(cap, rng, variants, first_port=40001):
    frames = []
    for i, ch in enumerate(variants):
        c, f = hello_only(cap, rng, first_port + i, ch=ch)
        frames.append(f[0])
        c.send(S, rec(ALERT, b"\x02\x28"))
        c.close()
    good(cap, rng)
    return frames


@case("ch-vectors", "ClientHello vectors whose lengths lie: cipher_suites past the message, odd cipher_suites, "
      "compression_methods past the message, session_id of 33, extensions past the message, extensions shorter "
      "than their content, one extension body past the block")
def _(rng):
    cap = Capture()
    v = [client_hello(rng, suites_len=0xFFFE), client_hello(rng, suites_len=7), client_hello(rng, comp_len=200),
         client_hello(rng, sid=rng.randbytes(33)), client_hello(rng, exts_len=0x4000),
         client_hello(rng, exts_len=30), client_hello(rng, extra=ext(13, b"\x00\x10\x08\x04", length=500))]
    f = ch_variants(cap, rng, v)
    return cap.pcap(), ["exit=0,1", OK] + ["event=tls.malformed@%d" % x for x in f[:5] + f[6:]] + \
        ["event=tls.trailing_bytes@%d" % f[5], "stderr-max=0", "no-text=offers up to 0x0000"] + \
        ["no-finding=%d:no-sni" % p for p in (40001, 40002, 40003, 40004, 40005)]


@case("ch-sni-lies", "server_name extensions whose lengths lie: list past the extension, name past the list, name "
      "shorter than the list (a second, broken entry), extension length past the block, an empty name")
def _(rng):
    cap = Capture()
    n = b"server.example.test"
    v = [client_hello(rng, exts=sni_ext(n, list_len=300)), client_hello(rng, exts=sni_ext(n, name_len=400)),
         client_hello(rng, exts=sni_ext(n, name_len=5)), client_hello(rng, exts=sni_ext(n, ext_len=2000)),
         client_hello(rng, sni=b"")]
    f = ch_variants(cap, rng, v)
    return cap.pcap(), ["exit=0,1", OK] + ["event=tls.malformed@%d" % x for x in f[:4]] + ["stderr-max=0"] + \
        ["no-finding=%d:no-sni" % p for p in (40001, 40002, 40004)]


@case("ch-alpn-lies", "ALPN lists whose lengths lie: list past the extension, entry past the list, a 0-length entry")
def _(rng):
    cap = Capture()
    v = [client_hello(rng, extra=alpn_ext([b"h2", b"http/1.1"], list_len=100)),
         client_hello(rng, extra=ext(16, v16(b"\x02h2\xf0http/1.1"))),
         client_hello(rng, extra=alpn_ext([b"h2", b"", b"http/1.1"]))]
    f = ch_variants(cap, rng, v)
    return cap.pcap(), ["exit=0,1", OK, "event=tls.malformed@%d" % f[0], "event=tls.malformed@%d" % f[1],
                        "stderr-max=0"]


@case("sh-vectors", "ServerHello vectors whose lengths lie: session_id of 33, extensions past the message, one "
      "extension body past the block, a truncated message")
def _(rng):
    cap = Capture()
    shs = [server_hello(rng, sid=rng.randbytes(33)), server_hello(rng, exts_len=900),
           server_hello(rng, exts=ext(43, b"\x03\x04", length=40)), server_hello(rng)[:20]]
    frames = []
    for i, sh in enumerate(shs):
        c, _ = hello_only(cap, rng, 40001 + i)
        frames.append(c.send(S, rec(HANDSHAKE, hs(2, sh)))[0])
        c.close()
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK] + ["event=tls.malformed@%d" % f for f in frames] + ["stderr-max=0"] + \
        ["no-text=TLS_NULL_WITH_NULL_NULL", "no-finding=40004:no-server-hello"]


def with_certs(cap, rng, port, cert_body, close=True):
    c, _ = hello_only(cap, rng, port)
    f = c.send(S, recs(HANDSHAKE, hs(2, server_hello(rng)) + hs(11, cert_body) + hs(14, b"")))
    if close:
        c.close()
    return f[-1]


@case("cert-list-lies", "Certificate messages whose lengths lie: certificate_list past the message, an entry past "
      "the list, a list shorter than its entries")
def _(rng):
    cap = Capture()
    f1 = with_certs(cap, rng, 40001, certificate(CHAIN, list_len=50000))
    f2 = with_certs(cap, rng, 40002, certificate(CHAIN, entry_lens=[len(CHAIN[0]), 60000]))
    body = certificate(CHAIN)
    f3 = with_certs(cap, rng, 40003, u24(len(CHAIN[0]) + 3) + body[3:])
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "event=tls.malformed@%d" % f1, "event=tls.malformed@%d" % f2,
                        "event=tls.trailing_bytes@%d" % f3, "stderr-max=0"]


@case("cert-zero-length-entries", "a Certificate with three 0-length entries around a real certificate")
def _(rng):
    cap = Capture()
    f = with_certs(cap, rng, 40001, certificate([b"", CHAIN[0], b"", b""]))
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "event=tls.empty_certificate@%d" % f, "stderr-max=0"]


@case("cert-10000-entries", "a Certificate with 10,000 tiny entries (alternately 0 bytes and 3 bytes of DER): "
      "32 are analyzed, the rest counted (tls.too_many_certificates)")
def _(rng):
    cap = Capture()
    f = with_certs(cap, rng, 40001, certificate([b"" if i % 2 else b"\x30\x01\x00" for i in range(10000)]))
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "event=tls.too_many_certificates@%d" % f, "stderr-max=0"]


@case("cert-non-der", "certificates that are not DER: random bytes, a real certificate cut in half, a real one "
      "with trailing bytes inside its entry, an ASN.1 SEQUENCE claiming 2^31 bytes")
def _(rng):
    cap = Capture()
    ders = [rng.randbytes(500), CHAIN[0][:len(CHAIN[0]) // 2], CHAIN[0] + b"\x00" * 10,
            b"\x30\x84\x7f\xff\xff\xff" + rng.randbytes(40), CHAIN[1]]
    f = with_certs(cap, rng, 40001, certificate(ders))
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "events=x509.parse_error:3", "event=x509.parse_error@%d" % f,
                        "no-finding=40001:chain-untrusted", "stderr-max=0"]


WEIRD = [
    (OID_CN, UTF8, b"nul\x00inside.example.test"),
    (OID_CN, UTF8, b"bad \xff\xfe utf8 \xc3\x28 \xed\xa0\x80 \xf4\x90\x80\x80"),
    (OID_CN, UTF8, b"\x1b[2J\x1b]0;owned\x07\x1b[31mred"),
    (OID_O, PRINTABLE, b"line\nbreak\r\x7f"),
    (OID_OU, T61, b"c1 \x9b2J latin \xe9"),
    (OID_OU, IA5, b"\x1b[1;1H\x00ia5"),
    (OID_CN, BMP, b"\x00A\x00"),                       # odd length
    (OID_CN, UNIVERSAL, b"\x00\x11\x00\x00\x00\x00\x00\x41"),   # beyond U+10FFFF
    (OID_CN, UTF8, "\u202eevil\u0085next\u2028".encode()),    # bidi override, NEL (C1), line separator
]


PARSABLE = [WEIRD[i] for i in (0, 2, 3, 4, 5, 8)]    # OpenSSL's d2i accepts these names


@case("cert-subject-weird", "a server certificate whose subject and issuer hold an embedded NUL, ESC sequences, "
      "C1 controls, CR LF and DEL, Latin-1 in a T61String, a bidi override, and whose SAN holds ESC, NUL and "
      "invalid UTF-8: the JSON stays valid UTF-8, the text escapes every control byte")
def _(rng):
    cap = Capture()
    leaf = remake_cert(CHAIN[0], subject=dn(*PARSABLE), issuer=dn(*PARSABLE[::-1]),
                       san=[b"server.example.test", b"\x1b[2Jesc.example.test", b"nul\x00.example.test",
                            b"\xff\xfe.example.test"])
    c, _ = hello_only(cap, rng, 40001)
    c.send(S, server_flight(rng, certs=[leaf, CHAIN[1]]))
    finish(c, rng)
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "stderr-max=0", "no-raw-name", "text=\\x1b[2Jesc.example.test",
                        "no-json-value=DNS:nul"]


@case("cert-leaf-unparsable", "the server's first certificate has names OpenSSL refuses (invalid UTF-8, a BMPString "
      "of odd length, a UniversalString beyond U+10FFFF): x509.parse_error, and no finding about the leaf may be "
      "drawn from the intermediate that follows it")
def _(rng):
    cap = Capture()
    leaf = remake_cert(CHAIN[0], subject=dn(*WEIRD))
    c, _ = hello_only(cap, rng, 40001)
    f = c.send(S, server_flight(rng, certs=[leaf, CHAIN[1]]))[-1]
    finish(c, rng)
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "stderr-max=0", "event=x509.parse_error@%d" % f,
                        "no-finding=40001:hostname-mismatch", "no-finding=40001:cert-no-san",
                        "no-finding=40001:chain-untrusted", NO_FAULT_CLAIM]


@case("cr-dn-lies", "CertificateRequests whose lengths lie: DN list past the message, one DN past the list, a DN "
      "that is not a Name, a DN with trailing bytes, certificate_types past the message, odd signature algorithms")
def _(rng):
    cap = Capture()
    good_dn = dn((OID_O, UTF8, b"tlsdiag test PKI"), (OID_CN, UTF8, b"tlsdiag Test Root CA"))
    crs = [cert_request([good_dn], list_len=5000), cert_request([good_dn, good_dn], dn_lens=[len(good_dn), 3000]),
           cert_request([rng.randbytes(40), good_dn]), cert_request([good_dn + b"\x00\x00", b"\x30\x00"]),
           cert_request([good_dn], types_len=250), cert_request([good_dn], sigalgs_bytes=b"\x08\x04\x04")]
    frames = []
    for i, cr in enumerate(crs):
        c, _ = hello_only(cap, rng, 40001 + i)
        frames.append(c.send(S, server_flight(rng, cr=cr))[-1])
        c.close()
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "event=tls.malformed@%d" % frames[0], "event=tls.malformed@%d" % frames[1],
                        "event=tls.malformed@%d" % frames[4], "event=tls.malformed@%d" % frames[5], "stderr-max=0"]


@case("cr-dn-weird", "a CertificateRequest whose acceptable CA names hold embedded NULs, invalid UTF-8, ESC "
      "sequences, C1 controls and newlines; the client answers with an empty Certificate")
def _(rng):
    cap = Capture()
    names = [dn(w) for w in WEIRD] + [dn(*WEIRD)]
    c, _ = hello_only(cap, rng, 40001)
    c.send(S, server_flight(rng, cr=cert_request(names)))
    c.send(C, rec(HANDSHAKE, hs(11, certificate([])) + hs(16, v8(rng.randbytes(32)))))
    c.send(S, rec(ALERT, b"\x02\x28"))
    c.close()
    good(cap, rng)
    return cap.pcap(), ["exit=1", OK, "stderr-max=0", "no-raw-name"]


# ---- names and lists at their limits ----

@case("sni-escape", "an SNI full of terminal escapes (clear screen, window title, bell), CR LF, a NUL, invalid and "
      "overlong UTF-8 and C1 controls: escaped in the text, valid in the JSON")
def _(rng):
    cap = Capture()
    name = b"\x1b[2J\x1b[H\x1b]0;owned\x07evil\r\nX-Injected: 1\x00.example\xff\xc0\x80\xc2\x9b31m.test"
    c, _ = hello_only(cap, rng, 40001, ch=client_hello(rng, sni=name))
    c.send(S, server_flight(rng))
    finish(c, rng)
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "text=\\x1b[2J", "stderr-max=0", "sni=40001"]


@case("html-injection", "markup in every name the HTML report shows: an SNI, the leaf's subject and SAN, an "
      "acceptable CA name, and an HTTP request line to the TLS port, each trying to open a tag, leave an "
      "attribute or run a script: --format html writes them as text (tests/html.sh renders it in Chromium)")
def _(rng):
    cap = Capture()
    sni = b'"><script>alert(1)</script><svg onload=alert(2)>.example.test'
    leaf = remake_cert(CHAIN[0], subject=dn((OID_CN, UTF8, b"<img src=x onerror=alert(3)>"),
                                             (OID_O, UTF8, b"</td></tr></table><script>alert(4)</script>")),
                       san=[b"server.example.test", b"\"'><iframe src=//evil.example>", b"javascript:alert(5)"])
    ca = dn((OID_CN, UTF8, b"<b onmouseover=alert(6)>CA</b>&amp;"), (OID_O, UTF8, b"</style><style>*{}"))
    c, _ = hello_only(cap, rng, 40001, ch=client_hello(rng, sni=sni))
    c.send(S, server_flight(rng, certs=[leaf, CHAIN[1]], cr=cert_request([ca])))
    c.send(C, rec(HANDSHAKE, hs(11, certificate([])) + hs(16, v8(rng.randbytes(32)))))
    c.send(S, rec(ALERT, b"\x02\x28"))
    c.close()
    h = Conn(cap, 40002)
    h.open()
    h.send(C, b"GET /<script>alert(7)</script> HTTP/1.1\r\nHost: \"><img src=x onerror=alert(8)>\r\n\r\n")
    h.close()
    good(cap, rng)
    return cap.pcap(), ["exit=1", OK, "stderr-max=0"]


@case("sni-64k", "an SNI of 65,526 bytes (the largest the extension allows) in a ClientHello spread over five "
      "records, with a 2-byte UTF-8 character cut by the 512-byte cap: tls.name_too_long")
def _(rng):
    cap = Capture()
    label = b"a" * 62 + b"."
    name = (label * 9)[:511] + "\u00e9".encode() + (label * 1100)
    name = name[:65526]
    c = Conn(cap, 40001)
    c.open()
    f = c.send(C, recs(HANDSHAKE, hs(1, client_hello(rng, exts=sni_ext(name)))))[-1]
    c.send(S, server_flight(rng))
    finish(c, rng)
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "event=tls.name_too_long@%d" % f, "stderr-max=0", "sni=40001"]


@case("alpn-1000", "an ALPN list of 1,000 protocols, one with an ESC sequence")
def _(rng):
    cap = Capture()
    protos = [b"proto-%d" % i for i in range(1000)]
    protos[7] = b"\x1b[2Jh2"
    c, _ = hello_only(cap, rng, 40001, ch=client_hello(rng, extra=alpn_ext(protos)))
    c.send(S, server_flight(rng))
    finish(c, rng)
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "ok=40001", "stderr-max=0"]


@case("suites-30000", "a ClientHello offering 30,000 cipher suites (GREASE and unknown values among them)")
def _(rng):
    cap = Capture()
    suites = [(i * 7919) & 0xFFFF for i in range(29999)] + [0xC02F]
    c = Conn(cap, 40001)
    c.open()
    c.send(C, recs(HANDSHAKE, hs(1, client_hello(rng, suites=suites))))
    c.send(S, server_flight(rng))
    finish(c, rng)
    good(cap, rng)
    return cap.pcap(), ["exit=0,1", OK, "ok=40001", "stderr-max=0", "json=client_hello"]


# --------------------------------------------------------------------------------------------


def main(argv):
    if argv[1:2] == ["--list"]:
        print("\n".join(c[0] for c in CASES))
        return 0
    only = set(argv[1:])
    unknown = only - {c[0] for c in CASES}
    if unknown:
        sys.exit("make-hostile.py: unknown case(s): %s" % ", ".join(sorted(unknown)))
    lines = ["# cases.list - the hostile-capture cases, written by make-hostile.py (do not edit by hand).",
             "# name | capture | options | checks (';'-separated, see check.py) | what the case is",
             "# tests/hostile.sh runs each with -v and with --json --pretty, checks the invariants and the checks,",
             "# and compares with tests/expected/hostile-NAME.{txt,json} (hostile.sh --update NAME rewrites them).",
             ""]
    for i, (name, ext_, opts, why, fn) in enumerate(CASES):
        rng = random.Random(name)
        data, checks = fn(rng)
        path = os.path.join(HERE, "%s.%s" % (name, ext_))
        if not only or name in only:
            with open(path, "wb") as f:
                f.write(data)
        lines.append("%s | %s/%s.%s | %s | %s | %s" % (name, REL, name, ext_, opts, "; ".join(checks), why))
    with open(os.path.join(HERE, "cases.list"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
