/* fuzz_common.h - shared by the harnesses: input reader, report sinks, and the JSON/UTF-8 oracle. */
#ifndef TLSDIAG_FUZZ_COMMON_H
#define TLSDIAG_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mem.h"
#include "reporter.h"

/* UBSan reports are findings too: stop at the first, with its stack
 * (the build's -fsanitize=undefined would otherwise print and go on). */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

/* ---- a cursor over the fuzzer's input; reads past the end give zeros ---- */

struct fin {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fin_u8(struct fin *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

static inline uint32_t fin_be(struct fin *f, int bytes)
{
	uint32_t v = 0;
	while (bytes--)
		v = v << 8 | fin_u8(f);
	return v;
}

/* Up to want bytes (fewer at the end of the input). */
static inline const uint8_t *fin_take(struct fin *f, size_t want, size_t *got)
{
	const uint8_t *p = f->p;
	*got = want < f->n ? want : f->n;
	f->p += *got;
	f->n -= *got;
	return p;
}

/* ---- the oracle: the JSON writer promises valid UTF-8 JSON (RFC 8259) ---- */

static void fuzz_fail(const char *what, const char *doc, size_t len, size_t at)
{
	fprintf(stderr, "\n==fuzz== invalid JSON output: %s at byte %zu of %zu\n", what, at, len);
	size_t from = at > 80 ? at - 80 : 0;
	fprintf(stderr, "==fuzz== context: %.*s<<HERE>>%.*s\n", (int)(at - from), doc + from,
		(int)(len - at < 80 ? len - at : 80), doc + at);
	abort();
}

struct jv {
	const char *d;
	size_t n, i;
	int depth;
};

static void jv_ws(struct jv *v)
{
	while (v->i < v->n && strchr(" \t\r\n", v->d[v->i]) && v->d[v->i])
		v->i++;
}

static void jv_expect(struct jv *v, char c, const char *what)
{
	jv_ws(v);
	if (v->i >= v->n || v->d[v->i] != c)
		fuzz_fail(what, v->d, v->n, v->i);
	v->i++;
}

static void jv_string(struct jv *v)
{
	jv_expect(v, '"', "expected a string");
	for (;;) {
		if (v->i >= v->n)
			fuzz_fail("unterminated string", v->d, v->n, v->i);
		unsigned char c = (unsigned char)v->d[v->i];
		if (c == '"') {
			v->i++;
			return;
		}
		if (c < 0x20)
			fuzz_fail("raw control character in a string", v->d, v->n, v->i);
		if (c == '\\') {
			char e = v->i + 1 < v->n ? v->d[v->i + 1] : 0;
			if (e == 'u') {
				for (int k = 2; k < 6; k++)
					if (v->i + k >= v->n || !strchr("0123456789abcdefABCDEF", v->d[v->i + k]) ||
					    !v->d[v->i + k])
						fuzz_fail("bad \\u escape", v->d, v->n, v->i);
				v->i += 6;
			} else if (e && strchr("\"\\/bfnrt", e)) {
				v->i += 2;
			} else {
				fuzz_fail("bad escape", v->d, v->n, v->i);
			}
			continue;
		}
		size_t k = utf8_seq_len((const uint8_t *)v->d + v->i, v->n - v->i);
		if (!k)
			fuzz_fail("invalid UTF-8", v->d, v->n, v->i);
		v->i += k;
	}
}

static void jv_value(struct jv *v)
{
	jv_ws(v);
	if (v->i >= v->n)
		fuzz_fail("expected a value", v->d, v->n, v->i);
	char c = v->d[v->i];
	if (c == '{' || c == '[') {
		char close = c == '{' ? '}' : ']';
		if (++v->depth > 64)
			fuzz_fail("nested too deep", v->d, v->n, v->i);
		v->i++;
		jv_ws(v);
		if (v->i < v->n && v->d[v->i] == close) {
			v->i++;
			v->depth--;
			return;
		}
		for (;;) {
			if (c == '{') {
				jv_string(v);
				jv_expect(v, ':', "expected ':'");
			}
			jv_value(v);
			jv_ws(v);
			if (v->i < v->n && v->d[v->i] == ',') {
				v->i++;
				continue;
			}
			jv_expect(v, close, "expected ',' or the end of a container");
			v->depth--;
			return;
		}
	}
	if (c == '"') {
		jv_string(v);
		return;
	}
	static const char *const words[] = { "true", "false", "null" };
	for (int k = 0; k < 3; k++) {
		size_t l = strlen(words[k]);
		if (v->n - v->i >= l && memcmp(v->d + v->i, words[k], l) == 0) {
			v->i += l;
			return;
		}
	}
	size_t start = v->i;
	if (v->d[v->i] == '-')
		v->i++;
	if (v->i < v->n && v->d[v->i] == '0')
		v->i++;
	else
		while (v->i < v->n && v->d[v->i] >= '0' && v->d[v->i] <= '9')
			v->i++;
	if (v->i == start || v->d[v->i - 1] == '-')
		fuzz_fail("expected a value", v->d, v->n, start);
}

/* The whole buffer must be JSON values (one document, or JSON Lines).
 * FUZZ_SHOW=1 in the environment prints it (to look at a reproducer). */
static inline void check_json(const char *doc, size_t len)
{
	static int show = -1;
	if (show < 0)
		show = getenv("FUZZ_SHOW") != NULL;
	if (show)
		fprintf(stderr, "%.*s\n", (int)len, doc);
	struct jv v = { doc, len, 0, 0 };
	jv_ws(&v);
	while (v.i < v.n) {
		jv_value(&v);
		jv_ws(&v);
	}
}

/* ---- bookkeeping that must be back where it started after each input ---- */

/* A global counter (bytes held across connections) that did not return to
 * its value before the input: every later connection would be judged by a
 * cap it no longer has room under. */
static inline void check_counter(const char *what, uint64_t before, uint64_t after)
{
	if (after == before)
		return;
	fprintf(stderr, "\n==fuzz== %s: %llu before the input, %llu after everything was freed\n", what,
		(unsigned long long)before, (unsigned long long)after);
	abort();
}

/* ---- report sinks ---- */

/* Reports nobody reads; the writers run all the same. */
static inline FILE *devnull(void)
{
	static FILE *f;
	if (!f)
		f = fopen("/dev/null", "w");
	if (!f)
		abort();
	return f;
}

/* Every writer over one connection; the JSON must parse. */
static inline void fuzz_render(struct session *s, bool verbose)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&doc, &len);
	if (!m)
		abort();
	struct report_out o = { .f = m, .verbose = verbose, .pretty = verbose };
	struct summary sum;
	memset(&sum, 0, sizeof sum);
	json_writer.begin(&o);
	json_writer.connection(&o, s, false);
	json_writer.end(&o, NULL, 0, &sum);
	fclose(m);
	check_json(doc, len);
	free(doc);
	o.f = devnull();
	text_writer.connection(&o, s, false);
	text_writer.connection(&o, s, true);
	md_writer.connection(&o, s, false);
	report_is_notable(s);
	report_is_failure(s);
}

#endif
