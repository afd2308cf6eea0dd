/*
 * lua_args — reading a scenario's arguments: durations, sizes and rates through
 * units.h (a plain number is seconds, bytes, bytes per second), byte ranges, and
 * declaration tables whose unknown fields are refused by name.  Every error carries
 * the scenario's file and line, found by walking up to the nearest Lua frame.
 */
#include "lua/lua_binding.h"
#include "engine/units.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

int lerror(lua_State *L, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	g_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	struct lstate *st = lctx_of(L)->st;
	const char *where = lstate_where(st, L, 1);
	lua_pushfstring(L, "%s: %s", where, buf);
	lua_error(L);
	__builtin_unreachable();
}

static int gerror_fail(lua_State *L, const char *what, GError *e)
{
	char buf[1024];
	g_snprintf(buf, sizeof(buf), "%s", e->message);
	g_error_free(e);
	return lerror(L, "%s: %s", what, buf);
}

uint64_t larg_duration(lua_State *L, int idx, const char *what)
{
	GError *e = NULL;
	uint64_t ns = 0;
	bool ok = false;
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER:
		ok = units_seconds_to_ns(lua_tonumber(L, idx), &ns, &e);
		break;
	case LUA_TSTRING:
		ok = units_parse_duration(lua_tostring(L, idx), &ns, &e);
		break;
	default:
		lerror(L, "%s: expected a duration (a string with a unit such as \"1.5ms\", or "
		       "a number of seconds), got %s", what, luaL_typename(L, idx));
	}
	if (!ok)
		gerror_fail(L, what, e);
	return ns;
}

/* A Lua number that must be a whole number of units >= 0. */
static uint64_t whole_number(lua_State *L, int idx, const char *what, const char *unit)
{
	if (lua_isinteger(L, idx)) {
		lua_Integer v = lua_tointeger(L, idx);
		if (v < 0)
			lerror(L, "%s: must not be negative (got %lld)", what, (long long)v);
		return (uint64_t)v;
	}
	double d = lua_tonumber(L, idx);
	if (isnan(d))
		lerror(L, "%s: expected a number of %s, got nan", what, unit);
	if (d < 0)
		lerror(L, "%s: must not be negative (got %g)", what, d);
	if (d != floor(d))
		lerror(L, "%s: expected a whole number of %s, got %g", what, unit, d);
	if (d >= 0x1p63)
		lerror(L, "%s: too large (%g)", what, d);
	return (uint64_t)d;
}

uint64_t larg_size(lua_State *L, int idx, const char *what)
{
	GError *e = NULL;
	uint64_t bytes = 0;
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER:
		return whole_number(L, idx, what, "bytes");
	case LUA_TSTRING:
		if (!units_parse_size(lua_tostring(L, idx), &bytes, &e))
			gerror_fail(L, what, e);
		return bytes;
	default:
		return lerror(L, "%s: expected a size (a string with a unit such as \"4KiB\", or "
			      "a number of bytes), got %s", what, luaL_typename(L, idx));
	}
}

uint64_t larg_rate(lua_State *L, int idx, const char *what)
{
	GError *e = NULL;
	uint64_t v = 0;
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER:
		return whole_number(L, idx, what, "bytes per second");
	case LUA_TSTRING:
		if (!units_parse_rate(lua_tostring(L, idx), &v, &e))
			gerror_fail(L, what, e);
		return v;
	default:
		return lerror(L, "%s: expected a rate (a string such as \"2GiB/s\", or a number "
			      "of bytes per second), got %s", what, luaL_typename(L, idx));
	}
}

double larg_number(lua_State *L, int idx, const char *what)
{
	if (lua_type(L, idx) != LUA_TNUMBER)
		lerror(L, "%s: expected a number, got %s", what, luaL_typename(L, idx));
	return lua_tonumber(L, idx);
}

bool larg_bool(lua_State *L, int idx, const char *what)
{
	if (lua_type(L, idx) != LUA_TBOOLEAN)
		lerror(L, "%s: expected true or false, got %s", what, luaL_typename(L, idx));
	return lua_toboolean(L, idx);
}

uint64_t larg_bytes_slow(lua_State *L, int idx, const char *what)
{
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER:
		return whole_number(L, idx, what, "bytes");
	case LUA_TSTRING:
		return larg_size(L, idx, what);
	case LUA_TNONE:
	case LUA_TNIL:
		return lerror(L, "%s: missing (a number of bytes)", what);
	default:
		return lerror(L, "%s: expected a number of bytes, got %s", what,
			      luaL_typename(L, idx));
	}
}

void larg_range_fail(lua_State *L, uint64_t off, uint64_t len, uint64_t size,
		     const char *call, const char *kind, const char *name)
{
	if (len == 0)
		lerror(L, "%s: the length must be positive", call);
	lerror(L, "%s: offset %" G_GUINT64_FORMAT " + length %" G_GUINT64_FORMAT
	       " lies outside %s '%s' (%" G_GUINT64_FORMAT " bytes)", call, off, len, kind, name,
	       size);
}

static unsigned edit_distance(const char *a, const char *b)
{
	size_t n = strlen(b);
	if (n > 63)
		return 99;
	unsigned row[64];
	for (size_t j = 0; j <= n; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; a[i - 1]; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= n; j++) {
			unsigned up = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);
			best = MIN(best, up + 1);
			best = MIN(best, row[j - 1] + 1);
			row[j] = best;
			diag = up;
		}
	}
	return row[n];
}

const char *larg_suggest(const char *s, const char *const *names)
{
	const char *best = NULL;
	unsigned best_d = (unsigned)MAX(2, strlen(s) / 3) + 1;
	for (const char *const *n = names; *n; n++) {
		unsigned d = edit_distance(s, *n);
		if (d < best_d) {
			best_d = d;
			best = *n;
		}
	}
	return best;
}

void larg_fields(lua_State *L, int idx, const char *call, const char *const *accepted)
{
	idx = lua_absindex(L, idx);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING)
			lerror(L, "%s: field names must be strings, got a %s key", call,
			       luaL_typename(L, -1));
		const char *k = lua_tostring(L, -1);
		bool known = false;
		for (const char *const *a = accepted; *a && !known; a++)
			known = !strcmp(*a, k);
		if (known)
			continue;
		char *list = g_strjoinv(", ", (char **)accepted);
		char buf[1024];
		const char *near = larg_suggest(k, accepted);
		if (near)
			g_snprintf(buf, sizeof(buf), "did you mean '%s'? ", near);
		else
			buf[0] = '\0';
		char msg[1536];
		g_snprintf(msg, sizeof(msg), "%s: unknown field '%s'; %saccepted fields: %s",
			   call, k, buf, list);
		g_free(list);
		lerror(L, "%s", msg);
	}
}
