/* tls13_infer.c - what TLS 1.3 record sizes prove when the handshake cannot be decrypted.
 *
 * The arithmetic is RFC 8446's: a record carries its plaintext, one byte of
 * inner content type, optional zero padding and the AEAD tag (§5.2). The
 * only padding recognised is the 16 bytes Java's JSSE adds to every record;
 * any other makes the sizes stop fitting, and then nothing is inferred.
 */
#include "tls13_infer.h"

#include <inttypes.h>
#include <string.h>

#include "tls_suite.h"

enum { C = 0, S = 1 };   /* enum side, without session.h */

bool t13_sizes_of(uint16_t suite, struct t13_sizes *z)
{
	const struct tls_suite *s = tls_suite_find(suite);
	memset(z, 0, sizeof *z);
	if (!s || s->kx != TLS_KX_TLS13)
		return false;
	const struct tls_cipher_info *ci = tls_cipher_info(s->cipher);
	if (!ci->aead || ci->tag_len == 0)
		return false;
	if (s->prf == TLS_PRF_SHA256)
		z->hash_len = 32;
	else if (s->prf == TLS_PRF_SHA384)
		z->hash_len = 48;
	else
		return false;
	z->suite = suite;
	z->tag_len = ci->tag_len;
	return true;
}

uint32_t t13_record_len(const struct t13_sizes *z, uint32_t plaintext, uint32_t pad)
{
	return plaintext + 1u + pad + z->tag_len;
}

uint32_t t13_finished_len(const struct t13_sizes *z)
{
	return 4u + z->hash_len;
}

/* The plaintext of a record under a padding, -1 when it cannot hold one. */
static int64_t plain(const struct t13_sizes *z, uint32_t len, uint32_t pad)
{
	uint32_t ov = 1u + pad + z->tag_len;
	return len > ov ? (int64_t)len - ov : -1;
}

static bool alert_sized(const struct t13_sizes *z, uint32_t len, uint32_t pad)
{
	return plain(z, len, pad) == T13_ALERT;
}

/* Alert-sized under the side's padding, or under either when it is not known. */
static bool side_alert_sized(const struct t13_input *in, const struct t13_view *v, int side, uint32_t len)
{
	if (v->pad_known[side])
		return alert_sized(&in->z, len, v->pad[side]);
	return alert_sized(&in->z, len, 0) || alert_sized(&in->z, len, T13_JSSE_PAD);
}

/* The server's flight: its records before the client's first one. Its last
 * record, when it holds the Finished alone, tells the server's padding. */
static void server_flight(const struct t13_input *in, struct t13_view *v)
{
	uint32_t cseq = in->n[C] ? in->rec[C][0].seq : UINT32_MAX;
	const struct t13_rec *s = in->rec[S];
	while (v->sflight_n < in->n[S] && s[v->sflight_n].seq < cseq)
		v->sflight_n++;
	if (!v->sflight_n)
		return;
	const struct t13_rec *last = &s[v->sflight_n - 1];
	v->sflight_frame = last->frame;
	for (uint32_t pad = 0; pad <= T13_JSSE_PAD; pad += T13_JSSE_PAD)
		if (plain(&in->z, last->len, pad) == t13_finished_len(&in->z)) {
			v->pad[S] = pad;
			v->pad_known[S] = true;
			return;
		}
}

/* The client's second flight under one padding: how many records it takes (0: it does not fit). */
static uint32_t client_flight_with(const struct t13_input *in, uint32_t pad, struct t13_view *v)
{
	const struct t13_sizes *z = &in->z;
	const struct t13_rec *c = in->rec[C];
	uint32_t n = in->n[C];
	int64_t fin = t13_finished_len(z);
	int64_t r0 = plain(z, c[0].len, pad);
	int64_t r1 = n > 1 ? plain(z, c[1].len, pad) : -1;
	int64_t r2 = n > 2 ? plain(z, c[2].len, pad) : -1;
	if (r0 == fin) {
		v->client_cert = in->resumed ? T13_CERT_UNKNOWN : T13_CERT_NONE;
		return 1;
	}
	if (in->resumed)
		return 0;   /* no certificates in a PSK handshake */
	if (r0 == T13_EMPTY_CERT + fin) {
		v->client_cert = T13_CERT_EMPTY;
		return 1;
	}
	if (r0 == T13_EMPTY_CERT && r1 == fin) {
		v->client_cert = T13_CERT_EMPTY;
		return 2;
	}
	if (r0 > T13_EMPTY_CERT && r1 >= T13_CV_MIN && r1 <= T13_CV_MAX && r2 == fin) {
		v->client_cert = T13_CERT_SENT;
		v->cert_len = (uint32_t)r0;
		return 3;
	}
	return 0;
}

static bool client_flight(const struct t13_input *in, struct t13_view *v)
{
	for (uint32_t pad = 0; pad <= T13_JSSE_PAD; pad += T13_JSSE_PAD) {
		uint32_t k = client_flight_with(in, pad, v);
		if (!k)
			continue;
		v->pad[C] = pad;
		v->pad_known[C] = true;
		v->cflight_n = k;
		for (uint32_t i = 0; i < k; i++)
			v->cflight_len[i] = in->rec[C][i].len;
		v->cflight_first = in->rec[C][0].frame;
		v->cflight_frame = in->rec[C][k - 1].frame;
		v->cfin_seq = in->rec[C][k - 1].seq;
		v->client_finished = true;
		return true;
	}
	v->client_cert = T13_CERT_UNKNOWN;
	return false;
}

/* The first frame where side ended: its closing alert-sized record, else its close (0: never). */
struct side_end {
	uint64_t frame;
	uint32_t seq;            /* of the closing alert, UINT32_MAX: none */
	uint32_t alert_len;
};

/* When a side that closed began to: its last record if alert-sized (its
 * closing alert), else its FIN or RST; 0 if it did not close. */
static uint64_t close_begun(const struct t13_input *in, const struct t13_view *v, int side)
{
	uint32_t n = in->n[side];
	if (!in->closed[side])
		return 0;
	const struct t13_rec *last = n ? &in->rec[side][n - 1] : NULL;
	if (last && in->total[side] == n && last->frame <= in->close_frame[side] &&
	    side_alert_sized(in, v, side, last->len))
		return last->frame;
	return in->close_frame[side];
}

/* Does a side's last record close it (alert-sized, nothing after it in the log, then its close)? */
static struct side_end side_end_of(const struct t13_input *in, const struct t13_view *v, int side, uint32_t first)
{
	struct side_end e = { 0, UINT32_MAX, 0 };
	uint32_t n = in->n[side];
	/* the alert ends the side once it closed, or when it answers the other side's
	 * close, its closing alert or its FIN or RST (a server answering a close_notify
	 * before the client's reset); live, more may follow */
	const struct t13_rec *last = n ? &in->rec[side][n - 1] : NULL;
	uint64_t other = close_begun(in, v, 1 - side);
	bool ended = in->closed[side] || (other && last && other < last->frame);
	if (n > first && in->total[side] == n && ended && side_alert_sized(in, v, side, last->len)) {
		e.frame = in->rec[side][n - 1].frame;
		e.seq = in->rec[side][n - 1].seq;
		e.alert_len = in->rec[side][n - 1].len;
	}
	if (!e.frame && in->closed[side])
		e.frame = in->close_frame[side];
	return e;
}

/* Server records after the client's Finished that have one size, before the
 * client's data: NewSessionTickets (not application data). */
static uint32_t count_tickets(const struct t13_input *in, struct t13_view *v, uint32_t s0, uint32_t cdata_seq)
{
	const struct t13_rec *s = in->rec[S];
	if (s0 >= in->n[S] || s[s0].seq > cdata_seq || side_alert_sized(in, v, S, s[s0].len))
		return 0;
	uint32_t k = 0;
	while (k < T13_MAX_NST && s0 + k < in->n[S] && s[s0 + k].len == s[s0].len)
		k++;
	v->nst = k;
	v->nst_len = s[s0].len;
	return k;
}

static void fail(struct t13_view *v, int pattern, int by, uint64_t frame)
{
	v->pattern = pattern;
	v->failed = true;
	v->ended_by = by;
	v->end_frame = frame;
}

/* The server's alert-sized record ended it. */
static void server_alert(struct t13_view *v, uint64_t frame, uint32_t len)
{
	fail(v, T13_SERVER_ALERT, S, frame);
	v->alert_from = S;
	v->alert_frame = frame;
	v->alert_len = len;
}

/* nginx with ssl_verify_client on: after an empty Certificate it answers the
 * first request with HTTP 400 and closes, before the client says more. */
static bool rejected_request(const struct t13_input *in, struct t13_view *v, uint32_t c0, uint32_t s0,
			     const struct side_end *ce, const struct side_end *se)
{
	if (v->client_cert != T13_CERT_EMPTY || v->app[C] < 1 || v->app[S] != 1)
		return false;
	if (!se->frame || (ce->frame && ce->frame < se->frame))
		return false;   /* the server did not end it first */
	const struct t13_rec *resp = &in->rec[S][s0];
	int64_t pt = plain(&in->z, resp->len, v->pad[S]);
	if (pt < 0 || pt > 4096)
		return false;
	for (uint32_t i = c0; i < in->n[C]; i++)
		if (in->rec[C][i].seq > resp->seq && in->rec[C][i].seq != ce->seq)
			return false;   /* the client went on after the answer */
	v->response_frame = resp->frame;
	v->response_len = resp->len;
	fail(v, T13_SERVER_REJECTED_REQUEST, S, in->closed[S] ? in->close_frame[S] : se->frame);
	return true;
}

/* The server's first record after the client's Finished (n[S]: none). */
static uint32_t server_after_finished(const struct t13_input *in, const struct t13_view *v)
{
	uint32_t i = 0;
	while (i < in->n[S] && in->rec[S][i].seq < v->cfin_seq)
		i++;
	return i;
}

/* Neither side closed. The server's only record after the client's
 * Finished, of an alert's size, is its verdict on that flight (no ticket or
 * data is that small); the capture ends before its close. */
static bool open_alert(const struct t13_input *in, struct t13_view *v)
{
	const struct t13_rec *s = in->rec[S];
	uint32_t i = server_after_finished(in, v);
	if (i + 1 != in->n[S] || in->total[S] != in->n[S] || !side_alert_sized(in, v, S, s[i].len))
		return false;
	server_alert(v, s[i].frame, s[i].len);
	v->unclosed = true;
	return true;
}

/* Neither side closed, no alert: the server's tickets or data accept the
 * flight; nothing, or the client's data or alert-sized record alone, leaves
 * the end of the handshake unknown. */
static void open_end(const struct t13_input *in, struct t13_view *v)
{
	const struct t13_rec *s = in->rec[S], *c = in->rec[C];
	uint32_t i = server_after_finished(in, v);
	v->pattern = T13_OPEN;
	v->answered = i < in->n[S] || in->total[S] > in->n[S];
	/* the client's only word, alert-sized, before the server's: it may have refused */
	uint32_t c0 = v->cflight_n;
	if (v->answered && i < in->n[S] && c0 + 1 == in->n[C] && in->total[C] == in->n[C] &&
	    side_alert_sized(in, v, C, c[c0].len) && c[c0].seq < s[i].seq)
		v->answered = false;
}

/* Java writes its Certificate and its Finished in two segments: a server
 * that rejects the Certificate answers between them, and its alert-sized
 * record, its only one after its flight, comes before the client's Finished. */
static bool alert_in_client_flight(const struct t13_input *in, struct t13_view *v)
{
	const struct t13_rec *s = in->rec[S];
	uint32_t i = v->sflight_n;
	if (v->cflight_n < 2 || i + 1 != in->n[S] || in->total[S] != in->n[S] || s[i].seq > v->cfin_seq ||
	    !side_alert_sized(in, v, S, s[i].len))
		return false;
	server_alert(v, s[i].frame, s[i].len);
	v->alert_in_cflight = true;
	v->unclosed = !in->closed[S] && !in->closed[C];
	return true;
}

/* After the client's Finished: tickets, data, and who ended it. */
static void after_finished(const struct t13_input *in, struct t13_view *v)
{
	if (alert_in_client_flight(in, v))
		return;
	uint32_t c0 = v->cflight_n, s0 = 0;
	while (s0 < in->n[S] && in->rec[S][s0].seq < v->cfin_seq)
		s0++;
	/* the client's first data; its closing alert is none (tickets may follow it) */
	struct side_end ce = side_end_of(in, v, C, c0);
	uint32_t cdata_seq = c0 < in->n[C] && in->rec[C][c0].seq != ce.seq ? in->rec[C][c0].seq : UINT32_MAX;
	s0 += count_tickets(in, v, s0, cdata_seq);
	struct side_end se = side_end_of(in, v, S, s0);
	v->app[C] = in->total[C] - c0 - (ce.seq != UINT32_MAX);
	v->app[S] = in->total[S] - s0 - (se.seq != UINT32_MAX);
	bool c_first = ce.frame && (!se.frame || ce.frame < se.frame ||
				    (ce.frame == se.frame && ce.seq < se.seq));
	if (rejected_request(in, v, c0, s0, &ce, &se))
		return;
	if (!ce.frame && !se.frame && open_alert(in, v))
		return;   /* the client's data before it is no answer of the server's */
	if (!ce.frame && !se.frame && c0 + 1 == in->n[C] && in->total[C] == in->n[C] &&
	    side_alert_sized(in, v, C, in->rec[C][c0].len)) {
		open_end(in, v);   /* the client's alert-sized record is no data */
		return;
	}
	if (v->app[C] && v->app[S]) {
		v->pattern = T13_COMPLETED;
		return;
	}
	/* the server's first record after the Finished (a ticket, an answer, an alert) */
	uint64_t s_next = 0;
	for (uint32_t i = 0; i < in->n[S] && !s_next; i++)
		if (in->rec[S][i].seq > v->cfin_seq)
			s_next = in->rec[S][i].frame;
	if (!v->app[S] && se.seq != UINT32_MAX && (!c_first || v->app[C])) {
		/* the server's only word after the client's flight (and its data) is an alert */
		server_alert(v, se.frame, se.alert_len);
	} else if (c_first && !v->app[C] && !v->app[S] && ce.seq != UINT32_MAX && in->reset[C]) {
		/* its close_notify without a request, and a reset for what the server sent after it:
		 * it closed the socket at once (curl rejecting the name after the tickets came) */
		fail(v, T13_CLIENT_CLOSED_AFTER_FINISHED, C, ce.frame);
	} else if (c_first && !v->app[C] && !v->app[S] && ce.seq != UINT32_MAX && se.seq != UINT32_MAX &&
		   se.seq > ce.seq) {
		/* close_notify answered by close_notify (openssl s_client with stdin at EOF): a
		 * client that rejects the server sends a fatal alert, which gets no answer */
		v->pattern = T13_NO_DATA;
	} else if (c_first && !v->app[C] && !v->app[S] && ce.seq != UINT32_MAX && !in->reset[C] && in->closed[S] &&
		   in->close_frame[S] > ce.frame) {
		/* the client's close_notify, then it read the server's tickets until the server's
		 * close: a graceful end (curl, rejecting, resets on what comes after its close) */
		v->pattern = T13_NO_DATA;
	} else if (c_first && !v->app[C] && (!s_next || ce.frame <= s_next)) {
		fail(v, T13_CLIENT_CLOSED_AFTER_FINISHED, C, ce.frame);
	} else if (c_first && !v->app[C] && !v->app[S]) {
		v->pattern = T13_NO_DATA;   /* it waited for the tickets, then closed: a session-ticket fetch */
	} else if (se.frame && !c_first && !v->app[S]) {
		fail(v, T13_SERVER_CLOSED_AFTER_FINISHED, S, se.frame);
	} else if (!ce.frame && !se.frame) {
		open_end(in, v);
	} else {
		v->pattern = T13_UNKNOWN;
	}
	if (v->ended_by == C && ce.seq != UINT32_MAX) {
		v->alert_from = C;
		v->alert_frame = ce.frame;
		v->alert_len = ce.alert_len;
	}
}

void t13_infer(const struct t13_input *in, struct t13_view *v)
{
	memset(v, 0, sizeof *v);
	v->ended_by = -1;
	v->alert_from = -1;
	if (!in->z.tag_len || in->lost || in->early_data)
		return;
	server_flight(in, v);
	if (!v->sflight_n)
		return;   /* the server sent nothing encrypted: the ServerHello rules speak */
	if (!in->n[C]) {
		int by = -1;
		for (int side = 0; side < 2; side++)
			if (in->closed[side] && (by < 0 || in->close_frame[side] < in->close_frame[by]))
				by = side;
		if (by >= 0)
			fail(v, T13_CLOSED_BEFORE_FINISHED, by, in->close_frame[by]);
		else
			v->pattern = T13_OPEN;
		return;
	}
	for (uint32_t pad = 0; pad <= T13_JSSE_PAD; pad += T13_JSSE_PAD) {
		if (in->total[C] == 1 && alert_sized(&in->z, in->rec[C][0].len, pad)) {
			v->pad[C] = pad;
			v->pad_known[C] = true;
			fail(v, T13_CLIENT_ALERT, C, in->rec[C][0].frame);
			v->alert_from = C;
			v->alert_frame = in->rec[C][0].frame;
			v->alert_len = in->rec[C][0].len;
			return;
		}
	}
	if (!client_flight(in, v))
		return;
	after_finished(in, v);
}

/* ---- the arithmetic, in words ---- */

static void overhead(struct strbuf *b, const struct t13_input *in, uint32_t pad)
{
	sb_printf(b, " + 1 (content type)");
	if (pad)
		sb_printf(b, " + %" PRIu32 " (Java's zero padding)", pad);
	sb_printf(b, " + %u (AEAD tag)", in->z.tag_len);
}

void t13_explain_client_flight(struct strbuf *b, const struct t13_input *in, const struct t13_view *v)
{
	uint32_t fin = t13_finished_len(&in->z), pad = v->pad[C];
	const char *fin_txt = in->z.hash_len == 48 ? "Finished, 4 + 48-byte SHA-384 hash" : "Finished, 4 + 32-byte SHA-256 hash";
	for (uint32_t i = 0; i < v->cflight_n; i++) {
		uint32_t len = v->cflight_len[i];
		sb_printf(b, "%s%" PRIu32 " = ", i ? "; " : "", len);
		bool last = i + 1 == v->cflight_n;
		if (last && v->cflight_n == 1 && v->client_cert == T13_CERT_EMPTY)
			sb_printf(b, "%" PRIu32 " (empty Certificate, 8) + %" PRIu32 " (%s)", T13_EMPTY_CERT, fin, fin_txt);
		else if (last)
			sb_printf(b, "%" PRIu32 " (%s)", fin, fin_txt);
		else if (i == 0 && v->client_cert == T13_CERT_EMPTY)
			sb_printf(b, "%" PRIu32 " (empty Certificate: type, length, empty context, empty list)", T13_EMPTY_CERT);
		else if (i == 0)
			sb_printf(b, "%" PRIu32 " (Certificate)", len - 1u - pad - in->z.tag_len);
		else
			sb_printf(b, "%" PRIu32 " (CertificateVerify)", len - 1u - pad - in->z.tag_len);
		overhead(b, in, pad);
	}
}

void t13_explain_alert(struct strbuf *b, const struct t13_input *in, const struct t13_view *v)
{
	int side = v->alert_from < 0 ? C : v->alert_from;
	sb_printf(b, "%" PRIu32 " = %u (alert: level, description)", v->alert_len, T13_ALERT);
	overhead(b, in, v->pad[side]);
}

const char *t13_pattern_name(int pattern)
{
	switch (pattern) {
	case T13_COMPLETED: return "completed";
	case T13_OPEN: return "open";
	case T13_NO_DATA: return "handshake and tickets only, then the client's close";
	case T13_CLOSED_BEFORE_FINISHED: return "closed before the client's Finished";
	case T13_CLIENT_ALERT: return "client alert instead of Finished";
	case T13_SERVER_ALERT: return "server alert after the client's flight";
	case T13_CLIENT_CLOSED_AFTER_FINISHED: return "client closed right after its Finished";
	case T13_SERVER_CLOSED_AFTER_FINISHED: return "server closed right after the client's Finished";
	case T13_SERVER_REJECTED_REQUEST: return "short server response, then the server's close";
	default: return "unknown";
	}
}

const char *t13_view_name(const struct t13_view *v)
{
	if (v->pattern == T13_SERVER_ALERT && v->alert_in_cflight)
		return "server alert on the client's Certificate, before its Finished";
	return t13_pattern_name(v->pattern);
}
