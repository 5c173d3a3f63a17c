/* report.h - the pieces of the writers that --check-bundle's own writers (bundle.c) call.
 *
 * Until bundle.c's three writers move behind struct report_writer
 * (writer.h, its bundle call), they pick their format by this enum and
 * write findings and certificates with these.
 */
#ifndef TLSDIAG_REPORT_H
#define TLSDIAG_REPORT_H

#include <stdio.h>

#include "json.h"
#include "session.h"

enum report_format { REPORT_TEXT = 0, REPORT_JSON, REPORT_JSONL, REPORT_MARKDOWN };

/* Findings, errors first (report_text.c, report_md.c, report_json.c). */
void text_findings(FILE *out, const struct finding_list *l, const char *indent);
void md_findings(FILE *out, const struct finding_list *l);
/* What the text timeline adds after a message's name (", 2 certificates (length 1862)"), text-escaped:
 * the markdown timeline carries the same facts. */
void text_message_facts(FILE *out, const struct session *s, const struct msg *m);
void json_findings(struct json *j, const struct finding_list *l);
/* Untrusted text for Markdown: markup escaped, control bytes as \xHH. */
void md_text(FILE *out, const char *s);
/* A parsed certificate's facts as members of the current JSON object. */
struct x509_cert;
void json_cert_facts(struct json *j, const struct x509_cert *c);

#endif
