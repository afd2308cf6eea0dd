/*
 * Each policy and each option: its defining behaviour and its hazard, on the real
 * modules loaded from the build's policy directory.
 */
#include "model_util.h"

#define US 1000ull

START_TEST(registry_and_specs)
{
	GError *err = NULL;
	GPtrArray *r = policy_registry(&err);
	ck_assert_msg(r != NULL, "%s", err ? err->message : "");
	const char *want[] = { "bounce", "page-fork", "stable-if-required", "unrestricted",
			       "wait-on-writeback" };
	ck_assert_uint_eq(r->len, G_N_ELEMENTS(want));
	for (guint i = 0; i < r->len; i++)
		ck_assert_str_eq(((const struct wb_policy_ops *)r->pdata[i])->name, want[i]);

	struct policy *p = policy_new("page-fork:pins=ignore,refork=allow", &err);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->spec, "page-fork:pins=ignore,refork=allow");
	policy_free(p);
	/* Defaults spelled out name the same run as no options at all. */
	p = policy_new("page-fork:pins=wait,sync=track", &err);
	ck_assert_str_eq(p->spec, "page-fork");
	policy_free(p);

	struct { const char *spec, *msg; } bad[] = {
		{ "no-such", "unknown policy \"no-such\"; the policies are: bounce, page-fork" },
		{ "page-fork:colour=red", "has no option \"colour\"; its options are: pins=wait|ignore" },
		{ "page-fork:pins=maybe", "bad value \"maybe\" for pins; accepted: wait|ignore" },
		{ "page-fork:pins", "needs a value" },
		{ "unrestricted:x=1", "its options are: none" },
		{ "", "empty policy spec" },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_clear_error(&err);
		ck_assert_ptr_null(policy_new(bad[i].spec, &err));
		ck_assert_msg(err && strstr(err->message, bad[i].msg), "%s: got \"%s\"", bad[i].spec,
			      err ? err->message : "no error");
	}
	g_clear_error(&err);
}
END_TEST

START_TEST(unrestricted_redundant_and_checksum_errors)
{
	struct sim *s = rewrite_under_io("unrestricted", true, true, NULL);
	ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), 1);
	ck_assert_uint_eq(M(s, M_STALL_STABLE), 0);
	sim_free(s);
	s = rewrite_under_io("unrestricted", false, false, NULL);
	ck_assert_uint_eq(M(s, M_REDUNDANT_WRITES), 1);
	sim_free(s);
}
END_TEST

START_TEST(wait_on_writeback_stalls_and_is_clean)
{
	struct sim *s = rewrite_under_io("wait-on-writeback", true, true, NULL);
	ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), 0);
	ck_assert_uint_eq(M(s, M_REDUNDANT_WRITES), 0);
	ck_assert_uint_gt(M(s, M_STALL_STABLE), 0);
	sim_free(s);
	/* ...and waits even where the device would not need it. */
	s = rewrite_under_io("wait-on-writeback", false, false, NULL);
	ck_assert_uint_gt(M(s, M_STALL_STABLE), 0);
	sim_free(s);
}
END_TEST

START_TEST(stable_if_required_waits_only_when_required)
{
	struct sim *s = rewrite_under_io("stable-if-required", true, true, NULL);
	ck_assert_uint_gt(M(s, M_STALL_STABLE), 0);
	ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), 0);
	sim_free(s);
	s = rewrite_under_io("stable-if-required", false, false, NULL);
	ck_assert_uint_eq(M(s, M_STALL_STABLE), 0);
	ck_assert_uint_eq(M(s, M_REDUNDANT_WRITES), 1);      /* the price of not waiting */
	sim_free(s);
}
END_TEST

START_TEST(page_fork_default_forks_instead_of_waiting)
{
	struct sim *s = rewrite_under_io("page-fork", true, true, NULL);
	ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), 0);
	ck_assert_uint_eq(M(s, M_STALL_STABLE), 0);
	ck_assert_uint_eq(M(s, M_REDUNDANT_WRITES), 0);
	ck_assert_uint_eq(M(s, M_FORKS), 1);
	ck_assert_uint_eq(M(s, M_FORKED_PAGES_PEAK), 1);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
	ck_assert_uint_eq(M(s, M_FSYNC_VIOLATIONS), 0);
	/* One page copy: cpu.copy holds two write(2) copies and the fork's. */
	ck_assert_uint_eq(M(s, M_CPU_COPY), 3 * sim_config(s)->cost.copy_page);
	sim_free(s);
}
END_TEST

START_TEST(page_fork_repoints_ptes)
{
	/* Two processes map the file; writeback write-protects both PTEs; a store by
	 * process A forks the page: both PTEs move to the copy (A's writable, B's
	 * read-only), with a shootdown of each process's other CPUs. */
	struct sim_config c;
	test_config(&c);
	struct sim *s = test_sim_new(&c, test_policy("page-fork"));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct process *pa = sim_process_new(s, "a"), *pb = sim_process_new(s, "b");
	struct mapping *ma = sim_mmap(s, pa, f, 0, 1 << 20), *mb = sim_mmap(s, pb, f, 0, 1 << 20);
	struct step a1[] = {
		STORE(ma, 0, 64),
		SLEEP_UNTIL(200 * US),          /* b has stored too */
		SYNC_RANGE(f, 0, 4096, W_WRITE),
		SLEEP(10 * US),
		STORE(ma, 0, 64),               /* under writeback: fork */
		SLEEP_UNTIL(300 * US),
		LOAD(ma, 0, 64),
		END
	};
	struct step a2[] = { SLEEP(1000 * US), END };
	struct step b1[] = {
		SLEEP_UNTIL(150 * US), STORE(mb, 0, 64),
		SLEEP_UNTIL(250 * US), STORE(mb, 64, 64),   /* read-only after the fork */
		LOAD(mb, 0, 64), END
	};
	struct step b2[] = { SLEEP(1000 * US), END };
	struct script *x1 = script_spawn(s, "a1", pa, 1, 0, a1);
	struct script *x2 = script_spawn(s, "a2", pa, 2, 0, a2);
	struct script *y1 = script_spawn(s, "b1", pb, 3, 0, b1);
	struct script *y2 = script_spawn(s, "b2", pb, 4, 0, b2);
	sim_run(s);
	ck_assert_uint_eq(M(s, M_FORKS), 1);
	/* mkclean: 2 PTEs; fork: 2 PTEs; final sync's mkclean: 2 PTEs. */
	ck_assert_uint_eq(M(s, M_PTE_UPDATES), 6);
	/* mkclean by a1 (cpu 1): a's cpu 2, b's cpus 3 and 4 = 3; fork by a1: 3;
	 * final sync (its own CPU): all 4 CPUs = 4. */
	ck_assert_uint_eq(M(s, M_TLB_SHOOTDOWNS), 3 + 3 + 4);
	/* Faults: a store, b store, a store (fork), b store (read-only copy). */
	ck_assert_uint_eq(M(s, M_FAULTS), 4);
	ck_assert_uint_eq(M(s, M_STALE_READS), 0);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
	g_free(x1); g_free(x2); g_free(y1); g_free(y2);
	sim_free(s);
}
END_TEST

/* A pinned page under writeback is rewritten; the pin holder writes afterwards. */
static struct sim *pin_story(const char *policy, bool integrity)
{
	struct sim_config c;
	test_config(&c);
	c.dev.integrity = integrity;
	c.dev.stable_writes = integrity;
	struct sim *s = test_sim_new(&c, test_policy(policy));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct process *p = sim_process_new(s, "app");
	struct mapping *m = sim_mmap(s, p, f, 0, 1 << 20);
	struct step *holder = g_new0(struct step, 10), *writer = g_new0(struct step, 3);
	holder[0] = (struct step)PWRITE(f, 0, 4096);
	holder[1] = (struct step)PIN(m, 0, 4096, 0);
	holder[2] = (struct step)SYNC_RANGE(f, 0, 4096, W_WRITE);
	holder[3] = (struct step)SLEEP(10 * US);
	holder[4] = (struct step)PIN_WRITE(0, 0, 4096);     /* before the DMA */
	holder[5] = (struct step)SLEEP_UNTIL(300 * US);
	holder[6] = (struct step)PIN_WRITE(0, 0, 4096);     /* after the writer */
	holder[7] = (struct step)PIN_RELEASE(0);
	holder[8] = (struct step)END;
	writer[0] = (struct step)SLEEP_UNTIL(30 * US);
	writer[1] = (struct step)PWRITE(f, 0, 4096);
	writer[2] = (struct step)END;
	struct script *a = script_spawn(s, "holder", p, -1, 0, holder);
	struct script *b = script_spawn(s, "writer", p, -1, 0, writer);
	sim_run(s);
	g_free(a); g_free(b); g_free(holder); g_free(writer);
	return s;
}

START_TEST(wait_on_writeback_checksum_errors_through_pins)
{
	struct sim *s = pin_story("wait-on-writeback", true);
	ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), 1);
	ck_assert_uint_gt(M(s, M_STALL_STABLE), 0);         /* the writer did wait */
	sim_free(s);
}
END_TEST

START_TEST(page_fork_pins_ignore_loses_writes)
{
	struct sim *s = pin_story("page-fork:pins=ignore", false);
	ck_assert_uint_eq(M(s, M_FORKS), 1);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 1);
	ck_assert_uint_eq(M(s, M_STALL_PIN), 0);
	sim_free(s);
}
END_TEST

START_TEST(page_fork_pins_wait_stalls)
{
	struct sim *s = pin_story("page-fork", false);
	ck_assert_uint_eq(M(s, M_FORKS), 0);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
	ck_assert_uint_gt(M(s, M_STALL_PIN), 50 * US);
	sim_free(s);
}
END_TEST

/*
 * page-fork pins=wait: the writer sleeps while the pin lasts, and the unpin wakes it
 * (unpin_user_pages wakes those waiting on the page), not the end of the writeback.
 * The write request takes 1 ms; the pin goes at 100 us: the writer, waiting since
 * 30 us, forks the page then (it is no longer pinned, still under writeback) and is
 * done long before the I/O.
 */
START_TEST(page_fork_unpin_wakes_the_waiting_writer)
{
	struct sim_config c;
	test_config(&c);
	c.dev.write_latency = 1000 * US;
	struct sim *s = test_sim_new(&c, test_policy("page-fork"));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct process *p = sim_process_new(s, "app");
	struct mapping *m = sim_mmap(s, p, f, 0, 1 << 20);
	struct step holder[] = { PWRITE(f, 0, 4096), PIN(m, 0, 4096, 0),
				 SYNC_RANGE(f, 0, 4096, W_WRITE), SLEEP_UNTIL(100 * US),
				 PIN_RELEASE(0), END };
	struct step writer[] = { SLEEP_UNTIL(30 * US), PWRITE(f, 0, 4096), END };
	struct script *a = script_spawn(s, "holder", p, -1, 0, holder);
	struct script *b = script_spawn(s, "writer", p, -1, 0, writer);
	sim_run(s);
	ck_assert_uint_eq(M(s, M_FORKS), 1);
	ck_assert_uint_ge(b->done_at[1], 100 * US);
	ck_assert_uint_lt(b->done_at[1], 150 * US);
	ck_assert_uint_gt(M(s, M_STALL_PIN), 60 * US);
	ck_assert_uint_lt(M(s, M_STALL_PIN), 80 * US);
	g_free(a);
	g_free(b);
	sim_free(s);
}
END_TEST

START_TEST(bounce_never_fails_even_through_pins)
{
	struct sim *s = pin_story("bounce", true);
	ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), 0);
	ck_assert_uint_gt(M(s, M_BOUNCES), 0);
	ck_assert_uint_ge(M(s, M_BOUNCE_PAGES_PEAK), 1);
	ck_assert_uint_eq(M(s, M_STALL_STABLE), 0);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
	sim_free(s);
	s = rewrite_under_io("bounce", true, true, NULL);
	ck_assert_uint_eq(M(s, M_CHECKSUM_ERRORS), 0);
	ck_assert_uint_eq(M(s, M_STALL_STABLE), 0);
	ck_assert_uint_eq(M(s, M_BOUNCES), 2);
	/* Two write(2) copies and two bounce copies. */
	ck_assert_uint_eq(M(s, M_CPU_COPY), 4 * sim_config(s)->cost.copy_page);
	sim_free(s);
}
END_TEST

/* Hot pages rewritten and pushed out again and again on a device that reorders. */
static struct sim *hot_pages(const char *policy)
{
	struct sim_config c;
	sim_config_defaults(&c);
	c.dev.scheduler = SCHED_REORDER;
	c.dev.queue_depth = 2;
	c.seed = 5;
	sim_config_finish(&c, false, false, false);
	struct sim *s = test_sim_new(&c, test_policy(policy));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	enum { N = 400 };
	struct step *st = g_new0(struct step, 3 * N + 1);
	for (int i = 0; i < N; i++) {
		st[3 * i] = (struct step)PWRITE(f, (uint64_t)(i % 8) * 4096, 4096);
		st[3 * i + 1] = (struct step)SYNC_RANGE(f, 0, 8 * 4096, W_WRITE);
		st[3 * i + 2] = (struct step)SLEEP(2 * US);
	}
	st[3 * N] = (struct step)END;
	struct script *sc = script_spawn(s, "hot", NULL, -1, 0, st);
	sim_run(s);
	g_free(sc);
	g_free(st);
	return s;
}

START_TEST(page_fork_refork_allow_reorders)
{
	struct sim *s = hot_pages("page-fork:refork=allow");
	ck_assert_uint_gt(M(s, M_FORKS), 0);
	ck_assert_uint_gt(M(s, M_STALE_OVERWRITES), 0);
	sim_free(s);
	s = hot_pages("page-fork");
	ck_assert_uint_gt(M(s, M_FORKS), 0);
	ck_assert_uint_eq(M(s, M_STALE_OVERWRITES), 0);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
	sim_free(s);
}
END_TEST

/* fsync submits page 0; a fork happens before fsync looks for pages under
 * writeback (see test_oracle.c for the window). */
static struct sim *fsync_fork(const char *policy)
{
	struct sim_config c;
	test_config(&c);
	struct sim *s = test_sim_new(&c, test_policy(policy));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step *a = g_new0(struct step, 3), *b = g_new0(struct step, 3);
	a[0] = (struct step)PWRITE(f, 0, 4096);
	a[1] = (struct step)FSYNC(f);
	a[2] = (struct step)END;
	b[0] = (struct step)SLEEP_UNTIL(1000);
	b[1] = (struct step)PWRITE(f, 0, 4096);
	b[2] = (struct step)END;
	struct script *x = script_spawn(s, "syncer", NULL, -1, 0, a);
	struct script *y = script_spawn(s, "writer", NULL, -1, 0, b);
	sim_run(s);
	g_free(x); g_free(y); g_free(a); g_free(b);
	return s;
}

/*
 * Regression: fsync of pages 0 and 2 (two requests); page 0 is forked while fsync is
 * still submitting.  fsync's wait moves its cursor past block 0 to wait for page 2;
 * with jittered service times page 2 can complete before the old copy of page 0.
 * fsync once looked for forked copies only from its cursor on, so it missed block 0.
 */
START_TEST(page_fork_track_waits_for_copies_behind_the_cursor)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct sim_config c;
		test_config(&c);
		c.dev.jitter = 0.5;
		c.seed = seed;
		struct sim *s = test_sim_new(&c, test_policy("page-fork"));
		struct file *f = sim_file_new(s, "data", 1 << 20);
		struct step a[] = { PWRITE(f, 0, 4096), PWRITE(f, 8192, 4096), FSYNC(f), END };
		struct step b[] = { SLEEP_UNTIL(1800), PWRITE(f, 0, 4096), END };
		struct script *x = script_spawn(s, "syncer", NULL, -1, 0, a);
		struct script *y = script_spawn(s, "writer", NULL, -1, 0, b);
		sim_run(s);
		ck_assert_uint_eq(M(s, M_FORKS), 1);
		ck_assert_msg(M(s, M_FSYNC_VIOLATIONS) == 0, "seed %" G_GUINT64_FORMAT, seed);
		g_free(x);
		g_free(y);
		sim_free(s);
	}
}
END_TEST

START_TEST(page_fork_sync_naive_violates_fsync)
{
	struct sim *s = fsync_fork("page-fork:sync=naive");
	ck_assert_uint_eq(M(s, M_FORKS), 1);
	ck_assert_uint_eq(M(s, M_FSYNC_VIOLATIONS), 1);
	sim_free(s);
	s = fsync_fork("page-fork");
	ck_assert_uint_eq(M(s, M_FORKS), 1);
	ck_assert_uint_eq(M(s, M_FSYNC_VIOLATIONS), 0);
	sim_free(s);
}
END_TEST

/*
 * Page 0 is in flight inside a long 512 KiB request; it is forked; a direct write to
 * block 0 follows.  Its flush writes the new copy; if nothing waits for the old one,
 * the old copy lands after the direct write and the direct write's data is lost.
 */
static struct sim *dio_after_fork(const char *policy)
{
	struct sim_config c;
	test_config(&c);
	c.dev.bandwidth = 2ull << 30;
	struct sim *s = test_sim_new(&c, test_policy(policy));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step *st = g_new0(struct step, 7);
	st[0] = (struct step)PWRITE(f, 0, 512 * 1024);
	st[1] = (struct step)SYNC_RANGE(f, 0, 512 * 1024, W_WRITE);
	st[2] = (struct step)SLEEP_UNTIL(20 * US);
	st[3] = (struct step)PWRITE(f, 0, 4096);
	st[4] = (struct step)DIO_WRITE(f, 0, 4096);
	st[5] = (struct step)END;
	struct script *sc = script_spawn(s, "w", NULL, -1, 0, st);
	sim_run(s);
	g_free(sc);
	g_free(st);
	return s;
}

START_TEST(page_fork_refork_allow_sync_naive_loses_dio)
{
	struct sim *s = dio_after_fork("page-fork:refork=allow,sync=naive");
	ck_assert_uint_eq(M(s, M_FORKS), 1);
	ck_assert_uint_eq(M(s, M_STALE_OVERWRITES), 1);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 1);
	ck_assert_uint_eq(M(s, M_LOST_AT_END), 1);
	sim_free(s);
	/* serialize alone is enough: the flush of the new copy waits for the old. */
	s = dio_after_fork("page-fork:sync=naive");
	ck_assert_uint_eq(M(s, M_STALE_OVERWRITES), 0);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
	ck_assert_uint_gt(M(s, M_STALL_REFORK), 0);
	sim_free(s);
	/* and so is track alone: invalidation waits for the old copy, so the direct
	 * write lands last.  The two buffered copies still raced each other (the old
	 * one landed over the new one): that is refork=allow's own hazard, and the
	 * rewrite was lost then (the new copy, written and clean, could not bring it
	 * back), though the direct write covers the block by the end. */
	s = dio_after_fork("page-fork:refork=allow");
	ck_assert_uint_eq(M(s, M_STALE_OVERWRITES), 1);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 1);
	ck_assert_uint_eq(M(s, M_LOST_AT_END), 0);
	sim_free(s);
}
END_TEST

/* A direct write with an integrity device and stable-writes: dio=bounce copies. */
START_TEST(stable_if_required_dio_bounce)
{
	const char *specs[] = { "stable-if-required", "stable-if-required:dio=bounce" };
	for (int stable = 0; stable <= 1; stable++)
		for (int i = 0; i < 2; i++) {
			struct sim_config c;
			test_config(&c);
			c.dev.integrity = stable;
			c.dev.stable_writes = stable;
			struct sim *s = test_sim_new(&c, test_policy(specs[i]));
			struct file *f = sim_file_new(s, "data", 1 << 20);
			struct step *st = g_new0(struct step, 2);
			st[0] = (struct step)DIO_WRITE(f, 0, 16384);
			st[1] = (struct step)END;
			struct script *sc = script_spawn(s, "w", NULL, -1, 0, st);
			sim_run(s);
			ck_assert_uint_eq(M(s, M_BOUNCES), stable && i ? 4 : 0);
			ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
			g_free(sc);
			g_free(st);
			sim_free(s);
		}
}
END_TEST

static Suite *policies_suite(void)
{
	Suite *s = suite_create("policies");
	TCase *tc = tcase_create("behaviour");
	tcase_add_test(tc, registry_and_specs);
	tcase_add_test(tc, unrestricted_redundant_and_checksum_errors);
	tcase_add_test(tc, wait_on_writeback_stalls_and_is_clean);
	tcase_add_test(tc, stable_if_required_waits_only_when_required);
	tcase_add_test(tc, page_fork_default_forks_instead_of_waiting);
	tcase_add_test(tc, page_fork_repoints_ptes);
	tcase_add_test(tc, wait_on_writeback_checksum_errors_through_pins);
	tcase_add_test(tc, page_fork_pins_ignore_loses_writes);
	tcase_add_test(tc, page_fork_pins_wait_stalls);
	tcase_add_test(tc, page_fork_unpin_wakes_the_waiting_writer);
	tcase_add_test(tc, bounce_never_fails_even_through_pins);
	tcase_add_test(tc, page_fork_refork_allow_reorders);
	tcase_add_test(tc, page_fork_sync_naive_violates_fsync);
	tcase_add_test(tc, page_fork_track_waits_for_copies_behind_the_cursor);
	tcase_add_test(tc, page_fork_refork_allow_sync_naive_loses_dio);
	tcase_add_test(tc, stable_if_required_dio_bounce);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(policies_suite)
