/* fuzz_x509.c - libFuzzer harness: certificates and DNs from arbitrary DER -> facts, checks, rules, reports. */
/*
 * Input (see fuzz/README.md):
 *   flags:1  more:1  alert:1 (the server's alert)  time:4 (capture seconds, big endian)
 *   then blobs, each a 16-bit big-endian length and that many bytes:
 *     flags & 7 server certificates, (flags >> 3) & 7 client certificates,
 *     the CertificateRequest's certificate_authorities (DNs, each with a
 *     16-bit length, as on the wire), then a host name (SNI).
 * flags: 64 TLS 1.3   128 --client-cert is the client chain
 * more:  1 CertificateRequest  2 SNI sent  4 --hostname  8 --redact=names
 *        16 the server aborts (fatal alert)  32 the client aborts
 *        64 the handshake completed  128 --at (the capture time)
 * The session is built from handshake messages the harness writes around
 * the blobs (tls_parse_handshake), so it holds them as the parser keeps them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certcheck.h"
#include "diagnose.h"
#include "json.h"
#include "mem.h"
#include "redact.h"
#include "reporter.h"
#include "session.h"
#include "tls_handshake.h"
#include "x509.h"

#include "fuzz_common.h"

#define CHAIN_MAX 7

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- writing handshake message bodies ---- */

struct wb {
	uint8_t *p;
	size_t n, cap;
};

static void put(struct wb *b, const void *d, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	if (n)
		memcpy(b->p + b->n, d, n);
	b->n += n;
}

static void put_be(struct wb *b, uint32_t v, int bytes)
{
	while (bytes--) {
		uint8_t c = (uint8_t)(v >> 8 * bytes);
		put(b, &c, 1);
	}
}

/* A vector: its length field is filled in by vec_end. */
static size_t vec_begin(struct wb *b, int bytes)
{
	put_be(b, 0, bytes);
	return b->n;
}

static void vec_end(struct wb *b, size_t start, int bytes)
{
	size_t len = b->n - start;
	for (int i = 0; i < bytes; i++)
		b->p[start - 1 - i] = (uint8_t)(len >> 8 * i);
}

static void send_msg(struct session *s, int side, uint8_t type, struct wb *b, uint64_t frame, const struct ts *t)
{
	tls_parse_handshake(s, side, type, b->p, (uint32_t)b->n, frame, t);
	b->n = 0;
}

static void certificate(struct wb *b, bool tls13, struct x509_cert **certs, int n)
{
	if (tls13)
		put_be(b, 0, 1);   /* certificate_request_context */
	size_t list = vec_begin(b, 3);
	for (int i = 0; i < n; i++) {
		size_t der = vec_begin(b, 3);
		put(b, certs[i]->der, certs[i]->der_len);
		vec_end(b, der, 3);
		if (tls13)
			put_be(b, 0, 2);   /* no extensions */
	}
	vec_end(b, list, 3);
}

/* ---- the harness ---- */

static const uint8_t *blob(struct fin *in, size_t *len)
{
	return fin_take(in, fin_be(in, 2), len);
}

/* The checks one certificate gets on its own. */
static void one_cert(struct x509_cert *c, const char *host)
{
	char t[32];
	x509_format_time(c->not_before, t, sizeof t);
	x509_format_time(c->not_after, t, sizeof t);
	cert_covers_host(c, host);
	cert_weak_signature(c);
	cert_weak_key(c);
	cert_sig_digest_name(c);
	if (c->x) {
		mem_free(x509_name_string(X509_get_subject_name(c->x)));
		x509_name_equal(X509_get_subject_name(c->x), X509_get_issuer_name(c->x));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	size_t mem0 = mem_in_use();
	uint8_t flags = fin_u8(&in), more = fin_u8(&in), alert = fin_u8(&in);
	struct ts t = { (int64_t)fin_be(&in, 4), 0 };
	bool tls13 = flags & 64;
	if (more & 8)
		redact_enable(false, true);

	/* the blobs: certificates, CA names, host name */
	struct x509_cert *certs[2][CHAIN_MAX];
	int n[2];
	n[SIDE_SERVER] = flags & 7;
	n[SIDE_CLIENT] = (flags >> 3) & 7;
	for (int side = SIDE_SERVER; side >= SIDE_CLIENT; side--) {
		for (int i = 0; i < n[side]; i++) {
			size_t len;
			const uint8_t *p = blob(&in, &len);
			certs[side][i] = x509_get(p, len);
			X509_NAME_free(x509_dn_parse(p, len));   /* a Name where a certificate was expected */
		}
	}
	size_t dn_len, host_len;
	const uint8_t *dn = blob(&in, &dn_len);
	const uint8_t *host_p = blob(&in, &host_len);
	if (host_len > 1024)
		host_len = 1024;
	char *host = mem_strndup((const char *)host_p, host_len);
	host_is_ip(host);

	/* certificates on their own, then as chains */
	for (int side = 0; side < 2; side++) {
		for (int i = 0; i < n[side]; i++)
			one_cert(certs[side][i], host);
		struct chain_shape shape;
		chain_shape_of(certs[side], n[side], &shape);
	}

	/* a handshake carrying them */
	struct session *s = session_new();
	struct wb b = { 0 };
	s->file = "fuzz";
	s->af = 4;
	s->client_ip[0] = 10, s->client_ip[3] = 1;
	s->server_ip[0] = 10, s->server_ip[3] = 2;
	s->client_port = 40000;
	s->server_port = 443;
	s->ts_prec = 6;
	s->is_tls = true;
	s->record_version = 0x0301;
	s->start_time = s->end_time = t;
	s->first_frame = 1;
	s->last_frame = s->close_frame = 12;
	s->close_kind = CLOSE_FIN;
	s->closed_by = more & 32 ? SIDE_CLIENT : SIDE_SERVER;

	put_be(&b, 0x0303, 2);
	put(&b, (uint8_t[32]){ 0 }, 32);
	put_be(&b, 0, 1);                                  /* session_id */
	put_be(&b, 4, 2), put_be(&b, 0xc02f, 2), put_be(&b, 0x1301, 2);
	put_be(&b, 1, 1), put_be(&b, 0, 1);                /* compression: null */
	size_t exts = vec_begin(&b, 2);
	if (more & 2) {
		put_be(&b, 0, 2);                              /* server_name */
		size_t ext = vec_begin(&b, 2), list = vec_begin(&b, 2);
		put_be(&b, 0, 1);
		put_be(&b, (uint32_t)host_len, 2);
		put(&b, host_p, host_len);
		vec_end(&b, list, 2), vec_end(&b, ext, 2);
	}
	if (tls13)                                         /* supported_versions: 1.3, 1.2 */
		put_be(&b, 43, 2), put_be(&b, 5, 2), put_be(&b, 4, 1), put_be(&b, 0x0304, 2), put_be(&b, 0x0303, 2);
	vec_end(&b, exts, 2);
	send_msg(s, SIDE_CLIENT, 1, &b, 4, &t);

	put_be(&b, 0x0303, 2);
	put(&b, (uint8_t[32]){ 1 }, 32);
	put_be(&b, 0, 1);
	put_be(&b, tls13 ? 0x1301 : 0xc02f, 2);
	put_be(&b, 0, 1);
	if (tls13)
		put_be(&b, 6, 2), put_be(&b, 43, 2), put_be(&b, 2, 2), put_be(&b, 0x0304, 2);
	send_msg(s, SIDE_SERVER, 2, &b, 6, &t);

	if (n[SIDE_SERVER]) {
		certificate(&b, tls13, certs[SIDE_SERVER], n[SIDE_SERVER]);
		send_msg(s, SIDE_SERVER, 11, &b, 6, &t);
	}
	if (more & 1) {
		if (dn_len > 65000)
			dn_len = 65000;
		if (tls13) {
			put_be(&b, 0, 1);                          /* certificate_request_context */
			size_t e = vec_begin(&b, 2);
			put_be(&b, 13, 2), put_be(&b, 4, 2), put_be(&b, 2, 2), put_be(&b, 0x0804, 2);
			put_be(&b, 47, 2), put_be(&b, (uint32_t)dn_len + 2, 2), put_be(&b, (uint32_t)dn_len, 2);
			put(&b, dn, dn_len);
			vec_end(&b, e, 2);
		} else {
			put_be(&b, 2, 1), put_be(&b, 1, 1), put_be(&b, 64, 1);   /* rsa_sign, ecdsa_sign */
			put_be(&b, 2, 2), put_be(&b, 0x0401, 2);
			put_be(&b, (uint32_t)dn_len, 2);
			put(&b, dn, dn_len);
		}
		send_msg(s, SIDE_SERVER, 13, &b, 6, &t);
	}
	if (!tls13)
		send_msg(s, SIDE_SERVER, 14, &b, 6, &t);      /* ServerHelloDone */
	if (more & 1) {
		certificate(&b, tls13, certs[SIDE_CLIENT], n[SIDE_CLIENT]);
		send_msg(s, SIDE_CLIENT, 11, &b, 8, &t);
	}
	if (!tls13) {
		put_be(&b, 0, 1);
		send_msg(s, SIDE_CLIENT, 16, &b, 8, &t);      /* ClientKeyExchange */
	}
	free(b.p);
	for (uint32_t i = 0; i < s->cr.dn_count; i++) {
		mem_free(x509_dn_string(s->cr.dn_bytes + s->cr.dn_off[i], s->cr.dn_len[i]));
		X509_NAME_free(x509_dn_parse(s->cr.dn_bytes + s->cr.dn_off[i], s->cr.dn_len[i]));
	}

	/* how it ended */
	s->dir[SIDE_CLIENT].syn = s->dir[SIDE_SERVER].syn = true;
	s->dir[SIDE_CLIENT].fin = s->dir[SIDE_SERVER].fin = true;
	s->dir[SIDE_CLIENT].spoke_tls = s->dir[SIDE_SERVER].spoke_tls = true;
	if (more & 64) {   /* both Finished */
		for (int side = 0; side < 2; side++) {
			struct direction *d = &s->dir[side];
			d->ccs = true;
			d->ccs_frame = d->enc_handshake_frame = 9 + (uint64_t)side;
			d->enc_handshake_records = 1;
			d->enc_handshake_seq = 6 + (uint32_t)side;
			d->appdata_records = 1;
			d->appdata_first_frame = d->appdata_last_frame = 11;
			d->rlog_n = 1;
			d->rlog[0].frame = 9 + (uint64_t)side;
			d->rlog[0].len = 53;
			d->rlog[0].seq = 6 + (uint32_t)side;
		}
		s->record_seq = 8;
	}
	if (more & 16)
		session_add_alert(s, 10, SIDE_SERVER, false, 2, alert);
	if (more & 32)
		session_add_alert(s, 10, SIDE_CLIENT, tls13, 2, 48);

	session_finish(s);
	struct diag_opts o = {
		.expiry_warn_days = 30, .hostname = more & 4 ? host : NULL, .at_given = more & 128, .at = t.sec,
		.keystore = certs[SIDE_CLIENT], .keystore_n = (uint32_t)n[SIDE_CLIENT], .keystore_given = flags & 128,
	};
	diagnose_session(s, &o, &s->findings);
	fuzz_render(s, true);
	session_free(s);

	for (int side = 0; side < 2; side++)
		for (int i = 0; i < n[side]; i++)
			x509_unref(certs[side][i]);
	mem_free(host);
	x509_cache_clear();
	redact_free();
	redact_enable(false, false);
	check_counter("accounted memory (mem_in_use)", mem0, mem_in_use());
	return 0;
}
