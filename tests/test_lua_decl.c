/* Declaring the world (SCENARIO_API.md "Declaring the world"): every declaration,
 * that what it declares reaches the model, and every way to get one wrong. */
#include "lua_util.h"
#include "policy.h"

#define IN_TASK(body) \
	"local f = sim.file{ name = 'data', size = '1MiB' }\n" \
	"sim.spawn('t', function()\n" body "\nend)\n"

/* ---- sim.scenario ---------------------------------------------------------------- */

START_TEST(scenario_probe_reads_declarations)
{
	char *path = lt_write(
		"sim.scenario{ name = 'probe-me', description = 'a test', duration = '250ms',\n"
		"              policies = { 'unrestricted', 'wait-on-writeback' } }\n"
		"local n = sim.param('n', 4, 'how many')\n"
		"local r = sim.param('ratio', 0.5)\n"
		"local s = sim.param('mode', 'fast', 'a string')\n"
		"local b = sim.param('flag', false)\n");
	struct scenario_opts o = { .path = path, .seed = 1 };
	GError *err = NULL;
	struct scenario_info *i = scenario_probe(wbsim_opts(&o), &err);
	ck_assert_msg(i, "%s", err ? err->message : "?");
	ck_assert_str_eq(i->name, "probe-me");
	ck_assert_str_eq(i->description, "a test");
	ck_assert_uint_eq(i->duration, 250 * NSEC_PER_MSEC);
	ck_assert_str_eq(i->policies[0], "unrestricted");
	ck_assert_str_eq(i->policies[1], "wait-on-writeback");
	ck_assert_ptr_null(i->policies[2]);
	ck_assert_uint_eq(i->params->len, 4);
	struct param_value *p = i->params->pdata[0];
	ck_assert_str_eq(p->name, "n");
	ck_assert_str_eq(p->value, "4");
	ck_assert_str_eq(p->description, "how many");
	ck_assert_str_eq(((struct param_value *)i->params->pdata[1])->value, "0.5");
	ck_assert_str_eq(((struct param_value *)i->params->pdata[2])->value, "fast");
	ck_assert_str_eq(((struct param_value *)i->params->pdata[3])->value, "false");
	scenario_info_free(i);
	lt_remove(path);
}
END_TEST

START_TEST(scenario_defaults)
{
	/* No sim.scenario: the file's name, no policies, the default policy. */
	char *path = lt_write_named("my-test.lua", "local x = 1\n");
	struct scenario_opts o = { .path = path, .seed = 1 };
	GError *err = NULL;
	struct scenario_info *i = scenario_probe(wbsim_opts(&o), &err);
	ck_assert_msg(i, "%s", err ? err->message : "?");
	ck_assert_str_eq(i->name, "my-test");
	ck_assert_ptr_null(i->policies[0]);
	ck_assert_uint_eq(i->duration, 0);
	scenario_info_free(i);
	struct run_result *r = scenario_run(wbsim_opts(&o), &err);
	ck_assert_msg(r, "%s", err ? err->message : "?");
	ck_assert_str_eq(r->policy_spec, "wait-on-writeback");
	ck_assert_str_eq(r->scenario, "my-test");
	run_result_free(r);
	lt_remove(path);
}
END_TEST

START_TEST(scenario_first_policy_and_duration)
{
	struct run_result *r = lt_ok(
		"sim.scenario{ name = 'x', duration = '10ms', policies = { 'unrestricted' } }\n"
		"sim.spawn('forever', function() while true do sim.sleep('1ms') end end)\n", NULL);
	ck_assert_str_eq(r->policy_spec, "unrestricted");
	ck_assert_int_eq(r->end, SIM_END_DURATION);
	ck_assert_uint_eq((uint64_t)lt_metric(r, "sim_time"), 10 * NSEC_PER_MSEC);
	ck_assert_uint_gt(r->timeline->len, 100);       /* duration/200 by default */
	run_result_free(r);
	/* duration_cap shortens a longer duration, and caps a scenario that has none. */
	const char *const texts[] = {
		"sim.scenario{ duration = '10ms' }\n"
		"sim.spawn('forever', function() while true do sim.sleep('1ms') end end)\n",
		"sim.spawn('forever', function() while true do sim.sleep('1ms') end end)\n",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
		struct scenario_opts o = { .policy_spec = "unrestricted", .seed = 1,
					   .duration_cap = 3 * NSEC_PER_MSEC };
		GError *err = NULL;
		r = lt_run_opts(texts[i], &o, &err);
		ck_assert_msg(r, "%s", err ? err->message : "?");
		ck_assert_int_eq(r->end, SIM_END_DURATION);
		ck_assert_uint_eq((uint64_t)lt_metric(r, "sim_time"), 3 * NSEC_PER_MSEC);
		run_result_free(r);
	}
}
END_TEST

/*
 * Without a duration the timeline starts at 100 us and doubles its interval each time
 * it reaches 401 rows, keeping every other row.  A run whose workload ends at 1 s
 * passes 401 rows at 40, 80, 160, 320 and 640 ms, so it ends sampling every 3.2 ms:
 * rows at 0, 3.2 ms, ..., 998.4 ms (312 * 3.2), 313 of them, evenly spaced.  A fixed
 * --timeline-interval is left alone however many rows it makes.
 */
static void check_even(const GArray *tl, uint64_t step)
{
	for (guint i = 0; i < tl->len; i++)
		ck_assert_uint_eq(g_array_index(tl, struct timeline_sample, i).t, i * step);
}

START_TEST(timeline_adapts_without_duration)
{
	const char *text =
		"sim.spawn('w', function() for i = 1, 1000 do sim.sleep('1ms') end end)\n";
	struct run_result *r = lt_ok(text, "unrestricted");
	ck_assert_uint_eq((uint64_t)lt_metric(r, "sim_time"), NSEC_PER_SEC);
	ck_assert_uint_eq(r->timeline->len, 313);
	check_even(r->timeline, 3200 * NSEC_PER_USEC);
	run_result_free(r);

	struct scenario_opts o = { .policy_spec = "unrestricted", .seed = 1,
				   .timeline_interval = NSEC_PER_MSEC };
	GError *err = NULL;
	r = lt_run_opts(text, &o, &err);
	ck_assert_msg(r, "%s", err ? err->message : "?");
	ck_assert_uint_ge(r->timeline->len, 1000);
	check_even(r->timeline, NSEC_PER_MSEC);
	run_result_free(r);

	/* A short run keeps the first interval: 5 ms gives rows every 100 us. */
	r = lt_ok("sim.spawn('w', function() sim.sleep('5ms') end)\n", "unrestricted");
	ck_assert_uint_ge(r->timeline->len, 50);
	check_even(r->timeline, 100 * NSEC_PER_USEC);
	run_result_free(r);
}
END_TEST

START_TEST(scenario_errors)
{
	LT_FAILS("sim.scenario{ name = 'a', nmae = 'b' }\n", SCENARIO_ERROR_INPUT,
		 "s.lua:1:", "unknown field 'nmae'", "did you mean 'name'", "accepted fields: name");
	LT_FAILS("sim.scenario{ name = 'a' }\nsim.scenario{ name = 'b' }\n", SCENARIO_ERROR_INPUT,
		 "s.lua:2:", "only once", "s.lua:1");
	LT_FAILS("sim.scenario{ duration = 'soon' }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "duration", "bad duration \"soon\"");
	LT_FAILS("sim.scenario{ duration = 0 }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "duration must be positive");
	LT_FAILS("sim.scenario{ policies = 'unrestricted' }\n", SCENARIO_ERROR_INPUT,
		 "s.lua:1:", "policies must be a list");
	LT_FAILS("sim.scenario{ name = 5 }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "name must be a string, got number");
	LT_FAILS("sim.scenario 'x'\n", SCENARIO_ERROR_INPUT, "s.lua:1:", "expected a table");
	LT_FAILS(IN_TASK("sim.scenario{ name = 'late' }"), SCENARIO_ERROR_RUNTIME,
		 "s.lua:3:", "only be called at the top level");
	/* The list is checked when a run uses it (policies may be installed later), and
	 * the error points at the declaration. */
	struct scenario_opts o = { .seed = 1 };
	lt_fails_opts("local x = 1\nsim.scenario{ policies = { 'nonesuch' } }\n", &o,
		      SCENARIO_ERROR_INPUT, (const char *const[]){
			      "s.lua:2: sim.scenario: policies[1]: unknown policy \"nonesuch\"", NULL });
}
END_TEST

/* ---- sim.param and --set ------------------------------------------------------------ */

static const char param_scenario[] =
	"local n = sim.param('n', 4, 'count')\n"
	"local r = sim.param('ratio', 0.5)\n"
	"local s = sim.param('mode', 'fast')\n"
	"local b = sim.param('flag', false)\n"
	"sim.expect{ ['*'] = { sim_time = 0 } }\n"
	"assert(math.type(n) == 'integer', 'n is ' .. math.type(n))\n"
	"assert(math.type(r) == 'float')\n"
	"assert(type(s) == 'string' and type(b) == 'boolean')\n"
	"PARAMS = string.format('%d %g %s %s', n, r, s, tostring(b))\n"
	"assert(PARAMS == EXPECTED or EXPECTED == nil, PARAMS)\n";

START_TEST(param_defaults_and_sets)
{
	GHashTable *sets = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(sets, "n", "8");
	g_hash_table_insert(sets, "ratio", "0.25");
	g_hash_table_insert(sets, "mode", "slow");
	g_hash_table_insert(sets, "flag", "yes");
	struct scenario_opts o = { .policy_spec = "unrestricted", .seed = 1, .sets = sets };
	char *text = g_strconcat("EXPECTED = '8 0.25 slow true'\n", param_scenario, NULL);
	GError *err = NULL;
	struct run_result *r = lt_run_opts(text, &o, &err);
	ck_assert_msg(r, "%s", err ? err->message : "?");
	ck_assert_uint_eq(r->params->len, 4);
	ck_assert_str_eq(((struct param_value *)r->params->pdata[0])->value, "8");
	ck_assert_str_eq(((struct param_value *)r->params->pdata[1])->value, "0.25");
	ck_assert_str_eq(((struct param_value *)r->params->pdata[2])->value, "slow");
	ck_assert_str_eq(((struct param_value *)r->params->pdata[3])->value, "true");
	run_result_free(r);
	g_free(text);

	text = g_strconcat("EXPECTED = '4 0.5 fast false'\n", param_scenario, NULL);
	r = lt_ok(text, "unrestricted");
	ck_assert_str_eq(((struct param_value *)r->params->pdata[0])->value, "4");
	run_result_free(r);
	g_free(text);
	g_hash_table_destroy(sets);
}
END_TEST

static void fails_with_set(const char *name, const char *value, const char *const *subs)
{
	GHashTable *sets = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(sets, (char *)name, (char *)value);
	struct scenario_opts o = { .policy_spec = "unrestricted", .seed = 1, .sets = sets };
	lt_fails_opts(param_scenario, &o, SCENARIO_ERROR_INPUT, subs);
	g_hash_table_destroy(sets);
}

START_TEST(param_set_errors)
{
	fails_with_set("writers", "3", (const char *const[]){ "--set writers", "no parameter",
		       "n, ratio, mode, flag", NULL });
	fails_with_set("n", "many", (const char *const[]){ "s.lua:1:", "--set n=many",
		       "expected an integer", NULL });
	fails_with_set("ratio", "half", (const char *const[]){ "s.lua:2:", "expected a number",
		       NULL });
	fails_with_set("flag", "perhaps", (const char *const[]){ "s.lua:4:",
		       "expected true or false", NULL });
	struct scenario_opts o = { .policy_spec = "unrestricted", .seed = 1 };
	GHashTable *sets = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(sets, "x", "1");
	o.sets = sets;
	lt_fails_opts("local a = 1\n", &o, SCENARIO_ERROR_INPUT,
		      (const char *const[]){ "--set x", "declares no parameters", NULL });
	g_hash_table_destroy(sets);
}
END_TEST

START_TEST(param_errors)
{
	LT_FAILS("sim.param('n', 1)\nsim.param('n', 2)\n", SCENARIO_ERROR_INPUT, "s.lua:2:",
		 "declared twice");
	LT_FAILS("sim.param('n', {})\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "must be a number, a string or a boolean");
	LT_FAILS("sim.param('1n', 1)\n", SCENARIO_ERROR_INPUT, "s.lua:1:", "bad name");
	LT_FAILS("sim.param('n', 1, 7)\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "description of n must be a string");
	LT_FAILS(IN_TASK("sim.param('n', 1)"), SCENARIO_ERROR_RUNTIME, "s.lua:3:",
		 "top level");
}
END_TEST

/* ---- sim.device, sim.writeback, sim.costs ------------------------------------------- */

START_TEST(device_every_field)
{
	struct run_result *r = lt_ok(
		"sim.device{ model = 'ssd', write_latency = '1ms', read_latency = 0.0001,\n"
		"  flush_latency = '2ms', bandwidth = '1GiB/s', jitter = 0, queue_depth = 4,\n"
		"  scheduler = 'elevator', max_request = '128KiB', integrity = true,\n"
		"  stable_writes = false, write_cache = true, dma_at = 0.25, seek = '1ms',\n"
		"  rotation = '2ms' }\n"
		IN_TASK("f:pwrite(0, 4096)\nassert(f:fsync())"), "unrestricted");
	/* One page written at 1ms latency plus its transfer, then a 2ms flush. */
	ck_assert_double_ge(lt_metric(r, "fsync.mean"), 3e6);
	ck_assert_double_lt(lt_metric(r, "fsync.mean"), 3.2e6);
	ck_assert_double_gt(lt_metric(r, "cpu.checksum"), 0);   /* integrity reached the model */
	run_result_free(r);

	/* A disk serves one request at a time with seeks. */
	r = lt_ok("sim.device{ model = 'hdd', jitter = 0 }\n"
		  IN_TASK("f:pwrite(0, 4096)\nf:pwrite(819200, 4096)\nassert(f:fsync())"),
		  "unrestricted");
	ck_assert_double_gt(lt_metric(r, "fsync.mean"), 4e6);
	run_result_free(r);
}
END_TEST

START_TEST(writeback_every_field)
{
	/* The flusher writes expired pages on its own: no sync call at all. */
	struct run_result *r = lt_ok(
		"sim.writeback{ memory = '64MiB', dirty_background_ratio = 50, dirty_ratio = 60,\n"
		"  interval = '1ms', expire = '2ms', chunk = 16 }\n"
		IN_TASK("f:pwrite(0, 65536)\nsim.sleep('20ms')"), "unrestricted");
	ck_assert_double_eq(lt_metric(r, "fsyncs"), 0);
	ck_assert_double_ge(lt_metric(r, "disk_requests"), 1);
	ck_assert_double_eq(lt_metric(r, "disk_writes"), 16);
	run_result_free(r);

	/* Under dirty_ratio of a small memory, writers are throttled. */
	r = lt_ok("sim.writeback{ memory = '1MiB', dirty_ratio = 10, dirty_background_ratio = 5 }\n"
		  IN_TASK("f:pwrite(0, 1048576)"), "unrestricted");
	ck_assert_double_gt(lt_metric(r, "stall.throttle"), 0);
	run_result_free(r);
}
END_TEST

START_TEST(costs_every_field)
{
	struct run_result *r = lt_ok(
		"sim.costs{ syscall = '1ms', copy_page = '10us', checksum_page = '1us', fault = '3us',\n"
		"  pte_update = '100ns', tlb_shootdown = '5us', page_alloc = 0 }\n"
		IN_TASK("local t0 = sim.now_ns()\nf:pwrite(0, 4096)\n"
			"assert(sim.now_ns() - t0 == 1000000 + 10000, sim.now_ns() - t0)"),
		"unrestricted");
	ck_assert_double_eq(lt_metric(r, "write.mean"), 1010000);
	ck_assert_double_eq(lt_metric(r, "cpu.copy"), 10000);
	run_result_free(r);
}
END_TEST

START_TEST(config_errors)
{
	LT_FAILS("sim.device{ integrty = true }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "sim.device: unknown field 'integrty'", "did you mean 'integrity'",
		 "accepted fields: model, write_latency");
	LT_FAILS("sim.writeback{ intervall = '1s' }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "sim.writeback: unknown field 'intervall'", "accepted fields: memory");
	LT_FAILS("sim.costs{ sycall = '1us' }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "sim.costs: unknown field 'sycall'", "accepted fields: syscall");
	LT_FAILS("sim.device{ integrity = 'yes' }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "sim.device: integrity: expected true or false, got string");
	LT_FAILS("sim.device{ write_latency = true }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "write_latency: expected a duration", "got boolean");
	LT_FAILS("sim.device{ write_latency = '20 furlongs' }\n", SCENARIO_ERROR_INPUT,
		 "s.lua:1:", "write_latency: bad duration \"20 furlongs\"", "expected");
	LT_FAILS("sim.device{ bandwidth = '2GiB' }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "bandwidth: bad rate", "/s");
	LT_FAILS("sim.device{ max_request = '512KB' }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "max_request: bad size \"512KB\"");
	LT_FAILS("sim.device{ queue_depth = 0 }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "queue_depth: must be between 1 and 65536 (got 0)");
	LT_FAILS("sim.device{ queue_depth = 1.5 }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "queue_depth: expected a whole number");
	LT_FAILS("sim.device{ dma_at = 2 }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "dma_at: must be between 0 and 1");
	LT_FAILS("sim.device{ model = 'tape' }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "model: expected one of \"ssd\", \"hdd\", got \"tape\"");
	LT_FAILS("sim.device{ scheduler = 3 }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "scheduler: expected one of \"none\", \"reorder\", \"elevator\", got number");
	LT_FAILS("sim.device{ write_latency = -1 }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "write_latency: bad number of seconds", "negative");
	LT_FAILS("sim.writeback{ memory = -4096 }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "memory: must not be negative");
	LT_FAILS("sim.writeback{ memory = '2PiB' }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "memory: bad size");
	LT_FAILS("sim.writeback{ memory = '2048TiB' }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "memory: must be between");
	LT_FAILS("sim.writeback{ interval = 0 }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "interval: must be at least");
	LT_FAILS("sim.writeback{ dirty_ratio = 101 }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "dirty_ratio: must be between 1 and 100");
	LT_FAILS("sim.device{}\nsim.device{}\n", SCENARIO_ERROR_INPUT, "s.lua:2:",
		 "sim.device may be called only once (first called at");
	LT_FAILS("sim.costs{ [1] = 2 }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "field names must be strings");
	LT_FAILS(IN_TASK("sim.device{}"), SCENARIO_ERROR_RUNTIME, "s.lua:3:", "top level");
}
END_TEST

/* ---- files, processes, mappings, tasks ------------------------------------------------ */

START_TEST(file_process_mmap)
{
	struct run_result *r = lt_ok(
		"local f = sim.file{ name = 'data', size = '64KiB' }\n"
		"local g = sim.file{ name = 'odd', size = 5000 }\n"
		"local p = sim.process{ name = 'db' }\n"
		"local q = sim.process()\n"
		"local m = p:mmap(f)\n"
		"local m2 = p:mmap(f, { offset = '16KiB', size = 8192 })\n"
		"assert(f:size() == 65536 and f:name() == 'data' and g:size() == 5000)\n"
		"assert(m:size() == 65536 and m2:size() == 8192)\n"
		"assert(p:name() == 'db' and q:name() == 'process2')\n"
		"assert(tostring(f) == 'File(data)' and tostring(m) == 'Mapping(data)')\n"
		"sim.spawn('t', function()\n"
		"  assert(m:store(0, 65536))\n"
		"  assert(m2:store(0, 8192))\n"
		"  local m3 = p:mmap(f, { offset = 4096, size = 4096 })   -- inside a task\n"
		"  assert(m3:store(0, 1))\n"
		"  local h = sim.file{ name = 'late', size = 8192 }\n"
		"  assert(h:pwrite(0, 8192))\n"
		"  assert(g:pwrite(4096, 904))\n"
		"end, { process = p })\n", "unrestricted");
	ck_assert_double_eq(lt_metric(r, "stores"), 3);
	ck_assert_double_eq(lt_metric(r, "faults"), 16 + 2 + 1);        /* PTEs per mapping */
	ck_assert_double_eq(lt_metric(r, "writes"), 2);
	ck_assert_double_eq(lt_metric(r, "lost_writes"), 0);
	run_result_free(r);
}
END_TEST

START_TEST(file_process_mmap_errors)
{
	LT_FAILS("sim.file{ name = 'x' }\n", SCENARIO_ERROR_INPUT, "s.lua:1:", "a size is required");
	LT_FAILS("sim.file{ size = 4096 }\n", SCENARIO_ERROR_INPUT, "s.lua:1:", "a name is required");
	LT_FAILS("sim.file{ name = 'x', size = 0 }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "size must be positive");
	LT_FAILS("sim.file{ name = 'x', size = -1 }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "must not be negative");
	LT_FAILS("sim.file{ name = 'x', size = 4096.5 }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "whole number of bytes");
	LT_FAILS("sim.file{ name = 'x', size = '2048TiB' }\n", SCENARIO_ERROR_INPUT,
		 "s.lua:1:", "absurd");
	LT_FAILS("sim.file{ name = 'x', size = '4 KiB!' }\n", SCENARIO_ERROR_INPUT,
		 "s.lua:1:", "bad size \"4 KiB!\"");
	LT_FAILS("sim.file{ name = 'x', size = 4096, mode = 'rw' }\n", SCENARIO_ERROR_INPUT,
		 "s.lua:1:", "unknown field 'mode'", "accepted fields: name, size");
	LT_FAILS("sim.process{ nom = 'x' }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "unknown field 'nom'");
	static const char base[] = "local f = sim.file{ name = 'data', size = '64KiB' }\n"
				   "local p = sim.process{ name = 'db' }\n";
	char *t;
#define MAPFAIL(expr, ...) \
	t = g_strconcat(base, expr, "\n", NULL); \
	LT_FAILS(t, SCENARIO_ERROR_INPUT, "s.lua:3:", __VA_ARGS__); \
	g_free(t)
	MAPFAIL("p:mmap(f, { offset = 100 })", "not a multiple of sim.PAGE_SIZE");
	MAPFAIL("p:mmap(f, { offset = '64KiB' })", "lies outside file 'data'");
	MAPFAIL("p:mmap(f, { offset = 4096, size = '64KiB' })", "lies outside file 'data'");
	MAPFAIL("p:mmap(f, { size = 0 })", "size must be positive");
	MAPFAIL("p:mmap(f, { lenght = 4096 })", "unknown field 'lenght'");
	MAPFAIL("p:mmap(p)", "expected a File, got Process");
	MAPFAIL("p:mmap('data')", "expected a File, got string");
	MAPFAIL("sim.spawn('t', 'not a function')", "argument 2 must be the task's function");
	MAPFAIL("sim.spawn(nil, function() end)", "argument 1 must be the task's name");
	MAPFAIL("sim.spawn('t', function() end, { cpu = 256 })", "cpu must be an integer from 0");
	MAPFAIL("sim.spawn('t', function() end, { process = f })", "expected a Process, got File");
	MAPFAIL("sim.spawn('t', function() end, { start = '-1ms' })", "start: bad duration");
	MAPFAIL("sim.spawn('t', function() end, { proces = p })", "unknown field 'proces'",
		"did you mean 'process'");
#undef MAPFAIL
}
END_TEST

START_TEST(spawn_process_cpu_start)
{
	/* start delays the first step; the cpu and process reach the TLB accounting:
	 * write-protecting a page mapped by tasks on two CPUs shoots down the other. */
	struct run_result *r = lt_ok(
		"local f = sim.file{ name = 'data', size = '64KiB' }\n"
		"local p = sim.process{ name = 'db' }\n"
		"local m = p:mmap(f)\n"
		"sim.spawn('late', function() assert(sim.now_ns() == 5000000) end,\n"
		"          { start = '5ms' })\n"
		"sim.spawn('a', function() m:store(0, 8); sim.sleep('1ms'); m:msync() end,\n"
		"          { process = p, cpu = 3 })\n"
		"sim.spawn('b', function() m:load(0, 8) end, { process = p, cpu = 7 })\n",
		"unrestricted");
	ck_assert_double_eq(lt_metric(r, "tlb_shootdowns"), 1);
	run_result_free(r);
}
END_TEST

/* ---- sim.expect -------------------------------------------------------------------------- */

static const struct expect_result *find_expect(const struct run_result *r, const char *pattern,
					       const char *metric)
{
	for (guint i = 0; i < r->expects->len; i++) {
		const struct expect_result *e = r->expects->pdata[i];
		if (!strcmp(e->pattern, pattern) && !strcmp(e->metric, metric))
			return e;
	}
	return NULL;
}

static const char expect_scenario[] =
	"local f = sim.file{ name = 'data', size = '64KiB' }\n"
	"sim.spawn('t', function() for i = 0, 9 do f:pwrite(i * 4096, 4096) end; f:fsync() end)\n"
	"sim.expect{ ['*'] = { writes = 10, fsyncs = '>= 1', ['write.max'] = '< 5ms',\n"
	"                      lost_writes = '== 0', faults = '~= 3', stores = '<1',\n"
	"                      ['fsync.mean'] = '>1ns', disk_writes = '<= 9' },\n"
	"            ['unrestricted'] = { writes = '> 10' },\n"
	"            ['wait-on-writeback'] = { writes = 10 },\n"
	"            ['wait*'] = { ['write.count'] = 10 },\n"
	"            ['*:*'] = { writes = 0 } }\n"
	"sim.expect{ ['*'] = { sim_time = '>0' } }\n";

START_TEST(expect_patterns_and_predicates)
{
	struct run_result *r = lt_ok(expect_scenario, "unrestricted");
	ck_assert_str_eq(r->policy_spec, "unrestricted");
	ck_assert_uint_eq(r->expects->len, 10);         /* '*' (8), unrestricted, the 2nd call */
	const struct expect_result *e = find_expect(r, "*", "writes");
	ck_assert(e && e->pass && e->value == 10);
	ck_assert_str_eq(e->predicate, "10");
	ck_assert_str_eq(e->where + strlen(e->where) - 7, "s.lua:3");
	ck_assert(find_expect(r, "*", "fsyncs")->pass);
	ck_assert(find_expect(r, "*", "write.max")->pass);
	ck_assert_str_eq(find_expect(r, "*", "write.max")->predicate, "< 5ms");
	ck_assert(find_expect(r, "*", "lost_writes")->pass);
	ck_assert(find_expect(r, "*", "faults")->pass);
	ck_assert(find_expect(r, "*", "stores")->pass);
	ck_assert(find_expect(r, "*", "fsync.mean")->pass);
	ck_assert(!find_expect(r, "*", "disk_writes")->pass);
	ck_assert(!find_expect(r, "unrestricted", "writes")->pass);
	ck_assert_ptr_null(find_expect(r, "wait-on-writeback", "writes"));
	ck_assert_ptr_null(find_expect(r, "wait*", "write.count"));
	ck_assert_ptr_null(find_expect(r, "*:*", "writes"));    /* no options: no ':' */
	ck_assert(!run_result_passed(r));
	/* In the order of the calls, then pattern, then metric. */
	const struct expect_result *first = r->expects->pdata[0];
	const struct expect_result *last = r->expects->pdata[r->expects->len - 1];
	ck_assert_str_eq(first->metric, "disk_writes");
	ck_assert_str_eq(last->metric, "sim_time");
	ck_assert_str_eq(last->where + strlen(last->where) - 8, "s.lua:10");
	run_result_free(r);

	r = lt_ok(expect_scenario, "wait-on-writeback");
	ck_assert_uint_eq(r->expects->len, 11);
	ck_assert(find_expect(r, "wait*", "write.count")->pass);
	ck_assert(find_expect(r, "wait-on-writeback", "writes")->pass);
	run_result_free(r);
}
END_TEST

START_TEST(expect_canonical_spec)
{
	/* A pattern with options at their defaults is the policy's canonical spec. */
	if (!policy_find("page-fork", NULL))
		return;         /* written separately; nothing to canonicalise without it */
	struct run_result *r = lt_ok(
		"sim.expect{ ['page-fork:pins=wait'] = { writes = 0 },\n"
		"            ['page-fork:pins=ignore'] = { writes = 1 } }\n", "page-fork");
	ck_assert_uint_eq(r->expects->len, 1);
	ck_assert_str_eq(((struct expect_result *)r->expects->pdata[0])->pattern,
			 "page-fork:pins=wait");
	ck_assert(run_result_passed(r));
	run_result_free(r);
}
END_TEST

START_TEST(expect_errors)
{
	LT_FAILS("sim.expect{ ['*'] = { lost_write = 0 } }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "unknown metric 'lost_write'", "did you mean 'lost_writes'", "the metrics are:",
		 "K.p99");
	LT_FAILS("sim.expect{ ['unrestrictd'] = { writes = 0 } }\n", SCENARIO_ERROR_INPUT,
		 "s.lua:1:", "unknown policy \"unrestrictd\"", "unrestricted");
	LT_FAILS("sim.expect{ ['nope:*'] = { writes = 0 } }\n", SCENARIO_ERROR_INPUT,
		 "s.lua:1:", "unknown policy \"nope\"");
	LT_FAILS("sim.expect{ ['unrestricted:x=1'] = { writes = 0 } }\n", SCENARIO_ERROR_INPUT,
		 "s.lua:1:", "has no option \"x\"");
	LT_FAILS("sim.expect{ ['*'] = { writes = 'lots' } }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "bad predicate \"lots\" for writes", "< <= > >= == ~=");
	LT_FAILS("sim.expect{ ['*'] = { writes = '<< 3' } }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "bad predicate");
	LT_FAILS("sim.expect{ ['*'] = { writes = true } }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "must be a number or a string");
	LT_FAILS("sim.expect{ ['*'] = 0 }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "expected a table {metric = predicate}");
	LT_FAILS("sim.expect{ { writes = 0 } }\n", SCENARIO_ERROR_INPUT, "s.lua:1:",
		 "keys must be policy specs");
	LT_FAILS(IN_TASK("sim.expect{}"), SCENARIO_ERROR_RUNTIME, "s.lua:3:", "top level");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("lua_decl");
	TCase *tc = tcase_create("decl");
	tcase_add_test(tc, scenario_probe_reads_declarations);
	tcase_add_test(tc, scenario_defaults);
	tcase_add_test(tc, scenario_first_policy_and_duration);
	tcase_add_test(tc, timeline_adapts_without_duration);
	tcase_add_test(tc, scenario_errors);
	tcase_add_test(tc, param_defaults_and_sets);
	tcase_add_test(tc, param_set_errors);
	tcase_add_test(tc, param_errors);
	tcase_add_test(tc, device_every_field);
	tcase_add_test(tc, writeback_every_field);
	tcase_add_test(tc, costs_every_field);
	tcase_add_test(tc, config_errors);
	tcase_add_test(tc, file_process_mmap);
	tcase_add_test(tc, file_process_mmap_errors);
	tcase_add_test(tc, spawn_process_cpu_start);
	tcase_add_test(tc, expect_patterns_and_predicates);
	tcase_add_test(tc, expect_canonical_spec);
	tcase_add_test(tc, expect_errors);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(suite)
