/* after_report.h - live: what a TLS 1.2 connection reported "completed" does after its report.
 *
 * Live, a connection is reported once its handshake settles (and a short
 * grace period passed), so a refusal that comes later (the server's alert
 * or close before the client sent any data, as post_handshake_end in
 * session.c reads a whole connection) is not in its report. Its stream is
 * still followed through TLS record headers only, bounded state per
 * direction, so that the summary and the exit status count it as failed.
 */
#ifndef TLSDIAG_AFTER_REPORT_H
#define TLSDIAG_AFTER_REPORT_H

#include <stdbool.h>
#include <stdint.h>

struct after_report {
	uint8_t hdr[2][5];       /* by enum side: a record header being read */
	uint8_t hdr_n[2];
	uint32_t skip[2];        /* bytes of the current record's body still to pass */
	uint64_t alerts[2];      /* alert records (content type 21), encrypted or not */
	uint64_t appdata[2];     /* application_data records (23) */
	uint64_t alert_frame;    /* the first alert's */
	int alert_from;          /* -1: none */
	bool lost;               /* a hole, or bytes that are no TLS record: nothing is judged */
	uint8_t was;             /* how the report was tallied: 0 healthy, 1 with warnings, 2 with errors */
};

void after_report_init(struct after_report *w, uint8_t was);
/* In-order stream bytes of one side, after the report. */
void after_report_data(struct after_report *w, int side, const uint8_t *p, uint32_t n, uint64_t frame);
/* Was it refused after its report? closed: it ended with a FIN or RST
 * (not at the end of the capture, idle or evicted). */
bool after_report_refused(const struct after_report *w, bool closed);

#endif
