/* json.c - JSON writer (RFC 8259) with strict escaping of untrusted bytes. */
#include "json.h"

#include <inttypes.h>
#include <string.h>

void json_init(struct json *j, FILE *out, bool pretty)
{
	j->out = out;
	j->depth = 0;
	memset(j->first, 0, sizeof j->first);
	j->first[0] = true;
	j->after_key = false;
	j->pretty = pretty;
	j->len = 0;
	j->flushed = 0;
}

void json_flush(struct json *j)
{
	if (j->len)
		fwrite_unlocked(j->buf, 1, j->len, j->out);   /* one thread writes the report */
	j->flushed += j->len;
	j->len = 0;
}

/* Room for n more bytes (n <= JSON_BUF). */
static inline char *room(struct json *j, size_t n)
{
	if (j->len + n > JSON_BUF)
		json_flush(j);
	return j->buf + j->len;
}

static inline void putch(struct json *j, char c)
{
	*room(j, 1) = c;
	j->len++;
}

static void put(struct json *j, const void *p, size_t n)
{
	if (n <= 32 && j->len + n <= JSON_BUF) {   /* most pieces: a name, a number */
		memcpy(j->buf + j->len, p, n);
		j->len += n;
		return;
	}
	while (n) {
		size_t k = n < JSON_BUF ? n : JSON_BUF;
		memcpy(room(j, k), p, k);
		j->len += k;
		p = (const char *)p + k;
		n -= k;
	}
}

#define PUTS(j, lit) put((j), (lit), sizeof(lit) - 1)

static void newline(struct json *j)
{
	if (!j->pretty)
		return;
	putch(j, '\n');
	for (int i = 0; i < j->depth; i++)
		PUTS(j, "  ");
}

/* Separator before a value or a key. */
static inline void before_value(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		putch(j, ',');
	j->first[j->depth] = false;
	if (j->depth > 0)
		newline(j);
}

static void open(struct json *j, char c)
{
	before_value(j);
	putch(j, c);
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
	putch(j, c);
	/* a JSON Lines line is done, or enough of the document: one fwrite */
	if (j->depth == 0 || j->len >= JSON_BUF / 2)
		json_flush(j);
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

/* Bytes that may be copied as they are: printable ASCII but " \\ and DEL. */
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
static const uint8_t plain[256] = {
	R16(0), R16(0),
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,           /* 0x20: '"' */
	R16(1), R16(1),
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,           /* 0x50: '\\' */
	R16(1),
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,           /* 0x70: DEL */
};
#undef R16

#define special8 json_special8

#ifdef __SSE2__
#include <emmintrin.h>

/* json_special8 for 16 bytes (SSE2, which every x86-64 has): a signed
 * compare with 0x20 catches the control bytes and those >= 0x80 at once. */
static inline bool special16(__m128i v)
{
	__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
				 _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)), _mm_cmplt_epi8(v, _mm_set1_epi8(0x20))));
	return _mm_movemask_epi8(m) != 0;
}
#endif

/* Copy p to o if it needs no escape (false, o partly written, if it does):
 * 16 or 8 bytes at a time, the last block overlapping, no libc call. Names,
 * keys and finding texts are most of what the JSON writers write. */
static inline bool copy_plain(char *o, const uint8_t *p, size_t len)
{
	if (len < 8) {
		for (size_t i = 0; i < len; i++) {
			if (!plain[p[i]])
				return false;
			o[i] = (char)p[i];
		}
		return true;
	}
#ifdef __SSE2__
	if (len >= 16) {
		__m128i v;
		for (size_t i = 0; i + 16 < len; i += 16) {
			v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			if (special16(v))
				return false;
			_mm_storeu_si128((__m128i *)(void *)(o + i), v);
		}
		v = _mm_loadu_si128((const __m128i *)(const void *)(p + len - 16));
		if (special16(v))
			return false;
		_mm_storeu_si128((__m128i *)(void *)(o + len - 16), v);
		return true;
	}
#endif
	uint64_t x;
	for (size_t i = 0; i + 8 < len; i += 8) {
		memcpy(&x, p + i, 8);
		if (special8(x))
			return false;
		memcpy(o + i, &x, 8);
	}
	memcpy(&x, p + len - 8, 8);
	if (special8(x))
		return false;
	memcpy(o + len - 8, &x, 8);
	return true;
}

static void escape(struct json *j, const void *s, size_t len)
{
	static const char hx[] = "0123456789abcdef";
	const uint8_t *p = s;
	size_t i = 0, run = 0;   /* bytes [run, i) are copied as they are */
	while (i < len) {
		/* 8 bytes at a time: finding texts and names are long and plain */
		for (uint64_t x; i + 8 <= len && (memcpy(&x, p + i, 8), !special8(x));)
			i += 8;
		while (i < len && plain[p[i]])
			i++;
		if (i == len)
			break;
		uint8_t c = p[i];
		if (c >= 0x80) {
			size_t n = utf8_seq_len(p + i, len - i);
			if (n) {
				i += n;
				continue;
			}
		}
		put(j, p + run, i - run);
		char *o = room(j, 6);
		size_t k = 0;
		o[k++] = '\\';
		if (c == '"' || c == '\\') {
			o[k++] = (char)c;
		} else if (c == '\n') {
			o[k++] = 'n';
		} else if (c == '\r') {
			o[k++] = 'r';
		} else if (c == '\t') {
			o[k++] = 't';
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(o + k, "u00", 3);
			k += 3;
			o[k++] = hx[c >> 4];
			o[k++] = hx[c & 15];
		} else {
			/* not UTF-8: keep the byte visible as the text \xHH */
			memcpy(o + k, "\\x", 2);
			k += 2;
			o[k++] = hx[c >> 4];
			o[k++] = hx[c & 15];
		}
		j->len += k;
		i++;
		run = i;
	}
	put(j, p + run, i - run);
}

void json_escape(FILE *out, const void *s, size_t len)
{
	struct json j;
	json_init(&j, out, false);
	escape(&j, s, len);
	json_flush(&j);
}

void json_key_n(struct json *j, const char *key, size_t len)
{
	before_value(j);
	/* Member names are ours ("stream", a finding id, a frame number):
	 * copied as they are when plain, escaped otherwise. A fifth of
	 * --format jsonl's instructions were spent here. */
	char *o;
	if (len <= 64 && (o = room(j, len + 4), copy_plain(o + 1, (const uint8_t *)key, len))) {
		o[0] = '"';
		o[len + 1] = '"';
		o[len + 2] = ':';
		o[len + 3] = ' ';
		j->len += len + (j->pretty ? 4 : 3);
		j->after_key = true;
		return;
	}
	putch(j, '"');
	escape(j, key, len);
	if (j->pretty)
		PUTS(j, "\": ");
	else
		PUTS(j, "\":");
	j->after_key = true;
}

void json_string_bytes(struct json *j, const void *s, size_t len)
{
	before_value(j);
	/* most strings need no escape: one copy, quotes and all */
	char *o;
	if (len <= JSON_BUF / 4 && (o = room(j, len + 2), copy_plain(o + 1, s, len))) {
		o[0] = '"';
		o[len + 1] = '"';
		j->len += len + 2;
		return;
	}
	putch(j, '"');
	escape(j, s, len);
	putch(j, '"');
}

const char *json_since(const struct json *j, uint64_t mark, size_t *n)
{
	if (j->pretty || mark < j->flushed)
		return NULL;
	*n = (size_t)(j->flushed + j->len - mark);
	return j->buf + (mark - j->flushed);
}

void json_raw_value(struct json *j, const char *v, size_t n)
{
	before_value(j);
	put(j, v, n);
}

void json_raw_members(struct json *j, const char *m, size_t n)
{
	before_value(j);
	put(j, m, n);
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
static void put_u64(struct json *j, uint64_t v, bool minus)
{
	char buf[21];
	size_t i = sizeof buf;
	if (v < 10 && !minus) {   /* counts, flags, small ids: most numbers */
		putch(j, (char)('0' + v));
		return;
	}
	/* two digits per division: counts of packets and bytes, ports, frames */
	static const char pairs[] = "0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849"
				    "5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		i -= 2;
		memcpy(buf + i, pairs + 2 * r, 2);
	}
	if (v >= 10) {
		i -= 2;
		memcpy(buf + i, pairs + 2 * v, 2);
	} else {
		buf[--i] = (char)('0' + v);
	}
	if (minus)
		buf[--i] = '-';
	put(j, buf + i, sizeof buf - i);
}

void json_int(struct json *j, int64_t v)
{
	before_value(j);
	put_u64(j, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
}

void json_uint(struct json *j, uint64_t v)
{
	before_value(j);
	put_u64(j, v, false);
}

void json_bool(struct json *j, bool v)
{
	before_value(j);
	if (v)
		PUTS(j, "true");
	else
		PUTS(j, "false");
}

void json_null(struct json *j)
{
	before_value(j);
	PUTS(j, "null");
}
