/* diag_keylog.c - what the key logs did not decrypt: keylog-no-match, keylog-mismatch. */
#include <inttypes.h>
#include <stdio.h>

#include "diag.h"

/* A protected handshake that no given key log holds a secret for. */
static void no_match(struct diag *c)
{
	const struct session *s = c->s;
	char hex[65];
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", s->ch.random[i]);
	bool failed = s->outcome == OUTCOME_FAILED;
	struct draft t = DRAFT;
	sb_printf(&t.sum, "A key log was given, but none holds a secret for this connection: its ClientHello (frame %"
			  PRIu64 ") has the client random %s.", s->ch.frame, hex);
	sb_printf(&t.cause, "The key log was written by another run or another process than the one captured (each "
			    "connection has its own random), the client wrote it somewhere else, or it was copied before "
			    "this connection's lines were appended.%s",
		  failed ? " Without its secrets the failure can only be judged from what is in the clear." : "");
	sb_printf(&t.fix, "Look for the random in the key log (grep -i %s FILE); capture again with the key log of the "
			  "same run (SSLKEYLOGFILE set for the client process being captured).", hex);
	struct finding *f = draft_add(&t, c->out, "keylog-no-match", failed ? SEV_WARNING : SEV_INFO, SIDE_BOTH);
	finding_add_frame(f, s->ch.frame);
}

/* Secrets for the random, but the first record under them does not authenticate. */
static void mismatch(struct diag *c)
{
	const struct session *s = c->s;
	const struct conn_keys *ck = &s->keys;
	int side = ck->mismatch_side;
	struct draft t = DRAFT;
	sb_printf(&t.sum, "The key log has secrets for this connection's client random, but they do not decrypt the "
			  "%s's record at frame %" PRIu64 ": the record does not authenticate under them.",
		  side_name(side), ck->mismatch_frame);
	sb_printf(&t.cause, "The key log lines for this random are wrong: written for another connection that reused "
			    "the random, edited, truncated, or mixed from two runs. (A damaged capture shows as a "
			    "failure after records that decrypted, not at the first one.) The connection is analysed "
			    "as if no key log were given.");
	sb_printf(&t.fix, "Take the key log written by the same client run as the capture, unedited; check that "
			  "each secret line of the random is complete.");
	struct finding *f = draft_add(&t, c->out, "keylog-mismatch", SEV_WARNING, side);
	finding_add_frame(f, ck->mismatch_frame);
}

void rule_keylog(struct diag *c)
{
	const struct conn_keys *ck = &c->s->keys;
	if (!ck->given || !c->s->ch.present)
		return;
	if (ck->looked_up && !ck->matched)
		no_match(c);
	else if (ck->mismatch)
		mismatch(c);
}
