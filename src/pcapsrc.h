/* pcapsrc.h - the bytes of a capture file for pcapfile.c: a read buffer, memory, or zlib over either. */
#ifndef TLSDIAG_PCAPSRC_H
#define TLSDIAG_PCAPSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The parser asks for the next n bytes in one piece (a whole block or
 * record), looks at them in place and consumes them. Files and pipes are
 * read through a buffer (measured faster than mmap: see pcapsrc.c), gzip
 * is inflated into it; memory given by the caller is read in place. The
 * buffer grows to the largest block asked for (the parser caps that).
 */
struct pcapsrc;

enum { SRC_OK, SRC_EMPTY, SRC_ERROR };

/* path "-" is standard input. SRC_EMPTY: no byte at all. On SRC_ERROR the
 * message (strerror style, without the path) is in err. */
int pcapsrc_open_path(struct pcapsrc **out, const char *path, char *err, size_t errlen);
int pcapsrc_open_mem(struct pcapsrc **out, const void *data, size_t len, char *err, size_t errlen);

/* Up to n bytes at the cursor, in one piece: *got < n only at the end of
 * the input or on an error (pcapsrc_error). Valid until the next peek. */
const uint8_t *pcapsrc_peek(struct pcapsrc *s, size_t n, size_t *got);
void pcapsrc_consume(struct pcapsrc *s, size_t n);   /* n <= the last *got */
/* Skip n bytes (they need not fit in the buffer); the number skipped. */
uint64_t pcapsrc_skip(struct pcapsrc *s, uint64_t n);

uint64_t pcapsrc_offset(const struct pcapsrc *s);   /* of the cursor, in the (decompressed) file */
bool pcapsrc_gzip(const struct pcapsrc *s);
/* Why bytes stopped early: NULL at a true end of input. gzip_cut: the
 * compressed stream ended before its end marker (the file was cut). */
const char *pcapsrc_error(const struct pcapsrc *s, bool *gzip_cut);
void pcapsrc_close(struct pcapsrc *s);

#endif
