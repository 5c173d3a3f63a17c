/* json.h - a streaming JSON writer that always produces valid UTF-8 JSON. */
#ifndef TLSDIAG_JSON_H
#define TLSDIAG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define JSON_MAX_DEPTH 32
/* Output is built here and handed to stdio in one fwrite when a top-level
 * value ends (a JSON Lines line) or half of it is used (the document): a
 * putc per byte and an fputs per key were most of the JSON writers'
 * profile (issue 16). Code that writes to out itself calls json_flush
 * first, or its bytes come before what is still buffered. */
#define JSON_BUF 16384

struct json {
	FILE *out;
	int depth;
	bool first[JSON_MAX_DEPTH];  /* no element written yet at this level */
	bool after_key;
	bool pretty;
	size_t len;                  /* bytes of buf not yet written to out */
	uint64_t flushed;            /* bytes written to out before them */
	char buf[JSON_BUF];
};

void json_init(struct json *j, FILE *out, bool pretty);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
/* A member name (escaped like any string); the inline strlen of a literal
 * costs nothing. */
void json_key_n(struct json *j, const char *key, size_t len);

#define JSON_INLINE static inline __attribute__((always_inline))

/* Does any of the bytes need more than a copy? (a control byte, DEL, '"',
 * '\\' or a byte of a multi-byte sequence; a false "yes" next to a true
 * one only sends the string the slow way) */
JSON_INLINE bool json_special8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
#define JSON_HASZERO(v) (((v) - ones) & ~(v))
	uint64_t t = (x - ones * 0x20) | x | JSON_HASZERO(x ^ (ones * '"')) | JSON_HASZERO(x ^ (ones * '\\')) |
		     JSON_HASZERO(x ^ (ones * 0x7f));
#undef JSON_HASZERO
	return (t & high) != 0;
}

JSON_INLINE bool json_special4(uint32_t x)
{
	const uint32_t ones = 0x01010101u, high = 0x80808080u;
#define JSON_HASZERO(v) (((v) - ones) & ~(v))
	uint32_t t = (x - ones * 0x20) | x | JSON_HASZERO(x ^ (ones * '"')) | JSON_HASZERO(x ^ (ones * '\\')) |
		     JSON_HASZERO(x ^ (ones * 0x7f));
#undef JSON_HASZERO
	return (t & high) != 0;
}

/* Copy k (n <= 16 bytes) to o if it needs no escape (false, o partly
 * written, if it does). Straight-line code: for a literal key the compiler
 * does the check, and the copy is a few moves. */
JSON_INLINE bool json_copy_short(char *o, const char *k, size_t n)
{
	if (n >= 8) {
		uint64_t a, b;
		memcpy(&a, k, 8);
		memcpy(&b, k + n - 8, 8);
		if (json_special8(a) || json_special8(b))
			return false;
		memcpy(o, &a, 8);
		memcpy(o + n - 8, &b, 8);
		return true;
	}
	if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, k, 4);
		memcpy(&b, k + n - 4, 4);
		if (json_special4(a) || json_special4(b))
			return false;
		memcpy(o, &a, 4);
		memcpy(o + n - 4, &b, 4);
		return true;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)k[i];
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			return false;
		o[i] = (char)c;
	}
	return true;
}

/* A member name. Inline: most names are literals, and a call per name was
 * the largest single cost of the compact JSON writers (issue 16); what is
 * not the common case (pretty, long, to be escaped) goes to json_key_n. */
JSON_INLINE void json_key(struct json *j, const char *key)
{
	size_t n = strlen(key);
	if (n <= 16 && !j->pretty && !j->after_key && j->len + n + 4 <= JSON_BUF) {
		char *o = j->buf + j->len;
		size_t c = !j->first[j->depth];   /* the separator */
		o[0] = ',';
		if (json_copy_short(o + c + 1, key, n)) {
			o[c] = '"';
			o[c + 1 + n] = '"';
			o[c + 2 + n] = ':';
			j->len += c + n + 3;
			j->first[j->depth] = false;
			j->after_key = true;
			return;
		}
	}
	json_key_n(j, key, n);
}
/* Hand what is buffered to out (fwrite): before writing to out directly. */
void json_flush(struct json *j);

/*
 * Values written once and again. A compact writer (not pretty) that writes
 * the same value for many connections (a certificate's fields) keeps its
 * bytes: json_mark after the key, json_since after the value gives them
 * (NULL when they were handed to out in between, or when pretty), and
 * json_raw_value writes them as a later value. json_raw_members writes
 * members made by hand ("a":1,"b":"c": plain, compact, no separator first)
 * as the next members of the open object.
 */
static inline uint64_t json_mark(const struct json *j) { return j->flushed + j->len; }
const char *json_since(const struct json *j, uint64_t mark, size_t *n);
void json_raw_value(struct json *j, const char *v, size_t n);
void json_raw_members(struct json *j, const char *m, size_t n);
#define json_raw_members_lit(j, lit) json_raw_members((j), "" lit "", sizeof(lit) - 1)

/* Bytes from the wire or a certificate: control characters are escaped,
 * and bytes that are not valid UTF-8 are written as the text \xHH, so the
 * output stays valid UTF-8 whatever the input. */
void json_string_bytes(struct json *j, const void *s, size_t len);
void json_string(struct json *j, const char *s);   /* NULL -> null */
void json_int(struct json *j, int64_t v);
void json_uint(struct json *j, uint64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* key + value shorthands (inline, so a literal key's length is known) */
JSON_INLINE void json_kv_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}
JSON_INLINE void json_kv_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}
JSON_INLINE void json_kv_uint(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_uint(j, v);
}
JSON_INLINE void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}
/* key (NULL: an array element): an object begins when present, else null
 * and false (nothing more to write). */
JSON_INLINE bool json_kv_object_or_null(struct json *j, const char *key, bool present)
{
	if (key)
		json_key(j, key);
	if (!present) {
		json_null(j);
		return false;
	}
	json_object_begin(j);
	return true;
}

/* Write s escaped as the body of a JSON string (no quotes) to out. */
void json_escape(FILE *out, const void *s, size_t len);

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
size_t utf8_seq_len(const uint8_t *p, size_t n);

#endif
