/* tls_handshake.c - the handshake message parsers (RFC 5246 §7.4, RFC 8446 §4): one message -> session facts. */
#include "tls_handshake.h"

#include <stdio.h>
#include <string.h>

#include "limits.h"
#include "rd.h"
#include "tls_handshake13.h"
#include "tls_names.h"
#include "tls_suite.h"
#include "x509.h"

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

/* ---- helpers ---- */

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

/* Fill a small byte array from a vector body: the first cap values are kept. */
static void read_u8s(struct rd v, uint8_t *out, uint8_t *n, size_t cap)
{
	uint8_t value;
	while (rd_u8(&v, &value))
		if (*n < cap)
			out[(*n)++] = value;
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
		ch->ec_point_formats_total += (uint32_t)rd_left(&sub);
		read_u8s(sub, ch->ec_point_formats, &ch->ec_point_formats_n, sizeof ch->ec_point_formats);
		return rd_left(&v) == 0;
	case EXT_PSK_KEY_EXCHANGE_MODES:
		if (!rd_vec8(&v, &sub))
			return false;
		read_u8s(sub, ch->psk_modes, &ch->psk_modes_n, sizeof ch->psk_modes);
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

/* A ClientHello field could not be read: what it held is not known. */
static void ch_malformed(struct session *s, struct client_hello *ch, uint64_t frame, const char *what)
{
	ch->malformed = true;
	malformed(s, frame, HS_CLIENT_HELLO, what);
}

/* What the offered suites signal besides themselves (RFC 8701, RFC 5746 §3.3, RFC 7507). */
static void ch_suite_flags(struct client_hello *ch)
{
	for (uint32_t i = 0; i < ch->cipher_suites.n; i++) {
		uint16_t cs = ch->cipher_suites.v[i];
		if (tls_is_grease(cs))
			ch->grease = true;
		if (cs == 0x00ff)
			ch->scsv_renegotiation = true;
		if (cs == 0x5600)
			ch->scsv_fallback = true;
	}
}

static void ch_extensions(struct session *s, struct client_hello *ch, struct rd exts, uint64_t frame)
{
	while (rd_left(&exts)) {
		uint16_t type;
		struct rd body;
		if (!rd_u16(&exts, &type) || !rd_vec16(&exts, &body)) {
			ch_malformed(s, ch, frame, "truncated extension");
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
}

/* The highest version offered: supported_versions (RFC 8446 §4.2.1) beats legacy_version. */
static void ch_max_version(struct client_hello *ch)
{
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

static void parse_client_hello(struct session *s, struct client_hello *ch, struct rd r, uint64_t frame, uint32_t len)
{
	struct rd sid, suites, comp, exts;
	ch->present = true;
	ch->frame = frame;
	ch->length = len;
	bool got_version = rd_u16(&r, &ch->legacy_version);
	ch->max_version = ch->legacy_version;   /* raised by supported_versions below */
	if (!got_version || !rd_copy(&r, ch->random, 32)) {
		ch_malformed(s, ch, frame, "truncated before session_id");
		return;
	}
	if (!rd_vec8(&r, &sid) || rd_left(&sid) > 32) {
		ch_malformed(s, ch, frame, "bad session_id");
		return;
	}
	ch->session_id_len = (uint8_t)rd_left(&sid);
	rd_copy(&sid, ch->session_id, ch->session_id_len);
	if (!rd_vec16(&r, &suites)) {
		ch_malformed(s, ch, frame, "truncated cipher_suites");
		return;
	}
	if (!read_u16list(s, &ch->cipher_suites, suites))
		ch_malformed(s, ch, frame, "odd cipher_suites length");
	ch_suite_flags(ch);
	if (!rd_vec8(&r, &comp)) {
		ch_malformed(s, ch, frame, "truncated compression_methods");
		return;
	}
	read_u8s(comp, ch->compression, &ch->compression_n, sizeof ch->compression);
	if (rd_left(&r) == 0)
		return;   /* no extensions (SSL 3.0 style) */
	if (!rd_vec16(&r, &exts)) {
		ch_malformed(s, ch, frame, "truncated extensions");
		return;
	}
	ch_extensions(s, ch, exts, frame);
	trailing(s, frame, HS_CLIENT_HELLO, &r, "extensions");
	if (ch->sni_truncated)
		session_event(s, frame, "tls.name_too_long", "server_name longer than %u bytes: truncated",
			      LIM_NAME_LEN);
	ch_max_version(ch);
}

/* SSLv2-compatible ClientHello (RFC 5246 Appendix E.2; SSL 2.0 spec). */
void tls_parse_sslv2_hello(struct session *s, int side, const uint8_t *body, uint32_t len, uint64_t frame,
			   const struct ts *t)
{
	struct msg *m = session_add_msg(s, frame, t, side, MSG_HANDSHAKE);
	if (m) {
		m->hs_type = HS_CLIENT_HELLO;
		m->sslv2 = true;
		m->length = len;
	}
	s->handshakes++;
	if (s->ch.present)
		return;
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
				rd_copy(&name, sh->alpn, n);
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
	if (s->sh.present) {
		/* a second one: renegotiation, timeline only; its random and suite
		 * make the keys of the renegotiated connection (a key log decrypts on) */
		if (!is_hrr)
			tls_later_server_hello(s, r, random);
		return is_hrr;
	}
	struct server_hello *sh = &s->sh;
	sh->present = true;
	sh->frame = frame;
	sh->length = len;
	sh->legacy_version = legacy;
	sh->version = legacy;
	memcpy(sh->random, random, 32);
	/* TLS 1.3 drafts before -22 (some early ones wrote 0x0304 here): no
	 * session_id, no compression */
	bool draft = (legacy & 0xff00) == 0x7f00 || legacy == 0x0304;
	bool cut = draft ? !rd_u16(&r, &sh->cipher_suite)
			 : !rd_vec8(&r, &sid) || rd_left(&sid) > 32 || !rd_u16(&r, &sh->cipher_suite) ||
				   !rd_u8(&r, &sh->compression);
	if (cut) {
		sh->present = false;   /* nothing negotiated is known */
		malformed(s, frame, T, draft ? "truncated cipher_suite" : "truncated before extensions");
		return false;
	}
	if (!draft) {
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
	s->tls13 = tls_version_is_13(sh->version);
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
	bool tls13 = tls_version_is_13(msg_version(s));
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
		if (tls13)
			tls13_cert_entry_extensions(s, side, c->count - 1, exts, frame);
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
	rd_copy(&names, cr->dn_bytes, total);
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
	if (tls_version_is_13(v)) {
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
	read_u8s(types, cr->cert_types, &cr->cert_types_n, sizeof cr->cert_types);
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
	uint8_t top = 0;
	while (rd_peek_u8(&v, 0, &top) && top == 0)
		rd_skip(&v, 1);
	if (!rd_left(&v))
		return 0;
	uint32_t bits = (uint32_t)(rd_left(&v) - 1) * 8;
	for (; top; top >>= 1)
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
	enum tls_kx kx = tls_suite_kx(s->sh.cipher_suite);
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
	case HS_FINISHED:   /* in the clear only with a NULL cipher, else decrypted */
		if (!s->dir[side].finished) {
			s->dir[side].finished = true;
			s->dir[side].finished_frame = frame;
			s->dir[side].finished_seq = s->record_seq;
		}
		break;
	case HS_NEW_SESSION_TICKET:
		tls_parse_new_session_ticket(s, r, frame, tls_version_is_13(msg_version(s)));
		break;
	default:
		tls13_parse_message(s, side, type, body, len, frame);
		break;
	}
}
