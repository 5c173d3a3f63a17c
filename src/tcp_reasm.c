/* tcp_reasm.c - in-order delivery of one TCP direction (RFC 9293 §3.4 sequence space). */
#include "tcp_reasm.h"

#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "limits.h"
#include "mem.h"

struct ooo_seg {
	struct ooo_seg *next;
	uint32_t seq;
	uint32_t len;        /* bytes on the wire */
	uint32_t caplen;     /* bytes stored (snaplen may have cut the rest) */
	uint64_t frame;
	struct ts time;
	uint8_t data[];
};

/* ACK values further ahead than this are not believed (hostile or from
 * another incarnation of the 4-tuple). */
#define ACK_WINDOW (1u << 30)
/* Packets of the connection that may pass before an acknowledged hole is
 * declared lost (reordering at the capture point). */
#define LOSS_SLACK 4
/* A copy of a recent segment at least this far from it is the same
 * segment in another sequence space (a middlebox's rewrite): the last
 * TCP_RECENT_SEGS segments, even of 64 KiB each, are never that far
 * apart. A rewrite by less is not recognised (1 in 2048 random shifts). */
#define SHIFT_MIN (1u << 20)
/* Sequence numbers this close to the next byte belong to the stream's
 * own space (retransmissions behind it, data queued ahead, at most
 * LIM_OOO_BYTES_PER_DIR): half the minimum shift, so that the two spaces
 * never overlap. */
#define SHIFT_NEAR (SHIFT_MIN / 2)
_Static_assert(LIM_OOO_BYTES_PER_DIR <= SHIFT_NEAR, "queued data must stay in the stream's own space");

static inline int32_t sdiff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }

/* |a - b| in sequence space */
static inline uint32_t sdist(uint32_t a, uint32_t b)
{
	int32_t x = sdiff(a, b);
	return x < 0 ? 0u - (uint32_t)x : (uint32_t)x;
}

void tcp_dir_init(struct tcp_dir *d, struct budget *budget)
{
	memset(d, 0, sizeof *d);
	d->budget = budget;
}

static void emit_event(const struct tcp_sink *sink, uint64_t frame, const char *id, const char *detail)
{
	if (sink->event)
		sink->event(sink->ctx, frame, id, detail);
}

/* Hand on bytes that start exactly at next_seq. */
static void deliver(struct tcp_dir *d, int dir, const uint8_t *p, uint32_t caplen, uint32_t len,
		    uint64_t frame, const struct ts *t, const struct tcp_sink *sink)
{
	if (caplen > 0)
		sink->data(sink->ctx, dir, p, caplen, frame, t);
	if (caplen < len)
		sink->gap(sink->ctx, dir, len - caplen, frame, "snaplen");
	d->next_seq += len;
	d->delivered += len;
}

static void skip_to(struct tcp_dir *d, int dir, uint32_t seq, uint64_t frame, const char *why,
		    const struct tcp_sink *sink)
{
	int32_t n = sdiff(seq, d->next_seq);
	if (n <= 0)
		return;
	sink->gap(sink->ctx, dir, (uint32_t)n, frame, why);
	d->next_seq = seq;
}

static void free_seg(struct tcp_dir *d, struct ooo_seg *s)
{
	d->ooo_bytes -= s->caplen;
	d->ooo_segs--;
	d->budget->ooo_bytes -= s->caplen;
	mem_free(s);
}

/* Deliver queued segments that have become contiguous: with the frame
 * that filled the hole (frame, as Wireshark's reassembly shows them), or,
 * after a hole written off as lost (frame 0), each with its own: the frame
 * that carried the bytes, not the one that gave up waiting. */
static void drain(struct tcp_dir *d, int dir, uint64_t frame, const struct ts *t, const struct tcp_sink *sink)
{
	bool own = frame == 0;
	struct ts own_time = { 0, 0 };
	while (d->ooo && sdiff(d->ooo->seq, d->next_seq) <= 0) {
		struct ooo_seg *s = d->ooo;
		d->ooo = s->next;
		if (own && s->frame > frame) {
			/* bytes queued out of order complete with the later frame */
			frame = s->frame;
			own_time = s->time;
		}
		uint32_t behind = (uint32_t)-sdiff(s->seq, d->next_seq);
		if (behind < s->len) {
			uint32_t skip_cap = behind < s->caplen ? behind : s->caplen;
			deliver(d, dir, s->data + skip_cap, s->caplen - skip_cap, s->len - behind, frame,
				own ? &own_time : t, sink);
		}
		free_seg(d, s);
	}
}

/* The hole before the first queued segment is lost: a gap at that
 * segment's frame (Wireshark's "previous segment not captured"), then
 * what follows it. */
static void write_off_hole(struct tcp_dir *d, int dir, const char *why, const struct tcp_sink *sink)
{
	skip_to(d, dir, d->ooo->seq, d->ooo->frame, why, sink);
	drain(d, dir, 0, NULL, sink);
}

static bool fits(const struct tcp_dir *d, uint32_t caplen)
{
	return d->ooo_segs < LIM_OOO_SEGS_PER_DIR && d->ooo_bytes + caplen <= LIM_OOO_BYTES_PER_DIR &&
	       d->budget->ooo_bytes + caplen <= LIM_OOO_BYTES_TOTAL;
}

/* Queue [seq, seq+len) of a segment, p holding its first caplen bytes, at *pp. */
static void queue_piece(struct tcp_dir *d, struct ooo_seg **pp, uint32_t seq, const uint8_t *p, uint32_t caplen,
			uint32_t len, uint64_t frame, const struct ts *t)
{
	struct ooo_seg *s = mem_alloc_uninit(sizeof *s + caplen);
	s->seq = seq;
	s->len = len;
	s->caplen = caplen;
	s->frame = frame;
	s->time = *t;
	memcpy(s->data, p, caplen);
	s->next = *pp;
	*pp = s;
	d->ooo_bytes += caplen;
	d->ooo_segs++;
	d->budget->ooo_bytes += caplen;
}

/*
 * Queue a segment without overlapping what is queued: the queued copy came
 * first and wins (RFC 9293 leaves the choice open; Wireshark and most IDS
 * keep the first). Only the uncovered parts of the new segment are stored;
 * covered parts are compared and a difference is an event. The queue stays
 * sorted and free of overlaps.
 */
static void enqueue(struct tcp_dir *d, uint32_t seq, const uint8_t *p, uint32_t caplen, uint32_t len,
		    uint64_t frame, const struct ts *t, const struct tcp_sink *sink)
{
	uint32_t cur = seq, end = seq + len;
	bool conflict = false, stored = false;
	struct ooo_seg **pp = &d->ooo;
	while (sdiff(end, cur) > 0) {
		struct ooo_seg *q = *pp;
		if (q && sdiff(q->seq + q->len, cur) <= 0) {   /* entirely before: move on */
			pp = &q->next;
			continue;
		}
		/* the gap before q (or to the end) is new data */
		uint32_t gap_end = q && sdiff(q->seq, end) < 0 ? q->seq : end;
		if (sdiff(gap_end, cur) > 0) {
			uint32_t off = cur - seq, n = gap_end - cur;
			uint32_t have = off < caplen ? (caplen - off < n ? caplen - off : n) : 0;
			queue_piece(d, pp, cur, p + off, have, n, frame, t);
			pp = &(*pp)->next;
			stored = true;
			cur = gap_end;
		}
		if (!q || sdiff(q->seq, end) >= 0)
			break;
		/* the part that q already holds: compare, keep q's bytes */
		uint32_t ov_start = sdiff(q->seq, cur) > 0 ? q->seq : cur;
		uint32_t ov_end = sdiff(q->seq + q->len, end) < 0 ? q->seq + q->len : end;
		for (uint32_t x = ov_start; sdiff(ov_end, x) > 0; x++) {
			uint32_t in_new = x - seq, in_q = x - q->seq;
			if (in_new < caplen && in_q < q->caplen && p[in_new] != q->data[in_q]) {
				conflict = true;
				break;
			}
		}
		cur = ov_end;
		pp = &q->next;
	}
	if (conflict)
		emit_event(sink, frame, "tcp.overlap_conflict",
			   "segment overlaps queued data with different bytes (first copy kept)");
	else if (!stored)
		d->retransmissions++;
}

static void process(struct tcp_dir *d, int dir, uint32_t seq, const uint8_t *p, uint32_t caplen,
		    uint32_t len, uint64_t frame, const struct ts *t, const struct tcp_sink *sink)
{
	for (;;) {
		int32_t rel = sdiff(seq, d->next_seq);
		if (rel < 0) {
			uint32_t behind = rel == INT32_MIN ? (uint32_t)INT32_MAX + 1 : (uint32_t)-rel;
			if (behind >= len) {
				d->retransmissions++;
				return;
			}
			/* partly new: keep the part after next_seq */
			uint32_t skip_cap = behind < caplen ? behind : caplen;
			p += skip_cap;
			caplen -= skip_cap;
			seq += behind;
			len -= behind;
			rel = 0;
		}
		if (rel == 0 && !d->ooo) {
			/* the common case: in order, nothing queued, no copy */
			deliver(d, dir, p, caplen, len, frame, t, sink);
			return;
		}
		if (rel > 0 && d->have_acked && sdiff(d->peer_acked, seq) >= 0 &&
		    sdiff(d->peer_acked, d->next_seq) < (int32_t)ACK_WINDOW && !d->loss_countdown)
			d->loss_countdown = LOSS_SLACK;   /* the peer has the hole's bytes */
		if (fits(d, caplen)) {
			enqueue(d, seq, p, caplen, len, frame, t, sink);
			drain(d, dir, frame, t, sink);
			return;
		}
		/* Out of room: give up on the oldest hole. */
		emit_event(sink, frame, "tcp.ooo_overflow", "out-of-order queue full: oldest hole treated as lost");
		uint32_t target = d->ooo && sdiff(d->ooo->seq, seq) < 0 ? d->ooo->seq : seq;
		if (sdiff(target, d->next_seq) <= 0 && d->ooo) {
			/* nothing to skip: drop the queue's newest data to make room */
			struct ooo_seg **pp = &d->ooo;
			while ((*pp)->next)
				pp = &(*pp)->next;
			free_seg(d, *pp);
			*pp = NULL;
			continue;
		}
		if (target == seq) {
			skip_to(d, dir, target, frame, "out-of-order queue full", sink);
			drain(d, dir, 0, NULL, sink);
		} else {
			write_off_hole(d, dir, "out-of-order queue full", sink);
		}
	}
}

/* ---- the same segment captured twice, once with moved sequence numbers ---- */

/* Is seq a number of the shifted copies rather than of the stream? */
static bool shifted_space(const struct tcp_dir *d, uint32_t seq)
{
	return d->shifted && sdist(seq - d->shift, d->next_seq) < SHIFT_NEAR &&
	       sdist(seq, d->next_seq) >= SHIFT_NEAR;
}

/* A hash of the captured bytes (samples of a long segment: seg_hash) and
 * the length, eight bytes a step: every data segment is hashed, and FNV-1a
 * a byte at a time was half of the text report's instructions on the bench
 * (one multiply per byte of bulk data).
 * Where the CPU has SSE4.2, its CRC-32C instruction takes the words (a
 * sixth of the instructions again); one process uses one of the two for
 * all its segments, so equal bytes and length give equal hashes. */
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("sse4.2"))) static uint64_t crc_words(const uint8_t *p, uint32_t n, uint64_t h)
{
	const uint8_t *end = p + (n & ~7u);
	uint64_t w0, w1, w2, w3;
	for (; end - p >= 32; p += 32) {
		memcpy(&w0, p, 8);
		memcpy(&w1, p + 8, 8);
		memcpy(&w2, p + 16, 8);
		memcpy(&w3, p + 24, 8);
		h = __builtin_ia32_crc32di(h, w0);
		h = __builtin_ia32_crc32di(h, w1);
		h = __builtin_ia32_crc32di(h, w2);
		h = __builtin_ia32_crc32di(h, w3);
	}
	for (; p < end; p += 8) {
		memcpy(&w0, p, 8);
		h = __builtin_ia32_crc32di(h, w0);
	}
	return h;
}

static bool have_crc(void)
{
	static int known = -1;
	if (known < 0)
		known = __builtin_cpu_supports("sse4.2") ? 1 : 0;
	return known;
}
#else
static uint64_t crc_words(const uint8_t *p, uint32_t n, uint64_t h)
{
	(void)p;
	(void)n;
	return h;
}

static bool have_crc(void)
{
	return false;
}
#endif

static uint64_t hash_bytes(const uint8_t *p, uint32_t n, uint64_t h)
{
	uint32_t i = n & ~7u;
	if (have_crc()) {
		h = crc_words(p, n, h);
	} else {
		for (uint32_t k = 0; k < i; k += 8) {
			uint64_t w;
			memcpy(&w, p + k, 8);
			h = (h ^ w) * 0x9e3779b97f4a7c15ull;
			h ^= h >> 29;
		}
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* A segment longer than three samples is known by its first, middle and
 * last SEG_SAMPLE bytes and its length: a match is only looked for between
 * the last TCP_RECENT_SEGS segments at least SHIFT_MIN apart, where a copy
 * is the one likely explanation, and the samples of ciphertext are as
 * unique as all of it. Hashing every byte of bulk data was 7 % of the text
 * report on the bench. */
#define SEG_SAMPLE 64u

static uint32_t seg_hash(const uint8_t *p, uint32_t n, uint32_t len)
{
	uint64_t h = 0xcbf29ce484222325ull ^ len;
	if (n <= 3 * SEG_SAMPLE) {
		h = hash_bytes(p, n, h);
	} else {
		h = hash_bytes(p, SEG_SAMPLE, h);
		h = hash_bytes(p + (n - SEG_SAMPLE) / 2, SEG_SAMPLE, h);
		h = hash_bytes(p + n - SEG_SAMPLE, SEG_SAMPLE, h);
	}
	h ^= h >> 32;
	return (uint32_t)h;
}

/* The shift is known: queued copies go, an ACK of a copy is translated. */
static void learn_shift(struct tcp_dir *d, uint32_t shift, uint64_t frame, const struct tcp_sink *sink)
{
	d->shifted = true;
	d->shift = shift;
	for (struct ooo_seg **pp = &d->ooo; *pp;) {
		struct ooo_seg *q = *pp;
		if (shifted_space(d, q->seq)) {
			*pp = q->next;
			free_seg(d, q);
			d->retransmissions++;
		} else {
			pp = &q->next;
		}
	}
	if (d->have_acked && shifted_space(d, d->peer_acked))
		d->peer_acked -= shift;
	char detail[160];
	snprintf(detail, sizeof detail, "segments captured twice, copies with sequence numbers moved by %+d "
		 "(a middlebox's rewrite) ignored", (int)(int32_t)shift);
	emit_event(sink, frame, "tcp.shifted_copy", detail);
}

/* A data segment whose bytes are those of a recent one far away: true if
 * it is the copy (to ignore). The copy is the one further from the
 * stream's next byte. */
static bool shifted_copy(struct tcp_dir *d, const struct tcp_seg *s, uint32_t caplen, const struct tcp_sink *sink)
{
	uint32_t h = seg_hash(s->payload, caplen, s->len);
	bool copy = false;
	for (unsigned i = 0; i < TCP_RECENT_SEGS && !d->shifted; i++) {
		const struct tcp_seg_print *e = &d->recent[i];
		if (e->hash != h || sdist(e->seq, s->seq) < SHIFT_MIN)
			continue;
		copy = sdist(s->seq, d->next_seq) > sdist(e->seq, d->next_seq);
		learn_shift(d, copy ? s->seq - e->seq : e->seq - s->seq, s->frame, sink);
	}
	if (copy)
		return true;
	d->recent[d->recent_next] = (struct tcp_seg_print){ .seq = s->seq, .hash = h };
	d->recent_next = (uint8_t)((d->recent_next + 1) % TCP_RECENT_SEGS);
	return false;
}

bool tcp_dir_segment(struct tcp_dir *d, int dir, const struct tcp_seg *s, const struct tcp_sink *sink)
{
	uint32_t seq = s->seq;
	if (!(s->flags & TCP_SYN) && shifted_space(d, seq)) {
		d->retransmissions++;   /* as Wireshark marks them */
		return false;
	}
	if (s->flags & TCP_SYN) {
		if (!d->have_seq) {
			d->have_seq = true;
			d->next_seq = seq + 1;
			d->isn = seq;
		} else if (seq != d->isn && d->other_isn_n < 3) {
			/* a SYN-ACK sent again with a new ISN (seen with TCP Fast Open):
			 * the data will tell which one the peer accepted */
			bool known = false;
			for (unsigned i = 0; i < d->other_isn_n; i++)
				known |= d->other_isn[i] == seq;
			if (!known)
				d->other_isn[d->other_isn_n++] = seq;
		}
		d->syn = true;
		seq += 1;   /* data on a SYN (TCP Fast Open) follows the SYN's number */
	} else if (s->len && d->delivered == 0 && !d->ooo && seq != d->next_seq) {
		/* the first data follows another of the SYNs: that one was accepted */
		for (unsigned i = 0; i < d->other_isn_n; i++) {
			if (seq == d->other_isn[i] + 1) {
				d->isn = d->other_isn[i];
				d->next_seq = seq;
			}
		}
	}
	if (!d->have_seq) {
		/* capture started mid-connection: this byte is the first we know */
		d->have_seq = true;
		d->next_seq = seq;
	}
	uint32_t caplen = s->caplen < s->len ? s->caplen : s->len;
	if (s->len && !(s->flags & TCP_SYN) && shifted_copy(d, s, caplen, sink)) {
		d->retransmissions++;
		return false;
	}
	if (s->flags & TCP_FIN) {
		d->fin = true;
		d->fin_seq = seq + s->len;
	}
	if (s->len == 0)
		return true;
	process(d, dir, seq, s->payload, caplen, s->len, s->frame, &s->time, sink);
	return true;
}

void tcp_dir_acked(struct tcp_dir *d, int dir, uint32_t ack, uint64_t frame, const struct ts *t,
		   const struct tcp_sink *sink)
{
	if (!d->have_seq || shifted_space(d, ack))
		return;
	int32_t ahead = sdiff(ack, d->next_seq);
	if (ahead < 0 || (uint32_t)ahead >= ACK_WINDOW)
		return;
	if (!d->have_acked || sdiff(ack, d->peer_acked) > 0) {
		d->peer_acked = ack;
		d->have_acked = true;
	}
	if (d->ooo && sdiff(ack, d->ooo->seq) >= 0 && !d->loss_countdown)
		d->loss_countdown = LOSS_SLACK;
	(void)dir;
	(void)frame;
	(void)t;
	(void)sink;
}

void tcp_dir_age(struct tcp_dir *d, int dir, uint64_t frame, const struct ts *t, const struct tcp_sink *sink)
{
	if (!d->loss_countdown)
		return;
	if (!d->ooo) {
		d->loss_countdown = 0;   /* the hole was filled: it was only reordered */
		return;
	}
	if (--d->loss_countdown)
		return;
	write_off_hole(d, dir, "capture loss", sink);
	(void)frame;
	(void)t;
}

void tcp_dir_flush(struct tcp_dir *d, int dir, uint64_t frame, const struct ts *t, const struct tcp_sink *sink)
{
	while (d->ooo)
		write_off_hole(d, dir, "capture loss", sink);
	(void)t;
	if (d->have_seq && d->have_acked) {
		/* acknowledged by the peer but never captured (a FIN takes one number) */
		uint32_t end = d->peer_acked;
		if (d->fin && sdiff(end, d->fin_seq) > 0)
			end = d->fin_seq;
		int32_t n = sdiff(end, d->next_seq);
		/* one unseen number without a FIN is the FIN itself, not data */
		if (!d->fin && n == 1)
			n = 0;
		if (n > 0 && (uint32_t)n < ACK_WINDOW)
			skip_to(d, dir, end, frame, "capture loss", sink);
	}
}

void tcp_dir_free(struct tcp_dir *d)
{
	while (d->ooo) {
		struct ooo_seg *s = d->ooo;
		d->ooo = s->next;
		free_seg(d, s);
	}
}

bool tcp_dir_complete(const struct tcp_dir *d)
{
	return d->fin && d->have_seq && d->next_seq == d->fin_seq && !d->ooo;
}
