/*
 * bench_lua — operations per second a scenario can issue from Lua.
 *
 * One task runs a tight loop of m:store (or f:pwrite) over 16 pages that stay dirty
 * and are never under writeback (the loop ends long before the flusher's first
 * wakeup), so each call takes the fast path: checks, the model's operation, results
 * returned without a yield.  The figure is loop iterations per second of wall time,
 * the whole scenario_run included (state set-up, the final sync), best of three.
 *
 *   bench_lua            2,000,000 operations per loop kind
 *   bench_lua --quick    200,000
 */
#include "cli/wbsim.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

static const char scenario[] =
	"local n = sim.param('n', 1000000)\n"
	"local kind = sim.param('kind', 'store')\n"
	"local f = sim.file{ name = 'data', size = '64KiB' }\n"
	"local p = sim.process{ name = 'bench' }\n"
	"local m = p:mmap(f)\n"
	"sim.spawn('loop', function()\n"
	"  if kind == 'store' then\n"
	"    for i = 1, n do m:store((i & 15) << 12, 8) end\n"
	"  elseif kind == 'pwrite' then\n"
	"    for i = 1, n do f:pwrite((i & 15) << 12, 8) end\n"
	"  else\n"
	"    local x = 0\n"
	"    for i = 1, n do x = x + ((i & 15) << 12) end\n"
	"  end\n"
	"end, { process = p })\n";

static double run(const char *path, const char *kind, const char *n, uint64_t *ops)
{
	GHashTable *sets = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(sets, "n", (char *)n);
	g_hash_table_insert(sets, "kind", (char *)kind);
	struct scenario_opts o = { .path = path, .policy_spec = "wait-on-writeback", .seed = 1,
				   .sets = sets, .instr_budget = UINT64_MAX / 2 };
	GError *err = NULL;
	gint64 t0 = g_get_monotonic_time();
	struct run_result *r = scenario_run(wbsim_opts(&o), &err);
	double s = (double)(g_get_monotonic_time() - t0) / 1e6;
	if (!r) {
		fprintf(stderr, "bench_lua: %s\n", err->message);
		exit(1);
	}
	double v = 0;
	metrics_lookup(r->m, !strcmp(kind, "store") ? "stores" : "writes", &v);
	*ops = (uint64_t)v;
	run_result_free(r);
	g_hash_table_destroy(sets);
	return s;
}

int main(int argc, char **argv)
{
	bool quick = argc > 1 && !strcmp(argv[1], "--quick");
	const char *n = quick ? "200000" : "2000000";
	char *dir = g_dir_make_tmp("wbsim-bench-XXXXXX", NULL);
	char *path = g_build_filename(dir, "bench.lua", NULL);
	if (!g_file_set_contents(path, scenario, -1, NULL)) {
		fprintf(stderr, "bench_lua: cannot write %s\n", path);
		return 1;
	}
	printf("Lua-issued operations, one task, nothing under writeback (%s iterations):\n", n);
	static const char *const kinds[] = { "empty", "store", "pwrite" };
	for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
		double best = 1e300;
		uint64_t ops = 0;
		for (int rep = 0; rep < (quick ? 1 : 3); rep++) {
			double s = run(path, kinds[k], n, &ops);
			if (s < best)
				best = s;
		}
		double iters = g_ascii_strtod(n, NULL);
		if (!strcmp(kinds[k], "empty"))
			printf("  %-8s %8.3f s   %12.0f loop iterations/s (the loop alone)\n",
			       kinds[k], best, iters / best);
		else
			printf("  %-8s %8.3f s   %12.0f ops/s   (%" G_GUINT64_FORMAT " operations)\n",
			       kinds[k], best, (double)ops / best, ops);
	}
	g_remove(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
	return 0;
}
