#!/usr/bin/env python3
"""Deterministic synthetic TLS capture generator (classic pcap, LINKTYPE_ETHERNET, usec).

Replays genuine OpenSSL handshake byte streams (templates.json from tls_templates.py) into many
synthetic TCP connections: rewritten IPs/ports/ISNs/timestamps, per-connection ClientHello /
ServerHello random, session id and SNI digits, MSS-1448 segmentation with TCP timestamps,
delayed ACKs, pacing, some retransmissions and out-of-order segments, concurrent (interleaved)
connections, synthetic encrypted application-data records and FIN/RST teardown.

Output is a pure function of (templates.json, --seed, --size-mib, code).  A manifest JSON with
the exact number of ClientHellos / Certificates / alerts etc. written is produced beside it.

usage: gen_tls_pcap.py --templates T.json --out F.pcap --size-mib 2048 --seed 1

tlsdiag's copy of ../shared/bench/gen_tls_pcap.py (issue 16), extended with --keylog FILE:
with templates from keylog_templates.py (capture-keylog-templates.sh), every connection comes
with its secrets in FILE, and what the generator adds is protected with them, so the records
a decryptor opens are real: application data (the server's first record starts with an HTTP
status line, the client's a request line) and close_notify alerts. TLS 1.3 connections keep rewritten randoms (their
secrets are logged under the new client random; the record keys do not depend on randoms);
TLS 1.2 connections keep their template's randoms, from which their keys are derived, so one
CLIENT_RANDOM line serves every connection of a template. Without --keylog the output is the
shared generator's, byte for byte.
"""
import argparse, heapq, json, math, os, random, struct, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

MSS = 1448
ETH_C2S = bytes.fromhex("525400a0b0c1" "001b21aabb01") + b"\x08\x00"   # dst=server, src=gateway
ETH_S2C = bytes.fromhex("001b21aabb01" "525400a0b0c1") + b"\x08\x00"
SERVERS = [(192, 0, 2, 10), (192, 0, 2, 11), (198, 51, 100, 20), (198, 51, 100, 21)]
BASE_T = 1748736000  # 2025-06-01T00:00:00Z

# relative weights of handshake scenarios (by template name); unknown names get weight 1
WEIGHTS = {
    "t12_ecdhe_rsa_c2": 14, "t12_ecdhe_rsa_c3": 6, "t12_ecdhe_ecdsa_c2": 8, "t12_ecdhe_ecdsa_c3": 3,
    "t12_rsakx_c2": 3, "t12_rsakx_cbc_c3": 1.5, "t12_dhe_rsa_c2": 1, "t12_chacha_c2": 2,
    "t12_nosni_c2": 2, "t12_mtls_ok_rsa": 4, "t12_mtls_ok_ec": 2, "t12_mtls_opt_emptycert": 3,
    "t12_mtls_req_nocert": 1.2, "t12_mtls_rogue_client": 0.6, "t12_srv_expired": 0.8,
    "t12_srv_notyetvalid": 0.3, "t12_srv_unknownca": 0.8, "t12_hostname_mismatch": 0.5,
    "t12_no_shared_cipher": 0.5, "t12_proto_version": 0.3, "t12_resume_ticket": 4,
    "t12_resume_sessid": 2, "t13_rsa_c2": 8, "t13_rsa_c3": 3, "t13_ec_c2": 8, "t13_ec_c3_chacha": 2,
    "t13_hrr": 1, "t13_mtls_ok": 2, "t13_mtls_nocert": 0.5, "t13_srv_unknownca": 0.4,
    "t13_resume": 4, "any_default_c2": 4,
}

P_RETX_DATA = 0.02      # per application-data segment
P_OOO_DATA = 0.01       # per adjacent pair of application-data segments
P_HS_RETX = 0.01        # per connection: one middle segment of the server's first multi-segment flight
P_HS_OOO = 0.003        # per connection: swap two segments of that flight
P_SPLIT_CH = 0.03       # ClientHello split over two segments
BULK_EVERY = 8000      # every 8000th connection carries a multi-MB (2-8 MiB) bulk transfer
P_RST = 0.03


def csum_fold(total):
    r = total % 0xFFFF
    return 0 if r == 0 else 0xFFFF - r


class Conn:
    __slots__ = ("pk", "rng", "c_ip", "s_ip", "cp", "sp", "c_seq", "s_seq", "c_id", "s_id",
                 "c_ttl", "c_tsb", "s_tsb", "pkts", "ph_c2s", "ph_s2c", "ipsum_c2s", "ipsum_s2c")


def build_packet(c, d, t, flags, payload, seq, ack, syn_opts=None):
    """Return (t, frame bytes)."""
    if syn_opts is not None:
        opts = syn_opts
    else:
        tsv = (c.c_tsb if d == "c" else c.s_tsb) + int(t * 1000)
        tse = (c.s_tsb if d == "c" else c.c_tsb) + int(t * 1000) - 1
        opts = struct.pack("!BBBBII", 1, 1, 8, 10, tsv & 0xFFFFFFFF, tse & 0xFFFFFFFF)
    hl = 20 + len(opts)
    if d == "c":
        sport, dport, win, src, dst, ttl = c.cp, c.sp, 502, c.c_ip, c.s_ip, c.c_ttl
        c.c_id = (c.c_id + 1) & 0xFFFF
        ipid = c.c_id
        eth = ETH_C2S
    else:
        sport, dport, win, src, dst, ttl = c.sp, c.cp, 509, c.s_ip, c.c_ip, 64
        c.s_id = (c.s_id + 1) & 0xFFFF
        ipid = c.s_id
        eth = ETH_S2C
    if flags & 0x02:
        win = 64240 if d == "c" else 65160
    tcplen = hl + len(payload)
    tcph = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                       (hl // 4) << 4, flags, win, 0, 0) + opts
    pseudo = src + dst + struct.pack("!HH", 6, tcplen)
    tot = int.from_bytes(pseudo, "big") + int.from_bytes(tcph, "big")
    if payload:
        tot += int.from_bytes(payload, "big") << (8 if len(payload) & 1 else 0)
    tcs = csum_fold(tot)
    tcph = tcph[:16] + struct.pack("!H", tcs) + tcph[18:]
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + tcplen, ipid, 0x4000, ttl, 6, 0, src, dst)
    ics = csum_fold(int.from_bytes(iph, "big"))
    iph = iph[:10] + struct.pack("!H", ics) + iph[12:]
    return eth + iph + tcph + payload


class Gen:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.keylog = None
        if a.keylog:
            global tlscrypt
            import tlscrypt
            self.keylog = open(a.keylog, "w", buffering=1 << 20)
            self.iv_rng = random.Random(a.seed + 1)   # CBC IVs: not drawn from the traffic's stream
            self.logged12 = set()
            self.h2_templates = {}   # template name -> its server chose ALPN h2
        T = json.load(open(a.templates))["templates"]
        self.tpl = []
        for t in T:
            t["fl"] = [(d, bytes.fromhex(h)) for d, h in t["flights"]]
            t["w"] = WEIGHTS.get(t["name"], 1.0)
            self.tpl.append(t)
        self.cum = []
        s = 0
        for t in self.tpl:
            s += t["w"]
            self.cum.append(s)
        self.pool = self.rng.randbytes(1 << 24)
        self.m = {"seed": a.seed, "target_mib": a.size_mib, "connections": 0, "packets": 0,
                  "bytes_file": 0, "bytes_wire": 0, "client_hello": 0, "server_hello": 0,
                  "srv_cert_msgs": 0, "cli_cert_msgs": 0, "cli_cert_empty": 0, "cert_request": 0,
                  "alerts_plain": {}, "alerts_by_name": {}, "tls13_conns": 0, "tls12_conns": 0,
                  "failed_handshakes": 0, "resumed": 0, "mtls_with_cert": 0, "port_443": 0,
                  "port_8443": 0, "split_client_hello": 0, "retx_data_segments": 0,
                  "ooo_data_swaps": 0, "hs_retx_segments": 0, "hs_ooo_swaps": 0,
                  "hs_retx_conns_with_srv_cert": 0, "hs_ooo_conns_with_srv_cert": 0,
                  "bulk_transfers": 0, "app_records": 0, "app_bytes": 0, "rst_closes": 0,
                  "per_template": {}, "max_concurrent": 0}
        if self.keylog:
            # what a decryptor with the key log sees beyond the clear-text facts above: the
            # templates' protected records, and the close_notify alerts the generator seals
            self.m["keylog"] = {"file": os.path.basename(a.keylog), "connections_with_keys": 0,
                                "tls12_lines": 0, "tls13_lines": 0, "app_records_sealed": 0,
                                "decrypted": {"srv_cert_msgs": 0, "cli_cert_msgs": 0, "cli_cert_empty": 0,
                                              "cert_request": 0, "alerts": {}},
                                "close_notify_sealed": 0, "http_requests": 0, "http_requests_h2": 0,
                                # TLS 1.3 close_notify behind 16 or more records under the same
                                # application key: tlsdiag decrypts the first 16 only (tls_keys.h)
                                "close_notify_after_16_app_records": 0}

    def choose(self):
        x = self.rng.random() * self.cum[-1]
        lo, hi = 0, len(self.cum) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.cum[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return self.tpl[lo]

    def app_record_stream(self, nbytes, tls13, kind, seal=None, head=b""):
        """Encrypted application data records carrying nbytes of plaintext (sealed with the
        connection's keys when seal is given; head starts the first plaintext)."""
        rng, pool, out, n = self.rng, self.pool, [], 0
        while nbytes > 0:
            pl = min(nbytes, 16384)
            nbytes -= pl
            if seal:
                off = rng.randrange(0, len(pool) - pl)
                plain = (head + pool[off:off + pl])[:pl] if n == 0 and head else pool[off:off + pl]
                out.append(seal.seal(23, plain))
                n += 1
                self.m["keylog"]["app_records_sealed"] += 1
                continue
            if tls13:
                L = pl + 17
            elif kind == "cbc":
                L = 16 + ((pl + 32 + 1 + 15) // 16) * 16
            elif kind == "chacha":
                L = pl + 16
            else:
                L = pl + 24
            off = rng.randrange(0, len(pool) - L)
            out.append(b"\x17\x03\x03" + struct.pack("!H", L))
            out.append(pool[off:off + L])
            n += 1
        self.m["app_records"] += n
        return b"".join(out)

    def make_conn(self, k, t0):
        rng, m = self.rng, self.m
        tp = self.choose()
        name = tp["name"]
        info = tp["info"]
        c = Conn()
        ci = rng.randrange(1 << 18)
        c.c_ip = bytes((10, 16 + (ci >> 16), (ci >> 8) & 255, (ci & 255) or 1))
        c.s_ip = bytes(SERVERS[rng.randrange(len(SERVERS))])
        c.sp = 443 if rng.random() < 0.85 else 8443
        c.cp = rng.randrange(32768, 61000)
        c.c_seq = rng.getrandbits(32)
        c.s_seq = rng.getrandbits(32)
        c.c_id = rng.getrandbits(16)
        c.s_id = rng.getrandbits(16)
        c.c_ttl = (64 if rng.random() < 0.7 else 128) - rng.randrange(3, 20)
        c.c_tsb = rng.getrandbits(32)
        c.s_tsb = rng.getrandbits(32)
        rtt = min(0.4, max(0.0003, 0.02 * math.exp(rng.gauss(0, 1.0))))
        bw = min(1e9, max(2e6, 50e6 * math.exp(rng.gauss(0, 1.0))))
        tls13 = info["tls13"]
        kind = "cbc" if "cbc" in name else ("chacha" if "chacha" in name and not tls13 else "gcm")
        pk = []  # (t, frame)
        st = {"c": c.c_seq, "s": c.s_seq}  # next seq to send
        rcv = {"c": 0, "s": 0}

        def send(d, t, flags, payload=b"", syn_opts=None, seq=None):
            other = "s" if d == "c" else "c"
            sq = st[d] if seq is None else seq
            ackn = st[other] if (flags & 0x10) else 0
            pk.append((t, build_packet(c, d, t, flags, payload, sq, ackn, syn_opts)))
            if seq is None:
                st[d] += len(payload) + (1 if flags & 0x03 else 0)

        # --- 3-way handshake (tap close to the server) ---
        t = t0
        syn_o = struct.pack("!BBHBBBBIIBBBB", 2, 4, 1460, 4, 2, 8, 10, c.c_tsb & 0xFFFFFFFF, 0, 1, 3, 3, 7)
        send("c", t, 0x02, syn_opts=syn_o)
        t += 0.00002 + rng.random() * 0.00005
        syna_o = struct.pack("!BBHBBBBIIBBBB", 2, 4, 1460, 4, 2, 8, 10, c.s_tsb & 0xFFFFFFFF,
                             (c.c_tsb + 0) & 0xFFFFFFFF, 1, 3, 3, 7)
        send("s", t, 0x12, syn_opts=syna_o)
        t += rtt
        send("c", t, 0x10)

        def flight(d, data, t, pace, split=None, hs_disorder=False, data_phase=False):
            """Send data from d starting at t; returns time of last segment and segments list."""
            segs = []
            o = 0
            if split:
                segs.append(data[:split])
                o = split
            while o < len(data):
                segs.append(data[o:o + MSS])
                o += MSS
            times = []
            seqs = []
            for i, s in enumerate(segs):
                times.append(t)
                seqs.append(st[d])
                st[d] += len(s)
                t += (len(s) + 66) * 8 / pace
            # disorder
            order = list(range(len(segs)))
            extra = []
            if data_phase:
                for i in range(len(segs) - 1):
                    if rng.random() < P_OOO_DATA:
                        times[i], times[i + 1] = times[i + 1], times[i]
                        m["ooo_data_swaps"] += 1
                for i in range(len(segs)):
                    if rng.random() < P_RETX_DATA:
                        extra.append(i)
                        m["retx_data_segments"] += 1
            elif hs_disorder and len(segs) >= 3:
                if rng.random() < P_HS_RETX:
                    extra.append(rng.randrange(1, len(segs) - 1))
                    m["hs_retx_segments"] += 1
                    if info["srv_cert_msgs"]:
                        m["hs_retx_conns_with_srv_cert"] += 1
                if rng.random() < P_HS_OOO:
                    i = rng.randrange(0, len(segs) - 1)
                    times[i], times[i + 1] = times[i + 1], times[i]
                    m["hs_ooo_swaps"] += 1
                    if info["srv_cert_msgs"]:
                        m["hs_ooo_conns_with_srv_cert"] += 1
            other = "s" if d == "c" else "c"
            for i in order:
                pk.append((times[i], build_packet(c, d, times[i], 0x18 if i == len(segs) - 1 else 0x10,
                                                  segs[i], seqs[i], st[other])))
            for i in extra:
                tr = times[i] + rtt + 0.0002 + rng.random() * 0.001
                pk.append((tr, build_packet(c, d, tr, 0x18, segs[i], seqs[i], st[other])))
            # receiver ACKs every second segment (client ACKs reach the tap one RTT later)
            delay = rtt if other == "c" else 0.00003
            for i in range(1, len(segs), 2):
                ta = max(times[i], times[i - 1]) + delay
                pk.append((ta, build_packet(c, other, ta, 0x10, b"", st[other], seqs[i] + len(segs[i]))))
            return max(times) if times else t, len(segs)

        def pure_ack(d, t):
            send(d, t, 0x10)

        # --- TLS handshake flights from the template, with per-connection rewrites ---
        fl = [bytearray(b) for _, b in tp["fl"]]
        crand = rng.randbytes(32)
        srand = rng.randbytes(32)
        sid = rng.randbytes(32)
        ssid = rng.randbytes(32)
        sni = b"%05d" % rng.randrange(100000) if rng.random() < 0.9 else b"%05d" % (k % 50)
        keys = tp.get("keys") if self.keylog else None
        for fi, off, what, ln in tp["rewrite"]:
            if keys and not keys["tls13"] and what in ("crand", "srand"):
                continue   # TLS 1.2 keys are derived from the template's randoms
            src = {"crand": crand, "srand": srand, "sid": sid, "ssid": ssid, "sni": sni}[what]
            fl[fi][off:off + ln] = src[:ln]
        seal = self.log_keys(tp, keys, crand) if keys else None
        t += 0.00005 + rng.random() * 0.0005
        dirs = [d for d, _ in tp["fl"]]
        first_srv_big = True
        for i, d in enumerate(dirs):
            data = bytes(fl[i])
            if d == "c":
                split = None
                if i == 0 and rng.random() < P_SPLIT_CH and len(data) > 40:
                    split = rng.randrange(20, len(data) - 10)
                    m["split_client_hello"] += 1
                tl, n = flight("c", data, t, bw, split=split)
                t = tl + 0.00003 + rng.random() * 0.002  # server processing (sign, kx)
            else:
                hsd = first_srv_big and len(data) > 2 * MSS
                if hsd:
                    first_srv_big = False
                tl, n = flight("s", data, t, bw, hs_disorder=hsd)
                t = tl + rtt + 0.0001 + rng.random() * 0.003  # client verify/kx
        # stats
        m["client_hello"] += info["client_hello"]
        m["server_hello"] += info["server_hello"]
        m["srv_cert_msgs"] += info["srv_cert_msgs"]
        m["cli_cert_msgs"] += info["cli_cert_msgs"]
        m["cli_cert_empty"] += info["cli_cert_empty"]
        m["cert_request"] += info["cert_request"]
        for al in info["alerts"]:
            m["alerts_plain"][str(al["desc"])] = m["alerts_plain"].get(str(al["desc"]), 0) + 1
        m["tls13_conns" if tls13 else "tls12_conns"] += 1
        m["per_template"][name] = m["per_template"].get(name, 0) + 1
        if c.sp == 443:
            m["port_443"] += 1
        else:
            m["port_8443"] += 1
        if tp["resumed"]:
            m["resumed"] += 1
        if "mtls_ok" in name:
            m["mtls_with_cert"] += 1

        last = dirs[-1]
        if tp["expect"] == "ok":
            # --- application data exchanges ---
            if tls13 and last == "c":
                pure_ack("s", t - rtt)
            nex = 1
            while rng.random() < 0.25 and nex < 8:
                nex += 1
            bulk = (k % BULK_EVERY) == BULK_EVERY // 2
            for e in range(nex):
                req = rng.randrange(100, 900) if rng.random() < 0.95 else rng.randrange(1400, 8000)
                request = b"GET / HTTP/1.1\r\nHost: svc-%s.bench.test\r\n\r\n" % sni if e == 0 else b""
                if seal and e == 0:
                    # HTTP/1.1 bytes on a connection whose server chose h2 are no
                    # status line to a reader (tlsdiag and tshark read HTTP/2 there)
                    h2 = self.server_chose_h2(tp, keys)
                    m["keylog"]["http_requests_h2" if h2 else "http_requests"] += 1
                tl, _ = flight("c", self.app_record_stream(req, tls13, kind, seal and seal["c"], request), t, bw,
                               data_phase=True)
                m["app_bytes"] += req
                t = tl + 0.0002 + rng.random() * 0.01
                if bulk and e == 0:
                    resp = rng.randrange(2 << 20, 8 << 20)
                    m["bulk_transfers"] += 1
                else:
                    resp = int(min(64 << 10, max(1 << 10, 1800 * math.exp(rng.gauss(0, 1.0)))))
                m["app_bytes"] += resp
                status = b""
                if e == 0:   # the header is part of the response's bytes; Content-Length the rest
                    h = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n"
                    status = h % (resp - len(h % resp))
                    status = h % (resp - len(status))
                tl, n = flight("s", self.app_record_stream(resp, tls13, kind, seal and seal["s"], status), t, bw,
                               data_phase=True)
                t = tl + rtt
                if n % 2 == 1:  # delayed ACK for the odd last segment
                    t += 0.0 if n == 1 else 0.04
                    pure_ack("c", t)
                t += 0.001 + (rng.random() * 2.0 if rng.random() < 0.2 else rng.random() * 0.05)
            # --- teardown ---
            cn = b"\x17\x03\x03\x00\x13" + rng.randbytes(19) if tls13 else \
                b"\x15\x03\x03" + struct.pack("!H", {"gcm": 26, "chacha": 18, "cbc": 64}[kind]) + \
                rng.randbytes({"gcm": 26, "chacha": 18, "cbc": 64}[kind])
            cn_side = {"c": cn, "s": cn}
            closes = []
            if seal:   # each side's close_notify under its own keys
                late = {d: tls13 and seal[d].seq >= 16 for d in "cs"}
                cn_side = {d: seal[d].seal(21, b"\x01\x00") for d in "cs"}
            r = rng.random()
            if r < P_RST:
                send("c", t, 0x14)
                m["rst_closes"] += 1
            elif r < 0.6:  # client closes
                flight("c", cn_side["c"], t, bw)
                send("c", t + 0.00001, 0x11)
                t += 0.00005
                closes = ["c"]
                if rng.random() < 0.5:
                    flight("s", cn_side["s"], t, bw)
                    closes = ["c", "s"]
                    t += 0.00001
                send("s", t, 0x11)
                send("c", t + rtt, 0x10)
            else:  # server closes (idle timeout)
                t += rng.random() * 5
                flight("s", cn_side["s"], t, bw)
                closes = ["s"]
                send("s", t + 0.00001, 0x11)
                t += rtt
                send("c", t, 0x11)
                send("s", t + 0.00003, 0x10)
            if seal:
                m["keylog"]["close_notify_sealed"] += len(closes)
                m["keylog"]["close_notify_after_16_app_records"] += sum(late[d] for d in closes)
        else:
            m["failed_handshakes"] += 1
            a = last if info["alerts"] else last
            b = "s" if a == "c" else "c"
            t_fin = t - (rtt if a == "s" else 0) - rng.random() * 0.0005
            tmax = max(p[0] for p in pk)
            t_a = max(t_fin, tmax + 0.00001)
            send(a, t_a, 0x11)
            tt = t_a + (rtt if b == "c" else 0.00003)
            if rng.random() < 0.3:
                send(b, tt, 0x14)
                m["rst_closes"] += 1
            else:
                send(b, tt, 0x11)
                send(a, tt + (rtt if a == "c" else 0.00003), 0x10)
        pk.sort(key=lambda x: x[0])
        return pk

    def server_chose_h2(self, tp, keys):
        """Whether the template's server selected ALPN h2 (ServerHello, or TLS 1.3's
        EncryptedExtensions opened with the template's secrets); once per template."""
        name = tp["name"]
        if name not in self.h2_templates:
            h2_ext = b"\x00\x10\x00\x05\x00\x03\x02h2"   # ALPN, one protocol: "h2"
            flights = [(d, bytes.fromhex(h)) for d, h in tp["flights"]]
            server = b"".join(b for d, b in flights if d == "s")
            if keys["tls13"]:
                import keylog_templates   # noqa: E402 (needs the shared bench on the path)
                sec = {lb: bytes.fromhex(v) for lb, v in keys["lines"]}
                res = keylog_templates.open_all13(flights, keys["suite"], sec)
                server = b"".join(body for d, ct, body in res[2] if d == "s" and ct == 22) if res else b""
            self.h2_templates[name] = h2_ext in server
        return self.h2_templates[name]

    def log_keys(self, tp, keys, crand):
        """Write the connection's key-log lines; the two sides' record protection for what the
        generator adds after the template (None when the template adds nothing)."""
        km = self.m["keylog"]
        km["connections_with_keys"] += 1
        for f, n in keys["decrypted"].items():
            if f == "alerts":
                for code, k in n.items():
                    km["decrypted"]["alerts"][code] = km["decrypted"]["alerts"].get(code, 0) + k
            else:
                km["decrypted"][f] += n
        suite, seq = keys["suite"], keys["app_seq"]
        if keys["tls13"]:
            for label, secret in keys["lines"]:
                self.keylog.write(f"{label} {crand.hex()} {secret}\n")
            km["tls13_lines"] += len(keys["lines"])
            sec = {lb: bytes.fromhex(v) for lb, v in keys["lines"]}
            if tp["expect"] != "ok":
                return None
            return {"c": tlscrypt.Tls13Dir(suite, sec["CLIENT_TRAFFIC_SECRET_0"], seq["c"]),
                    "s": tlscrypt.Tls13Dir(suite, sec["SERVER_TRAFFIC_SECRET_0"], seq["s"])}
        if tp["name"] not in self.logged12:
            self.logged12.add(tp["name"])
            for label, secret in keys["lines"]:
                self.keylog.write(f"{label} {keys['client_random']} {secret}\n")
            km["tls12_lines"] += len(keys["lines"])
        if tp["expect"] != "ok":
            return None
        fl = [bytes.fromhex(h) for _, h in tp["flights"]]
        if "rand" not in keys:
            keys["rand"] = self.template_randoms(fl, keys)
        cr, sr = keys["rand"]
        master = bytes.fromhex(keys["lines"][0][1])
        return {d: tlscrypt.Tls12Dir(suite, master, cr, sr, d, keys["etm"], seq[d], self.iv_rng) for d in "cs"}

    @staticmethod
    def template_randoms(fl, keys):
        """The template's own client and server random (kept in its TLS 1.2 connections)."""
        cr = bytes.fromhex(keys["client_random"])
        for buf in fl:
            o = 0
            while o + 5 <= len(buf):
                t, ln = buf[o], struct.unpack_from("!H", buf, o + 3)[0]
                body = buf[o + 5:o + 5 + ln]
                if t == 22 and len(body) > 38 and body[0] == 2:
                    return cr, body[6:38]
                o += 5 + ln
        raise SystemExit("template without a ServerHello has keys")

    def run(self):
        a, m, rng = self.a, self.m, self.rng
        target = a.size_mib << 20
        out = open(a.out, "wb", buffering=8 << 20)
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        written = 24
        pending = 0
        heap = []  # (t, k, idx, pk, sizes)
        t_next = 0.0
        k = 0
        rate = a.rate
        npk = 0
        wire = 0
        t_start = time.time()
        last_ts = 0.0
        while True:
            starting = written + pending < target
            if not starting and not heap:
                break
            if starting and (not heap or heap[0][0] >= t_next):
                pk = self.make_conn(k, t_next)
                sz = sum(16 + len(f) for _, f in pk)
                pending += sz
                heapq.heappush(heap, (pk[0][0], k, 0, pk))
                k += 1
                m["max_concurrent"] = max(m["max_concurrent"], len(heap))
                t_next += rng.expovariate(rate)
                continue
            ts, kk, idx, pk = heapq.heappop(heap)
            f = pk[idx][1]
            if ts < last_ts:
                ts = last_ts
            last_ts = ts
            tt = BASE_T + ts
            sec = int(tt)
            usec = int(round((tt - sec) * 1e6))
            if usec >= 1000000:
                sec += 1
                usec -= 1000000
            out.write(struct.pack("<IIII", sec, usec, len(f), len(f)))
            out.write(f)
            n = 16 + len(f)
            written += n
            pending -= n
            npk += 1
            wire += len(f)
            idx += 1
            if idx < len(pk):
                heapq.heappush(heap, (pk[idx][0], kk, idx, pk))
            if npk % 1000000 == 0:
                print(f"  {npk/1e6:.0f}M packets, {written/2**20:.0f} MiB, {k} conns, "
                      f"{time.time()-t_start:.0f}s", file=sys.stderr)
        out.close()
        m["connections"] = k
        m["packets"] = npk
        m["bytes_file"] = written
        m["bytes_wire"] = wire
        m["capture_seconds"] = round(last_ts, 3)
        names = {40: "handshake_failure", 42: "bad_certificate", 45: "certificate_expired",
                 48: "unknown_ca", 70: "protocol_version"}
        m["alerts_by_name"] = {names.get(int(d), d): v for d, v in m["alerts_plain"].items()}
        m["gen_seconds"] = round(time.time() - t_start, 1)
        if self.keylog:
            self.keylog.close()
        json.dump(m, open(a.manifest, "w"), indent=1)
        print(json.dumps({x: m[x] for x in ("connections", "packets", "bytes_file", "client_hello",
                                             "srv_cert_msgs", "alerts_by_name", "gen_seconds")}),
              file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--templates", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--manifest")
    ap.add_argument("--size-mib", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rate", type=float, default=400.0, help="new connections per second")
    ap.add_argument("--keylog", help="write every connection's secrets here (templates with keys)")
    a = ap.parse_args()
    a.manifest = a.manifest or a.out + ".manifest.json"
    Gen(a).run()


if __name__ == "__main__":
    main()
