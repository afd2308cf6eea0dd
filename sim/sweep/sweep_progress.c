/*
 * sweep_progress — a ticker thread redraws the line five times a second; the runs
 * only store their simulated time and state (scenario.h, struct run_progress).
 */
#include "sweep/sweep_progress.h"

#include <glib.h>
#include <stdio.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/units.h"

struct sweep_progress {
	char *label;
	unsigned nruns, total, skipped;
	struct run_progress *runs;
	gint done;              /* atomic */
	gint stop;              /* atomic */
	gint64 start;
	bool shown;
	GMutex lock;
	GCond cond;
	GThread *thread;
};

/* Tenths of a second: more would only flicker. */
static char *seconds_text(double s)
{
	return units_format_duration((uint64_t)(s * 10 + 0.5) * (NSEC_PER_SEC / 10));
}

char *sweep_progress_format(const char *label, const struct run_progress *runs, unsigned nruns,
			    unsigned total, unsigned skipped, unsigned done, double wall_seconds)
{
	GString *s = g_string_new(label);
	g_string_append_printf(s, ": %u/%u points done", skipped + done, total);
	if (skipped)
		g_string_append_printf(s, " (%u already complete)", skipped);
	double work = done;
	unsigned shown = 0;
	for (unsigned i = 0; i < nruns; i++) {
		if (atomic_load_explicit(&runs[i].state, memory_order_relaxed) != RUN_RUNNING)
			continue;
		uint64_t now = atomic_load_explicit(&runs[i].sim_ns, memory_order_relaxed);
		uint64_t dur = atomic_load_explicit(&runs[i].duration_ns, memory_order_relaxed);
		g_string_append(s, shown++ ? ", " : ", in flight: ");
		if (dur) {
			double f = now >= dur ? 1.0 : (double)now / (double)dur;
			work += f;
			g_string_append_printf(s, "%u%%", (unsigned)(f * 100));
		} else {
			char *t = units_format_duration(now);
			g_string_append_printf(s, "%s simulated", t);
			g_free(t);
		}
	}
	char *el = seconds_text(wall_seconds);
	g_string_append_printf(s, "; %s elapsed", el);
	g_free(el);
	if (work > 0 && nruns) {
		char *eta = seconds_text(wall_seconds * ((double)nruns - work) / work);
		g_string_append_printf(s, ", ETA %s", eta);
		g_free(eta);
	} else if (done < nruns) {
		g_string_append(s, ", ETA ?");
	}
	return g_string_free(s, FALSE);
}

static void draw(struct sweep_progress *p)
{
	double secs = (double)(g_get_monotonic_time() - p->start) / G_USEC_PER_SEC;
	char *line = sweep_progress_format(p->label, p->runs, p->nruns, p->total, p->skipped,
					   (unsigned)g_atomic_int_get(&p->done), secs);
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	g_free(line);
	p->shown = true;
}

static gpointer ticker(gpointer data)
{
	struct sweep_progress *p = data;
	g_mutex_lock(&p->lock);
	while (!g_atomic_int_get(&p->stop)) {
		g_cond_wait_until(&p->cond, &p->lock, g_get_monotonic_time() + G_USEC_PER_SEC / 5);
		if (!g_atomic_int_get(&p->stop) && g_get_monotonic_time() - p->start >= G_USEC_PER_SEC)
			draw(p);
	}
	g_mutex_unlock(&p->lock);
	return NULL;
}

struct sweep_progress *sweep_progress_start(const char *label, unsigned runs, unsigned total,
					    unsigned skipped)
{
	const char *term = g_getenv("TERM");
	if (!isatty(STDERR_FILENO) || g_getenv("CI") || (term && !g_strcmp0(term, "dumb")))
		return NULL;
	struct sweep_progress *p = g_new0(struct sweep_progress, 1);
	p->label = g_strdup(label);
	p->nruns = runs;
	p->total = total;
	p->skipped = skipped;
	p->runs = g_new0(struct run_progress, runs ? runs : 1);
	p->start = g_get_monotonic_time();
	g_mutex_init(&p->lock);
	g_cond_init(&p->cond);
	p->thread = g_thread_new("sweep-progress", ticker, p);
	return p;
}

struct run_progress *sweep_progress_run(struct sweep_progress *p, unsigned i)
{
	return p && i < p->nruns ? &p->runs[i] : NULL;
}

void sweep_progress_run_done(struct sweep_progress *p)
{
	if (p)
		g_atomic_int_inc(&p->done);
}

void sweep_progress_stop(struct sweep_progress *p)
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
