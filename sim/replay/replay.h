/*
 * replay — op logs (scenarios/OPLOG.md) as a run's workload, both ways round:
 *
 *   replay_source   a log as a workload source (run/workload.h), recognised by its
 *                   first line: the header declares the world, and each logged task
 *                   becomes a task of the run that issues its own lines, on whatever
 *                   target runs the spec (`wbsim run|compare LOG`)
 *   record_target   a target that wraps the one running the spec and writes every
 *                   operation a source issues through it to a log, then forwards it
 *                   (`wbsim run SCENARIO --record FILE`: the decorator shape)
 */
#ifndef WBSIM_REPLAY_H
#define WBSIM_REPLAY_H

#include <glib.h>
#include <stdbool.h>

#include "run/target.h"
#include "run/workload.h"

extern const struct workload_ops replay_source;
extern const struct target_ops record_target;

/* What record_target writes to: give it to a run as scenario_opts.wrap_data, with
 * .wrap = &record_target. */
struct recorder;

/* A log for @path, written to a temporary file beside it until committed; @command
 * (the command line, for a comment in the header) may be NULL. */
struct recorder *recorder_new(const char *path, const char *command, GError **err);
/* The run succeeded: rename the log into place.  False (and no log) when it could
 * not be written, or nothing was recorded. */
bool recorder_commit(struct recorder *r, GError **err);
/* The run failed: remove the temporary file, leave @path as it was. */
void recorder_abort(struct recorder *r);

#endif
