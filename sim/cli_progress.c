/*
 * cli_progress — a ticker thread redraws the line five times a second; the runs
 * only bump an atomic counter, so reporting costs them nothing.
 */
#include "cli_progress.h"

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

struct progress {
	char *label;
	unsigned total;
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
	if (p->total > 1)
		fprintf(stderr, "\r\033[K%s: %u/%u runs done, %.1fs", p->label, done, p->total, secs);
	else
		fprintf(stderr, "\r\033[K%s: running, %.1fs", p->label, secs);
	fflush(stderr);
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

struct progress *progress_start(const char *label, unsigned total_runs)
{
	const char *term = g_getenv("TERM");
	if (!isatty(STDERR_FILENO) || g_getenv("CI") || (term && !g_strcmp0(term, "dumb")))
		return NULL;
	struct progress *p = g_new0(struct progress, 1);
	p->label = g_strdup(label);
	p->total = total_runs;
	p->start = g_get_monotonic_time();
	g_mutex_init(&p->lock);
	g_cond_init(&p->cond);
	p->thread = g_thread_new("progress", ticker, p);
	return p;
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
	g_free(p->label);
	g_free(p);
}
