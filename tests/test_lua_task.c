/* Inside a task (SCENARIO_API.md "Inside a task"): every call, what it does to the
 * model, its results, blocking from anywhere a coroutine may yield, and the errors. */
#include "lua_util.h"

/* A file, a process, a mapping, and @body as the task "t" in that process. */
#define TASK(body) \
	"local f = sim.file{ name = 'data', size = '1MiB' }\n" \
	"local p = sim.process{ name = 'db' }\n" \
	"local m = p:mmap(f)\n" \
	"sim.spawn('t', function()\n" body "\nend, { process = p })\n"

/* Lines 1-4 are TASK's; the body starts on line 5. */
#define BODY_LINE(n) "s.lua:" #n ":"

/* The sim_log lines of a run's trace, message parts only. */
static char *logged(const char *text, const char *policy)
{
	GString *trace = g_string_new(NULL);
	struct scenario_opts o = { .policy_spec = policy, .seed = 7, .trace = lt_trace_line,
				   .trace_data = trace };
	GError *err = NULL;
	struct run_result *r = lt_run_opts(text, &o, &err);
	ck_assert_msg(r, "%s", err ? err->message : "?");
	run_result_free(r);
	GString *out = g_string_new(NULL);
	char **lines = g_strsplit(trace->str, "\n", -1);
	for (char **l = lines; *l; l++) {
		const char *m = strstr(*l, "sim_log: ");
		if (m)
			g_string_append_printf(out, "%s\n", m + 9);
	}
	g_strfreev(lines);
	g_string_free(trace, TRUE);
	return g_string_free(out, FALSE);
}

/* ---- time, randomness, events, joins ------------------------------------------------ */

START_TEST(now_sleep_yield)
{
	struct run_result *r = lt_ok(
		"ORDER = {}\n"
		"sim.spawn('a', function()\n"
		"  assert(sim.now() == 0 and sim.now_ns() == 0)\n"
		"  ORDER[#ORDER + 1] = 'a1'; sim.yield(); ORDER[#ORDER + 1] = 'a2'\n"
		"  sim.sleep('1.5ms'); assert(sim.now_ns() == 1500000, sim.now_ns())\n"
		"  sim.sleep(0.001); assert(sim.now_ns() == 2500000)\n"
		"  assert(math.abs(sim.now() - 0.0025) < 1e-12)\n"
		"  assert(math.type(sim.now_ns()) == 'integer' and math.type(sim.now()) == 'float')\n"
		"  assert(sim.sleep(0) == nil)\n"
		"end)\n"
		"sim.spawn('b', function()\n"
		"  ORDER[#ORDER + 1] = 'b1'; sim.yield(); ORDER[#ORDER + 1] = 'b2'\n"
		"end)\n"
		"sim.spawn('check', function()\n"
		"  assert(table.concat(ORDER, ' ') == 'a1 b1 a2 b2', table.concat(ORDER, ' '))\n"
		"end, { start = '1ms' })\n", "unrestricted");
	ck_assert_uint_eq((uint64_t)lt_metric(r, "sim_time"), 2500000);
	run_result_free(r);
}
END_TEST

static const char rand_scenario[] =
	"local function draw(name)\n"
	"  sim.spawn(name, function()\n"
	"    local t = {}\n"
	"    for i = 1, 4 do t[#t + 1] = string.format('%.6f', sim.rand()) end\n"
	"    for i = 1, 4 do t[#t + 1] = sim.randint(-3, 1000) end\n"
	"    for i = 1, 2 do t[#t + 1] = math.random(6) end\n"
	"    for i = 1, 4 do local v = sim.randint(5, 6); assert(v == 5 or v == 6) end\n"
	"    assert(sim.randint(7, 7) == 7)\n"
	"    sim.log('%s %s', name, table.concat(t, ' '))\n"
	"  end)\n"
	"end\n"
	"draw('x')\n"
	"if EXTRA then draw('y') end\n";

START_TEST(rand_randint_streams)
{
	char *a = logged(rand_scenario, "unrestricted");
	char *b = logged(rand_scenario, "wait-on-writeback");
	ck_assert_str_eq(a, b);         /* the same under every policy */
	char *text = g_strconcat("EXTRA = true\n", rand_scenario, NULL);
	char *c = logged(text, "unrestricted");
	ck_assert_msg(g_str_has_prefix(c, a), "another task shifted x's numbers:\n%s\n%s", a, c);
	ck_assert(strstr(c, "\ny "));
	ck_assert_str_ne(strchr(a, ' '), strchr(strstr(c, "\ny ") + 1, ' '));
	g_free(a);
	g_free(b);
	g_free(c);
	g_free(text);
}
END_TEST

START_TEST(events)
{
	struct run_result *r = lt_ok(
		"local ev = sim.event('go')\n"
		"local later = sim.event()\n"
		"assert(not ev:is_set())\n"
		"sim.spawn('waiter', function()\n"
		"  ev:wait(); assert(sim.now_ns() == 3000000)\n"
		"  assert(ev:is_set())\n"
		"  ev:wait()                       -- set already: returns at once\n"
		"  assert(sim.now_ns() == 3000000)\n"
		"  later:set(); later:set()        -- a second set changes nothing\n"
		"end)\n"
		"sim.spawn('setter', function()\n"
		"  sim.sleep('3ms'); ev:set()\n"
		"  later:wait(); assert(sim.now_ns() == 3000000)\n"
		"end)\n"
		"assert(tostring(ev) == 'Event(go)')\n", "unrestricted");
	run_result_free(r);
}
END_TEST

START_TEST(join)
{
	struct run_result *r = lt_ok(
		"local a = sim.spawn('a', function() sim.sleep('2ms') end)\n"
		"local quick = sim.spawn('quick', function() end)\n"
		"sim.spawn('b', function()\n"
		"  assert(not a:is_done())\n"
		"  a:join(); assert(sim.now_ns() == 2000000); assert(a:is_done())\n"
		"  quick:join(); assert(sim.now_ns() == 2000000)\n"
		"  assert(a:name() == 'a')\n"
		"end)\n", "unrestricted");
	run_result_free(r);
	LT_FAILS("local t\nt = sim.spawn('self', function()\n  t:join()\nend)\n",
		 SCENARIO_ERROR_RUNTIME, "s.lua:3:", "cannot wait for itself");
}
END_TEST

/* ---- files -------------------------------------------------------------------------------- */

START_TEST(file_pwrite_pread_fsync)
{
	struct run_result *r = lt_ok(TASK(
		"assert(f:pwrite(0, 8192) == true)\n"
		"assert(f:pwrite('8KiB', '4KiB'))\n"
		"assert(f:pread(0, 12288) == true)\n"
		"assert(f:pread(1040384, 8192))      -- not cached: read from the device\n"
		"assert(f:fsync())\n"
		"assert(f:pwrite(100, 1))\n"
		"assert(f:fdatasync())"), "unrestricted");
	ck_assert_double_eq(lt_metric(r, "writes"), 3);
	ck_assert_double_eq(lt_metric(r, "read.count"), 2);
	ck_assert_double_ge(lt_metric(r, "read.max"), 80000);   /* the device's read latency */
	ck_assert_double_eq(lt_metric(r, "fsyncs"), 2);
	ck_assert_double_eq(lt_metric(r, "fsync.count"), 2);
	ck_assert_double_eq(lt_metric(r, "disk_writes"), 4);
	ck_assert_double_eq(lt_metric(r, "lost_writes"), 0);
	run_result_free(r);
}
END_TEST

START_TEST(file_sync_range)
{
	struct run_result *r = lt_ok(TASK(
		"f:pwrite(0, 65536)\n"
		"local t0 = sim.now_ns()\n"
		"assert(f:sync_range(0, 32768, 'write'))      -- starts writeback, does not wait\n"
		"assert(sim.now_ns() - t0 < 20000)\n"
		"assert(f:sync_range(0, 32768, 'wait'))       -- waits for it\n"
		"assert(sim.now_ns() - t0 > 20000)\n"
		"t0 = sim.now_ns()\n"
		"assert(f:sync_range(32768, 0, 'write_wait')) -- 0: to the end of the file\n"
		"assert(sim.now_ns() - t0 > 20000)\n"
		"local w = sim.now_ns()\n"
		"assert(f:fsync())                            -- nothing left to write"), "unrestricted");
	ck_assert_double_eq(lt_metric(r, "disk_writes"), 16);
	ck_assert_double_eq(lt_metric(r, "fsyncs"), 1);
	run_result_free(r);
	LT_FAILS(TASK("f:sync_range(0, 4096, 'now')"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "how must be \"write\", \"wait\" or \"write_wait\", got now");
	LT_FAILS(TASK("f:sync_range(0, 4096)"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "how must be", "got no value");
	LT_FAILS(TASK("f:sync_range('1MiB', 0, 'write')"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "lies outside file 'data'");
}
END_TEST

START_TEST(file_dio)
{
	struct run_result *r = lt_ok(TASK(
		"assert(f:dio_write(0, 8192))\n"
		"assert(m:store(65536, 4096))\n"
		"assert(f:dio_write(4096, 4096, { from = m, at = 65536 }))\n"
		"assert(f:dio_write(8192, 512, { from = m }))\n"
		"assert(f:dio_read(0, 16384))"), "unrestricted");
	ck_assert_double_eq(lt_metric(r, "dio_writes"), 3);
	ck_assert_double_eq(lt_metric(r, "dio_write.count"), 3);
	ck_assert_double_eq(lt_metric(r, "read.count"), 1);
	ck_assert_double_eq(lt_metric(r, "stale_reads"), 0);
	run_result_free(r);
	LT_FAILS(TASK("f:dio_write(100, 4096)"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "O_DIRECT needs the offset, the length aligned to 512 bytes (got offset 100, "
		 "length 4096)");
	LT_FAILS(TASK("f:dio_write(0, 4096, { from = m, at = 10 })"), SCENARIO_ERROR_RUNTIME,
		 BODY_LINE(5), "and the buffer offset aligned", "(got offset 0, length 4096, at 10)");
	LT_FAILS(TASK("f:dio_write(0, 4096, { at = 4096 })"), SCENARIO_ERROR_RUNTIME,
		 BODY_LINE(5), "'at' is an offset into the mapping or Buffer given as 'from'");
	LT_FAILS(TASK("f:dio_write(0, 4096, { from = m, at = '1MiB' })"), SCENARIO_ERROR_RUNTIME,
		 BODY_LINE(5), "lies outside mapping of file 'data'");
	LT_FAILS(TASK("f:dio_write(0, 4096, { form = m })"), SCENARIO_ERROR_RUNTIME,
		 BODY_LINE(5), "unknown field 'form'", "did you mean 'from'");
	LT_FAILS(TASK("f:dio_write(0, 4096, { from = f })"), SCENARIO_ERROR_RUNTIME,
		 BODY_LINE(5), "from: expected a Mapping or a Buffer, got File");
	LT_FAILS(TASK("f:dio_read(0, 4096, { from = m })"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "f:dio_read: the buffer of f:dio_read is 'to', not 'from'");
}
END_TEST

/* ---- mappings and pins ---------------------------------------------------------------------- */

START_TEST(mapping_store_load_msync_unmap)
{
	struct run_result *r = lt_ok(TASK(
		"assert(m:store(0, 4096) == true)\n"
		"assert(m:store(10, 20))          -- same page, PTE writable: no fault\n"
		"assert(m:load(0, 65536))\n"
		"assert(m:msync(0, 4096))\n"
		"assert(m:store(4096, 8))\n"
		"assert(m:msync())                -- the whole mapping\n"
		"assert(m:msync(4096))            -- from 4096 to the end\n"
		"m:unmap()"), "unrestricted");
	ck_assert_double_eq(lt_metric(r, "stores"), 3);
	ck_assert_double_eq(lt_metric(r, "faults"), 2);
	ck_assert_double_eq(lt_metric(r, "msync.count"), 3);
	ck_assert_double_eq(lt_metric(r, "fsyncs"), 3);
	ck_assert_double_eq(lt_metric(r, "disk_writes"), 2);
	ck_assert_double_eq(lt_metric(r, "read.count"), 1);
	run_result_free(r);
	LT_FAILS(TASK("m:unmap()\n\nm:store(0, 1)"), SCENARIO_ERROR_RUNTIME, BODY_LINE(7),
		 "m:store: the mapping of file 'data' was unmapped at", "s.lua:5\n");
	LT_FAILS(TASK("m:unmap()\nm:unmap()"), SCENARIO_ERROR_RUNTIME, BODY_LINE(6),
		 "was unmapped at");
	LT_FAILS(TASK("m:unmap()\nm:pin(0, 1)"), SCENARIO_ERROR_RUNTIME, BODY_LINE(6),
		 "was unmapped");
	LT_FAILS(TASK("m:unmap()\nf:dio_write(0, 4096, { from = m })"), SCENARIO_ERROR_RUNTIME,
		 BODY_LINE(6), "was unmapped");
}
END_TEST

START_TEST(pins)
{
	struct run_result *r = lt_ok(TASK(
		"local pin = m:pin(8192, 8192)\n"
		"assert(tostring(pin) == 'Pin(data)' and pin:size() == 8192)\n"
		"assert(pin:write(0, 8192) == true)\n"
		"assert(pin:write(4096, 1))\n"
		"assert(pin:release() == true)\n"
		"assert(f:fsync())"), "unrestricted");
	ck_assert_double_eq(lt_metric(r, "pin_writes"), 2);
	ck_assert_double_eq(lt_metric(r, "pin_write.count"), 2);
	ck_assert_double_eq(lt_metric(r, "disk_writes"), 2);    /* released: dirty, synced */
	ck_assert_double_eq(lt_metric(r, "lost_writes"), 0);
	run_result_free(r);
	/* A task of another process may write through the pin and release it: its
	 * write is new content, and the release dirties the page the fsync had
	 * cleaned, so the final sync writes it again (neither write is redundant:
	 * the page was written before it was pinned). */
	r = lt_ok("local f = sim.file{ name = 'data', size = '1MiB' }\n"
		  "local p = sim.process{ name = 'db' }\n"
		  "local nic = sim.process{ name = 'nic' }\n"
		  "local m = p:mmap(f)\n"
		  "sim.spawn('t', function()\n"
		  "  f:pwrite(0, 4096)\n"
		  "  PIN = m:pin(0, 4096)\n"
		  "  assert(f:fsync())\n"
		  "end, { process = p })\n"
		  "sim.spawn('device', function()\n"
		  "  sim.sleep('1ms'); assert(PIN:write(0, 64)); PIN:release()\n"
		  "end, { process = nic })\n", "unrestricted");
	ck_assert_double_eq(lt_metric(r, "pin_writes"), 1);
	ck_assert_double_eq(lt_metric(r, "disk_writes"), 2);
	ck_assert_double_eq(lt_metric(r, "redundant_writes"), 0);
	ck_assert_double_eq(lt_metric(r, "lost_writes"), 0);
	run_result_free(r);
	LT_FAILS(TASK("local pin = m:pin(0, 4096)\npin:release()\npin:write(0, 1)"),
		 SCENARIO_ERROR_RUNTIME, BODY_LINE(7), "pin:write: the pin was released at",
		 "s.lua:6\n");
	LT_FAILS(TASK("local pin = m:pin(0, 4096)\npin:release()\npin:release()"),
		 SCENARIO_ERROR_RUNTIME, BODY_LINE(7), "pin:release: the pin was released at");
	LT_FAILS(TASK("local pin = m:pin(0, 4096)\npin:write(4000, 100)"), SCENARIO_ERROR_RUNTIME,
		 BODY_LINE(6), "offset 4000 + length 100 lies outside pin of file 'data' (4096");
}
END_TEST

START_TEST(sync_log_page_size)
{
	const char *text = TASK(
		"assert(sim.PAGE_SIZE == 4096)\n"
		"f:pwrite(0, 3 * sim.PAGE_SIZE)\n"
		"assert(sim.sync() == true)\n"
		"sim.log('synced %d pages at %s', 3, sim.now_ns())\n"
		"sim.log('plain 100%')\n"
		"sim.log(42)");
	struct run_result *r = lt_ok(text, "unrestricted");
	ck_assert_double_eq(lt_metric(r, "fsyncs"), 1);
	ck_assert_double_eq(lt_metric(r, "fsync.count"), 1);
	ck_assert_double_eq(lt_metric(r, "disk_writes"), 3);
	run_result_free(r);
	char *log = logged(text, "unrestricted");
	ck_assert_msg(g_str_has_prefix(log, "synced 3 pages at "), "%s", log);
	ck_assert(strstr(log, "\nplain 100%\n42\n"));
	g_free(log);
	/* The trace line carries the task's name in ftrace layout. */
	GString *trace = g_string_new(NULL);
	struct scenario_opts o = { .policy_spec = "unrestricted", .seed = 1,
				   .trace = lt_trace_line, .trace_data = trace };
	GError *err = NULL;
	r = lt_run_opts("sim.spawn('logger', function() sim.sleep('1us'); sim.log('hi') end)\n",
			&o, &err);
	ck_assert_msg(r, "%s", err ? err->message : "?");
	ck_assert_msg(strstr(trace->str, "logger-") && strstr(trace->str, "0.000001000: sim_log: hi"),
		      "%s", trace->str);
	run_result_free(r);
	g_string_free(trace, TRUE);
}
END_TEST

START_TEST(eio)
{
	/* A pin holder writes while the page is under writeback on an integrity device:
	 * the device rejects the write and fsync reports it, once. */
	struct run_result *r = lt_ok(
		"sim.device{ integrity = true, jitter = 0 }\n"
		TASK("local pin = m:pin(0, 4096)\n"
		     "pin:write(0, 4096)\n"
		     "pin:release()\n"
		     "pin = m:pin(0, 4096)\n"
		     "assert(f:sync_range(0, 4096, 'write'))\n"
		     "pin:write(0, 64)\n"
		     "local ok, e = f:fsync()\n"
		     "assert(ok == nil and e == 'EIO', tostring(ok) .. ' ' .. tostring(e))\n"
		     "assert(f:fsync() == true)\n"
		     "pin:release()"), "unrestricted");
	ck_assert_double_ge(lt_metric(r, "checksum_errors"), 1);
	ck_assert_double_eq(lt_metric(r, "eio_returned"), 1);
	run_result_free(r);
}
END_TEST

/* ---- blocking from anywhere a coroutine can yield --------------------------------------------- */

START_TEST(blocking_nested_and_in_pcall)
{
	struct run_result *r = lt_ok(TASK(
		"local function helper(n)\n"
		"  if n == 0 then sim.sleep('1ms'); return f:pwrite(0, 4096) end\n"
		"  return helper(n - 1)\n"
		"end\n"
		"assert(helper(5))\n"
		"local ok, v = pcall(function() sim.sleep('1ms'); assert(f:fsync()); return 7 end)\n"
		"assert(ok and v == 7)\n"
		"local ok2, err = pcall(function() sim.sleep('1ms'); f:pwrite(-1, 1) end)\n"
		"assert(not ok2 and err:find('must not be negative'))\n"
		"assert(f:pwrite(4096, 1))        -- the task goes on after a caught error\n"
		"for _, off in ipairs({ 0, 4096 }) do m:store(off, 1) end\n"
		"local it = setmetatable({}, { __index = function(t, k) sim.sleep('1ms'); return k end })\n"
		"assert(it.x == 'x')              -- metamethods may block too\n"
		"assert(sim.now_ns() >= 4000000)"), "unrestricted");
	ck_assert_double_eq(lt_metric(r, "writes"), 2);
	ck_assert_double_eq(lt_metric(r, "stores"), 2);
	run_result_free(r);
}
END_TEST

START_TEST(blocking_where_it_cannot)
{
	LT_FAILS(TASK("local co = coroutine.wrap(function() f:pwrite(0, 1) end)\nco()"),
		 SCENARIO_ERROR_RUNTIME, BODY_LINE(5), "f:pwrite: cannot block inside a coroutine");
	LT_FAILS(TASK("local t = { 3, 1, 2 }\ntable.sort(t, function(a, b) sim.sleep(0) return a < b end)"),
		 SCENARIO_ERROR_RUNTIME, BODY_LINE(6), "sim.sleep: cannot block here");
	LT_FAILS(TASK("coroutine.yield()"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "coroutine.yield() called outside a coroutine of the task's own");
	LT_FAILS(TASK("coroutine.resume(coroutine.running())"), SCENARIO_ERROR_RUNTIME,
		 BODY_LINE(5), "coroutine.resume: not allowed on a task's own coroutine");
	/* Non-blocking calls are fine inside a coroutine the task made. */
	struct run_result *r = lt_ok(TASK(
		"sim.sleep('1ms')\n"
		"local co = coroutine.wrap(function() coroutine.yield(sim.now_ns(), sim.rand()) end)\n"
		"assert(co() == 1000000)"), "unrestricted");
	run_result_free(r);
}
END_TEST

START_TEST(outside_a_task)
{
	static const char *const calls[] = {
		"sim.now()", "sim.now_ns()", "sim.sleep(1)", "sim.yield()", "sim.rand()",
		"sim.randint(1, 2)", "sim.sync()", "sim.log('x')", "f:pwrite(0, 1)",
		"f:pread(0, 1)", "f:fsync()", "f:fdatasync()", "f:sync_range(0, 1, 'write')",
		"f:dio_write(0, 512)", "f:dio_read(0, 512)", "m:store(0, 1)", "m:load(0, 1)",
		"m:msync()", "m:unmap()", "m:pin(0, 1)", "ev:set()", "ev:wait()", "t:join()",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(calls); i++) {
		char *text = g_strdup_printf(
			"local f = sim.file{ name = 'data', size = '1MiB' }\n"
			"local p = sim.process{ name = 'db' }\n"
			"local m = p:mmap(f)\n"
			"local ev = sim.event()\n"
			"local t = sim.spawn('t', function() end)\n"
			"%s\n", calls[i]);
		LT_FAILS(text, SCENARIO_ERROR_INPUT, "s.lua:6:",
			 "must be called inside a task (a function given to sim.spawn)");
		g_free(text);
	}
}
END_TEST

START_TEST(operation_argument_errors)
{
	LT_FAILS(TASK("f:pwrite('1MiB', 1)"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "f:pwrite: offset 1048576 + length 1 lies outside file 'data' (1048576 bytes)");
	LT_FAILS(TASK("f:pread(1048575, 2)"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "lies outside file 'data'");
	LT_FAILS(TASK("f:pwrite(0, 0)"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "the length must be positive");
	LT_FAILS(TASK("f:pwrite(-4096, 1)"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "f:pwrite: offset: must not be negative");
	LT_FAILS(TASK("f:pwrite(0.5, 1)"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "offset: expected a whole number of bytes");
	LT_FAILS(TASK("f:pwrite(0)"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "f:pwrite: length: missing");
	LT_FAILS(TASK("f:pwrite(0, {})"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "length: expected a number of bytes, got table");
	LT_FAILS(TASK("f:pwrite(0, '1 parsec')"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "bad size \"1 parsec\"");
	LT_FAILS(TASK("m:store(1048576, 1)"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "m:store: offset 1048576 + length 1 lies outside mapping of file 'data'");
	LT_FAILS(TASK("m:load(0, '2MiB')"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "lies outside mapping");
	LT_FAILS(TASK("m:msync(4096, 1048576)"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "lies outside mapping");
	LT_FAILS(TASK("m.store(f, 0, 1)"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "m:store: expected a Mapping, got File");
	LT_FAILS(TASK("sim.sleep('forever')"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "sim.sleep: bad duration \"forever\"");
	LT_FAILS(TASK("sim.sleep(-1)"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "sim.sleep: bad number of seconds");
	LT_FAILS(TASK("sim.randint(5, 1)"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "the interval [5, 1] is empty");
	LT_FAILS(TASK("sim.randint(1.5, 2)"), SCENARIO_ERROR_RUNTIME, BODY_LINE(5),
		 "sim.randint: lo: expected an integer");
	/* A mapping belongs to its process. */
	LT_FAILS("local f = sim.file{ name = 'data', size = '1MiB' }\n"
		 "local m = sim.process{ name = 'db' }:mmap(f)\n"
		 "sim.spawn('stranger', function()\n"
		 "  m:store(0, 1)\n"
		 "end)\n", SCENARIO_ERROR_RUNTIME, "s.lua:4:",
		 "task 'stranger' runs in no process, but this mapping belongs to process 'db'");
}
END_TEST

START_TEST(task_error_has_traceback)
{
	LT_FAILS(TASK("local function inner() local x = nil; return x.y end\n"
		      "local function outer() local v = inner(); return v end\n"
		      "outer()"), SCENARIO_ERROR_RUNTIME, "task 't': ", BODY_LINE(5),
		 "attempt to index a nil value", "stack traceback:", "in local 'outer'",
		 BODY_LINE(7));
	/* Error values without a position of their own get the line they were raised at. */
	LT_FAILS(TASK("error({ code = 1 })"), SCENARIO_ERROR_RUNTIME, "task 't'",
		 BODY_LINE(5) " (error object is a table value)");
	LT_FAILS(TASK("error('plain', 0)"), SCENARIO_ERROR_RUNTIME, "task 't': ",
		 BODY_LINE(5) " plain");
}
END_TEST

START_TEST(deadlock_names_what_each_task_waits_for)
{
	struct scenario_opts o = { .policy_spec = "wait-on-writeback", .seed = 1 };
	lt_fails_opts("local go = sim.event('go')\n"
		      "local anon = sim.event()\n"
		      "local a = sim.spawn('waiter', function()\n"
		      "  go:wait()\n"
		      "end)\n"
		      "sim.spawn('joiner', function()\n"
		      "  a:join()\n"
		      "end)\n"
		      "sim.spawn('other', function() sim.sleep('1ms'); anon:wait() end)\n"
		      "sim.spawn('done', function() end)\n", &o, SCENARIO_ERROR_DEADLOCK,
		      (const char *const[]){ "s.lua: deadlock",
		      "task 'waiter' at ", "s.lua:4 waits for event 'go' (created at ",
		      "s.lua:1), which no task sets",
		      "task 'joiner' at ", "s.lua:7 waits for task 'waiter' to finish",
		      "task 'other' at ", "s.lua:9 waits for event (created at ", "s.lua:2)",
		      NULL });
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("lua_task");
	TCase *tc = tcase_create("task");
	tcase_add_test(tc, now_sleep_yield);
	tcase_add_test(tc, rand_randint_streams);
	tcase_add_test(tc, events);
	tcase_add_test(tc, join);
	tcase_add_test(tc, file_pwrite_pread_fsync);
	tcase_add_test(tc, file_sync_range);
	tcase_add_test(tc, file_dio);
	tcase_add_test(tc, mapping_store_load_msync_unmap);
	tcase_add_test(tc, pins);
	tcase_add_test(tc, sync_log_page_size);
	tcase_add_test(tc, eio);
	tcase_add_test(tc, blocking_nested_and_in_pcall);
	tcase_add_test(tc, blocking_where_it_cannot);
	tcase_add_test(tc, outside_a_task);
	tcase_add_test(tc, operation_argument_errors);
	tcase_add_test(tc, task_error_has_traceback);
	tcase_add_test(tc, deadlock_names_what_each_task_waits_for);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(suite)
