/* options.c - the option table: getopt_long's list, range checks, error messages and --help from one place.
 *
 * Each row says an option's names, its argument, what the argument may be
 * and where its value goes in struct options; the parser, the messages and
 * --help are all generated from the rows, so an option cannot exist in one
 * of them and be missing from another. tests/options.sh holds the man page
 * to the --help this table prints.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <pcap/pcap.h>

#include "diagnose.h"
#include "exitcode.h"
#include "mem.h"
#include "writer.h"

enum opt_kind {
	K_HEADING,   /* not an option: a group title of --help ("" for a blank line) */
	K_OPERAND,   /* not an option: the trailing arguments, in --help only */
	K_FLAG,      /* bool: set */
	K_COUNT,     /* int: how many times given (-vv: 2) */
	K_TEXT,      /* const char *: the argument (given once) */
	K_LIST,      /* struct textlist: each argument, in order (repeatable) */
	K_INPUT,     /* appended to inputs[] */
	K_KEYLOG,    /* appended to keylogs[] */
	K_NUMBER,    /* int64_t: a decimal number from min to max */
	K_PORT,      /* appended to tls_ports[] */
	K_TIME,      /* struct when: 2026-01-31, 2026-01-31T12:00:00Z or @UNIXTIME */
	K_CHOICE,    /* const char *: one of choices (an optional one left out: "") */
	K_ACTION,    /* done at once, then the run is over */
};

struct opt {
	const char *name;            /* --name */
	char letter;                 /* -l, or 0 */
	enum opt_kind kind;
	const char *arg;             /* the argument as --help names it; NULL: none */
	bool optional;               /* --name[=arg] */
	size_t field;                /* offsetof(struct options, ...) */
	int64_t min, max;            /* K_NUMBER */
	const char *what;            /* what the argument must be, for the error message */
	const char *const *choices;  /* K_CHOICE, NULL-terminated ... */
	const char *const *(*choices_of)(void);   /* ... or the list this gives */
	void (*action)(void);        /* K_ACTION */
	const char *help;            /* --help's text, lines separated by '\n' */
};

static void list_findings(void);
static void print_help(void);
static void print_version(void);

#define AT(f) offsetof(struct options, f)
#define SECS  "a number of seconds"

static const char *const redactions[] = { "names", NULL };

static const struct opt table[] = {
	{ .kind = K_HEADING, .help = "Input:" },
	{ "read", 'r', K_INPUT, "FILE", .help = "read a pcap, pcapng or gzip-compressed capture (repeatable;\n"
						 "files are analyzed in order, each numbered from frame 1)" },
	{ "keylog", 0, K_KEYLOG, "FILE", .help = "decrypt with the TLS secrets of an NSS key log (SSLKEYLOGFILE;\n"
					      "repeatable); pcapng Decryption Secrets Blocks are\n"
					      "read without it" },
	{ "interface", 'i', K_TEXT, "IFACE", .field = AT(device),
	  .help = "capture live on IFACE (\"any\": all interfaces); without -r\n"
		  "and -i, the first interface libpcap lists" },
	{ "list-interfaces", 'D', K_FLAG, .field = AT(list_devices), .help = "list the interfaces and exit" },
	{ "snapshot-length", 's', K_NUMBER, "N", .field = AT(snaplen), .min = 0, .max = 262144,
	  .what = "a snapshot length", .help = "capture N bytes per packet (default: whole packets)" },
	{ "buffer-size", 'B', K_NUMBER, "KIB", .field = AT(buffer_kib), .min = 1, .max = 4 * 1024 * 1024,
	  .what = "a buffer size in KiB", .help = "kernel capture buffer in KiB" },
	{ "count", 'c', K_NUMBER, "N", .field = AT(count), .min = 1, .max = INT64_MAX, .what = "a count",
	  .help = "stop after N TLS connections have been reported" },
	{ "duration", 0, K_NUMBER, "SEC", .field = AT(duration), .min = 1, .max = 100000000, .what = SECS,
	  .help = "stop a live capture after SEC seconds" },
	{ "relinquish-privileges", 'Z', K_TEXT, "USER", .field = AT(drop_user),
	  .help = "drop root for USER once the capture is open" },
	{ .kind = K_OPERAND, .arg = "BPF expression",
	  .help = "only packets matching it, as in tcpdump (in files, frame\n"
		  "numbers still count every packet; live default: tcp)" },
	{ "idle-timeout", 0, K_NUMBER, "SEC", .field = AT(idle_timeout), .min = 1, .max = 100000000, .what = SECS,
	  .help = "settle a connection idle for SEC seconds (default 600,\nlive 60)" },
	{ "settle-grace", 0, K_NUMBER, "MS", .field = AT(settle_grace), .min = 1, .max = 600000,
	  .what = "a number of milliseconds",
	  .help = "TLS 1.3, live and -w: wait up to MS after the client's\n"
		  "Finished for the server's answer before settling (1000)" },
	{ "memory-limit", 0, K_NUMBER, "MIB", .field = AT(memory_mib), .min = 16, .max = 1048576,
	  .what = "a number of MiB", .help = "memory held for open connections before the least\n"
					     "recently active are evicted (default 40)" },
	{ "tls-port", 0, K_PORT, "PORT", .min = 1, .max = 65535, .what = "a TCP port",
	  .help = "a server port that serves TLS (repeatable): what else\n"
		  "speaks to it is reported as not-tls" },

	{ .kind = K_HEADING, .help = "Diagnosis:" },
	{ "ca-file", 0, K_LIST, "FILE", .field = AT(ca_file),
	  .help = "the client's trust store (PEM), which verifies the server's\n"
		  "chain (repeatable); default: the system store" },
	{ "ca-path", 0, K_LIST, "DIR", .field = AT(ca_path),
	  .help = "the client's trust store as a directory (c_rehash layout)" },
	{ "client-ca-file", 0, K_LIST, "FILE", .field = AT(client_ca_file),
	  .help = "the server's trust store (PEM), which verifies client\n"
		  "certificates (nginx ssl_client_certificate; repeatable)" },
	{ "client-ca-path", 0, K_LIST, "DIR", .field = AT(client_ca_path),
	  .help = "the server's trust store as a directory" },
	{ "client-cert", 0, K_TEXT, "FILE", .field = AT(client_cert),
	  .help = "the client's keystore certificate (chain): PEM, DER or\n"
		  "PKCS#12; explains an empty client Certificate" },
	{ "client-cert-pass", 0, K_TEXT, "PASS", .field = AT(client_cert_pass),
	  .help = "password of a PKCS#12 --client-cert" },
	{ "hostname", 0, K_TEXT, "NAME", .field = AT(hostname),
	  .help = "the name the client used (when it sent no SNI)" },
	{ "at", 0, K_TIME, "TIME", .field = AT(at), .what = "a time (2026-01-31, 2026-01-31T12:00:00Z, @UNIXTIME, now)",
	  .help = "judge certificate validity at TIME (2026-01-31,\n"
		  "2026-01-31T12:00:00Z, @UNIXTIME or now), not at capture time" },
	{ "expiry-warning", 0, K_NUMBER, "DAYS", .field = AT(expiry_warning), .min = 0, .max = 3650,
	  .what = "a number of days",
	  .help = "warn when a certificate expires within DAYS (30)" },
	{ "check-bundle", 0, K_TEXT, "FILE", .field = AT(bundle),
	  .help = "check a certificate bundle before upload (no capture):\n"
		  "order, completeness, expiry, hostname, key" },
	{ "key", 0, K_TEXT, "FILE", .field = AT(key), .help = "with --check-bundle: the private key to match" },
	{ "key-pass", 0, K_TEXT, "PASS", .field = AT(key_pass), .help = "pass phrase of an encrypted --key" },

	{ .kind = K_HEADING, .help = "Output:" },
	{ "json", 0, K_FLAG, .field = AT(json), .help = "one JSON document (schema tlsdiag/2, see tlsdiag(1));\n"
							 "live: one JSON object per line" },
	{ "json-full", 0, K_FLAG, .field = AT(json_full),
	  .help = "JSON: every connection in full, certificates inline\n"
		  "(default: compact, what its problem says is not repeated)" },
	{ "format", 0, K_CHOICE, "FMT", .field = AT(format), .choices_of = writer_names, .what = "a format",
	  .help = "the report's format, one of:" },
	{ "pretty", 0, K_FLAG, .field = AT(pretty), .help = "indent JSON" },
	{ "verbose", 'v', K_COUNT, .field = AT(verbose),
	  .help = "after the problems, every connection with a finding\n"
		  "(-vv: every connection), every acceptable CA name" },
	{ "only-failures", 0, K_FLAG, .field = AT(only_failures),
	  .help = "leave out healthy connections, in every format (live default)" },
	{ "write", 'w', K_TEXT, "FILE", .field = AT(write_path),
	  .help = "write the packets of every connection with an error finding\n"
		  "(whole connections) to the pcap FILE" },
	{ "write-all", 0, K_FLAG, .field = AT(write_all), .help = "with -w: write every TLS connection" },
	{ "write-secrets", 0, K_FLAG, .field = AT(write_secrets),
	  .help = "with -w: write pcapng, each connection's key-log lines in a\nDecryption Secrets Block before its packets (sensitive)" },
	{ "progress", 0, K_FLAG, .field = AT(progress),
	  .help = "show reading progress on stderr even when it is not a\nterminal (a line per second)" },
	{ "no-progress", 0, K_FLAG, .field = AT(no_progress),
	  .help = "no progress line (shown by default when stderr is a\nterminal and files are read)" },
	{ "redact", 0, K_CHOICE, "[=names]", .optional = true, .field = AT(redact), .choices = redactions,
	  .what = "a choice", .help = "replace IP addresses in the report (consistently); with\n"
				      "=names also SNI and certificate names" },

	{ .kind = K_HEADING, .help = "" },
	{ "list-findings", 0, K_ACTION, .action = list_findings,
	  .help = "the finding ids, one per line with what each means" },
	{ "help", 'h', K_ACTION, .action = print_help, .help = "this help" },
	{ "version", 'V', K_ACTION, .action = print_version, .help = "version and library versions" },
};

#define N_ROWS (sizeof table / sizeof table[0])

/* ---- the actions ---- */

static void list_findings(void)
{
	size_t n;
	const struct rule_info *r = diagnose_catalogue(&n);
	for (size_t i = 0; i < n; i++)
		printf("%s\t%s\t%s\n", r[i].id, r[i].severity, r[i].title);
}

static void print_version(void)
{
	printf("tlsdiag %s\n%s\n%s\n", PACKAGE_VERSION, pcap_lib_version(), OpenSSL_version(OPENSSL_VERSION));
}

/* --help's two columns: the option, then its text from column 25 (two
 * blanks further when the option is wider, as in GNU tools). */
#define HELP_COLUMN 25

static void help_row(const struct opt *d)
{
	char left[64];
	const char *arg = d->arg ? d->arg : "", *sep = d->arg && !d->optional ? " " : "";
	if (d->kind == K_OPERAND)
		snprintf(left, sizeof left, "  %s", arg);
	else if (d->letter)
		snprintf(left, sizeof left, "  -%c, --%s%s%s", d->letter, d->name, sep, arg);
	else
		snprintf(left, sizeof left, "      --%s%s%s", d->name, sep, arg);
	int w = (int)strlen(left);
	printf("%s%*s", left, w < HELP_COLUMN ? HELP_COLUMN - w : 2, "");
	for (const char *s = d->help; *s; s++) {
		putchar(*s);
		if (*s == '\n')
			printf("%*s", HELP_COLUMN, "");
	}
	putchar('\n');
	if (d->choices_of == writer_names)   /* one line per writer, from its table */
		for (size_t i = 0; writer_at(i); i++) {
			const struct report_writer *wr = writer_at(i);
			snprintf(left, sizeof left, "%s%s%s%s", wr->name, wr->alias ? " (" : "", wr->alias ? wr->alias : "",
				 wr->alias ? ")" : "");
			printf("%*s  %-14s %s\n", HELP_COLUMN, "", left, wr->help);
		}
}

static void print_help(void)
{
	fputs("Usage: tlsdiag [options] -r FILE [-r FILE ...] [BPF expression]\n"
	      "       tlsdiag [options] [-i INTERFACE] [BPF expression]\n"
	      "       tlsdiag --check-bundle CHAIN.pem [--key KEY.pem] [--hostname NAME]\n"
	      "Explain TLS handshakes in packet captures: what failed, the frames that show it\n"
	      "(as Wireshark numbers them), the cause and the fix.\n",
	      stdout);
	for (size_t i = 0; i < N_ROWS; i++) {
		if (table[i].kind == K_HEADING)
			printf("\n%s%s", table[i].help, *table[i].help ? "\n" : "");
		else
			help_row(&table[i]);
	}
	fputs("\nExit status: 0 no error found, 1 an error finding, 2 input or options unusable.\n", stdout);
}

/* ---- values ---- */

static bool parse_number(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end || errno || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* --at: "2026-01-31", "2026-01-31T12:00:00Z" (or a space, or no Z), "@UNIX" or "now" (the run's time). */
static bool parse_time(const char *s, int64_t *out)
{
	if (strcmp(s, "now") == 0) {
		*out = (int64_t)time(NULL);
		return true;
	}
	if (s[0] == '@')
		return parse_number(s + 1, INT64_MIN / 2, INT64_MAX / 2, out);
	static const char *const layouts[] = { "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
						"%Y-%m-%d" };
	for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
		struct tm tm;
		memset(&tm, 0, sizeof tm);
		const char *end = strptime(s, layouts[i], &tm);
		if (end && *end == '\0') {
			*out = (int64_t)timegm(&tm);
			return true;
		}
	}
	return false;
}

static const char *const *choices(const struct opt *d)
{
	return d->choices_of ? d->choices_of() : d->choices;
}

static const char *choice_of(const struct opt *d, const char *arg)
{
	const char *const *c = choices(d);
	for (size_t i = 0; c[i]; i++)
		if (strcmp(arg, c[i]) == 0)
			return c[i];
	return NULL;
}

/* One line: the option, the argument, what it must be and what is allowed:
 * "(0-262144)", "(1 or more)", "(text, json)", "(--redact or --redact=names)". */
static void bad_value(const struct opt *d, const char *arg)
{
	if (d->letter)
		fprintf(stderr, "tlsdiag: -%c: \"%s\" is not %s", d->letter, arg, d->what);
	else
		fprintf(stderr, "tlsdiag: --%s: \"%s\" is not %s", d->name, arg, d->what);
	if (d->kind == K_NUMBER && d->max == INT64_MAX)
		fprintf(stderr, " (%lld or more)", (long long)d->min);
	else if (d->kind == K_NUMBER)
		fprintf(stderr, " (%lld-%lld)", (long long)d->min, (long long)d->max);
	if (d->kind == K_CHOICE) {
		fputs(" (", stderr);
		if (d->optional)
			fprintf(stderr, "--%s or ", d->name);
		const char *const *c = choices(d);
		for (size_t i = 0; c[i]; i++) {
			if (d->optional)
				fprintf(stderr, "%s--%s=%s", i ? ", " : "", d->name, c[i]);
			else
				fprintf(stderr, "%s%s", i ? ", " : "", c[i]);
		}
		fputc(')', stderr);
	}
	fputc('\n', stderr);
}

/* Put the argument where the row says; false (and one line on stderr) when it is not what the row allows. */
static bool store(const struct opt *d, const char *arg, struct options *o)
{
	void *slot = (char *)o + d->field;
	bool ok = true;
	switch (d->kind) {
	case K_FLAG:
		*(bool *)slot = true;
		break;
	case K_COUNT:
		if (*(int *)slot < 9)
			++*(int *)slot;
		break;
	case K_TEXT:
		/* the last of two values silently winning is a wrong answer to one of them */
		if (*(const char **)slot) {
			if (d->letter)
				fprintf(stderr, "tlsdiag: -%c", d->letter);
			else
				fprintf(stderr, "tlsdiag: --%s", d->name);
			fprintf(stderr, " given twice (\"%s\", \"%s\"): it takes one value\n", *(const char **)slot, arg);
			return false;
		}
		*(const char **)slot = arg;
		break;
	case K_LIST: {
		struct textlist *l = slot;
		if (l->n == MAX_STORE_FILES) {
			fprintf(stderr, "tlsdiag: --%s: at most %d\n", d->name, MAX_STORE_FILES);
			return false;
		}
		l->v[l->n++] = arg;
		break;
	}
	case K_INPUT:
		if (o->n_inputs == MAX_INPUTS) {
			fprintf(stderr, "tlsdiag: at most %d capture files\n", MAX_INPUTS);
			return false;
		}
		o->inputs[o->n_inputs++] = arg;
		break;
	case K_KEYLOG:
		if (o->n_keylogs == MAX_KEYLOGS) {
			fprintf(stderr, "tlsdiag: at most %d key logs\n", MAX_KEYLOGS);
			return false;
		}
		o->keylogs[o->n_keylogs++] = arg;
		break;
	case K_NUMBER:
		ok = parse_number(arg, d->min, d->max, slot);
		break;
	case K_PORT: {
		int64_t port = 0;
		if (o->n_tls_ports == MAX_TLS_PORTS) {
			fprintf(stderr, "tlsdiag: at most %d --tls-port options\n", MAX_TLS_PORTS);
			return false;
		}
		ok = parse_number(arg, d->min, d->max, &port);
		if (ok)
			o->tls_ports[o->n_tls_ports++] = (uint16_t)port;
		break;
	}
	case K_TIME:
		ok = parse_time(arg, &((struct when *)slot)->t);
		((struct when *)slot)->given = ok;
		break;
	case K_CHOICE:
		*(const char **)slot = arg ? choice_of(d, arg) : "";
		ok = *(const char **)slot != NULL;
		break;
	case K_HEADING:
	case K_OPERAND:
	case K_ACTION:
		break;
	}
	if (!ok)
		bad_value(d, arg);
	return ok;
}

/* ---- the command line ---- */

/* getopt_long's value of a row: its letter, or 256 + its index. */
static int val_of(size_t i)
{
	return table[i].letter ? table[i].letter : 256 + (int)i;
}

static const struct opt *row_of_val(int val)
{
	for (size_t i = 0; i < N_ROWS; i++)
		if (table[i].kind > K_OPERAND && val_of(i) == val)
			return &table[i];
	return NULL;
}

/* The long options and the short-option string, from the table. The
 * string starts with ':' so that a missing argument is told from an
 * unknown option. */
static void getopt_lists(struct option *longs, char *shorts)
{
	size_t n = 0, k = 0;
	shorts[k++] = ':';
	for (size_t i = 0; i < N_ROWS; i++) {
		const struct opt *d = &table[i];
		if (d->kind <= K_OPERAND)
			continue;
		int has_arg = !d->arg ? no_argument : d->optional ? optional_argument : required_argument;
		longs[n++] = (struct option){ d->name, has_arg, NULL, val_of(i) };
		if (d->letter) {
			shorts[k++] = d->letter;
			if (d->arg)
				shorts[k++] = ':';
		}
	}
	longs[n] = (struct option){ NULL, 0, NULL, 0 };
	shorts[k] = '\0';
}

/* "--c": the long options an abbreviation could mean, when more than one. */
static bool ambiguous(const char *arg)
{
	const char *name = arg + 2;
	size_t len = strcspn(name, "="), n = 0;
	for (size_t i = 0; i < N_ROWS; i++)
		n += table[i].kind > K_OPERAND && strncmp(table[i].name, name, len) == 0;
	if (len == 0 || n < 2)
		return false;
	const char *sep = "is ambiguous (";
	fprintf(stderr, "tlsdiag: option '--%.*s' ", (int)len, name);
	for (size_t i = 0; i < N_ROWS; i++) {
		if (table[i].kind > K_OPERAND && strncmp(table[i].name, name, len) == 0) {
			fprintf(stderr, "%s--%s", sep, table[i].name);
			sep = ", ";
		}
	}
	fputc(')', stderr);
	return true;
}

/* What getopt_long found wrong (it prints nothing: opterr is 0), in one
 * line that points to --help, as tcpdump and curl do. arg is the last
 * argument getopt_long looked at. */
static void bad_option(int c, const char *arg)
{
	const struct opt *d = optopt ? row_of_val(optopt) : NULL;
	bool as_long = strncmp(arg, "--", 2) == 0;
	if (c == ':' && as_long)
		fprintf(stderr, "tlsdiag: option '--%s' requires an argument", d ? d->name : arg + 2);
	else if (c == ':')
		fprintf(stderr, "tlsdiag: option -%c requires an argument", optopt);
	else if (d)   /* a known option: only a long one given "=value" can be wrong */
		fprintf(stderr, "tlsdiag: option '--%s' takes no argument", d->name);
	else if (optopt)
		fprintf(stderr, "tlsdiag: invalid option -- '%c'", optopt);
	else if (!(as_long && ambiguous(arg)))
		fprintf(stderr, "tlsdiag: unrecognized option '%s'", arg);
	fputs(" (see tlsdiag --help)\n", stderr);
}

/* Options that make no sense together, once all are read. */
static bool consistent(const struct options *o)
{
	const char *why = NULL;
	if (o->device && o->n_inputs)
		why = "-r and -i exclude each other: read files or capture live";
	else if (o->write_all && !o->write_path)
		why = "--write-all goes with -w FILE";
	else if (o->write_secrets && !o->write_path)
		why = "--write-secrets goes with -w FILE";
	else if (o->bundle && (o->n_inputs || o->device || o->filter))
		why = "--check-bundle checks files, not captures: leave out -r, -i and filters";
	else if (o->bundle && o->n_keylogs)
		why = "--keylog decrypts captures: it does not go with --check-bundle";
	else if (o->bundle && (o->client_ca_file.n || o->client_ca_path.n))
		why = "--client-ca-file and --client-ca-path judge client certificates in a capture: with --check-bundle, "
		      "give the store with --ca-file";
	else if (!o->bundle && (o->key || o->key_pass))
		why = "--key and --key-pass go with --check-bundle";
	else if (o->progress && o->no_progress)
		why = "--progress and --no-progress exclude each other";
	if (why)
		fprintf(stderr, "tlsdiag: %s\n", why);
	return !why;
}

/* The trailing arguments form one BPF expression, as with tcpdump. */
static char *join_args(int argc, char **argv)
{
	size_t n = 1;
	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	char *s = mem_alloc(n);
	size_t o = 0;
	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]);
		if (i)
			s[o++] = ' ';
		memcpy(s + o, argv[i], l);
		o += l;
	}
	s[o] = '\0';
	return s;
}

bool options_parse(int argc, char **argv, struct options *o, int *status)
{
	struct option longs[N_ROWS + 1];
	char shorts[2 * N_ROWS + 2];
	getopt_lists(longs, shorts);
	o->expiry_warning = 30;
	opterr = 0;
	*status = EXIT_USAGE;
	int c;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const struct opt *d = c == '?' || c == ':' ? NULL : row_of_val(c);
		if (!d) {
			bad_option(c, argv[optind - 1]);
			return false;
		}
		if (d->kind == K_ACTION) {
			d->action();
			*status = EXIT_OK;
			return false;
		}
		if (!store(d, optarg, o))
			return false;
	}
	o->filter = optind < argc ? join_args(argc - optind, argv + optind) : NULL;
	/* -D lists the interfaces whatever else was asked */
	if (!o->list_devices && !consistent(o))
		return false;
	return true;
}

void options_free(struct options *o)
{
	mem_free(o->filter);
	o->filter = NULL;
}
