/* after_report.c - live: record headers of a connection after its report (after_report.h). */
#include "after_report.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "session.h"
#include "tls_record.h"

#define MAX_RECORD (16384u + 2048u)   /* RFC 5246 6.2.3: TLSCiphertext.length */

void after_report_init(struct after_report *w, uint8_t was)
{
	memset(w, 0, sizeof *w);
	w->alert_from = -1;
	w->was = was;
}

/* TLS 1.3: one more record for the inference, while the log has room. */
static void t13_record(struct after_report_t13 *t, int side, uint32_t len, uint64_t frame)
{
	if (t->in.n[side] < LIM_RECORD_LOG)
		t->rec[side][t->in.n[side]++] = (struct t13_rec){ frame, len, t->next_seq };
	t->next_seq++;
	t->in.total[side]++;
}

void after_report_closed(struct after_report *w, int side, bool reset, uint64_t frame, uint64_t rst_frame)
{
	if (reset && !w->rst_frame[side])
		w->rst_frame[side] = rst_frame;
	if (!w->t13)
		return;
	struct t13_input *in = &w->t13->in;
	in->reset[side] |= reset;   /* a reset after a FIN counts too, as in session.c */
	if (in->closed[side])
		return;
	in->closed[side] = true;
	in->close_frame[side] = frame;
}

/* A whole header: count it, or give up on bytes that are no TLS record
 * (the report may have left a record half read). */
static void header(struct after_report *w, int side, uint64_t frame)
{
	const uint8_t *h = w->hdr[side];
	uint32_t len = (uint32_t)h[3] << 8 | h[4];
	if (h[0] < TLS_CT_CCS || h[0] > TLS_CT_HEARTBEAT || h[1] != 3 || h[2] > 4 || len == 0 || len > MAX_RECORD) {
		w->lost = true;
		return;
	}
	if (w->t13 && h[0] != TLS_CT_CCS)
		t13_record(w->t13, side, len, frame);
	/* TLS 1.3 decrypted before the report: every record is application_data
	 * outside; one of an alert's size (2 bytes, type, tag, maybe Java's
	 * padding) is an alert, a larger one from the client its request */
	bool alert = h[0] == TLS_CT_ALERT || (w->sizes13 && h[0] == TLS_CT_APPDATA && len <= T13_ALERT_MAX);
	if (alert) {
		if (!w->alerts[0] && !w->alerts[1]) {
			w->alert_from = side;
			w->alert_frame = frame;
		}
		w->alerts[side]++;
	} else if (h[0] == TLS_CT_APPDATA) {
		w->appdata[side]++;
	}
	w->skip[side] = len;
}

void after_report_data(struct after_report *w, int side, const uint8_t *p, uint32_t n, uint64_t frame)
{
	while (n && !w->lost) {
		if (w->skip[side]) {
			uint32_t k = n < w->skip[side] ? n : w->skip[side];
			w->skip[side] -= k;
			p += k;
			n -= k;
			continue;
		}
		w->hdr[side][w->hdr_n[side]++] = *p++;
		n--;
		if (w->hdr_n[side] == 5) {
			w->hdr_n[side] = 0;
			header(w, side, frame);
		}
	}
}

bool after_report_refused(const struct after_report *w, bool closed)
{
	/* decrypted TLS 1.3: a client's closing alert is polite unless it reset
	 * what came after (session.c's polite_close13, read from sizes) */
	if (w->sizes13 && w->alert_from == SIDE_CLIENT && !w->appdata[SIDE_CLIENT] &&
	    !(w->rst_frame[SIDE_CLIENT] > w->alert_frame))
		return false;
	if (w->t13) {
		if (w->lost || !closed)
			return false;
		t13_infer(&w->t13->in, &w->t13->view);
		return w->t13->view.failed;
	}
	if (w->lost || w->appdata[SIDE_CLIENT])
		return false;   /* the client spoke: not refused before its request */
	return w->alerts[SIDE_CLIENT] || w->alerts[SIDE_SERVER] || closed;
}

/* The report's record log (session.c's inference input), to be continued. */
static struct after_report_t13 *t13_watch(const struct session *s)
{
	struct after_report_t13 *t = mem_alloc(sizeof *t);
	if (!session_t13_input(s, &t->in, t->rec)) {
		mem_free(t);
		return NULL;
	}
	t->next_seq = s->record_seq + 1;   /* session_add_appdata numbers from 1: the last one had record_seq */
	return t;
}

struct after_report *after_report_watch(const struct session *s)
{
	if (s->outcome != OUTCOME_COMPLETED || s->renegotiation)
		return NULL;
	/* TLS 1.3 from sizes: while they can still turn into a refusal;
	 * decrypted: judged by the size of its records after the report */
	if (s->tls13 && s->t13_inferred && session_beyond_rejection(s))
		return NULL;
	if (s->tls13 && !s->t13_inferred && !s->decrypted)
		return NULL;   /* opaque records whose sizes fit no pattern */
	if (!s->t13_inferred && s->dir[SIDE_CLIENT].appdata_records)
		return NULL;
	struct after_report_t13 *t = NULL;
	if (s->t13_inferred && !(t = t13_watch(s)))
		return NULL;
	bool warned = false;
	for (uint32_t i = 0; i < s->findings.n; i++)
		warned = warned || s->findings.v[i].severity == SEV_WARNING;
	struct after_report *w = mem_alloc(sizeof *w);
	after_report_init(w, finding_list_has_error(&s->findings) ? 2 : warned ? 1 : 0);
	w->t13 = t;
	w->sizes13 = s->tls13 && !t;
	w->finding_id = t ? "tls13-encrypted-failure" : "rejected-after-handshake";
	return w;
}

void after_report_free(struct after_report *w)
{
	if (!w)
		return;
	mem_free(w->t13);
	mem_free(w);
}

void after_report_describe(const struct after_report *w, uint64_t stream, int closer, char *buf, size_t size)
{
	if (w->t13) {
		const struct t13_view *v = &w->t13->view;
		snprintf(buf, size, "tcp.stream %" PRIu64 " ended by the %s: %s (inferred from record sizes; "
			 "counted failed)", stream, v->ended_by == SIDE_SERVER ? "server" : "client",
			 t13_view_name(v));
		return;
	}
	int by = w->alert_from >= 0 ? w->alert_from : closer;
	snprintf(buf, size, "tcp.stream %" PRIu64 " ended by the %s's %s before any client data (counted failed)",
		 stream, by == SIDE_CLIENT ? "client" : "server", w->alert_from >= 0 ? "alert" : "close");
}
