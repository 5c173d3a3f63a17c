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
	if (h[0] == TLS_CT_ALERT) {
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
	if (w->lost || w->appdata[SIDE_CLIENT])
		return false;   /* the client spoke: not refused before its request */
	return w->alerts[SIDE_CLIENT] || w->alerts[SIDE_SERVER] || closed;
}

struct after_report *after_report_watch(const struct session *s)
{
	if (s->outcome != OUTCOME_COMPLETED || s->tls13 || s->renegotiation || s->dir[SIDE_CLIENT].appdata_records)
		return NULL;
	bool warned = false;
	for (uint32_t i = 0; i < s->findings.n; i++)
		warned = warned || s->findings.v[i].severity == SEV_WARNING;
	struct after_report *w = mem_alloc(sizeof *w);
	after_report_init(w, finding_list_has_error(&s->findings) ? 2 : warned ? 1 : 0);
	return w;
}

void after_report_describe(const struct after_report *w, uint64_t stream, int closer, char *buf, size_t size)
{
	int by = w->alert_from >= 0 ? w->alert_from : closer;
	snprintf(buf, size, "tcp.stream %" PRIu64 " ended by the %s's %s before any client data (counted failed)",
		 stream, by == SIDE_CLIENT ? "client" : "server", w->alert_from >= 0 ? "alert" : "close");
}
