/* diag.h - what the rules share: the context of one diagnosis, peer naming, and the finding builder. */
#ifndef TLSDIAG_DIAG_H
#define TLSDIAG_DIAG_H

#include <stdbool.h>
#include <stdint.h>

#include "session.h"
#include "strbuf.h"

/* A finding being written: the three texts every finding has. Zero is an
 * empty draft ({ 0 }); draft_add hands the texts to a list and empties it. */
struct draft {
	struct strbuf sum;       /* what happened, with the concrete values */
	struct strbuf cause;
	struct strbuf fix;
};

struct finding *draft_add(struct draft *t, struct finding_list *out, const char *id, int severity, int side);
void draft_free(struct draft *t);

#endif
