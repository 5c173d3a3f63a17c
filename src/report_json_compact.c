/* report_json_compact.c - tlsdiag/2's compact connection object (the default): what its
 * problem and the certificates table say is not repeated; each problem's representative
 * is written in full (report_json.c). */
#include "report_json.h"

#include <inttypes.h>

#include "fmt.h"
#include "writer.h"

/* A chain as fingerprints into the certificates table (inline when it is full). */
static void compact_chain(struct report_out *o, struct json *j, const char *key, const struct chain *c)
{
	char hex[80];
	if (!json_kv_object_or_null(j, key, c->state == CHAIN_SEEN))
		return;
	json_kv_uint(j, "frame", c->frame);
	json_kv_uint(j, "count", c->count);
	json_key(j, "chain");
	json_array_begin(j);
	for (uint32_t i = 0; i < c->n; i++) {
		const struct x509_cert *x = c->certs[i].x509;
		if (x && json_certs_add(o->state, x, j == &o->json ? NULL : o->f)) {
			fmt_hex(hex, sizeof hex, x->sha256, sizeof x->sha256);
			json_string(j, hex);
		} else {
			json_certificate(j, &c->certs[i]);
		}
	}
	json_array_end(j);
	json_object_end(j);
}

void json_compact_connection(struct report_out *o, struct json *j, const struct session *s)
{
	json_object_begin(j);
	json_connection_head(j, s);
	json_kv_str(j, "outcome", outcome_name(s->outcome));
	json_kv_bool(j, "resumed", s->resumed);
	json_problem_ref(j, o->problem);
	json_findings_with(j, &s->findings, NULL);   /* the words: in the representative, in full */
	json_alerts(j, s);
	compact_chain(o, j, "server_certificates", &s->server_chain);
	compact_chain(o, j, "client_certificates", &s->client_chain);
	json_events(j, s);   /* the capture's damage is the connection's own */
	json_object_end(j);
}
