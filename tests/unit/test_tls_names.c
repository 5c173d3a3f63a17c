/* test_tls_names.c - CUnit tests for the TLS name tables (src/tls_names.c). */
#include "tls_names.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "tls_suite.h"

void register_tls_names_tests(void);

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* Records one assertion whose message names the function, the value and
 * both strings, so a failure in a table-driven loop says which row. */
static void expect_name_line(const char *what, unsigned value, const char *got,
	const char *want, unsigned line)
{
	bool ok = want == NULL ? got == NULL : (got != NULL && strcmp(got, want) == 0);
	char msg[256];

	snprintf(msg, sizeof(msg), "%s(0x%04x) = \"%s\", want \"%s\"", what, value,
		got != NULL ? got : "(null)", want != NULL ? want : "(null)");
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, msg, __FILE__, "", CU_FALSE);
}

#define EXPECT_NAME(fn, value, want) \
	expect_name_line(#fn, (unsigned)(value), fn(value), (want), __LINE__)

/* A scan over a whole value space asserts only what is wrong (at most a few
 * messages) and then once that nothing was. */
struct scan {
	unsigned bad;
	unsigned line;
};

static void scan_fail(struct scan *s, const char *what, unsigned value, const char *got,
	const char *want)
{
	if (s->bad++ < 5)
		expect_name_line(what, value, got, want, s->line);
}

static bool name_is_clean(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\t' || s[i] == '\n' || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* ------------------------------------------------------------------ */
/* GREASE (RFC 8701)                                                   */
/* ------------------------------------------------------------------ */

static void test_grease(void)
{
	static const uint16_t grease[] = {
		0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a,
		0x8a8a, 0x9a9a, 0xaaaa, 0xbaba, 0xcaca, 0xdada, 0xeaea, 0xfafa,
	};
	static const uint16_t near_misses[] = {
		0x0a0b, 0x0b0a, 0x0a1a, 0x1a0a, 0x1a2a, 0xaa0a, 0x0aaa, 0x0a00,
		0x000a, 0x4a5a, 0xfafb, 0xfbfa, 0x0b0b, 0xbbbb, 0x0000,
		0xffff, 0x1301, 0xc02f, 0x5600, 0x00ff, 0xa0a0, 0x0a8a, 0x8a0a,
	};
	unsigned count = 0;

	for (size_t i = 0; i < ARRAY_LEN(grease); i++)
		CU_ASSERT_TRUE(tls_is_grease(grease[i]));
	for (size_t i = 0; i < ARRAY_LEN(near_misses); i++)
		CU_ASSERT_FALSE(tls_is_grease(near_misses[i]));
	for (uint32_t v = 0; v <= 0xffff; v++)
		if (tls_is_grease((uint16_t)v))
			count++;
	CU_ASSERT_EQUAL(count, 16);
}

/* ------------------------------------------------------------------ */
/* Versions                                                            */
/* ------------------------------------------------------------------ */

static void test_version_names(void)
{
	EXPECT_NAME(tls_version_name, 0x0002, "SSL 2.0");
	EXPECT_NAME(tls_version_name, 0x0300, "SSL 3.0");
	EXPECT_NAME(tls_version_name, 0x0301, "TLS 1.0");
	EXPECT_NAME(tls_version_name, 0x0302, "TLS 1.1");
	EXPECT_NAME(tls_version_name, 0x0303, "TLS 1.2");
	EXPECT_NAME(tls_version_name, 0x0304, "TLS 1.3");
	EXPECT_NAME(tls_version_name, 0x7f17, "TLS 1.3 (draft 23)");
	EXPECT_NAME(tls_version_name, 0xfb17, "TLS 1.3 (Facebook draft 23)");
	EXPECT_NAME(tls_version_name, 0xfb1a, "TLS 1.3 (Facebook draft 26)");
	EXPECT_NAME(tls_version_name, 0xfeff, "DTLS 1.0");
	EXPECT_NAME(tls_version_name, 0xfefd, "DTLS 1.2");
	EXPECT_NAME(tls_version_name, 0xfefc, "DTLS 1.3");
	EXPECT_NAME(tls_version_name, 0x0100, "DTLS 1.0 (OpenSSL pre 0.9.8f)");

	/* Not versions. 0xfefe would be "DTLS 1.1", which was never defined. */
	EXPECT_NAME(tls_version_name, 0x0000, NULL);
	EXPECT_NAME(tls_version_name, 0x0200, NULL);
	EXPECT_NAME(tls_version_name, 0x0305, NULL);
	EXPECT_NAME(tls_version_name, 0x0101, NULL);
	EXPECT_NAME(tls_version_name, 0xfefe, NULL);
	EXPECT_NAME(tls_version_name, 0xfefb, NULL);
	EXPECT_NAME(tls_version_name, 0x7f1d, NULL);
	EXPECT_NAME(tls_version_name, 0x7fff, NULL);
	EXPECT_NAME(tls_version_name, 0x7e17, NULL);
	EXPECT_NAME(tls_version_name, 0xfb18, NULL);
	EXPECT_NAME(tls_version_name, 0xfb00, NULL);
	EXPECT_NAME(tls_version_name, 0xffff, NULL);
}

static void test_version_drafts_and_grease(void)
{
	char want[32];
	unsigned named = 0;

	for (unsigned n = 0; n <= 28; n++) {
		snprintf(want, sizeof(want), "TLS 1.3 (draft %u)", n);
		EXPECT_NAME(tls_version_name, (uint16_t)(0x7f00u | n), want);
	}
	/* The names are static: the same pointer each time. */
	CU_ASSERT_PTR_EQUAL(tls_version_name(0x7f0e), tls_version_name(0x7f0e));
	CU_ASSERT_PTR_EQUAL(tls_version_name(0x0303), tls_version_name(0x0303));

	/* GREASE in supported_versions is not a version. */
	for (uint32_t v = 0; v <= 0xffff; v++) {
		if (tls_is_grease((uint16_t)v))
			EXPECT_NAME(tls_version_name, (uint16_t)v, NULL);
		if (tls_version_name((uint16_t)v) != NULL)
			named++;
	}
	/* 6 SSL/TLS, 29 drafts, 2 Facebook, 4 DTLS. */
	CU_ASSERT_EQUAL(named, 6 + 29 + 2 + 4);
}

/* ------------------------------------------------------------------ */
/* Cipher suites                                                       */
/* ------------------------------------------------------------------ */

static void test_cipher_suite_names(void)
{
	static const struct {
		uint16_t v;
		const char *name;
	} cases[] = {
		/* first and last of the registry, and its blocks */
		{ 0x0000, "TLS_NULL_WITH_NULL_NULL" },
		{ 0x0001, "TLS_RSA_WITH_NULL_MD5" },
		{ 0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA" },
		{ 0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA" },
		{ 0x001E, "TLS_KRB5_WITH_DES_CBC_SHA" },
		{ 0x002B, "TLS_KRB5_EXPORT_WITH_RC4_40_MD5" },
		{ 0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA" },
		{ 0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA" },
		{ 0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA" },
		{ 0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256" },
		{ 0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256" },
		{ 0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA" },
		{ 0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256" },
		{ 0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384" },
		{ 0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256" },
		{ 0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256" },
		{ 0x00C6, "TLS_SM4_GCM_SM3" },
		{ 0x00C7, "TLS_SM4_CCM_SM3" },
		{ 0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV" },
		{ 0x1301, "TLS_AES_128_GCM_SHA256" },
		{ 0x1302, "TLS_AES_256_GCM_SHA384" },
		{ 0x1303, "TLS_CHACHA20_POLY1305_SHA256" },
		{ 0x1304, "TLS_AES_128_CCM_SHA256" },
		{ 0x1305, "TLS_AES_128_CCM_8_SHA256" },
		{ 0x1306, "TLS_AEGIS_256_SHA512" },
		{ 0x1307, "TLS_AEGIS_128L_SHA256" },
		{ 0x5600, "TLS_FALLBACK_SCSV" },
		{ 0xC001, "TLS_ECDH_ECDSA_WITH_NULL_SHA" },
		{ 0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA" },
		{ 0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA" },
		{ 0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA" },
		{ 0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA" },
		{ 0xC01A, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA" },
		{ 0xC022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA" },
		{ 0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256" },
		{ 0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" },
		{ 0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" },
		{ 0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" },
		{ 0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" },
		{ 0xC03B, "TLS_ECDHE_PSK_WITH_NULL_SHA384" },
		{ 0xC03C, "TLS_RSA_WITH_ARIA_128_CBC_SHA256" },
		{ 0xC071, "TLS_ECDHE_PSK_WITH_ARIA_256_CBC_SHA384" },
		{ 0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256" },
		{ 0xC09B, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384" },
		{ 0xC09C, "TLS_RSA_WITH_AES_128_CCM" },
		{ 0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8" },
		{ 0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8" },
		{ 0xC0AB, "TLS_PSK_DHE_WITH_AES_256_CCM_8" },
		{ 0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8" },
		{ 0xC0B0, "TLS_ECCPWD_WITH_AES_128_GCM_SHA256" },
		{ 0xC0B3, "TLS_ECCPWD_WITH_AES_256_CCM_SHA384" },
		{ 0xC0B4, "TLS_SHA256_SHA256" },
		{ 0xC0B5, "TLS_SHA384_SHA384" },
		{ 0xC100, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC" },
		{ 0xC102, "TLS_GOSTR341112_256_WITH_28147_CNT_IMIT" },
		{ 0xC103, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L" },
		{ 0xC106, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_S" },
		{ 0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
		{ 0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" },
		{ 0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
		{ 0xCCAE, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256" },
		{ 0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256" },
		{ 0xD003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256" },
		{ 0xD005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256" },
		/* pre-standard SSL 3.0 FIPS values */
		{ 0xFEFE, "SSL_RSA_FIPS_WITH_DES_CBC_SHA" },
		{ 0xFEFF, "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA" },
		{ 0xFFE0, "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA" },
		{ 0xFFE1, "SSL_RSA_FIPS_WITH_DES_CBC_SHA" },
		/* GREASE */
		{ 0x0A0A, "GREASE" },
		{ 0xFAFA, "GREASE" },
		/* unassigned, reserved, or never registered with IANA */
		{ 0x001C, NULL },       /* SSL 3.0 FORTEZZA, reserved */
		{ 0x001D, NULL },
		{ 0x0047, NULL },
		{ 0x0060, NULL },       /* TLS_RSA_EXPORT1024_*, never assigned */
		{ 0x0066, NULL },
		{ 0x006E, NULL },
		{ 0x0080, NULL },       /* pre-RFC GOST */
		{ 0x0083, NULL },
		{ 0x00C8, NULL },
		{ 0x00FE, NULL },
		{ 0x0100, NULL },
		{ 0x1300, NULL },
		{ 0x1308, NULL },
		{ 0x0A0B, NULL },
		{ 0x5601, NULL },
		{ 0xC000, NULL },
		{ 0xC0B6, NULL },
		{ 0xC0FF, NULL },       /* ECJPAKE draft */
		{ 0xC107, NULL },
		{ 0xCC13, NULL },       /* pre-RFC 7905 ChaCha20 */
		{ 0xCCA7, NULL },
		{ 0xCCAF, NULL },
		{ 0xD000, NULL },
		{ 0xD004, NULL },
		{ 0xD006, NULL },
		{ 0xE001, NULL },
		{ 0xFEFD, NULL },
		{ 0xFF00, NULL },
		{ 0xFFFF, NULL },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		EXPECT_NAME(tls_cipher_suite_name, cases[i].v, cases[i].name);
}

/* Every value the IANA registry assigns, plus the four FIPS values. */
static const struct {
	uint16_t lo, hi;
} assigned_suites[] = {
	{ 0x0000, 0x001B }, { 0x001E, 0x0046 }, { 0x0067, 0x006D },
	{ 0x0084, 0x00C7 }, { 0x00FF, 0x00FF }, { 0x1301, 0x1307 },
	{ 0x5600, 0x5600 }, { 0xC001, 0xC0B5 }, { 0xC100, 0xC106 },
	{ 0xCCA8, 0xCCAE }, { 0xD001, 0xD003 }, { 0xD005, 0xD005 },
	{ 0xFEFE, 0xFEFF }, { 0xFFE0, 0xFFE1 },
};

static bool suite_expected(uint16_t v)
{
	for (size_t i = 0; i < ARRAY_LEN(assigned_suites); i++)
		if (v >= assigned_suites[i].lo && v <= assigned_suites[i].hi)
			return true;
	return false;
}

/* The table holds exactly the assigned values: each one is found (so no
 * entry is lost, and there is nothing to keep sorted: the table is a switch,
 * whose duplicate cases the compiler rejects), nothing else is. */
static void test_cipher_suite_table_complete(void)
{
	struct scan s = { 0, __LINE__ };
	unsigned named = 0;

	for (uint32_t i = 0; i <= 0xffff; i++) {
		uint16_t v = (uint16_t)i;
		const char *name = tls_cipher_suite_name(v);

		if (tls_is_grease(v)) {
			if (name == NULL || strcmp(name, "GREASE") != 0)
				scan_fail(&s, "tls_cipher_suite_name", v, name, "GREASE");
			if (tls_suite_kx(v) != TLS_KX_UNKNOWN)
				scan_fail(&s, "tls_suite_kx (GREASE)", v, name, "TLS_KX_UNKNOWN");
			continue;
		}
		if (name == NULL) {
			if (suite_expected(v))
				scan_fail(&s, "tls_cipher_suite_name", v, NULL, "a name");
			if (tls_suite_kx(v) != TLS_KX_UNKNOWN)
				scan_fail(&s, "tls_suite_kx (unnamed)", v, NULL, "TLS_KX_UNKNOWN");
			continue;
		}
		named++;
		if (!suite_expected(v))
			scan_fail(&s, "tls_cipher_suite_name", v, name, "(null)");
		if ((strncmp(name, "TLS_", 4) != 0 && strncmp(name, "SSL_", 4) != 0) ||
		    !name_is_clean(name) || strchr(name, ' ') != NULL)
			scan_fail(&s, "tls_cipher_suite_name (form)", v, name, "TLS_...");
		if (name != tls_cipher_suite_name(v))
			scan_fail(&s, "tls_cipher_suite_name (static)", v, name, name);
	}
	/* 352 IANA assignments + 4 FIPS values. */
	CU_ASSERT_EQUAL(named, 356);
	CU_ASSERT_EQUAL(s.bad, 0);
}

static void test_cipher_suite_kx(void)
{
	static const struct {
		uint16_t v;
		enum tls_kx kx;
	} cases[] = {
		{ 0x0000, TLS_KX_NULL },
		{ 0x0001, TLS_KX_RSA },          /* TLS_RSA_WITH_NULL_MD5 */
		{ 0x002F, TLS_KX_RSA },
		{ 0x009D, TLS_KX_RSA },
		{ 0x0003, TLS_KX_RSA_EXPORT },   /* TLS_RSA_EXPORT_WITH_RC4_40_MD5 */
		{ 0x0008, TLS_KX_RSA_EXPORT },
		{ 0x000B, TLS_KX_DH },           /* TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA */
		{ 0x0031, TLS_KX_DH },           /* TLS_DH_RSA_WITH_AES_128_CBC_SHA */
		{ 0x00A4, TLS_KX_DH },
		{ 0x0011, TLS_KX_DHE },          /* TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA */
		{ 0x0033, TLS_KX_DHE },
		{ 0x009E, TLS_KX_DHE },
		{ 0xCCAA, TLS_KX_DHE },
		{ 0x0017, TLS_KX_DH_ANON },      /* TLS_DH_anon_EXPORT_WITH_RC4_40_MD5 */
		{ 0x00A6, TLS_KX_DH_ANON },
		{ 0xC001, TLS_KX_ECDH },
		{ 0xC031, TLS_KX_ECDH },         /* TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256 */
		{ 0xC02B, TLS_KX_ECDHE },
		{ 0xC030, TLS_KX_ECDHE },
		{ 0xCCA8, TLS_KX_ECDHE },
		{ 0xC0AE, TLS_KX_ECDHE },        /* TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 */
		{ 0xC015, TLS_KX_ECDH_ANON },
		{ 0xC019, TLS_KX_ECDH_ANON },
		{ 0x002C, TLS_KX_PSK },
		{ 0x00A8, TLS_KX_PSK },
		{ 0xCCAB, TLS_KX_PSK },
		{ 0x002D, TLS_KX_DHE_PSK },
		{ 0x00AA, TLS_KX_DHE_PSK },
		{ 0xC0AA, TLS_KX_DHE_PSK },      /* TLS_PSK_DHE_WITH_AES_128_CCM_8 */
		{ 0xC0AB, TLS_KX_DHE_PSK },
		{ 0xC035, TLS_KX_ECDHE_PSK },
		{ 0xCCAC, TLS_KX_ECDHE_PSK },
		{ 0xD001, TLS_KX_ECDHE_PSK },    /* RFC 8442 is TLS 1.2 */
		{ 0xD005, TLS_KX_ECDHE_PSK },
		{ 0x002E, TLS_KX_RSA_PSK },
		{ 0x00AC, TLS_KX_RSA_PSK },
		{ 0xCCAE, TLS_KX_RSA_PSK },
		{ 0xC01A, TLS_KX_SRP },          /* TLS_SRP_SHA_WITH_... */
		{ 0xC01B, TLS_KX_SRP },          /* TLS_SRP_SHA_RSA_WITH_... */
		{ 0xC022, TLS_KX_SRP },          /* TLS_SRP_SHA_DSS_WITH_... */
		{ 0x001E, TLS_KX_KRB5 },
		{ 0x0026, TLS_KX_KRB5 },         /* TLS_KRB5_EXPORT_WITH_... */
		{ 0xC0B0, TLS_KX_ECCPWD },
		{ 0xC0B3, TLS_KX_ECCPWD },
		{ 0x1301, TLS_KX_TLS13 },
		{ 0x1303, TLS_KX_TLS13 },
		{ 0x1307, TLS_KX_TLS13 },
		{ 0x00C6, TLS_KX_TLS13 },        /* TLS_SM4_GCM_SM3 */
		{ 0xC0B4, TLS_KX_TLS13 },        /* TLS_SHA256_SHA256 */
		{ 0xC103, TLS_KX_TLS13 },        /* GOST for TLS 1.3, has "_WITH_" */
		{ 0xC100, TLS_KX_UNKNOWN },      /* GOST for TLS 1.2: no kind */
		{ 0x00FF, TLS_KX_SCSV },
		{ 0x5600, TLS_KX_SCSV },
		{ 0xFEFF, TLS_KX_RSA },
		{ 0xFFE1, TLS_KX_RSA },
		{ 0x0A0A, TLS_KX_UNKNOWN },
		{ 0x0060, TLS_KX_UNKNOWN },
		{ 0xFFFF, TLS_KX_UNKNOWN },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		enum tls_kx got = tls_suite_kx(cases[i].v);
		char msg[128];

		snprintf(msg, sizeof(msg), "tls_suite_kx(0x%04x) = %d, want %d",
			(unsigned)cases[i].v, (int)got, (int)cases[i].kx);
		CU_assertImplementation(got == cases[i].kx ? CU_TRUE : CU_FALSE, __LINE__,
			msg, __FILE__, "", CU_FALSE);
	}
}

/* An independent derivation of the key exchange from the suite's name:
 * the part between "TLS_" (or "SSL_") and "_WITH_". */
static bool derive_kx(const char *name, enum tls_kx *kx)
{
	static const struct {
		const char *part;
		enum tls_kx kx;
	} parts[] = {
		{ "NULL", TLS_KX_NULL },
		{ "RSA", TLS_KX_RSA },
		{ "RSA_FIPS", TLS_KX_RSA },
		{ "RSA_EXPORT", TLS_KX_RSA_EXPORT },
		{ "DH_DSS", TLS_KX_DH },
		{ "DH_RSA", TLS_KX_DH },
		{ "DH_DSS_EXPORT", TLS_KX_DH },
		{ "DH_RSA_EXPORT", TLS_KX_DH },
		{ "DHE_DSS", TLS_KX_DHE },
		{ "DHE_RSA", TLS_KX_DHE },
		{ "DHE_DSS_EXPORT", TLS_KX_DHE },
		{ "DHE_RSA_EXPORT", TLS_KX_DHE },
		{ "DH_anon", TLS_KX_DH_ANON },
		{ "DH_anon_EXPORT", TLS_KX_DH_ANON },
		{ "ECDH_ECDSA", TLS_KX_ECDH },
		{ "ECDH_RSA", TLS_KX_ECDH },
		{ "ECDHE_ECDSA", TLS_KX_ECDHE },
		{ "ECDHE_RSA", TLS_KX_ECDHE },
		{ "ECDH_anon", TLS_KX_ECDH_ANON },
		{ "PSK", TLS_KX_PSK },
		{ "DHE_PSK", TLS_KX_DHE_PSK },
		{ "PSK_DHE", TLS_KX_DHE_PSK },
		{ "ECDHE_PSK", TLS_KX_ECDHE_PSK },
		{ "RSA_PSK", TLS_KX_RSA_PSK },
		{ "SRP_SHA", TLS_KX_SRP },
		{ "SRP_SHA_RSA", TLS_KX_SRP },
		{ "SRP_SHA_DSS", TLS_KX_SRP },
		{ "KRB5", TLS_KX_KRB5 },
		{ "KRB5_EXPORT", TLS_KX_KRB5 },
		{ "ECCPWD", TLS_KX_ECCPWD },
	};
	size_t n = strlen(name);
	const char *p, *with;

	if (n > 5 && strcmp(name + n - 5, "_SCSV") == 0) {
		*kx = TLS_KX_SCSV;
		return true;
	}
	if (strncmp(name, "TLS_", 4) != 0 && strncmp(name, "SSL_", 4) != 0)
		return false;
	p = name + 4;
	with = strstr(p, "_WITH_");
	if (with == NULL) {
		/* TLS 1.3 names carry no key exchange: RFC 8446 §B.4 */
		*kx = TLS_KX_TLS13;
		return true;
	}
	/* GOST: RFC 9367's MGM suites are TLS 1.3, RFC 9189's are TLS 1.2 with
	 * a key exchange enum tls_kx has no kind for. */
	if ((size_t)(with - p) == strlen("GOSTR341112_256") &&
	    strncmp(p, "GOSTR341112_256", (size_t)(with - p)) == 0) {
		*kx = strstr(with, "_MGM_") != NULL ? TLS_KX_TLS13 : TLS_KX_UNKNOWN;
		return true;
	}
	for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
		if (strlen(parts[i].part) == (size_t)(with - p) &&
		    strncmp(p, parts[i].part, (size_t)(with - p)) == 0) {
			*kx = parts[i].kx;
			return true;
		}
	}
	return false;
}

static void test_cipher_suite_kx_matches_name(void)
{
	struct scan s = { 0, __LINE__ };
	unsigned checked = 0;
	unsigned per_kind[TLS_KX_SCSV + 1] = { 0 };

	for (uint32_t i = 0; i <= 0xffff; i++) {
		uint16_t v = (uint16_t)i;
		const char *name = tls_cipher_suite_name(v);
		enum tls_kx want, got;

		if (name == NULL || tls_is_grease(v))
			continue;
		got = tls_suite_kx(v);
		if (!derive_kx(name, &want)) {
			scan_fail(&s, "derive_kx: unknown family", v, name, "a known family");
			continue;
		}
		if (got != want) {
			char wantbuf[32], gotbuf[96];

			snprintf(wantbuf, sizeof(wantbuf), "kx %d", (int)want);
			snprintf(gotbuf, sizeof(gotbuf), "kx %d (%s)", (int)got, name);
			scan_fail(&s, "tls_suite_kx", v, gotbuf, wantbuf);
		}
		if ((unsigned)got <= TLS_KX_SCSV)
			per_kind[got]++;
		checked++;
	}
	CU_ASSERT_EQUAL(checked, 356);
	CU_ASSERT_EQUAL(s.bad, 0);
	/* Counts per kind, from the registry: a second check on the table. */
	CU_ASSERT_EQUAL(per_kind[TLS_KX_NULL], 1);
	CU_ASSERT_EQUAL(per_kind[TLS_KX_SCSV], 2);
	CU_ASSERT_EQUAL(per_kind[TLS_KX_TLS13], 7 + 2 + 2 + 4);
	CU_ASSERT_EQUAL(per_kind[TLS_KX_UNKNOWN], 3);
	CU_ASSERT_EQUAL(per_kind[TLS_KX_KRB5], 14);
	CU_ASSERT_EQUAL(per_kind[TLS_KX_SRP], 9);
	CU_ASSERT_EQUAL(per_kind[TLS_KX_ECCPWD], 4);
	CU_ASSERT_EQUAL(per_kind[TLS_KX_RSA_EXPORT], 3);
	CU_ASSERT_EQUAL(per_kind[TLS_KX_ECDH_ANON], 5);
}

/* The grammar of the registry's names: a typo in a name that no other test
 * spells out ("CAMELIA", "SHA265") breaks it. */
static bool suite_name_well_formed(const char *name)
{
	static const char *const whole[] = {
		/* signalling values and names without "_WITH_" */
		"TLS_EMPTY_RENEGOTIATION_INFO_SCSV", "TLS_FALLBACK_SCSV",
		"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
		"TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256",
		"TLS_AES_128_CCM_8_SHA256", "TLS_AEGIS_256_SHA512",
		"TLS_AEGIS_128L_SHA256", "TLS_SM4_GCM_SM3", "TLS_SM4_CCM_SM3",
		"TLS_SHA256_SHA256", "TLS_SHA384_SHA384",
		"TLS_NULL_WITH_NULL_NULL",
		/* RFC 9189, RFC 9367 */
		"TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC",
		"TLS_GOSTR341112_256_WITH_MAGMA_CTR_OMAC",
		"TLS_GOSTR341112_256_WITH_28147_CNT_IMIT",
		"TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L",
		"TLS_GOSTR341112_256_WITH_MAGMA_MGM_L",
		"TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_S",
		"TLS_GOSTR341112_256_WITH_MAGMA_MGM_S",
	};
	static const char *const ciphers[] = {
		"NULL", "RC4_40", "RC4_128", "RC2_CBC_40", "IDEA_CBC", "DES40_CBC",
		"DES_CBC", "DES_CBC_40", "3DES_EDE_CBC", "SEED_CBC",
		"AES_128_CBC", "AES_256_CBC", "AES_128_GCM", "AES_256_GCM",
		"AES_128_CCM", "AES_256_CCM", "AES_128_CCM_8", "AES_256_CCM_8",
		"CAMELLIA_128_CBC", "CAMELLIA_256_CBC", "CAMELLIA_128_GCM",
		"CAMELLIA_256_GCM", "ARIA_128_CBC", "ARIA_256_CBC", "ARIA_128_GCM",
		"ARIA_256_GCM", "CHACHA20_POLY1305",
	};
	static const char *const macs[] = { "", "_MD5", "_SHA", "_SHA256", "_SHA384" };
	const char *with = strstr(name, "_WITH_");
	enum tls_kx kx;

	for (size_t i = 0; i < ARRAY_LEN(whole); i++)
		if (strcmp(name, whole[i]) == 0)
			return true;
	/* derive_kx() accepts only known key exchange parts before "_WITH_" */
	if (with == NULL || !derive_kx(name, &kx))
		return false;
	with += strlen("_WITH_");
	for (size_t c = 0; c < ARRAY_LEN(ciphers); c++) {
		size_t n = strlen(ciphers[c]);

		if (strncmp(with, ciphers[c], n) != 0)
			continue;
		for (size_t m = 0; m < ARRAY_LEN(macs); m++) {
			if (strcmp(with + n, macs[m]) != 0)
				continue;
			/* RFC 5288, 6209, 6367: 128-bit GCM with SHA-256, 256-bit with SHA-384 */
			if (strstr(ciphers[c], "_128_GCM") != NULL)
				return strcmp(macs[m], "_SHA256") == 0;
			if (strstr(ciphers[c], "_256_GCM") != NULL)
				return strcmp(macs[m], "_SHA384") == 0;
			return true;
		}
	}
	return false;
}

static void test_cipher_suite_names_well_formed(void)
{
	struct scan s = { 0, __LINE__ };

	CU_ASSERT_TRUE(suite_name_well_formed("TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256"));
	CU_ASSERT_FALSE(suite_name_well_formed("TLS_DHE_PSK_WITH_CAMELIA_128_CBC_SHA256"));
	CU_ASSERT_FALSE(suite_name_well_formed("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA265"));
	CU_ASSERT_FALSE(suite_name_well_formed("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 "));
	CU_ASSERT_FALSE(suite_name_well_formed("TLS_ECDHE_RAS_WITH_AES_128_GCM_SHA256"));
	CU_ASSERT_FALSE(suite_name_well_formed("TLS_AES_128_GCM_SHA384"));
	CU_ASSERT_FALSE(suite_name_well_formed("TLS_RSA_WITH_ARIA_128_GCM_SHA384"));
	CU_ASSERT_FALSE(suite_name_well_formed("TLS_DHE_RSA_WITH_AES_256_GCM_SHA256"));
	for (uint32_t i = 0; i <= 0xffff; i++) {
		uint16_t v = (uint16_t)i;
		const char *name = tls_cipher_suite_name(v);

		if (name != NULL && !tls_is_grease(v) && !suite_name_well_formed(name))
			scan_fail(&s, "tls_cipher_suite_name (grammar)", v, name, "a well-formed name");
	}
	CU_ASSERT_EQUAL(s.bad, 0);
}

/* ------------------------------------------------------------------ */
/* Alerts                                                              */
/* ------------------------------------------------------------------ */

static const struct {
	uint8_t v;
	const char *name, *display;
} all_alerts[] = {
	{ 0, "close_notify", "Close Notify" },
	{ 10, "unexpected_message", "Unexpected Message" },
	{ 20, "bad_record_mac", "Bad Record MAC" },
	{ 21, "decryption_failed", "Decryption Failed" },
	{ 22, "record_overflow", "Record Overflow" },
	{ 30, "decompression_failure", "Decompression Failure" },
	{ 40, "handshake_failure", "Handshake Failure" },
	{ 41, "no_certificate", "No Certificate" },
	{ 42, "bad_certificate", "Bad Certificate" },
	{ 43, "unsupported_certificate", "Unsupported Certificate" },
	{ 44, "certificate_revoked", "Certificate Revoked" },
	{ 45, "certificate_expired", "Certificate Expired" },
	{ 46, "certificate_unknown", "Certificate Unknown" },
	{ 47, "illegal_parameter", "Illegal Parameter" },
	{ 48, "unknown_ca", "Unknown CA" },
	{ 49, "access_denied", "Access Denied" },
	{ 50, "decode_error", "Decode Error" },
	{ 51, "decrypt_error", "Decrypt Error" },
	{ 52, "too_many_cids_requested", "Too Many CIDs Requested" },
	{ 60, "export_restriction", "Export Restriction" },
	{ 70, "protocol_version", "Protocol Version" },
	{ 71, "insufficient_security", "Insufficient Security" },
	{ 80, "internal_error", "Internal Error" },
	{ 86, "inappropriate_fallback", "Inappropriate Fallback" },
	{ 90, "user_canceled", "User Canceled" },
	{ 100, "no_renegotiation", "No Renegotiation" },
	{ 109, "missing_extension", "Missing Extension" },
	{ 110, "unsupported_extension", "Unsupported Extension" },
	{ 111, "certificate_unobtainable", "Certificate Unobtainable" },
	{ 112, "unrecognized_name", "Unrecognized Name" },
	{ 113, "bad_certificate_status_response", "Bad Certificate Status Response" },
	{ 114, "bad_certificate_hash_value", "Bad Certificate Hash Value" },
	{ 115, "unknown_psk_identity", "Unknown PSK Identity" },
	{ 116, "certificate_required", "Certificate Required" },
	{ 120, "no_application_protocol", "No application Protocol" },
	{ 121, "ech_required", "ECH Required" },
};

static void test_alerts(void)
{
	for (unsigned v = 0; v <= 255; v++) {
		const char *name = NULL, *display = NULL;

		for (size_t i = 0; i < ARRAY_LEN(all_alerts); i++) {
			if (all_alerts[i].v == v) {
				name = all_alerts[i].name;
				display = all_alerts[i].display;
			}
		}
		EXPECT_NAME(tls_alert_name, (uint8_t)v, name);
		EXPECT_NAME(tls_alert_display_name, (uint8_t)v, display);
	}
	/* 1 was end_of_early_data in early TLS 1.3 drafts, never registered. */
	CU_ASSERT_PTR_NULL(tls_alert_name(1));

	EXPECT_NAME(tls_alert_level_name, 1, "warning");
	EXPECT_NAME(tls_alert_level_name, 2, "fatal");
	EXPECT_NAME(tls_alert_level_name, 0, NULL);
	EXPECT_NAME(tls_alert_level_name, 3, NULL);
	EXPECT_NAME(tls_alert_level_name, 255, NULL);
}

/* ------------------------------------------------------------------ */
/* Handshake and content types                                         */
/* ------------------------------------------------------------------ */

static const struct {
	uint8_t v;
	const char *name, *display;
} all_handshakes[] = {
	{ 0, "hello_request", "Hello Request" },
	{ 1, "client_hello", "Client Hello" },
	{ 2, "server_hello", "Server Hello" },
	{ 3, "hello_verify_request", "Hello Verify Request" },
	{ 4, "new_session_ticket", "New Session Ticket" },
	{ 5, "end_of_early_data", "End of Early Data" },
	{ 6, "hello_retry_request", "Hello Retry Request" },
	{ 8, "encrypted_extensions", "Encrypted Extensions" },
	{ 9, "request_connection_id", "Request Connection ID" },
	{ 10, "new_connection_id", "New Connection ID" },
	{ 11, "certificate", "Certificate" },
	{ 12, "server_key_exchange", "Server Key Exchange" },
	{ 13, "certificate_request", "Certificate Request" },
	{ 14, "server_hello_done", "Server Hello Done" },
	{ 15, "certificate_verify", "Certificate Verify" },
	{ 16, "client_key_exchange", "Client Key Exchange" },
	{ 17, "client_certificate_request", "Client Certificate Request" },
	{ 20, "finished", "Finished" },
	{ 21, "certificate_url", "Client Certificate URL" },
	{ 22, "certificate_status", "Certificate Status" },
	{ 23, "supplemental_data", "Supplemental Data" },
	{ 24, "key_update", "Key Update" },
	{ 25, "compressed_certificate", "Compressed Certificate" },
	{ 26, "ekt_key", "EKT Key" },
	{ 254, "message_hash", "Message Hash" },
};

static void test_handshake_types(void)
{
	for (unsigned v = 0; v <= 255; v++) {
		const char *name = NULL, *display = NULL;

		for (size_t i = 0; i < ARRAY_LEN(all_handshakes); i++) {
			if (all_handshakes[i].v == v) {
				name = all_handshakes[i].name;
				display = all_handshakes[i].display;
			}
		}
		EXPECT_NAME(tls_handshake_name, (uint8_t)v, name);
		EXPECT_NAME(tls_handshake_display_name, (uint8_t)v, display);
	}
}

static void test_content_types(void)
{
	static const char *const want[] = {
		"change_cipher_spec", "alert", "handshake", "application_data",
		"heartbeat", "tls12_cid", "ACK",
	};

	for (unsigned v = 0; v <= 255; v++) {
		const char *w = v >= 20 && v <= 26 ? want[v - 20] : NULL;

		EXPECT_NAME(tls_content_type_name, (uint8_t)v, w);
	}
}

/* ------------------------------------------------------------------ */
/* 16-bit registries: extensions, groups, signature schemes            */
/* ------------------------------------------------------------------ */

struct entry16 {
	uint16_t v;
	const char *name;
};

/* Checks fn over all 65536 values: the listed ones by name, GREASE as
 * "GREASE", every other value NULL. */
static void check_registry16(const char *what, const char *(*fn)(uint16_t),
	const struct entry16 *list, size_t n, unsigned line)
{
	struct scan s = { 0, line };
	unsigned named = 0;

	for (uint32_t i = 0; i <= 0xffff; i++) {
		uint16_t v = (uint16_t)i;
		const char *got = fn(v);
		const char *want = tls_is_grease(v) ? "GREASE" : NULL;

		for (size_t k = 0; k < n; k++)
			if (list[k].v == v)
				want = list[k].name;
		if (want == NULL ? got != NULL : (got == NULL || strcmp(got, want) != 0))
			scan_fail(&s, what, v, got, want);
		if (got != NULL) {
			named++;
			if (!name_is_clean(got))
				scan_fail(&s, what, v, got, "a clean name");
		}
	}
	CU_ASSERT_EQUAL(named, n + 16);
	CU_ASSERT_EQUAL(s.bad, 0);
}

static const struct entry16 all_extensions[] = {
	{ 0, "server_name" },
	{ 1, "max_fragment_length" },
	{ 2, "client_certificate_url" },
	{ 3, "trusted_ca_keys" },
	{ 4, "truncated_hmac" },
	{ 5, "status_request" },
	{ 6, "user_mapping" },
	{ 7, "client_authz" },
	{ 8, "server_authz" },
	{ 9, "cert_type" },
	{ 10, "supported_groups" },
	{ 11, "ec_point_formats" },
	{ 12, "srp" },
	{ 13, "signature_algorithms" },
	{ 14, "use_srtp" },
	{ 15, "heartbeat" },
	{ 16, "application_layer_protocol_negotiation" },
	{ 17, "status_request_v2" },
	{ 18, "signed_certificate_timestamp" },
	{ 19, "client_certificate_type" },
	{ 20, "server_certificate_type" },
	{ 21, "padding" },
	{ 22, "encrypt_then_mac" },
	{ 23, "extended_master_secret" },
	{ 24, "token_binding" },
	{ 25, "cached_info" },
	{ 26, "tls_lts" },
	{ 27, "compress_certificate" },
	{ 28, "record_size_limit" },
	{ 29, "pwd_protect" },
	{ 30, "pwd_clear" },
	{ 31, "password_salt" },
	{ 32, "ticket_pinning" },
	{ 33, "tls_cert_with_extern_psk" },
	{ 34, "delegated_credential" },
	{ 35, "session_ticket" },
	{ 36, "TLMSP" },
	{ 37, "TLMSP_proxying" },
	{ 38, "TLMSP_delegate" },
	{ 39, "supported_ekt_ciphers" },
	{ 41, "pre_shared_key" },
	{ 42, "early_data" },
	{ 43, "supported_versions" },
	{ 44, "cookie" },
	{ 45, "psk_key_exchange_modes" },
	{ 47, "certificate_authorities" },
	{ 48, "oid_filters" },
	{ 49, "post_handshake_auth" },
	{ 50, "signature_algorithms_cert" },
	{ 51, "key_share" },
	{ 52, "transparency_info" },
	{ 53, "connection_id (deprecated)" },
	{ 54, "connection_id" },
	{ 55, "external_id_hash" },
	{ 56, "external_session_id" },
	{ 57, "quic_transport_parameters" },
	{ 58, "ticket_request" },
	{ 59, "dnssec_chain" },
	{ 60, "sequence_number_encryption_algorithms" },
	{ 61, "rrc" },
	{ 62, "tls_flags" },
	{ 0xfd00, "ech_outer_extensions" },
	{ 0xfe0d, "encrypted_client_hello" },
	{ 0xff01, "renegotiation_info" },
};

static void test_extensions(void)
{
	EXPECT_NAME(tls_extension_name, 0, "server_name");
	EXPECT_NAME(tls_extension_name, 43, "supported_versions");
	EXPECT_NAME(tls_extension_name, 65281, "renegotiation_info");
	EXPECT_NAME(tls_extension_name, 0x0a0a, "GREASE");
	EXPECT_NAME(tls_extension_name, 0xdada, "GREASE");
	EXPECT_NAME(tls_extension_name, 0x0a0b, NULL);
	EXPECT_NAME(tls_extension_name, 40, NULL);       /* reserved */
	EXPECT_NAME(tls_extension_name, 46, NULL);       /* reserved */
	EXPECT_NAME(tls_extension_name, 13172, NULL);    /* NPN, never registered */
	EXPECT_NAME(tls_extension_name, 65535, NULL);
	check_registry16("tls_extension_name", tls_extension_name, all_extensions,
		ARRAY_LEN(all_extensions), __LINE__);
}

static const struct entry16 all_groups[] = {
	{ 1, "sect163k1" }, { 2, "sect163r1" }, { 3, "sect163r2" },
	{ 4, "sect193r1" }, { 5, "sect193r2" }, { 6, "sect233k1" },
	{ 7, "sect233r1" }, { 8, "sect239k1" }, { 9, "sect283k1" },
	{ 10, "sect283r1" }, { 11, "sect409k1" }, { 12, "sect409r1" },
	{ 13, "sect571k1" }, { 14, "sect571r1" }, { 15, "secp160k1" },
	{ 16, "secp160r1" }, { 17, "secp160r2" }, { 18, "secp192k1" },
	{ 19, "secp192r1" }, { 20, "secp224k1" }, { 21, "secp224r1" },
	{ 22, "secp256k1" }, { 23, "secp256r1" }, { 24, "secp384r1" },
	{ 25, "secp521r1" }, { 26, "brainpoolP256r1" }, { 27, "brainpoolP384r1" },
	{ 28, "brainpoolP512r1" }, { 29, "x25519" }, { 30, "x448" },
	{ 31, "brainpoolP256r1tls13" }, { 32, "brainpoolP384r1tls13" },
	{ 33, "brainpoolP512r1tls13" },
	{ 34, "GC256A" }, { 35, "GC256B" }, { 36, "GC256C" }, { 37, "GC256D" },
	{ 38, "GC512A" }, { 39, "GC512B" }, { 40, "GC512C" },
	{ 41, "curveSM2" },
	{ 256, "ffdhe2048" }, { 257, "ffdhe3072" }, { 258, "ffdhe4096" },
	{ 259, "ffdhe6144" }, { 260, "ffdhe8192" },
	{ 0x0200, "MLKEM512" }, { 0x0201, "MLKEM768" }, { 0x0202, "MLKEM1024" },
	{ 0x11eb, "SecP256r1MLKEM768" }, { 0x11ec, "X25519MLKEM768" },
	{ 0x11ed, "SecP384r1MLKEM1024" },
	{ 0x6399, "X25519Kyber768Draft00" }, { 0x639a, "SecP256r1Kyber768Draft00" },
	{ 0xff01, "arbitrary_explicit_prime_curves" },
	{ 0xff02, "arbitrary_explicit_char2_curves" },
};

static void test_groups(void)
{
	EXPECT_NAME(tls_group_name, 23, "secp256r1");
	EXPECT_NAME(tls_group_name, 29, "x25519");
	EXPECT_NAME(tls_group_name, 256, "ffdhe2048");
	EXPECT_NAME(tls_group_name, 0x11ec, "X25519MLKEM768");
	EXPECT_NAME(tls_group_name, 0x2a2a, "GREASE");
	EXPECT_NAME(tls_group_name, 0, NULL);
	EXPECT_NAME(tls_group_name, 42, NULL);
	EXPECT_NAME(tls_group_name, 261, NULL);
	EXPECT_NAME(tls_group_name, 0x0203, NULL);
	EXPECT_NAME(tls_group_name, 0xfe31, NULL);       /* Kyber private-use value */
	EXPECT_NAME(tls_group_name, 0xff03, NULL);
	check_registry16("tls_group_name", tls_group_name, all_groups,
		ARRAY_LEN(all_groups), __LINE__);
}

static const struct entry16 all_sigschemes[] = {
	/* signature schemes */
	{ 0x0201, "rsa_pkcs1_sha1" },
	{ 0x0203, "ecdsa_sha1" },
	{ 0x0401, "rsa_pkcs1_sha256" },
	{ 0x0403, "ecdsa_secp256r1_sha256" },
	{ 0x0420, "rsa_pkcs1_sha256_legacy" },
	{ 0x0501, "rsa_pkcs1_sha384" },
	{ 0x0503, "ecdsa_secp384r1_sha384" },
	{ 0x0520, "rsa_pkcs1_sha384_legacy" },
	{ 0x0601, "rsa_pkcs1_sha512" },
	{ 0x0603, "ecdsa_secp521r1_sha512" },
	{ 0x0620, "rsa_pkcs1_sha512_legacy" },
	{ 0x0704, "eccsi_sha256" },
	{ 0x0705, "iso_ibs1" },
	{ 0x0706, "iso_ibs2" },
	{ 0x0707, "iso_chinese_ibs" },
	{ 0x0708, "sm2sig_sm3" },
	{ 0x0709, "gostr34102012_256a" },
	{ 0x070a, "gostr34102012_256b" },
	{ 0x070b, "gostr34102012_256c" },
	{ 0x070c, "gostr34102012_256d" },
	{ 0x070d, "gostr34102012_512a" },
	{ 0x070e, "gostr34102012_512b" },
	{ 0x070f, "gostr34102012_512c" },
	{ 0x0804, "rsa_pss_rsae_sha256" },
	{ 0x0805, "rsa_pss_rsae_sha384" },
	{ 0x0806, "rsa_pss_rsae_sha512" },
	{ 0x0807, "ed25519" },
	{ 0x0808, "ed448" },
	{ 0x0809, "rsa_pss_pss_sha256" },
	{ 0x080a, "rsa_pss_pss_sha384" },
	{ 0x080b, "rsa_pss_pss_sha512" },
	{ 0x081a, "ecdsa_brainpoolP256r1tls13_sha256" },
	{ 0x081b, "ecdsa_brainpoolP384r1tls13_sha384" },
	{ 0x081c, "ecdsa_brainpoolP512r1tls13_sha512" },
	{ 0x0904, "mldsa44" },
	{ 0x0905, "mldsa65" },
	{ 0x0906, "mldsa87" },
	/* TLS 1.2 (hash, signature) pairs that are not schemes */
	{ 0x0101, "md5_rsa" },
	{ 0x0102, "md5_dsa" },
	{ 0x0103, "md5_ecdsa" },
	{ 0x0202, "sha1_dsa" },
	{ 0x0301, "sha224_rsa" },
	{ 0x0302, "sha224_dsa" },
	{ 0x0303, "sha224_ecdsa" },
	{ 0x0402, "sha256_dsa" },
	{ 0x0502, "sha384_dsa" },
	{ 0x0602, "sha512_dsa" },
};

static void test_sigschemes(void)
{
	EXPECT_NAME(tls_sigscheme_name, 0x0401, "rsa_pkcs1_sha256");
	EXPECT_NAME(tls_sigscheme_name, 0x0804, "rsa_pss_rsae_sha256");
	EXPECT_NAME(tls_sigscheme_name, 0x0403, "ecdsa_secp256r1_sha256");
	EXPECT_NAME(tls_sigscheme_name, 0x0301, "sha224_rsa");
	EXPECT_NAME(tls_sigscheme_name, 0x0101, "md5_rsa");
	EXPECT_NAME(tls_sigscheme_name, 0x0402, "sha256_dsa");
	EXPECT_NAME(tls_sigscheme_name, 0x1a1a, "GREASE");
	/* hash none / anonymous / out of range, and gaps between schemes */
	EXPECT_NAME(tls_sigscheme_name, 0x0000, NULL);
	EXPECT_NAME(tls_sigscheme_name, 0x0001, NULL);
	EXPECT_NAME(tls_sigscheme_name, 0x0100, NULL);
	EXPECT_NAME(tls_sigscheme_name, 0x0104, NULL);
	EXPECT_NAME(tls_sigscheme_name, 0x0204, NULL);
	EXPECT_NAME(tls_sigscheme_name, 0x0604, NULL);
	EXPECT_NAME(tls_sigscheme_name, 0x0700, NULL);
	EXPECT_NAME(tls_sigscheme_name, 0x0701, NULL);
	EXPECT_NAME(tls_sigscheme_name, 0x0710, NULL);
	EXPECT_NAME(tls_sigscheme_name, 0x0801, NULL);
	EXPECT_NAME(tls_sigscheme_name, 0x0803, NULL);
	EXPECT_NAME(tls_sigscheme_name, 0x080c, NULL);
	EXPECT_NAME(tls_sigscheme_name, 0x0819, NULL);
	EXPECT_NAME(tls_sigscheme_name, 0x081d, NULL);
	EXPECT_NAME(tls_sigscheme_name, 0x0903, NULL);
	EXPECT_NAME(tls_sigscheme_name, 0x0907, NULL);
	EXPECT_NAME(tls_sigscheme_name, 0xfe00, NULL);
	check_registry16("tls_sigscheme_name", tls_sigscheme_name, all_sigschemes,
		ARRAY_LEN(all_sigschemes), __LINE__);
}

/* ------------------------------------------------------------------ */
/* Small 8-bit registries                                              */
/* ------------------------------------------------------------------ */

static void test_small_registries(void)
{
	static const struct {
		uint8_t v;
		const char *name;
	} cert_types[] = {
		{ 1, "rsa_sign" }, { 2, "dss_sign" }, { 3, "rsa_fixed_dh" },
		{ 4, "dss_fixed_dh" }, { 5, "rsa_ephemeral_dh_RESERVED" },
		{ 6, "dss_ephemeral_dh_RESERVED" }, { 20, "fortezza_dms_RESERVED" },
		{ 64, "ecdsa_sign" }, { 65, "rsa_fixed_ecdh" },
		{ 66, "ecdsa_fixed_ecdh" }, { 67, "gost_sign256" },
		{ 68, "gost_sign512" },
	};

	for (unsigned v = 0; v <= 255; v++) {
		const char *want = NULL;

		for (size_t i = 0; i < ARRAY_LEN(cert_types); i++)
			if (cert_types[i].v == v)
				want = cert_types[i].name;
		EXPECT_NAME(tls_cert_type_name, (uint8_t)v, want);
	}

	for (unsigned v = 0; v <= 255; v++) {
		static const char *const pf[] = {
			"uncompressed", "ansiX962_compressed_prime", "ansiX962_compressed_char2",
		};
		static const char *const psk[] = { "psk_ke", "psk_dhe_ke" };
		const char *comp = v == 0 ? "null" : v == 1 ? "DEFLATE" : v == 64 ? "LZS" : NULL;

		EXPECT_NAME(tls_ec_point_format_name, (uint8_t)v, v < 3 ? pf[v] : NULL);
		EXPECT_NAME(tls_psk_mode_name, (uint8_t)v, v < 2 ? psk[v] : NULL);
		EXPECT_NAME(tls_compression_name, (uint8_t)v, comp);
	}
}

/* ------------------------------------------------------------------ */

void register_tls_names_tests(void)
{
	CU_pSuite suite = CU_add_suite("tls_names", NULL, NULL);

	if (suite == NULL)
		return;
	CU_add_test(suite, "GREASE detection", test_grease);
	CU_add_test(suite, "version names", test_version_names);
	CU_add_test(suite, "version drafts and GREASE", test_version_drafts_and_grease);
	CU_add_test(suite, "cipher suite names", test_cipher_suite_names);
	CU_add_test(suite, "cipher suite table complete", test_cipher_suite_table_complete);
	CU_add_test(suite, "cipher suite key exchange", test_cipher_suite_kx);
	CU_add_test(suite, "cipher suite key exchange matches name",
		test_cipher_suite_kx_matches_name);
	CU_add_test(suite, "cipher suite names well-formed", test_cipher_suite_names_well_formed);
	CU_add_test(suite, "alerts", test_alerts);
	CU_add_test(suite, "handshake types", test_handshake_types);
	CU_add_test(suite, "content types", test_content_types);
	CU_add_test(suite, "extensions", test_extensions);
	CU_add_test(suite, "supported groups", test_groups);
	CU_add_test(suite, "signature schemes", test_sigschemes);
	CU_add_test(suite, "small registries", test_small_registries);
}
