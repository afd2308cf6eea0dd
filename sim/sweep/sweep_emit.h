/*
 * sweep_emit — handing a sweep's points to a scheduler that already exists:
 *
 *   jobs.txt       for GNU parallel: one command per line, one point each
 *   sweep.sbatch   for Slurm: a job array, one point per array task (with an optional
 *                  "%" throttle on how many run at once)
 *
 * Every command is `WBSIM sweep --out OUT --point K`: the task reads the plan from
 * OUT/sweep.json, so the lines stay short and cannot disagree with it.  Paths are
 * absolute, since the tasks may start anywhere (another host sharing the file system,
 * a Slurm node).  Each task writes only its own point directory; `wbsim sweep
 * --collect OUT` afterwards writes sweep.csv and sweep.md.
 */
#ifndef WBSIM_SWEEP_EMIT_H
#define WBSIM_SWEEP_EMIT_H

#include "sweep/sweep_plan.h"

#define SWEEP_JOBS_FILE "jobs.txt"
#define SWEEP_SBATCH_FILE "sweep.sbatch"
/* Where the array tasks' stdout and stderr go, inside OUT. */
#define SWEEP_SLURM_LOG_DIR "slurm"

char *sweep_emit_parallel(const struct sweep_plan *p, const char *wbsim, const char *out);
/* @throttle: at most that many tasks at once; 0: as many as Slurm gives. */
char *sweep_emit_slurm(const struct sweep_plan *p, const char *wbsim, const char *out,
		       guint throttle);

#endif
