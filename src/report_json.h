/* report_json.h - the parts of the tlsdiag/2 JSON writer beside the connection (report_json_problems.c). */
#ifndef TLSDIAG_REPORT_JSON_H
#define TLSDIAG_REPORT_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include "json.h"
#include "problems.h"
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

/* One problem object (the members of tlsdiag/2's "problems" items). */
void json_problem(struct json *j, const struct problem *p);

#endif
