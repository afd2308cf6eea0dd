/* The progress line of `wbsim run` and `wbsim compare`: what it says for runs with and
 * without a duration, and that a run's progress slot follows its simulated time. */
#include "cli/cli_progress.h"
#include "lua_util.h"
#include "wbtest.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void set_run(struct run_progress *r, enum run_state st, uint64_t now, uint64_t dur)
{
	atomic_store(&r->state, st);
	atomic_store(&r->sim_ns, now);
	atomic_store(&r->duration_ns, dur);
}

static void check_line(const char *label, const struct run_progress *runs, unsigned total,
		       unsigned done, double secs, const char *want)
{
	char *got = progress_format(label, runs, total, done, secs);
	ck_assert_str_eq(got, want);
	g_free(got);
}

/* A run with a duration reports its share of it: 500 ms of 2 s is 25 %. */
START_TEST(single_run_with_duration)
{
	struct run_progress r = { 0 };
	set_run(&r, RUN_RUNNING, 500 * 1000000ull, 2000 * 1000000ull);
	check_line("s.lua under page-fork", &r, 1, 0, 3.04,
		   "s.lua under page-fork: 25% of 2.00s; 3.0s elapsed");
	/* The share rounds down: 1999 ms of 2 s is not yet 100 %. */
	set_run(&r, RUN_RUNNING, 1999 * 1000000ull, 2000 * 1000000ull);
	check_line("s", &r, 1, 0, 1, "s: 99% of 2.00s; 1.0s elapsed");
}
END_TEST

/* Without a duration there is no share to give, only the simulated time. */
START_TEST(single_run_without_duration)
{
	struct run_progress r = { 0 };
	set_run(&r, RUN_RUNNING, 1200 * 1000000ull, 0);
	check_line("s", &r, 1, 0, 12.0, "s: 1.20s simulated; 12.0s elapsed");
	/* Before its first sample (still loading the scenario) it says so. */
	set_run(&r, RUN_QUEUED, 0, 0);
	check_line("s", &r, 1, 0, 1.5, "s: starting; 1.5s elapsed");
}
END_TEST

/* compare: runs done out of the total, then each run in flight, in job order; runs
 * queued or finished are not listed. */
START_TEST(several_runs)
{
	struct run_progress r[4] = { 0 };
	set_run(&r[0], RUN_DONE, 2000 * 1000000ull, 2000 * 1000000ull);
	set_run(&r[1], RUN_RUNNING, 800 * 1000000ull, 2000 * 1000000ull);
	set_run(&r[2], RUN_RUNNING, 3 * 1000000ull, 0);
	set_run(&r[3], RUN_QUEUED, 0, 0);
	check_line("c", r, 4, 1, 7.25, "c: 1/4 runs done, in flight: 40% of 2.00s, 3.00ms simulated; 7.2s elapsed");
	set_run(&r[1], RUN_DONE, 2000 * 1000000ull, 2000 * 1000000ull);
	set_run(&r[2], RUN_DONE, 9 * 1000000ull, 0);
	check_line("c", r, 4, 3, 8, "c: 3/4 runs done, starting; 8.0s elapsed");
}
END_TEST

/* progress_start with stderr on @fd; the environment decides the rest. */
static struct progress *start_on(int fd, unsigned runs)
{
	int saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
	struct progress *p = progress_start("t", runs);
	ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
	close(saved);
	return p;
}

/*
 * A line only on a terminal, and then not in CI nor on a dumb terminal; without a
 * line no run has a slot (runs report to nobody).  With one, each run has its own
 * slot and a run number past the total has none.  The terminal is a pseudo-terminal
 * the test opens; the line is stopped long before the ticker's first draw.
 */
START_TEST(slots_only_with_a_line)
{
	g_unsetenv("CI");
	g_setenv("TERM", "xterm", TRUE);
	int pipe_fds[2];
	ck_assert_int_eq(pipe(pipe_fds), 0);
	ck_assert_ptr_null(start_on(pipe_fds[1], 3));
	ck_assert_ptr_null(progress_run(NULL, 0));
	close(pipe_fds[0]);
	close(pipe_fds[1]);

	int master = posix_openpt(O_RDWR | O_NOCTTY);
	ck_assert_int_ge(master, 0);
	ck_assert_int_eq(grantpt(master), 0);
	ck_assert_int_eq(unlockpt(master), 0);
	int tty = open(ptsname(master), O_RDWR | O_NOCTTY);
	ck_assert_int_ge(tty, 0);

	struct progress *p = start_on(tty, 3);
	ck_assert_ptr_nonnull(p);
	struct run_progress *r0 = progress_run(p, 0), *r1 = progress_run(p, 1),
			    *r2 = progress_run(p, 2);
	ck_assert_ptr_nonnull(r0);
	ck_assert_ptr_nonnull(r1);
	ck_assert_ptr_nonnull(r2);
	ck_assert(r0 != r1 && r1 != r2 && r0 != r2);
	ck_assert_ptr_null(progress_run(p, 3));
	progress_stop(p);

	g_setenv("CI", "1", TRUE);
	ck_assert_ptr_null(start_on(tty, 3));
	g_unsetenv("CI");
	g_setenv("TERM", "dumb", TRUE);
	ck_assert_ptr_null(start_on(tty, 3));
	close(tty);
	close(master);
}
END_TEST

/*
 * A real run: its slot is queued before, done after, its duration is the scenario's,
 * and its simulated time is that of the last timeline sample (the sampler is what
 * moves it), which for a 1 s run sampled every 100 ms is 1 s.
 */
START_TEST(run_moves_its_slot)
{
	struct run_progress pr = { 0 };
	struct scenario_opts o = { .policy_spec = "unrestricted", .seed = 1, .progress = &pr,
				   .timeline_interval = 100 * 1000000ull };
	ck_assert_int_eq(atomic_load(&pr.state), RUN_QUEUED);
	GError *err = NULL;
	struct run_result *r = lt_run_opts(
		"sim.scenario{ name = 'p', duration = '1s' }\n"
		"local f = sim.file{ name = 'f', size = '1MiB' }\n"
		"sim.spawn('w', function()\n"
		"  while true do f:pwrite(0, 4096); sim.sleep('1ms') end\n"
		"end)\n", &o, &err);
	ck_assert_msg(r, "%s", err ? err->message : "?");
	ck_assert_int_eq(atomic_load(&pr.state), RUN_DONE);
	ck_assert_uint_eq(atomic_load(&pr.duration_ns), 1000000000ull);
	const struct timeline_sample *last =
		&g_array_index(r->timeline, struct timeline_sample, r->timeline->len - 1);
	ck_assert_uint_eq(atomic_load(&pr.sim_ns), last->t);
	ck_assert_uint_eq(atomic_load(&pr.sim_ns), 1000000000ull);
	run_result_free(r);
}
END_TEST

/* A run that fails still ends its slot: the line must not show it in flight. */
START_TEST(failed_run_is_done)
{
	struct run_progress pr = { 0 };
	struct scenario_opts o = { .policy_spec = "unrestricted", .seed = 1, .progress = &pr };
	GError *err = NULL;
	struct run_result *r = lt_run_opts(
		"sim.scenario{ name = 'p' }\n"
		"sim.spawn('w', function() error('boom') end)\n", &o, &err);
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(err);
	g_clear_error(&err);
	ck_assert_int_eq(atomic_load(&pr.state), RUN_DONE);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("progress");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, single_run_with_duration);
	tcase_add_test(tc, single_run_without_duration);
	tcase_add_test(tc, several_runs);
	tcase_add_test(tc, slots_only_with_a_line);
	tcase_add_test(tc, run_moves_its_slot);
	tcase_add_test(tc, failed_run_is_done);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(suite)
