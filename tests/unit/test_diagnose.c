/* test_diagnose.c - CUnit tests for the diagnosis rules (src/diagnose.c).
 *
 * Every session here is built BY HAND from facts (struct session), never from
 * packet bytes: the rules read facts only (issue 4), so each rule is tested
 * with exactly the facts it reads. Certificates come from a small PKI made
 * with OpenSSL at suite start and are handed to x509_get() as DER, as the
 * parser would.
 *
 * Frame layout of the usual TLS 1.2 session (close to the gateway playbook,
 * ../shared/seeds/001): ClientHello 4, ServerHello + Certificate 6,
 * CertificateRequest + ServerHelloDone 7, client Certificate + ClientKeyExchange 9,
 * client ChangeCipherSpec + Finished 10, server ChangeCipherSpec + Finished 11
 * (or its alert, 11 or 12), data 13 and 14, close_notify 15 and 16, FINs 17 and 18.
 */
#include "diagnose.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certcheck.h"
#include "clockskew.h"
#include "limits.h"
#include "mem.h"
#include "session.h"
#include "unit.h"
#include "x509.h"

#define T0 ((int64_t)1748736000)   /* 2025-06-01T00:00:00Z: when the capture was taken */
#define DAY ((int64_t)86400)

/* ======================================================================
 * A small PKI
 * ====================================================================== */

struct tcert {
	X509 *x;
	struct x509_cert *c;
};

static struct {
	EVP_PKEY *root_key, *int_key, *other_key, *leaf_key, *self_key, *rsa1024_key;
	struct tcert root, inter, inter_expired, server, client, other_ca, other_client, expired, notyet, soon, self,
		nosan, noclientauth, ku_no_ds, sha1_leaf, weak_leaf, direct_leaf;
	X509_STORE *store_root;    /* the user's --ca-file: our root */
	X509_STORE *store_other;   /* a store that knows only "Other CA" */
	X509_STORE *store_self;    /* a store holding the self-signed leaf itself */
	X509_NAME *n_root, *n_inter, *n_other;   /* CertificateRequest names */
} P;

/* Names are built O first, CN last: printed (RFC 4514) as "CN=...,O=...". */
static X509_NAME *mkname(const char *cn, const char *o, int type)
{
	X509_NAME *n = X509_NAME_new();
	if (!n)
		abort();
	if (o && !X509_NAME_add_entry_by_txt(n, "O", type, (const unsigned char *)o, -1, -1, 0))
		abort();
	if (cn && !X509_NAME_add_entry_by_txt(n, "CN", type, (const unsigned char *)cn, -1, -1, 0))
		abort();
	return n;
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	if (!value)
		return;
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!e)
		abort();
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
}

struct spec {
	const char *cn, *o;
	const struct tcert *issuer;   /* NULL: self-signed */
	EVP_PKEY *key, *sign_key;     /* sign_key NULL: key (self-signed) */
	int64_t nb, na;               /* validity */
	const EVP_MD *md;             /* NULL: SHA-256 */
	const char *bc, *ku, *eku, *san;
};

static struct tcert make_cert(const struct spec *sp)
{
	static long serial = 0x1000;
	X509 *x = X509_new();
	X509_NAME *subj = mkname(sp->cn, sp->o, MBSTRING_UTF8);
	if (!x)
		abort();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_set_subject_name(x, subj);
	X509_set_issuer_name(x, sp->issuer ? X509_get_subject_name(sp->issuer->x) : subj);
	ASN1_TIME_set(X509_getm_notBefore(x), (time_t)sp->nb);
	ASN1_TIME_set(X509_getm_notAfter(x), (time_t)sp->na);
	X509_set_pubkey(x, sp->key);
	X509 *iss = sp->issuer ? sp->issuer->x : x;
	add_ext(x, iss, NID_basic_constraints, sp->bc);
	add_ext(x, iss, NID_key_usage, sp->ku);
	add_ext(x, iss, NID_ext_key_usage, sp->eku);
	add_ext(x, iss, NID_subject_alt_name, sp->san);
	if (!X509_sign(x, sp->sign_key ? sp->sign_key : sp->key, sp->md ? sp->md : EVP_sha256()))
		abort();
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	if (n <= 0)
		abort();
	struct tcert t = { x, x509_get(der, (size_t)n) };
	OPENSSL_free(der);
	X509_NAME_free(subj);
	if (!t.c->x)
		abort();
	return t;
}

static X509_STORE *store_with(X509 *anchor)
{
	X509_STORE *st = X509_STORE_new();
	if (!st || !X509_STORE_add_cert(st, anchor))
		abort();
	return st;
}

static const char *const SAN_SERVER = "DNS:api.example.test,DNS:*.wild.example.test,IP:10.0.0.2";

static int suite_init(void)
{
	memset(&P, 0, sizeof P);
	P.root_key = test_key_ec();
	P.int_key = test_key_ec();
	P.other_key = test_key_ec();
	P.leaf_key = test_key_ec();
	P.self_key = test_key_ec();
	P.rsa1024_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	if (!P.rsa1024_key)
		return 1;

	const char *ca_ku = "critical,keyCertSign,cRLSign";
	P.root = make_cert(&(struct spec){ "Test Root CA", "tlsdiag unit", NULL, P.root_key, NULL, T0 - 1800 * DAY,
					   T0 + 3650 * DAY, NULL, "critical,CA:TRUE", ca_ku, NULL, NULL });
	P.inter = make_cert(&(struct spec){ "Test Intermediate CA", "tlsdiag unit", &P.root, P.int_key, P.root_key,
					    T0 - 700 * DAY, T0 + 1800 * DAY, NULL, "critical,CA:TRUE,pathlen:0", ca_ku,
					    NULL, NULL });
	/* the same CA (name and key) in an expired certificate */
	P.inter_expired = make_cert(&(struct spec){ "Test Intermediate CA", "tlsdiag unit", &P.root, P.int_key,
						    P.root_key, T0 - 1000 * DAY, T0 - 3 * DAY, NULL,
						    "critical,CA:TRUE,pathlen:0", ca_ku, NULL, NULL });
	/* an old root, SHA-1 self-signed (roots' signatures are not judged) */
	P.other_ca = make_cert(&(struct spec){ "Other CA", "elsewhere", NULL, P.other_key, NULL, T0 - 1800 * DAY,
					       T0 + 3650 * DAY, EVP_sha1(), "critical,CA:TRUE", ca_ku, NULL, NULL });

	/* The server leaf: its CN is deliberately not among its SANs. */
	P.server = make_cert(&(struct spec){ "www.example.test", "tlsdiag unit", &P.inter, P.leaf_key, P.int_key,
					     T0 - 30 * DAY, T0 + 365 * DAY, NULL, "CA:FALSE", "critical,digitalSignature",
					     "serverAuth", SAN_SERVER });
	P.client = make_cert(&(struct spec){ "Test Client", "tlsdiag unit", &P.inter, P.leaf_key, P.int_key,
					     T0 - 30 * DAY, T0 + 365 * DAY, NULL, "CA:FALSE", "critical,digitalSignature",
					     "clientAuth", NULL });
	P.other_client = make_cert(&(struct spec){ "Other Client", "elsewhere", &P.other_ca, P.leaf_key, P.other_key,
						   T0 - 30 * DAY, T0 + 365 * DAY, NULL, "CA:FALSE",
						   "critical,digitalSignature", "clientAuth", NULL });
	P.expired = make_cert(&(struct spec){ "expired.example.test", "tlsdiag unit", &P.inter, P.leaf_key, P.int_key,
					      T0 - 400 * DAY, T0 - 10 * DAY, NULL, "CA:FALSE", "critical,digitalSignature",
					      "serverAuth,clientAuth", "DNS:expired.example.test" });
	P.notyet = make_cert(&(struct spec){ "future.example.test", "tlsdiag unit", &P.inter, P.leaf_key, P.int_key,
					     T0 + 5 * DAY, T0 + 400 * DAY, NULL, "CA:FALSE", "critical,digitalSignature",
					     "serverAuth", "DNS:future.example.test" });
	P.soon = make_cert(&(struct spec){ "soon.example.test", "tlsdiag unit", &P.inter, P.leaf_key, P.int_key,
					   T0 - 300 * DAY, T0 + 10 * DAY, NULL, "CA:FALSE", "critical,digitalSignature",
					   "serverAuth", "DNS:soon.example.test" });
	P.self = make_cert(&(struct spec){ "self.example.test", "tlsdiag unit", NULL, P.self_key, NULL, T0 - 30 * DAY,
					   T0 + 365 * DAY, NULL, "CA:FALSE", "critical,digitalSignature", "serverAuth",
					   "DNS:self.example.test" });
	P.nosan = make_cert(&(struct spec){ "legacy.example.test", "tlsdiag unit", &P.inter, P.leaf_key, P.int_key,
					    T0 - 30 * DAY, T0 + 365 * DAY, NULL, "CA:FALSE", "critical,digitalSignature",
					    "serverAuth", NULL });
	P.noclientauth = make_cert(&(struct spec){ "Test Client Without clientAuth", "tlsdiag unit", &P.inter,
						   P.leaf_key, P.int_key, T0 - 30 * DAY, T0 + 365 * DAY, NULL, "CA:FALSE",
						   "critical,digitalSignature", "serverAuth", NULL });
	P.ku_no_ds = make_cert(&(struct spec){ "Test Client keyAgreement", "tlsdiag unit", &P.inter, P.leaf_key,
					       P.int_key, T0 - 30 * DAY, T0 + 365 * DAY, NULL, "CA:FALSE",
					       "critical,keyAgreement", "clientAuth", NULL });
	P.sha1_leaf = make_cert(&(struct spec){ "sha1.example.test", "tlsdiag unit", &P.inter, P.leaf_key, P.int_key,
						T0 - 30 * DAY, T0 + 365 * DAY, EVP_sha1(), "CA:FALSE",
						"critical,digitalSignature", "serverAuth", "DNS:sha1.example.test" });
	P.weak_leaf = make_cert(&(struct spec){ "weak.example.test", "tlsdiag unit", &P.inter, P.rsa1024_key, P.int_key,
						T0 - 30 * DAY, T0 + 365 * DAY, NULL, "CA:FALSE",
						"critical,digitalSignature,keyEncipherment", "serverAuth",
						"DNS:weak.example.test" });
	P.direct_leaf = make_cert(&(struct spec){ "direct.example.test", "tlsdiag unit", &P.root, P.leaf_key,
						  P.root_key, T0 - 30 * DAY, T0 + 365 * DAY, NULL, "CA:FALSE",
						  "critical,digitalSignature", "serverAuth", "DNS:direct.example.test" });

	P.store_root = store_with(P.root.x);
	P.store_other = store_with(P.other_ca.x);
	P.store_self = store_with(P.self.x);
	P.n_root = X509_NAME_dup(X509_get_subject_name(P.root.x));
	P.n_inter = X509_NAME_dup(X509_get_subject_name(P.inter.x));
	P.n_other = X509_NAME_dup(X509_get_subject_name(P.other_ca.x));
	return 0;
}

static void tcert_free(struct tcert *t)
{
	if (t->c)
		x509_unref(t->c);
	X509_free(t->x);
	memset(t, 0, sizeof *t);
}

static int suite_cleanup(void)
{
	struct tcert *all[] = { &P.root, &P.inter, &P.inter_expired, &P.server, &P.client, &P.other_ca,
				&P.other_client, &P.expired, &P.notyet, &P.soon, &P.self, &P.nosan, &P.noclientauth,
				&P.ku_no_ds, &P.sha1_leaf, &P.weak_leaf, &P.direct_leaf };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		tcert_free(all[i]);
	X509_STORE_free(P.store_root);
	X509_STORE_free(P.store_other);
	X509_STORE_free(P.store_self);
	X509_NAME_free(P.n_root);
	X509_NAME_free(P.n_inter);
	X509_NAME_free(P.n_other);
	EVP_PKEY *keys[] = { P.root_key, P.int_key, P.other_key, P.leaf_key, P.self_key, P.rsa1024_key };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		EVP_PKEY_free(keys[i]);
	x509_cache_clear();
	mem_release_pools();
	memset(&P, 0, sizeof P);
	return 0;
}

/* ======================================================================
 * Sessions from facts
 * ====================================================================== */

/* Every frame is captured on 2025-06-01 (frame f at T0 + f ms): a chain is
 * judged at T0 exactly. */
static struct ts tm(uint64_t frame)
{
	struct ts t = { T0, (uint32_t)((frame % 1000) * 1000000u) };
	return t;
}

/* 10.0.0.1:50123 -> 10.0.0.2:443, TCP handshake in frames 1-3, nothing closed yet. */
static struct session *new_session(void)
{
	static const uint8_t cip[4] = { 10, 0, 0, 1 }, sip[4] = { 10, 0, 0, 2 };
	struct session *s = session_new();
	s->file = "unit.pcap";
	s->af = 4;
	memcpy(s->client_ip, cip, 4);
	memcpy(s->server_ip, sip, 4);
	s->client_port = 50123;
	s->server_port = 443;
	s->ts_prec = 6;
	s->first_frame = 1;
	s->start_time = tm(1);
	s->dir[SIDE_CLIENT].syn = s->dir[SIDE_SERVER].syn = true;
	s->dir[SIDE_CLIENT].packets = 2;
	s->dir[SIDE_SERVER].packets = 1;
	s->dir[SIDE_CLIENT].last_frame = 3;
	s->dir[SIDE_SERVER].last_frame = 2;
	s->last_frame = 3;
	s->end_time = tm(3);
	s->close_kind = CLOSE_END_OF_CAPTURE;
	return s;
}

static void set_server_ip(struct session *s, uint8_t last)
{
	s->server_ip[3] = last;
}

/* A packet of side at frame. */
static void touch(struct session *s, uint64_t frame, int side)
{
	struct direction *d = &s->dir[side];
	d->packets++;
	if (frame > d->last_frame)
		d->last_frame = frame;
	if (frame > s->last_frame) {
		s->last_frame = frame;
		s->end_time = tm(frame);
	}
}

/* A TLS record of side at frame. */
static void record(struct session *s, uint64_t frame, int side)
{
	touch(s, frame, side);
	s->dir[side].spoke_tls = true;
	s->is_tls = true;
	s->record_seq++;
	if (!s->record_version)
		s->record_version = 0x0301;
}

static struct msg *timeline(struct session *s, uint64_t frame, int side, int kind, uint32_t len)
{
	struct ts t = tm(frame);
	struct msg *m = session_add_msg(s, frame, &t, side, kind);
	if (m)
		m->length = len;
	return m;
}

static void hs(struct session *s, uint64_t frame, int side, uint8_t type, uint32_t len)
{
	record(s, frame, side);
	struct msg *m = timeline(s, frame, side, MSG_HANDSHAKE, len);
	if (m)
		m->hs_type = type;
}

static void u16s(struct session *s, struct u16list *l, const uint16_t *v, uint32_t n)
{
	l->v = arena_alloc(&s->arena, (n ? n : 1) * sizeof *l->v);
	memcpy(l->v, v, n * sizeof *v);
	l->n = l->total = l->cap = n;
}

static void client_hello(struct session *s, uint64_t frame, const char *sni)
{
	static const uint16_t suites[] = { 0xc02f, 0xc030, 0x009e };
	hs(s, frame, SIDE_CLIENT, 1, 220);
	struct client_hello *ch = &s->ch;
	ch->present = true;
	ch->frame = frame;
	ch->length = 220;
	ch->legacy_version = 0x0303;
	ch->max_version = 0x0303;
	u16s(s, &ch->cipher_suites, suites, 3);
	if (sni) {
		ch->has_sni = true;
		ch->sni_len = (uint16_t)strlen(sni);
		ch->sni = arena_strndup(&s->arena, sni, ch->sni_len);
	}
	s->handshakes++;
}

static void client_hello13(struct session *s, uint64_t frame, const char *sni)
{
	static const uint16_t versions[] = { 0x0304, 0x0303 };
	client_hello(s, frame, sni);
	u16s(s, &s->ch.supported_versions, versions, 2);
	s->ch.max_version = 0x0304;
}

static void server_hello(struct session *s, uint64_t frame, uint16_t version, uint16_t suite)
{
	hs(s, frame, SIDE_SERVER, 2, 80);
	s->sh.present = true;
	s->sh.frame = frame;
	s->sh.length = 80;
	s->sh.legacy_version = version > 0x0303 ? 0x0303 : version;
	s->sh.version = version;
	s->sh.cipher_suite = suite;
	if (version == 0x0304)
		s->tls13 = true;
}

static struct chain *chain_of(struct session *s, int side)
{
	return side == SIDE_SERVER ? &s->server_chain : &s->client_chain;
}

/* A Certificate message of side (n == 0: the empty one). */
static void send_chain(struct session *s, int side, uint64_t frame, const struct tcert *const *certs, uint32_t n)
{
	uint32_t total = 0;
	for (uint32_t i = 0; i < n; i++)
		total += 3 + certs[i]->c->der_len;
	hs(s, frame, side, 11, total + 3);
	struct chain *c = chain_of(s, side);
	c->state = CHAIN_SEEN;
	c->frame = frame;
	c->time = tm(frame);
	c->msg_length = total + 3;
	c->list_length = total;
	c->count = c->n = n;
	c->certs = arena_alloc(&s->arena, (n ? n : 1) * sizeof *c->certs);
	for (uint32_t i = 0; i < n; i++) {
		c->certs[i].x509 = x509_ref(certs[i]->c);
		c->certs[i].der_len = certs[i]->c->der_len;
	}
}

#define CERTS(...) ((const struct tcert *const[]){ __VA_ARGS__ })
#define NCERTS(...) ((uint32_t)(sizeof CERTS(__VA_ARGS__) / sizeof(const struct tcert *)))
#define SEND_CHAIN(s, side, frame, ...) send_chain(s, side, frame, CERTS(__VA_ARGS__), NCERTS(__VA_ARGS__))

/* A CertificateRequest listing names (DER, each with its 2-byte length, as on the wire). */
static void cert_request(struct session *s, uint64_t frame, X509_NAME *const *names, uint32_t n)
{
	struct cert_request *cr = &s->cr;
	uint32_t total = 0;
	for (uint32_t i = 0; i < n; i++)
		total += 2 + (uint32_t)i2d_X509_NAME(names[i], NULL);
	hs(s, frame, SIDE_SERVER, 13, total + 8);
	cr->present = true;
	cr->frame = frame;
	cr->length = total + 8;
	cr->cert_types_n = 2;
	cr->cert_types[0] = 1;    /* rsa_sign */
	cr->cert_types[1] = 64;   /* ecdsa_sign */
	cr->cert_types_total = 2;
	cr->dn_bytes = arena_alloc(&s->arena, total ? total : 1);
	cr->dn_bytes_len = total;
	cr->dn_count = n;
	cr->dn_off = arena_alloc(&s->arena, (n ? n : 1) * sizeof *cr->dn_off);
	cr->dn_len = arena_alloc(&s->arena, (n ? n : 1) * sizeof *cr->dn_len);
	uint32_t o = 0;
	for (uint32_t i = 0; i < n; i++) {
		int len = i2d_X509_NAME(names[i], NULL);
		cr->dn_bytes[o] = (uint8_t)(len >> 8);
		cr->dn_bytes[o + 1] = (uint8_t)len;
		unsigned char *p = cr->dn_bytes + o + 2;
		i2d_X509_NAME(names[i], &p);
		cr->dn_off[i] = o + 2;
		cr->dn_len[i] = (uint16_t)len;
		o += 2 + (uint32_t)len;
	}
}

#define NAMES(...) ((X509_NAME *const[]){ __VA_ARGS__ })
#define CERT_REQUEST(s, frame, ...) \
	cert_request(s, frame, NAMES(__VA_ARGS__), (uint32_t)(sizeof NAMES(__VA_ARGS__) / sizeof(X509_NAME *)))

static void server_done(struct session *s, uint64_t frame)
{
	hs(s, frame, SIDE_SERVER, 14, 0);
	s->server_hello_done = true;
	s->server_hello_done_frame = frame;
}

static void client_key_exchange(struct session *s, uint64_t frame)
{
	hs(s, frame, SIDE_CLIENT, 16, 66);
	s->client_key_exchange = true;
	s->client_key_exchange_frame = frame;
}

static void ccs(struct session *s, uint64_t frame, int side)
{
	record(s, frame, side);
	timeline(s, frame, side, MSG_CCS, 1);
	if (!s->dir[side].ccs) {
		s->dir[side].ccs = true;
		s->dir[side].ccs_frame = frame;
	}
}

static void enc_handshake(struct session *s, uint64_t frame, int side)
{
	struct direction *d = &s->dir[side];
	record(s, frame, side);
	timeline(s, frame, side, MSG_ENC_HANDSHAKE, 40);
	if (d->enc_handshake_records++ == 0) {
		d->enc_handshake_frame = frame;
		d->enc_handshake_seq = s->record_seq;
	}
}

/* ChangeCipherSpec and the encrypted Finished. */
static void ccs_finished(struct session *s, uint64_t frame, int side)
{
	ccs(s, frame, side);
	enc_handshake(s, frame, side);
}

static void appdata(struct session *s, uint64_t frame, int side, uint32_t len)
{
	touch(s, frame, side);
	struct ts t = tm(frame);
	session_add_appdata(s, frame, &t, side, len);
}

static void alert(struct session *s, uint64_t frame, int from, uint8_t level, uint8_t desc)
{
	record(s, frame, from);
	struct msg *m = timeline(s, frame, from, MSG_ALERT, 2);
	if (m) {
		m->level = level;
		m->desc = desc;
	}
	session_add_alert(s, frame, from, false, level, desc);
	if (desc == 41)
		s->client_no_certificate_alert = true;
}

static void enc_alert(struct session *s, uint64_t frame, int from)
{
	record(s, frame, from);
	timeline(s, frame, from, MSG_ENC_ALERT, 26);
	session_add_alert(s, frame, from, true, 0, 0);
}

/* FIN from first at f1, from the other side at f2 (as the analyzer records it:
 * closed by the first, at the frame of the second). */
static void fin_both(struct session *s, int first, uint64_t f1, uint64_t f2)
{
	s->dir[first].fin = true;
	s->dir[first].fin_frame = f1;
	s->dir[first].close_time = tm(f1);
	touch(s, f1, first);
	s->dir[1 - first].fin = true;
	s->dir[1 - first].fin_frame = f2;
	s->dir[1 - first].close_time = tm(f2);
	touch(s, f2, 1 - first);
	s->close_kind = CLOSE_FIN;
	s->closed_by = (uint8_t)first;
	s->close_frame = f2;
}

static void half_fin(struct session *s, int side, uint64_t frame)
{
	s->dir[side].fin = true;
	s->dir[side].fin_frame = frame;
	s->dir[side].close_time = tm(frame);
	touch(s, frame, side);
}

static void rst(struct session *s, int side, uint64_t frame)
{
	s->dir[side].rst = true;
	s->dir[side].rst_frame = frame;
	if (!s->dir[side].fin)
		s->dir[side].close_time = tm(frame);
	touch(s, frame, side);
	s->close_kind = CLOSE_RST;
	s->closed_by = (uint8_t)side;
	s->close_frame = frame;
}

/* From frame on, bytes of side were not captured. */
static void lose(struct session *s, int side, uint64_t frame, uint64_t bytes, const char *why)
{
	struct direction *d = &s->dir[side];
	if (!d->unobservable) {
		d->unobservable = true;
		d->unobservable_frame = frame;
		d->unobservable_why = why;
		session_event(s, frame, strcmp(why, "snaplen") == 0 ? "capture.snaplen" : "tcp.gap", "%s: lost",
			      side_name(side));
	}
	d->gaps++;
	d->gap_bytes += bytes;
	touch(s, frame, side);
}

/* A second handshake started by side on the established connection. */
static void renegotiate(struct session *s, uint64_t frame, int side)
{
	enc_handshake(s, frame, side);
	if (!s->renegotiation) {
		s->renegotiation = true;
		s->renegotiation_frame = frame;
	}
}

/* ClientHello 4 (with sni), ServerHello 6 with version. */
static struct session *hello12v(const char *sni, uint16_t version)
{
	struct session *s = new_session();
	client_hello(s, 4, sni);
	server_hello(s, 6, version, 0xc02f);
	return s;
}

static struct session *hello12(const char *sni)
{
	return hello12v(sni, 0x0303);
}

/* The client's half from ClientKeyExchange on, the server's Finished, data,
 * close_notify both ways and the FINs: a handshake that completes. */
static void complete12(struct session *s)
{
	if (!s->client_key_exchange)
		client_key_exchange(s, 9);
	if (!s->dir[SIDE_CLIENT].ccs)
		ccs_finished(s, 10, SIDE_CLIENT);
	ccs_finished(s, 11, SIDE_SERVER);
	appdata(s, 13, SIDE_CLIENT, 150);
	appdata(s, 14, SIDE_SERVER, 9000);
	appdata(s, 14, SIDE_SERVER, 9000);
	appdata(s, 14, SIDE_SERVER, 9000);
	appdata(s, 14, SIDE_SERVER, 9000);
	enc_alert(s, 15, SIDE_CLIENT);
	enc_alert(s, 16, SIDE_SERVER);
	fin_both(s, SIDE_CLIENT, 17, 18);
}

/* One-way TLS 1.2 that completes, with the server's chain at 6. */
static struct session *good12(const char *sni, const struct tcert *const *certs, uint32_t n)
{
	struct session *s = hello12(sni);
	if (n)
		send_chain(s, SIDE_SERVER, 6, certs, n);
	server_done(s, 7);
	complete12(s);
	return s;
}
#define GOOD12(sni, ...) good12(sni, CERTS(__VA_ARGS__), NCERTS(__VA_ARGS__))

/* The client refuses the server's chain (6): a fatal alert at 8, then it closes (FIN 9, server 10). */
static struct session *rejected12(const char *sni, uint8_t desc, const struct tcert *const *certs, uint32_t n)
{
	struct session *s = hello12(sni);
	send_chain(s, SIDE_SERVER, 6, certs, n);
	server_done(s, 7);
	alert(s, 8, SIDE_CLIENT, 2, desc);
	fin_both(s, SIDE_CLIENT, 9, 10);
	return s;
}
#define REJECTED12(sni, desc, ...) rejected12(sni, desc, CERTS(__VA_ARGS__), NCERTS(__VA_ARGS__))

/* Mutual TLS 1.2 up to the client's Finished: server chain [server, inter] 6,
 * CertificateRequest (names) 7, the client's Certificate (cc; empty when
 * ncc == 0) and ClientKeyExchange 9, ChangeCipherSpec + Finished 10. */
static struct session *mtls12(X509_NAME *const *names, uint32_t nn, const struct tcert *const *cc, uint32_t ncc)
{
	struct session *s = hello12("api.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	cert_request(s, 7, names, nn);
	server_done(s, 7);
	send_chain(s, SIDE_CLIENT, 9, cc, ncc);
	client_key_exchange(s, 9);
	ccs_finished(s, 10, SIDE_CLIENT);
	return s;
}

/* the client sent an empty Certificate */
static struct session *mtls12_empty(X509_NAME *const *names, uint32_t nn)
{
	return mtls12(names, nn, NULL, 0);
}

/* TLS 1.3: ClientHello 4, ServerHello 6 and the server's encrypted flight (6). */
static struct session *hello13(const char *sni)
{
	struct session *s = new_session();
	client_hello13(s, 4, sni);
	server_hello(s, 6, 0x0304, 0x1301);
	ccs(s, 6, SIDE_SERVER);
	appdata(s, 6, SIDE_SERVER, 2400);   /* EncryptedExtensions ... Finished */
	return s;
}

/* ---- options ---- */

static struct diag_opts opts_none(void)
{
	struct diag_opts o;
	memset(&o, 0, sizeof o);
	o.expiry_warn_days = 30;
	return o;
}

/* --ca-file and --client-ca-file with our root: both sides' stores */
static struct diag_opts opts_user(void)
{
	struct diag_opts o = opts_none();
	o.trust = P.store_root;
	o.trust_given = true;
	o.client_trust = P.store_root;
	o.client_trust_given = true;
	return o;
}

/* the system store (a stand-in holding anchor's store) */
static struct diag_opts opts_system(X509_STORE *st)
{
	struct diag_opts o = opts_none();
	o.trust = st;
	o.trust_given = false;
	return o;
}

/* Every finding is one of the catalogue's, with a severity and a side its
 * row allows: the table tells the truth about the rules. */
static void check_against_catalogue(const struct session *s)
{
	size_t n = 0;
	const struct rule_info *r = diagnose_catalogue(&n);
	for (uint32_t i = 0; i < s->findings.n; i++) {
		const struct finding *f = &s->findings.v[i];
		size_t k = 0;
		while (k < n && strcmp(r[k].id, f->id) != 0)
			k++;
		if (k == n) {
			UNIT_FAIL("finding %s is not in the catalogue", f->id);
			continue;
		}
		char range[32];
		snprintf(range, sizeof range, "|%s|", r[k].severity);
		char sev[16];
		snprintf(sev, sizeof sev, "|%s|", severity_name(f->severity));
		if (!strstr(range, sev))
			UNIT_FAIL("%s has severity %s; the catalogue says %s", f->id, severity_name(f->severity),
				  r[k].severity);
		bool side_ok = r[k].side == RULE_EITHER || r[k].side == RULE_EACH ? f->side != SIDE_BOTH
											: f->side == r[k].side;
		if (!side_ok)
			UNIT_FAIL("%s is about side %d; the catalogue says %d", f->id, f->side, r[k].side);
	}
}

static bool same_text(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* The findings made without words (diagnose_facts, as settled.c does), then
 * given them after diagnose_outcome (finding_words, as the writers do), are
 * the findings diagnose_session makes: the same facts, then the same words. */
static void check_words_later(const struct finding_list *eager, struct finding_list *lazy)
{
	CU_ASSERT_EQUAL_FATAL(lazy->n, eager->n);
	for (uint32_t i = 0; i < eager->n; i++) {
		const struct finding *e = &eager->v[i], *f = &lazy->v[i];
		CU_ASSERT_STRING_EQUAL(f->id, e->id);
		CU_ASSERT(f->severity == e->severity && f->side == e->side && f->inferred == e->inferred);
		CU_ASSERT(f->n_frames == e->n_frames && !memcmp(f->frames, e->frames, sizeof f->frames[0] * e->n_frames));
		CU_ASSERT_STRING_EQUAL(f->summary, "");
		CU_ASSERT_EQUAL_FATAL(f->n_logs, e->n_logs);
		for (unsigned k = 0; k < e->n_logs; k++)
			CU_ASSERT(same_text(f->logs[k].line, e->logs[k].line) && f->logs[k].side == e->logs[k].side);
	}
	finding_words(lazy);
	CU_ASSERT_PTR_NULL(lazy->words_opts);
	for (uint32_t i = 0; i < eager->n; i++) {
		const struct finding *e = &eager->v[i], *f = &lazy->v[i];
		if (!same_text(f->summary, e->summary) || !same_text(f->cause, e->cause) || !same_text(f->fix, e->fix))
			UNIT_FAIL("%s: the words made later differ: \"%s\" / \"%s\"", e->id, f->summary, e->summary);
	}
}

/* Settle and diagnose. A connection still open when the capture ends is
 * settled at the capture's last frame, which belongs to another connection
 * (as the analyzer does). TLSDIAG_UNIT_DUMP=1 prints every finding. */
static void run(struct session *s, const struct diag_opts *o)
{
	if (s->close_kind == CLOSE_END_OF_CAPTURE && !s->close_frame)
		s->close_frame = 500;
	session_finish(s);
	finding_list_free(&s->findings);
	diagnose_session(s, o, &s->findings);
	struct finding_list lazy = { .arena = &s->arena };
	diagnose_facts(s, o, &lazy);
	diagnose_outcome(s);   /* as the analyzer does */
	check_words_later(&s->findings, &lazy);
	check_against_catalogue(s);
	if (getenv("TLSDIAG_UNIT_DUMP")) {
		printf("\n-- outcome %s\n", outcome_name(s->outcome));
		for (uint32_t i = 0; i < s->findings.n; i++) {
			const struct finding *f = &s->findings.v[i];
			printf("   %s %s (%s) frames", severity_name(f->severity), f->id,
			       f->side == SIDE_BOTH ? "both" : side_name(f->side));
			for (unsigned k = 0; k < f->n_frames; k++)
				printf(" %llu", (unsigned long long)f->frames[k]);
			printf("\n      %s\n      cause: %s\n", f->summary, f->cause);
		}
	}
}

/* ======================================================================
 * Assertions
 * ====================================================================== */

#define ANY_SIDE (-1)

static const char *side_str(int side)
{
	return side == SIDE_BOTH ? "both" : side_name(side);
}

/* "id/severity/side[frames]; ..." for failure messages. */
static void list_findings(const struct session *s, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	if (s->findings.n == 0) {
		snprintf(buf, len, "(none)");
		return;
	}
	for (uint32_t i = 0; i < s->findings.n && o + 1 < len; i++) {
		const struct finding *f = &s->findings.v[i];
		o += (size_t)snprintf(buf + o, len - o, "%s%s/%s/%s[", i ? "; " : "", f->id, severity_name(f->severity),
				      side_str(f->side));
		for (unsigned k = 0; k < f->n_frames && o + 1 < len; k++)
			o += (size_t)snprintf(buf + o, len - o, "%s%llu", k ? "," : "", (unsigned long long)f->frames[k]);
		if (o + 1 < len)
			o += (size_t)snprintf(buf + o, len - o, "]");
	}
}

static bool has_frame(const struct finding *f, uint64_t frame)
{
	for (unsigned k = 0; k < f->n_frames; k++)
		if (f->frames[k] == frame)
			return true;
	return false;
}

static bool frames_ok(const struct finding *f, const uint64_t *frames, bool exact)
{
	unsigned n = 0;
	for (; frames && frames[n]; n++)
		if (!has_frame(f, frames[n]))
			return false;
	return !exact || n == f->n_frames;
}

static unsigned count_findings(const struct session *s, const char *id, int side)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < s->findings.n; i++)
		if (!strcmp(s->findings.v[i].id, id) && (side < 0 || s->findings.v[i].side == side))
			n++;
	return n;
}

static const struct finding *find_finding(const struct session *s, const char *id, int side)
{
	for (uint32_t i = 0; i < s->findings.n; i++)
		if (!strcmp(s->findings.v[i].id, id) && (side < 0 || s->findings.v[i].side == side))
			return &s->findings.v[i];
	return NULL;
}

/* A finding id with exactly this severity and side whose frames include
 * frames (0-terminated; exact: and nothing else). */
static void expect_finding_(const char *file, unsigned line, const struct session *s, const char *id, int sev,
			    int side, const uint64_t *frames, bool exact)
{
	const struct finding *same = NULL;
	for (uint32_t i = 0; i < s->findings.n; i++) {
		const struct finding *f = &s->findings.v[i];
		if (strcmp(f->id, id) != 0 || (side >= 0 && f->side != side))
			continue;
		if (!same)
			same = f;
		if (f->severity == sev && frames_ok(f, frames, exact)) {
			CU_assertImplementation(CU_TRUE, line, "finding", file, "", CU_FALSE);
			return;
		}
	}
	char all[400], want[96];
	size_t o = 0;
	want[0] = '\0';
	for (unsigned k = 0; frames && frames[k] && o + 1 < sizeof want; k++)
		o += (size_t)snprintf(want + o, sizeof want - o, "%s%llu", k ? "," : "", (unsigned long long)frames[k]);
	list_findings(s, all, sizeof all);
	unit_fail(file, line, "expected %s/%s/%s with frames %s[%s]; %s; findings: %s", id, severity_name(sev),
		  side < 0 ? "any" : side_str(side), exact ? "exactly " : "", want,
		  same ? "same id and side has other severity or frames" : "no such id and side", all);
}

#define FRAMES(...) ((const uint64_t[]){ __VA_ARGS__, 0 })
#define NO_FRAMES ((const uint64_t *)NULL)
/* frames include these */
#define EXPECT_FINDING(s, id, sev, side, frames) expect_finding_(__FILE__, __LINE__, s, id, sev, side, frames, false)
/* frames are exactly these */
#define EXPECT_FINDING_EXACT(s, id, sev, side, frames) \
	expect_finding_(__FILE__, __LINE__, s, id, sev, side, frames, true)

static void expect_no_finding_(const char *file, unsigned line, const struct session *s, const char *id, int side)
{
	if (!count_findings(s, id, side)) {
		CU_assertImplementation(CU_TRUE, line, "no finding", file, "", CU_FALSE);
		return;
	}
	const struct finding *f = find_finding(s, id, side);
	char all[300];
	list_findings(s, all, sizeof all);
	unit_fail(file, line, "%s must not fire (side %s), got %s: \"%.180s\"; findings: %s", id,
		  side < 0 ? "any" : side_str(side), severity_name(f->severity), f->summary, all);
}
#define EXPECT_NO_FINDING(s, id) expect_no_finding_(__FILE__, __LINE__, s, id, ANY_SIDE)
#define EXPECT_NO_FINDING_SIDE(s, id, side) expect_no_finding_(__FILE__, __LINE__, s, id, side)

enum field { F_SUMMARY, F_CAUSE, F_FIX };

static const char *field_of(const struct finding *f, enum field which)
{
	return which == F_SUMMARY ? f->summary : which == F_CAUSE ? f->cause : f->fix;
}

/* Some finding id (of side) has text containing sub (want) or none has (!want). */
static void expect_text_(const char *file, unsigned line, const struct session *s, const char *id, int side,
			 enum field which, const char *sub, bool want)
{
	const struct finding *last = NULL;
	for (uint32_t i = 0; i < s->findings.n; i++) {
		const struct finding *f = &s->findings.v[i];
		if (strcmp(f->id, id) != 0 || (side >= 0 && f->side != side))
			continue;
		last = f;
		if (strstr(field_of(f, which), sub)) {
			if (want)
				CU_assertImplementation(CU_TRUE, line, "text", file, "", CU_FALSE);
			else
				unit_fail(file, line, "%s %s must not contain \"%s\": \"%.300s\"", id,
					  which == F_SUMMARY ? "summary" : which == F_CAUSE ? "cause" : "fix", sub,
					  field_of(f, which));
			return;
		}
	}
	if (!want) {
		CU_assertImplementation(CU_TRUE, line, "text", file, "", CU_FALSE);
		return;
	}
	if (!last) {
		char all[300];
		list_findings(s, all, sizeof all);
		unit_fail(file, line, "no %s finding to find \"%s\" in; findings: %s", id, sub, all);
		return;
	}
	unit_fail(file, line, "%s %s lacks \"%s\": \"%.330s\"", id,
		  which == F_SUMMARY ? "summary" : which == F_CAUSE ? "cause" : "fix", sub, field_of(last, which));
}
#define EXPECT_SUMMARY(s, id, sub) expect_text_(__FILE__, __LINE__, s, id, ANY_SIDE, F_SUMMARY, sub, true)
#define EXPECT_SUMMARY_SIDE(s, id, side, sub) expect_text_(__FILE__, __LINE__, s, id, side, F_SUMMARY, sub, true)
#define EXPECT_NOT_SUMMARY(s, id, sub) expect_text_(__FILE__, __LINE__, s, id, ANY_SIDE, F_SUMMARY, sub, false)
#define EXPECT_CAUSE(s, id, sub) expect_text_(__FILE__, __LINE__, s, id, ANY_SIDE, F_CAUSE, sub, true)
#define EXPECT_CAUSE_SIDE(s, id, side, sub) expect_text_(__FILE__, __LINE__, s, id, side, F_CAUSE, sub, true)
#define EXPECT_NOT_CAUSE(s, id, sub) expect_text_(__FILE__, __LINE__, s, id, ANY_SIDE, F_CAUSE, sub, false)
#define EXPECT_FIX(s, id, sub) expect_text_(__FILE__, __LINE__, s, id, ANY_SIDE, F_FIX, sub, true)

/* No finding at all, or none at warning/error. */
static void expect_quiet_(const char *file, unsigned line, const struct session *s, bool infos_too)
{
	for (uint32_t i = 0; i < s->findings.n; i++) {
		if (infos_too || s->findings.v[i].severity != SEV_INFO) {
			char all[400];
			list_findings(s, all, sizeof all);
			unit_fail(file, line, "expected %s, got: %s", infos_too ? "no finding" : "no warning or error", all);
			return;
		}
	}
	CU_assertImplementation(CU_TRUE, line, "quiet", file, "", CU_FALSE);
}
#define EXPECT_NO_FINDINGS(s) expect_quiet_(__FILE__, __LINE__, s, true)
#define EXPECT_HEALTHY(s) expect_quiet_(__FILE__, __LINE__, s, false)

/* The ids that judge a certificate chain. */
static const char *const chain_ids[] = {
	"client-cert-issuer-not-requested", "client-cert-unsuitable", "server-chain-incomplete", "chain-order",
	"chain-root-sent", "chain-extra-cert", "cert-expired", "cert-not-yet-valid", "cert-expires-soon",
	"cert-self-signed", "cert-no-san", "hostname-mismatch", "chain-untrusted", "weak-signature", "weak-key",
};

static void expect_no_chain_findings_(const char *file, unsigned line, const struct session *s)
{
	for (size_t i = 0; i < sizeof chain_ids / sizeof chain_ids[0]; i++)
		expect_no_finding_(file, line, s, chain_ids[i], ANY_SIDE);
}
#define EXPECT_NO_CHAIN_FINDINGS(s) expect_no_chain_findings_(__FILE__, __LINE__, s)

static char *fmt_time(int64_t t, char *buf)
{
	x509_format_time(t, buf, 32);
	return buf;
}

/* ======================================================================
 * capture-incomplete
 * ====================================================================== */

static void test_capture_incomplete(void)
{
	struct diag_opts o = opts_user();
	struct session *s;

	/* the server's bytes lost from its Finished on, before the handshake completed */
	s = hello12("api.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	server_done(s, 7);
	client_key_exchange(s, 9);
	ccs_finished(s, 10, SIDE_CLIENT);
	lose(s, SIDE_SERVER, 11, 2896, "capture loss");
	appdata(s, 13, SIDE_CLIENT, 150);
	fin_both(s, SIDE_CLIENT, 17, 18);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_INCOMPLETE);
	EXPECT_FINDING_EXACT(s, "capture-incomplete", SEV_WARNING, SIDE_SERVER, FRAMES(11));
	EXPECT_SUMMARY(s, "capture-incomplete", "2896 bytes sent by the server were not captured, from frame 11 on");
	EXPECT_SUMMARY(s, "capture-incomplete", "(capture loss)");
	EXPECT_NO_FINDING_SIDE(s, "capture-incomplete", SIDE_CLIENT);
	session_free(s);

	/* snapshot length: the client's bytes cut from its ClientHello on */
	s = new_session();
	lose(s, SIDE_CLIENT, 4, 1200, "snaplen");
	server_hello(s, 6, 0x0303, 0xc02f);
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "capture-incomplete", SEV_WARNING, SIDE_CLIENT, FRAMES(4));
	EXPECT_SUMMARY(s, "capture-incomplete", "1200 bytes sent by the client were not captured, from frame 4 on");
	EXPECT_SUMMARY(s, "capture-incomplete", "snapshot length");
	EXPECT_FIX(s, "capture-incomplete", "-s 0");
	session_free(s);

	/* only one direction captured: nothing at all from the server */
	s = new_session();
	s->dir[SIDE_SERVER].packets = 0;
	s->dir[SIDE_SERVER].syn = false;
	s->dir[SIDE_SERVER].last_frame = 0;
	client_hello(s, 4, "api.example.test");
	touch(s, 9, SIDE_CLIENT);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "capture-incomplete", SEV_WARNING, SIDE_SERVER, NO_FRAMES);
	EXPECT_SUMMARY(s, "capture-incomplete", "no packet from the server");
	EXPECT_NO_FINDING_SIDE(s, "capture-incomplete", SIDE_CLIENT);
	session_free(s);

	/* not fired: a loss after the handshake completed, and a whole capture */
	s = GOOD12("api.example.test", &P.server, &P.inter);
	lose(s, SIDE_CLIENT, 20, 5000, "capture loss");
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_COMPLETED);
	EXPECT_NO_FINDING(s, "capture-incomplete");
	session_free(s);

	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDINGS(s);
	session_free(s);
}

/* ======================================================================
 * not-tls
 * ====================================================================== */

static void set_prefix(struct session *s, int side, uint64_t frame, const char *text)
{
	struct direction *d = &s->dir[side];
	size_t n = strlen(text);
	if (n > sizeof d->prefix)
		n = sizeof d->prefix;
	d->not_tls = true;
	d->prefix_frame = frame;
	memcpy(d->prefix, text, n);
	d->prefix_len = (uint8_t)n;
	touch(s, frame, side);
}

static void test_not_tls(void)
{
	struct diag_opts o = opts_none();
	struct session *s;

	/* plain HTTP to a TLS port; the server says nothing and closes */
	s = new_session();
	set_prefix(s, SIDE_CLIENT, 4, "GET / HTTP/1.1\r\nHost: api.example.test\r\n\r\n");
	fin_both(s, SIDE_SERVER, 5, 6);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_NOT_TLS);
	EXPECT_FINDING_EXACT(s, "not-tls", SEV_ERROR, SIDE_CLIENT, FRAMES(4));
	EXPECT_SUMMARY(s, "not-tls", "The client sent \"GET / HTTP/1.1");
	EXPECT_SUMMARY(s, "not-tls", "(frame 4) to 10.0.0.2:443, which serves TLS.");
	EXPECT_FIX(s, "not-tls", "https://");
	CU_ASSERT_EQUAL(s->findings.n, 1);
	session_free(s);

	/* ... and the server answers with a TLS alert */
	s = new_session();
	set_prefix(s, SIDE_CLIENT, 4, "GET / HTTP/1.1\r\n");
	alert(s, 5, SIDE_SERVER, 2, 10);
	fin_both(s, SIDE_SERVER, 6, 7);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_NOT_TLS);
	EXPECT_FINDING_EXACT(s, "not-tls", SEV_ERROR, SIDE_CLIENT, FRAMES(4));
	EXPECT_SUMMARY(s, "not-tls", "which serves TLS");
	session_free(s);

	/* TLS to a plain-text port: the server answers the ClientHello with HTTP */
	s = new_session();
	client_hello(s, 4, "api.example.test");
	set_prefix(s, SIDE_SERVER, 6, "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n");
	fin_both(s, SIDE_SERVER, 7, 8);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_NOT_TLS);
	EXPECT_FINDING_EXACT(s, "not-tls", SEV_ERROR, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "not-tls", "The server 10.0.0.2:443 answered the ClientHello with \"HTTP/1.1 400 Bad Request");
	EXPECT_SUMMARY(s, "not-tls", "(frame 6): it does not speak TLS on this port");
	/* the rules about a TLS handshake do not run on it */
	EXPECT_NO_FINDING(s, "no-server-hello");
	EXPECT_NO_FINDING(s, "alert");
	CU_ASSERT_EQUAL(s->findings.n, 1);
	session_free(s);

	/* not fired: STARTTLS (plaintext first, then TLS) and plain healthy TLS */
	s = GOOD12("api.example.test", &P.server, &P.inter);
	set_prefix(s, SIDE_CLIENT, 2, "EHLO client.example.test\r\n");
	s->dir[SIDE_CLIENT].tls_start_frame = 4;
	run(s, &o);
	CU_ASSERT_NOT_EQUAL(s->outcome, OUTCOME_NOT_TLS);
	EXPECT_NO_FINDING(s, "not-tls");
	session_free(s);
}

/* ======================================================================
 * starttls-refused, no-tls-after-starttls
 * ====================================================================== */

static void starttls(struct session *s, int proto, uint64_t req, int answer, uint64_t ans, const char *words)
{
	s->starttls.proto = (uint8_t)proto;
	s->starttls.requested = true;
	s->starttls.request = "STARTTLS";
	s->starttls.request_frame = req;
	s->starttls.answer = (uint8_t)answer;
	s->starttls.answer_frame = ans;
	s->starttls.words_len = (uint8_t)strlen(words);
	memcpy(s->starttls.words, words, strlen(words));
}

static void test_starttls_rules(void)
{
	struct diag_opts o = opts_none();
	struct session *s;

	/* refused: the server's words quoted, not-tls silent */
	s = new_session();
	set_prefix(s, SIDE_CLIENT, 4, "EHLO c\r\nSTARTTLS\r\n");
	set_prefix(s, SIDE_SERVER, 3, "220 mx ESMTP\r\n");
	starttls(s, STLS_SMTP, 6, STLS_REFUSED, 7, "454 4.7.0 TLS not available due to local problem");
	s->starttls.client_clear_after = 8;
	fin_both(s, SIDE_CLIENT, 9, 10);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_NOT_TLS);
	EXPECT_FINDING_EXACT(s, "starttls-refused", SEV_ERROR, SIDE_SERVER, FRAMES(6, 7, 8));
	EXPECT_SUMMARY(s, "starttls-refused", "the server refused (frame 7): \"454 4.7.0 TLS not available");
	EXPECT_SUMMARY(s, "starttls-refused", "The client went on without TLS (frame 8)");
	EXPECT_NO_FINDING(s, "not-tls");
	EXPECT_NO_FINDING(s, "no-tls-after-starttls");
	CU_ASSERT_EQUAL(s->findings.n, 1);
	session_free(s);

	/* agreed, then the client closed without a ClientHello */
	s = new_session();
	set_prefix(s, SIDE_CLIENT, 4, "a1 STARTTLS\r\n");
	set_prefix(s, SIDE_SERVER, 3, "* OK\r\n");
	starttls(s, STLS_IMAP, 4, STLS_ACCEPTED, 5, "a1 OK Begin TLS");
	fin_both(s, SIDE_CLIENT, 6, 7);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "no-tls-after-starttls", SEV_ERROR, SIDE_CLIENT, FRAMES(4, 5, 6));
	EXPECT_SUMMARY(s, "no-tls-after-starttls", "but the client sent no ClientHello; the client closed the connection");
	EXPECT_NO_FINDING(s, "not-tls");
	session_free(s);

	/* no answer before the capture ended: a warning about the server */
	s = new_session();
	set_prefix(s, SIDE_CLIENT, 4, "STLS\r\n");
	starttls(s, STLS_POP3, 4, STLS_NO_ANSWER, 0, "");
	s->last_frame = 9;
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "no-tls-after-starttls", SEV_WARNING, SIDE_SERVER, FRAMES(4));
	EXPECT_SUMMARY(s, "no-tls-after-starttls", "the server did not answer before the capture ended (frame 9)");
	session_free(s);

	/* the client's bytes after the answer were lost: nothing is said */
	s = new_session();
	set_prefix(s, SIDE_CLIENT, 4, "STLS\r\n");
	starttls(s, STLS_POP3, 4, STLS_ACCEPTED, 5, "+OK");
	s->dir[SIDE_CLIENT].unobservable = true;
	s->dir[SIDE_CLIENT].unobservable_frame = 6;
	fin_both(s, SIDE_CLIENT, 7, 8);
	run(s, &o);
	EXPECT_NO_FINDING(s, "no-tls-after-starttls");
	session_free(s);

	/* agreed and TLS followed: silent */
	s = GOOD12("api.example.test", &P.server, &P.inter);
	set_prefix(s, SIDE_CLIENT, 2, "STARTTLS\r\n");
	s->dir[SIDE_CLIENT].tls_start_frame = 4;
	starttls(s, STLS_SMTP, 2, STLS_ACCEPTED, 3, "220 go ahead");
	run(s, &o);
	EXPECT_NO_FINDING(s, "no-tls-after-starttls");
	EXPECT_NO_FINDING(s, "starttls-refused");
	session_free(s);
}

/* ======================================================================
 * no-server-hello
 * ====================================================================== */

static void test_no_server_hello(void)
{
	struct diag_opts o = opts_none();
	struct session *s;

	/* reset right after the ClientHello */
	s = new_session();
	client_hello(s, 4, "api.example.test");
	rst(s, SIDE_SERVER, 5);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_FAILED);
	EXPECT_FINDING_EXACT(s, "no-server-hello", SEV_ERROR, SIDE_SERVER, FRAMES(4, 5));
	EXPECT_SUMMARY(s, "no-server-hello", "The client sent a ClientHello (frame 4); the server 10.0.0.2:443 reset the "
					     "connection (frame 5) without answering.");
	EXPECT_CAUSE(s, "no-server-hello", "SNI \"api.example.test\"");
	EXPECT_FIX(s, "no-server-hello", "openssl s_client -connect 10.0.0.2:443 -servername api.example.test");
	session_free(s);

	/* closed (FIN) without answering */
	s = new_session();
	client_hello(s, 4, "api.example.test");
	fin_both(s, SIDE_SERVER, 5, 6);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "no-server-hello", SEV_ERROR, SIDE_SERVER, FRAMES(4, 5));
	EXPECT_SUMMARY(s, "no-server-hello", "closed the connection (frame 5) without answering");
	session_free(s);

	/* no answer; the client gives up */
	s = new_session();
	client_hello(s, 4, "api.example.test");
	rst(s, SIDE_CLIENT, 30);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "no-server-hello", SEV_ERROR, SIDE_SERVER, FRAMES(4, 30));
	EXPECT_SUMMARY(s, "no-server-hello", "the client gave up and closed the connection (frame 30)");
	session_free(s);

	/* no answer before the capture ended: a warning */
	s = new_session();
	client_hello(s, 4, "api.example.test");
	touch(s, 5, SIDE_SERVER);   /* the ACK */
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_INCOMPLETE);
	EXPECT_FINDING_EXACT(s, "no-server-hello", SEV_WARNING, SIDE_SERVER, FRAMES(4));
	EXPECT_SUMMARY(s, "no-server-hello", "did not answer before the capture ended (frame 5)");
	session_free(s);

	/* not fired: the server answered */
	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "no-server-hello");
	session_free(s);

	/* not fired: a HelloRetryRequest is an answer */
	s = new_session();
	client_hello13(s, 4, "api.example.test");
	hs(s, 5, SIDE_SERVER, 2, 88);
	s->hrr.present = true;
	s->hrr.frame = 5;
	rst(s, SIDE_CLIENT, 6);
	run(s, &o);
	EXPECT_NO_FINDING(s, "no-server-hello");
	session_free(s);

	/* not fired: the server answered with a fatal alert (version-or-cipher-mismatch says why) */
	s = new_session();
	client_hello(s, 4, "api.example.test");
	alert(s, 5, SIDE_SERVER, 2, 40);
	fin_both(s, SIDE_SERVER, 6, 7);
	run(s, &o);
	EXPECT_NO_FINDING(s, "no-server-hello");
	session_free(s);

	/* not observable: the server's direction was lost after the ClientHello */
	s = new_session();
	client_hello(s, 4, "api.example.test");
	lose(s, SIDE_SERVER, 5, 3000, "capture loss");
	fin_both(s, SIDE_CLIENT, 20, 21);
	run(s, &o);
	EXPECT_NO_FINDING(s, "no-server-hello");
	EXPECT_FINDING(s, "capture-incomplete", SEV_WARNING, SIDE_SERVER, FRAMES(5));
	session_free(s);

}

/* ======================================================================
 * version-or-cipher-mismatch
 * ====================================================================== */

static void test_version_or_cipher_mismatch(void)
{
	struct diag_opts o = opts_none();
	struct session *s;

	/* no cipher suite in common: handshake_failure right after the ClientHello */
	s = new_session();
	client_hello(s, 4, "api.example.test");
	alert(s, 5, SIDE_SERVER, 2, 40);
	fin_both(s, SIDE_SERVER, 6, 7);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_FAILED);
	EXPECT_FINDING_EXACT(s, "version-or-cipher-mismatch", SEV_ERROR, SIDE_SERVER, FRAMES(4, 5));
	EXPECT_SUMMARY(s, "version-or-cipher-mismatch", "right after the ClientHello (frame 4)");
	EXPECT_SUMMARY(s, "version-or-cipher-mismatch", "versions up to TLS 1.2 and 3 cipher suites "
							"(TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	EXPECT_SUMMARY(s, "version-or-cipher-mismatch", "the server answered fatal alert handshake_failure (frame 5)");
	EXPECT_CAUSE(s, "version-or-cipher-mismatch", "No cipher suite");
	EXPECT_FINDING_EXACT(s, "alert", SEV_ERROR, SIDE_SERVER, FRAMES(5));
	session_free(s);

	/* the ServerHello lost (variant-lost-segment): the client's empty Certificate and
	 * ClientKeyExchange show the server answered, so no mismatch is claimed */
	s = new_session();
	client_hello(s, 4, "api.example.test");
	send_chain(s, SIDE_CLIENT, 9, NULL, 0);
	client_key_exchange(s, 9);
	ccs(s, 9, SIDE_CLIENT);
	lose(s, SIDE_SERVER, 10, 1448, "capture loss");
	alert(s, 10, SIDE_SERVER, 2, 40);
	fin_both(s, SIDE_SERVER, 11, 12);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_FAILED);
	EXPECT_NO_FINDING(s, "version-or-cipher-mismatch");
	EXPECT_FINDING_EXACT(s, "alert", SEV_ERROR, SIDE_SERVER, FRAMES(10));
	EXPECT_CAUSE(s, "alert", "the server's CertificateRequest was in the bytes not captured");
	session_free(s);

	/* no version in common: a TLS 1.0-only client, protocol_version */
	s = new_session();
	client_hello(s, 4, "api.example.test");
	s->ch.legacy_version = s->ch.max_version = 0x0301;
	alert(s, 5, SIDE_SERVER, 2, 70);
	fin_both(s, SIDE_SERVER, 6, 7);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "version-or-cipher-mismatch", SEV_ERROR, SIDE_SERVER, FRAMES(4, 5));
	EXPECT_SUMMARY(s, "version-or-cipher-mismatch", "versions up to TLS 1.0");
	EXPECT_SUMMARY(s, "version-or-cipher-mismatch", "fatal alert protocol_version (frame 5)");
	EXPECT_CAUSE(s, "version-or-cipher-mismatch", "No protocol version in common");
	session_free(s);

	/* a TLS 1.3-only client (supported_versions) refused */
	s = new_session();
	client_hello(s, 4, "api.example.test");
	{
		static const uint16_t v13[] = { 0x0304 };
		u16s(s, &s->ch.supported_versions, v13, 1);
		s->ch.max_version = 0x0304;
	}
	alert(s, 5, SIDE_SERVER, 2, 70);
	fin_both(s, SIDE_SERVER, 6, 7);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "version-or-cipher-mismatch", SEV_ERROR, SIDE_SERVER, FRAMES(4, 5));
	EXPECT_SUMMARY(s, "version-or-cipher-mismatch", "versions TLS 1.3 and 3 cipher suites");
	session_free(s);

	/* the client refuses the version the server chose (TLS 1.0) */
	s = hello12v("api.example.test", 0x0301);
	alert(s, 7, SIDE_CLIENT, 2, 70);
	fin_both(s, SIDE_CLIENT, 8, 9);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "version-or-cipher-mismatch", SEV_ERROR, SIDE_CLIENT, FRAMES(4, 6, 7));
	EXPECT_SUMMARY(s, "version-or-cipher-mismatch", "the client answered fatal alert protocol_version (frame 7)");
	EXPECT_CAUSE(s, "version-or-cipher-mismatch", "The server chose TLS 1.0 (ServerHello, frame 6); the client offered "
						  "at most TLS 1.2 and refuses what the server chose.");
	session_free(s);

	/* not fired: another alert right after the ClientHello (unrecognized_name) */
	s = new_session();
	client_hello(s, 4, "nosuch.example.test");
	alert(s, 5, SIDE_SERVER, 2, 112);
	fin_both(s, SIDE_SERVER, 6, 7);
	run(s, &o);
	EXPECT_NO_FINDING(s, "version-or-cipher-mismatch");
	EXPECT_FINDING_EXACT(s, "alert", SEV_ERROR, SIDE_SERVER, FRAMES(5));
	session_free(s);

	/* not fired: the client's handshake_failure after the server's chain is about the chain */
	s = REJECTED12("api.example.test", 40, &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "version-or-cipher-mismatch");
	session_free(s);

	/* not fired: a healthy handshake */
	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "version-or-cipher-mismatch");
	session_free(s);
}

/* ======================================================================
 * client-cert-empty
 * ====================================================================== */

static const char *const ROOT_DN = "CN=Test Root CA,O=tlsdiag unit";
static const char *const INTER_DN = "CN=Test Intermediate CA,O=tlsdiag unit";
static const char *const OTHER_DN = "CN=Other CA,O=elsewhere";

/* The gateway playbook (seeds/001): CertificateRequest at 7 with 2 CA names,
 * an empty client Certificate at 9, the server's fatal bad_certificate at 12. */
static struct session *gateway(void)
{
	struct session *s = mtls12_empty(NAMES(P.n_root, P.n_inter), 2);
	alert(s, 12, SIDE_SERVER, 2, 42);
	fin_both(s, SIDE_SERVER, 13, 14);
	return s;
}

static void test_gateway_playbook(void)
{
	struct diag_opts o = opts_user();
	struct session *s = gateway();
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_FAILED);
	EXPECT_FINDING_EXACT(s, "client-cert-empty", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 9, 12));
	EXPECT_SUMMARY(s, "client-cert-empty", "Server 10.0.0.2:443 asked for a client certificate (frame 7, 2 "
					       "acceptable CAs: ");
	EXPECT_SUMMARY(s, "client-cert-empty", ROOT_DN);
	EXPECT_SUMMARY(s, "client-cert-empty", INTER_DN);
	EXPECT_SUMMARY(s, "client-cert-empty", "Client 10.0.0.1 sent a Certificate of length 0 (frame 9)");
	EXPECT_SUMMARY(s, "client-cert-empty", "fatal alert bad_certificate (frame 12)");
	EXPECT_CAUSE(s, "client-cert-empty", "--client-cert");
	EXPECT_FIX(s, "client-cert-empty", "keystore");
	/* the alert is explained by the empty certificate */
	EXPECT_FINDING_EXACT(s, "alert", SEV_ERROR, SIDE_SERVER, FRAMES(12));
	EXPECT_CAUSE(s, "alert", "requires a client certificate and the client sent an empty Certificate (client-cert-empty)");
	EXPECT_FIX(s, "alert", "client-cert-empty");
	/* and nothing else: the server's side is healthy */
	EXPECT_NO_FINDING(s, "client-cert-missing");
	EXPECT_NO_CHAIN_FINDINGS(s);
	EXPECT_NO_FINDING(s, "no-sni");
	CU_ASSERT_EQUAL(s->findings.n, 2);
	session_free(s);
}

static void test_client_cert_empty(void)
{
	struct diag_opts o = opts_user();
	struct session *s;

	/* error: the server closes (no alert) right after the empty Certificate */
	s = mtls12_empty(NAMES(P.n_root), 1);
	fin_both(s, SIDE_SERVER, 11, 12);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_FAILED);
	EXPECT_FINDING(s, "client-cert-empty", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 9));
	EXPECT_SUMMARY(s, "client-cert-empty", "(frame 7, 1 acceptable CA: CN=Test Root CA,O=tlsdiag unit)");
	EXPECT_SUMMARY(s, "client-cert-empty", "The server aborted the handshake with closing the connection");
	session_free(s);

	/* error, and a reset */
	s = mtls12_empty(NAMES(P.n_root), 1);
	rst(s, SIDE_SERVER, 11);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "client-cert-empty", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 9, 11));
	EXPECT_SUMMARY(s, "client-cert-empty", "a TCP reset (frame 11)");
	session_free(s);

	/* many CA names: five quoted, the rest counted */
	{
		X509_NAME *n[7];
		char cn[32];
		for (int i = 0; i < 7; i++) {
			snprintf(cn, sizeof cn, "Partner CA %d", i + 1);
			n[i] = mkname(cn, "partners", MBSTRING_UTF8);
		}
		s = mtls12_empty(n, 7);
		alert(s, 12, SIDE_SERVER, 2, 42);
		run(s, &o);
		EXPECT_FINDING_EXACT(s, "client-cert-empty", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 9, 12));
		EXPECT_SUMMARY(s, "client-cert-empty", "7 acceptable CAs: CN=Partner CA 1,O=partners; ");
		EXPECT_SUMMARY(s, "client-cert-empty", "CN=Partner CA 5,O=partners (and 2 more)");
		EXPECT_NOT_SUMMARY(s, "client-cert-empty", "Partner CA 6");
		session_free(s);
		for (int i = 0; i < 7; i++)
			X509_NAME_free(n[i]);
	}

	/* --client-cert: an empty keystore */
	{
		struct diag_opts k = opts_user();
		k.keystore_given = true;
		k.keystore_n = 0;
		s = gateway();
		run(s, &k);
		EXPECT_FINDING(s, "client-cert-empty", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 9, 12));
		EXPECT_CAUSE(s, "client-cert-empty", "holds no certificate");
		EXPECT_CAUSE(s, "client-cert-empty", "no client certificate in the keystore");
		session_free(s);
	}

	/* --client-cert: the keystore's leaf comes from a listed CA: another cause */
	{
		struct x509_cert *ks[] = { P.client.c, P.inter.c };
		struct diag_opts k = opts_user();
		k.keystore_given = true;
		k.keystore = ks;
		k.keystore_n = 2;
		s = gateway();
		run(s, &k);
		EXPECT_FINDING(s, "client-cert-empty", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 9, 12));
		EXPECT_CAUSE(s, "client-cert-empty", "CN=Test Client,O=tlsdiag unit");
		EXPECT_CAUSE(s, "client-cert-empty", "yet the client sent none");
		EXPECT_NOT_CAUSE(s, "client-cert-empty", "is not among");
		session_free(s);

		/* a keystore with the leaf only, the CertificateRequest naming the intermediate */
		k.keystore_n = 1;
		s = mtls12_empty(NAMES(P.n_inter), 1);
		alert(s, 12, SIDE_SERVER, 2, 42);
		run(s, &k);
		EXPECT_CAUSE(s, "client-cert-empty", "yet the client sent none");
		session_free(s);
	}

	/* --client-cert: the keystore's leaf comes from a CA the server does not list */
	{
		struct x509_cert *ks[] = { P.other_client.c };
		struct diag_opts k = opts_user();
		k.keystore_given = true;
		k.keystore = ks;
		k.keystore_n = 1;
		s = gateway();
		run(s, &k);
		EXPECT_FINDING(s, "client-cert-empty", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 9, 12));
		EXPECT_CAUSE(s, "client-cert-empty", "CN=Other Client,O=elsewhere is issued by CN=Other CA,O=elsewhere, "
						     "which is not among the 2 CA names the server accepts");
		EXPECT_CAUSE(s, "client-cert-empty", ROOT_DN);
		EXPECT_CAUSE(s, "client-cert-empty", "certificate authority mismatch");
		session_free(s);

		/* an empty CA list means any CA: not a mismatch */
		s = mtls12_empty(NULL, 0);
		alert(s, 12, SIDE_SERVER, 2, 42);
		run(s, &k);
		EXPECT_FINDING(s, "client-cert-empty", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 9, 12));
		EXPECT_SUMMARY(s, "client-cert-empty", "0 acceptable CAs: none listed, so any CA");
		EXPECT_CAUSE(s, "client-cert-empty", "yet the client sent none");
		session_free(s);
	}

	/* error: nginx (ssl_verify_client on) completes the handshake, answers briefly and closes at once */
	s = mtls12_empty(NAMES(P.n_root), 1);
	ccs_finished(s, 11, SIDE_SERVER);
	appdata(s, 13, SIDE_CLIENT, 107);
	appdata(s, 14, SIDE_SERVER, 413);
	enc_alert(s, 15, SIDE_SERVER);
	rst(s, SIDE_SERVER, 17);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_FAILED);
	EXPECT_FINDING_EXACT(s, "client-cert-empty", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 9, 14, 17));
	EXPECT_FINDING_EXACT(s, "rejected-after-handshake", SEV_ERROR, SIDE_SERVER, FRAMES(11, 14, 17));
	EXPECT_SUMMARY(s, "rejected-after-handshake", "the server answered with 413 bytes in 1 record (frame 14) and "
						      "closed the connection (frame 17) before the client sent more");
	EXPECT_SUMMARY(s, "client-cert-empty", "the handshake completed, then the server sent 413 bytes (frame 14) and "
					       "closed the connection (frame 17)");
	EXPECT_CAUSE(s, "client-cert-empty", "ssl_verify_client on");
	EXPECT_NO_FINDING(s, "alert");
	session_free(s);

	/* ... with a key log that has no line for it: the rules judged it while
	 * completed, and the words made later (run: check_words_later) read that
	 * outcome too, not the failed one diagnose_outcome made of it */
	s = mtls12_empty(NAMES(P.n_root), 1);
	ccs_finished(s, 11, SIDE_SERVER);
	appdata(s, 13, SIDE_CLIENT, 107);
	appdata(s, 14, SIDE_SERVER, 413);
	enc_alert(s, 15, SIDE_SERVER);
	rst(s, SIDE_SERVER, 17);
	s->keys.given = s->keys.looked_up = true;
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_FAILED);
	EXPECT_FINDING_EXACT(s, "keylog-no-match", SEV_INFO, SIDE_BOTH, FRAMES(4));
	session_free(s);

	/* with --client-cert: the keystore's cause is added */
	{
		struct x509_cert *ks[] = { P.other_client.c };
		struct diag_opts k = opts_user();
		k.keystore_given = true;
		k.keystore = ks;
		k.keystore_n = 1;
		s = mtls12_empty(NAMES(P.n_root), 1);
		ccs_finished(s, 11, SIDE_SERVER);
		appdata(s, 13, SIDE_CLIENT, 107);
		appdata(s, 14, SIDE_SERVER, 413);
		rst(s, SIDE_SERVER, 17);
		run(s, &k);
		EXPECT_FINDING(s, "client-cert-empty", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 9, 14));
		EXPECT_CAUSE(s, "client-cert-empty", "ssl_verify_client on");
		EXPECT_CAUSE(s, "client-cert-empty", "which is not among the 1 CA names the server accepts");
		session_free(s);
	}

	/* info: optional client authentication, the connection is used normally */
	s = mtls12_empty(NAMES(P.n_root), 1);
	complete12(s);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_COMPLETED);
	EXPECT_FINDING_EXACT(s, "client-cert-empty", SEV_INFO, SIDE_CLIENT, FRAMES(7, 9));
	EXPECT_SUMMARY(s, "client-cert-empty", "the handshake completed without one");
	EXPECT_CAUSE(s, "client-cert-empty", "requests but does not require");
	EXPECT_HEALTHY(s);
	session_free(s);

	/* info: a short answer, but the client closes (not the nginx pattern) */
	s = mtls12_empty(NAMES(P.n_root), 1);
	ccs_finished(s, 11, SIDE_SERVER);
	appdata(s, 13, SIDE_CLIENT, 107);
	appdata(s, 14, SIDE_SERVER, 413);
	enc_alert(s, 15, SIDE_CLIENT);
	fin_both(s, SIDE_CLIENT, 16, 17);
	run(s, &o);
	EXPECT_FINDING(s, "client-cert-empty", SEV_INFO, SIDE_CLIENT, FRAMES(7, 9));
	session_free(s);

	/* not fired: the client sent its certificate */
	s = mtls12(NAMES(P.n_root), 1, CERTS(&P.client, &P.inter), 2);
	complete12(s);
	run(s, &o);
	EXPECT_NO_FINDING(s, "client-cert-empty");
	EXPECT_NO_FINDINGS(s);
	session_free(s);

	/* not fired: no CertificateRequest seen */
	s = hello12("api.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	server_done(s, 7);
	send_chain(s, SIDE_CLIENT, 9, NULL, 0);
	alert(s, 12, SIDE_SERVER, 2, 42);
	run(s, &o);
	EXPECT_NO_FINDING(s, "client-cert-empty");
	session_free(s);

	/* not fired: the client's Certificate was not observable */
	s = mtls12_empty(NAMES(P.n_root), 1);
	s->client_chain.state = CHAIN_UNOBSERVABLE;
	alert(s, 12, SIDE_SERVER, 2, 42);
	run(s, &o);
	EXPECT_NO_FINDING(s, "client-cert-empty");
	session_free(s);
}

/* ======================================================================
 * client-cert-missing
 * ====================================================================== */

/* mTLS without a client Certificate: CertificateRequest 7, ClientKeyExchange 9. */
static struct session *mtls12_no_certificate(void)
{
	struct session *s = hello12("api.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	CERT_REQUEST(s, 7, P.n_root);
	server_done(s, 7);
	client_key_exchange(s, 9);
	ccs_finished(s, 10, SIDE_CLIENT);
	return s;
}

static void test_client_cert_missing(void)
{
	struct diag_opts o = opts_user();
	struct session *s;

	/* straight to ClientKeyExchange; the server aborts */
	s = mtls12_no_certificate();
	alert(s, 11, SIDE_SERVER, 2, 40);
	fin_both(s, SIDE_SERVER, 12, 13);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "client-cert-missing", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 9, 11));
	EXPECT_SUMMARY(s, "client-cert-missing", "(frame 7, 1 acceptable CA: CN=Test Root CA,O=tlsdiag unit)");
	EXPECT_SUMMARY(s, "client-cert-missing", "skipped the Certificate message and went on with ClientKeyExchange "
						 "(frame 9)");
	EXPECT_SUMMARY(s, "client-cert-missing", "The server aborted with fatal alert handshake_failure (frame 11)");
	EXPECT_NO_FINDING(s, "client-cert-empty");
	EXPECT_CAUSE(s, "alert", "the client did not send one");
	session_free(s);

	/* SSL 3.0: a no_certificate alert instead of the Certificate */
	s = hello12v("api.example.test", 0x0300);
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	CERT_REQUEST(s, 7, P.n_root);
	server_done(s, 7);
	alert(s, 8, SIDE_CLIENT, 1, 41);
	client_key_exchange(s, 9);
	ccs_finished(s, 10, SIDE_CLIENT);
	alert(s, 11, SIDE_SERVER, 2, 40);
	fin_both(s, SIDE_SERVER, 12, 13);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "client-cert-missing", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 8, 11));
	EXPECT_SUMMARY(s, "client-cert-missing", "answered with an SSL 3.0 no_certificate alert (frame 8)");
	/* the no_certificate alert itself is only a fact */
	EXPECT_FINDING_EXACT(s, "alert", SEV_INFO, SIDE_CLIENT, FRAMES(8));
	session_free(s);

	/* warning: the server went on without it */
	s = mtls12_no_certificate();
	complete12(s);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_COMPLETED);
	EXPECT_FINDING_EXACT(s, "client-cert-missing", SEV_WARNING, SIDE_CLIENT, FRAMES(7, 9));
	session_free(s);

	/* --client-cert from another CA */
	{
		struct x509_cert *ks[] = { P.other_client.c };
		struct diag_opts k = opts_user();
		k.keystore_given = true;
		k.keystore = ks;
		k.keystore_n = 1;
		s = mtls12_no_certificate();
		alert(s, 11, SIDE_SERVER, 2, 40);
		run(s, &k);
		EXPECT_FINDING(s, "client-cert-missing", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 9, 11));
		EXPECT_CAUSE(s, "client-cert-missing", "which is not among the 1 CA names the server accepts");
		session_free(s);
	}

	/* not observable: the client's bytes were lost before its ClientKeyExchange,
	 * its Certificate may be among them */
	s = hello12("api.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	CERT_REQUEST(s, 7, P.n_root);
	server_done(s, 7);
	lose(s, SIDE_CLIENT, 8, 900, "capture loss");
	client_key_exchange(s, 9);
	alert(s, 11, SIDE_SERVER, 2, 40);
	fin_both(s, SIDE_SERVER, 12, 13);
	run(s, &o);
	EXPECT_NO_FINDING(s, "client-cert-missing");
	EXPECT_FINDING(s, "capture-incomplete", SEV_WARNING, SIDE_CLIENT, FRAMES(8));
	session_free(s);

	/* not fired: the client stopped before its turn */
	s = hello12("api.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	CERT_REQUEST(s, 7, P.n_root);
	server_done(s, 7);
	fin_both(s, SIDE_CLIENT, 8, 9);
	run(s, &o);
	EXPECT_NO_FINDING(s, "client-cert-missing");
	session_free(s);

	/* not fired: TLS 1.3 (the CertificateRequest is encrypted; a parsed one would not tell) */
	s = mtls12_no_certificate();
	s->tls13 = true;
	run(s, &o);
	EXPECT_NO_FINDING(s, "client-cert-missing");
	session_free(s);

	/* not fired: an empty Certificate is client-cert-empty's */
	s = gateway();
	run(s, &o);
	EXPECT_NO_FINDING(s, "client-cert-missing");
	session_free(s);
}

/* ======================================================================
 * client-cert-issuer-not-requested
 * ====================================================================== */

static void test_client_cert_issuer_not_requested(void)
{
	struct diag_opts o = opts_user();
	struct session *s;

	/* a certificate from Other CA; the server lists only our root and rejects it */
	s = mtls12(NAMES(P.n_root), 1, CERTS(&P.other_client), 1);
	alert(s, 11, SIDE_SERVER, 2, 48);
	fin_both(s, SIDE_SERVER, 12, 13);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "client-cert-issuer-not-requested", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 9, 11));
	EXPECT_SUMMARY(s, "client-cert-issuer-not-requested", "Client 10.0.0.1 sent a certificate (frame 9) issued by "
							      "CN=Other CA,O=elsewhere");
	EXPECT_SUMMARY(s, "client-cert-issuer-not-requested", "one of the 1 CAs the server accepts (frame 7): "
							      "CN=Test Root CA,O=tlsdiag unit");
	EXPECT_SUMMARY(s, "client-cert-issuer-not-requested", "rejected it with fatal alert unknown_ca (frame 11)");
	EXPECT_FIX(s, "client-cert-issuer-not-requested", OTHER_DN);
	/* the server's alert is explained by the client's chain */
	EXPECT_CAUSE(s, "alert", "The server rejected the client's certificate CN=Other Client,O=elsewhere");
	EXPECT_CAUSE(s, "alert", "client-cert-issuer-not-requested");
	session_free(s);

	/* warning: the server accepted it anyway */
	s = mtls12(NAMES(P.n_root, P.n_inter), 2, CERTS(&P.other_client), 1);
	complete12(s);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "client-cert-issuer-not-requested", SEV_WARNING, SIDE_CLIENT, FRAMES(7, 9));
	EXPECT_SUMMARY(s, "client-cert-issuer-not-requested", "the 2 CAs the server accepts");
	session_free(s);

	/* names compare as X.509 does: case and spacing differ, still the same CA */
	{
		X509_NAME *odd_inter = mkname("  test   INTERMEDIATE ca ", "TLSDIAG   Unit", MBSTRING_ASC);
		X509_NAME *odd_root = mkname("TEST ROOT CA", "tlsdiag  unit", MBSTRING_ASC);
		s = mtls12(NAMES(odd_inter), 1, CERTS(&P.client), 1);
		complete12(s);
		run(s, &o);
		EXPECT_NO_FINDING(s, "client-cert-issuer-not-requested");
		session_free(s);

		s = mtls12(NAMES(odd_root), 1, CERTS(&P.client, &P.inter), 2);
		complete12(s);
		run(s, &o);
		EXPECT_NO_FINDING(s, "client-cert-issuer-not-requested");
		session_free(s);

		/* but another name is another CA */
		s = mtls12(NAMES(odd_root), 1, CERTS(&P.other_client), 1);
		complete12(s);
		run(s, &o);
		EXPECT_FINDING(s, "client-cert-issuer-not-requested", SEV_WARNING, SIDE_CLIENT, FRAMES(7, 9));
		session_free(s);
		X509_NAME_free(odd_inter);
		X509_NAME_free(odd_root);
	}

	/* not fired: the chain leads to the listed root through the intermediate it sent */
	s = mtls12(NAMES(P.n_root), 1, CERTS(&P.client, &P.inter), 2);
	complete12(s);
	run(s, &o);
	EXPECT_NO_FINDING(s, "client-cert-issuer-not-requested");
	session_free(s);

	/* not fired: an empty list means any CA */
	s = mtls12(NULL, 0, CERTS(&P.other_client), 1);
	complete12(s);
	run(s, &o);
	EXPECT_NO_FINDING(s, "client-cert-issuer-not-requested");
	session_free(s);

	/* not observable: the client's direction was lost before its Certificate */
	s = mtls12(NAMES(P.n_root), 1, CERTS(&P.other_client), 1);
	lose(s, SIDE_CLIENT, 8, 700, "capture loss");
	alert(s, 11, SIDE_SERVER, 2, 48);
	run(s, &o);
	EXPECT_NO_FINDING(s, "client-cert-issuer-not-requested");
	session_free(s);

	s = mtls12(NAMES(P.n_root), 1, CERTS(&P.other_client), 1);
	s->client_chain.state = CHAIN_UNOBSERVABLE;
	alert(s, 11, SIDE_SERVER, 2, 48);
	run(s, &o);
	EXPECT_NO_FINDING(s, "client-cert-issuer-not-requested");
	session_free(s);
}

/* ======================================================================
 * client-cert-unsuitable
 * ====================================================================== */

static void test_client_cert_unsuitable(void)
{
	struct diag_opts o = opts_user();
	struct session *s;

	/* a server certificate used as a client certificate (no clientAuth) */
	s = mtls12(NAMES(P.n_root), 1, CERTS(&P.noclientauth, &P.inter), 2);
	alert(s, 11, SIDE_SERVER, 2, 43);
	fin_both(s, SIDE_SERVER, 12, 13);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "client-cert-unsuitable", SEV_ERROR, SIDE_CLIENT, FRAMES(9, 11));
	EXPECT_SUMMARY(s, "client-cert-unsuitable", "The client's certificate CN=Test Client Without clientAuth,"
						    "O=tlsdiag unit (frame 9) is not fit for client authentication");
	EXPECT_SUMMARY(s, "client-cert-unsuitable", "extendedKeyUsage does not include clientAuth");
	EXPECT_SUMMARY(s, "client-cert-unsuitable", "rejected it with fatal alert unsupported_certificate (frame 11)");
	EXPECT_CAUSE(s, "alert", "it does not allow client authentication (client-cert-unsuitable)");
	EXPECT_CAUSE(s, "alert", "client-cert-unsuitable");
	/* the purpose failure is this finding's, not chain-untrusted's */
	EXPECT_NO_FINDING_SIDE(s, "chain-untrusted", SIDE_CLIENT);
	EXPECT_NO_FINDING(s, "client-cert-issuer-not-requested");
	session_free(s);

	/* warning when the server did not check */
	s = mtls12(NAMES(P.n_root), 1, CERTS(&P.noclientauth, &P.inter), 2);
	complete12(s);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "client-cert-unsuitable", SEV_WARNING, SIDE_CLIENT, FRAMES(9));
	session_free(s);

	/* keyUsage without digitalSignature */
	s = mtls12(NAMES(P.n_root), 1, CERTS(&P.ku_no_ds, &P.inter), 2);
	complete12(s);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "client-cert-unsuitable", SEV_WARNING, SIDE_CLIENT, FRAMES(9));
	EXPECT_SUMMARY(s, "client-cert-unsuitable", "its keyUsage lacks digitalSignature");
	EXPECT_NOT_SUMMARY(s, "client-cert-unsuitable", "extendedKeyUsage");
	session_free(s);

	/* an EC key when the server asked for rsa_sign only */
	s = mtls12(NAMES(P.n_root), 1, CERTS(&P.client, &P.inter), 2);
	s->cr.cert_types_n = 1;
	s->cr.cert_types[0] = 1;
	s->cr.cert_types_total = 1;
	alert(s, 11, SIDE_SERVER, 2, 43);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "client-cert-unsuitable", SEV_ERROR, SIDE_CLIENT, FRAMES(9, 11));
	EXPECT_SUMMARY(s, "client-cert-unsuitable", "its EC key is not among the certificate types the server requested");
	session_free(s);

	/* not fired: clientAuth, digitalSignature, an EC key and ecdsa_sign requested */
	s = mtls12(NAMES(P.n_root), 1, CERTS(&P.client, &P.inter), 2);
	complete12(s);
	run(s, &o);
	EXPECT_NO_FINDING(s, "client-cert-unsuitable");
	session_free(s);

	s = mtls12(NAMES(P.n_root), 1, CERTS(&P.client, &P.inter), 2);
	s->cr.cert_types_n = 1;
	s->cr.cert_types[0] = 64;
	complete12(s);
	run(s, &o);
	EXPECT_NO_FINDING(s, "client-cert-unsuitable");
	session_free(s);

	/* not observable */
	s = mtls12(NAMES(P.n_root), 1, CERTS(&P.noclientauth, &P.inter), 2);
	s->client_chain.state = CHAIN_UNOBSERVABLE;
	alert(s, 11, SIDE_SERVER, 2, 43);
	run(s, &o);
	EXPECT_NO_FINDING(s, "client-cert-unsuitable");
	session_free(s);
}

/* ======================================================================
 * server-chain-incomplete
 * ====================================================================== */

static void test_server_chain_incomplete(void)
{
	struct diag_opts user = opts_user(), none = opts_none();
	struct diag_opts sys_root = opts_system(P.store_root), sys_other = opts_system(P.store_other);
	struct session *s;

	/* a lone leaf; the client (trusting the root only) aborts with unknown_ca */
	s = REJECTED12("api.example.test", 48, &P.server);
	run(s, &user);
	EXPECT_FINDING_EXACT(s, "server-chain-incomplete", SEV_ERROR, SIDE_SERVER, FRAMES(6, 8));
	EXPECT_SUMMARY(s, "server-chain-incomplete", "Server 10.0.0.2:443 sent only its own certificate "
						     "CN=www.example.test,O=tlsdiag unit (frame 6); its issuer "
						     "CN=Test Intermediate CA,O=tlsdiag unit was not sent");
	EXPECT_SUMMARY(s, "server-chain-incomplete", "not in the trust store given");
	EXPECT_SUMMARY(s, "server-chain-incomplete", "The client aborted with fatal alert unknown_ca (frame 8)");
	EXPECT_FIX(s, "server-chain-incomplete", "CN=Test Intermediate CA,O=tlsdiag unit");
	/* one explanation of the failure, not two */
	EXPECT_NO_FINDING(s, "chain-untrusted");
	session_free(s);

	/* with the user's store it is an error even if this client did not check */
	s = GOOD12("api.example.test", &P.server);
	run(s, &user);
	EXPECT_FINDING_EXACT(s, "server-chain-incomplete", SEV_ERROR, SIDE_SERVER, FRAMES(6));
	session_free(s);

	/* without a store: a warning, "system trust store" */
	s = GOOD12("api.example.test", &P.server);
	run(s, &none);
	EXPECT_FINDING_EXACT(s, "server-chain-incomplete", SEV_WARNING, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "server-chain-incomplete", "not a root of the system trust store");
	session_free(s);

	s = GOOD12("api.example.test", &P.server);
	run(s, &sys_other);
	EXPECT_FINDING_EXACT(s, "server-chain-incomplete", SEV_WARNING, SIDE_SERVER, FRAMES(6));
	session_free(s);

	/* ... and an error once the client aborted */
	s = REJECTED12("api.example.test", 48, &P.server);
	run(s, &sys_root);
	EXPECT_FINDING_EXACT(s, "server-chain-incomplete", SEV_ERROR, SIDE_SERVER, FRAMES(6, 8));
	session_free(s);

	/* not fired: the intermediate is sent */
	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &user);
	EXPECT_NO_FINDING(s, "server-chain-incomplete");
	EXPECT_NO_FINDINGS(s);
	session_free(s);

	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &none);
	EXPECT_NO_FINDING(s, "server-chain-incomplete");
	session_free(s);

	/* a chain that ends at an intermediate the store cannot place is rejected one way or another */
	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &(struct diag_opts){ .trust = P.store_other, .trust_given = true, .expiry_warn_days = 30 });
	CU_ASSERT(count_findings(s, "server-chain-incomplete", SIDE_SERVER) + count_findings(s, "chain-untrusted", SIDE_SERVER) == 1);
	CU_ASSERT(finding_list_has_error(&s->findings));
	session_free(s);

	/* not fired: a leaf issued by a root of the store */
	s = GOOD12("direct.example.test", &P.direct_leaf);
	run(s, &user);
	EXPECT_NO_FINDING(s, "server-chain-incomplete");
	EXPECT_NO_FINDINGS(s);
	session_free(s);

	s = GOOD12("direct.example.test", &P.direct_leaf);
	run(s, &sys_root);
	EXPECT_NO_FINDING(s, "server-chain-incomplete");
	session_free(s);

	/* not fired: a self-signed leaf (cert-self-signed says so) */
	s = GOOD12("self.example.test", &P.self);
	run(s, &user);
	EXPECT_NO_FINDING(s, "server-chain-incomplete");
	session_free(s);

	/* not observable: the chain was lost, or the server's bytes before it */
	s = REJECTED12("api.example.test", 48, &P.server);
	s->server_chain.state = CHAIN_UNOBSERVABLE;
	run(s, &user);
	EXPECT_NO_FINDING(s, "server-chain-incomplete");
	session_free(s);

	s = hello12("api.example.test");
	lose(s, SIDE_SERVER, 5, 1448, "capture loss");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server);
	alert(s, 8, SIDE_CLIENT, 2, 48);
	run(s, &user);
	EXPECT_NO_FINDING(s, "server-chain-incomplete");
	session_free(s);
}

/* ======================================================================
 * chain-order, chain-root-sent, chain-extra-cert
 * ====================================================================== */

static void test_chain_order(void)
{
	struct diag_opts o = opts_user();
	struct session *s;

	/* intermediate first */
	s = GOOD12("api.example.test", &P.inter, &P.server);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "chain-order", SEV_WARNING, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "chain-order", "Server 10.0.0.2:443 sent its certificates out of order (frame 6): "
					 "[0] CN=Test Intermediate CA,O=tlsdiag unit, [1] CN=www.example.test,O=tlsdiag unit; "
					 "the path from the leaf is [1] -> [0].");
	EXPECT_NO_FINDING(s, "hostname-mismatch");   /* the leaf is found wherever it is */
	/* a verifier takes certificate 0 as the leaf: chain-untrusted blames the order, not the CA */
	EXPECT_CAUSE(s, "chain-untrusted", "The server sent CN=Test Intermediate CA,O=tlsdiag unit first, not its own "
					   "certificate (certificate 1, CN=www.example.test,O=tlsdiag unit)");
	EXPECT_FIX(s, "chain-untrusted", "Put the server's own certificate first in its chain file, then its issuers.");
	session_free(s);

	/* leaf, root, intermediate (s_server with a chain file in the wrong order) */
	s = GOOD12("api.example.test", &P.server, &P.root, &P.inter);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "chain-order", SEV_WARNING, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "chain-order", "the path from the leaf is [0] -> [2] -> [1].");
	EXPECT_FINDING_EXACT(s, "chain-root-sent", SEV_INFO, SIDE_SERVER, FRAMES(6));
	EXPECT_NO_FINDING(s, "chain-extra-cert");
	session_free(s);

	/* error when the client aborts after it */
	s = REJECTED12("api.example.test", 42, &P.inter, &P.server);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "chain-order", SEV_ERROR, SIDE_SERVER, FRAMES(6, 8));
	session_free(s);

	/* the client's chain out of order */
	s = mtls12(NAMES(P.n_root), 1, CERTS(&P.inter, &P.client), 2);
	complete12(s);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "chain-order", SEV_WARNING, SIDE_CLIENT, FRAMES(9));
	EXPECT_SUMMARY_SIDE(s, "chain-order", SIDE_CLIENT, "Client 10.0.0.1 sent its certificates out of order (frame 9)");
	EXPECT_NO_FINDING_SIDE(s, "chain-order", SIDE_SERVER);
	session_free(s);

	/* not fired */
	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "chain-order");
	session_free(s);

	s = GOOD12("api.example.test", &P.server, &P.inter, &P.root);
	run(s, &o);
	EXPECT_NO_FINDING(s, "chain-order");
	session_free(s);

	s = GOOD12("api.example.test", &P.server);
	run(s, &o);
	EXPECT_NO_FINDING(s, "chain-order");
	session_free(s);
}

static void test_chain_root_sent(void)
{
	struct diag_opts o = opts_user();
	struct session *s;

	s = GOOD12("api.example.test", &P.server, &P.inter, &P.root);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "chain-root-sent", SEV_INFO, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "chain-root-sent", "Server 10.0.0.2:443 sent the root CA CN=Test Root CA,O=tlsdiag unit "
					     "(certificate 2, frame 6).");
	EXPECT_HEALTHY(s);
	session_free(s);

	s = GOOD12("direct.example.test", &P.direct_leaf, &P.root);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "chain-root-sent", SEV_INFO, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "chain-root-sent", "(certificate 1, frame 6)");
	session_free(s);

	/* the client's chain too */
	s = mtls12(NAMES(P.n_root), 1, CERTS(&P.client, &P.inter, &P.root), 3);
	complete12(s);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "chain-root-sent", SEV_INFO, SIDE_CLIENT, FRAMES(9));
	session_free(s);

	/* not fired: no root, or a lone self-signed leaf */
	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "chain-root-sent");
	session_free(s);

	s = GOOD12("self.example.test", &P.self);
	run(s, &o);
	EXPECT_NO_FINDING(s, "chain-root-sent");
	session_free(s);
}

static void test_chain_extra_cert(void)
{
	struct diag_opts o = opts_user();
	struct session *s;

	s = GOOD12("api.example.test", &P.server, &P.inter, &P.other_ca);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "chain-extra-cert", SEV_WARNING, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "chain-extra-cert", "Server 10.0.0.2:443 sent 1 certificate that belongs to no path from its "
					      "leaf (frame 6): [2] CN=Other CA,O=elsewhere.");
	/* an old root's SHA-1 self-signature is not judged */
	EXPECT_NO_FINDING(s, "weak-signature");
	EXPECT_NO_FINDING(s, "chain-root-sent");
	EXPECT_NO_FINDING(s, "chain-order");
	session_free(s);

	s = GOOD12("api.example.test", &P.server, &P.inter, &P.other_ca, &P.other_client);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "chain-extra-cert", SEV_WARNING, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "chain-extra-cert", "sent 2 certificates that belong to no path from its leaf (frame 6): "
					      "[2] CN=Other CA,O=elsewhere, [3] CN=Other Client,O=elsewhere.");
	session_free(s);

	/* not fired */
	s = GOOD12("api.example.test", &P.server, &P.inter, &P.root);
	run(s, &o);
	EXPECT_NO_FINDING(s, "chain-extra-cert");
	session_free(s);

	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "chain-extra-cert");
	session_free(s);
}

/* ======================================================================
 * cert-expired, cert-not-yet-valid, cert-expires-soon
 * ====================================================================== */

static void test_validity(void)
{
	struct diag_opts o = opts_user();
	struct session *s;
	char t1[32], t2[32], want[200];

	/* expired at capture time; the client says certificate_expired */
	s = REJECTED12("expired.example.test", 45, &P.expired, &P.inter);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "cert-expired", SEV_ERROR, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "cert-expired", "The server's certificate CN=expired.example.test,O=tlsdiag unit (certificate 0) "
					  "expired on 2025-05-22T00:00:00Z, 10 days before the capture time "
					  "(2025-06-01T00:00:00Z, frame 6).");
	EXPECT_NO_FINDING(s, "chain-untrusted");   /* the expiry explains it */
	EXPECT_FINDING_EXACT(s, "alert", SEV_ERROR, SIDE_CLIENT, FRAMES(8));
	EXPECT_CAUSE(s, "alert", "a certificate of the chain had expired (cert-expired)");
	EXPECT_CAUSE(s, "alert", "cert-expired");
	session_free(s);

	/* an expired intermediate */
	s = GOOD12("api.example.test", &P.server, &P.inter_expired);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "cert-expired", SEV_ERROR, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "cert-expired", "The server's intermediate certificate CN=Test Intermediate CA,O=tlsdiag unit "
					  "(certificate 1) expired on 2025-05-29T00:00:00Z, 3 days before");
	session_free(s);

	/* --at before the expiry: valid then */
	{
		struct diag_opts at = opts_user();
		at.at_given = true;
		at.at = T0 - 20 * DAY;
		s = GOOD12("expired.example.test", &P.expired, &P.inter);
		run(s, &at);
		EXPECT_NO_FINDING(s, "cert-expired");
		EXPECT_FINDING(s, "cert-expires-soon", SEV_WARNING, SIDE_SERVER, FRAMES(6));
		session_free(s);

		/* --at after a good certificate's end */
		at.at = T0 + 400 * DAY;
		s = GOOD12("api.example.test", &P.server, &P.inter);
		run(s, &at);
		EXPECT_FINDING_EXACT(s, "cert-expired", SEV_ERROR, SIDE_SERVER, FRAMES(6));
		snprintf(want, sizeof want, "expired on %s, 35 days before the", fmt_time(T0 + 365 * DAY, t1));
		EXPECT_SUMMARY(s, "cert-expired", want);
		snprintf(want, sizeof want, "time given with --at (%s).", fmt_time(T0 + 400 * DAY, t2));
		EXPECT_SUMMARY(s, "cert-expired", want);
		session_free(s);
	}

	/* not yet valid */
	s = REJECTED12("future.example.test", 42, &P.notyet, &P.inter);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "cert-not-yet-valid", SEV_ERROR, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "cert-not-yet-valid", "The server's certificate CN=future.example.test,O=tlsdiag unit "
						"(certificate 0) is not valid before 2025-06-06T00:00:00Z, 5 days after the "
						"capture time (2025-06-01T00:00:00Z, frame 6).");
	EXPECT_NO_FINDING(s, "cert-expired");
	EXPECT_NO_FINDING(s, "chain-untrusted");
	EXPECT_CAUSE(s, "alert", "cert-not-yet-valid");
	session_free(s);

	/* expires within the warning period (30 days) */
	s = GOOD12("soon.example.test", &P.soon, &P.inter);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "cert-expires-soon", SEV_WARNING, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "cert-expires-soon", "The server's certificate CN=soon.example.test,O=tlsdiag unit "
					       "(certificate 0) expires on 2025-06-11T00:00:00Z, 10 days after the capture "
					       "time (2025-06-01T00:00:00Z, frame 6).");
	EXPECT_CAUSE(s, "cert-expires-soon", "warning period: 30 days");
	EXPECT_NO_FINDING(s, "cert-expired");
	session_free(s);

	/* the threshold: 10 days left is not "within 10 days"; within 11 it is; 0 turns it off */
	{
		struct diag_opts th = opts_user();
		th.expiry_warn_days = 10;
		s = GOOD12("soon.example.test", &P.soon, &P.inter);
		run(s, &th);
		EXPECT_NO_FINDING(s, "cert-expires-soon");
		session_free(s);

		th.expiry_warn_days = 11;
		s = GOOD12("soon.example.test", &P.soon, &P.inter);
		run(s, &th);
		EXPECT_FINDING_EXACT(s, "cert-expires-soon", SEV_WARNING, SIDE_SERVER, FRAMES(6));
		EXPECT_CAUSE(s, "cert-expires-soon", "warning period: 11 days");
		session_free(s);

		th.expiry_warn_days = 0;
		s = GOOD12("soon.example.test", &P.soon, &P.inter);
		run(s, &th);
		EXPECT_NO_FINDING(s, "cert-expires-soon");
		session_free(s);

		/* a certificate a year away is not "soon" */
		s = GOOD12("api.example.test", &P.server, &P.inter);
		run(s, &o);
		EXPECT_NO_FINDING(s, "cert-expires-soon");
		session_free(s);
	}

	/* judged when the chain's frame was captured, not at the start or end of the connection */
	s = GOOD12("soon.example.test", &P.soon, &P.inter);
	s->start_time.sec = T0;
	s->server_chain.time.sec = T0 + 11 * DAY;
	s->end_time.sec = T0 + 12 * DAY;
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "cert-expired", SEV_ERROR, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "cert-expired", "expired on 2025-06-11T00:00:00Z");
	EXPECT_SUMMARY(s, "cert-expired", "before the capture time (2025-06-12T00:00:00Z, frame 6)");
	session_free(s);

	s = GOOD12("soon.example.test", &P.soon, &P.inter);
	s->start_time.sec = T0 - 100 * DAY;
	s->server_chain.time.sec = T0 + 9 * DAY;
	s->end_time.sec = T0 + 12 * DAY;
	run(s, &o);
	EXPECT_NO_FINDING(s, "cert-expired");
	EXPECT_FINDING_EXACT(s, "cert-expires-soon", SEV_WARNING, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "cert-expires-soon", "after the capture time (2025-06-10T00:00:00Z, frame 6)");
	session_free(s);

	/* the client's chain */
	s = mtls12(NAMES(P.n_root), 1, CERTS(&P.expired, &P.inter), 2);
	alert(s, 11, SIDE_SERVER, 2, 45);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "cert-expired", SEV_ERROR, SIDE_CLIENT, FRAMES(9));
	EXPECT_SUMMARY(s, "cert-expired", "The client's certificate CN=expired.example.test,O=tlsdiag unit");
	EXPECT_NO_FINDING_SIDE(s, "cert-expired", SIDE_SERVER);
	EXPECT_NO_FINDING_SIDE(s, "chain-untrusted", SIDE_CLIENT);
	session_free(s);

	/* not observable */
	s = REJECTED12("expired.example.test", 45, &P.expired, &P.inter);
	s->server_chain.state = CHAIN_UNOBSERVABLE;
	run(s, &o);
	EXPECT_NO_FINDING(s, "cert-expired");
	session_free(s);
}

/* ======================================================================
 * cert-self-signed, cert-no-san
 * ====================================================================== */

/* The capture's clock learned from completed handshakes (clockskew.h):
 * certificates it makes valid are not "not yet valid", failed connections
 * too; one beyond it still is; --at judges exactly. */
static void test_validity_capture_clock(void)
{
	struct diag_opts o = opts_user();
	struct clockskew *ck = clockskew_new();
	struct session *s;
	o.clock = ck;
	for (int i = 0; i < 3; i++)   /* three completed handshakes: their chain begins 5 days after the capture time */
		clockskew_observe(ck, T0, T0 + 5 * DAY, "f", (uint64_t)i, 6);
	CU_ASSERT_EQUAL(clockskew_offset(ck), 5 * DAY);

	/* a failed connection with such a certificate: the alert, no validity error */
	s = REJECTED12("future.example.test", 42, &P.notyet, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "cert-not-yet-valid");
	EXPECT_NO_FINDING(s, "chain-untrusted");   /* verified at the corrected time */
	EXPECT_FINDING_EXACT(s, "alert", SEV_ERROR, SIDE_CLIENT, FRAMES(8));
	session_free(s);

	/* a completed one: the report says it once, not on each connection */
	s = GOOD12("future.example.test", &P.notyet, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "capture-clock-suspect");
	EXPECT_NO_FINDING(s, "cert-not-yet-valid");
	session_free(s);

	/* --at: exactly that time, nothing learned */
	{
		struct diag_opts at = o;
		at.at_given = true;
		at.at = T0;
		s = REJECTED12("future.example.test", 42, &P.notyet, &P.inter);
		run(s, &at);
		EXPECT_FINDING_EXACT(s, "cert-not-yet-valid", SEV_ERROR, SIDE_SERVER, FRAMES(6));
		session_free(s);
	}
	clockskew_free(ck);

	/* an offset of 2 days: the certificate of 5 days later is still not yet valid, and says why */
	ck = clockskew_new();
	o.clock = ck;
	for (int i = 0; i < 3; i++)
		clockskew_observe(ck, T0, T0 + 2 * DAY, "f", (uint64_t)i, 6);
	s = REJECTED12("future.example.test", 42, &P.notyet, &P.inter);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "cert-not-yet-valid", SEV_ERROR, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "cert-not-yet-valid", "is not valid before 2025-06-06T00:00:00Z, 5 days after the capture time "
						"(2025-06-01T00:00:00Z, frame 6). Nor by the capture's clock corrected by "
						"the 2 days (172800 s) the completed handshakes show it is behind");
	EXPECT_CAUSE(s, "alert", "cert-not-yet-valid");
	session_free(s);
	clockskew_free(ck);
}

static void test_self_signed(void)
{
	struct diag_opts user = opts_user(), none = opts_none();
	struct session *s;

	s = REJECTED12("self.example.test", 48, &P.self);
	run(s, &user);
	EXPECT_FINDING_EXACT(s, "cert-self-signed", SEV_ERROR, SIDE_SERVER, FRAMES(6, 8));
	EXPECT_SUMMARY(s, "cert-self-signed", "Server 10.0.0.2:443 sent a self-signed certificate "
					      "CN=self.example.test,O=tlsdiag unit (frame 6). The client aborted with fatal "
					      "alert unknown_ca (frame 8).");
	EXPECT_NO_FINDING(s, "chain-untrusted");
	EXPECT_NO_FINDING(s, "server-chain-incomplete");
	EXPECT_NO_FINDING(s, "cert-no-san");
	EXPECT_CAUSE(s, "alert", "cert-self-signed");
	session_free(s);

	s = GOOD12("self.example.test", &P.self);
	run(s, &none);
	EXPECT_FINDING_EXACT(s, "cert-self-signed", SEV_WARNING, SIDE_SERVER, FRAMES(6));
	session_free(s);

	/* trusted on purpose: the user's store holds this very certificate */
	{
		struct diag_opts pinned = opts_user();
		pinned.trust = P.store_self;
		s = GOOD12("self.example.test", &P.self);
		run(s, &pinned);
		EXPECT_NO_FINDING(s, "cert-self-signed");
		EXPECT_NO_FINDING(s, "chain-untrusted");
		EXPECT_NO_FINDINGS(s);
		session_free(s);
	}

	/* not fired: a root at the end of a proper chain */
	s = GOOD12("api.example.test", &P.server, &P.inter, &P.root);
	run(s, &user);
	EXPECT_NO_FINDING(s, "cert-self-signed");
	session_free(s);
}

static void test_no_san(void)
{
	struct diag_opts o = opts_user();
	struct session *s;

	s = GOOD12("legacy.example.test", &P.nosan, &P.inter);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "cert-no-san", SEV_WARNING, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "cert-no-san", "The server's certificate CN=legacy.example.test,O=tlsdiag unit (frame 6) has "
					 "no subjectAltName: its name is only in the CN (legacy.example.test).");
	/* without a SAN the CN is the name */
	EXPECT_NO_FINDING(s, "hostname-mismatch");
	session_free(s);

	s = GOOD12("other.example.test", &P.nosan, &P.inter);
	run(s, &o);
	EXPECT_FINDING(s, "cert-no-san", SEV_WARNING, SIDE_SERVER, FRAMES(6));
	EXPECT_FINDING_EXACT(s, "hostname-mismatch", SEV_WARNING, SIDE_SERVER, FRAMES(4, 6));
	EXPECT_SUMMARY(s, "hostname-mismatch", "it has no subjectAltName and its CN is legacy.example.test");
	session_free(s);

	/* not fired */
	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "cert-no-san");
	session_free(s);

	s = hello12("legacy.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.nosan, &P.inter);
	s->server_chain.state = CHAIN_UNOBSERVABLE;
	complete12(s);
	run(s, &o);
	EXPECT_NO_FINDING(s, "cert-no-san");
	session_free(s);
}

/* ======================================================================
 * hostname-mismatch
 * ====================================================================== */

static void expect_host_(const char *file, unsigned line, const char *sni, const char *hostname, bool covered)
{
	struct diag_opts o = opts_user();
	o.hostname = hostname;
	struct session *s = GOOD12(sni, &P.server, &P.inter);
	run(s, &o);
	if (covered)
		expect_no_finding_(file, line, s, "hostname-mismatch", ANY_SIDE);
	else if (hostname)
		expect_finding_(file, line, s, "hostname-mismatch", SEV_WARNING, SIDE_SERVER, FRAMES(6), true);
	else
		expect_finding_(file, line, s, "hostname-mismatch", SEV_WARNING, SIDE_SERVER, FRAMES(4, 6), true);
	session_free(s);
}
#define EXPECT_HOST(sni, hostname, covered) expect_host_(__FILE__, __LINE__, sni, hostname, covered)

static void test_hostname_mismatch(void)
{
	struct diag_opts o = opts_user();
	struct session *s;

	/* SAN: DNS:api.example.test, DNS:*.wild.example.test, IP:10.0.0.2; CN www.example.test */
	EXPECT_HOST("api.example.test", NULL, true);
	EXPECT_HOST("API.Example.TEST", NULL, true);
	EXPECT_HOST("api.example.test.", NULL, true);
	EXPECT_HOST("a.wild.example.test", NULL, true);
	EXPECT_HOST("a.b.wild.example.test", NULL, false);
	EXPECT_HOST("wild.example.test", NULL, false);
	EXPECT_HOST("other.example.test", NULL, false);
	EXPECT_HOST("www.example.test", NULL, false);   /* the CN does not count next to a SAN */
	EXPECT_HOST(NULL, "10.0.0.2", true);            /* IP SAN */
	EXPECT_HOST(NULL, "10.0.0.3", false);
	EXPECT_HOST(NULL, "api.example.test", true);
	EXPECT_HOST("api.example.test", "other.example.test", false);   /* --hostname wins over the SNI */
	EXPECT_HOST("other.example.test", "api.example.test", true);

	/* the summary: the name, where it came from, the SAN, and the wildcard rule */
	s = GOOD12("a.b.wild.example.test", &P.server, &P.inter);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "hostname-mismatch", SEV_WARNING, SIDE_SERVER, FRAMES(4, 6));
	EXPECT_SUMMARY(s, "hostname-mismatch", "The server's certificate CN=www.example.test,O=tlsdiag unit (frame 6) "
					       "does not cover the name a.b.wild.example.test the client asked for (SNI): "
					       "its subjectAltName is DNS:api.example.test, DNS:*.wild.example.test, "
					       "IP:10.0.0.2");
	EXPECT_SUMMARY(s, "hostname-mismatch", "*.wild.example.test covers exactly one label");
	EXPECT_FIX(s, "hostname-mismatch", "a.b.wild.example.test");
	session_free(s);

	{
		struct diag_opts h = opts_user();
		h.hostname = "10.0.0.3";
		s = GOOD12(NULL, &P.server, &P.inter);
		run(s, &h);
		EXPECT_SUMMARY(s, "hostname-mismatch", "does not cover the name 10.0.0.3 given with --hostname");
		session_free(s);
	}

	/* error when the client aborts */
	s = REJECTED12("other.example.test", 42, &P.server, &P.inter);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "hostname-mismatch", SEV_ERROR, SIDE_SERVER, FRAMES(4, 6, 8));
	EXPECT_SUMMARY(s, "hostname-mismatch", "The client aborted with fatal alert bad_certificate (frame 8).");
	EXPECT_CAUSE(s, "alert", "hostname-mismatch");
	session_free(s);

	/* not fired: no name to compare */
	s = GOOD12(NULL, &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "hostname-mismatch");
	session_free(s);

	/* not observable */
	s = REJECTED12("other.example.test", 42, &P.server, &P.inter);
	s->server_chain.state = CHAIN_UNOBSERVABLE;
	run(s, &o);
	EXPECT_NO_FINDING(s, "hostname-mismatch");
	session_free(s);
}

/* ======================================================================
 * chain-untrusted
 * ====================================================================== */

static void test_chain_untrusted(void)
{
	struct diag_opts user = opts_user(), none = opts_none();
	struct diag_opts other = opts_user();
	other.trust = P.store_other;
	struct diag_opts sys = opts_system(P.store_other);
	struct session *s;

	/* the user's store does not hold this chain's root */
	s = GOOD12("api.example.test", &P.server, &P.inter, &P.root);
	run(s, &other);
	EXPECT_FINDING_EXACT(s, "chain-untrusted", SEV_ERROR, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "chain-untrusted", "The server's chain (frame 6) does not verify against the client's trust store "
					     "given (--ca-file): ");
	EXPECT_SUMMARY(s, "chain-untrusted", "(at depth 2)");
	EXPECT_FIX(s, "chain-untrusted", "client's truststore");
	session_free(s);

	/* the system store: "not publicly trusted", a warning */
	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &sys);
	EXPECT_FINDING_EXACT(s, "chain-untrusted", SEV_WARNING, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "chain-untrusted", "The server's chain (frame 6) is not publicly trusted: clients with default "
					     "trust stores will reject it (unable to get local issuer certificate, at depth 1).");
	EXPECT_CAUSE(s, "chain-untrusted", "--ca-file");
	EXPECT_NO_FINDING(s, "server-chain-incomplete");
	session_free(s);

	/* ... an error once the client aborted */
	s = REJECTED12("api.example.test", 48, &P.server, &P.inter);
	run(s, &sys);
	EXPECT_FINDING_EXACT(s, "chain-untrusted", SEV_ERROR, SIDE_SERVER, FRAMES(6, 8));
	EXPECT_SUMMARY(s, "chain-untrusted", "The client aborted with fatal alert unknown_ca (frame 8).");
	EXPECT_CAUSE(s, "alert", "chain-untrusted");
	session_free(s);

	/* the client's chain, judged with the user's store only */
	s = mtls12(NULL, 0, CERTS(&P.other_client), 1);
	complete12(s);
	run(s, &user);
	EXPECT_FINDING_EXACT(s, "chain-untrusted", SEV_ERROR, SIDE_CLIENT, FRAMES(9));
	EXPECT_SUMMARY(s, "chain-untrusted", "The client's chain (frame 9) does not verify against the server's trust store "
					     "given (--client-ca-file)");
	EXPECT_FIX(s, "chain-untrusted", "server's truststore");
	EXPECT_NO_FINDING_SIDE(s, "chain-untrusted", SIDE_SERVER);
	session_free(s);

	/* ... and never with the client's store (--ca-file) alone: that store verifies the server */
	s = mtls12(NULL, 0, CERTS(&P.other_client), 1);
	complete12(s);
	run(s, &(struct diag_opts){ .trust = P.store_root, .trust_given = true, .expiry_warn_days = 30 });
	EXPECT_NO_FINDING(s, "chain-untrusted");
	session_free(s);

	s = mtls12(NULL, 0, CERTS(&P.other_client), 1);
	complete12(s);
	run(s, &sys);
	EXPECT_NO_FINDING_SIDE(s, "chain-untrusted", SIDE_CLIENT);
	session_free(s);

	/* not fired: verifies; no store at all; another finding explains it; purpose is unsuitable's */
	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &user);
	EXPECT_NO_FINDING(s, "chain-untrusted");
	session_free(s);

	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &none);
	EXPECT_NO_FINDING(s, "chain-untrusted");
	session_free(s);

	s = GOOD12("api.example.test", &P.server, &P.inter, &P.root);
	run(s, &user);
	EXPECT_NO_FINDING(s, "chain-untrusted");
	session_free(s);

	s = mtls12(NULL, 0, CERTS(&P.noclientauth, &P.inter), 2);
	complete12(s);
	run(s, &user);
	EXPECT_NO_FINDING_SIDE(s, "chain-untrusted", SIDE_CLIENT);
	EXPECT_FINDING(s, "client-cert-unsuitable", SEV_WARNING, SIDE_CLIENT, FRAMES(9));
	session_free(s);

	/* not observable */
	s = REJECTED12("api.example.test", 48, &P.server, &P.inter);
	s->server_chain.state = CHAIN_UNOBSERVABLE;
	run(s, &sys);
	EXPECT_NO_FINDING(s, "chain-untrusted");
	session_free(s);
}

/* ======================================================================
 * weak-signature, weak-key
 * ====================================================================== */

static void test_weak_signature(void)
{
	struct diag_opts o = opts_user();
	struct session *s;

	s = GOOD12("sha1.example.test", &P.sha1_leaf, &P.inter);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "weak-signature", SEV_WARNING, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "weak-signature", "The server's certificate CN=sha1.example.test,O=tlsdiag unit (certificate 0, "
					    "frame 6) is signed with SHA-1 (ecdsa-with-SHA1).");
	EXPECT_NO_FINDING(s, "weak-key");
	session_free(s);

	s = REJECTED12("sha1.example.test", 42, &P.sha1_leaf, &P.inter);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "weak-signature", SEV_ERROR, SIDE_SERVER, FRAMES(6, 8));
	EXPECT_SUMMARY(s, "weak-signature", "The client aborted with fatal alert bad_certificate (frame 8).");
	EXPECT_CAUSE(s, "alert", "weak-signature");
	session_free(s);

	/* not fired: SHA-256; a SHA-1 self-signed root */
	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "weak-signature");
	session_free(s);

	s = mtls12(NULL, 0, CERTS(&P.other_client, &P.other_ca), 2);
	complete12(s);
	run(s, &o);
	EXPECT_NO_FINDING(s, "weak-signature");
	session_free(s);
}

static void test_weak_key(void)
{
	struct diag_opts o = opts_user();
	struct session *s;

	s = GOOD12("weak.example.test", &P.weak_leaf, &P.inter);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "weak-key", SEV_WARNING, SIDE_SERVER, FRAMES(6));
	EXPECT_SUMMARY(s, "weak-key", "The server's certificate CN=weak.example.test,O=tlsdiag unit (certificate 0, "
				      "frame 6) has a RSA key of 1024 bits.");
	EXPECT_NO_FINDING(s, "weak-signature");
	session_free(s);

	s = REJECTED12("weak.example.test", 42, &P.weak_leaf, &P.inter);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "weak-key", SEV_ERROR, SIDE_SERVER, FRAMES(6, 8));
	session_free(s);

	/* not fired: EC P-256 */
	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "weak-key");
	session_free(s);
}

/* ======================================================================
 * deprecated-version, no-sni
 * ====================================================================== */

static void test_deprecated_version(void)
{
	struct diag_opts o = opts_user();
	static const struct {
		uint16_t v;
		const char *text;
	} old[] = { { 0x0300, "SSL 3.0 was negotiated (Server Hello, frame 6)." },
		    { 0x0301, "TLS 1.0 was negotiated (Server Hello, frame 6)." },
		    { 0x0302, "TLS 1.1 was negotiated (Server Hello, frame 6)." } };
	for (size_t i = 0; i < sizeof old / sizeof old[0]; i++) {
		struct session *s = hello12v("api.example.test", old[i].v);
		SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
		complete12(s);
		run(s, &o);
		EXPECT_FINDING_EXACT(s, "deprecated-version", SEV_WARNING, SIDE_BOTH, FRAMES(6));
		EXPECT_SUMMARY(s, "deprecated-version", old[i].text);
		session_free(s);
	}

	struct session *s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "deprecated-version");
	session_free(s);

	s = hello13("api.example.test");
	run(s, &o);
	EXPECT_NO_FINDING(s, "deprecated-version");
	session_free(s);

	/* no ServerHello: nothing was negotiated */
	s = new_session();
	client_hello(s, 4, "api.example.test");
	s->ch.legacy_version = 0x0301;
	rst(s, SIDE_SERVER, 5);
	run(s, &o);
	EXPECT_NO_FINDING(s, "deprecated-version");
	session_free(s);
}

static void test_no_sni(void)
{
	struct diag_opts o = opts_user();
	struct session *s;

	/* info: no SNI, and the certificate covers the address the client used (IP SAN) */
	s = GOOD12(NULL, &P.server, &P.inter);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "no-sni", SEV_INFO, SIDE_CLIENT, FRAMES(4));
	EXPECT_SUMMARY(s, "no-sni", "The ClientHello (frame 4) carries no server_name (SNI).");
	EXPECT_HEALTHY(s);
	session_free(s);

	/* info: no chain to compare with */
	s = new_session();
	client_hello(s, 4, NULL);
	server_hello(s, 6, 0x0303, 0xc02f);
	s->resumed = true;
	ccs_finished(s, 6, SIDE_SERVER);
	ccs_finished(s, 7, SIDE_CLIENT);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "no-sni", SEV_INFO, SIDE_CLIENT, FRAMES(4));
	session_free(s);

	/* warning: the certificate does not cover the address */
	s = GOOD12(NULL, &P.server, &P.inter);
	set_server_ip(s, 9);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "no-sni", SEV_WARNING, SIDE_CLIENT, FRAMES(4));
	EXPECT_SUMMARY(s, "no-sni", "and the server's certificate CN=www.example.test,O=tlsdiag unit does not cover the "
				    "address 10.0.0.9 the client connected to.");
	EXPECT_FIX(s, "no-sni", "--hostname");
	session_free(s);

	/* info again with --hostname: that name is what is checked */
	{
		struct diag_opts h = opts_user();
		h.hostname = "api.example.test";
		s = GOOD12(NULL, &P.server, &P.inter);
		set_server_ip(s, 9);
		run(s, &h);
		EXPECT_FINDING_EXACT(s, "no-sni", SEV_INFO, SIDE_CLIENT, FRAMES(4));
		EXPECT_NO_FINDING(s, "hostname-mismatch");
		session_free(s);
	}

	/* not fired: SNI present; an SSLv2-compatible hello cannot carry it */
	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "no-sni");
	session_free(s);

	s = GOOD12(NULL, &P.server, &P.inter);
	s->ch.sslv2 = true;
	run(s, &o);
	EXPECT_NO_FINDING(s, "no-sni");
	session_free(s);
}

/* ======================================================================
 * tls13-certificates-encrypted
 * ====================================================================== */

static void test_tls13_certificates_encrypted(void)
{
	struct diag_opts o = opts_user();
	struct session *s;

	/* a TLS 1.3 handshake that works */
	s = hello13("api.example.test");
	appdata(s, 8, SIDE_CLIENT, 53);     /* the client's Finished */
	appdata(s, 9, SIDE_CLIENT, 120);
	appdata(s, 10, SIDE_SERVER, 300);   /* NewSessionTicket */
	appdata(s, 10, SIDE_SERVER, 4000);
	fin_both(s, SIDE_CLIENT, 12, 13);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_COMPLETED);
	EXPECT_FINDING_EXACT(s, "tls13-certificates-encrypted", SEV_INFO, SIDE_BOTH, FRAMES(6));
	EXPECT_SUMMARY(s, "tls13-certificates-encrypted", "TLS 1.3 was negotiated (Server Hello, frame 6)");
	EXPECT_CAUSE(s, "tls13-certificates-encrypted", "The record sizes show the client's Finished (frame 8) and "
							 "application data both ways: the handshake completed.");
	EXPECT_FIX(s, "tls13-certificates-encrypted", "SSLKEYLOGFILE");
	EXPECT_HEALTHY(s);
	EXPECT_NO_CHAIN_FINDINGS(s);
	session_free(s);

	/* the client's first record has an alert's size and it closes: it rejected the server */
	s = hello13("api.example.test");
	appdata(s, 8, SIDE_CLIENT, 19);
	fin_both(s, SIDE_CLIENT, 9, 10);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_FAILED);
	EXPECT_FINDING_EXACT(s, "tls13-certificates-encrypted", SEV_INFO, SIDE_BOTH, FRAMES(6));
	EXPECT_CAUSE(s, "tls13-certificates-encrypted", "The record sizes show a failure (client alert instead of Finished)");
	session_free(s);

	/* not fired: resumed (no certificates at all); TLS 1.2 */
	s = hello13("api.example.test");
	s->sh.pre_shared_key = true;
	s->resumed = true;
	appdata(s, 8, SIDE_CLIENT, 53);
	appdata(s, 10, SIDE_SERVER, 4000);
	run(s, &o);
	EXPECT_NO_FINDING(s, "tls13-certificates-encrypted");
	session_free(s);

	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "tls13-certificates-encrypted");
	session_free(s);
}

/* ======================================================================
 * renegotiation
 * ====================================================================== */

static void test_renegotiation(void)
{
	struct diag_opts o = opts_user();
	struct session *s;

	/* refused: the server answers the encrypted ClientHello with alerts */
	s = hello12("api.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	server_done(s, 7);
	client_key_exchange(s, 9);
	ccs_finished(s, 10, SIDE_CLIENT);
	ccs_finished(s, 11, SIDE_SERVER);
	appdata(s, 13, SIDE_CLIENT, 51);
	appdata(s, 14, SIDE_SERVER, 51);
	renegotiate(s, 16, SIDE_CLIENT);
	enc_alert(s, 17, SIDE_SERVER);
	enc_alert(s, 19, SIDE_CLIENT);
	fin_both(s, SIDE_CLIENT, 23, 24);
	run(s, &o);
	/* no data after the alerts, then the close: the refusal ended the connection */
	EXPECT_FINDING_EXACT(s, "renegotiation", SEV_ERROR, SIDE_BOTH, FRAMES(16, 19));
	EXPECT_SUMMARY(s, "renegotiation", "A second handshake started on the established connection at frame 16");
	EXPECT_SUMMARY(s, "renegotiation", "followed by 2 alerts (up to frame 19)");
	EXPECT_SUMMARY(s, "renegotiation", "the refusal ended the connection (closed by the client, frame 23)");
	EXPECT_CAUSE(s, "renegotiation", "no_renegotiation");
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_FAILED);
	/* encrypted alerts after the first handshake are not alert findings */
	EXPECT_NO_FINDING(s, "alert");
	session_free(s);

	/* refused, but the client goes on with the first keys: a warning, the connection completed */
	s = hello12("api.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	server_done(s, 7);
	client_key_exchange(s, 9);
	ccs_finished(s, 10, SIDE_CLIENT);
	ccs_finished(s, 11, SIDE_SERVER);
	appdata(s, 13, SIDE_CLIENT, 51);
	appdata(s, 14, SIDE_SERVER, 51);
	renegotiate(s, 16, SIDE_CLIENT);
	enc_alert(s, 17, SIDE_SERVER);
	appdata(s, 19, SIDE_CLIENT, 51);
	appdata(s, 20, SIDE_SERVER, 51);
	fin_both(s, SIDE_CLIENT, 23, 24);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "renegotiation", SEV_WARNING, SIDE_BOTH, FRAMES(16, 17));
	EXPECT_SUMMARY(s, "renegotiation", "data went on after it");
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_COMPLETED);
	session_free(s);

	/* a renegotiation the client does not follow, data after it, then the ordinary
	 * (encrypted) close_notify both ways: a warning, not a refusal that ended it */
	s = hello12("api.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	server_done(s, 7);
	client_key_exchange(s, 9);
	ccs_finished(s, 10, SIDE_CLIENT);
	ccs_finished(s, 11, SIDE_SERVER);
	appdata(s, 13, SIDE_CLIENT, 51);
	renegotiate(s, 14, SIDE_SERVER);
	appdata(s, 15, SIDE_SERVER, 51);
	appdata(s, 16, SIDE_CLIENT, 51);
	enc_alert(s, 18, SIDE_CLIENT);
	enc_alert(s, 19, SIDE_SERVER);
	fin_both(s, SIDE_CLIENT, 21, 22);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "renegotiation", SEV_WARNING, SIDE_BOTH, FRAMES(14, 19));
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_COMPLETED);
	session_free(s);

	/* completed: both sides switch to the new keys, data flows, then the ordinary close */
	s = hello12("api.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	server_done(s, 7);
	client_key_exchange(s, 9);
	ccs_finished(s, 10, SIDE_CLIENT);
	ccs_finished(s, 11, SIDE_SERVER);
	appdata(s, 13, SIDE_CLIENT, 51);
	appdata(s, 14, SIDE_SERVER, 51);
	renegotiate(s, 16, SIDE_CLIENT);
	enc_handshake(s, 17, SIDE_SERVER);
	enc_handshake(s, 19, SIDE_SERVER);
	enc_handshake(s, 21, SIDE_CLIENT);
	ccs_finished(s, 21, SIDE_CLIENT);
	enc_handshake(s, 22, SIDE_SERVER);
	ccs_finished(s, 22, SIDE_SERVER);
	appdata(s, 24, SIDE_CLIENT, 50);
	appdata(s, 25, SIDE_SERVER, 50);
	enc_alert(s, 27, SIDE_CLIENT);
	enc_alert(s, 29, SIDE_SERVER);
	fin_both(s, SIDE_SERVER, 31, 32);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "renegotiation", SEV_INFO, SIDE_BOTH, FRAMES(16));
	EXPECT_NOT_SUMMARY(s, "renegotiation", "followed by");
	EXPECT_HEALTHY(s);
	session_free(s);

	/* not fired */
	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "renegotiation");
	session_free(s);
}

/* ======================================================================
 * alert: every kind, explained from the facts around it
 * ====================================================================== */

static void test_alert(void)
{
	struct diag_opts o = opts_user();
	struct session *s;

	/* bad_certificate after an empty client Certificate */
	s = gateway();
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "alert", SEV_ERROR, SIDE_SERVER, FRAMES(12));
	EXPECT_SUMMARY(s, "alert", "The server sent fatal alert bad_certificate (42) at frame 12.");
	EXPECT_CAUSE(s, "alert", "The server requires a client certificate and the client sent an empty Certificate "
				 "(client-cert-empty).");
	session_free(s);

	/* OpenSSL's handshake_failure after an empty client Certificate: the same cause */
	s = mtls12_empty(NAMES(P.n_root), 1);
	alert(s, 11, SIDE_SERVER, 2, 40);
	run(s, &o);
	EXPECT_CAUSE(s, "alert", "requires a client certificate and the client sent an empty Certificate");
	EXPECT_NO_FINDING(s, "version-or-cipher-mismatch");
	session_free(s);

	/* unknown_ca from the client after the server's chain */
	s = REJECTED12("api.example.test", 48, &P.server);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "alert", SEV_ERROR, SIDE_CLIENT, FRAMES(8));
	EXPECT_SUMMARY(s, "alert", "The client sent fatal alert unknown_ca (48) at frame 8.");
	EXPECT_CAUSE(s, "alert", "The client rejected the server's certificate CN=www.example.test,O=tlsdiag unit: the "
				 "chain lacks an intermediate, so no path to a root can be built (server-chain-incomplete).");
	EXPECT_FIX(s, "alert", "Send the intermediate certificate(s) with the leaf. See server-chain-incomplete.");
	session_free(s);

	/* a rejection no finding explains: the generic meaning, said to be generic, and no finding named */
	s = REJECTED12("api.example.test", 42, &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "hostname-mismatch");
	EXPECT_CAUSE(s, "alert", "The client rejected the server's certificate CN=www.example.test,O=tlsdiag unit. No "
				 "finding of this connection explains bad_certificate; its generic meaning: a certificate "
				 "was refused");
	EXPECT_FIX(s, "alert", "Check the client's log for the reason it gives.");
	session_free(s);

	/* GnuTLS: decode_error after an empty client Certificate is tied to it, not to a malformed message */
	s = mtls12_empty(NAMES(P.n_root), 1);
	alert(s, 11, SIDE_SERVER, 2, 50);
	run(s, &o);
	EXPECT_CAUSE(s, "alert", "sent an empty Certificate (client-cert-empty): decode_error here is how this server "
				 "refuses that");
	EXPECT_FIX(s, "alert", "See client-cert-empty.");
	session_free(s);

	/* handshake_failure right after the ClientHello */
	s = new_session();
	client_hello(s, 4, "api.example.test");
	alert(s, 5, SIDE_SERVER, 2, 40);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "alert", SEV_ERROR, SIDE_SERVER, FRAMES(5));
	EXPECT_CAUSE(s, "alert", "The server found nothing acceptable in the ClientHello");
	EXPECT_CAUSE(s, "alert", "version-or-cipher-mismatch");
	session_free(s);

	/* protocol_version */
	s = new_session();
	client_hello(s, 4, "api.example.test");
	alert(s, 5, SIDE_SERVER, 2, 70);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "alert", SEV_ERROR, SIDE_SERVER, FRAMES(5));
	EXPECT_CAUSE(s, "alert", "No protocol version in common (version-or-cipher-mismatch). The client offers at most "
				 "TLS 1.2; the server accepts none of it, so it accepts only TLS 1.3.");
	EXPECT_FIX(s, "alert", "Enable TLS 1.3 on the client, or allow TLS 1.2 on the server.");
	session_free(s);

	/* unrecognized_name as a warning: the handshake goes on */
	s = new_session();
	client_hello(s, 4, "api.example.test");
	alert(s, 5, SIDE_SERVER, 1, 112);
	server_hello(s, 6, 0x0303, 0xc02f);
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	server_done(s, 7);
	complete12(s);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_COMPLETED);
	EXPECT_FINDING_EXACT(s, "alert", SEV_WARNING, SIDE_SERVER, FRAMES(5));
	EXPECT_SUMMARY(s, "alert", "The server sent warning alert unrecognized_name (112) at frame 5.");
	EXPECT_CAUSE(s, "alert", "no certificate or virtual host for the name the client asked for (SNI "
				 "\"api.example.test\")");
	session_free(s);

	/* an alert repeated is one finding, with every frame */
	s = new_session();
	client_hello(s, 4, "api.example.test");
	alert(s, 5, SIDE_SERVER, 2, 40);
	alert(s, 6, SIDE_SERVER, 2, 40);
	alert(s, 7, SIDE_SERVER, 2, 40);
	alert(s, 7, SIDE_SERVER, 2, 80);
	fin_both(s, SIDE_SERVER, 8, 9);
	run(s, &o);
	CU_ASSERT_EQUAL(count_findings(s, "alert", SIDE_SERVER), 2);
	EXPECT_FINDING_EXACT(s, "alert", SEV_ERROR, SIDE_SERVER, FRAMES(5, 6, 7));
	EXPECT_SUMMARY(s, "alert", "The server sent fatal alert handshake_failure (40) at frame 5. The same alert came 2 "
				 "more times.");
	session_free(s);

	/* ... and as a fatal alert */
	s = new_session();
	client_hello(s, 4, "nosuch.example.test");
	alert(s, 5, SIDE_SERVER, 2, 112);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "alert", SEV_ERROR, SIDE_SERVER, FRAMES(5));
	EXPECT_CAUSE(s, "alert", "(SNI \"nosuch.example.test\")");
	session_free(s);

	/* decrypt_error after the client's CertificateVerify */
	s = mtls12(NAMES(P.n_root), 1, CERTS(&P.client, &P.inter), 2);
	hs(s, 9, SIDE_CLIENT, 15, 72);
	alert(s, 11, SIDE_SERVER, 2, 51);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "alert", SEV_ERROR, SIDE_SERVER, FRAMES(11));
	EXPECT_CAUSE(s, "alert", "could not verify a signature or the Finished message");
	EXPECT_FIX(s, "alert", "the client's certificate and private key belong together");
	session_free(s);

	/* an encrypted alert before the handshake completed */
	s = mtls12(NAMES(P.n_root), 1, CERTS(&P.client, &P.inter), 2);
	ccs(s, 11, SIDE_SERVER);
	enc_alert(s, 11, SIDE_SERVER);
	fin_both(s, SIDE_SERVER, 12, 13);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_FAILED);
	EXPECT_FINDING_EXACT(s, "alert", SEV_ERROR, SIDE_SERVER, FRAMES(11));
	EXPECT_SUMMARY(s, "alert", "The server sent an encrypted alert (frame 11) before the handshake completed.");
	EXPECT_CAUSE(s, "alert", "its description is not visible");
	EXPECT_CAUSE(s, "alert", "typically rejects the client's certificate or its CertificateVerify");
	session_free(s);

	/* inferred TLS 1.3 alerts are tls13-encrypted-failure's, not alert's: the client rejects the server ... */
	s = hello13("api.example.test");
	appdata(s, 8, SIDE_CLIENT, 19);
	fin_both(s, SIDE_CLIENT, 9, 10);
	run(s, &o);
	EXPECT_NO_FINDING(s, "alert");
	EXPECT_FINDING_EXACT(s, "tls13-encrypted-failure", SEV_ERROR, SIDE_CLIENT, FRAMES(6, 8));
	EXPECT_SUMMARY(s, "tls13-encrypted-failure", "The client's record at frame 8 has an alert's size (19 = 2 (alert: "
						     "level, description) + 1 (content type) + 16 (AEAD tag)), sent "
						     "instead of its Finished.");
	EXPECT_SUMMARY(s, "tls13-encrypted-failure", "(inferred from record sizes)");
	EXPECT_CAUSE(s, "tls13-encrypted-failure", "rejects the server's certificate");
	session_free(s);

	/* ... the server rejects the client (certificate_required) */
	s = hello13("api.example.test");
	appdata(s, 8, SIDE_CLIENT, 53);
	appdata(s, 9, SIDE_SERVER, 19);
	fin_both(s, SIDE_SERVER, 10, 11);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_FAILED);
	EXPECT_NO_FINDING(s, "alert");
	EXPECT_FINDING_EXACT(s, "tls13-encrypted-failure", SEV_ERROR, SIDE_SERVER, FRAMES(6, 8, 9));
	EXPECT_CAUSE(s, "tls13-encrypted-failure", "The server refused the client's flight");
	EXPECT_CAUSE(s, "tls13-certificates-encrypted", "server alert after the client's flight");
	session_free(s);

	/* the ordinary close after completion says nothing, encrypted or (NULL cipher) in the clear */
	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "alert");
	session_free(s);

	s = hello12("api.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	server_done(s, 7);
	client_key_exchange(s, 9);
	ccs(s, 10, SIDE_CLIENT);
	hs(s, 10, SIDE_CLIENT, 20, 12);
	s->dir[SIDE_CLIENT].finished = true;
	s->dir[SIDE_CLIENT].finished_frame = 10;
	s->dir[SIDE_CLIENT].finished_seq = s->record_seq;
	ccs(s, 11, SIDE_SERVER);
	hs(s, 11, SIDE_SERVER, 20, 12);
	s->dir[SIDE_SERVER].finished = true;
	s->dir[SIDE_SERVER].finished_frame = 11;
	s->dir[SIDE_SERVER].finished_seq = s->record_seq;
	appdata(s, 13, SIDE_CLIENT, 100);
	appdata(s, 14, SIDE_SERVER, 9000);
	alert(s, 15, SIDE_CLIENT, 1, 0);
	alert(s, 16, SIDE_SERVER, 1, 0);
	fin_both(s, SIDE_CLIENT, 17, 18);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_COMPLETED);
	EXPECT_NO_FINDING(s, "alert");
	EXPECT_NO_FINDINGS(s);
	session_free(s);
}

/* A close_notify before the handshake completed ended it: the client gave up.
 * (It must not read as a mere fact while the connection failed.) */
static void test_alert_close_notify_before_completion(void)
{
	struct diag_opts o = opts_user();
	struct session *s = hello12("api.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	server_done(s, 7);
	alert(s, 8, SIDE_CLIENT, 1, 0);
	fin_both(s, SIDE_CLIENT, 9, 10);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_FAILED);
	EXPECT_CAUSE(s, "alert", "The client closed the connection before the handshake finished");
	const struct finding *f = find_finding(s, "alert", SIDE_CLIENT);
	CU_ASSERT_PTR_NOT_NULL(f);
	if (f && f->severity == SEV_INFO)
		UNIT_FAIL("alert close_notify at frame 8 ended the handshake (outcome failed) but is only info; "
			  "expected warning (a warning-level alert that ends the handshake) or error");
	/* the only finding of a failed connection must not leave it without a warning */
	CU_ASSERT(f && f->severity >= SEV_WARNING);
	session_free(s);
}

/* An alert's explanation never rests on bytes the capture lost. */
static void test_alert_not_observable(void)
{
	struct diag_opts o = opts_user();
	/* the client's direction lost from frame 8: its Certificate may have been sent */
	struct session *s = hello12("api.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	CERT_REQUEST(s, 7, P.n_root);
	server_done(s, 7);
	lose(s, SIDE_CLIENT, 8, 1500, "capture loss");
	alert(s, 12, SIDE_SERVER, 2, 42);
	fin_both(s, SIDE_SERVER, 13, 14);
	run(s, &o);
	EXPECT_FINDING(s, "capture-incomplete", SEV_WARNING, SIDE_CLIENT, FRAMES(8));
	EXPECT_NO_FINDING(s, "client-cert-missing");
	EXPECT_FINDING_EXACT(s, "alert", SEV_ERROR, SIDE_SERVER, FRAMES(12));
	EXPECT_NOT_CAUSE(s, "alert", "did not send one");
	EXPECT_NOT_CAUSE(s, "alert", "client-cert-missing");
	session_free(s);
}

/* ======================================================================
 * who aborted: a side that only closes after the other's fatal alert did not abort
 * ====================================================================== */

static void test_abort_attribution(void)
{
	struct diag_opts o = opts_user();
	/* the gateway scenario with a server certificate the client does not check
	 * (name mismatch); the server rejects the empty client Certificate at 12,
	 * then the client resets the connection */
	struct session *s = hello12("other.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.inter, &P.server);
	CERT_REQUEST(s, 7, P.n_root, P.n_inter);
	server_done(s, 7);
	send_chain(s, SIDE_CLIENT, 9, NULL, 0);
	client_key_exchange(s, 9);
	ccs_finished(s, 10, SIDE_CLIENT);
	alert(s, 12, SIDE_SERVER, 2, 42);
	rst(s, SIDE_CLIENT, 13);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "client-cert-empty", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 9, 12));
	/* the client went on after the server's chain: these stay warnings */
	EXPECT_FINDING_EXACT(s, "hostname-mismatch", SEV_WARNING, SIDE_SERVER, FRAMES(4, 6));
	EXPECT_NOT_SUMMARY(s, "hostname-mismatch", "The client aborted");
	EXPECT_FINDING_EXACT(s, "chain-order", SEV_WARNING, SIDE_SERVER, FRAMES(6));
	session_free(s);

	/* the same with FINs, the client's first */
	s = hello12("other.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	CERT_REQUEST(s, 7, P.n_root);
	server_done(s, 7);
	send_chain(s, SIDE_CLIENT, 9, NULL, 0);
	client_key_exchange(s, 9);
	ccs_finished(s, 10, SIDE_CLIENT);
	alert(s, 12, SIDE_SERVER, 2, 42);
	fin_both(s, SIDE_CLIENT, 13, 14);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "hostname-mismatch", SEV_WARNING, SIDE_SERVER, FRAMES(4, 6));
	session_free(s);
}

/* ======================================================================
 * resumed sessions, and chains not observed
 * ====================================================================== */

static void test_resumed_session(void)
{
	struct diag_opts user = opts_user();
	struct diag_opts named = opts_user();
	named.hostname = "other.example.test";
	struct session *s;

	/* TLS 1.2 abbreviated handshake: no Certificate at all */
	for (int k = 0; k < 2; k++) {
		s = new_session();
		client_hello(s, 4, "api.example.test");
		s->ch.session_id_len = 32;
		server_hello(s, 6, 0x0303, 0xc02f);
		s->sh.session_id_len = 32;
		s->resumed = true;
		ccs_finished(s, 6, SIDE_SERVER);
		ccs_finished(s, 7, SIDE_CLIENT);
		appdata(s, 8, SIDE_CLIENT, 100);
		appdata(s, 9, SIDE_SERVER, 9000);
		enc_alert(s, 10, SIDE_CLIENT);
		enc_alert(s, 11, SIDE_SERVER);
		fin_both(s, SIDE_CLIENT, 12, 13);
		run(s, k ? &named : &user);
		CU_ASSERT_EQUAL(s->outcome, OUTCOME_COMPLETED);
		EXPECT_NO_CHAIN_FINDINGS(s);
		EXPECT_NO_FINDINGS(s);
		session_free(s);
	}

	/* TLS 1.3 resumption (PSK) */
	s = hello13("api.example.test");
	s->sh.pre_shared_key = true;
	s->resumed = true;
	appdata(s, 8, SIDE_CLIENT, 53);
	appdata(s, 9, SIDE_CLIENT, 100);
	appdata(s, 10, SIDE_SERVER, 4000);
	fin_both(s, SIDE_CLIENT, 12, 13);
	run(s, &user);
	EXPECT_NO_FINDINGS(s);
	session_free(s);
}

/* Every chain rule stays silent about a chain the capture did not show,
 * however bad the certificates in it would be. */
static void test_chain_rules_silent_when_unobserved(void)
{
	struct diag_opts opts[3];
	opts[0] = opts_user();
	opts[1] = opts_system(P.store_other);
	opts[2] = opts_none();
	for (int k = 0; k < 3; k++) {
		for (int how = 0; how < 2; how++) {
			struct session *s = hello12("other.example.test");
			if (how == 1)
				lose(s, SIDE_SERVER, 5, 4000, "capture loss");
			SEND_CHAIN(s, SIDE_SERVER, 6, &P.root, &P.weak_leaf, &P.other_ca, &P.expired);
			if (how == 0)
				s->server_chain.state = CHAIN_UNOBSERVABLE;
			CERT_REQUEST(s, 7, P.n_root);
			server_done(s, 7);
			send_chain(s, SIDE_CLIENT, 9, CERTS(&P.inter, &P.noclientauth, &P.other_client), 3);
			if (how == 0)
				s->client_chain.state = CHAIN_UNOBSERVABLE;
			else
				lose(s, SIDE_CLIENT, 8, 4000, "capture loss");
			client_key_exchange(s, 9);
			alert(s, 11, SIDE_SERVER, 2, 42);
			fin_both(s, SIDE_SERVER, 12, 13);
			run(s, &opts[k]);
			EXPECT_NO_CHAIN_FINDINGS(s);
			EXPECT_NO_FINDING(s, "client-cert-empty");
			EXPECT_NO_FINDING(s, "client-cert-missing");
			session_free(s);
		}
	}
}

/* ======================================================================
 * Suspected defects, one test each (see the report)
 * ====================================================================== */

/* A one-way capture holds no packet of the server at all: whether it
 * answered is unknown (capture-incomplete says so and promises that
 * findings about what the server sent are withheld). */
static void test_no_server_hello_one_way_capture(void)
{
	struct diag_opts o = opts_none();
	struct session *s = new_session();
	s->dir[SIDE_SERVER].packets = 0;
	s->dir[SIDE_SERVER].syn = false;
	s->dir[SIDE_SERVER].last_frame = 0;
	client_hello(s, 4, "api.example.test");
	touch(s, 6, SIDE_CLIENT);
	half_fin(s, SIDE_CLIENT, 9);
	run(s, &o);
	EXPECT_FINDING(s, "capture-incomplete", SEV_WARNING, SIDE_SERVER, NO_FRAMES);
	EXPECT_CAUSE(s, "capture-incomplete", "Findings about what the server sent are withheld");
	EXPECT_NO_FINDING(s, "no-server-hello");
	session_free(s);

	/* the same without the client's FIN: no warning either */
	s = new_session();
	s->dir[SIDE_SERVER].packets = 0;
	s->dir[SIDE_SERVER].syn = false;
	s->dir[SIDE_SERVER].last_frame = 0;
	client_hello(s, 4, "api.example.test");
	touch(s, 9, SIDE_CLIENT);
	run(s, &o);
	EXPECT_NO_FINDING(s, "no-server-hello");
	session_free(s);
}

/* "X closed the connection (frame N)": N is X's own FIN. The analyzer
 * records close_frame as the frame of the SECOND FIN (the other side's), or
 * the capture's last frame when only one side closed. */
static void test_close_evidence_frames(void)
{
	struct diag_opts o = opts_user();
	struct session *s;

	/* no-server-hello: the client's FIN (9); the capture ends at frame 500 */
	s = new_session();
	client_hello(s, 4, "api.example.test");
	touch(s, 5, SIDE_SERVER);
	half_fin(s, SIDE_CLIENT, 9);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "no-server-hello", SEV_ERROR, SIDE_SERVER, FRAMES(4, 9));
	EXPECT_SUMMARY(s, "no-server-hello", "the client gave up and closed the connection (frame 9)");
	session_free(s);

	/* client-cert-empty, error: the server's FIN (11), not the client's answer (12) */
	s = mtls12_empty(NAMES(P.n_root), 1);
	fin_both(s, SIDE_SERVER, 11, 12);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "client-cert-empty", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 9, 11));
	EXPECT_SUMMARY(s, "client-cert-empty", "The server aborted the handshake with closing the connection (frame 11)");
	session_free(s);

	/* client-cert-empty, error (nginx): the server's FIN (16), not the client's (18) */
	s = mtls12_empty(NAMES(P.n_root), 1);
	ccs_finished(s, 11, SIDE_SERVER);
	appdata(s, 13, SIDE_CLIENT, 107);
	appdata(s, 14, SIDE_SERVER, 413);
	enc_alert(s, 15, SIDE_SERVER);
	fin_both(s, SIDE_SERVER, 16, 18);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "client-cert-empty", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 9, 14, 16));
	EXPECT_SUMMARY(s, "client-cert-empty", "and closed the connection (frame 16)");
	session_free(s);

	/* a chain rule: the client closes (FIN 9) right after the chain, the server answers (10) */
	s = hello12("other.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	server_done(s, 7);
	fin_both(s, SIDE_CLIENT, 9, 10);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_FAILED);
	EXPECT_FINDING_EXACT(s, "hostname-mismatch", SEV_ERROR, SIDE_SERVER, FRAMES(4, 6, 9));
	EXPECT_SUMMARY(s, "hostname-mismatch", "The client aborted with closing the connection (frame 9).");
	session_free(s);
}

/* "... 35 days before the the time given with --at": one "the" too many. */
static void test_at_wording(void)
{
	struct diag_opts at = opts_user();
	at.at_given = true;
	at.at = T0 + 400 * DAY;
	struct session *s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &at);
	EXPECT_FINDING_EXACT(s, "cert-expired", SEV_ERROR, SIDE_SERVER, FRAMES(6));
	EXPECT_NOT_SUMMARY(s, "cert-expired", "the the");
	EXPECT_SUMMARY(s, "cert-expired", "35 days before the time given with --at (2026-07-06T00:00:00Z).");
	session_free(s);

	at.at = T0 - 5 * DAY;   /* 15 days before the end of soon.example.test */
	s = GOOD12("soon.example.test", &P.soon, &P.inter);
	run(s, &at);
	EXPECT_FINDING_EXACT(s, "cert-expires-soon", SEV_WARNING, SIDE_SERVER, FRAMES(6));
	EXPECT_NOT_SUMMARY(s, "cert-expires-soon", "the the");
	session_free(s);
}

/* The server's direction is lost after the client's empty Certificate: the
 * empty Certificate is a fact, but "the server requests but does not require
 * a client certificate" would rest on bytes the capture lost. */
static void test_client_cert_empty_server_unobserved(void)
{
	struct diag_opts o = opts_user();
	struct session *s = mtls12_empty(NAMES(P.n_root), 1);
	lose(s, SIDE_SERVER, 11, 1400, "capture loss");
	touch(s, 13, SIDE_CLIENT);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_INCOMPLETE);
	EXPECT_FINDING(s, "capture-incomplete", SEV_WARNING, SIDE_SERVER, FRAMES(11));
	EXPECT_FINDING(s, "client-cert-empty", SEV_WARNING, SIDE_CLIENT, FRAMES(7, 9));
	EXPECT_NOT_CAUSE(s, "client-cert-empty", "does not require");
	session_free(s);
}

/* A failed handshake that no other rule explains is never left without an
 * error: who closed, after what, and whether it waited (a timeout). */
static void test_handshake_aborted(void)
{
	struct diag_opts o = opts_user();

	/* the client resets right after a HelloRetryRequest */
	struct session *s = new_session();
	client_hello13(s, 4, "api.example.test");
	hs(s, 5, SIDE_SERVER, 2, 88);
	s->timeline[s->timeline_n - 1].hrr = true;
	s->hrr.present = true;
	s->hrr.frame = 5;
	s->hrr.has_group = true;
	s->hrr.selected_group = 29;
	rst(s, SIDE_CLIENT, 6);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_FAILED);
	EXPECT_FINDING_EXACT(s, "handshake-aborted", SEV_ERROR, SIDE_CLIENT, FRAMES(5, 6));
	EXPECT_SUMMARY(s, "handshake-aborted", "The handshake did not complete and no alert says why: the client reset "
					      "the connection (frame 6) 0.001 s after the server's Hello Retry Request "
					      "(frame 5).");
	EXPECT_CAUSE(s, "handshake-aborted", "for the group the server chose (x25519)");
	session_free(s);

	/* the client closes after the server's flight, a good chain: no alert, no other finding */
	s = hello12("api.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	server_done(s, 7);
	fin_both(s, SIDE_CLIENT, 8, 9);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_FAILED);
	EXPECT_FINDING_EXACT(s, "handshake-aborted", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 8));
	EXPECT_SUMMARY(s, "handshake-aborted", "the client closed the connection (frame 8) 0.001 s after the server's "
					      "Server Hello Done (frame 7).");
	EXPECT_CAUSE(s, "handshake-aborted", "found no fault against the trust store given");
	CU_ASSERT_EQUAL(s->findings.n, 1);
	session_free(s);

	/* the client waited 30 s for the server's Finished, then reset: a timeout */
	s = hello12("api.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	server_done(s, 7);
	client_key_exchange(s, 9);
	ccs_finished(s, 10, SIDE_CLIENT);
	rst(s, SIDE_CLIENT, 12);
	s->dir[SIDE_CLIENT].close_time.sec += 30;
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "handshake-aborted", SEV_ERROR, SIDE_CLIENT, FRAMES(10, 12));
	EXPECT_SUMMARY(s, "handshake-aborted", "the client reset the connection (frame 12) 30.002 s after its own "
					      "Encrypted Handshake Message (frame 10), which got no answer.");
	EXPECT_CAUSE(s, "handshake-aborted", "The client gave up waiting (a timeout): the server was slow");
	session_free(s);

	/* the client closes right after its own Finished, without waiting for the server */
	s = hello12("api.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	server_done(s, 7);
	client_key_exchange(s, 9);
	ccs_finished(s, 10, SIDE_CLIENT);
	fin_both(s, SIDE_CLIENT, 11, 12);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "handshake-aborted", SEV_ERROR, SIDE_CLIENT, FRAMES(10, 11));
	EXPECT_CAUSE(s, "handshake-aborted", "The client closed without waiting for the server's answer");
	session_free(s);

	/* the server closes after the client's Certificate without an alert */
	s = mtls12(NAMES(P.n_root), 1, CERTS(&P.client, &P.inter), 2);
	fin_both(s, SIDE_SERVER, 11, 12);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_FAILED);
	EXPECT_FINDING_EXACT(s, "handshake-aborted", SEV_ERROR, SIDE_SERVER, FRAMES(10, 11));
	EXPECT_CAUSE(s, "handshake-aborted", "The server rejected the client's messages without an alert");
	session_free(s);

	/* a Java client closes after the server's warning unrecognized_name */
	s = new_session();
	client_hello(s, 4, "api.example.test");
	alert(s, 5, SIDE_SERVER, 1, 112);
	server_hello(s, 6, 0x0303, 0xc02f);
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	server_done(s, 7);
	fin_both(s, SIDE_CLIENT, 8, 9);
	run(s, &o);
	EXPECT_FINDING_EXACT(s, "handshake-aborted", SEV_ERROR, SIDE_CLIENT, FRAMES(7, 8));
	session_free(s);

	/* silent when another rule already explains the failure */
	s = REJECTED12("api.example.test", 48, &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "handshake-aborted");
	session_free(s);
	s = new_session();
	client_hello(s, 4, "api.example.test");
	rst(s, SIDE_SERVER, 5);
	run(s, &o);
	EXPECT_FINDING(s, "no-server-hello", SEV_ERROR, SIDE_SERVER, FRAMES(5));
	EXPECT_NO_FINDING(s, "handshake-aborted");
	session_free(s);

	/* silent for a completed handshake and an incomplete capture */
	s = GOOD12("api.example.test", &P.server, &P.inter);
	run(s, &o);
	EXPECT_NO_FINDING(s, "handshake-aborted");
	session_free(s);
	s = hello12("api.example.test");
	SEND_CHAIN(s, SIDE_SERVER, 6, &P.server, &P.inter);
	server_done(s, 7);
	run(s, &o);
	CU_ASSERT_EQUAL(s->outcome, OUTCOME_INCOMPLETE);
	EXPECT_NO_FINDING(s, "handshake-aborted");
	session_free(s);
}

/* The catalogue names every id the rules use, once, and says when each rule runs. */
static void test_catalogue(void)
{
	size_t n = 0;
	const struct rule_info *r = diagnose_catalogue(&n);
	static const char *const ids[] = {
		"capture-incomplete", "starttls-refused", "no-tls-after-starttls", "not-tls", "no-server-hello", "version-or-cipher-mismatch", "client-cert-empty",
		"client-cert-missing", "client-cert-issuer-not-requested", "client-cert-unsuitable",
		"server-chain-incomplete", "chain-order", "chain-root-sent", "chain-extra-cert", "cert-expired",
		"cert-not-yet-valid", "cert-expires-soon", "capture-clock-suspect", "cert-self-signed", "cert-no-san", "hostname-mismatch",
		"chain-untrusted", "weak-signature", "weak-key", "deprecated-version", "no-sni",
		"tls13-certificates-encrypted", "tls13-encrypted-failure", "client-cert-empty-inferred",
		"rejected-after-handshake", "renegotiation", "alert", "handshake-aborted", "keylog-no-match",
		"keylog-mismatch",
	};
	CU_ASSERT_EQUAL(n, sizeof ids / sizeof ids[0]);
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		unsigned seen = 0;
		for (size_t k = 0; k < n; k++)
			if (!strcmp(r[k].id, ids[i]))
				seen++;
		if (seen != 1)
			UNIT_FAIL("catalogue holds %s %u times", ids[i], seen);
	}
	/* the steps run 1, 2 ... with no gap; the rows of a step share one rule
	 * and whether it runs per side, and a rule runs at one step only */
	int last = 0;
	for (size_t k = 0; k < n; k++)
		last = r[k].step > last ? r[k].step : last;
	for (int step = 1; step <= last; step++) {
		const struct rule_info *first = NULL;
		for (size_t k = 0; k < n; k++) {
			if (r[k].step != step)
				continue;
			if (!first)
				first = &r[k];
			else if (r[k].run != first->run || (r[k].side == RULE_EACH) != (first->side == RULE_EACH))
				UNIT_FAIL("step %d: %s and %s differ in rule or side", step, first->id, r[k].id);
		}
		if (!first)
			UNIT_FAIL("no rule at step %d", step);
	}
	for (size_t k = 0; k < n; k++) {
		CU_ASSERT_PTR_NOT_NULL(r[k].run);
		for (size_t m = 0; m < n; m++)
			if (r[m].run == r[k].run && r[m].step != r[k].step)
				UNIT_FAIL("%s and %s share a rule at two steps", r[k].id, r[m].id);
	}
}

/* Running the rules again on the same session starts afresh. */
static void test_rerun_starts_afresh(void)
{
	struct diag_opts o = opts_user();
	struct session *s = gateway();
	run(s, &o);
	uint32_t n = s->findings.n;
	run(s, &o);
	CU_ASSERT_EQUAL(s->findings.n, n);
	CU_ASSERT_EQUAL(count_findings(s, "client-cert-empty", ANY_SIDE), 1);
	session_free(s);
}

void register_diagnose_tests(void)
{
	CU_pSuite suite = CU_add_suite("diagnose", suite_init, suite_cleanup);
	if (!suite)
		return;
	CU_add_test(suite, "gateway playbook: CertificateRequest 7, empty Certificate 9, bad_certificate 12",
		    test_gateway_playbook);
	CU_add_test(suite, "capture-incomplete: loss, snaplen, one direction; not after completion",
		    test_capture_incomplete);
	CU_add_test(suite, "not-tls: plain HTTP to TLS, HTTP answer to a ClientHello; not STARTTLS", test_not_tls);
	CU_add_test(suite, "starttls-refused, no-tls-after-starttls: words, sides, severities; silent when lost",
		    test_starttls_rules);
	CU_add_test(suite, "no-server-hello: reset, close, client gives up, no answer; silent when not observable",
		    test_no_server_hello);
	CU_add_test(suite, "version-or-cipher-mismatch: handshake_failure, protocol_version, client refuses",
		    test_version_or_cipher_mismatch);
	CU_add_test(suite, "client-cert-empty: error, warning (nginx), info (optional), --client-cert causes",
		    test_client_cert_empty);
	CU_add_test(suite, "client-cert-missing: no Certificate, SSL 3.0 no_certificate; silent when not observable",
		    test_client_cert_missing);
	CU_add_test(suite, "client-cert-issuer-not-requested: unlisted CA; canonical name match",
		    test_client_cert_issuer_not_requested);
	CU_add_test(suite, "client-cert-unsuitable: EKU, keyUsage, key type vs requested types",
		    test_client_cert_unsuitable);
	CU_add_test(suite, "server-chain-incomplete: lone leaf with and without the user's store",
		    test_server_chain_incomplete);
	CU_add_test(suite, "chain-order", test_chain_order);
	CU_add_test(suite, "chain-root-sent", test_chain_root_sent);
	CU_add_test(suite, "chain-extra-cert", test_chain_extra_cert);
	CU_add_test(suite, "cert-expired, cert-not-yet-valid, cert-expires-soon: capture time, --at, threshold",
		    test_validity);
	CU_add_test(suite, "cert-not-yet-valid: the capture's clock learned from completed handshakes, --at exactly",
		    test_validity_capture_clock);
	CU_add_test(suite, "cert-self-signed: warning, error, trusted on purpose", test_self_signed);
	CU_add_test(suite, "cert-no-san", test_no_san);
	CU_add_test(suite, "hostname-mismatch: SAN, wildcard one label, IP, CN, --hostname", test_hostname_mismatch);
	CU_add_test(suite, "chain-untrusted: user store error, system store warning, client side",
		    test_chain_untrusted);
	CU_add_test(suite, "weak-signature", test_weak_signature);
	CU_add_test(suite, "weak-key", test_weak_key);
	CU_add_test(suite, "deprecated-version", test_deprecated_version);
	CU_add_test(suite, "no-sni: info and warning", test_no_sni);
	CU_add_test(suite, "tls13-certificates-encrypted", test_tls13_certificates_encrypted);
	CU_add_test(suite, "renegotiation: refused and ended (error), refused and survived (warning), completed (info)", test_renegotiation);
	CU_add_test(suite, "alert: each kind explained; ordinary close_notify says nothing", test_alert);
	CU_add_test(suite, "alert: close_notify before completion is not a mere fact",
		    test_alert_close_notify_before_completion);
	CU_add_test(suite, "alert: no explanation from lost bytes", test_alert_not_observable);
	CU_add_test(suite, "abort attribution: a close after the other side's fatal alert is no abort",
		    test_abort_attribution);
	CU_add_test(suite, "resumed session: no certificate finding", test_resumed_session);
	CU_add_test(suite, "chain rules silent when the chain was not observed", test_chain_rules_silent_when_unobserved);
	CU_add_test(suite, "no-server-hello: silent in a one-way capture", test_no_server_hello_one_way_capture);
	CU_add_test(suite, "evidence: a side's close is cited at its own FIN", test_close_evidence_frames);
	CU_add_test(suite, "cert-expired/--at: wording", test_at_wording);
	CU_add_test(suite, "client-cert-empty: the server's reaction lost is not 'optional'",
		    test_client_cert_empty_server_unobserved);
	CU_add_test(suite, "handshake-aborted: HRR, silent client, timeout, silent server, unrecognized_name",
		    test_handshake_aborted);
	CU_add_test(suite, "catalogue lists every id once", test_catalogue);
	CU_add_test(suite, "diagnose_session twice gives the same findings", test_rerun_starts_afresh);
}
