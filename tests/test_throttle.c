/*
 * Dirty throttling (sim/writeback/throttle.c), balance_dirty_pages as Linux has done it
 * since 3.2: below the freerun ceiling nobody pauses; above it dirtiers sleep in
 * pauses of at most 200 ms whose length follows how far dirty memory is over the
 * setpoint, so dirty memory settles between the setpoint and the limit instead of
 * sitting at the limit, and the dirtiers together go as fast as the device writes.
 */
#include "model_util.h"

#include <stdlib.h>

#define MS 1000000ull
#define MiB (1ull << 20)

/* The default 1 GiB of memory (262144 pages): limit 52428 pages (20 %), background
 * 26214 (10 %), freerun ceiling 39321, setpoint 45874.  A device of 32 MiB/s. */
enum { LIMIT = 52428, BG = 26214, FREERUN = (LIMIT + BG) / 2, SETPOINT = (FREERUN + LIMIT) / 2 };

static void throttle_config(struct sim_config *c)
{
	sim_config_defaults(c);
	c->dev.bandwidth = 32 * MiB;
	c->dev.write_latency = 100000;
	sim_config_finish(c, false, true, false);
}

struct samples {
	GArray *dirty;          /* dirty + writeback pages, every 10 ms */
};

static void sample(void *data, struct sim *s)
{
	struct samples *sm = data;
	struct sim_gauges g;
	sim_gauges(s, &g);
	uint64_t v = g.dirty + g.writeback;
	g_array_append_val(sm->dirty, v);
}

/* @writers stream @mib MiB between them in 64 KiB writes as fast as they can. */
static struct sim *stream(int writers, uint64_t mib, struct samples *sm, GPtrArray *trace)
{
	struct sim_config c;
	throttle_config(&c);
	struct sim *s = test_sim_new(&c, test_policy("unrestricted"));
	if (sm) {
		sim_set_sampler(s, sample, sm);
		sim_set_timeline_interval(s, 10 * MS);
	}
	if (trace)
		sim_set_trace(s, test_collect_line, trace);
	uint64_t per = mib * MiB / (uint64_t)writers, chunk = 64 << 10;
	GPtrArray *steps = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *scripts = g_ptr_array_new_with_free_func(g_free);
	for (int w = 0; w < writers; w++) {
		struct file *f = sim_file_new(s, "f", per);
		struct step *st = g_new0(struct step, per / chunk + 1);
		for (uint64_t i = 0; i < per / chunk; i++)
			st[i] = (struct step)PWRITE(f, i * chunk, chunk);
		st[per / chunk] = (struct step)END;
		g_ptr_array_add(steps, st);
		g_ptr_array_add(scripts, script_spawn(s, "dd", NULL, -1, 0, st));
	}
	ck_assert_int_eq(sim_run(s), SIM_END_IDLE);
	g_ptr_array_free(scripts, TRUE);
	g_ptr_array_free(steps, TRUE);
	return s;
}

START_TEST(no_pause_below_the_freerun_ceiling)
{
	/* 150 MiB is 38400 pages, under the freerun ceiling of 39321: however slow the
	 * device, nobody pauses. */
	struct sim *s = stream(2, 150, NULL, NULL);
	ck_assert_uint_eq(M(s, M_STALL_THROTTLE), 0);
	ck_assert_uint_eq(hist_count(sim_metrics(s)->lat[OPK_THROTTLE]), 0);
	sim_free(s);
}
END_TEST

START_TEST(pauses_hold_dirty_memory_under_the_limit)
{
	/* 768 MiB through a 32 MiB/s device: 24 s of writeback.  The writers pause
	 * (each pause at most 200 ms) and are held to the device's speed: the workload
	 * cannot end before all but the last limit's worth has been written. */
	struct samples sm = { g_array_new(FALSE, FALSE, sizeof(uint64_t)) };
	struct sim *s = stream(4, 768, &sm, NULL);
	struct metrics *m = sim_metrics(s);
	ck_assert_uint_gt(M(s, M_STALL_THROTTLE), 0);
	ck_assert_uint_gt(hist_count(m->lat[OPK_THROTTLE]), 100);
	ck_assert_uint_le(hist_max(m->lat[OPK_THROTTLE]), 200 * MS);
	/* Each pause is accounted once: their sum is stall.throttle. */
	ck_assert_uint_eq((uint64_t)(hist_mean(m->lat[OPK_THROTTLE]) *
				     (double)hist_count(m->lat[OPK_THROTTLE]) + 0.5),
			  M(s, M_STALL_THROTTLE));
	double floor_s = (double)(768 * MiB - LIMIT * 4096ull) / (32.0 * MiB);
	ck_assert_uint_ge(sim_time(s), (simtime_t)(floor_s * 1e9));
	/* Dirty memory is not parked at the limit, as writers waiting for it to fall
	 * below the limit would keep it: over the second half, once the rate estimates
	 * have settled, it averages between the setpoint's neighbourhood and the limit,
	 * and is at or above the limit in only a few samples. */
	guint n = sm.dirty->len, half = n / 2, at_limit = 0;
	double sum = 0;
	for (guint i = half; i < n; i++) {
		uint64_t v = g_array_index(sm.dirty, uint64_t, i);
		sum += (double)v;
		at_limit += v >= LIMIT;
	}
	double mean = sum / (n - half);
	ck_assert_msg(mean > FREERUN && mean < LIMIT - (LIMIT - SETPOINT) / 4,
		      "mean dirty+writeback %.0f pages, want between %d and %d", mean, FREERUN,
		      LIMIT - (LIMIT - SETPOINT) / 4);
	ck_assert_msg(at_limit * 10 < n - half, "%u of %u samples at the limit", at_limit, n - half);
	g_array_free(sm.dirty, TRUE);
	sim_free(s);
}
END_TEST

/* "key=VALUE" in a trace line, as a number. */
static uint64_t field(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	ck_assert_msg(p, "%s: no %s", line, key);
	return strtoull(p + strlen(key), NULL, 10);
}

START_TEST(rate_falls_as_dirty_memory_rises)
{
	/* Every pause's trace line gives dirty memory and the task's rate against the
	 * bdi's base rate: the rate is the base rate scaled by pos_ratio, which is 1 at
	 * the setpoint, above 1 below it, below 1 above it, and 0 at the limit; and among
	 * lines with the same base rate, more dirty memory never means a higher rate. */
	GPtrArray *trace = g_ptr_array_new_with_free_func(g_free);
	struct sim *s = stream(4, 400, NULL, trace);
	GPtrArray *lines = test_grep(trace, "balance_dirty_pages:");
	ck_assert_uint_gt(lines->len, 50);
	guint n = lines->len;
	uint64_t *dirty = g_new(uint64_t, n), *base = g_new(uint64_t, n), *task = g_new(uint64_t, n);
	unsigned above = 0, below = 0;
	for (guint i = 0; i < n; i++) {
		const char *l = lines->pdata[i];
		uint64_t setpoint = field(l, " setpoint="), limit = field(l, " limit=");
		/* Near the setpoint the cube of the distance is below the fixed point's
		 * 1/1024: the rate is the base rate there.  An eighth of the way to
		 * the limit it is not. */
		uint64_t margin = (limit - setpoint) / 8;
		dirty[i] = field(l, " dirty=");
		base[i] = field(l, " dirty_ratelimit=");
		task[i] = field(l, " task_ratelimit=");
		if (dirty[i] >= limit) {
			ck_assert_uint_eq(task[i], 0);
		} else if (dirty[i] > setpoint + margin) {
			ck_assert_msg(task[i] < base[i], "%s", l);
			above++;
		} else if (dirty[i] + margin < setpoint) {
			ck_assert_msg(task[i] > base[i], "%s", l);
			below++;
		}
		for (guint j = 0; j < i; j++)
			if (base[j] == base[i] && dirty[j] < dirty[i])
				ck_assert_msg(task[j] >= task[i], "%s\n%s", (char *)lines->pdata[j], l);
	}
	g_free(dirty);
	g_free(base);
	g_free(task);
	ck_assert_uint_gt(above, 0);
	ck_assert_uint_gt(below, 0);
	g_ptr_array_free(lines, TRUE);
	g_ptr_array_free(trace, TRUE);
	sim_free(s);
}
END_TEST

START_TEST(throttled_runs_are_deterministic)
{
	struct sim *a = stream(3, 300, NULL, NULL), *b = stream(3, 300, NULL, NULL);
	ck_assert_uint_eq(M(a, M_STALL_THROTTLE), M(b, M_STALL_THROTTLE));
	ck_assert_uint_eq(sim_time(a), sim_time(b));
	ck_assert_uint_eq(hist_count(sim_metrics(a)->lat[OPK_THROTTLE]),
			  hist_count(sim_metrics(b)->lat[OPK_THROTTLE]));
	sim_free(a);
	sim_free(b);
}
END_TEST

static Suite *throttle_suite(void)
{
	Suite *s = suite_create("throttle");
	TCase *tc = tcase_create("balance_dirty_pages");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, no_pause_below_the_freerun_ceiling);
	tcase_add_test(tc, pauses_hold_dirty_memory_under_the_limit);
	tcase_add_test(tc, rate_falls_as_dirty_memory_rises);
	tcase_add_test(tc, throttled_runs_are_deterministic);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(throttle_suite)
