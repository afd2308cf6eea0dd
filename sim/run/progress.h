/*
 * progress — a one-line "\r" report on stderr for work that takes more than a second:
 * a ticker thread redraws it five times a second from what the runs store (their
 * struct run_progress) and how many have finished, so reporting costs the runs
 * nothing.  Only when stderr is a terminal, $CI is unset and TERM is not "dumb":
 * pipes, CI logs and job-array output stay clean.  What the line says is the caller's
 * (a formatter); `wbsim run` and `compare` (cli/cli_progress.c) and `wbsim sweep`
 * (sweep/sweep_progress.c) each have theirs.
 */
#ifndef WBSIM_PROGRESS_H
#define WBSIM_PROGRESS_H

#include <glib.h>

#include "run/run.h"

struct progress;

/* The line, without "\r": from the runs' states, the runs finished and the time taken. */
typedef char *(*progress_fmt)(const void *data, const struct run_progress *runs,
			      unsigned nruns, unsigned done, double wall_seconds);

/* NULL (and every call a no-op) when no line would be shown; @data is freed with
 * @free_data when the progress stops, or at once when it is not shown. */
struct progress *progress_new(unsigned nruns, progress_fmt fmt, void *data,
			      GDestroyNotify free_data);
/* Where run @i (0-based) reports how far it has got: scenario_opts.progress.  NULL
 * when @p is. */
struct run_progress *progress_run(struct progress *p, unsigned i);
/* A run finished; any thread. */
void progress_run_done(struct progress *p);
/* Stop and erase the line, so what is printed next starts clean. */
void progress_stop(struct progress *p);

#endif
