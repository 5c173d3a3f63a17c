/* tls_record.c - TLS record framing: RFC 5246 §6.2.1 (TLSPlaintext), RFC 8446 §5.1,
 * and the SSLv2-compatible ClientHello header (RFC 5246 Appendix E.2). */
#include "tls_record.h"

#include <stdio.h>
#include <string.h>

#include "limits.h"
#include "mem.h"
#include "rd.h"

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

/* ---- headers ---- */

/* The fields of a header whose 5 bytes are in h->wire. */
static void header_fields(struct tls_rec_hdr *h)
{
	struct rd r = rd_make(h->wire, 5);
	uint16_t len;
	rd_u8(&r, &h->type);
	rd_u16(&r, &h->version);
	rd_u16(&r, &len);
	h->len = len;
}

/* Read the 5 header bytes at the start of r (a copy: nothing is consumed). */
static bool read_header(struct rd r, struct tls_rec_hdr *h)
{
	if (!rd_copy(&r, h->wire, 5))
		return false;
	header_fields(h);
	return true;
}

static bool type_known(uint8_t type) { return type >= TLS_CT_CCS && type <= TLS_CT_HEARTBEAT; }

/* SSL 3.0 .. TLS 1.3 (TLS 1.3 writes 0x0303, but 0x0304 is seen too) */
static bool version_ok(uint16_t v) { return (v >> 8) == 3 && (v & 0xff) <= 4; }

static bool plausible(const struct tls_rec_hdr *h)
{
	return type_known(h->type) && version_ok(h->version) && h->len <= LIM_RECORD_LEN;
}

bool tls_rec_plausible(const uint8_t *p, uint32_t n)
{
	struct tls_rec_hdr h;
	return read_header(rd_make(p, n), &h) && plausible(&h);
}

/* msg_type CLIENT-HELLO (1), version SSL 2.0 or SSL 3.0 .. TLS 1.2 */
static bool sslv2_hello(struct rd r, uint32_t *len)
{
	uint16_t head, version;
	uint8_t msg_type;
	if (!rd_u16(&r, &head) || !rd_u8(&r, &msg_type) || !rd_u16(&r, &version))
		return false;
	*len = head & 0x7fff;
	return (head & 0x8000) && *len >= 9 && msg_type == 1 &&
	       (version == 0x0002 || (version >> 8 == 3 && (version & 0xff) <= 3));
}

int tls_rec_hello_sender(const uint8_t *p, uint32_t n)
{
	struct rd r = rd_make(p, n);
	uint8_t type, major, hs_type, v2_type;
	if (!rd_peek_u8(&r, 0, &type))
		return -1;
	if (type & 0x80)   /* SSLv2: 2 length bytes, then msg_type */
		return rd_peek_u8(&r, 2, &v2_type) && v2_type == 1 ? SIDE_CLIENT : -1;
	if (type != TLS_CT_HANDSHAKE || !rd_peek_u8(&r, 1, &major) || major != 3 || !rd_peek_u8(&r, 5, &hs_type))
		return -1;
	return hs_type == 1 ? SIDE_CLIENT : hs_type == 2 ? SIDE_SERVER : -1;
}

/* Could these first bytes of a stream still begin a TLS record (or an
 * SSLv2 ClientHello)? */
static bool header_prefix_ok(struct rd r)
{
	uint8_t type, major, minor = 0, v2_type = 0;   /* set when the peek succeeds: for gcc -O1 */
	if (!rd_peek_u8(&r, 0, &type))
		return true;
	if (type & 0x80)   /* SSLv2: length, then msg_type CLIENT-HELLO */
		return !rd_peek_u8(&r, 2, &v2_type) || v2_type == 1;
	if (type != TLS_CT_HANDSHAKE && type != TLS_CT_ALERT)
		return false;
	if (rd_peek_u8(&r, 1, &major) && major != 3)
		return false;
	return !rd_peek_u8(&r, 2, &minor) || minor <= 4;
}

/* ---- one segment's walk through the states ---- */

struct feed {
	struct tls_rec_dir *d;
	int side;
	uint64_t frame;
	const struct ts *t;
	const struct tls_rec_cb *cb;
	void *ctx;
	struct rd in;           /* what is left of the segment */
	bool segment_start;     /* nothing of it consumed yet */
};

static void event(const struct feed *f, const char *id, const char *detail)
{
	if (f->cb->event)
		f->cb->event(f->ctx, f->frame, id, detail);
}

/* A header is complete in d->cur: validate it and enter the body. */
static bool begin_record(struct feed *f)
{
	struct tls_rec_dir *d = f->d;
	const struct tls_rec_hdr *h = &d->cur;
	if (!plausible(h)) {
		char detail[96];
		if (!type_known(h->type))
			snprintf(detail, sizeof detail, "unknown content type %u", h->type);
		else if (!version_ok(h->version))
			snprintf(detail, sizeof detail, "record version 0x%04x", h->version);
		else
			snprintf(detail, sizeof detail, "record length %u exceeds %u", h->len, LIM_RECORD_LEN);
		event(f, "tls.bad_record", detail);
		d->state = RS_SEEK;
		d->skipped = 0;
		return false;
	}
	d->sslv2 = false;
	d->have = 0;
	d->keep = h->type != TLS_CT_APPDATA || d->keep_appdata;
	d->state = RS_BODY;
	return true;
}

/* The first record of an SSLv2-compatible ClientHello: 2 header bytes, and
 * 3 body bytes already read into cur.wire. */
static void begin_sslv2(struct tls_rec_dir *d, uint32_t len)
{
	d->sslv2 = true;
	d->cur.type = TLS_CT_HANDSHAKE;
	d->cur.version = 0x0002;
	d->cur.len = len;
	d->body = mem_alloc(len);
	memcpy(d->body, d->cur.wire + 2, 3);
	d->have = 3;
	d->keep = true;
	d->state = RS_BODY;
}

static void end_record(struct feed *f, const uint8_t *body)
{
	static const uint8_t no_bytes[1];   /* an empty record that is kept still has a body */
	struct tls_rec_dir *d = f->d;
	d->records++;
	d->last_version = d->cur.version;
	if (d->sslv2)
		f->cb->sslv2(f->ctx, f->side, body, d->cur.len, f->frame, f->t);
	else
		f->cb->record(f->ctx, f->side, &d->cur, !d->keep ? NULL : body ? body : no_bytes, f->frame, f->t);
	mem_free(d->body);
	d->body = NULL;
	d->hdr_n = 0;
	d->state = RS_HEADER;
}

/* Read into cur.wire until it holds 5 bytes; false while it does not. */
static bool fill_header(struct feed *f)
{
	struct tls_rec_dir *d = f->d;
	size_t take = 5u - d->hdr_n < rd_left(&f->in) ? 5u - d->hdr_n : rd_left(&f->in);
	rd_copy(&f->in, d->cur.wire + d->hdr_n, take);
	d->hdr_n = (uint8_t)(d->hdr_n + take);
	if (d->hdr_n < 5)
		return false;
	header_fields(&d->cur);
	return true;
}

/* Pass the rest of the segment on as plaintext. */
static void rest_is_plaintext(struct feed *f)
{
	f->cb->plaintext(f->ctx, f->side, f->in.p, (uint32_t)rd_left(&f->in), f->frame);
	f->d->skipped += rd_left(&f->in);
	rd_skip(&f->in, rd_left(&f->in));
}

/* The first bytes of the stream: TLS, SSLv2, or something else. The
 * functions below return false when the rest of the segment is done with. */
static bool feed_start(struct feed *f)
{
	struct tls_rec_dir *d = f->d;
	bool whole = fill_header(f);
	if (!whole && !header_prefix_ok(rd_make(d->cur.wire, d->hdr_n))) {
		/* a short plaintext answer (PostgreSQL's "S" to SSLRequest):
		 * not TLS so far; the next segment may start it */
		f->cb->plaintext(f->ctx, f->side, d->cur.wire, d->hdr_n, f->frame);
		d->skipped = d->hdr_n;
		d->hdr_n = 0;
		d->state = RS_PLAINTEXT;
		return false;
	}
	if (!whole)
		return false;
	const struct tls_rec_hdr *h = &d->cur;
	bool hello_type = h->type == TLS_CT_HANDSHAKE || h->type == TLS_CT_ALERT;
	uint32_t v2_len;
	if (sslv2_hello(rd_make(h->wire, 5), &v2_len)) {
		begin_sslv2(d, v2_len);
	} else if (hello_type && plausible(h)) {
		begin_record(f);
	} else if (hello_type && version_ok(h->version)) {
		/* TLS's header with a length TLS does not allow: a broken or
		 * hostile TLS peer, not plain text (tls.bad_record) */
		if (f->cb->bad_start)
			f->cb->bad_start(f->ctx, f->side);
		begin_record(f);
		d->skipped = rd_left(&f->in);
		return false;
	} else {
		/* not TLS: pass the bytes on, then watch for STARTTLS */
		f->cb->plaintext(f->ctx, f->side, h->wire, 5, f->frame);
		d->skipped = 5;
		rest_is_plaintext(f);
		d->state = d->skipped > LIM_STARTTLS_SCAN ? RS_DEAD : RS_PLAINTEXT;
		d->hdr_n = 0;
		return false;
	}
	f->segment_start = false;
	return true;
}

/* At a segment start while seeking (after plaintext or lost bytes): take a
 * header found here. */
static bool resume_here(struct feed *f, bool starttls)
{
	struct tls_rec_dir *d = f->d;
	if (f->cb->resync)
		f->cb->resync(f->ctx, f->side, f->frame, d->skipped, starttls);
	read_header(f->in, &d->cur);
	rd_skip(&f->in, 5);
	begin_record(f);
	f->segment_start = false;
	return true;
}

/* Not TLS so far: a ClientHello or ServerHello at a segment start is STARTTLS. */
static bool feed_plaintext(struct feed *f)
{
	struct tls_rec_dir *d = f->d;
	struct tls_rec_hdr h;
	if (f->segment_start && read_header(f->in, &h) && plausible(&h) && h.type == TLS_CT_HANDSHAKE)
		return resume_here(f, true);
	rest_is_plaintext(f);   /* all of it, for the STARTTLS scanner (up to LIM_STARTTLS_SCAN) */
	if (d->skipped > LIM_STARTTLS_SCAN)
		d->state = RS_DEAD;
	return false;
}

/* Framing lost: a header at a segment start, of the version seen before a gap. */
static bool feed_seek(struct feed *f)
{
	struct tls_rec_dir *d = f->d;
	struct tls_rec_hdr h;
	if (f->segment_start && read_header(f->in, &h) && plausible(&h) &&
	    (!d->last_version || h.version == d->last_version))
		return resume_here(f, false);
	d->skipped += rd_left(&f->in);
	rd_skip(&f->in, rd_left(&f->in));
	return false;
}

static bool feed_header(struct feed *f)
{
	f->segment_start = false;
	if (!fill_header(f))
		return false;
	if (!begin_record(f)) {
		f->d->skipped = rd_left(&f->in);
		return false;    /* seek from the next segment */
	}
	return true;
}

static bool feed_body(struct feed *f)
{
	struct tls_rec_dir *d = f->d;
	uint32_t need = d->cur.len - d->have;
	uint32_t take = need < rd_left(&f->in) ? need : (uint32_t)rd_left(&f->in);
	const uint8_t *src = NULL;
	rd_bytes(&f->in, take, &src);   /* take <= what is left: it cannot fail */
	f->segment_start = false;
	if (d->keep && d->have == 0 && take == d->cur.len) {
		end_record(f, src);   /* whole body in this segment: no copy */
		return true;
	}
	if (d->keep) {
		if (!d->body)
			d->body = mem_alloc_uninit(d->cur.len ? d->cur.len : 1);
		memcpy(d->body + d->have, src, take);
	}
	d->have += take;
	if (d->have == d->cur.len)
		end_record(f, d->body);
	return true;
}

void tls_rec_feed(struct tls_rec_dir *d, int side, const uint8_t *p, uint32_t n, uint64_t frame,
		  const struct ts *t, const struct tls_rec_cb *cb, void *ctx)
{
	struct feed f = { d, side, frame, t, cb, ctx, rd_make(p, n), true };
	bool more = true;
	while (more && rd_left(&f.in) > 0) {
		switch (d->state) {
		case RS_START:     more = feed_start(&f); break;
		case RS_PLAINTEXT: more = feed_plaintext(&f); break;
		case RS_SEEK:      more = feed_seek(&f); break;
		case RS_HEADER:    more = feed_header(&f); break;
		case RS_BODY:      more = feed_body(&f); break;
		default:           more = false; break;   /* RS_DEAD: not TLS, ignore the rest */
		}
	}
	/* a zero-length record completes without bytes */
	if (d->state == RS_BODY && d->cur.len == 0)
		end_record(&f, d->body);
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
