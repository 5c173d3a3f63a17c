#!/usr/bin/env python3
"""stress-gen.py - stream large hostile captures (classic pcap, Ethernet) to standard output.

Python 3 standard library only.  Used by tests/stress.sh, piped into `tlsdiag -r -`, so nothing is
written to disk.  Packets of one kind have one size, so a block of thousands of them is built by
repeating a template and patching the fields that differ (timestamps, addresses, sequence numbers)
with strided slice assignment (bytearray[off::size] = lane): no per-byte Python loop, hundreds of MB/s.

    stress-gen.py synflood N        N SYNs from distinct 4-tuples: the first half at 10,000/s (the
                                    connection table overflows: eviction), the rest at 100/s (idle
                                    connections expire)
    stress-gen.py ooo BYTES         one connection: a ClientHello, then BYTES of garbage in segments
                                    that each leave a hole before them, never filled
    stress-gen.py appdata BYTES     one TLS 1.2 connection that completes, then BYTES of application
                                    data records (16 KiB, headers in the middle of segments)
    stress-gen.py hsflood CONNS     CONNS concurrent connections, each sending the first 200,000
                                    bytes of a 262,000-byte Certificate, interleaved segment by segment
    stress-gen.py frags N           N first fragments of IPv4 datagrams that never complete (each
                                    at offset 64,000, so every one would need a 64 KiB buffer), then
                                    a healthy connection
    stress-gen.py concurrent N      N TLS 1.2 handshakes in flight at once: each phase (ClientHello,
                                    ServerHello, Finished both ways, FIN) of all before the next
"""
import os
import struct
import sys
from array import array

T0 = 1767225600
REC = 16                        # pcap record header
ETH_IP_TCP = 54
OUT = sys.stdout.buffer.fileno() if hasattr(sys.stdout, "buffer") else 1


def write(b):
    view = memoryview(b)
    while view:
        n = os.write(OUT, view)
        view = view[n:]


def file_header():
    write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def packet(src, dst, sport, dport, seq, ack, flags, payload=b"", sec=T0, usec=0, ident=0, frag=0x4000):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), ident, frag, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    frame = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + tcp + payload
    return struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame


def lanes(values, big_endian=False):
    """The 4 byte lanes of an array of uint32: lanes[j] holds byte j of every value."""
    a = array("I", values)
    if (sys.byteorder == "little") == big_endian:
        a.byteswap()
    raw = a.tobytes()
    return [raw[j::4] for j in range(4)]


def patch32(buf, size, off, values, big_endian=False):
    for j, lane in enumerate(lanes(values, big_endian)):
        buf[off + j::size] = lane


def times(first, n, rate):
    """Timestamps (sec, usec lists) of packets first..first+n-1 at rate packets per second."""
    step = 1000000 // rate
    secs = [T0 + (first + i) // rate for i in range(n)]
    usecs = [((first + i) % rate) * step for i in range(n)]
    return secs, usecs


# TLS bits
def rec(ct, body):
    return struct.pack("!BHH", ct, 0x0303, len(body)) + body


def hs(t, body, length=None):
    return struct.pack("!I", (t << 24) | (len(body) if length is None else length)) + body


def client_hello():
    exts = struct.pack("!HHHBH", 0, 24, 22, 0, 19) + b"server.example.test"
    body = b"\x03\x03" + b"\x11" * 32 + b"\x00" + struct.pack("!H", 4) + b"\xc0\x2f\xc0\x30" + b"\x01\x00"
    return hs(1, body + struct.pack("!H", len(exts)) + exts)


def server_hello():
    return hs(2, b"\x03\x03" + b"\x22" * 32 + b"\x00\xc0\x2f\x00")


class Flow:
    def __init__(self, cport, cip=b"\x0a\x00\x00\x01", sip=b"\x0a\x00\x00\x02", sport=443):
        self.ip, self.port = [cip, sip], [cport, sport]
        self.nxt = [(cport * 2654435761) & 0xFFFFFFFF, (cport * 40503 + 7) & 0xFFFFFFFF]

    def pkt(self, side, flags, payload=b"", sec=T0, usec=0, seq=None):
        o = 1 - side
        s = self.nxt[side] if seq is None else seq
        p = packet(self.ip[side], self.ip[o], self.port[side], self.port[o], s, self.nxt[o], flags, payload, sec, usec)
        if seq is None:
            self.nxt[side] = (self.nxt[side] + len(payload) + (1 if flags & 3 else 0)) & 0xFFFFFFFF
        return p

    def open(self, sec=T0):
        return self.pkt(0, 2, sec=sec) + self.pkt(1, 0x12, sec=sec, usec=1) + self.pkt(0, 0x10, sec=sec, usec=2)

    def send(self, side, data, sec=T0, mss=1448):
        return b"".join(self.pkt(side, 0x18, data[i:i + mss], sec, i // mss) for i in range(0, len(data), mss))


def good_connection(cport, sec):
    """A short TLS 1.2 handshake (no certificate needed for the outcome) that completes."""
    f = Flow(cport)
    out = f.open(sec)
    out += f.send(0, rec(22, client_hello()), sec)
    out += f.send(1, rec(22, server_hello() + hs(14, b"")), sec)
    out += f.send(0, rec(22, hs(16, b"\x20" + b"\x33" * 32)) + rec(20, b"\x01") + rec(22, b"\x44" * 40), sec)
    out += f.send(1, rec(20, b"\x01") + rec(22, b"\x55" * 40), sec)
    # a request and its answer: a handshake closed without data is a refusal (rejected-after-handshake)
    out += f.send(0, rec(23, b"\x66" * 40), sec) + f.send(1, rec(23, b"\x77" * 40), sec)
    out += f.pkt(0, 0x11, sec=sec) + f.pkt(1, 0x11, sec=sec) + f.pkt(0, 0x10, sec=sec)
    return out


# ---- the streams ----

def synflood(n):
    file_header()
    size = REC + ETH_IP_TCP
    tmpl = packet(b"\x0a\x00\x00\x00", b"\xc0\x00\x02\x01", 40000, 443, 0x01020304, 0, 2)
    assert len(tmpl) == size
    block = 65536
    hi = bytes((i >> 8) & 0xFF for i in range(block))
    lo = bytes(i & 0xFF for i in range(block))
    half = n // 2
    first = 0
    while first < n:
        k = min(block, n - first)
        buf = bytearray(tmpl * k)
        b = first // block
        buf[REC + 14 + 12 + 1::size] = bytes([b & 0xFF]) * k       # source 10.B.x.y
        buf[REC + 14 + 12 + 2::size] = hi[:k]
        buf[REC + 14 + 12 + 3::size] = lo[:k]
        if first < half:
            secs, usecs = times(first, k, 10000)
        else:
            secs, usecs = times(first - half, k, 100)
            base = T0 + half // 10000 + 1
            secs = [s - T0 + base for s in secs]
        patch32(buf, size, 0, secs)
        patch32(buf, size, 4, usecs)
        write(buf)
        first += k


def ooo(total):
    file_header()
    f = Flow(40001)
    write(f.open() + f.send(0, rec(22, client_hello())))
    mss = 1448
    size = REC + ETH_IP_TCP + mss
    payload = b"\xaa" * mss                                         # never a TLS record header
    tmpl = packet(f.ip[0], f.ip[1], 40001, 443, 0, f.nxt[1], 0x18, payload)
    assert len(tmpl) == size
    base = (f.nxt[0] + 100000) & 0xFFFFFFFF                        # far ahead of next_seq
    n = total // mss
    block = 4096
    i = 0
    while i < n:
        k = min(block, n - i)
        buf = bytearray(tmpl * k)
        patch32(buf, size, REC + 14 + 20 + 4, [(base + (i + j) * 2 * mss) & 0xFFFFFFFF for j in range(k)], True)
        patch32(buf, size, 0, [T0 + 1 + (i + j) // 100000 for j in range(k)])
        patch32(buf, size, 4, [((i + j) % 100000) * 10 for j in range(k)])
        write(buf)
        i += k


def appdata(total):
    file_header()
    f = Flow(40002)
    out = f.open() + f.send(0, rec(22, client_hello()))
    out += f.send(1, rec(22, server_hello() + hs(14, b"")))
    out += f.send(0, rec(22, hs(16, b"\x20" + b"\x33" * 32)) + rec(20, b"\x01") + rec(22, b"\x44" * 40))
    out += f.send(1, rec(20, b"\x01") + rec(22, b"\x55" * 40))
    write(out)
    reclen = 16384 - 5                                               # 16 KiB per record with its header
    seg = 12288                                                      # 3 records = 4 segments
    pattern = rec(23, b"\x66" * reclen) * 3
    segs = [pattern[i:i + seg] for i in range(0, len(pattern), seg)]
    size = REC + ETH_IP_TCP + seg
    tmpls = [packet(f.ip[0], f.ip[1], 40002, 443, 0, f.nxt[1], 0x18, s) for s in segs]
    start = f.nxt[0]
    n = total // seg // 4 * 4
    block = 512                                                      # a multiple of 4: ~6 MB
    i = 0
    while i < n:
        k = min(block, n - i)
        buf = bytearray(b"".join(tmpls) * (k // 4))
        patch32(buf, size, REC + 14 + 20 + 4, [(start + (i + j) * seg) & 0xFFFFFFFF for j in range(k)], True)
        patch32(buf, size, 0, [T0 + 1 + (i + j) // 10000 for j in range(k)])
        patch32(buf, size, 4, [((i + j) % 10000) * 100 for j in range(k)])
        write(buf)
        i += k
    f.nxt[0] = (start + n * seg) & 0xFFFFFFFF
    write(f.pkt(0, 0x11, sec=T0 + 2 + n // 10000) + f.pkt(1, 0x11, sec=T0 + 2 + n // 10000))
    sys.stderr.write("appdata: %d records, %d bytes of application data\n" % (n // 4 * 3, n // 4 * 3 * reclen))


def hsflood(conns):
    file_header()
    flows = [Flow(41000 + i, cip=bytes([10, 1, i >> 8, i & 255])) for i in range(conns)]
    out = []
    for f in flows:
        out.append(f.open() + f.send(0, rec(22, client_hello())))
    write(b"".join(out))
    # each server: a record with the ServerHello and the start of a 262,000-byte Certificate, then
    # records that continue it, one 1,448-byte segment per connection per round
    body = bytes(range(256)) * 1024
    streams = []
    for f in flows:
        first = rec(22, server_hello() + hs(11, body[:1000], length=262000))
        rest = b"".join(rec(22, body[i:i + 16000]) for i in range(1000, 200000, 16000))
        streams.append(first + rest)
    mss = 1448
    rounds = max(len(s) for s in streams) // mss + 1
    for r in range(rounds):
        out = []
        for f, s in zip(flows, streams):
            part = s[r * mss:(r + 1) * mss]
            if part:
                out.append(f.pkt(1, 0x18, part, sec=T0 + 1, usec=r))
        write(b"".join(out))
    write(good_connection(50000, T0 + 2))


def concurrent(n):
    """n TLS 1.2 handshakes in flight at once: every phase of each before the next phase of any."""
    file_header()
    flows = [Flow(30000 + i % 30000, cip=bytes([10, 2, i >> 8 & 255, i & 255])) for i in range(n)]
    phases = [
        lambda f: f.open(T0) + f.send(0, rec(22, client_hello()), T0),
        lambda f: f.send(1, rec(22, server_hello() + hs(14, b"")), T0),
        lambda f: f.send(0, rec(22, hs(16, b"\x20" + b"\x33" * 32)) + rec(20, b"\x01") + rec(22, b"\x44" * 40), T0),
        lambda f: f.send(1, rec(20, b"\x01") + rec(22, b"\x55" * 40), T0),
        lambda f: f.send(0, rec(23, b"\x66" * 40), T0) + f.send(1, rec(23, b"\x77" * 40), T0),
        lambda f: f.pkt(0, 0x11, sec=T0) + f.pkt(1, 0x11, sec=T0) + f.pkt(0, 0x10, sec=T0),
    ]
    for phase in phases:
        write(b"".join(phase(f) for f in flows))


def frags(n):
    file_header()
    size = REC + 14 + 20 + 1480
    tmpl = bytearray(packet(b"\x0a\x02\x00\x01", b"\x0a\x00\x00\x02", 1, 2, 0, 0, 0)[:REC + 14])
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 1480, 0, 0x2000 | (64000 // 8), 64, 6, 0,
                     b"\x0a\x02\x00\x01", b"\x0a\x00\x00\x02")
    tmpl += ip + b"\x77" * 1480
    struct.pack_into("<II", tmpl, 8, size - REC, size - REC)
    block = 4096
    i = 0
    while i < n:
        k = min(block, n - i)
        buf = bytearray(bytes(tmpl) * k)
        ids = [(i + j) & 0xFFFF for j in range(k)]
        buf[REC + 14 + 4::size] = bytes(x >> 8 for x in ids)
        buf[REC + 14 + 5::size] = bytes(x & 0xFF for x in ids)
        buf[REC + 14 + 14::size] = bytes(((i + j) >> 16) & 0xFF for j in range(k))   # source 10.2.H.1
        patch32(buf, size, 0, [T0 + (i + j) // 1000 for j in range(k)])
        patch32(buf, size, 4, [((i + j) % 1000) * 1000 for j in range(k)])
        write(buf)
        i += k
    write(good_connection(50000, T0 + n // 1000 + 1))


def main(argv):
    if len(argv) != 3 or argv[1] not in ("synflood", "ooo", "appdata", "hsflood", "frags", "concurrent"):
        sys.exit(__doc__)
    globals()[argv[1]](int(argv[2]))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except BrokenPipeError:
        sys.exit(1)
