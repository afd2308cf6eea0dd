/*
 * scenario — loading and running a Lua scenario (SCENARIO_API.md) under one policy.
 * The contract between the Lua binding (lua_*.c) and the command line / reports.
 */
#ifndef WBSIM_SCENARIO_H
#define WBSIM_SCENARIO_H

#include <glib.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "metrics/metrics.h"
#include "model/model.h"

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
	const char *path;               /* the .lua file */
	const char *policy_spec;        /* NULL: the first of the scenario's policies */
	uint64_t seed;
	GHashTable *sets;               /* --set name=value (char* -> char*), may be NULL */
	size_t lua_mem_limit;           /* bytes; 0 = default 1 GiB */
	uint64_t instr_budget;          /* Lua instructions between time advances; 0 = default */
	sim_trace_fn trace;             /* NULL: no trace */
	void *trace_data;
	uint64_t timeline_interval;     /* ns; 0 = default (duration/200, or adaptive:
					   lua_scenario.c) */
	uint64_t duration_cap;          /* ns; 0 = none: simulated time stops there even if
					   the scenario's duration is longer (fuzzing) */
	struct run_progress *progress;  /* NULL: nobody is watching */
};

struct param_value {
	char *name;
	char *value;                    /* as text, the value used */
	char *description;
};

struct expect_result {
	char *pattern;                  /* the policy pattern it was declared under */
	char *metric;
	char *predicate;                /* as written: "<5ms", ">0", "0" */
	double value;                   /* the metric's value in this run */
	bool pass;
	char *where;                    /* "file.lua:12" */
};

struct timeline_sample {
	uint64_t t;
	struct sim_gauges g;
};

struct run_result {
	char *scenario;                 /* sim.scenario{name} */
	char *description;
	char *policy_spec;              /* canonical */
	uint64_t seed;
	GPtrArray *params;              /* of struct param_value * */
	struct metrics *m;              /* owned */
	GPtrArray *expects;             /* of struct expect_result *, those matching the policy */
	GArray *timeline;               /* of struct timeline_sample */
	enum sim_end end;
	/* not deterministic: reported apart */
	double wall_seconds;
	uint64_t events;
	size_t peak_rss_bytes;
};

struct scenario_info {
	char *name;
	char *description;
	char **policies;                /* NULL-terminated; empty when not declared */
	GPtrArray *params;              /* of struct param_value * (defaults or --set) */
	uint64_t duration;
};

/* Read the scenario's declarations only (no run): name, default policies, params. */
struct scenario_info *scenario_probe(const struct scenario_opts *o, GError **err);
void scenario_info_free(struct scenario_info *i);

/* Load, run to the end under o->policy_spec, evaluate expectations. */
struct run_result *scenario_run(const struct scenario_opts *o, GError **err);
void run_result_free(struct run_result *r);
bool run_result_passed(const struct run_result *r);

#endif
