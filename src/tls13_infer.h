/* tls13_infer.h - what TLS 1.3 record sizes prove when the handshake cannot be decrypted.
 *
 * After the ServerHello every TLS 1.3 record is an opaque application_data
 * record, but its length is exact: the plaintext, one inner content-type
 * byte, the padding (none, except Java's 16 zero bytes) and the AEAD tag
 * (16 bytes, 8 for TLS_AES_128_CCM_8_SHA256), RFC 8446 §5.2. A Finished is
 * 4 + the hash length, an empty client Certificate 8, an alert 2. From the
 * sizes of each side's records and the order of the closes this module
 * derives the flights and who ended the connection; it reads no session and
 * no packet, so the arithmetic is tested on its own.
 */
#ifndef TLSDIAG_TLS13_INFER_H
#define TLSDIAG_TLS13_INFER_H

#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"

#define T13_EMPTY_CERT 8u     /* type, length, empty context, empty list: 1 + 3 + 1 + 3 */
#define T13_ALERT 2u
#define T13_ALERT_MAX (T13_ALERT + 1u + T13_JSSE_PAD + 16u)   /* the largest record an alert makes: 35 */
#define T13_JSSE_PAD 16u      /* Java (JSSE) pads every TLS 1.3 record with 16 zero bytes */
#define T13_CV_MIN 40u        /* CertificateVerify: 4 + 2 + 2 + a signature (Ed25519: 64) */
#define T13_CV_MAX 1100u      /* an 8192-bit RSA signature */
#define T13_MAX_NST 4u        /* NewSessionTickets counted after the client's Finished */

/* The lengths a suite's records are built from. */
struct t13_sizes {
	uint16_t suite;
	uint8_t hash_len;        /* 32 (SHA-256) or 48 (SHA-384) */
	uint8_t tag_len;         /* 16, or 8 for CCM_8 */
};

/* The sizes of a TLS 1.3 suite (tls_suite.c's table); false for a suite
 * that is not TLS 1.3 or whose hash or tag tlsdiag does not know. */
bool t13_sizes_of(uint16_t suite, struct t13_sizes *z);

/* Ciphertext length of a record holding plaintext bytes with pad bytes of padding. */
uint32_t t13_record_len(const struct t13_sizes *z, uint32_t plaintext, uint32_t pad);

/* Length of a Finished message: 4 + hash. */
uint32_t t13_finished_len(const struct t13_sizes *z);

/* One opaque record after the ServerHello. */
struct t13_rec {
	uint64_t frame;
	uint32_t len;            /* record length (ciphertext) */
	uint32_t seq;            /* order among both sides' records */
};

struct t13_input {
	struct t13_sizes z;
	bool resumed;            /* PSK handshake: no certificates */
	bool early_data;         /* 0-RTT offered: client records before the server's flight */
	bool lost;               /* bytes of either side were not captured */
	const struct t13_rec *rec[2];   /* each side's first records, by enum side */
	uint32_t n[2];
	uint64_t total[2];       /* records of each side in all (more than n: the log was full) */
	bool closed[2];          /* FIN or RST */
	uint64_t close_frame[2];
	bool reset[2];           /* that side sent an RST */
};

enum t13_pattern {
	T13_UNKNOWN = 0,         /* the sizes fit no known pattern: nothing is inferred */
	T13_COMPLETED,           /* client Finished, then application data both ways */
	T13_OPEN,                /* client Finished; the capture ends before anything tells */
	T13_NO_DATA,             /* client Finished, the tickets, then the client's close: no data, no failure */
	T13_CLOSED_BEFORE_FINISHED, /* the connection closed before the client's Finished */
	T13_CLIENT_ALERT,        /* the client answered the server's flight with an alert */
	T13_SERVER_ALERT,        /* the server answered the client's flight with an alert */
	T13_CLIENT_CLOSED_AFTER_FINISHED, /* client Finished, then its close, no data */
	T13_SERVER_CLOSED_AFTER_FINISHED, /* client Finished, then the server's close, no response */
	T13_SERVER_REJECTED_REQUEST  /* empty client Certificate, one short response, the server's close */
};

enum t13_cert {
	T13_CERT_UNKNOWN = 0,
	T13_CERT_NONE,           /* the client's flight is a Finished only: no certificate was asked for */
	T13_CERT_EMPTY,          /* an empty Certificate + Finished */
	T13_CERT_SENT            /* Certificate + CertificateVerify + Finished */
};

struct t13_view {
	int pattern;             /* enum t13_pattern */
	bool failed;             /* the pattern is a failure */
	int ended_by;            /* enum side that ended it, -1: none */
	uint64_t end_frame;      /* its alert, or its close */
	uint32_t pad[2];         /* padding found per side (0 or T13_JSSE_PAD) */
	bool pad_known[2];
	/* the server's first flight (EncryptedExtensions ... Finished) */
	uint32_t sflight_n;
	uint64_t sflight_frame;  /* its last record */
	/* the client's second flight */
	int client_cert;         /* enum t13_cert */
	uint32_t cflight_n;      /* records: 1 (coalesced or Finished only), 2 or 3 */
	uint32_t cflight_len[3];
	uint64_t cflight_first;  /* its first record */
	uint64_t cflight_frame;  /* its last record (the Finished) */
	uint32_t cert_len;       /* plaintext of the client Certificate message (CERT_SENT) */
	bool client_finished;
	uint32_t cfin_seq;
	/* the alert-sized record that ended it */
	int alert_from;          /* -1: none */
	uint64_t alert_frame;
	uint32_t alert_len;
	/* after the client's Finished */
	uint32_t nst;            /* NewSessionTicket-sized server records */
	uint32_t nst_len;
	uint64_t app[2];         /* application data records (tickets and the closing alert apart) */
	uint64_t response_frame; /* T13_SERVER_REJECTED_REQUEST: the server's answer */
	uint32_t response_len;
	/* T13_OPEN: the server's tickets or data after the client's Finished (it
	 * accepted the flight); false: nothing tells how the handshake ended */
	bool answered;
	bool unclosed;           /* T13_SERVER_ALERT with no close after it (the capture ends first) */
	bool alert_in_cflight;   /* T13_SERVER_ALERT between the client's Certificate and its Finished */
};

/* Derive the flights and the pattern from the records of both sides. */
void t13_infer(const struct t13_input *in, struct t13_view *v);

/* The arithmetic behind the client's flight: "25 + 69 bytes = empty
 * Certificate (8) + 1 + 16, Finished (4 + 48) + 1 + 16". */
void t13_explain_client_flight(struct strbuf *b, const struct t13_input *in, const struct t13_view *v);

/* The arithmetic of an alert-sized record: "19 bytes = alert (2) + 1 + 16". */
void t13_explain_alert(struct strbuf *b, const struct t13_input *in, const struct t13_view *v);

/* A name for reports ("client alert instead of Finished" ...). */
const char *t13_pattern_name(int pattern);
/* The pattern of a view in words, told apart where the view knows more (an alert within the client's flight). */
const char *t13_view_name(const struct t13_view *v);

#endif
