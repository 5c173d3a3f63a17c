/* fingerprint.c - JA3, JA3S (salesforce/ja3 README) and JA4 (FoxIO technical_details/JA4.md) from the parsed hellos. */
#include "fingerprint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "tls_names.h"

/* extension types JA4 looks at (IANA TLS ExtensionType Values) */
enum { EXT_SERVER_NAME = 0, EXT_ALPN = 16, EXT_SUPPORTED_VERSIONS = 43 };

/* ---- a string built in a fixed buffer ---- */

/* The buffers are sized for the longest lists the parser keeps, so "full"
 * is a bug guard: a full string is refused, never given truncated. */
struct out {
	char *p;
	size_t cap, n;
	bool full;
};

static void out_init(struct out *o, char *buf, size_t cap)
{
	o->p = buf;
	o->cap = cap;
	o->n = 0;
	o->full = false;
	buf[0] = '\0';
}

/* One list value: sep (0 for none), then v in decimal or as 4 hex digits.
 * (vsnprintf per value was most of the time of --format ecs.) */
static void out_u16(struct out *o, char sep, uint16_t v, bool hex)
{
	char d[6];
	size_t n = 0;
	if (hex) {
		static const char x[] = "0123456789abcdef";
		d[0] = x[v >> 12];
		d[1] = x[(v >> 8) & 15];
		d[2] = x[(v >> 4) & 15];
		d[3] = x[v & 15];
		n = 4;
	} else {
		/* the digits from the top, without a reversal */
		unsigned u = v;
		if (u >= 10000)
			d[n++] = (char)('0' + u / 10000);
		if (u >= 1000)
			d[n++] = (char)('0' + u / 1000 % 10);
		if (u >= 100)
			d[n++] = (char)('0' + u / 100 % 10);
		if (u >= 10)
			d[n++] = (char)('0' + u / 10 % 10);
		d[n++] = (char)('0' + u % 10);
	}
	if (o->full || o->cap - o->n <= n + (sep != 0)) {
		o->full = true;
		return;
	}
	if (sep)
		o->p[o->n++] = sep;
	memcpy(o->p + o->n, d, n);
	o->n += n;
	o->p[o->n] = '\0';
}

/* A character (the separators between JA3's fields and JA4's parts). */
static void out_ch(struct out *o, char c)
{
	if (o->full || o->cap - o->n <= 1) {
		o->full = true;
		return;
	}
	o->p[o->n++] = c;
	o->p[o->n] = '\0';
}

enum { FP_MD5, FP_SHA256 };

/* The digests of recent inputs. Clients built on one TLS library send the
 * same lists connection after connection, so most digests were computed
 * before: a slot keeps the input whole (compared byte for byte, the hash
 * only picks the slot) and its digest in hex. */
#define MEMO_SLOTS 64u
#define MEMO_INPUT 1024u
struct digest_memo {
	uint64_t key;
	uint32_t len;      /* 0: empty (an empty input is never hashed here) */
	uint8_t which;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	char in[MEMO_INPUT];
};
static struct digest_memo memo[MEMO_SLOTS];

static uint64_t memo_key(int which, const char *s, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)which ^ (uint64_t)len << 8;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t v;
		memcpy(&v, s + i, 8);
		h = (h ^ v) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	for (; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h ^ h >> 29;
}

/* The full digest of s in lower-case hex. The algorithms are fetched once
 * and one context is reused: EVP_Digest with EVP_md5()/EVP_sha256() fetched
 * the implementation (under a lock) and made a context for every digest,
 * six per connection. Held until exit, like the providers. */
static bool digest_hex(int which, const char *s, size_t len, char *hex)
{
	static EVP_MD *mds[2];
	static bool fetched[2];
	static EVP_MD_CTX *ctx;
	if (!fetched[which]) {
		mds[which] = EVP_MD_fetch(NULL, which == FP_MD5 ? "MD5" : "SHA256", NULL);
		fetched[which] = true;
	}
	if (!ctx)
		ctx = EVP_MD_CTX_new();
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dn = 0;
	if (!mds[which] || !ctx || !EVP_DigestInit_ex2(ctx, mds[which], NULL) || !EVP_DigestUpdate(ctx, s, len) ||
	    !EVP_DigestFinal_ex(ctx, d, &dn))
		return false;
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < 2 * dn; i++)
		hex[i] = digits[i % 2 ? d[i / 2] & 0x0f : d[i / 2] >> 4];
	hex[2 * dn] = '\0';
	return true;
}

/* Lower-case hex of the digest of s[0..len-1], cut to hex_len digits. */
static bool hex_digest(int which, const char *s, size_t len, char *hex, size_t hex_len)
{
	uint64_t key = memo_key(which, s, len);
	struct digest_memo *m = &memo[key % MEMO_SLOTS];
	char full[2 * EVP_MAX_MD_SIZE + 1];
	const char *h = full;
	if (m->len && m->len == len && m->key == key && m->which == which && memcmp(m->in, s, len) == 0) {
		h = m->hex;
	} else {
		if (!digest_hex(which, s, len, full))
			return false;
		if (len && len <= MEMO_INPUT) {
			m->key = key;
			m->len = (uint32_t)len;
			m->which = (uint8_t)which;
			memcpy(m->in, s, len);
			memcpy(m->hex, full, sizeof full);
		}
	}
	if (hex_len > strlen(h))
		return false;
	memcpy(hex, h, hex_len);
	hex[hex_len] = '\0';
	return true;
}

/* ---- fingerprints of hellos seen before ---- */

/* Clients built on one TLS library send the same hello connection after
 * connection, and a writer asks for the JA3 and JA4 of each: a slot keeps a
 * fingerprint with the inputs it was made of (the lists as sent, compared
 * whole; the hash only picks the slot). Building the decimal and hex strings
 * was most of what fingerprints cost --format ecs, digests memoized or not.
 * Longer inputs and strings are computed every time. */
#define FPM_SLOTS 64u
#define FPM_KEY 400u    /* u16 values of a key */
#define FPM_STR 1024u   /* bytes of a kept string, NUL included */

struct fpm_key {
	uint16_t v[FPM_KEY];
	uint32_t n;
	bool over;
};

static void key_init(struct fpm_key *k, uint16_t kind)
{
	k->v[0] = kind;
	k->n = 1;
	k->over = false;
}

static void key_u16(struct fpm_key *k, uint16_t x)
{
	if (k->n < FPM_KEY)
		k->v[k->n++] = x;
	else
		k->over = true;
}

static void key_list(struct fpm_key *k, const struct u16list *l)
{
	key_u16(k, (uint16_t)l->n);   /* at most LIM_LIST_ENTRIES */
	if (k->over || l->n > FPM_KEY - k->n) {
		k->over = true;
		return;
	}
	if (l->n)
		memcpy(k->v + k->n, l->v, l->n * sizeof *l->v);
	k->n += l->n;
}

struct ja3_memo {
	uint64_t h;
	uint32_t n;   /* 0: empty */
	uint16_t key[FPM_KEY];
	char str[FPM_STR];
	char md5[FP_MD5_LEN];
};

struct ja4_memo {
	uint64_t h;
	uint32_t n;
	uint16_t key[FPM_KEY];
	char ja4[FP_JA4_LEN], ja4_o[FP_JA4_LEN];
	char ja4_r[FPM_STR], ja4_ro[FPM_STR];
};

static struct ja3_memo ja3_memo[FPM_SLOTS];
static struct ja4_memo ja4_memo[FPM_SLOTS];

static uint64_t key_hash(const struct fpm_key *k)
{
	return memo_key(0, (const char *)k->v, k->n * sizeof *k->v);
}

/* Is slot (h, n, key) the memo of k? */
static bool key_is(const struct fpm_key *k, uint64_t kh, uint64_t h, uint32_t n, const uint16_t *key)
{
	return !k->over && n == k->n && h == kh && memcmp(key, k->v, n * sizeof *key) == 0;
}

/* Copy a NUL-terminated string known to fit. */
static void copy_str(char *dst, const char *src)
{
	memcpy(dst, src, strlen(src) + 1);
}

static bool ja3_recall(const struct fpm_key *k, uint64_t h, struct fp_ja3 *fp)
{
	const struct ja3_memo *m = &ja3_memo[h % FPM_SLOTS];
	if (!key_is(k, h, m->h, m->n, m->key))
		return false;
	copy_str(fp->str, m->str);
	memcpy(fp->md5, m->md5, sizeof fp->md5);
	return true;
}

static void ja3_keep(const struct fpm_key *k, uint64_t h, const struct fp_ja3 *fp)
{
	if (k->over || strlen(fp->str) >= FPM_STR)
		return;
	struct ja3_memo *m = &ja3_memo[h % FPM_SLOTS];
	m->h = h;
	m->n = k->n;
	memcpy(m->key, k->v, k->n * sizeof *k->v);
	copy_str(m->str, fp->str);
	memcpy(m->md5, fp->md5, sizeof m->md5);
}

static bool ja4_recall(const struct fpm_key *k, uint64_t h, struct fp_ja4 *fp)
{
	const struct ja4_memo *m = &ja4_memo[h % FPM_SLOTS];
	if (!key_is(k, h, m->h, m->n, m->key))
		return false;
	memcpy(fp->ja4, m->ja4, sizeof fp->ja4);
	memcpy(fp->ja4_o, m->ja4_o, sizeof fp->ja4_o);
	copy_str(fp->ja4_r, m->ja4_r);
	copy_str(fp->ja4_ro, m->ja4_ro);
	return true;
}

static void ja4_keep(const struct fpm_key *k, uint64_t h, const struct fp_ja4 *fp)
{
	if (k->over || strlen(fp->ja4_r) >= FPM_STR || strlen(fp->ja4_ro) >= FPM_STR)
		return;
	struct ja4_memo *m = &ja4_memo[h % FPM_SLOTS];
	m->h = h;
	m->n = k->n;
	memcpy(m->key, k->v, k->n * sizeof *k->v);
	memcpy(m->ja4, fp->ja4, sizeof m->ja4);
	memcpy(m->ja4_o, fp->ja4_o, sizeof m->ja4_o);
	copy_str(m->ja4_r, fp->ja4_r);
	copy_str(m->ja4_ro, fp->ja4_ro);
}

/* ---- what is known of a hello ---- */

static bool list_whole(const struct u16list *l)
{
	return l->n == l->total;
}

/* The hello's lengths added up, and the lists JA3 reads were kept whole. */
static bool ja3_inputs_whole(const struct client_hello *ch)
{
	return ch->present && !ch->malformed && list_whole(&ch->cipher_suites) &&
	       list_whole(&ch->extensions) && list_whole(&ch->groups) &&
	       ch->ec_point_formats_total == ch->ec_point_formats_n;
}

/* ... and those JA4 reads (it needs only the first ALPN name). */
static bool ja4_inputs_whole(const struct client_hello *ch)
{
	return ch->present && !ch->malformed && list_whole(&ch->cipher_suites) &&
	       list_whole(&ch->extensions) && list_whole(&ch->sig_algs) && list_whole(&ch->supported_versions);
}

static bool has_extension(const struct client_hello *ch, uint16_t type)
{
	for (uint32_t i = 0; i < ch->extensions.n; i++)
		if (ch->extensions.v[i] == type)
			return true;
	return false;
}

/* ---- JA3 / JA3S ---- */

/* Decimal values without GREASE, joined by '-' (ja3 README, "How it works"). */
static void put_decimal_list(struct out *o, const struct u16list *l)
{
	char sep = 0;
	for (uint32_t i = 0; i < l->n; i++) {
		if (tls_is_grease(l->v[i]))
			continue;
		out_u16(o, sep, l->v[i], false);
		sep = '-';
	}
}

static bool ja3_finish(struct fp_ja3 *fp, const struct out *o)
{
	if (o->full)
		return false;
	return hex_digest(FP_MD5, fp->str, o->n, fp->md5, 32);
}

bool fp_ja3(struct fp_ja3 *fp, const struct client_hello *ch)
{
	fp->str[0] = fp->md5[0] = '\0';
	if (!ja3_inputs_whole(ch) || ch->sslv2)
		return false;
	struct fpm_key k;
	key_init(&k, 3);
	key_u16(&k, ch->legacy_version);
	key_list(&k, &ch->cipher_suites);
	key_list(&k, &ch->extensions);
	key_list(&k, &ch->groups);
	key_u16(&k, ch->ec_point_formats_n);
	for (unsigned i = 0; i < ch->ec_point_formats_n; i++)
		key_u16(&k, ch->ec_point_formats[i]);
	uint64_t h = key_hash(&k);
	if (ja3_recall(&k, h, fp))
		return true;
	struct out o;
	out_init(&o, fp->str, sizeof fp->str);
	out_u16(&o, 0, ch->legacy_version, false);
	out_ch(&o, ',');
	put_decimal_list(&o, &ch->cipher_suites);
	out_ch(&o, ',');
	put_decimal_list(&o, &ch->extensions);
	out_ch(&o, ',');
	put_decimal_list(&o, &ch->groups);
	out_ch(&o, ',');
	for (unsigned i = 0; i < ch->ec_point_formats_n; i++)
		out_u16(&o, i ? '-' : 0, ch->ec_point_formats[i], false);
	if (!ja3_finish(fp, &o))
		return false;
	ja3_keep(&k, h, fp);
	return true;
}

/* SSLVersion is the legacy_version field, as in JA3: the supported_versions
 * choice of TLS 1.3 shows among the extensions. */
static bool ja3s(struct fp_ja3 *fp, uint16_t version, uint16_t suite, const struct u16list *exts)
{
	struct fpm_key k;
	key_init(&k, 0x35);
	key_u16(&k, version);
	key_u16(&k, suite);
	key_list(&k, exts);
	uint64_t h = key_hash(&k);
	if (ja3_recall(&k, h, fp))
		return true;
	struct out o;
	out_init(&o, fp->str, sizeof fp->str);
	out_u16(&o, 0, version, false);
	out_u16(&o, ',', suite, false);
	out_ch(&o, ',');
	put_decimal_list(&o, exts);
	if (!ja3_finish(fp, &o))
		return false;
	ja3_keep(&k, h, fp);
	return true;
}

bool fp_ja3s(struct fp_ja3 *fp, const struct server_hello *sh)
{
	fp->str[0] = fp->md5[0] = '\0';
	if (!sh->present || sh->malformed || !list_whole(&sh->extensions))
		return false;
	return ja3s(fp, sh->legacy_version, sh->cipher_suite, &sh->extensions);
}

bool fp_ja3s_hrr(struct fp_ja3 *fp, const struct hello_retry_request *hrr)
{
	fp->str[0] = fp->md5[0] = '\0';
	if (!hrr->present || !hrr->server_hello || hrr->malformed || !list_whole(&hrr->extensions))
		return false;
	return ja3s(fp, hrr->legacy_version, hrr->cipher_suite, &hrr->extensions);
}

/* ---- JA4 ---- */

/* JA4.md "TLS and DTLS Version". */
static const char *ja4_version_code(uint16_t v)
{
	switch (v) {
	case 0x0304: return "13";
	case 0x0303: return "12";
	case 0x0302: return "11";
	case 0x0301: return "10";
	case 0x0300: return "s3";
	case 0x0002: return "s2";
	case 0xfeff: return "d1";
	case 0xfefd: return "d2";
	case 0xfefc: return "d3";
	default: return "00";
	}
}

/* The highest non-GREASE supported_versions entry when the extension is
 * there (0, "unknown", if it holds none), else legacy_version; the record
 * layer's version is never used. */
static uint16_t ja4_version(const struct client_hello *ch)
{
	if (!has_extension(ch, EXT_SUPPORTED_VERSIONS))
		return ch->legacy_version;
	uint16_t best = 0;
	for (uint32_t i = 0; i < ch->supported_versions.n; i++) {
		uint16_t v = ch->supported_versions.v[i];
		if (!tls_is_grease(v) && v > best)
			best = v;
	}
	return best;
}

static bool is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* JA4.md "ALPN Extension Value": the first and last character of the first
 * protocol; when either is not ASCII alphanumeric, the first and last digit
 * of the protocol written in hex instead; "00" without a (non-empty) one. */
static void ja4_alpn(char out[3], const struct client_hello *ch)
{
	out[0] = out[1] = '0';
	out[2] = '\0';
	if (ch->alpn.n == 0 || ch->alpn.len[0] == 0)
		return;
	const unsigned char *p = (const unsigned char *)ch->alpn.v[0];
	unsigned char first = p[0], last = p[ch->alpn.len[0] - 1];
	if (is_alnum(first) && is_alnum(last)) {
		out[0] = (char)first;
		out[1] = (char)last;
		return;
	}
	static const char digits[] = "0123456789abcdef";
	out[0] = digits[first >> 4];
	out[1] = digits[last & 0x0f];
}

/* Copy the non-GREASE values of l into v; returns how many. */
static size_t without_grease(uint16_t *v, const struct u16list *l)
{
	size_t n = 0;
	for (uint32_t i = 0; i < l->n && n < LIM_LIST_ENTRIES; i++)
		if (!tls_is_grease(l->v[i]))
			v[n++] = l->v[i];
	return n;
}

static int cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	return (x > y) - (x < y);
}

/* Ascending, in place. Real lists are short, and qsort's merge sort with a
 * call per comparison cost more than the digests they feed; a hello built
 * with hundreds of entries still gets n log n. */
static void sort_u16(uint16_t *v, size_t n)
{
	if (n > 64) {
		qsort(v, n, sizeof *v, cmp_u16);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		uint16_t x = v[i];
		size_t j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* The lists of one rendering: sorted or in the order sent. */
struct ja4_lists {
	uint16_t ciphers[LIM_LIST_ENTRIES], exts[LIM_LIST_ENTRIES], sigs[LIM_LIST_ENTRIES];
	size_t nc, ne, ns;
};

static void put_hex_list(struct out *o, const uint16_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out_u16(o, i ? ',' : 0, v[i], true);
}

/* 12 hex digits of the SHA-256 of s[0..len-1]; twelve zeros for nothing. */
static bool ja4_hash(const char *s, size_t len, char hex[13])
{
	if (len == 0) {
		memcpy(hex, "000000000000", 13);
		return true;
	}
	return hex_digest(FP_SHA256, s, len, hex, 12);
}

/* raw = a_ciphers_exts[_sigs] ("_sigs" only when there are some), and
 * hashed = a_hash(ciphers)_hash(exts[_sigs]) (JA4.md "Cipher hash",
 * "Extension hash", "Raw Output"). */
static bool ja4_render(char *hashed, size_t hashed_len, char *raw, size_t raw_len, const char *a,
		       const struct ja4_lists *l)
{
	struct out o;
	out_init(&o, raw, raw_len);
	for (const char *c = a; *c; c++)
		out_ch(&o, *c);
	out_ch(&o, '_');
	size_t c0 = o.n;
	put_hex_list(&o, l->ciphers, l->nc);
	size_t c1 = o.n;
	out_ch(&o, '_');
	size_t e0 = o.n;
	put_hex_list(&o, l->exts, l->ne);
	if (l->ns) {
		out_ch(&o, '_');
		put_hex_list(&o, l->sigs, l->ns);
	}
	char hc[13], he[13];
	if (o.full || !ja4_hash(raw + c0, c1 - c0, hc) || !ja4_hash(raw + e0, o.n - e0, he))
		return false;
	size_t al = strlen(a);
	if (al + 1 + 12 + 1 + 12 + 1 > hashed_len)
		return false;
	memcpy(hashed, a, al);
	hashed[al] = '_';
	memcpy(hashed + al + 1, hc, 12);
	hashed[al + 13] = '_';
	memcpy(hashed + al + 14, he, 13);   /* with its NUL */
	return true;
}

/* JA4.md "JA4 Algorithm", part a: t13d1516h2. Counts leave GREASE out,
 * keep SNI and ALPN, and stop at 99. */
static void ja4_a(char a[16], const struct client_hello *ch, enum fp_transport t, size_t nc, size_t ne)
{
	char alpn[3];
	ja4_alpn(alpn, ch);
	const char *v = ja4_version_code(ja4_version(ch));
	unsigned c = (unsigned)(nc > 99 ? 99 : nc), e = (unsigned)(ne > 99 ? 99 : ne);
	a[0] = (char)t;
	a[1] = v[0];
	a[2] = v[1];
	a[3] = has_extension(ch, EXT_SERVER_NAME) ? 'd' : 'i';
	a[4] = (char)('0' + c / 10);
	a[5] = (char)('0' + c % 10);
	a[6] = (char)('0' + e / 10);
	a[7] = (char)('0' + e % 10);
	a[8] = alpn[0];
	a[9] = alpn[1];
	a[10] = '\0';
}

bool fp_ja4(struct fp_ja4 *fp, const struct client_hello *ch, enum fp_transport transport)
{
	fp->ja4[0] = fp->ja4_o[0] = fp->ja4_r[0] = fp->ja4_ro[0] = '\0';
	if (!ja4_inputs_whole(ch))
		return false;
	/* what part a reads besides the lists: the version and the ALPN characters */
	char alpn[3];
	ja4_alpn(alpn, ch);
	struct fpm_key k;
	key_init(&k, 4);
	key_u16(&k, (uint16_t)transport);
	key_u16(&k, ja4_version(ch));
	key_u16(&k, (uint16_t)((uint8_t)alpn[0] | (uint8_t)alpn[1] << 8));
	key_list(&k, &ch->cipher_suites);
	key_list(&k, &ch->extensions);
	key_list(&k, &ch->sig_algs);
	uint64_t h = key_hash(&k);
	if (ja4_recall(&k, h, fp))
		return true;
	struct ja4_lists lists, *l = &lists;
	l->nc = without_grease(l->ciphers, &ch->cipher_suites);
	l->ne = without_grease(l->exts, &ch->extensions);
	l->ns = without_grease(l->sigs, &ch->sig_algs);
	char a[16];
	ja4_a(a, ch, transport, l->nc, l->ne);
	bool ok = ja4_render(fp->ja4_o, sizeof fp->ja4_o, fp->ja4_ro, sizeof fp->ja4_ro, a, l);

	/* sorted, and without SNI and ALPN, which part a already shows */
	size_t ne = 0;
	for (size_t i = 0; i < l->ne; i++)
		if (l->exts[i] != EXT_SERVER_NAME && l->exts[i] != EXT_ALPN)
			l->exts[ne++] = l->exts[i];
	l->ne = ne;
	sort_u16(l->ciphers, l->nc);
	sort_u16(l->exts, l->ne);
	ok = ok && ja4_render(fp->ja4, sizeof fp->ja4, fp->ja4_r, sizeof fp->ja4_r, a, l);
	if (!ok) {
		fp->ja4[0] = fp->ja4_o[0] = fp->ja4_r[0] = fp->ja4_ro[0] = '\0';
		return false;
	}
	ja4_keep(&k, h, fp);
	return true;
}
