/*
 * kenv — the machine around a run of the linux: target.
 *
 * A run gets a private directory /var/tmp/wbsim-linux/<pid>-<start>-<n>/ (pid and
 * start time of the owning process, so a recycled pid is not mistaken for the
 * owner), a sparse image file in it, a loop device attached to that image with the
 * loop ioctls, the device's stable_writes flag set before anything reads the
 * device, a fresh filesystem made by the distribution's mkfs tool, and a mount at
 * <rundir>/mnt.  Nothing else on the machine is written: every device, mount and
 * trace instance this code touches is one whose path or name carries the run's
 * directory or owner.
 *
 * Every exit path takes it all down again: kenv_teardown() on success or error,
 * a SIGINT/SIGTERM handler that tears down with system calls only and then
 * re-raises the signal, an atexit hook for an exit that forgot, and — for kill -9
 * — the next kenv_setup() of any process, which removes the leftovers of owners
 * that are dead (never of a live one).
 */
#ifndef WBSIM_KENV_H
#define WBSIM_KENV_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define KENV_ERROR (kenv_error_quark())
GQuark kenv_error_quark(void);

enum kenv_error_code {
	KENV_ERROR_MISSING,     /* root, loop devices or tracefs are not available */
	KENV_ERROR_INPUT,       /* a bad option (fs name, size) */
	KENV_ERROR_SYSTEM,      /* a system call or tool failed */
	KENV_ERROR_BUSY,        /* another live run holds what this one needs */
};

enum kenv_fs {
	KENV_FS_EXT4,
	KENV_FS_XFS,
	KENV_FS_BTRFS,
	KENV_FS_NONE,           /* the bare loop device: no mkfs, no mount (calibration) */
};

/* The machine-wide writeback sysctls a run may set.  Byte limits rather than
 * ratios: a scenario's ratios are fractions of its declared memory, not of this
 * machine's, so kenv_dirty_from_scenario() turns them into the bytes they mean. */
struct kenv_dirty {
	uint64_t dirty_bytes;             /* vm.dirty_bytes */
	uint64_t dirty_background_bytes;  /* vm.dirty_background_bytes */
	unsigned expire_centisecs;        /* vm.dirty_expire_centisecs */
	unsigned writeback_centisecs;     /* vm.dirty_writeback_centisecs */
};

struct kenv_opts {
	enum kenv_fs fs;
	uint64_t image_size;    /* bytes; 0 means KENV_DEFAULT_IMAGE_SIZE */
	bool stable_writes;     /* /sys/block/loopN/queue/stable_writes, set before mkfs */
	bool loop_direct_io;    /* LO_FLAGS_DIRECT_IO: the loop device bypasses the
				 * page cache of the image file */
	/* NULL: the sysctls are left alone and kenv_not_applied() lists them.  Else
	 * they are set for the run and the old values restored on every exit path. */
	const struct kenv_dirty *dirty;
	const char *base_dir;   /* NULL means KENV_BASE_DIR */
};

/* xfsprogs refuses filesystems under 300 MB; the image is sparse, so the size
 * costs nothing until written. */
#define KENV_DEFAULT_IMAGE_SIZE (512ull << 20)
#define KENV_BASE_DIR "/var/tmp/wbsim-linux"

struct kenv;

/* "ext4", "xfs", "btrfs" (and "none"); false for anything else. */
bool kenv_fs_parse(const char *name, enum kenv_fs *fs);
const char *kenv_fs_name(enum kenv_fs fs);

/* NULL when this machine can run the linux: target; else ONE line saying what is
 * missing (not root, no loop devices, no tracefs, built without libtracefs), to be
 * freed with g_free. */
char *kenv_check(void);

bool kenv_setup(const struct kenv_opts *o, struct kenv **out, GError **err);
/* Unmount, detach, restore sysctls, remove the run's files; frees @e.  Safe on
 * NULL; reports (on stderr) but does not fail on what it could not undo, since
 * the next setup reaps it. */
void kenv_teardown(struct kenv *e);

const char *kenv_mountpoint(const struct kenv *e);      /* NULL for KENV_FS_NONE */
const char *kenv_rundir(const struct kenv *e);
const char *kenv_loop_device(const struct kenv *e);     /* "/dev/loop3" */
const char *kenv_loop_name(const struct kenv *e);       /* "loop3" */
/* The backing_dev_info name the writeback tracepoints print for this run's
 * filesystem: "7:3" for ext4 and xfs, btrfs's own "btrfs-N".  "" for
 * KENV_FS_NONE before anything resolved it. */
const char *kenv_bdi(const struct kenv *e);
/* The tracefs directory to use (one already mounted, or this run's own mount). */
const char *kenv_tracing_dir(const struct kenv *e);
bool kenv_stable_writes(const struct kenv *e);
enum kenv_fs kenv_fs(const struct kenv *e);

/* Unmount and mount this run's filesystem again: drops its page cache, and only
 * its, unlike a global drop_caches. */
bool kenv_remount(struct kenv *e, GError **err);

/* /sys/block/loopN/stat, the counters a run reports. */
struct kenv_disk_stat {
	uint64_t write_ios;       /* requests completed (disk_requests) */
	uint64_t write_sectors;   /* 512-byte sectors written */
	uint64_t read_ios;
	uint64_t read_sectors;
	uint64_t flush_ios;
};
bool kenv_disk_stat(const struct kenv *e, struct kenv_disk_stat *st, GError **err);
/* Write requests and 4 KiB pages written between two snapshots (disk_requests,
 * disk_writes); a partial page at the end counts as a page. */
void kenv_disk_delta(const struct kenv_disk_stat *before, const struct kenv_disk_stat *after,
		     uint64_t *disk_requests, uint64_t *disk_writes);

/* The byte limits a scenario's writeback section means: @memory times each ratio. */
void kenv_dirty_from_scenario(uint64_t memory, unsigned dirty_background_ratio,
			      unsigned dirty_ratio, uint64_t expire_ns, uint64_t interval_ns,
			      struct kenv_dirty *out);
/* What of the scenario's machine this run does not reproduce, one short phrase
 * each ("vm.dirty_* (writeback ratios, expire, interval)" when opts.dirty was
 * NULL); NULL-terminated, owned by @e. */
const char *const *kenv_not_applied(const struct kenv *e);

/* For the tracing code: remember a trace instance directory so that teardown and
 * the signal path remove it (rmdir) if its owner did not.  NULL forgets it. */
void kenv_note_trace_instance(struct kenv *e, const char *dir);
/* The name prefix of this process's trace instances, "wbsim-<pid>-<start>-". */
char *kenv_trace_prefix(void);

#endif
