/* test_tls_handshake.c - CUnit tests for handshake parsing (src/tls_handshake.c): each message, malformations, whole connections in every chunking. */
#include "tls_handshake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "limits.h"
#include "mem.h"
#include "session.h"
#include "tls_conn.h"
#include "tls_record.h"
#include "unit.h"
#include "x509.h"

static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c
};

/* ---- certificates shared by the suite ---- */

static EVP_PKEY *ca_key, *server_key, *client_key;
static uint8_t *ca_der, *server_der, *client_der, *ca_name_der;
static size_t ca_len, server_len, client_len, ca_name_len;

static int suite_init(void)
{
	ca_key = test_key_ec();
	server_key = test_key_ec();
	client_key = test_key_ec();
	ca_der = test_cert_der("Test CA", "Test CA", ca_key, ca_key, 1, true, &ca_len);
	server_der = test_cert_der("server.example", "Test CA", server_key, ca_key, 2, false, &server_len);
	client_der = test_cert_der("client one", "Test CA", client_key, ca_key, 3, false, &client_len);
	/* the CA's subject as a DistinguishedName */
	const unsigned char *p = ca_der;
	X509 *x = d2i_X509(NULL, &p, (long)ca_len);
	unsigned char *out = NULL;
	int n = i2d_X509_NAME(X509_get_subject_name(x), &out);
	ca_name_der = malloc((size_t)n);
	memcpy(ca_name_der, out, (size_t)n);
	ca_name_len = (size_t)n;
	OPENSSL_free(out);
	X509_free(x);
	return 0;
}

static int suite_cleanup(void)
{
	x509_cache_clear();
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(server_key);
	EVP_PKEY_free(client_key);
	free(ca_der);
	free(server_der);
	free(client_der);
	free(ca_name_der);
	return 0;
}

static void sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
	EVP_Digest(p, n, out, NULL, EVP_sha256(), NULL);
}

/* ---- message builders (bodies, without the 4-byte handshake header) ---- */

static void ext_begin(struct bb *b, unsigned type)
{
	bb_u16(b, type);
	bb_begin(b, 2);
}

static void put_random(struct bb *b, uint8_t first)
{
	for (unsigned i = 0; i < 32; i++)
		bb_u8(b, first + i);
}

/* A ClientHello with every extension the parser reads. */
static void build_client_hello(struct bb *b)
{
	static const uint16_t suites[] = { 0x0a0a, 0x1301, 0x1302, 0xc02b, 0xc02f, 0x00ff, 0x5600 };
	bb_u16(b, 0x0303);
	put_random(b, 0);
	bb_begin(b, 1);
	for (unsigned i = 0; i < 32; i++)
		bb_u8(b, 0xa0 + i);
	bb_end(b);
	bb_begin(b, 2);
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
		bb_u16(b, suites[i]);
	bb_end(b);
	bb_begin(b, 1);
	bb_u8(b, 0);
	bb_end(b);
	bb_begin(b, 2);                 /* extensions */
	ext_begin(b, 0x1a1a);           /* GREASE */
	bb_end(b);
	ext_begin(b, 0);                /* server_name */
	bb_begin(b, 2);
	bb_u8(b, 0);
	bb_begin(b, 2);
	bb_str(b, "example.com");
	bb_end(b);
	bb_end(b);
	bb_end(b);
	ext_begin(b, 5);                /* status_request: ocsp, no ids, no extensions */
	bb_u8(b, 1);
	bb_u16(b, 0);
	bb_u16(b, 0);
	bb_end(b);
	ext_begin(b, 10);               /* supported_groups */
	bb_begin(b, 2);
	bb_u16(b, 0x2a2a);
	bb_u16(b, 29);
	bb_u16(b, 23);
	bb_u16(b, 24);
	bb_end(b);
	bb_end(b);
	ext_begin(b, 11);               /* ec_point_formats */
	bb_begin(b, 1);
	bb_u8(b, 0);
	bb_u8(b, 1);
	bb_u8(b, 2);
	bb_end(b);
	bb_end(b);
	ext_begin(b, 13);               /* signature_algorithms */
	bb_begin(b, 2);
	bb_u16(b, 0x0403);
	bb_u16(b, 0x0804);
	bb_u16(b, 0x0401);
	bb_end(b);
	bb_end(b);
	ext_begin(b, 50);               /* signature_algorithms_cert */
	bb_begin(b, 2);
	bb_u16(b, 0x0401);
	bb_end(b);
	bb_end(b);
	ext_begin(b, 16);               /* ALPN */
	bb_begin(b, 2);
	bb_begin(b, 1);
	bb_str(b, "h2");
	bb_end(b);
	bb_begin(b, 1);
	bb_str(b, "http/1.1");
	bb_end(b);
	bb_end(b);
	bb_end(b);
	ext_begin(b, 23);               /* extended_master_secret */
	bb_end(b);
	ext_begin(b, 35);               /* session_ticket with a ticket */
	bb_fill(b, 0x7e, 16);
	bb_end(b);
	ext_begin(b, 43);               /* supported_versions */
	bb_begin(b, 1);
	bb_u16(b, 0x3a3a);
	bb_u16(b, 0x0304);
	bb_u16(b, 0x0303);
	bb_end(b);
	bb_end(b);
	ext_begin(b, 45);               /* psk_key_exchange_modes */
	bb_begin(b, 1);
	bb_u8(b, 1);
	bb_end(b);
	bb_end(b);
	ext_begin(b, 51);               /* key_share */
	bb_begin(b, 2);
	bb_u16(b, 0x4a4a);
	bb_begin(b, 2);
	bb_u8(b, 0);
	bb_end(b);
	bb_u16(b, 29);
	bb_begin(b, 2);
	bb_fill(b, 0x25, 32);
	bb_end(b);
	bb_end(b);
	bb_end(b);
	ext_begin(b, 0xff01);           /* renegotiation_info (body not read) */
	bb_u8(b, 0);
	bb_end(b);
	ext_begin(b, 49);               /* post_handshake_auth */
	bb_end(b);
	ext_begin(b, 42);               /* early_data */
	bb_end(b);
	ext_begin(b, 41);               /* pre_shared_key (last; body not read) */
	bb_u16(b, 14);
	bb_u16(b, 8);
	bb_fill(b, 0x11, 8);
	bb_u32(b, 0);
	bb_u16(b, 33);
	bb_u8(b, 32);
	bb_fill(b, 0x22, 32);
	bb_end(b);
	bb_end(b);                      /* extensions */
}

/* A minimal ClientHello with the given session id byte (0: none). */
static void build_small_client_hello(struct bb *b, uint8_t sid)
{
	bb_u16(b, 0x0303);
	put_random(b, 0x10);
	bb_begin(b, 1);
	if (sid)
		bb_fill(b, sid, 32);
	bb_end(b);
	bb_begin(b, 2);
	bb_u16(b, 0xc02b);
	bb_end(b);
	bb_begin(b, 1);
	bb_u8(b, 0);
	bb_end(b);
}

/* TLS 1.2 ServerHello (legacy version, suite) with ALPN and friends. */
static void build_server_hello12(struct bb *b, uint16_t version, uint16_t suite, uint8_t sid)
{
	bb_u16(b, version);
	put_random(b, 0x40);
	bb_begin(b, 1);
	bb_fill(b, sid, 32);
	bb_end(b);
	bb_u16(b, suite);
	bb_u8(b, 0);
	bb_begin(b, 2);
	ext_begin(b, 0xff01);           /* bodies of renegotiation_info and ec_point_formats are not read */
	bb_u8(b, 0);
	bb_end(b);
	ext_begin(b, 23);
	bb_end(b);
	ext_begin(b, 35);
	bb_end(b);
	ext_begin(b, 16);
	bb_begin(b, 2);
	bb_begin(b, 1);
	bb_str(b, "h2");
	bb_end(b);
	bb_end(b);
	bb_end(b);
	ext_begin(b, 5);
	bb_end(b);
	ext_begin(b, 11);
	bb_u8(b, 1);
	bb_u8(b, 0);
	bb_end(b);
	bb_end(b);
}

static void build_server_hello13(struct bb *b)
{
	bb_u16(b, 0x0303);
	put_random(b, 0x60);
	bb_begin(b, 1);
	bb_fill(b, 0xa5, 32);
	bb_end(b);
	bb_u16(b, 0x1302);
	bb_u8(b, 0);
	bb_begin(b, 2);
	ext_begin(b, 43);
	bb_u16(b, 0x0304);
	bb_end(b);
	ext_begin(b, 51);
	bb_u16(b, 29);
	bb_begin(b, 2);
	bb_fill(b, 0x33, 32);
	bb_end(b);
	bb_end(b);
	ext_begin(b, 41);
	bb_u16(b, 0);
	bb_end(b);
	bb_end(b);
}

static void build_hrr(struct bb *b)
{
	bb_u16(b, 0x0303);
	bb_bytes(b, hrr_random, 32);
	bb_begin(b, 1);
	bb_fill(b, 0xa5, 32);
	bb_end(b);
	bb_u16(b, 0x1301);
	bb_u8(b, 0);
	bb_begin(b, 2);
	ext_begin(b, 43);
	bb_u16(b, 0x0304);
	bb_end(b);
	ext_begin(b, 51);
	bb_u16(b, 23);
	bb_end(b);
	ext_begin(b, 44);               /* cookie body not read */
	bb_u16(b, 6);
	bb_str(b, "cookie");
	bb_end(b);
	bb_end(b);
}

static void put_cert_entry(struct bb *b, const uint8_t *der, size_t n, bool tls13, bool status_ext)
{
	bb_begin(b, 3);
	bb_bytes(b, der, n);
	bb_end(b);
	if (tls13) {
		bb_begin(b, 2);
		if (status_ext) {       /* an OCSP status_request: its body is not read */
			bb_u16(b, 5);
			bb_u16(b, 24);
			bb_u8(b, 1);
			bb_u24(b, 20);
			bb_fill(b, 0x0c, 20);
		}
		bb_end(b);
	}
}

/* Certificate: leaf + CA (TLS 1.2 form, or 1.3 with context and extensions). */
static void build_certificate(struct bb *b, bool tls13)
{
	if (tls13) {
		bb_begin(b, 1);
		bb_end(b);
	}
	bb_begin(b, 3);
	put_cert_entry(b, server_der, server_len, tls13, true);
	put_cert_entry(b, ca_der, ca_len, tls13, false);
	bb_end(b);
}

static void build_client_certificate(struct bb *b)
{
	bb_begin(b, 3);
	put_cert_entry(b, client_der, client_len, false, false);
	bb_end(b);
}

/* CertificateRequest: TLS 1.2 adds supported_signature_algorithms. */
static void build_cert_request(struct bb *b, bool tls12, unsigned ndn)
{
	bb_begin(b, 1);
	bb_u8(b, 1);
	bb_u8(b, 64);
	bb_end(b);
	if (tls12) {
		bb_begin(b, 2);
		bb_u16(b, 0x0401);
		bb_u16(b, 0x0804);
		bb_u16(b, 0x0403);
		bb_end(b);
	}
	bb_begin(b, 2);
	for (unsigned i = 0; i < ndn; i++) {
		bb_begin(b, 2);
		bb_bytes(b, ca_name_der, ca_name_len);
		bb_end(b);
	}
	bb_end(b);
}

static void build_skx_ecdhe(struct bb *b, uint16_t scheme)
{
	bb_u8(b, 3);
	bb_u16(b, 23);
	bb_begin(b, 1);
	bb_u8(b, 4);
	bb_fill(b, 0x44, 64);
	bb_end(b);
	bb_u16(b, scheme);
	bb_begin(b, 2);
	bb_fill(b, 0x30, 72);
	bb_end(b);
}

/* DHE parameters: p of p_len bytes whose first byte is top (after zeros). */
static void build_skx_dhe(struct bb *b, size_t zeros, uint8_t top, size_t p_len, bool with_scheme)
{
	bb_begin(b, 2);
	bb_fill(b, 0, zeros);
	bb_u8(b, top);
	bb_fill(b, 0xff, p_len - zeros - 1);
	bb_end(b);
	bb_begin(b, 2);
	bb_u8(b, 2);
	bb_end(b);
	bb_begin(b, 2);
	bb_fill(b, 0x5d, p_len);
	bb_end(b);
	if (with_scheme)
		bb_u16(b, 0x0804);
	bb_begin(b, 2);
	bb_fill(b, 0x51, 256);
	bb_end(b);
}

static void build_cert_status(struct bb *b)
{
	bb_u8(b, 1);
	bb_begin(b, 3);
	bb_fill(b, 0x0c, 100);
	bb_end(b);
}

static void build_ticket(struct bb *b)
{
	bb_u32(b, 7200);
	bb_begin(b, 2);
	bb_fill(b, 0x71, 160);
	bb_end(b);
}

static void build_cert_verify(struct bb *b)
{
	bb_u16(b, 0x0403);
	bb_begin(b, 2);
	bb_fill(b, 0x30, 70);
	bb_end(b);
}

/* ---- parsing helpers ---- */

/* the analyzer's budget, for every connection of these tests */
static struct budget test_budget;

static const struct ts t0 = { 1700000000, 250000000 };

/* Parse a body placed right before a guard page. */
static void parse(struct session *s, int side, uint8_t type, const struct bb *b, uint64_t frame)
{
	struct guard g;
	const uint8_t *p = guard_put(&g, b->p, b->n);
	tls_parse_handshake(s, side, type, p, (uint32_t)b->n, frame, &t0);
	guard_free(&g);
}

/* A session whose ServerHello set the version and suite. */
static void setup_sh(struct session *s, uint16_t version, uint16_t suite)
{
	struct bb b;
	bb_init(&b);
	build_server_hello12(&b, version, suite, 0x77);
	tls_parse_handshake(s, SIDE_SERVER, HS_SERVER_HELLO, b.p, (uint32_t)b.n, 1, &t0);
	bb_free(&b);
}

static void setup_sh13(struct session *s)
{
	struct bb b;
	bb_init(&b);
	build_server_hello13(&b);
	tls_parse_handshake(s, SIDE_SERVER, HS_SERVER_HELLO, b.p, (uint32_t)b.n, 1, &t0);
	bb_free(&b);
}

static bool u16list_is(const struct u16list *l, const uint16_t *want, uint32_t n)
{
	if (l->n != n || l->total != n)
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (l->v[i] != want[i])
			return false;
	return true;
}
#define U16LIST_IS(l, ...) \
	u16list_is(l, (const uint16_t[]){ __VA_ARGS__ }, sizeof((const uint16_t[]){ __VA_ARGS__ }) / sizeof(uint16_t))

static void expect_no_events_line(const struct session *s, unsigned line)
{
	if (s->events_n == 0) {
		CU_assertImplementation(CU_TRUE, line, "no events", __FILE__, "", CU_FALSE);
		return;
	}
	unit_fail(__FILE__, line, "%u events, first %s (%s) at frame %llu", s->events_n, s->events[0].id,
		  s->events[0].detail, (unsigned long long)s->events[0].frame);
}
#define EXPECT_NO_EVENTS(s) expect_no_events_line(s, __LINE__)

/* ---- ClientHello ---- */

static void test_client_hello_every_field(void)
{
	struct session *s = session_new_for_test();
	struct bb b;
	bb_init(&b);
	build_client_hello(&b);
	parse(s, SIDE_CLIENT, HS_CLIENT_HELLO, &b, 7);
	const struct client_hello *ch = &s->ch;

	EXPECT_NO_EVENTS(s);
	CU_ASSERT_TRUE(ch->present);
	CU_ASSERT_FALSE(ch->sslv2);
	CU_ASSERT_EQUAL(ch->frame, 7);
	CU_ASSERT_EQUAL(ch->length, b.n);
	CU_ASSERT_EQUAL(ch->legacy_version, 0x0303);
	for (unsigned i = 0; i < 32; i++) {
		CU_ASSERT_EQUAL(ch->random[i], i);
		CU_ASSERT_EQUAL(ch->session_id[i], 0xa0 + i);
	}
	CU_ASSERT_EQUAL(ch->session_id_len, 32);
	CU_ASSERT_TRUE(U16LIST_IS(&ch->cipher_suites, 0x0a0a, 0x1301, 0x1302, 0xc02b, 0xc02f, 0x00ff, 0x5600));
	CU_ASSERT_EQUAL(ch->compression_n, 1);
	CU_ASSERT_EQUAL(ch->compression[0], 0);
	CU_ASSERT_TRUE(U16LIST_IS(&ch->extensions, 0x1a1a, 0, 5, 10, 11, 13, 50, 16, 23, 35, 43, 45, 51, 0xff01,
				  49, 42, 41));
	CU_ASSERT_TRUE(ch->has_sni);
	CU_ASSERT_EQUAL(ch->sni_len, 11);
	CU_ASSERT_STRING_EQUAL(ch->sni, "example.com");
	CU_ASSERT_FALSE(ch->sni_truncated);
	CU_ASSERT_TRUE(U16LIST_IS(&ch->supported_versions, 0x3a3a, 0x0304, 0x0303));
	CU_ASSERT_EQUAL(ch->max_version, 0x0304);
	CU_ASSERT_EQUAL_FATAL(ch->alpn.n, 2);
	CU_ASSERT_EQUAL(ch->alpn.total, 2);
	CU_ASSERT_EQUAL(ch->alpn.len[0], 2);
	CU_ASSERT_STRING_EQUAL(ch->alpn.v[0], "h2");
	CU_ASSERT_EQUAL(ch->alpn.len[1], 8);
	CU_ASSERT_STRING_EQUAL(ch->alpn.v[1], "http/1.1");
	CU_ASSERT_TRUE(U16LIST_IS(&ch->sig_algs, 0x0403, 0x0804, 0x0401));
	CU_ASSERT_TRUE(U16LIST_IS(&ch->sig_algs_cert, 0x0401));
	CU_ASSERT_TRUE(U16LIST_IS(&ch->groups, 0x2a2a, 29, 23, 24));
	CU_ASSERT_TRUE(U16LIST_IS(&ch->key_share_groups, 0x4a4a, 29));
	CU_ASSERT_EQUAL(ch->ec_point_formats_n, 3);
	CU_ASSERT_EQUAL(ch->ec_point_formats[0], 0);
	CU_ASSERT_EQUAL(ch->ec_point_formats[1], 1);
	CU_ASSERT_EQUAL(ch->ec_point_formats[2], 2);
	CU_ASSERT_EQUAL(ch->psk_modes_n, 1);
	CU_ASSERT_EQUAL(ch->psk_modes[0], 1);
	CU_ASSERT_TRUE(ch->status_request);
	CU_ASSERT_TRUE(ch->has_session_ticket);
	CU_ASSERT_EQUAL(ch->session_ticket_len, 16);
	CU_ASSERT_TRUE(ch->extended_master_secret);
	CU_ASSERT_TRUE(ch->renegotiation_info);
	CU_ASSERT_TRUE(ch->post_handshake_auth);
	CU_ASSERT_TRUE(ch->pre_shared_key);
	CU_ASSERT_TRUE(ch->early_data);
	CU_ASSERT_TRUE(ch->grease);
	CU_ASSERT_TRUE(ch->scsv_renegotiation);
	CU_ASSERT_TRUE(ch->scsv_fallback);
	CU_ASSERT_FALSE(s->ch2.present);
	CU_ASSERT_EQUAL(s->handshakes, 1);
	/* the timeline line */
	CU_ASSERT_EQUAL_FATAL(s->timeline_n, 1);
	const struct msg *m = &s->timeline[0];
	CU_ASSERT_EQUAL(m->frame, 7);
	CU_ASSERT_EQUAL(m->time.sec, t0.sec);
	CU_ASSERT_EQUAL(m->time.nsec, t0.nsec);
	CU_ASSERT_EQUAL(m->from, SIDE_CLIENT);
	CU_ASSERT_EQUAL(m->kind, MSG_HANDSHAKE);
	CU_ASSERT_EQUAL(m->hs_type, HS_CLIENT_HELLO);
	CU_ASSERT_EQUAL(m->length, b.n);
	CU_ASSERT_FALSE(m->hrr);
	CU_ASSERT_FALSE(m->sslv2);
	session_free(s);
	bb_free(&b);
}

static void test_client_hello_versions_without_extensions(void)
{
	struct session *s = session_new_for_test();
	struct bb b;
	bb_init(&b);
	build_small_client_hello(&b, 0);
	parse(s, SIDE_CLIENT, HS_CLIENT_HELLO, &b, 1);
	EXPECT_NO_EVENTS(s);
	CU_ASSERT_EQUAL(s->ch.max_version, 0x0303);
	CU_ASSERT_EQUAL(s->ch.session_id_len, 0);
	CU_ASSERT_EQUAL(s->ch.extensions.n, 0);
	CU_ASSERT_FALSE(s->ch.has_sni);
	CU_ASSERT_FALSE(s->ch.grease);
	session_free(s);

	/* supported_versions without 1.3: the highest wins */
	s = session_new_for_test();
	bb_reset(&b);
	build_small_client_hello(&b, 0);
	b.p[0] = 3;
	b.p[1] = 1;          /* legacy TLS 1.0 */
	bb_begin(&b, 2);
	ext_begin(&b, 43);
	bb_begin(&b, 1);
	bb_u16(&b, 0x0302);
	bb_u16(&b, 0x0303);
	bb_u16(&b, 0x0301);
	bb_end(&b);
	bb_end(&b);
	bb_end(&b);
	parse(s, SIDE_CLIENT, HS_CLIENT_HELLO, &b, 1);
	EXPECT_NO_EVENTS(s);
	CU_ASSERT_EQUAL(s->ch.legacy_version, 0x0301);
	CU_ASSERT_EQUAL(s->ch.max_version, 0x0303);
	session_free(s);
	bb_free(&b);
}

static void test_client_hello_long_sni_truncated(void)
{
	struct session *s = session_new_for_test();
	struct bb b;
	bb_init(&b);
	build_small_client_hello(&b, 0);
	bb_begin(&b, 2);
	ext_begin(&b, 0);
	bb_begin(&b, 2);
	bb_u8(&b, 0);
	bb_begin(&b, 2);
	bb_fill(&b, 'a', LIM_NAME_LEN + 100);
	bb_end(&b);
	bb_end(&b);
	bb_end(&b);
	bb_end(&b);
	parse(s, SIDE_CLIENT, HS_CLIENT_HELLO, &b, 3);
	CU_ASSERT_TRUE(s->ch.has_sni);
	CU_ASSERT_TRUE(s->ch.sni_truncated);
	CU_ASSERT_EQUAL(s->ch.sni_len, LIM_NAME_LEN);
	CU_ASSERT_EQUAL(strlen(s->ch.sni), LIM_NAME_LEN);
	CU_ASSERT_EQUAL(session_event_count(s, "tls.name_too_long"), 1);
	CU_ASSERT_EQUAL(s->events_n, 1);
	session_free(s);
	bb_free(&b);
}

/* ---- ServerHello, HelloRetryRequest ---- */

static void test_server_hello_tls12(void)
{
	struct session *s = session_new_for_test();
	struct bb b;
	bb_init(&b);
	build_server_hello12(&b, 0x0303, 0xc02f, 0x55);
	parse(s, SIDE_SERVER, HS_SERVER_HELLO, &b, 2);
	const struct server_hello *sh = &s->sh;
	EXPECT_NO_EVENTS(s);
	CU_ASSERT_TRUE(sh->present);
	CU_ASSERT_EQUAL(sh->frame, 2);
	CU_ASSERT_EQUAL(sh->length, b.n);
	CU_ASSERT_EQUAL(sh->legacy_version, 0x0303);
	CU_ASSERT_EQUAL(sh->version, 0x0303);
	for (unsigned i = 0; i < 32; i++) {
		CU_ASSERT_EQUAL(sh->random[i], 0x40 + i);
		CU_ASSERT_EQUAL(sh->session_id[i], 0x55);
	}
	CU_ASSERT_EQUAL(sh->session_id_len, 32);
	CU_ASSERT_EQUAL(sh->cipher_suite, 0xc02f);
	CU_ASSERT_EQUAL(sh->compression, 0);
	CU_ASSERT_TRUE(U16LIST_IS(&sh->extensions, 0xff01, 23, 35, 16, 5, 11));
	CU_ASSERT_TRUE(sh->has_alpn);
	CU_ASSERT_EQUAL(sh->alpn_len, 2);
	CU_ASSERT_EQUAL(memcmp(sh->alpn, "h2", 2), 0);
	CU_ASSERT_FALSE(sh->has_key_share);
	CU_ASSERT_FALSE(sh->pre_shared_key);
	CU_ASSERT_TRUE(sh->extended_master_secret);
	CU_ASSERT_TRUE(sh->renegotiation_info);
	CU_ASSERT_TRUE(sh->session_ticket);
	CU_ASSERT_TRUE(sh->status_request);
	CU_ASSERT_FALSE(s->tls13);
	CU_ASSERT_FALSE(s->resumed);
	CU_ASSERT_FALSE(s->hrr.present);
	CU_ASSERT_EQUAL_FATAL(s->timeline_n, 1);
	CU_ASSERT_EQUAL(s->timeline[0].from, SIDE_SERVER);
	CU_ASSERT_EQUAL(s->timeline[0].hs_type, HS_SERVER_HELLO);
	CU_ASSERT_FALSE(s->timeline[0].hrr);
	session_free(s);
	bb_free(&b);
}

/* The ServerHello echoing the ClientHello's session id resumes (TLS 1.2). */
static void test_server_hello_tls12_resumption(void)
{
	struct session *s = session_new_for_test();
	struct bb b;
	bb_init(&b);
	build_small_client_hello(&b, 0x55);
	parse(s, SIDE_CLIENT, HS_CLIENT_HELLO, &b, 1);
	bb_reset(&b);
	build_server_hello12(&b, 0x0303, 0xc02f, 0x55);
	parse(s, SIDE_SERVER, HS_SERVER_HELLO, &b, 2);
	CU_ASSERT_TRUE(s->resumed);
	EXPECT_NO_EVENTS(s);
	session_free(s);

	s = session_new_for_test();
	bb_reset(&b);
	build_small_client_hello(&b, 0x55);
	parse(s, SIDE_CLIENT, HS_CLIENT_HELLO, &b, 1);
	bb_reset(&b);
	build_server_hello12(&b, 0x0303, 0xc02f, 0x56);
	parse(s, SIDE_SERVER, HS_SERVER_HELLO, &b, 2);
	CU_ASSERT_FALSE(s->resumed);
	session_free(s);
	bb_free(&b);
}

static void test_server_hello_tls13_supported_versions(void)
{
	struct session *s = session_new_for_test();
	struct bb b;
	bb_init(&b);
	build_server_hello13(&b);
	parse(s, SIDE_SERVER, HS_SERVER_HELLO, &b, 2);
	const struct server_hello *sh = &s->sh;
	EXPECT_NO_EVENTS(s);
	CU_ASSERT_TRUE(sh->present);
	CU_ASSERT_EQUAL(sh->legacy_version, 0x0303);
	CU_ASSERT_EQUAL(sh->version, 0x0304);
	CU_ASSERT_EQUAL(sh->cipher_suite, 0x1302);
	CU_ASSERT_TRUE(U16LIST_IS(&sh->extensions, 43, 51, 41));
	CU_ASSERT_TRUE(sh->has_key_share);
	CU_ASSERT_EQUAL(sh->key_share_group, 29);
	CU_ASSERT_TRUE(sh->pre_shared_key);
	CU_ASSERT_FALSE(sh->has_alpn);
	CU_ASSERT_TRUE(s->tls13);
	CU_ASSERT_TRUE(s->resumed);
	session_free(s);
	bb_free(&b);
}

static void test_hello_retry_request(void)
{
	struct session *s = session_new_for_test();
	struct bb b;
	bb_init(&b);
	build_small_client_hello(&b, 0);
	parse(s, SIDE_CLIENT, HS_CLIENT_HELLO, &b, 1);
	bb_reset(&b);
	build_hrr(&b);
	parse(s, SIDE_SERVER, HS_SERVER_HELLO, &b, 2);
	EXPECT_NO_EVENTS(s);
	CU_ASSERT_TRUE(s->hrr.present);
	CU_ASSERT_EQUAL(s->hrr.frame, 2);
	CU_ASSERT_EQUAL(s->hrr.cipher_suite, 0x1301);
	CU_ASSERT_TRUE(s->hrr.has_group);
	CU_ASSERT_EQUAL(s->hrr.selected_group, 23);
	CU_ASSERT_TRUE(s->hrr.has_cookie);
	CU_ASSERT_TRUE(U16LIST_IS(&s->hrr.extensions, 43, 51, 44));
	CU_ASSERT_FALSE(s->sh.present);
	CU_ASSERT_TRUE(s->tls13);
	CU_ASSERT_EQUAL_FATAL(s->timeline_n, 2);
	CU_ASSERT_TRUE(s->timeline[1].hrr);
	/* the second ClientHello, then the real ServerHello */
	bb_reset(&b);
	build_client_hello(&b);
	parse(s, SIDE_CLIENT, HS_CLIENT_HELLO, &b, 3);
	CU_ASSERT_TRUE(s->ch2.present);
	CU_ASSERT_EQUAL(s->ch2.frame, 3);
	CU_ASSERT_TRUE(s->ch2.has_sni);
	CU_ASSERT_FALSE(s->ch.has_sni);
	CU_ASSERT_EQUAL(s->handshakes, 2);
	CU_ASSERT_FALSE(s->renegotiation);
	bb_reset(&b);
	build_server_hello13(&b);
	parse(s, SIDE_SERVER, HS_SERVER_HELLO, &b, 4);
	CU_ASSERT_TRUE(s->sh.present);
	CU_ASSERT_EQUAL(s->sh.frame, 4);
	CU_ASSERT_EQUAL(s->hrr.frame, 2);
	CU_ASSERT_FALSE(s->timeline[3].hrr);
	EXPECT_NO_EVENTS(s);
	session_free(s);
	bb_free(&b);
}

/* ---- Certificate ---- */

static void check_cert_entry(const struct cert_entry *e, const uint8_t *der, size_t len, const char *subject)
{
	uint8_t want[32];
	sha256(der, len, want);
	CU_ASSERT_EQUAL(e->der_len, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e->x509);
	CU_ASSERT_PTR_NOT_NULL(e->x509->x);
	CU_ASSERT_EQUAL(e->x509->der_len, len);
	CU_ASSERT_EQUAL(memcmp(e->x509->sha256, want, 32), 0);
	CU_ASSERT_STRING_EQUAL(e->x509->subject, subject);
}

static void test_certificate_tls12(void)
{
	struct session *s = session_new_for_test();
	struct bb b;
	bb_init(&b);
	setup_sh(s, 0x0303, 0xc02b);
	build_certificate(&b, false);
	parse(s, SIDE_SERVER, HS_CERTIFICATE, &b, 5);
	const struct chain *c = &s->server_chain;
	EXPECT_NO_EVENTS(s);
	CU_ASSERT_EQUAL(c->state, CHAIN_SEEN);
	CU_ASSERT_EQUAL(c->frame, 5);
	CU_ASSERT_EQUAL(c->msg_length, b.n);
	CU_ASSERT_EQUAL(c->list_length, b.n - 3);
	CU_ASSERT_EQUAL(c->list_length, 3 + server_len + 3 + ca_len);
	CU_ASSERT_EQUAL(c->count, 2);
	CU_ASSERT_EQUAL_FATAL(c->n, 2);
	check_cert_entry(&c->certs[0], server_der, server_len, "CN=server.example");
	check_cert_entry(&c->certs[1], ca_der, ca_len, "CN=Test CA");
	CU_ASSERT_EQUAL(s->client_chain.state, CHAIN_ABSENT);
	session_free(s);
	bb_free(&b);
}

static void test_certificate_tls13_form(void)
{
	struct session *s = session_new_for_test();
	struct bb b;
	bb_init(&b);
	setup_sh13(s);
	build_certificate(&b, true);
	parse(s, SIDE_SERVER, HS_CERTIFICATE, &b, 6);
	const struct chain *c = &s->server_chain;
	EXPECT_NO_EVENTS(s);
	CU_ASSERT_EQUAL(c->state, CHAIN_SEEN);
	CU_ASSERT_EQUAL(c->msg_length, b.n);
	CU_ASSERT_EQUAL(c->list_length, b.n - 1 - 3);
	CU_ASSERT_EQUAL(c->count, 2);
	CU_ASSERT_EQUAL_FATAL(c->n, 2);
	check_cert_entry(&c->certs[0], server_der, server_len, "CN=server.example");
	check_cert_entry(&c->certs[1], ca_der, ca_len, "CN=Test CA");
	session_free(s);
	bb_free(&b);
}

static void test_certificate_zero_length_entry_and_empty_list(void)
{
	struct session *s = session_new_for_test();
	struct bb b;
	bb_init(&b);
	setup_sh(s, 0x0303, 0xc02b);
	bb_begin(&b, 3);
	put_cert_entry(&b, server_der, server_len, false, false);
	put_cert_entry(&b, NULL, 0, false, false);
	bb_end(&b);
	parse(s, SIDE_SERVER, HS_CERTIFICATE, &b, 5);
	const struct chain *c = &s->server_chain;
	CU_ASSERT_EQUAL(c->state, CHAIN_SEEN);
	CU_ASSERT_EQUAL(c->count, 2);
	CU_ASSERT_EQUAL_FATAL(c->n, 2);
	CU_ASSERT_EQUAL(c->certs[1].der_len, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->certs[1].x509);
	CU_ASSERT_PTR_NULL(c->certs[1].x509->x);
	CU_ASSERT_EQUAL(session_event_count(s, "tls.empty_certificate"), 1);
	CU_ASSERT_EQUAL(session_event_count(s, "x509.parse_error"), 0);
	CU_ASSERT_EQUAL(s->events_n, 1);

	/* the client has no certificate: an empty list */
	bb_reset(&b);
	bb_begin(&b, 3);
	bb_end(&b);
	parse(s, SIDE_CLIENT, HS_CERTIFICATE, &b, 8);
	const struct chain *cc = &s->client_chain;
	CU_ASSERT_EQUAL(cc->state, CHAIN_SEEN);
	CU_ASSERT_EQUAL(cc->frame, 8);
	CU_ASSERT_EQUAL(cc->msg_length, 3);
	CU_ASSERT_EQUAL(cc->list_length, 0);
	CU_ASSERT_EQUAL(cc->count, 0);
	CU_ASSERT_EQUAL(cc->n, 0);
	CU_ASSERT_EQUAL(s->events_n, 1);
	session_free(s);
	bb_free(&b);
}

/* ---- CertificateRequest ---- */

/* A Certificate, one over LIM_HANDSHAKE_MSG (skipped), then another of the
 * same side, through the record layer: the first chain is kept whole (it
 * once left certs[0] NULL: fuzz/FINDINGS.md F4). */
static void test_certificate_after_oversized_certificate(void)
{
	struct bb stream, cert;
	bb_init(&stream);
	bb_init(&cert);
	build_certificate(&cert, false);
	for (int k = 0; k < 3; k++) {
		bb_u8(&stream, 11);
		if (k == 1) {
			bb_u24(&stream, LIM_HANDSHAKE_MSG + 1);
			bb_fill(&stream, 0x30, LIM_HANDSHAKE_MSG + 1);
		} else {
			bb_u24(&stream, (uint32_t)cert.n);
			bb_bytes(&stream, cert.p, cert.n);
		}
	}
	struct session *s = session_new_for_test();
	const bool mid[2] = { true, true };
	struct tls_conn *tc = tls_conn_new(s, mid, &test_budget);
	uint64_t frame = 1;
	for (size_t off = 0; off < stream.n; off += 16384, frame++) {
		size_t n = stream.n - off < 16384 ? stream.n - off : 16384;
		uint8_t hdr[5] = { 22, 3, 3, (uint8_t)(n >> 8), (uint8_t)n };
		tls_conn_data(tc, SIDE_SERVER, hdr, 5, frame, &t0);
		tls_conn_data(tc, SIDE_SERVER, stream.p + off, (uint32_t)n, frame, &t0);
	}
	tls_conn_free(tc);
	session_finish(s);
	const struct chain *ch = &s->server_chain;
	CU_ASSERT_EQUAL(ch->state, CHAIN_SEEN);
	CU_ASSERT_EQUAL(ch->frame, 1);
	CU_ASSERT_EQUAL(ch->n, 2);
	for (uint32_t i = 0; i < ch->n; i++)
		CU_ASSERT_PTR_NOT_NULL(ch->certs[i].x509);
	if (ch->n == 2 && ch->certs[0].x509 && ch->certs[1].x509) {
		check_cert_entry(&ch->certs[0], server_der, server_len, "CN=server.example");
		check_cert_entry(&ch->certs[1], ca_der, ca_len, "CN=Test CA");
	}
	session_free(s);
	bb_free(&stream);
	bb_free(&cert);
}

static void check_dns(const struct cert_request *cr, unsigned ndn)
{
	CU_ASSERT_EQUAL_FATAL(cr->dn_count, ndn);
	CU_ASSERT_EQUAL(cr->dn_bytes_len, ndn * (2 + ca_name_len));
	for (unsigned i = 0; i < ndn; i++) {
		CU_ASSERT_EQUAL(cr->dn_off[i], i * (2 + ca_name_len) + 2);
		CU_ASSERT_EQUAL(cr->dn_len[i], ca_name_len);
		CU_ASSERT_EQUAL(memcmp(cr->dn_bytes + cr->dn_off[i], ca_name_der, ca_name_len), 0);
		char *dn = x509_dn_string(cr->dn_bytes + cr->dn_off[i], cr->dn_len[i]);
		CU_ASSERT_PTR_NOT_NULL(dn);
		if (dn)
			CU_ASSERT_STRING_EQUAL(dn, "CN=Test CA");
		mem_free(dn);
	}
}

static void test_certificate_request_tls10_11_form(void)
{
	for (uint16_t v = 0x0301; v <= 0x0302; v++) {
		struct session *s = session_new_for_test();
		struct bb b;
		bb_init(&b);
		setup_sh(s, v, 0xc013);
		build_cert_request(&b, false, 2);
		parse(s, SIDE_SERVER, HS_CERTIFICATE_REQUEST, &b, 4);
		const struct cert_request *cr = &s->cr;
		EXPECT_NO_EVENTS(s);
		CU_ASSERT_TRUE(cr->present);
		CU_ASSERT_EQUAL(cr->frame, 4);
		CU_ASSERT_EQUAL(cr->length, b.n);
		CU_ASSERT_EQUAL(cr->cert_types_n, 2);
		CU_ASSERT_EQUAL(cr->cert_types_total, 2);
		CU_ASSERT_EQUAL(cr->cert_types[0], 1);
		CU_ASSERT_EQUAL(cr->cert_types[1], 64);
		CU_ASSERT_FALSE(cr->has_sig_algs);
		CU_ASSERT_EQUAL(cr->sig_algs.n, 0);
		check_dns(cr, 2);
		session_free(s);
		bb_free(&b);
	}
}

static void test_certificate_request_tls12_form(void)
{
	struct session *s = session_new_for_test();
	struct bb b;
	bb_init(&b);
	setup_sh(s, 0x0303, 0xc02b);
	build_cert_request(&b, true, 3);
	parse(s, SIDE_SERVER, HS_CERTIFICATE_REQUEST, &b, 4);
	const struct cert_request *cr = &s->cr;
	EXPECT_NO_EVENTS(s);
	CU_ASSERT_TRUE(cr->present);
	CU_ASSERT_EQUAL(cr->length, b.n);
	CU_ASSERT_EQUAL(cr->cert_types_n, 2);
	CU_ASSERT_TRUE(cr->has_sig_algs);
	CU_ASSERT_TRUE(U16LIST_IS(&cr->sig_algs, 0x0401, 0x0804, 0x0403));
	check_dns(cr, 3);
	/* a second CertificateRequest (renegotiation) does not replace it */
	bb_reset(&b);
	build_cert_request(&b, true, 0);
	parse(s, SIDE_SERVER, HS_CERTIFICATE_REQUEST, &b, 9);
	CU_ASSERT_EQUAL(cr->frame, 4);
	CU_ASSERT_EQUAL(cr->dn_count, 3);
	session_free(s);

	/* no names at all */
	s = session_new_for_test();
	setup_sh(s, 0x0303, 0xc02b);
	bb_reset(&b);
	build_cert_request(&b, true, 0);
	parse(s, SIDE_SERVER, HS_CERTIFICATE_REQUEST, &b, 4);
	EXPECT_NO_EVENTS(s);
	CU_ASSERT_EQUAL(s->cr.dn_count, 0);
	CU_ASSERT_EQUAL(s->cr.dn_bytes_len, 0);
	session_free(s);
	bb_free(&b);
}

/* ---- ServerKeyExchange ---- */

static void test_server_key_exchange_ecdhe(void)
{
	struct session *s = session_new_for_test();
	struct bb b;
	bb_init(&b);
	setup_sh(s, 0x0303, 0xc02f);
	build_skx_ecdhe(&b, 0x0804);
	parse(s, SIDE_SERVER, HS_SERVER_KEY_EXCHANGE, &b, 3);
	const struct server_key_exchange *k = &s->skx;
	EXPECT_NO_EVENTS(s);
	CU_ASSERT_TRUE(k->present);
	CU_ASSERT_EQUAL(k->frame, 3);
	CU_ASSERT_EQUAL(k->length, b.n);
	CU_ASSERT_EQUAL(k->kind, SKX_ECDHE);
	CU_ASSERT_EQUAL(k->curve_type, 3);
	CU_ASSERT_EQUAL(k->group, 23);
	CU_ASSERT_EQUAL(k->dh_p_bits, 0);
	CU_ASSERT_TRUE(k->has_sig_scheme);
	CU_ASSERT_EQUAL(k->sig_scheme, 0x0804);
	session_free(s);
	bb_free(&b);
}

static void test_server_key_exchange_dhe(void)
{
	struct session *s = session_new_for_test();
	struct bb b;
	bb_init(&b);
	setup_sh(s, 0x0303, 0x009e);   /* TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 */
	build_skx_dhe(&b, 0, 0xc7, 256, true);
	parse(s, SIDE_SERVER, HS_SERVER_KEY_EXCHANGE, &b, 3);
	const struct server_key_exchange *k = &s->skx;
	EXPECT_NO_EVENTS(s);
	CU_ASSERT_EQUAL(k->kind, SKX_DHE);
	CU_ASSERT_EQUAL(k->dh_p_bits, 2048);
	CU_ASSERT_EQUAL(k->group, 0);
	CU_ASSERT_TRUE(k->has_sig_scheme);
	CU_ASSERT_EQUAL(k->sig_scheme, 0x0804);
	session_free(s);

	/* leading zero bytes do not count; TLS 1.1 has no signature scheme */
	s = session_new_for_test();
	setup_sh(s, 0x0302, 0x0033);   /* TLS_DHE_RSA_WITH_AES_128_CBC_SHA */
	bb_reset(&b);
	build_skx_dhe(&b, 1, 0x01, 129, false);
	parse(s, SIDE_SERVER, HS_SERVER_KEY_EXCHANGE, &b, 3);
	EXPECT_NO_EVENTS(s);
	CU_ASSERT_EQUAL(s->skx.kind, SKX_DHE);
	CU_ASSERT_EQUAL(s->skx.dh_p_bits, 127 * 8 + 1);
	CU_ASSERT_FALSE(s->skx.has_sig_scheme);
	session_free(s);
	bb_free(&b);
}

static void test_server_key_exchange_without_server_hello_or_explicit_curve(void)
{
	struct session *s = session_new_for_test();
	struct bb b;
	bb_init(&b);
	build_skx_ecdhe(&b, 0x0403);
	parse(s, SIDE_SERVER, HS_SERVER_KEY_EXCHANGE, &b, 3);
	CU_ASSERT_TRUE(s->skx.present);
	CU_ASSERT_EQUAL(s->skx.kind, SKX_OTHER);   /* format unknown without the suite */
	CU_ASSERT_FALSE(s->skx.has_sig_scheme);
	EXPECT_NO_EVENTS(s);
	session_free(s);

	s = session_new_for_test();
	setup_sh(s, 0x0303, 0xc02b);
	bb_reset(&b);
	bb_u8(&b, 1);   /* explicit_prime */
	bb_fill(&b, 0, 40);
	parse(s, SIDE_SERVER, HS_SERVER_KEY_EXCHANGE, &b, 3);
	CU_ASSERT_EQUAL(s->skx.kind, SKX_ECDHE);
	CU_ASSERT_EQUAL(s->skx.curve_type, 1);
	CU_ASSERT_EQUAL(session_event_count(s, "tls.explicit_curve"), 1);
	session_free(s);
	bb_free(&b);
}

/* ---- the smaller messages ---- */

static void test_certificate_status_ticket_verify_done(void)
{
	struct session *s = session_new_for_test();
	struct bb b;
	bb_init(&b);
	setup_sh(s, 0x0303, 0xc02b);
	build_cert_status(&b);
	parse(s, SIDE_SERVER, HS_CERTIFICATE_STATUS, &b, 3);
	CU_ASSERT_TRUE(s->cert_status.present);
	CU_ASSERT_EQUAL(s->cert_status.frame, 3);
	CU_ASSERT_EQUAL(s->cert_status.status_type, 1);
	CU_ASSERT_EQUAL(s->cert_status.response_len, 100);

	bb_reset(&b);
	build_ticket(&b);
	parse(s, SIDE_SERVER, HS_NEW_SESSION_TICKET, &b, 9);
	CU_ASSERT_TRUE(s->ticket.present);
	CU_ASSERT_EQUAL(s->ticket.frame, 9);
	CU_ASSERT_EQUAL(s->ticket.lifetime_hint, 7200);
	CU_ASSERT_EQUAL(s->ticket.ticket_len, 160);

	bb_reset(&b);
	build_cert_verify(&b);
	parse(s, SIDE_CLIENT, HS_CERTIFICATE_VERIFY, &b, 6);
	CU_ASSERT_TRUE(s->cv.present);
	CU_ASSERT_EQUAL(s->cv.frame, 6);
	CU_ASSERT_TRUE(s->cv.has_sig_scheme);
	CU_ASSERT_EQUAL(s->cv.sig_scheme, 0x0403);

	bb_reset(&b);
	parse(s, SIDE_SERVER, HS_SERVER_HELLO_DONE, &b, 4);
	CU_ASSERT_TRUE(s->server_hello_done);
	CU_ASSERT_EQUAL(s->server_hello_done_frame, 4);
	bb_fill(&b, 0x41, 66);
	parse(s, SIDE_CLIENT, HS_CLIENT_KEY_EXCHANGE, &b, 5);
	CU_ASSERT_TRUE(s->client_key_exchange);
	CU_ASSERT_EQUAL(s->client_key_exchange_frame, 5);
	EXPECT_NO_EVENTS(s);
	CU_ASSERT_EQUAL(s->timeline_n, 6);
	session_free(s);

	/* a TLS 1.3 NewSessionTicket (seen decrypted) has another form:
	 * lifetime, age_add, nonce, ticket, extensions (RFC 8446 §4.6.1) */
	s = session_new_for_test();
	setup_sh13(s);
	bb_reset(&b);
	bb_u32(&b, 300);
	bb_u32(&b, 0x12345678);
	bb_begin(&b, 1);
	bb_fill(&b, 0x00, 8);
	bb_end(&b);
	bb_begin(&b, 2);
	bb_fill(&b, 0x71, 160);
	bb_end(&b);
	bb_u16(&b, 0);
	parse(s, SIDE_SERVER, HS_NEW_SESSION_TICKET, &b, 9);
	CU_ASSERT_TRUE(s->ticket.present);
	CU_ASSERT_EQUAL(s->ticket.lifetime_hint, 300);
	CU_ASSERT_EQUAL(s->ticket.ticket_len, 160);
	CU_ASSERT_EQUAL(s->tickets13, 1);
	EXPECT_NO_EVENTS(s);
	session_free(s);
	/* ... and the TLS 1.2 form is not one */
	s = session_new_for_test();
	setup_sh13(s);
	bb_reset(&b);
	build_ticket(&b);
	parse(s, SIDE_SERVER, HS_NEW_SESSION_TICKET, &b, 9);
	CU_ASSERT_EQUAL(s->events_n, 1);
	CU_ASSERT_STRING_EQUAL(s->events[0].id, "tls.malformed");
	session_free(s);
	bb_free(&b);
}

/* ---- malformed messages ---- */

struct malformed_case {
	const char *name;
	uint8_t type;
	int side;
	void (*setup)(struct session *s);
	void (*build)(struct bb *b);
};

static void setup_none(struct session *s) { (void)s; }
static void setup_tls12_ecdhe(struct session *s) { setup_sh(s, 0x0303, 0xc02b); }
static void setup_tls12_dhe(struct session *s) { setup_sh(s, 0x0303, 0x009e); }
static void setup_tls11(struct session *s) { setup_sh(s, 0x0302, 0xc013); }
static void build_sh12(struct bb *b) { build_server_hello12(b, 0x0303, 0xc02f, 0x55); }
static void build_cert12(struct bb *b) { build_certificate(b, false); }
static void build_cert13(struct bb *b) { build_certificate(b, true); }
static void build_cr11(struct bb *b) { build_cert_request(b, false, 2); }
static void build_cr12(struct bb *b) { build_cert_request(b, true, 2); }
static void build_skx_e(struct bb *b) { build_skx_ecdhe(b, 0x0403); }
static void build_skx_d(struct bb *b) { build_skx_dhe(b, 0, 0x80, 128, true); }

static const struct malformed_case malformed_cases[] = {
	{ "ClientHello", HS_CLIENT_HELLO, SIDE_CLIENT, setup_none, build_client_hello },
	{ "ServerHello 1.2", HS_SERVER_HELLO, SIDE_SERVER, setup_none, build_sh12 },
	{ "ServerHello 1.3", HS_SERVER_HELLO, SIDE_SERVER, setup_none, build_server_hello13 },
	{ "HelloRetryRequest", HS_SERVER_HELLO, SIDE_SERVER, setup_none, build_hrr },
	{ "Certificate 1.2", HS_CERTIFICATE, SIDE_SERVER, setup_tls12_ecdhe, build_cert12 },
	{ "Certificate 1.3", HS_CERTIFICATE, SIDE_SERVER, setup_sh13, build_cert13 },
	{ "CertificateRequest 1.1", HS_CERTIFICATE_REQUEST, SIDE_SERVER, setup_tls11, build_cr11 },
	{ "CertificateRequest 1.2", HS_CERTIFICATE_REQUEST, SIDE_SERVER, setup_tls12_ecdhe, build_cr12 },
	{ "ServerKeyExchange ECDHE", HS_SERVER_KEY_EXCHANGE, SIDE_SERVER, setup_tls12_ecdhe, build_skx_e },
	{ "ServerKeyExchange DHE", HS_SERVER_KEY_EXCHANGE, SIDE_SERVER, setup_tls12_dhe, build_skx_d },
	{ "CertificateStatus", HS_CERTIFICATE_STATUS, SIDE_SERVER, setup_tls12_ecdhe, build_cert_status },
	{ "NewSessionTicket", HS_NEW_SESSION_TICKET, SIDE_SERVER, setup_tls12_ecdhe, build_ticket },
	{ "CertificateVerify", HS_CERTIFICATE_VERIFY, SIDE_CLIENT, setup_tls12_ecdhe, build_cert_verify },
};

static unsigned anomaly_events(const struct session *s)
{
	return session_event_count(s, "tls.malformed") + session_event_count(s, "tls.trailing_bytes");
}

/* Every length field the parser reads, in every message, one longer and
 * one shorter than the truth: an event (tls.malformed or
 * tls.trailing_bytes), never a crash or a read past the body (which sits
 * before a guard page). Bodies of extensions the parser only notes as
 * present are written as untracked bytes: it does not read them. */
static void check_every_length_field(const struct malformed_case *mc)
{
	struct bb good;
	unsigned silent = 0;
	char where[300] = "";
	bb_init(&good);
	mc->build(&good);
	/* the unmodified message is clean */
	struct session *s = session_new_for_test();
	mc->setup(s);
	parse(s, mc->side, mc->type, &good, 2);
	if (s->events_n)
		UNIT_FAIL("%s: clean message gave event %s", mc->name, s->events[0].id);
	session_free(s);
	for (unsigned i = 0; i < good.nlens; i++) {
		for (int delta = -1; delta <= 1; delta += 2) {
			struct bb bad;
			bb_init(&bad);
			bb_append(&bad, &good);
			uint32_t v = bb_len_get(&bad, i);
			bb_len_set(&bad, i, v + (uint32_t)delta);   /* 0 - 1 wraps to the maximum */
			s = session_new_for_test();
			mc->setup(s);
			parse(s, mc->side, mc->type, &bad, 2);
			if (anomaly_events(s) == 0) {
				size_t w = strlen(where);
				if (silent++ < 6 && w + 40 < sizeof where)
					snprintf(where + w, sizeof where - w, "%s@%zu(%u)%+d", w ? ", " : "",
						 good.len_at[i], v, delta);
			}
			session_free(s);
			bb_free(&bad);
		}
	}
	if (silent)
		UNIT_FAIL("%s: %u of %u corrupted lengths gave no event: byte@offset(value)delta %s", mc->name,
			  silent, 2 * good.nlens, where);
	else
		CU_PASS("every corrupted length gave an event");
	bb_free(&good);
}

#define LENGTH_TEST(fn, i) \
	static void fn(void) { check_every_length_field(&malformed_cases[i]); }
LENGTH_TEST(test_lengths_client_hello, 0)
LENGTH_TEST(test_lengths_server_hello12, 1)
LENGTH_TEST(test_lengths_server_hello13, 2)
LENGTH_TEST(test_lengths_hello_retry_request, 3)
LENGTH_TEST(test_lengths_certificate12, 4)
LENGTH_TEST(test_lengths_certificate13, 5)
LENGTH_TEST(test_lengths_cert_request11, 6)
LENGTH_TEST(test_lengths_cert_request12, 7)
LENGTH_TEST(test_lengths_skx_ecdhe, 8)
LENGTH_TEST(test_lengths_skx_dhe, 9)
LENGTH_TEST(test_lengths_cert_status, 10)
LENGTH_TEST(test_lengths_ticket, 11)
LENGTH_TEST(test_lengths_cert_verify, 12)

/* Every prefix of every message: no crash, no read past the end. */
static void test_every_message_prefix_is_safe(void)
{
	for (size_t c = 0; c < sizeof malformed_cases / sizeof malformed_cases[0]; c++) {
		const struct malformed_case *mc = &malformed_cases[c];
		struct bb good;
		bb_init(&good);
		mc->build(&good);
		for (size_t n = 0; n < good.n; n++) {
			struct bb cut;
			bb_init(&cut);
			bb_bytes(&cut, good.p, n);
			struct session *s = session_new_for_test();
			mc->setup(s);
			parse(s, mc->side, mc->type, &cut, 2);
			session_free(s);
			bb_free(&cut);
		}
		bb_free(&good);
	}
	CU_PASS("no crash");
}

/* ---- a whole connection from byte streams ---- */

/* One captured TCP payload: the bytes one side sent in one frame. */
struct pkt {
	int side;
	uint64_t frame;
	struct bb b;
};

struct conv {
	struct pkt pkt[16];
	unsigned n;
	size_t total;
};

static struct bb *conv_pkt(struct conv *c, int side, uint64_t frame)
{
	struct pkt *p = &c->pkt[c->n++];
	p->side = side;
	p->frame = frame;
	bb_init(&p->b);
	return &p->b;
}

static void conv_free(struct conv *c)
{
	for (unsigned i = 0; i < c->n; i++)
		bb_free(&c->pkt[i].b);
	c->n = 0;
}

static void put_hs(struct bb *out, uint8_t type, void (*build)(struct bb *))
{
	struct bb body;
	bb_init(&body);
	build(&body);
	bb_u8(out, type);
	bb_u24(out, (uint32_t)body.n);
	bb_bytes(out, body.p, body.n);
	bb_free(&body);
}

static void put_rec(struct bb *out, uint8_t type, uint16_t version, const uint8_t *p, size_t n)
{
	bb_u8(out, type);
	bb_u16(out, version);
	bb_u16(out, (unsigned)n);
	bb_bytes(out, p, n);
}

static void build_sh_conv(struct bb *b) { build_server_hello12(b, 0x0303, 0xc02b, 0x99); }
static void build_skx_conv(struct bb *b) { build_skx_ecdhe(b, 0x0403); }
static void build_cr_conv(struct bb *b) { build_cert_request(b, true, 1); }
static void build_empty(struct bb *b) { (void)b; }
static void build_cke(struct bb *b)
{
	bb_begin(b, 1);
	bb_u8(b, 4);
	bb_fill(b, 0x43, 64);
	bb_end(b);
}

/* A TLS 1.2 handshake with client authentication:
 *  f1 C  ClientHello
 *  f2 S  [ServerHello + 2 bytes of Certificate] [300 more bytes] [start of the rest
 *  f3 S  ... Certificate end, ServerKeyExchange, CertificateRequest, ServerHelloDone]
 *  f4 C  [Certificate] [ClientKeyExchange + CertificateVerify] [CCS] [encrypted Finished]
 * then either
 *  f5 S  fatal bad_certificate alert                             (completed = false)
 * or
 *  f5 S  [CCS] [encrypted Finished]; f6 C app data; f7 S app data; f8 C encrypted alert. */
static void build_mtls_conversation(struct conv *c, bool completed)
{
	struct bb hs, *p;
	static const uint8_t ccs[1] = { 1 }, fatal[2] = { 2, 42 };
	uint8_t opaque[200];
	memset(opaque, 0xe7, sizeof opaque);
	memset(c, 0, sizeof *c);
	bb_init(&hs);

	p = conv_pkt(c, SIDE_CLIENT, 1);
	put_hs(&hs, HS_CLIENT_HELLO, build_client_hello);
	put_rec(p, 22, 0x0301, hs.p, hs.n);

	bb_reset(&hs);
	put_hs(&hs, HS_SERVER_HELLO, build_sh_conv);
	size_t sh_len = hs.n;
	put_hs(&hs, HS_CERTIFICATE, build_cert12);
	put_hs(&hs, HS_SERVER_KEY_EXCHANGE, build_skx_conv);
	put_hs(&hs, HS_CERTIFICATE_REQUEST, build_cr_conv);
	put_hs(&hs, HS_SERVER_HELLO_DONE, build_empty);
	struct bb rc;
	bb_init(&rc);
	put_rec(&rc, 22, 0x0303, hs.p + sh_len + 302, hs.n - sh_len - 302);
	p = conv_pkt(c, SIDE_SERVER, 2);
	put_rec(p, 22, 0x0303, hs.p, sh_len + 2);
	put_rec(p, 22, 0x0303, hs.p + sh_len + 2, 300);
	bb_bytes(p, rc.p, 10);
	p = conv_pkt(c, SIDE_SERVER, 3);
	bb_bytes(p, rc.p + 10, rc.n - 10);
	bb_free(&rc);

	p = conv_pkt(c, SIDE_CLIENT, 4);
	bb_reset(&hs);
	put_hs(&hs, HS_CERTIFICATE, build_client_certificate);
	put_rec(p, 22, 0x0303, hs.p, hs.n);
	bb_reset(&hs);
	put_hs(&hs, HS_CLIENT_KEY_EXCHANGE, build_cke);
	put_hs(&hs, HS_CERTIFICATE_VERIFY, build_cert_verify);
	put_rec(p, 22, 0x0303, hs.p, hs.n);
	put_rec(p, 20, 0x0303, ccs, 1);
	put_rec(p, 22, 0x0303, opaque, 40);

	if (!completed) {
		p = conv_pkt(c, SIDE_SERVER, 5);
		put_rec(p, 21, 0x0303, fatal, 2);
	} else {
		p = conv_pkt(c, SIDE_SERVER, 5);
		put_rec(p, 20, 0x0303, ccs, 1);
		put_rec(p, 22, 0x0303, opaque, 40);
		p = conv_pkt(c, SIDE_CLIENT, 6);
		put_rec(p, 23, 0x0303, opaque, 100);
		p = conv_pkt(c, SIDE_SERVER, 7);
		put_rec(p, 23, 0x0303, opaque, 200);
		put_rec(p, 23, 0x0303, opaque, 50);
		p = conv_pkt(c, SIDE_CLIENT, 8);
		put_rec(p, 21, 0x0303, opaque, 26);
	}
	bb_free(&hs);
	for (unsigned i = 0; i < c->n; i++)
		c->total += c->pkt[i].b.n;
}

/* Feed a conversation: each packet in chunks of `chunk` bytes (0: whole),
 * also split at global offset `cut`; stop after `stop` bytes in all. Every
 * piece sits before a guard page. Returns the finished session. */
static struct session *run_conv(const struct conv *c, size_t chunk, size_t cut, size_t stop)
{
	struct session *s = session_new_for_test();
	const bool mid[2] = { false, false };
	struct tls_conn *tc = tls_conn_new(s, mid, &test_budget);
	struct guard g = { 0 };
	size_t global = 0;
	for (unsigned i = 0; i < c->n && global < stop; i++) {
		const struct pkt *pk = &c->pkt[i];
		struct ts t = { 1700000000 + (int64_t)pk->frame, (uint32_t)pk->frame * 1000 };
		size_t off = 0;
		while (off < pk->b.n && global < stop) {
			size_t n = pk->b.n - off;
			if (chunk && n > chunk)
				n = chunk;
			if (cut > global && cut < global + n)
				n = cut - global;
			if (n > stop - global)
				n = stop - global;
			const uint8_t *q = guard_move(&g, pk->b.p + off, n);
			tls_conn_data(tc, pk->side, q, (uint32_t)n, pk->frame, &t);
			off += n;
			global += n;
		}
	}
	guard_free(&g);
	tls_conn_free(tc);
	session_finish(s);
	return s;
}

static void hex_of(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* Every fact a report could show, as text: equal texts, equal facts. */
static char *facts(const struct session *s, char **timeline_only)
{
	char *buf = NULL, *tl = NULL;
	size_t len = 0, tllen = 0;
	FILE *f = open_memstream(&buf, &len), *ft = open_memstream(&tl, &tllen);
	for (uint32_t i = 0; i < s->timeline_n; i++) {
		const struct msg *m = &s->timeline[i];
		fprintf(ft, "msg f%llu t%lld.%u from%u kind%u hs%u hrr%d v2%d lvl%u desc%u len%u\n",
			(unsigned long long)m->frame, (long long)m->time.sec, m->time.nsec, m->from, m->kind,
			m->hs_type, m->hrr, m->sslv2, m->level, m->desc, m->length);
	}
	fclose(ft);
	fputs(tl, f);
	fprintf(f, "timeline dropped %u\n", s->timeline_dropped);
	for (uint32_t i = 0; i < s->alerts_n; i++) {
		const struct alert *a = &s->alerts[i];
		fprintf(f, "alert f%llu from%u enc%d lvl%u desc%u\n", (unsigned long long)a->frame, a->from,
			a->encrypted, a->level, a->desc);
	}
	for (uint32_t i = 0; i < s->events_n; i++)
		fprintf(f, "event f%llu %s %s\n", (unsigned long long)s->events[i].frame, s->events[i].id,
			s->events[i].detail);
	const struct chain *chains[2] = { &s->client_chain, &s->server_chain };
	for (int k = 0; k < 2; k++) {
		const struct chain *c = chains[k];
		fprintf(f, "chain%d state%u f%llu msg%u list%u count%u n%u\n", k, c->state,
			(unsigned long long)c->frame, c->msg_length, c->list_length, c->count, c->n);
		for (uint32_t i = 0; i < c->n; i++) {
			char h[65];
			hex_of(h, c->certs[i].x509->sha256, 32);
			fprintf(f, "  cert %u %s %s\n", c->certs[i].der_len, h, c->certs[i].x509->subject);
		}
	}
	fprintf(f, "ch %d f%llu len%u suites%u exts%u sni%s\n", s->ch.present, (unsigned long long)s->ch.frame,
		s->ch.length, s->ch.cipher_suites.n, s->ch.extensions.n, s->ch.sni ? s->ch.sni : "-");
	fprintf(f, "sh %d f%llu v%04x cs%04x\n", s->sh.present, (unsigned long long)s->sh.frame, s->sh.version,
		s->sh.cipher_suite);
	fprintf(f, "cr %d f%llu types%u algs%u dn%u/%u\n", s->cr.present, (unsigned long long)s->cr.frame,
		s->cr.cert_types_n, s->cr.sig_algs.n, s->cr.dn_count, s->cr.dn_bytes_len);
	fprintf(f, "skx %d f%llu kind%u group%u sig%04x\n", s->skx.present, (unsigned long long)s->skx.frame,
		s->skx.kind, s->skx.group, s->skx.sig_scheme);
	fprintf(f, "cv %d f%llu sig%04x shd%d/%llu cke%d/%llu\n", s->cv.present, (unsigned long long)s->cv.frame,
		s->cv.sig_scheme, s->server_hello_done, (unsigned long long)s->server_hello_done_frame,
		s->client_key_exchange, (unsigned long long)s->client_key_exchange_frame);
	for (int k = 0; k < 2; k++) {
		const struct direction *d = &s->dir[k];
		fprintf(f, "dir%d tls%d nottls%d ccs%d/%llu enc%u/%llu app%llu/%llu/%llu-%llu\n", k, d->spoke_tls,
			d->not_tls, d->ccs, (unsigned long long)d->ccs_frame, d->enc_handshake_records,
			(unsigned long long)d->enc_handshake_frame, (unsigned long long)d->appdata_records,
			(unsigned long long)d->appdata_bytes, (unsigned long long)d->appdata_first_frame,
			(unsigned long long)d->appdata_last_frame);
	}
	fprintf(f, "tls%d rv%04x tls13 %d resumed%d reneg%d hs%u outcome %s done%d%d/%llu\n", s->is_tls,
		s->record_version, s->tls13, s->resumed, s->renegotiation, s->handshakes, outcome_name(s->outcome),
		s->handshake_done[0], s->handshake_done[1], (unsigned long long)s->handshake_done_frame);
	fclose(f);
	if (timeline_only)
		*timeline_only = tl;
	else
		free(tl);
	return buf;
}

static void check_msg_line(const struct session *s, uint32_t i, uint64_t frame, int from, int kind, int hs_type,
			   unsigned line)
{
	if (i >= s->timeline_n) {
		unit_fail(__FILE__, line, "timeline has %u entries, want entry %u", s->timeline_n, i);
		return;
	}
	const struct msg *m = &s->timeline[i];
	bool ok = m->frame == frame && m->from == from && m->kind == kind && (hs_type < 0 || m->hs_type == hs_type);
	if (!ok)
		unit_fail(__FILE__, line, "timeline[%u] = f%llu from %u kind %u hs %u", i, (unsigned long long)m->frame,
			  m->from, m->kind, m->hs_type);
	else
		CU_assertImplementation(CU_TRUE, line, "timeline", __FILE__, "", CU_FALSE);
}
#define CHECK_MSG(s, i, frame, from, kind, hs) check_msg_line(s, i, frame, from, kind, hs, __LINE__)

static void check_chain_hashes(const struct chain *c, const uint8_t *const *ders, const size_t *lens, uint32_t n)
{
	CU_ASSERT_EQUAL_FATAL(c->n, n);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t want[32];
		sha256(ders[i], lens[i], want);
		CU_ASSERT_EQUAL(memcmp(c->certs[i].x509->sha256, want, 32), 0);
		CU_ASSERT_EQUAL(c->certs[i].der_len, lens[i]);
	}
}

static void test_connection_tls12_mtls_rejected(void)
{
	struct conv c;
	build_mtls_conversation(&c, false);
	struct session *s = run_conv(&c, 0, SIZE_MAX, SIZE_MAX);
	EXPECT_NO_EVENTS(s);
	CU_ASSERT_EQUAL(s->timeline_n, 12);
	CHECK_MSG(s, 0, 1, SIDE_CLIENT, MSG_HANDSHAKE, HS_CLIENT_HELLO);
	CHECK_MSG(s, 1, 2, SIDE_SERVER, MSG_HANDSHAKE, HS_SERVER_HELLO);
	CHECK_MSG(s, 2, 3, SIDE_SERVER, MSG_HANDSHAKE, HS_CERTIFICATE);
	CHECK_MSG(s, 3, 3, SIDE_SERVER, MSG_HANDSHAKE, HS_SERVER_KEY_EXCHANGE);
	CHECK_MSG(s, 4, 3, SIDE_SERVER, MSG_HANDSHAKE, HS_CERTIFICATE_REQUEST);
	CHECK_MSG(s, 5, 3, SIDE_SERVER, MSG_HANDSHAKE, HS_SERVER_HELLO_DONE);
	CHECK_MSG(s, 6, 4, SIDE_CLIENT, MSG_HANDSHAKE, HS_CERTIFICATE);
	CHECK_MSG(s, 7, 4, SIDE_CLIENT, MSG_HANDSHAKE, HS_CLIENT_KEY_EXCHANGE);
	CHECK_MSG(s, 8, 4, SIDE_CLIENT, MSG_HANDSHAKE, HS_CERTIFICATE_VERIFY);
	CHECK_MSG(s, 9, 4, SIDE_CLIENT, MSG_CCS, -1);
	CHECK_MSG(s, 10, 4, SIDE_CLIENT, MSG_ENC_HANDSHAKE, -1);
	CHECK_MSG(s, 11, 5, SIDE_SERVER, MSG_ALERT, -1);
	if (s->timeline_n == 12) {
		CU_ASSERT_EQUAL(s->timeline[10].length, 40);
		CU_ASSERT_EQUAL(s->timeline[11].level, 2);
		CU_ASSERT_EQUAL(s->timeline[11].desc, 42);
		CU_ASSERT_EQUAL(s->timeline[5].length, 0);
		CU_ASSERT_EQUAL(s->timeline[3].time.sec, 1700000003);
	}
	/* chains */
	const uint8_t *sders[2] = { server_der, ca_der }, *cders[1] = { client_der };
	const size_t slens[2] = { server_len, ca_len }, clens[1] = { client_len };
	CU_ASSERT_EQUAL(s->server_chain.state, CHAIN_SEEN);
	CU_ASSERT_EQUAL(s->server_chain.frame, 3);
	CU_ASSERT_EQUAL(s->server_chain.count, 2);
	check_chain_hashes(&s->server_chain, sders, slens, 2);
	CU_ASSERT_EQUAL(s->client_chain.state, CHAIN_SEEN);
	CU_ASSERT_EQUAL(s->client_chain.frame, 4);
	CU_ASSERT_EQUAL(s->client_chain.count, 1);
	check_chain_hashes(&s->client_chain, cders, clens, 1);
	/* the request, the key exchange, the verify */
	CU_ASSERT_TRUE(s->cr.present);
	CU_ASSERT_EQUAL(s->cr.frame, 3);
	CU_ASSERT_EQUAL(s->cr.dn_count, 1);
	CU_ASSERT_TRUE(U16LIST_IS(&s->cr.sig_algs, 0x0401, 0x0804, 0x0403));
	CU_ASSERT_EQUAL(s->skx.kind, SKX_ECDHE);
	CU_ASSERT_EQUAL(s->skx.group, 23);
	CU_ASSERT_EQUAL(s->skx.sig_scheme, 0x0403);
	CU_ASSERT_TRUE(s->cv.present);
	CU_ASSERT_EQUAL(s->cv.frame, 4);
	CU_ASSERT_TRUE(s->server_hello_done);
	CU_ASSERT_TRUE(s->client_key_exchange);
	CU_ASSERT_EQUAL(s->client_key_exchange_frame, 4);
	/* records */
	CU_ASSERT_TRUE(s->is_tls);
	CU_ASSERT_EQUAL(s->record_version, 0x0301);
	CU_ASSERT_TRUE(s->dir[SIDE_CLIENT].spoke_tls);
	CU_ASSERT_TRUE(s->dir[SIDE_SERVER].spoke_tls);
	CU_ASSERT_TRUE(s->dir[SIDE_CLIENT].ccs);
	CU_ASSERT_EQUAL(s->dir[SIDE_CLIENT].ccs_frame, 4);
	CU_ASSERT_EQUAL(s->dir[SIDE_CLIENT].enc_handshake_records, 1);
	CU_ASSERT_EQUAL(s->dir[SIDE_CLIENT].enc_handshake_frame, 4);
	CU_ASSERT_FALSE(s->dir[SIDE_SERVER].ccs);
	CU_ASSERT_FALSE(s->resumed);
	CU_ASSERT_FALSE(s->tls13);
	/* the alert and the outcome */
	CU_ASSERT_EQUAL_FATAL(s->alerts_n, 1);
	CU_ASSERT_EQUAL(s->alerts[0].frame, 5);
	CU_ASSERT_EQUAL(s->alerts[0].from, SIDE_SERVER);
	CU_ASSERT_FALSE(s->alerts[0].encrypted);
	CU_ASSERT_EQUAL(s->alerts[0].level, 2);
	CU_ASSERT_EQUAL(s->alerts[0].desc, 42);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_FAILED);
	CU_ASSERT_TRUE(s->handshake_done[SIDE_CLIENT]);
	CU_ASSERT_FALSE(s->handshake_done[SIDE_SERVER]);
	CU_ASSERT_EQUAL(test_budget.handshake_bytes, 0);
	session_free(s);
	conv_free(&c);
}

static void test_connection_tls12_mtls_completed(void)
{
	struct conv c;
	build_mtls_conversation(&c, true);
	struct session *s = run_conv(&c, 0, SIZE_MAX, SIZE_MAX);
	EXPECT_NO_EVENTS(s);
	CU_ASSERT_EQUAL(s->timeline_n, 14);
	CHECK_MSG(s, 11, 5, SIDE_SERVER, MSG_CCS, -1);
	CHECK_MSG(s, 12, 5, SIDE_SERVER, MSG_ENC_HANDSHAKE, -1);
	CHECK_MSG(s, 13, 8, SIDE_CLIENT, MSG_ENC_ALERT, -1);
	CU_ASSERT_EQUAL_FATAL(s->alerts_n, 1);
	CU_ASSERT_TRUE(s->alerts[0].encrypted);
	CU_ASSERT_EQUAL(s->alerts[0].from, SIDE_CLIENT);
	CU_ASSERT_EQUAL(s->alerts[0].frame, 8);
	CU_ASSERT_EQUAL(s->dir[SIDE_CLIENT].appdata_records, 1);
	CU_ASSERT_EQUAL(s->dir[SIDE_CLIENT].appdata_bytes, 100);
	CU_ASSERT_EQUAL(s->dir[SIDE_CLIENT].appdata_first_frame, 6);
	CU_ASSERT_EQUAL(s->dir[SIDE_SERVER].appdata_records, 2);
	CU_ASSERT_EQUAL(s->dir[SIDE_SERVER].appdata_bytes, 250);
	CU_ASSERT_EQUAL(s->dir[SIDE_SERVER].appdata_last_frame, 7);
	CU_ASSERT_EQUAL(s->dir[SIDE_SERVER].ccs_frame, 5);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_COMPLETED);
	CU_ASSERT_TRUE(s->handshake_done[SIDE_CLIENT]);
	CU_ASSERT_TRUE(s->handshake_done[SIDE_SERVER]);
	CU_ASSERT_EQUAL(s->handshake_done_frame, 5);
	session_free(s);
	conv_free(&c);
}

/* The same streams whole, in chunks of every size 1..64, and cut at every
 * offset: identical facts. Every prefix alone: no events, and a timeline
 * that is a prefix of the whole one. */
static void test_connection_chunk_and_prefix_invariance(void)
{
	for (int completed = 0; completed < 2; completed++) {
		struct conv c;
		build_mtls_conversation(&c, completed);
		struct session *s = run_conv(&c, 0, SIZE_MAX, SIZE_MAX);
		char *whole_tl;
		char *whole = facts(s, &whole_tl);
		session_free(s);
		unsigned chunk_bad = 0, cut_bad = 0, prefix_bad = 0, first_chunk = 0, first_cut = 0, first_prefix = 0;

		for (size_t chunk = 1; chunk <= 64; chunk++) {
			s = run_conv(&c, chunk, SIZE_MAX, SIZE_MAX);
			char *got = facts(s, NULL);
			if (strcmp(got, whole) != 0 && chunk_bad++ == 0)
				first_chunk = (unsigned)chunk;
			free(got);
			session_free(s);
		}
		for (size_t cut = 1; cut < c.total; cut++) {
			s = run_conv(&c, 0, cut, SIZE_MAX);
			char *got = facts(s, NULL);
			if (strcmp(got, whole) != 0 && cut_bad++ == 0)
				first_cut = (unsigned)cut;
			free(got);
			session_free(s);

			s = run_conv(&c, 0, SIZE_MAX, cut);
			char *tl;
			got = facts(s, &tl);
			if ((s->events_n != 0 || strncmp(tl, whole_tl, strlen(tl)) != 0) && prefix_bad++ == 0)
				first_prefix = (unsigned)cut;
			free(tl);
			free(got);
			session_free(s);
		}
		if (chunk_bad)
			UNIT_FAIL("%s: %u chunk sizes change the facts (first %u)", completed ? "completed" : "rejected",
				  chunk_bad, first_chunk);
		if (cut_bad)
			UNIT_FAIL("%s: %u cut offsets change the facts (first %u)", completed ? "completed" : "rejected",
				  cut_bad, first_cut);
		if (prefix_bad)
			UNIT_FAIL("%s: %u prefixes give events or another timeline (first %u)",
				  completed ? "completed" : "rejected", prefix_bad, first_prefix);
		CU_ASSERT_EQUAL(chunk_bad + cut_bad + prefix_bad, 0);
		CU_ASSERT_EQUAL(test_budget.handshake_bytes, 0);
		free(whole);
		free(whole_tl);
		conv_free(&c);
	}
}

/* Bytes lost in the server's flight: one tcp.gap event, the direction is
 * unobservable from there, framing recovers at the next record. */
static void test_connection_gap_then_resync(void)
{
	struct conv c;
	build_mtls_conversation(&c, false);
	struct session *s = session_new_for_test();
	const bool mid[2] = { false, false };
	struct tls_conn *tc = tls_conn_new(s, mid, &test_budget);
	for (unsigned i = 0; i < c.n; i++) {
		struct pkt *pk = &c.pkt[i];
		if (pk->frame == 3) {   /* lost */
			tls_conn_gap(tc, pk->side, (uint32_t)pk->b.n, 3, "capture loss");
			continue;
		}
		tls_conn_data(tc, pk->side, pk->b.p, (uint32_t)pk->b.n, pk->frame, &t0);
	}
	CU_ASSERT_TRUE(tls_conn_side_is_tls(tc, SIDE_SERVER));
	tls_conn_free(tc);
	session_finish(s);
	CU_ASSERT_EQUAL(session_event_count(s, "tcp.gap"), 1);
	CU_ASSERT_EQUAL(session_event_count(s, "tls.malformed"), 0);
	CU_ASSERT_EQUAL(session_event_count(s, "tls.resync"), 1);
	CU_ASSERT_TRUE(s->dir[SIDE_SERVER].unobservable);
	CU_ASSERT_EQUAL(s->dir[SIDE_SERVER].unobservable_frame, 3);
	CU_ASSERT_STRING_EQUAL(s->dir[SIDE_SERVER].unobservable_why, "capture loss");
	CU_ASSERT_EQUAL(s->dir[SIDE_SERVER].gaps, 1);
	CU_ASSERT_EQUAL(s->dir[SIDE_SERVER].gap_bytes, c.pkt[2].b.n);
	CU_ASSERT_NOT_EQUAL(s->server_chain.state, CHAIN_SEEN);
	CU_ASSERT_FALSE(s->server_hello_done);
	/* the alert after the gap is still read */
	CU_ASSERT_EQUAL_FATAL(s->alerts_n, 1);
	CU_ASSERT_EQUAL(s->alerts[0].frame, 5);
	CU_ASSERT_EQUAL(s->alerts[0].desc, 42);
	CU_ASSERT_EQUAL(test_budget.handshake_bytes, 0);
	session_free(s);
	conv_free(&c);
}

/* A direction that speaks something else is not TLS. */
static void test_connection_not_tls(void)
{
	struct session *s = session_new_for_test();
	const bool mid[2] = { false, false };
	struct tls_conn *tc = tls_conn_new(s, mid, &test_budget);
	static const char req[] = "GET / HTTP/1.1\r\n\r\n";
	static const char resp[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
	tls_conn_data(tc, SIDE_CLIENT, (const uint8_t *)req, sizeof req - 1, 1, &t0);
	tls_conn_data(tc, SIDE_SERVER, (const uint8_t *)resp, sizeof resp - 1, 2, &t0);
	CU_ASSERT_FALSE(tls_conn_side_is_tls(tc, SIDE_CLIENT));
	tls_conn_free(tc);
	session_finish(s);
	CU_ASSERT_TRUE(s->dir[SIDE_CLIENT].not_tls);
	CU_ASSERT_EQUAL(s->dir[SIDE_CLIENT].prefix_len, sizeof req - 1);
	CU_ASSERT_EQUAL(memcmp(s->dir[SIDE_CLIENT].prefix, req, sizeof req - 1), 0);
	CU_ASSERT_EQUAL(s->dir[SIDE_CLIENT].prefix_frame, 1);
	CU_ASSERT_FALSE(s->is_tls);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_NOT_TLS);
	session_free(s);
}

void register_tls_handshake_tests(void)
{
	CU_pSuite suite = CU_add_suite("tls_handshake", suite_init, suite_cleanup);

	if (suite == NULL)
		return;
	CU_add_test(suite, "ClientHello: every field and extension", test_client_hello_every_field);
	CU_add_test(suite, "ClientHello: no extensions; max version from supported_versions",
		test_client_hello_versions_without_extensions);
	CU_add_test(suite, "ClientHello: SNI longer than LIM_NAME_LEN truncated + event",
		test_client_hello_long_sni_truncated);
	CU_add_test(suite, "ServerHello TLS 1.2: every field", test_server_hello_tls12);
	CU_add_test(suite, "ServerHello TLS 1.2: session id echo is resumption", test_server_hello_tls12_resumption);
	CU_add_test(suite, "ServerHello TLS 1.3 via supported_versions", test_server_hello_tls13_supported_versions);
	CU_add_test(suite, "HelloRetryRequest random, second ClientHello", test_hello_retry_request);
	CU_add_test(suite, "Certificate TLS 1.2 list", test_certificate_tls12);
	CU_add_test(suite, "Certificate TLS 1.3 form with context and extensions", test_certificate_tls13_form);
	CU_add_test(suite, "Certificate: 0-length entry; empty list count 0 length 0",
		test_certificate_zero_length_entry_and_empty_list);
	CU_add_test(suite, "Certificate after an oversized Certificate: the first chain stays",
		    test_certificate_after_oversized_certificate);
	CU_add_test(suite, "CertificateRequest TLS 1.0/1.1 form, two DNs", test_certificate_request_tls10_11_form);
	CU_add_test(suite, "CertificateRequest TLS 1.2 form, three DNs, none", test_certificate_request_tls12_form);
	CU_add_test(suite, "ServerKeyExchange ECDHE: group and signature scheme", test_server_key_exchange_ecdhe);
	CU_add_test(suite, "ServerKeyExchange DHE: prime bits, with and without scheme", test_server_key_exchange_dhe);
	CU_add_test(suite, "ServerKeyExchange without ServerHello; explicit curve event",
		test_server_key_exchange_without_server_hello_or_explicit_curve);
	CU_add_test(suite, "CertificateStatus, NewSessionTicket, CertificateVerify, Done, CKE",
		test_certificate_status_ticket_verify_done);
	CU_add_test(suite, "ClientHello: every length +1/-1 gives an event", test_lengths_client_hello);
	CU_add_test(suite, "ServerHello 1.2: every length +1/-1 gives an event", test_lengths_server_hello12);
	CU_add_test(suite, "ServerHello 1.3: every length +1/-1 gives an event", test_lengths_server_hello13);
	CU_add_test(suite, "HelloRetryRequest: every length +1/-1 gives an event", test_lengths_hello_retry_request);
	CU_add_test(suite, "Certificate 1.2: every length +1/-1 gives an event", test_lengths_certificate12);
	CU_add_test(suite, "Certificate 1.3: every length +1/-1 gives an event", test_lengths_certificate13);
	CU_add_test(suite, "CertificateRequest 1.1: every length +1/-1 gives an event", test_lengths_cert_request11);
	CU_add_test(suite, "CertificateRequest 1.2: every length +1/-1 gives an event", test_lengths_cert_request12);
	CU_add_test(suite, "ServerKeyExchange ECDHE: every length +1/-1 gives an event", test_lengths_skx_ecdhe);
	CU_add_test(suite, "ServerKeyExchange DHE: every length +1/-1 gives an event", test_lengths_skx_dhe);
	CU_add_test(suite, "CertificateStatus: every length +1/-1 gives an event", test_lengths_cert_status);
	CU_add_test(suite, "NewSessionTicket: every length +1/-1 gives an event", test_lengths_ticket);
	CU_add_test(suite, "CertificateVerify: every length +1/-1 gives an event", test_lengths_cert_verify);
	CU_add_test(suite, "every prefix of every message is safe", test_every_message_prefix_is_safe);
	CU_add_test(suite, "connection: TLS 1.2 mTLS rejected by a fatal alert", test_connection_tls12_mtls_rejected);
	CU_add_test(suite, "connection: TLS 1.2 mTLS completed", test_connection_tls12_mtls_completed);
	CU_add_test(suite, "connection: whole / chunks 1..64 / every cut / every prefix give the same facts",
		test_connection_chunk_and_prefix_invariance);
	CU_add_test(suite, "connection: gap in the server flight, resync at the next record",
		test_connection_gap_then_resync);
	CU_add_test(suite, "connection: plaintext HTTP is not TLS", test_connection_not_tls);
}
