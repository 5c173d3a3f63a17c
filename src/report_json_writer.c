/* report_json_writer.c - the json and jsonl writers: the document and the lines, put together from the
 * parts in report_json.c (the full connection), _compact.c, _problems.c, _summary.c and _bundle.c. */
#include "writer.h"

#include <stdio.h>

#include "bundle.h"
#include "report_json.h"

/* Full (--json-full, a problem's representative) or compact. */
static void any_connection(struct report_out *o, struct json *j, const struct session *s)
{
	if (o->full || o->representative || !o->state)
		json_full_connection(j, s, o->problem);
	else
		json_compact_connection(o, j, s);
}

static void json_bundle(struct report_out *o, const struct bundle_facts *b, const struct finding_list *fl)
{
	json_bundle_document(o->f, b, fl, o->pretty);
}

static void jsonl_bundle(struct report_out *o, const struct bundle_facts *b, const struct finding_list *fl)
{
	json_bundle_document(o->f, b, fl, false);   /* one line */
}

/* The document: {"schema", "connections": [...], "certificates": [...],
 * "problems": [...], "inputs", "summary"}. */
static void json_begin(struct report_out *o)
{
	json_init(&o->json, o->f, o->pretty);
	json_object_begin(&o->json);
	json_kv_str(&o->json, "schema", "tlsdiag/2");
	json_key(&o->json, "connections");
	json_array_begin(&o->json);
	if (!o->full)
		o->state = json_certs_new(o->pretty, o->json.depth + 1);
}

static void json_connection(struct report_out *o, const struct session *s, bool brief)
{
	(void)brief;   /* JSON holds everything */
	any_connection(o, &o->json, s);
}

static void json_headline(struct report_out *o, const struct input_info *in, size_t n_in, const struct summary *sum,
			  const struct problem_set *ps)
{
	(void)in, (void)n_in, (void)sum, (void)ps;
	json_array_end(&o->json);
	if (o->state)
		json_certs_write(o->state, &o->json);
	json_key(&o->json, "problems");
	json_array_begin(&o->json);
}

static void json_problem_item(struct report_out *o, const struct problem *p)
{
	json_object_begin(&o->json);
	json_problem(&o->json, p);
	json_object_end(&o->json);
}

static void json_end(struct report_out *o, const struct input_info *in, size_t n_in, const struct summary *sum)
{
	json_array_end(&o->json);   /* problems */
	json_inputs(&o->json, in, n_in);
	json_summary(&o->json, sum);
	json_object_end(&o->json);
	fputc('\n', o->f);
	json_certs_free(o->state);
	o->state = NULL;
}

const struct report_writer json_writer = {
	.name = "json",
	.help = "one document (schema tlsdiag/2)",
	.begin = json_begin,
	.connection = json_connection,
	.headline = json_headline,
	.problem = json_problem_item,
	.bundle = json_bundle,
	.end = json_end,
};

/* JSON Lines: each connection a document of its own (a certificate first
 * seen: {"certificate": ...} before it), then {"problem": ...} lines, then
 * one with the schema, inputs and summary. */
static void jsonl_begin(struct report_out *o)
{
	if (!o->full)
		o->state = json_certs_new(false, 0);
}

static void jsonl_connection(struct report_out *o, const struct session *s, bool brief)
{
	struct json line;
	(void)brief;
	/* the certificates it names, each on a line of its own before it */
	const struct chain *chains[2] = { &s->server_chain, &s->client_chain };
	for (int k = 0; k < 2 && o->state && !o->full && !o->representative; k++)
		for (uint32_t i = 0; chains[k]->state == CHAIN_SEEN && i < chains[k]->n; i++)
			if (chains[k]->certs[i].x509)
				json_certs_add(o->state, chains[k]->certs[i].x509, o->f);
	json_init(&line, o->f, false);
	any_connection(o, &line, s);
	fputc('\n', o->f);
}

static void jsonl_problem(struct report_out *o, const struct problem *p)
{
	struct json line;
	json_init(&line, o->f, false);
	json_object_begin(&line);
	json_key(&line, "problem");
	json_object_begin(&line);
	json_problem(&line, p);
	json_object_end(&line);
	json_object_end(&line);
	fputc('\n', o->f);
}

static void jsonl_end(struct report_out *o, const struct input_info *in, size_t n_in, const struct summary *sum)
{
	struct json line;
	json_init(&line, o->f, false);
	json_object_begin(&line);
	json_kv_str(&line, "schema", "tlsdiag/2");
	json_inputs(&line, in, n_in);
	json_summary(&line, sum);
	json_object_end(&line);
	fputc('\n', o->f);
	json_certs_free(o->state);
	o->state = NULL;
}

const struct report_writer jsonl_writer = {
	.name = "jsonl",
	.help = "a line per connection, then the summary",
	.begin = jsonl_begin,
	.connection = jsonl_connection,
	.problem = jsonl_problem,
	.bundle = jsonl_bundle,
	.end = jsonl_end,
};
