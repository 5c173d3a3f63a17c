/* json.h - a streaming JSON writer that always produces valid UTF-8 JSON. */
#ifndef TLSDIAG_JSON_H
#define TLSDIAG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *out;
	int depth;
	bool first[JSON_MAX_DEPTH];  /* no element written yet at this level */
	bool after_key;
	bool pretty;
};

void json_init(struct json *j, FILE *out, bool pretty);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);

/* Bytes from the wire or a certificate: control characters are escaped,
 * and bytes that are not valid UTF-8 are written as the text \xHH, so the
 * output stays valid UTF-8 whatever the input. */
void json_string_bytes(struct json *j, const void *s, size_t len);
void json_string(struct json *j, const char *s);   /* NULL -> null */
void json_int(struct json *j, int64_t v);
void json_uint(struct json *j, uint64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* key + value shorthands */
void json_kv_str(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, int64_t v);
void json_kv_uint(struct json *j, const char *key, uint64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);

/* Write s escaped as the body of a JSON string (no quotes) to out. */
void json_escape(FILE *out, const void *s, size_t len);

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
size_t utf8_seq_len(const uint8_t *p, size_t n);

#endif
