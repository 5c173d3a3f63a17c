/* json.c - JSON writer (RFC 8259) with strict escaping of untrusted bytes. */
#include "json.h"

#include <inttypes.h>
#include <string.h>

/* The report is written by one thread: stdio's per-call locking was a fifth
 * of the time of --json (glibc's _unlocked variants; _GNU_SOURCE is set). */
#define putch(c, out) putc_unlocked((c), (out))
#define puts_(str, out) fputs_unlocked((str), (out))
#define write_(p, n, out) fwrite_unlocked((p), 1, (n), (out))

void json_init(struct json *j, FILE *out, bool pretty)
{
	memset(j, 0, sizeof *j);
	j->out = out;
	j->pretty = pretty;
	j->first[0] = true;
}

static void newline(struct json *j)
{
	if (!j->pretty)
		return;
	putch('\n', j->out);
	for (int i = 0; i < j->depth; i++)
		puts_("  ", j->out);
}

/* Separator before a value or a key. */
static void before_value(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		putch(',', j->out);
	j->first[j->depth] = false;
	if (j->depth > 0)
		newline(j);
}

static void open(struct json *j, char c)
{
	before_value(j);
	putch(c, j->out);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = true;
}

static void close(struct json *j, char c)
{
	bool empty = j->first[j->depth];
	if (j->depth > 0)
		j->depth--;
	if (!empty)
		newline(j);
	putch(c, j->out);
}

void json_object_begin(struct json *j) { open(j, '{'); }
void json_object_end(struct json *j) { close(j, '}'); }
void json_array_begin(struct json *j) { open(j, '['); }
void json_array_end(struct json *j) { close(j, ']'); }

size_t utf8_seq_len(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];
	if (c < 0x80)
		return 1;
	size_t len;
	uint32_t cp;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void json_escape(FILE *out, const void *s, size_t len)
{
	static const char hx[] = "0123456789abcdef";
	const uint8_t *p = s;
	size_t i = 0, run = 0;   /* bytes [run, i) are copied as they are */
	while (i < len) {
		uint8_t c = p[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) {
			size_t n = c < 0x80 ? 1 : utf8_seq_len(p + i, len - i);
			if (n) {
				i += n;
				continue;
			}
		}
		write_(p + run, i - run, out);
		if (c == '"' || c == '\\') {
			putch('\\', out);
			putch(c, out);
		} else if (c == '\n') {
			puts_("\\n", out);
		} else if (c == '\r') {
			puts_("\\r", out);
		} else if (c == '\t') {
			puts_("\\t", out);
		} else if (c < 0x20 || c == 0x7f) {
			puts_("\\u00", out);
			putch(hx[c >> 4], out);
			putch(hx[c & 15], out);
		} else {
			/* not UTF-8: keep the byte visible as text */
			puts_("\\\\x", out);
			putch(hx[c >> 4], out);
			putch(hx[c & 15], out);
		}
		i++;
		run = i;
	}
	write_(p + run, i - run, out);
}

void json_key(struct json *j, const char *key)
{
	before_value(j);
	putch('"', j->out);
	json_escape(j->out, key, strlen(key));
	puts_(j->pretty ? "\": " : "\":", j->out);
	j->after_key = true;
}

void json_string_bytes(struct json *j, const void *s, size_t len)
{
	before_value(j);
	putch('"', j->out);
	json_escape(j->out, s, len);
	putch('"', j->out);
}

void json_string(struct json *j, const char *s)
{
	if (!s) {
		json_null(j);
		return;
	}
	json_string_bytes(j, s, strlen(s));
}

/* Decimal digits of v, without printf's parsing of a format. */
static void put_u64(FILE *out, uint64_t v, bool minus)
{
	char buf[21];
	size_t i = sizeof buf;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (minus)
		buf[--i] = '-';
	write_(buf + i, sizeof buf - i, out);
}

void json_int(struct json *j, int64_t v)
{
	before_value(j);
	put_u64(j->out, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
}

void json_uint(struct json *j, uint64_t v)
{
	before_value(j);
	put_u64(j->out, v, false);
}

void json_bool(struct json *j, bool v)
{
	before_value(j);
	puts_(v ? "true" : "false", j->out);
}

void json_null(struct json *j)
{
	before_value(j);
	puts_("null", j->out);
}

void json_kv_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void json_kv_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}

void json_kv_uint(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_uint(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}
