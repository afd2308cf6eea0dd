/*
 * wbsim — the command line: picks the command, which parses its own options
 * (cli_*.c).  Exit status everywhere: 0 success, 1 an expectation failed,
 * 2 bad usage or bad input.
 */
#include <glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_sweep.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *synopsis;
} commands[] = {
	{ "run", cli_run, "run SCENARIO.lua|LOG [--policy SPEC] [--seed N] [--set K=V]... [--out DIR] "
			  "[--trace FILE] [--record FILE] [--timing think|issue]" },
	{ "compare", cli_compare, "compare SCENARIO.lua|LOG [--policies SPEC,...] [--seeds N] "
				  "[--set K=V]... [--out DIR] [--plot] [--timing think|issue]" },
	{ "sweep", cli_sweep, "sweep SCENARIO.lua --out DIR [--grid NAME=VALUES]... [--policies SPEC,...] "
			      "[--seeds N] [--plot] [--emit parallel|slurm] [--point K] | "
			      "sweep --collect DIR [FROM...]" },
	{ "policies", cli_policies, "policies" },
	{ "plot", cli_plot, "plot DIR" },
	{ "calibrate", cli_calibrate, "calibrate [-o FILE]" },
	{ "import", cli_import, "import strace|fio|fsx IN -o OUT [--dir PATH]... [--shared-stores] "
				"[--direct]" },
};

static char *command_list(void)
{
	GString *s = g_string_new("Commands:\n");
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		g_string_append_printf(s, "  wbsim %s\n", commands[i].synopsis);
	g_string_append(s, "\n'wbsim COMMAND --help' describes each.");
	return g_string_free(s, FALSE);
}

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int dispatch(const struct command *c, int argc, char **argv)
{
	char *prg = g_strdup_printf("wbsim %s", c->name);
	g_set_prgname(prg);
	g_free(prg);
	return c->fn(argc, argv);
}

/* Only the options of wbsim itself: --help (listing the commands), --version. */
static int top_level(int argc, char **argv)
{
	gboolean version = FALSE;
	GOptionEntry entries[] = {
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL },
		G_OPTION_ENTRY_NULL
	};
	GOptionContext *ctx = g_option_context_new("COMMAND [ARGS...]");
	char *list = command_list();
	g_option_context_set_summary(ctx, "A discrete-event simulator of Linux page-cache "
				     "writeback policies.");
	g_option_context_set_description(ctx, list);
	g_option_context_add_main_entries(ctx, entries, NULL);
	int status = CLI_USAGE;
	GError *err = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		cli_usage_error(NULL, "%s (see 'wbsim --help')", err->message);
		g_error_free(err);
	} else if (version) {
		printf("wbsim 0.1\n");
		status = CLI_OK;
	} else if (argc > 1) {
		cli_usage_error(NULL, "unknown command \"%s\"\n%s", argv[1], list);
	} else {
		fprintf(stderr, "usage: wbsim COMMAND [ARGS...]\n%s\n", list);
	}
	g_free(list);
	g_option_context_free(ctx);
	return status;
}

int main(int argc, char **argv)
{
	/* Characters only: numbers keep the C locale, so every report reads the same
	 * on every machine. */
	setlocale(LC_CTYPE, "");
	g_set_prgname("wbsim");
	if (argc > 1 && argv[1][0] != '-') {
		const struct command *c = find(argv[1]);
		if (c)
			return dispatch(c, argc - 1, argv + 1);
		if (!strcmp(argv[1], "help")) {
			if (argc == 2)
				return top_level(2, (char *[]){ argv[0], "--help", NULL });
			if ((c = find(argv[2])))
				return dispatch(c, 2, (char *[]){ argv[2], "--help", NULL });
		}
		if (!strcmp(argv[1], "version"))
			return top_level(2, (char *[]){ argv[0], "--version", NULL });
	}
	return top_level(argc, argv);
}
