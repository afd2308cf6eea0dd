/*
 * The linux: target (sim/linux/target_linux.c) end to end: a scenario file run on the
 * kernel through the same run seam as the model, into the same metrics, with what the
 * kernel cannot measure absent (n/a, never 0); a batch mixing model and kernel specs;
 * expectations on an n/a metric; a Buffer raced by asynchronous direct writes
 * (dio-buffer-race); and the hazard: mmap stores during writeback wait
 * with stable_writes=1 and not with 0.  SKIPs (77) with kenv_check()'s reason on a
 * machine without root, loop devices or tracefs.
 */
#include <string.h>

#include "cli/wbsim.h"
#include "linux/kexec.h"
#include "metrics/metric_table.h"
#include "run/batch.h"
#include "linux_util.h"

#define SMALL WBSIM_SOURCE_DIR "/tests/linux/small.lua"
#define HAZARD WBSIM_SOURCE_DIR "/tests/linux/hazard.lua"

static struct run_result *run_or_fail(const char *path, const char *spec)
{
	struct scenario_opts o;
	wbsim_opts_init(&o);
	o.path = path;
	o.policy_spec = spec;
	GError *err = NULL;
	struct run_result *r = scenario_run(&o, &err);
	ck_assert_msg(r, "%s under %s: %s", path, spec, err ? err->message : "?");
	return r;
}

static double metric(const struct run_result *r, const char *name)
{
	double v = -1;
	ck_assert_msg(metrics_lookup(r->m, name, &v), "%s", name);
	return v;
}

START_TEST(test_small_scenario_end_to_end)
{
	struct run_result *r = run_or_fail(SMALL, "linux:stable_writes=1");
	ck_assert_str_eq(r->policy_spec, "linux:stable_writes=1");
	ck_assert_int_eq(r->end, SIM_END_IDLE);
	/* Every operation timed in the same histograms. */
	ck_assert_double_eq(metric(r, "write.count"), 100);
	ck_assert_double_eq(metric(r, "writes"), 100);
	ck_assert_double_eq(metric(r, "store.count"), 50);
	ck_assert_double_eq(metric(r, "fsync.count"), 2);
	ck_assert_double_eq(metric(r, "msync.count"), 1);
	ck_assert(metric(r, "write.mean") > 0);
	/* Measured by the environment: the device wrote the data. */
	ck_assert(!metrics_absent(r->m, "disk_writes"));
	ck_assert(metric(r, "disk_writes") >= 32 + 2);
	ck_assert(metric(r, "disk_requests") >= 1);
	ck_assert(!metrics_absent(r->m, "stable_waits"));
	ck_assert(!metrics_absent(r->m, "stall.throttle"));
	/* The data check ran and found every write. */
	ck_assert(!metrics_absent(r->m, "lost_at_end"));
	ck_assert_double_eq(metric(r, "lost_at_end"), 0);
	/* Not measurable on the kernel: absent, never 0. */
	const char *na[] = { "faults", "lost_writes", "checksum_errors", "fsync_violations",
			     "stale_overwrites", "forks", "stall.pin", "cpu.copy", "fault.p99" };
	for (size_t i = 0; i < G_N_ELEMENTS(na); i++)
		ck_assert_msg(metrics_absent(r->m, na[i]), "%s should be n/a", na[i]);
	char *json = report_summary_json(r);
	ck_assert_msg(strstr(json, "\"faults\" : null"), "%s", json);
	ck_assert(strstr(json, "\"stable_waits\" : "));
	ck_assert(!strstr(json, "\"stable_waits\" : null"));
	/* The integrity device is listed as not applied, and the run went on. */
	ck_assert(r->not_applied);
	bool integrity = false;
	for (char **n = r->not_applied; *n; n++)
		integrity = integrity || strstr(*n, "integrity");
	ck_assert(integrity);
	ck_assert(strstr(json, "\"not_applied\""));
	g_free(json);
	/* The expectation on checksum_errors (n/a here) is n/a, not a failure. */
	bool seen = false;
	for (guint i = 0; i < r->expects->len; i++) {
		const struct expect_result *e = r->expects->pdata[i];
		if (!strcmp(e->metric, "checksum_errors")) {
			seen = true;
			ck_assert(e->absent);
			ck_assert(e->pass);
		}
	}
	ck_assert(seen);
	ck_assert(run_result_passed(r));
	run_result_free(r);
	/* Nothing of the run is left on the machine. */
	ck_assert_int_eq(mounts_under(KENV_BASE_DIR), 0);
	ck_assert_int_eq(loops_under(KENV_BASE_DIR), 0);
}
END_TEST

/* A batch mixing the model and the kernel: every run done, the kernel's after the
 * pool's, their metrics side by side. */
START_TEST(test_batch_mixes_model_and_kernel)
{
	struct scenario_opts base;
	wbsim_opts_init(&base);
	base.path = SMALL;
	const char *specs[] = { "wait-on-writeback", "linux:stable_writes=1", "unrestricted",
				"linux:stable_writes=0" };
	struct batch b = { .base = &base, .specs = specs, .nspecs = 4, .nseeds = 1 };
	ck_assert(batch_run(&b));
	for (int i = 0; i < 4; i++) {
		ck_assert_str_eq(b.runs[i]->policy_spec, specs[i]);
		bool kernel = !strncmp(specs[i], "linux", 5);
		ck_assert_int_eq(metrics_absent(b.runs[i]->m, "faults"), kernel);
		ck_assert_double_eq(metric(b.runs[i], "write.count"), 100);
	}
	batch_clear(&b);
}
END_TEST

/* The hazard: mmap stores during writeback with stable_writes=1 give at least ten
 * times the folio_wait_writeback events of stable_writes=0 (plus one, so 0 against 0
 * fails).  Two rounds, alternating, summed: a busy patch of the machine hits both. */
START_TEST(test_stable_writes_make_mmap_stores_wait)
{
	double with = 0, without = 0;
	for (int round = 0; round < 2; round++) {
		struct run_result *on = run_or_fail(HAZARD, "linux:stable_writes=1,loop=direct");
		struct run_result *off = run_or_fail(HAZARD, "linux:stable_writes=0,loop=direct");
		printf("round %d: stable_waits %.0f with stable_writes=1 (store p99 %.0f ns), "
		       "%.0f with 0 (store p99 %.0f ns)\n", round, metric(on, "stable_waits"),
		       metric(on, "store.p99"), metric(off, "stable_waits"), metric(off, "store.p99"));
		with += metric(on, "stable_waits");
		without += metric(off, "stable_waits");
		ck_assert_double_eq(metric(on, "store.count"), 3000);
		run_result_free(on);
		run_result_free(off);
	}
	ck_assert_msg(with >= 10 * (without + 1), "%.0f waits with stable_writes=1, %.0f without",
		      with, without);
}
END_TEST

/* dio-buffer-race (scenarios/): a Buffer of the app process, asynchronous direct writes
 * from its slots while another task stores into it, on the kernel through io_uring;
 * every write counted and timed, none lost, checksums n/a (no integrity device). */
START_TEST(test_dio_buffer_race_runs_on_the_kernel)
{
	struct scenario_opts o;
	wbsim_opts_init(&o);
	o.path = WBSIM_SOURCE_DIR "/scenarios/dio-buffer-race.lua";
	o.policy_spec = "linux:stable_writes=1";
	o.sets = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(o.sets, "scale", "0.05");
	GError *err = NULL;
	struct run_result *r = scenario_run(&o, &err);
	ck_assert_msg(r, "%s", err ? err->message : "?");
	ck_assert_int_eq(r->end, SIM_END_IDLE);
	ck_assert_double_eq(metric(r, "dio_writes"), 200);
	ck_assert_double_eq(metric(r, "dio_write.count"), 200);
	ck_assert(metric(r, "dio_write.p99") > 0);
	ck_assert_double_eq(metric(r, "lost_at_end"), 0);
	ck_assert_double_eq(metric(r, "stale_reads"), 0);
	ck_assert(metrics_absent(r->m, "checksum_errors"));
	ck_assert(run_result_passed(r));
	run_result_free(r);
	g_hash_table_destroy(o.sets);
	ck_assert_int_eq(mounts_under(KENV_BASE_DIR), 0);
	ck_assert_int_eq(loops_under(KENV_BASE_DIR), 0);
}
END_TEST

/* A long-term pin is refused with an error naming the call and the target; the run
 * that ends on it frees everything once (it once freed kexec's metrics twice). */
START_TEST(test_a_long_term_pin_is_refused)
{
	struct scenario_opts o;
	wbsim_opts_init(&o);
	o.path = WBSIM_SOURCE_DIR "/tests/linux/longterm.lua";
	o.policy_spec = "linux:stable_writes=1";
	GError *err = NULL;
	ck_assert_ptr_null(scenario_run(&o, &err));
	ck_assert_msg(err && strstr(err->message, "longterm.lua:10: m:pin{longterm = true}: not "
				    "supported by target 'linux'"), "%s", err ? err->message : "no error");
	g_clear_error(&err);
	ck_assert_int_eq(mounts_under(KENV_BASE_DIR), 0);
	ck_assert_int_eq(loops_under(KENV_BASE_DIR), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("target_linux");
	TCase *tc = tcase_create("kernel");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_small_scenario_end_to_end);
	tcase_add_test(tc, test_batch_mixes_model_and_kernel);
	tcase_add_test(tc, test_stable_writes_make_mmap_stores_wait);
	tcase_add_test(tc, test_dio_buffer_race_runs_on_the_kernel);
	tcase_add_test(tc, test_a_long_term_pin_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

LINUX_TEST_MAIN(suite)
