/*
 * bench_replay — replaying an op log against issuing the same ops from Lua (issue
 * 21's speed and memory targets).
 *
 * The workload: one task, N random 4 KiB pwrites over a file of 10^4 pages (all of
 * them cached after the first few thousand writes), under wait-on-writeback.  The
 * log is written by oplog_writer; the Lua scenario computes the same offsets with
 * the same xorshift, so both runs issue the same calls to the model, and the bench
 * checks that they report the same writes and disk traffic.  Each run goes in a
 * child process of its own (its peak RSS is its own), through scenario_run as
 * `wbsim run` does, the log's oplog_check included; best of three.  Then the
 * replay of a 10^4-op log, for the peak RSS to compare with the long one's.
 *
 *   bench_replay [--quick]       10^7 ops (--quick: 10^6), then the RSS pair
 *   bench_replay run PATH N      one run in this process: "ops wall_s cpu_s hwm_kib writes disk_writes"
 *   bench_replay gen N PATH      write the log
 */
#include "cli/wbsim.h"
#include "oplog/oplog.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGES 10000u
#define SEED 88172645463325252ull

/* The same sequence as the Lua loop below: xorshift64, a page from its upper bits
 * (x >> 1 is the same number in C's unsigned and Lua's signed 64-bit integers). */
static inline uint64_t next_page(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return (*x >> 1) % PAGES;
}

static const char lua_scenario[] =
	"sim.scenario{ name = 'bench-replay' }\n"
	"local n = sim.param('n', 1000)\n"
	"local f = sim.file{ name = 'data', size = 10000 * 4096 }\n"
	"sim.spawn('writer', function()\n"
	"  local x = 88172645463325252\n"
	"  for i = 1, n do\n"
	"    x = x ~ (x << 13); x = x ~ (x >> 7); x = x ~ (x << 17)\n"
	"    f:pwrite(((x >> 1) % 10000) * 4096, 4096)\n"
	"  end\n"
	"end)\n";

static void gen(uint64_t n, const char *path)
{
	GError *err = NULL;
	struct oplog_writer *w = oplog_writer_open(path, &err);
	if (!w) {
		fprintf(stderr, "bench_replay: %s\n", err->message);
		exit(1);
	}
	struct oplog_header *h = oplog_header_new();
	h->name = g_strdup("bench-replay");
	oplog_header_add_file(h, 1, "data", (uint64_t)PAGES * 4096);
	oplog_header_add_task(h, 1, "writer", 0, -1, 0);
	oplog_writer_header(w, h);
	uint64_t x = SEED;
	struct oplog_op op = { .kind = OPL_PWRITE, .task = 1, .file = 1, .len = 4096, .cpu = -1 };
	for (uint64_t i = 0; i < n; i++) {
		op.off = next_page(&x) * 4096;
		op.issue = i * 600;
		oplog_writer_op(w, &op);
	}
	op = (struct oplog_op){ .kind = OPL_EXIT, .task = 1, .issue = n * 600, .cpu = -1 };
	oplog_writer_op(w, &op);
	if (!oplog_writer_commit(w, &err)) {
		fprintf(stderr, "bench_replay: %s\n", err->message);
		exit(1);
	}
	oplog_header_free(h);
}

static uint64_t hwm_kib(void)
{
	char *s = NULL;
	uint64_t v = 0;
	if (g_file_get_contents("/proc/self/status", &s, NULL, NULL)) {
		const char *p = strstr(s, "VmHWM:");
		if (p)
			v = g_ascii_strtoull(p + 6, NULL, 10);
	}
	g_free(s);
	return v;
}

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One run of PATH (a log, or the Lua scenario with n = N) in this process. */
static int run_one(const char *path, const char *n)
{
	GHashTable *sets = g_hash_table_new(g_str_hash, g_str_equal);
	if (g_str_has_suffix(path, ".lua"))
		g_hash_table_insert(sets, "n", (char *)n);
	struct scenario_opts o = { .path = path, .policy_spec = "wait-on-writeback", .seed = 1,
				   .sets = sets, .instr_budget = UINT64_MAX / 2 };
	GError *err = NULL;
	gint64 t0 = g_get_monotonic_time();
	double c0 = cpu_seconds();
	struct run_result *r = scenario_run(wbsim_opts(&o), &err);
	double wall = (double)(g_get_monotonic_time() - t0) / 1e6, cpu = cpu_seconds() - c0;
	if (!r) {
		fprintf(stderr, "bench_replay: %s\n", err->message);
		return 1;
	}
	double writes = 0, disk = 0;
	metrics_lookup(r->m, "writes", &writes);
	metrics_lookup(r->m, "disk_writes", &disk);
	printf("%.0f %.3f %.3f %" G_GUINT64_FORMAT " %.0f %.0f\n", writes, wall, cpu, hwm_kib(),
	       writes, disk);
	run_result_free(r);
	g_hash_table_destroy(sets);
	return 0;
}

struct figures {
	double ops, wall, cpu, writes, disk;
	uint64_t hwm;
};

static struct figures child(const char *self, const char *path, const char *n)
{
	char *argv[] = { (char *)self, "run", (char *)path, (char *)n, NULL };
	char *out = NULL;
	int status;
	struct figures f = { 0 };
	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, NULL) ||
	    status || sscanf(out, "%lf %lf %lf %" G_GUINT64_FORMAT " %lf %lf", &f.ops, &f.wall, &f.cpu,
			     &f.hwm, &f.writes, &f.disk) != 6) {
		fprintf(stderr, "bench_replay: the run of %s failed\n", path);
		exit(1);
	}
	g_free(out);
	return f;
}

static struct figures best_of(const char *self, const char *path, const char *n, int reps)
{
	struct figures best = { 0 };
	for (int i = 0; i < reps; i++) {
		struct figures f = child(self, path, n);
		if (!i || f.cpu < best.cpu)
			best = f;
	}
	return best;
}

static void print(const char *what, const struct figures *f)
{
	printf("%-7s %9.0f ops  %7.3f s wall  %7.3f s cpu  %10.0f ops/s wall  %10.0f ops/s cpu  "
	       "peak RSS %" G_GUINT64_FORMAT " KiB\n", what, f->ops, f->wall, f->cpu, f->ops / f->wall,
	       f->ops / f->cpu, f->hwm);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "run"))
		return run_one(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "gen")) {
		gen(g_ascii_strtoull(argv[2], NULL, 10), argv[3]);
		return 0;
	}
	bool quick = argc > 1 && !strcmp(argv[1], "--quick");
	uint64_t n = quick ? 1000000 : 10000000;
	int reps = quick ? 1 : 3;
	char *dir = g_dir_make_tmp("wbsim-bench-replay-XXXXXX", NULL);
	char *log = g_build_filename(dir, "long.oplog", NULL);
	char *small = g_build_filename(dir, "short.oplog", NULL);
	char *lua = g_build_filename(dir, "bench.lua", NULL);
	char *ns = g_strdup_printf("%" G_GUINT64_FORMAT, n);
	if (!g_file_set_contents(lua, lua_scenario, -1, NULL)) {
		fprintf(stderr, "bench_replay: cannot write %s\n", lua);
		return 1;
	}
	gen(n, log);
	gen(10000, small);
	printf("4 KiB pwrites at random over 10^4 pages, one task, wait-on-writeback; best of %d "
	       "by CPU time:\n", reps);
	struct figures r = best_of(argv[0], log, ns, reps);
	struct figures l = best_of(argv[0], lua, ns, reps);
	struct figures s = child(argv[0], small, "10000");
	print("replay", &r);
	print("lua", &l);
	print("replay", &s);
	printf("same model work: %s (writes %.0f / %.0f, disk_writes %.0f / %.0f)\n",
	       r.writes == l.writes && r.disk == l.disk ? "yes" : "NO", r.writes, l.writes, r.disk,
	       l.disk);
	printf("replay / lua: %.2fx (wall), %.2fx (cpu)\n", (r.ops / r.wall) / (l.ops / l.wall),
	       (r.ops / r.cpu) / (l.ops / l.cpu));
	printf("peak RSS, %" G_GUINT64_FORMAT " ops vs 10^4 ops: %+.1f %%\n", n,
	       100.0 * ((double)r.hwm - (double)s.hwm) / (double)s.hwm);
	g_unlink(log);
	g_unlink(small);
	g_unlink(lua);
	g_rmdir(dir);
	g_free(log);
	g_free(small);
	g_free(lua);
	g_free(ns);
	g_free(dir);
	return 0;
}
