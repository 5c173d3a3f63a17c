/* diagnose.c - the rule table and its runner: session facts in, findings out.
 *
 * The rules live in topic files (diag_flow.c, diag_client_cert.c,
 * diag_chain.c, diag_alert.c). Their wording follows the support playbooks
 * (keystore, truststore, chain file, SAN, intermediate): a finding says what
 * happened with the frames that show it, the likely cause, and what to
 * change. A rule that needs bytes the capture lost stays silent;
 * capture-incomplete says so instead.
 */
#include "diagnose.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "diag.h"

/* ---- the table ---- */

/* The catalogue, in the order of the man page's DIAGNOSTICS and of the
 * summary's counts. The rules run by step: a later rule reads what the
 * earlier ones found (chain-untrusted stays silent when a specific chain
 * finding explains the failure, an alert names the chain findings,
 * handshake-aborted speaks only when no other error does), and within a
 * severity findings are reported in the order they were found. Rows of one
 * step share one rule, which writes all their ids. */
static const struct rule_info rules[] = {
	{ "capture-incomplete", "warning", RULE_EITHER, 1,
	  "bytes of the handshake were not captured; dependent findings are withheld", rule_capture_incomplete },
	{ "starttls-refused", "error", RULE_SERVER, 2, "the server refused the client's request to start TLS",
	  rule_starttls },
	{ "no-tls-after-starttls", "error|warning", RULE_EITHER, 2,
	  "the client asked to start TLS, then no TLS followed", rule_starttls },
	{ "not-tls", "error", RULE_EITHER, 3, "one side does not speak TLS", rule_not_tls },
	{ "no-server-hello", "error|warning", RULE_SERVER, 4, "the server never answered the ClientHello",
	  rule_no_server_hello },
	{ "version-or-cipher-mismatch", "error", RULE_EITHER, 5, "no protocol version or cipher suite in common",
	  rule_version_or_cipher },
	{ "client-cert-empty", "error|warning|info", RULE_CLIENT, 6,
	  "CertificateRequest answered with an empty client Certificate", rule_client_cert_empty },
	{ "client-cert-missing", "error|warning", RULE_CLIENT, 7,
	  "CertificateRequest not answered with any client Certificate", rule_client_cert_missing },
	{ "client-cert-issuer-not-requested", "error|warning", RULE_CLIENT, 8,
	  "the client's chain is not issued by any acceptable CA", rule_client_cert_issuer },
	{ "client-cert-unsuitable", "error|warning", RULE_CLIENT, 9,
	  "the client certificate lacks clientAuth, a usable key usage or key type", rule_client_cert_unsuitable },
	{ "server-chain-incomplete", "error|warning", RULE_SERVER, 10,
	  "an intermediate certificate is missing from the server's chain", rule_chain_incomplete },
	{ "chain-order", "error|warning", RULE_EACH, 13, "certificates not in leaf -> issuer order", rule_chain_order },
	{ "chain-root-sent", "info", RULE_EACH, 15, "the root CA is sent (harmless, not needed)", rule_chain_root_sent },
	{ "chain-extra-cert", "warning", RULE_EACH, 14, "a certificate that belongs to no path from the leaf",
	  rule_chain_extra },
	{ "cert-expired", "error", RULE_EACH, 11, "a certificate had expired at capture time", rule_validity },
	{ "cert-not-yet-valid", "error", RULE_EACH, 11, "a certificate was not yet valid at capture time",
	  rule_validity },
	{ "cert-expires-soon", "warning", RULE_EACH, 11, "a certificate expires within the warning period",
	  rule_validity },
	{ "capture-clock-suspect", "info", RULE_EACH, 11,
	  "certificates not yet valid at capture time in a handshake that completed: the capture's clock", rule_validity },
	{ "cert-self-signed", "error|warning", RULE_EACH, 12, "a self-signed leaf certificate", rule_self_signed },
	{ "cert-no-san", "warning", RULE_SERVER, 18, "a certificate without subjectAltName (name only in the CN)",
	  rule_no_san },
	{ "hostname-mismatch", "error|warning", RULE_SERVER, 17,
	  "the SNI or --hostname is not covered by the leaf's SAN", rule_hostname },
	{ "chain-untrusted", "error|warning", RULE_EACH, 19, "the chain does not verify against the trust store",
	  rule_untrusted },
	{ "weak-signature", "error|warning", RULE_EACH, 16, "a certificate signed with MD5 or SHA-1", rule_weak },
	{ "weak-key", "error|warning", RULE_EACH, 16, "an RSA/DSA key below 2048 bits or an EC key below 224 bits",
	  rule_weak },
	{ "deprecated-version", "warning", RULE_CONNECTION, 20, "SSL 3.0, TLS 1.0 or TLS 1.1 negotiated",
	  rule_deprecated_version },
	{ "no-sni", "warning|info", RULE_CLIENT, 21, "the ClientHello carries no server_name", rule_no_sni },
	{ "tls13-certificates-encrypted", "info", RULE_CONNECTION, 22, "TLS 1.3 hides certificates and later alerts",
	  rule_tls13_encrypted },
	{ "tls13-encrypted-failure", "error", RULE_EITHER, 23,
	  "TLS 1.3 failed after ServerHello, as record sizes prove (inferred)", rule_tls13_inferred },
	{ "client-cert-empty-inferred", "error|warning|info", RULE_CLIENT, 23,
	  "TLS 1.3 client flight of exactly an empty Certificate + Finished (inferred)", rule_tls13_inferred },
	{ "rejected-after-handshake", "error", RULE_EITHER, 24,
	  "the handshake completed, then one side ended the connection before any data was accepted",
	  rule_rejected_after_handshake },
	{ "renegotiation", "error|warning|info", RULE_CONNECTION, 25, "a second handshake on an established connection",
	  rule_renegotiation },
	{ "alert", "error|warning|info", RULE_EITHER, 26, "an alert, with its sender and likely cause", rule_alerts },
	{ "handshake-aborted", "error", RULE_EITHER, 27,
	  "the handshake failed without an alert or other finding that explains it", rule_handshake_aborted },
	{ "keylog-no-match", "warning|info", RULE_CONNECTION, 28,
	  "a key log was given but holds no secret for the connection's client random", rule_keylog },
	{ "keylog-mismatch", "warning", RULE_CONNECTION, 28,
	  "the key log's secrets for the connection do not decrypt its records", rule_keylog },
};

#define N_RULES (sizeof rules / sizeof rules[0])
#define LAST_STEP 28

const struct rule_info *diagnose_catalogue(size_t *n)
{
	*n = N_RULES;
	return rules;
}

/* The first row of a step (every step from 1 to LAST_STEP has one). The
 * table is read once per connection and step: a lookup, not a scan (the
 * scan was 7 % of the text report on the bench). */
static const struct rule_info *step_first[LAST_STEP + 1];

static const struct rule_info *step_row(int step)
{
	if (!step_first[step])
		for (size_t i = N_RULES; i-- > 0;)
			if (rules[i].step == step)
				step_first[step] = &rules[i];
	return step_first[step];
}

void diagnose_session(const struct session *s, const struct diag_opts *o, struct finding_list *out)
{
	struct diag c;
	diag_init(&c, s, o, out);
	for (int step = 1; step <= LAST_STEP;) {
		const struct rule_info *r = step_row(step);
		if (r->side != RULE_EACH) {
			r->run(&c);
			step++;
		} else {
			/* per-side steps that follow one another judge the client's chain whole, then the server's */
			int end = step;
			while (end <= LAST_STEP && step_row(end)->side == RULE_EACH)
				end++;
			for (c.side = SIDE_CLIENT; c.side <= SIDE_SERVER; c.side++)
				for (int k = step; k < end; k++)
					step_row(k)->run(&c);
			step = end;
		}
		/* a connection that does not speak TLS has nothing more to judge */
		if (r->run == rule_not_tls && s->outcome == OUTCOME_NOT_TLS)
			break;
	}
	diag_logged(&c);
}

void diagnose_facts(const struct session *s, const struct diag_opts *o, struct finding_list *out)
{
	sb_quiet(true);
	diagnose_session(s, o, out);
	sb_quiet(false);
	out->words_of = s;
	out->words_opts = o;
	out->words_outcome = s->outcome;
}

/* The same finding, words apart? */
static bool same_facts(const struct finding *a, const struct finding *b)
{
	if (strcmp(a->id, b->id) || a->severity != b->severity || a->side != b->side || a->inferred != b->inferred ||
	    a->n_frames != b->n_frames || a->n_logs != b->n_logs)
		return false;
	for (unsigned k = 0; k < a->n_frames; k++)
		if (a->frames[k] != b->frames[k])
			return false;
	for (unsigned k = 0; k < a->n_logs; k++)
		if (a->logs[k].side != b->logs[k].side || a->logs[k].identified != b->logs[k].identified ||
		    strcmp(a->logs[k].software, b->logs[k].software) || strcmp(a->logs[k].line, b->logs[k].line))
			return false;
	return true;
}

void finding_words(const struct finding_list *cl)
{
	if (!cl->words_opts)
		return;
	/* the list is the session's: a const writer's view of it gains words only */
	struct finding_list *l = (struct finding_list *)cl;
	struct finding_list w = { .arena = l->arena };
	/* the rules read the outcome as they did: diagnose_outcome may have made
	 * a completed handshake failed since (the session is the writer's, whole) */
	struct session *s = (struct session *)l->words_of;
	uint8_t outcome = s->outcome;
	s->outcome = l->words_outcome;
	diagnose_session(s, l->words_opts, &w);
	s->outcome = outcome;
	bool same = w.n == l->n;
	for (uint32_t i = 0; same && i < l->n; i++)
		same = same_facts(&l->v[i], &w.v[i]);
	if (same) {
		for (uint32_t i = 0; i < l->n; i++) {
			l->v[i].summary = w.v[i].summary;
			l->v[i].cause = w.v[i].cause;
			l->v[i].fix = w.v[i].fix;
		}
		finding_list_free(&w);   /* (the texts stay: they are the arena's) */
	} else {
		/* the rules read what changed since (they must not): the words' pass is the truth */
		struct arena *arena = l->arena;
		*l = w;
		l->arena = arena;
	}
	l->words_of = NULL;
	l->words_opts = NULL;
}

void diagnose_outcome(struct session *s)
{
	/* the facts alone call it completed; the server refused it right after (nginx's HTTP 400) */
	if (s->outcome == OUTCOME_COMPLETED && diag_has_finding(&s->findings, "rejected-after-handshake", -1))
		s->outcome = OUTCOME_FAILED;
	/* ... or it ended the connection when it refused a renegotiation */
	for (uint32_t i = 0; i < s->findings.n && s->outcome == OUTCOME_COMPLETED; i++)
		if (!strcmp(s->findings.v[i].id, "renegotiation") && s->findings.v[i].severity == SEV_ERROR)
			s->outcome = OUTCOME_FAILED;
}
