/* strbuf.c - capped growable strings (curl's dynbuf idea: every buffer has a maximum). */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

static bool quiet;

void sb_init(struct strbuf *b)
{
	memset(b, 0, sizeof *b);
}

void sb_quiet(bool on)
{
	quiet = on;
}

/* Capacity for n more bytes, the terminator and a cut's "...". */
static void grow(struct strbuf *b, size_t n)
{
	if (b->len + n + 4 > b->cap) {
		size_t cap = b->cap ? b->cap : 512;
		while (cap < b->len + n + 4)
			cap *= 2;
		b->p = mem_realloc(b->p, cap);
		b->cap = cap;
	}
}

void sb_put(struct strbuf *b, const char *s, size_t n)
{
	if (b->cut || (quiet && !b->loud))
		return;
	if (b->len + n + 1 > STRBUF_MAX) {
		n = STRBUF_MAX > b->len + 4 ? STRBUF_MAX - b->len - 4 : 0;
		b->cut = true;
	}
	grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	if (b->cut) {
		memcpy(b->p + b->len, "...", 3);
		b->len += 3;
	}
	b->p[b->len] = '\0';
}

/* Room for n more bytes, the terminator and a cut's "..." (false once cut or full). */
static bool reserve(struct strbuf *b, size_t n)
{
	if (b->cut || b->len + n + 1 > STRBUF_MAX)
		return false;
	grow(b, n);
	return true;
}

/* Formats straight into the buffer (one vsnprintf when it fits, as most
 * sentences do); a format without conversions is copied. Rules build every
 * finding with this, for every connection: it was 15 % of the text report. */
void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	if (b->cut || (quiet && !b->loud))
		return;
	if (!strchr(fmt, '%')) {
		sb_put(b, fmt, strlen(fmt));
		return;
	}
	va_list ap;
	if (b->len + 256 + 4 > b->cap)
		reserve(b, 256);
	/* what may be written without passing the maximum (then sb_put cuts) */
	size_t room = b->cap > b->len + 4 ? b->cap - b->len - 4 : 0;
	if (b->len + room + 1 > STRBUF_MAX)
		room = STRBUF_MAX > b->len + 1 ? STRBUF_MAX - b->len - 1 : 0;
	va_start(ap, fmt);
	int n = vsnprintf(room ? b->p + b->len : NULL, room ? room + 1 : 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		if (b->p)
			b->p[b->len] = '\0';
		return;
	}
	if ((size_t)n <= room) {
		b->len += (size_t)n;
		return;
	}
	if (reserve(b, (size_t)n)) {
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
		b->len += (size_t)n;
		return;
	}
	/* past the maximum: sb_put cuts it with "..." */
	char *big = mem_alloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (b->p)
		b->p[b->len] = '\0';
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
