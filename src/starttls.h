/* starttls.h - the clear-text exchange before TLS: which protocol asked for the upgrade, and the answer. */
#ifndef TLSDIAG_STARTTLS_H
#define TLSDIAG_STARTTLS_H

#include <stdint.h>

#include "starttls_facts.h"

/*
 * A connection that starts in the clear may switch to TLS in the middle:
 * the client asks (STARTTLS, STLS, AUTH TLS, an LDAP ExtendedRequest, a
 * PostgreSQL SSLRequest, a MySQL handshake response with CLIENT_SSL, XMPP's
 * <starttls/>) and the server agrees or refuses. The scanner reads the
 * plaintext of both directions (what tls_record hands on as not TLS) and
 * records that exchange; the TLS that follows is parsed as any other.
 * Only the commands and the server's answer are kept, never other payload.
 */

struct session;
struct starttls_scan;

/* Plaintext bytes of one side (enum side), in stream order, with the frame
 * that made them available. The scanner is allocated on first use in *sp. */
void starttls_feed(struct starttls_scan **sp, struct session *s, int side, const uint8_t *p, uint32_t n,
		   uint64_t frame);
/* Bytes of side were lost: its exchange is not read any further. */
void starttls_gap(struct starttls_scan *sc, int side);
void starttls_free(struct starttls_scan *sc);

/* "SMTP", "PostgreSQL" ... ("" for STLS_NONE). */
const char *starttls_proto_name(int proto);

#endif
