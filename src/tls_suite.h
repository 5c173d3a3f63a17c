/* tls_suite.h - the cipher suite registry: name, key exchange and how records are protected. */
#ifndef TLSDIAG_TLS_SUITE_H
#define TLSDIAG_TLS_SUITE_H

#include <stdbool.h>
#include <stdint.h>

#include "tls_names.h"

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

/* The record MAC of a non-AEAD suite (RFC 5246 §6.2.3.1); AEAD suites have none. */
enum tls_mac { TLS_MAC_AEAD = 0, TLS_MAC_MD5, TLS_MAC_SHA1, TLS_MAC_SHA256, TLS_MAC_SHA384, TLS_MAC_OTHER };

/* The hash of the TLS 1.2 PRF (RFC 5246 §5) or of the TLS 1.3 HKDF (RFC 8446 §7.1).
 * TLS 1.0/1.1 always use the MD5+SHA-1 PRF of RFC 2246 §5, whatever the suite says. */
enum tls_prf { TLS_PRF_SHA256 = 0, TLS_PRF_SHA384, TLS_PRF_OTHER };

/* How a bulk cipher is used on records: the lengths decryption needs. */
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

/* Parameters of a bulk cipher (never NULL for a value below TLS_CIPHER_COUNT). */
const struct tls_cipher_info *tls_cipher_info(int cipher);

/* MAC length in bytes of a tls_mac (0 for AEAD and OTHER). */
unsigned tls_mac_len(int mac);

#endif
