/* test_fingerprint.c - CUnit tests for JA3, JA3S and JA4 (src/fingerprint.c) on hand-built hellos. */
/*
 * Expected values: the worked examples of the specifications themselves
 * (salesforce/ja3 README, FoxIO technical_details/JA4.md), and for the other
 * cases the strings those rules give, written out by hand here, with their
 * MD5 / SHA-256 computed apart (Python's hashlib).
 */
#include "fingerprint.h"

#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "tls_handshake.h"
#include "unit.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define LIST(a) ((struct u16list){ .v = (a), .n = ARRAY_LEN(a), .total = ARRAY_LEN(a), .cap = ARRAY_LEN(a) })

static void expect_str(const char *got, const char *want, unsigned line)
{
	char msg[512];
	snprintf(msg, sizeof msg, "got \"%.200s\", want \"%.200s\"", got, want);
	CU_assertImplementation(strcmp(got, want) == 0 ? CU_TRUE : CU_FALSE, line, msg, __FILE__, "", CU_FALSE);
}
#define EXPECT_STR(got, want) expect_str((got), (want), __LINE__)

/* ---- JA4.md's example, with GREASE added to every list ---- */

static uint16_t ex_ciphers[] = { 0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
				 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035 };
static uint16_t ex_exts[] = { 0x0a0a, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005,
			      0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015, 0xfafa };
static uint16_t ex_sigs[] = { 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601 };
static uint16_t ex_versions[] = { 0x7a7a, 0x0304, 0x0303 };
static uint16_t ex_groups[] = { 0x5a5a, 0x001d, 0x0017, 0x0018 };
static char *ex_alpn[] = { "h2", "http/1.1" };
static uint16_t ex_alpn_len[] = { 2, 8 };

static void example_hello(struct client_hello *ch)
{
	memset(ch, 0, sizeof *ch);
	ch->present = true;
	ch->frame = 4;
	ch->legacy_version = 0x0303;
	ch->cipher_suites = LIST(ex_ciphers);
	ch->extensions = LIST(ex_exts);
	ch->sig_algs = LIST(ex_sigs);
	ch->supported_versions = LIST(ex_versions);
	ch->groups = LIST(ex_groups);
	ch->ec_point_formats_n = ch->ec_point_formats_total = 1;
	ch->ec_point_formats[0] = 0;
	ch->alpn = (struct strlist){ .v = ex_alpn, .len = ex_alpn_len, .n = 2, .total = 2, .cap = 2 };
}

static struct fp_ja4 ja4;
static struct fp_ja3 ja3;

static void test_ja4_spec_example(void)
{
	struct client_hello ch;
	example_hello(&ch);
	CU_ASSERT_TRUE_FATAL(fp_ja4(&ja4, &ch, FP_TCP));
	EXPECT_STR(ja4.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
	EXPECT_STR(ja4.ja4_r, "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,"
		   "cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,"
		   "0503,0805,0501,0806,0601");
	EXPECT_STR(ja4.ja4_o, "t13d1516h2_acb858a92679_18f69afefd3d");
	EXPECT_STR(ja4.ja4_ro, "t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,"
		   "0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_0403,"
		   "0804,0401,0503,0805,0501,0806,0601");
	CU_ASSERT_TRUE_FATAL(fp_ja4(&ja4, &ch, FP_QUIC));
	EXPECT_STR(ja4.ja4, "q13d1516h2_8daaf6152771_e5627efa2ab1");
}

/* Fingerprints are remembered by their inputs (fingerprint.c): a hello that
 * differs from a remembered one in one value, or only in order, or in its
 * ALPN, gets its own, and the first one's comes back after. */
static void test_memo_is_the_hellos(void)
{
	static uint16_t groups[] = { 0x5a5a, 0x001d, 0x0017, 0x0019 };
	static uint16_t ciphers[ARRAY_LEN(ex_ciphers)];
	static char *alpn[] = { "http/1.1" };
	static uint16_t alpn_len[] = { 8 };
	struct client_hello ch;
	example_hello(&ch);
	for (int round = 0; round < 2; round++) {
		CU_ASSERT_TRUE_FATAL(fp_ja3(&ja3, &ch));
		EXPECT_STR(ja3.md5, "c000e2caf3a25423f9de6c8a4b12a975");
		CU_ASSERT_TRUE_FATAL(fp_ja4(&ja4, &ch, FP_TCP));
		EXPECT_STR(ja4.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
		EXPECT_STR(ja4.ja4_o, "t13d1516h2_acb858a92679_18f69afefd3d");
	}
	ch.groups = LIST(groups);
	CU_ASSERT_TRUE_FATAL(fp_ja3(&ja3, &ch));
	EXPECT_STR(ja3.str, "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
		   "27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-25,0");
	EXPECT_STR(ja3.md5, "87c2a19e3731ba5c71869842ccc5abab");
	/* the last two suites swapped: the sorted JA4 stays, the original order's changes */
	memcpy(ciphers, ex_ciphers, sizeof ciphers);
	ciphers[ARRAY_LEN(ciphers) - 2] = 0x0035;
	ciphers[ARRAY_LEN(ciphers) - 1] = 0x002f;
	ch.cipher_suites = LIST(ciphers);
	CU_ASSERT_TRUE_FATAL(fp_ja4(&ja4, &ch, FP_TCP));
	EXPECT_STR(ja4.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
	EXPECT_STR(ja4.ja4_o, "t13d1516h2_06f1c64ca347_18f69afefd3d");
	ch.alpn = (struct strlist){ .v = alpn, .len = alpn_len, .n = 1, .total = 1, .cap = 1 };
	CU_ASSERT_TRUE_FATAL(fp_ja4(&ja4, &ch, FP_TCP));
	EXPECT_STR(ja4.ja4, "t13d1516h1_8daaf6152771_e5627efa2ab1");
	example_hello(&ch);
	CU_ASSERT_TRUE_FATAL(fp_ja3(&ja3, &ch));
	EXPECT_STR(ja3.md5, "c000e2caf3a25423f9de6c8a4b12a975");
	CU_ASSERT_TRUE_FATAL(fp_ja4(&ja4, &ch, FP_TCP));
	EXPECT_STR(ja4.ja4_o, "t13d1516h2_acb858a92679_18f69afefd3d");
	EXPECT_STR(ja4.ja4_ro, "t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,"
		   "0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_0403,"
		   "0804,0401,0503,0805,0501,0806,0601");
}

/* "ignore GREASE values anywhere": one among the signature algorithms too */
static void test_ja4_grease_in_sig_algs(void)
{
	static uint16_t sigs[] = { 0x0403, 0x0804, 0x0401, 0x0503, 0x8a8a, 0x0805, 0x0501, 0x0806, 0x0601 };
	struct client_hello ch;
	example_hello(&ch);
	ch.sig_algs = LIST(sigs);
	CU_ASSERT_TRUE_FATAL(fp_ja4(&ja4, &ch, FP_TCP));
	EXPECT_STR(ja4.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
}

/* The same hello's JA3: GREASE out of ciphers, extensions and groups. */
static void test_ja3_grease(void)
{
	struct client_hello ch;
	example_hello(&ch);
	CU_ASSERT_TRUE_FATAL(fp_ja3(&ja3, &ch));
	EXPECT_STR(ja3.str, "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
		   "27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0");
	EXPECT_STR(ja3.md5, "c000e2caf3a25423f9de6c8a4b12a975");
}

/* The README's two examples: with extensions, and without any. */
static void test_ja3_readme_examples(void)
{
	static uint16_t c1[] = { 47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4 };
	static uint16_t e1[] = { 0, 10, 11 }, g1[] = { 23, 24, 25 };
	struct client_hello ch = { .present = true, .legacy_version = 769, .cipher_suites = LIST(c1),
				   .extensions = LIST(e1), .groups = LIST(g1), .ec_point_formats_n = 1,
				   .ec_point_formats_total = 1 };
	CU_ASSERT_TRUE_FATAL(fp_ja3(&ja3, &ch));
	EXPECT_STR(ja3.str, "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0");
	EXPECT_STR(ja3.md5, "ada70206e40642a3e4461f35503241d5");

	static uint16_t c2[] = { 4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99 };
	struct client_hello old = { .present = true, .legacy_version = 769, .cipher_suites = LIST(c2) };
	CU_ASSERT_TRUE_FATAL(fp_ja3(&ja3, &old));
	EXPECT_STR(ja3.str, "769,4-5-10-9-100-98-3-6-19-18-99,,,");
	EXPECT_STR(ja3.md5, "de350869b8c85de67a350c8d186f11e6");
	/* no extensions at all: JA4's last part is twelve zeros */
	CU_ASSERT_TRUE_FATAL(fp_ja4(&ja4, &old, FP_TCP));
	EXPECT_STR(ja4.ja4_r, "t10i110000_0003,0004,0005,0006,0009,000a,0012,0013,0062,0063,0064_");
	CU_ASSERT_EQUAL(strncmp(ja4.ja4 + 24, "000000000000", 13), 0);
}

/* TLS 1.2 only (no supported_versions), no SNI, no ALPN. */
static void test_tls12_no_sni_no_alpn(void)
{
	static uint16_t c[] = { 0xc02f, 0xc030, 0x009c }, e[] = { 0x000a, 0x000b, 0x000d, 0xff01 };
	static uint16_t g[] = { 0x001d, 0x0017 }, sigs[] = { 0x0401, 0x0501 };
	struct client_hello ch = { .present = true, .legacy_version = 0x0303, .cipher_suites = LIST(c),
				   .extensions = LIST(e), .groups = LIST(g), .sig_algs = LIST(sigs),
				   .ec_point_formats_n = 1, .ec_point_formats_total = 1 };
	CU_ASSERT_TRUE_FATAL(fp_ja4(&ja4, &ch, FP_TCP));
	EXPECT_STR(ja4.ja4_r, "t12i030400_009c,c02f,c030_000a,000b,000d,ff01_0401,0501");
	EXPECT_STR(ja4.ja4, "t12i030400_13bac7b83268_c81523bf1a9d");
	CU_ASSERT_TRUE_FATAL(fp_ja3(&ja3, &ch));
	EXPECT_STR(ja3.str, "771,49199-49200-156,10-11-13-65281,29-23,0");
	EXPECT_STR(ja3.md5, "549b609a08f072c7d458086dab9a6c6d");
}

/* JA4.md "ALPN Extension Value", every example it gives, and the edges. */
static void test_ja4_alpn(void)
{
	static const struct { const char *bytes; uint16_t len; const char *want; } cases[] = {
		{ "h2", 2, "h2" }, { "http/1.1", 8, "h1" }, { "a", 1, "aa" }, { "", 0, "00" },
		{ "\xab", 1, "ab" }, { "\x20", 1, "20" }, { "\xab\xcd", 2, "ad" }, { "\x20\x61", 2, "21" },
		{ "\x30\xab", 2, "3b" }, { "\x61\x20", 2, "60" }, { "\x30\x31\xab\xcd", 4, "3d" },
		{ "\x30\xab\xcd\x31", 4, "01" }, { "\xba\xad", 2, "bd" }, { "x\0y", 3, "xy" }, { "\0", 1, "00" },
	};
	struct client_hello ch;
	example_hello(&ch);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *v[1] = { (char *)cases[i].bytes };
		uint16_t len[1] = { cases[i].len };
		ch.alpn = (struct strlist){ .v = v, .len = len, .n = 1, .total = 1, .cap = 1 };
		CU_ASSERT_TRUE_FATAL(fp_ja4(&ja4, &ch, FP_TCP));
		char got[3] = { ja4.ja4[8], ja4.ja4[9], '\0' };
		expect_str(got, cases[i].want, __LINE__);
	}
	ch.alpn.n = 0;   /* the extension with an empty list */
	CU_ASSERT_TRUE_FATAL(fp_ja4(&ja4, &ch, FP_TCP));
	EXPECT_STR(ja4.ja4, "t13d151600_8daaf6152771_e5627efa2ab1");
}

/* 120 ciphers and 105 extensions: the counts stop at 99, the lists do not. */
static void test_ja4_over_99(void)
{
	static uint16_t c[120 + 1], e[105 + 1];
	for (unsigned i = 0; i < 120; i++)
		c[i] = (uint16_t)(120 - i);   /* 0x0078 down to 0x0001 */
	c[120] = 0x0a0a;
	for (unsigned i = 0; i < 105; i++)
		e[i] = (uint16_t)(0x0100 + i);
	e[105] = 0x1a1a;
	struct client_hello ch = { .present = true, .legacy_version = 0x0303, .cipher_suites = LIST(c),
				   .extensions = LIST(e) };
	CU_ASSERT_TRUE_FATAL(fp_ja4(&ja4, &ch, FP_TCP));
	EXPECT_STR(ja4.ja4, "t12i999900_0f8860b09f90_56580a5144d3");
	CU_ASSERT_EQUAL(strlen(ja4.ja4_r), 11 + 120 * 5 - 1 + 1 + 105 * 5 - 1);
	CU_ASSERT_TRUE_FATAL(fp_ja3(&ja3, &ch));
	EXPECT_STR(ja3.md5, "c5000b9902a085dbbd84f4bb3231a21a");
}

/* The longest lists the parser keeps fit the buffers. */
static void test_longest_lists(void)
{
	static uint16_t v[LIM_LIST_ENTRIES];
	for (unsigned i = 0; i < LIM_LIST_ENTRIES; i++)
		v[i] = (uint16_t)(65000 + i);   /* five digits each, none GREASE (the last is 0xfafa = 64250) */
	struct client_hello ch = { .present = true, .legacy_version = 65535, .cipher_suites = LIST(v),
				   .extensions = LIST(v), .groups = LIST(v), .sig_algs = LIST(v),
				   .supported_versions = LIST(v), .ec_point_formats_n = 8,
				   .ec_point_formats_total = 8 };
	memset(ch.ec_point_formats, 255, 8);
	CU_ASSERT_TRUE(fp_ja3(&ja3, &ch));
	CU_ASSERT_EQUAL(strlen(ja3.md5), 32);
	CU_ASSERT_TRUE(fp_ja4(&ja4, &ch, FP_TCP));
	CU_ASSERT_EQUAL(strlen(ja4.ja4), 36);
}

/* SSLv2-format ClientHello: no JA3 (not defined for it); JA4 over the TLS
 * suites it carries (the parser keeps those), version "10" or SSL 2.0's "s2". */
static void test_sslv2_hello(void)
{
	static uint16_t c[] = { 0x0039, 0x0038, 0x0035, 0x0004 };
	struct client_hello ch = { .present = true, .sslv2 = true, .legacy_version = 0x0301, .cipher_suites = LIST(c) };
	CU_ASSERT_FALSE(fp_ja3(&ja3, &ch));
	EXPECT_STR(ja3.str, "");
	CU_ASSERT_TRUE_FATAL(fp_ja4(&ja4, &ch, FP_TCP));
	EXPECT_STR(ja4.ja4, "t10i040000_0fd8c4e78c33_000000000000");
	EXPECT_STR(ja4.ja4_r, "t10i040000_0004,0035,0038,0039_");

	struct client_hello v2 = { .present = true, .sslv2 = true, .legacy_version = 0x0002 };
	CU_ASSERT_TRUE_FATAL(fp_ja4(&ja4, &v2, FP_TCP));
	EXPECT_STR(ja4.ja4, "ts2i000000_000000000000_000000000000");
	EXPECT_STR(ja4.ja4_r, "ts2i000000__");
}

/* The version: supported_versions' highest non-GREASE value, else legacy_version. */
static void test_ja4_version(void)
{
	static uint16_t only_grease[] = { 0x3a3a }, draft[] = { 0x7f1c, 0x0304 }, tls11[] = { 0x0302, 0x0301 };
	static const struct { uint16_t legacy; struct u16list sv; const char *want; } cases[] = {
		{ 0x0303, { .v = only_grease, .n = 1, .total = 1 }, "00" },  /* the extension names none */
		{ 0x0303, { .v = draft, .n = 2, .total = 2 }, "00" },        /* highest is draft 28: unknown */
		{ 0x0303, { .v = tls11, .n = 2, .total = 2 }, "11" },
	};
	struct client_hello ch;
	example_hello(&ch);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		ch.legacy_version = cases[i].legacy;
		ch.supported_versions = cases[i].sv;
		CU_ASSERT_TRUE_FATAL(fp_ja4(&ja4, &ch, FP_TCP));
		char got[3] = { ja4.ja4[1], ja4.ja4[2], '\0' };
		expect_str(got, cases[i].want, __LINE__);
	}
	/* without the extension: legacy_version, even with a list kept */
	static uint16_t no43[] = { 0x0000, 0x0010, 0x000d };
	ch.extensions = LIST(no43);
	ch.legacy_version = 0x0300;
	CU_ASSERT_TRUE_FATAL(fp_ja4(&ja4, &ch, FP_TCP));
	EXPECT_STR(ja4.ja4_r, "ts3d1503h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,"
		   "cca9_000d_0403,0804,0401,0503,0805,0501,0806,0601");
	EXPECT_STR(ja4.ja4, "ts3d1503h2_8daaf6152771_2101302830fe");
}

static void test_ja3s(void)
{
	static uint16_t e[] = { 0xff01, 0x000b, 0x0023 };
	struct server_hello sh = { .present = true, .legacy_version = 0x0303, .version = 0x0303,
				   .cipher_suite = 0xc030, .extensions = LIST(e) };
	CU_ASSERT_TRUE_FATAL(fp_ja3s(&ja3, &sh));
	EXPECT_STR(ja3.str, "771,49200,65281-11-35");
	EXPECT_STR(ja3.md5, "e35df3e00ca4ef31d42b34bebaa2f86e");
	sh.present = false;
	CU_ASSERT_FALSE(fp_ja3s(&ja3, &sh));

	/* a HelloRetryRequest is a ServerHello on the wire: tshark gives this one
	 * (pcaps/tls13-hrr.pcap frame 6) the same string and hash */
	static uint16_t he[] = { 0x002b, 0x0033 };
	struct hello_retry_request hrr = { .present = true, .server_hello = true, .legacy_version = 0x0303,
					   .cipher_suite = 0x1302, .extensions = LIST(he) };
	CU_ASSERT_TRUE_FATAL(fp_ja3s_hrr(&ja3, &hrr));
	EXPECT_STR(ja3.str, "771,4866,43-51");
	EXPECT_STR(ja3.md5, "15af977ce25de452b96affa2addb1036");
	hrr.server_hello = false;   /* a draft HelloRetryRequest (type 6): no ServerHello fields */
	CU_ASSERT_FALSE(fp_ja3s_hrr(&ja3, &hrr));
}

/* A hello not known whole gets no fingerprint, rather than a wrong one. */
static void test_not_whole(void)
{
	struct client_hello ch;
	example_hello(&ch);
	ch.cipher_suites.total++;   /* one more on the wire than kept */
	CU_ASSERT_FALSE(fp_ja3(&ja3, &ch));
	CU_ASSERT_FALSE(fp_ja4(&ja4, &ch, FP_TCP));
	EXPECT_STR(ja4.ja4, "");
	example_hello(&ch);
	ch.ec_point_formats_total = 9;
	CU_ASSERT_FALSE(fp_ja3(&ja3, &ch));
	example_hello(&ch);
	ch.malformed = true;
	CU_ASSERT_FALSE(fp_ja4(&ja4, &ch, FP_TCP));
	example_hello(&ch);
	ch.present = false;
	CU_ASSERT_FALSE(fp_ja3(&ja3, &ch));
	static uint16_t e[] = { 0x0000 };
	struct server_hello sh = { .present = true, .extensions = { .v = e, .n = 1, .total = 2 } };
	CU_ASSERT_FALSE(fp_ja3s(&ja3, &sh));
	sh.extensions.total = 1;
	CU_ASSERT_TRUE(fp_ja3s(&ja3, &sh));
	sh.malformed = true;   /* the extension list ended early: "0,0," would be wrong */
	CU_ASSERT_FALSE(fp_ja3s(&ja3, &sh));
	struct hello_retry_request hrr = { .present = true, .server_hello = true, .malformed = true };
	CU_ASSERT_FALSE(fp_ja3s_hrr(&ja3, &hrr));
}

/* ---- from the wire: the facts tls_handshake.c keeps for the fingerprints ---- */

static const struct ts t0 = { 1700000000, 0 };

static void ext_begin(struct bb *b, unsigned type)
{
	bb_u16(b, type);
	bb_begin(b, 2);
}

/* An extension whose body is 16-bit values in a vector whose length field
 * has width bytes (0: no vector, the values alone). */
static void ext_u16s(struct bb *b, unsigned type, int width, const uint16_t *v, size_t n)
{
	ext_begin(b, type);
	if (width)
		bb_begin(b, width);
	for (size_t i = 0; i < n; i++)
		bb_u16(b, v[i]);
	if (width)
		bb_end(b);
	bb_end(b);
}

/* An extension whose body is one vector of names with 1-byte lengths (ALPN),
 * after a type byte for server_name. */
static void ext_name(struct bb *b, unsigned type, const char *name)
{
	ext_begin(b, type);
	bb_begin(b, 2);
	if (type == 0x0000) {
		bb_u8(b, 0);   /* host_name, 2-byte length */
		bb_begin(b, 2);
	} else {
		bb_begin(b, 1);
	}
	bb_str(b, name);
	bb_end(b);
	bb_end(b);
	bb_end(b);
}

/* A TLS 1.3 ClientHello with GREASE, SNI, ALPN h2 and n_formats point formats. */
static void wire_client_hello(struct bb *b, unsigned n_formats)
{
	static const uint16_t suites[] = { 0x1a1a, 0x1301, 0xc02f }, groups[] = { 0x001d };
	static const uint16_t sigs[] = { 0x0403 }, versions[] = { 0x0304, 0x0303 };
	bb_reset(b);
	bb_u16(b, 0x0303);
	bb_fill(b, 0x11, 32);
	bb_begin(b, 1);   /* session_id */
	bb_end(b);
	bb_begin(b, 2);
	for (size_t i = 0; i < ARRAY_LEN(suites); i++)
		bb_u16(b, suites[i]);
	bb_end(b);
	bb_begin(b, 1);
	bb_u8(b, 0);
	bb_end(b);
	bb_begin(b, 2);   /* extensions */
	ext_begin(b, 0x0a0a);
	bb_end(b);
	ext_name(b, 0x0000, "a.test");
	ext_u16s(b, 0x000a, 2, groups, ARRAY_LEN(groups));
	ext_begin(b, 0x000b);
	bb_begin(b, 1);
	bb_fill(b, 0, n_formats);
	bb_end(b);
	bb_end(b);
	ext_u16s(b, 0x000d, 2, sigs, ARRAY_LEN(sigs));
	ext_name(b, 0x0010, "h2");
	ext_u16s(b, 0x002b, 1, versions, ARRAY_LEN(versions));
	bb_end(b);
}

static void expect_wire_fingerprints(const struct client_hello *ch)
{
	CU_ASSERT_TRUE_FATAL(fp_ja3(&ja3, ch));
	EXPECT_STR(ja3.str, "771,4865-49199,0-10-11-13-16-43,29,0");
	EXPECT_STR(ja3.md5, "e857756ff458633748388d5dc1486381");
	CU_ASSERT_TRUE_FATAL(fp_ja4(&ja4, ch, FP_TCP));
	EXPECT_STR(ja4.ja4, "t13d0206h2_c1929292aa6b_5e519ef2b8a0");
}

/* Duplicate ClientHellos (suricata-verify tls-duplicate-hello) each keep
 * their facts, up to LIM_LATER_HELLOS. */
static void test_wire_later_hellos(void)
{
	struct session *s = session_new_for_test();
	struct bb b;
	bb_init(&b);
	wire_client_hello(&b, 1);
	for (uint64_t frame = 1; frame <= 2 + LIM_LATER_HELLOS; frame++)
		tls_parse_handshake(s, SIDE_CLIENT, 1, b.p, (uint32_t)b.n, frame, &t0);
	expect_wire_fingerprints(&s->ch);
	CU_ASSERT_FALSE(s->ch2.present);   /* no HelloRetryRequest */
	CU_ASSERT_EQUAL_FATAL(s->later_ch_n, LIM_LATER_HELLOS);
	for (uint32_t i = 0; i < s->later_ch_n; i++) {
		CU_ASSERT_EQUAL(s->later_ch[i].frame, 2 + i);
		expect_wire_fingerprints(&s->later_ch[i]);
	}
	CU_ASSERT_EQUAL(s->handshakes, 2 + LIM_LATER_HELLOS);
	bb_free(&b);
	session_free(s);
}

/* Nine point formats: eight are kept, so there is no JA3; JA4 does not read them. */
static void test_wire_point_formats(void)
{
	struct session *s = session_new_for_test();
	struct bb b;
	bb_init(&b);
	wire_client_hello(&b, 9);
	tls_parse_handshake(s, SIDE_CLIENT, 1, b.p, (uint32_t)b.n, 1, &t0);
	CU_ASSERT_EQUAL(s->ch.ec_point_formats_n, 8);
	CU_ASSERT_EQUAL(s->ch.ec_point_formats_total, 9);
	CU_ASSERT_FALSE(fp_ja3(&ja3, &s->ch));
	CU_ASSERT_TRUE(fp_ja4(&ja4, &s->ch, FP_TCP));
	bb_free(&b);
	session_free(s);
}

/* RFC 8446 §4.1.4: a ServerHello whose random is this is a HelloRetryRequest. */
static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

static void test_wire_hrr(void)
{
	struct session *s = session_new_for_test();
	struct bb b;
	bb_init(&b);
	wire_client_hello(&b, 1);
	tls_parse_handshake(s, SIDE_CLIENT, 1, b.p, (uint32_t)b.n, 1, &t0);
	bb_reset(&b);
	bb_u16(&b, 0x0303);
	bb_bytes(&b, hrr_random, sizeof hrr_random);
	bb_begin(&b, 1);   /* legacy_session_id_echo */
	bb_end(&b);
	bb_u16(&b, 0x1302);
	bb_u8(&b, 0);
	bb_begin(&b, 2);
	static const uint16_t version[] = { 0x0304 }, group[] = { 0x0017 };
	ext_u16s(&b, 0x002b, 0, version, 1);   /* selected_version, no vector */
	ext_u16s(&b, 0x0033, 0, group, 1);     /* selected_group */
	bb_end(&b);
	tls_parse_handshake(s, SIDE_SERVER, 2, b.p, (uint32_t)b.n, 2, &t0);
	CU_ASSERT_TRUE(s->hrr.present && s->hrr.server_hello);
	CU_ASSERT_TRUE_FATAL(fp_ja3s_hrr(&ja3, &s->hrr));
	EXPECT_STR(ja3.str, "771,4866,43-51");
	wire_client_hello(&b, 1);
	tls_parse_handshake(s, SIDE_CLIENT, 1, b.p, (uint32_t)b.n, 3, &t0);
	CU_ASSERT_EQUAL(s->ch2.frame, 3);   /* its own fingerprint */
	expect_wire_fingerprints(&s->ch2);
	CU_ASSERT_EQUAL(s->later_ch_n, 0);
	bb_free(&b);
	session_free(s);
}

void register_fingerprint_tests(void)
{
	CU_pSuite suite = CU_add_suite("fingerprint", NULL, NULL);

	if (suite == NULL)
		return;
	CU_add_test(suite, "JA4 of the JA4.md example", test_ja4_spec_example);
	CU_add_test(suite, "JA4 ignores GREASE signature algorithms", test_ja4_grease_in_sig_algs);
	CU_add_test(suite, "JA3 ignores GREASE", test_ja3_grease);
	CU_add_test(suite, "JA3 README examples", test_ja3_readme_examples);
	CU_add_test(suite, "TLS 1.2 only, no SNI, no ALPN", test_tls12_no_sni_no_alpn);
	CU_add_test(suite, "JA4 ALPN characters", test_ja4_alpn);
	CU_add_test(suite, "JA4 counts stop at 99", test_ja4_over_99);
	CU_add_test(suite, "longest kept lists fit", test_longest_lists);
	CU_add_test(suite, "SSLv2-format ClientHello", test_sslv2_hello);
	CU_add_test(suite, "JA4 version", test_ja4_version);
	CU_add_test(suite, "JA3S of ServerHello and HelloRetryRequest", test_ja3s);
	CU_add_test(suite, "no fingerprint of part of a hello", test_not_whole);
	CU_add_test(suite, "later ClientHellos kept", test_wire_later_hellos);
	CU_add_test(suite, "point formats beyond the kept 8", test_wire_point_formats);
	CU_add_test(suite, "HelloRetryRequest and second ClientHello", test_wire_hrr);
	CU_add_test(suite, "a remembered fingerprint is the hello's", test_memo_is_the_hellos);
}
