/* starttls_facts.h - what a capture shows of an upgrade to TLS (session.starttls); the types only,
 * so that session.h holds them without depending on the scanner (starttls.h). */
#ifndef TLSDIAG_STARTTLS_FACTS_H
#define TLSDIAG_STARTTLS_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "limits.h"

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

#endif
