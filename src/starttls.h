/* starttls.h - the clear-text exchange before TLS: which protocol asked for the upgrade, and the answer. */
#ifndef TLSDIAG_STARTTLS_H
#define TLSDIAG_STARTTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "limits.h"

/*
 * A connection that starts in the clear may switch to TLS in the middle:
 * the client asks (STARTTLS, STLS, AUTH TLS, an LDAP ExtendedRequest, a
 * PostgreSQL SSLRequest, a MySQL handshake response with CLIENT_SSL, XMPP's
 * <starttls/>) and the server agrees or refuses. The scanner reads the
 * plaintext of both directions (what tls_record hands on as not TLS) and
 * records that exchange; the TLS that follows is parsed as any other.
 * Only the commands and the server's answer are kept, never other payload.
 */

enum starttls_proto {
	STLS_NONE = 0,
	STLS_SMTP,
	STLS_LMTP,
	STLS_IMAP,
	STLS_POP3,
	STLS_FTP,
	STLS_LDAP,
	STLS_POSTGRES,
	STLS_MYSQL,
	STLS_XMPP
};

enum starttls_answer {
	STLS_NO_ANSWER = 0,
	STLS_ACCEPTED,
	STLS_REFUSED
};

/* What the capture shows of the upgrade (session.starttls). */
struct starttls_facts {
	uint8_t proto;             /* enum starttls_proto: recognised from the exchange */
	bool requested;            /* the client asked for TLS */
	uint64_t request_frame;
	const char *request;       /* the request as the protocol names it (static): "STARTTLS", "SSLRequest" ... */
	uint8_t answer;            /* enum starttls_answer */
	uint64_t answer_frame;
	bool implicit;             /* MySQL: no answer on the wire, the server's greeting offered SSL */
	uint8_t words[LIM_STARTTLS_WORDS];   /* the server's answer as sent (a reply line, an LDAP
					      * diagnosticMessage, PostgreSQL's one byte) */
	uint8_t words_len;
	bool words_cut;            /* the answer was longer than LIM_STARTTLS_WORDS */
	uint64_t client_clear_after;   /* a client message in the clear after the answer */
	bool client_alert;         /* instead of a ClientHello, a TLS alert record (its library gave up) */
	uint8_t client_alert_level, client_alert_desc;
	uint64_t client_alert_frame;
	uint64_t client_clear_after_unused;   /* a client message in the clear after the server agreed */
	bool gssenc_refused;       /* PostgreSQL: a GSSENCRequest answered 'N' first */
	uint64_t gssenc_frame;
};

struct session;
struct starttls_scan;
struct json;

/* Plaintext bytes of one side (enum side), in stream order, with the frame
 * that made them available. The scanner is allocated on first use in *sp. */
void starttls_feed(struct starttls_scan **sp, struct session *s, int side, const uint8_t *p, uint32_t n,
		   uint64_t frame);
/* Bytes of side were lost: its exchange is not read any further. */
void starttls_gap(struct starttls_scan *sc, int side);
void starttls_free(struct starttls_scan *sc);

/* "SMTP", "PostgreSQL" ... ("" for STLS_NONE). */
const char *starttls_proto_name(int proto);

/* The server's words as shown: host names and addresses in them pseudonymised
 * under --redact; raw bytes (escape them when printing); returns the length. */
size_t starttls_words(const struct starttls_facts *f, char *buf, size_t cap);

/* Report lines: the upgrade and a PROXY protocol header, for the text and
 * markdown writers (esc escapes untrusted bytes), and their JSON objects
 * ("starttls", "proxy_protocol"), written only when there is one. */
void starttls_describe(FILE *out, const struct session *s, const char *indent,
		       void (*esc)(FILE *, const void *, size_t));
void starttls_json(struct json *j, const struct session *s);

#endif
