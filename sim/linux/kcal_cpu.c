/*
 * kcal_cpu — what the CPU side of the model costs on this machine: a system
 * call, a page copy, a write fault, a PTE update.  Each is timed over a batch
 * (so the clock's own cost vanishes) and the median batch is kept.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "linux/kcal_int.h"

uint64_t kcal_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

uint64_t kcal_median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_u64);
	return n ? v[n / 2] : 0;
}

#define ROUNDS 9
/* Keeps the compiler from dropping or merging the copies being timed: the
 * buffers escape into an asm that may read and write all memory. */
#define CLOBBER(a, b) __asm__ __volatile__("" : : "r"(a), "r"(b) : "memory")

static uint64_t syscall_cost(void)
{
	enum { N = 100000 };
	uint64_t r[ROUNDS];
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t = kcal_now();
		for (int j = 0; j < N; j++)
			syscall(SYS_getppid);      /* not glibc's getppid: no caching */
		r[i] = (kcal_now() - t) / N;
	}
	return kcal_median(r, ROUNDS);
}

static void copy_costs(struct kcal *k)
{
	enum { WARM = 100000, COLD_BYTES = 64 << 20, PAGES = COLD_BYTES / 4096 };
	static char a[4096], b[4096];
	uint64_t r[ROUNDS];
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t = kcal_now();
		for (int j = 0; j < WARM; j++) {
			memcpy(a, b, 4096);
			CLOBBER(a, b);
		}
		r[i] = (kcal_now() - t) / WARM;
	}
	k->copy_page_warm = kcal_median(r, ROUNDS);
	/* Two buffers far larger than any last-level cache here, touched first so
	 * no page fault is timed; each pass evicts what the previous left. */
	char *src = malloc(COLD_BYTES), *dst = malloc(COLD_BYTES);
	memset(src, 1, COLD_BYTES);
	memset(dst, 2, COLD_BYTES);
	for (int i = 0; i < 5; i++) {
		uint64_t t = kcal_now();
		for (int p = 0; p < PAGES; p++) {
			memcpy(dst + (size_t)p * 4096, src + (size_t)p * 4096, 4096);
			CLOBBER(dst, src);
		}
		r[i] = (kcal_now() - t) / PAGES;
	}
	k->copy_page_cold = kcal_median(r, 5);
	free(src);
	free(dst);
}

static uint64_t pte_cost(void)
{
	enum { PAGES = 4096 };
	size_t len = (size_t)PAGES * 4096;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 0;
	madvise(m, len, MADV_NOHUGEPAGE);    /* one PTE per page, not one PMD */
	memset(m, 3, len);
	uint64_t r[ROUNDS];
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t = kcal_now();
		mprotect(m, len, PROT_READ);
		mprotect(m, len, PROT_READ | PROT_WRITE);
		r[i] = (kcal_now() - t) / (2 * PAGES);
	}
	munmap(m, len);
	return kcal_median(r, ROUNDS);
}

bool kcal_fault_cost(const char *dir, uint64_t *out, GError **err)
{
	enum { PAGES = 4096 };
	size_t len = (size_t)PAGES * 4096;
	char *path = g_build_filename(dir, "faults", NULL);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char *m = MAP_FAILED;
	bool ok = fd >= 0 && ftruncate(fd, (off_t)len) == 0;
	if (ok) {
		char *buf = g_malloc0(len);
		ok = pwrite(fd, buf, len, 0) == (ssize_t)len && fsync(fd) == 0;
		g_free(buf);
	}
	/* MAP_POPULATE maps a shared file read-only (no write fault is taken for a
	 * mapping that needs no COW), so the first store to each page is exactly
	 * the write-protect fault the model's `fault` stands for. */
	if (ok)
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (!ok || m == MAP_FAILED) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", path,
			    g_strerror(errno));
		if (fd >= 0)
			close(fd);
		g_free(path);
		return false;
	}
	uint64_t r[ROUNDS];
	for (int i = 0; i < ROUNDS; i++) {
		/* msync cleans every page and write-protects its PTE again. */
		msync(m, len, MS_SYNC);
		uint64_t t = kcal_now();
		for (int p = 0; p < PAGES; p++)
			((volatile char *)m)[(size_t)p * 4096] = (char)i;
		r[i] = (kcal_now() - t) / PAGES;
	}
	*out = kcal_median(r, ROUNDS);
	munmap(m, len);
	close(fd);
	unlink(path);
	g_free(path);
	return true;
}

void kcal_cpu(struct kcal *k)
{
	k->syscall = syscall_cost();
	copy_costs(k);
	k->pte_update = pte_cost();
}
