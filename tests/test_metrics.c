/* Metric names are public API (SCENARIO_API.md): pin them down literally, and
 * check every name reads back the number it stands for. */
#include "metrics/metrics.h"
#include "wbtest.h"

#include <glib.h>
#include <string.h>

static const char *const want_counters[] = {
	"writes", "stores", "faults", "pin_writes", "dio_writes", "fsyncs",
	"disk_writes", "disk_requests", "dio_write_bw", "redundant_writes", "checksum_errors",
	"eio_returned", "stale_overwrites", "lost_writes", "lost_at_end", "fsync_violations",
	"stale_reads", "stale_cache_pages", "forks", "bounces", "pte_updates",
	"tlb_shootdowns", "forked_pages_peak", "bounce_pages_peak", "stable_waits",
	"stall.stable", "stall.pin", "stall.refork", "stall.throttle",
	"cpu.copy", "cpu.checksum", "cpu.pte", "cpu.tlb", "sim_time",
};

static const char *const want_kinds[] = {
	"write", "store", "fault", "fsync", "msync", "dio_write", "pin_write", "read", "throttle",
};

static const char *const want_stats[] = {
	"count", "mean", "p50", "p90", "p99", "p999", "max",
};

START_TEST(names_are_the_documented_ones)
{
	ck_assert_uint_eq(G_N_ELEMENTS(want_counters), M_NR_COUNTERS);
	ck_assert_uint_eq(G_N_ELEMENTS(want_kinds), OPK_NR);
	ck_assert_uint_eq(G_N_ELEMENTS(want_stats), LS_NR);
	for (int c = 0; c < M_NR_COUNTERS; c++) {
		ck_assert_str_eq(metric_counter_name(c), want_counters[c]);
		ck_assert(metric_counter_is_time(c) ==
			  (c >= M_STALL_STABLE && c <= M_SIM_TIME));
	}
	ck_assert_str_eq(metric_counter_name(M_REDUNDANT_WRITES), "redundant_writes");
	ck_assert_str_eq(metric_counter_name(M_FORKED_PAGES_PEAK), "forked_pages_peak");
	ck_assert_str_eq(metric_counter_name(M_STALL_PIN), "stall.pin");
	ck_assert(!metric_counter_is_time(M_BOUNCE_PAGES_PEAK));
	ck_assert(metric_counter_is_time(M_CPU_TLB));
	for (int k = 0; k < OPK_NR; k++)
		ck_assert_str_eq(op_kind_name(k), want_kinds[k]);
	for (int s = 0; s < LS_NR; s++)
		ck_assert_str_eq(latency_stat_name(s), want_stats[s]);
}
END_TEST

START_TEST(metric_names_in_report_order)
{
	const char *const *names = metric_names();
	ck_assert_ptr_eq(names, metric_names());        /* static, built once */
	size_t i = 0;
	for (int c = 0; c < M_NR_COUNTERS; c++)
		ck_assert_str_eq(names[i++], want_counters[c]);
	for (int k = 0; k < OPK_NR; k++)
		for (int s = 0; s < LS_NR; s++) {
			char *n = g_strdup_printf("%s.%s", want_kinds[k], want_stats[s]);
			ck_assert_str_eq(names[i++], n);
			g_free(n);
		}
	ck_assert_ptr_null(names[i]);
	ck_assert_uint_eq(i, M_NR_COUNTERS + OPK_NR * LS_NR);
	/* Unique, and every one of them valid. */
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (i = 0; names[i]; i++) {
		ck_assert(metric_name_valid(names[i]));
		ck_assert(g_hash_table_add(seen, (gpointer)names[i]));
	}
	g_hash_table_unref(seen);
	ck_assert_str_eq(names[M_NR_COUNTERS], "write.count");
}
END_TEST

static void expected_latency(const struct hist *h, int s, double *v)
{
	static const double pct[] = { [LS_P50] = 50, [LS_P90] = 90, [LS_P99] = 99,
				       [LS_P999] = 99.9 };
	switch (s) {
	case LS_COUNT:
		*v = (double)hist_count(h);
		break;
	case LS_MEAN:
		*v = hist_mean(h);
		break;
	case LS_MAX:
		*v = (double)hist_max(h);
		break;
	default:
		*v = (double)hist_percentile(h, pct[s]);
	}
}

START_TEST(every_name_round_trips)
{
	struct metrics *m = metrics_new();
	for (int c = 0; c < M_NR_COUNTERS; c++)
		metrics_add(m, c, 1000 * (uint64_t)c + 7);
	GRand *g = g_rand_new_with_seed(5);
	for (int k = 0; k < OPK_NR; k++)
		for (int i = 0; i < 500 * (k + 1); i++)
			metrics_latency(m, k, (uint64_t)g_rand_int_range(g, 1, 1000000) * (k + 1));
	g_rand_free(g);

	const char *const *names = metric_names();
	for (int c = 0; c < M_NR_COUNTERS; c++) {
		double v = -1;
		ck_assert(metrics_lookup(m, names[c], &v));
		ck_assert(v == (double)(1000 * (uint64_t)c + 7));
	}
	for (int k = 0; k < OPK_NR; k++)
		for (int s = 0; s < LS_NR; s++) {
			const char *n = names[M_NR_COUNTERS + k * LS_NR + s];
			double v = -1, want;
			ck_assert(metrics_lookup(m, n, &v));
			expected_latency(m->lat[k], s, &want);
			ck_assert_msg(v == want, "%s: %g != %g", n, v, want);
		}
	double v;
	ck_assert(metrics_lookup(m, "pin_write.count", &v));
	ck_assert(v == 500.0 * (OPK_PIN_WRITE + 1));
	metrics_free(m);
}
END_TEST

START_TEST(latency_lookups_match_hist)
{
	struct metrics *m = metrics_new();
	uint64_t sum = 0;
	for (uint64_t i = 1; i <= 1000; i++) {
		metrics_latency(m, OPK_FSYNC, i * 1000);
		sum += i * 1000;
	}
	struct { const char *name; double want; } c[] = {
		{ "fsync.count", 1000 },
		{ "fsync.mean", (double)sum / 1000 },
		{ "fsync.p50", (double)hist_percentile(m->lat[OPK_FSYNC], 50) },
		{ "fsync.p90", (double)hist_percentile(m->lat[OPK_FSYNC], 90) },
		{ "fsync.p99", (double)hist_percentile(m->lat[OPK_FSYNC], 99) },
		{ "fsync.p999", (double)hist_percentile(m->lat[OPK_FSYNC], 99.9) },
		{ "fsync.max", 1000000 },
		{ "write.count", 0 }, { "write.mean", 0 }, { "write.p99", 0 },
		{ "write.max", 0 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(c); i++) {
		double v = -1;
		ck_assert(metrics_lookup(m, c[i].name, &v));
		ck_assert_msg(v == c[i].want, "%s: %g != %g", c[i].name, v, c[i].want);
	}
	/* Percentiles are within the histogram's precision of the truth. */
	double v;
	ck_assert(metrics_lookup(m, "fsync.p50", &v));
	ck_assert(v >= 500000 && v < 500000 * (1 + 1.0 / HIST_SUB));
	ck_assert(metrics_lookup(m, "fsync.p999", &v));
	ck_assert(v >= 999000 && v <= 1000000);
	metrics_free(m);
}
END_TEST

START_TEST(unknown_names_rejected)
{
	static const char *const bad[] = {
		"", "bogus", "write.p98", "stall.", "stall", "cpu", ".p99", "write.",
		"write", "write.P99", "Write.p99", "writes ", " writes", "write.p99 ",
		"write.p99.9", "write.p999x", "write..p99", "write_p99", "stall.pin.p99",
		"pin_writes.count", "read.min", "sync.p99", "sim_time.max", "forked_pages",
	};
	struct metrics *m = metrics_new();
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		double v = 42;
		ck_assert_msg(!metrics_lookup(m, bad[i], &v), "\"%s\" accepted", bad[i]);
		ck_assert(v == 42);
		ck_assert(!metric_name_valid(bad[i]));
	}
	double v = 42;
	ck_assert(!metrics_lookup(m, NULL, &v));
	ck_assert(!metric_name_valid(NULL));
	metrics_free(m);
}
END_TEST

START_TEST(gauges_track_peaks)
{
	struct metrics *m = metrics_new();
	metrics_gauge_forked(m, 5);
	metrics_gauge_forked(m, 3);
	ck_assert_uint_eq(m->forked_pages, 8);
	ck_assert_uint_eq(m->c[M_FORKED_PAGES_PEAK], 8);
	metrics_gauge_forked(m, -6);
	ck_assert_uint_eq(m->forked_pages, 2);
	ck_assert_uint_eq(m->c[M_FORKED_PAGES_PEAK], 8);
	metrics_gauge_forked(m, 6);
	ck_assert_uint_eq(m->c[M_FORKED_PAGES_PEAK], 8);        /* equal is no new peak */
	metrics_gauge_forked(m, 1);
	ck_assert_uint_eq(m->c[M_FORKED_PAGES_PEAK], 9);
	metrics_gauge_forked(m, -9);
	ck_assert_uint_eq(m->forked_pages, 0);
	ck_assert_uint_eq(m->c[M_BOUNCE_PAGES_PEAK], 0);        /* gauges are separate */

	metrics_gauge_bounce(m, 100);
	metrics_gauge_bounce(m, -100);
	metrics_gauge_bounce(m, 40);
	ck_assert_uint_eq(m->bounce_pages, 40);
	ck_assert_uint_eq(m->c[M_BOUNCE_PAGES_PEAK], 100);
	ck_assert_uint_eq(m->c[M_FORKED_PAGES_PEAK], 9);

	double v;
	ck_assert(metrics_lookup(m, "bounce_pages_peak", &v));
	ck_assert(v == 100);
	ck_assert(metrics_lookup(m, "forked_pages_peak", &v));
	ck_assert(v == 9);
	metrics_free(m);
}
END_TEST

START_TEST(counters_and_free)
{
	struct metrics *m = metrics_new();
	metrics_inc(m, M_CHECKSUM_ERRORS);
	metrics_inc(m, M_CHECKSUM_ERRORS);
	metrics_add(m, M_STALL_PIN, 1500);
	double v;
	ck_assert(metrics_lookup(m, "checksum_errors", &v));
	ck_assert(v == 2);
	ck_assert(metrics_lookup(m, "stall.pin", &v));
	ck_assert(v == 1500);
	ck_assert(metrics_lookup(m, "stall.stable", &v));
	ck_assert(v == 0);
	metrics_free(m);
	metrics_free(NULL);
}
END_TEST

/* Runs happen on several threads: each with its own metrics, all sharing the
 * name tables. */
static gpointer thread_run(gpointer arg)
{
	uint64_t id = GPOINTER_TO_UINT(arg);
	struct metrics *m = metrics_new();
	for (uint64_t i = 0; i < 10000; i++)
		metrics_latency(m, OPK_WRITE, i * id);
	double v = 0;
	for (const char *const *n = metric_names(); *n; n++)
		g_assert(metrics_lookup(m, *n, &v));
	metrics_lookup(m, "write.max", &v);
	metrics_free(m);
	return GUINT_TO_POINTER(v == (double)(9999 * id));
}

START_TEST(threads)
{
	GThread *t[4];
	for (guint i = 0; i < G_N_ELEMENTS(t); i++)
		t[i] = g_thread_new("metrics", thread_run, GUINT_TO_POINTER(i + 1));
	for (guint i = 0; i < G_N_ELEMENTS(t); i++)
		ck_assert(GPOINTER_TO_UINT(g_thread_join(t[i])));
}
END_TEST

static Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, names_are_the_documented_ones);
	tcase_add_test(tc, metric_names_in_report_order);
	tcase_add_test(tc, every_name_round_trips);
	tcase_add_test(tc, latency_lookups_match_hist);
	tcase_add_test(tc, unknown_names_rejected);
	tcase_add_test(tc, gauges_track_peaks);
	tcase_add_test(tc, counters_and_free);
	tcase_add_test(tc, threads);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(metrics_suite)
