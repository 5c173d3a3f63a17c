/* fmt.h - small formatting helpers and names shared by the report writers. */
#ifndef TLSDIAG_FMT_H
#define TLSDIAG_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "limits.h"
#include "session.h"

#define FMT_ADDR_LEN 64
#define FMT_TIME_LEN 40
#define FMT_SNI_LEN (LIM_NAME_LEN * 4 + 1)

/* "10.0.0.1" / "::1", as shown in reports (--redact gives pseudonyms) */
void fmt_ip(char *buf, size_t len, uint8_t af, const uint8_t *addr);
/* the real address, for checks (never for display) */
void fmt_ip_real(char *buf, size_t len, uint8_t af, const uint8_t *addr);
/* An SNI as shown (--redact=names: its pseudonym); NUL-terminated, returns its length. */
size_t fmt_sni(char *buf, size_t len, const char *sni, size_t sni_len);
/* How many bytes of a non-TLS prefix may be shown (--redact=names: the first word). */
size_t fmt_prefix_len(const uint8_t *p, size_t n);
/* "10.0.0.1:443" / "[::1]:443" */
void fmt_endpoint(char *buf, size_t len, uint8_t af, const uint8_t *addr, uint16_t port);
/* "2024-05-01T10:00:00.123456Z" (digits 6 or 9) */
void fmt_time_iso(char *buf, size_t len, const struct ts *t, int digits);
/* "10:00:00.123456" */
void fmt_time_of_day(char *buf, size_t len, const struct ts *t, int digits);
/* "TLS 1.2", or "0x7f1c" for unnamed versions */
const char *fmt_version(char *buf, size_t len, uint16_t v);
/* cipher suite name or "0xc0ff" */
const char *fmt_suite(char *buf, size_t len, uint16_t v);
/* lowercase hex */
void fmt_hex(char *buf, size_t len, const uint8_t *p, size_t n);

/* A timeline message by name: "client_hello", "alert" ... (JSON's "type") */
const char *message_type_name(const struct msg *m);
/* ... as Wireshark shows it: "Client Hello", "Handshake type 99" */
const char *message_display_name(const struct msg *m, char *buf, size_t len);
/* "fatal handshake_failure (40)", "level? unknown (255)" */
const char *fmt_alert(char *buf, size_t len, uint8_t level, uint8_t desc);
/* "ERROR", "WARNING", "INFO": a finding's severity as the reports for people show it */
const char *fmt_severity_label(int severity);
/* What the hellos said, as a connection's headline begins: "SNI www.example.com,
 * TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, " (the parts seen); the
 * SNI, untrusted, is written through esc. */
void fmt_hello_facts(FILE *out, const struct session *s, void (*esc)(FILE *, const void *, size_t));

/* Write untrusted bytes for a terminal: control characters, backslashes
 * and invalid UTF-8 become \xHH, so a report cannot rewrite the screen. */
/* Length of the printable UTF-8 character at p, or 0 when it must be
 * escaped: control, C1 control, bidi or line control, or not UTF-8. */
size_t fmt_printable_len(const uint8_t *p, size_t n);
void fmt_text_escape(FILE *out, const void *s, size_t n);

/* --check-bundle: "No problem found." or "1 error, 2 warnings.", wrapped in
 * mark ("**" for Markdown). */
void fmt_totals(FILE *out, const struct finding_list *fl, const char *mark);

#endif
