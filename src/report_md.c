/* report_md.c - Markdown for support tickets: findings first, then the evidence as tables. */
#include "writer.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "diagnose.h"
#include "fmt.h"
#include "mem.h"
#include "problems.h"
#include "report_fp.h"
#include "report_text.h"
#include "starttls_report.h"
#include "x509.h"

/* Does c at p[i] change the rendering (CommonMark 0.30, GitHub's tables
 * and strikethrough)? Only those characters are escaped, so the text reads
 * the same in a ticket that does not render Markdown: "(frame 6)" and
 * "--ca-file" stay as they are. '_' emphasises only at a word's edge
 * (bad_certificate is safe); '[' ']' make links (so "(" "!" need nothing);
 * '<' starts HTML or an autolink; '&' an entity; '|' a table cell; '~' a
 * strikethrough; '*' and '`' anywhere. The texts never start a line, so
 * '#', '-', '+' and '>' cannot start a block. */
static bool md_special(const uint8_t *p, size_t i, size_t n)
{
	uint8_t c = p[i];
	if (c == '_') {
		bool word_before = i > 0 && (isalnum(p[i - 1]) || p[i - 1] >= 0x80);
		bool word_after = i + 1 < n && (isalnum(p[i + 1]) || p[i + 1] >= 0x80);
		return !(word_before && word_after);
	}
	return strchr("\\`*[]<&|~", c) != NULL;
}

/* Untrusted text in Markdown: what would render is escaped, control bytes
 * and invalid UTF-8 become \xHH, so nothing can inject markup. */
static void md_escape(FILE *out, const void *s, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;
	while (i < n) {
		uint8_t c = p[i];
		size_t l = fmt_printable_len(p + i, n - i);
		if (l == 1 && md_special(p, i, n)) {
			fputc('\\', out);
			fputc(c, out);
			i++;
		} else if (l) {
			fwrite(p + i, 1, l, out);
			i += l;
		} else {
			fprintf(out, "\\\\x%c%c", hx[c >> 4], hx[c & 15]);
			i++;
		}
	}
}

static void md_text(FILE *out, const char *s)
{
	md_escape(out, s, strlen(s));
}

/* A code span: nothing inside renders as markup, so nothing needs escaping
 * and the text reads the same in a ticket that does not render Markdown.
 * The fence is one backtick longer than the longest run inside (CommonMark
 * §6.1); control bytes and invalid UTF-8 still become \xHH. */
static void md_code(FILE *out, const char *s)
{
	static const char hx[] = "0123456789abcdef";
	size_t run = 0, longest = 0, n = strlen(s);
	for (size_t i = 0; i < n; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	bool pad = n && (s[0] == '`' || s[n - 1] == '`');
	for (size_t k = 0; k <= longest; k++)
		fputc('`', out);
	if (pad)
		fputc(' ', out);
	const uint8_t *p = (const uint8_t *)s;
	for (size_t i = 0; i < n;) {
		size_t l = fmt_printable_len(p + i, n - i);
		if (l) {
			fwrite(p + i, 1, l, out);
			i += l;
		} else {
			fprintf(out, "\\x%c%c", hx[p[i] >> 4], hx[p[i] & 15]);
			i++;
		}
	}
	if (pad)
		fputc(' ', out);
	for (size_t k = 0; k <= longest; k++)
		fputc('`', out);
}

/* A token at s that names something a reader types or searches for: an
 * option (--ca-file) or a finding id (client-cert-empty). Its length, or 0. */
static size_t name_token(const char *s, const char *start)
{
	if (s > start && (isalnum((unsigned char)s[-1]) || s[-1] == '-' || s[-1] == '_'))
		return 0;
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");
	while (n && s[n - 1] == '-')
		n--;
	if (isalnum((unsigned char)s[n]) || s[n] == '_')
		return 0;
	if (n > 2 && s[0] == '-' && s[1] == '-' && isalpha((unsigned char)s[2]))
		return n;
	if (!memchr(s, '-', n))
		return 0;
	size_t k;
	const struct rule_info *r = diagnose_catalogue(&k);
	for (size_t i = 0; i < k; i++)
		if (strlen(r[i].id) == n && !strncmp(r[i].id, s, n))
			return n;
	return 0;
}

/* A finding's text: names as code spans, the rest escaped only where it would render. */
static void md_str(FILE *out, const char *s)
{
	const char *p = s, *plain = s;
	while (*p) {
		size_t n = (*p == '-' || islower((unsigned char)*p)) ? name_token(p, s) : 0;
		if (!n) {
			p++;
			continue;
		}
		md_escape(out, plain, (size_t)(p - plain));
		fputc('`', out);
		fwrite(p, 1, n, out);
		fputc('`', out);
		p += n;
		plain = p;
	}
	md_escape(out, plain, (size_t)(p - plain));
}

static void md_findings(FILE *out, const struct finding_list *l)
{
	finding_words(l);
	for (int sev = SEV_ERROR; sev >= SEV_INFO; sev--) {
		for (uint32_t i = 0; i < l->n; i++) {
			const struct finding *f = &l->v[i];
			if (f->severity != sev)
				continue;
			fprintf(out, "- **%s** `%s`", fmt_severity_label(sev), f->id);
			if (f->n_frames) {
				fputs(" (frame", out);
				for (unsigned k = 0; k < f->n_frames; k++)
					fprintf(out, "%s %" PRIu64, k ? "," : f->n_frames > 1 ? "s" : "", f->frames[k]);
				fputc(')', out);
			}
			fputs(": ", out);
			md_str(out, f->summary);
			fputs("  \n  *Cause:* ", out);
			md_str(out, f->cause);
			fputs("  \n  *Fix:* ", out);
			md_str(out, f->fix);
			for (unsigned k = 0; k < f->n_logs; k++) {
				const struct finding_log *g = &f->logs[k];
				fprintf(out, "  \n  *Logged by the %s (%s", side_name(g->side), g->identified ? "" : "if ");
				md_str(out, g->software);
				fputs("):* ", out);
				md_code(out, g->line);
			}
			fputc('\n', out);
		}
	}
}

/* The facts the text timeline gives a message, in a table cell. */
static void facts(FILE *out, const struct session *s, const struct msg *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem)
		return;
	text_message_facts(mem, s, m);
	if (fclose(mem) == 0 && buf)
		md_escape(out, buf, len);
	free(buf);
}

static void timeline_row(FILE *out, const struct session *s, const struct timeline_row *r)
{
	if (r->dropped) {
		fprintf(out, "| | | | … %" PRIu32 " more message%s not listed |\n", r->dropped, r->dropped == 1 ? "" : "s");
		return;
	}
	fprintf(out, "| %" PRIu64 " |%s%s | %s | %s", r->frame, *r->time ? " " : "", r->time,
		r->from == SIDE_CLIENT ? "client → server" : "server → client", r->what);
	if (r->m)
		facts(out, s, r->m);
	fputs(" |\n", out);
}

static void timeline(FILE *out, const struct session *s)
{
	fputs("### Timeline\n\n| frame | time (UTC) | direction | message |\n|---:|---|---|---|\n", out);
	text_timeline_rows(out, s, timeline_row);
	fputc('\n', out);
}

static void chain(FILE *out, const char *who, const struct chain *ch)
{
	char tb[FMT_TIME_LEN];
	if (ch->state != CHAIN_SEEN || ch->n == 0)
		return;
	fprintf(out, "### %s certificates (frame %" PRIu64 ")\n\n| # | subject | issuer | valid until | key |\n|---:|---|---|---|---|\n",
		who, ch->frame);
	for (uint32_t i = 0; i < ch->n; i++) {
		const struct x509_cert *c = ch->certs[i].x509;
		fprintf(out, "| %" PRIu32 " | ", i);
		if (!c->x) {
			fputs("not a valid certificate | | | |\n", out);
			continue;
		}
		md_str(out, c->subject);
		fputs(" | ", out);
		md_str(out, c->issuer);
		x509_format_time(c->not_after, tb, sizeof tb);
		fprintf(out, " | %s | %s %" PRIu32 " |\n", c->has_validity ? tb : "?", c->key_type, c->key_bits);
	}
	fputc('\n', out);
}

/* Findings first, then the evidence: timeline and certificates. */
static void connection(FILE *out, const struct session *s)
{
	char cb[FMT_ADDR_LEN], sb[FMT_ADDR_LEN], tb[FMT_TIME_LEN];
	fmt_endpoint(cb, sizeof cb, s->af, s->client_ip, s->client_port);
	fmt_endpoint(sb, sizeof sb, s->af, s->server_ip, s->server_port);
	fmt_time_iso(tb, sizeof tb, &s->start_time, s->ts_prec);
	fprintf(out, "## Connection %" PRIu64 ": %s → %s\n\n", s->index, cb, sb);
	fprintf(out, "Wireshark filter `tcp.stream eq %" PRIu64 "` (file ", s->stream);
	md_str(out, s->file);
	fprintf(out, ", frames %" PRIu64 "–%" PRIu64 ", %s).  \n", s->first_frame, s->last_frame, tb);
	fmt_hello_facts(out, s, md_escape);
	fprintf(out, "outcome **%s**.\n\n", outcome_name(s->outcome));
	if (s->proxy.present || s->starttls.requested) {
		starttls_describe(out, s, "- ", md_escape);
		fputc('\n', out);
	}
	if (s->findings.n) {
		fputs("### Findings\n\n", out);
		md_findings(out, &s->findings);
		fputc('\n', out);
	}
	if (s->timeline_n)
		timeline(out, s);
	fp_md(out, s);
	chain(out, "Server", &s->server_chain);
	chain(out, "Client", &s->client_chain);
}

/* The problem view: the run, then a table of its problems. */
static void md_headline(struct report_out *o, const struct input_info *in, size_t n_in, const struct summary *sum,
			const struct problem_set *ps)
{
	FILE *out = o->f;
	char t1[FMT_TIME_LEN], t2[FMT_TIME_LEN];
	fputs("# tlsdiag report\n\n", out);
	for (size_t i = 0; i < n_in; i++) {
		fputs(i ? ", " : "Input: ", out);
		md_str(out, in[i].file);
		fprintf(out, " (%" PRIu64 " frames)", in[i].frames);
	}
	fputs(".  \n", out);
	if (sum->has_time) {
		fmt_time_iso(t1, sizeof t1, &sum->first_time, sum->ts_prec);
		fmt_time_iso(t2, sizeof t2, &sum->last_time, sum->ts_prec);
		fprintf(out, "Time: %s .. %s.  \n", t1, t2);
	}
	fprintf(out, "%" PRIu64 " connections: %" PRIu64 " completed, %" PRIu64 " failed, %" PRIu64 " with errors; %zu problem%s.\n\n",
		sum->tls_connections, sum->outcome[OUTCOME_COMPLETED], sum->outcome[OUTCOME_FAILED], sum->with_error,
		problems_count(ps), problems_count(ps) == 1 ? "" : "s");
	for (size_t i = 0; i < n_in; i++) {   /* once per capture, at the top: its timestamps are not the time */
		if (!in[i].clock_note)
			continue;
		fputs("Clock: ", out);
		md_str(out, in[i].clock_note);
		fputs(".\n\n", out);
	}
	if (!problems_count(ps))
		return;
	fputs("| # | severity | problem | connections |\n|---:|---|---|---:|\n", out);
	for (size_t i = 0; i < problems_count(ps); i++) {
		const struct problem *p = problems_get(ps, i);
		fprintf(out, "| %" PRIu32 " | %s | ", p->rank, severity_name(p->severity));
		md_text(out, p->title);
		fprintf(out, " | %" PRIu64 " |\n", p->connections);
	}
	fputc('\n', out);
}

static void md_problem(struct report_out *o, const struct problem *p)
{
	FILE *out = o->f;
	char t1[FMT_TIME_LEN], t2[FMT_TIME_LEN];
	char *buf = mem_alloc_uninit(PROBLEM_FILTER_LEN);
	fprintf(out, "## Problem %" PRIu32 " (%s): ", p->rank, severity_name(p->severity));
	md_text(out, p->title);
	fmt_time_iso(t1, sizeof t1, &p->first_time, p->ts_prec);
	fmt_time_iso(t2, sizeof t2, &p->last_time, p->ts_prec);
	fputs("\n\nFindings:", out);
	for (uint32_t i = 0; i < p->n_ids; i++)
		fprintf(out, "%s `%s`", i ? "," : "", p->ids[i]);
	if (p->judged_early)
		fprintf(out, ".  \nClock: %" PRIu64 " connection%s judged before the capture's clock offset was learned; by it "
			     "the certificates are valid, so `cert-not-yet-valid` is withdrawn here (the connection report%s "
			     "still show%s it)", p->judged_early, p->judged_early == 1 ? " was" : "s were",
			p->judged_early == 1 ? "" : "s", p->judged_early == 1 ? "s" : "");
	fprintf(out, ".  \n%" PRIu64 " connections, %" PRIu64 " clients, %" PRIu64 " servers, %" PRIu64 " SNIs; first %s, last %s.\n\n",
		p->connections, p->clients, p->servers, p->snis, t1, t2);
	for (uint32_t i = 0; i < p->n_files; i++) {
		fputs("Wireshark filter for ", out);
		md_str(out, p->files[i].file);
		fputs(":\n\n", out);
		for (uint32_t k = 0; k < problem_filter_count(&p->files[i]); k++) {
			problem_filter(&p->files[i], k, buf, PROBLEM_FILTER_LEN);
			fprintf(out, "    %s\n", buf);
		}
		fputc('\n', out);
	}
	mem_free(buf);
	fprintf(out, "Representative: connection %" PRIu64 " (`tcp.stream eq %" PRIu64 "` in ", p->rep_index, p->rep_stream);
	md_str(out, p->rep_file);
	fputs(").\n\n", out);
	if (p->story)
		fwrite(p->story, 1, p->story_len, out);
}

static void md_end(struct report_out *o, const struct input_info *in, size_t n_in, const struct summary *sum)
{
	FILE *out = o->f;
	fputs("## Summary\n\n", out);
	fprintf(out, "%" PRIu64 " TCP connection%s, %" PRIu64 " reported: %" PRIu64 " completed, %" PRIu64 " failed, %" PRIu64
		     " incomplete, %" PRIu64 " not TLS; %" PRIu64 " with errors, %" PRIu64 " with warnings only.\n\n",
		sum->connections, sum->connections == 1 ? "" : "s", sum->tls_connections, sum->outcome[OUTCOME_COMPLETED], sum->outcome[OUTCOME_FAILED],
		sum->outcome[OUTCOME_INCOMPLETE], sum->outcome[OUTCOME_NOT_TLS], sum->with_error, sum->with_warning);
	struct strbuf lo;
	sb_init(&lo);
	summary_left_out(&lo, sum);
	if (lo.len)
		fprintf(out, "%s.\n\n", lo.p);
	sb_free(&lo);
	for (size_t i = 0; i < n_in && !o->problem_view; i++) {   /* the headline said it */
		if (!in[i].clock_note)
			continue;
		fputs("Clock: ", out);
		md_str(out, in[i].clock_note);
		fputs(".\n\n", out);
	}
	if (sum->trust_note) {
		fputs("Trust: ", out);
		md_str(out, sum->trust_note);
		fputs(".\n\n", out);
	}
	if (sum->n_ids) {
		fputs("| finding | connections |\n|---|---:|\n", out);
		for (uint32_t i = 0; i < sum->n_ids; i++)
			fprintf(out, "| `%s` | %" PRIu64 " |\n", sum->by_id[i].id, sum->by_id[i].connections);
		fputc('\n', out);
	}
	if (sum->n_servers) {
		fputs("| server | SNI | connections | failed | with errors |\n|---|---|---:|---:|---:|\n", out);
		for (uint32_t i = 0; i < sum->n_servers; i++) {
			const struct server_stat *v = &sum->servers[i];
			fprintf(out, "| %s | ", v->endpoint);
			md_str(out, v->sni);
			fprintf(out, " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " |\n", v->connections, v->failed, v->with_error);
		}
		fputc('\n', out);
	}
	for (size_t i = 0; i < n_in; i++) {
		fputs("Input: ", out);
		md_str(out, in[i].file);
		fprintf(out, " (%s, %" PRIu64 " frames)", in[i].link_type, in[i].frames);
		if (in[i].error) {
			fprintf(out, ", damaged at frame %" PRIu64 ": ", in[i].error_frame);
			md_str(out, in[i].error);
		}
		fputs("  \n", out);
	}
}

/* --check-bundle: the bundle and its certificates as a table, the key, the findings. */
static void md_bundle(struct report_out *o, const struct bundle_facts *b, const struct finding_list *fl)
{
	FILE *out = o->f;
	fputs("## Bundle ", out);
	md_text(out, b->chain_path);
	if (b->chain_ok)
		fprintf(out, " (%s, %" PRIu32 " certificate%s)\n\n", b->cf.format, b->cf.n, b->cf.n == 1 ? "" : "s");
	else
		fputs(" (not readable)\n\n", out);
	if (b->n) {
		fputs("| # | line | subject | issuer | valid until | key |\n|---:|---:|---|---|---|---|\n", out);
		for (int i = 0; i < b->n; i++) {
			const struct x509_cert *x = b->cf.certs[i];
			char t[32] = "?";
			if (x->has_validity)
				x509_format_time(x->not_after, t, sizeof t);
			fprintf(out, "| %d | %" PRIu32 " | ", i, b->cf.line[i]);
			md_text(out, x->subject);
			fputs(" | ", out);
			md_text(out, x->issuer);
			fprintf(out, " | %s | %s %" PRIu32 " |\n", t, x->key_type, x->key_bits);
		}
		fputc('\n', out);
	}
	bundle_key_and_time(out, b, "", ".\n\n", "  \n", md_escape);
	if (fl->n) {
		fputs("### Findings\n\n", out);
		md_findings(out, fl);
		fputc('\n', out);
	}
	fmt_totals(out, fl, "**");
}

static void md_connection(struct report_out *o, const struct session *s, bool brief)
{
	(void)brief;   /* a ticket holds each connection it lists in full */
	connection(o->f, s);
}

const struct report_writer md_writer = {
	.name = "markdown",
	.alias = "md",
	.help = "for support tickets",
	.quiet_when_healthy = true,
	.problems_first = true,
	.connection = md_connection,
	.headline = md_headline,
	.problem = md_problem,
	.bundle = md_bundle,
	.end = md_end,
};
