/* report_fp.h - the fingerprints (fingerprint.h) of a connection's hellos, as each writer shows them. */
#ifndef TLSDIAG_REPORT_FP_H
#define TLSDIAG_REPORT_FP_H

#include <stdio.h>

#include "json.h"
#include "session.h"

/* JSON: a "fingerprints" member of the current hello object; null values
 * where fingerprint.h gives none (see there why). */
void fp_json_client(struct json *j, const struct client_hello *ch);
void fp_json_server(struct json *j, const struct server_hello *sh);
void fp_json_hrr(struct json *j, const struct hello_retry_request *hrr);

/* Text (-v) and Markdown: one line per hello, every ClientHello (the one
 * after a HelloRetryRequest and later ones too), the HelloRetryRequest and
 * the ServerHello; nothing when the connection has no hello. */
void fp_text(FILE *out, const struct session *s);
void fp_md(FILE *out, const struct session *s);

#endif
