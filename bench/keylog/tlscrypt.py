"""tlscrypt.py - TLS 1.2 and 1.3 record protection from key-log secrets, for the key-log bench.

Only what the bench's templates negotiate: AES-GCM and ChaCha20-Poly1305 (TLS 1.2 and 1.3) and
AES-CBC with HMAC-SHA256, MAC-then-encrypt or encrypt-then-MAC (RFC 7366), TLS 1.2 only.
Key schedule: RFC 5246 section 6.3 (PRF, key block) and RFC 8446 section 7.1-7.3
(HKDF-Expand-Label, traffic keys, per-record nonce).
"""
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

# suite -> (aead or "cbc", key length, hash of the PRF/HKDF)
TLS13_SUITES = {0x1301: ("gcm", 16, "sha256"), 0x1302: ("gcm", 32, "sha384"), 0x1303: ("chacha", 32, "sha256")}
TLS12_SUITES = {
    0xC02F: ("gcm", 16, "sha256"), 0xC030: ("gcm", 32, "sha384"), 0xC02B: ("gcm", 16, "sha256"),
    0xC02C: ("gcm", 32, "sha384"), 0x009C: ("gcm", 16, "sha256"), 0x009D: ("gcm", 32, "sha384"),
    0x009E: ("gcm", 16, "sha256"), 0x009F: ("gcm", 32, "sha384"), 0xCCA8: ("chacha", 32, "sha256"),
    0xCCA9: ("chacha", 32, "sha256"), 0xCCAA: ("chacha", 32, "sha256"), 0x003C: ("cbc", 16, "sha256"),
    0x003D: ("cbc", 32, "sha256"),
}
VERSION = b"\x03\x03"


def _hash(name):
    return hashes.SHA256() if name == "sha256" else hashes.SHA384()


def hkdf_expand_label(secret, label, context, length, hname):
    info = struct.pack("!H", length) + bytes([6 + len(label)]) + b"tls13 " + label + bytes([len(context)]) + context
    return HKDFExpand(_hash(hname), length, info).derive(secret)


def prf12(secret, label, seed, n, hname):
    """P_hash of RFC 5246 section 5."""
    h = getattr(hashlib, hname)
    out, a = b"", label + seed
    while len(out) < n:
        a = hmac.new(secret, a, h).digest()
        out += hmac.new(secret, a + label + seed, h).digest()
    return out[:n]


def _aead(kind, key):
    return AESGCM(key) if kind == "gcm" else ChaCha20Poly1305(key)


def _xor_nonce(iv, seq):
    s = seq.to_bytes(len(iv), "big")
    return bytes(a ^ b for a, b in zip(iv, s))


class Tls13Dir:
    """One direction under one TLS 1.3 traffic secret."""

    def __init__(self, suite, secret, seq=0):
        kind, klen, hname = TLS13_SUITES[suite]
        self.aead = _aead(kind, hkdf_expand_label(secret, b"key", b"", klen, hname))
        self.iv = hkdf_expand_label(secret, b"iv", b"", 12, hname)
        self.seq = seq

    def seal(self, ctype, plain):
        inner = plain + bytes([ctype])
        hdr = b"\x17" + VERSION + struct.pack("!H", len(inner) + 16)
        body = self.aead.encrypt(_xor_nonce(self.iv, self.seq), inner, hdr)
        self.seq += 1
        return hdr + body

    def open(self, hdr, body):
        """(content type, plaintext), or None when the record does not authenticate."""
        try:
            inner = self.aead.decrypt(_xor_nonce(self.iv, self.seq), body, hdr)
        except Exception:
            return None
        self.seq += 1
        inner = inner.rstrip(b"\x00")
        return inner[-1], inner[:-1]


class Tls12Dir:
    """One direction of a TLS 1.2 connection after its ChangeCipherSpec."""

    def __init__(self, suite, master, client_random, server_random, side, etm, seq=0, iv_rng=None):
        kind, klen, hname = TLS12_SUITES[suite]
        mlen = 32 if kind == "cbc" else 0
        ivlen = {"gcm": 4, "chacha": 12, "cbc": 16}[kind]
        kb = prf12(master, b"key expansion", server_random + client_random, 2 * (mlen + klen + ivlen), hname)
        o = 0 if side == "c" else 1
        self.mac = kb[o * mlen:(o + 1) * mlen]
        key = kb[2 * mlen + o * klen:2 * mlen + (o + 1) * klen]
        self.iv = kb[2 * mlen + 2 * klen + o * ivlen:2 * mlen + 2 * klen + (o + 1) * ivlen]
        self.kind, self.etm, self.seq, self.iv_rng = kind, etm, seq, iv_rng
        self.key = key
        self.aead = None if kind == "cbc" else _aead(kind, key)

    def _ad(self, ctype, n):
        return struct.pack("!Q", self.seq) + bytes([ctype]) + VERSION + struct.pack("!H", n)

    def _hmac(self, data):
        return hmac.new(self.mac, data, hashlib.sha256).digest()

    def seal(self, ctype, plain):
        if self.kind == "gcm":
            explicit = struct.pack("!Q", self.seq)
            body = explicit + self.aead.encrypt(self.iv + explicit, plain, self._ad(ctype, len(plain)))
        elif self.kind == "chacha":
            body = self.aead.encrypt(_xor_nonce(self.iv, self.seq), plain, self._ad(ctype, len(plain)))
        else:
            iv = self.iv_rng.randbytes(16)
            data = plain if self.etm else plain + self._hmac(self._ad(ctype, len(plain)) + plain)
            pad = (16 - (len(data) + 1) % 16) % 16
            enc = Cipher(algorithms.AES(self.key), modes.CBC(iv)).encryptor()
            ct = iv + enc.update(data + bytes([pad]) * (pad + 1)) + enc.finalize()
            body = ct + self._hmac(self._ad(ctype, len(ct)) + ct) if self.etm else ct
        self.seq += 1
        return bytes([ctype]) + VERSION + struct.pack("!H", len(body)) + body

    def open(self, hdr, body):
        ctype = hdr[0]
        try:
            if self.kind == "gcm":
                explicit, ct = body[:8], body[8:]
                plain = self.aead.decrypt(self.iv + explicit, ct, self._ad(ctype, len(ct) - 16))
            elif self.kind == "chacha":
                plain = self.aead.decrypt(_xor_nonce(self.iv, self.seq), body, self._ad(ctype, len(body) - 16))
            else:
                ct = body[:-32] if self.etm else body
                if self.etm and not hmac.compare_digest(body[-32:], self._hmac(self._ad(ctype, len(ct)) + ct)):
                    return None
                dec = Cipher(algorithms.AES(self.key), modes.CBC(ct[:16])).decryptor()
                data = dec.update(ct[16:]) + dec.finalize()
                data = data[:len(data) - data[-1] - 1]
                if not self.etm:
                    data, mac = data[:-32], data[-32:]
                    if not hmac.compare_digest(mac, self._hmac(self._ad(ctype, len(data)) + data)):
                        return None
                plain = data
        except Exception:
            return None
        self.seq += 1
        return ctype, plain
