/* analyze.c - pipeline driver: decode, track connections, reassemble, parse TLS, settle and report. */
#include "analyze.h"
#include "after_report.h"

#include <stdio.h>
#include <string.h>

#include "clockskew.h"
#include "conn.h"
#include "decode.h"
#include "flow.h"
#include "ipfrag.h"
#include "limits.h"
#include "mem.h"
#include "session.h"
#include "settled.h"
#include "summary.h"
#include "tcp_reasm.h"
#include "tls_conn.h"
#include "tls_keys.h"
#include "tls_record.h"
#include "tls_service.h"
#include "x509.h"

#define WARNINGS_PER_FILE 10
#define EXPIRY_EVERY      4096u   /* packets between idle sweeps */
/* A closed connection lingers this long (capture time) before it is
 * settled: segments in flight when a RST or the last FIN was captured still
 * belong to it (Wireshark keeps them in the same stream). */
#define LINGER_NS         2000000000LL
#define SETTLE_GRACE_MS   1000   /* TLS 1.3: for the server's answer to the client's flight */
#define LIM_KEYWAIT_RETRIES 1024u /* waiting connections a tick offers their held records again */
/* ... but a connection closed with FIN both ways and every byte delivered
 * expects nothing more than the last ACK: it lingers only this long, so a
 * busy capture does not hold thousands of finished sessions. */
#define LINGER_CLEAN_NS   200000000LL
struct analyzer {
	struct analyze_opts opts;
	struct reporter *rep;
	struct summary sum;
	/* current file */
	const char *file;
	int dlt;
	int ts_digits;
	uint64_t frame;
	struct ts now_ts;
	int64_t now;              /* latest capture second seen (time may go backwards) */
	uint32_t warned;
	uint32_t since_sweep;
	int64_t now_ns;           /* latest capture time seen, nanoseconds */
	struct flow_table *flows;
	struct ipfrag_table *frags;
	struct budget budget;     /* what its connections hold together (TCP queues, handshake messages) */
	struct tls_keys_tally keys;   /* which key log matched how many connections */
	/* closed connections waiting out their linger, one list per length */
	struct conn_list closing[2];
	/* TLS 1.3 connections settled but for the server's answer, oldest first */
	struct conn_list waiting;
	struct settled *settled;  /* settled sessions waiting for their turn to be reported */
	uint64_t settled_n;       /* sessions settled to be reported (-c counts these) */
	/* endpoints seen serving TLS: a client that spoke something else to one
	 * of them is reported as not_tls */
	struct tls_services services;
};

static void remember_server(struct analyzer *a, const struct session *s)
{
	tls_service_remember(&a->services, s);
}

/* ---- connections ---- */

static void start_session(struct conn *c, int ep, const uint8_t *p, uint32_t n)
{
	conn_decide_roles(c, ep, p, n);
	c->s = session_new();
	bool mid[2];
	for (int e = 0; e < 2; e++)
		mid[conn_side(c, e)] = !c->tcp[e].syn || c->ep[e].lost_start;
	c->tls = tls_conn_new(c->s, mid, &c->a->budget);
	if (c->a->opts.keylog)
		tls_keys_attach(c->tls, c->s, c->a->opts.keylog, c->a->opts.keylog_given, &c->a->keys,
				c->a->opts.live ? c->a->opts.keylog_follow : NULL);
}

static void on_data(void *ctx, int ep, const uint8_t *p, uint32_t n, uint64_t frame, const struct ts *t)
{
	struct conn *c = ctx;
	if (c->reported) {
		if (c->watch)
			after_report_data(c->watch, conn_side(c, ep), p, n, frame);
		return;
	}
	if (!c->s)
		start_session(c, ep, p, n);
	tls_conn_data(c->tls, conn_side(c, ep), p, n, frame, t);
}

static void on_gap(void *ctx, int ep, uint32_t n, uint64_t frame, const char *why)
{
	struct conn *c = ctx;
	if (c->reported) {
		if (c->watch)
			c->watch->lost = true;
		return;
	}
	if (!c->s) {
		c->ep[ep].lost_start = true;   /* nothing seen yet: parse from mid-stream */
		start_session(c, ep, NULL, 0);
		return;
	}
	tls_conn_gap(c->tls, conn_side(c, ep), n, frame, why);
}

static void on_tcp_event(void *ctx, uint64_t frame, const char *id, const char *detail)
{
	struct conn *c = ctx;
	if (c->reported)
		return;
	if (!c->s)
		start_session(c, 0, NULL, 0);
	session_event(c->s, frame, id, "%s", detail);
}

static struct tcp_sink sink_for(struct conn *c)
{
	struct tcp_sink k = { .data = on_data, .gap = on_gap, .event = on_tcp_event, .ctx = c };
	return k;
}

/* Is a settled session worth a report? TLS ones always; a non-TLS one only
 * when its server is a TLS service (someone spoke the wrong protocol); the
 * others are counted for the summary. */
static bool reportable(struct analyzer *a, struct session *s)
{
	if (s->is_tls && s->outcome != OUTCOME_NOT_TLS)
		return true;
	if (s->outcome != OUTCOME_NOT_TLS)
		return false;
	s->tls_service_why = tls_service_why(&a->services, a->opts.tls_ports, a->opts.n_tls_ports, s);
	return s->tls_service_why != NULL;
}

/* A non-TLS connection left out: counted, with its port, once. */
static void count_left_out(struct analyzer *a, struct conn *c, const struct session *s)
{
	if (s->outcome != OUTCOME_NOT_TLS || c->counted_left_out)
		return;
	c->counted_left_out = true;
	struct summary *sum = &a->sum;
	sum->not_tls_left_out++;
	for (uint32_t i = 0; i < sum->n_not_tls_ports; i++)
		if (sum->not_tls_ports[i] == s->server_port)
			return;
	if (sum->n_not_tls_ports < SUMMARY_NOT_TLS_PORTS)
		sum->not_tls_ports[sum->n_not_tls_ports++] = s->server_port;
}

/* -w: keep the connection's packets if it is worth a support case. */
static void give_verdict(struct analyzer *a, struct conn *c, const struct session *s)
{
	if (!a->opts.ev || c->verdict)
		return;
	c->verdict = true;
	bool keep = s && reportable(a, (struct session *)s) &&
		    (finding_list_has_error(&s->findings) || (a->opts.write_all && s->is_tls));
	if (c->ev && keep && s && s->ch.present && a->opts.keylog && evidence_writes_secrets(a->opts.ev)) {
		size_t len = 0;
		char *lines = keylog_export(a->opts.keylog, &s->ch.random, 1, &len);
		evidence_secrets(a->opts.ev, c->ev, lines, len);
		keylog_export_free(lines, len);
	}
	if (c->ev)
		evidence_verdict(a->opts.ev, c->ev, keep);
}

/* Hand the -w mapping of frames to the session that reports them. */
static void attach_evidence(struct analyzer *a, struct conn *c, struct session *s)
{
	if (!a->opts.ev || !c->ev)
		return;
	s->ev = c->ev;
	s->written_file = evidence_path(a->opts.ev);
	if (evidence_truncated(c->ev))
		session_event(s, c->last_frame, "evidence.truncated",
			      "connection too large to hold before its verdict: -w kept its first packets only");
}

static void closing_unlink(struct analyzer *a, struct conn *c)
{
	if (!c->closing)
		return;
	conn_list_unlink(&a->closing[c->closing_list], LIST_CLOSING, c);
	c->closing = false;
}

/* RST, or FIN both ways: settle after LINGER_NS (LINGER_CLEAN_NS when
 * both directions ended with a FIN and nothing is missing). */
static void start_closing(struct analyzer *a, struct conn *c, int kind, uint64_t frame)
{
	if (c->closing || c->keywait_closed)
		return;
	bool clean = kind == CLOSE_FIN && tcp_dir_complete(&c->tcp[0]) && tcp_dir_complete(&c->tcp[1]);
	int l = clean ? CLOSING_CLEAN : CLOSING_LONG;
	c->closing = true;
	c->closing_list = (uint8_t)l;
	c->close_kind = (uint8_t)kind;
	c->close_frame = frame;
	c->close_ns = a->now_ns;
	conn_list_append(&a->closing[l], LIST_CLOSING, c);
}

static void wait_unlink(struct analyzer *a, struct conn *c)
{
	if (!c->waiting)
		return;
	conn_list_unlink(&a->waiting, LIST_WAITING, c);
	c->waiting = false;
}

static void warn(struct analyzer *a, uint64_t frame, const char *what, const char *why);

/* Live: a connection reported completed and watched (after_report.h) that
 * was refused after its report is counted failed, with a line on stderr. */
static void refused_after_report(struct analyzer *a, struct conn *c, int close_kind)
{
	struct after_report *w = c->watch;
	for (int ep = 0; ep < 2; ep++) {
		const struct ep_stats *st = &c->ep[ep];
		if (st->rst || st->fin)
			after_report_closed(w, conn_side(c, ep), st->rst,
					    st->rst && (!st->fin || st->rst_frame < st->fin_frame) ? st->rst_frame : st->fin_frame,
					    st->rst_frame);
	}
	if (!after_report_refused(w, close_kind == CLOSE_FIN || close_kind == CLOSE_RST))
		return;
	summary_failed_after_report(&a->sum, w->was, w->finding_id, w->server_row);
	int closer = close_kind == CLOSE_RST ? conn_side(c, c->ep[0].rst ? 0 : 1)
		     : conn_side(c, c->first_fin_ep >= 0 ? c->first_fin_ep : 0);
	char msg[320];
	after_report_describe(w, c->flow->stream, closer, msg, sizeof msg);
	uint64_t at = w->t13 && w->t13->view.end_frame ? w->t13->view.end_frame   /* its alert-sized record */
		      : w->alert_from >= 0 ? w->alert_frame : c->close_frame;
	warn(a, at, "reported completed, refused after its report", msg);
}

/* The connection is over (closed, idle, evicted or end of capture). */
static void settle(struct analyzer *a, struct conn *c, int close_kind, uint64_t frame, bool remember)
{
	wait_unlink(a, c);
	if (c->closing || c->keywait_closed) {
		/* it closed before: that is how it ended */
		close_kind = c->close_kind;
		frame = c->close_frame;
		closing_unlink(a, c);
	}
	struct tcp_sink sink = sink_for(c);
	for (int e = 0; e < 2; e++)
		tcp_dir_flush(&c->tcp[e], e, frame, &c->last_time, &sink);
	struct session *s = c->s;
	if (s) {
		if (c->tls) {
			const char *why = close_kind == CLOSE_END_OF_CAPTURE ? "the end of the capture"
					  : close_kind == CLOSE_EVICTED || close_kind == CLOSE_EXPIRED
						  ? "the end of its analysis (evicted or idle)"
						  : "the end of the connection";
			tls_conn_end(c->tls, frame, why);
		}
		conn_tcp_facts(c, s, a->file, a->ts_digits, close_kind, frame);
		session_finish(s);
		tls_conn_free(c->tls);
		c->tls = NULL;
		if (s->is_tls && (s->dir[SIDE_SERVER].spoke_tls))
			remember_server(a, s);
		if (reportable(a, s) && analyzer_done(a)) {
			/* -c N was reached: in flight at the stop, cut off by it, not failed */
			a->sum.cut_by_stop++;
			give_verdict(a, c, NULL);
			session_free(s);
		} else if (reportable(a, s)) {
			a->settled_n++;
			settled_learn_clock(a->settled, s);
			if (a->opts.diag)
				settled_judge(a->settled, s);
			give_verdict(a, c, s);
			attach_evidence(a, c, s);
			c->ev = NULL;
			if (a->opts.live)
				settled_report(a->settled, s);
			else
				settled_hold(a->settled, s);
		} else {
			count_left_out(a, c, s);
			give_verdict(a, c, NULL);
			session_free(s);
		}
	} else {
		give_verdict(a, c, NULL);
		if (c->watch)
			refused_after_report(a, c, close_kind);
	}
	after_report_free(c->watch);
	if (c->ev)
		evidence_conn_free(a->opts.ev, c->ev);
	for (int e = 0; e < 2; e++)
		tcp_dir_free(&c->tcp[e]);
	flow_remove(a->flows, c->flow, remember);
	mem_free(c);
	settled_release(a->settled, a->flows, false);
}

/* Hold a connection for its grace period, counted from since (ns); false
 * once the grace is over. Connections wait in a list, oldest first, so
 * that settle_waiting can report them when no packet of theirs comes. */
static bool wait_for_answer(struct analyzer *a, struct conn *c, int64_t since)
{
	int64_t grace = (a->opts.settle_grace_ms > 0 ? a->opts.settle_grace_ms : SETTLE_GRACE_MS) * 1000000LL;
	if (c->wait_since_ns)
		since = c->wait_since_ns;   /* waited before: its grace is counted once */
	if (a->now_ns - since >= grace)
		return false;
	if (!c->waiting) {
		c->waiting = true;
		c->wait_since_ns = since;
		conn_list_append(&a->waiting, LIST_WAITING, c);
	}
	return true;
}

/* TLS 1.3: wait for the server's answer to the client's second flight
 * (session.h), the close (settle) or the grace period, whichever comes first. */
static bool server_answer_pending(struct analyzer *a, struct conn *c, const struct session *s)
{
	struct ts since = { 0, 0 };   /* set when due: for gcc -O1 */
	return session_server_answer_due(s, &since) && wait_for_answer(a, c, ts_ns(&since));
}

/* Live, a handshake that completed may still be refused by a short answer
 * and a close (nginx's HTTP 400 for a missing or unverifiable client
 * certificate, TLS 1.2 or 1.3): until the connection is past that point,
 * it waits for the close or its grace period before it is reported. */
static bool rejection_pending(struct analyzer *a, struct conn *c, const struct session *s)
{
	if (s->outcome != OUTCOME_COMPLETED || session_beyond_rejection(s))
		return false;
	if (c->closing)
		return true;   /* it settles at the end of its linger, judged with how it closed */
	const struct direction *cl = &s->dir[SIDE_CLIENT];
	int64_t since = cl->rlog_n ? ts_ns(&cl->rlog[0].time) : a->now_ns;
	return wait_for_answer(a, c, since);
}

static void check_settled(struct analyzer *a, struct conn *c, uint64_t frame);

/* Connections whose grace is over settle now, packets of theirs or not. */
static void settle_waiting(struct analyzer *a)
{
	int64_t grace = (a->opts.settle_grace_ms > 0 ? a->opts.settle_grace_ms : SETTLE_GRACE_MS) * 1000000LL;
	struct conn *c;
	while ((c = a->waiting.head) && a->now_ns - c->wait_since_ns >= grace) {
		wait_unlink(a, c);
		check_settled(a, c, c->last_frame);
	}
}

/* Live: report as soon as the handshake settles; with -w (file mode too):
 * decide then whether the connection's packets are kept, so a long
 * connection is not held in memory until it closes. */
static void check_settled(struct analyzer *a, struct conn *c, uint64_t frame)
{
	struct session *s = c->s;
	if (!s || c->reported || (!a->opts.live && (!a->opts.ev || c->verdict)) || analyzer_done(a))
		return;
	/* live: records that wait for keys the client is still writing hold
	 * the judgement, for the grace period at most */
	struct ts since;
	if (c->tls && tls_conn_holding(c->tls, &since)) {
		tls_conn_retry(c->tls, false);
		if (tls_conn_holding(c->tls, NULL) && wait_for_answer(a, c, ts_ns(&since)))
			return;
		tls_conn_retry(c->tls, true);
	}
	if (c->keywait_closed) {
		settle(a, c, c->close_kind, c->close_frame, true);   /* its linger ended while it waited */
		return;
	}
	conn_tcp_facts(c, s, a->file, a->ts_digits, CLOSE_NONE, frame);   /* a FIN seen now can decide the outcome */
	if (!session_handshake_over(s) || server_answer_pending(a, c, s))
		return;
	/* a failure inferred from TLS 1.3 record sizes is judged with the close:
	 * until then a later record (the server's tickets, its close_notify)
	 * can show there was none (a client's close_notify right after its
	 * Finished has an alert's size) */
	if (s->t13_inferred && s->t13.failed && (!a->opts.live || c->closing || wait_for_answer(a, c, a->now_ns)))
		return;
	/* -w's verdict on a file waits while a server may still refuse the
	 * connection with a short answer; live, for its grace period at most */
	if (!a->opts.live && s->outcome == OUTCOME_COMPLETED && !session_beyond_rejection(s))
		return;
	/* ... and while bytes wait behind a hole: they may be the data whose
	 * absence the rules would read as a refusal (variant-lost-appdata) */
	if (!a->opts.live && (c->tcp[0].ooo_segs || c->tcp[1].ooo_segs))
		return;
	if (a->opts.live && rejection_pending(a, c, s))
		return;
	wait_unlink(a, c);
	session_finish(s);
	if (!reportable(a, s))
		return;
	if (a->opts.live)
		settled_learn_clock(a->settled, s);   /* files: when it closes (settle) */
	if (a->opts.diag)
		settled_judge(a->settled, s);
	give_verdict(a, c, s);
	if (!a->opts.live)
		return;   /* the report waits for the end of the connection */
	attach_evidence(a, c, s);
	/* -w goes on writing the connection (its alerts, its close) after the
	 * report, within evidence.h's follow bound: cut at the report, the
	 * file would read as a handshake that completed */
	evidence_follow(c->ev);
	if (s->is_tls && s->dir[SIDE_SERVER].spoke_tls)
		remember_server(a, s);
	tls_conn_free(c->tls);
	c->tls = NULL;
	c->s = NULL;
	c->reported = true;
	a->settled_n++;
	c->watch = after_report_watch(s);
	if (c->watch)
		c->watch->server_row = summary_server(&a->sum, s);
	settled_report_open(a->settled, s);
}

static struct conn *conn_new(struct analyzer *a, struct flow *f, const struct capture_pkt *p)
{
	struct conn *c = mem_alloc(sizeof *c);
	c->a = a;
	c->flow = f;
	c->client_ep = -1;
	c->first_fin_ep = -1;
	c->first_frame = p->frame;
	c->first_time = p->time;
	tcp_dir_init(&c->tcp[0], &a->budget);
	tcp_dir_init(&c->tcp[1], &a->budget);
	f->conn = c;
	return c;
}

/* The connection to evict: among the least recently active, the first
 * that loses nothing but its end (no payload yet, or its handshake
 * settled); else the least recently active. */
#define EVICTION_SCAN 256u
static struct flow *eviction_victim(struct analyzer *a)
{
	struct flow *f = flow_oldest(a->flows);
	unsigned n = 0;
	for (struct flow *g = f; g && n < EVICTION_SCAN; g = g->next, n++) {
		struct conn *c = g->conn;
		if (!c->s || session_handshake_over(c->s))
			return g;
	}
	return f;
}

/* Idle connections are settled; over the caps, the least recently active
 * ones are evicted (after held reports, which are cheaper to let go). */
static void enforce_limits(struct analyzer *a, bool sweep)
{
	struct flow *f;
	if (sweep) {
		while ((f = flow_oldest(a->flows)) && a->now - f->last_active > a->opts.idle_timeout) {
			a->sum.flows_expired++;
			settle(a, f->conn, CLOSE_EXPIRED, a->frame, true);
		}
	}
	for (;;) {
		bool over_count = flow_count(a->flows) > LIM_FLOWS;
		size_t all = mem_footprint(), growth = flow_growth_bytes(a->flows);
		bool over_memory = all + growth > a->opts.memory_limit;
		if (over_memory) {
			/* the key logs' secrets are the run's, not the connections':
			 * counted out only here, as most packets are well under */
			size_t keys = keylog_footprint(a->opts.keylog);
			over_memory = (all > keys ? all - keys : 0) + growth > a->opts.memory_limit;
		}
		if (!over_count && !over_memory)
			break;
		if (over_memory && mem_pooled()) {
			mem_release_pools();
			continue;
		}
		if (settled_release_oldest(a->settled))
			continue;
		f = eviction_victim(a);
		if (!f)
			break;
		a->sum.flows_evicted++;
		a->sum.flows_evicted_for_memory += !over_count;
		settle(a, f->conn, CLOSE_EVICTED, a->frame, true);
	}
}

/* The connection a segment belongs to (ep: its endpoint), a new one for a
 * new stream, or NULL for a late packet of a closed one. */
static struct conn *conn_of(struct analyzer *a, const struct decoded *d, const struct capture_pkt *p, int *ep)
{
	struct flow_key k;
	flow_key_make(&k, d->af, d->src, d->sport, d->dst, d->dport, ep);
	uint64_t h = flow_key_hash(&k);
	struct flow *f = flow_find(a->flows, &k, h);
	bool syn_only = (d->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
	/* a new SYN with another ISN: the 4-tuple is reused (Wireshark starts
	 * a new tcp.stream) */
	struct conn *old = f ? f->conn : NULL;
	if (old && syn_only && old->tcp[*ep].syn && d->seq != old->tcp[*ep].isn) {
		settle(a, old, CLOSE_NONE, p->frame, false);
		f = NULL;
	}
	if (f) {
		flow_touch(a->flows, f, a->now);
		return f->conn;
	}
	/* A closed 4-tuple: late packets belong to its stream and are ignored; a
	 * SYN with a new number starts a new stream, a SYN repeating the old one
	 * continues it (Wireshark's numbering). */
	struct closed_flow closed;
	bool continued = false;
	if (flow_closed_lookup(a->flows, h, &closed)) {
		if (!syn_only) {
			a->sum.late_packets++;
			return NULL;
		}
		flow_closed_forget(a->flows, h);
		continued = (closed.syn_seen & (1u << *ep)) && closed.syn_seq[*ep] == d->seq;
	}
	f = continued ? flow_add_stream(a->flows, &k, h, a->now, closed.stream) : flow_add(a->flows, &k, h, a->now);
	return conn_new(a, f, p);
}

/* FIN and RST: the first of each per endpoint, and the start of the linger. */
static void note_close(struct analyzer *a, struct conn *c, int ep, uint8_t flags, const struct capture_pkt *p)
{
	struct ep_stats *st = &c->ep[ep];
	if ((flags & (TCP_RST | TCP_FIN)) && !st->rst && !st->fin)
		st->close_time = p->time;
	if (flags & TCP_RST) {
		if (!st->rst) {
			st->rst = true;
			st->rst_frame = p->frame;
		}
		start_closing(a, c, CLOSE_RST, p->frame);
	}
	if (flags & TCP_FIN) {
		if (!st->fin) {
			st->fin = true;
			st->fin_frame = p->frame;
		}
		if (c->first_fin_ep < 0)
			c->first_fin_ep = ep;
		if (c->ep[0].fin && c->ep[1].fin)
			start_closing(a, c, CLOSE_FIN, p->frame);
	}
}

static void tcp_packet(struct analyzer *a, const struct decoded *d, const struct capture_pkt *p)
{
	int ep;
	struct conn *c = conn_of(a, d, p, &ep);
	if (!c)
		return;
	if (a->opts.ev && (!c->verdict || c->ev))
		evidence_packet(a->opts.ev, &c->ev, p);
	c->last_frame = p->frame;
	c->last_time = p->time;
	struct ep_stats *st = &c->ep[ep];
	st->packets++;
	st->bytes += d->payload_len;
	if (d->flags & TCP_SYN) {
		st->syn = true;
		if (c->client_ep < 0)
			c->client_ep = (d->flags & TCP_ACK) ? 1 - ep : ep;
		if (!(c->flow->syn_seen & (1u << ep))) {
			c->flow->syn_seq[ep] = d->seq;
			c->flow->syn_seen |= (uint8_t)(1u << ep);
		}
	}

	struct tcp_sink sink = sink_for(c);
	struct tcp_seg seg = {
		.seq = d->seq, .ack = d->ack, .flags = d->flags, .payload = d->payload,
		.caplen = d->payload_caplen, .len = d->payload_len, .frame = p->frame, .time = p->time,
	};
	/* a copy in a shifted sequence space (tcp_reasm.h) is ignored whole */
	if (!tcp_dir_segment(&c->tcp[ep], ep, &seg, &sink))
		return;
	if (d->flags & TCP_ACK)
		tcp_dir_acked(&c->tcp[1 - ep], 1 - ep, d->ack, p->frame, &p->time, &sink);
	for (int e = 0; e < 2; e++)
		tcp_dir_age(&c->tcp[e], e, p->frame, &p->time, &sink);
	note_close(a, c, ep, d->flags, p);
	check_settled(a, c, p->frame);
}

/* Settle the closed connections whose linger is over. */
static void settle_closed(struct analyzer *a)
{
	static const int64_t linger[2] = { [CLOSING_CLEAN] = LINGER_CLEAN_NS, [CLOSING_LONG] = LINGER_NS };
	for (int l = 0; l < 2; l++) {
		struct conn *c;
		while ((c = a->closing[l].head) && a->now_ns - c->close_ns >= linger[l]) {
			/* live: records still waiting for keys the client writes keep it
			 * for its grace period (check_settled settles it then) */
			struct ts since;
			if (a->opts.live && c->s && !c->reported && c->tls && tls_conn_holding(c->tls, &since)) {
				tls_conn_retry(c->tls, false);
				if (tls_conn_holding(c->tls, NULL) &&
				    wait_for_answer(a, c, ts_ns(&since))) {
					closing_unlink(a, c);
					c->keywait_closed = true;
					continue;
				}
			}
			settle(a, c, c->close_kind, c->close_frame, true);
		}
	}
}

static void warn(struct analyzer *a, uint64_t frame, const char *what, const char *why)
{
	if (!a->opts.warn || a->warned++ >= WARNINGS_PER_FILE)
		return;
	char msg[384];
	snprintf(msg, sizeof msg, "%s: %s", what, why ? why : "?");
	a->opts.warn(a->opts.warn_ctx, a->file, frame, msg);
}

void analyzer_packet(struct analyzer *a, const struct capture_pkt *p)
{
	a->sum.packets++;
	a->frame = p->frame;
	a->now_ts = p->time;
	if (p->time.sec > a->now)
		a->now = p->time.sec;
	int64_t ns = ts_ns(&p->time);
	if (ns > a->now_ns)
		a->now_ns = ns;
	settle_closed(a);
	if (a->waiting.head)
		settle_waiting(a);
	struct decoded d;
	int rc = decode_packet(p->dlt, p->data, p->caplen, p->len, &d);   /* its own interface's link type */
	if (rc == DEC_FRAGMENT) {
		const uint8_t *dgram;
		uint32_t dlen;
		const char *why = NULL;
		a->sum.ip_fragments++;
		int fr = ipfrag_add(a->frags, &d, a->now, &dgram, &dlen, &why);
		if (fr == FRAG_DROPPED)
			warn(a, p->frame, "IP fragment dropped", why);
		if (fr != FRAG_DONE)
			return;
		a->sum.ip_datagrams_reassembled++;
		rc = decode_transport(d.frag.proto, dgram, dlen, dlen, &d);
	}
	switch (rc) {
	case DEC_TCP:
		break;
	case DEC_TRUNCATED:
		a->sum.truncated_packets++;
		warn(a, p->frame, "packet cut short by the capture", d.why);
		return;
	case DEC_INVALID:
		a->sum.invalid_packets++;
		warn(a, p->frame, "malformed packet", d.why);
		return;
	default:
		a->sum.non_tcp_packets++;
		return;
	}
	a->sum.tcp_packets++;
	tcp_packet(a, &d, p);
	bool sweep = ++a->since_sweep >= EXPIRY_EVERY;
	if (sweep)
		a->since_sweep = 0;
	enforce_limits(a, sweep);
}

struct analyzer *analyzer_new(const struct analyze_opts *o, struct reporter *rep)
{
	struct analyzer *a = mem_alloc(sizeof *a);
	a->opts = *o;
	summary_init(&a->sum);
	if (a->opts.idle_timeout <= 0)
		a->opts.idle_timeout = 600;
	if (a->opts.memory_limit == 0)
		a->opts.memory_limit = LIM_MEMORY_BUDGET;
	a->sum.memory_limit = a->opts.memory_limit;
	a->sum.stop_after = a->opts.stop_after;
	a->rep = rep;
	a->settled = settled_new(&a->opts, rep, &a->sum);
	return a;
}

void analyzer_begin_file(struct analyzer *a, const char *file, int dlt, int ts_digits)
{
	a->file = file;
	a->dlt = dlt;
	a->ts_digits = ts_digits;
	a->frame = 0;
	a->now = 0;
	a->now_ns = 0;
	a->warned = 0;
	a->since_sweep = 0;
	a->flows = flow_table_new();
	a->frags = ipfrag_new();
}

void analyzer_set_evidence(struct analyzer *a, struct evidence *ev)
{
	a->opts.ev = ev;
}

/* Live: connections whose records wait for keys look again (the key log
 * may have grown while the wire was quiet). */
static void retry_holding(struct analyzer *a)
{
	unsigned n = 0;
	for (struct conn *c = a->waiting.head, *next; c && n < LIM_KEYWAIT_RETRIES; c = next, n++) {
		next = c->next[LIST_WAITING];
		if (c->tls && tls_conn_holding(c->tls, NULL)) {
			tls_conn_retry(c->tls, false);
			if (!tls_conn_holding(c->tls, NULL)) {
				wait_unlink(a, c);
				check_settled(a, c, c->last_frame);
			}
		}
	}
}

void analyzer_tick(struct analyzer *a, int64_t now_ns)
{
	if (!a->flows)
		return;
	int64_t now = now_ns / 1000000000LL;
	if (now > a->now)
		a->now = now;
	if (now_ns > a->now_ns)
		a->now_ns = now_ns;
	retry_holding(a);
	settle_closed(a);
	settle_waiting(a);
	enforce_limits(a, true);
}

const struct budget *analyzer_budget(const struct analyzer *a)
{
	return &a->budget;
}

bool analyzer_done(const struct analyzer *a)
{
	/* settled, not yet emitted: files report in stream order, after the stop */
	return a->opts.stop_after && a->settled_n >= a->opts.stop_after;
}

void analyzer_end_file(struct analyzer *a)
{
	if (!a->flows)
		return;
	struct flow *f;
	while ((f = flow_first_created(a->flows)))
		settle(a, f->conn, CLOSE_END_OF_CAPTURE, a->frame, false);
	settled_release(a->settled, a->flows, true);
	a->sum.connections += flow_next_stream(a->flows);
	flow_table_free(a->flows);
	a->flows = NULL;
	a->sum.ip_datagrams_dropped += ipfrag_expired(a->frags) + ipfrag_pending(a->frags);
	ipfrag_free(a->frags);
	a->frags = NULL;
}

const struct summary *analyzer_summary(struct analyzer *a)
{
	summary_finish(&a->sum);
	settled_count_early(a->settled);
	a->sum.clock = settled_clock(a->settled);
	a->sum.certificates_parsed = x509_parsed_count();
	a->sum.certificate_cache_hits = x509_cache_hits();
	a->sum.peak_memory = mem_peak();
	return &a->sum;
}

uint64_t analyzer_keylog_matches(const struct analyzer *a, const char *source)
{
	return tls_keys_tally_of(&a->keys, source);
}

const struct summary *analyzer_counts(const struct analyzer *a) { return &a->sum; }

void analyzer_free(struct analyzer *a)
{
	if (!a)
		return;
	analyzer_end_file(a);
	summary_free(&a->sum);
	settled_free(a->settled);
	mem_free(a);
}
