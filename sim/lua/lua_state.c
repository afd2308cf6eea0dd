/*
 * lua_state — the sandbox a scenario runs in.
 *
 * A scenario may compute, declare and simulate; it may not touch the machine it runs
 * on, nor make a run depend on anything but its inputs.  So: no io, os, debug or
 * package; load() takes source text only; require() reads Lua source from two
 * directories (the scenario's own and <source>/scenarios/lib); math.random draws from
 * the calling task's stream; pairs() visits keys in a fixed order (Lua's own order
 * depends on a hash seed drawn at start-up); __gc is refused (finalisers run when
 * memory says so, not when simulated time does).  Two limits stop a runaway scenario
 * for good, even inside pcall: allocations beyond the memory limit, and more
 * instructions than the budget without simulated time moving.  The count hook that
 * enforces both yields the offending coroutine and it is never resumed.
 */
#include "lua/lua_binding.h"
#include "engine/units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MEM_LIMIT (1ull << 30)
#define DEFAULT_BUDGET 100000000ull
#define LOADED_KEY "wbsim.loaded"
#define LIB_LOADED_KEY "wbsim.libloaded"

/* ---- memory ------------------------------------------------------------------- */

static void *l_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct lstate *st = ud;
	size_t old = ptr ? osize : 0;
	if (nsize == 0) {
		free(ptr);
		st->mem -= old;
		return NULL;
	}
	if (nsize > old && !st->mem_unlimited && st->mem - old + nsize > st->mem_limit) {
		st->mem_exceeded = true;
		return NULL;
	}
	void *p = realloc(ptr, nsize);
	if (p)
		st->mem = st->mem - old + nsize;
	return p;
}

char *lstate_strdup(struct lstate *st, const char *s)
{
	return s ? g_string_chunk_insert(st->strings, s) : NULL;
}

static char *lstate_printf(struct lstate *st, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static char *lstate_printf(struct lstate *st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	char *r = lstate_strdup(st, s);
	g_free(s);
	return r;
}

const char *lstate_where(struct lstate *st, lua_State *L, int level)
{
	lua_Debug ar;
	for (int lv = level; lua_getstack(L, lv, &ar); lv++) {
		lua_getinfo(L, "Sl", &ar);
		if (ar.currentline > 0)
			return lstate_printf(st, "%s:%d", ar.short_src, ar.currentline);
	}
	return "?";
}

void lstate_fail(struct lstate *st, int code, const char *msg)
{
	if (st->error)
		return;
	st->error = g_strdup(msg);
	st->error_code = code;
	if (st->t)
		st->ops->stop(st->t);
}

static const char *ctx_name(struct lstate *st, struct lctx *c)
{
	if (c->kind == CTX_TASK)
		return lstate_printf(st, "task '%s'", ((struct ltask *)c)->name);
	return "the scenario's top level";
}

static char *memory_message(struct lstate *st, lua_State *L, struct lctx *c)
{
	char *lim = units_format_size(st->mem_limit);
	const char *where = lstate_where(st, L, 0);
	/* The failed allocation was caught (pcall) and the task ended before the limit
	 * stopped it: its code is gone from the stack, so name where it was spawned. */
	if (!strcmp(where, "?") && c->kind == CTX_TASK)
		where = ((struct ltask *)c)->where;
	char *m = lstate_printf(st, "%s: Lua memory limit of %s exceeded in %s", where, lim,
				ctx_name(st, c));
	g_free(lim);
	return m;
}

/* Whether @msg starts with the "file:line:" of a frame of @co, as Lua's errors do;
 * error(msg, 0) and non-string error values have none. */
static bool has_location(lua_State *co, const char *msg)
{
	lua_Debug ar;
	for (int lv = 0; lua_getstack(co, lv, &ar); lv++) {
		lua_getinfo(co, "Sl", &ar);
		if (ar.currentline <= 0)
			continue;
		char where[LUA_IDSIZE + 32];
		g_snprintf(where, sizeof(where), "%s:%d:", ar.short_src, ar.currentline);
		if (g_str_has_prefix(msg, where))
			return true;
	}
	return false;
}

char *lstate_describe_error(struct lstate *st, lua_State *co, bool traceback)
{
	st->mem_unlimited = true;       /* reporting must not fail for want of memory */
	lua_State *L = st->L;
	char *msg;
	if (st->mem_exceeded)
		msg = g_strdup(memory_message(st, co, st->running ? st->running : lctx_of(co)));
	else if (lua_type(co, -1) == LUA_TSTRING || lua_type(co, -1) == LUA_TNUMBER)
		msg = g_strdup(lua_tostring(co, -1));
	else
		msg = g_strdup_printf("(error object is a %s value)", luaL_typename(co, -1));
	const char *where = lstate_where(st, co, 0);
	if (!st->mem_exceeded && strcmp(where, "?") && !has_location(co, msg)) {
		char *located = g_strdup_printf("%s: %s", where, msg);
		g_free(msg);
		msg = located;
	}
	if (traceback) {
		luaL_traceback(L, co, msg, 0);
		g_free(msg);
		msg = g_strdup(lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	return msg;
}

/* ---- the instruction budget ------------------------------------------------------ */

static void l_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	struct lctx *self = lctx_of(L);
	struct lstate *st = self->st;
	struct lctx *c = st->running ? st->running : self;
	if (!c->fatal) {
		simtime_t now = st->t ? st->ops->now(st->t) : 0;
		if (now != c->instr_time) {
			c->instr_time = now;
			c->instr = 0;
		}
		c->instr += (uint64_t)st->hook_every;
		if (st->mem_exceeded) {
			c->fatal = memory_message(st, L, c);
		} else if (c->instr > st->budget) {
			c->fatal = lstate_printf(st, "%s: %s executed more than %" G_GUINT64_FORMAT
						 " Lua instructions without simulated time advancing "
						 "(an endless loop? operations and sim.sleep let time pass)",
						 lstate_where(st, L, 0), ctx_name(st, c), st->budget);
		}
	}
	if (c->fatal) {
		/* Yielding the task's own coroutine stops it for good, pcall or not. */
		if (self == c && lua_isyieldable(L)) {
			lua_yield(L, 0);
			return;
		}
		luaL_error(L, "%s", c->fatal);
	}
}

/* ---- loading source text ------------------------------------------------------------ */

/* luaL_loadfilex's courtesies (a BOM, a "#!" first line) on a buffer, source only. */
static int load_text(lua_State *L, const char *buf, size_t len, const char *path)
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
	int status = load_text(L, buf, len, path);
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
static int l_require_lib(lua_State *L)
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

/* ---- objects ----------------------------------------------------------------------- */

static const char *const type_names[LT_NR] = {
	[LT_FILE] = "File", [LT_PROC] = "Process", [LT_MAP] = "Mapping",
	[LT_TASK] = "Task", [LT_PIN] = "Pin", [LT_EVENT] = "Event",
};

const char *ltype_name(enum ltype type)
{
	return type_names[type];
}

static int l_tostring(lua_State *L)
{
	enum ltype type = (enum ltype)lua_tointeger(L, lua_upvalueindex(1));
	void *p = lua_touserdata(L, 1);
	const char *name = NULL;
	switch (type) {
	case LT_FILE: name = ((struct lfile *)p)->name; break;
	case LT_PROC: name = ((struct lproc *)p)->name; break;
	case LT_MAP: name = ((struct lmap *)p)->file->name; break;
	case LT_TASK: name = ((struct ltask *)p)->name; break;
	case LT_PIN: name = ((struct lpin *)p)->map->file->name; break;
	case LT_EVENT: name = ((struct levent *)p)->name; break;
	case LT_NR: break;
	}
	lua_pushfstring(L, "%s(%s)", type_names[type], name ? name : "");
	return 1;
}

void lobj_register(lua_State *L, enum ltype type, const luaL_Reg *methods)
{
	struct lstate *st = lctx_of(L)->st;
	lua_createtable(L, 0, 4);
	lua_newtable(L);
	luaL_setfuncs(L, methods, 0);
	lua_setfield(L, -2, "__index");
	lua_pushstring(L, type_names[type]);
	lua_setfield(L, -2, "__name");
	lua_pushliteral(L, "wbsim object");
	lua_setfield(L, -2, "__metatable");
	lua_pushinteger(L, type);
	lua_pushcclosure(L, l_tostring, 1);
	lua_setfield(L, -2, "__tostring");
	st->mt[type] = lua_topointer(L, -1);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &st->mt[type]);
}

void *lobj_new(lua_State *L, enum ltype type, size_t size, int nuv)
{
	struct lstate *st = lctx_of(L)->st;
	void *p = lua_newuserdatauv(L, size, nuv);
	memset(p, 0, size);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &st->mt[type]);
	lua_setmetatable(L, -2);
	return p;
}

void *lobj_test(lua_State *L, int idx, enum ltype type)
{
	void *p = lua_touserdata(L, idx);
	if (!p || !lua_getmetatable(L, idx))
		return NULL;
	const void *mt = lua_topointer(L, -1);
	lua_pop(L, 1);
	return mt == lctx_of(L)->st->mt[type] ? p : NULL;
}

void *lobj_check(lua_State *L, int idx, enum ltype type, const char *what)
{
	void *p = lobj_test(L, idx, type);
	if (G_UNLIKELY(!p)) {
		const char *got = luaL_typename(L, idx);
		for (int t = 0; t < LT_NR; t++)
			if (lobj_test(L, idx, (enum ltype)t))
				got = type_names[t];
		lerror(L, "%s: expected %s %s, got %s", what,
		       strchr("AEIOU", type_names[type][0]) ? "an" : "a", type_names[type], got);
	}
	return p;
}

/* ---- the state ------------------------------------------------------------------------ */

/* sim.fio is written in Lua (scenarios/lib/fio.lua) and loaded on first use; the tail
 * call leaves the scenario's line as the caller of the job function, for errors. */
static const char prelude[] =
	"local require_lib = ...\n"
	"function sim.fio(job) return require_lib('fio')(job) end\n";

static void replace(lua_State *L, int table, const char *name, lua_CFunction fn, const char *tag)
{
	lua_getfield(L, table, name);
	if (tag)
		lua_pushstring(L, tag);
	lua_pushcclosure(L, fn, tag ? 2 : 1);
	lua_setfield(L, table, name);
}

static int setup(lua_State *L)
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

	lua_newtable(L);
	ldecl_register(L);
	ltask_register(L);
	lexpect_register(L);
	lua_pushinteger(L, PAGE_SIZE);
	lua_setfield(L, -2, "PAGE_SIZE");
	lua_setfield(L, g, "sim");

	if (luaL_loadbufferx(L, prelude, sizeof(prelude) - 1, "=wbsim", "t") != LUA_OK)
		return lua_error(L);
	lua_pushcfunction(L, l_require_lib);
	lua_call(L, 1, 0);
	return 0;
}

static void no_warnings(void *ud, const char *msg, int tocont)
{
	(void)ud; (void)msg; (void)tocont;
}

struct lstate *lstate_new(const struct scenario_opts *o, GError **err)
{
	struct lstate *st = g_new0(struct lstate, 1);
	st->o = o;
	st->path = g_strdup(o->path);
	st->dir = g_path_get_dirname(o->path);
	st->mem_limit = o->mem_limit ? o->mem_limit : DEFAULT_MEM_LIMIT;
	st->budget = o->instr_budget ? o->instr_budget : DEFAULT_BUDGET;
	st->hook_every = (int)CLAMP(st->budget / 16, 1, 10000);
	st->strings = g_string_chunk_new(1024);
	st->mainctx = (struct lctx){ .kind = CTX_MAIN, .st = st };
	st->top = (struct lctx){ .kind = CTX_TOP, .st = st };
	rng_init(&st->top_rng, o->seed, "toplevel");
	sim_config_defaults(&st->cfg);
	st->policies = g_ptr_array_new_with_free_func(g_free);
	st->decls = g_ptr_array_new_with_free_func(g_free);
	st->expects = g_ptr_array_new_with_free_func(expect_decl_free);
	st->params = g_ptr_array_new();

	st->L = lua_newstate(l_alloc, st);
	if (!st->L) {
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_RUNTIME,
			    "cannot create a Lua state (out of memory)");
		lstate_free(st);
		return NULL;
	}
	*(struct lctx **)lua_getextraspace(st->L) = &st->mainctx;
	lua_setwarnf(st->L, no_warnings, NULL);
	lua_sethook(st->L, l_hook, LUA_MASKCOUNT, st->hook_every);
	lua_pushcfunction(st->L, setup);
	if (lua_pcall(st->L, 0, 0, 0) != LUA_OK) {
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_RUNTIME,
			    "cannot set up the Lua state: %s", lua_tostring(st->L, -1));
		lstate_free(st);
		return NULL;
	}
	return st;
}

void lstate_free(struct lstate *st)
{
	if (!st)
		return;
	if (st->L)
		lua_close(st->L);
	for (guint i = 0; i < st->params->len; i++) {
		struct param_value *p = st->params->pdata[i];
		g_free(p->name);
		g_free(p->value);
		g_free(p->description);
		g_free(p);
	}
	g_ptr_array_free(st->params, TRUE);
	g_ptr_array_free(st->policies, TRUE);
	g_ptr_array_free(st->decls, TRUE);
	g_ptr_array_free(st->expects, TRUE);
	g_string_chunk_free(st->strings);
	g_free(st->name);
	g_free(st->description);
	g_free(st->error);
	g_free(st->path);
	g_free(st->dir);
	g_free(st);
}

/* ---- the top level -------------------------------------------------------------------- */

bool lstate_run_file(struct lstate *st, GError **err)
{
	char *buf = NULL;
	gsize len = 0;
	GError *e = NULL;
	if (!g_file_get_contents(st->path, &buf, &len, &e)) {
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT, "cannot read scenario: %s",
			    e->message);
		g_error_free(e);
		return false;
	}
	lua_State *L = st->L;
	lua_State *co = lua_newthread(L);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &st->top);    /* keep it alive */
	*(struct lctx **)lua_getextraspace(co) = &st->top;
	int status = load_text(co, buf, len, st->path);
	g_free(buf);
	if (status != LUA_OK) {
		char *msg = lstate_describe_error(st, co, false);
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT, "%s", msg);
		g_free(msg);
		return false;
	}
	int nres = 0;
	st->running = &st->top;
	status = lua_resume(co, L, 0, &nres);
	char *msg = NULL;
	if (st->top.fatal) {
		msg = g_strdup(st->top.fatal);
	} else if (status == LUA_YIELD) {
		msg = g_strdup_printf("%s: the top level of a scenario cannot yield or block; "
				      "put the work in a task (sim.spawn)",
				      lstate_where(st, co, 0));
	} else if (status != LUA_OK || st->mem_exceeded) {
		msg = lstate_describe_error(st, co, false);
	}
	st->running = NULL;
	if (msg) {
		int code = st->top.fatal || st->mem_exceeded ? SCENARIO_ERROR_RUNTIME
							       : SCENARIO_ERROR_INPUT;
		g_set_error(err, SCENARIO_ERROR, code, "%s", msg);
		g_free(msg);
		return false;
	}
	lua_settop(co, 0);
	return true;
}

struct lctx *lctx_effective(lua_State *L)
{
	struct lctx *c = lctx_of(L);
	if (c->kind == CTX_MAIN && c->st->running)
		return c->st->running;
	return c;
}
