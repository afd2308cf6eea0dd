/*
 * tlinux_int — what the files of the linux: target share (target_linux.h).
 *   tlinux_spec.c    the spec: parsing, canonical form, `wbsim policies`' listing
 *   tlinux_run.c     a run: the machine made, the kernel run, the measurements
 *   target_linux.c   the operations, passed to kexec, and the ops table
 */
#ifndef WBSIM_TLINUX_INT_H
#define WBSIM_TLINUX_INT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "linux/kenv.h"
#include "linux/kexec.h"
#include "linux/ktrace.h"
#include "linux/target_linux.h"

/* The options of a linux: spec. */
struct lspec {
	bool stable_writes;
	enum kenv_fs fs;
	uint64_t size;                  /* image bytes; 0: big enough for the files */
	bool loop_direct_io;            /* loop=direct */
	bool machine_dirty;             /* dirty=machine: the sysctls left alone */
	bool spin_set;                  /* spin= given; else lspec_spin_ns's default */
	uint64_t spin_ns;
};

/* The harness's busy wait (kx_set_spin) for @s: spin= if given, else 100 us on a
 * machine with two CPUs or more and 0 on one (where a spinning thread could only take
 * the CPU from the work it waits for). */
uint64_t lspec_spin_ns(const struct lspec *s);

bool lspec_claims(const char *spec);
bool lspec_parse(const char *spec, struct lspec *out, GError **err);
char *lspec_canonical(const struct lspec *s);
char *lspec_describe(void);

struct ltarget {
	struct lspec spec;
	char *canon;
	const struct sim_config *cfg;
	struct sim_config cfg_copy;
	void (*resume)(void *task_data);
	struct kenv *env;
	struct kx *kx;
	struct ktrace *trace;
	int64_t last_poll;              /* ns (kx_now) of the last ktrace_poll */
	uint64_t files_bytes;           /* declared so far */
	GPtrArray *tasks;               /* of struct ltask *, owned */
	GPtrArray *not_applied;         /* of char *, NULL-terminated once run */
	char *error;                    /* the machine's own failure, if any */
	struct metrics *m;              /* after run: kexec's (kx_free frees it) until taken */
	bool ran;
};

/* A task's data in kexec: the target and the source's own. */
struct ltask {
	struct ltarget *lt;
	void *data;
};

#define LT(t) ((struct ltarget *)(t))

struct target *tlinux_create(const struct target_config *c, GError **err);
void tlinux_destroy(struct target *t);
enum sim_end tlinux_run(struct target *t);
struct metrics *tlinux_take_metrics(struct target *t);
const char *const *tlinux_not_applied(struct target *t);
const char *tlinux_error(struct target *t);
/* Called on every resume: keeps the trace ring from filling in a long run. */
void tlinux_poll(struct ltarget *lt);

#endif
