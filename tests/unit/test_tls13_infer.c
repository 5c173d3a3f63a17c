/* test_tls13_infer.c - CUnit tests for src/tls13_infer.c: the size arithmetic of every TLS 1.3
 * suite, and the patterns it derives from both sides' records. */
#include "tls13_infer.h"

#include <string.h>

#include "unit.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* RFC 8446 §B.4 and RFC 8998-free: the five suites of the registry, with the
 * record lengths of a Finished, an empty Certificate + Finished in one
 * record, and an alert (plaintext + 1 content type + tag). */
static const struct {
	uint16_t suite;
	uint8_t hash, tag;
	uint32_t finished, empty_and_finished, alert;
} sizes[] = {
	{ 0x1301, 32, 16, 53, 61, 19 },   /* TLS_AES_128_GCM_SHA256 */
	{ 0x1302, 48, 16, 69, 77, 19 },   /* TLS_AES_256_GCM_SHA384 */
	{ 0x1303, 32, 16, 53, 61, 19 },   /* TLS_CHACHA20_POLY1305_SHA256 */
	{ 0x1304, 32, 16, 53, 61, 19 },   /* TLS_AES_128_CCM_SHA256 */
	{ 0x1305, 32, 8, 45, 53, 11 },    /* TLS_AES_128_CCM_8_SHA256 */
};

static void test_sizes(void)
{
	for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
		struct t13_sizes z;
		CU_ASSERT_TRUE_FATAL(t13_sizes_of(sizes[i].suite, &z));
		CU_ASSERT_EQUAL(z.hash_len, sizes[i].hash);
		CU_ASSERT_EQUAL(z.tag_len, sizes[i].tag);
		CU_ASSERT_EQUAL(t13_record_len(&z, t13_finished_len(&z), 0), sizes[i].finished);
		CU_ASSERT_EQUAL(t13_record_len(&z, T13_EMPTY_CERT + t13_finished_len(&z), 0), sizes[i].empty_and_finished);
		CU_ASSERT_EQUAL(t13_record_len(&z, T13_ALERT, 0), sizes[i].alert);
		CU_ASSERT_EQUAL(t13_record_len(&z, T13_ALERT, T13_JSSE_PAD), sizes[i].alert + 16);
	}
	struct t13_sizes z;
	CU_ASSERT_FALSE(t13_sizes_of(0xC02F, &z));   /* a TLS 1.2 suite */
	CU_ASSERT_FALSE(t13_sizes_of(0x1306, &z));   /* AEGIS: a cipher tlsdiag only names */
	CU_ASSERT_FALSE(t13_sizes_of(0x0A0A, &z));   /* GREASE */
}

/* Records are given as "side:len" in order; seq is their order. */
struct trace {
	struct t13_rec rec[2][16];
	struct t13_input in;
};

static void add(struct trace *t, int side, uint32_t len, uint64_t frame)
{
	uint32_t seq = t->in.n[0] + t->in.n[1] + 1;
	t->rec[side][t->in.n[side]] = (struct t13_rec){ frame, len, seq };
	t->in.n[side]++;
	t->in.total[side]++;
	t->in.rec[side] = t->rec[side];
}

static void start(struct trace *t, uint16_t suite)
{
	memset(t, 0, sizeof *t);
	CU_ASSERT_TRUE(t13_sizes_of(suite, &t->in.z));
}

/* The server's first flight as OpenSSL sends it: EE, (CR), Certificate, CertificateVerify, Finished. */
static void server_flight(struct trace *t, bool cr)
{
	struct t13_sizes *z = &t->in.z;
	add(t, 1, t13_record_len(z, 6, 0), 6);
	if (cr)
		add(t, 1, t13_record_len(z, 113, 0), 6);
	add(t, 1, t13_record_len(z, 1874, 0), 8);
	add(t, 1, t13_record_len(z, 264, 0), 8);
	add(t, 1, t13_record_len(z, t13_finished_len(z), 0), 8);
}

static void closes(struct trace *t, uint64_t client, uint64_t server)
{
	t->in.closed[0] = client != 0;
	t->in.close_frame[0] = client;
	t->in.closed[1] = server != 0;
	t->in.close_frame[1] = server;
}

static void test_empty_certificate_rejected(void)
{
	for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
		struct trace t;
		struct t13_view v;
		start(&t, sizes[i].suite);
		server_flight(&t, true);
		add(&t, 0, t13_record_len(&t.in.z, T13_EMPTY_CERT, 0), 10);
		add(&t, 0, sizes[i].finished, 10);
		add(&t, 1, sizes[i].alert, 11);
		closes(&t, 13, 12);
		t13_infer(&t.in, &v);
		CU_ASSERT_EQUAL(v.pattern, T13_SERVER_ALERT);
		CU_ASSERT_TRUE(v.failed);
		CU_ASSERT_EQUAL(v.client_cert, T13_CERT_EMPTY);
		CU_ASSERT_EQUAL(v.cflight_n, 2);
		CU_ASSERT_EQUAL(v.ended_by, 1);
		CU_ASSERT_EQUAL(v.alert_frame, 11);
		CU_ASSERT_EQUAL(v.sflight_n, 5);
		/* the same flight in one record */
		start(&t, sizes[i].suite);
		server_flight(&t, true);
		add(&t, 0, sizes[i].empty_and_finished, 10);
		add(&t, 1, sizes[i].alert, 11);
		closes(&t, 13, 12);
		t13_infer(&t.in, &v);
		CU_ASSERT_EQUAL(v.pattern, T13_SERVER_ALERT);
		CU_ASSERT_EQUAL(v.client_cert, T13_CERT_EMPTY);
		CU_ASSERT_EQUAL(v.cflight_n, 1);
	}
}

/* Java writes its Certificate and its Finished in two segments; OpenSSL's
 * alert on the empty Certificate comes between them (as in
 * pcaps/tls13-mtls-empty-java-other-ca.pcap: the alert at frame 14, the
 * server's FIN at 15, the client's Finished at 16). */
static void test_alert_within_client_flight(void)
{
	struct trace t;
	struct t13_view v;
	start(&t, 0x1302);
	server_flight(&t, true);
	add(&t, 0, t13_record_len(&t.in.z, T13_EMPTY_CERT, T13_JSSE_PAD), 12);
	add(&t, 1, t13_record_len(&t.in.z, T13_ALERT, 0), 14);
	add(&t, 0, t13_record_len(&t.in.z, t13_finished_len(&t.in.z), T13_JSSE_PAD), 16);
	closes(&t, 17, 15);
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_SERVER_ALERT);
	CU_ASSERT_TRUE(v.failed);
	CU_ASSERT_TRUE(v.alert_in_cflight);
	CU_ASSERT_EQUAL(v.client_cert, T13_CERT_EMPTY);
	CU_ASSERT_EQUAL(v.cflight_first, 12);
	CU_ASSERT_EQUAL(v.cflight_frame, 16);
	CU_ASSERT_EQUAL(v.ended_by, 1);
	CU_ASSERT_EQUAL(v.alert_frame, 14);
	CU_ASSERT_EQUAL(v.end_frame, 14);
	CU_ASSERT_STRING_EQUAL(t13_view_name(&v), "server alert on the client's Certificate, before its Finished");
	/* a server record between them that is not alert-sized is no verdict */
	start(&t, 0x1302);
	server_flight(&t, true);
	add(&t, 0, t13_record_len(&t.in.z, T13_EMPTY_CERT, T13_JSSE_PAD), 12);
	add(&t, 1, t13_record_len(&t.in.z, 200, 0), 14);
	add(&t, 0, t13_record_len(&t.in.z, t13_finished_len(&t.in.z), T13_JSSE_PAD), 16);
	closes(&t, 17, 15);
	t13_infer(&t.in, &v);
	CU_ASSERT_FALSE(v.alert_in_cflight);
	CU_ASSERT_NOT_EQUAL(v.alert_frame, 14);
}

static void test_client_alert(void)
{
	for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
		struct trace t;
		struct t13_view v;
		start(&t, sizes[i].suite);
		server_flight(&t, false);
		add(&t, 0, sizes[i].alert, 10);
		closes(&t, 11, 12);
		t13_infer(&t.in, &v);
		CU_ASSERT_EQUAL(v.pattern, T13_CLIENT_ALERT);
		CU_ASSERT_EQUAL(v.ended_by, 0);
		CU_ASSERT_FALSE(v.client_finished);
		CU_ASSERT_EQUAL(v.pad[0], 0);
		/* Java pads each record with 16 zero bytes */
		start(&t, sizes[i].suite);
		server_flight(&t, false);
		add(&t, 0, sizes[i].alert + T13_JSSE_PAD, 10);
		closes(&t, 15, 14);
		t13_infer(&t.in, &v);
		CU_ASSERT_EQUAL(v.pattern, T13_CLIENT_ALERT);
		CU_ASSERT_EQUAL(v.pad[0], T13_JSSE_PAD);
		CU_ASSERT_EQUAL(v.alert_frame, 10);
	}
}

static void test_completed_and_tickets(void)
{
	for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
		struct trace t;
		struct t13_view v;
		start(&t, sizes[i].suite);
		server_flight(&t, true);
		add(&t, 0, t13_record_len(&t.in.z, 1700, 0), 10);   /* Certificate */
		add(&t, 0, t13_record_len(&t.in.z, 264, 0), 10);    /* CertificateVerify */
		add(&t, 0, sizes[i].finished, 10);
		add(&t, 1, 250, 11);
		add(&t, 1, 250, 11);
		add(&t, 0, 100, 12);
		add(&t, 1, 400, 13);
		add(&t, 0, sizes[i].alert, 14);
		add(&t, 1, sizes[i].alert, 15);
		closes(&t, 14, 16);
		t13_infer(&t.in, &v);
		CU_ASSERT_EQUAL(v.pattern, T13_COMPLETED);
		CU_ASSERT_FALSE(v.failed);
		CU_ASSERT_EQUAL(v.client_cert, T13_CERT_SENT);
		CU_ASSERT_EQUAL(v.cert_len, 1700);
		CU_ASSERT_EQUAL(v.nst, 2);
		CU_ASSERT_EQUAL(v.app[0], 1);
		CU_ASSERT_EQUAL(v.app[1], 1);
		/* a ticket fetch: tickets, then the client's close_notify, no data */
		start(&t, sizes[i].suite);
		server_flight(&t, false);
		add(&t, 0, sizes[i].finished, 10);
		add(&t, 1, 250, 11);
		add(&t, 1, 250, 11);
		add(&t, 0, sizes[i].alert, 14);
		add(&t, 1, sizes[i].alert, 15);
		closes(&t, 16, 17);
		t13_infer(&t.in, &v);
		CU_ASSERT_EQUAL(v.pattern, T13_NO_DATA);
		CU_ASSERT_FALSE(v.failed);
	}
}

static void test_closed_after_finished(void)
{
	struct trace t;
	struct t13_view v;
	/* curl: Finished, close_notify at once, then the server's ticket arrives */
	start(&t, 0x1302);
	server_flight(&t, false);
	add(&t, 0, 69, 10);
	add(&t, 0, 19, 11);
	add(&t, 1, 250, 15);
	closes(&t, 12, 0);
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_CLIENT_CLOSED_AFTER_FINISHED);
	CU_ASSERT_EQUAL(v.ended_by, 0);
	CU_ASSERT_EQUAL(v.end_frame, 11);
	CU_ASSERT_EQUAL(v.client_cert, T13_CERT_NONE);
	/* openssl s_client with stdin at EOF: Finished and close_notify at once, the
	 * server's tickets, then its close_notify answering the client's: not a rejection */
	start(&t, 0x1302);
	server_flight(&t, false);
	add(&t, 0, 69, 8);
	add(&t, 0, 19, 9);
	add(&t, 1, 255, 11);
	add(&t, 1, 255, 12);
	add(&t, 1, 19, 14);
	closes(&t, 10, 15);
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_NO_DATA);
	CU_ASSERT_FALSE(v.failed);
	CU_ASSERT_EQUAL(v.nst, 2);
	/* ... and without tickets */
	t.in.n[1] -= 3;
	t.in.total[1] -= 3;
	add(&t, 1, 19, 14);
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_NO_DATA);
	CU_ASSERT_FALSE(v.failed);
	/* the client's close_notify unanswered, but it read the tickets until the server's
	 * close (openssl s_client -starttls): graceful; with curl's reset: rejected */
	start(&t, 0x1302);
	server_flight(&t, false);
	add(&t, 0, 69, 11);
	add(&t, 0, 19, 12);
	add(&t, 1, 250, 14);
	add(&t, 1, 250, 15);
	closes(&t, 13, 15);
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_NO_DATA);
	CU_ASSERT_FALSE(v.failed);
	t.in.reset[0] = true;
	closes(&t, 16, 15);
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_CLIENT_CLOSED_AFTER_FINISHED);
	CU_ASSERT_TRUE(v.failed);
	/* the same close, the server answering the close_notify but not closing before
	 * the client's reset (a live run of curl held by strace, the server having
	 * retransmitted a ticket): its record answers the client's closing alert, it is
	 * no data; without the reset, the same end is graceful */
	start(&t, 0x1302);
	server_flight(&t, false);
	add(&t, 0, 69, 8);
	add(&t, 1, 250, 9);
	add(&t, 1, 250, 10);
	add(&t, 0, 19, 13);
	add(&t, 1, 19, 14);
	t.in.reset[0] = true;
	closes(&t, 16, 0);
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_CLIENT_CLOSED_AFTER_FINISHED);
	CU_ASSERT_TRUE(v.failed);
	CU_ASSERT_EQUAL(v.end_frame, 13);
	t.in.reset[0] = false;
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_NO_DATA);
	CU_ASSERT_FALSE(v.failed);
	/* the server's alert-sized record before the client's close is no answer to it */
	start(&t, 0x1302);
	server_flight(&t, false);
	add(&t, 0, 69, 10);
	add(&t, 1, 19, 11);
	add(&t, 0, 19, 12);
	closes(&t, 13, 14);
	t13_infer(&t.in, &v);
	CU_ASSERT_TRUE(v.failed);
	/* nothing from the client after the server's flight: closed before its Finished */
	start(&t, 0x1301);
	server_flight(&t, false);
	closes(&t, 0, 0);
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_OPEN);
	closes(&t, 12, 0);
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_CLOSED_BEFORE_FINISHED);
	CU_ASSERT_EQUAL(v.ended_by, 0);
}

/* Neither side closed (the capture ends first): an alert-sized server record
 * after the client's flight is its verdict; tickets accept the flight; nothing,
 * or the client's data alone, leaves it open and unanswered. */
static void test_open(void)
{
	for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
		struct trace t;
		struct t13_view v;
		start(&t, sizes[i].suite);
		server_flight(&t, true);
		add(&t, 0, sizes[i].empty_and_finished, 10);
		t13_infer(&t.in, &v);
		CU_ASSERT_EQUAL(v.pattern, T13_OPEN);
		CU_ASSERT_FALSE(v.failed);
		CU_ASSERT_FALSE(v.answered);
		CU_ASSERT_EQUAL(v.client_cert, T13_CERT_EMPTY);
		add(&t, 1, sizes[i].alert, 11);
		t13_infer(&t.in, &v);
		CU_ASSERT_EQUAL(v.pattern, T13_SERVER_ALERT);
		CU_ASSERT_TRUE(v.failed);
		CU_ASSERT_TRUE(v.unclosed);
		CU_ASSERT_EQUAL(v.ended_by, 1);
		CU_ASSERT_EQUAL(v.alert_frame, 11);
		CU_ASSERT_EQUAL(v.end_frame, 11);
		/* the client's request before the server's alert is no answer */
		start(&t, sizes[i].suite);
		server_flight(&t, true);
		add(&t, 0, sizes[i].empty_and_finished, 10);
		add(&t, 0, t13_record_len(&t.in.z, 80, 0), 10);
		t13_infer(&t.in, &v);
		CU_ASSERT_EQUAL(v.pattern, T13_OPEN);
		CU_ASSERT_FALSE(v.answered);
		add(&t, 1, sizes[i].alert, 11);
		t13_infer(&t.in, &v);
		CU_ASSERT_EQUAL(v.pattern, T13_SERVER_ALERT);
		CU_ASSERT_TRUE(v.unclosed);
	}
	/* a ticket accepts the flight; the client's alert-sized record before it leaves it open */
	struct trace t;
	struct t13_view v;
	start(&t, 0x1302);
	server_flight(&t, false);
	add(&t, 0, 69, 10);
	add(&t, 1, 250, 11);
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_OPEN);
	CU_ASSERT_TRUE(v.answered);
	CU_ASSERT_FALSE(v.failed);
	start(&t, 0x1302);
	server_flight(&t, false);
	add(&t, 0, 69, 10);
	add(&t, 0, 19, 11);
	add(&t, 1, 250, 12);
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_OPEN);
	CU_ASSERT_FALSE(v.answered);
	/* two server records after the flight, the last alert-sized: not the lone verdict */
	start(&t, 0x1302);
	server_flight(&t, false);
	add(&t, 0, 69, 10);
	add(&t, 1, 250, 11);
	add(&t, 1, 19, 12);
	t13_infer(&t.in, &v);
	CU_ASSERT_FALSE(v.unclosed);
}

static void test_nginx_pattern(void)
{
	struct trace t;
	struct t13_view v;
	/* empty Certificate + Finished, tickets, one request, one short answer, the server's close */
	start(&t, 0x1302);
	server_flight(&t, true);
	add(&t, 0, 25, 10);
	add(&t, 0, 69, 10);
	add(&t, 1, 298, 11);
	add(&t, 1, 298, 12);
	add(&t, 0, 100, 13);
	add(&t, 1, 406, 14);
	add(&t, 1, 19, 15);
	add(&t, 0, 19, 17);
	closes(&t, 0, 16);
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_SERVER_REJECTED_REQUEST);
	CU_ASSERT_EQUAL(v.ended_by, 1);
	CU_ASSERT_EQUAL(v.response_frame, 14);
	CU_ASSERT_EQUAL(v.end_frame, 16);
	/* the same with the client closing first: optional client authentication */
	t.in.n[1]--;
	t.in.total[1]--;
	closes(&t, 16, 18);
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_COMPLETED);
	CU_ASSERT_EQUAL(v.client_cert, T13_CERT_EMPTY);
}

static void test_nothing_inferred(void)
{
	struct trace t;
	struct t13_view v;
	/* padding that is not Java's: the client's flight fits nothing */
	start(&t, 0x1301);
	server_flight(&t, false);
	add(&t, 0, 53 + 7, 10);
	add(&t, 1, 19, 11);
	closes(&t, 13, 12);
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_UNKNOWN);
	CU_ASSERT_FALSE(v.failed);
	/* lost packets, 0-RTT, an unknown suite */
	start(&t, 0x1301);
	server_flight(&t, false);
	add(&t, 0, 19, 10);
	t.in.lost = true;
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_UNKNOWN);
	t.in.lost = false;
	t.in.early_data = true;
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_UNKNOWN);
	t.in.early_data = false;
	memset(&t.in.z, 0, sizeof t.in.z);
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_UNKNOWN);
	/* a resumed (PSK) handshake has no certificates: an 8-byte record is no empty Certificate */
	start(&t, 0x1301);
	server_flight(&t, false);
	t.in.resumed = true;
	add(&t, 0, 25, 10);
	add(&t, 0, 53, 10);
	t13_infer(&t.in, &v);
	CU_ASSERT_EQUAL(v.pattern, T13_UNKNOWN);
}

static void test_explain(void)
{
	struct trace t;
	struct t13_view v;
	start(&t, 0x1302);
	server_flight(&t, true);
	add(&t, 0, 25, 10);
	add(&t, 0, 69, 10);
	add(&t, 1, 19, 11);
	closes(&t, 13, 12);
	t13_infer(&t.in, &v);
	struct strbuf b;
	sb_init(&b);
	t13_explain_client_flight(&b, &t.in, &v);
	CU_ASSERT_STRING_EQUAL(b.p, "25 = 8 (empty Certificate: type, length, empty context, empty list) + 1 (content type) "
				    "+ 16 (AEAD tag); 69 = 52 (Finished, 4 + 48-byte SHA-384 hash) + 1 (content type) + "
				    "16 (AEAD tag)");
	sb_free(&b);
	sb_init(&b);
	t13_explain_alert(&b, &t.in, &v);
	CU_ASSERT_STRING_EQUAL(b.p, "19 = 2 (alert: level, description) + 1 (content type) + 16 (AEAD tag)");
	sb_free(&b);
}

void register_tls13_infer_tests(void)
{
	CU_pSuite suite = CU_add_suite("tls13_infer", NULL, NULL);
	if (suite == NULL)
		return;
	CU_add_test(suite, "sizes of every TLS 1.3 suite", test_sizes);
	CU_add_test(suite, "empty Certificate rejected by the server", test_empty_certificate_rejected);
	CU_add_test(suite, "the server's alert between Java's Certificate and Finished", test_alert_within_client_flight);
	CU_add_test(suite, "client alert instead of Finished, Java padding", test_client_alert);
	CU_add_test(suite, "completed, tickets, ticket fetch", test_completed_and_tickets);
	CU_add_test(suite, "closes after and before the client's Finished", test_closed_after_finished);
	CU_add_test(suite, "no close: the server's alert, tickets, nothing", test_open);
	CU_add_test(suite, "nginx: short answer and the server's close", test_nginx_pattern);
	CU_add_test(suite, "padding, loss, 0-RTT, PSK: nothing inferred", test_nothing_inferred);
	CU_add_test(suite, "the arithmetic in words", test_explain);
}
