/*
 * report — what a run leaves behind (ARCHITECTURE.md "Outputs"):
 *
 *   <out>/<scenario>/<policy-dir>/summary.json   one run: inputs, every metric,
 *                                                expectations, and apart "wall"
 *   <out>/<scenario>/<policy-dir>/latency.csv    non-empty histogram buckets
 *   <out>/<scenario>/<policy-dir>/timeline.csv   gauges sampled in simulated time
 *   <out>/<scenario>/compare.{csv,json,md}       policies as columns
 *
 * Everything but summary.json's "wall" object is a pure function of the run
 * result: fixed key order, fixed number formatting, so reruns with the same
 * inputs are byte-identical.  Files are written under a temporary name and
 * renamed (g_file_set_contents), so an interrupted run leaves no torn file.
 */
#ifndef WBSIM_REPORT_H
#define WBSIM_REPORT_H

#include <glib.h>
#include <stdbool.h>

#include "report/result.h"

/* A policy spec or scenario name as one path component that still reads as
 * itself: ':' and ',' become '_' ("page-fork:pins=ignore,sync=naive" becomes
 * "page-fork_pins=ignore_sync=naive"), as does any byte outside
 * [A-Za-z0-9._=+-] and a leading '.'. */
char *report_dirname(const char *spec);

/* Metric display: durations (ns) in human units, peaks in pages with their
 * size, counts as numbers; fractional values (means over seeds) keep one
 * decimal. */
bool report_metric_is_duration(const char *name);
/* The unit of a counter metric as the metric table gives it (MiB/s, pages, ...), or
 * NULL for durations (drawn in a unit chosen per chart) and unitless counts. */
const char *report_metric_unit(const char *name);
char *report_format_value(const char *metric, double v);
/* A raw number for CSV: integers exactly, others the shortest form that reads
 * back as the same double. */
char *report_format_raw(double v);

char *report_summary_json(const struct run_result *r);
char *report_latency_csv(const struct metrics *m);
char *report_timeline_csv(const GArray *timeline);
/* summary.json, latency.csv and timeline.csv into @dir (created as needed). */
bool report_write_run(const char *dir, const struct run_result *r, GError **err);

/* A comparison: runs[p * nseeds + s] is policy specs[p] under seeds[s]. */
struct compare {
	const char *scenario;
	const char *description;
	guint npolicies;
	const char *const *specs;       /* canonical policy specs, the columns */
	guint nseeds;
	const uint64_t *seeds;
	struct run_result *const *runs;
	/* per policy, NULL: all false.  Its runs are measurements (the kernel): with
	 * several seeds its cells show the median rather than the mean. */
	const bool *median;
};

static inline const struct run_result *compare_run(const struct compare *c, guint p, guint s)
{
	return c->runs[p * c->nseeds + s];
}

bool compare_passed(const struct compare *c);
/* The terminal table (human units; with several seeds "mean (min..max)"). */
char *report_compare_table(const struct compare *c);
/* One line per expectation and run: "PASS  file.lua:12  policy  metric pred (got v)". */
char *report_expectations(const struct compare *c);
char *report_compare_csv(const struct compare *c);
char *report_compare_json(const struct compare *c);
char *report_compare_md(const struct compare *c);
/* compare.csv, compare.json and compare.md into @dir. */
bool report_write_compare(const char *dir, const struct compare *c, GError **err);

/* The builder's root as every results file has it: two-space pretty JSON with a
 * final newline (the root is released, the builder is the caller's). */
typedef struct _JsonBuilder JsonBuilder;
char *report_json_string(JsonBuilder *b);

/* Create @dir and write @contents to @dir/@name atomically: through a temporary
 * ".NAME.XXXXXX.tmp" in @dir and a rename, so a run killed at any moment leaves the
 * old file or the new one, whole (and, killed between the two, the temporary). */
bool report_write_file(const char *dir, const char *name, const char *contents, GError **err);

#endif
