/* tls_handshake.c - handshake messages (RFC 5246 §7.4, RFC 8446 §4) across records -> session facts. */
#include "tls_handshake.h"

#include <stdio.h>
#include <string.h>

#include "limits.h"
#include "mem.h"
#include "rd.h"
#include "tls_names.h"
#include "tls_record.h"
#include "x509.h"

/* handshake types (IANA TLS HandshakeType) */
enum {
	HS_HELLO_REQUEST = 0, HS_CLIENT_HELLO = 1, HS_SERVER_HELLO = 2, HS_NEW_SESSION_TICKET = 4,
	HS_HELLO_RETRY_REQUEST = 6, HS_CERTIFICATE = 11, HS_SERVER_KEY_EXCHANGE = 12,
	HS_CERTIFICATE_REQUEST = 13, HS_SERVER_HELLO_DONE = 14, HS_CERTIFICATE_VERIFY = 15,
	HS_CLIENT_KEY_EXCHANGE = 16, HS_FINISHED = 20, HS_CERTIFICATE_STATUS = 22
};

/* extension types used here (IANA TLS ExtensionType Values) */
enum {
	EXT_SERVER_NAME = 0, EXT_STATUS_REQUEST = 5, EXT_SUPPORTED_GROUPS = 10, EXT_EC_POINT_FORMATS = 11,
	EXT_SIGNATURE_ALGORITHMS = 13, EXT_ALPN = 16, EXT_EXTENDED_MASTER_SECRET = 23,
	EXT_SESSION_TICKET = 35, EXT_PRE_SHARED_KEY = 41, EXT_EARLY_DATA = 42,
	EXT_SUPPORTED_VERSIONS = 43, EXT_COOKIE = 44, EXT_PSK_KEY_EXCHANGE_MODES = 45,
	EXT_CERTIFICATE_AUTHORITIES = 47, EXT_POST_HANDSHAKE_AUTH = 49,
	EXT_SIGNATURE_ALGORITHMS_CERT = 50, EXT_KEY_SHARE = 51, EXT_RENEGOTIATION_INFO = 65281
};

/* RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest */
static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c
};

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
};

static uint64_t hs_total;

uint64_t tls_handshake_bytes_total(void) { return hs_total; }

/* ---- helpers ---- */

static bool is_tls13_version(uint16_t v)
{
	return v == 0x0304 || (v & 0xff00) == 0x7f00 || v == 0xfb17 || v == 0xfb1a;
}

/* The version that decides message formats: the ServerHello's, else the
 * highest the client offered (for messages seen without a ServerHello). */
static uint16_t msg_version(const struct session *s)
{
	if (s->sh.present)
		return s->sh.version;
	if (s->hrr.present)
		return 0x0304;
	return s->record_version ? s->record_version : 0x0303;
}

static void malformed(struct session *s, uint64_t frame, uint8_t type, const char *what)
{
	const char *name = tls_handshake_display_name(type);
	if (name)
		session_event(s, frame, "tls.malformed", "%s: %s", name, what);
	else
		session_event(s, frame, "tls.malformed", "handshake type %u: %s", type, what);
}

static void trailing(struct session *s, uint64_t frame, uint8_t type, const struct rd *r, const char *where)
{
	if (rd_left(r) == 0)
		return;
	const char *name = tls_handshake_display_name(type);
	session_event(s, frame, "tls.trailing_bytes", "%s: %zu unexpected bytes after %s",
		      name ? name : "handshake", rd_left(r), where);
}

/* Fill a u16 list from a vector body; an odd length is malformed. */
static bool read_u16list(struct session *s, struct u16list *l, struct rd v)
{
	if (l->v)   /* duplicate extension: keep the first */
		return true;
	size_t count = rd_left(&v) / 2;
	bool ok = rd_left(&v) % 2 == 0;
	l->total = (uint32_t)count;
	l->n = count < LIM_LIST_ENTRIES ? (uint32_t)count : LIM_LIST_ENTRIES;
	l->cap = l->n ? l->n : 1;
	l->v = arena_alloc(&s->arena, l->cap * sizeof *l->v);
	for (uint32_t i = 0; i < l->n; i++)
		rd_u16(&v, &l->v[i]);
	return ok;
}

static void list_add(struct session *s, struct u16list *l, uint16_t value)
{
	l->total++;
	if (l->n >= LIM_LIST_ENTRIES)
		return;
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 16;
		l->v = arena_grow(&s->arena, l->v, l->cap * sizeof *l->v, cap * sizeof *l->v);
		l->cap = cap;
	}
	l->v[l->n++] = value;
}

/* ---- ClientHello: RFC 5246 §7.4.1.2, RFC 8446 §4.1.2 ---- */

static bool parse_sni(struct session *s, struct client_hello *ch, struct rd v)
{
	struct rd list, name;
	if (!rd_vec16(&v, &list))
		return false;
	while (rd_left(&list)) {
		uint8_t type;
		if (!rd_u8(&list, &type) || !rd_vec16(&list, &name))
			return false;
		if (type == 0 && !ch->has_sni) {
			size_t n = rd_left(&name);
			ch->has_sni = true;
			ch->sni_truncated = n > LIM_NAME_LEN;
			if (n > LIM_NAME_LEN)
				n = LIM_NAME_LEN;
			ch->sni = arena_strndup(&s->arena, (const char *)name.p, n);
			ch->sni_len = (uint16_t)n;
		}
	}
	return rd_left(&v) == 0;
}

static bool parse_alpn_list(struct session *s, struct strlist *l, struct rd v)
{
	struct rd list, name;
	if (!rd_vec16(&v, &list))
		return false;
	while (rd_left(&list)) {
		if (!rd_vec8(&list, &name))
			return false;
		l->total++;
		if (l->n >= LIM_LIST_ENTRIES)
			continue;
		if (l->n == l->cap) {
			uint32_t cap = l->cap ? l->cap * 2 : 4;
			l->v = arena_grow(&s->arena, l->v, l->cap * sizeof *l->v, cap * sizeof *l->v);
			l->len = arena_grow(&s->arena, l->len, l->cap * sizeof *l->len, cap * sizeof *l->len);
			l->cap = cap;
		}
		l->v[l->n] = arena_strndup(&s->arena, (const char *)name.p, rd_left(&name));
		l->len[l->n] = (uint16_t)rd_left(&name);
		l->n++;
	}
	return rd_left(&v) == 0;
}

static bool client_extension(struct session *s, struct client_hello *ch, uint16_t type, struct rd v)
{
	struct rd sub;
	switch (type) {
	case EXT_SERVER_NAME:
		return parse_sni(s, ch, v);
	case EXT_SUPPORTED_GROUPS:
		return rd_vec16(&v, &sub) && read_u16list(s, &ch->groups, sub) && rd_left(&v) == 0;
	case EXT_SIGNATURE_ALGORITHMS:
		return rd_vec16(&v, &sub) && read_u16list(s, &ch->sig_algs, sub) && rd_left(&v) == 0;
	case EXT_SIGNATURE_ALGORITHMS_CERT:
		return rd_vec16(&v, &sub) && read_u16list(s, &ch->sig_algs_cert, sub) && rd_left(&v) == 0;
	case EXT_SUPPORTED_VERSIONS:
		return rd_vec8(&v, &sub) && read_u16list(s, &ch->supported_versions, sub) && rd_left(&v) == 0;
	case EXT_ALPN:
		return parse_alpn_list(s, &ch->alpn, v);
	case EXT_EC_POINT_FORMATS:
		if (!rd_vec8(&v, &sub))
			return false;
		while (rd_left(&sub)) {
			uint8_t f = 0;
			rd_u8(&sub, &f);
			ch->ec_point_formats_total++;
			if (ch->ec_point_formats_n < sizeof ch->ec_point_formats)
				ch->ec_point_formats[ch->ec_point_formats_n++] = f;
		}
		return rd_left(&v) == 0;
	case EXT_PSK_KEY_EXCHANGE_MODES:
		if (!rd_vec8(&v, &sub))
			return false;
		while (rd_left(&sub)) {
			uint8_t m = 0;
			rd_u8(&sub, &m);
			if (ch->psk_modes_n < sizeof ch->psk_modes)
				ch->psk_modes[ch->psk_modes_n++] = m;
		}
		return rd_left(&v) == 0;
	case EXT_KEY_SHARE: {
		if (!rd_vec16(&v, &sub))
			return false;
		while (rd_left(&sub)) {
			uint16_t group;
			struct rd key;
			if (!rd_u16(&sub, &group) || !rd_vec16(&sub, &key))
				return false;
			list_add(s, &ch->key_share_groups, group);
		}
		return rd_left(&v) == 0;
	}
	case EXT_STATUS_REQUEST:
		ch->status_request = true;
		return true;
	case EXT_SESSION_TICKET:
		ch->has_session_ticket = true;
		ch->session_ticket_len = (uint32_t)rd_left(&v);
		return true;
	case EXT_EXTENDED_MASTER_SECRET:
		ch->extended_master_secret = true;
		return true;
	case EXT_RENEGOTIATION_INFO:
		ch->renegotiation_info = true;
		return true;
	case EXT_POST_HANDSHAKE_AUTH:
		ch->post_handshake_auth = true;
		return true;
	case EXT_PRE_SHARED_KEY:
		ch->pre_shared_key = true;
		return true;
	case EXT_EARLY_DATA:
		ch->early_data = true;
		return true;
	default:
		return true;
	}
}

static void parse_client_hello(struct session *s, struct client_hello *ch, struct rd r, uint64_t frame, uint32_t len)
{
	const uint8_t T = HS_CLIENT_HELLO;
	struct rd sid, suites, comp, exts;
	ch->present = true;
	ch->frame = frame;
	ch->length = len;
	bool got_version = rd_u16(&r, &ch->legacy_version);
	ch->max_version = ch->legacy_version;   /* raised by supported_versions below */
	if (!got_version || !rd_copy(&r, ch->random, 32)) {
		ch->malformed = true;
		malformed(s, frame, T, "truncated before session_id");
		return;
	}
	if (!rd_vec8(&r, &sid) || rd_left(&sid) > 32) {
		ch->malformed = true;
		malformed(s, frame, T, "bad session_id");
		return;
	}
	ch->session_id_len = (uint8_t)rd_left(&sid);
	rd_copy(&sid, ch->session_id, ch->session_id_len);
	if (!rd_vec16(&r, &suites)) {
		ch->malformed = true;
		malformed(s, frame, T, "truncated cipher_suites");
		return;
	}
	if (!read_u16list(s, &ch->cipher_suites, suites)) {
		ch->malformed = true;
		malformed(s, frame, T, "odd cipher_suites length");
	}
	for (uint32_t i = 0; i < ch->cipher_suites.n; i++) {
		uint16_t cs = ch->cipher_suites.v[i];
		if (tls_is_grease(cs))
			ch->grease = true;
		if (cs == 0x00ff)
			ch->scsv_renegotiation = true;
		if (cs == 0x5600)
			ch->scsv_fallback = true;
	}
	if (!rd_vec8(&r, &comp)) {
		ch->malformed = true;
		malformed(s, frame, T, "truncated compression_methods");
		return;
	}
	while (rd_left(&comp)) {
		uint8_t m = 0;
		rd_u8(&comp, &m);
		if (ch->compression_n < sizeof ch->compression)
			ch->compression[ch->compression_n++] = m;
	}
	if (rd_left(&r) == 0)
		return;   /* no extensions (SSL 3.0 style) */
	if (!rd_vec16(&r, &exts)) {
		ch->malformed = true;
		malformed(s, frame, T, "truncated extensions");
		return;
	}
	while (rd_left(&exts)) {
		uint16_t type;
		struct rd body;
		if (!rd_u16(&exts, &type) || !rd_vec16(&exts, &body)) {
			ch->malformed = true;
			malformed(s, frame, T, "truncated extension");
			break;
		}
		list_add(s, &ch->extensions, type);
		if (tls_is_grease(type))
			ch->grease = true;
		if (!client_extension(s, ch, type, body)) {
			ch->malformed = true;   /* what it held (a server_name?) is not known */
			const char *n = tls_extension_name(type);
			session_event(s, frame, "tls.malformed", "Client Hello: extension %s (%u) malformed",
				      n ? n : "unknown", type);
		}
	}
	trailing(s, frame, T, &r, "extensions");
	if (ch->sni_truncated)
		session_event(s, frame, "tls.name_too_long", "server_name longer than %u bytes: truncated",
			      LIM_NAME_LEN);
	for (uint32_t i = 0; i < ch->supported_versions.n; i++) {
		uint16_t v = ch->supported_versions.v[i];
		if (tls_is_grease(v))
			continue;
		if (v == 0x0304 || (v & 0xff00) == 0x7f00 || (v & 0xff00) == 0xfb00) {
			ch->max_version = v;   /* any TLS 1.3 flavour beats 1.2 */
			break;
		}
		if (v > ch->max_version && v <= 0x0304)
			ch->max_version = v;
	}
}

/* SSLv2-compatible ClientHello (RFC 5246 Appendix E.2; SSL 2.0 spec). */
static void parse_sslv2_hello(struct session *s, const uint8_t *body, uint32_t len, uint64_t frame)
{
	struct client_hello *ch = &s->ch;
	struct rd r = rd_make(body, len);
	uint8_t msg_type;
	uint16_t specs_len, sid_len, chal_len;
	struct rd specs, sid, chal;
	ch->present = true;
	ch->sslv2 = true;
	ch->frame = frame;
	ch->length = len;
	if (!rd_u8(&r, &msg_type) || !rd_u16(&r, &ch->legacy_version) || !rd_u16(&r, &specs_len) ||
	    !rd_u16(&r, &sid_len) || !rd_u16(&r, &chal_len) || !rd_sub(&r, specs_len, &specs) ||
	    !rd_sub(&r, sid_len, &sid) || !rd_sub(&r, chal_len, &chal) || specs_len % 3 != 0 ||
	    sid_len > 32 || chal_len > 32) {
		session_event(s, frame, "tls.malformed", "SSLv2 Client Hello: bad lengths");
		return;
	}
	ch->max_version = ch->legacy_version;
	while (rd_left(&specs)) {
		uint8_t k = 0;
		uint16_t v = 0;
		rd_u8(&specs, &k);
		rd_u16(&specs, &v);
		if (k == 0)   /* a TLS cipher suite in SSLv2 clothing */
			list_add(s, &ch->cipher_suites, v);
	}
	ch->session_id_len = (uint8_t)sid_len;
	rd_copy(&sid, ch->session_id, sid_len);
	/* the challenge fills the random from the right (RFC 5246 E.2) */
	rd_copy(&chal, ch->random + 32 - chal_len, chal_len);
	trailing(s, frame, HS_CLIENT_HELLO, &r, "challenge");
}

/* ---- ServerHello / HelloRetryRequest: RFC 5246 §7.4.1.3, RFC 8446 §4.1.3-4 ---- */

static void server_extensions(struct session *s, struct server_hello *sh, struct hello_retry_request *hrr,
			      struct rd exts, uint64_t frame)
{
	while (rd_left(&exts)) {
		uint16_t type;
		struct rd v, sub;
		if (!rd_u16(&exts, &type) || !rd_vec16(&exts, &v)) {
			malformed(s, frame, HS_SERVER_HELLO, "truncated extension");
			if (hrr)
				hrr->malformed = true;
			else
				sh->malformed = true;
			return;
		}
		bool ok = true;
		if (hrr) {
			list_add(s, &hrr->extensions, type);
			if (type == EXT_KEY_SHARE) {
				ok = rd_u16(&v, &hrr->selected_group) && rd_left(&v) == 0;
				hrr->has_group = ok;
			} else if (type == EXT_COOKIE) {
				hrr->has_cookie = true;
			} else if (type == EXT_SUPPORTED_VERSIONS) {
				uint16_t ver;
				ok = rd_u16(&v, &ver) && rd_left(&v) == 0;
			}
			if (!ok) {
				const char *n = tls_extension_name(type);
				session_event(s, frame, "tls.malformed", "Hello Retry Request: extension %s (%u) malformed",
					      n ? n : "unknown", type);
			}
			continue;
		}
		list_add(s, &sh->extensions, type);
		switch (type) {
		case EXT_SUPPORTED_VERSIONS:
			ok = rd_u16(&v, &sh->version) && rd_left(&v) == 0;
			break;
		case EXT_KEY_SHARE: {
			struct rd key;
			ok = rd_u16(&v, &sh->key_share_group) && rd_vec16(&v, &key) && rd_left(&v) == 0;
			sh->has_key_share = ok;
			break;
		}
		case EXT_ALPN: {
			struct rd name;
			ok = rd_vec16(&v, &sub) && rd_vec8(&sub, &name) && rd_left(&sub) == 0 && rd_left(&v) == 0;
			if (ok) {
				size_t n = rd_left(&name) < sizeof sh->alpn ? rd_left(&name) : sizeof sh->alpn;
				memcpy(sh->alpn, name.p, n);
				sh->alpn_len = (uint8_t)n;
				sh->has_alpn = true;
			}
			break;
		}
		case EXT_PRE_SHARED_KEY:
			sh->pre_shared_key = true;
			break;
		case EXT_EXTENDED_MASTER_SECRET:
			sh->extended_master_secret = true;
			break;
		case EXT_RENEGOTIATION_INFO:
			sh->renegotiation_info = true;
			break;
		case EXT_SESSION_TICKET:
			sh->session_ticket = true;
			break;
		case EXT_STATUS_REQUEST:
			sh->status_request = true;
			break;
		default:
			break;
		}
		if (!ok) {
			const char *n = tls_extension_name(type);
			session_event(s, frame, "tls.malformed", "Server Hello: extension %s (%u) malformed",
				      n ? n : "unknown", type);
		}
	}
}

/* Returns true when the message was a HelloRetryRequest. */
static bool parse_server_hello(struct session *s, struct rd r, uint64_t frame, uint32_t len)
{
	const uint8_t T = HS_SERVER_HELLO;
	uint16_t legacy;
	uint8_t random[32];
	struct rd sid, exts;
	if (!rd_u16(&r, &legacy) || !rd_copy(&r, random, 32)) {
		malformed(s, frame, T, "truncated before session_id");
		return false;
	}
	bool is_hrr = memcmp(random, hrr_random, 32) == 0;
	if (is_hrr && !s->hrr.present) {
		struct hello_retry_request *h = &s->hrr;
		h->present = true;
		h->frame = frame;
		if (!rd_vec8(&r, &sid) || rd_left(&sid) > 32 || !rd_u16(&r, &h->cipher_suite) || !rd_skip(&r, 1)) {
			malformed(s, frame, T, "truncated HelloRetryRequest");
			return true;
		}
		h->server_hello = true;
		h->legacy_version = legacy;
		if (rd_left(&r)) {
			if (!rd_vec16(&r, &exts)) {
				malformed(s, frame, T, "HelloRetryRequest extensions longer than the message");
				h->malformed = true;
			} else {
				server_extensions(s, NULL, h, exts, frame);
			}
		}
		trailing(s, frame, T, &r, "extensions");
		s->tls13 = true;
		return true;
	}
	if (s->sh.present)
		return is_hrr;   /* a second one: renegotiation, timeline only */
	struct server_hello *sh = &s->sh;
	sh->present = true;
	sh->frame = frame;
	sh->length = len;
	sh->legacy_version = legacy;
	sh->version = legacy;
	memcpy(sh->random, random, 32);
	if ((legacy & 0xff00) == 0x7f00 || legacy == 0x0304) {
		/* TLS 1.3 drafts before -22 (some early ones wrote 0x0304 here):
		 * no session_id, no compression */
		if (!rd_u16(&r, &sh->cipher_suite)) {
			sh->present = false;   /* nothing negotiated is known */
			malformed(s, frame, T, "truncated cipher_suite");
			return false;
		}
	} else {
		if (!rd_vec8(&r, &sid) || rd_left(&sid) > 32 || !rd_u16(&r, &sh->cipher_suite) ||
		    !rd_u8(&r, &sh->compression)) {
			sh->present = false;   /* nothing negotiated is known */
			malformed(s, frame, T, "truncated before extensions");
			return false;
		}
		sh->session_id_len = (uint8_t)rd_left(&sid);
		rd_copy(&sid, sh->session_id, sh->session_id_len);
	}
	if (rd_left(&r)) {
		if (!rd_vec16(&r, &exts)) {
			malformed(s, frame, T, "truncated extensions");
			sh->malformed = true;
		} else {
			server_extensions(s, sh, NULL, exts, frame);
		}
	}
	trailing(s, frame, T, &r, "extensions");
	s->tls13 = is_tls13_version(sh->version);
	if (s->tls13)
		s->resumed = sh->pre_shared_key;
	else if (sh->session_id_len && sh->session_id_len == s->ch.session_id_len &&
		 memcmp(sh->session_id, s->ch.session_id, sh->session_id_len) == 0)
		s->resumed = true;   /* confirmed or refuted by what follows */
	return false;
}

/* ---- Certificate: RFC 5246 §7.4.2, RFC 8446 §4.4.2 ---- */

static void parse_certificate(struct session *s, int side, struct rd r, uint64_t frame, const struct ts *t,
			      uint32_t len)
{
	const uint8_t T = HS_CERTIFICATE;
	struct chain *c = side == SIDE_SERVER ? &s->server_chain : &s->client_chain;
	if (c->state == CHAIN_SEEN || c->n)
		return;   /* renegotiation: the first chain is the one reported */
	bool tls13 = is_tls13_version(msg_version(s));
	struct rd ctx, list;
	c->frame = frame;
	c->time = *t;
	c->msg_length = len;
	if (tls13 && !rd_vec8(&r, &ctx)) {
		malformed(s, frame, T, "truncated certificate_request_context");
		c->state = CHAIN_UNOBSERVABLE;
		return;
	}
	if (!rd_vec24(&r, &list)) {
		malformed(s, frame, T, "certificate_list longer than the message");
		c->state = CHAIN_UNOBSERVABLE;
		return;
	}
	c->state = CHAIN_SEEN;
	c->list_length = (uint32_t)rd_left(&list);
	/* count first, so the entries are allocated once, and so that a long
	 * list is reported before per-entry events can fill LIM_EVENTS */
	uint32_t wire = 0;
	for (struct rd walk = list, der, exts; rd_left(&walk); wire++)
		if (!rd_vec24(&walk, &der) || (tls13 && !rd_vec16(&walk, &exts)))
			break;
	uint32_t entries = wire < LIM_CERTS_PER_CHAIN ? wire : LIM_CERTS_PER_CHAIN;
	if (wire > LIM_CERTS_PER_CHAIN)
		session_event(s, frame, "tls.too_many_certificates",
			      "%u certificates in one chain; the first %u are analyzed", wire, LIM_CERTS_PER_CHAIN);
	uint32_t empty = 0, first_empty = 0;
	c->certs = arena_alloc(&s->arena, (entries ? entries : 1) * sizeof *c->certs);
	while (rd_left(&list)) {
		struct rd der, exts;
		if (!rd_vec24(&list, &der)) {
			malformed(s, frame, T, "certificate entry longer than the list");
			break;
		}
		if (tls13 && !rd_vec16(&list, &exts)) {
			malformed(s, frame, T, "truncated certificate entry extensions");
			break;
		}
		c->count++;
		if (rd_left(&der) == 0 && empty++ == 0)
			first_empty = c->count - 1;
		if (c->n >= entries)
			continue;
		struct cert_entry *e = &c->certs[c->n++];
		e->der_len = (uint32_t)rd_left(&der);
		e->x509 = x509_get(der.p, rd_left(&der));
		if (!e->x509->x && e->der_len)
			session_event(s, frame, "x509.parse_error", "certificate %u: %s", c->n - 1,
				      e->x509->parse_error);
	}
	if (empty == 1)
		session_event(s, frame, "tls.empty_certificate", "certificate entry %u has length 0", first_empty);
	else if (empty > 1)
		session_event(s, frame, "tls.empty_certificate", "%u certificate entries have length 0 (the first is "
			      "entry %u)", empty, first_empty);
	trailing(s, frame, T, &r, "certificate_list");
}

/* ---- CertificateRequest: RFC 5246 §7.4.4 (and RFC 4346/2246), RFC 8446 §4.3.2 ---- */

static void read_ca_names(struct session *s, struct rd names, uint64_t frame)
{
	struct cert_request *cr = &s->cr;
	if (cr->dn_bytes)
		return;
	size_t total = rd_left(&names);
	/* first pass: count */
	struct rd walk = names, dn;
	uint32_t count = 0;
	while (rd_left(&walk)) {
		if (!rd_vec16(&walk, &dn)) {
			malformed(s, frame, HS_CERTIFICATE_REQUEST, "distinguished name longer than the list");
			break;
		}
		count++;
	}
	cr->dn_bytes = arena_alloc(&s->arena, total ? total : 1);
	memcpy(cr->dn_bytes, names.p, total);
	cr->dn_bytes_len = (uint32_t)total;
	cr->dn_off = arena_alloc(&s->arena, (count ? count : 1) * sizeof *cr->dn_off);
	cr->dn_len = arena_alloc(&s->arena, (count ? count : 1) * sizeof *cr->dn_len);
	walk = rd_make(cr->dn_bytes, total);
	for (uint32_t i = 0; i < count; i++) {
		rd_vec16(&walk, &dn);
		cr->dn_off[i] = (uint32_t)(dn.p - cr->dn_bytes);
		cr->dn_len[i] = (uint16_t)rd_left(&dn);
	}
	cr->dn_count = count;
}

static void parse_certificate_request(struct session *s, struct rd r, uint64_t frame, uint32_t len)
{
	const uint8_t T = HS_CERTIFICATE_REQUEST;
	struct cert_request *cr = &s->cr;
	if (cr->present)
		return;
	cr->present = true;
	cr->frame = frame;
	cr->length = len;
	uint16_t v = msg_version(s);
	struct rd types, algs, names, ctx, exts;
	if (is_tls13_version(v)) {
		if (!rd_vec8(&r, &ctx) || !rd_vec16(&r, &exts)) {
			malformed(s, frame, T, "truncated");
			return;
		}
		while (rd_left(&exts)) {
			uint16_t type;
			struct rd body;
			if (!rd_u16(&exts, &type) || !rd_vec16(&exts, &body))
				break;
			if (type == EXT_SIGNATURE_ALGORITHMS && rd_vec16(&body, &algs)) {
				cr->has_sig_algs = true;
				read_u16list(s, &cr->sig_algs, algs);
			} else if (type == EXT_CERTIFICATE_AUTHORITIES && rd_vec16(&body, &names)) {
				read_ca_names(s, names, frame);
			}
		}
		return;
	}
	if (!rd_vec8(&r, &types)) {
		malformed(s, frame, T, "truncated certificate_types");
		return;
	}
	cr->cert_types_total = (uint32_t)rd_left(&types);
	while (rd_left(&types)) {
		uint8_t t = 0;
		rd_u8(&types, &t);
		if (cr->cert_types_n < sizeof cr->cert_types)
			cr->cert_types[cr->cert_types_n++] = t;
	}
	if (v >= 0x0303) {   /* TLS 1.2 added supported_signature_algorithms */
		if (!rd_vec16(&r, &algs)) {
			malformed(s, frame, T, "truncated supported_signature_algorithms");
			return;
		}
		cr->has_sig_algs = true;
		if (!read_u16list(s, &cr->sig_algs, algs))
			malformed(s, frame, T, "odd supported_signature_algorithms length");
	}
	if (!rd_vec16(&r, &names)) {
		malformed(s, frame, T, "certificate_authorities longer than the message");
		return;
	}
	read_ca_names(s, names, frame);
	trailing(s, frame, T, &r, "certificate_authorities");
}

/* ---- ServerKeyExchange: RFC 5246 §7.4.3, RFC 4492 §5.4, RFC 4279 §2-3 ---- */

static uint32_t bignum_bits(struct rd v)
{
	while (rd_left(&v) && v.p[0] == 0)
		rd_skip(&v, 1);
	if (!rd_left(&v))
		return 0;
	uint32_t bits = (uint32_t)(rd_left(&v) - 1) * 8;
	for (uint8_t top = v.p[0]; top; top >>= 1)
		bits++;
	return bits;
}

static void parse_server_key_exchange(struct session *s, struct rd r, uint64_t frame, uint32_t len)
{
	const uint8_t T = HS_SERVER_KEY_EXCHANGE;
	struct server_key_exchange *k = &s->skx;
	if (k->present)
		return;
	k->present = true;
	k->frame = frame;
	k->length = len;
	k->kind = SKX_OTHER;
	if (!s->sh.present)
		return;   /* the format depends on the suite we did not see */
	enum tls_kx kx = tls_cipher_suite_kx(s->sh.cipher_suite);
	bool hint = kx == TLS_KX_PSK || kx == TLS_KX_RSA_PSK || kx == TLS_KX_DHE_PSK || kx == TLS_KX_ECDHE_PSK;
	bool ec = kx == TLS_KX_ECDHE || kx == TLS_KX_ECDH_ANON || kx == TLS_KX_ECDHE_PSK;
	bool dh = kx == TLS_KX_DHE || kx == TLS_KX_DH_ANON || kx == TLS_KX_DHE_PSK;
	bool rsa = kx == TLS_KX_RSA_EXPORT;
	bool signed_params = kx == TLS_KX_ECDHE || kx == TLS_KX_DHE || kx == TLS_KX_RSA_EXPORT;
	struct rd a, b, c;
	if (!hint && !ec && !dh && !rsa)
		return;
	if (hint) {
		k->kind = SKX_PSK;
		if (!rd_vec16(&r, &a)) {
			malformed(s, frame, T, "truncated psk_identity_hint");
			return;
		}
	}
	if (ec) {
		if (!hint)
			k->kind = SKX_ECDHE;
		if (!rd_u8(&r, &k->curve_type)) {
			malformed(s, frame, T, "truncated ECParameters");
			return;
		}
		if (k->curve_type != 3) {
			session_event(s, frame, "tls.explicit_curve",
				      "Server Key Exchange uses explicit curve parameters (type %u)", k->curve_type);
			return;
		}
		if (!rd_u16(&r, &k->group) || !rd_vec8(&r, &a)) {
			malformed(s, frame, T, "truncated ECDH parameters");
			return;
		}
	}
	if (dh) {
		if (!hint)
			k->kind = SKX_DHE;
		if (!rd_vec16(&r, &a) || !rd_vec16(&r, &b) || !rd_vec16(&r, &c)) {
			malformed(s, frame, T, "truncated DH parameters");
			return;
		}
		k->dh_p_bits = bignum_bits(a);
	}
	if (rsa) {
		k->kind = SKX_RSA_EXPORT;
		if (!rd_vec16(&r, &a) || !rd_vec16(&r, &b)) {
			malformed(s, frame, T, "truncated RSA parameters");
			return;
		}
	}
	if (signed_params) {
		if (s->sh.version >= 0x0303) {
			if (!rd_u16(&r, &k->sig_scheme)) {
				malformed(s, frame, T, "truncated signature algorithm");
				return;
			}
			k->has_sig_scheme = true;
		}
		if (!rd_vec16(&r, &a)) {
			malformed(s, frame, T, "truncated signature");
			return;
		}
	}
	trailing(s, frame, T, &r, "parameters");
}

/* ---- the smaller messages ---- */

static void parse_certificate_verify(struct session *s, struct rd r, uint64_t frame)
{
	struct certificate_verify *cv = &s->cv;
	struct rd sig;
	if (cv->present)
		return;
	cv->present = true;
	cv->frame = frame;
	if (msg_version(s) >= 0x0303) {
		if (!rd_u16(&r, &cv->sig_scheme)) {
			malformed(s, frame, HS_CERTIFICATE_VERIFY, "truncated");
			return;
		}
		cv->has_sig_scheme = true;
	}
	if (!rd_vec16(&r, &sig))
		malformed(s, frame, HS_CERTIFICATE_VERIFY, "truncated signature");
	trailing(s, frame, HS_CERTIFICATE_VERIFY, &r, "signature");
}

static void parse_certificate_status(struct session *s, struct rd r, uint64_t frame)
{
	struct certificate_status *cs = &s->cert_status;
	struct rd resp;
	cs->present = true;
	cs->frame = frame;
	if (!rd_u8(&r, &cs->status_type)) {
		malformed(s, frame, HS_CERTIFICATE_STATUS, "truncated");
		return;
	}
	if (cs->status_type == 1) {
		if (!rd_vec24(&r, &resp)) {
			malformed(s, frame, HS_CERTIFICATE_STATUS, "OCSP response longer than the message");
			return;
		}
		cs->response_len = (uint32_t)rd_left(&resp);
	}
	trailing(s, frame, HS_CERTIFICATE_STATUS, &r, "response");
}

static void parse_new_session_ticket(struct session *s, struct rd r, uint64_t frame)
{
	struct new_session_ticket *t = &s->ticket;
	struct rd ticket;
	t->present = true;
	t->frame = frame;
	if (!rd_u32(&r, &t->lifetime_hint) || !rd_vec16(&r, &ticket)) {
		malformed(s, frame, HS_NEW_SESSION_TICKET, "truncated");
		return;
	}
	t->ticket_len = (uint32_t)rd_left(&ticket);
	trailing(s, frame, HS_NEW_SESSION_TICKET, &r, "ticket");
}

/* A ClientHello after the first (and the HelloRetryRequest's second): kept
 * whole, up to LIM_LATER_HELLOS, for its fingerprint. */
static void later_client_hello(struct session *s, struct rd r, uint64_t frame, uint32_t len)
{
	if (s->later_ch_n >= LIM_LATER_HELLOS)
		return;
	if (!s->later_ch)
		s->later_ch = arena_alloc(&s->arena, LIM_LATER_HELLOS * sizeof *s->later_ch);
	struct client_hello *ch = &s->later_ch[s->later_ch_n++];
	parse_client_hello(s, ch, r, frame, len);
}

void tls_parse_handshake(struct session *s, int side, uint8_t type, const uint8_t *body, uint32_t len,
			 uint64_t frame, const struct ts *t)
{
	struct rd r = rd_make(body, len);
	struct msg *m = session_add_msg(s, frame, t, side, MSG_HANDSHAKE);
	if (m) {
		m->hs_type = type;
		m->length = len;
	}
	switch (type) {
	case HS_CLIENT_HELLO:
		s->handshakes++;
		if (!s->ch.present)
			parse_client_hello(s, &s->ch, r, frame, len);
		else if (s->hrr.present && !s->ch2.present)
			parse_client_hello(s, &s->ch2, r, frame, len);
		else {
			if (!s->renegotiation) {
				s->renegotiation = true;
				s->renegotiation_frame = frame;
			}
			later_client_hello(s, r, frame, len);
		}
		break;
	case HS_SERVER_HELLO:
		if (parse_server_hello(s, r, frame, len) && m)
			m->hrr = true;
		break;
	case HS_HELLO_RETRY_REQUEST:   /* TLS 1.3 drafts before -22 */
		if (!s->hrr.present) {
			s->hrr.present = true;
			s->hrr.frame = frame;
		}
		break;
	case HS_CERTIFICATE:
		parse_certificate(s, side, r, frame, t, len);
		break;
	case HS_CERTIFICATE_REQUEST:
		parse_certificate_request(s, r, frame, len);
		break;
	case HS_SERVER_KEY_EXCHANGE:
		parse_server_key_exchange(s, r, frame, len);
		break;
	case HS_SERVER_HELLO_DONE:
		s->server_hello_done = true;
		s->server_hello_done_frame = frame;
		break;
	case HS_CLIENT_KEY_EXCHANGE:
		s->client_key_exchange = true;
		s->client_key_exchange_frame = frame;
		break;
	case HS_CERTIFICATE_VERIFY:
		parse_certificate_verify(s, r, frame);
		break;
	case HS_CERTIFICATE_STATUS:
		parse_certificate_status(s, r, frame);
		break;
	case HS_FINISHED:   /* in the clear only with a NULL cipher */
		if (!s->dir[side].finished) {
			s->dir[side].finished = true;
			s->dir[side].finished_frame = frame;
			s->dir[side].finished_seq = s->record_seq;
		}
		break;
	case HS_NEW_SESSION_TICKET:
		if (!is_tls13_version(msg_version(s)))
			parse_new_session_ticket(s, r, frame);
		break;
	default:
		break;
	}
}

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

static void hs_reset(struct hs_asm *h)
{
	if (h->buf) {
		hs_total -= h->len;
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
			if (h->len > LIM_HANDSHAKE_MSG || hs_total + h->len > LIM_HANDSHAKE_BYTES_TOTAL) {
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
				hs_total += h->len;
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
		hs_reset(h);
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
			hs_reset(&c->hs[side]);
		}
		/* TLS 1.3's ChangeCipherSpec is a compatibility no-op (RFC 8446 §D.4);
		 * a client offering 1.3 sends it before knowing the outcome. */
		bool tls13 = s->tls13 || (!s->sh.present && side == SIDE_CLIENT &&
					  is_tls13_version(s->ch.max_version) && !s->client_key_exchange &&
					  s->client_chain.state == CHAIN_ABSENT);
		/* a NULL cipher authenticates but does not hide: the records stay
		 * readable, with a MAC at the end (Wireshark shows them too) */
		int mac = s->sh.present && !tls13 ? tls_cipher_suite_null_mac(s->sh.cipher_suite) : -1;
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
	struct msg *m = session_add_msg(s, frame, t, side, MSG_HANDSHAKE);
	if (m) {
		m->hs_type = HS_CLIENT_HELLO;
		m->sslv2 = true;
		m->length = len;
	}
	s->handshakes++;
	if (!s->ch.present)
		parse_sslv2_hello(s, body, len, frame);
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

struct tls_conn *tls_conn_new(struct session *s, const bool mid_stream[2])
{
	struct tls_conn *c = mem_alloc(sizeof *c);
	c->s = s;
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
	hs_reset(&c->hs[side]);
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
		hs_reset(&c->hs[i]);
		tls_rec_free(&c->rec[i]);
	}
	mem_free(c);
}
