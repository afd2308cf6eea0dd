/*
 * page_writeback — write_cache_pages (one pass over a file range, as
 * mm/page-writeback.c does it), tagging a range for data-integrity writeback, and
 * waiting for the writeback of a range to end.
 */
#include "writeback/writeback.h"

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
enum wb_result write_cache_pages(struct bdi_writeback *wb, struct task *t, struct wbc *wbc)
{
	struct mm *mm = wb->mm;
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
		enum submit_action act = policy_page_submit(wb->policy, wb->owner, p);
		if (act == SUBMIT_SKIP) {
			wbc->cursor++;
			continue;
		}
		if (act == SUBMIT_WAIT_OLDER) {
			if (wbc->sync_mode == WB_SYNC_NONE) {
				wbc->cursor++;
				continue;
			}
			TRACE(wb->tr, t, "folio_wait_writeback", "ino=%d index=%" G_GUINT64_FORMAT " older",
			      f->ino, wbc->cursor);
			task_wait(t, b, STALL_REFORK);
			return WB_BLOCKED;
		}
		/* A page a long-term pin holds may be written by its holder at any
		 * moment, with no fault to say so: the device gets a snapshot, and the
		 * page stays dirty while the pin lasts (a policy that grants such pins
		 * gets this from the core). */
		bool longterm = page_longterm_pinned(p);
		/* clear_page_dirty_for_io: write-protect the PTEs, then clean the page. */
		mm_mkclean(mm, t, p);
		clear_page_dirty(mm, p);
		page_set_writeback(mm, p);
		submit_page_write(wb, t, p, act == SUBMIT_BOUNCE || longterm);
		if (longterm)
			set_page_dirty(mm, p);
		wbc->cursor++;
		if (--wbc->nr_to_write <= 0 && wbc->sync_mode == WB_SYNC_NONE)
			wbc->done = true;
		if (!task_pay(t))
			return WB_BLOCKED;
	}
	wbc->done = true;
	file_maybe_clean(mm, f);
	task_flush_plug(t);
	wb_update_bandwidth(wb);
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
