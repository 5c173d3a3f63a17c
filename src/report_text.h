/* report_text.h - what the text writer lends the Markdown one: the facts of a timeline line. */
#ifndef TLSDIAG_REPORT_TEXT_H
#define TLSDIAG_REPORT_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include "session.h"

/* What the text timeline adds after a message's name (", 2 certificates
 * (length 1862)"), text-escaped: the Markdown timeline carries the same facts. */
void text_message_facts(FILE *out, const struct session *s, const struct msg *m);

/* How a connection ended after the alert inferred from a record's size
 * ("then server closed"), in buf (48 bytes do) or a constant: both timelines say it. */
const char *text_inferred_alert_end(const struct session *s, char *buf, size_t cap);

#endif
