/*
 * target — what executes a workload, behind one table of operations as fio's I/O
 * engines are (struct ioengine_ops): the model (model/target_model.c) is one; the
 * running Linux kernel is meant to be another.  A workload source (run/workload.h)
 * declares its world on a target and drives its tasks through these operations only,
 * so the same scenario runs on either.
 *
 * A task is driven by its source: the target calls resume(data) whenever the task may
 * continue (at its start, when an operation that blocked has finished); from inside
 * resume() the source issues one operation at a time.  Each returns OP_DONE (the
 * result is ready: result(), result_pin()) or OP_BLOCKED (resume() comes again when it
 * has finished).  A task's exit wakes whoever waits on its handle (joins).
 */
#ifndef WBSIM_TARGET_H
#define WBSIM_TARGET_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/config.h"
#include "engine/trace.h"
#include "engine/uapi.h"
#include "metrics/metrics.h"

struct target;                  /* one run's machine */
struct target_file;
struct target_proc;
struct target_map;
struct target_task;
struct target_pin;
struct target_buf;              /* anonymous memory (proc:alloc) */
struct target_io;               /* an asynchronous direct I/O in flight */
struct workload_info;           /* run/workload.h */

/* A direct I/O with every option of the scenario API's version 2. */
struct target_dio {
	bool write;
	bool async;                     /* return at submission: result_io() */
	struct target_file *f;
	uint64_t off, len;
	struct target_map *map;         /* the buffer: a mapping (writes only), */
	struct target_buf *buf;         /* or a Buffer (the destination of a read), */
	uint64_t at;                    /* from this byte of it; neither: anonymous memory */
};

/* What a target is made from. */
struct target_config {
	const struct sim_config *cfg;   /* seed, duration and timeline interval included */
	const char *spec;               /* the policy spec it runs under */
	sim_trace_fn trace;             /* NULL: no trace */
	void *trace_data;
	void (*resume)(void *task_data);        /* the source's */
	/* Called every cfg->timeline_interval of the workload's time; the sampler may
	 * change the interval from then on with set_sample_interval. */
	void (*sample)(void *data, uint64_t now_ns, const struct sim_gauges *g);
	void *sample_data;
	/* What the source declared (name, policies, parameters, expectations): for a
	 * target that records the run (replay/record.c). */
	const struct workload_info *workload;
	/* A target that wraps another (the op-log recorder, a decorator): the one it
	 * forwards to, which runs the spec, and its own data.  NULL for the others. */
	const struct target_ops *inner;
	void *wrap_data;
};

struct target_ops {
	const char *name;
	/* Its runs own machine-wide state (the running kernel: sysctls, loop devices,
	 * timing that a busy CPU would distort): a batch runs them one at a time on the
	 * calling thread, after the others, never on the pool. */
	bool exclusive;
	/* Its runs are measurements, not deterministic: several runs of a spec are
	 * summarised by their median (with min..max), not their mean. */
	bool measured;
	/* Files, processes and tasks can only be had before the run starts (the
	 * kernel's: helpers are forked, workers started and files made first).  An op
	 * log's later ones are declared at the start (replay_world.c, "up front"). */
	bool upfront;
	/* Optional: what `wbsim policies` prints for the specs it claims (the model's
	 * come from the policy modules), name, description and options, as text. */
	char *(*describe_specs)(void);
	/* Does this target run @spec?  The first target of a list that claims a spec
	 * runs it. */
	bool (*claims)(const char *spec);
	/* @spec in canonical form (only options that differ from their defaults), or
	 * NULL with the reason. */
	char *(*canonical)(const char *spec, GError **err);
	struct target *(*create)(const struct target_config *c, GError **err);
	void (*destroy)(struct target *t);

	/* The world.  A file NULL: its storage cannot be had (the source reports it). */
	struct target_file *(*file)(struct target *t, const char *name, uint64_t size);
	struct target_proc *(*process)(struct target *t, const char *name);
	struct target_map *(*mmap)(struct target *t, struct target_proc *p,
				   struct target_file *f, uint64_t off, uint64_t size);
	/* @cpu < 0: a CPU of its own.  It first runs @start_ns from now. */
	struct target_task *(*spawn)(struct target *t, const char *name, struct target_proc *p,
				     int cpu, uint64_t start_ns, void *task_data);

	/* A task's operations; byte offsets, ranges checked by the source. */
	enum op_status (*sleep)(struct target_task *k, uint64_t ns);
	enum op_status (*pwrite)(struct target_task *k, struct target_file *f, uint64_t off,
				 uint64_t len);
	enum op_status (*pread)(struct target_task *k, struct target_file *f, uint64_t off,
				uint64_t len);
	enum op_status (*store)(struct target_task *k, struct target_map *m, uint64_t off,
				uint64_t len);
	enum op_status (*load)(struct target_task *k, struct target_map *m, uint64_t off,
			       uint64_t len);
	enum op_status (*pin)(struct target_task *k, struct target_map *m, uint64_t off,
			      uint64_t len);
	enum op_status (*pin_write)(struct target_task *k, struct target_pin *p, uint64_t off,
				    uint64_t len);
	enum op_status (*pin_release)(struct target_task *k, struct target_pin *p);
	enum op_status (*fsync)(struct target_task *k, struct target_file *f, bool datasync);
	enum op_status (*msync)(struct target_task *k, struct target_map *m, uint64_t off,
				uint64_t len);
	enum op_status (*sync_range)(struct target_task *k, struct target_file *f, uint64_t off,
				     uint64_t len, unsigned how);
	enum op_status (*sync)(struct target_task *k);
	/* @src NULL: the buffer is anonymous memory. */
	enum op_status (*dio_write)(struct target_task *k, struct target_file *f, uint64_t off,
				    uint64_t len, struct target_map *src, uint64_t src_off);
	enum op_status (*dio_read)(struct target_task *k, struct target_file *f, uint64_t off,
				   uint64_t len);
	/* Sleep until wake(@key) (events; a task handle: until it exits). */
	enum op_status (*wait_on)(struct target_task *k, const void *key);
	void (*wake)(struct target *t, const void *key);
	/* Optional (NULL: nothing to do).  The task met a synchronisation point that
	 * needed no wait (an event already set, a task already done): nothing for a
	 * machine to do, but a recorder logs it, since a replay under another policy may
	 * reach the same point before the event is set. */
	void (*wait_met)(struct target_task *k, const void *key);
	/* OP_DONE at once on the model; a target whose mappings live in another process
	 * may block. */
	enum op_status (*munmap)(struct target_task *k, struct target_map *m);
	void (*exit)(struct target_task *k);
	int (*result)(struct target_task *k);   /* 0, -WBSIM_EIO, -WBSIM_EFAULT (longterm pin) */
	struct target_pin *(*result_pin)(struct target_task *k);
	bool (*is_done)(struct target_task *k);
	uint64_t (*now)(struct target *t);                      /* ns since the start */
	/* A line of the source's own in the trace (sim.log). */
	void (*log)(struct target_task *k, const char *event, const char *text);

	/* ---- version 2 of the scenario API (SCENARIO_API.md "Additions").  A target
	 * that leaves one NULL does not support it: the source says so, naming the
	 * target, when a scenario uses it. ---- */
	/* proc:alloc: @size bytes of anonymous private memory of @p; NULL: no room. */
	struct target_buf *(*alloc)(struct target *t, struct target_proc *p, uint64_t size);
	enum op_status (*buf_store)(struct target_task *k, struct target_buf *b, uint64_t off,
				    uint64_t len);
	enum op_status (*buf_load)(struct target_task *k, struct target_buf *b, uint64_t off,
				   uint64_t len);
	/* f:dio_write / f:dio_read with a Buffer or async = true; after an asynchronous
	 * one that returned OP_DONE with result() 0, result_io() is its handle. */
	enum op_status (*dio)(struct target_task *k, const struct target_dio *d);
	struct target_io *(*result_io)(struct target_task *k);
	/* io:wait: until @io has completed; result() is then its result (0 or
	 * -WBSIM_EIO) and @io is gone: the source never passes it again. */
	enum op_status (*io_wait)(struct target_task *k, struct target_io *io);
	/* m:pin{longterm = true}: result() -WBSIM_EFAULT when refused, else as pin. */
	enum op_status (*pin_longterm)(struct target_task *k, struct target_map *m, uint64_t off,
				       uint64_t len);

	/* The run: until the workload ends, the duration passes or stop() is called;
	 * then whatever the target does to finish (the model: a final sync and the
	 * oracle's end-of-run checks). */
	enum sim_end (*run)(struct target *t);
	void (*stop)(struct target *t);
	void (*set_sample_interval)(struct target *t, uint64_t ns);
	/* After run(): the canonical spec it ran, the metrics (the caller owns them),
	 * the events it processed, and after SIM_END_DEADLOCK the task data of the
	 * tasks left waiting, each with what it waits for. */
	const char *(*spec)(struct target *t);
	/* Optional, after run(): why the machine itself failed (the run then ends in
	 * error, whatever run() returned), or NULL; and what of the scenario's machine it
	 * did not reproduce, one phrase each, NULL-terminated (NULL: everything). */
	const char *(*error)(struct target *t);
	const char *const *(*not_applied)(struct target *t);
	struct metrics *(*take_metrics)(struct target *t);
	uint64_t (*events)(struct target *t);
	GPtrArray *(*blocked)(struct target *t);
	char *(*describe_wait)(struct target_task *k);
};

/* The target of @targets (NULL-terminated) that runs @spec, or NULL. */
const struct target_ops *target_for(const struct target_ops *const *targets, const char *spec);

#endif
