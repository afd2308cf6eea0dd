/*
 * kenv_owner — whose leftovers are these, and removing those of the dead.
 *
 * Everything a run creates carries its owner's token, "<pid>-<start>": the run
 * directory's name and the trace instance's name begin with it.  The start time
 * (from /proc/<pid>/stat) makes the token unique across pid reuse: a leftover is
 * reaped only when no process with that pid AND that start time exists, so a live
 * run is never touched, and neither is anything without a well-formed token.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linux/kenv_int.h"

unsigned long long kenv_proc_start(pid_t pid)
{
	char path[64], *text = NULL;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	/* The command name may hold spaces and parentheses: fields resume after the
	 * last ')'.  Field 3 (state) follows it; the start time is field 22. */
	unsigned long long start = 0;
	char *p = strrchr(text, ')');
	if (p) {
		char **f = g_strsplit(p + 2, " ", 0);
		if (g_strv_length(f) > 19)
			start = g_ascii_strtoull(f[19], NULL, 10);
		g_strfreev(f);
	}
	g_free(text);
	return start;
}

char *kenv_owner_token(void)
{
	return g_strdup_printf("%d-%llu", (int)getpid(), kenv_proc_start(getpid()));
}

bool kenv_owner_alive(const char *name, bool *ok)
{
	char *end;
	*ok = false;
	errno = 0;
	unsigned long pid = strtoul(name, &end, 10);
	if (errno || end == name || *end != '-' || pid == 0 || pid > INT_MAX)
		return false;
	const char *s = end + 1;
	unsigned long long start = strtoull(s, &end, 10);
	if (errno || end == s || (*end != '-' && *end != '\0'))
		return false;
	*ok = true;
	if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
		return false;
	unsigned long long now = kenv_proc_start((pid_t)pid);
	/* A process we cannot read counts as alive: when in doubt, leave it. */
	return now == 0 || now == start;
}

static void remove_known(const char *dir)
{
	static const char *const files[] = { "disk.img", "owner", "sysctl.saved" };
	static const char *const dirs[] = { "mnt", "tracefs" };
	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		char *p = g_build_filename(dir, files[i], NULL);
		unlink(p);
		g_free(p);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
		char *p = g_build_filename(dir, dirs[i], NULL);
		rmdir(p);
		g_free(p);
	}
	/* Only empty: anything unknown inside stays for a person to look at. */
	if (rmdir(dir) != 0 && errno != ENOENT)
		fprintf(stderr, "wbsim: could not remove the dead run's %s: %s\n", dir,
			g_strerror(errno));
}

static void reap_run(const char *dir)
{
	if (kenv_umount_under(dir) > 0) {
		fprintf(stderr, "wbsim: a dead run's filesystem under %s stays mounted\n", dir);
		return;       /* its loop device and image are still in use */
	}
	kenv_loop_reap_under(dir);
	char *saved = g_build_filename(dir, "sysctl.saved", NULL);
	kenv_sysctl_reap(saved);
	g_free(saved);
	remove_known(dir);
}

static void reap_instances(const char *tracing_dir)
{
	char *idir = g_build_filename(tracing_dir, "instances", NULL);
	DIR *d = opendir(idir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			bool ok;
			if (!g_str_has_prefix(de->d_name, "wbsim-"))
				continue;
			if (kenv_owner_alive(de->d_name + 6, &ok) || !ok)
				continue;
			char *p = g_build_filename(idir, de->d_name, NULL);
			if (rmdir(p) != 0)
				fprintf(stderr, "wbsim: could not remove the dead run's trace "
					"instance %s: %s\n", p, g_strerror(errno));
			g_free(p);
		}
		closedir(d);
	}
	g_free(idir);
}

void kenv_reap(const char *base, const char *tracing_dir)
{
	DIR *d = opendir(base);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			bool ok;
			if (de->d_name[0] == '.')
				continue;
			if (kenv_owner_alive(de->d_name, &ok) || !ok)
				continue;
			char *p = g_build_filename(base, de->d_name, NULL);
			if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
				reap_run(p);
			g_free(p);
		}
		closedir(d);
	}
	if (tracing_dir)
		reap_instances(tracing_dir);
}
