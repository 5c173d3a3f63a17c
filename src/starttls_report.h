/* starttls_report.h - the upgrade and a PROXY protocol header in the report, for every writer. */
#ifndef TLSDIAG_STARTTLS_REPORT_H
#define TLSDIAG_STARTTLS_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "starttls_facts.h"

struct json;
struct session;

/* The server's words as shown: host names and addresses in them pseudonymised
 * under --redact; raw bytes (escape them when printing); returns the length. */
size_t starttls_words(const struct starttls_facts *f, char *buf, size_t cap);

/* Report lines: the upgrade and a PROXY protocol header, for the text and
 * markdown writers (esc escapes untrusted bytes), and their JSON objects
 * ("starttls", "proxy_protocol"), written only when there is one. */
void starttls_describe(FILE *out, const struct session *s, const char *indent,
		       void (*esc)(FILE *, const void *, size_t));
void starttls_json(struct json *j, const struct session *s);

#endif
