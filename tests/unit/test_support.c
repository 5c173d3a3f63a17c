/* test_support.c - helpers shared by the unit suites: guard pages, a byte builder, test certificates. */
#include "unit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mem.h"
#include "session.h"

/* ---- guard page ---- */

/* Map body bytes (a whole number of pages) and one PROT_NONE page after. */
static void guard_map(struct guard *g, size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t body = (n + page - 1) / page * page;

	if (body == 0)
		body = page;
	g->map_len = body + page;
	g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->map == MAP_FAILED) {
		perror("mmap");
		abort();
	}
	if (mprotect(g->map + body, page, PROT_NONE) != 0) {
		perror("mprotect");
		abort();
	}
}

static const uint8_t *guard_copy(struct guard *g, const void *src, size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	g->p = g->map + (g->map_len - page) - n;
	g->n = n;
	if (n)
		memmove(g->p, src, n);
	return g->p;
}

const uint8_t *guard_put(struct guard *g, const void *src, size_t n)
{
	guard_map(g, n);
	return guard_copy(g, src, n);
}

const uint8_t *guard_move(struct guard *g, const void *src, size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	if (!g->map || n > g->map_len - page) {
		guard_free(g);
		guard_map(g, n < 16 * page ? 16 * page : n);
	}
	return guard_copy(g, src, n);
}

void guard_free(struct guard *g)
{
	if (g->map)
		munmap(g->map, g->map_len);
	memset(g, 0, sizeof *g);
}

/* ---- byte builder ---- */

void bb_init(struct bb *b)
{
	memset(b, 0, sizeof *b);
}

void bb_free(struct bb *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

void bb_reset(struct bb *b)
{
	b->n = 0;
	b->depth = 0;
	b->nlens = 0;
}

static void bb_need(struct bb *b, size_t more)
{
	if (b->n + more <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->n + more)
		cap *= 2;
	b->p = realloc(b->p, cap);
	if (!b->p)
		abort();
	b->cap = cap;
}

void bb_u8(struct bb *b, unsigned v)
{
	bb_need(b, 1);
	b->p[b->n++] = (uint8_t)v;
}

void bb_u16(struct bb *b, unsigned v)
{
	bb_u8(b, (v >> 8) & 0xff);
	bb_u8(b, v & 0xff);
}

void bb_u24(struct bb *b, uint32_t v)
{
	bb_u8(b, (v >> 16) & 0xff);
	bb_u16(b, v & 0xffff);
}

void bb_u32(struct bb *b, uint32_t v)
{
	bb_u16(b, v >> 16);
	bb_u16(b, v & 0xffff);
}

void bb_bytes(struct bb *b, const void *p, size_t n)
{
	bb_need(b, n);
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

void bb_fill(struct bb *b, uint8_t byte, size_t n)
{
	if (n == 0)
		return;   /* an empty buffer has no p yet: memset(NULL, .., 0) is undefined */
	bb_need(b, n);
	memset(b->p + b->n, byte, n);
	b->n += n;
}

void bb_str(struct bb *b, const char *s)
{
	bb_bytes(b, s, strlen(s));
}

void bb_begin(struct bb *b, int width)
{
	if (b->depth >= BB_MAX_DEPTH || width < 1 || width > 3)
		abort();
	b->open_at[b->depth] = b->n;
	b->open_w[b->depth] = (uint8_t)width;
	b->depth++;
	bb_fill(b, 0, (size_t)width);
}

static void put_len(uint8_t *p, int w, uint32_t v)
{
	for (int i = w - 1; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

void bb_end(struct bb *b)
{
	if (b->depth == 0)
		abort();
	b->depth--;
	size_t at = b->open_at[b->depth];
	int w = b->open_w[b->depth];
	size_t len = b->n - at - (size_t)w;
	if (len >= (1ul << (8 * w)))
		abort();   /* the test built a vector its prefix cannot express */
	put_len(b->p + at, w, (uint32_t)len);
	if (b->nlens < BB_MAX_LENS) {
		b->len_at[b->nlens] = at;
		b->len_w[b->nlens] = (uint8_t)w;
		b->nlens++;
	}
}

void bb_append(struct bb *b, const struct bb *src)
{
	size_t base = b->n;
	bb_bytes(b, src->p, src->n);
	for (unsigned i = 0; i < src->nlens && b->nlens < BB_MAX_LENS; i++) {
		b->len_at[b->nlens] = base + src->len_at[i];
		b->len_w[b->nlens] = src->len_w[i];
		b->nlens++;
	}
}

uint32_t bb_len_get(const struct bb *b, unsigned i)
{
	uint32_t v = 0;
	for (int k = 0; k < b->len_w[i]; k++)
		v = v << 8 | b->p[b->len_at[i] + (size_t)k];
	return v;
}

void bb_len_set(struct bb *b, unsigned i, uint32_t v)
{
	put_len(b->p + b->len_at[i], b->len_w[i], v);
}

/* ---- assertions ---- */

void unit_fail(const char *file, unsigned line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	CU_assertImplementation(CU_FALSE, line, msg, file, "", CU_FALSE);
}

/* ---- sessions ---- */

unsigned session_event_count(const struct session *s, const char *id)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < s->events_n; i++)
		if (strcmp(s->events[i].id, id) == 0)
			n++;
	return n;
}

struct session *session_new_for_test(void)
{
	return session_new();
}

/* ---- certificates ---- */

EVP_PKEY *test_key_ec(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!k)
		abort();
	return k;
}

uint8_t *test_cert_der(const char *subject_cn, const char *issuer_cn, EVP_PKEY *key,
		       EVP_PKEY *sign_key, long serial, bool ca, size_t *len)
{
	X509 *x = X509_new();
	X509_NAME *subj = X509_NAME_new(), *iss = X509_NAME_new();
	X509_EXTENSION *ext;
	X509V3_CTX ctx;
	uint8_t *der = NULL, *out;
	int n;

	if (!x || !subj || !iss)
		abort();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_UTF8, (const unsigned char *)subject_cn, -1, -1, 0);
	X509_NAME_add_entry_by_txt(iss, "CN", MBSTRING_UTF8, (const unsigned char *)issuer_cn, -1, -1, 0);
	X509_set_subject_name(x, subj);
	X509_set_issuer_name(x, iss);
	ASN1_TIME_set(X509_getm_notBefore(x), 1704067200);   /* 2024-01-01 */
	ASN1_TIME_set(X509_getm_notAfter(x), 1767225600);    /* 2026-01-01 */
	X509_set_pubkey(x, key);
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (!X509_sign(x, sign_key, EVP_sha256()))
		abort();
	n = i2d_X509(x, &der);
	if (n <= 0)
		abort();
	out = malloc((size_t)n);
	memcpy(out, der, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(der);
	X509_NAME_free(subj);
	X509_NAME_free(iss);
	X509_free(x);
	return out;
}
