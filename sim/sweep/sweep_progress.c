/*
 * sweep_progress — the sweep's line, drawn by the ticker of run/progress.c.
 */
#include "sweep/sweep_progress.h"

#include <glib.h>

#include "engine/engine.h"
#include "engine/units.h"

struct sweep_line {
	char *label;
	unsigned total, skipped;
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

static char *format(const void *data, const struct run_progress *runs, unsigned nruns,
		    unsigned done, double wall_seconds)
{
	const struct sweep_line *l = data;
	return sweep_progress_format(l->label, runs, nruns, l->total, l->skipped, done,
				     wall_seconds);
}

static void line_free(gpointer data)
{
	struct sweep_line *l = data;
	g_free(l->label);
	g_free(l);
}

struct progress *sweep_progress_start(const char *label, unsigned runs, unsigned total,
				      unsigned skipped)
{
	struct sweep_line *l = g_new(struct sweep_line, 1);
	l->label = g_strdup(label);
	l->total = total;
	l->skipped = skipped;
	return progress_new(runs, format, l, line_free);
}
