/* reporter.c - which connections the report shows (-v, -vv, --only-failures), grouped into problems, handed to the chosen writer.
 *
 * A writer for people (problems_first) leads with the problems of a capture
 * with more than REPORT_SMALL_CAPTURE connections: its connections are
 * kept in a spool file (not in memory) to be told after them. Until the
 * third connection arrives the capture may still be a small one, told as
 * before: its first connections wait in memory, in both shapes' text.
 */
#include "reporter.h"

#include <stdlib.h>
#include <string.h>

#include "clockskew.h"
#include "mem.h"
#include "problems.h"
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
	r->o.verbose = o->verbose > 0;
	r->o.verbosity = o->verbose;
	r->o.pretty = o->pretty;
	r->o.full = o->full;
	r->o.stream = o->stream;
	r->problems = problems_new();
	problems_set_store(r->problems, o->server_store);
}

void reporter_free(struct reporter *r)
{
	problems_free(r->problems);
	r->problems = NULL;
	for (uint32_t i = 0; i < r->n_pending; i++)
		free(r->pending[i].text);   /* open_memstream's */
	r->n_pending = 0;
	if (r->spool)
		fclose(r->spool);
	r->spool = NULL;
}

void reporter_begin(struct reporter *r)
{
	if (r->opts.writer->begin)
		r->opts.writer->begin(&r->o);
}

static bool spooling(const struct reporter *r)
{
	return r->opts.writer->problems_first && !r->opts.live;
}

/* What the writer's connection call writes for s, in memory. */
static bool render(struct reporter *r, const struct session *s, bool brief, char **text, size_t *len)
{
	FILE *mem = open_memstream(text, len);
	if (!mem)
		return false;
	FILE *out = r->o.f;
	r->o.f = mem;
	r->opts.writer->connection(&r->o, s, brief);
	r->o.f = out;
	return fclose(mem) == 0;
}

static void spool_write(struct reporter *r, const char *text, size_t len)
{
	if (!r->spool && !(r->spool = tmpfile())) {
		fputs("tlsdiag: no temporary file for the connections told after the problems: they are left out\n",
		      stderr);
		return;
	}
	fwrite(text, 1, len, r->spool);
}

/* The problem view: -vv every connection, -v every one with a finding,
 * else none (the problems tell them). */
static bool problem_view_shows(const struct reporter *r, bool notable)
{
	return r->opts.verbose >= 2 || (r->opts.verbose == 1 && notable);
}

/* The third connection: what waits is told the problem view's way. */
static void leave_small(struct reporter *r)
{
	for (uint32_t i = 0; i < r->n_pending; i++) {
		struct pending *p = &r->pending[i];
		/* with -v the small shape of a notable connection is the full one */
		if (problem_view_shows(r, p->notable) && r->opts.verbose)
			spool_write(r, p->text, p->len);
		free(p->text);
	}
	r->n_pending = 0;
}

/* A connection the report leaves out: healthy, or incomplete (no verdict to call healthy). */
static void left_out(struct reporter *r, const struct session *s)
{
	r->not_shown++;
	r->not_shown_incomplete += s->outcome != OUTCOME_COMPLETED;
}

/* Small captures' rule: healthy connections with -v, warnings in one line. */
static bool small_shows(const struct reporter *r, const struct session *s, bool *brief)
{
	bool quiet = (r->opts.writer->quiet_when_healthy && !r->opts.verbose) || r->opts.only_failures;
	*brief = !r->opts.verbose && !report_is_failure(s);
	return !(quiet && !report_is_notable(s));
}

static void spooled_connection(struct reporter *r, const struct session *s)
{
	bool brief, notable = report_is_notable(s);
	bool small = r->seen <= REPORT_SMALL_CAPTURE;
	if (!small && r->n_pending)
		leave_small(r);
	if (small) {
		struct pending *p = &r->pending[r->n_pending];
		if (small_shows(r, s, &brief) && render(r, s, brief, &p->text, &p->len)) {
			p->notable = notable;
			r->n_pending++;
			r->written++;
		} else {
			left_out(r, s);
		}
		return;
	}
	if (!problem_view_shows(r, notable) || (r->opts.only_failures && !notable)) {
		left_out(r, s);
		return;
	}
	char *text = NULL;
	size_t len = 0;
	if (render(r, s, false, &text, &len))
		spool_write(r, text, len);
	free(text);
	r->written++;
}

void reporter_connection(struct reporter *r, const struct session *s)
{
	bool first = false;
	r->seen++;
	r->o.problem = problems_add(r->problems, s, &first);
	r->o.representative = first;
	if (first && spooling(r) && r->opts.writer->connection) {
		char *text = NULL;
		size_t len = 0;
		if (render(r, s, false, &text, &len))
			problem_set_story((struct problem *)r->o.problem, text, len);
		free(text);
	}
	if (spooling(r) && r->opts.writer->connection) {
		spooled_connection(r, s);
		return;
	}
	/* reports for people: healthy connections only with -v */
	bool quiet = (r->opts.writer->quiet_when_healthy && !r->opts.verbose) || r->opts.only_failures;
	if (quiet && !report_is_notable(s)) {
		left_out(r, s);
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

static void copy_spool(struct reporter *r)
{
	for (uint32_t i = 0; i < r->n_pending; i++)
		fwrite(r->pending[i].text, 1, r->pending[i].len, r->o.f);
	if (!r->spool)
		return;
	char buf[1 << 15];
	size_t n;
	rewind(r->spool);
	while ((n = fread(buf, 1, sizeof buf, r->spool)) > 0)
		fwrite(buf, 1, n, r->o.f);
}

void reporter_end(struct reporter *r, const struct input_info *in, size_t n_in, const struct summary *sum)
{
	struct summary shown = *sum;
	const struct report_writer *w = r->opts.writer;
	shown.not_shown = r->not_shown;
	/* connections judged before their capture's clock was learned: their
	 * problems are judged by it (each file by its own) */
	for (size_t i = 0; i < n_in; i++) {
		int64_t offset = clockskew_offset(in[i].clock);
		problems_apply_clock(r->problems, in[i].file, offset ? offset + CLOCK_SLACK : 0);
	}
	shown.not_shown_incomplete = r->not_shown_incomplete;
	problems_finish(r->problems);
	r->o.problem = NULL;
	r->o.representative = false;
	/* small captures and live ones tell their connections, no problem view */
	bool view = !w->problems_first || (!r->opts.live && r->seen > REPORT_SMALL_CAPTURE);
	if (view) {
		size_t n = problems_count(r->problems);
		r->o.problem_view = true;
		if (w->headline)
			w->headline(&r->o, in, n_in, &shown, r->problems);
		for (size_t i = 0; i < n && w->problem; i++)
			w->problem(&r->o, problems_get(r->problems, i));
	}
	copy_spool(r);
	r->o.problems = r->problems;
	if (w->end)
		w->end(&r->o, in, n_in, &shown);
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
