/*
 * Watching a run never changes it.  The timeline sampler is an event like any other:
 * sampled every microsecond, it lands inside many of the short windows in which a
 * task pays CPU time (the 300 ns of a syscall's exit, say), so the task sleeps and
 * resumes instead of running straight on; sampled once an hour, it never does.  Every
 * catalogue scenario, under every policy it declares, must give the same counters and
 * the same latencies both ways.  (fsync once judged its result again when its exit
 * had to sleep, counting its fsync violations twice: this is the test that found it.)
 */
#include "cli/wbsim.h"
#include "engine/engine.h"
#include "wbtest.h"

#include <string.h>

static struct run_result *run(const char *path, const char *policy, uint64_t interval)
{
	GHashTable *sets = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(sets, "scale", "0.1");
	struct scenario_opts o = { .path = path, .policy_spec = policy, .seed = 1, .sets = sets,
				   .timeline_interval = interval };
	GError *err = NULL;
	struct run_result *r = scenario_run(wbsim_opts(&o), &err);
	ck_assert_msg(r, "%s under %s: %s", path, policy, err ? err->message : "?");
	g_hash_table_unref(sets);
	return r;
}

static void check_same(const char *path, const char *policy)
{
	struct run_result *fine = run(path, policy, 1000);
	struct run_result *coarse = run(path, policy, 3600 * NSEC_PER_SEC);
	ck_assert_uint_gt(fine->timeline->len, coarse->timeline->len);
	for (int c = 0; c < M_NR_COUNTERS; c++)
		ck_assert_msg(fine->m->c[c] == coarse->m->c[c],
			      "%s under %s: counter %d is %" G_GUINT64_FORMAT " sampled every 1us, %"
			      G_GUINT64_FORMAT " sampled hourly", path, policy, c,
			      fine->m->c[c], coarse->m->c[c]);
	for (int k = 0; k < OPK_NR; k++) {
		const struct hist *a = fine->m->lat[k], *b = coarse->m->lat[k];
		ck_assert_msg(hist_count(a) == hist_count(b) && hist_max(a) == hist_max(b) &&
			      hist_min(a) == hist_min(b) && hist_mean(a) == hist_mean(b),
			      "%s under %s: latencies of kind %d differ (count %" G_GUINT64_FORMAT
			      " / %" G_GUINT64_FORMAT ")", path, policy, k, hist_count(a),
			      hist_count(b));
	}
	run_result_free(fine);
	run_result_free(coarse);
}

START_TEST(sampling_changes_nothing)
{
	char *dir = g_build_filename(WBSIM_SOURCE_DIR, "scenarios", NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	ck_assert_ptr_nonnull(d);
	GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
	for (const char *n; (n = g_dir_read_name(d));)
		if (g_str_has_suffix(n, ".lua"))
			g_ptr_array_add(paths, g_build_filename(dir, n, NULL));
	g_dir_close(d);
	ck_assert_uint_ge(paths->len, 10);
	unsigned runs = 0;
	for (guint i = 0; i < paths->len; i++) {
		struct scenario_opts o = { .path = paths->pdata[i], .seed = 1 };
		GError *err = NULL;
		struct scenario_info *info = scenario_probe(wbsim_opts(&o), &err);
		ck_assert_msg(info, "%s: %s", (char *)paths->pdata[i], err ? err->message : "?");
		for (char **p = info->policies; *p; p++, runs++)
			check_same(paths->pdata[i], *p);
		scenario_info_free(info);
	}
	ck_assert_uint_ge(runs, 40);
	g_ptr_array_free(paths, TRUE);
	g_free(dir);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("observer");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, sampling_changes_nothing);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(suite)
