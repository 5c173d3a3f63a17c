/* report_json.c - the "tlsdiag/2" JSON connection object in full, and the parts the other JSON files share (man/tlsdiag.schema.json; tlsdiag(1), OUTPUT FORMAT). */
#include "writer.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "evidence.h"
#include "fmt.h"
#include "http2.h"
#include "mem.h"
#include "redact.h"
#include "report_fp.h"
#include "report_json.h"
#include "tls_keys.h"
#include "tls_names.h"
#include "x509.h"

static void kv_hex(struct json *j, const char *key, const uint8_t *p, size_t n)
{
	char buf[160];
	fmt_hex(buf, sizeof buf, p, n);
	json_kv_str(j, key, buf);
}

static void kv_time(struct json *j, const char *key, const struct ts *t, int digits)
{
	char buf[FMT_TIME_LEN];
	fmt_time_iso(buf, sizeof buf, t, digits);
	json_kv_str(j, key, buf);
}

static void kv_version(struct json *j, const char *key, uint16_t v)
{
	char buf[16];
	json_kv_str(j, key, fmt_version(buf, sizeof buf, v));
}

static void kv_u16list(struct json *j, const char *key, const struct u16list *l)
{
	json_key(j, key);
	json_array_begin(j);
	for (uint32_t i = 0; i < l->n; i++)
		json_uint(j, l->v[i]);
	json_array_end(j);
}

/* key: v, or null where the fact is absent */
static void kv_opt_uint(struct json *j, const char *key, bool has, uint64_t v)
{
	json_key(j, key);
	if (has)
		json_uint(j, v);
	else
		json_null(j);
}

static void kv_endpoint(struct json *j, const char *key, uint8_t af, const uint8_t *ip, uint16_t port)
{
	char buf[FMT_ADDR_LEN];
	fmt_ip(buf, sizeof buf, af, ip);
	json_key(j, key);
	json_object_begin(j);
	json_kv_str(j, "ip", buf);
	json_kv_uint(j, "port", port);
	json_object_end(j);
}

static void kv_sni_value(struct json *j, const struct client_hello *ch)
{
	if (!ch->has_sni) {
		json_null(j);
		return;
	}
	char sni[FMT_SNI_LEN];
	size_t n = fmt_sni(sni, sizeof sni, ch->sni, ch->sni_len);
	json_string_bytes(j, sni, n);
}

/* key NULL: an element of an array */
static void client_hello(struct json *j, const char *key, const struct client_hello *ch)
{
	if (!json_kv_object_or_null(j, key, ch->present))
		return;
	json_kv_uint(j, "frame", ch->frame);
	json_kv_uint(j, "length", ch->length);
	if (ch->sslv2)
		json_kv_bool(j, "sslv2", true);
	kv_version(j, "legacy_version", ch->legacy_version);
	json_key(j, "supported_versions");
	json_array_begin(j);
	for (uint32_t i = 0; i < ch->supported_versions.n; i++) {
		uint16_t v = ch->supported_versions.v[i];
		char buf[16];
		json_string(j, tls_is_grease(v) ? "GREASE" : fmt_version(buf, sizeof buf, v));
	}
	json_array_end(j);
	kv_hex(j, "session_id", ch->session_id, ch->session_id_len);
	kv_u16list(j, "cipher_suites", &ch->cipher_suites);
	json_key(j, "compression_methods");
	json_array_begin(j);
	for (unsigned i = 0; i < ch->compression_n; i++)
		json_uint(j, ch->compression[i]);
	json_array_end(j);
	json_key(j, "sni");
	kv_sni_value(j, ch);
	json_key(j, "alpn");
	json_array_begin(j);
	for (uint32_t i = 0; i < ch->alpn.n; i++)
		json_string_bytes(j, ch->alpn.v[i], ch->alpn.len[i]);
	json_array_end(j);
	kv_u16list(j, "extensions", &ch->extensions);
	kv_u16list(j, "signature_algorithms", &ch->sig_algs);
	kv_u16list(j, "supported_groups", &ch->groups);
	kv_u16list(j, "key_share_groups", &ch->key_share_groups);
	json_key(j, "ec_point_formats");
	json_array_begin(j);
	for (unsigned i = 0; i < ch->ec_point_formats_n; i++)
		json_uint(j, ch->ec_point_formats[i]);
	json_array_end(j);
	json_key(j, "psk_key_exchange_modes");
	json_array_begin(j);
	for (unsigned i = 0; i < ch->psk_modes_n; i++)
		json_uint(j, ch->psk_modes[i]);
	json_array_end(j);
	json_kv_bool(j, "status_request", ch->status_request);
	kv_opt_uint(j, "session_ticket", ch->has_session_ticket, ch->session_ticket_len);
	json_kv_bool(j, "extended_master_secret", ch->extended_master_secret);
	json_kv_bool(j, "renegotiation_info", ch->renegotiation_info || ch->scsv_renegotiation);
	json_kv_bool(j, "post_handshake_auth", ch->post_handshake_auth);
	json_kv_bool(j, "pre_shared_key", ch->pre_shared_key);
	json_kv_bool(j, "early_data", ch->early_data);
	json_kv_bool(j, "grease", ch->grease);
	fp_json_client(j, ch);
	json_object_end(j);
}

/* ClientHellos after the first handshake's (renegotiation in the clear). */
static void later_hellos(struct json *j, const struct session *s)
{
	json_key(j, "later_client_hellos");
	json_array_begin(j);
	for (uint32_t i = 0; i < s->later_ch_n; i++)
		client_hello(j, NULL, &s->later_ch[i]);
	json_array_end(j);
}

static void server_hello(struct json *j, const struct server_hello *sh)
{
	if (!json_kv_object_or_null(j, "server_hello", sh->present))
		return;
	json_kv_uint(j, "frame", sh->frame);
	json_kv_uint(j, "length", sh->length);
	kv_version(j, "version", sh->version);
	kv_version(j, "legacy_version", sh->legacy_version);
	json_kv_uint(j, "cipher_suite", sh->cipher_suite);
	json_kv_uint(j, "compression_method", sh->compression);
	kv_hex(j, "session_id", sh->session_id, sh->session_id_len);
	kv_u16list(j, "extensions", &sh->extensions);
	json_key(j, "alpn");
	if (sh->has_alpn)
		json_string_bytes(j, sh->alpn, sh->alpn_len);
	else
		json_null(j);
	kv_opt_uint(j, "key_share_group", sh->has_key_share, sh->key_share_group);
	json_kv_bool(j, "extended_master_secret", sh->extended_master_secret);
	json_kv_bool(j, "renegotiation_info", sh->renegotiation_info);
	fp_json_server(j, sh);
	json_object_end(j);
}

/* What a parsed certificate says, as members of the current object (shared
 * with --check-bundle's JSON). */
void json_cert_facts(struct json *j, const struct x509_cert *c)
{
	char buf[128];
	json_kv_str(j, "subject", c->subject);
	json_kv_str(j, "issuer", c->issuer);
	json_kv_str(j, "serial", c->serial);
	if (c->has_validity) {
		x509_format_time(c->not_before, buf, sizeof buf);
		json_kv_str(j, "not_before", buf);
		x509_format_time(c->not_after, buf, sizeof buf);
		json_kv_str(j, "not_after", buf);
	} else {
		json_key(j, "not_before");
		json_null(j);
		json_key(j, "not_after");
		json_null(j);
	}
	json_key(j, "san");
	json_array_begin(j);
	for (uint32_t i = 0; i < c->san_n; i++)
		json_string(j, c->san[i]);
	json_array_end(j);
	if (c->key_bits)
		snprintf(buf, sizeof buf, "%s %u", c->key_type, c->key_bits);
	else
		snprintf(buf, sizeof buf, "%s", c->key_type);
	json_kv_str(j, "key", buf);
	json_kv_str(j, "signature_algorithm", c->sig_alg);
	json_kv_bool(j, "is_ca", c->is_ca);
	json_kv_bool(j, "self_signed", c->self_signed);
	kv_hex(j, "sha256", c->sha256, sizeof c->sha256);
}

void json_certificate(struct json *j, const struct cert_entry *e)
{
	const struct x509_cert *c = e->x509;
	json_object_begin(j);
	json_kv_uint(j, "length", e->der_len);
	if (!c->x) {
		json_kv_str(j, "parse_error", c->parse_error);
		kv_hex(j, "sha256", c->sha256, sizeof c->sha256);
		json_object_end(j);
		return;
	}
	json_cert_facts(j, c);
	json_object_end(j);
}

static void chain(struct json *j, const char *key, const struct chain *c)
{
	if (!json_kv_object_or_null(j, key, c->state == CHAIN_SEEN))
		return;
	json_kv_uint(j, "frame", c->frame);
	json_kv_uint(j, "length", c->list_length);
	json_kv_uint(j, "count", c->count);
	json_key(j, "chain");
	json_array_begin(j);
	for (uint32_t i = 0; i < c->n; i++)
		json_certificate(j, &c->certs[i]);
	json_array_end(j);
	json_object_end(j);
}

static void cert_request(struct json *j, const struct cert_request *cr)
{
	if (!json_kv_object_or_null(j, "certificate_request", cr->present))
		return;
	json_kv_uint(j, "frame", cr->frame);
	json_kv_uint(j, "length", cr->length);
	json_key(j, "certificate_types");
	json_array_begin(j);
	for (unsigned i = 0; i < cr->cert_types_n; i++) {
		const char *n = tls_cert_type_name(cr->cert_types[i]);
		char buf[16];
		if (!n) {
			snprintf(buf, sizeof buf, "%u", cr->cert_types[i]);
			n = buf;
		}
		json_string(j, n);
	}
	json_array_end(j);
	json_key(j, "signature_algorithms");
	if (cr->has_sig_algs) {
		json_array_begin(j);
		for (uint32_t i = 0; i < cr->sig_algs.n; i++)
			json_uint(j, cr->sig_algs.v[i]);
		json_array_end(j);
	} else {
		json_null(j);
	}
	json_kv_uint(j, "distinguished_names_length", cr->dn_bytes_len);
	json_key(j, "distinguished_names");
	json_array_begin(j);
	const struct dn_list *dl = x509_dn_list(cr->dn_bytes, cr->dn_bytes_len, cr->dn_off, cr->dn_len, cr->dn_count);
	for (uint32_t i = 0; i < cr->dn_count; i++) {
		const char *dn = dl->text[i];
		if (dn) {
			json_string(j, dn);
		} else {
			char hex[80];
			snprintf(hex, sizeof hex, "<unparsable DER name, %u bytes>", cr->dn_len[i]);
			json_string(j, hex);
		}
	}
	json_array_end(j);
	json_object_end(j);
}

static void message(struct json *j, const struct msg *m, int digits)
{
	json_object_begin(j);
	json_kv_uint(j, "frame", m->frame);
	kv_time(j, "time", &m->time, digits);
	json_kv_str(j, "from", side_name(m->from));
	json_kv_str(j, "type", message_type_name(m));
	if (m->kind == MSG_HANDSHAKE && !tls_handshake_name(m->hs_type))
		json_kv_uint(j, "code", m->hs_type);
	if (m->kind == MSG_ALERT) {
		const char *lv = tls_alert_level_name(m->level);
		json_key(j, "level");
		json_string(j, lv ? lv : "unknown");
		const char *d = tls_alert_name(m->desc);
		json_key(j, "description");
		json_string(j, d ? d : "unknown");
		json_kv_uint(j, "code", m->desc);
	} else {
		json_kv_uint(j, "length", m->length);
	}
	if (m->sslv2)
		json_kv_bool(j, "sslv2", true);
	if (m->decrypted)
		json_kv_bool(j, "decrypted", true);
	json_object_end(j);
}

static void alert(struct json *j, const struct alert *a)
{
	json_object_begin(j);
	json_kv_uint(j, "frame", a->frame);
	json_kv_str(j, "from", side_name(a->from));
	if (a->encrypted) {
		json_key(j, "level");
		json_null(j);
		json_key(j, "description");
		json_null(j);
		json_key(j, "code");
		json_null(j);
	} else {
		const char *lv = tls_alert_level_name(a->level);
		const char *d = tls_alert_name(a->desc);
		json_kv_str(j, "level", lv ? lv : "unknown");
		json_kv_str(j, "description", d ? d : "unknown");
		json_kv_uint(j, "code", a->desc);
	}
	json_kv_bool(j, "encrypted", a->encrypted);
	if (a->decrypted)
		json_kv_bool(j, "decrypted", true);
	json_object_end(j);
}

/* "http2": what the server's decrypted HTTP/2 frames held (RFC 9113 §6):
 * counts by frame type, so the response is told from the connection's own
 * frames, and its GOAWAY (§6.8) with the error code's name. */
static void http2(struct json *j, const struct session *s)
{
	if (!s->h2_frames_read && !s->h2_goaway)
		return;
	json_key(j, "http2");
	json_object_begin(j);
	json_key(j, "server_frames");
	json_object_begin(j);
	for (unsigned t = 0; t <= H2_TYPES; t++)
		if (s->h2_frames[t]) {
			json_key(j, t < H2_TYPES ? h2_frame_name(t) : "other");
			json_uint(j, s->h2_frames[t]);
		}
	json_object_end(j);
	json_kv_uint(j, "settings_acks", s->h2_settings_acks);
	json_kv_uint(j, "bytes", s->h2_bytes);
	json_key(j, "response");
	if (s->h2_response_stream) {
		json_object_begin(j);
		json_kv_uint(j, "stream", s->h2_response_stream);
		json_kv_uint(j, "data_bytes", s->h2_response_data);
		json_object_end(j);
	} else {
		json_null(j);
	}
	json_key(j, "goaway");
	if (s->h2_goaway) {
		json_object_begin(j);
		json_kv_uint(j, "frame", s->h2_goaway_frame);
		json_kv_uint(j, "last_stream", s->h2_goaway_last_stream);
		json_kv_uint(j, "error_code", s->h2_goaway_error);
		json_key(j, "error");
		if (h2_error_name(s->h2_goaway_error))
			json_string(j, h2_error_name(s->h2_goaway_error));
		else
			json_null(j);
		json_object_end(j);
	} else {
		json_null(j);
	}
	json_object_end(j);
}

/* "decryption": which key log line opened each direction, and what was not
 * opened and why; left out when no key log was given. Never a secret. */
static void decryption(struct json *j, const struct session *s)
{
	const struct conn_keys *ck = &s->keys;
	if (!ck->given)
		return;
	json_key(j, "decryption");
	json_object_begin(j);
	json_key(j, "matched");   /* null: no protected record came, the random was not looked up */
	if (ck->looked_up)
		json_bool(j, ck->matched);
	else
		json_null(j);
	if (ck->looked_up && !ck->matched) {
		char hex[65];
		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", s->ch.random[i]);
		json_kv_str(j, "client_random", hex);
	}
	for (int side = 0; side < 2; side++) {
		json_key(j, side_name(side));
		json_object_begin(j);
		json_kv_bool(j, "decrypted", ck->dir[side].decrypted);
		json_kv_uint(j, "records", ck->dir[side].records);
		if (ck->dir[side].decrypted) {
			json_kv_str(j, "keylog", ck->dir[side].source);
			json_kv_uint(j, "line", ck->dir[side].line);
		}
		const char *label = tls_keys_missing_label(s, side);
		if (label) {
			json_kv_str(j, "missing_secret", label);
			json_kv_uint(j, "missing_from_frame", ck->dir[side].missing_frame);
		}
		if (ck->dir[side].failed)
			json_kv_uint(j, "failed_frame", ck->dir[side].failed_frame);
		json_object_end(j);
	}
	json_key(j, "mismatch");
	if (ck->mismatch) {
		json_object_begin(j);
		json_kv_str(j, "side", side_name(ck->mismatch_side));
		json_kv_uint(j, "frame", ck->mismatch_frame);
		json_object_end(j);
	} else {
		json_null(j);
	}
	if (ck->unsupported)
		json_kv_str(j, "unsupported", ck->unsupported);
	if (s->http_status) {
		/* the status line only; --redact=names keeps just the code */
		json_key(j, "http_status");
		json_object_begin(j);
		json_kv_uint(j, "frame", s->http_status_frame);
		json_kv_uint(j, "code", s->http_status_code);
		if (!redact_names())
			json_kv_str(j, "line", s->http_status_line);
		json_object_end(j);
	}
	http2(j, s);
	json_object_end(j);
}

static void direction(struct json *j, const char *key, const struct direction *d)
{
	json_key(j, key);
	json_object_begin(j);
	json_kv_uint(j, "packets", d->packets);
	json_kv_uint(j, "payload_bytes", d->payload_bytes);
	json_kv_uint(j, "application_data_records", d->appdata_records);
	json_kv_uint(j, "application_data_bytes", d->appdata_bytes);
	kv_opt_uint(j, "first_application_data_frame", d->appdata_records, d->appdata_first_frame);
	json_kv_bool(j, "fin", d->fin);
	json_kv_bool(j, "rst", d->rst);
	kv_opt_uint(j, "not_observable_from_frame", d->unobservable, d->unobservable_frame);
	json_key(j, "not_tls");
	if (d->not_tls) {
		json_object_begin(j);
		json_kv_uint(j, "frame", d->prefix_frame);
		json_key(j, "first_bytes");
		json_string_bytes(j, d->prefix, fmt_prefix_len(d->prefix, d->prefix_len));
		json_object_end(j);
	} else {
		json_null(j);
	}
	json_object_end(j);
}

static const char *close_name(int k)
{
	switch (k) {
	case CLOSE_FIN: return "fin";
	case CLOSE_RST: return "rst";
	case CLOSE_EXPIRED: return "idle_timeout";
	case CLOSE_EVICTED: return "evicted";
	case CLOSE_END_OF_CAPTURE: return "end_of_capture";
	default: return "open";
	}
}

/* Who, where and when: the connection as Wireshark finds it, and what was agreed. */
void json_connection_head(struct json *j, const struct session *s)
{
	char buf[FMT_TIME_LEN];
	json_kv_uint(j, "index", s->index);
	json_kv_uint(j, "stream", s->stream);
	json_kv_str(j, "file", s->file);
	kv_endpoint(j, "client", s->af, s->client_ip, s->client_port);
	kv_endpoint(j, "server", s->af, s->server_ip, s->server_port);
	if (s->roles_guessed)
		json_kv_bool(j, "roles_guessed", true);
	json_kv_uint(j, "first_frame", s->first_frame);
	json_kv_uint(j, "last_frame", s->last_frame);
	kv_time(j, "start_time", &s->start_time, s->ts_prec);
	kv_time(j, "end_time", &s->end_time, s->ts_prec);
	json_key(j, "sni");
	kv_sni_value(j, &s->ch);
	json_key(j, "version");
	if (s->sh.present)
		json_string(j, fmt_version(buf, sizeof buf, s->sh.version));
	else
		json_null(j);
	json_key(j, "cipher_suite");
	if (s->sh.present) {
		json_object_begin(j);
		json_kv_uint(j, "id", s->sh.cipher_suite);
		json_kv_str(j, "name", fmt_suite(buf, sizeof buf, s->sh.cipher_suite));
		json_object_end(j);
	} else {
		json_null(j);
	}
}

static void hello_retry(struct json *j, const struct hello_retry_request *hrr)
{
	if (!json_kv_object_or_null(j, "hello_retry_request", hrr->present))
		return;
	json_kv_uint(j, "frame", hrr->frame);
	json_kv_uint(j, "cipher_suite", hrr->cipher_suite);
	kv_opt_uint(j, "selected_group", hrr->has_group, hrr->selected_group);
	fp_json_hrr(j, hrr);
	json_object_end(j);
}

static void messages(struct json *j, const struct session *s)
{
	json_key(j, "messages");
	json_array_begin(j);
	for (uint32_t i = 0; i < s->timeline_n; i++)
		message(j, &s->timeline[i], s->ts_prec);
	json_array_end(j);
	if (s->timeline_dropped)
		json_kv_uint(j, "messages_not_listed", s->timeline_dropped);
}

static void key_exchange(struct json *j, const struct server_key_exchange *skx)
{
	if (!json_kv_object_or_null(j, "server_key_exchange", skx->present))
		return;
	json_kv_uint(j, "frame", skx->frame);
	kv_opt_uint(j, "group", skx->kind == SKX_ECDHE && skx->curve_type == 3, skx->group);
	kv_opt_uint(j, "dh_bits", skx->dh_p_bits, skx->dh_p_bits);
	kv_opt_uint(j, "signature_scheme", skx->has_sig_scheme, skx->sig_scheme);
	json_object_end(j);
}

void json_alerts(struct json *j, const struct session *s)
{
	json_key(j, "alerts");
	json_array_begin(j);
	for (uint32_t i = 0; i < s->alerts_n; i++)
		alert(j, &s->alerts[i]);
	json_array_end(j);
	json_key(j, "inferred_alert");
	if (s->inferred_alert) {
		json_object_begin(j);
		json_kv_uint(j, "frame", s->inferred_alert_frame);
		json_kv_str(j, "from", side_name(s->inferred_alert_from));
		json_kv_str(j, "reason", s->t13.unclosed ? "encrypted TLS 1.3 record of an alert's size, the sender's last; "
							  "the capture ends before any close"
							: "encrypted TLS 1.3 record of an alert's size, then the sender closed");
		json_object_end(j);
	} else {
		json_null(j);
	}
}

static void tcp(struct json *j, const struct session *s)
{
	json_key(j, "tcp");
	json_object_begin(j);
	json_kv_str(j, "close", close_name(s->close_kind));
	if (s->close_kind == CLOSE_FIN || s->close_kind == CLOSE_RST) {
		json_kv_str(j, "closed_by", side_name(s->closed_by));
		json_kv_uint(j, "close_frame", s->close_frame);
	}
	direction(j, "client", &s->dir[SIDE_CLIENT]);
	direction(j, "server", &s->dir[SIDE_SERVER]);
	json_object_end(j);
}

void json_events(struct json *j, const struct session *s)
{
	json_key(j, "events");
	json_array_begin(j);
	for (uint32_t i = 0; i < s->events_n; i++) {
		json_object_begin(j);
		json_kv_uint(j, "frame", s->events[i].frame);
		json_kv_str(j, "id", s->events[i].id);
		json_kv_str(j, "detail", s->events[i].detail);
		json_object_end(j);
	}
	json_array_end(j);
	if (s->events_dropped)
		json_kv_uint(j, "events_not_listed", s->events_dropped);
}

/* -w: the timeline's frames as numbered in the written file. */
static void written(struct json *j, const struct session *s)
{
	json_key(j, "written");
	json_object_begin(j);
	json_kv_str(j, "file", s->written_file);
	json_key(j, "frames");
	json_object_begin(j);
	uint64_t last = 0;
	for (uint32_t i = 0; i < s->timeline_n; i++) {
		uint64_t f = s->timeline[i].frame, w = evidence_written_frame(s->ev, f);
		if (f == last || !w)
			continue;
		char key[24];
		snprintf(key, sizeof key, "%" PRIu64, f);
		json_kv_uint(j, key, w);
		last = f;
	}
	json_object_end(j);
	json_object_end(j);
}

/* "problem": the id of the connection's problem, or null */
void json_problem_ref(struct json *j, const struct problem *p)
{
	json_key(j, "problem");
	if (p)
		json_uint(j, p->id);
	else
		json_null(j);
}

/* One connection: an object in the document's "connections", or a JSON Lines line. */

/* What each side most likely logged, when known (no key otherwise). */
static void logged(struct json *j, const struct finding *f)
{
	if (!f->n_logs)
		return;
	json_key(j, "logged");
	json_array_begin(j);
	for (unsigned k = 0; k < f->n_logs; k++) {
		json_object_begin(j);
		json_kv_str(j, "by", side_name(f->logs[k].side));
		json_kv_str(j, "software", f->logs[k].software);
		json_kv_bool(j, "identified", f->logs[k].identified);
		json_kv_str(j, "line", f->logs[k].line);
		json_object_end(j);
	}
	json_array_end(j);
}
void json_full_connection(struct json *j, const struct session *s, const struct problem *p)
{
	json_object_begin(j);
	json_connection_head(j, s);
	starttls_json(j, s);
	client_hello(j, "client_hello", &s->ch);
	hello_retry(j, &s->hrr);
	client_hello(j, "second_client_hello", &s->ch2);   /* after the HelloRetryRequest */
	server_hello(j, &s->sh);
	messages(j, s);
	chain(j, "server_certificates", &s->server_chain);
	chain(j, "client_certificates", &s->client_chain);
	cert_request(j, &s->cr);
	key_exchange(j, &s->skx);
	later_hellos(j, s);
	json_alerts(j, s);
	json_kv_bool(j, "resumed", s->resumed);
	json_kv_bool(j, "renegotiation", s->renegotiation);
	decryption(j, s);
	json_kv_str(j, "outcome", outcome_name(s->outcome));
	json_problem_ref(j, p);
	tcp(j, s);
	json_events(j, s);
	json_findings(j, &s->findings);
	if (s->ev)
		written(j, s);
	json_object_end(j);
}

/* What every form says of a finding: the id, whose it is, whether it is
 * inferred (issue 12: labelled in every form) and the frames it cites. */
static void finding_head(struct json *j, const struct finding *f)
{
	json_kv_str(j, "id", f->id);
	json_kv_str(j, "severity", severity_name(f->severity));
	json_kv_str(j, "from", f->side == SIDE_BOTH ? "connection" : side_name(f->side));
	if (f->inferred)
		json_kv_bool(j, "inferred", true);
	json_key(j, "frames");
	json_array_begin(j);
	for (unsigned k = 0; k < f->n_frames; k++)
		json_uint(j, f->frames[k]);
	json_array_end(j);
}

void json_finding_words(struct json *j, const struct finding *f)
{
	json_kv_str(j, "summary", f->summary);
	json_kv_str(j, "cause", f->cause);
	json_kv_str(j, "fix", f->fix);
}

void json_findings_with(struct json *j, const struct finding_list *l,
			void (*rest)(struct json *j, const struct finding *f))
{
	if (rest)
		finding_words(l);
	json_key(j, "findings");
	json_array_begin(j);
	for (int sev = SEV_ERROR; sev >= SEV_INFO; sev--) {
		for (uint32_t i = 0; i < l->n; i++) {
			const struct finding *f = &l->v[i];
			if (f->severity != sev)
				continue;
			json_object_begin(j);
			finding_head(j, f);
			if (rest)
				rest(j, f);
			json_object_end(j);
		}
	}
	json_array_end(j);
}

/* The full form: the words, and what the peers' software logged. */
static void finding_in_full(struct json *j, const struct finding *f)
{
	json_finding_words(j, f);
	logged(j, f);
}

void json_findings(struct json *j, const struct finding_list *l)
{
	json_findings_with(j, l, finding_in_full);
}
