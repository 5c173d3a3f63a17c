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
			   "application data: the %s ended the connection right after it with %s (frame %" PRIu64 ").",
		  s->handshake_done_frame, by, s->rejected_alert ? "an encrypted alert" : "its close",
		  s->rejected_frame);
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
			   " record%s (frame %" PRIu64 ") and %s (frame %" PRIu64 ") before the "
			   "client sent more: it refused the request after the handshake.",
		  s->dir[SIDE_SERVER].appdata_bytes, s->dir[SIDE_SERVER].appdata_records,
		  diag_plural((int64_t)s->dir[SIDE_SERVER].appdata_records), app_frame,
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

void rule_rejected_after_handshake(struct diag *c)
{
	const struct session *s = c->s;
	struct draft t = { 0 };
	uint64_t app_frame = 0, end = 0;
	int side;
	if (s->rejected_after_handshake) {
		ended_by_alert_or_close(c, &t);
		side = s->rejected_by;
		end = s->rejected_frame;
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
