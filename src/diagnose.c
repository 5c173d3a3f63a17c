/* diagnose.c - the rule table: each rule reads session facts and adds at most a few findings.
 *
 * The wording follows the support playbooks (keystore, truststore, chain
 * file, SAN, intermediate): a finding says what happened with the frames that
 * show it, the likely cause, and what to change. A rule that needs bytes the
 * capture lost stays silent; capture-incomplete says so instead.
 */
#include "diagnose.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "certcheck.h"
#include "diag.h"
#include "fmt.h"
#include "mem.h"
#include "redact.h"
#include "strbuf.h"
#include "tls_alert.h"
#include "tls_names.h"

#define DAY (24 * 3600)

/* ---- facts helpers ---- */

static int64_t judge_time(const struct diag *c, const struct chain *ch)
{
	return c->o->at_given ? c->o->at : ch->time.sec;
}

static void time_text(struct strbuf *b, const struct diag *c, const struct chain *ch)
{
	char t[32];
	x509_format_time(judge_time(c, ch), t, sizeof t);
	if (c->o->at_given)
		sb_printf(b, "time given with --at (%s)", t);
	else
		sb_printf(b, "capture time (%s, frame %" PRIu64 ")", t, ch->frame);
}

static const char *cert_role(const struct chain_shape *sh, int i)
{
	if (i == sh->leaf)
		return "certificate";
	if (sh->root_sent && i == sh->top)
		return "root CA certificate";
	return "intermediate certificate";
}

/* ---- rules ---- */

/* ---- certificate chains (both sides) ---- */

static int chain_severity(struct diag *c, int side, int otherwise, uint64_t *abort_frame)
{
	const struct chain *ch = side == SIDE_SERVER ? &c->s->server_chain : &c->s->client_chain;
	return diag_aborted_by(c->s, 1 - side, ch->frame, abort_frame) ? SEV_ERROR : otherwise;
}

void rule_chain_incomplete(struct diag *c)
{
	const struct session *s = c->s;
	if (!c->have_chain[SIDE_SERVER])
		return;
	const struct chain_shape *sh = &c->shape[SIDE_SERVER];
	struct x509_cert *top = c->certs[SIDE_SERVER][sh->top];
	if (sh->top_self_signed || !top->x)
		return;
	bool in_store = trust_has_issuer_cert(c->o->trust, top);
	if (in_store)
		return;
	/* Only a lone leaf is certainly missing its intermediate. A chain that
	 * ends at an intermediate whose issuer the trust store lacks usually
	 * needs that root in the truststore (or, less often, a second
	 * intermediate): chain-untrusted says so with OpenSSL's verdict. */
	bool leaf_only = sh->path_n == 1;
	if (!leaf_only)
		return;
	struct draft t = { 0 };
	if (leaf_only)
		sb_printf(&t.sum, "%s sent only its own certificate %s (frame %" PRIu64 "); its issuer %s was not sent",
			  diag_peer(c, SIDE_SERVER), top->subject, s->server_chain.frame, top->issuer);
	else
		sb_printf(&t.sum, "The chain %s sent (frame %" PRIu64 ") ends at %s, whose issuer %s was not sent",
			  diag_peer(c, SIDE_SERVER), s->server_chain.frame, top->subject, top->issuer);
	sb_printf(&t.sum, "%s.", c->o->trust_given ? " and is not in the trust store given" :
						  " and is not a root of the system trust store");
	uint64_t abort_frame = 0;
	int sev = chain_severity(c, SIDE_SERVER, c->o->trust_given ? SEV_ERROR : SEV_WARNING, &abort_frame);
	if (abort_frame) {
		sb_printf(&t.sum, " The client aborted with ");
		diag_describe_abort(&t.sum, s, SIDE_CLIENT, s->server_chain.frame);
		sb_printf(&t.sum, ".");
	}
	sb_printf(&t.cause, "The server's chain file holds the leaf certificate without its intermediate CA "
			    "certificate(s). Clients that trust only the root cannot build the path (browsers may "
			    "fetch or cache intermediates; Java, curl, OpenSSL and API gateways do not), and report "
			    "unknown_ca, \"unable to get local issuer certificate\" or \"peer not authenticated\".");
	sb_printf(&t.fix, "Append the intermediate certificate(s) for %s to the server's certificate file, in order leaf, "
			  "intermediate(s) (the root is not needed); e.g. nginx ssl_certificate with the full chain, "
			  "Apache SSLCertificateChainFile, a keystore entry with the whole chain.", top->issuer);
	struct finding *f = draft_add(&t, c->out, "server-chain-incomplete", sev, SIDE_SERVER);
	finding_add_frame(f, s->server_chain.frame);
	finding_add_frame(f, abort_frame);
}

void rule_chain_order(struct diag *c)
{
	int side = c->side;
	if (!c->have_chain[side] || c->shape[side].in_order)
		return;
	const struct chain *ch = side == SIDE_SERVER ? &c->s->server_chain : &c->s->client_chain;
	const struct chain_shape *sh = &c->shape[side];
	struct draft t = { 0 };
	sb_printf(&t.sum, "%s sent its certificates out of order (frame %" PRIu64 "): ", diag_peer(c, side), ch->frame);
	for (int i = 0; i < c->n[side]; i++)
		sb_printf(&t.sum, "%s[%d] %s", i ? ", " : "", i, c->certs[side][i]->x ? c->certs[side][i]->subject : "?");
	sb_printf(&t.sum, "; the path from the leaf is ");
	for (int i = 0; i < sh->path_n; i++)
		sb_printf(&t.sum, "%s[%d]", i ? " -> " : "", sh->path[i]);
	sb_printf(&t.sum, ".");
	uint64_t abort_frame = 0;
	int sev = chain_severity(c, side, SEV_WARNING, &abort_frame);
	sb_printf(&t.cause, "The chain file lists the certificates in the wrong order. TLS requires the %s's own "
			    "certificate first, then each issuer in turn; strict clients reject other orders, lenient "
			    "ones reorder.", side_name(side));
	sb_printf(&t.fix, "Order the chain file: leaf first, then the intermediate(s), each followed by its issuer "
			  "(the root may be left out).");
	struct finding *f = draft_add(&t, c->out, "chain-order", sev, side);
	finding_add_frame(f, ch->frame);
	finding_add_frame(f, abort_frame);
}

void rule_chain_root_sent(struct diag *c)
{
	int side = c->side;
	if (!c->have_chain[side] || !c->shape[side].root_sent)
		return;
	const struct chain *ch = side == SIDE_SERVER ? &c->s->server_chain : &c->s->client_chain;
	int top = c->shape[side].top;
	struct draft t = { 0 };
	sb_printf(&t.sum, "%s sent the root CA %s (certificate %d, frame %" PRIu64 ").", diag_peer(c, side),
		  c->certs[side][top]->subject, top, ch->frame);
	sb_printf(&t.cause, "Harmless but not needed: a verifier uses its own copy of the root from its truststore, "
			    "and a root it does not already trust is not trusted because it was sent.");
	sb_printf(&t.fix, "Optionally remove the root from the chain file to save bytes.");
	struct finding *f = draft_add(&t, c->out, "chain-root-sent", SEV_INFO, side);
	finding_add_frame(f, ch->frame);
}

void rule_chain_extra(struct diag *c)
{
	int side = c->side;
	if (!c->have_chain[side] || c->shape[side].extra_n == 0)
		return;
	const struct chain *ch = side == SIDE_SERVER ? &c->s->server_chain : &c->s->client_chain;
	struct draft t = { 0 };
	sb_printf(&t.sum, "%s sent %d certificate%s that belong%s to no path from its leaf (frame %" PRIu64 "): ",
		  diag_peer(c, side), c->shape[side].extra_n, c->shape[side].extra_n == 1 ? "" : "s",
		  c->shape[side].extra_n == 1 ? "s" : "", ch->frame);
	bool first = true;
	for (int i = 0; i < c->n[side]; i++) {
		if (!c->shape[side].extra[i])
			continue;
		sb_printf(&t.sum, "%s[%d] %s", first ? "" : ", ", i,
			  c->certs[side][i]->x ? c->certs[side][i]->subject : "(unparsable)");
		first = false;
	}
	sb_printf(&t.sum, ".");
	sb_printf(&t.cause, "The chain file contains certificates of another chain (an old intermediate, another "
			    "service's certificate, a cross-signed root no longer needed).");
	sb_printf(&t.fix, "Remove the unrelated certificates from the chain file; keep leaf, intermediate(s).");
	struct finding *f = draft_add(&t, c->out, "chain-extra-cert", SEV_WARNING, side);
	finding_add_frame(f, ch->frame);
}

void rule_validity(struct diag *c)
{
	int side = c->side;
	if (!c->have_chain[side])
		return;
	const struct chain *ch = side == SIDE_SERVER ? &c->s->server_chain : &c->s->client_chain;
	int64_t now = judge_time(c, ch);
	for (int i = 0; i < c->n[side]; i++) {
		const struct x509_cert *x = c->certs[side][i];
		if (!x->x || !x->has_validity)
			continue;
		const char *id;
		int sev;
		char when[32];
		struct draft t = { 0 };
		if (now > x->not_after) {
			id = "cert-expired";
			sev = SEV_ERROR;
			x509_format_time(x->not_after, when, sizeof when);
			sb_printf(&t.sum, "The %s's %s %s (certificate %d) expired on %s, %" PRId64 " day%s before the ",
				  side_name(side), cert_role(&c->shape[side], i), x->subject, i, when,
				  (now - x->not_after) / DAY, diag_plural((now - x->not_after) / DAY));
			time_text(&t.sum, c, ch);
			sb_printf(&t.sum, ".");
			sb_printf(&t.cause, "An expired certificate: every peer that verifies it rejects the handshake "
					    "(certificate_expired, \"certificate has expired\", \"peer not authenticated\"). "
					    "Behind a load balancer, one backend with an old certificate fails only some "
					    "connections.");
			sb_printf(&t.fix, "Renew the certificate and install it, with its chain, on the %s (every backend "
					  "serving this name).", side == SIDE_SERVER ? "server" : "client's keystore");
		} else if (now < x->not_before) {
			id = "cert-not-yet-valid";
			sev = SEV_ERROR;
			x509_format_time(x->not_before, when, sizeof when);
			sb_printf(&t.sum, "The %s's %s %s (certificate %d) is not valid before %s, %" PRId64 " day%s after the ",
				  side_name(side), cert_role(&c->shape[side], i), x->subject, i, when,
				  (x->not_before - now) / DAY, diag_plural((x->not_before - now) / DAY));
			time_text(&t.sum, c, ch);
			sb_printf(&t.sum, ".");
			sb_printf(&t.cause, "The certificate was issued with a start date in the future, or the clock of "
					    "the verifying host (or of the capture) is wrong. OpenSSL reports it as "
					    "\"certificate is not yet valid\" and often sends bad_certificate.");
			sb_printf(&t.fix, "Check the clocks (NTP) of client and server; otherwise reissue the certificate "
					  "with a correct notBefore.");
		} else if (c->o->expiry_warn_days > 0 && x->not_after - now < (int64_t)c->o->expiry_warn_days * DAY) {
			id = "cert-expires-soon";
			sev = SEV_WARNING;
			x509_format_time(x->not_after, when, sizeof when);
			sb_printf(&t.sum, "The %s's %s %s (certificate %d) expires on %s, %" PRId64 " day%s after the ",
				  side_name(side), cert_role(&c->shape[side], i), x->subject, i, when,
				  (x->not_after - now) / DAY, diag_plural((x->not_after - now) / DAY));
			time_text(&t.sum, c, ch);
			sb_printf(&t.sum, ".");
			sb_printf(&t.cause, "The certificate is close to its notAfter date (warning period: %d days).",
				  c->o->expiry_warn_days);
			sb_printf(&t.fix, "Renew it now and deploy the new certificate and chain before %s.", when);
		} else {
			continue;
		}
		struct finding *f = draft_add(&t, c->out, id, sev, side);
		finding_add_frame(f, ch->frame);
	}
}

void rule_self_signed(struct diag *c)
{
	int side = c->side;
	if (!c->have_chain[side])
		return;
	const struct chain_shape *sh = &c->shape[side];
	const struct x509_cert *leaf = c->certs[side][sh->leaf];
	/* a lone self-signed certificate (openssl req -x509 marks it CA:TRUE) */
	if (!leaf->self_signed || sh->path_n != 1 || c->n[side] != 1)
		return;
	const struct chain *ch = side == SIDE_SERVER ? &c->s->server_chain : &c->s->client_chain;
	/* trusted on purpose: the user's trust store holds this very certificate */
	int depth;
	if (c->o->trust_given && chain_verify(c->o->trust, c->certs[side], c->n[side], judge_time(c, ch),
					      side == SIDE_SERVER ? X509_PURPOSE_SSL_SERVER : X509_PURPOSE_SSL_CLIENT,
					      &depth) == X509_V_OK)
		return;
	struct draft t = { 0 };
	sb_printf(&t.sum, "%s sent a self-signed certificate %s (frame %" PRIu64 ").", diag_peer(c, side), leaf->subject,
		  ch->frame);
	uint64_t abort_frame = 0;
	int sev = chain_severity(c, side, SEV_WARNING, &abort_frame);
	if (abort_frame) {
		sb_printf(&t.sum, " The %s aborted with ", side_name(1 - side));
		diag_describe_abort(&t.sum, c->s, 1 - side, ch->frame);
		sb_printf(&t.sum, ".");
	}
	sb_printf(&t.cause, "No CA vouches for a self-signed certificate: peers reject it (\"self-signed certificate\", "
			    "unknown_ca, certificate_unknown) unless this very certificate is in their truststore.");
	sb_printf(&t.fix, "Replace it with a certificate issued by a CA the peers trust (a public CA, or your private "
			  "CA whose root is in their truststores), or import this certificate into every peer's "
			  "truststore.");
	struct finding *f = draft_add(&t, c->out, "cert-self-signed", sev, side);
	finding_add_frame(f, ch->frame);
	finding_add_frame(f, abort_frame);
}

/* "*.example.test covers exactly one label" when a wildcard was close. */
static void wildcard_hint(struct strbuf *b, const struct x509_cert *leaf, const char *name)
{
	for (uint32_t i = 0; i < leaf->san_n; i++) {
		const char *san = leaf->san[i];
		if (strncmp(san, "DNS:*.", 6) != 0)
			continue;
		const char *suffix = san + 5;   /* ".example.test" */
		size_t nl = strlen(name), sl = strlen(suffix);
		if (nl > sl && strcasecmp(name + nl - sl, suffix) == 0 && memchr(name, '.', nl - sl)) {
			sb_printf(b, " (%s covers exactly one label in place of the *, so not %s)", san + 4, name);
			return;
		}
	}
}

void rule_hostname(struct diag *c)
{
	const struct session *s = c->s;
	if (!c->have_chain[SIDE_SERVER])
		return;
	const char *name = c->o->hostname;
	bool from_sni = false;
	char sni[LIM_NAME_LEN + 1];
	if (!name && s->ch.has_sni && !s->ch.sni_truncated && !memchr(s->ch.sni, '\0', s->ch.sni_len)) {
		memcpy(sni, s->ch.sni, s->ch.sni_len);
		sni[s->ch.sni_len] = '\0';
		name = sni;
		from_sni = true;
	}
	if (!name)
		return;
	const struct x509_cert *leaf = c->certs[SIDE_SERVER][c->shape[SIDE_SERVER].leaf];
	if (cert_covers_host(leaf, name))
		return;
	char shown[FMT_SNI_LEN];
	fmt_sni(shown, sizeof shown, name, strlen(name));
	struct draft t = { 0 };
	sb_printf(&t.sum, "The server's certificate %s (frame %" PRIu64 ") does not cover the name %s %s: ", leaf->subject,
		  s->server_chain.frame, shown, from_sni ? "the client asked for (SNI)" : "given with --hostname");
	if (leaf->san_n) {
		sb_printf(&t.sum, "its subjectAltName is ");
		for (uint32_t i = 0; i < leaf->san_n; i++)
			sb_printf(&t.sum, "%s%s", i ? ", " : "", leaf->san[i]);
		if (!redact_names())
			wildcard_hint(&t.sum, leaf, name);
	} else {
		sb_printf(&t.sum, "it has no subjectAltName and its CN is %s", leaf->cn ? leaf->cn : "absent");
	}
	uint64_t abort_frame = 0;
	int sev = chain_severity(c, SIDE_SERVER, SEV_WARNING, &abort_frame);
	if (abort_frame) {
		sb_printf(&t.sum, ". The client aborted with ");
		diag_describe_abort(&t.sum, s, SIDE_CLIENT, s->server_chain.frame);
	}
	sb_printf(&t.sum, ".");
	sb_printf(&t.cause, "The client connects with a name the certificate was not issued for. Clients check the "
			    "subjectAltName (the CN only when there is no SAN), and a wildcard matches one left-most label "
			    "only (\"No name matching ... found\", \"hostname mismatch\").");
	sb_printf(&t.fix, "Connect with a name listed in the certificate, or reissue the certificate with %s in its "
			  "subjectAltName (a wildcard covers one level only: *.example.com does not cover a.b.example.com).",
		  shown);
	struct finding *f = draft_add(&t, c->out, "hostname-mismatch", sev, SIDE_SERVER);
	if (from_sni)
		finding_add_frame(f, s->ch.frame);
	finding_add_frame(f, s->server_chain.frame);
	finding_add_frame(f, abort_frame);
}

void rule_no_san(struct diag *c)
{
	if (!c->have_chain[SIDE_SERVER])
		return;
	const struct x509_cert *leaf = c->certs[SIDE_SERVER][c->shape[SIDE_SERVER].leaf];
	if (leaf->has_san || leaf->self_signed)
		return;
	struct draft t = { 0 };
	sb_printf(&t.sum, "The server's certificate %s (frame %" PRIu64 ") has no subjectAltName: its name is only in the "
			  "CN (%s).", leaf->subject, c->s->server_chain.frame, leaf->cn ? leaf->cn : "none");
	sb_printf(&t.cause, "RFC 6125 clients take names from the SAN; browsers, Go, Python and recent Java reject "
			    "certificates whose name is only in the CN, while OpenSSL still falls back to it.");
	sb_printf(&t.fix, "Reissue the certificate with the server's names in subjectAltName (DNS: and IP: entries).");
	struct finding *f = draft_add(&t, c->out, "cert-no-san", SEV_WARNING, SIDE_SERVER);
	finding_add_frame(f, c->s->server_chain.frame);
}

void rule_untrusted(struct diag *c)
{
	int side = c->side;
	if (!c->have_chain[side] || diag_chain_explained(c->out, side) || !c->o->trust)
		return;
	if (side == SIDE_CLIENT && !c->o->trust_given)
		return;   /* client certificates come from private CAs: only the user's store says */
	const struct chain *ch = side == SIDE_SERVER ? &c->s->server_chain : &c->s->client_chain;
	int depth = 0;
	int err = chain_verify(c->o->trust, c->certs[side], c->n[side], judge_time(c, ch),
			       side == SIDE_SERVER ? X509_PURPOSE_SSL_SERVER : X509_PURPOSE_SSL_CLIENT, &depth);
	if (err == X509_V_OK)
		return;
	/* purpose problems of a client leaf are client-cert-unsuitable's */
	if (side == SIDE_CLIENT && err == X509_V_ERR_INVALID_PURPOSE)
		return;
	struct draft t = { 0 };
	const char *reason = X509_verify_cert_error_string(err);
	uint64_t abort_frame = 0;
	int sev;
	if (c->o->trust_given) {
		sev = chain_severity(c, side, SEV_ERROR, &abort_frame);
		sb_printf(&t.sum, "The %s's chain (frame %" PRIu64 ") does not verify against the trust store given: %s "
				  "(at depth %d).", side_name(side), ch->frame, reason, depth);
		if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT)
			sb_printf(&t.cause, "The trust store has no CA that issued %s: its root (or an intermediate between "
					    "them that was not sent) is missing. A peer that verifies with this truststore "
					    "rejects the chain.",
				  c->certs[side][c->shape[side].top]->subject);
		else
			sb_printf(&t.cause, "The peer that verifies this chain with this truststore rejects it.");
	} else {
		sev = chain_severity(c, side, SEV_WARNING, &abort_frame);
		sb_printf(&t.sum, "The server's chain (frame %" PRIu64 ") is not publicly trusted: clients with default "
				  "trust stores will reject it (%s, at depth %d).", ch->frame, reason, depth);
		sb_printf(&t.cause, "The chain leads to a private or unknown root CA, which only clients that have it in "
				    "their own truststore accept. Give the trust store the client really uses with "
				    "--ca-file or --ca-path for a precise verdict.");
	}
	if (abort_frame) {
		sb_printf(&t.sum, " The %s aborted with ", side_name(1 - side));
		diag_describe_abort(&t.sum, c->s, 1 - side, ch->frame);
		sb_printf(&t.sum, ".");
	}
	int leaf = c->shape[side].leaf;
	if (leaf > 0) {
		/* the verifier takes certificate 0 as the leaf: the order, not the CA, is the fault */
		sb_free(&t.cause);   /* replaces the trust-store explanation */
		sb_printf(&t.cause, "The %s sent %s first, not its own certificate (certificate %d, %s): the peer takes the "
				    "first certificate as the %s's own and rejects it (see chain-order).",
			  side_name(side), c->certs[side][0]->subject, leaf, c->certs[side][leaf]->subject,
			  side_name(side));
		sb_printf(&t.fix, "Put the %s's own certificate first in its chain file, then its issuers.",
			  side_name(side));
	} else {
		sb_printf(&t.fix, "Import the root CA of this chain into the %s's truststore, or use a certificate from a CA "
				  "it already trusts; make sure the intermediates are sent.",
			  side == SIDE_SERVER ? "client" : "server");
	}
	struct finding *f = draft_add(&t, c->out, "chain-untrusted", sev, side);
	finding_add_frame(f, ch->frame);
	finding_add_frame(f, abort_frame);
}

void rule_weak(struct diag *c)
{
	int side = c->side;
	if (!c->have_chain[side])
		return;
	const struct chain *ch = side == SIDE_SERVER ? &c->s->server_chain : &c->s->client_chain;
	for (int i = 0; i < c->n[side]; i++) {
		const struct x509_cert *x = c->certs[side][i];
		for (int k = 0; k < 2; k++) {
			bool weak = k == 0 ? cert_weak_signature(x) : cert_weak_key(x);
			if (!weak)
				continue;
			struct draft t = { 0 };
			uint64_t abort_frame = 0;
			int sev = chain_severity(c, side, SEV_WARNING, &abort_frame);
			if (k == 0) {
				sb_printf(&t.sum, "The %s's %s %s (certificate %d, frame %" PRIu64 ") is signed with %s (%s).",
					  side_name(side), cert_role(&c->shape[side], i), x->subject, i, ch->frame,
					  cert_sig_digest_name(x), x->sig_alg);
				sb_printf(&t.cause, "MD5 and SHA-1 signatures can be forged; OpenSSL 3 at its default "
						    "security level, Java and browsers reject them (OpenSSL clients send "
						    "bad_certificate: \"ca md too weak\").");
				sb_printf(&t.fix, "Reissue the certificate with a SHA-256 (or stronger) signature.");
			} else {
				sb_printf(&t.sum, "The %s's %s %s (certificate %d, frame %" PRIu64 ") has a %s key of %u bits.",
					  side_name(side), cert_role(&c->shape[side], i), x->subject, i, ch->frame,
					  x->key_type, x->key_bits);
				sb_printf(&t.cause, "Keys this small are below current minimums (RSA 2048, EC 224 bits); "
						    "OpenSSL 3 at its default security level rejects them (\"ee key too "
						    "small\").");
				sb_printf(&t.fix, "Reissue the certificate with an RSA key of at least 2048 bits or an EC "
						  "P-256 key.");
			}
			if (abort_frame) {
				sb_printf(&t.sum, " The %s aborted with ", side_name(1 - side));
				diag_describe_abort(&t.sum, c->s, 1 - side, ch->frame);
				sb_printf(&t.sum, ".");
			}
			struct finding *f = draft_add(&t, c->out, k == 0 ? "weak-signature" : "weak-key", sev, side);
			finding_add_frame(f, ch->frame);
			finding_add_frame(f, abort_frame);
		}
	}
}

/* ---- the table ---- */

/* In the order the rules run, which is the order of their findings within
 * a severity: a later rule reads what the earlier ones found (chain-untrusted
 * stays silent when a specific chain finding explains the failure, an alert
 * names the chain findings, handshake-aborted speaks only when no other error
 * does). */
static const struct rule_info rules[] = {
	{ "capture-incomplete", "warning", RULE_EITHER,
	  "bytes of the handshake were not captured; dependent findings are withheld", rule_capture_incomplete },
	{ "not-tls", "error", RULE_EITHER, "one side does not speak TLS", rule_not_tls },
	{ "no-server-hello", "error|warning", RULE_SERVER, "the server never answered the ClientHello",
	  rule_no_server_hello },
	{ "version-or-cipher-mismatch", "error", RULE_EITHER, "no protocol version or cipher suite in common",
	  rule_version_or_cipher },
	{ "client-cert-empty", "error|warning|info", RULE_CLIENT,
	  "CertificateRequest answered with an empty client Certificate", rule_client_cert_empty },
	{ "client-cert-missing", "error|warning", RULE_CLIENT,
	  "CertificateRequest not answered with any client Certificate", rule_client_cert_missing },
	{ "client-cert-issuer-not-requested", "error|warning", RULE_CLIENT,
	  "the client's chain is not issued by any acceptable CA", rule_client_cert_issuer },
	{ "client-cert-unsuitable", "error|warning", RULE_CLIENT,
	  "the client certificate lacks clientAuth, a usable key usage or key type", rule_client_cert_unsuitable },
	{ "server-chain-incomplete", "error|warning", RULE_SERVER,
	  "an intermediate certificate is missing from the server's chain", rule_chain_incomplete },
	{ "cert-expired", "error", RULE_EACH, "a certificate had expired at capture time", rule_validity },
	{ "cert-not-yet-valid", "error", RULE_EACH, "a certificate was not yet valid at capture time", rule_validity },
	{ "cert-expires-soon", "warning", RULE_EACH, "a certificate expires within the warning period", rule_validity },
	{ "cert-self-signed", "error|warning", RULE_EACH, "a self-signed leaf certificate", rule_self_signed },
	{ "chain-order", "error|warning", RULE_EACH, "certificates not in leaf -> issuer order", rule_chain_order },
	{ "chain-extra-cert", "warning", RULE_EACH, "a certificate that belongs to no path from the leaf",
	  rule_chain_extra },
	{ "chain-root-sent", "info", RULE_EACH, "the root CA is sent (harmless, not needed)", rule_chain_root_sent },
	{ "weak-signature", "error|warning", RULE_EACH, "a certificate signed with MD5 or SHA-1", rule_weak },
	{ "weak-key", "error|warning", RULE_EACH, "an RSA/DSA key below 2048 bits or an EC key below 224 bits",
	  rule_weak },
	{ "hostname-mismatch", "error|warning", RULE_SERVER, "the SNI or --hostname is not covered by the leaf's SAN",
	  rule_hostname },
	{ "cert-no-san", "warning", RULE_SERVER, "a certificate without subjectAltName (name only in the CN)",
	  rule_no_san },
	{ "chain-untrusted", "error|warning", RULE_EACH, "the chain does not verify against the trust store",
	  rule_untrusted },
	{ "deprecated-version", "warning", RULE_CONNECTION, "SSL 3.0, TLS 1.0 or TLS 1.1 negotiated",
	  rule_deprecated_version },
	{ "no-sni", "warning|info", RULE_CLIENT, "the ClientHello carries no server_name", rule_no_sni },
	{ "tls13-certificates-encrypted", "info", RULE_CONNECTION, "TLS 1.3 hides certificates and later alerts",
	  rule_tls13_encrypted },
	{ "renegotiation", "warning|info", RULE_CONNECTION, "a second handshake on an established connection",
	  rule_renegotiation },
	{ "alert", "error|warning|info", RULE_EITHER, "an alert, with its sender and likely cause", rule_alerts },
	{ "handshake-aborted", "error", RULE_EITHER,
	  "the handshake failed without an alert or other finding that explains it", rule_handshake_aborted },
};

#define N_RULES (sizeof rules / sizeof rules[0])

const struct rule_info *diagnose_catalogue(size_t *n)
{
	*n = N_RULES;
	return rules;
}

/* Rows that share a rule (one rule writes several ids) run it once. */
static bool first_row_of_rule(size_t i)
{
	return i == 0 || rules[i].run != rules[i - 1].run;
}

void diagnose_session(const struct session *s, const struct diag_opts *o, struct finding_list *out)
{
	struct diag c;
	diag_init(&c, s, o, out);
	for (size_t i = 0; i < N_RULES; i++) {
		if (!first_row_of_rule(i))
			continue;
		if (rules[i].side != RULE_EACH) {
			rules[i].run(&c);
		} else {
			/* rows run per side one after the other judge the client's chain whole, then the server's */
			size_t end = i;
			while (end < N_RULES && rules[end].side == RULE_EACH)
				end++;
			for (c.side = SIDE_CLIENT; c.side <= SIDE_SERVER; c.side++)
				for (size_t k = i; k < end; k++)
					if (first_row_of_rule(k))
						rules[k].run(&c);
			i = end - 1;
		}
		/* a connection that does not speak TLS has nothing more to judge */
		if (rules[i].run == rule_not_tls && s->outcome == OUTCOME_NOT_TLS)
			break;
	}
}
