/*
 * kenv_loop — the run's loop device: attach, stable_writes, detach, reap.
 *
 * Attaching goes through the loop ioctls (LOOP_CTL_GET_FREE, LOOP_CONFIGURE)
 * rather than losetup, so that a device somebody else grabs between "free" and
 * "configure" is an EBUSY we retry, never a device we write to.  LO_FLAGS_AUTOCLEAR
 * makes the kernel detach the device by itself once the last user (our fd, the
 * mount) is gone: a run killed by SIGKILL after its filesystem was unmounted
 * leaves no device behind at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "linux/kenv_int.h"

static char *sys_read(const char *path)
{
	char *s = NULL;
	if (!g_file_get_contents(path, &s, NULL, NULL))
		return NULL;
	return g_strchomp(s);
}

/* The backing file of a loop device, without the " (deleted)" the kernel appends
 * once the image is unlinked; NULL when the device is not attached. */
static char *backing_file(const char *loop_name)
{
	char *p = g_strdup_printf("/sys/block/%s/loop/backing_file", loop_name);
	char *s = sys_read(p);
	g_free(p);
	if (s && g_str_has_suffix(s, " (deleted)"))
		s[strlen(s) - strlen(" (deleted)")] = '\0';
	return s;
}

static int open_new_node(const char *path)
{
	/* devtmpfs makes the node of a device LOOP_CTL_GET_FREE just added a moment
	 * later, not necessarily before the ioctl returns. */
	for (int i = 0; i < 100; i++) {
		int fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT)
			return fd;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	return -1;
}

static char *link_base(const char *path)
{
	char *target = g_file_read_link(path, NULL);
	if (!target)
		return NULL;
	char *b = g_path_get_basename(target);
	g_free(target);
	return b;
}

bool kenv_loop_attach(struct kenv *e, bool direct_io, GError **err)
{
	int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_MISSING, "/dev/loop-control: %s",
			    g_strerror(errno));
		return false;
	}
	int img = open(e->image, O_RDWR | O_CLOEXEC);
	if (img < 0) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "%s: %s", e->image,
			    g_strerror(errno));
		close(ctl);
		return false;
	}
	struct loop_config cfg = { .fd = (unsigned)img };
	cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR | (direct_io ? LO_FLAGS_DIRECT_IO : 0);
	if (direct_io)
		cfg.block_size = 4096;   /* direct I/O to the image needs its block size */
	char *token = kenv_owner_token();
	snprintf((char *)cfg.info.lo_file_name, sizeof cfg.info.lo_file_name, "wbsim-%s", token);
	g_free(token);

	int saved = 0;
	bool ok = false;
	for (int attempt = 0; attempt < 16 && !ok; attempt++) {
		int nr = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (nr < 0) {
			saved = errno;
			break;
		}
		char dev[32];
		snprintf(dev, sizeof dev, "/dev/loop%d", nr);
		int fd = open_new_node(dev);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		if (ioctl(fd, LOOP_CONFIGURE, &cfg) != 0) {
			saved = errno;
			close(fd);
			if (saved == EBUSY)
				continue;        /* taken by another between the two ioctls */
			break;
		}
		e->loop_fd = fd;
		snprintf(e->loop_dev, sizeof e->loop_dev, "%s", dev);
		snprintf(e->loop_name, sizeof e->loop_name, "loop%d", nr);
		ok = true;
	}
	close(img);
	close(ctl);
	if (!ok) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM,
			    "could not attach a loop device to %s: %s", e->image,
			    g_strerror(saved ? saved : EBUSY));
		return false;
	}
	/* Everything later writes to this device: make sure it is the one we made. */
	char *bf = backing_file(e->loop_name);
	bool mine = bf && !strcmp(bf, e->image);
	g_free(bf);
	if (!mine) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM,
			    "%s does not show %s as its backing file", e->loop_dev, e->image);
		kenv_loop_detach_raw(e);
		return false;
	}
	char *bdi = g_strdup_printf("/sys/block/%s/bdi", e->loop_name);
	char *name = link_base(bdi);
	if (name)
		snprintf(e->loop_bdi_dir, sizeof e->loop_bdi_dir, "/sys/class/bdi/%s", name);
	g_free(name);
	g_free(bdi);
	kenv_loop_bdi_defaults(e);
	return true;
}

void kenv_loop_bdi_defaults(struct kenv *e)
{
	static const char *const attr[][2] = {
		{ "strict_limit", "0" }, { "min_ratio", "0" }, { "max_ratio", "100" },
	};
	if (!e->loop_bdi_dir[0])
		return;
	for (size_t i = 0; i < G_N_ELEMENTS(attr); i++) {
		char path[128];
		size_t n = strlen(e->loop_bdi_dir), m = strlen(attr[i][0]);
		if (n + 1 + m + 1 > sizeof path)
			return;
		memcpy(path, e->loop_bdi_dir, n);
		path[n] = '/';
		memcpy(path + n + 1, attr[i][0], m + 1);
		kenv_write_str(path, attr[i][1]);
	}
}

void kenv_loop_detach_raw(struct kenv *e)
{
	if (e->loop_fd < 0)
		return;
	kenv_loop_bdi_defaults(e);
	/* On a device still in use (a lazily unmounted filesystem) the kernel turns
	 * this into autoclear, and detaches when the last user goes. */
	ioctl(e->loop_fd, LOOP_CLR_FD, 0);
	close(e->loop_fd);
	e->loop_fd = -1;
}

bool kenv_loop_read_stable(const char *loop_name, bool *on)
{
	char *p = g_strdup_printf("/sys/block/%s/queue/stable_writes", loop_name);
	char *s = sys_read(p);
	g_free(p);
	if (!s)
		return false;
	*on = !strcmp(s, "1");
	g_free(s);
	return true;
}

bool kenv_loop_set_stable(struct kenv *e, bool on, GError **err)
{
	char *p = g_strdup_printf("/sys/block/%s/queue/stable_writes", e->loop_name);
	int rc = kenv_write_str(p, on ? "1\n" : "0\n");
	bool now = !on, ok = rc == 0;
	if (ok && (!kenv_loop_read_stable(e->loop_name, &now) || now != on)) {
		ok = false;
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "%s reads %d after writing %d",
			    p, now, on);
	} else if (!ok) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "%s: %s", p, g_strerror(rc));
	}
	g_free(p);
	return ok;
}

void kenv_loop_reap_under(const char *dir)
{
	DIR *d = opendir("/sys/block");
	if (!d)
		return;
	char *prefix = g_strconcat(dir, "/", NULL);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!g_str_has_prefix(de->d_name, "loop"))
			continue;
		char *bf = backing_file(de->d_name);
		if (bf && g_str_has_prefix(bf, prefix)) {
			char *dev = g_strdup_printf("/dev/%s", de->d_name);
			int fd = open(dev, O_RDONLY | O_CLOEXEC);
			if (fd < 0 || ioctl(fd, LOOP_CLR_FD, 0) != 0)
				fprintf(stderr, "wbsim: could not detach the dead run's %s: %s\n",
					dev, g_strerror(errno));
			if (fd >= 0)
				close(fd);
			g_free(dev);
		}
		g_free(bf);
	}
	g_free(prefix);
	closedir(d);
}

/* btrfs gives each filesystem a bdi of its own ("btrfs-N"); its sysfs directory
 * lists the member devices, which is how we tell ours from any other. */
static char *btrfs_bdi(const char *loop_name)
{
	DIR *d = opendir("/sys/fs/btrfs");
	char *found = NULL;
	if (!d)
		return NULL;
	struct dirent *de;
	while (!found && (de = readdir(d))) {
		char *dev = g_strdup_printf("/sys/fs/btrfs/%s/devices/%s", de->d_name, loop_name);
		if (g_file_test(dev, G_FILE_TEST_EXISTS)) {
			char *l = g_strdup_printf("/sys/fs/btrfs/%s/bdi", de->d_name);
			found = link_base(l);
			g_free(l);
		}
		g_free(dev);
	}
	closedir(d);
	return found;
}

bool kenv_resolve_bdi(struct kenv *e, GError **err)
{
	char *name;
	if (e->fs == KENV_FS_BTRFS) {
		name = btrfs_bdi(e->loop_name);
	} else {
		char *l = g_strdup_printf("/sys/block/%s/bdi", e->loop_name);
		name = link_base(l);
		g_free(l);
	}
	if (!name) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM,
			    "cannot find the backing_dev_info of %s", e->loop_dev);
		return false;
	}
	snprintf(e->bdi, sizeof e->bdi, "%s", name);
	g_free(name);
	return true;
}
