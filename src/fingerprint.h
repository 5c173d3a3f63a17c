/* fingerprint.h - JA3 and JA4 fingerprints of a ClientHello, JA3S of a ServerHello. */
#ifndef TLSDIAG_FINGERPRINT_H
#define TLSDIAG_FINGERPRINT_H

/*
 * Computed from the facts the parser keeps (session.h), never from bytes.
 *
 * JA3 / JA3S: the salesforce/ja3 README. The decimal fields
 *   SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats
 * (JA3S: SSLVersion,Cipher,Extensions), values joined by '-', GREASE values
 * (RFC 8701) left out, then the MD5 of that string.
 *
 * JA4: FoxIO's technical_details/JA4.md (JA4 is BSD-3-Clause; JA4S, JA4X and
 * the rest of JA4+ are under the FoxIO License 1.1 and are not implemented).
 *   ja4     t13d1516h2_8daaf6152771_e5627efa2ab1  sorted lists, hashed
 *   ja4_r   the same with the lists written out
 *   ja4_o   original order (SNI and ALPN kept), hashed
 *   ja4_ro  original order, written out
 *
 * Each function fills its struct and returns true, or returns false when
 * there is no fingerprint to give: no hello, or one whose lists are not all
 * known (malformed, or longer than LIM_LIST_ENTRIES / the 8 point formats
 * kept). A fingerprint of part of a hello would match nothing, so none is
 * given. JA3 is not defined for the SSLv2-format ClientHello (Wireshark,
 * Suricata and the ja3 reference all skip it); JA4 is, with SSL 2.0's
 * version code "s2" and the TLS suites it carries (RFC 5246 Appendix E.2).
 *
 * A writer prints one fingerprint with one call:
 *   struct fp_ja3 fp;
 *   if (fp_ja3(&fp, &s->ch)) json_kv_str(j, "ja3", fp.md5);
 */

#include <stdbool.h>

#include "limits.h"
#include "session.h"

/* "65535," then three lists of at most LIM_LIST_ENTRIES values of up to
 * "65535-", then the point formats: the longest JA3 string. JA3S is shorter. */
#define FP_JA3_LEN   (32 + 3 * 6 * LIM_LIST_ENTRIES + 4 * 8)
/* "t13d1516h2" and three lists of "xxxx," */
#define FP_JA4R_LEN  (16 + 3 * 5 * LIM_LIST_ENTRIES)
#define FP_JA4_LEN   40   /* 10 + 1 + 12 + 1 + 12 + NUL */
#define FP_MD5_LEN   33   /* 32 hex digits + NUL */

/* JA3 of a ClientHello, or JA3S of a ServerHello / HelloRetryRequest. */
struct fp_ja3 {
	char str[FP_JA3_LEN];    /* "771,4865-4866,0-23-65281,29-23,0" */
	char md5[FP_MD5_LEN];    /* lower-case hex */
};

struct fp_ja4 {
	char ja4[FP_JA4_LEN];
	char ja4_o[FP_JA4_LEN];
	char ja4_r[FP_JA4R_LEN];
	char ja4_ro[FP_JA4R_LEN];
};

/* JA4's first character: the transport the hello came over. */
enum fp_transport { FP_TCP = 't', FP_QUIC = 'q', FP_DTLS = 'd' };

bool fp_ja3(struct fp_ja3 *fp, const struct client_hello *ch);
bool fp_ja3s(struct fp_ja3 *fp, const struct server_hello *sh);
bool fp_ja3s_hrr(struct fp_ja3 *fp, const struct hello_retry_request *hrr);
bool fp_ja4(struct fp_ja4 *fp, const struct client_hello *ch, enum fp_transport transport);

#endif
