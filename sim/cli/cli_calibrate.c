/*
 * cli_calibrate — `wbsim calibrate [-o FILE]`: measure this machine and write the
 * profile (stdout without -o), with the calibrated values beside the model's
 * defaults on stderr.  Exit 2 with one line when the machine cannot be
 * measured (kenv_check), 1 when a measurement fails, 0 otherwise; the file is
 * written whole under a temporary name and renamed, or not at all.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "linux/kcal.h"
#include "linux/kenv.h"

int cli_calibrate(int argc, char **argv)
{
	const char *cmd = "calibrate";
	char *out = NULL;
	GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &out,
		  "Write the profile to FILE (default: standard output)", "FILE" },
		G_OPTION_ENTRY_NULL
	};
	GOptionContext *ctx = g_option_context_new("- measure this machine for --profile");
	g_option_context_set_summary(ctx, "Measures a system call, a page copy, a write fault, "
				     "a PTE update and a loop device (latency at 1 and 32 in "
				     "flight, bandwidth, flush) and writes them as sim.costs{} "
				     "and sim.device{} values.  Needs root, loop devices and "
				     "tracefs; takes a few seconds.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	int status = CLI_USAGE;
	if (!cli_parse(ctx, cmd, &argc, &argv))
		goto done;
	if (argc > 1) {
		cli_usage_error(cmd, "unexpected argument \"%s\"", argv[1]);
		goto done;
	}
	char *why = kenv_check();
	if (why) {
		cli_usage_error(cmd, "cannot measure this machine: %s", why);
		g_free(why);
		goto done;
	}
	struct kcal k;
	GError *err = NULL;
	if (!kcal_measure(&k, &err)) {
		fprintf(stderr, "wbsim %s: %s\n", cmd, err->message);
		g_error_free(err);
		status = CLI_FAILED;
		goto done;
	}
	char *text = kcal_profile_text(&k), *cmp = kcal_compare_text(&k);
	fputs(cmp, stderr);
	if (!out) {
		fputs(text, stdout);
		status = CLI_OK;
	} else if (g_file_set_contents(out, text, -1, &err)) {
		status = CLI_OK;
	} else {
		status = cli_usage_error(cmd, "%s", err->message);
		g_error_free(err);
	}
	g_free(text);
	g_free(cmp);
done:
	g_free(out);
	g_option_context_free(ctx);
	return status;
}
