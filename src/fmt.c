/* fmt.c - formatting helpers for addresses, times, versions, message names and untrusted text. */
#include "fmt.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "json.h"
#include "mem.h"
#include "redact.h"
#include "strbuf.h"
#include "tls_names.h"
#include "x509.h"

void fmt_ip_real(char *buf, size_t len, uint8_t af, const uint8_t *addr)
{
	if (af != 6 && len >= 16) {
		/* dotted quad by hand: inet_ntop showed in profiles */
		size_t o = 0;
		for (int i = 0; i < 4; i++) {
			unsigned v = addr[i];
			if (i)
				buf[o++] = '.';
			if (v >= 100)
				buf[o++] = (char)('0' + v / 100);
			if (v >= 10)
				buf[o++] = (char)('0' + v / 10 % 10);
			buf[o++] = (char)('0' + v % 10);
		}
		buf[o] = '\0';
		return;
	}
	if (!inet_ntop(af == 6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

void fmt_ip(char *buf, size_t len, uint8_t af, const uint8_t *addr)
{
	uint8_t shown[16];
	if (redact_addresses()) {
		redact_address(af, addr, shown);
		addr = shown;
	}
	fmt_ip_real(buf, len, af, addr);
}

size_t fmt_sni(char *buf, size_t len, const char *sni, size_t sni_len)
{
	if (!len)
		return 0;
	if (redact_names()) {
		char *r = redact_hostname(sni, sni_len);
		snprintf(buf, len, "%s", r);
		mem_free(r);
		return strlen(buf);
	}
	size_t n = sni_len < len - 1 ? sni_len : len - 1;
	memcpy(buf, sni, n);
	buf[n] = '\0';
	return n;
}

size_t fmt_prefix_len(const uint8_t *p, size_t n)
{
	if (!redact_names())
		return n;
	for (size_t i = 0; i < n; i++)
		if (p[i] == ' ' || p[i] == '\r' || p[i] == '\n')
			return i;   /* the method or status word, not paths and headers */
	return n;
}

void fmt_endpoint(char *buf, size_t len, uint8_t af, const uint8_t *addr, uint16_t port)
{
	char ip[FMT_ADDR_LEN], digits[8];
	fmt_ip(ip, sizeof ip, af, addr);
	size_t n = 0;
	do
		digits[n++] = (char)('0' + port % 10);
	while ((port /= 10) != 0);
	size_t o = 0, l = strlen(ip);
	if (len < l + n + 4) {
		snprintf(buf, len, "?");
		return;
	}
	if (af == 6)
		buf[o++] = '[';
	memcpy(buf + o, ip, l);
	o += l;
	if (af == 6)
		buf[o++] = ']';
	buf[o++] = ':';
	while (n)
		buf[o++] = digits[--n];
	buf[o] = '\0';
}

/* Civil date from days since 1970-01-01 (H. Hinnant's algorithm): cheaper
 * than gmtime_r + strftime, which showed in profiles at a line per message. */
static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	unsigned doe = (unsigned)(days - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void frac(char *buf, size_t len, const struct ts *t, int digits)
{
	uint32_t v = digits == 9 ? t->nsec : t->nsec / 1000;
	int n = digits == 9 ? 9 : 6;
	if (len < (size_t)n + 2) {
		if (len)
			buf[0] = '\0';
		return;
	}
	buf[0] = '.';
	for (int i = n; i >= 1; i--) {
		buf[i] = (char)('0' + v % 10);
		v /= 10;
	}
	buf[n + 1] = '\0';
}

/* n decimal digits of v, zero-padded, at o */
static char *digits_at(char *o, int64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		o[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return o + n;
}

void fmt_time_iso(char *buf, size_t len, const struct ts *t, int digits)
{
	char f[16];
	frac(f, sizeof f, t, digits);
	size_t fl = strlen(f);
	/* Connections start and end within the same second as others: the
	 * date and time of the last second formatted by hand are kept, and so
	 * is the civil date of the last day (one thread formats the report). */
	static int64_t last_sec = INT64_MIN, last_days = INT64_MIN, last_y;
	static unsigned last_m, last_d;
	static char last[19];
	if (t->sec == last_sec && len >= 21 + fl) {
		memcpy(buf, last, sizeof last);
		memcpy(buf + sizeof last, f, fl);
		buf[sizeof last + fl] = 'Z';
		buf[sizeof last + fl + 1] = '\0';
		return;
	}
	int64_t days = t->sec >= 0 ? t->sec / 86400 : -((-t->sec + 86399) / 86400);
	int64_t rem = t->sec - days * 86400, y;
	unsigned m, d;
	if (days != last_days) {
		civil(days, &last_y, &last_m, &last_d);
		last_days = days;
	}
	y = last_y;
	m = last_m;
	d = last_d;
	if (y < 0 || y > 9999 || len < 21 + fl) {   /* by hand: snprintf showed in JSON profiles */
		snprintf(buf, len, "%04lld-%02u-%02uT%02u:%02u:%02u%sZ", (long long)y, m, d,
			 (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60), f);
		return;
	}
	char *o = digits_at(buf, y, 4);
	*o++ = '-';
	o = digits_at(o, m, 2);
	*o++ = '-';
	o = digits_at(o, d, 2);
	*o++ = 'T';
	o = digits_at(o, rem / 3600, 2);
	*o++ = ':';
	o = digits_at(o, rem / 60 % 60, 2);
	*o++ = ':';
	o = digits_at(o, rem % 60, 2);
	memcpy(last, buf, sizeof last);   /* "YYYY-MM-DDTHH:MM:SS" */
	last_sec = t->sec;
	memcpy(o, f, fl);
	o[fl] = 'Z';
	o[fl + 1] = '\0';
}

void fmt_time_of_day(char *buf, size_t len, const struct ts *t, int digits)
{
	int64_t rem = t->sec % 86400;
	if (rem < 0)
		rem += 86400;
	if (len < 20) {
		snprintf(buf, len, "?");
		return;
	}
	unsigned v[3] = { (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60) };
	for (int i = 0; i < 3; i++) {
		buf[i * 3] = (char)('0' + v[i] / 10);
		buf[i * 3 + 1] = (char)('0' + v[i] % 10);
		buf[i * 3 + 2] = ':';
	}
	frac(buf + 8, len - 8, t, digits);
}

/* A code point's name, or its number in hex in buf when it has none. */
static const char *name_or_hex(char *buf, size_t len, const char *name, uint16_t v)
{
	if (name)
		return name;
	snprintf(buf, len, "0x%04x", v);
	return buf;
}

const char *fmt_version(char *buf, size_t len, uint16_t v)
{
	return name_or_hex(buf, len, tls_version_name(v), v);
}

const char *fmt_suite(char *buf, size_t len, uint16_t v)
{
	return name_or_hex(buf, len, tls_cipher_suite_name(v), v);
}

void fmt_hex(char *buf, size_t len, const uint8_t *p, size_t n)
{
	/* two digits per byte from one table: a fingerprint per certificate
	 * of every connection in the compact JSON */
	static const char pairs[] =
				   "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
				   "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
				   "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
				   "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
				   "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
				   "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
				   "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
				   "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
	if (!len)
		return;
	size_t k = (len - 1) / 2 < n ? (len - 1) / 2 : n;
	for (size_t i = 0; i < k; i++)
		memcpy(buf + 2 * i, pairs + 2 * p[i], 2);
	buf[2 * k] = '\0';
}

size_t fmt_printable_len(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];
	if (c < 0x20 || c == 0x7f)
		return 0;
	size_t l = c < 0x80 ? 1 : utf8_seq_len(p, n);
	/* C1 controls (U+0080..U+009F) can drive terminals too */
	if (l == 2 && p[0] == 0xc2 && p[1] < 0xa0)
		return 0;
	/* bidi and line controls reorder what is shown ("Trojan Source"):
	 * U+061C, U+200E/F, U+2028..U+202E, U+2066..U+2069 */
	if (l == 2 && p[0] == 0xd8 && p[1] == 0x9c)
		return 0;
	if (l == 3 && p[0] == 0xe2 &&
	    ((p[1] == 0x80 && (p[2] == 0x8e || p[2] == 0x8f || (p[2] >= 0xa8 && p[2] <= 0xae))) ||
	     (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)))
		return 0;
	return l;
}

void fmt_text_escape(FILE *out, const void *s, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	const uint8_t *p = s;
	size_t i = 0, run = 0;   /* bytes [run, i) are printed as they are */
	while (i < n) {
		uint8_t c = p[i];
		size_t l = c != '\\' ? fmt_printable_len(p + i, n - i) : 0;
		if (l) {
			i += l;
			continue;
		}
		fwrite(p + run, 1, i - run, out);
		fputs("\\x", out);
		fputc(hx[c >> 4], out);
		fputc(hx[c & 15], out);
		i++;
		run = i;
	}
	fwrite(p + run, 1, i - run, out);
}

/* Timeline lines that are records, not handshake messages: JSON's name, Wireshark's. */
static const char *const record_names[][2] = {
	[MSG_CCS] = { "change_cipher_spec", "Change Cipher Spec" },
	[MSG_ALERT] = { "alert", "Alert" },
	[MSG_ENC_ALERT] = { "encrypted_alert", "Encrypted Alert" },
	[MSG_ENC_HANDSHAKE] = { "encrypted_handshake", "Encrypted Handshake Message" },
	[MSG_HEARTBEAT] = { "heartbeat", "Heartbeat" },
};

/* The names tls_names.c does not give: records, and a ServerHello that is a HelloRetryRequest. */
static const char *line_name(const struct msg *m, int display)
{
	if (m->kind < sizeof record_names / sizeof record_names[0] && record_names[m->kind][display])
		return record_names[m->kind][display];
	if (m->hrr)
		return display ? "Hello Retry Request" : "hello_retry_request";
	return NULL;
}

const char *message_type_name(const struct msg *m)
{
	const char *n = line_name(m, 0);
	if (!n)
		n = tls_handshake_name(m->hs_type);
	return n ? n : "unknown";
}

const char *message_display_name(const struct msg *m, char *buf, size_t len)
{
	const char *n = line_name(m, 1);
	if (!n)
		n = tls_handshake_display_name(m->hs_type);
	if (n)
		return n;
	snprintf(buf, len, "Handshake type %u", m->hs_type);
	return buf;
}

const char *fmt_alert(char *buf, size_t len, uint8_t level, uint8_t desc)
{
	const char *lv = tls_alert_level_name(level);
	const char *d = tls_alert_name(desc);
	snprintf(buf, len, "%s %s (%u)", lv ? lv : "level?", d ? d : "unknown", desc);
	return buf;
}

const char *fmt_severity_label(int severity)
{
	return severity == SEV_ERROR ? "ERROR" : severity == SEV_WARNING ? "WARNING" : "INFO";
}

void fmt_hello_facts(FILE *out, const struct session *s, void (*esc)(FILE *, const void *, size_t))
{
	char vb[16], sub[64];
	if (s->ch.present) {
		fputs("SNI ", out);
		if (s->ch.has_sni) {
			char sni[FMT_SNI_LEN];
			esc(out, sni, fmt_sni(sni, sizeof sni, s->ch.sni, s->ch.sni_len));
		} else {
			fputs("(none)", out);
		}
		fputs(", ", out);
	}
	if (s->sh.present)
		fprintf(out, "%s, %s, ", fmt_version(vb, sizeof vb, s->sh.version),
			fmt_suite(sub, sizeof sub, s->sh.cipher_suite));
}

/* ---- --check-bundle: the totals text and Markdown share ---- */

static void count(const struct finding_list *l, int *errors, int *warnings)
{
	*errors = *warnings = 0;
	for (uint32_t i = 0; i < l->n; i++) {
		*errors += l->v[i].severity == SEV_ERROR;
		*warnings += l->v[i].severity == SEV_WARNING;
	}
}

void fmt_totals(FILE *out, const struct finding_list *fl, const char *mark)
{
	int errors, warnings;
	count(fl, &errors, &warnings);
	if (errors + warnings == 0)
		fprintf(out, "%sNo problem found.%s\n", mark, mark);
	else
		fprintf(out, "%s%d error%s, %d warning%s.%s\n", mark, errors, errors == 1 ? "" : "s", warnings,
			warnings == 1 ? "" : "s", mark);
}
