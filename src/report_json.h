/* report_json.h - the parts of the tlsdiag/2 JSON document that report_json_writer.c puts together
 * (report_json.c the full connection, _compact.c, _problems.c, _summary.c, _bundle.c), and what ECS shares. */
#ifndef TLSDIAG_REPORT_JSON_H
#define TLSDIAG_REPORT_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include "json.h"
#include "problems.h"
#include "session.h"
#include "starttls_report.h"   /* starttls_json: the parts write that object too */
#include "x509.h"

#define JSON_CERTS_MAX 262144u   /* certificates in the table; beyond, written inline */

/* The document's "certificates" table: each certificate once, by SHA-256. */
struct json_certs;
struct json_certs *json_certs_new(bool pretty, int depth);
/* Seen before, or now kept in the table: true (name it by fingerprint);
 * false: the table is full (or no spool file), write it inline. For
 * JSON Lines (spool NULL) a new certificate is a line of its own, now. */
bool json_certs_add(struct json_certs *t, const struct x509_cert *c, FILE *line_out);
/* "certificates": [...] into the open document object. */
void json_certs_write(struct json_certs *t, struct json *j);
void json_certs_free(struct json_certs *t);

/* Shared by the full connection, the bundle and the certificates table. */
void json_cert_facts(struct json *j, const struct x509_cert *c);
void json_findings(struct json *j, const struct finding_list *l);
/* "findings": [...], worst first: each finding's head (id, severity, from,
 * inferred, frames), then what rest writes of it (NULL: nothing more).
 * The full form, the compact one and ECS differ only in rest. */
void json_findings_with(struct json *j, const struct finding_list *l,
			void (*rest)(struct json *j, const struct finding *f));
/* A finding's "summary", "cause" and "fix". */
void json_finding_words(struct json *j, const struct finding *f);

/* The full connection object (--json-full, a problem's representative; p: its problem or NULL). */
void json_full_connection(struct json *j, const struct session *s, const struct problem *p);
/* Parts of the full connection object the compact one shares (report_json.c). */
void json_connection_head(struct json *j, const struct session *s);
void json_alerts(struct json *j, const struct session *s);
void json_events(struct json *j, const struct session *s);
void json_certificate(struct json *j, const struct cert_entry *e);
void json_problem_ref(struct json *j, const struct problem *p);   /* "problem": id or null */

/* The compact connection object (report_json_compact.c). */
struct report_out;
void json_compact_connection(struct report_out *o, struct json *j, const struct session *s);

/* --check-bundle: {"schema", "bundle": {...}, "findings"} and a newline (report_json_bundle.c). */
struct bundle_facts;
void json_bundle_document(FILE *out, const struct bundle_facts *b, const struct finding_list *fl, bool pretty);

/* The run's "inputs": [...] and "summary": {...} members (report_json_summary.c). */
struct input_info;
struct summary;
void json_inputs(struct json *j, const struct input_info *in, size_t n_in);
void json_summary(struct json *j, const struct summary *sum);

/* One problem object (the members of tlsdiag/2's "problems" items). */
void json_problem(struct json *j, const struct problem *p);

#endif
