/*
 * Anonymous memory (Buffers), asynchronous direct I/O and FOLL_LONGTERM pins, in the
 * model: a store racing a direct write from a Buffer, reads into a Buffer, many
 * direct I/Os in flight from one task, their latency, and long-term pins refused or
 * granted by the policy.
 *
 * Timings (test_config): a request is served in 100 us, a write's data is read at
 * 50 us; a direct write is dispatched well under a microsecond after its call.
 */
#include "mm/mm.h"
#include "model_util.h"

#include <inttypes.h>

#define US 1000ull

static struct sim *sim_with(bool integrity, const char *policy, GPtrArray *lines)
{
	struct sim_config c;
	test_config(&c);
	c.dev.integrity = integrity;
	c.dev.stable_writes = integrity;
	struct sim *s = test_sim_new(&c, test_policy(policy));
	if (lines)
		sim_set_trace(s, test_collect_line, lines);
	return s;
}

/*
 * xfstests' dio-writeback-race with a malloc'd buffer: a direct write from a Buffer
 * and, from another thread of the process, a store into the Buffer at @store_at.
 */
struct race {
	struct sim *s;
	struct anon *buf;
	int result;             /* of the direct write */
	GPtrArray *lines;
};

static struct race buffer_race(bool integrity, const char *policy, simtime_t store_at)
{
	struct race r = { .lines = g_ptr_array_new_with_free_func(g_free) };
	r.s = sim_with(integrity, policy, r.lines);
	struct file *f = sim_file_new(r.s, "data", 1 << 20);
	struct process *p = sim_process_new(r.s, "app");
	r.buf = sim_alloc(r.s, p, 16384);
	struct step writer[] = { BUF_STORE(r.buf, 0, 4096), DIO_WRITE_BUF(f, 0, 4096, r.buf, 0), END };
	struct step other[] = { SLEEP_UNTIL(store_at), BUF_STORE(r.buf, 0, 100), END };
	struct script *a = script_spawn(r.s, "writer", p, -1, 0, writer);
	struct script *b = script_spawn(r.s, "scribbler", p, -1, 0, other);
	ck_assert_int_eq(sim_run(r.s), SIM_END_IDLE);
	r.result = a->results[1];
	g_free(a);
	g_free(b);
	return r;
}

static void race_free(struct race *r)
{
	g_ptr_array_free(r->lines, TRUE);
	sim_free(r->s);
}

START_TEST(store_into_buffer_under_dio_fails_the_checksum)
{
	struct race r = buffer_race(true, "unrestricted", 20 * US);
	ck_assert_uint_eq(M(r.s, M_CHECKSUM_ERRORS), 1);
	ck_assert_int_eq(r.result, -WBSIM_EIO);
	ck_assert_uint_eq(M(r.s, M_EIO_RETURNED), 1);
	ck_assert_uint_eq(M(r.s, M_DIO_WRITES), 1);
	/* Stable pages do not help: nothing asks the policy about anonymous memory. */
	race_free(&r);
	r = buffer_race(true, "wait-on-writeback", 20 * US);
	ck_assert_uint_eq(M(r.s, M_CHECKSUM_ERRORS), 1);
	race_free(&r);
}
END_TEST

START_TEST(store_after_the_dma_or_a_bounce_is_harmless)
{
	struct race r = buffer_race(true, "unrestricted", 80 * US);
	ck_assert_uint_eq(M(r.s, M_CHECKSUM_ERRORS), 0);
	ck_assert_int_eq(r.result, 0);
	race_free(&r);
	/* Bouncing copies the buffer at submission: the store changes only the user's. */
	r = buffer_race(true, "stable-if-required:dio=bounce", 20 * US);
	ck_assert_uint_eq(M(r.s, M_BOUNCES), 1);
	ck_assert_uint_eq(M(r.s, M_CHECKSUM_ERRORS), 0);
	ck_assert_int_eq(r.result, 0);
	race_free(&r);
}
END_TEST

/* Without integrity nothing fails: the device takes what the buffer held at DMA,
 * which is the store's version, not the one the write was submitted with. */
START_TEST(store_into_buffer_reaches_a_plain_device)
{
	struct race r = buffer_race(false, "unrestricted", 20 * US);
	ck_assert_uint_eq(M(r.s, M_CHECKSUM_ERRORS), 0);
	ck_assert_int_eq(r.result, 0);
	GPtrArray *changed = test_grep(r.lines, "dio_source_changed: ");
	ck_assert_uint_eq(changed->len, 1);
	uint64_t submitted = 0, dma = 0;
	ck_assert_int_eq(sscanf(strstr(changed->pdata[0], "submitted="), "submitted=%" SCNu64
				" dma=%" SCNu64, &submitted, &dma), 2);
	ck_assert_uint_lt(submitted, dma);
	ck_assert_uint_eq(dma, r.buf->pages[0].content);        /* the store's */
	g_ptr_array_free(changed, TRUE);
	race_free(&r);
	/* After the DMA: the device had the submitted bytes; nothing to say. */
	r = buffer_race(false, "unrestricted", 80 * US);
	changed = test_grep(r.lines, "dio_source_changed: ");
	ck_assert_uint_eq(changed->len, 0);
	g_ptr_array_free(changed, TRUE);
	race_free(&r);
}
END_TEST

/* A direct read into a Buffer gives its pages the blocks' content, the page of the
 * buffer at `at` getting the first block. */
START_TEST(dio_read_fills_the_buffer)
{
	for (int async = 0; async <= 1; async++) {
		struct sim *s = sim_with(false, "unrestricted", NULL);
		struct file *f = sim_file_new(s, "data", 1 << 20);
		struct process *p = sim_process_new(s, "app");
		struct anon *b = sim_alloc(s, p, 4 * 4096);
		struct step steps[] = {
			PWRITE(f, 8192, 8192),
			FSYNC(f),
			async ? (struct step)AIO_READ(f, 8192, 8192, b, 4096, 0)
			      : (struct step)DIO_READ_BUF(f, 8192, 8192, b, 4096),
			async ? (struct step)IO_WAIT(0) : (struct step)SLEEP(0),
			END
		};
		struct script *sc = script_spawn(s, "reader", p, -1, 0, steps);
		sim_run(s);
		struct file *ff = f;
		ck_assert_uint_ne(ff->blocks[2].disk, 0);
		ck_assert_uint_eq(b->pages[0].content, 0);
		ck_assert_uint_eq(b->pages[1].content, ff->blocks[2].disk);
		ck_assert_uint_eq(b->pages[2].content, ff->blocks[3].disk);
		ck_assert_uint_eq(b->pages[3].content, 0);
		ck_assert_uint_eq(M(s, M_STALE_READS), 0);
		ck_assert_uint_eq(hist_count(sim_metrics(s)->lat[OPK_READ]), 1);
		g_free(sc);
		sim_free(s);
	}
}
END_TEST

/*
 * Queue depth > 1 from one task: eight asynchronous 4 KiB direct writes go out
 * together and complete together, ~100 us after the first call; done synchronously
 * the same eight take eight service times.
 */
static struct sim *eight_writes(bool async, simtime_t *done)
{
	struct sim *s = sim_with(false, "unrestricted", NULL);
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step steps[17];
	int n = 0;
	for (int i = 0; i < 8; i++)
		steps[n++] = async ? (struct step)AIO_WRITE(f, (uint64_t)i * 4096, 4096, NULL, 0, i)
				   : (struct step)DIO_WRITE(f, (uint64_t)i * 4096, 4096);
	for (int i = 0; async && i < 8; i++)
		steps[n++] = (struct step)IO_WAIT(i);
	steps[n] = (struct step)END;
	struct script *sc = script_spawn(s, "fio", NULL, -1, 0, steps);
	sim_run(s);
	*done = sc->done_at[n - 1];
	for (int i = 0; async && i < 8; i++)
		ck_assert_int_eq(sc->results[8 + i], 0);
	g_free(sc);
	return s;
}

START_TEST(async_dio_keeps_many_in_flight)
{
	simtime_t done_async, done_sync;
	struct sim *a = eight_writes(true, &done_async);
	struct sim *b = eight_writes(false, &done_sync);
	ck_assert_uint_eq(M(a, M_DIO_WRITES), 8);
	ck_assert_uint_eq(hist_count(sim_metrics(a)->lat[OPK_DIO_WRITE]), 8);
	ck_assert_uint_eq(M(a, M_DISK_WRITES), 8);
	/* Eight submissions, each a syscall and a request's CPU cost (0.3 + 4 us by
	 * default), then one service time for the last: the first seven complete while
	 * later ones are being submitted ... */
	const struct cost_cfg *c = &sim_config(a)->cost;
	simtime_t submit = 8 * (c->syscall + c->dio_request);
	ck_assert_uint_ge(done_async, submit + 100 * US);
	ck_assert_uint_lt(done_async, submit + 110 * US);
	/* ... against eight service times. */
	ck_assert_uint_ge(done_sync, 800 * US);
	/* Each is timed from its call to its completion: about one service time. */
	ck_assert_uint_ge(hist_max(sim_metrics(a)->lat[OPK_DIO_WRITE]), 99 * US);
	ck_assert_uint_lt(hist_max(sim_metrics(a)->lat[OPK_DIO_WRITE]), 110 * US);
	sim_free(a);
	sim_free(b);
}
END_TEST

/* The latency of an asynchronous I/O ends at its completion, not when somebody gets
 * round to waiting for it; and io:wait on a finished I/O returns at once. */
START_TEST(async_latency_ends_at_completion)
{
	struct sim *s = sim_with(false, "unrestricted", NULL);
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step steps[] = { AIO_WRITE(f, 0, 4096, NULL, 0, 0), SLEEP(1000 * US), IO_WAIT(0), END };
	struct script *sc = script_spawn(s, "lazy", NULL, -1, 0, steps);
	sim_run(s);
	ck_assert_uint_eq(hist_count(sim_metrics(s)->lat[OPK_DIO_WRITE]), 1);
	ck_assert_uint_lt(hist_max(sim_metrics(s)->lat[OPK_DIO_WRITE]), 110 * US);
	ck_assert_uint_eq(sc->done_at[2], sc->done_at[1]);
	ck_assert_int_eq(sc->results[2], 0);
	g_free(sc);
	sim_free(s);
}
END_TEST

/*
 * The completion of an asynchronous direct write drops the cached pages of its range,
 * as the synchronous call does after waiting: a page read back into the cache while
 * the write was at the device (reads take 20 us, the write 100 us) holds the old
 * content, and a read after the completion must not be served from it.
 *   0 us    page 0 written (buffered) and fsynced: cached, done at ~100 us;
 *   200 us  asynchronous direct write of page 0 (the page is dropped), lands ~300 us;
 *   220 us  buffered read of page 0: from the disk, old content, cached at ~240 us;
 *   400 us  buffered read of page 0: the cached copy is gone, the new content read.
 */
START_TEST(async_write_completion_invalidates_the_cache)
{
	struct sim_config c;
	test_config(&c);
	c.dev.read_latency = 20 * US;
	struct sim *s = test_sim_new(&c, test_policy("unrestricted"));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step w[] = { PWRITE(f, 0, 4096), FSYNC(f), SLEEP_UNTIL(200 * US),
			    AIO_WRITE(f, 0, 4096, NULL, 0, 0), SLEEP_UNTIL(1000 * US), IO_WAIT(0),
			    END };
	struct step r[] = { SLEEP_UNTIL(220 * US), PREAD(f, 0, 4096), SLEEP_UNTIL(400 * US),
			    PREAD(f, 0, 4096), END };
	struct script *x = script_spawn(s, "writer", NULL, -1, 0, w);
	struct script *y = script_spawn(s, "reader", NULL, -1, 0, r);
	sim_run(s);
	/* The premise: the first read went to the device and ended before the write. */
	ck_assert_uint_gt(y->done_at[1], 240 * US);
	ck_assert_uint_lt(y->done_at[1], 260 * US);
	ck_assert_uint_eq(M(s, M_STALE_READS), 0);
	ck_assert_uint_eq(M(s, M_STALE_CACHE_PAGES), 0);
	g_free(x);
	g_free(y);
	sim_free(s);
}
END_TEST

/* An asynchronous write rejected by the device: io:wait says EIO, and that is when
 * the program hears of it (eio_returned counts the wait). */
START_TEST(async_write_rejected_reports_eio_at_wait)
{
	for (int store = 0; store <= 1; store++) {
		struct sim *s = sim_with(true, "unrestricted", NULL);
		struct file *f = sim_file_new(s, "data", 1 << 20);
		struct process *p = sim_process_new(s, "app");
		struct anon *b = sim_alloc(s, p, 4096);
		struct step steps[] = {
			AIO_WRITE(f, 0, 4096, b, 0, 0),
			SLEEP(20 * US),
			store ? (struct step)BUF_STORE(b, 0, 8) : (struct step)BUF_LOAD(b, 0, 8),
			IO_WAIT(0),
			END
		};
		struct script *sc = script_spawn(s, "w", p, -1, 0, steps);
		sim_run(s);
		ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), store);
		ck_assert_int_eq(sc->results[0], 0);            /* the submission itself */
		ck_assert_int_eq(sc->results[3], store ? -WBSIM_EIO : 0);
		ck_assert_uint_eq(M(s, M_EIO_RETURNED), store);
		g_free(sc);
		sim_free(s);
	}
}
END_TEST

/* Nobody waits for it: the device still rejects it, but no call returned EIO to the
 * program (the kernel target counts the same way: test_kexec_buf). */
START_TEST(async_write_rejected_and_never_waited_returns_nothing)
{
	struct sim *s = sim_with(true, "unrestricted", NULL);
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct process *p = sim_process_new(s, "app");
	struct anon *b = sim_alloc(s, p, 4096);
	struct step steps[] = {
		AIO_WRITE(f, 0, 4096, b, 0, 0),
		SLEEP(20 * US),
		BUF_STORE(b, 0, 8),
		SLEEP(1000 * US),
		END
	};
	struct script *sc = script_spawn(s, "w", p, -1, 0, steps);
	sim_run(s);
	ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), 1);
	ck_assert_uint_eq(M(s, M_EIO_RETURNED), 0);
	g_free(sc);
	sim_free(s);
}
END_TEST

/* ---- FOLL_LONGTERM ---------------------------------------------------------------- */

START_TEST(longterm_pin_of_a_file_mapping_is_refused)
{
	const char *policies[] = { "unrestricted", "wait-on-writeback", "page-fork",
				   "stable-if-required" };
	for (size_t k = 0; k < G_N_ELEMENTS(policies); k++) {
		GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
		struct sim *s = sim_with(false, policies[k], lines);
		struct file *f = sim_file_new(s, "data", 1 << 20);
		struct process *p = sim_process_new(s, "app");
		struct mapping *m = sim_mmap(s, p, f, 0, 1 << 20);
		struct step steps[] = { PIN_LONGTERM(m, 0, 8192, 0), PIN(m, 0, 8192, 1), END };
		struct script *sc = script_spawn(s, "rdma", p, -1, 0, steps);
		sim_run(s);
		ck_assert_int_eq(sc->results[0], -WBSIM_EFAULT);
		ck_assert_ptr_null(sc->pins[0]);
		/* Refused before GUP touched anything: no fault, no page. */
		GPtrArray *refused = test_grep(lines, "pin_user_pages_refused: ");
		ck_assert_uint_eq(refused->len, 1);
		/* An ordinary pin still works. */
		ck_assert_int_eq(sc->results[1], 0);
		ck_assert_ptr_nonnull(sc->pins[1]);
		ck_assert_uint_eq(M(s, M_FAULTS), 2);
		g_ptr_array_free(refused, TRUE);
		g_ptr_array_free(lines, TRUE);
		g_free(sc);
		sim_free(s);
	}
}
END_TEST

/*
 * A policy that grants long-term pins and otherwise does nothing about them (the
 * pages go to the device as they are): what the core adds for such pins is what
 * makes them safe.  The pin holder writes page 0 during each writeback's DMA window
 * and between fsyncs, as an RDMA adapter would.
 */
static enum modify_action lt_modify(void *priv, struct sim *s, const struct page *p,
				    enum modify_source src)
{
	(void)priv; (void)s; (void)p; (void)src;
	return MODIFY_PROCEED;
}

static bool lt_grant(void *priv, struct sim *s)
{
	(void)priv; (void)s;
	return true;
}

static const struct wb_policy_ops grant_ops = {
	.name = "test-longterm", .description = "grants long-term pins",
	.page_modify = lt_modify, .longterm_pin = lt_grant,
};

static struct sim *longterm_story(struct policy *pol, int *pin_result)
{
	struct sim_config c;
	test_config(&c);
	c.dev.integrity = true;
	struct sim *s = test_sim_new(&c, pol);
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct process *p = sim_process_new(s, "app");
	struct mapping *m = sim_mmap(s, p, f, 0, 1 << 20);
	struct step holder[] = {
		PWRITE(f, 0, 4096),                     /* cached (and dirty) without a read */
		PIN_LONGTERM(m, 0, 4096, 0),
		SLEEP_UNTIL(20 * US),
		PIN_WRITE(0, 0, 100),                   /* inside the first write's DMA window */
		SLEEP_UNTIL(200 * US),
		PIN_WRITE(0, 100, 100),                 /* after it: nothing re-dirties the page */
		SLEEP_UNTIL(2000 * US),
		PIN_RELEASE(0),
		END
	};
	struct step syncer[] = { SLEEP_UNTIL(10 * US), FSYNC(f), SLEEP_UNTIL(300 * US), FSYNC(f), END };
	struct script *a = script_spawn(s, "rdma", p, -1, 0, holder);
	struct script *b = script_spawn(s, "syncer", NULL, -1, 0, syncer);
	sim_run(s);
	*pin_result = a->results[1];
	ck_assert_int_eq(b->results[1], 0);
	ck_assert_int_eq(b->results[3], 0);
	g_free(a);
	g_free(b);
	return s;
}

START_TEST(granted_longterm_pin_is_written_from_a_snapshot_and_kept_dirty)
{
	GError *err = NULL;
	struct policy *pol = policy_new_from_ops(&grant_ops, NULL, &err);
	ck_assert_ptr_nonnull(pol);
	int res;
	struct sim *s = longterm_story(pol, &res);
	ck_assert_int_eq(res, 0);
	/* Snapshots: the pin write inside the DMA window does not fail the guard. */
	ck_assert_uint_gt(M(s, M_BOUNCES), 0);
	ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), 0);
	/* Kept dirty: the second fsync writes the pin holder's later bytes. */
	ck_assert_uint_eq(M(s, M_FSYNC_VIOLATIONS), 0);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
	ck_assert_uint_eq(M(s, M_LOST_AT_END), 0);
	sim_free(s);
	/* bounce grants them too, and says so. */
	s = longterm_story(test_policy("bounce"), &res);
	ck_assert_int_eq(res, 0);
	ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), 0);
	ck_assert_uint_eq(M(s, M_FSYNC_VIOLATIONS), 0);
	sim_free(s);
}
END_TEST

/* The same holder with an ordinary pin under a policy that does nothing: the guard
 * fails and the second fsync misses the later bytes, which is why the kernel refuses
 * long-term pins of file pages. */
START_TEST(ordinary_pin_shows_why_longterm_is_refused)
{
	struct sim_config c;
	test_config(&c);
	c.dev.integrity = true;
	struct sim *s = test_sim_new(&c, test_policy("unrestricted"));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct process *p = sim_process_new(s, "app");
	struct mapping *m = sim_mmap(s, p, f, 0, 1 << 20);
	struct step holder[] = {
		PWRITE(f, 0, 4096), PIN(m, 0, 4096, 0), SLEEP_UNTIL(20 * US), PIN_WRITE(0, 0, 100),
		SLEEP_UNTIL(200 * US), PIN_WRITE(0, 100, 100), SLEEP_UNTIL(2000 * US),
		PIN_RELEASE(0), END
	};
	struct step syncer[] = { SLEEP_UNTIL(10 * US), FSYNC(f), SLEEP_UNTIL(300 * US), FSYNC(f), END };
	struct script *a = script_spawn(s, "rdma", p, -1, 0, holder);
	struct script *b = script_spawn(s, "syncer", NULL, -1, 0, syncer);
	sim_run(s);
	ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), 1);
	ck_assert_uint_ge(M(s, M_FSYNC_VIOLATIONS), 1);
	g_free(a);
	g_free(b);
	sim_free(s);
}
END_TEST

static Suite *anon_suite(void)
{
	Suite *s = suite_create("anon_aio");
	TCase *tc = tcase_create("v2");
	tcase_add_test(tc, store_into_buffer_under_dio_fails_the_checksum);
	tcase_add_test(tc, store_after_the_dma_or_a_bounce_is_harmless);
	tcase_add_test(tc, store_into_buffer_reaches_a_plain_device);
	tcase_add_test(tc, dio_read_fills_the_buffer);
	tcase_add_test(tc, async_dio_keeps_many_in_flight);
	tcase_add_test(tc, async_latency_ends_at_completion);
	tcase_add_test(tc, async_write_completion_invalidates_the_cache);
	tcase_add_test(tc, async_write_rejected_reports_eio_at_wait);
	tcase_add_test(tc, async_write_rejected_and_never_waited_returns_nothing);
	tcase_add_test(tc, longterm_pin_of_a_file_mapping_is_refused);
	tcase_add_test(tc, granted_longterm_pin_is_written_from_a_snapshot_and_kept_dirty);
	tcase_add_test(tc, ordinary_pin_shows_why_longterm_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(anon_suite)
