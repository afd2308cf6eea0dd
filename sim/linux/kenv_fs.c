/*
 * kenv_fs — the run's filesystem (mkfs, mount, unmount) and the tracefs mount.
 *
 * mkfs is the distribution's tool, spawned with an argument vector (no shell) on
 * the loop device this run attached and checked.  Each tool is told not to
 * discard, and ext4 to initialise its inode tables and journal now rather than
 * from a kernel thread during the run, which would add writes nobody asked for.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/kenv_int.h"

/* mkfs lives in sbin, which a CI environment's PATH may lack. */
static char *find_tool(const char *name)
{
	char *p = g_find_program_in_path(name);
	static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin" };
	for (size_t i = 0; !p && i < G_N_ELEMENTS(dirs); i++) {
		char *c = g_build_filename(dirs[i], name, NULL);
		if (g_file_test(c, G_FILE_TEST_IS_EXECUTABLE))
			p = c;
		else
			g_free(c);
	}
	return p;
}

bool kenv_fs_make(struct kenv *e, GError **err)
{
	static const struct { const char *tool, *package, *args[4]; } mkfs[] = {
		[KENV_FS_EXT4] = { "mkfs.ext4", "e2fsprogs",
				   { "-F", "-q", "-E", "lazy_itable_init=0,lazy_journal_init=0,nodiscard" } },
		[KENV_FS_XFS] = { "mkfs.xfs", "xfsprogs", { "-f", "-q", "-K", NULL } },
		[KENV_FS_BTRFS] = { "mkfs.btrfs", "btrfs-progs", { "-f", "-q", "-K", NULL } },
	};
	if (e->fs == KENV_FS_NONE)
		return true;
	char *tool = find_tool(mkfs[e->fs].tool);
	if (!tool) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_MISSING,
			    "%s not found (Debian package %s; scripts/deps installs it)",
			    mkfs[e->fs].tool, mkfs[e->fs].package);
		return false;
	}
	const char *argv[8] = { tool };
	int n = 1;
	for (int i = 0; i < 4 && mkfs[e->fs].args[i]; i++)
		argv[n++] = mkfs[e->fs].args[i];
	argv[n++] = e->loop_dev;
	argv[n] = NULL;
	char *out = NULL, *errout = NULL;
	int status = 0;
	GError *serr = NULL;
	bool ok = g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
			       &errout, &status, &serr);
	if (!ok) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "%s: %s", tool, serr->message);
		g_error_free(serr);
	} else if (!g_spawn_check_wait_status(status, NULL)) {
		ok = false;
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "%s %s failed: %s", tool,
			    e->loop_dev, g_strstrip(errout));
	}
	g_free(out);
	g_free(errout);
	g_free(tool);
	return ok;
}

bool kenv_fs_mount(struct kenv *e, GError **err)
{
	if (mount(e->loop_dev, e->mnt, kenv_fs_name(e->fs), 0, NULL) != 0) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "mount %s on %s (%s): %s",
			    e->loop_dev, e->mnt, kenv_fs_name(e->fs), g_strerror(errno));
		return false;
	}
	atomic_store(&e->mounted, true);
	return true;
}

void kenv_fs_umount_raw(struct kenv *e)
{
	if (atomic_exchange(&e->mounted, false)) {
		if (umount2(e->mnt, 0) != 0 && errno == EBUSY)
			umount2(e->mnt, MNT_DETACH);
	}
	if (e->tracefs_mnt[0]) {
		umount2(e->tracefs_mnt, MNT_DETACH);
		e->tracefs_mnt[0] = '\0';
	}
}

/* /proc/self/mountinfo escapes blanks and backslashes in paths as \ooo. */
static char *unescape(const char *s)
{
	GString *o = g_string_new(NULL);
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] && s[3]) {
			g_string_append_c(o, (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0')));
			s += 3;
		} else {
			g_string_append_c(o, *s);
		}
	}
	return g_string_free(o, FALSE);
}

/* Mount points (field 5) of the mounts whose filesystem type matches @fstype
 * (NULL: any), in mountinfo order. */
static GPtrArray *mount_points(const char *fstype)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	char *text = NULL;
	if (!g_file_get_contents("/proc/self/mountinfo", &text, NULL, NULL))
		return a;
	char **lines = g_strsplit(text, "\n", 0);
	for (char **l = lines; *l; l++) {
		char **f = g_strsplit(*l, " ", 0);
		guint n = g_strv_length(f);
		/* The optional fields end with "-", followed by the type. */
		guint dash = 6;
		while (dash < n && strcmp(f[dash], "-"))
			dash++;
		if (n > 4 && dash + 1 < n && (!fstype || !strcmp(f[dash + 1], fstype)))
			g_ptr_array_add(a, unescape(f[4]));
		g_strfreev(f);
	}
	g_strfreev(lines);
	g_free(text);
	return a;
}

char *kenv_tracefs_mounted(const char *base)
{
	GPtrArray *a = mount_points("tracefs");
	char *prefix = g_strconcat(base, "/", NULL);
	char *p = NULL;
	/* Another run's own mount goes away with that run: never borrow it. */
	for (guint i = 0; i < a->len && !p; i++)
		if (!g_str_has_prefix(a->pdata[i], prefix))
			p = g_strdup(a->pdata[i]);
	g_free(prefix);
	g_ptr_array_free(a, TRUE);
	return p;
}

bool kenv_tracefs_find_or_mount(struct kenv *e, GError **err)
{
	char *base = g_path_get_dirname(e->rundir);
	char *p = kenv_tracefs_mounted(base);
	g_free(base);
	if (p) {
		snprintf(e->tracing_dir, sizeof e->tracing_dir, "%s", p);
		g_free(p);
		return true;
	}
	char *dir = g_build_filename(e->rundir, "tracefs", NULL);
	bool ok = mkdir(dir, 0700) == 0 && mount("nodev", dir, "tracefs", 0, NULL) == 0;
	if (ok) {
		snprintf(e->tracefs_mnt, sizeof e->tracefs_mnt, "%s", dir);
		snprintf(e->tracing_dir, sizeof e->tracing_dir, "%s", dir);
	} else {
		g_set_error(err, KENV_ERROR, KENV_ERROR_MISSING, "cannot mount tracefs on %s: %s",
			    dir, g_strerror(errno));
	}
	g_free(dir);
	return ok;
}

static gint longest_first(gconstpointer a, gconstpointer b)
{
	return (int)strlen(*(char *const *)b) - (int)strlen(*(char *const *)a);
}

int kenv_umount_under(const char *dir)
{
	char *prefix = g_strconcat(dir, "/", NULL);
	GPtrArray *a = mount_points(NULL);
	g_ptr_array_sort(a, longest_first);
	for (guint i = 0; i < a->len; i++) {
		const char *m = a->pdata[i];
		if (!g_str_has_prefix(m, prefix))
			continue;
		/* The owner is dead: whatever keeps it busy is not ours to wait for. */
		if (umount2(m, 0) != 0 && errno == EBUSY)
			umount2(m, MNT_DETACH);
	}
	g_ptr_array_free(a, TRUE);
	a = mount_points(NULL);
	int left = 0;
	for (guint i = 0; i < a->len; i++)
		left += g_str_has_prefix(a->pdata[i], prefix);
	g_ptr_array_free(a, TRUE);
	g_free(prefix);
	return left;
}
