/*
 * kenv_sysctl — a scenario's writeback settings on the real machine.
 *
 * vm.dirty_* are machine-wide, so a run that sets them (opts.dirty) does three
 * things to stay harmless: it holds an exclusive lock (<base>/sysctl.lock) so two
 * runs never interleave their saves and restores; it writes the old values to
 * <rundir>/sysctl.saved before changing anything, so that the reaper can put them
 * back after a kill -9; and each restore first checks that the value is still the
 * one this run wrote — if somebody changed it since, their value stays.
 *
 * Ratios are set as byte limits (vm.dirty_bytes, vm.dirty_background_bytes):
 * the kernel keeps one of each pair active, so the undo of a byte limit writes
 * back whichever of ratio or bytes was active before.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "linux/kenv_int.h"

#define VM "/proc/sys/vm/"

/* Signal-safe: read a small proc file into @buf, trailing newline dropped. */
static bool read_raw(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return false;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return true;
}

static void undo_one(const struct kenv_sysctl_undo *u)
{
	char now[32];
	if (read_raw(u->check_path, now, sizeof now) && !strcmp(now, u->check))
		kenv_write_str(u->restore_path, u->restore);
}

void kenv_sysctl_restore_raw(struct kenv *e)
{
	for (int i = atomic_exchange(&e->n_undo, 0) - 1; i >= 0; i--)
		undo_one(&e->undo[i]);
	if (e->sysctl_lock_fd >= 0) {
		close(e->sysctl_lock_fd);
		e->sysctl_lock_fd = -1;
	}
}

void kenv_sysctl_reap(const char *saved_file)
{
	char *text = NULL;
	if (!g_file_get_contents(saved_file, &text, NULL, NULL))
		return;
	char **lines = g_strsplit(text, "\n", 0);
	for (char **l = lines; *l; l++) {
		struct kenv_sysctl_undo u;
		char **f = g_strsplit(*l, " ", 0);
		if (g_strv_length(f) == 4 && g_str_has_prefix(f[0], VM) &&
		    g_str_has_prefix(f[2], VM)) {
			snprintf(u.restore_path, sizeof u.restore_path, "%s", f[0]);
			snprintf(u.restore, sizeof u.restore, "%s", f[1]);
			snprintf(u.check_path, sizeof u.check_path, "%s", f[2]);
			snprintf(u.check, sizeof u.check, "%s", f[3]);
			undo_one(&u);
		}
		g_strfreev(f);
	}
	g_strfreev(lines);
	g_free(text);
}

/* One undo entry for setting @path to @value; for a byte limit @ratio_path names
 * the ratio that may be the active one of the pair instead. */
static bool plan(struct kenv_sysctl_undo *u, const char *path, const char *ratio_path,
		 uint64_t value, GError **err)
{
	char old[32];
	if (!read_raw(path, old, sizeof old)) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "%s: %s", path, g_strerror(errno));
		return false;
	}
	snprintf(u->restore_path, sizeof u->restore_path, "%s", path);
	snprintf(u->restore, sizeof u->restore, "%s", old);
	if (ratio_path && !strcmp(old, "0")) {
		/* The ratio was the active one: putting it back clears the byte limit. */
		snprintf(u->restore_path, sizeof u->restore_path, "%s", ratio_path);
		if (!read_raw(ratio_path, u->restore, sizeof u->restore)) {
			g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "%s: %s", ratio_path,
				    g_strerror(errno));
			return false;
		}
	}
	snprintf(u->check_path, sizeof u->check_path, "%s", path);
	snprintf(u->check, sizeof u->check, "%" PRIu64, value);
	return true;
}

static bool take_lock(struct kenv *e, GError **err)
{
	char *base = g_path_get_dirname(e->rundir);
	char *path = g_build_filename(base, "sysctl.lock", NULL);
	e->sysctl_lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	bool ok = e->sysctl_lock_fd >= 0 && flock(e->sysctl_lock_fd, LOCK_EX | LOCK_NB) == 0;
	if (!ok) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_BUSY,
			    "another wbsim run holds the machine's writeback sysctls (%s)", path);
		if (e->sysctl_lock_fd >= 0)
			close(e->sysctl_lock_fd);
		e->sysctl_lock_fd = -1;
	}
	g_free(path);
	g_free(base);
	return ok;
}

bool kenv_sysctl_apply(struct kenv *e, const struct kenv_dirty *d, GError **err)
{
	if (d->dirty_bytes < 2 * 4096 || d->dirty_background_bytes == 0) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_INPUT,
			    "vm.dirty_bytes must be at least two pages and "
			    "vm.dirty_background_bytes more than 0");
		return false;
	}
	if (!take_lock(e, err))
		return false;
	struct kenv_sysctl_undo plans[KENV_MAX_SYSCTL];
	if (!plan(&plans[0], VM "dirty_bytes", VM "dirty_ratio", d->dirty_bytes, err) ||
	    !plan(&plans[1], VM "dirty_background_bytes", VM "dirty_background_ratio",
		  d->dirty_background_bytes, err) ||
	    !plan(&plans[2], VM "dirty_expire_centisecs", NULL, d->expire_centisecs, err) ||
	    !plan(&plans[3], VM "dirty_writeback_centisecs", NULL, d->writeback_centisecs, err)) {
		kenv_sysctl_restore_raw(e);
		return false;
	}
	GString *saved = g_string_new(NULL);
	for (int i = 0; i < KENV_MAX_SYSCTL; i++)
		g_string_append_printf(saved, "%s %s %s %s\n", plans[i].restore_path,
				       plans[i].restore, plans[i].check_path, plans[i].check);
	bool ok = g_file_set_contents(e->sysctl_file, saved->str, -1, err);
	g_string_free(saved, TRUE);
	for (int i = 0; ok && i < KENV_MAX_SYSCTL; i++) {
		/* Counted before the write: a signal in between restores a value that
		 * may not have changed, which the check makes harmless. */
		e->undo[i] = plans[i];
		atomic_store(&e->n_undo, i + 1);
		int rc = kenv_write_str(plans[i].check_path, plans[i].check);
		if (rc) {
			g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "writing %s to %s: %s",
				    plans[i].check, plans[i].check_path, g_strerror(rc));
			ok = false;
		}
	}
	if (!ok)
		kenv_sysctl_restore_raw(e);
	return ok;
}

void kenv_dirty_from_scenario(uint64_t memory, unsigned dirty_background_ratio,
			      unsigned dirty_ratio, uint64_t expire_ns, uint64_t interval_ns,
			      struct kenv_dirty *out)
{
	/* The kernel refuses a hard limit under two pages, and reads a zero
	 * background limit as "use the ratio": keep both meaningful. */
	out->dirty_bytes = MAX(memory / 100 * dirty_ratio, 2 * 4096);
	out->dirty_background_bytes = MAX(memory / 100 * dirty_background_ratio, 4096);
	out->expire_centisecs = (unsigned)MIN(expire_ns / 10000000, G_MAXINT);
	/* 0 would switch periodic writeback off, not make it as frequent as it gets. */
	out->writeback_centisecs = (unsigned)MAX(MIN(interval_ns / 10000000, G_MAXINT), 1);
}
