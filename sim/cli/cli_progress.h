/*
 * cli_progress — a one-line "\r" progress report on stderr for runs that take
 * more than a second: how far each run in flight has got in simulated time (as a
 * share of its duration when it has one), how many runs are done, and how long it
 * has taken.  Only when stderr is a terminal (and $CI is unset): pipes and CI logs
 * stay clean.
 */
#ifndef WBSIM_CLI_PROGRESS_H
#define WBSIM_CLI_PROGRESS_H

#include "run/run.h"

struct progress;

/* NULL (and every call a no-op) when progress would not be shown. */
struct progress *progress_start(const char *label, unsigned total_runs);
/* Where run @i (0-based) reports how far it has got: scenario_opts.progress.  NULL
 * when @p is. */
struct run_progress *progress_run(struct progress *p, unsigned i);
/* A run finished; any thread. */
void progress_run_done(struct progress *p);
/* Stop and erase the line, so what is printed next starts clean. */
void progress_stop(struct progress *p);

/* The line itself (without "\r"), from the runs' states: exposed for the tests. */
char *progress_format(const char *label, const struct run_progress *runs, unsigned total,
		      unsigned done, double wall_seconds);

#endif
