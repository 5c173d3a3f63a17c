/* mem.h - allocation that keeps a running total, so memory caps can be enforced. */
#ifndef TLSDIAG_MEM_H
#define TLSDIAG_MEM_H

#include <stddef.h>
#include <stdint.h>

/*
 * All memory that grows with the input goes through these. Allocation
 * failure is not recoverable for a command-line analyzer: it prints one line
 * and exits with status 2 (caps make it unreachable in practice).
 */
void *mem_alloc(size_t n);            /* zeroed */
void *mem_alloc_uninit(size_t n);     /* for buffers that are filled at once */
void *mem_realloc(void *p, size_t n); /* new bytes are not zeroed */
/* A buffer of *cap bytes that must hold need: its capacity doubles, from
 * first when it has none, until need fits (the caller caps need). */
void *mem_grow(void *p, size_t *cap, size_t need, size_t first);
void mem_free(void *p);
char *mem_strndup(const char *s, size_t n);
char *mem_strdup(const char *s);

/*
 * An arena: many small allocations freed together. A connection's facts
 * (lists, names, timeline, findings) live in its session's arena, so
 * parsing a handshake costs a few chunk allocations instead of dozens.
 */
struct arena_chunk;

struct arena {
	struct arena_chunk *chunks;
	uint8_t *next;
	size_t left;
};

void *arena_alloc(struct arena *a, size_t n);   /* zeroed, 16-byte aligned */
/* A bigger copy of a block (the old one stays until arena_free). */
void *arena_grow(struct arena *a, void *old, size_t old_n, size_t new_n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_free(struct arena *a);

/* Give the blocks kept for reuse back to the system (at exit, for leak
 * checkers; under the memory budget, before evicting a connection). */
void mem_release_pools(void);

/* Bytes currently allocated through this module, as the process holds them
 * (the pool class or the size asked, plus the header). */
size_t mem_in_use(void);
/* ... and the free blocks kept in the pools: what LIM_MEMORY_BUDGET caps. */
size_t mem_footprint(void);
size_t mem_peak(void);
size_t mem_pooled(void);   /* the free blocks kept for reuse */

#endif
