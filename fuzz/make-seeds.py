#!/usr/bin/env python3
"""make-seeds.py - (re)write the named seeds of fuzz/corpus/{tls,pcap,x509} from pcaps/ (stdlib only).

    python3 fuzz/make-seeds.py

The corpora also hold inputs found by fuzzing (named by their SHA-1, kept by -merge=1); this
script leaves those alone and only (re)writes its own files.

pcap: the small captures in pcaps/ (the big one cut to its first packets) and hand-made edge files.
tls:  every TCP connection of those captures in fuzz_tls's input format (see fuzz/README.md).
x509: the certificates of pcaps/certs as DER, alone and as chains with CertificateRequest DNs,
      in fuzz_x509's input format, plus bare DER Names.
"""
import base64
import glob
import gzip
import hashlib
import os
import struct
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(TOP, "fuzz", "corpus")
MAX_PCAP = 100 * 1024


WRITTEN = []


def put(kind, name, data):
    d = os.path.join(OUT, kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
    WRITTEN.append(os.path.join(d, name))


# ---------------------------------------------------------------------------- pcap reading

def read_pcap(raw):
    """(linktype, nsec, [(sec, frac, data)]) of a classic pcap, or None."""
    magic = raw[:4]
    kinds = {b"\xd4\xc3\xb2\xa1": ("<", False), b"\x4d\x3c\xb2\xa1": ("<", True),
             b"\xa1\xb2\xc3\xd4": (">", False), b"\xa1\xb2\x3c\x4d": (">", True)}
    if magic not in kinds:
        return None
    e, nsec = kinds[magic]
    linktype = struct.unpack(e + "I", raw[20:24])[0]
    pkts, o = [], 24
    while o + 16 <= len(raw):
        sec, frac, incl, _orig = struct.unpack(e + "IIII", raw[o:o + 16])
        if o + 16 + incl > len(raw):
            break
        pkts.append((sec, frac, raw[o + 16:o + 16 + incl]))
        o += 16 + incl
    return linktype, nsec, pkts


def pcap_bytes(linktype, pkts, nsec=False):
    out = [struct.pack("<IHHiIII", 0xa1b23c4d if nsec else 0xa1b2c3d4, 2, 4, 0, 0, 262144, linktype)]
    for sec, frac, data in pkts:
        out.append(struct.pack("<IIII", sec, frac, len(data), len(data)) + data)
    return b"".join(out)


def tcp_of(linktype, data):
    """(src, dst, sport, dport, seq, flags, payload) of an Ethernet/raw IPv4/IPv6 TCP packet."""
    if linktype == 1:
        et, o = struct.unpack(">H", data[12:14])[0], 14
        while et in (0x8100, 0x88a8):
            et, o = struct.unpack(">H", data[o + 2:o + 4])[0], o + 4
    elif linktype in (101, 228, 229):
        et, o = (0x86dd if data[:1] and data[0] >> 4 == 6 else 0x0800), 0
    else:
        return None
    if et == 0x0800:
        ihl = (data[o] & 15) * 4
        total = struct.unpack(">H", data[o + 2:o + 4])[0]
        if data[o + 9] != 6:
            return None
        src, dst, ip_end, o = data[o + 12:o + 16], data[o + 16:o + 20], o + total, o + ihl
    elif et == 0x86dd:
        plen = struct.unpack(">H", data[o + 4:o + 6])[0]
        if data[o + 6] != 6:
            return None
        src, dst, ip_end, o = data[o + 8:o + 24], data[o + 24:o + 40], o + 40 + plen, o + 40
    else:
        return None
    sport, dport, seq = struct.unpack(">HHI", data[o:o + 8])
    off, flags = data[o + 12] >> 4, data[o + 13]
    return src, dst, sport, dport, seq, flags, data[o + off * 4:ip_end]


# ---------------------------------------------------------------------------- tls seeds

def tls_seeds(name, raw):
    """One fuzz_tls input per TCP connection of a capture."""
    p = read_pcap(raw)
    if not p:
        return
    linktype, _nsec, pkts = p
    conns = {}
    for sec, _frac, data in pkts:
        try:
            t = tcp_of(linktype, data)
        except (IndexError, struct.error):
            continue
        if not t:
            continue
        src, dst, sport, dport, seq, flags, payload = t
        a, b = (src, sport), (dst, dport)
        key = (min(a, b), max(a, b))
        c = conns.setdefault(key, {"client": None, "syn": set(), "next": {}, "ops": [], "time": sec})
        if flags & 0x02:   # SYN: SYN alone says client
            if not flags & 0x10:
                c["client"] = a
            c["syn"].add(a)
            c["next"][a] = (seq + 1) & 0xffffffff
            continue
        if c["client"] is None:   # mid-stream: the TLS port is the server's
            c["client"] = a if dport in (443, 8443, 4433, 853, 993, 995, 465, 636) else b
        if not payload:
            continue
        nxt = c["next"].get(a)
        if nxt is None:
            nxt = seq
        delta = (seq - nxt) & 0xffffffff
        if delta >= 0x80000000:   # retransmission: only the new bytes
            old = (nxt - seq) & 0xffffffff
            if old >= len(payload):
                continue
            payload, seq = payload[old:], nxt
        elif delta:
            c["ops"].append((a, "gap", min(delta, 0x3fff)))
        c["ops"].append((a, "data", payload))
        c["next"][a] = (seq + len(payload)) & 0xffffffff
    for i, c in enumerate(conns.values()):
        if not c["ops"]:
            continue
        flags = 0
        server = None
        for ep in {op[0] for op in c["ops"]}:
            if ep != c["client"]:
                server = ep
        if c["client"] not in c["syn"]:
            flags |= 1
        if server is not None and server not in c["syn"]:
            flags |= 2
        out = [bytes([flags]), struct.pack(">I", c["time"])]
        for ep, kind, v in c["ops"]:
            side = 0 if ep == c["client"] else 0x8000
            if kind == "gap":
                out.append(struct.pack(">H", side | 0x4000 | v))
                continue
            for k in range(0, len(v), 0x3fff):
                part = v[k:k + 0x3fff]
                out.append(struct.pack(">H", side | len(part)) + part)
        put("tls", "%s-%d" % (name, i), b"".join(out))


# ---------------------------------------------------------------------------- DER helpers

def der_tlv(b, o):
    """(tag, header length, content length) at o."""
    tag, l = b[o], b[o + 1]
    if l < 0x80:
        return tag, 2, l
    n = l & 0x7f
    return tag, 2 + n, int.from_bytes(b[o + 2:o + 2 + n], "big")


def cert_names(der):
    """(issuer, subject, notBefore) DER of a certificate."""
    _, h, _ = der_tlv(der, 0)          # Certificate
    o = h
    _, h, _ = der_tlv(der, o)          # tbsCertificate
    o += h
    fields = []
    while len(fields) < 7:
        tag, h, l = der_tlv(der, o)
        fields.append(der[o:o + h + l])
        o += h + l
    if fields[0][0] != 0xa0:           # no version: v1
        fields.insert(0, b"")
    validity = fields[4]
    _, vh, _ = der_tlv(validity, 0)
    _, th, tl = der_tlv(validity, vh)
    nb = validity[vh + th:vh + th + tl].decode()
    return fields[3], fields[5], nb


def unix_time(asn1):
    import calendar
    import time
    fmt = "%y%m%d%H%M%SZ" if len(asn1) == 13 else "%Y%m%d%H%M%SZ"
    return calendar.timegm(time.strptime(asn1, fmt))


def pem_certs(path):
    out, cur = [], None
    for line in open(path):
        line = line.strip()
        if line == "-----BEGIN CERTIFICATE-----":
            cur = []
        elif line == "-----END CERTIFICATE-----" and cur is not None:
            out.append(base64.b64decode("".join(cur)))
            cur = None
        elif cur is not None:
            cur.append(line)
    return out


def x509_input(flags, more, alert, t, server, client, dns, host):
    b = [bytes([flags | len(server) | len(client) << 3, more, alert]), struct.pack(">I", t)]
    for der in server + client:
        b.append(struct.pack(">H", len(der)) + der)
    dnl = b"".join(struct.pack(">H", len(d)) + d for d in dns)
    b.append(struct.pack(">H", len(dnl)) + dnl)
    b.append(struct.pack(">H", len(host)) + host)
    return b"".join(b)


def x509_seeds():
    cdir = os.path.join(TOP, "pcaps", "certs")
    certs = {}
    for path in sorted(glob.glob(os.path.join(cdir, "*.crt"))):
        certs[os.path.basename(path)[:-4]] = pem_certs(path)[0]
    # around the captures' time: a day after the server certificate's notBefore
    t = unix_time(cert_names(certs["server"])[2]) + 86400
    for name, der in certs.items():
        put("x509", "cert-" + name, x509_input(0, 0x42, 40, t, [der], [], [], b"localhost"))
        issuer, subject, _ = cert_names(der)
        put("x509", "dn-subject-" + name, x509_input(0, 0x01, 0, t, [subject], [], [subject, issuer], b""))
    for path in sorted(glob.glob(os.path.join(cdir, "*chain*.pem"))):
        chain = pem_certs(path)
        name = os.path.basename(path)[:-4]
        put("x509", "chain-" + name, x509_input(0, 0x46, 0, t, chain[:7], [], [], b"localhost"))
    ca = [cert_names(certs[n])[1] for n in ("root-ca", "intermediate-ca", "other-ca")]
    server = pem_certs(os.path.join(cdir, "server-chain.pem"))
    # mTLS: client chains against the CertificateRequest's CA list, completed or refused
    put("x509", "mtls-ok", x509_input(0, 0x43, 0, t, server, [certs["client"]], ca[:2], b"localhost"))
    put("x509", "mtls-ca-mismatch", x509_input(0, 0x13, 48, t, server, [certs["other-client"]], ca[:1],
                                               b"localhost"))
    put("x509", "mtls-no-clientauth", x509_input(0x80, 0x13, 43, t, server, [certs["client-no-clientauth"]],
                                                 ca, b"localhost"))
    put("x509", "mtls-empty", x509_input(0x80, 0x13, 116, t, server, [], ca, b"localhost"))
    put("x509", "tls13-hostname", x509_input(0x40, 0xc6, 0, t, server, [], [], b"wrong.example"))
    put("x509", "ip-host", x509_input(0, 0x06, 0, t, [certs["server"]], [], [], b"127.0.0.1"))
    put("x509", "expired-at", x509_input(0, 0x82, 45, t + 10 * 365 * 86400, [certs["server-expired"]], [], [],
                                         b"localhost"))


# ---------------------------------------------------------------------------- hand-made captures

def eth_ipv4_tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", frag=None):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    ipid, off = (0x1234, 0) if frag is None else (0x4321, frag)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ipid, off, 64, 6, 0, bytes(src), bytes(dst))
    return b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00" + ip + tcp


def edge_captures(client_hello):
    c, s = [10, 0, 0, 1], [10, 0, 0, 2]
    hs = [eth_ipv4_tcp(c, s, 40000, 443, 100, 0, 0x02), eth_ipv4_tcp(s, c, 443, 40000, 500, 101, 0x12),
          eth_ipv4_tcp(c, s, 40000, 443, 101, 501, 0x10)]
    put("pcap", "edge-header-only", pcap_bytes(1, []))
    put("pcap", "edge-unsupported-linktype", pcap_bytes(147, [(1, 0, b"\x00" * 40)]))
    put("pcap", "edge-truncated-record", pcap_bytes(1, [(1, 0, hs[0])])[:-10])
    pk = [(1700000000, i, p) for i, p in enumerate(hs)]
    ch = eth_ipv4_tcp(c, s, 40000, 443, 101, 501, 0x18, client_hello)
    put("pcap", "edge-ch-then-rst", pcap_bytes(1, pk + [(1700000000, 9, ch),
        (1700000001, 0, eth_ipv4_tcp(s, c, 443, 40000, 501, 101 + len(client_hello), 0x14))]))
    # the ClientHello in two IPv4 fragments
    seg = struct.pack(">HHIIBBHHH", 40000, 443, 101, 501, 5 << 4, 0x18, 65535, 0, 0) + client_hello
    cut = (len(seg) // 2) & ~7
    frags = []
    for off, more, part in ((0, 0x2000, seg[:cut]), (cut // 8, 0, seg[cut:])):
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(part), 0x77, more | off, 64, 6, 0, bytes(c), bytes(s))
        frags.append((1700000000, 20 + len(frags), b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00" + ip + part))
    put("pcap", "edge-ipv4-fragments", pcap_bytes(1, pk + frags))
    # the same bytes, in nanosecond pcap and gzip
    put("pcap", "edge-nsec", pcap_bytes(1, pk + [(1700000000, 999999999, ch)], nsec=True))
    put("pcap", "edge-gzip", gzip.compress(pcap_bytes(1, pk + [(1700000000, 9, ch)]), mtime=0))
    # pcapng: an Ethernet and a raw IP interface, a key log, a custom block; big-endian, nanoseconds
    for order, name in (("<", "edge-pcapng-two-links"), (">", "edge-pcapng-big-endian")):
        def blk(t, body):
            body += b"\0" * (-len(body) % 4)
            return struct.pack(order + "II", t, 12 + len(body)) + body + struct.pack(order + "I", 12 + len(body))
        def epb(ifid, ts, data):
            return blk(6, struct.pack(order + "IIIII", ifid, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data)) + data)
        ng = blk(0x0A0D0D0A, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1))
        nsec = struct.pack(order + "HH", 9, 1) + b"\x09\0\0\0"   # if_tsresol 10^-9
        ng += blk(1, struct.pack(order + "HHI", 1, 0, 0) + nsec)
        ng += blk(1, struct.pack(order + "HHI", 101, 0, 65535) + nsec)
        ng += blk(10, struct.pack(order + "II", 0x544C534B, 20) + b"CLIENT_RANDOM 00 11\n")
        ng += b"".join(epb(i % 2, 1700000000 * 10 ** 9 + i, p if i % 2 == 0 else p[14:]) for i, p in enumerate(hs))
        ng += blk(0x40000BAD, struct.pack(order + "I", 32473) + b"custom")
        ng += epb(0, 1700000000 * 10 ** 9 + 9, ch)
        put("pcap", name, ng)
    # the modified (Kuznetzov) pcap: 24-byte record headers
    kz = struct.pack("<IHHiIII", 0xA1B2CD34, 2, 4, 0, 0, 65535, 1)
    for sec, usec, p in pk + [(1700000000, 9, ch)]:
        kz += struct.pack("<IIIIIHBB", sec, usec, len(p), len(p), 1, 0x0800, 0, 0) + p
    put("pcap", "edge-modified-pcap", kz)


def main():
    first_ch = None
    for path in sorted(glob.glob(os.path.join(TOP, "pcaps", "*.pcap*"))):
        name = os.path.basename(path)
        raw = open(path, "rb").read()
        if len(raw) > MAX_PCAP:   # keep its first packets
            p = read_pcap(raw)
            raw = pcap_bytes(p[0], p[2][:60], p[1])
        put("pcap", name, raw)
        if name.endswith(".gz"):
            raw = gzip.decompress(raw)
        tls_seeds(name.split(".")[0], raw)
        if name == "mtls-ok.pcap":
            p = read_pcap(raw)
            for _s, _f, data in p[2]:
                t = tcp_of(p[0], data)
                if t and t[6][:1] == b"\x16" and t[6][5:6] == b"\x01":
                    first_ch = t[6]
                    break
    edge_captures(first_ch)
    x509_seeds()
    # drop duplicates among the seeds (the variants share their TLS bytes)
    seen = set()
    for f in WRITTEN:
        h = hashlib.sha1(open(f, "rb").read()).digest()
        if h in seen:
            os.unlink(f)
        seen.add(h)
    for kind in ("tls", "pcap", "x509"):
        files = glob.glob(os.path.join(OUT, kind, "*"))
        print("%-5s %3d files, %d bytes" % (kind, len(files), sum(os.path.getsize(f) for f in files)))


if __name__ == "__main__":
    sys.exit(main())
