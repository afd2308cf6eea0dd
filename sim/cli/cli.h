/*
 * cli — the `wbsim` commands (ARCHITECTURE.md "Command line").  main.c picks the
 * command; each cli_<command>() parses its own options with GOptionContext and
 * returns the exit status.
 */
#ifndef WBSIM_CLI_H
#define WBSIM_CLI_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "run/run.h"

enum cli_status {
	CLI_OK = 0,             /* success, every expectation held */
	CLI_FAILED = 1,         /* an expectation failed */
	CLI_USAGE = 2,          /* bad usage or bad input; nothing was written */
};

int cli_run(int argc, char **argv);
int cli_compare(int argc, char **argv);
int cli_policies(int argc, char **argv);
int cli_plot(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_calibrate(int argc, char **argv);      /* linux/kcal.h */         /* op logs: scenarios/OPLOG.md */

/* ---- shared by the commands (cli_common.c) ---- */

/* Options every scenario-running command takes: --set, --mem-limit,
 * --timeline-interval.  Strings as GOptionContext fills them. */
struct cli_scenario_args {
	char **sets;
	char *mem_limit;
	char *timeline_interval;
	char *out;
	char *profile;                  /* --profile FILE (run/profile.h) */
	char **profile_lines;           /* as read, for scenario_opts.profile */
};

/* Options of an op-log replay (run, compare): --timing, and --device, --writeback,
 * --costs overriding the log's configuration. */
struct cli_replay_args {
	char *timing;
	char **device, **writeback, **costs;
	GPtrArray *config;              /* "SECTION FIELDS", as scenario_opts.config */
};

void cli_replay_entries(GOptionContext *ctx, struct cli_replay_args *a);
/* Fill @o's replay options from @a (which must outlive @o's use); false and a message
 * for a --timing that is neither think nor issue. */
bool cli_replay_opts(const char *cmd, struct cli_replay_args *a, struct scenario_opts *o);
void cli_replay_args_clear(struct cli_replay_args *a);
/* What `wbsim run --help` and `compare --help` say about op logs. */
extern const char cli_replay_help[];

/* The GOptionEntry rows for struct cli_scenario_args, to append to a command's. */
void cli_scenario_entries(GOptionContext *ctx, struct cli_scenario_args *a);
/* Fill @o from @a (paths and policy left to the caller); false and a message on
 * stderr for a malformed --set, size or duration. */
bool cli_scenario_opts(const char *cmd, struct cli_scenario_args *a, struct scenario_opts *o);
void cli_scenario_opts_clear(struct scenario_opts *o);
void cli_scenario_args_clear(struct cli_scenario_args *a);

/* Parse a command line; false with the message on stderr for bad usage. */
bool cli_parse(GOptionContext *ctx, const char *cmd, int *argc, char ***argv);
/* "wbsim run: <message>" on stderr; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Exactly one positional argument, a readable file; false with a message. */
bool cli_scenario_path(const char *cmd, int argc, char **argv);

/* Seeds and counts: a decimal number in [min, max]. */
bool cli_parse_u64(const char *cmd, const char *what, const char *s, uint64_t min,
		   uint64_t max, uint64_t *v);

/* The policies to run: @lists (--policies: comma-separated, repeatable; "a,b:k=v,k2=v2"
 * is a and b:k=v,k2=v2, a piece with '=' and no ':' continuing the spec before it),
 * else the scenario's (@info, declared in @path), else every installed policy; in
 * canonical form, without duplicates.  NULL with the message on stderr. */
GPtrArray *cli_choose_policies(const char *cmd, char **lists, const struct scenario_info *info,
			       const char *path);

/* A policy spec in canonical form (only non-default options), checked against
 * the installed policies; NULL with the message on stderr. */
char *cli_canonical_spec(const char *cmd, const char *spec);

/* Run scripts/plot on a results directory, inheriting stdout and stderr. */
int cli_plot_dir(const char *cmd, const char *dir);

#endif
