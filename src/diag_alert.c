/* diag_alert.c - the alert table (who sends each alert, what it means where it comes) and the alert rule.
 *
 * An alert's name alone misleads: OpenSSL says unknown_ca where Java says
 * certificate_unknown, and uses bad_certificate for expired, weak or
 * malformed certificates. So the explanation is read from where the alert
 * comes: after which message, from which side, next to which findings.
 * Names as text are tls_alert_name() (tls_names.c); numbers, tls_alert.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "fmt.h"
#include "tls_alert.h"
#include "tls_names.h"

/* What an alert means in a handshake that fails: which explanation it gets. */
enum alert_meaning {
	AM_OTHER = 0,       /* only its name is known */
	AM_CLOSE,           /* close_notify before the end: the sender gave up without saying why */
	AM_CERTIFICATE,     /* a certificate (or its absence) is refused */
	AM_VERSION,         /* no protocol version in common */
	AM_SECURITY,        /* the other side's suites are too weak */
	AM_NAME,            /* no certificate or virtual host for the SNI */
	AM_SIGNATURE,       /* a signature or the Finished did not verify */
	AM_ALPN,            /* no application protocol in common */
	AM_MALFORMED,       /* a message malformed or not allowed */
	AM_RENEGOTIATION    /* renegotiation refused */
};

/* who sends an alert (RFC 8446 §6.2, RFC 6066 §3, RFC 7301 §3.2, RFC 7507 §3) */
#define BY_CLIENT (1u << SIDE_CLIENT)
#define BY_SERVER (1u << SIDE_SERVER)
#define BY_EITHER (BY_CLIENT | BY_SERVER)

struct alert_info {
	uint8_t desc;
	uint8_t meaning;        /* enum alert_meaning */
	uint8_t senders;        /* BY_ bits */
	bool refuses_offer;     /* refuses the versions or suites the other side offered or chose */
	const char *generic;    /* AM_CERTIFICATE: what the name means when no finding explains it */
};

#define NO_PATH "the sender cannot build a path to a root in its truststore (OpenSSL says unknown_ca where Java " \
		"says certificate_unknown, which Java also uses for a name mismatch)"

static const struct alert_info alert_table[] = {
	{ TLS_ALERT_CLOSE_NOTIFY, AM_CLOSE, BY_EITHER, false, NULL },
	{ TLS_ALERT_HANDSHAKE_FAILURE, AM_CERTIFICATE, BY_EITHER, true,
	  "the sender found nothing acceptable in what the other side offered or sent" },
	{ TLS_ALERT_BAD_CERTIFICATE, AM_CERTIFICATE, BY_EITHER, false,
	  "a certificate was refused (OpenSSL also uses bad_certificate for not-yet-valid, weak or malformed "
	  "certificates, Java for a missing client certificate)" },
	{ TLS_ALERT_UNSUPPORTED_CERTIFICATE, AM_CERTIFICATE, BY_EITHER, false,
	  "the certificate's key usage or extended key usage does not allow this use" },
	{ TLS_ALERT_CERTIFICATE_REVOKED, AM_CERTIFICATE, BY_EITHER, false, "a certificate was revoked by its issuer" },
	{ TLS_ALERT_CERTIFICATE_EXPIRED, AM_CERTIFICATE, BY_EITHER, false,
	  "a certificate of the chain has expired by the sender's clock" },
	{ TLS_ALERT_CERTIFICATE_UNKNOWN, AM_CERTIFICATE, BY_EITHER, false, NO_PATH },
	{ TLS_ALERT_ILLEGAL_PARAMETER, AM_MALFORMED, BY_EITHER, false, NULL },
	{ TLS_ALERT_UNKNOWN_CA, AM_CERTIFICATE, BY_EITHER, false, NO_PATH },
	{ TLS_ALERT_ACCESS_DENIED, AM_CERTIFICATE, BY_EITHER, false,
	  "the certificate is valid but its holder is not allowed in" },
	{ TLS_ALERT_DECODE_ERROR, AM_MALFORMED, BY_EITHER, false, NULL },
	{ TLS_ALERT_DECRYPT_ERROR, AM_SIGNATURE, BY_EITHER, false, NULL },
	{ TLS_ALERT_PROTOCOL_VERSION, AM_VERSION, BY_EITHER, true, NULL },
	{ TLS_ALERT_INSUFFICIENT_SECURITY, AM_SECURITY, BY_EITHER, true, NULL },
	{ TLS_ALERT_INAPPROPRIATE_FALLBACK, AM_VERSION, BY_SERVER, true, NULL },
	{ TLS_ALERT_NO_RENEGOTIATION, AM_RENEGOTIATION, BY_EITHER, false, NULL },
	{ TLS_ALERT_MISSING_EXTENSION, AM_MALFORMED, BY_EITHER, false, NULL },
	{ TLS_ALERT_UNSUPPORTED_EXTENSION, AM_MALFORMED, BY_EITHER, false, NULL },
	{ TLS_ALERT_UNRECOGNIZED_NAME, AM_NAME, BY_SERVER, false, NULL },
	{ TLS_ALERT_CERTIFICATE_REQUIRED, AM_CERTIFICATE, BY_SERVER, false,
	  "the server requires a client certificate and got none" },
	{ TLS_ALERT_NO_APPLICATION_PROTOCOL, AM_ALPN, BY_SERVER, false, NULL },
};

static const struct alert_info *alert_info(uint8_t desc)
{
	for (size_t i = 0; i < sizeof alert_table / sizeof alert_table[0]; i++)
		if (alert_table[i].desc == desc)
			return &alert_table[i];
	return NULL;
}

static int meaning(uint8_t desc)
{
	const struct alert_info *ai = alert_info(desc);
	return ai ? ai->meaning : AM_OTHER;
}

const char *alert_name(uint8_t desc)
{
	const char *n = tls_alert_name(desc);
	return n ? n : "unknown";
}

bool alert_refuses_offer(uint8_t desc, int sender)
{
	const struct alert_info *ai = alert_info(desc);
	return ai && ai->refuses_offer && (ai->senders & (1u << sender));
}

const char *alert_level_word(uint8_t level)
{
	return level == 2 ? "fatal" : "warning";
}

bool alert_about_version(uint8_t desc)
{
	return meaning(desc) == AM_VERSION;
}

bool alert_is_failure(const struct session *s, const struct alert *a)
{
	bool after_done = diag_handshake_done(s) && a->seq > s->handshake_done_seq;
	if (a->encrypted)
		return !after_done;
	if (a->level == 2)
		return true;
	return !after_done && a->desc != TLS_ALERT_CLOSE_NOTIFY && a->desc != TLS_ALERT_NO_CERTIFICATE;
}

const struct alert *diag_failure_alert(const struct session *s, int side, uint64_t after)
{
	for (uint32_t i = 0; i < s->alerts_n; i++) {
		const struct alert *a = &s->alerts[i];
		if (a->from == side && a->frame >= after && alert_is_failure(s, a))
			return a;
	}
	return NULL;
}

bool diag_aborted_by(const struct session *s, int side, uint64_t after, uint64_t *frame)
{
	const struct alert *a = diag_failure_alert(s, side, after);
	if (a) {
		*frame = a->frame;
		return true;
	}
	if (s->inferred_alert && s->inferred_alert_from == side && s->inferred_alert_frame >= after) {
		*frame = s->inferred_alert_frame;
		return true;
	}
	if (s->rejected_after_handshake && s->rejected_by == side && s->rejected_frame >= after) {
		*frame = s->rejected_frame;   /* an alert or a close right after the handshake */
		return true;
	}
	uint64_t closed = diag_own_close_frame(s, side);
	if (!diag_handshake_done(s) && s->outcome == OUTCOME_FAILED &&
	    (s->close_kind == CLOSE_FIN || s->close_kind == CLOSE_RST) && s->closed_by == side && closed >= after) {
		/* closing after the other side ended the handshake is no abort of one's own */
		const struct alert *other = diag_failure_alert(s, 1 - side, after);
		if (other && other->frame <= closed)
			return false;
		if (s->inferred_alert && s->inferred_alert_from == 1 - side && s->inferred_alert_frame >= after &&
		    s->inferred_alert_frame <= closed)
			return false;
		*frame = closed;
		return true;
	}
	return false;
}

bool diag_describe_rejection(struct strbuf *b, const struct session *s)
{
	const struct alert *a = NULL;
	for (uint32_t i = 0; i < s->alerts_n && s->rejected_alert && !a; i++)
		if (s->alerts[i].frame == s->rejected_frame && s->alerts[i].from == s->rejected_by)
			a = &s->alerts[i];
	if (a && !a->encrypted)
		sb_printf(b, "a %s alert %s", alert_level_word(a->level), alert_name(a->desc));
	else
		sb_printf(b, "%s", s->rejected_alert ? "an encrypted alert" : "a close");
	return a && a->decrypted;
}

void diag_describe_abort(struct strbuf *b, const struct session *s, int side, uint64_t after)
{
	const struct alert *a = diag_failure_alert(s, side, after);
	if (a && a->encrypted)
		sb_printf(b, "an encrypted alert (frame %" PRIu64 ")", a->frame);
	else if (a)
		sb_printf(b, "%s alert %s (frame %" PRIu64 ")", alert_level_word(a->level), alert_name(a->desc), a->frame);
	else if (s->rejected_after_handshake && s->rejected_by == side) {
		bool read = diag_describe_rejection(b, s);
		sb_printf(b, " right after the handshake, before any data (frame %" PRIu64 "%s)", s->rejected_frame,
			  read ? ", decrypted" : "");
	} else if (s->inferred_alert && s->inferred_alert_from == side)
		sb_printf(b, "an encrypted record of an alert's size and closed the connection (frame %" PRIu64 ")",
			  s->inferred_alert_frame);
	else if (s->dir[side].rst)
		sb_printf(b, "a TCP reset (frame %" PRIu64 ")", s->dir[side].rst_frame);
	else
		sb_printf(b, "closing the connection (frame %" PRIu64 ")", diag_own_close_frame(s, side));
}

/* ---- explanations ---- */

/* Which findings an alert name points at first (Java's certificate_unknown and
 * bad_certificate point at none: they cover a name mismatch and an unknown CA alike). */
static int hint_of(uint8_t desc)
{
	switch (desc) {
	case TLS_ALERT_CERTIFICATE_EXPIRED:
		return CH_VALIDITY;
	case TLS_ALERT_UNKNOWN_CA:
		return CH_TRUST;
	case TLS_ALERT_UNSUPPORTED_CERTIFICATE:
		return CH_PURPOSE;
	case TLS_ALERT_INSUFFICIENT_SECURITY:
		return CH_POLICY;
	default:
		return CH_NONE;
	}
}

/* How the fallback text starts: the reader must know no fact of the capture backs it. */
static void generic(struct strbuf *b, const struct alert *a)
{
	sb_printf(b, "No finding of this connection explains %s; its generic meaning: ", alert_name(a->desc));
}

/* The store that would check side's chain, for the fallback's fix. */
static void suggest_store(struct diag *c, struct strbuf *b, int side)
{
	bool given = side == SIDE_SERVER ? c->o->trust_given : c->o->client_trust_given;
	if (!given)
		sb_printf(b, " Give tlsdiag the %s's trust store (%s) to check the %s's chain against it.",
			  side_name(1 - side), side == SIDE_SERVER ? "--ca-file" : "--client-ca-file", side_name(side));
}

/* The id of the finding about the client's empty or absent certificate, if the server's alert a follows it. */
static const char *client_cert_finding(struct diag *c, const struct alert *a)
{
	const struct session *s = c->s;
	if (a->from != SIDE_SERVER || !s->cr.present)
		return NULL;
	if (s->client_chain.state == CHAIN_SEEN && a->frame < s->client_chain.frame)
		return NULL;
	if (diag_has_finding(c->out, "client-cert-empty", SIDE_CLIENT))
		return "client-cert-empty";
	if (diag_has_finding(c->out, "client-cert-missing", SIDE_CLIENT))
		return "client-cert-missing";
	return NULL;
}

/* The server's alert after an empty or absent client certificate refuses that, whatever its name. */
static bool explain_after_client_cert(struct diag *c, const struct alert *a, struct draft *t)
{
	const char *id = client_cert_finding(c, a);
	if (!id)
		return false;
	bool empty = !strcmp(id, "client-cert-empty");
	if (a->encrypted)
		sb_printf(&t->cause, "The alert is encrypted, so its description is not visible; it follows the client's "
				     "%s Certificate, so it most likely refuses that (%s).", empty ? "empty" : "missing", id);
	else if (meaning(a->desc) == AM_CERTIFICATE)
		sb_printf(&t->cause, "The server requires a client certificate and the client %s (%s).",
			  empty ? "sent an empty Certificate" : "did not send one", id);
	else
		sb_printf(&t->cause, "The server requires a client certificate and the client %s (%s): %s here is "
				     "how this server refuses that, not what its name says%s.",
			  empty ? "sent an empty Certificate" : "did not send one", id, alert_name(a->desc),
			  a->desc == TLS_ALERT_DECODE_ERROR ? " (GnuTLS answers an empty client Certificate with "
							      "decode_error)" : "");
	sb_printf(&t->fix, "See %s.", id);
	return true;
}

static void explain_encrypted(struct diag *c, const struct alert *a, struct draft *t)
{
	sb_printf(&t->cause, "The alert is encrypted, so its description is not visible; sent before the handshake "
			     "completed, it ends it.");
	if (a->from == SIDE_SERVER && c->s->client_chain.state == CHAIN_SEEN)
		sb_printf(&t->cause, " Sent after the client's Certificate and Finished, it typically rejects the "
				     "client's certificate or its CertificateVerify.");
	if (diag_chain(c->s, 1 - a->from)->state == CHAIN_SEEN) {
		struct strbuf why = { 0 };
		if (diag_cert_causes(&why, &t->fix, c->out, 1 - a->from, CH_NONE))
			sb_printf(&t->cause, " What the %s most likely rejects%s", side_name(a->from), why.p);
		sb_free(&why);
	}
	if (t->fix.len)
		sb_printf(&t->fix, " ");
	sb_printf(&t->fix, "Check the %s's logs for the reason; a key log file lets Wireshark decrypt the alert.",
		  side_name(a->from));
}

/* A certificate alert, read from where it comes: after the peer's chain
 * (then the findings about that chain are its cause), or right after the ClientHello. */
static void explain_rejection(struct diag *c, const struct alert *a, const struct alert_info *ai, struct draft *t)
{
	const struct session *s = c->s;
	const char *from = side_name(a->from), *other = side_name(1 - a->from);
	const struct chain *peer_chain = diag_chain(s, 1 - a->from);
	if (peer_chain->state == CHAIN_SEEN && peer_chain->count > 0 && a->frame >= peer_chain->frame) {
		const struct x509_cert *leaf = peer_chain->n ? peer_chain->certs[0].x509 : NULL;
		bool named = leaf && leaf->x;
		sb_printf(&t->cause, "The %s rejected the %s's certificate%s%s", from, other, named ? " " : "",
			  named ? leaf->subject : "");
		if (!diag_cert_causes(&t->cause, &t->fix, c->out, 1 - a->from, hint_of(a->desc))) {
			sb_printf(&t->cause, ". ");
			generic(&t->cause, a);
			sb_printf(&t->cause, "%s.", ai->generic);
			sb_printf(&t->fix, "Check the %s's log for the reason it gives.", from);
			suggest_store(c, &t->fix, 1 - a->from);
		}
	} else if (a->desc == TLS_ALERT_HANDSHAKE_FAILURE && !s->sh.present && !diag_server_hello_lost(s, a->frame)) {
		bool mm = diag_has_finding(c->out, "version-or-cipher-mismatch", -1);
		sb_printf(&t->cause, "The server found nothing acceptable in the ClientHello: no common cipher suite, "
				     "signature algorithm or group%s.", mm ? " (version-or-cipher-mismatch)" : "");
		sb_printf(&t->fix, "Align the cipher suites and versions of client and server.");
	} else if (a->from == SIDE_SERVER && diag_server_hello_lost(s, a->frame)) {
		const struct chain *cc = diag_chain(s, SIDE_CLIENT);
		sb_printf(&t->cause, "The capture does not hold the server's answer to the ClientHello (capture-incomplete "
				     "says why), so what it refused is not known for sure.");
		if (cc->state == CHAIN_SEEN && cc->count == 0 && cc->frame < a->frame)
			sb_printf(&t->cause, " The client's flight it answers holds an empty Certificate (frame %" PRIu64
					     "), which a client sends only when asked: the server's CertificateRequest was in "
					     "the bytes not captured, and the missing client certificate is the likely reason.", cc->frame);
		sb_printf(&t->fix, "Check the server's logs for the reason; capture again without loss to see the "
				   "server's flight (tcpdump -s 0, a larger -B).");
	} else {
		/* TLS 1.3 without the keys: the certificates it judged went by encrypted */
		bool hidden = s->tls13 && s->sh.present && !s->resumed && a->frame >= s->sh.frame &&
			      peer_chain->state != CHAIN_SEEN;
		sb_printf(&t->cause, "The %s ended the handshake with %s. ", from, alert_name(a->desc));
		if (hidden)
			sb_printf(&t->cause, "Everything after the ServerHello went by encrypted (TLS 1.3 without the "
					     "keys), so the capture cannot say what it refused. ");
		generic(&t->cause, a);
		sb_printf(&t->cause, "%s.", ai->generic);
		sb_printf(&t->fix, "Check the %s's logs for the reason%s.", from,
			  hidden ? ", or give tlsdiag the key log (--keylog) to read what it refused" : "");
	}
}

static void explain_version(struct diag *c, const struct alert *a, struct draft *t)
{
	if (a->desc == TLS_ALERT_INAPPROPRIATE_FALLBACK) {
		sb_printf(&t->cause, "The client retried with a lower version than it supports (TLS_FALLBACK_SCSV) and "
				     "the server supports a higher one: an earlier attempt failed for another reason, often "
				     "a middlebox.");
		sb_printf(&t->fix, "Find why the client's first attempt failed (capture it too).");
		return;
	}
	bool mm = diag_has_finding(c->out, "version-or-cipher-mismatch", -1);
	sb_printf(&t->cause, "No protocol version in common%s. ", mm ? " (version-or-cipher-mismatch)" : "");
	diag_version_advice(&t->cause, &t->fix, c->s, a->from);
}

/* The alerts whose name is all there is: said to be generic. */
static void explain_generic(const struct alert *a, struct draft *t)
{
	const char *from = side_name(a->from), *other = side_name(1 - a->from);
	generic(&t->cause, a);
	switch (meaning(a->desc)) {
	case AM_SECURITY:
		sb_printf(&t->cause, "the %s requires stronger cipher suites than the other side offers.", from);
		sb_printf(&t->fix, "Enable modern ECDHE/AES-GCM or CHACHA20 suites on the other side.");
		break;
	case AM_SIGNATURE:
		sb_printf(&t->cause, "the %s could not verify a signature or the Finished message of the other side: a "
				     "certificate whose private key does not match, or a broken middlebox.", from);
		sb_printf(&t->fix, "Check that the %s's certificate and private key belong together (compare their "
				   "public keys).", other);
		break;
	case AM_MALFORMED:
		sb_printf(&t->cause, "the %s found a message of the other side malformed or not allowed: an "
				     "incompatibility between the two TLS implementations or a middlebox altering the "
				     "traffic.", from);
		sb_printf(&t->fix, "Check the %s's logs for the message it refused; update the older TLS "
				   "implementation; test without middleboxes in the path.", from);
		break;
	default:
		sb_printf(&t->cause, "the %s reported %s.", from, alert_name(a->desc));
		sb_printf(&t->fix, "Check the %s's logs for the reason.", from);
		break;
	}
}

/* An alert of a renegotiation that did not complete (read with a key log)
 * is about that second handshake, not the first one's certificates. */
static bool explain_in_renegotiation(struct diag *c, const struct alert *a, struct draft *t)
{
	const struct session *s = c->s;
	if (!s->renegotiation || a->encrypted || a->frame < s->renegotiation_frame || meaning(a->desc) == AM_RENEGOTIATION)
		return false;
	const struct alert *refusal = NULL;
	for (uint32_t i = 0; i < s->alerts_n && !refusal; i++)
		if (!s->alerts[i].encrypted && s->alerts[i].desc == TLS_ALERT_NO_RENEGOTIATION &&
		    s->alerts[i].from != a->from && s->alerts[i].frame >= s->renegotiation_frame &&
		    s->alerts[i].frame <= a->frame)
			refusal = &s->alerts[i];
	if (!refusal)
		return false;
	sb_printf(&t->cause, "It ends the renegotiation that began at frame %" PRIu64 ": the %s refused it "
			     "(no_renegotiation, frame %" PRIu64 ") and the %s gave up (renegotiation).",
		  s->renegotiation_frame, side_name(refusal->from), refusal->frame, side_name(a->from));
	sb_printf(&t->fix, "See renegotiation.");
	return true;
}

static void explain_alert(struct diag *c, const struct alert *a, struct draft *t)
{
	const char *from = side_name(a->from);
	if (explain_after_client_cert(c, a, t) || explain_in_renegotiation(c, a, t))
		return;
	if (a->encrypted) {
		explain_encrypted(c, a, t);
		return;
	}
	switch (meaning(a->desc)) {
	case AM_CLOSE:
		sb_printf(&t->cause, "The %s closed the connection before the handshake finished: it gave up without "
				     "saying why (some clients do this when they reject the certificate).", from);
		if (diag_chain(c->s, 1 - a->from)->state == CHAIN_SEEN) {
			struct strbuf why = { 0 };
			if (diag_cert_causes(&why, &t->fix, c->out, 1 - a->from, CH_NONE))
				sb_printf(&t->cause, " What it most likely refused%s", why.p);
			sb_free(&why);
		}
		sb_printf(&t->fix, "%sLook at the %s's logs for the reason.", t->fix.len ? " " : "", from);
		break;
	case AM_CERTIFICATE:
		explain_rejection(c, a, alert_info(a->desc), t);
		break;
	case AM_VERSION:
		explain_version(c, a, t);
		break;
	case AM_NAME: {
		char sni[FMT_SNI_LEN] = "";
		if (c->s->ch.has_sni)
			fmt_sni(sni, sizeof sni, c->s->ch.sni, c->s->ch.sni_len);
		sb_printf(&t->cause, "The server has no certificate or virtual host for the name the client asked for "
				     "(SNI \"%s\").", sni);
		sb_printf(&t->fix, "Configure the server for this name, or make the client use a name the server knows.");
		break;
	}
	case AM_ALPN:
		sb_printf(&t->cause, "No ALPN protocol in common: the server supports none of those the client offered.");
		sb_printf(&t->fix, "Align the ALPN protocols (h2, http/1.1) of client and server.");
		break;
	case AM_RENEGOTIATION:
		sb_printf(&t->cause, "The %s refuses to renegotiate.", from);
		sb_printf(&t->fix, "Disable renegotiation on the other side, or allow it on this one.");
		break;
	default:
		explain_generic(a, t);
		break;
	}
}

/* ---- the rule ---- */

/* Same sender, same alert, same side of the handshake's completion. */
static bool same_alert(const struct session *s, const struct alert *a, const struct alert *b)
{
	bool a_after = diag_handshake_done(s) && a->seq > s->handshake_done_seq;
	bool b_after = diag_handshake_done(s) && b->seq > s->handshake_done_seq;
	return a->from == b->from && a->encrypted == b->encrypted && a->level == b->level && a->desc == b->desc &&
	       a_after == b_after;
}

static int alert_severity(const struct session *s, const struct alert *a, bool after_done)
{
	if (!a->encrypted && a->desc == TLS_ALERT_NO_CERTIFICATE)
		return SEV_INFO;   /* SSL 3.0's way of sending no certificate: client-cert-missing judges */
	/* a close_notify before completion ended the handshake: the sender gave up */
	if (!a->encrypted && a->desc == TLS_ALERT_CLOSE_NOTIFY && !after_done && s->outcome == OUTCOME_FAILED)
		return SEV_WARNING;
	if (!alert_is_failure(s, a))
		return SEV_INFO;
	return a->level == 1 ? SEV_WARNING : SEV_ERROR;
}

/* One finding for alert i and the same alerts after it. */
static void alert_finding(struct diag *c, uint32_t i, bool after_done, bool note_cap)
{
	const struct session *s = c->s;
	const struct alert *a = &s->alerts[i];
	struct draft t = DRAFT;
	if (a->encrypted)
		sb_printf(&t.sum, "The %s sent an encrypted alert (frame %" PRIu64 ") before the handshake completed.",
			  side_name(a->from), a->frame);
	else
		sb_printf(&t.sum, "The %s sent %s alert %s (%u) at frame %" PRIu64 ".", side_name(a->from),
			  a->level == 2 ? "fatal" : a->level == 1 ? "warning" : "an", alert_name(a->desc), a->desc,
			  a->frame);
	explain_alert(c, a, &t);
	uint32_t repeats = 0;
	for (uint32_t k = i + 1; k < s->alerts_n; k++)
		repeats += same_alert(s, &s->alerts[k], a);
	if (repeats)
		sb_printf(&t.sum, " The same alert came %u more time%s.", repeats, diag_plural(repeats));
	/* past the per-connection cap alerts are counted, not kept: say so once */
	if (note_cap && s->alerts_dropped)
		sb_printf(&t.sum, " %u later alert%s not examined (cap of %u per connection).", s->alerts_dropped,
			  s->alerts_dropped == 1 ? " was" : "s were", LIM_ALERTS);
	struct finding *f = draft_add(&t, c->out, "alert", alert_severity(s, a, after_done), a->from);
	finding_add_frame(f, a->frame);
	for (uint32_t k = i + 1; k < s->alerts_n; k++)
		if (same_alert(s, &s->alerts[k], a))
			finding_add_frame(f, s->alerts[k].frame);
}

void rule_alerts(struct diag *c)
{
	const struct session *s = c->s;
	bool first = true;
	for (uint32_t i = 0; i < s->alerts_n; i++) {
		const struct alert *a = &s->alerts[i];
		bool after_done = diag_handshake_done(s) && a->seq > s->handshake_done_seq;
		/* the ordinary end of a good connection says nothing */
		if ((after_done && (a->encrypted || a->desc == TLS_ALERT_CLOSE_NOTIFY)) || session_alert_unjudged(s, a))
			continue;
		/* a repeated alert is one finding, with the repeats' frames */
		uint32_t prev = 0;
		while (prev < i && !same_alert(s, &s->alerts[prev], a))
			prev++;
		if (prev < i)
			continue;
		alert_finding(c, i, after_done, first);
		first = false;
	}
	/* an alert inferred from a TLS 1.3 record's size: tls13-encrypted-failure */
}
