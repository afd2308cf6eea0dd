/*
 * workload — where a run's operations come from, behind one interface as
 * libCacheSim's trace readers are: the Lua scenario (lua/lua_scenario.c) is one
 * source; op logs of recorded runs and real programs are meant to be another.  A
 * source reads its file (open), says what it declared (info), declares its world on a
 * target and drives its tasks through the target's operations (start), and reports
 * what went wrong on the way.  The run (run/run.c) never knows which one it has.
 */
#ifndef WBSIM_WORKLOAD_H
#define WBSIM_WORKLOAD_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/config.h"
#include "run/run.h"
#include "run/target.h"

struct workload;

struct workload_info {
	const char *name;               /* never NULL */
	const char *description;
	const char *const *policies;    /* NULL-terminated, perhaps empty */
	const char *policies_at;        /* "file:line" where they were declared */
	const GPtrArray *params;        /* of struct param_value *, declaration order */
	const struct sim_config *cfg;   /* as declared (seed, finishing: the run's) */
	bool stable_set, bandwidth_set, flush_set;      /* for sim_config_finish */
	const GPtrArray *expects;       /* of struct expect_decl * (run/expect.h) */
};

struct workload_ops {
	const char *name;
	/* Is this one of the source's files?  @head holds its first @len bytes. */
	bool (*recognizes)(const char *head, size_t len);
	/* Read the file and its declarations, checking o->sets against them. */
	struct workload *(*open)(const struct scenario_opts *o, GError **err);
	void (*info)(struct workload *w, struct workload_info *i);
	/* The target calls it whenever one of the source's tasks may continue. */
	void (*resume)(void *task_data);
	/* Declare the world on @t and start the tasks; a failure is kept for error(). */
	void (*start)(struct workload *w, struct target *t, const struct target_ops *ops);
	/* The first error since open (a task raised one, a limit was hit), or NULL;
	 * *code is an enum scenario_error. */
	const char *(*error)(struct workload *w, int *code);
	/* For a deadlock report: what the task whose data is @task_data waits for. */
	char *(*describe_wait)(struct workload *w, void *task_data);
	void (*close)(struct workload *w);
};

#endif
