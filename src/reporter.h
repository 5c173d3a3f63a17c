/* reporter.h - which connections the report shows, handed to the writer of the chosen format. */
#ifndef TLSDIAG_REPORTER_H
#define TLSDIAG_REPORTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "session.h"
#include "summary.h"
#include "writer.h"

struct report_opts {
	const struct report_writer *writer;   /* writer_find() */
	int verbose;             /* -v 1, -vv 2 */
	bool pretty;
	bool full;               /* --json-full */
	bool only_failures;      /* leave healthy connections out, whatever the format */
	bool live;               /* connections are told as they end, problems only counted */
	bool stream;             /* flush each connection (live); files: large writes only */
	const char *server_store;   /* the store server chains were judged against, in words (problems_set_store) */
};

/* Captures with at most this many connections keep the story of each
 * connection and no problem view (the usual support case). */
#define REPORT_SMALL_CAPTURE 2u

struct problem_set;

struct reporter {
	struct report_opts opts;
	struct report_out o;
	uint64_t written;        /* connections handed to the writer */
	uint64_t not_shown;      /* ... and left out */
	uint64_t not_shown_incomplete;  /* ... of them, incomplete: not healthy, their outcome is unknown */
	uint64_t seen;           /* connections reported to us */
	struct problem_set *problems;
	/* problems_first writers: the first connections as a small capture
	 * tells them, until a third one makes it the problem view */
	struct pending { char *text; size_t len; bool notable; } pending[REPORT_SMALL_CAPTURE];
	uint32_t n_pending;
	FILE *spool;             /* the problem view's connections, told after the problems */
};

/* The writer of a --format name (or its alias: "md"); NULL for any other. */
const struct report_writer *writer_find(const char *name);
/* The i-th writer of the table, NULL past its end. */
const struct report_writer *writer_at(size_t i);
/* Every name and alias --format takes, NULL-terminated. */
const char *const *writer_names(void);

void reporter_init(struct reporter *r, FILE *out, const struct report_opts *o);
/* Start of the run (JSON: the document's opening). */
void reporter_begin(struct reporter *r);
/* One connection, in the order the analyzer settles them: counted in its
 * problem, then told (or kept to be told after the problems). */
void reporter_connection(struct reporter *r, const struct session *s);
/* End of the run: the problems, the connections kept for after them, the
 * inputs and summary (with the count of connections not shown). */
void reporter_end(struct reporter *r, const struct input_info *in, size_t n_in, const struct summary *sum);
void reporter_free(struct reporter *r);

/* Is a connection worth showing without -v (a warning, an error, a failure)?
 * Worth showing in full (a failure or an error)? */
bool report_is_notable(const struct session *s);
bool report_is_failure(const struct session *s);

#endif
