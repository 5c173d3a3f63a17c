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
static inline void json_key(struct json *j, const char *key) { json_key_n(j, key, strlen(key)); }
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
static inline void json_kv_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}
static inline void json_kv_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}
static inline void json_kv_uint(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_uint(j, v);
}
static inline void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

/* Write s escaped as the body of a JSON string (no quotes) to out. */
void json_escape(FILE *out, const void *s, size_t len);

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
size_t utf8_seq_len(const uint8_t *p, size_t n);

#endif
