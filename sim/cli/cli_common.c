/*
 * cli_common — what the commands share: the scenario options (--set, --mem-limit,
 * --timeline-interval, --out), parsing and usage errors, policy specs, and where
 * results go.
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/wbsim.h"
#include "policy.h"
#include "report/report.h"
#include "engine/units.h"
#include "run/profile.h"

void cli_scenario_entries(GOptionContext *ctx, struct cli_scenario_args *a)
{
	GOptionEntry entries[] = {
		{ "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->sets,
		  "Override the scenario parameter NAME (sim.param); repeatable", "NAME=VALUE" },
		{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &a->out,
		  "Results go to DIR/<scenario>/<policy>/ (default: results)", "DIR" },
		{ "mem-limit", 0, 0, G_OPTION_ARG_STRING, &a->mem_limit,
		  "Memory the scenario's Lua state may use (default: 1GiB)", "SIZE" },
		{ "timeline-interval", 0, 0, G_OPTION_ARG_STRING, &a->timeline_interval,
		  "Simulated time between timeline.csv rows (default: duration/200; without a duration, 201 to 400 rows)",
		  "DURATION" },
		{ "profile", 0, 0, G_OPTION_ARG_FILENAME, &a->profile,
		  "A calibration profile (wbsim calibrate -o FILE): each sim.device{} and "
		  "sim.costs{} value it sets replaces the scenario's (linux: runs ignore them)",
		  "FILE" },
		G_OPTION_ENTRY_NULL
	};
	g_option_context_add_main_entries(ctx, entries, NULL);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "wbsim%s%s: %s\n", cmd ? " " : "", cmd ? cmd : "", msg);
	g_free(msg);
	return CLI_USAGE;
}

bool cli_parse(GOptionContext *ctx, const char *cmd, int *argc, char ***argv)
{
	GError *err = NULL;
	if (g_option_context_parse(ctx, argc, argv, &err))
		return true;
	cli_usage_error(cmd, "%s (see 'wbsim %s --help')", err->message, cmd);
	g_error_free(err);
	return false;
}

bool cli_scenario_path(const char *cmd, int argc, char **argv)
{
	if (argc < 2) {
		cli_usage_error(cmd, "which scenario? (wbsim %s SCENARIO.lua; see --help)", cmd);
		return false;
	}
	if (argc > 2) {
		cli_usage_error(cmd, "one scenario at a time (got \"%s\" too)", argv[2]);
		return false;
	}
	if (!g_file_test(argv[1], G_FILE_TEST_IS_REGULAR)) {
		cli_usage_error(cmd, "%s: %s", argv[1],
				g_file_test(argv[1], G_FILE_TEST_EXISTS) ? "not a regular file"
									  : "no such file");
		return false;
	}
	return true;
}

bool cli_parse_u64(const char *cmd, const char *what, const char *s, uint64_t min,
		   uint64_t max, uint64_t *v)
{
	guint64 x;
	GError *err = NULL;
	if (!g_ascii_string_to_unsigned(s, 10, min, max, &x, &err)) {
		cli_usage_error(cmd, "bad %s \"%s\": %s", what, s, err->message);
		g_error_free(err);
		return false;
	}
	*v = x;
	return true;
}

bool cli_scenario_opts(const char *cmd, struct cli_scenario_args *a, struct scenario_opts *o)
{
	GError *err = NULL;
	if (a->profile) {
		g_strfreev(a->profile_lines);
		if (!(a->profile_lines = run_profile_read(a->profile, &err))) {
			cli_usage_error(cmd, "%s", err->message);
			g_clear_error(&err);
			return false;
		}
		o->profile = (const char *const *)a->profile_lines;
		o->profile_path = a->profile;
	}
	o->sets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (char **kv = a->sets; kv && *kv; kv++) {
		const char *eq = strchr(*kv, '=');
		if (!eq || eq == *kv) {
			cli_usage_error(cmd, "--set wants NAME=VALUE, not \"%s\"", *kv);
			return false;
		}
		g_hash_table_insert(o->sets, g_strndup(*kv, (gsize)(eq - *kv)), g_strdup(eq + 1));
	}
	if (a->mem_limit) {
		uint64_t bytes;
		if (!units_parse_size(a->mem_limit, &bytes, &err) || bytes == 0) {
			cli_usage_error(cmd, "--mem-limit: %s", err ? err->message : "must not be 0");
			g_clear_error(&err);
			return false;
		}
		o->mem_limit = (size_t)bytes;
	}
	if (a->timeline_interval) {
		uint64_t ns;
		if (!units_parse_duration(a->timeline_interval, &ns, &err) || ns == 0) {
			cli_usage_error(cmd, "--timeline-interval: %s", err ? err->message : "must not be 0");
			g_clear_error(&err);
			return false;
		}
		o->timeline_interval = ns;
	}
	return true;
}

void cli_scenario_opts_clear(struct scenario_opts *o)
{
	if (o->sets)
		g_hash_table_destroy(o->sets);
	o->sets = NULL;
}

void cli_scenario_args_clear(struct cli_scenario_args *a)
{
	g_strfreev(a->sets);
	g_free(a->mem_limit);
	g_free(a->timeline_interval);
	g_free(a->out);
	g_free(a->profile);
	g_strfreev(a->profile_lines);
	memset(a, 0, sizeof(*a));
}

char *cli_canonical_spec(const char *cmd, const char *spec)
{
	GError *err = NULL;
	char *canon = run_canonical_spec(wbsim_targets, spec, &err);
	if (!canon) {
		cli_usage_error(cmd, "%s", err->message);
		g_error_free(err);
	}
	return canon;
}

/* "a,b:k=v,k2=v2,c" -> a | b:k=v,k2=v2 | c: a piece with '=' and no ':' continues
 * the options of the spec before it, since policy names never contain '='. */
static bool split_specs(const char *cmd, char **lists, GPtrArray *specs)
{
	for (char **l = lists; l && *l; l++) {
		char **pieces = g_strsplit(*l, ",", -1);
		for (char **p = pieces; *p; p++) {
			char *piece = g_strstrip(*p);
			if (!*piece) {
				cli_usage_error(cmd, "--policies \"%s\": an empty policy spec", *l);
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

GPtrArray *cli_choose_policies(const char *cmd, char **lists, const struct scenario_info *info,
			       const char *path)
{
	GPtrArray *given = g_ptr_array_new_with_free_func(g_free);
	char *who = g_strdup(cmd);
	bool ok = true;
	if (lists) {
		ok = split_specs(cmd, lists, given);
	} else if (info->policies && info->policies[0]) {
		for (char **p = info->policies; *p; p++)
			g_ptr_array_add(given, g_strdup(*p));
		g_free(who);
		who = g_strdup_printf("%s: sim.scenario{policies}", path);
	} else {
		GError *err = NULL;
		GPtrArray *reg = policy_registry(&err);
		if (!reg) {
			cli_usage_error(cmd, "%s", err->message);
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

/* ---- op-log replay options ---------------------------------------------------------- */

const char cli_replay_help[] =
	"An op log (scenarios/OPLOG.md: recorded with 'wbsim run --record', or made by\n"
	"'wbsim import') is replayed wherever a scenario goes: its header declares the\n"
	"world, the policies and the expectations, and each logged task issues its ops.\n"
	"--timing think (the default) keeps each task's think times: an op is issued that\n"
	"long after the task's previous op completed (a closed loop: a slower policy slows\n"
	"the program down).  --timing issue keeps the issue times instead (an open loop; a\n"
	"task still waits for its previous op).  The device, writeback and costs come from\n"
	"the log's header; --device, --writeback and --costs override fields of them with\n"
	"the scenario API's names and units, e.g. --device write_latency=40us,queue_depth=8\n"
	"(fields not given keep the log's values).  Without --seed, 'run' uses the seed in\n"
	"the log's header.  These options apply to op logs only.";

void cli_replay_entries(GOptionContext *ctx, struct cli_replay_args *a)
{
	GOptionEntry entries[] = {
		{ "timing", 0, 0, G_OPTION_ARG_STRING, &a->timing,
		  "Op logs: keep each task's think times (think, the default) or its issue "
		  "times (issue)", "think|issue" },
		{ "device", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->device,
		  "Op logs: override sim.device{} fields of the log's header; repeatable",
		  "FIELD=VALUE,..." },
		{ "writeback", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->writeback,
		  "Op logs: override sim.writeback{} fields; repeatable", "FIELD=VALUE,..." },
		{ "costs", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->costs,
		  "Op logs: override sim.costs{} fields; repeatable", "FIELD=VALUE,..." },
		G_OPTION_ENTRY_NULL
	};
	g_option_context_add_main_entries(ctx, entries, NULL);
}

bool cli_replay_opts(const char *cmd, struct cli_replay_args *a, struct scenario_opts *o)
{
	if (a->timing && strcmp(a->timing, "think") && strcmp(a->timing, "issue")) {
		cli_usage_error(cmd, "--timing must be think or issue, not \"%s\"", a->timing);
		return false;
	}
	o->timing = a->timing;
	a->config = g_ptr_array_new_with_free_func(g_free);
	static const char *const sections[] = { "device", "writeback", "costs" };
	char **const lists[] = { a->device, a->writeback, a->costs };
	for (size_t i = 0; i < G_N_ELEMENTS(sections); i++)
		for (char **f = lists[i]; f && *f; f++)
			g_ptr_array_add(a->config, g_strdup_printf("%s %s", sections[i], *f));
	g_ptr_array_add(a->config, NULL);
	o->config = a->config->len > 1 ? (const char *const *)a->config->pdata : NULL;
	return true;
}

void cli_replay_args_clear(struct cli_replay_args *a)
{
	g_free(a->timing);
	g_strfreev(a->device);
	g_strfreev(a->writeback);
	g_strfreev(a->costs);
	if (a->config)
		g_ptr_array_free(a->config, TRUE);
	memset(a, 0, sizeof(*a));
}
