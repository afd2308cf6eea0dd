/*
 * lua_task — tasks as coroutines, and the calls about tasks and time: joins, events,
 * sim.now, sleep, yield, the random streams, sync, log.  (The I/O a task does is
 * lua_io.c's.)
 *
 * A task is a Lua coroutine driven by the model: resume() runs it until it issues an
 * operation that cannot finish at once (or ends).  An operation that finishes at once
 * (OP_DONE) returns its results straight to Lua with no yield — the path a tight loop
 * of stores takes, so it must stay lean: the metatable check is a pointer compare and
 * the current task is read from the thread's extra space.  One that blocks records
 * the shape of its results and yields; when the model resumes the task, those results
 * are pushed onto the coroutine and become the return values of the call.  Because the
 * whole coroutine is suspended, blocking works from nested functions and inside pcall.
 *
 * Results: true on success; nil, "EIO" when the operation failed at the I/O level;
 * a Pin for m:pin.  Programming errors raise Lua errors naming file:line.
 */
#include "lua/lua_binding.h"

#include <string.h>

#include "lua/lua_op.h"


/* ---- which task is calling ------------------------------------------------------ */

static G_GNUC_NORETURN void not_in_task(lua_State *L, const char *call, bool block)
{
	struct lctx *r = lctx_of(L)->st->running;
	if (block && r && r->kind == CTX_TASK && lctx_of(L)->kind == CTX_MAIN)
		lerror(L, "%s: cannot block inside a coroutine the scenario created "
		       "(coroutine.create/wrap); call it from the task's own code", call);
	lerror(L, "%s must be called inside a task (a function given to sim.spawn), not at "
	       "the top level of the scenario", call);
	g_assert_not_reached();
}

struct ltask *ltask_current(lua_State *L, const char *call, bool block)
{
	struct lctx *c = lctx_of(L);
	if (G_LIKELY(c->kind == CTX_TASK)) {
		if (block && G_UNLIKELY(!lua_isyieldable(L)))
			lerror(L, "%s: cannot block here: called from a metamethod or a C function "
			       "that cannot yield (a table.sort comparator, a string.gsub "
			       "callback, ...)", call);
		return (struct ltask *)c;
	}
	struct lctx *r = c->st->running;
	if (!block && c->kind == CTX_MAIN && r && r->kind == CTX_TASK)
		return (struct ltask *)r;
	not_in_task(L, call, block);
}

/* ---- the driver ----------------------------------------------------------------------- */

static void fail_task(struct lstate *st, struct ltask *lt, const char *msg, bool traceback)
{
	st->mem_unlimited = true;
	if (traceback) {
		luaL_traceback(st->L, lt->co, msg, 0);
		char *full = g_strdup_printf("task '%s': %s", lt->name, lua_tostring(st->L, -1));
		lua_pop(st->L, 1);
		lstate_fail(st, SCENARIO_ERROR_RUNTIME, full);
		g_free(full);
	} else {
		char *full = g_strdup_printf("task '%s': %s", lt->name, msg);
		lstate_fail(st, SCENARIO_ERROR_RUNTIME, full);
		g_free(full);
	}
}

void ltask_resume(void *data)
{
	struct ltask *lt = data;
	struct lstate *st = lt->ctx.st;
	lua_State *co = lt->co;
	int nargs = 0;
	if (st->error)
		return;
	if (lt->op_pending) {
		lt->op_pending = false;
		lt->wait = WAIT_NONE;
		/* Outside any protected call: pushing must not fail for want of memory. */
		bool unlimited = st->mem_unlimited;
		st->mem_unlimited = true;
		nargs = lop_push_result(co, lt, lt->res);
		st->mem_unlimited = unlimited;
	}
	lt->started = true;
	st->running = &lt->ctx;
	int nres = 0;
	int status = lua_resume(co, st->L, nargs, &nres);
	st->running = NULL;

	if (lt->ctx.fatal) {
		/* The message names the task already. */
		st->mem_unlimited = true;
		luaL_traceback(st->L, co, lt->ctx.fatal, 0);
		lstate_fail(st, SCENARIO_ERROR_RUNTIME, lua_tostring(st->L, -1));
		lua_pop(st->L, 1);
		return;
	}
	switch (status) {
	case LUA_YIELD:
		if (lt->op_pending) {
			lua_pop(co, nres);
			return;
		}
	{
		char *msg = g_strdup_printf("%s: coroutine.yield() called outside a coroutine of "
					    "the task's own; use sim.yield() to let other tasks run",
					    lstate_where(st, co, 0));
		fail_task(st, lt, msg, false);
		g_free(msg);
		return;
	}
	case LUA_OK:
		if (st->mem_exceeded) {
			char *msg = lstate_describe_error(st, co, false);
			fail_task(st, lt, msg, false);
			g_free(msg);
			return;
		}
		lua_settop(co, 0);
		st->ops->exit(lt->t);
		return;
	default: {
		char *msg = lstate_describe_error(st, co, false);
		fail_task(st, lt, msg, true);
		g_free(msg);
	}
	}
}

char *ltask_describe_wait(struct ltask *lt)
{
	struct lstate *st = lt->ctx.st;
	const char *at = lstate_where(st, lt->co, 0);
	switch (lt->wait) {
	case WAIT_EVENT: {
		const struct levent *ev = lt->wait_on;
		return g_strdup_printf("task '%s' at %s waits for event%s%s%s (created at %s), "
				       "which no task sets", lt->name, at, ev->name ? " '" : "",
				       ev->name ? ev->name : "", ev->name ? "'" : "", ev->where);
	}
	case WAIT_JOIN: {
		const struct ltask *o = lt->wait_on;
		return g_strdup_printf("task '%s' at %s waits for task '%s' to finish", lt->name,
				       at, o->name);
	}
	case WAIT_NONE:
		break;
	}
	char *d = OPS(lt)->describe_wait(lt->t);
	char *r = g_strdup_printf("task '%s' at %s: %s", lt->name, at, d);
	g_free(d);
	return r;
}

/* ---- tasks and events --------------------------------------------------------------------------- */

static int task_join(lua_State *L)
{
	struct ltask *other = lobj_check(L, 1, LT_TASK, "task:join");
	struct ltask *lt = ltask_current(L, "task:join", true);
	if (other == lt)
		lerror(L, "task:join: task '%s' cannot wait for itself to finish", lt->name);
	if (!other->t || OPS(lt)->is_done(other->t)) {
		if (other->t && OPS(lt)->wait_met)
			OPS(lt)->wait_met(lt->t, other->t);
		return 0;
	}
	lt->wait = WAIT_JOIN;
	lt->wait_on = other;
	return lop_result(L, lt, OPS(lt)->wait_on(lt->t, other->t), RES_NOTHING);
}

static int task_name_l(lua_State *L)
{
	lua_pushstring(L, ((struct ltask *)lobj_check(L, 1, LT_TASK, "task:name"))->name);
	return 1;
}

static int task_done_l(lua_State *L)
{
	struct ltask *o = lobj_check(L, 1, LT_TASK, "task:is_done");
	lua_pushboolean(L, o->t && o->ctx.st->ops->is_done(o->t));
	return 1;
}

static int l_event(lua_State *L)
{
	struct lstate *st = lctx_of(L)->st;
	if (!lua_isnoneornil(L, 1) && lua_type(L, 1) != LUA_TSTRING)
		lerror(L, "sim.event: the name must be a string, got %s", luaL_typename(L, 1));
	struct levent *ev = lobj_new(L, LT_EVENT, sizeof(*ev), 0);
	ev->name = lstate_strdup(st, lua_tostring(L, 1));
	ev->where = lstate_where(st, L, 1);
	return 1;
}

static int ev_set(lua_State *L)
{
	struct levent *ev = lobj_check(L, 1, LT_EVENT, "ev:set");
	struct ltask *lt = ltask_current(L, "ev:set", false);
	if (!ev->set) {
		ev->set = true;
		OPS(lt)->wake(lt->ctx.st->t, ev);
	}
	return 0;
}

static int ev_wait(lua_State *L)
{
	struct levent *ev = lobj_check(L, 1, LT_EVENT, "ev:wait");
	struct ltask *lt = ltask_current(L, "ev:wait", true);
	if (ev->set) {
		if (OPS(lt)->wait_met)
			OPS(lt)->wait_met(lt->t, ev);
		return 0;
	}
	lt->wait = WAIT_EVENT;
	lt->wait_on = ev;
	return lop_result(L, lt, OPS(lt)->wait_on(lt->t, ev), RES_NOTHING);
}

static int ev_is_set(lua_State *L)
{
	lua_pushboolean(L, ((struct levent *)lobj_check(L, 1, LT_EVENT, "ev:is_set"))->set);
	return 1;
}

/* ---- sim.* calls inside a task ---------------------------------------------------------------------- */

static int l_now(lua_State *L)
{
	struct ltask *lt = ltask_current(L, "sim.now", false);
	lua_pushnumber(L, (double)OPS(lt)->now(lt->ctx.st->t) / 1e9);
	return 1;
}

static int l_now_ns(lua_State *L)
{
	struct ltask *lt = ltask_current(L, "sim.now_ns", false);
	lua_pushinteger(L, (lua_Integer)OPS(lt)->now(lt->ctx.st->t));
	return 1;
}

static int l_sleep(lua_State *L)
{
	struct ltask *lt = ltask_current(L, "sim.sleep", true);
	uint64_t ns = larg_duration(L, 1, "sim.sleep");
	return lop_result(L, lt, OPS(lt)->sleep(lt->t, ns), RES_NOTHING);
}

static int l_yield(lua_State *L)
{
	struct ltask *lt = ltask_current(L, "sim.yield", true);
	return lop_result(L, lt, OPS(lt)->sleep(lt->t, 0), RES_NOTHING);
}

static int l_rand(lua_State *L)
{
	struct ltask *lt = ltask_current(L, "sim.rand", false);
	lua_pushnumber(L, rng_double(&lt->rng));
	return 1;
}

static lua_Integer int_arg(lua_State *L, int idx, const char *what)
{
	if (!lua_isinteger(L, idx)) {
		lua_Number d = lua_tonumber(L, idx);
		lua_Integer i;
		if (lua_type(L, idx) != LUA_TNUMBER || !lua_numbertointeger(d, &i) || d != (lua_Number)i)
			lerror(L, "%s: expected an integer, got %s", what,
			       lua_type(L, idx) == LUA_TNUMBER ? lua_tostring(L, idx)
							       : luaL_typename(L, idx));
		return i;
	}
	return lua_tointeger(L, idx);
}

static int l_randint(lua_State *L)
{
	struct ltask *lt = ltask_current(L, "sim.randint", false);
	lua_Integer lo = int_arg(L, 1, "sim.randint: lo"), hi = int_arg(L, 2, "sim.randint: hi");
	if (lo > hi)
		lerror(L, "sim.randint: the interval [%lld, %lld] is empty", (long long)lo,
		       (long long)hi);
	lua_pushinteger(L, rng_range(&lt->rng, lo, hi));
	return 1;
}

static int l_sync(lua_State *L)
{
	struct ltask *lt = ltask_current(L, "sim.sync", true);
	return lop_result(L, lt, OPS(lt)->sync(lt->t), RES_BOOL);
}

/* sim.log(fmt, ...): string.format's formatting; one argument is printed as it is. */
static int l_log(lua_State *L)
{
	struct ltask *lt = ltask_current(L, "sim.log", false);
	int n = lua_gettop(L);
	if (n > 1) {
		lua_pushvalue(L, lua_upvalueindex(1));
		lua_insert(L, 1);
		lua_call(L, n, 1);
	} else {
		luaL_tolstring(L, 1, NULL);
	}
	if (lt->ctx.st->o->trace)
		OPS(lt)->log(lt->t, "sim_log", lua_tostring(L, -1));
	return 0;
}

void ltask_register(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "now", l_now }, { "now_ns", l_now_ns }, { "sleep", l_sleep },
		{ "yield", l_yield }, { "rand", l_rand }, { "randint", l_randint },
		{ "event", l_event }, { "sync", l_sync }, { NULL, NULL },
	};
	static const luaL_Reg task_methods[] = {
		{ "join", task_join }, { "name", task_name_l }, { "is_done", task_done_l },
		{ NULL, NULL },
	};
	static const luaL_Reg event_methods[] = {
		{ "set", ev_set }, { "wait", ev_wait }, { "is_set", ev_is_set }, { NULL, NULL },
	};
	luaL_setfuncs(L, fns, 0);
	lua_getglobal(L, LUA_STRLIBNAME);
	lua_getfield(L, -1, "format");
	lua_remove(L, -2);
	lua_pushcclosure(L, l_log, 1);
	lua_setfield(L, -2, "log");
	lio_register(L);
	lobj_register(L, LT_TASK, task_methods);
	lobj_register(L, LT_EVENT, event_methods);
}
