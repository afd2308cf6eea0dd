/*
 * cli_progress — the line of `wbsim run` and `compare`, drawn by the ticker of
 * run/progress.c.
 */
#include "cli/cli_progress.h"
#include "engine/units.h"

#include <glib.h>

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

static char *format(const void *label, const struct run_progress *runs, unsigned total,
		    unsigned done, double wall_seconds)
{
	return progress_format(label, runs, total, done, wall_seconds);
}

struct progress *progress_start(const char *label, unsigned total_runs)
{
	return progress_new(total_runs, format, g_strdup(label), g_free);
}
