/*
 * cli_policies — `wbsim policies`: every installed policy, what it does, and the
 * options a spec may set, with their accepted values and defaults.
 */
#include "cli/cli.h"

#include <stdio.h>

#include "cli/wbsim.h"
#include "policy.h"

#define CMD "policies"

int cli_policies(int argc, char **argv)
{
	GOptionContext *ctx = g_option_context_new(NULL);
	g_option_context_set_summary(ctx, "List the installed writeback policies and their options.");
	g_option_context_set_description(ctx,
		"A policy spec on the command line is name[:key=value,...], for example\n"
		"page-fork:pins=ignore; linux:stable_writes=1 runs on the kernel.  Policies are loaded from the build's policy directory\n"
		"($WBSIM_POLICY_DIR overrides it) and the directories in $WBSIM_POLICY_PATH.");
	int status = CLI_USAGE;
	if (!cli_parse(ctx, CMD, &argc, &argv))
		goto out;
	if (argc > 1) {
		cli_usage_error(CMD, "takes no arguments (got \"%s\")", argv[1]);
		goto out;
	}
	GError *err = NULL;
	GPtrArray *reg = policy_registry(&err);
	if (!reg) {
		cli_usage_error(CMD, "%s", err->message);
		g_error_free(err);
		goto out;
	}
	for (guint i = 0; i < reg->len; i++) {
		const struct wb_policy_ops *ops = reg->pdata[i];
		printf("%s%s\n    %s\n", i ? "\n" : "", ops->name,
		       ops->description ? ops->description : "");
		if (!ops->options || !ops->options->name) {
			printf("    options: none\n");
			continue;
		}
		printf("    options:\n");
		for (const struct wb_policy_option *o = ops->options; o->name; o++) {
			printf("      %s=%s  (default: %s)\n", o->name, o->values ? o->values : "<value>",
			       o->def ? o->def : "none");
			if (o->help && *o->help)
				printf("          %s\n", o->help);
		}
	}
	/* Targets other than the model list their own specs. */
	for (const struct target_ops *const *t = wbsim_targets; *t; t++) {
		if (!(*t)->describe_specs)
			continue;
		char *d = (*t)->describe_specs();
		printf("\n%s", d);
		g_free(d);
	}
	status = CLI_OK;
out:
	g_option_context_free(ctx);
	return status;
}
