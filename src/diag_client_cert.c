/* diag_client_cert.c - rules about the client certificate a server asked for: none, empty, wrong CA, unfit.
 *
 * The playbook's two causes of an empty client Certificate (no certificate
 * in the keystore, or one from a CA the server does not list) are told
 * apart with --client-cert; the acceptable CA names of the
 * CertificateRequest are quoted (RFC 5246 §7.4.4, RFC 8446 §4.3.2).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "diag.h"
#include "tls_alert.h"
#include "x509.h"


#define NAMES_IN_SUMMARY 5   /* acceptable CA names quoted in one sentence */

/* The acceptable CA names, quoted: "CN=A; CN=B (and 3 more)". */
static void ca_names(struct strbuf *b, const struct session *s, uint32_t max)
{
	const struct cert_request *cr = &s->cr;
	if (cr->dn_count == 0) {
		sb_printf(b, "none listed, so any CA");
		return;
	}
	uint32_t n = cr->dn_count < max ? cr->dn_count : max;
	const struct dn_list *dl = x509_dn_list(cr->dn_bytes, cr->dn_bytes_len, cr->dn_off, cr->dn_len, cr->dn_count);
	for (uint32_t i = 0; i < n; i++)
		sb_printf(b, "%s%s", i ? "; " : "", dl->text[i] ? dl->text[i] : "<unparsable name>");
	if (cr->dn_count > n)
		sb_printf(b, " (and %" PRIu32 " more)", cr->dn_count - n);
}

/* Is name among the CertificateRequest's acceptable CAs (canonical compare)? */
static bool ca_listed(const struct session *s, const X509_NAME *name)
{
	const struct cert_request *cr = &s->cr;
	const struct dn_list *dl = x509_dn_list(cr->dn_bytes, cr->dn_bytes_len, cr->dn_off, cr->dn_len, cr->dn_count);
	for (uint32_t i = 0; i < dl->n; i++)
		if (dl->names[i] && x509_name_equal(dl->names[i], name))
			return true;
	return false;
}

/* Does any certificate of a chain lead to an acceptable CA: issued by a
 * listed name, or itself a listed CA? */
static bool chain_meets_ca_list(const struct session *s, struct x509_cert *const *certs, int n)
{
	for (int i = 0; i < n; i++) {
		if (!certs[i]->x)
			continue;
		if (ca_listed(s, X509_get_issuer_name(certs[i]->x)))
			return true;
		if (certs[i]->is_ca && ca_listed(s, X509_get_subject_name(certs[i]->x)))
			return true;
	}
	return false;
}

/* After an empty or missing client Certificate, with --client-cert:
 * which of the playbook's two causes it is. */
static void keystore_cause(struct diag *c, struct strbuf *cause)
{
	const struct diag_opts *o = c->o;
	const struct session *s = c->s;
	if (o->keystore_n == 0 || !o->keystore[0]->x) {
		sb_printf(cause, "The keystore given with --client-cert holds no certificate: the client has nothing "
				 "to send (playbook cause: no client certificate in the keystore).");
		return;
	}
	const struct x509_cert *leaf = o->keystore[0];
	if (s->cr.dn_count == 0 || chain_meets_ca_list(s, o->keystore, (int)o->keystore_n)) {
		sb_printf(cause, "The keystore's certificate %s (issued by %s) leads to a CA the server accepts, yet the "
				 "client sent none: the client does not use this keystore or key alias, its private key "
				 "is missing, or the certificate is unsuitable (key type, clientAuth).",
			  leaf->subject, leaf->issuer);
		return;
	}
	sb_printf(cause, "The keystore's leaf certificate %s is issued by %s, which is not among the %" PRIu32
			 " CA names the server accepts: ", leaf->subject, leaf->issuer, s->cr.dn_count);
	ca_names(cause, s, NAMES_IN_SUMMARY);
	sb_printf(cause, ". So the client sent no certificate (playbook cause: certificate authority mismatch; Java "
			 "clients send nothing rather than a certificate the server will not accept).");
}

static const char *const fix_client_cert =
	"Put the client certificate, with its private key and full chain, in the keystore the client uses (for an "
	"API gateway: the keystore and key alias of the target endpoint), issued by one of the CAs the server lists; "
	"or add the CA that issued the client's certificate to the server's truststore (the list it sends in its "
	"CertificateRequest).";

/* "Server 10.0.0.2:443 asked for a client certificate (frame 7, 1 acceptable CA: CN=Root)" */
static void asked_for_certificate(struct diag *c, struct strbuf *b)
{
	const struct cert_request *cr = &c->s->cr;
	sb_printf(b, "%s asked for a client certificate (frame %" PRIu64 ", %" PRIu32 " acceptable CA%s: ",
		  diag_peer(c, SIDE_SERVER), cr->frame, cr->dn_count, diag_plural(cr->dn_count));
	ca_names(b, c->s, NAMES_IN_SUMMARY);
	sb_printf(b, ")");
}

/* An error when the server ended the handshake after the client's answer
 * at frame after ("The server rejected it with fatal alert ..."), else a
 * warning. */
static int server_verdict(struct diag *c, struct strbuf *b, const char *did, uint64_t after, uint64_t *abort_frame)
{
	uint64_t app_frame = 0;
	if (diag_app_rejection(c->s, &app_frame)) {
		/* nginx: it completes the handshake, then refuses the request */
		*abort_frame = diag_own_close_frame(c->s, SIDE_SERVER);
		sb_printf(b, ". The server %s after the handshake: it answered with %" PRIu64 " bytes (frame %" PRIu64
			     ") and %s (frame %" PRIu64 ")", did, c->s->dir[SIDE_SERVER].appdata_bytes,
			  app_frame, c->s->closed_by == SIDE_SERVER ? "closed the connection" : "the connection ended",
			  *abort_frame);
		return SEV_ERROR;
	}
	if (!diag_aborted_by(c->s, SIDE_SERVER, after, abort_frame))
		return SEV_WARNING;
	sb_printf(b, ". The server %s with ", did);
	diag_describe_abort(b, c->s, SIDE_SERVER, after);
	return SEV_ERROR;
}

/* With --client-cert, which of the two causes it is, after what was said. */
static void and_keystore_cause(struct diag *c, struct strbuf *cause)
{
	if (!c->o->keystore_given)
		return;
	sb_printf(cause, " ");
	keystore_cause(c, cause);
}

/* What the server did after the empty Certificate decides the severity. */
static int after_empty_certificate(struct diag *c, struct draft *t, uint64_t *abort_frame, uint64_t *app_frame)
{
	const struct session *s = c->s;
	const struct chain *cc = &s->client_chain;
	if (diag_aborted_by(s, SIDE_SERVER, cc->frame, abort_frame)) {
		sb_printf(&t->sum, ". The server aborted the handshake with ");
		diag_describe_abort(&t->sum, s, SIDE_SERVER, cc->frame);
		sb_printf(&t->sum, ".");
		if (c->o->keystore_given)
			keystore_cause(c, &t->cause);
		else
			sb_printf(&t->cause, "The client had no certificate to offer. Either its keystore holds no client "
					     "certificate, or the keystore's certificate is not issued by any of the CAs "
					     "the server accepts: Java clients (and many others) then send an empty "
					     "Certificate rather than the wrong one. Give --client-cert with the keystore's "
					     "certificate to tell the two apart.");
		return SEV_ERROR;
	}
	if (diag_app_rejection(s, app_frame)) {
		*abort_frame = diag_own_close_frame(s, SIDE_SERVER);
		sb_printf(&t->sum, "; the handshake completed, then the server sent %" PRIu64 " bytes (frame %" PRIu64,
			  s->dir[SIDE_SERVER].appdata_bytes, *app_frame);
		diag_h2_contents(&t->sum, s);
		sb_printf(&t->sum, ") and %s (frame %" PRIu64 ").",
			  s->closed_by == SIDE_SERVER ? "closed the connection" : "the connection ended", *abort_frame);
		sb_printf(&t->cause, "The server checks the client certificate after the handshake, at the application "
				     "level: a short answer and a close right after the handshake is the sign (nginx "
				     "with ssl_verify_client on answers HTTP 400 \"No required SSL certificate was "
				     "sent\").");
		and_keystore_cause(c, &t->cause);
		return SEV_ERROR;
	}
	if (!diag_handshake_done(s) && !diag_observable_until(s, SIDE_SERVER, s->last_frame + 1)) {
		/* what the server did next was lost: neither "required" nor "optional" can be told */
		sb_printf(&t->sum, "; what the server did next was not captured (from frame %" PRIu64 " on).",
			  s->dir[SIDE_SERVER].unobservable_frame);
		sb_printf(&t->cause, "If the server requires a client certificate, this is why the handshake fails; the "
				     "capture lost the server's answer (see capture-incomplete), so it cannot tell.");
		and_keystore_cause(c, &t->cause);
		return SEV_WARNING;
	}
	sb_printf(&t->sum, "; the handshake %s without one.", diag_handshake_done(s) ? "completed" : "went on");
	sb_printf(&t->cause, "The server requests but does not require a client certificate (optional client "
			     "authentication at the TLS level). If the application expects one, it may still refuse "
			     "the request later.");
	return SEV_INFO;
}

void rule_client_cert_empty(struct diag *c)
{
	const struct session *s = c->s;
	const struct chain *cc = &s->client_chain;
	if (!s->cr.present || cc->state != CHAIN_SEEN || cc->count != 0)
		return;
	struct draft t = DRAFT;
	asked_for_certificate(c, &t.sum);
	sb_printf(&t.sum, ". %s sent a Certificate of length 0 (frame %" PRIu64 ")", diag_peer(c, SIDE_CLIENT),
		  cc->frame);
	uint64_t abort_frame = 0, app_frame = 0;
	int sev = after_empty_certificate(c, &t, &abort_frame, &app_frame);
	if (sev == SEV_INFO)
		sb_printf(&t.fix, "Nothing to do if client authentication is optional; otherwise configure the client's "
				  "keystore as for a required certificate.");
	else
		sb_printf(&t.fix, "%s", fix_client_cert);
	struct finding *f = draft_add(&t, c->out, "client-cert-empty", sev, SIDE_CLIENT);
	finding_add_frame(f, s->cr.frame);
	finding_add_frame(f, cc->frame);
	finding_add_frame(f, app_frame);
	finding_add_frame(f, abort_frame);
}

void rule_client_cert_missing(struct diag *c)
{
	const struct session *s = c->s;
	if (!s->cr.present || s->tls13 || s->client_chain.state != CHAIN_ABSENT)
		return;
	if (!diag_observable_until(s, SIDE_CLIENT, s->last_frame + 1))
		return;
	uint64_t evidence = 0;
	const char *how;
	if (s->client_no_certificate_alert) {
		for (uint32_t i = 0; i < s->alerts_n; i++)
			if (s->alerts[i].from == SIDE_CLIENT && !s->alerts[i].encrypted &&
			    s->alerts[i].desc == TLS_ALERT_NO_CERTIFICATE)
				evidence = s->alerts[i].frame;
		how = "answered with an SSL 3.0 no_certificate alert";
	} else if (s->client_key_exchange) {
		evidence = s->client_key_exchange_frame;
		how = "skipped the Certificate message and went on with ClientKeyExchange";
	} else {
		return;   /* the client stopped before its turn: another finding says why */
	}
	struct draft t = DRAFT;
	asked_for_certificate(c, &t.sum);
	sb_printf(&t.sum, ". %s sent no Certificate: it %s (frame %" PRIu64 ")", diag_peer(c, SIDE_CLIENT), how,
		  evidence);
	uint64_t abort_frame = 0;
	int sev = server_verdict(c, &t.sum, "aborted", evidence, &abort_frame);
	sb_printf(&t.sum, ".");
	if (c->o->keystore_given)
		keystore_cause(c, &t.cause);
	else
		sb_printf(&t.cause, "The client has no certificate issued by an acceptable CA: either its keystore holds "
				    "none, or its certificate comes from a CA the server does not list.");
	sb_printf(&t.fix, "%s", fix_client_cert);
	struct finding *f = draft_add(&t, c->out, "client-cert-missing", sev, SIDE_CLIENT);
	finding_add_frame(f, s->cr.frame);
	finding_add_frame(f, evidence);
	finding_add_frame(f, abort_frame);
}

void rule_client_cert_issuer(struct diag *c)
{
	const struct session *s = c->s;
	if (!s->cr.present || s->cr.dn_count == 0 || !c->have_chain[SIDE_CLIENT])
		return;
	if (chain_meets_ca_list(s, c->certs[SIDE_CLIENT], c->n[SIDE_CLIENT]))
		return;
	const struct x509_cert *leaf = c->certs[SIDE_CLIENT][c->shape[SIDE_CLIENT].leaf];
	struct draft t = DRAFT;
	sb_printf(&t.sum, "%s sent a certificate (frame %" PRIu64 ") issued by %s; no certificate of its chain is issued "
			  "by one of the %" PRIu32 " CAs the server accepts (frame %" PRIu64 "): ",
		  diag_peer(c, SIDE_CLIENT), s->client_chain.frame, leaf->issuer, s->cr.dn_count, s->cr.frame);
	ca_names(&t.sum, s, NAMES_IN_SUMMARY);
	uint64_t abort_frame = 0;
	int sev = server_verdict(c, &t.sum, "rejected it", s->client_chain.frame, &abort_frame);
	sb_printf(&t.sum, ".");
	sb_printf(&t.cause, "The client's keystore holds a certificate (subject %s) from a CA the server does not trust "
			    "for client authentication.", leaf->subject);
	sb_printf(&t.fix, "Use a client certificate issued by one of the listed CAs, or add %s (the CA that issued the "
			  "client's certificate) and its chain to the server's truststore.", leaf->issuer);
	struct finding *f = draft_add(&t, c->out, "client-cert-issuer-not-requested", sev, SIDE_CLIENT);
	finding_add_frame(f, s->cr.frame);
	finding_add_frame(f, s->client_chain.frame);
	finding_add_frame(f, abort_frame);
}

/* What the requested certificate types say about a key (RFC 5246 §7.4.4). */
static bool key_type_requested(const struct session *s, const struct x509_cert *leaf)
{
	const struct cert_request *cr = &s->cr;
	if (cr->cert_types_n == 0 || s->tls13)
		return true;
	for (unsigned i = 0; i < cr->cert_types_n; i++) {
		uint8_t t = cr->cert_types[i];
		if ((t == 1 || t == 3) && (!strcmp(leaf->key_type, "RSA") || !strcmp(leaf->key_type, "RSA-PSS")))
			return true;
		if ((t == 2 || t == 4) && !strcmp(leaf->key_type, "DSA"))
			return true;
		if ((t == 64 || t == 65 || t == 66) && (!strcmp(leaf->key_type, "EC") || !strcmp(leaf->key_type, "ED25519") ||
							!strcmp(leaf->key_type, "ED448")))
			return true;
		if (t == 67 || t == 68)
			return true;   /* GOST: not judged */
	}
	return false;
}

void rule_client_cert_unsuitable(struct diag *c)
{
	const struct session *s = c->s;
	if (!c->have_chain[SIDE_CLIENT])
		return;
	const struct x509_cert *leaf = c->certs[SIDE_CLIENT][c->shape[SIDE_CLIENT].leaf];
	struct strbuf why;
	sb_init(&why);
	if (leaf->has_eku && !leaf->eku_client_auth && !leaf->eku_any)
		sb_printf(&why, "its extendedKeyUsage does not include clientAuth (TLS Web Client Authentication)");
	if (leaf->has_key_usage && !(leaf->key_usage & KU_DIGITAL_SIGNATURE))
		sb_printf(&why, "%sits keyUsage lacks digitalSignature", why.len ? "; " : "");
	if (s->cr.present && !key_type_requested(s, leaf))
		sb_printf(&why, "%sits %s key is not among the certificate types the server requested", why.len ? "; " : "",
			  leaf->key_type);
	if (!why.len) {
		sb_free(&why);
		return;
	}
	struct draft t = DRAFT;
	sb_printf(&t.sum, "The client's certificate %s (frame %" PRIu64 ") is not fit for client authentication: %s",
		  leaf->subject, s->client_chain.frame, why.p);
	sb_free(&why);
	uint64_t abort_frame = 0;
	int sev = server_verdict(c, &t.sum, "rejected it", s->client_chain.frame, &abort_frame);
	sb_printf(&t.sum, ".");
	sb_printf(&t.cause, "The certificate was issued for another purpose (often a server certificate reused as a "
			    "client certificate); servers that check the purpose refuse it (OpenSSL: unsupported "
			    "certificate purpose).");
	sb_printf(&t.fix, "Issue a client certificate with extendedKeyUsage clientAuth and keyUsage digitalSignature, "
			  "and put it in the client's keystore.");
	struct finding *f = draft_add(&t, c->out, "client-cert-unsuitable", sev, SIDE_CLIENT);
	finding_add_frame(f, s->client_chain.frame);
	finding_add_frame(f, abort_frame);
}
