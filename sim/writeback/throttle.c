/*
 * throttle — dirty throttling: writers sleep while dirty plus writeback pages exceed
 * dirty_ratio of memory, and the flusher is kicked whenever dirty pages exceed
 * dirty_background_ratio.
 */
#include "writeback/writeback.h"

bool balance_dirty_pages(struct bdi_writeback *wb, struct task *t)
{
	struct mm *mm = wb->mm;
	if (mm->nr_dirty > wb->bg_thresh)
		flusher_kick(wb);
	if (mm->nr_dirty + mm->nr_writeback <= wb->dirty_thresh || wb->final_phase)
		return true;
	wb->nr_throttled++;
	TRACE(wb->tr, t, "balance_dirty_pages", "dirty=%" G_GUINT64_FORMAT " writeback=%" G_GUINT64_FORMAT
	      " limit=%" G_GUINT64_FORMAT, mm->nr_dirty, mm->nr_writeback, wb->dirty_thresh);
	task_wait(t, &wb->dirty_thresh, STALL_THROTTLE);
	return false;
}

void balance_dirty_pages_check(struct bdi_writeback *wb)
{
	struct mm *mm = wb->mm;
	if (wb->nr_throttled && mm->nr_dirty + mm->nr_writeback <= wb->dirty_thresh) {
		wb->nr_throttled = 0;
		wake_up_key(wb->sched, &wb->dirty_thresh);
	}
	if (mm->nr_dirty > wb->bg_thresh && !wb->flusher.busy)
		flusher_kick(wb);
}
