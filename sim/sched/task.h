/*
 * task — simulated threads as the layers below the system calls see them: a task
 * consumes CPU time (which moves the clock) and sleeps on hashed wait queues keyed by
 * the object it waits for, as the kernel's folio wait tables do; wake_up_key() wakes
 * everyone waiting on a key and each re-checks its condition when it runs again.
 * What a task is doing — its system call — is the business of the layer that runs it
 * (model/): this one keeps it on the clock and on the queues.
 */
#ifndef WBSIM_TASK_H
#define WBSIM_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "engine/trace.h"
#include "engine/uapi.h"
#include "metrics/metrics.h"

struct process;
struct request;
struct task;

enum stall_cause { STALL_NONE, STALL_STABLE, STALL_PIN, STALL_REFORK, STALL_THROTTLE, STALL_IO };

struct waiter {
	struct waiter *next, *prev;
	const void *key;
	struct task *task;
};

#define WAITQ_BITS 12
#define SCHED_NR_CPUS 256

struct sched {
	struct engine *eng;
	struct metrics *m;
	const struct tracer *tr;
	/* The block layer's: send the request @t has been gathering (a sleeping task
	 * never holds back I/O it has not sent, as schedule() flushes the plug). */
	void (*flush_plug)(void *data, struct task *t);
	void *flush_plug_data;
	int nr_stalled;                 /* tasks blocked for a policy's or throttling's sake */
	/* Until when each CPU is taken: workload tasks placed on one CPU take turns. */
	simtime_t cpu_busy[SCHED_NR_CPUS];
	struct waiter waitq[1u << WAITQ_BITS];
};

/* What balance_dirty_pages keeps per task, as the kernel does in task_struct
 * (writeback/throttle.c reads and writes it; zero is a new task). */
struct dirty_throttle {
	uint64_t nr_dirtied;            /* pages newly dirtied since the last check */
	uint64_t nr_dirtied_pause;      /* check again after this many (0: the first 32) */
	simtime_t paused_when;          /* dirty_paused_when: the end of the last period */
	bool again;                     /* the last pause was at the hard limit: recheck */
};

struct task {
	struct sim_event ev;            /* wakeup: cpu time consumed, sleep over, woken */
	struct sched *sched;
	int id;
	int cpu;
	char *name;
	struct process *proc;           /* the address space it runs in, or NULL */
	bool kernel;                    /* flusher, final sync: not a workload task */
	bool done;
	bool blocked;                   /* on a wait queue */
	struct waiter wait;
	enum stall_cause stall;
	simtime_t stall_since;
	struct request *plug;           /* pages being gathered into one request */
	uint64_t debt;                  /* CPU time incurred by the current step, unpaid */
	struct dirty_throttle bdp;
};

void sched_init(struct sched *s, struct engine *eng, struct metrics *m, const struct tracer *tr);
/* @fn runs when the task's wakeup fires. */
void task_init(struct task *t, struct sched *s, int id, const char *name, int cpu,
	       struct process *proc, sim_event_fn fn);
void task_release(struct task *t);

/* Consume @ns of CPU, from now or, when another workload task holds the same CPU,
 * from when it lets go (first come, first served, one charge at a time); false: the
 * clock could not simply move, the task must yield and continue when its wakeup
 * fires.  Kernel threads (the flusher, the final sync) run beside everything. */
bool task_charge(struct task *t, uint64_t ns);
/* Incur CPU time (and account it to @cause unless M_NR_COUNTERS); paid by task_pay. */
static inline void task_cost(struct task *t, uint64_t ns, enum metric_counter cause)
{
	if (!t)
		return;
	t->debt += ns;
	if (cause != M_NR_COUNTERS)
		t->sched->m->c[cause] += ns;
}
static inline bool task_pay(struct task *t)
{
	uint64_t d = t->debt;
	t->debt = 0;
	return task_charge(t, d);
}
static inline void task_flush_plug(struct task *t)
{
	if (t->plug)
		t->sched->flush_plug(t->sched->flush_plug_data, t);
}
void task_sleep_until(struct task *t, simtime_t when);
void task_wait(struct task *t, const void *key, enum stall_cause cause);
/* A timed sleep that counts as a stall of @cause (a dirty-throttling pause,
 * io_schedule_timeout): the task's wakeup fires after @ns; the code it wakes to calls
 * task_pause_end(), which accounts the pause and returns its length. */
void task_pause(struct task *t, simtime_t ns, enum stall_cause cause);
simtime_t task_pause_end(struct task *t);
void wake_up_key(struct sched *s, const void *key);
/* Take @t off the clock and out of any wait queue for good (a workload frozen at the
 * end of a run). */
void task_abandon(struct task *t);

/* Trace lines name the task, its pid and CPU; a NULL task is an interrupt. */
static inline const char *task_comm(const struct task *t) { return t ? t->name : NULL; }
static inline int task_pid(const struct task *t) { return t ? t->id : 0; }
static inline int task_cpu(const struct task *t) { return t ? t->cpu : 0; }
#define TRACE(tr, t, ev, ...) do { \
	if ((tr)->fn) \
		trace_emit((tr), task_comm(t), task_pid(t), task_cpu(t), (ev), __VA_ARGS__); \
} while (0)

#endif
