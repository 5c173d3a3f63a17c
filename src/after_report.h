/* after_report.h - live: what a connection reported "completed" does after its report.
 *
 * Live, a connection is reported once its handshake settles (and a short
 * grace period passed), so a refusal that comes later (the server's alert
 * or close before the client sent any data, as post_handshake_end in
 * session.c reads a whole connection) is not in its report. Its stream is
 * still followed through TLS record headers only, bounded state per
 * direction, so that the summary and the exit status count it as failed.
 * TLS 1.3 read from record sizes keeps the report's record log and goes on
 * filling it, and at the close tls13_infer.c judges the whole of it, as it
 * would have had the report waited (curl refusing a name after the tickets).
 * TLS 1.3 decrypted before its report is no longer opened after it: a record
 * of an alert's size stands for the alert.
 */
#ifndef TLSDIAG_AFTER_REPORT_H
#define TLSDIAG_AFTER_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"
#include "tls13_infer.h"

/* TLS 1.3 without keys: the record log the inference reads (session.c's infer_tls13). */
struct after_report_t13 {
	struct t13_input in;             /* its rec[] point into rec below */
	struct t13_rec rec[2][LIM_RECORD_LOG];
	uint32_t next_seq;               /* order of the next record among both sides' */
	struct t13_view view;            /* the judgement at the close */
};

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
	struct after_report_t13 *t13;    /* NULL: TLS 1.2 (or 1.3 decrypted), judged by alerts and closes */
	bool sizes13;                    /* TLS 1.3 decrypted before the report: alerts known by their size */
	uint64_t rst_frame[2];           /* each side's reset, 0: none */
	const char *finding_id;          /* what the file reading calls such a refusal */
	struct server_stat *server_row;  /* the summary's row of its server (analyze.c sets it) */
};

struct session;
struct server_stat;

void after_report_init(struct after_report *w, uint8_t was);
/* A watch for a connection just reported, or NULL when no refusal can
 * change its verdict (not completed, renegotiated, the client already sent
 * data, TLS 1.3 decrypted or past what record sizes can still overturn).
 * after_report_free() it. */
struct after_report *after_report_watch(const struct session *s);
void after_report_free(struct after_report *w);
/* How side (enum side) closed (frame: its first FIN or RST; rst_frame: its
 * RST), before after_report_refused is asked. */
void after_report_closed(struct after_report *w, int side, bool reset, uint64_t frame, uint64_t rst_frame);
/* In-order stream bytes of one side, after the report. */
void after_report_data(struct after_report *w, int side, const uint8_t *p, uint32_t n, uint64_t frame);
/* Was it refused after its report? closed: it ended with a FIN or RST
 * (not at the end of the capture, idle or evicted). TLS 1.3 from sizes:
 * does the whole record log, with the closes, read as a failure? */
bool after_report_refused(const struct after_report *w, bool closed);
/* The stderr line of a refusal: who ended tcp.stream STREAM (by the first
 * alert's sender, else closer, an enum side) and how. */
void after_report_describe(const struct after_report *w, uint64_t stream, int closer, char *buf, size_t size);

#endif
