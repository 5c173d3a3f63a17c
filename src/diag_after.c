/* diag_after.c - rules on a handshake that completed and was then refused.
 *
 * A "completed" handshake is no success when one side ends the connection
 * right after it: curl checks the host name after the handshake and sends
 * an alert, nginx with ssl_verify_client on answers the first request with
 * HTTP 400 inside TLS and closes. The finding says which side ended it,
 * with the frames; the client certificate and host name rules say why.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "http2.h"

/* A server that closes within this of its answer does not wait for the
 * client's next request: it refused the one it answered. */
#define CLOSE_AT_ONCE_SEC 0.05

static double seconds(const struct ts *later, const struct ts *earlier)
{
	return (double)(later->sec - earlier->sec) + ((double)later->nsec - (double)earlier->nsec) / 1e9;
}

/* When the server began to close: its first encrypted alert after its answer, else its FIN or RST. */
static bool server_close_time(const struct session *s, struct ts *t)
{
	const struct direction *sv = &s->dir[SIDE_SERVER];
	for (uint32_t i = 0; i < s->timeline_n; i++) {
		const struct msg *m = &s->timeline[i];
		if (m->from == SIDE_SERVER && m->kind == MSG_ENC_ALERT && m->frame >= sv->appdata_last_frame) {
			*t = m->time;
			return true;
		}
	}
	*t = sv->close_time;
	return sv->fin || sv->rst;
}

/* nginx with ssl_verify_client on: the handshake completes, the server
 * answers the first request with a short error page and closes at once;
 * decrypted, its HTTP 4xx status says so. */
bool diag_app_rejection(const struct session *s, uint64_t *frame)
{
	const struct direction *sv = &s->dir[SIDE_SERVER];
	struct ts closing;
	if (diag_handshake_done(s) && !s->rejected_after_handshake && s->http_status && s->http_status_code >= 400 &&
	    s->http_status_code < 500) {
		/* decrypted: the server's first answer is a refusal, whoever closed first (curl
		 * closes at once on nginx's "Connection: close") */
		*frame = s->http_status_frame;
		return true;
	}
	if (s->http_status && (s->http_status_code < 400 || s->http_status_code >= 500))
		return false;   /* decrypted, the server's answer says it served the request (or failed itself) */
	if (!server_close_time(s, &closing) || seconds(&closing, &sv->appdata_last_time) > CLOSE_AT_ONCE_SEC)
		return false;
	if (!diag_handshake_done(s) || s->rejected_after_handshake || sv->appdata_records == 0 ||
	    sv->appdata_records > 3 || sv->appdata_bytes > 4096)
		return false;
	if (!(sv->fin || sv->rst) || s->closed_by != SIDE_SERVER)
		return false;
	if (s->tls13 && (s->t13_inferred || s->server_chain.state != CHAIN_SEEN))
		return false;   /* opaque TLS 1.3 records mix tickets with data: tls13_infer.c judges them */
	*frame = sv->appdata_first_frame;
	return true;
}

void diag_h2_contents(struct strbuf *b, const struct session *s)
{
	/* the connection's own frames, in the order a server usually sends them (RFC 9113 §6) */
	static const unsigned control[] = { 4 /* SETTINGS */, 8 /* WINDOW_UPDATE */, 6 /* PING */, 2 /* PRIORITY */,
					    3 /* RST_STREAM */, 5 /* PUSH_PROMISE */, H2_TYPES /* other */ };
	if (!s->http2 || !s->h2_frames_read)
		return;
	sb_printf(b, "; HTTP/2: ");
	unsigned n = 0, listed = 0;
	for (size_t i = 0; i < sizeof control / sizeof control[0]; i++)
		n += s->h2_frames[control[i]] != 0;
	for (size_t i = 0; i < sizeof control / sizeof control[0]; i++) {
		unsigned t = control[i], k = s->h2_frames[t];
		if (!k)
			continue;
		listed++;
		sb_printf(b, "%s%u %s", listed == 1 ? "" : listed == n ? " and " : ", ", k,
			  t < H2_TYPES ? h2_frame_name(t) : "frames of other types");
		if (t == 4 && s->h2_settings_acks)
			sb_printf(b, " (%u an acknowledgement)", s->h2_settings_acks);
	}
	if (s->h2_response_stream) {
		sb_printf(b, "%sthe response on stream %" PRIu32 ": HEADERS with :status %u", n ? ", then " : "",
			  s->h2_response_stream, s->http_status_code);
		if (s->h2_response_data)
			sb_printf(b, " and %" PRIu32 " bytes of DATA", s->h2_response_data);
	} else if (!s->h2_goaway) {
		sb_printf(b, "%sno response", n ? ", " : "");
	}
	if (s->h2_goaway) {
		char err[64];
		h2_error_text(err, sizeof err, s->h2_goaway_error);
		sb_printf(b, "%sGOAWAY %s, last stream %" PRIu32, n || s->h2_response_stream ? ", then " : "", err,
			  s->h2_goaway_last_stream);
		/* the sentence names the answer's frame: the GOAWAY's, or the :status's */
		if (s->http_status && s->h2_goaway_frame != s->http_status_frame)
			sb_printf(b, " (frame %" PRIu64 ")", s->h2_goaway_frame);
	}
	if (s->h2_bytes < s->dir[SIDE_SERVER].appdata_bytes)
		sb_printf(b, "; %" PRIu64 " bytes after those frames were not read",
			  s->dir[SIDE_SERVER].appdata_bytes - s->h2_bytes);
}

/* Which findings explain a server's short answer and close as a rejection. */
static const char *app_rejection_reason(const struct diag *c)
{
	static const char *const ids[] = { "client-cert-empty", "client-cert-issuer-not-requested",
					   "client-cert-unsuitable" };
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		if (diag_has_finding(c->out, ids[i], SIDE_CLIENT))
			return ids[i];
	return NULL;
}

static void ended_by_alert_or_close(struct diag *c, struct draft *t)
{
	const struct session *s = c->s;
	const char *by = side_name(s->rejected_by);
	sb_printf(&t->sum, "The handshake completed (the last Finished at frame %" PRIu64 "), but the client sent no "
			   "application data: the %s ended the connection right after it with ",
		  s->handshake_done_frame, by);
	bool read = false;
	if (s->rejected_alert)
		read = diag_describe_rejection(&t->sum, s);
	else
		sb_printf(&t->sum, "its close");
	sb_printf(&t->sum, " (frame %" PRIu64 "%s).", s->rejected_frame, read ? ", decrypted" : "");
	if (s->rejected_by == SIDE_CLIENT) {
		sb_printf(&t->cause, "The client refused the server after the handshake: clients that check the host "
				     "name or the certificate once the handshake is done (curl: \"no alternative "
				     "certificate subject name matches target host name\"; applications with their own "
				     "pinning or name check) send an alert and close. A health check that tests the "
				     "handshake only looks the same.%s",
			  diag_has_finding(c->out, "hostname-mismatch", SIDE_SERVER)
				  ? " Here hostname-mismatch says why." : "");
		sb_printf(&t->fix, "Read the client's log at this time (curl prints the reason with -v); check the "
				   "server certificate's names against the name the client uses (--hostname).");
	} else {
		sb_printf(&t->cause, "The server refused the client right after the handshake without data: a check "
				     "after the handshake (client certificate, policy) or an internal error.");
		sb_printf(&t->fix, "Read the server's log at this time.");
	}
}

static void short_answer_and_close(struct diag *c, struct draft *t, const char *why, uint64_t app_frame,
				   uint64_t closed)
{
	const struct session *s = c->s;
	sb_printf(&t->sum, "The handshake completed, then the server answered with %" PRIu64 " bytes in %" PRIu64
			   " record%s (frame %" PRIu64, s->dir[SIDE_SERVER].appdata_bytes,
		  s->dir[SIDE_SERVER].appdata_records, diag_plural((int64_t)s->dir[SIDE_SERVER].appdata_records),
		  app_frame);
	diag_h2_contents(&t->sum, s);   /* the byte count holds the HTTP/2 connection's own frames too */
	sb_printf(&t->sum, ") and %s (frame %" PRIu64 ") before the client sent more: it refused the request after "
			   "the handshake.",
		  s->closed_by == SIDE_SERVER ? "closed the connection" : "the connection ended", closed);
	/* the page nginx answers for this reason; what the server logged is told once, by the reason's finding */
	bool none = !strcmp(why, "client-cert-empty");
	sb_printf(&t->cause, "The server checks the client certificate after the handshake, at the application level "
			     "(%s says what was wrong with it): nginx with ssl_verify_client on completes the handshake "
			     "and answers HTTP 400 (\"%s\") inside TLS, then closes.", why,
		  none ? "No required SSL certificate was sent" : "The SSL certificate error");
	sb_printf(&t->fix, "Give the client a certificate the server accepts (see %s); the server's error log at this "
			   "time names the reason.", why);
}

/* Decrypted HTTP/2: the server ended the connection with a GOAWAY that
 * carries an error code (RFC 9113 §6.8, §5.4.1: a connection error). */
static bool h2_goaway_error(const struct session *s)
{
	return diag_handshake_done(s) && s->http2 && s->h2_goaway && s->h2_goaway_error != 0 && !s->h2_response_stream;
}

static void goaway_refusal(struct diag *c, struct draft *t, uint64_t closed)
{
	const struct session *s = c->s;
	char err[64];
	h2_error_text(err, sizeof err, s->h2_goaway_error);
	sb_printf(&t->sum, "The handshake completed (ALPN h2), then the server ended the HTTP/2 connection with GOAWAY "
			   "%s%s: %" PRIu64 " bytes in %" PRIu64 " record%s (frame %" PRIu64, err,
		  s->h2_response_stream ? "" : " before it answered any request", s->dir[SIDE_SERVER].appdata_bytes,
		  s->dir[SIDE_SERVER].appdata_records, diag_plural((int64_t)s->dir[SIDE_SERVER].appdata_records),
		  s->h2_goaway_frame);
	diag_h2_contents(&t->sum, s);
	sb_printf(&t->sum, ") and %s (frame %" PRIu64 ").",
		  s->closed_by == SIDE_SERVER ? "closed the connection" : "the connection ended", closed);
	if (s->h2_goaway_error == 1 && !s->h2_response_stream)
		sb_printf(&t->cause, "A PROTOCOL_ERROR before any response: the client agreed to HTTP/2 in ALPN but did "
				     "not speak it (an HTTP/1.1 request instead of the connection preface, as a proxy "
				     "that passes the client's ALPN list through sends; nginx logs \"invalid connection "
				     "preface\"), or it sent a malformed frame.");
	else
		sb_printf(&t->cause, "The server found an HTTP/2 connection error (RFC 9113 §7: %s) in what the client "
				     "sent, or failed itself (INTERNAL_ERROR), and closed the connection.", err);
	sb_printf(&t->fix, "Make the client speak the protocol it negotiates: offer h2 in ALPN only when it sends "
			   "HTTP/2 (curl --http1.1 or a proxy's ALPN setting to offer http/1.1 only); the server's "
			   "error log names the frame it refused.");
}

void rule_rejected_after_handshake(struct diag *c)
{
	const struct session *s = c->s;
	struct draft t = DRAFT;
	uint64_t app_frame = 0, end = 0;
	int side;
	if (s->rejected_after_handshake) {
		ended_by_alert_or_close(c, &t);
		side = s->rejected_by;
		end = s->rejected_frame;
	} else if (h2_goaway_error(s) && !(app_rejection_reason(c) && diag_app_rejection(s, &app_frame))) {
		app_frame = s->h2_goaway_frame;
		end = diag_own_close_frame(s, SIDE_SERVER);
		goaway_refusal(c, &t, end);
		side = SIDE_SERVER;
	} else {
		const char *why = app_rejection_reason(c);
		if (!why || !diag_app_rejection(s, &app_frame))
			return;
		end = diag_own_close_frame(s, SIDE_SERVER);
		short_answer_and_close(c, &t, why, app_frame, end);
		side = SIDE_SERVER;
	}
	struct finding *f = draft_add(&t, c->out, "rejected-after-handshake", SEV_ERROR, side);
	finding_add_frame(f, s->handshake_done_frame);
	finding_add_frame(f, app_frame);
	finding_add_frame(f, end);
}
