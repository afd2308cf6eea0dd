/*
 * The machine around a linux: run (sim/linux/kenv*.c): what setup makes, that
 * teardown leaves nothing, that stable_writes and the sysctls really are what
 * was asked, and the device counters.  Runs on the real kernel; SKIPs with the
 * reason where root, loop devices or tracefs are missing.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux_util.h"

static char *sys_read(const char *fmt, const char *arg)
{
	char *p = g_strdup_printf(fmt, arg), *s = NULL;
	if (!g_file_get_contents(p, &s, NULL, NULL))
		ck_abort_msg("cannot read %s", p);
	g_free(p);
	return g_strchomp(s);
}

static char *mount_type(const char *mnt)
{
	char *text = NULL, *type = NULL;
	ck_assert(g_file_get_contents("/proc/mounts", &text, NULL, NULL));
	char **lines = g_strsplit(text, "\n", 0);
	for (char **l = lines; *l; l++) {
		char **f = g_strsplit(*l, " ", 4);
		if (f[0] && f[1] && f[2] && !strcmp(f[1], mnt))
			type = g_strdup(f[2]);
		g_strfreev(f);
	}
	g_strfreev(lines);
	g_free(text);
	return type;
}

/* Setup makes exactly one loop device and one filesystem mount under the run's
 * directory (plus its own tracefs mount there when none was mounted before);
 * teardown removes them and the directory. */
START_TEST(test_setup_teardown_leaves_nothing)
{
	struct kenv_opts o = { .fs = KENV_FS_EXT4, .stable_writes = true };
	struct kenv *e = setup_or_fail(&o);
	char *rundir = g_strconcat(kenv_rundir(e), "/", NULL);
	bool own_tracefs = g_str_has_prefix(kenv_tracing_dir(e), rundir);
	ck_assert_int_eq(mounts_under(rundir), 1 + own_tracefs);
	ck_assert_int_eq(loops_under(rundir), 1);
	ck_assert(g_file_test(kenv_mountpoint(e), G_FILE_TEST_IS_DIR));
	char *type = mount_type(kenv_mountpoint(e));
	ck_assert_str_eq(type, "ext4");
	g_free(type);
	kenv_teardown(e);
	ck_assert_int_eq(mounts_under(rundir), 0);
	ck_assert_int_eq(loops_under(rundir), 0);
	rundir[strlen(rundir) - 1] = '\0';
	ck_assert(!g_file_test(rundir, G_FILE_TEST_EXISTS));
	g_free(rundir);
}
END_TEST

/* The flag the kernel reads is the one in sysfs after mkfs and mount.  (The
 * bdi's stable_pages_required reads 0 whatever the device says since Linux 5.10,
 * so it proves nothing; test_ktrace shows the flag's effect.) */
START_TEST(test_stable_writes_read_back)
{
	for (int on = 0; on <= 1; on++) {
		struct kenv_opts o = { .fs = KENV_FS_EXT4, .stable_writes = on };
		struct kenv *e = setup_or_fail(&o);
		char *s = sys_read("/sys/block/%s/queue/stable_writes", kenv_loop_name(e));
		ck_assert_str_eq(s, on ? "1" : "0");
		g_free(s);
		kenv_teardown(e);
	}
}
END_TEST

/* Each filesystem mounts with its own type, and its bdi is the name the
 * writeback tracepoints print: the device's "major:minor" for ext4 and xfs,
 * btrfs's private "btrfs-N". */
START_TEST(test_each_filesystem)
{
	static const enum kenv_fs all[] = { KENV_FS_EXT4, KENV_FS_XFS, KENV_FS_BTRFS };
	for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
		struct kenv_opts o = { .fs = all[i] };
		struct kenv *e = setup_or_fail(&o);
		char *type = mount_type(kenv_mountpoint(e));
		ck_assert_msg(type && !strcmp(type, kenv_fs_name(all[i])), "%s mounted as %s",
			      kenv_fs_name(all[i]), type);
		g_free(type);
		if (all[i] == KENV_FS_BTRFS) {
			ck_assert_msg(g_str_has_prefix(kenv_bdi(e), "btrfs-"), "bdi %s", kenv_bdi(e));
		} else {
			char *dev = sys_read("/sys/block/%s/dev", kenv_loop_name(e));
			ck_assert_str_eq(kenv_bdi(e), dev);
			g_free(dev);
		}
		kenv_teardown(e);
	}
}
END_TEST

/* Remount keeps the data and drops the file's pages from the cache: mincore
 * sees none of them resident right after. */
START_TEST(test_remount_drops_cache)
{
	struct kenv_opts o = { .fs = KENV_FS_EXT4 };
	struct kenv *e = setup_or_fail(&o);
	char *path = g_build_filename(kenv_mountpoint(e), "data", NULL);
	enum { PAGES = 64 };
	char buf[4096];
	int fd = open(path, O_RDWR | O_CREAT, 0644);
	for (int i = 0; i < PAGES; i++) {
		memset(buf, 'a' + i % 26, sizeof buf);
		ck_assert_int_eq(pwrite(fd, buf, sizeof buf, (off_t)i * 4096), 4096);
	}
	fsync(fd);
	close(fd);
	GError *err = NULL;
	ck_assert_msg(kenv_remount(e, &err), "%s", err ? err->message : "");
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	void *m = mmap(NULL, PAGES * 4096, PROT_READ, MAP_SHARED, fd, 0);
	unsigned char vec[PAGES];
	ck_assert_int_eq(mincore(m, PAGES * 4096, vec), 0);
	int resident = 0;
	for (int i = 0; i < PAGES; i++)
		resident += vec[i] & 1;
	ck_assert_int_eq(resident, 0);
	ck_assert_int_eq(((char *)m)[37 * 4096 + 5], 'a' + 37 % 26);
	munmap(m, PAGES * 4096);
	close(fd);
	g_free(path);
	kenv_teardown(e);
}
END_TEST

/* On the bare device nothing but us writes: 16 direct 4 KiB writes, each 1 MiB
 * from the last so none can merge, are 16 requests and 16 pages. */
START_TEST(test_disk_stat_counts_writes)
{
	struct kenv_opts o = { .fs = KENV_FS_NONE, .image_size = 64 << 20 };
	struct kenv *e = setup_or_fail(&o);
	ck_assert_ptr_null(kenv_mountpoint(e));
	int fd = open(kenv_loop_device(e), O_RDWR | O_DIRECT);
	ck_assert_int_ge(fd, 0);
	void *buf;
	ck_assert_int_eq(posix_memalign(&buf, 4096, 4096), 0);
	memset(buf, 0x5a, 4096);
	struct kenv_disk_stat a, b;
	ck_assert(kenv_disk_stat(e, &a, NULL));
	for (int i = 0; i < 16; i++)
		ck_assert_int_eq(pwrite(fd, buf, 4096, (off_t)i << 20), 4096);
	ck_assert(kenv_disk_stat(e, &b, NULL));
	uint64_t requests, pages;
	kenv_disk_delta(&a, &b, &requests, &pages);
	ck_assert_uint_eq(requests, 16);
	ck_assert_uint_eq(pages, 16);
	free(buf);
	close(fd);
	kenv_teardown(e);
}
END_TEST

static char *vm(const char *name)
{
	return sys_read("/proc/sys/vm/%s", name);
}

static void vm_write(const char *name, const char *value)
{
	char *p = g_strdup_printf("/proc/sys/vm/%s", name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(value, f);
	ck_assert_int_eq(fclose(f), 0);
	g_free(p);
}

/* A run's writeback sysctls are in force during the run and the old ones after
 * it; a value somebody else changed meanwhile is theirs and stays.  The values
 * stay close to the machine's own (one more centisecond, a byte limit near its
 * ratio) because other programs share this machine while the test runs. */
START_TEST(test_sysctl_apply_and_restore)
{
	char *ratio = vm("dirty_ratio"), *bytes = vm("dirty_bytes");
	char *bg_ratio = vm("dirty_background_ratio"), *bg_bytes = vm("dirty_background_bytes");
	char *expire = vm("dirty_expire_centisecs"), *interval = vm("dirty_writeback_centisecs");
	struct kenv_dirty d = {
		.dirty_bytes = 4ull << 30, .dirty_background_bytes = 2ull << 30,
		.expire_centisecs = (unsigned)atoi(expire) + 1,
		.writeback_centisecs = (unsigned)atoi(interval) + 1,
	};
	struct kenv_opts o = { .fs = KENV_FS_EXT4, .dirty = &d };
	struct kenv *e = setup_or_fail(&o);
	ck_assert_ptr_null(kenv_not_applied(e)[0]);
	char *now = vm("dirty_bytes");
	ck_assert_str_eq(now, "4294967296");
	g_free(now);
	now = vm("dirty_expire_centisecs");
	ck_assert_int_eq(atoi(now), atoi(expire) + 1);
	g_free(now);
	/* Somebody else sets the interval during the run. */
	char *other = g_strdup_printf("%d", atoi(interval) + 2);
	vm_write("dirty_writeback_centisecs", other);
	kenv_teardown(e);

	char *after[] = { vm("dirty_ratio"), vm("dirty_bytes"), vm("dirty_background_ratio"),
			  vm("dirty_background_bytes"), vm("dirty_expire_centisecs"),
			  vm("dirty_writeback_centisecs") };
	vm_write("dirty_writeback_centisecs", interval);      /* put back the machine's */
	ck_assert_str_eq(after[0], ratio);
	ck_assert_str_eq(after[1], bytes);
	ck_assert_str_eq(after[2], bg_ratio);
	ck_assert_str_eq(after[3], bg_bytes);
	ck_assert_str_eq(after[4], expire);
	ck_assert_str_eq(after[5], other);
	for (size_t i = 0; i < G_N_ELEMENTS(after); i++)
		g_free(after[i]);
	g_free(other);
	g_free(ratio), g_free(bytes), g_free(bg_ratio), g_free(bg_bytes), g_free(expire);
	g_free(interval);
}
END_TEST

/* Without sysctls the run says so; a bad size is refused before anything is
 * made. */
START_TEST(test_not_applied_and_bad_input)
{
	struct kenv_opts o = { .fs = KENV_FS_EXT4 };
	struct kenv *e = setup_or_fail(&o);
	const char *const *na = kenv_not_applied(e);
	ck_assert_ptr_nonnull(na[0]);
	ck_assert_msg(g_str_has_prefix(na[0], "vm.dirty_"), "%s", na[0]);
	kenv_teardown(e);

	char *token = g_strdup_printf("%s/%d-", KENV_BASE_DIR, (int)getpid());
	struct kenv_opts bad = { .fs = KENV_FS_XFS, .image_size = 64 << 20 };
	GError *err = NULL;
	ck_assert(!kenv_setup(&bad, &e, &err));
	ck_assert_int_eq(err->code, KENV_ERROR_INPUT);
	ck_assert_msg(strstr(err->message, "xfs") && strstr(err->message, "300 MiB"), "%s",
		      err->message);
	g_error_free(err);
	ck_assert_int_eq(mounts_under(token), 0);
	ck_assert_int_eq(loops_under(token), 0);
	g_free(token);

	enum kenv_fs fs;
	ck_assert(kenv_fs_parse("btrfs", &fs) && fs == KENV_FS_BTRFS);
	ck_assert(!kenv_fs_parse("zfs", &fs));
}
END_TEST

static Suite *kenv_suite(void)
{
	Suite *s = suite_create("kenv");
	TCase *tc = tcase_create("kenv");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_setup_teardown_leaves_nothing);
	tcase_add_test(tc, test_stable_writes_read_back);
	tcase_add_test(tc, test_each_filesystem);
	tcase_add_test(tc, test_remount_drops_cache);
	tcase_add_test(tc, test_disk_stat_counts_writes);
	tcase_add_test(tc, test_sysctl_apply_and_restore);
	tcase_add_test(tc, test_not_applied_and_bad_input);
	suite_add_tcase(s, tc);
	return s;
}

LINUX_TEST_MAIN(kenv_suite)
