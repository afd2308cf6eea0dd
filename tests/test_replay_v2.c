/*
 * Op-log format version 2 on a target that lacks the scenario API's version 2 (the
 * Linux target, until it has them): recording a scenario that uses one fails with
 * the message the source gives without the recorder, naming the operation and the
 * target, and leaves no log; replaying a version-2 log fails at the line that needs
 * it.  And the races a replay can lose with version-2 ids: an io_wait, or a use of a
 * Buffer, that this replay's order reaches before the line that makes the id.
 */
#include "lua_util.h"

#include <glib/gstdio.h>

#include "model/target_model.h"
#include "replay/replay.h"

static struct target_ops v1_target;
static const struct target_ops *const v1_targets[] = { &v1_target, NULL };

static void make_v1_target(void)
{
	v1_target = model_target;
	v1_target.name = "v1";
	v1_target.alloc = NULL;
	v1_target.buf_store = NULL;
	v1_target.buf_load = NULL;
	v1_target.dio = NULL;
	v1_target.result_io = NULL;
	v1_target.io_wait = NULL;
	v1_target.pin_longterm = NULL;
}

/* Record @text on the v1 target: it fails with @code and every string of @subs, and
 * no log is left. */
static void record_fails(const char *text, int code, const char *const *subs)
{
	make_v1_target();
	char *dir = g_dir_make_tmp("wbsim-recv2-XXXXXX", NULL);
	char *log = g_build_filename(dir, "x.oplog", NULL);
	GError *err = NULL;
	struct recorder *rec = recorder_new(log, NULL, &err);
	ck_assert_msg(rec, "%s", err ? err->message : "");
	struct scenario_opts o = { .policy_spec = "unrestricted", .seed = 1, .targets = v1_targets,
				   .wrap = &record_target, .wrap_data = rec };
	lt_fails_opts(text, &o, code, subs);
	recorder_abort(rec);
	ck_assert(!g_file_test(log, G_FILE_TEST_EXISTS));
	GDir *d = g_dir_open(dir, 0, NULL);
	ck_assert_ptr_null(g_dir_read_name(d));         /* nor its temporary file */
	g_dir_close(d);
	g_rmdir(dir);
	g_free(log);
	g_free(dir);
}

START_TEST(recording_on_a_target_without_version_2)
{
	record_fails("local p = sim.process{}\nlocal b = p:alloc(4096)\n"
		     "sim.spawn('t', function() end)\n", SCENARIO_ERROR_INPUT,
		     (const char *const[]){ "s.lua:2: proc:alloc: not supported by target 'v1'",
					    NULL });
	record_fails("local f = sim.file{ name = 'data', size = '1MiB' }\n"
		     "sim.spawn('t', function()\n  f:dio_read(0, 4096, { async = true })\nend)\n",
		     SCENARIO_ERROR_RUNTIME, (const char *const[]){ "s.lua:3:",
		     "f:dio_read{async = true}: not supported by target 'v1'", NULL });
	record_fails("local f = sim.file{ name = 'data', size = '1MiB' }\n"
		     "local p = sim.process{}\nlocal m = p:mmap(f)\n"
		     "sim.spawn('t', function()\n  m:pin(0, 4096, { longterm = true })\nend, "
		     "{ process = p })\n", SCENARIO_ERROR_RUNTIME, (const char *const[]){ "s.lua:5:",
		     "m:pin{longterm = true}: not supported by target 'v1'", NULL });
}
END_TEST

#define LOG2 "wbsim-oplog 2\nfile f1 name=d size=1MiB\nprocess p1\n"

static void replay_fails(const struct target_ops *const *targets, const char *text, int code,
			 const char *const *subs)
{
	struct scenario_opts o = { .policy_spec = "unrestricted", .seed = 1, .targets = targets };
	lt_fails_opts(text, &o, code, subs);
}

START_TEST(replaying_on_a_target_without_version_2)
{
	make_v1_target();
	replay_fails(v1_targets, LOG2 "buffer b1 process=p1 size=4KiB\ntask t1 name=a process=p1\n",
		     SCENARIO_ERROR_INPUT, (const char *const[]){ "s.lua:4: buffer: not supported "
		     "by target 'v1'", NULL });
	replay_fails(v1_targets, LOG2 "task t1 name=a process=p1\n"
		     "t1 @0 +0 dio_write f1 0 512 async=io1\n", SCENARIO_ERROR_RUNTIME,
		     (const char *const[]){ "s.lua:5: dio_write: not supported by target 'v1' "
		     "(task 'a', t1)", NULL });
	replay_fails(v1_targets, LOG2 "mmap m1 process=p1 file=f1 size=8KiB\n"
		     "task t1 name=a process=p1\nt1 @0 +0 pin m1 0 4096 pin1 longterm\n",
		     SCENARIO_ERROR_RUNTIME, (const char *const[]){ "s.lua:6: pin: not supported "
		     "by target 'v1'", NULL });
	replay_fails(v1_targets, LOG2 "task t1 name=a process=p1\n"
		     "t1 @0 +0 alloc b1 process=p1 size=4KiB\n", SCENARIO_ERROR_INPUT,
		     (const char *const[]){ "s.lua:5: alloc (task 'a', t1): not supported by "
		     "target 'v1'", NULL });
}
END_TEST

/* The log's tasks race; this replay's order reaches the use first. */
START_TEST(races_a_replay_loses)
{
	/* t2 waits for t1's I/O without waiting for t1: in the file t1's line comes
	 * first, in the replay t1 sleeps first. */
	replay_fails(NULL, LOG2 "task t1 name=a process=p1\ntask t2 name=b process=p1\n"
		     "t1 @0 +0 sleep 1000\nt1 @1000 +0 dio_write f1 0 512 async=io1\n"
		     "t2 @0 +0 io_wait io1\n", SCENARIO_ERROR_RUNTIME,
		     (const char *const[]){ "s.lua:8: io_wait: io1 is not in flight at this point "
		     "of the replay", "(task 'b', t2)", NULL });
	replay_fails(NULL, LOG2 "task t1 name=a process=p1\ntask t2 name=b process=p1\n"
		     "t1 @0 +0 sleep 1000\nt1 @1000 +0 alloc b1 process=p1 size=4KiB\n"
		     "t2 @0 +0 buf_store b1 0 1\n", SCENARIO_ERROR_RUNTIME,
		     (const char *const[]){ "s.lua:8: buf_store: b1 is not allocated at this point "
		     "of the replay", NULL });
	/* Waited for by another task: fine when the order holds. */
	GError *err = NULL;
	struct scenario_opts o = { .policy_spec = "unrestricted", .seed = 1 };
	struct run_result *r = lt_run_opts(LOG2 "event ev1\ntask t1 name=a process=p1\n"
					   "task t2 name=b process=p1\n"
					   "t1 @0 +0 dio_write f1 0 512 async=io1\n"
					   "t1 @0 +0 event_set ev1\nt2 @0 +0 event_wait ev1\n"
					   "t2 @0 +0 io_wait io1\n", &o, &err);
	ck_assert_msg(r, "%s", err ? err->message : "");
	ck_assert_double_eq(lt_metric(r, "dio_writes"), 1);
	run_result_free(r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("replay_v2");
	TCase *tc = tcase_create("v2");
	tcase_add_test(tc, recording_on_a_target_without_version_2);
	tcase_add_test(tc, replaying_on_a_target_without_version_2);
	tcase_add_test(tc, races_a_replay_loses);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(suite)
