/* pcapsrc.c - the bytes of a capture file: a read buffer, memory in place, or zlib inflating either (RFC 1952). */
#include "pcapsrc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "mem.h"

/* The read buffer, grown for bigger blocks. On the 200 MB bench capture
 * 128 KiB to 1 MiB read fastest (44-47 ms CPU for the whole file; 4 MiB
 * 62 ms: it no longer fits the cache); mmap took 68 ms, held 35 MB
 * resident, and dies with SIGBUS when the file shrinks under it. */
#define BUF_START  (256u << 10)
#define ZIN_SIZE   (256u << 10)  /* compressed bytes read at a time */

struct pcapsrc {
	/* where the file's bytes come from: fd, or the caller's memory */
	int fd;
	const uint8_t *mem;
	size_t mem_len, mem_pos;
	/* what the parser reads: mem in place (direct), or buf[start, end) */
	bool direct;
	uint8_t *buf;
	size_t cap, start, end;
	bool eof;                    /* nothing more will come into buf */
	uint64_t base;               /* file offset of the cursor: buf[start], or mem[base] in place */
	/* gzip */
	bool gz, gz_started, gz_cut;
	z_stream z;
	uint8_t *zin;
	size_t zin_cap;
	char err[128];
};

static void set_err(struct pcapsrc *s, const char *what, const char *why)
{
	snprintf(s->err, sizeof s->err, "%s: %s", what, why);
	s->eof = true;
}

/* Raw bytes of the file into dst: from memory or read(2), until n or the end. */
static size_t raw_read(struct pcapsrc *s, uint8_t *dst, size_t n)
{
	if (s->fd < 0) {
		size_t k = s->mem_len - s->mem_pos < n ? s->mem_len - s->mem_pos : n;
		memcpy(dst, s->mem + s->mem_pos, k);
		s->mem_pos += k;
		return k;
	}
	/* one read: a pipe gives what it has, and the caller asks again */
	for (;;) {
		ssize_t r = read(s->fd, dst, n);
		if (r >= 0)
			return (size_t)r;
		if (errno != EINTR) {
			set_err(s, "error reading dump file", strerror(errno));
			return 0;
		}
	}
}

static bool zin_refill(struct pcapsrc *s)
{
	if (s->z.avail_in)
		return true;
	size_t k = raw_read(s, s->zin, s->zin_cap);
	s->z.next_in = s->zin;
	s->z.avail_in = (uInt)k;
	return k > 0;
}

/* After the end of one gzip member: another one follows (cat a.gz b.gz),
 * or trailing bytes that are not gzip, ignored as gzip(1) and gzread do. */
static bool gz_next_member(struct pcapsrc *s)
{
	if (!zin_refill(s))
		return false;
	if (s->z.avail_in < 2 && s->z.next_in != s->zin) {
		memmove(s->zin, s->z.next_in, s->z.avail_in);
		s->z.next_in = s->zin;
		s->z.avail_in += (uInt)raw_read(s, s->zin + s->z.avail_in, 1);
	}
	if (s->z.avail_in < 2 || s->z.next_in[0] != 0x1f || s->z.next_in[1] != 0x8b)
		return false;
	return inflateReset(&s->z) == Z_OK;
}

/* Inflate into buf[end, cap). */
static size_t gz_fill(struct pcapsrc *s)
{
	s->z.next_out = s->buf + s->end;
	s->z.avail_out = (uInt)(s->cap - s->end);
	while (s->z.avail_out && !s->eof) {
		if (!zin_refill(s)) {
			if (s->gz_started)
				s->gz_cut = true;   /* the input ended inside a member */
			s->eof = true;
			break;
		}
		s->gz_started = true;
		int rc = inflate(&s->z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			s->gz_started = false;
			if (!gz_next_member(s))
				s->eof = true;
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			set_err(s, "gzip data is damaged", s->z.msg ? s->z.msg : zError(rc));
		}
	}
	size_t got = (size_t)(s->z.next_out - (s->buf + s->end));
	s->end += got;
	return got;
}

static void fill(struct pcapsrc *s)
{
	size_t got = s->gz ? gz_fill(s) : raw_read(s, s->buf + s->end, s->cap - s->end);
	if (!s->gz)
		s->end += got;
	if (got == 0)
		s->eof = true;
}

static const uint8_t *peek_more(struct pcapsrc *s, size_t n, size_t *got)
{
	if (s->direct) {
		size_t left = s->mem_len - (size_t)s->base;
		*got = left < n ? left : n;
		return s->mem + s->base;
	}
	while (s->end - s->start < n && !s->eof) {
		if (s->start + n > s->cap) {
			memmove(s->buf, s->buf + s->start, s->end - s->start);
			s->end -= s->start;
			s->start = 0;
		}
		if (n > s->cap) {
			s->cap = n;
			s->buf = mem_realloc(s->buf, s->cap);
		}
		fill(s);
	}
	*got = s->end - s->start < n ? s->end - s->start : n;
	return s->buf + s->start;
}

/* Twice a packet (its header, then its bytes): the buffer holding them
 * already is the case to keep small, so that it is inlined. */
const uint8_t *pcapsrc_peek(struct pcapsrc *s, size_t n, size_t *got)
{
	if (!s->direct && s->end - s->start >= n) {
		*got = n;
		return s->buf + s->start;
	}
	return peek_more(s, n, got);
}

void pcapsrc_consume(struct pcapsrc *s, size_t n)
{
	if (s->direct) {
		s->base += n;
		return;
	}
	s->start += n;
	s->base += n;
}

uint64_t pcapsrc_skip(struct pcapsrc *s, uint64_t n)
{
	uint64_t done = 0;
	while (done < n) {
		size_t want = n - done > s->cap && !s->direct ? s->cap : (size_t)(n - done);
		size_t got;
		pcapsrc_peek(s, want, &got);
		pcapsrc_consume(s, got);
		done += got;
		if (got < want)
			break;
	}
	return done;
}

uint64_t pcapsrc_offset(const struct pcapsrc *s) { return s->base; }
bool pcapsrc_gzip(const struct pcapsrc *s) { return s->gz; }

const char *pcapsrc_error(const struct pcapsrc *s, bool *gzip_cut)
{
	*gzip_cut = s->gz_cut;
	return s->err[0] ? s->err : NULL;
}

/* The first bytes decide: gzip goes through zlib, the rest is read as is. */
static int start(struct pcapsrc *s, char *err, size_t errlen)
{
	const uint8_t *p;
	size_t got;
	if (!s->direct) {
		s->cap = BUF_START;
		s->buf = mem_alloc_uninit(s->cap);
	}
	p = pcapsrc_peek(s, 2, &got);
	if (s->err[0]) {
		snprintf(err, errlen, "%s", s->err);
		return SRC_ERROR;
	}
	if (got == 0)
		return SRC_EMPTY;
	if (got < 2 || p[0] != 0x1f || p[1] != 0x8b)
		return SRC_OK;
	/* gzip: the bytes read so far are compressed input */
	s->gz = true;
	if (s->direct) {
		s->direct = false;
		s->zin_cap = ZIN_SIZE;
		s->zin = mem_alloc_uninit(s->zin_cap);
		s->z.next_in = (Bytef *)s->mem;
		s->z.avail_in = s->mem_len > 1u << 30 ? 1u << 30 : (uInt)s->mem_len;
		s->mem_pos = s->z.avail_in;
		s->cap = BUF_START;
		s->buf = mem_alloc_uninit(s->cap);
	} else {
		/* the buffer holds compressed bytes: it becomes zlib's input */
		s->zin = s->buf;
		s->zin_cap = s->cap;
		s->z.next_in = s->zin;
		s->z.avail_in = (uInt)s->end;
		s->buf = mem_alloc_uninit(s->cap);
	}
	s->start = s->end = 0;
	s->base = 0;
	s->eof = false;
	if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK) {
		snprintf(err, errlen, "gzip: %s", s->z.msg ? s->z.msg : "cannot initialize zlib");
		return SRC_ERROR;
	}
	return SRC_OK;
}

static struct pcapsrc *src_new(void)
{
	struct pcapsrc *s = mem_alloc(sizeof *s);
	s->fd = -1;
	return s;
}

int pcapsrc_open_mem(struct pcapsrc **out, const void *data, size_t len, char *err, size_t errlen)
{
	struct pcapsrc *s = src_new();
	s->mem = data;
	s->mem_len = len;
	s->direct = true;
	int rc = start(s, err, errlen);
	if (rc != SRC_OK) {
		pcapsrc_close(s);
		s = NULL;
	}
	*out = s;
	return rc;
}

int pcapsrc_open_path(struct pcapsrc **out, const char *path, char *err, size_t errlen)
{
	struct stat st;
	*out = NULL;
	int fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return SRC_ERROR;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "is a directory");
		close(fd);
		return SRC_ERROR;
	}
	struct pcapsrc *s = src_new();
	s->fd = fd;
	if (S_ISREG(st.st_mode))
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	int rc = start(s, err, errlen);
	if (rc != SRC_OK)
		pcapsrc_close(s);
	else
		*out = s;
	return rc;
}

void pcapsrc_close(struct pcapsrc *s)
{
	if (!s)
		return;
	if (s->gz)
		inflateEnd(&s->z);
	if (s->fd >= 0)
		close(s->fd);
	mem_free(s->zin);
	mem_free(s->buf);
	mem_free(s);
}
