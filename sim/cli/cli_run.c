/*
 * cli_run — `wbsim run SCENARIO.lua`: one run under one policy and one seed, its
 * files in <out>/<scenario>/<policy>/, a one-column table and the expectations on
 * stdout.  Nothing is written unless the run completes.
 */
#include "cli/cli.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_progress.h"
#include "cli/wbsim.h"
#include "replay/replay.h"
#include "report/report.h"
#include "run/batch.h"

#define CMD "run"

/* --trace: lines go to FILE.tmp, renamed to FILE once the run is over. */
struct trace_file {
	char *path;
	char *tmp;
	FILE *f;
	int error;              /* first errno of a failed write */
};

static void trace_line(void *data, const char *line)
{
	struct trace_file *t = data;
	if (t->error)
		return;
	if (fputs(line, t->f) == EOF || putc('\n', t->f) == EOF)
		t->error = errno ? errno : EIO;
}

static bool trace_open(struct trace_file *t, const char *path)
{
	t->path = g_strdup(path);
	t->tmp = g_strconcat(path, ".tmp", NULL);
	t->f = fopen(t->tmp, "w");
	if (!t->f) {
		cli_usage_error(CMD, "--trace: cannot write %s: %s", t->tmp, g_strerror(errno));
		return false;
	}
	setvbuf(t->f, NULL, _IOFBF, 1 << 20);
	return true;
}

/* Close and rename; false with a message when the trace could not be written. */
static bool trace_close(struct trace_file *t)
{
	if (!t->f)
		return true;
	if (fclose(t->f) != 0 && !t->error)
		t->error = errno;
	t->f = NULL;
	if (!t->error && g_rename(t->tmp, t->path) != 0)
		t->error = errno;
	if (t->error) {
		cli_usage_error(CMD, "--trace: cannot write %s: %s", t->path, g_strerror(t->error));
		g_unlink(t->tmp);
		return false;
	}
	return true;
}

static void trace_clear(struct trace_file *t)
{
	g_free(t->path);
	g_free(t->tmp);
}

static const char run_description[] =
	"Runs the scenario once under one writeback policy and writes\n"
	"  OUT/<scenario>/<policy>/summary.json   inputs, every metric, expectations; the\n"
	"                                         \"wall\" object (wall time, events, memory)\n"
	"                                         is the only part that differs between reruns\n"
	"  OUT/<scenario>/<policy>/latency.csv    latency histogram buckets per operation kind\n"
	"  OUT/<scenario>/<policy>/timeline.csv   dirty, writeback, forked, bounce pages,\n"
	"                                         in-flight requests, stalled tasks over time\n"
	"<policy> is the canonical policy spec made filesystem-safe: ':' and ',' become '_'\n"
	"(page-fork:pins=ignore is written to page-fork_pins=ignore/).  A policy spec is\n"
	"name[:key=value,...]; 'wbsim policies' lists the policies and their options.\n"
	"\n"
	"--trace writes one line per event in the kernel's ftrace layout; the file appears\n"
	"when the run ends (FILE.tmp meanwhile) and is kept even when the run fails, since\n"
	"that is when it is wanted.\n"
	"\n"
	"--record FILE writes every operation the run's tasks issue, in the order they\n"
	"issued them, as an op log (scenarios/OPLOG.md): per task each op with its\n"
	"arguments, its issue time and the time since the task's previous op completed,\n"
	"after a header with the scenario's declarations and the run's configuration.\n"
	"'wbsim run FILE' replays it (with --timing think, the same run: the same\n"
	"summary.json but for its \"wall\" object).  FILE appears only when the run\n"
	"succeeded (an expectation that failed still counts); it is written beside it\n"
	"under a temporary name meanwhile.\n"
	"\n"
	"On a terminal, a run longer than a second shows a progress line on stderr: its\n"
	"share of the scenario's duration, or its simulated time when it has none.\n"
	"\n"
	"Exit status: 0 every expectation held, 1 an expectation failed, 2 bad usage or a\n"
	"bad scenario (the message names file:line; no result files are written).\n"
	"\n";

static void print_run(const struct run_result *r, const char *dir)
{
	const char *const specs[] = { r->policy_spec };
	const uint64_t seeds[] = { r->seed };
	struct run_result *const runs[] = { (struct run_result *)r };
	struct compare c = { .scenario = r->scenario, .description = r->description,
			     .npolicies = 1, .specs = specs, .nseeds = 1, .seeds = seeds,
			     .runs = runs };
	char *table = report_compare_table(&c);
	char *expects = report_expectations(&c);
	fputs(table, stdout);
	if (*expects)
		printf("\nexpectations\n%s", expects);
	printf("\nresults in %s/\n", dir);
	g_free(table);
	g_free(expects);
}

int cli_run(int argc, char **argv)
{
	struct cli_scenario_args sa = { 0 };
	struct cli_replay_args ra = { 0 };
	char *policy = NULL, *seed_s = NULL, *trace = NULL, *record = NULL;
	/* For the recorded log's header: the command as it was typed. */
	char *joined = g_strjoinv(" ", argv);
	char *command = g_strconcat("wbsim ", joined, NULL);
	g_free(joined);
	GOptionEntry entries[] = {
		{ "policy", 'p', 0, G_OPTION_ARG_STRING, &policy,
		  "Writeback policy (default: the scenario's first declared policy)", "SPEC" },
		{ "seed", 's', 0, G_OPTION_ARG_STRING, &seed_s, "Random seed (default: 1)", "N" },
		{ "trace", 't', 0, G_OPTION_ARG_FILENAME, &trace,
		  "Write an ftrace-style event trace to FILE", "FILE" },
		{ "record", 0, 0, G_OPTION_ARG_FILENAME, &record,
		  "Write the operations the run issues to FILE, an op log that 'wbsim run FILE' "
		  "replays", "FILE" },
		G_OPTION_ENTRY_NULL
	};
	GOptionContext *ctx = g_option_context_new("SCENARIO.lua|LOG");
	g_option_context_set_summary(ctx, "Run a scenario, or replay an op log, under one "
				     "writeback policy.");
	char *description = g_strconcat(run_description, cli_replay_help, NULL);
	g_option_context_set_description(ctx, description);
	g_option_context_add_main_entries(ctx, entries, NULL);
	cli_scenario_entries(ctx, &sa);
	cli_replay_entries(ctx, &ra);

	int status = CLI_USAGE;
	struct scenario_opts o;
	wbsim_opts_init(&o);
	struct trace_file tf = { 0 };
	struct recorder *rec = NULL;
	char *spec = NULL;
	struct run_result *r = NULL;
	GError *err = NULL;
	if (!cli_parse(ctx, CMD, &argc, &argv))
		goto out;
	if (!cli_scenario_path(CMD, argc, argv))
		goto out;
	o.path = argv[1];
	if (!cli_scenario_opts(CMD, &sa, &o) || !cli_replay_opts(CMD, &ra, &o))
		goto out;
	if (seed_s && !cli_parse_u64(CMD, "--seed", seed_s, 0, UINT64_MAX, &o.seed))
		goto out;
	/* No --seed: the workload's own (an op log's header; a scenario's is 1). */
	o.workload_seed = !seed_s;
	if (policy && !(spec = cli_canonical_spec(CMD, policy)))
		goto out;
	o.policy_spec = spec;
	if (record) {
		if (!(rec = recorder_new(record, command, &err))) {
			cli_usage_error(CMD, "--record: %s", err->message);
			g_clear_error(&err);
			goto out;
		}
		o.wrap = &record_target;
		o.wrap_data = rec;
	}
	if (trace) {
		if (!trace_open(&tf, trace))
			goto out;
		o.trace = trace_line;
		o.trace_data = &tf;
	}

	char *label = g_strdup_printf("%s under %s", o.path, spec ? spec : "its first policy");
	struct progress *pg = progress_start(label, 1);
	o.progress = progress_run(pg, 0);
	r = scenario_run(&o, &err);
	progress_stop(pg);
	g_free(label);
	bool trace_ok = trace_close(&tf);
	if (!r) {
		fprintf(stderr, "%s\n", err ? err->message : "wbsim run: the run failed");
		g_clear_error(&err);
		goto out;
	}
	if (!trace_ok)
		goto out;

	char *sdir = run_results_dir(sa.out, r->scenario, o.path);
	char *dir = NULL;
	if (run_write_one(sdir, r, &dir, &err)) {
		print_run(r, dir);
		status = run_result_passed(r) ? CLI_OK : CLI_FAILED;
	} else {
		cli_usage_error(CMD, "%s", err->message);
		g_clear_error(&err);
	}
	/* The log only once the run and its results are whole. */
	if (rec && status != CLI_USAGE) {
		bool ok = recorder_commit(rec, &err);
		rec = NULL;
		if (ok) {
			printf("op log in %s\n", record);
		} else {
			cli_usage_error(CMD, "--record: %s", err->message);
			g_clear_error(&err);
			status = CLI_USAGE;
		}
	}
	g_free(dir);
	g_free(sdir);
out:
	recorder_abort(rec);
	if (tf.f)
		trace_close(&tf);
	trace_clear(&tf);
	if (r)
		run_result_free(r);
	cli_scenario_opts_clear(&o);
	cli_scenario_args_clear(&sa);
	cli_replay_args_clear(&ra);
	g_free(spec);
	g_free(policy);
	g_free(seed_s);
	g_free(trace);
	g_free(record);
	g_free(command);
	g_free(description);
	g_option_context_free(ctx);
	return status;
}
