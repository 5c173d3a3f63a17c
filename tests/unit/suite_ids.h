/* suite_ids.h - the suites the decryption tests use, by OpenSSL name; their facts come from tls_suite.c. */
#ifndef TLSDIAG_SUITE_IDS_H
#define TLSDIAG_SUITE_IDS_H

#include <stddef.h>
#include <string.h>

#include "tls_suite.h"

/* OpenSSL names (as the test vectors and s_client say them) to IANA values:
 * everything else (key exchange, cipher, MAC, PRF, key lengths) is read
 * from the registry, tls_suite_find and tls_cipher_info. */
static const struct { const char *openssl; uint16_t id; } suite_ids[] = {
	{ "ECDHE-RSA-AES128-GCM-SHA256", 0xc02f }, { "ECDHE-RSA-AES256-GCM-SHA384", 0xc030 },
	{ "ECDHE-RSA-CHACHA20-POLY1305", 0xcca8 }, { "AES128-CCM", 0xc09c }, { "AES256-CCM8", 0xc0a1 },
	{ "ECDHE-RSA-AES128-SHA", 0xc013 }, { "ECDHE-RSA-AES256-SHA", 0xc014 },
	{ "ECDHE-RSA-AES128-SHA256", 0xc027 }, { "ECDHE-RSA-AES256-SHA384", 0xc028 },
	{ "CAMELLIA128-SHA256", 0x00ba }, { "NULL-SHA256", 0x003b },
	{ "TLS_AES_128_GCM_SHA256", 0x1301 }, { "TLS_AES_256_GCM_SHA384", 0x1302 },
	{ "TLS_CHACHA20_POLY1305_SHA256", 0x1303 }, { "TLS_AES_128_CCM_SHA256", 0x1304 },
	{ "TLS_AES_128_CCM_8_SHA256", 0x1305 },
};
#define N_SUITE_IDS (sizeof(suite_ids) / sizeof(suite_ids[0]))

struct tsuite {
	const char *openssl;
	const struct tls_suite *s;
	const struct tls_cipher_info *c;
};

/* The i-th suite (i < N_SUITE_IDS) with its registry facts. */
static inline const struct tsuite *suite_at(size_t i)
{
	static struct tsuite t[N_SUITE_IDS];
	if (!t[i].s) {
		t[i].openssl = suite_ids[i].openssl;
		t[i].s = tls_suite_find(suite_ids[i].id);
		t[i].c = t[i].s ? tls_cipher_info(t[i].s->cipher) : NULL;
	}
	return &t[i];
}

static inline const struct tsuite *suite_named(const char *openssl)
{
	for (size_t i = 0; i < N_SUITE_IDS; i++)
		if (strcmp(suite_ids[i].openssl, openssl) == 0)
			return suite_at(i);
	return NULL;
}

#endif
