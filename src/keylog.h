/* keylog.h - NSS key logs (SSLKEYLOGFILE): TLS secrets by ClientHello random, each with the line it came from. */
#ifndef TLSDIAG_KEYLOG_H
#define TLSDIAG_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The NSS key log format (RFC 9850; NSS "Key Log Format"): one secret per
 * line, "<label> <ClientHello.random, 64 hex digits> <secret in hex>".
 * Lines starting with '#' and blank lines are ignored; CRLF line ends and
 * upper-case hex are accepted. A line with fields before the label (a
 * timestamp or addresses, as sslkeylog LD_PRELOAD tools and log-format key
 * logs such as HAProxy's write) is accepted with one warning per source and
 * kind of prefix.
 *
 * Nothing here prints and nothing is fatal: a malformed line (bad hex, a
 * secret of the wrong length, an unknown label, binary junk, a line over
 * LIM_KEYLOG_LINE) is a warning through the caller's callback, naming the
 * source and the line. Only operational errors (a file that cannot be read)
 * fail, with errbuf filled.
 *
 * Secrets are never handed out for printing: a lookup gives an opaque entry
 * whose labels and sources can be listed; only the decryptor reads the bytes
 * (keylog_secret.h). They are wiped when the key log is freed, and warnings
 * never quote them.
 */

#define KEYLOG_RANDOM_LEN 32
#define KEYLOG_SECRET_MAX 48

/* The labels kept. CLIENT_RANDOM carries the TLS <= 1.2 master secret (48
 * bytes); the others are TLS 1.3 secrets of the suite's hash length (32 or
 * 48 bytes). */
enum keylog_label {
	KEYLOG_CLIENT_RANDOM = 0,
	KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET,
	KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
	KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET,
	KEYLOG_CLIENT_TRAFFIC_SECRET_0,
	KEYLOG_SERVER_TRAFFIC_SECRET_0,
	KEYLOG_EXPORTER_SECRET,
	KEYLOG_EARLY_EXPORTER_SECRET,
	KEYLOG_LABELS
};

/* "CLIENT_RANDOM" ..., NULL out of range. */
const char *keylog_label_name(int label);

/*
 * Caps (in the style of limits.h). A line longer than LIM_KEYLOG_LINE is
 * skipped with a warning (no valid line comes near it). Once
 * LIM_KEYLOG_SECRETS secrets are held (about 100 bytes each with their
 * index: some 200 MB), every further line is dropped, with one warning
 * naming the line where it began and the count in keylog_stats(). A source
 * reports at most LIM_KEYLOG_WARNINGS malformed lines one by one, then how
 * many more there were.
 */
#define LIM_KEYLOG_LINE      1024u
#define LIM_KEYLOG_SECRETS   (2u * 1024u * 1024u)
#define LIM_KEYLOG_WARNINGS  20u
#define LIM_KEYLOG_SOURCES   1024u

struct keylog;
struct keylog_entry;

struct keylog_warning {
	const char *source;     /* the file name, or the name given to keylog_add_text */
	unsigned long line;     /* 1-based; 0 when about the source as a whole */
	const char *message;    /* one sentence; never contains secret material */
};
typedef void keylog_warn_fn(void *arg, const struct keylog_warning *w);

/* warn may be NULL (warnings are then only counted). */
struct keylog *keylog_new(keylog_warn_fn *warn, void *arg);
/* Keep at most n secrets instead of LIM_KEYLOG_SECRETS (n is capped by it). */
void keylog_set_max_secrets(struct keylog *kl, unsigned long n);
/* Wipes every secret and frees everything (NULL is fine). */
void keylog_free(struct keylog *kl);

/*
 * Reads a key log file. With follow (live capture: the writer is still
 * appending), a last line without its newline waits for it, and
 * keylog_refresh() later reads what was appended. Returns the number of
 * secrets added, or -1 with errbuf filled if the file cannot be read.
 */
long keylog_load_file(struct keylog *kl, const char *path, bool follow, char *errbuf, size_t errlen);

/*
 * Adds key log text from memory, e.g. a pcapng Decryption Secrets Block,
 * with source "pcapng DSB in FILE". The text is complete: a last line
 * without a newline counts. Line numbers continue when the same source name
 * is given again. Returns the number of secrets added.
 */
long keylog_add_text(struct keylog *kl, const char *source, const void *text, size_t len);

/*
 * Reads the lines appended to the followed files since the last read; a
 * file that shrank (truncated or replaced) is read again from its start,
 * with a warning. Returns the number of secrets added, or -1 with errbuf
 * filled if a file can no longer be read (the others are still read).
 */
long keylog_refresh(struct keylog *kl, char *errbuf, size_t errlen);

/*
 * Live, on a key miss (a connection whose secrets are not read yet: the
 * client writes its key log as it talks): keylog_refresh, but at most once
 * per min_interval_ms of the monotonic clock, so connections that never
 * get keys cost a few system calls a millisecond at most, and at most
 * LIM_KEYLOG_POLL_BYTES per file (the rest is read by the next call).
 * Returns the number of secrets added (0 when called too soon or when no
 * file is followed), or -1 as keylog_refresh.
 */
#define LIM_KEYLOG_POLL_BYTES (1024u * 1024u)
long keylog_poll(struct keylog *kl, unsigned min_interval_ms, char *errbuf, size_t errlen);

/* The number of secrets held (it grows as re-reads find more). */
unsigned long keylog_secrets(const struct keylog *kl);

/* The secrets of a ClientHello random, or NULL. O(1); the entry stays valid
 * (and gains secrets read later) until keylog_free. */
const struct keylog_entry *keylog_find(const struct keylog *kl, const uint8_t random[KEYLOG_RANDOM_LEN]);
/* Bit (1u << label) for each secret present. */
unsigned keylog_entry_labels(const struct keylog_entry *e);
/* Where the secret of label was read: false if it is absent. */
bool keylog_entry_source(const struct keylog *kl, const struct keylog_entry *e, int label,
			 const char **source, unsigned long *line);

struct keylog_stats {
	unsigned long lines;        /* lines read (all sources) */
	unsigned long secrets;      /* secrets held */
	unsigned long randoms;      /* distinct ClientHello randoms */
	unsigned long malformed;    /* lines warned about and skipped */
	unsigned long unused;       /* well-formed lines of labels tlsdiag does not use (RSA, ...) */
	unsigned long duplicates;   /* the same secret again (ignored) */
	unsigned long dropped;      /* lines not kept because LIM_KEYLOG_SECRETS was reached */
};
void keylog_stats(const struct keylog *kl, struct keylog_stats *st);
/* Bytes the key log holds (not connection memory: the analyzer's memory
 * limit leaves it out). */
size_t keylog_footprint(const struct keylog *kl);

/*
 * The key log lines of the given ClientHello randoms (for the Decryption
 * Secrets Block of a written pcapng): every kept secret of each random, in
 * the order the lines were read, as "<label> <random> <secret>\n" in
 * lower-case hex (prefixes and CRs of the source are not carried over).
 * Randoms without secrets add nothing; *len is 0 then. The text holds
 * secrets: give it back with keylog_export_free, which wipes it.
 */
char *keylog_export(const struct keylog *kl, const uint8_t (*randoms)[KEYLOG_RANDOM_LEN], size_t n,
		    size_t *len);
void keylog_export_free(char *text, size_t len);

#endif
