/* analyze.h - the pipeline: packets -> connections -> TLS facts -> reports. */
#ifndef TLSDIAG_ANALYZE_H
#define TLSDIAG_ANALYZE_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze_opts.h"
#include "budget.h"
#include "capture.h"
#include "diagnose.h"
#include "evidence.h"
#include "keylog.h"
#include "reporter.h"

struct analyzer;

struct analyzer *analyzer_new(const struct analyze_opts *o, struct reporter *rep);
/* Files are analyzed one after another; each has its own frame and
 * tcp.stream numbering, as in Wireshark. */
void analyzer_begin_file(struct analyzer *a, const char *file, int dlt, int ts_digits);
void analyzer_packet(struct analyzer *a, const struct capture_pkt *p);
/* Settle every open connection (end of the file or of the capture). */
void analyzer_end_file(struct analyzer *a);
/* -w target for the packets that follow (NULL: none). */
void analyzer_set_evidence(struct analyzer *a, struct evidence *ev);
/* Live: the clock moved without packets (idle connections settle, held
 * records look for their keys again); now in nanoseconds since the epoch. */
void analyzer_tick(struct analyzer *a, int64_t now_ns);
/* -c reached. */
bool analyzer_done(const struct analyzer *a);
/* The bytes its connections hold together (all zero once every file ended). */
const struct budget *analyzer_budget(const struct analyzer *a);
const struct summary *analyzer_summary(struct analyzer *a);
/* Connections whose random the key log source (a --keylog file name) held. */
uint64_t analyzer_keylog_matches(const struct analyzer *a, const char *source);

/* The counts so far, as they grow (not finished: for the progress line). */
const struct summary *analyzer_counts(const struct analyzer *a);
void analyzer_free(struct analyzer *a);

#endif
