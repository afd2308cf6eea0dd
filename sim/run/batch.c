/*
 * batch — runs on the thread pool, and writing results (run/batch.h).
 */
#include "run/batch.h"
#include "run/target.h"

#include <string.h>

struct job {
	struct scenario_opts o;
	struct run_result **r;
	GError **err;
	GAsyncQueue *done;
};

static void run_job(gpointer data, gpointer user)
{
	(void)user;
	struct job *j = data;
	*j->r = scenario_run(&j->o, j->err);
	g_async_queue_push(j->done, j);
}

bool batch_run(struct batch *b)
{
	guint n = b->nspecs * b->nseeds;
	b->runs = g_new0(struct run_result *, n);
	b->errs = g_new0(GError *, n);
	b->seeds = g_new(uint64_t, b->nseeds);
	b->median = g_new0(bool, b->nspecs);
	for (guint i = 0; i < b->nspecs; i++) {
		const struct target_ops *t = target_for(b->base->targets, b->specs[i]);
		b->median[i] = t && t->measured;
	}
	for (guint i = 0; i < b->nseeds; i++)
		b->seeds[i] = i + 1;
	struct job *jobs = g_new0(struct job, n);
	GAsyncQueue *done = g_async_queue_new();
	guint threads = MIN(n, g_get_num_processors()), pooled = 0;
	GThreadPool *pool = g_thread_pool_new(run_job, NULL, (gint)threads, FALSE, NULL);
	bool *alone = g_new0(bool, n);
	for (guint i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		j->o = *b->base;
		j->o.policy_spec = b->specs[i / b->nseeds];
		j->o.seed = b->seeds[i % b->nseeds];
		j->o.progress = b->slot ? b->slot(b->progress_data, i) : NULL;
		j->r = &b->runs[i];
		j->err = &b->errs[i];
		j->done = done;
		const struct target_ops *t = target_for(b->base->targets, j->o.policy_spec);
		alone[i] = t && t->exclusive;
		if (!alone[i]) {
			g_thread_pool_push(pool, j, NULL);
			pooled++;
		}
	}
	bool ok = true;
	for (guint i = 0; i < pooled; i++) {
		struct job *j = g_async_queue_pop(done);
		ok = ok && *j->r;
		if (b->finished)
			b->finished(b->progress_data);
	}
	g_thread_pool_free(pool, FALSE, TRUE);
	/* Runs that own the machine: one at a time, here, once the pool is idle. */
	for (guint i = 0; i < n; i++) {
		if (!alone[i])
			continue;
		run_job(&jobs[i], NULL);
		g_async_queue_pop(done);
		ok = ok && *jobs[i].r;
		if (b->finished)
			b->finished(b->progress_data);
	}
	g_free(alone);
	g_async_queue_unref(done);
	g_free(jobs);
	return ok;
}

void batch_clear(struct batch *b)
{
	for (guint i = 0; b->runs && i < b->nspecs * b->nseeds; i++) {
		run_result_free(b->runs[i]);
		g_clear_error(&b->errs[i]);
	}
	g_clear_pointer(&b->runs, g_free);
	g_clear_pointer(&b->errs, g_free);
	g_clear_pointer(&b->seeds, g_free);
	g_clear_pointer(&b->median, g_free);
}

struct compare batch_compare(const struct batch *b)
{
	const struct run_result *r0 = b->runs[0];
	return (struct compare){
		.scenario = r0->scenario, .description = r0->description,
		.npolicies = b->nspecs, .specs = b->specs, .nseeds = b->nseeds,
		.seeds = b->seeds, .runs = b->runs, .median = b->median,
	};
}

char *run_results_dir(const char *out, const char *scenario_name, const char *path)
{
	char *name;
	if (scenario_name && *scenario_name) {
		name = g_strdup(scenario_name);
	} else {
		char *base = g_path_get_basename(path);
		if (g_str_has_suffix(base, ".lua"))
			base[strlen(base) - 4] = '\0';
		name = base;
	}
	char *safe = report_dirname(name);
	char *dir = g_build_filename(out && *out ? out : "results", safe, NULL);
	g_free(safe);
	g_free(name);
	return dir;
}

bool run_write_one(const char *sdir, const struct run_result *r, char **dir, GError **err)
{
	char *pdir = report_dirname(r->policy_spec);
	*dir = g_build_filename(sdir, pdir, NULL);
	g_free(pdir);
	return report_write_run(*dir, r, err);
}

bool run_write_batch(const char *sdir, const struct compare *c, GError **err)
{
	bool ok = true;
	for (guint p = 0; ok && p < c->npolicies; p++) {
		char *pdir = report_dirname(c->specs[p]);
		for (guint s = 0; ok && s < c->nseeds; s++) {
			char *seed = g_strdup_printf("seed-%" G_GUINT64_FORMAT, c->seeds[s]);
			char *dir = c->nseeds > 1 ? g_build_filename(sdir, pdir, seed, NULL)
						  : g_build_filename(sdir, pdir, NULL);
			ok = report_write_run(dir, compare_run(c, p, s), err);
			g_free(dir);
			g_free(seed);
		}
		g_free(pdir);
	}
	return ok && report_write_compare(sdir, c, err);
}
