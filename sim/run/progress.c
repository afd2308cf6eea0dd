/*
 * progress — the ticker behind the progress lines (run/progress.h).
 */
#include "run/progress.h"

#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

struct progress {
	unsigned nruns;
	struct run_progress *runs;      /* one per run */
	progress_fmt fmt;
	void *data;
	GDestroyNotify free_data;
	gint done;              /* atomic */
	gint stop;              /* atomic */
	gint64 start;
	bool shown;
	GMutex lock;
	GCond cond;
	GThread *thread;
};

static void draw(struct progress *p)
{
	double secs = (double)(g_get_monotonic_time() - p->start) / G_USEC_PER_SEC;
	unsigned done = (unsigned)g_atomic_int_get(&p->done);
	char *line = p->fmt(p->data, p->runs, p->nruns, done, secs);
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	g_free(line);
	p->shown = true;
}

static gpointer ticker(gpointer data)
{
	struct progress *p = data;
	g_mutex_lock(&p->lock);
	while (!g_atomic_int_get(&p->stop)) {
		gint64 until = g_get_monotonic_time() + G_USEC_PER_SEC / 5;
		g_cond_wait_until(&p->cond, &p->lock, until);
		if (!g_atomic_int_get(&p->stop) &&
		    g_get_monotonic_time() - p->start >= G_USEC_PER_SEC)
			draw(p);
	}
	g_mutex_unlock(&p->lock);
	return NULL;
}

struct progress *progress_new(unsigned nruns, progress_fmt fmt, void *data,
			      GDestroyNotify free_data)
{
	const char *term = g_getenv("TERM");
	if (!isatty(STDERR_FILENO) || g_getenv("CI") || (term && !g_strcmp0(term, "dumb"))) {
		if (free_data)
			free_data(data);
		return NULL;
	}
	struct progress *p = g_new0(struct progress, 1);
	p->nruns = nruns;
	p->runs = g_new0(struct run_progress, nruns ? nruns : 1);
	p->fmt = fmt;
	p->data = data;
	p->free_data = free_data;
	p->start = g_get_monotonic_time();
	g_mutex_init(&p->lock);
	g_cond_init(&p->cond);
	p->thread = g_thread_new("progress", ticker, p);
	return p;
}

struct run_progress *progress_run(struct progress *p, unsigned i)
{
	return p && i < p->nruns ? &p->runs[i] : NULL;
}

void progress_run_done(struct progress *p)
{
	if (p)
		g_atomic_int_inc(&p->done);
}

void progress_stop(struct progress *p)
{
	if (!p)
		return;
	g_mutex_lock(&p->lock);
	g_atomic_int_set(&p->stop, 1);
	g_cond_signal(&p->cond);
	g_mutex_unlock(&p->lock);
	g_thread_join(p->thread);
	if (p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	g_mutex_clear(&p->lock);
	g_cond_clear(&p->cond);
	if (p->free_data)
		p->free_data(p->data);
	g_free(p->runs);
	g_free(p);
}
