/*
 * tlinux_spec — the linux: spec: "linux:stable_writes=0|1[,fs=ext4|xfs|btrfs]
 * [,size=SIZE][,loop=buffered|direct][,dirty=scenario|machine][,spin=DURATION]".
 */
#include "linux/tlinux_int.h"

#include <inttypes.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/units.h"

#define PREFIX "linux"

struct lopt {
	const char *name, *values, *def, *help;
};

static const struct lopt opts[] = {
	{ "stable_writes", "0|1", NULL,
	  "/sys/block/loopN/queue/stable_writes of the run's loop device, set before mkfs and "
	  "mount (required)" },
	{ "fs", "ext4|xfs|btrfs", "ext4", "the filesystem made on it" },
	{ "size", "SIZE", "512MiB",
	  "the image file (sparse); xfs needs 300MB at least" },
	{ "loop", "buffered|direct", "buffered",
	  "direct: the loop device writes its image with O_DIRECT (LO_FLAGS_DIRECT_IO), so "
	  "writeback takes the disk's time; buffered is the device `wbsim calibrate` measures" },
	{ "dirty", "scenario|machine", "scenario",
	  "scenario: the vm.dirty_* sysctls are set from the scenario's writeback section "
	  "for the run and restored after; machine: left as they are (listed as not applied)" },
	{ "spin", "DURATION", "100us (0 on one CPU)",
	  "how long the harness busy-waits, yielding the CPU, for an op's completion or a "
	  "sleep's end before it sleeps: a thread wakeup costs tens of us on a VM, so without "
	  "it the kernel runs a scenario of us-steps several times slower than asked; 0 "
	  "turns it off (sim/linux/README.md, \"Pace\")" },
};

bool lspec_claims(const char *spec)
{
	size_t n = strlen(PREFIX);
	return spec && !strncmp(spec, PREFIX, n) && (spec[n] == ':' || !spec[n]);
}

static bool bad(GError **err, const char *spec, const char *fmt, const char *what)
{
	char *m = g_strdup_printf(fmt, what);
	g_set_error(err, KENV_ERROR, KENV_ERROR_INPUT, "\"%s\": %s (options: stable_writes=0|1, "
		    "fs=ext4|xfs|btrfs, size=SIZE, loop=buffered|direct, dirty=scenario|machine, "
		    "spin=DURATION)",
		    spec, m);
	g_free(m);
	return false;
}

static bool one(const char *spec, const char *key, const char *val, struct lspec *s,
		bool *stable_set, GError **err)
{
	if (!strcmp(key, "stable_writes")) {
		if (strcmp(val, "0") && strcmp(val, "1"))
			return bad(err, spec, "stable_writes must be 0 or 1, not \"%s\"", val);
		s->stable_writes = val[0] == '1';
		*stable_set = true;
	} else if (!strcmp(key, "fs")) {
		if (!kenv_fs_parse(val, &s->fs) || s->fs == KENV_FS_NONE)
			return bad(err, spec, "fs must be ext4, xfs or btrfs, not \"%s\"", val);
	} else if (!strcmp(key, "size")) {
		GError *e = NULL;
		if (!units_parse_size(val, &s->size, &e) || s->size < (64ull << 20)) {
			g_clear_error(&e);
			return bad(err, spec, "size must be a size of 64MiB or more, not \"%s\"", val);
		}
	} else if (!strcmp(key, "loop")) {
		if (strcmp(val, "buffered") && strcmp(val, "direct"))
			return bad(err, spec, "loop must be buffered or direct, not \"%s\"", val);
		s->loop_direct_io = !strcmp(val, "direct");
	} else if (!strcmp(key, "dirty")) {
		if (strcmp(val, "scenario") && strcmp(val, "machine"))
			return bad(err, spec, "dirty must be scenario or machine, not \"%s\"", val);
		s->machine_dirty = !strcmp(val, "machine");
	} else if (!strcmp(key, "spin")) {
		GError *e = NULL;
		/* "0" turns the busy wait off; zero is the one duration that needs no unit. */
		if (!strcmp(val, "0"))
			s->spin_ns = 0;
		else if (!units_parse_duration(val, &s->spin_ns, &e) ||
			 s->spin_ns > 10 * NSEC_PER_MSEC) {
			g_clear_error(&e);
			return bad(err, spec, "spin must be a duration of 10ms or less, not \"%s\"",
				   val);
		}
		s->spin_set = true;
	} else {
		return bad(err, spec, "unknown option \"%s\"", key);
	}
	return true;
}

bool lspec_parse(const char *spec, struct lspec *out, GError **err)
{
	*out = (struct lspec){ .fs = KENV_FS_EXT4 };
	if (!lspec_claims(spec))
		return bad(err, spec ? spec : "", "not a linux: spec%s", "");
	const char *rest = spec + strlen(PREFIX);
	bool stable_set = false, ok = true;
	char **pairs = g_strsplit(*rest ? rest + 1 : "", ",", -1);
	for (char **p = pairs; ok && *p; p++) {
		char *eq = strchr(*p, '=');
		if (!eq || eq == *p) {
			ok = bad(err, spec, "\"%s\" is not key=value", *p);
			break;
		}
		*eq = 0;
		ok = one(spec, *p, eq + 1, out, &stable_set, err);
	}
	g_strfreev(pairs);
	if (ok && !stable_set)
		ok = bad(err, spec, "stable_writes=0 or stable_writes=1 is required%s", "");
	return ok;
}

char *lspec_canonical(const struct lspec *s)
{
	GString *c = g_string_new(NULL);
	g_string_printf(c, PREFIX ":stable_writes=%d", s->stable_writes);
	if (s->fs != KENV_FS_EXT4)
		g_string_append_printf(c, ",fs=%s", kenv_fs_name(s->fs));
	if (s->size) {
		if (s->size % (1ull << 20) == 0)
			g_string_append_printf(c, ",size=%" PRIu64 "MiB", s->size >> 20);
		else
			g_string_append_printf(c, ",size=%" PRIu64, s->size);
	}
	if (s->loop_direct_io)
		g_string_append(c, ",loop=direct");
	if (s->machine_dirty)
		g_string_append(c, ",dirty=machine");
	if (s->spin_set)
		g_string_append_printf(c, ",spin=%" PRIu64 "ns", s->spin_ns);
	return g_string_free(c, FALSE);
}

uint64_t lspec_spin_ns(const struct lspec *s)
{
	if (s->spin_set)
		return s->spin_ns;
	return g_get_num_processors() > 1 ? 100 * NSEC_PER_USEC : 0;
}

char *lspec_describe(void)
{
	GString *s = g_string_new(PREFIX "\n    the running Linux kernel: the scenario's operations "
				  "performed on a fresh filesystem on a loop device of\n    "
				  "this run's own (root, loop devices and tracefs needed; runs "
				  "one at a time)\n    options:\n");
	for (size_t i = 0; i < G_N_ELEMENTS(opts); i++)
		g_string_append_printf(s, "      %s=%s  (default: %s)\n          %s\n", opts[i].name,
				       opts[i].values, opts[i].def ? opts[i].def : "none",
				       opts[i].help);
	return g_string_free(s, FALSE);
}
