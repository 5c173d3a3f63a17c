/* tls_conn.h - one TLS connection, both directions: TCP bytes in, session facts out. */
#ifndef TLSDIAG_TLS_CONN_H
#define TLSDIAG_TLS_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "budget.h"
#include "session.h"
#include "tls_suite.h"

/*
 * The data flows one way:
 *
 *   tls_conn_data (TCP bytes of one side)
 *     -> tls_record framing (tls_rec_feed)
 *     -> a record in the clear, or a protected one (struct tls_protection):
 *          opened by the decryptor if one is plugged in, else counted as
 *          encrypted (its size, "encrypted alert", ...)
 *     -> tls_conn_record, the one door for a record whose plaintext is known
 *     -> handshake messages reassembled across records
 *     -> tls_parse_handshake (tls_handshake.c) -> session facts
 */

struct tls_conn;

/* Start parsing a connection whose facts go to s. mid_stream[side] says
 * that side's first byte was not captured (no SYN). Partial handshake
 * messages are charged to budget. */
struct tls_conn *tls_conn_new(struct session *s, const bool mid_stream[2], struct budget *budget);

/* In-order bytes of one side, with the frame that made them available. */
void tls_conn_data(struct tls_conn *c, int side, const uint8_t *p, uint32_t n, uint64_t frame,
		   const struct ts *t);

/* n bytes of one side were never captured. */
void tls_conn_gap(struct tls_conn *c, int side, uint32_t n, uint64_t frame, const char *why);

/* The connection is over: report a record or handshake message it cut short. */
void tls_conn_end(struct tls_conn *c, uint64_t frame, const char *why);

/* Did this side's stream contain a TLS record yet? */
bool tls_conn_side_is_tls(const struct tls_conn *c, int side);

void tls_conn_free(struct tls_conn *c);

/* ---- the door ---- */

/* flags of tls_conn_record */
#define TLS_REC_DECRYPTED 1u   /* the plaintext of a protected record (opened by a decryptor) */

/*
 * A record whose plaintext is known, of content type `type` (RFC 8446
 * §5.1: change_cipher_spec, alert, handshake, application_data,
 * heartbeat): a record in the clear on the wire, the readable part of a
 * NULL-cipher record, or (TLS_REC_DECRYPTED) what a decryptor opened; for
 * TLS 1.3 the inner content type and content, without padding. body may
 * be NULL for application data whose bytes were not kept. Alerts are
 * named, handshake messages are collected across records and parsed, and
 * every fact keeps `frame`. A decrypted record enters here exactly as a
 * clear one: the same reassembly, the same parsers, the same facts.
 */
void tls_conn_record(struct tls_conn *c, int side, uint8_t type, uint16_t version, const uint8_t *body,
		     uint32_t len, uint64_t frame, const struct ts *t, unsigned flags);

/* ---- record protection, and where a decryptor plugs in ---- */

/* Which keys protect a direction's records. */
enum tls_epoch {
	TLS_EPOCH_CLEAR = 0,       /* in the clear (before ChangeCipherSpec / ServerHello) */
	TLS_EPOCH_CCS,             /* TLS <= 1.2 after ChangeCipherSpec: keys from the key block (RFC 5246 §6.3) */
	TLS_EPOCH_EARLY,           /* TLS 1.3 client 0-RTT: client_early_traffic_secret (RFC 8446 §7.1) */
	TLS_EPOCH_HANDSHAKE,       /* TLS 1.3 after ServerHello: [sender]_handshake_traffic_secret */
	TLS_EPOCH_APPLICATION      /* TLS 1.3 after the sender's Finished: [sender]_application_traffic_secret_N */
};

/*
 * One direction's record protection as tls_conn follows it: everything a
 * decryptor needs besides its keys. tls_conn moves the epoch: at a
 * ChangeCipherSpec (TLS <= 1.2), at the ServerHello, the sender's Finished,
 * EndOfEarlyData and KeyUpdate (TLS 1.3; the last three are only seen once
 * decrypted), and resets seq with each change of keys.
 *
 * version, suite, the randoms and encrypt_then_mac are filled in at each
 * change of keys and before each open().
 *
 * A client that offered early data and whose ServerHello accepted its PSK
 * stays in TLS_EPOCH_EARLY until its EndOfEarlyData: whether the server
 * accepted 0-RTT is said only in the encrypted EncryptedExtensions, so a
 * decryptor whose early keys fail there may try the handshake keys.
 */
struct tls_protection {
	uint64_t seq;              /* sequence number of the record offered: records of this epoch before it
				    * (RFC 5246 §6.1, RFC 8446 §5.3) */
	const struct tls_suite *suite;   /* negotiated, NULL while unknown or not assigned */
	const uint8_t *client_random;    /* 32 bytes of the ClientHello, NULL until seen (finds the key log line) */
	const uint8_t *server_random;    /* 32 bytes of the ServerHello, NULL until seen (TLS <= 1.2 key block) */
	uint32_t generation;       /* TLS 1.3: N of application_traffic_secret_N (KeyUpdates sent);
				    * TLS <= 1.2: ChangeCipherSpecs sent before this one (renegotiation) */
	uint32_t records;          /* protected records seen (all epochs) */
	uint32_t opened;           /* of them opened by the decryptor */
	uint32_t failed;           /* of them whose keys did not authenticate */
	uint16_t version;          /* negotiated (ServerHello), 0 while unknown */
	uint8_t epoch;             /* enum tls_epoch */
	bool seq_lost;             /* bytes of this epoch were not captured: seq counts only records seen */
	bool encrypted;            /* protected records are opaque without a decryptor (false: a NULL cipher) */
	bool encrypt_then_mac;     /* TLS <= 1.2 CBC: the ServerHello agreed to encrypt_then_mac (RFC 7366) */
	int8_t null_mac;           /* TLS <= 1.2 NULL cipher: readable records, MAC bytes at their end; else -1 */
};

/* A protected record as it was on the wire. */
struct tls_ciphertext {
	uint8_t header[5];         /* TLSCiphertext header: TLS 1.3's additional data (RFC 8446 §5.2); TLS <= 1.2
				    * builds its own from seq, type, version and length (RFC 5246 §6.2.3.3) */
	uint8_t type;              /* outer content type (always application_data in TLS 1.3) */
	uint16_t version;
	const uint8_t *body;       /* encrypted_record / GenericAEADCipher / GenericBlockCipher ... */
	uint32_t len;
	uint64_t frame;
};

/* What open() made of a record. */
enum tls_open_result {
	TLS_OPEN_NO_KEYS = 0,      /* no keys for this side and epoch: the record is counted as encrypted */
	TLS_OPEN_OK,               /* *out_len bytes of plaintext in out */
	TLS_OPEN_FAILED,           /* keys, but the record does not authenticate (wrong key log, corrupt capture) */
	TLS_OPEN_LATER             /* no keys yet, but they may still come (live: the key log is being written) */
};

/*
 * The plug-in point for decryption (none today: tlsdiag counts protected
 * records by size). open() is offered every protected record of a side, in
 * order, with st describing it; it writes at most cap bytes (the record's
 * length: plaintext is never longer) to out.
 *   TLS 1.3: out is the TLSInnerPlaintext (content, content type, zero
 *   padding; RFC 8446 §5.2): tls_conn strips the padding and enters the
 *   content at the door under its inner type.
 *   TLS <= 1.2: out is the content without explicit IV, MAC and padding; it
 *   enters the door under the record's type.
 * keep_appdata (optional, NULL: always) says whether application_data
 * records of a side should still be kept whole and offered: TLS 1.3
 * handshake records are application_data on the wire, and a decryptor
 * reads only the first application records (bulk data is only counted).
 * release (optional) is called with ctx by tls_conn_free.
 */
struct tls_decryptor {
	int (*open)(void *ctx, int side, const struct tls_protection *st, const struct tls_ciphertext *rec,
		    uint8_t *out, uint32_t cap, uint32_t *out_len);
	bool (*keep_appdata)(void *ctx, int side, const struct tls_protection *st);
	void (*release)(void *ctx);
};

/*
 * Records waiting for their keys. Live, a client writes its key log as it
 * talks: the server's first encrypted flight is captured before the client
 * has read it and written the secrets. When open() says TLS_OPEN_LATER, the
 * record, and every record of either side after it (their order is the
 * story), is kept unread, at most LIM_KEYWAIT_RECORDS records and
 * LIM_KEYWAIT_BYTES per connection (LIM_KEYWAIT_BYTES_TOTAL in the budget);
 * each new record, and tls_conn_retry, offers the first again. Over a cap,
 * at a gap or at the end they enter as records without keys, and the
 * connection holds none again.
 */
#define LIM_KEYWAIT_RECORDS       64u
#define LIM_KEYWAIT_BYTES         (64u * 1024u)
#define LIM_KEYWAIT_BYTES_TOTAL   (8u * 1024u * 1024u)

/* Records are held: *since (may be NULL) is the capture time of the first. */
bool tls_conn_holding(const struct tls_conn *c, struct ts *since);
/* Offers the held records again, in order; with give_up those still without
 * keys enter as opaque records (the caller's wait is over). */
void tls_conn_retry(struct tls_conn *c, bool give_up);

/* Plug a decryptor in (NULL: none), for the records that follow. */
void tls_conn_set_decryptor(struct tls_conn *c, const struct tls_decryptor *d, void *ctx);

/* A direction's protection state (for decryptors' tests and reports). */
const struct tls_protection *tls_conn_protection(const struct tls_conn *c, int side);

#endif
