/*
 * lua_task — tasks as coroutines, and every call a task makes.
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

/* The target every operation of a task goes to. */
#define OPS(lt) ((lt)->ctx.st->ops)

#include <string.h>


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

/* ---- results -------------------------------------------------------------------------- */

static int push_result(lua_State *L, struct ltask *lt, enum lres res)
{
	switch (res) {
	case RES_NOTHING:
		return 0;
	case RES_BOOL:
		if (G_LIKELY(lt->ctx.st->ops->result(lt->t) == 0)) {
			lua_pushboolean(L, 1);
			return 1;
		}
		lua_pushnil(L);
		lua_pushliteral(L, "EIO");
		return 2;
	case RES_PIN: {
		if (lt->ctx.st->ops->result(lt->t)) {
			lua_pushnil(L);
			lua_pushliteral(L, "EIO");
			return 2;
		}
		struct lpin *p = lobj_new(L, LT_PIN, sizeof(*p), 0);
		p->p = lt->ctx.st->ops->result_pin(lt->t);
		p->map = lt->pin_map;
		p->size = lt->pin_len;
		return 1;
	}
	}
	return 0;
}

/* The end of every operation call: results now, or yield until the model resumes us. */
static inline int op_result(lua_State *L, struct ltask *lt, enum op_status s, enum lres res)
{
	if (G_LIKELY(s == OP_DONE))
		return push_result(L, lt, res);
	lt->res = res;
	lt->op_pending = true;
	return lua_yield(L, 0);
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
		nargs = push_result(co, lt, lt->res);
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

/* ---- files ------------------------------------------------------------------------------ */

#define CHECK_FILE(L, call) ((struct lfile *)lobj_check((L), 1, LT_FILE, (call)))

static int f_pwrite(lua_State *L)
{
	struct lfile *f = CHECK_FILE(L, "f:pwrite");
	struct ltask *lt = ltask_current(L, "f:pwrite", true);
	uint64_t off = larg_bytes(L, 2, "f:pwrite: offset");
	uint64_t len = larg_bytes(L, 3, "f:pwrite: length");
	larg_range(L, off, len, f->size, "f:pwrite", "file", f->name);
	return op_result(L, lt, OPS(lt)->pwrite(lt->t, f->f, off, len), RES_BOOL);
}

static int f_pread(lua_State *L)
{
	struct lfile *f = CHECK_FILE(L, "f:pread");
	struct ltask *lt = ltask_current(L, "f:pread", true);
	uint64_t off = larg_bytes(L, 2, "f:pread: offset");
	uint64_t len = larg_bytes(L, 3, "f:pread: length");
	larg_range(L, off, len, f->size, "f:pread", "file", f->name);
	return op_result(L, lt, OPS(lt)->pread(lt->t, f->f, off, len), RES_BOOL);
}

static int f_fsync(lua_State *L)
{
	struct lfile *f = CHECK_FILE(L, "f:fsync");
	struct ltask *lt = ltask_current(L, "f:fsync", true);
	return op_result(L, lt, OPS(lt)->fsync(lt->t, f->f, false), RES_BOOL);
}

static int f_fdatasync(lua_State *L)
{
	struct lfile *f = CHECK_FILE(L, "f:fdatasync");
	struct ltask *lt = ltask_current(L, "f:fdatasync", true);
	return op_result(L, lt, OPS(lt)->fsync(lt->t, f->f, true), RES_BOOL);
}

/*
 * how: "write" starts writeback of the dirty pages (SYNC_FILE_RANGE_WRITE); "wait"
 * waits for writeback already in flight in the range (WAIT_AFTER: nothing new is
 * written); "write_wait" is WAIT_BEFORE | WRITE | WAIT_AFTER, the combination that
 * writes everything dirty in the range and waits for it.  A length of 0 means "to
 * the end of the file", as in sync_file_range(2).
 */
static int f_sync_range(lua_State *L)
{
	static const char *const hows[] = { "write", "wait", "write_wait", NULL };
	static const unsigned flags[] = {
		SYNC_FILE_RANGE_WRITE,
		SYNC_FILE_RANGE_WAIT_AFTER,
		SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER,
	};
	struct lfile *f = CHECK_FILE(L, "f:sync_range");
	struct ltask *lt = ltask_current(L, "f:sync_range", true);
	uint64_t off = larg_bytes(L, 2, "f:sync_range: offset");
	uint64_t len = larg_bytes(L, 3, "f:sync_range: length");
	if (len)
		larg_range(L, off, len, f->size, "f:sync_range", "file", f->name);
	else if (off >= f->size)
		larg_range_fail(L, off, 1, f->size, "f:sync_range", "file", f->name);
	const char *how = lua_tostring(L, 4);
	int k = -1;
	for (int i = 0; how && hows[i]; i++)
		if (!strcmp(how, hows[i]))
			k = i;
	if (k < 0)
		lerror(L, "f:sync_range: how must be \"write\", \"wait\" or \"write_wait\", got %s",
		       how ? how : luaL_typename(L, 4));
	return op_result(L, lt, OPS(lt)->sync_range(lt->t, f->f, off, len, flags[k]), RES_BOOL);
}

#define DIO_ALIGN 512u

static void check_map_use(lua_State *L, struct lmap *m, struct ltask *lt, const char *call)
{
	if (G_UNLIKELY(m->unmapped_at))
		lerror(L, "%s: the mapping of file '%s' was unmapped at %s", call, m->file->name,
		       m->unmapped_at);
	if (G_UNLIKELY(lt->proc != m->proc))
		lerror(L, "%s: task '%s' runs in %s%s%s, but this mapping belongs to process "
		       "'%s' (give the task process = ... in sim.spawn)", call, lt->name,
		       lt->proc ? "process '" : "no process", lt->proc ? lt->proc->name : "",
		       lt->proc ? "'" : "", m->proc->name);
}

static int f_dio(lua_State *L, bool write)
{
	static const char *const fields[] = { "from", "at", NULL };
	const char *call = write ? "f:dio_write" : "f:dio_read";
	struct lfile *f = CHECK_FILE(L, call);
	struct ltask *lt = ltask_current(L, call, true);
	uint64_t off = larg_bytes(L, 2, write ? "f:dio_write: offset" : "f:dio_read: offset");
	uint64_t len = larg_bytes(L, 3, write ? "f:dio_write: length" : "f:dio_read: length");
	larg_range(L, off, len, f->size, call, "file", f->name);
	struct lmap *src = NULL;
	uint64_t at = 0;
	if (write && !lua_isnoneornil(L, 4)) {
		if (!lua_istable(L, 4))
			lerror(L, "f:dio_write: argument 3 must be a table {from = mapping, at = "
			       "offset}, got %s", luaL_typename(L, 4));
		larg_fields(L, 4, call, fields);
		if (lua_getfield(L, 4, "from") != LUA_TNIL)
			src = lobj_check(L, -1, LT_MAP, "f:dio_write: from");
		if (lua_getfield(L, 4, "at") != LUA_TNIL) {
			if (!src)
				lerror(L, "f:dio_write: 'at' is an offset into the mapping given as "
				       "'from', and there is none");
			at = larg_bytes(L, -1, "f:dio_write: at");
		}
		lua_pop(L, 2);
		if (src) {
			check_map_use(L, src, lt, call);
			larg_range(L, at, len, src->size, "f:dio_write: from", "mapping of file",
				   src->file->name);
		}
	} else if (!write && !lua_isnoneornil(L, 4)) {
		lerror(L, "f:dio_read takes an offset and a length only");
	}
	if (off % DIO_ALIGN || len % DIO_ALIGN || at % DIO_ALIGN) {
		char at_s[48] = "";
		if (src)
			g_snprintf(at_s, sizeof(at_s), ", at %" G_GUINT64_FORMAT, at);
		lerror(L, "%s: O_DIRECT needs the offset, the length%s aligned to %u bytes (got "
		       "offset %" G_GUINT64_FORMAT ", length %" G_GUINT64_FORMAT "%s)", call,
		       src ? " and the buffer offset" : "", DIO_ALIGN, off, len, at_s);
	}
	if (!src)
		at = 0;
	enum op_status s = write ? OPS(lt)->dio_write(lt->t, f->f, off, len, src ? src->m : NULL, at)
				 : OPS(lt)->dio_read(lt->t, f->f, off, len);
	return op_result(L, lt, s, RES_BOOL);
}

static int f_dio_write(lua_State *L)
{
	return f_dio(L, true);
}

static int f_dio_read(lua_State *L)
{
	return f_dio(L, false);
}

static int f_size(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)CHECK_FILE(L, "f:size")->size);
	return 1;
}

static int f_name(lua_State *L)
{
	lua_pushstring(L, CHECK_FILE(L, "f:name")->name);
	return 1;
}

/* ---- mappings ------------------------------------------------------------------------------ */

#define CHECK_MAP(L, call) ((struct lmap *)lobj_check((L), 1, LT_MAP, (call)))

static int m_store(lua_State *L)
{
	struct lmap *m = CHECK_MAP(L, "m:store");
	struct ltask *lt = ltask_current(L, "m:store", true);
	uint64_t off = larg_bytes(L, 2, "m:store: offset");
	uint64_t len = larg_bytes(L, 3, "m:store: length");
	check_map_use(L, m, lt, "m:store");
	larg_range(L, off, len, m->size, "m:store", "mapping of file", m->file->name);
	return op_result(L, lt, OPS(lt)->store(lt->t, m->m, off, len), RES_BOOL);
}

static int m_load(lua_State *L)
{
	struct lmap *m = CHECK_MAP(L, "m:load");
	struct ltask *lt = ltask_current(L, "m:load", true);
	uint64_t off = larg_bytes(L, 2, "m:load: offset");
	uint64_t len = larg_bytes(L, 3, "m:load: length");
	check_map_use(L, m, lt, "m:load");
	larg_range(L, off, len, m->size, "m:load", "mapping of file", m->file->name);
	return op_result(L, lt, OPS(lt)->load(lt->t, m->m, off, len), RES_BOOL);
}

static int m_msync(lua_State *L)
{
	struct lmap *m = CHECK_MAP(L, "m:msync");
	struct ltask *lt = ltask_current(L, "m:msync", true);
	uint64_t off = 0, len = m->size;
	if (!lua_isnoneornil(L, 2)) {
		off = larg_bytes(L, 2, "m:msync: offset");
		len = lua_isnoneornil(L, 3) ? (off < m->size ? m->size - off : 1)
					   : larg_bytes(L, 3, "m:msync: length");
	}
	check_map_use(L, m, lt, "m:msync");
	larg_range(L, off, len, m->size, "m:msync", "mapping of file", m->file->name);
	return op_result(L, lt, OPS(lt)->msync(lt->t, m->m, off, len), RES_BOOL);
}

static int m_unmap(lua_State *L)
{
	struct lmap *m = CHECK_MAP(L, "m:unmap");
	struct ltask *lt = ltask_current(L, "m:unmap", true);
	check_map_use(L, m, lt, "m:unmap");
	OPS(lt)->munmap(lt->t, m->m);
	m->unmapped_at = lstate_where(lt->ctx.st, L, 1);
	return 0;
}

static int m_pin(lua_State *L)
{
	struct lmap *m = CHECK_MAP(L, "m:pin");
	struct ltask *lt = ltask_current(L, "m:pin", true);
	uint64_t off = larg_bytes(L, 2, "m:pin: offset");
	uint64_t len = larg_bytes(L, 3, "m:pin: length");
	check_map_use(L, m, lt, "m:pin");
	larg_range(L, off, len, m->size, "m:pin", "mapping of file", m->file->name);
	lt->pin_map = m;
	lt->pin_len = len;
	return op_result(L, lt, OPS(lt)->pin(lt->t, m->m, off, len), RES_PIN);
}

static int m_size(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)CHECK_MAP(L, "m:size")->size);
	return 1;
}

/* ---- pins ------------------------------------------------------------------------------------ */

static struct lpin *check_pin(lua_State *L, const char *call)
{
	struct lpin *p = lobj_check(L, 1, LT_PIN, call);
	if (G_UNLIKELY(p->released_at))
		lerror(L, "%s: the pin was released at %s", call, p->released_at);
	return p;
}

static int pin_write(lua_State *L)
{
	struct lpin *p = check_pin(L, "pin:write");
	struct ltask *lt = ltask_current(L, "pin:write", true);
	uint64_t off = larg_bytes(L, 2, "pin:write: offset");
	uint64_t len = larg_bytes(L, 3, "pin:write: length");
	larg_range(L, off, len, p->size, "pin:write", "pin of file", p->map->file->name);
	return op_result(L, lt, OPS(lt)->pin_write(lt->t, p->p, off, len), RES_BOOL);
}

static int pin_release(lua_State *L)
{
	struct lpin *p = check_pin(L, "pin:release");
	struct ltask *lt = ltask_current(L, "pin:release", true);
	p->released_at = lstate_where(lt->ctx.st, L, 1);
	return op_result(L, lt, OPS(lt)->pin_release(lt->t, p->p), RES_BOOL);
}

static int pin_size_l(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)((struct lpin *)lobj_check(L, 1, LT_PIN, "pin:size"))->size);
	return 1;
}

/* ---- tasks and events --------------------------------------------------------------------------- */

static int task_join(lua_State *L)
{
	struct ltask *other = lobj_check(L, 1, LT_TASK, "task:join");
	struct ltask *lt = ltask_current(L, "task:join", true);
	if (other == lt)
		lerror(L, "task:join: task '%s' cannot wait for itself to finish", lt->name);
	if (!other->t || OPS(lt)->is_done(other->t))
		return 0;
	lt->wait = WAIT_JOIN;
	lt->wait_on = other;
	return op_result(L, lt, OPS(lt)->wait_on(lt->t, other->t), RES_NOTHING);
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
	if (ev->set)
		return 0;
	lt->wait = WAIT_EVENT;
	lt->wait_on = ev;
	return op_result(L, lt, OPS(lt)->wait_on(lt->t, ev), RES_NOTHING);
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
	return op_result(L, lt, OPS(lt)->sleep(lt->t, ns), RES_NOTHING);
}

static int l_yield(lua_State *L)
{
	struct ltask *lt = ltask_current(L, "sim.yield", true);
	return op_result(L, lt, OPS(lt)->sleep(lt->t, 0), RES_NOTHING);
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
	return op_result(L, lt, OPS(lt)->sync(lt->t), RES_BOOL);
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
	static const luaL_Reg file_methods[] = {
		{ "pwrite", f_pwrite }, { "pread", f_pread }, { "fsync", f_fsync },
		{ "fdatasync", f_fdatasync }, { "sync_range", f_sync_range },
		{ "dio_write", f_dio_write }, { "dio_read", f_dio_read }, { "size", f_size },
		{ "name", f_name }, { NULL, NULL },
	};
	static const luaL_Reg map_methods[] = {
		{ "store", m_store }, { "load", m_load }, { "msync", m_msync },
		{ "unmap", m_unmap }, { "pin", m_pin }, { "size", m_size }, { NULL, NULL },
	};
	static const luaL_Reg pin_methods[] = {
		{ "write", pin_write }, { "release", pin_release }, { "size", pin_size_l },
		{ NULL, NULL },
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
	lobj_register(L, LT_FILE, file_methods);
	lobj_register(L, LT_MAP, map_methods);
	lobj_register(L, LT_PIN, pin_methods);
	lobj_register(L, LT_TASK, task_methods);
	lobj_register(L, LT_EVENT, event_methods);
}
