/*
 * cli_progress — a one-line "\r" progress report on stderr for runs that take
 * more than a second: how many runs are done and how long it has taken.  Only
 * when stderr is a terminal (and $CI is unset): pipes and CI logs stay clean.
 */
#ifndef WBSIM_CLI_PROGRESS_H
#define WBSIM_CLI_PROGRESS_H

struct progress;

/* NULL (and every call a no-op) when progress would not be shown. */
struct progress *progress_start(const char *label, unsigned total_runs);
/* A run finished; any thread. */
void progress_run_done(struct progress *p);
/* Stop and erase the line, so what is printed next starts clean. */
void progress_stop(struct progress *p);

#endif
