/* tls_handshake13.c - the messages only a key log shows: TLS 1.3 after ServerHello (RFC 8446 §4.3-4.6), tickets, renegotiation. */
#include "tls_handshake13.h"

#include <string.h>

#include "rd.h"
#include "tls_names.h"

/* IANA TLS ExtensionType Values */
enum { EXT_STATUS_REQUEST = 5, EXT_ALPN = 16, EXT_EARLY_DATA = 42 };

static void malformed(struct session *s, uint64_t frame, uint8_t type, const char *what)
{
	session_event(s, frame, "tls.malformed", "%s: %s", tls_handshake_display_name(type), what);
}

/* EncryptedExtensions (§4.3.1): what the ServerHello of TLS 1.2 said
 * (ALPN, status_request ack) moved here. */
static void encrypted_extensions(struct session *s, struct rd r, uint64_t frame)
{
	const uint8_t T = HS_ENCRYPTED_EXTENSIONS;
	struct server_hello *sh = &s->sh;
	struct rd exts;
	if (s->encrypted_extensions)
		return;
	s->encrypted_extensions = true;
	s->encrypted_extensions_frame = frame;
	if (!rd_vec16(&r, &exts)) {
		malformed(s, frame, T, "extensions longer than the message");
		return;
	}
	while (rd_left(&exts)) {
		uint16_t type;
		struct rd v, list, name;
		if (!rd_u16(&exts, &type) || !rd_vec16(&exts, &v)) {
			malformed(s, frame, T, "truncated extension");
			return;
		}
		if (type == EXT_ALPN && !sh->has_alpn) {
			if (!rd_vec16(&v, &list) || !rd_vec8(&list, &name) || rd_left(&list) || rd_left(&v)) {
				malformed(s, frame, T, "application_layer_protocol_negotiation malformed");
				continue;
			}
			size_t n = rd_left(&name) < sizeof sh->alpn ? rd_left(&name) : sizeof sh->alpn;
			rd_copy(&name, sh->alpn, n);
			sh->alpn_len = (uint8_t)n;
			sh->has_alpn = true;
		} else if (type == EXT_STATUS_REQUEST) {
			sh->status_request = true;
		}
	}
	if (rd_left(&r))
		session_event(s, frame, "tls.trailing_bytes", "Encrypted Extensions: %zu unexpected bytes after the "
			      "extensions", rd_left(&r));
}

/* KeyUpdate (§4.6.3): one byte, update_not_requested (0) or update_requested (1). */
static void key_update(struct session *s, int side, struct rd r, uint64_t frame)
{
	uint8_t req;
	if (!rd_u8(&r, &req) || req > 1 || rd_left(&r))
		malformed(s, frame, HS_KEY_UPDATE, "not one byte 0 or 1");
	s->key_updates[side]++;
}

/* NewSessionTicket: RFC 5077 §3.3 (lifetime, ticket); RFC 8446 §4.6.1
 * (lifetime, age_add, nonce, ticket, extensions). The first is kept. */
void tls_parse_new_session_ticket(struct session *s, struct rd r, uint64_t frame, bool tls13)
{
	struct new_session_ticket *t = &s->ticket;
	uint32_t age_add;
	struct rd nonce, ticket, exts;
	if (tls13)
		s->tickets13++;
	else
		t->present = false;   /* TLS 1.2: each one (a renegotiation sends another) */
	if (t->present)
		return;
	t->present = true;
	t->frame = frame;
	bool ok = rd_u32(&r, &t->lifetime_hint);
	if (tls13)
		ok = ok && rd_u32(&r, &age_add) && rd_vec8(&r, &nonce);
	ok = ok && rd_vec16(&r, &ticket);
	if (tls13)
		ok = ok && rd_vec16(&r, &exts);
	if (!ok) {
		malformed(s, frame, HS_NEW_SESSION_TICKET, "truncated");
		return;
	}
	t->ticket_len = (uint32_t)rd_left(&ticket);
	if (!tls13 && rd_left(&r))
		session_event(s, frame, "tls.trailing_bytes", "New Session Ticket: %zu unexpected bytes after ticket",
			      rd_left(&r));
}

/* A renegotiation's ServerHello (r after its random): random and suite
 * make the keys of the renegotiated connection. */
void tls_later_server_hello(struct session *s, struct rd r, const uint8_t random[32])
{
	struct rd sid;
	if (s->reneg_sh.present || !rd_vec8(&r, &sid) || !rd_u16(&r, &s->reneg_sh.cipher_suite))
		return;
	s->reneg_sh.present = true;
	memcpy(s->reneg_sh.random, random, 32);
}

bool tls13_parse_message(struct session *s, int side, uint8_t type, const uint8_t *body, uint32_t len,
			 uint64_t frame)
{
	struct rd r = rd_make(body, len);
	switch (type) {
	case HS_ENCRYPTED_EXTENSIONS:
		encrypted_extensions(s, r, frame);
		return true;
	case HS_KEY_UPDATE:
		key_update(s, side, r, frame);
		return true;
	case HS_END_OF_EARLY_DATA:
		if (len)
			malformed(s, frame, type, "not empty");
		if (!s->end_of_early_data) {
			s->end_of_early_data = true;
			s->end_of_early_data_frame = frame;
		}
		return true;
	default:
		return false;
	}
}

/* The extensions of a TLS 1.3 CertificateEntry (§4.4.2.1): the leaf's
 * status_request carries the stapled OCSP response (CertificateStatus). */
void tls13_cert_entry_extensions(struct session *s, int side, uint32_t entry, struct rd exts, uint64_t frame)
{
	while (rd_left(&exts)) {
		uint16_t type;
		struct rd v, resp;
		uint8_t status_type;
		if (!rd_u16(&exts, &type) || !rd_vec16(&exts, &v)) {
			malformed(s, frame, HS_CERTIFICATE, "truncated certificate entry extension");
			return;
		}
		if (type != EXT_STATUS_REQUEST || side != SIDE_SERVER || entry != 0 || s->cert_status.present)
			continue;
		if (!rd_u8(&v, &status_type) || (status_type == 1 && !rd_vec24(&v, &resp))) {
			malformed(s, frame, HS_CERTIFICATE, "truncated status_request in the leaf's entry");
			continue;
		}
		s->cert_status.present = true;
		s->cert_status.frame = frame;
		s->cert_status.status_type = status_type;
		s->cert_status.response_len = status_type == 1 ? (uint32_t)rd_left(&resp) : 0;
	}
}
