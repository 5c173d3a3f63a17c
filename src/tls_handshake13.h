/* tls_handshake13.h - the TLS 1.3 messages only a key log shows: EncryptedExtensions, KeyUpdate, ... */
#ifndef TLSDIAG_TLS_HANDSHAKE13_H
#define TLSDIAG_TLS_HANDSHAKE13_H

#include <stdbool.h>
#include <stdint.h>

#include "rd.h"
#include "session.h"

/* EncryptedExtensions, KeyUpdate and EndOfEarlyData into the session;
 * false for any other type. */
bool tls13_parse_message(struct session *s, int side, uint8_t type, const uint8_t *body, uint32_t len,
			 uint64_t frame);

/* The extensions of entry (0: the leaf) of a TLS 1.3 Certificate. */
void tls13_cert_entry_extensions(struct session *s, int side, uint32_t entry, struct rd exts, uint64_t frame);

/* NewSessionTicket of TLS 1.2 (RFC 5077) or TLS 1.3 (RFC 8446 §4.6.1). */
void tls_parse_new_session_ticket(struct session *s, struct rd r, uint64_t frame, bool tls13);

/* A renegotiation's ServerHello, r after its random. */
void tls_later_server_hello(struct session *s, struct rd r, const uint8_t random[32]);

#endif
