/* html_draw.c - the HTML report's escaping and its two pictures as inline SVG: a connection's ladder, failures per minute. */
#include "html.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "mem.h"

void html_escape(FILE *out, const void *s, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	const uint8_t *p = s;
	size_t i = 0;
	while (i < n) {
		uint8_t c = p[i];
		size_t l = fmt_printable_len(p + i, n - i);
		if (l == 0) {
			fprintf(out, "\\x%c%c", hx[c >> 4], hx[c & 15]);
			i++;
		} else if (l > 1) {
			fwrite(p + i, 1, l, out);
			i += l;
		} else {
			switch (c) {
			case '&': fputs("&amp;", out); break;
			case '<': fputs("&lt;", out); break;
			case '>': fputs("&gt;", out); break;
			case '"': fputs("&quot;", out); break;
			case '\'': fputs("&#39;", out); break;
			default: fputc(c, out); break;
			}
			i++;
		}
	}
}

void html_text(FILE *out, const char *s)
{
	html_escape(out, s, strlen(s));
}

/* ---- the ladder ---- */

enum row_style { ROW_PLAIN, ROW_ALERT, ROW_ENCRYPTED, ROW_INFERRED, ROW_CLOSE, ROW_RESET, ROW_NOT_TLS };

/* One arrow of the ladder. */
struct row {
	uint64_t frame;
	struct ts time;
	bool has_time;
	uint8_t from;
	uint8_t style;           /* enum row_style */
	bool fatal;              /* where the handshake broke, if it did here */
	bool decrypted;
	bool has_size;
	uint32_t size;
	char label[96];          /* our own words and numbers: still escaped when written */
	const uint8_t *quote;    /* bytes from the capture shown after the label, or NULL */
	size_t quote_len;
};

#define LADDER_ROWS (LIM_TIMELINE + 2 * LIM_RECORD_LOG + 4)
#define LW 840                  /* SVG width */
#define LX_CLIENT 210
#define LX_SERVER 690
#define ROW_H 38
#define HEAD_H 58

static void msg_label(const struct session *s, const struct msg *m, char *buf, size_t len)
{
	char nb[48], ab[64];
	const char *name = message_display_name(m, nb, sizeof nb);
	const struct chain *ch = m->from == SIDE_SERVER ? &s->server_chain : &s->client_chain;
	if (m->kind == MSG_ALERT)
		snprintf(buf, len, "Alert: %s", fmt_alert(ab, sizeof ab, m->level, m->desc));
	else if (m->kind == MSG_HANDSHAKE && m->hs_type == 11 && ch->state == CHAIN_SEEN && ch->frame == m->frame)
		snprintf(buf, len, ch->count ? "%s (%" PRIu32 " certificate%s)" : "%s (empty: no certificate)", name,
			 ch->count, ch->count == 1 ? "" : "s");
	else if (m->kind == MSG_HANDSHAKE && m->hs_type == 13 && s->cr.present && s->cr.frame == m->frame)
		snprintf(buf, len, "%s (%" PRIu32 " CA name%s)", name, s->cr.dn_count, s->cr.dn_count == 1 ? "" : "s");
	else
		snprintf(buf, len, "%s", name);
}

static struct row *add_row(struct row *rows, size_t *n, uint64_t frame, const struct ts *t, int from, int style)
{
	if (*n >= LADDER_ROWS)
		return NULL;
	struct row *r = &rows[(*n)++];
	memset(r, 0, sizeof *r);
	r->frame = frame;
	if (t) {
		r->time = *t;
		r->has_time = true;
	}
	r->from = (uint8_t)from;
	r->style = (uint8_t)style;
	return r;
}

/* TLS 1.3 records logged by size that no timeline line or inferred alert stands for. */
static void record_rows(const struct session *s, struct row *rows, size_t *n)
{
	for (int side = 0; side < 2; side++) {
		const struct direction *d = &s->dir[side];
		for (uint32_t i = 0; i < d->rlog_n; i++) {
			bool inferred = s->inferred_alert && s->inferred_alert_from == side &&
					s->inferred_alert_frame == d->rlog[i].frame;
			struct row *r = add_row(rows, n, d->rlog[i].frame, &d->rlog[i].time, side,
						inferred ? ROW_INFERRED : ROW_ENCRYPTED);
			if (!r)
				return;
			r->has_size = true;
			r->size = d->rlog[i].len;
			r->fatal = inferred;
			snprintf(r->label, sizeof r->label, inferred ? "Alert (inferred from its size)" : "Encrypted record");
		}
	}
}

static void close_row(const struct session *s, struct row *rows, size_t *n)
{
	if (s->close_kind != CLOSE_FIN && s->close_kind != CLOSE_RST)
		return;
	bool rst = s->close_kind == CLOSE_RST;
	struct row *r = add_row(rows, n, s->close_frame, &s->dir[s->closed_by].close_time, s->closed_by,
				rst ? ROW_RESET : ROW_CLOSE);
	if (r)
		snprintf(r->label, sizeof r->label, "TCP %s: %s closes", rst ? "RST" : "FIN", side_name(s->closed_by));
}

/* Stable by frame: the timeline's order within a frame is the wire's. */
static void sort_rows(struct row *rows, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct row r = rows[i];
		size_t j = i;
		while (j > 0 && rows[j - 1].frame > r.frame) {
			rows[j] = rows[j - 1];
			j--;
		}
		rows[j] = r;
	}
}

static size_t collect_rows(const struct session *s, struct row *rows)
{
	size_t n = 0;
	for (int side = 0; side < 2; side++) {
		const struct direction *d = &s->dir[side];
		struct row *r;
		if (d->not_tls && !d->spoke_tls && (r = add_row(rows, &n, d->prefix_frame, NULL, side, ROW_NOT_TLS))) {
			snprintf(r->label, sizeof r->label, "not TLS: ");
			r->quote = d->prefix;
			r->quote_len = fmt_prefix_len(d->prefix, d->prefix_len);
		}
	}
	for (uint32_t i = 0; i < s->timeline_n; i++) {
		const struct msg *m = &s->timeline[i];
		int style = m->kind == MSG_ALERT || m->kind == MSG_ENC_ALERT ? ROW_ALERT
			  : m->kind == MSG_ENC_HANDSHAKE ? ROW_ENCRYPTED : ROW_PLAIN;
		struct row *r = add_row(rows, &n, m->frame, &m->time, m->from, style);
		if (!r)
			break;
		msg_label(s, m, r->label, sizeof r->label);
		r->has_size = true;
		r->size = m->length;
		r->decrypted = m->decrypted;
		r->fatal = (m->kind == MSG_ALERT && m->level == 2) || m->kind == MSG_ENC_ALERT;
	}
	record_rows(s, rows, &n);
	close_row(s, rows, &n);
	sort_rows(rows, n);
	return n;
}

/* The frames an error finding cites: those arrows get a band. */
static bool cited(const struct session *s, uint64_t frame)
{
	for (uint32_t i = 0; i < s->findings.n; i++) {
		const struct finding *f = &s->findings.v[i];
		for (unsigned k = 0; f->severity == SEV_ERROR && k < f->n_frames; k++)
			if (f->frames[k] == frame)
				return true;
	}
	return false;
}

/* Where the handshake broke: the first fatal alert (seen, encrypted or
 * inferred); else, for a failed connection, the TCP close. */
static size_t break_row(const struct session *s, const struct row *rows, size_t n)
{
	if (s->outcome != OUTCOME_FAILED && s->outcome != OUTCOME_NOT_TLS && s->outcome != OUTCOME_INCOMPLETE)
		return n;
	for (size_t i = 0; i < n; i++)
		if (rows[i].fatal)
			return i;
	for (size_t i = 0; i < n; i++)
		if (rows[i].style == ROW_CLOSE || rows[i].style == ROW_RESET || rows[i].style == ROW_NOT_TLS)
			return i;
	return n;
}

static double ms_between(const struct ts *a, const struct ts *b)
{
	return (double)(b->sec - a->sec) * 1e3 + ((double)b->nsec - (double)a->nsec) / 1e6;
}

/* from_start: the times count from the connection's first packet, not from the first arrow */
static void ladder_head(FILE *out, const struct session *s, int height, bool from_start)
{
	char cb[FMT_ADDR_LEN], sb[FMT_ADDR_LEN];
	fmt_endpoint(cb, sizeof cb, s->af, s->client_ip, s->client_port);
	fmt_endpoint(sb, sizeof sb, s->af, s->server_ip, s->server_port);
	fprintf(out, "<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		     "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"handshake ladder diagram\">\n",
		LW, height, LW, height);
	/* one arrowhead per colour: context-stroke is too new to count on */
	fputs("<defs>", out);
	for (int i = 0; i < 3; i++)
		fprintf(out, "<marker id=\"ah%d-%" PRIu64 "\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
			     "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"%s\"/></marker>",
			i, s->index, i == 0 ? "#333" : i == 1 ? "#c62828" : "#888");
	fputs("</defs>\n", out);
	const int xs[2] = { LX_CLIENT, LX_SERVER };
	const char *who[2] = { "Client", "Server" };
	const char *addr[2] = { cb, sb };
	for (int i = 0; i < 2; i++) {
		fprintf(out, "<rect x=\"%d\" y=\"4\" width=\"200\" height=\"40\" rx=\"6\" class=\"lhead\"/>"
			     "<text x=\"%d\" y=\"20\" class=\"lwho\">%s</text><text x=\"%d\" y=\"36\" class=\"laddr\">",
			xs[i] - 100, xs[i], who[i], xs[i]);
		html_text(out, addr[i]);
		fprintf(out, "</text>\n<line x1=\"%d\" y1=\"44\" x2=\"%d\" y2=\"%d\" class=\"llife\"/>\n", xs[i], xs[i],
			height - 6);
	}
	fputs("<text x=\"140\" y=\"54\" class=\"lcol\" text-anchor=\"end\">frame · time (UTC)</text>"
	      "<text x=\"760\" y=\"54\" class=\"lcol\">", out);
	fputs(from_start ? "since start</text>\n" : "since first</text>\n", out);
}

/* A quote from the capture in a label: at most this many characters as shown (a control byte
 * shows as the four of \xHH), so that the label stays between the frame and time columns. */
#define QUOTE_COLS 44

/* How many bytes of p the page shows in at most cols characters, as html_escape writes them. */
static size_t quote_fit(const uint8_t *p, size_t n, size_t cols)
{
	size_t i = 0, used = 0;
	while (i < n) {
		size_t l = fmt_printable_len(p + i, n - i);
		size_t w = l == 0 ? 4 : 1;
		if (used + w > cols)
			break;
		used += w;
		i += l ? l : 1;
	}
	return i;
}

static const char *row_class(const struct row *r)
{
	static const char *const cls[] = { [ROW_PLAIN] = "m", [ROW_ALERT] = "m alert", [ROW_ENCRYPTED] = "m enc",
					   [ROW_INFERRED] = "m inferred", [ROW_CLOSE] = "m close",
					   [ROW_RESET] = "m reset", [ROW_NOT_TLS] = "m alert" };
	return cls[r->style];
}

static void ladder_row(FILE *out, const struct session *s, const struct row *r, const struct ts *t0, int y)
{
	char tb[FMT_TIME_LEN];
	bool c2s = r->from == SIDE_CLIENT;
	int x1 = c2s ? LX_CLIENT : LX_SERVER, x2 = c2s ? LX_SERVER : LX_CLIENT;
	if (cited(s, r->frame))
		fprintf(out, "<rect x=\"150\" y=\"%d\" width=\"600\" height=\"%d\" class=\"cited\"/>"
			     "<rect x=\"146\" y=\"%d\" width=\"4\" height=\"%d\" class=\"citebar\"/>\n",
			y - 24, ROW_H - 2, y - 24, ROW_H - 2);
	fprintf(out, "<g class=\"%s\" data-frame=\"%" PRIu64 "\">", row_class(r), r->frame);
	fprintf(out, "<text x=\"140\" y=\"%d\" class=\"lframe\" text-anchor=\"end\">frame %" PRIu64 "</text>", y - 6,
		r->frame);
	if (r->has_time) {
		fmt_time_of_day(tb, sizeof tb, &r->time, s->ts_prec);
		fprintf(out, "<text x=\"140\" y=\"%d\" class=\"ltime\" text-anchor=\"end\">%s</text>", y + 8, tb);
		fprintf(out, "<text x=\"760\" y=\"%d\" class=\"ltime\">+%.3f ms</text>", y + 1, ms_between(t0, &r->time));
	}
	int head = r->style == ROW_ALERT || r->style == ROW_INFERRED || r->style == ROW_RESET || r->style == ROW_NOT_TLS ? 1
		 : r->style == ROW_CLOSE ? 2 : 0;
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" marker-end=\"url(#ah%d-%" PRIu64 ")\"/>", x1, y,
		x2 + (c2s ? -2 : 2), y, head, s->index);
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"llabel\">", (LX_CLIENT + LX_SERVER) / 2, y - 6);
	html_text(out, r->label);
	if (r->quote) {
		size_t n = quote_fit(r->quote, r->quote_len, QUOTE_COLS);
		fputs("“", out);
		html_escape(out, r->quote, n);
		fputs(n < r->quote_len ? "…”" : "”", out);
	}
	fputs("</text>", out);
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"lsize\">", (LX_CLIENT + LX_SERVER) / 2, y + 13);
	if (r->has_size)
		fprintf(out, "%" PRIu32 " bytes", r->size);
	if (r->style == ROW_ENCRYPTED)
		fputs(r->has_size ? " · encrypted" : "encrypted", out);
	else if (r->style == ROW_INFERRED)
		fputs(" · inferred, not seen", out);
	if (r->decrypted)
		fputs(" · decrypted with the key log", out);
	fputs("</text></g>\n", out);
}

void html_ladder(FILE *out, const struct session *s)
{
	struct row *rows = mem_alloc(LADDER_ROWS * sizeof *rows);
	size_t n = collect_rows(s, rows);
	size_t brk = break_row(s, rows, n);
	bool more = s->timeline_dropped > 0;
	int height = HEAD_H + (int)n * ROW_H + (brk < n ? 26 : 0) + (more ? 20 : 0) + 14;
	/* a first arrow without a time (a not-TLS prefix) would make a later one "+0.000 ms":
	 * then count from the connection's first packet */
	bool from_start = n && !rows[0].has_time;
	struct ts t0 = n && rows[0].has_time ? rows[0].time : s->start_time;
	ladder_head(out, s, height, from_start);
	int y = HEAD_H + 26;
	for (size_t i = 0; i < n; i++, y += ROW_H) {
		ladder_row(out, s, &rows[i], &t0, y);
		if (i == brk) {
			fprintf(out, "<g class=\"broke\"><line x1=\"150\" y1=\"%d\" x2=\"750\" y2=\"%d\"/>"
				     "<text x=\"450\" y=\"%d\">✕ the handshake broke here (frame %" PRIu64 ")</text></g>\n",
				y + 20, y + 20, y + 35, rows[i].frame);
			y += 26;
		}
	}
	if (more)
		fprintf(out, "<text x=\"450\" y=\"%d\" class=\"lsize\">… %" PRIu32 " more messages not kept</text>\n", y,
			s->timeline_dropped);
	if (n == 0)
		fprintf(out, "<text x=\"450\" y=\"%d\" class=\"lsize\">no TLS message seen</text>\n", HEAD_H + 26);
	fputs("</svg>\n", out);
	mem_free(rows);
}

/* ---- failures per minute ---- */

static int64_t floor_to(int64_t t, int64_t w)
{
	int64_t q = t / w;
	if (t % w < 0)
		q--;
	return q * w;
}

/* Move the counts onto a coarser (or shifted) grid that holds [lo, hi]. */
static void chart_rebin(struct html_chart *c, int64_t base, int64_t width)
{
	struct html_chart *old = mem_alloc(sizeof *old);
	memcpy(old, c, sizeof *old);
	memset(c->connections, 0, sizeof c->connections);
	memset(c->failed, 0, sizeof c->failed);
	for (uint32_t i = 0; i < HTML_BUCKETS; i++) {
		int64_t j = (old->base + (int64_t)i * old->width - base) / width;
		if (j < 0 || j >= (int64_t)HTML_BUCKETS)
			continue;   /* empty: [lo, hi] fits the new grid */
		c->connections[j] += old->connections[i];
		for (uint32_t k = 0; k <= HTML_SERIES; k++)
			c->failed[k][j] += old->failed[k][i];
	}
	c->base = base;
	c->width = width;
	mem_free(old);
}

unsigned html_chart_series(struct html_chart *c, const char *label)
{
	for (uint32_t i = 0; i < c->n_series; i++)
		if (strcmp(c->label[i], label) == 0)
			return i;
	if (c->n_series == HTML_SERIES)
		return HTML_SERIES;
	snprintf(c->label[c->n_series], sizeof c->label[0], "%s", label);
	return c->n_series++;
}

void html_chart_add(struct html_chart *c, int64_t t, int series)
{
	if (!c->started) {
		c->started = true;
		c->lo = c->hi = t;
		c->width = 60;
		c->base = floor_to(t, 60);
	}
	if (t < c->lo)
		c->lo = t;
	if (t > c->hi)
		c->hi = t;
	if (t < c->base || t >= c->base + c->width * (int64_t)HTML_BUCKETS) {
		int64_t w = c->width;
		while (c->hi >= floor_to(c->lo, w) + w * (int64_t)HTML_BUCKETS && w < INT64_MAX / 4 / HTML_BUCKETS)
			w *= 2;
		chart_rebin(c, floor_to(c->lo, w), w);
	}
	int64_t j = (t - c->base) / c->width;
	if (j < 0 || j >= (int64_t)HTML_BUCKETS)
		return;   /* a span beyond any grid (times near the ends of int64) */
	c->connections[j]++;
	if (series >= 0 && series <= (int)HTML_SERIES) {
		c->failed[series][j]++;
		c->series_total[series]++;
	}
}

static const char *const palette[HTML_SERIES + 1] = {
	"#d62728", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
};

static void clock_label(char *buf, size_t len, int64_t t, bool with_date)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	strftime(buf, len, with_date ? "%Y-%m-%d %H:%M" : "%H:%M", &tm);
}

/* The axes over plot width pw; bucket i starts at px + bw * i, as its bar does. */
static void chart_axes(FILE *out, const struct html_chart *c, uint32_t nb, double bw, uint64_t top, int px, int pw, int py,
		       int ph)
{
	char b1[32];
	bool dates = c->hi - c->lo >= 86400;
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", px, py + ph, px + pw, py + ph);
	for (int k = 0; k <= 2; k++) {
		uint64_t v = top * (uint64_t)k / 2;
		if (k == 1 && (v == 0 || v == top))
			continue;   /* a top of 1 has no middle: two "0" on one line otherwise */
		int y = py + ph - (int)((double)ph * (double)v / (double)top);
		fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"grid\"/>"
			     "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">%" PRIu64 "</text>",
			px, y, px + pw, y, px - 6, y + 4, v);
	}
	/* a label every step buckets, at least its width apart (a date and time is wider than a time) */
	double room = dates ? 110 : 44;
	uint32_t step = nb > 6 ? nb / 6 : 1;
	while (step < nb && bw * step < room)
		step++;
	for (uint32_t i = 0; i < nb; i += step) {
		clock_label(b1, sizeof b1, c->base + (int64_t)i * c->width, dates);
		fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"tick\">%s</text>", px + (int)(bw * i), py + ph + 16, b1);
	}
}

void html_chart_svg(FILE *out, const struct html_chart *c)
{
	if (!c->started)
		return;
	const int px = 56, pw = 760, py = 12, ph = 150;
	uint32_t nb = (uint32_t)((c->hi - c->base) / c->width) + 1;
	if (nb > HTML_BUCKETS)
		nb = HTML_BUCKETS;
	uint64_t top = 1;
	for (uint32_t j = 0; j < nb; j++) {
		uint64_t sum = 0;
		for (uint32_t k = 0; k <= HTML_SERIES; k++)
			sum += c->failed[k][j];
		top = sum > top ? sum : top;
	}
	double bw = (double)pw / nb > 28 ? 28 : (double)pw / nb;
	fprintf(out, "<p class=\"meta\">Failed connections (with an error or a warning) by start time, per %" PRId64
		     " minute%s (UTC), stacked by problem; hover a bar for its counts.</p>\n",
		c->width / 60, c->width == 60 ? "" : "s");
	int pwide = (int)(bw * nb) > 120 ? (int)(bw * nb) : 120;
	int sw = px + pwide + (c->hi - c->lo >= 86400 ? 110 : 50);   /* room for the last time label */
	fprintf(out, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		     "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"failures per %" PRId64 " minutes\">\n",
		sw, py + ph + 26, sw, py + ph + 26, c->width / 60);
	chart_axes(out, c, nb, bw, top, px, pwide, py, ph);
	for (uint32_t j = 0; j < nb; j++) {
		double y = py + ph;
		for (uint32_t k = 0; k <= HTML_SERIES; k++) {
			uint64_t v = c->failed[k][j];
			if (!v)
				continue;
			double h = (double)ph * (double)v / (double)top;
			y -= h;
			fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
				     "<title>%" PRIu64 " failed of %" PRIu64 " connections</title></rect>\n",
				px + bw * j + (bw > 3 ? 0.5 : 0), y, bw > 3 ? bw - 1 : bw, h, palette[k], v,
				c->connections[j]);
		}
	}
	fputs("</svg>\n<ul class=\"legend\">", out);
	for (uint32_t k = 0; k <= HTML_SERIES; k++) {
		if (k == HTML_SERIES && !c->series_total[k])
			break;
		if (k < HTML_SERIES && k >= c->n_series)
			continue;
		fprintf(out, "<li><span class=\"sw\" style=\"background:%s\"></span>", palette[k]);
		html_text(out, k < HTML_SERIES ? c->label[k] : "other problems");
		fprintf(out, " <b>%" PRIu64 "</b></li>", c->series_total[k]);
	}
	fputs("</ul>\n", out);
}
