/* report.c - dispatch of connections and summary to the chosen output format. */
#include "report.h"

#include <string.h>

void reporter_init(struct reporter *r, FILE *out, const struct report_opts *o)
{
	memset(r, 0, sizeof *r);
	r->out = out;
	r->opts = *o;
	json_init(&r->json, out, o->pretty && o->format == REPORT_JSON);
}

void reporter_begin(struct reporter *r)
{
	if (r->opts.format != REPORT_JSON)
		return;
	json_object_begin(&r->json);
	json_kv_str(&r->json, "schema", "tlsdiag/1");
	json_key(&r->json, "connections");
	json_array_begin(&r->json);
}

void reporter_connection(struct reporter *r, const struct session *s)
{
	/* text for people: healthy connections only with -v */
	bool for_people = r->opts.format == REPORT_TEXT || r->opts.format == REPORT_MARKDOWN;
	if (((for_people && !r->opts.verbose) || r->opts.only_failures) && !report_is_notable(s)) {
		r->not_shown++;
		return;
	}
	switch (r->opts.format) {
	case REPORT_JSON:
		json_connection(&r->json, s);
		break;
	case REPORT_JSONL: {
		struct json line;
		json_init(&line, r->out, false);
		json_connection(&line, s);
		fputc('\n', r->out);
		fflush(r->out);   /* live: one line per connection, now */
		break;
	}
	case REPORT_MARKDOWN:
		md_connection(r->out, s, r->opts.verbose);
		break;
	default:
		/* a connection with warnings only gets one line unless -v */
		if (r->opts.verbose || report_is_failure(s))
			text_connection(r->out, s, r->opts.verbose);
		else
			text_connection_line(r->out, s);
		fflush(r->out);   /* so `tlsdiag -i any | tee` shows each connection as it ends */
		break;
	}
	r->written++;
}

void reporter_end(struct reporter *r, const struct input_info *in, size_t n_in, const struct summary *summary)
{
	struct summary copy = *summary;
	const struct summary *sum = &copy;
	copy.not_shown = r->not_shown;
	switch (r->opts.format) {
	case REPORT_JSON:
		json_array_end(&r->json);
		json_inputs(&r->json, in, n_in);
		json_summary(&r->json, sum);
		json_object_end(&r->json);
		fputc('\n', r->out);
		break;
	case REPORT_JSONL: {
		struct json line;
		json_init(&line, r->out, false);
		json_object_begin(&line);
		json_kv_str(&line, "schema", "tlsdiag/1");
		json_inputs(&line, in, n_in);
		json_summary(&line, sum);
		json_object_end(&line);
		fputc('\n', r->out);
		break;
	}
	case REPORT_MARKDOWN:
		md_summary(r->out, in, n_in, sum);
		break;
	default:
		text_summary(r->out, in, n_in, sum);
		break;
	}
	fflush(r->out);
}

bool report_is_failure(const struct session *s)
{
	return s->outcome == OUTCOME_FAILED || s->outcome == OUTCOME_NOT_TLS || finding_list_has_error(&s->findings);
}

bool report_is_notable(const struct session *s)
{
	if (s->outcome == OUTCOME_FAILED || s->outcome == OUTCOME_NOT_TLS)
		return true;
	for (uint32_t i = 0; i < s->findings.n; i++)
		if (s->findings.v[i].severity >= SEV_WARNING)
			return true;
	return false;
}
