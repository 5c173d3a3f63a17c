/* options.h - the command line: one table of options (options.c) read into struct options. */
#ifndef TLSDIAG_OPTIONS_H
#define TLSDIAG_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_INPUTS 256
#define MAX_TLS_PORTS 64
#define MAX_KEYLOGS 64
#define MAX_STORE_FILES 16

/* A repeatable option's values, in order. */
struct textlist {
	const char *v[MAX_STORE_FILES];
	size_t n;
};

/* --at: a point in time, when one was given. */
struct when {
	bool given;
	int64_t t;                  /* seconds since the epoch, UTC */
};

/* The command line as the user gave it, checked against the table's ranges
 * and choices; main turns it into the pipeline's options. A number left out
 * is 0, which every consumer reads as "its default". */
struct options {
	/* Input */
	const char *inputs[MAX_INPUTS];   /* -r, in order */
	size_t n_inputs;
	const char *keylogs[MAX_KEYLOGS]; /* --keylog, in order */
	size_t n_keylogs;
	const char *device;               /* -i */
	bool list_devices;                /* -D */
	int64_t snaplen;                  /* -s */
	int64_t buffer_kib;               /* -B */
	int64_t count;                    /* -c */
	int64_t duration;                 /* --duration, seconds */
	const char *drop_user;            /* -Z */
	int64_t idle_timeout;             /* seconds */
	int64_t memory_mib;               /* --memory-limit */
	int64_t settle_grace;             /* --settle-grace, milliseconds */
	char *filter;                     /* the operands joined: one BPF expression (mem_alloc'd), or NULL */
	uint16_t tls_ports[MAX_TLS_PORTS]; /* --tls-port: TLS services, whatever speaks to them */
	size_t n_tls_ports;
	/* Diagnosis */
	struct textlist ca_file, ca_path;               /* the client's trust store (verifies the server) */
	struct textlist client_ca_file, client_ca_path; /* the server's (verifies client certificates) */
	const char *client_cert, *client_cert_pass;
	const char *hostname;
	struct when at;
	int64_t expiry_warning;           /* days (30 unless given) */
	const char *bundle;               /* --check-bundle */
	const char *key, *key_pass;
	/* Output */
	bool json;
	const char *format;               /* one of --format's choices, NULL when not given */
	bool pretty, only_failures;
	int verbose;                      /* -v 1, -vv 2 */
	bool json_full;                   /* --json-full */
	const char *write_path;           /* -w */
	bool write_all;
	bool write_secrets;
	const char *redact;               /* NULL: off; "": addresses; "names": names too */
	bool progress, no_progress;       /* the progress line on stderr: forced, or off */
};

/* Read argv into o (which must be zeroed). Returns true when there is a run
 * to do; false when the run is over with *status: EXIT_OK after --help,
 * --version or --list-findings, EXIT_USAGE after one line on stderr that
 * names the option at fault (a bad value, an unknown option, options that
 * exclude each other). */
bool options_parse(int argc, char **argv, struct options *o, int *status);
void options_free(struct options *o);

#endif
