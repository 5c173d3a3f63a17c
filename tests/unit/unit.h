/* unit.h - the CUnit suites, one per module; unit_main.c runs them all. */
#ifndef TLSDIAG_UNIT_H
#define TLSDIAG_UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>

struct session;

void register_tls_names_tests(void);
void register_tls_suite_tests(void);
void register_rd_tests(void);
void register_pcapfile_tests(void);
void register_pcapng_tests(void);
void register_decode_tests(void);
void register_ipfrag_tests(void);
void register_flow_tests(void);
void register_mem_tests(void);
void register_tcp_reasm_tests(void);
void register_tls_record_tests(void);
void register_tls_handshake_tests(void);
void register_tls_conn_tests(void);
void register_x509_tests(void);
void register_json_tests(void);
void register_diagnose_tests(void);
void register_summary_tests(void);
void register_clockskew_tests(void);
void register_reporter_tests(void);
void register_problems_tests(void);
void register_html_tests(void);
void register_keylog_tests(void);
void register_decrypt_tests(void);

/* Hex (spaces and other separators skipped) to bytes, at most cap; returns the count (test_keylog.c). */
size_t test_unhex(const char *hex, uint8_t *out, size_t cap);
void register_fingerprint_tests(void);
void register_tls13_infer_tests(void);
void register_after_report_tests(void);
void register_starttls_tests(void);
void register_http2_tests(void);

/* ---- helpers shared by the suites (test_support.c) ---- */

/* Bytes placed so that their end touches a PROT_NONE page: reading one
 * byte past them faults at once, under any build. */
struct guard {
	uint8_t *map;
	size_t map_len;
	uint8_t *p;          /* the copy: p[0..n-1], p[n] is unreadable */
	size_t n;
};
const uint8_t *guard_put(struct guard *g, const void *src, size_t n);
/* Reuse one mapping for many inputs: copies src to end right before the
 * unreadable page (remapping only when n outgrows it). The previous copy
 * is overwritten. Start with a zeroed struct guard. */
const uint8_t *guard_move(struct guard *g, const void *src, size_t n);
void guard_free(struct guard *g);

/* A growable byte builder for wire formats. bb_begin opens a length-prefixed
 * vector (width 1, 2 or 3 bytes), bb_end fills its length in; every length
 * field written is remembered so tests can corrupt each one in turn. */
#define BB_MAX_DEPTH 16
#define BB_MAX_LENS  256
struct bb {
	uint8_t *p;
	size_t n, cap;
	size_t open_at[BB_MAX_DEPTH];
	uint8_t open_w[BB_MAX_DEPTH];
	int depth;
	size_t len_at[BB_MAX_LENS];
	uint8_t len_w[BB_MAX_LENS];
	unsigned nlens;
};
void bb_init(struct bb *b);
void bb_free(struct bb *b);
void bb_reset(struct bb *b);
void bb_u8(struct bb *b, unsigned v);
void bb_u16(struct bb *b, unsigned v);
void bb_u24(struct bb *b, uint32_t v);
void bb_u32(struct bb *b, uint32_t v);
void bb_bytes(struct bb *b, const void *p, size_t n);
void bb_fill(struct bb *b, uint8_t byte, size_t n);
void bb_str(struct bb *b, const char *s);
void bb_begin(struct bb *b, int width);
void bb_end(struct bb *b);
/* Append another builder's bytes (and its length fields, shifted). */
void bb_append(struct bb *b, const struct bb *src);
/* Read back / overwrite a remembered length field. */
uint32_t bb_len_get(const struct bb *b, unsigned i);
void bb_len_set(struct bb *b, unsigned i, uint32_t v);

/* A failed assertion whose message is formatted (CU_FAIL prints only its
 * literal argument), so a failure says what was seen. */
void unit_fail(const char *file, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define UNIT_FAIL(...) unit_fail(__FILE__, __LINE__, __VA_ARGS__)

/* Events recorded on a session with this id. */
unsigned session_event_count(const struct session *s, const char *id);
/* A zeroed session allocated with mem_alloc (session_free releases it). */
struct session *session_new_for_test(void);

/* A small certificate (DER) for tests: EC P-256 key, subject CN=subject_cn,
 * issuer CN=issuer_cn, signed with sign_key; caller frees with free(). */
EVP_PKEY *test_key_ec(void);
uint8_t *test_cert_der(const char *subject_cn, const char *issuer_cn, EVP_PKEY *key,
		       EVP_PKEY *sign_key, long serial, bool ca, size_t *len);

#endif
