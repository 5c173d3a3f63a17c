/* writer.h - what a report format implements: the run's opening, each connection (or bundle), the summary. */
#ifndef TLSDIAG_WRITER_H
#define TLSDIAG_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "json.h"
#include "session.h"
#include "summary.h"

struct bundle_facts;   /* --check-bundle: a certificate bundle and its key, checked */
struct problem;        /* connections that fail for one cause (problems.h) */
struct problem_set;    /* all of them, in rank order: problems_count(), problems_get() */

/* Where a writer writes and how; one for the whole run, handed to every call. */
struct report_out {
	FILE *f;
	bool verbose;          /* -v: all there is, healthy connections too */
	int verbosity;         /* -v 1, -vv 2 */
	bool pretty;           /* --pretty: indented JSON */
	bool full;             /* --json-full: every connection in full, certificates inline */
	bool problem_view;     /* the report leads with problems (headline was called) */
	bool stream;           /* live: each connection flushed as it is written (reporter.c) */
	struct json json;      /* JSON: the document open from begin to end */
	/* the connection being written: its problem (NULL: none) and whether
	 * it is that problem's representative (told in full) */
	const struct problem *problem;
	bool representative;
	const struct problem_set *problems;   /* at the end call: all of them, ranked (problems.h) */
	void *state;           /* the writer's own, from begin to end */
};

/*
 * A report format. The writer only writes: which connections are shown is
 * the reporter's choice (reporter.c). Any call may be NULL: the format has
 * nothing to write there.
 */
struct report_writer {
	const char *name;              /* as --format names it */
	const char *alias;             /* a shorter name --format takes too, or NULL */
	const char *help;              /* what it is for, a few words for --help */
	bool quiet_when_healthy;       /* for people: healthy connections only with -v */
	bool words_every;              /* prints the words of every finding (so they are made at once) */
	void (*begin)(struct report_out *o);
	/* brief: notable for its warnings only, without -v: one line where the format has lines */
	void (*connection)(struct report_out *o, const struct session *s, bool brief);
	void (*bundle)(struct report_out *o, const struct bundle_facts *b, const struct finding_list *findings);
	/* problems_first: connections are told after the problems; the
	 * representative's story is the connection call's output, kept */
	bool problems_first;
	/* before the problems: the run in a few lines and the list of its
	 * problems (text), or the end of the connections (JSON) */
	void (*headline)(struct report_out *o, const struct input_info *in, size_t n_in, const struct summary *sum,
			 const struct problem_set *ps);
	void (*problem)(struct report_out *o, const struct problem *p);
	void (*end)(struct report_out *o, const struct input_info *in, size_t n_in, const struct summary *sum);
};

extern const struct report_writer text_writer;    /* report_text.c: for a terminal */
extern const struct report_writer json_writer;    /* report_json.c: one "tlsdiag/2" document */
extern const struct report_writer jsonl_writer;   /* report_json.c: a line per connection, then the summary's */
extern const struct report_writer md_writer;      /* report_md.c: for a support ticket */
extern const struct report_writer ecs_writer;     /* report_ecs.c: Elastic Common Schema, a line per connection */
extern const struct report_writer html_writer;    /* report_html.c: one self-contained page for a support case */

/* The writer of a --format name (or its alias: "md"); NULL for any other. */
const struct report_writer *writer_find(const char *name);
/* The i-th writer of the table, NULL past its end. */
const struct report_writer *writer_at(size_t i);
/* Every name and alias --format takes, NULL-terminated. */
const char *const *writer_names(void);

#endif
