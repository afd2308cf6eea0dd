/*
 * model — the simulated machine as a whole, for whoever drives it: the model target
 * (model/target_model.c), tests and benchmarks.
 *
 * A driver declares the world (files, processes, mappings, tasks), then runs it.  A
 * task is driven by callbacks: resume() is called whenever the task may continue (at
 * its start, when a sleep ends, when an operation that blocked has finished).  From
 * inside resume() the driver issues operations with task_*(); each runs as far as it
 * can at once and returns OP_DONE (finished, result available now) or OP_BLOCKED (it
 * continues in simulated time; resume() is called again when it has finished).
 */
#ifndef WBSIM_MODEL_H
#define WBSIM_MODEL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/config.h"
#include "engine/engine.h"
#include "engine/trace.h"
#include "engine/uapi.h"
#include "metrics/metrics.h"

struct sim;
struct file;
struct process;
struct mapping;
struct pin;
struct task;
struct policy;
struct anon;
struct kiocb;

struct task_driver {
	void (*resume)(struct task *t);
};

typedef void (*sim_sample_fn)(void *data, struct sim *s);

/* The sim takes ownership of @policy. */
struct sim *sim_new(const struct sim_config *cfg, struct policy *policy);
void sim_free(struct sim *s);

/* NULL when the address space for its blocks cannot be reserved. */
struct file *sim_file_new(struct sim *s, const char *name, uint64_t size);
struct process *sim_process_new(struct sim *s, const char *name);
/* MAP_SHARED of [offset, offset+size) of @f; both page aligned and inside the file. */
struct mapping *sim_mmap(struct sim *s, struct process *p, struct file *f,
			 uint64_t offset, uint64_t size);
uint64_t mapping_size(const struct mapping *m);
/* @cpu < 0: a CPU of its own.  The task first runs at @start. */
struct task *sim_task_new(struct sim *s, const char *name, struct process *p, int cpu,
			  simtime_t start, const struct task_driver *drv, void *drv_data);

/* Operations (see the comment at the top).  Byte offsets; ranges are validated by
 * the caller. */
enum op_status task_sleep(struct task *t, uint64_t ns);
enum op_status task_pwrite(struct task *t, struct file *f, uint64_t off, uint64_t len);
enum op_status task_pread(struct task *t, struct file *f, uint64_t off, uint64_t len);
enum op_status task_store(struct task *t, struct mapping *m, uint64_t off, uint64_t len);
enum op_status task_load(struct task *t, struct mapping *m, uint64_t off, uint64_t len);
enum op_status task_pin(struct task *t, struct mapping *m, uint64_t off, uint64_t len);
enum op_status task_pin_write(struct task *t, struct pin *p, uint64_t off, uint64_t len);
enum op_status task_pin_release(struct task *t, struct pin *p);
enum op_status task_fsync(struct task *t, struct file *f, bool datasync);
enum op_status task_msync(struct task *t, struct mapping *m, uint64_t off, uint64_t len);
enum op_status task_sync_range(struct task *t, struct file *f, uint64_t off, uint64_t len,
			       unsigned how);
enum op_status task_sync(struct task *t);
enum op_status task_dio_write(struct task *t, struct file *f, uint64_t off, uint64_t len,
			      struct mapping *src, uint64_t src_off);
enum op_status task_dio_read(struct task *t, struct file *f, uint64_t off, uint64_t len);

/* Version 2 of the scenario API: anonymous memory, direct I/O with a Buffer and
 * asynchronous direct I/O, FOLL_LONGTERM pins. */
struct anon *sim_alloc(struct sim *s, struct process *p, uint64_t size);
enum op_status task_buf_store(struct task *t, struct anon *a, uint64_t off, uint64_t len);
enum op_status task_buf_load(struct task *t, struct anon *a, uint64_t off, uint64_t len);
/* A direct I/O with every option: the buffer is mapping @map or Buffer @buf from byte
 * @at (neither: anonymous memory nothing else touches; a read's destination is a
 * Buffer or nothing); @async returns at submission, the handle in task_result_io(). */
struct dio_args {
	bool write, async;
	struct file *file;
	uint64_t off, len;
	struct mapping *map;
	struct anon *buf;
	uint64_t at;
};
enum op_status task_dio(struct task *t, const struct dio_args *a);
struct kiocb *task_result_io(const struct task *t);
/* Until @io has completed; task_result() is then its result, and @io is gone. */
enum op_status task_io_wait(struct task *t, struct kiocb *io);
/* get_user_pages(FOLL_LONGTERM): task_result() -WBSIM_EFAULT when the policy
 * refuses a file mapping. */
enum op_status task_pin_longterm(struct task *t, struct mapping *m, uint64_t off, uint64_t len);
/* Block until sim_wake(@key) is called (events, joins). */
enum op_status task_wait_on(struct task *t, const void *key);
void sim_wake(struct sim *s, const void *key);
void task_munmap(struct task *t, struct mapping *m);
/* The task has nothing more to do. */
void task_exit(struct task *t);

int task_result(const struct task *t);          /* 0 or -WBSIM_EIO */
struct pin *task_result_pin(const struct task *t);
void *task_driver_data(const struct task *t);
struct sim *task_get_sim(struct task *t);
bool task_is_done(const struct task *t);
/* What a blocked task waits for, for deadlock reports ("writeback of ino=1 index=3"). */
char *task_describe_wait(const struct task *t);

/* Run the workload, then the final sync and the end-of-run oracle checks. */
enum sim_end sim_run(struct sim *s);
void sim_stop(struct sim *s);
simtime_t sim_time(const struct sim *s);
simtime_t sim_now_ns(struct sim *s);            /* the clock, now */
struct metrics *sim_metrics(struct sim *s);
/* Keep the metrics after sim_free (call after sim_run, before sim_free). */
struct metrics *sim_take_metrics(struct sim *s);
uint64_t sim_events(const struct sim *s);
const struct sim_config *sim_config(const struct sim *s);
GPtrArray *sim_blocked_tasks(struct sim *s);    /* after SIM_END_DEADLOCK */

void sim_set_trace(struct sim *s, sim_trace_fn fn, void *data);
/* A line of the driver's own in the trace, attributed to @t (scenario logging). */
void task_trace(struct task *t, const char *event, const char *text);
/* Called every cfg.timeline_interval of simulated time while the workload runs. */
void sim_set_sampler(struct sim *s, sim_sample_fn fn, void *data);
/* From the sampler: the next sample comes @ns after this one. */
void sim_set_timeline_interval(struct sim *s, uint64_t ns);

void sim_gauges(struct sim *s, struct sim_gauges *g);

/* Inspection for tests and reports. */
uint64_t sim_cached_pages(struct sim *s);
size_t sim_model_bytes(struct sim *s);

#endif
