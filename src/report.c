/* report.c - dispatch of connections and summary to the chosen output format. */
#include "report.h"

#include <string.h>

/* The formats that have moved behind struct report_writer. */
static const struct report_writer *writer_of(int format)
{
	switch (format) {
	case REPORT_TEXT: return &text_writer;
	case REPORT_JSON: return &json_writer;
	case REPORT_JSONL: return &jsonl_writer;
	default: return &md_writer;
	}
}

void reporter_init(struct reporter *r, FILE *out, const struct report_opts *o)
{
	memset(r, 0, sizeof *r);
	r->out = out;
	r->opts = *o;
	r->w = writer_of(o->format);
	r->o.f = out;
	r->o.verbose = o->verbose;
	r->o.pretty = o->pretty;
}

void reporter_begin(struct reporter *r)
{
	if (r->w->begin)
		r->w->begin(&r->o);
}

void reporter_connection(struct reporter *r, const struct session *s)
{
	/* text for people: healthy connections only with -v */
	bool for_people = r->w->quiet_when_healthy;
	if (((for_people && !r->opts.verbose) || r->opts.only_failures) && !report_is_notable(s)) {
		r->not_shown++;
		return;
	}
	/* a connection with warnings only gets one line unless -v */
	if (r->w->connection)
		r->w->connection(&r->o, s, !r->opts.verbose && !report_is_failure(s));
	r->written++;
}

void reporter_end(struct reporter *r, const struct input_info *in, size_t n_in, const struct summary *summary)
{
	struct summary copy = *summary;
	const struct summary *sum = &copy;
	copy.not_shown = r->not_shown;
	if (r->w->end)
		r->w->end(&r->o, in, n_in, sum);
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
