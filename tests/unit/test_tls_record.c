/* test_tls_record.c - CUnit tests for TLS record framing (src/tls_record.c) through recording callbacks. */
#include "tls_record.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "mem.h"
#include "unit.h"

/* ---- recording callbacks ---- */

/* One log line per callback:
 *   R<side>:<type>:<version>:<len>:f<frame>:<body>;   record
 *   A<side>:<version>:<len>:f<frame>;                 appdata
 *   V<side>:<len>:f<frame>:<body>;                    SSLv2 ClientHello
 *   P<side>:f<frame>;                                 plaintext begins (the bytes, which
 *                                                     may come in several calls, are
 *                                                     collected in plain[]: up to 64)
 *   S<side>:f<frame>:<skipped>:<starttls>;            resync
 *   E:f<frame>:<id>;                                  event
 * Bodies are written as text, other bytes as \xHH. */
struct rlog {
	char *s;
	size_t n, cap;
	unsigned records, appdata, events;
	int side;
	unsigned wrong_side;
	unsigned bad_hdr;      /* a header not as on the wire, a body missing from a record that is not app data */
	uint8_t plain[LIM_PLAINTEXT_PREFIX];
	uint32_t plain_n;
	bool plain_seen;
};

static void rlog_add(struct rlog *l, const char *text, size_t n)
{
	if (l->n + n + 1 > l->cap) {
		l->cap = (l->n + n + 1) * 2;
		l->s = realloc(l->s, l->cap);
	}
	memcpy(l->s + l->n, text, n);
	l->n += n;
	l->s[l->n] = '\0';
}

static void rlog_fmt(struct rlog *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rlog_fmt(struct rlog *l, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	rlog_add(l, buf, w < 0 ? 0 : (size_t)w < sizeof buf ? (size_t)w : sizeof buf - 1);
}

static void rlog_bytes(struct rlog *l, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\' && p[i] != ';')
			rlog_add(l, (const char *)p + i, 1);
		else
			rlog_fmt(l, "\\x%02x", p[i]);
	}
}

static void side_check(struct rlog *l, int side)
{
	if (side != l->side)
		l->wrong_side++;
}

/* A record with its body logs R, application data whose body was not kept logs A. */
static void cb_record(void *ctx, int side, const struct tls_rec_hdr *h, const uint8_t *body, uint64_t frame,
		      const struct ts *t)
{
	struct rlog *l = ctx;
	(void)t;
	side_check(l, side);
	if (!body) {
		l->appdata++;
		if (h->type != TLS_CT_APPDATA)
			l->bad_hdr++;   /* only application data may come without its body */
		rlog_fmt(l, "A%d:%04x:%u:f%llu;", side, h->version, h->len, (unsigned long long)frame);
		return;
	}
	l->records++;
	rlog_fmt(l, "R%d:%u:%04x:%u:f%llu:", side, h->type, h->version, h->len, (unsigned long long)frame);
	rlog_bytes(l, body, h->len);
	rlog_add(l, ";", 1);
	/* the header bytes as they were on the wire */
	uint8_t wire[5] = { h->type, (uint8_t)(h->version >> 8), (uint8_t)h->version, (uint8_t)(h->len >> 8),
			    (uint8_t)h->len };
	if (memcmp(wire, h->wire, 5) != 0)
		l->bad_hdr++;
}

static void cb_sslv2(void *ctx, int side, const uint8_t *body, uint32_t len, uint64_t frame, const struct ts *t)
{
	struct rlog *l = ctx;
	(void)t;
	side_check(l, side);
	rlog_fmt(l, "V%d:%u:f%llu:", side, len, (unsigned long long)frame);
	rlog_bytes(l, body, len);
	rlog_add(l, ";", 1);
}

static void cb_plaintext(void *ctx, int side, const uint8_t *p, uint32_t n, uint64_t frame)
{
	struct rlog *l = ctx;
	side_check(l, side);
	if (!l->plain_seen)
		rlog_fmt(l, "P%d:f%llu;", side, (unsigned long long)frame);
	l->plain_seen = true;
	for (uint32_t i = 0; i < n && l->plain_n < sizeof l->plain; i++)
		l->plain[l->plain_n++] = p[i];
}

/* The collected plaintext prefix, as text with \xHH escapes. */
static void plain_text(const struct rlog *l, char *out, size_t len)
{
	size_t o = 0;
	for (uint32_t i = 0; i < l->plain_n && o + 5 < len; i++) {
		uint8_t c = l->plain[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
	}
	out[o] = '\0';
}

static void cb_resync(void *ctx, int side, uint64_t frame, uint64_t skipped, bool starttls)
{
	struct rlog *l = ctx;
	side_check(l, side);
	rlog_fmt(l, "S%d:f%llu:%llu:%d;", side, (unsigned long long)frame, (unsigned long long)skipped, starttls);
}

static void cb_event(void *ctx, uint64_t frame, const char *id, const char *detail)
{
	struct rlog *l = ctx;
	(void)detail;
	l->events++;
	rlog_fmt(l, "E:f%llu:%s;", (unsigned long long)frame, id);
}

static const struct tls_rec_cb cbs = {
	.record = cb_record,
	.sslv2 = cb_sslv2,
	.plaintext = cb_plaintext,
	.resync = cb_resync,
	.event = cb_event,
};

static const struct ts t0 = { 1700000000, 0 };

struct fixture {
	struct tls_rec_dir d;
	struct rlog l;
};

static void fx_init(struct fixture *fx, int side, bool mid_stream)
{
	memset(fx, 0, sizeof *fx);
	fx->l.side = side;
	rlog_add(&fx->l, "", 0);
	tls_rec_init(&fx->d, mid_stream);
}

static void fx_free(struct fixture *fx)
{
	tls_rec_free(&fx->d);
	free(fx->l.s);
	fx->l.s = NULL;
}

static void feed(struct fixture *fx, const void *p, size_t n, uint64_t frame)
{
	tls_rec_feed(&fx->d, fx->l.side, p, (uint32_t)n, frame, &t0, &cbs, &fx->l);
}

static void feed_str(struct fixture *fx, const char *s, uint64_t frame)
{
	feed(fx, s, strlen(s), frame);
}

/* A record: type, version, body. */
static void put_record(struct bb *b, uint8_t type, uint16_t version, const void *body, size_t n)
{
	bb_u8(b, type);
	bb_u16(b, version);
	bb_begin(b, 2);
	bb_bytes(b, body, n);
	bb_end(b);
}

static void put_record_str(struct bb *b, uint8_t type, uint16_t version, const char *body)
{
	put_record(b, type, version, body, strlen(body));
}

/* ---- framing ---- */

static void test_record_spanning_chunks(void)
{
	struct fixture fx;
	struct bb b;
	char body[101];
	for (int i = 0; i < 100; i++)
		body[i] = (char)('a' + i % 26);
	body[100] = '\0';
	bb_init(&b);
	put_record_str(&b, TLS_CT_HANDSHAKE, 0x0303, body);
	fx_init(&fx, 1, false);
	for (size_t off = 0, frame = 1; off < b.n; off += 7, frame++)
		feed(&fx, b.p + off, b.n - off < 7 ? b.n - off : 7, frame);
	char want[200];
	snprintf(want, sizeof want, "R1:22:0303:100:f15:%s;", body);   /* 105 bytes: 15 chunks */
	CU_ASSERT_STRING_EQUAL(fx.l.s, want);
	CU_ASSERT_EQUAL(fx.d.records, 1);
	CU_ASSERT_EQUAL(fx.d.state, RS_HEADER);
	CU_ASSERT_EQUAL(fx.l.wrong_side, 0);
	fx_free(&fx);
	bb_free(&b);
}

static void test_several_records_per_chunk(void)
{
	struct fixture fx;
	struct bb b;
	static const uint8_t alert[2] = { 2, 40 }, ccs[1] = { 1 };
	bb_init(&b);
	put_record_str(&b, TLS_CT_HANDSHAKE, 0x0301, "one");
	put_record(&b, TLS_CT_ALERT, 0x0303, alert, 2);
	put_record(&b, TLS_CT_CCS, 0x0303, ccs, 1);
	put_record_str(&b, TLS_CT_HEARTBEAT, 0x0303, "hb");
	put_record_str(&b, TLS_CT_APPDATA, 0x0303, "secret");
	put_record_str(&b, TLS_CT_HANDSHAKE, 0x0303, "two");
	fx_init(&fx, 0, false);
	feed(&fx, b.p, b.n, 4);
	CU_ASSERT_STRING_EQUAL(fx.l.s,
		"R0:22:0301:3:f4:one;R0:21:0303:2:f4:\\x02(;R0:20:0303:1:f4:\\x01;R0:24:0303:2:f4:hb;"
		"A0:0303:6:f4;R0:22:0303:3:f4:two;");
	CU_ASSERT_EQUAL(fx.d.records, 6);
	CU_ASSERT_EQUAL(fx.d.last_version, 0x0303);
	CU_ASSERT_EQUAL(fx.l.bad_hdr, 0);
	fx_free(&fx);
	bb_free(&b);
}

static void test_zero_length_records(void)
{
	struct fixture fx;
	struct bb b;
	bb_init(&b);
	put_record_str(&b, TLS_CT_HANDSHAKE, 0x0303, "");
	put_record_str(&b, TLS_CT_HANDSHAKE, 0x0303, "x");
	put_record_str(&b, TLS_CT_APPDATA, 0x0303, "");
	put_record_str(&b, TLS_CT_HANDSHAKE, 0x0303, "");   /* the chunk ends with it */
	fx_init(&fx, 0, false);
	feed(&fx, b.p, b.n, 1);
	CU_ASSERT_STRING_EQUAL(fx.l.s, "R0:22:0303:0:f1:;R0:22:0303:1:f1:x;A0:0303:0:f1;R0:22:0303:0:f1:;");
	/* the header of an empty record split over two chunks */
	bb_reset(&b);
	put_record_str(&b, TLS_CT_HANDSHAKE, 0x0303, "");
	feed(&fx, b.p, 3, 2);
	feed(&fx, b.p + 3, 2, 3);
	CU_ASSERT_STRING_EQUAL(fx.l.s,
		"R0:22:0303:0:f1:;R0:22:0303:1:f1:x;A0:0303:0:f1;R0:22:0303:0:f1:;R0:22:0303:0:f3:;");
	CU_ASSERT_EQUAL(fx.l.events, 0);
	fx_free(&fx);
	bb_free(&b);
}

/* Application data is counted, never handed to record() nor copied. */
static void test_appdata_body_never_handed_to_record(void)
{
	struct fixture fx;
	struct bb b;
	static const uint8_t close_notify[2] = { 1, 0 };
	bb_init(&b);
	fx_init(&fx, 0, false);
	/* a handshake first: appdata may not start a stream */
	put_record_str(&b, TLS_CT_HANDSHAKE, 0x0303, "hs");
	feed(&fx, b.p, b.n, 1);
	bb_reset(&b);
	bb_u8(&b, TLS_CT_APPDATA);
	bb_u16(&b, 0x0303);
	bb_u16(&b, 1000);
	bb_fill(&b, 0xab, 1000);
	put_record(&b, TLS_CT_ALERT, 0x0303, close_notify, 2);
	size_t before = mem_in_use();
	feed(&fx, b.p, 105, 2);
	for (uint64_t f = 3; f <= 11; f++) {
		feed(&fx, b.p + 105 + (f - 3) * 100, 100, f);
		if (f < 11)
			CU_ASSERT_EQUAL(mem_in_use(), before);   /* nothing buffered */
	}
	feed(&fx, b.p + 1005, b.n - 1005, 12);
	CU_ASSERT_STRING_EQUAL(fx.l.s, "R0:22:0303:2:f1:hs;A0:0303:1000:f11;R0:21:0303:2:f12:\\x01\\x00;");
	CU_ASSERT_EQUAL(fx.l.records, 2);
	CU_ASSERT_EQUAL(fx.l.appdata, 1);
	CU_ASSERT_EQUAL(mem_in_use(), before);
	fx_free(&fx);
	bb_free(&b);
}

static void test_record_length_limits(void)
{
	struct fixture fx;
	struct bb b;
	bb_init(&b);
	/* exactly LIM_RECORD_LEN is fine */
	bb_u8(&b, TLS_CT_HANDSHAKE);
	bb_u16(&b, 0x0303);
	bb_u16(&b, LIM_RECORD_LEN);
	bb_fill(&b, 'z', LIM_RECORD_LEN);
	fx_init(&fx, 0, false);
	feed(&fx, b.p, b.n, 1);
	CU_ASSERT_EQUAL(fx.l.records, 1);
	CU_ASSERT_EQUAL(fx.l.events, 0);
	/* one more is not TLS */
	bb_reset(&b);
	bb_u8(&b, TLS_CT_HANDSHAKE);
	bb_u16(&b, 0x0303);
	bb_u16(&b, LIM_RECORD_LEN + 1);
	bb_fill(&b, 'z', 16);
	feed(&fx, b.p, b.n, 2);
	CU_ASSERT_EQUAL(fx.l.records, 1);
	CU_ASSERT_EQUAL(fx.l.events, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(fx.l.s, "E:f2:tls.bad_record;"));
	CU_ASSERT_EQUAL(fx.d.state, RS_SEEK);
	fx_free(&fx);
	bb_free(&b);
}

static void test_plausible_headers(void)
{
	static const struct {
		uint8_t h[5];
		uint32_t n;
		bool ok;
	} cases[] = {
		{ { 22, 3, 3, 0, 5 }, 5, true },
		{ { 20, 3, 0, 0, 1 }, 5, true },      /* SSL 3.0 */
		{ { 24, 3, 4, 0, 1 }, 5, true },      /* TLS 1.3 value in a record */
		{ { 23, 3, 3, 0x48, 0 }, 5, true },   /* 18432 = LIM_RECORD_LEN */
		{ { 23, 3, 3, 0x48, 1 }, 5, false },
		{ { 19, 3, 3, 0, 5 }, 5, false },
		{ { 25, 3, 3, 0, 5 }, 5, false },
		{ { 22, 2, 0, 0, 5 }, 5, false },
		{ { 22, 3, 5, 0, 5 }, 5, false },
		{ { 22, 0xfe, 0xfd, 0, 5 }, 5, false },   /* DTLS */
		{ { 22, 3, 3, 0, 5 }, 4, false },     /* too short to tell */
		{ { 'G', 'E', 'T', ' ', '/' }, 5, false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CU_ASSERT_EQUAL(tls_rec_plausible(cases[i].h, cases[i].n), cases[i].ok);
}

/* ---- SSLv2-compatible ClientHello ---- */

static void put_sslv2_hello(struct bb *b)
{
	bb_u8(b, 0x80);
	bb_u8(b, 46);
	bb_u8(b, 1);           /* CLIENT-HELLO */
	bb_u16(b, 0x0301);
	bb_u16(b, 21);         /* cipher specs */
	bb_u16(b, 0);          /* session id */
	bb_u16(b, 16);         /* challenge */
	for (int i = 0; i < 7; i++) {
		bb_u8(b, 0);
		bb_u16(b, 0x002f + (unsigned)i);
	}
	bb_fill(b, 'C', 16);
}

static void test_sslv2_client_hello(void)
{
	struct fixture whole, bytewise;
	struct bb b;
	bb_init(&b);
	put_sslv2_hello(&b);
	CU_ASSERT_EQUAL(b.n, 48);
	put_record_str(&b, TLS_CT_HANDSHAKE, 0x0301, "next");
	fx_init(&whole, 0, false);
	feed(&whole, b.p, b.n, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(whole.l.s, "V0:46:f1:\\x01\\x03\\x01\\x00\\x15\\x00\\x00\\x00\\x10\\x00\\x00/"));
	CU_ASSERT_PTR_NOT_NULL(strstr(whole.l.s, "CCCCCCCCCCCCCCCC;R0:22:0301:4:f1:next;"));
	CU_ASSERT_EQUAL(whole.d.records, 2);
	CU_ASSERT_EQUAL(whole.l.events, 0);
	fx_init(&bytewise, 0, false);
	for (size_t i = 0; i < b.n; i++)
		feed(&bytewise, b.p + i, 1, 1);
	CU_ASSERT_STRING_EQUAL(bytewise.l.s, whole.l.s);
	fx_free(&whole);
	fx_free(&bytewise);

	/* a high bit but not a CLIENT-HELLO: not TLS */
	fx_init(&whole, 0, false);
	b.p[2] = 4;
	feed(&whole, b.p, b.n, 1);
	CU_ASSERT_EQUAL(strncmp(whole.l.s, "P0:", 3), 0);
	fx_free(&whole);
	bb_free(&b);
}

/* ---- not TLS, STARTTLS ---- */

static void test_non_tls_start_then_starttls(void)
{
	struct fixture fx;
	struct bb b;
	bb_init(&b);
	put_record_str(&b, TLS_CT_HANDSHAKE, 0x0301, "client hello");
	fx_init(&fx, 0, false);
	char plain[512];
	feed_str(&fx, "EHLO client.example\r\n", 1);
	CU_ASSERT_STRING_EQUAL(fx.l.s, "P0:f1;");
	plain_text(&fx.l, plain, sizeof plain);
	CU_ASSERT_STRING_EQUAL(plain, "EHLO client.example\\x0d\\x0a");
	CU_ASSERT_EQUAL(fx.d.state, RS_PLAINTEXT);
	feed_str(&fx, "STARTTLS\r\n", 2);
	/* a header in the middle of a chunk is not a switch */
	char mixed[64];
	memcpy(mixed, "NOOP", 4);
	memcpy(mixed + 4, b.p, b.n);
	feed(&fx, mixed, 4 + b.n, 3);
	CU_ASSERT_STRING_EQUAL(fx.l.s, "P0:f1;");
	plain_text(&fx.l, plain, sizeof plain);
	CU_ASSERT_EQUAL(strncmp(plain, "EHLO client.example\\x0d\\x0aSTARTTLS\\x0d\\x0aNOOP", 41), 0);
	/* a ClientHello at a chunk start is */
	feed(&fx, b.p, b.n, 4);
	char want[160];
	snprintf(want, sizeof want, "P0:f1;S0:f4:%zu:1;R0:22:0301:12:f4:client hello;", (size_t)(21 + 10 + 4 + b.n));
	CU_ASSERT_STRING_EQUAL(fx.l.s, want);
	CU_ASSERT_EQUAL(fx.d.state, RS_HEADER);
	fx_free(&fx);
	bb_free(&b);
}

/* The first bytes of a plaintext stream (up to LIM_PLAINTEXT_PREFIX) do
 * not depend on how TCP cut them into segments. */
static void test_plaintext_prefix_same_for_every_chunking(void)
{
	static const char text[] = "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: test\r\n\r\n";
	struct fixture whole;
	unsigned bad = 0, first_bad = 0;
	fx_init(&whole, 0, false);
	feed_str(&whole, text, 1);
	CU_ASSERT_STRING_EQUAL(whole.l.s, "P0:f1;");
	CU_ASSERT_EQUAL(whole.l.plain_n, LIM_PLAINTEXT_PREFIX);
	CU_ASSERT_EQUAL(memcmp(whole.l.plain, text, LIM_PLAINTEXT_PREFIX), 0);
	for (size_t chunk = 1; chunk <= 64; chunk++) {
		struct fixture fx;
		fx_init(&fx, 0, false);
		for (size_t off = 0; off < sizeof text - 1; off += chunk)
			feed(&fx, text + off, sizeof text - 1 - off < chunk ? sizeof text - 1 - off : chunk, 1);
		if ((strcmp(fx.l.s, whole.l.s) != 0 || fx.l.plain_n != whole.l.plain_n ||
		     memcmp(fx.l.plain, whole.l.plain, whole.l.plain_n) != 0) && bad++ == 0)
			first_bad = (unsigned)chunk;
		fx_free(&fx);
	}
	if (bad) {
		struct fixture fx;
		fx_init(&fx, 0, false);
		for (size_t off = 0; off < sizeof text - 1; off += first_bad)
			feed(&fx, text + off, sizeof text - 1 - off < first_bad ? sizeof text - 1 - off : first_bad, 1);
		UNIT_FAIL("plaintext prefix differs for %u of 64 chunk sizes; chunks of %u give \"%s\", whole gives \"%s\"",
			  bad, first_bad, fx.l.s, whole.l.s);
		fx_free(&fx);
	}
	fx_free(&whole);
}

/* ---- losing and finding the framing ---- */

static void test_bad_header_then_resync_same_version(void)
{
	struct fixture fx;
	struct bb b, v1, good;
	bb_init(&b);
	bb_init(&v1);
	bb_init(&good);
	put_record_str(&b, TLS_CT_HANDSHAKE, 0x0303, "first");
	put_record_str(&v1, TLS_CT_HANDSHAKE, 0x0301, "other version");
	put_record_str(&good, TLS_CT_HANDSHAKE, 0x0303, "again");
	fx_init(&fx, 0, false);
	feed(&fx, b.p, b.n, 1);
	static const uint8_t bad_type[] = { 0x99, 3, 3, 0, 2, 'z', 'z', 'z', 'z', 'z', 'z' };
	static const uint8_t bad_version[] = { 22, 3, 7, 0, 1, 'x' };
	static const uint8_t bad_length[] = { 22, 3, 3, 0xff, 0xff };
	feed(&fx, bad_type, sizeof bad_type, 2);          /* unknown content type */
	CU_ASSERT_STRING_EQUAL(fx.l.s, "R0:22:0303:5:f1:first;E:f2:tls.bad_record;");
	CU_ASSERT_EQUAL(fx.d.state, RS_SEEK);
	feed(&fx, v1.p, v1.n, 3);                          /* plausible, other version */
	feed_str(&fx, "garbage", 4);
	feed(&fx, good.p, good.n, 5);
	char want[160];
	snprintf(want, sizeof want, "R0:22:0303:5:f1:first;E:f2:tls.bad_record;S0:f5:%zu:0;R0:22:0303:5:f5:again;",
		 (size_t)(6 + v1.n + 7));
	CU_ASSERT_STRING_EQUAL(fx.l.s, want);
	CU_ASSERT_EQUAL(fx.d.state, RS_HEADER);

	/* a bad version and a bad length are bad records too */
	feed(&fx, bad_version, sizeof bad_version, 6);
	feed(&fx, good.p, good.n, 7);
	feed(&fx, bad_length, sizeof bad_length, 8);
	CU_ASSERT_EQUAL(fx.l.events, 3);
	CU_ASSERT_EQUAL(fx.l.records, 3);
	fx_free(&fx);
	bb_free(&b);
	bb_free(&v1);
	bb_free(&good);
}

static void test_gap_drops_partial_record_then_resync(void)
{
	struct fixture fx;
	struct bb a, b;
	bb_init(&a);
	bb_init(&b);
	put_record_str(&a, TLS_CT_HANDSHAKE, 0x0303, "complete");
	put_record_str(&b, TLS_CT_HANDSHAKE, 0x0303, "never whole");
	fx_init(&fx, 1, false);
	feed(&fx, a.p, a.n, 1);
	feed(&fx, b.p, 9, 2);          /* header + 4 body bytes */
	tls_rec_gap(&fx.d);
	CU_ASSERT_EQUAL(fx.d.state, RS_SEEK);
	feed_str(&fx, "ole", 3);       /* the tail of the lost record */
	feed(&fx, a.p, a.n, 4);
	CU_ASSERT_STRING_EQUAL(fx.l.s, "R1:22:0303:8:f1:complete;S1:f4:3:0;R1:22:0303:8:f4:complete;");
	/* a gap inside a header */
	feed(&fx, a.p, 3, 5);
	tls_rec_gap(&fx.d);
	feed(&fx, a.p, a.n, 6);
	CU_ASSERT_STRING_EQUAL(fx.l.s,
		"R1:22:0303:8:f1:complete;S1:f4:3:0;R1:22:0303:8:f4:complete;S1:f6:0:0;R1:22:0303:8:f6:complete;");
	CU_ASSERT_EQUAL(fx.l.events, 0);
	CU_ASSERT_EQUAL(fx.l.wrong_side, 0);
	fx_free(&fx);
	bb_free(&a);
	bb_free(&b);
}

/* A capture that starts mid-connection seeks a header at chunk starts. */
static void test_mid_stream_start_seeks_header(void)
{
	struct fixture fx;
	struct bb a;
	bb_init(&a);
	put_record_str(&a, TLS_CT_APPDATA, 0x0303, "encrypted");
	fx_init(&fx, 0, true);
	CU_ASSERT_EQUAL(fx.d.state, RS_SEEK);
	CU_ASSERT_TRUE(fx.d.mid_stream);
	feed_str(&fx, "tail of a record", 1);
	feed(&fx, a.p, a.n, 2);
	CU_ASSERT_STRING_EQUAL(fx.l.s, "S0:f2:16:0;A0:0303:9:f2;");
	fx_free(&fx);
	bb_free(&a);
}

/* ---- chunking ---- */

static void test_every_chunk_size_same_records(void)
{
	struct bb b;
	static const uint8_t alert[2] = { 1, 0 };
	char big[300];
	memset(big, 'B', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	bb_init(&b);
	put_record_str(&b, TLS_CT_HANDSHAKE, 0x0303, "hello there");
	put_record_str(&b, TLS_CT_HANDSHAKE, 0x0303, "");
	put_record_str(&b, TLS_CT_HANDSHAKE, 0x0303, big);
	put_record(&b, TLS_CT_CCS, 0x0303, "\x01", 1);
	put_record_str(&b, TLS_CT_APPDATA, 0x0303, big);
	put_record(&b, TLS_CT_ALERT, 0x0303, alert, 2);
	struct fixture whole;
	fx_init(&whole, 0, false);
	feed(&whole, b.p, b.n, 1);
	CU_ASSERT_EQUAL(whole.d.records, 6);
	unsigned bad = 0;
	for (size_t chunk = 1; chunk <= 64; chunk++) {
		struct fixture fx;
		struct guard g = { 0 };
		fx_init(&fx, 0, false);
		for (size_t off = 0; off < b.n; off += chunk) {
			size_t n = b.n - off < chunk ? b.n - off : chunk;
			feed(&fx, guard_move(&g, b.p + off, n), n, 1);
		}
		guard_free(&g);
		if (strcmp(fx.l.s, whole.l.s) != 0 || fx.l.bad_hdr)
			bad++;
		fx_free(&fx);
	}
	CU_ASSERT_EQUAL(bad, 0);
	fx_free(&whole);
	bb_free(&b);
}

/* Asked to (a decryptor wants them), application data bodies are handed up
 * whole, with the header as it was on the wire. */
static void test_appdata_kept_when_asked(void)
{
	struct fixture fx;
	struct bb b;
	bb_init(&b);
	put_record_str(&b, TLS_CT_HANDSHAKE, 0x0303, "hs");
	put_record_str(&b, TLS_CT_APPDATA, 0x0303, "sealed");
	put_record_str(&b, TLS_CT_APPDATA, 0x0303, "");
	fx_init(&fx, 1, false);
	fx.d.keep_appdata = true;
	for (size_t off = 0; off < b.n; off += 3)
		feed(&fx, b.p + off, b.n - off < 3 ? b.n - off : 3, 1 + off / 3);
	CU_ASSERT_STRING_EQUAL(fx.l.s, "R1:22:0303:2:f3:hs;R1:23:0303:6:f6:sealed;R1:23:0303:0:f8:;");
	CU_ASSERT_EQUAL(fx.l.appdata, 0);
	CU_ASSERT_EQUAL(fx.l.bad_hdr, 0);
	/* and no longer once the caller says so */
	fx.d.keep_appdata = false;
	feed(&fx, b.p + 7, b.n - 7, 9);
	CU_ASSERT_STRING_EQUAL(fx.l.s, "R1:22:0303:2:f3:hs;R1:23:0303:6:f6:sealed;R1:23:0303:0:f8:;"
			       "A1:0303:6:f9;A1:0303:0:f9;");
	fx_free(&fx);
	bb_free(&b);
}

/* A stream's first bytes tell who sent them when they start a hello. */
static void test_hello_sender(void)
{
	static const uint8_t ch[] = { 22, 3, 1, 0, 40, 1 }, sh[] = { 22, 3, 3, 0, 40, 2 };
	static const uint8_t cert[] = { 22, 3, 3, 0, 40, 11 }, v2[] = { 0x80, 46, 1 }, v2_other[] = { 0x80, 46, 4 };
	static const uint8_t dtls[] = { 22, 0xfe, 0xfd, 0, 40, 1 }, alert[] = { 21, 3, 3, 0, 2, 2 };
	CU_ASSERT_EQUAL(tls_rec_hello_sender(ch, sizeof ch), SIDE_CLIENT);
	CU_ASSERT_EQUAL(tls_rec_hello_sender(sh, sizeof sh), SIDE_SERVER);
	CU_ASSERT_EQUAL(tls_rec_hello_sender(v2, sizeof v2), SIDE_CLIENT);
	CU_ASSERT_EQUAL(tls_rec_hello_sender(cert, sizeof cert), -1);
	CU_ASSERT_EQUAL(tls_rec_hello_sender(v2_other, sizeof v2_other), -1);
	CU_ASSERT_EQUAL(tls_rec_hello_sender(dtls, sizeof dtls), -1);
	CU_ASSERT_EQUAL(tls_rec_hello_sender(alert, sizeof alert), -1);
	CU_ASSERT_EQUAL(tls_rec_hello_sender(ch, 5), -1);   /* the handshake type not captured */
	CU_ASSERT_EQUAL(tls_rec_hello_sender(v2, 2), -1);
	CU_ASSERT_EQUAL(tls_rec_hello_sender(NULL, 0), -1);
}

void register_tls_record_tests(void)
{
	CU_pSuite suite = CU_add_suite("tls_record", NULL, NULL);

	if (suite == NULL)
		return;
	CU_add_test(suite, "record spanning chunks: once, with the completing frame", test_record_spanning_chunks);
	CU_add_test(suite, "several records per chunk, every content type", test_several_records_per_chunk);
	CU_add_test(suite, "zero-length records", test_zero_length_records);
	CU_add_test(suite, "application data body never handed to record() nor buffered",
		test_appdata_body_never_handed_to_record);
	CU_add_test(suite, "record length LIM_RECORD_LEN accepted, one more is bad", test_record_length_limits);
	CU_add_test(suite, "tls_rec_plausible on good and bad headers", test_plausible_headers);
	CU_add_test(suite, "SSLv2-compatible ClientHello detected, whole and bytewise", test_sslv2_client_hello);
	CU_add_test(suite, "non-TLS start: plaintext callback, STARTTLS switch at a chunk start",
		test_non_tls_start_then_starttls);
	CU_add_test(suite, "plaintext prefix independent of chunking", test_plaintext_prefix_same_for_every_chunking);
	CU_add_test(suite, "bad header: tls.bad_record, resync on same version at chunk start",
		test_bad_header_then_resync_same_version);
	CU_add_test(suite, "gap drops the partial record, resync at a later chunk start",
		test_gap_drops_partial_record_then_resync);
	CU_add_test(suite, "mid-stream start seeks a header", test_mid_stream_start_seeks_header);
	CU_add_test(suite, "every chunk size 1..64 gives the same records", test_every_chunk_size_same_records);
	CU_add_test(suite, "application data kept whole when asked", test_appdata_kept_when_asked);
	CU_add_test(suite, "the sender of a hello at a stream start", test_hello_sender);
}
