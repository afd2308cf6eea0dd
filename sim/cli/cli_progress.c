/*
 * cli_progress — a ticker thread redraws the line five times a second; the runs
 * only store their simulated time at each timeline sample and bump an atomic counter
 * when they end, so reporting costs them nothing.
 */
#include "cli/cli_progress.h"
#include "engine/units.h"

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

struct progress {
	char *label;
	unsigned total;
	struct run_progress *runs;      /* one per run */
	gint done;              /* atomic */
	gint stop;              /* atomic */
	gint64 start;
	bool shown;
	GMutex lock;
	GCond cond;
	GThread *thread;
};

/* "40% of 2s" when the run has a duration, else "1.2s simulated". */
static void append_run(GString *s, const struct run_progress *r)
{
	uint64_t now = atomic_load_explicit(&r->sim_ns, memory_order_relaxed);
	uint64_t dur = atomic_load_explicit(&r->duration_ns, memory_order_relaxed);
	if (dur) {
		char *d = units_format_duration(dur);
		unsigned pct = now >= dur ? 100 : (unsigned)((double)now * 100 / (double)dur);
		g_string_append_printf(s, "%u%% of %s", pct, d);
		g_free(d);
	} else {
		char *t = units_format_duration(now);
		g_string_append_printf(s, "%s simulated", t);
		g_free(t);
	}
}

char *progress_format(const char *label, const struct run_progress *runs, unsigned total,
		      unsigned done, double wall_seconds)
{
	GString *s = g_string_new(label);
	g_string_append(s, ": ");
	if (total > 1)
		g_string_append_printf(s, "%u/%u runs done, ", done, total);
	unsigned shown = 0;
	for (unsigned i = 0; i < total; i++) {
		if (atomic_load_explicit(&runs[i].state, memory_order_relaxed) != RUN_RUNNING)
			continue;
		g_string_append(s, shown++ ? ", " : total > 1 ? "in flight: " : "");
		append_run(s, &runs[i]);
	}
	if (!shown && done < total)
		g_string_append(s, "starting");
	g_string_append_printf(s, "; %.1fs elapsed", wall_seconds);
	return g_string_free(s, FALSE);
}

static void draw(struct progress *p)
{
	double secs = (double)(g_get_monotonic_time() - p->start) / G_USEC_PER_SEC;
	unsigned done = (unsigned)g_atomic_int_get(&p->done);
	char *line = progress_format(p->label, p->runs, p->total, done, secs);
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

struct progress *progress_start(const char *label, unsigned total_runs)
{
	const char *term = g_getenv("TERM");
	if (!isatty(STDERR_FILENO) || g_getenv("CI") || (term && !g_strcmp0(term, "dumb")))
		return NULL;
	struct progress *p = g_new0(struct progress, 1);
	p->label = g_strdup(label);
	p->total = total_runs;
	p->runs = g_new0(struct run_progress, total_runs ? total_runs : 1);
	p->start = g_get_monotonic_time();
	g_mutex_init(&p->lock);
	g_cond_init(&p->cond);
	p->thread = g_thread_new("progress", ticker, p);
	return p;
}

struct run_progress *progress_run(struct progress *p, unsigned i)
{
	return p && i < p->total ? &p->runs[i] : NULL;
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
	g_free(p->runs);
	g_free(p);
}
