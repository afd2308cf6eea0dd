/* Sweeps (sim/sweep/): --grid parsing and its errors, the numbering of the points of
 * the cartesian product, the Student t quantiles behind sweep.md's intervals, the
 * fingerprint of a point's inputs, and the progress line's estimate. */
#include "sweep/sweep_grid.h"
#include "sweep/sweep_plan.h"
#include "sweep/sweep_progress.h"
#include "sweep/sweep_stats.h"
#include "wbtest.h"

#include <math.h>
#include <string.h>

static struct sweep_axis *axis_ok(const char *arg)
{
	GError *err = NULL;
	struct sweep_axis *a = sweep_axis_parse(arg, &err);
	if (!a)
		ck_abort_msg("%s: %s", arg, err->message);
	return a;
}

/* The values of @arg, joined by spaces. */
static char *values(const char *arg)
{
	struct sweep_axis *a = axis_ok(arg);
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < a->values->len; i++)
		g_string_append_printf(s, "%s%s", i ? " " : "", (char *)a->values->pdata[i]);
	sweep_axis_free(a);
	return g_string_free(s, FALSE);
}

#define ck_values(arg, want)                                   \
	do {                                                   \
		char *got_ = values(arg);                      \
		ck_assert_str_eq(got_, want);                  \
		g_free(got_);                                  \
	} while (0)

START_TEST(grid_lists_and_ranges)
{
	ck_values("writers=1,2,4", "1 2 4");
	ck_values("mode=fast,slow", "fast slow");
	ck_values("n=3..7", "3 4 5 6 7");
	ck_values("n=0..10+5", "0 5 10");
	/* The end is kept only when a step lands on it. */
	ck_values("n=0..9+5", "0 5");
	ck_values("qd=1..64*2", "1 2 4 8 16 32 64");
	ck_values("qd=3..100*3", "3 9 27 81");
	/* Decimal steps are start + i*step, printed in 15 digits: 0.3, not
	 * 0.30000000000000004 as 0.1+0.1+0.1 would give. */
	ck_values("ratio=0.1..0.5+0.1", "0.1 0.2 0.3 0.4 0.5");
	ck_values("d=0.5..4*2", "0.5 1 2 4");
	ck_values("qd=1,4..16*2,32", "1 4 8 16 32");
	ck_values("x=7", "7");
	struct sweep_axis *a = axis_ok("writers=1");
	ck_assert_str_eq(a->name, "writers");
	sweep_axis_free(a);
}
END_TEST

static void grid_error(const char *arg, const char *words)
{
	GError *err = NULL;
	struct sweep_axis *a = sweep_axis_parse(arg, &err);
	ck_assert_msg(!a, "%s parsed", arg);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->message, words), "%s: \"%s\" lacks \"%s\"", arg, err->message,
		      words);
	ck_assert_msg(strstr(err->message, arg) || !strchr(arg, '='), "%s: not quoted in \"%s\"",
		      arg, err->message);
	g_error_free(err);
}

START_TEST(grid_errors)
{
	grid_error("writers", "NAME=V1,V2");
	grid_error("=1,2", "NAME=V1,V2");
	grid_error("writers=", "an empty list");
	grid_error("writers=1,,2", "an empty value");
	grid_error("writers=1,2,1", "the value 1 comes twice");
	grid_error("writers=1..4,2", "the value 2 comes twice");
	grid_error("n=a..4", "the start is not a number");
	grid_error("n=1..", "the end is not a number");
	grid_error("n=1..8+x", "the step after '+' is not a number");
	grid_error("n=1..8*", "the factor after '*' is not a number");
	grid_error("n=8..1", "the end is below the start");
	grid_error("n=1..8+0", "the step must be above 0");
	grid_error("n=1..8+-1", "the step must be above 0");
	grid_error("n=1..8*1", "the factor must be above 1");
	grid_error("n=0..8*2", "a geometric range must start above 0");
	grid_error("n=0..1000000", "more than 10000 values");

	GError *err = NULL;
	char *twice[] = { "a=1", "b=2", "a=3", NULL };
	ck_assert_ptr_null(sweep_grid_parse(twice, &err));
	ck_assert_ptr_nonnull(strstr(err->message, "--grid a is given twice"));
	g_clear_error(&err);
	char *none[] = { NULL };
	GPtrArray *axes = sweep_grid_parse(none, &err);
	ck_assert_uint_eq(axes->len, 0);
	g_ptr_array_free(axes, TRUE);
}
END_TEST

static struct sweep_plan *plan3(void)
{
	struct sweep_plan *p = sweep_plan_new();
	struct sweep_axis *a = sweep_axis_new("writers");
	g_ptr_array_add(a->values, g_strdup("1"));
	g_ptr_array_add(a->values, g_strdup("2"));
	g_ptr_array_add(a->values, g_strdup("4"));
	g_ptr_array_add(p->axes, a);
	a = sweep_axis_new("mode");
	g_ptr_array_add(a->values, g_strdup("fast"));
	g_ptr_array_add(a->values, g_strdup("a b/c"));
	g_ptr_array_add(p->axes, a);
	g_ptr_array_add(p->policies, g_strdup("unrestricted"));
	g_ptr_array_add(p->policies, g_strdup("page-fork:pins=ignore"));
	g_ptr_array_add(p->builds, g_strdup("b0"));
	g_ptr_array_add(p->builds, g_strdup("b1"));
	p->nseeds = 5;
	p->scenario = g_strdup("/s.lua");
	p->scenario_name = g_strdup("s");
	p->scenario_sha256 = g_strdup("c0ffee");
	p->version = g_strdup("0.1");
	return p;
}

/* 3 writers values x 2 modes x 2 policies x 5 seeds = 60 points, each combination
 * exactly once, the first axis slowest and the seed fastest. */
START_TEST(cartesian_product)
{
	struct sweep_plan *p = plan3();
	ck_assert_uint_eq(sweep_plan_npoints(p), 60);
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTable *dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint k = 0; k < 60; k++) {
		guint v[2], pol;
		uint64_t seed;
		sweep_plan_decode(p, k, v, &pol, &seed);
		ck_assert_uint_eq(seed, k % 5 + 1);
		ck_assert_uint_eq(pol, k / 5 % 2);
		ck_assert_uint_eq(v[1], k / 10 % 2);
		ck_assert_uint_eq(v[0], k / 20);
		char *key = g_strdup_printf("%u %u %u %" G_GUINT64_FORMAT, v[0], v[1], pol, seed);
		ck_assert_msg(g_hash_table_add(seen, key), "point %u repeats %s", k, key);
		char *dir = sweep_point_dir(p, k);
		ck_assert_msg(g_hash_table_add(dirs, dir), "two points in %s", dir);
	}
	char *d = sweep_point_dir(p, 0);
	ck_assert_str_eq(d, "points/writers=1_mode=fast/unrestricted/seed-1");
	g_free(d);
	/* Point 59: writers=4, mode "a b/c" (made safe, so a hash of the real text keeps
	 * it apart from a value "a_b_c"), page-fork:pins=ignore, seed 5. */
	d = sweep_point_dir(p, 59);
	ck_assert_msg(g_str_has_prefix(d, "points/writers=4_mode=a_b_c~"), "%s", d);
	ck_assert_msg(g_str_has_suffix(d, "/page-fork_pins=ignore/seed-5"), "%s", d);
	g_free(d);
	GHashTable *sets = sweep_point_sets(p, 59);
	ck_assert_str_eq(g_hash_table_lookup(sets, "writers"), "4");
	ck_assert_str_eq(g_hash_table_lookup(sets, "mode"), "a b/c");
	g_hash_table_destroy(sets);
	g_hash_table_destroy(seen);
	g_hash_table_destroy(dirs);
	sweep_plan_free(p);
}
END_TEST

/* Every input changes the fingerprint; the point's number in the plan does not (a
 * grown grid reuses the points it had). */
START_TEST(fingerprint_inputs)
{
	struct sweep_plan *p = plan3();
	char *fp = sweep_point_fingerprint(p, 7);
	char *again = sweep_point_fingerprint(p, 7);
	ck_assert_str_eq(fp, again);
	g_free(again);
	char *other = sweep_point_fingerprint(p, 8);
	ck_assert_str_ne(fp, other);
	g_free(other);

	struct { char **field; const char *value; } changes[] = {
		{ &p->scenario_sha256, "c0ffef" },
		{ &p->version, "0.2" },
		{ (char **)&p->builds->pdata[1], "b1'" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(changes); i++) {
		char *old = *changes[i].field;
		*changes[i].field = g_strdup(changes[i].value);
		char *fp2 = sweep_point_fingerprint(p, 7);      /* point 7 is policy 1 */
		ck_assert_msg(strcmp(fp, fp2), "change %zu left the fingerprint", i);
		g_free(fp2);
		g_free(*changes[i].field);
		*changes[i].field = old;
	}
	g_ptr_array_add(p->sets, g_strdup("gap=0.1"));
	char *fp3 = sweep_point_fingerprint(p, 7);
	ck_assert_str_ne(fp, fp3);
	g_free(fp3);
	g_ptr_array_set_size(p->sets, 0);
	p->timeline_interval = 1000;
	fp3 = sweep_point_fingerprint(p, 7);
	ck_assert_str_ne(fp, fp3);
	g_free(fp3);
	p->timeline_interval = 0;

	/* The same run in a plan with one more writers value comes at another number,
	 * with the same directory and fingerprint. */
	char *dir = sweep_point_dir(p, 7);
	g_ptr_array_insert(((struct sweep_axis *)p->axes->pdata[0])->values, 0, g_strdup("0"));
	char *dir2 = sweep_point_dir(p, 7 + 20), *fp4 = sweep_point_fingerprint(p, 7 + 20);
	ck_assert_str_eq(dir, dir2);
	ck_assert_str_eq(fp, fp4);
	g_free(dir);
	g_free(dir2);
	g_free(fp4);
	g_free(fp);

	/* What is read back from sweep.json is the same plan. */
	char *json = sweep_plan_to_json(p);
	GError *err = NULL;
	struct sweep_plan *q = sweep_plan_from_json(json, "sweep.json", &err);
	ck_assert_msg(q, "%s", err ? err->message : "");
	char *json2 = sweep_plan_to_json(q);
	ck_assert_str_eq(json, json2);
	g_free(json2);
	g_free(json);
	sweep_plan_free(q);
	ck_assert_ptr_null(sweep_plan_from_json("{\"format\": 2}", "x.json", &err));
	ck_assert_ptr_nonnull(strstr(err->message, "x.json"));
	g_clear_error(&err);
	sweep_plan_free(p);
}
END_TEST

/*
 * Quantiles checked against closed forms of Student's t, not against tables:
 *   1 degree of freedom is the Cauchy distribution, F(t) = 1/2 + atan(t)/pi, so
 *     t(0.975) = tan(0.475 pi) = 12.7062...   (n = 2 seeds)
 *   2 degrees: F(t) = 1/2 + t / (2 sqrt(2 + t^2)), so t/sqrt(2+t^2) = 0.95 and
 *     t = sqrt(2 * 0.9025 / 0.0975) = 4.3027...
 *   4 degrees: F(t) = 1/2 + (3/4) u (1 - u^2/3) with u = t / sqrt(4 + t^2); the
 *     quantile must make that 0.975 (n = 5 seeds), and is 2.7764...
 */
static double t4_cdf(double t)
{
	double u = t / sqrt(4 + t * t);
	return 0.5 + 0.75 * u * (1 - u * u / 3);
}

START_TEST(t_quantiles)
{
	ck_assert_double_eq_tol(sweep_t_quantile(0.975, 1), tan(0.475 * M_PI), 1e-9);
	ck_assert_double_eq_tol(sweep_t_quantile(0.975, 2), sqrt(2 * 0.9025 / 0.0975), 1e-9);
	double t4 = sweep_t_quantile(0.975, 4);
	ck_assert_double_eq_tol(t4_cdf(t4), 0.975, 1e-12);
	ck_assert_double_eq_tol(t4, 2.7764, 1e-4);
	/* Many degrees of freedom approach the normal quantile 1.95996. */
	ck_assert_double_eq_tol(sweep_t_quantile(0.975, 1e6), 1.959964, 1e-5);
	/* Symmetry, and the median. */
	ck_assert_double_eq_tol(sweep_t_quantile(0.025, 4), -t4, 1e-12);
	ck_assert_double_eq_tol(sweep_t_quantile(0.5, 3), 0, 1e-12);
	ck_assert(isnan(sweep_t_quantile(1, 3)));
}
END_TEST

/* 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squares about the mean sum to 32, so the sample
 * standard deviation is sqrt(32/7); with two samples 1 and 3 the half-width is
 * t(0.975, 1) * sqrt(2) / sqrt(2) = 12.706. */
START_TEST(stat_of_samples)
{
	double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct sweep_stat s = sweep_stat_of(x, 8);
	ck_assert_double_eq_tol(s.mean, 5, 1e-12);
	ck_assert_double_eq_tol(s.sd, sqrt(32.0 / 7), 1e-12);
	ck_assert_double_eq_tol(s.half, sweep_t_quantile(0.975, 7) * sqrt(32.0 / 7) / sqrt(8),
				1e-12);
	double two[] = { 1, 3 };
	s = sweep_stat_of(two, 2);
	ck_assert_double_eq_tol(s.half, tan(0.475 * M_PI), 1e-9);
	/* One seed: a value, no interval. */
	s = sweep_stat_of(two, 1);
	ck_assert_double_eq(s.mean, 1);
	ck_assert(isnan(s.half) && isnan(s.sd));
}
END_TEST

static void set_run(struct run_progress *r, enum run_state st, uint64_t now, uint64_t dur)
{
	atomic_store(&r->state, st);
	atomic_store(&r->sim_ns, now);
	atomic_store(&r->duration_ns, dur);
}

/* Points done of the total, and the time left: 10 s for 1 run done plus half of
 * another is 1.5 runs' worth, so the 2.5 left of 4 take 10 * 2.5 / 1.5 = 16.7 s. */
START_TEST(progress_eta)
{
	struct run_progress r[4] = { 0 };
	set_run(&r[0], RUN_DONE, 10, 10);
	set_run(&r[1], RUN_RUNNING, 1000000000ull, 2000000000ull);
	set_run(&r[2], RUN_QUEUED, 0, 0);
	set_run(&r[3], RUN_QUEUED, 0, 0);
	char *line = sweep_progress_format("s", r, 4, 10, 6, 1, 10.0);
	ck_assert_str_eq(line, "s: 7/10 points done (6 already complete), in flight: 50%; "
		   "10.0s elapsed, ETA 16.7s");
	g_free(line);
	/* Nothing done yet and no share known: no estimate. */
	set_run(&r[0], RUN_RUNNING, 5, 0);
	set_run(&r[1], RUN_QUEUED, 0, 0);
	line = sweep_progress_format("s", r, 4, 4, 0, 0, 1.0);
	ck_assert_str_eq(line, "s: 0/4 points done, in flight: 5ns simulated; 1.00s elapsed, ETA ?");
	g_free(line);
}
END_TEST

static Suite *sweep_suite(void)
{
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, grid_lists_and_ranges);
	tcase_add_test(tc, grid_errors);
	tcase_add_test(tc, cartesian_product);
	tcase_add_test(tc, fingerprint_inputs);
	tcase_add_test(tc, t_quantiles);
	tcase_add_test(tc, stat_of_samples);
	tcase_add_test(tc, progress_eta);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(sweep_suite)
