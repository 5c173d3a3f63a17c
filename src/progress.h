/* progress.h - the one-line progress indicator on stderr while files are read (--progress). */
#ifndef TLSDIAG_PROGRESS_H
#define TLSDIAG_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --progress / --no-progress / neither (shown when stderr is a terminal). */
enum progress_mode { PROGRESS_AUTO, PROGRESS_ON, PROGRESS_OFF };

/* Start for the -r files (their sizes make the percent; a pipe or gzip
 * file has none, then only bytes read are shown). Never on stdout. */
void progress_start(enum progress_mode mode, const char *const *files, size_t n);
/* Reading file i (0-based) is at byte offset; call it per packet: it looks
 * at the clock once every few thousand calls, draws a few times a second. */
void progress_packet(size_t i, uint64_t offset, uint64_t connections, uint64_t failed);
/* Before report text goes to the same terminal: take the line away (it is
 * drawn again at the next update). */
void progress_hide(void);
/* The end: the line is erased; a log gets a last line with the final counts. */
void progress_stop(uint64_t connections, uint64_t failed);

#endif
