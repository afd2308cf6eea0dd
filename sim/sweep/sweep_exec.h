/*
 * sweep_exec — running points on a thread pool, one worker per core (as `wbsim
 * compare`).  Each worker writes its point's results and then its manifest as soon as
 * its run ends, so a sweep killed at any moment keeps every point it finished, and a
 * rerun skips them.
 */
#ifndef WBSIM_SWEEP_EXEC_H
#define WBSIM_SWEEP_EXEC_H

#include <stdbool.h>

#include "run/run.h"
#include "sweep/sweep_plan.h"

struct sweep_exec {
	const struct sweep_plan *plan;
	const char *out;
	const struct scenario_opts *base;       /* the file, --mem-limit; sets and policy
						   come from each point */
	guint threads;                          /* 0: one per core */
	/* filled in */
	guint skipped;                          /* found complete */
	guint ran;
	guint failed;
};

/* Run those of @points (@n of them, point numbers) that are not complete.  False when
 * a run failed; each failure is described on stderr. */
bool sweep_exec_points(struct sweep_exec *x, const guint *points, guint n);

#endif
