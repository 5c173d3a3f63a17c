/* strbuf.h - a growable string with a maximum size, for building report sentences. */
#ifndef TLSDIAG_STRBUF_H
#define TLSDIAG_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

#define STRBUF_MAX 16384   /* longer text is cut with "..." */

struct strbuf {
	char *p;
	size_t len, cap;
	bool cut;
	bool words;     /* a finding's words (struct draft): not written while quiet */
};

void sb_init(struct strbuf *b);
/* While quiet, sb_put and sb_printf write nothing into a buffer of words:
 * the rules' first pass over a connection (diagnose_facts) makes the
 * findings without them, which only the connections a writer prints need.
 * Every other buffer (a rule's scratch text that decides something, a
 * redacted name) is written as always. */
void sb_quiet(bool on);
void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_put(struct strbuf *b, const char *s, size_t n);
/* The string (mem_alloc'd; the buffer is reset). Never NULL. */
char *sb_take(struct strbuf *b);
void sb_free(struct strbuf *b);

#endif
