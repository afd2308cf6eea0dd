/*
 * The writeback tracepoints of a run (sim/linux/ktrace.c) on the real kernel:
 * the stable-pages hazard shows as folio_wait_writeback events, dirtying and
 * throttling are counted, and another device's events never are.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "linux/ktrace.h"
#include "linux_util.h"

static int open_file(struct kenv *e, const char *name)
{
	char *p = g_build_filename(kenv_mountpoint(e), name, NULL);
	int fd = open(p, O_RDWR | O_CREAT, 0644);
	ck_assert_msg(fd >= 0, "%s", p);
	g_free(p);
	return fd;
}

static struct ktrace *trace_or_fail(struct kenv *e, pid_t pid)
{
	struct ktrace *t = NULL;
	GError *err = NULL;
	if (!ktrace_start(e, pid, &t, &err))
		ck_abort_msg("ktrace_start: %s", err->message);
	return t;
}

static struct ktrace_counts stop_or_fail(struct ktrace *t)
{
	struct ktrace_counts c;
	GError *err = NULL;
	if (!ktrace_stop(t, &c, &err))
		ck_abort_msg("ktrace_stop: %s", err->message);
	ktrace_free(t);
	ck_assert_uint_eq(c.lost_events, 0);
	return c;
}

enum { STORES = 20000, SYNC_EVERY = 10 };

/* One thread rewrites page 0 of a file through a shared mapping while
 * sync_file_range(WRITE) starts writeback every 10th store.  Writeback start
 * write-protects the PTE, so the next store faults; with stable_writes the fault
 * waits for the I/O (folio_wait_writeback), without it the store goes ahead. */
static struct ktrace_counts mmap_rewrite(bool stable)
{
	/* A buffered loop device completes a 4 KiB write as soon as its worker has
	 * copied it into the image's page cache: a few microseconds on an idle
	 * machine, so most stores miss the window (from 38 to 1900 waits per 2000
	 * syncs, as busy as the machine was).  With direct I/O to the image the
	 * write takes the disk's time and nearly every store after a sync waits. */
	struct kenv_opts o = { .fs = KENV_FS_EXT4, .stable_writes = stable, .loop_direct_io = true };
	struct kenv *e = setup_or_fail(&o);
	char *dio_path = g_strdup_printf("/sys/block/%s/loop/dio", kenv_loop_name(e)), *dio = NULL;
	ck_assert(g_file_get_contents(dio_path, &dio, NULL, NULL));
	ck_assert_str_eq(g_strchomp(dio), "1");
	g_free(dio);
	g_free(dio_path);
	int fd = open_file(e, "page0");
	char page[4096] = { 1 };
	ck_assert_int_eq(pwrite(fd, page, sizeof page, 0), 4096);
	ck_assert_int_eq(fsync(fd), 0);
	volatile char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert(m != MAP_FAILED);
	struct ktrace *t = trace_or_fail(e, getpid());
	for (int i = 0; i < STORES; i++) {
		m[(i * 64) % 4096] = (char)i;
		if (i % SYNC_EVERY == 0)
			sync_file_range(fd, 0, 4096, SYNC_FILE_RANGE_WRITE);
	}
	struct ktrace_counts c = stop_or_fail(t);
	munmap((void *)m, 4096);
	close(fd);
	kenv_teardown(e);
	return c;
}

/* The hazard the linux: target must show.  Rounds alternate so that a slow
 * patch of the machine hits both settings; the counts are summed, and the
 * stable side must exceed ten times the other plus one (so 0 against 0 fails). */
START_TEST(test_stable_writes_make_mmap_stores_wait)
{
	enum { ROUNDS = 3 };
	uint64_t with = 0, without = 0, slept = 0;
	for (int r = 0; r < ROUNDS; r++) {
		struct ktrace_counts on = mmap_rewrite(true), off = mmap_rewrite(false);
		printf("round %d: folio_wait_writeback %lu with stable_writes=1 (%.1f us mean "
		       "wait, %lu slept), %lu with stable_writes=0; writeback_dirty_folio %lu / %lu\n",
		       r, (unsigned long)on.folio_wait_writeback,
		       on.waits_slept ? (double)on.wait_ns / (double)on.waits_slept / 1e3 : 0.0,
		       (unsigned long)on.waits_slept, (unsigned long)off.folio_wait_writeback,
		       (unsigned long)on.writeback_dirty_folio,
		       (unsigned long)off.writeback_dirty_folio);
		with += on.folio_wait_writeback;
		without += off.folio_wait_writeback;
		slept += on.waits_slept;
		/* Stable: each store after a sync waits, so every sync finds the page
		 * dirty and idle and cleans it, and the next store dirties it again:
		 * one dirtying per sync plus the first store's, STORES/SYNC_EVERY + 1.
		 * The flusher may clean it a few more times on its own. */
		ck_assert_uint_ge(on.writeback_dirty_folio, STORES / SYNC_EVERY + 1);
		ck_assert_uint_le(on.writeback_dirty_folio, STORES / SYNC_EVERY * 21 / 20 + 1);
		/* Timed waits are waits that slept, and sleeping took time. */
		ck_assert_uint_le(on.waits_slept, on.folio_wait_writeback);
		ck_assert(on.waits_slept == 0 || on.wait_ns > 0);
		ck_assert_int_ge(off.wait_ns, 0);
	}
	printf("total over %d rounds: %lu with stable_writes=1, %lu with stable_writes=0\n",
	       ROUNDS, (unsigned long)with, (unsigned long)without);
	ck_assert_msg(with >= 10 * (without + 1), "%lu waits with stable_writes=1, %lu without",
		      (unsigned long)with, (unsigned long)without);
	/* A store right after a sync finds its page's write just submitted: some of
	 * those waits sleep, and the sched events that time them were decoded. */
	ck_assert_msg(slept > 0, "none of %lu waits slept (sched_switch/sched_wakeup unread?)",
		      (unsigned long)with);
}
END_TEST

/* Dirtying a clean page is one writeback_dirty_folio event: 32 single-page
 * writes 64 KiB apart each make a folio of their own.  Writes to another run's
 * filesystem meanwhile are on another bdi and do not count. */
START_TEST(test_dirty_events_of_this_device_only)
{
	struct kenv_opts o = { .fs = KENV_FS_EXT4 };
	struct kenv *mine = setup_or_fail(&o), *other = setup_or_fail(&o);
	ck_assert_str_ne(kenv_bdi(mine), kenv_bdi(other));
	int fd = open_file(mine, "sparse"), ofd = open_file(other, "noise");
	struct ktrace *t = trace_or_fail(mine, 0);
	char page[4096];
	memset(page, 0x33, sizeof page);
	for (int i = 0; i < 32; i++) {
		ck_assert_int_eq(pwrite(fd, page, sizeof page, (off_t)i * 65536), 4096);
		ck_assert_int_eq(pwrite(ofd, page, sizeof page, (off_t)i * 65536), 4096);
	}
	struct ktrace_counts c = stop_or_fail(t);
	ck_assert_uint_eq(c.writeback_dirty_folio, 32);
	ck_assert_uint_eq(c.folio_wait_writeback, 0);
	ck_assert_int_eq(c.wait_ns, -1);        /* no pid given: not measured */
	close(fd);
	close(ofd);
	kenv_teardown(other);
	kenv_teardown(mine);
}
END_TEST

static void bdi_write(struct kenv *e, const char *attr, const char *value)
{
	char *p = g_strdup_printf("/sys/class/bdi/%s/%s", kenv_bdi(e), attr);
	FILE *f = fopen(p, "w");
	ck_assert_msg(f && fputs(value, f) >= 0 && fclose(f) == 0, "%s", p);
	g_free(p);
}

/* A run throttled by global dirty limits small enough that 64 MiB of writes must
 * pass through balance_dirty_pages' pauses: 16 MiB, background 8 MiB (the
 * machine's own writers are throttled by them too for the second this takes;
 * kenv restores the sysctls at teardown and holds its sysctl lock meanwhile, so no
 * other kernel test changes them).  A per-device limit (strict_limit with
 * max_bytes = 1 MiB) was tried first and gave 31-37 pauses on a loop device that
 * had written back before, and none at all on one used for the first time, as in
 * a fresh CI machine: 64 MiB written in 25 ms, not one balance_dirty_pages event.
 * A run holding the lock already is waited for. */
static struct kenv *setup_with_own_sysctls(void)
{
	static const struct kenv_dirty d = {
		.dirty_bytes = 16ull << 20, .dirty_background_bytes = 8ull << 20,
		.expire_centisecs = 3000, .writeback_centisecs = 500,
	};
	struct kenv_opts o = { .fs = KENV_FS_EXT4, .dirty = &d };
	for (int tries = 0;; tries++) {
		struct kenv *e = NULL;
		GError *err = NULL;
		if (kenv_setup(&o, &e, &err))
			return e;
		bool busy = g_error_matches(err, KENV_ERROR, KENV_ERROR_BUSY);
		if (!busy || tries >= 600)
			ck_abort_msg("kenv_setup: %s", err->message);
		g_error_free(err);
		g_usleep(100 * 1000);
	}
}

START_TEST(test_throttle_pauses_counted)
{
	struct kenv *e = setup_with_own_sysctls();
	int fd = open_file(e, "big");
	static char buf[1 << 20];
	memset(buf, 0x44, sizeof buf);
	struct ktrace *t = trace_or_fail(e, getpid());
	gint64 t0 = g_get_monotonic_time();
	for (int i = 0; i < 64; i++)
		ck_assert_int_eq(write(fd, buf, sizeof buf), (ssize_t)sizeof buf);
	uint64_t wall_ns = (uint64_t)(g_get_monotonic_time() - t0) * 1000;
	struct ktrace_counts c = stop_or_fail(t);
	fprintf(stderr, "balance_dirty_pages: %lu events, %lu pauses, %.3f s paused in %.3f s of writing\n",
	       (unsigned long)c.balance_dirty_pages, (unsigned long)c.throttle_pauses,
	       (double)c.throttle_ns / 1e9, (double)wall_ns / 1e9);
	ck_assert_uint_gt(c.throttle_pauses, 0);
	ck_assert_uint_le(c.throttle_pauses, c.balance_dirty_pages);
	ck_assert_uint_ge(c.throttle_ns, wall_ns / 20);
	ck_assert_uint_le(c.throttle_ns, wall_ns);
	close(fd);
	/* The loop device stays after the run; limits set on its bdi must not stay
	 * with it, or the next user of the device is throttled too. */
	bdi_write(e, "strict_limit", "1");
	bdi_write(e, "max_ratio", "50");
	char *dir = g_strdup_printf("/sys/class/bdi/%s", kenv_bdi(e));
	kenv_teardown(e);
	char *strict = NULL, *max = NULL;
	char *ps = g_build_filename(dir, "strict_limit", NULL), *pm = g_build_filename(dir, "max_ratio", NULL);
	ck_assert(g_file_get_contents(ps, &strict, NULL, NULL));
	ck_assert(g_file_get_contents(pm, &max, NULL, NULL));
	ck_assert_str_eq(g_strchomp(strict), "0");
	ck_assert_str_eq(g_strchomp(max), "100");
	g_free(strict), g_free(max), g_free(ps), g_free(pm), g_free(dir);
}
END_TEST

static Suite *ktrace_suite(void)
{
	Suite *s = suite_create("ktrace");
	TCase *tc = tcase_create("ktrace");
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_stable_writes_make_mmap_stores_wait);
	tcase_add_test(tc, test_dirty_events_of_this_device_only);
	tcase_add_test(tc, test_throttle_pauses_counted);
	suite_add_tcase(s, tc);
	return s;
}

LINUX_TEST_MAIN(ktrace_suite)
