/* mem.c - accounted allocation (see mem.h). */
#include "mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The size is kept in a header in front of the block; 16 bytes keep the
 * block aligned for any type. */
#define HDR 16u

static size_t in_use;
static size_t peak;

static void out_of_memory(size_t n)
{
	fprintf(stderr, "tlsdiag: out of memory (allocating %zu bytes)\n", n);
	exit(2);
}

static void account(size_t add, size_t sub)
{
	in_use = in_use + add - sub;
	if (in_use > peak)
		peak = in_use;
}

void *mem_alloc(size_t n)
{
	if (n > SIZE_MAX - HDR)
		out_of_memory(n);
	uint8_t *b = calloc(1, n + HDR);
	if (!b)
		out_of_memory(n);
	memcpy(b, &n, sizeof n);
	account(n, 0);
	return b + HDR;
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
	uint8_t *nb = realloc(b, n + HDR);
	if (!nb)
		out_of_memory(n);
	memcpy(nb, &n, sizeof n);
	account(n, old);
	return nb + HDR;
}

void mem_free(void *p)
{
	if (!p)
		return;
	uint8_t *b = (uint8_t *)p - HDR;
	size_t n;
	memcpy(&n, b, sizeof n);
	account(0, n);
	free(b);
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
size_t mem_peak(void) { return peak; }

#define CHUNK 4096u

struct arena_chunk {
	struct arena_chunk *next;
	uint8_t pad[8];      /* keeps the data 16-byte aligned */
	uint8_t data[];
};

void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (n > a->left) {
		/* a large block gets a chunk of its own; the current one stays */
		size_t size = n > CHUNK / 4 ? n : CHUNK;
		struct arena_chunk *c = mem_alloc(sizeof *c + size);
		c->next = a->chunks;
		a->chunks = c;
		if (n > CHUNK / 4)
			return c->data;
		a->next = c->data;
		a->left = size;
	}
	void *p = a->next;
	memset(p, 0, n);
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
