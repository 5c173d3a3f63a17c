/* diagnose.h - rules that turn session facts into findings: cause, evidence frames, fix. */
#ifndef TLSDIAG_DIAGNOSE_H
#define TLSDIAG_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag_opts.h"
#include "session.h"

/* Run the rule table on a settled session and append the findings to out
 * (the caller stores them: finding_list_free(&s->findings), then pass
 * &s->findings). Rules read facts only, and never fire on what the capture
 * could not show. */
void diagnose_session(const struct session *s, const struct diag_opts *o, struct finding_list *out);

/* The same findings without their words (summary, cause, fix: empty),
 * which finding_words puts in when a writer needs them, by running the
 * rules again on the same facts: most connections' words are never printed
 * (the problem-grouped report tells one per problem, compact JSON none).
 * The session's facts (but its outcome, which diagnose_outcome may change
 * after: the words' pass reads the one the rules read) and o (and the
 * capture clock, for the rules that read it: settled.c judges such a
 * session again when the clock moved) must not change in between. */
void diagnose_facts(const struct session *s, const struct diag_opts *o, struct finding_list *out);

/* After diagnose_session: a connection that completed by its facts but that
 * a finding shows refused (rejected-after-handshake) has failed. */
void diagnose_outcome(struct session *s);

/* Whom a rule's findings are about. */
enum rule_side {
	RULE_CLIENT = SIDE_CLIENT,
	RULE_SERVER = SIDE_SERVER,
	RULE_CONNECTION = SIDE_BOTH,
	RULE_EITHER,                /* the rule tells from the facts */
	RULE_EACH                   /* run once for each side's chain: client, then server */
};

struct diag;

/* One row of the rule table, which is also the catalogue (--list-findings,
 * the summary's counts, the man page's DIAGNOSTICS). */
struct rule_info {
	const char *id;
	const char *severity;       /* "error", "warning", "info", or all it can take: "error|warning" */
	int side;                   /* enum rule_side */
	int step;                   /* when its rule runs (1, 2 ...): later rules read earlier findings */
	const char *title;          /* one line */
	void (*run)(struct diag *c);/* writes the ids of every row of its step */
};

const struct rule_info *diagnose_catalogue(size_t *n);

#endif
