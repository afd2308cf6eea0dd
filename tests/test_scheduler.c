/*
 * The device's schedulers: the dispatch order of none, elevator and reorder, and that
 * reorder gives every queued request an even chance to go first.
 */
#include "model_util.h"

#include <inttypes.h>

/* Eight tasks each send one direct write to a different block at the same instant,
 * to a device serving one request at a time; the trace shows the dispatch order. */
static GPtrArray *dispatch_order(enum sched_kind sched, uint64_t seed)
{
	struct sim_config c;
	test_config(&c);
	c.dev.queue_depth = 1;
	c.dev.scheduler = sched;
	c.seed = seed;
	struct sim *s = sim_new(&c, test_policy("unrestricted"));
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	sim_set_trace(s, test_collect_line, lines);
	struct file *f = sim_file_new(s, "data", 1 << 20);
	uint64_t blocks[] = { 50, 10, 70, 20, 60, 30, 80, 40 };
	struct step *steps = g_new0(struct step, 2 * 8);
	struct script *sc[8];
	for (int i = 0; i < 8; i++) {
		steps[2 * i] = (struct step)DIO_WRITE(f, blocks[i] * 4096, 4096);
		steps[2 * i + 1] = (struct step)END;
		sc[i] = script_spawn(s, "dio", NULL, -1, 0, &steps[2 * i]);
	}
	sim_run(s);
	GPtrArray *issues = test_grep(lines, "block_rq_issue: W");
	GPtrArray *order = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < issues->len; i++) {
		const char *p = strstr(issues->pdata[i], "sector=");
		g_ptr_array_add(order, g_strndup(p + 7, strcspn(p + 7, " ")));
	}
	g_ptr_array_free(issues, TRUE);
	g_ptr_array_free(lines, TRUE);
	for (int i = 0; i < 8; i++)
		g_free(sc[i]);
	g_free(steps);
	sim_free(s);
	return order;
}

static char *joined(GPtrArray *a)
{
	g_ptr_array_add(a, NULL);
	char *s = g_strjoinv(",", (char **)a->pdata);
	g_ptr_array_free(a, TRUE);
	return s;
}

START_TEST(scheduler_orders)
{
	/* none: submission order.  elevator: the first request is dispatched on
	 * arrival (the queue is empty then); after it the head sweeps upward from
	 * sector 51 and wraps to the lowest.  reorder: a permutation that depends on
	 * the seed, the same for the same seed. */
	char *none = joined(dispatch_order(SCHED_NONE, 1));
	ck_assert_str_eq(none, "50,10,70,20,60,30,80,40");
	char *elev = joined(dispatch_order(SCHED_ELEVATOR, 1));
	ck_assert_str_eq(elev, "50,60,70,80,10,20,30,40");
	char *r1 = joined(dispatch_order(SCHED_REORDER, 1));
	char *r1b = joined(dispatch_order(SCHED_REORDER, 1));
	char *r2 = joined(dispatch_order(SCHED_REORDER, 2));
	ck_assert_str_eq(r1, r1b);
	ck_assert_str_ne(r1, none);
	ck_assert_str_ne(r1, r2);
	ck_assert_uint_eq(strlen(r1), strlen(none));
	g_free(none); g_free(elev); g_free(r1); g_free(r1b); g_free(r2);
}
END_TEST

/*
 * Pages 0, 2, 4, ... 2 * @queued (never adjacent, so never merged) are written back
 * together to a device serving one request at a time: page 0's request is dispatched
 * on arrival and the other @queued wait, oldest first.  Returns the queue position
 * (0: the oldest) of the one dispatched next.
 */
static unsigned first_pick(unsigned queued, uint64_t seed, enum sched_kind sched)
{
	struct sim_config c;
	test_config(&c);
	c.dev.queue_depth = 1;
	c.dev.scheduler = sched;
	c.seed = seed;
	struct sim *s = sim_new(&c, test_policy("unrestricted"));
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	sim_set_trace(s, test_collect_line, lines);
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step *st = g_new0(struct step, queued + 3);
	for (unsigned i = 0; i <= queued; i++)
		st[i] = (struct step)PWRITE(f, 2 * i * 4096ull, 4096);
	st[queued + 1] = (struct step)SYNC_RANGE(f, 0, (2 * queued + 1) * 4096ull, W_WRITE);
	st[queued + 2] = (struct step)END;
	struct script *sc = script_spawn(s, "w", NULL, -1, 0, st);
	sim_run(s);
	/* The premise: every request was inserted before the first one completed. */
	unsigned inserted = 0;
	for (guint i = 0; i < lines->len && !strstr(lines->pdata[i], "block_rq_complete: W"); i++)
		inserted += strstr(lines->pdata[i], "block_rq_insert: W") != NULL;
	ck_assert_uint_eq(inserted, queued + 1);
	GPtrArray *issues = test_grep(lines, "block_rq_issue: W");
	ck_assert_uint_ge(issues->len, 2);
	uint64_t base, sector;
	ck_assert_int_eq(sscanf(strstr(issues->pdata[0], "sector="), "sector=%" SCNu64, &base), 1);
	ck_assert_int_eq(sscanf(strstr(issues->pdata[1], "sector="), "sector=%" SCNu64, &sector), 1);
	ck_assert_uint_eq((sector - base) % 2, 0);
	unsigned pos = (unsigned)((sector - base) / 2) - 1;
	ck_assert_uint_lt(pos, queued);
	g_ptr_array_free(issues, TRUE);
	g_ptr_array_free(lines, TRUE);
	g_free(sc);
	g_free(st);
	sim_free(s);
	return pos;
}

/*
 * The reorder scheduler promises no order: any queued request, the newest included,
 * may go first, each about equally often.  Over N seeds each position's count is
 * Binomial(N, 1/queued); the bounds are about 5 standard deviations either side of
 * the mean, so a fair scheduler fails them with odds near one in a million (and the
 * seeds are fixed, so the verdict never changes), while a scheduler that never picks
 * some position (the newest, say) leaves it at 0, far below.
 */
START_TEST(reorder_dispatches_any_queued_request_first)
{
	static const struct { unsigned queued, seeds, lo, hi; } cases[] = {
		{ 2, 400, 150, 250 },   /* mean 200, sd 10 */
		{ 8, 800, 55, 145 },    /* mean 100, sd 9.4 */
	};
	for (unsigned k = 0; k < G_N_ELEMENTS(cases); k++) {
		unsigned q = cases[k].queued;
		/* FIFO picks the oldest: the positions count from the queue's head. */
		ck_assert_uint_eq(first_pick(q, 1, SCHED_NONE), 0);
		unsigned count[8] = { 0 };
		for (uint64_t seed = 1; seed <= cases[k].seeds; seed++)
			count[first_pick(q, seed, SCHED_REORDER)]++;
		for (unsigned i = 0; i < q; i++)
			ck_assert_msg(count[i] >= cases[k].lo && count[i] <= cases[k].hi,
				      "%u queued: position %u first %u times in %u seeds, want %u..%u",
				      q, i, count[i], cases[k].seeds, cases[k].lo, cases[k].hi);
	}
}
END_TEST

static Suite *scheduler_suite(void)
{
	Suite *s = suite_create("scheduler");
	TCase *tc = tcase_create("dispatch");
	tcase_add_test(tc, scheduler_orders);
	tcase_add_test(tc, reorder_dispatches_any_queued_request_first);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(scheduler_suite)
