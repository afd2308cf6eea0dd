/*
 * lua_scenario — the Lua scenario as a workload source (run/workload.h).
 *
 * open: load the file in a fresh sandbox (its top level declares the world) and check
 * --set against the declared parameters.  start: instantiate the declarations, in
 * order, on the target.  The tasks then run as coroutines resumed by the target
 * (lua_task.c).
 */
#include "lua/lua_binding.h"
#include "lua/lua_source.h"

#include <string.h>

/* Every --set must name a declared parameter. */
static bool check_sets(struct lstate *st, GError **err)
{
	if (!st->o->sets || !g_hash_table_size(st->o->sets))
		return true;
	GList *keys = g_list_sort(g_hash_table_get_keys(st->o->sets), (GCompareFunc)strcmp);
	bool ok = true;
	for (GList *k = keys; k && ok; k = k->next) {
		bool known = false;
		for (guint i = 0; i < st->params->len && !known; i++)
			known = !strcmp(((struct param_value *)st->params->pdata[i])->name, k->data);
		if (known)
			continue;
		GString *names = g_string_new(NULL);
		for (guint i = 0; i < st->params->len; i++)
			g_string_append_printf(names, "%s%s", i ? ", " : "",
					       ((struct param_value *)st->params->pdata[i])->name);
		if (names->len)
			g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT,
				    "%s: --set %s: the scenario has no parameter \"%s\"; its "
				    "parameters (sim.param) are: %s", st->path, (char *)k->data,
				    (char *)k->data, names->str);
		else
			g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT,
				    "%s: --set %s: the scenario declares no parameters (sim.param)",
				    st->path, (char *)k->data);
		g_string_free(names, TRUE);
		ok = false;
	}
	g_list_free(keys);
	return ok;
}

static struct workload *source_open(const struct scenario_opts *o, GError **err)
{
	/* A scenario declares its machine and its timing in code. */
	if (o->timing || (o->config && o->config[0])) {
		const char *opt = o->timing ? "timing" : o->config[0];
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT, "%s: --%.*s applies to op "
			    "logs only (this is a Lua scenario: it declares its machine with "
			    "sim.device{}, sim.writeback{} and sim.costs{}, and its timing in code)",
			    o->path, (int)strcspn(opt, " "), opt);
		return NULL;
	}
	struct lstate *st = lstate_new(o, err);
	if (!st)
		return NULL;
	if (!lstate_run_file(st, err) || !check_sets(st, err)) {
		lstate_free(st);
		return NULL;
	}
	if (!st->name) {
		char *base = g_path_get_basename(o->path);
		if (g_str_has_suffix(base, ".lua"))
			base[strlen(base) - 4] = '\0';
		st->name = base;
	}
	/* The declared policies as a NULL-terminated list, for info(). */
	g_ptr_array_add(st->policies, NULL);
	return (struct workload *)st;
}

static void source_info(struct workload *w, struct workload_info *i)
{
	struct lstate *st = (struct lstate *)w;
	*i = (struct workload_info){
		.name = st->name, .description = st->description,
		.policies = (const char *const *)st->policies->pdata,
		.policies_at = st->scenario_at, .params = st->params, .cfg = &st->cfg,
		.stable_set = st->stable_set, .bandwidth_set = st->bandwidth_set,
		.flush_set = st->flush_set, .expects = st->expects,
	};
}

static void source_start(struct workload *w, struct target *t, const struct target_ops *ops)
{
	struct lstate *st = (struct lstate *)w;
	st->t = t;
	st->ops = ops;
	ldecl_instantiate_all(st);
}

static const char *source_error(struct workload *w, int *code)
{
	struct lstate *st = (struct lstate *)w;
	*code = st->error_code;
	return st->error;
}

static char *source_describe_wait(struct workload *w, void *task_data)
{
	(void)w;
	return ltask_describe_wait(task_data);
}

static void source_close(struct workload *w)
{
	struct lstate *st = (struct lstate *)w;
	st->t = NULL;
	lstate_free(st);
}

/* Whatever no other source recognises is taken for Lua, whose errors say what is
 * wrong with it. */
static bool source_recognizes(const char *head, size_t len)
{
	(void)head;
	(void)len;
	return true;
}

const struct workload_ops lua_source = {
	.name = "lua",
	.recognizes = source_recognizes,
	.open = source_open,
	.info = source_info,
	.resume = ltask_resume,
	.start = source_start,
	.error = source_error,
	.describe_wait = source_describe_wait,
	.close = source_close,
};
