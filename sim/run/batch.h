/*
 * batch — many runs of one workload (policies x seeds) on a thread pool with one
 * worker per core, and where their results go.  Runs share nothing (each makes its
 * own workload state and machine), so the only synchronisation is the queue that
 * hands finished runs back to the calling thread.
 */
#ifndef WBSIM_BATCH_H
#define WBSIM_BATCH_H

#include <glib.h>
#include <stdbool.h>

#include "report/report.h"
#include "run/run.h"

struct batch {
	/* in */
	const struct scenario_opts *base;       /* policy_spec and seed are set per run */
	const char *const *specs;               /* canonical specs */
	guint nspecs;
	guint nseeds;                           /* seeds 1..nseeds */
	/* where run i (spec i / nseeds, seed i % nseeds + 1) reports its progress, and
	 * that it has finished (called on the calling thread); either may be NULL */
	struct run_progress *(*slot)(void *data, guint i);
	void (*finished)(void *data);
	void *progress_data;
	/* out: runs[i] or errs[i] for every run i */
	struct run_result **runs;
	GError **errs;
	uint64_t *seeds;
	bool *median;                           /* per spec: its target is measured */
};

/* Every run of @b, each worker taking the next; true when all of them succeeded. */
bool batch_run(struct batch *b);
void batch_clear(struct batch *b);
/* The comparison the runs make (valid while @b is). */
struct compare batch_compare(const struct batch *b);

/* <out>/<scenario>: the workload's declared name or, without one, the file's base name
 * without ".lua"; made filesystem-safe by report_dirname(). */
char *run_results_dir(const char *out, const char *scenario_name, const char *path);
/* One run's files in <sdir>/<policy-dir>/; the directory written is returned in
 * *dir. */
bool run_write_one(const char *sdir, const struct run_result *r, char **dir, GError **err);
/* Every run's files (in <policy-dir>/, or <policy-dir>/seed-N/ with several seeds)
 * and the comparison's, under @sdir. */
bool run_write_batch(const char *sdir, const struct compare *c, GError **err);

#endif
