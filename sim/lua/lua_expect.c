/*
 * lua_expect — sim.expect{[pattern] = {metric = predicate, ...}, ...}.
 *
 * Everything is checked when declared, so a typo fails the scenario before anything
 * runs: the metric must exist, the predicate must parse, and a pattern must name a
 * spec a target runs.  A pattern without '*' is canonicalised by that target
 * ("page-fork:pins=wait" is "page-fork"); one with '*' is a glob over canonical specs
 * and only its policy name, if it has no '*', is checked.  The run judges them
 * (run/expect.c); each carries the number of its sim.expect call, since a Lua table
 * has no order of its own to keep.
 */
#include "lua/lua_binding.h"

#include <string.h>

static G_GNUC_NORETURN void unknown_metric(lua_State *L, const char *pattern, const char *name)
{
	const char *const *names = metric_names();
	GString *list = g_string_new(NULL);
	for (int i = 0; i < M_NR_COUNTERS; i++)
		g_string_append_printf(list, "%s%s", i ? ", " : "", names[i]);
	g_string_append(list, "; and K.count, K.mean, K.p50, K.p90, K.p99, K.p999, K.max for K "
			"in ");
	for (int k = 0; k < OPK_NR; k++)
		g_string_append_printf(list, "%s%s", k ? ", " : "", op_kind_name(k));
	const char *near = larg_suggest(name, names);
	char buf[1536];
	g_snprintf(buf, sizeof(buf), "%s", list->str);
	g_string_free(list, TRUE);
	lerror(L, "sim.expect[\"%s\"]: unknown metric '%s'; %s%s%sthe metrics are: %s", pattern,
	       name, near ? "did you mean '" : "", near ? near : "", near ? "'? " : "", buf);
	g_assert_not_reached();
}

/* The canonical form of a plain pattern, or the glob after checking its name: the
 * targets this program runs on say what a spec is. */
static char *check_pattern(lua_State *L, const char *pattern, bool *glob)
{
	const struct target_ops *const *targets = lctx_of(L)->st->o->targets;
	GError *e = NULL;
	char msg[1024];
	char *spec = NULL;
	*glob = strchr(pattern, '*') != NULL;
	if (*glob) {
		const char *colon = strchr(pattern, ':');
		char *name = g_strndup(pattern, colon ? (gsize)(colon - pattern) : strlen(pattern));
		char *canon = strchr(name, '*') ? NULL : run_canonical_spec(targets, name, &e);
		bool ok = !e;
		g_free(canon);
		g_free(name);
		if (ok)
			spec = g_strdup(pattern);
	} else {
		spec = run_canonical_spec(targets, pattern, &e);
	}
	if (e) {
		g_snprintf(msg, sizeof(msg), "%s", e->message);
		g_error_free(e);
		lerror(L, "sim.expect[\"%s\"]: %s", pattern, msg);
	}
	return spec;
}

static int l_expect(lua_State *L)
{
	struct lstate *st = lctx_of(L)->st;
	if (!ldecl_at_top(L))
		lerror(L, "sim.expect may only be called at the top level of the scenario");
	if (!lua_istable(L, 1))
		lerror(L, "sim.expect: expected a table {[policy pattern] = {metric = predicate}}, "
		       "got %s", luaL_typename(L, 1));
	unsigned call = ++st->expect_calls;
	const char *where = lstate_where(st, L, 1);
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		if (lua_type(L, -2) != LUA_TSTRING || !*lua_tostring(L, -2))
			lerror(L, "sim.expect: keys must be policy specs or patterns such as "
			       "\"*\", got %s", luaL_typename(L, -2));
		const char *pattern = lua_tostring(L, -2);
		if (!lua_istable(L, -1))
			lerror(L, "sim.expect[\"%s\"]: expected a table {metric = predicate}, got %s",
			       pattern, luaL_typename(L, -1));
		int preds = lua_gettop(L);
		bool glob;
		char *m = check_pattern(L, pattern, &glob);
		lua_pushstring(L, m);   /* at preds + 1, for the loop below */
		g_free(m);
		lua_pushnil(L);
		while (lua_next(L, preds)) {
			if (lua_type(L, -2) != LUA_TSTRING)
				lerror(L, "sim.expect[\"%s\"]: metric names must be strings, got %s",
				       pattern, luaL_typename(L, -2));
			const char *metric = lua_tostring(L, -2);
			if (!metric_name_valid(metric))
				unknown_metric(L, pattern, metric);
			enum cmp op;
			double value;
			const char *text;
			if (lua_type(L, -1) == LUA_TNUMBER) {
				op = CMP_EQ;
				value = lua_tonumber(L, -1);
				text = luaL_tolstring(L, -1, NULL);
			} else if (lua_type(L, -1) == LUA_TSTRING) {
				text = lua_tostring(L, -1);
				if (!expect_parse_predicate(text, &op, &value))
					lerror(L, "sim.expect[\"%s\"]: bad predicate \"%s\" for %s: "
					       "expected a number or \"<op> <value>\" with op one of "
					       "< <= > >= == ~= and value a number or a duration "
					       "(\"<5ms\", \">0\")", pattern, text, metric);
				lua_pushvalue(L, -1);
			} else {
				lerror(L, "sim.expect[\"%s\"]: the predicate for %s must be a number "
				       "or a string such as \"<5ms\", got %s", pattern, metric,
				       luaL_typename(L, -1));
			}
			struct expect_decl *x = g_new0(struct expect_decl, 1);
			x->pattern = g_strdup(pattern);
			x->match = g_strdup(lua_tostring(L, preds + 1));
			x->glob = glob;
			x->metric = g_strdup(metric);
			x->predicate = g_strdup(text);
			x->op = op;
			x->value = value;
			x->where = g_strdup(where);
			x->call = call;
			g_ptr_array_add(st->expects, x);
			lua_pop(L, 2);
		}
		lua_pop(L, 2);
	}
	return 0;
}

void lexpect_register(lua_State *L)
{
	lua_pushcfunction(L, l_expect);
	lua_setfield(L, -2, "expect");
}
