/* tls_conn.c - one TLS connection: record framing per direction, encryption state, handshake messages across records. */
#include "tls_conn.h"

#include <string.h>

#include "limits.h"
#include "mem.h"
#include "rd.h"
#include "tls_handshake.h"
#include "tls_names.h"
#include "tls_record.h"
#include "tls_suite.h"

/* One side's handshake message being collected across records. */
struct hs_asm {
	uint8_t hdr[4];
	uint8_t hdr_n;
	uint8_t type;
	uint32_t len, have;
	uint8_t *buf;
	bool skipping;     /* over the cap: count the bytes, keep none */
};

struct tls_conn {
	struct session *s;
	struct tls_rec_dir rec[2];
	struct hs_asm hs[2];
	bool encrypted[2]; /* ChangeCipherSpec seen and not TLS 1.3 */
	int null_mac[2];   /* after ChangeCipherSpec with a NULL cipher: MAC bytes per record, else -1 */
	struct budget *budget;
};

/* ---- record level: what each record type means for the session ---- */

static void on_alerts(struct tls_conn *c, int side, const uint8_t *body, uint32_t len, uint64_t frame,
		      const struct ts *t)
{
	struct session *s = c->s;
	/* After ChangeCipherSpec an alert is encrypted; a plaintext alert record
	 * is exactly 2 bytes (as Wireshark decides too: an 18-byte record under
	 * RC4-MD5 is 2 bytes of alert and a 16-byte MAC, not nine alerts). A
	 * longer one before a ChangeCipherSpec we saw is still encrypted: the
	 * ChangeCipherSpec was lost, malformed, or before the capture began. */
	if (len < 2) {
		session_event(s, frame, "tls.malformed", "%s alert record of %u bytes (an alert is 2 bytes)",
			      side_name(side), len);
		return;
	}
	if (c->encrypted[side] || len != 2) {
		struct msg *m = session_add_msg(s, frame, t, side, MSG_ENC_ALERT);
		if (m)
			m->length = len;
		session_add_alert(s, frame, side, true, 0, 0);
		return;
	}
	struct rd r = rd_make(body, len);
	uint8_t level, desc;
	if (rd_u8(&r, &level) && rd_u8(&r, &desc)) {
		struct msg *m = session_add_msg(s, frame, t, side, MSG_ALERT);
		if (m) {
			m->level = level;
			m->desc = desc;
			m->length = 2;
		}
		session_add_alert(s, frame, side, false, level, desc);
		if (desc == 41)
			s->client_no_certificate_alert = true;
	}
}

static void hs_reset(struct tls_conn *c, struct hs_asm *h)
{
	if (h->buf) {
		c->budget->handshake_bytes -= h->len;
		mem_free(h->buf);
	}
	memset(h, 0, sizeof *h);
}

/* Collect handshake messages from one plaintext handshake record. */
static void on_handshake(struct tls_conn *c, int side, const uint8_t *body, uint32_t len, uint64_t frame,
			 const struct ts *t)
{
	struct session *s = c->s;
	struct hs_asm *h = &c->hs[side];
	struct rd r = rd_make(body, len);
	while (rd_left(&r)) {
		if (h->hdr_n == 0 && rd_left(&r) >= 4) {
			/* fast path: a whole message inside this record */
			uint32_t mlen = (uint32_t)r.p[1] << 16 | (uint32_t)r.p[2] << 8 | r.p[3];
			if (rd_left(&r) - 4 >= mlen) {
				uint8_t type = r.p[0];
				const uint8_t *mb = r.p + 4;
				rd_skip(&r, 4 + (size_t)mlen);
				tls_parse_handshake(s, side, type, mb, mlen, frame, t);
				continue;
			}
		}
		if (h->hdr_n < 4) {
			uint32_t take = 4u - h->hdr_n < rd_left(&r) ? 4u - h->hdr_n : (uint32_t)rd_left(&r);
			rd_copy(&r, h->hdr + h->hdr_n, take);
			h->hdr_n = (uint8_t)(h->hdr_n + take);
			if (h->hdr_n < 4)
				return;
			h->type = h->hdr[0];
			h->len = (uint32_t)h->hdr[1] << 16 | (uint32_t)h->hdr[2] << 8 | h->hdr[3];
			h->have = 0;
			if (h->len > LIM_HANDSHAKE_MSG || c->budget->handshake_bytes + h->len > LIM_HANDSHAKE_BYTES_TOTAL) {
				const char *n = tls_handshake_display_name(h->type);
				if (h->len > LIM_HANDSHAKE_MSG)
					session_event(s, frame, "tls.handshake_too_long",
						      "%s of %u bytes exceeds the %u-byte cap: not analyzed",
						      n ? n : "handshake message", h->len, LIM_HANDSHAKE_MSG);
				else
					session_event(s, frame, "tls.handshake_too_long",
						      "%s of %u bytes: the %u bytes that all connections together may hold "
						      "for partial messages are in use: not analyzed",
						      n ? n : "handshake message", h->len, LIM_HANDSHAKE_BYTES_TOTAL);
				h->skipping = true;
				struct chain *ch = side == SIDE_SERVER ? &s->server_chain : &s->client_chain;
				if (h->type == HS_CERTIFICATE && ch->state == CHAIN_ABSENT) {
					/* not analyzed, even if the connection ends before its last byte */
					ch->state = CHAIN_UNOBSERVABLE;
					ch->frame = frame;
					ch->time = *t;
					ch->msg_length = h->len;
				}
			} else {
				h->buf = mem_alloc_uninit(h->len ? h->len : 1);
				c->budget->handshake_bytes += h->len;
			}
		}
		uint32_t take = h->len - h->have < rd_left(&r) ? h->len - h->have : (uint32_t)rd_left(&r);
		const uint8_t *src = NULL;
		rd_bytes(&r, take, &src);
		if (!h->skipping)
			memcpy(h->buf + h->have, src, take);
		h->have += take;
		if (h->have < h->len)
			return;
		if (h->skipping) {
			struct msg *m = session_add_msg(s, frame, t, side, MSG_HANDSHAKE);
			if (m) {
				m->hs_type = h->type;
				m->length = h->len;
			}
			struct chain *ch = side == SIDE_SERVER ? &s->server_chain : &s->client_chain;
			if (h->type == HS_CERTIFICATE && ch->state != CHAIN_SEEN) {   /* the first chain stays */
				ch->state = CHAIN_UNOBSERVABLE;
				ch->frame = frame;
				ch->time = *t;
				ch->msg_length = h->len;
			}
		} else {
			tls_parse_handshake(s, side, h->type, h->buf, h->len, frame, t);
		}
		hs_reset(c, h);
	}
}

static void on_record(void *ctx, int side, uint8_t type, uint16_t version, const uint8_t *body, uint32_t len,
		      uint64_t frame, const struct ts *t)
{
	struct tls_conn *c = ctx;
	struct session *s = c->s;
	struct direction *d = &s->dir[side];
	d->spoke_tls = true;
	if (!s->record_version)
		s->record_version = version;
	s->is_tls = true;
	s->record_seq++;
	switch (type) {
	case TLS_CT_CCS: {
		if (!c->encrypted[side] && (len != 1 || body[0] != 1))
			session_event(s, frame, "tls.malformed", "%s ChangeCipherSpec record of %u bytes (it is the "
				      "single byte 1)", side_name(side), len);
		struct msg *m = session_add_msg(s, frame, t, side, MSG_CCS);
		if (m)
			m->length = len;
		if (!d->ccs) {
			d->ccs = true;
			d->ccs_frame = frame;
		}
		if (c->hs[side].hdr_n) {
			session_event(s, frame, "tls.malformed", "ChangeCipherSpec inside a handshake message");
			hs_reset(c, &c->hs[side]);
		}
		/* TLS 1.3's ChangeCipherSpec is a compatibility no-op (RFC 8446 §D.4);
		 * a client offering 1.3 sends it before knowing the outcome. */
		bool tls13 = s->tls13 || (!s->sh.present && side == SIDE_CLIENT &&
					  tls_version_is_13(s->ch.max_version) && !s->client_key_exchange &&
					  s->client_chain.state == CHAIN_ABSENT);
		/* a NULL cipher authenticates but does not hide: the records stay
		 * readable, with a MAC at the end (Wireshark shows them too) */
		int mac = s->sh.present && !tls13 ? tls_suite_null_mac(s->sh.cipher_suite) : -1;
		if (mac >= 0)
			c->null_mac[side] = mac;
		else if (!tls13)
			c->encrypted[side] = true;
		if (side == SIDE_SERVER && s->sh.present && !s->tls13 && s->server_chain.state == CHAIN_ABSENT &&
		    !s->skx.present)
			s->resumed = true;   /* abbreviated handshake: CCS right after ServerHello */
		else if (side == SIDE_SERVER && s->sh.present && !s->tls13)
			s->resumed = false;
		break;
	}
	case TLS_CT_ALERT:
		if (c->null_mac[side] > 0 && len >= (uint32_t)c->null_mac[side])
			len -= (uint32_t)c->null_mac[side];
		on_alerts(c, side, body, len, frame, t);
		break;
	case TLS_CT_HANDSHAKE:
		if (c->null_mac[side] > 0 && len >= (uint32_t)c->null_mac[side])
			len -= (uint32_t)c->null_mac[side];
		if (c->encrypted[side]) {
			struct msg *m = session_add_msg(s, frame, t, side, MSG_ENC_HANDSHAKE);
			if (m)
				m->length = len;
			if (d->enc_handshake_records++ == 0) {
				d->enc_handshake_frame = frame;
				d->enc_handshake_seq = s->record_seq;
			}
			else if (s->dir[1 - side].enc_handshake_records > 0 && !s->renegotiation) {
				/* a handshake after both Finished: renegotiation */
				s->renegotiation = true;
				s->renegotiation_frame = frame;
			}
			break;
		}
		on_handshake(c, side, body, len, frame, t);
		break;
	case TLS_CT_HEARTBEAT: {
		struct msg *m = session_add_msg(s, frame, t, side, MSG_HEARTBEAT);
		if (m)
			m->length = len;
		d->heartbeats++;
		break;
	}
	default:
		break;
	}
}

static void on_appdata(void *ctx, int side, uint16_t version, uint32_t len, uint64_t frame, const struct ts *t)
{
	struct tls_conn *c = ctx;
	struct session *s = c->s;
	s->is_tls = true;
	if (!s->record_version)
		s->record_version = version;
	session_add_appdata(s, frame, t, side, len);
}

static void on_sslv2(void *ctx, int side, const uint8_t *body, uint32_t len, uint64_t frame, const struct ts *t)
{
	struct tls_conn *c = ctx;
	struct session *s = c->s;
	s->dir[side].spoke_tls = true;
	s->is_tls = true;
	if (!s->record_version)
		s->record_version = 0x0002;
	tls_parse_sslv2_hello(s, side, body, len, frame, t);
}

/* Bytes of a direction that is not TLS: the first LIM_PLAINTEXT_PREFIX are
 * kept, however the stream was cut into segments. */
static void on_plaintext(void *ctx, int side, const uint8_t *p, uint32_t n, uint64_t frame)
{
	struct tls_conn *c = ctx;
	struct direction *d = &c->s->dir[side];
	if (!d->not_tls) {
		d->not_tls = true;
		d->prefix_frame = frame;
	}
	uint32_t room = (uint32_t)sizeof d->prefix - d->prefix_len;
	uint32_t take = n < room ? n : room;
	memcpy(d->prefix + d->prefix_len, p, take);
	d->prefix_len = (uint8_t)(d->prefix_len + take);
}

static void on_resync(void *ctx, int side, uint64_t frame, uint64_t skipped, bool starttls)
{
	struct tls_conn *c = ctx;
	struct session *s = c->s;
	if (starttls) {
		s->dir[side].tls_start_frame = frame;
		s->dir[side].plaintext_before_tls = skipped;
		session_event(s, frame, "tls.starttls", "%s starts TLS after %llu bytes of plaintext",
			      side_name(side), (unsigned long long)skipped);
	} else if (skipped > 0 || s->dir[side].unobservable) {
		session_event(s, frame, "tls.resync", "%s record framing recovered after %llu unparsed bytes",
			      side_name(side), (unsigned long long)skipped);
	}
}

static void on_bad_start(void *ctx, int side)
{
	struct tls_conn *c = ctx;
	c->s->is_tls = true;
	c->s->dir[side].spoke_tls = true;
}

static void on_event(void *ctx, uint64_t frame, const char *id, const char *detail)
{
	struct tls_conn *c = ctx;
	session_event(c->s, frame, id, "%s", detail);
}

static const struct tls_rec_cb record_callbacks = {
	.record = on_record,
	.appdata = on_appdata,
	.sslv2 = on_sslv2,
	.plaintext = on_plaintext,
	.resync = on_resync,
	.event = on_event,
	.bad_start = on_bad_start,
};

struct tls_conn *tls_conn_new(struct session *s, const bool mid_stream[2], struct budget *budget)
{
	struct tls_conn *c = mem_alloc(sizeof *c);
	c->s = s;
	c->budget = budget;
	c->null_mac[0] = c->null_mac[1] = -1;
	tls_rec_init(&c->rec[0], mid_stream[0]);
	tls_rec_init(&c->rec[1], mid_stream[1]);
	return c;
}

void tls_conn_data(struct tls_conn *c, int side, const uint8_t *p, uint32_t n, uint64_t frame, const struct ts *t)
{
	tls_rec_feed(&c->rec[side], side, p, n, frame, t, &record_callbacks, c);
}

void tls_conn_gap(struct tls_conn *c, int side, uint32_t n, uint64_t frame, const char *why)
{
	struct direction *d = &c->s->dir[side];
	/* one event per direction: a snaplen cut repeats on every packet */
	if (!d->unobservable) {
		d->unobservable = true;
		d->unobservable_frame = frame;
		d->unobservable_why = why;
		session_event(c->s, frame, strcmp(why, "snaplen") == 0 ? "capture.snaplen" : "tcp.gap",
			      "%s: %u bytes not captured (%s)", side_name(side), n, why);
	}
	d->gaps++;
	d->gap_bytes += n;
	hs_reset(c, &c->hs[side]);
	tls_rec_gap(&c->rec[side]);
}

void tls_conn_end(struct tls_conn *c, uint64_t frame, const char *why)
{
	struct session *s = c->s;
	for (int side = 0; side < 2; side++) {
		const struct tls_rec_dir *r = &c->rec[side];
		const struct hs_asm *h = &c->hs[side];
		if (r->state == RS_BODY && r->have < r->len) {
			/* a record header was read: this side speaks TLS, even if no record completed */
			s->is_tls = true;
			s->dir[side].spoke_tls = true;
			session_event(s, frame, "tls.truncated", "%s: record of %u bytes cut after %u bytes by %s",
				      side_name(side), r->len, r->have, why);
		} else if (h->hdr_n == 4 && h->have < h->len) {
			const char *n = tls_handshake_display_name(h->type);
			session_event(s, frame, "tls.truncated", "%s: %s of %u bytes cut after %u bytes by %s",
				      side_name(side), n ? n : "handshake message", h->len, h->have, why);
		}
	}
}

bool tls_conn_side_is_tls(const struct tls_conn *c, int side)
{
	return c->s->dir[side].spoke_tls;
}

void tls_conn_free(struct tls_conn *c)
{
	if (!c)
		return;
	for (int i = 0; i < 2; i++) {
		hs_reset(c, &c->hs[i]);
		tls_rec_free(&c->rec[i]);
	}
	mem_free(c);
}
