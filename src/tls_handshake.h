/* tls_handshake.h - the TLS handshake message parsers: one whole message -> session facts. */
#ifndef TLSDIAG_TLS_HANDSHAKE_H
#define TLSDIAG_TLS_HANDSHAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "session.h"
#include "tls_names.h"   /* HS_*: the handshake types */

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
