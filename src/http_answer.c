/* http_answer.c - the server's HTTP answer inside TLS (http_answer.h). */
#include "http_answer.h"

#include <stdio.h>
#include <string.h>

#include "http2.h"
#include "mem.h"
#include "rd.h"
#include "session.h"

/* The server's first decrypted application record: its HTTP/1.x status
 * line, if it starts with one (RFC 9112 §4), and not a byte more. */
static void http_status_line(struct session *s, int side, const uint8_t *body, uint32_t len, uint64_t frame)
{
	if (side != SIDE_SERVER || s->http_checked || !body)
		return;
	s->http_checked = true;
	struct rd r = rd_make(body, len);
	const uint8_t *p;
	if (len < 12 || !rd_bytes(&r, 12, &p) || memcmp(p, "HTTP/1.", 7) != 0 || p[8] != ' ')
		return;
	uint16_t code = 0;
	for (int i = 9; i < 12; i++) {
		if (p[i] < '0' || p[i] > '9')
			return;
		code = (uint16_t)(code * 10 + (p[i] - '0'));
	}
	size_t n = 0;
	for (; n < len && n + 1 < sizeof s->http_status_line && body[n] != '\r' && body[n] != '\n'; n++)
		s->http_status_line[n] = body[n] >= 0x20 && body[n] < 0x7f ? (char)body[n] : '?';
	s->http_status_line[n] = '\0';
	s->http_status = true;
	s->http_status_code = code;
	s->http_status_frame = frame;
}

static bool alpn_h2(const struct session *s)
{
	return s->sh.has_alpn && s->sh.alpn_len == 2 && memcmp(s->sh.alpn, "h2", 2) == 0;
}

/* HTTP/2: the server's frames from its first application record on, for
 * the first response's :status and a GOAWAY, kept once HTTP/2 is known to
 * be spoken (ALPN h2, or the client's preface: a server sends its SETTINGS
 * before it has read the client's). */
static void http2_answer(struct http_answer *a, struct session *s, int side, const uint8_t *body, uint32_t len,
			 uint64_t frame)
{
	if (!body)
		return;
	if (side == SIDE_CLIENT) {
		if (!s->http2 && (alpn_h2(s) || h2_client_preface(body, len)))
			s->http2 = true;
		return;
	}
	if (!a->h2) {
		if (a->h2_tried || s->http_status)
			return;
		a->h2_tried = true;
		a->h2 = mem_alloc_uninit(sizeof *a->h2);
		h2_scan_init(a->h2);
	}
	unsigned saw = h2_scan_feed(a->h2, body, len);
	s->http2 |= alpn_h2(s);
	if ((saw & H2_SAW_STATUS) && s->http2 && !s->http_status) {
		s->http_status = true;
		s->http_status_code = a->h2->status;
		s->http_status_frame = frame;
		snprintf(s->http_status_line, sizeof s->http_status_line, "HTTP/2 :status %u", (unsigned)a->h2->status);
	}
	if ((saw & H2_SAW_GOAWAY) && s->http2) {
		s->h2_goaway = true;
		s->h2_goaway_frame = frame;
		s->h2_goaway_last_stream = a->h2->goaway_last_stream;
		s->h2_goaway_error = a->h2->goaway_error;
	}
	if (s->http2 && a->h2->bytes) {
		_Static_assert(sizeof s->h2_frames == sizeof a->h2->by_type, "one count per frame type");
		s->h2_frames_read = true;
		memcpy(s->h2_frames, a->h2->by_type, sizeof s->h2_frames);
		s->h2_settings_acks = a->h2->settings_acks;
		s->h2_response_stream = a->h2->status_seen ? a->h2->status_stream : 0;
		s->h2_response_data = a->h2->response_data;
		s->h2_bytes = a->h2->bytes;
	}
	if (a->h2->stop) {
		mem_free(a->h2);
		a->h2 = NULL;
	}
}

void http_answer_record(struct http_answer *a, struct session *s, int side, const uint8_t *body, uint32_t len,
			uint64_t frame)
{
	if (!alpn_h2(s))
		http_status_line(s, side, body, len, frame);
	http2_answer(a, s, side, body, len, frame);
}

void http_answer_free(struct http_answer *a)
{
	mem_free(a->h2);
	a->h2 = NULL;
}
