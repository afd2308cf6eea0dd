/*
 * Every oracle counter, shown counting the right thing: each test builds the hazard
 * and sees the counter move, then runs the same story without the hazard (another
 * policy, or another timing) and sees it stay at zero.
 *
 * Timings (test_config): a write request is served in 100 us and the device reads
 * the data at 50 us.  Small CPU costs (~1 us) shift instants slightly; every story
 * leaves tens of microseconds of margin around the instants that matter.
 */
#include "model_util.h"

#include <inttypes.h>

#define US 1000ull

START_TEST(redundant_write_counted)
{
	struct sim *s = rewrite_under_io("unrestricted", false, false, NULL);
	/* The DMA read the second version; the rewrite after it lands the same data. */
	ck_assert_uint_eq(M(s, M_REDUNDANT_WRITES), 1);
	ck_assert_uint_eq(M(s, M_DISK_WRITES), 2);
	ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), 0);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
	ck_assert_uint_eq(M(s, M_FSYNC_VIOLATIONS), 0);
	sim_free(s);
}
END_TEST

START_TEST(redundant_write_absent_with_stable_pages)
{
	struct sim *s = rewrite_under_io("wait-on-writeback", false, false, NULL);
	ck_assert_uint_eq(M(s, M_REDUNDANT_WRITES), 0);
	ck_assert_uint_eq(M(s, M_DISK_WRITES), 2);
	/* The writer slept from ~12 us until the I/O completed at ~101 us. */
	ck_assert_uint_gt(M(s, M_STALL_STABLE), 80 * US);
	ck_assert_uint_lt(M(s, M_STALL_STABLE), 100 * US);
	sim_free(s);
}
END_TEST

START_TEST(checksum_error_counted)
{
	int res;
	struct sim *s = rewrite_under_io("unrestricted", true, true, &res);
	ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), 1);
	/* The rejected write is reported once, by the next fsync. */
	ck_assert_int_eq(res, -WBSIM_EIO);
	ck_assert_uint_eq(M(s, M_EIO_RETURNED), 1);
	/* The page was dirtied again by the rewrite, so the data still reaches disk. */
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
	ck_assert_uint_eq(M(s, M_REDUNDANT_WRITES), 0);
	sim_free(s);
}
END_TEST

START_TEST(checksum_error_absent_with_stable_pages)
{
	int res;
	struct sim *s = rewrite_under_io("wait-on-writeback", true, true, &res);
	ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), 0);
	ck_assert_int_eq(res, 0);
	ck_assert_uint_eq(M(s, M_EIO_RETURNED), 0);
	/* A guard tag was computed for each of the two page writes. */
	ck_assert_uint_eq(M(s, M_CPU_CHECKSUM), 2 * sim_config(s)->cost.checksum_page);
	sim_free(s);
}
END_TEST

START_TEST(checksum_window_is_dma_at)
{
	/* A modification just before the DMA instant fails the write; just after,
	 * it does not (the device already has its data). */
	for (int after = 0; after <= 1; after++) {
		struct sim_config c;
		test_config(&c);
		c.dev.integrity = true;
		c.dev.dma_at = 0.3;     /* DMA at 30 us after dispatch (~1 us) */
		struct sim *s = test_sim_new(&c, test_policy("unrestricted"));
		struct file *f = sim_file_new(s, "data", 1 << 20);
		struct step steps[] = {
			PWRITE(f, 0, 4096),
			SYNC_RANGE(f, 0, 4096, W_WRITE),
			SLEEP_UNTIL(after ? 36 * US : 26 * US),
			PWRITE(f, 0, 4096),
			END
		};
		struct script *sc = script_spawn(s, "w", NULL, -1, 0, steps);
		sim_run(s);
		ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), after ? 0 : 1);
		g_free(sc);
		sim_free(s);
	}
}
END_TEST

/*
 * The DMA instant itself belongs to the device: a modification at dma_time finds the
 * data already read; one a nanosecond earlier changes what the device reads.  With
 * every CPU cost zero the write request is submitted and dispatched at t=0, so its
 * DMA is at exactly dma_at * 100 us = 50 us (no jitter, no transfer time).
 */
START_TEST(dma_instant_boundary)
{
	for (int at_dma = 0; at_dma <= 1; at_dma++) {
		struct sim_config c;
		test_config(&c);
		c.cost = (struct cost_cfg){ 0 };
		c.dev.integrity = true;
		simtime_t dma = (simtime_t)(c.dev.dma_at * (double)c.dev.write_latency);
		struct sim *s = test_sim_new(&c, test_policy("unrestricted"));
		GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
		sim_set_trace(s, test_collect_line, lines);
		struct file *f = sim_file_new(s, "data", 1 << 20);
		struct step w[] = { PWRITE(f, 0, 4096), SYNC_RANGE(f, 0, 4096, W_WRITE), END };
		struct step r[] = { SLEEP_UNTIL(at_dma ? dma : dma - 1), PWRITE(f, 0, 4096), END };
		struct script *x = script_spawn(s, "w", NULL, -1, 0, w);
		struct script *y = script_spawn(s, "rewriter", NULL, -1, 0, r);
		sim_run(s);
		/* The premise: the first request went to the device at t=0. */
		GPtrArray *issues = test_grep(lines, "block_rq_issue: W");
		ck_assert_uint_ge(issues->len, 1);
		ck_assert_ptr_nonnull(strstr(issues->pdata[0], " 0.000000000: "));
		ck_assert_uint_eq(y->done_at[0], at_dma ? dma : dma - 1);
		ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), (at_dma ? 0 : 1));
		g_ptr_array_free(issues, TRUE);
		g_ptr_array_free(lines, TRUE);
		g_free(x);
		g_free(y);
		sim_free(s);
	}
}
END_TEST

/*
 * The device checks the guard of every page of a request, not only the first: four
 * pages go out in one request and only the last one is rewritten, before the DMA
 * (at ~31 us) or after it.  A rejected request takes all four pages down with it:
 * the three nobody rewrote are lost.
 */
START_TEST(checksum_checks_every_page_of_a_request)
{
	for (int after = 0; after <= 1; after++) {
		struct sim_config c;
		test_config(&c);
		c.dev.integrity = true;
		c.dev.dma_at = 0.3;
		struct sim *s = test_sim_new(&c, test_policy("unrestricted"));
		GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
		sim_set_trace(s, test_collect_line, lines);
		struct file *f = sim_file_new(s, "data", 1 << 20);
		struct step steps[] = {
			PWRITE(f, 0, 4 * 4096),
			SYNC_RANGE(f, 0, 4 * 4096, W_WRITE),
			SLEEP_UNTIL(after ? 60 * US : 20 * US),
			PWRITE(f, 3 * 4096, 4096),
			END
		};
		struct script *sc = script_spawn(s, "w", NULL, -1, 0, steps);
		sim_run(s);
		/* The premise: one request carried all four pages. */
		GPtrArray *issues = test_grep(lines, "block_rq_issue: W");
		ck_assert_uint_ge(issues->len, 1);
		ck_assert_ptr_nonnull(strstr(issues->pdata[0], " nr=4 "));
		ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), (after ? 0 : 1));
		ck_assert_uint_eq(M(s, M_LOST_WRITES), (after ? 0 : 3));
		g_ptr_array_free(issues, TRUE);
		g_ptr_array_free(lines, TRUE);
		g_free(sc);
		sim_free(s);
	}
}
END_TEST

/* ---- hazards that need two copies of a block: an inline forking policy ---------- */

struct fork_opts {
	bool fork_pinned;       /* fork even pinned pages (the pin holder keeps the old) */
	bool refork;            /* submit a copy while an older one is in flight */
	bool track;             /* fsync waits for forked copies */
};

static enum modify_action tf_modify(void *priv, struct sim *s, const struct page *p,
				    enum modify_source src)
{
	(void)s; (void)src;
	struct fork_opts *o = priv;
	if (page_is_pinned(p) && !o->fork_pinned)
		return MODIFY_WAIT_PIN;
	return MODIFY_FORK;
}

static enum submit_action tf_submit(void *priv, struct sim *s, const struct page *p)
{
	(void)s;
	struct fork_opts *o = priv;
	return page_has_older_inflight(p) && !o->refork ? SUBMIT_WAIT_OLDER : SUBMIT_PAGE;
}

static enum dio_action tf_dio(void *priv, struct sim *s)
{
	(void)priv; (void)s;
	return DIO_DIRECT;
}

static unsigned tf_sync(void *priv, struct sim *s)
{
	(void)s;
	struct fork_opts *o = priv;
	return SYNC_WAIT_INDEX | (o->track ? SYNC_WAIT_FORKED : 0);
}

static struct fork_opts tf_current;

static void *tf_init(const struct policy_args *a)
{
	(void)a;
	struct fork_opts *o = g_new(struct fork_opts, 1);
	*o = tf_current;
	return o;
}

static const struct wb_policy_ops test_fork_ops = {
	.name = "test-fork", .description = "forks every page under writeback",
	.init = tf_init, .destroy = g_free, .page_modify = tf_modify,
	.page_submit = tf_submit, .dio_submit = tf_dio, .sync_waits = tf_sync,
};

static struct sim *fork_sim(struct sim_config *c, bool fork_pinned, bool refork, bool track)
{
	tf_current = (struct fork_opts){ fork_pinned, refork, track };
	GError *err = NULL;
	struct policy *p = policy_new_from_ops(&test_fork_ops, NULL, &err);
	ck_assert_ptr_nonnull(p);
	return test_sim_new(c, p);
}

/*
 * A 512 KiB write is in flight (128 pages: long transfer); page 0 is rewritten,
 * forked, and its new copy written alone: a short request that completes first.
 * The big request then lands the older page 0 over the newer one.
 */
static struct sim *refork_story(bool refork)
{
	struct sim_config c;
	test_config(&c);
	c.dev.bandwidth = 2ull << 30;           /* 512 KiB take ~244 us to transfer */
	struct sim *s = fork_sim(&c, false, refork, true);
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step steps[] = {
		PWRITE(f, 0, 512 * 1024),
		SYNC_RANGE(f, 0, 512 * 1024, W_WRITE),
		SLEEP(20 * US),
		PWRITE(f, 0, 4096),                     /* forks page 0 */
		SYNC_RANGE(f, 0, 4096, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
			   SYNC_FILE_RANGE_WAIT_AFTER),
		END
	};
	struct script *sc = script_spawn(s, "w", NULL, -1, 0, steps);
	sim_run(s);
	g_free(sc);
	return s;
}

START_TEST(stale_overwrite_counted)
{
	struct sim *s = refork_story(true);
	ck_assert_uint_eq(M(s, M_FORKS), 1);
	ck_assert_uint_eq(M(s, M_STALE_OVERWRITES), 1);
	/* The disk ends with the older copy: the newer write is lost. */
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 1);
	sim_free(s);
}
END_TEST

START_TEST(stale_overwrite_absent_when_serialized)
{
	struct sim *s = refork_story(false);
	ck_assert_uint_eq(M(s, M_FORKS), 1);
	ck_assert_uint_eq(M(s, M_STALE_OVERWRITES), 0);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
	/* The second write waited for the first (data-integrity writeback). */
	ck_assert_uint_gt(M(s, M_STALL_REFORK), 100 * US);
	sim_free(s);
}
END_TEST

/*
 * A pinned page under writeback is rewritten; the pin holder writes afterwards.
 * Forking the pinned page leaves the holder writing into the old copy, which
 * nobody will write back: its update is lost.
 */
static struct sim *pin_story(bool fork_pinned)
{
	struct sim_config c;
	test_config(&c);
	struct sim *s = fork_sim(&c, fork_pinned, false, true);
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct process *p = sim_process_new(s, "app");
	struct mapping *m = sim_mmap(s, p, f, 0, 1 << 20);
	struct step holder[] = {
		PWRITE(f, 0, 4096),                     /* cached without a read */
		PIN(m, 0, 4096, 0),
		SYNC_RANGE(f, 0, 4096, W_WRITE),        /* under writeback from ~3 us */
		SLEEP_UNTIL(200 * US),                  /* the writer has forked or waited */
		PIN_WRITE(0, 0, 4096),
		PIN_RELEASE(0),
		END
	};
	struct step writer[] = {
		SLEEP_UNTIL(20 * US),
		PWRITE(f, 0, 4096),
		END
	};
	struct script *a = script_spawn(s, "holder", p, -1, 0, holder);
	struct script *b = script_spawn(s, "writer", p, -1, 0, writer);
	sim_run(s);
	g_free(a);
	g_free(b);
	return s;
}

START_TEST(lost_write_counted)
{
	struct sim *s = pin_story(true);
	ck_assert_uint_eq(M(s, M_FORKS), 1);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 1);
	ck_assert_uint_eq(M(s, M_STALL_PIN), 0);
	sim_free(s);
}
END_TEST

START_TEST(lost_write_absent_when_pins_wait)
{
	struct sim *s = pin_story(false);
	ck_assert_uint_eq(M(s, M_FORKS), 0);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
	/* The writer waited until the first write completed (~103 us): the page was
	 * pinned, so it could not be forked. */
	ck_assert_uint_gt(M(s, M_STALL_PIN), 70 * US);
	sim_free(s);
}
END_TEST

/*
 * A lost write the final content cannot show: the pin holder writes part of page 0
 * into the old copy after the fork and before the old copy's DMA; the new copy, which
 * never got those bytes, is partly rewritten afterwards and written last.  The disk
 * ends with the latest version, yet the block lacks the pin holder's bytes: only the
 * divergence mark (a partial modification of a copy without the latest content) tells.
 * When the pin holder writes before the fork, the fork copies its bytes: no loss.
 */
static struct sim *diverged_story(bool pin_write_after_fork, GPtrArray *lines)
{
	struct sim_config c;
	test_config(&c);
	struct sim *s = fork_sim(&c, true, false, true);
	sim_set_trace(s, test_collect_line, lines);
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct process *p = sim_process_new(s, "app");
	struct mapping *m = sim_mmap(s, p, f, 0, 1 << 20);
	struct step holder[] = {
		PWRITE(f, 0, 4096),
		PIN(m, 0, 4096, 0),
		SYNC_RANGE(f, 0, 4096, W_WRITE),        /* DMA at ~55 us */
		SLEEP_UNTIL(pin_write_after_fork ? 30 * US : 10 * US),
		PIN_WRITE(0, 0, 100),
		END
	};
	struct step writer[] = {
		SLEEP_UNTIL(20 * US),
		PWRITE(f, 0, 100),                      /* forks page 0 */
		SLEEP_UNTIL(200 * US),                  /* the old copy has landed */
		PWRITE(f, 100, 100),
		END
	};
	struct script *a = script_spawn(s, "holder", p, -1, 0, holder);
	struct script *b = script_spawn(s, "writer", p, -1, 0, writer);
	sim_run(s);
	g_free(a);
	g_free(b);
	return s;
}

START_TEST(lost_write_shown_only_by_divergence)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	struct sim *s = diverged_story(true, lines);
	ck_assert_uint_eq(M(s, M_FORKS), 1);
	ck_assert_uint_eq(M(s, M_STALE_OVERWRITES), 0);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 1);
	/* The disk does hold the latest version: the loss is the divergence alone. */
	GPtrArray *lost = test_grep(lines, "lost_at_end: ");
	ck_assert_uint_eq(lost->len, 1);
	uint64_t durable = 0, latest = 0;
	const char *at = strstr(lost->pdata[0], "durable=");
	ck_assert_int_eq(sscanf(at, "durable=%" SCNu64 " latest=%" SCNu64, &durable, &latest), 2);
	ck_assert_uint_eq(durable, latest);
	ck_assert_ptr_nonnull(strstr(lost->pdata[0], " diverged"));
	g_ptr_array_free(lost, TRUE);
	g_ptr_array_free(lines, TRUE);
	sim_free(s);
}
END_TEST

START_TEST(lost_write_absent_when_fork_copies_the_pin_write)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	struct sim *s = diverged_story(false, lines);
	ck_assert_uint_eq(M(s, M_FORKS), 1);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
	g_ptr_array_free(lines, TRUE);
	sim_free(s);
}
END_TEST

/*
 * fsync writes page 0; a second task rewrites it (a fork) after fsync submitted the
 * page and before fsync looks for pages under writeback.  fsync must still wait for
 * the old copy: its data predates the call.  The window: the syncer's fsync starts at
 * 800 ns (after its write) and pays its syscall cost (300 ns) after submitting the
 * page, so the writer, due at 1000 ns, runs in between.
 */
static struct sim *fsync_fork_story(bool track, int *res)
{
	struct sim_config c;
	test_config(&c);
	struct sim *s = fork_sim(&c, false, false, track);
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step syncer[] = { PWRITE(f, 0, 4096), FSYNC(f), END };
	struct step writer[] = { SLEEP_UNTIL(1000), PWRITE(f, 0, 4096), END };
	struct script *a = script_spawn(s, "syncer", NULL, -1, 0, syncer);
	struct script *b = script_spawn(s, "writer", NULL, -1, 0, writer);
	sim_run(s);
	*res = a->results[1];
	g_free(a);
	g_free(b);
	return s;
}

START_TEST(fsync_violation_counted)
{
	int res;
	struct sim *s = fsync_fork_story(false, &res);
	ck_assert_int_eq(res, 0);
	ck_assert_uint_eq(M(s, M_FORKS), 1);
	ck_assert_uint_eq(M(s, M_FSYNC_VIOLATIONS), 1);
	ck_assert_uint_lt(hist_max(sim_metrics(s)->lat[OPK_FSYNC]), 50 * US);
	sim_free(s);
}
END_TEST

START_TEST(fsync_violation_absent_when_tracked)
{
	int res;
	struct sim *s = fsync_fork_story(true, &res);
	ck_assert_int_eq(res, 0);
	ck_assert_uint_eq(M(s, M_FORKS), 1);
	ck_assert_uint_eq(M(s, M_FSYNC_VIOLATIONS), 0);
	ck_assert_uint_gt(hist_max(sim_metrics(s)->lat[OPK_FSYNC]), 100 * US);
	sim_free(s);
}
END_TEST

/*
 * A direct write whose source buffer is page 0 of file A (mapped) keeps that page
 * pinned for its I/O.  Meanwhile a direct write to A's page 0 cannot invalidate it:
 * the cached copy stays, clean and older than the disk.
 */
static struct sim *stale_page_story(bool overlap)
{
	struct sim_config c;
	test_config(&c);
	struct sim *s = test_sim_new(&c, test_policy("wait-on-writeback"));
	struct file *a = sim_file_new(s, "a", 1 << 20);
	struct file *b = sim_file_new(s, "b", 1 << 20);
	struct process *p = sim_process_new(s, "app");
	struct mapping *m = sim_mmap(s, p, a, 0, 1 << 20);
	struct step copier[] = { DIO_WRITE_FROM(b, 0, 4096, m, 0), END };
	struct step writer[] = {
		SLEEP_UNTIL(overlap ? 20 * US : 300 * US),
		DIO_WRITE(a, 0, 4096),
		PREAD(a, 0, 4096),
		END
	};
	struct script *x = script_spawn(s, "copier", p, -1, 0, copier);
	struct script *y = script_spawn(s, "writer", p, -1, 0, writer);
	sim_run(s);
	g_free(x);
	g_free(y);
	return s;
}

START_TEST(stale_read_and_cache_page_counted)
{
	struct sim *s = stale_page_story(true);
	ck_assert_uint_eq(M(s, M_STALE_READS), 1);
	ck_assert_uint_eq(M(s, M_STALE_CACHE_PAGES), 1);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
	sim_free(s);
}
END_TEST

START_TEST(stale_read_and_cache_page_absent_without_overlap)
{
	struct sim *s = stale_page_story(false);
	ck_assert_uint_eq(M(s, M_STALE_READS), 0);
	ck_assert_uint_eq(M(s, M_STALE_CACHE_PAGES), 0);
	sim_free(s);
}
END_TEST

/*
 * A direct write takes effect when it completes.  Regression: two direct writes to
 * one block, the first long (512 KiB) and the second short, complete in the other
 * order; and an fsync called while the long one is in flight owes it nothing.  The
 * oracle once dated direct writes at submission, so it saw a stale overwrite, a lost
 * write and an fsync violation here where there is no hazard.
 */
/*
 * A direct write drops the cached pages of its range before it starts (and again
 * after): a buffered read during the write misses the cache and goes to the device.
 * Page 0 is cached and clean (written and fsynced by 100 us); the direct write is
 * sent at ~200 us and lands at ~300 us; the read at 250 us waits for a device read
 * (100 us) sent behind it, so it returns after 340 us with the new content, not at
 * once with the old.
 */
START_TEST(direct_write_invalidates_the_cache_before_it_starts)
{
	struct sim_config c;
	test_config(&c);
	struct sim *s = test_sim_new(&c, test_policy("wait-on-writeback"));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step w[] = { PWRITE(f, 0, 4096), FSYNC(f), SLEEP_UNTIL(200 * US),
			    DIO_WRITE(f, 0, 4096), END };
	struct step r[] = { SLEEP_UNTIL(250 * US), PREAD(f, 0, 4096), END };
	struct script *x = script_spawn(s, "writer", NULL, -1, 0, w);
	struct script *y = script_spawn(s, "reader", NULL, -1, 0, r);
	sim_run(s);
	ck_assert_uint_gt(x->done_at[3], 300 * US);
	ck_assert_uint_lt(x->done_at[3], 310 * US);
	ck_assert_uint_gt(y->done_at[1], 340 * US);
	ck_assert_uint_lt(y->done_at[1], 360 * US);
	ck_assert_uint_eq(M(s, M_STALE_READS), 0);
	ck_assert_uint_eq(M(s, M_STALE_CACHE_PAGES), 0);
	g_free(x);
	g_free(y);
	sim_free(s);
}
END_TEST

/*
 * A direct read is judged like any read: it returned content older than the latest
 * written if a buffered write dirtied the page while the read was at the device.
 * The read is sent at ~1 us and done at ~101 us; the write at 50 us makes it stale,
 * the same write at 150 us does not.
 */
START_TEST(direct_read_counted_stale_when_overtaken)
{
	for (int overtaken = 0; overtaken <= 1; overtaken++) {
		struct sim_config c;
		test_config(&c);
		struct sim *s = test_sim_new(&c, test_policy("wait-on-writeback"));
		struct file *f = sim_file_new(s, "data", 1 << 20);
		struct step r[] = { DIO_READ(f, 0, 4096), END };
		struct step w[] = { SLEEP_UNTIL(overtaken ? 50 * US : 150 * US),
				    PWRITE(f, 0, 4096), END };
		struct script *x = script_spawn(s, "reader", NULL, -1, 0, r);
		struct script *y = script_spawn(s, "writer", NULL, -1, 0, w);
		sim_run(s);
		ck_assert_uint_gt(x->done_at[0], 100 * US);
		ck_assert_uint_lt(x->done_at[0], 110 * US);
		ck_assert_uint_eq(M(s, M_STALE_READS), overtaken ? 1 : 0);
		g_free(x);
		g_free(y);
		sim_free(s);
	}
}
END_TEST

START_TEST(direct_writes_take_effect_at_completion)
{
	struct sim_config c;
	test_config(&c);
	c.dev.bandwidth = 2ull << 30;
	struct sim *s = test_sim_new(&c, test_policy("wait-on-writeback"));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step a[] = { DIO_WRITE(f, 0, 512 * 1024), END };
	struct step b[] = { SLEEP_UNTIL(5 * US), DIO_WRITE(f, 0, 4096), FSYNC(f), END };
	struct script *x = script_spawn(s, "long", NULL, -1, 0, a);
	struct script *y = script_spawn(s, "short", NULL, -1, 0, b);
	sim_run(s);
	/* The short write returned first; its fsync ran while the long one flew. */
	ck_assert_uint_lt(y->done_at[2], x->done_at[0]);
	ck_assert_uint_eq(M(s, M_STALE_OVERWRITES), 0);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
	ck_assert_uint_eq(M(s, M_FSYNC_VIOLATIONS), 0);
	/* Every page of both direct writes and nothing else: no page was ever cached
	 * dirty, so the final sync writes nothing. */
	ck_assert_uint_eq(M(s, M_DISK_WRITES), (512 * 1024 + 4096) / PAGE_SIZE);
	g_free(x);
	g_free(y);
	sim_free(s);
}
END_TEST

static Suite *oracle_suite(void)
{
	Suite *s = suite_create("oracle");
	TCase *tc = tcase_create("hazards");
	tcase_add_test(tc, redundant_write_counted);
	tcase_add_test(tc, redundant_write_absent_with_stable_pages);
	tcase_add_test(tc, checksum_error_counted);
	tcase_add_test(tc, checksum_error_absent_with_stable_pages);
	tcase_add_test(tc, checksum_window_is_dma_at);
	tcase_add_test(tc, dma_instant_boundary);
	tcase_add_test(tc, checksum_checks_every_page_of_a_request);
	tcase_add_test(tc, stale_overwrite_counted);
	tcase_add_test(tc, stale_overwrite_absent_when_serialized);
	tcase_add_test(tc, lost_write_counted);
	tcase_add_test(tc, lost_write_absent_when_pins_wait);
	tcase_add_test(tc, lost_write_shown_only_by_divergence);
	tcase_add_test(tc, lost_write_absent_when_fork_copies_the_pin_write);
	tcase_add_test(tc, fsync_violation_counted);
	tcase_add_test(tc, fsync_violation_absent_when_tracked);
	tcase_add_test(tc, stale_read_and_cache_page_counted);
	tcase_add_test(tc, stale_read_and_cache_page_absent_without_overlap);
	tcase_add_test(tc, direct_writes_take_effect_at_completion);
	tcase_add_test(tc, direct_read_counted_stale_when_overtaken);
	tcase_add_test(tc, direct_write_invalidates_the_cache_before_it_starts);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(oracle_suite)
