/* html.h - the pieces of the HTML report (report_html.c): escaping, the ladder diagram, the failures-per-minute chart. */
#ifndef TLSDIAG_HTML_H
#define TLSDIAG_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "session.h"

/*
 * Untrusted bytes (SNI, certificate names, HTTP lines) as HTML text or as
 * an attribute value in double or single quotes: & < > " ' become entities;
 * control bytes, bidi controls and invalid UTF-8 become the four visible
 * characters \xHH (as the text report writes them), so nothing from the
 * capture can open a tag, close an attribute or reorder what is shown.
 */
void html_escape(FILE *out, const void *s, size_t n);
void html_text(FILE *out, const char *s);

/* A connection's handshake as an inline SVG ladder: client and server
 * columns, one arrow per message or record (frame, time, size), alerts in
 * red, decrypted and inferred ones marked, and where it broke. */
void html_ladder(FILE *out, const struct session *s);

#define HTML_SERIES  8u     /* problems drawn in their own colour; the others share one */
#define HTML_BUCKETS 240u   /* bars of the chart: a minute each while they fit */

/*
 * Failures per minute and per problem over the capture, in bounded memory:
 * a fixed number of buckets whose width starts at a minute and doubles
 * (merging neighbours) until the whole capture fits.
 */
struct html_chart {
	bool started;
	int64_t lo, hi;          /* earliest and latest connection start seen (Unix seconds) */
	int64_t base;            /* start of bucket 0, a multiple of width */
	int64_t width;           /* seconds per bucket: 60 * 2^k */
	uint32_t n_series;
	char label[HTML_SERIES][96];
	uint64_t series_total[HTML_SERIES + 1];
	uint64_t connections[HTML_BUCKETS];              /* every connection handed over */
	uint64_t failed[HTML_SERIES + 1][HTML_BUCKETS];  /* the last row: "other problems" */
};

/* The series of a problem's label (a new one while there is room, else the shared one). */
unsigned html_chart_series(struct html_chart *c, const char *label);
/* One connection starting at t; series < 0: it did not fail. */
void html_chart_add(struct html_chart *c, int64_t t, int series);
void html_chart_svg(FILE *out, const struct html_chart *c);

#endif
