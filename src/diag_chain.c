/* diag_chain.c - the chain checks of captures and --check-bundle (RFC 5246 §7.4.2, RFC 5280, RFC 6125).
 *
 * One function per check, over certificate facts (struct chain_view): the
 * same conditions and severities for a chain a peer sent and for a bundle
 * about to be uploaded. A capture's findings cite frames and say whether
 * the other side then aborted (an error); a bundle's cite certificate and
 * line numbers. The rule_* functions at the end are the capture's rows of
 * the rule table.
 */
#include "diag_chain.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "clockskew.h"
#include "diag.h"
#include "fmt.h"
#include "redact.h"
#include "tls_alert.h"

#define DAY (24 * 3600)

static bool in_file(const struct chain_view *v)
{
	return v->c == NULL;
}

/* mTLS has two verifiers: the client's store (--ca-file, else the system's)
 * checks the server's chain and a bundle, the server's (--client-ca-file)
 * a client's chain. NULL: no store for that side. */
static X509_STORE *store_of(const struct chain_view *v)
{
	return v->side == SIDE_CLIENT && !in_file(v) ? v->o->client_trust : v->o->trust;
}

static bool store_given(const struct chain_view *v)
{
	return v->side == SIDE_CLIENT && !in_file(v) ? v->o->client_trust_given : v->o->trust_given;
}

/* In a capture, an error when the other side aborted after the chain (its
 * frame in *abort_frame); otherwise the check's own severity. */
static int severity(const struct chain_view *v, int otherwise, uint64_t *abort_frame)
{
	*abort_frame = 0;
	if (!in_file(v) && diag_aborted_by(v->c->s, 1 - v->side, v->frame, abort_frame))
		return SEV_ERROR;
	return otherwise;
}

/* " The client aborted with fatal alert bad_certificate (frame 8)." */
static void abort_tail(struct strbuf *b, const struct chain_view *v, uint64_t abort_frame)
{
	if (!abort_frame)
		return;
	sb_printf(b, " The %s aborted with ", side_name(1 - v->side));
	diag_describe_abort(b, v->c->s, 1 - v->side, v->frame);
	sb_printf(b, ".");
}

static struct finding *add(struct draft *t, struct finding_list *out, const char *id, int sev,
			   const struct chain_view *v, uint64_t abort_frame)
{
	struct finding *f = draft_add(t, out, id, sev, v->side);
	finding_add_frame(f, v->frame);   /* 0 for a bundle: no frame */
	finding_add_frame(f, abort_frame);
	return f;
}

/* What the sender (a peer, or the bundle file) is called at the start of a sentence. */
static void holder(struct strbuf *b, const struct chain_view *v)
{
	if (in_file(v))
		sb_printf(b, "The bundle");
	else
		sb_printf(b, "%s", diag_peer(v->c, v->side));
}

void chain_file_ref(struct strbuf *b, const struct chain_view *v, int i)
{
	if (v->line && v->line[i])
		sb_printf(b, "certificate %d, line %" PRIu32, i, v->line[i]);
	else
		sb_printf(b, "certificate %d", i);
}

static const char *role(const struct chain_view *v, int i)
{
	if (in_file(v) && !v->has_leaf)
		return "CA certificate";
	if (i == v->sh->leaf)
		return in_file(v) ? "server certificate" : "certificate";
	if (v->sh->root_sent && i == v->sh->top)
		return "root CA certificate";
	if (in_file(v) && v->sh->extra[i])
		return "unrelated certificate";
	return "intermediate certificate";
}

enum ref { REF_INDEX, REF_INDEX_FRAME, REF_FRAME };

/* "The server's intermediate certificate CN=X (certificate 1, frame 6)";
 * in a bundle "The intermediate certificate CN=X (certificate 1, line 23)". */
static void cert_phrase(struct strbuf *b, const struct chain_view *v, int i, enum ref ref)
{
	const struct x509_cert *x = v->certs[i];
	if (in_file(v)) {
		sb_printf(b, "The %s %s (", role(v, i), x->subject);
		chain_file_ref(b, v, i);
	} else {
		sb_printf(b, "The %s's %s %s (", side_name(v->side), role(v, i), x->subject);
		if (ref != REF_FRAME)
			sb_printf(b, "certificate %d%s", i, ref == REF_INDEX_FRAME ? ", " : "");
		if (ref != REF_INDEX)
			sb_printf(b, "frame %" PRIu64, v->frame);
	}
	sb_printf(b, ")");
}

/* "the capture time (T, frame F)", "now (T)", "the time given with --at (T)" */
static void time_phrase(struct strbuf *b, const struct chain_view *v)
{
	char t[32];
	x509_format_time(v->at, t, sizeof t);
	if (v->o->at_given)
		sb_printf(b, "the time given with --at (%s)", t);
	else if (in_file(v))
		sb_printf(b, "now (%s)", t);
	else
		sb_printf(b, "the capture time (%s, frame %" PRIu64 ")", t, v->frame);
}

static int purpose(const struct chain_view *v)
{
	return v->side == SIDE_SERVER ? X509_PURPOSE_SSL_SERVER : X509_PURPOSE_SSL_CLIENT;
}

/* ---- the chain's shape ---- */

static void incomplete_in_capture(const struct chain_view *v, const struct x509_cert *top, struct draft *t)
{
	sb_printf(&t->sum, "%s sent only its own certificate %s (frame %" PRIu64 "); its issuer %s was not sent%s.",
		  diag_peer(v->c, v->side), top->subject, v->frame, top->issuer,
		  v->o->trust_given ? " and is not in the trust store given"
				    : " and is not a root of the system trust store");
	sb_printf(&t->cause, "The server's chain file holds the leaf certificate without its intermediate CA "
			     "certificate(s). Clients that trust only the root cannot build the path (browsers may "
			     "fetch or cache intermediates; Java, curl, OpenSSL and API gateways do not), and report "
			     "unknown_ca, \"unable to get local issuer certificate\" or \"peer not authenticated\".");
	sb_printf(&t->fix, "Append the intermediate certificate(s) for %s to the server's certificate file, in order "
			   "leaf, intermediate(s) (the root is not needed); e.g. nginx ssl_certificate with the full "
			   "chain, Apache SSLCertificateChainFile, a keystore entry with the whole chain.", top->issuer);
}

/* A bundle is checked before anyone verifies it: its top's issuer is
 * either a missing intermediate or a private root, and a warning says both. */
static void incomplete_in_file(const struct chain_view *v, int sev, struct draft *t)
{
	int top_i = v->sh->top;
	const struct x509_cert *top = v->certs[top_i];
	bool leaf_only = v->sh->path_n == 1;
	if (leaf_only)
		sb_printf(&t->sum, "The bundle holds only the server certificate %s (", top->subject);
	else
		sb_printf(&t->sum, "The chain in the bundle ends at %s (", top->subject);
	chain_file_ref(&t->sum, v, top_i);
	sb_printf(&t->sum, leaf_only ? "); its issuer %s is not in the bundle%s."
				     : "), whose issuer %s is not in the bundle%s.",
		  top->issuer, v->o->trust_given ? " and not in the trust store given"
						 : " and not a root of the system trust store");
	if (v->file_problems)
		sb_printf(&t->sum, " A block that could not be read (see bundle-parse-error) may be the missing one.");
	if (sev == SEV_WARNING) {
		sb_printf(&t->cause, "Either an intermediate certificate between %s and a public root is missing, or %s "
				     "is a private root CA that only clients with it in their truststore accept. Clients "
				     "that trust only the root cannot build the path (browsers may fetch intermediates; "
				     "Java, curl, OpenSSL and API gateways do not) and report unknown_ca, \"unable to get "
				     "local issuer certificate\" or \"peer not authenticated\".", top->subject, top->issuer);
		sb_printf(&t->fix, "If %s is an intermediate CA, append its certificate (and any intermediate above it) "
				   "after the last certificate of the bundle; if it is your private root, check the bundle "
				   "against it with --ca-file ROOT.pem.", top->issuer);
		return;
	}
	sb_printf(&t->cause, "The bundle holds the %s without the intermediate CA certificate(s) that link it to a "
			     "root. Clients that trust only the root cannot build the path (browsers may fetch or "
			     "cache intermediates; Java, curl, OpenSSL and API gateways do not), and report "
			     "unknown_ca, \"unable to get local issuer certificate\" or \"peer not authenticated\".",
		  leaf_only ? "server certificate" : "chain's top certificate");
	sb_printf(&t->fix, "Append the certificate of %s (and any intermediate above it) to the bundle, in the order "
			   "leaf, intermediate(s); the root is not needed. The CA's download page has it.", top->issuer);
}

void chain_check_incomplete(const struct chain_view *v, struct finding_list *out)
{
	struct x509_cert *top = v->certs[v->sh->top];
	bool leaf_only = v->sh->path_n == 1;
	if (v->sh->top_self_signed || !top->x)
		return;
	/* A bundle is judged against a trust store only. In a capture only a
	 * lone leaf is certainly missing its intermediate: a chain that ends at
	 * an intermediate whose issuer the trust store lacks usually needs that
	 * root in the truststore (or, less often, a second intermediate), and
	 * chain-untrusted says so with OpenSSL's verdict. */
	if (in_file(v) ? !v->o->trust : !leaf_only)
		return;
	if (trust_has_issuer_cert(v->o->trust, top))
		return;
	struct draft t = DRAFT;
	uint64_t abort_frame = 0;
	int sev;
	if (in_file(v)) {
		sev = v->o->trust_given || leaf_only ? SEV_ERROR : SEV_WARNING;
		incomplete_in_file(v, sev, &t);
	} else {
		sev = severity(v, v->o->trust_given ? SEV_ERROR : SEV_WARNING, &abort_frame);
		incomplete_in_capture(v, top, &t);
		abort_tail(&t.sum, v, abort_frame);
	}
	add(&t, out, "server-chain-incomplete", sev, v, abort_frame);
}

void chain_cert_list(struct strbuf *b, const struct chain_view *v)
{
	for (int i = 0; i < v->n; i++) {
		sb_printf(b, "%s[%d] %s", i ? ", " : "", i, v->certs[i]->x ? v->certs[i]->subject : "?");
		if (v->line && v->line[i])
			sb_printf(b, " (line %" PRIu32 ")", v->line[i]);
	}
}

void chain_check_order(const struct chain_view *v, struct finding_list *out)
{
	if (v->sh->in_order)
		return;
	struct draft t = DRAFT;
	holder(&t.sum, v);
	if (in_file(v))
		sb_printf(&t.sum, " lists its certificates out of order: ");
	else
		sb_printf(&t.sum, " sent its certificates out of order (frame %" PRIu64 "): ", v->frame);
	chain_cert_list(&t.sum, v);
	sb_printf(&t.sum, "; the path from the leaf is ");
	for (int i = 0; i < v->sh->path_n; i++)
		sb_printf(&t.sum, "%s[%d]", i ? " -> " : "", v->sh->path[i]);
	sb_printf(&t.sum, ".");
	uint64_t abort_frame;
	int sev = severity(v, SEV_WARNING, &abort_frame);
	sb_printf(&t.cause, "The chain file lists the certificates in the wrong order. TLS requires the %s's own "
			    "certificate first, then each issuer in turn; strict clients reject other orders, lenient "
			    "ones reorder.", side_name(v->side));
	sb_printf(&t.fix, "Order the chain file: leaf first, then the intermediate(s), each followed by its issuer "
			  "(the root may be left out)%s", in_file(v) ? ": cat leaf.pem intermediate.pem > bundle.pem" : ".");
	add(&t, out, "chain-order", sev, v, abort_frame);
}

/* "[2] CN=x", or in a bundle "CN=x (certificate 2, line 40, a second copy of certificate 0)" */
static void extra_cert(struct strbuf *b, const struct chain_view *v, int i, bool first)
{
	const struct x509_cert *x = v->certs[i];
	if (!in_file(v)) {
		sb_printf(b, "%s[%d] %s", first ? "" : ", ", i, x->x ? x->subject : "(unparsable)");
		return;
	}
	sb_printf(b, "%s%s (", first ? "" : "; ", x->subject);
	chain_file_ref(b, v, i);
	for (int k = 0; k < i; k++) {
		if (v->certs[k] == x) {   /* the cache shares identical DER */
			sb_printf(b, ", a second copy of certificate %d", k);
			break;
		}
	}
	sb_printf(b, ")");
}

void chain_check_extra(const struct chain_view *v, struct finding_list *out)
{
	int n = v->sh->extra_n;
	if (n == 0)
		return;
	struct draft t = DRAFT;
	holder(&t.sum, v);
	sb_printf(&t.sum, " %s %d certificate%s that belong%s to no path from its leaf", in_file(v) ? "holds" : "sent", n,
		  diag_plural(n), n == 1 ? "s" : "");
	if (!in_file(v))
		sb_printf(&t.sum, " (frame %" PRIu64 ")", v->frame);
	sb_printf(&t.sum, ": ");
	bool first = true;
	for (int i = 0; i < v->n; i++) {
		if (!v->sh->extra[i])
			continue;
		extra_cert(&t.sum, v, i, first);
		first = false;
	}
	sb_printf(&t.sum, ".");
	sb_printf(&t.cause, "The chain file contains certificates of another chain (an old intermediate, another "
			    "service's certificate, a cross-signed root no longer needed).");
	sb_printf(&t.fix, "Remove the unrelated certificates from the chain file; keep leaf, intermediate(s).");
	add(&t, out, "chain-extra-cert", SEV_WARNING, v, 0);
}

void chain_check_root_sent(const struct chain_view *v, struct finding_list *out)
{
	if (!v->sh->root_sent)
		return;
	int top = v->sh->top;
	struct draft t = DRAFT;
	holder(&t.sum, v);
	sb_printf(&t.sum, " %s the root CA %s (", in_file(v) ? "includes" : "sent", v->certs[top]->subject);
	if (in_file(v))
		chain_file_ref(&t.sum, v, top);
	else
		sb_printf(&t.sum, "certificate %d, frame %" PRIu64, top, v->frame);
	sb_printf(&t.sum, ").");
	sb_printf(&t.cause, "Harmless but not needed: a verifier uses its own copy of the root from its truststore, "
			    "and a root it does not already trust is not trusted because it was sent.");
	sb_printf(&t.fix, "Optionally remove the root from the chain file to save bytes.");
	add(&t, out, "chain-root-sent", SEV_INFO, v, 0);
}

/* ---- each certificate ---- */

/* "... expired on W, 3 days before the capture time (T, frame 6)." */
static void validity_sum(struct strbuf *b, const struct chain_view *v, int i, const char *what, int64_t when,
			 int64_t days, const char *relation)
{
	char w[32];
	x509_format_time(when, w, sizeof w);
	cert_phrase(b, v, i, REF_INDEX);
	sb_printf(b, " %s %s, %" PRId64 " day%s %s ", what, w, days, diag_plural(days), relation);
	time_phrase(b, v);
	sb_printf(b, ".");
}

/* The capture's clock offset learned from all its completed handshakes
 * (clockskew.h), 0: none (a bundle, --at, or no proof). */
static int64_t capture_offset(const struct chain_view *v)
{
	return in_file(v) || v->o->at_given ? 0 : clockskew_offset(v->o->clock);
}

/* One certificate's validity at v->at: a finding, or none (-1). */
static int validity_of(const struct chain_view *v, int i, struct draft *t, const char **id)
{
	const struct x509_cert *x = v->certs[i];
	int64_t now = v->at;
	char when[32];
	if (now > x->not_after) {
		*id = "cert-expired";
		validity_sum(&t->sum, v, i, "expired on", x->not_after, (now - x->not_after) / DAY, "before");
		sb_printf(&t->cause, "An expired certificate: every peer that verifies it rejects the handshake "
				     "(certificate_expired, \"certificate has expired\", \"peer not authenticated\").%s",
			  in_file(v) ? "" : " Behind a load balancer, one backend with an old certificate fails only some "
					    "connections.");
		if (in_file(v))
			sb_printf(&t->fix, "Renew the certificate and upload the new one with its chain (to every server "
					   "or load balancer serving this name).");
		else
			sb_printf(&t->fix, "Renew the certificate and install it, with its chain, on the %s (every backend "
					   "serving this name).", v->side == SIDE_SERVER ? "server" : "client's keystore");
		return SEV_ERROR;
	}
	if (now < x->not_before) {
		*id = "cert-not-yet-valid";
		validity_sum(&t->sum, v, i, "is not valid before", x->not_before, (x->not_before - now) / DAY, "after");
		int64_t learned = capture_offset(v);
		if (learned)
			sb_printf(&t->sum, " Nor by the capture's clock corrected by the %" PRId64 " day%s (%" PRId64
					   " s) the completed handshakes show it is behind (Clock, at the top).",
				  learned / DAY, diag_plural(learned / DAY), learned);
		sb_printf(&t->cause, "The certificate was issued with a start date in the future, or the clock of %s is "
				     "wrong. OpenSSL reports it as \"certificate is not yet valid\" and often sends "
				     "bad_certificate.",
			  in_file(v) ? "the host that made or checks it" : "the verifying host (or of the capture)");
		x509_format_time(x->not_before, when, sizeof when);
		if (in_file(v))
			sb_printf(&t->fix, "Wait until %s, check the clocks (NTP), or reissue the certificate with a "
					   "correct notBefore.", when);
		else
			sb_printf(&t->fix, "Check the clocks (NTP) of client and server; otherwise reissue the certificate "
					   "with a correct notBefore.");
		return SEV_ERROR;
	}
	int warn = v->o->expiry_warn_days;
	if (warn > 0 && x->not_after - now < (int64_t)warn * DAY) {
		*id = "cert-expires-soon";
		validity_sum(&t->sum, v, i, "expires on", x->not_after, (x->not_after - now) / DAY, "after");
		x509_format_time(x->not_after, when, sizeof when);
		sb_printf(&t->cause, "The certificate is close to its notAfter date (warning period: %d days).", warn);
		sb_printf(&t->fix, "Renew it now and deploy the new certificate and chain before %s.", when);
		return SEV_WARNING;
	}
	return -1;
}

/* A handshake that completed although certificates were not yet valid at
 * capture time: the peer that accepted them had a later clock, so the
 * capture's clock is the suspect. *offset: how far ahead it must be for all
 * of them to be valid. (With --at the user chose the time: no suspicion.) */
static bool clock_suspect(const struct chain_view *v, int64_t *offset)
{
	/* the capture-wide offset, when learned, is said once for the report */
	if (in_file(v) || v->o->at_given || capture_offset(v) || !diag_handshake_done(v->c->s))
		return false;
	*offset = 0;
	for (int i = 0; i < v->n; i++) {
		const struct x509_cert *x = v->certs[i];
		if (x->x && x->has_validity && v->at < x->not_before && x->not_before - v->at > *offset)
			*offset = x->not_before - v->at;
	}
	return *offset > 0;
}

static void clock_finding(const struct chain_view *v, int64_t offset, struct finding_list *out)
{
	struct draft t = DRAFT;
	char at[32];
	x509_format_time(v->at, at, sizeof at);
	sb_printf(&t.sum, "The %s's certificates (frame %" PRIu64 ") were not yet valid at the capture's time (%s), yet "
			  "the handshake completed: the capture's clock would have to be %" PRId64 " day%s (%" PRId64
			  " s) later for them to be valid.", side_name(v->side), v->frame, at, (offset + DAY - 1) / DAY,
		  diag_plural((offset + DAY - 1) / DAY), offset);
	sb_printf(&t.cause, "The peer that accepted the chain saw a later time than the capture's timestamps: the "
			    "clock of the capturing host is the suspect (or the peer does not check validity), not the "
			    "certificates.");
	sb_printf(&t.fix, "Check the capturing host's clock; to judge validity at another time, give --at TIME "
			  "(--at now: the time of this run).");
	add(&t, out, "capture-clock-suspect", SEV_INFO, v, 0);
}

void chain_check_validity(const struct chain_view *v, struct finding_list *out)
{
	int64_t offset;
	bool skewed = clock_suspect(v, &offset);
	if (skewed)
		clock_finding(v, offset, out);
	for (int i = 0; i < v->n; i++) {
		const struct x509_cert *x = v->certs[i];
		if (!x->x || !x->has_validity)
			continue;
		if (skewed && v->at < x->not_before)
			continue;   /* judged by the capture's clock only, which is the suspect */
		if (capture_offset(v) && clockskew_covers(v->o->clock, v->at, x->not_before))
			continue;   /* valid by the capture's clock corrected, as the completed handshakes show */
		struct draft t = DRAFT;
		const char *id = NULL;
		int sev = validity_of(v, i, &t, &id);
		if (sev < 0)
			draft_free(&t);
		else
			add(&t, out, id, sev, v, 0);
	}
}

static void weak_finding(const struct chain_view *v, int i, bool key, struct finding_list *out)
{
	const struct x509_cert *x = v->certs[i];
	struct draft t = DRAFT;
	cert_phrase(&t.sum, v, i, REF_INDEX_FRAME);
	if (!key) {
		sb_printf(&t.sum, " is signed with %s (%s).", cert_sig_digest_name(x), x->sig_alg);
		sb_printf(&t.cause, "MD5 and SHA-1 signatures can be forged. OpenSSL 3 clients at their default "
				    "security level (curl, openssl s_client) reject them (\"CA signature digest algorithm "
				    "too weak\", alert bad_certificate), and so do browsers; Java 17 rejects SHA-1 only in "
				    "chains to the root CAs the JDK ships (jdk.certpath.disabledAlgorithms: SHA1 jdkCA), so "
				    "a private CA's SHA-1 certificate still passes there.");
		sb_printf(&t.fix, "Reissue the certificate with a SHA-256 (or stronger) signature.");
	} else {
		if (in_file(v))
			sb_printf(&t.sum, " has a %" PRIu32 "-bit %s key.", x->key_bits, x->key_type);
		else
			sb_printf(&t.sum, " has a %s key of %u bits.", x->key_type, x->key_bits);
		sb_printf(&t.cause, "Keys this small are below current minimums (RSA 2048, EC 224 bits). OpenSSL 3 "
				    "clients at their default security level (curl, openssl s_client) reject them (\"EE "
				    "certificate key too weak\"), and OpenSSL servers refuse to load them (\"ee key too "
				    "small\"); Java 17 accepts RSA keys from 1024 bits (jdk.certpath.disabledAlgorithms: "
				    "RSA keySize < 1024).");
		sb_printf(&t.fix, "Reissue the certificate with an RSA key of at least 2048 bits or an EC P-256 key%s",
			  in_file(v) ? " (a new key, and a new CSR)." : ".");
	}
	uint64_t abort_frame;
	int sev = severity(v, SEV_WARNING, &abort_frame);
	abort_tail(&t.sum, v, abort_frame);
	add(&t, out, key ? "weak-key" : "weak-signature", sev, v, abort_frame);
}

void chain_check_weak(const struct chain_view *v, struct finding_list *out)
{
	for (int i = 0; i < v->n; i++) {
		if (cert_weak_signature(v->certs[i]))
			weak_finding(v, i, false, out);
		if (cert_weak_key(v->certs[i]))
			weak_finding(v, i, true, out);
	}
}

/* ---- the leaf ---- */

void chain_check_self_signed(const struct chain_view *v, struct finding_list *out)
{
	const struct x509_cert *leaf = v->certs[v->sh->leaf];
	/* a lone self-signed certificate, whether or not it calls itself a CA
	 * (openssl req -x509 marks it CA:TRUE); a capture judges one sent alone */
	if (!leaf->self_signed || v->sh->path_n != 1 || (!in_file(v) && v->n != 1))
		return;
	/* trusted on purpose: the user's trust store holds this very certificate */
	int depth;
	if (store_given(v) && chain_verify(store_of(v), v->vcerts, v->vn, v->at, purpose(v), &depth) == X509_V_OK)
		return;
	struct draft t = DRAFT;
	if (in_file(v)) {
		cert_phrase(&t.sum, v, v->sh->leaf, REF_INDEX);
		sb_printf(&t.sum, " is self-signed.");
	} else {
		sb_printf(&t.sum, "%s sent a self-signed certificate %s (frame %" PRIu64 ").", diag_peer(v->c, v->side),
			  leaf->subject, v->frame);
	}
	uint64_t abort_frame;
	int sev = severity(v, SEV_WARNING, &abort_frame);
	abort_tail(&t.sum, v, abort_frame);
	const char *who = in_file(v) ? "client" : "peer";
	sb_printf(&t.cause, "No CA vouches for a self-signed certificate: %ss reject it (\"self-signed certificate\", "
			    "unknown_ca, certificate_unknown%s) unless this very certificate is in their truststore.",
		  who, in_file(v) ? ", \"peer not authenticated\"" : "");
	sb_printf(&t.fix, "Replace it with a certificate issued by a CA the %ss trust (a public CA, or your private CA "
			  "whose root is in their truststores), or import this certificate into every %s's truststore.",
		  who, who);
	add(&t, out, "cert-self-signed", sev, v, abort_frame);
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

void chain_check_hostname(const struct chain_view *v, const char *hostname, uint64_t sni_frame,
			  struct finding_list *out)
{
	const struct x509_cert *leaf = v->certs[v->sh->leaf];
	if (!hostname || cert_covers_host(leaf, hostname))
		return;
	char shown[FMT_SNI_LEN];
	fmt_sni(shown, sizeof shown, hostname, strlen(hostname));
	struct draft t = DRAFT;
	cert_phrase(&t.sum, v, v->sh->leaf, REF_FRAME);
	sb_printf(&t.sum, " does not cover the name %s %s: ", shown,
		  sni_frame ? "the client asked for (SNI)" : "given with --hostname");
	if (leaf->san_n) {
		sb_printf(&t.sum, "its subjectAltName is ");
		for (uint32_t i = 0; i < leaf->san_n; i++)
			sb_printf(&t.sum, "%s%s", i ? ", " : "", leaf->san[i]);
		if (!redact_names())
			wildcard_hint(&t.sum, leaf, hostname);
	} else {
		sb_printf(&t.sum, "it has no subjectAltName and its CN is %s", leaf->cn ? leaf->cn : "absent");
	}
	sb_printf(&t.sum, ".");
	uint64_t abort_frame;
	int sev = severity(v, in_file(v) ? SEV_ERROR : SEV_WARNING, &abort_frame);
	abort_tail(&t.sum, v, abort_frame);
	sb_printf(&t.cause, "%s the subjectAltName (the CN only when there is no SAN), and a wildcard matches one "
			    "left-most label only (\"No name matching ... found\", \"hostname mismatch\").",
		  in_file(v) ? "Clients that connect with this name reject the certificate. They check"
			     : "The client connects with a name the certificate was not issued for. Clients check");
	if (in_file(v))
		sb_printf(&t.fix, "Reissue the certificate with %s in its subjectAltName (a wildcard covers one level only: "
				  "*.example.com does not cover a.b.example.com), or have clients use a name it lists.",
			  shown);
	else
		sb_printf(&t.fix, "Connect with a name listed in the certificate, or reissue the certificate with %s in its "
				  "subjectAltName (a wildcard covers one level only: *.example.com does not cover "
				  "a.b.example.com).", shown);
	struct finding *f = add(&t, out, "hostname-mismatch", sev, v, abort_frame);
	finding_add_frame(f, sni_frame);
}

void chain_check_no_san(const struct chain_view *v, struct finding_list *out)
{
	const struct x509_cert *leaf = v->certs[v->sh->leaf];
	if (leaf->has_san || leaf->self_signed)
		return;
	struct draft t = DRAFT;
	cert_phrase(&t.sum, v, v->sh->leaf, REF_FRAME);
	sb_printf(&t.sum, " has no subjectAltName: its name is only in the CN (%s).", leaf->cn ? leaf->cn : "none");
	sb_printf(&t.cause, "RFC 6125 clients take names from the SAN: browsers (Chrome 58 and later, Firefox) and "
			    "Go 1.15 and later reject a certificate whose name is only in the CN, while OpenSSL (curl, "
			    "openssl s_client), Python (ssl's hostname_checks_common_name, on by default) and Java 17 "
			    "still fall back to it.");
	sb_printf(&t.fix, "Reissue the certificate with the server's names in subjectAltName (DNS: and IP: entries).");
	add(&t, out, "cert-no-san", SEV_WARNING, v, 0);
}

/* ---- trust ---- */

static void untrusted_in_capture(const struct chain_view *v, int err, int depth, struct draft *t)
{
	const char *side = side_name(v->side), *reason = X509_verify_cert_error_string(err);
	if (store_given(v)) {
		sb_printf(&t->sum, "The %s's chain (frame %" PRIu64 ") does not verify against the %s's trust store given "
				   "(%s): %s (at depth %d).", side, v->frame, side_name(1 - v->side),
			  v->side == SIDE_SERVER ? "--ca-file" : "--client-ca-file", reason, depth);
		if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT)
			sb_printf(&t->cause, "The trust store has no CA that issued %s: its root (or an intermediate between "
					     "them that was not sent) is missing. A peer that verifies with this truststore "
					     "rejects the chain.", v->certs[v->sh->top]->subject);
		else
			sb_printf(&t->cause, "The peer that verifies this chain with this truststore rejects it.");
	} else {
		sb_printf(&t->sum, "The server's chain (frame %" PRIu64 ") is not publicly trusted: clients with default "
				   "trust stores will reject it (%s, at depth %d).", v->frame, reason, depth);
		sb_printf(&t->cause, "The chain leads to a private or unknown root CA, which only clients that have it in "
				     "their own truststore accept. Give the trust store the client really uses with "
				     "--ca-file or --ca-path for a precise verdict.");
	}
	int leaf = v->sh->leaf;
	if (leaf > 0) {
		/* the verifier takes certificate 0 as the leaf: the order, not the CA, is the fault */
		sb_free(&t->cause);
		sb_printf(&t->cause, "The %s sent %s first, not its own certificate (certificate %d, %s): the peer takes "
				     "the first certificate as the %s's own and rejects it (see chain-order).",
			  side, v->certs[0]->subject, leaf, v->certs[leaf]->subject, side);
		sb_printf(&t->fix, "Put the %s's own certificate first in its chain file, then its issuers.", side);
	} else {
		sb_printf(&t->fix, "Import the root CA of this chain into the %s's truststore, or use a certificate from a "
				   "CA it already trusts; make sure the intermediates are sent.",
			  v->side == SIDE_SERVER ? "client" : "server");
	}
}

static void untrusted_in_file(const struct chain_view *v, int err, int depth, struct draft *t)
{
	const char *reason = X509_verify_cert_error_string(err);
	if (v->o->trust_given) {
		sb_printf(&t->sum, "The bundle's chain does not verify against the trust store given: %s (at depth %d, "
				   "counting from the server certificate).", reason, depth);
		sb_printf(&t->cause, "Clients that verify this chain with this truststore reject it.");
	} else {
		sb_printf(&t->sum, "The bundle's chain is not publicly trusted: clients with default trust stores will "
				   "reject it (%s, at depth %d).", reason, depth);
		sb_printf(&t->cause, "The chain leads to a private or unknown root CA, which only clients that have it in "
				     "their own truststore accept. Give the trust store the clients really use with "
				     "--ca-file or --ca-path for a precise verdict.");
	}
	sb_printf(&t->fix, "Import the root CA of this chain into the clients' truststores, or use a certificate from a "
			   "CA they already trust; make sure the intermediates are in the bundle.");
}

/* Does the peer's rejection point at trust (so that "not publicly trusted"
 * is the likely cause, not a private PKI that works)? An alert that names
 * an unknown CA or a certificate it could not verify, an encrypted one, or a
 * silent close, when no name or validity finding explains it instead. */
static bool rejection_points_at_trust(const struct chain_view *v, const struct finding_list *out)
{
	const struct session *s = v->c->s;
	int peer = 1 - v->side;
	if (diag_has_finding(out, "hostname-mismatch", v->side) || diag_has_finding(out, "cert-expired", v->side) ||
	    diag_has_finding(out, "cert-not-yet-valid", v->side))
		return false;
	const struct alert *a = diag_failure_alert(s, peer, v->frame);
	if (!a)
		return true;   /* an inferred alert or a close: nothing else said */
	return a->encrypted || a->desc == TLS_ALERT_UNKNOWN_CA || a->desc == TLS_ALERT_CERTIFICATE_UNKNOWN ||
	       a->desc == TLS_ALERT_BAD_CERTIFICATE;
}

void chain_check_untrusted(const struct chain_view *v, struct finding_list *out)
{
	/* client certificates come from private CAs: only the server's store, when given, says */
	if (!store_of(v) || diag_chain_explained(out, v->side))
		return;
	int depth = 0;
	int err = chain_verify(store_of(v), v->vcerts, v->vn, v->at, purpose(v), &depth);
	int64_t offset;
	bool not_yet = err == X509_V_ERR_CERT_NOT_YET_VALID || err == X509_V_ERR_CRL_NOT_YET_VALID;
	if (not_yet && capture_offset(v))
		err = chain_verify(store_of(v), v->vcerts, v->vn, v->at + capture_offset(v) + CLOCK_SLACK, purpose(v),
				   &depth);
	else if (not_yet && clock_suspect(v, &offset))
		err = chain_verify(store_of(v), v->vcerts, v->vn, v->at + offset, purpose(v), &depth);
	if (err == X509_V_OK)
		return;
	/* purpose problems of a client leaf are client-cert-unsuitable's */
	if (v->side == SIDE_CLIENT && err == X509_V_ERR_INVALID_PURPOSE)
		return;
	struct draft t = DRAFT;
	uint64_t abort_frame;
	int sev = severity(v, store_given(v) ? SEV_ERROR : SEV_WARNING, &abort_frame);
	/* not publicly trusted alone is no error: a private PKI is normal on backends */
	if (!in_file(v) && !store_given(v) && sev == SEV_ERROR && !rejection_points_at_trust(v, out))
		sev = SEV_WARNING;
	if (in_file(v)) {
		untrusted_in_file(v, err, depth, &t);
	} else {
		untrusted_in_capture(v, err, depth, &t);
		abort_tail(&t.sum, v, abort_frame);
	}
	add(&t, out, "chain-untrusted", sev, v, abort_frame);
}

/* ---- the capture's rules ---- */

/* Run a check on side's chain as sent, when its leaf could be read. */
static void on_chain(struct diag *c, int side, const char *hostname, uint64_t sni_frame,
		     void (*check)(const struct chain_view *, struct finding_list *))
{
	if (!c->have_chain[side])
		return;
	const struct chain *ch = diag_chain(c->s, side);
	struct chain_view v = {
		.side = side, .certs = c->certs[side], .n = c->n[side], .sh = &c->shape[side], .has_leaf = true,
		.vcerts = c->certs[side], .vn = c->n[side], .at = c->o->at_given ? c->o->at : ch->time.sec,
		.o = c->o, .c = c, .frame = ch->frame,
	};
	if (check)
		check(&v, c->out);
	else
		chain_check_hostname(&v, hostname, sni_frame, c->out);
}

void rule_chain_incomplete(struct diag *c) { on_chain(c, SIDE_SERVER, NULL, 0, chain_check_incomplete); }
void rule_validity(struct diag *c) { on_chain(c, c->side, NULL, 0, chain_check_validity); }
void rule_self_signed(struct diag *c) { on_chain(c, c->side, NULL, 0, chain_check_self_signed); }
void rule_chain_order(struct diag *c) { on_chain(c, c->side, NULL, 0, chain_check_order); }
void rule_chain_extra(struct diag *c) { on_chain(c, c->side, NULL, 0, chain_check_extra); }
void rule_chain_root_sent(struct diag *c) { on_chain(c, c->side, NULL, 0, chain_check_root_sent); }
void rule_weak(struct diag *c) { on_chain(c, c->side, NULL, 0, chain_check_weak); }
void rule_no_san(struct diag *c) { on_chain(c, SIDE_SERVER, NULL, 0, chain_check_no_san); }
void rule_untrusted(struct diag *c) { on_chain(c, c->side, NULL, 0, chain_check_untrusted); }

/* The name the client asked for: --hostname, else the SNI when it is a name. */
void rule_hostname(struct diag *c)
{
	const struct client_hello *ch = &c->s->ch;
	char sni[LIM_NAME_LEN + 1];
	if (c->o->hostname) {
		on_chain(c, SIDE_SERVER, c->o->hostname, 0, NULL);
	} else if (ch->has_sni && !ch->sni_truncated && !memchr(ch->sni, '\0', ch->sni_len)) {
		memcpy(sni, ch->sni, ch->sni_len);
		sni[ch->sni_len] = '\0';
		on_chain(c, SIDE_SERVER, sni, ch->frame, NULL);
	}
}
