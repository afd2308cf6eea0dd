/*
 * kexec_verify — the files read back after the run and judged.
 *
 * The caller unmounts and mounts the run's own filesystem between kx_finish and
 * kx_verify, so nothing cached survives; the files are read with O_DIRECT anyway,
 * which also makes the check honest where no remount happened (the tests): an
 * O_DIRECT read writes back dirty cached pages of its range first, then reads the
 * disk.  A page holding any byte that no acceptable write put there (see
 * kexec_history.c) is a lost write, counted once per page as the model counts
 * blocks.  A page whose bytes differ from what kx_finish read through the cache is a
 * stale cache page.
 */
#include "linux/kexec_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1u << 20)

static int open_back(const char *path, bool *direct)
{
	*direct = true;
	int fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0 && errno == EINVAL) {
		/* A filesystem without O_DIRECT: read through the cache, and say that stale
		 * cache pages were not measured. */
		*direct = false;
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	return fd;
}

/* Read [off, off+n) into @buf.  With O_DIRECT the length asked is rounded up to the
 * alignment; the end of the file makes the read short, which is fine. */
static bool read_chunk(int fd, bool direct, uint64_t off, uint64_t n, uint8_t *buf)
{
	uint64_t want = direct ? (n + KX_PAGE - 1) / KX_PAGE * KX_PAGE : n, got = 0;
	while (got < n) {
		ssize_t r = pread(fd, buf + got, want - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		got += (uint64_t)r;
	}
	return true;
}

static uint64_t stale_cache(struct kx *kx, struct kx_file *f, uint64_t off, uint64_t n,
			    const uint8_t *buf, bool *noted)
{
	uint64_t count = 0;
	for (uint64_t p = 0; p < n; p += KX_PAGE) {
		uint64_t page = (off + p) / KX_PAGE;
		if (kx_hash(buf + p, (size_t)MIN((uint64_t)KX_PAGE, n - p)) == f->cache_hash[page])
			continue;
		count++;
		if (!*noted) {
			*noted = true;
			kx_note(kx, g_strdup_printf("stale cache page: file '%s' page %" G_GUINT64_FORMAT
						    " (offset %" G_GUINT64_FORMAT ") was cached with other "
						    "bytes than the disk holds", f->name, page, page * KX_PAGE));
		}
	}
	return count;
}

bool kx_verify(struct kx *kx, struct kx_verdict *v, GError **err)
{
	g_return_val_if_fail(kx->finished, FALSE);
	kx_check_pending(kx, true);
	uint8_t *buf;
	if (posix_memalign((void **)&buf, KX_PAGE, CHUNK))
		g_error("kexec: out of memory");
	uint64_t lost = 0, cache = 0;
	bool measured = true, ok = true, noted_cache = false;
	for (guint i = 0; ok && i < kx->files->len; i++) {
		struct kx_file *f = kx->files->pdata[i];
		char *path = g_build_filename(kx->dir, f->name, NULL);
		bool direct;
		int fd = open_back(path, &direct);
		if (fd < 0) {
			g_set_error(err, KX_ERROR, 0, "%s: cannot read it back: %s", path, g_strerror(errno));
			ok = false;
		}
		measured &= direct && f->cache_hash;
		for (uint64_t off = 0; ok && off < f->size; off += CHUNK) {
			uint64_t n = MIN((uint64_t)CHUNK, f->size - off);
			errno = 0;
			if (!read_chunk(fd, direct, off, n, buf)) {
				g_set_error(err, KX_ERROR, 0, "%s: reading it back at %" G_GUINT64_FORMAT ": %s",
					    path, off, errno ? g_strerror(errno) : "shorter than declared");
				ok = false;
				break;
			}
			GString *why = g_string_new(NULL);
			uint64_t bad = kx_judge(kx, f, off, off + n, buf, INT64_MAX, INT64_MAX, why);
			if (bad) {
				lost += bad;
				kx_note(kx, g_strdup_printf("lost write: %s", why->str));
			}
			g_string_free(why, TRUE);
			if (direct && f->cache_hash)
				cache += stale_cache(kx, f, off, n, buf, &noted_cache);
		}
		if (fd >= 0)
			close(fd);
		g_free(path);
	}
	free(buf);
	if (!ok)
		return false;
	kx->verified = true;
	kx->m->c[M_LOST_AT_END] = lost;      /* a readback: the end-of-run count */
	kx->m->c[M_STALE_READS] = kx_stale_reads(kx);
	kx->m->c[M_STALE_CACHE_PAGES] = measured ? cache : 0;
	if (v) {
		memset(v, 0, sizeof(*v));
		v->lost_writes = lost;
		v->stale_reads = kx_stale_reads(kx);
		v->stale_cache_pages = cache;
		v->stale_cache_measured = measured;
		v->unchecked_reads = kx_unchecked_reads(kx);
		v->writes_tracked = kx_record_count(kx->hist);
		v->notes = kx_take_notes(kx);
	}
	return true;
}

void kx_verdict_clear(struct kx_verdict *v)
{
	if (v->notes)
		g_ptr_array_free(v->notes, TRUE);
	v->notes = NULL;
}
