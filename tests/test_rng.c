/* Named streams: reproducible, independent of each other, and of reasonable quality. */
#include "engine/rng.h"
#include "wbtest.h"

#include <math.h>

START_TEST(same_seed_same_name_same_sequence)
{
	struct rng a, b;
	rng_init(&a, 42, "task:writer");
	rng_init(&b, 42, "task:writer");
	for (int i = 0; i < 1000; i++)
		ck_assert_uint_eq(rng_next(&a), rng_next(&b));
}
END_TEST

START_TEST(different_names_or_seeds_differ)
{
	struct rng a, b, c;
	rng_init(&a, 42, "task:writer");
	rng_init(&b, 42, "task:reader");
	rng_init(&c, 43, "task:writer");
	int same_ab = 0, same_ac = 0;
	for (int i = 0; i < 1000; i++) {
		uint64_t x = rng_next(&a);
		same_ab += x == rng_next(&b);
		same_ac += x == rng_next(&c);
	}
	ck_assert_int_eq(same_ab, 0);
	ck_assert_int_eq(same_ac, 0);
}
END_TEST

START_TEST(adding_a_stream_changes_nothing_else)
{
	uint64_t alone[100];
	struct rng a;
	rng_init(&a, 9, "device");
	for (int i = 0; i < 100; i++)
		alone[i] = rng_next(&a);

	/* Same stream, now interleaved with another one that is created and used. */
	struct rng b, other;
	rng_init(&other, 9, "scheduler");
	rng_init(&b, 9, "device");
	for (int i = 0; i < 100; i++) {
		rng_next(&other);
		ck_assert_uint_eq(rng_next(&b), alone[i]);
	}
}
END_TEST

START_TEST(distributions)
{
	struct rng r;
	rng_init(&r, 1, "dist");
	int n = 200000;
	double sum = 0, sumsq = 0, esum = 0, jsum = 0, jsq = 0;
	int counts[10] = { 0 };
	for (int i = 0; i < n; i++) {
		double u = rng_double(&r);
		ck_assert(u >= 0 && u < 1);
		sum += u;
		sumsq += u * u;
		counts[rng_below(&r, 10)]++;
		int64_t k = rng_range(&r, -3, 3);
		ck_assert(k >= -3 && k <= 3);
		esum += rng_exponential(&r, 5.0);
		double j = rng_jitter(&r, 0.2);
		ck_assert(j > 0);
		jsum += j;
		jsq += j * j;
	}
	/* Uniform: mean 1/2, variance 1/12; tolerances are several standard errors. */
	ck_assert_double_eq_tol(sum / n, 0.5, 0.005);
	ck_assert_double_eq_tol(sumsq / n - (sum / n) * (sum / n), 1.0 / 12, 0.002);
	for (int i = 0; i < 10; i++)
		ck_assert_int_lt(abs(counts[i] - n / 10), n / 100);
	ck_assert_double_eq_tol(esum / n, 5.0, 0.1);
	/* Jitter: mean 1, coefficient of variation 0.2. */
	double jm = jsum / n, jcv = sqrt(jsq / n - jm * jm) / jm;
	ck_assert_double_eq_tol(jm, 1.0, 0.005);
	ck_assert_double_eq_tol(jcv, 0.2, 0.01);
	ck_assert_double_eq(rng_jitter(&r, 0), 1.0);
}
END_TEST

static Suite *rng_suite(void)
{
	Suite *s = suite_create("rng");
	TCase *tc = tcase_create("streams");
	tcase_add_test(tc, same_seed_same_name_same_sequence);
	tcase_add_test(tc, different_names_or_seeds_differ);
	tcase_add_test(tc, adding_a_stream_changes_nothing_else);
	tcase_add_test(tc, distributions);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(rng_suite)
