/*
 * sweep_exec — the points' runs on a GThreadPool.  Runs share nothing (scenario_run
 * builds its own Lua state and sim), and each job writes only inside its own point
 * directory, so the main thread does nothing but wait and count.
 */
#include "sweep/sweep_exec.h"

#include <stdio.h>

#include "report/report.h"
#include "sweep/sweep_manifest.h"
#include "sweep/sweep_progress.h"

struct job {
	const struct sweep_plan *plan;
	guint k;
	char *dir;
	struct scenario_opts o;
	GError *err;
	GAsyncQueue *done;
};

static void run_job(gpointer data, gpointer user)
{
	(void)user;
	struct job *j = data;
	struct run_result *r = NULL;
	/* The old manifest goes first: until the new one is written, this point's
	 * directory must not pass for complete. */
	if (sweep_manifest_remove(j->dir, &j->err))
		r = scenario_run(&j->o, &j->err);
	if (r && report_write_run(j->dir, r, &j->err))
		sweep_manifest_write(j->dir, j->plan, j->k, &j->err);
	else if (r)
		g_prefix_error(&j->err, "writing the results: ");
	run_result_free(r);
	g_async_queue_push(j->done, j);
}

static void report_failures(const struct job *jobs, guint n)
{
	guint shown = 0, failed = 0;
	for (guint i = 0; i < n; i++) {
		if (!jobs[i].err)
			continue;
		failed++;
		if (shown++ < 10)
			fprintf(stderr, "wbsim sweep: point %u (%s) failed: %s\n", jobs[i].k,
				jobs[i].dir, jobs[i].err->message);
	}
	if (shown > 10)
		fprintf(stderr, "wbsim sweep: and %u more points failed\n", failed - 10);
}

bool sweep_exec_points(struct sweep_exec *x, const guint *points, guint n)
{
	const struct sweep_plan *p = x->plan;
	struct job *jobs = g_new0(struct job, n ? n : 1);
	guint njobs = 0;
	for (guint i = 0; i < n; i++) {
		char *rel = sweep_point_dir(p, points[i]);
		char *dir = g_build_filename(x->out, rel, NULL);
		char *fp = sweep_point_fingerprint(p, points[i]);
		g_free(rel);
		if (sweep_point_complete(dir, fp)) {
			x->skipped++;
			g_free(dir);
		} else {
			jobs[njobs].k = points[i];
			jobs[njobs++].dir = dir;
		}
		g_free(fp);
	}
	guint threads = x->threads ? x->threads : g_get_num_processors();
	threads = MAX(1, MIN(threads, njobs));
	char *label = g_strdup_printf("sweep of %s on %u threads", p->scenario_name, threads);
	struct progress *pg = sweep_progress_start(label, njobs, n, x->skipped);
	g_free(label);
	GAsyncQueue *done = g_async_queue_new();
	GThreadPool *pool = njobs ? g_thread_pool_new(run_job, NULL, (gint)threads, FALSE, NULL)
				  : NULL;
	for (guint i = 0; i < njobs; i++) {
		struct job *j = &jobs[i];
		uint64_t seed;
		guint pol, *vals = g_new0(guint, p->axes->len + 1);
		sweep_plan_decode(p, j->k, vals, &pol, &seed);
		g_free(vals);
		j->plan = p;
		j->o = *x->base;
		j->o.sets = sweep_point_sets(p, j->k);
		j->o.policy_spec = p->policies->pdata[pol];
		j->o.seed = seed;
		j->o.timeline_interval = p->timeline_interval;
		j->o.progress = progress_run(pg, i);
		j->done = done;
		g_thread_pool_push(pool, j, NULL);
	}
	for (guint i = 0; i < njobs; i++) {
		struct job *j = g_async_queue_pop(done);
		if (j->err)
			x->failed++;
		else
			x->ran++;
		progress_run_done(pg);
	}
	if (pool)
		g_thread_pool_free(pool, FALSE, TRUE);
	g_async_queue_unref(done);
	progress_stop(pg);
	report_failures(jobs, njobs);
	for (guint i = 0; i < njobs; i++) {
		g_hash_table_destroy(jobs[i].o.sets);
		g_free(jobs[i].dir);
		g_clear_error(&jobs[i].err);
	}
	g_free(jobs);
	return x->failed == 0;
}
