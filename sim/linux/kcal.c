/*
 * kcal — running the calibration (kcal.h): the CPU figures in this process,
 * the device figures on a bare loop device, the write fault on an ext4 file,
 * each device made by kenv for the purpose and removed after.
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "linux/kcal_int.h"

static bool on_device(struct kcal *k, GError **err)
{
	struct kenv_opts o = { .fs = KENV_FS_NONE, .image_size = 128ull << 20 };
	struct kenv *e;
	if (!kenv_setup(&o, &e, err))
		return false;
	bool ok = kcal_device(e, k, err);
	kenv_teardown(e);
	return ok;
}

static bool on_filesystem(struct kcal *k, GError **err)
{
	struct kenv_opts o = { .fs = KENV_FS_EXT4, .image_size = 64ull << 20 };
	struct kenv *e;
	if (!kenv_setup(&o, &e, err))
		return false;
	bool ok = kcal_fault_cost(kenv_mountpoint(e), &k->fault, err);
	kenv_teardown(e);
	return ok;
}

bool kcal_measure(struct kcal *k, GError **err)
{
	memset(k, 0, sizeof *k);
	struct utsname u;
	if (uname(&u) == 0) {
		snprintf(k->kernel, sizeof k->kernel, "%s", u.release);
		snprintf(k->host, sizeof k->host, "%s", u.nodename);
	}
	kcal_cpu(k);
	return on_device(k, err) && on_filesystem(k, err);
}
