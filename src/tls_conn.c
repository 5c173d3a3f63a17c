/* tls_conn.c - one TLS connection: records per direction, their protection, handshake messages across records. */
#include "tls_conn.h"

#include <string.h>

#include "http_answer.h"
#include "limits.h"
#include "mem.h"
#include "proxy_proto.h"
#include "rd.h"
#include "starttls.h"
#include "tls_handshake.h"
#include "tls_names.h"
#include "tls_record.h"

/* One side's handshake message being collected across records. */
struct hs_asm {
	uint8_t hdr[4];
	uint8_t hdr_n;
	uint8_t type;
	uint32_t len, have;
	uint8_t *buf;
	bool skipping;     /* over the cap: count the bytes, keep none */
};

/* A record held until its keys are read (see tls_conn.h). */
struct held_rec {
	struct held_rec *next;
	struct tls_rec_hdr h;
	uint64_t frame;
	struct ts t;
	uint8_t side;
	bool has_body;             /* false: application data the framer did not keep */
	uint8_t body[];
};

struct tls_conn {
	struct session *s;
	struct budget *budget;
	struct tls_rec_dir rec[2];
	struct hs_asm hs[2];
	struct tls_protection prot[2];
	const struct tls_decryptor *dec;   /* NULL: protected records stay opaque */
	void *dec_ctx;
	struct starttls_scan *starttls;    /* the plaintext before an upgrade (starttls.c) */
	bool proxy_done;                   /* the client's stream no longer may start with a PROXY header */
	struct proxy_pre *proxy;
	struct http_answer http;           /* what the decrypted application records answered */
	struct held_rec *held, **held_tail;  /* records waiting for their keys, in capture order */
	uint32_t held_n, held_bytes;
	bool hold_off;                     /* a wait was given up: this connection holds no more */
	bool ccs_compat_guess[2];          /* a CCS taken for TLS 1.3's before the server's version was seen */
};

/* how protected_record may treat TLS_OPEN_LATER */
enum hold_mode { HOLD_NONE, HOLD_PUSH, HOLD_KEEP };

/* RFC 7366 (IANA TLS ExtensionType Values) */
#define EXT_ENCRYPT_THEN_MAC 22

/* internal flag of dispatch(): a protected record nobody opened */
#define REC_OPAQUE 0x100u

static void dispatch(struct tls_conn *c, int side, uint8_t type, uint16_t version, const uint8_t *body,
		     uint32_t len, uint64_t frame, const struct ts *t, unsigned flags);

/* ---- protection: which keys, which sequence number ---- */

/* What the handshake told so far, for a decryptor. */
static void prot_sync(const struct session *s, struct tls_protection *st)
{
	st->version = s->sh.present ? s->sh.version : 0;
	st->suite = s->sh.present ? tls_suite_find(s->sh.cipher_suite) : NULL;
	st->client_random = s->ch.present ? s->ch.random : NULL;
	st->server_random = s->sh.present ? s->sh.random : NULL;
	st->encrypt_then_mac = false;
	for (uint32_t i = 0; s->sh.present && i < s->sh.extensions.n; i++)
		st->encrypt_then_mac |= s->sh.extensions.v[i] == EXT_ENCRYPT_THEN_MAC;
}

static void key_change(struct tls_conn *c, int side, uint8_t epoch)
{
	struct tls_protection *st = &c->prot[side];
	st->epoch = epoch;
	st->generation = 0;
	st->seq = 0;
	st->seq_lost = false;
	st->encrypted = epoch != TLS_EPOCH_CLEAR;
	prot_sync(c->s, st);
}

/* Is a record of this type protected? In TLS 1.3 every protected record
 * is application_data on the wire (RFC 8446 §5.2): a ChangeCipherSpec or
 * an alert in the clear may still come. */
static bool prot_covers(const struct tls_protection *st, uint8_t type)
{
	if (st->epoch == TLS_EPOCH_CLEAR)
		return false;
	return st->epoch == TLS_EPOCH_CCS || type == TLS_CT_APPDATA;
}

/* ChangeCipherSpec (TLS <= 1.2, RFC 5246 §7.1): the sender's next records
 * use the keys just negotiated. */
static void prot_after_ccs(struct tls_conn *c, int side, bool tls13)
{
	const struct session *s = c->s;
	struct tls_protection *st = &c->prot[side];
	if (tls13)
		return;   /* a compatibility no-op (RFC 8446 §D.4) */
	uint32_t generation = st->epoch == TLS_EPOCH_CCS ? st->generation + 1 : 0;
	bool encrypted = st->encrypted;
	st->epoch = TLS_EPOCH_CCS;
	st->generation = generation;
	st->seq = 0;
	st->seq_lost = false;
	prot_sync(s, st);
	/* a NULL cipher authenticates but does not hide: the records stay
	 * readable, with a MAC at the end (Wireshark shows them too) */
	int mac = s->sh.present ? tls_suite_null_mac(s->sh.cipher_suite) : -1;
	if (mac >= 0)
		st->null_mac = (int8_t)mac;   /* at most 48 (SHA-384) */
	st->encrypted = encrypted || mac < 0;
}

/* TLS 1.3 (RFC 8446 §4.1.3, §4.4.4, §4.5, §4.6.3): the messages after
 * which the sender's, or both sides', records change keys. */
static void prot_after_message(struct tls_conn *c, int side, uint8_t type)
{
	const struct session *s = c->s;
	struct tls_protection *client = &c->prot[SIDE_CLIENT], *server = &c->prot[SIDE_SERVER];
	struct tls_protection *st = &c->prot[side];
	switch (type) {
	case HS_CLIENT_HELLO:
		if (side == SIDE_CLIENT && !s->sh.present && !s->hrr.present && s->ch.early_data &&
		    tls_version_is_13(s->ch.max_version))
			key_change(c, SIDE_CLIENT, TLS_EPOCH_EARLY);
		break;
	case HS_SERVER_HELLO:
		if (s->sh.present && s->tls13 && server->epoch == TLS_EPOCH_CLEAR) {
			key_change(c, SIDE_SERVER, TLS_EPOCH_HANDSHAKE);
			if (client->epoch != TLS_EPOCH_EARLY || !s->sh.pre_shared_key)
				key_change(c, SIDE_CLIENT, TLS_EPOCH_HANDSHAKE);
		} else if (s->hrr.present && !s->sh.present && client->epoch == TLS_EPOCH_EARLY) {
			key_change(c, SIDE_CLIENT, TLS_EPOCH_CLEAR);   /* a HelloRetryRequest refuses 0-RTT */
		}
		break;
	case HS_END_OF_EARLY_DATA:
		if (side == SIDE_CLIENT && st->epoch == TLS_EPOCH_EARLY)
			key_change(c, side, TLS_EPOCH_HANDSHAKE);
		break;
	case HS_FINISHED:
		/* a client whose 0-RTT was refused sends no EndOfEarlyData: its
		 * Finished still ends its handshake epoch */
		if (st->epoch == TLS_EPOCH_HANDSHAKE || (side == SIDE_CLIENT && st->epoch == TLS_EPOCH_EARLY))
			key_change(c, side, TLS_EPOCH_APPLICATION);
		break;
	case HS_KEY_UPDATE:
		if (st->epoch == TLS_EPOCH_APPLICATION) {
			st->generation++;
			st->seq = 0;
			st->seq_lost = false;
		}
		break;
	default:
		break;
	}
}

/* ---- handshake messages across records (RFC 5246 §6.2.1: fragmented and coalesced) ---- */

static void hs_reset(struct tls_conn *c, struct hs_asm *h)
{
	if (h->buf) {
		c->budget->handshake_bytes -= h->len;
		mem_free(h->buf);
	}
	memset(h, 0, sizeof *h);
}

static void message(struct tls_conn *c, int side, uint8_t type, const uint8_t *body, uint32_t len, uint64_t frame,
		    const struct ts *t)
{
	tls_parse_handshake(c->s, side, type, body, len, frame, t);
	prot_after_message(c, side, type);
}

/* A Certificate that is not analyzed (over a cap) still tells that a chain
 * was sent: from its header on if no chain was seen, and at its end unless
 * a chain was analyzed before (the first chain stays). */
static void chain_not_analyzed(struct session *s, int side, const struct hs_asm *h, uint64_t frame,
			       const struct ts *t, bool at_header)
{
	struct chain *ch = side == SIDE_SERVER ? &s->server_chain : &s->client_chain;
	if (h->type != HS_CERTIFICATE || (at_header ? ch->state != CHAIN_ABSENT : ch->state == CHAIN_SEEN))
		return;
	ch->state = CHAIN_UNOBSERVABLE;
	ch->frame = frame;
	ch->time = *t;
	ch->msg_length = h->len;
}

/* The message header is complete in h->hdr: hold the body, or count it
 * when it is over a cap. */
static void hs_begin(struct tls_conn *c, int side, struct hs_asm *h, uint64_t frame, const struct ts *t)
{
	struct session *s = c->s;
	struct rd r = rd_make(h->hdr, 4);
	rd_u8(&r, &h->type);
	rd_u24(&r, &h->len);
	h->have = 0;
	if (h->len <= LIM_HANDSHAKE_MSG && c->budget->handshake_bytes + h->len <= LIM_HANDSHAKE_BYTES_TOTAL) {
		h->buf = mem_alloc_uninit(h->len ? h->len : 1);
		c->budget->handshake_bytes += h->len;
		return;
	}
	const char *n = tls_handshake_display_name(h->type);
	if (h->len > LIM_HANDSHAKE_MSG)
		session_event(s, frame, "tls.handshake_too_long", "%s of %u bytes exceeds the %u-byte cap: not analyzed",
			      n ? n : "handshake message", h->len, LIM_HANDSHAKE_MSG);
	else
		session_event(s, frame, "tls.handshake_too_long",
			      "%s of %u bytes: the %u bytes that all connections together may hold "
			      "for partial messages are in use: not analyzed",
			      n ? n : "handshake message", h->len, LIM_HANDSHAKE_BYTES_TOTAL);
	h->skipping = true;
	/* not analyzed, even if the connection ends before its last byte */
	chain_not_analyzed(s, side, h, frame, t, true);
}

/* The whole message is at the start of r: parse it in place. */
static bool whole_message(struct tls_conn *c, int side, struct rd *r, uint64_t frame, const struct ts *t)
{
	struct rd peek = *r;
	uint8_t type;
	uint32_t len;
	const uint8_t *body;
	if (!rd_u8(&peek, &type) || !rd_u24(&peek, &len) || !rd_bytes(&peek, len, &body))
		return false;
	*r = peek;
	message(c, side, type, body, len, frame, t);
	return true;
}

/* Collect handshake messages from the plaintext of one handshake record. */
static void on_handshake(struct tls_conn *c, int side, const uint8_t *body, uint32_t len, uint64_t frame,
			 const struct ts *t)
{
	struct hs_asm *h = &c->hs[side];
	struct rd r = rd_make(body, len);
	while (rd_left(&r)) {
		if (h->hdr_n == 0 && whole_message(c, side, &r, frame, t))
			continue;   /* the fast path: a whole message inside this record */
		if (h->hdr_n < 4) {
			size_t take = 4u - h->hdr_n < rd_left(&r) ? 4u - h->hdr_n : rd_left(&r);
			rd_copy(&r, h->hdr + h->hdr_n, take);
			h->hdr_n = (uint8_t)(h->hdr_n + take);
			if (h->hdr_n < 4)
				return;
			hs_begin(c, side, h, frame, t);
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
			struct msg *m = session_add_msg(c->s, frame, t, side, MSG_HANDSHAKE);
			if (m) {
				m->hs_type = h->type;
				m->length = h->len;
			}
			chain_not_analyzed(c->s, side, h, frame, t, false);
		} else {
			message(c, side, h->type, h->buf, h->len, frame, t);
		}
		hs_reset(c, h);
	}
}

/* ---- what each content type means for the session ---- */

static void on_ccs(struct tls_conn *c, int side, const uint8_t *body, uint32_t len, uint64_t frame,
		   const struct ts *t, unsigned flags)
{
	struct session *s = c->s;
	struct direction *d = &s->dir[side];
	struct rd r = rd_make(body, len);
	uint8_t value = 0;
	if (!(flags & REC_OPAQUE) && !(len == 1 && rd_u8(&r, &value) && value == 1))
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
	bool tls13 = s->tls13 || (!s->sh.present && side == SIDE_CLIENT && tls_version_is_13(s->ch.max_version) &&
				  !s->client_key_exchange && s->client_chain.state == CHAIN_ABSENT);
	prot_after_ccs(c, side, tls13);
	c->ccs_compat_guess[side] = tls13 && !s->tls13;
	if (side == SIDE_SERVER && s->sh.present && !s->tls13 && s->server_chain.state == CHAIN_ABSENT &&
	    !s->skx.present)
		s->resumed = true;   /* abbreviated handshake: CCS right after ServerHello */
	else if (side == SIDE_SERVER && s->sh.present && !s->tls13)
		s->resumed = false;
}

static void on_alert(struct tls_conn *c, int side, const uint8_t *body, uint32_t len, uint64_t frame,
		     const struct ts *t, unsigned flags)
{
	struct session *s = c->s;
	/* A plaintext alert record is exactly 2 bytes (as Wireshark decides
	 * too: an 18-byte record under RC4-MD5 is 2 bytes of alert and a
	 * 16-byte MAC, not nine alerts). A longer one before a ChangeCipherSpec
	 * we saw is still encrypted: the ChangeCipherSpec was lost, malformed,
	 * or before the capture began. */
	if (len < 2) {
		session_event(s, frame, "tls.malformed", "%s alert record of %u bytes (an alert is 2 bytes)",
			      side_name(side), len);
		return;
	}
	if ((flags & REC_OPAQUE) || (!(flags & TLS_REC_DECRYPTED) && len != 2)) {
		struct msg *m = session_add_msg(s, frame, t, side, MSG_ENC_ALERT);
		if (m)
			m->length = len;
		session_add_alert(s, frame, side, true, 0, 0);
		return;
	}
	if (len != 2)
		session_event(s, frame, "tls.malformed", "%s decrypted alert record of %u bytes (an alert is 2 bytes)",
			      side_name(side), len);
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

/* A TLS <= 1.2 handshake record after ChangeCipherSpec that nobody opened:
 * normally Finished, else a renegotiation. */
static void on_encrypted_handshake(struct tls_conn *c, int side, uint32_t len, uint64_t frame, const struct ts *t)
{
	struct session *s = c->s;
	struct direction *d = &s->dir[side];
	struct msg *m = session_add_msg(s, frame, t, side, MSG_ENC_HANDSHAKE);
	if (m)
		m->length = len;
	if (d->enc_handshake_records++ == 0) {
		d->enc_handshake_frame = frame;
		d->enc_handshake_seq = s->record_seq;
	} else if (s->dir[1 - side].enc_handshake_records > 0 && !s->renegotiation) {
		/* a handshake after both Finished: renegotiation */
		s->renegotiation = true;
		s->renegotiation_frame = frame;
	}
}

/* One record, in the clear, decrypted, or opaque (REC_OPAQUE: body NULL). */
static void dispatch(struct tls_conn *c, int side, uint8_t type, uint16_t version, const uint8_t *body,
		     uint32_t len, uint64_t frame, const struct ts *t, unsigned flags)
{
	struct session *s = c->s;
	s->is_tls = true;
	s->dir[side].spoke_tls = true;
	if (!s->record_version)
		s->record_version = version;
	if (type != TLS_CT_APPDATA)
		s->record_seq++;   /* session_add_appdata counts application data records */
	/* the timeline and the alerts say what only a key log showed */
	bool was_decrypted = s->in_decrypted_record;
	s->in_decrypted_record = (flags & TLS_REC_DECRYPTED) != 0;
	switch (type) {
	case TLS_CT_CCS:
		on_ccs(c, side, body, len, frame, t, flags);
		break;
	case TLS_CT_ALERT:
		on_alert(c, side, body, len, frame, t, flags);
		break;
	case TLS_CT_HANDSHAKE:
		if (flags & REC_OPAQUE)
			on_encrypted_handshake(c, side, len, frame, t);
		else
			on_handshake(c, side, body, len, frame, t);
		break;
	case TLS_CT_APPDATA:
		session_add_appdata(s, frame, t, side, len);
		if (flags & TLS_REC_DECRYPTED)
			http_answer_record(&c->http, s, side, body, len, frame);
		break;
	case TLS_CT_HEARTBEAT: {
		struct msg *m = session_add_msg(s, frame, t, side, MSG_HEARTBEAT);
		if (m)
			m->length = len;
		s->dir[side].heartbeats++;
		break;
	}
	default:
		break;
	}
	s->in_decrypted_record = was_decrypted;
}

void tls_conn_record(struct tls_conn *c, int side, uint8_t type, uint16_t version, const uint8_t *body,
		     uint32_t len, uint64_t frame, const struct ts *t, unsigned flags)
{
	dispatch(c, side, type, version, body, len, frame, t, flags & TLS_REC_DECRYPTED);
}

/* ---- protected records ---- */

/* Offer a record to the decryptor; on TLS_OPEN_OK *out holds its plaintext
 * (mem_free it). */
static int open_record(struct tls_conn *c, int side, const struct tls_rec_hdr *h, const uint8_t *body,
		       uint64_t frame, uint8_t **out, uint32_t *out_len)
{
	struct tls_protection *st = &c->prot[side];
	struct tls_ciphertext rec = { .type = h->type, .version = h->version, .body = body, .len = h->len,
				      .frame = frame };
	memcpy(rec.header, h->wire, sizeof rec.header);
	prot_sync(c->s, st);
	uint8_t *plain = mem_alloc_uninit(h->len ? h->len : 1);
	uint32_t n = 0;
	int rc = c->dec->open(c->dec_ctx, side, st, &rec, plain, h->len, &n);
	if (rc == TLS_OPEN_OK && n <= h->len) {
		*out = plain;
		*out_len = n;
		return rc;
	}
	mem_free(plain);
	return rc == TLS_OPEN_OK ? TLS_OPEN_FAILED : rc;   /* a plaintext longer than its record is not one */
}

/* A decrypted record re-enters the door; a TLS 1.3 one under the content
 * type inside it (RFC 8446 §5.2: content, type, then zero padding). */
static void enter_plaintext(struct tls_conn *c, int side, const struct tls_rec_hdr *h, const uint8_t *p,
			    uint32_t len, uint64_t frame, const struct ts *t)
{
	uint8_t type = h->type;
	if (c->prot[side].epoch != TLS_EPOCH_CCS) {
		struct rd r = rd_make(p, len);
		while (len > 0 && rd_peek_u8(&r, len - 1, &type) && type == 0)
			len--;
		if (len-- == 0) {
			session_event(c->s, frame, "tls.malformed", "%s decrypted record without a content type",
				      side_name(side));
			return;
		}
	}
	tls_conn_record(c, side, type, h->version, p, len, frame, t, TLS_REC_DECRYPTED);
}

static bool hold_push(struct tls_conn *c, int side, const struct tls_rec_hdr *h, const uint8_t *body,
		      uint64_t frame, const struct ts *t);

/* false: the record waits for its keys (HOLD_PUSH queued it, HOLD_KEEP left
 * it where it was), nothing of it was counted */
static bool protected_record(struct tls_conn *c, int side, const struct tls_rec_hdr *h, const uint8_t *body,
			     uint64_t frame, const struct ts *t, enum hold_mode mode)
{
	struct tls_protection *st = &c->prot[side];
	if (!st->encrypted) {
		st->records++;
		/* a NULL cipher: the record is readable up to its MAC (application
		 * data is counted as sent) */
		uint32_t len = h->len;
		if (st->null_mac > 0 && (h->type == TLS_CT_ALERT || h->type == TLS_CT_HANDSHAKE) &&
		    len >= (uint32_t)st->null_mac)
			len -= (uint32_t)st->null_mac;
		st->seq++;
		tls_conn_record(c, side, h->type, h->version, body, len, frame, t, 0);
		return true;
	}
	uint8_t *plain = NULL;
	uint32_t plain_len = 0;
	int rc = c->dec && body ? open_record(c, side, h, body, frame, &plain, &plain_len) : TLS_OPEN_NO_KEYS;
	if (rc == TLS_OPEN_LATER) {
		if (mode == HOLD_KEEP || (mode == HOLD_PUSH && !c->hold_off && hold_push(c, side, h, body, frame, t)))
			return false;
		rc = TLS_OPEN_NO_KEYS;
	}
	st->records++;
	st->seq++;   /* before the plaintext may change keys (a Finished, a KeyUpdate) */
	if (rc == TLS_OPEN_OK) {
		st->opened++;
		enter_plaintext(c, side, h, plain, plain_len, frame, t);
	} else {
		st->failed += rc == TLS_OPEN_FAILED;
		dispatch(c, side, h->type, h->version, NULL, h->len, frame, t, REC_OPAQUE);
	}
	mem_free(plain);
	return true;
}

/* ---- records waiting for their keys ---- */

/* false: over a cap (the caller gives the wait up) */
static bool hold_push(struct tls_conn *c, int side, const struct tls_rec_hdr *h, const uint8_t *body,
		      uint64_t frame, const struct ts *t)
{
	uint32_t n = body ? h->len : 0;
	if (c->held_n >= LIM_KEYWAIT_RECORDS || c->held_bytes + n > LIM_KEYWAIT_BYTES ||
	    c->budget->keywait_bytes + n > LIM_KEYWAIT_BYTES_TOTAL)
		return false;
	struct held_rec *r = mem_alloc_uninit(sizeof *r + (n ? n : 1));
	r->next = NULL;
	r->h = *h;
	r->frame = frame;
	r->t = *t;
	r->side = (uint8_t)side;
	r->has_body = body != NULL;
	if (n)
		memcpy(r->body, body, n);
	if (!c->held)
		c->held_tail = &c->held;
	*c->held_tail = r;
	c->held_tail = &r->next;
	c->held_n++;
	c->held_bytes += n;
	c->budget->keywait_bytes += n;
	return true;
}

static void hold_pop(struct tls_conn *c)
{
	struct held_rec *r = c->held;
	uint32_t n = r->has_body ? r->h.len : 0;
	c->held = r->next;
	c->held_n--;
	c->held_bytes -= n;
	c->budget->keywait_bytes -= n;
	mem_free(r);
}

static bool encrypted_unseen(struct tls_conn *c, int side, const struct tls_rec_hdr *h, const uint8_t *body,
			     uint64_t frame);

/* One record from the framer or the queue; false: it waits (see protected_record). */
static bool record_in(struct tls_conn *c, int side, const struct tls_rec_hdr *h, const uint8_t *body,
		      uint64_t frame, const struct ts *t, enum hold_mode mode)
{
	if (prot_covers(&c->prot[side], h->type) || encrypted_unseen(c, side, h, body, frame))
		return protected_record(c, side, h, body, frame, t, mode);
	tls_conn_record(c, side, h->type, h->version, body, h->len, frame, t, 0);
	return true;
}

void tls_conn_retry(struct tls_conn *c, bool give_up)
{
	if (give_up && c->held)
		c->hold_off = true;
	while (c->held) {
		struct held_rec *r = c->held;
		/* the keys of this record may have changed while it waited: the
		 * records before it changed them */
		if (!record_in(c, r->side, &r->h, r->has_body ? r->body : NULL, r->frame, &r->t,
			       give_up ? HOLD_NONE : HOLD_KEEP))
			break;
		hold_pop(c);
	}
	for (int d = 0; c->dec && d < 2; d++)
		c->rec[d].keep_appdata = !c->dec->keep_appdata || c->dec->keep_appdata(c->dec_ctx, d, &c->prot[d]);
}

bool tls_conn_holding(const struct tls_conn *c, struct ts *since)
{
	if (c->held && since)
		*since = c->held->t;
	return c->held != NULL;
}

/* ---- encryption that started unseen ---- */

/* Is the record whole handshake messages of these types (a bit per type
 * below 32), and nothing else? */
static bool only_messages(const uint8_t *body, uint32_t len, uint32_t types)
{
	struct rd r = rd_make(body, len);
	uint8_t type;
	uint32_t mlen;
	while (rd_left(&r))
		if (!rd_u8(&r, &type) || !rd_u24(&r, &mlen) || type >= 32 || !(types >> type & 1) || !rd_skip(&r, mlen))
			return false;
	return len > 0;
}

/* A ClientHello in the clear: msg_type 1, then legacy_version 3.x. */
static bool starts_with_client_hello(const uint8_t *body, uint32_t len)
{
	struct rd r = rd_make(body, len);
	uint8_t type, major;
	return rd_u8(&r, &type) && type == HS_CLIENT_HELLO && rd_skip(&r, 3) && rd_u8(&r, &major) && major == 3;
}

/* Have this side's messages in the clear ended (TLS <= 1.2, RFC 5246
 * §7.3), and is the record not one that may still come? The client's end
 * after its ClientKeyExchange (a CertificateVerify may follow) or,
 * resuming, after the server's ChangeCipherSpec; the server's after its
 * ServerHelloDone or a ServerHello that resumes the ClientHello's session
 * (a NewSessionTicket may follow, a HelloRequest at any time, §7.4.1.1).
 * Ciphertext parses as whole messages of those types by chance only: an
 * AES-GCM Finished's zero nonce is two HelloRequests, then a fragment. */
static bool clear_part_over(const struct session *s, int side, const uint8_t *body, uint32_t len)
{
	if (side == SIDE_CLIENT)
		return (s->client_key_exchange || (s->sh.present && s->dir[SIDE_SERVER].ccs)) &&
		       !only_messages(body, len, 1u << HS_CERTIFICATE_VERIFY);
	bool resumes = s->sh.present && s->ch.present && s->sh.session_id_len > 0 &&
		       s->sh.session_id_len == s->ch.session_id_len &&
		       memcmp(s->sh.session_id, s->ch.session_id, s->sh.session_id_len) == 0;
	return (s->server_hello_done || resumes) &&
	       !only_messages(body, len, 1u << HS_NEW_SESSION_TICKET | 1u << HS_HELLO_REQUEST);
}

/*
 * A handshake record in the clear where only an encrypted one can be: the
 * sender's ChangeCipherSpec was lost, or not captured (one direction of the
 * connection), or taken for TLS 1.3's no-op while the server chose TLS 1.2.
 * Its bytes are ciphertext (normally the Finished) and parsing them as
 * messages invents hello_requests and megabyte ClientHellos. The switch is
 * an inference and says so (tls.ccs_inferred).
 */
static bool encrypted_unseen(struct tls_conn *c, int side, const struct tls_rec_hdr *h, const uint8_t *body,
			     uint64_t frame)
{
	struct session *s = c->s;
	const char *why = NULL;
	if (h->type != TLS_CT_HANDSHAKE || c->prot[side].epoch != TLS_EPOCH_CLEAR || !body || s->tls13 ||
	    c->hs[side].hdr_n)
		return false;
	if (c->ccs_compat_guess[side] && !starts_with_client_hello(body, h->len))
		why = "its ChangeCipherSpec was TLS 1.2's, not 1.3's";
	else if (!c->ccs_compat_guess[side] && clear_part_over(s, side, body, h->len))
		why = "its ChangeCipherSpec was not captured";
	if (!why)
		return false;
	c->ccs_compat_guess[side] = false;
	s->dir[side].ccs_inferred = true;
	session_event(s, frame, "tls.ccs_inferred", "%s: handshake record of %u bytes taken as encrypted (inferred): %s",
		      side_name(side), h->len, why);
	prot_after_ccs(c, side, false);
	return true;
}

/* ---- what the framer hands up ---- */

static void on_record(void *ctx, int side, const struct tls_rec_hdr *h, const uint8_t *body, uint64_t frame,
		      const struct ts *t)
{
	struct tls_conn *c = ctx;
	if (c->held)
		tls_conn_retry(c, false);   /* a new record: the keys of those before it may be read by now */
	if (!c->held)
		record_in(c, side, h, body, frame, t, HOLD_PUSH);
	else if (!hold_push(c, side, h, body, frame, t)) {
		tls_conn_retry(c, true);    /* over a cap: the wait is over */
		record_in(c, side, h, body, frame, t, HOLD_NONE);
	}
	/* both sides: a ServerHello switches the client's keys too */
	for (int d = 0; c->dec && d < 2; d++)
		c->rec[d].keep_appdata = !c->dec->keep_appdata || c->dec->keep_appdata(c->dec_ctx, d, &c->prot[d]);
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

/* An HTTPS port's error page names what the client should have spoken:
 * nginx "The plain HTTP request was sent to HTTPS port", Apache "SSL-enabled
 * server port", Tomcat "requires TLS". Only a fact is kept, not the text;
 * names cut by a segment boundary are missed. */
static void scan_tls_names(struct direction *d, const uint8_t *p, uint32_t n)
{
	static const char *const words[] = { "HTTPS", "SSL", "TLS" };
	for (uint32_t i = 0; i < n && d->plain_scanned < LIM_PLAINTEXT_SCAN && !d->names_tls; i++, d->plain_scanned++)
		for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
			size_t len = strlen(words[w]);
			if (n - i >= len && !memcmp(p + i, words[w], len))
				d->names_tls = true;
		}
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
	scan_tls_names(d, p, n);
	starttls_feed(&c->starttls, c->s, side, p, n, frame);
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
	.sslv2 = on_sslv2,
	.plaintext = on_plaintext,
	.resync = on_resync,
	.event = on_event,
	.bad_start = on_bad_start,
};

/* ---- the connection ---- */

struct tls_conn *tls_conn_new(struct session *s, const bool mid_stream[2], struct budget *budget)
{
	struct tls_conn *c = mem_alloc(sizeof *c);
	c->s = s;
	c->budget = budget;
	for (int side = 0; side < 2; side++) {
		c->prot[side].null_mac = -1;
		tls_rec_init(&c->rec[side], mid_stream[side]);
	}
	c->proxy_done = mid_stream[SIDE_CLIENT];
	return c;
}

void tls_conn_set_decryptor(struct tls_conn *c, const struct tls_decryptor *d, void *ctx)
{
	c->dec = d && d->open ? d : NULL;
	c->dec_ctx = ctx;
	for (int side = 0; side < 2; side++)
		c->rec[side].keep_appdata = c->dec && (!c->dec->keep_appdata ||
						       c->dec->keep_appdata(ctx, side, &c->prot[side]));
}

const struct tls_protection *tls_conn_protection(const struct tls_conn *c, int side)
{
	return &c->prot[side];
}

void tls_conn_data(struct tls_conn *c, int side, const uint8_t *p, uint32_t n, uint64_t frame, const struct ts *t)
{
	if (side == SIDE_CLIENT && !c->proxy_done) {
		/* a PROXY protocol header is taken off before the record layer */
		struct rd held, rest;
		c->proxy_done = proxy_feed(&c->proxy, c->s, p, n, frame, &held, &rest);
		if (rd_left(&held))
			tls_rec_feed(&c->rec[side], side, held.p, (uint32_t)held.len, frame, t, &record_callbacks, c);
		if (c->proxy_done) {
			proxy_pre_free(c->proxy);
			c->proxy = NULL;
		}
		p = rest.p;
		n = (uint32_t)rest.len;
		if (!n)
			return;
	}
	tls_rec_feed(&c->rec[side], side, p, n, frame, t, &record_callbacks, c);
}

void tls_conn_gap(struct tls_conn *c, int side, uint32_t n, uint64_t frame, const char *why)
{
	struct direction *d = &c->s->dir[side];
	/* the records before the gap enter before it is noted */
	tls_conn_retry(c, false);
	tls_conn_retry(c, true);
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
	starttls_gap(c->starttls, side);
	if (side == SIDE_CLIENT && !c->proxy_done) {
		c->proxy_done = true;   /* the header, if any, was lost */
		proxy_pre_free(c->proxy);
		c->proxy = NULL;
	}
	if (c->prot[side].epoch != TLS_EPOCH_CLEAR)
		c->prot[side].seq_lost = true;
	hs_reset(c, &c->hs[side]);
	tls_rec_gap(&c->rec[side]);
}

void tls_conn_end(struct tls_conn *c, uint64_t frame, const char *why)
{
	struct session *s = c->s;
	tls_conn_retry(c, false);   /* a last look for their keys */
	tls_conn_retry(c, true);
	for (int side = 0; side < 2; side++) {
		const struct tls_rec_dir *r = &c->rec[side];
		const struct hs_asm *h = &c->hs[side];
		if (r->state == RS_BODY && r->have < r->cur.len) {
			/* a record header was read: this side speaks TLS, even if no record completed */
			s->is_tls = true;
			s->dir[side].spoke_tls = true;
			session_event(s, frame, "tls.truncated", "%s: record of %u bytes cut after %u bytes by %s",
				      side_name(side), r->cur.len, r->have, why);
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
	while (c->held)
		hold_pop(c);
	if (c->dec && c->dec->release)
		c->dec->release(c->dec_ctx);
	starttls_free(c->starttls);
	proxy_pre_free(c->proxy);
	http_answer_free(&c->http);
	mem_free(c);
}
