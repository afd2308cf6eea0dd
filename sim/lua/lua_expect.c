/*
 * lua_expect — sim.expect{[pattern] = {metric = predicate, ...}, ...}.
 *
 * Everything is checked when declared, so a typo fails the scenario before anything
 * runs: the metric must exist, the predicate must parse, and a pattern must name an
 * installed policy.  A pattern without '*' is canonicalised through policy_new
 * ("page-fork:pins=wait" is "page-fork"); one with '*' is a glob over canonical specs
 * and only its policy name, if it has no '*', is checked.  At the end, the
 * expectations whose pattern matches the run's canonical spec are judged, in the
 * order of the sim.expect calls, then by pattern and metric (a Lua table has no order
 * of its own to keep).
 */
#include "lua/lua_binding.h"
#include "engine/units.h"

#include <string.h>

enum cmp { CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_EQ, CMP_NE };

struct lexpect {
	char *pattern;          /* as written */
	char *match;            /* canonical spec, or the glob */
	bool glob;
	char *metric;
	char *predicate;        /* as written */
	enum cmp op;
	double value;
	char *where;
	unsigned call;
};

void lexpect_free(struct lexpect *e)
{
	if (!e)
		return;
	g_free(e->pattern);
	g_free(e->match);
	g_free(e->metric);
	g_free(e->predicate);
	g_free(e->where);
	g_free(e);
}

static bool parse_predicate(const char *s, enum cmp *op, double *v)
{
	static const struct { const char *text; enum cmp op; } ops[] = {
		{ "<=", CMP_LE }, { ">=", CMP_GE }, { "==", CMP_EQ }, { "~=", CMP_NE },
		{ "!=", CMP_NE }, { "<", CMP_LT }, { ">", CMP_GT },
	};
	while (g_ascii_isspace(*s))
		s++;
	*op = CMP_EQ;
	for (size_t i = 0; i < G_N_ELEMENTS(ops); i++)
		if (g_str_has_prefix(s, ops[i].text)) {
			*op = ops[i].op;
			s += strlen(ops[i].text);
			break;
		}
	char *val = g_strstrip(g_strdup(s));
	bool ok = false;
	if (*val) {
		char *end = NULL;
		double d = g_ascii_strtod(val, &end);
		if (end && !*end && (g_ascii_isdigit(*val) || *val == '-' || *val == '.' || *val == '+')) {
			*v = d;
			ok = true;
		} else {
			uint64_t ns;
			if (units_parse_duration(val, &ns, NULL)) {
				*v = (double)ns;
				ok = true;
			}
		}
	}
	g_free(val);
	return ok;
}

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

/* The canonical form of a plain pattern, or the glob after checking its name. */
static char *check_pattern(lua_State *L, const char *pattern, bool *glob)
{
	GError *e = NULL;
	char msg[1024];
	*glob = strchr(pattern, '*') != NULL;
	if (*glob) {
		const char *colon = strchr(pattern, ':');
		char *name = g_strndup(pattern, colon ? (gsize)(colon - pattern) : strlen(pattern));
		bool ok = strchr(name, '*') || policy_find(name, &e);
		g_free(name);
		if (!ok) {
			g_snprintf(msg, sizeof(msg), "%s", e->message);
			g_error_free(e);
			lerror(L, "sim.expect[\"%s\"]: %s", pattern, msg);
		}
		return g_strdup(pattern);
	}
	struct policy *p = policy_new(pattern, &e);
	if (!p) {
		g_snprintf(msg, sizeof(msg), "%s", e->message);
		g_error_free(e);
		lerror(L, "sim.expect[\"%s\"]: %s", pattern, msg);
	}
	char *spec = g_strdup(p->spec);
	policy_free(p);
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
				if (!parse_predicate(text, &op, &value))
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
			struct lexpect *x = g_new0(struct lexpect, 1);
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

/* ---- judging -------------------------------------------------------------------------- */

static gint by_order(gconstpointer pa, gconstpointer pb)
{
	const struct lexpect *a = *(const struct lexpect *const *)pa;
	const struct lexpect *b = *(const struct lexpect *const *)pb;
	if (a->call != b->call)
		return a->call < b->call ? -1 : 1;
	int c = strcmp(a->pattern, b->pattern);
	return c ? c : strcmp(a->metric, b->metric);
}

static bool holds(enum cmp op, double v, double x)
{
	switch (op) {
	case CMP_LT: return v < x;
	case CMP_LE: return v <= x;
	case CMP_GT: return v > x;
	case CMP_GE: return v >= x;
	case CMP_EQ: return v == x;
	case CMP_NE: return v != x;
	}
	return false;
}

static void expect_result_free(gpointer p)
{
	struct expect_result *r = p;
	g_free(r->pattern);
	g_free(r->metric);
	g_free(r->predicate);
	g_free(r->where);
	g_free(r);
}

GPtrArray *lexpect_judge(struct lstate *st, const char *spec, const struct metrics *m)
{
	GPtrArray *sorted = g_ptr_array_sized_new(st->expects->len);
	for (guint i = 0; i < st->expects->len; i++)
		g_ptr_array_add(sorted, st->expects->pdata[i]);
	g_ptr_array_sort(sorted, by_order);
	GPtrArray *out = g_ptr_array_new_with_free_func(expect_result_free);
	for (guint i = 0; i < sorted->len; i++) {
		const struct lexpect *x = sorted->pdata[i];
		bool match = x->glob ? g_pattern_match_simple(x->match, spec) : !strcmp(x->match, spec);
		if (!match)
			continue;
		struct expect_result *r = g_new0(struct expect_result, 1);
		r->pattern = g_strdup(x->pattern);
		r->metric = g_strdup(x->metric);
		r->predicate = g_strdup(x->predicate);
		r->where = g_strdup(x->where);
		metrics_lookup(m, x->metric, &r->value);
		r->pass = holds(x->op, r->value, x->value);
		g_ptr_array_add(out, r);
	}
	g_ptr_array_free(sorted, TRUE);
	return out;
}
