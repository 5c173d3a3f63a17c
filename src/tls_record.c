/* tls_record.c - TLS record framing: RFC 5246 §6.2.1 (TLSPlaintext), RFC 8446 §5.1,
 * and the SSLv2-compatible ClientHello header (RFC 5246 Appendix E.2). */
#include "tls_record.h"

#include <stdio.h>
#include <string.h>

#include "limits.h"
#include "mem.h"

void tls_rec_init(struct tls_rec_dir *d, bool mid_stream)
{
	memset(d, 0, sizeof *d);
	d->mid_stream = mid_stream;
	d->state = mid_stream ? RS_SEEK : RS_START;
}

void tls_rec_free(struct tls_rec_dir *d)
{
	mem_free(d->body);
	d->body = NULL;
}

static uint32_t hdr_len(const uint8_t *h) { return (uint32_t)h[3] << 8 | h[4]; }

bool tls_rec_plausible(const uint8_t *h, uint32_t n)
{
	if (n < 5)
		return false;
	return h[0] >= TLS_CT_CCS && h[0] <= TLS_CT_HEARTBEAT && h[1] == 3 && h[2] <= 4 &&
	       hdr_len(h) <= LIM_RECORD_LEN;
}

/* msg_type CLIENT-HELLO (1), version SSL 2.0 or SSL 3.0 .. TLS 1.2 */
static bool sslv2_hello(const uint8_t *h)
{
	uint32_t len = ((uint32_t)(h[0] & 0x7f) << 8) | h[1];
	return (h[0] & 0x80) && len >= 9 && h[2] == 1 &&
	       ((h[3] == 0 && h[4] == 2) || (h[3] == 3 && h[4] <= 3));
}

/* Could these first bytes of a stream still begin a TLS record (or an
 * SSLv2 ClientHello)? */
static bool header_prefix_ok(const uint8_t *h, uint32_t n)
{
	if (n == 0)
		return true;
	if (h[0] & 0x80)
		return n < 3 || h[2] == 1;   /* SSLv2: length, then msg_type CLIENT-HELLO */
	if (h[0] != TLS_CT_HANDSHAKE && h[0] != TLS_CT_ALERT)
		return false;
	if (n >= 2 && h[1] != 3)
		return false;
	return n < 3 || h[2] <= 4;
}

static void event(const struct tls_rec_cb *cb, void *ctx, uint64_t frame, const char *id, const char *detail)
{
	if (cb->event)
		cb->event(ctx, frame, id, detail);
}

/* A header is complete in d->hdr: validate it and enter the body. */
static bool begin_record(struct tls_rec_dir *d, uint64_t frame, const struct tls_rec_cb *cb, void *ctx)
{
	const uint8_t *h = d->hdr;
	if (!tls_rec_plausible(h, 5)) {
		char detail[96];
		if (h[0] < TLS_CT_CCS || h[0] > TLS_CT_HEARTBEAT)
			snprintf(detail, sizeof detail, "unknown content type %u", h[0]);
		else if (h[1] != 3 || h[2] > 4)
			snprintf(detail, sizeof detail, "record version 0x%02x%02x", h[1], h[2]);
		else
			snprintf(detail, sizeof detail, "record length %u exceeds %u", hdr_len(h), LIM_RECORD_LEN);
		event(cb, ctx, frame, "tls.bad_record", detail);
		d->state = RS_SEEK;
		d->skipped = 0;
		return false;
	}
	d->sslv2 = false;
	d->type = h[0];
	d->version = (uint16_t)(h[1] << 8 | h[2]);
	d->len = hdr_len(h);
	d->have = 0;
	d->keep = d->type != TLS_CT_APPDATA;
	d->state = RS_BODY;
	return true;
}

/* The first record of an SSLv2-compatible ClientHello: 2 header bytes, and
 * 3 body bytes already read into hdr. */
static void begin_sslv2(struct tls_rec_dir *d)
{
	d->sslv2 = true;
	d->type = TLS_CT_HANDSHAKE;
	d->version = 0x0002;
	d->len = ((uint32_t)(d->hdr[0] & 0x7f) << 8) | d->hdr[1];
	d->body = mem_alloc(d->len);
	memcpy(d->body, d->hdr + 2, 3);
	d->have = 3;
	d->keep = true;
	d->state = RS_BODY;
}

static void end_record(struct tls_rec_dir *d, int side, const uint8_t *body, uint64_t frame,
		       const struct ts *t, const struct tls_rec_cb *cb, void *ctx)
{
	d->records++;
	d->last_version = d->version;
	if (d->sslv2)
		cb->sslv2(ctx, side, body, d->len, frame, t);
	else if (d->keep)
		cb->record(ctx, side, d->type, d->version, body, d->len, frame, t);
	else
		cb->appdata(ctx, side, d->version, d->len, frame, t);
	mem_free(d->body);
	d->body = NULL;
	d->hdr_n = 0;
	d->state = RS_HEADER;
}

/* At the start of a segment while seeking: is a record header here? After
 * a gap the version must match the records seen before. */
static bool seek_here(const struct tls_rec_dir *d, const uint8_t *p, uint32_t n)
{
	if (!tls_rec_plausible(p, n))
		return false;
	uint16_t v = (uint16_t)(p[1] << 8 | p[2]);
	return !d->last_version || v == d->last_version;
}

void tls_rec_feed(struct tls_rec_dir *d, int side, const uint8_t *p, uint32_t n, uint64_t frame,
		  const struct ts *t, const struct tls_rec_cb *cb, void *ctx)
{
	bool segment_start = true;
	while (n > 0) {
		switch (d->state) {
		case RS_DEAD:
			return;

		case RS_START: {
			uint32_t take = 5u - d->hdr_n < n ? 5u - d->hdr_n : n;
			memcpy(d->hdr + d->hdr_n, p, take);
			d->hdr_n = (uint8_t)(d->hdr_n + take);
			p += take;
			n -= take;
			if (d->hdr_n < 5 && !header_prefix_ok(d->hdr, d->hdr_n)) {
				/* a short plaintext answer (PostgreSQL's "S" to SSLRequest):
				 * not TLS so far; the next segment may start it */
				cb->plaintext(ctx, side, d->hdr, d->hdr_n, frame);
				d->skipped = d->hdr_n;
				d->hdr_n = 0;
				d->state = RS_PLAINTEXT;
				return;
			}
			if (d->hdr_n < 5)
				return;
			if (sslv2_hello(d->hdr)) {
				begin_sslv2(d);
			} else if (tls_rec_plausible(d->hdr, 5) &&
				   (d->hdr[0] == TLS_CT_HANDSHAKE || d->hdr[0] == TLS_CT_ALERT)) {
				begin_record(d, frame, cb, ctx);
			} else if ((d->hdr[0] == TLS_CT_HANDSHAKE || d->hdr[0] == TLS_CT_ALERT) && d->hdr[1] == 3 &&
				   d->hdr[2] <= 4) {
				/* TLS's header with a length TLS does not allow: a broken or
				 * hostile TLS peer, not plain text (tls.bad_record) */
				if (cb->bad_start)
					cb->bad_start(ctx, side);
				begin_record(d, frame, cb, ctx);
				d->skipped = n;
				return;
			} else {
				/* not TLS: pass the bytes on, then watch for STARTTLS */
				cb->plaintext(ctx, side, d->hdr, 5, frame);
				cb->plaintext(ctx, side, p, n, frame);
				d->skipped = 5 + n;
				d->state = d->skipped > LIM_STARTTLS_SCAN ? RS_DEAD : RS_PLAINTEXT;
				d->hdr_n = 0;
				return;
			}
			segment_start = false;
			break;
		}

		case RS_PLAINTEXT:
			/* STARTTLS: a ClientHello / ServerHello at a segment start */
			if (segment_start && tls_rec_plausible(p, n) && p[0] == TLS_CT_HANDSHAKE) {
				if (cb->resync)
					cb->resync(ctx, side, frame, d->skipped, true);
				memcpy(d->hdr, p, 5);
				p += 5;
				n -= 5;
				begin_record(d, frame, cb, ctx);
				segment_start = false;
				break;
			}
			if (d->skipped < LIM_PLAINTEXT_PREFIX)
				cb->plaintext(ctx, side, p, n, frame);
			d->skipped += n;
			if (d->skipped > LIM_STARTTLS_SCAN)
				d->state = RS_DEAD;
			return;

		case RS_SEEK:
			if (segment_start && seek_here(d, p, n)) {
				if (cb->resync)
					cb->resync(ctx, side, frame, d->skipped, false);
				memcpy(d->hdr, p, 5);
				p += 5;
				n -= 5;
				begin_record(d, frame, cb, ctx);
				segment_start = false;
				break;
			}
			d->skipped += n;
			return;

		case RS_HEADER: {
			uint32_t take = 5u - d->hdr_n < n ? 5u - d->hdr_n : n;
			memcpy(d->hdr + d->hdr_n, p, take);
			d->hdr_n = (uint8_t)(d->hdr_n + take);
			p += take;
			n -= take;
			segment_start = false;
			if (d->hdr_n < 5)
				return;
			if (!begin_record(d, frame, cb, ctx)) {
				d->skipped = n;
				return;    /* seek from the next segment */
			}
			break;
		}

		case RS_BODY: {
			uint32_t need = d->len - d->have;
			uint32_t take = need < n ? need : n;
			if (d->keep) {
				if (d->have == 0 && take == d->len) {
					/* whole body in this segment: no copy */
					const uint8_t *body = p;
					p += take;
					n -= take;
					end_record(d, side, body, frame, t, cb, ctx);
					segment_start = false;
					break;
				}
				if (!d->body)
					d->body = mem_alloc_uninit(d->len ? d->len : 1);
				memcpy(d->body + d->have, p, take);
			}
			d->have += take;
			p += take;
			n -= take;
			segment_start = false;
			if (d->have == d->len)
				end_record(d, side, d->body, frame, t, cb, ctx);
			break;
		}
		}
	}
	/* a zero-length record completes without bytes */
	if (d->state == RS_BODY && d->len == 0)
		end_record(d, side, d->body, frame, t, cb, ctx);
}

void tls_rec_gap(struct tls_rec_dir *d)
{
	if (d->state == RS_DEAD || d->state == RS_PLAINTEXT)
		return;
	mem_free(d->body);
	d->body = NULL;
	d->hdr_n = 0;
	d->skipped = 0;
	d->state = RS_SEEK;
}
