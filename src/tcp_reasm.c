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
	uint8_t data[];
};

/* ACK values further ahead than this are not believed (hostile or from
 * another incarnation of the 4-tuple). */
#define ACK_WINDOW (1u << 30)

static uint64_t ooo_total;

uint64_t tcp_ooo_bytes_total(void) { return ooo_total; }

static inline int32_t sdiff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }

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
	ooo_total -= s->caplen;
	mem_free(s);
}

/* Deliver queued segments that have become contiguous. */
static void drain(struct tcp_dir *d, int dir, uint64_t frame, const struct ts *t, const struct tcp_sink *sink)
{
	while (d->ooo && sdiff(d->ooo->seq, d->next_seq) <= 0) {
		struct ooo_seg *s = d->ooo;
		d->ooo = s->next;
		uint32_t behind = (uint32_t)-sdiff(s->seq, d->next_seq);
		if (behind < s->len) {
			uint32_t skip_cap = behind < s->caplen ? behind : s->caplen;
			deliver(d, dir, s->data + skip_cap, s->caplen - skip_cap, s->len - behind, frame, t, sink);
		}
		free_seg(d, s);
	}
}

/* Compare the bytes a new segment shares with a queued one. */
static bool overlap_conflicts(const struct ooo_seg *q, uint32_t seq, const uint8_t *p, uint32_t caplen)
{
	int32_t start = sdiff(seq, q->seq);   /* new segment's offset in q */
	uint32_t qs = start > 0 ? (uint32_t)start : 0;
	uint32_t ns = start > 0 ? 0 : (uint32_t)-start;
	while (qs < q->caplen && ns < caplen) {
		if (q->data[qs] != p[ns])
			return true;
		qs++;
		ns++;
	}
	return false;
}

static bool fits(const struct tcp_dir *d, uint32_t caplen)
{
	return d->ooo_segs < LIM_OOO_SEGS_PER_DIR && d->ooo_bytes + caplen <= LIM_OOO_BYTES_PER_DIR &&
	       ooo_total + caplen <= LIM_OOO_BYTES_TOTAL;
}

static void enqueue(struct tcp_dir *d, uint32_t seq, const uint8_t *p, uint32_t caplen, uint32_t len,
		    uint64_t frame, const struct tcp_sink *sink)
{
	struct ooo_seg **pp = &d->ooo;
	bool conflict = false;
	for (struct ooo_seg *q = d->ooo; q; q = q->next) {
		/* entirely inside a queued copy: a retransmission */
		if (sdiff(seq, q->seq) >= 0 && sdiff(seq + len, q->seq + q->len) <= 0) {
			if (overlap_conflicts(q, seq, p, caplen))
				conflict = true;
			else {
				d->retransmissions++;
				return;
			}
		} else if (sdiff(seq, q->seq + q->len) < 0 && sdiff(seq + len, q->seq) > 0 &&
			   overlap_conflicts(q, seq, p, caplen)) {
			conflict = true;
		}
	}
	if (conflict) {
		char why[80];
		snprintf(why, sizeof why, "segment overlaps queued data with different bytes (first copy kept)");
		emit_event(sink, frame, "tcp.overlap_conflict", why);
	}
	while (*pp && sdiff((*pp)->seq, seq) <= 0)
		pp = &(*pp)->next;
	struct ooo_seg *s = mem_alloc(sizeof *s + caplen);
	s->seq = seq;
	s->len = len;
	s->caplen = caplen;
	s->frame = frame;
	memcpy(s->data, p, caplen);
	s->next = *pp;
	*pp = s;
	d->ooo_bytes += caplen;
	d->ooo_segs++;
	ooo_total += caplen;
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
		if (rel > 0) {
			/* The peer already acknowledged the hole: the capture lost it. */
			if (d->have_acked && sdiff(d->peer_acked, seq) >= 0 &&
			    sdiff(d->peer_acked, d->next_seq) < (int32_t)ACK_WINDOW) {
				skip_to(d, dir, seq, frame, "capture loss", sink);
			} else if (fits(d, caplen)) {
				enqueue(d, seq, p, caplen, len, frame, sink);
				return;
			} else {
				/* Out of room: give up on the oldest hole. */
				emit_event(sink, frame, "tcp.ooo_overflow",
					   "out-of-order queue full: oldest hole treated as lost");
				uint32_t target = d->ooo && sdiff(d->ooo->seq, seq) < 0 ? d->ooo->seq : seq;
				skip_to(d, dir, target, frame, "out-of-order queue full", sink);
				drain(d, dir, frame, t, sink);
				continue;
			}
		}
		deliver(d, dir, p, caplen, len, frame, t, sink);
		drain(d, dir, frame, t, sink);
		return;
	}
}

void tcp_dir_segment(struct tcp_dir *d, int dir, const struct tcp_seg *s, const struct tcp_sink *sink)
{
	uint32_t seq = s->seq;
	if (s->flags & TCP_SYN) {
		if (!d->have_seq) {
			d->have_seq = true;
			d->next_seq = seq + 1;
		}
		d->syn = true;
		d->isn = seq;
		seq += 1;   /* data on a SYN (TCP Fast Open) follows the SYN's number */
	}
	if (!d->have_seq) {
		/* capture started mid-connection: this byte is the first we know */
		d->have_seq = true;
		d->next_seq = seq;
	}
	if (s->flags & TCP_FIN) {
		d->fin = true;
		d->fin_seq = seq + s->len;
	}
	if (s->len == 0)
		return;
	uint32_t caplen = s->caplen < s->len ? s->caplen : s->len;
	process(d, dir, seq, s->payload, caplen, s->len, s->frame, &s->time, sink);
}

void tcp_dir_acked(struct tcp_dir *d, int dir, uint32_t ack, uint64_t frame, const struct ts *t,
		   const struct tcp_sink *sink)
{
	if (!d->have_seq)
		return;
	int32_t ahead = sdiff(ack, d->next_seq);
	if (ahead < 0 || (uint32_t)ahead >= ACK_WINDOW)
		return;
	if (!d->have_acked || sdiff(ack, d->peer_acked) > 0) {
		d->peer_acked = ack;
		d->have_acked = true;
	}
	if (d->ooo && sdiff(ack, d->ooo->seq) >= 0) {
		skip_to(d, dir, d->ooo->seq, frame, "capture loss", sink);
		drain(d, dir, frame, t, sink);
	}
}

void tcp_dir_flush(struct tcp_dir *d, int dir, uint64_t frame, const struct ts *t, const struct tcp_sink *sink)
{
	while (d->ooo) {
		skip_to(d, dir, d->ooo->seq, frame, "capture loss", sink);
		drain(d, dir, frame, t, sink);
	}
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
