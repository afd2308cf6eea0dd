/* sim.fio (SCENARIO_API.md "fio-style jobs", scenarios/lib/fio.lua): each option's
 * effect on the operations issued, and the errors. */
#include "lua_util.h"

START_TEST(sequential_and_random_writes)
{
	struct run_result *r = lt_ok(
		"local f = sim.file{ name = 'data', size = '1MiB' }\n"
		"local jobs = sim.fio{ name = 'w', file = f, rw = 'write', bs = '16KiB', loops = 2 }\n"
		"assert(#jobs == 1 and jobs[1]:name() == 'w')\n"
		"local rj = sim.fio{ name = 'rw', file = f, rw = 'randwrite', numjobs = 3, fsync = 8,\n"
		"                    offset = '512KiB', size = '256KiB' }\n"
		"assert(#rj == 3 and rj[3]:name() == 'rw.2')\n", "unrestricted");
	/* 2 passes of 64 blocks, and 3 jobs of one pass of 64 blocks each. */
	ck_assert_double_eq(lt_metric(r, "writes"), 2 * 64 + 3 * 64);
	ck_assert_double_eq(lt_metric(r, "fsyncs"), 3 * 8);
	ck_assert_double_eq(lt_metric(r, "lost_writes"), 0);
	run_result_free(r);
}
END_TEST

START_TEST(reads_mixes_direct_mmap)
{
	struct run_result *r = lt_ok(
		"sim.fio{ name = 'r', size = '256KiB', rw = 'read' }\n"
		"sim.fio{ name = 'rr', size = '256KiB', rw = 'randread', bs = 8192 }\n"
		"sim.fio{ name = 'mix', size = '256KiB', rw = 'randrw', rwmixread = 100 }\n"
		"sim.fio{ name = 'd', size = '256KiB', rw = 'readwrite', rwmixread = 0, direct = 1 }\n"
		"sim.fio{ name = 'm', size = '256KiB', rw = 'write', ioengine = 'mmap', fsync = 16 }\n",
		"unrestricted");
	ck_assert_double_eq(lt_metric(r, "read.count"), 64 + 32 + 64);
	ck_assert_double_eq(lt_metric(r, "dio_writes"), 64);
	ck_assert_double_eq(lt_metric(r, "stores"), 64);
	ck_assert_double_eq(lt_metric(r, "msync.count"), 4);
	ck_assert_double_eq(lt_metric(r, "writes"), 0);
	run_result_free(r);
}
END_TEST

START_TEST(runtime_thinktime_startdelay_process)
{
	struct run_result *r = lt_ok(
		"local p = sim.process{ name = 'app' }\n"
		"local f = sim.file{ name = 'data', size = '64KiB' }\n"
		"sim.fio{ name = 't', file = f, rw = 'write', runtime = '1ms', thinktime = '10us',\n"
		"         startdelay = '2ms', process = p, cpu = 2 }\n"
		"sim.spawn('check', function()\n"
		"  sim.sleep('1ms'); assert(sim.now_ns() == 1000000)\n"
		"end)\n", "unrestricted");
	/* About 1ms / (10us + a write of 600ns) writes, starting at 2ms. */
	ck_assert_double_gt(lt_metric(r, "writes"), 80);
	ck_assert_double_lt(lt_metric(r, "writes"), 101);
	ck_assert_double_ge(lt_metric(r, "sim_time"), 3e6);
	run_result_free(r);
}
END_TEST

/*
 * libaio and io_uring: direct I/O with up to iodepth in flight.  64 random 4 KiB
 * writes at depth 16 on a device that serves 32 at a time take about 64/16 service
 * times; at depth 1 (or with psync) 64.  The two engines are the same in the model.
 */
static double fio_time(const char *engine, int depth, struct run_result **out)
{
	char *text = g_strdup_printf(
		"sim.device{ write_latency = '100us', jitter = 0, queue_depth = 32 }\n"
		"sim.fio{ name = 'j', size = '256KiB', rw = 'randwrite', bs = 4096, direct = 1,\n"
		"         ioengine = '%s', iodepth = %d, loops = 1 }\n",
		engine, depth);
	struct run_result *r = lt_ok(text, "unrestricted");
	g_free(text);
	ck_assert_double_eq(lt_metric(r, "dio_writes"), 64);
	ck_assert_double_eq(lt_metric(r, "dio_write.count"), 64);
	double t = lt_metric(r, "sim_time");
	*out = r;
	return t;
}

START_TEST(libaio_and_io_uring_keep_iodepth_in_flight)
{
	struct run_result *a, *b, *c, *d;
	double deep = fio_time("libaio", 16, &a);
	double uring = fio_time("io_uring", 16, &b);
	double one = fio_time("libaio", 1, &c);
	double sync = fio_time("psync", 16, &d);
	ck_assert_double_eq(deep, uring);
	ck_assert_double_gt(deep, 4 * 100e3);
	ck_assert_double_lt(deep, 5 * 100e3);
	ck_assert_double_gt(one, 64 * 100e3);
	ck_assert_double_ge(sync, one * 0.99);
	/* At depth 16 each write still takes one service time from call to completion
	 * (plus the wait behind the device's queue, which is 32 deep here: none). */
	ck_assert_double_lt(lt_metric(a, "dio_write.p99"), 110e3);
	run_result_free(a);
	run_result_free(b);
	run_result_free(c);
	run_result_free(d);
}
END_TEST

START_TEST(fio_errors)
{
	LT_FAILS("\nsim.fio{ name = 'x', size = '1MiB', iodepth_batch = 4 }\n", SCENARIO_ERROR_INPUT,
		 "s.lua:2: sim.fio: unsupported option 'iodepth_batch'", "supported options: name, file, rw");
	LT_FAILS("sim.fio{ name = 'x', size = '1MiB', rw = 'trim' }\n", SCENARIO_ERROR_INPUT,
		 "s.lua:1: sim.fio: rw must be one of");
	LT_FAILS("sim.fio{ name = 'x', size = '1MiB', bs = '4 bytes' }\n", SCENARIO_ERROR_INPUT,
		 "s.lua:1: sim.fio: bs: bad size \"4 bytes\"");
	LT_FAILS("sim.fio{ name = 'x', size = '1MiB', runtime = 'long' }\n", SCENARIO_ERROR_INPUT,
		 "s.lua:1: sim.fio: runtime: bad duration");
	LT_FAILS("sim.fio{ name = 'x' }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "give a file, or a size");
	LT_FAILS("sim.fio{ name = 'x', size = '1MiB', numjobs = 0 }\n", SCENARIO_ERROR_INPUT,
		 "s.lua:1:", "numjobs must be an integer from 1");
	LT_FAILS("sim.fio{ name = 'x', size = '1MiB', direct = 1, ioengine = 'mmap' }\n",
		 SCENARIO_ERROR_INPUT, "s.lua:1:", "direct=1 needs ioengine=psync, libaio or io_uring");
	LT_FAILS("sim.fio{ name = 'x', size = '1MiB', ioengine = 'sync' }\n",
		 SCENARIO_ERROR_INPUT, "s.lua:1:", "ioengine must be psync, mmap, libaio or io_uring");
	LT_FAILS("sim.fio{ name = 'x', size = '1MiB', ioengine = 'libaio' }\n",
		 SCENARIO_ERROR_INPUT, "s.lua:1:", "ioengine=libaio needs direct=1");
	LT_FAILS("sim.fio{ name = 'x', size = '1MiB', ioengine = 'io_uring', direct = 1, "
		 "iodepth = 0 }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "iodepth must be an integer from 1 to 65536, got 0");
	LT_FAILS("local f = sim.file{ name = 'd', size = 4096 }\n"
		 "sim.fio{ name = 'x', file = f, size = 8192 }\n", SCENARIO_ERROR_INPUT,
		 "s.lua:2:", "lies outside file 'd'");
	LT_FAILS("sim.fio{ name = 'x', file = 'data' }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "file must be a File");
	LT_FAILS("sim.fio('x')\n", SCENARIO_ERROR_INPUT, "s.lua:1:", "expected a table");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("lua_fio");
	TCase *tc = tcase_create("fio");
	tcase_add_test(tc, sequential_and_random_writes);
	tcase_add_test(tc, reads_mixes_direct_mmap);
	tcase_add_test(tc, runtime_thinktime_startdelay_process);
	tcase_add_test(tc, libaio_and_io_uring_keep_iodepth_in_flight);
	tcase_add_test(tc, fio_errors);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(suite)
