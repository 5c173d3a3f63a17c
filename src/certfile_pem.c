/* certfile_pem.c - PEM files (RFC 7468): blocks and markers, line by line, every problem with its line.
 *
 * PEM is walked line by line with our own base64 decoder so that every
 * problem names the exact line a user has to look at; damage is reported and
 * the walk goes on, so one bad block does not hide the checks of the others.
 * The DER inside a block, and the private keys, are decoded by OpenSSL.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "certfile_int.h"
#include "mem.h"

#define PEM_LABEL_MAX         64u
#define PEM_HEADERS_MAX       1024u
/* A certificate is a few kilobytes of base64 (a TLS handshake message stays
 * under LIM_HANDSHAKE_MSG); a block beyond these is not one. */
#define PEM_BLOCK_MAX_CHARS   (1024u * 1024u)
#define PEM_BLOCK_MAX_LINES   65536u
#define PEM_WIDTH_MAX         1024u   /* line widths counted for the damage hint */

enum block_kind {
	BK_CERT,            /* CERTIFICATE, X509 CERTIFICATE */
	BK_TRUSTED_CERT,    /* TRUSTED CERTIFICATE: DER certificate + OpenSSL trust settings */
	BK_KEY,             /* PRIVATE KEY, RSA/EC/DSA PRIVATE KEY */
	BK_ENC_KEY,         /* ENCRYPTED PRIVATE KEY (PKCS#8) */
	BK_PKCS7,           /* PKCS7, CERTIFICATE CHAIN (.p7b as PEM) */
	BK_CSR,             /* CERTIFICATE REQUEST, NEW CERTIFICATE REQUEST */
	BK_PUBKEY,          /* PUBLIC KEY, RSA PUBLIC KEY */
	BK_OTHER            /* parameters, CRLs ...: ignored like OpenSSL does */
};

struct block {
	bool open;
	enum block_kind kind;
	char label[PEM_LABEL_MAX];
	uint32_t begin_line;
	bool bad;                /* a problem was reported: do not decode */
	bool encrypted;          /* RFC 1421 header Proc-Type: 4,ENCRYPTED */
	bool headers_done;
	char headers[PEM_HEADERS_MAX];
	size_t headers_len;
	char *b64;               /* the base64 characters, whitespace removed */
	size_t b64_len, b64_cap;
	uint32_t *body_line;     /* line number and characters of each body line, */
	uint32_t *body_len;      /* to find the one line of an unusual width */
	uint32_t body_n, body_cap;
	uint32_t pad_line;       /* a body line holding '=' */
};

/* Where the damage most likely is: the first body line, other than the
 * last, whose width differs from the most common width. */
struct odd_line {
	uint32_t line, len, width;
};

/* The reader's state while it walks one file. */
struct pem_state {
	struct block blk;        /* the block being read */
	bool saw_marker;         /* a BEGIN/END line, even a damaged one */
};

/* The length a DER SEQUENCE header at p announces (header included), 0 if
 * there is no such header: tells a cut-off certificate from garbage. */
static size_t der_announced_len(const uint8_t *p, size_t n)
{
	if (n < 2 || p[0] != 0x30)
		return 0;
	if (p[1] < 0x80)
		return 2 + (size_t)p[1];
	size_t k = p[1] & 0x7f;
	if (k == 0 || k > 4 || n < 2 + k)
		return 0;
	size_t len = 0;
	for (size_t i = 0; i < k; i++)
		len = len << 8 | p[2 + i];
	return 2 + k + len;
}

static bool b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static enum block_kind kind_of(const char *label, bool *known)
{
	static const struct {
		const char *label;
		enum block_kind kind;
	} kinds[] = {
		{ "CERTIFICATE", BK_CERT },
		{ "X509 CERTIFICATE", BK_CERT },
		{ "TRUSTED CERTIFICATE", BK_TRUSTED_CERT },
		{ "PRIVATE KEY", BK_KEY },
		{ "RSA PRIVATE KEY", BK_KEY },
		{ "EC PRIVATE KEY", BK_KEY },
		{ "DSA PRIVATE KEY", BK_KEY },
		{ "ENCRYPTED PRIVATE KEY", BK_ENC_KEY },
		{ "PKCS7", BK_PKCS7 },
		{ "CERTIFICATE CHAIN", BK_PKCS7 },
		{ "CERTIFICATE REQUEST", BK_CSR },
		{ "NEW CERTIFICATE REQUEST", BK_CSR },
		{ "PUBLIC KEY", BK_PUBKEY },
		{ "RSA PUBLIC KEY", BK_PUBKEY },
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		if (strcmp(label, kinds[i].label) == 0) {
			*known = true;
			return kinds[i].kind;
		}
	}
	*known = false;
	return BK_OTHER;
}

static void block_reset(struct block *b)
{
	char *keep = b->b64;
	size_t cap = b->b64_cap;
	uint32_t *bl = b->body_line, *bn = b->body_len, bcap = b->body_cap;
	memset(b, 0, sizeof *b);
	b->b64 = keep;
	b->b64_cap = cap;
	b->body_line = bl;
	b->body_len = bn;
	b->body_cap = bcap;
}

static void block_free(struct block *b)
{
	mem_free(b->b64);
	mem_free(b->body_line);
	mem_free(b->body_len);
	memset(b, 0, sizeof *b);
}

static bool block_odd_line(const struct block *b, struct odd_line *o)
{
	memset(o, 0, sizeof *o);
	if (b->body_n < 3)
		return false;
	/* the most common width of the lines before the last (64 for RFC 7468) */
	uint32_t *count = mem_alloc((PEM_WIDTH_MAX + 1) * sizeof *count);
	uint32_t best = 0, best_count = 0;
	for (uint32_t i = 0; i + 1 < b->body_n; i++) {
		uint32_t w = b->body_len[i];
		if (w > PEM_WIDTH_MAX)
			continue;
		if (++count[w] > best_count) {
			best_count = count[w];
			best = w;
		}
	}
	mem_free(count);
	if (best_count == 0)
		return false;
	for (uint32_t i = 0; i + 1 < b->body_n; i++) {
		if (b->body_len[i] != best) {
			o->line = b->body_line[i];
			o->len = b->body_len[i];
			o->width = best;
			return true;
		}
	}
	/* the last line may be shorter, never longer */
	uint32_t last = b->body_n - 1;
	if (b->body_len[last] > best) {
		o->line = b->body_line[last];
		o->len = b->body_len[last];
		o->width = best;
		return true;
	}
	return false;
}

static void block_open(struct loader *ld, const char *label, uint32_t line)
{
	struct block *b = &ld->pem->blk;
	block_reset(b);
	b->open = true;
	b->begin_line = line;
	snprintf(b->label, sizeof b->label, "%s", label);
	bool known;
	b->kind = kind_of(label, &known);
}

static void b64_append(struct block *b, const char *s, size_t n)
{
	b->b64 = mem_grow(b->b64, &b->b64_cap, b->b64_len + n + 1, 4096);
	memcpy(b->b64 + b->b64_len, s, n);
	b->b64_len += n;
}

/* A line inside a block: an RFC 1421 header, or base64. */
static void block_line(struct loader *ld, const char *s, size_t n, uint32_t line)
{
	struct block *b = &ld->pem->blk;
	if (n == 0) {
		if (b->headers_len)
			b->headers_done = true;
		return;
	}
	if (b->bad || b->kind == BK_OTHER)
		return;
	/* "Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-256-CBC,..." before the body */
	if (!b->headers_done && b->b64_len == 0 && memchr(s, ':', n)) {
		if (n >= 10 && strncmp(s, "Proc-Type:", 10) == 0 && memmem(s, n, "ENCRYPTED", 9))
			b->encrypted = true;
		if (b->headers_len + n + 1 < sizeof b->headers) {
			memcpy(b->headers + b->headers_len, s, n);
			b->headers_len += n;
			b->headers[b->headers_len++] = '\n';
		}
		return;
	}
	b->headers_done = true;
	if (b->b64_len + n > PEM_BLOCK_MAX_CHARS || b->body_n >= PEM_BLOCK_MAX_LINES) {
		cf_problem(ld, line, "the %s block that begins at line %u is too large for one (over %u KiB of base64)",
			   b->label, b->begin_line, PEM_BLOCK_MAX_CHARS / 1024u);
		b->bad = true;
		return;
	}
	size_t chars = 0;
	char clean[256];
	size_t cn = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t')
			continue;   /* OpenSSL skips blanks inside a line, so do we */
		if (c == '=') {
			b->pad_line = line;
		} else if (!b64_char(c)) {
			if (c >= 0x21 && c < 0x7f)
				cf_problem(ld, line, "invalid base64 in a %s block (character '%c' at column %zu)", b->label, c, i + 1);
			else
				cf_problem(ld, line, "invalid base64 in a %s block (byte 0x%02x at column %zu)", b->label, c, i + 1);
			b->bad = true;
			return;
		} else if (b->pad_line == line) {
			cf_problem(ld, line, "invalid base64 in a %s block (character '%c' at column %zu follows a padding "
					     "'=', which may only end the block)", b->label, c, i + 1);
			b->bad = true;
			return;
		} else if (b->pad_line) {
			cf_problem(ld, line, "base64 goes on after the padding '=' that ends line %u in a %s block (two "
					     "blocks run together without their END and BEGIN lines?)", b->pad_line, b->label);
			b->bad = true;
			return;
		}
		if (cn == sizeof clean) {
			b64_append(b, clean, cn);
			cn = 0;
		}
		clean[cn++] = (char)c;
		chars++;
	}
	b64_append(b, clean, cn);
	if (b->body_n == b->body_cap) {
		b->body_cap = b->body_cap ? b->body_cap * 2 : 64;
		b->body_line = mem_realloc(b->body_line, b->body_cap * sizeof *b->body_line);
		b->body_len = mem_realloc(b->body_len, b->body_cap * sizeof *b->body_len);
	}
	b->body_line[b->body_n] = line;
	b->body_len[b->body_n] = (uint32_t)chars;
	b->body_n++;
}

/* RFC 4648 base64 of a whole block; the characters are already checked. */
static uint8_t *b64_decode(const char *s, size_t n, size_t *out_len)
{
	uint8_t *out = mem_alloc(n / 4 * 3 + 3);
	int r = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	if (r < 0) {
		mem_free(out);
		return NULL;
	}
	size_t len = (size_t)r;
	/* EVP_DecodeBlock counts padding as zero bytes */
	if (n >= 1 && s[n - 1] == '=')
		len--;
	if (n >= 2 && s[n - 2] == '=')
		len--;
	*out_len = len;
	return out;
}

/* Re-create the block as clean PEM so OpenSSL's key readers (which know
 * every key format and cipher) can read it. */
static BIO *block_as_pem(const struct block *b)
{
	BIO *bio = BIO_new(BIO_s_mem());
	if (!bio)
		return NULL;
	BIO_printf(bio, "-----BEGIN %s-----\n", b->label);
	if (b->headers_len) {
		BIO_write(bio, b->headers, (int)b->headers_len);
		BIO_write(bio, "\n", 1);
	}
	for (size_t i = 0; i < b->b64_len; i += 64) {
		size_t k = b->b64_len - i < 64 ? b->b64_len - i : 64;
		BIO_write(bio, b->b64 + i, (int)k);
		BIO_write(bio, "\n", 1);
	}
	BIO_printf(bio, "-----END %s-----\n", b->label);
	return bio;
}

static void block_key(struct loader *ld, const struct block *b)
{
	struct certfile *cf = ld->cf;
	if (cf->key_found) {
		cf_problem(ld, b->begin_line, "a second private key (the first is at line %u): a server uses one key, "
					      "keep only the one that belongs to the certificate", cf->key_line);
		return;
	}
	bool encrypted = b->kind == BK_ENC_KEY || b->encrypted;
	if (encrypted && !ld->pass) {
		cf_set_key(ld, NULL, true, b->begin_line);
		return;
	}
	BIO *bio = block_as_pem(b);
	ERR_clear_error();
	EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, cf_pass_cb, (void *)ld->pass) : NULL;
	BIO_free(bio);
	if (!k) {
		/* a wrong pass phrase is not damage: key_encrypted with no key says it */
		if (!encrypted)
			cf_problem(ld, b->begin_line, "not a usable %s: %s", b->label, cf_ossl_reason("unreadable key"));
		ERR_clear_error();
		cf_set_key(ld, NULL, encrypted, b->begin_line);
		return;
	}
	cf_set_key(ld, k, encrypted, b->begin_line);
}

static void block_pkcs7(struct loader *ld, const struct block *b, const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	ERR_clear_error();
	PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)len);
	if (!p7) {
		cf_problem(ld, b->begin_line, "not a PKCS#7 structure: %s", cf_ossl_reason("unreadable"));
		ERR_clear_error();
		return;
	}
	STACK_OF(X509) *certs = NULL;
	if (PKCS7_type_is_signed(p7) && p7->d.sign)
		certs = p7->d.sign->cert;
	int n = certs ? sk_X509_num(certs) : 0;
	cf_problem(ld, b->begin_line, "a PKCS#7 (.p7b) block holding %d certificate%s: most platforms read only "
				      "CERTIFICATE blocks; convert with openssl pkcs7 -print_certs -in %s -out chain.pem",
		   n, n == 1 ? "" : "s", ld->path);
	for (int i = 0; i < n; i++)
		cf_add_x509(ld, sk_X509_value(certs, i), b->begin_line);
	PKCS7_free(p7);
}

static void odd_problem(struct loader *ld, const struct block *b, const struct odd_line *o)
{
	cf_problem(ld, o->line, "invalid base64 in a %s block: the line has %u characters where the others have %u "
				"(characters lost or added)", b->label, o->len, o->width);
}

/* A CERTIFICATE block's DER. odd: the line of an unusual width, if any,
 * which explains a certificate that does not parse better than OpenSSL can. */
static void block_cert(struct loader *ld, const struct block *b, const uint8_t *der, size_t len,
		       const struct odd_line *odd)
{
	/* TRUSTED CERTIFICATE appends OpenSSL trust settings after the certificate */
	size_t el = cf_der_element_len(der, len);
	if (el && odd) {
		const unsigned char *p = der;
		X509 *x = d2i_X509(NULL, &p, (long)el);
		ERR_clear_error();
		X509_free(x);
		if (!x) {
			odd_problem(ld, b, odd);
			return;
		}
	}
	if (!el && odd) {
		odd_problem(ld, b, odd);
		return;
	}
	if (!el) {
		size_t want = der_announced_len(der, len);
		if (want > len)
			cf_problem(ld, b->begin_line, "the certificate is cut short: the %s block holds %zu bytes, its "
						      "DER header announces %zu (about %zu base64 characters lost)",
				   b->label, len, want, (want - len + 2) / 3 * 4);
		else
			cf_problem(ld, b->begin_line, "not a certificate: the %s block does not hold DER data", b->label);
		return;
	}
	if (b->kind == BK_CERT && el < len)
		cf_problem(ld, b->begin_line, "%zu bytes after the certificate inside the %s block", len - el, b->label);
	cf_add_cert(ld, der, el, b->begin_line);
}

/* The END line of an open block: decode what it holds. */
static void block_close(struct loader *ld, uint32_t end_line)
{
	struct block *b = &ld->pem->blk;
	b->open = false;
	if (b->bad || b->kind == BK_OTHER)
		return;
	if (b->b64_len == 0) {
		cf_problem(ld, b->begin_line, "the %s block is empty", b->label);
		return;
	}
	struct odd_line odd;
	bool has_odd = block_odd_line(b, &odd);
	if (b->b64_len % 4 != 0) {
		if (has_odd)
			odd_problem(ld, b, &odd);
		else
			cf_problem(ld, b->body_n ? b->body_line[b->body_n - 1] : end_line,
				   "invalid base64 in a %s block: %zu characters, not a multiple of 4 (the block was cut "
				   "or characters were lost)", b->label, b->b64_len);
		return;
	}
	size_t len = 0;
	uint8_t *der = b64_decode(b->b64, b->b64_len, &len);
	if (!der) {
		cf_problem(ld, b->begin_line, "invalid base64 in a %s block", b->label);
		return;
	}
	switch (b->kind) {
	case BK_CERT:
	case BK_TRUSTED_CERT:
		block_cert(ld, b, der, len, has_odd ? &odd : NULL);
		break;
	case BK_KEY:
	case BK_ENC_KEY:
		block_key(ld, b);
		break;
	case BK_PKCS7:
		block_pkcs7(ld, b, der, len);
		break;
	case BK_CSR:
		cf_problem(ld, b->begin_line, "a %s (CSR), not a certificate: send the CSR to the CA and put the "
					      "certificate it returns here", b->label);
		break;
	case BK_PUBKEY:
		cf_problem(ld, b->begin_line, "a %s block: neither a certificate nor a private key", b->label);
		break;
	case BK_OTHER:
		break;
	}
	mem_free(der);
}

struct marker {
	bool begin;
	bool exact;            /* five dashes, upper case, at the start of the line */
	char label[PEM_LABEL_MAX];
	size_t len;            /* characters of the line it takes */
	unsigned lead, trail;  /* dashes */
};

static bool word_at(const char *s, size_t n, const char *w)
{
	size_t l = strlen(w);
	return n >= l && strncasecmp(s, w, l) == 0;
}

/* A BEGIN/END marker, exact or damaged, at s: dashes, BEGIN or END, a
 * label, dashes. Damaged ones (four dashes, lower case, no dashes at all)
 * are recognised so that they can be named. */
static bool parse_marker(const char *s, size_t n, struct marker *m)
{
	memset(m, 0, sizeof *m);
	size_t i = 0;
	while (i < n && s[i] == '-')
		i++;
	m->lead = (unsigned)i;
	bool upper;
	if (word_at(s + i, n - i, "BEGIN ")) {
		m->begin = true;
		upper = strncmp(s + i, "BEGIN", 5) == 0;
		i += 6;
	} else if (word_at(s + i, n - i, "END ")) {
		upper = strncmp(s + i, "END", 3) == 0;
		i += 4;
	} else {
		return false;
	}
	size_t ls = i;
	while (i < n && s[i] != '-')
		i++;
	size_t le = i;
	while (le > ls && s[le - 1] == ' ')
		le--;
	if (le == ls || le - ls >= sizeof m->label)
		return false;
	bool label_ok = true;
	for (size_t k = ls; k < le; k++) {
		char c = s[k];
		if ((c >= 'a' && c <= 'z'))
			label_ok = false;
		m->label[k - ls] = (char)((c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c);
	}
	/* a damaged marker must still look like one: the label names a PEM type */
	if (!strstr(m->label, "CERTIFICATE") && !strstr(m->label, "KEY") && !strstr(m->label, "PKCS"))
		return false;
	size_t ds = i;
	while (i < n && s[i] == '-')
		i++;
	unsigned dashes = (unsigned)(i - ds);
	/* "-----END X----------BEGIN Y-----": the next marker takes its own five */
	if (i < n && dashes > 5 && (word_at(s + i, n - i, "BEGIN ") || word_at(s + i, n - i, "END "))) {
		unsigned give = dashes >= 10 ? 5 : dashes - 5;
		dashes -= give;
		i -= give;
	}
	m->trail = dashes;
	m->len = i;
	/* without any dash, only a whole line naming a known type is a marker
	 * ("BEGIN CERTIFICATE"), not prose such as "Begin certificate chain:" */
	if (!m->lead && !m->trail) {
		bool known;
		kind_of(m->label, &known);
		if (!known || i != n)
			return false;
	}
	m->exact = m->lead == 5 && m->trail == 5 && upper && label_ok;
	return true;
}

static void handle_marker(struct loader *ld, const struct marker *m, uint32_t line)
{
	struct block *b = &ld->pem->blk;
	ld->pem->saw_marker = true;
	if (m->begin) {
		if (b->open)
			cf_problem(ld, b->begin_line, "BEGIN %s without a matching END (line %u begins another block)", b->label,
				   line);
		block_open(ld, m->label, line);
		return;
	}
	if (!b->open) {
		cf_problem(ld, line, "END %s without a BEGIN", m->label);
		return;
	}
	if (strcmp(m->label, b->label) != 0)
		cf_problem(ld, line, "END %s does not match BEGIN %s of line %u", m->label, b->label, b->begin_line);
	block_close(ld, line);
}

/* Text that is not a marker: inside a block, header or base64; outside,
 * ignored (OpenSSL ignores it too: "Bag Attributes", "subject=" ...). */
static void text_segment(struct loader *ld, const char *s, size_t n, uint32_t line)
{
	while (n && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		n--;
	}
	if (ld->pem->blk.open)
		block_line(ld, s, n, line);
}

static const char *find_marker_text(const char *s, size_t n)
{
	const char *b = memmem(s, n, "-----BEGIN ", 11);
	const char *e = memmem(s, n, "-----END ", 9);
	if (!b)
		return e;
	if (!e)
		return b;
	return b < e ? b : e;
}

static void pem_line(struct loader *ld, const char *s, size_t n, uint32_t line)
{
	/* trailing blanks and the CR of CRLF files: OpenSSL strips them too */
	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	size_t indent = 0;
	while (indent < n && (s[indent] == ' ' || s[indent] == '\t'))
		indent++;
	bool first = true;
	size_t pos = indent;
	while (pos < n) {
		const char *rest = s + pos;
		size_t rn = n - pos;
		struct marker m;
		bool at_start = rest[0] == '-' || word_at(rest, rn, "BEGIN ") || word_at(rest, rn, "END ");
		if (!(at_start && parse_marker(rest, rn, &m))) {
			/* a marker later on the line: "...Q==-----END CERTIFICATE-----" */
			const char *mk = find_marker_text(rest, rn);
			size_t t = mk ? (size_t)(mk - rest) : 0;
			/* "------BEGIN": extra dashes in front are the marker's, not text */
			while (t > 0 && rest[t - 1] == '-')
				t--;
			if (!mk || t == 0) {
				text_segment(ld, rest, rn, line);
				return;
			}
			{
				cf_problem(ld, line, "%s marker does not start its line (a line break was lost, or a file "
						     "without a final line break was joined to the next one): put it on a line "
						     "of its own", mk[5] == 'B' ? "a BEGIN" : "an END");
				text_segment(ld, rest, t, line);
			}
			pos += t;
			first = false;
			continue;
		}
		if (!first) {
			/* already reported for this line (joined markers) */
		} else if (indent) {
			cf_problem(ld, line, "the %s %s line is indented: OpenSSL reads markers only at the start of a line",
				   m.begin ? "BEGIN" : "END", m.label);
		} else if (!m.exact) {
			if (m.lead != 5 || m.trail != 5)
				cf_problem(ld, line, "damaged %s %s line: %u dash%s before and %u after, exactly 5 are needed "
						     "(-----%s %s-----)", m.begin ? "BEGIN" : "END", m.label, m.lead,
					   m.lead == 1 ? "" : "es", m.trail, m.begin ? "BEGIN" : "END", m.label);
			else
				cf_problem(ld, line, "damaged %s line: marker and label must be upper case (-----%s %s-----)",
					   m.begin ? "BEGIN" : "END", m.begin ? "BEGIN" : "END", m.label);
		}
		handle_marker(ld, &m, line);
		pos += m.len;
		if (pos < n) {
			const char *after = s + pos;
			size_t an = n - pos;
			bool next_marker = after[0] == '-' || word_at(after, an, "BEGIN ") || word_at(after, an, "END ");
			if (next_marker && first)
				cf_problem(ld, line, "two markers on one line (a file that did not end with a line break was "
						     "joined to the next one): put a line break between them");
			else if (!next_marker && first)
				cf_problem(ld, line, "text after the %s %s marker on the same line", m.begin ? "BEGIN" : "END",
					   m.label);
		}
		first = false;
	}
}

/* Base64 of a certificate without its BEGIN/END lines: a common paste. */
static bool bare_base64_cert(const char *buf, size_t n)
{
	char *s = mem_alloc(n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (!b64_char(c) && c != '=') {
			mem_free(s);
			return false;
		}
		s[k++] = (char)c;
	}
	bool yes = false;
	if (k >= 100 && k % 4 == 0) {
		size_t len;
		uint8_t *der = b64_decode(s, k, &len);
		if (der) {
			const unsigned char *p = der;
			X509 *x = d2i_X509(NULL, &p, (long)len);
			yes = x != NULL;
			X509_free(x);
			mem_free(der);
		}
	}
	ERR_clear_error();
	mem_free(s);
	return yes;
}

/* A file without any BEGIN or END line: say what it is instead. */
static int not_pem(const struct loader *ld, const char *buf, size_t n, bool text, char *err, size_t errlen)
{
	if (memmem(buf, n < 1024 ? n : 1024, "<html", 5) || memmem(buf, n < 1024 ? n : 1024, "<HTML", 5) ||
	    memmem(buf, n < 1024 ? n : 1024, "<!DOCTYPE", 9))
		snprintf(err, errlen, "%s: an HTML page, not a certificate file (a download that returned a web page?)",
			 ld->path);
	else if (!text)
		snprintf(err, errlen, "%s: not a PEM, DER or PKCS#12 certificate file (binary data)", ld->path);
	else if (bare_base64_cert(buf, n))
		snprintf(err, errlen, "%s: base64 of a certificate without its -----BEGIN CERTIFICATE----- and "
				      "-----END CERTIFICATE----- lines: add them", ld->path);
	else
		snprintf(err, errlen, "%s: not a PEM, DER or PKCS#12 certificate file (no -----BEGIN line)", ld->path);
	return -1;
}

int cf_load_pem(struct loader *ld, const char *buf, size_t n, bool text, char *err, size_t errlen)
{
	struct pem_state st;
	memset(&st, 0, sizeof st);
	ld->pem = &st;
	uint32_t line = 0;
	size_t pos = 0;
	snprintf(ld->cf->format, sizeof ld->cf->format, "PEM");
	while (pos < n) {
		const char *nl = memchr(buf + pos, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - (buf + pos)) : n - pos;
		line++;
		pem_line(ld, buf + pos, len, line);
		pos += len + (nl ? 1 : 0);
	}
	if (st.blk.open)
		cf_problem(ld, st.blk.begin_line, "BEGIN %s without a matching END", st.blk.label);
	block_free(&st.blk);
	ld->pem = NULL;
	return st.saw_marker ? 0 : not_pem(ld, buf, n, text, err, errlen);
}
