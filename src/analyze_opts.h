/* analyze_opts.h - what the pipeline is asked to do: the options the
 * analyzer (analyze.c) and its settled sessions (settled.c) read. A header
 * of its own, so that settled.c depends on the options, not on the
 * analyzer that holds it.
 */
#ifndef TLSDIAG_ANALYZE_OPTS_H
#define TLSDIAG_ANALYZE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diag_opts;
struct evidence;
struct keylog;
struct session;

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

#endif
