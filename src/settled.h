/* settled.h - settled sessions: judged, held for first-frame order, reported.
 *
 * Files are reported in tcp.stream order although connections end in any
 * order, so a settled session waits here until no open connection can come
 * before it (bounded by LIM_REPORT_HOLD). A session whose certificate begins
 * after its capture time also waits while the completed handshakes may
 * still show that the capture's clock is behind (clockskew.h), and is
 * judged again if the learned offset moved meanwhile.
 */
#ifndef TLSDIAG_SETTLED_H
#define TLSDIAG_SETTLED_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze.h"

struct flow_table;
struct summary;
struct session;
struct settled;

/* opts is the analyzer's (-w's target may change while it runs); every
 * report is counted in sum and handed to rep. */
struct settled *settled_new(const struct analyze_opts *opts, struct reporter *rep, struct summary *sum);
void settled_free(struct settled *q);

/* The clock of the file being read (NULL: --at given, or no diagnosis). */
struct clockskew *settled_clock(const struct settled *q);
/* A completed handshake teaches the clock, before its diagnosis. */
void settled_learn_clock(struct settled *q, struct session *s);
/* The rules' verdict on s (again: a later look starts afresh). */
void settled_judge(struct settled *q, struct session *s);

/* Report s now (live), or hold it for its turn; either way it is owned here. */
void settled_report(struct settled *q, struct session *s);
void settled_hold(struct settled *q, struct session *s);
/* Live, before the connection closed: reported now, but its -w mapping
 * (s->ev) stays its connection's, which goes on writing its packets. */
void settled_report_open(struct settled *q, struct session *s);
/* Report the held sessions no open connection of flows can precede (all:
 * every one); the oldest alone when memory must be freed (false: none). */
void settled_release(struct settled *q, const struct flow_table *flows, bool all);
bool settled_release_oldest(struct settled *q);

/* The end: how many reports came before the clock's final offset. */
void settled_count_early(struct settled *q);

#endif
