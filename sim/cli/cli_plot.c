/*
 * cli_plot — `wbsim plot DIR`: hands a results directory to scripts/plot
 * (bash + gnuplot), which writes the PNG and SVG charts into DIR/charts/.
 */
#include "cli/cli.h"

#include <stdio.h>

#include "metrics/metric_table.h"

#ifndef WBSIM_SOURCE_DIR
#define WBSIM_SOURCE_DIR "."
#endif

#define CMD "plot"

/* $WBSIM_PLOT, else the script of the source tree this binary was built from. */
static char *plot_script(void)
{
	const char *env = g_getenv("WBSIM_PLOT");
	if (env && *env)
		return g_strdup(env);
	return g_build_filename(WBSIM_SOURCE_DIR, "scripts", "plot", NULL);
}

int cli_plot_dir(const char *cmd, const char *dir)
{
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
		return cli_usage_error(cmd, "%s: not a directory", dir);
	char *script = plot_script();
	if (!g_file_test(script, G_FILE_TEST_IS_REGULAR)) {
		cli_usage_error(cmd, "the chart script %s is missing (set WBSIM_PLOT?)", script);
		g_free(script);
		return CLI_USAGE;
	}
	char *argv[] = { "bash", script, (char *)dir, NULL };
	/* Which metric goes in which bar chart, under what label: the metric table's. */
	char *charts = metric_table_charts();
	char **envp = g_environ_setenv(g_get_environ(), "WBSIM_PLOT_METRICS", charts, TRUE);
	GError *err = NULL;
	int wait_status = 0;
	fflush(stdout);
	bool ok = g_spawn_sync(NULL, argv, envp, G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN,
			       NULL, NULL, NULL, NULL, &wait_status, &err) &&
		  g_spawn_check_wait_status(wait_status, &err);
	g_strfreev(envp);
	g_free(charts);
	if (!ok) {
		cli_usage_error(cmd, "%s %s: %s", script, dir, err->message);
		g_error_free(err);
	}
	g_free(script);
	return ok ? CLI_OK : CLI_USAGE;
}

int cli_plot(int argc, char **argv)
{
	GOptionContext *ctx = g_option_context_new("DIR");
	g_option_context_set_summary(ctx, "Draw the charts of a results directory.");
	g_option_context_set_description(ctx,
		"DIR is OUT/<scenario> as written by 'wbsim run' or 'wbsim compare'.  Writes\n"
		"DIR/charts/, each chart as PNG and SVG:\n"
		"  latency-<kind>   latency CDF per operation kind, one line per policy\n"
		"  hazards          redundant writes, checksum errors and the other hazards\n"
		"  stalls, cpu      time blocked and CPU time by cause (stacked bars)\n"
		"  timeline         dirty, writeback and forked pages over simulated time\n"
		"The policies are those of DIR/compare.json when there is one, else every\n"
		"subdirectory with a summary.json.  Needs gnuplot; $WBSIM_PLOT overrides the\n"
		"script's location.");
	int status = CLI_USAGE;
	if (!cli_parse(ctx, CMD, &argc, &argv))
		goto out;
	if (argc != 2) {
		cli_usage_error(CMD, argc < 2 ? "which directory? (wbsim plot results/<scenario>)"
					      : "one directory at a time");
		goto out;
	}
	status = cli_plot_dir(CMD, argv[1]);
out:
	g_option_context_free(ctx);
	return status;
}
