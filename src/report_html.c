/* report_html.c - one self-contained HTML file for a support case: headline, problems with ladders, chart, connections.
 *
 * The page needs the summary first but the summary comes last, so the
 * parts are written into memory streams as connections settle and put
 * together at the end. Memory stays bounded on any capture: at most
 * HTML_SECTIONS problems (problems.c groups them) are told in full by
 * their representative, at most HTML_ROWS
 * connections are listed, and the chart is a fixed grid of counters; the
 * page says when a cap cut something.
 */
#include "writer.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "html.h"
#include "mem.h"
#include "problems.h"
#include "reporter.h"
#include "starttls_report.h"
#include "x509.h"

#define HTML_SECTIONS 25u   /* problems told in full with their ladder */
#define HTML_ROWS 2000u     /* lines of the connection list */
#define HTML_CA_NAMES 20u   /* acceptable CA names listed per problem */

/* A part of the page being written into memory. */
struct part {
	FILE *f;
	char *p;
	size_t n;
};

/* A problem told in full: its representative's part of the section, written
 * when that connection settles; the title, rank and members come from
 * problems.c at the end, when all of them are known. */
struct told {
	uint32_t problem_id;
	int severity;
	struct part body;    /* facts, findings, ladder, CA names, chains */
	struct part lead;    /* the lead finding's summary, for the index */
};

static struct html_state {
	struct part rows;
	struct told told[HTML_SECTIONS];
	uint32_t n_told;
	const struct problem_set *problems;   /* from the headline call: ranked, titled */
	uint64_t n_rows, rows_not_listed;
	uint64_t handed;             /* connections the writer saw */
	uint64_t unlisted_incomplete; /* ... not listed (no -v) and incomplete: not healthy, their outcome unknown */
	bool have_time;
	struct ts first, last;
	uint8_t prec;
	struct html_chart chart;
} *st;

static FILE *part_open(struct part *p)
{
	p->f = open_memstream(&p->p, &p->n);
	return p->f;
}

/* Write a part out and free it (open_memstream's buffer is malloc'd). */
static void part_flush(struct part *p, FILE *out)
{
	if (!p->f)
		return;
	fclose(p->f);
	p->f = NULL;
	if (out)
		fwrite(p->p, 1, p->n, out);
	free(p->p);
	p->p = NULL;
}

static const char *const css =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2329;margin:0;background:#f4f6f8}\n"
	"main{max-width:1100px;margin:0 auto;padding:18px 28px 60px;background:#fff;overflow-wrap:anywhere}\n"
	"h1{font-size:22px;margin:6px 0 4px}h2{font-size:18px;margin:0 0 6px}h3{font-size:15px;margin:18px 0 6px}\n"
	".headline{font-size:17px;margin:8px 0 14px;padding:10px 14px;border-left:5px solid #c62828;background:#fdecea}\n"
	".headline.ok{border-color:#2e7d32;background:#e8f5e9}\n"
	".meta{color:#5a6570;font-size:13px}code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}\n"
	"section.problem{border:1px solid #d5dbe1;border-radius:8px;padding:14px 18px;margin:18px 0}\n"
	".sev{display:inline-block;font-size:11px;font-weight:700;padding:1px 6px;border-radius:4px;color:#fff;margin-right:6px}\n"
	".sev.error{background:#c62828}.sev.warning{background:#ef6c00}.sev.info{background:#1565c0}\n"
	"ul.findings{list-style:none;padding:0}ul.findings li{margin:8px 0;padding:6px 10px;background:#f7f9fb;border-radius:6px}\n"
	"ul.findings .why{color:#3c4650;margin-top:3px}ul.findings .fix{margin-top:3px}\n"
	"table{border-collapse:collapse;width:100%;font-size:12.5px;margin:4px 0 8px}\n"
	"th,td{border:1px solid #dde3e8;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}\n"
	"th{background:#eef2f5}td.bad{background:#fdecea;color:#b71c1c;font-weight:600}\n"
	"td.bad small{display:block;font-weight:400}td.nw{white-space:nowrap}\n"
	"svg.ladder{display:block;margin:8px 0;max-width:100%;height:auto}\n"
	".lhead{fill:#eef2f5;stroke:#9aa7b3}.lwho{font:700 13px sans-serif;text-anchor:middle}\n"
	".laddr{font:12px monospace;text-anchor:middle;fill:#3c4650}.llife{stroke:#9aa7b3;stroke-width:2}\n"
	".lcol{font:italic 11px sans-serif;fill:#7a8590}\n"
	".m line{stroke:#333;stroke-width:1.6}.m .llabel{font:600 13px sans-serif;text-anchor:middle;fill:#1d2329}\n"
	".lsize{font:11px sans-serif;text-anchor:middle;fill:#5a6570}.lframe{font:600 12px monospace;fill:#1d2329}\n"
	".ltime{font:11px monospace;fill:#5a6570}\n"
	".m.alert line,.m.inferred line,.m.reset line{stroke:#c62828;stroke-width:2.2}\n"
	".m.alert .llabel,.m.inferred .llabel,.m.reset .llabel{fill:#c62828}\n"
	".m.enc line,.m.inferred line{stroke-dasharray:6 4}.m.close line{stroke:#888}.m.close .llabel{fill:#666}\n"
	".cited{fill:#fff8e1}.citebar{fill:#f0a500}.broke line{stroke:#c62828;stroke-width:1.5;stroke-dasharray:3 3}\n"
	".broke text{font:700 12px sans-serif;fill:#c62828;text-anchor:middle}\n"
	".key{font-size:12px;color:#5a6570}.key span{margin-right:14px}\n"
	"svg.chart{display:block;max-width:100%;height:auto}svg.chart .axis{stroke:#555}svg.chart .grid{stroke:#e3e7eb}svg.chart .tick{font:11px sans-serif;fill:#5a6570}\n"
	"ul.legend{list-style:none;padding:0;margin:4px 0 0 56px;font-size:12.5px}ul.legend li{display:inline-block;margin-right:16px}\n"
	".sw{display:inline-block;width:11px;height:11px;margin-right:5px;vertical-align:-1px;border-radius:2px}\n"
	"tr.failed td:first-child{border-left:4px solid #c62828}tr.warn td:first-child{border-left:4px solid #ef6c00}\n"
	".capped{color:#8a5300;background:#fff8e1;padding:4px 8px;border-radius:4px}\n"
	".note{color:#b71c1c;background:#fdecea;padding:4px 8px;border-radius:4px}\n"
	".pre{white-space:pre-wrap}\n";

static void html_begin(struct report_out *o)
{
	(void)o;
	st = mem_alloc(sizeof *st);
	part_open(&st->rows);
}

static void put_time_iso(FILE *out, const struct ts *t, int prec)
{
	char tb[FMT_TIME_LEN];
	fmt_time_iso(tb, sizeof tb, t, prec);
	fputs(tb, out);
}

static void put_frames(FILE *out, const struct finding *f)
{
	for (unsigned k = 0; k < f->n_frames; k++)
		fprintf(out, "%s%" PRIu64, k ? ", " : f->n_frames > 1 ? " frames " : " frame ", f->frames[k]);
}

static const char *sev_class(int sev)
{
	return sev == SEV_ERROR ? "error" : sev == SEV_WARNING ? "warning" : "info";
}

static void findings_list(FILE *out, const struct finding_list *l)
{
	finding_words(l);
	fputs("<ul class=\"findings\">\n", out);
	for (int sev = SEV_ERROR; sev >= SEV_INFO; sev--) {
		for (uint32_t i = 0; i < l->n; i++) {
			const struct finding *f = &l->v[i];
			if (f->severity != sev)
				continue;
			fprintf(out, "<li class=\"finding\" data-id=\"%s\"><span class=\"sev %s\">%s</span><code>%s</code>",
				f->id, sev_class(sev), fmt_severity_label(sev), f->id);
			if (f->side != SIDE_BOTH)
				fprintf(out, " (%s)", side_name(f->side));
			put_frames(out, f);
			fputs("<div>", out);
			html_text(out, f->summary);
			fputs("</div><div class=\"why\"><b>Cause:</b> ", out);
			html_text(out, f->cause);
			fputs("</div><div class=\"fix\"><b>Fix:</b> ", out);
			html_text(out, f->fix);
			fputs("</div>", out);
			for (unsigned k = 0; k < f->n_logs; k++) {
				const struct finding_log *g = &f->logs[k];
				fprintf(out, "<div class=\"logged\"><b>Logged by the %s (%s", side_name(g->side),
					g->identified ? "" : "if ");
				html_text(out, g->software);
				fputs("):</b> <code>", out);
				html_text(out, g->line);
				fputs("</code></div>", out);
			}
			fputs("</li>\n", out);
		}
	}
	fputs("</ul>\n", out);
}

/* ---- certificates, with the property a finding is about marked ---- */

enum cert_col { COL_SUBJECT, COL_ISSUER, COL_VALID, COL_KEY, COL_SIG, COL_SAN, COL_USAGE, N_COLS };

/* Which finding ids point at which column, and which certificate of the chain
 * (chain-untrusted is not among them: the certificate it failed at is only in its text). */
enum cert_pick { PICK_LEAF, PICK_TOP, PICK_EXPIRED, PICK_NOT_YET, PICK_SOONEST, PICK_WEAK_SIG, PICK_WEAK_KEY };
static const struct { const char *id; uint8_t col; uint8_t pick; } cert_marks[] = {
	{ "cert-expired", COL_VALID, PICK_EXPIRED },
	{ "cert-not-yet-valid", COL_VALID, PICK_NOT_YET },
	{ "cert-expires-soon", COL_VALID, PICK_SOONEST },
	{ "hostname-mismatch", COL_SAN, PICK_LEAF },
	{ "cert-no-san", COL_SAN, PICK_LEAF },
	{ "cert-self-signed", COL_ISSUER, PICK_LEAF },
	{ "weak-signature", COL_SIG, PICK_WEAK_SIG },
	{ "weak-key", COL_KEY, PICK_WEAK_KEY },
	{ "server-chain-incomplete", COL_ISSUER, PICK_TOP },
	{ "client-cert-issuer-not-requested", COL_ISSUER, PICK_TOP },
	{ "client-cert-unsuitable", COL_USAGE, PICK_LEAF },
};

static bool picked(int pick, const struct chain *ch, uint32_t i, int64_t at)
{
	const struct x509_cert *c = ch->certs[i].x509;
	switch (pick) {
	case PICK_LEAF: return i == 0;
	case PICK_TOP: return i + 1 == ch->n;
	case PICK_EXPIRED: return c->has_validity && c->not_after < at;
	case PICK_NOT_YET: return c->has_validity && c->not_before > at;
	case PICK_WEAK_SIG: return c->sig_md_nid == NID_md5 || c->sig_md_nid == NID_sha1;
	case PICK_WEAK_KEY:
		return ((!strcmp(c->key_type, "RSA") || !strcmp(c->key_type, "DSA")) && c->key_bits < 2048) ||
		       (!strcmp(c->key_type, "EC") && c->key_bits < 224);
	case PICK_SOONEST:
		for (uint32_t k = 0; k < ch->n; k++) {
			const struct x509_cert *o = ch->certs[k].x509;
			if (o->x && o->has_validity && o->not_after < c->not_after)
				return false;
		}
		return c->has_validity;
	default: return false;
	}
}

/* For certificate i: the finding id behind each marked column, or NULL. */
static void cert_bad(const struct session *s, int side, const struct chain *ch, uint32_t i, const char *bad[N_COLS])
{
	for (int k = 0; k < N_COLS; k++)
		bad[k] = NULL;
	for (uint32_t f = 0; f < s->findings.n; f++) {
		const struct finding *fd = &s->findings.v[f];
		if (fd->side != side || fd->severity < SEV_WARNING)
			continue;
		for (size_t m = 0; m < sizeof cert_marks / sizeof cert_marks[0]; m++)
			if (!strcmp(fd->id, cert_marks[m].id) && picked(cert_marks[m].pick, ch, i, s->start_time.sec))
				bad[cert_marks[m].col] = fd->id;
	}
}

/* nowrap: dates that must stay on their lines */
static void cell_open(FILE *out, const char *bad, bool nowrap)
{
	fprintf(out, "<td class=\"%s%s\">", bad ? "bad" : "", nowrap ? " nw" : "");
}

static void cell_close(FILE *out, const char *bad)
{
	if (bad)
		fprintf(out, "<small>← %s</small>", bad);
	fputs("</td>", out);
}

static void usage_text(FILE *out, const struct x509_cert *c)
{
	fputs(c->is_ca ? "CA" : "end entity", out);
	if (c->has_eku)
		fprintf(out, "; EKU %s%s%s", c->eku_server_auth ? "serverAuth " : "", c->eku_client_auth ? "clientAuth " : "",
			c->eku_any ? "any" : (!c->eku_server_auth && !c->eku_client_auth ? "other" : ""));
}

static void cert_row(FILE *out, const struct session *s, int side, const struct chain *ch, uint32_t i)
{
	const struct x509_cert *c = ch->certs[i].x509;
	char t1[32], t2[32], hex[80];
	const char *bad[N_COLS];
	fprintf(out, "<tr><td>%" PRIu32 "</td>", i);
	if (!c->x) {
		fprintf(out, "<td colspan=\"7\">not a valid certificate (%" PRIu32 " bytes): ", ch->certs[i].der_len);
		html_text(out, c->parse_error);
		fputs("</td><td></td></tr>\n", out);
		return;
	}
	cert_bad(s, side, ch, i, bad);
	const char *text[2] = { c->subject, c->issuer };
	for (int k = COL_SUBJECT; k <= COL_ISSUER; k++) {
		cell_open(out, bad[k], false);
		html_text(out, text[k]);
		if (k == COL_ISSUER && c->self_signed)
			fputs(" (self-signed)", out);
		cell_close(out, bad[k]);
	}
	cell_open(out, bad[COL_VALID], true);
	x509_format_time(c->not_before, t1, sizeof t1);
	x509_format_time(c->not_after, t2, sizeof t2);
	if (c->has_validity)
		fprintf(out, "%s<br>%s", t1, t2);
	cell_close(out, bad[COL_VALID]);
	cell_open(out, bad[COL_KEY], false);
	fprintf(out, "%s %" PRIu32, c->key_type, c->key_bits);
	cell_close(out, bad[COL_KEY]);
	cell_open(out, bad[COL_SIG], false);
	html_text(out, c->sig_alg);
	cell_close(out, bad[COL_SIG]);
	cell_open(out, bad[COL_SAN], false);
	for (uint32_t k = 0; k < c->san_n; k++) {
		fputs(k ? ", " : "", out);
		html_text(out, c->san[k]);
	}
	if (!c->san_n)
		fputs("(none)", out);
	cell_close(out, bad[COL_SAN]);
	cell_open(out, bad[COL_USAGE], false);
	usage_text(out, c);
	cell_close(out, bad[COL_USAGE]);
	fmt_hex(hex, sizeof hex, c->sha256, sizeof c->sha256);
	fprintf(out, "<td class=\"mono\" title=\"SHA-256 %s\">%.16s…</td></tr>\n", hex, hex);
}

static void chain_table(FILE *out, const struct session *s, int side)
{
	const struct chain *ch = side == SIDE_SERVER ? &s->server_chain : &s->client_chain;
	const char *who = side == SIDE_SERVER ? "Server" : "Client";
	if (ch->state == CHAIN_ENCRYPTED || ch->state == CHAIN_ABSENT)
		return;
	if (ch->state == CHAIN_UNOBSERVABLE) {
		fprintf(out, "<h3>%s certificates (frame %" PRIu64 ")</h3><p>Not analyzed: not fully captured.</p>\n", who,
			ch->frame);
		return;
	}
	fprintf(out, "<h3>%s certificates (frame %" PRIu64 ", %" PRIu32 ")</h3>\n", who, ch->frame, ch->count);
	if (ch->count == 0) {
		fprintf(out, "<p class=\"note\">The %s sent an empty Certificate message (length 0): no certificate at all.</p>\n",
			side_name(side));
		return;
	}
	fputs("<table class=\"chain\"><tr><th>#</th><th>subject</th><th>issuer</th><th>valid from / until</th><th>key</th>"
	      "<th>signature</th><th>subjectAltName</th><th>use</th><th>SHA-256</th></tr>\n", out);
	for (uint32_t i = 0; i < ch->n; i++)
		cert_row(out, s, side, ch, i);
	fputs("</table>\n", out);
	if (ch->count > ch->n)
		fprintf(out, "<p>… %" PRIu32 " more not analyzed</p>\n", ch->count - ch->n);
}

static void ca_names(FILE *out, const struct cert_request *cr)
{
	if (!cr->present)
		return;
	const struct dn_list *dl = x509_dn_list(cr->dn_bytes, cr->dn_bytes_len, cr->dn_off, cr->dn_len, cr->dn_count);
	fprintf(out, "<h3>Acceptable client certificate CAs (Certificate Request, frame %" PRIu64 ", %" PRIu32 ")</h3>\n<ul>",
		cr->frame, cr->dn_count);
	if (cr->dn_count == 0)
		fputs("<li>an empty list: the server accepts any issuer it trusts</li>", out);
	for (uint32_t i = 0; i < cr->dn_count && i < HTML_CA_NAMES; i++) {
		fputs("<li class=\"mono\">", out);
		if (dl->text[i])
			html_text(out, dl->text[i][0] ? dl->text[i] : "(empty name)");
		else
			fprintf(out, "unparsable DER name, %u bytes", cr->dn_len[i]);
		fputs("</li>", out);
	}
	if (cr->dn_count > HTML_CA_NAMES)
		fprintf(out, "<li>… %" PRIu32 " more (all of them: --format json)</li>", cr->dn_count - HTML_CA_NAMES);
	fputs("</ul>\n", out);
}

/* ---- a problem: one representative told in full, and its members ---- */

static void facts(FILE *out, const struct session *s)
{
	char cb[FMT_ADDR_LEN], sb[FMT_ADDR_LEN];
	fmt_endpoint(cb, sizeof cb, s->af, s->client_ip, s->client_port);
	fmt_endpoint(sb, sizeof sb, s->af, s->server_ip, s->server_port);
	fprintf(out, "<p class=\"facts\">Representative: connection %" PRIu64 ", client <code>%s</code> → server <code>%s</code>, ",
		s->index, cb, sb);
	fmt_hello_facts(out, s, html_escape);
	fprintf(out, "outcome <b>%s</b>", outcome_name(s->outcome));
	if (s->close_kind == CLOSE_FIN || s->close_kind == CLOSE_RST)
		fprintf(out, ", closed by %s (%s, frame %" PRIu64 ")", side_name(s->closed_by),
			s->close_kind == CLOSE_RST ? "RST" : "FIN", s->close_frame);
	fputs(".<br><span class=\"meta\">File <code>", out);
	html_text(out, s->file);
	fprintf(out, "</code>, frames %" PRIu64 "–%" PRIu64 ", started ", s->first_frame, s->last_frame);
	put_time_iso(out, &s->start_time, s->ts_prec);
	fputs("</span></p>\n", out);
	if (s->starttls.requested || s->proxy.present) {   /* what came before the TLS: the upgrade, a PROXY header */
		fputs("<p class=\"meta pre\">", out);
		starttls_describe(out, s, "", html_escape);
		fputs("</p>\n", out);
	}
}

/* The connections of a problem: the Wireshark filter of each file, and -w. */
static void members_list(FILE *out, const struct problem *p)
{
	fprintf(out, "<h3>Connections (%" PRIu64 ")</h3>\n", p->connections);
	for (uint32_t k = 0; k < p->n_files; k++) {
		const struct problem_file *f = &p->files[k];
		fputs("<p>", out);
		if (p->n_files > 1) {
			fputs("In <code>", out);
			html_text(out, f->file);
			fputs("</code>: ", out);
		}
		fputs("Wireshark display filter: <code class=\"filter\">tcp.stream ", out);
		if (f->n == 1) {
			fprintf(out, "eq %" PRIu64 "</code>", f->streams[0]);
		} else {
			fputs("in {", out);
			for (uint32_t i = 0; i < f->n; i++)
				fprintf(out, "%s%" PRIu64, i ? " " : "", f->streams[i]);
			fputs("}</code>", out);
		}
		if (f->not_listed)
			fprintf(out, " (the first %" PRIu32 "; %" PRIu64 " more not listed)", f->n, f->not_listed);
		fputs("</p>\n", out);
	}
	if (p->written)
		fputs("<p>Their packets were written by <code>-w</code> to <code>", out), html_text(out, p->written_file),
			fputs("</code>.</p>\n", out);
	else
		fputs("<p><code>-w FILE</code> writes their packets to a pcap.</p>\n", out);
}

static void ladder_key(FILE *out)
{
	fputs("<p class=\"key\"><span>→ one arrow per message or record</span><span style=\"color:#c62828\">red: alert, "
	      "reset</span><span>dashed: encrypted or inferred</span><span style=\"background:#fff3cd\">band: a frame the "
	      "error cites</span></p>\n", out);
}

/* The part of a problem's section its representative tells. */
static void representative_body(FILE *out, const struct session *rep)
{
	facts(out, rep);
	if (rep->findings.n)
		findings_list(out, &rep->findings);
	html_ladder(out, rep);
	ladder_key(out);
	ca_names(out, &rep->cr);
	chain_table(out, rep, SIDE_SERVER);
	chain_table(out, rep, SIDE_CLIENT);
}

static void problem_section(FILE *out, const struct problem *p, const struct told *t)
{
	fprintf(out, "<section class=\"problem\" id=\"p%" PRIu32 "\">\n<h2 id=\"q%" PRIu32 "\"><span class=\"sev %s\">%s</span>"
		     "Problem %" PRIu32 ": ", p->rank, p->id, sev_class(t->severity), fmt_severity_label(t->severity), p->rank);
	html_text(out, p->title);
	fputs("</h2>\n", out);
	fwrite(t->body.p, 1, t->body.n, out);
	members_list(out, p);
	fputs("</section>\n", out);
}

/* The finding a problem is named after: its first error, else warning, else info. */
static const struct finding *lead_finding(const struct session *s)
{
	const struct finding *best = NULL;
	for (uint32_t i = 0; i < s->findings.n; i++)
		if (!best || s->findings.v[i].severity > best->severity)
			best = &s->findings.v[i];
	return best;
}

static void index_entry(FILE *out, const struct problem *p, const struct told *t)
{
	fprintf(out, "<li><a href=\"#p%" PRIu32 "\">Problem %" PRIu32 "</a>: <b>", p->rank, p->rank);
	html_text(out, p->title);
	fprintf(out, "</b> — %" PRIu64 " connection%s", p->connections, p->connections == 1 ? "" : "s");
	if (t->lead.n) {
		fputs("<br><span class=\"meta\">", out);
		fwrite(t->lead.p, 1, t->lead.n, out);
		fputs("</span>", out);
	}
	fputs("</li>\n", out);
}

static const struct told *told_of(uint32_t problem_id)
{
	for (uint32_t i = 0; i < st->n_told; i++)
		if (st->told[i].problem_id == problem_id)
			return &st->told[i];
	return NULL;
}

static void connection_row(FILE *out, const struct session *s, const struct problem *p)
{
	char cb[FMT_ADDR_LEN], sb[FMT_ADDR_LEN], tb[FMT_TIME_LEN], sni[FMT_SNI_LEN];
	fmt_endpoint(cb, sizeof cb, s->af, s->client_ip, s->client_port);
	fmt_endpoint(sb, sizeof sb, s->af, s->server_ip, s->server_port);
	fmt_time_of_day(tb, sizeof tb, &s->start_time, s->ts_prec);
	fprintf(out, "<tr class=\"%s\"><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td class=\"mono\">%s</td><td class=\"mono\">%s</td>"
		     "<td class=\"mono\">%s</td><td>", report_is_failure(s) ? "failed" : report_is_notable(s) ? "warn" : "ok",
		s->index, s->stream, tb, cb, sb);
	if (s->ch.has_sni)
		html_escape(out, sni, fmt_sni(sni, sizeof sni, s->ch.sni, s->ch.sni_len));
	fprintf(out, "</td><td>%s</td><td>", outcome_name(s->outcome));
	for (uint32_t i = 0, k = 0; i < s->findings.n; i++)
		if (s->findings.v[i].severity >= SEV_WARNING)
			fprintf(out, "%s<code>%s</code>", k++ ? " " : "", s->findings.v[i].id);
	if (p && told_of(p->id))   /* its rank is known only at the end: the link goes by the problem's id */
		fprintf(out, " <a href=\"#q%" PRIu32 "\">its problem</a>", p->id);
	fputs("</td></tr>\n", out);
}

static void html_connection(struct report_out *o, const struct session *s, bool brief)
{
	(void)brief;   /* every problem gets its section while there is room */
	bool notable = report_is_notable(s);
	st->handed++;
	if (!st->have_time || s->start_time.sec < st->first.sec ||
	    (s->start_time.sec == st->first.sec && s->start_time.nsec < st->first.nsec))
		st->first = s->start_time;
	if (!st->have_time || s->end_time.sec > st->last.sec ||
	    (s->end_time.sec == st->last.sec && s->end_time.nsec > st->last.nsec))
		st->last = s->end_time;
	st->have_time = true;
	st->prec = s->ts_prec;
	if (notable) {
		const struct finding *f = lead_finding(s);
		unsigned series = html_chart_series(&st->chart, f ? f->id : outcome_name(s->outcome));
		html_chart_add(&st->chart, s->start_time.sec, (int)series);
	} else {
		html_chart_add(&st->chart, s->start_time.sec, -1);
	}
	/* a problem's first connection tells it, while there is room */
	if (o->problem && o->representative && st->n_told < HTML_SECTIONS) {
		struct told *t = &st->told[st->n_told];
		finding_words(&s->findings);
		const struct finding *f = lead_finding(s);
		if (part_open(&t->body) && part_open(&t->lead)) {
			t->problem_id = o->problem->id;
			t->severity = o->problem->severity;
			representative_body(t->body.f, s);
			if (f)
				html_text(t->lead.f, f->summary);
			fflush(t->body.f);
			fflush(t->lead.f);
			st->n_told++;
		} else {
			part_flush(&t->body, NULL);
			part_flush(&t->lead, NULL);
		}
	}
	if (!notable && !o->verbose) {
		st->unlisted_incomplete += s->outcome != OUTCOME_COMPLETED;
		return;
	}
	if (st->n_rows < HTML_ROWS && st->rows.f) {
		connection_row(st->rows.f, s, o->problem);
		st->n_rows++;
	} else {
		st->rows_not_listed++;
	}
}

static void page_head(FILE *out, const struct input_info *in, size_t n_in)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      /* nothing may be fetched: the report is opened from a support case */
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
	      "<title>tlsdiag report", out);
	if (n_in) {
		fputs(": ", out);
		html_text(out, in[0].file);
		if (n_in > 1)
			fprintf(out, " and %zu more", n_in - 1);
	}
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", css);
}

/* The writer's headline call: the problems, ranked and titled, for the page's end. */
static void html_problems(struct report_out *o, const struct input_info *in, size_t n_in, const struct summary *sum,
			  const struct problem_set *ps)
{
	(void)o, (void)in, (void)n_in, (void)sum;
	st->problems = ps;
}

static void headline(FILE *out, const struct input_info *in, size_t n_in, const struct summary *sum)
{
	uint64_t failed = sum->outcome[OUTCOME_FAILED] + sum->outcome[OUTCOME_NOT_TLS];
	uint64_t problems = st->problems ? problems_count(st->problems) : 0;
	fputs("<h1>TLS handshake report</h1>\n<p class=\"meta\">", out);
	for (size_t i = 0; i < n_in; i++) {
		fputs(i ? "<br>" : "", out);
		fputs("Input <code>", out);
		html_text(out, in[i].file);
		fprintf(out, "</code> (%s, %" PRIu64 " frames)", in[i].link_type, in[i].frames);
		if (in[i].error) {
			fprintf(out, ", damaged at frame %" PRIu64 ": ", in[i].error_frame);
			html_text(out, in[i].error);
		}
	}
	if (st->have_time) {
		fputs("<br>From ", out);
		put_time_iso(out, &st->first, st->prec);
		fputs(" to ", out);
		put_time_iso(out, &st->last, st->prec);
	}
	fprintf(out, "</p>\n<p class=\"headline%s\" id=\"headline\">", sum->with_error || failed ? "" : " ok");
	fprintf(out, "<b>%" PRIu64 " of %" PRIu64 " TLS connection%s failed</b>", failed, sum->tls_connections,
		sum->tls_connections == 1 ? "" : "s");
	fprintf(out, "; %" PRIu64 " with errors, %" PRIu64 " with warnings only; %" PRIu64 " completed", sum->with_error,
		sum->with_warning, sum->outcome[OUTCOME_COMPLETED]);
	fprintf(out, ". <b>%" PRIu64 " problem%s</b> below.</p>\n", problems, problems == 1 ? "" : "s");
	fprintf(out, "<p class=\"meta\">%" PRIu64 " TCP connections, %" PRIu64 " packets; %" PRIu64 " incomplete, %" PRIu64
		     " not TLS.</p>\n", sum->connections, sum->packets, sum->outcome[OUTCOME_INCOMPLETE],
		sum->outcome[OUTCOME_NOT_TLS]);
	for (size_t i = 0, k = 0; i < n_in; i++) {   /* a capture's timestamps are not the time: said once, near the top */
		if (!in[i].clock_note)
			continue;
		if (k++)
			fprintf(out, "<p class=\"note\" id=\"clock-%zu\">Clock: ", k);
		else
			fputs("<p class=\"note\" id=\"clock\">Clock: ", out);
		html_text(out, in[i].clock_note);
		fputs("</p>\n", out);
	}
	if (sum->trust_note) {   /* a verdict judged without a side's own store is weaker: say so near the top */
		fputs("<p class=\"note\" id=\"trust\">Trust: ", out);
		html_text(out, sum->trust_note);
		fputs("</p>\n", out);
	}
}

static void html_end(struct report_out *o, const struct input_info *in, size_t n_in, const struct summary *sum)
{
	FILE *out = o->f;
	page_head(out, in, n_in);
	headline(out, in, n_in, sum);
	fputs("<h2 id=\"problems\">Problems</h2>\n", out);
	size_t n = st->problems ? problems_count(st->problems) : 0;
	uint64_t not_told = 0;
	if (st->n_told) {
		fputs("<ol class=\"index\">\n", out);
		for (size_t i = 0; i < n; i++) {
			const struct problem *p = problems_get(st->problems, i);
			const struct told *t = told_of(p->id);
			if (t)
				index_entry(out, p, t);
		}
		fputs("</ol>\n", out);
	} else if (!n) {
		fputs("<p>None: no connection has an error or a warning.</p>\n", out);
	}
	for (size_t i = 0; i < n; i++)
		not_told += !told_of(problems_get(st->problems, i)->id);
	if (not_told)
		fprintf(out, "<p class=\"capped\">%" PRIu64 " more problems are not told here: the report holds the first %u "
			     "(the connection list and the chart count them all).</p>\n",
			not_told, HTML_SECTIONS);
	fputs("<h2 id=\"timeline\">Failures over time</h2>\n", out);
	html_chart_svg(out, &st->chart);
	for (size_t i = 0; i < n; i++) {
		const struct problem *p = problems_get(st->problems, i);
		const struct told *t = told_of(p->id);
		if (t)
			problem_section(out, p, t);
	}
	fputs("<h2 id=\"connections\">Connections</h2>\n", out);
	uint64_t unlisted = st->handed - st->n_rows - st->rows_not_listed;
	if (!o->verbose && unlisted > st->unlisted_incomplete)
		fprintf(out, "<p class=\"meta\">%" PRIu64 " healthy connections are not listed (-v lists them).</p>\n",
			unlisted - st->unlisted_incomplete);
	if (!o->verbose && st->unlisted_incomplete)
		fprintf(out, "<p class=\"meta\">%" PRIu64 " incomplete connections (outcome not captured) are not listed "
			     "(-v lists them).</p>\n", st->unlisted_incomplete);
	fputs("<table class=\"conns\"><tr><th>#</th><th>tcp.stream</th><th>start (UTC)</th><th>client</th><th>server</th>"
	      "<th>SNI</th><th>outcome</th><th>findings</th></tr>\n", out);
	part_flush(&st->rows, out);
	fputs("</table>\n", out);
	if (st->rows_not_listed)
		fprintf(out, "<p class=\"capped\">… %" PRIu64 " more connections not listed (the list holds %u; "
			     "--format jsonl has them all).</p>\n", st->rows_not_listed, HTML_ROWS);
	fputs("<p class=\"meta\">Written by " PACKAGE_STRING ". Frame numbers are Wireshark's.</p>\n</main>\n</body>\n</html>\n",
	      out);
	for (uint32_t i = 0; i < st->n_told; i++) {
		part_flush(&st->told[i].body, NULL);
		part_flush(&st->told[i].lead, NULL);
	}
	mem_free(st);
	st = NULL;
}

const struct report_writer html_writer = {
	.name = "html",
	.help = "one self-contained page for a case",
	.quiet_when_healthy = false,   /* it counts every connection for the chart; lists healthy ones only with -v */
	.begin = html_begin,
	.connection = html_connection,
	.headline = html_problems,
	.end = html_end,
};
