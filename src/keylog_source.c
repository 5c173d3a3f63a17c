/* keylog_source.c - where key log lines come from: files and text, read whole or followed
 * (live re-reads), each line handed to keylog_line.c, which stores it (keylog.c). */
#include "keylog.h"
#include "keylog_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "mem.h"

static void summarize(struct keylog *kl, struct kl_source *s)
{
	if (!s->suppressed)
		return;
	kl_note(kl, s, 0, "%lu more malformed lines were skipped without a warning each", s->suppressed);
	s->suppressed = 0;
}

/* The source of this name (created on first use), or NULL past LIM_KEYLOG_SOURCES. */
static struct kl_source *source_get(struct keylog *kl, const char *name)
{
	for (unsigned i = 0; i < kl->nsrc; i++)
		if (strcmp(kl->src[i]->name, name) == 0)
			return kl->src[i];
	if (kl->nsrc == LIM_KEYLOG_SOURCES)
		return NULL;
	struct kl_source *s = mem_alloc(sizeof(*s));
	s->name = mem_strdup(name);
	s->index = (uint16_t)kl->nsrc;
	kl->src[kl->nsrc++] = s;
	return s;
}

static void end_line(struct keylog *kl, struct kl_source *s, const char *p, size_t n)
{
	s->lineno++;
	if (s->overlong) {
		s->overlong = false;
		kl->st.lines++;
		kl_malformed(kl, s, "line longer than %u bytes: skipped", LIM_KEYLOG_LINE);
		return;
	}
	kl_parse_line(kl, s, p, n);
}

/* Bytes of a source, cut into lines. A line without its newline is kept
 * in carry (it may be completed by the next bytes) unless final. */
static void feed(struct keylog *kl, struct kl_source *s, const char *p, size_t n, bool final)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) : n;
		if (!s->overlong && s->ncarry + take > LIM_KEYLOG_LINE) {
			s->overlong = true;
			OPENSSL_cleanse(s->carry, s->ncarry);
			s->ncarry = 0;
		}
		if (!s->overlong && !nl) {
			memcpy(s->carry + s->ncarry, p, take);
			s->ncarry += take;
		} else if (nl && s->ncarry && !s->overlong) {
			memcpy(s->carry + s->ncarry, p, take);
			end_line(kl, s, s->carry, s->ncarry + take);
			OPENSSL_cleanse(s->carry, s->ncarry + take);
			s->ncarry = 0;
		} else if (nl) {
			end_line(kl, s, p, take);
		}
		take += nl != NULL;
		p += take;
		n -= take;
	}
	if (final && (s->ncarry || s->overlong)) {
		end_line(kl, s, s->carry, s->ncarry);
		OPENSSL_cleanse(s->carry, s->ncarry);
		s->ncarry = 0;
	}
}

long keylog_add_text(struct keylog *kl, const char *source, const void *text, size_t len)
{
	struct kl_source *s = source_get(kl, source);
	if (!s)
		return 0;
	unsigned long before = kl->st.secrets;
	feed(kl, s, text, len, true);
	summarize(kl, s);
	return (long)(kl->st.secrets - before);
}

/* Reads fd from s->offset to its end, or max bytes of it. */
static bool read_rest(struct keylog *kl, struct kl_source *s, int fd, size_t max, char *errbuf, size_t errlen)
{
	static char buf[64 * 1024];
	bool ok = true;
	for (size_t done = 0; done < max;) {
		size_t want = max - done < sizeof(buf) ? max - done : sizeof(buf);
		ssize_t r = pread(fd, buf, want, s->offset);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(errbuf, errlen, "cannot read key log %s: %s", s->name, strerror(errno));
			ok = false;
			break;
		}
		if (r == 0)
			break;
		s->offset += r;
		done += (size_t)r;
		feed(kl, s, buf, (size_t)r, false);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	if (!s->follow)
		feed(kl, s, NULL, 0, true);
	summarize(kl, s);
	return ok;
}

/* Opens a source's file; a followed file that shrank or was replaced is
 * read again from its start. */
static int open_source(struct keylog *kl, struct kl_source *s, char *errbuf, size_t errlen)
{
	int fd = open(s->name, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(errbuf, errlen, "cannot open key log %s: %s", s->name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(errbuf, errlen, "cannot read key log %s: it is a directory", s->name);
		close(fd);
		return -1;
	}
	if (s->offset && (st.st_size < s->offset || st.st_ino != s->ino || st.st_dev != s->dev)) {
		kl_note(kl, s, 0, "the key log shrank or was replaced: read again from its start");
		s->offset = 0;
		s->lineno = 0;
		OPENSSL_cleanse(s->carry, s->ncarry);
		s->ncarry = 0;
		s->overlong = false;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	return fd;
}

long keylog_load_file(struct keylog *kl, const char *path, bool follow, char *errbuf, size_t errlen)
{
	struct kl_source *s = source_get(kl, path);
	if (!s) {
		snprintf(errbuf, errlen, "cannot read key log %s: more than %u key logs", path, LIM_KEYLOG_SOURCES);
		return -1;
	}
	s->follow = s->follow || follow;
	int fd = open_source(kl, s, errbuf, errlen);
	if (fd < 0)
		return -1;
	unsigned long before = kl->st.secrets;
	bool ok = read_rest(kl, s, fd, SIZE_MAX, errbuf, errlen);
	close(fd);
	return ok ? (long)(kl->st.secrets - before) : -1;
}

static long refresh(struct keylog *kl, size_t max, char *errbuf, size_t errlen)
{
	unsigned long before = kl->st.secrets;
	bool ok = true;
	for (unsigned i = 0; i < kl->nsrc; i++) {
		struct kl_source *s = kl->src[i];
		if (!s->follow)
			continue;
		int fd = open_source(kl, s, errbuf, errlen);
		if (fd < 0) {
			ok = false;
			continue;
		}
		ok = read_rest(kl, s, fd, max, errbuf, errlen) && ok;
		close(fd);
	}
	return ok ? (long)(kl->st.secrets - before) : -1;
}

long keylog_refresh(struct keylog *kl, char *errbuf, size_t errlen)
{
	return refresh(kl, SIZE_MAX, errbuf, errlen);
}

static int64_t monotonic_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

long keylog_poll(struct keylog *kl, unsigned min_interval_ms, char *errbuf, size_t errlen)
{
	bool followed = false;
	for (unsigned i = 0; i < kl->nsrc && !followed; i++)
		followed = kl->src[i]->follow;
	if (!followed)
		return 0;
	int64_t now = monotonic_ns();
	if (kl->polled_ns && now - kl->polled_ns < (int64_t)min_interval_ms * 1000000LL)
		return 0;
	kl->polled_ns = now;
	return refresh(kl, LIM_KEYLOG_POLL_BYTES, errbuf, errlen);
}
