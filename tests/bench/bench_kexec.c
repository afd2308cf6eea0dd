/*
 * bench_kexec — what the kernel executor measures on this machine: the latency of 4 KiB
 * buffered writes, of 4 KiB stores through a shared mapping (first touches and
 * repeats), and of fsync, each kind in a run of its own in a private directory
 * under /var/tmp.  Prints figures; asserts nothing.
 *
 *   bench_kexec [OPS]        (default 20000 per kind)
 */
#include "linux/kexec.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define FILE_SIZE (32ull << 20)

enum what { PWRITES, STORES, FSYNCS };

struct job {
	enum what what;
	unsigned n, i;
	struct kx_file *f;
	struct kx_map *m;
};

static void resume(struct kx_task *t)
{
	struct job *j = kx_task_data(t);
	if (j->i == j->n) {
		kx_exit(t);
		return;
	}
	/* Passes over the file's 8192 pages: the first touches each page for the first
	 * time (a write fault for stores), later ones find it present and dirty. */
	uint64_t off = (uint64_t)(j->i % (FILE_SIZE / 4096)) * 4096;
	unsigned i = j->i++;
	switch (j->what) {
	case PWRITES:
		kx_pwrite(t, j->f, off, 4096);
		break;
	case STORES:
		kx_store(t, j->m, off, 4096);
		break;
	case FSYNCS:
		if (i % 2)
			kx_fsync(t, j->f, false);
		else
			kx_pwrite(t, j->f, (uint64_t)(i / 2 % 4096) * 16384, 16384);
		break;
	}
}

static void show(const char *label, const struct hist *h)
{
	printf("  %-28s n=%-7llu mean=%9.0f ns  p50=%9llu  p90=%9llu  p99=%9llu  max=%10llu\n",
	       label, (unsigned long long)hist_count(h), hist_mean(h),
	       (unsigned long long)hist_percentile(h, 50), (unsigned long long)hist_percentile(h, 90),
	       (unsigned long long)hist_percentile(h, 99), (unsigned long long)hist_max(h));
}

static int one(enum what what, unsigned n)
{
	char dir[] = "/var/tmp/wbsim-bench-kexec-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	static const struct kx_hooks hooks = { resume };
	GError *err = NULL;
	struct kx *kx = kx_new(dir, &hooks, &err);
	struct job j = { what, what == FSYNCS ? n / 10 * 2 : n, 0, NULL, NULL };
	j.f = kx_file(kx, "data", FILE_SIZE, &err);
	struct kx_proc *p = kx_process(kx, "P");
	j.m = kx_mmap(kx, p, j.f, 0, FILE_SIZE);
	kx_spawn(kx, "bench", p, 0, &j);
	int rc = 0;
	if (!kx_prepare(kx, &err) || !kx_start(kx, &err) || kx_run(kx, 0, &err) != KX_END_IDLE) {
		fprintf(stderr, "bench_kexec: %s\n", err ? err->message : "run failed");
		rc = 1;
	} else {
		struct metrics *m = kx_metrics(kx);
		if (what == PWRITES)
			show("pwrite 4 KiB", m->lat[OPK_WRITE]);
		else if (what == STORES)
			show("store 4 KiB via MAP_SHARED", m->lat[OPK_STORE]);
		else
			show("fsync after 16 KiB pwrite", m->lat[OPK_FSYNC]);
		/* The round trip through the loop (dispatch, worker, completion, resume)
		 * per op, for scale: what the executor adds between two ops of a task. */
		printf("  %-28s %.1f us per op, call included\n", "", (double)m->c[M_SIM_TIME] / j.n / 1e3);
	}
	kx_finish(kx);
	char *path = g_build_filename(dir, "data", NULL);
	unlink(path);
	g_free(path);
	kx_free(kx);
	g_clear_error(&err);
	rmdir(dir);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 20000;
	printf("kernel executor latencies (ns), %u ops per kind, files in /var/tmp:\n", n);
	return one(PWRITES, n) | one(STORES, n) | one(FSYNCS, n);
}
