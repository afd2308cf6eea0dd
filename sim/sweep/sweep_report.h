/*
 * sweep_report — what a sweep leaves in OUT:
 *
 *   sweep.csv   one row per point (= run): each swept parameter (column "param.NAME"),
 *               policy, seed, whether every expectation held, then every metric
 *               (metric_names() order), raw numbers
 *   sweep.md    per metric shown, a table: one row per combination of the swept
 *               parameters, one column per policy, each cell the mean over the seeds
 *               ± the half-width of its 95 % confidence interval (Student t, n - 1
 *               degrees of freedom); with one seed, the value alone
 *
 * Both are pure functions of the plan and the results: the same inputs give the same
 * bytes, wherever and in whatever order the points ran.
 */
#ifndef WBSIM_SWEEP_REPORT_H
#define WBSIM_SWEEP_REPORT_H

#include <stdbool.h>

#include "sweep/sweep_collect.h"
#include "sweep/sweep_stats.h"

/* The metrics sweep.md and the charts show: the plan's (--metric), else those of a
 * default list that are not 0 in every point. */
GPtrArray *sweep_shown_metrics(const struct sweep_results *r);
/* The column of @metric in r->v, or -1. */
int sweep_metric_index(const struct sweep_results *r, const char *metric);
/* The spread over the seeds of @metric for combination @combo of the axes' values
 * (numbered like the points, without policy and seed) under policy @pol. */
struct sweep_stat sweep_cell(const struct sweep_results *r, guint combo, guint pol, int metric);
guint sweep_ncombos(const struct sweep_plan *p);

char *sweep_csv(const struct sweep_results *r);
char *sweep_md(const struct sweep_results *r);
/* sweep.csv and sweep.md into @out. */
bool sweep_write_reports(const char *out, const struct sweep_results *r, GError **err);

#endif
