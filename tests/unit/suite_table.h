/* suite_table.h - the suites the decryption tests use, filled by hand (test_decrypt.c, fuzz_decrypt.c). */
#ifndef TLSDIAG_SUITE_TABLE_H
#define TLSDIAG_SUITE_TABLE_H

/*
 * The facts of RFC 8446 B.4, RFC 5288, 6655, 7905 and 5246 that the
 * decryptor needs, named as OpenSSL names the suites. The registry proper
 * is tls_suite.c's (tls_suite_find, tls_cipher_info); this copy keeps the
 * decryption tests independent of it.
 */

#include <stddef.h>
#include <string.h>

#include "tls_names.h"
#include "tls_suite.h"

static const struct tls_cipher_info ci_aes128gcm = { "AES-128-GCM", 16, 4, 8, 16, 0, true };
static const struct tls_cipher_info ci_aes256gcm = { "AES-256-GCM", 32, 4, 8, 16, 0, true };
static const struct tls_cipher_info ci_chacha = { "ChaCha20-Poly1305", 32, 12, 0, 16, 0, true };
static const struct tls_cipher_info ci_aes128ccm = { "AES-128-CCM", 16, 4, 8, 16, 0, true };
static const struct tls_cipher_info ci_aes128ccm8 = { "AES-128-CCM", 16, 4, 8, 8, 0, true };
static const struct tls_cipher_info ci_aes256ccm8 = { "AES-256-CCM", 32, 4, 8, 8, 0, true };
static const struct tls_cipher_info ci_aes128cbc = { "AES-128-CBC", 16, 16, 16, 0, 16, false };
static const struct tls_cipher_info ci_aes256cbc = { "AES-256-CBC", 32, 16, 16, 0, 16, false };
static const struct tls_cipher_info ci_cam128cbc = { "CAMELLIA-128-CBC", 16, 16, 16, 0, 16, false };
static const struct tls_cipher_info ci_null = { NULL, 0, 0, 0, 0, 0, false };

struct tsuite {
	const char *openssl;
	struct tls_suite s;
	const struct tls_cipher_info *c;
};

static const struct tsuite suites[] = {
	{ "ECDHE-RSA-AES128-GCM-SHA256", { 0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", TLS_KX_ECDHE,
	  TLS_CIPHER_AES_128_GCM, TLS_MAC_AEAD, TLS_PRF_SHA256 }, &ci_aes128gcm },
	{ "ECDHE-RSA-AES256-GCM-SHA384", { 0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", TLS_KX_ECDHE,
	  TLS_CIPHER_AES_256_GCM, TLS_MAC_AEAD, TLS_PRF_SHA384 }, &ci_aes256gcm },
	{ "ECDHE-RSA-CHACHA20-POLY1305", { 0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", TLS_KX_ECDHE,
	  TLS_CIPHER_CHACHA20_POLY1305, TLS_MAC_AEAD, TLS_PRF_SHA256 }, &ci_chacha },
	{ "AES128-CCM", { 0xc09c, "TLS_RSA_WITH_AES_128_CCM", TLS_KX_RSA, TLS_CIPHER_AES_128_CCM, TLS_MAC_AEAD,
	  TLS_PRF_SHA256 }, &ci_aes128ccm },
	{ "AES256-CCM8", { 0xc0a1, "TLS_RSA_WITH_AES_256_CCM_8", TLS_KX_RSA, TLS_CIPHER_AES_256_CCM_8, TLS_MAC_AEAD,
	  TLS_PRF_SHA256 }, &ci_aes256ccm8 },
	{ "ECDHE-RSA-AES128-SHA", { 0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", TLS_KX_ECDHE,
	  TLS_CIPHER_AES_128_CBC, TLS_MAC_SHA1, TLS_PRF_SHA256 }, &ci_aes128cbc },
	{ "ECDHE-RSA-AES256-SHA", { 0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", TLS_KX_ECDHE,
	  TLS_CIPHER_AES_256_CBC, TLS_MAC_SHA1, TLS_PRF_SHA256 }, &ci_aes256cbc },
	{ "ECDHE-RSA-AES128-SHA256", { 0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", TLS_KX_ECDHE,
	  TLS_CIPHER_AES_128_CBC, TLS_MAC_SHA256, TLS_PRF_SHA256 }, &ci_aes128cbc },
	{ "ECDHE-RSA-AES256-SHA384", { 0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", TLS_KX_ECDHE,
	  TLS_CIPHER_AES_256_CBC, TLS_MAC_SHA384, TLS_PRF_SHA384 }, &ci_aes256cbc },
	{ "CAMELLIA128-SHA256", { 0x00ba, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", TLS_KX_RSA,
	  TLS_CIPHER_CAMELLIA_128_CBC, TLS_MAC_SHA256, TLS_PRF_SHA256 }, &ci_cam128cbc },
	{ "NULL-SHA256", { 0x003b, "TLS_RSA_WITH_NULL_SHA256", TLS_KX_RSA, TLS_CIPHER_NULL, TLS_MAC_SHA256,
	  TLS_PRF_SHA256 }, &ci_null },
	{ "TLS_AES_128_GCM_SHA256", { 0x1301, "TLS_AES_128_GCM_SHA256", TLS_KX_TLS13, TLS_CIPHER_AES_128_GCM,
	  TLS_MAC_AEAD, TLS_PRF_SHA256 }, &ci_aes128gcm },
	{ "TLS_AES_256_GCM_SHA384", { 0x1302, "TLS_AES_256_GCM_SHA384", TLS_KX_TLS13, TLS_CIPHER_AES_256_GCM,
	  TLS_MAC_AEAD, TLS_PRF_SHA384 }, &ci_aes256gcm },
	{ "TLS_CHACHA20_POLY1305_SHA256", { 0x1303, "TLS_CHACHA20_POLY1305_SHA256", TLS_KX_TLS13,
	  TLS_CIPHER_CHACHA20_POLY1305, TLS_MAC_AEAD, TLS_PRF_SHA256 }, &ci_chacha },
	{ "TLS_AES_128_CCM_SHA256", { 0x1304, "TLS_AES_128_CCM_SHA256", TLS_KX_TLS13, TLS_CIPHER_AES_128_CCM,
	  TLS_MAC_AEAD, TLS_PRF_SHA256 }, &ci_aes128ccm },
	{ "TLS_AES_128_CCM_8_SHA256", { 0x1305, "TLS_AES_128_CCM_8_SHA256", TLS_KX_TLS13, TLS_CIPHER_AES_128_CCM_8,
	  TLS_MAC_AEAD, TLS_PRF_SHA256 }, &ci_aes128ccm8 },
};

static inline const struct tsuite *suite_named(const char *openssl)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (strcmp(suites[i].openssl, openssl) == 0)
			return &suites[i];
	return NULL;
}

#endif
