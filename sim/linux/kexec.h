/*
 * kexec — a scenario's operations performed on the running kernel.
 *
 * The same shape as the model's task API (sim.h): a driver declares files,
 * processes, mappings and tasks, then runs them.  A task is driven by a resume()
 * callback; from inside resume() the driver issues one operation at a time, and each
 * returns KX_DONE (finished, result available now) or KX_BLOCKED (resume() is called
 * again once it has finished).  Here every kernel operation blocks: it is handed to
 * the task's worker thread, which performs the system call(s) and times them.
 *
 * Where things run (README.md in this folder has the table of every operation):
 *   - each declared process is a helper process, forked by kx_start() before any
 *     thread exists; its tasks are worker threads inside it and its mappings are its
 *     own address space;
 *   - tasks without a process are worker threads of the calling process;
 *   - resume() is only ever called by the thread inside kx_run(), so a driver that is
 *     not thread-safe (a Lua state) is never entered by two threads.
 *
 * Life cycle: kx_new, declarations, kx_prepare (files created, written in full,
 * fsync'd; the caller may then remount), kx_start, kx_run, kx_finish (the caller may
 * then unmount and mount again), kx_verify, kx_free.  Call kx_start and kx_run from
 * the same thread: the helpers die with it (PR_SET_PDEATHSIG).
 */
#ifndef WBSIM_KEXEC_H
#define WBSIM_KEXEC_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "metrics/metrics.h"

struct kx;
struct kx_file;
struct kx_proc;
struct kx_map;
struct kx_task;
struct kx_pin;
struct kx_buf;                  /* anonymous private memory of a process (proc:alloc) */
struct kx_io;                   /* an asynchronous direct I/O (io_uring) */

enum kx_status { KX_DONE, KX_BLOCKED };

struct kx_hooks {
	void (*resume)(struct kx_task *t);
};

enum kx_end {
	KX_END_IDLE,            /* every task exited */
	KX_END_DURATION,        /* the duration passed; operations in flight were let finish */
	KX_END_DEADLOCK,        /* every live task waits on a key nobody will wake */
	KX_END_STOPPED,         /* the driver called kx_stop() */
	KX_END_ERROR,           /* an operation failed in a way a task cannot be told (GError) */
};

#define KX_ERROR (kx_error_quark())
GQuark kx_error_quark(void);

/* sync_file_range flags: the system call's own values (sim.h uses the same). */
#define KX_SYNC_WAIT_BEFORE 1u
#define KX_SYNC_WRITE       2u
#define KX_SYNC_WAIT_AFTER  4u

/* ---- declaring --------------------------------------------------------------------- */

/* @dir: an existing directory on the filesystem under test; the files are created in it. */
struct kx *kx_new(const char *dir, const struct kx_hooks *hooks, GError **err);
/* Stops and reaps everything kx_start made if kx_finish was not called. */
void kx_free(struct kx *kx);

/* Before kx_prepare.  @name is a path below the directory ("c1/data": kx_prepare makes
 * "c1").  NULL and @err for a name with an empty, "." or ".." component, a reserved one
 * (".kx-*"), a duplicate, a name that is another's directory, or a size of 0. */
struct kx_file *kx_file(struct kx *kx, const char *name, uint64_t size, GError **err);
struct kx_proc *kx_process(struct kx *kx, const char *name);
/* MAP_SHARED of [@off, @off+@size) of @f; both page aligned, inside the file.  @p NULL:
 * the calling process.  Before kx_start the mapping is made when its process starts;
 * later (from inside a task) at the first operation that uses it. */
struct kx_map *kx_mmap(struct kx *kx, struct kx_proc *p, struct kx_file *f, uint64_t off,
		       uint64_t size);
/* @size bytes of anonymous private memory (MAP_PRIVATE | MAP_ANONYMOUS, page aligned,
 * zero-filled) in @p's address space (NULL: the calling process): made when the
 * process starts, or at the first operation that uses it when declared later.  NULL
 * for a size of 0. */
struct kx_buf *kx_alloc(struct kx *kx, struct kx_proc *p, uint64_t size);
/* Before kx_start.  @p NULL: a thread of the calling process.  First resumed @start_ns
 * after kx_run begins. */
struct kx_task *kx_spawn(struct kx *kx, const char *name, struct kx_proc *p, uint64_t start_ns,
			 void *data);
/* Where pin:write's source file lives (default: the directory of kx_new). */
void kx_set_scratch_dir(struct kx *kx, const char *dir);
/* How long the loop busy-waits (yielding the CPU to anything else runnable on it)
 * for a completion or a timer before it sleeps in ppoll; 0 (the default): it never
 * does.  A thread wakeup costs tens of us on a virtual machine, more than the 20 us
 * sleeps and few-us writes scenarios are made of: without the busy wait the kernel
 * run cannot keep the pace the scenario asks for (kexec_loop.c). */
void kx_set_spin(struct kx *kx, uint64_t ns);
/* How many ops the loop handed to a worker that was spinning for it (for the tests). */
uint64_t kx_rung(const struct kx *kx);

/* ---- running ------------------------------------------------------------------------- */

/* Past kx_prepare no file can be declared; past kx_start no process or task. */
bool kx_prepared(const struct kx *kx);
bool kx_started(const struct kx *kx);

/* Create every file in the directory, written in full with its initial pattern and
 * fsync'd.  On error nothing it created is left behind. */
bool kx_prepare(struct kx *kx, GError **err);
/* Open the files, fork the helper processes, map their mappings, start the workers. */
bool kx_start(struct kx *kx, GError **err);
/* The main loop; @duration_ns 0: until every task has exited. */
enum kx_end kx_run(struct kx *kx, uint64_t duration_ns, GError **err);
/* From inside resume(): end the run once the operations in flight have finished. */
void kx_stop(struct kx *kx);
/* Stop the workers, unmap, close, reap the helpers; then read every file through the
 * page cache once (for stale_cache_pages).  Idempotent. */
void kx_finish(struct kx *kx);

struct kx_verdict {
	uint64_t lost_writes;           /* pages holding bytes of no acceptable write */
	uint64_t stale_reads;           /* (read, page) pairs that returned such bytes */
	uint64_t stale_cache_pages;     /* cached pages that differed from the disk at the end */
	bool stale_cache_measured;      /* false when the files could not be read past the cache */
	uint64_t unchecked_reads;       /* reads too fragmented to summarise (not judged) */
	uint64_t writes_tracked;        /* write records kept for the check */
	GPtrArray *notes;               /* of char *: the first problems, described */
};
/* After kx_finish (and the caller's remount): read every file back, bypassing the
 * cache, and judge it.  Also stores lost_at_end, stale_reads, stale_cache_pages in the
 * metrics.  @v may be NULL; else free it with kx_verdict_clear. */
bool kx_verify(struct kx *kx, struct kx_verdict *v, GError **err);
void kx_verdict_clear(struct kx_verdict *v);

/* ---- operations (from inside resume) ------------------------------------------------- */

enum kx_status kx_pwrite(struct kx_task *t, struct kx_file *f, uint64_t off, uint64_t len);
enum kx_status kx_pread(struct kx_task *t, struct kx_file *f, uint64_t off, uint64_t len);
enum kx_status kx_store(struct kx_task *t, struct kx_map *m, uint64_t off, uint64_t len);
enum kx_status kx_load(struct kx_task *t, struct kx_map *m, uint64_t off, uint64_t len);
enum kx_status kx_fsync(struct kx_task *t, struct kx_file *f, bool datasync);
enum kx_status kx_msync(struct kx_task *t, struct kx_map *m, uint64_t off, uint64_t len);
/* @len 0: to the end of the file.  @how: KX_SYNC_* flags. */
enum kx_status kx_sync_range(struct kx_task *t, struct kx_file *f, uint64_t off, uint64_t len,
			     unsigned how);
enum kx_status kx_sync(struct kx_task *t);
/* @src NULL: an anonymous buffer carrying the op's own pattern; else bytes @src_off..
 * of mapping @src (of the task's process). */
enum kx_status kx_dio_write(struct kx_task *t, struct kx_file *f, uint64_t off, uint64_t len,
			    struct kx_map *src, uint64_t src_off);
enum kx_status kx_dio_read(struct kx_task *t, struct kx_file *f, uint64_t off, uint64_t len);
/* A Buffer's bytes: the op's pattern stored into them (8-byte stores), or copied out
 * and judged. */
enum kx_status kx_buf_store(struct kx_task *t, struct kx_buf *b, uint64_t off, uint64_t len);
enum kx_status kx_buf_load(struct kx_task *t, struct kx_buf *b, uint64_t off, uint64_t len);
/* A direct I/O with every option: the user buffer is @map or @buf from byte @at (a
 * read's destination can only be a Buffer), or neither (an aligned buffer of the
 * worker's); @async: submitted through the task's io_uring and the task goes on, the
 * handle in kx_result_io() (the submission itself may fail the run, never EIO). */
struct kx_dio {
	bool write, async;
	struct kx_file *f;
	uint64_t off, len;
	struct kx_map *map;
	struct kx_buf *buf;
	uint64_t at;
};
enum kx_status kx_dio(struct kx_task *t, const struct kx_dio *d);
struct kx_io *kx_result_io(const struct kx_task *t);
/* Until @io has completed; kx_result() is then its result (0 or -EIO) and @io is gone. */
enum kx_status kx_io_wait(struct kx_task *t, struct kx_io *io);
/* The pin is in kx_result_pin() when the task is resumed. */
enum kx_status kx_pin(struct kx_task *t, struct kx_map *m, uint64_t off, uint64_t len);
enum kx_status kx_pin_write(struct kx_task *t, struct kx_pin *p, uint64_t off, uint64_t len);
enum kx_status kx_pin_release(struct kx_task *t, struct kx_pin *p);
enum kx_status kx_munmap(struct kx_task *t, struct kx_map *m);
enum kx_status kx_sleep(struct kx_task *t, uint64_t ns);
enum kx_status kx_wait_on(struct kx_task *t, const void *key);
void kx_wake(struct kx *kx, const void *key);
/* The task has nothing more to do; wakes the tasks waiting on key @t (joins). */
void kx_exit(struct kx_task *t);

int kx_result(const struct kx_task *t);                 /* 0 or -EIO */
struct kx_pin *kx_result_pin(const struct kx_task *t);
uint64_t kx_now(const struct kx *kx);                   /* ns since kx_run began */

/* ---- inspection -------------------------------------------------------------------------- */

struct metrics *kx_metrics(struct kx *kx);
const char *kx_task_name(const struct kx_task *t);
void *kx_task_data(const struct kx_task *t);
bool kx_task_is_done(const struct kx_task *t);
struct kx *kx_task_kx(const struct kx_task *t);
/* The pid of the process the task's last operation ran in, and the address it used in
 * that process (mapping operations), for tests. */
int kx_task_pid(const struct kx_task *t);
uintptr_t kx_task_addr(const struct kx_task *t);
/* After KX_END_DEADLOCK: the tasks left waiting, and what each waits for. */
GPtrArray *kx_blocked_tasks(struct kx *kx);
char *kx_describe_wait(const struct kx_task *t);
const char *kx_file_name(const struct kx_file *f);
uint64_t kx_file_size(const struct kx_file *f);
uint64_t kx_map_size(const struct kx_map *m);
uint64_t kx_pin_size(const struct kx_pin *p);
uint64_t kx_buf_size(const struct kx_buf *b);
/* O_DIRECT alignment of the files (statx STATX_DIOALIGN), known after kx_prepare:
 * what dio offsets/lengths and pin:write need.  0 before. */
unsigned kx_dio_align(const struct kx *kx);

/* How the kernel target gets a metric: measured here, by the environment (tracefs,
 * sysfs: the loop-device side), or not at all ("n/a", with the reason in @why). */
enum kx_measure { KX_MEASURED, KX_MEASURED_BY_ENV, KX_NOT_MEASURED };
enum kx_measure kx_metric_measure(const char *name, const char **why);

/* Test hook: the task's next kernel operation is not performed and fails with @err
 * (EIO exercises the path a device error takes). */
void kx_test_fail_next(struct kx_task *t, int err);

#endif
