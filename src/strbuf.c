/* strbuf.c - capped growable strings (curl's dynbuf idea: every buffer has a maximum). */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

void sb_init(struct strbuf *b)
{
	memset(b, 0, sizeof *b);
}

void sb_put(struct strbuf *b, const char *s, size_t n)
{
	if (b->cut)
		return;
	if (b->len + n + 1 > STRBUF_MAX) {
		n = STRBUF_MAX > b->len + 4 ? STRBUF_MAX - b->len - 4 : 0;
		b->cut = true;
	}
	if (b->len + n + 4 > b->cap) {
		size_t cap = b->cap ? b->cap : 512;
		while (cap < b->len + n + 4)
			cap *= 2;
		b->p = mem_realloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	if (b->cut) {
		memcpy(b->p + b->len, "...", 3);
		b->len += 3;
	}
	b->p[b->len] = '\0';
}

void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		sb_put(b, small, (size_t)n);
		return;
	}
	char *big = mem_alloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb_put(b, big, (size_t)n);
	mem_free(big);
}

char *sb_take(struct strbuf *b)
{
	char *s = b->p ? b->p : mem_strdup("");
	sb_init(b);
	return s;
}

void sb_free(struct strbuf *b)
{
	mem_free(b->p);
	sb_init(b);
}
