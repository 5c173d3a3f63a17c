/* report.h - writing connections and the run summary as text, JSON or JSON Lines. */
#ifndef TLSDIAG_REPORT_H
#define TLSDIAG_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "session.h"
#include "summary.h"
#include "writer.h"

enum report_format { REPORT_TEXT = 0, REPORT_JSON, REPORT_JSONL, REPORT_MARKDOWN };

struct report_opts {
	int format;
	bool verbose;
	bool pretty;
	bool only_failures;      /* leave healthy connections out, whatever the format */
};

struct reporter {
	FILE *out;
	struct report_opts opts;
	const struct report_writer *w;
	struct report_out o;
	uint64_t written;
	uint64_t not_shown;
};

void reporter_init(struct reporter *r, FILE *out, const struct report_opts *o);
/* Start of the run (JSON: the document's opening). */
void reporter_begin(struct reporter *r);
/* One connection, in the order the analyzer settles them. */
void reporter_connection(struct reporter *r, const struct session *s);
/* End of the run: inputs and summary. */
void reporter_end(struct reporter *r, const struct input_info *in, size_t n_in, const struct summary *sum);

/* Is a connection worth showing without -v (a warning, an error, a failure)?
 * Worth showing in full (a failure or an error)? */
bool report_is_notable(const struct session *s);
bool report_is_failure(const struct session *s);

/* The writers, one per format. */
void text_findings(FILE *out, const struct finding_list *l, const char *indent);
void md_findings(FILE *out, const struct finding_list *l);
/* Untrusted text for Markdown: markup escaped, control bytes as \xHH. */
void md_text(FILE *out, const char *s);
void json_findings(struct json *j, const struct finding_list *l);
struct x509_cert;
void json_cert_facts(struct json *j, const struct x509_cert *c);

#endif
