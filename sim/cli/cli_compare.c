/*
 * cli_compare — `wbsim compare SCENARIO.lua`: the scenario under several policies
 * (and seeds), each run on a thread pool with one worker per core.  Runs share
 * nothing (scenario_run makes its own Lua state and sim), so the only
 * synchronisation is the queue that hands finished runs back to the main thread.
 * The results are written only once every run has succeeded.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli_progress.h"
#include "cli/wbsim.h"
#include "policy.h"
#include "report/report.h"

#define CMD "compare"
#define MAX_SEEDS 10000

struct job {
	struct scenario_opts o;
	guint policy, seed;
	struct run_result *r;
	GError *err;
	GAsyncQueue *done;
};

static void run_job(gpointer data, gpointer user)
{
	(void)user;
	struct job *j = data;
	j->r = scenario_run(&j->o, &j->err);
	g_async_queue_push(j->done, j);
}

/* "a,b:k=v,k2=v2,c" -> a | b:k=v,k2=v2 | c: a piece with '=' and no ':' continues
 * the options of the spec before it, since policy names never contain '='. */
static bool split_specs(char **lists, GPtrArray *specs)
{
	for (char **l = lists; l && *l; l++) {
		char **pieces = g_strsplit(*l, ",", -1);
		for (char **p = pieces; *p; p++) {
			char *piece = g_strstrip(*p);
			if (!*piece) {
				cli_usage_error(CMD, "--policies \"%s\": an empty policy spec", *l);
				g_strfreev(pieces);
				return false;
			}
			char *last = specs->len ? specs->pdata[specs->len - 1] : NULL;
			if (last && strchr(piece, '=') && !strchr(piece, ':') && strchr(last, ':')) {
				specs->pdata[specs->len - 1] = g_strconcat(last, ",", piece, NULL);
				g_free(last);
			} else {
				g_ptr_array_add(specs, g_strdup(piece));
			}
		}
		g_strfreev(pieces);
	}
	return true;
}

/* Canonical and without duplicates, in the order given; @who names where a bad spec
 * came from in the error. */
static GPtrArray *canonical_specs(GPtrArray *given, const char *who)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < given->len; i++) {
		char *c = cli_canonical_spec(who, given->pdata[i]);
		if (!c) {
			g_ptr_array_free(out, TRUE);
			return NULL;
		}
		bool dup = false;
		for (guint k = 0; k < out->len && !dup; k++)
			dup = !strcmp(out->pdata[k], c);
		if (dup)
			g_free(c);
		else
			g_ptr_array_add(out, c);
	}
	return out;
}

/* The policies to compare: --policies, else the scenario's (@info), else every one. */
static GPtrArray *choose_policies(char **lists, const struct scenario_info *info,
				   const char *path)
{
	GPtrArray *given = g_ptr_array_new_with_free_func(g_free);
	char *who = g_strdup(CMD);
	bool ok = true;
	if (lists) {
		ok = split_specs(lists, given);
	} else if (info->policies && info->policies[0]) {
		for (char **p = info->policies; *p; p++)
			g_ptr_array_add(given, g_strdup(*p));
		g_free(who);
		who = g_strdup_printf("%s: sim.scenario{policies}", path);
	} else {
		GError *err = NULL;
		GPtrArray *reg = policy_registry(&err);
		if (!reg) {
			cli_usage_error(CMD, "%s", err->message);
			g_error_free(err);
			ok = false;
		}
		for (guint i = 0; reg && i < reg->len; i++)
			g_ptr_array_add(given, g_strdup(((const struct wb_policy_ops *)reg->pdata[i])->name));
	}
	GPtrArray *specs = ok ? canonical_specs(given, who) : NULL;
	g_ptr_array_free(given, TRUE);
	g_free(who);
	return specs;
}

/* Each distinct message once, with the runs it came from. */
static void report_failures(struct job *jobs, guint n, const GPtrArray *specs, guint nseeds)
{
	GPtrArray *msgs = g_ptr_array_new();
	GHashTable *where = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
						  (GDestroyNotify)g_ptr_array_unref);
	for (guint i = 0; i < n; i++) {
		if (jobs[i].r)
			continue;
		const char *m = jobs[i].err ? jobs[i].err->message : "the run failed";
		GPtrArray *w = g_hash_table_lookup(where, m);
		if (!w) {
			w = g_ptr_array_new_with_free_func(g_free);
			g_hash_table_insert(where, (gpointer)m, w);
			g_ptr_array_add(msgs, (gpointer)m);
		}
		g_ptr_array_add(w, nseeds > 1 ? g_strdup_printf("%s seed %" G_GUINT64_FORMAT,
							       (char *)specs->pdata[jobs[i].policy],
							       jobs[i].o.seed)
					      : g_strdup(specs->pdata[jobs[i].policy]));
	}
	for (guint i = 0; i < msgs->len; i++) {
		GPtrArray *w = g_hash_table_lookup(where, msgs->pdata[i]);
		g_ptr_array_add(w, NULL);
		char *list = g_strjoinv(", ", (char **)w->pdata);
		fprintf(stderr, "%s\n  (under %s)\n", (char *)msgs->pdata[i], list);
		g_free(list);
	}
	g_hash_table_destroy(where);
	g_ptr_array_free(msgs, TRUE);
}

static bool write_results(const char *sdir, const struct compare *c)
{
	GError *err = NULL;
	bool ok = true;
	for (guint p = 0; ok && p < c->npolicies; p++) {
		char *pdir = report_dirname(c->specs[p]);
		for (guint s = 0; ok && s < c->nseeds; s++) {
			char *seed = g_strdup_printf("seed-%" G_GUINT64_FORMAT, c->seeds[s]);
			char *dir = c->nseeds > 1 ? g_build_filename(sdir, pdir, seed, NULL)
						  : g_build_filename(sdir, pdir, NULL);
			ok = report_write_run(dir, compare_run(c, p, s), &err);
			g_free(dir);
			g_free(seed);
		}
		g_free(pdir);
	}
	ok = ok && report_write_compare(sdir, c, &err);
	if (!ok) {
		cli_usage_error(CMD, "%s", err->message);
		g_error_free(err);
	}
	return ok;
}

static const char compare_description[] =
	"Runs the scenario under each policy (default: the scenario's declared policies,\n"
	"else every installed one), one run per core at a time, and prints a table with the\n"
	"policies as columns.  --policies takes a comma-separated list and may be repeated;\n"
	"a piece with '=' but no ':' continues the options of the spec before it, so\n"
	"--policies wait-on-writeback,page-fork:pins=ignore,refork=allow is two policies.\n"
	"\n"
	"Writes OUT/<scenario>/compare.csv (raw numbers), compare.json and compare.md, and\n"
	"each run's files in OUT/<scenario>/<policy>/ (see 'wbsim run --help'), or in\n"
	"OUT/<scenario>/<policy>/seed-N/ with --seeds N > 1.  With several seeds each cell\n"
	"is the mean over the seeds, with (min..max) where they differ; compare.csv and\n"
	"compare.json also give the sample standard deviation.\n"
	"\n"
	"--plot then draws the charts of 'wbsim plot' into OUT/<scenario>/charts/.\n"
	"\n"
	"On a terminal, a comparison longer than a second shows a progress line on stderr:\n"
	"the runs done, and how far each run in flight has got in simulated time.\n"
	"\n"
	"Exit status: 0 every expectation held under every policy, 1 one failed, 2 bad\n"
	"usage, a bad scenario or a failed run (no result files are written).";

int cli_compare(int argc, char **argv)
{
	struct cli_scenario_args sa = { 0 };
	char **policy_lists = NULL, *seeds_s = NULL;
	gboolean plot = FALSE;
	GOptionEntry entries[] = {
		{ "policies", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &policy_lists,
		  "Policies to compare (default: the scenario's, else all)", "SPEC,..." },
		{ "seeds", 'n', 0, G_OPTION_ARG_STRING, &seeds_s,
		  "Run each policy with seeds 1..N and report mean and spread (default: 1)", "N" },
		{ "plot", 0, 0, G_OPTION_ARG_NONE, &plot, "Draw the charts afterwards", NULL },
		G_OPTION_ENTRY_NULL
	};
	GOptionContext *ctx = g_option_context_new("SCENARIO.lua");
	g_option_context_set_summary(ctx, "Run a scenario under several policies and compare them.");
	g_option_context_set_description(ctx, compare_description);
	g_option_context_add_main_entries(ctx, entries, NULL);
	cli_scenario_entries(ctx, &sa);

	int status = CLI_USAGE;
	struct scenario_opts base;
	wbsim_opts_init(&base);
	struct scenario_info *info = NULL;
	GPtrArray *specs = NULL;
	struct job *jobs = NULL;
	guint njobs = 0;
	uint64_t nseeds = 1;
	GError *err = NULL;
	if (!cli_parse(ctx, CMD, &argc, &argv) || !cli_scenario_path(CMD, argc, argv))
		goto out;
	base.path = argv[1];
	if (!cli_scenario_opts(CMD, &sa, &base))
		goto out;
	if (seeds_s && !cli_parse_u64(CMD, "--seeds", seeds_s, 1, MAX_SEEDS, &nseeds))
		goto out;
	/* Given policies are checked first: a typo there needs no scenario. */
	if (policy_lists && !(specs = choose_policies(policy_lists, NULL, NULL)))
		goto out;
	info = scenario_probe(&base, &err);
	if (!info) {
		fprintf(stderr, "%s\n", err ? err->message : "wbsim compare: cannot read the scenario");
		g_clear_error(&err);
		goto out;
	}
	if (!specs && !(specs = choose_policies(NULL, info, base.path)))
		goto out;

	njobs = specs->len * (guint)nseeds;
	jobs = g_new0(struct job, njobs);
	GAsyncQueue *done = g_async_queue_new();
	guint threads = MIN(njobs, g_get_num_processors());
	GThreadPool *pool = g_thread_pool_new(run_job, NULL, (gint)threads, FALSE, NULL);
	char *label = g_strdup_printf("%s: %u policies x %" G_GUINT64_FORMAT " seeds on %u threads",
				      base.path, specs->len, nseeds, threads);
	struct progress *pg = progress_start(label, njobs);
	for (guint i = 0; i < njobs; i++) {
		struct job *j = &jobs[i];
		j->policy = i / (guint)nseeds;
		j->seed = i % (guint)nseeds;
		j->o = base;
		j->o.policy_spec = specs->pdata[j->policy];
		j->o.seed = j->seed + 1;
		j->o.progress = progress_run(pg, i);
		j->done = done;
		g_thread_pool_push(pool, j, NULL);
	}
	bool failed = false;
	for (guint i = 0; i < njobs; i++) {
		struct job *j = g_async_queue_pop(done);
		failed = failed || !j->r;
		progress_run_done(pg);
	}
	g_thread_pool_free(pool, FALSE, TRUE);
	g_async_queue_unref(done);
	progress_stop(pg);
	g_free(label);
	if (failed) {
		report_failures(jobs, njobs, specs, (guint)nseeds);
		goto out;
	}

	uint64_t *seeds = g_new(uint64_t, nseeds);
	struct run_result **runs = g_new(struct run_result *, njobs);
	for (guint i = 0; i < nseeds; i++)
		seeds[i] = i + 1;
	for (guint i = 0; i < njobs; i++)
		runs[i] = jobs[i].r;
	const struct run_result *r0 = runs[0];
	struct compare c = { .scenario = r0->scenario, .description = r0->description,
			     .npolicies = specs->len, .specs = (const char *const *)specs->pdata,
			     .nseeds = (guint)nseeds, .seeds = seeds, .runs = runs };
	char *sdir = cli_scenario_dir(sa.out, r0->scenario, base.path);
	if (write_results(sdir, &c)) {
		char *table = report_compare_table(&c);
		char *expects = report_expectations(&c);
		fputs(table, stdout);
		if (*expects)
			printf("\nexpectations\n%s", expects);
		printf("\nresults in %s/\n", sdir);
		fflush(stdout);
		g_free(table);
		g_free(expects);
		status = compare_passed(&c) ? CLI_OK : CLI_FAILED;
		if (plot && cli_plot_dir(CMD, sdir) != CLI_OK)
			status = CLI_USAGE;
	}
	g_free(sdir);
	g_free(runs);
	g_free(seeds);
out:
	for (guint i = 0; i < njobs; i++) {
		if (jobs[i].r)
			run_result_free(jobs[i].r);
		g_clear_error(&jobs[i].err);
	}
	g_free(jobs);
	if (specs)
		g_ptr_array_free(specs, TRUE);
	if (info)
		scenario_info_free(info);
	cli_scenario_opts_clear(&base);
	cli_scenario_args_clear(&sa);
	g_strfreev(policy_lists);
	g_free(seeds_s);
	g_option_context_free(ctx);
	return status;
}
