/* summary.h - what the whole run saw: packets, connections by outcome, findings by id, connections by server. */
#ifndef TLSDIAG_SUMMARY_H
#define TLSDIAG_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session.h"
#include "strbuf.h"

struct clockskew;

#define SUMMARY_IDS     40u    /* finding ids counted (more than the catalogue holds) */
#define SUMMARY_SERVERS 256u   /* servers listed; the others are only counted */
#define SUMMARY_LABEL_LEN 80   /* an SNI label and its NUL */
#define SUMMARY_NOT_TLS_PORTS 8u  /* ports of the non-TLS connections left out, named in the summary */

/* One capture file (or live interface) the run read. */
struct input_info {
	const char *file;
	const char *link_type;
	int ts_digits;
	uint64_t frames;
	const char *error;       /* damage that stopped reading, or NULL */
	uint64_t error_frame;    /* the frame that could not be read */
	/* this file's clock as its completed handshakes show it (clockskew.h):
	 * each capture has its own (two machines, two clocks); NULL with --at */
	const struct clockskew *clock;
	const char *clock_note;  /* its Clock line (main: clockskew_note), NULL: its clock is not the suspect */
};

/* Connections per server endpoint and SNI. */
struct server_stat {
	uint64_t key;
	uint8_t af, ip[16];          /* the real address the row is found by */
	uint16_t port;
	char endpoint[64];
	char sni[SUMMARY_LABEL_LEN];  /* the SNI as a label: printable, '?' for other bytes */
	uint64_t connections;
	uint64_t failed;
	uint64_t with_error;
};

struct summary_tables;   /* tally's counts by id and by server (summary.c) */

/* What the whole run saw (Wireshark's numbering where it has one). */
struct summary {
	uint64_t connections;        /* TCP connections: tcp.stream values given */
	uint64_t tls_connections;    /* connections reported */
	uint64_t outcome[4];         /* by enum outcome */
	uint64_t packets;
	uint64_t tcp_packets;
	uint64_t non_tcp_packets;
	uint64_t truncated_packets;  /* cut inside a header */
	uint64_t invalid_packets;
	uint64_t ip_fragments;
	uint64_t ip_datagrams_reassembled;
	uint64_t ip_datagrams_dropped;  /* never completed: LIM_FRAG_DATAGRAMS, LIM_FRAG_TIMEOUT_SEC, end of file */
	uint64_t late_packets;       /* for connections already reported */
	uint64_t flows_expired;      /* idle beyond the timeout */
	uint64_t flows_evicted;      /* pushed out by the connection cap or the memory limit */
	uint64_t flows_evicted_for_memory;  /* ... of them, by the memory limit */
	uint64_t memory_limit;       /* bytes, the limit in force */
	uint64_t stop_after;         /* -c N, 0 without */
	uint64_t cut_by_stop;        /* TLS connections in flight when -c N stopped the run: not reported */
	uint64_t failed_after_report;   /* live: reported completed, refused after the report (after_report.h) */
	uint64_t certificates_parsed;
	uint64_t certificate_cache_hits;
	size_t peak_memory;          /* bytes, accounted allocations */
	/* live capture: libpcap's counters */
	bool live;
	uint64_t pcap_received, pcap_dropped, pcap_if_dropped;
	/* -w */
	const char *written_file;
	/* the trust stores: chains of each side seen, and main's note on a side
	 * judged without a store of its own (NULL: none to make), said once */
	uint64_t server_chains, client_chains;
	const char *trust_note;
	/* the clock of the first input whose completed handshakes show it is
	 * behind (JSON summary.clock; the only one with one -r file), NULL:
	 * none; every input's is in its input_info, said once per file */
	const struct clockskew *clock;
	const char *clock_note;      /* its sentence (main: clockskew_note), NULL: none */
	uint64_t packets_written;
	bool secrets_written;      /* --write-secrets: -w is a pcapng with the connections' key-log lines */
	uint64_t secret_blocks;    /* ... one Decryption Secrets Block per connection whose secrets were known */
	/* TCP connections whose payload was not TLS, to servers not taken for TLS services: left out */
	uint64_t not_tls_left_out;
	uint16_t not_tls_ports[SUMMARY_NOT_TLS_PORTS];   /* their server ports, first seen first */
	uint32_t n_not_tls_ports;
	/* diagnosis */
	uint64_t with_error;         /* connections with an error finding */
	uint64_t with_warning;       /* ... with warnings but no error */
	uint64_t not_shown;          /* connections without errors or warnings left out of the report */
	uint64_t not_shown_incomplete; /* ... of them, incomplete: their outcome is not in the capture */
	uint64_t healthy;            /* completed without an error or warning */
	/* the time the reported connections span */
	bool has_time;
	struct ts first_time, last_time;
	uint8_t ts_prec;
	struct id_count {
		const char *id;
		uint64_t connections;
	} by_id[SUMMARY_IDS];        /* catalogue order, ids seen only (summary_finish) */
	uint32_t n_ids;
	struct server_stat *servers; /* by server address and SNI, most failures first (summary_finish) */
	uint32_t n_servers;
	uint64_t servers_not_listed;
	struct summary_tables *tables;
};

/* "3 TCP connections on ports 22, 5432 not TLS: not analysed ..." ("" when none were left out). */
void summary_left_out(struct strbuf *b, const struct summary *sum);

/* A zeroed summary and the tables tally counts in (summary_free gives them back). */
void summary_init(struct summary *sum);
/* Count one reported connection: its outcome, its findings by id, its server. */
void tally(struct summary *sum, const struct session *s);
/* The row tally counts s under (made now when new; NULL: the table is full). */
struct server_stat *summary_server(struct summary *sum, const struct session *s);
/* Live: a connection tallied completed (was: 0 healthy, 1 with warnings,
 * 2 with errors) was refused after its report: count it failed, with an
 * error, under finding id (the one the file reading gives it), and in its
 * server's row (summary_server, taken before the report; may be NULL). */
void summary_failed_after_report(struct summary *sum, uint8_t was, const char *id, struct server_stat *row);
/* by_id and servers from the counts so far (the most trouble first). */
void summary_finish(struct summary *sum);
void summary_free(struct summary *sum);

#endif
