/*
 * bench_model — the page-cache model driven from C: one task writes random pages of
 * a 1 M-page (4 GiB) file with write(2), the flusher writing back in the background
 * (1 GiB of memory: background writeback above 10 %, throttling above 20 %).  Prints
 * page operations per second of wall time and the model's bytes per cached page
 * (the index's mark nodes and blocks as the kernel materialized them, extra page
 * copies).
 *
 *     bench_model [pages-in-file] [operations] [policy]
 */
#include "policy.h"
#include "model/model.h"
#include "engine/rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct writer {
	struct file *f;
	uint64_t pages, left;
	struct rng rng;
};

static void writer_resume(struct task *t)
{
	struct writer *w = task_driver_data(t);
	while (w->left) {
		w->left--;
		uint64_t page = rng_below(&w->rng, w->pages);
		if (task_pwrite(t, w->f, page * 4096, 4096) == OP_BLOCKED)
			return;
	}
	task_exit(t);
}

static const struct task_driver writer_driver = { writer_resume };

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void run(uint64_t pages, uint64_t ops, const char *spec)
{
	GError *err = NULL;
	struct policy *p = policy_new(spec, &err);
	if (!p) {
		fprintf(stderr, "bench_model: %s\n", err->message);
		exit(2);
	}
	struct sim_config c;
	sim_config_defaults(&c);
	sim_config_finish(&c, false, false, false);
	struct sim *s = sim_new(&c, p);
	struct writer w = { .pages = pages, .left = ops };
	w.f = sim_file_new(s, "data", pages * 4096);
	rng_init(&w.rng, 1, "bench");
	sim_task_new(s, "writer", NULL, -1, 0, &writer_driver, &w);

	double t0 = now_s();
	sim_run(s);
	double wall = now_s() - t0;

	uint64_t cached = sim_cached_pages(s);
	struct metrics *m = sim_metrics(s);
	printf("pages=%-9" G_GUINT64_FORMAT " ops=%-9" G_GUINT64_FORMAT " %-18s %6.2f M page-ops/s  "
	       "%5.1f B/cached-page  (cached %" G_GUINT64_FORMAT ", disk writes %" G_GUINT64_FORMAT
	       " in %" G_GUINT64_FORMAT " requests, events %" G_GUINT64_FORMAT ", sim %.2f s, wall %.2f s, throttled %.2f s)\n",
	       pages, ops, spec, (double)ops / wall / 1e6,
	       cached ? (double)sim_model_bytes(s) / (double)cached : 0.0, cached,
	       m->c[M_DISK_WRITES], m->c[M_DISK_REQUESTS], sim_events(s), (double)sim_time(s) / 1e9, wall,
	       (double)m->c[M_STALL_THROTTLE] / 1e9);
	sim_free(s);
}

int main(int argc, char **argv)
{
	uint64_t pages = argc > 1 ? strtoull(argv[1], NULL, 0) : 1u << 20;
	uint64_t ops = argc > 2 ? strtoull(argv[2], NULL, 0) : 10000000;
	const char *spec = argc > 3 ? argv[3] : NULL;
	if (spec) {
		run(pages, ops, spec);
		return 0;
	}
	run(pages, ops, "unrestricted");
	run(pages, ops, "page-fork");
	return 0;
}
