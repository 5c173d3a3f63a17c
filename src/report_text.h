/* report_text.h - what the text writer lends the Markdown one: the facts of a timeline line. */
#ifndef TLSDIAG_REPORT_TEXT_H
#define TLSDIAG_REPORT_TEXT_H

#include <stdio.h>

#include "session.h"

/* What the text timeline adds after a message's name (", 2 certificates
 * (length 1862)"), text-escaped: the Markdown timeline carries the same facts. */
void text_message_facts(FILE *out, const struct session *s, const struct msg *m);

#endif
