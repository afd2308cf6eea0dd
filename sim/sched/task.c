/*
 * task — CPU time and wait queues.  A task sleeps on the queue its key hashes to;
 * queues are shared, so a wakeup walks its queue and takes only the waiters of its
 * own key, as the kernel's folio wait tables do.
 */
#include "sched/task.h"

#include <glib.h>

static inline struct waiter *waitq_head(struct sched *s, const void *key)
{
	uint64_t h = ((uintptr_t)key >> 4) * 0x9e3779b97f4a7c15ull;
	return &s->waitq[h >> (64 - WAITQ_BITS)];
}

void sched_init(struct sched *s, struct engine *eng, struct metrics *m, const struct tracer *tr)
{
	s->eng = eng;
	s->m = m;
	s->tr = tr;
	for (unsigned i = 0; i < G_N_ELEMENTS(s->waitq); i++)
		s->waitq[i].next = s->waitq[i].prev = &s->waitq[i];
}

void task_init(struct task *t, struct sched *s, int id, const char *name, int cpu,
	       struct process *proc, sim_event_fn fn)
{
	sim_event_init(&t->ev, fn);
	t->sched = s;
	t->id = id;
	t->cpu = cpu;
	t->name = g_strdup(name);
	t->proc = proc;
}

void task_release(struct task *t)
{
	g_free(t->name);
	t->name = NULL;
}

bool task_charge(struct task *t, uint64_t ns)
{
	struct engine *e = t->sched->eng;
	if (ns == 0)
		return true;
	simtime_t when = engine_now(e) + ns;
	if (!t->kernel) {
		simtime_t *busy = &t->sched->cpu_busy[(unsigned)t->cpu % SCHED_NR_CPUS];
		if (*busy > when - ns)
			when = *busy + ns;
		*busy = when;
	}
	if (engine_try_advance(e, when))
		return true;
	engine_schedule(e, &t->ev, when);
	return false;
}

void task_sleep_until(struct task *t, simtime_t when)
{
	engine_schedule(t->sched->eng, &t->ev, when);
}

static const enum metric_counter stall_metric[] = {
	[STALL_STABLE] = M_STALL_STABLE,
	[STALL_PIN] = M_STALL_PIN,
	[STALL_REFORK] = M_STALL_REFORK,
	[STALL_THROTTLE] = M_STALL_THROTTLE,
};

static bool stall_counts(enum stall_cause c)
{
	return c != STALL_NONE && c != STALL_IO;
}

void task_wait(struct task *t, const void *key, enum stall_cause cause)
{
	struct sched *s = t->sched;
	g_assert(!t->blocked);
	/* Like schedule(): a task never sleeps on I/O it has not sent yet. */
	task_flush_plug(t);
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
	t->stall_since = engine_now(s->eng);
	if (stall_counts(cause))
		s->nr_stalled++;
}

void task_pause(struct task *t, simtime_t ns, enum stall_cause cause)
{
	struct sched *s = t->sched;
	g_assert(!t->blocked && stall_counts(cause));
	task_flush_plug(t);
	t->stall = cause;
	t->stall_since = engine_now(s->eng);
	s->nr_stalled++;
	engine_schedule(s->eng, &t->ev, t->stall_since + ns);
}

simtime_t task_pause_end(struct task *t)
{
	struct sched *s = t->sched;
	simtime_t len = engine_now(s->eng) - t->stall_since;
	metrics_add(s->m, stall_metric[t->stall], len);
	s->nr_stalled--;
	t->stall = STALL_NONE;
	return len;
}

static void waiter_unlink(struct task *t)
{
	struct waiter *w = &t->wait;
	w->prev->next = w->next;
	w->next->prev = w->prev;
	t->blocked = false;
}

static void task_unblock(struct sched *s, struct task *t)
{
	waiter_unlink(t);
	t->wait.next = t->wait.prev = NULL;
	if (stall_counts(t->stall)) {
		metrics_add(s->m, stall_metric[t->stall], engine_now(s->eng) - t->stall_since);
		s->nr_stalled--;
	}
	t->stall = STALL_NONE;
	engine_schedule(s->eng, &t->ev, engine_now(s->eng));
}

void wake_up_key(struct sched *s, const void *key)
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

void task_abandon(struct task *t)
{
	struct sched *s = t->sched;
	if (t->blocked) {
		waiter_unlink(t);
		if (stall_counts(t->stall))
			s->nr_stalled--;
	} else if (stall_counts(t->stall)) {
		s->nr_stalled--;        /* frozen in the middle of a pause */
	}
	task_flush_plug(t);
	engine_cancel(s->eng, &t->ev);
	t->done = true;
}
