/* session.h - the facts recorded about one TCP connection and its TLS handshake.
 *
 * This is the contract between the parsers, which fill it in, and the rules
 * and reports, which only read it. Nothing here points into packet bytes.
 * Every fact keeps the Wireshark frame number that shows it.
 */
#ifndef TLSDIAG_SESSION_H
#define TLSDIAG_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"
#include "mem.h"
#include "proxy_facts.h"
#include "starttls_facts.h"
#include "tls13_infer.h"

struct x509_cert;
struct ev_conn;

/* A capture timestamp. prec is 6 or 9: the digits the capture file holds. */
struct ts {
	int64_t sec;
	uint32_t nsec;
};

static inline int64_t ts_ns(const struct ts *t)
{
	return t->sec * 1000000000LL + t->nsec;
}

enum side { SIDE_CLIENT = 0, SIDE_SERVER = 1 };

/* A list of 16-bit values as sent; n kept (<= LIM_LIST_ENTRIES), total on the wire. */
struct u16list {
	uint16_t *v;
	uint32_t n;
	uint32_t total;
	uint32_t cap;
};

/* A list of byte strings (ALPN protocol names). */
struct strlist {
	char **v;
	uint16_t *len; /* names may hold NUL bytes: keep lengths */
	uint32_t n;
	uint32_t total;
	uint32_t cap;
};

/* An anomaly in the data, never printed by a parser: a stable id, the frame,
 * and a short human detail. */
struct event {
	uint64_t frame;
	const char *id;   /* static string, e.g. "tcp.gap" */
	char detail[120];
};

enum msg_kind {
	MSG_HANDSHAKE,      /* a parsed handshake message */
	MSG_CCS,            /* ChangeCipherSpec */
	MSG_ALERT,          /* plaintext alert */
	MSG_ENC_ALERT,      /* alert record after ChangeCipherSpec */
	MSG_ENC_HANDSHAKE,  /* handshake record after ChangeCipherSpec */
	MSG_HEARTBEAT
};

/* One line of the timeline. */
struct msg {
	uint64_t frame;
	struct ts time;
	uint8_t from;       /* enum side */
	uint8_t kind;       /* enum msg_kind */
	uint8_t hs_type;    /* handshake type, MSG_HANDSHAKE */
	bool hrr;           /* a server_hello that is a HelloRetryRequest */
	bool sslv2;         /* SSLv2-compatible ClientHello */
	bool decrypted;     /* read from a protected record a key log opened */
	uint8_t level;      /* alerts */
	uint8_t desc;       /* alerts */
	uint32_t length;    /* handshake body length / record length */
};

struct alert {
	uint64_t frame;
	uint32_t seq;            /* record order in the connection (several share a frame) */
	uint8_t from;
	bool encrypted;     /* level and description unknown */
	bool decrypted;     /* read from a record a key log opened */
	uint8_t level;
	uint8_t desc;
};

struct client_hello {
	bool present;
	bool sslv2;              /* SSLv2-compatible record (RFC 5246 Appendix E.2) */
	uint64_t frame;
	uint32_t length;
	uint16_t legacy_version;
	uint8_t random[32];
	uint8_t session_id_len;
	uint8_t session_id[32];
	struct u16list cipher_suites;
	uint8_t compression_n;
	uint8_t compression[8];
	struct u16list extensions;
	bool has_sni;
	char *sni;               /* host_name as sent (may hold any bytes) */
	uint16_t sni_len;
	bool sni_truncated;
	bool malformed;          /* lengths did not add up: what was not read is not known (tls.malformed) */
	struct u16list supported_versions;
	struct strlist alpn;
	struct u16list sig_algs;
	struct u16list sig_algs_cert;
	struct u16list groups;
	struct u16list key_share_groups;
	uint8_t ec_point_formats_n;
	uint8_t ec_point_formats[8];
	uint32_t ec_point_formats_total; /* on the wire: more than _n means some were not kept */
	uint8_t psk_modes_n;
	uint8_t psk_modes[4];
	bool status_request;
	bool has_session_ticket;
	uint32_t session_ticket_len;
	bool extended_master_secret;
	bool renegotiation_info;
	bool post_handshake_auth;
	bool pre_shared_key;
	bool early_data;
	bool grease;
	bool scsv_renegotiation; /* TLS_EMPTY_RENEGOTIATION_INFO_SCSV offered */
	bool scsv_fallback;      /* TLS_FALLBACK_SCSV offered */
	uint16_t max_version;    /* highest version offered (supported_versions or legacy) */
};

struct server_hello {
	bool present;
	uint64_t frame;
	uint32_t length;
	uint16_t legacy_version;
	uint16_t version;        /* negotiated: supported_versions if present */
	uint8_t random[32];
	uint8_t session_id_len;
	uint8_t session_id[32];
	uint16_t cipher_suite;
	uint8_t compression;
	struct u16list extensions;
	bool malformed;          /* the extension list could not be read to its end */
	bool has_alpn;
	char alpn[64];           /* selected protocol, printable-escaped later */
	uint8_t alpn_len;
	bool has_key_share;
	uint16_t key_share_group;
	bool pre_shared_key;     /* TLS 1.3 resumption */
	bool extended_master_secret;
	bool renegotiation_info;
	bool session_ticket;     /* server will send a NewSessionTicket */
	bool status_request;     /* server will staple */
};

struct hello_retry_request {
	bool present;
	uint64_t frame;
	bool server_hello;       /* a ServerHello (RFC 8446 §4.1.4) whose version and suite were read */
	uint16_t legacy_version;
	uint16_t cipher_suite;
	bool has_group;
	uint16_t selected_group;
	bool has_cookie;
	struct u16list extensions;
	bool malformed;          /* the extension list could not be read to its end */
};

/* One certificate as sent; x509 holds the parsed facts (shared, refcounted). */
struct cert_entry {
	uint32_t der_len;
	struct x509_cert *x509;  /* NULL only if out of memory */
};

enum chain_state {
	CHAIN_ABSENT = 0,        /* no Certificate message seen */
	CHAIN_SEEN,              /* parsed */
	CHAIN_ENCRYPTED,         /* TLS 1.3: sent inside encrypted records */
	CHAIN_UNOBSERVABLE       /* lost, truncated or over a cap */
};

struct chain {
	uint8_t state;           /* enum chain_state */
	uint64_t frame;
	struct ts time;          /* capture time of that frame */
	uint32_t msg_length;     /* handshake body length */
	uint32_t list_length;    /* certificate_list length: Wireshark's "Certificates Length" */
	uint32_t count;          /* entries on the wire */
	uint32_t n;              /* entries kept (<= LIM_CERTS_PER_CHAIN) */
	struct cert_entry *certs;
};

struct cert_request {
	bool present;
	uint64_t frame;
	uint32_t length;
	uint8_t cert_types_n;
	uint8_t cert_types[32];
	uint32_t cert_types_total;
	bool has_sig_algs;       /* TLS 1.2 only */
	struct u16list sig_algs;
	uint8_t *dn_bytes;       /* the certificate_authorities list, raw DER, whole */
	uint32_t dn_bytes_len;
	uint32_t dn_count;       /* DistinguishedName entries */
	uint32_t *dn_off;        /* offset of each DER name in dn_bytes */
	uint16_t *dn_len;
};

enum skx_kind { SKX_NONE = 0, SKX_ECDHE, SKX_DHE, SKX_RSA_EXPORT, SKX_PSK, SKX_OTHER };

struct server_key_exchange {
	bool present;
	uint64_t frame;
	uint32_t length;
	uint8_t kind;            /* enum skx_kind */
	uint8_t curve_type;      /* ECParameters.curve_type, 3 = named_curve */
	uint16_t group;          /* named curve */
	uint32_t dh_p_bits;      /* DHE prime size */
	bool has_sig_scheme;
	uint16_t sig_scheme;
};

struct certificate_status {
	bool present;
	uint64_t frame;
	uint8_t status_type;     /* 1 = ocsp */
	uint32_t response_len;
};

struct new_session_ticket {
	bool present;
	uint64_t frame;
	uint32_t lifetime_hint;
	uint32_t ticket_len;
};

struct certificate_verify {
	bool present;
	uint64_t frame;
	bool has_sig_scheme;
	uint16_t sig_scheme;
};

/* What one direction did, seen from TCP and the record layer. */
struct direction {
	/* (fields grouped by size: no padding between them; every connection
	 * holds two of these) */
	uint64_t packets;
	uint64_t payload_bytes;
	uint64_t fin_frame, rst_frame;
	struct ts close_time;    /* of its first FIN or RST */
	uint64_t prefix_frame;
	uint64_t tls_start_frame;   /* first TLS record (STARTTLS: after plaintext) */
	uint64_t plaintext_before_tls; /* bytes before TLS started */
	uint64_t ccs_frame;
	uint64_t enc_handshake_frame;  /* first one: normally Finished */
	uint64_t finished_frame;
	uint64_t appdata_records;
	uint64_t appdata_bytes;
	uint64_t appdata_first_frame;
	uint64_t appdata_last_frame;
	struct ts appdata_last_time;
	uint64_t heartbeats;
	/* encrypted records after ServerHello in TLS 1.3 (type 23), first few */
	struct { uint64_t frame; uint32_t len; uint32_t seq; struct ts time; } rlog[LIM_RECORD_LOG];
	/* from this frame on, bytes of this direction were not seen */
	uint64_t unobservable_frame;
	const char *unobservable_why;   /* "capture loss", "snaplen" ... */
	uint64_t gap_bytes;
	uint64_t last_frame;
	uint32_t plain_scanned;   /* plaintext bytes looked at for names_tls */
	uint32_t enc_handshake_records;
	uint32_t enc_handshake_seq;
	uint32_t finished_seq;
	uint32_t rlog_n;
	uint32_t gaps;                  /* holes, and the bytes in them (gap_bytes) */
	uint8_t prefix[LIM_PLAINTEXT_PREFIX]; /* first bytes when not TLS */
	uint8_t prefix_len;
	bool syn, fin, rst;
	bool spoke_tls;          /* at least one valid record */
	bool not_tls;            /* first bytes were something else */
	bool names_tls;           /* its plaintext names HTTPS, SSL or TLS (an HTTPS port's error page) */
	bool ccs;
	bool ccs_inferred;             /* its encryption started unseen (tls_conn.c, event tls.ccs_inferred) */
	bool finished;                 /* a Finished in the clear (NULL cipher) */
	bool unobservable;
};

/* What the key logs did for one connection (tls_keys.c fills it in). */
struct conn_keys {
	bool given;              /* key log secrets were available to look in */
	bool looked_up;          /* protected records came and the ClientHello random was looked up */
	bool matched;            /* ... and some key log holds it */
	const char *unsupported; /* the suite or version tlsdiag does not decrypt (static), or NULL */
	bool mismatch;           /* the first record under a key did not authenticate: not this connection's keys */
	uint8_t mismatch_side;
	uint64_t mismatch_frame;
	struct {
		bool decrypted;          /* at least one record of this direction was opened */
		uint32_t offered;        /* protected records offered to the key logs */
		uint32_t records;        /* records opened */
		const char *source;      /* the key log of the first secret used (owned by the key log) */
		unsigned long line;
		bool missing;            /* an epoch came whose secret no key log holds */
		uint8_t missing_epoch;   /* enum tls_epoch of the first such epoch */
		uint64_t missing_frame;
		bool failed;             /* a record after good ones did not authenticate (corruption, loss) */
		uint64_t failed_frame;
		bool stopped;            /* application data beyond the first records was not decrypted */
	} dir[2];
};

enum severity { SEV_INFO = 0, SEV_WARNING, SEV_ERROR };

#define SIDE_BOTH 2              /* a finding about the connection as a whole */
#define FINDING_FRAMES 8
#define FINDING_LOGS 6

/* A line the software on one side most likely logged for a finding (diag_logs.c). */
struct finding_log {
	uint8_t side;            /* who logs it */
	bool identified;         /* the capture's hello shows this software; else one candidate of several */
	const char *software;    /* static text: "Java (JSSE)", "curl (OpenSSL)" ... */
	char *line;              /* as that software prints it */
};

/* A diagnosis: what is wrong, the frames that prove it, why, and what to do. */
struct finding {
	const char *id;          /* stable, part of the output contract */
	uint8_t severity;        /* enum severity */
	uint8_t side;            /* enum side, or SIDE_BOTH */
	uint8_t n_frames;
	uint64_t frames[FINDING_FRAMES];
	bool inferred;           /* rests on record sizes or timing, not on what was seen */
	char *summary;           /* one line with the concrete values */
	char *cause;
	char *fix;
	uint8_t n_logs;
	struct finding_log logs[FINDING_LOGS];
};

struct diag_opts;

/* Findings of one connection (or of one bundle check). */
struct finding_list {
	struct finding *v;
	uint32_t n, cap;
	struct arena *arena;     /* where the texts live; NULL: the heap */
	/* made without their words (diagnose_facts): finding_words repeats
	 * this diagnosis with them before a writer reads summary, cause or fix */
	const struct session *words_of;
	const struct diag_opts *words_opts;
	uint8_t words_outcome;   /* the outcome the rules read (diagnose_outcome may change it after) */
};

/* Put in the words of findings made without them (diagnose.c); nothing if
 * they have them. Writers call it before they read summary, cause or fix. */
void finding_words(const struct finding_list *l);

struct finding *finding_list_add(struct finding_list *l, const char *id, int severity, int side,
				 const char *summary, const char *cause, const char *fix);
void finding_list_free(struct finding_list *l);
/* Add what side's software most likely logged to f (copied; past FINDING_LOGS, dropped). */
void finding_add_log(struct finding_list *l, struct finding *f, int side, bool identified, const char *software,
		     const char *line);
bool finding_list_has_error(const struct finding_list *l);

enum outcome {
	OUTCOME_INCOMPLETE = 0,
	OUTCOME_COMPLETED,
	OUTCOME_FAILED,
	OUTCOME_NOT_TLS
};

enum close_kind { CLOSE_NONE = 0, CLOSE_FIN, CLOSE_RST, CLOSE_EXPIRED, CLOSE_EVICTED, CLOSE_END_OF_CAPTURE };

struct session {
	struct arena arena;        /* lists, names, timeline, findings */

	/* where */
	const char *file;          /* capture file name, owned by the caller */
	uint64_t stream;           /* Wireshark tcp.stream */
	uint64_t index;            /* order among reported TLS connections */
	uint8_t af;                /* 4 or 6 */
	uint8_t client_ip[16], server_ip[16];
	uint16_t client_port, server_port;
	bool roles_guessed;        /* no SYN and no hello told who the client is */
	uint64_t first_frame, last_frame;
	struct ts start_time, end_time;
	uint8_t ts_prec;           /* 6 or 9 */
	uint8_t close_kind;        /* enum close_kind */
	uint8_t closed_by;         /* enum side, when close_kind is FIN/RST */
	uint64_t close_frame;      /* FIN/RST: closed_by's own FIN or RST */

	struct direction dir[2];   /* indexed by enum side */
	struct starttls_facts starttls;   /* an upgrade from clear text (starttls.c) */
	struct proxy_facts proxy;  /* a PROXY protocol header before the client's bytes (proxy_proto.c) */

	/* TLS facts */
	bool is_tls;
	uint16_t record_version;   /* first record's version */
	struct client_hello ch;
	struct client_hello ch2;   /* second ClientHello after a HelloRetryRequest */
	struct client_hello *later_ch;  /* ClientHellos after those (arena, <= LIM_LATER_HELLOS) */
	uint32_t later_ch_n;
	struct hello_retry_request hrr;
	struct server_hello sh;
	struct chain server_chain;
	struct chain client_chain;
	struct cert_request cr;
	struct server_key_exchange skx;
	struct certificate_status cert_status;
	struct new_session_ticket ticket;
	struct certificate_verify cv;
	bool server_hello_done;
	uint64_t server_hello_done_frame;
	bool client_key_exchange;
	uint64_t client_key_exchange_frame;
	bool client_no_certificate_alert;  /* SSLv3 no_certificate (41) */
	bool tls13;                /* negotiated TLS 1.3 (or a draft) */
	bool resumed;              /* abbreviated handshake */
	bool renegotiation;        /* handshake after the first one completed */
	struct { bool present; uint8_t random[32]; uint16_t cipher_suite; } reneg_sh;   /* its ServerHello (decrypted) */
	uint64_t renegotiation_frame;
	uint32_t handshakes;       /* ClientHellos seen in the clear */
	bool encrypted_extensions; /* TLS 1.3 EncryptedExtensions (decrypted) */
	uint64_t encrypted_extensions_frame;
	uint32_t key_updates[2];   /* TLS 1.3 KeyUpdates (decrypted) */
	bool end_of_early_data;
	uint64_t end_of_early_data_frame;
	uint32_t tickets13;        /* TLS 1.3 NewSessionTickets (decrypted) */

	/* Key logs: decrypted says that records of this connection were opened
	 * (TLS 1.3 facts then come from the messages, not from record sizes);
	 * keys says which key log, line and direction. */
	bool decrypted;
	struct conn_keys keys;
	/* The first decrypted application record of the server, when it starts
	 * with an HTTP/1.x status line: that line only (printable ASCII, never
	 * more of the payload), e.g. nginx's "HTTP/1.1 400 Bad Request". Over
	 * HTTP/2 (http2: ALPN h2 or the client's preface) the first final
	 * response's :status, as "HTTP/2 :status 400" (http2.c). */
	bool http_status;
	uint64_t http_status_frame;
	uint16_t http_status_code;
	char http_status_line[80];
	bool http_checked;
	bool http2;
	/* the server's first HTTP/2 GOAWAY (RFC 9113 §6.8): its ids, never its debug data */
	bool h2_goaway;
	uint64_t h2_goaway_frame;
	uint32_t h2_goaway_last_stream, h2_goaway_error;
	/* what the server's HTTP/2 frames read held (struct h2_scan's tally,
	 * RFC 9113 §6): a count per frame type (the last: other types), the
	 * SETTINGS acks, the DATA bytes of the first response's stream, and the
	 * bytes of those frames; h2_frames_read is false when none was read */
	bool h2_frames_read;
	uint16_t h2_frames[11];
	uint16_t h2_settings_acks;
	uint32_t h2_response_stream, h2_response_data;
	uint32_t h2_bytes;

	/* grown on demand up to the LIM_ caps; beyond them only counted */
	struct msg *timeline;
	uint32_t timeline_n, timeline_cap;
	uint32_t timeline_dropped;

	struct alert *alerts;
	uint32_t alerts_n, alerts_cap;
	uint32_t alerts_dropped;

	/* TLS 1.3: a record of the size of an encrypted alert, followed by the
	 * end of that direction (Wireshark shows Application Data). */
	bool inferred_alert;
	uint8_t inferred_alert_from;
	uint64_t inferred_alert_frame;

	/* TLS 1.3 whose handshake was not decrypted: the flights and the
	 * pattern the record sizes prove (tls13_infer.c); t13_inferred is false
	 * when the sizes fit no pattern or the handshake was seen decrypted. */
	bool t13_inferred;
	struct t13_view t13;

	/* The handshake completed, then the connection ended (an encrypted alert
	 * or a close) before the client sent any data: rejected right after the
	 * handshake (curl's host name check, a failed post-handshake check). */
	bool rejected_after_handshake;
	uint8_t rejected_by;       /* enum side */
	uint64_t rejected_frame;   /* its alert, else its close */
	bool rejected_alert;       /* by an encrypted alert (else a close) */

	struct event *events;
	uint32_t events_n, events_cap;
	uint32_t events_dropped;

	struct finding_list findings;
	uint64_t clock_generation;   /* the capture clock's (clockskew.h) when the findings were made */

	/* OUTCOME_NOT_TLS: why the server is taken for a TLS service ("it answered with a TLS alert" ...) */
	const char *tls_service_why;

	/* -w: where this connection's packets went (owned by the analyzer) */
	struct ev_conn *ev;
	const char *written_file;

	/* computed when the connection ends */
	uint8_t outcome;           /* enum outcome */
	bool handshake_done[2];    /* each side sent its Finished */
	uint64_t handshake_done_frame;
	uint32_t handshake_done_seq;   /* record order of the last Finished */
	uint32_t record_seq;       /* records seen so far, both sides */
	bool in_decrypted_record;  /* the record being read was opened by a key log (tls_conn.c) */
};

/* A new, empty session. */
struct session *session_new(void);

/* Only one direction was captured: the other sent no packet at all. */
bool session_one_way(const struct session *s);
/* An encrypted alert after its sender's Finished in a one-way capture: as
 * likely the close_notify of a finished handshake as a failure, so it
 * judges nothing (the outcome stays incomplete). */
bool session_alert_unjudged(const struct session *s, const struct alert *a);

/* Record an event; beyond LIM_EVENTS they are only counted. */
void session_event(struct session *s, uint64_t frame, const char *id,
		   const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Append to the timeline; beyond LIM_TIMELINE entries are counted. */
struct msg *session_add_msg(struct session *s, uint64_t frame,
			    const struct ts *t, int from, int kind);

void session_add_alert(struct session *s, uint64_t frame, int from,
		       bool encrypted, uint8_t level, uint8_t desc);

/* An application data record of len bytes (its body is never read); the
 * first TLS 1.3 ones after ServerHello are logged by size. */
void session_add_appdata(struct session *s, uint64_t frame, const struct ts *t, int side, uint32_t len);

/* Add a frame of evidence to a finding (kept sorted, no duplicates). */
void finding_add_frame(struct finding *f, uint64_t frame);
const char *severity_name(int severity);

/* Decide outcome and handshake completion from the recorded facts (may be
 * called again as more facts arrive: it starts from scratch). */
void session_finish(struct session *s);

/* Free everything the session owns (lists, DN bytes, certificate refs). */
void session_free(struct session *s);

/* Is a completed connection past the point where a server rejects it
 * after the handshake (data both ways beyond one short answer)? Until
 * then its verdict waits for more data or the close. */
bool session_beyond_rejection(const struct session *s);
/* TLS 1.3 from record sizes: the inference's input, its records in rec
 * (false: a suite whose sizes tlsdiag does not know). */
bool session_t13_input(const struct session *s, struct t13_input *in, struct t13_rec rec[2][LIM_RECORD_LOG]);

/* Has the handshake reached its end (completed, or failed with an alert)?
 * (It decides the outcome first: session_finish.) */
bool session_handshake_over(struct session *s);

/* TLS 1.3 "completed" at the client's second flight is not the end: the
 * server judges the client's certificate after it, and its answer (an
 * alert, a NewSessionTicket, data) or its close comes next. True while no
 * server record after that flight has answered; since: the flight's time. */
bool session_server_answer_due(const struct session *s, struct ts *since);

/* Names for reports. */
const char *outcome_name(int outcome);
const char *side_name(int side);   /* "client" / "server" */

#endif
