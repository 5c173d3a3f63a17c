/* tls_handshake.h - the TLS handshake message parsers: one whole message -> session facts. */
#ifndef TLSDIAG_TLS_HANDSHAKE_H
#define TLSDIAG_TLS_HANDSHAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "session.h"

/* handshake types (IANA TLS HandshakeType) */
enum {
	HS_HELLO_REQUEST = 0, HS_CLIENT_HELLO = 1, HS_SERVER_HELLO = 2, HS_NEW_SESSION_TICKET = 4,
	HS_END_OF_EARLY_DATA = 5, HS_HELLO_RETRY_REQUEST = 6, HS_ENCRYPTED_EXTENSIONS = 8, HS_CERTIFICATE = 11,
	HS_SERVER_KEY_EXCHANGE = 12, HS_CERTIFICATE_REQUEST = 13, HS_SERVER_HELLO_DONE = 14,
	HS_CERTIFICATE_VERIFY = 15, HS_CLIENT_KEY_EXCHANGE = 16, HS_FINISHED = 20, HS_CERTIFICATE_STATUS = 22,
	HS_KEY_UPDATE = 24
};

/* Parse one handshake message body into the session, and enter it in the
 * timeline: type and body as on the wire, reassembled across records by
 * tls_conn. */
void tls_parse_handshake(struct session *s, int side, uint8_t type, const uint8_t *body,
			 uint32_t len, uint64_t frame, const struct ts *t);

/* The same for an SSLv2-compatible ClientHello: body is the record after
 * its 2-byte header, starting with msg_type. */
void tls_parse_sslv2_hello(struct session *s, int side, const uint8_t *body, uint32_t len, uint64_t frame,
			   const struct ts *t);

#endif
