/*
 * result — what one run produced, whatever ran it: its inputs as reported, every
 * metric, the expectations judged against them, and the timeline; apart from those,
 * what depends on the machine (wall time, events, memory).
 */
#ifndef WBSIM_RESULT_H
#define WBSIM_RESULT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/uapi.h"
#include "metrics/metrics.h"

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
	bool absent;                    /* the run's target cannot measure it: n/a, not FAIL */
	char *where;                    /* "file.lua:12" */
};

struct timeline_sample {
	uint64_t t;
	struct sim_gauges g;
};

struct run_result {
	char *scenario;                 /* its declared name */
	char *description;
	char *policy_spec;              /* canonical */
	uint64_t seed;
	GPtrArray *params;              /* of struct param_value * */
	struct metrics *m;              /* owned */
	GPtrArray *expects;             /* of struct expect_result *, those matching the policy */
	GArray *timeline;               /* of struct timeline_sample */
	enum sim_end end;
	/* what of the scenario's machine the target did not reproduce (NULL-terminated;
	 * NULL: everything was) */
	char **not_applied;
	/* not deterministic: reported apart */
	double wall_seconds;
	uint64_t events;
	size_t peak_rss_bytes;
};

struct param_value *param_value_new(const char *name, const char *value, const char *description);
void param_value_free(gpointer p);
void expect_result_free(gpointer p);
void run_result_free(struct run_result *r);
bool run_result_passed(const struct run_result *r);

#endif
