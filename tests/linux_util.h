/*
 * Scaffolding for the tests of the linux: target's machine (sim/linux/): a main
 * that SKIPs (exit 77, which CTest reports as skipped) with kenv_check()'s reason
 * on a machine without root, loop devices or tracefs, and probes that look at the
 * machine the way an administrator would (mounts, loop devices) rather than
 * through kenv's own bookkeeping.
 */
#ifndef WBSIM_LINUX_UTIL_H
#define WBSIM_LINUX_UTIL_H

#include <check.h>
#include <dirent.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/kenv.h"

#define LINUX_TEST_MAIN(suite_fn)                                       \
	int main(void)                                                  \
	{                                                               \
		char *why = kenv_check();                               \
		if (why) {                                              \
			printf("SKIP: %s\n", why);                      \
			g_free(why);                                    \
			return 77;                                      \
		}                                                       \
		SRunner *sr = srunner_create(suite_fn());               \
		srunner_run_all(sr, CK_NORMAL);                         \
		int failed = srunner_ntests_failed(sr);                 \
		srunner_free(sr);                                       \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;            \
	}

/* Mounts in /proc/mounts whose mount point starts with @prefix. */
static inline int mounts_under(const char *prefix)
{
	char *text = NULL;
	int n = 0;
	if (!g_file_get_contents("/proc/mounts", &text, NULL, NULL))
		return -1;
	char **lines = g_strsplit(text, "\n", 0);
	for (char **l = lines; *l; l++) {
		char **f = g_strsplit(*l, " ", 3);
		if (f[0] && f[1] && g_str_has_prefix(f[1], prefix))
			n++;
		g_strfreev(f);
	}
	g_strfreev(lines);
	g_free(text);
	return n;
}

/* Attached loop devices whose backing file starts with @prefix (what
 * `losetup -a` lists, read from sysfs). */
static inline int loops_under(const char *prefix)
{
	DIR *d = opendir("/sys/block");
	int n = 0;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "loop", 4))
			continue;
		char *p = g_strdup_printf("/sys/block/%s/loop/backing_file", de->d_name);
		char *bf = NULL;
		if (g_file_get_contents(p, &bf, NULL, NULL) && g_str_has_prefix(bf, prefix))
			n++;
		g_free(bf);
		g_free(p);
	}
	if (d)
		closedir(d);
	return n;
}

/* Trace instances whose name starts with @prefix under @tracing_dir. */
static inline int instances_named(const char *tracing_dir, const char *prefix)
{
	char *dir = g_build_filename(tracing_dir, "instances", NULL);
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)))
		n += g_str_has_prefix(de->d_name, prefix);
	if (d)
		closedir(d);
	g_free(dir);
	return n;
}

static inline struct kenv *setup_or_fail(const struct kenv_opts *o)
{
	struct kenv *e = NULL;
	GError *err = NULL;
	if (!kenv_setup(o, &e, &err))
		ck_abort_msg("kenv_setup: %s", err->message);
	return e;
}

#endif
