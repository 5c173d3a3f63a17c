/* test_starttls.c - the STARTTLS scanner and the PROXY protocol parser on bytes of real captures.
 *
 * The binary messages are the payloads of pcaps/starttls-ldap*.pcap (slapd),
 * zeek's mysql/encrypted.pcap (MariaDB 10.0) and pcaps/proxy-v*.pcap
 * (curl, haproxy), as tshark shows them (-T fields -e tcp.payload). Every
 * exchange is fed whole and in chunks of 1, 2, 3 and 7 bytes, each chunk
 * at the end of a guard page: the facts must not depend on the cut.
 */
#include <string.h>

#include "unit.h"

#include "proxy_proto.h"
#include "redact.h"
#include "session.h"
#include "starttls.h"
#include "starttls_report.h"

struct msgdef {
	int side;
	const char *hex;     /* or NULL: text */
	const char *text;
	uint64_t frame;
};

static struct session *run(const struct msgdef *m, size_t n, size_t chunk)
{
	struct session *s = session_new();
	struct starttls_scan *sc = NULL;
	struct guard g = { 0 };
	for (size_t i = 0; i < n; i++) {
		uint8_t buf[2048];
		size_t len = m[i].hex ? test_unhex(m[i].hex, buf, sizeof buf) : strlen(m[i].text);
		if (!m[i].hex)
			memcpy(buf, m[i].text, len);
		size_t step = chunk ? chunk : len;
		for (size_t o = 0; o < len; o += step) {
			size_t k = len - o < step ? len - o : step;
			const uint8_t *p = guard_move(&g, buf + o, k);
			starttls_feed(&sc, s, m[i].side, p, (uint32_t)k, m[i].frame);
		}
	}
	guard_free(&g);
	starttls_free(sc);
	return s;
}

static const size_t chunks[] = { 0, 1, 2, 3, 7 };

/* Check f in every cut. */
#define FOR_EACH_CUT(m, s) \
	for (size_t ci_ = 0; ci_ < sizeof chunks / sizeof chunks[0]; ci_++) \
		for (struct session *s = run(m, sizeof m / sizeof m[0], chunks[ci_]); s; session_free(s), s = NULL)

static void words_are(const struct session *s, const char *w)
{
	CU_ASSERT_EQUAL(s->starttls.words_len, strlen(w));
	CU_ASSERT_EQUAL(memcmp(s->starttls.words, w, strlen(w)), 0);
}

static void test_smtp(void)
{
	static const struct msgdef m[] = {
		{ SIDE_SERVER, NULL, "220 mail.example.test ESMTP stand-in\r\n", 4 },
		{ SIDE_CLIENT, NULL, "EHLO mail.example.com\r\n", 6 },
		{ SIDE_SERVER, NULL, "250-mail.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n", 8 },
		{ SIDE_CLIENT, NULL, "STARTTLS\r\n", 9 },
		{ SIDE_SERVER, NULL, "220 2.0.0 Ready to start TLS\r\n", 10 },
	};
	FOR_EACH_CUT(m, s) {
		CU_ASSERT_EQUAL(s->starttls.proto, STLS_SMTP);
		CU_ASSERT(s->starttls.requested);
		CU_ASSERT_EQUAL(s->starttls.request_frame, 9);
		CU_ASSERT_EQUAL(s->starttls.answer, STLS_ACCEPTED);
		CU_ASSERT_EQUAL(s->starttls.answer_frame, 10);
		words_are(s, "220 2.0.0 Ready to start TLS");
	}
}

static void test_smtp_refused_multiline(void)
{
	static const struct msgdef m[] = {
		{ SIDE_CLIENT, NULL, "LHLO client\r\n", 5 },
		{ SIDE_CLIENT, NULL, "STARTTLS\r\n", 9 },
		{ SIDE_SERVER, NULL, "454-4.7.0 first\r\n454 4.7.0 TLS not available due to local problem\r\n", 10 },
		{ SIDE_CLIENT, NULL, "QUIT\r\n", 11 },
	};
	FOR_EACH_CUT(m, s) {
		CU_ASSERT_EQUAL(s->starttls.proto, STLS_LMTP);
		CU_ASSERT_EQUAL(s->starttls.answer, STLS_REFUSED);
		words_are(s, "454 4.7.0 TLS not available due to local problem");
		CU_ASSERT_EQUAL(s->starttls.client_clear_after, 11);
	}
}

static void test_imap_tagged(void)
{
	static const struct msgdef m[] = {
		{ SIDE_SERVER, NULL, "* OK ready\r\n", 4 },
		{ SIDE_CLIENT, NULL, "a1 STARTTLS\r\n", 6 },
		{ SIDE_SERVER, NULL, "* NOTE untagged first\r\nb2 OK other tag\r\na1 BAD no TLS here\r\n", 8 },
	};
	FOR_EACH_CUT(m, s) {
		CU_ASSERT_EQUAL(s->starttls.proto, STLS_IMAP);
		CU_ASSERT_EQUAL(s->starttls.answer, STLS_REFUSED);
		words_are(s, "a1 BAD no TLS here");
	}
}

static void test_pop3_ftp_xmpp(void)
{
	static const struct msgdef pop[] = {
		{ SIDE_CLIENT, NULL, "STLS\r\n", 6 },
		{ SIDE_SERVER, NULL, "-ERR not now\r\n", 8 },
	};
	FOR_EACH_CUT(pop, s) {
		CU_ASSERT_EQUAL(s->starttls.proto, STLS_POP3);
		CU_ASSERT_EQUAL(s->starttls.answer, STLS_REFUSED);
	}
	static const struct msgdef ftp[] = {
		{ SIDE_SERVER, NULL, "220 FTP ready\r\n", 4 },
		{ SIDE_CLIENT, NULL, "AUTH SSL\r\n", 6 },
		{ SIDE_SERVER, NULL, "234 go ahead\r\n", 8 },
	};
	FOR_EACH_CUT(ftp, s) {
		CU_ASSERT_EQUAL(s->starttls.proto, STLS_FTP);
		CU_ASSERT_STRING_EQUAL(s->starttls.request, "AUTH SSL");
		CU_ASSERT_EQUAL(s->starttls.answer, STLS_ACCEPTED);
	}
	static const struct msgdef xmpp[] = {
		{ SIDE_CLIENT, NULL, "<?xml version='1.0'?><stream:stream to='example.test' version='1.0'>", 4 },
		{ SIDE_SERVER, NULL, "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>", 6 },
		{ SIDE_CLIENT, NULL, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", 8 },
		{ SIDE_SERVER, NULL, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>", 9 },
	};
	FOR_EACH_CUT(xmpp, s) {
		CU_ASSERT_EQUAL(s->starttls.proto, STLS_XMPP);
		CU_ASSERT_EQUAL(s->starttls.request_frame, 8);
		CU_ASSERT_EQUAL(s->starttls.answer, STLS_REFUSED);
		CU_ASSERT_EQUAL(s->starttls.answer_frame, 9);
	}
}

static void test_postgres(void)
{
	static const struct msgdef m[] = {
		{ SIDE_CLIENT, "00000008 04d21630", NULL, 4 },   /* GSSENCRequest */
		{ SIDE_SERVER, "4e", NULL, 5 },
		{ SIDE_CLIENT, "00000008 04d2162f", NULL, 6 },   /* SSLRequest */
		{ SIDE_SERVER, "53", NULL, 7 },
	};
	FOR_EACH_CUT(m, s) {
		CU_ASSERT_EQUAL(s->starttls.proto, STLS_POSTGRES);
		CU_ASSERT(s->starttls.gssenc_refused);
		CU_ASSERT_EQUAL(s->starttls.gssenc_frame, 5);
		CU_ASSERT_EQUAL(s->starttls.request_frame, 6);
		CU_ASSERT_EQUAL(s->starttls.answer, STLS_ACCEPTED);
		words_are(s, "S");
	}
}

static void test_ldap_slapd(void)
{
	static const char req[] = "301d02010177188016312e332e362e312e342e312e313436362e3230303337";
	static const struct msgdef ok[] = {
		{ SIDE_CLIENT, req, NULL, 4 },
		{ SIDE_SERVER, "300c02010178070a010004000400", NULL, 6 },
	};
	FOR_EACH_CUT(ok, s) {
		CU_ASSERT_EQUAL(s->starttls.proto, STLS_LDAP);
		CU_ASSERT_EQUAL(s->starttls.answer, STLS_ACCEPTED);
	}
	static const struct msgdef refused[] = {
		{ SIDE_CLIENT, req, NULL, 4 },
		{ SIDE_SERVER, "302a02010178250a01020400041e756e737570706f7274656420657874656e646564206f7065726174696f6e",
		  NULL, 6 },
	};
	FOR_EACH_CUT(refused, s) {
		CU_ASSERT_EQUAL(s->starttls.answer, STLS_REFUSED);
		words_are(s, "protocolError (2): unsupported extended operation");
	}
	/* an answer to another messageID is not the answer */
	static const struct msgdef other[] = {
		{ SIDE_CLIENT, req, NULL, 4 },
		{ SIDE_SERVER, "300c02010278070a010004000400", NULL, 6 },
	};
	FOR_EACH_CUT(other, s)
		CU_ASSERT_EQUAL(s->starttls.answer, STLS_NO_ANSWER);
}

static void test_mysql_mariadb(void)
{
	static const struct msgdef m[] = {
		{ SIDE_SERVER,
		  "6a0000000a352e352e352d31302e302e33362d4d6172696144422d307562756e7475302e31362e30342e310021000000"
		  "746e4e762c74276000ffff2d02003fe0150000000000000000000031726b4144702b23696a5a65006d7973716c5f6e61"
		  "746976655f70617373776f726400", NULL, 4 },
		{ SIDE_CLIENT, "2000000185ae3f20000000012d0000000000000000000000000000000000000000000000", NULL, 6 },
	};
	FOR_EACH_CUT(m, s) {
		CU_ASSERT_EQUAL(s->starttls.proto, STLS_MYSQL);
		CU_ASSERT_EQUAL(s->starttls.request_frame, 6);
		CU_ASSERT_EQUAL(s->starttls.answer, STLS_ACCEPTED);
		CU_ASSERT(s->starttls.implicit);
		CU_ASSERT_EQUAL(s->starttls.answer_frame, 4);
		words_are(s, "5.5.5-10.0.36-MariaDB-0ubuntu0.16.04.1");
	}
}

/* Over-long lines, garbage and a PostgreSQL length below its minimum: nothing invented. */
static void test_hostile(void)
{
	char longline[1400];
	memset(longline, 'A', sizeof longline - 3);
	memcpy(longline + sizeof longline - 3, "\r\n", 3);
	const struct msgdef m[] = {
		{ SIDE_CLIENT, NULL, longline, 4 },
		{ SIDE_CLIENT, NULL, "STARTTLS\r\n", 6 },
		{ SIDE_SERVER, NULL, longline, 7 },
		{ SIDE_SERVER, NULL, "220 go\r\n", 8 },
	};
	for (size_t c = 0; c < 3; c++) {
		struct session *s = run(m, 4, chunks[c]);
		CU_ASSERT_EQUAL(s->starttls.request_frame, 6);
		CU_ASSERT_EQUAL(s->starttls.answer, STLS_ACCEPTED);
		CU_ASSERT_EQUAL(s->starttls.answer_frame, 8);
		session_free(s);
	}
	static const struct msgdef bad[] = {
		{ SIDE_CLIENT, "00000002 04d2162f", NULL, 4 },
		{ SIDE_SERVER, "53", NULL, 5 },
		{ SIDE_CLIENT, "30 84 ff ff ff ff 02", NULL, 6 },
	};
	FOR_EACH_CUT(bad, s)
		CU_ASSERT(!s->starttls.requested);
}

/* ---- PROXY protocol ---- */

static struct session *proxy_run(const char *hex, const char *tail, size_t chunk, size_t *rest_total)
{
	uint8_t buf[1200];
	size_t n = test_unhex(hex, buf, sizeof buf);
	size_t t = strlen(tail);
	memcpy(buf + n, tail, t);
	n += t;
	struct session *s = session_new();
	struct proxy_pre *pp = NULL;
	struct guard g = { 0 };
	bool done = false;
	*rest_total = 0;
	size_t step = chunk ? chunk : n;
	for (size_t o = 0; o < n; o += step) {
		size_t k = n - o < step ? n - o : step;
		const uint8_t *p = guard_move(&g, buf + o, k);
		if (done) {
			*rest_total += k;
			continue;
		}
		struct rd held, rest;
		done = proxy_feed(&pp, s, p, (uint32_t)k, 9, &held, &rest);
		*rest_total += rd_left(&held) + rd_left(&rest);
		if (done) {
			proxy_pre_free(pp);
			pp = NULL;
		}
	}
	proxy_pre_free(pp);
	guard_free(&g);
	return s;
}

static void test_proxy_v1_curl(void)
{
	static const char v1[] = "50524f58592054435034203132372e302e302e31203132372e302e302e312034313135362032333033300d0a";
	for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
		size_t rest;
		struct session *s = proxy_run(v1, "\x16\x03\x01", chunks[c], &rest);
		const struct proxy_facts *f = &s->proxy;
		CU_ASSERT(f->present && !f->malformed);
		CU_ASSERT_EQUAL(f->version, 1);
		CU_ASSERT_EQUAL(f->header_len, 44);
		CU_ASSERT_EQUAL(f->af, 4);
		CU_ASSERT_EQUAL(f->sport, 41156);
		CU_ASSERT_EQUAL(f->dport, 23030);
		CU_ASSERT_EQUAL(memcmp(f->src, "\x7f\x00\x00\x01", 4), 0);
		CU_ASSERT_EQUAL(rest, 3);   /* the TLS bytes after it are handed on */
		session_free(s);
	}
}

static void test_proxy_v2_haproxy(void)
{
	static const char v2[] = "0d0a0d0a000d0a515549540a2111003a7f0000017f000001d61459f80300040dcf6b1c05002437463030303030313a"
				 "443631345f37463030303030313a353946385f3642313136383836";
	for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
		size_t rest;
		struct session *s = proxy_run(v2, "\x16\x03\x01\x02", chunks[c], &rest);
		const struct proxy_facts *f = &s->proxy;
		CU_ASSERT(f->present && !f->malformed && !f->local);
		CU_ASSERT_EQUAL(f->version, 2);
		CU_ASSERT_EQUAL(f->header_len, 74);
		CU_ASSERT_EQUAL(f->sport, 54804);
		CU_ASSERT_EQUAL(f->dport, 23032);
		CU_ASSERT_EQUAL(f->tlv_count, 2);
		CU_ASSERT_EQUAL(f->tlv_types[0], 0x03);
		CU_ASSERT_EQUAL(f->tlv_types[1], 0x05);
		CU_ASSERT_EQUAL(rest, 4);
		session_free(s);
	}
}

static void test_proxy_not_proxy(void)
{
	for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
		size_t rest;
		/* a ClientHello, and text that starts like the v1 signature */
		struct session *s = proxy_run("160301", "", chunks[c], &rest);
		CU_ASSERT(!s->proxy.present);
		CU_ASSERT_EQUAL(rest, 3);
		session_free(s);
		s = proxy_run("", "PROXZ hello", chunks[c], &rest);
		CU_ASSERT(!s->proxy.present);
		CU_ASSERT_EQUAL(rest, 11);
		session_free(s);
	}
	/* a v2 header claiming more than the cap is skipped whole */
	size_t rest;
	struct session *s = proxy_run("0d0a0d0a000d0a515549540a 2111 ffff", "", 0, &rest);
	CU_ASSERT(s->proxy.present && s->proxy.malformed);
	CU_ASSERT_EQUAL(s->proxy.header_len, 16 + 0xffff);
	session_free(s);
}

/* --redact: host names and addresses in the server's words. */
static void test_words_redacted(void)
{
	struct starttls_facts f = { 0 };
	static const char w[] = "220 mail.example.test ESMTP 4.7.0 [192.0.2.7]";
	memcpy(f.words, w, sizeof w - 1);
	f.words_len = sizeof w - 1;
	char out[300];
	CU_ASSERT_EQUAL(starttls_words(&f, out, sizeof out), sizeof w - 1);
	CU_ASSERT_STRING_EQUAL(out, w);
	redact_enable(true, true);
	starttls_words(&f, out, sizeof out);
	CU_ASSERT(strstr(out, "example") == NULL);
	CU_ASSERT(strstr(out, "192.0.2.7") == NULL);
	CU_ASSERT(strstr(out, "220 ") == out);
	CU_ASSERT(strstr(out, " 4.7.0 ") != NULL);   /* an enhanced status code is not an address */
	redact_enable(false, false);
	redact_free();
}

void register_starttls_tests(void)
{
	CU_pSuite suite = CU_add_suite("starttls", NULL, NULL);
	if (suite == NULL)
		return;
	CU_add_test(suite, "SMTP STARTTLS + 220", test_smtp);
	CU_add_test(suite, "LMTP, a multi-line 454, the client goes on in the clear", test_smtp_refused_multiline);
	CU_add_test(suite, "IMAP: only the tagged answer counts", test_imap_tagged);
	CU_add_test(suite, "POP3 -ERR, FTP AUTH SSL + 234, XMPP <failure/>", test_pop3_ftp_xmpp);
	CU_add_test(suite, "PostgreSQL GSSENCRequest N, SSLRequest S", test_postgres);
	CU_add_test(suite, "LDAP StartTLS with slapd's answers", test_ldap_slapd);
	CU_add_test(suite, "MySQL: MariaDB greeting and SSLRequest", test_mysql_mariadb);
	CU_add_test(suite, "over-long lines and bad lengths", test_hostile);
	CU_add_test(suite, "PROXY v1 from curl", test_proxy_v1_curl);
	CU_add_test(suite, "PROXY v2 with TLVs from haproxy", test_proxy_v2_haproxy);
	CU_add_test(suite, "not a PROXY header; a v2 header over the cap", test_proxy_not_proxy);
	CU_add_test(suite, "server words under --redact", test_words_redacted);
}
