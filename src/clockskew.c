/* clockskew.c - the capture's clock, learned from the handshakes that completed (issue 13). */
#include "clockskew.h"

#include <inttypes.h>
#include <stdio.h>

#include "mem.h"
#include "session.h"
#include "x509.h"

#define DAY (24 * 3600)

struct clockskew *clockskew_new(void)
{
	return mem_alloc(sizeof(struct clockskew));
}

void clockskew_free(struct clockskew *ck)
{
	mem_free(ck);
}

/* The start time with its quorum and the largest need (NULL: none). */
static const struct clock_group *quorum_proof(const struct clockskew *ck)
{
	const struct clock_group *best = NULL;
	for (uint32_t i = 0; i < ck->n; i++)
		if (ck->g[i].conns >= CLOCK_QUORUM && (!best || ck->g[i].need > best->need))
			best = &ck->g[i];
	return best;
}

int64_t clockskew_offset(const struct clockskew *ck)
{
	/* most completed handshakes valid by the capture's clock: it is not the suspect */
	if (!ck || ck->ahead * 2 <= ck->observed)
		return 0;
	return ck->offset;
}

void clockskew_observe(struct clockskew *ck, int64_t t, int64_t latest_not_before, const char *file,
		       uint64_t stream, uint64_t frame)
{
	int64_t before = clockskew_offset(ck);
	ck->observed++;
	if (latest_not_before > t) {
		ck->ahead++;
		int64_t need = latest_not_before - t;
		struct clock_group *g = NULL;
		for (uint32_t i = 0; i < ck->n && !g; i++)
			if (ck->g[i].not_before == latest_not_before)
				g = &ck->g[i];
		if (!g && ck->n < CLOCK_GROUPS) {
			g = &ck->g[ck->n++];
			g->not_before = latest_not_before;
			g->born = ck->observed;
		}
		if (g) {
			g->conns++;
			if (need > g->need) {
				g->need = need;
				g->file = file;
				g->stream = stream;
				g->frame = frame;
				g->time = t;
			}
		} else {
			ck->untracked++;
		}
		const struct clock_group *p = quorum_proof(ck);
		if (p && p->need > ck->offset) {
			ck->offset = p->need;
			ck->proof = p;
		}
	}
	if (clockskew_offset(ck) != before)
		ck->generation++;
}

bool clockskew_covers(const struct clockskew *ck, int64_t t, int64_t not_before)
{
	int64_t off = clockskew_offset(ck);
	return off > 0 && not_before > t && not_before - t <= off + CLOCK_SLACK;
}

bool clockskew_pending(const struct clockskew *ck)
{
	if (!ck || !ck->ahead)
		return false;
	int64_t off = clockskew_offset(ck);
	for (uint32_t i = 0; i < ck->n; i++) {
		const struct clock_group *g = &ck->g[i];
		if (g->need > off + CLOCK_SLACK && g->conns < CLOCK_QUORUM && ck->observed - g->born < CLOCK_PENDING)
			return true;
	}
	/* a majority not yet reached while handshakes with a quorum say it is behind */
	return !off && ck->offset && ck->observed < CLOCK_PENDING;
}

int64_t clockskew_chain_ahead(const struct chain *ch)
{
	int64_t ahead = INT64_MIN;
	for (uint32_t i = 0; ch->state == CHAIN_SEEN && i < ch->n; i++) {
		const struct x509_cert *x = ch->certs[i].x509;
		if (x && x->has_validity && x->not_before - ch->time.sec > ahead)
			ahead = x->not_before - ch->time.sec;
	}
	return ahead;
}

bool clockskew_decided(const struct clockskew *ck)
{
	if (!ck)
		return true;
	if (clockskew_pending(ck))
		return false;
	return clockskew_offset(ck) > 0 || ck->observed >= CLOCK_PENDING;
}

uint64_t clockskew_explained(const struct clockskew *ck)
{
	int64_t off = clockskew_offset(ck);
	uint64_t n = 0;
	for (uint32_t i = 0; off && i < ck->n; i++)
		if (ck->g[i].need <= off + CLOCK_SLACK)
			n += ck->g[i].conns;
	return n;
}

void clockskew_note(const struct clockskew *ck, char *buf, size_t len)
{
	int64_t off = clockskew_offset(ck);
	buf[0] = '\0';
	if (!off || !ck->proof || len == 0)
		return;
	const struct clock_group *p = ck->proof;
	char nb[32];
	x509_format_time(p->not_before, nb, sizeof nb);
	int64_t d = off / DAY, r = off % DAY;
	size_t at = 0;
	int w = snprintf(buf, len,
			 "the capture's clock is at least %" PRId64 " day%s %02" PRId64 ":%02" PRId64 ":%02" PRId64
			 " behind (capture-clock-suspect, inferred): %" PRIu64 " of %" PRIu64 " completed handshakes "
			 "with a server chain in clear accepted certificates that begin after their capture time, the "
			 "latest on %s (tcp.stream eq %" PRIu64 " in %s, frame %" PRIu64 "). Validity is judged at "
			 "capture time + %" PRId64 " s (+1 h: it is a lower bound); --at TIME judges at TIME",
			 d, d == 1 ? "" : "s", r / 3600, r / 60 % 60, r % 60, ck->ahead, ck->observed, nb, p->stream,
			 p->file ? p->file : "the capture", p->frame, off);
	at = w > 0 ? (size_t)w : 0;
	if (at < len && (ck->judged_early || ck->judged_early_unknown))
		snprintf(buf + at, len - at, ". %" PRIu64 "%s connection%s reported before the offset was learned "
					     "still say%s cert-not-yet-valid",
			 ck->judged_early, ck->judged_early_unknown ? "+" : "", ck->judged_early == 1 ? "" : "s",
			 ck->judged_early == 1 ? "s" : "");
}
