/*
 * throttle — dirty throttling as Linux has done it since 3.2 (the IO-less
 * balance_dirty_pages of mm/page-writeback.c).  A dirtier is not stopped at a wall
 * until writeback catches up: once dirty + writeback pages pass the freerun ceiling
 * (halfway between the background threshold and the hard limit), every few pages it
 * dirties it sleeps for a pause sized to hold it to a rate, task_ratelimit =
 * dirty_ratelimit * pos_ratio, where
 *
 *   pos_ratio   falls as dirty memory rises past the setpoint (halfway between the
 *               freerun ceiling and the limit): 1 + ((setpoint - dirty) /
 *               (limit - setpoint))^3, 2 at freerun, 1 at the setpoint, 0 at the limit;
 *               times the bdi's linear line, 1 - (dirty - setpoint) / (8 * write_bw);
 *   dirty_ratelimit  is re-estimated every 200 ms from the measured write bandwidth
 *               and dirty rate, so that N dirtiers together dirty about what the
 *               device writes (balanced_dirty_ratelimit ~ write_bw / N);
 *   write_bw    is measured from completed writeback and smoothed over ~4 s.
 *
 * Each pause is at most MAX_PAUSE (200 ms), and at most an eighth of the time it takes
 * to write the dirty pages back; pauses too short to be worth sleeping are carried
 * over to the next check (dirty_paused_when).  At or over the limit (pos_ratio 0) the
 * dirtier sleeps MAX_PAUSE-sized pauses until dirty memory falls below it.
 *
 * What the model drops: one bdi and no memcg domains, so the bdi's share of the
 * limits (wb_thresh, its reserve area and JBOD span) is the whole; the per-CPU
 * ratelimit counters and the leak accounting of exiting tasks; strictlimit; laptop
 * mode; the slow follow-down of dom->dirty_limit (the limit is dirty_ratio, fixed);
 * jiffy granularity (times are nanoseconds).  The flusher is kicked on every page
 * dirtied above the background threshold, not only when a dirtier looks.
 */
#include "writeback/writeback.h"

#define RATELIMIT_CALC_SHIFT 10
#define MAX_PAUSE (200 * NSEC_PER_MSEC)
#define BANDWIDTH_INTERVAL (200 * NSEC_PER_MSEC)
#define BW_PERIOD (4096 * NSEC_PER_MSEC)        /* roundup_pow_of_two(3 * HZ) at HZ=1000 */
#define BW_IDLE NSEC_PER_SEC                    /* WB_BANDWIDTH_IDLE_JIF */
#define INIT_BW (100 << (20 - PAGE_SHIFT))      /* 100 MiB/s, in pages per second */
#define DIRTY_POLL_THRESH 32                    /* pages */
#define MIN_PAUSE_TARGET (10 * NSEC_PER_MSEC)   /* the 10 ms target of one dirtier */

static unsigned ilog2(uint64_t v)
{
	return v ? 63u - (unsigned)__builtin_clzll(v) : 0;
}

static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t c)
{
	return (uint64_t)((unsigned __int128)a * b / (c ? c : 1));
}

void wb_throttle_init(struct bdi_writeback *wb)
{
	/* The kernel has bg_thresh at most half of thresh. */
	if (wb->bg_thresh >= wb->dirty_thresh)
		wb->bg_thresh = wb->dirty_thresh / 2;
	wb->write_bw = wb->avg_write_bw = INIT_BW;
	wb->dirty_ratelimit = wb->balanced_dirty_ratelimit = INIT_BW;
}

static uint64_t freerun_ceiling(const struct bdi_writeback *wb)
{
	return (wb->dirty_thresh + wb->bg_thresh) / 2;
}

/*
 * setpoint - dirty 3
 * f(dirty) := 1.0 + (----------------)    in fixed point, clamped to [0, 2]
 *                  limit - setpoint
 */
static int64_t pos_ratio_polynom(uint64_t setpoint, uint64_t dirty, uint64_t limit)
{
	int64_t x = (((int64_t)setpoint - (int64_t)dirty) * (1 << RATELIMIT_CALC_SHIFT)) /
		    (int64_t)((limit - setpoint) | 1);
	int64_t pos = x;
	pos = pos * x >> RATELIMIT_CALC_SHIFT;
	pos = pos * x >> RATELIMIT_CALC_SHIFT;
	pos += 1 << RATELIMIT_CALC_SHIFT;
	return pos < 0 ? 0 : pos > (2 << RATELIMIT_CALC_SHIFT) ? 2 << RATELIMIT_CALC_SHIFT : pos;
}

/* wb_position_ratio with one bdi owning all dirty memory. */
static uint64_t position_ratio(const struct bdi_writeback *wb, uint64_t dirty)
{
	uint64_t limit = wb->dirty_thresh;
	if (dirty >= limit)
		return 0;
	uint64_t setpoint = (freerun_ceiling(wb) + limit) / 2;
	int64_t pos = pos_ratio_polynom(setpoint, dirty, limit);
	/* The bdi's control line: 1 at the setpoint, falling by 1 every 8 seconds' worth
	 * of writeback above it, never below 1/4. */
	uint64_t span = 8 * wb->avg_write_bw;
	uint64_t x_intercept = setpoint + span;
	if (dirty < x_intercept - span / 4)
		pos = (int64_t)mul_div((uint64_t)pos, x_intercept - dirty, (x_intercept - setpoint) | 1);
	else
		pos /= 4;
	return (uint64_t)pos;
}

static void update_write_bandwidth(struct bdi_writeback *wb, simtime_t elapsed, uint64_t written)
{
	uint64_t bw = mul_div(written - wb->written_stamp, NSEC_PER_SEC, elapsed);
	uint64_t avg = wb->avg_write_bw, old = wb->write_bw;
	if (elapsed > BW_PERIOD) {
		avg = bw;
	} else {
		bw = (uint64_t)(((unsigned __int128)bw * elapsed +
				 (unsigned __int128)old * (BW_PERIOD - elapsed)) / BW_PERIOD);
		/* One more level of smoothing, against sudden spikes. */
		if (avg > old && old >= bw)
			avg -= (avg - old) >> 3;
		if (avg < old && old <= bw)
			avg += (old - avg) >> 3;
	}
	wb->write_bw = bw;
	wb->avg_write_bw = avg ? avg : 1;
}

/*
 * wb_update_dirty_ratelimit: move dirty_ratelimit toward the balanced rate, the one
 * at which the dirtiers together would dirty what the device writes, but only when
 * that also moves dirty memory toward the setpoint, and in steps that shrink as it
 * gets close.
 */
static void update_dirty_ratelimit(struct bdi_writeback *wb, uint64_t dirty, uint64_t dirtied,
				   simtime_t elapsed)
{
	uint64_t setpoint = (freerun_ceiling(wb) + wb->dirty_thresh) / 2;
	uint64_t write_bw = wb->avg_write_bw;
	uint64_t rate = wb->dirty_ratelimit;
	uint64_t dirty_rate = mul_div(dirtied - wb->dirtied_stamp, NSEC_PER_SEC, elapsed);
	uint64_t task_ratelimit = (rate * position_ratio(wb, dirty) >> RATELIMIT_CALC_SHIFT) + 1;
	uint64_t balanced = mul_div(task_ratelimit, write_bw, dirty_rate | 1);
	if (balanced > write_bw)
		balanced = write_bw;
	uint64_t step = 0, x;
	if (dirty < setpoint) {
		x = MIN(MIN(wb->balanced_dirty_ratelimit, balanced), task_ratelimit);
		if (rate < x)
			step = x - rate;
	} else {
		x = MAX(MAX(wb->balanced_dirty_ratelimit, balanced), task_ratelimit);
		if (rate > x)
			step = rate - x;
	}
	uint64_t shift = rate / (2 * step + 1);
	step = shift < 64 ? ((step >> shift) + 7) / 8 : 0;
	rate = rate < balanced ? rate + step : rate - step;
	wb->dirty_ratelimit = rate ? rate : 1;
	wb->balanced_dirty_ratelimit = balanced;
	TRACE(wb->tr, NULL, "bdi_dirty_ratelimit", "write_bw=%" G_GUINT64_FORMAT " awrite_bw=%" G_GUINT64_FORMAT
	      " dirty_rate=%" G_GUINT64_FORMAT " dirty_ratelimit=%" G_GUINT64_FORMAT " task_ratelimit=%" G_GUINT64_FORMAT
	      " balanced_dirty_ratelimit=%" G_GUINT64_FORMAT, wb->write_bw * PAGE_SIZE / 1024,
	      write_bw * PAGE_SIZE / 1024, dirty_rate * PAGE_SIZE / 1024, wb->dirty_ratelimit * PAGE_SIZE / 1024,
	      task_ratelimit * PAGE_SIZE / 1024, balanced * PAGE_SIZE / 1024);
}

static void update_bandwidth(struct bdi_writeback *wb, bool ratelimit, uint64_t dirty)
{
	simtime_t now = engine_now(wb->sched->eng);
	simtime_t elapsed = now > wb->bw_time_stamp ? now - wb->bw_time_stamp : 1;
	if (ratelimit)
		update_dirty_ratelimit(wb, dirty, wb->mm->nr_dirtied, elapsed);
	update_write_bandwidth(wb, elapsed, wb->mm->nr_written);
	wb->dirtied_stamp = wb->mm->nr_dirtied;
	wb->written_stamp = wb->mm->nr_written;
	wb->bw_time_stamp = now;
}

void wb_bandwidth_estimate_start(struct bdi_writeback *wb)
{
	simtime_t now = engine_now(wb->sched->eng);
	if (now - wb->bw_time_stamp > BW_IDLE && !wb->mm->nr_writeback) {
		wb->dirtied_stamp = wb->mm->nr_dirtied;
		wb->written_stamp = wb->mm->nr_written;
		wb->bw_time_stamp = now;
	}
}

/* How many pages a dirtier may dirty before looking again: near the square root of
 * the room left under the limit. */
static uint64_t dirty_poll_interval(uint64_t dirty, uint64_t thresh)
{
	return thresh > dirty ? 1ull << (ilog2(thresh - dirty) >> 1) : 1;
}

/* Never so long that the dirty pages could all be written meanwhile: an eighth of
 * the time that takes, at most MAX_PAUSE. */
static simtime_t max_pause(const struct bdi_writeback *wb, uint64_t dirty)
{
	simtime_t t = mul_div(dirty, NSEC_PER_SEC, 8 * wb->avg_write_bw) + NSEC_PER_MSEC;
	return t < MAX_PAUSE ? t : MAX_PAUSE;
}

/*
 * wb_min_pause: aim at pauses of about 10 ms for one dirtier (longer with many, to
 * spend less time waking up), and set how many pages the dirtier may dirty until its
 * next look (*pages) so that the pause then is about that long.
 */
static simtime_t min_pause(const struct bdi_writeback *wb, simtime_t max, uint64_t task_ratelimit,
			   uint64_t *pages_out)
{
	uint64_t rate = wb->dirty_ratelimit;
	unsigned hi = ilog2(wb->avg_write_bw), lo = ilog2(rate);
	simtime_t t = MIN_PAUSE_TARGET;
	if (hi > lo)
		t += (hi - lo) * 10 * NSEC_PER_SEC / 1024;
	t = MIN(t, 1 + max / 2);
	uint64_t pages = mul_div(rate, t, NSEC_PER_SEC);
	/* Looking every page or two hurts I/O: push the interval up to 32 pages. */
	if (pages < DIRTY_POLL_THRESH) {
		t = max;
		pages = mul_div(rate, t, NSEC_PER_SEC);
		if (pages > DIRTY_POLL_THRESH) {
			pages = DIRTY_POLL_THRESH;
			t = mul_div(NSEC_PER_SEC, DIRTY_POLL_THRESH, rate);
		}
	}
	if (mul_div(NSEC_PER_SEC, pages, task_ratelimit + 1) > max) {
		t = max;
		pages = mul_div(task_ratelimit, t, NSEC_PER_SEC);
	}
	*pages_out = pages;
	return pages >= DIRTY_POLL_THRESH ? 1 + t / 2 : t;
}

/* The dirtier has dirtied @t->bdp.nr_dirtied pages since it last looked. */
static bool throttle(struct bdi_writeback *wb, struct task *t)
{
	struct mm *mm = wb->mm;
	struct dirty_throttle *bdp = &t->bdp;
	simtime_t now = engine_now(wb->sched->eng);
	uint64_t dirty = mm->nr_dirty + mm->nr_writeback;
	uint64_t pages_dirtied = bdp->nr_dirtied;

	if (dirty <= freerun_ceiling(wb)) {
		bdp->paused_when = now;
		bdp->nr_dirtied = 0;
		bdp->nr_dirtied_pause = dirty_poll_interval(dirty, wb->dirty_thresh);
		bdp->again = false;
		wb->dirty_exceeded = false;
		return true;
	}
	if (!wb->flusher.busy)
		flusher_kick(wb);
	wb->dirty_exceeded = dirty > wb->dirty_thresh;
	if (now >= wb->bw_time_stamp + BANDWIDTH_INTERVAL)
		update_bandwidth(wb, true, dirty);

	uint64_t rate = wb->dirty_ratelimit;
	uint64_t task_ratelimit = rate * position_ratio(wb, dirty) >> RATELIMIT_CALC_SHIFT;
	simtime_t maxp = max_pause(wb, dirty);
	uint64_t next_pages;
	simtime_t minp = min_pause(wb, maxp, task_ratelimit, &next_pages);
	simtime_t period, pause;
	if (task_ratelimit == 0) {
		period = pause = maxp;
	} else {
		period = mul_div(NSEC_PER_SEC, pages_dirtied, task_ratelimit);
		/* What the dirtier spent since its last period counts toward this one. */
		int64_t p = (int64_t)period;
		if (bdp->paused_when)
			p -= (int64_t)now - (int64_t)bdp->paused_when;
		if (p < (int64_t)minp) {
			/* Too short to sleep: carry it over to the next look, unless the
			 * dirtier was away so long (think time) that it starts afresh. */
			if (p < -(int64_t)NSEC_PER_SEC) {
				bdp->paused_when = now;
				bdp->nr_dirtied = 0;
			} else if (period) {
				bdp->paused_when += period;
				bdp->nr_dirtied = 0;
			} else if (bdp->nr_dirtied_pause <= pages_dirtied) {
				bdp->nr_dirtied_pause += pages_dirtied;
			}
			bdp->again = false;
			return true;
		}
		pause = (simtime_t)p;
		if (pause > maxp) {
			/* An occasional drop of the rate: sleep the most, owe some of the
			 * rest. */
			now += MIN(pause - maxp, maxp);
			pause = maxp;
		}
	}
	TRACE(wb->tr, t, "balance_dirty_pages", "limit=%" G_GUINT64_FORMAT " setpoint=%" G_GUINT64_FORMAT
	      " dirty=%" G_GUINT64_FORMAT " bdi_dirty=%" G_GUINT64_FORMAT " dirty_ratelimit=%" G_GUINT64_FORMAT
	      " task_ratelimit=%" G_GUINT64_FORMAT " dirtied=%" G_GUINT64_FORMAT " period=%" G_GUINT64_FORMAT
	      " pause=%" G_GUINT64_FORMAT, wb->dirty_thresh * PAGE_SIZE / 1024,
	      (freerun_ceiling(wb) + wb->dirty_thresh) / 2 * PAGE_SIZE / 1024, dirty * PAGE_SIZE / 1024,
	      dirty * PAGE_SIZE / 1024, rate * PAGE_SIZE / 1024, task_ratelimit * PAGE_SIZE / 1024,
	      pages_dirtied, (uint64_t)(period / NSEC_PER_USEC), (uint64_t)(pause / NSEC_PER_USEC));
	bdp->paused_when = now + pause;
	bdp->nr_dirtied = 0;
	bdp->nr_dirtied_pause = next_pages;
	/* At the limit the rate is 0: after the pause, look again. */
	bdp->again = task_ratelimit == 0;
	task_pause(t, pause, STALL_THROTTLE);
	return false;
}

bool balance_dirty_pages(struct bdi_writeback *wb, struct task *t)
{
	struct mm *mm = wb->mm;
	if (t->stall == STALL_THROTTLE) {
		/* Back from a pause. */
		metrics_latency(wb->m, OPK_THROTTLE, task_pause_end(t));
		if (!t->bdp.again || wb->final_phase)
			return true;
		return throttle(wb, t);
	}
	if (mm->nr_dirty > wb->bg_thresh)
		flusher_kick(wb);
	if (wb->final_phase)
		return true;
	/* balance_dirty_pages_ratelimited: only newly dirtied pages count, and the
	 * dirtier looks at the state of things only every nr_dirtied_pause of them. */
	t->bdp.nr_dirtied += mm->nr_dirtied - wb->dirtied_seen;
	wb->dirtied_seen = mm->nr_dirtied;
	uint64_t ratelimit = t->bdp.nr_dirtied_pause ? t->bdp.nr_dirtied_pause : DIRTY_POLL_THRESH;
	if (wb->dirty_exceeded && ratelimit > 8)
		ratelimit = 8;          /* 32 KiB: hold everyone close over the limit */
	if (t->bdp.nr_dirtied < ratelimit)
		return true;
	return throttle(wb, t);
}

void balance_dirty_pages_check(struct bdi_writeback *wb)
{
	struct mm *mm = wb->mm;
	if (mm->nr_dirty > wb->bg_thresh && !wb->flusher.busy)
		flusher_kick(wb);
}

/* do_writepages' "once in a while": a writeback pass keeps the bandwidth estimate
 * fresh when no dirtier is looking (dirtiers update it themselves, and move
 * dirty_ratelimit as they do). */
void wb_update_bandwidth(struct bdi_writeback *wb)
{
	if (engine_now(wb->sched->eng) >= wb->bw_time_stamp + BANDWIDTH_INTERVAL)
		update_bandwidth(wb, false, 0);
}
