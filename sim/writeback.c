/*
 * writeback — dirty accounting and throttling, write_cache_pages (one pass over a
 * file range, as mm/page-writeback.c does it), waiting for writeback on a range, and
 * the flusher: periodic (kupdate: inodes dirtied longer than `expire` ago) and
 * background (while dirty pages exceed dirty_background_ratio).
 */
#include "model.h"
#include "policy.h"

/* ---- dirty accounting ------------------------------------------------------------ */

void file_mark_dirty(struct sim *s, struct file *f)
{
	if (f->on_dirty_list)
		return;
	f->on_dirty_list = true;
	f->dirtied_when = sim_now(s);
	g_queue_push_tail(&s->dirty_files, f);
}

void file_maybe_clean(struct sim *s, struct file *f)
{
	if (!f->on_dirty_list || f->nr_dirty)
		return;
	f->on_dirty_list = false;
	g_queue_remove(&s->dirty_files, f);
}

/* Writers sleep while dirty + writeback pages exceed dirty_ratio of memory. */
bool balance_dirty_pages(struct task *t)
{
	struct sim *s = t->sim;
	if (s->nr_dirty > s->bg_thresh)
		flusher_kick(s);
	if (s->nr_dirty + s->nr_writeback <= s->dirty_thresh || s->final_phase)
		return true;
	s->nr_throttled++;
	TRACE(s, t, "balance_dirty_pages", "dirty=%" G_GUINT64_FORMAT " writeback=%" G_GUINT64_FORMAT
	      " limit=%" G_GUINT64_FORMAT, s->nr_dirty, s->nr_writeback, s->dirty_thresh);
	task_wait(t, &s->dirty_thresh, STALL_THROTTLE);
	return false;
}

void balance_dirty_pages_check(struct sim *s)
{
	if (s->nr_throttled && s->nr_dirty + s->nr_writeback <= s->dirty_thresh) {
		s->nr_throttled = 0;
		wake_up_key(s, &s->dirty_thresh);
	}
	if (s->nr_dirty > s->bg_thresh && !s->flusher_busy)
		flusher_kick(s);
}

/* ---- write_cache_pages ---------------------------------------------------------- */

void wbc_init(struct wbc *w, struct file *f, uint64_t start, uint64_t end,
	      enum wb_sync_mode mode, enum xa_tag tag, int64_t nr)
{
	*w = (struct wbc){
		.file = f, .start = start, .end = end, .cursor = start,
		.sync_mode = mode, .tag = tag, .nr_to_write = nr,
	};
}

void tag_pages_for_writeback(struct file *f, uint64_t start, uint64_t end)
{
	uint64_t idx = start;
	while (xa_find_tag(&f->xa, &idx, end, XA_DIRTY)) {
		xa_set_tag(&f->xa, idx, XA_TOWRITE);
		idx++;
	}
}

/*
 * Tagged pages lie in index order, and so do their blocks in memory, but with gaps
 * the hardware prefetcher does not cross (it stops at page boundaries).  Like the
 * kernel's folio_batch, look a batch up ahead and fetch its blocks together.  The scan
 * still looks each page up afresh when it gets there, so it does exactly what it did
 * without the batch, only sooner: a batch reused after writers ran would miss pages
 * they tagged meanwhile.
 */
static void prefetch_batch(struct wbc *wbc)
{
	uint64_t idx[WB_BATCH];
	uint64_t i = MAX(wbc->cursor, wbc->prefetched);
	unsigned n = xa_gather_tag(&wbc->file->xa, &i, wbc->end, wbc->tag, idx, WB_BATCH);
	for (unsigned k = 0; k < n; k++) {
		__builtin_prefetch(&wbc->file->blocks[idx[k]], 1);
		mm_prefetch_ptes(wbc->file, idx[k]);    /* for mm_mkclean */
	}
	wbc->prefetched = i;
	/* The next batch is fetched when the scan is half-way through this one, so the
	 * blocks it reaches were always asked for several pages earlier. */
	wbc->refill = n > WB_BATCH / 2 ? idx[n - WB_BATCH / 2] : i;
}

/*
 * Write the pages of wbc's range that carry wbc's tag.  Background writeback skips
 * pages still under writeback; data-integrity writeback waits for them and writes
 * them again.  Re-entrant through wbc->cursor.
 */
enum wb_result write_cache_pages(struct task *t, struct wbc *wbc)
{
	struct sim *s = t->sim;
	struct file *f = wbc->file;

	while (!wbc->done) {
		if (wbc->cursor >= wbc->refill)
			prefetch_batch(wbc);
		if (!xa_find_tag(&f->xa, &wbc->cursor, wbc->end, wbc->tag)) {
			wbc->cursor = wbc->end + 1;     /* the range is exhausted */
			break;
		}
		struct blk *b = &f->blocks[wbc->cursor];
		struct page *p = b->page;
		if (!p || !(p->flags & PG_dirty)) {
			blk_clear_tag(b, XA_TOWRITE);
			wbc->cursor++;
			continue;
		}
		if (p->flags & PG_writeback) {
			if (wbc->sync_mode == WB_SYNC_NONE) {
				wbc->cursor++;
				continue;
			}
			task_wait(t, p, STALL_IO);
			return WB_BLOCKED;
		}
		enum submit_action act = policy_page_submit(s->policy, s, p);
		if (act == SUBMIT_SKIP) {
			wbc->cursor++;
			continue;
		}
		if (act == SUBMIT_WAIT_OLDER) {
			if (wbc->sync_mode == WB_SYNC_NONE) {
				wbc->cursor++;
				continue;
			}
			TRACE(s, t, "folio_wait_writeback", "ino=%d index=%" G_GUINT64_FORMAT " older",
			      f->ino, wbc->cursor);
			task_wait(t, b, STALL_REFORK);
			return WB_BLOCKED;
		}
		/* clear_page_dirty_for_io: write-protect the PTEs, then clean the page. */
		mm_mkclean(s, t, p);
		clear_page_dirty(s, p);
		page_set_writeback(s, p);
		submit_page_write(t, p, act == SUBMIT_BOUNCE);
		wbc->cursor++;
		if (--wbc->nr_to_write <= 0 && wbc->sync_mode == WB_SYNC_NONE)
			wbc->done = true;
		if (!task_pay(t))
			return WB_BLOCKED;
	}
	wbc->done = true;
	file_maybe_clean(s, f);
	task_plug_flush(t);
	return WB_DONE;
}

/*
 * filemap_fdatawait_range: wait for every page tagged WRITEBACK in [*cursor, end],
 * and, when @forked_too, for older copies of the blocks in [start, end] still in
 * flight.  The WRITEBACK scan moves forward with *cursor, as the kernel's does; the
 * forked copies are looked for from @start each time, because a block can be forked
 * after the cursor has passed it, and its old copy may land after later pages.
 * Returns false after putting the task to sleep; call again when woken.
 */
bool wait_on_writeback_range(struct task *t, struct file *f, uint64_t *cursor, uint64_t start,
			     uint64_t end, bool forked_too)
{
	if (xa_find_tag(&f->xa, cursor, end, XA_WRITEBACK)) {
		task_wait(t, f->blocks[*cursor].page, STALL_IO);
		return false;
	}
	if (forked_too) {
		uint64_t idx = start;
		if (xa_find_tag(&f->xa, &idx, end, XA_OLDER_INFLIGHT)) {
			task_wait(t, &f->blocks[idx], STALL_IO);
			return false;
		}
	}
	return true;
}

/* ---- the flusher ---------------------------------------------------------------- */

static void flusher_resume(struct task *t);
static const struct task_driver flusher_driver = { flusher_resume };

static bool file_expired(struct sim *s, struct file *f)
{
	return f->dirtied_when + s->cfg.wb.expire <= sim_now(s);
}

static bool flusher_has_work(struct sim *s)
{
	if (!s->dirty_files.length)
		return false;
	if (s->nr_dirty > s->bg_thresh)
		return true;
	return s->kupdate_due && file_expired(s, g_queue_peek_head(&s->dirty_files));
}

static void flusher_resume(struct task *t)
{
	struct sim *s = t->sim;
	for (;;) {
		if (!flusher_has_work(s)) {
			s->kupdate_due = false;
			s->flusher_busy = false;
			s->flusher_kicked = false;
			sim_check_quiescent(s);
			if (task_wait_on(t, &s->flusher) == OP_BLOCKED)
				return;
			continue;
		}
		s->flusher_busy = true;
		if (task_kernel_op(t, OP_FLUSHER) == OP_BLOCKED)
			return;
		if (!t->op.progress)
			s->kupdate_due = false;  /* nothing writable now: wait for a change */
		if (!t->op.progress && s->nr_dirty > s->bg_thresh) {
			/* Everything dirty is under writeback: sleep until an I/O ends
			 * (balance_dirty_pages_check kicks us then). */
			s->flusher_busy = false;
			s->flusher_kicked = false;
			if (task_wait_on(t, &s->flusher) == OP_BLOCKED)
				return;
		}
	}
}

/*
 * One round: every file on the dirty list that qualifies (any file in background
 * mode, expired ones for kupdate) gets one pass of up to `chunk` pages, resuming
 * where its previous pass stopped.
 */
enum op_status flusher_step(struct task *t)
{
	struct sim *s = t->sim;
	struct op *op = &t->op;
	for (;;) {
		if (op->phase == 0) {
			/* Pick the next qualifying file after the one done last. */
			bool background = s->nr_dirty > s->bg_thresh;
			struct file *f = NULL;
			for (GList *l = s->dirty_files.head; l; l = l->next) {
				struct file *c = l->data;
				if ((guint)c->ino <= op->file_i)
					continue;
				if (background || (s->kupdate_due && file_expired(s, c))) {
					f = c;
					break;
				}
			}
			if (!f)
				return OP_DONE;
			op->file_i = (guint)f->ino;
			op->file = f;
			uint64_t start = f->writeback_index < f->nr_pages ? f->writeback_index : 0;
			wbc_init(&op->wbc, f, start, f->nr_pages - 1, WB_SYNC_NONE, XA_DIRTY,
				 s->cfg.wb.chunk);
			op->phase = 1;
		}
		int64_t before = op->wbc.nr_to_write;
		if (write_cache_pages(t, &op->wbc) == WB_BLOCKED) {
			op->progress += (uint64_t)(before - op->wbc.nr_to_write);
			return OP_BLOCKED;
		}
		op->progress += (uint64_t)(before - op->wbc.nr_to_write);
		struct file *f = op->file;
		/* range_cyclic: continue from the start next time if we reached the end. */
		f->writeback_index = op->wbc.cursor > op->wbc.end ? 0 : op->wbc.cursor;
		if (op->wbc.cursor > op->wbc.end && op->wbc.start > 0 && op->wbc.nr_to_write > 0) {
			int64_t left = op->wbc.nr_to_write;
			wbc_init(&op->wbc, f, 0, op->wbc.start - 1, WB_SYNC_NONE, XA_DIRTY, left);
			continue;
		}
		op->phase = 0;
	}
}

static void flusher_timer(struct engine *e, struct sim_event *ev)
{
	struct sim *s = (struct sim *)((char *)ev - offsetof(struct sim, flusher_timer));
	s->kupdate_due = true;
	flusher_kick(s);
	sim_check_deadlock(s);
	if (!s->final_phase)
		engine_schedule(e, ev, engine_now(e) + s->cfg.wb.interval);
}

void flusher_kick(struct sim *s)
{
	if (s->flusher_kicked || s->flusher_busy)
		return;
	s->flusher_kicked = true;
	wake_up_key(s, &s->flusher);
}

void flusher_init(struct sim *s)
{
	uint64_t pages = s->cfg.wb.memory / PAGE_SIZE;
	s->dirty_thresh = pages * s->cfg.wb.dirty_ratio / 100;
	s->bg_thresh = pages * s->cfg.wb.dirty_background_ratio / 100;
	s->flusher = sim_task_new(s, "kworker/u:flush", NULL, 0, 0, &flusher_driver, NULL);
	s->flusher->kernel = true;
	s->nr_live_tasks--;     /* not a workload task */
	sim_event_init(&s->flusher_timer, flusher_timer);
	engine_schedule(s->eng, &s->flusher_timer, s->cfg.wb.interval);
}
