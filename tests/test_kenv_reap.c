/*
 * Every way a run can end leaves the machine clean: SIGTERM and SIGINT tear
 * down in the handler, exit() without teardown in the atexit hook, and kill -9
 * leaves leftovers that the next setup of another process removes — while a live
 * run's are never touched.  Each run here is a child process that sets up a run
 * (filesystem, loop device, trace instance), reports where, and waits.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/ktrace.h"
#include "linux_util.h"

struct child {
	pid_t pid;
	int go;                 /* write end: a byte tells the child to exit(0) */
	char rundir[512];       /* with a trailing '/' */
	char prefix[128];       /* its trace instances' name prefix */
	char tracing[512];
};

static struct child start_child(void)
{
	int up[2], down[2];
	ck_assert_int_eq(pipe(up), 0);
	ck_assert_int_eq(pipe(down), 0);
	struct child c = { 0 };
	c.pid = fork();
	ck_assert_int_ge(c.pid, 0);
	if (c.pid == 0) {
		/* As a fresh program starts: Check's own handlers (which signal the
		 * whole test's process group) are not what our handler should chain to. */
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		close(up[0]);
		close(down[1]);
		struct kenv_opts o = { .fs = KENV_FS_EXT4 };
		struct kenv *e = NULL;
		struct ktrace *t = NULL;
		GError *err = NULL;
		if (!kenv_setup(&o, &e, &err) || !ktrace_start(e, 0, &t, &err)) {
			dprintf(up[1], "error %s\n", err->message);
			_exit(3);
		}
		char *prefix = kenv_trace_prefix();
		dprintf(up[1], "%s/\t%s\t%s\n", kenv_rundir(e), prefix, kenv_tracing_dir(e));
		char b;
		if (read(down[0], &b, 1) == 1)
			exit(0);          /* no teardown: the atexit hook's job */
		_exit(4);
	}
	close(up[1]);
	close(down[0]);
	c.go = down[1];
	char line[1200] = { 0 };
	ssize_t n = 0, r;
	while (n < (ssize_t)sizeof line - 1 && (r = read(up[0], line + n, 1)) == 1 && line[n] != '\n')
		n++;
	close(up[0]);
	line[n] = '\0';
	ck_assert_msg(sscanf(line, "%511[^\t]\t%127[^\t]\t%511[^\n]", c.rundir, c.prefix,
			     c.tracing) == 3, "child said: %s", line);
	return c;
}

/* What a run owns, counted from the machine's side. */
static int owned(const struct child *c)
{
	return mounts_under(c->rundir) + loops_under(c->rundir) +
	       instances_named(c->tracing, c->prefix) +
	       g_file_test(c->rundir, G_FILE_TEST_EXISTS);
}

/* A run is up: its filesystem mounted, its device attached, its instance and
 * directory there (4 things, 5 with its own tracefs mount). */
static void assert_up(const struct child *c)
{
	ck_assert_int_eq(loops_under(c->rundir), 1);
	ck_assert_int_ge(mounts_under(c->rundir), 1);
	ck_assert_int_eq(instances_named(c->tracing, c->prefix), 1);
	ck_assert(g_file_test(c->rundir, G_FILE_TEST_IS_DIR));
}

static int wait_status(pid_t pid)
{
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return st;
}

START_TEST(test_kill9_reaped_live_untouched)
{
	struct child dead = start_child(), live = start_child();
	assert_up(&dead);
	assert_up(&live);
	kill(dead.pid, SIGKILL);
	int st = wait_status(dead.pid);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	/* SIGKILL runs no handler: everything is still there. */
	assert_up(&dead);

	struct kenv_opts o = { .fs = KENV_FS_NONE, .image_size = 16 << 20 };
	struct kenv *e = setup_or_fail(&o);
	ck_assert_int_eq(owned(&dead), 0);
	assert_up(&live);
	kenv_teardown(e);

	kill(live.pid, SIGKILL);
	wait_status(live.pid);
	e = setup_or_fail(&o);
	kenv_teardown(e);
	ck_assert_int_eq(owned(&live), 0);
}
END_TEST

/* The handler tears down and then the signal kills the process as it would
 * have without us: the parent sees death by that signal, not an exit. */
START_TEST(test_signals_tear_down)
{
	static const int sigs[] = { SIGTERM, SIGINT };
	for (size_t i = 0; i < G_N_ELEMENTS(sigs); i++) {
		struct child c = start_child();
		assert_up(&c);
		kill(c.pid, sigs[i]);
		int st = wait_status(c.pid);
		ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == sigs[i], "status %#x", st);
		ck_assert_int_eq(owned(&c), 0);
	}
}
END_TEST

START_TEST(test_exit_without_teardown)
{
	struct child c = start_child();
	assert_up(&c);
	ck_assert_int_eq(write(c.go, "x", 1), 1);
	int st = wait_status(c.pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(owned(&c), 0);
}
END_TEST

/* A leftover whose name is not an owner token is nobody we know: left alone. */
START_TEST(test_foreign_names_left_alone)
{
	char *odd = g_build_filename(KENV_BASE_DIR, "not-a-run", NULL);
	ck_assert_int_eq(g_mkdir_with_parents(odd, 0700), 0);
	struct kenv_opts o = { .fs = KENV_FS_NONE, .image_size = 16 << 20 };
	kenv_teardown(setup_or_fail(&o));
	ck_assert(g_file_test(odd, G_FILE_TEST_IS_DIR));
	ck_assert_int_eq(rmdir(odd), 0);
	g_free(odd);
}
END_TEST

static Suite *reap_suite(void)
{
	Suite *s = suite_create("kenv_reap");
	TCase *tc = tcase_create("reap");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_kill9_reaped_live_untouched);
	tcase_add_test(tc, test_signals_tear_down);
	tcase_add_test(tc, test_exit_without_teardown);
	tcase_add_test(tc, test_foreign_names_left_alone);
	suite_add_tcase(s, tc);
	return s;
}

LINUX_TEST_MAIN(reap_suite)
