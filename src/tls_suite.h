/* tls_suite.h - the cipher suite registry: name, key exchange and how records are protected. */
#ifndef TLSDIAG_TLS_SUITE_H
#define TLSDIAG_TLS_SUITE_H

#include <stdbool.h>
#include <stdint.h>

/* How the server key exchange of a TLS <= 1.2 cipher suite is built,
 * which decides how a ServerKeyExchange message is parsed (RFC 5246 §7.4.3,
 * RFC 4492 §5.4, RFC 4279 §2-4, RFC 5489). */
enum tls_kx {
	TLS_KX_UNKNOWN = 0,
	TLS_KX_NULL,        /* TLS_NULL_WITH_NULL_NULL */
	TLS_KX_RSA,         /* no ServerKeyExchange */
	TLS_KX_RSA_EXPORT,  /* ServerKeyExchange: RSA modulus/exponent + signature */
	TLS_KX_DH,          /* static DH_DSS / DH_RSA: no ServerKeyExchange */
	TLS_KX_DHE,         /* DHE_RSA / DHE_DSS: dh_p, dh_g, dh_Ys + signature */
	TLS_KX_DH_ANON,     /* DH_anon: DH params, no signature */
	TLS_KX_ECDH,        /* static ECDH_ECDSA / ECDH_RSA: no ServerKeyExchange */
	TLS_KX_ECDHE,       /* ECDHE_RSA / ECDHE_ECDSA: ECParameters + point + signature */
	TLS_KX_ECDH_ANON,   /* ECDH_anon: ECParameters + point, no signature */
	TLS_KX_PSK,         /* PSK: identity hint only */
	TLS_KX_DHE_PSK,     /* hint + DH params */
	TLS_KX_ECDHE_PSK,   /* hint + ECParameters + point */
	TLS_KX_RSA_PSK,     /* hint only */
	TLS_KX_SRP,         /* SRP params (+ signature for SRP_SHA_RSA/DSS) */
	TLS_KX_KRB5,
	TLS_KX_ECCPWD,
	TLS_KX_TLS13,       /* TLS 1.3 suites (0x13xx): no ServerKeyExchange */
	TLS_KX_SCSV         /* signalling values, not real suites */
};

/* The bulk cipher of a suite's records (RFC 5246 §6.2.3, RFC 8446 §5.2). */
enum tls_cipher {
	TLS_CIPHER_OTHER = 0,       /* one tlsdiag names but does not decrypt (IDEA, RC2, ARIA, GOST ...) */
	TLS_CIPHER_NULL,            /* no encryption (..._WITH_NULL_<MAC>, TLS_NULL_WITH_NULL_NULL) */
	TLS_CIPHER_RC4_128,
	TLS_CIPHER_DES_CBC,
	TLS_CIPHER_3DES_EDE_CBC,
	TLS_CIPHER_AES_128_CBC,
	TLS_CIPHER_AES_256_CBC,
	TLS_CIPHER_CAMELLIA_128_CBC,
	TLS_CIPHER_CAMELLIA_256_CBC,
	TLS_CIPHER_AES_128_GCM,
	TLS_CIPHER_AES_256_GCM,
	TLS_CIPHER_AES_128_CCM,
	TLS_CIPHER_AES_256_CCM,
	TLS_CIPHER_AES_128_CCM_8,
	TLS_CIPHER_AES_256_CCM_8,
	TLS_CIPHER_CHACHA20_POLY1305,
	TLS_CIPHER_COUNT
};

/* The record MAC of a non-AEAD suite (RFC 5246 §6.2.3.1); AEAD suites have
 * none, and TLS_NULL_WITH_NULL_NULL has no MAC at all. */
enum tls_mac { TLS_MAC_AEAD = 0, TLS_MAC_NULL, TLS_MAC_MD5, TLS_MAC_SHA1, TLS_MAC_SHA256, TLS_MAC_SHA384, TLS_MAC_OTHER };

/* The hash of the TLS 1.2 PRF (RFC 5246 §5) or of the TLS 1.3 HKDF (RFC 8446 §7.1).
 * TLS 1.0/1.1 always use the MD5+SHA-1 PRF of RFC 2246 §5, whatever the suite says. */
enum tls_prf { TLS_PRF_SHA256 = 0, TLS_PRF_SHA384, TLS_PRF_OTHER };

/* How a bulk cipher is used on records: the lengths decryption needs. The
 * IV lengths are those of TLS 1.2 (and, for CBC, of TLS 1.0 and 1.1: see
 * tls_suite_key_lengths for the lengths under one version). */
struct tls_cipher_info {
	const char *evp_name;       /* name for EVP_CIPHER_fetch, NULL: none (NULL, OTHER) */
	uint8_t key_len;            /* bytes of key per direction */
	uint8_t fixed_iv_len;       /* implicit IV / salt from the key block (GCM 4, CCM 4, ChaCha 12, CBC 1.0: block) */
	uint8_t record_iv_len;      /* explicit per-record nonce or IV (GCM/CCM 8, CBC TLS >= 1.1: block, ChaCha 0) */
	uint8_t tag_len;            /* AEAD tag (16, CCM_8: 8), 0 otherwise */
	uint8_t block_len;          /* CBC block size, 0 for stream and AEAD ciphers */
	bool aead;
};

/* One suite of the IANA registry. */
struct tls_suite {
	uint16_t id;
	const char *name;           /* IANA name, as Wireshark shows it */
	uint8_t kx;                 /* enum tls_kx */
	uint8_t cipher;             /* enum tls_cipher */
	uint8_t mac;                /* enum tls_mac */
	uint8_t prf;                /* enum tls_prf */
};

/* The registry entry of a suite, or NULL when the value is not assigned (or GREASE). */
const struct tls_suite *tls_suite_find(uint16_t id);

/* The key exchange of a suite (TLS_KX_UNKNOWN when it is not assigned). */
enum tls_kx tls_suite_kx(uint16_t id);

/* A TLS <= 1.2 suite that authenticates but does not encrypt
 * (..._WITH_NULL_<MAC>): the records after ChangeCipherSpec are plaintext
 * followed by the MAC. Returns the MAC length in bytes (0 for
 * TLS_NULL_WITH_NULL_NULL), or -1 for a suite that encrypts, a TLS 1.3
 * suite, or a value that is not assigned. */
int tls_suite_null_mac(uint16_t id);

/* Parameters of a bulk cipher (never NULL for a value below TLS_CIPHER_COUNT). */
const struct tls_cipher_info *tls_cipher_info(int cipher);

/* MAC length in bytes of a tls_mac (0 for AEAD, NULL and OTHER). */
unsigned tls_mac_len(int mac);

/* TLS 1.3 or one of its drafts (0x7fxx, Facebook's 0xfb17/0xfb1a): the
 * record and handshake formats of RFC 8446. */
bool tls_version_is_13(uint16_t version);

/* What protects one direction's records under a negotiated version: the
 * lengths the TLS <= 1.2 key block is cut into (RFC 5246 §6.3; TLS 1.1 and
 * later derive no CBC IV, RFC 4346 §6.3) or that the TLS 1.3 traffic key
 * derivation makes (RFC 8446 §7.3: key, and a 12-byte iv). */
struct tls_key_lengths {
	uint8_t mac_key_len;        /* HMAC key (non-AEAD suites), 0 for AEAD */
	uint8_t mac_len;            /* MAC at the end of each record, 0 for AEAD */
	uint8_t key_len;            /* cipher key, 0 for NULL */
	uint8_t fixed_iv_len;       /* from the key schedule: TLS 1.3 12, GCM/CCM 4, ChaCha 12, CBC in TLS 1.0 the block */
	uint8_t record_iv_len;      /* carried in each record: GCM/CCM 8 (TLS <= 1.2), CBC in TLS >= 1.1 the block */
	uint8_t tag_len;            /* AEAD tag */
};

/* The lengths for suite s under version; false when tlsdiag cannot protect
 * or open such records (a cipher or MAC it only names, a TLS 1.3 suite under
 * TLS <= 1.2 or the reverse, the integrity-only suites of RFC 9150). */
bool tls_suite_key_lengths(const struct tls_suite *s, uint16_t version, struct tls_key_lengths *out);

#endif
