/*
 * sim — one simulated machine: its layers put together (each told, through hooks,
 * whom to tell what), the run (the workload, then a final sync and the end-of-run
 * oracle), and the conditions that end a workload.
 */
#include "model/model_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void final_resume(struct task *t);
static const struct task_driver final_driver = { final_resume };
static void sampler_event(struct engine *e, struct sim_event *ev);
static void check_deadlock(void *data);

static void device_went_idle(void *data)
{
	sim_check_quiescent(data);
}

struct sim *sim_new(const struct sim_config *cfg, struct policy *policy)
{
	struct sim *s = g_new0(struct sim, 1);
	s->cfg = *cfg;
	s->eng = engine_new();
	s->m = metrics_new();
	s->policy = policy;
	s->tr.eng = s->eng;
	s->tasks = g_ptr_array_new();
	sched_init(&s->sched, s->eng, s->m, &s->tr);
	mm_init(&s->mm, &s->sched, &s->cfg.cost, policy, s);
	oracle_init(&s->oracle, &s->mm);
	const struct blk_hooks bh = {
		.landed = oracle_landed, .durable = oracle_durable, .observer = &s->oracle,
		.idle = device_went_idle, .idle_data = s,
	};
	s->dev = device_new(&s->sched, &s->mm, &s->cfg.dev, s->cfg.seed, &bh);
	s->sched.flush_plug = blk_flush_plug;
	s->sched.flush_plug_data = s->dev;
	s->mm.hooks = (struct mm_hooks){
		.read_page = blk_read_page, .before_modify = device_before_modify, .io = s->dev,
		.modified = oracle_modified, .settled = oracle_settled, .observer = &s->oracle,
	};
	sim_event_init(&s->sampler, sampler_event);
	const struct wb_hooks wh = { .idle = device_went_idle, .tick = check_deadlock, .data = s };
	wb_init(&s->wb, &s->sched, &s->mm, s->dev, &s->cfg, policy, s, &wh, ++s->nr_tasks);
	s->k = (struct kernel){
		.eng = s->eng, .m = s->m, .tr = &s->tr, .cfg = &s->cfg, .policy = policy,
		.owner = s, .sched = &s->sched, .mm = &s->mm, .dev = s->dev, .wb = &s->wb,
		.oracle = &s->oracle, .all_files = s->mm.files,
	};
	return s;
}

void sim_free(struct sim *s)
{
	if (!s)
		return;
	for (guint i = 0; i < s->tasks->len; i++) {
		struct ktask *kt = s->tasks->pdata[i];
		if (kt->op.snapshot)
			g_array_free(kt->op.snapshot, TRUE);
		if (kt->op.files)
			g_ptr_array_free(kt->op.files, TRUE);
		task_release(&kt->t);
		g_free(kt);
	}
	g_ptr_array_free(s->tasks, TRUE);
	dio_destroy(&s->k);
	wb_destroy(&s->wb);
	/* Requests still queued in the engine at teardown belong to the device or
	 * to tasks and are gone with them; the engine only holds pointers. */
	device_free(s->dev);
	oracle_destroy(&s->oracle);
	mm_destroy(&s->mm);
	engine_free(s->eng);
	if (s->m)
		metrics_free(s->m);
	policy_free(s->policy);
	g_free(s);
}

struct file *sim_file_new(struct sim *s, const char *name, uint64_t size)
{
	return mm_file_new(&s->mm, name, size);
}

struct process *sim_process_new(struct sim *s, const char *name)
{
	return mm_process_new(&s->mm, name);
}

struct mapping *sim_mmap(struct sim *s, struct process *p, struct file *f,
			 uint64_t offset, uint64_t size)
{
	return mm_mmap(&s->mm, p, f, offset, size);
}

struct anon *sim_alloc(struct sim *s, struct process *p, uint64_t size)
{
	return mm_anon_new(&s->mm, p, size);
}

uint64_t mapping_size(const struct mapping *m)
{
	return m->nr_pages << PAGE_SHIFT;
}

/* ---- the end of a workload ------------------------------------------------------- */

/* Every task finished and writeback went idle: the workload is over. */
void sim_check_quiescent(struct sim *s)
{
	if (s->final_phase || s->nr_live_tasks > 0 || s->wb.flusher.busy || !device_idle(s->dev))
		return;
	s->end = SIM_END_IDLE;
	engine_stop(s->eng);
}

/*
 * Tasks remain but nothing is in flight and no event other than the periodic ones
 * is pending: whatever they wait for will never come.
 */
static void check_deadlock(void *data)
{
	struct sim *s = data;
	if (s->final_phase || s->nr_live_tasks <= 0 || s->wb.flusher.busy || !device_idle(s->dev))
		return;
	size_t periodic = 1 + sim_event_pending(&s->sampler);
	if (engine_pending_count(s->eng) > periodic)
		return;
	for (guint i = 0; i < s->tasks->len; i++) {
		struct ktask *kt = s->tasks->pdata[i];
		if (!kt->t.kernel && !kt->t.done && !kt->t.blocked)
			return;
	}
	s->end = SIM_END_DEADLOCK;
	engine_stop(s->eng);
}

void sim_stop(struct sim *s)
{
	s->end = SIM_END_STOPPED;
	engine_stop(s->eng);
}

GPtrArray *sim_blocked_tasks(struct sim *s)
{
	GPtrArray *out = g_ptr_array_new();
	for (guint i = 0; i < s->tasks->len; i++) {
		struct ktask *kt = s->tasks->pdata[i];
		if (!kt->t.kernel && !kt->t.done)
			g_ptr_array_add(out, &kt->t);
	}
	return out;
}

static void sampler_event(struct engine *e, struct sim_event *ev)
{
	struct sim *s = (struct sim *)((char *)ev - offsetof(struct sim, sampler));
	s->sample_fn(s->sample_data, s);
	if (!s->final_phase)
		engine_schedule(e, ev, engine_now(e) + s->cfg.timeline_interval);
}

/* Freeze the workload: its tasks stop wherever they are. */
static void stop_workload(struct sim *s)
{
	for (guint i = 0; i < s->tasks->len; i++) {
		struct ktask *kt = s->tasks->pdata[i];
		if (kt->t.kernel || kt->t.done)
			continue;
		task_abandon(&kt->t);
		s->nr_live_tasks--;
	}
}

static void final_resume(struct task *t)
{
	struct ktask *kt = ktask_of(t);
	if (!kt->drv_data) {
		kt->drv_data = kt;      /* started */
		if (task_kernel_op(t, OP_FINAL_SYNC) == OP_BLOCKED)
			return;
	}
	t->done = true;
}

enum sim_end sim_run(struct sim *s)
{
	simtime_t limit = s->cfg.duration ? s->cfg.duration : SIMTIME_MAX;
	if (s->cfg.timeline_interval && s->sample_fn)
		engine_schedule(s->eng, &s->sampler, 0);
	s->end = SIM_END_IDLE;
	if (s->nr_live_tasks > 0) {
		enum engine_stop_reason r = engine_run(s->eng, limit);
		if (r == ENGINE_TIME_LIMIT)
			s->end = SIM_END_DURATION;
	}
	enum sim_end end = s->end;
	s->workload_end = engine_now(s->eng);
	s->m->c[M_SIM_TIME] = s->workload_end;
	if (s->workload_end)
		s->m->c[M_DIO_WRITE_BW] = (uint64_t)llround((double)s->m->dio_write_bytes * 1e9 /
							   (double)s->workload_end / (1 << 20));
	/* A stopped run is abandoned; a deadlocked one is left as it stands, so the
	 * driver can ask sim_blocked_tasks() and task_describe_wait() what each task
	 * waits for (freezing the workload for the final phase would erase that). */
	if (end == SIM_END_STOPPED || end == SIM_END_DEADLOCK)
		return end;

	/* The final phase: unpin (as exiting processes do), sync everything, let the
	 * device drain, flush its cache, and judge. */
	s->final_phase = true;
	wb_final_phase(&s->wb);
	engine_cancel(s->eng, &s->sampler);
	stop_workload(s);
	for (guint i = 0; i < s->mm.pins->len; i++)
		pin_release(&s->mm, s->mm.pins->pdata[i]);
	struct ktask *fin = ktask_new(s, "sync", NULL, 0, engine_now(s->eng), &final_driver, NULL);
	fin->t.kernel = true;
	s->nr_live_tasks--;
	engine_run(s->eng, SIMTIME_MAX);
	/* Direct I/O of frozen tasks may have landed after the final flush. */
	device_flush_all(s->dev);
	oracle_final(&s->oracle);
	return end;
}

simtime_t sim_time(const struct sim *s)
{
	return s->m->c[M_SIM_TIME];
}

simtime_t sim_now_ns(struct sim *s)
{
	return engine_now(s->eng);
}

struct metrics *sim_metrics(struct sim *s)
{
	return s->m;
}

struct metrics *sim_take_metrics(struct sim *s)
{
	struct metrics *m = s->m;
	s->m = NULL;
	return m;
}

const struct sim_config *sim_config(const struct sim *s)
{
	return &s->cfg;
}

uint64_t sim_events(const struct sim *s)
{
	return engine_events_processed(s->eng);
}

void sim_set_trace(struct sim *s, sim_trace_fn fn, void *data)
{
	s->tr.fn = fn;
	s->tr.data = data;
}

void sim_set_sampler(struct sim *s, sim_sample_fn fn, void *data)
{
	s->sample_fn = fn;
	s->sample_data = data;
}

void sim_set_timeline_interval(struct sim *s, uint64_t ns)
{
	g_assert(ns > 0);
	s->cfg.timeline_interval = ns;
}

void sim_gauges(struct sim *s, struct sim_gauges *g)
{
	g->dirty = s->mm.nr_dirty;
	g->writeback = s->mm.nr_writeback;
	g->forked = s->m->forked_pages;
	g->bounce = s->m->bounce_pages;
	g->inflight = device_inflight(s->dev);
	g->stalled = (uint64_t)s->sched.nr_stalled;
}

uint64_t sim_cached_pages(struct sim *s)
{
	return mm_cached_pages(&s->mm);
}

size_t sim_model_bytes(struct sim *s)
{
	return mm_model_bytes(&s->mm);
}

/* ---- facts for policies ---------------------------------------------------------- */

bool sim_device_stable_writes(const struct sim *s)
{
	return s->cfg.dev.stable_writes;
}

bool sim_device_integrity(const struct sim *s)
{
	return s->cfg.dev.integrity;
}
