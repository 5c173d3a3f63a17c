/* test_tls_suite.c - CUnit tests for the cipher suite table (src/tls_suite.c): what protects records. */
#include "tls_suite.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "tls_names.h"
#include "unit.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* One suite under one version, as RFC 5246 Appendix C, RFC 5288, RFC 6655,
 * RFC 7905 and RFC 8446 §5.3 give its lengths. */
struct expect {
	uint16_t id;
	uint16_t version;
	int cipher, mac, prf;
	const char *evp;
	bool ok;               /* tls_suite_key_lengths succeeds */
	struct tls_key_lengths k;
};

static const struct expect expected[] = {
	/* TLS 1.3: key, a 12-byte iv, the tag */
	{ 0x1301, 0x0304, TLS_CIPHER_AES_128_GCM, TLS_MAC_AEAD, TLS_PRF_SHA256, "AES-128-GCM", true,
	  { .key_len = 16, .fixed_iv_len = 12, .tag_len = 16 } },
	{ 0x1302, 0x0304, TLS_CIPHER_AES_256_GCM, TLS_MAC_AEAD, TLS_PRF_SHA384, "AES-256-GCM", true,
	  { .key_len = 32, .fixed_iv_len = 12, .tag_len = 16 } },
	{ 0x1303, 0x0304, TLS_CIPHER_CHACHA20_POLY1305, TLS_MAC_AEAD, TLS_PRF_SHA256, "ChaCha20-Poly1305", true,
	  { .key_len = 32, .fixed_iv_len = 12, .tag_len = 16 } },
	{ 0x1304, 0x0304, TLS_CIPHER_AES_128_CCM, TLS_MAC_AEAD, TLS_PRF_SHA256, "AES-128-CCM", true,
	  { .key_len = 16, .fixed_iv_len = 12, .tag_len = 16 } },
	{ 0x1305, 0x7f17, TLS_CIPHER_AES_128_CCM_8, TLS_MAC_AEAD, TLS_PRF_SHA256, "AES-128-CCM", true,
	  { .key_len = 16, .fixed_iv_len = 12, .tag_len = 8 } },
	/* TLS 1.2 AEAD: a 4-byte salt and an 8-byte explicit nonce (GCM, CCM), or 12 implicit (ChaCha) */
	{ 0xC02F, 0x0303, TLS_CIPHER_AES_128_GCM, TLS_MAC_AEAD, TLS_PRF_SHA256, "AES-128-GCM", true,
	  { .key_len = 16, .fixed_iv_len = 4, .record_iv_len = 8, .tag_len = 16 } },
	{ 0xC030, 0x0303, TLS_CIPHER_AES_256_GCM, TLS_MAC_AEAD, TLS_PRF_SHA384, "AES-256-GCM", true,
	  { .key_len = 32, .fixed_iv_len = 4, .record_iv_len = 8, .tag_len = 16 } },
	{ 0xCCA8, 0x0303, TLS_CIPHER_CHACHA20_POLY1305, TLS_MAC_AEAD, TLS_PRF_SHA256, "ChaCha20-Poly1305", true,
	  { .key_len = 32, .fixed_iv_len = 12, .tag_len = 16 } },
	{ 0xC0AC, 0x0303, TLS_CIPHER_AES_128_CCM, TLS_MAC_AEAD, TLS_PRF_SHA256, "AES-128-CCM", true,
	  { .key_len = 16, .fixed_iv_len = 4, .record_iv_len = 8, .tag_len = 16 } },
	{ 0xC0AE, 0x0303, TLS_CIPHER_AES_128_CCM_8, TLS_MAC_AEAD, TLS_PRF_SHA256, "AES-128-CCM", true,
	  { .key_len = 16, .fixed_iv_len = 4, .record_iv_len = 8, .tag_len = 8 } },
	{ 0xC0A5, 0x0303, TLS_CIPHER_AES_256_CCM, TLS_MAC_AEAD, TLS_PRF_SHA256, "AES-256-CCM", true,
	  { .key_len = 32, .fixed_iv_len = 4, .record_iv_len = 8, .tag_len = 16 } },
	/* CBC with HMAC: the IV from the key block in TLS 1.0, in each record from TLS 1.1 */
	{ 0x002F, 0x0301, TLS_CIPHER_AES_128_CBC, TLS_MAC_SHA1, TLS_PRF_SHA256, "AES-128-CBC", true,
	  { .mac_key_len = 20, .mac_len = 20, .key_len = 16, .fixed_iv_len = 16 } },
	{ 0x002F, 0x0303, TLS_CIPHER_AES_128_CBC, TLS_MAC_SHA1, TLS_PRF_SHA256, "AES-128-CBC", true,
	  { .mac_key_len = 20, .mac_len = 20, .key_len = 16, .record_iv_len = 16 } },
	{ 0x000A, 0x0302, TLS_CIPHER_3DES_EDE_CBC, TLS_MAC_SHA1, TLS_PRF_SHA256, "DES-EDE3-CBC", true,
	  { .mac_key_len = 20, .mac_len = 20, .key_len = 24, .record_iv_len = 8 } },
	{ 0xC028, 0x0303, TLS_CIPHER_AES_256_CBC, TLS_MAC_SHA384, TLS_PRF_SHA384, "AES-256-CBC", true,
	  { .mac_key_len = 48, .mac_len = 48, .key_len = 32, .record_iv_len = 16 } },
	{ 0x0041, 0x0300, TLS_CIPHER_CAMELLIA_128_CBC, TLS_MAC_SHA1, TLS_PRF_SHA256, "CAMELLIA-128-CBC", true,
	  { .mac_key_len = 20, .mac_len = 20, .key_len = 16, .fixed_iv_len = 16 } },
	/* a stream cipher and the NULL ciphers */
	{ 0x0004, 0x0303, TLS_CIPHER_RC4_128, TLS_MAC_MD5, TLS_PRF_SHA256, "RC4", true,
	  { .mac_key_len = 16, .mac_len = 16, .key_len = 16 } },
	{ 0x0002, 0x0303, TLS_CIPHER_NULL, TLS_MAC_SHA1, TLS_PRF_SHA256, NULL, true,
	  { .mac_key_len = 20, .mac_len = 20 } },
	{ 0x0000, 0x0303, TLS_CIPHER_NULL, TLS_MAC_NULL, TLS_PRF_OTHER, NULL, true, { 0 } },
	/* named, not protected by tlsdiag: the wrong version, an unknown cipher or MAC */
	{ 0x1301, 0x0303, TLS_CIPHER_AES_128_GCM, TLS_MAC_AEAD, TLS_PRF_SHA256, "AES-128-GCM", false, { 0 } },
	{ 0xC02F, 0x0304, TLS_CIPHER_AES_128_GCM, TLS_MAC_AEAD, TLS_PRF_SHA256, "AES-128-GCM", false, { 0 } },
	{ 0x0007, 0x0303, TLS_CIPHER_OTHER, TLS_MAC_SHA1, TLS_PRF_SHA256, NULL, false, { 0 } },
	{ 0xC05C, 0x0303, TLS_CIPHER_OTHER, TLS_MAC_AEAD, TLS_PRF_SHA256, NULL, false, { 0 } },   /* ARIA-GCM */
	{ 0xC0B4, 0x0304, TLS_CIPHER_NULL, TLS_MAC_SHA256, TLS_PRF_SHA256, NULL, false, { 0 } },  /* RFC 9150 */
	{ 0xC100, 0x0303, TLS_CIPHER_OTHER, TLS_MAC_OTHER, TLS_PRF_OTHER, NULL, false, { 0 } },   /* GOST */
	{ 0x00FF, 0x0303, TLS_CIPHER_OTHER, TLS_MAC_OTHER, TLS_PRF_OTHER, NULL, false, { 0 } },   /* SCSV */
};

static void test_suite_parameters(void)
{
	for (size_t i = 0; i < ARRAY_LEN(expected); i++) {
		const struct expect *e = &expected[i];
		char msg[128];
		snprintf(msg, sizeof msg, "suite 0x%04x under 0x%04x", e->id, e->version);
		const struct tls_suite *s = tls_suite_find(e->id);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_EQUAL(s->id, e->id);
		CU_ASSERT_STRING_EQUAL(s->name, tls_cipher_suite_name(e->id));
		CU_assertImplementation(s->cipher == e->cipher && s->mac == e->mac && s->prf == e->prf, __LINE__, msg,
					__FILE__, "", CU_FALSE);
		const struct tls_cipher_info *c = tls_cipher_info(s->cipher);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		if (e->evp) {
			CU_ASSERT_STRING_EQUAL(c->evp_name, e->evp);
		} else {
			CU_ASSERT_PTR_NULL(c->evp_name);
		}
		struct tls_key_lengths k;
		bool ok = tls_suite_key_lengths(s, e->version, &k);
		CU_assertImplementation(ok == e->ok && memcmp(&k, &e->k, sizeof k) == 0, __LINE__, msg, __FILE__, "",
					CU_FALSE);
	}
	struct tls_key_lengths k;
	CU_ASSERT_FALSE(tls_suite_key_lengths(NULL, 0x0303, &k));
	CU_ASSERT_PTR_NULL(tls_suite_find(0x0100));
	CU_ASSERT_PTR_NULL(tls_suite_find(0x0a0a));   /* GREASE */
	CU_ASSERT_PTR_NULL(tls_suite_find(0xffff));
}

/* NULL ciphers after ChangeCipherSpec: readable records with a MAC at the end. */
static void test_null_mac(void)
{
	CU_ASSERT_EQUAL(tls_suite_null_mac(0x0000), 0);    /* TLS_NULL_WITH_NULL_NULL */
	CU_ASSERT_EQUAL(tls_suite_null_mac(0x0001), 16);   /* TLS_RSA_WITH_NULL_MD5 */
	CU_ASSERT_EQUAL(tls_suite_null_mac(0x0002), 20);   /* TLS_RSA_WITH_NULL_SHA */
	CU_ASSERT_EQUAL(tls_suite_null_mac(0x003B), 32);   /* TLS_RSA_WITH_NULL_SHA256 */
	CU_ASSERT_EQUAL(tls_suite_null_mac(0x00B1), 48);   /* TLS_PSK_WITH_NULL_SHA384 */
	CU_ASSERT_EQUAL(tls_suite_null_mac(0xC039), 20);   /* TLS_ECDHE_PSK_WITH_NULL_SHA */
	CU_ASSERT_EQUAL(tls_suite_null_mac(0xC02F), -1);   /* encrypts */
	CU_ASSERT_EQUAL(tls_suite_null_mac(0x0004), -1);
	CU_ASSERT_EQUAL(tls_suite_null_mac(0xC0B4), -1);   /* TLS 1.3 integrity-only: no ChangeCipherSpec switch */
	CU_ASSERT_EQUAL(tls_suite_null_mac(0x5600), -1);
	CU_ASSERT_EQUAL(tls_suite_null_mac(0x0100), -1);   /* not assigned */
	unsigned null_suites = 0;
	for (uint32_t v = 0; v <= 0xffff; v++)
		null_suites += tls_suite_null_mac((uint16_t)v) >= 0;
	CU_ASSERT_EQUAL(null_suites, 1 + 20);   /* NULL_NULL, and the 20 ..._WITH_NULL_<MAC> suites */
}

/* The cipher part of a name, independently of the table: what follows
 * "_WITH_" (TLS <= 1.2) or "TLS_" (TLS 1.3), without the hash at the end. */
static int cipher_of_name(const char *name)
{
	static const struct {
		const char *part;
		int cipher;
	} parts[] = {
		{ "NULL", TLS_CIPHER_NULL }, { "RC4_128", TLS_CIPHER_RC4_128 }, { "DES_CBC", TLS_CIPHER_DES_CBC },
		{ "3DES_EDE_CBC", TLS_CIPHER_3DES_EDE_CBC }, { "AES_128_CBC", TLS_CIPHER_AES_128_CBC },
		{ "AES_256_CBC", TLS_CIPHER_AES_256_CBC }, { "CAMELLIA_128_CBC", TLS_CIPHER_CAMELLIA_128_CBC },
		{ "CAMELLIA_256_CBC", TLS_CIPHER_CAMELLIA_256_CBC }, { "AES_128_GCM", TLS_CIPHER_AES_128_GCM },
		{ "AES_256_GCM", TLS_CIPHER_AES_256_GCM }, { "AES_128_CCM_8", TLS_CIPHER_AES_128_CCM_8 },
		{ "AES_256_CCM_8", TLS_CIPHER_AES_256_CCM_8 }, { "AES_128_CCM", TLS_CIPHER_AES_128_CCM },
		{ "AES_256_CCM", TLS_CIPHER_AES_256_CCM }, { "CHACHA20_POLY1305", TLS_CIPHER_CHACHA20_POLY1305 },
		{ "SHA256", TLS_CIPHER_NULL }, { "SHA384", TLS_CIPHER_NULL },   /* RFC 9150: TLS_SHA256_SHA256 */
	};
	static const char *const hashes[] = { "_MD5", "_SHA", "_SHA256", "_SHA384", "_SHA512", "_SM3" };
	if (strstr(name, "GOSTR"))
		return TLS_CIPHER_OTHER;
	const char *with = strstr(name, "_WITH_");
	char rest[96];
	snprintf(rest, sizeof rest, "%s", with ? with + 6 : name + 4);
	size_t n = strlen(rest);
	for (size_t i = 0; i < ARRAY_LEN(hashes); i++) {
		size_t h = strlen(hashes[i]);
		if (n > h && strcmp(rest + n - h, hashes[i]) == 0 && strcmp(rest, "NULL_NULL") != 0) {
			rest[n - h] = '\0';
			break;
		}
	}
	if (strcmp(rest, "NULL_NULL") == 0)
		return TLS_CIPHER_NULL;
	for (size_t i = 0; i < ARRAY_LEN(parts); i++)
		if (strcmp(rest, parts[i].part) == 0)
			return parts[i].cipher;
	return TLS_CIPHER_OTHER;
}

/* Every assigned suite: the table's cipher is the one its name says, AEAD
 * suites have no MAC, and the PRF follows the name's last hash. */
static void test_table_matches_names(void)
{
	unsigned checked = 0, bad = 0, per_cipher[TLS_CIPHER_COUNT] = { 0 };
	uint16_t last = 0;
	for (uint32_t i = 0; i <= 0xffff; i++) {
		const struct tls_suite *s = tls_suite_find((uint16_t)i);
		if (!s)
			continue;
		bool aead = tls_cipher_info(s->cipher)->aead;
		size_t n = strlen(s->name);
		bool sha384 = n > 7 && strcmp(s->name + n - 7, "_SHA384") == 0;
		int want_prf = sha384 ? TLS_PRF_SHA384 : TLS_PRF_SHA256;
		bool ok = s->id == i && (checked == 0 || s->id > last) && s->cipher == cipher_of_name(s->name) &&
			  (!aead || s->mac == TLS_MAC_AEAD) &&
			  (s->prf == TLS_PRF_OTHER || s->prf == want_prf) &&
			  (s->cipher == TLS_CIPHER_OTHER || s->cipher == TLS_CIPHER_NULL || s->prf == want_prf);
		if (!ok && bad++ < 5) {
			char msg[160];
			snprintf(msg, sizeof msg, "0x%04x %s: cipher %u mac %u prf %u", s->id, s->name, s->cipher, s->mac,
				 s->prf);
			CU_assertImplementation(CU_FALSE, __LINE__, msg, __FILE__, "", CU_FALSE);
		}
		per_cipher[s->cipher]++;
		last = s->id;
		checked++;
	}
	CU_ASSERT_EQUAL(checked, 356);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(per_cipher[TLS_CIPHER_NULL], 1 + 20 + 2);
	CU_ASSERT_EQUAL(per_cipher[TLS_CIPHER_AES_128_GCM], 16);
	CU_ASSERT_EQUAL(per_cipher[TLS_CIPHER_CHACHA20_POLY1305], 8);
	CU_ASSERT_EQUAL(per_cipher[TLS_CIPHER_AES_128_CCM_8], 7);
}

/* The lengths against libcrypto's own, for every cipher the default
 * provider has (RC4 and single DES live in the legacy provider). */
static void test_cipher_info_matches_openssl(void)
{
	unsigned fetched = 0;
	CU_ASSERT_PTR_NULL(tls_cipher_info(TLS_CIPHER_COUNT));
	CU_ASSERT_PTR_NULL(tls_cipher_info(-1));
	for (int i = 0; i < TLS_CIPHER_COUNT; i++) {
		const struct tls_cipher_info *c = tls_cipher_info(i);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_EQUAL(c->aead, c->tag_len > 0);
		CU_ASSERT_TRUE(!c->aead || c->block_len == 0);
		CU_ASSERT_EQUAL(c->evp_name == NULL, i == TLS_CIPHER_OTHER || i == TLS_CIPHER_NULL);
		if (!c->evp_name)
			continue;
		EVP_CIPHER *e = EVP_CIPHER_fetch(NULL, c->evp_name, NULL);
		if (!e) {
			CU_ASSERT_TRUE(i == TLS_CIPHER_RC4_128 || i == TLS_CIPHER_DES_CBC);
			continue;
		}
		fetched++;
		CU_ASSERT_EQUAL(EVP_CIPHER_get_key_length(e), c->key_len);
		/* the AEAD nonce is salt + explicit part, or all implicit; a CBC IV is a block */
		int iv = c->aead ? c->fixed_iv_len + c->record_iv_len : c->block_len;
		CU_ASSERT_EQUAL(EVP_CIPHER_get_iv_length(e), iv);
		if (c->block_len)
			CU_ASSERT_EQUAL(EVP_CIPHER_get_block_size(e), c->block_len);
		EVP_CIPHER_free(e);
	}
	CU_ASSERT_EQUAL(fetched, TLS_CIPHER_COUNT - 4);
}

static void test_versions(void)
{
	CU_ASSERT_TRUE(tls_version_is_13(0x0304));
	CU_ASSERT_TRUE(tls_version_is_13(0x7f17));
	CU_ASSERT_TRUE(tls_version_is_13(0xfb1a));
	CU_ASSERT_FALSE(tls_version_is_13(0x0303));
	CU_ASSERT_FALSE(tls_version_is_13(0xfefd));   /* DTLS 1.2 */
	CU_ASSERT_EQUAL(tls_mac_len(TLS_MAC_MD5), 16);
	CU_ASSERT_EQUAL(tls_mac_len(TLS_MAC_SHA384), 48);
	CU_ASSERT_EQUAL(tls_mac_len(TLS_MAC_AEAD), 0);
	CU_ASSERT_EQUAL(tls_mac_len(TLS_MAC_NULL), 0);
	CU_ASSERT_EQUAL(tls_suite_kx(0xC02F), TLS_KX_ECDHE);
	CU_ASSERT_EQUAL(tls_suite_kx(0x0100), TLS_KX_UNKNOWN);
}

void register_tls_suite_tests(void)
{
	CU_pSuite suite = CU_add_suite("tls_suite", NULL, NULL);
	if (suite == NULL)
		return;
	CU_add_test(suite, "suite parameters and key lengths", test_suite_parameters);
	CU_add_test(suite, "NULL-cipher MAC lengths", test_null_mac);
	CU_add_test(suite, "table matches the names", test_table_matches_names);
	CU_add_test(suite, "cipher lengths match libcrypto", test_cipher_info_matches_openssl);
	CU_add_test(suite, "versions, MACs, key exchange", test_versions);
}
