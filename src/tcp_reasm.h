/* tcp_reasm.h - one direction of a TCP connection as an ordered byte stream. */
#ifndef TLSDIAG_TCP_REASM_H
#define TLSDIAG_TCP_REASM_H

#include <stdbool.h>
#include <stdint.h>

#include "budget.h"
#include "session.h"

/*
 * Bytes are handed on in sequence order, each chunk with the frame that made
 * it available: the segment itself when it arrives in order, or the segment
 * that filled the hole before queued data (as Wireshark reassembles with
 * out-of-order reassembly on). Bytes the capture never had (lost segments,
 * snaplen) are reported as a gap, never invented.
 *
 * A hole the peer has acknowledged was received by the peer, so the capture
 * lost it; but a capture point may also see the ACK just before the data
 * it acknowledges. The hole is written off only if it is still open a few
 * packets later (LOSS_SLACK).
 *
 * The same segment may be captured twice: by `-i any` on a router, or on
 * both sides of a middlebox that moves the sequence numbers (a firewall
 * randomising ISNs). A copy at the same number is a retransmission. A copy
 * whose bytes match one of the last few segments at a number far away
 * teaches the direction's shift: from then on the segments and the peer's
 * ACKs in the shifted space are ignored, as Wireshark's analysis leaves
 * them out (retransmissions, or data after a hole that never fills).
 */

#define TCP_RECENT_SEGS 2

struct tcp_seg {
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;
	const uint8_t *payload;
	uint32_t caplen;          /* payload bytes captured */
	uint32_t len;             /* payload bytes on the wire */
	uint64_t frame;
	struct ts time;
};

struct tcp_sink {
	void (*data)(void *ctx, int dir, const uint8_t *p, uint32_t n, uint64_t frame,
		     const struct ts *t);
	void (*gap)(void *ctx, int dir, uint32_t n, uint64_t frame, const char *why);
	void (*event)(void *ctx, uint64_t frame, const char *id, const char *detail);
	void *ctx;
};

struct ooo_seg;

/* A data segment seen lately: where, and a hash of its length and bytes. */
struct tcp_seg_print {
	uint32_t seq, hash;
};

struct tcp_dir {
	bool have_seq;            /* next_seq is known */
	bool syn;                 /* stream start seen: byte 0 is the first byte */
	bool have_acked;
	bool fin;
	uint8_t other_isn_n;
	uint8_t loss_countdown;   /* packets left before an acked hole is written off */
	uint8_t recent_next;
	bool shifted;             /* copies of this direction arrive with seq + shift too */
	uint32_t isn;
	uint32_t other_isn[3];    /* further SYN numbers seen (retransmitted SYN-ACKs with a new ISN) */
	uint32_t next_seq;        /* next byte to hand on */
	uint32_t peer_acked;      /* highest ACK the other side sent for us */
	uint32_t fin_seq;
	uint32_t shift;
	struct tcp_seg_print recent[TCP_RECENT_SEGS];
	struct ooo_seg *ooo;      /* queued out of order, sorted by seq */
	uint32_t ooo_bytes;
	uint32_t ooo_segs;
	uint64_t retransmissions; /* copies in the shifted space too, as Wireshark marks them */
	uint64_t delivered;
	struct budget *budget;    /* the analyzer's: ooo_bytes counts this queue too */
};

/* An empty direction whose queue is charged to budget. */
void tcp_dir_init(struct tcp_dir *d, struct budget *budget);

/* A segment sent in this direction. False when it was a copy in the
 * direction's shifted space: ignored, its ACK too. */
bool tcp_dir_segment(struct tcp_dir *d, int dir, const struct tcp_seg *s,
		     const struct tcp_sink *sink);

/* The other side acknowledged up to ack (an ACK flag in its packet).
 * frame is that packet. Acked holes before queued data are gaps. */
void tcp_dir_acked(struct tcp_dir *d, int dir, uint32_t ack, uint64_t frame,
		   const struct ts *t, const struct tcp_sink *sink);

/* A packet of this connection went by (either direction): an acknowledged
 * hole that is still open after a few packets was lost by the capture. */
void tcp_dir_age(struct tcp_dir *d, int dir, uint64_t frame, const struct ts *t, const struct tcp_sink *sink);

/* End of the connection or capture: hand on what is queued, holes as gaps. */
void tcp_dir_flush(struct tcp_dir *d, int dir, uint64_t frame, const struct ts *t,
		   const struct tcp_sink *sink);

void tcp_dir_free(struct tcp_dir *d);

/* Ended with a FIN and every byte before it handed on. */
bool tcp_dir_complete(const struct tcp_dir *d);

#endif
