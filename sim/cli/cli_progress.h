/*
 * cli_progress — a one-line "\r" progress report on stderr for runs that take
 * more than a second: how far each run in flight has got in simulated time (as a
 * share of its duration when it has one), how many runs are done, and how long it
 * has taken.  Only when stderr is a terminal (and $CI is unset): pipes and CI logs
 * stay clean.
 */
#ifndef WBSIM_CLI_PROGRESS_H
#define WBSIM_CLI_PROGRESS_H

#include "run/progress.h"
#include "run/run.h"

/* NULL (and every call a no-op) when progress would not be shown; then
 * progress_run, progress_run_done and progress_stop of run/progress.h. */
struct progress *progress_start(const char *label, unsigned total_runs);

/* The line itself (without "\r"), from the runs' states: exposed for the tests. */
char *progress_format(const char *label, const struct run_progress *runs, unsigned total,
		      unsigned done, double wall_seconds);

#endif
