/* diag_starttls.c - rules about an upgrade from clear text: refused, or asked for and never begun.
 *
 * The facts come from the clear-text exchange (starttls.c): the client's
 * request, the server's answer with its words, and whether TLS followed.
 * A refusal quotes the server; a request that TLS never followed says who
 * stopped. Neither fires on bytes the capture lost.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "fmt.h"
#include "starttls.h"
#include "starttls_report.h"

/* The server's words as the finding quotes them (escaped, redacted). */
static void quote_words(struct strbuf *b, const struct starttls_facts *f)
{
	char w[LIM_STARTTLS_WORDS * 2 + 8];
	size_t n = starttls_words(f, w, sizeof w);
	sb_put(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)w[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			sb_put(b, w + i, 1);
		else
			sb_printf(b, "\\x%02x", ch);
	}
	sb_printf(b, "%s\"", f->words_cut ? "..." : "");
}

/* Why a server of this protocol refuses, and what to change. */
static void refusal_advice(struct draft *t, const struct starttls_facts *f)
{
	switch (f->proto) {
	case STLS_POSTGRES:
		sb_printf(&t->cause, "PostgreSQL answers N when it runs with ssl = off (postgresql.conf) or was built "
				     "without SSL support. A client with sslmode=prefer or allow then goes on without "
				     "encryption; with require or verify-full it gives up.");
		sb_printf(&t->fix, "On the server set ssl = on with ssl_cert_file and ssl_key_file in postgresql.conf "
				   "and reload (SELECT pg_reload_conf()); check with SHOW ssl.");
		break;
	case STLS_LDAP:
		sb_printf(&t->cause, "The directory server cannot start TLS: no certificate and key are configured "
				     "(slapd: olcTLSCertificateFile, olcTLSCertificateKeyFile) or it cannot read them.");
		sb_printf(&t->fix, "Configure the server's certificate and key (cn=config: olcTLSCertificateFile, "
				   "olcTLSCertificateKeyFile, readable by the slapd user), restart, and test with "
				   "ldapsearch -ZZ; or use ldaps:// on port 636 where it is enabled.");
		break;
	case STLS_MYSQL:
		sb_printf(&t->cause, "The server's greeting does not offer CLIENT_SSL: it runs without a certificate "
				     "and key (have_ssl is DISABLED).");
		sb_printf(&t->fix, "Configure ssl_cert and ssl_key (ssl_ca for client certificates) on the server and "
				   "restart; check with SHOW VARIABLES LIKE 'have_ssl'.");
		break;
	default:
		sb_printf(&t->cause, "The %s server does not offer TLS on this port: no certificate and key are "
				     "configured, they could not be loaded, or STARTTLS is not enabled (a 454 or -ERR "
				     "is a temporary local failure, 5xx and BAD mean not implemented).",
			  starttls_proto_name(f->proto));
		sb_printf(&t->fix, "Enable TLS on the server with a certificate and key it can read (Postfix: "
				   "smtpd_tls_cert_file, smtpd_tls_key_file, smtpd_tls_security_level; Dovecot: ssl = "
				   "yes with ssl_cert and ssl_key; vsftpd: ssl_enable=YES) and check its log at frame "
				   "%" PRIu64 "'s time.", f->answer_frame);
		break;
	}
}

/* openssl s_client's -starttls name of a protocol. */
static const char *s_client_name(int proto)
{
	switch (proto) {
	case STLS_SMTP: return "smtp";
	case STLS_LMTP: return "lmtp";
	case STLS_IMAP: return "imap";
	case STLS_POP3: return "pop3";
	case STLS_FTP: return "ftp";
	case STLS_LDAP: return "ldap";
	case STLS_POSTGRES: return "postgres";
	case STLS_MYSQL: return "mysql";
	default: return "xmpp";
	}
}

static void refused(struct diag *c)
{
	const struct session *s = c->s;
	const struct starttls_facts *f = &s->starttls;
	struct draft t = DRAFT;
	sb_printf(&t.sum, "The client asked %s to start TLS with %s (frame %" PRIu64 "); ", diag_peer(c, SIDE_SERVER),
		  f->request, f->request_frame);
	if (f->implicit) {
		sb_printf(&t.sum, "the server's greeting (frame %" PRIu64 ", version ", f->answer_frame);
		quote_words(&t.sum, f);
		sb_printf(&t.sum, ") did not offer SSL.");
	} else {
		sb_printf(&t.sum, "the server refused (frame %" PRIu64 "): ", f->answer_frame);
		quote_words(&t.sum, f);
		sb_printf(&t.sum, ".");
	}
	if (f->gssenc_refused)
		sb_printf(&t.sum, " GSS encryption was refused before (frame %" PRIu64 ").", f->gssenc_frame);
	if (f->client_clear_after)
		sb_printf(&t.sum, " The client went on without TLS (frame %" PRIu64 "): what it sent is not encrypted.",
			  f->client_clear_after);
	refusal_advice(&t, f);
	struct finding *fd = draft_add(&t, c->out, "starttls-refused", SEV_ERROR, SIDE_SERVER);
	finding_add_frame(fd, f->request_frame);
	finding_add_frame(fd, f->answer_frame);
	if (f->gssenc_refused)
		finding_add_frame(fd, f->gssenc_frame);
	if (f->client_clear_after)
		finding_add_frame(fd, f->client_clear_after);
}

/* The server agreed (or never answered) and the client sent no TLS. */
static void no_tls(struct diag *c)
{
	const struct session *s = c->s;
	const struct starttls_facts *f = &s->starttls;
	bool closed = s->close_kind == CLOSE_FIN || s->close_kind == CLOSE_RST;
	int sev = closed || f->client_clear_after || f->client_alert ? SEV_ERROR : SEV_WARNING;
	struct draft t = DRAFT;
	sb_printf(&t.sum, "The client asked %s to start TLS with %s (frame %" PRIu64 "); ", diag_peer(c, SIDE_SERVER),
		  f->request, f->request_frame);
	int side = SIDE_CLIENT;
	if (f->answer == STLS_ACCEPTED) {
		if (f->implicit)
			sb_printf(&t.sum, "the server's greeting (frame %" PRIu64 ") offered SSL", f->answer_frame);
		else {
			sb_printf(&t.sum, "the server agreed (frame %" PRIu64 "): ", f->answer_frame);
			quote_words(&t.sum, f);
		}
		if (f->client_alert)
			sb_printf(&t.sum, ", but the client sent a %s alert %s (frame %" PRIu64 ") instead of a ClientHello",
				  alert_level_word(f->client_alert_level), alert_name(f->client_alert_desc),
				  f->client_alert_frame);
		else if (f->client_clear_after)
			sb_printf(&t.sum, ", but the client went on in the clear (frame %" PRIu64 ").", f->client_clear_after);
		else
			sb_printf(&t.sum, ", but the client sent no ClientHello");
		sb_printf(&t.cause, "The client's TLS library failed before its first message (no usable trust store "
				    "or client certificate file, no cipher or version allowed by its settings), or its "
				    "STARTTLS support is broken and it ignored the upgrade.");
		sb_printf(&t.fix, "Read the client's own log for the TLS error at frame %" PRIu64 "'s time; test the "
				  "server with openssl s_client -starttls %s -connect HOST:PORT.",
			  f->answer_frame, s_client_name(f->proto));
	} else {
		side = SIDE_SERVER;
		sb_printf(&t.sum, "the server did not answer");
		sb_printf(&t.cause, "The server does not understand the request and waits for more (a client that "
				    "speaks STARTTLS to an implicit-TLS or another service's port), or it hangs.");
		sb_printf(&t.fix, "Check that the client's port is the server's STARTTLS port of this protocol (SMTP "
				  "25/587, IMAP 143, POP3 110, LDAP 389, PostgreSQL 5432), and the server's log.");
	}
	uint64_t close_frame = closed ? diag_own_close_frame(s, s->closed_by) : 0;
	if (!f->client_clear_after) {
		if (closed)
			sb_printf(&t.sum, "; the %s closed the connection (frame %" PRIu64 ").", side_name(s->closed_by),
				  close_frame);
		else
			sb_printf(&t.sum, " before the capture ended (frame %" PRIu64 ").", s->last_frame);
	}
	struct finding *fd = draft_add(&t, c->out, "no-tls-after-starttls", sev, side);
	finding_add_frame(fd, f->request_frame);
	if (f->answer_frame)
		finding_add_frame(fd, f->answer_frame);
	if (f->client_alert)
		finding_add_frame(fd, f->client_alert_frame);
	if (f->client_clear_after)
		finding_add_frame(fd, f->client_clear_after);
	else if (closed)
		finding_add_frame(fd, close_frame);
}

void rule_starttls(struct diag *c)
{
	const struct session *s = c->s;
	const struct starttls_facts *f = &s->starttls;
	if (!f->requested)
		return;
	if (f->answer == STLS_REFUSED) {
		refused(c);
		return;
	}
	/* TLS began, or what the client sent after the answer was not captured */
	if (s->dir[SIDE_CLIENT].spoke_tls || !diag_observable_until(s, SIDE_CLIENT, s->last_frame + 1) ||
	    !diag_observable_until(s, SIDE_SERVER, s->last_frame + 1))
		return;
	no_tls(c);
}
