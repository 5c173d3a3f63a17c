/* limits.h - every cap on a peer-controlled quantity, in one place (see man page, LIMITS). */
#ifndef TLSDIAG_LIMITS_H
#define TLSDIAG_LIMITS_H

/*
 * Anything a sender controls is checked against one of these before memory
 * is allocated for it. Hitting a cap is never fatal: it becomes an event on
 * the connection (id in parentheses) and the affected fact is marked as not
 * observable, so no finding is drawn from it.
 */

/* Capture files (pcapfile.c). A packet record or block claiming more
 * captured bytes than LIM_CAPLEN (libpcap's MAXIMUM_SNAPLEN) is damage:
 * reading stops there, what came before stays valid. pcapng blocks are
 * capped by kind: packet blocks hold LIM_CAPLEN bytes and options, every
 * other block (secrets, name resolution, custom ...) LIM_PCAPNG_BLOCK. */
#define LIM_CAPLEN                 (256u * 1024u)
#define LIM_PACKET_BLOCK           (LIM_CAPLEN + 128u * 1024u)
#define LIM_PCAPNG_BLOCK           (16u * 1024u * 1024u)
#define LIM_PCAPNG_INTERFACES      65536u
/* Decryption Secrets Blocks read ahead of the caller and not yet taken;
 * beyond this they are counted as dropped. */
#define LIM_SECRETS_HELD           (16u * 1024u * 1024u)

/* TCP reassembly (tcp.ooo_overflow): bytes and segments held out of order,
 * per direction and for the whole run. */
#define LIM_OOO_BYTES_PER_DIR      (512u * 1024u)
#define LIM_OOO_SEGS_PER_DIR       1024u
#define LIM_OOO_BYTES_TOTAL        (24u * 1024u * 1024u)

/* A TLSCiphertext may carry 2^14 + 2048 bytes (RFC 5246 §6.2.3); longer is
 * not TLS (tls.bad_record). */
#define LIM_RECORD_LEN             (16384u + 2048u)

/* Handshake messages may claim 2^24 - 1 bytes; real ones stay far below.
 * Longer messages are skipped, not stored (tls.handshake_too_long). The
 * total buffered across all connections is capped too. */
#define LIM_HANDSHAKE_MSG          (256u * 1024u)
#define LIM_HANDSHAKE_BYTES_TOTAL  (16u * 1024u * 1024u)

/* Certificates kept per chain (tls.too_many_certificates); the rest are
 * counted. */
#define LIM_CERTS_PER_CHAIN        32u

/* List entries kept per ClientHello list (suites, extensions, groups ...);
 * the wire total is always counted. */
#define LIM_LIST_ENTRIES           512u

/* ClientHellos kept after the first (and the one answering a
 * HelloRetryRequest): duplicates, or renegotiations under a NULL cipher,
 * kept for their fingerprints; the rest are counted (session.handshakes). */
#define LIM_LATER_HELLOS           4u

/* Bytes of an SNI / ALPN name kept (tls.name_too_long). DNS names stop at 253. */
#define LIM_NAME_LEN               512u

/* Distinguished names of one CertificateRequest: the protocol bounds the list
 * to 2^16 - 1 bytes (RFC 5246 §7.4.4), which is the only cap we apply. */
#define LIM_CA_NAMES_BYTES         65535u

/* Timeline entries, alerts and events kept per connection; the rest are
 * counted (the report says how many were left out). */
#define LIM_TIMELINE               256u
#define LIM_ALERTS                 64u
#define LIM_EVENTS                 48u

/* Encrypted records remembered per direction for the TLS 1.3 outcome. */
#define LIM_RECORD_LOG             12u

/* Connections in the table; the least recently active is evicted first
 * (counted in the summary as evicted). */
#define LIM_FLOWS                  (128u * 1024u)

/* Closed connections remembered (about 72 bytes each) so that late packets keep
 * their Wireshark tcp.stream number. */
#define LIM_CLOSED_FLOWS           (64u * 1024u)

/* IPv4 / IPv6 fragments: datagrams under reassembly and their lifetime. */
#define LIM_FRAG_DATAGRAMS         64u
#define LIM_FRAG_TIMEOUT_SEC       30

/* Bytes of a non-TLS prefix kept to show what a peer spoke instead. */
#define LIM_PLAINTEXT_PREFIX       64u
/* Plaintext bytes of a non-TLS direction searched for HTTPS/SSL/TLS. */
#define LIM_PLAINTEXT_SCAN         2048u

/* A connection whose first bytes are not TLS is watched for a STARTTLS
 * switch over this many bytes per direction, then given up. */
#define LIM_STARTTLS_SCAN          (16u * 1024u)
/* ... one command, reply line or binary message of that exchange is read
 * in a buffer of this size (longer ones are cut: the protocols' requests
 * and answers are short), and this many bytes of the server's answer are
 * quoted. */
#define LIM_STARTTLS_MSG           512u
#define LIM_STARTTLS_WORDS         120u

/* A PROXY protocol header before the client's first bytes: v1 lines stop
 * at 107 bytes; a v2 header with its TLVs is kept up to this size, a
 * longer one is skipped whole (proxy.too_long). */
#define LIM_PROXY_HEADER           1024u
#define LIM_PROXY_TLVS             8u

/* Parsed certificates kept in the cache (by DER identity). */
#define LIM_CERT_CACHE             4096u

/* Finished connections held back so reports come out in first-frame order. */
#define LIM_REPORT_HOLD            1024u
/* connections reported with cert-not-yet-valid remembered (16 bytes each)
 * to count, at the end, those a later clock offset made valid */
#define LIM_CLOCK_EARLY            16384u

/* Memory held (mem_footprint(): live blocks and pooled free ones) above
 * which the least recently active connections are evicted. */
#define LIM_MEMORY_BUDGET          (40u * 1024u * 1024u)

#endif
