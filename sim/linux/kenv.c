/*
 * kenv — setting up and taking down the machine around a linux: run (kenv.h).
 *
 * Setup order matters for safety: the run is put in the live table (signal
 * teardown) as soon as its directory exists, and every later step creates
 * something teardown knows how to undo.  A failing step tears down what the
 * earlier ones made, so an error leaves nothing behind either.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/kenv_int.h"

G_DEFINE_QUARK(wbsim-kenv-error-quark, kenv_error)

static const char *const fs_names[] = {
	[KENV_FS_EXT4] = "ext4", [KENV_FS_XFS] = "xfs", [KENV_FS_BTRFS] = "btrfs",
	[KENV_FS_NONE] = "none",
};

bool kenv_fs_parse(const char *name, enum kenv_fs *fs)
{
	for (size_t i = 0; i < G_N_ELEMENTS(fs_names); i++) {
		if (!strcmp(name, fs_names[i])) {
			*fs = (enum kenv_fs)i;
			return true;
		}
	}
	return false;
}

const char *kenv_fs_name(enum kenv_fs fs)
{
	return (size_t)fs < G_N_ELEMENTS(fs_names) ? fs_names[fs] : "?";
}

static bool make_rundir(struct kenv *e, const char *base, GError **err)
{
	static atomic_uint serial;
	char *token = kenv_owner_token();
	bool ok = false;
	for (int tries = 0; tries < 1000 && !ok; tries++) {
		snprintf(e->rundir, sizeof e->rundir, "%s/%s-%u", base, token,
			 atomic_fetch_add(&serial, 1));
		ok = mkdir(e->rundir, 0700) == 0;
		if (!ok && errno != EEXIST)
			break;
	}
	if (!ok) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "mkdir %s: %s", e->rundir,
			    g_strerror(errno));
		e->rundir[0] = '\0';
		g_free(token);
		return false;
	}
	/* check_opts() kept the base short, so these always fit. */
	if (snprintf(e->owner_file, sizeof e->owner_file, "%s/owner", e->rundir) < 0 ||
	    snprintf(e->image, sizeof e->image, "%s/disk.img", e->rundir) < 0 ||
	    snprintf(e->sysctl_file, sizeof e->sysctl_file, "%s/sysctl.saved", e->rundir) < 0)
		g_error("kenv: run directory name too long");
	char *text = g_strdup_printf("pid-start %s\nmade by wbsim's linux: target; removed "
				     "by the next run once this pid is gone\n", token);
	ok = g_file_set_contents(e->owner_file, text, -1, err);
	g_free(text);
	g_free(token);
	return ok;
}

static bool make_image(struct kenv *e, uint64_t size, GError **err)
{
	int fd = open(e->image, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)size) != 0) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "%s: %s", e->image,
			    g_strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	return true;
}

static bool check_opts(const struct kenv_opts *o, uint64_t *size, GError **err)
{
	if ((unsigned)o->fs > KENV_FS_NONE) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_INPUT, "unknown filesystem %d", o->fs);
		return false;
	}
	if (o->base_dir && (o->base_dir[0] != '/' || strlen(o->base_dir) > 200)) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_INPUT,
			    "base directory %s: an absolute path of at most 200 bytes", o->base_dir);
		return false;
	}
	*size = o->image_size ? o->image_size : KENV_DEFAULT_IMAGE_SIZE;
	uint64_t min = o->fs == KENV_FS_XFS ? 300ull << 20 : o->fs == KENV_FS_BTRFS ?
		       128ull << 20 : 16ull << 20;
	if (*size < min || *size > (1ull << 40) || *size % 4096) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_INPUT,
			    "image size %" PRIu64 " bytes: %s needs a multiple of 4 KiB between "
			    "%" PRIu64 " MiB and 1 TiB", *size, kenv_fs_name(o->fs), min >> 20);
		return false;
	}
	return true;
}

/* Everything after the run directory exists; any failure is undone by the caller. */
static bool build(struct kenv *e, const struct kenv_opts *o, uint64_t size, GError **err)
{
	if (!kenv_tracefs_find_or_mount(e, err))
		return false;
	if (!make_image(e, size, err) || !kenv_loop_attach(e, o->loop_direct_io, err) ||
	    !kenv_loop_set_stable(e, o->stable_writes, err) || !kenv_fs_make(e, err))
		return false;
	if (e->fs != KENV_FS_NONE) {
		if (snprintf(e->mnt, sizeof e->mnt, "%s/mnt", e->rundir) < 0 ||
		    mkdir(e->mnt, 0755) != 0) {
			g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "mkdir %s: %s", e->mnt,
				    g_strerror(errno));
			e->mnt[0] = '\0';
			return false;
		}
		if (!kenv_fs_mount(e, err))
			return false;
	}
	if (!kenv_resolve_bdi(e, err))
		return false;
	int n = 0;
	if (o->dirty) {
		if (!kenv_sysctl_apply(e, o->dirty, err))
			return false;
	} else {
		e->not_applied[n++] = "vm.dirty_* (writeback ratios, expire, interval)";
	}
	e->not_applied[n] = NULL;
	return true;
}

bool kenv_setup(const struct kenv_opts *o, struct kenv **out, GError **err)
{
	*out = NULL;
	uint64_t size;
	char *why = kenv_check();
	if (why) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_MISSING, "%s", why);
		g_free(why);
		return false;
	}
	if (!check_opts(o, &size, err))
		return false;
	const char *base = o->base_dir ? o->base_dir : KENV_BASE_DIR;
	if (g_mkdir_with_parents(base, 0700) != 0) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "mkdir %s: %s", base,
			    g_strerror(errno));
		return false;
	}
	/* One setup at a time reaps, so two never detach the same leftover. */
	char *lock_path = g_build_filename(base, ".lock", NULL);
	int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	g_free(lock_path);
	if (lock < 0 || flock(lock, LOCK_EX) != 0) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "locking %s: %s", base,
			    g_strerror(errno));
		if (lock >= 0)
			close(lock);
		return false;
	}
	char *tracing = kenv_tracefs_mounted(base);
	kenv_reap(base, tracing);

	struct kenv *e = g_new0(struct kenv, 1);
	e->fs = o->fs;
	e->stable_writes = o->stable_writes;
	e->loop_fd = -1;
	e->sysctl_lock_fd = -1;
	bool ok = make_rundir(e, base, err);
	if (ok) {
		kenv_live_add(e);
		ok = build(e, o, size, err);
		/* With no tracefs mounted before, the dead runs' instances were out of
		 * sight until ours was mounted. */
		if (ok && !tracing)
			kenv_reap(base, e->tracing_dir);
	}
	g_free(tracing);
	close(lock);
	if (!ok) {
		kenv_teardown(e);
		return false;
	}
	*out = e;
	return true;
}

void kenv_teardown(struct kenv *e)
{
	if (!e)
		return;
	kenv_live_remove(e);
	kenv_teardown_raw(e);
	if (e->rundir[0] && g_file_test(e->rundir, G_FILE_TEST_EXISTS))
		fprintf(stderr, "wbsim: %s could not be removed entirely; the next linux: run "
			"removes it\n", e->rundir);
	g_free(e);
}

bool kenv_remount(struct kenv *e, GError **err)
{
	if (!atomic_load(&e->mounted)) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_INPUT, "%s is not mounted",
			    e->mnt[0] ? e->mnt : e->loop_dev);
		return false;
	}
	if (umount2(e->mnt, 0) != 0) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "umount %s: %s", e->mnt,
			    g_strerror(errno));
		return false;
	}
	atomic_store(&e->mounted, false);
	return kenv_fs_mount(e, err);
}

const char *kenv_mountpoint(const struct kenv *e) { return e->mnt[0] ? e->mnt : NULL; }
const char *kenv_rundir(const struct kenv *e) { return e->rundir; }
const char *kenv_loop_device(const struct kenv *e) { return e->loop_dev; }
const char *kenv_loop_name(const struct kenv *e) { return e->loop_name; }
const char *kenv_bdi(const struct kenv *e) { return e->bdi; }
const char *kenv_tracing_dir(const struct kenv *e) { return e->tracing_dir; }
bool kenv_stable_writes(const struct kenv *e) { return e->stable_writes; }
enum kenv_fs kenv_fs(const struct kenv *e) { return e->fs; }
const char *const *kenv_not_applied(const struct kenv *e) { return e->not_applied; }

void kenv_note_trace_instance(struct kenv *e, const char *dir)
{
	snprintf(e->trace_instance, sizeof e->trace_instance, "%s", dir ? dir : "");
}

char *kenv_trace_prefix(void)
{
	char *token = kenv_owner_token();
	char *p = g_strdup_printf("wbsim-%s-", token);
	g_free(token);
	return p;
}
