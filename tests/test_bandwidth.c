/*
 * The device's shared bandwidth (sim/block/bandwidth.c): requests transferring at the
 * same time share the link, so together they never move more than `bandwidth` bytes
 * per second; a request alone takes its latency plus its bytes at the whole
 * bandwidth; the link is work-conserving; and sharing delays completions, not the DMA
 * instant.
 */
#include "model_util.h"

#define US 1000ull
#define MS 1000000ull
#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* Jitter off, 20 us latency, 1 GiB/s, a request may carry 1 MiB: a 1 MiB write moves
 * in 1e9 * 2^20 / 2^30 ns = 976.5625 us at the whole bandwidth.  No CPU cost before a
 * direct write's submission, so every instant below is the device's. */
static void link_config(struct sim_config *c)
{
	sim_config_defaults(c);
	c->cost.syscall = 0;
	c->cost.dio_request = 0;
	c->dev.jitter = 0;
	c->dev.write_latency = 20 * US;
	c->dev.read_latency = 20 * US;
	c->dev.bandwidth = GiB;
	c->dev.max_request = MiB;
	sim_config_finish(c, false, true, false);
}

static const double MIB_NS = 976562.5;  /* 1 MiB at 1 GiB/s */

/* @n tasks each send one direct write of @len bytes at t = 0; returns when each
 * returned (ns), in @done. */
static void concurrent_writes(int n, uint64_t len, unsigned queue_depth, simtime_t *done)
{
	struct sim_config c;
	link_config(&c);
	c.dev.queue_depth = queue_depth;
	struct sim *s = test_sim_new(&c, test_policy("unrestricted"));
	struct file *f = sim_file_new(s, "data", (uint64_t)n * len);
	struct step *st = g_new0(struct step, 2 * (size_t)n);
	struct script **sc = g_new0(struct script *, (size_t)n);
	for (int i = 0; i < n; i++) {
		st[2 * i] = (struct step)DIO_WRITE(f, (uint64_t)i * len, len);
		st[2 * i + 1] = (struct step)END;
		sc[i] = script_spawn(s, "dio", NULL, -1, 0, &st[2 * i]);
	}
	ck_assert_int_eq(sim_run(s), SIM_END_IDLE);
	for (int i = 0; i < n; i++) {
		done[i] = sc[i]->done_at[0];
		g_free(sc[i]);
	}
	ck_assert_uint_eq(M(s, M_DISK_REQUESTS), (uint64_t)n * (len > c.dev.max_request ? 2 : 1));
	g_free(sc);
	g_free(st);
	sim_free(s);
}

START_TEST(thirty_two_writes_share_the_bandwidth)
{
	/* 32 x 1 MiB at 1 GiB/s: 32 MiB cannot move in less than 32 MiB / 1 GiB/s =
	 * 31.25 ms.  All 32 are submitted at t = 0 and start their transfers together
	 * after 20 us of latency in parallel; being equal, they finish together: no write may return before
	 * 31.25 ms, and since the link never idles while a request has bytes to move,
	 * the last one returns by 31.25 ms + the latency. */
	simtime_t done[32];
	concurrent_writes(32, MiB, 32, done);
	for (int i = 0; i < 32; i++) {
		ck_assert_msg(done[i] >= 32 * MIB_NS, "write %d returned at %" G_GUINT64_FORMAT " ns, "
			      "before 32 MiB could move at 1 GiB/s", i, done[i]);
		ck_assert_uint_le(done[i], (simtime_t)(32 * MIB_NS) + 20 * US + 1);
	}
	/* The same with each write split into two 512 KiB requests (64 requests). */
	concurrent_writes(32, MiB, 64, done);
	for (int i = 0; i < 32; i++)
		ck_assert_uint_ge(done[i], (simtime_t)(32 * MIB_NS));
}
END_TEST

START_TEST(a_request_alone_has_the_whole_bandwidth)
{
	/* One write: 20 us of latency, 976.5625 us of transfer. */
	simtime_t done[1];
	concurrent_writes(1, MiB, 32, done);
	ck_assert_uint_eq(done[0], 20 * US + 976563);
	/* A disk serves one request at a time: eight writes queue, none shares the
	 * link, and each takes exactly latency + transfer after the one before. */
	struct sim_config c;
	link_config(&c);
	c.dev.queue_depth = 1;
	struct sim *s = test_sim_new(&c, test_policy("unrestricted"));
	struct file *f = sim_file_new(s, "data", 8 * MiB);
	struct step st[16];
	struct script *sc[8];
	for (int i = 0; i < 8; i++) {
		st[2 * i] = (struct step)DIO_WRITE(f, (uint64_t)i * MiB, MiB);
		st[2 * i + 1] = (struct step)END;
		sc[i] = script_spawn(s, "dio", NULL, -1, 0, &st[2 * i]);
	}
	sim_run(s);
	simtime_t last = 0;
	for (int i = 0; i < 8; i++) {
		simtime_t t = sc[i]->done_at[0];
		last = t > last ? t : last;
		g_free(sc[i]);
	}
	/* 8 back to back, each 20 us + 976.5625 us (rounded to the ns). */
	ck_assert_uint_le(last, 8 * (20 * US + 976563));
	ck_assert_uint_ge(last, 8 * (20 * US + 976562));
	sim_free(s);
}
END_TEST

START_TEST(a_late_request_shares_and_delays_the_early_one)
{
	/* A sends 1 MiB at t = 0; B sends 64 KiB 120 us later, when A has had 100 us of
	 * the link to itself.  From then on each gets half: B's 64 KiB (61.035 us alone)
	 * takes 122.07 us, and A, having lent B 64 KiB worth of link, finishes 61.035 us
	 * after it would have alone. */
	struct sim_config c;
	link_config(&c);
	struct sim *s = test_sim_new(&c, test_policy("unrestricted"));
	struct file *f = sim_file_new(s, "data", 2 * MiB);
	struct step a[] = { DIO_WRITE(f, 0, MiB), END };
	struct step b[] = { SLEEP(120 * US), DIO_WRITE(f, MiB, 64 << 10), END };
	struct script *x = script_spawn(s, "a", NULL, -1, 0, a);
	struct script *y = script_spawn(s, "b", NULL, -1, 0, b);
	sim_run(s);
	double b_join = 120 * US + 20 * US;
	double b_alone = MIB_NS / 16;
	ck_assert_uint_eq(y->done_at[1], (simtime_t)(b_join + 2 * b_alone + 0.5));
	double a_alone = 20 * US + MIB_NS;
	ck_assert_uint_ge(x->done_at[0], (simtime_t)(a_alone + b_alone) - 1);
	ck_assert_uint_le(x->done_at[0], (simtime_t)(a_alone + b_alone) + 1);
	g_free(x);
	g_free(y);
	sim_free(s);
}
END_TEST

/*
 * The DMA instant is dma_at of the request's service time alone, however many share
 * the link.  Page 0 goes to writeback beside 31 direct writes of 1 MiB: alone its
 * request would take 20 us + 3.8 us, so its data is read ~12 us after dispatch, while
 * sharing the link delays its completion by ~120 us.  A rewrite 30 us after the
 * submission comes after the DMA: the device has the old data, which matches its
 * guard, so an integrity device accepts the request.  A rewrite 5 us after comes
 * before it, and the request is rejected.  So does one 11 us after: the DMA is at
 * half of latency + transfer (11.9 us), not half of the latency alone (10 us).
 */
static uint64_t checksum_errors_with_rewrite_at(simtime_t delay)
{
	struct sim_config c;
	link_config(&c);
	c.dev.integrity = true;
	sim_config_finish(&c, false, true, false);
	struct sim *s = test_sim_new(&c, test_policy("unrestricted"));
	struct file *f = sim_file_new(s, "data", 32 * MiB);
	struct step w[] = { PWRITE(f, 0, 4096), SYNC_RANGE(f, 0, 4096, W_WRITE), SLEEP(delay),
			    PWRITE(f, 0, 4096), END };
	struct script *sc[32];
	struct step st[62];
	sc[0] = script_spawn(s, "w", NULL, -1, 0, w);
	for (int i = 1; i < 32; i++) {
		st[2 * (i - 1)] = (struct step)DIO_WRITE(f, (uint64_t)i * MiB, MiB);
		st[2 * (i - 1) + 1] = (struct step)END;
		sc[i] = script_spawn(s, "dio", NULL, -1, 0, &st[2 * (i - 1)]);
	}
	sim_run(s);
	uint64_t errors = M(s, M_CHECKSUM_ERRORS);
	for (int i = 0; i < 32; i++)
		g_free(sc[i]);
	sim_free(s);
	return errors;
}

START_TEST(sharing_moves_completion_not_dma)
{
	ck_assert_uint_eq(checksum_errors_with_rewrite_at(30 * US), 0);
	ck_assert_uint_eq(checksum_errors_with_rewrite_at(5 * US), 1);
	ck_assert_uint_eq(checksum_errors_with_rewrite_at(11 * US), 1);
}
END_TEST

START_TEST(shared_runs_are_deterministic)
{
	/* Jittered, reordered, many sizes: the same seed gives the same instants. */
	simtime_t first[40] = { 0 };
	for (int run = 0; run < 2; run++) {
		struct sim_config c;
		sim_config_defaults(&c);
		c.dev.scheduler = SCHED_REORDER;
		c.dev.queue_depth = 8;
		sim_config_finish(&c, false, false, false);
		struct sim *s = test_sim_new(&c, test_policy("unrestricted"));
		struct file *f = sim_file_new(s, "data", 64 * MiB);
		struct step st[80];
		struct script *sc[40];
		for (int i = 0; i < 40; i++) {
			st[2 * i] = (struct step)DIO_WRITE(f, (uint64_t)i * MiB, (uint64_t)(i % 7 + 1) * 64 * 1024);
			st[2 * i + 1] = (struct step)END;
			sc[i] = script_spawn(s, "dio", NULL, -1, (simtime_t)(i % 5) * 3 * US, &st[2 * i]);
		}
		sim_run(s);
		for (int i = 0; i < 40; i++) {
			if (run == 0)
				first[i] = sc[i]->done_at[0];
			else
				ck_assert_uint_eq(sc[i]->done_at[0], first[i]);
			g_free(sc[i]);
		}
		sim_free(s);
	}
}
END_TEST

static Suite *bandwidth_suite(void)
{
	Suite *s = suite_create("bandwidth");
	TCase *tc = tcase_create("link");
	tcase_add_test(tc, thirty_two_writes_share_the_bandwidth);
	tcase_add_test(tc, a_request_alone_has_the_whole_bandwidth);
	tcase_add_test(tc, a_late_request_shares_and_delays_the_early_one);
	tcase_add_test(tc, sharing_moves_completion_not_dma);
	tcase_add_test(tc, shared_runs_are_deterministic);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(bandwidth_suite)
