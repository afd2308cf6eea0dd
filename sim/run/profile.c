/*
 * profile — a calibration profile (`wbsim calibrate -o FILE`): a Lua file of
 * sim.costs{...} and sim.device{...} calls, read in a state of its own with no
 * library opened (it may call nothing else), and applied over a run's configuration.
 */
#include "run/profile.h"

#include <lauxlib.h>
#include <lua.h>
#include <string.h>

#include "oplog/oplog.h"
#include "run/run.h"

/* sim.costs{...} / sim.device{...}: the table's fields, as "SECTION k=v k=v". */
static int section(lua_State *L)
{
	const char *name = lua_tostring(L, lua_upvalueindex(1));
	GPtrArray *out = lua_touserdata(L, lua_upvalueindex(2));
	luaL_checktype(L, 1, LUA_TTABLE);
	GString *s = g_string_new(name);
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		if (lua_type(L, -2) != LUA_TSTRING)
			luaL_error(L, "sim.%s: fields must be named", name);
		const char *k = lua_tostring(L, -2);
		if (strpbrk(k, " =,"))
			luaL_error(L, "sim.%s: bad field name \"%s\"", name, k);
		g_string_append_printf(s, " %s=", k);
		switch (lua_type(L, -1)) {
		case LUA_TBOOLEAN:
			g_string_append(s, lua_toboolean(L, -1) ? "true" : "false");
			break;
		case LUA_TNUMBER:
			if (lua_isinteger(L, -1))
				g_string_append_printf(s, "%lld", (long long)lua_tointeger(L, -1));
			else
				g_string_append_printf(s, "%.17g", lua_tonumber(L, -1));
			break;
		case LUA_TSTRING: {
			const char *v = lua_tostring(L, -1);
			if (!*v || strpbrk(v, " ,\""))
				luaL_error(L, "sim.%s: %s: bad value \"%s\"", name, k, v);
			g_string_append(s, v);
			break;
		}
		default:
			luaL_error(L, "sim.%s: %s: a %s is not a value", name, k,
				   luaL_typename(L, -1));
		}
		lua_pop(L, 1);
	}
	g_ptr_array_add(out, g_string_free(s, FALSE));
	return 0;
}

char **run_profile_read(const char *path, GError **err)
{
	lua_State *L = luaL_newstate();
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	lua_newtable(L);
	const char *names[] = { "costs", "device" };
	for (int i = 0; i < 2; i++) {
		lua_pushstring(L, names[i]);
		lua_pushlightuserdata(L, out);
		lua_pushcclosure(L, section, 2);
		lua_setfield(L, -2, names[i]);
	}
	lua_setglobal(L, "sim");
	bool ok = luaL_loadfilex(L, path, "t") == LUA_OK && lua_pcall(L, 0, 0, 0) == LUA_OK;
	if (!ok) {
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT, "--profile: %s",
			    lua_tostring(L, -1));
		g_ptr_array_free(out, TRUE);
		lua_close(L);
		return NULL;
	}
	lua_close(L);
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

bool run_profile_apply(const char *const *profile, const char *path, struct sim_config *cfg,
		       bool *stable_set, bool *bandwidth_set, bool *flush_set, GError **err)
{
	struct oplog_header *h = oplog_header_new();
	h->cfg = *cfg;
	h->stable_writes_set = *stable_set;
	h->bandwidth_set = *bandwidth_set;
	h->flush_set = *flush_set;
	bool ok = true;
	for (const char *const *p = profile; ok && p && *p; p++) {
		size_t n = strcspn(*p, " ");
		char *sec = g_strndup(*p, n);
		char *who = g_strdup_printf("--profile %s: sim.%s", path ? path : "", sec);
		GError *e = NULL;
		ok = oplog_header_override(h, sec, (*p)[n] ? *p + n + 1 : "", who, &e);
		if (!ok) {
			g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT, "%s", e->message);
			g_error_free(e);
		}
		g_free(who);
		g_free(sec);
	}
	if (ok) {
		*cfg = h->cfg;
		*stable_set = h->stable_writes_set;
		*bandwidth_set = h->bandwidth_set;
		*flush_set = h->flush_set;
	}
	oplog_header_free(h);
	return ok;
}
