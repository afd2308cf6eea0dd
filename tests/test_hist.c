/* The histogram's contract: buckets tile the range, percentiles stay within
 * 1/HIST_SUB of the exact answer, and merge/reset/record_n agree with the
 * plain record path. */
#include "metrics/hist.h"
#include "wbtest.h"

#include <glib.h>
#include <math.h>
#include <stdio.h>

#define LIMIT (1ull << HIST_MAX_BITS)

static void assert_same(const struct hist *a, const struct hist *b)
{
	ck_assert_uint_eq(hist_count(a), hist_count(b));
	ck_assert_uint_eq(hist_min(a), hist_min(b));
	ck_assert_uint_eq(hist_max(a), hist_max(b));
	ck_assert(hist_mean(a) == hist_mean(b));
	for (size_t i = 0; i < hist_nbuckets(); i++)
		ck_assert_uint_eq(hist_bucket_count(a, i), hist_bucket_count(b, i));
}

START_TEST(buckets_tile_the_range)
{
	size_t n = hist_nbuckets();
	ck_assert_uint_eq(n, (HIST_MAX_BITS - HIST_SUB_BITS + 1) * HIST_SUB);
	ck_assert_uint_ge(hist_bytes(), n * sizeof(uint64_t));
	uint64_t next = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t lo, hi;
		hist_bucket_range(i, &lo, &hi);
		ck_assert_uint_eq(lo, next);
		ck_assert_uint_le(lo, hi);
		/* The width bound behind the percentile error guarantee. */
		ck_assert_uint_le((hi - lo) * HIST_SUB, lo);
		next = hi + 1;
	}
	ck_assert_uint_eq(next, LIMIT);
}
END_TEST

START_TEST(values_land_in_their_bucket)
{
	struct hist *h = hist_new();
	for (size_t i = 0; i < hist_nbuckets(); i++) {
		uint64_t lo, hi;
		hist_bucket_range(i, &lo, &hi);
		hist_reset(h);
		hist_record(h, lo);
		hist_record(h, hi);
		hist_record(h, lo + (hi - lo) / 2);
		ck_assert_uint_eq(hist_bucket_count(h, i), 3);
	}
	hist_free(h);
}
END_TEST

START_TEST(values_past_the_limit_clamp)
{
	struct hist *h = hist_new();
	size_t last = hist_nbuckets() - 1;
	hist_record(h, LIMIT);
	hist_record(h, UINT64_MAX);
	hist_record(h, LIMIT - 1);
	ck_assert_uint_eq(hist_bucket_count(h, last), 3);
	ck_assert_uint_eq(hist_max(h), UINT64_MAX);
	ck_assert_uint_eq(hist_min(h), LIMIT - 1);
	ck_assert_uint_eq(hist_percentile(h, 100), UINT64_MAX);
	/* Whatever the rank, the answer never goes past the exact max. */
	ck_assert_uint_eq(hist_percentile(h, 90), UINT64_MAX);
	hist_free(h);
}
END_TEST

START_TEST(empty)
{
	struct hist *h = hist_new();
	ck_assert_uint_eq(hist_count(h), 0);
	ck_assert_uint_eq(hist_min(h), 0);
	ck_assert_uint_eq(hist_max(h), 0);
	ck_assert(hist_mean(h) == 0.0);
	ck_assert_uint_eq(hist_percentile(h, 0), 0);
	ck_assert_uint_eq(hist_percentile(h, 50), 0);
	ck_assert_uint_eq(hist_percentile(h, 100), 0);
	hist_free(h);
}
END_TEST

START_TEST(single_value)
{
	static const uint64_t values[] = {
		0, 1, 63, 64, 65, 127, 128, 1000, 123456789, (1ull << 47) + 3, LIMIT + 5,
	};
	static const double ps[] = { -1, 0, 0.001, 1, 50, 90, 99, 99.9, 100, 200 };
	struct hist *h = hist_new();
	for (size_t i = 0; i < G_N_ELEMENTS(values); i++) {
		hist_reset(h);
		hist_record_n(h, values[i], 1 + i);
		ck_assert_uint_eq(hist_min(h), values[i]);
		ck_assert_uint_eq(hist_max(h), values[i]);
		ck_assert(hist_mean(h) == (double)values[i]);
		for (size_t j = 0; j < G_N_ELEMENTS(ps); j++)
			ck_assert_uint_eq(hist_percentile(h, ps[j]), values[i]);
	}
	hist_free(h);
}
END_TEST

START_TEST(small_values_exact)
{
	/* Below 2 * HIST_SUB every bucket is one value wide: percentiles are exact. */
	struct hist *h = hist_new();
	for (uint64_t v = 1; v <= 100; v++)
		hist_record(h, v);
	ck_assert_uint_eq(hist_percentile(h, 1), 1);
	ck_assert_uint_eq(hist_percentile(h, 50), 50);
	ck_assert_uint_eq(hist_percentile(h, 50.5), 51);
	ck_assert_uint_eq(hist_percentile(h, 99), 99);
	ck_assert_uint_eq(hist_percentile(h, 99.9), 100);
	ck_assert_uint_eq(hist_percentile(h, 0), 1);
	ck_assert_uint_eq(hist_percentile(h, 100), 100);
	ck_assert(hist_mean(h) == 50.5);
	hist_free(h);
}
END_TEST

START_TEST(decimal_percent_rank)
{
	/* 99.9 % of 1000 is rank 999 even though 99.9 is not exact in binary. */
	struct hist *h = hist_new();
	for (uint64_t v = 1; v <= 1000; v++)
		hist_record(h, v);
	ck_assert_uint_le(hist_percentile(h, 99.9), 999 + 999 / HIST_SUB);
	ck_assert_uint_lt(hist_percentile(h, 99.9), 1000);
	/* 1.1 % of 3000 computes as 33.00000000000001: still rank 33, not 34. */
	hist_reset(h);
	for (uint64_t v = 1; v <= 3000; v++)
		hist_record(h, v);
	ck_assert_uint_eq(hist_percentile(h, 1.1), 33);
	ck_assert_uint_eq(hist_percentile(h, 2.7), 81);
	hist_free(h);
}
END_TEST

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Worst relative error seen over one random data set, checking on the way that
 * every answer bounds the exact one from above. */
static double random_worst(guint32 seed, size_t n)
{
	/* Parts per 10^4, so the exact rank is integer arithmetic. */
	static const uint64_t q[] = { 1, 100, 1000, 2500, 5000, 7500, 9000, 9500,
				      9900, 9990, 9999 };
	GRand *g = g_rand_new_with_seed(seed);
	struct hist *h = hist_new();
	uint64_t *v = g_new(uint64_t, n);
	for (size_t i = 0; i < n; i++) {
		/* log-uniform from 1 ns to 10 s */
		v[i] = (uint64_t)llround(exp(g_rand_double(g) * log(1e10)));
		hist_record(h, v[i]);
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	ck_assert_uint_eq(hist_min(h), v[0]);
	ck_assert_uint_eq(hist_max(h), v[n - 1]);
	double worst = 0;
	for (size_t j = 0; j < G_N_ELEMENTS(q); j++) {
		uint64_t rank = (q[j] * n + 9999) / 10000;
		uint64_t exact = v[rank - 1];
		uint64_t got = hist_percentile(h, (double)q[j] / 100.0);
		ck_assert_uint_ge(got, exact);
		double err = (double)(got - exact) / (double)exact;
		ck_assert_msg(err < 1.0 / HIST_SUB, "p%g: got %" G_GUINT64_FORMAT
			      " exact %" G_GUINT64_FORMAT, (double)q[j] / 100.0, got, exact);
		worst = MAX(worst, err);
	}
	g_free(v);
	hist_free(h);
	g_rand_free(g);
	return worst;
}

START_TEST(random_percentile_error)
{
	static const size_t sizes[] = { 1, 7, 1000, 99991, 200000 };
	double worst = 0;
	for (guint32 seed = 1; seed <= 8; seed++)
		for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++)
			worst = MAX(worst, random_worst(seed, sizes[i]));
	printf("hist: worst relative percentile error %.5f (bound %.5f)\n",
	       worst, 1.0 / HIST_SUB);
}
END_TEST

START_TEST(percentile_monotone)
{
	GRand *g = g_rand_new_with_seed(3);
	struct hist *h = hist_new();
	for (int i = 0; i < 5000; i++)
		hist_record(h, g_rand_int_range(g, 0, 1 << 20));
	uint64_t prev = 0;
	for (double p = 0; p <= 100; p += 0.25) {
		uint64_t v = hist_percentile(h, p);
		ck_assert_uint_ge(v, prev);
		ck_assert_uint_ge(v, hist_min(h));
		ck_assert_uint_le(v, hist_max(h));
		prev = v;
	}
	hist_free(h);
	g_rand_free(g);
}
END_TEST

START_TEST(merge_equals_recording_all)
{
	GRand *g = g_rand_new_with_seed(11);
	struct hist *a = hist_new(), *b = hist_new(), *all = hist_new();
	for (int i = 0; i < 3000; i++) {
		uint64_t v = (uint64_t)g_rand_int(g) * (uint64_t)g_rand_int_range(g, 1, 100);
		hist_record(i % 3 ? a : b, v);
		hist_record(all, v);
	}
	struct hist *sum = hist_new();
	hist_merge(sum, a);             /* into an empty one */
	hist_merge(sum, b);
	assert_same(sum, all);
	hist_merge(a, b);
	assert_same(a, all);
	struct hist *empty = hist_new();
	hist_merge(a, empty);           /* no-op: min must not drop to 0 */
	assert_same(a, all);
	hist_free(empty);
	hist_free(sum);
	hist_free(a);
	hist_free(b);
	hist_free(all);
	g_rand_free(g);
}
END_TEST

START_TEST(reset_forgets)
{
	struct hist *h = hist_new(), *fresh = hist_new();
	for (uint64_t v = 5; v < 1000000; v *= 3)
		hist_record(h, v);
	hist_reset(h);
	assert_same(h, fresh);
	ck_assert_uint_eq(hist_percentile(h, 50), 0);
	hist_record(h, 42);
	ck_assert_uint_eq(hist_min(h), 42);
	ck_assert_uint_eq(hist_max(h), 42);
	hist_free(h);
	hist_free(fresh);
}
END_TEST

START_TEST(record_n_is_repeated_record)
{
	struct hist *a = hist_new(), *b = hist_new();
	uint64_t vals[] = { 3, 700, 5000, 123456, 9999999999ull };
	for (size_t i = 0; i < G_N_ELEMENTS(vals); i++) {
		hist_record_n(a, vals[i], i + 1);
		for (size_t k = 0; k <= i; k++)
			hist_record(b, vals[i]);
	}
	hist_record_n(a, 1, 0);         /* n = 0 records nothing, not even min */
	assert_same(a, b);
	ck_assert_uint_eq(hist_min(a), 3);
	hist_free(a);
	hist_free(b);
}
END_TEST

START_TEST(mean_is_exact_past_64_bits)
{
	struct hist *h = hist_new();
	hist_record_n(h, UINT64_MAX, 1000);
	hist_record_n(h, UINT64_MAX - 1000, 1000);
	ck_assert(hist_mean(h) == (double)(UINT64_MAX - 500));
	ck_assert_uint_eq(hist_count(h), 2000);
	hist_free(h);
}
END_TEST

static Suite *hist_suite(void)
{
	Suite *s = suite_create("hist");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, buckets_tile_the_range);
	tcase_add_test(tc, values_land_in_their_bucket);
	tcase_add_test(tc, values_past_the_limit_clamp);
	tcase_add_test(tc, empty);
	tcase_add_test(tc, single_value);
	tcase_add_test(tc, small_values_exact);
	tcase_add_test(tc, decimal_percent_rank);
	tcase_add_test(tc, random_percentile_error);
	tcase_add_test(tc, percentile_monotone);
	tcase_add_test(tc, merge_equals_recording_all);
	tcase_add_test(tc, reset_forgets);
	tcase_add_test(tc, record_n_is_repeated_record);
	tcase_add_test(tc, mean_is_exact_past_64_bits);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(hist_suite)
