/* The scenario API's version 2 in Lua (SCENARIO_API.md "Additions"): proc:alloc and
 * Buffers, direct I/O with a Buffer and asynchronous direct I/O with Io handles,
 * m:pin{longterm = true}; their errors; and a target without them. */
#include "lua_util.h"

#include "model/target_model.h"

/* A file, a process, a Buffer of 64 KiB, and @body as task "t" in that process. */
#define TASK(body) \
	"local f = sim.file{ name = 'data', size = '1MiB' }\n" \
	"local p = sim.process{ name = 'db' }\n" \
	"local b = p:alloc('64KiB')\n" \
	"sim.spawn('t', function()\n" body "\nend, { process = p })\n"

/* Lines 1-4 are TASK's; the body starts on line 5. */
#define BODY_LINE(n) "s.lua:" #n ":"

START_TEST(buffer_store_load_and_direct_io)
{
	struct run_result *r = lt_ok(TASK(
		"assert(tostring(b) == 'Buffer(db)' and b:size() == 65536)\n"
		"assert(b:store(0, 8192) == true)\n"
		"assert(b:load(100, 10) == true)\n"
		"assert(f:dio_write(0, 8192, { from = b }) == true)\n"
		"assert(f:dio_write(8192, 4096, { from = b, at = 4096 }) == true)\n"
		"assert(f:dio_read(0, 8192, { to = b, at = 16384 }) == true)\n"
		"f:pwrite(0, 100)\n"
		"assert(f:dio_read(0, 4096, { to = b }) == true)"), "unrestricted");
	ck_assert_double_eq(lt_metric(r, "dio_writes"), 2);
	ck_assert_double_eq(lt_metric(r, "dio_write.count"), 2);
	ck_assert_double_eq(lt_metric(r, "read.count"), 2);
	/* The last direct read comes after the cached write was flushed: not stale. */
	ck_assert_double_eq(lt_metric(r, "stale_reads"), 0);
	/* Buffer stores are the CPU's: no store, fault or write is counted for them. */
	ck_assert_double_eq(lt_metric(r, "stores"), 0);
	ck_assert_double_eq(lt_metric(r, "faults"), 0);
	run_result_free(r);
}
END_TEST

/* A Buffer may also be made inside a task, at once. */
START_TEST(alloc_inside_a_task)
{
	struct run_result *r = lt_ok(
		"local f = sim.file{ name = 'data', size = '1MiB' }\n"
		"local p = sim.process{ name = 'db' }\n"
		"sim.spawn('t', function()\n"
		"  local b = p:alloc(4096)\n"
		"  b:store(0, 4096)\n"
		"  assert(f:dio_write(0, 4096, { from = b }))\n"
		"end, { process = p })\n", "unrestricted");
	ck_assert_double_eq(lt_metric(r, "dio_writes"), 1);
	run_result_free(r);
}
END_TEST

/* xfstests' dio-writeback-race with a malloc'd buffer: a thread stores into the
 * buffer of an asynchronous direct write still in flight.  On a checksumming device
 * io:wait reports EIO; waiting again gives the same answer at once. */
START_TEST(async_write_racing_a_buffer_store)
{
	static const char *const text =
		"sim.device{ integrity = true, write_latency = '100us', jitter = 0 }\n"
		"local f = sim.file{ name = 'data', size = '1MiB' }\n"
		"local p = sim.process{ name = 'db' }\n"
		"local b = p:alloc('16KiB')\n"
		"local started = sim.event()\n"
		"sim.spawn('writer', function()\n"
		"  local io = f:dio_write(0, 16384, { from = b, async = true })\n"
		"  assert(tostring(io) == 'Io(data)' and io:is_write())\n"
		"  started:set()\n"
		"  local ok, err = io:wait()\n"
		"  local ok2, err2 = io:wait()\n"
		"  assert(ok == ok2 and err == err2)\n"
		"  sim.log('%s %s', tostring(ok), tostring(err))\n"
		"end, { process = p })\n"
		"sim.spawn('scribbler', function()\n"
		"  started:wait()\n"
		"  sim.sleep('10us')\n"
		"  b:store(8192, 64)\n"
		"end, { process = p })\n";
	GString *trace = g_string_new(NULL);
	struct scenario_opts o = { .policy_spec = "unrestricted", .seed = 1, .trace = lt_trace_line,
				   .trace_data = trace };
	GError *err = NULL;
	struct run_result *r = lt_run_opts(text, &o, &err);
	ck_assert_msg(r, "%s", err ? err->message : "?");
	ck_assert_ptr_nonnull(strstr(trace->str, "sim_log: nil EIO"));
	ck_assert_double_eq(lt_metric(r, "checksum_errors"), 1);
	/* The program heard of it once: at its first io:wait. */
	ck_assert_double_eq(lt_metric(r, "eio_returned"), 1);
	run_result_free(r);
	g_string_free(trace, TRUE);
	/* Bouncing the direct write makes the store harmless. */
	o.policy_spec = "bounce";
	trace = g_string_new(NULL);
	o.trace_data = trace;
	r = lt_run_opts(text, &o, &err);
	ck_assert_msg(r, "%s", err ? err->message : "?");
	ck_assert_ptr_nonnull(strstr(trace->str, "sim_log: true nil"));
	ck_assert_double_eq(lt_metric(r, "checksum_errors"), 0);
	run_result_free(r);
	g_string_free(trace, TRUE);
}
END_TEST

/* Many asynchronous I/Os in flight from one task, and a wait from another task. */
START_TEST(async_many_in_flight_and_a_foreign_waiter)
{
	struct run_result *r = lt_ok(
		"sim.device{ write_latency = '100us', read_latency = '100us', jitter = 0 }\n"
		"local f = sim.file{ name = 'data', size = '1MiB' }\n"
		"local ios = {}\n"
		"local t = sim.spawn('submitter', function()\n"
		"  for i = 0, 15 do ios[#ios + 1] = f:dio_write(i * 4096, 4096, { async = true }) end\n"
		"  ios[#ios + 1] = f:dio_read(0, 4096, { async = true })\n"
		"  for i = 1, 8 do assert(ios[i]:wait()) end\n"
		"  assert(sim.now() < 150e-6)\n"
		"end)\n"
		"sim.spawn('reaper', function()\n"
		"  t:join()\n"
		"  for i = 9, #ios do assert(ios[i]:wait()) end\n"
		"end)\n", "unrestricted");
	ck_assert_double_eq(lt_metric(r, "dio_writes"), 16);
	ck_assert_double_eq(lt_metric(r, "dio_write.count"), 16);
	ck_assert_double_eq(lt_metric(r, "read.count"), 1);
	ck_assert_double_lt(lt_metric(r, "dio_write.max"), 110e3);
	/* Seventeen submissions at 4.3 us each (syscall and dio_request costs), then
	 * the last one's 100 us: the run ends before 17 * 4.3 + 110 us. */
	ck_assert_double_ge(lt_metric(r, "sim_time"), 17 * 4.3e3 + 100e3);
	ck_assert_double_lt(lt_metric(r, "sim_time"), 17 * 4.3e3 + 110e3);
	run_result_free(r);
}
END_TEST

START_TEST(longterm_pin)
{
	static const char *const text =
		"local f = sim.file{ name = 'data', size = '1MiB' }\n"
		"local p = sim.process{ name = 'db' }\n"
		"local m = p:mmap(f)\n"
		"sim.spawn('rdma', function()\n"
		"  local pin, err = m:pin(0, 8192, { longterm = true })\n"
		"  sim.log('%s %s', pin and 'pin' or 'nil', tostring(err))\n"
		"  if pin then pin:write(0, 100); pin:release() end\n"
		"  assert(m:pin(0, 4096, { longterm = false })):release()\n"
		"end, { process = p })\n";
	const char *policies[] = { "unrestricted", "bounce" };
	const char *want[] = { "sim_log: nil EFAULT", "sim_log: pin nil" };
	for (int k = 0; k < 2; k++) {
		GString *trace = g_string_new(NULL);
		struct scenario_opts o = { .policy_spec = policies[k], .seed = 1,
					   .trace = lt_trace_line, .trace_data = trace };
		GError *err = NULL;
		struct run_result *r = lt_run_opts(text, &o, &err);
		ck_assert_msg(r, "%s", err ? err->message : "?");
		ck_assert_msg(strstr(trace->str, want[k]), "%s: %s", policies[k], trace->str);
		ck_assert_double_eq(lt_metric(r, "pin_writes"), k);
		run_result_free(r);
		g_string_free(trace, TRUE);
	}
}
END_TEST

START_TEST(errors)
{
	LT_FAILS("local p = sim.process{}\nlocal b = p:alloc()\n", SCENARIO_ERROR_INPUT,
		 "s.lua:2: proc:alloc: a size is required");
	LT_FAILS("local p = sim.process{}\nlocal b = p:alloc(0)\n", SCENARIO_ERROR_INPUT,
		 "s.lua:2: proc:alloc: size must be positive");
	LT_FAILS("local p = sim.process{}\nlocal b = p:alloc('1TiB')\n", SCENARIO_ERROR_INPUT,
		 "s.lua:2: proc:alloc: size 1099511627776 bytes is absurd");
	LT_FAILS(TASK("b:store(65000, 1000)"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "buf:store: offset 65000 + length 1000 lies outside Buffer of process 'db'");
	LT_FAILS(TASK("f:dio_write(0, 4096, { from = b, at = 65536 })"), SCENARIO_ERROR_RUNTIME,
		 BODY_LINE(5), "f:dio_write: from: offset 65536 + length 4096 lies outside Buffer");
	LT_FAILS(TASK("f:dio_write(0, 4096, { from = b, at = 100 })"), SCENARIO_ERROR_RUNTIME,
		 BODY_LINE(5), "and the buffer offset aligned to 512 bytes");
	LT_FAILS(TASK("f:dio_write(0, 4096, { to = b })"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "f:dio_write: the buffer of f:dio_write is 'from', not 'to'");
	LT_FAILS(TASK("f:dio_read(0, 4096, { at = 0 })"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "f:dio_read: 'at' is an offset into the Buffer given as 'to', and there is none");
	LT_FAILS(TASK("f:dio_read(0, 4096, { to = b, asynch = true })"), SCENARIO_ERROR_RUNTIME,
		 BODY_LINE(5), "unknown field 'asynch'", "did you mean 'async'");
	/* A Buffer belongs to its process, as a mapping does. */
	LT_FAILS("local f = sim.file{ name = 'data', size = '1MiB' }\n"
		 "local b = sim.process{ name = 'db' }:alloc(4096)\n"
		 "sim.spawn('other', function()\n"
		 "  f:dio_write(0, 4096, { from = b })\n"
		 "end)\n", SCENARIO_ERROR_RUNTIME, "s.lua:4:",
		 "task 'other' runs in no process, but this Buffer belongs to process 'db'");
	/* One waiter at a time. */
	LT_FAILS("local f = sim.file{ name = 'data', size = '1MiB' }\n"
		 "local io, sent = nil, sim.event()\n"
		 "sim.spawn('a', function() io = f:dio_write(0, 4096, { async = true }); sent:set(); io:wait() end)\n"
		 "sim.spawn('b', function() sent:wait(); sim.yield(); io:wait() end)\n",
		 SCENARIO_ERROR_RUNTIME, "s.lua:4:", "io:wait: task 'a' is already waiting");
}
END_TEST

/* A target that has none of version 2's operations (the Linux target, until it
 * does): each call says which target does not support it. */
static struct target_ops v1_target;

static void lt_fails_v1(const char *text, int code, const char *const *subs)
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
	static const struct target_ops *const targets[] = { &v1_target, NULL };
	struct scenario_opts o = { .policy_spec = "unrestricted", .seed = 1, .targets = targets };
	lt_fails_opts(text, &o, code, subs);
}

START_TEST(unsupported_by_the_target)
{
	lt_fails_v1("local p = sim.process{}\nlocal b = p:alloc(4096)\n"
		    "sim.spawn('t', function() end)\n", SCENARIO_ERROR_INPUT,
		    (const char *const[]){ "s.lua:2: proc:alloc: not supported by target 'v1'", NULL });
	lt_fails_v1("local f = sim.file{ name = 'data', size = '1MiB' }\n"
		    "sim.spawn('t', function()\n  f:dio_write(0, 4096, { async = true })\nend)\n",
		    SCENARIO_ERROR_RUNTIME, (const char *const[]){ "s.lua:3:",
		    "f:dio_write{async = true}: not supported by target 'v1'", NULL });
	lt_fails_v1("local f = sim.file{ name = 'data', size = '1MiB' }\n"
		    "local p = sim.process{}\nlocal m = p:mmap(f)\n"
		    "sim.spawn('t', function()\n  m:pin(0, 4096, { longterm = true })\nend, "
		    "{ process = p })\n", SCENARIO_ERROR_RUNTIME, (const char *const[]){ "s.lua:5:",
		    "m:pin{longterm = true}: not supported by target 'v1'", NULL });
	/* What version 1 had still works on it. */
	struct scenario_opts o = { .policy_spec = "unrestricted", .seed = 1 };
	static const struct target_ops *const targets[] = { &v1_target, NULL };
	o.targets = targets;
	GError *err = NULL;
	struct run_result *r = lt_run_opts("local f = sim.file{ name = 'data', size = '1MiB' }\n"
					   "sim.spawn('t', function() assert(f:dio_write(0, 4096)) end)\n",
					   &o, &err);
	ck_assert_msg(r, "%s", err ? err->message : "?");
	ck_assert_double_eq(lt_metric(r, "dio_writes"), 1);
	run_result_free(r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("lua_v2");
	TCase *tc = tcase_create("v2");
	tcase_add_test(tc, buffer_store_load_and_direct_io);
	tcase_add_test(tc, alloc_inside_a_task);
	tcase_add_test(tc, async_write_racing_a_buffer_store);
	tcase_add_test(tc, async_many_in_flight_and_a_foreign_waiter);
	tcase_add_test(tc, longterm_pin);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, unsupported_by_the_target);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(suite)
