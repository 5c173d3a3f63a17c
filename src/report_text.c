/* report_text.c - the human report: one block per connection, Wireshark's frame numbers and names. */
#include "writer.h"

#include <inttypes.h>
#include <string.h>

#include "bundle.h"
#include "evidence.h"
#include "fmt.h"
#include "http2.h"
#include "mem.h"
#include "problems.h"
#include "redact.h"
#include "report_fp.h"
#include "report_text.h"
#include "starttls_report.h"
#include "tls_keys.h"
#include "tls_names.h"
#include "x509.h"

#define INLINE_CA_NAMES 3     /* more are listed under the timeline */
#define LISTED_CA_NAMES 20    /* without -v */

static void put_escaped(FILE *out, const char *s)
{
	fmt_text_escape(out, s, strlen(s));
}

static void put_dn(FILE *out, const struct cert_request *cr, uint32_t i)
{
	const struct dn_list *dl = x509_dn_list(cr->dn_bytes, cr->dn_bytes_len, cr->dn_off, cr->dn_len, cr->dn_count);
	const char *dn = dl->text[i];
	if (dn)
		put_escaped(out, dn[0] ? dn : "(empty name)");
	else
		fprintf(out, "<unparsable DER name, %u bytes>", cr->dn_len[i]);
}

static const struct client_hello *hello_at(const struct session *s, uint64_t frame)
{
	if (s->ch.present && s->ch.frame == frame)
		return &s->ch;
	if (s->ch2.present && s->ch2.frame == frame)
		return &s->ch2;
	return NULL;
}

static void client_hello_facts(FILE *out, const struct client_hello *ch)
{
	char vb[16];
	fprintf(out, ", %s", fmt_version(vb, sizeof vb, ch->legacy_version));
	if (ch->max_version != ch->legacy_version)
		fprintf(out, " (offers up to %s)", fmt_version(vb, sizeof vb, ch->max_version));
	if (ch->sslv2)
		fputs(" in an SSLv2 record", out);
	if (ch->has_sni) {
		char sni[FMT_SNI_LEN];
		size_t n = fmt_sni(sni, sizeof sni, ch->sni, ch->sni_len);
		fputs(", SNI ", out);
		fmt_text_escape(out, sni, n);
	} else {
		fputs(", no SNI", out);
	}
	fprintf(out, ", %" PRIu32 " cipher suites", ch->cipher_suites.total);
	if (ch->alpn.n) {
		fputs(", ALPN ", out);
		for (uint32_t i = 0; i < ch->alpn.n; i++) {
			if (i)
				fputc(',', out);
			fmt_text_escape(out, ch->alpn.v[i], ch->alpn.len[i]);
		}
	}
}

static void server_hello_facts(FILE *out, const struct session *s, const struct msg *m)
{
	char b1[64], b2[64];
	if (m->hrr && s->hrr.present && s->hrr.has_group) {
		const char *g = tls_group_name(s->hrr.selected_group);
		fprintf(out, ", asks for a key share in %s", g ? g : "?");
	} else if (!m->hrr && s->sh.present && s->sh.frame == m->frame) {
		fprintf(out, ", %s, %s", fmt_version(b1, sizeof b1, s->sh.version),
			fmt_suite(b2, sizeof b2, s->sh.cipher_suite));
		if (s->sh.has_alpn) {
			fputs(", ALPN ", out);
			fmt_text_escape(out, s->sh.alpn, s->sh.alpn_len);
		}
		if (s->resumed)
			fputs(", resumed session", out);
	}
}

static void key_exchange_facts(FILE *out, const struct server_key_exchange *skx)
{
	if (skx->kind == SKX_ECDHE && skx->curve_type == 3) {
		const char *g = tls_group_name(skx->group);
		fprintf(out, ", %s", g ? g : "unknown group");
	} else if (skx->dh_p_bits) {
		fprintf(out, ", DH %" PRIu32 " bits", skx->dh_p_bits);
	}
	if (skx->has_sig_scheme) {
		const char *n = tls_sigscheme_name(skx->sig_scheme);
		fprintf(out, ", %s", n ? n : "unknown signature");
	}
}

static void cert_request_facts(FILE *out, const struct cert_request *cr)
{
	fprintf(out, ", %" PRIu32 " CA name%s", cr->dn_count, cr->dn_count == 1 ? "" : "s");
	if (cr->dn_count > 0 && cr->dn_count <= INLINE_CA_NAMES) {
		fputs(": ", out);
		for (uint32_t i = 0; i < cr->dn_count; i++) {
			if (i)
				fputs("; ", out);
			put_dn(out, cr, i);
		}
	} else if (cr->dn_count > INLINE_CA_NAMES) {
		fputs(" (listed below)", out);
	}
}

/* What the timeline line of a message adds: the facts parsed from it. */
static void message_facts(FILE *out, const struct session *s, const struct msg *m)
{
	char ab[64];
	if (m->kind == MSG_ALERT) {
		fprintf(out, " %s", fmt_alert(ab, sizeof ab, m->level, m->desc));
		return;
	}
	if (m->kind != MSG_HANDSHAKE)
		return;
	const struct chain *chain = m->from == SIDE_SERVER ? &s->server_chain : &s->client_chain;
	switch (m->hs_type) {
	case 1: {
		const struct client_hello *ch = hello_at(s, m->frame);
		if (ch)
			client_hello_facts(out, ch);
		break;
	}
	case 2:
		server_hello_facts(out, s, m);
		break;
	case 11:
		if (chain->state == CHAIN_SEEN && chain->frame == m->frame)
			fprintf(out, ", %" PRIu32 " certificate%s (length %" PRIu32 ")", chain->count,
				chain->count == 1 ? "" : "s", chain->list_length);
		else if (chain->state == CHAIN_UNOBSERVABLE && chain->frame == m->frame)
			fprintf(out, ", not analyzed (%" PRIu32 " bytes)", m->length);
		break;
	case 12:
		if (s->skx.present && s->skx.frame == m->frame)
			key_exchange_facts(out, &s->skx);
		break;
	case 13:
		if (s->cr.present && s->cr.frame == m->frame)
			cert_request_facts(out, &s->cr);
		break;
	case 15:
		if (s->cv.present && s->cv.frame == m->frame && s->cv.has_sig_scheme) {
			const char *n = tls_sigscheme_name(s->cv.sig_scheme);
			fprintf(out, ", %s", n ? n : "unknown signature");
		}
		break;
	case 22:
		if (s->cert_status.present && s->cert_status.frame == m->frame)
			fprintf(out, ", %s response of %" PRIu32 " bytes",
				s->cert_status.status_type == 1 ? "OCSP" : "status", s->cert_status.response_len);
		break;
	case 4:
		if (s->ticket.present && s->ticket.frame == m->frame)
			fprintf(out, ", lifetime %" PRIu32 " s, ticket of %" PRIu32 " bytes", s->ticket.lifetime_hint,
				s->ticket.ticket_len);
		break;
	default:
		break;
	}
}

void text_message_facts(FILE *out, const struct session *s, const struct msg *m)
{
	message_facts(out, s, m);
	if (m->decrypted)
		fputs(" (decrypted)", out);
}

static const char *inferred_alert_end(const struct session *s, char *buf, size_t cap)
{
	if (s->t13.unclosed)
		return "the capture ends before any close";
	snprintf(buf, cap, "then %s closed", side_name(s->inferred_alert_from));
	return buf;
}

void text_timeline_rows(FILE *out, const struct session *s, timeline_row_fn *row)
{
	char tb[FMT_TIME_LEN], what[128];
	for (uint32_t i = 0; i < s->timeline_n; i++) {
		const struct msg *m = &s->timeline[i];
		fmt_time_of_day(tb, sizeof tb, &m->time, s->ts_prec);
		struct timeline_row r = { .frame = m->frame, .time = tb, .from = m->from, .m = m,
					  .what = message_display_name(m, what, sizeof what) };
		row(out, s, &r);
	}
	if (s->timeline_dropped)
		row(out, s, &(struct timeline_row){ .time = "", .what = "", .dropped = s->timeline_dropped });
	if (s->inferred_alert) {
		char end[48];
		snprintf(what, sizeof what, "Application Data of an encrypted alert's size, %s",
			 inferred_alert_end(s, end, sizeof end));
		row(out, s, &(struct timeline_row){ .frame = s->inferred_alert_frame, .time = "",
						     .from = s->inferred_alert_from, .what = what });
	}
}

static void timeline_row(FILE *out, const struct session *s, const struct timeline_row *r)
{
	if (r->dropped) {
		fprintf(out, "  ... %" PRIu32 " more messages not listed\n", r->dropped);
		return;
	}
	fprintf(out, "  %7" PRIu64 "  %-15s  %s  %s", r->frame, r->time, r->from == SIDE_CLIENT ? "C->S" : "S->C", r->what);
	if (r->m)
		text_message_facts(out, s, r->m);
	fputc('\n', out);
}

static void timeline(FILE *out, const struct session *s)
{
	fputs("    frame  time             dir   message\n", out);
	text_timeline_rows(out, s, timeline_row);
}

/* A certificate's facts from "subject" on, the lines after the first indented by ind. */
static void cert_lines(FILE *out, const struct x509_cert *c, const char *ind)
{
	char hex[80], t1[32], t2[32];
	fputs("subject ", out);
	put_escaped(out, c->subject);
	fprintf(out, "\n%sissuer  ", ind);
	put_escaped(out, c->issuer);
	if (c->self_signed)
		fputs(" (self-signed)", out);
	if (c->has_validity) {
		x509_format_time(c->not_before, t1, sizeof t1);
		x509_format_time(c->not_after, t2, sizeof t2);
		fprintf(out, "\n%svalid   %s .. %s", ind, t1, t2);
	}
	fprintf(out, "\n%skey     %s", ind, c->key_type);
	if (c->key_bits)
		fprintf(out, " %" PRIu32, c->key_bits);
	fprintf(out, ", %s, serial ", c->sig_alg);
	put_escaped(out, c->serial);
	if (c->is_ca)
		fputs(", CA", out);
	if (c->san_n) {
		fprintf(out, "\n%sSAN     ", ind);
		for (uint32_t k = 0; k < c->san_n; k++) {
			if (k)
				fputs(", ", out);
			put_escaped(out, c->san[k]);
		}
	}
	fmt_hex(hex, sizeof hex, c->sha256, sizeof c->sha256);
	fprintf(out, "\n%sSHA-256 %s\n", ind, hex);
}

static void certificate(FILE *out, uint32_t i, const struct cert_entry *e)
{
	const struct x509_cert *c = e->x509;
	if (!c->x) {
		fprintf(out, "    [%" PRIu32 "] not a valid certificate (%" PRIu32 " bytes): %s\n", i, e->der_len,
			c->parse_error);
		return;
	}
	fprintf(out, "    [%" PRIu32 "] ", i);
	cert_lines(out, c, "        ");
}

static void chain(FILE *out, const char *who, const struct chain *c)
{
	if (c->state != CHAIN_SEEN || c->count == 0)
		return;
	fprintf(out, "  %s certificates (frame %" PRIu64 ", %" PRIu32 "):\n", who, c->frame, c->count);
	for (uint32_t i = 0; i < c->n; i++)
		certificate(out, i, &c->certs[i]);
	if (c->count > c->n)
		fprintf(out, "    ... %" PRIu32 " more not analyzed\n", c->count - c->n);
}

static void ca_names(FILE *out, const struct cert_request *cr, bool verbose)
{
	if (!cr->present || cr->dn_count <= INLINE_CA_NAMES)
		return;
	uint32_t show = verbose || cr->dn_count <= LISTED_CA_NAMES ? cr->dn_count : LISTED_CA_NAMES;
	fprintf(out, "  Acceptable client certificate CA names (frame %" PRIu64 ", %" PRIu32 "):\n", cr->frame,
		cr->dn_count);
	for (uint32_t i = 0; i < show; i++) {
		fputs("    ", out);
		put_dn(out, cr, i);
		fputc('\n', out);
	}
	if (show < cr->dn_count)
		fprintf(out, "    ... %" PRIu32 " more (all with -v or --json)\n", cr->dn_count - show);
}

static void not_tls(FILE *out, const struct session *s)
{
	if (s->starttls.requested)
		return;   /* the STARTTLS line tells what the plaintext was */
	for (int side = 0; side < 2; side++) {
		const struct direction *d = &s->dir[side];
		if (!d->not_tls || d->spoke_tls)
			continue;
		fprintf(out, "  %s does not speak TLS: frame %" PRIu64 " starts with \"", side_name(side),
			d->prefix_frame);
		fmt_text_escape(out, d->prefix, fmt_prefix_len(d->prefix, d->prefix_len));
		fputs("\"\n", out);
	}
}

static void text_findings(FILE *out, const struct finding_list *l, const char *indent)
{
	finding_words(l);
	/* errors first, then warnings, then information; each in the order found */
	for (int sev = SEV_ERROR; sev >= SEV_INFO; sev--) {
		for (uint32_t i = 0; i < l->n; i++) {
			const struct finding *f = &l->v[i];
			if (f->severity != sev)
				continue;
			fprintf(out, "%s%s %s", indent, fmt_severity_label(sev), f->id);
			if (f->side != SIDE_BOTH)
				fprintf(out, " (%s)", side_name(f->side));
			for (unsigned k = 0; k < f->n_frames; k++)
				fprintf(out, "%s%" PRIu64, k ? ", " : f->n_frames > 1 ? " frames " : " frame ", f->frames[k]);
			fprintf(out, "\n%s  ", indent);
			put_escaped(out, f->summary);
			fprintf(out, "\n%s  Cause: ", indent);
			put_escaped(out, f->cause);
			fprintf(out, "\n%s  Fix: ", indent);
			put_escaped(out, f->fix);
			fputc('\n', out);
			for (unsigned k = 0; k < f->n_logs; k++) {
				const struct finding_log *g = &f->logs[k];
				fprintf(out, "%s  Logged by the %s (%s%s): ", indent, side_name(g->side),
					g->identified ? "" : "if ", g->software);
				put_escaped(out, g->line);
				fputc('\n', out);
			}
		}
	}
}

/* -w: where the evidence frames are in the written file. */
static void written_frames(FILE *out, const struct session *s)
{
	if (!s->ev)
		return;
	uint64_t seen[64];
	unsigned n = 0;
	fprintf(out, "  In %s:", s->written_file);
	for (uint32_t i = 0; i < s->findings.n; i++) {
		const struct finding *f = &s->findings.v[i];
		for (unsigned k = 0; k < f->n_frames; k++) {
			bool dup = false;
			for (unsigned m = 0; m < n; m++)
				dup |= seen[m] == f->frames[k];
			uint64_t w = evidence_written_frame(s->ev, f->frames[k]);
			if (dup || !w || n == 64)
				continue;
			seen[n++] = f->frames[k];
			fprintf(out, "%s frame %" PRIu64 " is frame %" PRIu64, n > 1 ? "," : "", f->frames[k], w);
		}
	}
	fputs(n ? "\n" : " (not written)\n", out);
}

/* Which key log opened the connection, and what it could not open. */
static void keys_facts(FILE *out, const struct session *s)
{
	const struct conn_keys *ck = &s->keys;
	if (!ck->given || !ck->looked_up)
		return;
	if (!ck->matched) {
		fputs("  Key log: no secrets for client random ", out);
		for (int i = 0; i < 32; i++)
			fprintf(out, "%02x", s->ch.random[i]);
		fputc('\n', out);
		return;
	}
	for (int side = 0; side < 2; side++) {
		const char *label = tls_keys_missing_label(s, side);
		fprintf(out, "  %s records: ", side == SIDE_CLIENT ? "Client" : "Server");
		if (ck->dir[side].decrypted)
			fprintf(out, "%" PRIu32 " decrypted with %s line %lu", ck->dir[side].records, ck->dir[side].source,
				ck->dir[side].line);
		else if (!ck->dir[side].offered)
			fputs("none protected", out);
		else
			fputs("not decrypted", out);
		if (label)
			fprintf(out, "%s%s not decrypted from frame %" PRIu64 " (no %s in the key log)",
				ck->dir[side].decrypted ? "; " : ": ", tls_keys_missing_what(s, side),
				ck->dir[side].missing_frame, label);
		if (ck->mismatch && ck->mismatch_side == side)
			fprintf(out, ": the key log's keys do not decrypt frame %" PRIu64, ck->mismatch_frame);
		if (ck->dir[side].failed)
			fprintf(out, "; frame %" PRIu64 " does not authenticate (damaged or lost bytes)",
				ck->dir[side].failed_frame);
		fputc('\n', out);
	}
	if (ck->unsupported)
		fprintf(out, "  Not decrypted: %s\n", ck->unsupported);
	/* the status line only; --redact=names keeps just the code */
	if (!s->http_status && !s->h2_goaway)
		return;
	fprintf(out, "  Server answered (frame %" PRIu64 ", decrypted): ",
		s->http_status ? s->http_status_frame : s->h2_goaway_frame);
	if (s->http_status && redact_names())
		fprintf(out, "HTTP status %u", s->http_status_code);
	else if (s->http_status)
		fputs(s->http_status_line, out);
	if (s->h2_goaway) {
		/* RFC 9113 §6.8: the error code says why the server ends the connection */
		char err[64];
		h2_error_text(err, sizeof err, s->h2_goaway_error);
		fprintf(out, "%sGOAWAY %s, last stream %" PRIu32, s->http_status ? "; " : "HTTP/2 ", err,
			s->h2_goaway_last_stream);
		if (s->http_status && s->h2_goaway_frame != s->http_status_frame)
			fprintf(out, " (frame %" PRIu64 ")", s->h2_goaway_frame);
	}
	fputc('\n', out);
}

static void connection_block(FILE *out, const struct session *s, bool verbose)
{
	char cb[FMT_ADDR_LEN], sb[FMT_ADDR_LEN], tb[FMT_TIME_LEN];
	fmt_endpoint(cb, sizeof cb, s->af, s->client_ip, s->client_port);
	fmt_endpoint(sb, sizeof sb, s->af, s->server_ip, s->server_port);
	fmt_time_iso(tb, sizeof tb, &s->start_time, s->ts_prec);
	fprintf(out, "Connection %" PRIu64 ": %s -> %s  (frames %" PRIu64 "-%" PRIu64 ", %s)\n", s->index, cb, sb,
		s->first_frame, s->last_frame, tb);
	fprintf(out, "  Wireshark: tcp.stream eq %" PRIu64 " in %s\n", s->stream, s->file);
	fputs("  ", out);
	fmt_hello_facts(out, s, fmt_text_escape);
	fprintf(out, "outcome: %s", outcome_name(s->outcome));
	if (s->resumed)
		fputs(", resumed session", out);
	if (s->renegotiation)
		fprintf(out, ", renegotiation at frame %" PRIu64, s->renegotiation_frame);
	if (s->close_kind == CLOSE_FIN || s->close_kind == CLOSE_RST)
		fprintf(out, ", closed by %s (%s, frame %" PRIu64 ")", side_name(s->closed_by),
			s->close_kind == CLOSE_RST ? "RST" : "FIN", s->close_frame);
	if (s->roles_guessed)
		fputs(", client/server roles guessed", out);
	fputc('\n', out);
	keys_facts(out, s);
	if (s->findings.n) {
		fputc('\n', out);
		text_findings(out, &s->findings, "  ");
		written_frames(out, s);
		fputc('\n', out);
	}
	not_tls(out, s);
	starttls_describe(out, s, "  ", fmt_text_escape);
	if (s->timeline_n || s->inferred_alert)
		timeline(out, s);
	ca_names(out, &s->cr, verbose);
	if (verbose)
		fp_text(out, s);
	chain(out, "Server", &s->server_chain);
	chain(out, "Client", &s->client_chain);
	for (int side = 0; side < 2; side++) {
		const struct direction *d = &s->dir[side];
		if (d->appdata_records)
			fprintf(out, "  %s sent %" PRIu64 " application data record%s (%" PRIu64 " bytes) from frame %" PRIu64 "\n",
				side == SIDE_CLIENT ? "Client" : "Server", d->appdata_records,
				d->appdata_records == 1 ? "" : "s", d->appdata_bytes, d->appdata_first_frame);
	}
	if (s->events_n) {
		fputs("  Events:\n", out);
		for (uint32_t i = 0; i < s->events_n; i++) {
			fprintf(out, "    frame %" PRIu64 "  %s  ", s->events[i].frame, s->events[i].id);
			put_escaped(out, s->events[i].detail);
			fputc('\n', out);
		}
		if (s->events_dropped)
			fprintf(out, "    ... %" PRIu32 " more events\n", s->events_dropped);
	}
	fputc('\n', out);
}

/* A connection with warnings only, without -v. */
static void connection_line(FILE *out, const struct session *s)
{
	char cb[FMT_ADDR_LEN], sb[FMT_ADDR_LEN];
	fmt_endpoint(cb, sizeof cb, s->af, s->client_ip, s->client_port);
	fmt_endpoint(sb, sizeof sb, s->af, s->server_ip, s->server_port);
	fprintf(out, "Connection %" PRIu64 ": %s -> %s (tcp.stream eq %" PRIu64 " in %s), %s: WARNING", s->index, cb, sb,
		s->stream, s->file, outcome_name(s->outcome));
	bool first = true;
	for (uint32_t i = 0; i < s->findings.n; i++) {
		if (s->findings.v[i].severity != SEV_WARNING)
			continue;
		fprintf(out, "%s%s", first ? " " : ", ", s->findings.v[i].id);
		first = false;
	}
	fputs(" (-v for details)\n", out);
}

#define SERVER_ROWS 20          /* "By server": the servers with failures, at most */
#define LISTED_PROBLEMS 30      /* the headline's list; all are told below it */
#define FILTERS_SHOWN 2         /* Wireshark filters per file without -v */

static void by_server(FILE *out, const struct summary *sum)
{
	uint32_t rows = 0, more = 0;
	for (uint32_t i = 0; i < sum->n_servers; i++) {
		const struct server_stat *v = &sum->servers[i];
		if (!v->failed && !v->with_error)
			continue;   /* sorted: the troubled ones come first */
		if (rows == SERVER_ROWS) {
			more++;
			continue;
		}
		if (!rows++)
			fputs("By server:\n", out);
		fprintf(out, "  %-28s SNI %-30s %" PRIu64 " connection%s, %" PRIu64 " failed, %" PRIu64 " with errors\n",
			v->endpoint, v->sni, v->connections, v->connections == 1 ? "" : "s", v->failed, v->with_error);
	}
	if (more)
		fprintf(out, "  ... %" PRIu32 " more servers with failures\n", more);
	if (rows && sum->servers_not_listed)
		fprintf(out, "  (the table counts the first %u servers seen; %" PRIu64 " connections to others are not in it)\n",
			SUMMARY_SERVERS, sum->servers_not_listed);
}

static void inputs_and_notes(FILE *out, const struct input_info *in, size_t n_in, const struct summary *sum)
{
	for (size_t i = 0; i < n_in; i++) {
		fprintf(out, "Input: %s (%s, %" PRIu64 " frames)", in[i].file, in[i].link_type, in[i].frames);
		if (in[i].error)
			fprintf(out, ", damaged at frame %" PRIu64 ": %s", in[i].error_frame, in[i].error);
		fputc('\n', out);
	}
	if (sum->truncated_packets || sum->invalid_packets)
		fprintf(out, "Packets: %" PRIu64 " cut short by the capture, %" PRIu64 " malformed\n",
			sum->truncated_packets, sum->invalid_packets);
	if (sum->flows_evicted - sum->flows_evicted_for_memory)
		fprintf(out, "Connections evicted by the connection cap (%u open at most): %" PRIu64 "\n", LIM_FLOWS,
			sum->flows_evicted - sum->flows_evicted_for_memory);
	if (sum->flows_evicted_for_memory)
		fprintf(out, "Connections evicted by the memory limit (%" PRIu64 " MiB; raise it with --memory-limit): %" PRIu64 "\n",
			sum->memory_limit >> 20, sum->flows_evicted_for_memory);
	if (sum->stop_after && sum->cut_by_stop)
		fprintf(out, "Stopped by -c after %" PRIu64 " reported connection%s: %" PRIu64
			" connections in flight were cut off by the stop, not reported\n",
			sum->stop_after, sum->stop_after == 1 ? "" : "s", sum->cut_by_stop);
	if (sum->failed_after_report)
		fprintf(out, "Refused after their report: %" PRIu64 " connection%s reported completed, then ended by an "
			     "alert or a close before any client data: counted failed above\n",
			sum->failed_after_report, sum->failed_after_report == 1 ? "" : "s");
	if (sum->ip_datagrams_dropped)
		fprintf(out, "IP datagrams never completed from their fragments: %" PRIu64 " (at most %u are held, for %d s)\n",
			sum->ip_datagrams_dropped, LIM_FRAG_DATAGRAMS, LIM_FRAG_TIMEOUT_SEC);
	if (sum->live)
		fprintf(out, "Capture: %" PRIu64 " packets received by the filter, %" PRIu64 " dropped by the kernel, %" PRIu64
			     " dropped by the interface\n", sum->pcap_received, sum->pcap_dropped, sum->pcap_if_dropped);
	if (sum->written_file)
		fprintf(out, "Written: %" PRIu64 " packets of the connections with errors to %s%s\n", sum->packets_written,
			sum->written_file, sum->secrets_written ? " (pcapng)" : "");
	if (sum->secrets_written)
		fprintf(out, "Secrets: the key-log lines of %" PRIu64 " written connection%s, in Decryption Secrets Blocks of %s "
			     "(it opens decrypted in Wireshark; keep it as private as the key log)\n",
			sum->secret_blocks, sum->secret_blocks == 1 ? "" : "s", sum->written_file);
}

/* The TCP connections that were not TLS and were left out, with their ports (one line, or none). */
static void left_out_line(FILE *out, const struct summary *sum)
{
	struct strbuf lo;
	sb_init(&lo);
	summary_left_out(&lo, sum);
	if (lo.len)
		fprintf(out, "  %s\n", lo.p);
	sb_free(&lo);
}

static void problem_filters(FILE *out, const struct problem *p, bool all);

/* Live, the connections were told as they ended: at the stop, what they add
 * up to, the problems with their Wireshark filters. */
static void live_problems(FILE *out, const struct problem_set *ps)
{
	size_t n = problems_count(ps);
	if (!n)
		return;
	fprintf(out, "Problems: %zu (most connections first)\n", n);
	for (size_t i = 0; i < n && i < LISTED_PROBLEMS; i++) {
		const struct problem *p = problems_get(ps, i);
		fprintf(out, "  %" PRIu32 ". %s ", p->rank, fmt_severity_label(p->severity));
		put_escaped(out, p->title);
		fputc('\n', out);
		problem_filters(out, p, false);
	}
	if (n > LISTED_PROBLEMS)
		fprintf(out, "  ... %zu more problems (all in --json)\n", n - LISTED_PROBLEMS);
}

static void text_end(struct report_out *o, const struct input_info *in, size_t n_in, const struct summary *sum)
{
	FILE *out = o->f;
	if (o->problem_view) {   /* the headline said the rest */
		by_server(out, sum);
		inputs_and_notes(out, in, n_in, sum);
		return;
	}
	fprintf(out, "Summary: %" PRIu64 " TCP connection%s, %" PRIu64 " reported: %" PRIu64 " completed, %" PRIu64
		     " failed, %" PRIu64 " incomplete, %" PRIu64 " not TLS\n",
		sum->connections, sum->connections == 1 ? "" : "s", sum->tls_connections,
		sum->outcome[OUTCOME_COMPLETED], sum->outcome[OUTCOME_FAILED], sum->outcome[OUTCOME_INCOMPLETE],
		sum->outcome[OUTCOME_NOT_TLS]);
	left_out_line(out, sum);
	fprintf(out, "Diagnosis: %" PRIu64 " connection%s with errors, %" PRIu64 " with warnings only",
		sum->with_error, sum->with_error == 1 ? "" : "s", sum->with_warning);
	uint64_t quiet = sum->not_shown - sum->not_shown_incomplete;
	if (quiet)
		fprintf(out, "; %" PRIu64 " healthy connection%s", quiet, quiet == 1 ? "" : "s");
	if (sum->not_shown_incomplete)
		fprintf(out, "%s%" PRIu64 " incomplete (outcome not captured)", quiet ? " and " : "; ",
			sum->not_shown_incomplete);
	if (sum->not_shown)
		fprintf(out, " not shown (-v shows them)");
	fputc('\n', out);
	for (size_t i = 0; i < n_in; i++)   /* each capture its own clock */
		if (in[i].clock_note)
			fprintf(out, "Clock: %s\n", in[i].clock_note);
	if (sum->trust_note)
		fprintf(out, "Trust: %s\n", sum->trust_note);
	for (uint32_t i = 0; i < sum->n_ids; i++)
		fprintf(out, "  %-34s %" PRIu64 " connection%s\n", sum->by_id[i].id, sum->by_id[i].connections,
			sum->by_id[i].connections == 1 ? "" : "s");
	if (sum->live && o->problems)
		live_problems(out, o->problems);
	by_server(out, sum);
	inputs_and_notes(out, in, n_in, sum);
}

/* Servers that only saw healthy connections (the table's rows; "+": more not in it). */
static void healthy_line(FILE *out, const struct summary *sum)
{
	uint64_t healthy = sum->healthy;   /* completed: an incomplete one is no success */
	uint32_t servers = 0;
	for (uint32_t i = 0; i < sum->n_servers; i++)
		servers += sum->servers[i].connections > sum->servers[i].with_error;
	fprintf(out, "%" PRIu64 " connection%s completed normally", healthy, healthy == 1 ? "" : "s");
	if (healthy)
		fprintf(out, " to %" PRIu32 "%s server%s", servers, sum->servers_not_listed ? "+" : "",
			servers == 1 ? "" : "s");
	if (sum->with_warning)
		fprintf(out, "; %" PRIu64 " with warnings only", sum->with_warning);
	fputs(".\n", out);
}

static void text_headline(struct report_out *o, const struct input_info *in, size_t n_in, const struct summary *sum,
			  const struct problem_set *ps)
{
	size_t n_problems = problems_count(ps);
	FILE *out = o->f;
	char t1[FMT_TIME_LEN], t2[FMT_TIME_LEN];
	fputs("tlsdiag: ", out);
	for (size_t i = 0; i < n_in; i++)
		fprintf(out, "%s%s (%" PRIu64 " frames)", i ? ", " : "", in[i].file, in[i].frames);
	fputc('\n', out);
	if (sum->has_time) {
		fmt_time_iso(t1, sizeof t1, &sum->first_time, sum->ts_prec);
		fmt_time_iso(t2, sizeof t2, &sum->last_time, sum->ts_prec);
		fprintf(out, "Time: %s .. %s (%" PRId64 " s)\n", t1, t2, sum->last_time.sec - sum->first_time.sec);
	}
	fprintf(out, "Connections: %" PRIu64 " TCP, %" PRIu64 " reported: %" PRIu64 " completed, %" PRIu64 " failed, %" PRIu64
		     " incomplete, %" PRIu64 " not TLS; %" PRIu64 " with errors\n",
		sum->connections, sum->tls_connections, sum->outcome[OUTCOME_COMPLETED], sum->outcome[OUTCOME_FAILED],
		sum->outcome[OUTCOME_INCOMPLETE], sum->outcome[OUTCOME_NOT_TLS], sum->with_error);
	left_out_line(out, sum);
	healthy_line(out, sum);
	for (size_t i = 0; i < n_in; i++)   /* each capture its own clock */
		if (in[i].clock_note)
			fprintf(out, "Clock: %s\n", in[i].clock_note);
	if (sum->trust_note)
		fprintf(out, "Trust: %s\n", sum->trust_note);
	fprintf(out, "Problems: %zu%s\n", n_problems, n_problems ? " (most connections first, each told below)" : "");
	for (size_t i = 0; i < n_problems && i < LISTED_PROBLEMS; i++) {
		const struct problem *p = problems_get(ps, i);
		fprintf(out, "  %" PRIu32 ". %s ", p->rank, fmt_severity_label(p->severity));
		put_escaped(out, p->title);
		fputc('\n', out);
	}
	if (n_problems > LISTED_PROBLEMS)
		fprintf(out, "  ... %zu more problems, told below\n", n_problems - LISTED_PROBLEMS);
}

/* The Wireshark filters of a problem, per file. */
static void problem_filters(FILE *out, const struct problem *p, bool all)
{
	char *buf = mem_alloc_uninit(PROBLEM_FILTER_LEN);
	for (uint32_t i = 0; i < p->n_files; i++) {
		const struct problem_file *f = &p->files[i];
		uint32_t n = problem_filter_count(f), show = all || n <= FILTERS_SHOWN ? n : FILTERS_SHOWN;
		fprintf(out, "  Wireshark filter for %s (%" PRIu32 " connection%s%s):\n", f->file, f->n,
			f->n == 1 ? "" : "s", n > 1 ? ", split" : "");
		for (uint32_t k = 0; k < show; k++) {
			problem_filter(f, k, buf, PROBLEM_FILTER_LEN);
			fprintf(out, "    %s\n", buf);
		}
		if (show < n)
			fprintf(out, "    ... %" PRIu32 " more filters (all with -v or in --json)\n", n - show);
		if (f->not_listed)
			fprintf(out, "    ... and %" PRIu64 " connections beyond the %u listed\n", f->not_listed,
				PROBLEM_STREAMS_MAX);
	}
	mem_free(buf);
}

static void problem_packets(FILE *out, const struct problem *p)
{
	if (p->written)
		fprintf(out, "  Packets: written to %s (-w)\n", p->written_file);
	else if (p->severity == SEV_ERROR)
		fputs("  Packets: -w FILE.pcap writes them (with every connection with an error)\n", out);
	else
		fputs("  Packets: -w FILE.pcap --write-all writes them (with every TLS connection)\n", out);
}

static void text_problem(struct report_out *o, const struct problem *p)
{
	FILE *out = o->f;
	char t1[FMT_TIME_LEN], t2[FMT_TIME_LEN];
	fprintf(out, "\nProblem %" PRIu32 " (%s): ", p->rank, severity_name(p->severity));
	put_escaped(out, p->title);
	fputs("\n  Findings: ", out);
	for (uint32_t i = 0; i < p->n_ids; i++)
		fprintf(out, "%s%s", i ? ", " : "", p->ids[i]);
	if (p->judged_early)
		fprintf(out, "\n  Clock: %" PRIu64 " connection%s judged before the capture's clock offset was learned; by it "
			     "the certificates are valid, so cert-not-yet-valid is withdrawn here (the connection report%s "
			     "still show%s it)", p->judged_early, p->judged_early == 1 ? " was" : "s were",
			p->judged_early == 1 ? "" : "s", p->judged_early == 1 ? "s" : "");
	fmt_time_iso(t1, sizeof t1, &p->first_time, p->ts_prec);
	fmt_time_iso(t2, sizeof t2, &p->last_time, p->ts_prec);
	fprintf(out, "\n  %" PRIu64 " connection%s, %" PRIu64 "%s client%s, %" PRIu64 "%s server%s, %" PRIu64 "%s SNI%s; first %s, last %s\n",
		p->connections, p->connections == 1 ? "" : "s", p->clients, p->clients_more ? "+" : "",
		p->clients == 1 ? "" : "s", p->servers, p->servers_more ? "+" : "", p->servers == 1 ? "" : "s", p->snis,
		p->snis_more ? "+" : "", p->snis == 1 ? "" : "s", t1, t2);
	problem_filters(out, p, o->verbose);
	problem_packets(out, p);
	fprintf(out, "  Representative: connection %" PRIu64 " (tcp.stream eq %" PRIu64 " in %s)\n\n", p->rep_index,
		p->rep_stream, p->rep_file);
	if (p->story)
		fwrite(p->story, 1, p->story_len, out);
}

static void bundle_cert(FILE *out, const struct bundle_facts *b, int i)
{
	fprintf(out, "  [%d] ", i);
	if (b->cf.line[i])
		fprintf(out, "line %" PRIu32 ", ", b->cf.line[i]);
	cert_lines(out, b->cf.certs[i], "      ");
}

/* --check-bundle: the bundle, its certificates, the key, the findings. */
static void text_bundle(struct report_out *o, const struct bundle_facts *b, const struct finding_list *fl)
{
	FILE *out = o->f;
	fputs("Bundle ", out);
	put_escaped(out, b->chain_path);
	if (b->chain_ok)
		fprintf(out, ": %s, %" PRIu32 " certificate%s\n", b->cf.format, b->cf.n, b->cf.n == 1 ? "" : "s");
	else
		fputs(": not readable\n", out);
	for (int i = 0; i < b->n; i++)
		bundle_cert(out, b, i);
	if (b->cf.n > (uint32_t)b->n)
		fprintf(out, "  ... %" PRIu32 " more certificates not checked\n", b->cf.n - (uint32_t)b->n);
	bundle_key_and_time(out, b, "  ", "\n", "\n", fmt_text_escape);
	fputc('\n', out);
	if (fl->n) {
		text_findings(out, fl, "");
		fputc('\n', out);
	}
	fmt_totals(out, fl, "");
}

static void text_connection(struct report_out *o, const struct session *s, bool brief)
{
	if (brief)
		connection_line(o->f, s);
	else
		connection_block(o->f, s, o->verbose);
}

const struct report_writer text_writer = {
	.name = "text",
	.help = "for a terminal (the default)",
	.quiet_when_healthy = true,
	.problems_first = true,
	.connection = text_connection,
	.headline = text_headline,
	.problem = text_problem,
	.bundle = text_bundle,
	.end = text_end,
};
