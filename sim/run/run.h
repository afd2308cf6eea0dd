/*
 * run — one run of a workload under a policy spec and a seed, from whatever source
 * (run/workload.h) on whatever target (run/target.h): load the workload, pick the
 * target that claims the spec, build the machine from the declared configuration and
 * the seed, let the source declare its world and drive its tasks, run, then gather
 * the metrics, judge the expectations and keep the timeline.  Runs share nothing, so
 * any number may go at once on different threads (run/batch.c puts them on a pool).
 */
#ifndef WBSIM_RUN_H
#define WBSIM_RUN_H

#include <glib.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/trace.h"
#include "report/result.h"

struct workload_ops;
struct target_ops;

#define SCENARIO_ERROR (scenario_error_quark())
GQuark scenario_error_quark(void);

/* Error codes; every message names the file and line when there is one. */
enum scenario_error {
	SCENARIO_ERROR_INPUT,           /* bad scenario, bad --set, bad policy: exit 2 */
	SCENARIO_ERROR_RUNTIME,         /* a task raised an error, a limit was hit: exit 2 */
	SCENARIO_ERROR_DEADLOCK,        /* every task waits for something nobody gives: exit 2 */
};

/*
 * How far a run has got, for a progress line that another thread draws: the simulated
 * time of the last timeline sample, and the duration the run is capped at (0: it ends
 * when the workload does).  Written by the run, read by anyone; never a result.
 */
enum run_state { RUN_QUEUED, RUN_RUNNING, RUN_DONE };

struct run_progress {
	atomic_uint_least64_t sim_ns;
	atomic_uint_least64_t duration_ns;
	atomic_int state;               /* enum run_state */
};

struct scenario_opts {
	const char *path;               /* the workload's file */
	const char *policy_spec;        /* NULL: the first of the workload's policies */
	uint64_t seed;
	GHashTable *sets;               /* --set name=value (char* -> char*), may be NULL */
	size_t mem_limit;               /* bytes the source may use (the Lua state); 0: default */
	uint64_t instr_budget;          /* the source's instructions between time advances; 0: default */
	sim_trace_fn trace;             /* NULL: no trace */
	void *trace_data;
	uint64_t timeline_interval;     /* ns; 0 = default (duration/200, or adaptive) */
	uint64_t duration_cap;          /* ns; 0 = none: simulated time stops there even if
					   the scenario's duration is longer (fuzzing) */
	struct run_progress *progress;  /* NULL: nobody is watching */
	/* What this program can read and run on (cli/wbsim.h gives both lists):
	 * NULL-terminated; the first source that recognises the file reads it, the
	 * first target that claims a spec runs it. */
	const struct workload_ops *const *sources;
	const struct target_ops *const *targets;
	/* The seed the workload declares (an op log's header) rather than @seed. */
	bool workload_seed;
	/* A target wrapped around the one that runs the spec, given @wrap_data (the
	 * op-log recorder of `wbsim run --record`); NULL: none. */
	const struct target_ops *wrap;
	void *wrap_data;
	/* Options of the op-log replay (replay/), NULL when not given; a source they do
	 * not apply to refuses them.  @timing: "think" or "issue".  @config: overrides of
	 * the log's configuration, each "SECTION KEY=VALUE[,KEY=VALUE...]" with SECTION
	 * device, writeback or costs, applied in order. */
	const char *timing;
	const char *const *config;
	/* A calibration profile (run/profile.h), its lines and its file, NULL when not
	 * given: its values replace the workload's device and cost values. */
	const char *const *profile;
	const char *profile_path;
};

struct scenario_info {
	char *name;
	char *description;
	char **policies;                /* NULL-terminated; empty when not declared */
	GPtrArray *params;              /* of struct param_value * (defaults or --set) */
	uint64_t duration;
};

/* Read the workload's declarations only (no run): name, default policies, params. */
struct scenario_info *scenario_probe(const struct scenario_opts *o, GError **err);
void scenario_info_free(struct scenario_info *i);

/* Load, run to the end under o->policy_spec, evaluate expectations. */
struct run_result *scenario_run(const struct scenario_opts *o, GError **err);

/* @spec in canonical form, by the target of @targets that claims it; NULL with the
 * reason when no target does or the spec is bad. */
char *run_canonical_spec(const struct target_ops *const *targets, const char *spec,
			 GError **err);

#endif
