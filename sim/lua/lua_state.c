/*
 * lua_state — the Lua state a scenario runs in: its memory, its errors, the objects
 * scenarios hold, and running the file's top level.  (What the state's libraries let
 * a scenario do is lua_sandbox.c's business.)
 *
 * A scenario may compute, declare and simulate; it may not touch the machine it runs
 * on, nor make a run depend on anything but its inputs.  Two limits stop a runaway
 * scenario for good, even inside pcall: allocations beyond the memory limit, and more
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

/* ---- objects ----------------------------------------------------------------------- */

static const char *const type_names[LT_NR] = {
	[LT_FILE] = "File", [LT_PROC] = "Process", [LT_MAP] = "Mapping",
	[LT_TASK] = "Task", [LT_PIN] = "Pin", [LT_EVENT] = "Event", [LT_BUF] = "Buffer",
	[LT_IO] = "Io",
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
	case LT_BUF: name = ((struct lbuf *)p)->proc->name; break;
	case LT_IO: name = ((struct lio *)p)->file->name; break;
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

const char *lobj_typename(lua_State *L, int idx)
{
	for (int t = 0; t < LT_NR; t++)
		if (lobj_test(L, idx, (enum ltype)t))
			return type_names[t];
	return luaL_typename(L, idx);
}

void *lobj_check(lua_State *L, int idx, enum ltype type, const char *what)
{
	void *p = lobj_test(L, idx, type);
	if (G_UNLIKELY(!p))
		lerror(L, "%s: expected %s %s, got %s", what,
		       strchr("AEIOU", type_names[type][0]) ? "an" : "a", type_names[type],
		       lobj_typename(L, idx));
	return p;
}

/* ---- the state ------------------------------------------------------------------------ */

/* sim.fio is written in Lua (scenarios/lib/fio.lua) and loaded on first use; the tail
 * call leaves the scenario's line as the caller of the job function, for errors. */
static const char prelude[] =
	"local require_lib = ...\n"
	"function sim.fio(job) return require_lib('fio')(job) end\n";

static int setup(lua_State *L)
{
	lsandbox_open(L);
	lua_pushglobaltable(L);
	int g = lua_gettop(L);
	lua_newtable(L);
	ldecl_register(L);
	ltask_register(L);
	lexpect_register(L);
	lua_pushinteger(L, PAGE_SIZE);
	lua_setfield(L, -2, "PAGE_SIZE");
	lua_setfield(L, g, "sim");

	if (luaL_loadbufferx(L, prelude, sizeof(prelude) - 1, "=wbsim", "t") != LUA_OK)
		return lua_error(L);
	lua_pushcfunction(L, lsandbox_require_lib);
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
	int status = lsandbox_load_text(co, buf, len, st->path);
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
