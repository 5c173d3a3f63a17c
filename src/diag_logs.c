/* diag_logs.c - what each side's software most likely logged for a finding, so a log line in a ticket can be
 * matched to the report.
 *
 * A support engineer arrives with "Received fatal alert: bad_certificate" or
 * "PKIX path building failed", not with a capture. The lines below are the
 * ones the real software printed when the captures of pcaps/ were made
 * (pcaps/logs/NAME.log; tests/logged.sh holds every line to those logs and to
 * the playbooks of the seeds); OpenSSL's are the reason text that curl,
 * python, s_client, s_server and nginx all print inside their own message.
 * Which software a side runs is read from its hello (extension lists tell
 * OpenSSL, Java's JSSE and GnuTLS apart); when the hello does not tell, the
 * lines of every candidate are given, each named.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "fmt.h"
#include "tls_alert.h"
#include "tls_names.h"

enum impl { IMPL_UNKNOWN = 0, IMPL_OPENSSL, IMPL_JSSE, IMPL_GNUTLS, IMPL_NGINX };

/* TLS extension numbers the guess reads (RFC 8446 §4.2, RFC 6961, RFC 8449, RFC 7366) */
#define EXT_STATUS_REQUEST_V2 17
#define EXT_ENCRYPT_THEN_MAC 22
#define EXT_EMS 23
#define EXT_RECORD_SIZE_LIMIT 28
#define EXT_SESSION_TICKET 35
#define EXT_SUPPORTED_VERSIONS 43
#define EXT_SIG_ALGS_CERT 50
#define EXT_KEY_SHARE 51
#define EXT_PADDING 21
#define EXT_RENEGOTIATION_INFO 0xff01

static int ext_pos(const struct u16list *l, uint16_t e)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (l->v[i] == e)
			return (int)i;
	return -1;
}

static bool has_ext(const struct u16list *l, uint16_t e)
{
	return ext_pos(l, e) >= 0;
}

/* The client's TLS library, from its ClientHello's extensions: JSSE sends
 * status_request_v2 or signature_algorithms_cert without encrypt_then_mac,
 * GnuTLS record_size_limit with encrypt_then_mac, OpenSSL encrypt_then_mac
 * right before extended_master_secret (or, without ETM, the renegotiation SCSV). */
static int client_impl(const struct client_hello *ch)
{
	if (!ch->present || ch->malformed || ch->sslv2)
		return IMPL_UNKNOWN;
	const struct u16list *e = &ch->extensions;
	if (has_ext(e, EXT_STATUS_REQUEST_V2) || (has_ext(e, EXT_SIG_ALGS_CERT) && !has_ext(e, EXT_ENCRYPT_THEN_MAC)))
		return IMPL_JSSE;
	if (has_ext(e, EXT_RECORD_SIZE_LIMIT))
		return has_ext(e, EXT_ENCRYPT_THEN_MAC) ? IMPL_GNUTLS : IMPL_UNKNOWN;
	if (has_ext(e, EXT_SIG_ALGS_CERT))
		return IMPL_UNKNOWN;
	int etm = ext_pos(e, EXT_ENCRYPT_THEN_MAC);
	if (etm >= 0 && ext_pos(e, EXT_EMS) == etm + 1)
		return IMPL_OPENSSL;
	if (etm < 0 && has_ext(e, EXT_EMS) && ch->scsv_renegotiation)
		return IMPL_OPENSSL;
	return IMPL_UNKNOWN;
}

/* Which OpenSSL application: curl sends no session_ticket, python's ssl pads, s_client does neither. */
static const char *openssl_client_app(const struct client_hello *ch)
{
	if (!has_ext(&ch->extensions, EXT_SESSION_TICKET))
		return "curl";
	return has_ext(&ch->extensions, EXT_PADDING) ? "python" : "s_client";
}

/* The server's library, from its ServerHello: GnuTLS sends record_size_limit,
 * or key_share before supported_versions; in TLS 1.2 OpenSSL starts with
 * renegotiation_info, JSSE ends with it. (A TLS 1.3 ServerHello of OpenSSL and
 * JSSE look alike.) */
static int server_impl(const struct session *s)
{
	const struct server_hello *sh = &s->sh;
	if (!sh->present || sh->malformed || !sh->extensions.n)
		return IMPL_UNKNOWN;
	const struct u16list *e = &sh->extensions;
	int ks = ext_pos(e, EXT_KEY_SHARE), sv = ext_pos(e, EXT_SUPPORTED_VERSIONS);
	if (has_ext(e, EXT_RECORD_SIZE_LIMIT) || (ks >= 0 && sv > ks))
		return IMPL_GNUTLS;
	if (s->tls13)
		return IMPL_UNKNOWN;
	if (e->v[0] == EXT_RENEGOTIATION_INFO)
		return IMPL_OPENSSL;
	if (e->v[e->n - 1] == EXT_RENEGOTIATION_INFO)
		return IMPL_JSSE;
	return IMPL_UNKNOWN;
}

/* ---- the lines ---- */

enum when { W_ANY = 0, W_ABORTED, W_COMPLETED, W_VERSION /* aborted with protocol_version */ };
enum by { BY_VERIFIER = 0, BY_SELF };

/* What the software on one side logs for a finding. app: for OpenSSL
 * clients, the application whose wording this is (NULL: all of them);
 * %s in line: the name the client asked for. */
struct logged {
	const char *id;
	uint8_t side;        /* the side whose software logs it (SIDE_BOTH: either) */
	uint8_t by;          /* enum by: the side that judged the finding's side, or the finding's side itself */
	uint8_t impl;
	uint8_t when;        /* enum when: of the handshake */
	const char *app;
	const char *software;
	const char *line;
};

#define PKIX "javax.net.ssl.SSLHandshakeException: PKIX path building failed: " \
	     "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to " \
	     "requested target"
#define NO_ISSUER "unable to get local issuer certificate"

static const struct logged logged[] = {
	{ "hostname-mismatch", SIDE_CLIENT, BY_VERIFIER, IMPL_JSSE, W_ANY, NULL, "Java (JSSE)",
	  "javax.net.ssl.SSLHandshakeException: No subject alternative DNS name matching %s found." },
	{ "hostname-mismatch", SIDE_CLIENT, BY_VERIFIER, IMPL_OPENSSL, W_ANY, "curl", "curl (OpenSSL)",
	  "curl: (60) SSL: no alternative certificate subject name matches target host name '%s'" },
	{ "hostname-mismatch", SIDE_CLIENT, BY_VERIFIER, IMPL_OPENSSL, W_ANY, "python", "python ssl (OpenSSL)",
	  "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname "
	  "mismatch, certificate is not valid for '%s'." },
	{ "hostname-mismatch", SIDE_CLIENT, BY_VERIFIER, IMPL_OPENSSL, W_ANY, "s_client", "openssl s_client",
	  "verify error:num=62:hostname mismatch" },
	{ "server-chain-incomplete", SIDE_CLIENT, BY_VERIFIER, IMPL_JSSE, W_ANY, NULL, "Java (JSSE)", PKIX },
	{ "server-chain-incomplete", SIDE_CLIENT, BY_VERIFIER, IMPL_OPENSSL, W_ANY, "curl", "curl (OpenSSL)",
	  "curl: (60) SSL certificate problem: " NO_ISSUER },
	{ "server-chain-incomplete", SIDE_CLIENT, BY_VERIFIER, IMPL_OPENSSL, W_ANY, "python", "python ssl (OpenSSL)",
	  "certificate verify failed: " NO_ISSUER },
	{ "server-chain-incomplete", SIDE_CLIENT, BY_VERIFIER, IMPL_OPENSSL, W_ANY, "s_client", "openssl s_client",
	  "verify error:num=20:" NO_ISSUER },
	{ "cert-self-signed", SIDE_CLIENT, BY_VERIFIER, IMPL_JSSE, W_ANY, NULL, "Java (JSSE)", PKIX },
	{ "cert-self-signed", SIDE_CLIENT, BY_VERIFIER, IMPL_OPENSSL, W_ANY, "curl", "curl (OpenSSL)",
	  "curl: (60) SSL certificate problem: self-signed certificate" },
	{ "cert-self-signed", SIDE_CLIENT, BY_VERIFIER, IMPL_OPENSSL, W_ANY, "python", "python ssl (OpenSSL)",
	  "certificate verify failed: self-signed certificate" },
	{ "cert-self-signed", SIDE_CLIENT, BY_VERIFIER, IMPL_OPENSSL, W_ANY, "s_client", "openssl s_client",
	  "verify error:num=18:self-signed certificate" },
	{ "chain-untrusted", SIDE_CLIENT, BY_VERIFIER, IMPL_JSSE, W_ANY, NULL, "Java (JSSE)", PKIX },
	{ "chain-untrusted", SIDE_CLIENT, BY_VERIFIER, IMPL_OPENSSL, W_ANY, "curl", "curl (OpenSSL)",
	  "curl: (60) SSL certificate problem: " NO_ISSUER },
	{ "chain-untrusted", SIDE_CLIENT, BY_VERIFIER, IMPL_OPENSSL, W_ANY, "s_client", "openssl s_client",
	  "verify error:num=20:" NO_ISSUER },
	{ "chain-untrusted", SIDE_SERVER, BY_VERIFIER, IMPL_NGINX, W_COMPLETED, NULL, "nginx (error.log, info)",
	  "client SSL certificate verify error:" },
	{ "client-cert-issuer-not-requested", SIDE_SERVER, BY_VERIFIER, IMPL_OPENSSL, W_ABORTED, NULL, "OpenSSL",
	  "tls_process_client_certificate:certificate verify failed" },
	{ "client-cert-issuer-not-requested", SIDE_SERVER, BY_VERIFIER, IMPL_NGINX, W_COMPLETED, NULL, "nginx (error.log, info)",
	  "client SSL certificate verify error:" },
	{ "client-cert-unsuitable", SIDE_SERVER, BY_VERIFIER, IMPL_OPENSSL, W_ANY, NULL, "openssl s_server",
	  "verify error:num=26:unsuitable certificate purpose" },
	{ "cert-expired", SIDE_BOTH, BY_VERIFIER, IMPL_OPENSSL, W_ANY, "s_client", "openssl s_client / s_server",
	  "verify error:num=10:certificate has expired" },
	{ "client-cert-empty", SIDE_SERVER, BY_VERIFIER, IMPL_OPENSSL, W_ABORTED, NULL, "OpenSSL",
	  "tls_process_client_certificate:peer did not return a certificate" },
	{ "client-cert-empty", SIDE_SERVER, BY_VERIFIER, IMPL_JSSE, W_ABORTED, NULL, "Java (JSSE)",
	  "javax.net.ssl.SSLHandshakeException: Empty client certificate chain" },
	{ "client-cert-empty", SIDE_SERVER, BY_VERIFIER, IMPL_GNUTLS, W_ABORTED, NULL, "GnuTLS (gnutls-serv)",
	  "Error in handshake: No certificate was found." },
	{ "client-cert-empty", SIDE_SERVER, BY_VERIFIER, IMPL_NGINX, W_COMPLETED, NULL, "nginx (error.log, info; HTTP 400)",
	  "client sent no required SSL certificate while reading client request headers" },
	{ "client-cert-missing", SIDE_SERVER, BY_VERIFIER, IMPL_OPENSSL, W_ABORTED, NULL, "OpenSSL",
	  "tls_process_client_certificate:peer did not return a certificate" },
	{ "client-cert-missing", SIDE_SERVER, BY_VERIFIER, IMPL_NGINX, W_COMPLETED, NULL, "nginx (error.log, info; HTTP 400)",
	  "client sent no required SSL certificate while reading client request headers" },
	{ "version-or-cipher-mismatch", SIDE_SERVER, BY_SELF, IMPL_OPENSSL, W_VERSION, NULL, "OpenSSL",
	  "tls_early_post_process_client_hello:unsupported protocol" },
	{ "not-tls", SIDE_SERVER, BY_VERIFIER, IMPL_OPENSSL, W_ANY, NULL, "OpenSSL", "ssl3_get_record:http request" },
	{ "not-tls", SIDE_SERVER, BY_VERIFIER, IMPL_NGINX, W_ANY, NULL, "nginx (error.log, info; HTTP 400)",
	  "client sent plain HTTP request to HTTPS port while reading client request headers" },
};

/* How the receiver of an alert reports it. fmt's %s: the alert's name. */
struct received {
	uint8_t desc;
	uint8_t impl;
	const char *software;
	const char *line;
};

static const struct received received[] = {
	{ TLS_ALERT_BAD_CERTIFICATE, IMPL_OPENSSL, "OpenSSL", "sslv3 alert bad certificate" },
	{ TLS_ALERT_UNSUPPORTED_CERTIFICATE, IMPL_OPENSSL, "OpenSSL", "sslv3 alert unsupported certificate" },
	{ TLS_ALERT_CERTIFICATE_EXPIRED, IMPL_OPENSSL, "OpenSSL", "sslv3 alert certificate expired" },
	{ TLS_ALERT_CERTIFICATE_UNKNOWN, IMPL_OPENSSL, "OpenSSL", "sslv3 alert certificate unknown" },
	{ TLS_ALERT_UNKNOWN_CA, IMPL_OPENSSL, "OpenSSL", "tlsv1 alert unknown ca" },
	{ TLS_ALERT_PROTOCOL_VERSION, IMPL_OPENSSL, "OpenSSL", "tlsv1 alert protocol version" },
	{ TLS_ALERT_CERTIFICATE_REQUIRED, IMPL_OPENSSL, "OpenSSL", "tlsv13 alert certificate required" },
	{ TLS_ALERT_BAD_CERTIFICATE, IMPL_JSSE, "Java (JSSE)", "Received fatal alert: %s" },
	{ TLS_ALERT_UNKNOWN_CA, IMPL_JSSE, "Java (JSSE)", "Received fatal alert: %s" },
	{ TLS_ALERT_PROTOCOL_VERSION, IMPL_JSSE, "Java (JSSE)", "Received fatal alert: %s" },
	{ TLS_ALERT_CERTIFICATE_REQUIRED, IMPL_JSSE, "Java (JSSE)", "Received fatal alert: %s" },
	{ TLS_ALERT_HANDSHAKE_FAILURE, IMPL_GNUTLS, "GnuTLS (gnutls-cli)", "*** Received alert [40]: Handshake failed" },
	{ TLS_ALERT_DECODE_ERROR, IMPL_GNUTLS, "GnuTLS (gnutls-cli)", "*** Received alert [50]: Decode error" },
	{ TLS_ALERT_CERTIFICATE_REQUIRED, IMPL_GNUTLS, "GnuTLS (gnutls-cli)",
	  "*** Received alert [116]: Certificate is required" },
};

/* The software of side: its library, and for an OpenSSL client the application. */
struct side_sw {
	int impl;
	const char *app;
};

static struct side_sw software_of(const struct session *s, int side)
{
	struct side_sw w = { IMPL_UNKNOWN, NULL };
	if (side == SIDE_CLIENT) {
		w.impl = client_impl(&s->ch);
		if (w.impl == IMPL_OPENSSL)
			w.app = openssl_client_app(&s->ch);
	} else {
		w.impl = server_impl(s);
	}
	return w;
}

/* Does row r fit side's software? nginx is an OpenSSL server whose own lines
 * apply only where it lets the handshake complete and answers in HTTP. */
static bool fits(const struct session *s, const struct logged *r, int side, struct side_sw w, bool done)
{
	if ((r->when == W_ABORTED && done) || (r->when == W_COMPLETED && !done))
		return false;
	if (r->when == W_VERSION) {
		const struct alert *a = diag_failure_alert(s, side, 0);
		if (!a || a->encrypted || a->desc != TLS_ALERT_PROTOCOL_VERSION)
			return false;
	}
	if (r->side != SIDE_BOTH && r->side != side)
		return false;
	if (r->impl == IMPL_NGINX)
		return w.impl == IMPL_OPENSSL || w.impl == IMPL_UNKNOWN;
	if (w.impl == IMPL_UNKNOWN)
		return true;   /* every candidate, each named */
	return r->impl == w.impl && (!r->app || !w.app || !strcmp(r->app, w.app));
}

/* The name the client asked for, as the report shows it. */
static void asked_name(struct diag *c, char *buf, size_t len)
{
	const struct session *s = c->s;
	if (c->o->hostname)
		fmt_sni(buf, len, c->o->hostname, strlen(c->o->hostname));
	else if (s->ch.has_sni)
		fmt_sni(buf, len, s->ch.sni, s->ch.sni_len);
	else
		snprintf(buf, len, "?");
}

static void add_line(struct diag *c, struct finding *f, int side, bool identified, const char *software,
		     const char *tmpl, const char *arg)
{
	struct strbuf b = { 0 };
	const char *mark = strstr(tmpl, "%s");
	if (mark)
		sb_printf(&b, "%.*s%s%s", (int)(mark - tmpl), tmpl, arg, mark + 2);
	else
		sb_printf(&b, "%s", tmpl);
	if (b.p)
		finding_add_log(c->out, f, side, identified, software, b.p);
	sb_free(&b);
}

/* Did the side that logs a reason act on it? A finding about a handshake
 * the side let go on (a private CA it trusts, a store given that differs
 * from its own) was logged by no one, unless the side reset the connection
 * right away (curl checks the name after the handshake), or the row is for
 * software that logs it and answers in HTTP (nginx). */
static bool acted(const struct diag *c, const struct finding *f, const struct logged *r, int side)
{
	const struct session *s = c->s;
	uint64_t frame;
	if (r->when == W_COMPLETED)
		return f->severity >= SEV_WARNING;
	/* curl logs the first check that failed, and its chain check comes first: a warning
	 * (another trust store than curl's) next to an error about the same side is not it */
	bool first_only = r->app && !strcmp(r->app, "curl") && f->severity < SEV_ERROR;
	for (uint32_t i = 0; i < c->out->n && first_only; i++)
		if (c->out->v[i].severity == SEV_ERROR && c->out->v[i].side == f->side)
			return false;
	if (diag_aborted_by(s, side, 0, &frame))
		return true;
	return !strcmp(f->id, "hostname-mismatch") && s->close_kind == CLOSE_RST && s->closed_by == side;
}

/* The verifier's own reason for f. */
static void reason_lines(struct diag *c, struct finding *f, bool done)
{
	char name[FMT_SNI_LEN];
	asked_name(c, name, sizeof name);
	for (size_t i = 0; i < sizeof logged / sizeof logged[0]; i++) {
		const struct logged *r = &logged[i];
		if (strcmp(r->id, f->id) != 0)
			continue;
		int side = r->by == BY_SELF ? f->side : 1 - f->side;
		struct side_sw w = software_of(c->s, side);
		if (fits(c->s, r, side, w, done) && acted(c, f, r, side))
			add_line(c, f, side, w.impl != IMPL_UNKNOWN && r->impl != IMPL_NGINX, r->software, r->line, name);
	}
}

/* How the peer of the alert's sender reports the alert it received. */
static void received_lines(struct diag *c, struct finding *f, const struct alert *a)
{
	int side = 1 - a->from;
	struct side_sw w = software_of(c->s, side);
	for (size_t i = 0; i < sizeof received / sizeof received[0]; i++) {
		const struct received *r = &received[i];
		if (r->desc == a->desc && (w.impl == IMPL_UNKNOWN || w.impl == r->impl))
			add_line(c, f, side, w.impl != IMPL_UNKNOWN, r->software, r->line, alert_name(a->desc));
	}
}

void diag_logged(struct diag *c)
{
	const struct session *s = c->s;
	bool done = diag_handshake_done(s);
	for (uint32_t i = 0; i < c->out->n; i++) {
		struct finding *f = &c->out->v[i];
		if (f->severity == SEV_INFO || f->side == SIDE_BOTH)
			continue;
		if (!strcmp(f->id, "alert")) {
			/* the alert finding's side is its sender; its first frame the alert */
			for (uint32_t k = 0; k < s->alerts_n; k++) {
				const struct alert *a = &s->alerts[k];
				if (!a->encrypted && a->from == f->side && f->n_frames && a->frame == f->frames[0]) {
					received_lines(c, f, a);
					break;
				}
			}
			continue;
		}
		reason_lines(c, f, done);
		/* and the peer's report of the alert that ended the handshake after it */
		const struct alert *a = diag_failure_alert(s, 1 - f->side, 0);
		if (f->severity == SEV_ERROR && a && !a->encrypted && strcmp(f->id, "version-or-cipher-mismatch"))
			received_lines(c, f, a);
		else if (f->severity == SEV_ERROR && !strcmp(f->id, "version-or-cipher-mismatch") &&
			 (a = diag_failure_alert(s, f->side, 0)) && !a->encrypted)
			received_lines(c, f, a);
	}
}
