/* report_text.h - what the text writer lends the Markdown one: the lines of a timeline and their facts. */
#ifndef TLSDIAG_REPORT_TEXT_H
#define TLSDIAG_REPORT_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include "session.h"

/* What the text timeline adds after a message's name (", 2 certificates
 * (length 1862)", " (decrypted)"), text-escaped: the Markdown timeline carries the same facts. */
void text_message_facts(FILE *out, const struct session *s, const struct msg *m);

/* One line of a connection's timeline as both timelines tell it: a message
 * seen (m set), the count of messages not kept (dropped), or the alert
 * inferred from a record's size (neither; its time is not kept, so ""). */
struct timeline_row {
	uint64_t frame;
	const char *time;
	enum side from;
	const char *what;	/* the message's name, or the inferred alert's sentence */
	const struct msg *m;
	uint32_t dropped;
};
typedef void timeline_row_fn(FILE *out, const struct session *s, const struct timeline_row *r);

/* Hands row each line of s's timeline in order: the writers differ only in layout. */
void text_timeline_rows(FILE *out, const struct session *s, timeline_row_fn *row);

#endif
