/*
 * task_api — tasks as a driver sees them: making one, issuing its system calls
 * (task_pwrite and friends start an op and run it as far as it goes), continuing the
 * op when the task's wakeup fires, and finishing it (its latency, its result).
 */
#include "model/model_internal.h"

#include <string.h>

static enum op_status op_continue(struct ktask *kt)
{
	struct kernel *k = kt->op.k;
	struct task *t = &kt->t;
	struct op *op = &kt->op;
	switch (op->type) {
	case OP_SLEEP:
		if (op->phase == 0) {
			op->phase = 1;
			task_sleep_until(t, engine_now(t->sched->eng) + op->arg_ns);
			return OP_BLOCKED;
		}
		return OP_DONE;
	case OP_WAIT_KEY:
		if (op->phase == 0) {
			op->phase = 1;
			task_wait(t, op->wait_key, STALL_NONE);
			return OP_BLOCKED;
		}
		return OP_DONE;
	case OP_PWRITE:         return op_pwrite(k, t, op);
	case OP_PREAD:          return op_pread(k, t, op);
	case OP_STORE:          return op_store(k, t, op);
	case OP_LOAD:           return op_load(k, t, op);
	case OP_PIN:            return op_pin(k, t, op);
	case OP_PIN_WRITE:      return op_pin_write(k, t, op);
	case OP_PIN_RELEASE:    return op_pin_release(k, t, op);
	case OP_FSYNC:
	case OP_MSYNC:
	case OP_FINAL_SYNC:     return op_fsync(k, t, op);
	case OP_SYNC_RANGE:     return op_sync_range(k, t, op);
	case OP_SYNC:           return op_sync(k, t, op);
	case OP_DIO_WRITE:      return op_dio_write(k, t, op);
	case OP_DIO_READ:       return op_dio_read(k, t, op);
	case OP_IO_WAIT:        return op_io_wait(k, t, op);
	case OP_BUF_STORE:      return op_buf_store(k, t, op);
	case OP_BUF_LOAD:       return op_buf_load(k, t, op);
	case OP_NONE:           break;
	}
	g_assert_not_reached();
}

static const enum op_kind latency_kind[] = {
	[OP_PWRITE] = OPK_WRITE, [OP_STORE] = OPK_STORE, [OP_FSYNC] = OPK_FSYNC,
	[OP_SYNC] = OPK_FSYNC, [OP_MSYNC] = OPK_MSYNC, [OP_DIO_WRITE] = OPK_DIO_WRITE,
	[OP_PIN_WRITE] = OPK_PIN_WRITE, [OP_PREAD] = OPK_READ, [OP_LOAD] = OPK_READ,
	[OP_DIO_READ] = OPK_READ,
};

/* Whether an op of this type has a latency entry (latency_kind's zero is a kind). */
static bool has_latency(enum op_type type)
{
	switch (type) {
	case OP_PWRITE: case OP_STORE: case OP_FSYNC: case OP_SYNC: case OP_MSYNC:
	case OP_DIO_WRITE: case OP_PIN_WRITE: case OP_PREAD: case OP_LOAD: case OP_DIO_READ:
		return true;
	default:
		return false;
	}
}

static void op_finish(struct ktask *kt)
{
	struct op *op = &kt->op;
	struct metrics *m = op->k->m;
	task_flush_plug(&kt->t);
	/* An asynchronous direct I/O is timed to its completion (direct_io.c). */
	if (has_latency(op->type) && !op->async)
		metrics_latency(m, latency_kind[op->type], engine_now(op->k->eng) - op->started);
	if (op->result && !kt->t.kernel)
		metrics_inc(m, M_EIO_RETURNED);
	if (op->snapshot) {
		g_array_free(op->snapshot, TRUE);
		op->snapshot = NULL;
	}
	if (op->files) {
		g_ptr_array_free(op->files, TRUE);
		op->files = NULL;
	}
	op->type = OP_NONE;
}

/* The task's wakeup fired: continue its operation, or hand control to its driver. */
static void task_event(struct engine *e, struct sim_event *ev)
{
	(void)e;
	struct ktask *kt = (struct ktask *)ev;
	if (kt->t.done)
		return;
	if (kt->op.type != OP_NONE) {
		if (op_continue(kt) == OP_BLOCKED)
			return;
		op_finish(kt);
	}
	kt->drv->resume(&kt->t);
}

/* A new op of @type on @t: its state cleared but for who runs it. */
static struct op *op_start(struct task *t, enum op_type type)
{
	struct ktask *kt = ktask_of(t);
	g_assert(kt->op.type == OP_NONE && !t->done);
	struct op *op = &kt->op;
	struct kernel *k = op->k;
	memset(op, 0, sizeof(*op));
	op->k = k;
	op->t = t;
	op->type = type;
	op->started = engine_now(t->sched->eng);
	return op;
}

static enum op_status op_go(struct task *t)
{
	struct ktask *kt = ktask_of(t);
	if (op_continue(kt) == OP_BLOCKED)
		return OP_BLOCKED;
	op_finish(kt);
	return OP_DONE;
}

struct ktask *ktask_new(struct sim *s, const char *name, struct process *p, int cpu,
			simtime_t start, const struct task_driver *drv, void *drv_data)
{
	struct ktask *kt = g_new0(struct ktask, 1);
	/* CPU 0 belongs to the flusher; workload tasks get one each from 1 up. */
	int c = cpu >= 0 ? cpu : s->nr_tasks % (MAX_CPUS - 1) + 1;
	if (c >= MAX_CPUS)
		c %= MAX_CPUS;
	task_init(&kt->t, &s->sched, ++s->nr_tasks, name, c, p, task_event);
	if (p)
		mm_add_cpu(p, c);
	kt->op.k = &s->k;
	kt->op.t = &kt->t;
	kt->drv = drv;
	kt->drv_data = drv_data;
	g_ptr_array_add(s->tasks, kt);
	s->nr_live_tasks++;
	engine_schedule(s->eng, &kt->t.ev, start);
	return kt;
}

struct task *sim_task_new(struct sim *s, const char *name, struct process *p, int cpu,
			  simtime_t start, const struct task_driver *drv, void *drv_data)
{
	return &ktask_new(s, name, p, cpu, start, drv, drv_data)->t;
}

static struct sim *sim_of(struct task *t)
{
	return ktask_of(t)->op.k->owner;
}

void task_exit(struct task *t)
{
	struct sim *s = sim_of(t);
	if (t->done)
		return;
	task_flush_plug(t);
	t->done = true;
	engine_cancel(s->eng, &t->ev);
	if (!t->kernel) {
		s->nr_live_tasks--;
		wake_up_key(&s->sched, t);      /* joiners */
		sim_check_quiescent(s);
	}
}

void sim_wake(struct sim *s, const void *key)
{
	wake_up_key(&s->sched, key);
}

void task_munmap(struct task *t, struct mapping *m)
{
	mm_munmap(&sim_of(t)->mm, m);
}

void task_trace(struct task *t, const char *event, const char *text)
{
	TRACE(ktask_of(t)->op.k->tr, t, event, "%s", text);
}

enum op_status task_sleep(struct task *t, uint64_t ns)
{
	op_start(t, OP_SLEEP)->arg_ns = ns;
	return op_go(t);
}

enum op_status task_wait_on(struct task *t, const void *key)
{
	op_start(t, OP_WAIT_KEY)->wait_key = key;
	return op_go(t);
}

static enum op_status file_op(struct task *t, enum op_type type, struct file *f,
			      uint64_t off, uint64_t len)
{
	struct op *op = op_start(t, type);
	op->file = f;
	op->off = off;
	op->len = len;
	return op_go(t);
}

static enum op_status map_op(struct task *t, enum op_type type, struct mapping *m,
			     uint64_t off, uint64_t len)
{
	struct op *op = op_start(t, type);
	op->map = m;
	op->off = off;
	op->len = len;
	return op_go(t);
}

static struct metrics *metrics_of(struct task *t)
{
	return ktask_of(t)->op.k->m;
}

enum op_status task_pwrite(struct task *t, struct file *f, uint64_t off, uint64_t len)
{
	metrics_inc(metrics_of(t), M_WRITES);
	return file_op(t, OP_PWRITE, f, off, len);
}

enum op_status task_pread(struct task *t, struct file *f, uint64_t off, uint64_t len)
{
	return file_op(t, OP_PREAD, f, off, len);
}

enum op_status task_store(struct task *t, struct mapping *m, uint64_t off, uint64_t len)
{
	metrics_inc(metrics_of(t), M_STORES);
	return map_op(t, OP_STORE, m, off, len);
}

enum op_status task_load(struct task *t, struct mapping *m, uint64_t off, uint64_t len)
{
	return map_op(t, OP_LOAD, m, off, len);
}

enum op_status task_pin(struct task *t, struct mapping *m, uint64_t off, uint64_t len)
{
	return map_op(t, OP_PIN, m, off, len);
}

enum op_status task_pin_write(struct task *t, struct pin *p, uint64_t off, uint64_t len)
{
	struct op *op = op_start(t, OP_PIN_WRITE);
	op->pin = p;
	op->off = off;
	op->len = len;
	metrics_inc(metrics_of(t), M_PIN_WRITES);
	return op_go(t);
}

enum op_status task_pin_release(struct task *t, struct pin *p)
{
	op_start(t, OP_PIN_RELEASE)->pin = p;
	return op_go(t);
}

enum op_status task_fsync(struct task *t, struct file *f, bool datasync)
{
	struct op *op = op_start(t, OP_FSYNC);
	op->file = f;
	op->off = 0;
	op->len = f->size;
	op->how = datasync;
	metrics_inc(metrics_of(t), M_FSYNCS);
	return op_go(t);
}

enum op_status task_msync(struct task *t, struct mapping *m, uint64_t off, uint64_t len)
{
	struct op *op = op_start(t, OP_MSYNC);
	op->map = m;
	op->file = m->file;
	op->off = (m->pgoff << PAGE_SHIFT) + off;
	op->len = len;
	metrics_inc(metrics_of(t), M_FSYNCS);
	return op_go(t);
}

enum op_status task_sync_range(struct task *t, struct file *f, uint64_t off, uint64_t len,
			       unsigned how)
{
	struct op *op = op_start(t, OP_SYNC_RANGE);
	op->file = f;
	op->off = off;
	op->len = len;
	op->how = how;
	return op_go(t);
}

enum op_status task_sync(struct task *t)
{
	op_start(t, OP_SYNC);
	if (!t->kernel)
		metrics_inc(metrics_of(t), M_FSYNCS);
	return op_go(t);
}

enum op_status task_dio_write(struct task *t, struct file *f, uint64_t off, uint64_t len,
			      struct mapping *src, uint64_t src_off)
{
	struct op *op = op_start(t, OP_DIO_WRITE);
	op->file = f;
	op->off = off;
	op->len = len;
	op->src_map = src;
	op->src_off = src_off;
	metrics_inc(metrics_of(t), M_DIO_WRITES);
	return op_go(t);
}

enum op_status task_dio_read(struct task *t, struct file *f, uint64_t off, uint64_t len)
{
	return file_op(t, OP_DIO_READ, f, off, len);
}

enum op_status task_dio(struct task *t, const struct dio_args *a)
{
	struct op *op = op_start(t, a->write ? OP_DIO_WRITE : OP_DIO_READ);
	op->file = a->file;
	op->off = a->off;
	op->len = a->len;
	op->src_map = a->write ? a->map : NULL;
	op->src_off = a->write && a->map ? a->at : 0;
	op->buf = a->buf;
	op->buf_off = a->buf ? a->at : 0;
	op->async = a->async;
	if (a->write)
		metrics_inc(metrics_of(t), M_DIO_WRITES);
	return op_go(t);
}

enum op_status task_io_wait(struct task *t, struct kiocb *io)
{
	op_start(t, OP_IO_WAIT)->iocb = io;
	return op_go(t);
}

struct kiocb *task_result_io(const struct task *t)
{
	return ktask_of(t)->op.out_io;
}

static enum op_status buf_op(struct task *t, enum op_type type, struct anon *a, uint64_t off,
			     uint64_t len)
{
	struct op *op = op_start(t, type);
	op->buf = a;
	op->off = off;
	op->len = len;
	return op_go(t);
}

enum op_status task_buf_store(struct task *t, struct anon *a, uint64_t off, uint64_t len)
{
	return buf_op(t, OP_BUF_STORE, a, off, len);
}

enum op_status task_buf_load(struct task *t, struct anon *a, uint64_t off, uint64_t len)
{
	return buf_op(t, OP_BUF_LOAD, a, off, len);
}

enum op_status task_pin_longterm(struct task *t, struct mapping *m, uint64_t off, uint64_t len)
{
	struct op *op = op_start(t, OP_PIN);
	op->map = m;
	op->off = off;
	op->len = len;
	op->longterm = true;
	return op_go(t);
}

/* An op on a kernel task (the final sync). */
enum op_status task_kernel_op(struct task *t, enum op_type type)
{
	op_start(t, type);
	return op_go(t);
}

int task_result(const struct task *t)
{
	return ktask_of(t)->op.result;
}

struct pin *task_result_pin(const struct task *t)
{
	return ktask_of(t)->op.out_pin;
}

void *task_driver_data(const struct task *t)
{
	return ktask_of(t)->drv_data;
}

struct sim *task_get_sim(struct task *t)
{
	return sim_of(t);
}

bool task_is_done(const struct task *t)
{
	return t->done;
}

static const char *op_names[] = {
	[OP_NONE] = "nothing", [OP_SLEEP] = "sleep", [OP_PWRITE] = "write",
	[OP_PREAD] = "read", [OP_STORE] = "store", [OP_LOAD] = "load", [OP_PIN] = "pin",
	[OP_PIN_WRITE] = "pin write", [OP_PIN_RELEASE] = "pin release",
	[OP_FSYNC] = "fsync", [OP_MSYNC] = "msync", [OP_SYNC_RANGE] = "sync_file_range",
	[OP_SYNC] = "sync", [OP_DIO_WRITE] = "direct write", [OP_DIO_READ] = "direct read",
	[OP_IO_WAIT] = "io:wait", [OP_BUF_STORE] = "buffer store", [OP_BUF_LOAD] = "buffer load",
	[OP_WAIT_KEY] = "an event or a task", [OP_FINAL_SYNC] = "final sync",
};

char *task_describe_wait(const struct task *t)
{
	static const char *causes[] = {
		[STALL_NONE] = "", [STALL_STABLE] = " (stable page wait)",
		[STALL_PIN] = " (pin wait)", [STALL_REFORK] = " (refork wait)",
		[STALL_THROTTLE] = " (dirty throttling)", [STALL_IO] = " (I/O)",
	};
	return g_strdup_printf("%s in %s%s", t->name, op_names[ktask_of(t)->op.type],
			       t->blocked ? causes[t->stall] : "");
}
