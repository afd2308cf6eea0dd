/*
 * kexec_files — the scenario's files on the filesystem under test: created written in
 * full with their initial pattern and fsync'd (so the first op meets a file whose
 * blocks are all allocated and clean, as the model's files start), opened twice
 * (buffered and O_DIRECT), and read once more through the cache at the end.
 */
#include "linux/kexec_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (1u << 20)

char *kx_scratch_path(const struct kx *kx, uint32_t task)
{
	return g_strdup_printf("%s/.kx-scratch-%u", kx->scratch_dir, task);
}

static bool write_initial(struct kx *kx, struct kx_file *f, int fd, uint8_t *buf, GError **err)
{
	uint64_t word = kx_pattern(f->init_op);
	for (uint64_t off = 0; off < f->size;) {
		size_t n = (size_t)MIN((uint64_t)CHUNK, f->size - off);
		kx_fill(buf, off, n, word);
		ssize_t w = pwrite(fd, buf, n, (off_t)off);
		if (w <= 0) {
			g_set_error(err, KX_ERROR, 0, "%s/%s: writing the initial content at %" G_GUINT64_FORMAT
				    ": %s", kx->dir, f->name, off, w < 0 ? g_strerror(errno) : "no progress");
			return false;
		}
		off += (uint64_t)w;
	}
	if (fsync(fd) < 0) {
		g_set_error(err, KX_ERROR, 0, "%s/%s: fsync after the initial content: %s", kx->dir,
			    f->name, g_strerror(errno));
		return false;
	}
	return true;
}

/* The alignment O_DIRECT needs on this filesystem, for memory and file offsets alike. */
static unsigned dio_alignment(int fd)
{
	struct statx st;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &st) == 0 && (st.stx_mask & STATX_DIOALIGN) &&
	    st.stx_dio_offset_align)
		return MAX(st.stx_dio_mem_align, st.stx_dio_offset_align);
	return KX_PAGE;         /* not reported: the alignment that always works */
}

/*
 * The directories on the way to @name ("a" and "a/b" for "a/b/c"), made where missing
 * and remembered in @made (so a failed prepare removes them again).  One that exists
 * already is used as it is: O_EXCL on the file still keeps what was there untouched.
 */
static bool make_parents(struct kx *kx, const char *name, GPtrArray *made, GError **err)
{
	for (const char *s = strchr(name, '/'); s; s = strchr(s + 1, '/')) {
		char *dir = g_strndup(name, (gsize)(s - name));
		struct stat st;
		if (mkdirat(kx->dirfd, dir, 0755) == 0) {
			g_ptr_array_add(made, dir);
			continue;
		}
		int e = errno;
		if (e == EEXIST && fstatat(kx->dirfd, dir, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode)) {
			g_free(dir);
			continue;
		}
		g_set_error(err, KX_ERROR, 0, "%s/%s: cannot make the directory: %s", kx->dir, dir,
			    e == EEXIST ? "something that is not a directory is there" : g_strerror(e));
		g_free(dir);
		return false;
	}
	return true;
}

/* fsync every directory a file was put in, deepest first, then the run's directory:
 * the names must be on the disk as the files are before the remount. */
static bool sync_dirs(struct kx *kx, GError **err)
{
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	bool ok = true;
	for (guint i = 0; ok && i < kx->files->len; i++) {
		const char *name = ((struct kx_file *)kx->files->pdata[i])->name;
		for (const char *s = strrchr(name, '/'); ok && s; ) {
			char *dir = g_strndup(name, (gsize)(s - name));
			if (!g_hash_table_add(seen, dir))
				break;          /* it, and those above it, are done */
			int fd = openat(kx->dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0 || fsync(fd) < 0) {
				g_set_error(err, KX_ERROR, 0, "%s/%s: fsync of the directory: %s", kx->dir,
					    dir, g_strerror(errno));
				ok = false;
			}
			if (fd >= 0)
				close(fd);
			const char *up = s;
			while (up > name && up[-1] != '/')
				up--;
			s = up > name ? up - 1 : NULL;
		}
	}
	g_hash_table_destroy(seen);
	if (ok && fsync(kx->dirfd) < 0) {
		g_set_error(err, KX_ERROR, 0, "%s: fsync of the directory: %s", kx->dir, g_strerror(errno));
		ok = false;
	}
	return ok;
}

bool kx_files_create(struct kx *kx, GError **err)
{
	uint8_t *buf;
	if (posix_memalign((void **)&buf, KX_PAGE, CHUNK))
		g_error("kexec: out of memory");
	g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(g_free);
	guint made = 0;
	bool ok = true;
	for (guint i = 0; ok && i < kx->files->len; i++) {
		struct kx_file *f = kx->files->pdata[i];
		if (!make_parents(kx, f->name, dirs, err)) {
			ok = false;
			break;
		}
		/* O_EXCL: never write over a file the run did not create. */
		int fd = openat(kx->dirfd, f->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0) {
			g_set_error(err, KX_ERROR, 0, "%s/%s: cannot create: %s", kx->dir, f->name,
				    g_strerror(errno));
			ok = false;
			break;
		}
		made++;
		f->init_op = kx->next_op++;
		ok = write_initial(kx, f, fd, buf, err);
		if (ok && i == 0)
			kx->dio_align = dio_alignment(fd);
		close(fd);
	}
	if (ok)
		ok = sync_dirs(kx, err);
	if (!ok) {
		for (guint i = 0; i < made; i++)
			unlinkat(kx->dirfd, ((struct kx_file *)kx->files->pdata[i])->name, 0);
		for (guint i = dirs->len; i-- > 0;)     /* deepest last made: removed first */
			unlinkat(kx->dirfd, dirs->pdata[i], AT_REMOVEDIR);
	}
	free(buf);
	if (ok)
		for (guint i = 0; i < kx->files->len; i++)
			kx_segs_init(kx->files->pdata[i]);
	return ok;
}

bool kx_prepare(struct kx *kx, GError **err)
{
	g_return_val_if_fail(!kx->prepared, FALSE);
	kx->dirfd = open(kx->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (kx->dirfd < 0) {
		g_set_error(err, KX_ERROR, 0, "%s: %s", kx->dir, g_strerror(errno));
		return false;
	}
	bool ok = kx_files_create(kx, err);
	close(kx->dirfd);
	kx->dirfd = -1;
	if (!ok)
		return false;
	kx->prepared = true;
	return true;
}

bool kx_files_open(struct kx *kx, GError **err)
{
	for (guint i = 0; i < kx->files->len; i++) {
		struct kx_file *f = kx->files->pdata[i];
		f->fd = openat(kx->dirfd, f->name, O_RDWR | O_CLOEXEC);
		if (f->fd >= 0)
			f->dfd = openat(kx->dirfd, f->name, O_RDWR | O_DIRECT | O_CLOEXEC);
		if (f->fd < 0 || f->dfd < 0) {
			g_set_error(err, KX_ERROR, 0, "%s/%s: cannot open%s: %s", kx->dir, f->name,
				    f->fd >= 0 ? " with O_DIRECT" : "", g_strerror(errno));
			kx_files_close(kx);
			return false;
		}
	}
	return true;
}

void kx_files_close(struct kx *kx)
{
	for (guint i = 0; i < kx->files->len; i++) {
		struct kx_file *f = kx->files->pdata[i];
		if (f->fd >= 0)
			close(f->fd);
		if (f->dfd >= 0)
			close(f->dfd);
		f->fd = f->dfd = -1;
	}
	for (guint i = 0; i < kx->tasks->len; i++) {
		char *p = kx_scratch_path(kx, i);
		unlink(p);
		g_free(p);
	}
}

/*
 * What the page cache holds at the end, page by page.  Pages that are not cached are
 * read from the disk and so agree with it; dirty ones are written when the caller
 * unmounts and so agree too; a clean cached page that differs from the disk later
 * read by kx_verify is a stale cache page (a direct write that could not invalidate it).
 */
void kx_files_snapshot_cache(struct kx *kx)
{
	uint8_t *buf;
	if (posix_memalign((void **)&buf, KX_PAGE, CHUNK))
		g_error("kexec: out of memory");
	for (guint i = 0; i < kx->files->len; i++) {
		struct kx_file *f = kx->files->pdata[i];
		if (f->fd < 0)
			continue;
		uint64_t pages = (f->size + KX_PAGE - 1) / KX_PAGE;
		g_free(f->cache_hash);
		f->cache_hash = g_new0(uint64_t, pages);
		for (uint64_t off = 0; off < f->size;) {
			size_t n = (size_t)MIN((uint64_t)CHUNK, f->size - off);
			ssize_t r = pread(f->fd, buf, n, (off_t)off);
			if (r <= 0) {
				g_clear_pointer(&f->cache_hash, g_free);
				break;
			}
			for (size_t p = 0; p < (size_t)r; p += KX_PAGE)
				f->cache_hash[(off + p) / KX_PAGE] = kx_hash(buf + p, MIN(KX_PAGE, (size_t)r - p));
			off += (uint64_t)r;
		}
	}
	free(buf);
}
