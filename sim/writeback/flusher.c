/*
 * flusher — the bdi's writeback thread.  It sleeps until kicked (dirty pages above
 * dirty_background_ratio) or until its timer says kupdate is due (every `interval`:
 * inodes dirtied longer than `expire` ago); then it makes rounds, each giving every
 * qualifying file one pass of up to `chunk` pages that resumes where the file's
 * previous pass stopped, until nothing qualifies.
 *
 * It is a task like the workload's, on CPU 0, run by its own wakeup: a round that
 * blocks (CPU time to pay, a page to wait for) continues when the wakeup fires, and
 * the loop starts over once it is done.
 */
#include "writeback/writeback.h"

#include <string.h>

static struct bdi_writeback *wb_of(struct task *t)
{
	return (struct bdi_writeback *)((char *)t - offsetof(struct bdi_writeback, flusher.task));
}

static bool file_expired(struct bdi_writeback *wb, struct file *f)
{
	return f->dirtied_when + wb->cfg->expire <= engine_now(wb->sched->eng);
}

static bool flusher_has_work(struct bdi_writeback *wb)
{
	struct mm *mm = wb->mm;
	if (!mm->dirty_files.length)
		return false;
	if (mm->nr_dirty > wb->bg_thresh)
		return true;
	return wb->flusher.kupdate_due && file_expired(wb, g_queue_peek_head(&mm->dirty_files));
}

/*
 * One round: every file on the dirty list that qualifies (any file in background
 * mode, expired ones for kupdate) gets one pass of up to `chunk` pages, resuming
 * where its previous pass stopped.
 */
static enum op_status round_step(struct bdi_writeback *wb)
{
	struct flusher *fl = &wb->flusher;
	struct mm *mm = wb->mm;
	for (;;) {
		if (fl->phase == 0) {
			/* Pick the next qualifying file after the one done last. */
			bool background = mm->nr_dirty > wb->bg_thresh;
			struct file *f = NULL;
			for (GList *l = mm->dirty_files.head; l; l = l->next) {
				struct file *c = l->data;
				if (c->ino <= fl->last_ino)
					continue;
				if (background || (fl->kupdate_due && file_expired(wb, c))) {
					f = c;
					break;
				}
			}
			if (!f)
				return OP_DONE;
			fl->last_ino = f->ino;
			fl->file = f;
			uint64_t start = f->writeback_index < f->nr_pages ? f->writeback_index : 0;
			wbc_init(&fl->wbc, f, start, f->nr_pages - 1, WB_SYNC_NONE, XA_DIRTY,
				 wb->cfg->chunk);
			fl->phase = 1;
		}
		int64_t before = fl->wbc.nr_to_write;
		enum wb_result r = write_cache_pages(wb, &fl->task, &fl->wbc);
		fl->progress += (uint64_t)(before - fl->wbc.nr_to_write);
		if (r == WB_BLOCKED)
			return OP_BLOCKED;
		struct file *f = fl->file;
		/* range_cyclic: continue from the start next time if we reached the end. */
		f->writeback_index = fl->wbc.cursor > fl->wbc.end ? 0 : fl->wbc.cursor;
		if (fl->wbc.cursor > fl->wbc.end && fl->wbc.start > 0 && fl->wbc.nr_to_write > 0) {
			int64_t left = fl->wbc.nr_to_write;
			wbc_init(&fl->wbc, f, 0, fl->wbc.start - 1, WB_SYNC_NONE, XA_DIRTY, left);
			continue;
		}
		fl->phase = 0;
	}
}

/* The end of whatever the flusher was doing: it never sleeps holding a plug. */
static void op_end(struct flusher *fl)
{
	task_flush_plug(&fl->task);
	fl->op = FL_NONE;
}

/* Sleep until kicked. */
static enum op_status flusher_wait(struct bdi_writeback *wb)
{
	wb->flusher.op = FL_WAIT;
	task_wait(&wb->flusher.task, &wb->flusher, STALL_NONE);
	return OP_BLOCKED;
}

static enum op_status flusher_round(struct bdi_writeback *wb)
{
	struct flusher *fl = &wb->flusher;
	fl->op = FL_ROUND;
	fl->phase = 0;
	fl->last_ino = 0;
	fl->file = NULL;
	fl->progress = 0;
	memset(&fl->wbc, 0, sizeof(fl->wbc));
	if (round_step(wb) == OP_BLOCKED)
		return OP_BLOCKED;
	op_end(fl);
	return OP_DONE;
}

static void flusher_loop(struct bdi_writeback *wb)
{
	struct flusher *fl = &wb->flusher;
	for (;;) {
		if (!flusher_has_work(wb)) {
			fl->kupdate_due = false;
			fl->busy = false;
			fl->kicked = false;
			wb->hooks.idle(wb->hooks.data);
			if (flusher_wait(wb) == OP_BLOCKED)
				return;
			continue;
		}
		fl->busy = true;
		if (flusher_round(wb) == OP_BLOCKED)
			return;
		if (!fl->progress)
			fl->kupdate_due = false;  /* nothing writable now: wait for a change */
		if (!fl->progress && wb->mm->nr_dirty > wb->bg_thresh) {
			/* Everything dirty is under writeback: sleep until an I/O ends
			 * (balance_dirty_pages_check kicks us then). */
			fl->busy = false;
			fl->kicked = false;
			if (flusher_wait(wb) == OP_BLOCKED)
				return;
		}
	}
}

/* The flusher's wakeup: finish what it was doing, then go round again.  A round
 * finished here does not get the after-round checks of flusher_loop: the loop
 * starts over and asks whether there is work. */
static void flusher_event(struct engine *e, struct sim_event *ev)
{
	(void)e;
	struct task *t = (struct task *)ev;
	struct bdi_writeback *wb = wb_of(t);
	struct flusher *fl = &wb->flusher;
	if (t->done)
		return;
	if (fl->op != FL_NONE) {
		if (fl->op == FL_ROUND && round_step(wb) == OP_BLOCKED)
			return;
		op_end(fl);
	}
	flusher_loop(wb);
}

static void flusher_timer(struct engine *e, struct sim_event *ev)
{
	struct bdi_writeback *wb = (struct bdi_writeback *)((char *)ev -
				   offsetof(struct bdi_writeback, flusher.timer));
	wb->flusher.kupdate_due = true;
	flusher_kick(wb);
	wb->hooks.tick(wb->hooks.data);
	if (!wb->final_phase)
		engine_schedule(e, ev, engine_now(e) + wb->cfg->interval);
}

void flusher_kick(struct bdi_writeback *wb)
{
	struct flusher *fl = &wb->flusher;
	if (fl->kicked || fl->busy)
		return;
	fl->kicked = true;
	wake_up_key(wb->sched, fl);
}

void wb_init(struct bdi_writeback *wb, struct sched *sched, struct mm *mm, struct device *dev,
	     const struct sim_config *cfg, struct policy *policy, struct sim *owner,
	     const struct wb_hooks *hooks, int flusher_id)
{
	memset(wb, 0, sizeof(*wb));
	wb->sched = sched;
	wb->mm = mm;
	wb->dev = dev;
	wb->m = sched->m;
	wb->tr = sched->tr;
	wb->cfg = &cfg->wb;
	wb->dev_cfg = &cfg->dev;
	wb->cost = &cfg->cost;
	wb->policy = policy;
	wb->owner = owner;
	wb->hooks = *hooks;
	uint64_t pages = cfg->wb.memory / PAGE_SIZE;
	wb->dirty_thresh = pages * cfg->wb.dirty_ratio / 100;
	wb->bg_thresh = pages * cfg->wb.dirty_background_ratio / 100;
	wb_throttle_init(wb);
	struct task *t = &wb->flusher.task;
	task_init(t, sched, flusher_id, "kworker/u:flush", 0, NULL, flusher_event);
	t->kernel = true;
	engine_schedule(sched->eng, &t->ev, 0);
	sim_event_init(&wb->flusher.timer, flusher_timer);
	engine_schedule(sched->eng, &wb->flusher.timer, cfg->wb.interval);
}

void wb_final_phase(struct bdi_writeback *wb)
{
	wb->final_phase = true;
	engine_cancel(wb->sched->eng, &wb->flusher.timer);
}

void wb_destroy(struct bdi_writeback *wb)
{
	task_release(&wb->flusher.task);
}
