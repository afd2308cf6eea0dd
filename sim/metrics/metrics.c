/*
 * Metrics: counters by enum, one latency histogram per operation kind, and the
 * public names.  The name tables are built by the preprocessor from the lists
 * below, so metric_names() is a constant that any number of run threads can
 * read without set-up or locking.
 */
#include "metrics/metrics.h"

#include <glib.h>
#include <string.h>

/* In enum metric_counter order; checked against M_NR_COUNTERS below. */
#define COUNTER_NAMES(X) \
	X("writes") X("stores") X("faults") X("pin_writes") X("dio_writes") \
	X("fsyncs") X("disk_writes") X("disk_requests") X("redundant_writes") \
	X("checksum_errors") X("eio_returned") X("stale_overwrites") \
	X("lost_writes") X("fsync_violations") X("stale_reads") \
	X("stale_cache_pages") X("forks") X("bounces") X("pte_updates") \
	X("tlb_shootdowns") X("forked_pages_peak") X("bounce_pages_peak") \
	X("stall.stable") X("stall.pin") X("stall.refork") X("stall.throttle") \
	X("cpu.copy") X("cpu.checksum") X("cpu.pte") X("cpu.tlb") X("sim_time")

/* In enum op_kind order. */
#define KIND_NAMES(X) \
	X(write) X(store) X(fault) X(fsync) X(msync) X(dio_write) X(pin_write) X(read)

/* In enum latency_stat order; X(kind, stat) so the kind can be pasted in front. */
#define STAT_NAMES(X, k) \
	X(k, count) X(k, mean) X(k, p50) X(k, p90) X(k, p99) X(k, p999) X(k, max)

#define STRING_COMMA(s) s,
#define STRINGIFY_COMMA(k) #k,
#define LATENCY_NAME(k, st) #k "." #st,
#define LATENCY_NAMES_OF(k) STAT_NAMES(LATENCY_NAME, k)
#define STAT_NAME(k, st) #st,

static const char *const counter_names[] = { COUNTER_NAMES(STRING_COMMA) };
static const char *const kind_names[] = { KIND_NAMES(STRINGIFY_COMMA) };
static const char *const stat_names[] = { STAT_NAMES(STAT_NAME, _) };

static const char *const all_names[] = {
	COUNTER_NAMES(STRING_COMMA)
	KIND_NAMES(LATENCY_NAMES_OF)
	NULL
};

#define NR_NAMES ((size_t)M_NR_COUNTERS + (size_t)OPK_NR * LS_NR)

_Static_assert(G_N_ELEMENTS(counter_names) == M_NR_COUNTERS, "counter names");
_Static_assert(G_N_ELEMENTS(kind_names) == OPK_NR, "op kind names");
_Static_assert(G_N_ELEMENTS(stat_names) == LS_NR, "latency stat names");
_Static_assert(G_N_ELEMENTS(all_names) == NR_NAMES + 1, "metric names");

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
	g_return_val_if_fail((unsigned int)c < M_NR_COUNTERS, NULL);
	return counter_names[c];
}

bool metric_counter_is_time(enum metric_counter c)
{
	return c >= M_STALL_STABLE && c <= M_SIM_TIME;
}

const char *op_kind_name(enum op_kind k)
{
	g_return_val_if_fail((unsigned int)k < OPK_NR, NULL);
	return kind_names[k];
}

const char *latency_stat_name(enum latency_stat s)
{
	g_return_val_if_fail((unsigned int)s < LS_NR, NULL);
	return stat_names[s];
}

const char *const *metric_names(void)
{
	return all_names;
}

/* Position in all_names, or -1.  A linear scan: lookups happen when a run is
 * reported or a scenario is checked, not while it simulates. */
static int metric_index(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < NR_NAMES; i++)
		if (strcmp(all_names[i], name) == 0)
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
