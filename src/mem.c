/* mem.c - accounted allocation (see mem.h). */
#include "mem.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"

/* The size is kept in a header in front of the block; 16 bytes keep the
 * block aligned for any type. */
#define HDR 16u

static size_t in_use;        /* live blocks, as malloc holds them: class size or size + header */
static size_t peak;
static size_t pooled;        /* free blocks kept in the pools */

/*
 * Blocks of 128 B to 32 KiB (flows, connections, sessions, arena chunks,
 * record buffers) come and go with every connection; glibc serves them from
 * its slower bins. They are rounded up to a class (powers of two and three
 * quarter steps between them, so a 3.5 KB session takes 3.5 KiB, not 4: a
 * connection's blocks are most of what a run holds) and up to
 * CLASS_KEEP_BYTES of each class are kept for reuse. The pools count in
 * mem_footprint(), and the analyzer gives them back before it evicts a
 * connection for memory.
 */
#define N_CLASSES 33                     /* 128, 160, 192, 224, 256, 320 ... 28672, 32768 */
#define CLASS_KEEP_BYTES (4u << 20)      /* per class */

/* Bytes of class k (1 .. N_CLASSES). */
static size_t class_size(unsigned k)
{
	k--;
	return (size_t)(4u + (k & 3)) * 32u << (k / 4);
}

/* Under AddressSanitizer (or -DTLSDIAG_MEM_EXACT, for valgrind) every block
 * is its own malloc'd block of the exact size: pools and arenas would hide
 * overflows (into a class's slack or the next arena block) and use after
 * free (a pooled block stays mapped). */
#if defined(__SANITIZE_ADDRESS__) || defined(TLSDIAG_MEM_EXACT)
#define MEM_EXACT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEM_EXACT 1
#endif
#endif
#ifndef MEM_EXACT
#define MEM_EXACT 0
#endif

struct free_block {
	struct free_block *next;
};

static struct free_block *free_class[N_CLASSES + 1];
static unsigned free_count[N_CLASSES + 1];

/* The class of a size, or 0 if it is not pooled. */
static unsigned class_of(size_t n)
{
	if (MEM_EXACT || n <= class_size(1) - HDR || n > class_size(N_CLASSES) - HDR)
		return 0;
	/* 2^e < m <= 2^(e+1): the first quarter step of that octave that holds m */
	size_t m = n + HDR;
	unsigned e = 63u - (unsigned)__builtin_clzll((unsigned long long)(m - 1));
	size_t step = (size_t)1 << (e - 2);
	unsigned q = (unsigned)((m - ((size_t)1 << e) + step - 1) / step);
	return 4u * (e - 7u) + q + 1u;
}

static void out_of_memory(size_t n)
{
	fprintf(stderr, "tlsdiag: out of memory (allocating %zu bytes)\n", n);
	exit(EXIT_USAGE);
}

static void account(size_t add, size_t sub)
{
	in_use = in_use + add - sub;
	if (in_use > peak)
		peak = in_use;
}

static void *alloc(size_t n, bool zero)
{
	if (n > SIZE_MAX - HDR)
		out_of_memory(n);
	unsigned cls = class_of(n);
	uint8_t *b;
	/* a pooled class is allocated whole, so any block of it fits */
	size_t size = cls ? class_size(cls) : n + HDR;
	if (cls && free_class[cls]) {
		b = (uint8_t *)free_class[cls];
		free_class[cls] = free_class[cls]->next;
		free_count[cls]--;
		pooled -= size;
		if (zero)
			memset(b + HDR, 0, n);
	} else {
		b = zero ? calloc(1, size) : malloc(size);
		if (!b)
			out_of_memory(n);
	}
	memcpy(b, &n, sizeof n);
	account(size, 0);   /* what the process holds for it, not what was asked */
	return b + HDR;
}

void *mem_alloc(size_t n)
{
	return alloc(n, true);
}

void *mem_alloc_uninit(size_t n)
{
	return alloc(n, false);
}

void *mem_realloc(void *p, size_t n)
{
	if (!p)
		return mem_alloc(n);
	if (n > SIZE_MAX - HDR)
		out_of_memory(n);
	uint8_t *b = (uint8_t *)p - HDR;
	size_t old;
	memcpy(&old, b, sizeof old);
	if (class_of(old) || class_of(n)) {
		/* pooled blocks move by copy, so the pools keep whole classes */
		uint8_t *np = mem_alloc(n);
		memcpy(np, p, old < n ? old : n);
		mem_free(p);
		return np;
	}
	uint8_t *nb = realloc(b, n + HDR);
	if (!nb)
		out_of_memory(n);
	memcpy(nb, &n, sizeof n);
	account(n + HDR, old + HDR);
	return nb + HDR;
}

void *mem_grow(void *p, size_t *cap, size_t need, size_t first)
{
	if (need <= *cap)
		return p;
	size_t n = *cap ? *cap : first;
	while (n < need)
		n *= 2;
	*cap = n;
	return mem_realloc(p, n);
}

void mem_free(void *p)
{
	if (!p)
		return;
	uint8_t *b = (uint8_t *)p - HDR;
	size_t n;
	memcpy(&n, b, sizeof n);
	unsigned cls = class_of(n);
	account(0, cls ? class_size(cls) : n + HDR);
	if (cls && free_count[cls] * class_size(cls) < CLASS_KEEP_BYTES) {
		struct free_block *f = (struct free_block *)b;
		f->next = free_class[cls];
		free_class[cls] = f;
		free_count[cls]++;
		pooled += class_size(cls);
		return;
	}
	free(b);
}

void mem_release_pools(void)
{
	for (unsigned cls = 1; cls <= N_CLASSES; cls++) {
		while (free_class[cls]) {
			struct free_block *f = free_class[cls];
			free_class[cls] = f->next;
			pooled -= class_size(cls);
			free(f);
		}
		free_count[cls] = 0;
	}
}

char *mem_strndup(const char *s, size_t n)
{
	char *d = mem_alloc(n + 1);
	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *mem_strdup(const char *s)
{
	return mem_strndup(s, strlen(s));
}

size_t mem_in_use(void) { return in_use; }
size_t mem_footprint(void) { return in_use + pooled; }
size_t mem_pooled(void) { return pooled; }
size_t mem_peak(void) { return peak; }

/* A chunk plus the allocation header fills a pool class: the first one of
 * an arena 1.5 KiB (what most handshakes need), the next ones 4 KiB. */
#define FIRST_CHUNK (1536u - 16u - 16u)
#define CHUNK (4096u - 16u - 16u)

struct arena_chunk {
	struct arena_chunk *next;
	uint8_t pad[8];      /* keeps the data 16-byte aligned */
	uint8_t data[];
};

void *arena_alloc(struct arena *a, size_t n)
{
	if (MEM_EXACT) {   /* a chunk per block: redzones around each */
		struct arena_chunk *c = mem_alloc(sizeof *c + n);
		c->next = a->chunks;
		a->chunks = c;
		return c->data;
	}
	n = (n + 15) & ~(size_t)15;
	if (n > a->left) {
		/* a large block gets a chunk of its own; the current one stays */
		size_t size = n > CHUNK / 4 ? n : a->chunks ? CHUNK : FIRST_CHUNK;
		struct arena_chunk *c = mem_alloc_uninit(sizeof *c + size);
		c->next = a->chunks;
		a->chunks = c;
		if (n > CHUNK / 4) {
			memset(c->data, 0, n);
			return c->data;
		}
		a->next = c->data;
		a->left = size;
	}
	void *p = a->next;
	memset(p, 0, n);   /* only what is handed out: most of a chunk stays unused */
	a->next += n;
	a->left -= n;
	return p;
}

void *arena_grow(struct arena *a, void *old, size_t old_n, size_t new_n)
{
	void *p = arena_alloc(a, new_n);
	if (old && old_n)
		memcpy(p, old, old_n < new_n ? old_n : new_n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);
	if (n)
		memcpy(d, s, n);
	return d;
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->chunks;
	while (c) {
		struct arena_chunk *next = c->next;
		mem_free(c);
		c = next;
	}
	a->chunks = NULL;
	a->next = NULL;
	a->left = 0;
}
