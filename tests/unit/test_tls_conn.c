/* test_tls_conn.c - CUnit tests for the record door and record protection (src/tls_conn.c) with a test decryptor. */
#include "tls_conn.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "session.h"
#include "tls_handshake.h"
#include "tls_record.h"
#include "unit.h"

/*
 * The decryptor here is a test double, not cryptography: a "sealed" record
 * is its plaintext XOR 0x5a followed by three bytes that name the keys it
 * was sealed under (epoch, generation, low byte of seq). open() refuses a
 * record whose three bytes do not match the state tls_conn offers it with,
 * or whose header is not the one on the wire: so every test below also
 * checks that tls_conn follows epochs and sequence numbers as RFC 5246 and
 * RFC 8446 define them.
 */

static uint8_t *cert_der;
static size_t cert_len;

static int suite_init(void)
{
	EVP_PKEY *key = test_key_ec();
	cert_der = test_cert_der("server.example", "Test CA", key, key, 7, false, &cert_len);
	EVP_PKEY_free(key);
	return cert_der ? 0 : 1;
}

static int suite_clean(void)
{
	free(cert_der);
	return 0;
}

struct toy {
	unsigned keys;         /* bit side * 8 + epoch: keys known */
	unsigned opened, refused, offered_appdata;
	unsigned stop_appdata_after;   /* keep_appdata says no after this many application records (0: never) */
	uint8_t seq_offset;    /* a wrong key: expects the seq to be this much higher */
	uint64_t last_seq[2];
	/* live: without the keys, TLS_OPEN_LATER; they arrive (keys = 0xffff)
	 * at the arrive_at-th call of open (0: never) */
	bool later;
	unsigned calls, arrive_at;
};

static int toy_open(void *ctx, int side, const struct tls_protection *st, const struct tls_ciphertext *rec,
		    uint8_t *out, uint32_t cap, uint32_t *out_len)
{
	struct toy *k = ctx;
	uint8_t hdr[5] = { rec->type, (uint8_t)(rec->version >> 8), (uint8_t)rec->version, (uint8_t)(rec->len >> 8),
			   (uint8_t)rec->len };
	if (k->arrive_at && ++k->calls >= k->arrive_at)
		k->keys = 0xffff;
	if (!(k->keys & 1u << (side * 8 + st->epoch)))
		return k->later ? TLS_OPEN_LATER : TLS_OPEN_NO_KEYS;
	if (rec->type == TLS_CT_APPDATA && st->epoch == TLS_EPOCH_APPLICATION)
		k->offered_appdata++;
	const uint8_t *tail = rec->body + rec->len - 3;
	if (rec->len < 3 || memcmp(hdr, rec->header, 5) != 0 || tail[0] != st->epoch ||
	    tail[1] != (uint8_t)st->generation || tail[2] != (uint8_t)(st->seq + k->seq_offset) || cap < rec->len - 3) {
		k->refused++;
		return TLS_OPEN_FAILED;
	}
	for (uint32_t i = 0; i < rec->len - 3; i++)
		out[i] = rec->body[i] ^ 0x5a;
	*out_len = rec->len - 3;
	k->opened++;
	k->last_seq[side] = st->seq;
	return TLS_OPEN_OK;
}

static bool toy_keep(void *ctx, int side, const struct tls_protection *st)
{
	const struct toy *k = ctx;
	(void)side;
	return !k->stop_appdata_after || st->epoch != TLS_EPOCH_APPLICATION || k->offered_appdata < k->stop_appdata_after;
}

static const struct tls_decryptor toy_decryptor = { .open = toy_open, .keep_appdata = toy_keep };

/* ---- building a conversation ---- */

struct wire {
	struct bb b[2];        /* per side: the stream */
};

static void hs_msg(struct bb *b, uint8_t type, const struct bb *body)
{
	bb_u8(b, type);
	bb_u24(b, (uint32_t)body->n);
	bb_bytes(b, body->p, body->n);
}

static void record(struct bb *out, uint8_t type, uint16_t version, const struct bb *body)
{
	bb_u8(out, type);
	bb_u16(out, version);
	bb_u16(out, (unsigned)body->n);
	bb_bytes(out, body->p, body->n);
}

/* A record sealed by the toy under (epoch, generation, seq); TLS 1.3 puts
 * the inner type and `pad` zeros after the content. */
static void sealed(struct bb *out, bool tls13, uint8_t type, const struct bb *content, unsigned pad, uint8_t epoch,
		   uint8_t generation, uint8_t seq)
{
	struct bb inner;
	bb_init(&inner);
	bb_bytes(&inner, content->p, content->n);
	if (tls13) {
		bb_u8(&inner, type);
		bb_fill(&inner, 0, pad);
	}
	for (size_t i = 0; i < inner.n; i++)
		inner.p[i] ^= 0x5a;
	bb_u8(&inner, epoch);
	bb_u8(&inner, generation);
	bb_u8(&inner, seq);
	record(out, tls13 ? TLS_CT_APPDATA : type, 0x0303, &inner);
	bb_free(&inner);
}

static void client_hello(struct bb *msg, bool tls13)
{
	struct bb body;
	bb_init(&body);
	bb_u16(&body, 0x0303);
	bb_fill(&body, 0xc1, 32);
	bb_u8(&body, 0);
	bb_begin(&body, 2);
	bb_u16(&body, tls13 ? 0x1301 : 0xc02f);
	bb_end(&body);
	bb_u8(&body, 1);
	bb_u8(&body, 0);
	bb_begin(&body, 2);
	if (tls13) {
		bb_u16(&body, 43);      /* supported_versions */
		bb_begin(&body, 2);
		bb_begin(&body, 1);
		bb_u16(&body, 0x0304);
		bb_end(&body);
		bb_end(&body);
	}
	bb_end(&body);
	hs_msg(msg, HS_CLIENT_HELLO, &body);
	bb_free(&body);
}

static void server_hello(struct bb *msg, bool tls13)
{
	struct bb body;
	bb_init(&body);
	bb_u16(&body, 0x0303);
	bb_fill(&body, 0x5e, 32);
	bb_u8(&body, 0);
	bb_u16(&body, tls13 ? 0x1301 : 0xc02f);
	bb_u8(&body, 0);
	bb_begin(&body, 2);
	if (tls13) {
		bb_u16(&body, 43);
		bb_begin(&body, 2);
		bb_u16(&body, 0x0304);
		bb_end(&body);
	} else {
		bb_u16(&body, 22);      /* encrypt_then_mac */
		bb_u16(&body, 0);
	}
	bb_end(&body);
	hs_msg(msg, HS_SERVER_HELLO, &body);
	bb_free(&body);
}

/* Certificate with one certificate (or none), TLS 1.3 or 1.2 form. */
static void certificate(struct bb *msg, bool tls13, bool empty)
{
	struct bb body;
	bb_init(&body);
	if (tls13)
		bb_u8(&body, 0);        /* certificate_request_context */
	bb_begin(&body, 3);
	if (!empty) {
		bb_begin(&body, 3);
		bb_bytes(&body, cert_der, cert_len);
		bb_end(&body);
		if (tls13)
			bb_u16(&body, 0);
	}
	bb_end(&body);
	hs_msg(msg, HS_CERTIFICATE, &body);
	bb_free(&body);
}

/* TLS 1.3 CertificateRequest: empty context, certificate_authorities with two names. */
static void cert_request13(struct bb *msg)
{
	struct bb body;
	bb_init(&body);
	bb_u8(&body, 0);
	bb_begin(&body, 2);
	bb_u16(&body, 47);
	bb_begin(&body, 2);
	bb_begin(&body, 2);
	bb_begin(&body, 2);
	bb_str(&body, "first CA name");
	bb_end(&body);
	bb_begin(&body, 2);
	bb_str(&body, "second CA name");
	bb_end(&body);
	bb_end(&body);
	bb_end(&body);
	bb_end(&body);
	hs_msg(msg, HS_CERTIFICATE_REQUEST, &body);
	bb_free(&body);
}

static void simple(struct bb *msg, uint8_t type, uint8_t fill, size_t n)
{
	struct bb body;
	bb_init(&body);
	bb_fill(&body, fill, n);
	hs_msg(msg, type, &body);
	bb_free(&body);
}

/* CertificateVerify: ecdsa_secp256r1_sha256 and a 4-byte "signature" */
static void cert_verify(struct bb *msg)
{
	struct bb body;
	bb_init(&body);
	bb_u16(&body, 0x0403);
	bb_begin(&body, 2);
	bb_fill(&body, 0x11, 4);
	bb_end(&body);
	hs_msg(msg, HS_CERTIFICATE_VERIFY, &body);
	bb_free(&body);
}

static void alert_body(struct bb *b, uint8_t level, uint8_t desc)
{
	bb_u8(b, level);
	bb_u8(b, desc);
}

/* The TLS 1.3 mTLS failure of the playbooks: the server asks for a
 * certificate, the client sends an empty one, the server answers with
 * certificate_required under its application keys. Frames: 1 CH, 2 SH +
 * CCS + EE/CR, 3 Certificate/CV/Finished, 4 client CCS + Certificate/
 * Finished, 5 the alert. */
static void tls13_wire(struct bb *cli1, struct bb *srv2, struct bb *srv3, struct bb *cli4, struct bb *srv5,
		       bool key_update)
{
	struct bb m;
	bb_init(cli1), bb_init(srv2), bb_init(srv3), bb_init(cli4), bb_init(srv5), bb_init(&m);
	client_hello(&m, true);
	record(cli1, TLS_CT_HANDSHAKE, 0x0301, &m);
	bb_reset(&m);
	server_hello(&m, true);
	record(srv2, TLS_CT_HANDSHAKE, 0x0303, &m);
	bb_reset(&m);
	bb_u8(&m, 1);
	record(srv2, TLS_CT_CCS, 0x0303, &m);
	bb_reset(&m);
	simple(&m, HS_ENCRYPTED_EXTENSIONS, 0, 2);
	cert_request13(&m);
	sealed(srv2, true, TLS_CT_HANDSHAKE, &m, 5, TLS_EPOCH_HANDSHAKE, 0, 0);
	bb_reset(&m);
	certificate(&m, true, false);
	sealed(srv3, true, TLS_CT_HANDSHAKE, &m, 0, TLS_EPOCH_HANDSHAKE, 0, 1);
	bb_reset(&m);
	cert_verify(&m);
	simple(&m, HS_FINISHED, 0xf1, 32);
	sealed(srv3, true, TLS_CT_HANDSHAKE, &m, 0, TLS_EPOCH_HANDSHAKE, 0, 2);
	bb_reset(&m);
	bb_u8(&m, 1);
	record(cli4, TLS_CT_CCS, 0x0303, &m);
	bb_reset(&m);
	certificate(&m, true, true);
	simple(&m, HS_FINISHED, 0xf2, 32);
	sealed(cli4, true, TLS_CT_HANDSHAKE, &m, 0, TLS_EPOCH_HANDSHAKE, 0, 0);
	bb_reset(&m);
	uint8_t gen = 0, seq = 0;
	if (key_update) {
		simple(&m, HS_KEY_UPDATE, 0, 1);
		sealed(srv5, true, TLS_CT_HANDSHAKE, &m, 0, TLS_EPOCH_APPLICATION, 0, 0);
		bb_reset(&m);
		gen = 1;
	}
	alert_body(&m, 2, 116);
	sealed(srv5, true, TLS_CT_ALERT, &m, 3, TLS_EPOCH_APPLICATION, gen, seq);
	bb_free(&m);
}

static struct session *run_tls13(struct toy *k, bool key_update)
{
	struct bb cli1, srv2, srv3, cli4, srv5;
	tls13_wire(&cli1, &srv2, &srv3, &cli4, &srv5, key_update);

	struct session *s = session_new_for_test();
	struct budget budget = { 0 };
	const bool mid[2] = { false, false };
	struct tls_conn *c = tls_conn_new(s, mid, &budget);
	if (k)
		tls_conn_set_decryptor(c, &toy_decryptor, k);
	struct ts t = { 1700000000, 0 };
	tls_conn_data(c, SIDE_CLIENT, cli1.p, (uint32_t)cli1.n, 1, &t);
	tls_conn_data(c, SIDE_SERVER, srv2.p, (uint32_t)srv2.n, 2, &t);
	tls_conn_data(c, SIDE_SERVER, srv3.p, (uint32_t)srv3.n, 3, &t);
	tls_conn_data(c, SIDE_CLIENT, cli4.p, (uint32_t)cli4.n, 4, &t);
	tls_conn_data(c, SIDE_SERVER, srv5.p, (uint32_t)srv5.n, 5, &t);
	const struct tls_protection *sp = tls_conn_protection(c, SIDE_SERVER), *cp = tls_conn_protection(c, SIDE_CLIENT);
	CU_ASSERT_EQUAL(sp->records, key_update ? 5 : 4);
	CU_ASSERT_EQUAL(cp->records, 1);
	CU_ASSERT_EQUAL(sp->version, 0x0304);
	CU_ASSERT_PTR_NOT_NULL(sp->suite);
	if (sp->suite)
		CU_ASSERT_EQUAL(sp->suite->id, 0x1301);
	CU_ASSERT_PTR_NOT_NULL(sp->client_random);
	CU_ASSERT_FALSE(sp->encrypt_then_mac);
	CU_ASSERT_EQUAL(budget.handshake_bytes, 0);
	tls_conn_free(c);
	bb_free(&cli1), bb_free(&srv2), bb_free(&srv3), bb_free(&cli4), bb_free(&srv5);
	return s;
}

/* Live: the keys are read after the records came. Those of the server's
 * flight, and everything after them on either side, wait in order; when
 * the keys arrive (the 5th offer: at the client's flight) they enter as if
 * the keys had been there, sequence numbers and epochs included. */
static void test_tls13_records_wait_for_late_keys(void)
{
	struct toy k = { .later = true, .arrive_at = 5 };
	struct bb cli1, srv2, srv3, cli4, srv5;
	tls13_wire(&cli1, &srv2, &srv3, &cli4, &srv5, false);
	struct session *s = session_new_for_test();
	struct budget budget = { 0 };
	const bool mid[2] = { false, false };
	struct tls_conn *c = tls_conn_new(s, mid, &budget);
	tls_conn_set_decryptor(c, &toy_decryptor, &k);
	struct ts t = { 1700000000, 0 }, since = { 0, 1 };
	tls_conn_data(c, SIDE_CLIENT, cli1.p, (uint32_t)cli1.n, 1, &t);
	tls_conn_data(c, SIDE_SERVER, srv2.p, (uint32_t)srv2.n, 2, &t);
	t.nsec = 1000;
	tls_conn_data(c, SIDE_SERVER, srv3.p, (uint32_t)srv3.n, 3, &t);
	CU_ASSERT_TRUE(tls_conn_holding(c, &since));
	CU_ASSERT_EQUAL(since.nsec, 0);   /* the first waiting record's time */
	CU_ASSERT_EQUAL(tls_conn_protection(c, SIDE_SERVER)->records, 0);
	CU_ASSERT_FALSE(s->cr.present);
	CU_ASSERT_TRUE(budget.keywait_bytes > 0);
	tls_conn_data(c, SIDE_CLIENT, cli4.p, (uint32_t)cli4.n, 4, &t);
	CU_ASSERT_FALSE(tls_conn_holding(c, NULL));
	tls_conn_data(c, SIDE_SERVER, srv5.p, (uint32_t)srv5.n, 5, &t);
	CU_ASSERT_EQUAL(k.opened, 5);
	CU_ASSERT_EQUAL(k.refused, 0);
	CU_ASSERT_EQUAL(tls_conn_protection(c, SIDE_SERVER)->records, 4);
	CU_ASSERT_EQUAL(tls_conn_protection(c, SIDE_CLIENT)->records, 1);
	CU_ASSERT_TRUE(s->cr.present);
	CU_ASSERT_EQUAL(s->cr.frame, 2);
	CU_ASSERT_EQUAL(s->client_chain.state, CHAIN_SEEN);
	CU_ASSERT_EQUAL(s->alerts_n, 1);
	if (s->alerts_n) {
		CU_ASSERT_EQUAL(s->alerts[0].desc, 116);
		CU_ASSERT_EQUAL(s->alerts[0].frame, 5);
		CU_ASSERT_TRUE(s->alerts[0].decrypted);
	}
	CU_ASSERT_EQUAL(budget.keywait_bytes, 0);
	tls_conn_free(c);
	session_free(s);

	/* keys that never come: the wait is given up, the records enter
	 * opaque and in order, nothing is held any more */
	k = (struct toy){ .later = true };
	s = session_new_for_test();
	c = tls_conn_new(s, mid, &budget);
	tls_conn_set_decryptor(c, &toy_decryptor, &k);
	tls_conn_data(c, SIDE_CLIENT, cli1.p, (uint32_t)cli1.n, 1, &t);
	tls_conn_data(c, SIDE_SERVER, srv2.p, (uint32_t)srv2.n, 2, &t);
	tls_conn_data(c, SIDE_SERVER, srv3.p, (uint32_t)srv3.n, 3, &t);
	tls_conn_data(c, SIDE_CLIENT, cli4.p, (uint32_t)cli4.n, 4, &t);
	tls_conn_data(c, SIDE_SERVER, srv5.p, (uint32_t)srv5.n, 5, &t);
	CU_ASSERT_TRUE(tls_conn_holding(c, NULL));
	tls_conn_retry(c, true);
	CU_ASSERT_FALSE(tls_conn_holding(c, NULL));
	CU_ASSERT_EQUAL(tls_conn_protection(c, SIDE_SERVER)->records, 4);
	CU_ASSERT_EQUAL(tls_conn_protection(c, SIDE_CLIENT)->records, 1);
	CU_ASSERT_EQUAL(s->dir[SIDE_SERVER].appdata_records, 4);
	CU_ASSERT_EQUAL(k.opened, 0);
	CU_ASSERT_EQUAL(budget.keywait_bytes, 0);
	tls_conn_data(c, SIDE_SERVER, srv5.p, (uint32_t)srv5.n, 6, &t);
	CU_ASSERT_FALSE(tls_conn_holding(c, NULL));   /* given up once: never again */
	tls_conn_free(c);
	session_free(s);

	/* a connection whose keys never come holds at most LIM_KEYWAIT_RECORDS */
	k = (struct toy){ .later = true };
	s = session_new_for_test();
	c = tls_conn_new(s, mid, &budget);
	tls_conn_set_decryptor(c, &toy_decryptor, &k);
	tls_conn_data(c, SIDE_CLIENT, cli1.p, (uint32_t)cli1.n, 1, &t);
	tls_conn_data(c, SIDE_SERVER, srv2.p, (uint32_t)srv2.n, 2, &t);
	for (unsigned i = 0; i < LIM_KEYWAIT_RECORDS + 6; i++)
		tls_conn_data(c, SIDE_SERVER, srv5.p, (uint32_t)srv5.n, 3 + i, &t);
	CU_ASSERT_FALSE(tls_conn_holding(c, NULL));
	CU_ASSERT_EQUAL(tls_conn_protection(c, SIDE_SERVER)->records, 1 + LIM_KEYWAIT_RECORDS + 6);
	CU_ASSERT_EQUAL(budget.keywait_bytes, 0);
	tls_conn_free(c);
	session_free(s);

	/* freed while holding: nothing leaks, the budget is given back */
	k = (struct toy){ .later = true };
	s = session_new_for_test();
	c = tls_conn_new(s, mid, &budget);
	tls_conn_set_decryptor(c, &toy_decryptor, &k);
	tls_conn_data(c, SIDE_CLIENT, cli1.p, (uint32_t)cli1.n, 1, &t);
	tls_conn_data(c, SIDE_SERVER, srv2.p, (uint32_t)srv2.n, 2, &t);
	CU_ASSERT_TRUE(tls_conn_holding(c, NULL));
	tls_conn_free(c);
	CU_ASSERT_EQUAL(budget.keywait_bytes, 0);
	session_free(s);
	bb_free(&cli1), bb_free(&srv2), bb_free(&srv3), bb_free(&cli4), bb_free(&srv5);
}

/* With every key: the encrypted flight is parsed by the same parsers as a
 * clear one, and the alert is named. */
static void test_tls13_decrypted_records_enter_the_door(void)
{
	struct toy k = { .keys = 0xffff };
	struct session *s = run_tls13(&k, false);
	CU_ASSERT_EQUAL(k.opened, 5);
	CU_ASSERT_EQUAL(k.refused, 0);
	CU_ASSERT_EQUAL(s->events_n, 0);
	CU_ASSERT_TRUE(s->tls13);
	CU_ASSERT_TRUE(s->cr.present);
	CU_ASSERT_EQUAL(s->cr.frame, 2);
	CU_ASSERT_EQUAL(s->cr.dn_count, 2);
	CU_ASSERT_EQUAL(s->server_chain.state, CHAIN_SEEN);
	CU_ASSERT_EQUAL(s->server_chain.frame, 3);
	CU_ASSERT_EQUAL(s->server_chain.n, 1);
	CU_ASSERT_EQUAL(s->client_chain.state, CHAIN_SEEN);
	CU_ASSERT_EQUAL(s->client_chain.frame, 4);
	CU_ASSERT_EQUAL(s->client_chain.count, 0);
	CU_ASSERT_TRUE(s->cv.present);
	CU_ASSERT_TRUE(s->dir[SIDE_SERVER].finished);
	CU_ASSERT_EQUAL(s->dir[SIDE_SERVER].finished_frame, 3);
	CU_ASSERT_TRUE(s->dir[SIDE_CLIENT].finished);
	CU_ASSERT_EQUAL_FATAL(s->alerts_n, 1);
	CU_ASSERT_FALSE(s->alerts[0].encrypted);
	CU_ASSERT_EQUAL(s->alerts[0].from, SIDE_SERVER);
	CU_ASSERT_EQUAL(s->alerts[0].frame, 5);
	CU_ASSERT_EQUAL(s->alerts[0].desc, 116);
	CU_ASSERT_EQUAL(s->dir[SIDE_SERVER].appdata_records, 0);   /* nothing left opaque */
	CU_ASSERT_EQUAL(s->dir[SIDE_CLIENT].appdata_records, 0);
	/* the timeline says which lines only the keys showed: the hellos and the CCSs were in the clear */
	unsigned clear = 0, opened = 0;
	for (uint32_t i = 0; i < s->timeline_n; i++) {
		const struct msg *m = &s->timeline[i];
		bool in_clear = m->kind == MSG_CCS || (m->kind == MSG_HANDSHAKE && (m->hs_type == 1 || m->hs_type == 2));
		CU_ASSERT_EQUAL(m->decrypted, !in_clear);
		clear += !m->decrypted;
		opened += m->decrypted;
	}
	CU_ASSERT_EQUAL(clear, 4);
	CU_ASSERT(opened >= 7);   /* EE, CR, Certificate, CV, Finished, Certificate, Finished, the alert */
	session_free(s);
}

/* A KeyUpdate moves the sender to the next application secret, sequence 0. */
static void test_tls13_key_update(void)
{
	struct toy k = { .keys = 0xffff };
	struct session *s = run_tls13(&k, true);
	CU_ASSERT_EQUAL(k.opened, 6);
	CU_ASSERT_EQUAL(k.refused, 0);
	CU_ASSERT_EQUAL(k.last_seq[SIDE_SERVER], 0);
	CU_ASSERT_EQUAL_FATAL(s->alerts_n, 1);
	CU_ASSERT_EQUAL(s->alerts[0].desc, 116);
	session_free(s);
}

/* No decryptor, or one without the keys of an epoch, or keys that do not
 * authenticate: those records are counted as today, by size. */
static void test_tls13_without_keys_as_before(void)
{
	struct session *none = run_tls13(NULL, false);
	CU_ASSERT_FALSE(none->cr.present);
	CU_ASSERT_EQUAL(none->server_chain.state, CHAIN_ABSENT);
	CU_ASSERT_EQUAL(none->dir[SIDE_SERVER].appdata_records, 4);
	CU_ASSERT_EQUAL(none->dir[SIDE_CLIENT].appdata_records, 1);
	CU_ASSERT_EQUAL(none->alerts_n, 0);
	CU_ASSERT_EQUAL(none->events_n, 0);
	for (uint32_t i = 0; i < none->timeline_n; i++)
		CU_ASSERT_FALSE(none->timeline[i].decrypted);

	/* the handshake keys only (a key log written before the alert) */
	struct toy k = { .keys = 1u << (SIDE_SERVER * 8 + TLS_EPOCH_HANDSHAKE) | 1u << (SIDE_CLIENT * 8 + TLS_EPOCH_HANDSHAKE) };
	struct session *s = run_tls13(&k, false);
	CU_ASSERT_EQUAL(k.opened, 4);
	CU_ASSERT_TRUE(s->cr.present);
	CU_ASSERT_EQUAL(s->alerts_n, 0);
	CU_ASSERT_EQUAL(s->dir[SIDE_SERVER].appdata_records, 1);   /* the alert, unread */
	CU_ASSERT_EQUAL(s->dir[SIDE_SERVER].appdata_last_frame, 5);
	session_free(s);

	/* keys that do not authenticate (a key log of another run): nothing
	 * opens, every record is counted as with no keys */
	struct toy wrong = { .keys = 0xffff, .seq_offset = 1 };
	s = run_tls13(&wrong, false);
	CU_ASSERT_EQUAL(wrong.opened, 0);
	CU_ASSERT_EQUAL(wrong.refused, 5);
	CU_ASSERT_FALSE(s->cr.present);
	CU_ASSERT_EQUAL(s->dir[SIDE_SERVER].appdata_records, 4);
	CU_ASSERT_EQUAL(s->dir[SIDE_CLIENT].appdata_records, 1);
	CU_ASSERT_EQUAL(s->alerts_n, 0);
	CU_ASSERT_EQUAL(s->events_n, 0);
	session_free(s);
	session_free(none);
}

/* TLS 1.2: keys from ChangeCipherSpec on, sequence numbers from 0 per
 * direction; the decrypted Finished and alert are facts like clear ones. */
static void test_tls12_after_change_cipher_spec(void)
{
	struct bb pkt[4], m;
	for (int i = 0; i < 4; i++)
		bb_init(&pkt[i]);
	bb_init(&m);
	client_hello(&m, false);
	record(&pkt[0], TLS_CT_HANDSHAKE, 0x0303, &m);
	bb_reset(&m);
	server_hello(&m, false);
	certificate(&m, false, false);
	simple(&m, HS_SERVER_HELLO_DONE, 0, 0);
	record(&pkt[1], TLS_CT_HANDSHAKE, 0x0303, &m);
	bb_reset(&m);
	simple(&m, HS_CLIENT_KEY_EXCHANGE, 0x44, 33);
	record(&pkt[2], TLS_CT_HANDSHAKE, 0x0303, &m);
	bb_reset(&m);
	bb_u8(&m, 1);
	record(&pkt[2], TLS_CT_CCS, 0x0303, &m);
	record(&pkt[3], TLS_CT_CCS, 0x0303, &m);
	bb_reset(&m);
	simple(&m, HS_FINISHED, 0xf1, 12);
	sealed(&pkt[2], false, TLS_CT_HANDSHAKE, &m, 0, TLS_EPOCH_CCS, 0, 0);
	bb_reset(&m);
	alert_body(&m, 2, 51);   /* decrypt_error: the server did not like the client's Finished */
	sealed(&pkt[3], false, TLS_CT_ALERT, &m, 0, TLS_EPOCH_CCS, 0, 0);
	for (int with_keys = 0; with_keys < 2; with_keys++) {
		struct toy k = { .keys = 0xffff };
		struct session *s = session_new_for_test();
		struct budget budget = { 0 };
		const bool mid[2] = { false, false };
		struct tls_conn *c = tls_conn_new(s, mid, &budget);
		if (with_keys)
			tls_conn_set_decryptor(c, &toy_decryptor, &k);
		struct ts t = { 1700000000, 0 };
		for (int i = 0; i < 4; i++)
			tls_conn_data(c, i % 2 ? SIDE_SERVER : SIDE_CLIENT, pkt[i].p, (uint32_t)pkt[i].n, 1 + (uint64_t)i,
				      &t);
		for (int side = 0; side < 2; side++) {
			const struct tls_protection *st = tls_conn_protection(c, side);
			CU_ASSERT_EQUAL(st->epoch, TLS_EPOCH_CCS);
			CU_ASSERT_EQUAL(st->seq, 1);
			CU_ASSERT_EQUAL(st->generation, 0);
			CU_ASSERT_TRUE(st->encrypted);
			CU_ASSERT_EQUAL(st->null_mac, -1);
			CU_ASSERT_EQUAL(st->version, 0x0303);
			CU_ASSERT_TRUE(st->encrypt_then_mac);
			CU_ASSERT_PTR_NOT_NULL(st->server_random);
		}
		tls_conn_free(c);
		CU_ASSERT_EQUAL(k.opened, with_keys ? 2u : 0u);
		CU_ASSERT_EQUAL(s->dir[SIDE_CLIENT].finished, with_keys == 1);
		CU_ASSERT_EQUAL(s->dir[SIDE_CLIENT].enc_handshake_records, with_keys ? 0u : 1u);
		CU_ASSERT_EQUAL(s->dir[SIDE_CLIENT].ccs_frame, 3);
		CU_ASSERT_EQUAL_FATAL(s->alerts_n, 1);
		CU_ASSERT_EQUAL(s->alerts[0].encrypted, with_keys == 0);
		CU_ASSERT_EQUAL(s->alerts[0].desc, with_keys ? 51 : 0);
		CU_ASSERT_EQUAL(s->alerts[0].frame, 4);
		CU_ASSERT_EQUAL(s->events_n, 0);
		session_free(s);
	}
	for (int i = 0; i < 4; i++)
		bb_free(&pkt[i]);
	bb_free(&m);
}

/* ---- encryption that started unseen (issue 13) ---- */

/* What a 40-byte AES-GCM Finished looks like to a parser that takes it for
 * clear text: an explicit nonce of zeros (two hello_requests), then
 * ciphertext starting 01 e9 ... (a 15 MB ClientHello). */
static void gcm_finished_bytes(struct bb *out)
{
	struct bb body;
	bb_init(&body);
	bb_fill(&body, 0, 8);
	bb_u8(&body, 0x01);
	bb_u24(&body, 0xe9a1b2);
	bb_fill(&body, 0x7c, 28);
	record(out, TLS_CT_HANDSHAKE, 0x0303, &body);
	bb_free(&body);
}

static unsigned count_events(const struct session *s, const char *id)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < s->events_n; i++)
		n += strcmp(s->events[i].id, id) == 0;
	return n;
}

static unsigned count_clear_messages(const struct session *s, int side)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < s->timeline_n; i++)
		n += s->timeline[i].from == side && s->timeline[i].kind == MSG_HANDSHAKE;
	return n;
}

/* One direction captured, the client's only: it offered TLS 1.3, the server
 * resumed a TLS 1.2 session. Its ChangeCipherSpec looked like TLS 1.3's
 * no-op, but the Finished after it is a handshake record that is no
 * ClientHello: TLS 1.2's, encrypted. */
static void test_client_only_resumption_finished_stays_encrypted(void)
{
	struct bb pkt, m;
	bb_init(&pkt);
	bb_init(&m);
	client_hello(&m, true);
	record(&pkt, TLS_CT_HANDSHAKE, 0x0303, &m);
	bb_reset(&m);
	bb_u8(&m, 1);
	record(&pkt, TLS_CT_CCS, 0x0303, &m);
	gcm_finished_bytes(&pkt);
	struct session *s = session_new_for_test();
	struct budget budget = { 0 };
	const bool mid[2] = { false, false };
	struct tls_conn *c = tls_conn_new(s, mid, &budget);
	struct ts t = { 1700000000, 0 };
	tls_conn_data(c, SIDE_CLIENT, pkt.p, (uint32_t)pkt.n, 4, &t);
	CU_ASSERT_EQUAL(tls_conn_protection(c, SIDE_CLIENT)->epoch, TLS_EPOCH_CCS);
	tls_conn_end(c, 9, "the end of the capture");
	tls_conn_free(c);
	CU_ASSERT_EQUAL(count_clear_messages(s, SIDE_CLIENT), 1);   /* the ClientHello only */
	CU_ASSERT_EQUAL_FATAL(s->timeline_n, 3);
	CU_ASSERT_EQUAL(s->timeline[2].kind, MSG_ENC_HANDSHAKE);
	CU_ASSERT_EQUAL(s->timeline[2].length, 40);
	CU_ASSERT_EQUAL(s->dir[SIDE_CLIENT].enc_handshake_records, 1);
	CU_ASSERT_TRUE(s->dir[SIDE_CLIENT].ccs);
	CU_ASSERT_EQUAL(count_events(s, "tls.ccs_inferred"), 1);
	CU_ASSERT_EQUAL(count_events(s, "tls.handshake_too_long"), 0);
	CU_ASSERT_EQUAL(count_events(s, "tls.truncated"), 0);
	session_free(s);
	bb_free(&pkt);
	bb_free(&m);
}

/* TLS 1.3 after a HelloRetryRequest: the client's compatibility CCS, then
 * its second ClientHello in the clear, which stays a ClientHello. */
static void test_compat_ccs_then_second_client_hello_is_clear(void)
{
	struct bb pkt, m;
	bb_init(&pkt);
	bb_init(&m);
	client_hello(&m, true);
	record(&pkt, TLS_CT_HANDSHAKE, 0x0303, &m);
	bb_reset(&m);
	bb_u8(&m, 1);
	record(&pkt, TLS_CT_CCS, 0x0303, &m);
	bb_reset(&m);
	client_hello(&m, true);
	record(&pkt, TLS_CT_HANDSHAKE, 0x0303, &m);
	struct session *s = session_new_for_test();
	struct budget budget = { 0 };
	const bool mid[2] = { false, false };
	struct tls_conn *c = tls_conn_new(s, mid, &budget);
	struct ts t = { 1700000000, 0 };
	tls_conn_data(c, SIDE_CLIENT, pkt.p, (uint32_t)pkt.n, 4, &t);
	CU_ASSERT_EQUAL(tls_conn_protection(c, SIDE_CLIENT)->epoch, TLS_EPOCH_CLEAR);
	tls_conn_free(c);
	CU_ASSERT_EQUAL(count_clear_messages(s, SIDE_CLIENT), 2);
	CU_ASSERT_EQUAL(count_events(s, "tls.ccs_inferred"), 0);
	session_free(s);
	bb_free(&pkt);
	bb_free(&m);
}

/* TLS 1.2, the client's ChangeCipherSpec lost with its segment: the next
 * handshake record after its ClientKeyExchange is its Finished, encrypted
 * (and a key log opens it with the CCS epoch's first sequence number). A
 * CertificateVerify in the clear at that place stays clear. */
static void test_lost_ccs_finished_stays_encrypted(void)
{
	for (int with_keys = 0; with_keys < 2; with_keys++) {
		struct bb pkt[3], m;
		for (int i = 0; i < 3; i++)
			bb_init(&pkt[i]);
		bb_init(&m);
		client_hello(&m, false);
		record(&pkt[0], TLS_CT_HANDSHAKE, 0x0303, &m);
		bb_reset(&m);
		server_hello(&m, false);
		certificate(&m, false, false);
		simple(&m, HS_SERVER_HELLO_DONE, 0, 0);
		record(&pkt[1], TLS_CT_HANDSHAKE, 0x0303, &m);
		bb_reset(&m);
		simple(&m, HS_CLIENT_KEY_EXCHANGE, 0x44, 33);
		simple(&m, HS_CERTIFICATE_VERIFY, 0x55, 70);
		record(&pkt[2], TLS_CT_HANDSHAKE, 0x0303, &m);
		bb_reset(&m);
		simple(&m, HS_FINISHED, 0xf1, 12);
		struct bb fin;
		bb_init(&fin);
		if (with_keys)
			sealed(&fin, false, TLS_CT_HANDSHAKE, &m, 0, TLS_EPOCH_CCS, 0, 0);
		else
			gcm_finished_bytes(&fin);
		struct toy k = { .keys = 0xffff };
		struct session *s = session_new_for_test();
		struct budget budget = { 0 };
		const bool mid[2] = { false, false };
		struct tls_conn *c = tls_conn_new(s, mid, &budget);
		if (with_keys)
			tls_conn_set_decryptor(c, &toy_decryptor, &k);
		struct ts t = { 1700000000, 0 };
		tls_conn_data(c, SIDE_CLIENT, pkt[0].p, (uint32_t)pkt[0].n, 4, &t);
		tls_conn_data(c, SIDE_SERVER, pkt[1].p, (uint32_t)pkt[1].n, 6, &t);
		tls_conn_data(c, SIDE_CLIENT, pkt[2].p, (uint32_t)pkt[2].n, 8, &t);
		tls_conn_gap(c, SIDE_CLIENT, 6, 10, "capture loss");   /* the CCS record */
		tls_conn_data(c, SIDE_CLIENT, fin.p, (uint32_t)fin.n, 10, &t);
		tls_conn_free(c);
		CU_ASSERT_EQUAL(count_clear_messages(s, SIDE_CLIENT), with_keys ? 4 : 3);   /* CH, CKE, CV (+ Finished) */
		CU_ASSERT_EQUAL(s->dir[SIDE_CLIENT].finished, with_keys == 1);
		CU_ASSERT_EQUAL(s->dir[SIDE_CLIENT].enc_handshake_records, with_keys ? 0u : 1u);
		CU_ASSERT_FALSE(s->dir[SIDE_CLIENT].ccs);
		CU_ASSERT_TRUE(s->dir[SIDE_CLIENT].ccs_inferred);
		CU_ASSERT_EQUAL(k.opened, with_keys ? 1u : 0u);
		CU_ASSERT_EQUAL(count_events(s, "tls.ccs_inferred"), 1);
		CU_ASSERT_EQUAL(count_events(s, "tls.handshake_too_long"), 0);
		session_free(s);
		for (int i = 0; i < 3; i++)
			bb_free(&pkt[i]);
		bb_free(&fin);
		bb_free(&m);
	}
}

/* The server after its ServerHelloDone: a HelloRequest record in the clear
 * is one (RFC 5246 7.4.1.1: any time), the zero nonce of a GCM Finished
 * followed by a fragment is not. */
static void test_server_hello_request_clear_finished_encrypted(void)
{
	struct bb pkt[3], m;
	for (int i = 0; i < 3; i++)
		bb_init(&pkt[i]);
	bb_init(&m);
	client_hello(&m, false);
	record(&pkt[0], TLS_CT_HANDSHAKE, 0x0303, &m);
	bb_reset(&m);
	server_hello(&m, false);
	certificate(&m, false, false);
	simple(&m, HS_SERVER_HELLO_DONE, 0, 0);
	record(&pkt[1], TLS_CT_HANDSHAKE, 0x0303, &m);
	bb_reset(&m);
	simple(&m, HS_HELLO_REQUEST, 0, 0);
	record(&pkt[1], TLS_CT_HANDSHAKE, 0x0303, &m);
	gcm_finished_bytes(&pkt[2]);
	struct session *s = session_new_for_test();
	struct budget budget = { 0 };
	const bool mid[2] = { false, false };
	struct tls_conn *c = tls_conn_new(s, mid, &budget);
	struct ts t = { 1700000000, 0 };
	tls_conn_data(c, SIDE_CLIENT, pkt[0].p, (uint32_t)pkt[0].n, 4, &t);
	tls_conn_data(c, SIDE_SERVER, pkt[1].p, (uint32_t)pkt[1].n, 6, &t);
	CU_ASSERT_EQUAL(count_clear_messages(s, SIDE_SERVER), 4);   /* SH, Certificate, SHD, HelloRequest */
	CU_ASSERT_EQUAL(tls_conn_protection(c, SIDE_SERVER)->epoch, TLS_EPOCH_CLEAR);
	tls_conn_gap(c, SIDE_SERVER, 6, 8, "capture loss");
	tls_conn_data(c, SIDE_SERVER, pkt[2].p, (uint32_t)pkt[2].n, 8, &t);
	CU_ASSERT_EQUAL(tls_conn_protection(c, SIDE_SERVER)->epoch, TLS_EPOCH_CCS);
	tls_conn_free(c);
	CU_ASSERT_EQUAL(count_clear_messages(s, SIDE_SERVER), 4);
	CU_ASSERT_EQUAL(s->dir[SIDE_SERVER].enc_handshake_records, 1);
	CU_ASSERT_EQUAL(count_events(s, "tls.ccs_inferred"), 1);
	session_free(s);
	for (int i = 0; i < 3; i++)
		bb_free(&pkt[i]);
	bb_free(&m);
}

/* The door itself: a decrypted handshake message split over two records
 * is reassembled like a clear one; an inner plaintext of zeros only has no
 * content type. */
static void test_door_reassembles_decrypted_records(void)
{
	struct bb m;
	bb_init(&m);
	cert_request13(&m);
	struct session *s = session_new_for_test();
	s->tls13 = true;
	s->hrr.present = true;   /* msg_version: TLS 1.3 without a ServerHello */
	struct budget budget = { 0 };
	const bool mid[2] = { false, false };
	struct tls_conn *c = tls_conn_new(s, mid, &budget);
	struct ts t = { 1700000000, 0 };
	tls_conn_record(c, SIDE_SERVER, TLS_CT_HANDSHAKE, 0x0303, m.p, 7, 10, &t, TLS_REC_DECRYPTED);
	CU_ASSERT_FALSE(s->cr.present);
	CU_ASSERT_EQUAL(budget.handshake_bytes, m.n - 4);
	tls_conn_record(c, SIDE_SERVER, TLS_CT_HANDSHAKE, 0x0303, m.p + 7, (uint32_t)m.n - 7, 11, &t,
			TLS_REC_DECRYPTED);
	CU_ASSERT_TRUE(s->cr.present);
	CU_ASSERT_EQUAL(s->cr.frame, 11);
	CU_ASSERT_EQUAL(s->cr.dn_count, 2);
	CU_ASSERT_EQUAL(budget.handshake_bytes, 0);
	CU_ASSERT_EQUAL(s->timeline_n, 1);
	/* a decrypted alert is named even when it is not the usual 2 bytes */
	static const uint8_t two_alerts[4] = { 2, 42, 1, 0 };
	tls_conn_record(c, SIDE_CLIENT, TLS_CT_ALERT, 0x0303, two_alerts, 4, 12, &t, TLS_REC_DECRYPTED);
	CU_ASSERT_EQUAL_FATAL(s->alerts_n, 1);
	CU_ASSERT_FALSE(s->alerts[0].encrypted);
	CU_ASSERT_EQUAL(s->alerts[0].desc, 42);
	CU_ASSERT_EQUAL(session_event_count(s, "tls.malformed"), 1);
	tls_conn_free(c);
	session_free(s);
	bb_free(&m);
}

/* Inner plaintext without a type (all padding), and a decryptor that stops
 * wanting application data: later records are only counted. */
static void test_inner_type_and_appdata_policy(void)
{
	struct bb cli, srv, m;
	bb_init(&cli), bb_init(&srv), bb_init(&m);
	client_hello(&m, true);
	record(&cli, TLS_CT_HANDSHAKE, 0x0301, &m);
	bb_reset(&m);
	server_hello(&m, true);
	record(&srv, TLS_CT_HANDSHAKE, 0x0303, &m);
	bb_reset(&m);
	simple(&m, HS_FINISHED, 0xf1, 32);
	sealed(&srv, true, TLS_CT_HANDSHAKE, &m, 0, TLS_EPOCH_HANDSHAKE, 0, 0);
	bb_reset(&m);
	sealed(&srv, true, 0, &m, 4, TLS_EPOCH_APPLICATION, 0, 0);   /* zeros only */
	for (uint8_t i = 1; i <= 4; i++) {
		bb_reset(&m);
		bb_str(&m, "HTTP/1.1 400 Bad Request\r\n");
		sealed(&srv, true, TLS_CT_APPDATA, &m, 0, TLS_EPOCH_APPLICATION, 0, i);
	}
	struct toy k = { .keys = 0xffff, .stop_appdata_after = 2 };
	struct session *s = session_new_for_test();
	struct budget budget = { 0 };
	const bool mid[2] = { false, false };
	struct tls_conn *c = tls_conn_new(s, mid, &budget);
	tls_conn_set_decryptor(c, &toy_decryptor, &k);
	struct ts t = { 1700000000, 0 };
	tls_conn_data(c, SIDE_CLIENT, cli.p, (uint32_t)cli.n, 1, &t);
	tls_conn_data(c, SIDE_SERVER, srv.p, (uint32_t)srv.n, 2, &t);
	CU_ASSERT_EQUAL(session_event_count(s, "tls.malformed"), 1);
	CU_ASSERT_EQUAL(k.offered_appdata, 2);   /* the padding-only record and the first status line */
	CU_ASSERT_EQUAL(k.opened, 3);
	CU_ASSERT_EQUAL(s->dir[SIDE_SERVER].appdata_records, 4);   /* one decrypted, three counted */
	CU_ASSERT_EQUAL(tls_conn_protection(c, SIDE_SERVER)->seq, 5);
	CU_ASSERT_EQUAL(tls_conn_protection(c, SIDE_SERVER)->opened, 3);
	tls_conn_free(c);
	session_free(s);
	bb_free(&cli), bb_free(&srv), bb_free(&m);
}

void register_tls_conn_tests(void)
{
	CU_pSuite suite = CU_add_suite("tls_conn", suite_init, suite_clean);
	if (suite == NULL)
		return;
	CU_add_test(suite, "TLS 1.3: decrypted records enter the door, same facts as clear ones",
		    test_tls13_decrypted_records_enter_the_door);
	CU_add_test(suite, "TLS 1.3: KeyUpdate, next generation from sequence 0", test_tls13_key_update);
	CU_add_test(suite, "live: records wait for late keys, in order, capped, given up", test_tls13_records_wait_for_late_keys);
	CU_add_test(suite, "TLS 1.3: without keys, records counted by size as before", test_tls13_without_keys_as_before);
	CU_add_test(suite, "TLS 1.2: protected from ChangeCipherSpec on", test_tls12_after_change_cipher_spec);
	CU_add_test(suite, "the door reassembles decrypted handshake records", test_door_reassembles_decrypted_records);
	CU_add_test(suite, "TLS 1.3 inner content type, application data policy", test_inner_type_and_appdata_policy);
	CU_add_test(suite, "client side only, TLS 1.2 resumption: the Finished after a 1.3-looking CCS is encrypted",
		    test_client_only_resumption_finished_stays_encrypted);
	CU_add_test(suite, "TLS 1.3 compatibility CCS then a second ClientHello: clear",
		    test_compat_ccs_then_second_client_hello_is_clear);
	CU_add_test(suite, "lost ChangeCipherSpec: the Finished stays encrypted (and opens with the CCS epoch)",
		    test_lost_ccs_finished_stays_encrypted);
	CU_add_test(suite, "server after ServerHelloDone: HelloRequest clear, a GCM Finished encrypted",
		    test_server_hello_request_clear_finished_encrypted);
}
