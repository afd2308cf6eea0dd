/*
 * lua_sandbox — the libraries a scenario gets: base, coroutine, table, string, math
 * and utf8, without what reaches the machine or makes a run depend on more than its
 * inputs.  load() takes source text only; require() reads Lua source from the
 * scenario's directory and <source>/scenarios/lib; math.random draws from the calling
 * task's stream; pairs() visits keys in a fixed order; __gc is refused;
 * coroutine.resume and close refuse the coroutines the binding runs.  No io, os,
 * debug or package.  pairs() must be ordered because Lua's own order depends on a
 * hash seed drawn at start-up; __gc is refused because finalisers run when memory
 * says so, not when simulated time does.
 */
#include "lua/lua_binding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOADED_KEY "wbsim.loaded"
#define LIB_LOADED_KEY "wbsim.libloaded"

/* ---- loading source text ------------------------------------------------------------ */

/* luaL_loadfilex's courtesies (a BOM, a "#!" first line) on a buffer, source only. */
int lsandbox_load_text(lua_State *L, const char *buf, size_t len, const char *path)
{
	if (len && buf[0] == LUA_SIGNATURE[0]) {
		lua_pushfstring(L, "%s:1: is a precompiled (binary) Lua chunk; wbsim loads only "
				"Lua source text", path);
		return LUA_ERRSYNTAX;
	}
	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) {
		buf += 3;
		len -= 3;
	}
	GString *text = NULL;
	if (len && buf[0] == '#') {
		/* Blank out the first line but keep its newline so line numbers hold. */
		text = g_string_new_len(buf, (gssize)len);
		for (gsize i = 0; i < text->len && text->str[i] != '\n'; i++)
			text->str[i] = ' ';
		buf = text->str;
	}
	char *chunkname = g_strconcat("@", path, NULL);
	int status = luaL_loadbufferx(L, buf, len, chunkname, "t");
	g_free(chunkname);
	if (text)
		g_string_free(text, TRUE);
	return status;
}

/* ---- the sandboxed library ---------------------------------------------------------- */

static int l_print(lua_State *L)
{
	int n = lua_gettop(L);
	GString *line = g_string_new(NULL);
	for (int i = 1; i <= n; i++) {
		size_t len;
		const char *s = luaL_tolstring(L, i, &len);
		if (i > 1)
			g_string_append_c(line, '\t');
		g_string_append_len(line, s, (gssize)len);
		lua_pop(L, 1);
	}
	fprintf(stderr, "%s\n", line->str);
	g_string_free(line, TRUE);
	return 0;
}

/* load(chunk, name, mode, env) with mode forced to "t". */
static int l_load(lua_State *L)
{
	int n = lua_gettop(L);
	if (n >= 3 && !lua_isnil(L, 3) && strcmp(luaL_checkstring(L, 3), "t") != 0)
		return lerror(L, "load: only source text can be loaded (mode \"t\"); "
			      "binary chunks are refused");
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushvalue(L, 1);
	if (n >= 2)
		lua_pushvalue(L, 2);
	else
		lua_pushnil(L);
	lua_pushliteral(L, "t");
	int args = 3;
	if (n >= 4) {
		lua_pushvalue(L, 4);
		args = 4;
	}
	lua_call(L, args, LUA_MULTRET);
	return lua_gettop(L) - n;
}

static bool module_name_ok(const char *name)
{
	if (!*name || strlen(name) > 200 || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++) {
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-' && *p != '.')
			return false;
		if (p[0] == '.' && (p[1] == '.' || p[1] == '\0'))
			return false;
	}
	return true;
}

static const char *lib_dir(void)
{
	return WBSIM_SOURCE_DIR "/scenarios/lib";
}

/* require's work: the first of @dirs holding <name>.lua, loaded once per @cache. */
static int require_from(lua_State *L, const char *const *dirs, size_t ndirs, const char *cache)
{
	const char *name = luaL_checkstring(L, 1);
	lua_settop(L, 1);
	lua_getfield(L, LUA_REGISTRYINDEX, cache);
	lua_getfield(L, 2, name);
	if (!lua_isnil(L, -1))
		return 1;
	lua_pop(L, 1);
	if (!module_name_ok(name))
		return lerror(L, "require: bad module name \"%s\": use letters, digits, '_', '-' "
			      "and '.' between parts", name);
	char *rel = g_strconcat(name, ".lua", NULL);
	for (char *p = rel; p < rel + strlen(name); p++)
		if (*p == '.')
			*p = '/';
	char *path = NULL;
	for (size_t i = 0; i < ndirs && !path; i++) {
		char *p = g_build_filename(dirs[i], rel, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
			path = p;
		else
			g_free(p);
	}
	g_free(rel);
	if (!path) {
		char list[1024];
		char *joined = g_strjoinv(" and ", (char **)dirs);
		g_snprintf(list, sizeof(list), "%s", joined);
		g_free(joined);
		return lerror(L, "require: module \"%s\" not found; scenarios may require Lua "
			      "files from %s only", name, list);
	}
	char *buf = NULL;
	gsize len = 0;
	GError *e = NULL;
	if (!g_file_get_contents(path, &buf, &len, &e)) {
		lua_pushfstring(L, "require: cannot read %s: %s", path, e->message);
		g_error_free(e);
		g_free(path);
		return lua_error(L);
	}
	int status = lsandbox_load_text(L, buf, len, path);
	g_free(buf);
	lua_pushstring(L, path);
	g_free(path);
	if (status != LUA_OK) {
		lua_pop(L, 1);
		return lua_error(L);
	}
	/* stack: name cache fn path */
	lua_pushvalue(L, 1);
	lua_insert(L, -2);
	lua_call(L, 2, 1);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushboolean(L, 1);
	}
	lua_pushvalue(L, -1);
	lua_setfield(L, 2, name);
	return 1;
}

/* require(name): Lua source from the scenario's directory, then scenarios/lib. */
static int l_require(lua_State *L)
{
	struct lstate *st = lctx_of(L)->st;
	const char *dirs[] = { st->dir, lib_dir(), NULL };
	return require_from(L, dirs, 2, LOADED_KEY);
}

/* The binding's own helpers come from scenarios/lib whatever the scenario has beside it. */
int lsandbox_require_lib(lua_State *L)
{
	const char *dirs[] = { lib_dir(), NULL };
	return require_from(L, dirs, 1, LIB_LOADED_KEY);
}

static int l_setmetatable(lua_State *L)
{
	if (lua_istable(L, 2)) {
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)
			return lerror(L, "setmetatable: __gc metamethods are not available to "
				      "scenarios (they would run when memory says so, not when "
				      "simulated time does)");
		lua_pop(L, 1);
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

struct rng *lstate_rng(struct lstate *st)
{
	struct lctx *c = st->running;
	if (c && c->kind == CTX_TASK && ((struct ltask *)c)->t)
		return &((struct ltask *)c)->rng;
	return &st->top_rng;
}

/* math.random with Lua's signature, from the calling task's stream. */
static int l_random(lua_State *L)
{
	struct rng *r = lstate_rng(lctx_of(L)->st);
	lua_Integer lo, hi;
	switch (lua_gettop(L)) {
	case 0:
		lua_pushnumber(L, rng_double(r));
		return 1;
	case 1:
		lo = 1;
		hi = luaL_checkinteger(L, 1);
		if (hi == 0) {
			lua_pushinteger(L, (lua_Integer)rng_next(r));
			return 1;
		}
		break;
	case 2:
		lo = luaL_checkinteger(L, 1);
		hi = luaL_checkinteger(L, 2);
		break;
	default:
		return luaL_error(L, "wrong number of arguments");
	}
	luaL_argcheck(L, lo <= hi, lua_gettop(L), "interval is empty");
	lua_pushinteger(L, rng_range(r, lo, hi));
	return 1;
}

/* Streams are seeded from --seed and the task's name; a scenario's seed changes nothing. */
static int l_randomseed(lua_State *L)
{
	(void)L;
	return 0;
}

/* coroutine.resume/close of a task's own coroutine would tear it out of an operation. */
static int l_co_guard(lua_State *L)
{
	lua_State *co = lua_tothread(L, 1);
	if (co && lctx_of(co)->kind != CTX_MAIN)
		return lerror(L, "coroutine.%s: not allowed on a task's own coroutine or the "
			      "scenario's top level", lua_tostring(L, lua_upvalueindex(2)));
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

/* ---- pairs() in a fixed order ------------------------------------------------------ */

struct skey {
	int rank;                       /* numbers, strings, booleans, the rest */
	bool isint;
	lua_Integer i;
	double d;
	const char *s;
	size_t len;
	int seq;                        /* next() order: the tie-break of last resort */
};

static int skey_cmp(const void *pa, const void *pb)
{
	const struct skey *a = pa, *b = pb;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	switch (a->rank) {
	case 0:
		if (a->isint && b->isint) {
			if (a->i != b->i)
				return a->i < b->i ? -1 : 1;
		} else {
			double x = a->isint ? (double)a->i : a->d, y = b->isint ? (double)b->i : b->d;
			if (x != y)
				return x < y ? -1 : 1;
		}
		break;
	case 1: {
		int c = memcmp(a->s, b->s, MIN(a->len, b->len));
		if (c)
			return c;
		if (a->len != b->len)
			return a->len < b->len ? -1 : 1;
		break;
	}
	case 2:
		if (a->i != b->i)
			return a->i < b->i ? -1 : 1;
		break;
	}
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int pairs_next(lua_State *L)
{
	lua_Integer i = lua_tointeger(L, lua_upvalueindex(3));
	lua_Integer n = (lua_Integer)lua_rawlen(L, lua_upvalueindex(2));
	while (i < n) {
		i++;
		lua_rawgeti(L, lua_upvalueindex(2), i);
		lua_pushvalue(L, -1);
		if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) {
			lua_pushinteger(L, i);
			lua_replace(L, lua_upvalueindex(3));
			return 2;
		}
		lua_pop(L, 2);
	}
	lua_pushinteger(L, i);
	lua_replace(L, lua_upvalueindex(3));
	lua_pushnil(L);
	return 1;
}

static int pairs_cont(lua_State *L, int status, lua_KContext k)
{
	(void)L; (void)status; (void)k;
	return 3;
}

static int l_pairs(lua_State *L)
{
	luaL_checkany(L, 1);
	if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
		lua_pushvalue(L, 1);
		lua_callk(L, 1, 3, 0, pairs_cont);
		return 3;
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	int n = 0;
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		n++;
		lua_pop(L, 1);
	}
	struct skey *keys = lua_newuserdatauv(L, sizeof(struct skey) * (size_t)(n ? n : 1), 0);
	lua_createtable(L, n, 0);               /* 3: keys in next() order */
	int k = 0;
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		lua_pop(L, 1);
		struct skey *s = &keys[k];
		memset(s, 0, sizeof(*s));
		s->seq = ++k;
		switch (lua_type(L, -1)) {
		case LUA_TNUMBER:
			s->rank = 0;
			s->isint = lua_isinteger(L, -1);
			if (s->isint)
				s->i = lua_tointeger(L, -1);
			else
				s->d = lua_tonumber(L, -1);
			break;
		case LUA_TSTRING:
			s->rank = 1;
			s->s = lua_tolstring(L, -1, &s->len);
			break;
		case LUA_TBOOLEAN:
			s->rank = 2;
			s->i = lua_toboolean(L, -1);
			break;
		default:
			s->rank = 3;
		}
		lua_pushvalue(L, -1);
		lua_rawseti(L, 3, s->seq);
	}
	qsort(keys, (size_t)n, sizeof(*keys), skey_cmp);
	lua_pushvalue(L, 1);                    /* upvalue 1: the table */
	lua_createtable(L, n, 0);               /* upvalue 2: keys in order */
	for (int i = 0; i < n; i++) {
		lua_rawgeti(L, 3, keys[i].seq);
		lua_rawseti(L, -2, i + 1);
	}
	lua_pushinteger(L, 0);                  /* upvalue 3: position */
	lua_pushcclosure(L, pairs_next, 3);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

static void replace(lua_State *L, int table, const char *name, lua_CFunction fn, const char *tag)
{
	lua_getfield(L, table, name);
	if (tag)
		lua_pushstring(L, tag);
	lua_pushcclosure(L, fn, tag ? 2 : 1);
	lua_setfield(L, table, name);
}

/* The libraries a scenario gets, with the sandbox's replacements. */
void lsandbox_open(lua_State *L)
{
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base }, { LUA_COLIBNAME, luaopen_coroutine },
		{ LUA_TABLIBNAME, luaopen_table }, { LUA_STRLIBNAME, luaopen_string },
		{ LUA_MATHLIBNAME, luaopen_math }, { LUA_UTF8LIBNAME, luaopen_utf8 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(libs); i++) {
		luaL_requiref(L, libs[i].name, libs[i].func, 1);
		lua_pop(L, 1);
	}
	lua_pushglobaltable(L);
	int g = lua_gettop(L);
	lua_pushnil(L);
	lua_setfield(L, g, "dofile");
	lua_pushnil(L);
	lua_setfield(L, g, "loadfile");
	lua_pushcfunction(L, l_print);
	lua_setfield(L, g, "print");
	lua_pushcfunction(L, l_pairs);
	lua_setfield(L, g, "pairs");
	lua_pushcfunction(L, l_require);
	lua_setfield(L, g, "require");
	replace(L, g, "load", l_load, NULL);
	replace(L, g, "setmetatable", l_setmetatable, NULL);

	lua_getfield(L, g, LUA_STRLIBNAME);
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	lua_pop(L, 1);
	lua_getfield(L, g, LUA_MATHLIBNAME);
	lua_pushcfunction(L, l_random);
	lua_setfield(L, -2, "random");
	lua_pushcfunction(L, l_randomseed);
	lua_setfield(L, -2, "randomseed");
	lua_pop(L, 1);
	lua_getfield(L, g, LUA_COLIBNAME);
	replace(L, lua_gettop(L), "resume", l_co_guard, "resume");
	replace(L, lua_gettop(L), "close", l_co_guard, "close");
	lua_pop(L, 1);

	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, LOADED_KEY);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, LIB_LOADED_KEY);
	lua_pop(L, 1);
}
