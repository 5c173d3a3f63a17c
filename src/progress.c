/* progress.c - the one-line progress indicator on stderr (issue 14).
 *
 * A terminal gets one line redrawn in place ("\r", erase to the end) about
 * four times a second and erased at the end; --progress into a file or a
 * pipe gets a line per second instead, which a log can keep. The cost per
 * packet is one counter: the clock is read every 4096 packets.
 */
#include "progress.h"

#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "options.h"

static struct {
	bool on, tty, shown;
	uint64_t total;                  /* bytes of all files; 0: unknown */
	uint64_t before[MAX_INPUTS + 1]; /* bytes of the files before file i */
	size_t n;
	uint32_t tick;
	double start, last;
	uint64_t done;            /* bytes, as of the last packet */
} P;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

void progress_start(enum progress_mode mode, const char *const *files, size_t n)
{
	P.tty = isatty(STDERR_FILENO);
	P.on = mode == PROGRESS_ON || (mode == PROGRESS_AUTO && P.tty);
	if (!P.on)
		return;
	P.n = n < MAX_INPUTS ? n : MAX_INPUTS;
	bool known = true;
	for (size_t i = 0; i < P.n; i++) {
		struct stat st;
		P.before[i] = P.total;
		/* stdin, a pipe: no size (gzip too, but its inflated offset is only an estimate) */
		if (files[i][0] == '-' || stat(files[i], &st) != 0 || !S_ISREG(st.st_mode))
			known = false;
		else
			P.total += (uint64_t)st.st_size;
	}
	P.before[P.n] = P.total;
	if (!known)
		P.total = 0;
	P.start = P.last = now();
}

static void draw(uint64_t done, uint64_t connections, uint64_t failed, double t)
{
	double secs = t - P.start > 1e-3 ? t - P.start : 1e-3;
	char pct[16] = "";
	if (P.total) {
		double f = done > P.total ? 1.0 : (double)done / (double)P.total;
		snprintf(pct, sizeof pct, "%.0f%%, ", f * 100);
	}
	fprintf(stderr, "%stlsdiag: %s%.1f MB, %.0f MB/s, %llu connections, %llu failed%s", P.tty ? "\r\033[K" : "",
		pct, done / 1e6, done / 1e6 / secs, (unsigned long long)connections, (unsigned long long)failed,
		P.tty ? "" : "\n");
	fflush(stderr);
	P.shown = true;
}

void progress_packet(size_t i, uint64_t offset, uint64_t connections, uint64_t failed)
{
	if (!P.on)
		return;
	P.done = (i < P.n ? P.before[i] : P.before[P.n]) + offset;
	if (++P.tick & 4095)
		return;
	double t = now();
	if (t - P.last < (P.tty ? 0.25 : 1.0))
		return;
	P.last = t;
	draw(P.done, connections, failed, t);
}

void progress_hide(void)
{
	if (P.on && P.tty && P.shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		P.shown = false;
	}
}

void progress_stop(uint64_t connections, uint64_t failed)
{
	if (P.on && !P.tty)   /* a log: the last line has the final counts */
		draw(P.done, connections, failed, now());
	progress_hide();
	P.on = false;
}
