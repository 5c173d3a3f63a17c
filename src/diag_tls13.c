/* diag_tls13.c - rules on what TLS 1.3 record sizes prove when the handshake was not decrypted.
 *
 * session.c derives the flights with tls13_infer.c; these rules say what
 * the sizes prove, with the arithmetic, which side ended the connection,
 * the likely causes in the playbooks' order and how to confirm. Every
 * finding here is labelled inferred (JSON "inferred": true, and the words
 * "(inferred from record sizes)" in its summary); a connection whose
 * handshake was seen decrypted never gets one (session.c infers nothing).
 */
#include <inttypes.h>
#include <stdio.h>

#include "diag.h"

#include <string.h>
#include "tls13_infer.h"

#define INFERRED "(inferred from record sizes)"

/* How to see what the sizes only suggest: a key log per tool, the logs
 * (unless the fix already sent the reader to them), TLS 1.2. */
static void how_to_confirm(struct strbuf *b)
{
	bool logs_named = b->len && (strstr(b->p, "server's log") || strstr(b->p, "Read the logs"));
	sb_printf(b, "To confirm: capture again with a key log (curl, python and Firefox/Chrome: SSLKEYLOGFILE=FILE; "
		     "openssl s_client or s_server: -keylogfile FILE; Java and nginx write none, so log the keys on "
		     "the other side) and give it to Wireshark or tlsdiag; %sor "
		     "reproduce with TLS 1.2, where certificates and alerts are in the clear (openssl s_client "
		     "-tls1_2, Java -Djdk.tls.client.protocols=TLSv1.2, curl --tls-max 1.2).",
		  logs_named ? "" : "read the server's log at this time; ");
}

static void client_rejected_server(struct diag *c, struct draft *t, bool after_finished)
{
	sb_printf(&t->cause, "A client that rejects the server's certificate or name %s, in order of likelihood: "
			     "the server's chain is not trusted by the "
			     "client (missing intermediate: unknown_ca; self-signed or private CA not in the client's "
			     "truststore), the name the client used is not in the certificate's SAN "
			     "(certificate_unknown, bad_certificate), or the certificate has expired "
			     "(certificate_expired).", after_finished ? "after the handshake closes the connection"
										 : "sends an alert instead of its Finished");
	sb_printf(&t->fix, "Check the server's certificate chain (tlsdiag --check-bundle CHAIN.pem --hostname %s): "
			   "send the intermediate, use a certificate that covers the name, or add the CA to the "
			   "client's truststore. ", c->s->ch.has_sni ? "NAME" : "NAME (no SNI was sent)");
}

static void server_rejected_client(struct diag *c, struct draft *t)
{
	int cert = c->s->t13.client_cert;
	if (cert == T13_CERT_EMPTY)
		sb_printf(&t->cause, "The client's flight holds an empty Certificate: the server requires a client "
				     "certificate and refused its absence (certificate_required). The client's "
				     "keystore holds none, or none issued by a CA the server accepts.");
	else if (cert == T13_CERT_SENT)
		sb_printf(&t->cause, "The client sent a certificate; the server refused it, in order of likelihood: "
				     "issued by a CA not in the server's truststore (unknown_ca), expired "
				     "(certificate_expired), or without clientAuth (unsupported_certificate).");
	else
		sb_printf(&t->cause, "The server refused the client's flight or first request: a client certificate "
				     "check, a policy rule or an internal error.");
	sb_printf(&t->fix, "Read the server's log at this time; check the client's keystore (certificate, key and "
			   "chain issued by a CA the server trusts). ");
}

/* The likely causes for the pattern, and who to ask. */
static void pattern_cause(struct diag *c, struct draft *t)
{
	const struct t13_view *v = &c->s->t13;
	switch (v->pattern) {
	case T13_CLIENT_ALERT:
		client_rejected_server(c, t, false);
		break;
	case T13_CLIENT_CLOSED_AFTER_FINISHED:
		sb_printf(&t->cause, "The client finished the handshake and closed at once without sending any data: "
				     "clients that check the server's name or certificate after the handshake (curl "
				     "with OpenSSL: \"no alternative certificate subject name matches\") end this way. "
				     "A health check that only tests the handshake looks the same. ");
		client_rejected_server(c, t, true);
		break;
	case T13_SERVER_ALERT:
	case T13_SERVER_CLOSED_AFTER_FINISHED:
	case T13_SERVER_REJECTED_REQUEST:
		server_rejected_client(c, t);
		if (v->pattern == T13_SERVER_REJECTED_REQUEST)
			sb_printf(&t->cause, " The short answer and the close are nginx's way with ssl_verify_client on: "
					     "the handshake completes, and the request is answered with HTTP 400 "
					     "\"No required SSL certificate was sent\" inside TLS.");
		break;
	default:
		sb_printf(&t->cause, "The connection closed before the client's Finished: one side gave up or "
				     "rejected the other's flight without an alert (a timeout, a silent certificate "
				     "check, a stopped process).");
		sb_printf(&t->fix, "Read the logs of the side that closed. ");
		break;
	}
	how_to_confirm(&t->fix);
}

/* "frame 9", or "frames 9 to 12" when Java wrote the client's flight in two segments */
static void flight_frames(struct strbuf *b, const struct t13_view *v)
{
	if (v->cflight_first && v->cflight_first != v->cflight_frame)
		sb_printf(b, "frames %" PRIu64 " to %" PRIu64, v->cflight_first, v->cflight_frame);
	else
		sb_printf(b, "frame %" PRIu64, v->cflight_frame);
}

/* "the server's flight ended at frame 8; the client's flight: 25 = ...; then the client's alert" */
static void what_sizes_prove(struct diag *c, struct strbuf *b, const struct t13_input *in)
{
	const struct session *s = c->s;
	const struct t13_view *v = &s->t13;
	sb_printf(b, "TLS 1.3 without keys: the connection failed after the ServerHello " INFERRED ". The server's "
		     "encrypted flight ended at frame %" PRIu64 " (%" PRIu32 " record%s).", v->sflight_frame, v->sflight_n,
		  diag_plural(v->sflight_n));
	if (v->client_finished) {
		sb_printf(b, " The client's flight (");
		flight_frames(b, v);
		sb_printf(b, ") is ");
		t13_explain_client_flight(b, in, v);
		sb_printf(b, ".");
	}
	if (v->alert_from >= 0) {
		sb_printf(b, " The %s's record at frame %" PRIu64 " has an alert's size (", side_name(v->alert_from),
			  v->alert_frame);
		t13_explain_alert(b, in, v);
		sb_printf(b, ")%s.", v->alert_from == SIDE_CLIENT && !v->client_finished ? ", sent instead of its Finished"
				    : v->alert_in_cflight ? ", sent after the client's Certificate and before its Finished" : "");
	}
	if (v->nst)
		sb_printf(b, " %" PRIu32 " server record%s of %" PRIu32 " bytes after the client's Finished %s "
			     "NewSessionTicket%s, not data.", v->nst, diag_plural(v->nst), v->nst_len,
			  v->nst == 1 ? "is a" : "are", diag_plural(v->nst));
	if (v->pattern == T13_SERVER_REJECTED_REQUEST)
		sb_printf(b, " The server answered the client's first request with one record of %" PRIu32 " bytes "
			     "(frame %" PRIu64 ") and closed.", v->response_len, v->response_frame);
	sb_printf(b, " The %s ended it (frame %" PRIu64 "): %s%s.", side_name(v->ended_by), v->end_frame,
		  t13_view_name(v),
		  v->unclosed ? "; the capture ends before either side closed" : "");
}

static void encrypted_failure(struct diag *c, const struct t13_input *in)
{
	const struct session *s = c->s;
	const struct t13_view *v = &s->t13;
	struct draft t = DRAFT;
	what_sizes_prove(c, &t.sum, in);
	pattern_cause(c, &t);
	struct finding *f = draft_add(&t, c->out, "tls13-encrypted-failure", SEV_ERROR, v->ended_by);
	if (!f)
		return;
	f->inferred = true;
	finding_add_frame(f, s->sh.frame);
	finding_add_frame(f, v->sflight_frame);
	finding_add_frame(f, v->cflight_first);
	finding_add_frame(f, v->cflight_frame);
	finding_add_frame(f, v->alert_frame);
	finding_add_frame(f, v->response_frame);
	finding_add_frame(f, v->end_frame);
}

/* With --client-cert: what the keystore holds. The CertificateRequest is
 * encrypted, so which CAs the server accepts cannot be compared. */
static void keystore_cause(struct diag *c, struct strbuf *cause)
{
	const struct diag_opts *o = c->o;
	if (o->keystore_n == 0 || !o->keystore[0]->x) {
		sb_printf(cause, "The keystore given with --client-cert holds no certificate: the client has nothing "
				 "to send (playbook cause: no client certificate in the keystore).");
		return;
	}
	const struct x509_cert *leaf = o->keystore[0];
	sb_printf(cause, "The keystore given with --client-cert holds %s, issued by %s, yet the client sent none: "
			 "the server's list of acceptable CAs (encrypted here) most likely does not name %s "
			 "(playbook cause: certificate authority mismatch), or the client does not use this keystore "
			 "or key alias, or its private key is missing.", leaf->subject, leaf->issuer, leaf->issuer);
}

/* The client's flight is exactly an empty Certificate and a Finished. */
static void client_cert_empty_inferred(struct diag *c, const struct t13_input *in)
{
	const struct session *s = c->s;
	const struct t13_view *v = &s->t13;
	struct draft t = DRAFT;
	sb_printf(&t.sum, "The server asked for a client certificate and the client sent an empty one " INFERRED
			  ": the client's flight (");
	flight_frames(&t.sum, v);
	sb_printf(&t.sum, ") has exactly the size of an empty Certificate and a Finished, ");
	t13_explain_client_flight(&t.sum, in, v);
	int sev = v->failed ? SEV_ERROR : SEV_WARNING;
	/* MySQL and MariaDB servers ask every TLS client for a certificate
	 * (SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, whatever ssl_ca says): an
	 * empty one that the server goes on with is their normal handshake. */
	bool mysql_asks_all = !v->failed && s->starttls.proto == STLS_MYSQL &&
			      !(v->pattern == T13_OPEN && !v->answered);
	if (mysql_asks_all)
		sev = SEV_INFO;
	if (v->failed)
		sb_printf(&t.sum, "; the %s then ended the connection (frame %" PRIu64 ").", side_name(v->ended_by),
			  v->end_frame);
	else if (v->pattern == T13_OPEN && !v->answered)
		sb_printf(&t.sum, "; nothing after it shows the server's answer (the capture ends first), so whether "
				  "the server requires one is not known.");
	else
		sb_printf(&t.sum, "; the connection went on, so the server does not require one at the TLS level "
				  "(it may still refuse the request inside TLS, as nginx does with HTTP 400).");
	if (mysql_asks_all) {
		sb_printf(&t.cause, "The upgrade is MySQL's (SSLRequest): MySQL and MariaDB servers ask every TLS client "
				    "for a certificate, whatever their configuration, and go on without one; a client "
				    "without a certificate always sends an empty one.");
		sb_printf(&t.fix, "Nothing, unless the account requires a client certificate (CREATE USER ... REQUIRE "
				  "X509, ISSUER or SUBJECT): the server then refuses the login inside TLS (error 1045); "
				  "give the client its certificate and key (mysql --ssl-cert/--ssl-key, the connector's "
				  "sslCert/sslKey). ");
		how_to_confirm(&t.fix);
	} else if (c->o->keystore_given)
		keystore_cause(c, &t.cause);
	else
		sb_printf(&t.cause, "The client had no certificate to offer. Either its keystore holds no client "
				    "certificate, or the keystore's certificate is not issued by any of the CAs the server "
				    "accepts: Java clients (and many others) then send an empty Certificate rather than "
				    "the wrong one. Give --client-cert with the keystore's certificate to tell the two "
				    "apart.");
	if (!mysql_asks_all) {
		sb_printf(&t.fix, "Put the client certificate, with its private key and full chain, in the keystore the "
			  "client uses, issued by a CA the server accepts; or add the CA that issued it to the server's "
			  "truststore. ");
		how_to_confirm(&t.fix);
	}
	struct finding *f = draft_add(&t, c->out, "client-cert-empty-inferred", sev, SIDE_CLIENT);
	if (!f)
		return;
	f->inferred = true;
	finding_add_frame(f, v->cflight_first);
	finding_add_frame(f, v->cflight_frame);
	if (v->failed)
		finding_add_frame(f, v->end_frame);
}

bool diag_tls13_clear_alert(const struct session *s)
{
	for (uint32_t i = 0; i < s->alerts_n; i++)
		if (!s->alerts[i].encrypted && alert_is_failure(s, &s->alerts[i]))
			return true;
	return false;
}

void rule_tls13_inferred(struct diag *c)
{
	const struct session *s = c->s;
	if (!s->tls13 || !s->t13_inferred)
		return;
	struct t13_input in = { 0 };   /* the arithmetic texts need the suite's sizes only */
	t13_sizes_of(s->sh.cipher_suite, &in.z);
	if (s->t13.client_cert == T13_CERT_EMPTY)
		client_cert_empty_inferred(c, &in);
	if (s->t13.failed && !diag_tls13_clear_alert(s))
		encrypted_failure(c, &in);
}
