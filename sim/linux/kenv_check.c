/*
 * kenv_check — can this machine run the linux: target?  One line saying what is
 * missing, so that a run can exit 2 with it and a test can SKIP with it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "linux/kenv_int.h"

static bool kernel_has(const char *fstype)
{
	char *text = NULL;
	bool found = false;
	if (g_file_get_contents("/proc/filesystems", &text, NULL, NULL)) {
		char **lines = g_strsplit(text, "\n", 0);
		for (char **l = lines; *l && !found; l++) {
			char *tab = strrchr(*l, '\t');
			found = !strcmp(tab ? tab + 1 : *l, fstype);
		}
		g_strfreev(lines);
	}
	g_free(text);
	return found;
}

/* Mounted somewhere already, or mountable: try it on a scratch directory. */
static char *tracefs_problem(void)
{
	char *m = kenv_tracefs_mounted(KENV_BASE_DIR);
	if (m) {
		g_free(m);
		return NULL;
	}
	if (!kernel_has("tracefs"))
		return g_strdup("no tracefs in this kernel (/proc/filesystems)");
	char *dir = g_dir_make_tmp("wbsim-tracefs-XXXXXX", NULL);
	char *why = NULL;
	if (!dir)
		return g_strdup("no scratch directory to try mounting tracefs on");
	if (mount("nodev", dir, "tracefs", 0, NULL) != 0)
		why = g_strdup_printf("tracefs cannot be mounted: %s", g_strerror(errno));
	else
		umount2(dir, MNT_DETACH);
	rmdir(dir);
	g_free(dir);
	return why;
}

char *kenv_check(void)
{
#ifndef WBSIM_HAVE_TRACEFS
	return g_strdup("wbsim was built without libtracefs (scripts/deps installs "
			"libtracefs-dev; then rebuild)");
#endif
	if (geteuid() != 0)
		return g_strdup("not root (loop devices, mount and tracefs need root)");
	if (access("/dev/loop-control", R_OK | W_OK) != 0)
		return g_strdup_printf("no loop devices (/dev/loop-control: %s)", g_strerror(errno));
	return tracefs_problem();
}
