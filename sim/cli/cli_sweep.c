/*
 * cli_sweep — `wbsim sweep`: a scenario over a grid of its parameters × policies ×
 * seeds.  Four modes share the options:
 *
 *   wbsim sweep SCENARIO --out DIR [--grid ...]      run what is missing, then report
 *   wbsim sweep SCENARIO --out DIR ... --emit KIND   write the plan and a job list
 *   wbsim sweep [SCENARIO ...] --out DIR --point K   run points of the plan (a task)
 *   wbsim sweep --collect DIR [FROM...]              gather results, then report
 *
 * Everything the command line can get wrong is checked before anything is written.
 */
#include "cli/cli_sweep.h"
#include "cli/wbsim.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "metrics/metrics.h"
#include "report/report.h"
#include "sweep/sweep_collect.h"
#include "sweep/sweep_emit.h"
#include "sweep/sweep_exec.h"
#include "sweep/sweep_grid.h"
#include "sweep/sweep_manifest.h"
#include "sweep/sweep_plot.h"
#include "sweep/sweep_report.h"

#define CMD "sweep"
#define MAX_SEEDS 10000

struct args {
	struct cli_scenario_args sa;
	char **grids, **policy_lists, **metric_lists;
	char *seeds, *emit, *throttle, *point, *collect, *threads;
	gboolean plot;
};

static void args_clear(struct args *a)
{
	cli_scenario_args_clear(&a->sa);
	g_strfreev(a->grids);
	g_strfreev(a->policy_lists);
	g_strfreev(a->metric_lists);
	g_free(a->seeds);
	g_free(a->emit);
	g_free(a->throttle);
	g_free(a->point);
	g_free(a->collect);
	g_free(a->threads);
}

static int fail(GError *err)
{
	fprintf(stderr, "wbsim sweep: %s\n", err ? err->message : "failed");
	if (err)
		g_error_free(err);
	return CLI_USAGE;
}

static bool parse_metrics(char **lists, GPtrArray *out)
{
	for (char **l = lists; l && *l; l++) {
		char **names = g_strsplit(*l, ",", -1);
		for (char **n = names; *n; n++) {
			char *name = g_strstrip(*n);
			if (!metric_name_valid(name)) {
				cli_usage_error(CMD, "--metric %s: no such metric (the names of "
						"SCENARIO_API.md \"Metrics\", e.g. write.p99, "
						"redundant_writes, stall.stable)", name);
				g_strfreev(names);
				return false;
			}
			if (!g_ptr_array_find_with_equal_func(out, name, g_str_equal, NULL))
				g_ptr_array_add(out, g_strdup(name));
		}
		g_strfreev(names);
	}
	return true;
}

/* --point "3", "0-5", "0-5,9": point numbers below @n, each once, in order given. */
static GArray *parse_points(const char *s, guint n)
{
	GArray *pts = g_array_new(FALSE, FALSE, sizeof(guint));
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	char **items = g_strsplit(s, ",", -1);
	bool ok = *s != '\0';
	for (char **it = items; *it && ok; it++) {
		char **ends = g_strsplit(*it, "-", 2);
		guint64 a = 0, b = 0;
		ok = g_ascii_string_to_unsigned(ends[0], 10, 0, G_MAXUINT, &a, NULL) &&
		     g_ascii_string_to_unsigned(ends[1] ? ends[1] : ends[0], 10, 0, G_MAXUINT, &b,
						NULL) && a <= b;
		if (!ok)
			cli_usage_error(CMD, "--point \"%s\": want K, A-B or a comma-separated list "
					"of them (points are numbered from 0)", s);
		else if (b >= n) {
			cli_usage_error(CMD, "--point %" G_GUINT64_FORMAT ": the sweep has %u points, "
					"0..%u", b, n, n - 1);
			ok = false;
		}
		for (guint64 k = a; ok && k <= b; k++)
			if (g_hash_table_add(seen, GUINT_TO_POINTER((guint)k)))
				g_array_append_val(pts, k);
		g_strfreev(ends);
	}
	if (!*s)
		cli_usage_error(CMD, "--point: an empty list");
	g_strfreev(items);
	g_hash_table_destroy(seen);
	if (!ok) {
		g_array_free(pts, TRUE);
		return NULL;
	}
	return pts;
}

/* Write OUT/sweep.json unless it already says the same: a thousand array tasks that
 * start together each find it in place instead of rewriting it. */
static bool write_plan(const char *out, const struct sweep_plan *p, GError **err)
{
	char *json = sweep_plan_to_json(p);
	char *path = g_build_filename(out, SWEEP_PLAN_FILE, NULL);
	char *old = NULL;
	bool ok = g_file_get_contents(path, &old, NULL, NULL) && !strcmp(old, json);
	ok = ok || report_write_file(out, SWEEP_PLAN_FILE, json, err);
	g_free(old);
	g_free(path);
	g_free(json);
	return ok;
}

/* The plan of a task that names no scenario must be what this host would make: the
 * same scenario file content and the same wbsim, else its results would be refused
 * by --collect.  Better to say so now. */
static bool plan_matches_host(const struct sweep_plan *p, GError **err)
{
	char *sha = sweep_file_sha256(p->scenario, err);
	if (!sha)
		return false;
	bool ok = !strcmp(sha, p->scenario_sha256);
	if (!ok)
		g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT, "%s changed since the sweep was "
			    "planned (its sweep.json records other content): plan it again",
			    p->scenario);
	g_free(sha);
	for (guint i = 0; ok && i < p->policies->len; i++) {
		char *id = sweep_build_id(p->policies->pdata[i], err);
		ok = id && !strcmp(id, p->builds->pdata[i]);
		if (id && !ok)
			g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT, "this wbsim is not the build "
				    "that planned the sweep (policy %s): its results would not "
				    "match the plan; plan it again with this build",
				    (char *)p->policies->pdata[i]);
		g_free(id);
	}
	return ok;
}

/* The plan from the command line; NULL with the message printed. */
static struct sweep_plan *plan_from_args(struct args *a, const char *path,
					 struct scenario_opts *base)
{
	GError *err = NULL;
	struct sweep_plan *p = sweep_plan_new();
	struct scenario_info *info = NULL;
	uint64_t nseeds = 1;
	GPtrArray *axes = sweep_grid_parse(a->grids, &err);
	if (!axes)
		goto bad;
	g_ptr_array_extend_and_steal(p->axes, axes);
	if (a->seeds && !cli_parse_u64(CMD, "--seeds", a->seeds, 1, MAX_SEEDS, &nseeds))
		goto quiet;
	p->nseeds = (guint)nseeds;
	if (!parse_metrics(a->metric_lists, p->metrics))
		goto quiet;
	GPtrArray *specs = NULL;
	if (a->policy_lists && !(specs = cli_choose_policies(CMD, a->policy_lists, NULL, NULL)))
		goto quiet;
	if (!(info = scenario_probe(base, &err))) {
		if (specs)
			g_ptr_array_free(specs, TRUE);
		fprintf(stderr, "%s\n", err->message);
		g_clear_error(&err);
		goto quiet;
	}
	if (!specs)
		specs = cli_choose_policies(CMD, NULL, info, path);
	if (!specs)
		goto quiet;
	g_ptr_array_extend_and_steal(p->policies, specs);
	/* Counted before the values are checked: each check probes the scenario. */
	if (!sweep_plan_npoints(p)) {
		g_set_error(&err, SWEEP_ERROR, SWEEP_ERROR_INPUT, "more than %d points: sweep "
			    "fewer values, policies or seeds", SWEEP_MAX_POINTS);
		goto bad;
	}
	if (!sweep_grid_check(p->axes, base, info, &err))
		goto bad;
	p->scenario = g_canonicalize_filename(path, NULL);
	p->scenario_name = g_strdup(info->name);
	p->version = g_strdup(WBSIM_VERSION);
	p->timeline_interval = base->timeline_interval;
	p->mem_limit = g_strdup(a->sa.mem_limit);
	if (!(p->scenario_sha256 = sweep_file_sha256(p->scenario, &err)))
		goto bad;
	if (a->sa.profile && (!(p->profile = g_canonicalize_filename(a->sa.profile, NULL)) ||
			      !(p->profile_sha256 = sweep_file_sha256(p->profile, &err))))
		goto bad;
	/* From the table, so a repeated --set counts once, as in the run itself. */
	GList *keys = g_list_sort(g_hash_table_get_keys(base->sets), (GCompareFunc)strcmp);
	for (GList *k = keys; k; k = k->next)
		g_ptr_array_add(p->sets, g_strdup_printf("%s=%s", (char *)k->data,
							 (char *)g_hash_table_lookup(base->sets, k->data)));
	g_list_free(keys);
	for (guint i = 0; i < p->policies->len; i++) {
		char *id = sweep_build_id(p->policies->pdata[i], &err);
		if (!id)
			goto bad;
		g_ptr_array_add(p->builds, id);
	}
	scenario_info_free(info);
	return p;
bad:
	fail(err);
quiet:
	scenario_info_free(info);
	sweep_plan_free(p);
	return NULL;
}

/* sweep.csv, sweep.md and (--plot) the charts, from every point of @p in @out or
 * @from. */
static int report(const char *out, const struct sweep_plan *p, char *const *from, bool plot)
{
	GError *err = NULL;
	struct sweep_results *r = sweep_collect(p, out, from, &err);
	if (!r)
		return fail(err);
	int status = CLI_OK;
	if (!sweep_write_reports(out, r, &err) || (plot && !sweep_plot(out, r, &err)))
		status = fail(err);
	else
		printf("%u points; results in %s/sweep.csv and %s/sweep.md%s%s%s\n", r->npoints, out,
		       out, plot ? ", charts in " : "", plot ? out : "", plot ? "/charts/" : "");
	sweep_results_free(r);
	return status;
}

static int collect(struct args *a, int argc, char **argv)
{
	if (a->grids || a->policy_lists || a->seeds || a->emit || a->point || a->sa.sets ||
	    a->sa.out || a->sa.timeline_interval)
		return cli_usage_error(CMD, "--collect DIR [FROM...] takes the plan from DIR/%s "
				       "(or the first FROM that has one): no scenario options",
				       SWEEP_PLAN_FILE);
	char *const *from = argv + 1;
	GError *err = NULL;
	struct sweep_plan *p = sweep_plan_load(a->collect, NULL);
	for (int i = 1; !p && i < argc; i++)
		p = sweep_plan_load(argv[i], NULL);
	if (!p && !(p = sweep_plan_load(a->collect, &err)))
		return fail(err);
	int status = CLI_USAGE;
	if (a->metric_lists) {
		g_ptr_array_set_size(p->metrics, 0);
		if (!parse_metrics(a->metric_lists, p->metrics))
			goto out;
	}
	if (!write_plan(a->collect, p, &err)) {
		status = fail(err);
		goto out;
	}
	status = report(a->collect, p, from, a->plot);
out:
	sweep_plan_free(p);
	return status;
}

static int emit(struct args *a, const struct sweep_plan *p, const char *out)
{
	GError *err = NULL;
	uint64_t throttle = 0;
	bool slurm = !strcmp(a->emit, "slurm");
	if (a->throttle && !cli_parse_u64(CMD, "--throttle", a->throttle, 1, G_MAXUINT, &throttle))
		return CLI_USAGE;
	char *self = g_file_read_link("/proc/self/exe", &err);
	if (!self)
		return fail(err);
	char *abs_out = g_canonicalize_filename(out, NULL);
	char *text = slurm ? sweep_emit_slurm(p, self, abs_out, (guint)throttle)
			   : sweep_emit_parallel(p, self, abs_out);
	const char *file = slurm ? SWEEP_SBATCH_FILE : SWEEP_JOBS_FILE;
	char *logs = g_build_filename(abs_out, SWEEP_SLURM_LOG_DIR, NULL);
	bool ok = write_plan(out, p, &err) && report_write_file(out, file, text, &err);
	if (ok && slurm && g_mkdir_with_parents(logs, 0755) != 0) {
		g_set_error(&err, SWEEP_ERROR, SWEEP_ERROR_INPUT, "cannot create %s", logs);
		ok = false;
	}
	int status = CLI_OK;
	if (!ok) {
		status = fail(err);
	} else if (slurm) {
		printf("%u points, one per array task, in %s/%s.  Submit, then collect:\n"
		       "  sbatch --wait %s/%s\n  %s sweep --collect %s\n", sweep_plan_npoints(p),
		       abs_out, file, abs_out, file, self, abs_out);
	} else {
		printf("%u points, one per line, in %s/%s.  Run them, then collect:\n"
		       "  parallel --jobs %u < %s/%s\n"
		       "  (other hosts sharing this file system: parallel --sshloginfile HOSTS < "
		       "%s/%s)\n  %s sweep --collect %s\n", sweep_plan_npoints(p), abs_out, file,
		       g_get_num_processors(), abs_out, file, abs_out, file, self, abs_out);
	}
	g_free(logs);
	g_free(text);
	g_free(abs_out);
	g_free(self);
	return status;
}

static int run_points(struct args *a, const struct sweep_plan *p, const char *out,
		      struct scenario_opts *base, const guint *points, guint n, bool full)
{
	uint64_t threads = 0;
	if (a->threads && !cli_parse_u64(CMD, "--threads", a->threads, 1, 1024, &threads))
		return CLI_USAGE;
	GError *err = NULL;
	if (!write_plan(out, p, &err))
		return fail(err);
	struct sweep_exec x = { .plan = p, .out = out, .base = base, .threads = (guint)threads };
	bool ok = sweep_exec_points(&x, points, n);
	fprintf(stderr, "wbsim sweep: %u point%s run, %u already complete, %u failed\n",
		x.ran, x.ran == 1 ? "" : "s", x.skipped, x.failed);
	if (!ok)
		return CLI_USAGE;
	return full ? report(out, p, NULL, a->plot) : CLI_OK;
}

static const char sweep_description[] =
	"Runs the scenario at every point of a grid: each combination of the values of the\n"
	"swept parameters (sim.param; --grid), under each policy (--policies, else the\n"
	"scenario's, else every installed one), with seeds 1..N (--seeds), on one thread\n"
	"per core.\n"
	"\n"
	"  --grid writers=1,2,4,8     a list\n"
	"  --grid writers=1..8        integers 1 to 8\n"
	"  --grid ratio=0.1..0.5+0.1  from 0.1 to 0.5 in steps of 0.1\n"
	"  --grid qd=1..64*2          1, 2, 4, ... 64: each value times 2\n"
	"  --grid qd=1,4..16*2,32     items mix: 1, 4, 8, 16, 32\n"
	"Values must convert to the parameter's type, as with --set.\n"
	"\n"
	"Writes into DIR (--out, required):\n"
	"  sweep.json   the plan: what --point, --emit and --collect work from\n"
	"  points/<params>/<policy>/seed-N/   one run's files (see 'wbsim run --help') and\n"
	"               manifest.json, the fingerprint of its inputs (scenario content,\n"
	"               wbsim build, parameters, policy, seed), written last\n"
	"  sweep.csv    one row per run: parameters, policy, seed, passed, every metric\n"
	"  sweep.md     per metric, mean ± half-width of the 95 % confidence interval over\n"
	"               the seeds (Student t, n-1 degrees of freedom); one seed: the value\n"
	"  charts/      with --plot: each --metric against each swept parameter, one line\n"
	"               per policy, error bars; with several swept parameters, one chart\n"
	"               per combination of the others' values\n"
	"--metric chooses what sweep.md and the charts show (default: the usual latencies,\n"
	"stalls and hazards that are not 0 everywhere); sweep.csv always has every metric.\n"
	"\n"
	"Resuming: rerun the same command after an interruption; points whose manifest\n"
	"matches their inputs are skipped, any other point (a changed scenario, another\n"
	"build) runs again.\n"
	"\n"
	"Scale-out: --emit parallel writes DIR/jobs.txt (one command per point, for GNU\n"
	"parallel, locally or with --sshloginfile on hosts that share the file system);\n"
	"--emit slurm writes DIR/sweep.sbatch (a job array, one point per task; --throttle\n"
	"N runs at most N at once).  Each task is 'wbsim sweep --out DIR --point K', which\n"
	"runs point K of DIR/sweep.json (K, A-B or a list; numbered from 0, the first\n"
	"swept parameter slowest, the seed fastest).  Then 'wbsim sweep --collect DIR\n"
	"[FROM...]' gathers the points (also from other directories FROM where some of\n"
	"them ran) and writes sweep.csv, sweep.md and, with --plot, the charts.\n"
	"\n"
	"Not yet: --profile (a device/costs profile; see SCENARIO_API.md).\n"
	"\n"
	"Exit status: 0 every point has its results (a failed expectation does not fail a\n"
	"sweep: see sweep.csv's passed column), 2 bad usage, a bad grid or scenario (nothing\n"
	"is written), a failed run, or points missing at --collect.";

int cli_sweep(int argc, char **argv)
{
	struct args a = { 0 };
	GOptionEntry entries[] = {
		{ "grid", 'g', 0, G_OPTION_ARG_STRING_ARRAY, &a.grids,
		  "Sweep the parameter NAME over VALUES; repeatable", "NAME=VALUES" },
		{ "policies", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &a.policy_lists,
		  "Policies (default: the scenario's, else all)", "SPEC,..." },
		{ "seeds", 'n', 0, G_OPTION_ARG_STRING, &a.seeds,
		  "Run every point with seeds 1..N (default: 1)", "N" },
		{ "metric", 'm', 0, G_OPTION_ARG_STRING_ARRAY, &a.metric_lists,
		  "Metrics for sweep.md and the charts; repeatable", "NAME,..." },
		{ "plot", 0, 0, G_OPTION_ARG_NONE, &a.plot, "Draw the charts into DIR/charts", NULL },
		{ "threads", 'j', 0, G_OPTION_ARG_STRING, &a.threads,
		  "Runs at once (default: one per core)", "N" },
		{ "emit", 0, 0, G_OPTION_ARG_STRING, &a.emit,
		  "Write a job list instead of running: parallel or slurm", "KIND" },
		{ "throttle", 0, 0, G_OPTION_ARG_STRING, &a.throttle,
		  "With --emit slurm: at most N array tasks at once", "N" },
		{ "point", 0, 0, G_OPTION_ARG_STRING, &a.point,
		  "Run only these points of the plan (a task of a job list)", "K[-K2],..." },
		{ "collect", 0, 0, G_OPTION_ARG_FILENAME, &a.collect,
		  "Gather the results of DIR's plan (also from FROM...) and report", "DIR" },
		G_OPTION_ENTRY_NULL
	};
	GOptionContext *ctx = g_option_context_new("SCENARIO.lua | --collect DIR [FROM...]");
	g_option_context_set_summary(ctx, "Run a scenario over a grid of parameters, policies "
				     "and seeds.");
	g_option_context_set_description(ctx, sweep_description);
	g_option_context_add_main_entries(ctx, entries, NULL);
	cli_scenario_entries(ctx, &a.sa);

	int status = CLI_USAGE;
	struct scenario_opts base;
	wbsim_opts_init(&base);
	struct sweep_plan *p = NULL;
	GArray *points = NULL;
	GError *err = NULL;
	if (!cli_parse(ctx, CMD, &argc, &argv))
		goto out;
	if (a.collect) {
		status = collect(&a, argc, argv);
		goto out;
	}
	if (!a.sa.out || !*a.sa.out) {
		cli_usage_error(CMD, "where do the results go? --out DIR is required");
		goto out;
	}
	if (a.emit && strcmp(a.emit, "parallel") && strcmp(a.emit, "slurm")) {
		cli_usage_error(CMD, "--emit %s: parallel or slurm", a.emit);
		goto out;
	}
	if (a.throttle && (!a.emit || strcmp(a.emit, "slurm"))) {
		cli_usage_error(CMD, "--throttle goes with --emit slurm");
		goto out;
	}
	if (a.emit && a.point) {
		cli_usage_error(CMD, "--emit writes the job list; --point runs part of it: one or "
				"the other");
		goto out;
	}
	if (argc == 1 && a.point) {
		/* A task: the plan is DIR's. */
		if (a.grids || a.policy_lists || a.seeds || a.sa.sets || a.sa.timeline_interval) {
			cli_usage_error(CMD, "--point without a scenario runs the plan in %s/%s, "
					"which fixes the grid, policies, seeds and sets", a.sa.out,
					SWEEP_PLAN_FILE);
			goto out;
		}
		if (!(p = sweep_plan_load(a.sa.out, &err)) || !plan_matches_host(p, &err)) {
			status = fail(err);
			goto out;
		}
		base.path = p->scenario;
		if (p->mem_limit) {
			g_free(a.sa.mem_limit);
			a.sa.mem_limit = g_strdup(p->mem_limit);
		}
		if (p->profile) {
			g_free(a.sa.profile);
			a.sa.profile = g_strdup(p->profile);
		}
		if (!cli_scenario_opts(CMD, &a.sa, &base))
			goto out;
	} else {
		if (!cli_scenario_path(CMD, argc, argv))
			goto out;
		base.path = argv[1];
		if (!cli_scenario_opts(CMD, &a.sa, &base) || !(p = plan_from_args(&a, argv[1], &base)))
			goto out;
		base.path = p->scenario;
	}
	guint n = sweep_plan_npoints(p);
	if (a.emit) {
		status = emit(&a, p, a.sa.out);
	} else if (a.point) {
		if ((points = parse_points(a.point, n)))
			status = run_points(&a, p, a.sa.out, &base, (guint *)points->data,
					    points->len, false);
	} else {
		points = g_array_sized_new(FALSE, FALSE, sizeof(guint), n);
		for (guint k = 0; k < n; k++)
			g_array_append_val(points, k);
		status = run_points(&a, p, a.sa.out, &base, (guint *)points->data, n, true);
	}
out:
	if (points)
		g_array_free(points, TRUE);
	sweep_plan_free(p);
	cli_scenario_opts_clear(&base);
	args_clear(&a);
	g_option_context_free(ctx);
	return status;
}
