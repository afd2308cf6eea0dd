/*
 * kenv_int — what the kenv_*.c files share and nobody else needs.
 *
 * struct kenv keeps every path and value that teardown needs in fixed arrays, so
 * that the signal handler can undo a run with system calls alone: no malloc, no
 * stdio, nothing that a signal arriving inside malloc could deadlock on.
 */
#ifndef WBSIM_KENV_INT_H
#define WBSIM_KENV_INT_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "linux/kenv.h"

#define KENV_MAX_SYSCTL 4

/* One sysctl to put back: write @restore to @restore_path if @check_path still
 * reads @check (what this run wrote); if somebody changed it since, theirs wins. */
struct kenv_sysctl_undo {
	char restore_path[64];
	char restore[32];
	char check_path[64];
	char check[32];
};

struct kenv {
	enum kenv_fs fs;
	bool stable_writes;
	char rundir[PATH_MAX];
	char image[PATH_MAX];
	char mnt[PATH_MAX];              /* "" until mounted once */
	char tracefs_mnt[PATH_MAX];      /* our own tracefs mount, "" when one existed */
	char tracing_dir[PATH_MAX];
	char trace_instance[PATH_MAX];   /* a live trace instance directory, or "" */
	char owner_file[PATH_MAX];
	char sysctl_file[PATH_MAX];
	char loop_dev[32];
	char loop_name[16];
	char bdi[40];
	char loop_bdi_dir[64];           /* /sys/class/bdi/<major:minor> of the loop device */
	int loop_fd;
	int sysctl_lock_fd;
	atomic_bool mounted;
	struct kenv_sysctl_undo undo[KENV_MAX_SYSCTL];
	atomic_int n_undo;
	atomic_bool torn;                /* the system-call teardown has run */
	const char *not_applied[4];
};

/* Write @s to a sysfs or procfs file in one write(2), in place (never a temporary
 * file and a rename, which those filesystems refuse); 0 or an errno.  Signal-safe. */
static inline int kenv_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	size_t n = strlen(s);
	int rc = write(fd, s, n) == (ssize_t)n ? 0 : (errno ? errno : EIO);
	close(fd);
	return rc;
}

/* ---- kenv_owner.c: who owns a leftover, and reaping the dead's ---- */

/* The start time of @pid (clock ticks since boot, /proc/<pid>/stat field 22);
 * 0 when there is no such process. */
unsigned long long kenv_proc_start(pid_t pid);
/* "<pid>-<start>": this process's owner token. */
char *kenv_owner_token(void);
/* Whether the owner named by a token prefix ("<pid>-<start>-...") is alive;
 * false for a malformed name (and *ok false, so the caller leaves it alone). */
bool kenv_owner_alive(const char *name, bool *ok);
/* Under the lock of @base: remove what dead owners left in @base, and their trace
 * instances under @tracing_dir (may be NULL when there is no tracefs yet). */
void kenv_reap(const char *base, const char *tracing_dir);

/* ---- kenv_loop.c: the run's loop device ---- */

bool kenv_loop_attach(struct kenv *e, bool direct_io, GError **err);
/* Detach with system calls only (signal-safe); idempotent. */
void kenv_loop_detach_raw(struct kenv *e);
bool kenv_loop_set_stable(struct kenv *e, bool on, GError **err);
/* The loop device's bdi limits (strict_limit, min_ratio, max_ratio) back to the
 * kernel's defaults.  Loop devices outlive their users and so do these: a run
 * starts from the defaults and leaves them so.  Signal-safe. */
void kenv_loop_bdi_defaults(struct kenv *e);
bool kenv_loop_read_stable(const char *loop_name, bool *on);
/* /sys/block/loop*\/loop/backing_file names a file under @dir/: detach it. */
void kenv_loop_reap_under(const char *dir);
bool kenv_resolve_bdi(struct kenv *e, GError **err);

/* ---- kenv_fs.c: mkfs, mount, tracefs ---- */

bool kenv_fs_make(struct kenv *e, GError **err);
bool kenv_fs_mount(struct kenv *e, GError **err);
/* umount, or a lazy detach when busy (the signal path: our own threads may still
 * hold files open); signal-safe; idempotent. */
void kenv_fs_umount_raw(struct kenv *e);
/* Use a mounted tracefs, or mount one at <rundir>/tracefs. */
bool kenv_tracefs_find_or_mount(struct kenv *e, GError **err);
/* The mount point of a mounted tracefs that is not another run's (under
 * @base), or NULL (g_free). */
char *kenv_tracefs_mounted(const char *base);
/* Unmount every mount point under @dir/ (deepest first); returns how many stay. */
int kenv_umount_under(const char *dir);

/* ---- kenv_sysctl.c: vm.dirty_* for a run ---- */

bool kenv_sysctl_apply(struct kenv *e, const struct kenv_dirty *d, GError **err);
/* Signal-safe; idempotent. */
void kenv_sysctl_restore_raw(struct kenv *e);
/* A dead run's saved file: put back what it changed and nobody changed since. */
void kenv_sysctl_reap(const char *saved_file);

/* ---- kenv_signal.c: the registry of live runs ---- */

void kenv_live_add(struct kenv *e);
void kenv_live_remove(struct kenv *e);
/* Everything kenv_teardown() does that needs no memory, idempotent and safe in a
 * signal handler. */
void kenv_teardown_raw(struct kenv *e);

#endif
