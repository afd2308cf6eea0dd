/*
 * bench_oplog — how fast op logs are read, and that reading them takes the same
 * memory whatever their length.
 *
 * For each size (10^4 and 10^7 ops) it writes a log of 4 KiB pwrites over 10^4
 * pages (the workload of the replay target in issue 21), with one task and with
 * four tasks whose lines interleave, then reads it in a child process with one
 * cursor per task taken in turn, as a replay would, and prints ops per second of
 * pure parsing and the child's peak RSS (VmHWM).  Figures, not assertions.
 *
 *   bench_oplog                  both sizes, 1 and 4 tasks
 *   bench_oplog read FILE        read one log; print "ops wall_s cpu_s hwm_kib"
 *   bench_oplog gen N TASKS FILE write one log
 */
#include "oplog/oplog.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGES 10000u

static void gen(uint64_t n, unsigned tasks, const char *path)
{
	GError *err = NULL;
	struct oplog_writer *w = oplog_writer_open(path, &err);
	if (!w) {
		fprintf(stderr, "bench_oplog: %s\n", err->message);
		exit(1);
	}
	struct oplog_header *h = oplog_header_new();
	oplog_header_add_file(h, 1, "data", (uint64_t)PAGES * 4096);
	for (unsigned t = 1; t <= tasks; t++)
		oplog_header_add_task(h, t, "writer", 0, -1, 0);
	oplog_writer_header(w, h);
	uint64_t x = 88172645463325252ull;
	for (uint64_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;        /* xorshift: any page */
		struct oplog_op op = { .kind = OPL_PWRITE, .task = (uint32_t)(i % tasks) + 1,
				       .issue = i * 700, .think = 0, .file = 1,
				       .off = (x % PAGES) * 4096, .len = 4096, .cpu = -1 };
		oplog_writer_op(w, &op);
	}
	if (!oplog_writer_commit(w, &err)) {
		fprintf(stderr, "bench_oplog: %s\n", err->message);
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

static int read_log(const char *path)
{
	GError *err = NULL;
	gint64 t0 = g_get_monotonic_time();
	double c0 = cpu_seconds();
	struct oplog *log = oplog_open(path, &err);
	if (!log) {
		fprintf(stderr, "bench_oplog: %s\n", err->message);
		return 1;
	}
	const struct oplog_header *h = oplog_header(log);
	guint nt = h->tasks->len;
	struct oplog_cursor **c = g_new(struct oplog_cursor *, nt);
	for (guint i = 0; i < nt; i++)
		c[i] = oplog_cursor_new(log, g_array_index(h->tasks, struct oplog_task, i).id, 0, 0);
	uint64_t ops = 0, sum = 0;
	guint live = nt;
	struct oplog_op op;
	while (live) {
		live = 0;
		for (guint i = 0; i < nt; i++) {
			int r = oplog_cursor_next(c[i], &op, &err);
			if (r < 0) {
				fprintf(stderr, "bench_oplog: %s\n", err->message);
				return 1;
			}
			if (r) {
				ops++;
				sum += op.off;
				live++;
			}
		}
	}
	double s = (double)(g_get_monotonic_time() - t0) / 1e6, cpu = cpu_seconds() - c0;
	for (guint i = 0; i < nt; i++)
		oplog_cursor_free(c[i]);
	g_free(c);
	oplog_close(log);
	printf("%" G_GUINT64_FORMAT " %.3f %.3f %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n", ops,
	       s, cpu, hwm_kib(), sum % 7);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "read"))
		return read_log(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "gen")) {
		gen(g_ascii_strtoull(argv[2], NULL, 10), (unsigned)atoi(argv[3]), argv[4]);
		return 0;
	}
	char *dir = g_dir_make_tmp("bench-oplog-XXXXXX", NULL);
	char *path = g_build_filename(dir, "log", NULL);
	/* Wall time counts whatever else the machine runs; CPU time (user + system of
	 * the reader) is the figure to compare. */
	printf("%-10s %-6s %8s %8s %8s %12s %12s %9s\n", "ops", "tasks", "MB", "wall s", "cpu s",
	       "ops/wall s", "ops/cpu s", "RSS KiB");
	static const uint64_t sizes[] = { 10000, 10000000 };
	static const unsigned tasks[] = { 1, 4 };
	for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
		for (size_t j = 0; j < G_N_ELEMENTS(tasks); j++) {
			gen(sizes[i], tasks[j], path);
			GStatBuf st;
			g_stat(path, &st);
			char *argv2[] = { argv[0], "read", path, NULL };
			char *out = NULL;
			int status;
			if (!g_spawn_sync(NULL, argv2, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
					  &status, NULL) || status) {
				fprintf(stderr, "bench_oplog: the reader failed\n");
				return 1;
			}
			uint64_t n, hwm;
			double s, cpu;
			sscanf(out, "%" G_GUINT64_FORMAT " %lf %lf %" G_GUINT64_FORMAT, &n, &s, &cpu,
			       &hwm);
			printf("%-10" G_GUINT64_FORMAT " %-6u %8.1f %8.3f %8.3f %12.0f %12.0f %9"
			       G_GUINT64_FORMAT "\n", n, tasks[j], (double)st.st_size / 1e6, s, cpu,
			       (double)n / s, (double)n / cpu, hwm);
			g_free(out);
			g_unlink(path);
		}
	}
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
	return 0;
}
