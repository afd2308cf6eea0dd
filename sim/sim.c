/*
 * sim — one simulated machine: creation, the run (workload, then a final sync and
 * the end-of-run oracle), and the conditions that end a workload.
 */
#include "model.h"
#include "policy.h"

#include <stdlib.h>
#include <string.h>

static void final_resume(struct task *t);
static const struct task_driver final_driver = { final_resume };
static void sampler_event(struct engine *e, struct sim_event *ev);

struct sim *sim_new(const struct sim_config *cfg, struct policy *policy)
{
	struct sim *s = g_new0(struct sim, 1);
	s->cfg = *cfg;
	s->eng = engine_new();
	s->m = metrics_new();
	s->policy = policy;
	s->files = g_ptr_array_new();
	s->procs = g_ptr_array_new();
	s->tasks = g_ptr_array_new();
	s->pins = g_ptr_array_new();
	s->maps = g_ptr_array_new();
	g_queue_init(&s->dirty_files);
	s->older_inflight = g_hash_table_new(NULL, NULL);
	for (unsigned i = 0; i < G_N_ELEMENTS(s->waitq); i++)
		s->waitq[i].next = s->waitq[i].prev = &s->waitq[i];
	s->dev = device_new(s);
	sim_event_init(&s->sampler, sampler_event);
	flusher_init(s);
	return s;
}

void sim_free(struct sim *s)
{
	if (!s)
		return;
	for (guint i = 0; i < s->tasks->len; i++) {
		struct task *t = s->tasks->pdata[i];
		if (t->op.snapshot)
			g_array_free(t->op.snapshot, TRUE);
		if (t->op.files)
			g_ptr_array_free(t->op.files, TRUE);
		g_free(t->name);
		g_free(t);
	}
	for (guint i = 0; i < s->files->len; i++) {
		struct file *f = s->files->pdata[i];
		xa_destroy(&f->xa);
		blkmap_release(f->blocks, f->blocks_bytes);
		g_ptr_array_free(f->mappings, TRUE);
		g_free(f->name);
		g_free(f);
	}
	for (guint i = 0; i < s->procs->len; i++) {
		struct process *p = s->procs->pdata[i];
		g_ptr_array_free(p->mappings, TRUE);
		g_free(p->name);
		g_free(p);
	}
	for (guint i = 0; i < s->maps->len; i++) {
		struct mapping *m = s->maps->pdata[i];
		free(m->ptes);
		g_free(m);
	}
	for (guint i = 0; i < s->pins->len; i++) {
		struct pin *p = s->pins->pdata[i];
		g_free(p->pages);
		g_free(p);
	}
	g_ptr_array_free(s->tasks, TRUE);
	g_ptr_array_free(s->files, TRUE);
	g_ptr_array_free(s->procs, TRUE);
	g_ptr_array_free(s->maps, TRUE);
	g_ptr_array_free(s->pins, TRUE);
	g_queue_clear(&s->dirty_files);
	g_hash_table_destroy(s->older_inflight);
	device_free(s->dev);
	request_pool_destroy(s);
	chunk_pool_free(&s->pool);
	/* Requests still queued in the engine at teardown belong to the device or
	 * to tasks and are gone with them; the engine only holds pointers. */
	engine_free(s->eng);
	if (s->m)
		metrics_free(s->m);
	policy_free(s->policy);
	g_free(s);
}

struct file *sim_file_new(struct sim *s, const char *name, uint64_t size)
{
	g_return_val_if_fail(size > 0 && (size + PAGE_SIZE - 1) / PAGE_SIZE <= MAX_FILE_PAGES, NULL);
	struct file *f = g_new0(struct file, 1);
	f->sim = s;
	f->ino = (int)s->files->len + 1;
	f->size = size;
	f->nr_pages = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	f->blocks = blkmap_reserve(f, f->nr_pages, sizeof(struct blk), &f->blocks_bytes);
	if (!f->blocks || !xa_init(&f->xa, f->nr_pages)) {
		blkmap_release(f->blocks, f->blocks_bytes);
		g_free(f);
		return NULL;
	}
	f->name = g_strdup(name);
	f->base_sector = s->next_sector;
	s->next_sector += f->nr_pages;
	f->mappings = g_ptr_array_new();
	g_ptr_array_add(s->files, f);
	return f;
}

uint64_t file_size(const struct file *f)
{
	return f->size;
}

const char *file_name(const struct file *f)
{
	return f->name;
}

/* ---- the end of a workload ------------------------------------------------------- */

/* Every task finished and writeback went idle: the workload is over. */
void sim_check_quiescent(struct sim *s)
{
	if (s->final_phase || s->nr_live_tasks > 0 || s->flusher_busy || !device_idle(s->dev))
		return;
	s->end = SIM_END_IDLE;
	engine_stop(s->eng);
}

/*
 * Tasks remain but nothing is in flight and no event other than the periodic ones
 * is pending: whatever they wait for will never come.
 */
void sim_check_deadlock(struct sim *s)
{
	if (s->final_phase || s->nr_live_tasks <= 0 || s->flusher_busy || !device_idle(s->dev))
		return;
	size_t periodic = 1 + sim_event_pending(&s->sampler);
	if (engine_pending_count(s->eng) > periodic)
		return;
	for (guint i = 0; i < s->tasks->len; i++) {
		struct task *t = s->tasks->pdata[i];
		if (!t->kernel && !t->done && !t->blocked)
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
		struct task *t = s->tasks->pdata[i];
		if (!t->kernel && !t->done)
			g_ptr_array_add(out, t);
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
		struct task *t = s->tasks->pdata[i];
		if (t->kernel || t->done)
			continue;
		if (t->blocked) {
			struct waiter *w = &t->wait;
			w->prev->next = w->next;
			w->next->prev = w->prev;
			t->blocked = false;
			if (t->stall != STALL_NONE && t->stall != STALL_IO)
				s->nr_stalled--;
		}
		task_plug_flush(t);
		engine_cancel(s->eng, &t->ev);
		t->done = true;
		s->nr_live_tasks--;
	}
}

static void final_resume(struct task *t)
{
	if (!t->drv_data) {
		t->drv_data = t;        /* started */
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
	s->workload_end = sim_now(s);
	s->m->c[M_SIM_TIME] = s->workload_end;
	/* A stopped run is abandoned; a deadlocked one is left as it stands, so the
	 * driver can ask sim_blocked_tasks() and task_describe_wait() what each task
	 * waits for (freezing the workload for the final phase would erase that). */
	if (end == SIM_END_STOPPED || end == SIM_END_DEADLOCK)
		return end;

	/* The final phase: unpin (as exiting processes do), sync everything, let the
	 * device drain, flush its cache, and judge. */
	s->final_phase = true;
	engine_cancel(s->eng, &s->flusher_timer);
	engine_cancel(s->eng, &s->sampler);
	stop_workload(s);
	for (guint i = 0; i < s->pins->len; i++)
		pin_release(s, s->pins->pdata[i]);
	struct task *fin = sim_task_new(s, "sync", NULL, 0, sim_now(s), &final_driver, NULL);
	fin->kernel = true;
	s->nr_live_tasks--;
	engine_run(s->eng, SIMTIME_MAX);
	/* Direct I/O of frozen tasks may have landed after the final flush. */
	device_flush_all(s->dev);
	oracle_final(s);
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
	s->trace = fn;
	s->trace_data = data;
}

void task_trace(struct task *t, const char *event, const char *text)
{
	TRACE(t->sim, t, event, "%s", text);
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
	g->dirty = s->nr_dirty;
	g->writeback = s->nr_writeback;
	g->forked = s->m->forked_pages;
	g->bounce = s->m->bounce_pages;
	g->inflight = device_inflight(s->dev);
	g->stalled = (uint64_t)s->nr_stalled;
}

/*
 * The model's memory for pages: the copies beyond blocks' first, and for each file its
 * index's marks and its blocks.  A file's blocks are materialized 64 at a time (a 4 KiB
 * page of the array) exactly where a node at the bottom of the index is live.
 */
size_t sim_model_bytes(struct sim *s)
{
	size_t n = s->pool.bytes;
	for (guint i = 0; i < s->files->len; i++) {
		struct file *f = s->files->pdata[i];
		n += xa_bytes(&f->xa) + f->xa.nr_live[0] * XA_CHUNK_SIZE * sizeof(struct blk);
	}
	return n;
}

/* ---- facts for policies ---------------------------------------------------------- */

bool page_is_pinned(const struct page *p)
{
	return p->pincount > 0;
}

bool page_is_mapped(const struct page *p)
{
	return p->mapcount > 0;
}

bool page_under_writeback(const struct page *p)
{
	return p->flags & PG_writeback;
}

bool page_has_older_inflight(const struct page *p)
{
	return blk_get_tag(p->blk, XA_OLDER_INFLIGHT);
}

bool sim_device_stable_writes(const struct sim *s)
{
	return s->cfg.dev.stable_writes;
}

bool sim_device_integrity(const struct sim *s)
{
	return s->cfg.dev.integrity;
}
