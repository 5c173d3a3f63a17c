/* keylog_int.h - the key log store's insides, shared by keylog.c (the store, sources) and keylog_line.c (one line). */
#ifndef TLSDIAG_KEYLOG_INT_H
#define TLSDIAG_KEYLOG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "keylog.h"

/* chunked arrays: stable addresses, 32-bit indices */
struct pool {
	uint8_t **chunk;
	uint32_t nchunks, cap;
	uint32_t n;          /* elements in use */
	size_t size;         /* bytes per element */
};

/* A slot keeps 32 bits of the hash: most probes and every rehash never
 * touch the entry (a cache miss each). */
struct kl_slot {
	uint32_t entry;       /* 1 + entry index, 0: empty */
	uint32_t hash;
};

struct kl_source {
	char *name;
	uint16_t index;           /* in keylog.src */
	bool follow;
	off_t offset;             /* bytes of the file read so far */
	dev_t dev;
	ino_t ino;
	unsigned long lineno;     /* lines completed */
	char carry[LIM_KEYLOG_LINE];  /* a line still without its newline */
	size_t ncarry;
	bool overlong;            /* inside a line longer than LIM_KEYLOG_LINE */
	unsigned noted;           /* bits: prefix kinds, then unused labels, each warned once */
	bool noted_crlf, noted_upper;   /* shapes accepted, each warned once */
	unsigned long shown;      /* malformed lines warned one by one */
	unsigned long suppressed; /* ... and not, since the last summary */
};

struct keylog {
	keylog_warn_fn *warn;
	void *arg;
	struct pool entries, secrets;
	struct kl_slot *slots;    /* open addressing, linear probing */
	uint32_t nslots;
	uint64_t seed;
	struct kl_source *src[LIM_KEYLOG_SOURCES];
	unsigned nsrc;
	struct keylog_stats st;
	unsigned long max_secrets;
	bool cap_noted;
	int64_t polled_ns;        /* CLOCK_MONOTONIC of the last keylog_poll that read */
};

extern const char *const kl_label_names[KEYLOG_LABELS];

/* A warning about line (0: the source as a whole) of s. */
__attribute__((format(printf, 4, 5)))
void kl_note(struct keylog *kl, const struct kl_source *s, unsigned long line, const char *fmt, ...);
/* A line that is skipped: warned about until the source has had its share. */
__attribute__((format(printf, 3, 4)))
void kl_malformed(struct keylog *kl, struct kl_source *s, const char *fmt, ...);
/* Keeps one secret of s's current line (the first of a random and label wins). */
void kl_store(struct keylog *kl, struct kl_source *s, int label, const uint8_t *random,
	      const uint8_t *secret, size_t len);
/* One complete line of s, without its newline (s->lineno already counts it). */
void kl_parse_line(struct keylog *kl, struct kl_source *s, const char *p, size_t n);

#endif
