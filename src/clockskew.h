/* clockskew.h - the capture's clock, learned from the handshakes that completed (issue 13).
 *
 * A peer that completes a handshake accepted the other side's certificates:
 * by its clock they were valid. When most completed handshakes of a capture
 * carry certificates that begin after the capture's timestamps, the
 * capture's clock is behind, by at least the offset that makes them valid.
 * That offset is learned once per capture file (two files may come from two
 * machines with two clocks: main gives each its own), and certificates it
 * makes valid are not "not yet valid" on any connection of that file,
 * failed ones too.
 *
 * Robust: a certificate start time (notBefore) counts only when
 * CLOCK_QUORUM completed handshakes carry it, so one odd connection (a
 * client that checks nothing, a certificate really issued for later)
 * cannot move the offset for all. Bounded: CLOCK_GROUPS start times are
 * kept, not connections. The offset only grows as evidence arrives.
 *
 *   struct clockskew *ck = clockskew_new();
 *   clockskew_observe(ck, t, latest_not_before);   // each completed handshake's server chain
 *   int64_t off = clockskew_offset(ck);             // 0: the capture's clock is not the suspect
 *   clockskew_covers(ck, t, not_before);            // valid at t once the offset is applied
 */
#ifndef TLSDIAG_CLOCKSKEW_H
#define TLSDIAG_CLOCKSKEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLOCK_GROUPS  256u    /* distinct certificate start times kept; more are only counted */
#define CLOCK_QUORUM  3u      /* completed handshakes that must show a start time before it counts */
#define CLOCK_PENDING 1024u   /* observations a start time below quorum may wait for company */
/* The offset is a lower bound (the clock may be further behind): a
 * certificate that begins this soon after the corrected time is taken as
 * valid too (chains are issued seconds apart). */
#define CLOCK_SLACK   3600

struct clock_group {
	int64_t not_before;        /* the chain's latest start time */
	int64_t need;              /* the largest (not_before - capture time) among its handshakes */
	uint64_t conns;            /* completed handshakes with it */
	uint64_t born;             /* observations before it was first seen */
	const char *file;          /* the handshake with that need: the report cites it */
	uint64_t stream, frame;
	int64_t time;
};

struct clockskew {
	struct clock_group g[CLOCK_GROUPS];
	uint32_t n;
	uint64_t observed;         /* completed handshakes with a server chain whose dates could be read */
	uint64_t ahead;            /* ... whose chain was not yet valid at capture time */
	uint64_t untracked;        /* ... of them, whose start time found no room */
	int64_t offset;            /* learned so far, seconds (0: none) */
	uint64_t generation;       /* bumped whenever the offset changes */
	const struct clock_group *proof;   /* the start time that sets the offset (NULL: none) */
	/* connections reported before the offset reached its final value while
	 * a certificate they call not yet valid is made valid by it (JSON Lines
	 * and live reports cannot take them back: the summary counts them) */
	uint64_t judged_early;
	uint64_t judged_early_unknown;   /* beyond what was remembered (LIM_CLOCK_EARLY) */
};

struct clockskew *clockskew_new(void);
void clockskew_free(struct clockskew *ck);

/* A completed handshake at capture time t (seconds) whose accepted chain's
 * latest notBefore is latest_not_before; where names it for the report. */
void clockskew_observe(struct clockskew *ck, int64_t t, int64_t latest_not_before, const char *file,
		       uint64_t stream, uint64_t frame);

/* The learned offset in seconds: 0 when no start time has its quorum, or
 * when most completed handshakes were valid by the capture's clock. */
int64_t clockskew_offset(const struct clockskew *ck);

/* Is a certificate that begins at not_before valid at capture time t once
 * the learned offset is applied (and it was not valid at t alone)? */
bool clockskew_covers(const struct clockskew *ck, int64_t t, int64_t not_before);

/* Evidence that may still raise the offset: a start time beyond it that
 * has not yet reached its quorum, seen within the last CLOCK_PENDING
 * observations. Reports wait (a bounded while) rather than judge early. */
bool clockskew_pending(const struct clockskew *ck);

/* Has enough been seen to judge by it: an offset learned and nothing
 * pending, or CLOCK_PENDING completed handshakes without one? (NULL: yes.) */
bool clockskew_decided(const struct clockskew *ck);

/* Completed handshakes the learned offset explains (their chain valid with it). */
uint64_t clockskew_explained(const struct clockskew *ck);

struct chain;
/* How far after its capture time the chain's latest certificate begins
 * (<= 0: every certificate had begun; INT64_MIN: no dates read). */
int64_t clockskew_chain_ahead(const struct chain *ch);

/* What a report says once at its top ("" when nothing was learned). */
#define CLOCK_NOTE_LEN 1024u
void clockskew_note(const struct clockskew *ck, char *buf, size_t len);

#endif
