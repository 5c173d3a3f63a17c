#!/usr/bin/env python3
"""pcaptool.py -- helper of make-pcaps.sh (tlsdiag test bench).  Python 3 standard library only.

Two jobs:

1. Make capture VARIANTS from real captures (classic pcap in, classic pcap out).  Only link-layer
   headers, file headers, packet order and packet selection are edited; TLS bytes are never forged.

     pcaptool.py vlan|qinq|rawip|null|bigendian   IN OUT
     pcaptool.py reorder      IN OUT PORT   swap the first two data segments of the server's first
                                            flight, and add a duplicate (retransmission) of one
     pcaptool.py drop-cert    IN OUT PORT   remove the segment carrying the start of the server's
                                            Certificate message (capture loss)
     pcaptool.py drop-client-cert IN OUT PORT  remove the client's Certificate message (a client
                                            that skips it instead of sending an empty one)
     pcaptool.py dup          IN OUT        every packet twice (tcpdump -i any on a router: TTL-1)
     pcaptool.py dup-rewrite  IN OUT PORT DELTA  every packet twice, the client's sequence numbers
                                            moved by DELTA in one copy (a firewall that rewrites ISNs)
     pcaptool.py drop         IN OUT FRAME  remove one frame (capture loss of that segment)
     pcaptool.py midstream    IN OUT N      drop the first N frames (no SYN / no ClientHello)
     pcaptool.py cut          IN OUT FRAME  write the file cut off in the middle of FRAME's record

2. Dissect captures WITH TSHARK and turn each TCP connection into a signature string such as
     C:SYN S:SYNACK C:ACK... C:CH S:SH S:CERT[2] S:SKE S:CR[1] S:SHD C:CERT[0] C:CKE C:CCS C:ENC_HS
     S:ALERT[fatal:handshake_failure] S:FIN C:FIN
   then check it against the scenario's expectations, and print/record per-frame summaries.

     pcaptool.py summary FILE PORTS          human-readable per-connection summary (PORTS as in
                                             expectations.txt: 443,8443 or 23001/smtp, 23031/heuristic)
     pcaptool.py check   SPECFILE [README]   verify every file listed in SPECFILE (expectations.txt);
                                             with README: then rewrite the generated table in it

Token legend (C: client->server, S: server->client):
   SYN SYNACK FIN RST                 TCP control segments
   CH SH HRR CERT[n] SKE CR[n] SHD CKE CV NST CS EE FIN_HS
                                      plaintext handshake messages (n = certificates in a Certificate
                                      message / CA names in a CertificateRequest)
   ENC_HS                             encrypted handshake record (TLS 1.2 Finished, renegotiation)
   CCS                                ChangeCipherSpec record
   APP                                application_data record (in TLS 1.3 also every encrypted
                                      handshake message and alert: the outer type is always 23)
   ALERT[level:description]           plaintext alert;   ENC_ALERT  encrypted alert (TLS 1.2)
   HTTP_REQ[GET] HTTP_RESP[400] DATA  non-TLS payload (HTTP_* also HTTP/1.x inside decrypted TLS)
   H2_REQ[GET] H2_RESP[400]           HTTP/2 HEADERS (:method, :status) inside decrypted TLS
   H2_GOAWAY[PROTOCOL_ERROR]          HTTP/2 GOAWAY and its error code (RFC 9113 §7) in decrypted TLS
   clear-text phase before STARTTLS, from tshark's dissector of the port's `PORT/PROTO` (see check):
   SMTP[EHLO] SMTP[220]  POP[STLS] POP[+OK]  FTP[AUTH] FTP[234]   command word / reply code
   IMAP[STARTTLS] IMAP[OK] IMAP[*OK]  command / tagged status / untagged line (* and its word)
   XMPP[stream] XMPP[starttls] XMPP[proceed]   the XMPP elements tshark names
   MYSQL[server_greeting:ssl] MYSQL[login_request:ssl]  (:ssl = capability CLIENT_SSL set; the
                                      login request cut short with it is the SSLRequest)
   PGSQL[SSL_request] PGSQL[Startup_message] ...  pgsql.type, spaces as _;  PGSQL[S] PGSQL[N]
                                      the server's one-byte answer to an SSL request (tshark 4.0
                                      gives it no field: read here from the TCP payload)
   LDAP[extendedReq:StartTLS] LDAP[extendedResp:success] LDAP[unbindRequest]  protocolOp (and
                                      resultCode)
   PROXY[v1] PROXY[v2]                PROXY protocol header (tshark's heuristic dissector)
"""
import json
import os
import re
import struct
import subprocess
import sys

# --------------------------------------------------------------------------------------------
# classic pcap reading / writing
# --------------------------------------------------------------------------------------------
LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_RAW = 0, 1, 101


class Pcap:
    def __init__(self, linktype=LINKTYPE_ETHERNET, snaplen=262144, nsec=False, endian="<"):
        self.linktype, self.snaplen, self.nsec, self.endian = linktype, snaplen, nsec, endian
        self.packets = []  # [sec, frac, origlen, data]

    @classmethod
    def read(cls, path):
        raw = open(path, "rb").read()
        magic = raw[:4]
        table = {b"\xd4\xc3\xb2\xa1": ("<", False), b"\x4d\x3c\xb2\xa1": ("<", True),
                 b"\xa1\xb2\xc3\xd4": (">", False), b"\xa1\xb2\x3c\x4d": (">", True)}
        if magic not in table:
            sys.exit(f"{path}: not a classic pcap file")
        e, nsec = table[magic]
        _, _, _, _, snaplen, linktype = struct.unpack(e + "HHiIII", raw[4:24])
        p = cls(linktype, snaplen, nsec, e)
        off = 24
        while off + 16 <= len(raw):
            sec, frac, caplen, origlen = struct.unpack(e + "IIII", raw[off:off + 16])
            off += 16
            if off + caplen > len(raw):
                sys.exit(f"{path}: truncated record")
            p.packets.append([sec, frac, origlen, raw[off:off + caplen]])
            off += caplen
        return p

    def header(self):
        magic = 0xA1B23C4D if self.nsec else 0xA1B2C3D4
        return struct.pack(self.endian + "IHHiIII", magic, 2, 4, 0, 0, self.snaplen, self.linktype)

    def record(self, pkt):
        sec, frac, origlen, data = pkt
        return struct.pack(self.endian + "IIII", sec, frac, len(data), origlen) + data

    def write(self, path):
        with open(path, "wb") as f:
            f.write(self.header())
            for pkt in self.packets:
                f.write(self.record(pkt))

    def ts(self, pkt):
        return pkt[0] + pkt[1] / (1e9 if self.nsec else 1e6)

    def set_ts(self, pkt, t):
        sec = int(t)
        pkt[0], pkt[1] = sec, int(round((t - sec) * (1e9 if self.nsec else 1e6)))


def eth_tcp(data):
    """Parse Ethernet/IPv4|IPv6/TCP -> dict or None."""
    if len(data) < 14:
        return None
    et = struct.unpack("!H", data[12:14])[0]
    ip = data[14:]
    if et == 0x0800:
        ihl = (ip[0] & 15) * 4
        if ip[9] != 6:
            return None
        tot = struct.unpack("!H", ip[2:4])[0]
        src, dst, tcp = ip[12:16], ip[16:20], ip[ihl:tot]
    elif et == 0x86DD:
        if ip[6] != 6:
            return None
        plen = struct.unpack("!H", ip[4:6])[0]
        src, dst, tcp = ip[8:24], ip[24:40], ip[40:40 + plen]
    else:
        return None
    sport, dport, seq, ack, offflags = struct.unpack("!HHIIH", tcp[:14])
    doff = (offflags >> 12) * 4
    return {"src": src, "dst": dst, "sport": sport, "dport": dport, "seq": seq, "ack": ack,
            "flags": offflags & 0x3F, "payload": tcp[doff:]}


def raw_cert_requests(path, port):
    """Independent of tshark: reassemble each server->client TCP stream of an Ethernet capture,
    walk its plaintext TLS records and return, per CertificateRequest, a dict with the number of
    CA names, the message length, how many records and which frames (1-based) carry it."""
    p = Pcap.read(path)
    port = int(port)
    conns = {}                          # client port -> {"isn":, "segs": [(off, payload, frame)]}
    for i, pkt in enumerate(p.packets):
        t = eth_tcp(pkt[3])
        if not t or t["sport"] != port:
            continue
        c = conns.setdefault(t["dport"], {"isn": None, "segs": []})
        if t["flags"] & 0x02:
            c["isn"] = t["seq"]
        elif t["payload"] and c["isn"] is not None:
            c["segs"].append(((t["seq"] - c["isn"] - 1) & 0xFFFFFFFF, t["payload"], i + 1))
    out = []
    for cport, c in sorted(conns.items()):
        stream, owner = bytearray(), []          # owner[k] = frame that carried stream byte k
        for off, pl, fr in sorted(c["segs"]):
            if off + len(pl) <= len(stream):
                continue                     # retransmission
            pl = pl[len(stream) - off:] if off < len(stream) else pl
            if off > len(stream):
                break                        # gap: stop at capture loss
            stream += pl
            owner += [fr] * len(pl)
        off, hs, hs_pos = 0, bytearray(), []     # handshake bytes and their stream offsets
        rec_of = []                              # record index of each handshake byte
        nrec = 0
        while off + 5 <= len(stream):
            ctype, _, ln = struct.unpack("!BHH", stream[off:off + 5])
            if ctype == 20:                      # ChangeCipherSpec: the rest is encrypted
                break
            if ctype == 22:
                hs += stream[off + 5:off + 5 + ln]
                hs_pos += range(off + 5, off + 5 + ln)
                rec_of += [nrec] * ln
            nrec += 1
            off += 5 + ln
        j = 0
        while j + 4 <= len(hs):
            mtype, mlen = hs[j], int.from_bytes(hs[j + 1:j + 4], "big")
            if j + 4 + mlen > len(hs):
                break
            if mtype == 13:
                body = hs[j + 4:j + 4 + mlen]
                k = 1 + body[0]                          # certificate_types
                k += 2 + int.from_bytes(body[k:k + 2], "big")   # signature_algorithms
                dn_total = int.from_bytes(body[k:k + 2], "big")
                k += 2
                end, names = k + dn_total, 0
                while k < end:
                    k += 2 + int.from_bytes(body[k:k + 2], "big")
                    names += 1
                first, last = hs_pos[j], hs_pos[j + 4 + mlen - 1]
                out.append({"client_port": cport, "names": names, "msg_len": mlen,
                            "dnames_len": dn_total,
                            "records": rec_of[j + 4 + mlen - 1] - rec_of[j] + 1,
                            "frames": sorted(set(owner[first:last + 1]))})
            j += 4 + mlen
    return out


# --------------------------------------------------------------------------------------------
# variants
# --------------------------------------------------------------------------------------------
def v_vlan(inp, out):
    """Insert an 802.1Q tag (VLAN 100, priority 0) after the MAC addresses."""
    p = Pcap.read(inp)
    for pkt in p.packets:
        d = pkt[3]
        pkt[3] = d[:12] + struct.pack("!HH", 0x8100, 100) + d[12:]
        pkt[2] += 4
    p.write(out)


def v_qinq(inp, out):
    """802.1ad QinQ: outer S-tag 0x88a8 VLAN 200, inner C-tag 0x8100 VLAN 100."""
    p = Pcap.read(inp)
    for pkt in p.packets:
        d = pkt[3]
        pkt[3] = d[:12] + struct.pack("!HHHH", 0x88A8, 200, 0x8100, 100) + d[12:]
        pkt[2] += 8
    p.write(out)


def v_rawip(inp, out):
    """LINKTYPE_RAW (101): the packet starts with the IP header."""
    p = Pcap.read(inp)
    p.linktype = LINKTYPE_RAW
    for pkt in p.packets:
        pkt[3] = pkt[3][14:]
        pkt[2] -= 14
    p.write(out)


def v_null(inp, out):
    """LINKTYPE_NULL (0, BSD loopback): 4-byte address family in the byte order of the file
    (the writing host's), AF_INET = 2 (IPv4 only; AF_INET6 differs between BSDs)."""
    p = Pcap.read(inp)
    p.linktype = LINKTYPE_NULL
    for pkt in p.packets:
        et = struct.unpack("!H", pkt[3][12:14])[0]
        assert et == 0x0800, "NULL variant only for IPv4"
        pkt[3] = struct.pack(p.endian + "I", 2) + pkt[3][14:]
        pkt[2] -= 10
    p.write(out)


def v_bigendian(inp, out):
    """Same packets, file and record headers written big-endian (as on SPARC/PowerPC)."""
    p = Pcap.read(inp)
    p.endian = ">"
    p.write(out)


def server_segments(p, port):
    """Indices of payload-carrying server->client segments, grouped into flights (a flight ends
    when the client sends payload)."""
    flights, cur = [], []
    for i, pkt in enumerate(p.packets):
        t = eth_tcp(pkt[3])
        if not t or not t["payload"]:
            continue
        if t["sport"] == port:
            cur.append(i)
        elif cur:
            flights.append(cur)
            cur = []
    if cur:
        flights.append(cur)
    return flights


def v_reorder(inp, out, port):
    """Swap the first two data segments of the server's first multi-segment flight (timestamps
    stay in place: the capture point saw them out of order), then insert a duplicate of the
    first of them right after its (new) position, timestamped between its neighbours."""
    p = Pcap.read(inp)
    port = int(port)
    flight = next(f for f in server_segments(p, port) if len(f) >= 2)
    a, b = flight[0], flight[1]
    ts_a, ts_b = p.packets[a][:2], p.packets[b][:2]
    p.packets[a], p.packets[b] = p.packets[b], p.packets[a]
    p.packets[a][:2], p.packets[b][:2] = ts_a, ts_b
    dup = list(p.packets[b])            # the segment that was first in sequence, now at b
    if b + 1 < len(p.packets):
        t = (p.ts(p.packets[b]) + p.ts(p.packets[b + 1])) / 2
    else:
        t = p.ts(p.packets[b]) + 0.0002
    p.set_ts(dup, t)
    p.packets.insert(b + 1, dup)
    p.write(out)
    print(f"reorder: frames {a + 1} and {b + 1} swapped, duplicate of frame {b + 1} inserted as frame {b + 2}")


def v_drop_cert(inp, out, port):
    """Remove the server segment that carries the first byte of the Certificate handshake message
    (type 11) of the first connection: later ACKs acknowledge bytes that are not in the file."""
    p = Pcap.read(inp)
    port = int(port)
    isn, segs = None, []
    for i, pkt in enumerate(p.packets):
        t = eth_tcp(pkt[3])
        if not t or t["sport"] != port:
            continue
        if t["flags"] & 0x02:           # SYN-ACK: server ISN
            isn = t["seq"]
        elif t["payload"] and isn is not None:
            segs.append((i, (t["seq"] - isn - 1) & 0xFFFFFFFF, t["payload"]))
    stream = bytearray()
    for i, off, pl in sorted(segs, key=lambda s: s[1]):
        if off == len(stream):
            stream += pl
    # walk TLS records -> handshake messages until the Certificate
    off, hs, hs_base = 0, bytearray(), []
    target = None
    while off + 5 <= len(stream) and target is None:
        ctype, _, ln = struct.unpack("!BHH", stream[off:off + 5])
        if ctype == 22:
            body_off = off + 5
            j = 0
            while j + 4 <= ln:
                mtype = stream[body_off + j]
                mlen = int.from_bytes(stream[body_off + j + 1:body_off + j + 4], "big")
                if mtype == 11:
                    target = body_off + j
                    break
                j += 4 + mlen
        off += 5 + ln
    assert target is not None, "no server Certificate found"
    victim = next(i for i, o, pl in segs if o <= target < o + len(pl))
    del p.packets[victim]
    p.write(out)
    print(f"drop-cert: removed frame {victim + 1} (server stream offset {target} = Certificate start)")


def _ip_tcp_offsets(data):
    """(ip_offset, tcp_offset, payload_offset) of an Ethernet/IPv4 TCP frame."""
    ip = 14
    ihl = (data[ip] & 15) * 4
    tcp = ip + ihl
    doff = (data[tcp + 12] >> 4) * 4
    return ip, tcp, tcp + doff


def _ipv4_checksum(hdr):
    s = 0
    for i in range(0, len(hdr), 2):
        s += (hdr[i] << 8) | hdr[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def v_drop_client_cert(inp, out, port):
    """Remove the client's (empty) Certificate message from its flight, as a client that skips it
    would send (RFC 5246 7.4.6 says it must send one): the record shrinks (or goes, if the message
    was alone in it); later client sequence numbers and server acknowledgements move back by the
    same count. IPv4 only; the message must sit inside one segment."""
    p = Pcap.read(inp)
    port = int(port)
    removed, cut_seq = 0, None
    for pkt in p.packets:
        data = bytearray(pkt[3])
        t = eth_tcp(bytes(data))
        if not t:
            continue
        ip, tcp, pl = _ip_tcp_offsets(data)
        if t["dport"] == port and removed == 0 and t["payload"]:
            payload = bytearray(data[pl:])
            off = 0
            while off + 5 <= len(payload) and removed == 0:
                ctype, _, ln = struct.unpack("!BHH", payload[off:off + 5])
                body = off + 5
                j = 0
                while ctype == 22 and j + 4 <= ln:
                    mtype = payload[body + j]
                    mlen = int.from_bytes(payload[body + j + 1:body + j + 4], "big")
                    if mtype == 11:
                        if mlen + 4 == ln:          # alone in its record: the record goes
                            cut_from, cut = off, 5 + ln
                        else:
                            cut_from, cut = body + j, 4 + mlen
                            struct.pack_into("!H", payload, off + 3, ln - cut)
                        del payload[cut_from:cut_from + cut]
                        removed, cut_seq = cut, t["seq"] + cut_from
                        break
                    j += 4 + mlen
                off += 5 + ln
            if removed:
                data[pl:] = payload
        elif t["dport"] == port and removed and ((t["seq"] - cut_seq) & 0xFFFFFFFF) < 1 << 31:
            struct.pack_into("!I", data, tcp + 4, (t["seq"] - removed) & 0xFFFFFFFF)
        elif t["sport"] == port and removed and (t["flags"] & 0x10) and ((t["ack"] - cut_seq) & 0xFFFFFFFF) < 1 << 31:
            struct.pack_into("!I", data, tcp + 8, (t["ack"] - removed) & 0xFFFFFFFF)
        if removed:
            struct.pack_into("!H", data, ip + 2, len(data) - ip)
            struct.pack_into("!H", data, ip + 10, 0)
            struct.pack_into("!H", data, ip + 10, _ipv4_checksum(data[ip:tcp]))
            pkt[2] = len(data)
            pkt[3] = bytes(data)
    assert removed, "no client Certificate found"
    p.write(out)
    print(f"drop-client-cert: removed {removed} bytes (the client's Certificate) from the client's flight")


def _tcp_checksum(data, ip, tcp):
    """TCP checksum over the IPv4 pseudo-header and segment of an Ethernet/IPv4 frame."""
    tot = struct.unpack("!H", data[ip + 2:ip + 4])[0]
    seg = bytearray(data[tcp:ip + tot])
    struct.pack_into("!H", seg, 16, 0)
    pseudo = bytes(data[ip + 12:ip + 20]) + struct.pack("!BBH", 0, 6, len(seg))
    buf = pseudo + bytes(seg) + (b"\0" if len(seg) % 2 else b"")
    s = 0
    for i in range(0, len(buf), 2):
        s += (buf[i] << 8) | buf[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def _second_copy(pkt, p, ttl_drop, seq_add=0, ack_add=0):
    """The packet as a capture point one hop further saw it: TTL lower by ttl_drop, sequence and
    acknowledgement numbers moved by seq_add / ack_add (a middlebox that rewrites them),
    checksums recomputed, 30 microseconds later. IPv4 only."""
    data = bytearray(pkt[3])
    ip, tcp, _ = _ip_tcp_offsets(data)
    assert data[12:14] == b"\x08\x00", "duplicates only for IPv4"
    data[ip + 8] = (data[ip + 8] - ttl_drop) & 0xFF
    struct.pack_into("!H", data, ip + 10, 0)
    struct.pack_into("!H", data, ip + 10, _ipv4_checksum(data[ip:tcp]))
    seq, ack = struct.unpack("!II", data[tcp + 4:tcp + 12])
    struct.pack_into("!I", data, tcp + 4, (seq + seq_add) & 0xFFFFFFFF)
    if data[tcp + 13] & 0x10:
        struct.pack_into("!I", data, tcp + 8, (ack + ack_add) & 0xFFFFFFFF)
    struct.pack_into("!H", data, tcp + 16, _tcp_checksum(data, ip, tcp))
    dup = [pkt[0], pkt[1], pkt[2], bytes(data)]
    p.set_ts(dup, p.ts(pkt) + 0.00003)
    return dup


def v_dup(inp, out):
    """Every packet twice, as `tcpdump -i any` on a router (or a SPAN port with both of its
    interfaces) sees it: once as it came in, then as it went out, 30 us later, with the TTL one
    lower (IP checksum recomputed); the TCP segment is byte for byte the same."""
    p = Pcap.read(inp)
    pkts = []
    for pkt in p.packets:
        pkts += [pkt, _second_copy(pkt, p, 1)]
    p.packets = pkts
    p.write(out)


def v_dup_rewrite(inp, out, port, delta):
    """Every packet twice, as a capture on both sides of a firewall that randomises the client's
    initial sequence number (Cisco ASA's default) sees it: the client's segments inside and then
    outside with seq + DELTA, the server's segments outside and then inside with ack - DELTA.
    The server's own sequence numbers are not rewritten."""
    p = Pcap.read(inp)
    port, delta = int(port), int(delta)
    pkts = []
    for pkt in p.packets:
        t = eth_tcp(pkt[3])
        if t and t["dport"] == port:              # client -> server: inside copy first
            pkts += [pkt, _second_copy(pkt, p, 1, seq_add=delta)]
        elif t and t["sport"] == port:            # server -> client: outside copy first
            first = _second_copy(pkt, p, 0, ack_add=delta)
            first[0], first[1] = pkt[0], pkt[1]
            pkts += [first, _second_copy(pkt, p, 1)]
        else:
            pkts.append(pkt)
    p.packets = pkts
    p.write(out)


def v_drop(inp, out, frame):
    """Remove one frame (1-based): a segment the capture lost."""
    p = Pcap.read(inp)
    del p.packets[int(frame) - 1]
    p.write(out)


def v_midstream(inp, out, n):
    p = Pcap.read(inp)
    p.packets = p.packets[int(n):]
    p.write(out)


def v_cut(inp, out, frame):
    """Write the file but stop in the middle of FRAME's packet data (1-based frame number)."""
    p = Pcap.read(inp)
    frame = int(frame)
    with open(out, "wb") as f:
        f.write(p.header())
        for i, pkt in enumerate(p.packets[:frame]):
            rec = p.record(pkt)
            if i + 1 == frame:
                rec = rec[:16 + len(pkt[3]) // 2]
            f.write(rec)


# --------------------------------------------------------------------------------------------
# tshark dissection -> signatures
# --------------------------------------------------------------------------------------------
ALERTS = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow",
          40: "handshake_failure", 42: "bad_certificate", 43: "unsupported_certificate",
          44: "certificate_revoked", 45: "certificate_expired", 46: "certificate_unknown",
          47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied", 50: "decode_error",
          51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security",
          80: "internal_error", 86: "inappropriate_fallback", 90: "user_canceled",
          100: "no_renegotiation", 109: "missing_extension", 110: "unsupported_extension",
          112: "unrecognized_name", 113: "bad_certificate_status_response",
          115: "unknown_psk_identity", 116: "certificate_required", 120: "no_application_protocol"}
HS = {0: "HELLO_REQ", 1: "CH", 2: "SH", 4: "NST", 5: "EOED", 8: "EE", 11: "CERT", 12: "SKE", 13: "CR",
      14: "SHD", 15: "CV", 16: "CKE", 20: "FIN_HS", 22: "CS", 24: "KU"}
# RFC 9113 §7 error codes (a GOAWAY's)
H2_ERRORS = {0: "NO_ERROR", 1: "PROTOCOL_ERROR", 2: "INTERNAL_ERROR", 3: "FLOW_CONTROL_ERROR", 4: "SETTINGS_TIMEOUT",
             5: "STREAM_CLOSED", 6: "FRAME_SIZE_ERROR", 7: "REFUSED_STREAM", 8: "CANCEL", 9: "COMPRESSION_ERROR",
             10: "CONNECT_ERROR", 11: "ENHANCE_YOUR_CALM", 12: "INADEQUATE_SECURITY", 13: "HTTP_1_1_REQUIRED"}
HRR_RANDOM = "cf:21:ad:74:e5:9a:61:11:be:1d:8c:02:1e:65:b8:91:c2:a2:11:16:7a:bb:8c:5e:07:9e:09:e2:c8:a8:33:9c"


def aslist(x):
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


def find(obj, key):
    """All values of `key` anywhere below obj."""
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                out.extend(aslist(v))
            else:
                out.extend(find(v, key))
    elif isinstance(obj, list):
        for v in obj:
            out.extend(find(v, key))
    return out


def has_key(obj, frag):
    if isinstance(obj, dict):
        return any(frag in k or has_key(v, frag) for k, v in obj.items())
    if isinstance(obj, list):
        return any(has_key(v, frag) for v in obj)
    return False


# dissectors of the clear-text phase (STARTTLS, PROXY protocol) whose fields become tokens
CLEAR_LAYERS = "smtp imap pop ftp xmpp mysql pgsql ldap proxy"


def split_port(p):
    """'443' -> (443, 'tls'); '23001/smtp' -> (23001, 'smtp'): decode the port with tshark's
    STARTTLS-aware dissector, which hands over to TLS after the upgrade; '23031/heuristic' ->
    (23031, None): no decode-as (PROXY v2 is found only by tshark's heuristics, a forced TLS
    decode would hide it)."""
    port, _, proto = str(p).partition("/")
    proto = proto or "tls"
    return int(port), (None if proto == "heuristic" else proto)


def run_tshark(path, ports, keylog=None):
    cmd = ["tshark", "-n", "-r", path, "-o", "tcp.reassemble_out_of_order:TRUE", "-T", "json",
           "--no-duplicate-keys", "-J", "frame tcp tls http http2 " + CLEAR_LAYERS]
    if keylog:
        cmd += ["-o", f"tls.keylog_file:{keylog}"]
    for port, proto in map(split_port, ports):
        if proto:
            cmd += ["-d", f"tcp.port=={port},{proto}"]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err = "\n".join(l for l in r.stderr.splitlines() if "Running as user" not in l).strip()
    out = r.stdout.strip()
    try:
        pkts = json.loads(out) if out else []
    except json.JSONDecodeError:          # cut-off file: tshark stops mid-array
        out = out.rstrip().rstrip(",")
        pkts = json.loads(out + ("]" if not out.endswith("]") else ""))
    return pkts, r.returncode, err


def cert_cns(h):
    """Subject CNs of the certificates in a Certificate message, in wire order."""
    out = []
    for ct in aslist(find(h, "tls.handshake.certificate_tree")):
        subj = ct.get("x509af.signedCertificate_element", {}).get("x509af.subject_tree", {}) if isinstance(ct, dict) else {}
        cn = "?"
        for item in find(subj, "x509if.RDNSequence_item_tree"):
            el = item.get("x509if.RelativeDistinguishedName_item_element", {}) if isinstance(item, dict) else {}
            if el.get("x509if.oid") == "2.5.4.3":
                vals = find(el, "x509sat.uTF8String") + find(el, "x509sat.printableString")
                cn = vals[0] if vals else "?"
        out.append(cn)
    return out


def hs_tokens(h, info, d="?"):
    """Token(s) for one plaintext handshake message dict."""
    t = int(h.get("tls.handshake.type", -1))
    name = HS.get(t, f"HS{t}")
    if t == 1:
        sni = find(h, "tls.handshake.extensions_server_name")
        info.setdefault("sni", sni[0] if sni else None)
        alpn = find(h, "tls.handshake.extensions_alpn_str")
        if alpn:
            info.setdefault("alpn_offered", ",".join(alpn))
        if find(h, "tls.handshake.extensions_status_request_type"):
            info["status_request"] = True
        vers = find(h, "tls.handshake.extensions.supported_version")
        info.setdefault("ch_versions", vers or find(h, "tls.handshake.version")[:1])
        sid = find(h, "tls.handshake.session_id")
        info["_ch_sid"] = sid[0] if sid else None
    elif t == 2:
        rnd = find(h, "tls.handshake.random")
        if rnd and rnd[0] == HRR_RANDOM:
            name = "HRR"
            info["hrr"] = True
        if has_key(h, "psk.identity.selected"):
            info["psk"] = True
        sv = find(h, "tls.handshake.extensions.supported_version")
        info["version"] = sv[0] if sv else (find(h, "tls.handshake.version") or ["?"])[0]
        cs = find(h, "tls.handshake.ciphersuite")
        if cs:
            info["cipher"] = cs[0]
        sid = find(h, "tls.handshake.session_id")
        if sid and sid[0] == info.get("_ch_sid") and info["version"] != "0x0304":
            info["resumed_sid_echo"] = True      # TLS 1.2 abbreviated handshake
        alpn = find(h, "tls.handshake.extensions_alpn_str")
        if alpn:
            info["alpn"] = alpn[0]
        exts = find(h, "tls.handshake.extension.type")
        if info["version"] != "0x0304" and exts:   # TLS <= 1.2 record protection options
            info["etm"] = "22" in exts             # encrypt_then_mac (RFC 7366)
            info["ems"] = "23" in exts             # extended_master_secret (RFC 7627)
    elif t == 11:
        n = len(find(h, "tls.handshake.certificate_length"))
        name = f"CERT[{n}]"
        if n:
            info.setdefault("server_chain" if d == "S" else "client_chain", " > ".join(cert_cns(h)))
    elif t == 13:
        n = len(find(h, "tls.handshake.dname_len"))
        dl = find(h, "tls.handshake.dnames_len")
        if find(h, "tls.handshake.dnames_truncated"):
            name = f"CR[{n}+]"
        else:
            name = f"CR[{n}]"
        info["cr_dnames_len"] = int(dl[0]) if dl else 0
        info["cr_msg_len"] = int(h.get("tls.handshake.length", 0))
    return name


# RFC 4511 resultCode names (the ones a StartTLS answer may carry)
LDAP_RESULTS = {0: "success", 1: "operationsError", 2: "protocolError", 7: "authMethodNotSupported",
                8: "strongerAuthRequired", 12: "unavailableCriticalExtension", 50: "insufficientAccessRights",
                51: "busy", 52: "unavailable", 53: "unwillingToPerform", 80: "other"}
LDAP_STARTTLS_OID = "1.3.6.1.4.1.1466.20037"


def clear_tokens(L, info):
    """Tokens of the clear-text messages of one frame (before STARTTLS, or a PROXY header), from
    the fields of tshark's protocol dissectors; see the legend."""
    out = []
    for sl in aslist(L.get("smtp")):
        if not isinstance(sl, dict):
            continue
        for line in aslist(sl.get("smtp.command_line")):
            word = line.split()[0] if line.split() else "?"   # the whole word: tshark 4.0 splits
            out.append(f"SMTP[{word}]")                       # STARTTLS into STAR + TLS
        out += [f"SMTP[{c}]" for c in find(sl, "smtp.response.code")]
    for il in aslist(L.get("imap")):
        if not isinstance(il, dict):
            continue
        for line in aslist(il.get("imap.line")):
            w = line.split()
            if len(w) >= 2:
                out.append(f"IMAP[*{w[1]}]" if w[0] == "*" else f"IMAP[{w[1]}]")
    for pl in aslist(L.get("pop")):
        out += [f"POP[{c}]" for c in find(pl, "pop.request.command") + find(pl, "pop.response.indicator")]
    for fl in aslist(L.get("ftp")):
        out += [f"FTP[{c}]" for c in find(fl, "ftp.request.command") + find(fl, "ftp.response.code")]
    for xl in aslist(L.get("xmpp")):
        if isinstance(xl, dict):
            out += [f"XMPP[{k[5:]}]" for k, v in xl.items() if k.startswith("xmpp.")
                    and aslist(v) and all(isinstance(e, dict) for e in aslist(v))]   # elements
    for ml in aslist(L.get("mysql")):
        if isinstance(ml, dict):
            for k in ("mysql.server_greeting", "mysql.login_request"):
                if k in ml:
                    ssl = "1" in find(ml[k], "mysql.caps.sl")
                    out.append(f"MYSQL[{k[6:]}{':ssl' if ssl else ''}]")
    for pg in aslist(L.get("pgsql")):
        if isinstance(pg, dict) and "pgsql.type" in pg:
            out.append(f"PGSQL[{pg['pgsql.type'].replace(' ', '_')}]")
            info["_pg_sslreq"] = pg["pgsql.type"] == "SSL request"
    for ll in aslist(L.get("ldap")):
        for msg in find(ll, "ldap.protocolOp_tree"):
            for k, v in (msg.items() if isinstance(msg, dict) else []):
                op = k.replace("ldap.", "").replace("_element", "")
                if find(v, "ldap.requestName") == [LDAP_STARTTLS_OID]:
                    op += ":StartTLS"
                rc = find(v, "ldap.resultCode")
                if rc:
                    op += ":" + LDAP_RESULTS.get(int(rc[0]), rc[0])
                out.append(f"LDAP[{op}]")
    for px in aslist(L.get("proxy")):
        if isinstance(px, dict) and px:
            out.append("PROXY[v1]" if "proxy.v1.magic" in px else f"PROXY[v{px.get('proxy.version', '?')}]")
            ip = (px.get("proxy.src.ipv4") or px.get("proxy.src.ipv6"), px.get("proxy.srcport"),
                  px.get("proxy.dst.ipv4") or px.get("proxy.dst.ipv6"), px.get("proxy.dstport"))
            info["proxy_src"], info["proxy_dst"] = f"{ip[0]}:{ip[1]}", f"{ip[2]}:{ip[3]}"
            tlvs = find(px, "proxy.v2.tlv.type")
            if tlvs:
                info["proxy_tlvs"] = ",".join(tlvs)
    return out


def dissect(path, ports, keylog=None):
    """-> dict(frames, encap, rc, err, streams={id: {"events": [(frame, dir, token)], info}})"""
    pkts, rc, err = run_tshark(path, ports, keylog)
    ports = [split_port(p)[0] for p in ports]
    res = {"frames": len(pkts), "encap": None, "rc": rc, "err": err, "streams": {}, "caplen_max": 0}
    for pk in pkts:
        L = pk["_source"]["layers"]
        fr = L["frame"]
        fno = int(fr["frame.number"])
        res["encap"] = res["encap"] or fr.get("frame.encap_type")
        res["caplen_max"] = max(res["caplen_max"], int(fr.get("frame.cap_len", 0)))
        tcp = L.get("tcp")
        if not isinstance(tcp, dict):
            continue
        sid = int(tcp["tcp.stream"])
        st = res["streams"].setdefault(sid, {"events": [], "info": {}, "first": fno, "last": fno,
                                             "ccs": set(), "sizes": []})
        st["last"] = fno
        sport = int(tcp["tcp.srcport"])
        d = "S" if sport in ports else "C"
        if d == "C":
            st["info"]["client_port"] = sport
        else:
            st["info"]["server_port"] = sport
        fl = int(tcp.get("tcp.flags", "0x0"), 16)
        ev = st["events"]
        if fl & 0x02:
            ev.append((fno, d, "SYNACK" if fl & 0x10 else "SYN"))
        if fl & 0x04:
            ev.append((fno, d, "RST"))
        payload = tcp.get("tcp.payload")
        tls_layers = aslist(L.get("tls"))
        recs = []
        for tl in tls_layers:
            if isinstance(tl, dict):
                recs.extend(aslist(tl.get("tls.record")))
        head = bytes.fromhex(payload.replace(":", "")[:16]) if isinstance(payload, str) else b""
        ev.extend((fno, d, t) for t in clear_tokens(L, st["info"]))
        if d == "S" and st["info"].get("_pg_sslreq") and len(head) == 1 and "pgsql" not in L:
            ev.append((fno, d, f"PGSQL[{head.decode('ascii', 'replace')}]"))   # S, N or G
            st["info"]["_pg_sslreq"] = False
        if head[:4] in (b"GET ", b"POST", b"HEAD", b"PUT "):
            ev.append((fno, d, f"HTTP_REQ[{head.split(b' ')[0].decode()}]"))
        elif head[:5] == b"HTTP/":
            full = bytes.fromhex(payload.replace(":", ""))
            m = re.match(rb"HTTP/[\d.]+ (\d+)", full)
            ev.append((fno, d, f"HTTP_RESP[{m.group(1).decode() if m else '?'}]"))
        else:
            for r in recs:
                if not isinstance(r, dict):
                    continue
                ct = r.get("tls.record.content_type", r.get("tls.record.opaque_type"))
                if ct is None:
                    continue
                if "tls.record.length" in r:
                    st["sizes"].append((fno, d, int(r["tls.record.length"])))
                ct = int(ct)
                if "tls.record.opaque_type" in r and "tls.record.content_type" in r:
                    ct = int(r["tls.record.content_type"])     # decrypted TLS 1.3 record
                if ct == 22:
                    hs = r.get("tls.handshake")
                    for h in (aslist(hs) if hs else [""]):
                        if isinstance(h, dict) and "tls.handshake.type" in h:
                            ev.append((fno, d, hs_tokens(h, st["info"], d)))
                        elif d in st["ccs"]:
                            ev.append((fno, d, "ENC_HS"))      # after this side's CCS: encrypted
                        else:                                  # first part of a message that
                            st["info"]["hs_fragments"] = st["info"].get("hs_fragments", 0) + 1
                elif ct == 20:
                    ev.append((fno, d, "CCS"))
                    if st["info"].get("version") != "0x0304":  # TLS 1.3 CCS is only for middleboxes
                        st["ccs"].add(d)
                elif ct == 21:
                    am = r.get("tls.alert_message")
                    if isinstance(am, dict) and "tls.alert_message.desc" in am:
                        lvl = {"1": "warning", "2": "fatal"}.get(am.get("tls.alert_message.level"), "?")
                        desc = int(am["tls.alert_message.desc"])
                        ev.append((fno, d, f"ALERT[{lvl}:{ALERTS.get(desc, desc)}]"))
                    else:
                        ev.append((fno, d, "ENC_ALERT"))
                elif ct == 23:
                    ev.append((fno, d, "APP"))
                else:
                    ev.append((fno, d, f"REC{ct}"))
            for hl in aslist(L.get("http")) if recs else []:     # HTTP inside (decrypted) TLS
                if not isinstance(hl, dict):
                    continue
                code = find(hl, "http.response.code")
                meth = find(hl, "http.request.method")
                if code:
                    ev.append((fno, d, f"HTTP_RESP[{code[0]}]"))
                elif meth:
                    ev.append((fno, d, f"HTTP_REQ[{meth[0]}]"))
            for hl in aslist(L.get("http2")) if recs else []:    # HTTP/2 HEADERS (decrypted, ALPN h2)
                for st2 in find(hl, "http2.headers.status"):
                    ev.append((fno, d, f"H2_RESP[{st2}]"))
                for m2 in find(hl, "http2.headers.method"):
                    ev.append((fno, d, f"H2_REQ[{m2}]"))
                for e2 in find(hl, "http2.goaway.error"):          # RFC 9113 §7 error code
                    ev.append((fno, d, f"H2_GOAWAY[{H2_ERRORS.get(int(e2, 0), e2)}]"))
        if fl & 0x01:
            ev.append((fno, d, "FIN"))
    # tshark shows at most 100 CA names; count them ourselves where it truncated
    for st in res["streams"].values():
        for k, (f, d, t) in enumerate(st["events"]):
            if t.endswith("+]") and t.startswith("CR["):
                for cr in raw_cert_requests(path, st["info"]["server_port"]):
                    if cr["client_port"] == st["info"].get("client_port"):
                        st["events"][k] = (f, d, f"CR[{cr['names']}]")
                        st["info"]["cr_names_tshark_shows"] = t[3:-1]
                        st["info"]["cr_records"] = cr["records"]
                        st["info"]["cr_segments"] = len(cr["frames"])
                        st["info"]["cr_frames"] = f"{cr['frames'][0]}-{cr['frames'][-1]}"
    return res


def signature(st, tls_only=False, side=None):
    """'P:443 C:SYN S:SYNACK C:CH ...' (tls_only: without the P: prefix and TCP flags; side "C" or
    "S": only what that side sent, TLS only -- the order within one direction of a TCP stream
    does not depend on scheduling, the interleaving of the two directions may)."""
    if side:
        return " ".join(f"{d}:{t}" for _, d, t in st["events"]
                        if d == side and t not in ("SYN", "SYNACK", "FIN", "RST"))
    toks = [f"{d}:{t}" for _, d, t in st["events"]
            if not (tls_only and t in ("SYN", "SYNACK", "FIN", "RST"))]
    if not tls_only:
        toks.insert(0, f"P:{st['info'].get('server_port', '?')}")
    return " ".join(toks)


def frame_story(st):
    """'#4 C:CH | #6 S:SH | #8 S:CERT[2] SKE CR[1] SHD | ...' (consecutive tokens of one frame
    grouped; TCP-only frames other than SYN/FIN/RST are omitted)."""
    parts, cur_f = [], None
    for f, d, t in st["events"]:
        if f != cur_f:
            parts.append([f, d, [t]])
            cur_f = f
        else:
            parts[-1][2].append(t)
    return " | ".join(f"#{f} {d}:{' '.join(ts)}" for f, d, ts in parts)


def cmd_summary(path, ports, keylog=None):
    res = dissect(path, ports.split(","), keylog)
    print(f"{path}: {res['frames']} frames, encap {res['encap']}, {len(res['streams'])} TCP connection(s)"
          + (f", tshark rc={res['rc']}: {res['err']}" if res["rc"] or res["err"] else ""))
    for sid, st in sorted(res["streams"].items()):
        print(f"  stream {sid}: {frame_story(st)}")
        info = {k: v for k, v in st["info"].items() if k not in ("client_port",) and not k.startswith("_")}
        if info:
            print(f"      {info}")


# --------------------------------------------------------------------------------------------
# expectations
# --------------------------------------------------------------------------------------------
# SPECFILE: one block per file
#   file: NAME             (relative to the spec file's directory)
#   ports: 443[,8443]
#   expect: conns=1
#   expect: s0~REGEX       signature of stream 0 must match (re.search)
#   expect: t0~REGEX       TLS-only signature (no SYN/FIN/RST) of stream 0
#   expect: all~REGEX      every stream's signature
#   expect: count(REGEX)=N number of streams whose signature matches
#   expect: frames=N | encap=N | rc=N | err~REGEX | info0.KEY=VALUE
#   wire:   text for the README (optional; default: generated frame story)
#   alert:  text for the README
#   diag:   text for the README
def parse_spec(path):
    blocks, cur = [], None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"^\s*(\w+):\s?(.*)$", line)
        if not m:
            sys.exit(f"bad spec line: {line}")
        k, v = m.groups()
        if k == "file":
            cur = {"file": v.strip(), "expect": [], "ports": "443"}
            blocks.append(cur)
        elif k == "expect":
            cur["expect"].append(v.strip())
        elif k == "log":
            cur.setdefault("log", []).append(v.strip())
        else:
            cur[k] = (cur.get(k, "") + " " + v.strip()).strip() if k in cur and k in ("wire", "alert", "diag") else v.strip()
    return blocks


def check_block(base, b):
    path = os.path.join(base, b["file"])
    if not os.path.exists(path):
        return None, [f"missing file {b['file']}"]
    res = dissect(path, b["ports"].split(","))
    streams = [res["streams"][k] for k in sorted(res["streams"])]
    dec = []
    if b.get("keys"):
        kf = os.path.join(base, b["keys"])
        if not os.path.exists(kf):
            return res, [f"missing key log {b['keys']}"]
        r2 = dissect(path, b["ports"].split(","), kf)
        dec = [r2["streams"][k] for k in sorted(r2["streams"])]
        res["decrypted"] = r2
    errs = check_logs(base, b)
    for e in b["expect"]:
        m = re.match(r"^([a-z]+)(\d*)~(.*)$", e)
        # frame/count/info; with a "d" in front: on the dissection decrypted with `keys`
        m2 = re.match(r"^(d?)count\((.*)\)=(\d+)$", e)
        m3 = re.match(r"^(d?)info(\d+)\.(\w+)=(.*)$", e)
        m4 = re.match(r"^(d?)frame\((.*)\)=(\d+)$", e)
        mm = m2 or m3 or m4
        if mm and mm.group(1) and not dec:
            errs.append(f"{e}: no key log (keys:) to decrypt with")
            continue
        pool = dec if mm and mm.group(1) else streams
        if m4:
            rx, n = re.compile(m4.group(2)), int(m4.group(3))
            got = next((f for f, d, t in (pool[0]["events"] if pool else []) if rx.search(f"{d}:{t}")), None)
            if got != n:
                errs.append(f"{m4.group(1)}frame({m4.group(2)}) = {got}, expected {n}")
        elif m2:
            rx, n = re.compile(m2.group(2)), int(m2.group(3))
            got = sum(1 for s in pool if rx.search(signature(s)))
            if got != n:
                errs.append(f"{m2.group(1)}count({m2.group(2)}) = {got}, expected {n}")
        elif m3:
            i, k, v = int(m3.group(2)), m3.group(3), m3.group(4)
            got = str(pool[i]["info"].get(k)) if i < len(pool) else None
            if got != v:
                errs.append(f"{m3.group(1)}info{i}.{k} = {got}, expected {v}")
        elif m and m.group(1) in ("s", "t", "d", "tc", "ts", "dc", "ds", "all", "err"):
            kind, idx, rx = m.group(1), m.group(2), m.group(3)
            if kind == "err":
                if not re.search(rx, res["err"]):
                    errs.append(f"tshark stderr {res['err']!r} !~ {rx}")
                continue
            pool = dec if kind[0] == "d" else streams
            targets = pool if kind == "all" else ([pool[int(idx)]] if idx and int(idx) < len(pool) else [])
            if not targets:
                errs.append(f"{e}: no such stream")
            side = kind[1].upper() if len(kind) == 2 else None
            for s in targets:
                sig = signature(s, tls_only=(kind in ("t", "d")), side=side)
                if not re.search(rx, sig):
                    errs.append(f"{kind}{idx} !~ {rx}\n        got: {sig}")
        else:
            m = re.match(r"^(\w+)=(.*)$", e)
            if not m:
                errs.append(f"bad expectation {e}")
                continue
            k, v = m.groups()
            got = {"conns": len(streams), "frames": res["frames"], "encap": res["encap"],
                   "rc": res["rc"], "caplen_max": res["caplen_max"]}.get(k, "?")
            if str(got) != v:
                errs.append(f"{k} = {got}, expected {v}")
    if res["rc"] and not any(x.startswith("rc=") for x in b["expect"]):
        errs.append(f"tshark exit code {res['rc']}: {res['err']}")
    return res, errs


def log_path(base, b):
    """logs/NAME.log of a capture (NAME = file name without .pcap/.pcapng/.pcap.gz)."""
    name = re.sub(r"\.(pcap|pcapng|pcap\.gz)$", "", b["file"])
    return os.path.join(base, "logs", name + ".log")


def log_blocks(path):
    """{'client': text, 'server': text} of a keep_logs file (all blocks of a role joined)."""
    out, role = {}, None
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.match(r"^== (client|server)", line)
        if m:
            role = m.group(1)
        elif role and line.startswith("  "):
            out[role] = out.get(role, "") + line[2:]
    return out


def check_logs(base, b):
    """Every `log: ROLE|TEXT` of the block must be a substring of that role's lines in
    logs/NAME.log (what the software really printed when the capture was made)."""
    errs, want = [], b.get("log", [])
    if not want:
        return errs
    path = log_path(base, b)
    if not os.path.exists(path):
        return [f"missing {os.path.relpath(path, base)}"]
    blocks = log_blocks(path)
    for item in want:
        role, _, text = item.partition("|")
        if text not in blocks.get(role, ""):
            errs.append(f"log: {role} never logged {text!r} ({os.path.relpath(path, base)})")
    return errs


def cmd_check(spec, readme=None):
    """Verify every block of SPEC (tshark runs in parallel); optionally rewrite README's table."""
    from concurrent.futures import ThreadPoolExecutor
    base = os.path.dirname(os.path.abspath(spec))
    blocks = parse_spec(spec)
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as ex:
        results = list(ex.map(lambda b: check_block(base, b), blocks))
    bad = 0
    for b, (res, errs) in zip(blocks, results):
        status = "OK  " if not errs else "FAIL"
        n = len(res["streams"]) if res else 0
        first = ""
        if res and res["streams"]:
            st = res["streams"][min(res["streams"])]
            first = frame_story(st)
            if len(first) > 150:
                first = first[:147] + "..."
        print(f"{status} {b['file']:<52} {res['frames'] if res else 0:>4} frames {n:>2} conn  {first}")
        for e in errs:
            print(f"     !! {e}")
        bad += bool(errs)
    if bad:
        print(f"{bad} file(s) FAILED verification")
        sys.exit(1)
    print(f"all {len(blocks)} files verified")
    if readme:
        write_readme(blocks, results, readme)


def md(s):
    return s.replace("|", "\\|")


def size_story(st):
    """'#4 C[320] | #6 S[122,1,23,130] | ...': the length of every TLS record (the ciphertext
    length for encrypted records), grouped by frame -- what the record sizes tell without keys."""
    parts = []
    for f, d, n in st["sizes"]:
        if parts and parts[-1][0] == f:
            parts[-1][2].append(n)
        else:
            parts.append([f, d, [n]])
    return " ".join(f"#{f} {d}[{','.join(map(str, ns))}]" for f, d, ns in parts)


def stories(res):
    """The frame story of each connection of a dissection, as one README cell fragment."""
    if len(res["streams"]) == 1:
        story = frame_story(next(iter(res["streams"].values())))
    else:
        story = " ;; ".join(f"conn {sid}: {frame_story(st)}" for sid, st in sorted(res["streams"].items()))
    return story.replace("|", "&#124;")


def write_readme(blocks, results, readme):
    rows = ["| file | on the wire (tshark frame numbers; C = client, S = server) | alert(s) | correct diagnosis "
            "| what the software logged (`logs/NAME.log`) |",
            "|---|---|---|---|---|"]
    for b, (res, _) in zip(blocks, results):
        wire = md(b.get("wire", ""))
        if not b.get("nostory") and res and res["streams"]:
            wire = (wire + "<br>" if wire else "") + f"<sub>{stories(res)}</sub>"
            dec = res.get("decrypted")
            if dec and dec["streams"]:
                wire += f"<br><sub>**with {b['keys']}:** {stories(dec)}</sub>"
            if b.get("sizes") and len(res["streams"]) == 1:
                wire += f"<br><sub>record lengths: {size_story(next(iter(res['streams'].values())))}</sub>"
        logged = "<br>".join(f"{role}: `{md(text)}`" for role, _, text in
                             (item.partition("|") for item in b.get("log", [])))
        rows.append(f"| `{b['file']}` | {wire} | {md(b.get('alert', ''))} | {md(b.get('diag', ''))} | {logged} |")
    text = open(readme, encoding="utf-8").read()
    start, end = "<!-- BEGIN GENERATED TABLE -->", "<!-- END GENERATED TABLE -->"
    i, j = text.index(start) + len(start), text.index(end)
    text = text[:i] + "\n" + "\n".join(rows) + "\n" + text[j:]
    open(readme, "w", encoding="utf-8").write(text)


def main():
    a = sys.argv[1:]
    ops = {"vlan": v_vlan, "qinq": v_qinq, "rawip": v_rawip, "null": v_null, "bigendian": v_bigendian,
           "reorder": v_reorder, "drop-cert": v_drop_cert,
           "drop-client-cert": v_drop_client_cert, "dup": v_dup, "dup-rewrite": v_dup_rewrite, "drop": v_drop,
           "midstream": v_midstream, "cut": v_cut,
           "summary": cmd_summary,
           "crinfo": lambda f, port: print(json.dumps(raw_cert_requests(f, port))), "check": cmd_check}
    if not a or a[0] not in ops:
        sys.exit(__doc__)
    ops[a[0]](*a[1:])


if __name__ == "__main__":
    main()
