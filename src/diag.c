/* diag.c - what the rules share: the context of one diagnosis, peer naming, and the finding builder. */
#include "diag.h"

struct finding *draft_add(struct draft *t, struct finding_list *out, const char *id, int severity, int side)
{
	struct finding *f = finding_list_add(out, id, severity, side, t->sum.p, t->cause.p, t->fix.p);
	draft_free(t);
	return f;
}

void draft_free(struct draft *t)
{
	sb_free(&t->sum);
	sb_free(&t->cause);
	sb_free(&t->fix);
}
