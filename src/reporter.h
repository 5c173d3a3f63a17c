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
	bool verbose;
	bool pretty;
	bool only_failures;      /* leave healthy connections out, whatever the format */
	bool stream;             /* flush each connection (live); files: large writes only */
};

struct reporter {
	struct report_opts opts;
	struct report_out o;
	uint64_t written;        /* connections handed to the writer */
	uint64_t not_shown;      /* ... and left out */
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
/* One connection, in the order the analyzer settles them. */
void reporter_connection(struct reporter *r, const struct session *s);
/* End of the run: inputs and summary (with the count of connections not shown). */
void reporter_end(struct reporter *r, const struct input_info *in, size_t n_in, const struct summary *sum);

/* Is a connection worth showing without -v (a warning, an error, a failure)?
 * Worth showing in full (a failure or an error)? */
bool report_is_notable(const struct session *s);
bool report_is_failure(const struct session *s);

#endif
