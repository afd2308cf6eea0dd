/*
 * sweep_progress — the sweep's "\r" line on stderr: points done of the total (those
 * already complete from an earlier run count as done), how far each run in flight has
 * got, the time taken and an estimate of the time left.  Only on a terminal, as
 * cli_progress: pipes, CI logs and job-array output stay clean.
 */
#ifndef WBSIM_SWEEP_PROGRESS_H
#define WBSIM_SWEEP_PROGRESS_H

#include "run/progress.h"
#include "run/run.h"

/* NULL (every call then a no-op) when no line would be shown.  @runs: the runs this
 * invocation will make; @total and @skipped: the points of the sweep, and those found
 * complete.  Then progress_run, progress_run_done and progress_stop (run/progress.h). */
struct progress *sweep_progress_start(const char *label, unsigned runs, unsigned total,
				      unsigned skipped);

/*
 * The line, from the runs' states (exposed for the tests).  The estimate: the work
 * done is the runs finished plus the finished share of each run in flight (when its
 * duration is known); the time left is the time taken so far times the work left over
 * the work done.  Before any work is done there is no estimate ("ETA ?").
 */
char *sweep_progress_format(const char *label, const struct run_progress *runs, unsigned nruns,
			    unsigned total, unsigned skipped, unsigned done, double wall_seconds);

#endif
