/* tls_keys.h - the key logs as a tls_conn decryptor: secrets matched by ClientHello random, one connection at a time. */
#ifndef TLSDIAG_TLS_KEYS_H
#define TLSDIAG_TLS_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "keylog.h"
#include "session.h"
#include "tls_conn.h"

/*
 * tls_keys_attach plugs a decryptor into a connection: when its records
 * become protected, the ClientHello random is looked up in the key log
 * (O(1)), a tls_decrypt is made for the negotiated version and suite, and
 * each direction follows tls_conn's epochs (handshake, application traffic
 * secret N, KeyUpdate) with whatever secrets the key log holds for it. The
 * session's keys facts (session.h, struct conn_keys) and s->decrypted say
 * what was opened, with which key log line, and what was not and why.
 *
 * Only what diagnosis needs is decrypted: every handshake record, every
 * alert and handshake message, and the first LIM_KEYS_APPDATA records of
 * application data per direction (enough for KeyUpdate, NewSessionTicket, a
 * late alert and an HTTP status line); later application data is never
 * kept nor decrypted.
 */

#define LIM_KEYS_APPDATA 16u

/* How often each key log source decrypted a connection (for "a key log
 * that matched no connection"); the analyzer owns one. */
#define TLS_KEYS_SOURCES 64u
struct tls_keys_tally {
	struct { const char *source; uint64_t connections; } v[TLS_KEYS_SOURCES];
	uint32_t n;
	uint64_t matched;          /* connections whose random some key log holds */
};

/* kl must outlive the connection; tally may be NULL. Nothing is attached
 * when kl holds no secret and no key log file was given.
 *
 * follow (live; NULL for a capture file) is kl, still being written: on a
 * key miss of a connection whose ClientHello random is known it is re-read
 * (keylog_poll: rate-limited, incremental, bounded), and a record whose
 * secret is not there yet is answered TLS_OPEN_LATER, so tls_conn holds it
 * until the secret is read or the caller's wait is over (tls_conn_retry). */
void tls_keys_attach(struct tls_conn *c, struct session *s, const struct keylog *kl, bool files_given,
		     struct tls_keys_tally *tally, struct keylog *follow);

/* Connections the given source (a key log file name as loaded) decrypted. */
uint64_t tls_keys_tally_of(const struct tls_keys_tally *t, const char *source);

/* For reports: the key log label whose secret a direction lacked
 * ("SERVER_HANDSHAKE_TRAFFIC_SECRET" ...), NULL when none was missing; and
 * what the epoch carries ("handshake", "application data", "0-RTT data"). */
const char *tls_keys_missing_label(const struct session *s, int side);
const char *tls_keys_missing_what(const struct session *s, int side);

#endif
