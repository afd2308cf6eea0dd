/*
 * profile — `--profile FILE`: a calibration profile's values over a run's machine.
 *
 * The rule: every field the profile sets (sim.costs{...}, sim.device{...}) replaces
 * the scenario's own value, whether the scenario declared it or took the default:
 * the profile describes the machine the comparison is with (a loop device next to
 * which the scenario's 20 us device is a fiction).  Fields the profile does not set
 * (integrity, stable_writes, the scheduler, writeback, ...) stay the scenario's.
 */
#ifndef WBSIM_PROFILE_H
#define WBSIM_PROFILE_H

#include <glib.h>
#include <stdbool.h>

#include "engine/config.h"

/* The profile at @path as lines "SECTION key=value key=value" (NULL-terminated,
 * g_strfreev), or NULL with the reason. */
char **run_profile_read(const char *path, GError **err);
/* @profile's lines over @cfg (the *_set flags as sim_config_finish takes them);
 * @path names the file in errors. */
bool run_profile_apply(const char *const *profile, const char *path, struct sim_config *cfg,
		       bool *stable_set, bool *bandwidth_set, bool *flush_set, GError **err);

#endif
