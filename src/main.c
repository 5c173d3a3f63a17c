/* main.c - tlsdiag: the command line (options.c) wired to the pipeline or --check-bundle; the exit status. */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "analyze.h"
#include "clockskew.h"
#include "bundle.h"
#include "capture.h"
#include "certfile.h"
#include "diagnose.h"
#include "evidence.h"
#include "exitcode.h"
#include "keylog.h"
#include "mem.h"
#include "options.h"
#include "progress.h"
#include "redact.h"
#include "reporter.h"
#include "tls_decrypt.h"
#include "x509.h"

/* A trust store from the user's files and directories (all of them, concatenated);
 * opt: the option's name for messages ("ca", "client-ca"). */
static X509_STORE *load_given(const struct textlist *files, const struct textlist *dirs, const char *opt)
{
	X509_STORE *st = X509_STORE_new();
	if (!st)
		return NULL;
	for (size_t i = 0; i < files->n; i++) {
		if (X509_STORE_load_file(st, files->v[i]) != 1) {
			fprintf(stderr, "tlsdiag: --%s-file %s: no certificate could be read from it\n", opt, files->v[i]);
			X509_STORE_free(st);
			return NULL;
		}
	}
	for (size_t i = 0; i < dirs->n; i++) {
		if (X509_STORE_load_path(st, dirs->v[i]) != 1) {
			fprintf(stderr, "tlsdiag: --%s-path %s: not a usable certificate directory\n", opt, dirs->v[i]);
			X509_STORE_free(st);
			return NULL;
		}
	}
	ERR_clear_error();
	return st;
}

/* The client's trust store: the user's files, or the system's default locations. */
static X509_STORE *load_trust(const struct textlist *files, const struct textlist *dirs, bool *given)
{
	*given = files->n || dirs->n;
	if (*given)
		return load_given(files, dirs, "ca");
	X509_STORE *st = X509_STORE_new();
	if (!st)
		return NULL;
	/* The system bundle, read once into memory. (OpenSSL 3's
	 * X509_STORE_set_default_paths adds a "file:" store that lists
	 * the certificate directory on every lookup: far too slow for a
	 * capture with thousands of connections.) */
	const char *bundle = getenv(X509_get_default_cert_file_env());
	if (!bundle)
		bundle = X509_get_default_cert_file();
	if (X509_STORE_load_file(st, bundle) != 1) {
		const char *dir_env = getenv(X509_get_default_cert_dir_env());
		X509_LOOKUP *hashed = X509_STORE_add_lookup(st, X509_LOOKUP_hash_dir());
		if (!hashed || !X509_LOOKUP_add_dir(hashed, dir_env ? dir_env : X509_get_default_cert_dir(),
						 X509_FILETYPE_PEM)) {
			X509_STORE_free(st);
			st = NULL;   /* no system store: the untrusted rule stays silent */
		}
	}
	ERR_clear_error();
	return st;
}

/* ---- the run ---- */

/* Once per capture whose clock is the suspect, at the report's top: its
 * offset, as its completed handshakes show it; named first when the report
 * has several inputs (each has its own clock). NULL: nothing to say; else
 * the caller frees it. */
static const char *clock_note(const struct clockskew *ck, const char *file, bool named)
{
	char buf[CLOCK_NOTE_LEN];
	clockskew_note(ck, buf, sizeof buf);
	if (!buf[0])
		return NULL;
	size_t len = strlen(buf) + (named ? strlen(file) + 2 : 0) + 1;
	char *note = mem_alloc_uninit(len);
	snprintf(note, len, "%s%s%s", named ? file : "", named ? ": " : "", buf);
	return note;
}

/* Every input's Clock note; summary.clock (JSON) is the first input's that has one. */
static void clock_notes(struct input_info *in, size_t n_in, struct summary *sum)
{
	sum->clock = NULL;
	sum->clock_note = NULL;
	for (size_t i = 0; i < n_in; i++) {
		in[i].clock_note = clock_note(in[i].clock, in[i].file, n_in > 1);
		if (in[i].clock_note && !sum->clock_note) {
			sum->clock = in[i].clock;
			sum->clock_note = in[i].clock_note;
		}
	}
}

/* Once per report: a side whose chains were judged without the store it
 * really uses. (A private PKI is normal on backends: without the store the
 * verdict is weaker, and the reader must know.) */
static const char *trust_note(const struct diag_opts *d, const struct summary *sum)
{
	static char buf[320];
	bool server = sum->server_chains && !d->trust_given, client = sum->client_chains && !d->client_trust_given;
	snprintf(buf, sizeof buf, "%s%s%s",
		 !server ? "" : d->trust ? "no client trust store given (--ca-file): server chains were judged against "
					  "the system store (\"publicly trusted\")"
				     : "no client trust store given (--ca-file) and no system store found: server chains "
				       "were not verified",
		 server && client ? "; " : "",
		 client ? "no server trust store given (--client-ca-file): client certificate chains were not "
			  "verified" : "");
	return buf[0] ? buf : NULL;
}


struct config {
	const char *const *inputs;
	size_t n_inputs;
	const char *device;
	bool live;
	int snaplen;
	int buffer_kib;
	int64_t duration;
	const char *drop_user;
	const char *write_path;
	bool write_all;
	bool write_secrets;        /* -w as pcapng with Decryption Secrets Blocks */
	char *filter;
	struct keylog *keylog;     /* --keylog files, then the DSBs of the captures */
	enum progress_mode progress;
	struct report_opts ropts;
	struct analyze_opts aopts;
	struct diag_opts dopts;
};

static volatile sig_atomic_t stop_requested;
static struct capture *live_capture;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (live_capture)
		capture_break(live_capture);   /* pcap_breakloop may be called from a handler */
}

static void catch_stop_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
}

static void warn_packet(void *ctx, const char *file, uint64_t frame, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "tlsdiag: %s: frame %llu: %s\n", file, (unsigned long long)frame, msg);
}

/* Drop root as tcpdump -Z does: groups, gid, uid, and make sure it stuck. */
static bool drop_privileges(const char *user)
{
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		fprintf(stderr, "tlsdiag: -Z %s: no such user\n", user);
		return false;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0 ||
	    (pw->pw_uid != 0 && setuid(0) == 0)) {
		fprintf(stderr, "tlsdiag: -Z %s: cannot drop privileges: %s\n", user, strerror(errno));
		return false;
	}
	return true;
}

/* -r DIR: its files (not hidden, not subdirectories) in name order, one
 * report; the names live until the run ends (sessions point to them). */
static char *dir_names[MAX_INPUTS];
static size_t n_dir_names;

static int by_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static bool expand_dir(const char *dir, const char **out, size_t *n)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "tlsdiag: %s: %s\n", dir, strerror(errno));
		return false;
	}
	size_t first = n_dir_names;
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		if (e->d_name[0] == '.')
			continue;
		char *path = mem_alloc_uninit(len);
		snprintf(path, len, "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || *n + (n_dir_names - first) >= MAX_INPUTS ||
		    n_dir_names == MAX_INPUTS) {
			mem_free(path);
			continue;
		}
		dir_names[n_dir_names++] = path;
	}
	closedir(d);
	qsort(dir_names + first, n_dir_names - first, sizeof dir_names[0], by_name);
	for (size_t i = first; i < n_dir_names; i++)
		out[(*n)++] = dir_names[i];
	return true;
}

/* The -r list with directories replaced by their files. */
static size_t expand_inputs(const char *const *in, size_t n_in, const char **out)
{
	size_t n = 0;
	for (size_t i = 0; i < n_in && n < MAX_INPUTS; i++) {
		struct stat st;
		if (stat(in[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (!expand_dir(in[i], out, &n))
				out[n++] = in[i];   /* opening it says why */
		} else {
			out[n++] = in[i];
		}
	}
	return n;
}

static void free_dir_names(void)
{
	for (size_t i = 0; i < n_dir_names; i++)
		mem_free(dir_names[i]);
	n_dir_names = 0;
}

/* ---- key logs ---- */

/* A key log line tlsdiag could not use, or a shape it accepted: one line, never fatal. */
static void keylog_warning(void *arg, const struct keylog_warning *w)
{
	(void)arg;
	if (w->line)
		fprintf(stderr, "tlsdiag: %s:%lu: %s\n", w->source, w->line, w->message);
	else
		fprintf(stderr, "tlsdiag: %s: %s\n", w->source, w->message);
}

static bool load_keylogs(struct config *cfg, const struct options *o)
{
	cfg->keylog = keylog_new(keylog_warning, NULL);
	cfg->aopts.keylog = cfg->keylog;
	cfg->aopts.keylog_given = o->n_keylogs > 0;
	cfg->aopts.keylog_follow = cfg->live && o->n_keylogs ? cfg->keylog : NULL;   /* the clients still write it */
	for (size_t i = 0; i < o->n_keylogs; i++) {
		char err[256];
		if (keylog_load_file(cfg->keylog, o->keylogs[i], cfg->live, err, sizeof err) < 0) {
			fprintf(stderr, "tlsdiag: --keylog %s\n", err);
			return false;
		}
	}
	return true;
}

/* pcapng Decryption Secrets Blocks read so far (they come before the
 * packets they decrypt): key log lines as if from a file of that name. */
static void take_secrets(struct config *cfg, struct capture *cap, const char *file)
{
	struct pcapfile_secrets sec;
	while (capture_secrets(cap, &sec)) {
		if (sec.type != PCAPFILE_SECRETS_TLS_KEYLOG)
			continue;   /* WireGuard, SSH ... keys: nothing tlsdiag decrypts */
		char name[512];
		snprintf(name, sizeof name, "pcapng DSB in %s", file);
		keylog_add_text(cfg->keylog, name, sec.data, sec.len);
	}
}

/* A key log that matched no connection is most likely another run's. */
static void keylog_unmatched(const struct options *o, const struct analyzer *a)
{
	for (size_t i = 0; i < o->n_keylogs; i++)
		if (analyzer_keylog_matches(a, o->keylogs[i]) == 0)
			fprintf(stderr, "tlsdiag: warning: key log %s matched no connection (no ClientHello random of "
				"the capture is in it: the key log of another run or another client?)\n", o->keylogs[i]);
}

/* One opened input through the analyzer, what it was into in: EXIT_USAGE
 * when not one of its frames could be read, else EXIT_OK. */
static int read_input(struct config *cfg, struct analyzer *a, struct capture *cap, size_t i, struct input_info *in)
{
	char errbuf[CAPTURE_ERRBUF];
	int status = EXIT_OK;
	memset(in, 0, sizeof *in);
	in->file = cfg->inputs[i];
	in->clock = cfg->dopts.clock;
	in->ts_digits = capture_ts_digits(cap);
	analyzer_begin_file(a, cfg->inputs[i], capture_datalink(cap), capture_ts_digits(cap));
	struct capture_pkt pkt;
	int rc = 0;
	const struct summary *sofar = analyzer_counts(a);
	while (!analyzer_done(a) && (rc = capture_next(cap, &pkt, errbuf)) > 0) {
		take_secrets(cfg, cap, cfg->inputs[i]);
		analyzer_packet(a, &pkt);
		progress_packet(i, capture_offset(cap), sofar->tls_connections, sofar->outcome[OUTCOME_FAILED]);
	}
	in->frames = capture_frames(cap);
	in->link_type = mem_strdup(capture_link_names(cap));   /* every interface's, "EN10MB, RAW" */
	if (!analyzer_done(a) && rc < 0) {
		in->error_frame = in->frames + 1;
		in->error = mem_strdup(errbuf);
		fprintf(stderr, "tlsdiag: %s: frame %llu: %s (", cfg->inputs[i], (unsigned long long)in->error_frame,
			errbuf);
		if (in->frames) {
			fprintf(stderr, "analysis covers frames 1-%llu)\n", (unsigned long long)in->frames);
		} else {   /* not one frame could be read: unusable input, not an empty report */
			fputs("no frame could be read)\n", stderr);
			status = EXIT_USAGE;
		}
	}
	analyzer_end_file(a);
	return status;
}

static int run_files(struct config *cfg, struct analyzer *a, struct reporter *rep)
{
	struct input_info info[MAX_INPUTS];
	struct clockskew *clocks[MAX_INPUTS];
	size_t n_info = 0;
	int status = EXIT_OK;
	bool began = false;
	struct evidence *ev = NULL;
	int ev_dlt = -1;

	for (size_t i = 0; i < cfg->n_inputs; i++) {
		char errbuf[CAPTURE_ERRBUF];
		struct capture *cap = capture_open_file(cfg->inputs[i], cfg->filter, errbuf);
		if (!cap) {
			fprintf(stderr, "tlsdiag: %s\n", errbuf);
			status = EXIT_USAGE;
			continue;
		}
		if (cfg->write_path && !ev) {
			ev = evidence_open(cfg->write_path, capture_pcap(cap), cfg->write_secrets, errbuf);
			if (!ev) {
				fprintf(stderr, "tlsdiag: %s\n", errbuf);
				capture_close(cap);
				status = EXIT_USAGE;
				break;
			}
			ev_dlt = capture_datalink(cap);
		}
		/* one pcap file has one link type: -w follows the first input's */
		bool write_this = ev && capture_datalink(cap) == ev_dlt;
		if (ev && !write_this)
			fprintf(stderr, "tlsdiag: %s: link type %s differs from the first file's: not written to %s\n",
				cfg->inputs[i], capture_datalink_name(cap), cfg->write_path);
		analyzer_set_evidence(a, write_this ? ev : NULL);
		if (!began) {
			reporter_begin(rep);
			began = true;
		}
		/* each capture its own clock: two captures may come from two
		 * machines (--at: none, validity at that time for all) */
		cfg->dopts.clock = clocks[n_info] = cfg->dopts.at_given ? NULL : clockskew_new();
		if (read_input(cfg, a, cap, i, &info[n_info++]) != EXIT_OK)
			status = EXIT_USAGE;
		capture_close(cap);
		if (analyzer_done(a))
			break;
	}
	const struct summary *fin = analyzer_counts(a);
	progress_stop(fin->tls_connections, fin->outcome[OUTCOME_FAILED]);   /* erased before the summary */
	if (began) {
		struct summary sum = *analyzer_summary(a);
		sum.trust_note = trust_note(&cfg->dopts, &sum);
		clock_notes(info, n_info, &sum);
		if (ev) {
			sum.written_file = cfg->write_path;
			sum.packets_written = evidence_packets_written(ev);
			sum.secrets_written = evidence_writes_secrets(ev);
			sum.secret_blocks = evidence_secret_blocks(ev);
		}
		reporter_end(rep, info, n_info, &sum);
		if (sum.with_error && status == EXIT_OK)
			status = EXIT_FINDINGS;
	}
	char errbuf[CAPTURE_ERRBUF];
	if (!evidence_close(ev, errbuf)) {
		fprintf(stderr, "tlsdiag: %s\n", errbuf);
		status = EXIT_USAGE;
	}
	for (size_t i = 0; i < n_info; i++) {
		mem_free((void *)info[i].error);
		mem_free((void *)info[i].link_type);
		mem_free((void *)info[i].clock_note);
		clockskew_free(clocks[i]);
	}
	cfg->dopts.clock = NULL;
	return status;
}

/* Once a second: packets the kernel dropped since the last look, said at once
 * on stderr (tcpdump says it only at the end) since they change what can be judged. */
static void warn_drops(struct capture *cap, uint64_t *warned)
{
	uint64_t received, dropped, if_dropped;
	if (!capture_stats(cap, &received, &dropped, &if_dropped) || dropped <= *warned)
		return;
	fprintf(stderr,
		"tlsdiag: the kernel dropped %" PRIu64 " packets (%" PRIu64 " in all, of %" PRIu64 " received by the "
		"filter): a connection that lost bytes is reported capture-incomplete and what depends on them is "
		"withheld; a larger buffer (-B KIB) or a narrower filter helps\n",
		dropped - *warned, dropped, received);
	*warned = dropped;
}

/* Packets until a signal, --duration, -c or the end: the last capture_next (-1: an error, in errbuf). */
static int live_loop(struct config *cfg, struct analyzer *a, struct capture *cap, char errbuf[CAPTURE_ERRBUF])
{
	struct capture_pkt pkt;
	int rc = 0;
	time_t refreshed = time(NULL);
	uint64_t drops_warned = 0;
	while (!stop_requested && !analyzer_done(a)) {
		rc = capture_next(cap, &pkt, errbuf);
		if (rc != -1 && time(NULL) != refreshed) {
			refreshed = time(NULL);   /* at most once a second: lines the clients appended */
			if (rc == 1)
				keylog_refresh(cfg->keylog, errbuf, CAPTURE_ERRBUF);
			warn_drops(cap, &drops_warned);
		}
		if (rc == 1)
			analyzer_packet(a, &pkt);
		else if (rc == 2) {
			keylog_refresh(cfg->keylog, errbuf, CAPTURE_ERRBUF);   /* lines the clients appended */
			struct timespec now;
			clock_gettime(CLOCK_REALTIME, &now);   /* the clock of the packets' time stamps */
			analyzer_tick(a, (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec);   /* quiet wire: idle connections settle */
		}
		else
			break;
	}
	return rc;
}

static int run_live(struct config *cfg, struct analyzer *a, struct reporter *rep)
{
	char errbuf[CAPTURE_ERRBUF];
	struct capture_live_opts lo = {
		.device = cfg->device, .snaplen = cfg->snaplen, .buffer_size = cfg->buffer_kib * 1024,
		.immediate = true, .filter = cfg->filter,
	};
	struct capture *cap = capture_open_live(&lo, errbuf);
	if (!cap) {
		fprintf(stderr, "tlsdiag: %s\n", errbuf);
		return EXIT_USAGE;
	}
	if (cfg->drop_user && !drop_privileges(cfg->drop_user)) {
		capture_close(cap);
		return EXIT_USAGE;
	}
	struct evidence *ev = NULL;
	if (cfg->write_path) {
		/* opened after dropping root: the file belongs to the user */
		ev = evidence_open(cfg->write_path, capture_pcap(cap), cfg->write_secrets, errbuf);
		if (!ev) {
			fprintf(stderr, "tlsdiag: %s\n", errbuf);
			capture_close(cap);
			return EXIT_USAGE;
		}
	}
	analyzer_set_evidence(a, ev);
	live_capture = cap;
	if (cfg->duration > 0)
		alarm((unsigned)cfg->duration);
	const char *name = cfg->device ? cfg->device : "default interface";
	fprintf(stderr, "tlsdiag: listening on %s (%s)%s%s, Ctrl-C to stop\n", name, capture_datalink_name(cap),
		cfg->filter ? ", filter: " : "", cfg->filter ? cfg->filter : "");
	reporter_begin(rep);
	analyzer_begin_file(a, cfg->device ? cfg->device : "live", capture_datalink(cap), 6);
	int rc = live_loop(cfg, a, cap, errbuf);
	if (rc == -1)
		fprintf(stderr, "tlsdiag: %s: %s\n", name, errbuf);
	struct input_info in = { .file = cfg->device ? cfg->device : "live", .link_type = capture_datalink_name(cap),
				 .ts_digits = 6, .frames = capture_frames(cap), .clock = cfg->dopts.clock };
	analyzer_end_file(a);
	struct summary sum = *analyzer_summary(a);
	sum.trust_note = trust_note(&cfg->dopts, &sum);
	clock_notes(&in, 1, &sum);
	sum.live = capture_stats(cap, &sum.pcap_received, &sum.pcap_dropped, &sum.pcap_if_dropped);
	if (ev) {
		sum.written_file = cfg->write_path;
		sum.packets_written = evidence_packets_written(ev);
		sum.secrets_written = evidence_writes_secrets(ev);
		sum.secret_blocks = evidence_secret_blocks(ev);
	}
	reporter_end(rep, &in, 1, &sum);
	mem_free((void *)in.clock_note);
	live_capture = NULL;
	capture_close(cap);
	int status = rc == -1 ? EXIT_USAGE : sum.with_error ? EXIT_FINDINGS : EXIT_OK;
	if (!evidence_close(ev, errbuf)) {
		fprintf(stderr, "tlsdiag: %s\n", errbuf);
		status = EXIT_USAGE;
	}
	return status;
}

/* --format's writer, as options.c checked the name; --json is json (jsonl live). */
static const struct report_writer *writer_of(const struct options *o, bool live)
{
	if (o->json)
		return writer_find(live ? "jsonl" : "json");
	return writer_find(o->format ? o->format : "text");
}

static int run_bundle(const struct options *o, X509_STORE *trust, bool trust_given)
{
	struct bundle_opts bo = {
		.chain_path = o->bundle, .key_path = o->key, .key_pass = o->key_pass, .hostname = o->hostname,
		.at_given = o->at.given, .at = o->at.t, .expiry_warn_days = (int)o->expiry_warning,
		.trust = trust, .trust_given = trust_given, .writer = writer_of(o, false),
		.pretty = o->pretty,
	};
	return bundle_check(&bo, stdout);
}

/* The command line as the pipeline's options. */
static void configure(struct config *cfg, const struct options *o, X509_STORE *trust, bool trust_given,
		      X509_STORE *client_trust)
{
	static const char *inputs[MAX_INPUTS];
	cfg->n_inputs = expand_inputs(o->inputs, o->n_inputs, inputs);
	cfg->inputs = inputs;
	cfg->device = o->device;
	cfg->live = o->device || !o->n_inputs;   /* like tcpdump: no file, capture on the default interface */
	cfg->snaplen = (int)o->snaplen;
	cfg->buffer_kib = (int)o->buffer_kib;
	cfg->duration = o->duration;
	cfg->drop_user = o->drop_user;
	cfg->write_path = o->write_path;
	cfg->write_all = o->write_all;
	cfg->write_secrets = o->write_secrets;
	cfg->filter = o->filter;
	/* live reports stream: JSON becomes JSON Lines, healthy handshakes stay quiet */
	cfg->ropts.writer = writer_of(o, cfg->live);
	cfg->ropts.pretty = o->pretty;
	cfg->ropts.verbose = o->verbose;
	cfg->ropts.full = o->json_full;
	cfg->ropts.live = cfg->live;
	cfg->ropts.only_failures = o->only_failures || (cfg->live && !o->verbose);
	/* a terminal sees each connection as it ends (and the progress line
	 * makes way for it); files and pipes get large writes */
	cfg->ropts.stream = cfg->live || isatty(STDOUT_FILENO);
	cfg->progress = o->no_progress || cfg->live ? PROGRESS_OFF : o->progress ? PROGRESS_ON : PROGRESS_AUTO;
	if (o->redact)
		redact_enable(true, strcmp(o->redact, "names") == 0);
	cfg->aopts.warn = warn_packet;
	cfg->aopts.stop_after = (uint64_t)o->count;
	cfg->aopts.tls_ports = o->tls_ports;
	cfg->aopts.n_tls_ports = o->n_tls_ports;
	cfg->aopts.settle_grace_ms = o->settle_grace;
	cfg->aopts.idle_timeout = o->idle_timeout ? o->idle_timeout : cfg->live ? 60 : 0;
	cfg->aopts.memory_limit = (uint64_t)o->memory_mib << 20;
	cfg->aopts.live = cfg->live;
	cfg->aopts.write_all = o->write_all;
	cfg->aopts.diag = &cfg->dopts;
	cfg->aopts.keylog = cfg->keylog;
	cfg->dopts.trust = trust;
	cfg->dopts.trust_given = trust_given;
	cfg->dopts.client_trust = client_trust;
	cfg->dopts.client_trust_given = client_trust != NULL;
	cfg->dopts.hostname = o->hostname;
	cfg->dopts.at_given = o->at.given;
	cfg->dopts.at = o->at.t;
	cfg->dopts.expiry_warn_days = (int)o->expiry_warning;
	/* the words of most findings are never printed: made for those a writer prints */
	cfg->dopts.words_later = cfg->ropts.writer && !cfg->ropts.writer->words_every && !o->json_full && !o->verbose;
	/* --at: validity at that time exactly, nothing learned from the capture's
	 * clock; files: one clock each (run_files), live: the interface's */
	cfg->dopts.clock = o->at.given || !cfg->live ? NULL : clockskew_new();
}

static int run_capture(const struct options *o, X509_STORE *trust, bool trust_given, X509_STORE *client_trust)
{
	static struct config cfg;
	configure(&cfg, o, trust, trust_given, client_trust);
	/* the problem titles name the store a server's chain failed against: the user's or the system's
	 * (not its path: SSL_CERT_FILE moves it, and a title is the same on every machine) */
	cfg.ropts.server_store = trust_given ? "the trust store given (--ca-file/--ca-path)"
					     : "the system trust store (no --ca-file given)";
	struct certfile keystore;
	memset(&keystore, 0, sizeof keystore);
	if (o->client_cert) {
		char err[256];
		if (certfile_load(o->client_cert, o->client_cert_pass, &keystore, err, sizeof err) < 0) {
			fprintf(stderr, "tlsdiag: --client-cert %s\n", err);
			return EXIT_USAGE;
		}
		cfg.dopts.keystore = keystore.certs;
		cfg.dopts.keystore_n = keystore.n;
		cfg.dopts.keystore_given = true;
	}

	if (!load_keylogs(&cfg, o)) {
		certfile_free(&keystore);
		keylog_free(cfg.keylog);
		return EXIT_USAGE;
	}

	catch_stop_signals();
	/* large blocks for files (the JSON writers hand over a connection at a
	 * time); live reports flush per connection (reporter.c) */
	static char outbuf[1 << 20];
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	struct reporter rep;
	reporter_init(&rep, stdout, &cfg.ropts);
	struct analyzer *a = analyzer_new(&cfg.aopts, &rep);
	if (!cfg.live)
		progress_start(cfg.progress, cfg.inputs, cfg.n_inputs);
	int status = cfg.live ? run_live(&cfg, a, &rep) : run_files(&cfg, a, &rep);
	if (status != EXIT_USAGE)
		keylog_unmatched(o, a);

	analyzer_free(a);
	reporter_free(&rep);
	free_dir_names();
	keylog_free(cfg.keylog);
	tls_decrypt_cleanup();
	certfile_free(&keystore);
	clockskew_free(cfg.dopts.clock);
	cfg.dopts.clock = NULL;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("tlsdiag: error writing the report\n", stderr);
		return EXIT_USAGE;
	}
	return status;
}

static int list_interfaces(void)
{
	char errbuf[CAPTURE_ERRBUF];
	if (capture_list_devices(stdout, errbuf) < 0) {
		fprintf(stderr, "tlsdiag: -D: %s\n", errbuf);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static struct options o;
	int status;
	if (!options_parse(argc, argv, &o, &status))
		return status;
	if (o.list_devices) {
		options_free(&o);
		return list_interfaces();
	}
	bool trust_given = false;
	X509_STORE *trust = load_trust(&o.ca_file, &o.ca_path, &trust_given);
	bool client_given = o.client_ca_file.n || o.client_ca_path.n;
	X509_STORE *client_trust = client_given ? load_given(&o.client_ca_file, &o.client_ca_path, "client-ca") : NULL;
	if ((!trust && trust_given) || (!client_trust && client_given)) {
		status = EXIT_USAGE;
	} else if (o.bundle) {
		status = run_bundle(&o, trust, trust_given);
	} else {
		status = run_capture(&o, trust, trust_given, client_trust);
	}
	X509_STORE_free(trust);
	X509_STORE_free(client_trust);
	options_free(&o);
	x509_cache_clear();
	redact_free();
	mem_release_pools();
	return status;
}
