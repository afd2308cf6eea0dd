/*
 * writeback — getting dirty pages to the device: dirty throttling
 * (balance_dirty_pages), one pass of write_cache_pages over a file range as
 * mm/page-writeback.c does it, building write requests from pages and ending their
 * writeback when they complete, waiting for writeback on a range, and the flusher:
 * periodic (kupdate: inodes dirtied longer than `expire` ago) and background (while
 * dirty pages exceed dirty_background_ratio).
 */
#ifndef WBSIM_WRITEBACK_H
#define WBSIM_WRITEBACK_H

#include <stdbool.h>
#include <stdint.h>

#include "block/block.h"
#include "engine/config.h"
#include "mm/mm.h"
#include "sched/task.h"

/* writeback_control: one pass of write_cache_pages over a file range. */
#define WB_BATCH 16                     /* a folio_batch's worth, near the kernel's 15 */
enum wb_sync_mode { WB_SYNC_NONE, WB_SYNC_ALL };

struct wbc {
	struct file *file;
	uint64_t start, end;            /* page index range, inclusive */
	uint64_t cursor;                /* next index to look at */
	uint64_t prefetched;            /* blocks before this index were prefetched */
	uint64_t refill;                /* prefetch more when the cursor gets here */
	enum wb_sync_mode sync_mode;
	enum xa_tag tag;                /* XA_DIRTY or XA_TOWRITE */
	int64_t nr_to_write;            /* pages left in this pass's budget */
	bool done;
};

/* What the flusher is in the middle of: waiting to be kicked, or a round (one pass
 * per qualifying file). */
enum flusher_op { FL_NONE, FL_WAIT, FL_ROUND };

struct flusher {
	struct task task;
	enum flusher_op op;
	/* the round */
	int phase;                      /* 0: pick the next file; 1: writing it */
	int last_ino;                   /* files up to this one are done this round */
	struct file *file;
	struct wbc wbc;
	uint64_t progress;              /* pages submitted this round */
	/* the bdi's wakeup state */
	struct sim_event timer;         /* dirty_writeback_centisecs */
	bool kicked, busy, kupdate_due;
};

struct wb_hooks {
	/* The machine's: the flusher has nothing to do (is the workload over?). */
	void (*idle)(void *data);
	/* The machine's: a periodic tick (do tasks wait for something nobody gives?). */
	void (*tick)(void *data);
	void *data;
};

struct bdi_writeback {
	struct sched *sched;
	struct mm *mm;
	struct device *dev;
	struct metrics *m;
	const struct tracer *tr;
	const struct writeback_cfg *cfg;
	const struct device_cfg *dev_cfg;
	const struct cost_cfg *cost;
	struct policy *policy;
	struct sim *owner;              /* handed to the policy's hooks; opaque here */
	struct wb_hooks hooks;
	uint64_t dirty_thresh, bg_thresh;
	/* dirty throttling (throttle.c); rates in pages per second */
	uint64_t write_bw;              /* write_bandwidth: measured, smoothed over ~4 s */
	uint64_t avg_write_bw;          /* avg_write_bandwidth: write_bw smoothed again */
	uint64_t dirty_ratelimit;       /* the rate one dirtier is allowed at the setpoint */
	uint64_t balanced_dirty_ratelimit;
	uint64_t dirtied_stamp, written_stamp;  /* mm's counters at bw_time_stamp */
	simtime_t bw_time_stamp;
	uint64_t dirtied_seen;          /* mm->nr_dirtied when a dirtier last looked */
	bool dirty_exceeded;            /* over the hard limit: dirtiers check more often */
	bool final_phase;               /* the run's final sync: nobody is throttled */
	struct flusher flusher;
};

/* The flusher is task @flusher_id on CPU 0; its first step and its timer are
 * scheduled now. */
void wb_init(struct bdi_writeback *wb, struct sched *sched, struct mm *mm, struct device *dev,
	     const struct sim_config *cfg, struct policy *policy, struct sim *owner,
	     const struct wb_hooks *hooks, int flusher_id);
/* The final phase of a run: the timer stops, throttling ends. */
void wb_final_phase(struct bdi_writeback *wb);
void wb_destroy(struct bdi_writeback *wb);

/* ---- dirty throttling (throttle.c) ---------------------------------------------- */

void wb_throttle_init(struct bdi_writeback *wb);
/* After dirtying a page, and again when the pause it asked for is over: false when @t
 * must sleep (it is pausing, to be woken by its own timer). */
bool balance_dirty_pages(struct bdi_writeback *wb, struct task *t);
/* After a page's writeback ended: kick the flusher if dirty pages are still many. */
void balance_dirty_pages_check(struct bdi_writeback *wb);
/* Writeback is starting: after an idle spell, restart the bandwidth estimate. */
void wb_bandwidth_estimate_start(struct bdi_writeback *wb);
/* A writeback pass is done: refresh the write bandwidth if it is 200 ms old. */
void wb_update_bandwidth(struct bdi_writeback *wb);

/* ---- write_cache_pages and waiting (page_writeback.c) ------------------------------ */

enum wb_result { WB_DONE, WB_BLOCKED };
void wbc_init(struct wbc *w, struct file *f, uint64_t start, uint64_t end,
	      enum wb_sync_mode mode, enum xa_tag tag, int64_t nr);
void tag_pages_for_writeback(struct file *f, uint64_t start, uint64_t end);
enum wb_result write_cache_pages(struct bdi_writeback *wb, struct task *t, struct wbc *wbc);
bool wait_on_writeback_range(struct task *t, struct file *f, uint64_t *cursor, uint64_t start,
			     uint64_t end, bool forked_too);

/* ---- write requests (writepage.c) ------------------------------------------------------ */

/* Queue @p (already marked writeback) for writing, from a bounce copy when @bounce;
 * CPU costs of the submission go to @t. */
void submit_page_write(struct bdi_writeback *wb, struct task *t, struct page *p, bool bounce);

/* ---- the flusher (flusher.c) ------------------------------------------------------------ */

void flusher_kick(struct bdi_writeback *wb);

#endif
