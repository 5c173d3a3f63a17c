/* rd.h - bounds-checked reader over untrusted bytes (the only way parsers touch wire data). */
#ifndef TLSDIAG_RD_H
#define TLSDIAG_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * A reader is a view of bytes still to be read. Every getter either succeeds
 * and advances, or fails, empties the reader and returns false, so a parser
 * that ignores one failure cannot read garbage afterwards. TLS vectors are
 * sliced into child readers (the BoringSSL CBS idiom): walk the child, then
 * check that nothing is left in it.
 */
struct rd {
	const uint8_t *p;
	size_t len;
};

static inline struct rd rd_make(const void *p, size_t len)
{
	struct rd r = { (const uint8_t *)p, len };
	return r;
}

static inline size_t rd_left(const struct rd *r) { return r->len; }

static inline bool rd_fail(struct rd *r)
{
	r->p += r->len;
	r->len = 0;
	return false;
}

static inline bool rd_skip(struct rd *r, size_t n)
{
	if (r->len < n)
		return rd_fail(r);
	r->p += n;
	r->len -= n;
	return true;
}

/* Point *out at the next n bytes (valid as long as the underlying buffer). */
static inline bool rd_bytes(struct rd *r, size_t n, const uint8_t **out)
{
	if (r->len < n)
		return rd_fail(r);
	*out = r->p;
	r->p += n;
	r->len -= n;
	return true;
}

static inline bool rd_copy(struct rd *r, void *dst, size_t n)
{
	const uint8_t *src;
	if (!rd_bytes(r, n, &src))
		return false;
	if (n)
		memcpy(dst, src, n);
	return true;
}

static inline bool rd_u8(struct rd *r, uint8_t *out)
{
	if (r->len < 1)
		return rd_fail(r);
	*out = r->p[0];
	r->p += 1;
	r->len -= 1;
	return true;
}

static inline bool rd_u16(struct rd *r, uint16_t *out)
{
	if (r->len < 2)
		return rd_fail(r);
	*out = (uint16_t)((r->p[0] << 8) | r->p[1]);
	r->p += 2;
	r->len -= 2;
	return true;
}

static inline bool rd_u24(struct rd *r, uint32_t *out)
{
	if (r->len < 3)
		return rd_fail(r);
	*out = ((uint32_t)r->p[0] << 16) | ((uint32_t)r->p[1] << 8) | r->p[2];
	r->p += 3;
	r->len -= 3;
	return true;
}

static inline bool rd_u32(struct rd *r, uint32_t *out)
{
	if (r->len < 4)
		return rd_fail(r);
	*out = ((uint32_t)r->p[0] << 24) | ((uint32_t)r->p[1] << 16) |
	       ((uint32_t)r->p[2] << 8) | r->p[3];
	r->p += 4;
	r->len -= 4;
	return true;
}

/* Little-endian getters, for capture file and link-layer headers. */
static inline bool rd_le16(struct rd *r, uint16_t *out)
{
	if (r->len < 2)
		return rd_fail(r);
	*out = (uint16_t)(r->p[0] | (r->p[1] << 8));
	r->p += 2;
	r->len -= 2;
	return true;
}

static inline bool rd_le32(struct rd *r, uint32_t *out)
{
	if (r->len < 4)
		return rd_fail(r);
	*out = (uint32_t)r->p[0] | ((uint32_t)r->p[1] << 8) |
	       ((uint32_t)r->p[2] << 16) | ((uint32_t)r->p[3] << 24);
	r->p += 4;
	r->len -= 4;
	return true;
}

/* The next n bytes as a child reader. */
static inline bool rd_sub(struct rd *r, size_t n, struct rd *child)
{
	const uint8_t *p;
	if (!rd_bytes(r, n, &p)) {
		*child = rd_make(r->p, 0);
		return false;
	}
	*child = rd_make(p, n);
	return true;
}

/* opaque<0..2^8-1>, <0..2^16-1>, <0..2^24-1> (RFC 5246 §4.3) as child readers. */
static inline bool rd_vec8(struct rd *r, struct rd *child)
{
	uint8_t n;
	if (!rd_u8(r, &n)) {
		*child = rd_make(r->p, 0);
		return false;
	}
	return rd_sub(r, n, child);
}

static inline bool rd_vec16(struct rd *r, struct rd *child)
{
	uint16_t n;
	if (!rd_u16(r, &n)) {
		*child = rd_make(r->p, 0);
		return false;
	}
	return rd_sub(r, n, child);
}

static inline bool rd_vec24(struct rd *r, struct rd *child)
{
	uint32_t n;
	if (!rd_u24(r, &n)) {
		*child = rd_make(r->p, 0);
		return false;
	}
	return rd_sub(r, n, child);
}

/* Peek without consuming; false if fewer than off+1 bytes remain. */
static inline bool rd_peek_u8(const struct rd *r, size_t off, uint8_t *out)
{
	if (r->len <= off)
		return false;
	*out = r->p[off];
	return true;
}

#endif
