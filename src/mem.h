/* mem.h - allocation that keeps a running total, so memory caps can be enforced. */
#ifndef TLSDIAG_MEM_H
#define TLSDIAG_MEM_H

#include <stddef.h>

/*
 * All memory that grows with the input goes through these. Allocation
 * failure is not recoverable for a command-line analyzer: it prints one line
 * and exits with status 2 (caps make it unreachable in practice).
 */
void *mem_alloc(size_t n);            /* zeroed */
void *mem_realloc(void *p, size_t n); /* new bytes are not zeroed */
void mem_free(void *p);
char *mem_strndup(const char *s, size_t n);
char *mem_strdup(const char *s);

/* Bytes currently allocated through this module (payload only). */
size_t mem_in_use(void);
size_t mem_peak(void);

#endif
