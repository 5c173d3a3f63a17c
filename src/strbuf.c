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
	b->p = mem_grow(b->p, &b->cap, b->len + n + 4, 512);
}

void sb_put(struct strbuf *b, const char *s, size_t n)
{
	if (b->cut || (quiet && b->words))
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

/* Digits of v, with a '-' when neg, ending at end; returns the first. */
static char *put_dec(char *end, unsigned long long v, bool neg)
{
	do
		*--end = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	if (neg)
		*--end = '-';
	return end;
}

/* The conversions the rules write with (%s, %.*s, %d, %u, %ld, %lu and
 * %%), formatted by hand into out as vsnprintf would: its length, or -1
 * for any other conversion or more than cap bytes (then vsnprintf does it).
 * vsnprintf was three quarters of the words' cost. */
static int quick_format(char *out, size_t cap, const char *fmt, va_list ap)
{
	size_t n = 0;
	for (const char *p = fmt; *p; p++) {
		const char *piece = p, *str;
		size_t len;
		char digits[24];
		if (*p != '%') {
			const char *next = strchr(p, '%');
			len = next ? (size_t)(next - p) : strlen(p);
			p += len - 1;
		} else {
			p++;
			bool lng = false;
			int prec = -1;
			if (p[0] == '.' && p[1] == '*') {
				prec = va_arg(ap, int);
				p += 2;
				if (*p != 's')
					return -1;
			}
			if (*p == 'l') {
				lng = true;
				p++;
			}
			char *end = digits + sizeof digits;
			switch (*p) {
			case '%':
				piece = "%";
				len = 1;
				break;
			case 's':
				if (lng)
					return -1;
				str = va_arg(ap, const char *);
				if (!str) {
					if (prec >= 0 && prec < 6)
						return -1;   /* glibc's "(null)" depends on the precision */
					str = "(null)";
				}
				piece = str;
				len = prec >= 0 ? strnlen(str, (size_t)prec) : strlen(str);
				break;
			case 'd': {
				long long v = lng ? va_arg(ap, long) : va_arg(ap, int);
				piece = put_dec(end, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v, v < 0);
				len = (size_t)(end - piece);
				break;
			}
			case 'u': {
				unsigned long long v = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
				piece = put_dec(end, v, false);
				len = (size_t)(end - piece);
				break;
			}
			default:
				return -1;
			}
		}
		if (len > cap - n)
			return -1;
		memcpy(out + n, piece, len);
		n += len;
	}
	return (int)n;
}

/* Formats straight into the buffer (one vsnprintf when it fits, as most
 * sentences do); a format without conversions is copied, and one with the
 * common conversions is formatted by hand. Rules build every finding with
 * this: it was 15 % of the text report. */
void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	if (b->cut || (quiet && b->words))
		return;
	if (!strchr(fmt, '%')) {
		sb_put(b, fmt, strlen(fmt));
		return;
	}
	va_list ap;
	char quick[1024];
	va_start(ap, fmt);
	int qn = quick_format(quick, sizeof quick, fmt, ap);
	va_end(ap);
	if (qn >= 0) {
		sb_put(b, quick, (size_t)qn);   /* cut at the maximum as the formatted whole would be */
		return;
	}
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
