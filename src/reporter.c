/* reporter.c - which connections the report shows (-v, --only-failures), handed to the chosen writer. */
#include "reporter.h"

#include <string.h>

#include "progress.h"

/* Every format: --format, --help and the man page list them in this order. */
static const struct report_writer *const writers[] = {
	&text_writer, &json_writer, &jsonl_writer, &md_writer, &html_writer, &ecs_writer,
};
#define N_WRITERS (sizeof writers / sizeof writers[0])

const struct report_writer *writer_find(const char *name)
{
	for (size_t i = 0; i < N_WRITERS; i++)
		if (strcmp(writers[i]->name, name) == 0 || (writers[i]->alias && strcmp(writers[i]->alias, name) == 0))
			return writers[i];
	return NULL;
}

const struct report_writer *writer_at(size_t i)
{
	return i < N_WRITERS ? writers[i] : NULL;
}

const char *const *writer_names(void)
{
	static const char *names[2 * N_WRITERS + 1];
	if (!names[0]) {
		size_t n = 0;
		for (size_t i = 0; i < N_WRITERS; i++)
			names[n++] = writers[i]->name;
		for (size_t i = 0; i < N_WRITERS; i++)
			if (writers[i]->alias)
				names[n++] = writers[i]->alias;
	}
	return names;
}

void reporter_init(struct reporter *r, FILE *out, const struct report_opts *o)
{
	memset(r, 0, sizeof *r);
	r->opts = *o;
	r->o.f = out;
	r->o.verbose = o->verbose;
	r->o.pretty = o->pretty;
	r->o.stream = o->stream;
}

void reporter_begin(struct reporter *r)
{
	if (r->opts.writer->begin)
		r->opts.writer->begin(&r->o);
}

void reporter_connection(struct reporter *r, const struct session *s)
{
	/* reports for people: healthy connections only with -v */
	bool quiet = (r->opts.writer->quiet_when_healthy && !r->opts.verbose) || r->opts.only_failures;
	if (quiet && !report_is_notable(s)) {
		r->not_shown++;
		return;
	}
	/* a connection with warnings only gets one line unless -v */
	if (r->o.stream)
		progress_hide();   /* the report and the progress line may share a terminal */
	if (r->opts.writer->connection)
		r->opts.writer->connection(&r->o, s, !r->opts.verbose && !report_is_failure(s));
	/* so `tlsdiag -i any | tee` shows each connection as it ends; reading a
	 * file, a write(2) per connection was a tenth of JSON Lines' time */
	if (r->o.stream)
		fflush(r->o.f);
	r->written++;
}

void reporter_end(struct reporter *r, const struct input_info *in, size_t n_in, const struct summary *sum)
{
	struct summary shown = *sum;
	shown.not_shown = r->not_shown;
	if (r->opts.writer->end)
		r->opts.writer->end(&r->o, in, n_in, &shown);
	fflush(r->o.f);
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
