/*
 * Metrics: counters by enum, one latency histogram per operation kind, and the
 * public names, which come from the metric table (metric_table.c): a counter's name,
 * and "kind.stat" for each latency statistic.  The list of names is built once, on
 * first use, and read by any number of run threads after that.
 */
#include "metrics/metrics.h"

#include <glib.h>
#include <string.h>

#include "metrics/metric_table.h"

static const char *const stat_names[] = { "count", "mean", "p50", "p90", "p99", "p999", "max" };
_Static_assert(G_N_ELEMENTS(stat_names) == LS_NR, "latency stat names");

#define NR_NAMES ((size_t)M_NR_COUNTERS + (size_t)OPK_NR * LS_NR)

static const char *const *all_names(void)
{
	static const char *names[NR_NAMES + 1];
	static gsize done;
	if (g_once_init_enter(&done)) {
		size_t i = 0;
		for (int c = 0; c < M_NR_COUNTERS; c++)
			names[i++] = metric_counter_def(c)->name;
		for (int k = 0; k < OPK_NR; k++)
			for (int st = 0; st < LS_NR; st++) {
				char *n = g_strdup_printf("%s.%s", metric_latency_def(k)->name,
							  stat_names[st]);
				names[i++] = g_intern_string(n);
				g_free(n);
			}
		names[i] = NULL;
		g_once_init_leave(&done, 1);
	}
	return names;
}

struct metrics *metrics_new(void)
{
	struct metrics *m = g_new0(struct metrics, 1);
	for (int k = 0; k < OPK_NR; k++)
		m->lat[k] = hist_new();
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	for (int k = 0; k < OPK_NR; k++)
		hist_free(m->lat[k]);
	g_free(m);
}

const char *metric_counter_name(enum metric_counter c)
{
	const struct metric_def *d = metric_counter_def(c);
	return d ? d->name : NULL;
}

bool metric_counter_is_time(enum metric_counter c)
{
	const struct metric_def *d = metric_counter_def(c);
	return d && d->kind == MK_TIME;
}

const char *op_kind_name(enum op_kind k)
{
	const struct metric_def *d = metric_latency_def(k);
	return d ? d->name : NULL;
}

const char *latency_stat_name(enum latency_stat s)
{
	g_return_val_if_fail((unsigned int)s < LS_NR, NULL);
	return stat_names[s];
}

const char *const *metric_names(void)
{
	return all_names();
}

/* Position in all_names, or -1.  A linear scan: lookups happen when a run is
 * reported or a scenario is checked, not while it simulates. */
static int metric_index(const char *name)
{
	if (!name)
		return -1;
	const char *const *names = all_names();
	for (size_t i = 0; i < NR_NAMES; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

bool metric_name_valid(const char *name)
{
	return metric_index(name) >= 0;
}

static double latency_value(const struct hist *h, enum latency_stat s)
{
	switch (s) {
	case LS_COUNT:
		return (double)hist_count(h);
	case LS_MEAN:
		return hist_mean(h);
	case LS_P50:
		return (double)hist_percentile(h, 50.0);
	case LS_P90:
		return (double)hist_percentile(h, 90.0);
	case LS_P99:
		return (double)hist_percentile(h, 99.0);
	case LS_P999:
		return (double)hist_percentile(h, 99.9);
	case LS_MAX:
		return (double)hist_max(h);
	case LS_NR:
		break;
	}
	g_assert_not_reached();
}

void metrics_mark_absent(struct metrics *m, const char *target)
{
	for (int c = 0; c < M_NR_COUNTERS; c++)
		m->absent[c] = metric_absent_on(metric_counter_def(c), target);
	for (int k = 0; k < OPK_NR; k++)
		m->absent[M_NR_COUNTERS + k] = metric_absent_on(metric_latency_def(k), target);
}

bool metrics_absent(const struct metrics *m, const char *name)
{
	int i = metric_index(name);
	if (i < 0)
		return false;
	return m->absent[i < M_NR_COUNTERS ? i : M_NR_COUNTERS + (i - M_NR_COUNTERS) / LS_NR];
}

bool metrics_lookup(const struct metrics *m, const char *name, double *value)
{
	int i = metric_index(name);
	if (i < 0)
		return false;
	if (i < M_NR_COUNTERS) {
		*value = (double)m->c[i];
		return true;
	}
	i -= M_NR_COUNTERS;
	*value = latency_value(m->lat[i / LS_NR], (enum latency_stat)(i % LS_NR));
	return true;
}

/* A gauge going below zero is a bookkeeping bug in the caller; say so and
 * pin it at zero rather than wrap around into an absurd peak. */
static void gauge_add(struct metrics *m, uint64_t *gauge, enum metric_counter peak,
		      int64_t delta, const char *what)
{
	if (delta < 0 && (uint64_t)0 - (uint64_t)delta > *gauge) {
		g_critical("%s gauge would go negative: %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT,
			   what, *gauge, delta);
		*gauge = 0;
		return;
	}
	*gauge += (uint64_t)delta;
	if (*gauge > m->c[peak])
		m->c[peak] = *gauge;
}

void metrics_gauge_forked(struct metrics *m, int64_t delta)
{
	gauge_add(m, &m->forked_pages, M_FORKED_PAGES_PEAK, delta, "forked pages");
}

void metrics_gauge_bounce(struct metrics *m, int64_t delta)
{
	gauge_add(m, &m->bounce_pages, M_BOUNCE_PAGES_PEAK, delta, "bounce pages");
}

void metrics_latency(struct metrics *m, enum op_kind k, uint64_t ns)
{
	hist_record(m->lat[k], ns);
}
