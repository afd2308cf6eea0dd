/*
 * target_linux — the linux: target's operations: each one kexec's (kexec.h), the
 * handles a source holds are kexec's own objects.  A task handle is the kx_task, so a
 * join (wait_on a task) is kexec's wait on the key its kx_exit wakes.
 */
#include "linux/tlinux_int.h"

#include <errno.h>

#include "engine/uapi.h"

#define K(k) ((struct kx_task *)(k))
#define F(f) ((struct kx_file *)(f))
#define M(m) ((struct kx_map *)(m))

static enum op_status st(enum kx_status s)
{
	return s == KX_DONE ? OP_DONE : OP_BLOCKED;
}

static bool l_claims(const char *spec)
{
	return lspec_claims(spec);
}

static char *l_canonical(const char *spec, GError **err)
{
	struct lspec s;
	return lspec_parse(spec, &s, err) ? lspec_canonical(&s) : NULL;
}

static struct target_file *l_file(struct target *t, const char *name, uint64_t size)
{
	struct ltarget *lt = LT(t);
	if (kx_prepared(lt->kx)) {
		/* The files are made, written and the filesystem remounted before the
		 * tasks start. */
		if (!lt->error)
			lt->error = g_strdup_printf("sim.file \"%s\" declared by a running task: this "
						    "target makes every file before the run begins", name);
		return NULL;
	}
	GError *e = NULL;
	struct kx_file *f = kx_file(lt->kx, name, size, &e);
	if (!f) {
		if (!lt->error)
			lt->error = g_strdup_printf("sim.file \"%s\": %s", name, e->message);
		g_error_free(e);
		return NULL;
	}
	lt->files_bytes += size;
	return (struct target_file *)f;
}

/* A process is a helper forked before any worker thread exists (kexec_spawn): one
 * declared by a running task (a fork in a recorded program) cannot be had. */
static struct target_proc *l_process(struct target *t, const char *name)
{
	struct ltarget *lt = LT(t);
	if (kx_started(lt->kx)) {
		if (!lt->error)
			lt->error = g_strdup_printf("sim.process \"%s\" declared by a running task: "
						    "this target forks every process before the run begins",
						    name);
		return NULL;
	}
	return (struct target_proc *)kx_process(lt->kx, name);
}

static struct target_map *l_mmap(struct target *t, struct target_proc *p, struct target_file *f,
				 uint64_t off, uint64_t size)
{
	return (struct target_map *)kx_mmap(LT(t)->kx, (struct kx_proc *)p, F(f), off, size);
}

/* @cpu is not applied: threads are not pinned (tlinux_run lists it). */
static struct target_task *l_spawn(struct target *t, const char *name, struct target_proc *p,
				   int cpu, uint64_t start_ns, void *task_data)
{
	(void)cpu;
	struct ltarget *lt = LT(t);
	if (kx_started(lt->kx)) {
		/* Its worker would be a thread of a helper forked before the run. */
		if (!lt->error)
			lt->error = g_strdup_printf("task '%s' spawned by a running task: this "
						    "target starts every worker before the run begins", name);
		return NULL;
	}
	struct ltask *k = g_new(struct ltask, 1);
	k->lt = lt;
	k->data = task_data;
	g_ptr_array_add(lt->tasks, k);
	return (struct target_task *)kx_spawn(lt->kx, name, (struct kx_proc *)p,
					      start_ns + kx_now(lt->kx), k);
}

static enum op_status l_sleep(struct target_task *k, uint64_t ns)
{
	return st(kx_sleep(K(k), ns));
}

static enum op_status l_pwrite(struct target_task *k, struct target_file *f, uint64_t off,
			       uint64_t len)
{
	return st(kx_pwrite(K(k), F(f), off, len));
}

static enum op_status l_pread(struct target_task *k, struct target_file *f, uint64_t off,
			      uint64_t len)
{
	return st(kx_pread(K(k), F(f), off, len));
}

static enum op_status l_store(struct target_task *k, struct target_map *m, uint64_t off,
			      uint64_t len)
{
	return st(kx_store(K(k), M(m), off, len));
}

static enum op_status l_load(struct target_task *k, struct target_map *m, uint64_t off,
			     uint64_t len)
{
	return st(kx_load(K(k), M(m), off, len));
}

static enum op_status l_pin(struct target_task *k, struct target_map *m, uint64_t off,
			    uint64_t len)
{
	return st(kx_pin(K(k), M(m), off, len));
}

static enum op_status l_pin_write(struct target_task *k, struct target_pin *p, uint64_t off,
				  uint64_t len)
{
	return st(kx_pin_write(K(k), (struct kx_pin *)p, off, len));
}

static enum op_status l_pin_release(struct target_task *k, struct target_pin *p)
{
	return st(kx_pin_release(K(k), (struct kx_pin *)p));
}

static enum op_status l_fsync(struct target_task *k, struct target_file *f, bool datasync)
{
	return st(kx_fsync(K(k), F(f), datasync));
}

static enum op_status l_msync(struct target_task *k, struct target_map *m, uint64_t off,
			      uint64_t len)
{
	return st(kx_msync(K(k), M(m), off, len));
}

static enum op_status l_sync_range(struct target_task *k, struct target_file *f, uint64_t off,
				   uint64_t len, unsigned how)
{
	return st(kx_sync_range(K(k), F(f), off, len, how));
}

static enum op_status l_sync(struct target_task *k)
{
	return st(kx_sync(K(k)));
}

static enum op_status l_dio_write(struct target_task *k, struct target_file *f, uint64_t off,
				  uint64_t len, struct target_map *src, uint64_t src_off)
{
	return st(kx_dio_write(K(k), F(f), off, len, M(src), src_off));
}

static enum op_status l_dio_read(struct target_task *k, struct target_file *f, uint64_t off,
				 uint64_t len)
{
	return st(kx_dio_read(K(k), F(f), off, len));
}

static struct target_buf *l_alloc(struct target *t, struct target_proc *p, uint64_t size)
{
	return (struct target_buf *)kx_alloc(LT(t)->kx, (struct kx_proc *)p, size);
}

static enum op_status l_buf_store(struct target_task *k, struct target_buf *b, uint64_t off,
				  uint64_t len)
{
	return st(kx_buf_store(K(k), (struct kx_buf *)b, off, len));
}

static enum op_status l_buf_load(struct target_task *k, struct target_buf *b, uint64_t off,
				 uint64_t len)
{
	return st(kx_buf_load(K(k), (struct kx_buf *)b, off, len));
}

static enum op_status l_dio(struct target_task *k, const struct target_dio *d)
{
	return st(kx_dio(K(k), &(struct kx_dio){
		.write = d->write, .async = d->async, .f = F(d->f), .off = d->off, .len = d->len,
		.map = M(d->map), .buf = (struct kx_buf *)d->buf, .at = d->at }));
}

static struct target_io *l_result_io(struct target_task *k)
{
	return (struct target_io *)kx_result_io(K(k));
}

static enum op_status l_io_wait(struct target_task *k, struct target_io *io)
{
	return st(kx_io_wait(K(k), (struct kx_io *)io));
}

static enum op_status l_wait_on(struct target_task *k, const void *key)
{
	return st(kx_wait_on(K(k), key));
}

static void l_wake(struct target *t, const void *key)
{
	kx_wake(LT(t)->kx, key);
}

static enum op_status l_munmap(struct target_task *k, struct target_map *m)
{
	return st(kx_munmap(K(k), M(m)));
}

static void l_exit(struct target_task *k)
{
	kx_exit(K(k));
}

static int l_result(struct target_task *k)
{
	return kx_result(K(k)) == -EIO ? -WBSIM_EIO : kx_result(K(k));
}

static struct target_pin *l_result_pin(struct target_task *k)
{
	return (struct target_pin *)kx_result_pin(K(k));
}

static bool l_is_done(struct target_task *k)
{
	return kx_task_is_done(K(k));
}

static uint64_t l_now(struct target *t)
{
	return kx_now(LT(t)->kx);
}

/* sim.log: there is no trace of a kernel run (the model's trace lines name its
 * internals); the line goes nowhere. */
static void l_log(struct target_task *k, const char *event, const char *text)
{
	(void)k;
	(void)event;
	(void)text;
}

static void l_stop(struct target *t)
{
	kx_stop(LT(t)->kx);
}

/* There are no gauges to sample on the kernel (dirty and writeback pages are the
 * machine's, not the run's): the timeline stays empty. */
static void l_set_sample_interval(struct target *t, uint64_t ns)
{
	(void)t;
	(void)ns;
}

static const char *l_spec(struct target *t)
{
	return LT(t)->canon;
}

static uint64_t l_events(struct target *t)
{
	(void)t;
	return 0;
}

static GPtrArray *l_blocked(struct target *t)
{
	GPtrArray *tasks = kx_blocked_tasks(LT(t)->kx);
	for (guint i = 0; i < tasks->len; i++)
		tasks->pdata[i] = ((struct ltask *)kx_task_data(tasks->pdata[i]))->data;
	return tasks;
}

static char *l_describe_wait(struct target_task *k)
{
	return kx_describe_wait(K(k));
}

const struct target_ops linux_target = {
	.name = "linux",
	.exclusive = true,
	.measured = true,
	.upfront = true,
	.describe_specs = lspec_describe,
	.claims = l_claims,
	.canonical = l_canonical,
	.create = tlinux_create,
	.destroy = tlinux_destroy,
	.file = l_file,
	.process = l_process,
	.mmap = l_mmap,
	.spawn = l_spawn,
	.sleep = l_sleep,
	.pwrite = l_pwrite,
	.pread = l_pread,
	.store = l_store,
	.load = l_load,
	.pin = l_pin,
	.pin_write = l_pin_write,
	.pin_release = l_pin_release,
	.fsync = l_fsync,
	.msync = l_msync,
	.sync_range = l_sync_range,
	.sync = l_sync,
	.dio_write = l_dio_write,
	.dio_read = l_dio_read,
	.wait_on = l_wait_on,
	.wake = l_wake,
	.munmap = l_munmap,
	.exit = l_exit,
	.result = l_result,
	.result_pin = l_result_pin,
	.is_done = l_is_done,
	.now = l_now,
	.log = l_log,
	.run = tlinux_run,
	.stop = l_stop,
	.set_sample_interval = l_set_sample_interval,
	.spec = l_spec,
	.error = tlinux_error,
	.not_applied = tlinux_not_applied,
	.take_metrics = tlinux_take_metrics,
	.events = l_events,
	.blocked = l_blocked,
	.describe_wait = l_describe_wait,
	/* Version 2: Buffers and direct I/O with every option, asynchronous through
	 * io_uring (kexec_buf.c, kexec_uring.c). */
	.alloc = l_alloc,
	.buf_store = l_buf_store,
	.buf_load = l_buf_load,
	.dio = l_dio,
	.result_io = l_result_io,
	.io_wait = l_io_wait,
	/* Long-term pins: not here (README.md says why); the source names the call and
	 * this target when a scenario uses one. */
};
