/* diag.h - what the rules share: the context of one diagnosis, peer naming, and the finding builder.
 *
 * The rules live in topic files (diag_flow.c, diag_client_cert.c,
 * diag_chain.c, diag_alert.c); diagnose.c holds their table and runs it.
 * A rule reads the session (const) and the findings written before it, and
 * adds its own: it never changes a fact.
 */
#ifndef TLSDIAG_DIAG_H
#define TLSDIAG_DIAG_H

#include <stdbool.h>
#include <stdint.h>

#include "certcheck.h"
#include "diag_opts.h"
#include "limits.h"
#include "session.h"
#include "strbuf.h"

/* A finding being written: the three texts every finding has. DRAFT is an
 * empty draft; draft_add hands the texts to a list and empties it. Its
 * buffers are words: diagnose_facts leaves them empty (strbuf.h). */
struct draft {
	struct strbuf sum;       /* what happened, with the concrete values */
	struct strbuf cause;
	struct strbuf fix;
};
#define DRAFT { .sum.words = true, .cause.words = true, .fix.words = true }

struct finding *draft_add(struct draft *t, struct finding_list *out, const char *id, int severity, int side);
void draft_free(struct draft *t);

/* One diagnosis of one session. */
struct diag {
	const struct session *s;
	const struct diag_opts *o;
	struct finding_list *out;  /* the findings so far: later rules read them */
	int side;                  /* the side a RULE_EACH rule judges now */
	/* each side's chain as sent; have_chain: its first certificate parsed
	 * and the whole message was captured */
	struct x509_cert *certs[2][LIM_CERTS_PER_CHAIN];
	int n[2];
	struct chain_shape shape[2];
	bool have_chain[2];
	char peer_buf[2][96];      /* "Client 10.0.0.1", "Server 10.0.0.2:443", made on first use */
};

/* Prepare a diagnosis: load both chains. */
void diag_init(struct diag *c, const struct session *s, const struct diag_opts *o, struct finding_list *out);

/* How a side is named in sentences: "Client 10.0.0.1", "Server 10.0.0.2:443". */
const char *diag_peer(struct diag *c, int side);

/* The Certificate message of a side. */
const struct chain *diag_chain(const struct session *s, int side);

/* Were the bytes of side captured up to (not including) frame? */
bool diag_observable_until(const struct session *s, int side, uint64_t frame);

/* Did both sides send their Finished? */
bool diag_handshake_done(const struct session *s);

/* The frame where side itself closed: its RST, else its FIN (else the end). */
uint64_t diag_own_close_frame(const struct session *s, int side);

/* Is there a finding id about side (-1: any side) in the list? */
bool diag_has_finding(const struct finding_list *l, const char *id, int side);

/* Has a finding more specific than chain-untrusted explained side's chain? */
bool diag_chain_explained(const struct finding_list *l, int side);

/* No ServerHello in the capture, yet the server answered the ClientHello:
 * the client went on past it (Certificate, ClientKeyExchange,
 * ChangeCipherSpec), or server bytes before frame were not captured. */
bool diag_server_hello_lost(const struct session *s, uint64_t frame);

/* "" for 1, "s" otherwise */
const char *diag_plural(int64_t n);

/* ---- alerts (diag_alert.c) ---- */

/* The RFC name of an alert description, "unknown" when it has none. */
const char *alert_name(uint8_t desc);

/* "fatal" for level 2, "warning" otherwise */
const char *alert_level_word(uint8_t level);

/* Does sender refuse with desc what the other side offered or chose
 * (versions, suites: handshake_failure, protocol_version ...)? */
bool alert_refuses_offer(uint8_t desc, int sender);

/* protocol_version or inappropriate_fallback */
bool alert_about_version(uint8_t desc);

/* Is the alert part of a failure (as opposed to a normal close)? */
bool alert_is_failure(const struct session *s, const struct alert *a);

/* The first failure alert side sent at or after frame after (0: any). */
const struct alert *diag_failure_alert(const struct session *s, int side, uint64_t after);

/* Did side abort the handshake after frame: a failure alert, an inferred
 * TLS 1.3 alert, or closing the connection before it completed? */
bool diag_aborted_by(const struct session *s, int side, uint64_t after, uint64_t *frame);

/* nginx with ssl_verify_client on: the handshake completed, the server
 * answered with a short response (first record at *frame) and closed first. */
bool diag_app_rejection(const struct session *s, uint64_t *frame);

/* Decrypted HTTP/2: what the server's records held, after the byte count
 * that includes the connection's own frames: "; HTTP/2: 2 SETTINGS (1 an
 * acknowledgement) and 1 WINDOW_UPDATE, then the response on stream 1:
 * HEADERS with :status 400 and 237 bytes of DATA"; nothing otherwise. */
void diag_h2_contents(struct strbuf *b, const struct session *s);

/* How s->rejected_by ended a connection right after the handshake: the alert by
 * name where it was read ("a warning alert close_notify"), else "an encrypted
 * alert" or "a close"; true when a key log read it. */
bool diag_describe_rejection(struct strbuf *b, const struct session *s);

/* "fatal alert handshake_failure (frame 11)", "a TCP reset (frame 12)" ... */
void diag_describe_abort(struct strbuf *b, const struct session *s, int side, uint64_t after);

/* ---- causes (diag_cause.c) ---- */

/* What kind of rejection an alert name hints at: its findings are named first. */
enum cause_hint { CH_NONE = 0, CH_NAME, CH_VALIDITY, CH_TRUST, CH_PURPOSE, CH_POLICY };

/* Name the findings of side that explain why its certificate was rejected:
 * appends ": why (id), and why (id)." to cause and the first one's fix plus
 * "See id." to fix (fix may be NULL). Returns how many were named (0: none
 * explains it, nothing written). */
size_t diag_cert_causes(struct strbuf *cause, struct strbuf *fix, const struct finding_list *l, int side, int hint);

/* No version in common: which side offers what, and which change makes them
 * meet (refuser: the side whose alert ended the handshake). */
void diag_version_advice(struct strbuf *cause, struct strbuf *fix, const struct session *s, int refuser);

/* ---- what each side logged (diag_logs.c) ---- */

/* After the rules: add to each finding the lines each side's software most likely logged. */
void diag_logged(struct diag *c);

/* ---- the rules, by topic file; each writes the ids of its table rows ---- */

/* diag_flow.c */
void rule_capture_incomplete(struct diag *c);
void rule_not_tls(struct diag *c);
void rule_no_server_hello(struct diag *c);
void rule_version_or_cipher(struct diag *c);
void rule_deprecated_version(struct diag *c);
void rule_no_sni(struct diag *c);
void rule_tls13_encrypted(struct diag *c);
void rule_renegotiation(struct diag *c);
void rule_handshake_aborted(struct diag *c);

/* diag_starttls.c */
void rule_starttls(struct diag *c);

/* diag_client_cert.c */
void rule_client_cert_empty(struct diag *c);
void rule_client_cert_missing(struct diag *c);
void rule_client_cert_issuer(struct diag *c);
void rule_client_cert_unsuitable(struct diag *c);

/* diag_chain.c: the capture's side of the chain checks --check-bundle shares */
void rule_chain_incomplete(struct diag *c);
void rule_validity(struct diag *c);
void rule_self_signed(struct diag *c);
void rule_chain_order(struct diag *c);
void rule_chain_extra(struct diag *c);
void rule_chain_root_sent(struct diag *c);
void rule_weak(struct diag *c);
void rule_hostname(struct diag *c);
void rule_no_san(struct diag *c);
void rule_untrusted(struct diag *c);

/* diag_alert.c */
void rule_alerts(struct diag *c);

/* diag_after.c: refused right after a completed handshake */
void rule_rejected_after_handshake(struct diag *c);

/* diag_tls13.c: what TLS 1.3 record sizes prove */
void rule_tls13_inferred(struct diag *c);

/* A failure alert in the clear (OpenSSL sends one before its keys are up):
 * it says what happened, and nothing about it needs inferring. */
bool diag_tls13_clear_alert(const struct session *s);
/* diag_keylog.c */
void rule_keylog(struct diag *c);

#endif
