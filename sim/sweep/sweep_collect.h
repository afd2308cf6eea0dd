/*
 * sweep_collect — gathering the points' results: from OUT itself, or from other
 * directories where the same plan's points were run (other hosts, job arrays), copied
 * into OUT's point directories with the manifest last.  A point counts only when its
 * manifest's fingerprint matches the plan's; one missing or stale anywhere is an error
 * that lists them, and nothing is written.
 */
#ifndef WBSIM_SWEEP_COLLECT_H
#define WBSIM_SWEEP_COLLECT_H

#include <stdbool.h>

#include "sweep/sweep_plan.h"

struct sweep_results {
	const struct sweep_plan *plan;
	guint npoints;
	const char *const *metrics;     /* metric_names(): the columns of v */
	guint nmetrics;
	double *v;                      /* v[k * nmetrics + m] */
	bool *passed;                   /* every expectation held in point k */
};

/* The results of every point of @p, from @out and then each of @from (NULL-terminated,
 * may be NULL). */
struct sweep_results *sweep_collect(const struct sweep_plan *p, const char *out,
				    char *const *from, GError **err);
void sweep_results_free(struct sweep_results *r);

/* Read one point's summary.json into @v (metric_names() order) and @passed. */
bool sweep_read_summary(const char *dir, double *v, bool *passed, GError **err);

#endif
