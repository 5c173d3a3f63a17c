/* test_json.c - CUnit tests for the JSON writer and text escaping (src/json.c, src/fmt.c): exact output, parsed back. */
#include "json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "unit.h"

/* ---- capturing output ---- */

struct out {
	char *buf;
	size_t len;
	FILE *f;
};

static void out_open(struct out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
}

static const char *out_close(struct out *o)
{
	fclose(o->f);
	o->f = NULL;
	return o->buf;
}

/* ---- a strict JSON reader (RFC 8259) to parse the output back ---- */

struct jp {
	const char *p, *end;
	bool ok;
	char str[512];     /* the last string decoded (UTF-8) */
	size_t str_n;
};

static void jp_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r'))
		j->p++;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void jp_put(struct jp *j, const char *s, size_t n)
{
	if (j->str_n + n < sizeof j->str) {
		memcpy(j->str + j->str_n, s, n);
		j->str_n += n;
	}
}

static bool jp_string(struct jp *j)
{
	j->str_n = 0;
	if (j->p >= j->end || *j->p != '"')
		return false;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p;
		if (c < 0x20)
			return false;                   /* raw control character */
		if (c == '\\') {
			if (j->end - j->p < 2)
				return false;
			char e = j->p[1];
			const char *map = strchr("\"\\/bfnrt", e);
			if (e == 'u') {
				if (j->end - j->p < 6)
					return false;
				int v = 0;
				for (int k = 2; k < 6; k++) {
					int h = hexval(j->p[k]);
					if (h < 0)
						return false;
					v = v * 16 + h;
				}
				if (v >= 0xd800 && v <= 0xdfff)
					return false;           /* the writer never needs surrogates */
				char u[3];
				if (v < 0x80) {
					u[0] = (char)v;
					jp_put(j, u, 1);
				} else if (v < 0x800) {
					u[0] = (char)(0xc0 | v >> 6);
					u[1] = (char)(0x80 | (v & 0x3f));
					jp_put(j, u, 2);
				} else {
					u[0] = (char)(0xe0 | v >> 12);
					u[1] = (char)(0x80 | ((v >> 6) & 0x3f));
					u[2] = (char)(0x80 | (v & 0x3f));
					jp_put(j, u, 3);
				}
				j->p += 6;
			} else if (map && e) {
				static const char real[] = "\"\\/\b\f\n\r\t";
				jp_put(j, &real[map - "\"\\/bfnrt"], 1);
				j->p += 2;
			} else {
				return false;
			}
			continue;
		}
		size_t n = c < 0x80 ? 1 : utf8_seq_len((const uint8_t *)j->p, (size_t)(j->end - j->p));
		if (n == 0)
			return false;                   /* not UTF-8 */
		jp_put(j, j->p, n);
		j->p += n;
	}
	if (j->p >= j->end)
		return false;
	j->p++;
	return true;
}

static bool jp_value(struct jp *j, int depth);

static bool jp_number(struct jp *j)
{
	const char *s = j->p;
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return false;
	if (*j->p == '0' && j->p + 1 < j->end && j->p[1] >= '0' && j->p[1] <= '9')
		return false;                           /* no leading zeros */
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static bool jp_lit(struct jp *j, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return false;
	j->p += n;
	return true;
}

static bool jp_value(struct jp *j, int depth)
{
	if (depth > 100)
		return false;
	jp_ws(j);
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{':
		j->p++;
		jp_ws(j);
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			return true;
		}
		for (;;) {
			jp_ws(j);
			if (!jp_string(j))
				return false;
			jp_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return false;
			j->p++;
			if (!jp_value(j, depth + 1))
				return false;
			jp_ws(j);
			if (j->p < j->end && *j->p == ',') {
				j->p++;
				continue;
			}
			if (j->p < j->end && *j->p == '}') {
				j->p++;
				return true;
			}
			return false;
		}
	case '[':
		j->p++;
		jp_ws(j);
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return true;
		}
		for (;;) {
			if (!jp_value(j, depth + 1))
				return false;
			jp_ws(j);
			if (j->p < j->end && *j->p == ',') {
				j->p++;
				continue;
			}
			if (j->p < j->end && *j->p == ']') {
				j->p++;
				return true;
			}
			return false;
		}
	case '"':
		return jp_string(j);
	case 't':
		return jp_lit(j, "true");
	case 'f':
		return jp_lit(j, "false");
	case 'n':
		return jp_lit(j, "null");
	default:
		return jp_number(j);
	}
}

/* A whole document: one value and nothing else. */
static bool json_valid(const char *s)
{
	struct jp j = { s, s + strlen(s), true, "", 0 };
	if (!jp_value(&j, 0))
		return false;
	jp_ws(&j);
	return j.p == j.end;
}

/* ---- json_escape ---- */

/* Escape in, compare the exact text; then parse it back as a JSON string
 * and compare with the decoded text. */
static void check_escape_line(const void *in, size_t n, const char *want, const char *decoded, size_t dl,
			      unsigned line)
{
	struct out o;
	out_open(&o);
	json_escape(o.f, in, n);
	const char *got = out_close(&o);
	if (strcmp(got, want) != 0)
		unit_fail(__FILE__, line, "json_escape gave \"%s\", want \"%s\"", got, want);
	else
		CU_assertImplementation(CU_TRUE, line, "json_escape", __FILE__, "", CU_FALSE);
	/* parse back */
	size_t gl = strlen(got);
	char *quoted = malloc(gl + 3);
	quoted[0] = '"';
	memcpy(quoted + 1, got, gl);
	quoted[gl + 1] = '"';
	quoted[gl + 2] = '\0';
	struct jp j = { quoted, quoted + gl + 2, true, "", 0 };
	bool ok = jp_string(&j) && j.p == j.end;
	if (!ok)
		unit_fail(__FILE__, line, "\"%s\" does not parse back as a JSON string", got);
	else if (j.str_n != dl || memcmp(j.str, decoded, dl) != 0)
		unit_fail(__FILE__, line, "\"%s\" parses back to %zu other bytes", got, j.str_n);
	free(quoted);
	free(o.buf);
}
#define CHECK_ESCAPE(in, want, decoded) \
	check_escape_line(in, sizeof(in) - 1, want, decoded, sizeof(decoded) - 1, __LINE__)

static void test_escape_quotes_backslashes_controls(void)
{
	CHECK_ESCAPE("plain text", "plain text", "plain text");
	CHECK_ESCAPE("a\"b\\c/d", "a\\\"b\\\\c/d", "a\"b\\c/d");
	CHECK_ESCAPE("l1\nl2\r\tx", "l1\\nl2\\r\\tx", "l1\nl2\r\tx");
	CHECK_ESCAPE("\x01\x1f\x7f\b\f", "\\u0001\\u001f\\u007f\\u0008\\u000c", "\x01\x1f\x7f\b\f");
	CHECK_ESCAPE("\x1b[31mred", "\\u001b[31mred", "\x1b[31mred");
	/* a NUL byte inside the data */
	static const char nul[] = "\0x";
	check_escape_line(nul, 2, "\\u0000x", "\0x", 2, __LINE__);
	CHECK_ESCAPE("", "", "");
}

static void test_escape_keeps_valid_utf8(void)
{
	CHECK_ESCAPE("caf\xc3\xa9", "caf\xc3\xa9", "caf\xc3\xa9");                     /* U+00E9 */
	CHECK_ESCAPE("\xc2\x80", "\xc2\x80", "\xc2\x80");                               /* U+0080 */
	CHECK_ESCAPE("\xe2\x82\xac 5", "\xe2\x82\xac 5", "\xe2\x82\xac 5");             /* U+20AC */
	CHECK_ESCAPE("\xef\xbf\xbd", "\xef\xbf\xbd", "\xef\xbf\xbd");                   /* U+FFFD */
	CHECK_ESCAPE("\xf0\x9d\x84\x9e", "\xf0\x9d\x84\x9e", "\xf0\x9d\x84\x9e");       /* U+1D11E */
	CHECK_ESCAPE("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");       /* U+10FFFF */
	CHECK_ESCAPE("\xed\x9f\xbf", "\xed\x9f\xbf", "\xed\x9f\xbf");                   /* U+D7FF */
	CHECK_ESCAPE("\xee\x80\x80", "\xee\x80\x80", "\xee\x80\x80");                   /* U+E000 */
}

/* Bytes that are not UTF-8 become the six characters \\xHH: the string
 * decodes to a backslash, 'x' and two hex digits. */
static void test_escape_invalid_utf8_as_text(void)
{
	CHECK_ESCAPE("\x80", "\\\\x80", "\\x80");                                       /* lone continuation */
	CHECK_ESCAPE("a\xbf" "b", "a\\\\xbfb", "a\\xbfb");
	CHECK_ESCAPE("\xc0\xaf", "\\\\xc0\\\\xaf", "\\xc0\\xaf");                       /* overlong '/' */
	CHECK_ESCAPE("\xc1\xbf", "\\\\xc1\\\\xbf", "\\xc1\\xbf");
	CHECK_ESCAPE("\xe0\x80\xaf", "\\\\xe0\\\\x80\\\\xaf", "\\xe0\\x80\\xaf");       /* overlong 3 */
	CHECK_ESCAPE("\xf0\x80\x80\xaf", "\\\\xf0\\\\x80\\\\x80\\\\xaf", "\\xf0\\x80\\x80\\xaf");
	CHECK_ESCAPE("\xed\xa0\x80", "\\\\xed\\\\xa0\\\\x80", "\\xed\\xa0\\x80");       /* surrogate D800 */
	CHECK_ESCAPE("\xed\xbf\xbf", "\\\\xed\\\\xbf\\\\xbf", "\\xed\\xbf\\xbf");       /* surrogate DFFF */
	CHECK_ESCAPE("\xf4\x90\x80\x80", "\\\\xf4\\\\x90\\\\x80\\\\x80", "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
	CHECK_ESCAPE("\xf5\x80\x80\x80", "\\\\xf5\\\\x80\\\\x80\\\\x80", "\\xf5\\x80\\x80\\x80");
	CHECK_ESCAPE("\xff\xfe", "\\\\xff\\\\xfe", "\\xff\\xfe");
	CHECK_ESCAPE("\xe2\x82", "\\\\xe2\\\\x82", "\\xe2\\x82");                       /* truncated at the end */
	CHECK_ESCAPE("\xe2\x82" "A", "\\\\xe2\\\\x82A", "\\xe2\\x82A");                 /* cut by ASCII */
	CHECK_ESCAPE("\xf0\x9d\x84", "\\\\xf0\\\\x9d\\\\x84", "\\xf0\\x9d\\x84");
	/* valid after invalid is kept */
	CHECK_ESCAPE("\x80\xc3\xa9", "\\\\x80\xc3\xa9", "\\x80\xc3\xa9");
}

/* Every 1..3-byte input: the escaped text is always valid UTF-8 and parses
 * back as a JSON string. Each input sits before a guard page. */
static void test_escape_always_valid_for_all_short_inputs(void)
{
	static const uint8_t pick[] = { 0x00, 0x0a, 0x1f, 0x22, 0x41, 0x5c, 0x7f, 0x80, 0x8f, 0x9f, 0xa0, 0xbf,
					0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff };
	const size_t np = sizeof pick;
	struct guard g = { 0 };
	unsigned bad = 0;
	for (size_t a = 0; a < np; a++)
		for (size_t b = 0; b <= np; b++)
			for (size_t c = 0; c <= np; c++) {
				uint8_t in[3] = { pick[a], b < np ? pick[b] : 0, c < np ? pick[c] : 0 };
				size_t n = b == np ? 1 : c == np ? 2 : 3;
				const uint8_t *p = guard_move(&g, in, n);
				struct out o;
				out_open(&o);
				fputc('"', o.f);
				json_escape(o.f, p, n);
				fputc('"', o.f);
				const char *got = out_close(&o);
				if (!json_valid(got))
					bad++;
				free(o.buf);
			}
	guard_free(&g);
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_utf8_seq_len(void)
{
	static const struct {
		const char *s;
		size_t n, want;
	} cases[] = {
		{ "A", 1, 1 }, { "\x7f", 1, 1 }, { "\xc2\x80", 2, 2 }, { "\xdf\xbf", 2, 2 },
		{ "\xe0\xa0\x80", 3, 3 }, { "\xef\xbf\xbf", 3, 3 }, { "\xf0\x90\x80\x80", 4, 4 },
		{ "\xf4\x8f\xbf\xbf", 4, 4 },
		{ "\x80", 1, 0 }, { "\xc0\x80", 2, 0 }, { "\xc1\xbf", 2, 0 }, { "\xe0\x9f\xbf", 3, 0 },
		{ "\xed\xa0\x80", 3, 0 }, { "\xf0\x8f\xbf\xbf", 4, 0 }, { "\xf4\x90\x80\x80", 4, 0 },
		{ "\xf8\x88\x80\x80\x80", 5, 0 }, { "\xc3", 1, 0 }, { "\xe2\x82", 2, 0 }, { "\xc3\x41", 2, 0 },
		{ "\xc3\xa9", 1, 0 },   /* n says only one byte is there */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t got = utf8_seq_len((const uint8_t *)cases[i].s, cases[i].n);
		if (got != cases[i].want)
			UNIT_FAIL("utf8_seq_len case %zu = %zu, want %zu", i, got, cases[i].want);
	}
	CU_PASS("utf8_seq_len table");
}

/* ---- the writer ---- */

static void test_writer_nesting_and_commas(void)
{
	struct out o;
	struct json j;
	out_open(&o);
	json_init(&j, o.f, false);
	json_object_begin(&j);
	json_kv_int(&j, "a", 1);
	json_key(&j, "b");
	json_array_begin(&j);
	json_int(&j, -5);
	json_uint(&j, 18446744073709551615ull);
	json_object_begin(&j);
	json_key(&j, "c");
	json_null(&j);
	json_object_end(&j);
	json_array_begin(&j);
	json_array_end(&j);
	json_array_end(&j);
	json_key(&j, "d");
	json_object_begin(&j);
	json_object_end(&j);
	json_kv_bool(&j, "e", true);
	json_kv_bool(&j, "f", false);
	json_kv_str(&j, "g", "x\"y");
	json_kv_str(&j, "h", NULL);
	json_kv_uint(&j, "i", 0);
	json_key(&j, "k\n\xff");
	json_string_bytes(&j, "\x00\x80", 2);
	json_object_end(&j);
	const char *got = out_close(&o);
	CU_ASSERT_STRING_EQUAL(got, "{\"a\":1,\"b\":[-5,18446744073709551615,{\"c\":null},[]],\"d\":{},\"e\":true,"
				    "\"f\":false,\"g\":\"x\\\"y\",\"h\":null,\"i\":0,\"k\\n\\\\xff\":\"\\u0000\\\\x80\"}");
	CU_ASSERT_TRUE(json_valid(got));
	free(o.buf);
}

/* Keys and strings of every length the fast paths take (and past them),
 * plain or with a byte to escape at each place: what json_escape gives,
 * whichever path wrote them. */
static void test_writer_keys_every_length(void)
{
	static const char specials[] = { '"', '\\', '\n', 0x7f, (char)0x80, (char)0xff, 0x01 };
	for (size_t n = 0; n <= 40; n++) {
		for (size_t at = 0; at <= n; at++) {   /* at == n: plain */
			for (size_t k = 0; k < (at == n ? 1 : sizeof specials); k++) {
				char key[48];
				memset(key, 'k', n);
				if (at < n)
					key[at] = specials[k];
				key[n] = '\0';
				if (at < n && key[at] == '\0')
					continue;
				struct out o, e;
				struct json j;
				out_open(&o);
				json_init(&j, o.f, false);
				json_object_begin(&j);
				json_kv_int(&j, "a", 1);
				json_key(&j, key);
				json_int(&j, 2);
				json_kv_str(&j, "s", key);
				json_object_end(&j);
				const char *got = out_close(&o);
				out_open(&e);
				fputs("{\"a\":1,\"", e.f);
				json_escape(e.f, key, n);
				fputs("\":2,\"s\":\"", e.f);
				json_escape(e.f, key, n);
				fputs("\"}", e.f);
				const char *want = out_close(&e);
				if (strcmp(got, want) != 0)
					UNIT_FAIL("key of %zu bytes, special %zu at %zu: %s, want %s", n, k, at, got, want);
				CU_ASSERT_TRUE(json_valid(got));
				free(o.buf);
				free(e.buf);
			}
		}
	}
	CU_PASS("keys of every length");
}

/* A value kept with json_mark/json_since and written again, and members
 * written by hand, give what writing them gives. */
static void test_writer_kept_values(void)
{
	struct out o;
	struct json j;
	out_open(&o);
	json_init(&j, o.f, false);
	json_object_begin(&j);
	json_raw_members_lit(&j, "\"x\":1,\"y\":\"z\"");
	json_key(&j, "v");
	uint64_t m = json_mark(&j);
	json_object_begin(&j);
	json_kv_str(&j, "s", "t");
	json_object_end(&j);
	size_t n = 0;
	const char *v = json_since(&j, m, &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	char kept[64];
	CU_ASSERT_FATAL(n < sizeof kept);
	memcpy(kept, v, n);
	json_key(&j, "w");
	json_raw_value(&j, kept, n);
	json_object_end(&j);
	const char *got = out_close(&o);
	CU_ASSERT_STRING_EQUAL(got, "{\"x\":1,\"y\":\"z\",\"v\":{\"s\":\"t\"},\"w\":{\"s\":\"t\"}}");
	free(o.buf);
	/* after a flush the bytes are gone: NULL, and pretty output is never kept */
	out_open(&o);
	json_init(&j, o.f, false);
	json_array_begin(&j);
	m = json_mark(&j);
	json_flush(&j);
	json_int(&j, 1);
	CU_ASSERT_PTR_NULL(json_since(&j, m - 1, &n));
	json_array_end(&j);
	json_init(&j, o.f, true);
	m = json_mark(&j);
	json_int(&j, 1);
	CU_ASSERT_PTR_NULL(json_since(&j, m, &n));
	json_flush(&j);
	out_close(&o);
	free(o.buf);
}

/* Numbers around every digit boundary, as printf writes them. */
static void test_writer_numbers(void)
{
	static const int64_t v[] = { 0, 9, 10, 99, 100, 101, 999, 1000, 10001, 65535, 99999, 100000, 1234567890,
				     INT64_MAX, INT64_MIN, -1, -10, -99, -100, -12345 };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct out o;
		struct json j;
		char want[64];
		out_open(&o);
		json_init(&j, o.f, false);
		json_array_begin(&j);
		json_int(&j, v[i]);
		if (v[i] >= 0)
			json_uint(&j, (uint64_t)v[i] * 10 + 7);
		json_array_end(&j);
		const char *got = out_close(&o);
		if (v[i] >= 0)
			snprintf(want, sizeof want, "[%lld,%llu]", (long long)v[i], (unsigned long long)v[i] * 10 + 7);
		else
			snprintf(want, sizeof want, "[%lld]", (long long)v[i]);
		if (strcmp(got, want) != 0)
			UNIT_FAIL("number %lld: %s, want %s", (long long)v[i], got, want);
		free(o.buf);
	}
	CU_PASS("numbers");
}

/* ISO times in the order a report asks for them: the same second again
 * (kept by fmt.c), the next day, before 1970, a year past 9999 (snprintf),
 * and back. */
static void test_time_iso(void)
{
	static const struct {
		int64_t sec;
		uint32_t nsec;
		int digits;
		const char *want;
	} cases[] = {
		{ 1748736000, 123456789, 6, "2025-06-01T00:00:00.123456Z" },
		{ 1748736000, 123456789, 9, "2025-06-01T00:00:00.123456789Z" },
		{ 1748736000, 5000, 6, "2025-06-01T00:00:00.000005Z" },
		{ 1748822399, 999999999, 6, "2025-06-01T23:59:59.999999Z" },
		{ 1748822400, 0, 6, "2025-06-02T00:00:00.000000Z" },
		{ -1, 0, 6, "1969-12-31T23:59:59.000000Z" },
		{ 253402300800, 0, 6, "10000-01-01T00:00:00.000000Z" },
		{ 1748736000, 7, 9, "2025-06-01T00:00:00.000000007Z" },
		{ 1748822400, 1000, 6, "2025-06-02T00:00:00.000001Z" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[FMT_TIME_LEN];
		struct ts t = { cases[i].sec, cases[i].nsec };
		fmt_time_iso(buf, sizeof buf, &t, cases[i].digits);
		if (strcmp(buf, cases[i].want) != 0)
			UNIT_FAIL("time case %zu: %s, want %s", i, buf, cases[i].want);
	}
	CU_PASS("ISO times");
}

static void test_writer_pretty(void)
{
	struct out o;
	struct json j;
	out_open(&o);
	json_init(&j, o.f, true);
	json_object_begin(&j);
	json_kv_str(&j, "name", "v");
	json_key(&j, "list");
	json_array_begin(&j);
	json_int(&j, 1);
	json_int(&j, 2);
	json_array_end(&j);
	json_key(&j, "empty");
	json_array_begin(&j);
	json_array_end(&j);
	json_object_end(&j);
	const char *got = out_close(&o);
	CU_ASSERT_STRING_EQUAL(got, "{\n  \"name\": \"v\",\n  \"list\": [\n    1,\n    2\n  ],\n  \"empty\": []\n}");
	CU_ASSERT_TRUE(json_valid(got));
	free(o.buf);
}

/* Top-level values in sequence (one report after another) are separated. */
static void test_writer_top_level_sequence(void)
{
	struct out o;
	struct json j;
	out_open(&o);
	json_init(&j, o.f, false);
	json_array_begin(&j);
	for (int i = 0; i < 3; i++) {
		json_object_begin(&j);
		json_kv_int(&j, "i", i);
		json_object_end(&j);
	}
	json_array_end(&j);
	const char *got = out_close(&o);
	CU_ASSERT_STRING_EQUAL(got, "[{\"i\":0},{\"i\":1},{\"i\":2}]");
	free(o.buf);
}

/* Nesting up to and beyond JSON_MAX_DEPTH, with a sibling after each
 * nested array: still valid JSON (json.h: "always produces valid JSON"). */
static void test_writer_deep_nesting_stays_valid(void)
{
	for (int depth = JSON_MAX_DEPTH - 2; depth <= JSON_MAX_DEPTH + 3; depth++) {
		struct out o;
		struct json j;
		out_open(&o);
		json_init(&j, o.f, false);
		for (int d = 0; d < depth; d++) {
			json_array_begin(&j);
			json_int(&j, d);
		}
		json_int(&j, 99);
		for (int d = depth - 1; d >= 0; d--) {
			json_array_end(&j);
			if (d > 0)
				json_int(&j, d);   /* a sibling after each nested array */
		}
		const char *got = out_close(&o);
		if (!json_valid(got))
			UNIT_FAIL("depth %d (JSON_MAX_DEPTH %d): invalid JSON \"%s\"", depth, JSON_MAX_DEPTH, got);
		free(o.buf);
	}
	CU_PASS("deep nesting");
}

/* ---- text escaping for terminals ---- */

static void check_text_line(const void *in, size_t n, const char *want, unsigned line)
{
	struct out o;
	out_open(&o);
	fmt_text_escape(o.f, in, n);
	const char *got = out_close(&o);
	if (strcmp(got, want) != 0)
		unit_fail(__FILE__, line, "fmt_text_escape gave \"%s\", want \"%s\"", got, want);
	else
		CU_assertImplementation(CU_TRUE, line, "fmt_text_escape", __FILE__, "", CU_FALSE);
	free(o.buf);
}
#define CHECK_TEXT(in, want) check_text_line(in, sizeof(in) - 1, want, __LINE__)

static void test_text_escape(void)
{
	CHECK_TEXT("plain text.", "plain text.");
	CHECK_TEXT("\x1b[2J", "\\x1b[2J");                         /* ESC */
	CHECK_TEXT("a\\b", "a\\x5cb");                             /* backslash */
	CHECK_TEXT("\n\t\r\x7f", "\\x0a\\x09\\x0d\\x7f");
	CHECK_TEXT("\xc2\x80", "\\xc2\\x80");                      /* U+0080, C1 */
	CHECK_TEXT("\xc2\x9b" "31m", "\\xc2\\x9b31m");             /* U+009B CSI */
	CHECK_TEXT("\xc2\x9f", "\\xc2\\x9f");
	CHECK_TEXT("\xc2\xa0", "\xc2\xa0");                        /* U+00A0 is printable */
	CHECK_TEXT("Z\xc3\xbcrich \xe2\x9c\x93", "Z\xc3\xbcrich \xe2\x9c\x93");
	CHECK_TEXT("\x9b", "\\x9b");                               /* raw C1 byte: not UTF-8 */
	CHECK_TEXT("\xed\xa0\x80", "\\xed\\xa0\\x80");
	CHECK_TEXT("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	CHECK_TEXT("\xe2\x82", "\\xe2\\x82");
	static const char nul[] = "a\0b";
	check_text_line(nul, 3, "a\\x00b", __LINE__);
	/* bidi and line controls: "Trojan Source" names would read reversed */
	CHECK_TEXT("evil\xe2\x80\xaetxt.exe", "evil\\xe2\\x80\\xaetxt.exe");   /* U+202E RLO */
	CHECK_TEXT("\xe2\x81\xa6x\xe2\x81\xa9", "\\xe2\\x81\\xa6x\\xe2\\x81\\xa9");  /* U+2066 .. U+2069 */
	CHECK_TEXT("\xe2\x80\x8f", "\\xe2\\x80\\x8f");                               /* U+200F RLM */
	CHECK_TEXT("\xe2\x80\xa8", "\\xe2\\x80\\xa8");                               /* U+2028 LINE SEPARATOR */
	CHECK_TEXT("\xd8\x9c", "\\xd8\\x9c");                                       /* U+061C ALM */
	CHECK_TEXT("\xe2\x80\x94", "\xe2\x80\x94");                                 /* U+2014 em dash stays */
}

/* The escaped text never holds a control character, a C1 control or an
 * invalid sequence, whatever the input. */
static void test_text_escape_output_always_clean(void)
{
	unsigned bad = 0;
	for (unsigned a = 0; a < 256; a++)
		for (unsigned b = 0; b < 256; b += 3) {
			uint8_t in[2] = { (uint8_t)a, (uint8_t)b };
			struct out o;
			out_open(&o);
			fmt_text_escape(o.f, in, 2);
			const char *got = out_close(&o);
			size_t n = strlen(got);
			for (size_t i = 0; i < n;) {
				uint8_t c = (uint8_t)got[i];
				size_t l = utf8_seq_len((const uint8_t *)got + i, n - i);
				if (c < 0x20 || c == 0x7f || l == 0 || (l == 2 && c == 0xc2 && (uint8_t)got[i + 1] < 0xa0)) {
					bad++;
					break;
				}
				i += l;
			}
			free(o.buf);
		}
	CU_ASSERT_EQUAL(bad, 0);
}

void register_json_tests(void)
{
	CU_pSuite suite = CU_add_suite("json", NULL, NULL);

	if (suite == NULL)
		return;
	CU_add_test(suite, "json_escape: quotes, backslashes, control bytes as \\u00XX",
		test_escape_quotes_backslashes_controls);
	CU_add_test(suite, "json_escape: valid multibyte UTF-8 kept", test_escape_keeps_valid_utf8);
	CU_add_test(suite, "json_escape: invalid UTF-8 written as the text \\\\xHH", test_escape_invalid_utf8_as_text);
	CU_add_test(suite, "json_escape: every short input parses back", test_escape_always_valid_for_all_short_inputs);
	CU_add_test(suite, "utf8_seq_len table", test_utf8_seq_len);
	CU_add_test(suite, "writer: nesting, commas, every value type", test_writer_nesting_and_commas);
	CU_add_test(suite, "writer: pretty output", test_writer_pretty);
	CU_add_test(suite, "writer: numbers at every digit boundary", test_writer_numbers);
	CU_add_test(suite, "fmt_time_iso: the same second again, days, before 1970, past 9999", test_time_iso);
	CU_add_test(suite, "writer: keys of every length, plain or escaped", test_writer_keys_every_length);
	CU_add_test(suite, "writer: kept values and members by hand", test_writer_kept_values);
	CU_add_test(suite, "writer: sequence of objects in an array", test_writer_top_level_sequence);
	CU_add_test(suite, "writer: nesting beyond JSON_MAX_DEPTH stays valid", test_writer_deep_nesting_stays_valid);
	CU_add_test(suite, "fmt_text_escape: ESC, C1, bidi, backslash, invalid UTF-8 as \\xHH", test_text_escape);
	CU_add_test(suite, "fmt_text_escape: output never holds a control", test_text_escape_output_always_clean);
}
