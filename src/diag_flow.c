/* diag_flow.c - rules about the course of a connection: capture gaps, plain text, the hellos, versions, closes.
 *
 * What the capture shows of the handshake as a whole: what was not captured,
 * a side that does not speak TLS, a ClientHello nobody answered, no version
 * or suite in common, old versions, no SNI, what TLS 1.3 hides, a
 * renegotiation, and a handshake that one side ended without saying why.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "fmt.h"
#include "tls13_infer.h"
#include "tls_alert.h"
#include "tls_names.h"

void rule_capture_incomplete(struct diag *c)
{
	const struct session *s = c->s;
	for (int side = 0; side < 2; side++) {
		const struct direction *d = &s->dir[side];
		bool one_way = d->packets == 0 && s->dir[1 - side].packets > 0;
		bool matters = d->unobservable && (!diag_handshake_done(s) || d->unobservable_frame <= s->handshake_done_frame);
		if (!one_way && !matters)
			continue;
		struct draft t = DRAFT;
		if (one_way) {
			sb_printf(&t.sum, "The capture holds no packet from the %s: only one direction was captured.",
				  side_name(side));
			sb_printf(&t.cause, "Asymmetric routing, a capture filter on one address, or a capture point that "
					    "sees one direction only. Findings about what the %s sent are withheld.",
				  side_name(side));
			sb_printf(&t.fix, "Capture where both directions pass (on the client or server host itself, "
					  "tcpdump -i any -s 0 host PEER).");
		} else {
			bool snap = d->unobservable_why && strcmp(d->unobservable_why, "snaplen") == 0;
			sb_printf(&t.sum, "%" PRIu64 " bytes sent by the %s were not captured, from frame %" PRIu64 " on (%s).",
				  d->gap_bytes, side_name(side), d->unobservable_frame,
				  snap ? "packets cut by the capture's snapshot length" : "capture loss");
			sb_printf(&t.cause, "%s Findings that need the missing bytes are withheld.",
				  snap ? "The capture was taken with a small snapshot length (tcpdump -s)."
				       : "The capture dropped packets (busy capture host, small buffer) or began late.");
			sb_printf(&t.fix, "%s", snap ? "Capture again with -s 0 (whole packets)."
						   : "Capture again with a larger buffer (tcpdump -B 16384) and -s 0, "
						     "close to the client or server, and write to a fast disk.");
		}
		struct finding *f = draft_add(&t, c->out, "capture-incomplete", SEV_WARNING, side);
		if (f && !one_way)
			finding_add_frame(f, d->unobservable_frame);
	}
}

void rule_not_tls(struct diag *c)
{
	const struct session *s = c->s;
	if (s->outcome != OUTCOME_NOT_TLS || s->starttls.requested)
		return;   /* an upgrade asked for: the STARTTLS rules judge it */
	for (int side = 0; side < 2; side++) {
		const struct direction *d = &s->dir[side];
		if (!d->not_tls || d->spoke_tls)
			continue;
		if (side == SIDE_SERVER && s->dir[SIDE_CLIENT].not_tls && !s->dir[SIDE_CLIENT].spoke_tls)
			continue;   /* the server answered the client's plain text in kind: one finding, the client's */
		struct draft t = DRAFT;
		struct strbuf first;
		sb_init(&first);
		sb_put(&first, (const char *)d->prefix, fmt_prefix_len(d->prefix, d->prefix_len));
		char ep[FMT_ADDR_LEN];
		fmt_endpoint(ep, sizeof ep, s->af, s->server_ip, s->server_port);
		if (side == SIDE_CLIENT) {
			sb_printf(&t.sum, "The client sent \"%s\" (frame %" PRIu64 ") to %s, which serves TLS", first.p,
				  d->prefix_frame, ep);
			if (s->tls_service_why)   /* the analyzer's reason */
				sb_printf(&t.sum, " (%s)", s->tls_service_why);
			sb_printf(&t.sum, ".");
			sb_printf(&t.cause, "The client speaks plain text (e.g. http:// instead of https://) to a TLS "
					    "endpoint, or a proxy in between terminates TLS.");
			sb_printf(&t.fix, "Use https:// (TLS) in the client's target URL or connection settings, or point it "
					  "at the server's plain-text port.");
		} else {
			sb_printf(&t.sum, "The server %s answered the ClientHello with \"%s\" (frame %" PRIu64 "): it does not "
					  "speak TLS on this port.", ep, first.p, d->prefix_frame);
			sb_printf(&t.cause, "The client uses TLS (https://) towards a plain-text service, or the port "
					    "belongs to another service.");
			sb_printf(&t.fix, "Use http:// (no TLS) for this port, or the server's TLS port; on the server, enable "
					  "TLS on this listener.");
		}
		sb_free(&first);
		struct finding *f = draft_add(&t, c->out, "not-tls", SEV_ERROR, side);
		finding_add_frame(f, d->prefix_frame);
	}
}

void rule_no_server_hello(struct diag *c)
{
	const struct session *s = c->s;
	if (!s->ch.present || s->sh.present || s->hrr.present || s->outcome == OUTCOME_NOT_TLS)
		return;
	if (s->dir[SIDE_SERVER].spoke_tls)
		return;   /* it answered, with TLS records that held no readable ServerHello (tls.malformed) */
	if (diag_failure_alert(s, SIDE_SERVER, 0) || !diag_observable_until(s, SIDE_SERVER, s->last_frame + 1))
		return;
	/* a one-way capture shows nothing the server sent (capture-incomplete says so) */
	if (s->dir[SIDE_SERVER].packets == 0)
		return;
	struct draft t = DRAFT;
	char ep[FMT_ADDR_LEN];
	fmt_endpoint(ep, sizeof ep, s->af, s->server_ip, s->server_port);
	int sev = SEV_ERROR;
	uint64_t frame = 0;
	sb_printf(&t.sum, "The client sent a ClientHello (frame %" PRIu64 "); the server %s ", s->ch.frame, ep);
	if (s->dir[SIDE_SERVER].rst) {
		frame = s->dir[SIDE_SERVER].rst_frame;
		sb_printf(&t.sum, "reset the connection (frame %" PRIu64 ") without answering.", frame);
	} else if (s->dir[SIDE_SERVER].fin) {
		frame = s->dir[SIDE_SERVER].fin_frame;
		sb_printf(&t.sum, "closed the connection (frame %" PRIu64 ") without answering.", frame);
	} else if (s->dir[SIDE_CLIENT].rst || s->dir[SIDE_CLIENT].fin) {
		frame = diag_own_close_frame(s, SIDE_CLIENT);
		sb_printf(&t.sum, "did not answer; the client gave up and closed the connection (frame %" PRIu64 ").", frame);
	} else {
		sev = SEV_WARNING;
		sb_printf(&t.sum, "did not answer before the capture ended (frame %" PRIu64 ").", s->last_frame);
	}
	char sni[FMT_SNI_LEN];
	if (s->ch.has_sni)
		fmt_sni(sni, sizeof sni, s->ch.sni, s->ch.sni_len);
	sb_printf(&t.cause, "The TCP connection reached a listener that does not complete TLS: a server without a "
			    "certificate for the SNI \"%s\", an SNI or client-address rule on a load balancer or "
			    "firewall, a server that does not speak TLS on this port, or one that is overloaded.",
		  s->ch.has_sni ? sni : "(none)");
	sb_printf(&t.fix, "Check the server's (or load balancer's) TLS configuration and logs for this name and port; "
			  "test with: openssl s_client -connect %s -servername %s", ep, s->ch.has_sni ? sni : "NAME");
	struct finding *f = draft_add(&t, c->out, "no-server-hello", sev, SIDE_SERVER);
	finding_add_frame(f, s->ch.frame);
	finding_add_frame(f, frame);
}

static void offered(struct strbuf *b, const struct client_hello *ch)
{
	char vb[16];
	sb_printf(b, "versions ");
	if (ch->supported_versions.n) {
		bool first = true;
		for (uint32_t i = 0; i < ch->supported_versions.n; i++) {
			uint16_t v = ch->supported_versions.v[i];
			if (tls_is_grease(v))
				continue;
			sb_printf(b, "%s%s", first ? "" : ", ", fmt_version(vb, sizeof vb, v));
			first = false;
		}
	} else {
		sb_printf(b, "up to %s", fmt_version(vb, sizeof vb, ch->legacy_version));
	}
	sb_printf(b, " and %" PRIu32 " cipher suites (", ch->cipher_suites.total);
	uint32_t shown = 0;
	for (uint32_t i = 0; i < ch->cipher_suites.n && shown < 4; i++) {
		uint16_t cs = ch->cipher_suites.v[i];
		if (tls_is_grease(cs) || cs == 0x00ff || cs == 0x5600)
			continue;
		sb_printf(b, "%s%s", shown ? ", " : "", fmt_suite(vb, sizeof vb, cs));
		shown++;
	}
	sb_printf(b, "%s)", ch->cipher_suites.total > shown ? ", ..." : "");
}

void rule_version_or_cipher(struct diag *c)
{
	const struct session *s = c->s;
	if (!s->ch.present || s->ch.malformed)
		return;   /* what a malformed hello offered is not known: the alert rule explains the failure */
	const struct alert *a = NULL;
	int side = SIDE_SERVER;
	if (!s->sh.present && !s->hrr.present) {
		a = diag_failure_alert(s, SIDE_SERVER, 0);
	} else if (s->sh.present && s->server_chain.state != CHAIN_SEEN) {
		/* the client refuses what the server chose (not its certificate) */
		a = diag_failure_alert(s, SIDE_CLIENT, s->sh.frame);
		side = SIDE_CLIENT;
	}
	if (!a || a->encrypted || !alert_refuses_offer(a->desc, side))
		return;
	if (diag_server_hello_lost(s, a->frame))
		return;   /* the server did answer the ClientHello: the capture lost it (capture-incomplete) */
	struct draft t = DRAFT;
	sb_printf(&t.sum, "The handshake failed right after the ClientHello (frame %" PRIu64 "): the client offered ",
		  s->ch.frame);
	offered(&t.sum, &s->ch);
	sb_printf(&t.sum, "; the %s answered fatal alert %s (frame %" PRIu64 ").", side_name(side), alert_name(a->desc),
		  a->frame);
	if (alert_about_version(a->desc)) {
		sb_printf(&t.cause, "No protocol version in common. ");
		diag_version_advice(&t.cause, &t.fix, s, side);
	} else {
		sb_printf(&t.cause, "No cipher suite (or signature algorithm, or key-exchange group) in common: the %s "
				    "accepts none of the %s.", side_name(side),
			  side == SIDE_SERVER ? "suites the client offered" : "parameters the server chose");
		sb_printf(&t.fix, "Align the cipher suite lists: enable at least one modern suite on both sides, e.g. "
				  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (OpenSSL: ECDHE-RSA-AES128-GCM-SHA256) for TLS 1.2. "
				  "With an ECDSA certificate, the ECDHE_ECDSA suites are needed.");
	}
	struct finding *f = draft_add(&t, c->out, "version-or-cipher-mismatch", SEV_ERROR, side);
	finding_add_frame(f, s->ch.frame);
	if (s->sh.present)
		finding_add_frame(f, s->sh.frame);
	finding_add_frame(f, a->frame);
}

void rule_deprecated_version(struct diag *c)
{
	const struct session *s = c->s;
	if (!s->sh.present || s->sh.version > 0x0302 || s->sh.version < 0x0300)
		return;
	char vb[16];
	struct draft t = DRAFT;
	sb_printf(&t.sum, "%s was negotiated (Server Hello, frame %" PRIu64 ").", fmt_version(vb, sizeof vb, s->sh.version),
		  s->sh.frame);
	sb_printf(&t.cause, "SSL 3.0, TLS 1.0 and TLS 1.1 are deprecated (RFC 7568, RFC 8996); current clients and "
			    "servers refuse them, so this connection works only while both sides allow them.");
	sb_printf(&t.fix, "Enable TLS 1.2 and TLS 1.3 on both sides, then disable the old versions.");
	struct finding *f = draft_add(&t, c->out, "deprecated-version", SEV_WARNING, SIDE_BOTH);
	finding_add_frame(f, s->sh.frame);
}

void rule_no_sni(struct diag *c)
{
	const struct session *s = c->s;
	if (!s->ch.present || s->ch.has_sni || s->ch.sslv2 || s->ch.malformed)
		return;   /* a malformed hello may hold a server_name that could not be read */
	char ip[FMT_ADDR_LEN], real_ip[FMT_ADDR_LEN];
	fmt_ip(ip, sizeof ip, s->af, s->server_ip);
	fmt_ip_real(real_ip, sizeof real_ip, s->af, s->server_ip);
	struct draft t = DRAFT;
	int sev = SEV_INFO;
	sb_printf(&t.sum, "The ClientHello (frame %" PRIu64 ") carries no server_name (SNI)", s->ch.frame);
	if (c->have_chain[SIDE_SERVER] && !c->o->hostname) {
		const struct x509_cert *leaf = c->certs[SIDE_SERVER][c->shape[SIDE_SERVER].leaf];
		if (!cert_covers_host(leaf, real_ip)) {
			sev = SEV_WARNING;
			sb_printf(&t.sum, ", and the server's certificate %s does not cover the address %s the client "
					  "connected to", leaf->subject, ip);
		}
	}
	sb_printf(&t.sum, ".");
	if (sev == SEV_WARNING) {
		sb_printf(&t.cause, "Without SNI a server hosting several names sends its default certificate, and a "
				    "client that verifies the hostname against the address it used rejects it. The client "
				    "probably connects by IP address (clients send no SNI for IP literals).");
		sb_printf(&t.fix, "Connect by host name (so the client sends SNI), or give --hostname NAME to check the "
				  "certificate against the name the client expects.");
	} else {
		sb_printf(&t.cause, "Clients leave out SNI when they connect by IP address or are old; servers with one "
				    "certificate do not need it.");
		sb_printf(&t.fix, "None needed unless the server hosts several names.");
	}
	struct finding *f = draft_add(&t, c->out, "no-sni", sev, SIDE_CLIENT);
	finding_add_frame(f, s->ch.frame);
}

/* Nothing was inferred: why, and the sizes seen, so a reader can judge. */
static void tls13_what_was_seen(struct strbuf *b, const struct session *s)
{
	const struct direction *cd = &s->dir[SIDE_CLIENT], *sd = &s->dir[SIDE_SERVER];
	if (cd->unobservable || sd->unobservable || cd->gaps || sd->gaps)
		sb_printf(b, "Bytes were lost from the capture, so the record sizes prove nothing and nothing is inferred.");
	else if (s->ch.early_data)
		sb_printf(b, "The client offered 0-RTT early data, whose records mix with the handshake's: nothing is "
			     "inferred from the sizes.");
	else
		sb_printf(b, "The record sizes fit no known pattern (padding, or a flight tlsdiag does not know): nothing "
			     "is inferred from them.");
	for (int side = 0; side < 2; side++) {
		const struct direction *d = &s->dir[side];
		if (!d->rlog_n)
			continue;
		sb_printf(b, " %s records after the ServerHello:", side == SIDE_CLIENT ? "Client" : "Server");
		for (uint32_t i = 0; i < d->rlog_n; i++)
			sb_printf(b, "%s %" PRIu32 " (frame %" PRIu64 ")", i ? "," : "", d->rlog[i].len, d->rlog[i].frame);
		if (d->appdata_records > d->rlog_n)
			sb_printf(b, " and %" PRIu64 " more", d->appdata_records - d->rlog_n);
		sb_printf(b, ".");
	}
}

void rule_tls13_encrypted(struct diag *c)
{
	const struct session *s = c->s;
	if (!s->tls13 || !s->sh.present || s->resumed || s->server_chain.state == CHAIN_SEEN)
		return;
	struct draft t = DRAFT;
	sb_printf(&t.sum, "TLS 1.3 was negotiated (Server Hello, frame %" PRIu64 "): the certificates, any "
			  "CertificateRequest and the alerts that follow are encrypted on the wire.", s->sh.frame);
	if (s->t13_inferred && s->t13.failed && diag_tls13_clear_alert(s))
		sb_printf(&t.cause, "The connection failed with an alert sent in the clear before the keys were up "
				    "(the alert finding names it).");
	else if (s->t13_inferred && s->t13.failed)
		sb_printf(&t.cause, "The record sizes show a failure (%s): tls13-encrypted-failure says what they prove.",
			  t13_view_name(&s->t13));
	else if (s->t13_inferred)
		sb_printf(&t.cause, "The record sizes show the client's Finished (frame %" PRIu64 ")%s.", s->t13.cflight_frame,
			  s->t13.pattern == T13_COMPLETED ? " and application data both ways: the handshake completed"
			  : s->t13.pattern == T13_NO_DATA ? ", the server's tickets and the client's close without data "
							    "(a session-ticket fetch)"
			  : s->t13.answered ? " and the server's tickets or data after it: the handshake completed; the "
					      "capture ends before anything else tells"
					    : "; the capture ends before anything else tells");
	else if (s->decrypted)
		sb_printf(&t.cause, "The key log opened the %s's records only; with part of the handshake decrypted, "
				    "nothing is inferred from record sizes.",
			  s->keys.dir[SIDE_CLIENT].decrypted ? "client" : "server");
	else
		tls13_what_was_seen(&t.cause, s);
	if (s->keys.given && s->keys.matched)
		sb_printf(&t.fix, "The key log given lacks the %s's handshake secret (%s): give the key log with all the "
				  "lines of this client random, or the other side's.",
			  s->server_chain.state == CHAIN_SEEN ? "client" : "server",
			  s->server_chain.state == CHAIN_SEEN ? "CLIENT_HANDSHAKE_TRAFFIC_SECRET"
							      : "SERVER_HANDSHAKE_TRAFFIC_SECRET");
	else
		sb_printf(&t.fix, "Give tlsdiag the client's key log: --keylog FILE. To get one: curl, python (3.8+), "
				  "Firefox/Chrome and Go clients write it when SSLKEYLOGFILE=FILE is set; openssl s_client "
				  "-keylogfile FILE; Java: run the client with a TLS key-logging agent "
				  "(-javaagent:extract-tls-secrets.jar=FILE); nginx has no key log option (log from the "
				  "client side, or use an OpenSSL keylog LD_PRELOAD library); HAProxy logs the secrets with "
				  "tune.ssl.keylog on and the ssl_fc_*_secret fetches. For a support case, embed it in the "
				  "capture: editcap --inject-secrets tls,FILE in.pcap out.pcapng (tlsdiag and Wireshark read "
				  "it without options). Or reproduce with TLS 1.2 (openssl s_client -tls1_2).");
	struct finding *f = draft_add(&t, c->out, "tls13-certificates-encrypted", SEV_INFO, SIDE_BOTH);
	finding_add_frame(f, s->sh.frame);
}

/* A refused renegotiation ended the connection: no data after the attempt,
 * and a fatal alert (read with a key log) or the close. A refusal the
 * client shrugs off, or a HelloRequest it ignores (data goes on, the
 * ordinary close_notify at the end), ended nothing. */
static bool reneg_refusal_ended(const struct session *s, bool fatal)
{
	for (int side = 0; side < 2; side++)
		if (s->dir[side].appdata_records && s->dir[side].appdata_last_frame > s->renegotiation_frame)
			return false;
	return fatal || s->close_kind == CLOSE_FIN || s->close_kind == CLOSE_RST;
}

void rule_renegotiation(struct diag *c)
{
	const struct session *s = c->s;
	if (!s->renegotiation)
		return;
	uint32_t after = 0;
	uint64_t last = 0;
	bool fatal = false;
	const struct alert *refusal = NULL, *giving_up = NULL;   /* read with a key log */
	bool ccs[2] = { false, false };   /* the new keys switched on: it completed */
	for (uint32_t i = 0; i < s->timeline_n; i++)
		if (s->timeline[i].kind == MSG_CCS && s->timeline[i].frame >= s->renegotiation_frame)
			ccs[s->timeline[i].from] = true;
	bool completed = ccs[0] && ccs[1];
	for (uint32_t i = 0; i < s->alerts_n && !completed; i++) {
		const struct alert *a = &s->alerts[i];
		if (a->frame < s->renegotiation_frame || (!a->encrypted && a->desc == TLS_ALERT_CLOSE_NOTIFY))
			continue;   /* a close_notify read with a key log refuses nothing */
		after++;
		last = a->frame;
		if (!a->encrypted && a->desc == TLS_ALERT_NO_RENEGOTIATION && !refusal)
			refusal = a;
		else if (!a->encrypted && a->level == 2 && !giving_up)
			giving_up = a;
		fatal |= !a->encrypted && a->level == 2;
	}
	bool ended = after && reneg_refusal_ended(s, fatal);
	struct draft t = DRAFT;
	sb_printf(&t.sum, "A second handshake started on the established connection at frame %" PRIu64 " (renegotiation%s)",
		  s->renegotiation_frame, s->decrypted ? "" : "; encrypted, so its messages are not visible");
	int sev = SEV_INFO;
	if (after) {
		sev = ended ? SEV_ERROR : SEV_WARNING;
		if (refusal || giving_up) {
			if (refusal)
				sb_printf(&t.sum, ": the %s refused it with warning alert no_renegotiation (frame %" PRIu64 ")",
					  side_name(refusal->from), refusal->frame);
			if (giving_up)
				sb_printf(&t.sum, "%s the %s sent fatal alert %s (frame %" PRIu64 ")", refusal ? ", then" : ":",
					  side_name(giving_up->from), alert_name(giving_up->desc), giving_up->frame);
		} else {
			sb_printf(&t.sum, ", followed by %" PRIu32 " alert%s (up to frame %" PRIu64 ")", after,
				  diag_plural(after), last);
		}
		if (ended && (s->close_kind == CLOSE_FIN || s->close_kind == CLOSE_RST))
			sb_printf(&t.sum, "; no data followed: the refusal ended the connection (closed by the %s, frame %" PRIu64
					  ")", side_name(s->closed_by), diag_own_close_frame(s, s->closed_by));
		else if (ended)
			sb_printf(&t.sum, "; no data followed: the refusal ended the connection");
		else
			sb_printf(&t.sum, "; data went on after it, so the connection survived the refusal");
		sb_printf(&t.cause, "Alerts right after a renegotiation attempt mean it was refused: OpenSSL 3, and most "
				    "servers today, refuse client-initiated renegotiation (no_renegotiation), and the client "
				    "then gives up. Servers that ask for a client certificate only for some URLs renegotiate "
				    "this way too.");
		sb_printf(&t.fix, "Avoid renegotiation: request the client certificate in the initial handshake, or move "
				  "to TLS 1.3 (post-handshake authentication); if it is needed, allow it on the server "
				  "(OpenSSL 3: -client_renegotiation, SSL_OP_ALLOW_CLIENT_RENEGOTIATION).");
	} else {
		if (completed)
			sb_printf(&t.sum, "; both sides switched to its new keys (ChangeCipherSpec), so it completed");
		sb_printf(&t.cause, "Renegotiation is how TLS 1.2 servers ask for a client certificate for part of a site, "
				    "or how long connections rekey.");
		sb_printf(&t.fix, "Nothing to do unless the connection then fails.");
	}
	sb_printf(&t.sum, ".");
	struct finding *f = draft_add(&t, c->out, "renegotiation", sev, SIDE_BOTH);
	finding_add_frame(f, s->renegotiation_frame);
	finding_add_frame(f, last);
}

/* What one side did last before a frame: a timeline message, or (TLS 1.3)
 * an encrypted record, which the timeline does not hold. */
struct last_act {
	uint64_t frame;          /* 0: nothing */
	struct ts time;
	const struct msg *msg;   /* NULL: an encrypted TLS 1.3 record */
};

static struct last_act last_act_of(const struct session *s, int side, uint64_t frame)
{
	struct last_act a = { 0 };
	for (uint32_t i = 0; i < s->timeline_n; i++) {
		const struct msg *m = &s->timeline[i];
		if (m->from == side && m->frame <= frame) {
			a.frame = m->frame;
			a.time = m->time;
			a.msg = m;
		}
	}
	const struct direction *d = &s->dir[side];
	for (uint32_t i = 0; i < d->rlog_n; i++) {
		if (d->rlog[i].frame <= frame && d->rlog[i].frame >= a.frame) {
			a.frame = d->rlog[i].frame;
			a.time = d->rlog[i].time;
			a.msg = NULL;
		}
	}
	return a;
}

/* "Server Hello Done", "Hello Retry Request", "warning alert unrecognized_name": Wireshark's names */
static void describe_act(struct strbuf *b, const struct last_act *a)
{
	const struct msg *m = a->msg;
	if (!m) {
		sb_printf(b, "encrypted handshake records");
		return;
	}
	switch (m->kind) {
	case MSG_HANDSHAKE:
		sb_printf(b, "%s", m->hrr ? "Hello Retry Request" : tls_handshake_display_name(m->hs_type));
		break;
	case MSG_CCS:
		sb_printf(b, "Change Cipher Spec");
		break;
	case MSG_ALERT:
		sb_printf(b, "%s alert %s", alert_level_word(m->level), alert_name(m->desc));
		break;
	case MSG_ENC_ALERT:
		sb_printf(b, "encrypted alert");
		break;
	case MSG_ENC_HANDSHAKE:
		sb_printf(b, "Encrypted Handshake Message");
		break;
	default:
		sb_printf(b, "Heartbeat");
		break;
	}
}

static double ts_diff(const struct ts *later, const struct ts *earlier)
{
	return (double)(later->sec - earlier->sec) + ((double)later->nsec - (double)earlier->nsec) / 1e9;
}

/* A side that waited this long before closing gave up waiting (a timeout)
 * rather than rejecting what it had just received. */
#define ABORT_WAIT_SEC 1.0

/* Who ended a failed handshake, after what, and how long it waited. */
struct abort_view {
	int closer, other;
	uint64_t closed;             /* the closer's own FIN or RST */
	struct last_act theirs, mine;
	bool answering;              /* the other side spoke last, so the closer rejected what it got */
	const struct last_act *last; /* theirs or mine */
	double wait;                 /* seconds from the last act to the close */
	bool timed;                  /* wait is known (clocks may step back) */
	bool timeout;
};

static void abort_view_of(const struct session *s, struct abort_view *v)
{
	v->closer = s->closed_by;
	v->other = 1 - v->closer;
	const struct direction *d = &s->dir[v->closer];
	v->closed = diag_own_close_frame(s, v->closer);
	v->theirs = last_act_of(s, v->other, v->closed);
	v->mine = last_act_of(s, v->closer, v->closed);
	v->answering = v->theirs.frame && v->theirs.frame >= v->mine.frame;
	v->last = v->answering ? &v->theirs : &v->mine;
	v->wait = v->last->frame ? ts_diff(&d->close_time, &v->last->time) : -1;
	v->timed = v->last->frame && (d->rst || d->fin) && v->wait >= 0;
	v->timeout = v->timed && v->wait >= ABORT_WAIT_SEC;
}

static void abort_summary(struct strbuf *b, const struct session *s, const struct abort_view *v)
{
	sb_printf(b, "The handshake did not complete and no alert says why: the %s %s (frame %" PRIu64 ")",
		  side_name(v->closer), s->dir[v->closer].rst ? "reset the connection" : "closed the connection",
		  v->closed);
	if (v->last->frame) {
		if (v->timed)
			sb_printf(b, " %.3f s", v->wait);
		sb_printf(b, " after %s ", v->answering ? "the" : "its own");
		if (v->answering)
			sb_printf(b, "%s's ", side_name(v->other));
		describe_act(b, v->last);
		sb_printf(b, " (frame %" PRIu64 ")%s", v->last->frame, v->answering ? "" : ", which got no answer");
	}
	sb_printf(b, ".");
}

/* The closer answered the other side's messages with a close, not an alert. */
static void silent_rejection(struct diag *c, const struct abort_view *v, struct draft *t)
{
	if (v->closer == SIDE_SERVER) {
		sb_printf(&t->cause, "The server rejected the client's messages without an alert: some servers and load "
				     "balancers close the connection on a failed client certificate check, a policy rule or "
				     "an internal error instead of alerting.");
		sb_printf(&t->fix, "Read the server's (or load balancer's) log at this time.");
		return;
	}
	sb_printf(&t->cause, "The client rejected the server's handshake without telling it: some TLS stacks close the "
			     "connection instead of sending an alert when the server's certificate is not trusted or "
			     "does not match the name, or when nothing the server chose suits them. ");
	if (c->s->server_chain.state != CHAIN_ABSENT && !c->have_chain[SIDE_SERVER])
		/* too long, malformed or unparsable: nothing was checked (the events say why) */
		sb_printf(&t->cause, "The server's certificates could not be analyzed from the capture (see the events).");
	else
		sb_printf(&t->cause, "The checks tlsdiag makes from the capture found no fault against %s.",
			  c->o->trust_given ? "the trust store given" : "the system trust store");
	sb_printf(&t->fix, "Read the client's log at this time; repeat the analysis with the client's own trust store "
			   "(--ca-file) and the name it connects to (--hostname).");
}

static void abort_cause(struct diag *c, const struct abort_view *v, struct draft *t)
{
	const char *closer = side_name(v->closer), *other = side_name(v->other);
	const struct msg *m = v->answering ? v->theirs.msg : NULL;
	if (v->timeout) {
		const char *slow = v->answering ? closer : other;
		sb_printf(&t->cause, "The %s gave up waiting (a timeout): the %s was slow to go on (a stalled backend, an "
				     "OCSP or CRL lookup, a blocking certificate or key check) or packets were lost on the "
				     "way.", closer, slow);
		sb_printf(&t->fix, "Check the responsiveness of the %s and the network path; compare the %s's handshake "
				   "timeout with the %.1f s it waited.", slow, closer, v->wait);
	} else if (m && m->kind == MSG_HANDSHAKE && m->hrr) {
		const struct hello_retry_request *hrr = &c->s->hrr;
		const char *group = hrr->has_group ? tls_group_name(hrr->selected_group) : NULL;
		sb_printf(&t->cause, "After a HelloRetryRequest the client must send a second ClientHello with a key share "
				     "for the group the server chose (%s); it gave up instead: it does not support that "
				     "group, or it rejects the retry.", group ? group : "see the frame");
		sb_printf(&t->fix, "Let the server accept a group the client sends a key share for (x25519, secp256r1), or "
				   "update the client.");
	} else if (m && m->kind == MSG_ALERT && m->desc == TLS_ALERT_UNRECOGNIZED_NAME) {
		sb_printf(&t->cause, "A warning unrecognized_name is harmless to most clients, but Java clients (JSSE) treat "
				     "it as fatal (\"handshake alert: unrecognized_name\") and close the connection.");
		sb_printf(&t->fix, "Configure the server with a virtual host (ServerName/ServerAlias) for the name the "
				   "client sends, or make the client use a name the server knows.");
	} else if (!v->last->frame) {
		sb_printf(&t->cause, "No handshake message of this connection could be read (see the events): a peer that "
				     "is not speaking TLS as it should, or bytes damaged on the way.");
		sb_printf(&t->fix, "Read the events; check what the %s sent (Wireshark: Follow TCP Stream).", other);
	} else if (!v->answering) {
		sb_printf(&t->cause, "The %s closed without waiting for the %s's answer: its application ended the "
				     "connection (a very short timeout, an error of its own, or it was stopped).",
			  closer, other);
		sb_printf(&t->fix, "Read the %s application's log at this time and check its handshake timeout.", closer);
	} else {
		silent_rejection(c, v, t);
	}
}

/* The handshake failed and no rule said why: name who closed, after what,
 * and how long it waited. Without this a failed connection would read as
 * healthy (exit status 0). */
void rule_handshake_aborted(struct diag *c)
{
	const struct session *s = c->s;
	if (s->outcome != OUTCOME_FAILED || finding_list_has_error(c->out))
		return;
	if (s->close_kind != CLOSE_FIN && s->close_kind != CLOSE_RST)
		return;
	struct abort_view v;
	abort_view_of(s, &v);
	struct draft t = DRAFT;
	abort_summary(&t.sum, s, &v);
	abort_cause(c, &v, &t);
	struct finding *f = draft_add(&t, c->out, "handshake-aborted", SEV_ERROR, v.closer);
	if (v.last->frame)
		finding_add_frame(f, v.last->frame);
	finding_add_frame(f, v.closed);
}
