/* analyze.h - the pipeline: packets -> connections -> TLS facts -> reports. */
#ifndef TLSDIAG_ANALYZE_H
#define TLSDIAG_ANALYZE_H

#include <stdbool.h>
#include <stdint.h>

#include "budget.h"
#include "capture.h"
#include "diagnose.h"
#include "evidence.h"
#include "keylog.h"
#include "reporter.h"

struct analyze_opts {
	int64_t idle_timeout;      /* seconds of capture time before an idle connection is settled */
	uint64_t memory_limit;     /* bytes held before connections are evicted (0: LIM_MEMORY_BUDGET) */
	const struct diag_opts *diag;   /* NULL: no diagnosis */
	/* Live: report each connection as soon as its handshake settles
	 * (completed, failed), not when it closes; no reordering. */
	bool live;
	struct evidence *ev;       /* -w: packets of connections with an error finding */
	bool write_all;            /* --write-all: of every TLS connection */
	uint64_t stop_after;       /* -c: stop after this many reported connections (0: never) */
	const uint16_t *tls_ports; /* --tls-port: server ports that serve TLS */
	size_t n_tls_ports;
	const struct keylog *keylog;   /* --keylog files and pcapng DSBs (NULL: none); outlives the analyzer */
	bool keylog_given;         /* --keylog files were given (live: still empty when a connection starts) */
	/* live: the same key log, still being written by the clients: re-read
	 * on a key miss, and a connection whose records wait for their keys is
	 * judged when they are read or after its grace period (NULL: files) */
	struct keylog *keylog_follow;
	/* TLS 1.3: how long after the client's second flight to wait for the
	 * server's answer (an alert, a NewSessionTicket, data) before a
	 * connection is settled early (live; -w's verdict). 0: the default. */
	int64_t settle_grace_ms;
	/* a packet that could not be decoded: called for the first few per file */
	void (*warn)(void *ctx, const char *file, uint64_t frame, const char *msg);
	void *warn_ctx;
	/* each connection as it is handed to the reporter (tests read the
	 * facts through it); NULL: none */
	void (*settled)(void *ctx, const struct session *s);
	void *settled_ctx;
};

struct analyzer;

struct analyzer *analyzer_new(const struct analyze_opts *o, struct reporter *rep);
/* Files are analyzed one after another; each has its own frame and
 * tcp.stream numbering, as in Wireshark. */
void analyzer_begin_file(struct analyzer *a, const char *file, int dlt, int ts_digits);
void analyzer_packet(struct analyzer *a, const struct capture_pkt *p);
/* Settle every open connection (end of the file or of the capture). */
void analyzer_end_file(struct analyzer *a);
/* -w target for the packets that follow (NULL: none). */
void analyzer_set_evidence(struct analyzer *a, struct evidence *ev);
/* Live: the clock moved without packets (idle connections settle, held
 * records look for their keys again); now in nanoseconds since the epoch. */
void analyzer_tick(struct analyzer *a, int64_t now_ns);
/* -c reached. */
bool analyzer_done(const struct analyzer *a);
/* The bytes its connections hold together (all zero once every file ended). */
const struct budget *analyzer_budget(const struct analyzer *a);
const struct summary *analyzer_summary(struct analyzer *a);
/* Connections whose random the key log source (a --keylog file name) held. */
uint64_t analyzer_keylog_matches(const struct analyzer *a, const char *source);

/* The counts so far, as they grow (not finished: for the progress line). */
const struct summary *analyzer_counts(const struct analyzer *a);
void analyzer_free(struct analyzer *a);

#endif
