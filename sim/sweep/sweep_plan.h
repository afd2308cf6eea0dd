/*
 * sweep_plan — what a sweep runs: the scenario, the grid's axes, the policies and the
 * seeds, and the numbering of its points.  A point is one run: one value of every
 * axis, one policy, one seed.  Points are numbered 0..n-1 with the first axis varying
 * slowest and the seed fastest, so `--point K` names the same run wherever it goes.
 *
 * The plan is kept in OUT/sweep.json, so `--collect` and the job lists of --emit need
 * nothing but the directory.  Each point's results live in OUT/<point dir>/, next to a
 * manifest.json that records the fingerprint of the point's inputs (sweep_manifest.h).
 */
#ifndef WBSIM_SWEEP_PLAN_H
#define WBSIM_SWEEP_PLAN_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sweep/sweep_grid.h"

#define SWEEP_PLAN_FILE "sweep.json"

struct sweep_plan {
	char *scenario;                 /* the .lua file, absolute */
	char *scenario_name;            /* sim.scenario{name}, for titles */
	char *scenario_sha256;          /* of the file's bytes */
	char *version;                  /* wbsim's release */
	GPtrArray *axes;                /* of struct sweep_axis * */
	GPtrArray *sets;                /* of "NAME=VALUE" (--set), sorted: every point's */
	GPtrArray *policies;            /* canonical specs */
	GPtrArray *builds;              /* per policy: the build id (sweep_build_id) */
	guint nseeds;                   /* seeds 1..nseeds */
	uint64_t timeline_interval;     /* --timeline-interval in ns; 0: the default */
	char *mem_limit;                /* --mem-limit as given, or NULL: not an input of the
					   results (it only decides whether a run fits) */
	char *profile;                  /* --profile FILE as given, or NULL */
	char *profile_sha256;           /* its content's, an input of every point */
	GPtrArray *metrics;             /* shown in sweep.md and the charts */
};

struct sweep_plan *sweep_plan_new(void);
void sweep_plan_free(struct sweep_plan *p);

guint sweep_plan_npoints(const struct sweep_plan *p);
/* Point @k's value index on each axis (@vals has one slot per axis), policy and seed. */
void sweep_plan_decode(const struct sweep_plan *p, guint k, guint *vals, guint *policy,
		       uint64_t *seed);
/* "writers=4,qd=32" ("defaults" without axes): the point's parameters. */
char *sweep_point_params(const struct sweep_plan *p, guint k);
/* The point's directory under OUT: points/<params>/<policy>/seed-<N>, each part
 * readable and unique (a part that had to be made filesystem-safe gets a short hash
 * of its real text appended). */
char *sweep_point_dir(const struct sweep_plan *p, guint k);
/* Every input the point's results depend on, one "key value" line each, in a fixed
 * order: the text the fingerprint is the SHA-256 of. */
char *sweep_point_inputs(const struct sweep_plan *p, guint k);
char *sweep_point_fingerprint(const struct sweep_plan *p, guint k);
/* The --set table of the point's run: the plan's sets and the point's axis values. */
GHashTable *sweep_point_sets(const struct sweep_plan *p, guint k);

/* sweep.json and back; the reader names @path in its errors. */
char *sweep_plan_to_json(const struct sweep_plan *p);
struct sweep_plan *sweep_plan_from_json(const char *text, const char *path, GError **err);
struct sweep_plan *sweep_plan_load(const char *dir, GError **err);

/* SHA-256 of a file's bytes, in hex. */
char *sweep_file_sha256(const char *path, GError **err);
/* What "the same wbsim" means for a point: the SHA-256 of the core library and of
 * the module of @spec's policy, the files that do the run.  A rebuild with any change
 * to either changes it, so results are never reused across different code. */
char *sweep_build_id(const char *spec, GError **err);

#endif
