/*
 * task — simulated threads.  A task runs one operation at a time as a resumable
 * state machine (struct op: a phase and a cursor).  It consumes CPU time with
 * task_charge() and sleeps on hashed wait queues keyed by the object it waits for,
 * as the kernel's folio wait tables do; wake_up_key() wakes everyone waiting on a key
 * and each re-checks its condition when it runs again.
 */
#include "model.h"
#include "policy.h"

#include <string.h>

static inline struct waiter *waitq_head(struct sim *s, const void *key)
{
	uint64_t h = ((uintptr_t)key >> 4) * 0x9e3779b97f4a7c15ull;
	return &s->waitq[h >> (64 - WAITQ_BITS)];
}

void task_account(struct task *t, enum metric_counter cause, uint64_t ns)
{
	metrics_add(t->sim->m, cause, ns);
}

bool task_charge(struct task *t, uint64_t ns)
{
	struct engine *e = t->sim->eng;
	if (ns == 0)
		return true;
	simtime_t when = engine_now(e) + ns;
	if (engine_try_advance(e, when))
		return true;
	engine_schedule(e, &t->ev, when);
	return false;
}

void task_sleep_until(struct task *t, simtime_t when)
{
	engine_schedule(t->sim->eng, &t->ev, when);
}

static const enum metric_counter stall_metric[] = {
	[STALL_STABLE] = M_STALL_STABLE,
	[STALL_PIN] = M_STALL_PIN,
	[STALL_REFORK] = M_STALL_REFORK,
	[STALL_THROTTLE] = M_STALL_THROTTLE,
};

void task_wait(struct task *t, const void *key, enum stall_cause cause)
{
	struct sim *s = t->sim;
	g_assert(!t->blocked);
	/* Like schedule(): a task never sleeps on I/O it has not sent yet. */
	task_plug_flush(t);
	struct waiter *head = waitq_head(s, key);
	struct waiter *w = &t->wait;
	w->key = key;
	w->task = t;
	w->prev = head->prev;
	w->next = head;
	head->prev->next = w;
	head->prev = w;
	t->blocked = true;
	t->stall = cause;
	t->stall_since = sim_now(s);
	if (cause != STALL_NONE && cause != STALL_IO)
		s->nr_stalled++;
}

static void task_unblock(struct sim *s, struct task *t)
{
	struct waiter *w = &t->wait;
	w->prev->next = w->next;
	w->next->prev = w->prev;
	w->next = w->prev = NULL;
	t->blocked = false;
	if (t->stall != STALL_NONE && t->stall != STALL_IO) {
		metrics_add(s->m, stall_metric[t->stall], sim_now(s) - t->stall_since);
		s->nr_stalled--;
	}
	t->stall = STALL_NONE;
	engine_schedule(s->eng, &t->ev, sim_now(s));
}

void wake_up_key(struct sim *s, const void *key)
{
	struct waiter *head = waitq_head(s, key);
	struct waiter *w = head->next;
	while (w != head) {
		struct waiter *next = w->next;
		if (w->key == key)
			task_unblock(s, w->task);
		w = next;
	}
}

void sim_wake(struct sim *s, const void *key)
{
	wake_up_key(s, key);
}

/* ---- running operations -------------------------------------------------------- */

static enum op_status op_sleep(struct task *t)
{
	if (t->op.phase == 0) {
		t->op.phase = 1;
		task_sleep_until(t, sim_now(t->sim) + t->op.arg_ns);
		return OP_BLOCKED;
	}
	return OP_DONE;
}

static enum op_status op_wait_key(struct task *t)
{
	if (t->op.phase == 0) {
		t->op.phase = 1;
		task_wait(t, t->op.wait_key, STALL_NONE);
		return OP_BLOCKED;
	}
	return OP_DONE;
}

static enum op_status op_continue(struct task *t)
{
	switch (t->op.type) {
	case OP_SLEEP:          return op_sleep(t);
	case OP_PWRITE:         return op_pwrite(t);
	case OP_PREAD:          return op_pread(t);
	case OP_STORE:          return op_store(t);
	case OP_LOAD:           return op_load(t);
	case OP_PIN:            return op_pin(t);
	case OP_PIN_WRITE:      return op_pin_write(t);
	case OP_PIN_RELEASE:    return op_pin_release(t);
	case OP_FSYNC:
	case OP_MSYNC:
	case OP_FINAL_SYNC:     return op_fsync(t);
	case OP_SYNC_RANGE:     return op_sync_range(t);
	case OP_SYNC:           return op_sync(t);
	case OP_DIO_WRITE:      return op_dio_write(t);
	case OP_DIO_READ:       return op_dio_read(t);
	case OP_WAIT_KEY:       return op_wait_key(t);
	case OP_FLUSHER:        return flusher_step(t);
	case OP_NONE:           break;
	}
	g_assert_not_reached();
}

static void op_finish(struct task *t)
{
	struct sim *s = t->sim;
	struct op *op = &t->op;
	uint64_t lat = sim_now(s) - op->started;
	task_plug_flush(t);
	switch (op->type) {
	case OP_PWRITE:     metrics_latency(s->m, OPK_WRITE, lat); break;
	case OP_STORE:      metrics_latency(s->m, OPK_STORE, lat); break;
	case OP_FSYNC:
	case OP_SYNC:       metrics_latency(s->m, OPK_FSYNC, lat); break;
	case OP_MSYNC:      metrics_latency(s->m, OPK_MSYNC, lat); break;
	case OP_DIO_WRITE:  metrics_latency(s->m, OPK_DIO_WRITE, lat); break;
	case OP_PIN_WRITE:  metrics_latency(s->m, OPK_PIN_WRITE, lat); break;
	case OP_PREAD:
	case OP_LOAD:
	case OP_DIO_READ:   metrics_latency(s->m, OPK_READ, lat); break;
	default:            break;
	}
	if (op->result && !t->kernel)
		metrics_inc(s->m, M_EIO_RETURNED);
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
	struct task *t = (struct task *)ev;
	if (t->done)
		return;
	t->started = true;
	if (t->op.type != OP_NONE) {
		if (op_continue(t) == OP_BLOCKED)
			return;
		op_finish(t);
	}
	t->drv->resume(t);
}

static enum op_status op_start(struct task *t, enum op_type type)
{
	g_assert(t->op.type == OP_NONE && !t->done);
	struct op *op = &t->op;
	memset(op, 0, sizeof(*op));
	op->type = type;
	op->started = sim_now(t->sim);
	return OP_DONE;
}

static enum op_status op_go(struct task *t)
{
	if (op_continue(t) == OP_BLOCKED)
		return OP_BLOCKED;
	op_finish(t);
	return OP_DONE;
}

struct task *sim_task_new(struct sim *s, const char *name, struct process *p, int cpu,
			  simtime_t start, const struct task_driver *drv, void *drv_data)
{
	struct task *t = g_new0(struct task, 1);
	sim_event_init(&t->ev, task_event);
	t->sim = s;
	t->id = (int)s->tasks->len + 1;
	t->name = g_strdup(name);
	t->proc = p;
	t->drv = drv;
	t->drv_data = drv_data;
	/* CPU 0 belongs to the flusher; workload tasks get one each from 1 up. */
	t->cpu = cpu >= 0 ? cpu : (int)(s->tasks->len % (MAX_CPUS - 1)) + 1;
	if (t->cpu >= MAX_CPUS)
		t->cpu %= MAX_CPUS;
	if (p && !(p->cpumask[t->cpu / 64] >> (t->cpu % 64) & 1)) {
		p->cpumask[t->cpu / 64] |= 1ull << (t->cpu % 64);
		p->nr_cpus++;
	}
	char *stream = g_strdup_printf("task:%s", name);
	rng_init(&t->rng, s->cfg.seed, stream);
	g_free(stream);
	g_ptr_array_add(s->tasks, t);
	if (drv) {
		s->nr_live_tasks++;
		engine_schedule(s->eng, &t->ev, start);
	}
	return t;
}

void task_exit(struct task *t)
{
	struct sim *s = t->sim;
	if (t->done)
		return;
	task_plug_flush(t);
	t->done = true;
	engine_cancel(s->eng, &t->ev);
	if (!t->kernel) {
		s->nr_live_tasks--;
		wake_up_key(s, t);      /* joiners */
		sim_check_quiescent(s);
	}
}

#define START(t, type) op_start((t), (type))

enum op_status task_sleep(struct task *t, uint64_t ns)
{
	START(t, OP_SLEEP);
	t->op.arg_ns = ns;
	return op_go(t);
}

enum op_status task_wait_on(struct task *t, const void *key)
{
	START(t, OP_WAIT_KEY);
	t->op.wait_key = key;
	return op_go(t);
}

enum op_status task_pwrite(struct task *t, struct file *f, uint64_t off, uint64_t len)
{
	START(t, OP_PWRITE);
	t->op.file = f;
	t->op.off = off;
	t->op.len = len;
	metrics_inc(t->sim->m, M_WRITES);
	return op_go(t);
}

enum op_status task_pread(struct task *t, struct file *f, uint64_t off, uint64_t len)
{
	START(t, OP_PREAD);
	t->op.file = f;
	t->op.off = off;
	t->op.len = len;
	return op_go(t);
}

enum op_status task_store(struct task *t, struct mapping *m, uint64_t off, uint64_t len)
{
	START(t, OP_STORE);
	t->op.map = m;
	t->op.off = off;
	t->op.len = len;
	metrics_inc(t->sim->m, M_STORES);
	return op_go(t);
}

enum op_status task_load(struct task *t, struct mapping *m, uint64_t off, uint64_t len)
{
	START(t, OP_LOAD);
	t->op.map = m;
	t->op.off = off;
	t->op.len = len;
	return op_go(t);
}

enum op_status task_pin(struct task *t, struct mapping *m, uint64_t off, uint64_t len)
{
	START(t, OP_PIN);
	t->op.map = m;
	t->op.off = off;
	t->op.len = len;
	return op_go(t);
}

enum op_status task_pin_write(struct task *t, struct pin *p, uint64_t off, uint64_t len)
{
	START(t, OP_PIN_WRITE);
	t->op.pin = p;
	t->op.off = off;
	t->op.len = len;
	metrics_inc(t->sim->m, M_PIN_WRITES);
	return op_go(t);
}

enum op_status task_pin_release(struct task *t, struct pin *p)
{
	START(t, OP_PIN_RELEASE);
	t->op.pin = p;
	return op_go(t);
}

enum op_status task_fsync(struct task *t, struct file *f, bool datasync)
{
	START(t, OP_FSYNC);
	t->op.file = f;
	t->op.off = 0;
	t->op.len = f->size;
	t->op.how = datasync;
	metrics_inc(t->sim->m, M_FSYNCS);
	return op_go(t);
}

enum op_status task_msync(struct task *t, struct mapping *m, uint64_t off, uint64_t len)
{
	START(t, OP_MSYNC);
	t->op.map = m;
	t->op.file = m->file;
	t->op.off = (m->pgoff << PAGE_SHIFT) + off;
	t->op.len = len;
	metrics_inc(t->sim->m, M_FSYNCS);
	return op_go(t);
}

enum op_status task_sync_range(struct task *t, struct file *f, uint64_t off, uint64_t len,
			       unsigned how)
{
	START(t, OP_SYNC_RANGE);
	t->op.file = f;
	t->op.off = off;
	t->op.len = len;
	t->op.how = how;
	return op_go(t);
}

enum op_status task_sync(struct task *t)
{
	START(t, OP_SYNC);
	if (!t->kernel)
		metrics_inc(t->sim->m, M_FSYNCS);
	return op_go(t);
}

enum op_status task_dio_write(struct task *t, struct file *f, uint64_t off, uint64_t len,
			      struct mapping *src, uint64_t src_off)
{
	START(t, OP_DIO_WRITE);
	t->op.file = f;
	t->op.off = off;
	t->op.len = len;
	t->op.src_map = src;
	t->op.src_off = src_off;
	metrics_inc(t->sim->m, M_DIO_WRITES);
	return op_go(t);
}

enum op_status task_dio_read(struct task *t, struct file *f, uint64_t off, uint64_t len)
{
	START(t, OP_DIO_READ);
	t->op.file = f;
	t->op.off = off;
	t->op.len = len;
	return op_go(t);
}

/* Kernel-internal: start an op on a kernel task (flusher, final sync). */
enum op_status task_kernel_op(struct task *t, enum op_type type)
{
	START(t, type);
	return op_go(t);
}

int task_result(const struct task *t)
{
	return t->op.result;
}

struct pin *task_result_pin(const struct task *t)
{
	return t->op.out_pin;
}

const char *task_name(const struct task *t)
{
	return t->name;
}

void *task_driver_data(const struct task *t)
{
	return t->drv_data;
}

struct rng *task_rng(struct task *t)
{
	return &t->rng;
}

struct sim *task_get_sim(struct task *t)
{
	return t->sim;
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
	[OP_WAIT_KEY] = "an event or a task", [OP_FLUSHER] = "flusher",
	[OP_FINAL_SYNC] = "final sync",
};

char *task_describe_wait(const struct task *t)
{
	static const char *causes[] = {
		[STALL_NONE] = "", [STALL_STABLE] = " (stable page wait)",
		[STALL_PIN] = " (pin wait)", [STALL_REFORK] = " (refork wait)",
		[STALL_THROTTLE] = " (dirty throttling)", [STALL_IO] = " (I/O)",
	};
	return g_strdup_printf("%s in %s%s", t->name, op_names[t->op.type],
			       t->blocked ? causes[t->stall] : "");
}
