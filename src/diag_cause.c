/* diag_cause.c - an alert's cause chosen from the findings of its connection, and who offers which version.
 *
 * An alert name is a hint, not a cause: Java says certificate_unknown for a
 * name mismatch and for an unknown CA alike, GnuTLS answers an empty client
 * Certificate with decode_error. So the alert rule asks here which findings
 * of the same connection explain the rejection, names them, and only when
 * none does falls back to what the alert name generically means, saying so.
 * Every finding named here is one present in the list (the reference test
 * holds every text to that).
 */
#include <inttypes.h>
#include <string.h>

#include "diag.h"
#include "fmt.h"
#include "tls_alert.h"
#include "tls_names.h"

/* A finding that explains why a peer's certificate was rejected: what it
 * means in the alert's cause and what its fix comes down to. %s: the
 * verifying side ("client", "server"). */
struct cert_cause {
	const char *id;
	int hint;               /* enum cause_hint: alerts of this kind name it first */
	const char *why;        /* after "...'s certificate: " */
	const char *fix;        /* a sentence, %s the verifying side */
};

static const struct cert_cause cert_causes[] = {
	{ "hostname-mismatch", CH_NAME, "it does not cover the name the client asked for",
	  "Make the name the client uses and the certificate's subjectAltName agree." },
	{ "cert-expired", CH_VALIDITY, "a certificate of the chain had expired",
	  "Renew the expired certificate." },
	{ "cert-not-yet-valid", CH_VALIDITY, "a certificate of the chain was not yet valid",
	  "Check the clocks, or wait until the certificate's notBefore." },
	{ "server-chain-incomplete", CH_TRUST, "the chain lacks an intermediate, so no path to a root can be built",
	  "Send the intermediate certificate(s) with the leaf." },
	{ "client-cert-issuer-not-requested", CH_TRUST, "it is not issued by a CA the server accepts",
	  "Use a client certificate from a CA the server lists, or add its CA to the %s's truststore." },
	{ "client-cert-unsuitable", CH_PURPOSE, "it does not allow client authentication",
	  "Use a client certificate with extended key usage clientAuth." },
	{ "cert-self-signed", CH_TRUST, "it is self-signed",
	  "Use a CA-issued certificate, or import this one into the %s's truststore." },
	{ "chain-untrusted", CH_TRUST, "its chain does not lead to a root of the trust store it was checked against",
	  "Import the chain's root CA into the %s's truststore, or use a certificate from a CA it trusts." },
	{ "weak-key", CH_POLICY, "its key is shorter than current policies accept",
	  "Reissue the certificate with an RSA 2048-bit or an EC P-256 key." },
	{ "weak-signature", CH_POLICY, "it is signed with a hash current policies refuse",
	  "Reissue the certificate signed with SHA-256." },
	{ "chain-order", CH_TRUST, "its chain is not in leaf-to-root order",
	  "Reorder the chain file: leaf first, then each issuer." },
};

#define N_CAUSES (sizeof cert_causes / sizeof cert_causes[0])
#define MAX_NAMED 3

/* The highest severity of finding id about side, -1 when there is none. */
static int severity_of(const struct finding_list *l, const char *id, int side)
{
	int sev = -1;
	for (uint32_t i = 0; i < l->n; i++)
		if (l->v[i].side == side && !strcmp(l->v[i].id, id) && l->v[i].severity > sev)
			sev = l->v[i].severity;
	return sev;
}

/* The causes present for side, those matching hint first, at most max; the
 * errors only when there are some (a "not publicly trusted" warning next to
 * a name mismatch is not why the peer refused). */
static size_t pick(const struct finding_list *l, int side, int hint, const struct cert_cause **out, size_t max)
{
	int floor = SEV_INFO;
	for (size_t i = 0; i < N_CAUSES; i++)
		if (severity_of(l, cert_causes[i].id, side) == SEV_ERROR)
			floor = SEV_ERROR;
	size_t n = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < N_CAUSES && n < max; i++) {
			bool first_pass = hint != CH_NONE && cert_causes[i].hint == hint;
			if ((pass == 0) != first_pass || severity_of(l, cert_causes[i].id, side) < floor)
				continue;
			out[n++] = &cert_causes[i];
		}
	return n;
}

size_t diag_cert_causes(struct strbuf *cause, struct strbuf *fix, const struct finding_list *l, int side, int hint)
{
	const struct cert_cause *c[MAX_NAMED];
	size_t n = pick(l, side, hint, c, MAX_NAMED);
	const char *verifier = side_name(1 - side);
	for (size_t i = 0; i < n; i++)
		sb_printf(cause, "%s%s (%s)", i == 0 ? ": " : i + 1 == n ? ", and " : ", ", c[i]->why, c[i]->id);
	if (n)
		sb_printf(cause, ".");
	if (n && fix) {
		/* the fix's one %s is the verifying side */
		const char *mark = strstr(c[0]->fix, "%s");
		if (mark)
			sb_printf(fix, "%.*s%s%s", (int)(mark - c[0]->fix), c[0]->fix, verifier, mark + 2);
		else
			sb_printf(fix, "%s", c[0]->fix);
		sb_printf(fix, " See %s", c[0]->id);
		for (size_t i = 1; i < n; i++)
			sb_printf(fix, "%s%s", i + 1 == n ? " and " : ", ", c[i]->id);
		sb_printf(fix, ".");
	}
	return n;
}

/* ---- versions ---- */

/* The lowest and highest version the ClientHello offers (lo 0: not said, a
 * ClientHello without supported_versions offers "up to" its legacy_version). */
static void client_range(const struct client_hello *ch, uint16_t *lo, uint16_t *hi)
{
	*lo = 0;
	*hi = ch->legacy_version;
	if (!ch->supported_versions.n)
		return;
	*hi = 0;
	for (uint32_t i = 0; i < ch->supported_versions.n; i++) {
		uint16_t v = ch->supported_versions.v[i];
		if (tls_is_grease(v))
			continue;
		if (!*lo || v < *lo)
			*lo = v;
		if (v > *hi)
			*hi = v;
	}
}

static void say_offer(struct strbuf *b, uint16_t lo, uint16_t hi)
{
	char vl[16], vb[16];
	const char *vh = fmt_version(vb, sizeof vb, hi);
	if (!lo)
		sb_printf(b, "at most %s", vh);
	else if (lo == hi)
		sb_printf(b, "only %s", vh);
	else
		sb_printf(b, "%s to %s", fmt_version(vl, sizeof vl, lo), vh);
}

void diag_version_advice(struct strbuf *cause, struct strbuf *fix, const struct session *s, int refuser)
{
	uint16_t lo, hi;
	char vb[16];
	client_range(&s->ch, &lo, &hi);
	if (refuser == SIDE_CLIENT && s->sh.present) {
		const char *chosen = fmt_version(vb, sizeof vb, s->sh.version);
		sb_printf(cause, "The server chose %s (ServerHello, frame %" PRIu64 "); the client offered ", chosen,
			  s->sh.frame);
		say_offer(cause, lo, hi);
		sb_printf(cause, " and refuses what the server chose.");
		sb_printf(fix, "Enable on the server a version the client offers (TLS 1.2 or 1.3), or allow %s on the "
			       "client as a stopgap.", chosen);
		return;
	}
	sb_printf(cause, "The client offers ");
	say_offer(cause, lo, hi);
	if (lo >= 0x0304) {
		/* a TLS 1.3-only client: the server stops below it */
		sb_printf(cause, "; the server accepts none of it, so it supports only older versions (TLS 1.2 or "
				 "lower).");
		sb_printf(fix, "Enable TLS 1.3 on the server, or allow TLS 1.2 on the client.");
	} else if (hi == 0x0303) {
		/* TLS 1.2 at most, from TLS 1.0 or lower: the server wants more than TLS 1.2 */
		sb_printf(cause, "; the server accepts none of it, so it accepts only TLS 1.3.");
		sb_printf(fix, "Enable TLS 1.3 on the client, or allow TLS 1.2 on the server.");
	} else if (hi < 0x0303) {
		sb_printf(cause, "; the server accepts none of it: it requires a newer version (TLS 1.0 and 1.1 are "
				 "disabled by default in current OpenSSL, Java and browsers).");
		sb_printf(fix, "Enable TLS 1.2 (and 1.3) on the client; as a stopgap, re-enable %s on the server.",
			  fmt_version(vb, sizeof vb, hi));
	} else {
		/* TLS 1.2 and 1.3 offered, yet refused: the server is older */
		sb_printf(cause, "; the server accepts none of it, so it supports only versions older than %s.",
			  fmt_version(vb, sizeof vb, lo ? lo : hi));
		sb_printf(fix, "Enable TLS 1.2 (and 1.3) on the server.");
	}
}
