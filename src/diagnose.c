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

#include "diag.h"

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
