/*
 * The model's mechanics: PTEs and TLB shootdowns, pins, fsync's waiting rules and
 * errseq, page_mkwrite under stable pages, dirty throttling, the flusher, the write
 * cache, and determinism.  The schedulers are in test_scheduler.c.
 */
#include "mm/mm.h"
#include "model_util.h"

#define US 1000ull
#define MS 1000000ull

START_TEST(mkclean_write_protects_and_shoots_down)
{
	/* Three tasks of one process on CPUs 1, 2, 3 store to page 0; writeback by
	 * the task on CPU 1 write-protects the PTE: 1 PTE update and IPIs to CPUs
	 * 2 and 3.  The next store faults again. */
	struct sim_config c;
	test_config(&c);
	struct sim *s = test_sim_new(&c, test_policy("unrestricted"));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct process *p = sim_process_new(s, "db");
	struct mapping *m = sim_mmap(s, p, f, 0, 1 << 20);
	struct step a[] = {
		STORE(m, 0, 4096),              /* read fault in + write fault: 1 fault */
		SYNC_RANGE(f, 0, 4096, W_WRITE | W_WAIT),
		STORE(m, 0, 4096),              /* write-protected now: faults again */
		END
	};
	struct step idle[] = { SLEEP(1 * MS), END };
	struct script *x = script_spawn(s, "a", p, 1, 0, a);
	struct script *y = script_spawn(s, "b", p, 2, 0, idle);
	struct script *z = script_spawn(s, "c", p, 3, 0, idle);
	sim_run(s);
	ck_assert_uint_eq(M(s, M_FAULTS), 2);
	/* Two writebacks (ours, then the final sync's): each write-protects one PTE. */
	ck_assert_uint_eq(M(s, M_PTE_UPDATES), 2);
	ck_assert_uint_eq(M(s, M_TLB_SHOOTDOWNS), 2 + 3);       /* ours: 2 remote; sync: 3 */
	ck_assert_uint_eq(M(s, M_CPU_PTE), 2 * c.cost.pte_update);
	ck_assert_uint_eq(M(s, M_CPU_TLB), 5 * c.cost.tlb_shootdown);
	ck_assert_uint_eq(hist_count(sim_metrics(s)->lat[OPK_FAULT]), 2);
	g_free(x); g_free(y); g_free(z);
	sim_free(s);
}
END_TEST

START_TEST(pins_bypass_fault_path_and_stable_pages)
{
	/* Stable pages stop write(2) and faults, not a pin holder: on an integrity
	 * device its write during writeback fails the request. */
	for (int pinwrite = 0; pinwrite <= 1; pinwrite++) {
		struct sim_config c;
		test_config(&c);
		c.dev.integrity = true;
		struct sim *s = test_sim_new(&c, test_policy("wait-on-writeback"));
		struct file *f = sim_file_new(s, "data", 1 << 20);
		struct process *p = sim_process_new(s, "rdma");
		struct mapping *m = sim_mmap(s, p, f, 0, 1 << 20);
		struct step steps[] = {
			PWRITE(f, 0, 4096),
			PIN(m, 0, 4096, 0),
			SYNC_RANGE(f, 0, 4096, W_WRITE),
			SLEEP(10 * US),
			pinwrite ? (struct step)PIN_WRITE(0, 0, 4096) : (struct step)SLEEP(1),
			SLEEP(200 * US),
			PIN_RELEASE(0),
			FSYNC(f),
			END
		};
		struct script *sc = script_spawn(s, "holder", p, -1, 0, steps);
		sim_run(s);
		uint64_t faults = M(s, M_FAULTS);
		ck_assert_uint_eq(faults, 1);                   /* the pin's own fault-in */
		ck_assert_uint_eq(M(s, M_STALL_STABLE), 0);
		ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), pinwrite ? 1 : 0);
		ck_assert_int_eq(sc->results[7], pinwrite ? -WBSIM_EIO : 0);
		ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);     /* release redirtied it */
		g_free(sc);
		sim_free(s);
	}
}
END_TEST

START_TEST(fsync_waits_for_running_writeback_and_rewrites)
{
	/* Page 0 is under writeback and dirty again when fsync starts: fsync waits for
	 * that I/O, then writes the page again, then waits for the second I/O. */
	struct sim_config c;
	test_config(&c);
	struct sim *s = test_sim_new(&c, test_policy("unrestricted"));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step steps[] = {
		PWRITE(f, 0, 4096),
		SYNC_RANGE(f, 0, 4096, W_WRITE),
		SLEEP(60 * US),                 /* after the DMA: no redundancy */
		PWRITE(f, 0, 4096),
		FSYNC(f),
		END
	};
	struct script *sc = script_spawn(s, "w", NULL, -1, 0, steps);
	sim_run(s);
	ck_assert_uint_eq(M(s, M_DISK_WRITES), 2);
	ck_assert_uint_eq(M(s, M_REDUNDANT_WRITES), 0);
	ck_assert_uint_eq(M(s, M_FSYNC_VIOLATIONS), 0);
	/* fsync started at ~62 us, waited for the first write (ends ~101 us) and
	 * its own (100 us more). */
	uint64_t lat = hist_max(sim_metrics(s)->lat[OPK_FSYNC]);
	ck_assert_uint_gt(lat, 135 * US);
	ck_assert_uint_lt(lat, 145 * US);
	g_free(sc);
	sim_free(s);
}
END_TEST

/*
 * errseq: a failed write is reported by the next fsync and only by it; the fsync
 * after that succeeds.  The write fails because page 0 is rewritten at ~12 us,
 * before the DMA of its writeback (~51 us), on an integrity device.
 */
START_TEST(fsync_reports_a_write_error_once)
{
	struct sim_config c;
	test_config(&c);
	c.dev.integrity = true;
	struct sim *s = test_sim_new(&c, test_policy("unrestricted"));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step steps[] = {
		PWRITE(f, 0, 4096),
		SYNC_RANGE(f, 0, 4096, W_WRITE),
		SLEEP(10 * US),
		PWRITE(f, 0, 4096),
		FSYNC(f),
		FSYNC(f),
		END
	};
	struct script *sc = script_spawn(s, "w", NULL, -1, 0, steps);
	sim_run(s);
	ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), 1);
	ck_assert_int_eq(sc->results[4], -WBSIM_EIO);
	ck_assert_int_eq(sc->results[5], 0);
	ck_assert_uint_eq(M(s, M_EIO_RETURNED), 1);
	g_free(sc);
	sim_free(s);
}
END_TEST

/*
 * page_mkwrite under stable pages: writeback write-protected the PTE, so a store to
 * the page while its write is in flight faults, and wait-on-writeback puts the fault
 * to sleep until the I/O ends.  The write is submitted at ~3 us and completes 100 us
 * later; the store comes 10 us after the submission.  Under unrestricted the same
 * store goes through at once and, on an integrity device, fails the write.
 */
static struct sim *store_under_writeback(const char *policy)
{
	struct sim_config c;
	test_config(&c);
	c.dev.integrity = true;
	struct sim *s = test_sim_new(&c, test_policy(policy));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct process *p = sim_process_new(s, "app");
	struct mapping *m = sim_mmap(s, p, f, 0, 1 << 20);
	struct step steps[] = {
		PWRITE(f, 0, 4096),                     /* cached without a read */
		STORE(m, 0, 64),                        /* write fault: the PTE is writable */
		SYNC_RANGE(f, 0, 4096, W_WRITE),        /* mkclean write-protects it */
		SLEEP(10 * US),
		STORE(m, 0, 64),                        /* faults on a page under writeback */
		END
	};
	struct script *sc = script_spawn(s, "w", p, -1, 0, steps);
	sim_run(s);
	g_free(sc);
	return s;
}

START_TEST(mmap_store_waits_on_writeback_under_stable_pages)
{
	struct sim *s = store_under_writeback("wait-on-writeback");
	ck_assert_uint_eq(M(s, M_FAULTS), 2);
	/* The fault slept from 10 us after the submission until the I/O ended, 100 us
	 * after it: 90 us (sync_file_range returns as it submits; were its return to
	 * lag the submission, a little less). */
	ck_assert_uint_gt(M(s, M_STALL_STABLE), 80 * US);
	ck_assert_uint_le(M(s, M_STALL_STABLE), 90 * US);
	ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), 0);
	ck_assert_uint_eq(M(s, M_REDUNDANT_WRITES), 0);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
	sim_free(s);
	s = store_under_writeback("unrestricted");
	ck_assert_uint_eq(M(s, M_FAULTS), 2);
	ck_assert_uint_eq(M(s, M_STALL_STABLE), 0);
	ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), 1);
	sim_free(s);
}
END_TEST

START_TEST(msync_syncs_mapping_range)
{
	struct sim_config c;
	test_config(&c);
	struct sim *s = test_sim_new(&c, test_policy("wait-on-writeback"));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct process *p = sim_process_new(s, "app");
	struct mapping *m = sim_mmap(s, p, f, 64 * 1024, 64 * 1024);
	struct step steps[] = { STORE(m, 0, 8192), MSYNC(m), LOAD(m, 0, 8192), END };
	struct script *sc = script_spawn(s, "w", p, -1, 0, steps);
	sim_run(s);
	ck_assert_int_eq(sc->results[1], 0);
	ck_assert_uint_eq(hist_count(sim_metrics(s)->lat[OPK_MSYNC]), 1);
	ck_assert_uint_eq(M(s, M_FSYNCS), 1);
	ck_assert_uint_eq(M(s, M_STALE_READS), 0);
	/* Both pages went out before msync returned, in one merged request. */
	ck_assert_uint_eq(M(s, M_DISK_REQUESTS), 1);
	ck_assert_uint_eq(M(s, M_DISK_WRITES), 2);
	g_free(sc);
	sim_free(s);
}
END_TEST

static struct sim *stream_writer(uint64_t memory, uint64_t pages)
{
	struct sim_config c;
	test_config(&c);
	c.wb.memory = memory;
	struct sim *s = test_sim_new(&c, test_policy("wait-on-writeback"));
	struct file *f = sim_file_new(s, "data", pages * 4096);
	struct step *steps = g_new0(struct step, 2);
	steps[0] = (struct step)PWRITE(f, 0, pages * 4096);
	steps[1] = (struct step)END;
	struct script *sc = script_spawn(s, "w", NULL, -1, 0, steps);
	sim_run(s);
	g_free(sc);
	g_free(steps);
	return s;
}

START_TEST(dirty_throttling)
{
	/* 1 MiB of memory: 256 pages, throttled above 51 dirty + writeback.  Writing
	 * 400 pages must wait for writeback; with 1 GiB it never does. */
	struct sim *s = stream_writer(1 << 20, 400);
	ck_assert_uint_gt(M(s, M_STALL_THROTTLE), 0);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
	/* Background writeback started above 25 dirty pages, long before the end. */
	ck_assert_uint_gt(M(s, M_DISK_WRITES), 300);
	sim_free(s);
	s = stream_writer(1ull << 30, 400);
	ck_assert_uint_eq(M(s, M_STALL_THROTTLE), 0);
	sim_free(s);
}
END_TEST

START_TEST(periodic_flusher_writes_expired_data)
{
	/* A page dirtied at t=0 is written by kupdate at the first wakeup after it is
	 * 30 s old: 30 s (wakeups every 5 s). */
	struct sim_config c;
	test_config(&c);
	struct sim *s = sim_new(&c, test_policy("wait-on-writeback"));
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	sim_set_trace(s, test_collect_line, lines);
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step steps[] = { PWRITE(f, 0, 4096), SLEEP(40ull * 1000 * MS), END };
	struct script *sc = script_spawn(s, "w", NULL, -1, 0, steps);
	sim_run(s);
	GPtrArray *issues = test_grep(lines, "block_rq_issue: W");
	ck_assert_uint_eq(issues->len, 1);
	ck_assert_ptr_nonnull(strstr(issues->pdata[0], " 30.000000"));
	ck_assert_ptr_nonnull(strstr(issues->pdata[0], "kworker") ||
			      strstr(issues->pdata[0], "<irq>") ? issues->pdata[0] : NULL);
	g_ptr_array_free(issues, TRUE);
	g_ptr_array_free(lines, TRUE);
	g_free(sc);
	sim_free(s);
}
END_TEST

START_TEST(write_cache_needs_flush)
{
	/* With a volatile cache, fsync must flush: the trace shows a FLUSH request,
	 * and the oracle sees the data durable when fsync returns. */
	struct sim_config c;
	test_config(&c);
	c.dev.write_cache = true;
	struct sim *s = sim_new(&c, test_policy("wait-on-writeback"));
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	sim_set_trace(s, test_collect_line, lines);
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step steps[] = { PWRITE(f, 0, 8192), FSYNC(f), END };
	struct script *sc = script_spawn(s, "w", NULL, -1, 0, steps);
	sim_run(s);
	GPtrArray *flushes = test_grep(lines, "block_rq_complete: FLUSH");
	ck_assert_uint_ge(flushes->len, 1);
	ck_assert_uint_eq(M(s, M_FSYNC_VIOLATIONS), 0);
	/* write (100 us) then flush (100 us) */
	ck_assert_uint_gt(hist_max(sim_metrics(s)->lat[OPK_FSYNC]), 200 * US);
	g_ptr_array_free(flushes, TRUE);
	g_ptr_array_free(lines, TRUE);
	g_free(sc);
	sim_free(s);
}
END_TEST

/* A random mixed workload; everything it reports must repeat exactly. */
static void random_run(uint64_t seed, uint64_t *out)
{
	struct sim_config c;
	sim_config_defaults(&c);
	c.seed = seed;
	c.dev.integrity = true;
	c.dev.scheduler = SCHED_REORDER;
	sim_config_finish(&c, false, false, false);
	struct sim *s = sim_new(&c, test_policy("unrestricted"));
	struct file *f = sim_file_new(s, "data", 4 << 20);
	struct process *p = sim_process_new(s, "app");
	struct mapping *m = sim_mmap(s, p, f, 0, 4 << 20);
	enum { N = 300 };
	struct step *steps = g_new0(struct step, 4 * (N + 1));
	struct script *sc[4];
	struct rng r;
	rng_init(&r, seed, "test");
	for (int k = 0; k < 4; k++) {
		struct step *st = &steps[k * (N + 1)];
		for (int i = 0; i < N; i++) {
			uint64_t off = rng_below(&r, 1024) * 4096;
			switch (rng_below(&r, 4)) {
			case 0: st[i] = (struct step)PWRITE(f, off, 4096); break;
			case 1: st[i] = (struct step)STORE(m, off, 100); break;
			case 2: st[i] = (struct step)SLEEP(rng_below(&r, 50000)); break;
			default: st[i] = rng_below(&r, 10) ? (struct step)PREAD(f, off, 4096)
							   : (struct step)FSYNC(f);
			}
		}
		st[N] = (struct step)END;
		sc[k] = script_spawn(s, k % 2 ? "odd" : "even", p, -1, 0, st);
	}
	sim_run(s);
	memcpy(out, sim_metrics(s)->c, sizeof(uint64_t) * M_NR_COUNTERS);
	out[M_NR_COUNTERS] = hist_percentile(sim_metrics(s)->lat[OPK_WRITE], 99);
	out[M_NR_COUNTERS + 1] = sim_events(s);
	for (int k = 0; k < 4; k++)
		g_free(sc[k]);
	g_free(steps);
	sim_free(s);
}

START_TEST(whole_run_is_deterministic)
{
	uint64_t a[M_NR_COUNTERS + 2], b[M_NR_COUNTERS + 2], c[M_NR_COUNTERS + 2];
	random_run(7, a);
	random_run(7, b);
	random_run(8, c);
	ck_assert_mem_eq(a, b, sizeof(a));
	ck_assert(memcmp(a, c, sizeof(a)) != 0);
	ck_assert_uint_gt(a[M_WRITES], 0);
	ck_assert_uint_gt(a[M_DISK_WRITES], 0);
}
END_TEST

/*
 * Regression: random writes with background writeback cycling through the file.
 * The flusher once went to sleep with its kick flag set after a round that found
 * everything under writeback, and once never wrapped its cyclic scan; both left the
 * writer throttled forever (reported as a deadlock at the 5 s timer).
 */
START_TEST(background_writeback_keeps_up_with_random_writes)
{
	struct sim_config c;
	sim_config_defaults(&c);
	c.wb.memory = 4 << 20;          /* 1024 pages: throttled above 204 */
	sim_config_finish(&c, false, false, false);
	struct sim *s = test_sim_new(&c, test_policy("unrestricted"));
	struct file *f = sim_file_new(s, "data", 4096 * 4096);
	enum { N = 3000 };
	struct step *st = g_new0(struct step, N + 1);
	struct rng r;
	rng_init(&r, 1, "bench");
	for (int i = 0; i < N; i++)
		st[i] = (struct step)PWRITE(f, rng_below(&r, 4096) * 4096, 4096);
	st[N] = (struct step)END;
	struct script *sc = script_spawn(s, "w", NULL, -1, 0, st);
	ck_assert_int_eq(sim_run(s), SIM_END_IDLE);
	ck_assert_int_eq(sc->pc, N);
	ck_assert_uint_lt(sim_time(s), 100 * MS);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
	g_free(sc);
	g_free(st);
	sim_free(s);
}
END_TEST

/*
 * Regression: a cache flush covers every write completed before it was issued, even
 * when another flush issued earlier is still in flight.  Two fsyncs at once each
 * send a flush; with jittered service times the second may complete first.  A model that let the first flush claim both writes made the second fsync
 * return while its page was still only in the volatile cache.
 */
START_TEST(concurrent_flushes_each_cover_earlier_writes)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct sim_config c;
		test_config(&c);
		c.dev.write_cache = true;
		c.dev.jitter = 0.5;
		c.seed = seed;
		struct sim *s = test_sim_new(&c, test_policy("wait-on-writeback"));
		struct file *f = sim_file_new(s, "data", 1 << 20);
		struct step a[] = { PWRITE(f, 0, 4096), SLEEP_UNTIL(300 * US), FSYNC(f), END };
		struct step b[] = { PWRITE(f, 4096, 4096), SLEEP_UNTIL(300 * US), FSYNC(f), END };
		struct script *x = script_spawn(s, "a", NULL, -1, 0, a);
		struct script *y = script_spawn(s, "b", NULL, -1, 0, b);
		sim_run(s);
		ck_assert_msg(M(s, M_FSYNC_VIOLATIONS) == 0, "seed %" G_GUINT64_FORMAT, seed);
		g_free(x);
		g_free(y);
		sim_free(s);
	}
}
END_TEST

/*
 * A cache flush makes durable the writes that completed before it was issued, not
 * those completing while it is in flight (device_flush_request records how far the
 * completions had got).  Writes take 100 us, the flush 100 us, no jitter:
 *   a: block 0 written 0-100 us, fsync's flush issued at ~100 us, done at ~200 us;
 *   b: a block of another file written from 50 us, completing at ~150 us, during
 *      a's flush (another file: a's fsync does not wait for it).
 * At 250 us a's block is durable and b's is still only in the volatile cache; the
 * final sync's own flush makes it durable.
 */
struct durable_probe {
	struct file *f[2];
	simtime_t at;
	uint64_t durable[2], disk[2];
	bool seen;
};

static void probe_durable(void *data, struct sim *s)
{
	struct durable_probe *pr = data;
	if (pr->seen || sim_now_ns(s) < pr->at)
		return;
	pr->seen = true;
	for (int i = 0; i < 2; i++) {
		pr->durable[i] = pr->f[i]->blocks[0].durable;
		pr->disk[i] = pr->f[i]->blocks[0].disk;
	}
}

START_TEST(flush_covers_only_writes_completed_before_it)
{
	struct sim_config c;
	test_config(&c);
	c.dev.write_cache = true;
	c.dev.flush_latency = 100 * US;
	struct sim *s = test_sim_new(&c, test_policy("wait-on-writeback"));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct file *g = sim_file_new(s, "other", 1 << 20);
	struct durable_probe pr = { .f = { f, g }, .at = 250 * US };
	sim_set_sampler(s, probe_durable, &pr);
	sim_set_timeline_interval(s, 10 * US);
	struct step a[] = { PWRITE(f, 0, 4096), FSYNC(f), END };
	struct step b[] = { SLEEP_UNTIL(50 * US), PWRITE(g, 0, 4096),
			    SYNC_RANGE(g, 0, 4096, W_WRITE), SLEEP_UNTIL(1000 * US), END };
	struct script *x = script_spawn(s, "a", NULL, -1, 0, a);
	struct script *y = script_spawn(s, "b", NULL, -1, 0, b);
	sim_run(s);
	ck_assert(pr.seen);
	/* The premise: both writes have landed by 250 us. */
	ck_assert_uint_ne(pr.disk[0], 0);
	ck_assert_uint_ne(pr.disk[1], 0);
	ck_assert_uint_eq(pr.durable[0], pr.disk[0]);
	ck_assert_uint_eq(pr.durable[1], 0);
	ck_assert_uint_eq(g->blocks[0].durable, pr.disk[1]);
	ck_assert_uint_eq(M(s, M_FSYNC_VIOLATIONS), 0);
	g_free(x);
	g_free(y);
	sim_free(s);
}
END_TEST

/*
 * A disk serves one request at a time, whatever queue_depth says: sim_config_finish
 * sets it to 1 for the hdd model.  Two direct writes issued together at t=0, seek and
 * rotation 0: the second is done one full service time after the first.
 */
START_TEST(disk_serves_one_request_at_a_time)
{
	struct sim_config c;
	sim_config_defaults(&c);
	c.dev.model = DEV_HDD;
	c.dev.jitter = 0;
	c.dev.seek = 0;
	c.dev.rotation = 0;
	c.dev.write_latency = 100 * US;
	c.dev.queue_depth = 8;
	c.cost = (struct cost_cfg){ 0 };
	sim_config_finish(&c, false, false, false);
	ck_assert_uint_eq(c.dev.queue_depth, 1);
	struct sim *s = test_sim_new(&c, test_policy("unrestricted"));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step a[] = { DIO_WRITE(f, 0, 4096), END };
	struct step b[] = { DIO_WRITE(f, 1 << 19, 4096), END };
	struct script *x = script_spawn(s, "a", NULL, -1, 0, a);
	struct script *y = script_spawn(s, "b", NULL, -1, 0, b);
	sim_run(s);
	simtime_t first = MIN(x->done_at[0], y->done_at[0]);
	simtime_t second = MAX(x->done_at[0], y->done_at[0]);
	/* Each takes 100 us plus 4 KiB at 200 MB/s (~20 us). */
	ck_assert_uint_ge(first, 100 * US);
	ck_assert_uint_lt(first, 150 * US);
	ck_assert_uint_ge(second, first + 100 * US);
	g_free(x);
	g_free(y);
	sim_free(s);
}
END_TEST

/*
 * A disk seeks only when a request does not start where the last one ended.  Seek
 * 1 ms, rotation 0, no jitter, no CPU costs; one task writes directly block 0 (the
 * head starts at sector 0), block 1 (right after it) and block 64 (away from it).
 * Only the third pays the seek: each request is 100 us plus 4 KiB at 200 MB/s.
 */
START_TEST(disk_seeks_only_when_the_head_moves)
{
	struct sim_config c;
	sim_config_defaults(&c);
	c.dev.model = DEV_HDD;
	c.dev.jitter = 0;
	c.dev.seek = 1000 * US;
	c.dev.rotation = 0;
	c.dev.write_latency = 100 * US;
	c.cost = (struct cost_cfg){ 0 };
	sim_config_finish(&c, false, false, false);
	struct sim *s = test_sim_new(&c, test_policy("unrestricted"));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	ck_assert_uint_eq(f->base_sector, 0);
	struct step a[] = { DIO_WRITE(f, 0, 4096), DIO_WRITE(f, 4096, 4096),
			    DIO_WRITE(f, 64 * 4096, 4096), END };
	struct script *x = script_spawn(s, "a", NULL, -1, 0, a);
	sim_run(s);
	ck_assert_uint_lt(x->done_at[0], 200 * US);
	ck_assert_uint_lt(x->done_at[1] - x->done_at[0], 200 * US);
	ck_assert_uint_ge(x->done_at[2] - x->done_at[1], 1000 * US);
	ck_assert_uint_lt(x->done_at[2] - x->done_at[1], 1200 * US);
	g_free(x);
	sim_free(s);
}
END_TEST

/*
 * fsync writes what was dirty when it started, not what was dirtied since: a page
 * written back by someone else after fsync tagged it loses its TOWRITE mark with its
 * dirty bit, and if it is dirtied again, the fsync (which only waits for that
 * writeback) does not write it.  Under unrestricted, writes take 100 us:
 *   0 us    page 0 written and sent, then dirtied again (under writeback);
 *   10 us   fsync tags pages 0 and 1 and waits for page 0's writeback (~100 us);
 *   20 us   sync_file_range writes page 1 (its writeback ends ~120 us);
 *   30 us   page 1 dirtied again;
 *   100 us  fsync writes page 0, finds page 1 no longer tagged, waits for its I/O.
 * The fsync task starts no write of page 1; the final sync writes it.
 */
START_TEST(fsync_skips_pages_redirtied_after_it_started)
{
	struct sim_config c;
	test_config(&c);
	struct sim *s = test_sim_new(&c, test_policy("unrestricted"));
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	sim_set_trace(s, test_collect_line, lines);
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step w[] = { PWRITE(f, 0, 4096), SYNC_RANGE(f, 0, 4096, W_WRITE), PWRITE(f, 0, 4096),
			    PWRITE(f, 4096, 4096), SLEEP_UNTIL(20 * US),
			    SYNC_RANGE(f, 4096, 4096, W_WRITE), SLEEP_UNTIL(30 * US),
			    PWRITE(f, 4096, 4096), END };
	struct step fs[] = { SLEEP_UNTIL(10 * US), FSYNC(f), END };
	struct script *x = script_spawn(s, "writer", NULL, -1, 0, w);
	struct script *y = script_spawn(s, "fsyncer", NULL, -1, 0, fs);
	sim_run(s);
	GPtrArray *starts = test_grep(lines, "writeback_start: ino=1 index=1");
	unsigned by_fsync = 0;
	for (guint i = 0; i < starts->len; i++)
		by_fsync += strstr(starts->pdata[i], "fsyncer") != NULL;
	/* Written by the writer's sync_file_range and by the final sync. */
	ck_assert_uint_eq(starts->len, 2);
	ck_assert_uint_eq(by_fsync, 0);
	/* The fsync returned after page 0's second write (~200 us). */
	ck_assert_uint_gt(y->done_at[1], 200 * US);
	ck_assert_uint_lt(y->done_at[1], 210 * US);
	g_ptr_array_free(starts, TRUE);
	g_ptr_array_free(lines, TRUE);
	g_free(x);
	g_free(y);
	sim_free(s);
}
END_TEST

/*
 * range_cyclic: a flusher pass over a file resumes where the previous one stopped,
 * not at the start.  A 12-page file, passes of 6 pages (chunk), a kupdate tick every
 * millisecond, data expired at once.  Tick 1 (1 ms) writes pages 0-5, the only dirty
 * ones: the next pass is to start at 6.  All 12 pages are dirtied at 1.5 ms; tick 2
 * writes 6-11 first, then wraps around to 0-5.
 */
START_TEST(flusher_resumes_where_its_last_pass_stopped)
{
	struct sim_config c;
	test_config(&c);
	c.wb.chunk = 6;
	c.wb.interval = 1000 * US;
	c.wb.expire = 0;
	struct sim *s = test_sim_new(&c, test_policy("wait-on-writeback"));
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	sim_set_trace(s, test_collect_line, lines);
	struct file *f = sim_file_new(s, "data", 12 * 4096);
	struct step w[] = { PWRITE(f, 0, 6 * 4096), SLEEP_UNTIL(1500 * US),
			    PWRITE(f, 0, 12 * 4096), SLEEP_UNTIL(3000 * US), END };
	struct script *x = script_spawn(s, "writer", NULL, -1, 0, w);
	sim_run(s);
	GPtrArray *starts = test_grep(lines, "writeback_start: ino=1 ");
	ck_assert_uint_eq(starts->len, 18);
	for (unsigned i = 0; i < 18; i++) {
		unsigned want = i < 6 ? i : i < 12 ? i : i - 12;        /* 0-5, 6-11, 0-5 */
		char needle[32];
		g_snprintf(needle, sizeof(needle), " index=%u", want);
		const char *l = starts->pdata[i];
		ck_assert_msg(g_str_has_suffix(l, needle) && strstr(l, "flush"), "%u: %s", i, l);
	}
	g_ptr_array_free(starts, TRUE);
	g_ptr_array_free(lines, TRUE);
	g_free(x);
	sim_free(s);
}
END_TEST

/*
 * A background pass writes at most `chunk` pages of a file, then the flusher moves on
 * to the next file: two files of 12 dirty pages, chunk 6, one kupdate tick.  The
 * writes go A 0-5, B 0-5, A 6-11, B 6-11.
 */
START_TEST(flusher_pass_writes_at_most_a_chunk_per_file)
{
	struct sim_config c;
	test_config(&c);
	c.wb.chunk = 6;
	c.wb.interval = 1000 * US;
	c.wb.expire = 0;
	struct sim *s = test_sim_new(&c, test_policy("wait-on-writeback"));
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	sim_set_trace(s, test_collect_line, lines);
	struct file *a = sim_file_new(s, "a", 12 * 4096);
	struct file *b = sim_file_new(s, "b", 12 * 4096);
	struct step w[] = { PWRITE(a, 0, 12 * 4096), PWRITE(b, 0, 12 * 4096),
			    SLEEP_UNTIL(3000 * US), END };
	struct script *x = script_spawn(s, "writer", NULL, -1, 0, w);
	sim_run(s);
	GPtrArray *starts = test_grep(lines, "writeback_start: ");
	ck_assert_uint_eq(starts->len, 24);
	for (unsigned i = 0; i < 24; i++) {
		char needle[48];
		g_snprintf(needle, sizeof(needle), "ino=%u index=%u", 1 + (i / 6) % 2, i % 6 + (i / 12) * 6);
		const char *l = starts->pdata[i];
		ck_assert_msg(g_str_has_suffix(l, needle) && strstr(l, "flush"), "%u: %s", i, l);
	}
	g_ptr_array_free(starts, TRUE);
	g_ptr_array_free(lines, TRUE);
	g_free(x);
	sim_free(s);
}
END_TEST

static Suite *model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("mechanics");
	tcase_add_test(tc, mkclean_write_protects_and_shoots_down);
	tcase_add_test(tc, pins_bypass_fault_path_and_stable_pages);
	tcase_add_test(tc, fsync_waits_for_running_writeback_and_rewrites);
	tcase_add_test(tc, fsync_reports_a_write_error_once);
	tcase_add_test(tc, mmap_store_waits_on_writeback_under_stable_pages);
	tcase_add_test(tc, msync_syncs_mapping_range);
	tcase_add_test(tc, dirty_throttling);
	tcase_add_test(tc, periodic_flusher_writes_expired_data);
	tcase_add_test(tc, write_cache_needs_flush);
	tcase_add_test(tc, whole_run_is_deterministic);
	tcase_add_test(tc, background_writeback_keeps_up_with_random_writes);
	tcase_add_test(tc, concurrent_flushes_each_cover_earlier_writes);
	tcase_add_test(tc, flush_covers_only_writes_completed_before_it);
	tcase_add_test(tc, disk_serves_one_request_at_a_time);
	tcase_add_test(tc, disk_seeks_only_when_the_head_moves);
	tcase_add_test(tc, fsync_skips_pages_redirtied_after_it_started);
	tcase_add_test(tc, flusher_resumes_where_its_last_pass_stopped);
	tcase_add_test(tc, flusher_pass_writes_at_most_a_chunk_per_file);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(model_suite)
