/* report.h - writing connections and the run summary as text, JSON or JSON Lines. */
#ifndef TLSDIAG_REPORT_H
#define TLSDIAG_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "session.h"

struct input_info {
	const char *file;
	const char *link_type;
	int ts_digits;
	uint64_t frames;
	const char *error;       /* damage that stopped reading, or NULL */
	uint64_t error_frame;    /* the frame that could not be read */
};

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
	uint64_t certificates_parsed;
	uint64_t certificate_cache_hits;
	size_t peak_memory;          /* bytes, accounted allocations */
	/* live capture: libpcap's counters */
	bool live;
	uint64_t pcap_received, pcap_dropped, pcap_if_dropped;
	/* -w */
	const char *written_file;
	uint64_t packets_written;
	/* diagnosis */
	uint64_t with_error;         /* connections with an error finding */
	uint64_t with_warning;       /* ... with warnings but no error */
	uint64_t not_shown;          /* healthy connections left out of the text report */
	struct id_count {
		const char *id;
		uint64_t connections;
	} by_id[40];
	uint32_t n_ids;
	struct server_stat *servers; /* by server address and SNI, most failures first */
	uint32_t n_servers;
	uint64_t servers_not_listed;
};

/* Connections per server endpoint and SNI. */
struct server_stat {
	uint64_t key;
	char endpoint[64];
	char sni[80];
	uint64_t connections;
	uint64_t failed;
	uint64_t with_error;
};

enum report_format { REPORT_TEXT = 0, REPORT_JSON, REPORT_JSONL, REPORT_MARKDOWN };

struct report_opts {
	int format;
	bool verbose;
	bool pretty;
	bool only_failures;      /* leave healthy connections out, whatever the format */
};

struct reporter {
	FILE *out;
	struct report_opts opts;
	struct json json;
	uint64_t written;
	uint64_t not_shown;
};

void reporter_init(struct reporter *r, FILE *out, const struct report_opts *o);
/* Start of the run (JSON: the document's opening). */
void reporter_begin(struct reporter *r);
/* One connection, in the order the analyzer settles them. */
void reporter_connection(struct reporter *r, const struct session *s);
/* End of the run: inputs and summary. */
void reporter_end(struct reporter *r, const struct input_info *in, size_t n_in, const struct summary *sum);

/* Is a connection worth showing without -v (a warning, an error, a failure)?
 * Worth showing in full (a failure or an error)? */
bool report_is_notable(const struct session *s);
bool report_is_failure(const struct session *s);

/* The writers, one per format. */
void text_connection(FILE *out, const struct session *s, bool verbose);
void text_connection_line(FILE *out, const struct session *s);
void text_summary(FILE *out, const struct input_info *in, size_t n_in, const struct summary *sum);
void text_findings(FILE *out, const struct finding_list *l, const char *indent);
void md_connection(FILE *out, const struct session *s, bool verbose);
void md_summary(FILE *out, const struct input_info *in, size_t n_in, const struct summary *sum);
void md_findings(FILE *out, const struct finding_list *l);
/* Untrusted text for Markdown: markup escaped, control bytes as \xHH. */
void md_text(FILE *out, const char *s);
void json_connection(struct json *j, const struct session *s);
void json_findings(struct json *j, const struct finding_list *l);
struct x509_cert;
void json_cert_facts(struct json *j, const struct x509_cert *c);
void json_inputs(struct json *j, const struct input_info *in, size_t n_in);
void json_summary(struct json *j, const struct summary *sum);

/* Shared by the writers. */
const char *message_type_name(const struct msg *m);    /* "client_hello", "alert" ... */
const char *message_display_name(const struct msg *m, char *buf, size_t len); /* "Client Hello" */

#endif
