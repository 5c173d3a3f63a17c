/* settled.c - settled sessions: judged, held for first-frame order, reported (settled.h). */
#include "settled.h"

#include <string.h>

#include "clockskew.h"
#include "diagnose.h"
#include "evidence.h"
#include "flow.h"
#include "limits.h"
#include "mem.h"
#include "reporter.h"
#include "session.h"
#include "summary.h"

struct settled {
	const struct analyze_opts *opts;
	struct reporter *rep;
	struct summary *sum;
	/* finished sessions waiting for their turn, a min-heap by stream */
	struct held { uint64_t stream; struct session *s; } *held;
	uint32_t held_n, held_cap;
	uint64_t next_index;
	/* sessions reported with cert-not-yet-valid while the capture's clock
	 * offset could still grow: how far ahead their certificate begins, and
	 * their file's clock and its generation then (the end counts those
	 * its final offset made valid) */
	struct early { int64_t need; uint64_t generation; struct clockskew *ck; } *early;
	uint32_t early_n;
};

void settled_hold(struct settled *q, struct session *s)
{
	if (q->held_n == q->held_cap) {
		q->held_cap = q->held_cap ? q->held_cap * 2 : 64;
		q->held = mem_realloc(q->held, q->held_cap * sizeof *q->held);
	}
	uint32_t i = q->held_n++;
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (q->held[parent].stream <= s->stream)
			break;
		q->held[i] = q->held[parent];
		i = parent;
	}
	q->held[i].stream = s->stream;
	q->held[i].s = s;
}

static struct session *heap_pop(struct settled *q)
{
	struct session *top = q->held[0].s;
	struct held last = q->held[--q->held_n];
	uint32_t i = 0;
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		uint64_t ms = last.stream;
		if (l < q->held_n && q->held[l].stream < ms) {
			m = l;
			ms = q->held[l].stream;
		}
		if (r < q->held_n && q->held[r].stream < ms)
			m = r;
		if (m == i)
			break;
		q->held[i] = q->held[m];
		i = m;
	}
	if (q->held_n)
		q->held[i] = last;
	return top;
}

/* ---- the capture's clock (clockskew.h) ---- */

/* The clock of the file being read: main gives each file its own, and a
 * file's sessions are all reported before the next file begins. */
struct clockskew *settled_clock(const struct settled *q)
{
	return q->opts->diag && !q->opts->diag->at_given ? q->opts->diag->clock : NULL;
}

static int64_t chain_ahead(const struct chain *ch)
{
	return clockskew_chain_ahead(ch);
}

/* A completed handshake: its client accepted the server's chain, so by the
 * client's clock the chain had begun. Told once per connection, before
 * its diagnosis, which then reads the offset learned so far. */
void settled_learn_clock(struct settled *q, struct session *s)
{
	struct clockskew *ck = settled_clock(q);
	const struct chain *ch = &s->server_chain;
	if (!ck || !s->handshake_done[SIDE_CLIENT] || !s->handshake_done[SIDE_SERVER])
		return;
	int64_t ahead = chain_ahead(ch);
	if (ahead == INT64_MIN)
		return;
	clockskew_observe(ck, ch->time.sec, ch->time.sec + ahead, s->file, s->stream, ch->frame);
}

void settled_judge(struct settled *q, struct session *s)
{
	finding_list_free(&s->findings);   /* a later look starts afresh */
	if (q->opts->diag->words_later)
		diagnose_facts(s, q->opts->diag, &s->findings);
	else
		diagnose_session(s, q->opts->diag, &s->findings);
	diagnose_outcome(s);
	struct clockskew *ck = settled_clock(q);
	s->clock_generation = ck ? ck->generation : 0;
}

/* Does the verdict on s depend on the capture's clock (a certificate
 * that begins after its capture time)? */
static bool clock_sensitive(const struct session *s)
{
	return chain_ahead(&s->server_chain) > 0 || chain_ahead(&s->client_chain) > 0;
}

/* Judged before the offset last moved, with a certificate not yet valid
 * at its time: judged again now (the session is still whole). */
static void rejudge(struct settled *q, struct session *s)
{
	struct clockskew *ck = settled_clock(q);
	if (!ck || s->clock_generation == ck->generation)
		return;
	if (clock_sensitive(s))
		settled_judge(q, s);
	s->clock_generation = ck->generation;
}

/* Reported with cert-not-yet-valid: remembered (a bounded number), so the
 * end can say how many a later offset would have made valid. */
static void note_early(struct settled *q, const struct session *s)
{
	struct clockskew *ck = settled_clock(q);
	bool nyv = false;
	for (uint32_t i = 0; i < s->findings.n && !nyv; i++)
		nyv = strcmp(s->findings.v[i].id, "cert-not-yet-valid") == 0;
	if (!ck || !nyv)
		return;
	int64_t need = chain_ahead(&s->server_chain), cn = chain_ahead(&s->client_chain);
	if (cn > need)
		need = cn;
	if (q->early_n == LIM_CLOCK_EARLY) {
		ck->judged_early_unknown++;   /* said only when its offset is learned */
		return;
	}
	if (!q->early)
		q->early = mem_alloc(LIM_CLOCK_EARLY * sizeof *q->early);
	q->early[q->early_n++] = (struct early){ need, ck->generation, ck };
}

/* At the end: those their file's final offset makes valid were reported too early. */
void settled_count_early(struct settled *q)
{
	for (uint32_t i = 0; i < q->early_n; i++)
		q->early[i].ck->judged_early = 0;
	for (uint32_t i = 0; i < q->early_n; i++) {
		const struct early *e = &q->early[i];
		int64_t off = clockskew_offset(e->ck);
		if (off && e->generation != e->ck->generation && e->need <= off + CLOCK_SLACK)
			e->ck->judged_early++;
	}
}

static void report(struct settled *q, struct session *s, bool own_ev)
{
	if (q->opts->diag)
		rejudge(q, s);
	note_early(q, s);
	s->index = q->next_index++;
	tally(q->sum, s);
	if (q->opts->settled)
		q->opts->settled(q->opts->settled_ctx, s);
	reporter_connection(q->rep, s);
	if (own_ev && s->ev && q->opts->ev)
		evidence_conn_free(q->opts->ev, s->ev);
	session_free(s);
}

void settled_report(struct settled *q, struct session *s)
{
	report(q, s, true);
}

void settled_report_open(struct settled *q, struct session *s)
{
	report(q, s, false);
}

/* Report every held session that no open connection can precede. */
void settled_release(struct settled *q, const struct flow_table *flows, bool all)
{
	while (q->held_n) {
		struct flow *oldest = flows ? flow_first_created(flows) : NULL;
		bool blocked = oldest && oldest->stream < q->held[0].stream;
		/* a certificate not yet valid by the capture's clock waits while
		 * the completed handshakes may still show that clock is behind */
		blocked = blocked || (clock_sensitive(q->held[0].s) && !clockskew_decided(settled_clock(q)));
		if (blocked && !all && q->held_n <= LIM_REPORT_HOLD)
			break;
		settled_report(q, heap_pop(q));
	}
}

struct settled *settled_new(const struct analyze_opts *opts, struct reporter *rep, struct summary *sum)
{
	struct settled *q = mem_alloc(sizeof *q);
	q->opts = opts;
	q->rep = rep;
	q->sum = sum;
	return q;
}

bool settled_release_oldest(struct settled *q)
{
	if (!q->held_n)
		return false;
	settled_report(q, heap_pop(q));
	return true;
}

void settled_free(struct settled *q)
{
	if (!q)
		return;
	mem_free(q->held);
	mem_free(q->early);
	mem_free(q);
}
