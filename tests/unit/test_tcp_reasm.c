/* test_tcp_reasm.c - CUnit tests for one TCP direction's reassembly (src/tcp_reasm.c) through a recording sink. */
#include "tcp_reasm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "limits.h"
#include "mem.h"
#include "unit.h"

/* ---- the recording sink ---- */

/* Everything the reassembler handed on, in order: a log line per callback
 * ("d<frame>:<bytes>;", "g<frame>:<n>:<why>;", "e<frame>:<id>;"), and the
 * delivered bytes alone. */
struct rec {
	int dir;
	bool quiet;            /* big tests: count only */
	char log[4096];
	size_t log_n;
	uint8_t *stream;
	size_t stream_n, stream_cap;
	uint64_t data_bytes, gap_bytes;
	unsigned gaps, events, overflow_events, conflict_events, wrong_dir;
};

static void rec_log(struct rec *r, const char *fmt_prefix, uint64_t frame, const char *text, size_t n)
{
	if (r->quiet)
		return;
	int w = snprintf(r->log + r->log_n, sizeof r->log - r->log_n, "%s%llu:", fmt_prefix,
			 (unsigned long long)frame);
	if (w < 0 || (size_t)w >= sizeof r->log - r->log_n)
		return;
	r->log_n += (size_t)w;
	for (size_t i = 0; i < n && r->log_n + 2 < sizeof r->log; i++)
		r->log[r->log_n++] = text[i];
	if (r->log_n + 1 < sizeof r->log)
		r->log[r->log_n++] = ';';
	r->log[r->log_n] = '\0';
}

static void on_data(void *ctx, int dir, const uint8_t *p, uint32_t n, uint64_t frame, const struct ts *t)
{
	struct rec *r = ctx;
	(void)t;
	if (dir != r->dir)
		r->wrong_dir++;
	r->data_bytes += n;
	if (r->stream_n + n > r->stream_cap) {
		r->stream_cap = (r->stream_n + n) * 2;
		r->stream = realloc(r->stream, r->stream_cap);
	}
	memcpy(r->stream + r->stream_n, p, n);
	r->stream_n += n;
	rec_log(r, "d", frame, (const char *)p, n);
}

static void on_gap(void *ctx, int dir, uint32_t n, uint64_t frame, const char *why)
{
	struct rec *r = ctx;
	char text[96];
	if (dir != r->dir)
		r->wrong_dir++;
	r->gaps++;
	r->gap_bytes += n;
	snprintf(text, sizeof text, "%u:%s", n, why);
	rec_log(r, "g", frame, text, strlen(text));
}

static void on_event(void *ctx, uint64_t frame, const char *id, const char *detail)
{
	struct rec *r = ctx;
	(void)detail;
	r->events++;
	if (strcmp(id, "tcp.ooo_overflow") == 0)
		r->overflow_events++;
	if (strcmp(id, "tcp.overlap_conflict") == 0)
		r->conflict_events++;
	rec_log(r, "e", frame, id, strlen(id));
}

/* One direction under test with its sink. */
struct fixture {
	struct tcp_dir d;
	struct rec r;
	struct tcp_sink sink;
};

/* shared by every direction of these tests, as by an analyzer's connections */
static struct budget test_budget;

static void fx_init(struct fixture *fx, int dir)
{
	memset(fx, 0, sizeof *fx);
	tcp_dir_init(&fx->d, &test_budget);
	fx->r.dir = dir;
	fx->sink.data = on_data;
	fx->sink.gap = on_gap;
	fx->sink.event = on_event;
	fx->sink.ctx = &fx->r;
}

static void fx_free(struct fixture *fx)
{
	tcp_dir_free(&fx->d);
	free(fx->r.stream);
	fx->r.stream = NULL;
}

static const struct ts t0 = { 1700000000, 0 };

/* A segment whose payload is the text (all captured), or with caplen. */
static void seg_cap(struct fixture *fx, uint32_t seq, uint8_t flags, const void *payload, uint32_t caplen, uint32_t len,
		    uint64_t frame)
{
	struct tcp_seg s = { .seq = seq, .ack = 0, .flags = flags, .payload = payload, .caplen = caplen,
			     .len = len, .frame = frame, .time = t0 };
	tcp_dir_segment(&fx->d, fx->r.dir, &s, &fx->sink);
}

static void seg(struct fixture *fx, uint32_t seq, uint8_t flags, const char *text, uint64_t frame)
{
	uint32_t n = (uint32_t)strlen(text);
	seg_cap(fx, seq, flags, text, n, n, frame);
}

static void ack(struct fixture *fx, uint32_t a, uint64_t frame)
{
	tcp_dir_acked(&fx->d, fx->r.dir, a, frame, &t0, &fx->sink);
}

/* Another packet of the connection went by. */
static void age(struct fixture *fx, uint64_t frame)
{
	tcp_dir_age(&fx->d, fx->r.dir, frame, &t0, &fx->sink);
}

static void flush(struct fixture *fx, uint64_t frame)
{
	tcp_dir_flush(&fx->d, fx->r.dir, frame, &t0, &fx->sink);
}

/* The delivered bytes are exactly want (printable test data). */
static void expect_stream_line(const struct rec *r, const char *want, unsigned line)
{
	if (r->stream_n == strlen(want) && memcmp(r->stream, want, r->stream_n) == 0)
		CU_assertImplementation(CU_TRUE, line, "stream", __FILE__, "", CU_FALSE);
	else
		unit_fail(__FILE__, line, "delivered \"%.*s\", want \"%s\" (log %s)", (int)r->stream_n,
			  r->stream ? (const char *)r->stream : "", want, r->log);
}
#define EXPECT_STREAM(r, want) expect_stream_line(r, want, __LINE__)

/* ---- ordered delivery ---- */

static void test_in_order_delivery(void)
{
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1001, TCP_ACK | TCP_PSH, "abc", 2);
	seg(&fx, 1004, TCP_ACK, "def", 3);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;d3:def;");
	CU_ASSERT_TRUE(fx.d.syn);
	CU_ASSERT_EQUAL(fx.d.isn, 1000);
	CU_ASSERT_EQUAL(fx.d.next_seq, 1007);
	CU_ASSERT_EQUAL(fx.d.delivered, 6);
	CU_ASSERT_EQUAL(fx.d.retransmissions, 0);
	CU_ASSERT_EQUAL(fx.r.wrong_dir, 0);
	fx_free(&fx);
}

/* Queued bytes go out with the frame that filled the hole. */
static void test_out_of_order_delivered_with_filling_frame(void)
{
	uint64_t base = test_budget.ooo_bytes;
	struct fixture fx;
	fx_init(&fx, 1);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1007, TCP_ACK, "ghi", 2);
	seg(&fx, 1004, TCP_ACK, "def", 3);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "");
	CU_ASSERT_EQUAL(fx.d.ooo_segs, 2);
	CU_ASSERT_EQUAL(fx.d.ooo_bytes, 6);
	CU_ASSERT_EQUAL(test_budget.ooo_bytes, base + 6);
	seg(&fx, 1001, TCP_ACK, "abc", 4);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d4:abc;d4:def;d4:ghi;");
	CU_ASSERT_EQUAL(fx.d.ooo_segs, 0);
	CU_ASSERT_EQUAL(fx.d.ooo_bytes, 0);
	CU_ASSERT_PTR_NULL(fx.d.ooo);
	CU_ASSERT_EQUAL(test_budget.ooo_bytes, base);
	CU_ASSERT_EQUAL(fx.d.next_seq, 1010);
	CU_ASSERT_EQUAL(fx.r.wrong_dir, 0);
	fx_free(&fx);
}

static void test_retransmissions_ignored_and_counted(void)
{
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1001, TCP_ACK, "abc", 2);
	seg(&fx, 1001, TCP_ACK, "abc", 3);     /* whole */
	seg(&fx, 1002, TCP_ACK, "b", 4);       /* inside */
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;");
	CU_ASSERT_EQUAL(fx.d.retransmissions, 2);
	/* of queued data too */
	seg(&fx, 1007, TCP_ACK, "ghi", 5);
	seg(&fx, 1007, TCP_ACK, "ghi", 6);
	seg(&fx, 1008, TCP_ACK, "h", 7);
	CU_ASSERT_EQUAL(fx.d.retransmissions, 4);
	CU_ASSERT_EQUAL(fx.d.ooo_segs, 1);
	seg(&fx, 1004, TCP_ACK, "def", 8);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;d8:def;d8:ghi;");
	CU_ASSERT_EQUAL(fx.r.events, 0);
	fx_free(&fx);
}

static void test_partial_overlap_delivers_new_bytes_only(void)
{
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1001, TCP_ACK, "abc", 2);
	seg(&fx, 1002, TCP_ACK, "bcdef", 3);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;d3:def;");
	/* an in-order segment that runs into queued (identical) bytes: its new
	 * part, then the queued copy (which came first) */
	seg(&fx, 1009, TCP_ACK, "ijk", 4);
	seg(&fx, 1007, TCP_ACK, "ghij", 5);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;d3:def;d5:gh;d5:ijk;");
	EXPECT_STREAM(&fx.r, "abcdefghijk");
	CU_ASSERT_EQUAL(fx.d.next_seq, 1012);
	CU_ASSERT_EQUAL(fx.r.events, 0);
	fx_free(&fx);
}

/* A copy of queued bytes with different content: the first copy is kept
 * and the conflict is an event. */
static void test_overlap_conflict_inside_queued_keeps_first(void)
{
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1004, TCP_ACK, "defg", 2);
	seg(&fx, 1004, TCP_ACK, "DEFG", 3);
	seg(&fx, 1001, TCP_ACK, "abc", 4);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "e3:tcp.overlap_conflict;d4:abc;d4:defg;");
	EXPECT_STREAM(&fx.r, "abcdefg");
	CU_ASSERT_EQUAL(fx.d.ooo_segs, 0);
	fx_free(&fx);
}

/* The conflicting copy starts before the queued one and ends inside it:
 * the shared bytes still come from the first copy. */
static void test_overlap_conflict_starting_earlier_keeps_first(void)
{
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1006, TCP_ACK, "fgh", 2);     /* first copy of 1006..1009 */
	seg(&fx, 1004, TCP_ACK, "DEFG", 3);    /* 1004..1008: "FG" differs */
	seg(&fx, 1001, TCP_ACK, "abc", 4);
	CU_ASSERT_EQUAL(fx.r.conflict_events, 1);
	EXPECT_STREAM(&fx.r, "abcDEfgh");
	CU_ASSERT_EQUAL(fx.d.next_seq, 1009);
	fx_free(&fx);
}

/* An in-order segment that overlaps queued bytes with different content:
 * the queued bytes arrived first and are kept; the conflict is an event. */
static void test_overlap_conflict_in_order_segment_keeps_queued(void)
{
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1001, TCP_ACK, "abc", 2);
	seg(&fx, 1006, TCP_ACK, "fgh", 3);     /* queued first */
	seg(&fx, 1004, TCP_ACK, "deFGH", 4);   /* in order, "FGH" differs */
	CU_ASSERT_EQUAL(fx.r.conflict_events, 1);
	EXPECT_STREAM(&fx.r, "abcdefgh");
	CU_ASSERT_EQUAL(fx.d.next_seq, 1009);
	fx_free(&fx);
}

/* ---- sequence space ---- */

static void test_syn_takes_one_number_and_data_on_syn(void)
{
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 5000, TCP_SYN, "hi", 1);          /* TCP Fast Open */
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d1:hi;");
	CU_ASSERT_EQUAL(fx.d.isn, 5000);
	CU_ASSERT_EQUAL(fx.d.next_seq, 5003);
	seg(&fx, 5000, TCP_SYN, "", 2);            /* SYN retransmission */
	seg(&fx, 5003, TCP_ACK, "yo", 3);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d1:hi;d3:yo;");

	struct fixture sa;                          /* SYN-ACK side */
	fx_init(&sa, 1);
	seg(&sa, 0x7fffffffu, TCP_SYN | TCP_ACK, "", 2);
	seg(&sa, 0x80000000u, TCP_ACK, "ok", 4);
	CU_ASSERT_STRING_EQUAL(sa.r.log, "d4:ok;");
	CU_ASSERT_EQUAL(sa.r.wrong_dir, 0);
	fx_free(&fx);
	fx_free(&sa);
}

static void test_mid_stream_start_without_syn(void)
{
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 777, TCP_ACK, "xyz", 1);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d1:xyz;");
	CU_ASSERT_TRUE(fx.d.have_seq);
	CU_ASSERT_FALSE(fx.d.syn);
	CU_ASSERT_EQUAL(fx.d.next_seq, 780);
	seg(&fx, 770, TCP_ACK, "earlier", 2);      /* before our start: old */
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d1:xyz;");
	CU_ASSERT_EQUAL(fx.d.retransmissions, 1);
	seg(&fx, 780, TCP_ACK, "!", 3);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d1:xyz;d3:!;");
	fx_free(&fx);
}

static void test_sequence_wraparound(void)
{
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 0xfffffffdu, TCP_SYN, "", 1);
	seg(&fx, 0xfffffffeu, TCP_ACK, "abcd", 2);  /* crosses 2^32 */
	CU_ASSERT_EQUAL(fx.d.next_seq, 2);
	seg(&fx, 2, TCP_ACK, "efgh", 3);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abcd;d3:efgh;");
	fx_free(&fx);

	/* out of order across the wrap: the later bytes have a smaller number */
	fx_init(&fx, 0);
	seg(&fx, 0xfffffff8u, TCP_SYN, "", 1);
	seg(&fx, 1, TCP_ACK, "ijk", 2);
	seg(&fx, 0xfffffff9u, TCP_ACK, "ABCDEFGH", 3);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d3:ABCDEFGH;d3:ijk;");
	CU_ASSERT_EQUAL(fx.d.next_seq, 4);
	/* and an ACK across it: the hole is written off a few packets later */
	seg(&fx, 10, TCP_ACK, "late", 4);
	ack(&fx, 14, 5);
	for (uint64_t f = 5; f < 9; f++)
		age(&fx, f);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d3:ABCDEFGH;d3:ijk;g4:6:capture loss;d4:late;");
	fx_free(&fx);
}

/* ---- capture loss ---- */

static void test_ack_beyond_hole_is_capture_loss(void)
{
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1001, TCP_ACK, "abc", 2);
	seg(&fx, 1007, TCP_ACK, "ghi", 3);
	ack(&fx, 1005, 4);                          /* not past the hole yet */
	age(&fx, 4);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;");
	ack(&fx, 1010, 5);
	/* not at once: the data may be reordered behind its ACK */
	for (uint64_t f = 5; f < 8; f++)
		age(&fx, f);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;");
	age(&fx, 8);
	/* the gap and the bytes at the frame that carried them, not at the
	 * packet that gave up waiting */
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;g3:3:capture loss;d3:ghi;");
	CU_ASSERT_EQUAL(fx.d.ooo_segs, 0);
	CU_ASSERT_EQUAL(fx.d.next_seq, 1010);
	fx_free(&fx);

	/* the ACK comes first, the segment after the hole later */
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1001, TCP_ACK, "abc", 2);
	ack(&fx, 1010, 3);
	age(&fx, 3);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;");
	seg(&fx, 1007, TCP_ACK, "ghi", 4);
	for (uint64_t f = 4; f < 8; f++)
		age(&fx, f);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;g4:3:capture loss;d4:ghi;");
	CU_ASSERT_EQUAL(fx.d.ooo_segs, 0);
	fx_free(&fx);
}

/* A capture point that saw the ACK before the data it acknowledges (the
 * variant-reordered capture): the late segment fills the hole, no loss. */
static void test_ack_before_its_data_is_not_loss(void)
{
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1004, TCP_ACK, "def", 2);          /* the second segment first */
	ack(&fx, 1007, 3);                          /* the peer acknowledges both */
	age(&fx, 3);
	seg(&fx, 1001, TCP_ACK, "abc", 4);          /* then the first one */
	for (uint64_t f = 4; f < 12; f++)
		age(&fx, f);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d4:abc;d4:def;");
	CU_ASSERT_EQUAL(fx.r.gaps, 0);
	CU_ASSERT_EQUAL(fx.d.next_seq, 1007);
	fx_free(&fx);
}

/* An ACK further ahead than 2^30 is not believed. */
static void test_implausible_ack_ignored(void)
{
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1001, TCP_ACK, "abc", 2);
	seg(&fx, 1007, TCP_ACK, "ghi", 3);
	ack(&fx, 1004u + (1u << 30), 4);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;");
	CU_ASSERT_EQUAL(fx.d.ooo_segs, 1);
	ack(&fx, 900, 5);                           /* behind: nothing */
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;");
	fx_free(&fx);
}

static void test_snaplen_truncated_segment_is_gap(void)
{
	static const char bytes[] = "abcdefghij";
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg_cap(&fx, 1001, TCP_ACK, bytes, 4, 10, 2);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abcd;g2:6:snaplen;");
	CU_ASSERT_EQUAL(fx.d.next_seq, 1011);
	seg(&fx, 1011, TCP_ACK, "klm", 3);
	/* queued, then delivered: still a snaplen gap */
	seg_cap(&fx, 1017, TCP_ACK, "xy", 2, 6, 4);
	seg(&fx, 1014, TCP_ACK, "nop", 5);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abcd;g2:6:snaplen;d3:klm;d5:nop;d5:xy;g5:4:snaplen;");
	CU_ASSERT_EQUAL(fx.d.next_seq, 1023);
	/* nothing captured at all */
	seg_cap(&fx, 1023, TCP_ACK, "", 0, 5, 6);
	CU_ASSERT_STRING_EQUAL(fx.r.log,
		"d2:abcd;g2:6:snaplen;d3:klm;d5:nop;d5:xy;g5:4:snaplen;g6:5:snaplen;");
	fx_free(&fx);
}

/* ---- caps on the out-of-order queue ---- */

static void test_ooo_segment_cap(void)
{
	uint64_t base = test_budget.ooo_bytes;
	struct fixture fx;
	unsigned over = 0;
	fx_init(&fx, 0);
	fx.r.quiet = true;
	seg(&fx, 1000, TCP_SYN, "", 1);
	/* one byte every other number: every segment leaves a hole */
	for (uint32_t i = 0; i < LIM_OOO_SEGS_PER_DIR; i++) {
		seg(&fx, 1002 + 2 * i, TCP_ACK, "x", 10 + i);
		if (fx.d.ooo_segs > LIM_OOO_SEGS_PER_DIR)
			over++;
	}
	CU_ASSERT_EQUAL(fx.d.ooo_segs, LIM_OOO_SEGS_PER_DIR);
	CU_ASSERT_EQUAL(fx.r.overflow_events, 0);
	CU_ASSERT_EQUAL(fx.r.gaps, 0);
	seg(&fx, 1002 + 2 * LIM_OOO_SEGS_PER_DIR, TCP_ACK, "y", 5000);
	CU_ASSERT_EQUAL(fx.r.overflow_events, 1);
	CU_ASSERT_EQUAL(fx.r.gaps, 1);           /* the oldest hole, 1 byte */
	CU_ASSERT_EQUAL(fx.r.gap_bytes, 1);
	CU_ASSERT_EQUAL(fx.r.data_bytes, 1);     /* the segment after it */
	CU_ASSERT_TRUE(fx.d.ooo_segs <= LIM_OOO_SEGS_PER_DIR);
	/* keeps holding the line */
	for (uint32_t i = 0; i < 100; i++) {
		seg(&fx, 1000000 + 2 * i, TCP_ACK, "z", 6000 + i);
		if (fx.d.ooo_segs > LIM_OOO_SEGS_PER_DIR)
			over++;
	}
	CU_ASSERT_EQUAL(over, 0);
	CU_ASSERT_EQUAL(fx.r.overflow_events, 101);
	CU_ASSERT_EQUAL(test_budget.ooo_bytes, base + fx.d.ooo_bytes);
	fx_free(&fx);
	CU_ASSERT_EQUAL(test_budget.ooo_bytes, base);
}

static void test_ooo_byte_cap(void)
{
	static uint8_t chunk[1000];
	uint64_t base = test_budget.ooo_bytes;
	struct fixture fx;
	unsigned over = 0;
	uint32_t fit = LIM_OOO_BYTES_PER_DIR / sizeof chunk;
	memset(chunk, 'q', sizeof chunk);
	fx_init(&fx, 0);
	fx.r.quiet = true;
	seg(&fx, 0, TCP_SYN, "", 1);
	for (uint32_t i = 0; i < fit + 50; i++) {
		seg_cap(&fx, 2 + i * 1001, TCP_ACK, chunk, sizeof chunk, sizeof chunk, 10 + i);
		if (fx.d.ooo_bytes > LIM_OOO_BYTES_PER_DIR)
			over++;
		if (i + 1 == fit)
			CU_ASSERT_EQUAL(fx.r.overflow_events, 0);
	}
	CU_ASSERT_EQUAL(over, 0);
	CU_ASSERT_EQUAL(fx.r.overflow_events, 50);
	CU_ASSERT_EQUAL(fx.r.gap_bytes, 50);       /* one 1-byte hole given up each time */
	CU_ASSERT_EQUAL(fx.r.data_bytes, 50 * sizeof chunk);
	CU_ASSERT_EQUAL(fx.d.ooo_segs, fit);
	CU_ASSERT_EQUAL(test_budget.ooo_bytes, base + fx.d.ooo_bytes);
	fx_free(&fx);
	CU_ASSERT_EQUAL(test_budget.ooo_bytes, base);
}

/* Across directions the total is capped too (LIM_OOO_BYTES_TOTAL). */
static void test_ooo_total_cap_across_directions(void)
{
	static uint8_t chunk[1000];
	enum { NDIR = LIM_OOO_BYTES_TOTAL / LIM_OOO_BYTES_PER_DIR + 2 };
	struct fixture *fx = calloc(NDIR, sizeof *fx);
	uint64_t base = test_budget.ooo_bytes;
	uint32_t fit = LIM_OOO_BYTES_PER_DIR / sizeof chunk;
	unsigned over = 0, events = 0;
	memset(chunk, 'r', sizeof chunk);
	for (unsigned k = 0; k < NDIR; k++) {
		fx_init(&fx[k], 0);
		fx[k].r.quiet = true;
		seg(&fx[k], 0, TCP_SYN, "", 1);
		for (uint32_t i = 0; i < fit; i++) {
			seg_cap(&fx[k], 2 + i * 1001, TCP_ACK, chunk, sizeof chunk, sizeof chunk, 10 + i);
			if (test_budget.ooo_bytes - base > LIM_OOO_BYTES_TOTAL)
				over++;
		}
		events += fx[k].r.overflow_events;
	}
	CU_ASSERT_EQUAL(over, 0);
	CU_ASSERT_TRUE(events > 0);
	CU_ASSERT_TRUE(test_budget.ooo_bytes - base <= LIM_OOO_BYTES_TOTAL);
	for (unsigned k = 0; k < NDIR; k++)
		fx_free(&fx[k]);
	CU_ASSERT_EQUAL(test_budget.ooo_bytes, base);
	free(fx);
}

/* ---- the same segments captured twice, once with moved numbers ---- */

#define SHIFT 0x12345678u

/* The copy ahead comes first (a firewall's inside copy, the stream's SYN
 * being the outside one): it waits in the queue until the original shows
 * it for a copy; later copies, their ACKs and FIN are ignored. */
static void test_shifted_copies_ahead_ignored(void)
{
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	ack(&fx, 1001 + SHIFT, 2);                 /* the peer's copy acks the other space */
	seg(&fx, 1001 + SHIFT, TCP_ACK, "abc", 3);
	CU_ASSERT_EQUAL(fx.d.ooo_segs, 1);
	seg(&fx, 1001, TCP_ACK, "abc", 4);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "e4:tcp.shifted_copy;d4:abc;");
	CU_ASSERT_TRUE(fx.d.shifted);
	CU_ASSERT_EQUAL(fx.d.shift, SHIFT);
	CU_ASSERT_EQUAL(fx.d.ooo_segs, 0);
	CU_ASSERT_EQUAL(fx.d.peer_acked, 1001);    /* translated back */
	struct tcp_seg copy = { .seq = 1004 + SHIFT, .flags = TCP_ACK, .payload = (const uint8_t *)"def",
				.caplen = 3, .len = 3, .frame = 5, .time = t0 };
	CU_ASSERT_FALSE(tcp_dir_segment(&fx.d, 0, &copy, &fx.sink));
	ack(&fx, 1007 + SHIFT, 6);
	seg(&fx, 1004, TCP_ACK, "def", 7);
	seg(&fx, 1007 + SHIFT, TCP_FIN | TCP_ACK, "", 8);
	CU_ASSERT_FALSE(fx.d.fin);
	seg(&fx, 1007, TCP_FIN | TCP_ACK, "", 9);
	ack(&fx, 1008, 10);
	for (uint64_t f = 10; f < 16; f++)
		age(&fx, f);
	flush(&fx, 16);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "e4:tcp.shifted_copy;d4:abc;d7:def;");
	CU_ASSERT_TRUE(tcp_dir_complete(&fx.d));
	CU_ASSERT_EQUAL(fx.d.retransmissions, 3);   /* the queued copy, "def"'s copy, the FIN's */
	CU_ASSERT_EQUAL(fx.r.gaps, 0);
	fx_free(&fx);
}

/* The copy behind comes first: it is an old number (a retransmission to
 * the reassembly); the original teaches the shift all the same. */
static void test_shifted_copies_behind_ignored(void)
{
	struct fixture fx;
	fx_init(&fx, 1);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1001 - SHIFT, TCP_ACK, "abc", 2);
	seg(&fx, 1001, TCP_ACK, "abc", 3);
	seg(&fx, 1004 - SHIFT, TCP_ACK, "defg", 4);
	seg(&fx, 1004, TCP_ACK, "defg", 5);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "e3:tcp.shifted_copy;d3:abc;d5:defg;");
	CU_ASSERT_EQUAL(fx.d.shift, 0u - SHIFT);
	fx_free(&fx);
}

/* The same bytes again close by are data, not a copy: a client sending
 * the same line twice. */
static void test_repeated_bytes_nearby_are_data(void)
{
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1001, TCP_ACK, "NOOP", 2);
	seg(&fx, 1005, TCP_ACK, "NOOP", 3);
	seg(&fx, 1009 + 300000, TCP_ACK, "NOOP", 4);   /* far, but within the stream's space */
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:NOOP;d3:NOOP;");
	CU_ASSERT_FALSE(fx.d.shifted);
	CU_ASSERT_EQUAL(fx.d.ooo_segs, 1);
	fx_free(&fx);
}

/* ---- end of connection ---- */

static void test_flush_delivers_queued_after_gap(void)
{
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1001, TCP_ACK, "abc", 2);
	seg(&fx, 1007, TCP_ACK, "ghi", 3);
	seg(&fx, 1013, TCP_ACK, "mno", 4);
	flush(&fx, 9);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;g3:3:capture loss;d3:ghi;g4:3:capture loss;d4:mno;");
	CU_ASSERT_EQUAL(fx.d.ooo_segs, 0);
	fx_free(&fx);
}

/* Queued out of order behind a lost segment: the record layer gets the
 * bytes with the latest frame that carried any of them so far. */
static void test_written_off_queue_keeps_carrying_frames(void)
{
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1001, TCP_ACK, "abc", 2);
	seg(&fx, 1010, TCP_ACK, "jkl", 3);
	seg(&fx, 1007, TCP_ACK, "ghi", 4);
	seg(&fx, 1013, TCP_ACK, "mno", 5);
	flush(&fx, 9);   /* a bare RST, say */
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;g4:3:capture loss;d4:ghi;d4:jkl;d5:mno;");
	fx_free(&fx);
}

static void test_flush_acked_never_seen_bytes_are_gap(void)
{
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1001, TCP_ACK, "abc", 2);
	ack(&fx, 1010, 3);
	flush(&fx, 9);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;g9:6:capture loss;");
	fx_free(&fx);

	/* a FIN seen after lost data: the data before it is the gap */
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1001, TCP_ACK, "abc", 2);
	seg(&fx, 1010, TCP_FIN | TCP_ACK, "", 3);
	ack(&fx, 1011, 4);
	flush(&fx, 9);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;g9:6:capture loss;");
	fx_free(&fx);
}

static void test_flush_lost_fin_alone_is_not_gap(void)
{
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1001, TCP_ACK, "abc", 2);
	ack(&fx, 1005, 3);                         /* acks data + an unseen FIN */
	flush(&fx, 9);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;");
	fx_free(&fx);

	/* FIN seen and acked: nothing missing */
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1001, TCP_ACK | TCP_FIN, "abc", 2);
	CU_ASSERT_TRUE(fx.d.fin);
	CU_ASSERT_EQUAL(fx.d.fin_seq, 1004);
	ack(&fx, 1005, 3);
	flush(&fx, 9);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;");
	fx_free(&fx);

	/* nothing acked, nothing queued: flush is silent */
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1001, TCP_ACK, "abc", 2);
	flush(&fx, 9);
	flush(&fx, 10);
	CU_ASSERT_STRING_EQUAL(fx.r.log, "d2:abc;");
	fx_free(&fx);
}

static void test_free_releases_queue(void)
{
	size_t before = mem_in_use();
	uint64_t base = test_budget.ooo_bytes;
	struct fixture fx;
	fx_init(&fx, 0);
	seg(&fx, 1000, TCP_SYN, "", 1);
	seg(&fx, 1007, TCP_ACK, "ghi", 2);
	seg(&fx, 1017, TCP_ACK, "qrs", 3);
	CU_ASSERT_TRUE(mem_in_use() > before);
	CU_ASSERT_EQUAL(test_budget.ooo_bytes, base + 6);
	fx_free(&fx);
	CU_ASSERT_EQUAL(mem_in_use(), before);
	CU_ASSERT_EQUAL(test_budget.ooo_bytes, base);
	CU_ASSERT_PTR_NULL(fx.d.ooo);
	CU_ASSERT_EQUAL(fx.d.ooo_segs, 0);
}

void register_tcp_reasm_tests(void)
{
	CU_pSuite suite = CU_add_suite("tcp_reasm", NULL, NULL);

	if (suite == NULL)
		return;
	CU_add_test(suite, "in-order segments delivered with their frames", test_in_order_delivery);
	CU_add_test(suite, "out of order: delivered with the frame that filled the hole",
		test_out_of_order_delivered_with_filling_frame);
	CU_add_test(suite, "retransmissions ignored and counted", test_retransmissions_ignored_and_counted);
	CU_add_test(suite, "partial overlap delivers only the new bytes", test_partial_overlap_delivers_new_bytes_only);
	CU_add_test(suite, "overlap conflict inside queued copy: first kept + event",
		test_overlap_conflict_inside_queued_keeps_first);
	CU_add_test(suite, "overlap conflict starting before queued copy: first kept + event",
		test_overlap_conflict_starting_earlier_keeps_first);
	CU_add_test(suite, "overlap conflict of in-order segment with queued copy: first kept + event",
		test_overlap_conflict_in_order_segment_keeps_queued);
	CU_add_test(suite, "SYN takes one number; data on SYN", test_syn_takes_one_number_and_data_on_syn);
	CU_add_test(suite, "mid-stream start without SYN", test_mid_stream_start_without_syn);
	CU_add_test(suite, "sequence numbers wrap at 2^32", test_sequence_wraparound);
	CU_add_test(suite, "peer ACK beyond a hole: gap then queued data", test_ack_beyond_hole_is_capture_loss);
	CU_add_test(suite, "ACK before its data (reordered at the capture point): no loss", test_ack_before_its_data_is_not_loss);
	CU_add_test(suite, "ACK 2^30 ahead or behind is ignored", test_implausible_ack_ignored);
	CU_add_test(suite, "snaplen-truncated segment is a snaplen gap", test_snaplen_truncated_segment_is_gap);
	CU_add_test(suite, "out-of-order segment cap: event, bounded queue", test_ooo_segment_cap);
	CU_add_test(suite, "out-of-order byte cap per direction: event, bounded queue", test_ooo_byte_cap);
	CU_add_test(suite, "out-of-order byte cap across directions", test_ooo_total_cap_across_directions);
	CU_add_test(suite, "flush: queued data after gaps delivered", test_flush_delivers_queued_after_gap);
	CU_add_test(suite, "written-off queue: bytes keep the frames that carried them",
		    test_written_off_queue_keeps_carrying_frames);
	CU_add_test(suite, "shifted copies ahead: queued copy dropped, copies, ACKs, FIN ignored",
		    test_shifted_copies_ahead_ignored);
	CU_add_test(suite, "shifted copies behind: the shift learned from the original", test_shifted_copies_behind_ignored);
	CU_add_test(suite, "the same bytes again nearby are data, not a copy", test_repeated_bytes_nearby_are_data);
	CU_add_test(suite, "flush: acked but never seen bytes are a gap", test_flush_acked_never_seen_bytes_are_gap);
	CU_add_test(suite, "flush: a lost FIN alone is not a gap", test_flush_lost_fin_alone_is_not_gap);
	CU_add_test(suite, "tcp_dir_free releases the queue and the global count", test_free_releases_queue);
}
