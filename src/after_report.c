/* after_report.c - live: record headers of a connection after its report (after_report.h). */
#include "after_report.h"

#include <string.h>

#include "session.h"

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
	if (h[0] < 20 || h[0] > 24 || h[1] != 3 || h[2] > 4 || len == 0 || len > MAX_RECORD) {
		w->lost = true;
		return;
	}
	if (h[0] == 21) {
		if (!w->alerts[0] && !w->alerts[1]) {
			w->alert_from = side;
			w->alert_frame = frame;
		}
		w->alerts[side]++;
	} else if (h[0] == 23) {
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
