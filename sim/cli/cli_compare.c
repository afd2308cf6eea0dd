/*
 * cli_compare — `wbsim compare SCENARIO.lua`: which policies, the runs (a batch on
 * the thread pool: run/batch.h) with a progress line, then the table and the
 * expectations.  The results are written only once every run has succeeded.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli_progress.h"
#include "cli/wbsim.h"
#include "report/report.h"
#include "run/batch.h"

#define CMD "compare"
#define MAX_SEEDS 10000

/* Each distinct message once, with the runs it came from. */
static void report_failures(const struct batch *b)
{
	GPtrArray *msgs = g_ptr_array_new();
	GHashTable *where = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
						  (GDestroyNotify)g_ptr_array_unref);
	for (guint i = 0; i < b->nspecs * b->nseeds; i++) {
		if (b->runs[i])
			continue;
		const char *m = b->errs[i] ? b->errs[i]->message : "the run failed";
		GPtrArray *w = g_hash_table_lookup(where, m);
		if (!w) {
			w = g_ptr_array_new_with_free_func(g_free);
			g_hash_table_insert(where, (gpointer)m, w);
			g_ptr_array_add(msgs, (gpointer)m);
		}
		const char *spec = b->specs[i / b->nseeds];
		g_ptr_array_add(w, b->nseeds > 1 ? g_strdup_printf("%s seed %" G_GUINT64_FORMAT, spec,
								   b->seeds[i % b->nseeds])
						 : g_strdup(spec));
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

static struct run_progress *progress_slot(void *data, guint i)
{
	return progress_run(data, i);
}

static void progress_finished(void *data)
{
	progress_run_done(data);
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
	"usage, a bad scenario or a failed run (no result files are written).\n"
	"\n";

int cli_compare(int argc, char **argv)
{
	struct cli_scenario_args sa = { 0 };
	struct cli_replay_args ra = { 0 };
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
	GOptionContext *ctx = g_option_context_new("SCENARIO.lua|LOG");
	g_option_context_set_summary(ctx, "Run a scenario, or replay an op log, under several "
				     "policies and compare them.");
	char *description = g_strconcat(compare_description, cli_replay_help, NULL);
	g_option_context_set_description(ctx, description);
	g_option_context_add_main_entries(ctx, entries, NULL);
	cli_scenario_entries(ctx, &sa);
	cli_replay_entries(ctx, &ra);

	int status = CLI_USAGE;
	struct scenario_opts base;
	wbsim_opts_init(&base);
	struct scenario_info *info = NULL;
	GPtrArray *specs = NULL;
	struct batch b = { 0 };
	uint64_t nseeds = 1;
	GError *err = NULL;
	if (!cli_parse(ctx, CMD, &argc, &argv) || !cli_scenario_path(CMD, argc, argv))
		goto out;
	base.path = argv[1];
	if (!cli_scenario_opts(CMD, &sa, &base) || !cli_replay_opts(CMD, &ra, &base))
		goto out;
	if (seeds_s && !cli_parse_u64(CMD, "--seeds", seeds_s, 1, MAX_SEEDS, &nseeds))
		goto out;
	/* Given policies are checked first: a typo there needs no scenario. */
	if (policy_lists && !(specs = cli_choose_policies(CMD, policy_lists, NULL, NULL)))
		goto out;
	info = scenario_probe(&base, &err);
	if (!info) {
		fprintf(stderr, "%s\n", err ? err->message : "wbsim compare: cannot read the scenario");
		g_clear_error(&err);
		goto out;
	}
	if (!specs && !(specs = cli_choose_policies(CMD, NULL, info, base.path)))
		goto out;

	b = (struct batch){ .base = &base, .specs = (const char *const *)specs->pdata,
			    .nspecs = specs->len, .nseeds = (guint)nseeds,
			    .slot = progress_slot, .finished = progress_finished };
	guint njobs = specs->len * (guint)nseeds;
	char *label = g_strdup_printf("%s: %u policies x %" G_GUINT64_FORMAT " seeds on %u threads",
				      base.path, specs->len, nseeds,
				      MIN(njobs, g_get_num_processors()));
	struct progress *pg = progress_start(label, njobs);
	b.progress_data = pg;
	bool ok = batch_run(&b);
	progress_stop(pg);
	g_free(label);
	if (!ok) {
		report_failures(&b);
		goto out;
	}

	struct compare c = batch_compare(&b);
	char *sdir = run_results_dir(sa.out, c.scenario, base.path);
	if (run_write_batch(sdir, &c, &err)) {
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
	} else {
		cli_usage_error(CMD, "%s", err->message);
		g_clear_error(&err);
	}
	g_free(sdir);
out:
	batch_clear(&b);
	if (specs)
		g_ptr_array_free(specs, TRUE);
	if (info)
		scenario_info_free(info);
	cli_scenario_opts_clear(&base);
	cli_scenario_args_clear(&sa);
	cli_replay_args_clear(&ra);
	g_free(description);
	g_strfreev(policy_lists);
	g_free(seeds_s);
	g_option_context_free(ctx);
	return status;
}
