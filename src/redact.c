/* redact.c - pseudonym tables for --redact (addresses) and --redact=names. */
#include "redact.h"

#include <string.h>

#include "mem.h"
#include "strbuf.h"

#define TABLE_CAP (1u << 16)   /* distinct values remembered; more share hashed pseudonyms */

struct entry {
	uint64_t hash;          /* 0: empty */
	char *value;            /* the real value (addresses: 17 bytes af+addr) */
	size_t len;
	uint32_t number;        /* pseudonym number, from 1 */
};

struct table {
	struct entry *e;
	uint32_t cap, n;
};

static bool on_addresses, on_names;
static struct table addrs, labels;

void redact_enable(bool addresses, bool names)
{
	on_addresses = addresses;
	on_names = names;
}

bool redact_addresses(void) { return on_addresses; }
bool redact_names(void) { return on_names; }

static uint64_t hash_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h ? h : 1;
}

/* The number of a value: the same value, the same number. */
static uint32_t number_of(struct table *t, const void *v, size_t len)
{
	uint64_t h = hash_bytes(v, len);
	if (!t->e) {
		t->cap = TABLE_CAP * 2;
		t->e = mem_alloc(t->cap * sizeof *t->e);
	}
	uint32_t i = (uint32_t)(h & (t->cap - 1));
	while (t->e[i].hash) {
		if (t->e[i].hash == h && t->e[i].len == len && memcmp(t->e[i].value, v, len) == 0)
			return t->e[i].number;
		i = (i + 1) & (t->cap - 1);
	}
	if (t->n >= TABLE_CAP)   /* full: stable but possibly shared */
		return TABLE_CAP + (uint32_t)(h % 1000000u);
	t->e[i].hash = h;
	t->e[i].value = mem_strndup(v, len);
	t->e[i].len = len;
	t->e[i].number = ++t->n;
	return t->e[i].number;
}

void redact_address(uint8_t af, const uint8_t *in, uint8_t *out)
{
	uint8_t key[17];
	key[0] = af;
	memcpy(key + 1, in, 16);
	uint32_t n = number_of(&addrs, key, sizeof key);
	memset(out, 0, 16);
	if (af == 4) {
		/* 198.18.0.0/15 */
		out[0] = 198;
		out[1] = (uint8_t)(18 + ((n >> 16) & 1));
		out[2] = (uint8_t)(n >> 8);
		out[3] = (uint8_t)n;
	} else {
		/* 2001:db8::/32 */
		out[0] = 0x20;
		out[1] = 0x01;
		out[2] = 0x0d;
		out[3] = 0xb8;
		out[12] = (uint8_t)(n >> 24);
		out[13] = (uint8_t)(n >> 16);
		out[14] = (uint8_t)(n >> 8);
		out[15] = (uint8_t)n;
	}
}

static void put_label(struct strbuf *b, const char *s, size_t n)
{
	if (n == 1 && s[0] == '*') {
		sb_put(b, "*", 1);
		return;
	}
	sb_printf(b, "n%u", number_of(&labels, s, n));
}

char *redact_hostname(const char *name, size_t len)
{
	struct strbuf b;
	sb_init(&b);
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || name[i] == '.') {
			put_label(&b, name + start, i - start);
			if (i < len)
				sb_put(&b, ".", 1);
			start = i + 1;
		}
	}
	return sb_take(&b);
}

char *redact_dn(const char *dn)
{
	struct strbuf b;
	sb_init(&b);
	const char *p = dn;
	while (*p) {
		/* attribute type up to '=' */
		const char *eq = strchr(p, '=');
		if (!eq) {
			put_label(&b, p, strlen(p));
			break;
		}
		sb_put(&b, p, (size_t)(eq - p) + 1);
		/* value up to an unescaped ',' or '+' (RFC 4514 §2.4) */
		const char *v = eq + 1, *q = v;
		while (*q && *q != ',' && *q != '+') {
			if (*q == '\\' && q[1])
				q++;
			q++;
		}
		put_label(&b, v, (size_t)(q - v));
		if (!*q)
			break;
		sb_put(&b, q, 1);
		p = q + 1;
	}
	return sb_take(&b);
}

static void table_free(struct table *t)
{
	for (uint32_t i = 0; t->e && i < t->cap; i++)
		mem_free(t->e[i].value);
	mem_free(t->e);
	memset(t, 0, sizeof *t);
}

void redact_free(void)
{
	table_free(&addrs);
	table_free(&labels);
}
