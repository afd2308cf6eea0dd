/*
 * wbsim — what this program reads and what it runs on: the workload sources and the
 * targets, in the order they are asked (the first to recognise a file reads it, the
 * first to claim a policy spec runs it).  Everything else only sees the interfaces.
 */
#ifndef WBSIM_WBSIM_H
#define WBSIM_WBSIM_H

#include "run/run.h"
#include "run/target.h"
#include "run/workload.h"

extern const struct workload_ops *const wbsim_sources[];
extern const struct target_ops *const wbsim_targets[];

/* @o, given this program's sources and targets where it names none. */
static inline struct scenario_opts *wbsim_opts(struct scenario_opts *o)
{
	if (!o->sources)
		o->sources = wbsim_sources;
	if (!o->targets)
		o->targets = wbsim_targets;
	return o;
}

/* Options with this program's sources and targets and the defaults of `wbsim run`. */
static inline void wbsim_opts_init(struct scenario_opts *o)
{
	*o = (struct scenario_opts){ .seed = 1, .sources = wbsim_sources, .targets = wbsim_targets };
}

#endif
